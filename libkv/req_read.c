/*
 * req_read.c -- the JSON face of Query and Scan.
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

#include <string.h>

static const char *const select_set[] = {"", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES",
                                         "SPECIFIC_ATTRIBUTES", "COUNT"};
#define SELECT_SHOWN "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"

/* The legacy (non-expression) parameters, which libkv refuses plainly. */
static const char *const query_legacy[] = {"AttributesToGet", "KeyConditions", "QueryFilter",
                                           "ConditionalOperator"};
static const char *const scan_legacy[] = {"AttributesToGet", "ScanFilter",
                                          "ConditionalOperator"};

static kv_status
read_index_name(struct op_ctx *c, json_t *req, struct vlist *v, const char **name)
{
    size_t len;
    kv_status st = json_get_string(req, "IndexName", name, &len, c->err);
    if (st != KV_OK || !*name)
        return st;
    validate_index_name(v, *name, len);
    return KV_OK;
}

/* Everything Query and Scan read alike, in DynamoDB's field order. */
static kv_status
read_common_fields(struct op_ctx *c, json_t *req, bool query, struct vlist *v,
                   struct read_req *r)
{
    kv_status st;
    bool b;
    struct kv_value *start, *names, *values;
    if ((st = json_get_number(req, "Limit", JT_INTEGER, &r->limit, &r->has_limit, c->err)))
        return st;
    if (r->has_limit)
        validate_read_limit(v, query, r->limit);
    if ((st = req_attr_map(c, req, "ExclusiveStartKey", "exclusiveStartKey", false, v, &start)) ||
        (st = req_enum(c, req, "ReturnConsumedCapacity", "returnConsumedCapacity",
                       req_return_cc_set, 3, REQ_RETURN_CC_SHOWN, v, &r->return_cc)) ||
        (st = req_enum(c, req, "Select", "select", select_set, 5, SELECT_SHOWN, v,
                       &r->select)) ||
        (st = req_table_name(c, req, v, &r->table)) ||
        (st = json_get_bool(req, "ConsistentRead", &r->consistent, &b, c->err)) ||
        (st = read_index_name(c, req, v, &r->index)) ||
        (st = req_string(c, req, "FilterExpression", &r->filter, &r->filter_len)) ||
        (st = req_string(c, req, "ProjectionExpression", &r->projection, &r->projection_len)) ||
        (st = req_expr_maps(c, req, &names, &values)))
        return st;
    r->start_key = start;
    r->names = names;
    r->values = values;
    return KV_OK;
}

/* Items, Count, ScannedCount, LastEvaluatedKey, ConsumedCapacity. */
static kv_status
respond(struct op_ctx *c, const struct read_req *r, const struct read_resp *res,
        struct json_out *out)
{
    json_out_object_begin(out);
    if (r->select != SELECT_COUNT) {
        json_out_key(out, "Items");
        json_out_array_begin(out);
        for (size_t i = 0; i < res->n_items && !json_out_failed(out); i++)
            item_json_write(out, &res->items[i]);
        json_out_array_end(out);
    }
    json_out_key(out, "Count");
    json_out_integer(out, (int64_t)res->count);
    json_out_key(out, "ScannedCount");
    json_out_integer(out, (int64_t)res->scanned);
    if (res->last_key) {
        json_out_key(out, "LastEvaluatedKey");
        item_json_write(out, res->last_key);
    }
    if (r->return_cc != RETURN_CC_NONE)
        req_write_tree(out, "ConsumedCapacity",
                       req_consumed_json(r->table, &res->consumed, r->return_cc));
    json_out_object_end(out);
    return json_out_failed(out) ? err_nomem(c->err) : KV_OK;
}

kv_status
req_query(struct op_ctx *c, json_t *req, struct json_out *out)
{
    struct read_req r;
    struct vlist v;
    memset(&r, 0, sizeof r);
    vlist_init(&v);
    r.out = c->arena;
    bool fwd_given;
    kv_status st;
    if ((st = read_common_fields(c, req, true, &v, &r)) ||
        (st = json_get_bool(req, "ScanIndexForward", &r.forward, &fwd_given, c->err)) ||
        (st = req_string(c, req, "KeyConditionExpression", &r.key_condition,
                         &r.key_condition_len)) ||
        (st = vlist_finish(&v, c->err)) || (st = req_refuse(c, req, query_legacy, 4)))
        goto done;
    if (!fwd_given)
        r.forward = true;
    struct read_resp res;
    if ((st = op_query(c, &r, &res)) == KV_OK)
        st = respond(c, &r, &res, out);
done:
    vlist_release(&v);
    return st;
}

kv_status
req_scan(struct op_ctx *c, json_t *req, struct json_out *out)
{
    struct read_req r;
    struct vlist v;
    memset(&r, 0, sizeof r);
    vlist_init(&v);
    r.out = c->arena;
    r.forward = true;
    kv_status st;
    if ((st = read_common_fields(c, req, false, &v, &r)) ||
        (st = json_get_number(req, "Segment", JT_INTEGER, &r.segment, &r.has_segment, c->err)) ||
        (st = json_get_number(req, "TotalSegments", JT_INTEGER, &r.total_segments, &r.has_total,
                                c->err)))
        goto done;
    if (r.has_segment)
        validate_range(&v, "segment", r.segment, 0, 999999);
    if (r.has_total)
        validate_range(&v, "totalSegments", r.total_segments, 1, 1000000);
    if ((st = vlist_finish(&v, c->err)) || (st = req_refuse(c, req, scan_legacy, 3)))
        goto done;
    struct read_resp res;
    if ((st = op_scan(c, &r, &res)) == KV_OK)
        st = respond(c, &r, &res, out);
done:
    vlist_release(&v);
    return st;
}
