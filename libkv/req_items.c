/*
 * req_items.c -- the JSON face of PutItem, GetItem and DeleteItem.
 *
 * As in req_tables.c: types first (SerializationException), then field
 * constraints in DynamoDB's order as one ValidationException, then the
 * operation.
 */
#include "arena.h"
#include "err.h"
#include "json_types.h"
#include "ops/ops.h"
#include "request.h"
#include "validate.h"
#include "value.h"
#include "value_json.h"

#include <stdio.h>
#include <string.h>

static const char *const return_values_set[] = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW",
                                                "UPDATED_NEW"};
#define RETURN_VALUES_SHOWN "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
static const char *const return_cc_set[] = {"NONE", "TOTAL", "INDEXES"};
#define RETURN_CC_SHOWN "[INDEXES, TOTAL, NONE]"
static const char *const return_icm_set[] = {"NONE", "SIZE"};
#define RETURN_ICM_SHOWN "[SIZE, NONE]"

/* Read an optional enum field; *out keeps its default when absent. */
static kv_status
read_enum(struct op_ctx *c, json_t *req, const char *field, const char *path,
          const char *const *values, size_t n, const char *shown, struct vlist *v, int *out)
{
    const char *s;
    size_t len;
    kv_status st = json_get_string(req, field, &s, &len, c->err);
    if (st != KV_OK || !s)
        return st;
    for (size_t i = 0; i < n; i++)
        if (strlen(values[i]) == len && memcmp(values[i], s, len) == 0) {
            *out = (int)i;
            return KV_OK;
        }
    char what[160];
    snprintf(what, sizeof what, "Member must satisfy enum value set: %s", shown);
    vlist_add(v, s, len, path, what);
    return KV_OK;
}

/* TableName of a data-plane operation: a constraint, not a required field. */
static kv_status
read_table_name(struct op_ctx *c, json_t *req, struct vlist *v, const char **name)
{
    size_t len;
    kv_status st = json_get_string(req, "TableName", name, &len, c->err);
    if (st == KV_OK)
        validate_table_name(v, *name, len, "tableName");
    return st;
}

/* A map of AttributeValues (Item or Key), decoded into the request arena. */
static kv_status
read_attr_map(struct op_ctx *c, json_t *req, const char *field, const char *path,
              struct vlist *v, struct kv_value **out)
{
    json_t *node;
    kv_status st = json_get_node(req, field, JT_MAP, &node, c->err);
    *out = NULL;
    if (st != KV_OK)
        return st;
    if (!node) {
        vlist_add(v, NULL, 0, path, "Member must not be null");
        return KV_OK;
    }
    struct kv_value *m = arena_alloc(c->arena, sizeof *m);
    if (!m)
        return err_nomem(c->err);
    if ((st = item_from_json(c->arena, node, m, c->err)) == KV_OK)
        *out = m;
    return st;
}

/*
 * Parameters of later features are refused plainly rather than ignored, so
 * a request never silently means less than it says.
 */
static kv_status
refuse_unsupported(struct op_ctx *c, json_t *req, const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_t *f = json_object_get(req, fields[i]);
        if (f && !json_is_null(f))
            return err_set(c->err, KV_VALIDATION, "The parameter %s is not supported by libkv",
                           fields[i]);
    }
    return KV_OK;
}

static const char *const write_unsupported[] = {
    "ConditionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues",
    "Expected", "ConditionalOperator",
};

static json_t *
consumed_json(const char *table, const struct consumed *cc, int mode)
{
    uint64_t halves = cc->read + cc->write;
    json_t *o = json_pack("{s:s, s:f}", "TableName", table, "CapacityUnits", halves / 2.0);
    if (o && mode == RETURN_CC_INDEXES)
        json_object_set_new(o, "Table", json_pack("{s:f}", "CapacityUnits", halves / 2.0));
    return o;
}

/* Attributes and ConsumedCapacity of a write's response. */
static kv_status
respond_write(struct op_ctx *c, const char *table, int return_cc, const struct write_resp *w,
              json_t **resp)
{
    if (!(*resp = json_object()))
        return err_nomem(c->err);
    if (w->attributes) {
        json_t *attrs = item_to_json(w->attributes);
        if (!attrs || json_object_set_new(*resp, "Attributes", attrs))
            return err_nomem(c->err);
    }
    if (return_cc != RETURN_CC_NONE) {
        json_t *cc = consumed_json(table, &w->consumed, return_cc);
        if (!cc || json_object_set_new(*resp, "ConsumedCapacity", cc))
            return err_nomem(c->err);
    }
    return KV_OK;
}

kv_status
req_put_item(struct op_ctx *c, json_t *req, json_t **resp)
{
    struct put_item_req r = {0};
    struct vlist v;
    vlist_init(&v);
    int icm = 0;
    r.out = c->arena;
    struct kv_value *item;
    kv_status st;
    if ((st = read_enum(c, req, "ReturnConsumedCapacity", "returnConsumedCapacity",
                        return_cc_set, 3, RETURN_CC_SHOWN, &v, &r.return_cc)) ||
        (st = read_table_name(c, req, &v, &r.table)) ||
        (st = read_attr_map(c, req, "Item", "item", &v, &item)) ||
        (st = read_enum(c, req, "ReturnValues", "returnValues", return_values_set, 5,
                        RETURN_VALUES_SHOWN, &v, &r.return_values)) ||
        (st = read_enum(c, req, "ReturnItemCollectionMetrics", "returnItemCollectionMetrics",
                        return_icm_set, 2, RETURN_ICM_SHOWN, &v, &icm)) ||
        (st = vlist_finish(&v, c->err)) ||
        (st = refuse_unsupported(c, req, write_unsupported, 5)))
        goto done;
    r.item = item;
    struct write_resp w;
    if ((st = op_put_item(c, &r, &w)) == KV_OK)
        st = respond_write(c, r.table, r.return_cc, &w, resp);
done:
    vlist_release(&v);
    return st;
}

kv_status
req_delete_item(struct op_ctx *c, json_t *req, json_t **resp)
{
    struct key_req r = {0};
    struct vlist v;
    vlist_init(&v);
    int icm = 0;
    r.out = c->arena;
    struct kv_value *key;
    kv_status st;
    if ((st = read_enum(c, req, "ReturnConsumedCapacity", "returnConsumedCapacity",
                        return_cc_set, 3, RETURN_CC_SHOWN, &v, &r.return_cc)) ||
        (st = read_table_name(c, req, &v, &r.table)) ||
        (st = read_attr_map(c, req, "Key", "key", &v, &key)) ||
        (st = read_enum(c, req, "ReturnValues", "returnValues", return_values_set, 5,
                        RETURN_VALUES_SHOWN, &v, &r.return_values)) ||
        (st = read_enum(c, req, "ReturnItemCollectionMetrics", "returnItemCollectionMetrics",
                        return_icm_set, 2, RETURN_ICM_SHOWN, &v, &icm)) ||
        (st = vlist_finish(&v, c->err)) ||
        (st = refuse_unsupported(c, req, write_unsupported, 5)))
        goto done;
    r.key = key;
    struct write_resp w;
    if ((st = op_delete_item(c, &r, &w)) == KV_OK)
        st = respond_write(c, r.table, r.return_cc, &w, resp);
done:
    vlist_release(&v);
    return st;
}

static const char *const get_unsupported[] = {
    "ProjectionExpression", "ExpressionAttributeNames", "AttributesToGet",
};

kv_status
req_get_item(struct op_ctx *c, json_t *req, json_t **resp)
{
    struct key_req r = {0};
    struct vlist v;
    vlist_init(&v);
    r.out = c->arena;
    struct kv_value *key;
    bool consistent_given;
    kv_status st;
    if ((st = read_enum(c, req, "ReturnConsumedCapacity", "returnConsumedCapacity",
                        return_cc_set, 3, RETURN_CC_SHOWN, &v, &r.return_cc)) ||
        (st = read_table_name(c, req, &v, &r.table)) ||
        (st = read_attr_map(c, req, "Key", "key", &v, &key)) ||
        (st = json_get_bool(req, "ConsistentRead", &r.consistent, &consistent_given, c->err)) ||
        (st = vlist_finish(&v, c->err)) || (st = refuse_unsupported(c, req, get_unsupported, 3)))
        goto done;
    r.key = key;
    struct get_resp g;
    if ((st = op_get_item(c, &r, &g)) != KV_OK)
        goto done;
    if (!(*resp = json_object())) {
        st = err_nomem(c->err);
        goto done;
    }
    if (g.item) {
        json_t *item = item_to_json(g.item);
        if (!item || json_object_set_new(*resp, "Item", item)) {
            st = err_nomem(c->err);
            goto done;
        }
    }
    if (r.return_cc != RETURN_CC_NONE) {
        json_t *cc = consumed_json(r.table, &g.consumed, r.return_cc);
        if (!cc || json_object_set_new(*resp, "ConsumedCapacity", cc))
            st = err_nomem(c->err);
    }
done:
    vlist_release(&v);
    return st;
}
