/*
 * buf.c -- byte writer and reader; see buf.h.
 */
#include "buf.h"
#include "mem.h"

#include <string.h>

void
buf_init(struct buf *b)
{
    memset(b, 0, sizeof *b);
}

void
buf_release(struct buf *b)
{
    mem_free(b->data);
    buf_init(b);
}

void
buf_reset(struct buf *b)
{
    b->len = 0;
    b->failed = 0;
}

int
buf_reserve(struct buf *b, size_t extra)
{
    if (b->failed)
        return -1;
    if (extra <= b->cap - b->len)
        return 0;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->failed = 1;
        return -1;
    }
    size_t ncap = b->cap ? b->cap : 64;
    while (ncap - b->len < extra)
        ncap *= 2;
    uint8_t *nd = mem_realloc(b->data, ncap);
    if (!nd) {
        b->failed = 1;
        return -1;
    }
    b->data = nd;
    b->cap = ncap;
    return 0;
}

void
buf_put(struct buf *b, const void *p, size_t n)
{
    if (n == 0 || buf_reserve(b, n))
        return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void
buf_put_u8(struct buf *b, uint8_t v)
{
    if (buf_reserve(b, 1))
        return;
    b->data[b->len++] = v;
}

void
buf_put_be64(struct buf *b, uint64_t v)
{
    uint8_t tmp[8];
    for (int i = 7; i >= 0; i--) {
        tmp[i] = (uint8_t)v;
        v >>= 8;
    }
    buf_put(b, tmp, 8);
}

void
buf_put_varint(struct buf *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        tmp[n++] = byte | (v ? 0x80 : 0);
    } while (v);
    buf_put(b, tmp, n);
}

uint8_t *
buf_take(struct buf *b, size_t *len)
{
    uint8_t *d = b->data;
    if (len)
        *len = b->len;
    buf_init(b);
    return d;
}

void
reader_init(struct reader *r, const void *p, size_t n)
{
    r->p = p;
    r->end = (const uint8_t *)p + n;
    r->failed = 0;
}

size_t
reader_left(const struct reader *r)
{
    return (size_t)(r->end - r->p);
}

int
reader_u8(struct reader *r, uint8_t *v)
{
    if (r->failed || r->p >= r->end) {
        r->failed = 1;
        return -1;
    }
    *v = *r->p++;
    return 0;
}

int
reader_be64(struct reader *r, uint64_t *v)
{
    if (r->failed || reader_left(r) < 8) {
        r->failed = 1;
        return -1;
    }
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x = (x << 8) | r->p[i];
    r->p += 8;
    *v = x;
    return 0;
}

int
reader_varint(struct reader *r, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        uint8_t byte;
        if (reader_u8(r, &byte))
            return -1;
        /* The tenth byte may carry only the top bit of a 64-bit value. */
        if (shift == 63 && byte > 1) {
            r->failed = 1;
            return -1;
        }
        x |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *v = x;
            return 0;
        }
    }
    r->failed = 1;
    return -1;
}

int
reader_bytes(struct reader *r, size_t n, const uint8_t **p)
{
    if (r->failed || reader_left(r) < n) {
        r->failed = 1;
        return -1;
    }
    *p = r->p;
    r->p += n;
    return 0;
}
