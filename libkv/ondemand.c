/*
 * ondemand.c -- the on-demand allowance; see ondemand.h.
 *
 * The model.  "Previous peak" is read as the busiest single second the
 * table has served, and "within 30 minutes" as: a new peak raises the
 * allowance only once it is 30 minutes old.  So a table that served
 * 3,000 writes in its busiest second is allowed 6,000 at once, and a ramp
 * to 6,000 earns 12,000 half an hour later.  Consumption is summed per
 * second; each minute keeps its busiest second until the minute is 30
 * minutes past, then folds into `settled`.  The allowance never falls:
 * DynamoDB keeps scaled-out capacity, and a table can return at once to
 * any level it reached before.
 *
 * Which reason a throttle reports: the 40,000-unit quota is
 * AccountLimitExceeded, an OnDemandThroughput maximum is
 * MaxOnDemandThroughputExceeded, and the doubling limit is
 * KeyRangeThroughputExceeded (no partition has scaled out for the new
 * traffic yet; DynamoDB's message for it says it "is automatically
 * scaling").  All three raise ThrottlingException.
 */
#include "ondemand.h"
#include "metrics.h"

#include <string.h>

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b < 0) ? q - 1 : q;
}

/* Record the busiest second of a minute, displacing a minute that has
 * settled when all places are taken (see the comment on the bound). */
static void
remember(struct ondemand_peak *p, int64_t minute, uint64_t half)
{
    struct ondemand_minute *slot = NULL, *oldest = NULL;
    for (int i = 0; i < ONDEMAND_RECENT; i++) {
        struct ondemand_minute *m = &p->recent[i];
        if (m->max && m->minute == minute) {
            if (half > m->max)
                m->max = half;
            return;
        }
        if (!m->max && !slot)
            slot = m;
        if (m->max && (!oldest || m->minute < oldest->minute))
            oldest = m;
    }
    if (!slot) {
        /* 32 distinct busy minutes, the newest being this one: the oldest
         * is at least 31 minutes older, so it has settled already. */
        if (oldest->max > p->settled)
            p->settled = oldest->max;
        slot = oldest;
    }
    slot->minute = minute;
    slot->max = half;
}

/* Close the second being summed if now_ms is past it.  A clock set back
 * keeps adding to the latest second until it catches up. */
static void
close_second(struct ondemand_peak *p, int64_t now_ms)
{
    int64_t sec = floor_div(now_ms, 1000);
    if (sec <= p->second)
        return; /* the same second, or an older reading: count it in this one */
    if (p->in_second)
        remember(p, floor_div(p->second, 60), p->in_second);
    p->second = sec;
    p->in_second = 0;
}

void
ondemand_note(struct ondemand_peak *p, int64_t now_ms, uint64_t half)
{
    close_second(p, now_ms);
    p->in_second += half;
}

void
ondemand_unnote(struct ondemand_peak *p, int64_t at_ms, uint64_t half)
{
    if (floor_div(at_ms, 1000) == p->second)
        p->in_second = p->in_second > half ? p->in_second - half : 0;
}

uint64_t
ondemand_settled(struct ondemand_peak *p, int64_t now_ms)
{
    close_second(p, now_ms);
    for (int i = 0; i < ONDEMAND_RECENT; i++) {
        struct ondemand_minute *m = &p->recent[i];
        if (m->max && (m->minute + 1) * 60000 + ONDEMAND_SETTLE_MS <= now_ms) {
            if (m->max > p->settled)
                p->settled = m->max;
            memset(m, 0, sizeof *m);
        }
    }
    return p->settled;
}

struct ondemand_allowance
ondemand_allowance(uint64_t settled_half, int64_t floor_units, int64_t max_units)
{
    const int64_t quota = 2 * (int64_t)ONDEMAND_TABLE_MAX; /* half-units/s */
    /* Twice the peak: settled_half / 2 units doubled is settled_half units,
     * or 2 * settled_half half-units per second. */
    int64_t twice = settled_half >= (uint64_t)quota ? quota : 2 * (int64_t)settled_half;
    struct ondemand_allowance a = {2 * floor_units, METRICS_REASON_KEY_RANGE};
    if (twice > a.half_per_s)
        a.half_per_s = twice;
    if (a.half_per_s >= quota) {
        a.half_per_s = quota;
        a.reason = METRICS_REASON_ACCOUNT_LIMIT;
    }
    if (max_units > 0 && 2 * max_units <= a.half_per_s) {
        a.half_per_s = 2 * max_units;
        a.reason = METRICS_REASON_MAX_ON_DEMAND;
    }
    return a;
}

void
ondemand_sanitize(struct ondemand_peak *p, int64_t now_ms)
{
    if (p->second > floor_div(now_ms, 1000)) {
        p->second = floor_div(now_ms, 1000);
        p->in_second = 0;
    }
}
