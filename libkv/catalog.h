/*
 * catalog.h -- table descriptions, stored in the database itself.
 *
 * The catalog is a named LMDB database ("catalog") holding, under one-byte
 * prefixes:
 *
 *   'v'          format version of the whole database ("1")
 *   'g'          generation: 8 bytes big-endian, bumped by every change to
 *                any table description, so cached descriptions can be
 *                checked with one read
 *   'c'          counter for naming new LMDB databases
 *   't' name     a table's description, as JSON (see catalog.c)
 *   'p' dbname   an empty LMDB database ready to be given to a new table
 *   's' dbname   counters of a table or index: item count and size, 16
 *                bytes big-endian
 *   'b' dbname   progress of an index being built (backfill.h)
 *   'k' dbname 0 partition
 *                size of an item collection (collection.h)
 *   'x' token    a TransactWriteItems ClientRequestToken (1 to 36 bytes):
 *                8 bytes big-endian, the time the transaction completed in
 *                milliseconds since the epoch, then what the operation
 *                keeps of the request (transact_token.h describes it)
 *   'y' time token  the same token under its completion time (8 bytes
 *                big-endian), with an empty value, so that expired tokens
 *                are found oldest first
 *
 * Tokens live in the database, not in the process, so idempotency holds
 * across processes and restarts: a token and its transaction's writes are
 * committed in the same LMDB transaction, or neither is.
 *
 * Every table and index keeps its entries in an LMDB database of its own,
 * named "d<number>".  Named databases are never deleted, only emptied and
 * returned to the pool: LMDB can only close a handle when no transaction
 * in the process uses it, and a pool keeps the number of handles bounded
 * by the number of tables alive, not by the number ever created.
 */
#ifndef KV_CATALOG_H
#define KV_CATALOG_H

#include "kv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct kv_db;
struct kv_err;
struct thread_state;
struct txn;

#define TABLE_NAME_MIN 3
#define TABLE_NAME_MAX 255
#define DBNAME_MAX 24

struct attr_def {
    const char *name;
    uint8_t type; /* KV_S, KV_N, KV_B */
};

/* A key schema: the hash (partition) key and the optional range (sort) key. */
struct key_schema {
    struct attr_def hash;
    struct attr_def range; /* name NULL when absent */
};

enum projection_type {
    PROJECT_ALL = 0,
    PROJECT_KEYS_ONLY = 1,
    PROJECT_INCLUDE = 2,
};

struct index_def {
    const char *name;
    bool global;
    struct key_schema key;
    uint8_t projection;
    const char **non_key; /* INCLUDE only */
    size_t n_non_key;
    int64_t rcu, wcu;     /* GSIs of provisioned tables */
    int64_t last_increase_ms, last_decrease_ms;
    int decreases_today;
    int64_t created_ms;   /* when the index was added (GSIs added later have
                             their own buckets from then); 0: the table's */
    const char *status;   /* "ACTIVE", "CREATING", "DELETING" */
    bool backfilling;
    char dbname[DBNAME_MAX];
};

struct table_def {
    struct arena *arena; /* owns every pointer below */
    const char *name;
    char uuid[40];
    char dbname[DBNAME_MAX];
    struct key_schema key;
    struct attr_def *attrs; /* AttributeDefinitions, as given */
    size_t n_attrs;
    int billing; /* kv_billing_mode */
    int64_t rcu, wcu;
    int64_t created_ms;
    int64_t last_increase_ms, last_decrease_ms; /* 0: never */
    int decreases_today;
    int64_t pay_per_request_ms; /* LastUpdateToPayPerRequestDateTime */
    int64_t on_demand_switches[4]; /* when it last became on-demand, newest first */
    int64_t provisioned_ms; /* when it last switched back to provisioned, 0: never
                               (DynamoDB shows no such time; it orders capacity
                               changes, see throttle_table_from_def) */
    bool deletion_protection;
    struct index_def *indexes;
    size_t n_indexes;
    /* The LMDB handle of dbname, once a transaction of the thread whose
     * cache holds this description has found it (item_table).  A name's
     * handle never changes while the database is open, and one known to an
     * earlier transaction of the thread is known to its later ones. */
    bool have_dbi;
    unsigned dbi;
};

struct table_stats {
    uint64_t item_count;
    uint64_t size_bytes;
};

/* Create the catalog on first open; check the format version. */
kv_status catalog_open(struct kv_db *db, struct kv_err *err);

/*
 * The description of table `name` as of t's snapshot, or NULL in *out when
 * there is no such table.  The description belongs to the calling thread's
 * cache and stays valid until the end of the current transaction body.
 */
kv_status catalog_get(struct txn *t, const char *name, size_t len, struct table_def **out);

/* Store a new or changed description (write transactions). */
kv_status catalog_put(struct txn *t, const struct table_def *def);
/* Remove a description, and empty and pool its LMDB databases. */
kv_status catalog_remove(struct txn *t, const struct table_def *def);

/*
 * Take an empty named database from the pool for a new table or index.
 * When the pool is empty this asks txn_run to refill it and retry.
 */
kv_status catalog_take_db(struct txn *t, char dbname[DBNAME_MAX]);
/* Empty a table's or index's database and return it to the pool. */
kv_status catalog_release_db(struct txn *t, const char *dbname);
/* Create a few empty named databases in a transaction of their own;
 * KV_RETRY when the map is full and must grow first. */
kv_status catalog_refill_pool(struct kv_db *db, struct kv_err *err);

/*
 * Table names in ascending order, after `start` (exclusive, may be NULL),
 * at most `limit`; *more is set when names remain.  Names are allocated in a.
 */
kv_status catalog_list(struct txn *t, struct arena *a, const char *start, size_t start_len,
                       size_t limit, const char ***names, size_t *count, bool *more);

kv_status catalog_stats_get(struct txn *t, const char *dbname, struct table_stats *out);
/* Add deltas to a table's counters (write transactions). */
kv_status catalog_stats_add(struct txn *t, const char *dbname, int64_t items, int64_t bytes);

/*
 * The record of an idempotency token: its completion time and the bytes
 * stored with it (valid until the transaction ends).  *found false when
 * the token is unknown.  Expiry is the caller's decision.
 */
kv_status catalog_token_get(struct txn *t, const char *token, size_t len, int64_t *time_ms,
                            const uint8_t **record, size_t *record_len, bool *found);
/* Store or replace a token's record (write transactions). */
kv_status catalog_token_put(struct txn *t, const char *token, size_t len, int64_t time_ms,
                            const void *record, size_t record_len);
/* Forget up to `limit` tokens completed before `before_ms`, oldest first. */
kv_status catalog_token_expire(struct txn *t, int64_t before_ms, size_t limit);

/* Deep copy of a description into a fresh arena; NULL when out of memory. */
struct table_def *table_def_clone(const struct table_def *def);
void table_def_free(struct table_def *def);

/* Free every description cached by a thread. */
void catalog_cache_clear(struct thread_state *ts);

/* The attribute definition's type for `name`, or 0. */
int table_attr_type(const struct table_def *def, const char *name);

#endif
