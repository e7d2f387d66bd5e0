/*
 * op_batch_get.c -- BatchGetItem: up to 100 items from one or more tables.
 *
 * Pipeline: check the request's shape (at least one table, 1 to 100 keys a
 * table, 100 in all), every key's values and each table's
 * ProjectionExpression; then, in one read transaction, find each table,
 * check its keys against the key schema and for duplicates, and read the
 * items in request order.  One read transaction makes the response a
 * consistent snapshot, which is more than DynamoDB promises (it reads each
 * item on its own).
 *
 * The 16 MB limit.  Once the next item would take the response past
 * BATCH_GET_MAX_BYTES, that key and every key after it are left in
 * UnprocessedKeys for the caller to send again, unread and uncharged.
 * DynamoDB's documentation gives one example: 100 items of 300 KB return
 * 52.  Of the readings of "16 MB" only 16,000,000 bytes, with items of
 * 300 x 1,024 bytes, gives 52 (16 MiB would give 54), so that is the
 * limit, applied to the items' sizes as stored: DynamoDB projects after it
 * reads.
 *
 * Capacity: each item costs what a GetItem of it costs, its own size
 * rounded up to 4 KB (half a unit when eventually consistent), and a key
 * with no item the minimum; the units are summed per table.  Each key is
 * admitted on its own, as an independent GetItem (charge.h, throttle.h's
 * batch interface): against the least it can cost before it is read, then
 * charged its real cost.  A key refused is left in UnprocessedKeys,
 * unread and uncharged; if no key could be served the batch fails with
 * the exception throttle_batch_finish gives.
 */
#include "ops.h"
#include "arena.h"
#include "charge.h"
#include "db.h"
#include "err.h"
#include "item_common.h"
#include "itemcodec.h"
#include "multi_item.h"
#include "txn.h"
#include "validate.h"
#include "value.h"

#include <string.h>

#define BATCH_GET_MAX_KEYS 100
#define BATCH_GET_MAX_BYTES 16000000

struct bg_args {
    struct op_ctx *c;
    const struct batch_get_req *r;
    struct batch_get_resp *out;
    struct expr_proj **proj; /* per table, NULL without a projection */
    struct throttle_ticket **ticket; /* per table, per key */
    struct throttle_batch batch;
};

/* The request's shape, checked before anything else, in DynamoDB's order:
 * the per-table counts (field constraints), then the total. */
static kv_status
check_shape(struct op_ctx *c, const struct batch_get_req *r)
{
    size_t total = 0;
    if (r->n_tables == 0)
        return err_set(c->err, KV_VALIDATION,
                       "The requestItems parameter is required for BatchGetItem");
    for (size_t i = 0; i < r->n_tables; i++) {
        const struct batch_get_table *bt = &r->tables[i];
        if (bt->n_keys == 0 || bt->n_keys > BATCH_GET_MAX_KEYS)
            return err_set(c->err, KV_VALIDATION,
                           "1 validation error detected: Value at 'RequestItems.%s.member.Keys' "
                           "failed to satisfy constraint: Member must have length %s",
                           bt->table,
                           bt->n_keys ? "less than or equal to 100" : "greater than or equal to 1");
        total += bt->n_keys;
    }
    if (total > BATCH_GET_MAX_KEYS)
        return err_set(c->err, KV_VALIDATION, "Too many items requested for the BatchGetItem call");
    return KV_OK;
}

/* Every key's values, then each table's projection. */
static kv_status
check_tables(struct op_ctx *c, const struct batch_get_req *r, struct expr_proj **proj)
{
    static const enum expr_kind accepted[] = {EXPR_PROJECTION};
    for (size_t i = 0; i < r->n_tables; i++) {
        const struct batch_get_table *bt = &r->tables[i];
        struct item_parsed px;
        kv_status st = KV_OK;
        for (size_t k = 0; k < bt->n_keys && st == KV_OK; k++)
            st = validate_values(bt->keys[k], c->err);
        if (st == KV_OK)
            st = item_parse_exprs(c, &bt->ex, accepted, 1, &px);
        if (st != KV_OK)
            return st;
        proj[i] = px.projection;
    }
    return KV_OK;
}

/* A table's keys against its schema, and no key twice. */
static kv_status
check_keys(struct txn *t, struct bg_args *a, size_t i, const struct table_def *def,
           struct item_target *targets)
{
    const struct batch_get_table *bt = &a->r->tables[i];
    for (size_t k = 0; k < bt->n_keys; k++) {
        kv_status st = validate_key(&def->key, bt->keys[k], t->err);
        if (st == KV_OK)
            st = item_key(t, def, bt->keys[k], &targets[k].key);
        if (st != KV_OK)
            return st;
        targets[k].dbname = def->dbname;
        if (item_target_seen(targets, k, &targets[k]))
            return err_set(t->err, KV_VALIDATION, "Provided list of item keys contains duplicates");
    }
    return KV_OK;
}

/* The item as returned: whole, or projected. */
static kv_status
result_item(struct txn *t, struct bg_args *a, size_t i, const MDB_val *val, struct kv_value *out)
{
    struct kv_value *item;
    if (!a->proj[i]) {
        kv_status st = item_decode(t, val, a->r->out, false, &item);
        if (st == KV_OK)
            *out = *item;
        return st;
    }
    kv_status st = item_decode(t, val, a->c->arena, true, &item);
    if (st == KV_OK)
        st = expr_project(a->proj[i], item, a->r->out, out, t->err);
    return st;
}

/* Read one table's keys.  *used counts the response's bytes so far, and
 * *full says the limit was reached: every key from there on is left. */
static kv_status
read_table(struct txn *t, struct bg_args *a, size_t i, MDB_dbi dbi, const struct charge_table *ct,
           const struct item_target *targets, size_t *used, bool *full)
{
    const struct batch_get_table *bt = &a->r->tables[i];
    struct batch_get_table_resp *tr = &a->out->tables[i];
    enum read_kind kind = bt->consistent ? READ_STRONG : READ_EVENTUAL;
    for (size_t k = 0; k < bt->n_keys; k++) {
        MDB_val val;
        bool found = false;
        size_t size = 0;
        struct throttle_ticket *ticket = &a->ticket[i][k];
        kv_status st = KV_OK;
        if (!*full)
            st = charge_batch_read(t, ct, &a->batch, &targets[k].key, capacity_read(0, kind),
                                   ticket);
        if (charge_refused(st)) {
            tr->unprocessed[tr->n_unprocessed++] = k;
            continue;
        }
        if (st == KV_OK && !*full)
            st = item_read(t, dbi, &targets[k].key, &val, &found);
        if (st == KV_OK && found)
            st = itemcodec_size(val.mv_data, val.mv_size, &size, t->err);
        if (st != KV_OK)
            return st;
        if (*full || *used + size > BATCH_GET_MAX_BYTES) {
            throttle_refund(t->db->throttle, ticket); /* admitted, but not read */
            *full = true;
            tr->unprocessed[tr->n_unprocessed++] = k;
            continue;
        }
        if (found) {
            if ((st = result_item(t, a, i, &val, &tr->items[tr->n_items])) != KV_OK)
                return st;
            tr->item_keys[tr->n_items++] = k;
            *used += size;
        }
        consumed_add_table(&tr->consumed, capacity_read(size, kind), 0);
        charge_read_settle(t, ticket, capacity_read(size, kind));
    }
    return KV_OK;
}

static kv_status
batch_get_body(struct txn *t, void *arg)
{
    struct bg_args *a = arg;
    const struct batch_get_req *r = a->r;
    struct table_def *def;
    MDB_dbi *dbis = arena_alloc(a->c->arena, r->n_tables * sizeof *dbis);
    struct item_target **targets = arena_calloc(a->c->arena, r->n_tables * sizeof *targets);
    struct charge_table *ct = arena_alloc(a->c->arena, r->n_tables * sizeof *ct);
    if (!dbis || !targets || !ct)
        return err_nomem(t->err);
    for (size_t i = 0; i < r->n_tables; i++) {
        kv_status st = item_table(t, r->tables[i].table, &def, &dbis[i]);
        if (st == KV_OK && a->proj[i])
            st = item_check_key_paths(t, def, NULL, a->proj[i]);
        if (st == KV_OK)
            st = charge_describe(t, def, &ct[i]);
        if (st == KV_OK &&
            !(targets[i] = arena_alloc(a->c->arena, r->tables[i].n_keys * sizeof *targets[i])))
            st = err_nomem(t->err);
        if (st == KV_OK)
            st = check_keys(t, a, i, def, targets[i]);
        if (st != KV_OK)
            return st;
    }
    size_t used = 0;
    bool full = false;
    throttle_batch_init(&a->batch, METRICS_OP_BATCH_GET_ITEM);
    for (size_t i = 0; i < r->n_tables; i++) {
        struct batch_get_table_resp *tr = &a->out->tables[i];
        tr->n_items = tr->n_unprocessed = 0; /* a retried body starts over */
        memset(&tr->consumed, 0, sizeof tr->consumed);
        kv_status st = read_table(t, a, i, dbis[i], &ct[i], targets[i], &used, &full);
        if (st != KV_OK)
            return st;
    }
    return throttle_batch_finish(t->db->throttle, &a->batch, t->err);
}

/* Room for every table's results. */
static kv_status
alloc_results(struct op_ctx *c, const struct batch_get_req *r, struct batch_get_resp *out)
{
    out->tables = arena_calloc(c->arena, r->n_tables * sizeof *out->tables);
    if (!out->tables)
        return err_nomem(c->err);
    for (size_t i = 0; i < r->n_tables; i++) {
        struct batch_get_table_resp *tr = &out->tables[i];
        tr->items = arena_calloc(r->out, r->tables[i].n_keys * sizeof *tr->items);
        tr->unprocessed = arena_alloc(c->arena, r->tables[i].n_keys * sizeof *tr->unprocessed);
        tr->item_keys = arena_alloc(c->arena, r->tables[i].n_keys * sizeof *tr->item_keys);
        if (!tr->items || !tr->unprocessed || !tr->item_keys)
            return err_nomem(c->err);
    }
    return KV_OK;
}

/* A ticket for every key, zeroed before txn_run (charge.h). */
static kv_status
alloc_tickets(struct op_ctx *c, const struct batch_get_req *r, struct bg_args *a)
{
    if (!(a->ticket = arena_calloc(c->arena, r->n_tables * sizeof *a->ticket)))
        return err_nomem(c->err);
    for (size_t i = 0; i < r->n_tables; i++) {
        a->ticket[i] = arena_calloc(c->arena, r->tables[i].n_keys * sizeof *a->ticket[i]);
        if (!a->ticket[i])
            return err_nomem(c->err);
    }
    return KV_OK;
}

kv_status
op_batch_get(struct op_ctx *c, const struct batch_get_req *r, struct batch_get_resp *out)
{
    memset(out, 0, sizeof *out);
    struct bg_args a = {c, r, out, NULL, NULL, {0}};
    kv_status st = check_shape(c, r);
    if (st == KV_OK && !(a.proj = arena_calloc(c->arena, r->n_tables * sizeof *a.proj)))
        st = err_nomem(c->err);
    if (st == KV_OK)
        st = check_tables(c, r, a.proj);
    if (st == KV_OK)
        st = alloc_results(c, r, out);
    if (st == KV_OK)
        st = alloc_tickets(c, r, &a);
    if (st != KV_OK)
        return st;
    st = txn_run(c->db, false, batch_get_body, &a, c->err);
    for (size_t i = 0; st != KV_OK && i < r->n_tables; i++)
        for (size_t k = 0; k < r->tables[i].n_keys; k++)
            throttle_refund(c->db->throttle, &a.ticket[i][k]);
    return st;
}
