/*
 * metrics.c -- the minute ring and reading it back; see metrics.h.
 *
 * A minute m lives in record m mod METRICS_MINUTES.  The record carries
 * its minute, so a record left from a day ago is recognised as stale and
 * cleared when its slot comes round again, and a reader skips it.  Nothing
 * ever has to sweep the ring: a quiet resource costs nothing.
 *
 * What CloudWatch counts, and how it is mirrored here:
 *   Consumed*CapacityUnits   units consumed by requests that succeeded (and
 *                            conditional writes that failed, which DynamoDB
 *                            charges); SampleCount is the request count.
 *   Provisioned*CapacityUnits  the throughput in effect (provisioned mode).
 *   Read/WriteThrottleEvents one per throttled event: a write on a table
 *                            with three GSIs is four events, counted on
 *                            whichever of them throttled.
 *   <Read|Write><Reason>ThrottleEvents  the same split by reason.
 *   ThrottledRequests        one per request with any throttled event; for
 *                            a batch, only when every element throttled.
 */
#include "metrics.h"
#include "kv.h"

#include <stdatomic.h>
#include <string.h>

int64_t
metrics_minute_of(int64_t ms)
{
    int64_t q = ms / METRICS_MINUTE_MS;
    return (ms % METRICS_MINUTE_MS < 0) ? q - 1 : q;
}

static size_t
ring_slot(int64_t minute)
{
    int64_t s = minute % METRICS_MINUTES;
    return (size_t)(s < 0 ? s + METRICS_MINUTES : s);
}

/* A saturating add, as one atomic step. */
static void
counter_add(_Atomic uint32_t *c, uint64_t n)
{
    uint32_t old = atomic_load_explicit(c, memory_order_relaxed);
    uint32_t sum;
    do {
        sum = (uint64_t)old + n > UINT32_MAX ? UINT32_MAX : (uint32_t)(old + n);
    } while (!atomic_compare_exchange_weak_explicit(c, &old, sum, memory_order_relaxed,
                                                    memory_order_relaxed));
}

struct metrics_minute *
metrics_current(struct metrics_ring *r, int64_t now_ms)
{
    int64_t minute = metrics_minute_of(now_ms);
    struct metrics_minute *rec = &r->m[ring_slot(minute)];
    return atomic_load_explicit(&rec->minute, memory_order_acquire) == minute ? rec : NULL;
}

void
metrics_record_add(struct metrics_minute *rec, enum metrics_field f, uint64_t n)
{
    counter_add(&rec->v[f], n);
}

bool
metrics_add_current(struct metrics_ring *r, int64_t now_ms, enum metrics_field f, uint64_t n)
{
    struct metrics_minute *rec = metrics_current(r, now_ms);
    if (rec)
        counter_add(&rec->v[f], n);
    return rec != NULL;
}

void
metrics_add(struct metrics_ring *r, int64_t now_ms, enum metrics_field f, uint64_t n)
{
    int64_t minute = metrics_minute_of(now_ms);
    struct metrics_minute *rec = &r->m[ring_slot(minute)];
    int64_t had = atomic_load_explicit(&rec->minute, memory_order_acquire);
    if (had != minute) {
        if (had > minute)
            return; /* the clock went back more than a day: nowhere to count */
        /* Cleared before it is marked current: an add without the lock
         * counts only in a record that holds its minute. */
        for (int i = 0; i < MF_COUNT; i++)
            atomic_store_explicit(&rec->v[i], 0, memory_order_relaxed);
        atomic_store_explicit(&rec->minute, minute, memory_order_release);
    }
    counter_add(&rec->v[f], n);
}

void
metrics_sub(struct metrics_ring *r, int64_t at_ms, enum metrics_field f, uint64_t n)
{
    int64_t minute = metrics_minute_of(at_ms);
    struct metrics_minute *rec = &r->m[ring_slot(minute)];
    if (atomic_load_explicit(&rec->minute, memory_order_acquire) != minute)
        return;
    uint32_t old = atomic_load_explicit(&rec->v[f], memory_order_relaxed);
    uint32_t left;
    do {
        left = old > n ? (uint32_t)(old - n) : 0;
    } while (!atomic_compare_exchange_weak_explicit(&rec->v[f], &old, left,
                                                    memory_order_relaxed, memory_order_relaxed));
}

void
metrics_log_config(struct metrics_config_log *log, int64_t since_ms, int billing,
                   int64_t read_units, int64_t write_units)
{
    if (log->n > METRICS_CONFIG_LOG)
        log->n = METRICS_CONFIG_LOG; /* repaired after a crash */
    /* A change at a time not after the last entry replaces it: the log is
     * ordered by time, and the newest word on an instant wins. */
    while (log->n > 0 && log->e[log->n - 1].since_ms >= since_ms)
        log->n--;
    if (log->n == METRICS_CONFIG_LOG) {
        memmove(&log->e[0], &log->e[1], (METRICS_CONFIG_LOG - 1) * sizeof log->e[0]);
        log->n--;
    }
    struct metrics_config *c = &log->e[log->n++];
    memset(c, 0, sizeof *c);
    c->since_ms = since_ms;
    c->billing = billing;
    c->read_units = read_units;
    c->write_units = write_units;
}

/* --- names ------------------------------------------------------------------ */

static const char *const reason_names[METRICS_REASON_COUNT] = {
    "ProvisionedThroughput", "KeyRangeThroughput", "AccountLimit", "MaxOnDemandThroughput",
};

static const char *const metric_names[MM_COUNT] = {
    [MM_CONSUMED_READ] = "ConsumedReadCapacityUnits",
    [MM_CONSUMED_WRITE] = "ConsumedWriteCapacityUnits",
    [MM_PROVISIONED_READ] = "ProvisionedReadCapacityUnits",
    [MM_PROVISIONED_WRITE] = "ProvisionedWriteCapacityUnits",
    [MM_READ_THROTTLE_EVENTS] = "ReadThrottleEvents",
    [MM_WRITE_THROTTLE_EVENTS] = "WriteThrottleEvents",
    [MM_READ_REASON + METRICS_REASON_PROVISIONED] = "ReadProvisionedThroughputThrottleEvents",
    [MM_READ_REASON + METRICS_REASON_KEY_RANGE] = "ReadKeyRangeThroughputThrottleEvents",
    [MM_READ_REASON + METRICS_REASON_ACCOUNT_LIMIT] = "ReadAccountLimitThrottleEvents",
    [MM_READ_REASON + METRICS_REASON_MAX_ON_DEMAND] = "ReadMaxOnDemandThroughputThrottleEvents",
    [MM_WRITE_REASON + METRICS_REASON_PROVISIONED] = "WriteProvisionedThroughputThrottleEvents",
    [MM_WRITE_REASON + METRICS_REASON_KEY_RANGE] = "WriteKeyRangeThroughputThrottleEvents",
    [MM_WRITE_REASON + METRICS_REASON_ACCOUNT_LIMIT] = "WriteAccountLimitThrottleEvents",
    [MM_WRITE_REASON + METRICS_REASON_MAX_ON_DEMAND] =
        "WriteMaxOnDemandThroughputThrottleEvents",
    [MM_THROTTLED_REQUESTS] = "ThrottledRequests",
};

static const char *const op_names[METRICS_OP_COUNT] = {
    "GetItem",          "PutItem",          "UpdateItem",       "DeleteItem",
    "Query",            "Scan",             "BatchGetItem",     "BatchWriteItem",
    "TransactGetItems", "TransactWriteItems", "ExecuteStatement", "BatchExecuteStatement",
    "ExecuteTransaction",
};

int
metrics_find(const char *name)
{
    for (int i = 0; i < MM_COUNT; i++)
        if (strcmp(metric_names[i], name) == 0)
            return i;
    return -1;
}

const char *
metrics_name(enum metrics_metric m)
{
    return m < MM_COUNT ? metric_names[m] : "";
}

bool
metrics_for_index(enum metrics_metric m)
{
    return m != MM_THROTTLED_REQUESTS;
}

int
metrics_op_find(const char *name)
{
    for (int i = 0; i < METRICS_OP_COUNT; i++)
        if (strcmp(op_names[i], name) == 0)
            return i;
    return -1;
}

const char *
metrics_op_name(enum metrics_op op)
{
    return op < METRICS_OP_COUNT ? op_names[op] : "";
}

const char *
metrics_reason_name(enum metrics_reason r)
{
    return r < METRICS_REASON_COUNT ? reason_names[r] : "";
}

/* --- reading ------------------------------------------------------------- */

/* The configuration in effect at the end of minute `minute`, or NULL. */
static const struct metrics_config *
config_at(const struct metrics_config_log *log, int64_t minute)
{
    int64_t end = (minute + 1) * METRICS_MINUTE_MS;
    const struct metrics_config *found = NULL;
    uint32_t n = log->n < METRICS_CONFIG_LOG ? log->n : METRICS_CONFIG_LOG;
    for (uint32_t i = 0; i < n; i++)
        if (log->e[i].since_ms < end)
            found = &log->e[i];
    return found;
}

/* Value and sample count of a counted metric in one record; false if none. */
static bool
counted(const struct metrics_minute *rec, enum metrics_metric m, int op,
        struct metrics_point *p)
{
    p->halves = false;
    if (m == MM_CONSUMED_READ || m == MM_CONSUMED_WRITE) {
        bool rd = m == MM_CONSUMED_READ;
        p->value = rec->v[rd ? MF_CONSUMED_READ : MF_CONSUMED_WRITE];
        p->samples = rec->v[rd ? MF_READ_REQUESTS : MF_WRITE_REQUESTS];
        p->halves = true;
        return p->samples > 0;
    }
    if (m == MM_THROTTLED_REQUESTS) {
        p->value = 0;
        for (int i = 0; i < METRICS_OP_COUNT; i++)
            if (op < 0 || op == i)
                p->value += rec->v[MF_THROTTLED + i];
    } else if (m == MM_READ_THROTTLE_EVENTS || m == MM_WRITE_THROTTLE_EVENTS) {
        p->value = rec->v[m == MM_READ_THROTTLE_EVENTS ? MF_READ_THROTTLES : MF_WRITE_THROTTLES];
    } else if (m >= MM_READ_REASON && m < MM_WRITE_REASON) {
        p->value = rec->v[MF_READ_REASON + (m - MM_READ_REASON)];
    } else {
        p->value = rec->v[MF_WRITE_REASON + (m - MM_WRITE_REASON)];
    }
    p->samples = p->value;
    return p->value > 0;
}

size_t
metrics_read(const struct metrics_ring *r, const struct metrics_config_log *log,
             enum metrics_metric m, int op, int64_t start_ms, int64_t end_ms, int64_t now_ms,
             int64_t since_ms, struct metrics_point *out)
{
    int64_t now_min = metrics_minute_of(now_ms);
    int64_t first = metrics_minute_of(start_ms + METRICS_MINUTE_MS - 1); /* whole minutes */
    int64_t last = metrics_minute_of(end_ms - 1);
    if (first < now_min - (METRICS_MINUTES - 1))
        first = now_min - (METRICS_MINUTES - 1);
    if (last > now_min)
        last = now_min;
    bool provisioned = m == MM_PROVISIONED_READ || m == MM_PROVISIONED_WRITE;
    if (provisioned && first < metrics_minute_of(since_ms))
        first = metrics_minute_of(since_ms);
    size_t n = 0;
    for (int64_t min = first; min <= last; min++) {
        struct metrics_point p = {min * METRICS_MINUTE_MS, 0, 0, false};
        if (provisioned) {
            const struct metrics_config *c = config_at(log, min);
            if (!c || c->billing != KV_PROVISIONED)
                continue;
            p.value = (uint64_t)(m == MM_PROVISIONED_READ ? c->read_units : c->write_units);
            p.samples = 1;
        } else {
            const struct metrics_minute *rec = &r->m[ring_slot(min)];
            if (rec->minute != min || !counted(rec, m, op, &p))
                continue;
        }
        out[n++] = p;
    }
    return n;
}
