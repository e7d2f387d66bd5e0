/*
 * test_collection.c -- item collections of tables with local secondary
 * indexes: the size limit (small here, through kv_options), writes that
 * shrink a full collection still allowed, other collections unaffected,
 * ReturnItemCollectionMetrics, and the counters after deletes and reopen.
 */
#include "fixture.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIMIT 4000

static void
reopen_limited(struct fx *f)
{
    kv_db_close(f->db);
    kv_options opt;
    kv_options_default(&opt);
    opt.no_sync = 1;
    opt.item_collection_limit = LIMIT;
    assert_int_equal(kv_db_open(f->dir, &opt, &f->db), KV_OK);
}

static void
create(struct fx *f)
{
    fx_ok(f, "CreateTable",
          "{\"TableName\":\"Coll\",\"AttributeDefinitions\":["
          "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},"
          "{\"AttributeName\":\"l\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
          "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
          "\"BillingMode\":\"PAY_PER_REQUEST\","
          "\"LocalSecondaryIndexes\":[{\"IndexName\":\"byL\",\"KeySchema\":[{\"AttributeName\":"
          "\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],"
          "\"Projection\":{\"ProjectionType\":\"ALL\"}}]}");
}

/* An item of about 1 KB in collection `pk`, with an LSI entry of the same
 * size: about 2 KB of collection. */
static const char *
big_item(char *buf, size_t cap, const char *pk, int sk, bool icm)
{
    char pad[1001];
    memset(pad, 'x', 1000);
    pad[1000] = '\0';
    snprintf(buf, cap,
             "{\"TableName\":\"Coll\",%s\"Item\":{\"pk\":{\"S\":\"%s\"},\"sk\":{\"N\":\"%d\"},"
             "\"l\":{\"S\":\"l%d\"},\"filler\":{\"S\":\"%s\"}}}",
             icm ? "\"ReturnItemCollectionMetrics\":\"SIZE\"," : "", pk, sk, sk, pad);
    return buf;
}

static void
collection01_limit(void **state)
{
    struct fx *f = *state;
    reopen_limited(f);
    create(f);
    char body[2048];
    fx_ok(f, "PutItem", big_item(body, sizeof body, "a", 1, false));
    /* Two items of about 2 KB each exceed 4000 bytes. */
    fx_expect_error(f, "PutItem", big_item(body, sizeof body, "a", 2, false),
                    KV_ITEM_COLLECTION_SIZE_LIMIT_EXCEEDED, "Collection size exceeded.");
    /* Nothing of the refused write is there. */
    char *r = fx_request(f, "GetItem",
                         "{\"TableName\":\"Coll\",\"Key\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":"
                         "\"2\"}}}",
                         KV_OK);
    fx_assert_json(r, "{}");
    kv_free(r);
    /* Another collection has its own room. */
    fx_ok(f, "PutItem", big_item(body, sizeof body, "b", 1, false));
    /* A write that shrinks the full collection is allowed. */
    fx_ok(f, "UpdateItem",
          "{\"TableName\":\"Coll\",\"Key\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}},"
          "\"UpdateExpression\":\"REMOVE filler\"}");
    fx_ok(f, "PutItem", big_item(body, sizeof body, "a", 2, false));
    fx_ok(f, "DeleteItem",
          "{\"TableName\":\"Coll\",\"Key\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"2\"}}}");
    fx_ok(f, "DeleteItem",
          "{\"TableName\":\"Coll\",\"Key\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}}");
    reopen_limited(f);
    assert_int_equal(kv_db_check(f->db, NULL, NULL, NULL, NULL), KV_OK);
    fx_ok(f, "PutItem", big_item(body, sizeof body, "a", 3, false));
    assert_int_equal(kv_db_check(f->db, NULL, NULL, NULL, NULL), KV_OK);
}

static void
collection02_metrics(void **state)
{
    struct fx *f = *state;
    create(f);
    char body[2048];
    char *r = fx_request(f, "PutItem", big_item(body, sizeof body, "a", 1, true), KV_OK);
    fx_assert_json(r, "{\"ItemCollectionMetrics\":{\"ItemCollectionKey\":{\"pk\":{\"S\":\"a\"}},"
                      "\"SizeEstimateRangeGB\":[0.0,1.0]}}");
    kv_free(r);
    r = fx_request(f, "DeleteItem",
                   "{\"TableName\":\"Coll\",\"ReturnItemCollectionMetrics\":\"SIZE\",\"Key\":{"
                   "\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}}",
                   KV_OK);
    fx_assert_json(r, "{\"ItemCollectionMetrics\":{\"ItemCollectionKey\":{\"pk\":{\"S\":\"a\"}},"
                      "\"SizeEstimateRangeGB\":[0.0,1.0]}}");
    kv_free(r);
    /* Without SIZE, or on a table without local indexes, there are none. */
    r = fx_request(f, "PutItem", big_item(body, sizeof body, "a", 1, false), KV_OK);
    fx_assert_json(r, "{}");
    kv_free(r);
    fx_create_music(f);
    r = fx_request(f, "PutItem",
                   "{\"TableName\":\"Music\",\"ReturnItemCollectionMetrics\":\"SIZE\",\"Item\":{"
                   "\"Artist\":{\"S\":\"a\"},\"SongTitle\":{\"S\":\"b\"}}}",
                   KV_OK);
    fx_assert_json(r, "{}");
    kv_free(r);
}

static void
collection03_batch_metrics(void **state)
{
    struct fx *f = *state;
    create(f);
    fx_create_music(f);
    char *r =
        fx_request(f, "BatchWriteItem",
                   "{\"ReturnItemCollectionMetrics\":\"SIZE\",\"RequestItems\":{\"Coll\":["
                   "{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}}},"
                   "{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"2\"}}}},"
                   "{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"b\"},\"sk\":{\"N\":\"1\"}}}}],"
                   "\"Music\":[{\"PutRequest\":{\"Item\":{\"Artist\":{\"S\":\"x\"},\"SongTitle\":"
                   "{\"S\":\"y\"}}}}]}}",
                   KV_OK);
    fx_assert_json(r, "{\"UnprocessedItems\":{},\"ItemCollectionMetrics\":{\"Coll\":["
                      "{\"ItemCollectionKey\":{\"pk\":{\"S\":\"a\"}},"
                      "\"SizeEstimateRangeGB\":[0.0,1.0]},"
                      "{\"ItemCollectionKey\":{\"pk\":{\"S\":\"b\"}},"
                      "\"SizeEstimateRangeGB\":[0.0,1.0]}]}}");
    kv_free(r);
    assert_int_equal(kv_db_check(f->db, NULL, NULL, NULL, NULL), KV_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(collection01_limit, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(collection02_metrics, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(collection03_batch_metrics, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
