/*
 * req_tables.c -- the JSON face of CreateTable, DescribeTable, DeleteTable
 * and ListTables.
 *
 * Each handler first reads every field with DynamoDB's type checks
 * (SerializationException), then applies the field constraints in
 * DynamoDB's order, collecting them into one "N validation errors
 * detected" message, and only then calls the operation, which makes the
 * checks that need more than one field.
 */
#include "arena.h"
#include "err.h"
#include "json_table.h"
#include "json_types.h"
#include "ops/ops.h"
#include "request.h"
#include "validate.h"
#include "value.h"

#include <stdio.h>
#include <string.h>

/* An enum field: its index in `values`, or -1 (constraint added) if absent
 * from the set; -2 when the field is absent. */
static int
check_enum(struct vlist *v, const char *s, size_t len, const char *path,
           const char *const *values, size_t n, const char *shown)
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

static void
check_min(struct vlist *v, int64_t value, bool present, int64_t min, const char *path)
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

/* --- reading the structures of CreateTable --------------------------------------- */

static kv_status
read_throughput(struct op_ctx *c, json_t *obj, struct vlist *v, const char *path,
                bool *given, int64_t *rcu, int64_t *wcu)
{
    json_t *pt;
    kv_status st = json_get_node(obj, "ProvisionedThroughput", JT_FIELD, "ProvisionedThroughput", &pt,
                                 c->err);
    *given = pt != NULL;
    if (st != KV_OK || !pt)
        return st;
    bool has_r, has_w;
    char p[128];
    if ((st = json_get_number(pt, "WriteCapacityUnits", JT_LONG, wcu, &has_w, c->err)) ||
        (st = json_get_number(pt, "ReadCapacityUnits", JT_LONG, rcu, &has_r, c->err)))
        return st;
    snprintf(p, sizeof p, "%sprovisionedThroughput.writeCapacityUnits", path);
    check_min(v, *wcu, has_w, 1, p);
    snprintf(p, sizeof p, "%sprovisionedThroughput.readCapacityUnits", path);
    check_min(v, *rcu, has_r, 1, p);
    return KV_OK;
}

static kv_status
read_key_schema(struct op_ctx *c, json_t *obj, struct vlist *v, const char *path,
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
        size_t tlen;
        if ((st = json_check_type(e, JT_ELEMENT, "KeySchemaElement", c->err)) ||
            (st = json_get_string(e, "AttributeName", &(*out)[i].name, NULL, c->err)) ||
            (st = json_get_string(e, "KeyType", &type, &tlen, c->err)))
            return st;
        snprintf(p, sizeof p, "%skeySchema.%zu.member.attributeName", path, i + 1);
        if (!(*out)[i].name)
            vlist_add(v, NULL, 0, p, "Member must not be null");
        snprintf(p, sizeof p, "%skeySchema.%zu.member.keyType", path, i + 1);
        if (!type)
            vlist_add(v, NULL, 0, p, "Member must not be null");
        int k = check_enum(v, type, tlen, p, types, 2, "[HASH, RANGE]");
        (*out)[i].key_type = k >= 0 ? k + 1 : 0;
    }
    snprintf(p, sizeof p, "%skeySchema", path);
    if (*n < 1)
        vlist_add(v, "[]", 2, p, "Member must have length greater than or equal to 1");
    if (*n > 2)
        vlist_add(v, "[...]", 5, p, "Member must have length less than or equal to 2");
    if (*n < 1)
        *out = NULL;
    return KV_OK;
}

static kv_status
read_projection(struct op_ctx *c, json_t *obj, struct vlist *v, const char *path,
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
    int k = check_enum(v, type, tlen, p, types, 3, "[ALL, INCLUDE, KEYS_ONLY]");
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
    }
    snprintf(p, sizeof p, "%sprojection.nonKeyAttributes", path);
    if (nk && ix->n_non_key < 1)
        vlist_add(v, "[]", 2, p, "Member must have length greater than or equal to 1");
    return KV_OK;
}

static kv_status
read_indexes(struct op_ctx *c, json_t *req, const char *field, bool global, struct vlist *v,
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
        if ((st = json_check_type(e, JT_ELEMENT,
                                  global ? "GlobalSecondaryIndex" : "LocalSecondaryIndex",
                                  c->err)) ||
            (st = json_get_string(e, "IndexName", &ix->name, &len, c->err)))
            return st;
        snprintf(p, sizeof p, "%sindexName", path);
        if (!ix->name)
            vlist_add(v, NULL, 0, p, "Member must not be null");
        validate_name_pattern(v, ix->name, len, p);
        if (ix->name && len < 3)
            vlist_add(v, ix->name, len, p, "Member must have length greater than or equal to 3");
        if (ix->name && len > 255)
            vlist_add(v, ix->name, len, p, "Member must have length less than or equal to 255");
        if ((st = read_key_schema(c, e, v, path, &ix->keys, &ix->n_keys)) ||
            (st = read_projection(c, e, v, path, ix)))
            return st;
        if (global && (st = read_throughput(c, e, v, path, &ix->has_throughput, &ix->rcu,
                                            &ix->wcu)))
            return st;
    }
    return KV_OK;
}

static kv_status
read_attr_defs(struct op_ctx *c, json_t *req, struct vlist *v, struct create_table_req *r)
{
    static const char *const types[] = {"B", "N", "S"};
    json_t *list;
    kv_status st = json_get_node(req, "AttributeDefinitions", JT_LIST, NULL, &list, c->err);
    if (st != KV_OK)
        return st;
    if (!list) {
        vlist_add(v, NULL, 0, "attributeDefinitions", "Member must not be null");
        return KV_OK;
    }
    r->n_attrs = json_array_size(list);
    if (!(r->attrs = arena_calloc(c->arena, (r->n_attrs + 1) * sizeof *r->attrs)))
        return err_nomem(c->err);
    for (size_t i = 0; i < r->n_attrs; i++) {
        json_t *e = json_array_get(list, i);
        const char *type;
        size_t tlen;
        char p[96];
        if ((st = json_check_type(e, JT_ELEMENT, "AttributeDefinition", c->err)) ||
            (st = json_get_string(e, "AttributeName", &r->attrs[i].name, NULL, c->err)) ||
            (st = json_get_string(e, "AttributeType", &type, &tlen, c->err)))
            return st;
        snprintf(p, sizeof p, "attributeDefinitions.%zu.member.attributeName", i + 1);
        if (!r->attrs[i].name)
            vlist_add(v, NULL, 0, p, "Member must not be null");
        snprintf(p, sizeof p, "attributeDefinitions.%zu.member.attributeType", i + 1);
        if (!type)
            vlist_add(v, NULL, 0, p, "Member must not be null");
        int k = check_enum(v, type, tlen, p, types, 3, "[B, N, S]");
        static const uint8_t codes[] = {KV_B, KV_N, KV_S};
        r->attrs[i].type = k >= 0 ? codes[k] : 0;
    }
    return KV_OK;
}

static kv_status
respond_description(struct op_ctx *c, const char *member, struct table_desc *d, json_t **resp)
{
    json_t *desc = json_table_description(d);
    table_desc_release(d);
    if (!desc || !(*resp = json_object()) || json_object_set_new(*resp, member, desc))
        return err_nomem(c->err);
    return KV_OK;
}

kv_status
req_create_table(struct op_ctx *c, json_t *req, json_t **resp)
{
    static const char *const billing[] = {"PROVISIONED", "PAY_PER_REQUEST"};
    struct create_table_req r;
    struct vlist v;
    memset(&r, 0, sizeof r);
    vlist_init(&v);
    size_t name_len, bm_len;
    const char *bm;
    kv_status st;
    if ((st = json_get_string(req, "TableName", &r.name, &name_len, c->err)) ||
        (st = json_get_string(req, "BillingMode", &bm, &bm_len, c->err)) ||
        (st = read_attr_defs(c, req, &v, &r)))
        goto done;
    validate_name_pattern(&v, r.name, name_len, "tableName");
    int k = check_enum(&v, bm, bm_len, "billingMode", billing, 2,
                       "[PROVISIONED, PAY_PER_REQUEST]");
    r.billing = k >= 0 ? k : KV_PROVISIONED;
    bool dp_given;
    if ((st = read_throughput(c, req, &v, "", &r.has_throughput, &r.rcu, &r.wcu)) ||
        (st = read_key_schema(c, req, &v, "", &r.keys, &r.n_keys)) ||
        (st = read_indexes(c, req, "LocalSecondaryIndexes", false, &v, &r.lsis, &r.n_lsis,
                           &r.lsis_given)) ||
        (st = read_indexes(c, req, "GlobalSecondaryIndexes", true, &v, &r.gsis, &r.n_gsis,
                           &r.gsis_given)) ||
        (st = json_get_bool(req, "DeletionProtectionEnabled", &r.deletion_protection,
                            &dp_given, c->err)) ||
        (st = validate_table_name_present(r.name, name_len, c->err)) ||
        (st = vlist_finish(&v, c->err)))
        goto done;
    struct table_desc d;
    if ((st = op_create_table(c, &r, &d)) == KV_OK)
        st = respond_description(c, "TableDescription", &d, resp);
done:
    vlist_release(&v);
    return st;
}

static kv_status
read_control_name(struct op_ctx *c, json_t *req, const char **name)
{
    size_t len;
    kv_status st = json_get_string(req, "TableName", name, &len, c->err);
    return st == KV_OK ? validate_control_table_name(*name, len, c->err) : st;
}

kv_status
req_describe_table(struct op_ctx *c, json_t *req, json_t **resp)
{
    const char *name;
    struct table_desc d;
    kv_status st = read_control_name(c, req, &name);
    if (st == KV_OK && (st = op_describe_table(c, name, &d)) == KV_OK)
        st = respond_description(c, "Table", &d, resp);
    return st;
}

kv_status
req_delete_table(struct op_ctx *c, json_t *req, json_t **resp)
{
    const char *name;
    struct table_desc d;
    kv_status st = read_control_name(c, req, &name);
    if (st == KV_OK && (st = op_delete_table(c, name, &d)) == KV_OK)
        st = respond_description(c, "TableDescription", &d, resp);
    return st;
}

kv_status
req_list_tables(struct op_ctx *c, json_t *req, json_t **resp)
{
    int64_t limit;
    bool has_limit;
    const char *start;
    size_t start_len;
    struct vlist v;
    vlist_init(&v);
    kv_status st;
    if ((st = json_get_number(req, "Limit", JT_INTEGER, &limit, &has_limit, c->err)) ||
        (st = json_get_string(req, "ExclusiveStartTableName", &start, &start_len, c->err)))
        goto done;
    if (has_limit && limit < 1) {
        char text[32];
        snprintf(text, sizeof text, "%lld", (long long)limit);
        vlist_add(&v, text, strlen(text), "limit",
                  "Member must have value greater than or equal to 1");
    }
    if (has_limit && limit > 100) {
        char text[32];
        snprintf(text, sizeof text, "%lld", (long long)limit);
        vlist_add(&v, text, strlen(text), "limit",
                  "Member must have value less than or equal to 100");
    }
    if (start) {
        validate_name_pattern(&v, start, start_len, "exclusiveStartTableName");
        if (start_len < 3)
            vlist_add(&v, start, start_len, "exclusiveStartTableName",
                      "Member must have length greater than or equal to 3");
        if (start_len > 255)
            vlist_add(&v, start, start_len, "exclusiveStartTableName",
                      "Member must have length less than or equal to 255");
    }
    if ((st = vlist_finish(&v, c->err)) != KV_OK)
        goto done;
    struct list_tables_resp r;
    if ((st = op_list_tables(c, start, has_limit ? limit : 0, &r)) != KV_OK)
        goto done;
    json_t *names = json_array();
    *resp = json_object();
    if (!names || !*resp) {
        json_decref(names);
        st = err_nomem(c->err);
        goto done;
    }
    for (size_t i = 0; i < r.count; i++)
        json_array_append_new(names, json_string(r.names[i]));
    json_object_set_new(*resp, "TableNames", names);
    if (r.last)
        json_object_set_new(*resp, "LastEvaluatedTableName", json_string(r.last));
done:
    vlist_release(&v);
    return st;
}
