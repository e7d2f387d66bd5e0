/*
 * json_out.c -- JSON text written into a byte buffer; see json_out.h.
 *
 * Strings are checked and escaped as Jansson checks and escapes them, so
 * that the text equals what json_dumps(JSON_COMPACT) gives for the tree
 * the old encoders built: invalid UTF-8 (bad lead or continuation bytes,
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

static void
put_escaped(struct json_out *w, const char *text, size_t n)
{
    struct buf *b = &w->b;
    const uint8_t *s = (const uint8_t *)text;
    /* Room for the usual case, nothing to escape; escapes grow it. */
    if (n > (SIZE_MAX - 2) / 6 || buf_reserve(b, n + 2)) {
        json_out_fail(w);
        return;
    }
    b->data[b->len++] = '"';
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
            i++;
        buf_put(b, s + start, i - start);
        if (i == n)
            break;
        uint8_t c = s[i];
        if (c >= 0x80) {
            size_t len = utf8_sequence(s + i, n - i);
            if (!len) {
                json_out_fail(w);
                return;
            }
            buf_put(b, s + i, len);
            i += len;
            continue;
        }
        char esc[8];
        size_t elen = 2;
        esc[0] = '\\';
        switch (c) {
        case '"':
        case '\\':
            esc[1] = (char)c;
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            elen = (size_t)snprintf(esc, sizeof esc, "\\u%04X", (unsigned)c);
        }
        buf_put(b, esc, elen);
        i++;
    }
    put_char(w, '"');
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
    json_out_keyn(w, key, strlen(key));
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
    if (buf_reserve(&w->b, n + 2))
        return;
    put_char(w, '"');
    buf_put(&w->b, s, n);
    put_char(w, '"');
    w->comma = true;
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
