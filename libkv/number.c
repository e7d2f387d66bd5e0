/*
 * number.c -- DynamoDB's exact decimal numbers: parsing, canonical text,
 * comparison, addition and subtraction, storage size, int64 conversion.
 *
 * A number lives in a struct decimal (see number.h): a sign, at most 38
 * significant digits and a decimal exponent, with no leading or trailing
 * zero digits, so every value has one representation.  All arithmetic is
 * done on decimal digits; no binary floating point is involved anywhere.
 * The order-preserving key bytes of a number are keycodec.c's job, and the
 * JSON face is value_json.c's; this file only knows digits.
 *
 * Every rule below is DynamoDB's observable behaviour, as its answers to
 * requests show it; each is noted where it is implemented.
 */
#include "number.h"
#include "arena.h"
#include "err.h"

#include <limits.h>
#include <string.h>

#define MSG_NOT_NUMERIC "The parameter cannot be converted to a numeric value"
#define MSG_OVERFLOW                                                                               \
    "Number overflow. Attempting to store a number with magnitude larger than supported "          \
    "range"
#define MSG_UNDERFLOW                                                                              \
    "Number underflow. Attempting to store a number with magnitude smaller than supported "        \
    "range"
#define MSG_PRECISION "Attempting to store more than 38 significant digits in a Number"

/*
 * Exponents and digit positions saturate here while parsing.  Any value
 * this large is far outside the range, and keeping every intermediate
 * below 2^52 means no sum or difference of two of them can overflow an
 * int64, whatever the input ("1E999999999999999999999" included).
 */
#define PARSE_CAP ((int64_t)1 << 50)

/* What one pass over the text learns; see number_parse. */
struct scan {
    int negative;
    size_t n_digits;                   /* mantissa digits, leading zeros included */
    size_t n_int;                      /* of which before the point */
    size_t first_nz;                   /* index of the first nonzero digit; SIZE_MAX if none */
    size_t last_nz;                    /* index of the last nonzero digit */
    int64_t exp;                       /* the exponent part, saturated at +-PARSE_CAP */
    uint8_t digits[NUMBER_MAX_DIGITS]; /* from first_nz on, as far as they fit */
};

static void
decimal_zero(struct decimal *d)
{
    memset(d, 0, sizeof *d);
}

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static void
scan_digit(struct scan *s, int v)
{
    size_t i = s->n_digits++;
    if (v != 0) {
        if (s->first_nz == SIZE_MAX)
            s->first_nz = i;
        s->last_nz = i;
    }
    if (s->first_nz != SIZE_MAX && i - s->first_nz < NUMBER_MAX_DIGITS)
        s->digits[i - s->first_nz] = (uint8_t)v;
}

/* Digits of the mantissa from *pos; returns how many were read. */
static size_t
scan_run(struct scan *s, const char *t, size_t len, size_t *pos)
{
    size_t start = *pos;
    while (*pos < len && is_digit(t[*pos]))
        scan_digit(s, t[(*pos)++] - '0');
    return *pos - start;
}

/* The exponent part after 'e' or 'E'; 0 if it has no digits. */
static int
scan_exponent(struct scan *s, const char *t, size_t len, size_t *pos)
{
    int neg = 0;
    if (*pos < len && (t[*pos] == '+' || t[*pos] == '-'))
        neg = t[(*pos)++] == '-';
    size_t start = *pos;
    int64_t e = 0;
    for (; *pos < len && is_digit(t[*pos]); (*pos)++)
        if (e < PARSE_CAP)
            e = e * 10 + (t[*pos] - '0');
    if (e > PARSE_CAP)
        e = PARSE_CAP;
    s->exp = neg ? -e : e;
    return *pos > start;
}

/*
 * The grammar DynamoDB accepts, checked in one pass:
 *
 *     [+|-] ( digits [ "." [digits] ] | "." digits ) [ (e|E) [+|-] digits ]
 *
 * DynamoDB accepts a leading '+' ("+5" is stored as 5), a bare fraction
 * (".123") and an exponent with or without a sign ("1e+5", "-17.4E37").
 * It rejects surrounding or inner whitespace (" 1", "1 "), "NaN",
 * "Infinity", hexadecimal ("0x10"), an exponent without digits ("1e"), a
 * second point ("1.2.3") and anything else.  A trailing point ("5.") is
 * accepted as the decimal grammar DynamoDB's parser follows allows it.
 */
static int
scan_text(struct scan *s, const char *t, size_t len)
{
    size_t pos = 0;
    memset(s, 0, sizeof *s);
    s->first_nz = SIZE_MAX;
    if (pos < len && (t[pos] == '+' || t[pos] == '-'))
        s->negative = t[pos++] == '-';
    size_t n = scan_run(s, t, len, &pos);
    s->n_int = n;
    if (pos < len && t[pos] == '.') {
        pos++;
        n += scan_run(s, t, len, &pos);
    }
    if (n == 0)
        return 0;
    if (pos < len && (t[pos] == 'e' || t[pos] == 'E')) {
        pos++;
        if (!scan_exponent(s, t, len, &pos))
            return 0;
    }
    return pos == len;
}

static int64_t
clamp_size(size_t v)
{
    return v > (size_t)PARSE_CAP ? PARSE_CAP : (int64_t)v;
}

/*
 * The exponent of the value in number.h's 0.ddd form: the place of the
 * first nonzero digit relative to the point, plus the written exponent.
 */
static int64_t
scan_exp(const struct scan *s)
{
    int64_t lead = s->n_int >= s->first_nz ? clamp_size(s->n_int - s->first_nz)
                                           : -clamp_size(s->first_nz - s->n_int);
    return lead + s->exp;
}

/*
 * The range and precision checks, in DynamoDB's order: a number too large
 * is an overflow and one too small an underflow even when it also has too
 * many digits (a 50-digit number times 1E200 reports overflow); only a
 * number in range is refused for its precision.  Zero is in range with
 * any exponent ("0e1000" is stored as 0).  Every exponent, however large,
 * is range-checked by sign, as DynamoDB's PutItem and UpdateItem do:
 * "1e99999999999" and "1e2147483647" overflow, "1e-99999999999"
 * underflows.  Trailing zeros are not significant, so "1" followed by a
 * hundred zeros has one significant digit.
 */
kv_status
number_parse(const char *text, size_t len, struct decimal *out, struct kv_err *err)
{
    struct scan s;
    decimal_zero(out);
    /* DynamoDB leaves the colon off when the text is empty (see number.h). */
    if (len == 0)
        return err_set(err, KV_VALIDATION, MSG_NOT_NUMERIC);
    if (!scan_text(&s, text, len))
        return err_set(err, KV_VALIDATION, MSG_NOT_NUMERIC ": %.*s",
                       len > INT_MAX ? INT_MAX : (int)len, text);
    if (s.first_nz == SIZE_MAX)
        return KV_OK;
    int64_t e = scan_exp(&s);
    if (e > NUMBER_MAX_EXP)
        return err_set(err, KV_VALIDATION, MSG_OVERFLOW);
    if (e < NUMBER_MIN_EXP)
        return err_set(err, KV_VALIDATION, MSG_UNDERFLOW);
    size_t nd = s.last_nz - s.first_nz + 1;
    if (nd > NUMBER_MAX_DIGITS)
        return err_set(err, KV_VALIDATION, MSG_PRECISION);
    out->sign = s.negative ? -1 : 1;
    out->ndigits = (uint8_t)nd;
    out->exp = (int16_t)e;
    memcpy(out->digits, s.digits, nd);
    return KV_OK;
}

static char *
put_zeros(char *p, int n)
{
    for (int i = 0; i < n; i++)
        *p++ = '0';
    return p;
}

static char *
put_digits(char *p, const uint8_t *d, int n)
{
    for (int i = 0; i < n; i++)
        *p++ = (char)('0' + d[i]);
    return p;
}

/*
 * DynamoDB returns numbers in plain notation whatever their size: "1E125"
 * reads back as a 1 and 125 zeros, "1E-130" as "0." and 129 zeros and a 1.
 * "-0" is stored as 0: zero has no sign.
 */
size_t
number_format(const struct decimal *d, char *out)
{
    char *p = out;
    int nd = d->ndigits, e = d->exp;
    if (d->sign == 0 || nd == 0) {
        *p++ = '0';
    } else {
        if (d->sign < 0)
            *p++ = '-';
        if (e <= 0) {
            *p++ = '0';
            *p++ = '.';
            p = put_digits(put_zeros(p, -e), d->digits, nd);
        } else if (e >= nd) {
            p = put_zeros(put_digits(p, d->digits, nd), e - nd);
        } else {
            p = put_digits(p, d->digits, e);
            *p++ = '.';
            p = put_digits(p, d->digits + e, nd - e);
        }
    }
    *p = '\0';
    return (size_t)(p - out);
}

kv_status
number_canonical(struct arena *a, const char *text, size_t len, const char **out, size_t *out_len,
                 struct kv_err *err)
{
    struct decimal d;
    char buf[NUMBER_TEXT_MAX];
    *out = NULL;
    *out_len = 0;
    kv_status st = number_parse(text, len, &d, err);
    if (st != KV_OK)
        return st;
    size_t n = number_format(&d, buf);
    char *copy = arena_strndup(a, buf, n);
    if (!copy)
        return err_nomem(err);
    *out = copy;
    *out_len = n;
    return KV_OK;
}

/* Compare magnitudes of two nonzero decimals. */
static int
magnitude_cmp(const struct decimal *a, const struct decimal *b)
{
    if (a->exp != b->exp)
        return a->exp < b->exp ? -1 : 1;
    int n = a->ndigits < b->ndigits ? a->ndigits : b->ndigits;
    for (int i = 0; i < n; i++)
        if (a->digits[i] != b->digits[i])
            return a->digits[i] < b->digits[i] ? -1 : 1;
    return (a->ndigits > b->ndigits) - (a->ndigits < b->ndigits);
}

int
number_cmp(const struct decimal *a, const struct decimal *b)
{
    if (a->sign != b->sign)
        return a->sign < b->sign ? -1 : 1;
    if (a->sign == 0)
        return 0;
    int c = magnitude_cmp(a, b);
    return a->sign > 0 ? c : -c;
}

/*
 * Exact sums are formed in a fixed window of decimal places.  Operands
 * have exponents in NUMBER_MIN_EXP..NUMBER_MAX_EXP and at most 38 digits,
 * so their places run from 10^(MIN_EXP - 38) to 10^(MAX_EXP - 1), and a
 * carry adds one more place on top.
 */
#define SUM_LOW (NUMBER_MIN_EXP - NUMBER_MAX_DIGITS)
#define SUM_PLACES (NUMBER_MAX_EXP - SUM_LOW + 1)

/* Digit of place p (the 10^p column) is at index p - SUM_LOW, low first. */
static void
sum_spread(const struct decimal *d, uint8_t *places)
{
    for (int i = 0; i < d->ndigits; i++)
        places[d->exp - 1 - i - SUM_LOW] = d->digits[i];
}

static int
decimal_sane(const struct decimal *d)
{
    if (d->sign == 0)
        return d->ndigits == 0;
    return d->ndigits >= 1 && d->ndigits <= NUMBER_MAX_DIGITS && d->exp >= NUMBER_MIN_EXP &&
           d->exp <= NUMBER_MAX_EXP;
}

/*
 * Turn the window back into a decimal.  DynamoDB refuses a result outside
 * the range with its overflow or underflow message, and a result that
 * would need more than 38 significant digits with the overflow message
 * too: "1E50 + 1" and "1E50 - 1" both fail with "Number overflow. ...",
 * not with the precision message a request's own number gets.  Nothing is
 * ever rounded.
 */
static kv_status
sum_collect(const uint8_t *places, int sign, struct decimal *out, struct kv_err *err)
{
    int hi = SUM_PLACES - 1, lo = 0;
    while (hi >= 0 && places[hi] == 0)
        hi--;
    if (hi < 0)
        return KV_OK; /* exact cancellation: zero */
    while (places[lo] == 0)
        lo++;
    int exp = hi + SUM_LOW + 1;
    if (exp > NUMBER_MAX_EXP)
        return err_set(err, KV_VALIDATION, MSG_OVERFLOW);
    if (exp < NUMBER_MIN_EXP)
        return err_set(err, KV_VALIDATION, MSG_UNDERFLOW);
    if (hi - lo + 1 > NUMBER_MAX_DIGITS)
        return err_set(err, KV_VALIDATION, MSG_OVERFLOW);
    out->sign = (int8_t)sign;
    out->exp = (int16_t)exp;
    out->ndigits = (uint8_t)(hi - lo + 1);
    for (int i = 0; i < out->ndigits; i++)
        out->digits[i] = places[hi - i];
    return KV_OK;
}

/* a + (negate ? -b : b), exactly. */
static kv_status
number_addsub(const struct decimal *a, const struct decimal *b, int negate, struct decimal *out,
              struct kv_err *err)
{
    uint8_t x[SUM_PLACES] = {0}, y[SUM_PLACES] = {0};
    int bsign = negate ? -b->sign : b->sign;
    if (!decimal_sane(a) || !decimal_sane(b))
        return ERR_MISUSE(err, "malformed decimal operand");
    decimal_zero(out);
    if (bsign == 0) {
        *out = *a;
        return KV_OK;
    }
    if (a->sign == 0) {
        *out = *b;
        out->sign = (int8_t)bsign;
        return KV_OK;
    }
    /* Put the larger magnitude in x, so a difference never borrows out. */
    int swap = magnitude_cmp(a, b) < 0;
    sum_spread(swap ? b : a, x);
    sum_spread(swap ? a : b, y);
    int sign = swap ? bsign : a->sign;
    int carry = 0;
    for (int i = 0; i < SUM_PLACES; i++) {
        int v = a->sign == bsign ? x[i] + y[i] + carry : x[i] - y[i] - carry;
        carry = v >= 10 || v < 0;
        x[i] = (uint8_t)(v >= 10 ? v - 10 : v < 0 ? v + 10 : v);
    }
    return sum_collect(x, sign, out, err);
}

kv_status
number_add(const struct decimal *a, const struct decimal *b, struct decimal *out,
           struct kv_err *err)
{
    return number_addsub(a, b, 0, out, err);
}

kv_status
number_sub(const struct decimal *a, const struct decimal *b, struct decimal *out,
           struct kv_err *err)
{
    return number_addsub(a, b, 1, out, err);
}

/*
 * DynamoDB's storage size of a number, measured to the byte against its
 * 400 KB item limit: one byte, plus one byte per two significant digits
 * of the integer part (rounded up), plus one byte per two significant
 * digits of the fraction (rounded up), plus one byte if negative.  Leading
 * and trailing zeros of the whole value are not counted, but zeros
 * between significant digits are, including an integer part's trailing
 * zeros when a fraction follows them.  The exponent costs nothing.
 * Measured: 0 -> 1, 1 -> 2, 12 -> 2, 123 -> 3, 1234 -> 3, 100 -> 2,
 * 1010 -> 3, 0.0000001 -> 2, 1E125 -> 2, 1.5 -> 3, 3.14159 -> 5,
 * 123456 -> 4, 100.5 -> 4, 0.15 -> 2, -42 -> 3, -0 -> 1, and a 38-digit
 * integer -> 20.
 */
size_t
number_size(const struct decimal *d)
{
    if (d->sign == 0 || d->ndigits == 0)
        return 1;
    int nd = d->ndigits, e = d->exp;
    int n_int = e <= 0 ? 0 : e >= nd ? nd : e;
    int n_frac = nd - n_int;
    return 1 + (size_t)(n_int + 1) / 2 + (size_t)(n_frac + 1) / 2 + (d->sign < 0);
}

int
number_to_int64(const struct decimal *d, int64_t *out)
{
    if (d->sign == 0) {
        *out = 0;
        return 0;
    }
    /* An integer has all its digits left of the point; 10^19 > INT64_MAX. */
    if (d->exp < d->ndigits || d->exp > 19)
        return -1;
    uint64_t m = 0;
    for (int i = 0; i < d->exp; i++)
        m = m * 10 + (i < d->ndigits ? d->digits[i] : 0);
    if (d->sign > 0) {
        if (m > (uint64_t)INT64_MAX)
            return -1;
        *out = (int64_t)m;
    } else {
        if (m > (uint64_t)INT64_MAX + 1)
            return -1;
        *out = m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
    }
    return 0;
}

void
number_from_int64(int64_t v, struct decimal *out)
{
    uint8_t rev[20];
    int n = 0;
    decimal_zero(out);
    if (v == 0)
        return;
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    while (m) {
        rev[n++] = (uint8_t)(m % 10);
        m /= 10;
    }
    out->sign = v < 0 ? -1 : 1;
    out->exp = (int16_t)n;
    int lo = 0;
    while (rev[lo] == 0)
        lo++;
    out->ndigits = (uint8_t)(n - lo);
    for (int i = 0; i < out->ndigits; i++)
        out->digits[i] = rev[n - 1 - i];
}
