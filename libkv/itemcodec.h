/*
 * itemcodec.h -- the binary format of a stored item.
 *
 * Items are stored as compact, versioned bytes and decoded with every read
 * bounds-checked: a damaged record yields KV_CORRUPT, never a crash or a
 * read outside the record.  The format is described byte by byte in
 * itemcodec.c; it is on disk and therefore frozen (new versions may be
 * added, old ones must stay readable).
 *
 * The header records the item's DynamoDB size, so Query and Scan can count
 * capacity and the 1 MB page limit without decoding items.  Every string
 * and name is stored followed by a NUL, so a decoder can point values at
 * the stored bytes instead of copying them.
 */
#ifndef KV_ITEMCODEC_H
#define KV_ITEMCODEC_H

#include "kv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct buf;
struct kv_err;
struct kv_value;

#define ITEMCODEC_VERSION 1

/*
 * Append the encoding of item (an M) to out.  Numbers are written in
 * canonical form.  The caller has checked the item (value_check); an
 * unparsable number still fails with a ValidationException.  KV_MISUSE for
 * what no check would pass: not an M, an unset value, a set element of the
 * wrong type, values deeper than VALUE_MAX_DEPTH + 1 (an attribute's value
 * is depth 1).  KV_NOMEM when out cannot grow.  On failure out keeps its
 * previous length.
 */
kv_status itemcodec_encode(const struct kv_value *item, struct buf *out, struct kv_err *err);

/*
 * Decode bytes into *out (an M), allocating in a.  With borrow, strings and
 * names point into p, which must then outlive *out (within one LMDB read,
 * for example); without, everything is copied.  Depth is bounded by
 * VALUE_MAX_DEPTH + 1.  Returns KV_CORRUPT (with the location recorded) on
 * any malformation, KV_NOMEM if the arena cannot grow; on failure *out is
 * an empty M.  Any byte string is safe to decode.
 */
kv_status itemcodec_decode(const uint8_t *p, size_t n, struct arena *a, bool borrow,
                           struct kv_value *out, struct kv_err *err);

/*
 * itemcodec_decode that also gives the item's DynamoDB size, the one its
 * header records (which decoding checks), so that a reader that decodes
 * need not read the header twice.  Without borrow, the copy of the record
 * and the item's top-level members share one allocation.  *size is 0 on
 * failure.
 */
kv_status itemcodec_decode_sized(const uint8_t *p, size_t n, struct arena *a, bool borrow,
                                 struct kv_value *out, size_t *size, struct kv_err *err);

/* The DynamoDB size recorded in the header, without decoding the item. */
kv_status itemcodec_size(const uint8_t *p, size_t n, size_t *size, struct kv_err *err);

#endif
