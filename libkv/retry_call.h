/*
 * retry_call.h -- running a public call's operation again after a throttle,
 * when the application opted in (kv_options.retry), as an AWS SDK would.
 *
 * Both faces use it around the operation they call:
 *
 *     int n = 1;
 *     while ((st = op_...(...)) != KV_OK && retry_call_again(db, n++, err))
 *         ;
 *
 * Each attempt is a whole request: it is admitted or throttled, counted in
 * the metrics, and charged, exactly as a client's retried request is.  The
 * waits are on the handle's clock, so with an injected clock a test
 * "waits" by moving fake time, and the outcome is exact.
 */
#ifndef KV_RETRY_CALL_H
#define KV_RETRY_CALL_H

#include <stdbool.h>

struct kv_db;
struct kv_err;

/*
 * Whether attempt number `attempt` (1-based), which failed with
 * err->status, is followed by another: the handle has a retry policy and
 * the SDKs retry that status (retry.h).  If so, waits the policy's back-off
 * and clears err for the next attempt; otherwise leaves err as it is.
 */
bool retry_call_again(struct kv_db *db, int attempt, struct kv_err *err);

/*
 * Whether attempt number `attempt`, which was served but left part of a
 * batch unprocessed, is followed by another with that part: the handle has
 * a retry policy with attempts left.  If so, waits the policy's back-off.
 */
bool retry_call_resend(struct kv_db *db, int attempt);

#endif
