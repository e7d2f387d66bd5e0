/*
 * cli_paginate.c -- automatic pagination, as the AWS CLI does it.
 *
 * A paged command (list-tables, query, scan) is sent again and again with
 * the last page's token until the service has no more, and the pages are
 * merged: lists concatenated, counts (Count, ScannedCount) added, other
 * members (ConsumedCapacity) taken from the first page.  --page-size sets
 * each request's Limit.  --max-items stops after that many items of the
 * first result member and prints a NextToken to resume from with
 * --starting-token.
 *
 * The token is the AWS CLI's: base64 of a JSON object holding the request
 * member to resume with ({"ExclusiveStartKey": {...}}) and, when the
 * last page was cut short, "boto_truncate_amount", the number of its items
 * already printed.  Resuming re-reads that page and skips them, and, as
 * the AWS CLI does, counts start again from zero on that first page.
 *
 * The text format prints page by page, with NEXTTOKEN last; json and table
 * print the merged result once.
 */
#include "cli.h"
#include "cli_file.h"
#include "cli_json.h"
#include "cli_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pager_state {
    const struct paginator *pg;
    json_t *token;      /* the token value for the next request, or NULL */
    long long skip;     /* items of the first page already printed */
    long long total;    /* items taken so far */
    json_t *merged;     /* json and table: the result so far */
    json_t *first_only; /* members taken from the first page */
    json_t *resume;     /* token object to print as NextToken */
    bool first;
};

/* B values of a key, which the AWS CLI lists in "boto_encoded_keys". */
static json_t *
encoded_keys(const char *member, const json_t *key)
{
    json_t *paths = json_array();
    const char *name;
    json_t *av;
    json_object_foreach((json_t *)key, name, av)
    {
        if (json_object_get(av, "B"))
            json_array_append_new(paths, json_pack("[sss]", member, name, "B"));
    }
    return paths;
}

static char *
encode_token(const struct paginator *pg, json_t *token)
{
    json_t *value = json_object_get(token, pg->input_token);
    if (json_is_object(value)) {
        json_t *paths = encoded_keys(pg->input_token, value);
        if (json_array_size(paths))
            json_object_set(token, "boto_encoded_keys", paths);
        json_decref(paths);
    }
    char *text = cli_json_dumps(token, 0, true);
    char *b64 = text ? cli_base64((const unsigned char *)text, strlen(text)) : NULL;
    free(text);
    return b64;
}

/* A starting token back to its value; the AWS CLI's older "tok___N" form too. */
static void
decode_token(struct pager_state *ps, const char *text)
{
    size_t len;
    unsigned char *raw = cli_base64_decode(text, &len);
    json_t *obj = raw ? json_loadb((const char *)raw, len, 0, NULL) : NULL;
    free(raw);
    if (json_is_object(obj)) {
        ps->skip = json_integer_value(json_object_get(obj, "boto_truncate_amount"));
        json_t *v = json_object_get(obj, ps->pg->input_token);
        ps->token = v && !json_is_null(v) ? json_incref(v) : NULL;
        json_decref(obj);
        return;
    }
    json_decref(obj);
    const char *sep = strstr(text, "___");
    char *end;
    long long n = sep ? strtoll(sep + 3, &end, 10) : 0;
    if (sep && sep[3] && !*end && !strstr(sep + 3, "___")) {
        ps->skip = n;
        ps->token = strncmp(text, "None", (size_t)(sep - text)) == 0 && sep - text == 4
                        ? NULL
                        : json_stringn(text, (size_t)(sep - text));
    } else {
        ps->token = json_string(text);
    }
}

static void
set_resume(struct pager_state *ps, json_t *token, long long truncate)
{
    json_decref(ps->resume);
    ps->resume = json_object();
    json_object_set(ps->resume, ps->pg->input_token, token ? token : json_null());
    if (truncate >= 0)
        json_object_set_new(ps->resume, "boto_truncate_amount", json_integer(truncate));
}

/* A resumed first page: skip what was printed; secondary results restart at 0. */
static void
trim_first_page(struct pager_state *ps, json_t *page)
{
    json_t *items = json_object_get(page, ps->pg->result_keys[0]);
    if (json_is_array(items)) {
        json_t *rest = json_array();
        for (size_t i = (size_t)ps->skip; i < json_array_size(items); i++)
            json_array_append(rest, json_array_get(items, i));
        json_object_set_new(page, ps->pg->result_keys[0], rest);
    }
    for (int k = 1; k < 3 && ps->pg->result_keys[k]; k++) {
        json_t *v = json_object_get(page, ps->pg->result_keys[k]);
        if (json_is_number(v))
            json_object_set_new(page, ps->pg->result_keys[k], json_integer(0));
    }
}

static void
merge_page(struct pager_state *ps, json_t *page)
{
    for (int k = 0; k < 3 && ps->pg->result_keys[k]; k++) {
        const char *key = ps->pg->result_keys[k];
        json_t *v = json_object_get(page, key), *have = json_object_get(ps->merged, key);
        if (!v)
            continue;
        if (!have)
            json_object_set(ps->merged, key, v);
        else if (json_is_array(have))
            json_array_extend(have, v);
        else if (json_is_integer(have))
            json_object_set_new(ps->merged, key,
                                json_integer(json_integer_value(have) + json_integer_value(v)));
    }
}

static void
print_text_page(struct pager_state *ps, json_t *page)
{
    json_t *current = json_object();
    for (int k = 0; ps->first && k < 2 && ps->pg->non_aggregate[k]; k++) {
        json_t *v = json_object_get(page, ps->pg->non_aggregate[k]);
        if (v)
            json_object_set(current, ps->pg->non_aggregate[k], v);
    }
    for (int k = 0; k < 3 && ps->pg->result_keys[k]; k++) {
        json_t *v = json_object_get(page, ps->pg->result_keys[k]);
        json_object_set(current, ps->pg->result_keys[k], v ? v : json_null());
    }
    cli_text_write(stdout, current);
    json_decref(current);
}

static void
emit_page(const struct cli *cli, struct pager_state *ps, json_t *page)
{
    if (cli->output == OUTPUT_TEXT)
        print_text_page(ps, page);
    else
        merge_page(ps, page);
}

static void
cut_items(json_t *page, const char *key, long long keep)
{
    json_t *items = json_object_get(page, key), *kept = json_array();
    for (long long i = 0; i < keep; i++)
        json_array_append(kept, json_array_get(items, (size_t)i));
    json_object_set_new(page, key, kept);
}

/*
 * Take one page.  Returns 1 when paging is over, 0 to fetch the next page
 * (ps->token set), or -1 when the service repeated its token.
 */
static int
take_page(const struct cli *cli, struct pager_state *ps, const struct cli_call *call, json_t *page)
{
    long long start = 0;
    if (ps->first && call->starting_token) {
        start = ps->skip;
        trim_first_page(ps, page);
    }
    if (ps->first)
        for (int k = 0; k < 2 && ps->pg->non_aggregate[k]; k++) {
            json_t *v = json_object_get(page, ps->pg->non_aggregate[k]);
            if (v)
                json_object_set(ps->first_only, ps->pg->non_aggregate[k], v);
        }
    long long n = (long long)json_array_size(json_object_get(page, ps->pg->result_keys[0]));
    long long over = call->max_items ? ps->total + n - call->max_items : 0;
    int done = 0;
    if (over > 0) {
        cut_items(page, ps->pg->result_keys[0], n - over);
        set_resume(ps, ps->token, n - over + start);
        done = 1;
    }
    emit_page(cli, ps, page);
    ps->first = false;
    if (done)
        return 1;
    ps->total += n;
    json_t *next = json_object_get(page, ps->pg->output_token);
    if (!next || (json_is_string(next) && !json_string_length(next)))
        return 1;
    if (call->max_items && ps->total == call->max_items) {
        set_resume(ps, next, -1);
        return 1;
    }
    if (ps->token && json_equal(ps->token, next)) {
        char *text = cli_json_dumps(next, 0, false);
        fprintf(stderr, "\nThe same next token was received twice: %s\n", text ? text : "");
        free(text);
        return -1;
    }
    json_decref(ps->token);
    ps->token = json_incref(next);
    return 0;
}

static int
fetch_pages(struct cli *cli, struct pager_state *ps, const struct cli_call *call)
{
    json_t *req = json_deep_copy(call->request);
    if (call->page_size)
        json_object_set_new(req, ps->pg->limit_key, json_integer(call->page_size));
    int rc = 0;
    for (;;) {
        if (ps->token)
            json_object_set(req, ps->pg->input_token, ps->token);
        else
            json_object_del(req, ps->pg->input_token);
        json_t *resp;
        if ((rc = cli_call_op(cli, call->cmd->operation, req, &resp)))
            break;
        json_t *page = cli_shape_response(resp, model_shape(call->cmd->output));
        json_decref(resp);
        int more = take_page(cli, ps, call, page);
        json_decref(page);
        if (more) {
            rc = more < 0 ? 255 : 0;
            break;
        }
    }
    json_decref(req);
    return rc;
}

int
cli_paginate(struct cli *cli, struct cli_call *call)
{
    struct pager_state ps = {call->cmd->pager, NULL,          0,    0,
                             json_object(),    json_object(), NULL, true};
    if (call->starting_token)
        decode_token(&ps, call->starting_token);
    const struct member *m = shape_member(model_shape(call->cmd->input), ps.pg->input_token);
    int rc = 0;
    if (ps.token && m && m->shape->kind == SH_MAP && !json_is_object(ps.token)) {
        /* A token that is not one of ours, passed on as the SDK would: refused. */
        fprintf(stderr,
                "\nParameter validation failed:\nInvalid type for parameter %s, value: %s, "
                "type: <class 'str'>, valid types: <class 'dict'>\n",
                ps.pg->input_token, json_string_value(ps.token));
        rc = EXIT_USAGE;
    }
    if (!rc)
        rc = fetch_pages(cli, &ps, call);
    char *token = rc == 0 && ps.resume ? encode_token(ps.pg, ps.resume) : NULL;
    if (rc == 0 && cli->output == OUTPUT_TEXT) {
        if (token) {
            json_t *t = json_pack("{s:{s:s}}", "NextToken", "NextToken", token);
            cli_text_write(stdout, t);
            json_decref(t);
        }
    } else if (rc == 0) {
        json_object_update(ps.merged, ps.first_only);
        if (token)
            json_object_set_new(ps.merged, "NextToken", json_string(token));
        cli_print_response(cli, call->cmd, ps.merged);
    }
    free(token);
    json_decref(ps.token);
    json_decref(ps.resume);
    json_decref(ps.merged);
    json_decref(ps.first_only);
    return rc;
}
