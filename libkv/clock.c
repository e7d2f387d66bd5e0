/*
 * clock.c -- real, callback and manual clocks; see clock.h.
 *
 * Sleeping is here, beside reading, so that everything that waits (the
 * retry policy's back-off) waits in the same time the buckets refill in:
 * a test with a manual clock sleeps by advancing it, instantly.
 */
#include "clock.h"

#include <errno.h>
#include <string.h>
#include <time.h>

int64_t
clock_real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
clock_init_real(struct clock *c)
{
    memset(c, 0, sizeof *c);
    c->kind = CLOCK_KIND_REAL;
}

void
clock_init_callback(struct clock *c, const kv_clock *user)
{
    memset(c, 0, sizeof *c);
    c->kind = CLOCK_KIND_CALLBACK;
    c->user = *user;
}

void
clock_init_manual(struct clock *c, int64_t start_ms)
{
    memset(c, 0, sizeof *c);
    c->kind = CLOCK_KIND_MANUAL;
    atomic_store(&c->manual, start_ms);
}

bool
clock_is_real(const struct clock *c)
{
    return c->kind == CLOCK_KIND_REAL;
}

int64_t
clock_now_ms(struct clock *c)
{
    switch (c->kind) {
    case CLOCK_KIND_CALLBACK:
        return c->user.now_ms(c->user.arg);
    case CLOCK_KIND_MANUAL:
        return atomic_load(&c->manual);
    default:
        return clock_real_ms();
    }
}

/* A real sleep that resumes after signals until the time is spent. */
static void
sleep_real(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

void
clock_sleep_ms(struct clock *c, int64_t ms)
{
    if (ms <= 0)
        return;
    switch (c->kind) {
    case CLOCK_KIND_CALLBACK:
        if (c->user.sleep_ms)
            c->user.sleep_ms(c->user.arg, ms);
        else
            sleep_real(ms);
        break;
    case CLOCK_KIND_MANUAL:
        atomic_fetch_add(&c->manual, ms);
        break;
    default:
        sleep_real(ms);
        break;
    }
}

void
clock_set(struct clock *c, int64_t now_ms)
{
    atomic_store(&c->manual, now_ms);
}

void
clock_advance(struct clock *c, int64_t ms)
{
    atomic_fetch_add(&c->manual, ms);
}
