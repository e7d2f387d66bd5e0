/*
 * test_keycodec.c -- LMDB key bytes: the order and prefix-freedom of the
 * S, N and B value encodings, their exact frozen bytes, decoding and its
 * refusals, the item and index key layout with its truncation rule, and
 * the parallel-scan segment ranges.
 */
#include "fixture.h"
#include "arena.h"
#include "err.h"
#include "keycodec.h"
#include "number.h"
#include "value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEXT "9.9999999999999999999999999999999999999E+125"
#define ENC_CAP 8192

struct enc {
    uint8_t b[ENC_CAP];
    size_t n;
};

static struct kv_value
val(int type, const void *p, size_t n)
{
    struct kv_value v;
    value_set_bytes_ref(&v, type, p, n);
    return v;
}

static struct kv_value
nval(const char *text)
{
    return val(KV_N, text, strlen(text));
}

static struct kv_value
sval(const char *text)
{
    return val(KV_S, text, strlen(text));
}

static struct enc
encode(const struct kv_value *v)
{
    struct enc e;
    struct kv_err err;
    err_init(&err);
    assert_true(keycodec_value_bound(v) <= ENC_CAP);
    e.n = keycodec_encode_value(v, e.b, &err);
    if (e.n == 0)
        fail_msg("encode failed: %s", err_message(&err));
    assert_true(e.n <= keycodec_value_bound(v));
    err_clear(&err);
    return e;
}

static int
sgn(int c)
{
    return (c > 0) - (c < 0);
}

static int
bytes_cmp(const void *a, size_t na, const void *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    return c ? sgn(c) : (na > nb) - (na < nb);
}

static int
enc_cmp(const struct enc *a, const struct enc *b)
{
    return bytes_cmp(a->b, a->n, b->b, b->n);
}

static int
is_prefix(const struct enc *a, const struct enc *b)
{
    return a->n < b->n && memcmp(a->b, b->b, a->n) == 0;
}

/* Each value encodes to strictly more than the one before, prefix-free. */
static void
expect_ascending(const struct kv_value *vals, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        struct enc a = encode(&vals[i]), b = encode(&vals[i + 1]);
        if (enc_cmp(&a, &b) >= 0)
            fail_msg("value %zu (%.*s) does not encode below value %zu (%.*s)", i, (int)vals[i].len,
                     vals[i].u.bytes, i + 1, (int)vals[i + 1].len, vals[i + 1].u.bytes);
        assert_false(is_prefix(&a, &b));
    }
}

static void
expect_round_trip(const struct kv_value *v)
{
    struct arena *a = arena_new();
    struct enc e = encode(v);
    struct kv_value out;
    size_t used = 0;
    /* Trailing bytes after the encoding are left alone. */
    e.b[e.n] = 0x42;
    assert_int_equal(keycodec_decode_value(e.b, e.n + 1, v->type, a, &out, &used), 0);
    assert_int_equal(used, e.n);
    assert_int_equal(out.type, v->type);
    if (v->type == KV_N) {
        assert_true(value_compare(v, &out) == 0);
        /* Decoded numbers are canonical text. */
        const char *canon;
        size_t clen;
        struct kv_err err;
        err_init(&err);
        assert_int_equal(number_canonical(a, v->u.bytes, v->len, &canon, &clen, &err), KV_OK);
        assert_int_equal(out.len, clen);
        assert_memory_equal(out.u.bytes, canon, clen);
        err_clear(&err);
    } else {
        assert_int_equal(out.len, v->len);
        assert_memory_equal(out.u.bytes, v->u.bytes, v->len);
        assert_int_equal(out.u.bytes[out.len], '\0');
    }
    /* Every proper prefix of an encoding is refused. */
    for (size_t k = 0; k < e.n; k++)
        assert_int_equal(keycodec_decode_value(e.b, k, v->type, a, &out, &used), -1);
    arena_free(a);
}

/* Strictly ascending numbers, with 38-digit neighbours of either sign. */
static const char *const number_seq[] = {
    ("-" MAX_TEXT),
    "-9.9999999999999999999999999999999999998E+125",
    "-1E125",
    "-12345678901234567890123456789012345679",
    "-12345678901234567890123456789012345678",
    "-100",
    "-10",
    "-9.5",
    "-1.2000000000000000000000000000000000001",
    "-1.2",
    "-1.0000000000000000000000000000000000001",
    "-1",
    "-0.1",
    "-1E-128",
    "-9.9999999999999999999999999999999999999E-129",
    "-1E-129",
    "-1.0000000000000000000000000000000000001E-130",
    "-1E-130",
    "0",
    "1E-130",
    "1.0000000000000000000000000000000000001E-130",
    "1.0000000000000000000000000000000000002E-130",
    "9.9999999999999999999999999999999999999E-130",
    "1E-129",
    "9.9999999999999999999999999999999999999E-129",
    "1E-128",
    "1E-127",
    "0.1",
    "1",
    "1.0000000000000000000000000000000000001",
    "1.2",
    "1.2000000000000000000000000000000000001",
    "1.20001",
    "2",
    "9.5",
    "10",
    "10.000000000000000000000000000000000001",
    "99",
    "100",
    "12345678901234567890123456789012345678",
    "12345678901234567890123456789012345679",
    "1E125",
    "9.9999999999999999999999999999999999998E+125",
    MAX_TEXT,
};

static void
keycodec01_number_order(void **state)
{
    (void)state;
    size_t n = sizeof number_seq / sizeof number_seq[0];
    struct kv_value vals[sizeof number_seq / sizeof number_seq[0]];
    for (size_t i = 0; i < n; i++) {
        vals[i] = nval(number_seq[i]);
        expect_round_trip(&vals[i]);
    }
    expect_ascending(vals, n);

    /* One value, one encoding. */
    static const char *const same[][2] = {
        {"1", "1.0"},
        {"1", "+1"},
        {"0", "-0"},
        {"0", "0e99"},
        {"100", "1E2"},
        {"-0.5", "-.50"},
        {"1E-130", "0.0000000001E-120"},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        struct kv_value x = nval(same[i][0]), y = nval(same[i][1]);
        struct enc a = encode(&x), b = encode(&y);
        assert_int_equal(a.n, b.n);
        assert_memory_equal(a.b, b.b, a.n);
    }
}

static void
expect_bytes(const char *text, const uint8_t *want, size_t n)
{
    struct kv_value v = nval(text);
    struct enc e = encode(&v);
    if (e.n != n || memcmp(e.b, want, n) != 0)
        fail_msg("encoding of %s changed", text);
}

/* The bytes are on disk: these must never change. */
static void
keycodec02_frozen_bytes(void **state)
{
    (void)state;
    expect_bytes("0", (const uint8_t[]){0x80}, 1);
    expect_bytes("1", (const uint8_t[]){0xC1, 0x02, 0x00}, 3);
    expect_bytes("9.5", (const uint8_t[]){0xC1, 0x0A, 0x33, 0x00}, 4);
    expect_bytes("10", (const uint8_t[]){0xC1, 0x0B, 0x00}, 3);
    expect_bytes("-9.5", (const uint8_t[]){0x3E, 0xF5, 0xCC, 0xFF}, 4);
    expect_bytes("-10", (const uint8_t[]){0x3E, 0xF4, 0xFF}, 3);
    expect_bytes("1.2", (const uint8_t[]){0xC1, 0x02, 0x15, 0x00}, 4);
    expect_bytes("1.20001", (const uint8_t[]){0xC1, 0x02, 0x15, 0x01, 0x0B, 0x00}, 6);
    expect_bytes("0.05", (const uint8_t[]){0xC0, 0x06, 0x00}, 3);
    expect_bytes("1E-130", (const uint8_t[]){0x81, 0x01, 0x02, 0x00}, 4);
    expect_bytes("-1E-130", (const uint8_t[]){0x7E, 0xFE, 0xFD, 0xFF}, 4);
    expect_bytes("1E-127", (const uint8_t[]){0x81, 0x0B, 0x00}, 3);
    uint8_t top[21] = {0xFF};
    for (int i = 1; i < 20; i++)
        top[i] = 100;
    top[20] = 0x00;
    expect_bytes(MAX_TEXT, top, 21);
    /* The longest: F = -64, odd exponent and 38 digits make 21 pairs. */
    struct kv_value v = nval("-1.2345678901234567890123456789012345678E-130");
    assert_int_equal(encode(&v).n, 23);
    assert_int_equal(keycodec_value_bound(&v), 23);

    struct kv_value s = val(KV_S, "a\0b", 3);
    struct enc e = encode(&s);
    assert_int_equal(e.n, 6);
    assert_memory_equal(e.b, ((const uint8_t[]){0x61, 0x00, 0xFF, 0x62, 0x00, 0x01}), 6);
    struct kv_value empty = val(KV_B, "", 0);
    e = encode(&empty);
    assert_int_equal(e.n, 2);
    assert_memory_equal(e.b, ((const uint8_t[]){0x00, 0x01}), 2);
}

static void
keycodec03_string_order(void **state)
{
    (void)state;
    /* UTF-8 byte order: "A" < "a", "z" < "¿" (C2 BF) < "é" (C3 A9) < "€" < "😀". */
    struct kv_value seq[] = {
        val(KV_S, "", 0),
        val(KV_S, "\0", 1),
        val(KV_S, "\0\0", 2),
        val(KV_S, "\0a", 2),
        val(KV_S, "\x01", 1),
        sval("A"),
        sval("AB"),
        sval("Z"),
        sval("a"),
        val(KV_S, "a\0", 2),
        val(KV_S, "a\0\0", 3),
        val(KV_S, "a\0b", 3),
        sval("a\x01"),
        sval("aa"),
        sval("ab"),
        sval("abc"),
        sval("b"),
        sval("z"),
        sval("z\x7f"),
        sval("\xc2\xbf"),
        sval("\xc3\xa9"),
        sval("\xe2\x82\xac"),
        sval("\xf0\x9f\x98\x80"),
    };
    size_t n = sizeof seq / sizeof seq[0];
    expect_ascending(seq, n);
    for (size_t i = 0; i < n; i++)
        expect_round_trip(&seq[i]);
    /* Every pair, not just neighbours, and no encoding prefixes another. */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            struct enc a = encode(&seq[i]), b = encode(&seq[j]);
            assert_int_equal(sgn(enc_cmp(&a, &b)), (i > j) - (i < j));
            assert_false(is_prefix(&a, &b));
        }
}

static void
keycodec04_binary_order(void **state)
{
    (void)state;
    struct kv_value seq[] = {
        val(KV_B, "", 0),
        val(KV_B, "\x00", 1),
        val(KV_B, "\x00\x00", 2),
        val(KV_B, "\x00\x00\xff", 3),
        val(KV_B, "\x00\x01", 2),
        val(KV_B, "\x00\xff", 2),
        val(KV_B, "\x00\xff\x00", 3),
        val(KV_B, "\x00\xff\xff", 3),
        val(KV_B, "\x01", 1),
        val(KV_B, "\x7f", 1),
        val(KV_B, "\x80", 1),
        val(KV_B, "\xfe\xff", 2),
        val(KV_B, "\xff", 1),
        val(KV_B, "\xff\x00", 2),
        val(KV_B, "\xff\x00\x01", 3),
        val(KV_B, "\xff\x01", 2),
        val(KV_B, "\xff\xff", 2),
        val(KV_B, "\xff\xff\xff", 3),
    };
    size_t n = sizeof seq / sizeof seq[0];
    expect_ascending(seq, n);
    for (size_t i = 0; i < n; i++)
        expect_round_trip(&seq[i]);
}

/* A number as sign, significant digits and number.h's 0.ddd exponent. */
struct rnum {
    int negative;
    int nd;
    int exp;
    char digits[40];
};

/* Varied signs, digit counts (runs of 9s and 0s too) and exponents. */
static void
random_number(struct rnum *r)
{
    int kind = rand() % 10;
    r->negative = rand() % 2;
    r->nd = kind == 0 ? 0 : kind < 4 ? 1 + rand() % 3 : 1 + rand() % 38;
    for (int i = 0; i < r->nd; i++) {
        int d = rand() % 10;
        if (kind == 5 && d < 7)
            d = 9;
        if (kind == 6 && d < 7)
            d = 0;
        r->digits[i] = (char)('0' + d);
    }
    if (r->nd)
        r->digits[0] = (char)('1' + rand() % 9);
    if (kind == 7)
        r->exp = -129 + rand() % 256;
    else if (kind == 8)
        r->exp = rand() % 2 ? -129 + rand() % 3 : 124 + rand() % 3;
    else
        r->exp = -4 + rand() % 9;
}

/* A close neighbour: one digit changed, or one digit more or fewer. */
static void
neighbour(const struct rnum *in, struct rnum *out)
{
    *out = *in;
    if (out->nd == 0)
        return;
    char *last = &out->digits[out->nd - 1];
    switch (rand() % 3) {
    case 0:
        *last = *last > '1' ? (char)(*last - 1) : '2';
        break;
    case 1:
        if (out->nd > 1)
            out->nd--;
        break;
    default:
        if (out->nd < 38)
            out->digits[out->nd++] = (char)('0' + rand() % 10);
        break;
    }
}

static void
rnum_text(const struct rnum *r, char *out, size_t cap)
{
    if (r->nd == 0)
        snprintf(out, cap, "%s0", r->negative ? "-" : "");
    else
        snprintf(out, cap, "%s%.*sE%d", r->negative ? "-" : "", r->nd, r->digits, r->exp - r->nd);
}

static void
keycodec05_random_numbers(void **state)
{
    (void)state;
    srand(20240611);
    for (int i = 0; i < 20000; i++) {
        char ta[80], tb[80];
        struct rnum ra, rb;
        random_number(&ra);
        if (rand() % 2)
            neighbour(&ra, &rb);
        else
            random_number(&rb);
        rnum_text(&ra, ta, sizeof ta);
        rnum_text(&rb, tb, sizeof tb);
        struct kv_value a = nval(ta), b = nval(tb);
        struct decimal da, db;
        struct kv_err err;
        err_init(&err);
        if (number_parse(ta, strlen(ta), &da, &err) != KV_OK ||
            number_parse(tb, strlen(tb), &db, &err) != KV_OK)
            fail_msg("%s or %s: %s", ta, tb, err_message(&err));
        struct enc ea = encode(&a), eb = encode(&b);
        int want = sgn(number_cmp(&da, &db));
        if (sgn(enc_cmp(&ea, &eb)) != want)
            fail_msg("%s vs %s: encodings compare %d, numbers %d", ta, tb, enc_cmp(&ea, &eb), want);
        assert_false(is_prefix(&ea, &eb));
        if (i % 4 == 0)
            expect_round_trip(&a);
    }
}

static size_t
random_bytes(uint8_t *p, size_t cap)
{
    size_t n = (size_t)rand() % (cap + 1);
    static const uint8_t pool[] = {0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x01, 0xFE, 0x80};
    for (size_t i = 0; i < n; i++)
        p[i] = rand() % 3 ? pool[rand() % sizeof pool] : (uint8_t)rand();
    return n;
}

static void
keycodec06_random_bytes(void **state)
{
    (void)state;
    srand(77);
    uint8_t a[24], b[24];
    for (int i = 0; i < 20000; i++) {
        size_t na = random_bytes(a, 12), nb;
        if (rand() % 2) {
            /* Share a prefix to exercise the escapes and the terminator. */
            nb = na;
            memcpy(b, a, na);
            size_t extra = random_bytes(b + nb, 6);
            nb += extra;
            if (nb && rand() % 2)
                nb--;
        } else {
            nb = random_bytes(b, 12);
        }
        int type = rand() % 2 ? KV_S : KV_B;
        struct kv_value va = val(type, (const char *)a, na);
        struct kv_value vb = val(type, (const char *)b, nb);
        struct enc ea = encode(&va), eb = encode(&vb);
        assert_int_equal(sgn(enc_cmp(&ea, &eb)), bytes_cmp(a, na, b, nb));
        assert_false(is_prefix(&ea, &eb));
        if (i % 4 == 0) {
            /* Round trips need NUL-terminated values. */
            char copy[32];
            memcpy(copy, a, na);
            copy[na] = '\0';
            struct kv_value vc = val(type, copy, na);
            expect_round_trip(&vc);
        }
    }
}

static void
expect_malformed(int type, const uint8_t *p, size_t n)
{
    struct arena *a = arena_new();
    struct kv_value out;
    size_t used;
    if (keycodec_decode_value(p, n, type, a, &out, &used) != -1)
        fail_msg("malformed %s encoding of %zu bytes decoded", type_name(type), n);
    arena_free(a);
}

static void
keycodec07_decode_refusals(void **state)
{
    (void)state;
    expect_malformed(KV_N, (const uint8_t[]){0}, 0);
    expect_malformed(KV_N, (const uint8_t[]){0x7F, 0xFD, 0xFF}, 3);       /* no such head */
    expect_malformed(KV_N, (const uint8_t[]){0xC1, 0x00}, 2);             /* no pairs */
    expect_malformed(KV_N, (const uint8_t[]){0xC1, 0x65, 0x00}, 3);       /* pair 100 */
    expect_malformed(KV_N, (const uint8_t[]){0xC1, 0x02, 0x01, 0x00}, 4); /* trailing 00 pair */
    expect_malformed(KV_N, (const uint8_t[]){0xC2, 0x01, 0x02, 0x00}, 4); /* leading 00 pair */
    expect_malformed(KV_N, (const uint8_t[]){0xC1, 0x02}, 2);             /* no terminator */
    expect_malformed(KV_N, (const uint8_t[]){0x3E, 0xFD, 0x00}, 3);       /* wrong terminator */
    uint8_t longest[25] = {0xC1};
    for (int i = 1; i < 23; i++)
        longest[i] = 0x0C;
    longest[23] = 0x00;
    expect_malformed(KV_N, longest, 24); /* 22 pairs: more than 38 digits */
    expect_malformed(KV_S, (const uint8_t[]){0x61}, 1);
    expect_malformed(KV_S, (const uint8_t[]){0x61, 0x00}, 2);
    expect_malformed(KV_S, (const uint8_t[]){0x61, 0x00, 0x02}, 3);
    expect_malformed(KV_B, (const uint8_t[]){0x00, 0xFF}, 2);
    expect_malformed(KV_BOOL, (const uint8_t[]){0x00, 0x01}, 2);
}

static void
keycodec08_encode_errors(void **state)
{
    (void)state;
    uint8_t out[64];
    struct kv_err err;
    struct kv_value v;
    err_init(&err);
    v = nval("1e126");
    assert_int_equal(keycodec_encode_value(&v, out, &err), 0);
    assert_int_equal(err.status, KV_VALIDATION);
    assert_string_equal(err_message(&err),
                        "Number overflow. Attempting to store a number with magnitude larger "
                        "than supported range");
    err_clear(&err);
    v = nval("x");
    assert_int_equal(keycodec_encode_value(&v, out, &err), 0);
    assert_string_equal(err_message(&err),
                        "The parameter cannot be converted to a numeric value: x");
    err_clear(&err);
    value_set_bool(&v, true);
    assert_int_equal(keycodec_encode_value(&v, out, &err), 0);
    assert_int_equal(err.status, KV_MISUSE);
    assert_int_equal(keycodec_value_bound(&v), 0);
    err_clear(&err);
    struct keybuf k;
    assert_int_equal(keycodec_item_key(&k, &v, NULL, &err), KV_MISUSE);
    assert_int_equal(k.len, 0);
    err_clear(&err);
    uint64_t h = 1;
    assert_int_equal(keycodec_hash(&v, &h, &err), KV_MISUSE);
    assert_true(h == 0);
    err_clear(&err);
}

static struct keybuf
item_key(const struct kv_value *pk, const struct kv_value *sk)
{
    struct keybuf k;
    struct kv_err err;
    err_init(&err);
    if (keycodec_item_key(&k, pk, sk, &err) != KV_OK)
        fail_msg("item key: %s", err_message(&err));
    err_clear(&err);
    assert_true(k.len <= KEY_MAX);
    assert_true(k.prefix_len <= k.len);
    return k;
}

static int
key_cmp(const struct keybuf *a, const struct keybuf *b)
{
    return bytes_cmp(a->bytes, a->len, b->bytes, b->len);
}

static void
keycodec09_partition_prefix(void **state)
{
    (void)state;
    struct kv_err err;
    err_init(&err);
    struct kv_value pk = sval("user#42"), other = sval("user#43");
    struct keybuf prefix;
    assert_int_equal(keycodec_partition_prefix(&prefix, &pk, &err), KV_OK);
    assert_int_equal(prefix.len, prefix.prefix_len);
    assert_int_equal(prefix.len, KEY_HASH + 1 + 7 + 2);
    assert_int_equal(prefix.bytes[KEY_HASH], 0x01);
    uint64_t h;
    assert_int_equal(keycodec_hash(&pk, &h, &err), KV_OK);
    assert_true(keycodec_key_hash(prefix.bytes, prefix.len) == h);
    assert_true(keycodec_key_hash(prefix.bytes, 7) == 0);
    /* The hash is big-endian in the first 8 bytes. */
    assert_int_equal(prefix.bytes[0], (uint8_t)(h >> 56));
    assert_int_equal(prefix.bytes[7], (uint8_t)h);

    const char *sks[] = {"a", "b", "zz", ""};
    for (size_t i = 0; i < 4; i++) {
        struct kv_value sk = sval(sks[i]);
        struct keybuf k = item_key(&pk, &sk);
        assert_int_equal(k.prefix_len, prefix.len);
        assert_memory_equal(k.bytes, prefix.bytes, prefix.len);
        assert_false(k.truncated);
        struct keybuf o = item_key(&other, &sk);
        assert_true(o.prefix_len != k.prefix_len || memcmp(o.bytes, k.bytes, k.prefix_len) != 0);
    }
    /* A table without a sort key: the key is the prefix. */
    struct keybuf k = item_key(&pk, NULL);
    assert_int_equal(k.len, prefix.len);
    assert_memory_equal(k.bytes, prefix.bytes, k.len);
    /* Number partition keys: equal values give one partition. */
    struct kv_value n1 = nval("1.50"), n2 = nval("+15e-1");
    struct keybuf k1 = item_key(&n1, NULL), k2 = item_key(&n2, NULL);
    assert_int_equal(k1.len, k2.len);
    assert_memory_equal(k1.bytes, k2.bytes, k1.len);
    err_clear(&err);
}

static void
keycodec10_sort_order_within_partition(void **state)
{
    (void)state;
    struct kv_value pk = val(KV_B, "\x00\xff", 2);
    struct kv_value ns[] = {nval("-1E125"), nval("-2"),  nval("-1.5"), nval("0"),
                            nval("1E-130"), nval("0.5"), nval("2"),    nval("10")};
    struct kv_value ss[] = {val(KV_S, "", 0), sval("A"), sval("a"),       val(KV_S, "a\0", 2),
                            sval("ab"),       sval("b"), sval("\xc2\xbf")};
    struct kv_value bs[] = {val(KV_B, "\x00", 1), val(KV_B, "\x00\x00", 2), val(KV_B, "\x01", 1),
                            val(KV_B, "\xff", 1), val(KV_B, "\xff\xff", 2)};
    struct {
        struct kv_value *v;
        size_t n;
    } groups[] = {{ns, 8}, {ss, 7}, {bs, 5}};
    for (size_t g = 0; g < 3; g++)
        for (size_t i = 0; i + 1 < groups[g].n; i++) {
            struct keybuf a = item_key(&pk, &groups[g].v[i]);
            struct keybuf b = item_key(&pk, &groups[g].v[i + 1]);
            assert_true(key_cmp(&a, &b) < 0);
            assert_int_equal(a.prefix_len, b.prefix_len);
            assert_memory_equal(a.bytes, b.bytes, a.prefix_len);
        }
}

/* A string of n bytes: fill, then tag (0..999) as its last three digits. */
static struct kv_value
long_string(char *buf, size_t n, char fill, int tag)
{
    memset(buf, fill, n);
    if (n >= 3) {
        buf[n - 3] = (char)('0' + tag / 100 % 10);
        buf[n - 2] = (char)('0' + tag / 10 % 10);
        buf[n - 1] = (char)('0' + tag % 10);
    }
    buf[n] = '\0';
    return val(KV_S, buf, n);
}

static void
keycodec11_sort_key_truncation(void **state)
{
    (void)state;
    static char b1[4200], b2[4200];
    struct kv_value pk = sval("p");
    struct keybuf base = item_key(&pk, NULL);
    /* room for the sort encoding: what is left minus a digest. */
    size_t room = KEY_MAX - base.len - KEY_DIGEST;

    /* An encoding of exactly room bytes is inline; one more is truncated. */
    struct kv_value at = long_string(b1, room - 2, 'x', 1);
    struct keybuf k = item_key(&pk, &at);
    assert_false(k.truncated);
    assert_int_equal(k.len, KEY_MAX - KEY_DIGEST);
    assert_false(keycodec_is_truncated(k.bytes, k.len, k.prefix_len, false));
    struct kv_value over = long_string(b2, room - 1, 'x', 1);
    struct keybuf t = item_key(&pk, &over);
    assert_true(t.truncated);
    assert_int_equal(t.len, KEY_MAX);
    assert_true(keycodec_is_truncated(t.bytes, t.len, t.prefix_len, false));
    /* An inline key and a truncated one compare by their values' bytes. */
    assert_true(key_cmp(&k, &t) < 0);
    struct kv_value below = long_string(b2, room - 1, 'w', 9);
    struct keybuf tb = item_key(&pk, &below);
    assert_true(tb.truncated);
    assert_true(key_cmp(&tb, &k) < 0);

    /* Sort keys near DynamoDB's 1024-byte limit, all NULs (2050-byte encodings). */
    struct keybuf prev = {0};
    for (int i = 0; i < 50; i++) {
        memset(b1, 0, 1024);
        b1[1020 + i % 4] = (char)(i / 4 + 1);
        struct kv_value sk = val(KV_S, b1, 1024);
        struct keybuf kk = item_key(&pk, &sk);
        assert_true(kk.truncated);
        assert_int_equal(kk.len, KEY_MAX);
        if (i > 0)
            assert_true(kk.len != prev.len || memcmp(kk.bytes, prev.bytes, kk.len) != 0);
        prev = kk;
    }
    /* Long keys with distinct prefixes keep their order even when truncated. */
    struct kv_value s1 = long_string(b1, 1024, 'a', 5), s2 = long_string(b2, 1024, 'b', 1);
    struct keybuf ka = item_key(&pk, &s1), kb = item_key(&pk, &s2);
    assert_true(key_cmp(&ka, &kb) < 0);
    /* Same 1000-byte start, different ends: distinct keys. */
    s1 = long_string(b1, 1000, 'q', 1);
    s2 = long_string(b2, 1000, 'q', 2);
    ka = item_key(&pk, &s1);
    kb = item_key(&pk, &s2);
    assert_true(ka.truncated && kb.truncated);
    assert_true(memcmp(ka.bytes, kb.bytes, KEY_MAX) != 0);
    assert_memory_equal(ka.bytes, kb.bytes, KEY_MAX - KEY_DIGEST);
}

static void
keycodec12_partition_key_truncation(void **state)
{
    (void)state;
    static char b1[4200], pkbuf[4200];
    struct keybuf prev = {0};
    /* Partition keys: 128 encoded bytes inline, 129 digested; up to 2048 bytes. */
    struct kv_value p126 = long_string(pkbuf, 126, 'p', 1);
    struct keybuf kp = item_key(&p126, NULL);
    assert_int_equal(kp.bytes[KEY_HASH], 0x01);
    assert_int_equal(kp.prefix_len, KEY_HASH + 1 + 128);
    struct kv_value p127 = long_string(pkbuf, 127, 'p', 1);
    kp = item_key(&p127, NULL);
    assert_int_equal(kp.bytes[KEY_HASH], 0x02);
    assert_int_equal(kp.prefix_len, KEY_HASH + 1 + KEY_DIGEST);
    for (int i = 0; i < 20; i++) {
        struct kv_value big = long_string(pkbuf, 2048 - (size_t)(i % 3), i % 2 ? 'z' : '\0', i);
        struct kv_value sk = long_string(b1, 1024, '\0', i);
        struct keybuf kk = item_key(&big, &sk);
        assert_true(kk.len <= KEY_MAX);
        assert_int_equal(kk.prefix_len, KEY_HASH + 1 + KEY_DIGEST);
        if (i > 0)
            assert_true(memcmp(kk.bytes, prev.bytes, KEY_MAX) != 0);
        prev = kk;
    }
    /* Inline partition, largest sort encoding. */
    struct kv_value sk = long_string(b1, 1024, 'm', 7);
    kp = item_key(&p126, &sk);
    assert_int_equal(kp.len, KEY_MAX);
    assert_true(kp.truncated);
    /* Number sort keys never truncate. */
    struct kv_value n = nval("-1.2345678901234567890123456789012345678E-130");
    kp = item_key(&p126, &n);
    assert_false(kp.truncated);
    assert_int_equal(kp.len, KEY_HASH + 1 + 128 + 23);
}

static struct keybuf
index_key(const struct kv_value *ipk, const struct kv_value *isk, const struct keybuf *base)
{
    struct keybuf k;
    struct kv_err err;
    err_init(&err);
    if (keycodec_index_key(&k, ipk, isk, base, &err) != KV_OK)
        fail_msg("index key: %s", err_message(&err));
    err_clear(&err);
    assert_true(k.len <= KEY_MAX);
    return k;
}

static void
keycodec13_index_keys(void **state)
{
    (void)state;
    static char b1[2100];
    struct kv_value ipk = sval("status#open"), isk = nval("7");
    struct keybuf prev = {0};
    for (int i = 0; i < 100; i++) {
        char id[16];
        snprintf(id, sizeof id, "item%d", i);
        struct kv_value pk = sval(id);
        struct keybuf base = item_key(&pk, NULL);
        struct keybuf k = index_key(&ipk, &isk, &base);
        struct keybuf k0 = index_key(&ipk, NULL, &base);
        assert_int_equal(k0.len, k0.prefix_len + KEY_DIGEST);
        assert_int_equal(k.len, k.prefix_len + 3 + KEY_DIGEST);
        assert_false(keycodec_is_truncated(k.bytes, k.len, k.prefix_len, true));
        if (i > 0) {
            /* Equal index key values, different base items: distinct keys, same prefix. */
            assert_int_equal(k.len, prev.len);
            assert_memory_equal(k.bytes, prev.bytes, k.len - KEY_DIGEST);
            assert_true(memcmp(k.bytes, prev.bytes, k.len) != 0);
        }
        prev = k;
    }
    /* Index sort order follows the index sort key. */
    struct kv_value pk = sval("x");
    struct keybuf base = item_key(&pk, NULL);
    struct kv_value lo = nval("-3"), hi = nval("2.5");
    struct keybuf a = index_key(&ipk, &lo, &base), b = index_key(&ipk, &hi, &base);
    assert_true(key_cmp(&a, &b) < 0);
    /* Long index sort keys truncate one digest earlier and still fit. */
    struct kv_value longsk = long_string(b1, 1024, 'k', 3);
    struct keybuf t = index_key(&ipk, &longsk, &base);
    assert_true(t.truncated);
    assert_int_equal(t.len, KEY_MAX);
    assert_true(keycodec_is_truncated(t.bytes, t.len, t.prefix_len, true));
    size_t room = KEY_MAX - KEY_DIGEST - t.prefix_len - KEY_DIGEST;
    struct kv_value fit = long_string(b1, room - 2, 'k', 3);
    struct keybuf f = index_key(&ipk, &fit, &base);
    assert_false(f.truncated);
    assert_int_equal(f.len, KEY_MAX - KEY_DIGEST);
    assert_false(keycodec_is_truncated(f.bytes, f.len, f.prefix_len, true));
    struct kv_value one_more = long_string(b1, room - 1, 'k', 3);
    f = index_key(&ipk, &one_more, &base);
    assert_true(f.truncated);
    assert_int_equal(f.len, KEY_MAX);
}

static void
check_segments(uint32_t total)
{
    uint64_t lo, hi, prev_hi = 0;
    for (uint32_t s = 0; s < total; s++) {
        keycodec_segment_range(s, total, &lo, &hi);
        assert_true(lo <= hi);
        if (s == 0)
            assert_true(lo == 0);
        else
            assert_true(lo == prev_hi + 1);
        prev_hi = hi;
    }
    assert_true(prev_hi == UINT64_MAX);
}

static void
keycodec14_segments(void **state)
{
    (void)state;
    check_segments(1);
    check_segments(2);
    check_segments(3);
    check_segments(16);
    check_segments(1000000);
    uint64_t lo, hi;
    keycodec_segment_range(0, 1, &lo, &hi);
    assert_true(lo == 0 && hi == UINT64_MAX);
    keycodec_segment_range(0, 2, &lo, &hi);
    assert_true(lo == 0 && hi == UINT64_MAX / 2);
    keycodec_segment_range(1, 2, &lo, &hi);
    assert_true(lo == (uint64_t)1 << 63 && hi == UINT64_MAX);
    keycodec_segment_range(1, 16, &lo, &hi);
    assert_true(lo == (uint64_t)1 << 60 && hi == ((uint64_t)2 << 60) - 1);
    /* Sizes differ by at most one. */
    uint64_t min = UINT64_MAX, max = 0;
    for (uint32_t s = 0; s < 3; s++) {
        keycodec_segment_range(s, 3, &lo, &hi);
        min = hi - lo < min ? hi - lo : min;
        max = hi - lo > max ? hi - lo : max;
    }
    assert_true(max - min <= 1);
    /* Out of range: empty. */
    keycodec_segment_range(5, 5, &lo, &hi);
    assert_true(lo > hi);
}

/* Strings and binaries longer than eight bytes, with 0x00 at every place
 * or none, are encoded byte for byte as the format says: each 0x00 as
 * 0x00 0xFF, then 0x00 0x01. */
static void
keycodec15_long_bytes_escapes(void **state)
{
    (void)state;
    uint8_t in[40], want[2 * sizeof in + 2];
    for (size_t n = 0; n <= sizeof in; n++) {
        for (size_t zero = 0; zero <= n; zero++) { /* zero == n: none */
            for (int also_last = 0; also_last < 2; also_last++) {
                for (size_t i = 0; i < n; i++)
                    in[i] = (uint8_t)(0x41 + i % 26);
                if (zero < n)
                    in[zero] = 0x00;
                if (also_last && n)
                    in[n - 1] = 0x00;
                size_t w = 0;
                for (size_t i = 0; i < n; i++) {
                    want[w++] = in[i];
                    if (in[i] == 0x00)
                        want[w++] = 0xFF;
                }
                want[w++] = 0x00;
                want[w++] = 0x01;
                struct kv_value v = val(zero % 2 ? KV_B : KV_S, in, n);
                struct enc e = encode(&v);
                assert_int_equal(e.n, w);
                assert_memory_equal(e.b, want, w);
                expect_round_trip(&v);
            }
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keycodec01_number_order),
        cmocka_unit_test(keycodec02_frozen_bytes),
        cmocka_unit_test(keycodec03_string_order),
        cmocka_unit_test(keycodec04_binary_order),
        cmocka_unit_test(keycodec05_random_numbers),
        cmocka_unit_test(keycodec06_random_bytes),
        cmocka_unit_test(keycodec07_decode_refusals),
        cmocka_unit_test(keycodec08_encode_errors),
        cmocka_unit_test(keycodec09_partition_prefix),
        cmocka_unit_test(keycodec10_sort_order_within_partition),
        cmocka_unit_test(keycodec11_sort_key_truncation),
        cmocka_unit_test(keycodec12_partition_key_truncation),
        cmocka_unit_test(keycodec13_index_keys),
        cmocka_unit_test(keycodec14_segments),
        cmocka_unit_test(keycodec15_long_bytes_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
