/*
 * request.c -- kv_request: parse, dispatch, encode.
 *
 * The body is parsed once with Jansson; every handler works on the parsed
 * document and allocates its temporaries in one arena freed at the end,
 * so a failure anywhere leaks nothing.  The item and read operations,
 * the busiest, write their response as text (json_out.h); the others
 * build a Jansson tree, dumped here.  A throttled request is run again
 * when the handle's options ask for SDK-like retries (retry_call.h).
 */
#include "request.h"
#include "arena.h"
#include "db.h"
#include "err.h"
#include "json_out.h"
#include "mem.h"
#include "ops/ops.h"
#include "retry_call.h"
#include "value.h"
#include "value_json.h"

#include <string.h>

/* Each operation has a handler of one kind: one that writes its response
 * as text, or one that builds it as a tree. */
struct route {
    const char *name;
    request_fn fn;
    request_write_fn write;
};

static const struct route routes[] = {
    {"BatchGetItem", req_batch_get_item, NULL},
    {"BatchWriteItem", req_batch_write_item, NULL},
    {"CreateTable", req_create_table, NULL},
    {"DeleteItem", NULL, req_delete_item},
    {"DeleteTable", req_delete_table, NULL},
    {"DescribeTable", req_describe_table, NULL},
    {"GetItem", NULL, req_get_item},
    {"ListTables", req_list_tables, NULL},
    {"PutItem", NULL, req_put_item},
    {"Query", NULL, req_query},
    {"Scan", NULL, req_scan},
    {"TransactGetItems", req_transact_get_items, NULL},
    {"TransactWriteItems", req_transact_write_items, NULL},
    {"UpdateItem", NULL, req_update_item},
    {"UpdateTable", req_update_table, NULL},
};

static const struct route *
route_find(const char *op)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (strcmp(routes[i].name, op) == 0)
            return &routes[i];
    return NULL;
}

/*
 * ThrottlingReasons, as DynamoDB sends them: each entry typed
 * ThrottlingReason, with reason and resource.  The member is spelt as the
 * API model spells it for each exception: "ThrottlingReasons" in
 * ProvisionedThroughputExceededException (and RequestLimitExceeded),
 * "throttlingReasons" in ThrottlingException.
 */
static int
throttling_reasons(json_t *body, const struct kv_err *err)
{
    char type[160];
    snprintf(type, sizeof type, "%s#ThrottlingReason", status_namespace(err->status));
    json_t *list = json_array();
    for (size_t i = 0; list && i < err->n_throttle; i++) {
        json_t *r = json_pack("{s:s, s:s, s:s}", "__type", type, "reason",
                              err->throttle[i].reason, "resource", err->throttle[i].resource);
        if (!r || json_array_append_new(list, r)) {
            json_decref(list);
            return -1;
        }
    }
    const char *key = err->status == KV_THROTTLING ? "throttlingReasons" : "ThrottlingReasons";
    return list ? json_object_set_new(body, key, list) : -1;
}

/*
 * CancellationReasons: one object per action, {"Code": ...}, with
 * "Message" where DynamoDB gives one and "Item" when
 * ReturnValuesOnConditionCheckFailure asked for it.  The AWS SDKs read the
 * list from this member of the error body (botocore exposes it in the
 * error response, the Java and JavaScript SDKs as the exception's
 * CancellationReasons).
 */
static json_t *
reasons_json(const struct kv_err *err)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < err->n_reasons; i++) {
        const struct err_reason *r = &err->reasons[i];
        json_t *o = json_pack("{s:s}", "Code", r->code);
        if (!o || json_array_append_new(list, o) ||
            (r->message && json_object_set_new(o, "Message", json_string(r->message))) ||
            (r->item && json_object_set_new(o, "Item", item_to_json(r->item)))) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

json_t *
request_error_body(const struct kv_err *err)
{
    char type[160];
    snprintf(type, sizeof type, "%s#%s", status_namespace(err->status),
             kv_status_name(err->status));
    /* DynamoDB's deserializer capitalises the key of its own errors, and so
     * does a cancelled transaction's body. */
    const char *key = err->status == KV_SERIALIZATION || err->status == KV_TRANSACTION_CANCELED
                          ? "Message"
                          : "message";
    json_t *body = json_pack("{s:s, s:s}", "__type", type, key, err_message(err));
    if (body && err->item) {
        json_t *item = item_to_json(err->item);
        if (!item || json_object_set_new(body, "Item", item)) {
            json_decref(body);
            return NULL;
        }
    }
    if (body && err->status == KV_TRANSACTION_CANCELED && err->reasons &&
        json_object_set_new(body, "CancellationReasons", reasons_json(err))) {
        json_decref(body);
        return NULL;
    }
    if (body && err->n_throttle && throttling_reasons(body, err)) {
        json_decref(body);
        return NULL;
    }
    return body;
}

/* The text of a response or error tree; NULL when out of memory. */
static char *
dump(const json_t *j)
{
    struct json_out w;
    json_out_init(&w);
    json_out_json(&w, j);
    return json_out_take(&w);
}

static kv_status
run(struct op_ctx *c, const char *operation, const char *request, size_t len, json_t **resp,
    struct json_out *out)
{
    const struct route *route = route_find(operation);
    if (!route) {
        /* The message goes into a JSON body, which cannot hold a name that
         * is not UTF-8 (json_string refuses it). */
        json_t *name = json_string(operation);
        json_decref(name);
        return name ? err_set(c->err, KV_UNKNOWN_OPERATION, "Unknown operation: %s", operation)
                    : err_set(c->err, KV_UNKNOWN_OPERATION, "Unknown operation");
    }
    json_error_t jerr;
    json_t *root = json_loadb(request, len, JSON_ALLOW_NUL, &jerr);
    kv_status st;
    if (!root && json_error_code(&jerr) == json_error_stack_overflow)
        /* Nested deeper than Jansson parses (2048 levels), so deeper than
         * any attribute value may be. */
        st = err_set(c->err, KV_VALIDATION, VALUE_NESTING_MESSAGE);
    else if (!root)
        return err_set(c->err, KV_SERIALIZATION, "Malformed JSON: %s", jerr.text);
    else if (!json_is_object(root))
        st = err_set(c->err, KV_SERIALIZATION, "%s",
                     json_is_array(root) ? "Start of list found where not expected"
                                         : "Expected null");
    else if (route->write)
        st = route->write(c, root, out);
    else
        st = route->fn(c, root, resp);
    json_decref(root);
    /* However deep the nesting, the answer is the one for level 33: the
     * decoder stops early (DECODE_MAX_DEPTH) and so does the parser, without
     * the envelope that every operation but BatchWriteItem puts around it. */
    if (st == KV_VALIDATION && strcmp(err_message(c->err), VALUE_NESTING_MESSAGE) == 0 &&
        strcmp(operation, "BatchWriteItem") != 0) {
        err_clear(c->err);
        st = err_set(c->err, KV_VALIDATION, "1 validation error detected: %s",
                     VALUE_NESTING_MESSAGE);
    }
    return st;
}

kv_status
kv_request(kv_db *db, const char *operation, const char *request, size_t len, char **response)
{
    if (response)
        *response = NULL;
    if (!db)
        return KV_MISUSE;
    struct kv_err err;
    err_init(&err);
    if (!operation || !request || !response)
        return db_finish(db, (ERR_MISUSE(&err, "kv_request needs an operation, a request "
                                                "and a response pointer"),
                              &err));
    struct op_ctx c = {db, arena_new(), &err};
    json_t *resp = NULL;
    struct json_out out;
    json_out_init(&out);
    if (!c.arena)
        err_nomem(&err);
    else
        for (int n = 1; run(&c, operation, request, len, &resp, &out) != KV_OK &&
                        retry_call_again(db, n, &err);
             n++) {
            json_decref(resp); /* whatever a failed attempt left */
            resp = NULL;
            json_out_reset(&out);
        }
    if (err.status == KV_OK) {
        /* A handler writes text or builds a tree, never both. */
        *response = resp ? dump(resp) : out.b.len ? json_out_take(&out) : NULL;
        if (!*response)
            err_nomem(&err);
    }
    if (err.status != KV_OK) {
        json_t *body = request_error_body(&err);
        if (body)
            *response = dump(body);
        json_decref(body);
    }
    json_out_release(&out);
    json_decref(resp);
    arena_free(c.arena);
    return db_finish(db, &err);
}
