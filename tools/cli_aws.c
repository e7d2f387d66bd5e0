/*
 * cli_aws.c -- running the commands named as in `aws dynamodb`.
 *
 * A command line becomes a request (cli_args.c), which is checked the way
 * the AWS SDK checks one before sending it (required members present, no
 * unknown members), then goes through kv_request, the path every client
 * takes.  Throttled requests are retried as the AWS CLI's standard retry
 * mode retries them: up to AWS_MAX_ATTEMPTS attempts in all (3 by
 * default), with jittered exponential backoff.  A command is offered only
 * when the library has its operation.
 */
#include "cli.h"
#include "cli_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool
is_throttling(kv_status st)
{
    return st == KV_PROVISIONED_THROUGHPUT_EXCEEDED || st == KV_THROTTLING ||
           st == KV_REQUEST_LIMIT_EXCEEDED || st == KV_LIMIT_EXCEEDED ||
           st == KV_TRANSACTION_IN_PROGRESS;
}

static int
max_attempts(void)
{
    const char *env = getenv("AWS_MAX_ATTEMPTS");
    int n = env ? atoi(env) : 3;
    return n >= 1 ? n : 1;
}

/* Up to 2^attempt seconds, at most 20, times a random fraction. */
static void
backoff(int attempt)
{
    double cap = attempt >= 5 ? 20.0 : (double)(1 << attempt);
    if (cap > 20.0)
        cap = 20.0;
    double delay = cap * ((double)rand() / RAND_MAX);
    struct timespec ts = {(time_t)delay, (long)((delay - (double)(time_t)delay) * 1e9)};
    nanosleep(&ts, NULL);
}

kv_status
cli_request(kv_db *db, const char *operation, json_t *request, json_t **response, int *retries)
{
    char *body = json_dumps(request, JSON_COMPACT);
    int attempts = max_attempts();
    kv_status st = KV_NOMEM;
    *response = NULL;
    *retries = -1;
    for (int attempt = 0; body && attempt < attempts; attempt++) {
        char *text = NULL;
        st = kv_request(db, operation, body, strlen(body), &text);
        json_decref(*response);
        *response = text ? json_loads(text, 0, NULL) : NULL;
        kv_free(text);
        if (!is_throttling(st))
            break;
        if (attempt + 1 == attempts) {
            *retries = attempt;
            break;
        }
        backoff(attempt);
    }
    free(body);
    return st;
}

int
cli_call_op(struct cli *cli, const char *operation, json_t *request, json_t **response)
{
    kv_db *db = cli_db(cli);
    *response = NULL;
    if (!db)
        return cli->db_rc;
    int retries;
    kv_status st = cli_request(db, operation, request, response, &retries);
    if (st == KV_OK)
        return 0;
    char *body = *response ? json_dumps(*response, JSON_COMPACT) : NULL;
    cli_print_error(operation, body ? body : "", retries);
    free(body);
    json_decref(*response);
    *response = NULL;
    return EXIT_SERVICE;
}

bool
cli_supported(kv_db *db, const char *operation)
{
    char *resp = NULL;
    kv_status st = kv_request(db, operation, "{}", 2, &resp);
    kv_free(resp);
    return st != KV_UNKNOWN_OPERATION;
}

/* The SDK's check before sending: required members, then unknown ones. */
static int
validate_request(const struct shape *input, json_t *request)
{
    char *errors = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&errors, &len);
    if (!f)
        return 0;
    for (size_t i = 0; i < input->n_members; i++)
        if (input->members[i].required && !json_object_get(request, input->members[i].name))
            fprintf(f, "\nMissing required parameter in input: \"%s\"", input->members[i].name);
    const char *key;
    json_t *v;
    json_object_foreach(request, key, v)
    {
        if (shape_member(input, key))
            continue;
        fprintf(f, "\nUnknown parameter in input: \"%s\", must be one of: ", key);
        for (size_t i = 0; i < input->n_members; i++)
            fprintf(f, "%s%s", i ? ", " : "", input->members[i].name);
    }
    fclose(f);
    int rc = 0;
    if (len) {
        fprintf(stderr, "\nParameter validation failed:%s\n", errors);
        rc = EXIT_USAGE;
    }
    free(errors);
    return rc;
}

static int
print_skeleton(struct cli *cli, const struct cli_call *call)
{
    bool output = strcmp(call->skeleton, "output") == 0;
    const struct shape *s = model_shape(output ? call->cmd->output : call->cmd->input);
    json_t *skel = cli_skeleton(s, output);
    if (output) {
        cli_print_response(cli, call->cmd, skel);
    } else {
        cli_json_write(stdout, skel, 4, false);
        fputc('\n', stdout);
    }
    json_decref(skel);
    return 0;
}

static int
invalid_command(const char *name)
{
    return cli_usage_error("argument command: Invalid choice: '%s' (this database's "
                           "library does not support that operation yet)",
                           name);
}

static int
paging_conflict(const struct cli *cli, const struct cli_call *call)
{
    if (!call->cmd->pager || !(cli->no_paginate || call->manual_paging))
        return 0;
    char used[128] = "";
    if (call->starting_token && *call->starting_token)
        strcat(used, "--starting-token");
    if (call->page_size)
        strcat(strcat(used, *used ? ", " : ""), "--page-size");
    if (call->max_items)
        strcat(strcat(used, *used ? ", " : ""), "--max-items");
    if (!*used)
        return 0;
    char msg[256];
    snprintf(msg, sizeof msg, "Cannot specify --no-paginate along with pagination arguments: %s",
             used);
    return cli_param_error("--no-paginate", msg);
}

int
cli_aws_run(struct cli *cli, int argc, char **argv)
{
    const struct command_def *cmd = model_command(argv[0]);
    if (cli_wants_help(argc, argv))
        return cli_help_command(argv[0]) ? 0 : EXIT_USAGE;
    struct cli_call call;
    int rc = cli_args_parse(cli, cmd, argc, argv, &call);
    if (rc)
        return rc;
    if (call.skeleton)
        rc = print_skeleton(cli, &call);
    else if (!(rc = paging_conflict(cli, &call)) &&
             !(rc = validate_request(model_shape(cmd->input), call.request))) {
        kv_db *db = cli_db(cli);
        if (!db)
            rc = cli->db_rc;
        else if (!cli_supported(db, cmd->operation))
            rc = invalid_command(cmd->name);
        else if (cmd->pager && !cli->no_paginate && !call.manual_paging)
            rc = cli_paginate(cli, &call);
        else {
            json_t *resp;
            if (!(rc = cli_call_op(cli, cmd->operation, call.request, &resp))) {
                json_t *shaped = cli_shape_response(resp, model_shape(cmd->output));
                cli_print_response(cli, cmd, shaped);
                json_decref(shaped);
            }
            json_decref(resp);
        }
    }
    json_decref(call.request);
    return rc;
}
