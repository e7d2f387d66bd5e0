/*
 * backfill.c -- building a new global secondary index from existing
 * items; see backfill.h.
 */
#include "backfill.h"
#include "arena.h"
#include "capacity.h"
#include "catalog.h"
#include "db.h"
#include "err.h"
#include "index.h"
#include "keycodec.h"
#include "ops/item_common.h"
#include "txn.h"

#include <string.h>

/* Items copied per write transaction, and the bytes read that end a chunk
 * early: small enough that writers wait little between chunks. */
#define CHUNK_ITEMS 1000
#define CHUNK_BYTES (4u << 20)

/* The record: table name, a zero byte, then the last key copied (none
 * before the first chunk). */
static MDB_val
record_key(uint8_t *buf, const char *dbname)
{
    size_t len = strlen(dbname);
    buf[0] = 'b';
    memcpy(buf + 1, dbname, len);
    return (MDB_val){len + 1, buf};
}

kv_status
backfill_begin(struct txn *t, const char *table, const char *dbname)
{
    uint8_t kb[DBNAME_MAX + 1];
    MDB_val k = record_key(kb, dbname), v = {strlen(table) + 1, (void *)table};
    return txn_check(t, mdb_put(t->txn, t->db->catalog, &k, &v, 0), "writing the catalog");
}

kv_status
backfill_cancel(struct txn *t, const char *dbname)
{
    uint8_t kb[DBNAME_MAX + 1];
    MDB_val k = record_key(kb, dbname);
    int rc = mdb_del(t->txn, t->db->catalog, &k, NULL);
    return rc == MDB_NOTFOUND ? KV_OK : txn_check(t, rc, "writing the catalog");
}

kv_status
backfill_covers(struct txn *t, const struct table_def *def, const struct index_def *ix,
                const struct keybuf *key, bool *covered)
{
    uint8_t kb[DBNAME_MAX + 1];
    MDB_val k = record_key(kb, ix->dbname), v;
    *covered = true;
    int rc = mdb_get(t->txn, t->db->catalog, &k, &v);
    if (rc == MDB_NOTFOUND)
        return KV_OK;
    if (rc)
        return txn_check(t, rc, "reading the catalog");
    const uint8_t *p = v.mv_data, *nul = memchr(p, 0, v.mv_size);
    if (!nul)
        return ERR_CORRUPT(t->err, "backfill record without a table name");
    MDB_val last = {v.mv_size - (size_t)(nul + 1 - p), (void *)(nul + 1)};
    if (last.mv_size == 0) {
        *covered = false;
        return KV_OK;
    }
    MDB_dbi dbi;
    kv_status st = txn_dbi(t, def->dbname, &dbi);
    if (st != KV_OK)
        return st;
    MDB_val mine = {key->len, (void *)key->bytes};
    *covered = mdb_cmp(t->txn, dbi, &mine, &last) <= 0;
    return KV_OK;
}

/* --- one chunk ------------------------------------------------------------------- */

struct chunk {
    size_t max_items;
    bool found; /* there was a record to work on */
};

/* The index that database `dbname` holds, if it is still being built. */
static struct index_def *
building(struct table_def *def, const char *dbname, size_t len)
{
    for (size_t i = 0; def && i < def->n_indexes; i++) {
        struct index_def *ix = &def->indexes[i];
        if (strlen(ix->dbname) == len && memcmp(ix->dbname, dbname, len) == 0)
            return ix->backfilling ? ix : NULL;
    }
    return NULL;
}

/* Store the description with index `pos` ACTIVE. */
static kv_status
finish_index(struct txn *t, struct arena *a, const struct table_def *def, size_t pos)
{
    struct table_def nd = *def;
    if (!(nd.indexes = arena_alloc(a, (def->n_indexes + 1) * sizeof *nd.indexes)))
        return err_nomem(t->err);
    memcpy(nd.indexes, def->indexes, def->n_indexes * sizeof *nd.indexes);
    nd.indexes[pos].status = "ACTIVE";
    nd.indexes[pos].backfilling = false;
    return catalog_put(t, &nd);
}

/* Copy the items after `last` into the index, up to a chunk's worth. */
static kv_status
copy_items(struct txn *t, struct arena *a, const struct table_def *def, const struct index_def *ix,
           size_t max_items, MDB_val *last, bool *end)
{
    MDB_dbi dbi;
    MDB_cursor *cur;
    kv_status st = txn_dbi(t, def->dbname, &dbi);
    if (st != KV_OK)
        return st;
    if ((st = txn_check(t, mdb_cursor_open(t->txn, dbi, &cur), "reading a table")) != KV_OK)
        return st;
    MDB_val k = *last, v;
    int rc = last->mv_size ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE)
                           : mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    if (rc == 0 && last->mv_size && mdb_cmp(t->txn, dbi, &k, last) == 0)
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    size_t items = 0, bytes = 0;
    struct consumed unused;
    memset(&unused, 0, sizeof unused);
    while (rc == 0 && items < max_items && bytes < CHUNK_BYTES) {
        struct kv_value *item;
        struct keybuf key;
        /* Copies, because writing the index moves LMDB's pages under us. */
        void *kcopy = arena_alloc(a, k.mv_size);
        if (!kcopy) {
            st = err_nomem(t->err);
            break;
        }
        memcpy(kcopy, k.mv_data, k.mv_size);
        *last = (MDB_val){k.mv_size, kcopy};
        bytes += k.mv_size + v.mv_size;
        items++;
        if ((st = item_decode(t, &v, a, false, &item)) != KV_OK ||
            (st = item_key(t, def, item, &key)) != KV_OK ||
            (st = index_backfill_item(t, def, ix, &key, item, &unused)) != KV_OK)
            break;
        /* Re-seek: the cursor may not survive writes to another database. */
        k = *last;
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        if (rc == 0 && mdb_cmp(t->txn, dbi, &k, last) == 0)
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (st != KV_OK)
        return st;
    if (rc && rc != MDB_NOTFOUND)
        return txn_check(t, rc, "reading a table");
    *end = rc == MDB_NOTFOUND;
    return KV_OK;
}

/* The first progress record in the catalog, if any. */
static kv_status
first_record(struct txn *t, MDB_val *k, MDB_val *v, bool *found)
{
    static uint8_t prefix = 'b';
    MDB_cursor *cur;
    *k = (MDB_val){1, &prefix};
    *found = false;
    kv_status st =
        txn_check(t, mdb_cursor_open(t->txn, t->db->catalog, &cur), "reading the catalog");
    if (st != KV_OK)
        return st;
    int rc = mdb_cursor_get(cur, k, v, MDB_SET_RANGE);
    mdb_cursor_close(cur);
    *found = rc == 0 && ((uint8_t *)k->mv_data)[0] == 'b';
    return rc == 0 || rc == MDB_NOTFOUND ? KV_OK : txn_check(t, rc, "reading the catalog");
}

static kv_status
chunk_body(struct txn *t, void *arg)
{
    struct chunk *c = arg;
    MDB_val k, v;
    kv_status st = first_record(t, &k, &v, &c->found);
    if (st != KV_OK || !c->found)
        return st;
    struct arena *a = arena_new();
    if (!a)
        return err_nomem(t->err);
    /* Copy the record out before anything is written. */
    uint8_t *rk = arena_alloc(a, k.mv_size), *rv = arena_alloc(a, v.mv_size + 1);
    if (!rk || !rv) {
        arena_free(a);
        return err_nomem(t->err);
    }
    memcpy(rk, k.mv_data, k.mv_size);
    memcpy(rv, v.mv_data, v.mv_size);
    MDB_val rec = {k.mv_size, rk};
    const char *table = (const char *)rv;
    size_t tlen = strnlen(table, v.mv_size);
    if (tlen == v.mv_size) {
        arena_free(a);
        return ERR_CORRUPT(t->err, "backfill record without a table name");
    }
    MDB_val last = {v.mv_size - tlen - 1, rv + tlen + 1};
    struct table_def *def;
    if ((st = catalog_get(t, table, tlen, &def)) != KV_OK) {
        arena_free(a);
        return st;
    }
    struct index_def *ix = building(def, (const char *)rk + 1, k.mv_size - 1);
    bool end = true;
    if (ix)
        st = copy_items(t, a, def, ix, c->max_items, &last, &end);
    if (st == KV_OK && end) {
        st = txn_check(t, mdb_del(t->txn, t->db->catalog, &rec, NULL), "writing the catalog");
        if (st == KV_OK && ix)
            st = finish_index(t, a, def, (size_t)(ix - def->indexes));
    } else if (st == KV_OK) {
        size_t n = tlen + 1 + last.mv_size;
        uint8_t *nv = arena_alloc(a, n);
        if (!nv) {
            arena_free(a);
            return err_nomem(t->err);
        }
        memcpy(nv, table, tlen + 1);
        memcpy(nv + tlen + 1, last.mv_data, last.mv_size);
        MDB_val val = {n, nv};
        st = txn_check(t, mdb_put(t->txn, t->db->catalog, &rec, &val, 0), "writing the catalog");
    }
    arena_free(a);
    return st;
}

/* --- the background thread ----------------------------------------------------------- */

static void *
worker(void *arg)
{
    struct kv_db *db = arg;
    for (;;) {
        pthread_mutex_lock(&db->bf_lock);
        db->bf_wanted = false;
        pthread_mutex_unlock(&db->bf_lock);
        struct chunk c = {CHUNK_ITEMS, true};
        kv_status st = KV_OK;
        while (st == KV_OK && c.found && !db->bf_held) {
            struct kv_err err;
            err_init(&err);
            st = txn_run(db, true, chunk_body, &c, &err);
            err_clear(&err);
        }
        pthread_mutex_lock(&db->bf_lock);
        /* A failure (a full disk, say) waits for the next kick or open. */
        if (!db->bf_wanted || st != KV_OK) {
            db->bf_running = false;
            pthread_mutex_unlock(&db->bf_lock);
            return NULL;
        }
        pthread_mutex_unlock(&db->bf_lock);
    }
}

void
backfill_kick(struct kv_db *db)
{
    if (db->opt.read_only)
        return;
    pthread_mutex_lock(&db->bf_lock);
    db->bf_wanted = true;
    if (!db->bf_running && !db->bf_closing && !db->bf_held) {
        if (db->bf_started)
            pthread_join(db->bf_thread, NULL);
        db->bf_started = db->bf_running = pthread_create(&db->bf_thread, NULL, worker, db) == 0;
    }
    pthread_mutex_unlock(&db->bf_lock);
}

static kv_status
pending_body(struct txn *t, void *arg)
{
    MDB_val k, v;
    return first_record(t, &k, &v, arg);
}

kv_status
backfill_resume(struct kv_db *db, struct kv_err *err)
{
    bool pending = false;
    if (db->opt.read_only)
        return KV_OK;
    kv_status st = txn_run(db, false, pending_body, &pending, err);
    if (st == KV_OK && pending)
        backfill_kick(db);
    return st;
}

void
backfill_finish(struct kv_db *db)
{
    pthread_mutex_lock(&db->bf_lock);
    db->bf_closing = true;
    bool started = db->bf_started;
    db->bf_started = false;
    pthread_mutex_unlock(&db->bf_lock);
    if (started)
        pthread_join(db->bf_thread, NULL);
}

void
backfill_hold(struct kv_db *db, bool hold)
{
    pthread_mutex_lock(&db->bf_lock);
    db->bf_held = hold;
    bool started = hold && db->bf_started;
    db->bf_started = started ? false : db->bf_started;
    pthread_mutex_unlock(&db->bf_lock);
    if (started)
        pthread_join(db->bf_thread, NULL);
    if (!hold)
        backfill_kick(db);
}

kv_status
backfill_step(struct kv_db *db, size_t max_items, bool *more, struct kv_err *err)
{
    struct chunk c = {max_items, false};
    kv_status st = txn_run(db, true, chunk_body, &c, err);
    *more = c.found;
    return st;
}
