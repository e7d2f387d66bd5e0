/*
 * buf.h -- a growable byte writer and a bounds-checked byte reader.
 *
 * The writer is what encoders (keys, items, catalog records) append to; its
 * first failure sticks, so an encoder can append freely and check once at
 * the end.  The reader is what decoders read stored bytes with: every read
 * checks the remaining length first, and a short or malformed record makes
 * the reader fail rather than read past the end.
 */
#ifndef KV_BUF_H
#define KV_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    int failed; /* an allocation failed; contents are incomplete */
};

void buf_init(struct buf *b);
void buf_release(struct buf *b);
void buf_reset(struct buf *b); /* len = 0, keeps memory, clears failed */
int buf_reserve(struct buf *b, size_t extra);
void buf_put(struct buf *b, const void *p, size_t n);
void buf_put_u8(struct buf *b, uint8_t v);
void buf_put_be64(struct buf *b, uint64_t v);
/* LEB128 unsigned varint: 7 bits a byte, low bits first, at most 10 bytes. */
void buf_put_varint(struct buf *b, uint64_t v);
/* Take the bytes: the caller frees them with mem_free; b becomes empty. */
uint8_t *buf_take(struct buf *b, size_t *len);

struct reader {
    const uint8_t *p;
    const uint8_t *end;
    int failed;
};

void reader_init(struct reader *r, const void *p, size_t n);
size_t reader_left(const struct reader *r);
int reader_u8(struct reader *r, uint8_t *v);
int reader_be64(struct reader *r, uint64_t *v);
int reader_varint(struct reader *r, uint64_t *v);
/* Point *p at the next n bytes without copying. */
int reader_bytes(struct reader *r, size_t n, const uint8_t **p);

#endif
