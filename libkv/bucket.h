/*
 * bucket.h -- one token bucket, in exact integer arithmetic.
 *
 * Every limit libkv enforces (a table's or index's provisioned rate, an
 * on-demand table's current allowance, a partition's ceiling) is a token
 * bucket: tokens flow in at the limit's rate, up to a ceiling; a request
 * takes its cost out.  bucket.c explains the fixed-point representation
 * and the admission rule.  This file knows nothing of tables, files or
 * locks: callers hold whatever lock guards the bucket's memory.
 *
 * Units: a bucket counts "ticks".  BUCKET_TICKS ticks make one half
 * capacity unit (capacity.h counts half-units), so a rate of R units per
 * second is exactly 2R ticks per millisecond and no refill is ever
 * rounded.
 */
#ifndef KV_BUCKET_H
#define KV_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

#define BUCKET_TICKS 1000

/* Largest rate a bucket accepts, in units per second; larger is clamped. */
#define BUCKET_RATE_MAX 1000000000LL
/* Longest window, in milliseconds (one day). */
#define BUCKET_WINDOW_MAX 86400000LL

struct bucket {
    int64_t level; /* ticks; below zero is debt */
    int64_t stamp; /* ms: the time `level` is correct at */
};

/* A bucket's rate and ceiling, derived from a limit; never stored. */
struct bucket_rate {
    int64_t per_ms;  /* ticks per millisecond (= half-units per second) */
    int64_t ceiling; /* ticks */
};

/*
 * The rate of a limit of `half_per_s` half-units per second, banking up to
 * `window_ms` of it (at least one second's worth: see bucket.c).
 */
struct bucket_rate bucket_rate_half(int64_t half_per_s, int64_t window_ms);
/* The same for a limit in whole units per second. */
struct bucket_rate bucket_rate_units(int64_t units_per_s, int64_t window_ms);

/*
 * Start a bucket as a resource created at `since_ms` starts: holding one
 * second of its rate (capped by the ceiling), no banked burst.
 */
void bucket_start(struct bucket *b, struct bucket_rate r, int64_t since_ms);

/* Add what flowed in between b->stamp and now_ms, up to the ceiling; a
 * now_ms not after the stamp adds nothing and leaves the stamp.  Inline,
 * with the next two, because every request runs them. */
static inline void
bucket_refill(struct bucket *b, struct bucket_rate r, int64_t now_ms)
{
    if (now_ms <= b->stamp)
        return; /* no time passed, or this clock reading is older */
    int64_t elapsed = now_ms - b->stamp;
    b->stamp = now_ms;
    if (b->level >= r.ceiling || r.per_ms == 0)
        return;
    int64_t room = r.ceiling - b->level, add;
    /* A product that overflows exceeds room too: no overshoot of the
     * ceiling, and no division per refill.  (A rate below zero, only from
     * a damaged file, fills the bucket, as dividing by it did.) */
    if (r.per_ms < 0 || __builtin_mul_overflow(elapsed, r.per_ms, &add) || add >= room)
        b->level = r.ceiling;
    else
        b->level += add;
}

/*
 * Whether a request of `half` half-units may start now (call after
 * bucket_refill): the bucket holds at least the cost, or, for a cost
 * larger than the whole ceiling, the bucket is full.
 */
static inline bool
bucket_admits(const struct bucket *b, struct bucket_rate r, uint64_t half)
{
    int64_t cost = (int64_t)half * BUCKET_TICKS;
    int64_t need = cost < r.ceiling ? cost : r.ceiling;
    if (need <= 0)
        return b->level >= 0 && r.ceiling > 0;
    return b->level >= need;
}

/* Take `half` half-units; the level may go below zero (debt). */
static inline void
bucket_take(struct bucket *b, uint64_t half)
{
    b->level -= (int64_t)half * BUCKET_TICKS;
}

/* Give back `half` half-units taken earlier, never above the ceiling. */
void bucket_give(struct bucket *b, struct bucket_rate r, uint64_t half);

/*
 * Change the rate at now_ms: what flowed in at the old rate until now is
 * added, then the level is cut to the new ceiling if above it.
 */
void bucket_rerate(struct bucket *b, struct bucket_rate old, struct bucket_rate now_rate,
                   int64_t now_ms);

/* Cut the level into [-debt_max, ceiling] and a future stamp to now_ms:
 * used when repairing state a crashed process may have left half written. */
void bucket_sanitize(struct bucket *b, struct bucket_rate r, int64_t debt_max, int64_t now_ms);

/* The level in half-units, rounded down (for tests and diagnostics). */
int64_t bucket_level_half(const struct bucket *b);

#endif
