/*
 * op_put_item.c -- PutItem: replace the whole item with the given key.
 *
 * Pipeline: check the item's values, ReturnValues, the item's size and the
 * ConditionExpression (DynamoDB does these before looking at the table);
 * then, in one write transaction, find the table, check the key
 * attributes, read the old item, evaluate the condition against it, and
 * write the new item and the table's counters.
 */
#include "ops.h"
#include "arena.h"
#include "buf.h"
#include "err.h"
#include "item_common.h"
#include "itemcodec.h"
#include "txn.h"
#include "validate.h"
#include "value.h"

#include <string.h>

struct put_args {
    struct op_ctx *c;
    const struct put_item_req *r;
    struct write_resp *out;
    struct item_parsed px;
    struct buf encoded;
    size_t size;
};

static kv_status
put_body(struct txn *t, void *arg)
{
    struct put_args *a = arg;
    const struct put_item_req *r = a->r;
    struct table_def *def;
    MDB_dbi dbi;
    struct keybuf kb;
    MDB_val old;
    bool found;
    kv_status st = item_table(t, r->table, &def, &dbi);
    if (st == KV_OK)
        st = validate_item_key(&def->key, r->item, t->err);
    if (st == KV_OK)
        st = item_key(t, def, r->item, &kb);
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
    MDB_val k = {kb.len, kb.bytes}, nv = {a->encoded.len, a->encoded.data};
    if ((st = txn_check(t, mdb_put(t->txn, dbi, &k, &nv, 0), "writing an item")) != KV_OK)
        return st;
    st = catalog_stats_add(t, def->dbname, found ? 0 : 1, (int64_t)a->size - (int64_t)old_size);
    if (r->return_values == KV_RETURN_ALL_OLD)
        a->out->attributes = old_item;
    a->out->consumed.write = capacity_write(old_size > a->size ? old_size : a->size, false);
    return st;
}

kv_status
op_put_item(struct op_ctx *c, const struct put_item_req *r, struct write_resp *out)
{
    static const enum expr_kind accepted[] = {EXPR_CONDITION};
    memset(out, 0, sizeof *out);
    struct put_args a = {c, r, out, {0}, {0}, 0};
    kv_status st = validate_values(r->item, c->err);
    if (st != KV_OK)
        return st;
    if (r->return_values != KV_RETURN_NONE && r->return_values != KV_RETURN_ALL_OLD)
        return err_set(c->err, KV_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");
    if ((st = validate_item_size(r->item, NULL, c->err)) != KV_OK ||
        (st = item_parse_exprs(c, &r->ex, accepted, 1, &a.px)) != KV_OK)
        return st;
    a.size = item_size(r->item);
    buf_init(&a.encoded);
    if ((st = itemcodec_encode(r->item, &a.encoded, c->err)) == KV_OK)
        st = txn_run(c->db, true, put_body, &a, c->err);
    buf_release(&a.encoded);
    return st;
}
