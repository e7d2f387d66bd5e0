/*
 * op_get_item.c -- GetItem: the item with the given key, or nothing,
 * projected when a ProjectionExpression asks.  Reads cost one unit per
 * 4 KB of the whole item (half for eventually consistent reads), however
 * little the projection keeps, and an absent item the minimum of one unit.
 * The read is admitted against that minimum before reading and charged its
 * real cost after (charge.h), so a large item may leave the table's bucket
 * in debt, as DynamoDB's does.
 */
#include "ops.h"
#include "charge.h"
#include "arena.h"
#include "err.h"
#include "item_common.h"
#include "itemcodec.h"
#include "keycodec.h"
#include "txn.h"
#include "validate.h"
#include "value.h"

#include <string.h>

struct get_args {
    struct op_ctx *c;
    const struct key_req *r;
    struct get_resp *out;
    struct item_parsed px;
    struct throttle_ticket ticket; /* zeroed before txn_run: see charge.h */
};

static kv_status
get_body(struct txn *t, void *arg)
{
    struct get_args *a = arg;
    const struct key_req *r = a->r;
    struct table_def *def;
    MDB_dbi dbi;
    struct keybuf kb;
    MDB_val val;
    bool found;
    const struct kv_value *parts[2];
    kv_status st = item_table(t, r->table, &def, &dbi);
    if (st == KV_OK)
        st = validate_key_get(&def->key, r->key, parts, t->err);
    if (st == KV_OK && a->px.projection)
        st = item_check_key_paths(t, def, NULL, a->px.projection);
    if (st == KV_OK)
        st = keycodec_item_key(&kb, parts[0], parts[1], t->err);
    if (st == KV_OK)
        st = charge_read_admit(t, def, METRICS_OP_GET_ITEM, NULL, kb.bytes, kb.len,
                               r->consistent, &a->ticket);
    if (st == KV_OK)
        st = item_read(t, dbi, &kb, &val, &found);
    if (st != KV_OK)
        return st;
    size_t size = 0;
    a->out->item = NULL;
    if (found) {
        struct kv_value *item;
        if (!a->px.projection) {
            /* The decoder checks the recorded size against the contents
             * and gives it. */
            if (!(item = arena_alloc(r->out, sizeof *item)))
                return err_nomem(t->err);
            st = itemcodec_decode_sized(val.mv_data, val.mv_size, r->out, false, item, &size,
                                        t->err);
        } else if ((st = itemcodec_size(val.mv_data, val.mv_size, &size, t->err)) != KV_OK) {
            return st;
        } else if ((st = item_decode(t, &val, a->c->arena, true, &item)) == KV_OK) {
            struct kv_value *p = arena_alloc(r->out, sizeof *p);
            if (!p)
                return err_nomem(t->err);
            st = expr_project(a->px.projection, item, r->out, p, t->err);
            item = p;
        }
        if (st != KV_OK)
            return st;
        a->out->item = item;
    }
    consumed_init(&a->out->consumed);
    consumed_add_table(&a->out->consumed,
                       capacity_read(size, r->consistent ? READ_STRONG : READ_EVENTUAL), 0);
    charge_read_settle(t, &a->ticket, a->out->consumed.read);
    return KV_OK;
}

kv_status
op_get_item(struct op_ctx *c, const struct key_req *r, struct get_resp *out)
{
    static const enum expr_kind accepted[] = {EXPR_PROJECTION};
    out->item = NULL;
    consumed_init(&out->consumed);
    struct get_args a;
    a.c = c;
    a.r = r;
    a.out = out;
    /* An empty ticket (charge.h); its entries are written before read. */
    a.ticket.held = false;
    a.ticket.n = 0;
    kv_status st = validate_values(r->key, c->err);
    if (st == KV_OK)
        st = item_parse_exprs(c, &r->ex, accepted, 1, &a.px);
    if (st != KV_OK)
        return st;
    st = txn_run(c->db, false, get_body, &a, c->err);
    charge_finish(c->db, st, &a.ticket);
    return st;
}
