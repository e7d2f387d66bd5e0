/*
 * retry.c -- exponential backoff with full jitter; see retry.h.
 *
 * The AWS SDKs retry throttling errors and server faults, waiting a random
 * time below an exponentially growing ceiling ("full jitter"): botocore's
 * standard mode waits rand(0,1) * min(base * 2^(n-1), 20 s); DynamoDB's
 * long-standing client defaults were 10 attempts from a 50 ms base.  The
 * defaults here combine the two: 10 attempts, 50 ms, 20 s cap.  Jitter
 * spreads the retries of many clients that were throttled together, so
 * they do not all come back in the same millisecond.
 *
 * Without an injected source, jitter comes from a per-thread xorshift
 * generator seeded from the clock and the thread's address: statistical
 * quality is all it needs.
 */
#include "retry.h"
#include "clock.h"

#include <string.h>

bool
retry_status(kv_status st)
{
    switch (st) {
    case KV_PROVISIONED_THROUGHPUT_EXCEEDED:
    case KV_THROTTLING:
    case KV_REQUEST_LIMIT_EXCEEDED:
    case KV_LIMIT_EXCEEDED:
    case KV_TRANSACTION_IN_PROGRESS:
    case KV_INTERNAL:
        return true;
    default:
        return false;
    }
}

bool
retry_should(const kv_retry_policy *p, int attempt, kv_status st)
{
    return p && attempt >= 1 && attempt < p->max_attempts && retry_status(st);
}

static _Thread_local uint64_t jitter_state;

/* xorshift64*: small, fast, and good enough for spreading waits. */
static uint64_t
jitter_default(void)
{
    if (!jitter_state) {
        uint64_t seed = (uint64_t)clock_real_ms() ^ (uint64_t)(uintptr_t)&jitter_state;
        jitter_state = seed ? seed : 0x9e3779b97f4a7c15ULL;
    }
    jitter_state ^= jitter_state >> 12;
    jitter_state ^= jitter_state << 25;
    jitter_state ^= jitter_state >> 27;
    return jitter_state * 0x2545f4914f6cdd1dULL;
}

static int64_t
clamp_delay(int64_t v)
{
    return v < 0 ? 0 : v > RETRY_DELAY_MAX ? RETRY_DELAY_MAX : v;
}

int64_t
retry_ceiling_ms(const kv_retry_policy *p, int attempt)
{
    if (!p || attempt < 1)
        return 0;
    int64_t cap = clamp_delay(p->max_delay_ms);
    int64_t ceiling = clamp_delay(p->base_delay_ms);
    /* Doubling stops once past the cap, so it cannot overflow. */
    for (int i = 1; i < attempt && ceiling < cap; i++)
        ceiling *= 2;
    return ceiling < cap ? ceiling : cap;
}

int64_t
retry_delay_ms(const kv_retry_policy *p, int attempt)
{
    int64_t ceiling = retry_ceiling_ms(p, attempt);
    if (ceiling <= 0)
        return 0;
    uint64_t r = p->random ? p->random(p->random_arg) : jitter_default();
    /* Uniform over 0..ceiling; the modulo bias is below 2^-40. */
    return (int64_t)(r % ((uint64_t)ceiling + 1));
}

/* --- public ----------------------------------------------------------------- */

void
kv_retry_policy_default(kv_retry_policy *policy)
{
    if (!policy)
        return;
    memset(policy, 0, sizeof *policy);
    policy->max_attempts = 10;
    policy->base_delay_ms = 50;
    policy->max_delay_ms = 20000;
}

int64_t
kv_retry_delay_ms(const kv_retry_policy *policy, int attempt)
{
    return retry_delay_ms(policy, attempt);
}

int
kv_status_retryable(kv_status status)
{
    return retry_status(status) ? 1 : 0;
}
