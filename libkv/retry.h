/*
 * retry.h -- the client-side retry policy: which failures to retry and how
 * long to wait, as the AWS SDKs do for DynamoDB.
 *
 * Pure functions: the jitter source comes with the policy, and waiting is
 * the caller's (clock_sleep_ms, so a fake clock waits instantly).  A retry
 * loop around an operation looks like:
 *
 *     for (int attempt = 1;; attempt++) {
 *         st = run_the_operation(...);
 *         if (!retry_should(&db->retry, attempt, st))
 *             break;
 *         clock_sleep_ms(&db->clock, retry_delay_ms(&db->retry, attempt));
 *     }
 */
#ifndef KV_RETRY_H
#define KV_RETRY_H

#include "kv.h"

#include <stdbool.h>
#include <stdint.h>

/* Longest base or cap accepted, milliseconds (an hour). */
#define RETRY_DELAY_MAX 3600000LL

/* Whether the SDKs retry this status (see kv_status_retryable). */
bool retry_status(kv_status st);

/* Whether attempt number `attempt` (1-based) that ended in `st` is followed
 * by another under policy p (NULL: never). */
bool retry_should(const kv_retry_policy *p, int attempt, kv_status st);

/*
 * The wait after failed attempt `attempt` (1 for the first retry): uniform
 * in [0, min(max_delay, base * 2^(attempt-1))], drawing one value from the
 * policy's jitter source.
 */
int64_t retry_delay_ms(const kv_retry_policy *p, int attempt);

/* The ceiling of that wait, without drawing. */
int64_t retry_ceiling_ms(const kv_retry_policy *p, int attempt);

#endif
