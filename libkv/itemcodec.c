/*
 * itemcodec.c -- the stored form of an item: compact, versioned bytes.
 *
 * Every GetItem, Query and Scan decodes items, and every write encodes one,
 * so the format is built for a fast, allocation-light, fully bounds-checked
 * decoder.  This file owns the byte layout only; what an item may contain
 * is value_check's business, and which bytes are stored under which key is
 * keycodec's.
 *
 * FORMAT, VERSION 1 -- FROZEN.  Records of this version exist on disk: the
 * layout, the tags and their numbers below must never change.  A new layout
 * gets a new version byte, and decoders keep reading the old ones.
 *
 *   record   = version size count member{count}
 *   version  = 0x01                        one byte
 *   size     = varint                      the item's DynamoDB size, item_size()
 *   count    = varint                      number of attributes
 *   member   = varint(n) name[n] 0x00 value
 *   value    = tag payload
 *
 *   tag   type         payload
 *   0x01  S            varint(n) bytes[n] 0x00
 *   0x02  N            varint(n) canonical text[n] 0x00   (number_format)
 *   0x03  B            varint(n) bytes[n] 0x00
 *   0x04  BOOL false   -
 *   0x05  BOOL true    -
 *   0x06  NULL         -
 *   0x07  M            varint(count) member{count}
 *   0x08  L            varint(count) value{count}
 *   0x09  SS           varint(count) { varint(n) bytes[n] 0x00 }{count}
 *   0x0a  NS           varint(count) { varint(n) canonical text[n] 0x00 }{count}
 *   0x0b  BS           varint(count) { varint(n) bytes[n] 0x00 }{count}
 *   0x00 and 0x0c..0xff are invalid.
 *
 * A varint is unsigned LEB128 (buf.h): seven bits a byte, low bits first,
 * high bit set on every byte but the last, at most ten bytes.  Encoders
 * write the shortest form.  Names, strings, binaries and numbers are each
 * followed by a NUL that is not counted in n, so a decoder can hand out
 * pointers into the record (value.h wants every byte string NUL-terminated)
 * and the bytes themselves may contain NULs.  Members keep the order of the
 * encoded map.
 *
 * Worked example.  The item {"id":{"S":"a1"},"n":{"N":"-1.50"},
 * "x":{"L":[{"BOOL":true},{"NULL":true}]}} has size 4 + 5 + 8 = 17 (a 2-byte
 * name and 2-byte string; a 1-byte name and -1.5, which costs 4, see
 * number_size; a 1-byte name and a list: 3 + (1 + 1) + (1 + 1)) and is
 * stored as 29 bytes:
 *
 *   01                      version 1
 *   11                      size 17
 *   03                      3 attributes
 *   02 69 64 00             name "id"
 *   01 02 61 31 00          S, 2 bytes "a1"
 *   01 6e 00                name "n"
 *   02 04 2d 31 2e 35 00    N, 4 bytes "-1.5" (canonical)
 *   01 78 00                name "x"
 *   08 02 05 06             L of 2: BOOL true, NULL
 *
 * Decoding checks everything it reads against the end of the record and
 * answers KV_CORRUPT, recording where, for: a bad version; a truncated
 * record; a length, or a count times the least bytes an element needs,
 * larger than what remains (checked before anything is allocated, and
 * counting the bytes that earlier, still open containers have already
 * claimed, so a hostile record cannot make the decoder allocate more than a
 * small multiple of its own length); a missing NUL; an unknown tag; a
 * number that does not parse or is not in canonical form; nesting deeper
 * than VALUE_MAX_DEPTH + 1 below the item; bytes after the item; and a
 * recorded size that differs from the size of what was decoded.  The
 * recursion is bounded by that same depth.  Two members of one map with
 * the same name are not detected: that would cost a hash table per map on
 * every read, and the encoder, fed maps with unique names, never writes
 * them.
 */
#include "itemcodec.h"
#include "arena.h"
#include "buf.h"
#include "err.h"
#include "number.h"
#include "value.h"

#include <string.h>

/* Tags: on disk, frozen. */
enum {
    TAG_S = 0x01,
    TAG_N = 0x02,
    TAG_B = 0x03,
    TAG_FALSE = 0x04,
    TAG_TRUE = 0x05,
    TAG_NULL = 0x06,
    TAG_M = 0x07,
    TAG_L = 0x08,
    TAG_SS = 0x09,
    TAG_NS = 0x0a,
    TAG_BS = 0x0b,
};

/* The fewest bytes an element can take, per container kind. */
#define MIN_MEMBER 3   /* name length, the name's NUL, a tag */
#define MIN_ELEM 1     /* a tag */
#define MIN_SET_ELEM 2 /* a length, the NUL */

/* Deepest value, counting an attribute's value as depth 1. */
#define CODEC_MAX_DEPTH (VALUE_MAX_DEPTH + 1)

static uint8_t
tag_of_type(int t)
{
    static const uint8_t tags[] = {
        [KV_S] = TAG_S, [KV_N] = TAG_N,   [KV_B] = TAG_B,   [KV_NULL] = TAG_NULL, [KV_M] = TAG_M,
        [KV_L] = TAG_L, [KV_SS] = TAG_SS, [KV_NS] = TAG_NS, [KV_BS] = TAG_BS,
    };
    return t >= 1 && t <= KV_BS ? tags[t] : 0;
}

/* --- encoding --------------------------------------------------------------- */

struct enc {
    struct buf *out;
    struct kv_err *err;
};

static void
put_bytes(struct buf *out, const char *p, size_t n)
{
    buf_put_varint(out, n);
    buf_put(out, p, n);
    buf_put_u8(out, 0);
}

/* Write a scalar's payload; *size gets its DynamoDB size. */
static kv_status
enc_scalar(struct enc *e, const struct kv_value *v, size_t *size)
{
    if (v->type != KV_N) {
        put_bytes(e->out, v->u.bytes, v->len);
        *size = v->len;
        return KV_OK;
    }
    struct decimal d;
    kv_status st = number_parse(v->u.bytes, v->len, &d, e->err);
    if (st != KV_OK)
        return st;
    char text[NUMBER_TEXT_MAX];
    size_t n = number_format(&d, text);
    put_bytes(e->out, text, n);
    *size = number_size(&d);
    return KV_OK;
}

static kv_status enc_value(struct enc *e, const struct kv_value *v, int depth, size_t *size);

/* Members of an item or M at depth; *size gets the sum over members of
 * name length plus value size. */
static kv_status
enc_members(struct enc *e, const struct kv_value *map, int depth, size_t *size)
{
    buf_put_varint(e->out, map->len);
    *size = 0;
    for (uint32_t i = 0; i < map->len; i++) {
        const struct kv_member *m = &map->u.members[i];
        size_t vsize;
        put_bytes(e->out, m->name, m->name_len);
        kv_status st = enc_value(e, &m->value, depth, &vsize);
        if (st != KV_OK)
            return st;
        *size += m->name_len + vsize;
    }
    return KV_OK;
}

static kv_status
enc_elems(struct enc *e, const struct kv_value *v, int depth, size_t *size)
{
    int elem = type_set_elem(v->type);
    buf_put_varint(e->out, v->len);
    *size = elem ? 0 : 3;
    for (uint32_t i = 0; i < v->len; i++) {
        const struct kv_value *c = &v->u.elems[i];
        size_t csize;
        kv_status st;
        if (!elem)
            st = enc_value(e, c, depth + 1, &csize);
        else if (c->type != elem)
            st = ERR_MISUSE(e->err, "a %s set holds a %s", type_name(v->type), type_name(c->type));
        else
            st = enc_scalar(e, c, &csize);
        if (st != KV_OK)
            return st;
        *size += csize + (elem ? 0 : 1);
    }
    return KV_OK;
}

static kv_status
enc_value(struct enc *e, const struct kv_value *v, int depth, size_t *size)
{
    uint8_t tag = v->type == KV_BOOL ? (v->boolean ? TAG_TRUE : TAG_FALSE) : tag_of_type(v->type);
    if (tag == 0)
        return ERR_MISUSE(e->err, "value of unknown type %d", v->type);
    if (depth > CODEC_MAX_DEPTH)
        return ERR_MISUSE(e->err, "item nested deeper than %d levels", CODEC_MAX_DEPTH);
    buf_put_u8(e->out, tag);
    switch (v->type) {
    case KV_S:
    case KV_N:
    case KV_B:
        return enc_scalar(e, v, size);
    case KV_BOOL:
    case KV_NULL:
        *size = 1;
        return KV_OK;
    case KV_M: {
        kv_status st = enc_members(e, v, depth + 1, size);
        if (st == KV_OK)
            *size += 3 + v->len;
        return st;
    }
    default:
        return enc_elems(e, v, depth, size);
    }
}

static size_t
varint_write(uint8_t *dst, uint64_t v)
{
    size_t n = 0;
    do {
        dst[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            dst[n] |= 0x80;
        n++;
    } while (v);
    return n;
}

/*
 * The size goes in the header but is known only once the numbers have been
 * parsed, which happens while the body is written; so the body is written
 * first and moved up by the few bytes the size takes.  This parses each
 * number once instead of twice, and the move costs less than a parse.
 */
kv_status
itemcodec_encode(const struct kv_value *item, struct buf *out, struct kv_err *err)
{
    if (item->type != KV_M)
        return ERR_MISUSE(err, "an item must be a map, not %s", type_name(item->type));
    struct enc e = {.out = out, .err = err};
    size_t start = out->len, size;
    buf_put_u8(out, ITEMCODEC_VERSION);
    size_t body = out->len;
    kv_status st = enc_members(&e, item, 1, &size);
    uint8_t hdr[10];
    size_t k = varint_write(hdr, size);
    if (st == KV_OK && buf_reserve(out, k) == 0 && !out->failed) {
        memmove(out->data + body + k, out->data + body, out->len - body);
        memcpy(out->data + body, hdr, k);
        out->len += k;
        return KV_OK;
    }
    if (st == KV_OK)
        st = err_nomem(err);
    if (out->len > start)
        out->len = start;
    return st;
}

/* --- decoding --------------------------------------------------------------- */

struct dec {
    const uint8_t *base; /* the record, for offsets in messages */
    const uint8_t *p;
    const uint8_t *end;
    size_t claimed; /* bytes promised to elements of open containers */
    struct arena *a;
    struct kv_err *err;
};

static size_t
dec_offset(const struct dec *d)
{
    return (size_t)(d->p - d->base);
}

static size_t
dec_left(const struct dec *d)
{
    return (size_t)(d->end - d->p);
}

/* Unsigned LEB128, at most ten bytes; the tenth may hold only bit 63. */
static inline int
dec_varint(struct dec *d, uint64_t *v)
{
    if (d->p < d->end && *d->p < 0x80) {
        *v = *d->p++;
        return 0;
    }
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 70 && d->p < d->end; shift += 7) {
        uint8_t byte = *d->p++;
        if (shift == 63 && byte > 1)
            return -1;
        x |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

static kv_status
dec_truncated(struct dec *d, const char *what)
{
    return ERR_CORRUPT(d->err, "stored item is corrupt: %s at byte %zu is cut short or malformed",
                       what, dec_offset(d));
}

/*
 * A container's element count.  It must fit in the bytes left once every
 * open container's remaining elements have their least share; those
 * elements' shares are then claimed too.  So the slots allocated for a
 * record never exceed its length divided by the smallest element.
 */
static inline kv_status
dec_count(struct dec *d, size_t min_each, uint32_t *count)
{
    uint64_t n;
    if (dec_varint(d, &n))
        return dec_truncated(d, "an element count");
    size_t room = dec_left(d) > d->claimed ? dec_left(d) - d->claimed : 0;
    if (n > room / min_each)
        return ERR_CORRUPT(d->err,
                           "stored item is corrupt: %llu elements before byte %zu cannot fit "
                           "in the %zu bytes left",
                           (unsigned long long)n, dec_offset(d), room);
    *count = (uint32_t)n;
    d->claimed += (size_t)n * min_each;
    return KV_OK;
}

/* A length-prefixed, NUL-terminated byte string, borrowed from the record. */
static kv_status
dec_bytes_long(struct dec *d, const char **s, uint32_t *len, const char *what)
{
    uint64_t n;
    if (dec_varint(d, &n))
        return dec_truncated(d, what);
    if (n >= dec_left(d) || n > UINT32_MAX)
        return ERR_CORRUPT(d->err,
                           "stored item is corrupt: %s of %llu bytes before byte %zu runs past "
                           "the end",
                           what, (unsigned long long)n, dec_offset(d));
    if (d->p[n] != 0)
        return ERR_CORRUPT(d->err, "stored item is corrupt: %s at byte %zu lacks its NUL", what,
                           dec_offset(d));
    *s = (const char *)d->p;
    *len = (uint32_t)n;
    d->p += n + 1;
    return KV_OK;
}

/* The same, with the common case (under 128 bytes, well formed) inline:
 * names and short values are most of what an item holds. */
static inline kv_status
dec_bytes(struct dec *d, const char **s, uint32_t *len, const char *what)
{
    const uint8_t *p = d->p;
    if (p < d->end && *p < 0x80) {
        size_t n = *p;
        if (n + 1 < (size_t)(d->end - p) && p[n + 1] == 0) {
            *s = (const char *)p + 1;
            *len = (uint32_t)n;
            d->p = p + n + 2;
            return KV_OK;
        }
    }
    return dec_bytes_long(d, s, len, what);
}

/* value_set_bytes_ref, inline: it runs for every scalar decoded. */
static inline void
set_ref(struct kv_value *v, int t, const char *s, uint32_t n)
{
    *v = (struct kv_value){.type = (uint8_t)t, .len = n, .u.bytes = s};
}

/*
 * Most stored numbers are integers of a few digits.  Such text, at most 38
 * digits, is canonical exactly when it is "0" or has no leading zero (zero
 * has no sign), and its size is number_size's for nd significant digits
 * (trailing zeros left out): 1 + (nd + 1) / 2, one more when negative.
 * Anything else takes the full parse.
 */
static inline bool
small_integer(const char *s, uint32_t n, size_t *size)
{
    if (n == 0)
        return false;
    uint32_t neg = s[0] == '-';
    const char *dg = s + neg;
    uint32_t nd = n - neg;
    if (nd - 1 >= 38) /* no digits, or more than 38 */
        return false;
    if ((unsigned)(dg[0] - '1') > 8) {
        if (n == 1 && s[0] == '0') {
            *size = 1;
            return true;
        }
        return false;
    }
    uint32_t last = 0; /* the last nonzero digit */
    for (uint32_t i = 1; i < nd; i++) {
        unsigned c = (unsigned)(dg[i] - '0');
        if (c > 9)
            return false;
        if (c)
            last = i;
    }
    *size = 1 + (last + 2) / 2 + neg;
    return true;
}

static kv_status
dec_number(struct dec *d, struct kv_value *v, size_t *size)
{
    const char *s;
    uint32_t n;
    kv_status st = dec_bytes(d, &s, &n, "a number");
    if (st != KV_OK)
        return st;
    if (small_integer(s, n, size)) {
        set_ref(v, KV_N, s, n);
        return KV_OK;
    }
    struct decimal dec;
    struct kv_err scratch;
    err_init(&scratch);
    st = number_parse(s, n, &dec, &scratch);
    err_clear(&scratch);
    /* Stored numbers are canonical (value.h), and readers may rely on it. */
    char text[NUMBER_TEXT_MAX];
    if (st != KV_OK || number_format(&dec, text) != n || memcmp(text, s, n) != 0)
        return ERR_CORRUPT(d->err, "stored item is corrupt: number '%.*s' before byte %zu", (int)n,
                           s, dec_offset(d));
    set_ref(v, KV_N, s, n);
    *size = number_size(&dec);
    return KV_OK;
}

static kv_status dec_value(struct dec *d, struct kv_value *v, int depth, size_t *size);

static void *
dec_alloc(struct dec *d, uint32_t n, size_t sz)
{
    return n ? arena_alloc(d->a, (size_t)n * sz) : NULL;
}

/* A short member's tag is its value's type (see dec_short_run). */
_Static_assert((int)TAG_S == (int)KV_S && (int)TAG_N == (int)KV_N, "tags S and N are their types");

/*
 * Members whose name and value are each under 128 bytes and whose value is
 * an S, or an N that small_integer accepts: what most items are made of.
 * Decodes up to n of them from *pp into m, with the record's bounds in
 * locals and every byte checked as dec_bytes checks it, and stops at the
 * first member that is anything else (or malformed), which the general
 * path then decodes from the same byte, with the same result or error.
 * Returns how many were decoded; adds Σ name length + value size to *total.
 */
static inline uint32_t
dec_short_run(const uint8_t **pp, const uint8_t *end, struct kv_member *m, uint32_t n,
              size_t *total)
{
    const uint8_t *p = *pp;
    size_t sum = 0;
    uint32_t i = 0;
    size_t left = (size_t)(end - p);
    for (; i < n && left; i++, m++) {
        /* name length, name, NUL, tag, value length, value, NUL */
        size_t nl = p[0];
        if (nl >= 0x80 || nl + 3 >= left)
            break;
        const uint8_t *q = p + 1 + nl; /* the name's NUL; q[2] is in bounds */
        size_t vl = q[2], used = nl + vl + 5;
        uint8_t tag = q[1];
        if (vl >= 0x80 || used > left || (q[0] | q[3 + vl]) != 0)
            break;
        size_t vsize = vl;
        const char *s = (const char *)q + 3;
        if (tag != TAG_S && (tag != TAG_N || !small_integer(s, (uint32_t)vl, &vsize)))
            break;
        m->name = (const char *)p + 1;
        m->name_len = (uint32_t)nl;
        m->value.type = tag;
        m->value.boolean = 0;
        m->value.len = (uint32_t)vl;
        m->value.cap = 0;
        m->value.u.bytes = s;
        sum += nl + vsize;
        p += used;
        left -= used;
    }
    *pp = p;
    *total += sum;
    return i;
}

/* The n members of an item or M at depth, into ms; *size gets
 * Σ name length + value size. */
static kv_status
dec_member_list(struct dec *d, struct kv_member *ms, uint32_t n, int depth, size_t *size)
{
    size_t total = 0;
    uint32_t i = 0;
    while (i < n) {
        if (depth <= CODEC_MAX_DEPTH) {
            uint32_t k = dec_short_run(&d->p, d->end, ms + i, n - i, &total);
            d->claimed -= (size_t)k * MIN_MEMBER;
            if ((i += k) == n)
                break;
        }
        struct kv_member *m = &ms[i++];
        size_t vsize;
        kv_status st;
        d->claimed -= MIN_MEMBER;
        if ((st = dec_bytes(d, &m->name, &m->name_len, "a name")) != KV_OK)
            return st;
        /* Strings and numbers skip dec_value's dispatch; what they decode
         * to, and every error, is the same. */
        uint8_t tag = d->p < d->end && depth <= CODEC_MAX_DEPTH ? *d->p : 0;
        if (tag == TAG_S) {
            const char *s;
            uint32_t len;
            d->p++;
            if ((st = dec_bytes(d, &s, &len, "a string")) != KV_OK)
                return st;
            set_ref(&m->value, KV_S, s, len);
            vsize = len;
        } else if (tag == TAG_N) {
            d->p++;
            if ((st = dec_number(d, &m->value, &vsize)) != KV_OK)
                return st;
        } else if ((st = dec_value(d, &m->value, depth, &vsize)) != KV_OK) {
            return st;
        }
        total += m->name_len + vsize;
    }
    *size = total;
    return KV_OK;
}

/* Members of an item or M at depth; *size gets Σ name length + value size. */
static kv_status
dec_members(struct dec *d, struct kv_value *map, int depth, size_t *size)
{
    uint32_t n = 0;
    kv_status st = dec_count(d, MIN_MEMBER, &n);
    if (st != KV_OK)
        return st;
    *map = (struct kv_value){.type = KV_M};
    map->u.members = dec_alloc(d, n, sizeof(struct kv_member));
    if (n && !map->u.members)
        return err_nomem(d->err);
    map->len = map->cap = n;
    return dec_member_list(d, map->u.members, n, depth, size);
}

/* A list's or set's elements; sizes as value_size counts them. */
static kv_status
dec_elems(struct dec *d, struct kv_value *v, int t, int depth, size_t *size)
{
    int elem = type_set_elem(t);
    size_t min_each = elem ? MIN_SET_ELEM : MIN_ELEM;
    uint32_t n = 0;
    kv_status st = dec_count(d, min_each, &n);
    if (st != KV_OK)
        return st;
    value_init(v, t);
    v->u.elems = dec_alloc(d, n, sizeof(struct kv_value));
    if (n && !v->u.elems)
        return err_nomem(d->err);
    v->len = v->cap = n;
    *size = elem ? 0 : 3;
    for (uint32_t i = 0; i < n; i++) {
        struct kv_value *c = &v->u.elems[i];
        size_t csize = 0;
        d->claimed -= min_each;
        if (!elem) {
            st = dec_value(d, c, depth + 1, &csize);
            csize++;
        } else if (elem == KV_N) {
            st = dec_number(d, c, &csize);
        } else {
            const char *s;
            uint32_t len;
            st = dec_bytes(d, &s, &len, elem == KV_S ? "a string" : "a binary");
            if (st == KV_OK) {
                set_ref(c, elem, s, len);
                csize = len;
            }
        }
        if (st != KV_OK)
            return st;
        *size += csize;
    }
    return KV_OK;
}

static kv_status
dec_value(struct dec *d, struct kv_value *v, int depth, size_t *size)
{
    static const uint8_t set_types[] = {[TAG_SS] = KV_SS, [TAG_NS] = KV_NS, [TAG_BS] = KV_BS};
    if (depth > CODEC_MAX_DEPTH)
        return ERR_CORRUPT(d->err,
                           "stored item is corrupt: nested deeper than %d levels at byte %zu",
                           CODEC_MAX_DEPTH, dec_offset(d));
    if (d->p >= d->end)
        return dec_truncated(d, "a value");
    uint8_t tag = *d->p++;
    switch (tag) {
    case TAG_S:
    case TAG_B: {
        const char *s;
        uint32_t n;
        kv_status st = dec_bytes(d, &s, &n, tag == TAG_S ? "a string" : "a binary");
        if (st != KV_OK)
            return st;
        set_ref(v, tag == TAG_S ? KV_S : KV_B, s, n);
        *size = n;
        return KV_OK;
    }
    case TAG_N:
        return dec_number(d, v, size);
    case TAG_FALSE:
    case TAG_TRUE:
        value_set_bool(v, tag == TAG_TRUE);
        *size = 1;
        return KV_OK;
    case TAG_NULL:
        value_init(v, KV_NULL);
        v->boolean = 1;
        *size = 1;
        return KV_OK;
    case TAG_M: {
        kv_status st = dec_members(d, v, depth + 1, size);
        if (st == KV_OK)
            *size += 3 + v->len;
        return st;
    }
    case TAG_L:
        return dec_elems(d, v, KV_L, depth, size);
    case TAG_SS:
    case TAG_NS:
    case TAG_BS:
        return dec_elems(d, v, set_types[tag], depth, size);
    default:
        return ERR_CORRUPT(d->err, "stored item is corrupt: unknown value tag 0x%02x at byte %zu",
                           tag, dec_offset(d) - 1);
    }
}

/* Version byte and recorded size: the header every entry point reads. */
static kv_status
dec_header(struct dec *d, uint64_t *size)
{
    if (d->p >= d->end)
        return ERR_CORRUPT(d->err, "stored item is corrupt: the record is empty");
    uint8_t version = *d->p++;
    if (version != ITEMCODEC_VERSION)
        return ERR_CORRUPT(d->err, "stored item is corrupt: unknown format version %u", version);
    if (dec_varint(d, size))
        return dec_truncated(d, "the item size");
    return KV_OK;
}

/*
 * The header most records have, read without the general readers: the
 * version, a size of one or two varint bytes (under 16 KB) and a count of
 * one byte that fits, as dec_count judges it.  Gives the members' offset
 * in *at.  False for anything else, which dec_header and dec_count then
 * read, and accept or refuse, as before.
 */
static inline bool
short_header(const uint8_t *p, size_t n, uint64_t *recorded, uint32_t *count, size_t *at)
{
    if (n < 3 || p[0] != ITEMCODEC_VERSION)
        return false;
    uint64_t size = p[1];
    size_t i = 2; /* the count's byte */
    if (size >= 0x80) {
        if (p[2] >= 0x80)
            return false;
        size = (size & 0x7f) | (uint64_t)p[2] << 7;
        i = 3;
    }
    if (i >= n || p[i] >= 0x80 || p[i] > (n - i - 1) / MIN_MEMBER)
        return false;
    *recorded = size;
    *count = p[i];
    *at = i + 1;
    return true;
}

/*
 * Copy mode copies the record once and then borrows from the copy, which
 * shares one allocation with the item's top-level members; the checks are
 * the same either way.  The header and count are read from the original,
 * so that the block can be sized first.
 */
kv_status
itemcodec_decode_sized(const uint8_t *p, size_t n, struct arena *a, bool borrow,
                       struct kv_value *out, size_t *size, struct kv_err *err)
{
    *out = (struct kv_value){.type = KV_M};
    *size = 0;
    if (n == 0)
        return ERR_CORRUPT(err, "stored item is corrupt: the record is empty");
    struct dec d = {.base = p, .p = p, .end = p + n, .a = a, .err = err};
    uint64_t recorded = 0;
    uint32_t count = 0;
    size_t at;
    kv_status st = KV_OK;
    if (short_header(p, n, &recorded, &count, &at)) {
        d.p = p + at;
        d.claimed = (size_t)count * MIN_MEMBER;
    } else if ((st = dec_header(&d, &recorded)) != KV_OK ||
               (st = dec_count(&d, MIN_MEMBER, &count)) != KV_OK) {
        return st;
    }
    /* count * MIN_MEMBER <= n, so the block's size cannot overflow. */
    size_t members = (size_t)count * sizeof(struct kv_member);
    uint8_t *block = borrow ? (count ? arena_alloc(a, members) : NULL)
                            : arena_alloc(a, members + n);
    if (!block && (count || !borrow))
        return err_nomem(err);
    if (!borrow) {
        memcpy(block + members, p, n);
        d.p = block + members + (d.p - p);
        d.base = p = block + members;
        d.end = p + n;
    }
    struct kv_member *ms = (struct kv_member *)(void *)block;
    /* Most items are short members only, read here without the general
     * loop; the rest of an item, from its first other member on, is
     * dec_member_list's. */
    size_t got = 0, rest;
    uint32_t k = dec_short_run(&d.p, d.end, ms, count, &got);
    if (k < count) {
        d.claimed -= (size_t)k * MIN_MEMBER;
        if ((st = dec_member_list(&d, ms + k, count - k, 1, &rest)) != KV_OK)
            return st;
        got += rest;
    }
    if (d.p != d.end)
        return ERR_CORRUPT(err, "stored item is corrupt: %zu bytes follow the item at byte %zu",
                           dec_left(&d), dec_offset(&d));
    if (recorded != got)
        return ERR_CORRUPT(err,
                           "stored item is corrupt: its recorded size %llu differs from "
                           "its contents' size %zu",
                           (unsigned long long)recorded, got);
    *out = (struct kv_value){.type = KV_M, .len = count, .cap = count, .u.members = ms};
    *size = got;
    return KV_OK;
}

kv_status
itemcodec_decode(const uint8_t *p, size_t n, struct arena *a, bool borrow, struct kv_value *out,
                 struct kv_err *err)
{
    size_t size;
    return itemcodec_decode_sized(p, n, a, borrow, out, &size, err);
}

kv_status
itemcodec_size(const uint8_t *p, size_t n, size_t *size, struct kv_err *err)
{
    *size = 0;
    if (n == 0)
        return ERR_CORRUPT(err, "stored item is corrupt: the record is empty");
    struct dec d = {.base = p, .p = p, .end = p + n, .err = err};
    uint64_t recorded = 0;
    kv_status st = dec_header(&d, &recorded);
    if (st != KV_OK)
        return st;
    if (recorded > SIZE_MAX)
        return ERR_CORRUPT(err, "stored item is corrupt: recorded size %llu",
                           (unsigned long long)recorded);
    *size = (size_t)recorded;
    return KV_OK;
}
