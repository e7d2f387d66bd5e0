/*
 * op_get_item.c -- GetItem: the item with the given key, or nothing.
 * Reads cost one unit per 4 KB of the item (half for eventually
 * consistent reads), and an absent item the minimum of one unit.
 */
#include "ops.h"
#include "arena.h"
#include "err.h"
#include "item_common.h"
#include "itemcodec.h"
#include "txn.h"
#include "validate.h"
#include "value.h"

#include <string.h>

struct get_args {
    const struct key_req *r;
    struct get_resp *out;
};

static kv_status
get_body(struct txn *t, void *arg)
{
    struct get_args *a = arg;
    struct table_def *def;
    MDB_dbi dbi;
    struct keybuf kb;
    MDB_val val;
    bool found;
    kv_status st = item_table(t, a->r->table, &def, &dbi);
    if (st == KV_OK)
        st = validate_key(&def->key, a->r->key, t->err);
    if (st == KV_OK)
        st = item_key(t, def, a->r->key, &kb);
    if (st == KV_OK)
        st = item_read(t, dbi, &kb, &val, &found);
    if (st != KV_OK)
        return st;
    size_t size = 0;
    a->out->item = NULL;
    if (found) {
        struct kv_value *v = arena_alloc(a->r->out, sizeof *v);
        if (!v)
            return err_nomem(t->err);
        if ((st = itemcodec_size(val.mv_data, val.mv_size, &size, t->err)) != KV_OK ||
            (st = itemcodec_decode(val.mv_data, val.mv_size, a->r->out, false, v, t->err)))
            return st;
        a->out->item = v;
    }
    a->out->consumed.read =
        capacity_read(size, a->r->consistent ? READ_STRONG : READ_EVENTUAL);
    return KV_OK;
}

kv_status
op_get_item(struct op_ctx *c, const struct key_req *r, struct get_resp *out)
{
    memset(out, 0, sizeof *out);
    kv_status st = validate_values(r->key, c->err);
    if (st != KV_OK)
        return st;
    struct get_args a = {r, out};
    return txn_run(c->db, false, get_body, &a, c->err);
}
