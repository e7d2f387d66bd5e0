/*
 * cli_model.h -- the part of DynamoDB's API model that the kv command needs.
 *
 * The AWS CLI derives everything about a command from the service model:
 * option names, which options are required, how a shorthand value is typed,
 * how a skeleton looks, in which order members of a response are printed.
 * kv keeps the same facts as a compact shape table (cli_shapes.c) and this
 * module turns it into a graph of shapes on first use.
 */
#ifndef KV_CLI_MODEL_H
#define KV_CLI_MODEL_H

#include <stdbool.h>
#include <stddef.h>

enum shape_kind {
    SH_STRING,
    SH_INTEGER,
    SH_LONG,
    SH_DOUBLE,
    SH_BOOLEAN,
    SH_BLOB,
    SH_TIMESTAMP,
    SH_STRUCT,
    SH_LIST,
    SH_MAP,
    SH_ANY, /* not modelled here: passed through untouched */
};

struct member;

struct shape {
    enum shape_kind kind;
    const char *name;         /* "" for a shape written inline */
    const char *first;        /* first value of an enum string, or NULL */
    const struct shape *elem; /* list element or map value */
    const struct member *members;
    size_t n_members;
};

struct member {
    const char *name;
    bool required;
    const struct shape *shape;
};

/*
 * How the AWS CLI pages an operation (its paginator): the request member
 * that takes the token, the response member that gives it, the request
 * member that limits a page, and the response members that are merged
 * across pages (the first is the one --max-items counts).
 */
struct paginator {
    const char *input_token;
    const char *output_token;
    const char *limit_key;
    const char *result_keys[3];
    const char *non_aggregate[2];
};

struct command_def {
    const char *name;              /* "put-item" */
    const char *operation;         /* "PutItem" */
    const char *input;             /* input shape name */
    const char *output;            /* output shape name */
    const struct paginator *pager; /* NULL when not paged */
    const char *summary;           /* one line for `kv help` */
};

/* The shape called @p name, or NULL.  Builds the graph on first call. */
const struct shape *model_shape(const char *name);

/* The member called @p name of a structure, or NULL. */
const struct member *shape_member(const struct shape *s, const char *name);

/* Release the graph (at exit, so leak checkers see a clean heap). */
void model_free(void);

/* The `aws dynamodb` command called @p name, or NULL. */
const struct command_def *model_command(const char *name);

/* All commands, in alphabetical order. */
const struct command_def *model_commands(size_t *count);

/* The shape table itself (cli_shapes.c). */
extern const char *const model_shape_text[];

/*
 * The option name the AWS CLI derives from a member name:
 * "ProvisionedThroughput" -> "provisioned-throughput",
 * "SSESpecification" -> "sse-specification".  Writes at most @p size bytes.
 */
void model_flag_name(const char *member, char *out, size_t size);

#endif
