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
 * Handles are opened first, outside it, as db_dbi_open expects.
 */
#include "db.h"
#include "err.h"
#include "mem.h"

#include <errno.h>
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

/* The names of the named databases, read from the main database. */
static int
list_named(struct kv_db *db, char (**names)[MAX_DBI_NAME + 1], size_t *n)
{
    MDB_txn *txn;
    MDB_dbi main;
    MDB_cursor *cur;
    size_t cap = 0;
    *names = NULL;
    *n = 0;
    int rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn);
    if (rc)
        return rc;
    if ((rc = mdb_dbi_open(txn, NULL, 0, &main)) || (rc = mdb_cursor_open(txn, main, &cur))) {
        mdb_txn_abort(txn);
        return rc;
    }
    MDB_val key, data;
    for (rc = mdb_cursor_get(cur, &key, &data, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &key, &data, MDB_NEXT)) {
        if (key.mv_size == 0 || key.mv_size > MAX_DBI_NAME ||
            memchr(key.mv_data, '\0', key.mv_size))
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            void *grown = mem_realloc(*names, cap * sizeof **names);
            if (!grown) {
                rc = ENOMEM;
                break;
            }
            *names = grown;
        }
        memcpy((*names)[*n], key.mv_data, key.mv_size);
        (*names)[(*n)++][key.mv_size] = '\0';
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * Open a handle for every named database.  A handle opened after a
 * transaction began is not valid in it, so this comes before the
 * transaction that reads the figures.
 */
static int
open_named(struct kv_db *db, MDB_dbi **dbis, size_t *n)
{
    char(*names)[MAX_DBI_NAME + 1];
    size_t n_names;
    int rc = list_named(db, &names, &n_names);
    *dbis = rc ? NULL : mem_calloc(n_names ? n_names : 1, sizeof **dbis);
    *n = 0;
    if (!rc && !*dbis)
        rc = ENOMEM;
    for (size_t i = 0; !rc && i < n_names; i++) {
        struct kv_err ignored;
        err_init(&ignored);
        if (db_dbi_open(db, names[i], &(*dbis)[*n], &ignored) == KV_OK)
            (*n)++; /* else a plain record, not a database */
    }
    mem_free(names);
    return rc;
}

static void
sum_named(MDB_txn *txn, const MDB_dbi *dbis, size_t n, kv_db_stats_info *out)
{
    for (size_t i = 0; i < n; i++) {
        MDB_stat st;
        if (mdb_stat(txn, dbis[i], &st) != 0)
            continue;
        add_tree(out, &st);
        out->n_databases++;
    }
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
    MDB_dbi *dbis = NULL;
    size_t n_dbis = 0;
    int rc = open_named(db, &dbis, &n_dbis);
    pthread_rwlock_rdlock(&db->resize_lock);
    if (rc == 0)
        rc = mdb_env_info(db->env, &info);
    if (rc == 0)
        rc = mdb_env_stat(db->env, &env);
    if (rc == 0)
        rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn);
    if (rc == 0) {
        sum_named(txn, dbis, n_dbis, out);
        rc = count_free(txn, out);
    }
    mdb_txn_abort(txn);
    pthread_rwlock_unlock(&db->resize_lock);
    mem_free(dbis);
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
