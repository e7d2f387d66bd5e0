/*
 * cli.h -- shared pieces of the kv command-line tool.
 *
 * kv.c reads the global options and dispatches to a command.  The
 * `aws dynamodb` commands go through cli_args.c (options to a request),
 * cli_aws.c (run it, with retries), cli_paginate.c (page through results)
 * and cli_print.c (print as the AWS CLI prints, with cli_text.c and
 * cli_table.c for the text and table formats).  kv's own commands live in
 * cli_inspect.c (tables, describe, stats), cli_rows.c (get, find, items),
 * cli_dump.c and cli_load.c; cli_help.c has the help texts.
 */
#ifndef KV_CLI_H
#define KV_CLI_H

#include "kv.h"
#include "cli_model.h"

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
    bool output_set; /* --output was given (kv's own commands default to text) */
    bool no_paginate;
    kv_db *db; /* opened on first need */
    int db_rc; /* why cli_db gave NULL: EXIT_USAGE (none named) or 255 */
};

/* A parsed `aws dynamodb` command line. */
struct cli_call {
    const struct command_def *cmd;
    json_t *request;
    bool input_json;      /* --cli-input-json was given */
    const char *skeleton; /* --generate-cli-skeleton: "input", "output" or NULL */
    const char *starting_token;
    long long max_items; /* 0: all */
    long long page_size; /* 0: the service's page */
    bool manual_paging;  /* --limit or --exclusive-start-* turn paging off */
};

/* Open the database named by --db or KV_DB; prints the error itself. */
kv_db *cli_db(struct cli *cli);

/* Print "usage: ..." and an error line to stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * "argument WHAT: Invalid choice, valid choices are: ..." with the close
 * matches of @p value, as the AWS CLI prints it; returns EXIT_USAGE.
 */
int cli_invalid_choice(const char *what, const char *value, const char *const *choices, size_t n);

/* "\nError parsing parameter '--x': msg" on stderr; returns EXIT_USAGE. */
int cli_param_error(const char *param, const char *msg);

/*
 * Options that may appear anywhere on the line, as the AWS CLI's global
 * options may.  Returns how many arguments argv[0] and its value used (1
 * or 2), 0 when argv[0] is not one, or -1 after printing a usage error.
 */
int cli_global_option(struct cli *cli, int argc, char **argv);

/* Parse an `aws dynamodb` command's arguments; argv[0] is its name. */
int cli_args_parse(struct cli *cli, const struct command_def *cmd, int argc, char **argv,
                   struct cli_call *call);

/* Run an `aws dynamodb`-style command; argv[0] is the command name. */
int cli_aws_run(struct cli *cli, int argc, char **argv);

/* The input or output skeleton of a command (--generate-cli-skeleton). */
json_t *cli_skeleton(const struct shape *shape, bool member_names);

/*
 * One request through kv_request, retrying throttled ones as the AWS CLI
 * does.  On success returns 0 and the parsed response; on a service error
 * prints it as the AWS CLI does and returns EXIT_SERVICE.
 */
int cli_call_op(struct cli *cli, const char *operation, json_t *request, json_t **response);

/* The same without printing: *error_body gets the error JSON to inspect. */
kv_status cli_request(kv_db *db, const char *operation, json_t *request, json_t **response,
                      int *retries);

/* Whether the library has @p operation (it answers UnknownOperationException if not). */
bool cli_supported(kv_db *db, const char *operation);

/* Page through a paged command and print the merged result. */
int cli_paginate(struct cli *cli, struct cli_call *call);

/* Print a response as the AWS CLI prints it (nothing for an empty one). */
void cli_print_response(const struct cli *cli, const struct command_def *cmd, json_t *response);
/* The response arranged as the output shape orders it, timestamps as text. */
json_t *cli_shape_response(const json_t *response, const struct shape *shape);
/* "An error occurred (Name) when calling the Op operation: message". */
void cli_print_error(const char *operation, const char *response_body, int retries);

/* The commands of kv itself. */
int cli_cmd_tables(struct cli *cli, int argc, char **argv);
int cli_cmd_describe(struct cli *cli, int argc, char **argv);
int cli_cmd_stats(struct cli *cli, int argc, char **argv);
int cli_cmd_get(struct cli *cli, int argc, char **argv);
int cli_cmd_find(struct cli *cli, int argc, char **argv);
int cli_cmd_items(struct cli *cli, int argc, char **argv);
int cli_cmd_dump(struct cli *cli, int argc, char **argv);
int cli_cmd_load(struct cli *cli, int argc, char **argv);
int cli_cmd_help(struct cli *cli, int argc, char **argv);
/* Commands that other parts of kv provide; see cli_hooks.c. */
int cli_cmd_metrics(struct cli *cli, int argc, char **argv);
int cli_cmd_check(struct cli *cli, int argc, char **argv);

/* Help: the whole tool, or one command; false when there is no such command. */
void cli_help_main(void);
bool cli_help_command(const char *name);
/* True when argv holds --help or a lone "help" after the command name. */
bool cli_wants_help(int argc, char **argv);

#endif
