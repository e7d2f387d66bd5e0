/*
 * collection.c -- item collection sizes; see collection.h.
 */
#include "collection.h"
#include "catalog.h"
#include "db.h"
#include "err.h"
#include "keycodec.h"
#include "txn.h"

#include <string.h>
#include <xxhash.h>

/* Longer partition prefixes are replaced by a digest, to keep the
 * counter's key within LMDB's limit. */
#define PREFIX_MAX 400

int
collection_kept(const struct table_def *def)
{
    for (size_t i = 0; i < def->n_indexes; i++)
        if (!def->indexes[i].global)
            return 1;
    return 0;
}

/* 'k', the database name, a zero byte, the partition prefix. */
static size_t
counter_key(uint8_t *buf, const char *dbname, const uint8_t *p, size_t n)
{
    size_t len = strlen(dbname);
    buf[0] = 'k';
    memcpy(buf + 1, dbname, len);
    buf[1 + len] = 0;
    if (n > PREFIX_MAX) {
        XXH128_hash_t h = XXH3_128bits(p, n);
        XXH128_canonical_t c;
        XXH128_canonicalFromHash(&c, h);
        memcpy(buf + 2 + len, c.digest, sizeof c.digest);
        return 2 + len + sizeof c.digest;
    }
    if (n)
        memcpy(buf + 2 + len, p, n);
    return 2 + len + n;
}

static uint64_t
get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

kv_status
collection_get(struct txn *t, const char *dbname, const uint8_t *p, size_t n, uint64_t *size)
{
    uint8_t kb[DBNAME_MAX + 2 + PREFIX_MAX];
    MDB_val k = {counter_key(kb, dbname, p, n), kb}, v;
    int rc = mdb_get(t->txn, t->db->catalog, &k, &v);
    *size = 0;
    if (rc == MDB_NOTFOUND)
        return KV_OK;
    if (rc)
        return txn_check(t, rc, "reading the catalog");
    if (v.mv_size != 8)
        return ERR_CORRUPT(t->err, "item collection size of %zu bytes", v.mv_size);
    *size = get_be64(v.mv_data);
    return KV_OK;
}

kv_status
collection_add(struct txn *t, const struct table_def *def, const struct keybuf *key, int64_t delta,
               uint64_t *after)
{
    uint64_t size;
    kv_status st = collection_get(t, def->dbname, key->bytes, key->prefix_len, &size);
    if (st != KV_OK)
        return st;
    if (delta < 0 && (uint64_t)-delta > size)
        return ERR_CORRUPT(t->err, "item collection size below zero");
    size += (uint64_t)delta;
    *after = size;
    uint8_t kb[DBNAME_MAX + 2 + PREFIX_MAX], vb[8];
    MDB_val k = {counter_key(kb, def->dbname, key->bytes, key->prefix_len), kb};
    if (size == 0) {
        int rc = mdb_del(t->txn, t->db->catalog, &k, NULL);
        return rc == MDB_NOTFOUND ? KV_OK : txn_check(t, rc, "writing the catalog");
    }
    for (int i = 7; i >= 0; i--, size >>= 8)
        vb[i] = (uint8_t)size;
    MDB_val v = {8, vb};
    return txn_check(t, mdb_put(t->txn, t->db->catalog, &k, &v, 0), "writing the catalog");
}

kv_status
collection_drop(struct txn *t, const char *dbname)
{
    uint8_t kb[DBNAME_MAX + 2];
    size_t n = counter_key(kb, dbname, NULL, 0);
    MDB_cursor *cur;
    MDB_val k = {n, kb}, v;
    kv_status st =
        txn_check(t, mdb_cursor_open(t->txn, t->db->catalog, &cur), "reading the catalog");
    if (st != KV_OK)
        return st;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && k.mv_size >= n && memcmp(k.mv_data, kb, n) == 0) {
        if ((rc = mdb_cursor_del(cur, 0)) != 0)
            break;
        /* The cursor now rests on the next record, if any. */
        if (mdb_cursor_get(cur, &k, &v, MDB_GET_CURRENT) != 0)
            rc = MDB_NOTFOUND;
    }
    mdb_cursor_close(cur);
    return rc == 0 || rc == MDB_NOTFOUND ? KV_OK : txn_check(t, rc, "writing the catalog");
}
