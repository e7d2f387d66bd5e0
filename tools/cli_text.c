/*
 * cli_text.c -- the text output format, laid out as the AWS CLI lays it.
 *
 * The rules, which follow the AWS CLI's text formatter:
 *   - a structure prints its scalar members on one tab-separated line, in
 *     sorted key order, led by the upper-cased name it was reached by (if
 *     any); then each non-scalar member, sorted, with its key as the name;
 *   - a list of structures prints each element against the sorted union of
 *     the scalar keys of all elements, so columns line up ("" where an
 *     element lacks one);
 *   - a list of scalars prints one "NAME<TAB>value" line per element when
 *     it has a name, else one tab-separated line.
 */
#include "cli_text.h"
#include "cli_json.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static void format_value(FILE *f, const json_t *v, const char *name, const json_t *keys);

static bool
is_scalar(const json_t *v)
{
    return !json_is_object(v) && !json_is_array(v);
}

static void
put_name(FILE *f, const char *name)
{
    for (const char *p = name; *p; p++)
        fputc(toupper((unsigned char)*p), f);
}

static void
put_scalar(FILE *f, const json_t *v)
{
    char *s = cli_py_str(v);
    if (s)
        fputs(s, f);
    free(s);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

/* Sorted array of the keys of @p obj (or of all objects in array @p list). */
static json_t *
sorted_keys(const json_t *obj, const json_t *list, bool scalars_only)
{
    json_t *seen = json_object();
    for (size_t i = 0; list ? i < json_array_size(list) : i < 1; i++) {
        const json_t *o = list ? json_array_get(list, i) : obj;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)o, k, v)
        {
            if (!scalars_only || is_scalar(v))
                json_object_set(seen, k, json_null());
        }
    }
    json_t *keys = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(seen, k, v) json_array_append_new(keys, json_string(k));
    json_decref(seen);
    size_t n = json_array_size(keys);
    json_t **items = malloc((n ? n : 1) * sizeof *items);
    for (size_t i = 0; items && i < n; i++)
        items[i] = json_array_get(keys, i);
    if (items)
        qsort(items, n, sizeof *items, cmp_str);
    json_t *sorted = json_array();
    for (size_t i = 0; items && i < n; i++)
        json_array_append(sorted, items[i]);
    free(items);
    json_decref(keys);
    return sorted;
}

static void
format_object(FILE *f, const json_t *obj, const char *name, const json_t *scalar_keys)
{
    json_t *all = sorted_keys(obj, NULL, false);
    bool wrote = false;
    size_t i;
    json_t *k;
    /* The scalar line. */
    json_array_foreach(scalar_keys ? scalar_keys : all, i, k)
    {
        json_t *v = json_object_get(obj, json_string_value(k));
        if (!scalar_keys && !is_scalar(v))
            continue;
        if (!wrote && name) {
            put_name(f, name);
            fputc('\t', f);
        } else if (wrote) {
            fputc('\t', f);
        }
        if (v && is_scalar(v))
            put_scalar(f, v);
        wrote = true;
    }
    if (wrote)
        fputc('\n', f);
    /* Then the rest, by key. */
    json_array_foreach(all, i, k)
    {
        const char *key = json_string_value(k);
        json_t *v = json_object_get(obj, key);
        bool in_keys = false;
        size_t j;
        json_t *sk;
        json_array_foreach(scalar_keys, j, sk) in_keys |= strcmp(json_string_value(sk), key) == 0;
        if (scalar_keys ? !in_keys : !is_scalar(v))
            format_value(f, v, key, NULL);
    }
    json_decref(all);
}

static void
format_scalars(FILE *f, const json_t *list, const char *name, bool only_scalars)
{
    size_t i;
    json_t *v;
    bool first = true;
    json_array_foreach(list, i, v)
    {
        if (only_scalars && !is_scalar(v))
            continue;
        if (name) {
            put_name(f, name);
            fputc('\t', f);
            put_scalar(f, v);
            fputc('\n', f);
        } else {
            if (!first)
                fputc('\t', f);
            put_scalar(f, v);
        }
        first = false;
    }
    if (!name && !first)
        fputc('\n', f);
}

static void
format_list(FILE *f, const json_t *list, const char *name)
{
    bool has_object = false, has_list = false;
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        has_object |= json_is_object(v);
        has_list |= json_is_array(v);
    }
    if (json_array_size(list) == 0)
        return;
    if (has_object) {
        json_t *keys = sorted_keys(NULL, list, true);
        json_array_foreach(list, i, v) format_value(f, v, name, keys);
        json_decref(keys);
    } else if (has_list) {
        format_scalars(f, list, name, true);
        json_array_foreach(list, i, v)
        {
            if (!is_scalar(v))
                format_value(f, v, name, NULL);
        }
    } else {
        format_scalars(f, list, name, false);
    }
}

static void
format_value(FILE *f, const json_t *v, const char *name, const json_t *keys)
{
    if (json_is_object(v))
        format_object(f, v, name, keys);
    else if (json_is_array(v))
        format_list(f, v, name);
    else {
        put_scalar(f, v);
        fputc('\n', f);
    }
}

void
cli_text_write(FILE *f, const json_t *v)
{
    format_value(f, v, NULL, NULL);
}
