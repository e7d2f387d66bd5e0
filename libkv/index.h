/*
 * index.h -- secondary indexes, kept inside the caller's write transaction.
 *
 * Every index (global or local) has an LMDB database of its own.  An item
 * that carries all of an index's key attributes has one entry there; an
 * item that lacks one has none (a sparse index).  An entry's key is the
 * index key followed by a digest of the item's table key (keycodec.h), so
 * items may share index key values; its value is the item projected on
 * the index (the table's and the index's key attributes, and the
 * projected attributes: all, the INCLUDE list, or none), stored in the
 * item format.
 *
 * Because entries change in the same LMDB transaction as their item, an
 * index can never disagree with its table, even after a crash: stronger
 * than DynamoDB's eventually consistent global indexes.
 */
#ifndef KV_INDEX_H
#define KV_INDEX_H

#include "capacity.h"
#include "kv.h"

#include <stdbool.h>

struct arena;
struct index_def;
struct keybuf;
struct kv_err;
struct kv_value;
struct table_def;
struct txn;

/*
 * Check the index key attributes an item carries before it is written:
 * their types, then that none is empty, then their sizes, index by index
 * in name order (the first offending index by name is the one DynamoDB
 * names).  For an update, only values that differ from `before` (the item
 * as stored, NULL if absent) are checked, and an empty one gets
 * UpdateItem's wording.
 */
kv_status index_check_item(const struct table_def *def, const struct kv_value *item, bool update,
                           const struct kv_value *before, struct kv_err *err);

/*
 * The same checks in two halves, for transactions, where DynamoDB reports
 * them differently: a value of the wrong type cancels the transaction with
 * a ValidationError reason, while an empty or oversized value of the right
 * type is rejected for the whole request.  INDEX_CHECK_VALUES looks only
 * at values of the declared type.
 */
enum index_check {
    INDEX_CHECK_TYPES = 1,
    INDEX_CHECK_VALUES = 2,
};
kv_status index_check(const struct table_def *def, const struct kv_value *item, bool update,
                      const struct kv_value *before, unsigned checks, struct kv_err *err);

/*
 * Bring every index of the table in step with an item going from `old` to
 * `item` (either may be NULL: created or deleted).  Entries whose key and
 * projection did not change are left alone, and so is an index still
 * being built that has not reached this item (backfill.h).  Write units go to `c`, per
 * index: a changed entry costs its size in 1 KB units, a moved entry a
 * delete and a put.  *local_bytes gains the change in size of the local
 * indexes' entries (the item collection's share).
 */
kv_status index_update(struct txn *t, const struct table_def *def, const struct keybuf *base_key,
                       const struct kv_value *old, const struct kv_value *item,
                       bool transactional, struct consumed *c, int64_t *local_bytes);

/*
 * Give a backfilling index the entry of an item written before it existed,
 * unless the item's index key values could not be an index key (wrong
 * type, empty, too long): DynamoDB leaves such items out.
 */
kv_status index_backfill_item(struct txn *t, const struct table_def *def,
                              const struct index_def *ix, const struct keybuf *base_key,
                              const struct kv_value *item, struct consumed *c);

/*
 * The entry `item` has in index `ix`: *present false when it has none.
 * The projection is built in `a` and shares scalar bytes with `item`.
 */
kv_status index_project(const struct table_def *def, const struct index_def *ix,
                        const struct kv_value *item, struct arena *a, struct kv_value *out,
                        bool *present, struct kv_err *err);

/*
 * The entry an item should have in an index, without writing it: *present
 * false when it should have none.  For the consistency check.
 */
kv_status index_entry_of(const struct table_def *def, const struct index_def *ix,
                         const struct keybuf *base_key, const struct kv_value *item,
                         struct arena *a, bool *present, struct keybuf *key,
                         struct kv_value *proj, size_t *size, struct kv_err *err);

/* Whether a top-level attribute is stored in the index's entries. */
bool index_projects(const struct table_def *def, const struct index_def *ix, const char *name,
                    size_t len);

#endif
