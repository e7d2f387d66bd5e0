/*
 * bucket.c -- token bucket arithmetic.
 *
 * Representation
 * --------------
 * Capacity is counted in half-units everywhere in libkv, and provisioned
 * rates are whole units per second.  A rate of R units/s is 2R half-units
 * per 1000 ms: a fraction of a half-unit per millisecond whenever 2R is not
 * a multiple of 1000.  Scaling every amount by 1000 ("ticks") makes the
 * refill per millisecond an integer, 2R ticks, so a bucket refilled every
 * millisecond and one refilled once after a minute hold exactly the same
 * amount.  No floating point is used and nothing is ever rounded, which is
 * what lets the tests count admitted writes exactly.
 *
 * Ceiling
 * -------
 * A bucket banks at most `window` milliseconds of its rate: DynamoDB keeps
 * up to 300 seconds of unused capacity ("burst capacity").  The ceiling is
 * never below one second of the rate, because DynamoDB promises the
 * provisioned rate *per second*: with bursting disabled a 10 WCU table
 * still serves ten 1 KB writes in a second, but not eleven.
 *
 * Start
 * -----
 * A new table's bucket holds one second of its rate at the moment the
 * table was created and fills from there.  DynamoDB banks *unused*
 * capacity, and a table that did not exist had none to bank; yet it must
 * serve its provisioned rate at once.  Starting at the creation time (not
 * at the first request) means a table left idle for a minute after
 * CreateTable has a minute of burst, as it would in DynamoDB.
 *
 * Admission and debt
 * ------------------
 * A request whose cost is known (a write) is admitted when the bucket
 * holds the cost.  A cost above the whole ceiling (a 400 KB item on a
 * 1 WCU table without burst) could then never be admitted, although
 * DynamoDB serves such writes; it is admitted when the bucket is full, and
 * the level goes below zero.  Reads whose size is known only after reading
 * are checked against their minimum cost and charged the rest afterwards,
 * which may also leave the level below zero.  A level below zero is debt:
 * it is repaid by the refill before anything else is admitted, so over any
 * interval the capacity served never exceeds what flowed in plus what was
 * banked at the start plus one request's overdraft.
 *
 * Time
 * ----
 * Refill is (now - stamp) * rate, computed only up to the ceiling so that
 * a stamp years old cannot overflow.  The stamp never moves back: a reading
 * older than the stamp refills nothing.  Moving it back would credit the
 * same interval twice, and that happens without any clock going backwards:
 * a process reads the time, waits for the lock while another process
 * refills to a later time, then presents its older reading.  A wall clock
 * stepped back by NTP therefore pauses refills until it catches up: time
 * lost is never time credited twice.
 */
#include "bucket.h"

static int64_t
clamp64(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

struct bucket_rate
bucket_rate_half(int64_t half_per_s, int64_t window_ms)
{
    struct bucket_rate r;
    r.per_ms = clamp64(half_per_s, 0, 2 * BUCKET_RATE_MAX);
    window_ms = clamp64(window_ms, 1000, BUCKET_WINDOW_MAX);
    /* At most 2e9 * 8.64e7 = 1.7e17 ticks: far from overflow. */
    r.ceiling = r.per_ms * window_ms;
    return r;
}

struct bucket_rate
bucket_rate_units(int64_t units_per_s, int64_t window_ms)
{
    return bucket_rate_half(clamp64(units_per_s, 0, BUCKET_RATE_MAX) * 2, window_ms);
}

void
bucket_start(struct bucket *b, struct bucket_rate r, int64_t since_ms)
{
    int64_t second = r.per_ms * 1000;
    b->level = second < r.ceiling ? second : r.ceiling;
    b->stamp = since_ms;
}

void
bucket_give(struct bucket *b, struct bucket_rate r, uint64_t half)
{
    b->level += (int64_t)half * BUCKET_TICKS;
    if (b->level > r.ceiling)
        b->level = r.ceiling;
}

void
bucket_rerate(struct bucket *b, struct bucket_rate old, struct bucket_rate now_rate,
              int64_t now_ms)
{
    bucket_refill(b, old, now_ms);
    if (b->level > now_rate.ceiling)
        b->level = now_rate.ceiling;
}

void
bucket_sanitize(struct bucket *b, struct bucket_rate r, int64_t debt_max, int64_t now_ms)
{
    b->level = clamp64(b->level, -debt_max, r.ceiling);
    if (b->stamp > now_ms)
        b->stamp = now_ms;
}

int64_t
bucket_level_half(const struct bucket *b)
{
    int64_t q = b->level / BUCKET_TICKS;
    return (b->level % BUCKET_TICKS < 0) ? q - 1 : q;
}
