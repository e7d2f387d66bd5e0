/*
 * throttle.h -- admission of reads and writes against provisioned and
 * on-demand throughput, the way DynamoDB throttles them.
 *
 * Each table and each global secondary index has a read and a write token
 * bucket (bucket.h) and per-partition buckets (partition.h), kept in the
 * shared slot file (bucketfile.h) together with its metrics (metrics.h).
 * An operation asks this module before it changes anything; a request that
 * meets an empty bucket is refused with ProvisionedThroughputExceeded or
 * ThrottlingException and changes nothing.  throttle.c describes the model
 * and docs/capacity.md the behaviour users see.
 *
 * How an operation calls it
 * -------------------------
 * Describe the table once per request with throttle_table_from_def (from
 * the catalog's description, inside the operation's transaction).
 *
 * A write (PutItem, UpdateItem, DeleteItem), inside the write body, once
 * its cost is known (after index upkeep has computed the index units; the
 * body's changes are still uncommitted, so a refusal aborts them all):
 *
 *     struct throttle_write w;
 *     struct throttle_gsi_write g[THROTTLE_GSI_MAX];
 *     throttle_write_from_consumed(&w, &tt, METRICS_OP_PUT_ITEM,
 *                                  keycodec_key_hash(kb.bytes, kb.len),
 *                                  &consumed, g);
 *     st = throttle_write_admit(db->throttle, &w, &a->ticket, t->err);
 *     if (st != KV_OK)
 *         return st;        // throttled: the txn aborts, nothing changed
 *
 * The ticket lives in the operation's argument struct, zeroed before
 * txn_run, because txn_run may run the body again (KV_RETRY): admitting on
 * a ticket that already holds an admission first gives that one back, so a
 * retried body is charged once.  After txn_run:
 *
 *     if (st != KV_OK && st != KV_CONDITIONAL_CHECK_FAILED)
 *         throttle_refund(db->throttle, &a.ticket);
 *
 * (A write whose condition fails is charged, as DynamoDB charges it; one
 * that failed for any other reason after admission is refunded.)
 *
 * A read (GetItem, Query, Scan): the cost is known only after reading, so
 * admit with the least the read can cost, read, then settle the real cost:
 *
 *     struct throttle_read r = {
 *         .table = &tt, .op = METRICS_OP_GET_ITEM, .index = NULL,
 *         .has_hash = true, .hash = keycodec_key_hash(...),
 *         .estimate = capacity_read(0, kind),
 *     };
 *     if ((st = throttle_read_admit(db->throttle, &r, &a->ticket, t->err)) != KV_OK)
 *         return st;
 *     ... read ...
 *     throttle_read_settle(db->throttle, &a->ticket, consumed_half_units);
 *
 * and refund on failure as for writes.  Settling may leave the bucket in
 * debt.  A Scan page passes has_hash = false (no partition is charged).
 *
 * A batch (BatchGetItem, BatchWriteItem): throttle_batch_init, then for
 * each element throttle_batch_write or throttle_batch_read (with a ticket
 * per element): KV_OK serves the element; KV_PROVISIONED_THROUGHPUT_EXCEEDED
 * or KV_THROTTLING means "leave it unprocessed" and sets no error.  Finally
 * throttle_batch_finish returns the exception (with its message and
 * ThrottlingReasons in err) if no element was served, else KV_OK.
 *
 * UpdateTable calls throttle_table_apply after committing (and
 * throttle_index_drop for a GSI it deleted); DeleteTable calls
 * throttle_table_drop.  (Admission also applies a changed
 * description it is given, so other processes follow at their next
 * request.)
 *
 * Threads: every function is thread-safe; all state is under one lock,
 * but for the metrics of a handle whose capacity is unlimited, which are
 * counted without it (throttle.c, The cheap path).
 */
#ifndef KV_THROTTLE_H
#define KV_THROTTLE_H

#include "kv.h"
#include "metrics.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct clock;
struct consumed;
struct kv_err;
struct table_def;
struct throttle;

#define THROTTLE_GSI_MAX 20
#define THROTTLE_CHARGES_MAX (1 + THROTTLE_GSI_MAX)
#define THROTTLE_HITS_MAX 48
#define THROTTLE_BATCH_TABLES 100

struct throttle_options {
    const char *dir;      /* database directory: the shared file goes there */
    struct clock *clock;  /* the real clock shares state; any other keeps it private */
    int64_t burst_ms;     /* banked burst window; 0: one second, no burst */
    bool unlimited;       /* count consumption, never throttle */
    unsigned file_mode;   /* of a new shared file */
};

/* Open the handle's throttling state.  KV_IO, KV_NOMEM. */
kv_status throttle_open(const struct throttle_options *o, struct throttle **out,
                        struct kv_err *err);
void throttle_close(struct throttle *th);
bool throttle_is_shared(const struct throttle *th);
/* Whether capacity is only counted, never enforced (unlimited_capacity). */
bool throttle_is_unlimited(const struct throttle *th);

/* --- what a table is ------------------------------------------------------ */

struct throttle_index {
    const char *name;
    int64_t rcu, wcu;         /* provisioned throughput (provisioned tables) */
    int64_t max_rru, max_wru; /* OnDemandThroughput maximum; 0: none */
    uint64_t size_bytes;      /* IndexSizeBytes: partitions by size */
    int64_t created_ms;       /* 0: the table's */
};

struct throttle_table {
    const char *id;           /* TableId: state is keyed by it, not by name */
    const char *name;         /* for ARNs */
    int billing;              /* kv_billing_mode */
    int64_t rcu, wcu;
    int64_t max_rru, max_wru; /* OnDemandThroughput maximum; 0: none */
    uint64_t size_bytes;      /* TableSizeBytes */
    int64_t created_ms;       /* CreationDateTime: buckets fill from here */
    int64_t changed_ms;       /* latest throughput or billing change (orders
                                 descriptions read by different processes) */
    const struct throttle_index *gsis;
    size_t n_gsis;
};

/*
 * Describe `def` (global secondary indexes only: local ones spend the
 * table's capacity) into *out, using `gsis` (room for THROTTLE_GSI_MAX) for
 * the indexes.  `size_bytes` is the table's current size, 0 if unknown.
 * The result points into def.
 */
void throttle_table_from_def(const struct table_def *def, uint64_t size_bytes,
                             struct throttle_table *out, struct throttle_index *gsis);
/* The same without the indexes (n_gsis 0), for a request that charges the
 * table alone. */
void throttle_table_alone_from_def(const struct table_def *def, uint64_t size_bytes,
                                   struct throttle_table *out);

/* --- requests -------------------------------------------------------------- */

/* (The request structs follow; throttle_write_from_consumed builds a
 * write from what index upkeep computed.) */

struct throttle_gsi_write {
    const char *index; /* a GSI of the table */
    uint64_t units;    /* half-units of index upkeep */
    bool has_hash;     /* false: charge no partition of the index */
    uint64_t hash;     /* hash of the index entry's partition key */
};

struct throttle_write {
    const struct throttle_table *table;
    enum metrics_op op;
    uint64_t units;    /* half-units charged to the table (LSI upkeep included) */
    uint64_t hash;     /* the item's partition key hash (key bytes 0..7) */
    const struct throttle_gsi_write *gsis;
    size_t n_gsis;
};

struct throttle_read {
    const struct throttle_table *table;
    enum metrics_op op;
    const char *index;  /* a GSI, or NULL for the table (LSI reads too) */
    bool has_hash;      /* false: charge no partition (Scan) */
    uint64_t hash;
    uint64_t estimate;  /* half-units: the least this read can cost */
};

/* What one admission took, so it can be given back or settled. */
struct throttle_ticket_entry {
    uint32_t slot;      /* bucket slot number */
    uint32_t part;      /* partition bucket slot, UINT32_MAX for none */
    uint32_t n_parts;   /* the partition count when taken */
    uint8_t write;
    uint8_t debited;    /* 0 when capacity is unlimited: only metrics */
    uint32_t gen;       /* the slot's generation: it still holds the same
                           resource while this is unchanged */
    uint64_t units;     /* half-units */
};

struct throttle_ticket {
    bool held;
    int64_t at_ms;
    size_t n;
    struct throttle_ticket_entry e[THROTTLE_CHARGES_MAX];
};

/* One bucket that refused a request: a ThrottlingReason. */
struct throttle_hit {
    const struct throttle_table *table;
    const char *index;  /* NULL: the table */
    bool write;
    enum metrics_reason reason;
};

/*
 * Describe a write from the units it consumed (capacity.h): the table's
 * own units plus its local indexes' (which spend the table's capacity), and
 * one charge per global index with units, into `gsis` (room for
 * THROTTLE_GSI_MAX), without index partitions.  `hash` is the item's.
 */
void throttle_write_from_consumed(struct throttle_write *w, const struct throttle_table *t,
                                  enum metrics_op op, uint64_t hash, const struct consumed *c,
                                  struct throttle_gsi_write *gsis);

/*
 * Admit a write on the table and the GSIs it touches.  KV_OK: every bucket
 * was debited and the ticket holds the admission.  Throttled:
 * KV_PROVISIONED_THROUGHPUT_EXCEEDED or KV_THROTTLING with DynamoDB's
 * message and ThrottlingReasons in err; nothing debited, throttle events and
 * ThrottledRequests counted.  KV_IO, KV_NOMEM, KV_MISUSE on failure.
 */
kv_status throttle_write_admit(struct throttle *th, const struct throttle_write *w,
                               struct throttle_ticket *ticket, struct kv_err *err);

/* Admit a read, debiting its estimate; as throttle_write_admit otherwise. */
kv_status throttle_read_admit(struct throttle *th, const struct throttle_read *r,
                              struct throttle_ticket *ticket, struct kv_err *err);

/* Charge an admitted read its real cost (more or less than the estimate). */
void throttle_read_settle(struct throttle *th, struct throttle_ticket *ticket,
                          uint64_t actual_half);

/* Give back everything a ticket holds; the ticket is then empty.  A ticket
 * that holds nothing is ignored. */
void throttle_refund(struct throttle *th, struct throttle_ticket *ticket);

/* Count a throttled request of `op` on the table (for callers that decide
 * themselves when a request as a whole was throttled: transactions). */
void throttle_count_request(struct throttle *th, const struct throttle_table *t,
                            enum metrics_op op);

/* --- batches --------------------------------------------------------------- */

struct throttle_batch {
    enum metrics_op op;
    size_t served, throttled;
    struct throttle_hit hits[THROTTLE_HITS_MAX];
    size_t n_hits;
    const struct throttle_table *tables[THROTTLE_BATCH_TABLES];
    size_t n_tables;
};

void throttle_batch_init(struct throttle_batch *b, enum metrics_op op);
/* One element.  KV_OK: served.  KV_PROVISIONED_THROUGHPUT_EXCEEDED or
 * KV_THROTTLING: unprocessed (err untouched).  Other statuses: failure. */
kv_status throttle_batch_write(struct throttle *th, struct throttle_batch *b,
                               const struct throttle_write *w, struct throttle_ticket *ticket,
                               struct kv_err *err);
kv_status throttle_batch_read(struct throttle *th, struct throttle_batch *b,
                              const struct throttle_read *r, struct throttle_ticket *ticket,
                              struct kv_err *err);
/* KV_OK if any element was served (or there were none); otherwise the
 * exception, in err, and ThrottledRequests counted on each table. */
kv_status throttle_batch_finish(struct throttle *th, struct throttle_batch *b,
                                struct kv_err *err);

/* --- table lifecycle -------------------------------------------------------- */

/* Apply a changed description now (UpdateTable): rates change at once. */
kv_status throttle_table_apply(struct throttle *th, const struct throttle_table *t,
                               struct kv_err *err);
/* Forget a deleted table's state (a new table gets a new TableId). */
void throttle_table_drop(struct throttle *th, const char *table_id);
/* Forget a deleted GSI's state, so an index created again under the same
 * name starts afresh. */
void throttle_index_drop(struct throttle *th, const char *table_id, const char *index);

/*
 * Fill err with the exception for a set of hits: status, DynamoDB's
 * message, ThrottlingReasons with ARNs.  Returns the status.
 */
kv_status throttle_error(const struct throttle_hit *hits, size_t n, struct kv_err *err);

/* --- reading ---------------------------------------------------------------- */

/*
 * The data points of a metric of the table or one of its GSIs (index
 * NULL: the table), into out (room for METRICS_MINUTES).  A resource with
 * no state yet gets it (so provisioned values show from its creation).
 */
kv_status throttle_metrics(struct throttle *th, const struct throttle_table *t,
                           const char *index, enum metrics_metric m, int op, int64_t start_ms,
                           int64_t end_ms, struct metrics_point *out, size_t *n,
                           struct kv_err *err);

/* A table's or GSI's main buckets as of now (kv_capacity_get), in ticks
 * (bucket.h: BUCKET_TICKS to a half-unit). */
struct throttle_state {
    int billing;       /* kv_billing_mode */
    uint32_t n_parts;  /* partitions */
    int64_t now_ms;    /* the moment the levels are for */
    struct {
        int64_t level;   /* ticks; below zero is debt */
        int64_t per_ms;  /* ticks per millisecond (= half-units per second) */
        int64_t ceiling; /* ticks */
    } dir[2];          /* [0] reads, [1] writes */
};

/*
 * Read a resource's state without changing it: nothing is debited,
 * refilled, claimed or applied in the shared state.  The slot is copied
 * under the lock and brought to now in the copy, the way an admission
 * would bring it; a resource with no state yet is computed as it would
 * start.  KV_MISUSE (not a GSI of t), KV_NOMEM, KV_IO.
 */
kv_status throttle_peek(struct throttle *th, const struct throttle_table *t, const char *index,
                        struct throttle_state *out, struct kv_err *err);

/* For tests: the level of a resource's main bucket in half-units (rounded
 * down), after refilling to now (creating its state if new); INT64_MIN on
 * failure. */
int64_t throttle_level(struct throttle *th, const struct throttle_table *t, const char *index,
                       bool write);
/* For tests: the resource's partition count; 0 on failure. */
uint32_t throttle_partitions(struct throttle *th, const struct throttle_table *t,
                             const char *index);
/* For tests: the slot file. */
struct bucketfile *throttle_bucketfile(struct throttle *th);
/* For tests: how many admissions, settlements and refunds the calling
 * thread has done without the lock (an unlimited handle's cheap path). */
uint64_t throttle_unlocked_count(void);

#endif
