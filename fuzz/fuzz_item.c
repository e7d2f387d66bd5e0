/*
 * fuzz_item.c -- libFuzzer harness for the stored item decoder.
 *
 * Input: any bytes, decoded as a stored record, once borrowing from the
 * input and once copying.  The decoder must never crash or read outside
 * the record (the fuzzer's buffer ends exactly at the input, so AddressSan
 * sees any over-read).  It must agree with itself: both ways give the same
 * status and an equal item, and itemcodec_size the recorded size.  An item
 * that decodes must encode, its encoding must decode to an equal item with
 * the same size, and encoding that again must give the identical bytes.
 * Failures must be KV_CORRUPT (KV_NOMEM aside).  Any broken rule aborts.
 */
#include "arena.h"
#include "buf.h"
#include "err.h"
#include "itemcodec.h"
#include "value.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
same(const struct kv_value *a, const struct kv_value *b)
{
    if (a->type != b->type || a->len != b->len)
        return false;
    switch (a->type) {
    case KV_S:
    case KV_N:
    case KV_B:
        return memcmp(a->u.bytes, b->u.bytes, a->len) == 0;
    case KV_BOOL:
        return a->boolean == b->boolean;
    case KV_M:
        for (uint32_t i = 0; i < a->len; i++) {
            const struct kv_member *x = &a->u.members[i], *y = &b->u.members[i];
            if (x->name_len != y->name_len || memcmp(x->name, y->name, x->name_len) != 0 ||
                !same(&x->value, &y->value))
                return false;
        }
        return true;
    case KV_L:
    case KV_SS:
    case KV_NS:
    case KV_BS:
        for (uint32_t i = 0; i < a->len; i++)
            if (!same(&a->u.elems[i], &b->u.elems[i]))
                return false;
        return true;
    default:
        return true;
    }
}

static kv_status
decode(const uint8_t *p, size_t n, struct arena *a, bool borrow, struct kv_value *out)
{
    struct kv_err err;
    err_init(&err);
    kv_status st = itemcodec_decode(p, n, a, borrow, out, &err);
    if (st != KV_OK && st != KV_CORRUPT && st != KV_NOMEM)
        abort();
    if (st != KV_OK && (out->type != KV_M || out->len != 0))
        abort(); /* on failure, an empty M */
    err_clear(&err);
    return st;
}

static void
encode(const struct kv_value *item, struct buf *out)
{
    struct kv_err err;
    err_init(&err);
    if (itemcodec_encode(item, out, &err) != KV_OK)
        abort(); /* the decoder accepted it, so it is encodable */
    err_clear(&err);
}

static void
check_size(const uint8_t *p, size_t n, const struct kv_value *item)
{
    struct kv_err err;
    err_init(&err);
    size_t size;
    if (itemcodec_size(p, n, &size, &err) != KV_OK || size != item_size(item))
        abort();
    err_clear(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    struct arena *a = arena_new();
    if (!a)
        return 0;
    struct kv_value borrowed, copied;
    kv_status sb = decode(data, size, a, true, &borrowed);
    kv_status sc = decode(data, size, a, false, &copied);
    if (sb == KV_NOMEM || sc == KV_NOMEM)
        goto out;
    if (sb != sc)
        abort();
    if (sb != KV_OK)
        goto out;
    if (!same(&borrowed, &copied))
        abort();
    check_size(data, size, &copied);

    struct buf b1, b2;
    buf_init(&b1);
    buf_init(&b2);
    encode(&copied, &b1);
    struct kv_value again;
    if (decode(b1.data, b1.len, a, false, &again) != KV_OK || !same(&again, &copied))
        abort();
    check_size(b1.data, b1.len, &again);
    encode(&again, &b2);
    if (b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0)
        abort();
    buf_release(&b1);
    buf_release(&b2);
out:
    arena_free(a);
    return 0;
}
