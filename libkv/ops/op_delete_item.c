/*
 * op_delete_item.c -- DeleteItem: remove the item with the given key, if a
 * ConditionExpression allows.  Deleting an absent item succeeds and still
 * costs one write unit.  The capacity is debited once the write is staged
 * (charge.h); a throttled delete aborts and changes nothing.
 */
#include "ops.h"
#include "charge.h"
#include "err.h"
#include "item_common.h"
#include "txn.h"
#include "validate.h"
#include "value.h"
#include "write_core.h"

#include <string.h>

struct delete_args {
    const struct key_req *r;
    struct write_resp *out;
    struct item_parsed px;
    struct throttle_ticket ticket; /* zeroed before txn_run: see charge.h */
};

static kv_status
delete_body(struct txn *t, void *arg)
{
    struct delete_args *a = arg;
    const struct key_req *r = a->r;
    struct table_def *def;
    MDB_dbi dbi;
    struct item_write w;
    bool need_old = a->px.condition || r->return_values == KV_RETURN_ALL_OLD;
    kv_status st = item_table(t, r->table, &def, &dbi);
    if (st == KV_OK)
        st = validate_key(&def->key, r->key, t->err);
    if (st == KV_OK)
        st = write_load(t, &w, def, dbi, r->key, need_old, r->out);
    if (st == KV_OK && !item_condition_holds(a->px.condition, w.old))
        return charge_condition_failed(t, &w, 0, METRICS_OP_DELETE_ITEM, r->return_old_on_fail,
                                       &a->ticket);
    if (st == KV_OK)
        st = write_store(t, &w, NULL, false);
    if (st == KV_OK)
        st = charge_write(t, def, METRICS_OP_DELETE_ITEM, &w.key, &w.consumed, &a->ticket);
    if (st != KV_OK)
        return st;
    a->out->attributes = r->return_values == KV_RETURN_ALL_OLD ? w.old : NULL;
    a->out->consumed = w.consumed;
    a->out->collection = w.collection;
    return KV_OK;
}

kv_status
op_delete_item(struct op_ctx *c, const struct key_req *r, struct write_resp *out)
{
    static const enum expr_kind accepted[] = {EXPR_CONDITION};
    memset(out, 0, sizeof *out);
    struct delete_args a = {r, out, {0}, {0}};
    kv_status st = validate_values(r->key, c->err);
    if (st != KV_OK)
        return st;
    if (r->return_values != KV_RETURN_NONE && r->return_values != KV_RETURN_ALL_OLD)
        return err_set(c->err, KV_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");
    if ((st = item_parse_exprs(c, &r->ex, accepted, 1, &a.px)) != KV_OK)
        return st;
    st = txn_run_grouped(c->db, delete_body, &a, c->err);
    charge_finish(c->db, st, &a.ticket);
    return st;
}
