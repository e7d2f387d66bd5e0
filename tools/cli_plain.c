/*
 * cli_plain.c -- plain JSON to and from DynamoDB JSON.
 *
 * Reading plain JSON cannot go through Jansson: it turns numbers into C
 * doubles and long longs, losing digits DynamoDB keeps (38 of them).  So
 * this file has its own small reader that keeps each number's text.  It
 * accepts RFC 8259 JSON; nesting is bounded by MAX_DEPTH, a little above
 * DynamoDB's own limit of 32 levels, which the library then enforces with
 * its own message.
 */
#include "cli_plain.h"
#include "cli_json.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 40

static void
write_list(FILE *f, const json_t *list, bool plain_members)
{
    fputc('[', f);
    for (size_t i = 0; i < json_array_size(list); i++) {
        if (i)
            fputs(", ", f);
        const json_t *el = json_array_get(list, i);
        if (plain_members)
            plain_write_value(f, el);
        else
            cli_json_write(f, el, 0, false);
    }
    fputc(']', f);
}

void
plain_write_value(FILE *f, const json_t *av)
{
    const char *type;
    json_t *v;
    json_object_foreach((json_t *)av, type, v)
    {
        if (!strcmp(type, "N")) {
            fputs(json_string_value(v), f);
        } else if (!strcmp(type, "NS")) {
            fputc('[', f);
            for (size_t i = 0; i < json_array_size(v); i++)
                fprintf(f, "%s%s", i ? ", " : "", json_string_value(json_array_get(v, i)));
            fputc(']', f);
        } else if (!strcmp(type, "NULL")) {
            fputs("null", f);
        } else if (!strcmp(type, "M")) {
            plain_write_item(f, v);
        } else if (!strcmp(type, "L")) {
            write_list(f, v, true);
        } else if (!strcmp(type, "SS") || !strcmp(type, "BS")) {
            write_list(f, v, false);
        } else {
            cli_json_write(f, v, 0, false); /* S, B (base64), BOOL */
        }
        return;
    }
    fputs("null", f);
}

void
plain_write_item(FILE *f, const json_t *item)
{
    fputc('{', f);
    const char *name;
    json_t *av;
    bool first = true;
    json_object_foreach((json_t *)item, name, av)
    {
        if (!first)
            fputs(", ", f);
        first = false;
        json_t *key = json_string(name);
        cli_json_write(f, key, 0, false);
        json_decref(key);
        fputs(": ", f);
        plain_write_value(f, av);
    }
    fputc('}', f);
}

/* --- the reader ---------------------------------------------------------- */

struct reader {
    const char *s;
    size_t i, n;
    char *err;
};

static void
skip(struct reader *r)
{
    while (r->i < r->n && strchr(" \t\r\n", r->s[r->i]))
        r->i++;
}

static json_t *
bad(struct reader *r, const char *what)
{
    if (!r->err && asprintf(&r->err, "%s at column %zu", what, r->i + 1) < 0)
        r->err = NULL;
    return NULL;
}

static int
hex4(const char *s)
{
    int v = 0;
    for (int k = 0; k < 4; k++) {
        int c = s[k], d = isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static void
put_utf8(char *out, size_t *o, unsigned cp)
{
    if (cp < 0x80) {
        out[(*o)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*o)++] = (char)(0xC0 | cp >> 6);
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*o)++] = (char)(0xE0 | cp >> 12);
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*o)++] = (char)(0xF0 | cp >> 18);
        out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    }
}

/* An escape after the backslash at r->i; appends to out. */
static bool
read_escape(struct reader *r, char *out, size_t *o)
{
    char c = r->s[++r->i];
    const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
    const char *k = c ? strchr(from, c) : NULL;
    if (k) {
        out[(*o)++] = to[k - from];
        r->i++;
        return true;
    }
    int cp = c == 'u' && r->i + 4 < r->n ? hex4(r->s + r->i + 1) : -1;
    if (cp < 0)
        return false;
    r->i += 5;
    if (cp >= 0xD800 && cp < 0xDC00 && r->i + 6 <= r->n && r->s[r->i] == '\\' &&
        r->s[r->i + 1] == 'u') {
        int lo = hex4(r->s + r->i + 2);
        if (lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            r->i += 6;
        }
    }
    put_utf8(out, o, (unsigned)cp);
    return true;
}

static char *
read_string(struct reader *r)
{
    r->i++; /* the opening quote */
    char *out = malloc(r->n - r->i + 4);
    size_t o = 0;
    while (out && r->i < r->n && r->s[r->i] != '"') {
        unsigned char c = (unsigned char)r->s[r->i];
        if (c < 0x20 || (c == '\\' && !read_escape(r, out, &o))) {
            free(out);
            bad(r, c < 0x20 ? "control character in a string" : "bad escape in a string");
            return NULL;
        }
        if (c != '\\') {
            out[o++] = (char)c;
            r->i++;
        }
    }
    if (out && r->i >= r->n) {
        free(out);
        bad(r, "unterminated string");
        return NULL;
    }
    r->i++;
    if (out)
        out[o] = '\0';
    return out;
}

static json_t *read_value(struct reader *r, int depth);

static json_t *
read_number(struct reader *r)
{
    size_t start = r->i;
    if (r->s[r->i] == '-')
        r->i++;
    size_t digits = r->i;
    while (r->i < r->n && isdigit((unsigned char)r->s[r->i]))
        r->i++;
    if (r->i == digits || (r->s[digits] == '0' && r->i - digits > 1)) {
        r->i = start;
        return bad(r, "bad number");
    }
    if (r->i < r->n && r->s[r->i] == '.') {
        size_t frac = ++r->i;
        while (r->i < r->n && isdigit((unsigned char)r->s[r->i]))
            r->i++;
        if (r->i == frac)
            return bad(r, "bad number");
    }
    if (r->i < r->n && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) {
        r->i++;
        if (r->i < r->n && (r->s[r->i] == '+' || r->s[r->i] == '-'))
            r->i++;
        size_t exp = r->i;
        while (r->i < r->n && isdigit((unsigned char)r->s[r->i]))
            r->i++;
        if (r->i == exp)
            return bad(r, "bad number");
    }
    json_t *text = json_stringn(r->s + start, r->i - start);
    return json_pack("{s:o}", "N", text);
}

static json_t *
read_container(struct reader *r, int depth, bool object)
{
    json_t *c = object ? json_object() : json_array();
    r->i++;
    skip(r);
    if (r->i < r->n && r->s[r->i] == (object ? '}' : ']')) {
        r->i++;
        return c;
    }
    for (;;) {
        char *name = NULL;
        skip(r);
        if (object) {
            if (r->i >= r->n || r->s[r->i] != '"' || !(name = read_string(r)))
                goto fail;
            skip(r);
            if (r->i >= r->n || r->s[r->i] != ':') {
                free(name);
                goto fail;
            }
            r->i++;
        }
        json_t *v = read_value(r, depth + 1);
        if (!v) {
            free(name);
            goto fail;
        }
        if (object)
            json_object_set_new(c, name, v);
        else
            json_array_append_new(c, v);
        free(name);
        skip(r);
        if (r->i < r->n && r->s[r->i] == ',') {
            r->i++;
            continue;
        }
        if (r->i < r->n && r->s[r->i] == (object ? '}' : ']')) {
            r->i++;
            return c;
        }
        goto fail;
    }
fail:
    json_decref(c);
    return bad(r, object ? "expected a member of an object" : "expected an array element");
}

static bool
word(struct reader *r, const char *w)
{
    size_t len = strlen(w);
    if (r->n - r->i < len || strncmp(r->s + r->i, w, len) != 0)
        return false;
    r->i += len;
    return true;
}

static json_t *
read_value(struct reader *r, int depth)
{
    if (depth > MAX_DEPTH)
        return bad(r, "nesting too deep");
    skip(r);
    if (r->i >= r->n)
        return bad(r, "unexpected end of line");
    char c = r->s[r->i];
    if (c == '{' || c == '[') {
        json_t *inner = read_container(r, depth, c == '{');
        return inner ? json_pack("{s:o}", c == '{' ? "M" : "L", inner) : NULL;
    }
    if (c == '"') {
        char *s = read_string(r);
        json_t *v = s ? json_pack("{s:s}", "S", s) : NULL;
        free(s);
        return v;
    }
    if (c == '-' || isdigit((unsigned char)c))
        return read_number(r);
    if (word(r, "true") || word(r, "false"))
        return json_pack("{s:b}", "BOOL", r->s[r->i - 1] == 'e' && r->s[r->i - 2] == 'u');
    if (word(r, "null"))
        return json_pack("{s:b}", "NULL", 1);
    return bad(r, "expected a JSON value");
}

json_t *
plain_parse_item(const char *text, size_t len, char **err)
{
    struct reader r = {text, 0, len, NULL};
    *err = NULL;
    skip(&r);
    json_t *v = NULL;
    if (r.i < r.n && r.s[r.i] == '{')
        v = read_container(&r, 1, true);
    else
        bad(&r, "expected a JSON object");
    skip(&r);
    if (v && r.i < r.n) {
        json_decref(v);
        v = bad(&r, "unexpected text after the object");
    }
    if (!v)
        *err = r.err ? r.err : strdup("out of memory");
    return v;
}
