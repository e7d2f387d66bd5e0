/*
 * req_common.c -- see req_common.h.
 */
#include "req_common.h"
#include "arena.h"
#include "err.h"
#include "json_types.h"
#include "ops/ops.h"
#include "validate.h"
#include "value.h"
#include "value_json.h"

#include <stdio.h>
#include <string.h>

const char *const req_return_values_set[] = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW",
                                             "UPDATED_NEW"};
const char *const req_return_cc_set[] = {"NONE", "TOTAL", "INDEXES"};
const char *const req_return_icm_set[] = {"NONE", "SIZE"};

kv_status
req_enum(struct op_ctx *c, json_t *req, const char *field, const char *path,
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
    char what[200];
    snprintf(what, sizeof what, "Member must satisfy enum value set: %s", shown);
    vlist_add(v, s, len, path, what);
    return KV_OK;
}

kv_status
req_table_name(struct op_ctx *c, json_t *req, struct vlist *v, const char **name)
{
    size_t len;
    kv_status st = json_get_string(req, "TableName", name, &len, c->err);
    if (st == KV_OK)
        validate_table_name(v, *name, len, "tableName");
    return st;
}

kv_status
req_attr_map(struct op_ctx *c, json_t *req, const char *field, const char *path, bool required,
             struct vlist *v, struct kv_value **out)
{
    json_t *node;
    kv_status st = json_get_node(req, field, JT_MAP, "AttributeValue", &node, c->err);
    *out = NULL;
    if (st != KV_OK)
        return st;
    if (!node) {
        if (required)
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

kv_status
req_expr_maps(struct op_ctx *c, json_t *req, struct kv_value **names, struct kv_value **values)
{
    json_t *node;
    const char *key;
    json_t *val;
    *names = NULL;
    kv_status st =
        json_get_node(req, "ExpressionAttributeNames", JT_MAP, "java.lang.String", &node, c->err);
    if (st != KV_OK)
        return st;
    if (node) {
        struct kv_value *m = arena_alloc(c->arena, sizeof *m);
        if (!m)
            return err_nomem(c->err);
        value_init(m, KV_M);
        json_object_foreach(node, key, val)
        {
            if (json_is_null(val))
                continue;
            if ((st = json_check_type(val, JT_STRING, NULL, c->err)) != KV_OK)
                return st;
            struct kv_value *slot = value_map_append(c->arena, m, key, strlen(key), true);
            if (!slot || value_set_bytes(c->arena, slot, KV_S, json_string_value(val),
                                         json_string_length(val)))
                return err_nomem(c->err);
        }
        *names = m;
    }
    struct vlist none;
    vlist_init(&none);
    st = req_attr_map(c, req, "ExpressionAttributeValues", "expressionAttributeValues", false,
                      &none, values);
    vlist_release(&none);
    return st;
}

kv_status
req_string(struct op_ctx *c, json_t *req, const char *field, const char **out, size_t *len)
{
    return json_get_string(req, field, out, len, c->err);
}

kv_status
req_refuse(struct op_ctx *c, json_t *req, const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_t *f = json_object_get(req, fields[i]);
        if (f && !json_is_null(f))
            return err_set(c->err, KV_VALIDATION,
                           "The parameter %s is not supported by libkv; use the expression "
                           "parameters instead",
                           fields[i]);
    }
    return KV_OK;
}

json_t *
req_consumed_json(const char *table, const struct consumed *cc, int mode)
{
    uint64_t halves = cc->read + cc->write;
    json_t *o = json_pack("{s:s, s:f}", "TableName", table, "CapacityUnits", halves / 2.0);
    if (o && mode == RETURN_CC_INDEXES)
        json_object_set_new(o, "Table", json_pack("{s:f}", "CapacityUnits", halves / 2.0));
    return o;
}

