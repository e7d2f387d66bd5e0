/*
 * write_core.h -- the one way an item is changed.
 *
 * Every write path (PutItem, UpdateItem, DeleteItem, BatchWriteItem,
 * TransactWriteItems) loads the item it is about to change, decides, and
 * stores the result through these two functions, inside the caller's
 * write transaction.  Storing writes the item, keeps the table's counters
 * and its secondary indexes in step, and reports the capacity consumed, so
 * none of that can be forgotten by one path.
 */
#ifndef KV_WRITE_CORE_H
#define KV_WRITE_CORE_H

#include "capacity.h"
#include "keycodec.h"
#include "kv.h"
#include "ops.h"

#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct kv_member;
struct kv_value;

struct table_def;
struct txn;

struct item_write {
    const struct table_def *def;
    MDB_dbi dbi;
    struct keybuf key;
    bool found;
    size_t old_size;
    struct kv_value *old; /* the stored item, decoded into the load arena */
    const struct kv_member *hash; /* the partition key, in the request */
    struct consumed consumed;
    struct collection_size collection; /* after the store, for LSI tables */
};

/*
 * Load the item named by the key attributes of `key_src` (a Key, or a
 * whole item): its stored key, whether it exists and its size; and, when
 * `decode` asks or the table has indexes (whose upkeep needs it), the
 * decoded item in `a` (copied, so it survives writes in the transaction).
 */
kv_status write_load(struct txn *t, struct item_write *w, const struct table_def *def,
                     MDB_dbi dbi, const struct kv_value *key_src, bool decode, struct arena *a);

/*
 * Store `item` (NULL deletes) as the loaded item's new state: the item,
 * the table's counters and its indexes.  w->consumed receives the write
 * units: the table's doubled when `transactional`, the indexes' never.
 * The item must have been checked.  On a table with local indexes a write
 * that grows its item collection past the limit fails with
 * ItemCollectionSizeLimitExceededException.
 */
kv_status write_store(struct txn *t, struct item_write *w, const struct kv_value *item,
                      bool transactional);

#endif
