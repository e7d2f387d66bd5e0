/*
 * txn.c -- the transaction runner; see txn.h.
 *
 * Read transactions are reused: each thread keeps one per handle, reset
 * between calls and renewed on the next, which spares LMDB's setup of a
 * reader slot on every GetItem.
 */
#include "txn.h"
#include "catalog.h"
#include "db.h"
#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Enough for any legitimate sequence of cures (open a few handles, grow
 * the map a few times); a loop beyond this is a bug, reported as such. */
#define MAX_ATTEMPTS 64

static int
txn_begin(struct txn *t)
{
    if (t->write)
        return mdb_txn_begin(t->db->env, NULL, 0, &t->txn);
    if (t->ts->rtxn) {
        int rc = mdb_txn_renew(t->ts->rtxn);
        if (rc == 0) {
            t->txn = t->ts->rtxn;
            return 0;
        }
        mdb_txn_abort(t->ts->rtxn);
        t->ts->rtxn = NULL;
    }
    int rc = mdb_txn_begin(t->db->env, NULL, MDB_RDONLY, &t->txn);
    if (rc == 0)
        t->ts->rtxn = t->txn;
    return rc;
}

/* End the transaction; returns the commit's LMDB code for writes. */
static int
txn_end(struct txn *t, bool commit)
{
    int rc = 0;
    if (t->write) {
        if (commit)
            rc = mdb_txn_commit(t->txn);
        else
            mdb_txn_abort(t->txn);
    } else {
        mdb_txn_reset(t->txn);
    }
    t->txn = NULL;
    return rc;
}

/* One attempt: begin, body, end.  Holds the resize lock shared throughout. */
static kv_status
txn_attempt(struct txn *t, txn_body body, void *arg)
{
    t->retry = RETRY_NONE;
    t->have_gen = false;
    int rc = txn_begin(t);
    if (rc == MDB_MAP_RESIZED) {
        t->retry = RETRY_RESIZED;
        return KV_RETRY;
    }
    if (rc)
        return db_lmdb_error(rc, "beginning a transaction", t->err);
    kv_status st = body(t, arg);
    rc = txn_end(t, st == KV_OK);
    if (st == KV_OK && (rc == EIO || rc == ENOSPC || rc == EFBIG || rc == EDQUOT))
        /* LMDB reports a short write as EIO; a full disk or a file size
         * limit are the likely causes.  The commit was abandoned whole. */
        st = err_set(t->err, KV_IO,
                     "The write was not stored: the database file could not be written "
                     "(%s); the disk may be full",
                     mdb_strerror(rc));
    else if (st == KV_OK && rc)
        st = txn_check(t, rc, "committing");
    return st;
}

/* Cure what made the body ask for a retry.  Called holding the resize lock
 * shared; growth, which needs it exclusive, is left to the caller. */
static kv_status
txn_cure(struct txn *t)
{
    MDB_dbi dbi;
    switch (t->retry) {
    case RETRY_DBI:
        return db_dbi_open(t->db, t->need_dbi, &dbi, t->err);
    case RETRY_POOL:
        if (catalog_refill_pool(t->db, t->err) == KV_RETRY)
            t->retry = RETRY_MAP_FULL;
        return t->err->status;
    default:
        return KV_OK;
    }
}

kv_status
txn_run(struct kv_db *db, bool write, txn_body body, void *arg, struct kv_err *err)
{
    struct txn t;
    memset(&t, 0, sizeof t);
    t.db = db;
    t.write = write;
    t.err = err;
    if (!(t.ts = db_thread(db)))
        return err_nomem(err);
    if (write && db->opt.read_only)
        return ERR_MISUSE(err, "The database is open read-only");
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        pthread_rwlock_rdlock(&db->resize_lock);
        kv_status st = txn_attempt(&t, body, arg);
        if (st == KV_RETRY && txn_cure(&t) != KV_OK)
            st = err->status;
        pthread_rwlock_unlock(&db->resize_lock);
        if (st != KV_RETRY)
            return st;
        if (t.retry == RETRY_MAP_FULL || t.retry == RETRY_RESIZED)
            if (db_grow(db, t.retry == RETRY_RESIZED, err) != KV_OK)
                return err->status;
    }
    return err_set(err, KV_INTERNAL, "transaction retried too many times");
}

kv_status
txn_check(struct txn *t, int rc, const char *what)
{
    if (rc == 0)
        return KV_OK;
    if (rc == MDB_MAP_FULL && t->err->status == KV_OK) {
        t->retry = RETRY_MAP_FULL;
        return KV_RETRY;
    }
    return db_lmdb_error(rc, what, t->err);
}

kv_status
txn_dbi(struct txn *t, const char *name, MDB_dbi *out)
{
    if (db_dbi_find(t->db, name, out))
        return KV_OK;
    snprintf(t->need_dbi, sizeof t->need_dbi, "%s", name);
    t->retry = RETRY_DBI;
    return KV_RETRY;
}
