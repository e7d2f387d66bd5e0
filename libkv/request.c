/*
 * request.c -- kv_request: parse, dispatch, encode.
 *
 * The body is parsed once with Jansson; every handler works on the parsed
 * document and allocates its temporaries in one arena freed at the end,
 * so a failure anywhere leaks nothing.  A throttled request is run again
 * when the handle's options ask for SDK-like retries (retry_call.h).
 */
#include "request.h"
#include "arena.h"
#include "db.h"
#include "err.h"
#include "mem.h"
#include "ops/ops.h"
#include "retry_call.h"
#include "value_json.h"

#include <string.h>

struct route {
    const char *name;
    request_fn fn;
};

static const struct route routes[] = {
    {"BatchGetItem", req_batch_get_item},
    {"BatchWriteItem", req_batch_write_item},
    {"CreateTable", req_create_table},
    {"DeleteItem", req_delete_item},
    {"DeleteTable", req_delete_table},
    {"DescribeTable", req_describe_table},
    {"GetItem", req_get_item},
    {"ListTables", req_list_tables},
    {"PutItem", req_put_item},
    {"Query", req_query},
    {"Scan", req_scan},
    {"TransactGetItems", req_transact_get_items},
    {"TransactWriteItems", req_transact_write_items},
    {"UpdateItem", req_update_item},
    {"UpdateTable", req_update_table},
};

static request_fn
route_find(const char *op)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (strcmp(routes[i].name, op) == 0)
            return routes[i].fn;
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

static char *
dump(json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT);
    if (!text)
        return NULL;
    char *copy = mem_strdup(text);
    free(text);
    return copy;
}

static kv_status
run(struct op_ctx *c, const char *operation, const char *request, size_t len, json_t **resp)
{
    request_fn fn = route_find(operation);
    if (!fn) {
        /* The message goes into a JSON body, which cannot hold a name that
         * is not UTF-8 (json_string refuses it). */
        json_t *name = json_string(operation);
        json_decref(name);
        return name ? err_set(c->err, KV_UNKNOWN_OPERATION, "Unknown operation: %s", operation)
                    : err_set(c->err, KV_UNKNOWN_OPERATION, "Unknown operation");
    }
    json_error_t jerr;
    json_t *root = json_loadb(request, len, 0, &jerr);
    if (!root)
        return err_set(c->err, KV_SERIALIZATION, "Malformed JSON: %s", jerr.text);
    kv_status st;
    if (!json_is_object(root))
        st = err_set(c->err, KV_SERIALIZATION, "%s",
                     json_is_array(root) ? "Start of list found where not expected"
                                         : "Expected null");
    else
        st = fn(c, root, resp);
    json_decref(root);
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
    if (!c.arena)
        err_nomem(&err);
    else
        for (int n = 1; run(&c, operation, request, len, &resp) != KV_OK &&
                        retry_call_again(db, n, &err);
             n++) {
            json_decref(resp); /* whatever a failed attempt left */
            resp = NULL;
        }
    if (err.status == KV_OK && !resp)
        err_nomem(&err);
    json_t *body = err.status == KV_OK ? resp : request_error_body(&err);
    if (body)
        *response = dump(body);
    if (body != resp)
        json_decref(body);
    json_decref(resp);
    arena_free(c.arena);
    return db_finish(db, &err);
}
