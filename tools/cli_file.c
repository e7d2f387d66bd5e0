/*
 * cli_file.c -- reading file:// and fileb:// option values.
 *
 * The whole file is read into memory: option values are requests, which
 * DynamoDB caps at a few megabytes.  Bulk data goes through kv load, which
 * streams.
 */
#include "cli_file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
read_all(FILE *f, size_t *len)
{
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                return NULL;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

char *
cli_base64(const unsigned char *data, size_t len)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc((len + 2) / 3 * 4 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)data[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)data[i + 1] << 8;
        if (i + 2 < len)
            v |= data[i + 2];
        out[o++] = digits[(v >> 18) & 63];
        out[o++] = digits[(v >> 12) & 63];
        out[o++] = i + 1 < len ? digits[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? digits[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

static int
b64_digit(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

unsigned char *
cli_base64_decode(const char *text, size_t *len)
{
    size_t n = strlen(text);
    if (n % 4)
        return NULL;
    unsigned char *out = malloc(n / 4 * 3 + 1);
    size_t o = 0;
    for (size_t i = 0; out && i < n; i += 4) {
        int d[4];
        for (int k = 0; k < 4; k++) {
            d[k] = b64_digit(text[i + k]);
            bool pad = text[i + k] == '=' && i + 4 == n && k >= 2;
            if (d[k] < 0 && !pad) {
                free(out);
                return NULL;
            }
        }
        unsigned v = (unsigned)d[0] << 18 | (unsigned)d[1] << 12;
        out[o++] = (unsigned char)(v >> 16);
        if (d[2] >= 0) {
            v |= (unsigned)d[2] << 6;
            out[o++] = (unsigned char)(v >> 8);
        }
        if (d[2] >= 0 && d[3] >= 0)
            out[o++] = (unsigned char)(v | (unsigned)d[3]);
    }
    if (out)
        out[o] = 0;
    *len = o;
    return out;
}

char *
cli_file_read(const char *arg, char **err)
{
    *err = NULL;
    int binary = strncmp(arg, "fileb://", 8) == 0;
    if (!binary && strncmp(arg, "file://", 7) != 0)
        return strdup(arg);
    const char *path = arg + (binary ? 8 : 7);
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        if (asprintf(err, "Unable to load paramfile %s: [Errno %d] %s: '%s'", arg, e, strerror(e),
                     path) < 0)
            *err = NULL;
        return NULL;
    }
    size_t len;
    char *text = read_all(f, &len);
    fclose(f);
    if (text && binary) {
        char *b64 = cli_base64((const unsigned char *)text, len);
        free(text);
        text = b64;
    }
    return text;
}
