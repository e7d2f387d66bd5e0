/*
 * cli_aws.c -- the commands named as in `aws dynamodb`.
 *
 * Each command maps to one DynamoDB operation.  Its options map to members
 * of the request: --table-name to TableName, --key to Key, and so on, each
 * with the AWS CLI's argument form (a string, JSON, a number, or a
 * --flag / --no-flag pair).  --cli-input-json supplies a whole request;
 * options given beside it override its members.  The request then goes
 * through kv_request, the same path every client takes.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum opt_kind {
    OPT_STRING,
    OPT_JSON,
    OPT_INTEGER,
    OPT_BOOLEAN, /* --flag sets true, --no-flag false */
};

struct option_spec {
    const char *flag;   /* without the leading dashes */
    const char *member; /* request member */
    enum opt_kind kind;
};

struct command {
    const char *name;
    const char *operation;
    const struct option_spec *options;
};

static const struct option_spec create_table_opts[] = {
    {"table-name", "TableName", OPT_STRING},
    {"attribute-definitions", "AttributeDefinitions", OPT_JSON},
    {"key-schema", "KeySchema", OPT_JSON},
    {"local-secondary-indexes", "LocalSecondaryIndexes", OPT_JSON},
    {"global-secondary-indexes", "GlobalSecondaryIndexes", OPT_JSON},
    {"billing-mode", "BillingMode", OPT_STRING},
    {"provisioned-throughput", "ProvisionedThroughput", OPT_JSON},
    {"deletion-protection-enabled", "DeletionProtectionEnabled", OPT_BOOLEAN},
    {NULL, NULL, 0},
};

static const struct option_spec table_name_opts[] = {
    {"table-name", "TableName", OPT_STRING},
    {NULL, NULL, 0},
};

static const struct option_spec list_tables_opts[] = {
    {"exclusive-start-table-name", "ExclusiveStartTableName", OPT_STRING},
    {"limit", "Limit", OPT_INTEGER},
    {NULL, NULL, 0},
};

static const struct option_spec put_item_opts[] = {
    {"table-name", "TableName", OPT_STRING},
    {"item", "Item", OPT_JSON},
    {"condition-expression", "ConditionExpression", OPT_STRING},
    {"expression-attribute-names", "ExpressionAttributeNames", OPT_JSON},
    {"expression-attribute-values", "ExpressionAttributeValues", OPT_JSON},
    {"return-values", "ReturnValues", OPT_STRING},
    {"return-consumed-capacity", "ReturnConsumedCapacity", OPT_STRING},
    {"return-item-collection-metrics", "ReturnItemCollectionMetrics", OPT_STRING},
    {"return-values-on-condition-check-failure", "ReturnValuesOnConditionCheckFailure",
     OPT_STRING},
    {NULL, NULL, 0},
};

static const struct option_spec get_item_opts[] = {
    {"table-name", "TableName", OPT_STRING},
    {"key", "Key", OPT_JSON},
    {"consistent-read", "ConsistentRead", OPT_BOOLEAN},
    {"projection-expression", "ProjectionExpression", OPT_STRING},
    {"expression-attribute-names", "ExpressionAttributeNames", OPT_JSON},
    {"return-consumed-capacity", "ReturnConsumedCapacity", OPT_STRING},
    {NULL, NULL, 0},
};

static const struct option_spec delete_item_opts[] = {
    {"table-name", "TableName", OPT_STRING},
    {"key", "Key", OPT_JSON},
    {"condition-expression", "ConditionExpression", OPT_STRING},
    {"expression-attribute-names", "ExpressionAttributeNames", OPT_JSON},
    {"expression-attribute-values", "ExpressionAttributeValues", OPT_JSON},
    {"return-values", "ReturnValues", OPT_STRING},
    {"return-consumed-capacity", "ReturnConsumedCapacity", OPT_STRING},
    {"return-item-collection-metrics", "ReturnItemCollectionMetrics", OPT_STRING},
    {"return-values-on-condition-check-failure", "ReturnValuesOnConditionCheckFailure",
     OPT_STRING},
    {NULL, NULL, 0},
};

static const struct command commands[] = {
    {"create-table", "CreateTable", create_table_opts},
    {"delete-item", "DeleteItem", delete_item_opts},
    {"delete-table", "DeleteTable", table_name_opts},
    {"describe-table", "DescribeTable", table_name_opts},
    {"get-item", "GetItem", get_item_opts},
    {"list-tables", "ListTables", list_tables_opts},
    {"put-item", "PutItem", put_item_opts},
};

static const struct command *
command_find(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

bool
cli_aws_known(const char *name)
{
    return command_find(name) != NULL;
}

char *
cli_arg_value(const char *arg)
{
    if (strncmp(arg, "file://", 7) != 0)
        return strdup(arg);
    const char *path = arg + 7;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "\nError parsing parameter: Unable to load paramfile %s: %s\n", arg,
                strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *text = malloc(cap);
    size_t n;
    while (text && (n = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            char *bigger = realloc(text, cap *= 2);
            if (!bigger) {
                free(text);
                text = NULL;
            }
            text = bigger;
        }
    }
    fclose(f);
    if (text)
        text[len] = '\0';
    return text;
}

/* Parse one option's argument into a JSON value of its kind. */
static json_t *
option_value(const struct option_spec *o, const char *arg)
{
    char *text = cli_arg_value(arg);
    if (!text)
        return NULL;
    json_t *v = NULL;
    json_error_t jerr;
    if (o->kind == OPT_STRING) {
        v = json_string(text);
    } else if (o->kind == OPT_INTEGER) {
        char *end;
        long long n = strtoll(text, &end, 10);
        if (*text && !*end)
            v = json_integer(n);
        else
            fprintf(stderr, "\nError parsing parameter '--%s': invalid integer: %s\n", o->flag,
                    text);
    } else if (!(v = json_loads(text, JSON_DECODE_ANY, &jerr))) {
        fprintf(stderr, "\nError parsing parameter '--%s': Invalid JSON: %s\nJSON received: %s\n",
                o->flag, jerr.text, text);
    }
    free(text);
    return v;
}

/* Find the option named by argv[i]; *negated for --no-flag booleans. */
static const struct option_spec *
option_find(const struct command *cmd, const char *arg, bool *negated)
{
    *negated = false;
    if (strncmp(arg, "--", 2) != 0)
        return NULL;
    const char *name = arg + 2;
    for (const struct option_spec *o = cmd->options; o->flag; o++) {
        if (strcmp(o->flag, name) == 0)
            return o;
        if (o->kind == OPT_BOOLEAN && strncmp(name, "no-", 3) == 0 &&
            strcmp(o->flag, name + 3) == 0) {
            *negated = true;
            return o;
        }
    }
    return NULL;
}

/* Build the request from --cli-input-json and the options. */
static int
build_request(const struct command *cmd, int argc, char **argv, json_t **out)
{
    json_t *req = json_object(), *explicit = json_object();
    for (int i = 1; i < argc; i++) {
        bool negated;
        const struct option_spec *o = option_find(cmd, argv[i], &negated);
        json_t *v;
        if (strcmp(argv[i], "--cli-input-json") == 0) {
            if (i + 1 >= argc)
                goto missing;
            char *text = cli_arg_value(argv[++i]);
            json_error_t jerr;
            json_t *in = text ? json_loads(text, 0, &jerr) : NULL;
            if (text && !in)
                fprintf(stderr, "\nError parsing parameter 'cli-input-json': Invalid JSON: %s\n",
                        jerr.text);
            free(text);
            if (!json_is_object(in)) {
                json_decref(in);
                goto fail;
            }
            json_object_update(req, in);
            json_decref(in);
            continue;
        }
        if (!o) {
            json_decref(req);
            json_decref(explicit);
            return cli_usage_error("Unknown options: %s", argv[i]);
        }
        if (o->kind == OPT_BOOLEAN) {
            json_object_set_new(explicit, o->member, json_boolean(!negated));
            continue;
        }
        if (i + 1 >= argc)
            goto missing;
        if (!(v = option_value(o, argv[++i])))
            goto fail;
        json_object_set_new(explicit, o->member, v);
    }
    json_object_update(req, explicit);
    json_decref(explicit);
    *out = req;
    return 0;
missing:
    json_decref(req);
    json_decref(explicit);
    return cli_usage_error("argument %s: expected one argument", argv[argc - 1]);
fail:
    json_decref(req);
    json_decref(explicit);
    return EXIT_USAGE;
}

int
cli_aws_run(struct cli *cli, int argc, char **argv)
{
    const struct command *cmd = command_find(argv[0]);
    json_t *req;
    int rc = build_request(cmd, argc, argv, &req);
    if (rc)
        return rc;
    kv_db *db = cli_db(cli);
    if (!db) {
        json_decref(req);
        return EXIT_USAGE;
    }
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    char *response = NULL;
    kv_status st = body ? kv_request(db, cmd->operation, body, strlen(body), &response)
                        : KV_NOMEM;
    free(body);
    if (st != KV_OK) {
        cli_print_error(cmd->operation, response ? response : "");
        kv_free(response);
        return EXIT_SERVICE;
    }
    json_t *resp = json_loads(response, 0, NULL);
    kv_free(response);
    cli_print_response(cli, resp);
    json_decref(resp);
    return 0;
}
