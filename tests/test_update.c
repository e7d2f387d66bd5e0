/*
 * test_update.c -- expressions inside the single-item operations:
 * ConditionExpression on PutItem, DeleteItem and UpdateItem,
 * ProjectionExpression on GetItem, UpdateItem with every action and every
 * ReturnValues, and that a rejected request changes nothing.
 */
#include "fixture.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static void
create_table(struct fx *f)
{
    fx_ok(f, "CreateTable",
          "{\"TableName\":\"Upd\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\","
          "\"AttributeType\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":"
          "\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}");
}

static void
get_expect(struct fx *f, const char *pk, const char *want)
{
    char req[256];
    snprintf(req, sizeof req, "{\"TableName\":\"Upd\",\"Key\":{\"pk\":{\"S\":\"%s\"}}}", pk);
    char *r = fx_request(f, "GetItem", req, KV_OK);
    fx_assert_json(r, want);
    kv_free(r);
}

/* Run an UpdateItem on pk "a" and compare the whole response. */
static void
update_expect(struct fx *f, const char *rest, const char *want)
{
    char req[2048];
    snprintf(req, sizeof req, "{\"TableName\":\"Upd\",\"Key\":{\"pk\":{\"S\":\"a\"}},%s}", rest);
    char *r = fx_request(f, "UpdateItem", req, KV_OK);
    fx_assert_json(r, want);
    kv_free(r);
}

static void
update01_conditions_on_put_and_delete(void **state)
{
    struct fx *f = *state;
    create_table(f);
    const char *put = "{\"TableName\":\"Upd\",\"Item\":{\"pk\":{\"S\":\"a\"},\"v\":{\"N\":\"1\"}},"
                      "\"ConditionExpression\":\"attribute_not_exists(pk)\"}";
    fx_ok(f, "PutItem", put);
    fx_expect_error(f, "PutItem",
                    "{\"TableName\":\"Upd\",\"Item\":{\"pk\":{\"S\":\"a\"},\"v\":{\"N\":\"2\"}},"
                    "\"ConditionExpression\":\"attribute_not_exists(pk)\"}",
                    KV_CONDITIONAL_CHECK_FAILED, "The conditional request failed");
    get_expect(f, "a", "{\"Item\":{\"pk\":{\"S\":\"a\"},\"v\":{\"N\":\"1\"}}}");
    /* The old item travels with the error when asked. */
    char *r = fx_request(f, "PutItem",
                         "{\"TableName\":\"Upd\",\"Item\":{\"pk\":{\"S\":\"a\"}},"
                         "\"ConditionExpression\":\"v = :two\",\"ExpressionAttributeValues\":{"
                         "\":two\":{\"N\":\"2\"}},\"ReturnValuesOnConditionCheckFailure\":"
                         "\"ALL_OLD\"}",
                         KV_CONDITIONAL_CHECK_FAILED);
    fx_assert_json(r, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
                      "ConditionalCheckFailedException\",\"message\":\"The conditional request "
                      "failed\",\"Item\":{\"pk\":{\"S\":\"a\"},\"v\":{\"N\":\"1\"}}}");
    kv_free(r);
    fx_expect_error(f, "DeleteItem",
                    "{\"TableName\":\"Upd\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ConditionExpression\":"
                    "\"v > :x\",\"ExpressionAttributeValues\":{\":x\":{\"N\":\"5\"}}}",
                    KV_CONDITIONAL_CHECK_FAILED, "The conditional request failed");
    get_expect(f, "a", "{\"Item\":{\"pk\":{\"S\":\"a\"},\"v\":{\"N\":\"1\"}}}");
    fx_ok(f, "DeleteItem",
          "{\"TableName\":\"Upd\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ConditionExpression\":"
          "\"v < :x\",\"ExpressionAttributeValues\":{\":x\":{\"N\":\"5\"}}}");
    get_expect(f, "a", "{}");
    /* A condition on an absent item sees no attributes. */
    fx_expect_error(f, "DeleteItem",
                    "{\"TableName\":\"Upd\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ConditionExpression\":"
                    "\"attribute_exists(pk)\"}",
                    KV_CONDITIONAL_CHECK_FAILED, "The conditional request failed");
}

static void
update02_expression_errors(void **state)
{
    struct fx *f = *state;
    create_table(f);
    fx_expect_error(f, "PutItem",
                    "{\"TableName\":\"Upd\",\"Item\":{\"pk\":{\"S\":\"a\"}},"
                    "\"ConditionExpression\":\"attribute_not_exists(pk)\",\"Expected\":{\"pk\":{"
                    "\"Exists\":false}}}",
                    KV_VALIDATION,
                    "Can not use both expression and non-expression parameters in the same "
                    "request: Non-expression parameters: {Expected} Expression parameters: "
                    "{ConditionExpression}");
    fx_expect_error(f, "PutItem",
                    "{\"TableName\":\"Upd\",\"Item\":{\"pk\":{\"S\":\"a\"}},"
                    "\"ExpressionAttributeValues\":{\":v\":{\"S\":\"x\"}}}",
                    KV_VALIDATION,
                    "ExpressionAttributeValues can only be specified when using expressions: "
                    "ConditionExpression is null");
    fx_expect_error(f, "PutItem",
                    "{\"TableName\":\"Upd\",\"Item\":{\"pk\":{\"S\":\"a\"}},"
                    "\"ConditionExpression\":\"((attribute_not_exists(pk)))\"}",
                    KV_VALIDATION,
                    "Invalid ConditionExpression: The expression has redundant parentheses;");
    fx_expect_error(f, "UpdateItem",
                    "{\"TableName\":\"Upd\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"UpdateExpression\":"
                    "\"SET pk = :v\",\"ExpressionAttributeValues\":{\":v\":{\"S\":\"b\"}}}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: Cannot update attribute pk. This "
                    "attribute is part of the key");
    fx_expect_error(f, "UpdateItem",
                    "{\"TableName\":\"Upd\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"UpdateExpression\":"
                    "\"SET v = :v\",\"ExpressionAttributeValues\":{\":v\":{\"S\":\"b\"}},"
                    "\"ExpressionAttributeNames\":{\"#u\":\"unused\"}}",
                    KV_VALIDATION,
                    "Value provided in ExpressionAttributeNames unused in expressions: keys: "
                    "{#u}");
    fx_expect_error(f, "UpdateItem",
                    "{\"TableName\":\"Upd\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"AttributeUpdates\":{"
                    "\"v\":{\"Action\":\"DELETE\"}}}",
                    KV_VALIDATION,
                    "The parameter AttributeUpdates is not supported by libkv; use the expression "
                    "parameters instead");
    get_expect(f, "a", "{}");
}

static void
update03_actions_and_return_values(void **state)
{
    struct fx *f = *state;
    create_table(f);
    /* Creates the item. */
    update_expect(f,
                  "\"UpdateExpression\":\"SET n = :one, l = :l, m = :m ADD s :s\","
                  "\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"},\":l\":{\"L\":[{\"S\":"
                  "\"x\"},{\"S\":\"y\"}]},\":m\":{\"M\":{\"k\":{\"S\":\"v\"}}},\":s\":{\"SS\":["
                  "\"a\"]}},\"ReturnValues\":\"ALL_NEW\"",
                  "{\"Attributes\":{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"1\"},\"l\":{\"L\":[{\"S\":"
                  "\"x\"},{\"S\":\"y\"}]},\"m\":{\"M\":{\"k\":{\"S\":\"v\"}}},\"s\":{\"SS\":["
                  "\"a\"]}}}");
    update_expect(f,
                  "\"UpdateExpression\":\"SET n = n + :d REMOVE l[0] ADD s :s\","
                  "\"ExpressionAttributeValues\":{\":d\":{\"N\":\"2.5\"},\":s\":{\"SS\":[\"b\"]}},"
                  "\"ReturnValues\":\"UPDATED_OLD\"",
                  "{\"Attributes\":{\"n\":{\"N\":\"1\"},\"l\":{\"L\":[{\"S\":\"x\"}]},\"s\":{"
                  "\"SS\":[\"a\"]}}}");
    update_expect(f,
                  "\"UpdateExpression\":\"DELETE s :t\",\"ExpressionAttributeValues\":{\":t\":{"
                  "\"SS\":[\"a\"]}},\"ReturnValues\":\"UPDATED_NEW\"",
                  "{\"Attributes\":{\"s\":{\"SS\":[\"b\"]}}}");
    update_expect(f,
                  "\"UpdateExpression\":\"SET m.k2 = :v\",\"ExpressionAttributeValues\":{\":v\":"
                  "{\"BOOL\":true}},\"ReturnValues\":\"UPDATED_NEW\"",
                  "{\"Attributes\":{\"m\":{\"M\":{\"k2\":{\"BOOL\":true}}}}}");
    update_expect(f, "\"UpdateExpression\":\"REMOVE m\",\"ReturnValues\":\"ALL_OLD\"",
                  "{\"Attributes\":{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"3.5\"},\"l\":{\"L\":[{"
                  "\"S\":\"y\"}]},\"m\":{\"M\":{\"k\":{\"S\":\"v\"},\"k2\":{\"BOOL\":true}}},"
                  "\"s\":{\"SS\":[\"b\"]}}}");
    get_expect(f, "a",
               "{\"Item\":{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"3.5\"},\"l\":{\"L\":[{\"S\":\"y\"}]},"
               "\"s\":{\"SS\":[\"b\"]}}}");
    /* A failed condition changes nothing. */
    fx_expect_error(f, "UpdateItem",
                    "{\"TableName\":\"Upd\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"UpdateExpression\":"
                    "\"SET n = :z\",\"ConditionExpression\":\"n = :z\",\"ExpressionAttributeValues"
                    "\":{\":z\":{\"N\":\"0\"}}}",
                    KV_CONDITIONAL_CHECK_FAILED, "The conditional request failed");
    get_expect(f, "a",
               "{\"Item\":{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"3.5\"},\"l\":{\"L\":[{\"S\":\"y\"}]},"
               "\"s\":{\"SS\":[\"b\"]}}}");
}

static void
update04_absent_items(void **state)
{
    struct fx *f = *state;
    create_table(f);
    /* Only removals: nothing is created. */
    fx_ok(f, "UpdateItem",
          "{\"TableName\":\"Upd\",\"Key\":{\"pk\":{\"S\":\"gone\"}},\"UpdateExpression\":"
          "\"REMOVE x\"}");
    get_expect(f, "gone", "{}");
    /* No update at all: the bare item is created. */
    fx_ok(f, "UpdateItem", "{\"TableName\":\"Upd\",\"Key\":{\"pk\":{\"S\":\"bare\"}}}");
    get_expect(f, "bare", "{\"Item\":{\"pk\":{\"S\":\"bare\"}}}");
    /* Arithmetic on a missing attribute is an error; if_not_exists is not. */
    fx_expect_error(f, "UpdateItem",
                    "{\"TableName\":\"Upd\",\"Key\":{\"pk\":{\"S\":\"c\"}},\"UpdateExpression\":"
                    "\"SET n = n + :one\",\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"}}}",
                    KV_VALIDATION,
                    "The provided expression refers to an attribute that does not exist in the "
                    "item");
    get_expect(f, "c", "{}");
    fx_ok(f, "UpdateItem",
          "{\"TableName\":\"Upd\",\"Key\":{\"pk\":{\"S\":\"c\"}},\"UpdateExpression\":"
          "\"SET n = if_not_exists(n, :zero) + :one\",\"ExpressionAttributeValues\":{\":one\":{"
          "\"N\":\"1\"},\":zero\":{\"N\":\"0\"}}}");
    get_expect(f, "c", "{\"Item\":{\"pk\":{\"S\":\"c\"},\"n\":{\"N\":\"1\"}}}");
}

static void
update05_exact_arithmetic_edges(void **state)
{
    struct fx *f = *state;
    create_table(f);
    fx_ok(f, "PutItem",
          "{\"TableName\":\"Upd\",\"Item\":{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":"
          "\"99999999999999999999999999999999999999\"},\"big\":{\"N\":"
          "\"9.9999999999999999999999999999999999999E+125\"},\"tiny\":{\"N\":\"1E-130\"}}}");
    update_expect(f,
                  "\"UpdateExpression\":\"SET n = n + :one\",\"ExpressionAttributeValues\":{"
                  "\":one\":{\"N\":\"1\"}},\"ReturnValues\":\"UPDATED_NEW\"",
                  "{\"Attributes\":{\"n\":{\"N\":\"100000000000000000000000000000000000000\"}}}");
    update_expect(f,
                  "\"UpdateExpression\":\"SET n = n - :one\",\"ExpressionAttributeValues\":{"
                  "\":one\":{\"N\":\"1\"}},\"ReturnValues\":\"UPDATED_NEW\"",
                  "{\"Attributes\":{\"n\":{\"N\":\"99999999999999999999999999999999999999\"}}}");
    fx_expect_error(f, "UpdateItem",
                    "{\"TableName\":\"Upd\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"UpdateExpression\":"
                    "\"SET big = big + :b\",\"ExpressionAttributeValues\":{\":b\":{\"N\":"
                    "\"1E+125\"}}}",
                    KV_VALIDATION,
                    "Number overflow. Attempting to store a number with magnitude larger than "
                    "supported range");
    fx_expect_error(f, "UpdateItem",
                    "{\"TableName\":\"Upd\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"UpdateExpression\":"
                    "\"SET n = n + :t\",\"ExpressionAttributeValues\":{\":t\":{\"N\":\"0.1\"}}}",
                    KV_VALIDATION,
                    "Number overflow. Attempting to store a number with magnitude larger than "
                    "supported range");
    update_expect(f,
                  "\"UpdateExpression\":\"SET tiny = tiny - :t\",\"ExpressionAttributeValues\":{"
                  "\":t\":{\"N\":\"1E-130\"}},\"ReturnValues\":\"UPDATED_NEW\"",
                  "{\"Attributes\":{\"tiny\":{\"N\":\"0\"}}}");
}

static void
update06_get_projection(void **state)
{
    struct fx *f = *state;
    create_table(f);
    fx_ok(f, "PutItem",
          "{\"TableName\":\"Upd\",\"Item\":{\"pk\":{\"S\":\"a\"},\"m\":{\"M\":{\"x\":{\"N\":"
          "\"1\"},\"y\":{\"N\":\"2\"}}},\"l\":{\"L\":[{\"S\":\"0\"},{\"S\":\"1\"},{\"S\":\"2\"}]},"
          "\"o\":{\"S\":\"other\"}}}");
    char *r = fx_request(f, "GetItem",
                         "{\"TableName\":\"Upd\",\"Key\":{\"pk\":{\"S\":\"a\"}},"
                         "\"ProjectionExpression\":\"m.y, l[2], l[0], #n\","
                         "\"ExpressionAttributeNames\":{\"#n\":\"nothing\"}}",
                         KV_OK);
    fx_assert_json(r, "{\"Item\":{\"m\":{\"M\":{\"y\":{\"N\":\"2\"}}},\"l\":{\"L\":[{\"S\":"
                      "\"0\"},{\"S\":\"2\"}]}}}");
    kv_free(r);
    /* A projection that keeps nothing still returns the (empty) item. */
    r = fx_request(f, "GetItem",
                   "{\"TableName\":\"Upd\",\"Key\":{\"pk\":{\"S\":\"a\"}},"
                   "\"ProjectionExpression\":\"zz\"}",
                   KV_OK);
    fx_assert_json(r, "{\"Item\":{}}");
    kv_free(r);
    fx_expect_error(f, "GetItem",
                    "{\"TableName\":\"Upd\",\"Key\":{\"pk\":{\"S\":\"a\"}},"
                    "\"ProjectionExpression\":\"m, m.x\"}",
                    KV_VALIDATION,
                    "Invalid ProjectionExpression: Two document paths overlap with each other; "
                    "must remove or rewrite one of these paths; path one: [m], path two: [m, x]");
}

static void
update07_typed_api(void **state)
{
    struct fx *f = *state;
    create_table(f);
    kv_item *key = kv_item_new(), *values = kv_item_new(), *attrs = NULL;
    kv_item_put_s(key, "pk", "t");
    kv_item_put_n(values, ":inc", "5");
    kv_write_opts opts = {.return_values = KV_RETURN_ALL_NEW};
    opts.expr.values = values;
    assert_int_equal(kv_update_item(f->db, "Upd", key, "ADD hits :inc", &opts, &attrs), KV_OK);
    assert_non_null(attrs);
    assert_string_equal(kv_value_bytes(kv_item_get(attrs, "hits"), NULL), "5");
    kv_item_free(attrs);
    /* A failed condition with the old item. */
    kv_write_opts cond = {.return_old_on_condition_failure = 1};
    cond.expr.condition = "attribute_not_exists(hits)";
    kv_item *item = kv_item_new();
    kv_item_put_s(item, "pk", "t");
    assert_int_equal(kv_put_item(f->db, "Upd", item, &cond, NULL), KV_CONDITIONAL_CHECK_FAILED);
    assert_string_equal(kv_errmsg(f->db), "The conditional request failed");
    kv_item *old = kv_error_item(f->db);
    assert_non_null(old);
    assert_string_equal(kv_value_bytes(kv_item_get(old, "hits"), NULL), "5");
    kv_item_free(old);
    kv_item_free(item);
    /* Projection through the typed GetItem. */
    kv_get_opts go = {0};
    go.expr.projection = "hits";
    kv_item *got = NULL;
    assert_int_equal(kv_get_item(f->db, "Upd", key, &go, &got), KV_OK);
    assert_int_equal(kv_item_count(got), 1);
    kv_item_free(got);
    kv_item_free(key);
    kv_item_free(values);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(update01_conditions_on_put_and_delete, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(update02_expression_errors, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(update03_actions_and_return_values, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(update04_absent_items, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(update05_exact_arithmetic_edges, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(update06_get_projection, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(update07_typed_api, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
