/*
 * cli_hooks.c -- places kept for commands that come with other parts of
 * libkv: `kv metrics TABLE` (capacity and throttling figures, from the
 * capacity module) and `kv check` (a consistency check of the stored
 * data).  Until they land, each says so and exits as a usage error, so
 * scripts can tell "not here yet" from a failure.
 */
#include "cli.h"

#include <stdio.h>

static int
not_yet(const char *name, const char *what)
{
    return cli_usage_error("argument command: '%s' (%s) is not available in this build yet", name,
                           what);
}

int
cli_cmd_metrics(struct cli *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    (void)argv;
    return not_yet("metrics", "capacity and throttling figures of a table");
}

int
cli_cmd_check(struct cli *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    (void)argv;
    return not_yet("check", "a consistency check of the database");
}
