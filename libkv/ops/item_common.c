/*
 * item_common.c -- see item_common.h.
 */
#include "item_common.h"
#include "catalog.h"
#include "err.h"
#include "txn.h"
#include "value.h"

#include <string.h>

kv_status
item_table(struct txn *t, const char *name, struct table_def **def, MDB_dbi *dbi)
{
    kv_status st = catalog_get(t, name, strlen(name), def);
    if (st != KV_OK)
        return st;
    if (!*def)
        return err_set(t->err, KV_RESOURCE_NOT_FOUND, "Requested resource not found");
    return txn_dbi(t, (*def)->dbname, dbi);
}

kv_status
item_key(struct txn *t, const struct table_def *def, const struct kv_value *item,
         struct keybuf *kb)
{
    const struct key_schema *ks = &def->key;
    const struct kv_value *pk = value_map_get(item, ks->hash.name, strlen(ks->hash.name));
    const struct kv_value *sk =
        ks->range.name ? value_map_get(item, ks->range.name, strlen(ks->range.name)) : NULL;
    return keycodec_item_key(kb, pk, sk, t->err);
}

kv_status
item_read(struct txn *t, MDB_dbi dbi, const struct keybuf *kb, MDB_val *val, bool *found)
{
    MDB_val k = {kb->len, (void *)kb->bytes};
    int rc = mdb_get(t->txn, dbi, &k, val);
    *found = rc == 0;
    if (rc == MDB_NOTFOUND)
        return KV_OK;
    return txn_check(t, rc, "reading an item");
}
