/*
 * test_batch_throttle.c -- batches and transactions spending capacity, seen
 * through the public API on databases opened with an injected clock and
 * no burst, so every count is exact and no test sleeps.
 *
 * Sections: bth01 BatchWriteItem element by element; bth02 GSI
 * back-pressure in a batch; bth03 BatchGetItem; bth04 transactions
 * throttled as a whole; bth05 the typed face's retries of unprocessed
 * elements.
 */
#include "fixture.h"
#include "clock_fixture.h"
#include "mem.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CANCELLED "Transaction cancelled, please refer cancellation reasons for specific reasons "

/* A database with no burst; with a retry policy of max_attempts (its
 * jitter draws given) when max_attempts > 0. */
static struct tfx *
bfx_new(int max_attempts, const uint64_t *draws, size_t n_draws)
{
    struct tfx *f = tfx_new(0, false);
    if (max_attempts > 0) {
        kv_db_close(f->db);
        f->retry.max_attempts = max_attempts;
        memcpy(f->jitter, draws, n_draws * sizeof *draws);
        tfx_open(f, 0, true);
    }
    return f;
}

/* Run a request given as JSON; returns the response parsed. */
static json_t *
req(struct tfx *f, const char *op, json_t *request, kv_status want)
{
    char *body = json_dumps(request, JSON_COMPACT), *resp = NULL;
    kv_status st = kv_request(f->db, op, body, strlen(body), &resp);
    if (st != want)
        fprintf(stderr, "%s %.300s\n -> %s %.500s\n", op, body, kv_status_name(st),
                resp ? resp : "");
    assert_int_equal(st, want);
    assert_non_null(resp);
    json_t *j = json_loads(resp, 0, NULL);
    assert_non_null(j);
    kv_free(resp);
    free(body);
    json_decref(request);
    return j;
}

static json_t *
parse(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    if (!j)
        fprintf(stderr, "bad JSON in test: %s\n", text);
    assert_non_null(j);
    return j;
}

static void
ok(struct tfx *f, const char *op, const char *json)
{
    json_decref(req(f, op, parse(json), KV_OK));
}

/* Assert a parsed response equals `want` (JSON text). */
static void
assert_json(json_t *got, const char *want)
{
    char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
    fx_assert_json(g, want);
    free(g);
}

static const char *
key_name(int i)
{
    static char pk[16];
    snprintf(pk, sizeof pk, "k%05d", i);
    return pk;
}

/* An item of exactly 1,024 bytes: pk "k%05d" (2 + 6) and d (1 + 1,015). */
static json_t *
item1k(int i)
{
    static char d[1016];
    memset(d, 'x', 1015);
    return json_pack("{s:{s:s},s:{s:s}}", "pk", "S", key_name(i), "d", "S", d);
}

static json_t *
key_of(int i)
{
    return json_pack("{s:{s:s}}", "pk", "S", key_name(i));
}

/* The PutRequests of items first .. first+n-1, as BatchWriteItem lists them. */
static json_t *
put_requests(int first, int n)
{
    json_t *a = json_array();
    for (int i = first; i < first + n; i++)
        json_array_append_new(a, json_pack("{s:{s:o}}", "PutRequest", "Item", item1k(i)));
    return a;
}

static json_t *
batch_write(json_t *requests)
{
    return json_pack("{s:{s:o},s:s}", "RequestItems", "Thr", requests, "ReturnConsumedCapacity",
                     "TOTAL");
}

/* Whether item i is stored, with its whole 1 KB content when it is. */
static bool
stored(struct tfx *f, int i)
{
    json_t *r =
        req(f, "GetItem",
            json_pack("{s:s,s:o,s:b}", "TableName", "Thr", "Key", key_of(i), "ConsistentRead", 0),
            KV_OK);
    json_t *item = json_object_get(r, "Item");
    json_t *want = item1k(i);
    bool found = item != NULL;
    if (found)
        assert_true(json_equal(item, want));
    json_decref(want);
    json_decref(r);
    return found;
}

static double
capacity_units(json_t *resp)
{
    json_t *cc = json_object_get(resp, "ConsumedCapacity");
    assert_int_equal(json_array_size(cc), 1);
    return json_number_value(json_object_get(json_array_get(cc, 0), "CapacityUnits"));
}

/* --- bth01: BatchWriteItem element by element --------------------------------- */

/* bth01-1: a 10 WCU table takes exactly ten of 25 1 KB puts; the other 15
 * come back in UnprocessedItems as they were sent, in request order; the
 * ten are stored whole, the fifteen not at all; ConsumedCapacity is 10. */
static void
bth01_1_partial(void **state)
{
    (void)state;
    struct tfx *f = bfx_new(0, NULL, 0);
    tfx_create_table(f, 1000, 10, 0);
    json_t *r = req(f, "BatchWriteItem", batch_write(put_requests(0, 25)), KV_OK);
    json_t *want = json_pack("{s:o}", "Thr", put_requests(10, 15));
    assert_true(json_equal(json_object_get(r, "UnprocessedItems"), want));
    json_decref(want);
    assert_true(capacity_units(r) == 10.0);
    json_decref(r);
    for (int i = 0; i < 25; i++)
        assert_true(stored(f, i) == (i < 10));
    assert_true(tfx_metric_sum(f, NULL, "ConsumedWriteCapacityUnits", NULL) == 10.0);
    assert_true(tfx_metric_sum(f, NULL, "WriteThrottleEvents", NULL) == 15.0);
    assert_true(tfx_metric_sum(f, NULL, "WriteProvisionedThroughputThrottleEvents", NULL) == 15.0);
    /* some elements were served: the request is not a throttled one */
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "BatchWriteItem") == 0.0);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", NULL) == 0.0);
    tfx_free(f);
}

/* bth01-2: the unprocessed fifteen sent again in the same second are all
 * refused: ProvisionedThroughputExceededException with the table's
 * message and reason, nothing written, one ThrottledRequests; a second
 * later ten of them pass. */
static void
bth01_2_all_throttled(void **state)
{
    (void)state;
    struct tfx *f = bfx_new(0, NULL, 0);
    tfx_create_table(f, 1000, 10, 0);
    json_decref(req(f, "BatchWriteItem", batch_write(put_requests(0, 25)), KV_OK));
    json_t *r = req(f, "BatchWriteItem", batch_write(put_requests(10, 15)),
                    KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    char want[1024];
    snprintf(want, sizeof want,
             "{\"__type\":\"" NS "ProvisionedThroughputExceededException\",\"message\":\"%s\","
             "\"ThrottlingReasons\":[{\"__type\":\"" NS "ThrottlingReason\",\"reason\":"
             "\"TableWriteProvisionedThroughputExceeded\",\"resource\":\"" ARN "Thr\"}]}",
             msg_table);
    assert_json(r, want);
    json_decref(r);
    assert_string_equal(kv_errmsg(f->db), msg_table);
    for (int i = 10; i < 25; i++)
        assert_false(stored(f, i));
    assert_true(tfx_metric_sum(f, NULL, "ConsumedWriteCapacityUnits", NULL) == 10.0);
    assert_true(tfx_metric_sum(f, NULL, "WriteThrottleEvents", NULL) == 30.0);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "BatchWriteItem") == 1.0);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", NULL) == 1.0);
    f->now += 1000;
    r = req(f, "BatchWriteItem", batch_write(put_requests(10, 15)), KV_OK);
    json_t *left = json_pack("{s:o}", "Thr", put_requests(20, 5));
    assert_true(json_equal(json_object_get(r, "UnprocessedItems"), left));
    json_decref(left);
    assert_true(capacity_units(r) == 10.0);
    json_decref(r);
    for (int i = 0; i < 25; i++)
        assert_true(stored(f, i) == (i < 20));
    tfx_free(f);
}

/* bth01-3: deletes are charged and throttled as puts are; across two
 * tables each table's capacity decides for its own elements, and each
 * table's ConsumedCapacity counts what was written there. */
static void
bth01_3_deletes_and_tables(void **state)
{
    (void)state;
    struct tfx *f = bfx_new(0, NULL, 0);
    tfx_create_table(f, 1000, 3, 0);
    ok(f, "CreateTable",
       "{\"TableName\":\"Big\",\"AttributeDefinitions\":[{\"AttributeName\":"
       "\"pk\",\"AttributeType\":\"S\"}],\"KeySchema\":[{\"AttributeName\":"
       "\"pk\",\"KeyType\":\"HASH\"}],\"ProvisionedThroughput\":{"
       "\"ReadCapacityUnits\":10,\"WriteCapacityUnits\":100}}");
    json_decref(req(f, "BatchWriteItem", batch_write(put_requests(0, 2)), KV_OK));
    f->now += 1000;
    /* Thr: delete k00000 (1 KB: one unit), put k00005, delete k00001,
     * delete k00009 (absent: one unit) -> the last is left; Big: two puts */
    json_t *thr = json_pack("[{s:{s:o}},{s:{s:o}},{s:{s:o}},{s:{s:o}}]", "DeleteRequest", "Key",
                            key_of(0), "PutRequest", "Item", item1k(5), "DeleteRequest", "Key",
                            key_of(1), "DeleteRequest", "Key", key_of(9));
    json_t *big = json_pack("[{s:{s:o}},{s:{s:o}}]", "PutRequest", "Item", item1k(7), "PutRequest",
                            "Item", item1k(8));
    json_t *r = req(f, "BatchWriteItem",
                    json_pack("{s:{s:o,s:o},s:s}", "RequestItems", "Thr", thr, "Big", big,
                              "ReturnConsumedCapacity", "TOTAL"),
                    KV_OK);
    json_t *want = parse("{\"UnprocessedItems\":{\"Thr\":[{\"DeleteRequest\":{\"Key\":{\"pk\":"
                         "{\"S\":\"k00009\"}}}}]},\"ConsumedCapacity\":[{\"TableName\":\"Thr\","
                         "\"CapacityUnits\":3.0},{\"TableName\":\"Big\",\"CapacityUnits\":2.0}]}");
    assert_true(json_equal(r, want));
    json_decref(want);
    json_decref(r);
    assert_false(stored(f, 0));
    assert_false(stored(f, 1));
    assert_true(stored(f, 5));
    assert_true(tfx_metric_sum(f, NULL, "WriteThrottleEvents", NULL) == 1.0);
    tfx_free(f);
}

/* bth01-4: running out of memory anywhere in a batch that leaves elements
 * unprocessed (also in its second run, without them) writes nothing and
 * gives every admission back, unless it is only the response text that
 * could not be written once the batch was carried out whole. */
static void
bth01_4_out_of_memory(void **state)
{
    (void)state;
    struct tfx *f = bfx_new(0, NULL, 0);
    tfx_create_table(f, 1000, 10, 0);
    bool done = false;
    int first = 0;       /* the keys of this attempt's batch: first .. first + 11 */
    double consumed = 0; /* write units of the batches that were applied */
    for (long n = 1; n < 5000 && !done; n++) {
        f->now += 1000; /* a full bucket (10 units) for each attempt */
        json_t *request = batch_write(put_requests(first, 12));
        char *body = json_dumps(request, JSON_COMPACT), *resp = NULL;
        json_decref(request);
        mem_fail_after(n);
        kv_status st = kv_request(f->db, "BatchWriteItem", body, strlen(body), &resp);
        mem_fail_reset();
        free(body);
        kv_free(resp);
        done = st == KV_OK;
        int applied = 0;
        for (int i = first; i < first + 12; i++)
            applied += stored(f, i);
        if (!done) {
            assert_int_equal(st, KV_NOMEM);
            /* Nothing, or, when only the response text could not be written
             * (DynamoDB's InternalServerError: the request may have been
             * carried out), the whole of what was admitted. */
            assert_true(applied == 0 || applied == 10);
            if (applied) {
                for (int i = first; i < first + 12; i++)
                    assert_true(stored(f, i) == (i < first + 10));
                consumed += 10;
                first += 12;
            }
            assert_true(tfx_metric_sum(f, NULL, "ConsumedWriteCapacityUnits", NULL) == consumed);
        }
    }
    assert_true(done);
    for (int i = first; i < first + 12; i++)
        assert_true(stored(f, i) == (i < first + 10));
    assert_true(tfx_metric_sum(f, NULL, "ConsumedWriteCapacityUnits", NULL) == consumed + 10);
    tfx_free(f);
}

/* --- bth02: GSI back-pressure --------------------------------------------------- */

/* bth02-1: with the index at 1 WCU, the second element that writes an
 * index entry is left unprocessed while elements that do not touch the
 * index go on; the throttle event counts on the index; a batch of only
 * such elements fails with the index's message and reason. */
static void
bth02_1_gsi_back_pressure(void **state)
{
    (void)state;
    struct tfx *f = bfx_new(0, NULL, 0);
    tfx_create_table(f, 1000, 100, 1);
    json_t *r =
        req(f, "BatchWriteItem",
            parse("{\"RequestItems\":{\"Thr\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"a\"},"
                  "\"gk\":{\"S\":\"g1\"}}}},{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"b\"},\"gk\":"
                  "{\"S\":\"g2\"}}}},{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"c\"}}}}]},"
                  "\"ReturnConsumedCapacity\":\"INDEXES\"}"),
            KV_OK);
    /* a: one unit on the table and one on the index; c: one on the table */
    assert_json(r, "{\"UnprocessedItems\":{\"Thr\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":"
                   "\"b\"},\"gk\":{\"S\":\"g2\"}}}}]},\"ConsumedCapacity\":[{\"TableName\":"
                   "\"Thr\",\"CapacityUnits\":3.0,\"Table\":{\"CapacityUnits\":2.0},"
                   "\"GlobalSecondaryIndexes\":{\"gsi\":{\"CapacityUnits\":1.0}}}]}");
    json_decref(r);
    r = req(f, "Scan", parse("{\"TableName\":\"Thr\",\"IndexName\":\"gsi\"}"), KV_OK);
    assert_json(r, "{\"Items\":[{\"pk\":{\"S\":\"a\"},\"gk\":{\"S\":\"g1\"}}],\"Count\":1,"
                   "\"ScannedCount\":1}");
    json_decref(r);
    assert_true(tfx_metric_sum(f, "gsi", "WriteThrottleEvents", NULL) == 1.0);
    assert_true(tfx_metric_sum(f, NULL, "WriteThrottleEvents", NULL) == 0.0);
    r = req(f, "BatchWriteItem",
            parse("{\"RequestItems\":{\"Thr\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"b\"},"
                  "\"gk\":{\"S\":\"g2\"}}}}]}}"),
            KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_string_equal(kv_errmsg(f->db), msg_index);
    tfx_assert_reasons(f, "IndexWriteProvisionedThroughputExceeded " ARN "Thr/index/gsi");
    json_decref(r);
    assert_true(tfx_metric_sum(f, "gsi", "WriteThrottleEvents", NULL) == 2.0);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "BatchWriteItem") == 1.0);
    /* the table's bucket was not charged for refused elements */
    assert_true(tfx_metric_sum(f, NULL, "ConsumedWriteCapacityUnits", NULL) == 2.0);
    tfx_free(f);
}

/* --- bth03: BatchGetItem ---------------------------------------------------------- */

/* bth03-1: a 5 RCU table serves five strongly consistent 1 KB reads of
 * eight; the rest come back in UnprocessedKeys in request order; then
 * eventually consistent reads cost half; then a batch refused whole. */
static void
bth03_1_reads(void **state)
{
    (void)state;
    struct tfx *f = bfx_new(0, NULL, 0);
    tfx_create_table(f, 5, 100, 0);
    json_decref(req(f, "BatchWriteItem", batch_write(put_requests(0, 10)), KV_OK));
    json_t *keys = json_array();
    for (int i = 0; i < 8; i++)
        json_array_append_new(keys, key_of(i));
    json_t *r = req(f, "BatchGetItem",
                    json_pack("{s:{s:{s:O,s:b}},s:s}", "RequestItems", "Thr", "Keys", keys,
                              "ConsistentRead", 1, "ReturnConsumedCapacity", "TOTAL"),
                    KV_OK);
    json_t *got = json_object_get(json_object_get(r, "Responses"), "Thr");
    assert_int_equal(json_array_size(got), 5);
    for (int i = 0; i < 5; i++) {
        json_t *want = item1k(i);
        assert_true(json_equal(json_array_get(got, (size_t)i), want));
        json_decref(want);
    }
    json_t *left = json_pack("{s:{s:[o,o,o],s:b}}", "Thr", "Keys", key_of(5), key_of(6), key_of(7),
                             "ConsistentRead", 1);
    assert_true(json_equal(json_object_get(r, "UnprocessedKeys"), left));
    json_decref(left);
    assert_true(capacity_units(r) == 5.0);
    json_decref(r);
    assert_true(tfx_metric_sum(f, NULL, "ReadThrottleEvents", NULL) == 3.0);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "BatchGetItem") == 0.0);
    /* a second later: eight eventually consistent reads of 0.5, and a key
     * with no item at the minimum, 0.5: 4.5 of the 5 units */
    f->now += 1000;
    json_array_append_new(keys, key_of(99));
    r = req(f, "BatchGetItem",
            json_pack("{s:{s:{s:O}},s:s}", "RequestItems", "Thr", "Keys", keys,
                      "ReturnConsumedCapacity", "TOTAL"),
            KV_OK);
    assert_int_equal(json_array_size(json_object_get(json_object_get(r, "Responses"), "Thr")), 8);
    assert_int_equal(json_object_size(json_object_get(r, "UnprocessedKeys")), 0);
    assert_true(capacity_units(r) == 4.5);
    json_decref(r);
    /* half a unit left: a strongly consistent batch is refused whole */
    r = req(
        f, "BatchGetItem",
        json_pack("{s:{s:{s:O,s:b}}}", "RequestItems", "Thr", "Keys", keys, "ConsistentRead", 1),
        KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_string_equal(json_string_value(json_object_get(r, "message")), msg_table);
    tfx_assert_reasons(f, "TableReadProvisionedThroughputExceeded " ARN "Thr");
    json_decref(r);
    json_decref(keys);
    assert_true(tfx_metric_sum(f, NULL, "ReadThrottleEvents", NULL) == 12.0);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "BatchGetItem") == 1.0);
    assert_true(tfx_metric_sum(f, NULL, "ConsumedReadCapacityUnits", NULL) == 9.5);
    tfx_free(f);
}

/* bth03-2: each item is rounded up to 4 KB on its own: two 5 KB items read
 * strongly cost 2 + 2, not ceil(10 KB / 4 KB) = 3; a 9 x 4 KB item is
 * admitted on its least cost and charged in full, leaving debt. */
static void
bth03_2_per_item_rounding(void **state)
{
    (void)state;
    struct tfx *f = bfx_new(0, NULL, 0);
    tfx_create_table(f, 4, 1000, 0);
    static char d[36860];
    memset(d, 'x', sizeof d - 1);
    /* 2+1 + 1+5117 = 5121 B; 2+2 + 1+36859 = 36864 B, 9 x 4 KB */
    d[5117] = '\0';
    json_t *puts =
        json_pack("[{s:{s:{s:{s:s},s:{s:s}}}},{s:{s:{s:{s:s},s:{s:s}}}}]", "PutRequest", "Item",
                  "pk", "S", "a", "d", "S", d, "PutRequest", "Item", "pk", "S", "b", "d", "S", d);
    d[5117] = 'x';
    json_array_append_new(puts, json_pack("{s:{s:{s:{s:s},s:{s:s}}}}", "PutRequest", "Item", "pk",
                                          "S", "bb", "d", "S", d));
    json_decref(
        req(f, "BatchWriteItem", json_pack("{s:{s:o}}", "RequestItems", "Thr", puts), KV_OK));
    json_t *r = req(f, "BatchGetItem",
                    parse("{\"RequestItems\":{\"Thr\":{\"Keys\":[{\"pk\":{\"S\":\"a\"}},{\"pk\":"
                          "{\"S\":\"b\"}}],\"ConsistentRead\":true,\"ProjectionExpression\":"
                          "\"pk\"}},\"ReturnConsumedCapacity\":\"TOTAL\"}"),
                    KV_OK);
    assert_true(capacity_units(r) == 4.0);
    json_decref(r);
    f->now += 1000;
    r = req(f, "BatchGetItem",
            parse("{\"RequestItems\":{\"Thr\":{\"Keys\":[{\"pk\":{\"S\":\"bb\"}}],"
                  "\"ConsistentRead\":true,\"ProjectionExpression\":\"pk\"}},"
                  "\"ReturnConsumedCapacity\":\"TOTAL\"}"),
            KV_OK);
    assert_true(capacity_units(r) == 9.0);
    json_decref(r);
    /* 5 units in debt: 4 RCU repay them in 1.25 s, and a read needs one more */
    f->now += 1499;
    json_decref(req(f, "BatchGetItem",
                    parse("{\"RequestItems\":{\"Thr\":{\"Keys\":[{\"pk\":{\"S\":\"a\"}}],"
                          "\"ConsistentRead\":true}}}"),
                    KV_PROVISIONED_THROUGHPUT_EXCEEDED));
    f->now += 1;
    json_decref(req(f, "BatchGetItem",
                    parse("{\"RequestItems\":{\"Thr\":{\"Keys\":[{\"pk\":{\"S\":\"x\"}}],"
                          "\"ConsistentRead\":true}}}"),
                    KV_OK));
    assert_true(tfx_metric_sum(f, NULL, "ConsumedReadCapacityUnits", NULL) == 14.0);
    tfx_free(f);
}

/* --- bth04: transactions ------------------------------------------------------------ */

static json_t *
transact_puts(int first, int n)
{
    json_t *a = json_array();
    for (int i = first; i < first + n; i++)
        json_array_append_new(
            a, json_pack("{s:{s:s,s:o}}", "Put", "TableName", "Thr", "Item", item1k(i)));
    return json_pack("{s:o,s:s}", "TransactItems", a, "ReturnConsumedCapacity", "TOTAL");
}

/* bth04-1: a transaction spends two units per 1 KB item and is admitted as
 * a whole: six puts (12 units) on a 10 WCU table are cancelled with
 * ProvisionedThroughputExceeded on the action that did not fit and None
 * on the others; nothing is written or charged; five puts then pass. */
static void
bth04_1_transact_write(void **state)
{
    (void)state;
    struct tfx *f = bfx_new(0, NULL, 0);
    tfx_create_table(f, 1000, 10, 0);
    json_t *r = req(f, "TransactWriteItems", transact_puts(0, 6), KV_TRANSACTION_CANCELED);
    char want[2048];
    snprintf(want, sizeof want,
             "{\"__type\":\"" NS "TransactionCanceledException\",\"Message\":\"" CANCELLED
             "[None, None, None, None, None, ProvisionedThroughputExceeded]\","
             "\"CancellationReasons\":[{\"Code\":\"None\"},{\"Code\":\"None\"},{\"Code\":"
             "\"None\"},{\"Code\":\"None\"},{\"Code\":\"None\"},{\"Code\":"
             "\"ProvisionedThroughputExceeded\",\"Message\":\"%s\"}]}",
             msg_table);
    assert_json(r, want);
    json_decref(r);
    assert_string_equal(kv_errmsg(f->db),
                        CANCELLED "[None, None, None, None, None, ProvisionedThroughputExceeded]");
    assert_int_equal(kv_error_reason_count(f->db), 6);
    assert_string_equal(kv_error_reason_code(f->db, 5), "ProvisionedThroughputExceeded");
    assert_string_equal(kv_error_reason_message(f->db, 5), msg_table);
    for (int i = 0; i < 6; i++)
        assert_false(stored(f, i));
    assert_true(tfx_metric_sum(f, NULL, "ConsumedWriteCapacityUnits", NULL) == 0.0);
    assert_true(tfx_metric_sum(f, NULL, "WriteThrottleEvents", NULL) == 1.0);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "TransactWriteItems") == 1.0);
    r = req(f, "TransactWriteItems", transact_puts(0, 5), KV_OK);
    assert_true(capacity_units(r) == 10.0);
    json_decref(r);
    for (int i = 0; i < 6; i++)
        assert_true(stored(f, i) == (i < 5));
    assert_true(tfx_metric_sum(f, NULL, "ConsumedWriteCapacityUnits", NULL) == 10.0);
    /* the bucket is empty: a ConditionCheck alone (two units) is refused */
    r = req(
        f, "TransactWriteItems",
        parse("{\"TransactItems\":[{\"ConditionCheck\":{\"TableName\":\"Thr\",\"Key\":{"
              "\"pk\":{\"S\":\"k00000\"}},\"ConditionExpression\":\"attribute_exists(pk)\"}}]}"),
        KV_TRANSACTION_CANCELED);
    assert_string_equal(kv_errmsg(f->db), CANCELLED "[ProvisionedThroughputExceeded]");
    json_decref(r);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "TransactWriteItems") == 2.0);
    tfx_free(f);
}

/* bth04-2: an index short of capacity cancels the transaction with the
 * index's message; the table is untouched. */
static void
bth04_2_transact_gsi(void **state)
{
    (void)state;
    struct tfx *f = bfx_new(0, NULL, 0);
    tfx_create_table(f, 1000, 100, 1);
    json_t *r = req(f, "TransactWriteItems",
                    parse("{\"TransactItems\":[{\"Put\":{\"TableName\":\"Thr\",\"Item\":{\"pk\":{"
                          "\"S\":\"a\"},\"gk\":{\"S\":\"g\"}}}},{\"Put\":{\"TableName\":\"Thr\","
                          "\"Item\":{\"pk\":{\"S\":\"b\"}}}},{\"Put\":{\"TableName\":\"Thr\","
                          "\"Item\":{\"pk\":{\"S\":\"c\"},\"gk\":{\"S\":\"g\"}}}}]}"),
                    KV_TRANSACTION_CANCELED);
    char want[2048];
    snprintf(want, sizeof want,
             "{\"__type\":\"" NS "TransactionCanceledException\",\"Message\":\"" CANCELLED
             "[None, None, ProvisionedThroughputExceeded]\",\"CancellationReasons\":[{\"Code\":"
             "\"None\"},{\"Code\":\"None\"},{\"Code\":\"ProvisionedThroughputExceeded\","
             "\"Message\":\"%s\"}]}",
             msg_index);
    assert_json(r, want);
    json_decref(r);
    r = req(f, "Scan", parse("{\"TableName\":\"Thr\"}"), KV_OK);
    assert_json(r, "{\"Items\":[],\"Count\":0,\"ScannedCount\":0}");
    json_decref(r);
    assert_true(tfx_metric_sum(f, "gsi", "WriteThrottleEvents", NULL) == 1.0);
    assert_true(tfx_metric_sum(f, NULL, "WriteThrottleEvents", NULL) == 0.0);
    assert_true(tfx_metric_sum(f, "gsi", "ConsumedWriteCapacityUnits", NULL) == 0.0);
    tfx_free(f);
}

/* bth04-3: a hot partition cancels with ThrottlingError and the scaling
 * message: 997 of a partition's 1,000 units spent by single writes, a
 * transaction of two 1 KB puts to the same partition key (4 units) does
 * not fit. */
static void
bth04_3_transact_key_range(void **state)
{
    (void)state;
    struct tfx *f = bfx_new(0, NULL, 0);
    ok(f, "CreateTable",
       "{\"TableName\":\"Thr\",\"AttributeDefinitions\":[{\"AttributeName\":"
       "\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\","
       "\"AttributeType\":\"N\"}],\"KeySchema\":[{\"AttributeName\":\"pk\","
       "\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":"
       "\"RANGE\"}],\"ProvisionedThroughput\":{\"ReadCapacityUnits\":10,"
       "\"WriteCapacityUnits\":3000}}");
    kv_item *it = kv_item_new();
    kv_item_put_s(it, "pk", "hot");
    for (int i = 0; i < 997; i++) {
        char n[16];
        snprintf(n, sizeof n, "%d", i);
        kv_item_put_n(it, "sk", n);
        assert_int_equal(kv_put_item(f->db, "Thr", it, NULL, NULL), KV_OK);
    }
    kv_item_free(it);
    json_t *r = req(f, "TransactWriteItems",
                    parse("{\"TransactItems\":[{\"Put\":{\"TableName\":\"Thr\",\"Item\":{\"pk\":{"
                          "\"S\":\"hot\"},\"sk\":{\"N\":\"-1\"}}}},{\"Put\":{\"TableName\":"
                          "\"Thr\",\"Item\":{\"pk\":{\"S\":\"hot\"},\"sk\":{\"N\":\"-2\"}}}}]}"),
                    KV_TRANSACTION_CANCELED);
    char want[2048];
    snprintf(want, sizeof want,
             "{\"__type\":\"" NS "TransactionCanceledException\",\"Message\":\"" CANCELLED
             "[None, ThrottlingError]\",\"CancellationReasons\":[{\"Code\":\"None\"},{\"Code\":"
             "\"ThrottlingError\",\"Message\":\"%s\"}]}",
             msg_scaling);
    assert_json(r, want);
    json_decref(r);
    assert_true(tfx_metric_sum(f, NULL, "WriteKeyRangeThroughputThrottleEvents", NULL) == 1.0);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "TransactWriteItems") == 1.0);
    tfx_free(f);
}

/* bth04-4: TransactGetItems is admitted whole at two units a Get before
 * reading: three Gets on a 4 RCU table are cancelled, none read; two
 * pass, charged 2 x 2. */
static void
bth04_4_transact_get(void **state)
{
    (void)state;
    struct tfx *f = bfx_new(0, NULL, 0);
    tfx_create_table(f, 4, 100, 0);
    json_decref(req(f, "BatchWriteItem", batch_write(put_requests(0, 3)), KV_OK));
    const char *three =
        "{\"TransactItems\":[{\"Get\":{\"TableName\":\"Thr\",\"Key\":{\"pk\":{\"S\":\"k00000\"}}}},"
        "{\"Get\":{\"TableName\":\"Thr\",\"Key\":{\"pk\":{\"S\":\"k00001\"}}}},{\"Get\":{"
        "\"TableName\":\"Thr\",\"Key\":{\"pk\":{\"S\":\"k00002\"}}}}],"
        "\"ReturnConsumedCapacity\":\"TOTAL\"}";
    json_t *r = req(f, "TransactGetItems", parse(three), KV_TRANSACTION_CANCELED);
    char want[2048];
    snprintf(want, sizeof want,
             "{\"__type\":\"" NS "TransactionCanceledException\",\"Message\":\"" CANCELLED
             "[None, None, ProvisionedThroughputExceeded]\",\"CancellationReasons\":[{\"Code\":"
             "\"None\"},{\"Code\":\"None\"},{\"Code\":\"ProvisionedThroughputExceeded\","
             "\"Message\":\"%s\"}]}",
             msg_table);
    assert_json(r, want);
    json_decref(r);
    assert_true(tfx_metric_sum(f, NULL, "ConsumedReadCapacityUnits", NULL) == 0.0);
    assert_true(tfx_metric_sum(f, NULL, "ReadThrottleEvents", NULL) == 1.0);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "TransactGetItems") == 1.0);
    r = req(f, "TransactGetItems",
            parse("{\"TransactItems\":[{\"Get\":{\"TableName\":\"Thr\",\"Key\":{\"pk\":{\"S\":"
                  "\"k00000\"}}}},{\"Get\":{\"TableName\":\"Thr\",\"Key\":{\"pk\":{\"S\":"
                  "\"k00001\"}}}}],\"ReturnConsumedCapacity\":\"TOTAL\"}"),
            KV_OK);
    assert_true(capacity_units(r) == 4.0);
    json_decref(r);
    assert_true(tfx_metric_sum(f, NULL, "ConsumedReadCapacityUnits", NULL) == 4.0);
    tfx_free(f);
}

/* --- bth05: the typed face resends unprocessed elements --------------------------- */

static kv_item *
typed_item1k(int i)
{
    static char d[1016];
    memset(d, 'x', 1015);
    kv_item *it = kv_item_new();
    kv_item_put_s(it, "pk", key_name(i));
    kv_item_put_s(it, "d", d);
    return it;
}

/* Write items 0..24 with kv_batch_write; returns the status and result. */
static kv_status
typed_write25(struct tfx *f, kv_batch_write_result **res)
{
    kv_item *items[25];
    kv_write_request w[25];
    for (int i = 0; i < 25; i++) {
        items[i] = typed_item1k(i);
        w[i] = (kv_write_request){KV_WRITE_PUT, items[i]};
    }
    kv_batch_write_table t = {.table = "Thr", .requests = w, .n_requests = 25};
    kv_status st = kv_batch_write(f->db, &t, 1, res);
    for (int i = 0; i < 25; i++)
        kv_item_free(items[i]);
    return st;
}

/* bth05-1: with a retry policy, kv_batch_write sends what is left again
 * after each back-off (the injected jitter draws each ceiling: 50, 100,
 * 200, 400, 800 ms): 10 at once, none at +50 ms (a whole-batch throttle,
 * retried like one), then 1, 2, 4 and the last 8 at +1,550 ms; the
 * result has nothing unprocessed and all 25 units; every item is there.
 * Elements refused on the way: 15 + 15 + 14 + 12 + 8. */
static void
bth05_1_typed_write_converges(void **state)
{
    (void)state;
    const uint64_t draws[] = {50, 100, 200, 400, 800};
    struct tfx *f = bfx_new(10, draws, 5);
    tfx_create_table(f, 100, 10, 0);
    kv_batch_write_result *res = NULL;
    assert_int_equal(typed_write25(f, &res), KV_OK);
    assert_int_equal(f->now, T0 + 1550);
    assert_int_equal(f->n_jitter, 5);
    assert_int_equal(res->n_tables, 1);
    assert_string_equal(res->tables[0].table, "Thr");
    assert_int_equal(res->tables[0].n_unprocessed, 0);
    assert_true(res->tables[0].capacity_units == 25.0);
    kv_batch_write_result_free(res);
    for (int i = 0; i < 25; i++)
        assert_true(stored(f, i));
    assert_true(tfx_metric_sum(f, NULL, "WriteThrottleEvents", NULL) == 64.0);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "BatchWriteItem") == 1.0);
    assert_true(tfx_metric_sum(f, NULL, "ConsumedWriteCapacityUnits", NULL) == 25.0);
    tfx_free(f);
}

/* bth05-2: when the attempts run out the call still succeeds, with what
 * is left as unprocessed indexes into the caller's request, in order;
 * without a policy nothing is resent. */
static void
bth05_2_typed_write_runs_out(void **state)
{
    (void)state;
    const uint64_t draws[] = {7};
    struct tfx *f = bfx_new(2, draws, 1);
    tfx_create_table(f, 100, 10, 0);
    kv_batch_write_result *res = NULL;
    assert_int_equal(typed_write25(f, &res), KV_OK);
    assert_int_equal(f->now, T0 + 7);
    assert_int_equal(res->tables[0].n_unprocessed, 15);
    for (size_t k = 0; k < 15; k++)
        assert_int_equal(res->tables[0].unprocessed[k], 10 + k);
    assert_true(res->tables[0].capacity_units == 10.0);
    kv_batch_write_result_free(res);
    tfx_free(f);

    f = bfx_new(0, NULL, 0);
    tfx_create_table(f, 100, 10, 0);
    assert_int_equal(typed_write25(f, &res), KV_OK);
    assert_int_equal(f->now, T0);
    assert_int_equal(res->tables[0].n_unprocessed, 15);
    assert_int_equal(res->tables[0].unprocessed[0], 10);
    kv_batch_write_result_free(res);
    assert_int_equal(typed_write25(f, &res), KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_null(res);
    assert_string_equal(kv_errmsg(f->db), msg_table);
    tfx_free(f);
}

/* bth05-3: kv_batch_get resends unprocessed keys the same way and returns
 * every item, in key order: on a 5 RCU table 5 at once, none at +50 and
 * +150 ms, then 1, 2 and the last 2 at +1,550 ms: 5 + 5 + 5 + 4 + 2 keys
 * refused on the way, two of the attempts refused whole. */
static void
bth05_3_typed_get_converges(void **state)
{
    (void)state;
    const uint64_t draws[] = {50, 100, 200, 400, 800};
    struct tfx *f = bfx_new(10, draws, 5);
    tfx_create_table(f, 5, 100, 0);
    json_decref(req(f, "BatchWriteItem", batch_write(put_requests(0, 10)), KV_OK));
    kv_item *keys[10];
    for (int i = 0; i < 10; i++) {
        keys[i] = kv_item_new();
        /* in reverse, so key order is not storage order */
        kv_item_put_s(keys[i], "pk", key_name(9 - i));
    }
    kv_batch_get_table t = {
        .table = "Thr", .keys = (const kv_item *const *)keys, .n_keys = 10, .consistent_read = 1};
    kv_batch_get_result *res = NULL;
    assert_int_equal(kv_batch_get(f->db, &t, 1, &res), KV_OK);
    assert_int_equal(f->now, T0 + 1550);
    assert_int_equal(f->n_jitter, 5);
    assert_int_equal(res->tables[0].n_items, 10);
    assert_int_equal(res->tables[0].n_unprocessed, 0);
    assert_true(res->tables[0].capacity_units == 10.0);
    for (int i = 0; i < 10; i++) {
        size_t len;
        const char *pk = kv_value_bytes(kv_item_get(res->tables[0].items[i], "pk"), &len);
        assert_string_equal(pk, key_name(9 - i));
        assert_int_equal(kv_value_bytes(kv_item_get(res->tables[0].items[i], "d"), &len)[0], 'x');
        assert_int_equal(len, 1015);
    }
    kv_batch_get_result_free(res);
    for (int i = 0; i < 10; i++)
        kv_item_free(keys[i]);
    assert_true(tfx_metric_sum(f, NULL, "ReadThrottleEvents", NULL) == 21.0);
    assert_true(tfx_metric_sum(f, NULL, "ThrottledRequests", "BatchGetItem") == 2.0);
    assert_true(tfx_metric_sum(f, NULL, "ConsumedReadCapacityUnits", NULL) == 10.0);
    tfx_free(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bth01_1_partial),
        cmocka_unit_test(bth01_2_all_throttled),
        cmocka_unit_test(bth01_3_deletes_and_tables),
        cmocka_unit_test(bth01_4_out_of_memory),
        cmocka_unit_test(bth02_1_gsi_back_pressure),
        cmocka_unit_test(bth03_1_reads),
        cmocka_unit_test(bth03_2_per_item_rounding),
        cmocka_unit_test(bth04_1_transact_write),
        cmocka_unit_test(bth04_2_transact_gsi),
        cmocka_unit_test(bth04_3_transact_key_range),
        cmocka_unit_test(bth04_4_transact_get),
        cmocka_unit_test(bth05_1_typed_write_converges),
        cmocka_unit_test(bth05_2_typed_write_runs_out),
        cmocka_unit_test(bth05_3_typed_get_converges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
