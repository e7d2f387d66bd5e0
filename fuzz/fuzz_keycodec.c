/*
 * fuzz_keycodec.c -- libFuzzer harness for the order-preserving key encoding.
 *
 * Input: one byte choosing the type (S, N or B, by its value mod 3), one
 * byte giving the length of the first value, the first value's bytes and
 * the second value's bytes (the rest).  Numbers are the bytes as number
 * text.  The whole input after the type byte is also decoded as if it were
 * a stored value encoding.
 *
 * Rules, each an abort when broken:
 *   - an S or B value, and a number that number_parse accepts, encodes; a
 *     number it refuses does not, with a ValidationException;
 *   - decoding an encoding gives back the value (numbers in canonical
 *     text) and consumes exactly the encoding;
 *   - the encodings of two values, ordered as LMDB orders keys (memcmp of
 *     the common length, then the shorter first), are ordered as
 *     value_compare orders the values, and are equal only for equal values;
 *   - item keys with these values as sort keys under one partition are
 *     ordered the same way when neither was truncated;
 *   - whatever bytes the decoder accepts, encoding the result reproduces
 *     exactly the bytes it consumed.
 */
#include "arena.h"
#include "err.h"
#include "keycodec.h"
#include "number.h"
#include "value.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int types[3] = {KV_S, KV_N, KV_B};

static int
sign(int x)
{
    return (x > 0) - (x < 0);
}

/* LMDB's default key order. */
static int
lmdb_cmp(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    if (c)
        return sign(c);
    return na < nb ? -1 : na > nb;
}

/* Encode v (which the caller has set up) into a fresh arena buffer; its length, or 0. */
static size_t
encode(struct arena *a, const struct kv_value *v, uint8_t **out)
{
    struct kv_err err;
    err_init(&err);
    size_t bound = keycodec_value_bound(v);
    *out = arena_alloc(a, bound);
    if (!*out)
        abort();
    size_t n = keycodec_encode_value(v, *out, &err);
    if (n > bound)
        abort();
    if (n == 0 && (v->type != KV_N || err.status != KV_VALIDATION))
        abort();
    err_clear(&err);
    return n;
}

static void
check_round_trip(struct arena *a, const struct kv_value *v, const uint8_t *enc, size_t n)
{
    struct kv_value back;
    size_t used = 0;
    if (keycodec_decode_value(enc, n, v->type, a, &back, &used) != 0 || used != n)
        abort();
    if (back.type != v->type || !value_equal(&back, v))
        abort();
    if (v->type == KV_N) {
        const char *canon;
        size_t canon_len;
        struct kv_err err;
        err_init(&err);
        if (number_canonical(a, v->u.bytes, v->len, &canon, &canon_len, &err) != KV_OK)
            abort();
        if (back.len != canon_len || memcmp(back.u.bytes, canon, canon_len) != 0)
            abort();
        err_clear(&err);
    }
}

/* Arbitrary bytes as a value encoding: if accepted, they are exactly what the encoder writes. */
static void
check_decoder(struct arena *a, int type, const uint8_t *p, size_t n)
{
    struct kv_value v;
    size_t used = 0;
    if (keycodec_decode_value(p, n, type, a, &v, &used) != 0)
        return;
    if (used == 0 || used > n)
        abort();
    uint8_t *enc;
    size_t len = encode(a, &v, &enc);
    if (len != used || memcmp(enc, p, used) != 0)
        abort();
}

static void
check_item_keys(const struct kv_value *x, const struct kv_value *y, int want)
{
    struct kv_err err;
    err_init(&err);
    struct kv_value pk;
    value_set_bytes_ref(&pk, KV_S, "p", 1);
    struct keybuf kx, ky;
    if (keycodec_item_key(&kx, &pk, x, &err) != KV_OK ||
        keycodec_item_key(&ky, &pk, y, &err) != KV_OK)
        abort();
    if (kx.prefix_len != ky.prefix_len || memcmp(kx.bytes, ky.bytes, kx.prefix_len) != 0)
        abort(); /* one partition, one prefix */
    if (!kx.truncated && !ky.truncated && lmdb_cmp(kx.bytes, kx.len, ky.bytes, ky.len) != want)
        abort();
    if (kx.truncated != keycodec_is_truncated(kx.bytes, kx.len, kx.prefix_len, false))
        abort();
    err_clear(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > MAX_INPUT)
        return 0;
    int type = types[data[0] % 3];
    size_t n1 = data[1];
    const uint8_t *rest = data + 2;
    size_t left = size - 2;
    if (n1 > left)
        n1 = left;
    struct arena *a = arena_new();
    if (!a)
        return 0;

    check_decoder(a, type, data + 1, size - 1);

    struct kv_value x, y;
    if (value_set_bytes(a, &x, type, rest, n1) || value_set_bytes(a, &y, type, rest + n1, left - n1))
        abort();
    uint8_t *ex, *ey;
    size_t nx = encode(a, &x, &ex), ny = encode(a, &y, &ey);
    if (type == KV_N) {
        struct decimal d;
        struct kv_err err;
        err_init(&err);
        if ((nx != 0) != (number_parse(x.u.bytes, x.len, &d, &err) == KV_OK))
            abort();
        err_clear(&err);
        if ((ny != 0) != (number_parse(y.u.bytes, y.len, &d, &err) == KV_OK))
            abort();
        err_clear(&err);
    }
    if (nx)
        check_round_trip(a, &x, ex, nx);
    if (ny)
        check_round_trip(a, &y, ey, ny);
    if (nx && ny) {
        int want = sign(value_compare(&x, &y));
        if (lmdb_cmp(ex, nx, ey, ny) != want)
            abort();
        if ((want == 0) != value_equal(&x, &y))
            abort();
        check_item_keys(&x, &y, want);
    }
    arena_free(a);
    return 0;
}
