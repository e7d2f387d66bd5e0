/*
 * test_throttling.c -- provisioned and on-demand throttling seen through
 * the public API (kv_put_item, kv_request, kv_metric_get ...) on databases
 * opened with an injected clock, so every count is exact and no test
 * sleeps: time moves only when a test moves it.
 *
 * Sections: thr-api01 rate and burst; thr-api02 what a throttled write
 * leaves behind; thr-api03 GSI back-pressure; thr-api04 partitions;
 * thr-api05 UpdateTable; thr-api06 on-demand; thr-api07 reads and debt;
 * thr-api08 retries; thr-api09 DeleteTable.
 */
#include "fixture.h"
#include "clock_fixture.h"
#include "backfill.h"
#include "err.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run a JSON request; returns its body (kv_free) and checks the status. */
static char *
req(struct tfx *f, const char *op, const char *json, kv_status want)
{
    char *resp = NULL;
    kv_status st = kv_request(f->db, op, json, strlen(json), &resp);
    if (st != want)
        fprintf(stderr, "%s %s\n -> %s %s\n", op, json, kv_status_name(st), resp ? resp : "");
    assert_int_equal(st, want);
    assert_non_null(resp);
    return resp;
}

static void
ok(struct tfx *f, const char *op, const char *json)
{
    kv_free(req(f, op, json, KV_OK));
}

/* Put an item of exactly 1024 bytes (one write unit): pk "k%05d"
 * (2 + 6 bytes) and d (1 + 1015). */
static kv_status
put1k(struct tfx *f, int key)
{
    static char d[1016];
    memset(d, 'x', 1015);
    char pk[16];
    snprintf(pk, sizeof pk, "k%05d", key % 100000);
    kv_item *it = kv_item_new();
    kv_item_put_s(it, "pk", pk);
    kv_item_put_s(it, "d", d);
    kv_status st = kv_put_item(f->db, "Thr", it, NULL, NULL);
    kv_item_free(it);
    return st;
}

/* How many of n 1 KB puts pass now: keys from `first`, or all `first`
 * when `same` (one hot key). */
static int
puts_passing(struct tfx *f, int first, int n, bool same)
{
    int passed = 0;
    for (int i = 0; i < n; i++) {
        kv_status st = put1k(f, same ? first : first + i);
        if (st == KV_OK)
            passed++;
        else
            assert_true(st == KV_PROVISIONED_THROUGHPUT_EXCEEDED || st == KV_THROTTLING);
    }
    return passed;
}

/* --- thr-api01: rate and burst --------------------------------------------- */

/* thr-api01-1: without burst, a 10 WCU table serves exactly ten 1 KB writes
 * in a clock second and throttles the eleventh, with DynamoDB's exception,
 * message and ThrottlingReasons; a second later ten more pass. */
static void
thr_api01_1_ten_per_second(void **state)
{
    (void)state;
    struct tfx *f = tfx_new(0, false);
    tfx_create_table(f, 10, 10, 0);
    for (int i = 0; i < 10; i++)
        assert_int_equal(put1k(f, i), KV_OK);
    assert_int_equal(put1k(f, 10), KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_string_equal(kv_errmsg(f->db), msg_table);
    tfx_assert_reasons(f, "TableWriteProvisionedThroughputExceeded " ARN "Thr");
    f->now += 999;
    assert_int_equal(puts_passing(f, 100, 20, false), 9);
    f->now += 1;
    assert_int_equal(puts_passing(f, 200, 20, false), 1);
    f->now += 1000;
    assert_int_equal(puts_passing(f, 300, 20, false), 10);
    tfx_free(f);
}

/* thr-api01-2: with the default 300 s burst window, 60 idle clock seconds
 * bank 60 seconds' worth: exactly 600 writes pass at once. */
static void
thr_api01_2_burst(void **state)
{
    (void)state;
    struct tfx *f = tfx_new(300, false);
    tfx_create_table(f, 10, 10, 0);
    assert_int_equal(puts_passing(f, 0, 20, false), 10); /* a new table: one second */
    f->now += 60000;
    assert_int_equal(puts_passing(f, 1000, 700, false), 600);
    assert_int_equal(put1k(f, 5000), KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    tfx_free(f);
}

/* thr-api01-3: the burst bank holds at most 300 seconds. */
static void
thr_api01_3_burst_ceiling(void **state)
{
    (void)state;
    struct tfx *f = tfx_new(300, false);
    tfx_create_table(f, 10, 1, 0);
    f->now += 3600000;
    assert_int_equal(puts_passing(f, 0, 400, false), 300);
    tfx_free(f);
}

/* --- thr-api02: a throttled write changes nothing ---------------------------- */

/* thr-api02-1: the item, its index entries and ConsumedWriteCapacityUnits
 * stay as they were; WriteThrottleEvents and ThrottledRequests count it;
 * the JSON error body carries ThrottlingReasons. */
static void
thr_api02_1_nothing_changes(void **state)
{
    (void)state;
    struct tfx *f = tfx_new(0, false);
    tfx_create_table(f, 100, 2, 100);
    /* 2+2 + 2+2 + 2+2 = 12 B: one unit on T and one on G */
    ok(f, "PutItem", "{\"TableName\":\"Thr\",\"Item\":{\"pk\":{\"S\":\"a\"},\"gk\":{\"S\":\"g1\"},"
                     "\"v\":{\"S\":\"v1\"}}}");
    ok(f, "PutItem", "{\"TableName\":\"Thr\",\"Item\":{\"pk\":{\"S\":\"b\"}}}");
    double consumed = tfx_metric_sum(f, NULL, "ConsumedWriteCapacityUnits", NULL);
    double consumed_g = tfx_metric_sum(f, "gsi", "ConsumedWriteCapacityUnits", NULL);
    assert_true(consumed == 2.0 && consumed_g == 1.0);
    char *body = req(f, "PutItem",
                     "{\"TableName\":\"Thr\",\"Item\":{\"pk\":{\"S\":\"a\"},\"gk\":{\"S\":\"g2\"},"
                     "\"v\":{\"S\":\"v2\"}}}",
                     KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    fx_assert_json(body, "{\"__type\":\"" NS "ProvisionedThroughputExceededException\","
                         "\"message\":\"The level of configured provisioned throughput for the "
                         "table was exceeded. Consider increasing your provisioning level with "
                         "the UpdateTable API.\",\"ThrottlingReasons\":[{\"__type\":\"" NS
                         "ThrottlingReason\",\"reason\":\"TableWriteProvisionedThroughputExceeded"
                         "\",\"resource\":\"" ARN "Thr\"}]}");
    kv_free(body);
    /* UpdateItem and DeleteItem are refused the same way */
    kv_free(req(f, "UpdateItem", "{\"TableName\":\"Thr\",\"Key\":{\"pk\":{\"S\":\"a\"}},"
                "\"UpdateExpression\":\"SET v = :v\",\"ExpressionAttributeValues\":"
                "{\":v\":{\"S\":\"v3\"}}}",
                KV_PROVISIONED_THROUGHPUT_EXCEEDED));
    kv_free(req(f, "DeleteItem", "{\"TableName\":\"Thr\",\"Key\":{\"pk\":{\"S\":\"b\"}}}",
                KV_PROVISIONED_THROUGHPUT_EXCEEDED));
    body = req(f, "GetItem", "{\"TableName\":\"Thr\",\"Key\":{\"pk\":{\"S\":\"a\"}}}", KV_OK);
    fx_assert_json(body, "{\"Item\":{\"pk\":{\"S\":\"a\"},\"gk\":{\"S\":\"g1\"},"
                         "\"v\":{\"S\":\"v1\"}}}");
    kv_free(body);
    body = req(f, "GetItem", "{\"TableName\":\"Thr\",\"Key\":{\"pk\":{\"S\":\"b\"}}}", KV_OK);
    fx_assert_json(body, "{\"Item\":{\"pk\":{\"S\":\"b\"}}}");
    kv_free(body);
    body = req(f, "Scan", "{\"TableName\":\"Thr\",\"IndexName\":\"gsi\"}", KV_OK);
    fx_assert_json(body, "{\"Items\":[{\"pk\":{\"S\":\"a\"},\"gk\":{\"S\":\"g1\"}}],"
                         "\"Count\":1,\"ScannedCount\":1}");
    kv_free(body);
    assert_true(tfx_metric_sum(f, NULL, "ConsumedWriteCapacityUnits", NULL) == consumed);
    assert_true(tfx_metric_sum(f, "gsi", "ConsumedWriteCapacityUnits", NULL) == consumed_g);
    assert_true(tfx_metric_sum(f, NULL, "WriteThrottleEvents", NULL) == 3.0);
    assert_true(tfx_metric_sum(f, NULL, "WriteProvisionedThroughputThrottleEvents", NULL) == 3.0);
    assert_true(tfx_metric_sum(f, "gsi", "WriteThrottleEvents", NULL) == 0.0);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "PutItem") == 1.0);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "UpdateItem") == 1.0);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "DeleteItem") == 1.0);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", NULL) == 3.0);
    tfx_free(f);
}

/* thr-api02-2: a write whose condition fails is charged, as DynamoDB
 * charges it: it uses up the unit the next write needed. */
static void
thr_api02_2_failed_condition_charged(void **state)
{
    (void)state;
    struct tfx *f = tfx_new(0, false);
    tfx_create_table(f, 10, 1, 0);
    assert_int_equal(put1k(f, 1), KV_OK);
    f->now += 1000;
    kv_free(req(f, "PutItem", "{\"TableName\":\"Thr\",\"Item\":{\"pk\":{\"S\":\"k00001\"}},"
                "\"ConditionExpression\":\"attribute_not_exists(pk)\"}",
                KV_CONDITIONAL_CHECK_FAILED));
    assert_int_equal(put1k(f, 2), KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_true(tfx_metric_sum(f, NULL, "ConsumedWriteCapacityUnits", NULL) == 2.0);
    /* a throttled request is refused before its condition is looked at */
    kv_free(req(f, "PutItem", "{\"TableName\":\"Thr\",\"Item\":{\"pk\":{\"S\":\"k00001\"}},"
                "\"ConditionExpression\":\"attribute_not_exists(pk)\"}",
                KV_PROVISIONED_THROUGHPUT_EXCEEDED));
    tfx_free(f);
}

/* --- thr-api03: GSI back-pressure ------------------------------------------------ */

/* thr-api03-1: a GSI short of write capacity throttles the base write, with
 * the index's reason and message; the event counts on the GSI, not on the
 * table; writes that do not touch the GSI go on. */
static void
thr_api03_1_gsi_back_pressure(void **state)
{
    (void)state;
    struct tfx *f = tfx_new(0, false);
    tfx_create_table(f, 100, 100, 1);
    ok(f, "PutItem", "{\"TableName\":\"Thr\",\"Item\":{\"pk\":{\"S\":\"a\"},\"gk\":{\"S\":\"g\"}}}");
    char *body = req(f, "PutItem",
                     "{\"TableName\":\"Thr\",\"Item\":{\"pk\":{\"S\":\"b\"},\"gk\":{\"S\":\"g\"}}}",
                     KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_string_equal(kv_errmsg(f->db), msg_index);
    tfx_assert_reasons(f, "IndexWriteProvisionedThroughputExceeded " ARN "Thr/index/gsi");
    json_t *j = json_loads(body, 0, NULL);
    json_t *r = json_array_get(json_object_get(j, "ThrottlingReasons"), 0);
    assert_string_equal(json_string_value(json_object_get(r, "resource")), ARN "Thr/index/gsi");
    json_decref(j);
    kv_free(body);
    body = req(f, "GetItem", "{\"TableName\":\"Thr\",\"Key\":{\"pk\":{\"S\":\"b\"}}}", KV_OK);
    fx_assert_json(body, "{}");
    kv_free(body);
    ok(f, "PutItem", "{\"TableName\":\"Thr\",\"Item\":{\"pk\":{\"S\":\"c\"}}}");
    assert_true(tfx_metric_sum(f, "gsi", "WriteThrottleEvents", NULL) == 1.0);
    assert_true(tfx_metric_sum(f, "gsi", "WriteProvisionedThroughputThrottleEvents", NULL) == 1.0);
    assert_true(tfx_metric_sum(f, NULL, "WriteThrottleEvents", NULL) == 0.0);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "PutItem") == 1.0);
    /* the table spent nothing on the refused write */
    assert_true(tfx_metric_sum(f, NULL, "ConsumedWriteCapacityUnits", NULL) == 2.0);
    tfx_free(f);
}

/* thr-api03-2: a GSI's read capacity throttles only its own queries. */
static void
thr_api03_2_gsi_reads(void **state)
{
    (void)state;
    struct tfx *f = tfx_new(0, false);
    tfx_create_table(f, 100, 100, 10);
    ok(f, "PutItem", "{\"TableName\":\"Thr\",\"Item\":{\"pk\":{\"S\":\"a\"},\"gk\":{\"S\":\"g\"}}}");
    const char *q = "{\"TableName\":\"Thr\",\"IndexName\":\"gsi\",\"KeyConditionExpression\":"
                    "\"gk = :g\",\"ExpressionAttributeValues\":{\":g\":{\"S\":\"g\"}}}";
    /* G has 1 RCU: two eventually consistent queries of half a unit each */
    ok(f, "Query", q);
    ok(f, "Query", q);
    kv_free(req(f, "Query", q, KV_PROVISIONED_THROUGHPUT_EXCEEDED));
    assert_string_equal(kv_errmsg(f->db), msg_index);
    tfx_assert_reasons(f, "IndexReadProvisionedThroughputExceeded " ARN "Thr/index/gsi");
    ok(f, "Query", "{\"TableName\":\"Thr\",\"KeyConditionExpression\":\"pk = :p\","
                   "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"a\"}}}");
    assert_true(tfx_metric_sum(f, "gsi", "ReadThrottleEvents", NULL) == 1.0);
    assert_true(tfx_metric_sum(f, "gsi", "ConsumedReadCapacityUnits", NULL) == 1.0);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "Query") == 1.0);
    tfx_free(f);
}

/* thr-api03-3: a GSI added by UpdateTable fills its buckets from its own
 * creation, not the table's: a table idle for 100 s has banked burst, the
 * new index has one second. */
static void
thr_api03_3_gsi_created_later(void **state)
{
    (void)state;
    struct tfx *f = tfx_new(300, false);
    tfx_create_table(f, 100, 100, 0);
    f->now += 100000;
    backfill_hold(f->db, true);
    ok(f, "UpdateTable",
       "{\"TableName\":\"Thr\",\"AttributeDefinitions\":[{\"AttributeName\":\"gk\","
       "\"AttributeType\":\"S\"}],\"GlobalSecondaryIndexUpdates\":[{\"Create\":{"
       "\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"gk\",\"KeyType\":\"HASH\"}],"
       "\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"},\"ProvisionedThroughput\":"
       "{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1}}}]}");
    struct kv_err err;
    err_init(&err);
    bool more = true;
    while (more)
        assert_int_equal(backfill_step(f->db, 100, &more, &err), KV_OK);
    backfill_hold(f->db, false);
    ok(f, "PutItem", "{\"TableName\":\"Thr\",\"Item\":{\"pk\":{\"S\":\"a\"},\"gk\":{\"S\":\"g\"}}}");
    kv_free(req(f, "PutItem",
                "{\"TableName\":\"Thr\",\"Item\":{\"pk\":{\"S\":\"b\"},\"gk\":{\"S\":\"g\"}}}",
                KV_PROVISIONED_THROUGHPUT_EXCEEDED));
    tfx_assert_reasons(f, "IndexWriteProvisionedThroughputExceeded " ARN "Thr/index/gsi");
    tfx_free(f);
}

/* --- thr-api04: partitions ---------------------------------------------------- */

/* thr-api04-1: on a 10,000 WCU table one hot partition key is throttled at
 * the partition ceiling, 1,000 WCU in a second, with ThrottlingException
 * and KeyRangeThroughputExceeded; keys spread over the table reach its
 * full 10,000. */
static void
thr_api04_1_hot_key(void **state)
{
    (void)state;
    struct tfx *f = tfx_new(0, false);
    tfx_create_table(f, 3000, 10000, 0);
    assert_int_equal(puts_passing(f, 7, 1500, true), 1000);
    assert_int_equal(put1k(f, 7), KV_THROTTLING);
    assert_string_equal(kv_errmsg(f->db), msg_scaling);
    tfx_assert_reasons(f, "TableWriteKeyRangeThroughputExceeded " ARN "Thr");
    char *body = req(f, "PutItem", "{\"TableName\":\"Thr\",\"Item\":{\"pk\":{\"S\":\"k00007\"}}}",
                     KV_THROTTLING);
    fx_assert_json(body, "{\"__type\":\"" NS "ThrottlingException\",\"message\":\"Throughput "
                         "exceeds the current capacity of your table or index. DynamoDB is "
                         "automatically scaling your table or index so please try again "
                         "shortly. If exceptions persist, check if you have a hot key: "
                         "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
                         "bp-partition-key-design.html\",\"throttlingReasons\":[{\"__type\":\"" NS
                         "ThrottlingReason\",\"reason\":\"TableWriteKeyRangeThroughputExceeded\","
                         "\"resource\":\"" ARN "Thr\"}]}");
    kv_free(body);
    assert_true(tfx_metric_sum(f, NULL, "WriteKeyRangeThroughputThrottleEvents", NULL) == 502.0);
    f->now += 1000;
    assert_int_equal(puts_passing(f, 10000, 12000, false), 10000);
    tfx_free(f);
}

/* --- thr-api05: UpdateTable ----------------------------------------------------- */

/* thr-api05-1: raising throughput lets more writes through at once: the
 * next second serves the new rate. */
static void
thr_api05_1_raise(void **state)
{
    (void)state;
    struct tfx *f = tfx_new(0, false);
    tfx_create_table(f, 10, 10, 0);
    assert_int_equal(puts_passing(f, 0, 20, false), 10);
    f->now += 1000;
    assert_int_equal(puts_passing(f, 100, 20, false), 10);
    ok(f, "UpdateTable", "{\"TableName\":\"Thr\",\"ProvisionedThroughput\":"
                         "{\"ReadCapacityUnits\":10,\"WriteCapacityUnits\":50}}");
    /* no windfall: what was spent stays spent */
    assert_int_equal(put1k(f, 500), KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    f->now += 1000;
    assert_int_equal(puts_passing(f, 1000, 80, false), 50);
    /* and lowering it takes effect as soon */
    ok(f, "UpdateTable", "{\"TableName\":\"Thr\",\"ProvisionedThroughput\":"
                         "{\"ReadCapacityUnits\":10,\"WriteCapacityUnits\":5}}");
    f->now += 1000;
    assert_int_equal(puts_passing(f, 2000, 20, false), 5);
    tfx_free(f);
}

/* thr-api05-2: switching to on-demand serves the on-demand levels at once. */
static void
thr_api05_2_to_on_demand(void **state)
{
    (void)state;
    struct tfx *f = tfx_new(0, false);
    tfx_create_table(f, 10, 10, 0);
    assert_int_equal(puts_passing(f, 0, 20, false), 10);
    ok(f, "UpdateTable", "{\"TableName\":\"Thr\",\"BillingMode\":\"PAY_PER_REQUEST\"}");
    assert_int_equal(puts_passing(f, 100, 200, false), 200);
    ok(f, "UpdateTable", "{\"TableName\":\"Thr\",\"BillingMode\":\"PROVISIONED\","
                         "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":10,"
                         "\"WriteCapacityUnits\":3}}");
    /* back to provisioned: one second of the new rate, like a new table */
    assert_int_equal(puts_passing(f, 1000, 20, false), 3);
    tfx_free(f);
}

/* --- thr-api06: on-demand ------------------------------------------------------- */

/* thr-api06-1: a new on-demand table serves 4,000 write request units and
 * 12,000 read request units in a second, then ThrottlingException. */
static void
thr_api06_1_new_table(void **state)
{
    (void)state;
    struct tfx *f = tfx_new(300, false);
    ok(f, "CreateTable", "{\"TableName\":\"Thr\",\"AttributeDefinitions\":[{\"AttributeName\":"
                         "\"pk\",\"AttributeType\":\"S\"}],\"KeySchema\":[{\"AttributeName\":"
                         "\"pk\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}");
    assert_int_equal(puts_passing(f, 0, 4500, false), 4000);
    assert_int_equal(put1k(f, 90000), KV_THROTTLING);
    assert_string_equal(kv_errmsg(f->db), msg_scaling);
    tfx_assert_reasons(f, "TableWriteKeyRangeThroughputExceeded " ARN "Thr");
    /* no burst banks on demand: a minute later it is still 4,000 */
    f->now += 60000;
    assert_int_equal(puts_passing(f, 10000, 4500, false), 4000);
    int passed = 0;
    kv_item *key = kv_item_new();
    kv_get_opts strong = {.consistent_read = 1};
    for (int i = 0; i < 12500; i++) {
        char pk[16];
        snprintf(pk, sizeof pk, "k%05d", i % 4000);
        kv_item_put_s(key, "pk", pk);
        kv_item *got = NULL;
        kv_status st = kv_get_item(f->db, "Thr", key, &strong, &got);
        kv_item_free(got);
        passed += st == KV_OK;
        assert_true(st == KV_OK || st == KV_THROTTLING);
    }
    kv_item_free(key);
    assert_int_equal(passed, 12000);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "GetItem") == 500.0);
    tfx_free(f);
}

/* --- thr-api07: reads and debt ---------------------------------------------------- */

/* thr-api07-1: a read is admitted against its least cost and charged its
 * real cost after, which may leave the bucket in debt; later reads wait
 * until the debt is repaid. */
static void
thr_api07_1_read_debt(void **state)
{
    (void)state;
    struct tfx *f = tfx_new(0, false);
    tfx_create_table(f, 1, 100, 0);
    /* 2+2 + 1+36859 = 36864 B: 9 x 4 KB */
    char *d = malloc(36860);
    memset(d, 'x', 36859);
    d[36859] = '\0';
    kv_item *it = kv_item_new(), *key = kv_item_new(), *got = NULL;
    kv_item_put_s(it, "pk", "bb");
    kv_item_put_s(it, "d", d);
    free(d);
    kv_item_put_s(key, "pk", "bb");
    assert_int_equal(kv_put_item(f->db, "Thr", it, NULL, NULL), KV_OK);
    kv_get_opts strong = {.consistent_read = 1};
    assert_int_equal(kv_get_item(f->db, "Thr", key, &strong, &got), KV_OK);
    assert_non_null(got);
    kv_item_free(got);
    assert_true(tfx_metric_sum(f, NULL, "ConsumedReadCapacityUnits", NULL) == 9.0);
    /* the bucket is 8 units in debt: 1 RCU repays it in 8 s, then one
     * more second for the next read's unit */
    f->now += 8999;
    assert_int_equal(kv_get_item(f->db, "Thr", key, &strong, &got),
                     KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_null(got);
    tfx_assert_reasons(f, "TableReadProvisionedThroughputExceeded " ARN "Thr");
    f->now += 1;
    assert_int_equal(kv_get_item(f->db, "Thr", key, &strong, &got), KV_OK);
    kv_item_free(got);
    assert_true(tfx_metric_sum(f, NULL, "ReadThrottleEvents", NULL) == 1.0);
    kv_item_free(it);
    kv_item_free(key);
    tfx_free(f);
}

/* thr-api07-2: Scan pages spend the table's read capacity like any read:
 * a 2 RCU table serves two strongly consistent pages in a second. */
static void
thr_api07_2_scan(void **state)
{
    (void)state;
    struct tfx *f = tfx_new(0, false);
    tfx_create_table(f, 2, 100, 0);
    ok(f, "PutItem", "{\"TableName\":\"Thr\",\"Item\":{\"pk\":{\"S\":\"a\"}}}");
    const char *scan = "{\"TableName\":\"Thr\",\"ConsistentRead\":true}";
    ok(f, "Scan", scan);
    ok(f, "Scan", scan);
    kv_free(req(f, "Scan", scan, KV_PROVISIONED_THROUGHPUT_EXCEEDED));
    tfx_assert_reasons(f, "TableReadProvisionedThroughputExceeded " ARN "Thr");
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "Scan") == 1.0);
    tfx_free(f);
}

/* thr-api07-3: kv_scan and kv_query spend the table's read capacity as
 * Scan and Query do, are refused with the same exception, and with
 * kv_options.retry wait and try again: a 2 RCU table refills a unit in
 * 500 ms, found by the 5th attempt after waits of 50, 100, 200 and 400
 * (750 ms in all). */
static void
thr_api07_3_typed_reads(void **state)
{
    (void)state;
    struct tfx *f = tfx_new(0, false);
    tfx_create_table(f, 2, 100, 0);
    ok(f, "PutItem", "{\"TableName\":\"Thr\",\"Item\":{\"pk\":{\"S\":\"a\"}}}");
    const char *scan = "{\"TableName\":\"Thr\",\"ConsistentRead\":true}";
    kv_read_opts strong = {.consistent_read = 1};
    kv_read_result *res = NULL;
    assert_int_equal(kv_scan(f->db, "Thr", &strong, &res), KV_OK);
    assert_true(res->capacity_units == 1.0);
    assert_true(res->table_capacity_units == 1.0);
    kv_read_result_free(res);
    ok(f, "Scan", scan);
    assert_int_equal(kv_scan(f->db, "Thr", &strong, &res), KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_null(res);
    char *msg = strdup(kv_errmsg(f->db));
    tfx_assert_reasons(f, "TableReadProvisionedThroughputExceeded " ARN "Thr");
    kv_free(req(f, "Scan", scan, KV_PROVISIONED_THROUGHPUT_EXCEEDED));
    assert_string_equal(kv_errmsg(f->db), msg);
    free(msg);
    kv_item *values = kv_item_new();
    kv_item_put_s(values, ":p", "a");
    kv_read_opts q = {.values = values, .consistent_read = 1};
    assert_int_equal(kv_query(f->db, "Thr", "pk = :p", &q, &res),
                     KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    tfx_assert_reasons(f, "TableReadProvisionedThroughputExceeded " ARN "Thr");
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "Scan") == 2.0);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "Query") == 1.0);
    assert_true(tfx_metric_sum(f, NULL, "ConsumedReadCapacityUnits", NULL) == 2.0);

    /* A second later the bucket is full again (2 units); with retries on,
     * two Scans empty it and the Query waits. */
    kv_db_close(f->db);
    f->now += 1000;
    tfx_open(f, 0, true);
    const uint64_t draws[] = {50, 100, 200, 400};
    memcpy(f->jitter, draws, sizeof draws);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(kv_scan(f->db, "Thr", &strong, &res), KV_OK);
        kv_read_result_free(res);
    }
    assert_int_equal(f->n_jitter, 0);
    assert_int_equal(kv_query(f->db, "Thr", "pk = :p", &q, &res), KV_OK);
    assert_int_equal(res->count, 1);
    assert_int_equal(res->n_items, 1);
    kv_read_result_free(res);
    assert_int_equal(f->now, T0 + 1750);
    assert_int_equal(f->n_jitter, 4);
    kv_item_free(values);
    tfx_free(f);
}

/* --- thr-api08: retries --------------------------------------------------------- */

/* thr-api08-1: with kv_options.retry, a throttled kv_put_item waits and
 * tries again like an SDK: back-offs of 50, 100, 200, 400 and 800 ms
 * (the injected jitter draws each ceiling), until the 6th attempt, at
 * +1550 ms, finds the unit that refilled at +1000 ms. */
static void
thr_api08_1_typed_retry(void **state)
{
    (void)state;
    struct tfx *f = tfx_new(0, false);
    kv_db_close(f->db);
    tfx_open(f, 0, true);
    const uint64_t draws[] = {50, 100, 200, 400, 800};
    memcpy(f->jitter, draws, sizeof draws);
    tfx_create_table(f, 10, 1, 0);
    assert_int_equal(put1k(f, 1), KV_OK);
    assert_int_equal(put1k(f, 2), KV_OK);
    assert_int_equal(f->now, T0 + 1550);
    assert_int_equal(f->n_jitter, 5);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "PutItem") == 5.0);
    assert_true(tfx_metric_sum(f, NULL, "ConsumedWriteCapacityUnits", NULL) == 2.0);
    tfx_free(f);
}

/* thr-api08-2: through kv_request the same; when the attempts run out the
 * last throttle is returned, ThrottlingReasons and all. */
static void
thr_api08_2_json_retry(void **state)
{
    (void)state;
    struct tfx *f = tfx_new(0, false);
    kv_db_close(f->db);
    f->retry.max_attempts = 3;
    tfx_open(f, 0, true);
    const uint64_t draws[] = {7, 1000 + 33, 250};
    memcpy(f->jitter, draws, sizeof draws);
    tfx_create_table(f, 10, 1, 0);
    const char *put = "{\"TableName\":\"Thr\",\"Item\":{\"pk\":{\"S\":\"a\"}}}";
    ok(f, "PutItem", put);
    /* waits 7 % 51 = 7 and 1033 % 101 = 23 ms, then gives up */
    char *body = req(f, "PutItem", put, KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_int_equal(f->now, T0 + 30);
    assert_int_equal(f->n_jitter, 2);
    json_t *j = json_loads(body, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "ThrottlingReasons")), 1);
    json_decref(j);
    kv_free(body);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "PutItem") == 3.0);
    /* a status the SDKs do not retry is returned at once */
    f->now += 1000;
    kv_free(req(f, "PutItem", "{\"TableName\":\"Thr\",\"Item\":{\"pk\":{\"S\":\"a\"}},"
                "\"ConditionExpression\":\"attribute_not_exists(pk)\"}",
                KV_CONDITIONAL_CHECK_FAILED));
    assert_int_equal(f->now, T0 + 1030);
    assert_int_equal(f->n_jitter, 2);
    tfx_free(f);
}

/* thr-api08-3: without kv_options.retry nothing is retried. */
static void
thr_api08_3_no_retry(void **state)
{
    (void)state;
    struct tfx *f = tfx_new(0, false);
    tfx_create_table(f, 10, 1, 0);
    assert_int_equal(put1k(f, 1), KV_OK);
    assert_int_equal(put1k(f, 2), KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_int_equal(f->now, T0);
    assert_int_equal(f->n_jitter, 0);
    tfx_free(f);
}

/* --- thr-api09: DeleteTable ------------------------------------------------------- */

/* thr-api09-1: a table deleted and created again starts afresh. */
static void
thr_api09_1_recreate(void **state)
{
    (void)state;
    struct tfx *f = tfx_new(0, false);
    tfx_create_table(f, 10, 10, 0);
    assert_int_equal(puts_passing(f, 0, 20, false), 10);
    ok(f, "DeleteTable", "{\"TableName\":\"Thr\"}");
    tfx_create_table(f, 10, 10, 0);
    assert_int_equal(puts_passing(f, 0, 20, false), 10);
    assert_true(tfx_metric_sum(f, NULL, "WriteThrottleEvents", NULL) == 10.0);
    tfx_free(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(thr_api01_1_ten_per_second),
        cmocka_unit_test(thr_api01_2_burst),
        cmocka_unit_test(thr_api01_3_burst_ceiling),
        cmocka_unit_test(thr_api02_1_nothing_changes),
        cmocka_unit_test(thr_api02_2_failed_condition_charged),
        cmocka_unit_test(thr_api03_1_gsi_back_pressure),
        cmocka_unit_test(thr_api03_2_gsi_reads),
        cmocka_unit_test(thr_api03_3_gsi_created_later),
        cmocka_unit_test(thr_api04_1_hot_key),
        cmocka_unit_test(thr_api05_1_raise),
        cmocka_unit_test(thr_api05_2_to_on_demand),
        cmocka_unit_test(thr_api06_1_new_table),
        cmocka_unit_test(thr_api07_1_read_debt),
        cmocka_unit_test(thr_api07_2_scan),
        cmocka_unit_test(thr_api07_3_typed_reads),
        cmocka_unit_test(thr_api08_1_typed_retry),
        cmocka_unit_test(thr_api08_2_json_retry),
        cmocka_unit_test(thr_api08_3_no_retry),
        cmocka_unit_test(thr_api09_1_recreate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
