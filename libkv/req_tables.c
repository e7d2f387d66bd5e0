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
#include "req_schema.h"
#include "req_common.h"
#include "request.h"
#include "validate.h"
#include "value.h"

#include <stdio.h>
#include <string.h>

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
    bool attrs_given;
    kv_status st;
    /* A maximum on-demand rate would change when requests throttle, so it
     * is refused rather than ignored, as UpdateTable refuses it. */
    static const char *const unsupported[] = {"OnDemandThroughput"};
    if ((st = json_get_string(req, "TableName", &r.name, &name_len, c->err)) ||
        (st = json_get_string(req, "BillingMode", &bm, &bm_len, c->err)) ||
        (st = schema_attr_defs(c, req, &v, true, &r.attrs, &r.n_attrs, &attrs_given)))
        goto done;
    validate_new_table_name(&v, r.name, name_len);
    int k = schema_enum(&v, bm, bm_len, "billingMode", billing, 2,
                       "[PROVISIONED, PAY_PER_REQUEST]");
    r.billing = k >= 0 ? k : KV_PROVISIONED;
    bool dp_given;
    if ((st = schema_throughput(c, req, &v, "", &r.has_throughput, &r.rcu, &r.wcu)) ||
        (st = schema_key_schema(c, req, &v, "", &r.keys, &r.n_keys)) ||
        (st = schema_indexes(c, req, "LocalSecondaryIndexes", false, &v, &r.lsis, &r.n_lsis,
                           &r.lsis_given)) ||
        (st = schema_indexes(c, req, "GlobalSecondaryIndexes", true, &v, &r.gsis, &r.n_gsis,
                           &r.gsis_given)) ||
        (st = json_get_bool(req, "DeletionProtectionEnabled", &r.deletion_protection,
                            &dp_given, c->err)) ||
        (st = validate_table_name_present(r.name, c->err)) ||
        (st = vlist_finish(&v, c->err)) || (st = req_refuse_unsupported(c, req, unsupported, 1)))
        goto done;
    struct table_desc d;
    if ((st = op_create_table(c, &r, &d)) == KV_OK)
        st = req_respond_description(c, "TableDescription", &d, resp);
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
        st = req_respond_description(c, "Table", &d, resp);
    return st;
}

kv_status
req_delete_table(struct op_ctx *c, json_t *req, json_t **resp)
{
    const char *name;
    struct table_desc d;
    kv_status st = read_control_name(c, req, &name);
    if (st == KV_OK && (st = op_delete_table(c, name, &d)) == KV_OK)
        st = req_respond_description(c, "TableDescription", &d, resp);
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
