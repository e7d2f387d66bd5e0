/*
 * test_throttle.c -- admission against provisioned and on-demand
 * throughput, in fake time: the token bucket arithmetic, burst, debt,
 * refunds, GSI back-pressure, partitions and hot keys, on-demand scaling,
 * UpdateTable, batches, the exceptions with their messages and
 * ThrottlingReasons, and the public option layout.
 *
 * Every case runs on a manual clock, so counts are exact and nothing
 * sleeps.  Cases cite the acceptance criteria of issue 6 where they check
 * one.
 */
#include "fixture.h"
#include "bucket.h"
#include "bucketfile.h"
#include "capacity.h"
#include "catalog.h"
#include "clock.h"
#include "err.h"
#include "partition.h"
#include "throttle.h"
#include "throttle_impl.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A minute boundary, so minute-based rules are easy to reason about. */
#define T0 1700000040000LL
#define KB1 2 /* a 1 KB write: one unit, two half-units */

static const char msg_table[] =
    "The level of configured provisioned throughput for the table was exceeded. Consider "
    "increasing your provisioning level with the UpdateTable API.";
static const char msg_index[] =
    "The level of configured provisioned throughput for one or more global secondary indexes "
    "of the table was exceeded. Consider increasing your provisioning level for the "
    "under-provisioned global secondary indexes with the UpdateTable API";
static const char msg_throttling[] =
    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically "
    "scaling your table or index so please try again shortly. If exceptions persist, check if "
    "you have a hot key: "
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html";

struct tf {
    struct clock clk;
    struct throttle *th;
};

static struct tf *
tf_open(int64_t burst_ms, bool unlimited)
{
    struct tf *f = calloc(1, sizeof *f);
    struct kv_err err;
    err_init(&err);
    clock_init_manual(&f->clk, T0);
    struct throttle_options o = {NULL, &f->clk, burst_ms, unlimited, 0600};
    assert_int_equal(throttle_open(&o, &f->th, &err), KV_OK);
    assert_false(throttle_is_shared(f->th));
    return f;
}

static void
tf_close(struct tf *f)
{
    throttle_close(f->th);
    free(f);
}

static struct throttle_table
table(const char *id, int64_t rcu, int64_t wcu)
{
    struct throttle_table t;
    memset(&t, 0, sizeof t);
    t.id = id;
    t.name = "Music";
    t.billing = KV_PROVISIONED;
    t.rcu = rcu;
    t.wcu = wcu;
    t.created_ms = T0;
    t.changed_ms = T0;
    return t;
}

/* One write of `half` half-units on the table alone; returns the status. */
static kv_status
put(struct tf *f, const struct throttle_table *t, uint64_t hash, uint64_t half)
{
    struct throttle_ticket tk = {0};
    struct throttle_write w = {t, METRICS_OP_PUT_ITEM, half, hash, NULL, 0};
    struct kv_err err;
    err_init(&err);
    kv_status st = throttle_write_admit(f->th, &w, &tk, &err);
    assert_int_equal(st, err.status);
    assert_true(st != KV_OK || tk.held);
    err_clear(&err);
    return st;
}

/* How many 1 KB writes pass at the current instant before one is refused. */
static int
drain(struct tf *f, const struct throttle_table *t, uint64_t hash)
{
    int n = 0;
    while (put(f, t, hash, KB1) == KV_OK)
        n++;
    return n;
}

static uint64_t
metric_sum(struct tf *f, const struct throttle_table *t, const char *index,
           enum metrics_metric m, int op)
{
    static struct metrics_point pts[METRICS_MINUTES];
    size_t n;
    struct kv_err err;
    err_init(&err);
    assert_int_equal(throttle_metrics(f->th, t, index, m, op, 0, INT64_MAX, pts, &n, &err),
                     KV_OK);
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += pts[i].value;
    return sum;
}

/* The requests a Consumed* metric counted (its SampleCount). */
static uint64_t
metric_samples(struct tf *f, const struct throttle_table *t, const char *index,
               enum metrics_metric m)
{
    static struct metrics_point pts[METRICS_MINUTES];
    size_t n;
    struct kv_err err;
    err_init(&err);
    assert_int_equal(throttle_metrics(f->th, t, index, m, -1, 0, INT64_MAX, pts, &n, &err),
                     KV_OK);
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += pts[i].samples;
    return sum;
}

/* --- thr01: bucket arithmetic ------------------------------------------------ */

/* thr01-1.1: refill is exact whatever the step: 7 units/s filled one
 * millisecond at a time equals one refill over the same span. */
static void
thr01_1_exact_refill(void **state)
{
    (void)state;
    struct bucket_rate r = bucket_rate_units(7, 300000);
    struct bucket a = {0, 0}, b = {0, 0};
    for (int ms = 1; ms <= 12345; ms++)
        bucket_refill(&a, r, ms);
    bucket_refill(&b, r, 12345);
    assert_int_equal(a.level, b.level);
    assert_int_equal(a.level, 7 * 2 * 12345); /* 14 ticks per ms */
}

/* thr01-1.2: the ceiling is the window, at least one second. */
static void
thr01_2_ceiling(void **state)
{
    (void)state;
    struct bucket_rate r0 = bucket_rate_units(10, 0), r300 = bucket_rate_units(10, 300000);
    assert_int_equal(r0.ceiling, 10 * 2 * BUCKET_TICKS);
    assert_int_equal(r300.ceiling, 3000 * 2 * BUCKET_TICKS);
    struct bucket b;
    bucket_start(&b, r300, 0);
    assert_int_equal(bucket_level_half(&b), 20); /* one second, no burst */
    bucket_refill(&b, r300, 1000000000);
    assert_int_equal(b.level, r300.ceiling); /* years later: capped, no overflow */
}

/* thr01-1.3: a cost above the ceiling passes only from a full bucket, and
 * leaves debt; a cost within it needs the whole cost. */
static void
thr01_3_overdraft(void **state)
{
    (void)state;
    struct bucket_rate r = bucket_rate_units(1, 0); /* 2 half-units */
    struct bucket b;
    bucket_start(&b, r, 0);
    assert_true(bucket_admits(&b, r, 800)); /* a 400 KB write on 1 WCU */
    bucket_take(&b, 800);
    assert_int_equal(bucket_level_half(&b), -798);
    assert_false(bucket_admits(&b, r, 1));
    bucket_refill(&b, r, 399000); /* 399 s repay 798 half-units */
    assert_int_equal(bucket_level_half(&b), 0);
    assert_false(bucket_admits(&b, r, 1));
    bucket_refill(&b, r, 399500);
    assert_true(bucket_admits(&b, r, 1));
    assert_false(bucket_admits(&b, r, 2));
}

/* thr01-1.5: a refill that exactly fills the room reaches the ceiling,
 * one tick short stays short, and an elapsed time whose product with the
 * rate would overflow fills the bucket. */
static void
thr01_5_refill_edges(void **state)
{
    (void)state;
    struct bucket_rate r = bucket_rate_units(7, 300000); /* 14 ticks per ms */
    struct bucket b = {r.ceiling - 140, 0};
    bucket_refill(&b, r, 9);
    assert_int_equal(b.level, r.ceiling - 14);
    bucket_refill(&b, r, 10);
    assert_int_equal(b.level, r.ceiling);
    struct bucket c = {r.ceiling - 141, 0};
    bucket_refill(&c, r, 10);
    assert_int_equal(c.level, r.ceiling - 1);
    bucket_refill(&c, r, 11);
    assert_int_equal(c.level, r.ceiling);
    struct bucket_rate fast = bucket_rate_units(BUCKET_RATE_MAX, BUCKET_WINDOW_MAX);
    struct bucket d = {-(INT64_C(1) << 50), 0};
    bucket_refill(&d, fast, INT64_C(1) << 62);
    assert_int_equal(d.level, fast.ceiling);
    assert_int_equal(d.stamp, INT64_C(1) << 62);
}

/* thr01-1.4: a reading older than the stamp credits nothing and leaves
 * the stamp, so no interval is ever credited twice. */
static void
thr01_4_clock_back(void **state)
{
    (void)state;
    struct bucket_rate r = bucket_rate_units(10, 300000);
    struct bucket b = {0, 10000};
    bucket_refill(&b, r, 5000);
    assert_int_equal(b.level, 0);
    assert_int_equal(b.stamp, 10000);
    bucket_refill(&b, r, 9000);
    assert_int_equal(b.level, 0);
    bucket_refill(&b, r, 11000);
    assert_int_equal(bucket_level_half(&b), 20);
}

/* --- thr02: acceptance: provisioned rate and burst ----------------------------- */

/* thr02-1.1 (issue 6): burst 0, 10 WCU: exactly ten 1 KB writes in one
 * instant, the eleventh throttled with DynamoDB's message and reason. */
static void
thr02_1_ten_per_second(void **state)
{
    (void)state;
    struct tf *f = tf_open(0, false);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000001", 5, 10);
    assert_int_equal(drain(f, &t, 42), 10);

    struct throttle_ticket tk = {0};
    struct throttle_write w = {&t, METRICS_OP_PUT_ITEM, KB1, 42, NULL, 0};
    struct kv_err err;
    err_init(&err);
    assert_int_equal(throttle_write_admit(f->th, &w, &tk, &err),
                     KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_false(tk.held);
    assert_string_equal(err_message(&err), msg_table);
    assert_int_equal(err.n_throttle, 1);
    assert_string_equal(err.throttle[0].reason, "TableWriteProvisionedThroughputExceeded");
    assert_string_equal(err.throttle[0].resource,
                        "arn:aws:dynamodb:ddblocal:000000000000:table/Music");
    err_clear(&err);

    /* The rate is per second, refilled continuously: 100 ms is one write. */
    clock_advance(&f->clk, 99);
    assert_int_equal(put(f, &t, 42, KB1), KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    clock_advance(&f->clk, 1);
    assert_int_equal(drain(f, &t, 42), 1);
    tf_close(f);
}

/* thr02-1.2: writes spread over the first milliseconds of the second:
 * still ten, then refused. */
static void
thr02_2_ten_within_a_second(void **state)
{
    (void)state;
    struct tf *f = tf_open(0, false);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000002", 5, 10);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(put(f, &t, 7, KB1), KV_OK);
        clock_advance(&f->clk, 9);
    }
    assert_int_equal(put(f, &t, 7, KB1), KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    tf_close(f);
}

/* thr02-2.1 (issue 6): burst 300 s: drained, then 60 idle seconds, then
 * exactly 600 writes before the next throttle. */
static void
thr02_3_burst_after_idle(void **state)
{
    (void)state;
    struct tf *f = tf_open(300000, false);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000003", 5, 10);
    assert_int_equal(drain(f, &t, 1), 10);
    clock_advance(&f->clk, 60000);
    assert_int_equal(drain(f, &t, 1), 600);
    tf_close(f);
}

/* thr02-2.2: a table idle since creation banks at most 300 s, and spends
 * it no faster than its partition's 1,000 WCU. */
static void
thr02_4_burst_ceiling(void **state)
{
    (void)state;
    struct tf *f = tf_open(300000, false);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000004", 5, 10);
    clock_advance(&f->clk, 3600000);
    assert_int_equal(throttle_level(f->th, &t, NULL, true), 2 * 3000);
    int total = 0;
    for (int s = 0; s < 4; s++) {
        int n = drain(f, &t, 1);
        assert_int_equal(n, s < 3 ? 1000 : 30); /* 10 WCU refilled each second */
        total += n;
        clock_advance(&f->clk, 1000);
    }
    assert_int_equal(total, 3000 + 30);
    tf_close(f);
}

/* thr02-3.1: a refused write changes nothing: same level, and the metrics
 * count one throttle event and one throttled PutItem, nothing consumed. */
static void
thr02_5_refusal_changes_nothing(void **state)
{
    (void)state;
    struct tf *f = tf_open(0, false);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000005", 5, 10);
    assert_int_equal(drain(f, &t, 1), 10);
    int64_t before = throttle_level(f->th, &t, NULL, true);
    assert_int_equal(put(f, &t, 1, 6), KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_int_equal(throttle_level(f->th, &t, NULL, true), before);
    assert_int_equal(metric_sum(f, &t, NULL, MM_CONSUMED_WRITE, -1), 20);
    /* drain's last call and the one above: two refusals */
    assert_int_equal(metric_sum(f, &t, NULL, MM_WRITE_THROTTLE_EVENTS, -1), 2);
    assert_int_equal(metric_sum(f, &t, NULL, MM_WRITE_REASON + METRICS_REASON_PROVISIONED, -1),
                     2);
    assert_int_equal(metric_sum(f, &t, NULL, MM_THROTTLED_REQUESTS, METRICS_OP_PUT_ITEM), 2);
    assert_int_equal(metric_sum(f, &t, NULL, MM_THROTTLED_REQUESTS, METRICS_OP_GET_ITEM), 0);
    tf_close(f);
}

/* --- thr03: tickets: refunds, retried bodies, reads ------------------------------ */

/* thr03-1.1: a refund gives back the buckets and the metrics. */
static void
thr03_1_refund(void **state)
{
    (void)state;
    struct tf *f = tf_open(0, false);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000011", 5, 10);
    struct throttle_ticket tk = {0};
    struct throttle_write w = {&t, METRICS_OP_PUT_ITEM, 8, 3, NULL, 0};
    struct kv_err err;
    err_init(&err);
    assert_int_equal(throttle_level(f->th, &t, NULL, true), 20);
    assert_int_equal(throttle_write_admit(f->th, &w, &tk, &err), KV_OK);
    assert_int_equal(throttle_level(f->th, &t, NULL, true), 12);
    assert_int_equal(metric_sum(f, &t, NULL, MM_CONSUMED_WRITE, -1), 8);
    throttle_refund(f->th, &tk);
    assert_false(tk.held);
    assert_int_equal(throttle_level(f->th, &t, NULL, true), 20);
    assert_int_equal(metric_sum(f, &t, NULL, MM_CONSUMED_WRITE, -1), 0);
    throttle_refund(f->th, &tk); /* an empty ticket: nothing */
    assert_int_equal(throttle_level(f->th, &t, NULL, true), 20);
    tf_close(f);
}

/* thr03-1.2: admitting again on a held ticket (a transaction body run
 * twice) charges once. */
static void
thr03_2_retried_body(void **state)
{
    (void)state;
    struct tf *f = tf_open(0, false);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000012", 5, 10);
    struct throttle_ticket tk = {0};
    struct throttle_write w = {&t, METRICS_OP_PUT_ITEM, 6, 3, NULL, 0};
    struct kv_err err;
    err_init(&err);
    for (int i = 0; i < 5; i++)
        assert_int_equal(throttle_write_admit(f->th, &w, &tk, &err), KV_OK);
    assert_int_equal(throttle_level(f->th, &t, NULL, true), 14);
    assert_int_equal(metric_sum(f, &t, NULL, MM_CONSUMED_WRITE, -1), 6);
    tf_close(f);
}

/* thr03-2.1: a read is checked against its estimate, settled after, and
 * may leave debt that is repaid before the next read. */
static void
thr03_3_read_debt(void **state)
{
    (void)state;
    struct tf *f = tf_open(0, false);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000013", 1, 1);
    struct throttle_ticket tk = {0};
    struct throttle_read r = {&t, METRICS_OP_SCAN, NULL, false, 0, 1};
    struct kv_err err;
    err_init(&err);
    assert_int_equal(throttle_read_admit(f->th, &r, &tk, &err), KV_OK);
    throttle_read_settle(f->th, &tk, 256); /* a 1 MB eventually consistent page */
    assert_int_equal(throttle_level(f->th, &t, NULL, false), 2 - 256);
    assert_int_equal(metric_sum(f, &t, NULL, MM_CONSUMED_READ, -1), 256);
    struct throttle_ticket tk2 = {0};
    clock_advance(&f->clk, 127000);
    assert_int_equal(throttle_read_admit(f->th, &r, &tk2, &err),
                     KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_string_equal(err.throttle[0].reason, "TableReadProvisionedThroughputExceeded");
    err_clear(&err);
    clock_advance(&f->clk, 500);
    assert_int_equal(throttle_read_admit(f->th, &r, &tk2, &err), KV_OK);
    /* settling below the estimate gives the difference back */
    throttle_read_settle(f->th, &tk2, 0);
    assert_int_equal(throttle_level(f->th, &t, NULL, false), 1);
    tf_close(f);
}

/* --- thr04: GSI back-pressure ---------------------------------------------------- */

static const struct throttle_index gsi_low = {"ByHost", 1, 1, 0, 0, 0, 0};

/* thr04-1.1: a write whose GSI bucket is empty is throttled, with the
 * index message and reason, and counts a WriteThrottleEvent on the GSI. */
static void
thr04_1_gsi_back_pressure(void **state)
{
    (void)state;
    struct tf *f = tf_open(0, false);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000021", 100, 100);
    t.gsis = &gsi_low;
    t.n_gsis = 1;
    struct throttle_gsi_write g = {"ByHost", KB1, true, 99};
    struct throttle_write w = {&t, METRICS_OP_PUT_ITEM, KB1, 5, &g, 1};
    struct throttle_ticket tk = {0};
    struct kv_err err;
    err_init(&err);
    assert_int_equal(throttle_write_admit(f->th, &w, &tk, &err), KV_OK);
    tk.held = false;
    assert_int_equal(throttle_write_admit(f->th, &w, &tk, &err),
                     KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_string_equal(err_message(&err), msg_index);
    assert_int_equal(err.n_throttle, 1);
    assert_string_equal(err.throttle[0].reason, "IndexWriteProvisionedThroughputExceeded");
    assert_string_equal(err.throttle[0].resource,
                        "arn:aws:dynamodb:ddblocal:000000000000:table/Music/index/ByHost");
    err_clear(&err);
    /* the table was not charged for the refused write */
    assert_int_equal(throttle_level(f->th, &t, NULL, true), 200 - 2);
    assert_int_equal(metric_sum(f, &t, "ByHost", MM_WRITE_THROTTLE_EVENTS, -1), 1);
    assert_int_equal(metric_sum(f, &t, NULL, MM_WRITE_THROTTLE_EVENTS, -1), 0);
    assert_int_equal(metric_sum(f, &t, NULL, MM_THROTTLED_REQUESTS, -1), 1);
    assert_int_equal(metric_sum(f, &t, "ByHost", MM_CONSUMED_WRITE, -1), 2);
    /* a write that does not touch the index passes */
    struct throttle_write w2 = {&t, METRICS_OP_PUT_ITEM, KB1, 5, NULL, 0};
    assert_int_equal(throttle_write_admit(f->th, &w2, &tk, &err), KV_OK);
    tf_close(f);
}

/* thr04-1.2: table and index both short: both reasons, the table message. */
static void
thr04_2_both_short(void **state)
{
    (void)state;
    struct tf *f = tf_open(0, false);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000022", 1, 1);
    t.gsis = &gsi_low;
    t.n_gsis = 1;
    struct throttle_gsi_write g = {"ByHost", KB1, true, 99};
    struct throttle_write w = {&t, METRICS_OP_UPDATE_ITEM, KB1, 5, &g, 1};
    struct throttle_ticket tk = {0};
    struct kv_err err;
    err_init(&err);
    assert_int_equal(throttle_write_admit(f->th, &w, &tk, &err), KV_OK);
    tk.held = false;
    assert_int_equal(throttle_write_admit(f->th, &w, &tk, &err),
                     KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_string_equal(err_message(&err), msg_table);
    assert_int_equal(err.n_throttle, 2);
    assert_string_equal(err.throttle[0].reason, "TableWriteProvisionedThroughputExceeded");
    assert_string_equal(err.throttle[1].reason, "IndexWriteProvisionedThroughputExceeded");
    err_clear(&err);
    assert_int_equal(metric_sum(f, &t, NULL, MM_THROTTLED_REQUESTS, METRICS_OP_UPDATE_ITEM), 1);
    tf_close(f);
}

/* thr04-1.3: charging an index the table does not have is misuse. */
static void
thr04_3_unknown_index(void **state)
{
    (void)state;
    struct tf *f = tf_open(0, false);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000023", 1, 1);
    struct throttle_gsi_write g = {"Nope", KB1, true, 99};
    struct throttle_write w = {&t, METRICS_OP_PUT_ITEM, KB1, 5, &g, 1};
    struct throttle_ticket tk = {0};
    struct kv_err err;
    err_init(&err);
    assert_int_equal(throttle_write_admit(f->th, &w, &tk, &err), KV_MISUSE);
    assert_false(tk.held);
    err_clear(&err);
    tf_close(f);
}

/* thr04-1.4: a write described from the units index upkeep computed: local
 * indexes spend the table's capacity, each global index is charged its own. */
static void
thr04_4_from_consumed(void **state)
{
    (void)state;
    struct consumed c;
    memset(&c, 0, sizeof c);
    consumed_add_table(&c, 0, 4);
    consumed_add_index(&c, "ByDate", false, 0, 2);
    consumed_add_index(&c, "ByHost", true, 0, 2);
    consumed_add_index(&c, "Unused", true, 0, 0);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000024", 100, 100);
    t.gsis = &gsi_low;
    t.n_gsis = 1;
    struct throttle_write w;
    struct throttle_gsi_write g[THROTTLE_GSI_MAX];
    throttle_write_from_consumed(&w, &t, METRICS_OP_UPDATE_ITEM, 77, &c, g);
    assert_int_equal(w.units, 6);
    assert_int_equal(w.hash, 77);
    assert_int_equal(w.n_gsis, 1);
    assert_string_equal(w.gsis[0].index, "ByHost");
    assert_int_equal(w.gsis[0].units, 2);
    assert_false(w.gsis[0].has_hash);
    struct tf *f = tf_open(0, false);
    struct throttle_ticket tk = {0};
    struct kv_err err;
    err_init(&err);
    assert_int_equal(throttle_write_admit(f->th, &w, &tk, &err), KV_OK);
    assert_int_equal(throttle_level(f->th, &t, NULL, true), 200 - 6);
    assert_int_equal(throttle_level(f->th, &t, "ByHost", true), 0);
    tf_close(f);
}

/* thr04-1.5: a catalog description: GSIs only, and the latest change of
 * the table or any index orders descriptions. */
static void
thr04_5_from_def(void **state)
{
    (void)state;
    struct index_def ix[2];
    memset(ix, 0, sizeof ix);
    ix[0].name = "ByDate";
    ix[0].global = false;
    ix[1].name = "ByHost";
    ix[1].global = true;
    ix[1].rcu = 3;
    ix[1].wcu = 4;
    ix[1].last_decrease_ms = T0 + 500;
    struct table_def def;
    memset(&def, 0, sizeof def);
    def.name = "Music";
    snprintf(def.uuid, sizeof def.uuid, "11111111-0000-0000-0000-000000000025");
    def.billing = KV_PROVISIONED;
    def.rcu = 5;
    def.wcu = 10;
    def.created_ms = T0;
    def.last_increase_ms = T0 + 100;
    def.indexes = ix;
    def.n_indexes = 2;
    struct throttle_table t;
    struct throttle_index g[THROTTLE_GSI_MAX];
    throttle_table_from_def(&def, 12345, &t, g);
    assert_string_equal(t.id, def.uuid);
    assert_int_equal(t.wcu, 10);
    assert_int_equal(t.size_bytes, 12345);
    assert_int_equal(t.created_ms, T0);
    assert_int_equal(t.changed_ms, T0 + 500);
    assert_int_equal(t.n_gsis, 1);
    assert_string_equal(t.gsis[0].name, "ByHost");
    assert_int_equal(t.gsis[0].wcu, 4);
}

/* --- thr05: partitions ------------------------------------------------------------- */

/* thr05-1.1: the sizing rules. */
static void
thr05_1_partition_count(void **state)
{
    (void)state;
    assert_int_equal(partition_for_throughput(1, 1), 1);
    assert_int_equal(partition_for_throughput(3000, 1000), 2);
    assert_int_equal(partition_for_throughput(0, 10000), 10);
    assert_int_equal(partition_for_throughput(3001, 0), 2);
    assert_int_equal(partition_for_size(0), 1);
    assert_int_equal(partition_for_size(25ULL << 30), 3);
    /* new table; raised beyond: doubled; lowered: kept; grown by size */
    assert_int_equal(partition_count_next(0, 0, 10000, 0), 10);
    assert_int_equal(partition_count_next(10, 0, 12000, 0), 20);
    assert_int_equal(partition_count_next(10, 0, 50000, 0), 50);
    assert_int_equal(partition_count_next(20, 1, 1, 0), 20);
    assert_int_equal(partition_count_next(20, 1, 1, 300ULL << 30), 30);
}

/* thr05-1.2: ranges are equal, cover the hash space, and start where
 * partition_start says. */
static void
thr05_2_placement(void **state)
{
    (void)state;
    for (uint32_t n = 1; n <= 700; n += 3) {
        for (uint32_t i = 0; i < n; i++) {
            uint64_t s = partition_start(i, n);
            assert_int_equal(partition_of(s, n), i);
            if (i > 0)
                assert_int_equal(partition_of(s - 1, n), i - 1);
        }
        assert_int_equal(partition_of(UINT64_MAX, n), n - 1);
        assert_true(partition_slot(n - 1, n) < PARTITION_SLOTS);
    }
    assert_int_equal(partition_slot_width(512), 1);
    assert_int_equal(partition_slot_width(513), 2);
}

/* Write 1 KB items for `seconds` seconds: at every millisecond, as many as
 * are admitted.  Returns the counts of each second. */
static void
pace(struct tf *f, const struct throttle_table *t, uint32_t parts, int seconds, int *per_s)
{
    uint32_t next = 0;
    for (int s = 0; s < seconds; s++) {
        per_s[s] = 0;
        for (int ms = 0; ms < 1000; ms++) {
            clock_advance(&f->clk, 1);
            for (;;) {
                uint64_t hash = parts ? partition_start(next % parts, parts) : 42;
                if (put(f, t, hash, KB1) != KV_OK)
                    break;
                per_s[s]++;
                next++;
            }
        }
    }
}

/* thr05-2.1 (issue 6): on a 10,000 WCU table one hot partition key is
 * throttled at 1,000 WCU, with KeyRangeThroughputExceeded. */
static void
thr05_3_hot_key(void **state)
{
    (void)state;
    struct tf *f = tf_open(0, false);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000031", 1, 10000);
    assert_int_equal(throttle_partitions(f->th, &t, NULL), 11);
    assert_int_equal(drain(f, &t, 42), 1000);

    struct throttle_ticket tk = {0};
    struct throttle_write w = {&t, METRICS_OP_PUT_ITEM, KB1, 42, NULL, 0};
    struct kv_err err;
    err_init(&err);
    assert_int_equal(throttle_write_admit(f->th, &w, &tk, &err), KV_THROTTLING);
    assert_string_equal(err_message(&err), msg_throttling);
    assert_string_equal(err.throttle[0].reason, "TableWriteKeyRangeThroughputExceeded");
    err_clear(&err);

    int per_s[5];
    pace(f, &t, 0, 5, per_s);
    for (int s = 0; s < 5; s++)
        assert_int_equal(per_s[s], 1000);
    assert_true(metric_sum(f, &t, NULL, MM_WRITE_REASON + METRICS_REASON_KEY_RANGE, -1) > 0);
    assert_int_equal(metric_sum(f, &t, NULL, MM_WRITE_REASON + METRICS_REASON_PROVISIONED, -1),
                     0);
    tf_close(f);
}

/* thr05-2.2 (issue 6): writes spread over every partition reach the
 * table's 10,000 WCU, and the table's bucket is what stops them. */
static void
thr05_4_spread_keys(void **state)
{
    (void)state;
    struct tf *f = tf_open(0, false);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000032", 1, 10000);
    uint32_t parts = throttle_partitions(f->th, &t, NULL);
    int per_s[3];
    pace(f, &t, parts, 3, per_s);
    assert_int_equal(per_s[0], 10000 + 9990); /* a full bucket, then 10 per ms */
    assert_int_equal(per_s[1], 10000);
    assert_int_equal(per_s[2], 10000);
    assert_true(metric_sum(f, &t, NULL, MM_WRITE_REASON + METRICS_REASON_PROVISIONED, -1) > 0);
    tf_close(f);
}

/* thr05-2.3: a burst cannot lift a partition above its ceiling. */
static void
thr05_5_burst_within_partition(void **state)
{
    (void)state;
    struct tf *f = tf_open(300000, false);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000033", 1, 2000);
    clock_advance(&f->clk, 300000);
    assert_int_equal(drain(f, &t, 9), 1000);
    assert_int_equal(drain(f, &t, partition_start(1, throttle_partitions(f->th, &t, NULL))),
                     1000);
    tf_close(f);
}

/* thr05-2.4: a thread that keeps using a table takes a short path while
 * its description stays the same; a description that grows the table
 * still recounts its partitions (each starting afresh), and a throughput
 * cut still cuts the level, at the same instant. */
static void
thr05_6_description_changes(void **state)
{
    (void)state;
    struct tf *f = tf_open(0, false);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000034", 3, 2999);
    assert_int_equal(throttle_partitions(f->th, &t, NULL), 3);
    assert_int_equal(drain(f, &t, 42), 1000); /* the hot key's partition */
    assert_int_equal(drain(f, &t, 42), 0);
    t.size_bytes = 4 * PARTITION_BYTES; /* four partitions by size */
    assert_int_equal(drain(f, &t, 42), 1000);
    assert_int_equal(throttle_partitions(f->th, &t, NULL), 4);
    assert_int_equal(throttle_level(f->th, &t, NULL, true), 2 * 999);
    t.wcu = 500;
    t.changed_ms = T0 + 1;
    clock_advance(&f->clk, 1);
    assert_int_equal(drain(f, &t, partition_start(1, 4)), 500);
    assert_int_equal(throttle_level(f->th, &t, NULL, true), 0);
    tf_close(f);
}

/* --- thr06: UpdateTable ------------------------------------------------------------- */

/* thr06-1.1: a raise keeps the banked level and refills at the new rate at
 * once; a cut keeps what fits under the new ceiling. */
static void
thr06_1_rate_change(void **state)
{
    (void)state;
    struct tf *f = tf_open(300000, false);
    struct kv_err err;
    err_init(&err);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000041", 5, 10);
    clock_advance(&f->clk, 60000);
    assert_int_equal(throttle_level(f->th, &t, NULL, true), 2 * 610);
    t.wcu = 20;
    t.changed_ms = T0 + 60000;
    assert_int_equal(throttle_table_apply(f->th, &t, &err), KV_OK);
    assert_int_equal(throttle_level(f->th, &t, NULL, true), 2 * 610);
    clock_advance(&f->clk, 1000);
    assert_int_equal(throttle_level(f->th, &t, NULL, true), 2 * 630);
    t.wcu = 1;
    t.changed_ms = T0 + 61000;
    assert_int_equal(throttle_table_apply(f->th, &t, &err), KV_OK);
    assert_int_equal(throttle_level(f->th, &t, NULL, true), 2 * 300);
    /* An older description (another process's stale snapshot) is ignored. */
    struct throttle_table old = table("11111111-0000-0000-0000-000000000041", 5, 10);
    old.changed_ms = T0 + 60000;
    assert_int_equal(throttle_table_apply(f->th, &old, &err), KV_OK);
    clock_advance(&f->clk, 1000);
    assert_int_equal(throttle_level(f->th, &t, NULL, true), 2 * 300);
    /* Partitions never merge: a table once at 10,000 WCU keeps 11. */
    t.wcu = 10000;
    t.changed_ms = T0 + 62000;
    assert_int_equal(throttle_table_apply(f->th, &t, &err), KV_OK);
    t.wcu = 5;
    t.changed_ms = T0 + 63000;
    assert_int_equal(throttle_table_apply(f->th, &t, &err), KV_OK);
    assert_int_equal(throttle_partitions(f->th, &t, NULL), 11);
    tf_close(f);
}

/* thr06-1.2: provisioned -> on-demand: at least the initial 4,000 WRU at
 * once; on-demand -> provisioned: one second of the new rate. */
static void
thr06_2_mode_switch(void **state)
{
    (void)state;
    struct tf *f = tf_open(300000, false);
    struct kv_err err;
    err_init(&err);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000042", 100, 100);
    clock_advance(&f->clk, 1000);
    t.billing = KV_PAY_PER_REQUEST;
    t.rcu = t.wcu = 0;
    t.changed_ms = T0 + 1000;
    assert_int_equal(throttle_table_apply(f->th, &t, &err), KV_OK);
    assert_int_equal(throttle_level(f->th, &t, NULL, true), 2 * 4000);
    t.billing = KV_PROVISIONED;
    t.rcu = t.wcu = 7;
    t.changed_ms = T0 + 2000;
    clock_advance(&f->clk, 1000);
    assert_int_equal(throttle_table_apply(f->th, &t, &err), KV_OK);
    assert_int_equal(throttle_level(f->th, &t, NULL, true), 2 * 7);
    tf_close(f);
}

/* --- thr07: on-demand ----------------------------------------------------------------- */

/* Read `units` with no partition (as a Scan page); returns the status and
 * the first reason in *reason. */
static kv_status
od_read(struct tf *f, const struct throttle_table *t, int64_t units, char *reason)
{
    struct throttle_ticket tk = {0};
    struct throttle_read r = {t, METRICS_OP_SCAN, NULL, false, 0, (uint64_t)units * 2};
    struct kv_err err;
    err_init(&err);
    kv_status st = throttle_read_admit(f->th, &r, &tk, &err);
    if (reason)
        snprintf(reason, 64, "%s", err.n_throttle ? err.throttle[0].reason : "");
    if (st == KV_THROTTLING)
        assert_string_equal(err_message(&err), msg_throttling);
    err_clear(&err);
    return st;
}

/* thr07-1.1: a new on-demand table serves 12,000 RRU per second; twice its
 * peak only once that peak is 30 minutes old. */
static void
thr07_1_double_previous_peak(void **state)
{
    (void)state;
    struct tf *f = tf_open(300000, false);
    char reason[64];
    struct throttle_table t = table("11111111-0000-0000-0000-000000000051", 0, 0);
    t.billing = KV_PAY_PER_REQUEST;
    for (int s = 0; s < 60; s++) { /* a minute at the initial 12,000 */
        assert_int_equal(od_read(f, &t, 12000, NULL), KV_OK);
        clock_advance(&f->clk, 1000);
    }
    clock_set(&f->clk, T0 + 29 * 60000);
    assert_int_equal(od_read(f, &t, 12000, NULL), KV_OK);
    assert_int_equal(od_read(f, &t, 12000, reason), KV_THROTTLING);
    assert_string_equal(reason, "TableReadKeyRangeThroughputExceeded");
    /* The first minute's peak settles at T0 + 31 min; the bucket then
     * fills at the new rate (the change is seen at the next request). */
    clock_set(&f->clk, T0 + 31 * 60000);
    assert_int_equal(od_read(f, &t, 1, NULL), KV_OK);
    clock_advance(&f->clk, 1000);
    assert_int_equal(od_read(f, &t, 12000, NULL), KV_OK);
    assert_int_equal(od_read(f, &t, 12000, NULL), KV_OK);
    assert_int_equal(od_read(f, &t, 1, NULL), KV_THROTTLING);
    tf_close(f);
}

/* thr07-1.2: an OnDemandThroughput maximum and the 40,000 per-table quota
 * report their own reasons. */
static void
thr07_2_on_demand_limits(void **state)
{
    (void)state;
    struct tf *f = tf_open(0, false);
    char reason[64];
    struct throttle_table t = table("11111111-0000-0000-0000-000000000052", 0, 0);
    t.billing = KV_PAY_PER_REQUEST;
    t.max_wru = 500;
    assert_int_equal(throttle_level(f->th, &t, NULL, true), 2 * 500);
    uint32_t parts = throttle_partitions(f->th, &t, NULL);
    struct throttle_ticket tk = {0};
    struct throttle_write w = {&t, METRICS_OP_PUT_ITEM, KB1, 0, NULL, 0};
    struct kv_err err;
    err_init(&err);
    for (uint32_t i = 0; i <= 500; i++) {
        w.hash = partition_start(i % parts, parts);
        tk.held = false;
        assert_int_equal(throttle_write_admit(f->th, &w, &tk, &err), i < 500 ? KV_OK : KV_THROTTLING);
    }
    assert_string_equal(err_message(&err), msg_throttling);
    assert_string_equal(err.throttle[0].reason, "TableWriteMaxOnDemandThroughputExceeded");
    err_clear(&err);

    /* Reads: a 12,000 peak earns 24,000; a 24,000 peak would earn 48,000,
     * but the per-table quota stops it at 40,000. */
    assert_int_equal(od_read(f, &t, 12000, NULL), KV_OK);
    clock_set(&f->clk, T0 + 31 * 60000);
    assert_int_equal(od_read(f, &t, 1, NULL), KV_OK);
    clock_advance(&f->clk, 1000);
    assert_int_equal(od_read(f, &t, 24000, NULL), KV_OK);
    clock_set(&f->clk, T0 + 62 * 60000);
    assert_int_equal(od_read(f, &t, 1, NULL), KV_OK);
    clock_advance(&f->clk, 1000);
    assert_int_equal(od_read(f, &t, 40000, NULL), KV_OK);
    assert_int_equal(od_read(f, &t, 1, reason), KV_THROTTLING);
    assert_string_equal(reason, "TableReadAccountLimitExceeded");
    tf_close(f);
}

/* --- thr08: batches -------------------------------------------------------------------- */

/* thr08-1.1: elements are admitted one by one; a throttled one is left
 * unprocessed; the batch fails only when none is served. */
static void
thr08_1_batch_write(void **state)
{
    (void)state;
    struct tf *f = tf_open(0, false);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000061", 1, 100);
    t.gsis = &gsi_low;
    t.n_gsis = 1;
    struct throttle_gsi_write g = {"ByHost", KB1, true, 99};
    struct throttle_write with_gsi = {&t, METRICS_OP_BATCH_WRITE_ITEM, KB1, 5, &g, 1};
    struct throttle_write plain = {&t, METRICS_OP_BATCH_WRITE_ITEM, KB1, 6, NULL, 0};
    struct throttle_batch b;
    struct throttle_ticket tk[4] = {{0}};
    struct kv_err err;
    err_init(&err);

    throttle_batch_init(&b, METRICS_OP_BATCH_WRITE_ITEM);
    assert_int_equal(throttle_batch_write(f->th, &b, &with_gsi, &tk[0], &err), KV_OK);
    assert_int_equal(throttle_batch_write(f->th, &b, &with_gsi, &tk[1], &err),
                     KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_int_equal(err.status, KV_OK); /* unprocessed, not an error */
    assert_int_equal(throttle_batch_write(f->th, &b, &plain, &tk[2], &err), KV_OK);
    assert_int_equal(throttle_batch_finish(f->th, &b, &err), KV_OK);
    assert_int_equal(metric_sum(f, &t, NULL, MM_THROTTLED_REQUESTS, -1), 0);
    assert_int_equal(metric_sum(f, &t, "ByHost", MM_WRITE_THROTTLE_EVENTS, -1), 1);

    throttle_batch_init(&b, METRICS_OP_BATCH_WRITE_ITEM);
    assert_int_equal(throttle_batch_write(f->th, &b, &with_gsi, &tk[3], &err),
                     KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_int_equal(throttle_batch_write(f->th, &b, &with_gsi, &tk[3], &err),
                     KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_int_equal(throttle_batch_finish(f->th, &b, &err), KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_string_equal(err_message(&err), msg_index);
    assert_int_equal(err.n_throttle, 1); /* the same reason twice is listed once */
    err_clear(&err);
    assert_int_equal(metric_sum(f, &t, NULL, MM_THROTTLED_REQUESTS, METRICS_OP_BATCH_WRITE_ITEM),
                     1);
    assert_int_equal(metric_sum(f, &t, "ByHost", MM_WRITE_THROTTLE_EVENTS, -1), 3);
    tf_close(f);
}

/* thr08-1.2: BatchGetItem over two tables, all throttled: one exception,
 * reasons from both, ThrottledRequests on both. */
static void
thr08_2_batch_get(void **state)
{
    (void)state;
    struct tf *f = tf_open(0, false);
    struct throttle_table a = table("11111111-0000-0000-0000-000000000062", 1, 1);
    struct throttle_table c = table("11111111-0000-0000-0000-000000000063", 1, 1);
    c.name = "Other";
    struct throttle_read ra = {&a, METRICS_OP_BATCH_GET_ITEM, NULL, true, 1, 3};
    struct throttle_read rc = {&c, METRICS_OP_BATCH_GET_ITEM, NULL, true, 1, 3};
    struct throttle_batch b;
    struct throttle_ticket tk = {0};
    struct kv_err err;
    err_init(&err);
    throttle_batch_init(&b, METRICS_OP_BATCH_GET_ITEM);
    assert_int_equal(throttle_batch_read(f->th, &b, &ra, &tk, &err), KV_OK);
    assert_int_equal(throttle_batch_finish(f->th, &b, &err), KV_OK);
    throttle_batch_init(&b, METRICS_OP_BATCH_GET_ITEM);
    memset(&tk, 0, sizeof tk);
    assert_int_equal(throttle_batch_read(f->th, &b, &ra, &tk, &err),
                     KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    memset(&tk, 0, sizeof tk);
    assert_int_equal(throttle_batch_read(f->th, &b, &rc, &tk, &err), KV_OK);
    memset(&tk, 0, sizeof tk);
    assert_int_equal(throttle_batch_read(f->th, &b, &rc, &tk, &err),
                     KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_int_equal(throttle_batch_finish(f->th, &b, &err), KV_OK);

    throttle_batch_init(&b, METRICS_OP_BATCH_GET_ITEM);
    assert_int_equal(throttle_batch_read(f->th, &b, &ra, &tk, &err),
                     KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_int_equal(throttle_batch_read(f->th, &b, &rc, &tk, &err),
                     KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_int_equal(throttle_batch_finish(f->th, &b, &err), KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_string_equal(err_message(&err), msg_table);
    assert_int_equal(err.n_throttle, 2);
    assert_string_equal(err.throttle[0].resource,
                        "arn:aws:dynamodb:ddblocal:000000000000:table/Music");
    assert_string_equal(err.throttle[1].resource,
                        "arn:aws:dynamodb:ddblocal:000000000000:table/Other");
    err_clear(&err);
    assert_int_equal(metric_sum(f, &a, NULL, MM_THROTTLED_REQUESTS, METRICS_OP_BATCH_GET_ITEM),
                     1);
    assert_int_equal(metric_sum(f, &c, NULL, MM_THROTTLED_REQUESTS, METRICS_OP_BATCH_GET_ITEM),
                     1);
    assert_int_equal(metric_sum(f, &a, NULL, MM_READ_THROTTLE_EVENTS, -1), 2);
    tf_close(f);
}

/* --- thr09: lifecycle and options ------------------------------------------------------- */

/* thr09-1.1: a table deleted and created again (new TableId) starts fresh;
 * dropping frees its slots for reuse. */
static void
thr09_1_recreated_table(void **state)
{
    (void)state;
    struct tf *f = tf_open(0, false);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000071", 1, 10);
    t.gsis = &gsi_low;
    t.n_gsis = 1;
    assert_int_equal(drain(f, &t, 1), 10);
    assert_int_equal(throttle_level(f->th, &t, "ByHost", true), 2);
    assert_int_equal(bucketfile_slot_count(throttle_bucketfile(f->th)), 2);
    throttle_table_drop(f->th, t.id);
    struct throttle_table t2 = table("11111111-0000-0000-0000-000000000072", 1, 10);
    assert_int_equal(drain(f, &t2, 1), 10);
    assert_int_equal(bucketfile_slot_count(throttle_bucketfile(f->th)), 2);
    tf_close(f);
}

/* thr09-1.2: unlimited capacity never throttles, and still counts. */
static void
thr09_2_unlimited(void **state)
{
    (void)state;
    struct tf *f = tf_open(0, true);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000073", 1, 1);
    for (int i = 0; i < 100; i++)
        assert_int_equal(put(f, &t, 1, KB1), KV_OK);
    assert_int_equal(metric_sum(f, &t, NULL, MM_CONSUMED_WRITE, -1), 200);
    assert_int_equal(metric_sum(f, &t, NULL, MM_WRITE_THROTTLE_EVENTS, -1), 0);
    tf_close(f);
}

/* An unlimited read admitted at `estimate` and settled at `actual`, on a
 * ticket the caller keeps (for a refund). */
static void
read_settled(struct tf *f, const struct throttle_table *t, const char *index,
             struct throttle_ticket *tk, uint64_t estimate, uint64_t actual)
{
    struct throttle_read r = {t, METRICS_OP_GET_ITEM, index, true, 7, estimate};
    struct kv_err err;
    err_init(&err);
    memset(tk, 0, sizeof *tk);
    assert_int_equal(throttle_read_admit(f->th, &r, tk, &err), KV_OK);
    throttle_read_settle(f->th, tk, actual);
    err_clear(&err);
}

/* thr09-1.3: an unlimited handle counts without the lock once its thread
 * has brought the resource to the request's description, and counts the
 * same as with it: admission, settling up and down, refunds, GSIs.  A new
 * description, a new minute, a dropped table and a retried body take the
 * lock again; an enforced handle always does. */
static void
thr09_3_unlimited_unlocked(void **state)
{
    (void)state;
    struct tf *f = tf_open(0, true);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000074", 5, 5);
    struct throttle_index gsi = {"ByHost", 5, 5, 0, 0, 0, 0};
    t.gsis = &gsi;
    t.n_gsis = 1;
    struct throttle_ticket tk;
    uint64_t base = throttle_unlocked_count();
    read_settled(f, &t, NULL, &tk, 1, 1); /* first use: with the lock */
    assert_int_equal(throttle_unlocked_count(), base);
    read_settled(f, &t, NULL, &tk, 1, 1); /* settled at its estimate: nothing to do */
    assert_int_equal(throttle_unlocked_count(), base + 1);
    read_settled(f, &t, NULL, &tk, 1, 9); /* admitted, settled up */
    assert_int_equal(throttle_unlocked_count(), base + 3);
    read_settled(f, &t, NULL, &tk, 4, 2); /* settled down */
    assert_int_equal(throttle_unlocked_count(), base + 5);
    throttle_refund(f->th, &tk);
    assert_false(tk.held);
    assert_int_equal(throttle_unlocked_count(), base + 6);
    assert_int_equal(metric_sum(f, &t, NULL, MM_CONSUMED_READ, -1), 1 + 1 + 9);
    assert_int_equal(metric_samples(f, &t, NULL, MM_CONSUMED_READ), 3);
    /* a GSI is a resource of its own: first with the lock, then without */
    read_settled(f, &t, "ByHost", &tk, 2, 2);
    read_settled(f, &t, "ByHost", &tk, 2, 2);
    assert_int_equal(throttle_unlocked_count(), base + 7);
    assert_int_equal(metric_sum(f, &t, "ByHost", MM_CONSUMED_READ, -1), 4);
    assert_int_equal(metric_sum(f, &t, NULL, MM_CONSUMED_READ, -1), 11);
    /* a write with its GSI charge, counted whole without the lock (reading
     * the metrics brought both resources to this description) */
    struct throttle_gsi_write gw = {"ByHost", 4, false, 0};
    struct throttle_write w = {&t, METRICS_OP_PUT_ITEM, KB1, 7, &gw, 1};
    struct kv_err err;
    err_init(&err);
    for (int i = 0; i < 2; i++) {
        memset(&tk, 0, sizeof tk);
        assert_int_equal(throttle_write_admit(f->th, &w, &tk, &err), KV_OK);
    }
    assert_int_equal(throttle_unlocked_count(), base + 9);
    assert_int_equal(metric_sum(f, &t, NULL, MM_CONSUMED_WRITE, -1), 2 * KB1);
    assert_int_equal(metric_sum(f, &t, "ByHost", MM_CONSUMED_WRITE, -1), 2 * 4);
    /* a retried body (ticket held) gives the first try back, with the lock */
    assert_int_equal(throttle_write_admit(f->th, &w, &tk, &err), KV_OK);
    assert_int_equal(throttle_unlocked_count(), base + 9);
    assert_int_equal(metric_sum(f, &t, NULL, MM_CONSUMED_WRITE, -1), 2 * KB1);
    /* a new description is applied with the lock, then counted without */
    t.rcu = 8;
    t.changed_ms = T0 + 1;
    clock_advance(&f->clk, 1);
    read_settled(f, &t, NULL, &tk, 1, 1);
    assert_int_equal(throttle_unlocked_count(), base + 9);
    read_settled(f, &t, NULL, &tk, 1, 1);
    assert_int_equal(throttle_unlocked_count(), base + 10);
    /* a new minute's record is turned over with the lock */
    clock_advance(&f->clk, 60000);
    read_settled(f, &t, NULL, &tk, 1, 1);
    assert_int_equal(throttle_unlocked_count(), base + 10);
    read_settled(f, &t, NULL, &tk, 1, 1);
    assert_int_equal(throttle_unlocked_count(), base + 11);
    assert_int_equal(metric_sum(f, &t, NULL, MM_CONSUMED_READ, -1), 15);
    /* both minutes end with the new throughput in effect */
    assert_int_equal(metric_sum(f, &t, NULL, MM_PROVISIONED_READ, -1), 8 + 8);
    /* a dropped table's slot is not counted in: the next admission finds
     * its slot afresh, with the lock (and its settling goes without) */
    throttle_table_drop(f->th, t.id);
    read_settled(f, &t, NULL, &tk, 1, 3);
    assert_int_equal(throttle_unlocked_count(), base + 12);
    assert_int_equal(metric_sum(f, &t, NULL, MM_CONSUMED_READ, -1), 3);
    tf_close(f);
    /* an enforced handle never counts without the lock */
    f = tf_open(0, false);
    read_settled(f, &t, NULL, &tk, 1, 1);
    read_settled(f, &t, NULL, &tk, 1, 2);
    throttle_refund(f->th, &tk);
    assert_int_equal(throttle_unlocked_count(), base + 12);
    assert_int_equal(metric_sum(f, &t, NULL, MM_CONSUMED_READ, -1), 1);
    tf_close(f);
}

/* thr09-2.1: kv_options keeps the size and field offsets of 0.1: the new
 * fields took pointer-sized slots from `reserved`. */
struct options_0_1 {
    int no_sync;
    int read_only;
    uint64_t map_size;
    uint64_t max_map_size;
    unsigned file_mode;
    unsigned max_dbs;
    void *reserved[16];
};

static void
thr09_3_options_layout(void **state)
{
    (void)state;
    assert_int_equal(sizeof(kv_options), sizeof(struct options_0_1));
    assert_int_equal(offsetof(kv_options, max_dbs), offsetof(struct options_0_1, max_dbs));
    assert_int_equal(offsetof(kv_options, clock), offsetof(struct options_0_1, reserved));
    kv_options o;
    kv_options_default(&o);
    assert_int_equal(o.burst_seconds, 300);
    assert_int_equal(o.unlimited_capacity, 0);
    assert_null(o.clock);
    assert_null(o.retry);
}

/* thr09-2.2: a database opened with an injected clock keeps its buckets
 * private (no shared file); with the real clock they are shared. */
static int64_t
fixed_now(void *arg)
{
    return *(int64_t *)arg;
}

static void
thr09_4_private_with_injected_clock(void **state)
{
    (void)state;
    char *dir = fx_mkdtemp();
    int64_t now = T0;
    kv_clock clk = {fixed_now, NULL, &now};
    kv_options o;
    kv_options_default(&o);
    o.no_sync = 1;
    o.clock = &clk;
    kv_db *db;
    assert_int_equal(kv_db_open(dir, &o, &db), KV_OK);
    char path[4096];
    snprintf(path, sizeof path, "%s/capacity.map", dir);
    FILE *fp = fopen(path, "r");
    assert_null(fp);
    kv_db_close(db);
    o.clock = NULL;
    assert_int_equal(kv_db_open(dir, &o, &db), KV_OK);
    fp = fopen(path, "r");
    assert_non_null(fp);
    fclose(fp);
    kv_db_close(db);
    o.burst_seconds = -1;
    assert_int_equal(kv_db_open(dir, &o, &db), KV_MISUSE);
    fx_rmdir(dir);
}

/* thr10-1.1: a handle's private buckets are one lock's: reads from four
 * threads at one instant debit exactly what they asked, none lost. */
#define THR10_THREADS 4
#define THR10_READS 4000

struct reader {
    struct tf *f;
    const struct throttle_table *t;
    int admitted;
};

static void *
read_many(void *arg)
{
    struct reader *r = arg;
    for (int i = 0; i < THR10_READS; i++) {
        struct throttle_ticket tk = {0};
        struct throttle_read rd = {r->t, METRICS_OP_GET_ITEM, NULL, false, 0, 1};
        struct kv_err err;
        err_init(&err);
        if (throttle_read_admit(r->f->th, &rd, &tk, &err) == KV_OK)
            r->admitted++;
        err_clear(&err);
    }
    return NULL;
}

static void
thr10_1_private_threads(void **state)
{
    (void)state;
    struct tf *f = tf_open(0, false);
    struct throttle_table t = table("11111111-0000-0000-0000-000000000101", 10000, 1);
    assert_int_equal(throttle_level(f->th, &t, NULL, false), 20000);
    struct reader r[THR10_THREADS];
    pthread_t th[THR10_THREADS];
    for (int i = 0; i < THR10_THREADS; i++) {
        r[i] = (struct reader){f, &t, 0};
        assert_int_equal(pthread_create(&th[i], NULL, read_many, &r[i]), 0);
    }
    for (int i = 0; i < THR10_THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(r[i].admitted, THR10_READS);
    }
    assert_int_equal(throttle_level(f->th, &t, NULL, false),
                     20000 - THR10_THREADS * THR10_READS);
    tf_close(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(thr01_1_exact_refill),
        cmocka_unit_test(thr01_2_ceiling),
        cmocka_unit_test(thr01_3_overdraft),
        cmocka_unit_test(thr01_4_clock_back),
        cmocka_unit_test(thr01_5_refill_edges),
        cmocka_unit_test(thr02_1_ten_per_second),
        cmocka_unit_test(thr02_2_ten_within_a_second),
        cmocka_unit_test(thr02_3_burst_after_idle),
        cmocka_unit_test(thr02_4_burst_ceiling),
        cmocka_unit_test(thr02_5_refusal_changes_nothing),
        cmocka_unit_test(thr03_1_refund),
        cmocka_unit_test(thr03_2_retried_body),
        cmocka_unit_test(thr03_3_read_debt),
        cmocka_unit_test(thr04_1_gsi_back_pressure),
        cmocka_unit_test(thr04_2_both_short),
        cmocka_unit_test(thr04_3_unknown_index),
        cmocka_unit_test(thr04_4_from_consumed),
        cmocka_unit_test(thr04_5_from_def),
        cmocka_unit_test(thr05_1_partition_count),
        cmocka_unit_test(thr05_2_placement),
        cmocka_unit_test(thr05_3_hot_key),
        cmocka_unit_test(thr05_4_spread_keys),
        cmocka_unit_test(thr05_5_burst_within_partition),
        cmocka_unit_test(thr05_6_description_changes),
        cmocka_unit_test(thr06_1_rate_change),
        cmocka_unit_test(thr06_2_mode_switch),
        cmocka_unit_test(thr07_1_double_previous_peak),
        cmocka_unit_test(thr07_2_on_demand_limits),
        cmocka_unit_test(thr08_1_batch_write),
        cmocka_unit_test(thr08_2_batch_get),
        cmocka_unit_test(thr09_1_recreated_table),
        cmocka_unit_test(thr09_2_unlimited),
        cmocka_unit_test(thr09_3_unlimited_unlocked),
        cmocka_unit_test(thr09_3_options_layout),
        cmocka_unit_test(thr09_4_private_with_injected_clock),
        cmocka_unit_test(thr10_1_private_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
