/* Temporary: commands not written yet. */
#include "cli.h"
#include <stdio.h>
#define STUB(n) int n(struct cli *cli, int argc, char **argv) { (void)cli; (void)argc; (void)argv; fprintf(stderr, "not yet\n"); return 255; }
STUB(cli_cmd_dump)
STUB(cli_cmd_load)
