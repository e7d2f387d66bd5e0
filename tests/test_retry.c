/*
 * test_retry.c -- the client-side retry policy: defaults, the doubling
 * ceiling and its cap, full jitter drawn from an injected source, which
 * statuses are retried, and a retry loop that waits in fake time.
 */
#include "fixture.h"
#include "clock.h"
#include "retry.h"

#include <string.h>

/* A jitter source that replays fixed values. */
struct seq {
    const uint64_t *v;
    size_t n, i;
};

static uint64_t
seq_next(void *arg)
{
    struct seq *s = arg;
    return s->v[s->i++ % s->n];
}

/* rty01-1.1: the defaults. */
static void
rty01_1_defaults(void **state)
{
    (void)state;
    kv_retry_policy p;
    memset(&p, 0xab, sizeof p);
    kv_retry_policy_default(&p);
    assert_int_equal(p.max_attempts, 10);
    assert_int_equal(p.base_delay_ms, 50);
    assert_int_equal(p.max_delay_ms, 20000);
    assert_null(p.random);
    assert_null(p.random_arg);
    kv_retry_policy_default(NULL);
}

/* rty01-1.2: the ceiling doubles from the base and stops at the cap. */
static void
rty01_2_ceiling(void **state)
{
    (void)state;
    kv_retry_policy p;
    kv_retry_policy_default(&p);
    const int64_t want[] = {50, 100, 200, 400, 800, 1600, 3200, 6400, 12800, 20000, 20000};
    for (int a = 1; a <= 11; a++)
        assert_int_equal(retry_ceiling_ms(&p, a), want[a - 1]);
    assert_int_equal(retry_ceiling_ms(&p, 1000000), 20000);
    assert_int_equal(retry_ceiling_ms(&p, 0), 0);
    assert_int_equal(retry_ceiling_ms(NULL, 3), 0);
    p.base_delay_ms = INT64_MAX;
    p.max_delay_ms = INT64_MAX;
    assert_int_equal(retry_ceiling_ms(&p, 60), RETRY_DELAY_MAX);
}

/* rty01-1.3: full jitter: the wait is the drawn value modulo ceiling + 1,
 * so it spans the whole range [0, ceiling]. */
static void
rty01_3_full_jitter(void **state)
{
    (void)state;
    const uint64_t vals[] = {0, 50, 51, 100 + 101 * 7, UINT64_MAX};
    struct seq s = {vals, 5, 0};
    kv_retry_policy p;
    kv_retry_policy_default(&p);
    p.random = seq_next;
    p.random_arg = &s;
    assert_int_equal(kv_retry_delay_ms(&p, 1), 0);
    assert_int_equal(kv_retry_delay_ms(&p, 1), 50);
    assert_int_equal(kv_retry_delay_ms(&p, 1), 0);
    assert_int_equal(kv_retry_delay_ms(&p, 2), 100);
    assert_int_equal(kv_retry_delay_ms(&p, 3), (int64_t)(UINT64_MAX % 201));
    assert_int_equal(kv_retry_delay_ms(NULL, 1), 0);
    assert_int_equal(kv_retry_delay_ms(&p, 0), 0);
}

/* rty01-1.4: the library's own source stays within the ceiling. */
static void
rty01_4_default_source(void **state)
{
    (void)state;
    kv_retry_policy p;
    kv_retry_policy_default(&p);
    int64_t lo = INT64_MAX, hi = -1;
    for (int i = 0; i < 10000; i++) {
        int64_t d = kv_retry_delay_ms(&p, 4);
        assert_true(d >= 0 && d <= 400);
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
    }
    assert_true(lo < 40 && hi > 360); /* spread, not constant */
}

/* rty02-1.1: the SDKs retry throttling and server faults only. */
static void
rty02_1_retryable(void **state)
{
    (void)state;
    const kv_status yes[] = {KV_PROVISIONED_THROUGHPUT_EXCEEDED, KV_THROTTLING,
                             KV_REQUEST_LIMIT_EXCEEDED, KV_LIMIT_EXCEEDED,
                             KV_TRANSACTION_IN_PROGRESS, KV_INTERNAL};
    const kv_status no[] = {KV_OK, KV_VALIDATION, KV_CONDITIONAL_CHECK_FAILED,
                            KV_RESOURCE_NOT_FOUND, KV_TRANSACTION_CANCELED, KV_NOMEM, KV_IO,
                            KV_CORRUPT, KV_MISUSE};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_int_equal(kv_status_retryable(yes[i]), 1);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_int_equal(kv_status_retryable(no[i]), 0);
}

/* rty02-1.2: max_attempts counts the first attempt. */
static void
rty02_2_attempts(void **state)
{
    (void)state;
    kv_retry_policy p;
    kv_retry_policy_default(&p);
    p.max_attempts = 3;
    assert_true(retry_should(&p, 1, KV_THROTTLING));
    assert_true(retry_should(&p, 2, KV_THROTTLING));
    assert_false(retry_should(&p, 3, KV_THROTTLING));
    assert_false(retry_should(&p, 1, KV_VALIDATION));
    assert_false(retry_should(NULL, 1, KV_THROTTLING));
    p.max_attempts = 1;
    assert_false(retry_should(&p, 1, KV_THROTTLING));
}

/* rty03-1.1: a loop against a failing operation waits in fake time only:
 * the manual clock moves by exactly the sum of the drawn waits. */
static void
rty03_1_loop_in_fake_time(void **state)
{
    (void)state;
    const uint64_t vals[] = {UINT64_MAX}; /* UINT64_MAX % (c + 1) for each c */
    struct seq s = {vals, 1, 0};
    struct clock clk;
    clock_init_manual(&clk, 1000);
    kv_retry_policy p;
    kv_retry_policy_default(&p);
    p.max_attempts = 5;
    p.random = seq_next;
    p.random_arg = &s;
    int attempts = 0;
    int64_t waited = 0;
    for (int attempt = 1;; attempt++) {
        attempts++;
        kv_status st = KV_PROVISIONED_THROUGHPUT_EXCEEDED; /* always throttled */
        if (!retry_should(&p, attempt, st))
            break;
        int64_t d = retry_delay_ms(&p, attempt);
        waited += d;
        clock_sleep_ms(&clk, d);
    }
    assert_int_equal(attempts, 5);
    int64_t want = 0;
    for (int a = 1; a <= 4; a++)
        want += (int64_t)(UINT64_MAX % (uint64_t)(retry_ceiling_ms(&p, a) + 1));
    assert_int_equal(waited, want);
    assert_int_equal(clock_now_ms(&clk), 1000 + want);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rty01_1_defaults),
        cmocka_unit_test(rty01_2_ceiling),
        cmocka_unit_test(rty01_3_full_jitter),
        cmocka_unit_test(rty01_4_default_source),
        cmocka_unit_test(rty02_1_retryable),
        cmocka_unit_test(rty02_2_attempts),
        cmocka_unit_test(rty03_1_loop_in_fake_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
