/*
 * collection.h -- item collection sizes of tables with local secondary
 * indexes.
 *
 * DynamoDB caps an item collection (the items sharing a partition key
 * value, with their local index entries) at 10 GB, because a local index
 * lives in the partition with its items.  The size of every collection is
 * kept in the catalog ('k' + the table's database name + a zero byte + the
 * partition's key prefix; see catalog.h) and changed in the transaction of
 * each write, so the limit is checked without reading the collection.
 */
#ifndef KV_COLLECTION_H
#define KV_COLLECTION_H

#include "kv.h"

#include <stddef.h>
#include <stdint.h>

struct keybuf;
struct table_def;
struct txn;

/* 10 GB, DynamoDB's limit; kv_options.item_collection_limit changes it. */
#define COLLECTION_LIMIT_DEFAULT (10ull << 30)

/* Whether the table has item collections to keep (it has a local index). */
int collection_kept(const struct table_def *def);

/* Add `delta` bytes to the collection of the item whose key is `key`;
 * *after receives the new size. */
kv_status collection_add(struct txn *t, const struct table_def *def, const struct keybuf *key,
                         int64_t delta, uint64_t *after);

/* The recorded size of the collection with partition prefix p[0..n). */
kv_status collection_get(struct txn *t, const char *dbname, const uint8_t *p, size_t n,
                         uint64_t *size);

/* Forget every collection of a table's database (when it is emptied). */
kv_status collection_drop(struct txn *t, const char *dbname);

#endif
