/*
 * keycodec.h -- LMDB key bytes for items and index entries.
 *
 * LMDB orders keys by memcmp, so the encoding must make byte order equal
 * DynamoDB's order.  An item's key is
 *
 *     hash(8) | partition part | sort part
 *
 * hash       XXH3-64 of the partition key's value encoding, big-endian.
 *            Partitions are therefore in hash order, which is the order
 *            Scan returns, and a parallel-scan segment is a hash range.
 * partition  0x01 then the value encoding when that is at most
 *            KEY_PK_INLINE_MAX bytes; else 0x02 then the 16-byte XXH3-128
 *            of the value encoding.  Only uniqueness matters here: all
 *            items of one partition share this part, so they are adjacent.
 * sort       (tables with a sort key) the value encoding when it fits in
 *            what is left of KEY_MAX minus KEY_DIGEST; else its first
 *            (left - KEY_DIGEST) bytes and then the 16-byte XXH3-128 of the
 *            whole encoding ("truncated").  Because value encodings are
 *            prefix-free, an inline key is ordered correctly against a
 *            truncated one; truncated keys that share their whole prefix
 *            are ordered by digest, and readers restore their true order
 *            (see keycodec_is_truncated).
 *
 * An index entry's key is the same layout for the index's own partition
 * and sort key, followed by the 16-byte XXH3-128 of the base item's key, so
 * entries with equal index keys (allowed in DynamoDB) stay distinct.
 *
 * Value encodings (order-preserving and prefix-free):
 *
 *   S, B   each byte as is, except 0x00 written as 0x00 0xFF; then the
 *          terminator 0x00 0x01.  "a" = 61 00 01 < "a\0" = 61 00 FF 00 01
 *          < "ab" = 61 62 00 01.
 *   N      zero: 0x80.  Otherwise a sign-and-exponent byte, digit-pair
 *          bytes, and a terminator; negatives are complemented so larger
 *          magnitudes sort lower.  See keycodec.c for the byte table.
 *
 * This layout is on disk: it is frozen.  Changing it needs a new database
 * format version.
 */
#ifndef KV_KEYCODEC_H
#define KV_KEYCODEC_H

#include "kv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct kv_err;
struct kv_value;

#define KEY_MAX 511          /* LMDB's default maximum key size */
#define KEY_HASH 8
#define KEY_DIGEST 16
#define KEY_PK_INLINE_MAX 128

struct keybuf {
    uint8_t bytes[KEY_MAX];
    uint16_t len;
    uint16_t prefix_len; /* hash + partition part: the partition's prefix */
    bool truncated;      /* the sort part was cut and digested */
};

/*
 * Order-preserving, prefix-free encoding of one S, N or B value, appended
 * to out (which must hold at least len * 2 + 24 bytes: escaping doubles a
 * string of NULs).  Returns the encoded length, or 0 with err set when the
 * value is not S, N or B or a number does not parse.
 */
size_t keycodec_encode_value(const struct kv_value *v, uint8_t *out, struct kv_err *err);
/* An upper bound on keycodec_encode_value's output for v. */
size_t keycodec_value_bound(const struct kv_value *v);

/*
 * Decode one value encoding of the given type from p (n bytes) into *out,
 * allocating in a; sets *used to the bytes consumed.  Numbers come back as
 * canonical text.  -1 if malformed (only the exact bytes the encoder
 * writes are accepted) or out of memory.
 */
int keycodec_decode_value(const uint8_t *p, size_t n, int type, struct arena *a,
                          struct kv_value *out, size_t *used);

/* The hash of a partition key value (as placed in the first 8 bytes). */
kv_status keycodec_hash(const struct kv_value *pk, uint64_t *hash, struct kv_err *err);

/*
 * The key of an item, from its partition key value and sort key value (NULL
 * for tables without a sort key).
 */
kv_status keycodec_item_key(struct keybuf *out, const struct kv_value *pk,
                            const struct kv_value *sk, struct kv_err *err);

/* The key of an index entry: index key values and the base item's key. */
kv_status keycodec_index_key(struct keybuf *out, const struct kv_value *ipk,
                             const struct kv_value *isk, const struct keybuf *base,
                             struct kv_err *err);

/* Just hash and partition part: every key of the partition starts with it. */
kv_status keycodec_partition_prefix(struct keybuf *out, const struct kv_value *pk,
                                    struct kv_err *err);

/*
 * Range bounds for reading a partition in order.  out must hold the
 * partition prefix (keycodec_partition_prefix).  keycodec_sort_seek appends
 * the sort part a stored key of value v would start with: its encoding, cut
 * where a stored key would cut it, without a digest.  Every stored key of a
 * value >= v sorts at or after the result, so it is where a forward read
 * of "sort key >= v" starts.  With `open`, an S or B value's terminator is
 * left off, so every value that begins with v also sorts at or after it
 * (begins_with).  keycodec_pad_high then fills the key to KEY_MAX with 0xFF
 * bytes: every stored key of a value <= v (or beginning with v) sorts at or
 * before that, which is where a backward read starts.  index_key leaves
 * room for an index entry's base digest, as stored index keys do.
 */
kv_status keycodec_sort_seek(struct keybuf *out, const struct kv_value *v, bool index_key,
                             bool open, struct kv_err *err);
void keycodec_pad_high(struct keybuf *out);

/*
 * Length of the part of a truncated stored key that all keys of its group
 * share (everything but the sort digest and, for index keys, the base
 * digest).  Keys that share it are ordered by digest, not by value.
 */
size_t keycodec_group_len(size_t key_len, bool index_key);

/* The hash stored in the first 8 bytes of a key (0 if shorter). */
uint64_t keycodec_key_hash(const uint8_t *key, size_t len);

/*
 * Whether a stored key's sort part was truncated, given the length of its
 * partition prefix and, for index keys, that the base digest follows.  A
 * truncated key is always exactly KEY_MAX bytes and an inline one shorter.
 */
bool keycodec_is_truncated(const uint8_t *key, size_t len, size_t prefix_len, bool index_key);

/*
 * Parallel scan: the hash range of segment seg of total (1..1000000), as
 * [*lo, *hi] inclusive.  Segments are disjoint, cover all 2^64 hashes, and
 * are in ascending order; their sizes differ by at most one.  A seg not
 * below total gets an empty range (*lo > *hi).
 */
void keycodec_segment_range(uint32_t seg, uint32_t total, uint64_t *lo, uint64_t *hi);

#endif
