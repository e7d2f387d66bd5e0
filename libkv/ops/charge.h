/*
 * charge.h -- what an operation does about capacity: describe its table to
 * the throttling module (throttle.h), admit its write or read there, settle
 * a read's real cost, and give back what an operation that failed was
 * charged.
 *
 * Every single-item operation, Query and Scan page goes through here, so
 * the calling pattern throttle.h prescribes is written once:
 *
 *   - a write admits inside its transaction body, once index upkeep has
 *     computed what it consumes (charge_write), so a refusal aborts the
 *     body and changes nothing;
 *   - a read admits its least cost before reading (charge_read_admit) and
 *     settles the real cost after (charge_read_settle);
 *   - after txn_run, charge_finish refunds a failed operation, except a
 *     failed condition, which DynamoDB charges.
 *
 * The ticket lives in the operation's argument struct, zeroed before
 * txn_run: a body that runs again (KV_RETRY) then gives the first
 * admission back before taking the second, so it is charged once.
 *
 * Batches and transactions admit element by element (throttle.h's batch
 * interface), against a description of each table made once per body
 * (charge_describe) and kept until the body returns, since a batch's
 * refusals point into it.
 */
#ifndef KV_CHARGE_H
#define KV_CHARGE_H

#include "capacity.h"
#include "kv.h"
#include "metrics.h"
#include "throttle.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct err_reason;
struct item_write;
struct kv_db;
struct keybuf;
struct table_def;
struct txn;

/* A table's description for the throttling module; pointers into def. */
struct charge_table {
    struct throttle_table t;
    struct throttle_index gsis[THROTTLE_GSI_MAX];
};

/* Describe def, with its current size and its global indexes' sizes. */
kv_status charge_describe(struct txn *t, const struct table_def *def, struct charge_table *ct);

/*
 * Admit a write of the item whose stored key is `key`, consuming `c` (the
 * table's units, its local indexes' and each global index's).  A throttled
 * write returns ProvisionedThroughputExceededException or
 * ThrottlingException with DynamoDB's message and ThrottlingReasons in
 * t->err.
 */
kv_status charge_write(struct txn *t, const struct table_def *def, enum metrics_op op,
                       const struct keybuf *key, const struct consumed *c,
                       struct throttle_ticket *ticket);

/*
 * Admit a write that changed nothing but is charged all the same (a failed
 * condition, an UpdateItem that only removes from an absent item): `units`
 * half-units on the table alone.
 */
kv_status charge_write_units(struct txn *t, const struct table_def *def, enum metrics_op op,
                             const struct keybuf *key, uint64_t units,
                             struct throttle_ticket *ticket);

/*
 * A write whose condition failed: charge it as DynamoDB does, the larger of
 * the item's stored size and `new_size` (what the write would have
 * stored; 0 when unknown) in 1 KB units, at least one, on the table alone
 * (no index changes).  Then ConditionalCheckFailedException, carrying the
 * old item when `return_old`; or the throttling exception if the charge
 * itself is refused, as a throttled request is refused before its
 * condition is looked at.
 */
kv_status charge_condition_failed(struct txn *t, const struct item_write *w, size_t new_size,
                                  enum metrics_op op, bool return_old,
                                  struct throttle_ticket *ticket);

/*
 * Admit a read before reading, against the least it can cost (one 4 KB
 * unit of its kind).  `gsi` names the global secondary index read, whose
 * capacity it spends; NULL charges the table (local index reads too).
 * `key` (len bytes) begins with the hash of the partition read, or is NULL
 * for a Scan, which charges no partition.
 */
kv_status charge_read_admit(struct txn *t, const struct table_def *def, enum metrics_op op,
                            const char *gsi, const uint8_t *key, size_t len, bool consistent,
                            struct throttle_ticket *ticket);

/* Charge an admitted read what it really cost (half-units), which may leave
 * the bucket in debt. */
void charge_read_settle(struct txn *t, struct throttle_ticket *ticket, uint64_t half_units);

/* After txn_run: refund the ticket unless the operation succeeded or
 * failed its condition. */
void charge_finish(struct kv_db *db, kv_status st, struct throttle_ticket *ticket);

/*
 * One element of a batch or transaction (b's operation): a write of the
 * item stored under `key` consuming `c`, or a read of it admitted against
 * `estimate` half-units (settle it with charge_read_settle).  KV_OK:
 * admitted; charge_refused(status): throttled, nothing debited, t->err
 * untouched, the refusal noted in b; any other status is a failure.
 */
kv_status charge_batch_write(struct txn *t, const struct charge_table *ct,
                             struct throttle_batch *b, const struct keybuf *key,
                             const struct consumed *c, struct throttle_ticket *ticket);
kv_status charge_batch_read(struct txn *t, const struct charge_table *ct,
                            struct throttle_batch *b, const struct keybuf *key,
                            uint64_t estimate, struct throttle_ticket *ticket);

/* Whether a batch element's status means "throttled". */
bool charge_refused(kv_status st);

/*
 * The cancellation reason of a transaction's action refused as b records
 * (b holding that action's refusals only): ProvisionedThroughputExceeded
 * or ThrottlingError, with the throttling message DynamoDB gives for the
 * same refusal; the message in `a`.
 */
kv_status charge_cancel_reason(struct txn *t, const struct throttle_batch *b, struct arena *a,
                               struct err_reason *r);

#endif
