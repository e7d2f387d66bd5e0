/*
 * cli_table.c -- the table output format, built and drawn as the AWS CLI
 * draws it.
 *
 * Building walks the response: a structure's scalar members become a
 * header row (sorted names) and one value row, or a single "name | value"
 * row when there is only one; a list of structures becomes a header row
 * and one row per element, each element's nested members in their own
 * sections one level deeper.
 *
 * Drawing makes every section as wide as the widest one.  Column widths
 * are the widest cell plus four, scaled to the section's width with
 * round-half-even (Python's round), the remainder given or taken one
 * column at a time from the left (or from the right when growing).
 * Headers are centred, cells left-aligned after two spaces.
 */
#include "cli_table.h"
#include "cli_json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

struct section {
    char *title;
    char **headers;
    size_t n_headers;
    char ***rows; /* each row has n_cols cells */
    size_t n_rows;
    size_t n_cols;
    bool has_cols;
    size_t *max_widths;
    int indent;
};

struct table {
    struct section **sections;
    size_t n;
};

size_t
cli_text_width(const char *s)
{
    size_t w = 0;
    mbstate_t ps;
    memset(&ps, 0, sizeof ps);
    while (*s) {
        if ((unsigned char)*s < 0x80) {
            w++;
            s++;
            continue;
        }
        wchar_t wc;
        size_t len = mbrtowc(&wc, s, MB_CUR_MAX, &ps);
        if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
            /* Not decodable in this locale: count one per character. */
            memset(&ps, 0, sizeof ps);
            s++;
            while ((*s & 0xC0) == 0x80)
                s++;
            w++;
            continue;
        }
        int cw = wcwidth(wc);
        w += cw == 2 ? 2 : 1;
        s += len;
    }
    return w;
}

static struct section *
new_section(struct table *t, const char *title, int indent)
{
    struct section *s = calloc(1, sizeof *s);
    struct section **grown = realloc(t->sections, (t->n + 1) * sizeof *grown);
    if (!s || !grown) {
        free(s);
        if (grown)
            t->sections = grown;
        return NULL;
    }
    t->sections = grown;
    s->title = strdup(title ? title : "");
    s->indent = indent;
    t->sections[t->n++] = s;
    return s;
}

static void
update_widths(struct section *s, char **cells, size_t n)
{
    if (!s->max_widths) {
        s->max_widths = calloc(n ? n : 1, sizeof *s->max_widths);
        if (!s->max_widths)
            return;
    }
    for (size_t i = 0; i < n; i++) {
        size_t w = cli_text_width(cells[i]);
        if (w > s->max_widths[i])
            s->max_widths[i] = w;
    }
}

static void
set_headers(struct section *s, json_t *names)
{
    size_t n = json_array_size(names);
    s->headers = calloc(n ? n : 1, sizeof *s->headers);
    for (size_t i = 0; s->headers && i < n; i++)
        s->headers[i] = strdup(json_string_value(json_array_get(names, i)));
    s->n_headers = n;
    if (!s->has_cols) {
        s->n_cols = n;
        s->has_cols = true;
    }
    update_widths(s, s->headers, n);
}

/* Add a row of scalars (converted with Python's str()); @p cells is a JSON array. */
static void
add_row(struct section *s, const json_t *cells)
{
    size_t n = json_array_size(cells);
    if (!s->has_cols) {
        s->n_cols = n;
        s->has_cols = true;
    }
    if (n != s->n_cols)
        return;
    char **row = calloc(n ? n : 1, sizeof *row);
    char ***grown = realloc(s->rows, (s->n_rows + 1) * sizeof *grown);
    if (!row || !grown) {
        free(row);
        if (grown)
            s->rows = grown;
        return;
    }
    s->rows = grown;
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(cells, i);
        row[i] = json_is_object(v) || json_is_array(v) ? strdup("") : cli_py_str(v);
    }
    s->rows[s->n_rows++] = row;
    update_widths(s, row, n);
}

static void
free_section(struct section *s)
{
    for (size_t i = 0; i < s->n_headers; i++)
        free(s->headers[i]);
    free(s->headers);
    for (size_t r = 0; r < s->n_rows; r++) {
        for (size_t i = 0; i < s->n_cols; i++)
            free(s->rows[r][i]);
        free(s->rows[r]);
    }
    free(s->rows);
    free(s->max_widths);
    free(s->title);
    free(s);
}

static bool
is_scalar(const json_t *v)
{
    return !json_is_object(v) && !json_is_array(v);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted names of the scalar (or non-scalar) members of one or many objects. */
static json_t *
group_keys(const json_t *list, bool scalars)
{
    json_t *seen = json_object();
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *k;
        json_t *v;
        json_object_foreach(json_array_get(list, i), k, v)
        {
            if (is_scalar(v) == scalars)
                json_object_set(seen, k, json_null());
        }
    }
    size_t n = json_object_size(seen), i = 0;
    const char **names = malloc((n ? n : 1) * sizeof *names);
    const char *k;
    json_t *v;
    json_object_foreach(seen, k, v) if (names) names[i++] = k;
    if (names)
        qsort(names, n, sizeof *names, cmp_str);
    json_t *out = json_array();
    for (i = 0; names && i < n; i++)
        json_array_append_new(out, json_string(names[i]));
    free(names);
    json_decref(seen);
    return out;
}

static bool build(struct table *t, const char *title, const json_t *v, int indent);

static bool
all_scalars(const json_t *list)
{
    size_t i;
    json_t *el;
    json_array_foreach(list, i, el)
    {
        if (!is_scalar(el))
            return false;
    }
    return true;
}

static void
build_from_object(struct table *t, const json_t *obj, int indent)
{
    json_t *one = json_pack("[O]", obj);
    json_t *headers = group_keys(one, true), *more = group_keys(one, false);
    struct section *s = t->sections[t->n - 1];
    size_t i;
    json_t *h;
    json_t *row = json_array();
    if (json_array_size(headers) == 1) {
        json_array_append(row, json_array_get(headers, 0));
        json_array_append(row, json_object_get(obj, json_string_value(json_array_get(headers, 0))));
        add_row(s, row);
    } else if (json_array_size(headers) > 1) {
        set_headers(s, headers);
        json_array_foreach(headers, i, h)
            json_array_append(row, json_object_get(obj, json_string_value(h)));
        add_row(s, row);
    }
    json_array_foreach(more, i, h)
    {
        const char *key = json_string_value(h);
        build(t, key, json_object_get(obj, key), indent + 1);
    }
    json_decref(row);
    json_decref(headers);
    json_decref(more);
    json_decref(one);
}

static void
build_from_list(struct table *t, const json_t *list, int indent, const char *title)
{
    json_t *headers = group_keys(list, true), *more = group_keys(list, false);
    set_headers(t->sections[t->n - 1], headers);
    size_t i, j;
    json_t *el, *h;
    json_array_foreach(list, i, el)
    {
        if (i > 0 && json_array_size(more) > 0) {
            new_section(t, title, indent);
            set_headers(t->sections[t->n - 1], headers);
        }
        json_t *row = json_array();
        json_array_foreach(headers, j, h)
        {
            json_t *v = json_object_get(el, json_string_value(h));
            json_array_append_new(row, v ? json_incref(v) : json_string(""));
        }
        add_row(t->sections[t->n - 1], row);
        json_decref(row);
        json_array_foreach(more, j, h)
        {
            json_t *v = json_object_get(el, json_string_value(h));
            if (v)
                build(t, json_string_value(h), v, indent + 1);
        }
    }
    json_decref(headers);
    json_decref(more);
}

static bool
is_empty(const json_t *v)
{
    return !v || json_is_null(v) || json_is_false(v) ||
           (json_is_object(v) && json_object_size(v) == 0) ||
           (json_is_array(v) && json_array_size(v) == 0) ||
           (json_is_string(v) && json_string_length(v) == 0) ||
           (json_is_integer(v) && json_integer_value(v) == 0) ||
           (json_is_real(v) && json_real_value(v) == 0.0);
}

/* Python's truth test decides what is drawn: empty values are skipped. */
static bool
build(struct table *t, const char *title, const json_t *v, int indent)
{
    if (is_empty(v))
        return false;
    if (title && !new_section(t, title, indent))
        return false;
    if (!t->n)
        return false;
    if (json_is_array(v)) {
        if (json_is_object(json_array_get(v, 0))) {
            build_from_list(t, v, indent, title);
        } else {
            size_t i;
            json_t *el;
            json_array_foreach(v, i, el)
            {
                if (is_scalar(el)) {
                    json_t *row = json_pack("[O]", el);
                    add_row(t->sections[t->n - 1], row);
                    json_decref(row);
                } else if (json_is_array(el) && all_scalars(el)) {
                    add_row(t->sections[t->n - 1], el);
                } else {
                    build(t, NULL, el, 0);
                }
            }
        }
    }
    if (json_is_object(v))
        build_from_object(t, v, indent);
    return true;
}

/* Column widths scaled to @p max_width (or unscaled when it is 0). */
static size_t *
column_widths(const struct section *s, size_t padding, size_t max_width)
{
    size_t n = s->max_widths ? s->n_cols : 0;
    if (!n)
        return NULL;
    long *w = calloc(n, sizeof *w);
    size_t *out = calloc(n, sizeof *out);
    if (!w || !out) {
        free(w);
        free(out);
        return NULL;
    }
    long sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += w[i] = (long)(s->max_widths[i] + padding);
    if (max_width) {
        double scale = (double)max_width / (double)sum;
        long total = 0;
        for (size_t i = 0; i < n; i++)
            total += w[i] = (long)nearbyint(scale * (double)w[i]);
        long off = total - (long)max_width;
        while (off != 0) {
            for (size_t k = 0; k < n && off != 0; k++) {
                size_t i = off < 0 ? n - 1 - k : k;
                w[i] += off > 0 ? -1 : 1;
                off += off > 0 ? -1 : 1;
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        out[i] = (size_t)(w[i] < 0 ? 0 : w[i]);
    free(w);
    return out;
}

static size_t
total_width(const struct section *s)
{
    size_t *w = column_widths(s, 0, 0);
    size_t total = 2 + 2 * (size_t)s->indent;
    for (size_t i = 0; w && i < s->n_cols; i++)
        total += w[i] + 4;
    free(w);
    size_t title = cli_text_width(s->title) + 2 + 2 * (size_t)s->indent;
    return title > total ? title : total;
}

static void
spaces(FILE *f, long n)
{
    for (long i = 0; i < n; i++)
        fputc(' ', f);
}

static void
center(FILE *f, const char *text, long length, const char *left, const char *right)
{
    long tl = (long)cli_text_width(text);
    long start = length / 2 - tl / 2 - 1;
    fputs(left, f);
    spaces(f, start);
    fputs(text, f);
    spaces(f, length - (long)strlen(right) - ((long)strlen(left) + start + tl));
    fputs(right, f);
}

static void
align_left(FILE *f, const char *text, long length, const char *left, bool color)
{
    long tl = (long)cli_text_width(text);
    long pad = length - (tl + 2 + (long)strlen(left) + 1) >= 0 ? 2 : 0;
    fputs(left, f);
    spaces(f, pad);
    fprintf(f, color ? "\x1b[1m\x1b[34m%s\x1b[0m" : "%s", text);
    spaces(f, length - (long)strlen(left) - pad - tl - 1);
    fputc('|', f);
}

struct out {
    FILE *f;
    int indent;
    bool color;
};

static void
indent_chars(const struct out *o)
{
    for (int i = 0; i < o->indent; i++)
        fputs(o->color ? "\x1b[2m\x1b[33m|\x1b[0m" : "|", o->f);
}

static void
line_break(const struct out *o, const size_t *w, size_t n)
{
    indent_chars(o);
    for (size_t i = 0; i < n; i++) {
        if (i == 0)
            fputc('+', o->f);
        for (size_t k = 0; k < w[i] - (i == 0 ? 2 : 1); k++)
            fputc('-', o->f);
        fputc('+', o->f);
    }
    indent_chars(o);
    fputc('\n', o->f);
}

static void
render_section(const struct out *o, const struct section *s, long max_width)
{
    max_width -= 2L * s->indent;
    if (*s->title) {
        indent_chars(o);
        center(o->f, s->title, max_width, "|", "|");
        indent_chars(o);
        fputc('\n', o->f);
        if (!s->n_headers && !s->n_rows) {
            indent_chars(o);
            fputc('+', o->f);
            for (long i = 0; i < max_width - 2; i++)
                fputc('-', o->f);
            fputc('+', o->f);
            indent_chars(o);
            fputc('\n', o->f);
        }
    }
    size_t *w = column_widths(s, 4, (size_t)max_width);
    if (s->n_headers && w) {
        line_break(o, w, s->n_cols);
        indent_chars(o);
        for (size_t i = 0; i < s->n_cols; i++)
            center(o->f, s->headers[i], (long)w[i], i == 0 ? "|" : "", "|");
        indent_chars(o);
        fputc('\n', o->f);
    }
    if (s->n_rows && w) {
        line_break(o, w, s->n_cols);
        for (size_t r = 0; r < s->n_rows; r++) {
            indent_chars(o);
            for (size_t i = 0; i < s->n_cols; i++)
                align_left(o->f, s->rows[r][i], (long)w[i], i == 0 ? "|" : "", o->color);
            indent_chars(o);
            fputc('\n', o->f);
        }
        line_break(o, w, s->n_cols);
    }
    free(w);
}

/* A one-row section with headers becomes a "header | value" list. */
static void
make_vertical(struct table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        struct section *s = t->sections[i];
        if (s->n_rows != 1 || !s->n_headers)
            continue;
        struct table tmp = {0};
        struct section *v = new_section(&tmp, s->title, s->indent);
        for (size_t c = 0; v && c < s->n_cols; c++) {
            json_t *row = json_pack("[ss]", s->headers[c], s->rows[0][c]);
            add_row(v, row);
            json_decref(row);
        }
        if (v) {
            free_section(s);
            t->sections[i] = v;
        }
        free(tmp.sections);
    }
}

static long
max_width_of(const struct table *t)
{
    long m = 0;
    for (size_t i = 0; i < t->n; i++) {
        long w = (long)total_width(t->sections[i]);
        if (w > m)
            m = w;
    }
    return m;
}

void
cli_table_write(FILE *f, const char *title, const json_t *v, const struct table_style *st)
{
    struct table t = {0};
    if (build(&t, title, v, 0) && t.n) {
        long width = max_width_of(&t);
        if (width > st->terminal_width) {
            make_vertical(&t);
            width = max_width_of(&t);
        }
        for (long i = 0; i < width; i++)
            fputc('-', f);
        fputc('\n', f);
        for (size_t i = 0; i < t.n; i++) {
            struct out o = {f, t.sections[i]->indent, st->color};
            render_section(&o, t.sections[i], width);
        }
    }
    for (size_t i = 0; i < t.n; i++)
        free_section(t.sections[i]);
    free(t.sections);
}
