/*
 * db.h -- the database handle and its per-thread state.
 *
 * A kv_db owns one LMDB environment.  Any number of threads share it; each
 * thread keeps, per handle, a reusable read transaction (LMDB's
 * reset/renew avoids setting one up per call), a cache of table
 * descriptions, and the message of its last failed call (kv_errmsg).
 *
 * Map growth needs every transaction of the process to be finished
 * (mdb_env_set_mapsize), so every transaction holds `resize_lock` shared
 * and growth takes it exclusively.  The lock prefers writers, so a grower
 * cannot be starved by a stream of readers.
 */
#ifndef KV_DB_H
#define KV_DB_H

#include "kv.h"
#include "clock.h"
#include "err.h"

#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct table_def;
struct throttle;
struct group_req;

/*
 * Group commit (txn.c): single-item writes that arrive while another is
 * committing queue here; one of them, the leader, runs the queue in one
 * LMDB write transaction, each write in a nested transaction of its own,
 * then commits and syncs once and wakes the others with their own status.
 */
struct txn_group {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct group_req *head, *tail; /* writes waiting for a leader */
    size_t waiting;                /* how many */
    bool leading;                  /* a leader is running a group */
    bool held;                     /* tests: no leader may start */
};

/* One table description cached by one thread. */
struct cached_table {
    struct table_def *def;
};

/* Catalog records read in one read snapshot (catalog.c): a snapshot with
 * the same transaction id holds the same records, so later read
 * transactions of the thread that see that id need not read them again. */
#define SNAP_STATS 4
struct snap_cache {
    uint64_t txn_id;          /* the snapshot; 0: nothing cached */
    bool have_gen;
    uint64_t gen;             /* catalog generation */
    size_t n_stats;
    struct {
        char dbname[24];
        uint64_t item_count, size_bytes;
    } stats[SNAP_STATS];      /* table and index counters */
};

struct thread_state {
    struct kv_db *db;
    MDB_txn *rtxn;            /* reset read transaction, or NULL */
    struct snap_cache snap;   /* catalog records of the last read snapshot */
    struct kv_err last;       /* the last failed call's error */
    uint64_t cache_gen;       /* catalog generation the cache reflects */
    struct table_def **cache; /* descriptions loaded at cache_gen */
    size_t n_cache, cap_cache;
    struct thread_state *next, *prev;
};

/* Named LMDB databases are pooled: see catalog.c. */
struct dbi_slot {
    char name[24];
    MDB_dbi dbi;
};

struct kv_db {
    MDB_env *env;
    char *path;
    kv_options opt;
    unsigned max_dbs;
    uint64_t map_size;
    MDB_dbi catalog; /* the catalog's named database */

    pthread_key_t tls;
    pthread_mutex_t lock;          /* threads list, dbi slots, dbi opening */
    pthread_rwlock_t resize_lock;  /* shared by transactions, exclusive to grow */
    struct thread_state *threads;

    struct dbi_slot *dbis;         /* named databases opened in this process */
    size_t n_dbis, cap_dbis;

    struct clock clock;            /* real, or the caller's (kv_options.clock) */
    struct throttle *throttle;     /* capacity buckets and metrics */
    struct txn_group group;        /* writes committed together */
    bool has_retry;                /* kv_options.retry was given */
    kv_retry_policy retry;         /* a copy of it */

    /* The index builder (backfill.c). */
    pthread_mutex_t bf_lock;
    pthread_t bf_thread;
    bool bf_started, bf_running, bf_wanted, bf_closing;
    atomic_bool bf_held;
};

/* This thread's state for db, created on first use; NULL when out of memory. */
struct thread_state *db_thread(struct kv_db *db);

/* Record the outcome of a public call for kv_errmsg: takes err's content. */
kv_status db_finish(struct kv_db *db, struct kv_err *err);

/*
 * The handle of the named LMDB database `name`, opening it (it must exist)
 * in a short transaction of its own if this process has not yet.  Must be
 * called with no transaction of this thread active.
 */
kv_status db_dbi_open(struct kv_db *db, const char *name, MDB_dbi *out, struct kv_err *err);
/* Look up an already opened handle without opening; false if not open. */
bool db_dbi_find(struct kv_db *db, const char *name, MDB_dbi *out);
/* Remember a handle opened (with create) by a committed write transaction. */
kv_status db_dbi_remember(struct kv_db *db, const char *name, MDB_dbi dbi, struct kv_err *err);
/* The same, for a caller that holds db->lock. */
kv_status db_dbi_remember_locked(struct kv_db *db, const char *name, MDB_dbi dbi,
                                 struct kv_err *err);

/* Grow the map after MDB_MAP_FULL met by a transaction that ran with a map
 * of `seen` bytes (nothing to do when it has grown since), or adopt another
 * process's growth. */
kv_status db_grow(struct kv_db *db, bool adopt_only, uint64_t seen, struct kv_err *err);

/* The handle's clock, in milliseconds since the epoch (the injected clock
 * when there is one, so timestamps agree with the buckets). */
int64_t db_now_ms(struct kv_db *db);

/* An LMDB return code as a status with a message. */
kv_status db_lmdb_error(int rc, const char *what, struct kv_err *err);

#endif
