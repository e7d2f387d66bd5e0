/*
 * txn.c -- the transaction runner; see txn.h.
 *
 * Read transactions are reused: each thread keeps one per handle, reset
 * between calls and renewed on the next, which spares LMDB's setup of a
 * reader slot on every GetItem.
 *
 * Group commit: a synced commit costs a disk flush, far more than the
 * write itself, and LMDB runs one write transaction at a time.  So
 * writes queue while a group is committing; the first of them
 * to find no group running leads the next: it takes the whole queue, runs
 * each write's body (if one fails, again with each in a nested transaction,
 * mdb_txn_begin with a parent, so that the failure aborts that write
 * alone), commits the top transaction with one sync, and only then wakes
 * each writer with its own status.
 * Capacity admission, metrics and index upkeep all happen inside the
 * bodies, so each write keeps them to itself.
 */
#include "txn.h"
#include "catalog.h"
#include "db.h"
#include "err.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

/* Enough for any legitimate sequence of cures (open a few handles, grow
 * the map a few times); a loop beyond this is a bug, reported as such. */
#define MAX_ATTEMPTS 64

/* At most this many scheduler turns a new leader waits for writers to
 * join its group (see group_submit). */
#define GROUP_GATHER_TURNS 16

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

/* The status of a commit that failed with LMDB's code rc. */
static kv_status
txn_commit_failed(struct txn *t, int rc)
{
    if (rc == EIO || rc == ENOSPC || rc == EFBIG || rc == EDQUOT)
        /* LMDB reports a short write as EIO; a full disk or a file size
         * limit are the likely causes.  The commit was abandoned whole. */
        return err_set(t->err, KV_IO,
                       "The write was not stored: the database file could not be written "
                       "(%s); the disk may be full",
                       mdb_strerror(rc));
    return txn_check(t, rc, "committing");
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
    if (st == KV_OK && rc)
        st = txn_commit_failed(t, rc);
    return st;
}

/* Cure what made the body ask for a retry.  Called holding the resize lock
 * shared; growth, which needs it exclusive, is left to txn_recover. */
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

/*
 * After an attempt asked for a retry: cure it (with the resize lock
 * shared), then grow the map if that is what it needs.  `seen` is the map
 * size the attempt ran with: when several writes of one group met the full
 * map, only the first to get here grows it.
 */
static kv_status
txn_recover(struct txn *t, uint64_t seen)
{
    struct kv_db *db = t->db;
    pthread_rwlock_rdlock(&db->resize_lock);
    kv_status st = txn_cure(t) != KV_OK ? t->err->status : KV_OK;
    pthread_rwlock_unlock(&db->resize_lock);
    if (st != KV_OK)
        return st;
    if (t->retry == RETRY_RESIZED || t->retry == RETRY_MAP_FULL)
        return db_grow(db, t->retry == RETRY_RESIZED, seen, t->err);
    return KV_OK;
}

static kv_status
txn_init(struct txn *t, struct kv_db *db, bool write, struct kv_err *err)
{
    memset(t, 0, sizeof *t);
    t->db = db;
    t->write = write;
    t->err = err;
    if (!(t->ts = db_thread(db)))
        return err_nomem(err);
    if (write && db->opt.read_only)
        return ERR_MISUSE(err, "The database is open read-only");
    return KV_OK;
}

kv_status
txn_run(struct kv_db *db, bool write, txn_body body, void *arg, struct kv_err *err)
{
    struct txn t;
    if (txn_init(&t, db, write, err) != KV_OK)
        return err->status;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        pthread_rwlock_rdlock(&db->resize_lock);
        uint64_t seen = db->map_size;
        kv_status st = txn_attempt(&t, body, arg);
        pthread_rwlock_unlock(&db->resize_lock);
        if (st != KV_RETRY)
            return st;
        if (txn_recover(&t, seen) != KV_OK)
            return err->status;
    }
    return err_set(err, KV_INTERNAL, "transaction retried too many times");
}

/* --- group commit ------------------------------------------------------------ */

struct group_req {
    struct txn t;      /* the writer's transaction state; t.txn set by the leader */
    txn_body body;
    void *arg;
    kv_status st;      /* the write's outcome, set by the leader */
    uint64_t seen;     /* the map size it ran with */
    bool failed_first; /* failed in the group's first run: kept, not run again */
    bool done;
    struct group_req *next;
};

/* Run one write of a group inside `top`: straight in it, or in a nested
 * transaction of its own. */
static kv_status
group_one(struct group_req *q, MDB_txn *top, bool direct)
{
    struct txn *t = &q->t;
    t->retry = RETRY_NONE;
    t->have_gen = false;
    if (direct) {
        t->txn = top;
        kv_status st = q->body(t, q->arg);
        t->txn = NULL;
        return st;
    }
    MDB_txn *child;
    int rc = mdb_txn_begin(t->db->env, top, 0, &child);
    if (rc)
        return txn_check(t, rc, "beginning a transaction");
    t->txn = child;
    kv_status st = q->body(t, q->arg);
    if (st == KV_OK) {
        if ((rc = mdb_txn_commit(child)))
            st = txn_check(t, rc, "committing");
    } else {
        mdb_txn_abort(child);
    }
    t->txn = NULL;
    return st;
}

/* Begin the group's transaction; on failure every write of the group
 * still to run gets the error (or a retry when the map was grown by
 * another process). */
static bool
group_begin(struct kv_db *db, struct group_req *batch, MDB_txn **top)
{
    int rc = mdb_txn_begin(db->env, NULL, 0, top);
    for (struct group_req *q = batch; rc && q; q = q->next) {
        if (q->failed_first) /* its outcome stands */
            continue;
        if (rc == MDB_MAP_RESIZED) {
            q->t.retry = RETRY_RESIZED;
            q->st = KV_RETRY;
        } else {
            q->st = db_lmdb_error(rc, "beginning a transaction", q->t.err);
        }
    }
    return rc == 0;
}

/*
 * The leader's work: run every write of the group, then commit (and sync)
 * the ones that succeeded at once.  A failed commit fails them all.
 *
 * Most groups fail nowhere, so the writes first run straight in the
 * group's transaction: a nested transaction costs LMDB a zeroed table of
 * every possible named database, more than a small write itself.  When one
 * fails, that transaction is dropped and the group runs again with each
 * write nested, so the failure undoes its own changes only.  The write
 * that failed keeps its outcome and does not run again: what it met is
 * unchanged (the writes before it run again the same), and a body may
 * carry state from one run to the next (a BatchWriteItem leaves out the
 * elements capacity refused), so a second run could answer differently.
 */
static void
group_lead(struct kv_db *db, struct group_req *batch)
{
    pthread_rwlock_rdlock(&db->resize_lock);
    uint64_t seen = db->map_size;
    bool alone = batch->next == NULL, nested = false;
    MDB_txn *top;
    for (struct group_req *q = batch; q; q = q->next) {
        q->seen = seen;
        q->failed_first = false;
    }
    for (;;) {
        if (!group_begin(db, batch, &top))
            break;
        size_t ok = 0;
        bool failed = false;
        for (struct group_req *q = batch; q && !failed; q = q->next) {
            if (q->failed_first)
                continue;
            if ((q->st = group_one(q, top, !nested)) == KV_OK)
                ok++;
            else if (!nested)
                failed = q->failed_first = true;
        }
        if (failed && !alone) {
            mdb_txn_abort(top);
            for (struct group_req *q = batch; q; q = q->next)
                if (q->st != KV_OK && !q->failed_first)
                    err_clear(q->t.err);
            nested = true;
            continue;
        }
        int rc;
        if (ok == 0) {
            mdb_txn_abort(top);
        } else if ((rc = mdb_txn_commit(top))) {
            for (struct group_req *q = batch; q; q = q->next)
                if (q->st == KV_OK)
                    q->st = txn_commit_failed(&q->t, rc);
        }
        break;
    }
    pthread_rwlock_unlock(&db->resize_lock);
}

/* Queue r and return once a leader (perhaps this thread) has run it. */
static void
group_submit(struct kv_db *db, struct group_req *r)
{
    struct txn_group *g = &db->group;
    r->done = false;
    r->next = NULL;
    pthread_mutex_lock(&g->lock);
    if (g->tail)
        g->tail->next = r;
    else
        g->head = r;
    g->tail = r;
    g->waiting++;
    while (!r->done) {
        if (g->leading || g->held) {
            pthread_cond_wait(&g->cond, &g->lock);
            continue;
        }
        /* Writers the last group just released are on their way back
         * with their next write: let them join this group rather than
         * wait a whole sync for the next one.  Stop as soon as a turn of
         * the scheduler brings nobody new. */
        g->leading = true;
        for (int turn = 0; turn < GROUP_GATHER_TURNS; turn++) {
            size_t before = g->waiting;
            pthread_mutex_unlock(&g->lock);
            sched_yield();
            pthread_mutex_lock(&g->lock);
            if (g->waiting == before)
                break;
        }
        struct group_req *batch = g->head;
        g->head = g->tail = NULL;
        g->waiting = 0;
        pthread_mutex_unlock(&g->lock);
        group_lead(db, batch);
        pthread_mutex_lock(&g->lock);
        while (batch) {
            struct group_req *next = batch->next;
            batch->done = true;
            batch = next;
        }
        g->leading = false;
        pthread_cond_broadcast(&g->cond);
    }
    pthread_mutex_unlock(&g->lock);
}

kv_status
txn_run_grouped(struct kv_db *db, txn_body body, void *arg, struct kv_err *err)
{
    /* Without syncs there is nothing to share; nesting would only cost. */
    if (db->opt.no_sync)
        return txn_run(db, true, body, arg, err);
    struct group_req r;
    memset(&r, 0, sizeof r);
    if (txn_init(&r.t, db, true, err) != KV_OK)
        return err->status;
    r.body = body;
    r.arg = arg;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        group_submit(db, &r);
        if (r.st != KV_RETRY)
            return r.st;
        if (txn_recover(&r.t, r.seen) != KV_OK)
            return err->status;
    }
    return err_set(err, KV_INTERNAL, "transaction retried too many times");
}

void
txn_group_hold(struct kv_db *db, bool hold)
{
    pthread_mutex_lock(&db->group.lock);
    db->group.held = hold;
    pthread_cond_broadcast(&db->group.cond);
    pthread_mutex_unlock(&db->group.lock);
}

size_t
txn_group_waiting(struct kv_db *db)
{
    pthread_mutex_lock(&db->group.lock);
    size_t n = db->group.waiting;
    pthread_mutex_unlock(&db->group.lock);
    return n;
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
    /* A handle another thread opened after this transaction began is
     * unknown to it (LMDB answers EINVAL): run again in a new one.  Long
     * group commits make that likely, with many writers starting at once. */
    unsigned flags;
    if (db_dbi_find(t->db, name, out) && mdb_dbi_flags(t->txn, *out, &flags) == 0)
        return KV_OK;
    snprintf(t->need_dbi, sizeof t->need_dbi, "%s", name);
    t->retry = RETRY_DBI;
    return KV_RETRY;
}
