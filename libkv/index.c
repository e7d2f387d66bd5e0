/*
 * index.c -- secondary index entries and their upkeep; see index.h.
 *
 * Write cost per index follows DynamoDB's rules for index writes: an item
 * that gains an entry costs one put, one that loses it one delete, one
 * whose index key changed a delete and a put, one whose projected
 * attributes changed one put, and one whose entry is unchanged nothing.
 * Each is sized on the entry, rounded up to 1 KB.
 */
#include "index.h"
#include "arena.h"
#include "backfill.h"
#include "buf.h"
#include "catalog.h"
#include "err.h"
#include "itemcodec.h"
#include "keycodec.h"
#include "txn.h"
#include "value.h"

#include <string.h>

#define HASH_KEY_MAX 2048
#define RANGE_KEY_MAX 1024

static const struct kv_value *
attr(const struct kv_value *item, const char *name)
{
    return name ? value_map_get(item, name, strlen(name)) : NULL;
}

/* The index key values of item, or false when it has no entry (sparse). */
static bool
entry_keys(const struct index_def *ix, const struct kv_value *item, const struct kv_value **h,
           const struct kv_value **r)
{
    if (!item)
        return false;
    *h = attr(item, ix->key.hash.name);
    *r = attr(item, ix->key.range.name);
    return *h && (!ix->key.range.name || *r);
}

static bool
is_key_attr(const struct key_schema *k, const char *name, size_t len)
{
    return (strlen(k->hash.name) == len && memcmp(k->hash.name, name, len) == 0) ||
           (k->range.name && strlen(k->range.name) == len &&
            memcmp(k->range.name, name, len) == 0);
}

bool
index_projects(const struct table_def *def, const struct index_def *ix, const char *name,
               size_t len)
{
    if (ix->projection == PROJECT_ALL || is_key_attr(&def->key, name, len) ||
        is_key_attr(&ix->key, name, len))
        return true;
    if (ix->projection == PROJECT_INCLUDE)
        for (size_t i = 0; i < ix->n_non_key; i++)
            if (strlen(ix->non_key[i]) == len && memcmp(ix->non_key[i], name, len) == 0)
                return true;
    return false;
}

kv_status
index_project(const struct table_def *def, const struct index_def *ix,
              const struct kv_value *item, struct arena *a, struct kv_value *out, bool *present,
              struct kv_err *err)
{
    const struct kv_value *h, *r;
    *present = entry_keys(ix, item, &h, &r);
    value_init(out, KV_M);
    if (!*present)
        return KV_OK;
    for (uint32_t i = 0; i < item->len; i++) {
        const struct kv_member *m = &item->u.members[i];
        if (!index_projects(def, ix, m->name, m->name_len))
            continue;
        struct kv_value *slot = value_map_append(a, out, m->name, m->name_len, false);
        if (!slot)
            return err_nomem(err);
        *slot = m->value;
    }
    return KV_OK;
}

/* --- checks ------------------------------------------------------------------ */

/* Indexes in name order: DynamoDB reports the first offender by name. */
static size_t
sorted_indexes(const struct table_def *def, const struct index_def **out)
{
    size_t n = def->n_indexes < CONSUMED_MAX_INDEXES ? def->n_indexes : CONSUMED_MAX_INDEXES;
    for (size_t i = 0; i < n; i++) {
        const struct index_def *ix = &def->indexes[i];
        size_t j = i;
        while (j > 0 && strcmp(out[j - 1]->name, ix->name) > 0) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = ix;
    }
    return n;
}

/* An index key attribute the check must look at, or NULL: an update
 * re-checks only the values it changes. */
static const struct kv_value *
checked(const struct kv_value *item, const struct kv_value *before, const char *name)
{
    const struct kv_value *v = attr(item, name);
    const struct kv_value *was = before ? attr(before, name) : NULL;
    return v && !(was && value_equal(v, was)) ? v : NULL;
}

static kv_status
check_empty(const struct index_def *ix, const struct attr_def *a, const struct kv_value *v,
            bool update, struct kv_err *err)
{
    if (v->type == KV_N || v->len > 0)
        return KV_OK;
    const char *what = v->type == KV_S ? "string" : "binary";
    if (update)
        return err_set(err, KV_VALIDATION,
                       "One or more parameter values are not valid. The update expression "
                       "attempted to update a secondary index key to a value that is not "
                       "supported. The AttributeValue for a key attribute cannot contain an "
                       "empty %s value.",
                       what);
    return err_set(err, KV_VALIDATION,
                   "One or more parameter values are not valid. A value specified for a "
                   "secondary index key is not supported. The AttributeValue for a key "
                   "attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s",
                   what, ix->name, a->name);
}

static kv_status
check_size(const struct attr_def *a, const struct kv_value *v, bool hash, struct kv_err *err)
{
    if (v->type == KV_N)
        return KV_OK;
    if (hash && v->len > HASH_KEY_MAX)
        return err_set(err, KV_VALIDATION,
                       "One or more parameter values were invalid: Size of hashkey has exceeded "
                       "the maximum size limit of2048 bytes");
    if (!hash && v->len > RANGE_KEY_MAX)
        return err_set(err, KV_VALIDATION,
                       "One or more parameter values were invalid: Aggregated size of all range "
                       "keys has exceeded the size limit of 1024 bytes");
    (void)a;
    return KV_OK;
}

kv_status
index_check(const struct table_def *def, const struct kv_value *item, bool update,
            const struct kv_value *before, unsigned checks, struct kv_err *err)
{
    const struct index_def *ixs[CONSUMED_MAX_INDEXES];
    size_t n = sorted_indexes(def, ixs);
    for (int pass = 0; pass < 3; pass++) {
        if (!(checks & (pass == 0 ? INDEX_CHECK_TYPES : INDEX_CHECK_VALUES)))
            continue;
        for (size_t i = 0; i < n; i++) {
            const struct attr_def *keys[2] = {&ixs[i]->key.hash, &ixs[i]->key.range};
            for (int k = 0; k < 2; k++) {
                const struct kv_value *v = keys[k]->name ? checked(item, before, keys[k]->name)
                                                         : NULL;
                kv_status st = KV_OK;
                if (!v || (pass > 0 && v->type != keys[k]->type))
                    continue;
                if (pass == 0 && v->type != keys[k]->type)
                    st = err_set(err, KV_VALIDATION,
                                 "One or more parameter values were invalid: Type mismatch for "
                                 "Index Key %s Expected: %s Actual: %s IndexName: %s",
                                 keys[k]->name, type_name(keys[k]->type), type_name(v->type),
                                 ixs[i]->name);
                else if (pass == 1)
                    st = check_empty(ixs[i], keys[k], v, update, err);
                else if (pass == 2)
                    st = check_size(keys[k], v, k == 0, err);
                if (st != KV_OK)
                    return st;
            }
        }
    }
    return KV_OK;
}

kv_status
index_check_item(const struct table_def *def, const struct kv_value *item, bool update,
                 const struct kv_value *before, struct kv_err *err)
{
    return index_check(def, item, update, before, INDEX_CHECK_TYPES | INDEX_CHECK_VALUES, err);
}

/* --- upkeep -------------------------------------------------------------------- */

struct entry {
    bool present;
    struct kv_value proj;
    struct keybuf key;
    size_t size;
};

/* Whether the item's index key values are ones an entry may have: an item
 * written before its index existed may carry any type or size there, and
 * stays out of the index until that is corrected. */
static bool
entry_allowed(const struct index_def *ix, const struct kv_value *item)
{
    const struct attr_def *keys[2] = {&ix->key.hash, &ix->key.range};
    for (int k = 0; k < 2; k++) {
        const struct kv_value *v = attr(item, keys[k]->name);
        if (!v)
            continue;
        if (v->type != keys[k]->type || (v->type != KV_N && v->len == 0) ||
            (v->type != KV_N && v->len > (k == 0 ? HASH_KEY_MAX : RANGE_KEY_MAX)))
            return false;
    }
    return true;
}

static kv_status
entry_make(struct txn *t, const struct table_def *def, const struct index_def *ix,
           const struct keybuf *base, const struct kv_value *item, struct arena *a,
           struct entry *e)
{
    const struct kv_value *h, *r;
    e->present = false;
    if (!entry_keys(ix, item, &h, &r) || !entry_allowed(ix, item))
        return KV_OK;
    kv_status st = index_project(def, ix, item, a, &e->proj, &e->present, t->err);
    if (st == KV_OK)
        st = keycodec_index_key(&e->key, h, r, base, t->err);
    e->size = item_size(&e->proj);
    return st;
}

static kv_status
entry_put(struct txn *t, MDB_dbi dbi, const struct entry *e)
{
    struct buf b;
    buf_init(&b);
    kv_status st = itemcodec_encode(&e->proj, &b, t->err);
    if (st == KV_OK) {
        MDB_val k = {e->key.len, (void *)e->key.bytes}, v = {b.len, b.data};
        st = txn_check(t, mdb_put(t->txn, dbi, &k, &v, 0), "writing an index entry");
    }
    buf_release(&b);
    return st;
}

static kv_status
entry_del(struct txn *t, MDB_dbi dbi, const struct entry *e)
{
    MDB_val k = {e->key.len, (void *)e->key.bytes};
    int rc = mdb_del(t->txn, dbi, &k, NULL);
    return rc == MDB_NOTFOUND ? ERR_CORRUPT(t->err, "index entry missing")
                              : txn_check(t, rc, "deleting an index entry");
}

static bool
same_key(const struct entry *a, const struct entry *b)
{
    return a->key.len == b->key.len && memcmp(a->key.bytes, b->key.bytes, a->key.len) == 0;
}

static kv_status
update_one(struct txn *t, const struct table_def *def, const struct index_def *ix,
           const struct keybuf *base, const struct kv_value *old, const struct kv_value *item,
           bool transactional, struct arena *a, struct consumed *c, int64_t *local_bytes)
{
    struct entry o, n;
    MDB_dbi dbi;
    uint64_t units = 0;
    int64_t items = 0, bytes = 0;
    kv_status st = entry_make(t, def, ix, base, old, a, &o);
    if (st == KV_OK)
        st = entry_make(t, def, ix, base, item, a, &n);
    if (st != KV_OK || (!o.present && !n.present))
        return st;
    if ((st = txn_dbi(t, ix->dbname, &dbi)) != KV_OK)
        return st;
    if (o.present && n.present && same_key(&o, &n)) {
        if (value_equal(&o.proj, &n.proj))
            return KV_OK;
        st = entry_put(t, dbi, &n);
        units = capacity_write(n.size, transactional);
        bytes = (int64_t)n.size - (int64_t)o.size;
    } else {
        if (o.present && (st = entry_del(t, dbi, &o)) == KV_OK) {
            units += capacity_write(o.size, transactional);
            items--;
            bytes -= (int64_t)o.size;
        }
        if (st == KV_OK && n.present && (st = entry_put(t, dbi, &n)) == KV_OK) {
            units += capacity_write(n.size, transactional);
            items++;
            bytes += (int64_t)n.size;
        }
    }
    if (st == KV_OK)
        st = catalog_stats_add(t, ix->dbname, items, bytes);
    if (st == KV_OK && !ix->global && local_bytes)
        *local_bytes += bytes;
    if (st == KV_OK)
        consumed_add_index(c, ix->name, ix->global, 0, units);
    return st;
}

kv_status
index_update(struct txn *t, const struct table_def *def, const struct keybuf *base_key,
             const struct kv_value *old, const struct kv_value *item, bool transactional,
             struct consumed *c, int64_t *local_bytes)
{
    if (def->n_indexes == 0)
        return KV_OK;
    struct arena *a = arena_new();
    if (!a)
        return err_nomem(t->err);
    kv_status st = KV_OK;
    for (size_t i = 0; i < def->n_indexes && st == KV_OK; i++) {
        bool covered = true;
        if (def->indexes[i].backfilling)
            st = backfill_covers(t, def, &def->indexes[i], base_key, &covered);
        if (st == KV_OK && covered)
            st = update_one(t, def, &def->indexes[i], base_key, old, item, transactional, a, c,
                            local_bytes);
    }
    arena_free(a);
    return st;
}

kv_status
index_backfill_item(struct txn *t, const struct table_def *def, const struct index_def *ix,
                    const struct keybuf *base_key, const struct kv_value *item,
                    struct consumed *c)
{
    struct arena *a = arena_new();
    if (!a)
        return err_nomem(t->err);
    kv_status st = update_one(t, def, ix, base_key, NULL, item, false, a, c, NULL);
    arena_free(a);
    return st;
}

kv_status
index_entry_of(const struct table_def *def, const struct index_def *ix,
               const struct keybuf *base_key, const struct kv_value *item, struct arena *a,
               bool *present, struct keybuf *key, struct kv_value *proj, size_t *size,
               struct kv_err *err)
{
    const struct kv_value *h, *r;
    *present = false;
    if (!entry_keys(ix, item, &h, &r) || !entry_allowed(ix, item))
        return KV_OK;
    kv_status st = index_project(def, ix, item, a, proj, present, err);
    if (st == KV_OK && *present)
        st = keycodec_index_key(key, h, r, base_key, err);
    if (st == KV_OK && *present)
        *size = item_size(proj);
    return st;
}
