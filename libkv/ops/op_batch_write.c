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
 * An element may be left unprocessed: `admit` decides, per element, before
 * it is written.  Today every element is admitted; capacity enforcement
 * will refuse the ones that do not fit, and they go back to the caller in
 * UnprocessedItems.  DynamoDB's 16 MB request limit needs no check of its
 * own here: 25 items of at most 400 KB stay far below it.
 */
#include "ops.h"
#include "arena.h"
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

/*
 * Whether an element is written now or left in UnprocessedItems.  Every
 * element is admitted until capacity is enforced; throttling will refuse
 * the elements its tables cannot absorb.
 */
static bool
admit(const struct table_def *def, const struct batch_write_elem *e)
{
    (void)def;
    (void)e;
    return true;
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

static kv_status
write_elem(struct txn *t, struct bw_args *a, const struct table_def *def, MDB_dbi dbi,
           const struct batch_write_elem *e, struct batch_write_table_resp *tr)
{
    struct item_write w;
    kv_status st = write_load(t, &w, def, dbi, e->value, false, a->c->arena);
    if (st == KV_OK)
        st = write_store(t, &w, e->kind == BATCH_PUT ? e->value : NULL, false);
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
    for (size_t i = 0; i < r->n_tables && st == KV_OK; i++) {
        struct batch_write_table_resp *tr = &a->out->tables[i];
        tr->n_unprocessed = 0; /* a retried body starts over */
        tr->n_collections = 0;
        memset(&tr->consumed, 0, sizeof tr->consumed);
        for (size_t k = 0; k < r->tables[i].n_elems && st == KV_OK; k++) {
            const struct batch_write_elem *e = &r->tables[i].elems[k];
            if (!admit(defs[i], e))
                tr->unprocessed[tr->n_unprocessed++] = k;
            else
                st = write_elem(t, a, defs[i], dbis[i], e, tr);
        }
    }
    return st;
}

kv_status
op_batch_write(struct op_ctx *c, const struct batch_write_req *r, struct batch_write_resp *out)
{
    memset(out, 0, sizeof *out);
    struct bw_args a = {c, r, out};
    kv_status st = check_shape(c, r);
    if (st == KV_OK)
        st = check_values(c, r);
    if (st != KV_OK)
        return st;
    if (!(out->tables = arena_calloc(c->arena, r->n_tables * sizeof *out->tables)))
        return err_nomem(c->err);
    for (size_t i = 0; i < r->n_tables; i++) {
        size_t n = r->tables[i].n_elems;
        out->tables[i].unprocessed = arena_alloc(c->arena, n * sizeof *out->tables[i].unprocessed);
        out->tables[i].collections = arena_alloc(c->arena, n * sizeof *out->tables[i].collections);
        if (!out->tables[i].unprocessed || !out->tables[i].collections)
            return err_nomem(c->err);
    }
    return txn_run(c->db, true, batch_write_body, &a, c->err);
}
