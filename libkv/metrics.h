/*
 * metrics.h -- per-minute CloudWatch-style counters of one table or index.
 *
 * Each table and each global secondary index has a ring of minute records
 * covering the last 24 hours and the current minute.  The ring is plain
 * data with no pointers, so it can live in the shared bucket file
 * (bucketfile.h) and be updated by every process; this module only does
 * the arithmetic and knows nothing of locks or files.
 *
 * Counters and minutes are lock-free atomics, so that a count can be
 * added without the file's lock (metrics_add_current) while others add
 * to the same record, in this process or another, and none is lost.
 * Only turning a record over to a new minute, which clears it, needs the
 * lock (metrics_add does it); a record is turned over only when its
 * minute comes round again a day later, so an add without the lock, which
 * checks that the record holds its own minute, never meets it.
 *
 * Counters are 32-bit and saturate: a minute of a resource would need over
 * 35 million units per second to overflow the capacity sums, which are in
 * half-units.  The provisioned values are not counters: they are read from
 * a short log of configuration changes (metrics_config_log), so a minute
 * with no traffic still reports the throughput in effect then.
 */
#ifndef KV_METRICS_H
#define KV_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 24 hours of finished minutes and the one in progress. */
#define METRICS_MINUTES 1441
#define METRICS_MINUTE_MS 60000

/* Operations, for ThrottledRequests' Operation dimension. */
enum metrics_op {
    METRICS_OP_GET_ITEM,
    METRICS_OP_PUT_ITEM,
    METRICS_OP_UPDATE_ITEM,
    METRICS_OP_DELETE_ITEM,
    METRICS_OP_QUERY,
    METRICS_OP_SCAN,
    METRICS_OP_BATCH_GET_ITEM,
    METRICS_OP_BATCH_WRITE_ITEM,
    METRICS_OP_TRANSACT_GET_ITEMS,
    METRICS_OP_TRANSACT_WRITE_ITEMS,
    METRICS_OP_EXECUTE_STATEMENT,
    METRICS_OP_BATCH_EXECUTE_STATEMENT,
    METRICS_OP_EXECUTE_TRANSACTION,
    METRICS_OP_COUNT
};

/* Why a request was throttled: the LimitType of a ThrottlingReason. */
enum metrics_reason {
    METRICS_REASON_PROVISIONED,    /* ProvisionedThroughputExceeded */
    METRICS_REASON_KEY_RANGE,      /* KeyRangeThroughputExceeded */
    METRICS_REASON_ACCOUNT_LIMIT,  /* AccountLimitExceeded */
    METRICS_REASON_MAX_ON_DEMAND,  /* MaxOnDemandThroughputExceeded */
    METRICS_REASON_COUNT
};

/* The counters of one minute. */
enum metrics_field {
    MF_CONSUMED_READ,   /* half-units */
    MF_READ_REQUESTS,   /* requests that consumed read capacity */
    MF_CONSUMED_WRITE,  /* half-units */
    MF_WRITE_REQUESTS,
    MF_READ_THROTTLES,  /* ReadThrottleEvents */
    MF_WRITE_THROTTLES, /* WriteThrottleEvents */
    MF_READ_REASON,     /* + enum metrics_reason */
    MF_WRITE_REASON = MF_READ_REASON + METRICS_REASON_COUNT,
    MF_THROTTLED = MF_WRITE_REASON + METRICS_REASON_COUNT, /* + enum metrics_op */
    MF_COUNT = MF_THROTTLED + METRICS_OP_COUNT
};

struct metrics_minute {
    _Atomic int64_t minute; /* minutes since the epoch; records of other minutes are stale */
    _Atomic uint32_t v[MF_COUNT];
};

struct metrics_ring {
    struct metrics_minute m[METRICS_MINUTES];
};

/* The capacity mode and provisioned throughput from a given time on. */
struct metrics_config {
    int64_t since_ms;
    int32_t billing; /* kv_billing_mode */
    int32_t pad;
    int64_t read_units, write_units;
};

#define METRICS_CONFIG_LOG 32

/* The last METRICS_CONFIG_LOG configurations, oldest first. */
struct metrics_config_log {
    uint32_t n;
    uint32_t pad;
    struct metrics_config e[METRICS_CONFIG_LOG];
};

/* Add n to a counter of the minute holding now_ms (saturating), turning
 * the minute's record over if it is stale: under the lock. */
void metrics_add(struct metrics_ring *r, int64_t now_ms, enum metrics_field f, uint64_t n);
/* The record of the minute holding now_ms if it is current, so counts can
 * be added to it without the lock (metrics_record_add); NULL if not. */
struct metrics_minute *metrics_current(struct metrics_ring *r, int64_t now_ms);
/* Without the lock: add n to a counter of a current record (saturating). */
void metrics_record_add(struct metrics_minute *rec, enum metrics_field f, uint64_t n);
/* Without the lock: add n as metrics_add does, if the minute's record is
 * current (false, nothing added, if not). */
bool metrics_add_current(struct metrics_ring *r, int64_t now_ms, enum metrics_field f,
                         uint64_t n);
/* Take back n added at at_ms, if that minute is still kept (without the
 * lock too: it never turns a record over). */
void metrics_sub(struct metrics_ring *r, int64_t at_ms, enum metrics_field f, uint64_t n);

/* Record a configuration in effect from since_ms on (dropping the oldest
 * when full; an entry for the same or a later time is replaced). */
void metrics_log_config(struct metrics_config_log *log, int64_t since_ms, int billing,
                        int64_t read_units, int64_t write_units);

/* The metrics readable through kv_metric_get. */
enum metrics_metric {
    MM_CONSUMED_READ,
    MM_CONSUMED_WRITE,
    MM_PROVISIONED_READ,
    MM_PROVISIONED_WRITE,
    MM_READ_THROTTLE_EVENTS,
    MM_WRITE_THROTTLE_EVENTS,
    MM_READ_REASON,                                   /* + enum metrics_reason */
    MM_WRITE_REASON = MM_READ_REASON + METRICS_REASON_COUNT,
    MM_THROTTLED_REQUESTS = MM_WRITE_REASON + METRICS_REASON_COUNT,
    MM_COUNT
};

/* The metric called `name` (CloudWatch's name), or -1. */
int metrics_find(const char *name);
const char *metrics_name(enum metrics_metric m);
/* Whether the metric exists for global secondary indexes (all but
 * ThrottledRequests, whose dimension is the table and the operation). */
bool metrics_for_index(enum metrics_metric m);

/* "ProvisionedThroughput", "KeyRangeThroughput", ...: the middle of both
 * the per-reason metric names and the ThrottlingReason names. */
const char *metrics_reason_name(enum metrics_reason r);

/* The operation called `name` ("PutItem"), or -1. */
int metrics_op_find(const char *name);
const char *metrics_op_name(enum metrics_op op);

/* One data point. */
struct metrics_point {
    int64_t minute_ms;   /* start of the minute */
    uint64_t value;      /* half-units when `halves`, else a count */
    uint64_t samples;    /* SampleCount */
    bool halves;
};

/*
 * The data points of metric m over [start_ms, end_ms), limited to the
 * minutes still kept as of now_ms and, for provisioned values, to minutes
 * from since_ms on (when the resource came to exist).  op is an operation
 * for ThrottledRequests, or -1 for their sum.  Writes at most
 * METRICS_MINUTES points to out; returns how many, in time order.
 */
size_t metrics_read(const struct metrics_ring *r, const struct metrics_config_log *log,
                    enum metrics_metric m, int op, int64_t start_ms, int64_t end_ms,
                    int64_t now_ms, int64_t since_ms, struct metrics_point *out);

/* Floor division of a time by a minute, correct for negative times. */
int64_t metrics_minute_of(int64_t ms);

#endif
