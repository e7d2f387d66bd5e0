/*
 * keycodec.c -- the LMDB key bytes of items and index entries.
 *
 * LMDB compares keys with memcmp, so every key here is built so that byte
 * order is DynamoDB's order: items of one partition sit together, sorted
 * by sort key, and the partitions follow one another in hash order, which
 * is the order Scan returns and what parallel-scan segments split.  The
 * layout (hash, partition part, sort part, index base digest) is described
 * in keycodec.h; this file holds the value encodings it is built from and
 * their inverse.  Reading items, restoring the true order of truncated
 * keys and walking indexes are the callers' jobs.
 *
 * Value encodings
 * ---------------
 * Each S, N or B value is encoded so that (1) memcmp of two encodings of
 * the same type orders them as DynamoDB does and (2) no encoding is a
 * proper prefix of another.  Property (2) is what lets a sort part be
 * followed by more bytes (a digest, an index entry's base digest) without
 * disturbing the order, and what makes an inline sort key compare
 * correctly against a truncated one.
 *
 * S and B: the bytes as they are, except that 0x00 becomes 0x00 0xFF, and
 * then the terminator 0x00 0x01.  A 0x00 in the output is therefore always
 * followed by 0xFF (more data) or 0x01 (the end), and since 0x01 < 0xFF a
 * shorter string sorts before any longer one it starts: UTF-8 byte order
 * for S and unsigned byte order for B, as DynamoDB compares them.
 *
 * N: a number 0.d1d2...dn x 10^E (number.h's form, E in -129..126) is
 * regrouped into base-100 digit pairs, 0.P1P2...Pk x 100^F, with
 * F = ceil(E / 2): when E is odd a zero digit goes in front so the pairs
 * line up with the decimal point, and a zero digit goes at the end when
 * the count is odd.  F spans -64..63, 128 values, one more than the 127
 * bytes above the zero byte; so the numbers with F = -64 (magnitudes below
 * 1E-128) are written at F = -63 with a leading 00 pair, which keeps them
 * below every other F = -63 number.
 *
 *     byte          positive number       zero      negative number
 *     ----------    ------------------    ------    ----------------------
 *     head          0xC0 + F (0x81-0xFF)  0x80      ~(0xC0 + F) (0x00-0x7E)
 *     each pair P   P + 1   (0x01-0x64)   -         ~(P + 1)    (0x9B-0xFE)
 *     terminator    0x00                  -         0xFF
 *
 * Zero is the single byte 0x80.  0x7F is never a head byte.  Positive
 * numbers order by F, then by their pairs; the terminator is below every
 * pair byte, so 1.2 (C1 02 15 00) sorts before 1.20001 (C1 02 15 01 0B
 * 00).  Negative numbers are the positive encoding of their magnitude
 * with every byte complemented: complementing reverses memcmp order on a
 * prefix-free set, so larger magnitudes sort lower, and the head bytes put
 * all negatives below zero and all positives above it.  The digits are
 * canonical (number_parse drops leading and trailing zeros), so "1" and
 * "1.0" encode alike.  The longest encoding is 23 bytes: head, 21 pairs
 * (38 digits, one alignment zero, a leading 00 pair, one padding zero)
 * and terminator.
 *
 * Worked example, 9.5 = 0.95 x 10^1: E = 1 is odd, so F = 1 and the digits
 * become 0,9,5 and, padded to even, 0,9,5,0: pairs 09 and 50.
 *
 *     9.5     C1 0A 33 00        head 0xC0+1, pairs 09+1 and 50+1, end
 *     10      C1 0B 00           0.1 x 10^2: F = 1, pair 10
 *     -9.5    3E F5 CC FF        each byte of 9.5's encoding complemented
 *     -10     3E F4 FF           below -9.5: F4 < F5
 *     1E-130  81 01 02 00        F = -64 written at -63: pairs 00 and 01
 *
 * These encodings, like the key layout, are on disk and frozen: changing
 * a byte value here needs a new database format version.
 */
#include "keycodec.h"
#include "arena.h"
#include "err.h"
#include "mem.h"
#include "number.h"
#include "value.h"

#include <string.h>
#include <xxhash.h>

#define NUM_ZERO 0x80
#define NUM_HEAD_BASE 0xC0
#define NUM_MIN_F (-63) /* lowest base-100 exponent written; see above */
#define NUM_TERM 0x00
#define NUM_ENC_MAX 23
#define NUM_MAX_PAIRS (NUM_ENC_MAX - 2)

#define BYTES_ESC 0xFF /* 0x00 0xFF: a NUL inside the value */
#define BYTES_END 0x01 /* 0x00 0x01: the terminator */

#define PK_INLINE 0x01 /* partition part: the encoding follows */
#define PK_DIGEST 0x02 /* partition part: its 16-byte digest follows */

/* Value encodings up to this size are built on the stack. */
#define ENC_STACK 4200

/* ceil(e / 2) for any int, without relying on how / rounds negatives. */
static int
half_up(int e)
{
    return e >= 0 ? (e + 1) / 2 : -(-e / 2);
}

static size_t
num_encode(const struct decimal *d, uint8_t *out)
{
    if (d->sign == 0) {
        out[0] = NUM_ZERO;
        return 1;
    }
    uint8_t s[2 * NUM_MAX_PAIRS];
    int f = half_up(d->exp);
    int pad = 2 * f - d->exp;
    if (f < NUM_MIN_F) {
        pad += 2 * (NUM_MIN_F - f);
        f = NUM_MIN_F;
    }
    int n = 0;
    while (n < pad)
        s[n++] = 0;
    for (int i = 0; i < d->ndigits; i++)
        s[n++] = d->digits[i];
    if (n % 2)
        s[n++] = 0;
    uint8_t flip = d->sign < 0 ? 0xFF : 0x00;
    size_t len = 0;
    out[len++] = (uint8_t)((NUM_HEAD_BASE + f) ^ flip);
    for (int i = 0; i < n; i += 2)
        out[len++] = (uint8_t)((s[i] * 10 + s[i + 1] + 1) ^ flip);
    out[len++] = (uint8_t)(NUM_TERM ^ flip);
    return len;
}

/* Digits of the pairs after a head byte; -1 when malformed. */
static int
num_read_pairs(const uint8_t *p, size_t n, uint8_t flip, uint8_t *s, size_t *used)
{
    int k = 0;
    for (size_t i = 1; i < n && k <= NUM_MAX_PAIRS; i++) {
        uint8_t b = p[i] ^ flip;
        if (b == NUM_TERM) {
            *used = i + 1;
            return 2 * k;
        }
        if (b > 100 || k == NUM_MAX_PAIRS)
            return -1;
        s[2 * k] = (uint8_t)((b - 1) / 10);
        s[2 * k + 1] = (uint8_t)((b - 1) % 10);
        k++;
    }
    return -1;
}

/*
 * Decode one number encoding.  Only the exact bytes num_encode writes are
 * accepted: the result is encoded again and compared, so a damaged key is
 * reported rather than decoded to a value that would sort elsewhere.
 */
static int
num_decode(const uint8_t *p, size_t n, struct decimal *out, size_t *used)
{
    memset(out, 0, sizeof *out);
    if (n < 1)
        return -1;
    if (p[0] == NUM_ZERO) {
        *used = 1;
        return 0;
    }
    uint8_t flip = p[0] < NUM_ZERO ? 0xFF : 0x00;
    int head = p[0] ^ flip;
    if (head <= NUM_ZERO)
        return -1;
    uint8_t s[2 * NUM_MAX_PAIRS];
    int nd = num_read_pairs(p, n, flip, s, used);
    if (nd <= 0)
        return -1;
    int lo = 0, hi = nd - 1;
    while (lo <= hi && s[lo] == 0)
        lo++;
    while (hi >= lo && s[hi] == 0)
        hi--;
    if (lo > hi || hi - lo + 1 > NUMBER_MAX_DIGITS)
        return -1;
    out->sign = flip ? -1 : 1;
    out->exp = (int16_t)(2 * (head - NUM_HEAD_BASE) - lo);
    out->ndigits = (uint8_t)(hi - lo + 1);
    memcpy(out->digits, s + lo, out->ndigits);
    if (out->exp < NUMBER_MIN_EXP || out->exp > NUMBER_MAX_EXP)
        return -1;
    uint8_t again[NUM_ENC_MAX];
    if (num_encode(out, again) != *used || memcmp(again, p, *used) != 0)
        return -1;
    return 0;
}

static size_t
bytes_encode(const uint8_t *p, size_t n, uint8_t *out)
{
    size_t len = 0, i = 0;
    /* Eight bytes at a time while none is 0x00, the one byte escaped. */
    for (; n - i >= 8; i += 8, len += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if ((w - 0x0101010101010101u) & ~w & 0x8080808080808080u)
            break; /* a zero byte among them */
        memcpy(out + len, &w, 8);
    }
    for (; i < n; i++) {
        out[len++] = p[i];
        if (p[i] == 0x00)
            out[len++] = BYTES_ESC;
    }
    out[len++] = 0x00;
    out[len++] = BYTES_END;
    return len;
}

/* Length of the value in an S or B encoding and of the encoding; -1 if malformed. */
static int
bytes_measure(const uint8_t *p, size_t n, size_t *value_len, size_t *used)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0x00) {
            count++;
        } else if (i + 1 < n && p[i + 1] == BYTES_ESC) {
            count++;
            i++;
        } else if (i + 1 < n && p[i + 1] == BYTES_END) {
            *value_len = count;
            *used = i + 2;
            return 0;
        } else {
            return -1;
        }
    }
    return -1;
}

static int
bytes_decode(const uint8_t *p, size_t n, int type, struct arena *a, struct kv_value *out,
             size_t *used)
{
    size_t len;
    if (bytes_measure(p, n, &len, used) || len > UINT32_MAX)
        return -1;
    char *v = arena_alloc(a, len + 1);
    if (!v)
        return -1;
    size_t j = 0;
    for (size_t i = 0; j < len; i++) {
        v[j++] = (char)p[i];
        if (p[i] == 0x00)
            i++;
    }
    v[len] = '\0';
    value_set_bytes_ref(out, type, v, len);
    return 0;
}

static kv_status
encode_value(const struct kv_value *v, uint8_t *out, size_t *len, struct kv_err *err)
{
    struct decimal d;
    kv_status st;
    *len = 0;
    switch (v->type) {
    case KV_S:
    case KV_B:
        *len = bytes_encode((const uint8_t *)v->u.bytes, v->len, out);
        return KV_OK;
    case KV_N:
        if ((st = number_parse(v->u.bytes, v->len, &d, err)) != KV_OK)
            return st;
        *len = num_encode(&d, out);
        return KV_OK;
    default:
        return ERR_MISUSE(err, "a key value must be of type S, N or B, not %s", type_name(v->type));
    }
}

size_t
keycodec_encode_value(const struct kv_value *v, uint8_t *out, struct kv_err *err)
{
    size_t len;
    return encode_value(v, out, &len, err) == KV_OK ? len : 0;
}

size_t
keycodec_value_bound(const struct kv_value *v)
{
    switch (v->type) {
    case KV_S:
    case KV_B:
        return (size_t)v->len * 2 + 2;
    case KV_N:
        return NUM_ENC_MAX;
    default:
        return 0;
    }
}

int
keycodec_decode_value(const uint8_t *p, size_t n, int type, struct arena *a, struct kv_value *out,
                      size_t *used)
{
    if (type == KV_S || type == KV_B)
        return bytes_decode(p, n, type, a, out, used);
    if (type != KV_N)
        return -1;
    struct decimal d;
    char text[NUMBER_TEXT_MAX];
    if (num_decode(p, n, &d, used))
        return -1;
    size_t len = number_format(&d, text);
    char *copy = arena_strndup(a, text, len);
    if (!copy)
        return -1;
    value_set_bytes_ref(out, KV_N, copy, len);
    return 0;
}

/* --- keys ----------------------------------------------------------------- */

/* A value's encoding, on the stack when small, else on the heap. */
struct enc {
    uint8_t *p;
    size_t len;
    uint8_t *heap;
    uint8_t small[ENC_STACK];
};

static kv_status
enc_value(struct enc *e, const struct kv_value *v, struct kv_err *err)
{
    size_t bound = keycodec_value_bound(v);
    e->p = e->small;
    e->len = 0;
    e->heap = NULL;
    if (bound > sizeof e->small) {
        if (!(e->heap = mem_alloc(bound)))
            return err_nomem(err);
        e->p = e->heap;
    }
    return encode_value(v, e->p, &e->len, err);
}

static void
enc_release(struct enc *e)
{
    mem_free(e->heap);
    e->heap = NULL;
}

static void
put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* The 16-byte XXH3-128 of data, in xxHash's canonical (big-endian) layout. */
static void
put_digest(uint8_t *p, const void *data, size_t n)
{
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits(data, n));
    memcpy(p, c.digest, KEY_DIGEST);
}

kv_status
keycodec_hash(const struct kv_value *pk, uint64_t *hash, struct kv_err *err)
{
    struct enc e;
    *hash = 0;
    kv_status st = enc_value(&e, pk, err);
    if (st == KV_OK)
        *hash = XXH3_64bits(e.p, e.len);
    enc_release(&e);
    return st;
}

/* hash | partition part: the prefix every key of the partition starts with. */
static kv_status
key_partition(struct keybuf *out, const struct kv_value *pk, struct kv_err *err)
{
    struct enc e;
    out->len = out->prefix_len = 0;
    out->truncated = false;
    if (keycodec_value_bound(pk) <= KEY_PK_INLINE_MAX) {
        /* Surely inline: encoded in place, with no copy. */
        size_t n;
        kv_status st = encode_value(pk, out->bytes + KEY_HASH + 1, &n, err);
        if (st != KV_OK)
            return st;
        put_be64(out->bytes, XXH3_64bits(out->bytes + KEY_HASH + 1, n));
        out->bytes[KEY_HASH] = PK_INLINE;
        out->len = out->prefix_len = (uint16_t)(KEY_HASH + 1 + n);
        return KV_OK;
    }
    kv_status st = enc_value(&e, pk, err);
    if (st != KV_OK)
        goto done;
    put_be64(out->bytes, XXH3_64bits(e.p, e.len));
    size_t len = KEY_HASH;
    if (e.len <= KEY_PK_INLINE_MAX) {
        out->bytes[len++] = PK_INLINE;
        memcpy(out->bytes + len, e.p, e.len);
        len += e.len;
    } else {
        out->bytes[len++] = PK_DIGEST;
        put_digest(out->bytes + len, e.p, e.len);
        len += KEY_DIGEST;
    }
    out->len = out->prefix_len = (uint16_t)len;
done:
    enc_release(&e);
    return st;
}

/*
 * Append the sort part, keeping `reserve` bytes free at the end.  The
 * encoding goes inline when it fits in what is left minus KEY_DIGEST;
 * otherwise its first (left - KEY_DIGEST) bytes and then its digest fill
 * what is left exactly.  An inline encoding is at most that prefix length
 * and no encoding is a prefix of another, so an inline key always differs
 * from a truncated one within the stored prefix and sorts correctly
 * against it.  A truncated key is therefore always KEY_MAX bytes long and
 * an inline one always shorter, which keycodec_is_truncated relies on.
 */
static kv_status
key_sort(struct keybuf *out, const struct kv_value *sk, size_t reserve, struct kv_err *err)
{
    struct enc e;
    size_t room = KEY_MAX - reserve - out->len - KEY_DIGEST;
    if (keycodec_value_bound(sk) <= room) {
        /* Surely inline: encoded in place, with no copy. */
        size_t n;
        kv_status st = encode_value(sk, out->bytes + out->len, &n, err);
        if (st == KV_OK)
            out->len = (uint16_t)(out->len + n);
        return st;
    }
    kv_status st = enc_value(&e, sk, err);
    if (st != KV_OK)
        goto done;
    if (e.len <= room) {
        memcpy(out->bytes + out->len, e.p, e.len);
        out->len = (uint16_t)(out->len + e.len);
    } else {
        memcpy(out->bytes + out->len, e.p, room);
        put_digest(out->bytes + out->len + room, e.p, e.len);
        out->len = (uint16_t)(out->len + room + KEY_DIGEST);
        out->truncated = true;
    }
done:
    enc_release(&e);
    return st;
}

kv_status
keycodec_item_key(struct keybuf *out, const struct kv_value *pk, const struct kv_value *sk,
                  struct kv_err *err)
{
    kv_status st = key_partition(out, pk, err);
    if (st == KV_OK && sk)
        st = key_sort(out, sk, 0, err);
    if (st != KV_OK)
        out->len = out->prefix_len = 0;
    return st;
}

kv_status
keycodec_index_key(struct keybuf *out, const struct kv_value *ipk, const struct kv_value *isk,
                   const struct keybuf *base, struct kv_err *err)
{
    kv_status st = key_partition(out, ipk, err);
    if (st == KV_OK && isk)
        st = key_sort(out, isk, KEY_DIGEST, err);
    if (st != KV_OK) {
        out->len = out->prefix_len = 0;
        return st;
    }
    put_digest(out->bytes + out->len, base->bytes, base->len);
    out->len = (uint16_t)(out->len + KEY_DIGEST);
    return KV_OK;
}

kv_status
keycodec_partition_prefix(struct keybuf *out, const struct kv_value *pk, struct kv_err *err)
{
    return key_partition(out, pk, err);
}

kv_status
keycodec_sort_seek(struct keybuf *out, const struct kv_value *v, bool index_key, bool open,
                   struct kv_err *err)
{
    struct enc e;
    size_t room = KEY_MAX - (index_key ? KEY_DIGEST : 0) - out->len - KEY_DIGEST;
    kv_status st = enc_value(&e, v, err);
    if (st == KV_OK) {
        size_t n = e.len;
        if (open && v->type != KV_N && n >= 2)
            n -= 2; /* drop the 0x00 0x01 terminator */
        if (n > room)
            n = room;
        memcpy(out->bytes + out->len, e.p, n);
        out->len = (uint16_t)(out->len + n);
    }
    enc_release(&e);
    return st;
}

void
keycodec_pad_high(struct keybuf *out)
{
    memset(out->bytes + out->len, 0xFF, KEY_MAX - out->len);
    out->len = KEY_MAX;
}

size_t
keycodec_group_len(size_t key_len, bool index_key)
{
    return key_len - KEY_DIGEST - (index_key ? KEY_DIGEST : 0);
}

uint64_t
keycodec_key_hash(const uint8_t *key, size_t len)
{
    uint64_t h = 0;
    if (len < KEY_HASH)
        return 0;
    for (int i = 0; i < KEY_HASH; i++)
        h = h << 8 | key[i];
    return h;
}

/*
 * See key_sort: only a truncated sort part fills a key to KEY_MAX, for
 * item keys and index keys alike (an index key's inline maximum is
 * KEY_MAX - KEY_DIGEST too, its base digest included).
 */
bool
keycodec_is_truncated(const uint8_t *key, size_t len, size_t prefix_len, bool index_key)
{
    (void)key;
    size_t tail = KEY_DIGEST + (index_key ? KEY_DIGEST : 0);
    return len == KEY_MAX && prefix_len + tail < len;
}

/*
 * Segment s of n covers [floor(s * 2^64 / n), floor((s + 1) * 2^64 / n) - 1].
 * Consecutive segments meet exactly, the last ends at UINT64_MAX, and none
 * is empty while n <= 2^64.  An out-of-range seg gets an empty range
 * (*lo > *hi); total 0 is treated as 1.
 */
void
keycodec_segment_range(uint32_t seg, uint32_t total, uint64_t *lo, uint64_t *hi)
{
    if (total == 0)
        total = 1;
    if (seg >= total) {
        *lo = 1;
        *hi = 0;
        return;
    }
    unsigned __int128 span = (unsigned __int128)1 << 64;
    *lo = (uint64_t)(span * seg / total);
    *hi = (uint64_t)(span * (seg + 1) / total - 1);
}
