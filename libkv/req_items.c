/*
 * req_items.c -- the JSON face of PutItem, GetItem, DeleteItem and
 * UpdateItem.
 *
 * As in req_tables.c: types first (SerializationException), then field
 * constraints in DynamoDB's order as one ValidationException, then the
 * operation.  The legacy parameters (Expected, AttributesToGet,
 * AttributeUpdates, ConditionalOperator) are refused: expressions do all
 * they did.
 */
#include "arena.h"
#include "err.h"
#include "json_out.h"
#include "json_types.h"
#include "ops/ops.h"
#include "req_common.h"
#include "request.h"
#include "validate.h"
#include "value.h"
#include "value_json.h"

#include <stdio.h>
#include <string.h>

static const char *const write_legacy[] = {"Expected", "ConditionalOperator"};
static const char *const write_exprs[] = {"ConditionExpression"};
static const char *const update_legacy[] = {"AttributeUpdates", "Expected", "ConditionalOperator"};
static const char *const update_exprs[] = {"UpdateExpression", "ConditionExpression"};
static const char *const get_legacy[] = {"AttributesToGet"};
static const char *const get_exprs[] = {"ProjectionExpression"};

/* The expression text members and the two maps. */
static kv_status
read_exprs(struct op_ctx *c, json_t *req, struct item_exprs *ex)
{
    struct kv_value *names, *values;
    kv_status st;
    if ((st = req_string(c, req, "UpdateExpression", &ex->update, &ex->update_len)) ||
        (st = req_string(c, req, "ConditionExpression", &ex->condition, &ex->condition_len)) ||
        (st = req_string(c, req, "ProjectionExpression", &ex->projection, &ex->projection_len)) ||
        (st = req_expr_maps(c, req, &names, &values)))
        return st;
    ex->names = names;
    ex->values = values;
    return KV_OK;
}

/* Attributes, ConsumedCapacity and ItemCollectionMetrics of a write's
 * response. */
static kv_status
respond_write(struct op_ctx *c, const char *table, int return_cc, bool return_icm,
              const struct write_resp *w, struct json_out *out)
{
    json_out_object_begin(out);
    if (w->attributes) {
        json_out_key(out, "Attributes");
        item_json_write(out, w->attributes);
    }
    if (return_cc != RETURN_CC_NONE)
        req_write_tree(out, "ConsumedCapacity", req_consumed_json(table, &w->consumed, return_cc));
    if (return_icm && w->collection.present)
        req_write_tree(out, "ItemCollectionMetrics", req_collection_json(&w->collection));
    json_out_object_end(out);
    return json_out_failed(out) ? err_nomem(c->err) : KV_OK;
}

/* The members PutItem, DeleteItem and UpdateItem share after their item or
 * key, in DynamoDB's order. */
static kv_status
read_write_options(struct op_ctx *c, json_t *req, struct vlist *v, int *return_values,
                   bool *return_icm, bool *on_fail)
{
    int icm = 0;
    kv_status st;
    if ((st = req_enum(c, req, "ReturnValues", "returnValues", req_return_values_set, 5,
                       REQ_RETURN_VALUES_SHOWN, v, return_values)) ||
        (st = req_enum(c, req, "ReturnItemCollectionMetrics", "returnItemCollectionMetrics",
                       req_return_icm_set, 2, REQ_RETURN_ICM_SHOWN, v, &icm)) ||
        (st = req_return_on_fail(c, req, v, on_fail)))
        return st;
    *return_icm = icm == 1;
    return KV_OK;
}

kv_status
req_put_item(struct op_ctx *c, json_t *req, struct json_out *out)
{
    struct put_item_req r;
    struct vlist v;
    memset(&r, 0, sizeof r);
    vlist_init(&v);
    r.out = c->arena;
    struct kv_value *item;
    kv_status st;
    if ((st = req_enum(c, req, "ReturnConsumedCapacity", "returnConsumedCapacity",
                       req_return_cc_set, 3, REQ_RETURN_CC_SHOWN, &v, &r.return_cc)) ||
        (st = req_table_name(c, req, &v, &r.table)) ||
        (st = req_attr_map(c, req, "Item", "item", true, &v, &item)) ||
        (st = read_write_options(c, req, &v, &r.return_values, &r.return_icm,
                                 &r.return_old_on_fail)) ||
        (st = read_exprs(c, req, &r.ex)) || (st = vlist_finish(&v, c->err)) ||
        (st = req_legacy(c, req, write_legacy, 2, write_exprs, 1)))
        goto done;
    r.item = item;
    struct write_resp w;
    if ((st = op_put_item(c, &r, &w)) == KV_OK)
        st = respond_write(c, r.table, r.return_cc, r.return_icm, &w, out);
done:
    vlist_release(&v);
    return st;
}

/* DeleteItem and UpdateItem: the same members around a Key. */
static kv_status
read_key_write(struct op_ctx *c, json_t *req, struct vlist *v, struct key_req *r)
{
    struct kv_value *key;
    kv_status st;
    r->out = c->arena;
    if ((st = req_enum(c, req, "ReturnConsumedCapacity", "returnConsumedCapacity",
                       req_return_cc_set, 3, REQ_RETURN_CC_SHOWN, v, &r->return_cc)) ||
        (st = req_table_name(c, req, v, &r->table)) ||
        (st = req_attr_map(c, req, "Key", "key", true, v, &key)) ||
        (st = read_write_options(c, req, v, &r->return_values, &r->return_icm,
                                 &r->return_old_on_fail)) ||
        (st = read_exprs(c, req, &r->ex)))
        return st;
    r->key = key;
    return KV_OK;
}

kv_status
req_delete_item(struct op_ctx *c, json_t *req, struct json_out *out)
{
    struct key_req r;
    struct vlist v;
    memset(&r, 0, sizeof r);
    vlist_init(&v);
    kv_status st;
    if ((st = read_key_write(c, req, &v, &r)) || (st = vlist_finish(&v, c->err)) ||
        (st = req_legacy(c, req, write_legacy, 2, write_exprs, 1)))
        goto done;
    struct write_resp w;
    if ((st = op_delete_item(c, &r, &w)) == KV_OK)
        st = respond_write(c, r.table, r.return_cc, r.return_icm, &w, out);
done:
    vlist_release(&v);
    return st;
}

kv_status
req_update_item(struct op_ctx *c, json_t *req, struct json_out *out)
{
    struct key_req r;
    struct vlist v;
    memset(&r, 0, sizeof r);
    vlist_init(&v);
    kv_status st;
    if ((st = read_key_write(c, req, &v, &r)) || (st = vlist_finish(&v, c->err)) ||
        (st = req_legacy(c, req, update_legacy, 3, update_exprs, 2)))
        goto done;
    struct write_resp w;
    if ((st = op_update_item(c, &r, &w)) == KV_OK)
        st = respond_write(c, r.table, r.return_cc, r.return_icm, &w, out);
done:
    vlist_release(&v);
    return st;
}

kv_status
req_get_item(struct op_ctx *c, json_t *req, struct json_out *out)
{
    struct key_req r;
    struct vlist v;
    memset(&r, 0, sizeof r);
    vlist_init(&v);
    r.out = c->arena;
    struct kv_value *key;
    bool consistent_given;
    kv_status st;
    if ((st = req_enum(c, req, "ReturnConsumedCapacity", "returnConsumedCapacity",
                       req_return_cc_set, 3, REQ_RETURN_CC_SHOWN, &v, &r.return_cc)) ||
        (st = req_table_name(c, req, &v, &r.table)) ||
        (st = req_attr_map(c, req, "Key", "key", true, &v, &key)) ||
        (st = json_get_bool(req, "ConsistentRead", &r.consistent, &consistent_given, c->err)) ||
        (st = read_exprs(c, req, &r.ex)) || (st = vlist_finish(&v, c->err)) ||
        (st = req_legacy(c, req, get_legacy, 1, get_exprs, 1)))
        goto done;
    r.key = key;
    struct get_resp g;
    if ((st = op_get_item(c, &r, &g)) != KV_OK)
        goto done;
    json_out_object_begin(out);
    if (g.item) {
        json_out_key(out, "Item");
        item_json_write(out, g.item);
    }
    if (r.return_cc != RETURN_CC_NONE)
        req_write_tree(out, "ConsumedCapacity",
                       req_consumed_json(r.table, &g.consumed, r.return_cc));
    json_out_object_end(out);
    if (json_out_failed(out))
        st = err_nomem(c->err);
done:
    vlist_release(&v);
    return st;
}
