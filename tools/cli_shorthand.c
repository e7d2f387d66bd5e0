/*
 * cli_shorthand.c -- the AWS CLI's shorthand syntax, parsed.
 *
 * The grammar, as the AWS CLI accepts it:
 *
 *     parameter  = keyval *("," keyval)
 *     keyval     = key "=" [values]  /  key "@=" file-value
 *     key        = *(ALPHA / DIGIT / "-" / "_" / "." / "#" / "/" / ":")
 *     values     = explicit-list / hash-literal / csv-value
 *     csv-value  = first-value *("," second-value)
 *     explicit-list = "[" [element *("," element)] "]"
 *     hash-literal  = "{" [key "=" element *("," key "=" element)] "}"
 *     element    = explicit-list / hash-literal / first-value
 *
 * A first value runs until a comma, a quote, "]" or "}"; a second value
 * (the later members of a csv list) runs until a comma or "=", which is how
 * "a=b,c,d=e" parses as {"a": ["b", "c"], "d": "e"}: on meeting "=" the
 * parser backs up to the last comma and ends the list there.  "\," is a
 * literal comma; values may be single or double quoted, with \' \" and \\
 * escapes inside; unquoted values lose trailing white space.
 *
 * Error messages and the caret under the failing position match the AWS
 * CLI's, counting characters rather than bytes.
 */
#include "cli_shorthand.h"
#include "cli_file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Quoted values are matched with backtracking at each backslash; bound it. */
#define MAX_BACKSLASH_DEPTH 1000

struct sh {
    const char *s;
    size_t i, n;
    char *err;
};

enum char_class { CLASS_START, CLASS_FIRST, CLASS_SECOND };

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Membership in the three character sets of unquoted values. */
static bool
in_class(unsigned char c, enum char_class cls)
{
    if (c >= 0x80)
        return true;
    if (c == '"' || c == '\'' || c == ',')
        return false;
    switch (cls) {
    case CLASS_START:
        return c > ' ' && c != '=' && c != '[' && c != '{';
    case CLASS_FIRST:
        return (c > ' ' || is_space((char)c)) && c != ']' && c != '}';
    case CLASS_SECOND:
        return (c > ' ' || is_space((char)c)) && c != '=';
    }
    return false;
}

static size_t
char_count(const char *s, size_t bytes)
{
    size_t n = 0;
    for (size_t i = 0; i < bytes; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

/* The input with a caret under position @p at, as the AWS CLI shows it. */
static char *
error_location(const struct sh *p, size_t at)
{
    const char *s = p->s;
    size_t line_start = 0;
    for (size_t i = 0; i < at; i++)
        if (s[i] == '\n')
            line_start = i + 1;
    size_t spaces = char_count(s + line_start, at - line_start);
    const char *nl = strchr(s + at, '\n');
    size_t consumed = nl ? (size_t)(nl - s) : p->n;
    char *out = malloc(p->n + spaces + 3);
    if (!out)
        return NULL;
    memcpy(out, s, consumed);
    size_t o = consumed;
    out[o++] = '\n';
    memset(out + o, ' ', spaces);
    o += spaces;
    out[o++] = '^';
    memcpy(out + o, s + consumed, p->n - consumed);
    out[o + p->n - consumed] = '\0';
    return out;
}

static int
syntax_error(struct sh *p, const char *expected, const char *actual)
{
    if (p->err)
        return -1;
    char *loc = error_location(p, p->i);
    if (loc && asprintf(&p->err, "Expected: '%s', received: '%s' for input:\n%s", expected, actual,
                        loc) < 0)
        p->err = NULL;
    free(loc);
    return -1;
}

static bool
at_eof(const struct sh *p)
{
    return p->i >= p->n;
}

static void
skip_space(struct sh *p)
{
    while (!at_eof(p) && is_space(p->s[p->i]))
        p->i++;
}

static int
expect(struct sh *p, char c, bool space)
{
    if (space)
        skip_space(p);
    if (at_eof(p))
        return syntax_error(p, (char[]){c, 0}, "EOF");
    if (p->s[p->i] != c) {
        char actual[8] = {0};
        size_t len = 1;
        while (len < 4 && ((unsigned char)p->s[p->i + len] & 0xC0) == 0x80)
            len++;
        memcpy(actual, p->s + p->i, len);
        return syntax_error(p, (char[]){c, 0}, actual);
    }
    p->i++;
    if (space)
        skip_space(p);
    return 0;
}

static json_t *
string_n(const char *s, size_t n)
{
    return json_stringn(s, n);
}

/* Copy an unquoted value: "\," becomes ",", trailing white space goes. */
static json_t *
unquoted(const char *s, size_t n)
{
    char *buf = malloc(n + 1);
    if (!buf)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n && s[i + 1] == ',')
            i++;
        buf[o++] = s[i];
    }
    while (o > 0 && is_space(buf[o - 1]))
        o--;
    json_t *v = string_n(buf, o);
    free(buf);
    return v;
}

/* Length of an unquoted value of class @p follow starting at p->i; 0 if none. */
static size_t
match_word(const struct sh *p, enum char_class follow)
{
    size_t i = p->i;
    for (bool first = true; i < p->n; first = false) {
        if (p->s[i] == '\\' && i + 1 < p->n && p->s[i + 1] == ',') {
            i += 2;
            continue;
        }
        if (!in_class((unsigned char)p->s[i], first ? CLASS_START : follow))
            break;
        i++;
    }
    return i - p->i;
}

/*
 * End of a quoted value whose body starts at @p i (just past the opening
 * quote), or 0 when it has none.  Inside, "\\" and "\<quote>" are pairs
 * but a backslash may also stand alone, so a failed match retries each
 * pair as a lone backslash, last pair first.
 */
static size_t
quoted_end(const struct sh *p, size_t i, char q, int depth)
{
    if (depth > MAX_BACKSLASH_DEPTH)
        return 0;
    for (; i < p->n; i++) {
        char c = p->s[i];
        if (c == q)
            return i + 1;
        if (c == '\\' && i + 1 < p->n && (p->s[i + 1] == '\\' || p->s[i + 1] == q)) {
            size_t end = quoted_end(p, i + 2, q, depth + 1);
            if (end)
                return end;
        }
    }
    return 0;
}

static json_t *
quoted_value(struct sh *p)
{
    char q = p->s[p->i];
    size_t end = quoted_end(p, p->i + 1, q, 0);
    if (!end) {
        syntax_error(p, q == '\'' ? "<singled quoted>" : "<double quoted>", "<none>");
        return NULL;
    }
    size_t start = p->i + 1, len = end - 1 - start;
    char *buf = malloc(len + 1);
    if (!buf)
        return NULL;
    /* Two passes, as the AWS CLI does them: \<quote> first, then \\. */
    size_t o = 0;
    for (size_t i = start; i < start + len; i++) {
        if (p->s[i] == '\\' && i + 1 < start + len && p->s[i + 1] == q)
            i++;
        buf[o++] = p->s[i];
    }
    size_t o2 = 0;
    for (size_t i = 0; i < o; i++) {
        if (buf[i] == '\\' && i + 1 < o && buf[i + 1] == '\\')
            i++;
        buf[o2++] = buf[i];
    }
    p->i = end;
    json_t *v = string_n(buf, o2);
    free(buf);
    return v;
}

static json_t *
first_value(struct sh *p)
{
    if (!at_eof(p) && (p->s[p->i] == '\'' || p->s[p->i] == '"'))
        return quoted_value(p);
    size_t len = match_word(p, CLASS_FIRST);
    json_t *v = unquoted(p->s + p->i, len);
    p->i += len;
    return v;
}

static json_t *
second_value(struct sh *p)
{
    if (!at_eof(p) && (p->s[p->i] == '\'' || p->s[p->i] == '"'))
        return quoted_value(p);
    size_t len = match_word(p, CLASS_SECOND);
    if (!len) {
        syntax_error(p, "<second>", "<none>");
        return NULL;
    }
    json_t *v = unquoted(p->s + p->i, len);
    p->i += len;
    return v;
}

static json_t *element(struct sh *p);

static json_t *
key(struct sh *p)
{
    size_t start = p->i;
    while (!at_eof(p)) {
        char c = p->s[p->i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("-_.#/:", c)))
            break;
        p->i++;
    }
    return string_n(p->s + start, p->i - start);
}

static json_t *
explicit_list(struct sh *p)
{
    if (expect(p, '[', true))
        return NULL;
    json_t *list = json_array();
    while (list && (at_eof(p) || p->s[p->i] != ']')) {
        json_t *v = element(p);
        if (!v || json_array_append_new(list, v))
            goto fail;
        skip_space(p);
        if ((at_eof(p) || p->s[p->i] != ']') && (expect(p, ',', false) == 0))
            skip_space(p);
        else if (p->err)
            goto fail;
    }
    if (list && expect(p, ']', false) == 0)
        return list;
fail:
    json_decref(list);
    return NULL;
}

static json_t *
hash_literal(struct sh *p)
{
    if (expect(p, '{', true))
        return NULL;
    json_t *map = json_object();
    while (map && (at_eof(p) || p->s[p->i] != '}')) {
        json_t *k = key(p), *v = NULL;
        if (!k || expect(p, '=', true) || !(v = element(p)))
            goto fail_kv;
        json_object_set_new(map, json_string_value(k), v);
        json_decref(k);
        skip_space(p);
        if ((at_eof(p) || p->s[p->i] != '}') && expect(p, ',', false) == 0)
            skip_space(p);
        else if (p->err)
            goto fail;
        continue;
    fail_kv:
        json_decref(k);
        goto fail;
    }
    if (map && expect(p, '}', false) == 0)
        return map;
fail:
    json_decref(map);
    return NULL;
}

static json_t *
element(struct sh *p)
{
    if (!at_eof(p) && p->s[p->i] == '[')
        return explicit_list(p);
    if (!at_eof(p) && p->s[p->i] == '{')
        return hash_literal(p);
    return first_value(p);
}

/* "b" or "b,c,d": a list only when a second value follows. */
static json_t *
csv_value(struct sh *p)
{
    json_t *first = first_value(p);
    if (!first)
        return NULL;
    skip_space(p);
    if (at_eof(p) || p->s[p->i] != ',')
        return first;
    expect(p, ',', true);
    json_t *list = json_array();
    json_array_append_new(list, first);
    for (;;) {
        json_t *v = second_value(p);
        if (v) {
            skip_space(p);
            if (at_eof(p)) {
                json_array_append_new(list, v);
                break;
            }
            if (expect(p, ',', true) == 0) {
                json_array_append_new(list, v);
                continue;
            }
            json_decref(v);
        }
        /* Not a list member after all: back up to the comma before it. */
        if (at_eof(p)) {
            json_decref(list);
            return NULL;
        }
        free(p->err);
        p->err = NULL;
        while (p->i > 0 && p->s[p->i] != ',')
            p->i--;
        break;
    }
    if (json_array_size(list) == 1) {
        json_t *only = json_incref(json_array_get(list, 0));
        json_decref(list);
        return only;
    }
    return list;
}

/* The value after "@=": file:// contents as text, fileb:// as base64. */
static json_t *
file_value(struct sh *p)
{
    json_t *path = first_value(p);
    if (!path)
        return NULL;
    const char *text = json_string_value(path);
    char *contents = NULL;
    char *err = NULL;
    json_t *v = NULL;
    if (strncmp(text, "file://", 7) == 0 || strncmp(text, "fileb://", 8) == 0) {
        contents = cli_file_read(text, &err);
        if (contents)
            v = json_string(contents);
        else {
            free(p->err);
            p->err = err;
            err = NULL;
        }
    } else {
        v = json_incref(path);
    }
    free(err);
    free(contents);
    json_decref(path);
    return v;
}

static json_t *
values(struct sh *p)
{
    if (at_eof(p))
        return json_string("");
    if (p->s[p->i] == '[')
        return explicit_list(p);
    if (p->s[p->i] == '{')
        return hash_literal(p);
    return csv_value(p);
}

static int
keyval(struct sh *p, json_t *params, size_t last)
{
    json_t *k = key(p), *v = NULL;
    skip_space(p);
    if (p->i + 1 < p->n && p->s[p->i] == '@' && p->s[p->i + 1] == '=') {
        p->i += 2;
        skip_space(p);
        v = file_value(p);
    } else if (expect(p, '=', true) == 0) {
        v = values(p);
    }
    if (!v) {
        json_decref(k);
        return -1;
    }
    const char *name = json_string_value(k);
    if (json_object_get(params, name)) {
        char *loc = error_location(p, last);
        if (loc && asprintf(&p->err,
                            "Second instance of key \"%s\" encountered for input:\n%s\n"
                            "This is often because there is a preceeding \",\" instead of a "
                            "space.",
                            name, loc) < 0)
            p->err = NULL;
        free(loc);
        json_decref(k);
        json_decref(v);
        return -1;
    }
    json_object_set_new(params, name, v);
    json_decref(k);
    return 0;
}

json_t *
shorthand_parse(const char *text, char **err)
{
    struct sh p = {text, 0, strlen(text), NULL};
    json_t *params = json_object();
    *err = NULL;
    size_t last = 0;
    if (keyval(&p, params, 0) == 0) {
        last = p.i;
        while (!at_eof(&p)) {
            if (expect(&p, ',', true) || keyval(&p, params, last + 1))
                break;
            last = p.i;
        }
    }
    if (p.err || !at_eof(&p)) {
        json_decref(params);
        *err = p.err ? p.err : strdup("Invalid shorthand");
        return NULL;
    }
    return params;
}

/* Replace member or element @p key of @p parent (object or array). */
static void
replace_in(json_t *parent, const char *key, size_t index, json_t *v)
{
    if (json_is_array(parent))
        json_array_set_new(parent, index, v);
    else
        json_object_set_new(parent, key, v);
}

/* Python's int() of a string: optional sign, digits, surrounding space. */
static int
scalar_convert(const struct shape *shape, json_t *v, json_t **out, char **err)
{
    const char *text = json_string_value(v);
    *out = NULL;
    if (!text)
        return 0;
    if (shape->kind == SH_INTEGER || shape->kind == SH_LONG) {
        char *end;
        errno = 0;
        long long n = strtoll(text, &end, 10);
        while (is_space(*end))
            end++;
        if (!*text || *end || errno) {
            if (asprintf(err, "invalid literal for int() with base 10: '%s'", text) < 0)
                *err = NULL;
            return -1;
        }
        *out = json_integer(n);
    } else if (shape->kind == SH_DOUBLE) {
        char *end;
        double d = strtod(text, &end);
        if (!*text || *end) {
            if (asprintf(err, "could not convert string to float: '%s'", text) < 0)
                *err = NULL;
            return -1;
        }
        *out = json_real(d);
    } else if (shape->kind == SH_BOOLEAN) {
        if (strcasecmp(text, "true") == 0)
            *out = json_true();
        else if (strcasecmp(text, "false") == 0)
            *out = json_false();
    }
    return 0;
}

static int visit(json_t *parent, const char *key, size_t index, json_t *v,
                 const struct shape *shape, char **err);

static int
visit_children(json_t *v, const struct shape *shape, char **err)
{
    if (shape->kind == SH_STRUCT && json_is_object(v)) {
        for (size_t i = 0; i < shape->n_members; i++) {
            const struct member *m = &shape->members[i];
            json_t *child = json_object_get(v, m->name);
            if (child && visit(v, m->name, 0, child, m->shape, err))
                return -1;
        }
    } else if (shape->kind == SH_LIST && json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            if (visit(v, NULL, i, json_array_get(v, i), shape->elem, err))
                return -1;
    } else if (shape->kind == SH_MAP && json_is_object(v)) {
        const char *k;
        json_t *child;
        void *tmp;
        json_object_foreach_safe(v, tmp, k, child)
        {
            if (visit(v, k, 0, child, shape->elem, err))
                return -1;
        }
    }
    return 0;
}

/*
 * One value: a single value where a list belongs becomes a one-element
 * list (and, as in the AWS CLI, is not looked into further); scalars are
 * typed; containers are walked.
 */
static int
visit(json_t *parent, const char *key, size_t index, json_t *v, const struct shape *shape,
      char **err)
{
    if (shape->kind == SH_LIST && !json_is_array(v)) {
        json_t *list = json_array();
        json_array_append(list, v);
        replace_in(parent, key, index, list);
        return 0;
    }
    if (shape->kind == SH_STRUCT || shape->kind == SH_LIST || shape->kind == SH_MAP)
        return visit_children(v, shape, err);
    if (shape->kind == SH_ANY)
        return 0;
    json_t *typed;
    if (scalar_convert(shape, v, &typed, err))
        return -1;
    if (typed)
        replace_in(parent, key, index, typed);
    return 0;
}

int
shorthand_apply_model(json_t **value, const struct shape *shape, char **err)
{
    *err = NULL;
    json_t *holder = json_array();
    json_array_append(holder, *value);
    int rc = visit(holder, NULL, 0, *value, shape, err);
    json_t *result = json_incref(json_array_get(holder, 0));
    json_decref(holder);
    json_decref(*value);
    *value = result;
    return rc;
}
