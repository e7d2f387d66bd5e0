/*
 * op_put_item.c -- PutItem: replace the whole item with the given key.
 *
 * Pipeline: check the item's values, ReturnValues, the item's size and the
 * ConditionExpression (DynamoDB does these before looking at the table);
 * then, in one write transaction, find the table, check the key and index
 * key attributes, load the old item, evaluate the condition against it,
 * store the new item (write_core.h keeps counters and indexes), and debit
 * the capacity that consumed (charge.h): a throttled write aborts the
 * transaction, so it changes nothing.
 */
#include "ops.h"
#include "charge.h"
#include "err.h"
#include "index.h"
#include "item_common.h"
#include "txn.h"
#include "validate.h"
#include "value.h"
#include "write_core.h"

#include <string.h>

struct put_args {
    struct op_ctx *c;
    const struct put_item_req *r;
    struct write_resp *out;
    struct item_parsed px;
    struct throttle_ticket ticket; /* zeroed before txn_run: see charge.h */
};

static kv_status
put_body(struct txn *t, void *arg)
{
    struct put_args *a = arg;
    const struct put_item_req *r = a->r;
    struct table_def *def;
    MDB_dbi dbi;
    struct item_write w;
    bool need_old = a->px.condition || r->return_values == KV_RETURN_ALL_OLD;
    kv_status st = item_table(t, r->table, &def, &dbi);
    if (st == KV_OK)
        st = validate_item_key(&def->key, r->item, t->err);
    if (st == KV_OK)
        st = index_check_item(def, r->item, false, NULL, t->err);
    if (st == KV_OK)
        st = write_load(t, &w, def, dbi, r->item, need_old, r->out);
    if (st == KV_OK && !item_condition_holds(a->px.condition, w.old))
        return charge_condition_failed(t, &w, item_size(r->item), METRICS_OP_PUT_ITEM,
                                       r->return_old_on_fail, &a->ticket);
    if (st == KV_OK)
        st = write_store(t, &w, r->item, false);
    if (st == KV_OK)
        st = charge_write(t, def, METRICS_OP_PUT_ITEM, &w.key, &w.consumed, &a->ticket);
    if (st != KV_OK)
        return st;
    a->out->attributes = r->return_values == KV_RETURN_ALL_OLD ? w.old : NULL;
    a->out->consumed = w.consumed;
    a->out->collection = w.collection;
    return KV_OK;
}

kv_status
op_put_item(struct op_ctx *c, const struct put_item_req *r, struct write_resp *out)
{
    static const enum expr_kind accepted[] = {EXPR_CONDITION};
    memset(out, 0, sizeof *out);
    struct put_args a = {c, r, out, {0}, {0}};
    kv_status st = validate_values(r->item, c->err);
    if (st != KV_OK)
        return st;
    if (r->return_values != KV_RETURN_NONE && r->return_values != KV_RETURN_ALL_OLD)
        return err_set(c->err, KV_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");
    if ((st = validate_item_size(r->item, NULL, c->err)) != KV_OK ||
        (st = item_parse_exprs(c, &r->ex, accepted, 1, &a.px)) != KV_OK)
        return st;
    st = txn_run_grouped(c->db, put_body, &a, c->err);
    charge_finish(c->db, st, &a.ticket);
    return st;
}
