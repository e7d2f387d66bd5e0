/*
 * req_batch.c -- the JSON face of BatchGetItem and BatchWriteItem.
 *
 * As elsewhere: types first (SerializationException), then field
 * constraints as one ValidationException, then the operation.  The
 * responses always carry UnprocessedKeys / UnprocessedItems, empty when
 * everything was processed, in the request's own shape: an unprocessed
 * table keeps its ProjectionExpression, names and ConsistentRead, and an
 * unprocessed write request is returned as it was sent, so a caller can
 * send the rest again unchanged.
 *
 * The legacy AttributesToGet is refused, as in req_items.c.
 */
#include "arena.h"
#include "buf.h"
#include "err.h"
#include "json_types.h"
#include "ops/ops.h"
#include "req_common.h"
#include "request.h"
#include "validate.h"
#include "value.h"
#include "value_json.h"

#include <stdio.h>
#include <string.h>

#define WRITE_REQUEST_LIST "java.util.List<com.amazonaws.dynamodb.v20120810.WriteRequest>"

static const char *const get_legacy[] = {"AttributesToGet"};
static const char *const get_exprs[] = {"ProjectionExpression"};

/* One AttributeValue map standing as a list element (a key). */
static kv_status
attr_map_element(struct op_ctx *c, json_t *j, const struct kv_value **out)
{
    struct kv_value *m = arena_alloc(c->arena, sizeof *m);
    kv_status st = json_check_type(j, JT_MAP, "AttributeValue", c->err);
    if (st == KV_OK && !m)
        st = err_nomem(c->err);
    if (st == KV_OK)
        st = item_from_json(c->arena, j, m, c->err);
    if (st == KV_OK)
        *out = m;
    return st;
}

/* --- BatchGetItem ------------------------------------------------------------------ */

/* One table's KeysAndAttributes. */
static kv_status
read_keys_and_attributes(struct op_ctx *c, json_t *spec, struct batch_get_table *bt)
{
    json_t *keys;
    struct kv_value *names, *values;
    bool given;
    kv_status st;
    if ((st = json_check_type(spec, JT_ELEMENT, "KeysAndAttributes", c->err)) ||
        (st = json_get_node(spec, "Keys", JT_LIST, NULL, &keys, c->err)) ||
        (st = req_string(c, spec, "ProjectionExpression", &bt->ex.projection,
                         &bt->ex.projection_len)) ||
        (st = req_expr_maps(c, spec, &names, &values)) ||
        (st = json_get_bool(spec, "ConsistentRead", &bt->consistent, &given, c->err)))
        return st;
    bt->ex.names = names; /* BatchGetItem has no ExpressionAttributeValues */
    bt->n_keys = keys ? json_array_size(keys) : 0;
    const struct kv_value **k = arena_alloc(c->arena, (bt->n_keys + 1) * sizeof *k);
    if (!k)
        return err_nomem(c->err);
    for (size_t i = 0; i < bt->n_keys; i++)
        if ((st = attr_map_element(c, json_array_get(keys, i), &k[i])) != KV_OK)
            return st;
    bt->keys = k;
    return KV_OK;
}

static kv_status
read_get_tables(struct op_ctx *c, json_t *items, struct batch_get_req *r)
{
    const char *name;
    json_t *spec;
    size_t i = 0;
    struct batch_get_table *t = arena_calloc(c->arena, (json_object_size(items) + 1) * sizeof *t);
    if (!t)
        return err_nomem(c->err);
    json_object_foreach(items, name, spec)
    {
        t[i].table = name;
        kv_status st = read_keys_and_attributes(c, spec, &t[i]);
        if (st == KV_OK)
            st = req_legacy(c, spec, get_legacy, 1, get_exprs, 1);
        if (st != KV_OK)
            return st;
        i++;
    }
    r->tables = t;
    r->n_tables = i;
    return KV_OK;
}

/* The table's request again, with only its unprocessed keys. */
static json_t *
unprocessed_keys(json_t *spec, const struct batch_get_table_resp *tr)
{
    json_t *copy = json_copy(spec), *keys = json_array();
    json_t *all = json_object_get(spec, "Keys");
    if (!copy || !keys || json_object_set_new(copy, "Keys", keys)) {
        json_decref(copy);
        return NULL;
    }
    for (size_t k = 0; k < tr->n_unprocessed; k++)
        if (json_array_append(keys, json_array_get(all, tr->unprocessed[k]))) {
            json_decref(copy);
            return NULL;
        }
    return copy;
}

/* One table's Responses entry and, if any, its UnprocessedKeys entry. */
static int
respond_get_table(json_t *responses, json_t *unprocessed, const char *name, json_t *spec,
                  const struct batch_get_table_resp *tr)
{
    json_t *list = json_array();
    if (!list || json_object_set_new(responses, name, list))
        return -1;
    for (size_t k = 0; k < tr->n_items; k++)
        if (json_array_append_new(list, item_to_json(&tr->items[k])))
            return -1;
    if (tr->n_unprocessed && json_object_set_new(unprocessed, name, unprocessed_keys(spec, tr)))
        return -1;
    return 0;
}

static kv_status
respond_get(struct op_ctx *c, json_t *items, int return_cc, const struct batch_get_resp *out,
            json_t **resp)
{
    json_t *responses = json_object(), *unprocessed = json_object();
    json_t *cc = return_cc != RETURN_CC_NONE ? json_array() : NULL;
    const char *name;
    json_t *spec;
    size_t i = 0;
    *resp = json_object();
    if (!*resp || json_object_set_new(*resp, "Responses", responses) ||
        json_object_set_new(*resp, "UnprocessedKeys", unprocessed) ||
        (return_cc != RETURN_CC_NONE && json_object_set_new(*resp, "ConsumedCapacity", cc)))
        return err_nomem(c->err);
    json_object_foreach(items, name, spec)
    {
        const struct batch_get_table_resp *tr = &out->tables[i++];
        if (respond_get_table(responses, unprocessed, name, spec, tr) ||
            (cc && json_array_append_new(cc, req_consumed_json(name, &tr->consumed, return_cc))))
            return err_nomem(c->err);
    }
    return KV_OK;
}

kv_status
req_batch_get_item(struct op_ctx *c, json_t *req, json_t **resp)
{
    struct batch_get_req r;
    struct batch_get_resp out;
    struct vlist v;
    int return_cc = RETURN_CC_NONE;
    json_t *items;
    memset(&r, 0, sizeof r);
    vlist_init(&v);
    r.out = c->arena;
    kv_status st;
    if ((st = json_get_node(req, "RequestItems", JT_MAP, "KeysAndAttributes", &items, c->err)) ||
        (st = req_enum(c, req, "ReturnConsumedCapacity", "returnConsumedCapacity",
                       req_return_cc_set, 3, REQ_RETURN_CC_SHOWN, &v, &return_cc)))
        goto done;
    if (!items)
        vlist_add(&v, NULL, 0, "requestItems", "Member must not be null");
    if ((items && (st = read_get_tables(c, items, &r))) || (st = vlist_finish(&v, c->err)))
        goto done;
    if ((st = op_batch_get(c, &r, &out)) == KV_OK)
        st = respond_get(c, items, return_cc, &out, resp);
done:
    vlist_release(&v);
    return st;
}

/* --- BatchWriteItem ----------------------------------------------------------------- */

/* A WriteRequest as DynamoDB's front end echoes it. */
static void
echo_write_request(struct buf *b, json_t *wr)
{
    json_t *put = json_object_get(wr, "PutRequest"), *del = json_object_get(wr, "DeleteRequest");
    buf_put(b, "WriteRequest(putRequest=", 24);
    if (json_is_object(put)) {
        buf_put(b, "PutRequest(item=", 16);
        req_echo_attrs(b, json_object_get(put, "Item"));
        buf_put(b, ", workloadProfileName=null)", 27);
    } else {
        buf_put(b, "null", 4);
    }
    buf_put(b, ", deleteRequest=", 16);
    if (json_is_object(del)) {
        buf_put(b, "DeleteRequest(key=", 18);
        req_echo_attrs(b, json_object_get(del, "Key"));
        buf_put(b, ", workloadProfileName=null)", 27);
    } else {
        buf_put(b, "null", 4);
    }
    buf_put_u8(b, ')');
}

/* A table whose list is empty or longer than 25: DynamoDB's message, with
 * the whole RequestItems map echoed. */
static void
list_constraint(struct vlist *v, json_t *items)
{
    struct buf b;
    const char *name;
    json_t *list;
    bool first = true;
    buf_init(&b);
    buf_put_u8(&b, '{');
    json_object_foreach(items, name, list)
    {
        if (!first)
            buf_put(&b, ", ", 2);
        first = false;
        buf_put(&b, name, strlen(name));
        buf_put(&b, "=[", 2);
        for (size_t i = 0; i < json_array_size(list); i++) {
            if (i)
                buf_put(&b, ", ", 2);
            echo_write_request(&b, json_array_get(list, i));
        }
        buf_put_u8(&b, ']');
    }
    buf_put_u8(&b, '}');
    vlist_add(v, (const char *)b.data, b.failed ? 0 : b.len, "requestItems",
              "Map value must satisfy constraint: [Member must have length less than or equal "
              "to 25, Member must have length greater than or equal to 1]");
    buf_release(&b);
}

/* One WriteRequest: exactly one of PutRequest and DeleteRequest. */
static kv_status
read_write_request(struct op_ctx *c, json_t *wr, struct vlist *v, const char *path,
                   struct batch_write_elem *e)
{
    json_t *put, *del;
    struct kv_value *value;
    char p[320];
    kv_status st;
    if ((st = json_check_type(wr, JT_ELEMENT, "WriteRequest", c->err)) ||
        (st = json_get_node(wr, "PutRequest", JT_FIELD, "PutRequest", &put, c->err)) ||
        (st = json_get_node(wr, "DeleteRequest", JT_FIELD, "DeleteRequest", &del, c->err)))
        return st;
    if (put && del)
        return err_set(c->err, KV_VALIDATION,
                       "Supplied AttributeValue has more than one datatypes set, must contain "
                       "exactly one of the supported datatypes");
    if (!put && !del)
        return err_set(c->err, KV_VALIDATION,
                       "Supplied AttributeValue is empty, must contain exactly one of the "
                       "supported datatypes");
    snprintf(p, sizeof p, "%s.%s", path, put ? "putRequest.item" : "deleteRequest.key");
    e->kind = put ? BATCH_PUT : BATCH_DELETE;
    st = req_attr_map(c, put ? put : del, put ? "Item" : "Key", p, true, v, &value);
    e->value = value;
    return st;
}

static kv_status
read_write_tables(struct op_ctx *c, json_t *items, struct vlist *v, struct batch_write_req *r)
{
    const char *name;
    json_t *list;
    size_t i = 0;
    bool bad_length = false;
    struct batch_write_table *t = arena_calloc(c->arena, (json_object_size(items) + 1) * sizeof *t);
    if (!t)
        return err_nomem(c->err);
    json_object_foreach(items, name, list)
    {
        kv_status st = json_check_type(list, JT_LIST, NULL, c->err);
        size_t n = st == KV_OK ? json_array_size(list) : 0;
        struct batch_write_elem *e = arena_calloc(c->arena, (n + 1) * sizeof *e);
        if (st == KV_OK && !e)
            st = err_nomem(c->err);
        for (size_t k = 0; k < n && st == KV_OK; k++) {
            char path[300];
            snprintf(path, sizeof path, "requestItems.%s.member.%zu.member", name, k + 1);
            st = read_write_request(c, json_array_get(list, k), v, path, &e[k]);
        }
        if (st != KV_OK)
            return st;
        bad_length = bad_length || n < 1 || n > 25;
        t[i++] = (struct batch_write_table){name, e, n};
    }
    if (bad_length)
        list_constraint(v, items);
    r->tables = t;
    r->n_tables = i;
    return KV_OK;
}

static kv_status
respond_write(struct op_ctx *c, json_t *items, int return_cc, bool icm,
              const struct batch_write_resp *out, json_t **resp)
{
    json_t *unprocessed = json_object();
    json_t *cc = return_cc != RETURN_CC_NONE ? json_array() : NULL;
    const char *name;
    json_t *list;
    size_t i = 0;
    json_t *metrics = icm ? json_object() : NULL;
    *resp = json_object();
    if (!*resp || json_object_set_new(*resp, "UnprocessedItems", unprocessed) ||
        (cc && json_object_set_new(*resp, "ConsumedCapacity", cc)) ||
        (icm && json_object_set_new(*resp, "ItemCollectionMetrics", metrics)))
        return err_nomem(c->err);
    json_object_foreach(items, name, list)
    {
        const struct batch_write_table_resp *tr = &out->tables[i++];
        if (metrics && tr->n_collections) {
            json_t *per = json_array();
            if (!per || json_object_set_new(metrics, name, per))
                return err_nomem(c->err);
            for (size_t k = 0; k < tr->n_collections; k++)
                if (json_array_append_new(per, req_collection_json(&tr->collections[k])))
                    return err_nomem(c->err);
        }
        if (cc && json_array_append_new(cc, req_consumed_json(name, &tr->consumed, return_cc)))
            return err_nomem(c->err);
        if (!tr->n_unprocessed)
            continue;
        json_t *left = json_array();
        if (!left || json_object_set_new(unprocessed, name, left))
            return err_nomem(c->err);
        for (size_t k = 0; k < tr->n_unprocessed; k++)
            if (json_array_append(left, json_array_get(list, tr->unprocessed[k])))
                return err_nomem(c->err);
    }
    return KV_OK;
}

kv_status
req_batch_write_item(struct op_ctx *c, json_t *req, json_t **resp)
{
    struct batch_write_req r;
    struct batch_write_resp out;
    struct vlist v;
    int return_cc = RETURN_CC_NONE, icm = 0;
    json_t *items;
    memset(&r, 0, sizeof r);
    vlist_init(&v);
    kv_status st;
    if ((st = json_get_node(req, "RequestItems", JT_MAP, WRITE_REQUEST_LIST, &items, c->err)) ||
        (st = req_enum(c, req, "ReturnConsumedCapacity", "returnConsumedCapacity",
                       req_return_cc_set, 3, REQ_RETURN_CC_SHOWN, &v, &return_cc)) ||
        (st = req_enum(c, req, "ReturnItemCollectionMetrics", "returnItemCollectionMetrics",
                       req_return_icm_set, 2, REQ_RETURN_ICM_SHOWN, &v, &icm)))
        goto done;
    if (!items)
        vlist_add(&v, NULL, 0, "requestItems", "Member must not be null");
    if ((items && (st = read_write_tables(c, items, &v, &r))) || (st = vlist_finish(&v, c->err)))
        goto done;
    if ((st = op_batch_write(c, &r, &out)) == KV_OK)
        st = respond_write(c, items, return_cc, icm == 1, &out, resp);
done:
    vlist_release(&v);
    return st;
}
