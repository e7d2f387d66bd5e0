/*
 * write_core.c -- loading and storing one item inside a write transaction;
 * see write_core.h.
 *
 * Capacity follows DynamoDB's write rule: the larger of the item's size
 * before and after, rounded up to 1 KB units, at least one unit (a delete
 * of an absent item still costs one), twice that in a transaction.  Index
 * entries are charged by index.c, never doubled.
 */
#include "write_core.h"
#include "arena.h"
#include "buf.h"
#include "catalog.h"
#include "collection.h"
#include "db.h"
#include "err.h"
#include "index.h"
#include "item_common.h"
#include "itemcodec.h"
#include "txn.h"
#include "value.h"

#include <string.h>

kv_status
write_load(struct txn *t, struct item_write *w, const struct table_def *def, MDB_dbi dbi,
           const struct kv_value *key_src, bool decode, struct arena *a)
{
    MDB_val raw;
    memset(w, 0, sizeof *w);
    w->def = def;
    w->dbi = dbi;
    for (uint32_t i = 0; i < key_src->len && !w->hash; i++)
        if (strlen(def->key.hash.name) == key_src->u.members[i].name_len &&
            memcmp(def->key.hash.name, key_src->u.members[i].name, key_src->u.members[i].name_len) == 0)
            w->hash = &key_src->u.members[i];
    kv_status st = item_key(t, def, key_src, &w->key);
    if (st == KV_OK)
        st = item_read(t, dbi, &w->key, &raw, &w->found);
    if (st != KV_OK || !w->found)
        return st;
    if ((st = itemcodec_size(raw.mv_data, raw.mv_size, &w->old_size, t->err)) != KV_OK)
        return st;
    if (!decode && def->n_indexes == 0)
        return KV_OK;
    return item_decode(t, &raw, a, false, &w->old);
}

static kv_status
store_item(struct txn *t, struct item_write *w, const struct kv_value *item)
{
    struct buf b;
    buf_init(&b);
    kv_status st = itemcodec_encode(item, &b, t->err);
    if (st == KV_OK) {
        MDB_val k = {w->key.len, w->key.bytes}, v = {b.len, b.data};
        st = txn_check(t, mdb_put(t->txn, w->dbi, &k, &v, 0), "writing an item");
    }
    buf_release(&b);
    return st;
}

/* Keep the item collection's size, and refuse growth past the limit. */
static kv_status
collection_update(struct txn *t, struct item_write *w, int64_t delta)
{
    memset(&w->collection, 0, sizeof w->collection);
    if (!collection_kept(w->def))
        return KV_OK;
    uint64_t after, limit = t->db->opt.item_collection_limit > 0
                                ? (uint64_t)t->db->opt.item_collection_limit
                                : COLLECTION_LIMIT_DEFAULT;
    kv_status st = collection_add(t, w->def, &w->key, delta, &after);
    if (st != KV_OK)
        return st;
    if (delta > 0 && after > limit)
        return err_set(t->err, KV_ITEM_COLLECTION_SIZE_LIMIT_EXCEEDED, "Collection size exceeded.");
    w->collection.present = true;
    w->collection.key_name = w->hash->name;
    w->collection.key_name_len = w->hash->name_len;
    w->collection.key = &w->hash->value;
    w->collection.bytes = after;
    return KV_OK;
}

kv_status
write_store(struct txn *t, struct item_write *w, const struct kv_value *item,
            bool transactional)
{
    kv_status st;
    size_t new_size = item ? item_size(item) : 0;
    if (item) {
        st = store_item(t, w, item);
    } else if (w->found) {
        MDB_val k = {w->key.len, w->key.bytes};
        st = txn_check(t, mdb_del(t->txn, w->dbi, &k, NULL), "deleting an item");
    } else {
        st = KV_OK;
    }
    if (st != KV_OK)
        return st;
    int64_t items = (item ? 1 : 0) - (w->found ? 1 : 0);
    int64_t bytes = (int64_t)new_size - (int64_t)w->old_size;
    if ((st = catalog_stats_add(t, w->def->dbname, items, bytes)) != KV_OK)
        return st;
    consumed_init(&w->consumed);
    /* A transaction doubles only the table's own units: DynamoDB charges an
     * index entry written by a transaction what the same write costs
     * outside one. */
    int64_t local_bytes = 0;
    if ((st = index_update(t, w->def, &w->key, w->old, item, false, &w->consumed,
                           &local_bytes)))
        return st;
    if ((st = collection_update(t, w, bytes + local_bytes)) != KV_OK)
        return st;
    uint64_t units = capacity_write(w->old_size > new_size ? w->old_size : new_size,
                                    transactional);
    consumed_add_table(&w->consumed, 0, units);
    return KV_OK;
}
