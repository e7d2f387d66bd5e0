/*
 * test_value_json.c -- DynamoDB JSON AttributeValues: decoding of every
 * type, the serialization and validation errors with DynamoDB's exact
 * exceptions and messages, base64 strictness, the depth bound, encoding,
 * round trips, large documents and allocation failures.
 */
#include "fixture.h"
#include "arena.h"
#include "err.h"
#include "json_out.h"
#include "mem.h"
#include "value.h"
#include "value_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NESTING                                                                                    \
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "    \
    "beyond supported limit"

static json_t *
parse(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!j)
        fail_msg("bad test JSON: %s: %s", jerr.text, text);
    return j;
}

/* Decode one AttributeValue from text; expect status and message. */
static void
json_expect_value(const char *text, kv_status st, const char *msg)
{
    struct arena *a = arena_new();
    json_t *j = parse(text);
    struct kv_value v;
    struct kv_err e;
    err_init(&e);
    kv_status got = value_from_json(a, j, &v, &e);
    if (got != st || strcmp(err_message(&e), msg) != 0)
        fail_msg("%s: got %s '%s', want %s '%s'", text, kv_status_name(got), err_message(&e),
                 kv_status_name(st), msg);
    err_clear(&e);
    json_decref(j);
    arena_free(a);
}

static void
json_expect_item(const char *text, kv_status st, const char *msg)
{
    struct arena *a = arena_new();
    json_t *j = parse(text);
    struct kv_value v;
    struct kv_err e;
    err_init(&e);
    kv_status got = item_from_json(a, j, &v, &e);
    if (got != st || strcmp(err_message(&e), msg) != 0)
        fail_msg("%s: got %s '%s', want %s '%s'", text, kv_status_name(got), err_message(&e),
                 kv_status_name(st), msg);
    err_clear(&e);
    json_decref(j);
    arena_free(a);
}

static void
json_expect_ser(const char *text, const char *msg)
{
    json_expect_value(text, KV_SERIALIZATION, msg);
}

/* Decode text as one AttributeValue that must be valid. */
static struct kv_value
decode_ok(struct arena *a, const char *text)
{
    json_t *j = parse(text);
    struct kv_value v;
    struct kv_err e;
    err_init(&e);
    kv_status st = value_from_json(a, j, &v, &e);
    if (st != KV_OK)
        fail_msg("%s: %s", text, err_message(&e));
    err_clear(&e);
    json_decref(j);
    return v;
}

/* Compact, key-sorted JSON text of an encoded value (caller frees). */
static char *
dump(json_t *j)
{
    assert_non_null(j);
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref(j);
    assert_non_null(s);
    return s;
}

static void
expect_round_trip(const char *text, const char *want)
{
    struct arena *a = arena_new();
    struct kv_value v = decode_ok(a, text);
    char *s = dump(value_to_json(&v));
    if (strcmp(s, want) != 0)
        fail_msg("%s: encoded %s, want %s", text, s, want);
    free(s);
    arena_free(a);
}

/* Copy tmpl into out with its '@' replaced by x. */
static void
fill(char *out, size_t cap, const char *tmpl, const char *x)
{
    const char *at = strchr(tmpl, '@');
    snprintf(out, cap, "%.*s%s%s", (int)(at - tmpl), tmpl, x, at + 1);
}

/* --- every type, both ways ---------------------------------------------------- */

static void
json01_scalars(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value v = decode_ok(a, "{\"S\":\"h\\u00e9llo\"}");
    assert_int_equal(v.type, KV_S);
    assert_int_equal(v.len, 6);
    assert_memory_equal(v.u.bytes, "h\xc3\xa9llo", 7); /* NUL-terminated */
    v = decode_ok(a, "{\"N\":\"-0012.50e1\"}");
    assert_int_equal(v.type, KV_N);
    assert_string_equal(v.u.bytes, "-125");
    v = decode_ok(a, "{\"B\":\"AAH/\"}");
    assert_int_equal(v.type, KV_B);
    assert_int_equal(v.len, 3);
    assert_memory_equal(v.u.bytes, "\x00\x01\xff", 4);
    v = decode_ok(a, "{\"B\":\"\"}");
    assert_int_equal(v.type, KV_B);
    assert_int_equal(v.len, 0);
    v = decode_ok(a, "{\"BOOL\":false}");
    assert_int_equal(v.type, KV_BOOL);
    assert_false(v.boolean);
    v = decode_ok(a, "{\"BOOL\":true}");
    assert_true(v.boolean);
    v = decode_ok(a, "{\"NULL\":true}");
    assert_int_equal(v.type, KV_NULL);
    assert_true(v.boolean);
    arena_free(a);
}

static void
json02_sets(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value v = decode_ok(a, "{\"SS\":[\"b\",\"a\",\"\"]}");
    assert_int_equal(v.type, KV_SS);
    assert_int_equal(v.len, 3);
    assert_int_equal(v.u.elems[0].type, KV_S);
    assert_string_equal(v.u.elems[1].u.bytes, "a");
    assert_int_equal(v.u.elems[2].len, 0);
    v = decode_ok(a, "{\"NS\":[\"1.0\",\"-2E3\",\"0.000\"]}");
    assert_int_equal(v.type, KV_NS);
    assert_string_equal(v.u.elems[0].u.bytes, "1");
    assert_string_equal(v.u.elems[1].u.bytes, "-2000");
    assert_string_equal(v.u.elems[2].u.bytes, "0");
    v = decode_ok(a, "{\"BS\":[\"YQ==\",\"YWI=\",\"\"]}");
    assert_int_equal(v.type, KV_BS);
    assert_int_equal(v.u.elems[0].type, KV_B);
    assert_string_equal(v.u.elems[1].u.bytes, "ab");
    assert_int_equal(v.u.elems[2].len, 0);
    /* Shape only: an empty set decodes; value_check refuses it. */
    v = decode_ok(a, "{\"SS\":[]}");
    assert_int_equal(v.type, KV_SS);
    assert_int_equal(v.len, 0);
    arena_free(a);
}

static void
json03_containers(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value v =
        decode_ok(a, "{\"M\":{\"z\":{\"L\":[{\"S\":\"x\"},{\"M\":{}}]},\"a\":{\"L\":[]}}}");
    assert_int_equal(v.type, KV_M);
    assert_int_equal(v.len, 2);
    /* Members keep their order. */
    assert_string_equal(v.u.members[0].name, "z");
    assert_string_equal(v.u.members[1].name, "a");
    struct kv_value *l = &v.u.members[0].value;
    assert_int_equal(l->type, KV_L);
    assert_int_equal(l->len, 2);
    assert_int_equal(l->u.elems[1].type, KV_M);
    assert_int_equal(l->u.elems[1].len, 0);
    assert_int_equal(v.u.members[1].value.len, 0);

    json_t *j = parse("{\"k\":{\"S\":\"1\"},\"n\":{\"N\":\"2\"}}");
    struct kv_value item;
    struct kv_err e;
    err_init(&e);
    assert_int_equal(item_from_json(a, j, &item, &e), KV_OK);
    assert_int_equal(item.type, KV_M);
    assert_int_equal(item.len, 2);
    assert_int_equal(value_map_get(&item, "n", 1)->type, KV_N);
    json_decref(j);
    /* An absent item is an empty map. */
    assert_int_equal(item_from_json(a, NULL, &item, &e), KV_OK);
    assert_int_equal(item.type, KV_M);
    assert_int_equal(item.len, 0);
    err_clear(&e);
    arena_free(a);
}

static void
json04_encode_every_type(void **state)
{
    (void)state;
    expect_round_trip("{\"S\":\"x\"}", "{\"S\":\"x\"}");
    expect_round_trip("{\"N\":\"+1.2300E2\"}", "{\"N\":\"123\"}");
    expect_round_trip("{\"N\":\"-0.00\"}", "{\"N\":\"0\"}");
    expect_round_trip("{\"B\":\"AAH/\"}", "{\"B\":\"AAH/\"}");
    expect_round_trip("{\"B\":\"YQ==\"}", "{\"B\":\"YQ==\"}");
    expect_round_trip("{\"BOOL\":\"yes\"}", "{\"BOOL\":true}");
    expect_round_trip("{\"NULL\":true}", "{\"NULL\":true}");
    expect_round_trip("{\"SS\":[\"a\",\"b\"]}", "{\"SS\":[\"a\",\"b\"]}");
    expect_round_trip("{\"NS\":[\"10\",\"1e1\"]}", "{\"NS\":[\"10\",\"10\"]}");
    expect_round_trip("{\"BS\":[\"AA==\"]}", "{\"BS\":[\"AA==\"]}");
    expect_round_trip("{\"L\":[{\"S\":\"a\"},{\"L\":[]}]}", "{\"L\":[{\"S\":\"a\"},{\"L\":[]}]}");
    expect_round_trip("{\"M\":{\"b\":{\"N\":\"1\"},\"a\":{\"M\":{}}}}",
                      "{\"M\":{\"a\":{\"M\":{}},\"b\":{\"N\":\"1\"}}}");
}

static void
json05_encode_built_tree(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value item, *v, l;
    value_init(&item, KV_M);
    value_set_bytes(a, value_map_put(a, &item, "n", 1, true), KV_N, "007.10", 6);
    value_set_bytes(a, value_map_put(a, &item, "b", 1, true), KV_B, "\xfb\xff", 2);
    v = value_map_put(a, &item, "l", 1, true);
    value_init(&l, KV_L);
    value_set_bool(value_push(a, &l), false);
    value_init(value_push(a, &l), KV_NULL);
    *v = l;
    char *s = dump(item_to_json(&item));
    assert_string_equal(s,
                        "{\"b\":{\"B\":\"+/8=\"},\"l\":{\"L\":[{\"BOOL\":false},{\"NULL\":true}]},"
                        "\"n\":{\"N\":\"7.1\"}}");
    free(s);
    /* A value that is not an item is no item. */
    assert_null(item_to_json(&l));
    arena_free(a);
}

static void
json06_round_trip_document(void **state)
{
    (void)state;
    const char *doc =
        "{\"id\":{\"S\":\"user#1\"},\"age\":{\"N\":\"42\"},\"pic\":{\"B\":\"iVBORw0KGgo=\"},"
        "\"ok\":{\"BOOL\":true},\"gone\":{\"NULL\":true},\"tags\":{\"SS\":[\"a\",\"b\"]},"
        "\"scores\":{\"NS\":[\"1.5\",\"-3\"]},\"blobs\":{\"BS\":[\"AQ==\",\"Ag==\"]},"
        "\"doc\":{\"M\":{\"list\":{\"L\":[{\"M\":{\"deep\":{\"L\":[{\"N\":\"0.001\"},"
        "{\"S\":\"\"}]}}},{\"NULL\":true}]},\"empty\":{\"M\":{}}}}}";
    struct arena *a = arena_new();
    json_t *j = parse(doc);
    struct kv_value item;
    struct kv_err e;
    err_init(&e);
    assert_int_equal(item_from_json(a, j, &item, &e), KV_OK);
    assert_int_equal(value_check(&item, 0, &e), KV_OK);
    json_t *back = item_to_json(&item);
    assert_non_null(back);
    assert_true(json_equal(j, back));
    /* Decoding the encoding gives an equal tree. */
    struct kv_value again;
    assert_int_equal(item_from_json(a, back, &again, &e), KV_OK);
    assert_true(value_equal(&item, &again));
    json_decref(back);
    json_decref(j);
    err_clear(&e);
    arena_free(a);
}

/* --- booleans ------------------------------------------------------------------ */

static void
json07_bool_words(void **state)
{
    (void)state;
    static const char *const yes[] = {"true", "TRUE", "True", "1", "yes", "YeS"};
    static const char *const no[] = {"false", "FALSE", "0", "no", "NO", "nO"};
    struct arena *a = arena_new();
    char text[64];
    for (size_t i = 0; i < 6; i++) {
        snprintf(text, sizeof text, "{\"BOOL\":\"%s\"}", yes[i]);
        assert_true(decode_ok(a, text).boolean);
        snprintf(text, sizeof text, "{\"NULL\":\"%s\"}", no[i]);
        struct kv_value v = decode_ok(a, text);
        assert_int_equal(v.type, KV_NULL);
        assert_false(v.boolean); /* value_check refuses it later */
    }
    arena_free(a);
    json_expect_ser("{\"BOOL\":\"maybe\"}", "Unexpected token received from parser");
    json_expect_ser("{\"BOOL\":\"23\"}", "Unexpected token received from parser");
    json_expect_ser("{\"NULL\":\"\"}", "Unexpected token received from parser");
    json_expect_ser("{\"BOOL\":\" true\"}", "Unexpected token received from parser");
    json_expect_ser("{\"BOOL\":23}", "NUMBER_VALUE cannot be converted to Boolean");
    json_expect_ser("{\"NULL\":-2147483648}", "NUMBER_VALUE cannot be converted to Boolean");
    json_expect_ser("{\"BOOL\":2147483648}", "NUMBER_VALUE cannot be converted to Boolean");
    json_expect_ser("{\"BOOL\":34.56}", "DECIMAL_VALUE cannot be converted to Boolean");
    json_expect_ser("{\"BOOL\":1e3}", "DECIMAL_VALUE cannot be converted to Boolean");
    json_expect_ser("{\"BOOL\":[]}", "Unrecognized collection type class java.lang.Boolean");
    json_expect_ser("{\"NULL\":{}}", "Start of structure or map found where not expected");
}

/* --- shape errors ------------------------------------------------------------ */

static void
json08_string_shape_errors(void **state)
{
    (void)state;
    static const char *const where[] = {"{\"S\":@}", "{\"N\":@}", "{\"SS\":[\"a\",@]}",
                                        "{\"NS\":[@]}"};
    static const char *const bad[][2] = {
        {"5", "NUMBER_VALUE cannot be converted to String"},
        {"-2147483648", "NUMBER_VALUE cannot be converted to String"},
        {"2147483648", "NUMBER_VALUE cannot be converted to String"},
        {"34.56", "DECIMAL_VALUE cannot be converted to String"},
        {"1e3", "DECIMAL_VALUE cannot be converted to String"},
        {"true", "TRUE_VALUE cannot be converted to String"},
        {"false", "FALSE_VALUE cannot be converted to String"},
        {"[]", "Unrecognized collection type class java.lang.String"},
        {"{}", "Start of structure or map found where not expected"},
    };
    char text[64];
    for (size_t w = 0; w < 4; w++)
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            fill(text, sizeof text, where[w], bad[b][0]);
            json_expect_ser(text, bad[b][1]);
        }
}

static void
json09_blob_shape_errors(void **state)
{
    (void)state;
    static const char *const where[] = {"{\"B\":@}", "{\"BS\":[\"AA==\",@]}"};
    static const char *const bad[][2] = {
        {"23", "only base-64-encoded strings are convertible to bytes"},
        {"-2147483648", "only base-64-encoded strings are convertible to bytes"},
        {"34.56", "only base-64-encoded strings are convertible to bytes"},
        {"true", "only base-64-encoded strings are convertible to bytes"},
        {"false", "only base-64-encoded strings are convertible to bytes"},
        {"[]", "Unrecognized collection type class java.nio.ByteBuffer"},
        {"{}", "Start of structure or map found where not expected"},
    };
    char text[64];
    for (size_t w = 0; w < 2; w++)
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            fill(text, sizeof text, where[w], bad[b][0]);
            json_expect_ser(text, bad[b][1]);
        }
}

#define AV_COLLECTION                                                                              \
    "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue"
#define MAP_COLLECTION                                                                             \
    "Unrecognized collection type java.util.Map<java.lang.String, "                                \
    "com.amazonaws.dynamodb.v20120810.AttributeValue>"

static void
json_expect_field(const char *text, kv_status st, const char *msg)
{
    struct arena *a = arena_new();
    json_t *j = parse(text);
    struct kv_value v;
    struct kv_err e;
    err_init(&e);
    kv_status got = value_field_from_json(a, j, &v, &e);
    if (got != st || strcmp(err_message(&e), msg) != 0)
        fail_msg("%s: got %s '%s', want %s '%s'", text, kv_status_name(got), err_message(&e),
                 kv_status_name(st), msg);
    err_clear(&e);
    json_decref(j);
    arena_free(a);
}

static void
json10_container_shape_errors(void **state)
{
    (void)state;
    static const char *const lists[] = {"L", "SS", "NS", "BS"};
    static const char *const scalars[] = {"\"23\"", "true", "false", "23", "-2147483648", "34.56"};
    char text[64];
    for (size_t l = 0; l < 4; l++) {
        for (size_t s = 0; s < 6; s++) {
            snprintf(text, sizeof text, "{\"%s\":%s}", lists[l], scalars[s]);
            json_expect_ser(text, "Unexpected field type");
        }
        snprintf(text, sizeof text, "{\"%s\":{}}", lists[l]);
        json_expect_ser(text, "Start of structure or map found where not expected");
    }
    for (size_t s = 0; s < 6; s++) {
        snprintf(text, sizeof text, "{\"M\":%s}", scalars[s]);
        json_expect_ser(text, "Unexpected field type");
        /* Where an AttributeValue should be: as a value, or as a field. */
        json_expect_ser(scalars[s], "Unexpected value type in payload");
        json_expect_field(scalars[s], KV_SERIALIZATION, "Unexpected field type");
        snprintf(text, sizeof text, "{\"L\":[%s]}", scalars[s]);
        json_expect_ser(text, "Unexpected value type in payload");
        snprintf(text, sizeof text, "{\"M\":{\"a\":%s}}", scalars[s]);
        json_expect_ser(text, "Unexpected value type in payload");
        snprintf(text, sizeof text, "{\"a\":%s}", scalars[s]);
        json_expect_item(text, KV_SERIALIZATION, "Unexpected value type in payload");
        /* Where an item should be. */
        json_expect_item(scalars[s], KV_SERIALIZATION, "Unexpected field type");
    }
    json_expect_ser("{\"M\":[]}", MAP_COLLECTION);
    json_expect_ser("[]", AV_COLLECTION);
    json_expect_field("[]", KV_SERIALIZATION, AV_COLLECTION);
    json_expect_ser("{\"L\":[[]]}", AV_COLLECTION);
    json_expect_ser("{\"M\":{\"a\":[]}}", AV_COLLECTION);
    json_expect_item("[]", KV_SERIALIZATION, MAP_COLLECTION);
    json_expect_item("{\"a\":[{\"S\":\"x\"}]}", KV_SERIALIZATION, AV_COLLECTION);
    /* Inside, a field AttributeValue is like any other. */
    json_expect_field("{\"L\":[5]}", KV_SERIALIZATION, "Unexpected value type in payload");
    json_expect_field("{\"S\":\"x\"}", KV_OK, "");
}

static void
json11_base64_errors(void **state)
{
    (void)state;
#define LENGTH "Base64 encoded length is expected a multiple of 4 bytes but found: "
#define LAST "Invalid last non-pad Base64 character dectected"
    json_expect_ser("{\"B\":\"23456\"}", LENGTH "5");
    json_expect_ser("{\"B\":\"A\"}", LENGTH "1");
    /* Java counts UTF-16 units: three two-byte characters are 3, not 6,
     * and a character outside the BMP is 2. */
    json_expect_ser("{\"B\":\"\\u00e9\\u00e9\\u00e9\"}", LENGTH "3");
    json_expect_ser("{\"B\":\"\\ud83d\\ude00A\"}", LENGTH "3");
    /* Padding is checked before the alphabet. */
    json_expect_ser("{\"B\":\"=+/=\"}", LAST);
    json_expect_ser("{\"B\":\"+/+=\"}", LAST);
    json_expect_ser("{\"B\":\"AR==\"}", LAST);
    json_expect_ser("{\"B\":\"AAB=\"}", LAST);
    json_expect_ser("{\"B\":\"*AB=\"}", LAST);
    json_expect_ser("{\"B\":\"A===\"}", LAST);
    json_expect_ser("{\"B\":\"====\"}", LAST);
    json_expect_ser("{\"B\":\"AAAA====\"}", LAST);
    json_expect_ser("{\"BS\":[\"AA==\",\"AAB=\"]}", LAST);
    json_expect_ser("{\"B\":\"AB=C\"}", "Invalid Base64 character: '='");
    json_expect_ser("{\"B\":\"AB*D\"}", "Invalid Base64 character: '*'");
    json_expect_ser("{\"B\":\"*A==\"}", "Invalid Base64 character: '*'");
    json_expect_ser("{\"B\":\"AB D\"}", "Invalid Base64 character: ' '");
    json_expect_ser("{\"B\":\"A-_A\"}", "Invalid Base64 character: '-'");
    json_expect_ser("{\"B\":\"AA*=\"}", "Invalid Base64 character: '*'");
    json_expect_ser("{\"B\":\"\\u00e9AAA\"}", "Invalid Base64 character: '\xc3\xa9'");
    json_expect_ser("{\"B\":\"\\ud83d\\ude00AA\"}", "Invalid Base64 character: '\xf0\x9f\x98\x80'");
#undef LENGTH
#undef LAST
    /* What passes decodes exactly. */
    struct arena *a = arena_new();
    struct kv_value v = decode_ok(a, "{\"BS\":[\"+/8=\",\"AAAA\",\"AQI=\"]}");
    assert_memory_equal(v.u.elems[0].u.bytes, "\xfb\xff", 3);
    assert_int_equal(v.u.elems[1].len, 3);
    assert_memory_equal(v.u.elems[2].u.bytes, "\x01\x02", 3);
    arena_free(a);
}

/* --- validation failures found while decoding ---------------------------------- */

#define EMPTY                                                                                      \
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
#define MULTI                                                                                      \
    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "    \
    "supported datatypes"

static void
json12_empty_and_multiple_types(void **state)
{
    (void)state;
    json_expect_value("{}", KV_VALIDATION, EMPTY);
    json_expect_value("null", KV_VALIDATION, EMPTY);
    /* Unknown members are ignored whatever they hold, and type names are
     * case-sensitive. */
    json_expect_value("{\"X\":1}", KV_VALIDATION, EMPTY);
    json_expect_value("{\"a\":\"\"}", KV_VALIDATION, EMPTY);
    json_expect_value("{\"s\":\"x\"}", KV_VALIDATION, EMPTY);
    json_expect_value("{\"S\":\"a\",\"X\":[1,{}]}", KV_OK, "");
    /* JSON null members count as absent. */
    json_expect_value("{\"S\":null}", KV_VALIDATION, EMPTY);
    json_expect_value("{\"S\":null,\"N\":\"1\"}", KV_OK, "");
    json_expect_value("{\"S\":\"a\",\"N\":\"1\"}", KV_VALIDATION, MULTI);
    json_expect_value("{\"NULL\":true,\"BOOL\":false,\"M\":{}}", KV_VALIDATION, MULTI);
    json_expect_item("{\"k\":{\"S\":\"a\"},\"a\":{}}", KV_VALIDATION, EMPTY);
    json_expect_value("{\"L\":[{\"S\":\"a\"},{}]}", KV_VALIDATION, EMPTY);
    json_expect_value("{\"M\":{\"x\":{\"S\":\"a\",\"B\":\"\"}}}", KV_VALIDATION, MULTI);

    struct arena *a = arena_new();
    struct kv_value v = decode_ok(a, "{\"S\":null,\"N\":\"1\",\"Q\":5}");
    assert_int_equal(v.type, KV_N);
    arena_free(a);
}

static void
json13_type_errors_beat_validation(void **state)
{
    (void)state;
    /* A type error anywhere wins over an empty or multi-typed value met
     * earlier: DynamoDB deserializes the whole request first. */
    json_expect_item("{\"a\":{},\"b\":{\"S\":5}}", KV_SERIALIZATION,
                     "NUMBER_VALUE cannot be converted to String");
    json_expect_value("{\"S\":\"a\",\"N\":5}", KV_SERIALIZATION,
                      "NUMBER_VALUE cannot be converted to String");
    json_expect_value("{\"L\":[{},{\"B\":\"A\"}]}", KV_SERIALIZATION,
                      "Base64 encoded length is expected a multiple of 4 bytes but found: 1");
    /* Of two validation failures, the first is reported. */
    json_expect_value("{\"L\":[{\"S\":\"a\",\"N\":\"1\"},{}]}", KV_VALIDATION, MULTI);
}

static void
json14_null_elements(void **state)
{
    (void)state;
    json_expect_item("{\"a\":null}", KV_VALIDATION, EMPTY);
    json_expect_value("{\"L\":[null]}", KV_VALIDATION, EMPTY);
    json_expect_value("{\"M\":{\"a\":null}}", KV_VALIDATION, EMPTY);
    json_expect_value("{\"NS\":[\"1\",null]}", KV_VALIDATION,
                      "The parameter cannot be converted to a numeric value");
    json_expect_value("{\"BS\":[null]}", KV_VALIDATION,
                      "One or more parameter values were invalid: Binary sets may not contain null "
                      "or empty values");
    json_expect_value(
        "{\"SS\":[null]}", KV_VALIDATION,
        "One or more parameter values were invalid: An string set may not have a empty "
        "string as a member");
    json_expect_item("null", KV_OK, "");
}

static void
json15_type_key_in_maps(void **state)
{
    (void)state;
    /* "__type" names the type of a wire-format object, so DynamoDB cannot
     * read it as a map key. */
    json_expect_value("{\"M\":{\"a\":{\"S\":\"x\"},\"__type\":{\"S\":\"Date\"}}}", KV_SERIALIZATION,
                      "No assembly name on stack!");
    json_expect_item("{\"__type\":{\"S\":\"Date\"}}", KV_SERIALIZATION,
                     "No assembly name on stack!");
    json_expect_item(
        "{\"_type\":{\"S\":\"Date\"},\"__typ\":{\"S\":\"x\"},\"___type\":{\"S\":\"y\"}}", KV_OK,
        "");
}

static void
json16_numbers_kept_for_value_check(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    /* Decoding checks shape only: bad numbers are kept verbatim so that
     * value_check can quote them in DynamoDB's message. */
    static const char *const bad[] = {
        "abc", "", " 1", "1e400", "0x10", "NaN", "1234567890123456789012345678901234567890"};
    char text[128];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, "{\"N\":\"%s\"}", bad[i]);
        struct kv_value v = decode_ok(a, text);
        assert_int_equal(v.type, KV_N);
        assert_string_equal(v.u.bytes, bad[i]);
        struct kv_err e;
        err_init(&e);
        assert_int_equal(value_check(&v, 0, &e), KV_VALIDATION);
        err_clear(&e);
    }
    struct kv_value v = decode_ok(a, "{\"N\":\"abc\"}");
    struct kv_err e;
    err_init(&e);
    value_check(&v, 0, &e);
    assert_string_equal(err_message(&e),
                        "The parameter cannot be converted to a numeric value: abc");
    err_clear(&e);
    arena_free(a);
}

static void
json17_nul_bytes(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    /* Jansson's parser refuses NULs in keys, but its objects hold them. */
    json_t *j = parse("{\"c\":{\"SS\":[\"\\u0000\"]}}");
    json_object_setn_new(j, "a\0b", 3, parse("{\"S\":\"x\\u0000y\"}"));
    struct kv_value item;
    struct kv_err e;
    err_init(&e);
    assert_int_equal(item_from_json(a, j, &item, &e), KV_OK);
    assert_int_equal(item.u.members[1].name_len, 3);
    assert_memory_equal(item.u.members[1].name, "a\0b", 4);
    assert_int_equal(item.u.members[1].value.len, 3);
    assert_memory_equal(item.u.members[1].value.u.bytes, "x\0y", 4);
    assert_int_equal(item.u.members[0].value.u.elems[0].len, 1);
    /* json_equal cannot compare keys with NULs, so look the member up. */
    json_t *back = item_to_json(&item);
    assert_non_null(back);
    json_t *s = json_object_get(json_object_getn(back, "a\0b", 3), "S");
    assert_int_equal(json_string_length(s), 3);
    assert_memory_equal(json_string_value(s), "x\0y", 3);
    assert_true(json_equal(json_object_get(j, "c"), json_object_get(back, "c")));
    json_decref(back);
    json_decref(j);
    err_clear(&e);
    arena_free(a);
}

/* --- bounds ---------------------------------------------------------------------- */

/* {"L":[{"L":[ ... ]}]} with depth lists; the innermost holds a string. */
static char *
nested_lists(int depth)
{
    size_t cap = (size_t)depth * 16 + 32;
    char *s = malloc(cap);
    size_t n = 0;
    for (int i = 0; i < depth; i++)
        n += (size_t)snprintf(s + n, cap - n, "{\"L\":[");
    n += (size_t)snprintf(s + n, cap - n, "{\"S\":\"x\"}");
    for (int i = 0; i < depth; i++)
        n += (size_t)snprintf(s + n, cap - n, "]}");
    return s;
}

static void
json18_depth_bound(void **state)
{
    (void)state;
    /* The value itself is level 1: DECODE_MAX_DEPTH levels decode, one
     * more is refused before the stack grows further. */
    char *ok = nested_lists(DECODE_MAX_DEPTH - 1);
    json_expect_value(ok, KV_OK, "");
    char *deep = nested_lists(DECODE_MAX_DEPTH);
    json_expect_value(deep, KV_VALIDATION, NESTING);
    free(ok);
    free(deep);
    deep = nested_lists(1000);
    json_expect_value(deep, KV_VALIDATION, NESTING);
    free(deep);

    /* The encoder has the same bound, so unchecked trees cannot recurse
     * without limit either. */
    struct arena *a = arena_new();
    struct kv_value root, *cur = &root;
    value_init(&root, KV_L);
    for (int i = 1; i < DECODE_MAX_DEPTH; i++) {
        cur = value_push(a, cur);
        value_init(cur, KV_L);
    }
    json_t *j = value_to_json(&root);
    assert_non_null(j);
    json_decref(j);
    value_init(value_push(a, cur), KV_L);
    assert_null(value_to_json(&root));
    arena_free(a);
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
json19_large_map(void **state)
{
    (void)state;
    enum { N = 100000 };
    json_t *obj = json_object(), *list = json_array();
    char name[32];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "attr%d", i);
        json_object_set_new(obj, name, json_pack("{s:s}", "N", "1.50"));
        json_array_append_new(list, json_pack("{s:b}", "BOOL", i & 1));
    }
    json_object_set_new(obj, "list", json_pack("{s:o}", "L", list));
    struct arena *a = arena_new();
    struct kv_value item;
    struct kv_err e;
    err_init(&e);
    double t0 = now();
    assert_int_equal(item_from_json(a, obj, &item, &e), KV_OK);
    double t1 = now();
    json_t *back = item_to_json(&item);
    double t2 = now();
    assert_int_equal(item.len, N + 1);
    assert_string_equal(item.u.members[N - 1].value.u.bytes, "1.5");
    assert_int_equal(value_map_get(&item, "list", 4)->len, N);
    assert_non_null(back);
    assert_int_equal(json_object_size(back), N + 1);
    /* Linear work: well under a second each even in sanitizer builds. */
    if (t1 - t0 > 5 || t2 - t1 > 5)
        fail_msg("decode %.2fs, encode %.2fs", t1 - t0, t2 - t1);
    json_decref(back);
    json_decref(obj);
    err_clear(&e);
    arena_free(a);
}

/* --- encoder edges and allocation failures ------------------------------------ */

static void
json20_encode_invalid_trees(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value v, set;
    memset(&v, 0, sizeof v); /* an unset slot */
    assert_null(value_to_json(&v));
    value_init(&set, KV_SS);
    value_set_bool(value_push(a, &set), true);
    assert_null(value_to_json(&set));
    /* Strings must be UTF-8 to be JSON. */
    value_set_bytes(a, &v, KV_S, "\xff", 1);
    assert_null(value_to_json(&v));
    /* Unparsable number text is written as it is. */
    value_set_bytes(a, &v, KV_N, "12x", 3);
    char *s = dump(value_to_json(&v));
    assert_string_equal(s, "{\"N\":\"12x\"}");
    free(s);
    arena_free(a);
}

static void *
json_fail_alloc(size_t n)
{
    return mem_alloc(n);
}

static void
json21_allocation_failures(void **state)
{
    (void)state;
    const char *doc = "{\"a\":{\"M\":{\"b\":{\"L\":[{\"S\":\"xx\"},{\"B\":\"AAH/\"},"
                      "{\"NS\":[\"1.5\",\"2\"]}]}}},\"c\":{\"S\":\"y\"}}";
    json_t *j = parse(doc);
    int ok = 0;
    for (long n = 1; n < 1000 && !ok; n++) {
        struct arena *a = arena_new();
        struct kv_value item;
        struct kv_err e;
        err_init(&e);
        mem_fail_after(n);
        kv_status st = item_from_json(a, j, &item, &e);
        mem_fail_reset();
        if (st == KV_OK)
            ok = 1;
        else
            assert_int_equal(st, KV_NOMEM);
        err_clear(&e);
        arena_free(a);
    }
    assert_true(ok);

    struct arena *a = arena_new();
    struct kv_value item;
    struct kv_err e;
    err_init(&e);
    assert_int_equal(item_from_json(a, j, &item, &e), KV_OK);
    json_set_alloc_funcs(json_fail_alloc, mem_free);
    ok = 0;
    for (long n = 1; n < 1000 && !ok; n++) {
        mem_fail_after(n);
        json_t *back = item_to_json(&item);
        mem_fail_reset();
        if (back) {
            ok = 1;
            assert_true(json_equal(back, j));
        }
        json_decref(back);
    }
    json_set_alloc_funcs(malloc, free);
    assert_true(ok);
    err_clear(&e);
    arena_free(a);
    json_decref(j);
}

/* --- text written without a tree ------------------------------------------ */

/* The text item_json_write gives, or NULL when the writer failed. */
static char *
written(const struct kv_value *item, bool whole_item)
{
    struct json_out w;
    json_out_init(&w);
    if (whole_item)
        item_json_write(&w, item);
    else
        value_json_write(&w, item);
    return json_out_take(&w);
}

/* Compact JSON text in the tree's own member order, as kv_request sends. */
static char *
dump_ordered(json_t *j)
{
    assert_non_null(j);
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(j);
    assert_non_null(s);
    return s;
}

/* The writer gives exactly what Jansson dumps for the encoder's tree. */
static void
expect_written_as_dumped(const char *text)
{
    struct arena *a = arena_new();
    json_t *j = parse(text);
    struct kv_value item;
    struct kv_err e;
    err_init(&e);
    assert_int_equal(item_from_json(a, j, &item, &e), KV_OK);
    char *want = dump_ordered(item_to_json(&item)), *got = written(&item, true);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(want);
    mem_free(got);
    for (uint32_t i = 0; i < item.len; i++) {
        want = dump_ordered(value_to_json(&item.u.members[i].value));
        got = written(&item.u.members[i].value, false);
        assert_non_null(got);
        assert_string_equal(got, want);
        free(want);
        mem_free(got);
    }
    err_clear(&e);
    json_decref(j);
    arena_free(a);
}

static void
json22_written_text(void **state)
{
    (void)state;
    expect_written_as_dumped("{}");
    expect_written_as_dumped(
        "{\"pk\":{\"S\":\"p0\"},\"sk\":{\"N\":\"42\"},\"n\":{\"N\":\"-0.000120E+5\"},"
        "\"b\":{\"B\":\"AAH/\"},\"t\":{\"BOOL\":true},\"f\":{\"BOOL\":false},"
        "\"z\":{\"NULL\":true},\"ss\":{\"SS\":[\"a\",\"b\"]},\"ns\":{\"NS\":[\"1.50\",\"2\"]},"
        "\"bs\":{\"BS\":[\"AQ==\",\"\"]},\"l\":{\"L\":[]},\"m\":{\"M\":{}},"
        "\"deep\":{\"L\":[{\"M\":{\"x\":{\"L\":[{\"S\":\"\"},{\"NULL\":true}]}}}]}}");
    /* Escapes: quotes, backslashes, every control character, DEL, '/',
     * NUL, and non-ASCII written as UTF-8, in values and in names. */
    expect_written_as_dumped(
        "{\"q\\\"\\\\/\":{\"S\":\"a\\\"b\\\\c/d\"},"
        "\"c\":{\"S\":\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f\\u007f\"},"
        "\"\\u00e9\\u4e2d\\ud83d\\ude00\":{\"SS\":[\"\\u00e9\",\"\\ud83d\\ude00\",\"\\uffff\"]},"
        "\"z\\u0001\":{\"L\":[{\"S\":\"\\n\"}]}}");
    /* The escapes themselves, spelt out. */
    struct arena *a = arena_new();
    struct kv_value item = decode_ok(a, "{\"S\":\"\\u0000\\u001f\\u007f\\\"\\u00e9\"}");
    char *got = written(&item, false);
    assert_string_equal(got, "{\"S\":\"\\u0000\\u001F\x7f\\\"\xc3\xa9\"}");
    mem_free(got);
    arena_free(a);
}

static void
json23_written_invalid_trees(void **state)
{
    (void)state;
    /* Where the tree encoders return NULL, the writer fails. */
    struct arena *a = arena_new();
    struct kv_value v, set, item;
    memset(&v, 0, sizeof v);
    assert_null(written(&v, false));
    assert_null(written(&v, true)); /* not an M */
    value_init(&set, KV_SS);
    value_set_bool(value_push(a, &set), true);
    assert_null(written(&set, false));
    static const char *const bad[] = {
        "\xff", "\x80", "a\xc3", "\xc0\x80", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
        "\xf0\x80\x80\x80", "\xc3\x28",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        value_set_bytes(a, &v, KV_S, bad[i], strlen(bad[i]));
        assert_null(value_to_json(&v));
        assert_null(written(&v, false));
        /* The same bytes as an attribute name. */
        value_init(&item, KV_M);
        struct kv_value *m = value_map_append(a, &item, bad[i], strlen(bad[i]), true);
        assert_non_null(m);
        value_set_bytes(a, m, KV_S, "x", 1);
        assert_null(item_to_json(&item));
        assert_null(written(&item, true));
    }
    /* Valid edges: U+07FF, U+FFFF, U+10FFFF. */
    value_set_bytes(a, &v, KV_S, "\xdf\xbf\xef\xbf\xbf\xf4\x8f\xbf\xbf", 9);
    char *got = written(&v, false);
    assert_string_equal(got, "{\"S\":\"\xdf\xbf\xef\xbf\xbf\xf4\x8f\xbf\xbf\"}");
    mem_free(got);
    /* Number text a C caller set is written in canonical form where it
     * parses and as it is where it does not, as value_to_json writes it. */
    static const char *const numbers[] = {
        "0", "-0", "-0.5", "0.5", "007", "1.50", "1e3", "0.0", "-", "", ".5", "5.", "12x",
        "-12.0001", "1.5E-3", "00", "-00.10",
        "123456789012345678901234567890123456789", /* 39 digits: does not parse */
        ("10000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
         "000000000000000000000000000000000000000000000"), /* 1E130: overflow */
    };
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        value_set_bytes(a, &v, KV_N, numbers[i], strlen(numbers[i]));
        char *want = dump_ordered(value_to_json(&v));
        got = written(&v, false);
        assert_non_null(got);
        assert_string_equal(got, want);
        free(want);
        mem_free(got);
    }
    value_set_bytes(a, &v, KV_N, "-0", 2);
    got = written(&v, false);
    assert_string_equal(got, "{\"N\":\"0\"}");
    mem_free(got);
    /* The depth bound. */
    struct kv_value root, *cur = &root;
    value_init(&root, KV_L);
    for (int i = 1; i < DECODE_MAX_DEPTH; i++) {
        cur = value_push(a, cur);
        value_init(cur, KV_L);
    }
    got = written(&root, false);
    assert_non_null(got);
    mem_free(got);
    value_init(value_push(a, cur), KV_L);
    assert_null(written(&root, false));
    arena_free(a);
}

static void
json24_written_allocation_failures(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value item =
        decode_ok(a, "{\"M\":{\"a\":{\"L\":[{\"S\":\"xx\"},{\"B\":\"AAH/\"}]}}}");
    char *want = written(&item, false);
    int ok = 0;
    for (long n = 1; n < 100 && !ok; n++) {
        mem_fail_after(n);
        char *got = written(&item, false);
        mem_fail_reset();
        if (got) {
            ok = 1;
            assert_string_equal(got, want);
        }
        mem_free(got);
    }
    assert_true(ok);
    mem_free(want);
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json01_scalars),
        cmocka_unit_test(json02_sets),
        cmocka_unit_test(json03_containers),
        cmocka_unit_test(json04_encode_every_type),
        cmocka_unit_test(json05_encode_built_tree),
        cmocka_unit_test(json06_round_trip_document),
        cmocka_unit_test(json07_bool_words),
        cmocka_unit_test(json08_string_shape_errors),
        cmocka_unit_test(json09_blob_shape_errors),
        cmocka_unit_test(json10_container_shape_errors),
        cmocka_unit_test(json11_base64_errors),
        cmocka_unit_test(json12_empty_and_multiple_types),
        cmocka_unit_test(json13_type_errors_beat_validation),
        cmocka_unit_test(json14_null_elements),
        cmocka_unit_test(json15_type_key_in_maps),
        cmocka_unit_test(json16_numbers_kept_for_value_check),
        cmocka_unit_test(json17_nul_bytes),
        cmocka_unit_test(json18_depth_bound),
        cmocka_unit_test(json19_large_map),
        cmocka_unit_test(json20_encode_invalid_trees),
        cmocka_unit_test(json21_allocation_failures),
        cmocka_unit_test(json22_written_text),
        cmocka_unit_test(json23_written_invalid_trees),
        cmocka_unit_test(json24_written_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
