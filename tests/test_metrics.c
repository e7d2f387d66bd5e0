/*
 * test_metrics.c -- per-minute CloudWatch-style metrics: the minute ring
 * and its 24-hour retention, saturation, provisioned values from the
 * configuration log, metric and operation names, and kv_metric_get end to
 * end on a database with an injected clock.
 */
#include "fixture.h"
#include "db.h"
#include "err.h"
#include "metrics.h"
#include "throttle.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1700000040000LL /* a minute boundary */
#define MIN 60000LL

static struct metrics_ring ring;
static struct metrics_config_log cfglog;
static struct metrics_point pts[METRICS_MINUTES];

static void
reset(void)
{
    memset(&ring, 0, sizeof ring);
    memset(&cfglog, 0, sizeof cfglog);
}

/* --- met01: the ring ----------------------------------------------------------------- */

/* met01-1.1: consumed capacity is summed in half-units, requests counted. */
static void
met01_1_consumed(void **state)
{
    (void)state;
    reset();
    for (int i = 0; i < 3; i++) {
        metrics_add(&ring, T0 + 1000 * i, MF_CONSUMED_READ, 1);
        metrics_add(&ring, T0 + 1000 * i, MF_READ_REQUESTS, 1);
    }
    metrics_add(&ring, T0 + MIN, MF_CONSUMED_READ, 8);
    metrics_add(&ring, T0 + MIN, MF_READ_REQUESTS, 1);
    size_t n = metrics_read(&ring, &cfglog, MM_CONSUMED_READ, -1, T0, T0 + 2 * MIN, T0 + MIN, T0,
                            pts);
    assert_int_equal(n, 2);
    assert_int_equal(pts[0].minute_ms, T0);
    assert_int_equal(pts[0].value, 3);
    assert_int_equal(pts[0].samples, 3);
    assert_true(pts[0].halves);
    assert_int_equal(pts[1].minute_ms, T0 + MIN);
    assert_int_equal(pts[1].value, 8);
    /* nothing consumed, nothing reported */
    n = metrics_read(&ring, &cfglog, MM_CONSUMED_WRITE, -1, T0, T0 + 2 * MIN, T0 + MIN, T0, pts);
    assert_int_equal(n, 0);
}

/* met01-1.2: a minute is kept for 24 hours after it ends, then dropped;
 * its slot is cleared when reused. */
static void
met01_2_retention(void **state)
{
    (void)state;
    reset();
    metrics_add(&ring, T0, MF_WRITE_THROTTLES, 5);
    int64_t day = 1440 * MIN;
    size_t n = metrics_read(&ring, &cfglog, MM_WRITE_THROTTLE_EVENTS, -1, 0, INT64_MAX, T0 + day,
                            T0, pts);
    assert_int_equal(n, 1);
    assert_int_equal(pts[0].value, 5);
    n = metrics_read(&ring, &cfglog, MM_WRITE_THROTTLE_EVENTS, -1, 0, INT64_MAX, T0 + day + MIN,
                     T0, pts);
    assert_int_equal(n, 0);
    /* 1441 minutes later the same slot holds a new minute, freshly zeroed */
    metrics_add(&ring, T0 + day + MIN, MF_WRITE_THROTTLES, 2);
    n = metrics_read(&ring, &cfglog, MM_WRITE_THROTTLE_EVENTS, -1, 0, INT64_MAX, T0 + day + MIN,
                     T0, pts);
    assert_int_equal(n, 1);
    assert_int_equal(pts[0].value, 2);
    /* a clock set back more than a day finds nowhere to count */
    metrics_add(&ring, T0, MF_WRITE_THROTTLES, 9);
    n = metrics_read(&ring, &cfglog, MM_WRITE_THROTTLE_EVENTS, -1, 0, INT64_MAX, T0 + day + MIN,
                     T0, pts);
    assert_int_equal(pts[0].value, 2);
}

/* met01-1.3: counters saturate; subtraction is for the same minute only
 * and stops at zero. */
static void
met01_3_saturate_and_sub(void **state)
{
    (void)state;
    reset();
    metrics_add(&ring, T0, MF_CONSUMED_WRITE, UINT32_MAX - 1);
    metrics_add(&ring, T0, MF_CONSUMED_WRITE, 10);
    metrics_add(&ring, T0, MF_WRITE_REQUESTS, 1);
    size_t n = metrics_read(&ring, &cfglog, MM_CONSUMED_WRITE, -1, T0, T0 + MIN, T0, T0, pts);
    assert_int_equal(n, 1);
    assert_int_equal(pts[0].value, UINT32_MAX);
    metrics_sub(&ring, T0 + MIN, MF_CONSUMED_WRITE, 100); /* another minute: ignored */
    metrics_read(&ring, &cfglog, MM_CONSUMED_WRITE, -1, T0, T0 + MIN, T0, T0, pts);
    assert_int_equal(pts[0].value, UINT32_MAX);
    metrics_sub(&ring, T0 + 5, MF_CONSUMED_WRITE, UINT64_MAX);
    metrics_read(&ring, &cfglog, MM_CONSUMED_WRITE, -1, T0, T0 + MIN, T0, T0, pts);
    assert_int_equal(pts[0].value, 0);
}

/* met01-1.4: a range holds the minutes that start in [start, end). */
static void
met01_4_range(void **state)
{
    (void)state;
    reset();
    for (int m = 0; m < 5; m++)
        metrics_add(&ring, T0 + m * MIN, MF_READ_THROTTLES, 1);
    size_t n = metrics_read(&ring, &cfglog, MM_READ_THROTTLE_EVENTS, -1, T0 + 1, T0 + 3 * MIN,
                            T0 + 10 * MIN, T0, pts);
    assert_int_equal(n, 2);
    assert_int_equal(pts[0].minute_ms, T0 + MIN);
    assert_int_equal(pts[1].minute_ms, T0 + 2 * MIN);
    n = metrics_read(&ring, &cfglog, MM_READ_THROTTLE_EVENTS, -1, T0, T0 + 3 * MIN + 1,
                     T0 + 10 * MIN, T0, pts);
    assert_int_equal(n, 4);
}

/* met01-1.5: ThrottledRequests per operation, or summed. */
static void
met01_5_throttled_requests(void **state)
{
    (void)state;
    reset();
    metrics_add(&ring, T0, MF_THROTTLED + METRICS_OP_PUT_ITEM, 2);
    metrics_add(&ring, T0, MF_THROTTLED + METRICS_OP_QUERY, 3);
    metrics_read(&ring, &cfglog, MM_THROTTLED_REQUESTS, METRICS_OP_PUT_ITEM, T0, T0 + MIN, T0, T0,
                 pts);
    assert_int_equal(pts[0].value, 2);
    metrics_read(&ring, &cfglog, MM_THROTTLED_REQUESTS, -1, T0, T0 + MIN, T0, T0, pts);
    assert_int_equal(pts[0].value, 5);
    assert_int_equal(metrics_read(&ring, &cfglog, MM_THROTTLED_REQUESTS, METRICS_OP_SCAN, T0,
                                  T0 + MIN, T0, T0, pts),
                     0);
}

/* met01-1.6: counting without the lock goes only into a record that holds
 * its minute; metrics_add turns a record over, after which counts without
 * the lock land and saturate like the others. */
static void
met01_6_add_current(void **state)
{
    (void)state;
    reset();
    assert_null(metrics_current(&ring, T0));
    assert_false(metrics_add_current(&ring, T0, MF_CONSUMED_READ, 4));
    metrics_add(&ring, T0, MF_READ_REQUESTS, 1);
    assert_non_null(metrics_current(&ring, T0 + 59999));
    assert_true(metrics_add_current(&ring, T0 + 59999, MF_CONSUMED_READ, 4));
    metrics_record_add(metrics_current(&ring, T0), MF_CONSUMED_READ, 3);
    /* the next minute's record is not current yet */
    assert_false(metrics_add_current(&ring, T0 + MIN, MF_CONSUMED_READ, 100));
    /* nor is this minute's slot a day later: it still holds T0's minute */
    assert_false(metrics_add_current(&ring, T0 + METRICS_MINUTES * MIN, MF_CONSUMED_READ, 100));
    metrics_sub(&ring, T0, MF_CONSUMED_READ, 2);
    size_t n = metrics_read(&ring, &cfglog, MM_CONSUMED_READ, -1, T0, T0 + 2 * MIN, T0 + MIN, T0,
                            pts);
    assert_int_equal(n, 1);
    assert_int_equal(pts[0].value, 5);
    assert_int_equal(pts[0].samples, 1);
    metrics_add(&ring, T0, MF_WRITE_THROTTLES, UINT32_MAX - 1);
    assert_true(metrics_add_current(&ring, T0, MF_WRITE_THROTTLES, 5));
    metrics_read(&ring, &cfglog, MM_WRITE_THROTTLE_EVENTS, -1, T0, T0 + MIN, T0, T0, pts);
    assert_int_equal(pts[0].value, UINT32_MAX);
    /* a day later metrics_add clears the record, and counts start afresh */
    metrics_add(&ring, T0 + METRICS_MINUTES * MIN, MF_READ_REQUESTS, 1);
    assert_true(metrics_add_current(&ring, T0 + METRICS_MINUTES * MIN, MF_CONSUMED_READ, 6));
    n = metrics_read(&ring, &cfglog, MM_CONSUMED_READ, -1, T0, INT64_MAX,
                     T0 + METRICS_MINUTES * MIN, T0, pts);
    assert_int_equal(n, 1);
    assert_int_equal(pts[0].minute_ms, T0 + METRICS_MINUTES * MIN);
    assert_int_equal(pts[0].value, 6);
}

#define ADDERS 4
#define ADDS 50000

/* Counts into the ring; *arg is set to how many adds found no current
 * record (cmocka's asserts are for the main thread). */
static void *
adder(void *arg)
{
    int *missed = arg;
    for (int i = 0; i < ADDS; i++) {
        *missed += !metrics_add_current(&ring, T0 + i % MIN, MF_CONSUMED_READ, 3);
        *missed += !metrics_add_current(&ring, T0, MF_READ_REQUESTS, 1);
        if (i % 2)
            metrics_sub(&ring, T0, MF_CONSUMED_READ, 1);
    }
    return NULL;
}

/* met01-1.7: threads adding and taking back at once without a lock lose
 * nothing. */
static void
met01_7_concurrent_adds(void **state)
{
    (void)state;
    reset();
    metrics_add(&ring, T0, MF_READ_REQUESTS, 0);
    pthread_t th[ADDERS];
    int missed[ADDERS] = {0};
    for (int i = 0; i < ADDERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, adder, &missed[i]), 0);
    for (int i = 0; i < ADDERS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(missed[i], 0);
    }
    metrics_read(&ring, &cfglog, MM_CONSUMED_READ, -1, T0, T0 + MIN, T0, T0, pts);
    assert_int_equal(pts[0].value, ADDERS * (3 * ADDS - ADDS / 2));
    assert_int_equal(pts[0].samples, ADDERS * ADDS);
}

/* --- met02: provisioned values ------------------------------------------------------- */

/* met02-1.1: every minute reports the throughput in effect at its end,
 * from the resource's creation on; on-demand minutes report nothing. */
static void
met02_1_provisioned(void **state)
{
    (void)state;
    reset();
    metrics_log_config(&cfglog, T0, KV_PROVISIONED, 10, 5);
    metrics_log_config(&cfglog, T0 + 10 * MIN + 30000, KV_PROVISIONED, 20, 5);
    metrics_log_config(&cfglog, T0 + 20 * MIN, KV_PAY_PER_REQUEST, 0, 0);
    size_t n = metrics_read(&ring, &cfglog, MM_PROVISIONED_READ, -1, T0 - 5 * MIN, T0 + 60 * MIN,
                            T0 + 30 * MIN, T0, pts);
    assert_int_equal(n, 20);
    assert_int_equal(pts[0].minute_ms, T0);
    assert_int_equal(pts[0].value, 10);
    assert_false(pts[0].halves);
    assert_int_equal(pts[0].samples, 1);
    assert_int_equal(pts[9].value, 10);
    assert_int_equal(pts[10].value, 20); /* changed during minute 10 */
    assert_int_equal(pts[19].value, 20);
    n = metrics_read(&ring, &cfglog, MM_PROVISIONED_WRITE, -1, T0, T0 + MIN, T0 + 30 * MIN, T0, pts);
    assert_int_equal(pts[0].value, 5);
}

/* met02-1.2: the log keeps the newest entries; a change at an earlier or
 * equal time replaces what it contradicts. */
static void
met02_2_config_log(void **state)
{
    (void)state;
    reset();
    for (int i = 0; i < METRICS_CONFIG_LOG + 5; i++)
        metrics_log_config(&cfglog, T0 + i * MIN, KV_PROVISIONED, i + 1, 1);
    assert_int_equal(cfglog.n, METRICS_CONFIG_LOG);
    assert_int_equal(cfglog.e[0].read_units, 6);
    metrics_log_config(&cfglog, T0, KV_PROVISIONED, 99, 1);
    assert_int_equal(cfglog.n, 1);
    assert_int_equal(cfglog.e[0].read_units, 99);
}

/* --- met03: names --------------------------------------------------------------------- */

static void
met03_1_names(void **state)
{
    (void)state;
    for (int m = 0; m < MM_COUNT; m++)
        assert_int_equal(metrics_find(metrics_name((enum metrics_metric)m)), m);
    assert_int_equal(metrics_find("ConsumedWriteCapacityUnits"), MM_CONSUMED_WRITE);
    assert_int_equal(metrics_find("WriteKeyRangeThroughputThrottleEvents"),
                     MM_WRITE_REASON + METRICS_REASON_KEY_RANGE);
    assert_int_equal(metrics_find("ReadAccountLimitThrottleEvents"),
                     MM_READ_REASON + METRICS_REASON_ACCOUNT_LIMIT);
    assert_int_equal(metrics_find("consumedwritecapacityunits"), -1);
    for (int op = 0; op < METRICS_OP_COUNT; op++)
        assert_int_equal(metrics_op_find(metrics_op_name((enum metrics_op)op)), op);
    assert_int_equal(metrics_op_find("TransactWriteItems"), METRICS_OP_TRANSACT_WRITE_ITEMS);
    assert_int_equal(metrics_op_find("Put"), -1);
    assert_false(metrics_for_index(MM_THROTTLED_REQUESTS));
    assert_true(metrics_for_index(MM_READ_THROTTLE_EVENTS));
}

/* --- met04: kv_metric_get --------------------------------------------------------------- */

static int64_t
fake_now(void *arg)
{
    return *(int64_t *)arg;
}

struct mfx {
    char *dir;
    kv_db *db;
    int64_t now;
    kv_clock clk;
    struct throttle_table tt;
};

static int
mfx_setup(void **state)
{
    struct mfx *f = calloc(1, sizeof *f);
    f->dir = fx_mkdtemp();
    f->now = T0 + 30000;
    f->clk = (kv_clock){fake_now, NULL, &f->now};
    kv_options o;
    kv_options_default(&o);
    o.no_sync = 1;
    o.clock = &f->clk;
    assert_int_equal(kv_db_open(f->dir, &o, &f->db), KV_OK);
    kv_table_def def = {
        .name = "Music",
        .hash_key = {"Artist", KV_S},
        .billing_mode = KV_PROVISIONED,
        .read_capacity = 5,
        .write_capacity = 10,
    };
    kv_table_info *info;
    assert_int_equal(kv_table_create(f->db, &def, &info), KV_OK);
    static char id[40];
    snprintf(id, sizeof id, "%s", info->id);
    f->tt = (struct throttle_table){id, "Music", KV_PROVISIONED, 5, 10, 0, 0, 0, f->now, f->now,
                                    NULL, 0};
    kv_table_info_free(info);
    *state = f;
    return 0;
}

static int
mfx_teardown(void **state)
{
    struct mfx *f = *state;
    kv_db_close(f->db);
    fx_rmdir(f->dir);
    free(f);
    return 0;
}

/* met04-1.1: consumed units come back as CloudWatch would show them:
 * halves exact; provisioned values for every minute since creation. */
static void
met04_1_get(void **state)
{
    struct mfx *f = *state;
    struct throttle_ticket tk = {0};
    struct throttle_write w = {&f->tt, METRICS_OP_PUT_ITEM, 3, 1, NULL, 0};
    struct kv_err err;
    err_init(&err);
    assert_int_equal(throttle_write_admit(f->db->throttle, &w, &tk, &err), KV_OK);
    f->now += 2 * MIN;
    kv_metric_datum *d;
    size_t n;
    assert_int_equal(kv_metric_get(f->db, "Music", NULL, "ConsumedWriteCapacityUnits", NULL, 0,
                                   INT64_MAX, &d, &n),
                     KV_OK);
    assert_int_equal(n, 1);
    assert_int_equal(d[0].timestamp_ms, T0);
    assert_true(d[0].sum == 1.5);
    assert_int_equal(d[0].sample_count, 1);
    kv_free(d);
    assert_int_equal(kv_metric_get(f->db, "Music", NULL, "ProvisionedWriteCapacityUnits", NULL,
                                   0, INT64_MAX, &d, &n),
                     KV_OK);
    assert_int_equal(n, 3);
    assert_true(d[2].sum == 10.0);
    kv_free(d);
    assert_int_equal(kv_metric_get(f->db, "Music", NULL, "ThrottledRequests", "PutItem", 0,
                                   INT64_MAX, &d, &n),
                     KV_OK);
    assert_int_equal(n, 0);
    assert_null(d);
}

/* met04-1.2: the arguments are checked, with DynamoDB-style messages. */
static void
met04_2_errors(void **state)
{
    struct mfx *f = *state;
    kv_metric_datum *d;
    size_t n;
    assert_int_equal(kv_metric_get(f->db, "Music", NULL, "Nope", NULL, 0, 1, &d, &n),
                     KV_VALIDATION);
    assert_string_equal(kv_errmsg(f->db), "Unknown metric: Nope");
    assert_int_equal(kv_metric_get(f->db, "Songs", NULL, "ReadThrottleEvents", NULL, 0, 1, &d,
                                   &n),
                     KV_RESOURCE_NOT_FOUND);
    assert_string_equal(kv_errmsg(f->db), "Requested resource not found: Table: Songs not found");
    assert_int_equal(kv_metric_get(f->db, "Music", "ByYear", "ReadThrottleEvents", NULL, 0, 1,
                                   &d, &n),
                     KV_RESOURCE_NOT_FOUND);
    assert_int_equal(kv_metric_get(f->db, "Music", "ByYear", "ThrottledRequests", NULL, 0, 1, &d,
                                   &n),
                     KV_VALIDATION);
    assert_int_equal(kv_metric_get(f->db, "Music", NULL, "ThrottledRequests", "Put", 0, 1, &d,
                                   &n),
                     KV_VALIDATION);
    assert_int_equal(kv_metric_get(f->db, "Music", NULL, "ReadThrottleEvents", "PutItem", 0, 1,
                                   &d, &n),
                     KV_VALIDATION);
    assert_int_equal(kv_metric_get(f->db, "Music", NULL, "ReadThrottleEvents", NULL, 5, 1, &d,
                                   &n),
                     KV_VALIDATION);
    assert_int_equal(kv_metric_get(f->db, NULL, NULL, "ReadThrottleEvents", NULL, 0, 1, &d, &n),
                     KV_MISUSE);
    assert_null(d);
    assert_int_equal(n, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(met01_1_consumed),
        cmocka_unit_test(met01_2_retention),
        cmocka_unit_test(met01_3_saturate_and_sub),
        cmocka_unit_test(met01_4_range),
        cmocka_unit_test(met01_5_throttled_requests),
        cmocka_unit_test(met01_6_add_current),
        cmocka_unit_test(met01_7_concurrent_adds),
        cmocka_unit_test(met02_1_provisioned),
        cmocka_unit_test(met02_2_config_log),
        cmocka_unit_test(met03_1_names),
        cmocka_unit_test_setup_teardown(met04_1_get, mfx_setup, mfx_teardown),
        cmocka_unit_test_setup_teardown(met04_2_errors, mfx_setup, mfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
