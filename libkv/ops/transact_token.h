/*
 * transact_token.h -- TransactWriteItems' ClientRequestToken.
 *
 * A token makes a transaction idempotent for ten minutes after it
 * completes: the same request sent again with the same token succeeds
 * without running again, and reports the read units DynamoDB reports for
 * such a replay; a different request with that token is
 * IdempotentParameterMismatchException.  Tokens are kept in the catalog
 * (catalog.h, prefixes 'x' and 'y'), written in the same LMDB transaction
 * as the transaction's items, so they hold across processes and restarts
 * and a cancelled transaction leaves no token behind.
 *
 * The record kept with a token (after the catalog's completion time):
 *
 *   16 bytes   fingerprint: XXH3-128 of the request (transact_fingerprint),
 *              canonical byte order
 *   varint     number of tables
 *   per table  varint name length, the name, varint read half-units
 *
 * Example: one table "T" whose actions read as 2 units:
 *   <16 bytes> 01 01 54 04
 *
 * This layout is on disk: it is frozen.
 */
#ifndef KV_TRANSACT_TOKEN_H
#define KV_TRANSACT_TOKEN_H

#include "kv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct kv_err;
struct table_consumed;
struct transact_write_req;
struct transact_write_resp;
struct txn;

/* How long a token binds its request after the transaction completed. */
#define TOKEN_WINDOW_MS (10 * 60 * 1000)

#define TOKEN_FP_LEN 16

/*
 * The fingerprint of a request: everything that decides what it does (the
 * actions, their tables, items, keys, expressions, placeholders and
 * ReturnValuesOnConditionCheckFailure), but not ReturnConsumedCapacity or
 * ReturnItemCollectionMetrics, which only shape the response.  Values are
 * hashed as given, map members in order.  Their depth was bounded by
 * value_check before this is called.
 */
kv_status transact_fingerprint(const struct transact_write_req *r, uint8_t fp[TOKEN_FP_LEN],
                               struct kv_err *err);

/*
 * Look the request's token up (write transactions).  A live token with the
 * same fingerprint sets *replay and fills `out` with the stored read units,
 * table names in `a`; with another fingerprint it is
 * IdempotentParameterMismatchException.  Expired tokens are forgotten here,
 * a few at a time.
 */
kv_status transact_token_check(struct txn *t, const struct transact_write_req *r,
                               const uint8_t fp[TOKEN_FP_LEN], int64_t now_ms, struct arena *a,
                               struct transact_write_resp *out, bool *replay);

/* Remember the token with the read units a replay will report, per table. */
kv_status transact_token_store(struct txn *t, const struct transact_write_req *r,
                               const uint8_t fp[TOKEN_FP_LEN], int64_t now_ms,
                               const struct table_consumed *reads, size_t n_reads);

#endif
