/*
 * serve_cli.c -- `serve` as one of kv's own commands.
 *
 * kv.c dispatches its own commands through a table of functions taking
 * the parsed global options; this adapter hands serve_main the database
 * named by kv's global --db and leaves everything else to serve.c.
 */
#include "cli.h"
#include "serve.h"

int
cli_cmd_serve(struct cli *cli, int argc, char **argv)
{
    return serve_main(cli->db_path, argc, argv);
}
