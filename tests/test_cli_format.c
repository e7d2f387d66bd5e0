/*
 * test_cli_format.c -- the kv tool's output formats against the AWS CLI's:
 * Python's JSON layout and float text, the text format and the table
 * format, each on responses of the shapes DynamoDB returns; and items as
 * plain JSON both ways (kv dump --plain, kv load --plain).
 */
#include "cli_json.h"
#include "cli_plain.h"
#include "cli_table.h"
#include "cli_text.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

enum fmt { FMT_JSON, FMT_TEXT, FMT_TABLE };

static int table_width = 80;

static void
check_format(enum fmt fmt, const char *json, const char *want)
{
    json_t *v = json_loads(json, 0, NULL);
    assert_non_null(v);
    char *got = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&got, &len);
    struct table_style st = {table_width, false};
    if (fmt == FMT_JSON)
        cli_json_write(f, v, 4, false);
    else if (fmt == FMT_TEXT)
        cli_text_write(f, v);
    else
        cli_table_write(f, "GetItem", v, &st);
    fclose(f);
    assert_string_equal(got, want);
    free(got);
    json_decref(v);
}

static void
check_float(double d, const char *want)
{
    char buf[40];
    cli_py_float(d, buf);
    assert_string_equal(buf, want);
}

static void
fmt01_1_python_floats(void **state)
{
    (void)state;
    check_float(1.0, "1.0");
    check_float(0.5, "0.5");
    check_float(0.1, "0.1");
    check_float(1e16, "1e+16");
    check_float(1e15, "1000000000000000.0");
    check_float(1e-5, "1e-05");
    check_float(0.0001, "0.0001");
    check_float(2.5e-7, "2.5e-07");
    check_float(-0.0, "-0.0");
    check_float(123456789.0, "123456789.0");
    check_float(1.0 / 3.0, "0.3333333333333333");
}

static void
fmt01_2_json_layout(void **state)
{
    (void)state;
    check_format(FMT_JSON, "{\"a\": [1, 2.0, {}], \"b\": {\"c\": \"\\u00e9\\n\"}, \"d\": []}",
                 "{\n    \"a\": [\n        1,\n        2.0,\n        {}\n    ],\n"
                 "    \"b\": {\n        \"c\": \"\xc3\xa9\\n\"\n    },\n    \"d\": []\n}");
    json_t *v = json_pack("{s:s, s:i}", "k", "\xc3\xa9", "n", 2);
    char *one_line = cli_json_dumps(v, 0, true);
    assert_string_equal(one_line, "{\"k\": \"\\u00e9\", \"n\": 2}");
    free(one_line);
    json_decref(v);
}

static void
fmt02_1_text_scalars_and_lists(void **state)
{
    (void)state;
    check_format(FMT_TEXT, "{\"TableNames\": [\"Music\", \"Books\"]}",
                 "TABLENAMES\tMusic\nTABLENAMES\tBooks\n");
    check_format(FMT_TEXT,
                 "{\"Items\": [{\"a\": {\"S\": \"x\"}}, {\"a\": {\"N\": \"1\"}}],"
                 " \"Count\": 2, \"ScannedCount\": 2}",
                 "2\t2\nA\tx\nA\t1\n");
    check_format(FMT_TEXT, "{\"Item\": {\"Live\": {\"BOOL\": true}, \"Tags\": {\"SS\": [\"a\"]}}}",
                 "LIVE\tTrue\nSS\ta\n");
}

static void
fmt02_2_text_list_of_structures(void **state)
{
    (void)state;
    check_format(FMT_TEXT,
                 "{\"KeySchema\": [{\"AttributeName\": \"Artist\", \"KeyType\": \"HASH\"},"
                 " {\"KeyType\": \"RANGE\", \"AttributeName\": \"Song\", \"X\": 1}]}",
                 "KEYSCHEMA\tArtist\tHASH\t\nKEYSCHEMA\tSong\tRANGE\t1\n");
}

static void
fmt03_1_table_nested(void **state)
{
    (void)state;
    check_format(FMT_TABLE,
                 "{\"Item\": {\"Artist\": {\"S\": \"Acme\"}, \"Year\": {\"N\": \"2015\"}}}",
                 "-------------------\n"
                 "|     GetItem     |\n"
                 "+-----------------+\n"
                 "||     Item      ||\n"
                 "|+---------------+|\n"
                 "|||   Artist    |||\n"
                 "||+----+--------+||\n"
                 "|||  S |  Acme  |||\n"
                 "||+----+--------+||\n"
                 "|||    Year     |||\n"
                 "||+----+--------+||\n"
                 "|||  N |  2015  |||\n"
                 "||+----+--------+||\n");
}

static void
fmt03_2_table_header_row(void **state)
{
    (void)state;
    check_format(FMT_TABLE, "{\"Count\": 2, \"ScannedCount\": 3}",
                 "---------------------------\n"
                 "|         GetItem         |\n"
                 "+--------+----------------+\n"
                 "|  Count | ScannedCount   |\n"
                 "+--------+----------------+\n"
                 "|  2     |  3             |\n"
                 "+--------+----------------+\n");
}

/* Too wide for the terminal: one-row sections turn into name | value rows. */
static void
fmt03_4_table_vertical(void **state)
{
    (void)state;
    table_width = 20;
    check_format(FMT_TABLE, "{\"Count\": 2, \"ScannedCount\": 3}",
                 "-----------------------\n"
                 "|       GetItem       |\n"
                 "+----------------+----+\n"
                 "|  Count         |  2 |\n"
                 "|  ScannedCount  |  3 |\n"
                 "+----------------+----+\n");
    table_width = 80;
}

static void
fmt03_3_table_empty(void **state)
{
    (void)state;
    check_format(FMT_TABLE, "{}", "");
}

static void
check_plain_write(const char *dynamodb_json, const char *want)
{
    json_t *item = json_loads(dynamodb_json, 0, NULL);
    assert_non_null(item);
    char *got = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&got, &len);
    plain_write_item(f, item);
    fclose(f);
    assert_string_equal(got, want);
    free(got);
    json_decref(item);
}

static void
check_plain_read(const char *plain, const char *want)
{
    char *err = NULL;
    json_t *item = plain_parse_item(plain, strlen(plain), &err);
    if (!item)
        fail_msg("%s: %s", plain, err);
    char *got = json_dumps(item, JSON_COMPACT);
    assert_string_equal(got, want);
    free(got);
    json_decref(item);
}

static void
check_plain_error(const char *plain, const char *want)
{
    char *err = NULL;
    assert_null(plain_parse_item(plain, strlen(plain), &err));
    assert_string_equal(err, want);
    free(err);
}

static void
fmt04_1_plain_write(void **state)
{
    (void)state;
    check_plain_write("{\"s\": {\"S\": \"a\\\"b\"}, \"n\": {\"N\": \"-1.5E-3\"}, "
                      "\"big\": {\"N\": \"12345678901234567890123456789012345678\"}}",
                      "{\"s\": \"a\\\"b\", \"n\": -1.5E-3, "
                      "\"big\": 12345678901234567890123456789012345678}");
    check_plain_write(
        "{\"t\": {\"BOOL\": true}, \"z\": {\"NULL\": true}, \"b\": {\"B\": \"AAE=\"}, "
        "\"ss\": {\"SS\": [\"x\", \"y\"]}, \"ns\": {\"NS\": [\"1\", \"2.5\"]}, "
        "\"m\": {\"M\": {\"l\": {\"L\": [{\"N\": \"1\"}, {\"S\": \"\"}]}}}}",
        "{\"t\": true, \"z\": null, \"b\": \"AAE=\", \"ss\": [\"x\", \"y\"], "
        "\"ns\": [1, 2.5], \"m\": {\"l\": [1, \"\"]}}");
}

static void
fmt04_2_plain_read(void **state)
{
    (void)state;
    check_plain_read(
        "{\"a\": \"x\", \"n\": 12345678901234567890123456789012345678.5, \"e\": -1e-3}",
        "{\"a\":{\"S\":\"x\"},\"n\":{\"N\":\"12345678901234567890123456789012345678.5\"},"
        "\"e\":{\"N\":\"-1e-3\"}}");
    check_plain_read(" { \"t\" : true , \"f\": false, \"z\": null, \"l\": [1, [], {}], \"u\": "
                     "\"\\u00e9\\ud83d\\ude00\" } \n",
                     "{\"t\":{\"BOOL\":true},\"f\":{\"BOOL\":false},\"z\":{\"NULL\":true},"
                     "\"l\":{\"L\":[{\"N\":\"1\"},{\"L\":[]},{\"M\":{}}]},"
                     "\"u\":{\"S\":\"\xc3\xa9\xf0\x9f\x98\x80\"}}");
}

static void
fmt04_3_plain_errors(void **state)
{
    (void)state;
    check_plain_error("[1]", "expected a JSON object at column 1");
    check_plain_error("{\"a\": 01}", "bad number at column 7");
    check_plain_error("{\"a\": 1} x", "unexpected text after the object at column 10");
    check_plain_error("{\"a\": \"open}", "unterminated string at column 13");
    check_plain_error("{\"a\" 1}", "expected a member of an object at column 6");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fmt01_1_python_floats),
        cmocka_unit_test(fmt01_2_json_layout),
        cmocka_unit_test(fmt02_1_text_scalars_and_lists),
        cmocka_unit_test(fmt02_2_text_list_of_structures),
        cmocka_unit_test(fmt03_1_table_nested),
        cmocka_unit_test(fmt03_2_table_header_row),
        cmocka_unit_test(fmt03_3_table_empty),
        cmocka_unit_test(fmt03_4_table_vertical),
        cmocka_unit_test(fmt04_1_plain_write),
        cmocka_unit_test(fmt04_2_plain_read),
        cmocka_unit_test(fmt04_3_plain_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
