/*
 * rangecur.h -- reading the entries of one partition in DynamoDB's order.
 *
 * Within a partition, stored keys are in sort-key order (keycodec.h),
 * except among keys whose sort part was truncated and whose stored
 * prefixes are equal: those form a "group" ordered by digest.  A range
 * cursor hides that: it walks the partition forward or backward and, on
 * meeting a group, reads the whole group, sorts it by the true sort-key
 * encoding (taken from each entry's stored item) and hands the entries out
 * in that order.  Groups only arise for sort keys whose encodings share
 * hundreds of leading bytes, so the cost is paid by that case alone.
 *
 * The cursor knows nothing of key conditions: it positions at a seek key
 * and walks; callers test each entry's real sort key and decide where to
 * start and stop.  Seeking never lands past an entry the caller could
 * want (see keycodec_sort_seek), and never in the middle of a group.
 *
 * Entries point into the LMDB map and are valid until the transaction
 * ends; this is for read transactions.
 */
#ifndef KV_RANGECUR_H
#define KV_RANGECUR_H

#include "kv.h"

#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct txn;

struct rc_entry {
    MDB_val key;
    MDB_val val;
    const uint8_t *order; /* true sort encoding (groups only) */
    size_t order_len;
};

struct rangecur {
    struct txn *t;
    MDB_cursor *c;
    struct arena *a;
    const uint8_t *prefix; /* every key of the partition starts with it */
    size_t prefix_len;
    bool forward;
    bool index;            /* keys end with an index entry's base digest */
    const char *sort_attr; /* attribute whose value orders a group */
    bool valid;            /* the LMDB cursor sits on an unread entry */
    MDB_val key, val;      /* that entry */
    struct rc_entry single;
    struct rc_entry *group;
    size_t n_group, cap_group, pos;
};

kv_status rangecur_open(struct rangecur *rc, struct txn *t, MDB_dbi dbi, struct arena *a,
                        const uint8_t *prefix, size_t prefix_len, bool forward, bool index,
                        const char *sort_attr);
void rangecur_close(struct rangecur *rc);

/*
 * Position for a forward walk at the first entry whose key is >= seek, or
 * for a backward walk at the last entry whose key is <= seek.  A seek
 * shorter than the prefix is the partition's start (forward) or end
 * (backward).
 */
kv_status rangecur_seek(struct rangecur *rc, const uint8_t *seek, size_t len);

/* The next entry in the walk's direction, or NULL in *out at the end. */
kv_status rangecur_next(struct rangecur *rc, const struct rc_entry **out);

#endif
