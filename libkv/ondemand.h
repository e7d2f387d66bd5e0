/*
 * ondemand.h -- how much an on-demand table or index may serve right now.
 *
 * DynamoDB documents on-demand scaling as: a new table sustains 4,000
 * write and 12,000 read request units per second; it instantly serves up
 * to twice its previous peak, and throttling may occur beyond twice the
 * previous peak within 30 minutes; a table (and each GSI) stops at the
 * per-table account quota of 40,000 units per second unless raised, and at
 * its OnDemandThroughput maximum if one is set.  ondemand.c turns that into
 * a rate.  Plain data again: it lives in the shared slots.
 */
#ifndef KV_ONDEMAND_H
#define KV_ONDEMAND_H

#include <stdint.h>

#define ONDEMAND_INITIAL_READ 12000   /* units/s a new table serves */
#define ONDEMAND_INITIAL_WRITE 4000
#define ONDEMAND_TABLE_MAX 40000      /* per-table quota, units/s */
#define ONDEMAND_SETTLE_MS (30 * 60 * 1000LL) /* a peak counts after this */
#define ONDEMAND_RECENT 32            /* minutes remembered until they settle */

struct ondemand_minute {
    int64_t minute;  /* minutes since the epoch; 0 with max 0: unused */
    uint64_t max;    /* busiest second of that minute, half-units */
};

/* One direction (reads or writes) of one table or index. */
struct ondemand_peak {
    int64_t second;       /* the second being summed */
    uint64_t in_second;   /* half-units consumed in it */
    uint64_t settled;     /* busiest second that ended 30 minutes ago or more */
    struct ondemand_minute recent[ONDEMAND_RECENT];
};

/* Count `half` half-units consumed at now_ms. */
void ondemand_note(struct ondemand_peak *p, int64_t now_ms, uint64_t half);
/* Take back units noted at at_ms (a refund), if still in the same second. */
void ondemand_unnote(struct ondemand_peak *p, int64_t at_ms, uint64_t half);

/* The busiest second, in half-units, that ended at least 30 minutes ago. */
uint64_t ondemand_settled(struct ondemand_peak *p, int64_t now_ms);

/* What limits the allowance (an enum metrics_reason value). */
struct ondemand_allowance {
    int64_t half_per_s; /* the rate, half-units per second */
    int reason;         /* KeyRange (scaling), AccountLimit or MaxOnDemand */
};

/*
 * The allowance of one direction: twice the settled peak, but at least
 * `floor_units` (the initial throughput, or what the table served when it
 * was provisioned), then capped by the account quota and by `max_units`
 * (OnDemandThroughput; 0 or less for none).
 */
struct ondemand_allowance ondemand_allowance(uint64_t settled_half, int64_t floor_units,
                                             int64_t max_units);

/* Clamp fields a crashed writer may have left inconsistent. */
void ondemand_sanitize(struct ondemand_peak *p, int64_t now_ms);

#endif
