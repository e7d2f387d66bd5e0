/*
 * number.h -- DynamoDB's exact decimal numbers.
 *
 * A DynamoDB number has at most 38 significant digits and a magnitude from
 * 1E-130 to 9.9999999999999999999999999999999999999E+125.  It is never a
 * binary floating-point value: no `double` appears anywhere in number
 * handling.  A struct decimal holds one as sign, digits and exponent:
 *
 *     value = sign * 0.d[0]d[1]...d[ndigits-1] * 10^exp
 *
 * with no leading or trailing zero digits, so each number has exactly one
 * representation and equality is memberwise.  Zero has sign 0, ndigits 0
 * and exp 0.
 */
#ifndef KV_NUMBER_H
#define KV_NUMBER_H

#include "kv.h"

#include <stddef.h>
#include <stdint.h>

struct arena;
struct kv_err;

#define NUMBER_MAX_DIGITS 38
/* Exponent range in the 0.ddd form: 1E-130 is 0.1E-129; 9.9E125 is 0.99E126. */
#define NUMBER_MIN_EXP (-129)
#define NUMBER_MAX_EXP 126
/* Longest canonical text including the NUL: "-0.", 129 zeros, 38 digits. */
#define NUMBER_TEXT_MAX 176

struct decimal {
    int8_t sign;      /* -1, 0, +1 */
    uint8_t ndigits;  /* 0..NUMBER_MAX_DIGITS */
    int16_t exp;      /* NUMBER_MIN_EXP..NUMBER_MAX_EXP when nonzero */
    uint8_t digits[NUMBER_MAX_DIGITS]; /* each 0..9; first and last nonzero */
};

/*
 * Parse DynamoDB's number text: an optional sign, digits with an optional
 * point (at least one digit), an optional exponent (e or E, optional sign,
 * digits).  Leading and trailing zeros are dropped.  Errors, each a
 * ValidationException with DynamoDB's wording:
 *   - empty text: "The parameter cannot be converted to a numeric value"
 *     (the wording of DynamoDB's BatchWriteItem, TransactWriteItems and Scan;
 *     its PutItem, UpdateItem, DeleteItem, GetItem and Query paths say
 *     "...numeric value: " with an empty quote, which such a caller adds)
 *   - bad syntax: "The parameter cannot be converted to a numeric value: <text>"
 *   - "Number overflow. Attempting to store a number with magnitude larger
 *     than supported range"
 *   - "Number underflow. Attempting to store a number with magnitude smaller
 *     than supported range"
 *   - "Attempting to store more than 38 significant digits in a Number"
 * Runs in time linear in len; any length is safe.
 */
kv_status number_parse(const char *text, size_t len, struct decimal *out, struct kv_err *err);

/*
 * Write the canonical text: plain decimal notation, no exponent, no
 * leading or trailing zeros, "-" only for negatives ("01.50" -> "1.5",
 * "-0" -> "0", "1E3" -> "1000").  out must hold NUMBER_TEXT_MAX bytes.
 * Returns the length without the NUL.
 */
size_t number_format(const struct decimal *d, char *out);

/* Canonical text of number text, allocated in a.  Errors as number_parse. */
kv_status number_canonical(struct arena *a, const char *text, size_t len, const char **out,
                           size_t *out_len, struct kv_err *err);

/* Exact comparison: <0, 0, >0. */
int number_cmp(const struct decimal *a, const struct decimal *b);

/*
 * Exact a + b and a - b, never rounded.  A result outside the range gives
 * DynamoDB's overflow or underflow error.  A result that needs more than
 * 38 significant digits also gives the overflow error ("Number overflow.
 * ..."), which is what DynamoDB answers for 1E50 + 1, not the precision
 * message that a number written in a request gets.
 */
kv_status number_add(const struct decimal *a, const struct decimal *b, struct decimal *out,
                     struct kv_err *err);
kv_status number_sub(const struct decimal *a, const struct decimal *b, struct decimal *out,
                     struct kv_err *err);

/* DynamoDB's storage size of the number in bytes (item size, capacity). */
size_t number_size(const struct decimal *d);

/* Integer value if the number is an integer in [INT64_MIN, INT64_MAX]; else -1. */
int number_to_int64(const struct decimal *d, int64_t *out);
void number_from_int64(int64_t v, struct decimal *out);

#endif
