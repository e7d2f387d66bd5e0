/*
 * json_out.c -- JSON text written into a byte buffer; see json_out.h.
 *
 * Strings are checked and escaped as Jansson checks and escapes them, so
 * that the text equals what json_dumps(JSON_COMPACT) gives for the trees
 * value_to_json builds: invalid UTF-8 (bad lead or continuation bytes,
 * overlong forms, surrogates, code points above U+10FFFF) is refused, '"'
 * and '\\' are escaped, control characters as \b \f \n \r \t or \u00XX
 * (upper-case hex), and everything else, '/' and non-ASCII included, is
 * written as it is.
 */
#include "json_out.h"
#include "mem.h"

#include <stdio.h>
#include <string.h>

void
json_out_init(struct json_out *w)
{
    buf_init(&w->b);
    w->comma = false;
}

void
json_out_release(struct json_out *w)
{
    buf_release(&w->b);
    w->comma = false;
}

void
json_out_reset(struct json_out *w)
{
    buf_reset(&w->b);
    w->comma = false;
}

bool
json_out_failed(const struct json_out *w)
{
    return w->b.failed != 0;
}

void
json_out_fail(struct json_out *w)
{
    w->b.failed = 1;
}

static void
put_char(struct json_out *w, char c)
{
    struct buf *b = &w->b;
    if (b->len < b->cap)
        b->data[b->len++] = (uint8_t)c;
    else
        buf_put_u8(b, (uint8_t)c);
}

/* Room for n more bytes: buf_reserve, called only when the buffer is short.
 * Writing on after a failure is harmless: the text is discarded. */
static int
room(struct json_out *w, size_t n)
{
    return n <= w->b.cap - w->b.len ? 0 : buf_reserve(&w->b, n);
}

static void
separate(struct json_out *w)
{
    if (w->comma)
        put_char(w, ',');
}

void
json_out_object_begin(struct json_out *w)
{
    separate(w);
    put_char(w, '{');
    w->comma = false;
}

void
json_out_object_end(struct json_out *w)
{
    put_char(w, '}');
    w->comma = true;
}

void
json_out_array_begin(struct json_out *w)
{
    separate(w);
    put_char(w, '[');
    w->comma = false;
}

void
json_out_array_end(struct json_out *w)
{
    put_char(w, ']');
    w->comma = true;
}

/* The length of the UTF-8 sequence at s (at most n bytes), 0 if invalid:
 * Jansson's rules (utf8_check_full). */
static size_t
utf8_sequence(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0xC2)
        return 0; /* a continuation byte, or an overlong 2-byte lead */
    if (c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* The escape of an ASCII byte that needs one, into esc; its length. */
static size_t
escape_ascii(uint8_t c, char esc[8])
{
    static const char short_form[] = {['"'] = '"',  ['\\'] = '\\', ['\b'] = 'b', ['\f'] = 'f',
                                      ['\n'] = 'n', ['\r'] = 'r',  ['\t'] = 't'};
    esc[0] = '\\';
    if (c < sizeof short_form && short_form[c]) {
        esc[1] = short_form[c];
        return 2;
    }
    return (size_t)snprintf(esc, 8, "\\u%04X", (unsigned)c);
}

/* Bytes that are not copied as they are: control characters, '"', '\\'
 * and the bytes of multi-byte UTF-8 sequences, which are checked. */
/* clang-format off */
#define ROW(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
static const uint8_t special[256] = {
    ROW(1), ROW(1),                                 /* 0x00-0x1F */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20-0x2F: '"' */
    ROW(0), ROW(0),                                 /* 0x30-0x4F */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* 0x50-0x5F: '\\' */
    ROW(0), ROW(0),                                 /* 0x60-0x7F */
    ROW(1), ROW(1), ROW(1), ROW(1), ROW(1), ROW(1), ROW(1), ROW(1), /* 0x80-0xFF */
};
#undef ROW
/* clang-format on */

static void
put_escaped(struct json_out *w, const char *text, size_t n)
{
    struct buf *b = &w->b;
    const uint8_t *s = (const uint8_t *)text;
    /* Room for the usual case, nothing to escape, written straight into
     * the buffer; an escape makes room for itself. */
    if (n > SIZE_MAX / 2 || room(w, n + 2)) {
        json_out_fail(w);
        return;
    }
    uint8_t *out = b->data + b->len;
    *out++ = '"';
    size_t i = 0;
    while (i < n) {
        while (i < n && !special[s[i]])
            *out++ = s[i++];
        if (i == n)
            break;
        uint8_t c = s[i];
        if (c >= 0x80) {
            size_t len = utf8_sequence(s + i, n - i);
            if (!len) {
                json_out_fail(w);
                return;
            }
            memcpy(out, s + i, len);
            out += len;
            i += len;
            continue;
        }
        char esc[8];
        size_t elen = escape_ascii(c, esc);
        /* The escape replaces one byte: room for the rest of the text, the
         * escape and the closing quote. */
        b->len = (size_t)(out - b->data);
        if (buf_reserve(b, elen + (n - i - 1) + 1)) {
            json_out_fail(w);
            return;
        }
        out = b->data + b->len;
        memcpy(out, esc, elen);
        out += elen;
        i++;
    }
    *out++ = '"';
    b->len = (size_t)(out - b->data);
}

void
json_out_keyn(struct json_out *w, const char *key, size_t n)
{
    separate(w);
    put_escaped(w, key, n);
    put_char(w, ':');
    w->comma = false;
}

void
json_out_key(struct json_out *w, const char *key)
{
    size_t n = strlen(key);
    separate(w);
    if (room(w, n + 3))
        return;
    uint8_t *out = w->b.data + w->b.len;
    *out++ = '"';
    memcpy(out, key, n);
    out += n;
    *out++ = '"';
    *out++ = ':';
    w->b.len = (size_t)(out - w->b.data);
    w->comma = false;
}

void
json_out_string(struct json_out *w, const char *s, size_t n)
{
    separate(w);
    put_escaped(w, s, n);
    w->comma = true;
}

void
json_out_plain(struct json_out *w, const char *s, size_t n)
{
    separate(w);
    if (room(w, n + 2))
        return;
    uint8_t *out = w->b.data + w->b.len;
    *out++ = '"';
    memcpy(out, s, n);
    out += n;
    *out++ = '"';
    w->b.len = (size_t)(out - w->b.data);
    w->comma = true;
}

void
json_out_raw(struct json_out *w, const char *text, size_t n)
{
    separate(w);
    if (room(w, n))
        return;
    memcpy(w->b.data + w->b.len, text, n);
    w->b.len += n;
    w->comma = false;
}

void
json_out_integer(struct json_out *w, int64_t v)
{
    char text[24];
    int n = snprintf(text, sizeof text, "%lld", (long long)v);
    separate(w);
    buf_put(&w->b, text, (size_t)n);
    w->comma = true;
}

void
json_out_bool(struct json_out *w, bool v)
{
    separate(w);
    buf_put(&w->b, v ? "true" : "false", v ? 4 : 5);
    w->comma = true;
}

static int
dump_to_buf(const char *text, size_t n, void *arg)
{
    struct buf *b = arg;
    buf_put(b, text, n);
    return b->failed ? -1 : 0;
}

void
json_out_json(struct json_out *w, const json_t *j)
{
    separate(w);
    if (!j || json_dump_callback(j, dump_to_buf, &w->b, JSON_COMPACT | JSON_ENCODE_ANY))
        json_out_fail(w);
    w->comma = true;
}

char *
json_out_take(struct json_out *w)
{
    put_char(w, '\0');
    if (json_out_failed(w)) {
        json_out_release(w);
        return NULL;
    }
    size_t len;
    char *text = (char *)buf_take(&w->b, &len);
    w->comma = false;
    return text;
}
