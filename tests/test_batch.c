/*
 * test_batch.c -- BatchGetItem and BatchWriteItem through both faces:
 * responses and capacity exactly, DynamoDB's exceptions and messages for
 * every limit, duplicate and schema problem, nothing written by a rejected
 * request, and the 16 MB limit of BatchGetItem.
 */
#include "fixture.h"

#include "mem.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAP_25_CONSTRAINT                                                                          \
    "' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: "        \
    "[Member must have length less than or equal to 25, Member must have length greater "          \
    "than or equal to 1]"

static void
create_hash(struct fx *f, const char *name)
{
    char req[512];
    snprintf(req, sizeof req,
             "{\"TableName\":\"%s\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\","
             "\"AttributeType\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":"
             "\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}",
             name);
    fx_ok(f, "CreateTable", req);
}

static void
put_hash(struct fx *f, const char *table, const char *pk, const char *rest)
{
    char req[1024];
    snprintf(req, sizeof req, "{\"TableName\":\"%s\",\"Item\":{\"pk\":{\"S\":\"%s\"}%s%s}}", table,
             pk, rest ? "," : "", rest ? rest : "");
    fx_ok(f, "PutItem", req);
}

/* GetItem of pk in a hash table, compared with the whole response. */
static void
get_hash(struct fx *f, const char *table, const char *pk, const char *want)
{
    char req[256];
    snprintf(req, sizeof req, "{\"TableName\":\"%s\",\"Key\":{\"pk\":{\"S\":\"%s\"}}}", table, pk);
    char *r = fx_request(f, "GetItem", req, KV_OK);
    fx_assert_json(r, want);
    kv_free(r);
}

/* The table's ItemCount, from DescribeTable: "nothing written" at a glance. */
static long long
item_count(struct fx *f, const char *table)
{
    char req[128];
    snprintf(req, sizeof req, "{\"TableName\":\"%s\"}", table);
    char *r = fx_request(f, "DescribeTable", req, KV_OK);
    json_t *j = json_loads(r, 0, NULL);
    kv_free(r);
    assert_non_null(j);
    long long n = json_integer_value(json_object_get(json_object_get(j, "Table"), "ItemCount"));
    json_decref(j);
    return n;
}

/* A JSON list of n PutRequests for keys <prefix>0 .. <prefix>n-1. */
static char *
put_requests(const char *prefix, int n)
{
    size_t cap = 64 + (size_t)n * 96;
    char *s = malloc(cap);
    size_t len = (size_t)snprintf(s, cap, "[");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len,
                                "%s{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":"
                                "\"%s%d\"}}}}",
                                i ? "," : "", prefix, i);
    snprintf(s + len, cap - len, "]");
    return s;
}

/* --- BatchGetItem --------------------------------------------------------------------- */

/* Append n keys {"pk":{"S":"k<i>"}} to a JSON list being written at req + *len. */
static void
append_keys(char *req, size_t cap, size_t *len, int n)
{
    for (int i = 0; i < n; i++)
        *len +=
            (size_t)snprintf(req + *len, cap - *len, "%s{\"pk\":{\"S\":\"k%d\"}}", i ? "," : "", i);
}

static void
batch01_get_items_and_capacity(void **state)
{
    struct fx *f = *state;
    create_hash(f, "Hash");
    fx_create_music(f);
    put_hash(f, "Hash", "a", "\"n\":{\"N\":\"1\"}");
    put_hash(f, "Hash", "b", "\"n\":{\"N\":\"2\"}");
    fx_ok(f, "PutItem",
          "{\"TableName\":\"Music\",\"Item\":{\"Artist\":{\"S\":\"Acme\"},\"SongTitle\":{\"S\":"
          "\"Hi\"}}}");
    char *r = fx_request(
        f, "BatchGetItem",
        "{\"RequestItems\":{\"Hash\":{\"Keys\":[{\"pk\":{\"S\":\"b\"}},{\"pk\":{\"S\":\"none\"}},"
        "{\"pk\":{\"S\":\"a\"}}]},\"Music\":{\"Keys\":[{\"Artist\":{\"S\":\"Acme\"},\"SongTitle\":"
        "{\"S\":\"Hi\"}},{\"SongTitle\":{\"S\":\"No\"},\"Artist\":{\"S\":\"Acme\"}}],"
        "\"ConsistentRead\":true}},\"ReturnConsumedCapacity\":\"TOTAL\"}",
        KV_OK);
    /* Absent keys are left out but charged the minimum: 3 x 0.5 and 2 x 1. */
    fx_assert_json(r, "{\"Responses\":{\"Hash\":[{\"pk\":{\"S\":\"b\"},\"n\":{\"N\":\"2\"}},"
                      "{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"1\"}}],\"Music\":[{\"Artist\":{\"S\":"
                      "\"Acme\"},\"SongTitle\":{\"S\":\"Hi\"}}]},\"UnprocessedKeys\":{},"
                      "\"ConsumedCapacity\":[{\"TableName\":\"Hash\",\"CapacityUnits\":1.5},"
                      "{\"TableName\":\"Music\",\"CapacityUnits\":2.0}]}");
    kv_free(r);
    /* Nothing found: the table's list is there, empty. */
    r = fx_request(f, "BatchGetItem",
                   "{\"RequestItems\":{\"Hash\":{\"Keys\":[{\"pk\":{\"S\":\"x\"}}]}}}", KV_OK);
    fx_assert_json(r, "{\"Responses\":{\"Hash\":[]},\"UnprocessedKeys\":{}}");
    kv_free(r);
}

static void
batch02_get_projection(void **state)
{
    struct fx *f = *state;
    create_hash(f, "Hash");
    put_hash(f, "Hash", "p", "\"a\":{\"S\":\"alpha\"},\"b\":{\"S\":\"beta\"},\"c\":{\"N\":\"9\"}");
    char *r = fx_request(f, "BatchGetItem",
                         "{\"RequestItems\":{\"Hash\":{\"Keys\":[{\"pk\":{\"S\":\"p\"}}],"
                         "\"ProjectionExpression\":\"a, #c\",\"ExpressionAttributeNames\":{"
                         "\"#c\":\"c\"}}},\"ReturnConsumedCapacity\":\"INDEXES\"}",
                         KV_OK);
    /* The key is not added to the projection; INDEXES shows the table's share. */
    fx_assert_json(r, "{\"Responses\":{\"Hash\":[{\"a\":{\"S\":\"alpha\"},\"c\":{\"N\":\"9\"}}]},"
                      "\"UnprocessedKeys\":{},\"ConsumedCapacity\":[{\"TableName\":\"Hash\","
                      "\"CapacityUnits\":0.5,\"Table\":{\"CapacityUnits\":0.5}}]}");
    kv_free(r);
    /* A projection that keeps nothing of a present item leaves {} in the list. */
    r = fx_request(f, "BatchGetItem",
                   "{\"RequestItems\":{\"Hash\":{\"Keys\":[{\"pk\":{\"S\":\"p\"}},{\"pk\":{\"S\":"
                   "\"q\"}}],\"ProjectionExpression\":\"nothing\"}}}",
                   KV_OK);
    fx_assert_json(r, "{\"Responses\":{\"Hash\":[{}]},\"UnprocessedKeys\":{}}");
    kv_free(r);
}

static void
batch03_get_validation(void **state)
{
    struct fx *f = *state;
    create_hash(f, "Hash");
    fx_expect_error(f, "BatchGetItem", "{\"RequestItems\":{}}", KV_VALIDATION,
                    "The requestItems parameter is required for BatchGetItem");
    fx_expect_error(f, "BatchGetItem", "{}", KV_VALIDATION,
                    "1 validation error detected: Value null at 'requestItems' failed to satisfy "
                    "constraint: Member must not be null");
    /* 101 keys in one table: that table's constraint. */
    char req[16384];
    size_t len = (size_t)snprintf(req, sizeof req, "{\"RequestItems\":{\"Hash\":{\"Keys\":[");
    append_keys(req, sizeof req, &len, 101);
    snprintf(req + len, sizeof req - len, "]}}}");
    fx_expect_error(f, "BatchGetItem", req, KV_VALIDATION,
                    "1 validation error detected: Value at 'RequestItems.Hash.member.Keys' failed "
                    "to satisfy constraint: Member must have length less than or equal to 100");
    /* 60 and 41 in two tables: the total. */
    create_hash(f, "Other");
    len = (size_t)snprintf(req, sizeof req, "{\"RequestItems\":{\"Hash\":{\"Keys\":[");
    append_keys(req, sizeof req, &len, 60);
    len += (size_t)snprintf(req + len, sizeof req - len, "]},\"Other\":{\"Keys\":[");
    append_keys(req, sizeof req, &len, 41);
    snprintf(req + len, sizeof req - len, "]}}}");
    fx_expect_error(f, "BatchGetItem", req, KV_VALIDATION,
                    "Too many items requested for the BatchGetItem call");
    fx_expect_error(f, "BatchGetItem",
                    "{\"RequestItems\":{\"Hash\":{\"Keys\":[{\"pk\":{\"S\":\"d\"}},{\"pk\":{\"S\":"
                    "\"d\"}}]}}}",
                    KV_VALIDATION, "Provided list of item keys contains duplicates");
    fx_expect_error(f, "BatchGetItem",
                    "{\"RequestItems\":{\"Hash\":{\"Keys\":[{\"pk\":{\"S\":\"d\"}}]},\"Missing\":{"
                    "\"Keys\":[{\"pk\":{\"S\":\"d\"}}]}}}",
                    KV_RESOURCE_NOT_FOUND, "Requested resource not found");
    fx_expect_error(f, "BatchGetItem",
                    "{\"RequestItems\":{\"Hash\":{\"Keys\":[{\"pk\":{\"N\":\"1\"}}]}}}",
                    KV_VALIDATION, "The provided key element does not match the schema");
    fx_expect_error(f, "BatchGetItem",
                    "{\"RequestItems\":{\"Hash\":{\"Keys\":[{\"pk\":{\"S\":\"\"}}]}}}",
                    KV_VALIDATION,
                    "One or more parameter values are not valid. The AttributeValue for a key "
                    "attribute cannot contain an empty string value. Key: pk");
    fx_expect_error(f, "BatchGetItem",
                    "{\"RequestItems\":{\"Hash\":{\"Keys\":[{\"pk\":{\"S\":\"a\"}}],"
                    "\"AttributesToGet\":[\"pk\"],\"ProjectionExpression\":\"pk\"}}}",
                    KV_VALIDATION,
                    "Can not use both expression and non-expression parameters in the same "
                    "request: Non-expression parameters: {AttributesToGet} Expression "
                    "parameters: {ProjectionExpression}");
    fx_expect_error(f, "BatchGetItem",
                    "{\"RequestItems\":{\"Hash\":{\"Keys\":[{\"pk\":{\"S\":\"a\"}}],"
                    "\"ProjectionExpression\":\"a, a\"}}}",
                    KV_VALIDATION,
                    "Invalid ProjectionExpression: Two document paths overlap with each other; "
                    "must remove or rewrite one of these paths; path one: [a], path two: [a]");
}

/* 100 items of exactly 300 x 1,024 bytes: pk "k00" (2 + 3 bytes) and
 * "data" (4 bytes and the rest). */
static void
put_big_items(struct fx *f)
{
    create_hash(f, "Big");
    size_t data_len = 300 * 1024 - 9;
    char *data = malloc(data_len + 1);
    memset(data, 'x', data_len);
    data[data_len] = '\0';
    for (int i = 0; i < 100; i++) {
        char pk[8];
        snprintf(pk, sizeof pk, "k%02d", i);
        kv_item *it = kv_item_new();
        kv_item_put_s(it, "pk", pk);
        kv_item_put_s(it, "data", data);
        assert_int_equal(kv_put_item(f->db, "Big", it, NULL, NULL), KV_OK);
        kv_item_free(it);
    }
    free(data);
}

/* The typed face gives the same split, as indexes into its keys. */
static void
check_typed_split(struct fx *f)
{
    kv_item *k[100];
    for (int i = 0; i < 100; i++) {
        char pk[8];
        snprintf(pk, sizeof pk, "k%02d", i);
        k[i] = kv_item_new();
        kv_item_put_s(k[i], "pk", pk);
    }
    kv_batch_get_table t = {.table = "Big", .keys = (const kv_item *const *)k, .n_keys = 100};
    kv_batch_get_result *res = NULL;
    assert_int_equal(kv_batch_get(f->db, &t, 1, &res), KV_OK);
    assert_int_equal(res->tables[0].n_items, 52);
    assert_int_equal(res->tables[0].n_unprocessed, 48);
    assert_int_equal(res->tables[0].unprocessed[0], 52);
    assert_true(res->tables[0].capacity_units == 52 * 37.5);
    kv_batch_get_result_free(res);
    for (int i = 0; i < 100; i++)
        kv_item_free(k[i]);
}

/* BatchGet-01: 100 keys of 300 KB items: 52 come back, 48 are left, and
 * the unprocessed part keeps the table's settings. */
static void
batch04_get_16mb_limit(void **state)
{
    struct fx *f = *state;
    put_big_items(f);
    char req[8192];
    size_t len = (size_t)snprintf(req, sizeof req, "{\"RequestItems\":{\"Big\":{\"Keys\":[");
    for (int i = 0; i < 100; i++)
        len += (size_t)snprintf(req + len, sizeof req - len, "%s{\"pk\":{\"S\":\"k%02d\"}}",
                                i ? "," : "", i);
    snprintf(req + len, sizeof req - len,
             "],\"ConsistentRead\":true,\"ProjectionExpression\":\"pk\"}},"
             "\"ReturnConsumedCapacity\":\"TOTAL\"}");
    char *r = fx_request(f, "BatchGetItem", req, KV_OK);
    json_t *j = json_loads(r, 0, NULL);
    kv_free(r);
    assert_non_null(j);
    json_t *got = json_object_get(json_object_get(j, "Responses"), "Big");
    json_t *left = json_object_get(json_object_get(j, "UnprocessedKeys"), "Big");
    assert_int_equal(json_array_size(got), 52);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(json_array_get(got, 51), "pk"), "S")),
        "k51");
    json_t *keys = json_object_get(left, "Keys");
    assert_int_equal(json_array_size(keys), 48);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(json_array_get(keys, 0), "pk"), "S")),
        "k52");
    assert_true(json_is_true(json_object_get(left, "ConsistentRead")));
    assert_string_equal(json_string_value(json_object_get(left, "ProjectionExpression")), "pk");
    /* 52 strongly consistent reads of 75 units each; the rest uncharged. */
    json_t *cc = json_array_get(json_object_get(j, "ConsumedCapacity"), 0);
    assert_true(json_real_value(json_object_get(cc, "CapacityUnits")) == 3900.0);
    /* Sending the unprocessed part again reads the rest. */
    json_t *again = json_pack("{s:{s:O}}", "RequestItems", "Big", left);
    char *text = json_dumps(again, JSON_COMPACT);
    r = fx_request(f, "BatchGetItem", text, KV_OK);
    free(text);
    json_decref(again);
    json_decref(j);
    j = json_loads(r, 0, NULL);
    kv_free(r);
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "Responses"), "Big")), 48);
    assert_int_equal(json_object_size(json_object_get(j, "UnprocessedKeys")), 0);
    json_decref(j);
    check_typed_split(f);
}

/* --- BatchWriteItem -------------------------------------------------------------------- */

static void
batch05_write_items_and_capacity(void **state)
{
    struct fx *f = *state;
    create_hash(f, "Hash");
    fx_create_music(f);
    put_hash(f, "Hash", "old", NULL);
    char big[1700];
    memset(big, 'b', 1500);
    big[1500] = '\0';
    char req[4096];
    snprintf(req, sizeof req,
             "{\"RequestItems\":{\"Hash\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"new\"},"
             "\"v\":{\"S\":\"%s\"}}}},{\"DeleteRequest\":{\"Key\":{\"pk\":{\"S\":\"old\"}}}},"
             "{\"DeleteRequest\":{\"Key\":{\"pk\":{\"S\":\"never\"}}}}],\"Music\":[{"
             "\"PutRequest\":{\"Item\":{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"T\"}}}}]},"
             "\"ReturnConsumedCapacity\":\"TOTAL\",\"ReturnItemCollectionMetrics\":\"SIZE\"}",
             big);
    char *r = fx_request(f, "BatchWriteItem", req, KV_OK);
    /* 1.5 KB put: 2 units; a delete of a small item: 1; of an absent one: 1. */
    fx_assert_json(r, "{\"UnprocessedItems\":{},\"ConsumedCapacity\":[{\"TableName\":\"Hash\","
                      "\"CapacityUnits\":4.0},{\"TableName\":\"Music\",\"CapacityUnits\":1.0}],"
                      "\"ItemCollectionMetrics\":{}}");
    kv_free(r);
    get_hash(f, "Hash", "old", "{}");
    assert_int_equal(item_count(f, "Hash"), 1);
    assert_int_equal(item_count(f, "Music"), 1);
    r = fx_request(f, "BatchWriteItem",
                   "{\"RequestItems\":{\"Hash\":[{\"DeleteRequest\":{\"Key\":{\"pk\":{\"S\":"
                   "\"new\"}}}}]}}",
                   KV_OK);
    fx_assert_json(r, "{\"UnprocessedItems\":{}}");
    kv_free(r);
    assert_int_equal(item_count(f, "Hash"), 0);
}

/* Every rejected request leaves the table as it was: one item, "keep". */
static void
expect_rejected(struct fx *f, const char *req, kv_status st, const char *message)
{
    fx_expect_error(f, "BatchWriteItem", req, st, message);
    assert_int_equal(item_count(f, "Hash"), 1);
    get_hash(f, "Hash", "keep", "{\"Item\":{\"pk\":{\"S\":\"keep\"}}}");
}

static void
batch06_write_limits_and_duplicates(void **state)
{
    struct fx *f = *state;
    create_hash(f, "Hash");
    create_hash(f, "Other");
    put_hash(f, "Hash", "keep", NULL);
    expect_rejected(f, "{\"RequestItems\":{}}", KV_VALIDATION,
                    "The requestItems parameter is required for BatchWriteItem");
    expect_rejected(f, "{\"RequestItems\":{\"Hash\":[]}}", KV_VALIDATION,
                    "1 validation error detected: Value '{Hash=[]}" MAP_25_CONSTRAINT);
    /* 26 requests: the whole map echoed in DynamoDB's Java rendering. */
    char *list = put_requests("n", 26), req[8192];
    snprintf(req, sizeof req, "{\"RequestItems\":{\"Hash\":%s}}", list);
    free(list);
    char *r = fx_request(f, "BatchWriteItem", req, KV_VALIDATION);
    const char *m = kv_errmsg(f->db);
    const char *head = "1 validation error detected: Value '{Hash=[WriteRequest(putRequest="
                       "PutRequest(item={pk=com.amazonaws.dynamodb.v20120810.AttributeValue@";
    assert_memory_equal(m, head, strlen(head));
    const char *tail = ", workloadProfileName=null), deleteRequest=null)]}" MAP_25_CONSTRAINT;
    assert_true(strlen(m) > strlen(tail));
    assert_string_equal(m + strlen(m) - strlen(tail), tail);
    kv_free(r);
    assert_int_equal(item_count(f, "Hash"), 1);
    /* 20 and 10 in two tables: the total. */
    char *a = put_requests("a", 20), *b = put_requests("b", 10);
    snprintf(req, sizeof req, "{\"RequestItems\":{\"Hash\":%s,\"Other\":%s}}", a, b);
    free(a);
    free(b);
    expect_rejected(f, req, KV_VALIDATION, "Too many items requested for the BatchWriteItem call");
    expect_rejected(f,
                    "{\"RequestItems\":{\"Hash\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"d\"},"
                    "\"v\":{\"N\":\"1\"}}}},{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"d\"}}}}]}}",
                    KV_VALIDATION, "Provided list of item keys contains duplicates");
    /* A put and a delete of one key count as a duplicate too. */
    expect_rejected(
        f,
        "{\"RequestItems\":{\"Hash\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"d\"}}}},"
        "{\"DeleteRequest\":{\"Key\":{\"pk\":{\"S\":\"d\"}}}}]}}",
        KV_VALIDATION, "Provided list of item keys contains duplicates");
    /* The same key in two tables is two items. */
    fx_ok(f, "BatchWriteItem",
          "{\"RequestItems\":{\"Other\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"keep\"}}}}],"
          "\"Hash\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"keep\"}}}}]}}");
    expect_rejected(
        f,
        "{\"RequestItems\":{\"Hash\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"w\"}}}}"
        "],\"Missing\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"w\"}}}}]}}",
        KV_RESOURCE_NOT_FOUND, "Requested resource not found");
}

static void
batch07_write_item_checks(void **state)
{
    struct fx *f = *state;
    create_hash(f, "Hash");
    put_hash(f, "Hash", "keep", NULL);
    static const char *const wrong_keys[] = {
        "{\"pk\":{\"N\":\"5\"}}", "{\"pk\":{\"L\":[{\"S\":\"x\"}]}}", "{\"notkey\":{\"S\":\"x\"}}"};
    char req[2048];
    for (size_t i = 0; i < 3; i++) {
        snprintf(req, sizeof req,
                 "{\"RequestItems\":{\"Hash\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"w\"}}}},"
                 "{\"PutRequest\":{\"Item\":%s}}]}}",
                 wrong_keys[i]);
        expect_rejected(f, req, KV_VALIDATION,
                        "The provided key element does not match the schema");
    }
    expect_rejected(
        f,
        "{\"RequestItems\":{\"Hash\":[{\"DeleteRequest\":{\"Key\":{\"pk\":{\"S\":\"keep\"},"
        "\"x\":{\"S\":\"y\"}}}}]}}",
        KV_VALIDATION, "The provided key element does not match the schema");
    expect_rejected(f,
                    "{\"RequestItems\":{\"Hash\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"\"}}}}"
                    "]}}",
                    KV_VALIDATION,
                    "One or more parameter values are not valid. The AttributeValue for a key "
                    "attribute cannot contain an empty string value. Key: pk");
    /* Nesting is reported without the envelope PutItem puts around it. */
    char deep[1024] = "";
    for (int i = 0; i < 32; i++)
        strcat(deep, "{\"L\":[");
    strcat(deep, "{\"S\":\"x\"}");
    for (int i = 0; i < 32; i++)
        strcat(deep, "]}");
    snprintf(req, sizeof req,
             "{\"RequestItems\":{\"Hash\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"n\"},"
             "\"d\":%s}}}]}}",
             deep);
    expect_rejected(f, req, KV_VALIDATION,
                    "Nesting Levels have exceeded supported limits: Attributes in the item have "
                    "nested levels beyond supported limit");
    expect_rejected(
        f,
        "{\"RequestItems\":{\"Hash\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"x\"}}},"
        "\"DeleteRequest\":{\"Key\":{\"pk\":{\"S\":\"x\"}}}}]}}",
        KV_VALIDATION,
        "Supplied AttributeValue has more than one datatypes set, must contain exactly "
        "one of the supported datatypes");
    expect_rejected(f, "{\"RequestItems\":{\"Hash\":[{}]}}", KV_VALIDATION,
                    "Supplied AttributeValue is empty, must contain exactly one of the supported "
                    "datatypes");
    /* An item over 400 KB. */
    size_t n = 409600;
    char *huge = malloc(n + 256);
    int len = snprintf(huge, n + 256,
                       "{\"RequestItems\":{\"Hash\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":"
                       "\"h\"},\"v\":{\"S\":\"");
    memset(huge + len, 'v', n);
    strcpy(huge + len + n, "\"}}}}]}}");
    expect_rejected(f, huge, KV_VALIDATION, "Item size has exceeded the maximum allowed size");
    free(huge);
}

static void
batch08_typed_api(void **state)
{
    struct fx *f = *state;
    create_hash(f, "Hash");
    kv_item *a = kv_item_new(), *b = kv_item_new(), *gone = kv_item_new();
    kv_item_put_s(a, "pk", "a");
    kv_item_put_n(a, "n", "1");
    kv_item_put_s(b, "pk", "b");
    kv_item_put_s(gone, "pk", "gone");
    kv_write_request w[3] = {{KV_WRITE_PUT, a}, {KV_WRITE_PUT, b}, {KV_WRITE_DELETE, gone}};
    kv_batch_write_table wt = {.table = "Hash", .requests = w, .n_requests = 3};
    kv_batch_write_result *wr = NULL;
    assert_int_equal(kv_batch_write(f->db, &wt, 1, &wr), KV_OK);
    assert_int_equal(wr->n_tables, 1);
    assert_int_equal(wr->tables[0].n_unprocessed, 0);
    assert_true(wr->tables[0].capacity_units == 3.0);
    kv_batch_write_result_free(wr);
    /* Both faces refuse a duplicate the same way, and write nothing. */
    kv_write_request dup[2] = {{KV_WRITE_PUT, gone}, {KV_WRITE_DELETE, gone}};
    wt.requests = dup;
    wt.n_requests = 2;
    assert_int_equal(kv_batch_write(f->db, &wt, 1, NULL), KV_VALIDATION);
    assert_string_equal(kv_errmsg(f->db), "Provided list of item keys contains duplicates");
    assert_int_equal(item_count(f, "Hash"), 2);
    /* A table over the limit is worded as DynamoDB's newer front end does. */
    wt.n_requests = 0;
    assert_int_equal(kv_batch_write(f->db, &wt, 1, NULL), KV_VALIDATION);
    assert_string_equal(kv_errmsg(f->db),
                        "1 validation error detected: Value at 'RequestItems.Hash.member' failed "
                        "to satisfy constraint: Member must have length greater than or equal "
                        "to 1");
    const kv_item *keys[2] = {gone, a};
    kv_batch_get_table gt = {.table = "Hash", .keys = keys, .n_keys = 2, .consistent_read = 1};
    kv_batch_get_result *gr = NULL;
    /* A key must hold the key attributes only. */
    assert_int_equal(kv_batch_get(f->db, &gt, 1, &gr), KV_VALIDATION);
    assert_string_equal(kv_errmsg(f->db), "The provided key element does not match the schema");
    assert_null(gr);
    kv_item *key_a = kv_item_new();
    kv_item_put_s(key_a, "pk", "a");
    keys[1] = key_a;
    assert_int_equal(kv_batch_get(f->db, &gt, 1, &gr), KV_OK);
    assert_int_equal(gr->tables[0].n_items, 1);
    assert_string_equal(kv_value_bytes(kv_item_get(gr->tables[0].items[0], "n"), NULL), "1");
    assert_true(gr->tables[0].capacity_units == 2.0);
    kv_batch_get_result_free(gr);
    /* A table named twice is a misuse of the typed face. */
    kv_batch_get_table two[2] = {gt, gt};
    assert_int_equal(kv_batch_get(f->db, two, 2, &gr), KV_MISUSE);
    assert_null(gr);
    kv_item_free(key_a);
    kv_item_free(a);
    kv_item_free(b);
    kv_item_free(gone);
}

/* Secondary indexes kept in step by batch writes.  Skipped while CreateTable
 * refuses indexes. */
static void
batch09_indexes_in_step(void **state)
{
    struct fx *f = *state;
    static const char create[] =
        "{\"TableName\":\"Idx\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\","
        "\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],"
        "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
        "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi1\",\"KeySchema\":[{\"AttributeName\":"
        "\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}],"
        "\"BillingMode\":\"PAY_PER_REQUEST\"}";
    char *r = NULL;
    kv_status st = kv_request(f->db, "CreateTable", create, strlen(create), &r);
    kv_free(r);
    if (st != KV_OK)
        skip();
    /* Three table writes; two index entries (the third item has no g). */
    r = fx_request(f, "BatchWriteItem",
                   "{\"RequestItems\":{\"Idx\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"1\"},"
                   "\"g\":{\"S\":\"red\"}}}},{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"2\"},\"g\":"
                   "{\"S\":\"red\"}}}},{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"3\"}}}}]},"
                   "\"ReturnConsumedCapacity\":\"INDEXES\"}",
                   KV_OK);
    fx_assert_json(r, "{\"UnprocessedItems\":{},\"ConsumedCapacity\":[{\"TableName\":\"Idx\","
                      "\"CapacityUnits\":5.0,\"Table\":{\"CapacityUnits\":3.0},"
                      "\"GlobalSecondaryIndexes\":{\"gsi1\":{\"CapacityUnits\":2.0}}}]}");
    kv_free(r);
    fx_ok(f, "BatchWriteItem",
          "{\"RequestItems\":{\"Idx\":[{\"DeleteRequest\":{\"Key\":{\"pk\":{\"S\":\"1\"}}}}]}}");
    r = fx_request(f, "Query",
                   "{\"TableName\":\"Idx\",\"IndexName\":\"gsi1\",\"KeyConditionExpression\":"
                   "\"g = :g\",\"ExpressionAttributeValues\":{\":g\":{\"S\":\"red\"}}}",
                   KV_OK);
    fx_assert_json(r, "{\"Items\":[{\"pk\":{\"S\":\"2\"},\"g\":{\"S\":\"red\"}}],\"Count\":1,"
                      "\"ScannedCount\":1}");
    kv_free(r);
    fx_expect_error(f, "BatchWriteItem",
                    "{\"RequestItems\":{\"Idx\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"4\"},"
                    "\"g\":{\"N\":\"5\"}}}}]}}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: Type mismatch for Index Key g "
                    "Expected: S Actual: N IndexName: gsi1");
    fx_expect_error(f, "BatchWriteItem",
                    "{\"RequestItems\":{\"Idx\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"4\"},"
                    "\"g\":{\"S\":\"\"}}}}]}}",
                    KV_VALIDATION,
                    "One or more parameter values are not valid. A value specified for a "
                    "secondary index key is not supported. The AttributeValue for a key "
                    "attribute cannot contain an empty string value. IndexName: gsi1, IndexKey: g");
}

/* Allocation failures: every failing run returns KV_NOMEM and writes
 * nothing, until one succeeds; reads fail cleanly too. */
static void
batch10_allocation_failures(void **state)
{
    struct fx *f = *state;
    create_hash(f, "Hash");
    kv_item *a = kv_item_new(), *b = kv_item_new();
    kv_item_put_s(a, "pk", "a");
    kv_item_put_s(b, "pk", "b");
    kv_write_request w[2] = {{KV_WRITE_PUT, a}, {KV_WRITE_PUT, b}};
    kv_batch_write_table wt = {.table = "Hash", .requests = w, .n_requests = 2};
    bool ok = false;
    for (long n = 1; n < 2000 && !ok; n++) {
        kv_batch_write_result *res = NULL;
        mem_fail_after(n);
        kv_status st = kv_batch_write(f->db, &wt, 1, &res);
        mem_fail_reset();
        ok = st == KV_OK;
        if (!ok) {
            assert_int_equal(st, KV_NOMEM);
            assert_null(res);
            assert_int_equal(item_count(f, "Hash"), 0);
        }
        kv_batch_write_result_free(res);
    }
    assert_true(ok);
    const kv_item *keys[2] = {a, b};
    kv_batch_get_table gt = {.table = "Hash", .keys = keys, .n_keys = 2};
    ok = false;
    for (long n = 1; n < 2000 && !ok; n++) {
        kv_batch_get_result *res = NULL;
        mem_fail_after(n);
        kv_status st = kv_batch_get(f->db, &gt, 1, &res);
        mem_fail_reset();
        ok = st == KV_OK;
        if (ok)
            assert_int_equal(res->tables[0].n_items, 2);
        else
            assert_int_equal(st, KV_NOMEM);
        kv_batch_get_result_free(res);
    }
    assert_true(ok);
    kv_item_free(a);
    kv_item_free(b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(batch01_get_items_and_capacity, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(batch02_get_projection, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(batch03_get_validation, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(batch04_get_16mb_limit, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(batch05_write_items_and_capacity, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(batch06_write_limits_and_duplicates, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(batch07_write_item_checks, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(batch08_typed_api, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(batch09_indexes_in_step, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(batch10_allocation_failures, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
