/*
 * item_common.h -- steps shared by the single-item operations: finding the
 * table, building the item's LMDB key, reading the stored item.
 */
#ifndef KV_ITEM_COMMON_H
#define KV_ITEM_COMMON_H

#include "keycodec.h"
#include "kv.h"

#include <lmdb.h>
#include <stdbool.h>

struct arena;
struct kv_value;
struct table_def;
struct txn;

/* The table for a data-plane operation; ResourceNotFoundException if absent. */
kv_status item_table(struct txn *t, const char *name, struct table_def **def, MDB_dbi *dbi);

/* The LMDB key of the item whose key attributes are in `item` (checked). */
kv_status item_key(struct txn *t, const struct table_def *def, const struct kv_value *item,
                   struct keybuf *kb);

/* Read the stored bytes of an item; *found false when absent. */
kv_status item_read(struct txn *t, MDB_dbi dbi, const struct keybuf *kb, MDB_val *val,
                    bool *found);

#endif
