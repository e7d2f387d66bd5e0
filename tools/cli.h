/*
 * cli.h -- shared pieces of the kv command-line tool.
 *
 * kv.c reads the global options and dispatches; cli_aws.c holds the
 * commands named as in `aws dynamodb` and turns their options into a
 * request; cli_print.c prints responses and errors as the AWS CLI does.
 */
#ifndef KV_CLI_H
#define KV_CLI_H

#include "kv.h"

#include <jansson.h>
#include <stdbool.h>

/* The AWS CLI's exit codes. */
#define EXIT_USAGE 252
#define EXIT_SERVICE 254

enum output_format {
    OUTPUT_JSON,
    OUTPUT_TEXT,
    OUTPUT_TABLE,
};

struct cli {
    const char *db_path;
    enum output_format output;
    kv_db *db; /* opened on first need */
};

/* Open the database named by --db or KV_DB; prints the error itself. */
kv_db *cli_db(struct cli *cli);

/* Print "usage: ..." and an error line to stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Run an `aws dynamodb`-style command; argv[0] is the command name. */
bool cli_aws_known(const char *command);
int cli_aws_run(struct cli *cli, int argc, char **argv);

/* Print a response as the AWS CLI prints it (nothing for an empty one). */
void cli_print_response(const struct cli *cli, json_t *response);
/* "An error occurred (Name) when calling the Op operation: message". */
void cli_print_error(const char *operation, const char *response_body);

/* The contents of a file:// argument, or the argument itself; NULL + message on error. */
char *cli_arg_value(const char *arg);

#endif
