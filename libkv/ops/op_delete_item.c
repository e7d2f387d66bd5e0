/*
 * op_delete_item.c -- DeleteItem: remove the item with the given key, if a
 * ConditionExpression allows.  Deleting an absent item succeeds and still
 * costs one write unit.
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
    struct item_parsed px;
};

static kv_status
delete_body(struct txn *t, void *arg)
{
    struct delete_args *a = arg;
    const struct key_req *r = a->r;
    struct table_def *def;
    MDB_dbi dbi;
    struct keybuf kb;
    MDB_val old;
    bool found;
    kv_status st = item_table(t, r->table, &def, &dbi);
    if (st == KV_OK)
        st = validate_key(&def->key, r->key, t->err);
    if (st == KV_OK)
        st = item_key(t, def, r->key, &kb);
    if (st == KV_OK)
        st = item_read(t, dbi, &kb, &old, &found);
    if (st != KV_OK)
        return st;
    size_t old_size = 0;
    struct kv_value *old_item = NULL;
    a->out->attributes = NULL;
    if (found && (st = itemcodec_size(old.mv_data, old.mv_size, &old_size, t->err)) != KV_OK)
        return st;
    bool need_old = a->px.condition || r->return_values == KV_RETURN_ALL_OLD;
    if (found && need_old && (st = item_decode(t, &old, r->out, false, &old_item)) != KV_OK)
        return st;
    if ((st = item_check_condition(t, a->px.condition, old_item, r->return_old_on_fail)))
        return st;
    if (found) {
        MDB_val k = {kb.len, kb.bytes};
        if ((st = txn_check(t, mdb_del(t->txn, dbi, &k, NULL), "deleting an item")) != KV_OK ||
            (st = catalog_stats_add(t, def->dbname, -1, -(int64_t)old_size)) != KV_OK)
            return st;
    }
    if (r->return_values == KV_RETURN_ALL_OLD)
        a->out->attributes = old_item;
    a->out->consumed.write = capacity_write(old_size, false);
    return KV_OK;
}

kv_status
op_delete_item(struct op_ctx *c, const struct key_req *r, struct write_resp *out)
{
    static const enum expr_kind accepted[] = {EXPR_CONDITION};
    memset(out, 0, sizeof *out);
    struct delete_args a = {r, out, {0}};
    kv_status st = validate_values(r->key, c->err);
    if (st != KV_OK)
        return st;
    if (r->return_values != KV_RETURN_NONE && r->return_values != KV_RETURN_ALL_OLD)
        return err_set(c->err, KV_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");
    if ((st = item_parse_exprs(c, &r->ex, accepted, 1, &a.px)) != KV_OK)
        return st;
    return txn_run(c->db, true, delete_body, &a, c->err);
}
