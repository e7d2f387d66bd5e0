/*
 * cli_json.c -- Python's json.dumps layout, written from Jansson values.
 *
 * Members keep the order of the Jansson object, which is insertion order:
 * the order the response shape gives them (cli_print.c arranges it).
 */
#include "cli_json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Decode one UTF-8 sequence at @p s (at most @p n bytes); returns its length. */
static size_t
utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
    if (len > n)
        len = 1;
    *cp = len == 1 ? s[0] : s[0] & (0x3F >> (len - 1));
    for (size_t i = 1; i < len; i++)
        *cp = (*cp << 6) | (s[i] & 0x3F);
    return len;
}

static void
write_string(FILE *f, const char *s, size_t n, bool ascii)
{
    fputc('"', f);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = c == '"'    ? "\\\""
                          : c == '\\' ? "\\\\"
                          : c == '\n' ? "\\n"
                          : c == '\r' ? "\\r"
                          : c == '\t' ? "\\t"
                          : c == '\b' ? "\\b"
                          : c == '\f' ? "\\f"
                                      : NULL;
        if (esc) {
            fputs(esc, f);
            i++;
        } else if (c < 0x20 || (ascii && c == 0x7F)) {
            fprintf(f, "\\u%04x", c);
            i++;
        } else if (ascii && c >= 0x80) {
            unsigned cp;
            i += utf8_decode((const unsigned char *)s + i, n - i, &cp);
            if (cp >= 0x10000) {
                cp -= 0x10000;
                fprintf(f, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
            } else {
                fprintf(f, "\\u%04x", cp);
            }
        } else {
            fputc(c, f);
            i++;
        }
    }
    fputc('"', f);
}

/* Shortest digits that read back as @p d, and the decimal exponent. */
static void
shortest_digits(double d, char *digits, int *exp10)
{
    char buf[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    size_t o = 0;
    char *p = buf;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[o++] = *p;
    while (o > 1 && digits[o - 1] == '0')
        o--;
    digits[o] = '\0';
    *exp10 = atoi(p + 1);
}

void
cli_py_float(double d, char *buf)
{
    if (isnan(d) || isinf(d)) {
        strcpy(buf, isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    char digits[24];
    int e;
    char *o = buf;
    if (signbit(d))
        *o++ = '-';
    shortest_digits(fabs(d), digits, &e);
    int n = (int)strlen(digits);
    if (e < -4 || e >= 16) {
        *o++ = digits[0];
        if (n > 1)
            o += sprintf(o, ".%s", digits + 1);
        sprintf(o, "e%c%02d", e < 0 ? '-' : '+', abs(e));
    } else if (e < 0) {
        o += sprintf(o, "0.");
        for (int i = 0; i < -e - 1; i++)
            *o++ = '0';
        strcpy(o, digits);
    } else {
        for (int i = 0; i <= e; i++)
            *o++ = i < n ? digits[i] : '0';
        *o++ = '.';
        strcpy(o, n > e + 1 ? digits + e + 1 : "0");
    }
}

static void
newline(FILE *f, int indent, int depth)
{
    fputc('\n', f);
    for (int i = 0; i < indent * depth; i++)
        fputc(' ', f);
}

static void write_value(FILE *f, const json_t *v, int indent, bool ascii, int depth);

static void
write_object(FILE *f, const json_t *v, int indent, bool ascii, int depth)
{
    if (json_object_size(v) == 0) {
        fputs("{}", f);
        return;
    }
    fputc('{', f);
    const char *key;
    json_t *child;
    bool first = true;
    json_object_foreach((json_t *)v, key, child)
    {
        if (!first)
            fputs(indent > 0 ? "," : ", ", f);
        first = false;
        if (indent > 0)
            newline(f, indent, depth + 1);
        write_string(f, key, strlen(key), ascii);
        fputs(": ", f);
        write_value(f, child, indent, ascii, depth + 1);
    }
    if (indent > 0)
        newline(f, indent, depth);
    fputc('}', f);
}

static void
write_array(FILE *f, const json_t *v, int indent, bool ascii, int depth)
{
    if (json_array_size(v) == 0) {
        fputs("[]", f);
        return;
    }
    fputc('[', f);
    for (size_t i = 0; i < json_array_size(v); i++) {
        if (i)
            fputs(indent > 0 ? "," : ", ", f);
        if (indent > 0)
            newline(f, indent, depth + 1);
        write_value(f, json_array_get(v, i), indent, ascii, depth + 1);
    }
    if (indent > 0)
        newline(f, indent, depth);
    fputc(']', f);
}

static void
write_value(FILE *f, const json_t *v, int indent, bool ascii, int depth)
{
    char num[40];
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        write_object(f, v, indent, ascii, depth);
        break;
    case JSON_ARRAY:
        write_array(f, v, indent, ascii, depth);
        break;
    case JSON_STRING:
        write_string(f, json_string_value(v), json_string_length(v), ascii);
        break;
    case JSON_INTEGER:
        fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        cli_py_float(json_real_value(v), num);
        fputs(num, f);
        break;
    case JSON_TRUE:
    case JSON_FALSE:
    case JSON_NULL:
        fputs(json_is_true(v) ? "true" : json_is_false(v) ? "false" : "null", f);
        break;
    }
}

void
cli_json_write(FILE *f, const json_t *v, int indent, bool ascii)
{
    write_value(f, v, indent, ascii, 0);
}

char *
cli_json_dumps(const json_t *v, int indent, bool ascii)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    write_value(f, v, indent, ascii, 0);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

char *
cli_py_str(const json_t *v)
{
    char buf[40];
    switch (json_typeof(v)) {
    case JSON_STRING:
        return strndup(json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return strdup(buf);
    case JSON_REAL:
        cli_py_float(json_real_value(v), buf);
        return strdup(buf);
    case JSON_TRUE:
        return strdup("True");
    case JSON_FALSE:
        return strdup("False");
    case JSON_NULL:
        return strdup("None");
    default:
        return strdup("");
    }
}
