/*
 * b64.c -- base64 encoding and strict decoding.  Strictness matters:
 * DynamoDB rejects non-canonical base64 with a SerializationException, and
 * the caller words that message from what this reports.
 */
#include "b64.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
b64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

void
b64_encode(const void *in, size_t n, char *out)
{
    const unsigned char *p = in;
    size_t i = 0, o = 0;
    for (; i + 3 <= n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = alphabet[v & 63];
    }
    if (n - i == 1) {
        unsigned v = (unsigned)p[i] << 16;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (n - i == 2) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
}

static int
sextet(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

long
b64_decode(const char *in, size_t n, unsigned char *out, const char **why, char *bad_char)
{
    *bad_char = 0;
    if (n % 4) {
        *why = "length";
        return -1;
    }
    size_t pad = 0;
    if (n >= 1 && in[n - 1] == '=')
        pad++;
    if (n >= 2 && in[n - 2] == '=')
        pad++;
    for (size_t i = 0; i < n - pad; i++) {
        if (sextet(in[i]) < 0) {
            *why = "char";
            *bad_char = in[i];
            return -1;
        }
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int a = sextet(in[i]), b = sextet(in[i + 1]);
        int c = in[i + 2] == '=' ? 0 : sextet(in[i + 2]);
        int d = in[i + 3] == '=' ? 0 : sextet(in[i + 3]);
        unsigned v = (unsigned)a << 18 | (unsigned)b << 12 | (unsigned)c << 6 | (unsigned)d;
        out[o++] = (unsigned char)(v >> 16);
        if (i + 4 < n || pad < 2)
            out[o++] = (unsigned char)(v >> 8);
        if (i + 4 < n || pad < 1)
            out[o++] = (unsigned char)v;
    }
    /* Bits beyond the data must be zero, or the text is not canonical. */
    if ((pad == 1 && (sextet(in[n - 2]) & 3)) || (pad == 2 && (sextet(in[n - 3]) & 15))) {
        *why = "last";
        return -1;
    }
    return (long)o;
}
