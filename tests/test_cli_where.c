/*
 * test_cli_where.c -- the --where syntax of kv find and kv items: the
 * expressions, placeholders and typed values it produces, the split into
 * key condition and filter for a query, and its error messages.
 */
#include "cli_where.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const struct where_keys music = {"Artist", "SongTitle", 'S', 'S'};

static void
check(const char *where, char **eqs, int n_eqs, bool query, const char *want_key,
      const char *want_filter, const char *want_names, const char *want_values)
{
    struct where_out out;
    char *err = NULL;
    int rc = where_translate(where, eqs, n_eqs, &music, query, &out, &err);
    if (rc)
        fail_msg("%s: %s", where, err);
    if (want_key)
        assert_string_equal(out.key_condition, want_key);
    else
        assert_null(out.key_condition);
    if (want_filter)
        assert_string_equal(out.filter, want_filter);
    else
        assert_null(out.filter);
    char *names = out.names ? json_dumps(out.names, JSON_COMPACT) : NULL;
    char *values = out.values ? json_dumps(out.values, JSON_COMPACT) : NULL;
    assert_string_equal(names ? names : "", want_names);
    assert_string_equal(values ? values : "", want_values);
    free(names);
    free(values);
    where_out_free(&out);
}

static void
check_error(const char *where, const char *want)
{
    struct where_out out;
    char *err = NULL;
    assert_int_equal(where_translate(where, NULL, 0, &music, false, &out, &err), -1);
    assert_string_equal(err, want);
    free(err);
}

static void
where01_1_query_split(void **state)
{
    (void)state;
    char *eqs[] = {"Artist=Acme Band"};
    check("begins_with(SongTitle, \"Happy\") and Year > 2000", eqs, 1, true,
          "#n0 = :v0 AND begins_with(#n1, :v1)", "#n2 > :v2",
          "{\"#n0\":\"Artist\",\"#n1\":\"SongTitle\",\"#n2\":\"Year\"}",
          "{\":v0\":{\"S\":\"Acme Band\"},\":v1\":{\"S\":\"Happy\"},\":v2\":{\"N\":\"2000\"}}");
}

static void
where01_2_scan_keeps_everything_in_filter(void **state)
{
    (void)state;
    char *eqs[] = {"Artist=Acme"};
    check("SongTitle between A and M", eqs, 1, false, NULL, "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2",
          "{\"#n0\":\"Artist\",\"#n1\":\"SongTitle\"}",
          "{\":v0\":{\"S\":\"Acme\"},\":v1\":{\"S\":\"A\"},\":v2\":{\"S\":\"M\"}}");
}

static void
where01_3_not_equal_on_sort_key_filters(void **state)
{
    (void)state;
    char *eqs[] = {"Artist=x"};
    check("SongTitle != y", eqs, 1, true, "#n0 = :v0", "#n1 <> :v1",
          "{\"#n0\":\"Artist\",\"#n1\":\"SongTitle\"}",
          "{\":v0\":{\"S\":\"x\"},\":v1\":{\"S\":\"y\"}}");
}

static void
where02_1_logic_and_precedence(void **state)
{
    (void)state;
    check("Year >= 2000 and (Genre = Rock or Genre == Pop)", NULL, 0, false, NULL,
          "#n0 >= :v0 AND (#n1 = :v1 OR #n1 = :v2)", "{\"#n0\":\"Year\",\"#n1\":\"Genre\"}",
          "{\":v0\":{\"N\":\"2000\"},\":v1\":{\"S\":\"Rock\"},\":v2\":{\"S\":\"Pop\"}}");
    check("not attribute_exists(Awards) and size(Tags) > 2", NULL, 0, false, NULL,
          "NOT attribute_exists(#n0) AND size(#n1) > :v0", "{\"#n0\":\"Awards\",\"#n1\":\"Tags\"}",
          "{\":v0\":{\"N\":\"2\"}}");
    check("not (a = 1 or b = 2)", NULL, 0, false, NULL, "NOT (#n0 = :v0 OR #n1 = :v1)",
          "{\"#n0\":\"a\",\"#n1\":\"b\"}", "{\":v0\":{\"N\":\"1\"},\":v1\":{\"N\":\"2\"}}");
}

static void
where02_2_paths_values_in(void **state)
{
    (void)state;
    check("Info.Tracks[0].Name = 'It\\'s'", NULL, 0, false, NULL, "#n0.#n1[0].#n2 = :v0",
          "{\"#n0\":\"Info\",\"#n1\":\"Tracks\",\"#n2\":\"Name\"}", "{\":v0\":{\"S\":\"It's\"}}");
    check("Genre in (Rock, Pop) and Live = true and Gone = null", NULL, 0, false, NULL,
          "#n0 IN (:v0, :v1) AND #n1 = :v2 AND #n2 = :v3",
          "{\"#n0\":\"Genre\",\"#n1\":\"Live\",\"#n2\":\"Gone\"}",
          "{\":v0\":{\"S\":\"Rock\"},\":v1\":{\"S\":\"Pop\"},\":v2\":{\"BOOL\":true},"
          "\":v3\":{\"NULL\":true}}");
}

static void
where02_3_numbers_on_string_keys_stay_strings(void **state)
{
    (void)state;
    char *eqs[] = {"Artist=02134", "Year=1999"};
    check(NULL, eqs, 2, true, "#n0 = :v0", "#n1 = :v1", "{\"#n0\":\"Artist\",\"#n1\":\"Year\"}",
          "{\":v0\":{\"S\":\"02134\"},\":v1\":{\"N\":\"1999\"}}");
}

static void
where03_1_errors(void **state)
{
    (void)state;
    check_error("Year >", "expected a value at the end (position 7)");
    check_error("a = b c", "expected 'and', 'or' or the end at 'c' (position 7)");
    check_error("a ~ b", "expected a comparison (=, <>, <, <=, >, >=, between, in) at '~' "
                         "(position 3)");
    check_error("a = \"open", "unterminated string at position 5");
    check_error("begins_with(a, b", "expected ')' at the end (position 17)");
    struct where_out out;
    char *err = NULL;
    char *eqs[] = {"Artist"};
    assert_int_equal(where_translate(NULL, eqs, 1, &music, true, &out, &err), -1);
    assert_string_equal(err, "expected NAME=VALUE, got 'Artist'");
    free(err);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(where01_1_query_split),
        cmocka_unit_test(where01_2_scan_keeps_everything_in_filter),
        cmocka_unit_test(where01_3_not_equal_on_sort_key_filters),
        cmocka_unit_test(where02_1_logic_and_precedence),
        cmocka_unit_test(where02_2_paths_values_in),
        cmocka_unit_test(where02_3_numbers_on_string_keys_stay_strings),
        cmocka_unit_test(where03_1_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
