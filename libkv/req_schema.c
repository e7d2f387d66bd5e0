/*
 * req_schema.c -- reading the structures that describe a table's schema
 * (attribute definitions, key schemas, projections, throughput, index
 * lists) from CreateTable and UpdateTable requests, with DynamoDB's type
 * checks and field constraints; see req_schema.h.
 */
#include "req_schema.h"
#include "arena.h"
#include "err.h"
#include "json_table.h"
#include "json_types.h"
#include "req_common.h"
#include "validate.h"
#include "value.h"

#include <stdio.h>
#include <string.h>

int
schema_enum(struct vlist *v, const char *s, size_t len, const char *path, const char *const *values,
            size_t n, const char *shown)
{
    if (!s)
        return -2;
    for (size_t i = 0; i < n; i++)
        if (strlen(values[i]) == len && memcmp(values[i], s, len) == 0)
            return (int)i;
    char what[160];
    snprintf(what, sizeof what, "Member must satisfy enum value set: %s", shown);
    vlist_add(v, s, len, path, what);
    return -1;
}

void
schema_min(struct vlist *v, int64_t value, bool present, int64_t min, const char *path)
{
    char text[32], what[96];
    if (!present) {
        vlist_add(v, NULL, 0, path, "Member must not be null");
        return;
    }
    if (value >= min)
        return;
    snprintf(text, sizeof text, "%lld", (long long)value);
    snprintf(what, sizeof what, "Member must have value greater than or equal to %lld",
             (long long)min);
    vlist_add(v, text, strlen(text), path, what);
}

kv_status
schema_throughput(struct op_ctx *c, json_t *obj, struct vlist *v, const char *path, bool *given,
                  int64_t *rcu, int64_t *wcu)
{
    json_t *pt;
    kv_status st =
        json_get_node(obj, "ProvisionedThroughput", JT_FIELD, "ProvisionedThroughput", &pt, c->err);
    *given = pt != NULL;
    if (st != KV_OK || !pt)
        return st;
    bool has_r, has_w;
    char p[128];
    if ((st = json_get_number(pt, "WriteCapacityUnits", JT_LONG, wcu, &has_w, c->err)) ||
        (st = json_get_number(pt, "ReadCapacityUnits", JT_LONG, rcu, &has_r, c->err)))
        return st;
    snprintf(p, sizeof p, "%sprovisionedThroughput.writeCapacityUnits", path);
    schema_min(v, *wcu, has_w, 1, p);
    snprintf(p, sizeof p, "%sprovisionedThroughput.readCapacityUnits", path);
    schema_min(v, *rcu, has_r, 1, p);
    return KV_OK;
}

/* Names in schemas are kept as C strings in the catalog, so one holding
 * JSON's \u0000 is refused (DynamoDB itself would take it). */
#define NUL_IN_SCHEMA "Member must not contain the NUL character"

/* A key schema as DynamoDB echoes it in constraint messages (Java's toString). */
static void
render_key_schema(json_t *ks, char *out, size_t cap)
{
    size_t used = (size_t)snprintf(out, cap, "[");
    for (size_t i = 0; i < json_array_size(ks) && used < cap; i++) {
        json_t *e = json_array_get(ks, i);
        const char *name = json_string_value(json_object_get(e, "AttributeName"));
        const char *type = json_string_value(json_object_get(e, "KeyType"));
        used += (size_t)snprintf(out + used, cap - used,
                                 "%sKeySchemaElement(attributeName=%s, keyType=%s)", i ? ", " : "",
                                 name ? name : "null", type ? type : "null");
    }
    if (used < cap)
        snprintf(out + used, cap - used, "]");
}

kv_status
schema_key_schema(struct op_ctx *c, json_t *obj, struct vlist *v, const char *path,
                  struct key_elem **out, size_t *n)
{
    static const char *const types[] = {"HASH", "RANGE"};
    json_t *ks;
    char p[160];
    kv_status st = json_get_node(obj, "KeySchema", JT_LIST, NULL, &ks, c->err);
    *out = NULL;
    *n = 0;
    if (st != KV_OK)
        return st;
    snprintf(p, sizeof p, "%skeySchema", path);
    if (!ks) {
        vlist_add(v, NULL, 0, p, "Member must not be null");
        return KV_OK;
    }
    *n = json_array_size(ks);
    if (!(*out = arena_calloc(c->arena, (*n + 1) * sizeof **out)))
        return err_nomem(c->err);
    for (size_t i = 0; i < *n; i++) {
        json_t *e = json_array_get(ks, i);
        const char *type;
        size_t tlen, nlen;
        if ((st = json_check_type(e, JT_ELEMENT, "KeySchemaElement", c->err)) ||
            (st = json_get_string(e, "AttributeName", &(*out)[i].name, &nlen, c->err)) ||
            (st = json_get_string(e, "KeyType", &type, &tlen, c->err)))
            return st;
        snprintf(p, sizeof p, "%skeySchema.%zu.member.attributeName", path, i + 1);
        if (!(*out)[i].name)
            vlist_add(v, NULL, 0, p, "Member must not be null");
        else if (strlen((*out)[i].name) != nlen)
            vlist_add(v, (*out)[i].name, nlen, p, NUL_IN_SCHEMA);
        snprintf(p, sizeof p, "%skeySchema.%zu.member.keyType", path, i + 1);
        if (!type)
            vlist_add(v, NULL, 0, p, "Member must not be null");
        int k = schema_enum(v, type, tlen, p, types, 2, "[HASH, RANGE]");
        (*out)[i].key_type = k >= 0 ? k + 1 : 0;
    }
    snprintf(p, sizeof p, "%skeySchema", path);
    if (*n < 1)
        vlist_add(v, "[]", 2, p, "Member must have length greater than or equal to 1");
    if (*n > 2) {
        char shown[1024];
        render_key_schema(ks, shown, sizeof shown);
        vlist_add(v, shown, strlen(shown), p, "Member must have length less than or equal to 2");
    }
    if (*n < 1)
        *out = NULL;
    return KV_OK;
}

kv_status
schema_projection(struct op_ctx *c, json_t *obj, struct vlist *v, const char *path,
                  struct index_req *ix)
{
    static const char *const types[] = {"ALL", "KEYS_ONLY", "INCLUDE"};
    json_t *pr, *nk;
    char p[160];
    snprintf(p, sizeof p, "%sprojection", path);
    kv_status st = json_get_node(obj, "Projection", JT_FIELD, "Projection", &pr, c->err);
    ix->projection = -1;
    if (st != KV_OK)
        return st;
    if (!pr) {
        vlist_add(v, NULL, 0, p, "Member must not be null");
        return KV_OK;
    }
    const char *type;
    size_t tlen;
    if ((st = json_get_string(pr, "ProjectionType", &type, &tlen, c->err)) ||
        (st = json_get_node(pr, "NonKeyAttributes", JT_LIST, NULL, &nk, c->err)))
        return st;
    snprintf(p, sizeof p, "%sprojection.projectionType", path);
    int k = schema_enum(v, type, tlen, p, types, 3, "[ALL, INCLUDE, KEYS_ONLY]");
    ix->projection = k >= 0 ? k : -1;
    ix->non_key_given = nk != NULL;
    ix->n_non_key = nk ? json_array_size(nk) : 0;
    if (!(ix->non_key = arena_calloc(c->arena, (ix->n_non_key + 1) * sizeof *ix->non_key)))
        return err_nomem(c->err);
    for (size_t i = 0; i < ix->n_non_key; i++) {
        json_t *s = json_array_get(nk, i);
        if ((st = json_check_type(s, JT_STRING, NULL, c->err)) != KV_OK)
            return st;
        ix->non_key[i] = json_string_value(s);
        if (strlen(ix->non_key[i]) != json_string_length(s)) {
            snprintf(p, sizeof p, "%sprojection.nonKeyAttributes.%zu.member", path, i + 1);
            vlist_add(v, ix->non_key[i], json_string_length(s), p, NUL_IN_SCHEMA);
        }
    }
    snprintf(p, sizeof p, "%sprojection.nonKeyAttributes", path);
    if (nk && ix->n_non_key < 1)
        vlist_add(v, "[]", 2, p, "Member must have length greater than or equal to 1");
    return KV_OK;
}

void
schema_index_name(struct vlist *v, const char *name, size_t len, const char *path)
{
    if (!name)
        vlist_add(v, NULL, 0, path, "Member must not be null");
    validate_name_pattern(v, name, len, path);
    if (name && len < 3)
        vlist_add(v, name, len, path, "Member must have length greater than or equal to 3");
    if (name && len > 255)
        vlist_add(v, name, len, path, "Member must have length less than or equal to 255");
}

kv_status
schema_indexes(struct op_ctx *c, json_t *req, const char *field, bool global, struct vlist *v,
               struct index_req **out, size_t *n, bool *given)
{
    json_t *list;
    kv_status st = json_get_node(req, field, JT_LIST, NULL, &list, c->err);
    *given = list != NULL;
    *n = list ? json_array_size(list) : 0;
    *out = NULL;
    if (st != KV_OK || !list)
        return st;
    if (!(*out = arena_calloc(c->arena, (*n + 1) * sizeof **out)))
        return err_nomem(c->err);
    for (size_t i = 0; i < *n; i++) {
        json_t *e = json_array_get(list, i);
        struct index_req *ix = &(*out)[i];
        char path[96], p[160];
        size_t len;
        snprintf(path, sizeof path, "%s%s.%zu.member.", global ? "g" : "l", field + 1, i + 1);
        if ((st = json_check_type(
                 e, JT_ELEMENT, global ? "GlobalSecondaryIndex" : "LocalSecondaryIndex", c->err)) ||
            (st = json_get_string(e, "IndexName", &ix->name, &len, c->err)))
            return st;
        snprintf(p, sizeof p, "%sindexName", path);
        schema_index_name(v, ix->name, len, p);
        if ((st = schema_key_schema(c, e, v, path, &ix->keys, &ix->n_keys)) ||
            (st = schema_projection(c, e, v, path, ix)))
            return st;
        static const char *const unsupported[] = {"OnDemandThroughput"};
        if (global &&
            ((st = schema_throughput(c, e, v, path, &ix->has_throughput, &ix->rcu, &ix->wcu)) ||
             (st = req_refuse_unsupported(c, e, unsupported, 1))))
            return st;
    }
    return KV_OK;
}

kv_status
schema_attr_defs(struct op_ctx *c, json_t *req, struct vlist *v, bool required,
                 struct attr_def **attrs, size_t *n_attrs, bool *given)
{
    static const char *const types[] = {"B", "N", "S"};
    json_t *list;
    kv_status st = json_get_node(req, "AttributeDefinitions", JT_LIST, NULL, &list, c->err);
    if (st != KV_OK)
        return st;
    *given = list != NULL;
    *n_attrs = list ? json_array_size(list) : 0;
    if (!list) {
        if (required)
            vlist_add(v, NULL, 0, "attributeDefinitions", "Member must not be null");
        return KV_OK;
    }
    struct attr_def *a = arena_calloc(c->arena, (*n_attrs + 1) * sizeof *a);
    if (!(*attrs = a))
        return err_nomem(c->err);
    for (size_t i = 0; i < *n_attrs; i++) {
        json_t *e = json_array_get(list, i);
        const char *type;
        size_t tlen, nlen;
        char p[96];
        if ((st = json_check_type(e, JT_ELEMENT, "AttributeDefinition", c->err)) ||
            (st = json_get_string(e, "AttributeName", &a[i].name, &nlen, c->err)) ||
            (st = json_get_string(e, "AttributeType", &type, &tlen, c->err)))
            return st;
        snprintf(p, sizeof p, "attributeDefinitions.%zu.member.attributeName", i + 1);
        if (!a[i].name)
            vlist_add(v, NULL, 0, p, "Member must not be null");
        else if (strlen(a[i].name) != nlen)
            vlist_add(v, a[i].name, nlen, p, NUL_IN_SCHEMA);
        snprintf(p, sizeof p, "attributeDefinitions.%zu.member.attributeType", i + 1);
        if (!type)
            vlist_add(v, NULL, 0, p, "Member must not be null");
        int k = schema_enum(v, type, tlen, p, types, 3, "[B, N, S]");
        static const uint8_t codes[] = {KV_B, KV_N, KV_S};
        a[i].type = k >= 0 ? codes[k] : 0;
    }
    return KV_OK;
}

kv_status
req_respond_description(struct op_ctx *c, const char *member, struct table_desc *d, json_t **resp)
{
    json_t *desc = json_table_description(d);
    table_desc_release(d);
    if (!desc || !(*resp = json_object()) || json_object_set_new(*resp, member, desc))
        return err_nomem(c->err);
    return KV_OK;
}
