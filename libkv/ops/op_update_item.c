/*
 * op_update_item.c -- UpdateItem: change some attributes of an item, or
 * create it.
 *
 * Pipeline: check the key's values and parse the UpdateExpression and
 * ConditionExpression; then in one write transaction find the table, check
 * the key and that no action writes a key attribute, read the old item,
 * evaluate the condition, apply the update to a copy, check the result's
 * nesting and size, write it and the counters, debit the capacity it
 * consumed (charge.h; a throttled update aborts and changes nothing), and
 * pick what ReturnValues asks for.
 *
 * An absent item is created from its key and the update, as DynamoDB
 * does, except when the update only removes (REMOVE, DELETE): DynamoDB
 * then writes nothing.  A request with no UpdateExpression at all still
 * creates the bare item.
 */
#include "ops.h"
#include "charge.h"
#include "arena.h"
#include "err.h"
#include "index.h"
#include "item_common.h"
#include "txn.h"
#include "validate.h"
#include "value.h"
#include "write_core.h"

#include <string.h>

struct update_args {
    struct op_ctx *c;
    const struct key_req *r;
    struct write_resp *out;
    struct item_parsed px;
    struct throttle_ticket ticket; /* zeroed before txn_run: see charge.h */
};

/* Attributes for ReturnValues; NULL when nothing is to be returned. */
static kv_status
returned(struct txn *t, struct update_args *a, struct kv_value *old, struct kv_value *new_item)
{
    const struct expr_update *u = a->px.update;
    struct kv_value *src = NULL, *v;
    switch (a->r->return_values) {
    case KV_RETURN_ALL_OLD:
        a->out->attributes = old;
        return KV_OK;
    case KV_RETURN_ALL_NEW:
        a->out->attributes = new_item;
        return KV_OK;
    case KV_RETURN_UPDATED_OLD:
        src = old;
        break;
    case KV_RETURN_UPDATED_NEW:
        src = new_item;
        break;
    default:
        return KV_OK;
    }
    if (!src || !u)
        return KV_OK;
    if (!(v = arena_alloc(a->r->out, sizeof *v)))
        return err_nomem(t->err);
    kv_status st = expr_update_returned(u, src, a->r->out, v, t->err);
    if (st == KV_OK && v->len)
        a->out->attributes = v;
    return st;
}

static kv_status
update_body(struct txn *t, void *arg)
{
    struct update_args *a = arg;
    const struct key_req *r = a->r;
    struct table_def *def;
    MDB_dbi dbi;
    struct item_write w;
    kv_status st = item_table(t, r->table, &def, &dbi);
    if (st == KV_OK)
        st = validate_key(&def->key, r->key, t->err);
    struct expr_key_schema ks = st == KV_OK ? item_expr_schema(def) : (struct expr_key_schema){0};
    if (st == KV_OK && a->px.update)
        st = expr_update_check_keys(a->px.update, &ks, t->err);
    if (st == KV_OK)
        st = write_load(t, &w, def, dbi, r->key, true, r->out);
    if (st != KV_OK)
        return st;
    /* The update is not applied when the condition fails, so the item's
     * size "after" is its size before. */
    if (!item_condition_holds(a->px.condition, w.old))
        return charge_condition_failed(t, &w, 0, METRICS_OP_UPDATE_ITEM, r->return_old_on_fail,
                                       &a->ticket);
    a->out->attributes = NULL;
    memset(&a->out->consumed, 0, sizeof a->out->consumed);
    if (!w.found && a->px.update && !expr_update_creates(a->px.update)) {
        consumed_add_table(&a->out->consumed, 0, capacity_write(0, false));
        return charge_write(t, def, METRICS_OP_UPDATE_ITEM, &w.key, &a->out->consumed,
                            &a->ticket);
    }
    struct kv_value *new_item = NULL;
    if ((st = item_update_apply(a->px.update, r->key, w.old, r->out, &new_item, t->err)) != KV_OK ||
        (st = index_check_item(def, new_item, true, w.old, t->err)) != KV_OK ||
        (st = write_store(t, &w, new_item, false)) != KV_OK ||
        (st = charge_write(t, def, METRICS_OP_UPDATE_ITEM, &w.key, &w.consumed, &a->ticket)))
        return st;
    a->out->consumed = w.consumed;
    a->out->collection = w.collection;
    return returned(t, a, w.old, new_item);
}

kv_status
op_update_item(struct op_ctx *c, const struct key_req *r, struct write_resp *out)
{
    static const enum expr_kind accepted[] = {EXPR_UPDATE, EXPR_CONDITION};
    memset(out, 0, sizeof *out);
    struct update_args a = {c, r, out, {0}, {0}};
    kv_status st = validate_values(r->key, c->err);
    if (st == KV_OK)
        st = item_parse_exprs(c, &r->ex, accepted, 2, &a.px);
    if (st != KV_OK)
        return st;
    st = txn_run_grouped(c->db, update_body, &a, c->err);
    charge_finish(c->db, st, &a.ticket);
    return st;
}
