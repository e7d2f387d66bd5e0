/*
 * kv.c -- the kv command: global options, then a command.
 *
 *     kv [--db DIR] [--output json|text|table] COMMAND [options]
 *
 * COMMAND is one of the AWS CLI's `dynamodb` subcommands (create-table,
 * put-item, ...), which behave as `aws dynamodb COMMAND` does against a
 * local database.  KV_DB in the environment stands for --db.
 */
#include "cli.h"
#include "serve.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

kv_db *
cli_db(struct cli *cli)
{
    if (cli->db)
        return cli->db;
    const char *path = cli->db_path ? cli->db_path : getenv("KV_DB");
    if (!path || !*path) {
        cli_usage_error("no database given: use --db DIR or set KV_DB");
        return NULL;
    }
    kv_options opt;
    kv_options_default(&opt);
    if (kv_db_open(path, &opt, &cli->db) != KV_OK) {
        fprintf(stderr, "\nkv: cannot open database %s: %s\n", path, kv_errmsg(NULL));
        return NULL;
    }
    return cli->db;
}

static void
print_help(void)
{
    fputs("kv -- a local database that behaves like Amazon DynamoDB\n\n", stdout);
    fputs(usage_text, stdout);
    fputs("\nCommands (as in `aws dynamodb`):\n"
          "  create-table, describe-table, list-tables, delete-table,\n"
          "  put-item, get-item, delete-item\n"
          "\nEach takes the AWS CLI's options for it, or --cli-input-json JSON\n"
          "(or file://PATH) with the whole request.\n",
          stdout);
}

static int
parse_output(struct cli *cli, const char *v)
{
    if (strcmp(v, "json") == 0)
        cli->output = OUTPUT_JSON;
    else if (strcmp(v, "text") == 0)
        cli->output = OUTPUT_TEXT;
    else if (strcmp(v, "table") == 0)
        cli->output = OUTPUT_TABLE;
    else
        return cli_usage_error("argument --output: Invalid choice, valid choices are:\n\n"
                               "json                                     | text\n"
                               "table");
    return 0;
}

int
main(int argc, char **argv)
{
    struct cli cli = {0};
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *opt = argv[i];
        if (strcmp(opt, "--help") == 0) {
            print_help();
            return 0;
        }
        if (i + 1 >= argc)
            return cli_usage_error("argument %s: expected one argument", opt);
        if (strcmp(opt, "--db") == 0)
            cli.db_path = argv[++i];
        else if (strcmp(opt, "--output") == 0) {
            int rc = parse_output(&cli, argv[++i]);
            if (rc)
                return rc;
        } else
            return cli_usage_error("unrecognized arguments: %s", opt);
    }
    if (i >= argc)
        return cli_usage_error("the following arguments are required: command");
    const char *command = argv[i];
    if (strcmp(command, "help") == 0) {
        print_help();
        return 0;
    }
    if (strcmp(command, "serve") == 0)
        return serve_main(cli.db_path, argc - i, argv + i);
    int rc;
    if (cli_aws_known(command))
        rc = cli_aws_run(&cli, argc - i, argv + i);
    else
        rc = cli_usage_error("argument command: Invalid choice: '%s'", command);
    kv_db_close(cli.db);
    return rc;
}
