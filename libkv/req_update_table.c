/*
 * req_update_table.c -- the JSON face of UpdateTable.
 *
 * Members libkv has no counterpart for (streams, encryption, replicas,
 * table classes, on-demand maxima, warm throughput) are refused by name
 * rather than ignored, so a caller never believes a change was made.
 */
#include "arena.h"
#include "err.h"
#include "json_types.h"
#include "ops/ops.h"
#include "req_schema.h"
#include "req_common.h"
#include "request.h"
#include "validate.h"

#include <stdio.h>
#include <string.h>

static const char *const unsupported[] = {
    "StreamSpecification", "SSESpecification", "ReplicaUpdates",         "TableClass",
    "OnDemandThroughput",  "WarmThroughput",   "MultiRegionConsistency",
};


static kv_status
read_action_name(struct op_ctx *c, json_t *action, struct vlist *v, const char *path,
                 const char **name)
{
    size_t len;
    char p[160];
    kv_status st = json_get_string(action, "IndexName", name, &len, c->err);
    snprintf(p, sizeof p, "%sindexName", path);
    if (st == KV_OK)
        schema_index_name(v, *name, len, p);
    return st;
}

static kv_status
read_gsi_update(struct op_ctx *c, json_t *e, struct vlist *v, size_t pos, struct gsi_update_req *u)
{
    static const char *const members[] = {"Create", "Update", "Delete"};
    static const char *const models[] = {"CreateGlobalSecondaryIndexAction",
                                         "UpdateGlobalSecondaryIndexAction",
                                         "DeleteGlobalSecondaryIndexAction"};
    kv_status st = json_check_type(e, JT_ELEMENT, "GlobalSecondaryIndexUpdate", c->err);
    if (st != KV_OK)
        return st;
    u->name = "";
    for (int m = 0; m < 3; m++) {
        json_t *action;
        char path[128];
        if ((st = json_get_node(e, members[m], JT_FIELD, models[m], &action, c->err)) != KV_OK)
            return st;
        if (!action)
            continue;
        u->n_actions++;
        u->action = GSI_CREATE + m;
        snprintf(path, sizeof path, "globalSecondaryIndexUpdates.%zu.member.%c%s.", pos + 1,
                 members[m][0] - 'A' + 'a', members[m] + 1);
        if ((st = read_action_name(c, action, v, path, &u->name)) != KV_OK)
            return st;
        if (!u->name)
            u->name = "";
        if (m == 0) {
            u->create.name = u->name;
            if ((st = schema_key_schema(c, action, v, path, &u->create.keys, &u->create.n_keys)) ||
                (st = schema_projection(c, action, v, path, &u->create)) ||
                (st = schema_throughput(c, action, v, path, &u->create.has_throughput,
                                        &u->create.rcu, &u->create.wcu)))
                return st;
        } else if (m == 1) {
            char p[160];
            if ((st = schema_throughput(c, action, v, path, &u->has_throughput, &u->rcu,
                                        &u->wcu)) != KV_OK)
                return st;
            snprintf(p, sizeof p, "%sprovisionedThroughput", path);
            if (!u->has_throughput)
                vlist_add(v, NULL, 0, p, "Member must not be null");
        }
    }
    return KV_OK;
}

static kv_status
read_gsi_updates(struct op_ctx *c, json_t *req, struct vlist *v, struct update_table_req *r)
{
    json_t *list;
    kv_status st = json_get_node(req, "GlobalSecondaryIndexUpdates", JT_LIST, NULL, &list, c->err);
    if (st != KV_OK || !list)
        return st;
    r->gsi_given = true;
    r->n_gsi = json_array_size(list);
    if (!(r->gsi = arena_calloc(c->arena, (r->n_gsi + 1) * sizeof *r->gsi)))
        return err_nomem(c->err);
    for (size_t i = 0; i < r->n_gsi && st == KV_OK; i++)
        st = read_gsi_update(c, json_array_get(list, i), v, i, &r->gsi[i]);
    return st;
}

kv_status
req_update_table(struct op_ctx *c, json_t *req, json_t **resp)
{
    static const char *const billing[] = {"PROVISIONED", "PAY_PER_REQUEST"};
    struct update_table_req r;
    struct vlist v;
    memset(&r, 0, sizeof r);
    vlist_init(&v);
    size_t name_len, bm_len;
    const char *bm;
    bool dp, dp_given;
    kv_status st;
    if ((st = json_get_string(req, "TableName", &r.name, &name_len, c->err)) ||
        (st = json_get_string(req, "BillingMode", &bm, &bm_len, c->err)) ||
        (st = schema_attr_defs(c, req, &v, false, &r.attrs, &r.n_attrs, &r.attrs_given)))
        goto done;
    int k =
        schema_enum(&v, bm, bm_len, "billingMode", billing, 2, "[PROVISIONED, PAY_PER_REQUEST]");
    r.billing = k >= 0 ? k : -1;
    if ((st = schema_throughput(c, req, &v, "", &r.has_throughput, &r.rcu, &r.wcu)) ||
        (st = read_gsi_updates(c, req, &v, &r)) ||
        (st = json_get_bool(req, "DeletionProtectionEnabled", &dp, &dp_given, c->err)) ||
        (st = validate_control_table_name(r.name, name_len, c->err)) ||
        (st = vlist_finish(&v, c->err)) ||
        (st = req_refuse_unsupported(c, req, unsupported,
                                     sizeof unsupported / sizeof *unsupported)))
        goto done;
    r.deletion_protection = dp_given ? dp : -1;
    struct table_desc d;
    if ((st = op_update_table(c, &r, &d)) == KV_OK)
        st = req_respond_description(c, "TableDescription", &d, resp);
done:
    vlist_release(&v);
    return st;
}
