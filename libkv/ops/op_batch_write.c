/*
 * op_batch_write.c -- BatchWriteItem: up to 25 puts and deletes across
 * tables, each an independent write as DynamoDB defines them (no
 * conditions, no return values).
 *
 * Pipeline: check the request's shape (at least one table, 1 to 25
 * requests a table, 25 in all), each item's or key's values and each
 * item's size; then, in one write transaction, find every table, check
 * every key against its schema, the index key attributes and that no item
 * is named twice (a put and a delete of one key count as twice), and only
 * then write, element by element, through write_core.h.  A request that
 * fails any check writes nothing.
 *
 * BatchWriteItem words two problems differently from PutItem: a key
 * attribute that is missing or of the wrong type is "The provided key
 * element does not match the schema", and nesting too deep is reported
 * without the "1 validation error detected: " envelope.
 *
 * Capacity.  Each element is admitted on its own, as an independent write
 * (charge.h, throttle.h's batch interface): the table, the partition of its
 * key, and each global index whose entry it changes.  Its cost is known
 * only once index upkeep has run, so the element is written first and
 * admitted after.  An element refused has to be taken back out of the
 * transaction, and LMDB cannot undo part of one: the body then returns
 * and the batch runs again in a fresh transaction without it (it goes
 * back to the caller in UnprocessedItems), the admitted elements'
 * tickets carried over, so each is charged once.  A second run refuses
 * nothing new unless capacity changed in between; each run leaves out at
 * least one more element, so it ends.  If no element could be served the
 * batch fails with the exception throttle_batch_finish gives, and changes
 * nothing.  ConsumedCapacity counts the written elements only.
 *
 * DynamoDB's 16 MB request limit needs no check of its own here: 25 items
 * of at most 400 KB stay far below it.
 */
#include "ops.h"
#include "arena.h"
#include "charge.h"
#include "db.h"
#include "err.h"
#include "index.h"
#include "item_common.h"
#include "multi_item.h"
#include "txn.h"
#include "validate.h"
#include "value.h"
#include "write_core.h"

#include <string.h>

#define BATCH_WRITE_MAX 25

struct bw_args {
    struct op_ctx *c;
    const struct batch_write_req *r;
    struct batch_write_resp *out;
    struct charge_table *ct;        /* per table, described once per run */
    struct throttle_ticket *ticket; /* per element, in request order */
    bool *left;                     /* per element: refused, left unprocessed */
    bool again;                     /* the run refused an element: run again */
    struct throttle_batch batch;
};

static kv_status
check_shape(struct op_ctx *c, const struct batch_write_req *r)
{
    size_t total = 0;
    if (r->n_tables == 0)
        return err_set(c->err, KV_VALIDATION,
                       "The requestItems parameter is required for BatchWriteItem");
    for (size_t i = 0; i < r->n_tables; i++) {
        size_t n = r->tables[i].n_elems;
        if (n == 0 || n > BATCH_WRITE_MAX)
            return err_set(c->err, KV_VALIDATION,
                           "1 validation error detected: Value at 'RequestItems.%s.member' "
                           "failed to satisfy constraint: Member must have length %s",
                           r->tables[i].table,
                           n ? "less than or equal to 25" : "greater than or equal to 1");
        total += n;
    }
    if (total > BATCH_WRITE_MAX)
        return err_set(c->err, KV_VALIDATION,
                       "Too many items requested for the BatchWriteItem call");
    return KV_OK;
}

/* What can be checked without the tables: values and item sizes. */
static kv_status
check_values(struct op_ctx *c, const struct batch_write_req *r)
{
    for (size_t i = 0; i < r->n_tables; i++) {
        for (size_t k = 0; k < r->tables[i].n_elems; k++) {
            const struct batch_write_elem *e = &r->tables[i].elems[k];
            kv_status st = validate_values_bare(e->value, c->err);
            if (st == KV_OK && e->kind == BATCH_PUT)
                st = validate_item_size(e->value, NULL, c->err);
            if (st != KV_OK)
                return st;
        }
    }
    return KV_OK;
}

/* One element against its table: key shape, key values, index keys. */
static kv_status
check_elem(struct txn *t, const struct table_def *def, const struct batch_write_elem *e)
{
    if (e->kind == BATCH_DELETE)
        return validate_key(&def->key, e->value, t->err);
    if (!validate_item_key_shape(&def->key, e->value))
        return err_set(t->err, KV_VALIDATION, "The provided key element does not match the schema");
    kv_status st = validate_item_key(&def->key, e->value, t->err);
    if (st == KV_OK)
        st = index_check_item(def, e->value, false, NULL, t->err);
    return st;
}

/* Every table and element, before anything is written. */
static kv_status
check_all(struct txn *t, struct bw_args *a, struct table_def **defs, MDB_dbi *dbis)
{
    const struct batch_write_req *r = a->r;
    struct item_target *seen = arena_alloc(a->c->arena, BATCH_WRITE_MAX * sizeof *seen);
    size_t n_seen = 0;
    if (!seen)
        return err_nomem(t->err);
    for (size_t i = 0; i < r->n_tables; i++) {
        kv_status st = item_table(t, r->tables[i].table, &defs[i], &dbis[i]);
        for (size_t k = 0; k < r->tables[i].n_elems && st == KV_OK; k++) {
            const struct batch_write_elem *e = &r->tables[i].elems[k];
            struct item_target *tg = &seen[n_seen];
            if ((st = check_elem(t, defs[i], e)) != KV_OK ||
                (st = item_key(t, defs[i], e->value, &tg->key)) != KV_OK)
                break;
            tg->dbname = defs[i]->dbname;
            if (item_target_seen(seen, n_seen++, tg))
                st = err_set(t->err, KV_VALIDATION,
                             "Provided list of item keys contains duplicates");
        }
        if (st != KV_OK)
            return st;
    }
    return KV_OK;
}

/* Note the size of the item collection a write left, once per collection. */
static void
note_collection(struct batch_write_table_resp *tr, const struct collection_size *cs)
{
    if (!cs->present)
        return;
    for (size_t i = 0; i < tr->n_collections; i++)
        if (value_equal(tr->collections[i].key, cs->key)) {
            tr->collections[i] = *cs;
            return;
        }
    tr->collections[tr->n_collections++] = *cs;
}

/* Write one element and admit it; *refused when capacity said no (the
 * write is then still in the transaction: the caller runs again). */
static kv_status
write_elem(struct txn *t, struct bw_args *a, size_t i, const struct table_def *def, MDB_dbi dbi,
           const struct batch_write_elem *e, struct throttle_ticket *ticket, bool *refused)
{
    struct item_write w;
    struct batch_write_table_resp *tr = &a->out->tables[i];
    kv_status st = write_load(t, &w, def, dbi, e->value, false, a->c->arena);
    if (st == KV_OK)
        st = write_store(t, &w, e->kind == BATCH_PUT ? e->value : NULL, false);
    if (st == KV_OK)
        st = charge_batch_write(t, &a->ct[i], &a->batch, &w.key, &w.consumed, ticket);
    *refused = charge_refused(st);
    if (*refused)
        return KV_OK;
    if (st == KV_OK) {
        consumed_merge(&tr->consumed, &w.consumed);
        note_collection(tr, &w.collection);
    }
    return st;
}

static kv_status
batch_write_body(struct txn *t, void *arg)
{
    struct bw_args *a = arg;
    const struct batch_write_req *r = a->r;
    struct table_def **defs = arena_alloc(a->c->arena, r->n_tables * sizeof *defs);
    MDB_dbi *dbis = arena_alloc(a->c->arena, r->n_tables * sizeof *dbis);
    if (!defs || !dbis)
        return err_nomem(t->err);
    kv_status st = check_all(t, a, defs, dbis);
    /* Refusals of an earlier run point into descriptions of that run:
     * each run starts its own account. */
    throttle_batch_init(&a->batch, METRICS_OP_BATCH_WRITE_ITEM);
    a->again = false;
    for (size_t i = 0, n = 0; i < r->n_tables && st == KV_OK; i++) {
        struct batch_write_table_resp *tr = &a->out->tables[i];
        tr->n_unprocessed = 0; /* a retried body starts over */
        tr->n_collections = 0;
        memset(&tr->consumed, 0, sizeof tr->consumed);
        st = charge_describe(t, defs[i], &a->ct[i]);
        for (size_t k = 0; k < r->tables[i].n_elems && st == KV_OK; k++, n++) {
            bool refused = a->left[n];
            if (!refused)
                st = write_elem(t, a, i, defs[i], dbis[i], &r->tables[i].elems[k],
                                &a->ticket[n], &refused);
            if (refused)
                tr->unprocessed[tr->n_unprocessed++] = k;
            a->again = a->again || (refused && !a->left[n]);
            a->left[n] = a->left[n] || refused;
        }
    }
    if (st != KV_OK)
        return st;
    if (a->batch.served == 0)
        return throttle_batch_finish(t->db->throttle, &a->batch, t->err);
    /* Not an error: the transaction aborts and op_batch_write runs it again. */
    return a->again ? KV_THROTTLING : KV_OK;
}

kv_status
op_batch_write(struct op_ctx *c, const struct batch_write_req *r, struct batch_write_resp *out)
{
    memset(out, 0, sizeof *out);
    struct bw_args a = {c, r, out, NULL, NULL, NULL, false, {0}};
    kv_status st = check_shape(c, r);
    if (st == KV_OK)
        st = check_values(c, r);
    if (st != KV_OK)
        return st;
    size_t total = 0;
    for (size_t i = 0; i < r->n_tables; i++)
        total += r->tables[i].n_elems;
    if (!(out->tables = arena_calloc(c->arena, r->n_tables * sizeof *out->tables)) ||
        !(a.ct = arena_calloc(c->arena, r->n_tables * sizeof *a.ct)) ||
        !(a.ticket = arena_calloc(c->arena, total * sizeof *a.ticket)) ||
        !(a.left = arena_calloc(c->arena, total * sizeof *a.left)))
        return err_nomem(c->err);
    for (size_t i = 0; i < r->n_tables; i++) {
        size_t n = r->tables[i].n_elems;
        out->tables[i].unprocessed = arena_alloc(c->arena, n * sizeof *out->tables[i].unprocessed);
        out->tables[i].collections = arena_alloc(c->arena, n * sizeof *out->tables[i].collections);
        if (!out->tables[i].unprocessed || !out->tables[i].collections)
            return err_nomem(c->err);
    }
    do
        st = txn_run_grouped(c->db, batch_write_body, &a, c->err);
    while (st != KV_OK && a.again && c->err->status == KV_OK);
    if (st != KV_OK)
        for (size_t n = 0; n < total; n++)
            throttle_refund(c->db->throttle, &a.ticket[n]);
    return st;
}
