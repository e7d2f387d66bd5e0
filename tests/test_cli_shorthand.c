/*
 * test_cli_shorthand.c -- the AWS CLI's shorthand syntax: the parse alone
 * (shorthand_parse), then typed by an option's shape
 * (shorthand_apply_model), and the error messages with their carets.
 */
#include "cli_shorthand.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Parse @p text and compare with @p want, both compact JSON. */
static void
check_parse(const char *text, const char *want)
{
    char *err = NULL;
    json_t *v = shorthand_parse(text, &err);
    if (!v)
        fail_msg("parse of \"%s\" failed: %s", text, err);
    char *got = json_dumps(v, JSON_COMPACT);
    assert_string_equal(got, want);
    free(got);
    json_decref(v);
}

static void
check_error(const char *text, const char *want)
{
    char *err = NULL;
    json_t *v = shorthand_parse(text, &err);
    assert_null(v);
    assert_non_null(err);
    assert_string_equal(err, want);
    free(err);
}

/* Parse, type by the named shape, compare. */
static void
check_typed(const char *shape, const char *text, bool as_list, const char *want)
{
    char *err = NULL;
    json_t *v = shorthand_parse(text, &err);
    assert_non_null(v);
    if (as_list) {
        json_t *list = json_array();
        json_array_append_new(list, v);
        v = list;
    }
    assert_int_equal(shorthand_apply_model(&v, model_shape(shape), &err), 0);
    char *got = json_dumps(v, JSON_COMPACT);
    assert_string_equal(got, want);
    free(got);
    json_decref(v);
}

static void
sh01_1_scalars(void **state)
{
    (void)state;
    check_parse("a=b", "{\"a\":\"b\"}");
    check_parse("a=b,c=d", "{\"a\":\"b\",\"c\":\"d\"}");
    check_parse("a=", "{\"a\":\"\"}");
    check_parse("a = b  ", "{\"a\":\"b\"}");
    check_parse("Name=Acme Band", "{\"Name\":\"Acme Band\"}");
    check_parse(":v=x,#n=y", "{\":v\":\"x\",\"#n\":\"y\"}");
}

static void
sh01_2_csv_lists(void **state)
{
    (void)state;
    check_parse("a=b,c", "{\"a\":[\"b\",\"c\"]}");
    check_parse("a=b,c,d=e", "{\"a\":[\"b\",\"c\"],\"d\":\"e\"}");
    check_parse("a=b,c,d,e=f,g", "{\"a\":[\"b\",\"c\",\"d\"],\"e\":[\"f\",\"g\"]}");
}

static void
sh01_3_quotes_and_escapes(void **state)
{
    (void)state;
    check_parse("a='b,c'", "{\"a\":\"b,c\"}");
    check_parse("a=\"x \\\"y\\\"\"", "{\"a\":\"x \\\"y\\\"\"}");
    check_parse("a=b\\,c", "{\"a\":\"b,c\"}");
    check_parse("a='it\\'s'", "{\"a\":\"it's\"}");
    check_parse("a='back\\\\slash'", "{\"a\":\"back\\\\slash\"}");
    check_parse("a='x\\'", "{\"a\":\"x\\\\\"}");
}

static void
sh01_4_explicit_lists_and_maps(void **state)
{
    (void)state;
    check_parse("a=[b,c]", "{\"a\":[\"b\",\"c\"]}");
    check_parse("a=[]", "{\"a\":[]}");
    check_parse("a=[[1,2],[3]]", "{\"a\":[[\"1\",\"2\"],[\"3\"]]}");
    check_parse("a={b=c,d=[e,f]}", "{\"a\":{\"b\":\"c\",\"d\":[\"e\",\"f\"]}}");
    check_parse("a={b={c=d}},e=f", "{\"a\":{\"b\":{\"c\":\"d\"}},\"e\":\"f\"}");
    check_parse("a=[{b=c},{b=d}]", "{\"a\":[{\"b\":\"c\"},{\"b\":\"d\"}]}");
    check_parse("a={ b = c , d = e }", "{\"a\":{\"b\":\"c\",\"d\":\"e\"}}");
}

static void
sh02_1_errors(void **state)
{
    (void)state;
    check_error("a", "Expected: '=', received: 'EOF' for input:\na\n ^");
    check_error("a=b,", "Expected: '<second>', received: '<none>' for input:\na=b,\n    ^");
    check_error("a=[b", "Expected: ',', received: 'EOF' for input:\na=[b\n    ^");
    check_error("a=b,a=c", "Second instance of key \"a\" encountered for input:\na=b,a=c\n    ^\n"
                           "This is often because there is a preceeding \",\" instead of a space.");
    check_error("a='b", "Expected: '<singled quoted>', received: '<none>' for input:\na='b\n"
                        "  ^");
    check_error("a=[b\n", "Expected: ',', received: 'EOF' for input:\na=[b\n\n^");
}

static void
sh03_1_typed_by_shape(void **state)
{
    (void)state;
    check_typed("ProvisionedThroughput", "ReadCapacityUnits=5,WriteCapacityUnits=10", false,
                "{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":10}");
    check_typed("KeySchema", "AttributeName=Artist,KeyType=HASH", true,
                "[{\"AttributeName\":\"Artist\",\"KeyType\":\"HASH\"}]");
    check_typed("Projection", "ProjectionType=INCLUDE,NonKeyAttributes=Year", false,
                "{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"Year\"]}");
    check_typed("AttributeMap", "Artist={S=Acme},Live={BOOL=true},Gone={NULL=TRUE}", false,
                "{\"Artist\":{\"S\":\"Acme\"},\"Live\":{\"BOOL\":true},"
                "\"Gone\":{\"NULL\":true}}");
    check_typed("TimeToLiveSpecification", "Enabled=false,AttributeName=ttl", false,
                "{\"Enabled\":false,\"AttributeName\":\"ttl\"}");
}

static void
sh03_2_nested_index(void **state)
{
    (void)state;
    check_typed("GlobalSecondaryIndex",
                "IndexName=ByYear,KeySchema=[{AttributeName=Year,KeyType=HASH}],"
                "Projection={ProjectionType=ALL},"
                "ProvisionedThroughput={ReadCapacityUnits=1,WriteCapacityUnits=2}",
                false,
                "{\"IndexName\":\"ByYear\",\"KeySchema\":[{\"AttributeName\":\"Year\","
                "\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"},"
                "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,"
                "\"WriteCapacityUnits\":2}}");
}

static void
sh03_3_bad_integer(void **state)
{
    (void)state;
    char *err = NULL;
    json_t *v = shorthand_parse("ReadCapacityUnits=five,WriteCapacityUnits=1", &err);
    assert_int_equal(shorthand_apply_model(&v, model_shape("ProvisionedThroughput"), &err), -1);
    assert_string_equal(err, "invalid literal for int() with base 10: 'five'");
    free(err);
    json_decref(v);
}

static void
sh04_1_flag_names(void **state)
{
    (void)state;
    char out[64];
    model_flag_name("ProvisionedThroughput", out, sizeof out);
    assert_string_equal(out, "provisioned-throughput");
    model_flag_name("SSESpecification", out, sizeof out);
    assert_string_equal(out, "sse-specification");
    model_flag_name("ReturnValuesOnConditionCheckFailure", out, sizeof out);
    assert_string_equal(out, "return-values-on-condition-check-failure");
}

static int
teardown(void **state)
{
    (void)state;
    model_free();
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sh01_1_scalars),
        cmocka_unit_test(sh01_2_csv_lists),
        cmocka_unit_test(sh01_3_quotes_and_escapes),
        cmocka_unit_test(sh01_4_explicit_lists_and_maps),
        cmocka_unit_test(sh02_1_errors),
        cmocka_unit_test(sh03_1_typed_by_shape),
        cmocka_unit_test(sh03_2_nested_index),
        cmocka_unit_test(sh03_3_bad_integer),
        cmocka_unit_test(sh04_1_flag_names),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
