/*
 * op_delete_item.c -- DeleteItem: remove the item with the given key.
 * Deleting an absent item succeeds and still costs one write unit.
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

struct delete_args {
    const struct key_req *r;
    struct write_resp *out;
};

static kv_status
delete_body(struct txn *t, void *arg)
{
    struct delete_args *a = arg;
    struct table_def *def;
    MDB_dbi dbi;
    struct keybuf kb;
    MDB_val old;
    bool found;
    kv_status st = item_table(t, a->r->table, &def, &dbi);
    if (st == KV_OK)
        st = validate_key(&def->key, a->r->key, t->err);
    if (st == KV_OK)
        st = item_key(t, def, a->r->key, &kb);
    if (st == KV_OK)
        st = item_read(t, dbi, &kb, &old, &found);
    if (st != KV_OK)
        return st;
    size_t old_size = 0;
    a->out->attributes = NULL;
    if (found) {
        if ((st = itemcodec_size(old.mv_data, old.mv_size, &old_size, t->err)) != KV_OK)
            return st;
        if (a->r->return_values == KV_RETURN_ALL_OLD) {
            struct kv_value *v = arena_alloc(a->r->out, sizeof *v);
            if (!v)
                return err_nomem(t->err);
            if ((st = itemcodec_decode(old.mv_data, old.mv_size, a->r->out, false, v,
                                       t->err)) != KV_OK)
                return st;
            a->out->attributes = v;
        }
        MDB_val k = {kb.len, kb.bytes};
        if ((st = txn_check(t, mdb_del(t->txn, dbi, &k, NULL), "deleting an item")) != KV_OK)
            return st;
        if ((st = catalog_stats_add(t, def->dbname, -1, -(int64_t)old_size)) != KV_OK)
            return st;
    }
    a->out->consumed.write = capacity_write(old_size, false);
    return KV_OK;
}

kv_status
op_delete_item(struct op_ctx *c, const struct key_req *r, struct write_resp *out)
{
    memset(out, 0, sizeof *out);
    kv_status st = validate_values(r->key, c->err);
    if (st != KV_OK)
        return st;
    if (r->return_values != KV_RETURN_NONE && r->return_values != KV_RETURN_ALL_OLD)
        return err_set(c->err, KV_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");
    struct delete_args a = {r, out};
    return txn_run(c->db, true, delete_body, &a, c->err);
}
