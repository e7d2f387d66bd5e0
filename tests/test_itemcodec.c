/*
 * test_itemcodec.c -- the stored item format: the documented example byte
 * for byte, round trips of every type in borrow and copy mode, the
 * recorded size, the limits (nesting, 400 KB items, empty values, NULs),
 * and damaged records: every truncation, random byte flips, hostile
 * counts and each kind of malformation must give KV_CORRUPT, never a
 * crash or an oversized allocation.
 */
#include "fixture.h"
#include "arena.h"
#include "buf.h"
#include "err.h"
#include "itemcodec.h"
#include "mem.h"
#include "number.h"
#include "value.h"
#include "value_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every type, nested, with empty values, NULs and a non-canonical number. */
static const char sample_json[] =
    "{\"id\":{\"S\":\"user#1\"},\"n\":{\"N\":\"-0012.50\"},\"bin\":{\"B\":\"AAH/\"},"
    "\"t\":{\"BOOL\":true},\"f\":{\"BOOL\":false},\"z\":{\"NULL\":true},"
    "\"ss\":{\"SS\":[\"a\",\"\",\"a\\u0000b\"]},\"ns\":{\"NS\":[\"1\",\"1E-5\",\"-99.90\"]},"
    "\"bs\":{\"BS\":[\"\",\"AA==\"]},\"empty\":{\"S\":\"\"},\"eb\":{\"B\":\"\"},"
    "\"el\":{\"L\":[]},\"em\":{\"M\":{}},"
    "\"doc\":{\"M\":{\"list\":{\"L\":[{\"N\":\"0\"},{\"M\":{\"k\":{\"S\":\"v\"}}},"
    "{\"SS\":[\"x\"]}]},\"flag\":{\"NULL\":true}}}}";

static struct kv_value
item_of(struct arena *a, const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_ALLOW_NUL, &jerr);
    if (!j)
        fail_msg("bad test JSON: %s", jerr.text);
    struct kv_value item;
    struct kv_err e;
    err_init(&e);
    if (item_from_json(a, j, &item, &e) != KV_OK || value_check(&item, 0, &e) != KV_OK)
        fail_msg("%s: %s", text, err_message(&e));
    err_clear(&e);
    json_decref(j);
    return item;
}

/* The sample, plus an attribute whose name holds a NUL (JSON text cannot
 * carry one in a key). */
static struct kv_value
sample_item(struct arena *a)
{
    struct kv_value item = item_of(a, sample_json);
    value_set_bytes(a, value_map_put(a, &item, "nul\0name", 8, true), KV_S, "v\0", 2);
    return item;
}

static void
encode_ok(const struct kv_value *item, struct buf *out)
{
    struct kv_err e;
    err_init(&e);
    if (itemcodec_encode(item, out, &e) != KV_OK)
        fail_msg("encode: %s", err_message(&e));
    err_clear(&e);
}

static struct kv_value
decode_ok(const uint8_t *p, size_t n, struct arena *a, bool borrow)
{
    struct kv_value out;
    struct kv_err e;
    err_init(&e);
    if (itemcodec_decode(p, n, a, borrow, &out, &e) != KV_OK)
        fail_msg("decode: %s", err_message(&e));
    err_clear(&e);
    return out;
}

/* Decoding must fail as corrupt, with a message and a location. */
static void
expect_corrupt(const uint8_t *p, size_t n, const char *part)
{
    struct arena *a = arena_new();
    struct kv_value out;
    struct kv_err e;
    err_init(&e);
    kv_status st = itemcodec_decode(p, n, a, true, &out, &e);
    if (st != KV_CORRUPT)
        fail_msg("decoded with %s, want KV_CORRUPT (%s)", kv_status_name(st), part);
    assert_non_null(e.msg);
    assert_non_null(e.file);
    assert_true(e.line > 0);
    if (!strstr(e.msg, part))
        fail_msg("message '%s' lacks '%s'", e.msg, part);
    /* A failed decode leaves an empty item, not a half-built one. */
    assert_int_equal(out.type, KV_M);
    assert_int_equal(out.len, 0);
    err_clear(&e);
    arena_free(a);
}

/* Every proper prefix of an encoded record is corrupt, each in its own
 * allocation so that a read past it is caught; with sizes, itemcodec_size
 * also reads the size of every prefix holding the header's first two
 * bytes and refuses the shorter ones. */
static void
expect_prefixes_corrupt(const struct buf *b, bool sizes)
{
    for (size_t n = 0; n < b->len; n++) {
        uint8_t *p = malloc(n ? n : 1);
        memcpy(p, b->data, n);
        expect_corrupt(n ? p : NULL, n, "stored item is corrupt");
        if (sizes) {
            size_t size;
            struct kv_err e;
            err_init(&e);
            kv_status st = itemcodec_size(n ? p : NULL, n, &size, &e);
            assert_int_equal(st, n >= 2 ? KV_OK : KV_CORRUPT);
            err_clear(&e);
        }
        free(p);
    }
}

static size_t
recorded_size(const uint8_t *p, size_t n)
{
    size_t size;
    struct kv_err e;
    err_init(&e);
    assert_int_equal(itemcodec_size(p, n, &size, &e), KV_OK);
    err_clear(&e);
    return size;
}

/* Whether every byte string of v lies inside [lo, hi). */
static bool
borrowed_from(const struct kv_value *v, const uint8_t *lo, const uint8_t *hi)
{
    const uint8_t *p = (const uint8_t *)v->u.bytes;
    if (type_is_scalar_bytes(v->type))
        return p >= lo && p + v->len < hi;
    if (!type_is_container(v->type))
        return true;
    for (uint32_t i = 0; i < v->len; i++) {
        const struct kv_value *c = v->type == KV_M ? &v->u.members[i].value : &v->u.elems[i];
        if (v->type == KV_M) {
            const uint8_t *np = (const uint8_t *)v->u.members[i].name;
            if (np < lo || np >= hi)
                return false;
        }
        if (!borrowed_from(c, lo, hi))
            return false;
    }
    return true;
}

/* --- the format ----------------------------------------------------------------- */

static void
itemcodec01_worked_example(void **state)
{
    (void)state;
    /* The example in itemcodec.c's header comment, byte for byte. */
    /* clang-format off */
    static const uint8_t want[] = {
        0x01, 0x11, 0x03,                               /* version, size 17, 3 attributes */
        0x02, 'i', 'd', 0x00, 0x01, 0x02, 'a', '1', 0x00,           /* id: S "a1" */
        0x01, 'n', 0x00, 0x02, 0x04, '-', '1', '.', '5', 0x00,      /* n: N "-1.5" */
        0x01, 'x', 0x00, 0x08, 0x02, 0x05, 0x06,                    /* x: L [true, NULL] */
    };
    /* clang-format on */
    struct arena *a = arena_new();
    struct kv_value item = item_of(a, "{\"id\":{\"S\":\"a1\"},\"n\":{\"N\":\"-1.50\"},\"x\":{\"L\":"
                                      "[{\"BOOL\":true},{\"NULL\":true}]}}");
    assert_int_equal(item_size(&item), 17);
    struct buf b;
    buf_init(&b);
    encode_ok(&item, &b);
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.data, want, sizeof want);
    struct kv_value back = decode_ok(b.data, b.len, a, true);
    assert_true(value_equal(&item, &back));
    buf_release(&b);
    arena_free(a);
}

static void
itemcodec02_round_trip_every_type(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value item = sample_item(a);
    struct buf b;
    buf_init(&b);
    encode_ok(&item, &b);
    for (int borrow = 0; borrow < 2; borrow++) {
        struct kv_value back = decode_ok(b.data, b.len, a, borrow);
        assert_true(value_equal(&item, &back));
        /* Members keep their order. */
        for (uint32_t i = 0; i < item.len; i++) {
            assert_int_equal(item.u.members[i].name_len, back.u.members[i].name_len);
            assert_memory_equal(item.u.members[i].name, back.u.members[i].name,
                                item.u.members[i].name_len);
        }
        /* Every byte string ends in a NUL, as value.h promises. */
        const struct kv_value *ss = value_map_get(&back, "ss", 2);
        assert_int_equal(ss->u.elems[2].len, 3);
        assert_memory_equal(ss->u.elems[2].u.bytes, "a\0b", 4);
        assert_int_equal(value_map_get(&back, "z", 1)->boolean, 1);
        assert_false(value_map_get(&back, "f", 1)->boolean);
        /* Numbers come back canonical. */
        assert_string_equal(value_map_get(&back, "n", 1)->u.bytes, "-12.5");
        assert_string_equal(value_map_get(&back, "ns", 2)->u.elems[1].u.bytes, "0.00001");
        /* Re-encoding gives the same bytes. */
        struct buf again;
        buf_init(&again);
        encode_ok(&back, &again);
        assert_int_equal(again.len, b.len);
        assert_memory_equal(again.data, b.data, b.len);
        buf_release(&again);
    }
    buf_release(&b);
    arena_free(a);
}

static void
itemcodec03_recorded_size(void **state)
{
    (void)state;
    static const char *const items[] = {
        "{}",
        "{\"a\":{\"S\":\"\"}}",
        "{\"shirt-color\":{\"S\":\"R\"},\"shirt-size\":{\"S\":\"M\"}}",
        "{\"n\":{\"N\":\"123456789012345678901234567890.12345678\"},\"m\":{\"N\":\"-1E-130\"}}",
        "{\"t\":{\"BOOL\":true},\"l\":{\"L\":[{\"N\":\"-0.5\"},{\"M\":{\"x\":{\"NULL\":true}}}]}}",
        sample_json,
    };
    struct arena *a = arena_new();
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        struct kv_value item = item_of(a, items[i]);
        struct buf b;
        buf_init(&b);
        encode_ok(&item, &b);
        assert_int_equal(recorded_size(b.data, b.len), item_size(&item));
        struct kv_value back = decode_ok(b.data, b.len, a, true);
        assert_int_equal(item_size(&back), item_size(&item));
        buf_release(&b);
    }
    struct kv_value dg = item_of(a, items[2]);
    struct buf b;
    buf_init(&b);
    encode_ok(&dg, &b);
    assert_int_equal(recorded_size(b.data, b.len), 23);
    buf_release(&b);
    arena_free(a);
}

static void
itemcodec04_borrow_and_copy(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value item = sample_item(a);
    struct buf b;
    buf_init(&b);
    encode_ok(&item, &b);
    size_t n;
    uint8_t *p = buf_take(&b, &n);

    /* Borrow: every string and name points into the record. */
    struct kv_value borrowed = decode_ok(p, n, a, true);
    assert_true(borrowed_from(&borrowed, p, p + n));

    /* Copy: nothing points into the record, which may then go away. */
    struct kv_value copied = decode_ok(p, n, a, false);
    assert_false(borrowed_from(&copied, p, p + n));
    memset(p, 0xee, n);
    mem_free(p);
    assert_true(value_equal(&item, &copied));

    /* A borrowing decode allocates only the container arrays. */
    struct arena *small = arena_new();
    struct kv_value one = item_of(a, "{\"s\":{\"S\":\"a long string that is not copied at all\"}}");
    buf_init(&b);
    encode_ok(&one, &b);
    decode_ok(b.data, b.len, small, true);
    assert_true(arena_footprint(small) <= 2048 + 64);
    buf_release(&b);
    arena_free(small);
    arena_free(a);
}

static void
itemcodec05_appends_to_buffer(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value item = item_of(a, "{\"k\":{\"N\":\"7\"}}");
    struct buf b;
    buf_init(&b);
    buf_put(&b, "prefix", 6);
    encode_ok(&item, &b);
    assert_memory_equal(b.data, "prefix", 6);
    struct kv_value back = decode_ok(b.data + 6, b.len - 6, a, true);
    assert_true(value_equal(&item, &back));
    buf_release(&b);
    arena_free(a);
}

static size_t
put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    do {
        p[n] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
        n++;
    } while (v);
    return n;
}

/* A valid one-attribute record {"a": <value bytes>} with the right size. */
static size_t
record(uint8_t *p, size_t size, const uint8_t *value, size_t n)
{
    size_t k = 0;
    p[k++] = 0x01;
    k += put_varint(p + k, size);
    p[k++] = 0x01;
    p[k++] = 0x01;
    p[k++] = 'a';
    p[k++] = 0x00;
    memcpy(p + k, value, n);
    return k + n;
}

/* --- limits ----------------------------------------------------------------------- */

/* An item {"d": L[L[...L[S "x"]...]]} whose deepest value is at depth. */
static struct kv_value
deep_item(struct arena *a, int depth)
{
    struct kv_value item, *cur;
    value_init(&item, KV_M);
    cur = value_map_put(a, &item, "d", 1, true);
    for (int i = 1; i < depth; i++) {
        value_init(cur, KV_L);
        cur = value_push(a, cur);
    }
    value_set_bytes(a, cur, KV_S, "x", 1);
    return item;
}

static void
itemcodec06_nesting_limit(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    /* DynamoDB's deepest item (depth VALUE_MAX_DEPTH) and one level of slack. */
    for (int depth = VALUE_MAX_DEPTH; depth <= VALUE_MAX_DEPTH + 1; depth++) {
        struct kv_value item = deep_item(a, depth);
        struct buf b;
        buf_init(&b);
        encode_ok(&item, &b);
        struct kv_value back = decode_ok(b.data, b.len, a, true);
        assert_true(value_equal(&item, &back));

        /* By hand, one level deeper: lists of one around S "x". */
        if (depth == VALUE_MAX_DEPTH + 1) {
            uint8_t value[128], p[160];
            size_t k = 0;
            for (int i = 0; i < depth; i++) {
                value[k++] = 0x08;
                value[k++] = 0x01;
            }
            memcpy(value + k, "\x01\x01x", 4);
            k += 4;
            size_t n = record(p, 1 + 4 * (size_t)depth + 1, value, k);
            expect_corrupt(p, n, "nested deeper than 33 levels");
        }
        buf_release(&b);
    }
    /* The encoder refuses what the decoder would refuse. */
    struct kv_value item = deep_item(a, VALUE_MAX_DEPTH + 2);
    struct buf b;
    buf_init(&b);
    buf_put(&b, "keep", 4);
    struct kv_err e;
    err_init(&e);
    assert_int_equal(itemcodec_encode(&item, &b, &e), KV_MISUSE);
    assert_int_equal(b.len, 4);
    err_clear(&e);
    buf_release(&b);
    arena_free(a);
}

static void
itemcodec07_large_items(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    /* One 400 KB string: the size takes three varint bytes. */
    struct kv_value item;
    value_init(&item, KV_M);
    size_t big = ITEM_MAX_SIZE - 4;
    char *s = malloc(big);
    for (size_t i = 0; i < big; i++)
        s[i] = (char)('a' + i % 26);
    value_set_bytes(a, value_map_put(a, &item, "data", 4, true), KV_S, s, big);
    free(s);
    assert_int_equal(item_size(&item), ITEM_MAX_SIZE);
    struct buf b;
    buf_init(&b);
    encode_ok(&item, &b);
    assert_int_equal(recorded_size(b.data, b.len), ITEM_MAX_SIZE);
    struct kv_value back = decode_ok(b.data, b.len, a, false);
    assert_true(value_equal(&item, &back));
    buf_release(&b);

    /* 100,000 small elements in a list and 20,000 attributes. */
    value_init(&item, KV_M);
    struct kv_value *l = value_map_put(a, &item, "l", 1, true);
    value_init(l, KV_L);
    for (int i = 0; i < 100000; i++)
        value_set_bool(value_push(a, l), i & 1);
    for (int i = 0; i < 20000; i++) {
        char name[16];
        int len = snprintf(name, sizeof name, "a%d", i);
        value_set_bytes(a, value_map_put(a, &item, name, (size_t)len, true), KV_N, "-1.5", 4);
    }
    buf_init(&b);
    encode_ok(&item, &b);
    back = decode_ok(b.data, b.len, a, true);
    assert_true(value_equal(&item, &back));
    assert_int_equal(recorded_size(b.data, b.len), item_size(&item));
    buf_release(&b);
    arena_free(a);
}

static void
itemcodec08_encode_errors(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_err e;
    struct buf b;
    buf_init(&b);
    buf_put(&b, "xy", 2);

    /* An unparsable number fails as DynamoDB words it; nothing is left. */
    struct kv_value item;
    value_init(&item, KV_M);
    value_set_bytes(a, value_map_put(a, &item, "n", 1, true), KV_N, "1e999", 5);
    err_init(&e);
    assert_int_equal(itemcodec_encode(&item, &b, &e), KV_VALIDATION);
    assert_string_equal(err_message(&e), "Number overflow. Attempting to store a number with "
                                         "magnitude larger than supported range");
    assert_int_equal(b.len, 2);
    err_clear(&e);

    /* Misuse: not a map, an unset value, a set holding the wrong type. */
    struct kv_value l;
    value_init(&l, KV_L);
    err_init(&e);
    assert_int_equal(itemcodec_encode(&l, &b, &e), KV_MISUSE);
    err_clear(&e);
    value_init(&item, KV_M);
    value_map_put(a, &item, "u", 1, true);
    err_init(&e);
    assert_int_equal(itemcodec_encode(&item, &b, &e), KV_MISUSE);
    err_clear(&e);
    value_init(&item, KV_M);
    struct kv_value *set = value_map_put(a, &item, "s", 1, true);
    value_init(set, KV_NS);
    value_set_bytes(a, value_push(a, set), KV_S, "1", 1);
    err_init(&e);
    assert_int_equal(itemcodec_encode(&item, &b, &e), KV_MISUSE);
    assert_string_equal(err_message(&e), "a NS set holds a S");
    err_clear(&e);
    assert_int_equal(b.len, 2);
    buf_release(&b);
    arena_free(a);
}

/* --- damaged records ------------------------------------------------------------ */

static void
itemcodec09_every_truncation(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value item = sample_item(a);
    struct buf b;
    buf_init(&b);
    encode_ok(&item, &b);
    expect_prefixes_corrupt(&b, true);
    /* One byte too many is corrupt too. */
    buf_put_u8(&b, 0);
    expect_corrupt(b.data, b.len, "1 bytes follow the item");
    buf_release(&b);
    arena_free(a);
}

static uint64_t
next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void
itemcodec10_random_flips(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value item = sample_item(a);
    struct buf b;
    buf_init(&b);
    encode_ok(&item, &b);
    uint64_t seed = 0x9e3779b97f4a7c15u;
    uint8_t *p = malloc(b.len);
    int decoded = 0;
    for (int round = 0; round < 20000; round++) {
        memcpy(p, b.data, b.len);
        int flips = 1 + (int)(next_random(&seed) % 4);
        for (int f = 0; f < flips; f++) {
            uint64_t r = next_random(&seed);
            p[r % b.len] ^= (uint8_t)(1u << ((r >> 32) % 8));
        }
        struct arena *ra = arena_new();
        struct kv_value out;
        struct kv_err e;
        err_init(&e);
        kv_status st = itemcodec_decode(p, b.len, ra, round & 1, &out, &e);
        if (st == KV_OK) {
            /* Whatever decodes is self-consistent. */
            decoded++;
            assert_int_equal(item_size(&out), recorded_size(p, b.len));
        } else {
            assert_int_equal(st, KV_CORRUPT);
        }
        err_clear(&e);
        arena_free(ra);
    }
    /* Flips inside string bytes leave valid records; most others do not. */
    assert_true(decoded > 0 && decoded < 20000);
    free(p);
    buf_release(&b);
    arena_free(a);
}

/* Decoding must fail having allocated at most max_heap bytes. */
static void
expect_corrupt_small(const uint8_t *p, size_t n, const char *part, size_t max_heap)
{
    struct arena *a = arena_new();
    struct kv_value out;
    struct kv_err e;
    err_init(&e);
    assert_int_equal(itemcodec_decode(p, n, a, true, &out, &e), KV_CORRUPT);
    if (!strstr(err_message(&e), part))
        fail_msg("message '%s' lacks '%s'", err_message(&e), part);
    assert_true(arena_footprint(a) <= max_heap);
    err_clear(&e);
    arena_free(a);
}

static void
itemcodec11_hostile_counts(void **state)
{
    (void)state;
    uint8_t p[64];
    size_t n;
    /* 2^60 attributes. */
    n = 0;
    p[n++] = 0x01;
    p[n++] = 0x00;
    n += put_varint(p + n, (uint64_t)1 << 60);
    expect_corrupt_small(p, n, "1152921504606846976 elements before byte 11 cannot fit", 0);
    /* 2^60 list elements, set elements and map members inside an attribute:
     * only the item's one-member array (the arena's first chunk) exists. */
    static const uint8_t tags[] = {0x08, 0x09, 0x0a, 0x0b, 0x07};
    for (size_t t = 0; t < sizeof tags; t++) {
        n = 0;
        p[n++] = 0x01;
        p[n++] = 0x00;
        p[n++] = 0x01;
        p[n++] = 0x01;
        p[n++] = 'a';
        p[n++] = 0x00;
        p[n++] = tags[t];
        n += put_varint(p + n, (uint64_t)1 << 60);
        expect_corrupt_small(p, n, "elements before byte", 4096);
    }
    /* A string of 2^60 bytes. */
    n = 0;
    p[n++] = 0x01;
    p[n++] = 0x00;
    p[n++] = 0x01;
    p[n++] = 0x01;
    p[n++] = 'a';
    p[n++] = 0x00;
    p[n++] = 0x01;
    n += put_varint(p + n, (uint64_t)1 << 60);
    expect_corrupt_small(p, n, "a string of 1152921504606846976 bytes", 4096);
    /* Counts that fit the record alone but not beside their siblings: a
     * list of 12 whose first element claims 12 more. */
    n = 0;
    p[n++] = 0x01;
    p[n++] = 0x00;
    p[n++] = 0x01;
    p[n++] = 0x01;
    p[n++] = 'a';
    p[n++] = 0x00;
    p[n++] = 0x08;
    p[n++] = 12;
    p[n++] = 0x08;
    p[n++] = 12;
    memset(p + n, 0x05, 12);
    n += 12;
    struct arena *a = arena_new();
    struct kv_value out;
    struct kv_err e;
    err_init(&e);
    assert_int_equal(itemcodec_decode(p, n, a, true, &out, &e), KV_CORRUPT);
    assert_string_equal(err_message(&e), "stored item is corrupt: 12 elements before byte 10 "
                                         "cannot fit in the 1 bytes left");
    err_clear(&e);
    arena_free(a);
}

static void
itemcodec12_malformations(void **state)
{
    (void)state;
    uint8_t p[64];
    size_t n;
    static const uint8_t ok_s[] = {0x01, 0x02, 'h', 'i', 0x00};
    n = record(p, 3, ok_s, sizeof ok_s);
    struct arena *a = arena_new();
    decode_ok(p, n, a, true);
    arena_free(a);

    expect_corrupt(p, 0, "the record is empty");
    p[0] = 0x02;
    expect_corrupt(p, n, "unknown format version 2");
    p[0] = 0x00;
    expect_corrupt(p, n, "unknown format version 0");
    n = record(p, 4, ok_s, sizeof ok_s);
    expect_corrupt(p, n, "recorded size 4 differs from its contents' size 3");

    static const uint8_t no_nul[] = {0x01, 0x02, 'h', 'i', 'x'};
    n = record(p, 3, no_nul, sizeof no_nul);
    expect_corrupt(p, n, "a string at byte 8 lacks its NUL");
    static const uint8_t bad_tag0[] = {0x00};
    n = record(p, 1, bad_tag0, sizeof bad_tag0);
    expect_corrupt(p, n, "unknown value tag 0x00 at byte 6");
    static const uint8_t bad_tag[] = {0x0c};
    n = record(p, 1, bad_tag, sizeof bad_tag);
    expect_corrupt(p, n, "unknown value tag 0x0c");
    static const uint8_t bad_num[] = {0x02, 0x03, 'a', 'b', 'c', 0x00};
    n = record(p, 3, bad_num, sizeof bad_num);
    expect_corrupt(p, n, "number 'abc'");
    /* Stored numbers must be canonical. */
    static const uint8_t lead_zero[] = {0x02, 0x02, '0', '1', 0x00};
    n = record(p, 2, lead_zero, sizeof lead_zero);
    expect_corrupt(p, n, "number '01'");
    static const uint8_t trail_zero[] = {0x02, 0x03, '1', '.', '0', 0x00};
    n = record(p, 2, trail_zero, sizeof trail_zero);
    expect_corrupt(p, n, "number '1.0'");
    static const uint8_t exponent[] = {0x02, 0x03, '1', 'E', '2', 0x00};
    n = record(p, 2, exponent, sizeof exponent);
    expect_corrupt(p, n, "number '1E2'");
    static const uint8_t bad_ns[] = {0x0a, 0x01, 0x01, 'x', 0x00};
    n = record(p, 2, bad_ns, sizeof bad_ns);
    expect_corrupt(p, n, "number 'x'");
    static const uint8_t long_str[] = {0x01, 0x05, 'h', 'i', 0x00};
    n = record(p, 3, long_str, sizeof long_str);
    expect_corrupt(p, n, "a string of 5 bytes");

    /* Varints: eleven bytes, or a tenth byte beyond bit 63. */
    uint8_t v[16] = {0x01};
    memset(v + 1, 0xff, 10);
    v[11] = 0x00;
    expect_corrupt(v, 12, "the item size");
    memset(v + 1, 0x80, 9);
    v[10] = 0x02;
    expect_corrupt(v, 11, "the item size");
    static const uint8_t bad_len[] = {0x01, 0x80};
    n = record(p, 3, bad_len, sizeof bad_len);
    expect_corrupt(p, n, "a string at byte");

    /* Names need their NUL too. */
    static const uint8_t bad_name[] = {0x01, 0x00, 0x01, 0x01, 'a', 'b', 0x05};
    expect_corrupt(bad_name, sizeof bad_name, "a name at byte 4 lacks its NUL");
}

/*
 * Integers decode by a shortcut: each must still round trip, its size
 * agreeing with the size recorded by the encoder, and a non-canonical
 * one must still be refused.
 */
static void
itemcodec14_integers(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    char text[64];
    for (int i = 0; i < 4000; i++) {
        int k = i % 8;
        if (i < 1000)
            snprintf(text, sizeof text, "%d", i - 500);
        else if (k < 4) /* powers of ten and their negatives, up to 10^44 */
            snprintf(text, sizeof text, "%s1%0*d", k & 1 ? "-" : "", (i / 8) % 45, 0);
        else /* digits then zeros, 30 to 45 digits in all */
            snprintf(text, sizeof text, "%s%d%0*d", k & 1 ? "-" : "", 123456789 + i,
                     21 + (i / 8) % 16, 0);
        struct kv_err e;
        err_init(&e);
        const char *canon;
        size_t len;
        if (number_canonical(a, text, strlen(text), &canon, &len, &e) != KV_OK) {
            err_clear(&e);
            continue; /* beyond 38 significant digits */
        }
        struct kv_value item;
        value_init(&item, KV_M);
        value_set_bytes(a, value_map_put(a, &item, "n", 1, true), KV_N, canon, len);
        struct buf b;
        buf_init(&b);
        encode_ok(&item, &b);
        struct kv_value out = decode_ok(b.data, b.len, a, false);
        assert_true(value_equal(&out, &item));
        buf_release(&b);
    }
    static const char *const bad[] = {"-0", "00", "-01", "007", "-"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t p[64], v[16];
        size_t n = strlen(bad[i]);
        v[0] = 0x02;
        v[1] = (uint8_t)n;
        memcpy(v + 2, bad[i], n);
        v[2 + n] = 0x00;
        size_t rn = record(p, 2, v, n + 3);
        snprintf(text, sizeof text, "number '%s'", bad[i]);
        expect_corrupt(p, rn, text);
    }
    arena_free(a);
}

/* --- allocation failures -------------------------------------------------------- */

static void
itemcodec13_allocation_failures(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value item = sample_item(a);
    struct buf ref;
    buf_init(&ref);
    encode_ok(&item, &ref);

    bool ok = false;
    for (long n = 1; n < 100 && !ok; n++) {
        struct buf b;
        struct kv_err e;
        buf_init(&b);
        err_init(&e);
        mem_fail_after(n);
        kv_status st = itemcodec_encode(&item, &b, &e);
        mem_fail_reset();
        ok = st == KV_OK;
        if (ok)
            assert_memory_equal(b.data, ref.data, ref.len);
        else
            assert_int_equal(st, KV_NOMEM);
        err_clear(&e);
        buf_release(&b);
    }
    assert_true(ok);

    for (int borrow = 0; borrow < 2; borrow++) {
        ok = false;
        for (long n = 1; n < 100 && !ok; n++) {
            struct arena *da = arena_new();
            struct kv_value out;
            struct kv_err e;
            err_init(&e);
            mem_fail_after(n);
            kv_status st = itemcodec_decode(ref.data, ref.len, da, borrow, &out, &e);
            mem_fail_reset();
            ok = st == KV_OK;
            if (ok)
                assert_true(value_equal(&item, &out));
            else
                assert_int_equal(st, KV_NOMEM);
            err_clear(&e);
            arena_free(da);
        }
        assert_true(ok);
    }
    buf_release(&ref);
    arena_free(a);
}

/*
 * Members of short names and short S or integer N values take a faster
 * path than the rest; at the edges of "short" (127 and 128 bytes, long
 * numbers, a member of another type between short ones) both paths must
 * give the same item and size, borrowing or copying, and
 * itemcodec_decode_sized must report the recorded size.
 */
static void
itemcodec15_short_members(void **state)
{
    (void)state;
    static const size_t lens[] = {0, 1, 9, 126, 127, 128, 129, 300};
    static const char *const nums[] = {"0",   "7",      "-7",   "120", "-1000",
                                       "123456789012345678901234567890",
                                       "1.5", "-0.001", "1E+40"};
    struct arena *a = arena_new();
    char name[400], val[400];
    memset(name, 'm', sizeof name);
    memset(val, 'v', sizeof val);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        for (size_t j = 0; j < sizeof lens / sizeof lens[0] + sizeof nums / sizeof nums[0]; j++) {
            struct kv_value item;
            value_init(&item, KV_M);
            value_set_bytes(a, value_map_put(a, &item, "pk", 2, true), KV_S, "p00000001", 9);
            struct kv_value *v = value_map_put(a, &item, name, lens[i], true);
            if (j < sizeof lens / sizeof lens[0]) {
                value_set_bytes(a, v, KV_S, val, lens[j]);
            } else {
                const char *text = nums[j - sizeof lens / sizeof lens[0]];
                const char *canon;
                size_t len;
                struct kv_err e;
                err_init(&e);
                assert_int_equal(number_canonical(a, text, strlen(text), &canon, &len, &e), KV_OK);
                value_set_bytes(a, v, KV_N, canon, len);
            }
            value_set_bool(value_map_put(a, &item, "b", 1, true), true);
            value_set_bytes(a, value_map_put(a, &item, "n", 1, true), KV_N, "42", 2);
            struct buf b;
            buf_init(&b);
            encode_ok(&item, &b);
            for (int borrow = 0; borrow < 2; borrow++) {
                struct kv_value out;
                size_t size = 1;
                struct kv_err e;
                err_init(&e);
                assert_int_equal(itemcodec_decode_sized(b.data, b.len, a, borrow, &out, &size, &e),
                                 KV_OK);
                assert_true(value_equal(&item, &out));
                assert_int_equal(out.len, 4);
                assert_int_equal(size, item_size(&item));
                assert_int_equal(size, recorded_size(b.data, b.len));
                assert_true(borrowed_from(&out, b.data, b.data + b.len) == (borrow != 0));
                err_clear(&e);
            }
            buf_release(&b);
        }
    }
    /* 200 attributes: a count of two bytes, read by the general header
     * reader, then short members all the way. */
    struct kv_value many;
    value_init(&many, KV_M);
    for (int i = 0; i < 200; i++) {
        char nm[8];
        int len = snprintf(nm, sizeof nm, "a%d", i);
        value_set_bytes(a, value_map_put(a, &many, nm, (size_t)len, true), KV_N, nm + 1,
                        (size_t)len - 1);
    }
    struct buf b;
    buf_init(&b);
    encode_ok(&many, &b);
    for (int borrow = 0; borrow < 2; borrow++) {
        struct kv_value out;
        size_t size;
        struct kv_err e;
        err_init(&e);
        assert_int_equal(itemcodec_decode_sized(b.data, b.len, a, borrow, &out, &size, &e), KV_OK);
        assert_true(value_equal(&many, &out));
        assert_int_equal(size, item_size(&many));
        err_clear(&e);
    }
    buf_release(&b);
    arena_free(a);
}

/*
 * A record of short members only, the kind the fast path reads whole:
 * every truncation is corrupt, and every single bit flipped gives either
 * KV_CORRUPT with an empty item and size 0 or an item whose size is the
 * one recorded, the same borrowing and copying.
 */
static void
itemcodec16_short_members_damaged(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value item = item_of(a, "{\"pk\":{\"S\":\"p00000001\"},"
                                      "\"sk\":{\"S\":\"s00000042\"},"
                                      "\"n\":{\"N\":\"-905\"},\"e\":{\"S\":\"\"},"
                                      "\"data\":{\"S\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}}");
    struct buf b;
    buf_init(&b);
    encode_ok(&item, &b);
    expect_prefixes_corrupt(&b, false);
    uint8_t *p = malloc(b.len);
    int decoded = 0, corrupt = 0;
    for (size_t at = 0; at < b.len; at++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(p, b.data, b.len);
            p[at] ^= (uint8_t)(1u << bit);
            kv_status st[2];
            struct kv_value out[2];
            size_t size[2];
            for (int borrow = 0; borrow < 2; borrow++) {
                struct kv_err e;
                err_init(&e);
                st[borrow] = itemcodec_decode_sized(p, b.len, a, borrow, &out[borrow],
                                                    &size[borrow], &e);
                err_clear(&e);
                if (st[borrow] == KV_OK) {
                    assert_int_equal(size[borrow], item_size(&out[borrow]));
                    assert_int_equal(size[borrow], recorded_size(p, b.len));
                } else {
                    assert_int_equal(st[borrow], KV_CORRUPT);
                    assert_int_equal(size[borrow], 0);
                    assert_int_equal(out[borrow].type, KV_M);
                    assert_int_equal(out[borrow].len, 0);
                }
            }
            assert_int_equal(st[0], st[1]);
            if (st[0] == KV_OK) {
                assert_true(value_equal(&out[0], &out[1]));
                decoded++;
            } else {
                corrupt++;
            }
        }
    }
    /* Flips inside the strings' bytes leave valid records; in lengths,
     * NULs, tags and digits they do not. */
    assert_true(decoded > 0 && corrupt > 0);
    free(p);
    buf_release(&b);
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(itemcodec01_worked_example),
        cmocka_unit_test(itemcodec02_round_trip_every_type),
        cmocka_unit_test(itemcodec03_recorded_size),
        cmocka_unit_test(itemcodec04_borrow_and_copy),
        cmocka_unit_test(itemcodec05_appends_to_buffer),
        cmocka_unit_test(itemcodec06_nesting_limit),
        cmocka_unit_test(itemcodec07_large_items),
        cmocka_unit_test(itemcodec08_encode_errors),
        cmocka_unit_test(itemcodec09_every_truncation),
        cmocka_unit_test(itemcodec10_random_flips),
        cmocka_unit_test(itemcodec11_hostile_counts),
        cmocka_unit_test(itemcodec12_malformations),
        cmocka_unit_test(itemcodec13_allocation_failures),
        cmocka_unit_test(itemcodec14_integers),
        cmocka_unit_test(itemcodec15_short_members),
        cmocka_unit_test(itemcodec16_short_members_damaged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
