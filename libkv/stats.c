/*
 * stats.c -- kv_db_stats: LMDB's storage figures for a whole database.
 *
 * One read transaction gives a consistent snapshot.  The main database
 * holds one record per named database (catalog, table items, indexes);
 * each is opened through the handle pool in db.c and its B-tree figures
 * summed.  The free list is LMDB's own database 0: each record is a
 * list of page numbers freed by one transaction, led by their count.
 * Reading it is what mdb_stat -f does.
 *
 * The map may be grown by another thread meanwhile, so the read runs
 * under the shared side of resize_lock, like every other transaction.
 */
#include "db.h"
#include "err.h"

#include <string.h>

/* Longest named-database name the handle pool stores (see dbi_slot). */
#define MAX_DBI_NAME 23

static void
add_tree(kv_db_stats_info *out, const MDB_stat *st)
{
    if (st->ms_depth > out->depth)
        out->depth = st->ms_depth;
    out->branch_pages += st->ms_branch_pages;
    out->leaf_pages += st->ms_leaf_pages;
    out->overflow_pages += st->ms_overflow_pages;
    out->entries += st->ms_entries;
}

/* Sum the trees of every named database listed in the main database. */
static int
sum_named(struct kv_db *db, MDB_txn *txn, kv_db_stats_info *out)
{
    MDB_dbi main;
    MDB_cursor *cur;
    int rc = mdb_dbi_open(txn, NULL, 0, &main);
    if (rc || (rc = mdb_cursor_open(txn, main, &cur)))
        return rc;
    MDB_val key, data;
    char name[MAX_DBI_NAME + 1];
    for (rc = mdb_cursor_get(cur, &key, &data, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &key, &data, MDB_NEXT)) {
        if (key.mv_size == 0 || key.mv_size > MAX_DBI_NAME ||
            memchr(key.mv_data, '\0', key.mv_size))
            continue;
        memcpy(name, key.mv_data, key.mv_size);
        name[key.mv_size] = '\0';
        struct kv_err ignored;
        err_init(&ignored);
        MDB_dbi dbi;
        MDB_stat st;
        if (db_dbi_open(db, name, &dbi, &ignored) != KV_OK || mdb_stat(txn, dbi, &st) != 0)
            continue; /* a plain record, not a database */
        add_tree(out, &st);
        out->n_databases++;
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
count_free(MDB_txn *txn, kv_db_stats_info *out)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, 0, &cur);
    if (rc)
        return rc;
    MDB_val key, data;
    for (rc = mdb_cursor_get(cur, &key, &data, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &key, &data, MDB_NEXT)) {
        if (data.mv_size >= sizeof(size_t)) {
            size_t n;
            memcpy(&n, data.mv_data, sizeof n);
            out->free_pages += n;
        }
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static kv_status
read_stats(struct kv_db *db, kv_db_stats_info *out, struct kv_err *err)
{
    MDB_envinfo info;
    MDB_stat env;
    MDB_txn *txn = NULL;
    pthread_rwlock_rdlock(&db->resize_lock);
    int rc = mdb_env_info(db->env, &info);
    if (rc == 0)
        rc = mdb_env_stat(db->env, &env);
    if (rc == 0)
        rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn);
    if (rc == 0)
        rc = sum_named(db, txn, out);
    if (rc == 0)
        rc = count_free(txn, out);
    mdb_txn_abort(txn);
    pthread_rwlock_unlock(&db->resize_lock);
    if (rc)
        return db_lmdb_error(rc, "reading storage figures", err);
    out->page_size = env.ms_psize;
    out->map_size = info.me_mapsize;
    out->pages_used = info.me_last_pgno + 1;
    out->max_readers = info.me_maxreaders;
    out->readers = info.me_numreaders;
    out->last_txn = info.me_last_txnid;
    return KV_OK;
}

kv_status
kv_db_stats(kv_db *db, kv_db_stats_info *out)
{
    if (!db)
        return KV_MISUSE;
    struct kv_err err;
    err_init(&err);
    if (!out) {
        ERR_MISUSE(&err, "kv_db_stats needs an out-parameter");
        return db_finish(db, &err);
    }
    memset(out, 0, sizeof *out);
    if (read_stats(db, out, &err) != KV_OK)
        memset(out, 0, sizeof *out);
    return db_finish(db, &err);
}
