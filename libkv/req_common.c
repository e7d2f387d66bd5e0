/*
 * req_common.c -- see req_common.h.
 */
#include "req_common.h"
#include "arena.h"
#include "buf.h"
#include "err.h"
#include "json_out.h"
#include "json_types.h"
#include "ops/ops.h"
#include "validate.h"
#include "value.h"
#include "value_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

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

/* Refuse the first present member of fields, "The parameter <p> is not
 * supported by libkv" followed by advice. */
static kv_status
refuse(struct op_ctx *c, json_t *req, const char *const *fields, size_t n, const char *advice)
{
    for (size_t i = 0; i < n; i++) {
        json_t *f = json_object_get(req, fields[i]);
        if (f && !json_is_null(f))
            return err_set(c->err, KV_VALIDATION, "The parameter %s is not supported by libkv%s",
                           fields[i], advice);
    }
    return KV_OK;
}

kv_status
req_refuse(struct op_ctx *c, json_t *req, const char *const *fields, size_t n)
{
    return refuse(c, req, fields, n, "; use the expression parameters instead");
}

kv_status
req_refuse_unsupported(struct op_ctx *c, json_t *req, const char *const *fields, size_t n)
{
    return refuse(c, req, fields, n, "");
}

static size_t
present(json_t *req, const char *const *fields, size_t n, const char **out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *f = json_object_get(req, fields[i]);
        if (f && !json_is_null(f))
            out[k++] = fields[i];
    }
    return k;
}

static void
join(char *dst, size_t cap, const char *const *names, size_t n)
{
    size_t used = 0;
    dst[0] = '\0';
    for (size_t i = 0; i < n && used < cap; i++)
        used += (size_t)snprintf(dst + used, cap - used, "%s%s", i ? ", " : "", names[i]);
}

kv_status
req_legacy(struct op_ctx *c, json_t *req, const char *const *legacy, size_t n_legacy,
           const char *const *exprs, size_t n_exprs)
{
    const char *l[8], *e[8];
    size_t nl = present(req, legacy, n_legacy < 8 ? n_legacy : 8, l);
    size_t ne = present(req, exprs, n_exprs < 8 ? n_exprs : 8, e);
    if (nl == 0)
        return KV_OK;
    if (ne == 0)
        return req_refuse(c, req, legacy, n_legacy);
    char lt[256], et[256];
    join(lt, sizeof lt, l, nl);
    join(et, sizeof et, e, ne);
    return err_set(c->err, KV_VALIDATION,
                   "Can not use both expression and non-expression parameters in the same "
                   "request: Non-expression parameters: {%s} Expression parameters: {%s}",
                   lt, et);
}

kv_status
req_return_on_fail(struct op_ctx *c, json_t *req, struct vlist *v, bool *all_old)
{
    static const char *const set[] = {"NONE", "ALL_OLD"};
    int which = 0;
    kv_status st =
        req_enum(c, req, "ReturnValuesOnConditionCheckFailure",
                 "returnValuesOnConditionCheckFailure", set, 2, "[ALL_OLD, NONE]", v, &which);
    *all_old = which == 1;
    return st;
}

/* {"CapacityUnits": n} and, for transactional operations, the read/write
 * split DynamoDB adds only there: the side the operation used (a
 * transactional write reports WriteCapacityUnits, its replay and
 * TransactGetItems ReadCapacityUnits). */
static json_t *
units_json(uint64_t read, uint64_t write, bool split)
{
    json_t *o = json_pack("{s:f}", "CapacityUnits", (double)(read + write) / 2.0);
    if (o && split && read)
        json_object_set_new(o, "ReadCapacityUnits", json_real((double)read / 2.0));
    if (o && split && write)
        json_object_set_new(o, "WriteCapacityUnits", json_real((double)write / 2.0));
    return o;
}

/* The per-index arms of INDEXES: only indexes the request charged. */
static void
index_arms(json_t *o, const struct consumed *cc, bool global, bool split)
{
    json_t *arms = NULL;
    for (size_t i = 0; i < cc->n_indexes; i++) {
        if (cc->idx[i].global != global || cc->idx[i].read + cc->idx[i].write == 0)
            continue;
        if (!arms)
            arms = json_object();
        json_object_set_new(arms, cc->idx[i].name,
                            units_json(cc->idx[i].read, cc->idx[i].write, split));
    }
    if (arms)
        json_object_set_new(o, global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes", arms);
}

json_t *
req_consumed_json(const char *table, const struct consumed *cc, int mode)
{
    return req_consumed_json_split(table, cc, mode, false);
}

json_t *
req_consumed_json_split(const char *table, const struct consumed *cc, int mode, bool split)
{
    json_t *o = units_json(cc->read, cc->write, split);
    if (!o || json_object_set_new(o, "TableName", json_string(table))) {
        json_decref(o);
        return NULL;
    }
    if (mode == RETURN_CC_INDEXES) {
        json_object_set_new(o, "Table", units_json(cc->table_read, cc->table_write, split));
        index_arms(o, cc, false, split);
        index_arms(o, cc, true, split);
    }
    return o;
}

void
req_echo_attrs(struct buf *b, json_t *map)
{
    const char *name;
    json_t *v;
    bool first = true;
    buf_put_u8(b, '{');
    json_object_foreach(map, name, v)
    {
        char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        char tail[80];
        uint32_t h = text ? (uint32_t)XXH3_64bits(text, strlen(text)) : 0;
        free(text);
        snprintf(tail, sizeof tail, "=com.amazonaws.dynamodb.v20120810.AttributeValue@%x", h);
        if (!first)
            buf_put(b, ", ", 2);
        first = false;
        buf_put(b, name, strlen(name));
        buf_put(b, tail, strlen(tail));
    }
    buf_put_u8(b, '}');
}

/* ItemCollectionMetrics: DynamoDB gives the size as a range in GB that
 * holds it, an estimate one gigabyte wide. */
json_t *
req_collection_json(const struct collection_size *cs)
{
    double low = (double)(cs->bytes >> 30);
    json_t *key = json_object(), *range = json_pack("[f, f]", low, low + 1.0);
    json_t *v = value_to_json(cs->key);
    if (!key || !range || !v || json_object_setn_new(key, cs->key_name, cs->key_name_len, v)) {
        json_decref(key);
        json_decref(range);
        return NULL;
    }
    return json_pack("{s:o, s:o}", "ItemCollectionKey", key, "SizeEstimateRangeGB", range);
}

void
req_write_tree(struct json_out *w, const char *key, json_t *tree)
{
    json_out_key(w, key);
    json_out_json(w, tree);
    json_decref(tree);
}
