/*
 * check.c -- kv_db_check: verify that secondary indexes and counters agree
 * with the items.
 *
 * Everything is read in one read transaction, so the check sees one
 * committed state and can run while other threads and processes write.
 * For each table it walks the items once, deriving from each the entry it
 * should have in every index and looking that entry up; then it walks each
 * index, and for each entry finds the item it claims to come from, which
 * catches entries no item accounts for.  The counts and sizes DescribeTable
 * reports are compared with what the walks found.
 */
#include "arena.h"
#include "backfill.h"
#include "catalog.h"
#include "collection.h"
#include "db.h"
#include "err.h"
#include "index.h"
#include "itemcodec.h"
#include "keycodec.h"
#include "ops/item_common.h"
#include "txn.h"
#include "value.h"
#include "value_json.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A problem found, held until the transaction has read everything: a body
 * that runs again (txn.h) must not report twice. */
struct found {
    char *table, *index, *text;
};

struct check {
    const char *table; /* one table, or NULL for all */
    kv_check_fn report;
    void *arg;
    uint64_t problems;
    bool table_missing;
    struct found *found; /* the first MAX_HELD problems */
    size_t n_found;
};

/* Problems past this many are counted, not described. */
#define MAX_HELD 10000

static void
forget_found(struct check *c)
{
    for (size_t i = 0; i < c->n_found; i++) {
        free(c->found[i].table);
        free(c->found[i].index);
        free(c->found[i].text);
    }
    c->n_found = 0;
}

static void problem(struct check *c, const struct table_def *def, const struct index_def *ix,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
problem(struct check *c, const struct table_def *def, const struct index_def *ix, const char *fmt,
        ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    c->problems++;
    if (!c->report || c->n_found == MAX_HELD)
        return;
    if (!c->found && !(c->found = calloc(MAX_HELD, sizeof *c->found)))
        return;
    struct found *f = &c->found[c->n_found];
    f->table = strdup(def->name);
    f->index = ix ? strdup(ix->name) : NULL;
    f->text = strdup(text);
    if (f->table && f->text && (!ix || f->index))
        c->n_found++;
    else {
        free(f->table);
        free(f->index);
        free(f->text);
    }
}

/* The table key attributes of an item, as DynamoDB JSON, for messages. */
static char *
key_text(const struct table_def *def, const struct kv_value *item)
{
    json_t *o = json_object();
    const char *names[2] = {def->key.hash.name, def->key.range.name};
    for (int k = 0; k < 2 && names[k]; k++) {
        const struct kv_value *v = value_map_get(item, names[k], strlen(names[k]));
        if (v)
            json_object_set_new(o, names[k], value_to_json(v));
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return s;
}

struct walk {
    uint64_t count, bytes;
};

/* An item's entry in one index: present where it should be, equal to its
 * projection. */
static kv_status
check_entry(struct check *c, struct txn *t, const struct table_def *def, const struct index_def *ix,
            MDB_dbi idbi, const struct keybuf *kb, const struct kv_value *item, struct arena *a,
            struct walk *w)
{
    bool covered = true, present;
    struct keybuf ek;
    struct kv_value proj;
    size_t size = 0;
    kv_status st = KV_OK;
    if (ix->backfilling)
        st = backfill_covers(t, def, ix, kb, &covered);
    if (st == KV_OK && covered)
        st = index_entry_of(def, ix, kb, item, a, &present, &ek, &proj, &size, t->err);
    if (st != KV_OK || !covered || !present)
        return st;
    w->count++;
    w->bytes += size;
    MDB_val k = {ek.len, ek.bytes}, v;
    int rc = mdb_get(t->txn, idbi, &k, &v);
    if (rc && rc != MDB_NOTFOUND)
        return txn_check(t, rc, "reading an index");
    char *key = NULL;
    if (rc == MDB_NOTFOUND) {
        key = key_text(def, item);
        problem(c, def, ix, "item %s has no entry in the index", key ? key : "?");
    } else {
        struct kv_value got;
        if (itemcodec_decode(v.mv_data, v.mv_size, a, true, &got, t->err) != KV_OK ||
            !value_equal(&got, &proj)) {
            err_clear(t->err);
            key = key_text(def, item);
            problem(c, def, ix, "the index entry of item %s differs from the item",
                    key ? key : "?");
        }
    }
    free(key);
    return KV_OK;
}

/* The item collection being summed while walking a table with local
 * indexes: items of one partition are adjacent in key order. */
struct run {
    uint8_t prefix[KEY_MAX];
    size_t len;
    uint64_t bytes;
    uint64_t partitions;
    bool open;
};

static kv_status
run_flush(struct check *c, struct txn *t, const struct table_def *def, struct run *r)
{
    uint64_t kept;
    if (!r->open)
        return KV_OK;
    r->open = false;
    r->partitions++;
    kv_status st = collection_get(t, def->dbname, r->prefix, r->len, &kept);
    if (st == KV_OK && kept != r->bytes)
        problem(c, def, NULL, "an item collection is recorded as %llu bytes but holds %llu",
                (unsigned long long)kept, (unsigned long long)r->bytes);
    return st;
}

/* Add an item (and its local entries) to the collection walk. */
static kv_status
run_add(struct check *c, struct txn *t, const struct table_def *def, struct run *r,
        const struct keybuf *kb, uint64_t bytes)
{
    kv_status st = KV_OK;
    if (r->open && (r->len != kb->prefix_len || memcmp(r->prefix, kb->bytes, r->len) != 0))
        st = run_flush(c, t, def, r);
    if (!r->open) {
        r->open = true;
        r->len = kb->prefix_len;
        memcpy(r->prefix, kb->bytes, r->len);
        r->bytes = 0;
    }
    r->bytes += bytes;
    return st;
}

/* Counters of collections that no longer have items. */
static kv_status
count_collections(struct txn *t, const char *dbname, uint64_t *n)
{
    uint8_t kb[DBNAME_MAX + 2];
    size_t len = strlen(dbname);
    MDB_cursor *cur;
    kb[0] = 'k';
    memcpy(kb + 1, dbname, len);
    kb[1 + len] = 0;
    MDB_val k = {len + 2, kb}, v;
    *n = 0;
    kv_status st =
        txn_check(t, mdb_cursor_open(t->txn, t->db->catalog, &cur), "reading the catalog");
    if (st != KV_OK)
        return st;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    for (; rc == 0 && k.mv_size >= len + 2 && memcmp(k.mv_data, kb, len + 2) == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
        (*n)++;
    mdb_cursor_close(cur);
    return rc == 0 || rc == MDB_NOTFOUND ? KV_OK : txn_check(t, rc, "reading the catalog");
}

static kv_status
walk_items(struct check *c, struct txn *t, const struct table_def *def, MDB_dbi dbi,
           const MDB_dbi *idbis, struct walk *tw, struct walk *iw)
{
    struct run run = {.open = false, .partitions = 0};
    bool collections = collection_kept(def);
    MDB_cursor *cur;
    MDB_val k, v;
    kv_status st = txn_check(t, mdb_cursor_open(t->txn, dbi, &cur), "reading a table");
    if (st != KV_OK)
        return st;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    for (; rc == 0 && st == KV_OK; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        struct arena *a = arena_new();
        struct kv_value item;
        struct keybuf kb;
        size_t size;
        if (!a) {
            st = err_nomem(t->err);
            break;
        }
        if (itemcodec_size(v.mv_data, v.mv_size, &size, t->err) != KV_OK ||
            itemcodec_decode(v.mv_data, v.mv_size, a, true, &item, t->err) != KV_OK) {
            problem(c, def, NULL, "an item cannot be decoded: %s", t->err->msg);
            err_clear(t->err);
            arena_free(a);
            continue;
        }
        tw->count++;
        tw->bytes += size;
        if ((st = item_key(t, def, &item, &kb)) != KV_OK) {
            arena_free(a);
            break;
        }
        if (kb.len != k.mv_size || memcmp(kb.bytes, k.mv_data, kb.len) != 0) {
            char *key = key_text(def, &item);
            problem(c, def, NULL, "item %s is stored under another key", key ? key : "?");
            free(key);
        }
        uint64_t collection = size;
        for (size_t i = 0; i < def->n_indexes && st == KV_OK; i++) {
            uint64_t before = iw[i].bytes;
            st = check_entry(c, t, def, &def->indexes[i], idbis[i], &kb, &item, a, &iw[i]);
            if (!def->indexes[i].global)
                collection += iw[i].bytes - before;
        }
        if (st == KV_OK && collections)
            st = run_add(c, t, def, &run, &kb, collection);
        arena_free(a);
    }
    mdb_cursor_close(cur);
    if (st == KV_OK && rc && rc != MDB_NOTFOUND)
        st = txn_check(t, rc, "reading a table");
    uint64_t counters;
    if (st == KV_OK && collections && (st = run_flush(c, t, def, &run)) == KV_OK &&
        (st = count_collections(t, def->dbname, &counters)) == KV_OK && counters != run.partitions)
        problem(c, def, NULL, "%llu item collections are recorded but %llu have items",
                (unsigned long long)counters, (unsigned long long)run.partitions);
    return st;
}

/* Every entry of an index must be the entry of the item it names. */
static kv_status
walk_index(struct check *c, struct txn *t, const struct table_def *def, const struct index_def *ix,
           MDB_dbi dbi, MDB_dbi idbi, uint64_t *entries)
{
    MDB_cursor *cur;
    MDB_val k, v;
    kv_status st = txn_check(t, mdb_cursor_open(t->txn, idbi, &cur), "reading an index");
    if (st != KV_OK)
        return st;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    for (; rc == 0 && st == KV_OK; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        struct arena *a = arena_new();
        struct kv_value entry, want, *item = NULL;
        struct keybuf kb, ek;
        bool found = false, present = false;
        size_t size;
        MDB_val raw;
        if (!a) {
            st = err_nomem(t->err);
            break;
        }
        (*entries)++;
        if (itemcodec_decode(v.mv_data, v.mv_size, a, true, &entry, t->err) != KV_OK ||
            item_key(t, def, &entry, &kb) != KV_OK) {
            problem(c, def, ix, "an index entry cannot be decoded: %s", t->err->msg);
            err_clear(t->err);
            arena_free(a);
            continue;
        }
        if ((st = item_read(t, dbi, &kb, &raw, &found)) == KV_OK && found &&
            (st = item_decode(t, &raw, a, true, &item)) == KV_OK)
            st = index_entry_of(def, ix, &kb, item, a, &present, &ek, &want, &size, t->err);
        if (st == KV_OK &&
            (!present || ek.len != k.mv_size || memcmp(ek.bytes, k.mv_data, ek.len) != 0)) {
            char *key = key_text(def, &entry);
            problem(c, def, ix, "an index entry names item %s, which %s", key ? key : "?",
                    found ? "does not have it" : "does not exist");
            free(key);
        }
        arena_free(a);
    }
    mdb_cursor_close(cur);
    if (st == KV_OK && rc && rc != MDB_NOTFOUND)
        st = txn_check(t, rc, "reading an index");
    return st;
}

static void
check_counters(struct check *c, const struct table_def *def, const struct index_def *ix,
               const struct table_stats *kept, const struct walk *w)
{
    if (kept->item_count != w->count)
        problem(c, def, ix, "ItemCount is %llu but there are %llu %s",
                (unsigned long long)kept->item_count, (unsigned long long)w->count,
                ix ? "entries" : "items");
    if (kept->size_bytes != w->bytes)
        problem(c, def, ix, "the size is recorded as %llu bytes but is %llu",
                (unsigned long long)kept->size_bytes, (unsigned long long)w->bytes);
}

static kv_status
check_table(struct check *c, struct txn *t, const struct table_def *def)
{
    MDB_dbi dbi, idbis[CONSUMED_MAX_INDEXES];
    struct walk tw = {0, 0}, iw[CONSUMED_MAX_INDEXES];
    struct table_stats kept;
    kv_status st = txn_dbi(t, def->dbname, &dbi);
    memset(iw, 0, sizeof iw);
    for (size_t i = 0; i < def->n_indexes && st == KV_OK; i++)
        st = txn_dbi(t, def->indexes[i].dbname, &idbis[i]);
    if (st == KV_OK)
        st = walk_items(c, t, def, dbi, idbis, &tw, iw);
    if (st == KV_OK && (st = catalog_stats_get(t, def->dbname, &kept)) == KV_OK)
        check_counters(c, def, NULL, &kept, &tw);
    for (size_t i = 0; i < def->n_indexes && st == KV_OK; i++) {
        const struct index_def *ix = &def->indexes[i];
        uint64_t entries = 0;
        st = walk_index(c, t, def, ix, dbi, idbis[i], &entries);
        if (st == KV_OK && entries != iw[i].count)
            problem(c, def, ix, "the index holds %llu entries; the items call for %llu",
                    (unsigned long long)entries, (unsigned long long)iw[i].count);
        if (st == KV_OK && (st = catalog_stats_get(t, ix->dbname, &kept)) == KV_OK)
            check_counters(c, def, ix, &kept, &iw[i]);
    }
    return st;
}

static kv_status
check_body(struct txn *t, void *arg)
{
    struct check *c = arg;
    struct arena *a = arena_new();
    const char **names = NULL, *one[1];
    size_t n = 0;
    bool more = false;
    kv_status st = KV_OK;
    c->problems = 0;
    forget_found(c);
    c->table_missing = false;
    if (!a)
        return err_nomem(t->err);
    const char *after = NULL;
    do {
        if (c->table) {
            one[0] = c->table;
            names = one;
            n = 1;
        } else {
            st = catalog_list(t, a, after, after ? strlen(after) : 0, 100, &names, &n, &more);
        }
        for (size_t i = 0; i < n && st == KV_OK; i++) {
            struct table_def *def;
            if ((st = catalog_get(t, names[i], strlen(names[i]), &def)) != KV_OK)
                break;
            if (!def) {
                c->table_missing = true;
                break;
            }
            st = check_table(c, t, def);
            after = names[i];
        }
    } while (st == KV_OK && more);
    arena_free(a);
    return st;
}

kv_status
kv_db_check(kv_db *db, const char *table, kv_check_fn report, void *arg, uint64_t *problems)
{
    struct kv_err err;
    struct check c = {table, report, arg, 0, false, NULL, 0};
    if (problems)
        *problems = 0;
    if (!db)
        return KV_MISUSE;
    err_init(&err);
    kv_status st = txn_run(db, false, check_body, &c, &err);
    for (size_t i = 0; st == KV_OK && i < c.n_found; i++)
        report(arg, c.found[i].table, c.found[i].index, c.found[i].text);
    forget_found(&c);
    free(c.found);
    if (st == KV_OK && c.table_missing)
        err_set(&err, KV_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found",
                table);
    else if (st == KV_OK && c.problems)
        err_set(&err, KV_CORRUPT, "%llu inconsistencies found", (unsigned long long)c.problems);
    if (problems)
        *problems = c.problems;
    return db_finish(db, &err);
}
