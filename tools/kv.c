/*
 * kv.c -- the kv command: global options, then a command.
 *
 *     kv [--db DIR] [--output json|text|table] [--no-paginate] COMMAND [options]
 *
 * COMMAND is one of the AWS CLI's `dynamodb` subcommands (create-table,
 * put-item, ...), which behave as `aws dynamodb COMMAND` does against a
 * local database, or one of kv's own commands for looking at and moving
 * data (tables, get, find, dump, ...).  KV_DB in the environment stands
 * for --db.  This file only reads the global options and dispatches.
 */
#include "cli.h"
#include "serve.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*command_fn)(struct cli *cli, int argc, char **argv);

/*
 * kv's own commands; the `aws dynamodb` ones come from cli_model.c.  One
 * entry a line, so that adding a command is a one-line change.
 */
/* clang-format off */
static const struct {
    const char *name;
    command_fn fn;
} own_commands[] = {
    {"check", cli_cmd_check},
    {"describe", cli_cmd_describe},
    {"dump", cli_cmd_dump},
    {"find", cli_cmd_find},
    {"get", cli_cmd_get},
    {"help", cli_cmd_help},
    {"items", cli_cmd_items},
    {"load", cli_cmd_load},
    {"metrics", cli_cmd_metrics},
    {"serve", cli_cmd_serve},
    {"stats", cli_cmd_stats},
    {"tables", cli_cmd_tables},
};
/* clang-format on */

static const char usage_text[] =
    "usage: kv [--db DIR] [--output json|text|table] <command> [parameters]\n"
    "To see help text, you can run:\n"
    "\n"
    "  kv help\n"
    "  kv <command> help\n";

int
cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs(usage_text, stderr);
    fputs("\nkv: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

int
cli_param_error(const char *param, const char *msg)
{
    fprintf(stderr, "\nError parsing parameter '%s': %s\n", param, msg);
    return EXIT_USAGE;
}

kv_db *
cli_db(struct cli *cli)
{
    if (cli->db)
        return cli->db;
    const char *path = cli->db_path ? cli->db_path : getenv("KV_DB");
    if (!path || !*path) {
        cli->db_rc = cli_usage_error("no database given: use --db DIR or set KV_DB");
        return NULL;
    }
    cli->db_rc = 255;
    kv_options opt;
    kv_options_default(&opt);
    /* For tests and bulk loads that can be redone: skip syncing each write. */
    const char *no_sync = getenv("KV_NO_SYNC");
    opt.no_sync = no_sync && *no_sync && strcmp(no_sync, "0") != 0;
    if (kv_db_open(path, &opt, &cli->db) != KV_OK) {
        fprintf(stderr, "\nkv: cannot open database %s: %s\n", path, kv_errmsg(NULL));
        return NULL;
    }
    return cli->db;
}

static int
parse_output(struct cli *cli, const char *v)
{
    cli->output_set = true;
    if (strcmp(v, "json") == 0)
        cli->output = OUTPUT_JSON;
    else if (strcmp(v, "text") == 0)
        cli->output = OUTPUT_TEXT;
    else if (strcmp(v, "table") == 0)
        cli->output = OUTPUT_TABLE;
    else
        return cli_usage_error("argument --output: Invalid choice, valid choices are:\n\n"
                               "json                                     | text\n"
                               "table                                   ");
    return 0;
}

int
cli_global_option(struct cli *cli, int argc, char **argv)
{
    const char *opt = argv[0];
    if (strcmp(opt, "--no-paginate") == 0) {
        cli->no_paginate = true;
        return 1;
    }
    /* Accepted for compatibility with scripts written for the AWS CLI. */
    static const char *const ignored[] = {"--region",           "--profile",
                                          "--endpoint-url",     "--color",
                                          "--cli-read-timeout", "--cli-connect-timeout"};
    bool known = strcmp(opt, "--db") == 0 || strcmp(opt, "--output") == 0;
    for (size_t i = 0; !known && i < sizeof ignored / sizeof ignored[0]; i++)
        known = strcmp(opt, ignored[i]) == 0;
    if (!known)
        return strcmp(opt, "--no-cli-pager") == 0 ? 1 : 0;
    if (argc < 2) {
        cli_usage_error("argument %s: expected one argument", opt);
        return -1;
    }
    if (strcmp(opt, "--db") == 0)
        cli->db_path = argv[1];
    else if (strcmp(opt, "--output") == 0 && parse_output(cli, argv[1]))
        return -1;
    return 2;
}

/* The AWS CLI's "Invalid choice" error, listing every command in order. */
static int
invalid_command(const char *command)
{
    size_t n_aws, n_own = sizeof own_commands / sizeof own_commands[0], n = 0;
    const struct command_def *aws = model_commands(&n_aws);
    const char *names[128];
    for (size_t i = 0, j = 0; (i < n_aws || j < n_own) && n < 128;) {
        bool take_aws = j >= n_own || (i < n_aws && strcmp(aws[i].name, own_commands[j].name) < 0);
        names[n++] = take_aws ? aws[i++].name : own_commands[j++].name;
    }
    return cli_invalid_choice("command", command, names, n);
}

static int
dispatch(struct cli *cli, int argc, char **argv)
{
    const char *command = argv[0];
    for (size_t i = 0; i < sizeof own_commands / sizeof own_commands[0]; i++)
        if (strcmp(own_commands[i].name, command) == 0)
            return own_commands[i].fn(cli, argc, argv);
    if (model_command(command))
        return cli_aws_run(cli, argc, argv);
    return invalid_command(command);
}

int
main(int argc, char **argv)
{
    struct cli cli = {0};
    int i = 1;
    while (i < argc && strncmp(argv[i], "--", 2) == 0) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "--version") == 0) {
            if (argv[i][2] == 'h')
                cli_help_main();
            else
                printf("kv %s\n", kv_version());
            return 0;
        }
        int used = cli_global_option(&cli, argc - i, argv + i);
        if (used < 0)
            return EXIT_USAGE;
        if (used == 0)
            return cli_usage_error("unrecognized arguments: %s", argv[i]);
        i += used;
    }
    if (i >= argc)
        return cli_usage_error("the following arguments are required: command");
    int rc = dispatch(&cli, argc - i, argv + i);
    kv_db_close(cli.db);
    model_free();
    return rc;
}
