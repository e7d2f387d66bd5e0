/*
 * test_number.c -- DynamoDB's exact decimals: parsing and its messages,
 * canonical text, range and precision edges, hostile input, comparison,
 * addition and subtraction, storage sizes and int64 conversion.
 */
#include "fixture.h"
#include "arena.h"
#include "err.h"
#include "number.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOT_NUMERIC "The parameter cannot be converted to a numeric value"
#define OVERFLOW                                                                                   \
    "Number overflow. Attempting to store a number with magnitude larger than supported "          \
    "range"
#define UNDERFLOW                                                                                  \
    "Number underflow. Attempting to store a number with magnitude smaller than supported "        \
    "range"
#define PRECISION "Attempting to store more than 38 significant digits in a Number"

#define MAX_TEXT "9.9999999999999999999999999999999999999E+125"
#define NINES38 "99999999999999999999999999999999999999"

/* "0." then 129 zeros then the digits: the plain form of 0.d * 10^-129. */
static char *
tiny_text(const char *sign, const char *digits)
{
    static char buf[NUMBER_TEXT_MAX + 8];
    int n = snprintf(buf, sizeof buf, "%s0.", sign);
    memset(buf + n, '0', 129);
    snprintf(buf + n + 129, sizeof buf - (size_t)n - 129, "%s", digits);
    return buf;
}

static struct decimal
num(const char *text)
{
    struct decimal d;
    struct kv_err e;
    err_init(&e);
    kv_status st = number_parse(text, strlen(text), &d, &e);
    if (st != KV_OK)
        fail_msg("\"%s\" does not parse: %s", text, err_message(&e));
    err_clear(&e);
    return d;
}

static void
expect_canonical(const char *text, const char *canonical)
{
    char out[NUMBER_TEXT_MAX];
    struct decimal d = num(text);
    size_t n = number_format(&d, out);
    if (strcmp(out, canonical) != 0)
        fail_msg("\"%s\" formats as \"%s\", want \"%s\"", text, out, canonical);
    assert_int_equal(n, strlen(canonical));
    /* The canonical text parses back to the same decimal. */
    struct decimal again = num(out);
    assert_memory_equal(&d, &again, sizeof d);
}

static void
expect_error_n(const char *text, size_t len, const char *msg)
{
    struct decimal d;
    struct kv_err e;
    err_init(&e);
    assert_int_equal(number_parse(text, len, &d, &e), KV_VALIDATION);
    if (strcmp(err_message(&e), msg) != 0)
        fail_msg("\"%.*s\": got \"%s\", want \"%s\"", (int)len, text, err_message(&e), msg);
    assert_int_equal(d.sign, 0);
    err_clear(&e);
}

static void
expect_error(const char *text, const char *msg)
{
    expect_error_n(text, strlen(text), msg);
}

static void
expect_syntax_error(const char *text)
{
    char msg[256];
    snprintf(msg, sizeof msg, NOT_NUMERIC ": %s", text);
    expect_error(text, msg);
}

static void
number01_canonical_forms(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"0", "0"},
        {"-0", "0"},
        {"+0", "0"},
        {"0.000", "0"},
        {"0e1000", "0"},
        {"-0.0E-99999", "0"},
        {"1", "1"},
        {"+5", "5"},
        {"-7", "-7"},
        {"01.50", "1.5"},
        {"0042.1200", "42.12"},
        {"1E3", "1000"},
        {"1e+2", "100"},
        {"+1e2", "100"},
        {"1.5E+3", "1500"},
        {"-17e5", "-1700000"},
        {".123", "0.123"},
        {"5.", "5"},
        {"-.5", "-0.5"},
        {"0001.23", "1.23"},
        {"1.0", "1"},
        {"100", "100"},
        {"1010", "1010"},
        {"100.5", "100.5"},
        {"0.0000001", "0.0000001"},
        {"12.5e-3", "0.0125"},
        {"-17.4E37", "-174"
                     "000000000000000000000000000000000000"},
        {"123.456e1", "1234.56"},
        {"123.456e3", "123456"},
        {"123.456e-3", "0.123456"},
        {"1000000000000000000000000000000000000000000000000000",
         "1"
         "000000000000000000000000000000000000000000000000000"},
        {"3.1415926535897932384626433832795028841", "3.1415926535897932384626433832795028841"},
        {"31415926535897932384626433832795028841e30",
         "31415926535897932384626433832795028841000000000000000000000000000000"},
        {"0.00000000000000000000000000000000000000000000000000001",
         "0.00000000000000000000000000000000000000000000000000001"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_canonical(cases[i][0], cases[i][1]);
}

static void
number02_syntax_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "abc",   "-dog",  "NaN",   "-NaN", "Infinity", "-Infinity", "inf",  " 1",  "1 ",  " ",
        "1.2.3", "0x10",  "1e",    "1E+",  "e5",       "+e2",       ".",    "-",   "+",   "+-5",
        "--5",   "1e+-5", "1e5.5", "1,5",  "1_000",    "１",        "1e 5", "\t1", "1\n", "٣",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_syntax_error(bad[i]);
    /* Empty text has no colon; a NUL is not a digit. */
    expect_error("", NOT_NUMERIC);
    expect_error_n("1\0", 2, NOT_NUMERIC ": 1");
}

static void
number03_range_edges(void **state)
{
    (void)state;
    /* The documented extremes parse and print in plain notation. */
    expect_canonical(MAX_TEXT, "9"
                               "9999999999999999999999999999999999999"
                               "00000000000000000000000000000000000000000000"
                               "00000000000000000000000000000000000000000000");
    expect_canonical("-" MAX_TEXT, "-9"
                                   "9999999999999999999999999999999999999"
                                   "00000000000000000000000000000000000000000000"
                                   "00000000000000000000000000000000000000000000");
    expect_canonical("1E-130", tiny_text("", "1"));
    expect_canonical("-1E-130", tiny_text("-", "1"));
    expect_canonical("1.5E-130", tiny_text("", "15"));
    expect_canonical("1E125", "1"
                              "00000000000000000000000000000000000000000000000000"
                              "00000000000000000000000000000000000000000000000000"
                              "0000000000000000000000000");
    struct decimal d = num("1E-130");
    assert_int_equal(d.exp, NUMBER_MIN_EXP);
    d = num(MAX_TEXT);
    assert_int_equal(d.exp, NUMBER_MAX_EXP);
    assert_int_equal(d.ndigits, 38);
    /* Just outside. */
    expect_error("1E126", OVERFLOW);
    expect_error("-1E126", OVERFLOW);
    expect_error("10E125", OVERFLOW);
    expect_error("11e125", OVERFLOW);
    expect_error("1E-131", UNDERFLOW);
    expect_error("-1E-131", UNDERFLOW);
    expect_error("0.9E-130", UNDERFLOW);
    expect_error("0.99999999999999999999999999999999999999E-130", UNDERFLOW);
    /* 39 nines at the top are in range but too precise. */
    expect_error("9.99999999999999999999999999999999999999E+125", PRECISION);
    /* Written exponents far outside any int. */
    expect_error("1e99999999999", OVERFLOW);
    expect_error("-1e99999999999", OVERFLOW);
    expect_error("1e-99999999999", UNDERFLOW);
    expect_error("1e2147483647", OVERFLOW);
    expect_error("1e2147483648", OVERFLOW);
    expect_error("1e-2147483648", UNDERFLOW);
    expect_error("1E999999999999999999", OVERFLOW);
    expect_error("1E-999999999999999999999999999999", UNDERFLOW);
    /* A huge exponent is cancelled by a long run of leading fraction zeros. */
    expect_canonical("0.0000000001e10", "1");
}

static void
number04_precision(void **state)
{
    (void)state;
    expect_canonical("12345678901234567890123456789012345678",
                     "12345678901234567890123456789012345678");
    expect_canonical("-1.2345678901234567890123456789012345678",
                     "-1.2345678901234567890123456789012345678");
    expect_error("123456789012345678901234567890123456789", PRECISION);
    expect_error("-1.23456789012345678901234567890123456789", PRECISION);
    expect_error("1234567890123456789012345678901234567890", PRECISION);
    expect_error("3.14159265358979323846264338327950288419", PRECISION);
    expect_error("314159265358979323846264338327950288419e30", PRECISION);
    /* Leading and trailing zeros are not significant digits. */
    expect_canonical(
        "000000000000000000000000000000000000000000001.5000000000000000000000000000000000000",
        "1.5");
    expect_canonical(
        "10000000000000000000000000000000000000000000000000000000000000000000000000000",
        "10000000000000000000000000000000000000000000000000000000000000000000000000000");
    expect_canonical("1000000000000000000000000000000000000.1",
                     "1000000000000000000000000000000000000.1");
    expect_error("10000000000000000000000000000000000000.1", PRECISION);
    /* Interior zeros are. */
    expect_error("1000000000000000000000000000000000000001", PRECISION);
    /* Range errors come before the precision error. */
    expect_error("12345678901234567890123456789012345678901234567890E200", OVERFLOW);
    expect_error("12345678901234567890123456789012345678901234567890E-200", UNDERFLOW);
    expect_error("12345678901234567890123456789012345678901234567890E50", PRECISION);
}

static double
seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
number05_hostile_lengths(void **state)
{
    (void)state;
    size_t big = 4u << 20;
    char *t = malloc(big + 16);
    assert_non_null(t);
    struct decimal d;
    struct kv_err e;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    /* 10,000 significant digits. */
    memset(t, '7', 10000);
    expect_error_n(t, 10000, OVERFLOW);
    t[0] = '0';
    t[1] = '.';
    expect_error_n(t, 10000, PRECISION);

    /* Millions of zeros around one digit: linear time, one significant digit. */
    memset(t, '0', big);
    t[1] = '.';
    t[big - 1] = '5';
    expect_error_n(t, big, UNDERFLOW);
    memcpy(t + big, "e4194300", 8);
    err_init(&e);
    assert_int_equal(number_parse(t, big + 8, &d, &e), KV_OK);
    assert_int_equal(d.ndigits, 1);
    assert_int_equal(d.exp, 4194300 - (int)(big - 2) + 1);
    err_clear(&e);

    /* A trailing-zero integer of millions of digits is an overflow, not precision. */
    memset(t, '0', big);
    t[0] = '1';
    expect_error_n(t, big, OVERFLOW);

    /* An exponent of 10^20 and one of a million digits. */
    expect_error("1e100000000000000000000", OVERFLOW);
    memset(t, '9', big);
    memcpy(t, "1e-", 3);
    expect_error_n(t, big, UNDERFLOW);
    memcpy(t, "0e+", 3);
    err_init(&e);
    assert_int_equal(number_parse(t, big, &d, &e), KV_OK);
    assert_int_equal(d.sign, 0);
    err_clear(&e);

    assert_true(seconds_since(&t0) < 5.0);
    free(t);
}

static void
number06_compare(void **state)
{
    (void)state;
    /* Strictly ascending. */
    static const char *const seq[] = {
        ("-" MAX_TEXT),
        "-9.9999999999999999999999999999999999998E+125",
        "-1E125",
        "-100",
        "-10",
        "-9.5",
        "-1.0000000000000000000000000000000000001",
        "-1",
        "-0.99999999999999999999999999999999999999",
        "-1E-129",
        "-1.5E-130",
        "-1E-130",
        "0",
        "1E-130",
        "1.0000000000000000000000000000000000001E-130",
        "1E-129",
        "0.5",
        "1",
        "1.0000000000000000000000000000000000001",
        "2",
        "9.5",
        "10",
        "10.000000000000000000000000000000000001",
        "11",
        "99999999999999999999999999999999999998",
        NINES38,
        "1E38",
        "9.9999999999999999999999999999999999998E+125",
        MAX_TEXT,
    };
    size_t n = sizeof seq / sizeof seq[0];
    for (size_t i = 0; i < n; i++) {
        struct decimal a = num(seq[i]);
        for (size_t j = 0; j < n; j++) {
            struct decimal b = num(seq[j]);
            int c = number_cmp(&a, &b);
            int want = (i > j) - (i < j);
            if ((c > 0) - (c < 0) != want)
                fail_msg("cmp(%s, %s) = %d", seq[i], seq[j], c);
        }
    }
    struct decimal x = num("1"), y = num("1.000"), z = num("+0.1e1");
    assert_int_equal(number_cmp(&x, &y), 0);
    assert_int_equal(number_cmp(&x, &z), 0);
    x = num("-0");
    y = num("0.0e5");
    assert_int_equal(number_cmp(&x, &y), 0);
}

static void
expect_sum(const char *a, char op, const char *b, const char *want)
{
    struct decimal x = num(a), y = num(b), r;
    struct kv_err e;
    char out[NUMBER_TEXT_MAX];
    err_init(&e);
    kv_status st = op == '+' ? number_add(&x, &y, &r, &e) : number_sub(&x, &y, &r, &e);
    if (st != KV_OK)
        fail_msg("%s %c %s failed: %s", a, op, b, err_message(&e));
    number_format(&r, out);
    if (strcmp(out, want) != 0)
        fail_msg("%s %c %s = %s, want %s", a, op, b, out, want);
    struct decimal w = num(want);
    assert_memory_equal(&r, &w, sizeof r);
    err_clear(&e);
}

static void
expect_sum_error(const char *a, char op, const char *b, const char *msg)
{
    struct decimal x = num(a), y = num(b), r;
    struct kv_err e;
    err_init(&e);
    kv_status st = op == '+' ? number_add(&x, &y, &r, &e) : number_sub(&x, &y, &r, &e);
    if (st != KV_VALIDATION || strcmp(err_message(&e), msg) != 0)
        fail_msg("%s %c %s: got %d \"%s\", want \"%s\"", a, op, b, st, err_message(&e), msg);
    err_clear(&e);
}

static void
number07_add(void **state)
{
    (void)state;
    expect_sum("1", '+', "1", "2");
    expect_sum("0", '+', "0", "0");
    expect_sum("0", '+', "-3.5", "-3.5");
    expect_sum("-3.5", '+', "0", "-3.5");
    expect_sum("0.1", '+', "0.2", "0.3");
    expect_sum("9", '+', "1", "10");
    expect_sum("99.99", '+', "0.01", "100");
    expect_sum("1", '+', "10000000000000000000000", "10000000000000000000001");
    expect_sum(NINES38, '+', "1", "100000000000000000000000000000000000000");
    expect_sum("9999999999999999999999999999999999999.9", '+', "0.1",
               "10000000000000000000000000000000000000");
    expect_sum("1234567890123456789012345678901234567.8", '+', "0.1",
               "1234567890123456789012345678901234567.9");
    expect_sum("-5", '+', "3", "-2");
    expect_sum("5", '+', "-3", "2");
    expect_sum("3", '+', "-5", "-2");
    expect_sum("-3", '+', "-5", "-8");
    expect_sum("1.5", '+', "-1.5", "0");
    expect_sum("-1E-130", '+', "1E-130", "0");
    expect_sum("1E-130", '+', "1E-130", tiny_text("", "2"));
    expect_sum("1.1E-129", '+', "-1E-129", tiny_text("", "1"));
    expect_sum(MAX_TEXT, '+', "-" MAX_TEXT, "0");
    expect_sum("1E125", '+', "8.9999999999999999999999999999999999999E125",
               "99999999999999999999999999999999999999"
               "00000000000000000000000000000000000000"
               "00000000000000000000000000000000000000000000000000");
}

static void
number08_sub(void **state)
{
    (void)state;
    expect_sum("10000000000000000000000", '-', "1", "9999999999999999999999");
    expect_sum("1", '-', "1", "0");
    expect_sum("1", '-', "2", "-1");
    expect_sum("-1", '-', "-2", "1");
    expect_sum("-1", '-', "2", "-3");
    expect_sum("0", '-', "7", "-7");
    expect_sum("0", '-', "-7", "7");
    expect_sum("7", '-', "0", "7");
    expect_sum("100", '-', "0.01", "99.99");
    expect_sum("100000000000000000000000000000000000000", '-', "1", NINES38);
    expect_sum("1", '-', "0.00000000000000000000000000000000000001",
               "0.99999999999999999999999999999999999999");
    expect_sum("1.0000000000000000000000000000000000001", '-', "1",
               "0.0000000000000000000000000000000000001");
    expect_sum(MAX_TEXT, '-', MAX_TEXT, "0");
    expect_sum("-" MAX_TEXT, '-', "-1E125",
               "-89999999999999999999999999999999999999"
               "00000000000000000000000000000000000000"
               "00000000000000000000000000000000000000000000000000");
    expect_sum("2E-130", '-', "1E-130", tiny_text("", "1"));
}

static void
number09_arith_errors(void **state)
{
    (void)state;
    expect_sum_error(MAX_TEXT, '+', "1E125", OVERFLOW);
    expect_sum_error("9e125", '+', "9e125", OVERFLOW);
    expect_sum_error("9e125", '-', "-9e125", OVERFLOW);
    expect_sum_error("-" MAX_TEXT, '-', "1E125", OVERFLOW);
    expect_sum_error("-9e125", '+', "-1e125", OVERFLOW);
    expect_sum_error(MAX_TEXT, '+', "1E88", OVERFLOW);
    /* The exact result needs more than 38 digits: DynamoDB says overflow. */
    expect_sum_error("1e50", '+', "1", OVERFLOW);
    expect_sum_error("1e50", '-', "1", OVERFLOW);
    expect_sum_error(NINES38, '+', "0.1", OVERFLOW);
    expect_sum_error("1", '+', "1E-50", OVERFLOW);
    expect_sum_error("1", '-', "1E-130", OVERFLOW);
    expect_sum_error("-" NINES38, '-', "0.5", OVERFLOW);
    /* Below the smallest magnitude. */
    expect_sum_error("1.1E-130", '-', "1E-130", UNDERFLOW);
    expect_sum_error("-1.5E-130", '+', "1.4E-130", UNDERFLOW);
    /* 38 digits exactly is fine. */
    expect_sum(NINES38, '-', "1", "99999999999999999999999999999999999998");
    expect_sum("9999999999999999999999999999999999999.9", '-', "0.1",
               "9999999999999999999999999999999999999.8");
}

static void
number10_arith_properties(void **state)
{
    (void)state;
    /* (a + b) - b == a, and a + b orders against a as b orders against 0. */
    srand(1234);
    struct decimal zero;
    number_from_int64(0, &zero);
    int checked = 0;
    for (int i = 0; i < 20000; i++) {
        char ta[64], tb[64];
        snprintf(ta, sizeof ta, "%s%d.%de%d", rand() % 2 ? "-" : "", rand() % 100000, rand() % 1000,
                 rand() % 30 - 15);
        snprintf(tb, sizeof tb, "%s%d.%de%d", rand() % 2 ? "-" : "", rand() % 100000, rand() % 1000,
                 rand() % 30 - 15);
        struct decimal a = num(ta), b = num(tb), s, back;
        struct kv_err e;
        err_init(&e);
        if (number_add(&a, &b, &s, &e) == KV_OK) {
            assert_int_equal(number_sub(&s, &b, &back, &e), KV_OK);
            assert_memory_equal(&back, &a, sizeof a);
            int c1 = number_cmp(&s, &a), c2 = number_cmp(&b, &zero);
            assert_int_equal((c1 > 0) - (c1 < 0), (c2 > 0) - (c2 < 0));
            checked++;
        } else {
            assert_string_equal(err_message(&e), OVERFLOW);
        }
        err_clear(&e);
    }
    assert_true(checked > 10000);
}

static void
number11_sizes(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t size;
    } cases[] = {
        /* Measured against DynamoDB's 400 KB gate. */
        {"0", 1},
        {"1", 2},
        {"12", 2},
        {"123", 3},
        {"1234", 3},
        {"12345678901234567890123456789012345678", 20},
        {"0042", 2},
        {"100", 2},
        {"1010", 3},
        {"0.0000001", 2},
        {"1E125", 2},
        {"1E-100", 2},
        {"1.5", 3},
        {"15", 2},
        {"1.2", 3},
        {"1.200", 3},
        {"1.234", 4},
        {"3.14159", 5},
        {"123456", 4},
        {"100.5", 4},
        {"0.15", 2},
        {"-42", 3},
        {"-0", 1},
        /* Consequences of the same rule. */
        {"-1", 3},
        {"27", 2},
        {"-27", 3},
        {"461", 3},
        {"1786461547", 6},
        {"0.001", 2},
        {"1000", 2},
        {"0.123", 3},
        {"12.34", 3},
        {"120.5", 4},
        {"1E-130", 2},
        {"-1E-130", 3},
        {MAX_TEXT, 20},
        {"-" MAX_TEXT, 21},
        {"1.2345678901234567890123456789012345678", 21},
        {"-1.2345678901234567890123456789012345678", 22},
        {"0.12345678901234567890123456789012345678", 20},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct decimal d = num(cases[i].text);
        size_t got = number_size(&d);
        if (got != cases[i].size)
            fail_msg("size(%s) = %zu, want %zu", cases[i].text, got, cases[i].size);
    }
}

static void
number12_int64(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int ok;
        int64_t v;
    } cases[] = {
        {"0", 1, 0},
        {"-0.0", 1, 0},
        {"1", 1, 1},
        {"-1", 1, -1},
        {"1000", 1, 1000},
        {"1.5E1", 1, 15},
        {"9223372036854775807", 1, INT64_MAX},
        {"-9223372036854775808", 1, INT64_MIN},
        {"9223372036854775808", 0, 0},
        {"-9223372036854775809", 0, 0},
        {"1E19", 0, 0},
        {"1E18", 1, 1000000000000000000},
        {"1.5", 0, 0},
        {"0.1", 0, 0},
        {"1E100", 0, 0},
        {"18446744073709551616", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct decimal d = num(cases[i].text);
        int64_t v = 42;
        int rc = number_to_int64(&d, &v);
        if (rc != (cases[i].ok ? 0 : -1) || (cases[i].ok && v != cases[i].v))
            fail_msg("to_int64(%s) = %d, %lld", cases[i].text, rc, (long long)v);
    }
    static const int64_t vals[] = {
        0, 1, -1, 10, -100, 123456789, INT64_MAX, INT64_MIN, INT64_MIN + 1, 1000000000000000000};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        struct decimal d;
        char out[NUMBER_TEXT_MAX], want[32];
        number_from_int64(vals[i], &d);
        number_format(&d, out);
        snprintf(want, sizeof want, "%lld", (long long)vals[i]);
        assert_string_equal(out, want);
        struct decimal p = num(want);
        assert_memory_equal(&d, &p, sizeof d);
        int64_t back;
        assert_int_equal(number_to_int64(&d, &back), 0);
        assert_true(back == vals[i]);
    }
}

static void
number13_canonical_in_arena(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_err e;
    const char *out;
    size_t len;
    err_init(&e);
    assert_int_equal(number_canonical(a, "-001.2300e2", 11, &out, &len, &e), KV_OK);
    assert_string_equal(out, "-123");
    assert_int_equal(len, 4);
    assert_int_equal(number_canonical(a, "1e126", 5, &out, &len, &e), KV_VALIDATION);
    assert_null(out);
    assert_string_equal(err_message(&e), OVERFLOW);
    err_clear(&e);
    /* The longest canonical text fits NUMBER_TEXT_MAX. */
    char buf[NUMBER_TEXT_MAX];
    struct decimal d = num("-1.2345678901234567890123456789012345678E-130");
    size_t n = number_format(&d, buf);
    assert_int_equal(n, 1 + 2 + 129 + 38);
    assert_true(n < NUMBER_TEXT_MAX);
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(number01_canonical_forms),
        cmocka_unit_test(number02_syntax_errors),
        cmocka_unit_test(number03_range_edges),
        cmocka_unit_test(number04_precision),
        cmocka_unit_test(number05_hostile_lengths),
        cmocka_unit_test(number06_compare),
        cmocka_unit_test(number07_add),
        cmocka_unit_test(number08_sub),
        cmocka_unit_test(number09_arith_errors),
        cmocka_unit_test(number10_arith_properties),
        cmocka_unit_test(number11_sizes),
        cmocka_unit_test(number12_int64),
        cmocka_unit_test(number13_canonical_in_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
