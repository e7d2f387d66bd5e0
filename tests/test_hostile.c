/*
 * test_hostile.c -- requests built to hurt, through the JSON request API:
 * nesting thousands of levels deep, expressions far past 4 KB, a hundred
 * thousand placeholders, bytes that are not UTF-8, NUL characters in names,
 * numbers with thousands of digits.
 *
 * Each is refused with DynamoDB's exception and message, at once (the
 * parser and the decoders stop at their bounds, so no request here costs
 * more than a small multiple of its own size), and nothing is written.
 * The limits themselves, at their edges, are tested beside their modules
 * (test_item, test_expr, test_number, test_batch, test_transact); here the
 * inputs are far past them.
 */
#include "fixture.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NESTING                                                                            \
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested " \
    "levels beyond supported limit"
#define NESTING_ENVELOPED "1 validation error detected: " NESTING
#define MALFORMED_FF "Malformed JSON: unable to decode byte 0xff near '\"a'"

/* A growing string for big requests. */
struct text {
    char *p;
    size_t n, cap;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(t->p + t->n, t->cap - t->n, fmt, ap);
        va_end(ap);
        if ((size_t)n < t->cap - t->n) {
            t->n += (size_t)n;
            return;
        }
        t->cap = t->cap * 2 + (size_t)n + 64;
        t->p = realloc(t->p, t->cap);
        assert_non_null(t->p);
    }
}

static void
add_repeat(struct text *t, const char *s, int times)
{
    for (int i = 0; i < times; i++)
        add(t, "%s", s);
}

/* A value nested `depth` levels of M (or L) deep around an S. */
static void
add_nested(struct text *t, int depth, bool list)
{
    add_repeat(t, list ? "{\"L\":[" : "{\"M\":{\"a\":", depth);
    add(t, "{\"S\":\"x\"}");
    add_repeat(t, list ? "]}" : "}}", depth);
}

static void
create_hostile(struct fx *f)
{
    fx_ok(f, "CreateTable",
          "{\"TableName\":\"Hostile\",\"BillingMode\":\"PAY_PER_REQUEST\","
          "\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}]}");
}

/* Nothing was written: the table holds exactly `n` items. */
static void
expect_count(struct fx *f, int n)
{
    json_t *j = fx_json(f, "Scan", "{\"TableName\":\"Hostile\",\"Select\":\"COUNT\"}");
    assert_int_equal(json_integer_value(json_object_get(j, "Count")), n);
    json_decref(j);
}

static void
expect_error(struct fx *f, const char *op, struct text *t, kv_status st, const char *message)
{
    add(t, "%s", ""); /* NUL-terminate */
    fx_expect_error(f, op, t->p, st, message);
    t->n = 0;
}

/* --- nesting ---------------------------------------------------------------- */

/*
 * However deep, a value nested past 32 levels gets the answer level 33
 * gets: past the decoder's bound (64) and past the JSON parser's (2048
 * levels of JSON), too.
 */
static void
hostile01_deep_nesting(void **state)
{
    struct fx *f = *state;
    create_hostile(f);
    struct text t = {0};
    const int depths[] = {33, 100, 1500, 10000, 100000};
    for (size_t i = 0; i < sizeof depths / sizeof *depths; i++)
        for (int list = 0; list < 2; list++) {
            add(&t, "{\"TableName\":\"Hostile\",\"Item\":{\"id\":{\"S\":\"n\"},\"v\":");
            add_nested(&t, depths[i], list);
            add(&t, "}}");
            expect_error(f, "PutItem", &t, KV_VALIDATION, NESTING_ENVELOPED);
        }
    /* BatchWriteItem says it without the envelope, at any depth. */
    add(&t, "{\"RequestItems\":{\"Hostile\":[{\"PutRequest\":{\"Item\":{\"id\":{\"S\":\"n\"},\"v\":");
    add_nested(&t, 10000, false);
    add(&t, "}}}]}}");
    expect_error(f, "BatchWriteItem", &t, KV_VALIDATION, NESTING);
    add(&t, "{\"TransactItems\":[{\"Put\":{\"TableName\":\"Hostile\",\"Item\":{\"id\":{\"S\":\"n\"},"
            "\"v\":");
    add_nested(&t, 10000, true);
    add(&t, "}}}]}");
    expect_error(f, "TransactWriteItems", &t, KV_VALIDATION, NESTING_ENVELOPED);
    add(&t, "{\"TableName\":\"Hostile\",\"Key\":{\"id\":{\"S\":\"n\"}},\"UpdateExpression\":"
            "\"SET a = :v\",\"ExpressionAttributeValues\":{\":v\":");
    add_nested(&t, 10000, false);
    add(&t, "}}");
    expect_error(f, "UpdateItem", &t, KV_VALIDATION, NESTING_ENVELOPED);
    /* Plain JSON arrays, where a key is expected. */
    add(&t, "{\"TableName\":\"Hostile\",\"Key\":{\"id\":{\"S\":");
    add_repeat(&t, "[", 10000);
    add_repeat(&t, "]", 10000);
    add(&t, "}}}");
    expect_error(f, "GetItem", &t, KV_VALIDATION, NESTING_ENVELOPED);
    free(t.p);
    expect_count(f, 0);
}

/* --- expressions ------------------------------------------------------------ */

static void
hostile02_huge_expressions(void **state)
{
    struct fx *f = *state;
    create_hostile(f);
    struct text t = {0};
    /* A thousand conditions: 30,885 bytes. */
    add(&t, "{\"TableName\":\"Hostile\",\"Item\":{\"id\":{\"S\":\"e\"}},\"ConditionExpression\":\"");
    for (int i = 0; i < 1000; i++)
        add(&t, "%sattribute_not_exists(a%d)", i ? " AND " : "", i);
    add(&t, "\"}");
    expect_error(f, "PutItem", &t, KV_VALIDATION,
                 "Invalid ConditionExpression: Expression size has exceeded the maximum allowed "
                 "size; expression size: 30885");
    /* A megabyte of open brackets: measured, never parsed. */
    add(&t, "{\"TableName\":\"Hostile\",\"Item\":{\"id\":{\"S\":\"e\"}},\"ConditionExpression\":\"");
    add_repeat(&t, "((((((((((((((((", 65536);
    add(&t, "\"}");
    expect_error(f, "PutItem", &t, KV_VALIDATION,
                 "Invalid ConditionExpression: Expression size has exceeded the maximum allowed "
                 "size; expression size: 1048576");
    add(&t, "{\"TableName\":\"Hostile\",\"Key\":{\"id\":{\"S\":\"e\"}},\"UpdateExpression\":\"SET ");
    for (int i = 0; i < 1000; i++)
        add(&t, "%sa%d = :v", i ? ", " : "", i);
    add(&t, "\",\"ExpressionAttributeValues\":{\":v\":{\"S\":\"x\"}}}");
    expect_error(f, "UpdateItem", &t, KV_VALIDATION,
                 "Invalid UpdateExpression: Expression size has exceeded the maximum allowed "
                 "size; expression size: 10892");
    add(&t, "{\"TableName\":\"Hostile\",\"FilterExpression\":\"");
    for (int i = 0; i < 1000; i++)
        add(&t, "%sattribute_exists(a%d)", i ? " OR " : "", i);
    add(&t, "\"}");
    expect_error(f, "Scan", &t, KV_VALIDATION,
                 "Invalid FilterExpression: Expression size has exceeded the maximum allowed "
                 "size; expression size: 25886");
    add(&t, "{\"TableName\":\"Hostile\",\"KeyConditionExpression\":\"");
    for (int i = 0; i < 1000; i++)
        add(&t, "%sid = :v", i ? " AND " : "");
    add(&t, "\",\"ExpressionAttributeValues\":{\":v\":{\"S\":\"x\"}}}");
    expect_error(f, "Query", &t, KV_VALIDATION,
                 "Invalid KeyConditionExpression: Expression size has exceeded the maximum "
                 "allowed size; expression size: 11995");
    add(&t, "{\"TableName\":\"Hostile\",\"Key\":{\"id\":{\"S\":\"e\"}},\"ProjectionExpression\":\"");
    for (int i = 0; i < 1000; i++)
        add(&t, "%sa%d", i ? ", " : "", i);
    add(&t, "\"}");
    expect_error(f, "GetItem", &t, KV_VALIDATION,
                 "Invalid ProjectionExpression: Expression size has exceeded the maximum "
                 "allowed size; expression size: 5888");
    free(t.p);
    expect_count(f, 0);
}

/*
 * A hundred thousand placeholders, none used: the request fails naming
 * every one, in one pass.  (A million cost the expression module one sort,
 * see test_expr's lim07; through JSON, Jansson's parse of the 20 MB request
 * alone takes seconds, which is why this one stops at 100,000.)
 */
static void
hostile03_many_placeholders(void **state)
{
    struct fx *f = *state;
    create_hostile(f);
    struct text t = {0};
    for (int names = 0; names < 2; names++) {
        add(&t, "{\"TableName\":\"Hostile\",\"Item\":{\"id\":{\"S\":\"p\"}},"
                "\"ConditionExpression\":\"attribute_not_exists(id)\",\"%s\":{",
            names ? "ExpressionAttributeNames" : "ExpressionAttributeValues");
        for (int i = 0; i < 100000; i++)
            add(&t, names ? "%s\"#n%d\":\"x\"" : "%s\":v%d\":{\"S\":\"x\"}", i ? "," : "", i);
        add(&t, "}}");
        char *resp = fx_request(f, "PutItem", t.p, KV_VALIDATION);
        kv_free(resp);
        const char *msg = kv_errmsg(f->db);
        char head[128], tail[32];
        snprintf(head, sizeof head,
                 "Value provided in %s unused in expressions: keys: {%s0, %s1, %s2, ",
                 names ? "ExpressionAttributeNames" : "ExpressionAttributeValues",
                 names ? "#n" : ":v", names ? "#n" : ":v", names ? "#n" : ":v");
        snprintf(tail, sizeof tail, ", %s99999}", names ? "#n" : ":v");
        assert_true(strncmp(msg, head, strlen(head)) == 0);
        assert_string_equal(msg + strlen(msg) - strlen(tail), tail);
        /* ", #nN" for each of 100,000 keys, braces and the head: exact. */
        size_t digits = 10 * 1 + 90 * 2 + 900 * 3 + 9000 * 4 + 90000 * 5;
        size_t want = strlen(head) - strlen("#n0, #n1, #n2, ") + 100000 * 4 - 2 + digits + 1;
        assert_int_equal(strlen(msg), want);
        t.n = 0;
    }
    free(t.p);
    expect_count(f, 0);
}

/* --- bytes ------------------------------------------------------------------ */

/* JSON text must be UTF-8: anything else is a SerializationException. */
static void
hostile04_invalid_utf8(void **state)
{
    struct fx *f = *state;
    create_hostile(f);
    fx_expect_error(f, "PutItem", "{\"TableName\":\"Hostile\",\"Item\":{\"id\":{\"S\":\"a\xff\xfe\"}}}",
                    KV_SERIALIZATION, MALFORMED_FF);
    fx_expect_error(f, "PutItem",
                    "{\"TableName\":\"Hostile\",\"Item\":{\"id\":{\"S\":\"a\"},\"b\xc3\x28\":{\"S\":"
                    "\"x\"}}}",
                    KV_SERIALIZATION, "Malformed JSON: unable to decode byte 0xc3 near '\"b'");
    fx_expect_error(f, "PutItem", "{\"TableName\":\"Host\xffile\",\"Item\":{\"id\":{\"S\":\"a\"}}}",
                    KV_SERIALIZATION, "Malformed JSON: unable to decode byte 0xff near '\"Host'");
    fx_expect_error(f, "PutItem",
                    "{\"TableName\":\"Hostile\",\"Item\":{\"id\":{\"S\":\"a\"}},"
                    "\"ConditionExpression\":\"attribute_not_exists(a\xff)\"}",
                    KV_SERIALIZATION, "Malformed JSON: unable to decode byte 0xff");
    /* An escape of half a surrogate pair stands for no character at all. */
    fx_expect_error(f, "PutItem", "{\"TableName\":\"Hostile\",\"Item\":{\"id\":{\"S\":\"\\ud800\"}}}",
                    KV_SERIALIZATION,
                    "Malformed JSON: invalid Unicode '\\uD800' near '\"\\ud800\"'");
    expect_count(f, 0);
}

/*
 * JSON's \u0000 is a character like any other in values and in names given
 * through ExpressionAttributeNames, as in DynamoDB.  Names that must match
 * a pattern (tables, indexes) fail it, with the NUL shown as its escape.
 * Two places refuse it where DynamoDB would not: JSON object keys (Jansson
 * cannot hold them, so an attribute name with a NUL must come through a
 * placeholder), and names in a key schema or projection, which the catalog
 * keeps as C strings.
 */
static void
hostile05_nul_characters(void **state)
{
    struct fx *f = *state;
    create_hostile(f);
    fx_expect_error(f, "PutItem", "{\"TableName\":\"Host\\u0000ile\",\"Item\":{\"id\":{\"S\":\"a\"}}}",
                    KV_VALIDATION,
                    "1 validation error detected: Value 'Host\\u0000ile' at 'tableName' failed to "
                    "satisfy constraint: Member must satisfy regular expression pattern: "
                    "[a-zA-Z0-9_.-]+");
    fx_expect_error(f, "Query",
                    "{\"TableName\":\"Hostile\",\"IndexName\":\"I\\u0000x\","
                    "\"KeyConditionExpression\":\"id = :v\","
                    "\"ExpressionAttributeValues\":{\":v\":{\"S\":\"1\"}}}",
                    KV_VALIDATION,
                    "1 validation error detected: Value 'I\\u0000x' at 'indexName' failed to "
                    "satisfy constraint: Member must satisfy regular expression pattern: "
                    "[a-zA-Z0-9_.-]+");
    fx_expect_error(f, "Scan", "{\"TableName\":\"Hostile\",\"Select\":\"COUNT\\u0000\"}",
                    KV_VALIDATION,
                    "1 validation error detected: Value 'COUNT\\u0000' at 'select' failed to "
                    "satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, "
                    "COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]");
    fx_expect_error(
        f, "CreateTable",
        "{\"TableName\":\"Other\",\"BillingMode\":\"PAY_PER_REQUEST\",\"AttributeDefinitions\":"
        "[{\"AttributeName\":\"i\\u0000d\",\"AttributeType\":\"S\"}],\"KeySchema\":"
        "[{\"AttributeName\":\"i\\u0000d\",\"KeyType\":\"HASH\"}]}",
        KV_VALIDATION,
        "2 validation errors detected: Value 'i\\u0000d' at "
        "'attributeDefinitions.1.member.attributeName' failed to satisfy constraint: Member "
        "must not contain the NUL character; Value 'i\\u0000d' at "
        "'keySchema.1.member.attributeName' failed to satisfy constraint: Member must not "
        "contain the NUL character");
    fx_expect_error(f, "PutItem",
                    "{\"TableName\":\"Hostile\",\"Item\":{\"id\":{\"S\":\"a\"},\"x\\u0000y\":{\"S\":"
                    "\"v\"}}}",
                    KV_SERIALIZATION,
                    "Malformed JSON: NUL byte in object key not supported near '\"x\\u0000y\"'");
    expect_count(f, 0);
    /* Values and placeholder names keep their NULs, byte for byte. */
    fx_ok(f, "PutItem",
          "{\"TableName\":\"Hostile\",\"Item\":{\"id\":{\"S\":\"a\\u0000b\"},"
          "\"s\":{\"SS\":[\"x\\u0000\",\"x\"]}}}");
    fx_ok(f, "UpdateItem",
          "{\"TableName\":\"Hostile\",\"Key\":{\"id\":{\"S\":\"a\\u0000b\"}},"
          "\"UpdateExpression\":\"SET #n = :v\",\"ExpressionAttributeNames\":{\"#n\":\"x\\u0000y\"},"
          "\"ExpressionAttributeValues\":{\":v\":{\"S\":\"\\u0000\"}}}");
    fx_reopen(f);
    char *got = fx_request(f, "GetItem",
                           "{\"TableName\":\"Hostile\",\"Key\":{\"id\":{\"S\":\"a\\u0000b\"}}}",
                           KV_OK);
    /* Compared as text: Jansson cannot parse a key holding \u0000. */
    assert_string_equal(got, "{\"Item\":{\"id\":{\"S\":\"a\\u0000b\"},\"s\":{\"SS\":[\"x\\u0000\","
                             "\"x\"]},\"x\\u0000y\":{\"S\":\"\\u0000\"}}}");
    kv_free(got);
    /* "a" is another key. */
    got = fx_request(f, "GetItem", "{\"TableName\":\"Hostile\",\"Key\":{\"id\":{\"S\":\"a\"}}}",
                     KV_OK);
    fx_assert_json(got, "{}");
    kv_free(got);
    expect_count(f, 1);
}

/* --- numbers ---------------------------------------------------------------- */

static void
hostile06_long_numbers(void **state)
{
    struct fx *f = *state;
    create_hostile(f);
    struct text t = {0};
    const char *put = "{\"TableName\":\"Hostile\",\"Item\":{\"id\":{\"S\":\"n\"},\"n\":{\"N\":\"";
    add(&t, "%s1", put);
    add_repeat(&t, "0", 5000);
    add(&t, "\"}}}");
    expect_error(f, "PutItem", &t, KV_VALIDATION,
                 "Number overflow. Attempting to store a number with magnitude larger than "
                 "supported range");
    add(&t, "%s1", put);
    add_repeat(&t, "0", 1000000);
    add(&t, "\"}}}");
    expect_error(f, "PutItem", &t, KV_VALIDATION,
                 "Number overflow. Attempting to store a number with magnitude larger than "
                 "supported range");
    add(&t, "%s1E999999999999999999999\"}}}", put);
    expect_error(f, "PutItem", &t, KV_VALIDATION,
                 "Number overflow. Attempting to store a number with magnitude larger than "
                 "supported range");
    add(&t, "%s0.", put);
    add_repeat(&t, "0", 5000);
    add(&t, "1\"}}}");
    expect_error(f, "PutItem", &t, KV_VALIDATION,
                 "Number underflow. Attempting to store a number with magnitude smaller than "
                 "supported range");
    add(&t, "%s1.", put);
    add_repeat(&t, "123456789", 555);
    add(&t, "\"}}}");
    expect_error(f, "PutItem", &t, KV_VALIDATION,
                 "Attempting to store more than 38 significant digits in a Number");
    add(&t, "{\"TableName\":\"Hostile\",\"Key\":{\"id\":{\"S\":\"n\"}},\"UpdateExpression\":"
            "\"SET a = :v\",\"ExpressionAttributeValues\":{\":v\":{\"N\":\"1.");
    add_repeat(&t, "123456789", 555);
    add(&t, "\"}}}");
    expect_error(f, "UpdateItem", &t, KV_VALIDATION,
                 "ExpressionAttributeValues contains invalid value: Attempting to store more "
                 "than 38 significant digits in a Number for key :v");
    expect_count(f, 0);
    /* Thousands of digits that are only zeros are fine: 1 then 5000 zeros,
     * times 10^-4990, is 10^10. */
    add(&t, "%s1", put);
    add_repeat(&t, "0", 5000);
    add(&t, "E-4990\"}}}");
    add(&t, "%s", "");
    fx_ok(f, "PutItem", t.p);
    char *got = fx_request(f, "GetItem", "{\"TableName\":\"Hostile\",\"Key\":{\"id\":{\"S\":\"n\"}}}",
                           KV_OK);
    fx_assert_json(got, "{\"Item\":{\"id\":{\"S\":\"n\"},\"n\":{\"N\":\"10000000000\"}}}");
    kv_free(got);
    free(t.p);
}

/*
 * The typed API builds any depth; the request is refused as through JSON,
 * and nothing recurses as deep as the value (checks stop at level 33).
 */
static void
hostile07_typed_nesting(void **state)
{
    struct fx *f = *state;
    create_hostile(f);
    const int depths[] = {33, 10000, 100000};
    for (size_t i = 0; i < sizeof depths / sizeof *depths; i++) {
        kv_item *item = kv_item_new();
        assert_non_null(item);
        assert_int_equal(kv_item_put_s(item, "id", "t"), KV_OK);
        kv_value *v = kv_value_new_s(item, "x", 1);
        for (int d = 0; d < depths[i]; d++) {
            kv_value *l = kv_value_new_container(item, i % 2 ? KV_L : KV_M);
            assert_non_null(l);
            if (i % 2)
                assert_int_equal(kv_value_push(item, l, v), KV_OK);
            else
                assert_int_equal(kv_value_put(item, l, "a", v), KV_OK);
            v = l;
        }
        assert_int_equal(kv_item_put(item, "v", v), KV_OK);
        assert_int_equal(kv_put_item(f->db, "Hostile", item, NULL, NULL), KV_VALIDATION);
        assert_string_equal(kv_errmsg(f->db), NESTING_ENVELOPED);
        kv_item_free(item);
    }
    expect_count(f, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(hostile01_deep_nesting, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(hostile02_huge_expressions, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(hostile03_many_placeholders, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(hostile04_invalid_utf8, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(hostile05_nul_characters, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(hostile06_long_numbers, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(hostile07_typed_nesting, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
