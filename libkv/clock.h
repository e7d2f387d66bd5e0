/*
 * clock.h -- the time a database handle lives by.
 *
 * Throttling is arithmetic on elapsed time, so the clock is the one input
 * a test must control.  A handle's clock is one of three kinds:
 *
 *   real      CLOCK_REALTIME, read in whole milliseconds.  Wall-clock time
 *             is the only clock every process on the machine agrees on and
 *             that keeps meaning across process lifetimes, which is what the
 *             shared bucket file needs (see bucketfile.h).
 *   callback  the application's kv_clock: now_ms() and, optionally,
 *             sleep_ms(), so a retry loop can "wait" by moving fake time.
 *   manual    a counter the test sets and advances (clock_advance); sleeping
 *             advances it.  Used by the module tests.
 *
 * Times are signed 64-bit milliseconds since the Unix epoch.  Nothing here
 * promises monotonic time; the bucket arithmetic treats time that goes
 * backwards as time that did not pass (bucket.h).
 */
#ifndef KV_CLOCK_H
#define KV_CLOCK_H

#include "kv.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum clock_kind {
    CLOCK_KIND_REAL = 0,
    CLOCK_KIND_CALLBACK = 1,
    CLOCK_KIND_MANUAL = 2,
};

struct clock {
    enum clock_kind kind;
    kv_clock user;            /* CLOCK_KIND_CALLBACK: a copy of the caller's */
    _Atomic int64_t manual;   /* CLOCK_KIND_MANUAL: the current time */
};

void clock_init_real(struct clock *c);
/* Copies *user; user->now_ms must not be NULL. */
void clock_init_callback(struct clock *c, const kv_clock *user);
void clock_init_manual(struct clock *c, int64_t start_ms);

/* True for the real clock: only then may state be shared between processes. */
bool clock_is_real(const struct clock *c);

/* The current time in milliseconds since the epoch. */
int64_t clock_now_ms(struct clock *c);

/*
 * Wait `ms` milliseconds of this clock's time: a real sleep, the caller's
 * sleep_ms (a real sleep when it gave none), or an advance of a manual
 * clock.  ms <= 0 returns at once.
 */
void clock_sleep_ms(struct clock *c, int64_t ms);

/* Manual clocks only: set, or move forward by `ms`. */
void clock_set(struct clock *c, int64_t now_ms);
void clock_advance(struct clock *c, int64_t ms);

/* The real wall clock, whatever a handle uses. */
int64_t clock_real_ms(void);

#endif
