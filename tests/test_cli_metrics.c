/*
 * test_cli_metrics.c -- the pure parts of kv metrics: durations and times
 * as the command line takes them, the minute window they make, and the
 * sparkline.  (tests/cli/metrics.sh runs the command itself.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli_spark.h"
#include "cli_when.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MIN 60000LL
#define T0 1700000040000LL /* 2023-11-14T22:14:00Z, a minute boundary */
#define NOW (T0 + 25000)   /* 25 seconds into that minute */

static int
utc(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    return 0;
}

/* --- climet01: durations ---------------------------------------------------------------- */

/* climet01-1.1: a number and a unit; a bare number is minutes. */
static void
climet01_1_durations(void **state)
{
    (void)state;
    int64_t ms;
    assert_true(when_duration("90s", &ms));
    assert_int_equal(ms, 90000);
    assert_true(when_duration("15m", &ms));
    assert_int_equal(ms, 15 * MIN);
    assert_true(when_duration("2h", &ms));
    assert_int_equal(ms, 120 * MIN);
    assert_true(when_duration("1d", &ms));
    assert_int_equal(ms, 1440 * MIN);
    assert_true(when_duration("30", &ms));
    assert_int_equal(ms, 30 * MIN);
}

/* climet01-1.2: anything else is refused. */
static void
climet01_2_bad_durations(void **state)
{
    (void)state;
    int64_t ms;
    static const char *const bad[] = {"", "m", "0", "0s", "-5m", "1x", "1mm", "1.5h", " 5m",
                                      "99999999999999999999d", "100000000000000d"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(when_duration(bad[i], &ms));
    assert_false(when_duration(NULL, &ms));
}

/* --- climet02: times --------------------------------------------------------------------- */

/* climet02-1.1: epoch seconds, now, and a duration ago. */
static void
climet02_1_simple_times(void **state)
{
    (void)state;
    int64_t ms;
    assert_true(when_time("1700000040", NOW, &ms));
    assert_int_equal(ms, T0);
    assert_true(when_time("now", NOW, &ms));
    assert_int_equal(ms, NOW);
    assert_true(when_time("-2h", NOW, &ms));
    assert_int_equal(ms, NOW - 120 * MIN);
}

/* climet02-1.2: ISO 8601, with a zone or in local time (UTC here). */
static void
climet02_2_iso_times(void **state)
{
    (void)state;
    int64_t ms;
    assert_true(when_time("2023-11-14T22:14Z", NOW, &ms));
    assert_int_equal(ms, T0);
    assert_true(when_time("2023-11-14T22:14:00Z", NOW, &ms));
    assert_int_equal(ms, T0);
    assert_true(when_time("2023-11-14 22:14:30.75z", NOW, &ms));
    assert_int_equal(ms, T0 + 30000);
    assert_true(when_time("2023-11-14T23:14+01:00", NOW, &ms));
    assert_int_equal(ms, T0);
    assert_true(when_time("2023-11-14T20:44-0130", NOW, &ms));
    assert_int_equal(ms, T0);
    assert_true(when_time("2023-11-14T22:14", NOW, &ms)); /* local time: TZ=UTC */
    assert_int_equal(ms, T0);
    assert_true(when_time("2023-11-14", NOW, &ms));
    assert_int_equal(ms, T0 - (22 * 60 + 14) * MIN);
}

/* climet02-1.3: malformed times are refused. */
static void
climet02_3_bad_times(void **state)
{
    (void)state;
    int64_t ms;
    static const char *const bad[] = {
        "",           "yesterday",         "-",                 "-0m",
        "2023-13-01", "2023-11-14T24:00",  "2023-11-14T22:60",  "2023-11-14T22",
        "2023-11-1",  "2023-11-14T22:14+1", "2023-11-14T22:14Q", "2023-11-14T22:14:00Zx",
        "12abc",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (when_time(bad[i], NOW, &ms))
            fail_msg("accepted \"%s\"", bad[i]);
    }
}

/* --- climet03: windows -------------------------------------------------------------------- */

/* climet03-1.1: --since counts back whole minutes from the current one. */
static void
climet03_1_since(void **state)
{
    (void)state;
    struct when_window w;
    assert_null(when_window(NULL, NULL, NULL, NOW, &w));
    assert_int_equal(w.minutes, 60);
    assert_int_equal(w.end_ms, T0 + MIN);
    assert_int_equal(w.start_ms, T0 - 59 * MIN);
    assert_null(when_window("90s", NULL, NULL, NOW, &w));
    assert_int_equal(w.minutes, 2);
    assert_int_equal(w.start_ms, T0 - MIN);
    assert_null(when_window("1s", NULL, NULL, NOW, &w));
    assert_int_equal(w.minutes, 1);
    assert_int_equal(w.start_ms, T0);
    /* no further back than the library keeps */
    assert_null(when_window("7d", NULL, NULL, NOW, &w));
    assert_int_equal(w.minutes, WHEN_KEPT_MINUTES);
    assert_int_equal(w.start_ms, T0 - 1440 * MIN);
}

/* climet03-1.2: --start and --end, widened to whole minutes; either may
 * be left out. */
static void
climet03_2_range(void **state)
{
    (void)state;
    struct when_window w;
    assert_null(when_window(NULL, "-10m", "-5m", NOW, &w));
    assert_int_equal(w.start_ms, T0 - 10 * MIN);
    assert_int_equal(w.end_ms, T0 - 4 * MIN); /* the minute holding the end */
    assert_int_equal(w.minutes, 6);
    assert_null(when_window(NULL, "1700000040", "1700000100", NOW, &w));
    assert_int_equal(w.start_ms, T0);
    assert_int_equal(w.end_ms, T0 + MIN);
    assert_int_equal(w.minutes, 1);
    assert_null(when_window(NULL, "-3m", NULL, NOW, &w)); /* to now */
    assert_int_equal(w.minutes, 4);
    assert_int_equal(w.end_ms, T0 + MIN);
    assert_null(when_window(NULL, NULL, "-2h", NOW, &w)); /* an hour before the end */
    assert_int_equal(w.minutes, 61);
    /* cut to what is kept: not before 24 hours ago, not after now */
    assert_non_null(when_window(NULL, "-3d", "+1d", NOW, &w)); /* no "+" */
    assert_null(when_window(NULL, "-3d", "now", NOW, &w));
    assert_int_equal(w.minutes, WHEN_KEPT_MINUTES);
    assert_null(when_window(NULL, "-5m", "2030-01-01T00:00Z", NOW, &w));
    assert_int_equal(w.end_ms, T0 + MIN);
}

/* climet03-1.3: the errors name the option at fault. */
static void
climet03_3_errors(void **state)
{
    (void)state;
    struct when_window w;
    assert_string_equal(when_window("1h", "-2h", NULL, NOW, &w),
                        "argument --since: not allowed with --start or --end");
    assert_string_equal(when_window("soon", NULL, NULL, NOW, &w),
                        "argument --since: expected a duration such as 90s, 15m, 2h or 1d");
    assert_non_null(strstr(when_window(NULL, "x", NULL, NOW, &w), "argument --start: "));
    assert_non_null(strstr(when_window(NULL, NULL, "x", NOW, &w), "argument --end: "));
    assert_string_equal(when_window(NULL, "-1h", "-2h", NOW, &w),
                        "argument --end: must be after --start");
    assert_string_equal(when_window(NULL, "-1h", "-1h", NOW, &w),
                        "argument --end: must be after --start");
    assert_string_equal(when_window(NULL, "-3d", "-2d", NOW, &w),
                        "argument --start: the range holds none of the last 24 hours, the "
                        "metrics kept");
}

/* --- climet04: sparklines ---------------------------------------------------------------- */

/* climet04-1.1: eight heights; zero lowest, the peak highest, a blank
 * where there is no data. */
static void
climet04_1_ascii(void **state)
{
    (void)state;
    double v[] = {0, 1, 2, 3, 6, 12, 24, 48, 5, 0.5};
    bool p[] = {true, true, true, true, true, true, true, true, false, true};
    char *s = spark_render(v, p, 10, 1, false);
    assert_string_equal(s, "_....-=# .");
    free(s);
    double w[] = {0, 1, 2, 3, 4, 5, 6};
    bool all[] = {true, true, true, true, true, true, true};
    s = spark_render(w, all, 7, 1, false);
    assert_string_equal(s, "_-:=+*#");
    free(s);
}

/* climet04-1.2: several values a character: the largest shows. */
static void
climet04_2_grouped(void **state)
{
    (void)state;
    double v[] = {6, 0, 0, 0, 3, 0, 0};
    bool p[] = {true, true, false, false, true, true, false};
    char *s = spark_render(v, p, 7, 2, false);
    assert_string_equal(s, "# = "); /* {6,0} {-,-} {3,0} {-} */
    free(s);
    s = spark_render(v, p, 7, 3, false);
    assert_string_equal(s, "#= "); /* {6,0,-} {-,3,0} {-} */
    free(s);
}

/* climet04-1.3: Unicode blocks; all zero stays at the bottom. */
static void
climet04_3_unicode(void **state)
{
    (void)state;
    double v[] = {0, 7, 0};
    bool p[] = {true, true, true};
    char *s = spark_render(v, p, 3, 1, true);
    assert_string_equal(s, "\xe2\x96\x81\xe2\x96\x88\xe2\x96\x81"); /* ▁█▁ */
    free(s);
    double z[] = {0, 0};
    bool q[] = {true, false};
    s = spark_render(z, q, 2, 0, true);
    assert_string_equal(s, "\xe2\x96\x81 ");
    free(s);
    s = spark_render(z, q, 0, 1, true);
    assert_string_equal(s, "");
    free(s);
}

/* climet04-1.4: the locale's character set decides, LC_ALL first. */
static void
climet04_4_locale(void **state)
{
    (void)state;
    unsetenv("LC_ALL");
    unsetenv("LC_CTYPE");
    unsetenv("LANG");
    assert_false(spark_utf8_locale());
    setenv("LANG", "en_GB.UTF-8", 1);
    assert_true(spark_utf8_locale());
    setenv("LC_CTYPE", "C", 1);
    assert_false(spark_utf8_locale());
    setenv("LC_ALL", "de_DE.utf8", 1);
    assert_true(spark_utf8_locale());
    setenv("LC_ALL", "POSIX", 1);
    assert_false(spark_utf8_locale());
    unsetenv("LC_ALL");
    unsetenv("LC_CTYPE");
    unsetenv("LANG");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(climet01_1_durations),  cmocka_unit_test(climet01_2_bad_durations),
        cmocka_unit_test(climet02_1_simple_times), cmocka_unit_test(climet02_2_iso_times),
        cmocka_unit_test(climet02_3_bad_times),  cmocka_unit_test(climet03_1_since),
        cmocka_unit_test(climet03_2_range),      cmocka_unit_test(climet03_3_errors),
        cmocka_unit_test(climet04_1_ascii),      cmocka_unit_test(climet04_2_grouped),
        cmocka_unit_test(climet04_3_unicode),    cmocka_unit_test(climet04_4_locale),
    };
    return cmocka_run_group_tests(tests, utc, NULL);
}
