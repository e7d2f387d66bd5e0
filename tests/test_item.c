/*
 * test_item.c -- PutItem, GetItem and DeleteItem through both faces:
 * round trips of every type, DynamoDB's validation (exact exception and
 * message, and nothing written), counters, capacity and persistence.
 */
#include "fixture.h"
#include "mem.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEY_AB "\"Key\":{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"}}"

static void
create_simple(struct fx *f, const char *name, const char *type)
{
    char req[512];
    snprintf(req, sizeof req,
             "{\"TableName\":\"%s\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\","
             "\"AttributeType\":\"%s\"}],\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":"
             "\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}",
             name, type);
    fx_ok(f, "CreateTable", req);
}

static void
get_expect(struct fx *f, const char *table, const char *key, const char *want)
{
    char req[16384];
    snprintf(req, sizeof req, "{\"TableName\":\"%s\",\"Key\":%s}", table, key);
    char *r = fx_request(f, "GetItem", req, KV_OK);
    fx_assert_json(r, want);
    kv_free(r);
}

static void
counts_expect(struct fx *f, const char *table, long items, long bytes)
{
    char req[256];
    snprintf(req, sizeof req, "{\"TableName\":\"%s\"}", table);
    char *r = fx_request(f, "DescribeTable", req, KV_OK);
    json_t *j = json_loads(r, 0, NULL);
    json_t *t = json_object_get(j, "Table");
    assert_int_equal(json_integer_value(json_object_get(t, "ItemCount")), items);
    if (bytes >= 0)
        assert_int_equal(json_integer_value(json_object_get(t, "TableSizeBytes")), bytes);
    json_decref(j);
    kv_free(r);
}

static void
item01_round_trip_all_types(void **state)
{
    struct fx *f = *state;
    fx_create_music(f);
    fx_ok(f, "PutItem",
          "{\"TableName\":\"Music\",\"Item\":{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":"
          "\"B\"},\"s\":{\"S\":\"h\\u00e9llo\"},\"n\":{\"N\":\"01.50\"},\"neg\":{\"N\":\"-0\"},"
          "\"big\":{\"N\":\"1E3\"},\"b\":{\"B\":\"AAEC/w==\"},\"t\":{\"BOOL\":true},"
          "\"z\":{\"NULL\":true},\"m\":{\"M\":{\"x\":{\"L\":[{\"N\":\"1\"},{\"S\":\"\"}]}}},"
          "\"ss\":{\"SS\":[\"a\",\"b\"]},\"ns\":{\"NS\":[\"1\",\"2.50\"]},"
          "\"bs\":{\"BS\":[\"AA==\",\"AQ==\"]},\"empty\":{\"S\":\"\"},\"el\":{\"L\":[]},"
          "\"em\":{\"M\":{}}}}");
    const char *want =
        "{\"Item\":{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"},\"s\":{\"S\":"
        "\"h\\u00e9llo\"},\"n\":{\"N\":\"1.5\"},\"neg\":{\"N\":\"0\"},\"big\":{\"N\":\"1000\"},"
        "\"b\":{\"B\":\"AAEC/w==\"},\"t\":{\"BOOL\":true},\"z\":{\"NULL\":true},\"m\":{\"M\":"
        "{\"x\":{\"L\":[{\"N\":\"1\"},{\"S\":\"\"}]}}},\"ss\":{\"SS\":[\"a\",\"b\"]},\"ns\":"
        "{\"NS\":[\"1\",\"2.5\"]},\"bs\":{\"BS\":[\"AA==\",\"AQ==\"]},\"empty\":{\"S\":\"\"},"
        "\"el\":{\"L\":[]},\"em\":{\"M\":{}}}}";
    get_expect(f, "Music", "{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"}}", want);
    fx_reopen(f);
    get_expect(f, "Music", "{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"}}", want);
    fx_ok(f, "DeleteItem", "{\"TableName\":\"Music\"," KEY_AB "}");
    get_expect(f, "Music", "{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"}}", "{}");
    /* Deleting an absent item succeeds. */
    fx_ok(f, "DeleteItem", "{\"TableName\":\"Music\"," KEY_AB "}");
}

static void
item13_null_false_normalised(void **state)
{
    struct fx *f = *state;
    create_simple(f, "Nul", "S");
    fx_ok(f, "PutItem", "{\"TableName\":\"Nul\",\"Item\":{\"pk\":{\"S\":\"a\"},"
                        "\"z\":{\"NULL\":false}}}");
    get_expect(f, "Nul", "{\"pk\":{\"S\":\"a\"}}",
               "{\"Item\":{\"pk\":{\"S\":\"a\"},\"z\":{\"NULL\":true}}}");
}

static void
item02_number_keys_are_numeric(void **state)
{
    struct fx *f = *state;
    create_simple(f, "Nums", "N");
    fx_ok(f, "PutItem", "{\"TableName\":\"Nums\",\"Item\":{\"pk\":{\"N\":\"1.0\"},"
                        "\"v\":{\"S\":\"first\"}}}");
    /* "1", "1.0" and "1E0" are one key. */
    get_expect(f, "Nums", "{\"pk\":{\"N\":\"1E0\"}}",
               "{\"Item\":{\"pk\":{\"N\":\"1\"},\"v\":{\"S\":\"first\"}}}");
    fx_ok(f, "PutItem", "{\"TableName\":\"Nums\",\"Item\":{\"pk\":{\"N\":\"1\"},"
                        "\"v\":{\"S\":\"second\"}}}");
    counts_expect(f, "Nums", 1, -1);
}

static void
item03_return_values(void **state)
{
    struct fx *f = *state;
    fx_create_music(f);
    char *r = fx_request(f, "PutItem",
                         "{\"TableName\":\"Music\",\"ReturnValues\":\"ALL_OLD\",\"Item\":{"
                         "\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"},\"v\":{\"N\":"
                         "\"1\"}}}",
                         KV_OK);
    fx_assert_json(r, "{}");
    kv_free(r);
    r = fx_request(f, "PutItem",
                   "{\"TableName\":\"Music\",\"ReturnValues\":\"ALL_OLD\",\"Item\":{"
                   "\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"},\"v\":{\"N\":\"2\"}}}",
                   KV_OK);
    fx_assert_json(r, "{\"Attributes\":{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"},"
                      "\"v\":{\"N\":\"1\"}}}");
    kv_free(r);
    r = fx_request(f, "DeleteItem",
                   "{\"TableName\":\"Music\",\"ReturnValues\":\"ALL_OLD\"," KEY_AB "}", KV_OK);
    fx_assert_json(r, "{\"Attributes\":{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"},"
                      "\"v\":{\"N\":\"2\"}}}");
    kv_free(r);
    fx_expect_error(f, "PutItem",
                    "{\"TableName\":\"Music\",\"ReturnValues\":\"ALL_NEW\",\"Item\":{"
                    "\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"}}}",
                    KV_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");
    fx_expect_error(f, "DeleteItem",
                    "{\"TableName\":\"Music\",\"ReturnValues\":\"UPDATED_OLD\"," KEY_AB "}",
                    KV_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");
    fx_expect_error(f, "PutItem",
                    "{\"TableName\":\"Music\",\"ReturnValues\":\"SOME\",\"Item\":{"
                    "\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"}}}",
                    KV_VALIDATION,
                    "1 validation error detected: Value 'SOME' at 'returnValues' failed to "
                    "satisfy constraint: Member must satisfy enum value set: [ALL_NEW, "
                    "UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]");
    counts_expect(f, "Music", 0, 0);
}

/* Each PutItem below is invalid and must leave the table empty. */
struct bad_put {
    const char *item;
    kv_status st;
    const char *message;
};

static char *
repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        abort();
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void
item04_put_validation(void **state)
{
    struct fx *f = *state;
    fx_create_music(f);
    static const struct bad_put cases[] = {
        {"{\"SongTitle\":{\"S\":\"B\"}}", KV_VALIDATION,
         "One or more parameter values were invalid: Missing the key Artist in the item"},
        {"{\"Artist\":{\"S\":\"A\"}}", KV_VALIDATION,
         "One or more parameter values were invalid: Missing the key SongTitle in the item"},
        {"{\"Artist\":{\"N\":\"1\"},\"SongTitle\":{\"S\":\"B\"}}", KV_VALIDATION,
         "One or more parameter values were invalid: Type mismatch for key Artist expected: S "
         "actual: N"},
        {"{\"Artist\":{\"S\":\"\"},\"SongTitle\":{\"S\":\"B\"}}", KV_VALIDATION,
         "One or more parameter values are not valid. The AttributeValue for a key attribute "
         "cannot contain an empty string value. Key: Artist"},
        {"{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"\"}}", KV_VALIDATION,
         "One or more parameter values are not valid. The AttributeValue for a key attribute "
         "cannot contain an empty string value. Key: SongTitle"},
        {"{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"},\"n\":{\"N\":\"abc\"}}",
         KV_VALIDATION, "The parameter cannot be converted to a numeric value: abc"},
        {"{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"},\"n\":{\"N\":\"1E126\"}}",
         KV_VALIDATION,
         "Number overflow. Attempting to store a number with magnitude larger than supported "
         "range"},
        {"{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"},\"n\":{\"N\":\"1E-131\"}}",
         KV_VALIDATION,
         "Number underflow. Attempting to store a number with magnitude smaller than supported "
         "range"},
        {"{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"},\"n\":{\"N\":"
         "\"123456789012345678901234567890123456789\"}}",
         KV_VALIDATION, "Attempting to store more than 38 significant digits in a Number"},
        {"{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"},\"s\":{\"SS\":[]}}",
         KV_VALIDATION,
         "One or more parameter values were invalid: An string set  may not be empty"},
        {"{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"},\"s\":{\"SS\":[\"x\",\"x\"]}}",
         KV_VALIDATION,
         "One or more parameter values were invalid: Input collection [x, x] contains "
         "duplicates."},
        {"{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"},\"s\":{\"NS\":[\"1\",\"1.0\"]}}",
         KV_VALIDATION, "Input collection contains duplicates"},
        {"{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"},\"s\":{}}", KV_VALIDATION,
         "Supplied AttributeValue is empty, must contain exactly one of the supported "
         "datatypes"},
        {"{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"},\"s\":{\"S\":\"a\",\"N\":\"1\"}}",
         KV_VALIDATION,
         "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
         "the supported datatypes"},
        {"{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":5}}", KV_SERIALIZATION,
         "NUMBER_VALUE cannot be converted to String"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char req[1024];
        snprintf(req, sizeof req, "{\"TableName\":\"Music\",\"Item\":%s}", cases[i].item);
        fx_expect_error(f, "PutItem", req, cases[i].st, cases[i].message);
        counts_expect(f, "Music", 0, 0);
    }
    fx_expect_error(f, "PutItem", "{\"Item\":{\"Artist\":{\"S\":\"A\"}}}", KV_VALIDATION,
                    "1 validation error detected: Value null at 'tableName' failed to satisfy "
                    "constraint: Member must not be null");
    fx_expect_error(f, "PutItem", "{\"TableName\":\"Music\"}", KV_VALIDATION,
                    "1 validation error detected: Value null at 'item' failed to satisfy "
                    "constraint: Member must not be null");
    /* Data-plane names need only one character; a short one is just absent. */
    fx_expect_error(f, "PutItem", "{\"TableName\":\"No\",\"Item\":{\"a\":{\"S\":\"b\"}}}",
                    KV_RESOURCE_NOT_FOUND, "Requested resource not found");
    fx_expect_error(f, "PutItem", "{\"TableName\":\"\",\"Item\":{\"a\":{\"S\":\"b\"}}}",
                    KV_VALIDATION,
                    "2 validation errors detected: Value '' at 'tableName' failed to satisfy "
                    "constraint: Member must satisfy regular expression pattern: "
                    "[a-zA-Z0-9_.-]+; Value '' at 'tableName' failed to satisfy constraint: "
                    "Member must have length greater than or equal to 1");
    fx_expect_error(f, "PutItem",
                    "{\"TableName\":\"bad table!@#\",\"Item\":{\"a\":{\"S\":\"b\"}}}",
                    KV_VALIDATION,
                    "1 validation error detected: Value 'bad table!@#' at 'tableName' failed to "
                    "satisfy constraint: Member must satisfy regular expression pattern: "
                    "[a-zA-Z0-9_.-]+");
    fx_expect_error(f, "PutItem", "{\"TableName\":\"Absent\",\"Item\":{\"a\":{\"S\":\"b\"}}}",
                    KV_RESOURCE_NOT_FOUND, "Requested resource not found");
    counts_expect(f, "Music", 0, 0);
}

static void
item05_key_sizes(void **state)
{
    struct fx *f = *state;
    fx_create_music(f);
    char *pk = repeat('p', 2048), *sk = repeat('s', 1024), req[8192];
    snprintf(req, sizeof req,
             "{\"TableName\":\"Music\",\"Item\":{\"Artist\":{\"S\":\"%s\"},\"SongTitle\":{"
             "\"S\":\"%s\"}}}",
             pk, sk);
    fx_ok(f, "PutItem", req);
    snprintf(req, sizeof req,
             "{\"Artist\":{\"S\":\"%s\"},\"SongTitle\":{\"S\":\"%s\"}}", pk, sk);
    char want[8300];
    snprintf(want, sizeof want, "{\"Item\":%s}", req);
    get_expect(f, "Music", req, want);
    free(pk);
    free(sk);
    pk = repeat('p', 2049);
    snprintf(req, sizeof req,
             "{\"TableName\":\"Music\",\"Item\":{\"Artist\":{\"S\":\"%s\"},\"SongTitle\":{"
             "\"S\":\"x\"}}}",
             pk);
    fx_expect_error(f, "PutItem", req, KV_VALIDATION,
                    "One or more parameter values were invalid: Size of hashkey has exceeded "
                    "the maximum size limit of2048 bytes");
    free(pk);
    sk = repeat('s', 1025);
    snprintf(req, sizeof req,
             "{\"TableName\":\"Music\",\"Item\":{\"Artist\":{\"S\":\"x\"},\"SongTitle\":{"
             "\"S\":\"%s\"}}}",
             sk);
    fx_expect_error(f, "PutItem", req, KV_VALIDATION,
                    "One or more parameter values were invalid: Aggregated size of all range "
                    "keys has exceeded the size limit of 1024 bytes");
    snprintf(req, sizeof req,
             "{\"TableName\":\"Music\",\"Key\":{\"Artist\":{\"S\":\"x\"},\"SongTitle\":{"
             "\"S\":\"%s\"}}}",
             sk);
    fx_expect_error(f, "GetItem", req, KV_VALIDATION,
                    "One or more parameter values were invalid: Aggregated size of all range "
                    "keys has exceeded the size limit of 1024 bytes");
    free(sk);
    counts_expect(f, "Music", 1, -1);
}

static void
item06_item_size_limit(void **state)
{
    struct fx *f = *state;
    create_simple(f, "Big", "S");
    /* "pk" + "a" + "data" + payload = 409,600 bytes exactly. */
    size_t payload = 409600 - 2 - 1 - 4;
    char *big = repeat('x', payload + 1);
    size_t reqlen = payload + 256;
    char *req = malloc(reqlen);
    big[payload] = '\0';
    snprintf(req, reqlen,
             "{\"TableName\":\"Big\",\"Item\":{\"pk\":{\"S\":\"a\"},\"data\":{\"S\":\"%s\"}}}",
             big);
    fx_ok(f, "PutItem", req);
    counts_expect(f, "Big", 1, 409600);
    big[payload] = 'x';
    snprintf(req, reqlen,
             "{\"TableName\":\"Big\",\"Item\":{\"pk\":{\"S\":\"b\"},\"data\":{\"S\":\"%s\"}}}",
             big);
    fx_expect_error(f, "PutItem", req, KV_VALIDATION,
                    "Item size has exceeded the maximum allowed size");
    counts_expect(f, "Big", 1, 409600);
    get_expect(f, "Big", "{\"pk\":{\"S\":\"b\"}}", "{}");
    free(big);
    free(req);
}

static char *
nested_lists(int depth)
{
    static const char open[] = "{\"L\":[", leaf[] = "{\"S\":\"x\"}", close[] = "]}";
    size_t n = (size_t)depth * (sizeof open + sizeof close) + sizeof leaf;
    char *s = malloc(n);
    if (!s)
        abort();
    s[0] = '\0';
    for (int i = 0; i < depth; i++)
        strcat(s, open);
    strcat(s, leaf);
    for (int i = 0; i < depth; i++)
        strcat(s, close);
    return s;
}

static void
item07_nesting_limit(void **state)
{
    struct fx *f = *state;
    create_simple(f, "Deep", "S");
    char *ok = nested_lists(31), *bad = nested_lists(32), req[4096];
    snprintf(req, sizeof req, "{\"TableName\":\"Deep\",\"Item\":{\"pk\":{\"S\":\"a\"},\"v\":%s}}",
             ok);
    fx_ok(f, "PutItem", req);
    snprintf(req, sizeof req, "{\"TableName\":\"Deep\",\"Item\":{\"pk\":{\"S\":\"b\"},\"v\":%s}}",
             bad);
    fx_expect_error(f, "PutItem", req, KV_VALIDATION,
                    "1 validation error detected: Nesting Levels have exceeded supported limits: "
                    "Attributes in the item have nested levels beyond supported limit");
    counts_expect(f, "Deep", 1, -1);
    free(ok);
    free(bad);
}

static void
item08_key_schema_mismatch(void **state)
{
    struct fx *f = *state;
    fx_create_music(f);
    static const char *const keys[] = {
        "{\"Artist\":{\"S\":\"A\"}}",
        "{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"N\":\"1\"}}",
        "{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":\"B\"},\"x\":{\"S\":\"C\"}}",
        "{\"Artist\":{\"S\":\"A\"},\"Other\":{\"S\":\"B\"}}",
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char req[512];
        snprintf(req, sizeof req, "{\"TableName\":\"Music\",\"Key\":%s}", keys[i]);
        fx_expect_error(f, "GetItem", req, KV_VALIDATION,
                        "The provided key element does not match the schema");
        fx_expect_error(f, "DeleteItem", req, KV_VALIDATION,
                        "The provided key element does not match the schema");
    }
    fx_expect_error(f, "GetItem",
                    "{\"TableName\":\"Music\",\"Key\":{\"Artist\":{\"S\":\"\"},\"SongTitle\":"
                    "{\"S\":\"B\"}}}",
                    KV_VALIDATION,
                    "One or more parameter values are not valid. The AttributeValue for a key "
                    "attribute cannot contain an empty string value. Key: Artist");
}

static void
item09_counters(void **state)
{
    struct fx *f = *state;
    create_simple(f, "Cnt", "S");
    fx_ok(f, "PutItem", "{\"TableName\":\"Cnt\",\"Item\":{\"pk\":{\"S\":\"a\"},\"v\":{\"S\":"
                        "\"1234\"}}}"); /* 2+1+1+4 = 8 */
    fx_ok(f, "PutItem", "{\"TableName\":\"Cnt\",\"Item\":{\"pk\":{\"S\":\"b\"}}}"); /* 3 */
    counts_expect(f, "Cnt", 2, 11);
    fx_ok(f, "PutItem", "{\"TableName\":\"Cnt\",\"Item\":{\"pk\":{\"S\":\"a\"}}}"); /* 8 -> 3 */
    counts_expect(f, "Cnt", 2, 6);
    fx_ok(f, "DeleteItem", "{\"TableName\":\"Cnt\",\"Key\":{\"pk\":{\"S\":\"b\"}}}");
    counts_expect(f, "Cnt", 1, 3);
    fx_reopen(f);
    counts_expect(f, "Cnt", 1, 3);
}

static void
item10_consumed_capacity(void **state)
{
    struct fx *f = *state;
    create_simple(f, "Cap", "S");
    char *big = repeat('x', 1024), req[4096];
    /* 2 + 1 + 1 + 1024 = 1028 bytes: two write units. */
    snprintf(req, sizeof req,
             "{\"TableName\":\"Cap\",\"ReturnConsumedCapacity\":\"TOTAL\",\"Item\":{\"pk\":{"
             "\"S\":\"a\"},\"v\":{\"S\":\"%s\"}}}",
             big);
    char *r = fx_request(f, "PutItem", req, KV_OK);
    fx_assert_json(r, "{\"ConsumedCapacity\":{\"TableName\":\"Cap\",\"CapacityUnits\":2.0}}");
    kv_free(r);
    r = fx_request(f, "GetItem",
                   "{\"TableName\":\"Cap\",\"ReturnConsumedCapacity\":\"TOTAL\",\"Key\":{\"pk\":"
                   "{\"S\":\"zz\"}}}",
                   KV_OK);
    fx_assert_json(r, "{\"ConsumedCapacity\":{\"TableName\":\"Cap\",\"CapacityUnits\":0.5}}");
    kv_free(r);
    r = fx_request(f, "DeleteItem",
                   "{\"TableName\":\"Cap\",\"ReturnConsumedCapacity\":\"TOTAL\",\"Key\":{\"pk\":"
                   "{\"S\":\"a\"}}}",
                   KV_OK);
    fx_assert_json(r, "{\"ConsumedCapacity\":{\"TableName\":\"Cap\",\"CapacityUnits\":2.0}}");
    kv_free(r);
    free(big);
}

static void
item11_typed_api(void **state)
{
    struct fx *f = *state;
    fx_create_music(f);
    kv_item *song = kv_item_new();
    assert_int_equal(kv_item_put_s(song, "Artist", "No One You Know"), KV_OK);
    assert_int_equal(kv_item_put_s(song, "SongTitle", "Call Me Today"), KV_OK);
    assert_int_equal(kv_item_put_n(song, "Year", "02015.0"), KV_OK);
    kv_value *tags = kv_value_new_container(song, KV_SS);
    assert_int_equal(kv_value_push(song, tags, kv_value_new_s(song, "pop", 3)), KV_OK);
    assert_int_equal(kv_item_put(song, "Tags", tags), KV_OK);
    assert_int_equal(kv_put_item(f->db, "Music", song, NULL, NULL), KV_OK);
    kv_item_free(song);

    kv_item *key = kv_item_new(), *got = NULL;
    kv_item_put_s(key, "Artist", "No One You Know");
    kv_item_put_s(key, "SongTitle", "Call Me Today");
    assert_int_equal(kv_get_item(f->db, "Music", key, NULL, &got), KV_OK);
    assert_non_null(got);
    assert_int_equal(kv_item_count(got), 4);
    size_t len;
    assert_string_equal(kv_value_bytes(kv_item_get(got, "Year"), &len), "2015");
    assert_int_equal(len, 4);
    assert_int_equal(kv_value_type(kv_item_get(got, "Tags")), KV_SS);
    assert_int_equal(kv_value_count(kv_item_get(got, "Tags")), 1);
    char *json = kv_item_to_json(got);
    assert_non_null(strstr(json, "\"Year\":{\"N\":\"2015\"}"));
    kv_free(json);
    kv_item_free(got);

    kv_write_opts wo = {.return_values = KV_RETURN_ALL_OLD};
    kv_item *old = NULL;
    assert_int_equal(kv_delete_item(f->db, "Music", key, &wo, &old), KV_OK);
    assert_non_null(old);
    kv_item_free(old);
    assert_int_equal(kv_get_item(f->db, "Music", key, NULL, &got), KV_OK);
    assert_null(got);
    kv_item_free(key);

    kv_item *bad = kv_item_new();
    kv_item_put_s(bad, "Artist", "x");
    assert_int_equal(kv_put_item(f->db, "Music", bad, NULL, NULL), KV_VALIDATION);
    assert_string_equal(kv_errmsg(f->db), "One or more parameter values were invalid: Missing "
                                          "the key SongTitle in the item");
    kv_item_put_s(bad, "SongTitle", "y");
    kv_item_put_n(bad, "n", "not a number");
    assert_int_equal(kv_put_item(f->db, "Music", bad, NULL, NULL), KV_VALIDATION);
    assert_string_equal(kv_errmsg(f->db),
                        "The parameter cannot be converted to a numeric value: not a number");
    kv_item_free(bad);
    counts_expect(f, "Music", 0, 0);
}

/* A second process reads what the first wrote while the first keeps it open. */
static void
item12_second_process(void **state)
{
    struct fx *f = *state;
    fx_create_music(f);
    fx_ok(f, "PutItem", "{\"TableName\":\"Music\",\"Item\":{\"Artist\":{\"S\":\"A\"},"
                        "\"SongTitle\":{\"S\":\"B\"},\"v\":{\"N\":\"7\"}}}");
    pid_t pid = fork();
    if (pid == 0) {
        kv_db *db;
        if (kv_db_open(f->dir, NULL, &db) != KV_OK)
            _exit(2);
        const char *req = "{\"TableName\":\"Music\",\"Key\":{\"Artist\":{\"S\":\"A\"},"
                          "\"SongTitle\":{\"S\":\"B\"}}}";
        char *resp = NULL;
        int ok = kv_request(db, "GetItem", req, strlen(req), &resp) == KV_OK &&
                 strstr(resp, "\"v\":{\"N\":\"7\"}") != NULL;
        kv_free(resp);
        /* And writes something the parent then reads. */
        const char *put = "{\"TableName\":\"Music\",\"Item\":{\"Artist\":{\"S\":\"C\"},"
                          "\"SongTitle\":{\"S\":\"D\"}}}";
        ok = ok && kv_request(db, "PutItem", put, strlen(put), &resp) == KV_OK;
        kv_free(resp);
        kv_db_close(db);
        _exit(ok ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    get_expect(f, "Music", "{\"Artist\":{\"S\":\"C\"},\"SongTitle\":{\"S\":\"D\"}}",
               "{\"Item\":{\"Artist\":{\"S\":\"C\"},\"SongTitle\":{\"S\":\"D\"}}}");
}

/* A string of n 'x's. */
static char *
xs(size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, 'x', n);
    s[n] = '\0';
    return s;
}

static void
expect_s(const kv_item *it, const char *name, const char *want)
{
    size_t len = 0;
    const char *got = kv_value_bytes(kv_item_get(it, name), &len);
    assert_non_null(got);
    assert_int_equal(kv_value_type(kv_item_get(it, name)), KV_S);
    assert_int_equal(len, strlen(want));
    assert_string_equal(got, want);
}

/* A thread's items: two freed there (kept for its next items until it
 * ends), one handed back to be freed by the caller. */
static void *
items_on_a_thread(void *arg)
{
    (void)arg;
    kv_item *it[3];
    for (int i = 0; i < 3; i++) {
        it[i] = kv_item_new();
        if (!it[i] || kv_item_put_s(it[i], "t", "thread") != KV_OK)
            return NULL;
    }
    kv_item_free(it[0]);
    kv_item_free(it[1]);
    kv_item *again = kv_item_new(); /* one of the two, emptied */
    bool empty = again && kv_item_count(again) == 0 && !kv_item_get(again, "t");
    kv_item_free(again);
    if (!empty) {
        kv_item_free(it[2]);
        return NULL;
    }
    return it[2];
}

/* Items made after others were freed start empty and hold exactly what is
 * put in them, however much the freed ones held; a member put twice holds
 * the second value; a put that runs out of memory leaves the item as it
 * was; an item made on one thread is freed on another. */
static void
item14_items_after_freed_ones(void **state)
{
    (void)state;
    char *big = xs(2000);
    kv_item *a = kv_item_new(), *b = kv_item_new();
    assert_non_null(a);
    assert_non_null(b);
    for (int i = 0; i < 40; i++) {
        char name[16];
        snprintf(name, sizeof name, "m%d", i);
        assert_int_equal(kv_item_put_s(a, name, big), KV_OK);
    }
    assert_int_equal(kv_item_count(a), 40);
    assert_int_equal(kv_item_put_n(b, "n", "12"), KV_OK);
    kv_item_free(a);
    kv_item_free(b);
    static const char *const vals[3] = {"", "one", "a value of some length, past eight bytes"};
    for (int round = 0; round < 4; round++) {
        kv_item *c[3];
        for (int i = 0; i < 3; i++) {
            c[i] = kv_item_new();
            assert_non_null(c[i]);
            assert_int_equal(kv_item_count(c[i]), 0);
            assert_null(kv_item_get(c[i], "m0"));
            assert_null(kv_item_get(c[i], "n"));
        }
        for (int i = 0; i < 3; i++) {
            assert_int_equal(kv_item_put_s(c[i], "v", vals[(i + round) % 3]), KV_OK);
            assert_int_equal(kv_item_put_s(c[i], "pk", vals[i]), KV_OK);
        }
        for (int i = 0; i < 3; i++) {
            assert_int_equal(kv_item_count(c[i]), 2);
            expect_s(c[i], "v", vals[(i + round) % 3]);
            expect_s(c[i], "pk", vals[i]);
        }
        for (int i = 0; i < 3; i++)
            kv_item_free(c[(i + round) % 3]);
    }

    kv_item *it = kv_item_new();
    assert_int_equal(kv_item_put_s(it, "v", "first"), KV_OK);
    assert_int_equal(kv_item_put_s(it, "w", "other"), KV_OK);
    assert_int_equal(kv_item_put_s(it, "v", "second"), KV_OK);
    assert_int_equal(kv_item_count(it), 2);
    expect_s(it, "v", "second");
    expect_s(it, "w", "other");
    /* Too big for what is left of the item's block: the next allocation
     * is the one that fails. */
    mem_fail_after(1);
    assert_int_equal(kv_item_put_s(it, "v", big), KV_NOMEM);
    assert_int_equal(kv_item_put_s(it, "new", big), KV_NOMEM);
    mem_fail_reset();
    assert_int_equal(kv_item_count(it), 2);
    expect_s(it, "v", "second");
    assert_null(kv_item_get(it, "new"));
    assert_int_equal(kv_item_put_s(it, "new", big), KV_OK);
    expect_s(it, "new", big);
    kv_item_free(it);

    pthread_t th;
    void *made = NULL;
    assert_int_equal(pthread_create(&th, NULL, items_on_a_thread, NULL), 0);
    assert_int_equal(pthread_join(th, &made), 0);
    assert_non_null(made);
    expect_s(made, "t", "thread");
    kv_item_free(made);
    free(big);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(item01_round_trip_all_types, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(item02_number_keys_are_numeric, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(item03_return_values, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(item04_put_validation, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(item05_key_sizes, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(item06_item_size_limit, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(item07_nesting_limit, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(item08_key_schema_mismatch, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(item09_counters, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(item10_consumed_capacity, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(item11_typed_api, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(item12_second_process, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(item13_null_false_normalised, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(item14_items_after_freed_ones, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
