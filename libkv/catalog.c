/*
 * catalog.c -- storing, caching and listing table descriptions; the pool of
 * named LMDB databases; per-table counters.  The layout is in catalog.h.
 *
 * A description is stored as a JSON object, so that fields can be added
 * without a migration and a database can be inspected with standard tools
 * (mdb_dump):
 *
 *   {"v":1, "name":"Music", "uuid":"...", "db":"d4",
 *    "hash":{"name":"Artist","type":"S"}, "range":{...},
 *    "attrs":[{"name":"Artist","type":"S"}, ...],
 *    "billing":"PAY_PER_REQUEST", "rcu":0, "wcu":0, "created":1700000000123,
 *    "lastIncrease":0, "lastDecrease":0, "decreasesToday":0,
 *    "payPerRequestSince":1700000000123, "deletionProtection":false,
 *    "onDemandSwitches":[...], "provisionedSince":0,
 *    "indexes":[{"name":..., "global":true, "hash":..., "range":...,
 *                "projection":"INCLUDE", "nonKey":[...], "rcu":..., "wcu":...,
 *                "created":1700000000123, "status":"ACTIVE",
 *                "backfilling":false, "db":"d5"}]}
 *
 * Fields added later read as 0 from older records ("created" of an index:
 * the table's creation; "provisionedSince": never).
 *
 * Each thread caches the descriptions it has read, tagged with the catalog
 * generation they were read at.  A transaction reads the generation once;
 * if it differs from the cache's, the cache is dropped.  Readers therefore
 * never see a stale description, and the common case costs one small read.
 */
#include "catalog.h"
#include "collection.h"
#include "arena.h"
#include "db.h"
#include "err.h"
#include "mem.h"
#include "txn.h"
#include "value.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define FORMAT_VERSION "1"
#define POOL_REFILL 8

static const uint8_t KEY_VERSION = 'v';
static const uint8_t KEY_GEN = 'g';
static const uint8_t KEY_COUNTER = 'c';

static uint64_t
get_be64(const void *p)
{
    const uint8_t *b = p;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | b[i];
    return v;
}

static void
put_be64(void *p, uint64_t v)
{
    uint8_t *b = p;
    for (int i = 7; i >= 0; i--) {
        b[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* A catalog key: one prefix byte then a name. */
static MDB_val
ckey(uint8_t *buf, uint8_t prefix, const char *name, size_t len)
{
    buf[0] = prefix;
    if (len)
        memcpy(buf + 1, name, len);
    return (MDB_val){len + 1, buf};
}

/* --- open ------------------------------------------------------------------ */

kv_status
catalog_open(struct kv_db *db, struct kv_err *err)
{
    MDB_txn *txn;
    unsigned flags = db->opt.read_only ? MDB_RDONLY : 0;
    int rc = mdb_txn_begin(db->env, NULL, flags, &txn);
    if (rc)
        return db_lmdb_error(rc, "opening the catalog", err);
    rc = mdb_dbi_open(txn, "catalog", db->opt.read_only ? 0 : MDB_CREATE, &db->catalog);
    if (rc == MDB_NOTFOUND) {
        mdb_txn_abort(txn);
        return err_set(err, KV_IO, "%s is not a libkv database", db->path);
    }
    if (rc) {
        mdb_txn_abort(txn);
        return db_lmdb_error(rc, "opening the catalog", err);
    }
    MDB_val k = {1, (void *)&KEY_VERSION}, v;
    rc = mdb_get(txn, db->catalog, &k, &v);
    if (rc == MDB_NOTFOUND && !db->opt.read_only) {
        v.mv_data = FORMAT_VERSION;
        v.mv_size = strlen(FORMAT_VERSION);
        rc = mdb_put(txn, db->catalog, &k, &v, 0);
    } else if (rc == 0 && (v.mv_size != 1 || memcmp(v.mv_data, FORMAT_VERSION, 1) != 0)) {
        mdb_txn_abort(txn);
        return err_set(err, KV_IO, "%s has an unsupported format version", db->path);
    }
    if (rc == 0 || rc == MDB_NOTFOUND)
        rc = mdb_txn_commit(txn);
    else
        mdb_txn_abort(txn);
    return rc ? db_lmdb_error(rc, "initialising the catalog", err) : KV_OK;
}

/* --- descriptions as JSON --------------------------------------------------- */

static json_t *
attr_to_json(const struct attr_def *a)
{
    return json_pack("{s:s, s:s}", "name", a->name, "type", type_name(a->type));
}

static const char *const projection_names[] = {"ALL", "KEYS_ONLY", "INCLUDE"};

static json_t *
index_to_json(const struct index_def *ix)
{
    json_t *o = json_pack("{s:s, s:b, s:o, s:s, s:I, s:I, s:I, s:I, s:i, s:I, s:s, s:b, s:s}",
                          "name", ix->name, "global", ix->global, "hash",
                          attr_to_json(&ix->key.hash), "projection",
                          projection_names[ix->projection], "rcu", (json_int_t)ix->rcu, "wcu",
                          (json_int_t)ix->wcu, "lastIncrease", (json_int_t)ix->last_increase_ms,
                          "lastDecrease", (json_int_t)ix->last_decrease_ms, "decreasesToday",
                          ix->decreases_today, "created", (json_int_t)ix->created_ms, "status",
                          ix->status, "backfilling", ix->backfilling, "db", ix->dbname);
    if (!o)
        return NULL;
    if (ix->key.range.name)
        json_object_set_new(o, "range", attr_to_json(&ix->key.range));
    if (ix->n_non_key) {
        json_t *nk = json_array();
        for (size_t i = 0; i < ix->n_non_key; i++)
            json_array_append_new(nk, json_string(ix->non_key[i]));
        json_object_set_new(o, "nonKey", nk);
    }
    return o;
}

static json_t *
def_to_json(const struct table_def *d)
{
    json_t *attrs = json_array(), *indexes = json_array();
    for (size_t i = 0; i < d->n_attrs; i++)
        json_array_append_new(attrs, attr_to_json(&d->attrs[i]));
    for (size_t i = 0; i < d->n_indexes; i++)
        json_array_append_new(indexes, index_to_json(&d->indexes[i]));
    json_t *o = json_pack(
        "{s:i, s:s, s:s, s:s, s:o, s:o, s:s, s:I, s:I, s:I, s:I, s:I, s:i, s:I, s:b, s:o}", "v",
        1, "name", d->name, "uuid", d->uuid, "db", d->dbname, "hash",
        attr_to_json(&d->key.hash), "attrs", attrs, "billing",
        d->billing == KV_PAY_PER_REQUEST ? "PAY_PER_REQUEST" : "PROVISIONED", "rcu",
        (json_int_t)d->rcu, "wcu", (json_int_t)d->wcu, "created", (json_int_t)d->created_ms,
        "lastIncrease", (json_int_t)d->last_increase_ms, "lastDecrease",
        (json_int_t)d->last_decrease_ms, "decreasesToday", d->decreases_today,
        "payPerRequestSince", (json_int_t)d->pay_per_request_ms, "deletionProtection",
        d->deletion_protection, "indexes", indexes);
    if (o && d->key.range.name)
        json_object_set_new(o, "range", attr_to_json(&d->key.range));
    if (o) {
        json_t *sw = json_array();
        for (int i = 0; i < 4 && d->on_demand_switches[i]; i++)
            json_array_append_new(sw, json_integer((json_int_t)d->on_demand_switches[i]));
        json_object_set_new(o, "onDemandSwitches", sw);
        json_object_set_new(o, "provisionedSince", json_integer((json_int_t)d->provisioned_ms));
    }
    return o;
}

/* Decoding trusts nothing: a damaged record is KV_CORRUPT, never a crash. */
static const char *
jstr(struct arena *a, json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_string(v))
        return NULL;
    return arena_strndup(a, json_string_value(v), json_string_length(v));
}

static int64_t
jint(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static int
attr_from_json(struct arena *a, json_t *o, struct attr_def *out)
{
    const char *type;
    if (!json_is_object(o) || !(out->name = jstr(a, o, "name")) || !(type = jstr(a, o, "type")))
        return -1;
    out->type = (uint8_t)type_from_name(type, strlen(type));
    return out->type == KV_S || out->type == KV_N || out->type == KV_B ? 0 : -1;
}

static int
index_from_json(struct arena *a, json_t *o, struct index_def *ix)
{
    const char *proj, *db;
    json_t *range = json_object_get(o, "range"), *nk = json_object_get(o, "nonKey");
    if (!(ix->name = jstr(a, o, "name")) || !(ix->status = jstr(a, o, "status")) ||
        !(proj = jstr(a, o, "projection")) || !(db = jstr(a, o, "db")) ||
        strlen(db) >= DBNAME_MAX || attr_from_json(a, json_object_get(o, "hash"), &ix->key.hash))
        return -1;
    if (range && attr_from_json(a, range, &ix->key.range))
        return -1;
    snprintf(ix->dbname, sizeof ix->dbname, "%s", db);
    ix->global = json_is_true(json_object_get(o, "global"));
    ix->backfilling = json_is_true(json_object_get(o, "backfilling"));
    ix->rcu = jint(o, "rcu");
    ix->wcu = jint(o, "wcu");
    ix->last_increase_ms = jint(o, "lastIncrease");
    ix->last_decrease_ms = jint(o, "lastDecrease");
    ix->decreases_today = (int)jint(o, "decreasesToday");
    ix->created_ms = jint(o, "created");
    ix->projection = 3;
    for (uint8_t p = 0; p < 3; p++)
        if (strcmp(proj, projection_names[p]) == 0)
            ix->projection = p;
    if (ix->projection == 3)
        return -1;
    if (json_is_array(nk)) {
        ix->n_non_key = json_array_size(nk);
        if (!(ix->non_key = arena_alloc(a, ix->n_non_key * sizeof *ix->non_key)))
            return -1;
        for (size_t i = 0; i < ix->n_non_key; i++) {
            json_t *s = json_array_get(nk, i);
            if (!json_is_string(s) || !(ix->non_key[i] = arena_strndup(a, json_string_value(s),
                                                                       json_string_length(s))))
                return -1;
        }
    }
    return 0;
}

static int
def_fill(struct table_def *d, json_t *o)
{
    struct arena *a = d->arena;
    const char *uuid, *db, *billing;
    json_t *attrs = json_object_get(o, "attrs"), *ixs = json_object_get(o, "indexes");
    json_t *range = json_object_get(o, "range");
    if (!(d->name = jstr(a, o, "name")) || !(uuid = jstr(a, o, "uuid")) ||
        !(db = jstr(a, o, "db")) || !(billing = jstr(a, o, "billing")) ||
        strlen(uuid) >= sizeof d->uuid || strlen(db) >= DBNAME_MAX || !json_is_array(attrs) ||
        attr_from_json(a, json_object_get(o, "hash"), &d->key.hash))
        return -1;
    if (range && attr_from_json(a, range, &d->key.range))
        return -1;
    snprintf(d->uuid, sizeof d->uuid, "%s", uuid);
    snprintf(d->dbname, sizeof d->dbname, "%s", db);
    d->billing = strcmp(billing, "PAY_PER_REQUEST") == 0 ? KV_PAY_PER_REQUEST : KV_PROVISIONED;
    d->rcu = jint(o, "rcu");
    d->wcu = jint(o, "wcu");
    d->created_ms = jint(o, "created");
    d->last_increase_ms = jint(o, "lastIncrease");
    d->last_decrease_ms = jint(o, "lastDecrease");
    d->decreases_today = (int)jint(o, "decreasesToday");
    d->pay_per_request_ms = jint(o, "payPerRequestSince");
    d->provisioned_ms = jint(o, "provisionedSince");
    d->deletion_protection = json_is_true(json_object_get(o, "deletionProtection"));
    json_t *sw = json_object_get(o, "onDemandSwitches");
    for (size_t i = 0; i < 4 && i < json_array_size(sw); i++)
        d->on_demand_switches[i] = (int64_t)json_integer_value(json_array_get(sw, i));
    d->n_attrs = json_array_size(attrs);
    if (!(d->attrs = arena_calloc(a, d->n_attrs * sizeof *d->attrs)))
        return -1;
    for (size_t i = 0; i < d->n_attrs; i++)
        if (attr_from_json(a, json_array_get(attrs, i), &d->attrs[i]))
            return -1;
    d->n_indexes = json_is_array(ixs) ? json_array_size(ixs) : 0;
    if (!(d->indexes = arena_calloc(a, d->n_indexes * sizeof *d->indexes)))
        return -1;
    for (size_t i = 0; i < d->n_indexes; i++)
        if (index_from_json(a, json_array_get(ixs, i), &d->indexes[i]))
            return -1;
    return 0;
}

static kv_status
def_decode(const MDB_val *v, struct table_def **out, struct kv_err *err)
{
    json_error_t jerr;
    json_t *o = json_loadb(v->mv_data, v->mv_size, 0, &jerr);
    if (!o)
        return ERR_CORRUPT(err, "table description is not JSON: %s", jerr.text);
    struct table_def *d = mem_calloc(1, sizeof *d);
    if (!d || !(d->arena = arena_new())) {
        mem_free(d);
        json_decref(o);
        return err_nomem(err);
    }
    int bad = def_fill(d, o);
    json_decref(o);
    if (bad) {
        table_def_free(d);
        return ERR_CORRUPT(err, "table description is damaged");
    }
    *out = d;
    return KV_OK;
}

void
table_def_free(struct table_def *d)
{
    if (!d)
        return;
    arena_free(d->arena);
    mem_free(d);
}

struct table_def *
table_def_clone(const struct table_def *src)
{
    json_t *o = def_to_json(src);
    if (!o)
        return NULL;
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!text)
        return NULL;
    struct table_def *d = NULL;
    struct kv_err e;
    err_init(&e);
    MDB_val v = {strlen(text), text};
    def_decode(&v, &d, &e);
    err_clear(&e);
    free(text);
    return d;
}

int
table_attr_type(const struct table_def *def, const char *name)
{
    for (size_t i = 0; i < def->n_attrs; i++)
        if (strcmp(def->attrs[i].name, name) == 0)
            return def->attrs[i].type;
    return 0;
}

/* --- cache and lookups ------------------------------------------------------ */

void
catalog_cache_clear(struct thread_state *ts)
{
    for (size_t i = 0; i < ts->n_cache; i++)
        table_def_free(ts->cache[i]);
    ts->n_cache = 0;
}

/* The thread's cache of catalog records for t's snapshot, emptied when the
 * snapshot differs from the cached one; NULL for write transactions,
 * whose records change as they run. */
static struct snap_cache *
snap_for(struct txn *t)
{
    if (t->write)
        return NULL;
    struct snap_cache *c = &t->ts->snap;
    uint64_t id = (uint64_t)mdb_txn_id(t->txn);
    if (c->txn_id != id) {
        c->txn_id = id;
        c->have_gen = false;
        c->n_stats = 0;
    }
    return c;
}

static kv_status
read_gen(struct txn *t)
{
    if (t->have_gen)
        return KV_OK;
    struct snap_cache *c = snap_for(t);
    if (c && c->have_gen) {
        t->gen = c->gen;
        t->have_gen = true;
        return KV_OK;
    }
    MDB_val k = {1, (void *)&KEY_GEN}, v;
    int rc = mdb_get(t->txn, t->db->catalog, &k, &v);
    if (rc == MDB_NOTFOUND) {
        t->gen = 0;
    } else if (rc) {
        return txn_check(t, rc, "reading the catalog");
    } else if (v.mv_size != 8) {
        return ERR_CORRUPT(t->err, "catalog generation is damaged");
    } else {
        t->gen = get_be64(v.mv_data);
    }
    t->have_gen = true;
    if (c) {
        c->gen = t->gen;
        c->have_gen = true;
    }
    return KV_OK;
}

static kv_status
cache_add(struct thread_state *ts, struct table_def *d, struct kv_err *err)
{
    if (ts->n_cache == ts->cap_cache) {
        size_t cap = ts->cap_cache ? ts->cap_cache * 2 : 8;
        struct table_def **c = mem_realloc(ts->cache, cap * sizeof *c);
        if (!c)
            return err_nomem(err);
        ts->cache = c;
        ts->cap_cache = cap;
    }
    ts->cache[ts->n_cache++] = d;
    return KV_OK;
}

kv_status
catalog_get(struct txn *t, const char *name, size_t len, struct table_def **out)
{
    *out = NULL;
    kv_status st = read_gen(t);
    if (st != KV_OK)
        return st;
    struct thread_state *ts = t->ts;
    if (ts->cache_gen != t->gen) {
        catalog_cache_clear(ts);
        ts->cache_gen = t->gen;
    }
    for (size_t i = 0; i < ts->n_cache; i++) {
        const char *n = ts->cache[i]->name;
        if (strlen(n) == len && memcmp(n, name, len) == 0) {
            *out = ts->cache[i];
            return KV_OK;
        }
    }
    if (len > TABLE_NAME_MAX)
        return KV_OK;
    uint8_t kb[TABLE_NAME_MAX + 1];
    MDB_val k = ckey(kb, 't', name, len), v;
    int rc = mdb_get(t->txn, t->db->catalog, &k, &v);
    if (rc == MDB_NOTFOUND)
        return KV_OK;
    if (rc)
        return txn_check(t, rc, "reading the catalog");
    struct table_def *d;
    if ((st = def_decode(&v, &d, t->err)) != KV_OK)
        return st;
    if ((st = cache_add(ts, d, t->err)) != KV_OK) {
        table_def_free(d);
        return st;
    }
    *out = d;
    return KV_OK;
}

static kv_status
bump_gen(struct txn *t)
{
    kv_status st = read_gen(t);
    if (st != KV_OK)
        return st;
    uint8_t b[8];
    put_be64(b, t->gen + 1);
    MDB_val k = {1, (void *)&KEY_GEN}, v = {8, b};
    st = txn_check(t, mdb_put(t->txn, t->db->catalog, &k, &v, 0), "writing the catalog");
    if (st == KV_OK)
        t->gen++;
    return st;
}

kv_status
catalog_put(struct txn *t, const struct table_def *def)
{
    json_t *o = def_to_json(def);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!text)
        return err_nomem(t->err);
    uint8_t kb[TABLE_NAME_MAX + 1];
    MDB_val k = ckey(kb, 't', def->name, strlen(def->name));
    MDB_val v = {strlen(text), text};
    kv_status st = txn_check(t, mdb_put(t->txn, t->db->catalog, &k, &v, 0),
                             "writing the catalog");
    free(text);
    return st == KV_OK ? bump_gen(t) : st;
}

/* --- the pool of named databases --------------------------------------------- */

static kv_status
pool_return(struct txn *t, const char *dbname)
{
    MDB_dbi dbi;
    kv_status st = txn_dbi(t, dbname, &dbi);
    if (st != KV_OK)
        return st;
    if ((st = txn_check(t, mdb_drop(t->txn, dbi, 0), "emptying a table")) != KV_OK ||
        (st = collection_drop(t, dbname)) != KV_OK)
        return st;
    uint8_t kb[DBNAME_MAX + 1];
    MDB_val k = ckey(kb, 's', dbname, strlen(dbname)), empty = {0, ""};
    int rc = mdb_del(t->txn, t->db->catalog, &k, NULL);
    if (rc && rc != MDB_NOTFOUND)
        return txn_check(t, rc, "writing the catalog");
    k = ckey(kb, 'p', dbname, strlen(dbname));
    return txn_check(t, mdb_put(t->txn, t->db->catalog, &k, &empty, 0), "writing the catalog");
}

kv_status
catalog_release_db(struct txn *t, const char *dbname)
{
    return pool_return(t, dbname);
}

kv_status
catalog_remove(struct txn *t, const struct table_def *def)
{
    kv_status st;
    for (size_t i = 0; i < def->n_indexes; i++)
        if ((st = pool_return(t, def->indexes[i].dbname)) != KV_OK)
            return st;
    if ((st = pool_return(t, def->dbname)) != KV_OK)
        return st;
    uint8_t kb[TABLE_NAME_MAX + 1];
    MDB_val k = ckey(kb, 't', def->name, strlen(def->name));
    if ((st = txn_check(t, mdb_del(t->txn, t->db->catalog, &k, NULL), "writing the catalog")))
        return st;
    return bump_gen(t);
}

kv_status
catalog_take_db(struct txn *t, char dbname[DBNAME_MAX])
{
    MDB_cursor *c;
    kv_status st = txn_check(t, mdb_cursor_open(t->txn, t->db->catalog, &c), "reading the catalog");
    if (st != KV_OK)
        return st;
    uint8_t p = 'p';
    MDB_val k = {1, &p}, v;
    int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    if (rc == 0 && k.mv_size > 1 && k.mv_size <= DBNAME_MAX && ((uint8_t *)k.mv_data)[0] == 'p') {
        memcpy(dbname, (char *)k.mv_data + 1, k.mv_size - 1);
        dbname[k.mv_size - 1] = '\0';
        rc = mdb_cursor_del(c, 0);
        mdb_cursor_close(c);
        if ((st = txn_check(t, rc, "writing the catalog")) != KV_OK)
            return st;
        MDB_dbi dbi; /* make sure this process can use it before committing */
        return txn_dbi(t, dbname, &dbi);
    }
    mdb_cursor_close(c);
    if (rc && rc != MDB_NOTFOUND)
        return txn_check(t, rc, "reading the catalog");
    t->retry = RETRY_POOL;
    return KV_RETRY;
}

/*
 * New named databases must be created in a write transaction, and LMDB
 * requires that no other transaction of the process opens a handle until
 * that one ends.  Taking db->lock after LMDB's writer lock keeps the lock
 * order the same everywhere (writer lock, then db->lock), so this cannot
 * deadlock with a writer looking up a handle.
 */
kv_status
catalog_refill_pool(struct kv_db *db, struct kv_err *err)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(db->env, NULL, 0, &txn);
    if (rc)
        return db_lmdb_error(rc, "creating tables", err);
    pthread_mutex_lock(&db->lock);
    MDB_val k = {1, (void *)&KEY_COUNTER}, v;
    uint64_t next = 0;
    rc = mdb_get(txn, db->catalog, &k, &v);
    if (rc == 0 && v.mv_size == 8)
        next = get_be64(v.mv_data);
    else if (rc == MDB_NOTFOUND)
        rc = 0;
    char names[POOL_REFILL][DBNAME_MAX];
    MDB_dbi dbis[POOL_REFILL];
    for (int i = 0; i < POOL_REFILL && rc == 0; i++) {
        snprintf(names[i], DBNAME_MAX, "d%llu", (unsigned long long)(next + i));
        uint8_t kb[DBNAME_MAX + 1];
        MDB_val pk = ckey(kb, 'p', names[i], strlen(names[i])), empty = {0, ""};
        if (!(rc = mdb_dbi_open(txn, names[i], MDB_CREATE, &dbis[i])))
            rc = mdb_put(txn, db->catalog, &pk, &empty, 0);
    }
    uint8_t b[8];
    put_be64(b, next + POOL_REFILL);
    v = (MDB_val){8, b};
    if (rc == 0)
        rc = mdb_put(txn, db->catalog, &k, &v, 0);
    if (rc == 0)
        rc = mdb_txn_commit(txn);
    else
        mdb_txn_abort(txn);
    kv_status st = KV_OK;
    if (rc == MDB_MAP_FULL) {
        pthread_mutex_unlock(&db->lock);
        return KV_RETRY; /* the caller grows the map */
    }
    if (rc)
        st = db_lmdb_error(rc, "creating tables", err);
    for (int i = 0; i < POOL_REFILL && st == KV_OK; i++)
        st = db_dbi_remember_locked(db, names[i], dbis[i], err);
    pthread_mutex_unlock(&db->lock);
    return st;
}

/* --- listing and counters ----------------------------------------------------- */

kv_status
catalog_list(struct txn *t, struct arena *a, const char *start, size_t start_len, size_t limit,
             const char ***names, size_t *count, bool *more)
{
    *count = 0;
    *more = false;
    const char **out = arena_alloc(a, (limit ? limit : 1) * sizeof *out);
    if (!out)
        return err_nomem(t->err);
    *names = out;
    MDB_cursor *c;
    kv_status st = txn_check(t, mdb_cursor_open(t->txn, t->db->catalog, &c), "reading the catalog");
    if (st != KV_OK)
        return st;
    uint8_t kb[TABLE_NAME_MAX + 2];
    size_t n = start_len > TABLE_NAME_MAX ? TABLE_NAME_MAX : start_len;
    MDB_val k = ckey(kb, 't', start, start ? n : 0), v;
    int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && k.mv_size > 1 && ((uint8_t *)k.mv_data)[0] == 't') {
        const char *name = (const char *)k.mv_data + 1;
        size_t len = k.mv_size - 1;
        bool after = !start || len != n || memcmp(name, start, n) != 0;
        if (after) {
            if (*count == limit) {
                *more = true;
                break;
            }
            if (!(out[*count] = arena_strndup(a, name, len))) {
                st = err_nomem(t->err);
                break;
            }
            (*count)++;
        }
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(c);
    if (st == KV_OK && rc && rc != MDB_NOTFOUND)
        st = txn_check(t, rc, "reading the catalog");
    return st;
}

kv_status
catalog_stats_get(struct txn *t, const char *dbname, struct table_stats *out)
{
    uint8_t kb[DBNAME_MAX + 1];
    memset(out, 0, sizeof *out);
    struct snap_cache *c = snap_for(t);
    for (size_t i = 0; c && i < c->n_stats; i++)
        if (strcmp(c->stats[i].dbname, dbname) == 0) {
            out->item_count = c->stats[i].item_count;
            out->size_bytes = c->stats[i].size_bytes;
            return KV_OK;
        }
    size_t len = strlen(dbname);
    MDB_val k = ckey(kb, 's', dbname, len), v;
    int rc = mdb_get(t->txn, t->db->catalog, &k, &v);
    if (rc && rc != MDB_NOTFOUND)
        return txn_check(t, rc, "reading table counters");
    if (rc == 0 && v.mv_size != 16)
        return ERR_CORRUPT(t->err, "table counters are damaged");
    if (rc == 0) {
        out->item_count = get_be64(v.mv_data);
        out->size_bytes = get_be64((uint8_t *)v.mv_data + 8);
    }
    if (c && c->n_stats < SNAP_STATS && len < sizeof c->stats[0].dbname) {
        memcpy(c->stats[c->n_stats].dbname, dbname, len + 1);
        c->stats[c->n_stats].item_count = out->item_count;
        c->stats[c->n_stats].size_bytes = out->size_bytes;
        c->n_stats++;
    }
    return KV_OK;
}

kv_status
catalog_stats_add(struct txn *t, const char *dbname, int64_t items, int64_t bytes)
{
    if (items == 0 && bytes == 0)
        return KV_OK;
    struct table_stats s;
    kv_status st = catalog_stats_get(t, dbname, &s);
    if (st != KV_OK)
        return st;
    s.item_count += (uint64_t)items;
    s.size_bytes += (uint64_t)bytes;
    uint8_t kb[DBNAME_MAX + 1], b[16];
    put_be64(b, s.item_count);
    put_be64(b + 8, s.size_bytes);
    MDB_val k = ckey(kb, 's', dbname, strlen(dbname)), v = {16, b};
    return txn_check(t, mdb_put(t->txn, t->db->catalog, &k, &v, 0), "writing table counters");
}

/* --- idempotency tokens ------------------------------------------------------ */

#define TOKEN_KEY_MAX 64

/* 'y', the time, the token: where a token is listed by age. */
static MDB_val
token_age_key(uint8_t *buf, int64_t time_ms, const char *token, size_t len)
{
    buf[0] = 'y';
    put_be64(buf + 1, (uint64_t)time_ms);
    memcpy(buf + 9, token, len);
    return (MDB_val){len + 9, buf};
}

kv_status
catalog_token_get(struct txn *t, const char *token, size_t len, int64_t *time_ms,
                  const uint8_t **record, size_t *record_len, bool *found)
{
    uint8_t kb[TOKEN_KEY_MAX];
    *found = false;
    if (len + 9 > sizeof kb)
        return ERR_MISUSE(t->err, "idempotency token too long");
    MDB_val k = ckey(kb, 'x', token, len), v;
    int rc = mdb_get(t->txn, t->db->catalog, &k, &v);
    if (rc == MDB_NOTFOUND)
        return KV_OK;
    if (rc)
        return txn_check(t, rc, "reading an idempotency token");
    if (v.mv_size < 8)
        return ERR_CORRUPT(t->err, "an idempotency token record is damaged");
    *time_ms = (int64_t)get_be64(v.mv_data);
    *record = (const uint8_t *)v.mv_data + 8;
    *record_len = v.mv_size - 8;
    *found = true;
    return KV_OK;
}

kv_status
catalog_token_put(struct txn *t, const char *token, size_t len, int64_t time_ms,
                  const void *record, size_t record_len)
{
    uint8_t kb[TOKEN_KEY_MAX], ab[TOKEN_KEY_MAX];
    int64_t old_ms;
    const uint8_t *old;
    size_t old_len;
    bool found;
    kv_status st = catalog_token_get(t, token, len, &old_ms, &old, &old_len, &found);
    if (st != KV_OK)
        return st;
    MDB_val k, v = {8 + record_len, NULL};
    if (found) {
        k = token_age_key(ab, old_ms, token, len);
        int rc = mdb_del(t->txn, t->db->catalog, &k, NULL);
        if (rc && rc != MDB_NOTFOUND)
            return txn_check(t, rc, "replacing an idempotency token");
    }
    k = ckey(kb, 'x', token, len);
    int rc = mdb_put(t->txn, t->db->catalog, &k, &v, MDB_RESERVE);
    if (rc == 0) {
        put_be64(v.mv_data, (uint64_t)time_ms);
        if (record_len)
            memcpy((uint8_t *)v.mv_data + 8, record, record_len);
        MDB_val age = token_age_key(ab, time_ms, token, len), empty = {0, NULL};
        rc = mdb_put(t->txn, t->db->catalog, &age, &empty, 0);
    }
    return txn_check(t, rc, "storing an idempotency token");
}

kv_status
catalog_token_expire(struct txn *t, int64_t before_ms, size_t limit)
{
    /* Each round looks up the oldest token afresh: deleting under an open
     * cursor of the same database would leave its position in question. */
    for (size_t done = 0; done < limit; done++) {
        uint8_t first = 'y', age[TOKEN_KEY_MAX], tok[TOKEN_KEY_MAX];
        MDB_val k = {1, &first}, v;
        MDB_cursor *c;
        int rc = mdb_cursor_open(t->txn, t->db->catalog, &c);
        if (rc == 0) {
            rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
            mdb_cursor_close(c);
        }
        if (rc == MDB_NOTFOUND)
            return KV_OK;
        if (rc)
            return txn_check(t, rc, "expiring idempotency tokens");
        const uint8_t *kp = k.mv_data;
        if (k.mv_size <= 9 || k.mv_size > sizeof age || kp[0] != 'y' ||
            (int64_t)get_be64(kp + 1) >= before_ms)
            return KV_OK;
        size_t len = k.mv_size - 9;
        memcpy(age, kp, k.mv_size);
        MDB_val ak = {k.mv_size, age}, tk = ckey(tok, 'x', (const char *)age + 9, len);
        rc = mdb_del(t->txn, t->db->catalog, &ak, NULL);
        if (rc == 0)
            rc = mdb_del(t->txn, t->db->catalog, &tk, NULL);
        if (rc && rc != MDB_NOTFOUND)
            return txn_check(t, rc, "expiring idempotency tokens");
    }
    return KV_OK;
}
