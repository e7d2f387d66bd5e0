/*
 * engine_raw.c -- the baseline: LMDB called directly.
 *
 * The same storage work as the library without its data model: the item
 * is an opaque value of the item's size under the key pk|sk; each global
 * index is a named database of keys g|pk|sk holding pk|sk (a KEYS_ONLY
 * projection).  A put on a table with indexes reads the old value first,
 * as index upkeep must; an update reads, changes eight bytes and writes
 * back.  Reads copy each value out, as the library copies what it decodes.
 * Read transactions are reset and renewed per thread, as the library's
 * are.
 */
#include "bench.h"

#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct raw {
    MDB_env *env;
    MDB_dbi items, gsi[2];
    struct setup s;
    bool sync;
};

struct raw_thread {
    struct raw *r;
    MDB_txn *rtxn;
    uint8_t *value; /* item_size bytes: the value written */
    uint8_t *copy;  /* item_size bytes: where reads copy to */
};

#define KEY_LEN 18

static int
fail(const char *what, int rc)
{
    fprintf(stderr, "raw LMDB: %s: %s\n", what, mdb_strerror(rc));
    return -1;
}

static void
item_key(uint64_t i, uint8_t out[KEY_LEN])
{
    char pk[24], sk[24];
    data_pk(i, pk);
    data_sk(i, sk);
    memcpy(out, pk, 9);
    memcpy(out + 9, sk, 9);
}

/* Room for the items and their index entries three times over (LMDB's
 * copy-on-write needs slack); the map does not grow by itself. */
static size_t
map_size(const struct setup *s)
{
    size_t per_item = (s->item_size + 128) * (1 + s->gsis) + 64 * s->gsis;
    size_t want = (size_t)s->n_items * per_item * 3;
    return want < ((size_t)256 << 20) ? (size_t)256 << 20 : want;
}

static void *
raw_open(const char *dir, const struct setup *s, const struct variant *v, bool create)
{
    struct raw *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->s = *s;
    r->sync = v->sync;
    int rc;
    MDB_txn *txn = NULL;
    if ((rc = mdb_env_create(&r->env)) || (rc = mdb_env_set_maxdbs(r->env, 8)) ||
        (rc = mdb_env_set_mapsize(r->env, map_size(s))) ||
        (rc = mdb_env_set_maxreaders(r->env, 1024)) ||
        (rc = mdb_env_open(r->env, dir, MDB_NOTLS | (v->sync ? 0 : MDB_NOSYNC), 0600))) {
        fail("opening", rc);
        goto bad;
    }
    unsigned flags = create ? MDB_CREATE : 0;
    if ((rc = mdb_txn_begin(r->env, NULL, 0, &txn)) ||
        (rc = mdb_dbi_open(txn, "items", flags, &r->items)) ||
        (s->gsis > 0 && (rc = mdb_dbi_open(txn, "g1", flags, &r->gsi[0]))) ||
        (s->gsis > 1 && (rc = mdb_dbi_open(txn, "g2", flags, &r->gsi[1]))) ||
        (rc = mdb_txn_commit(txn))) {
        fail("opening the databases", rc);
        goto bad;
    }
    return r;
bad:
    if (r->env)
        mdb_env_close(r->env);
    free(r);
    return NULL;
}

static void
raw_close(void *e)
{
    struct raw *r = e;
    mdb_env_close(r->env);
    free(r);
}

static void *
raw_thread_begin(void *e)
{
    struct raw *r = e;
    struct raw_thread *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->r = r;
    t->value = malloc(r->s.item_size);
    t->copy = malloc(r->s.item_size);
    if (!t->value || !t->copy) {
        free(t->value);
        free(t->copy);
        free(t);
        return NULL;
    }
    memset(t->value, 'x', r->s.item_size);
    return t;
}

static void
raw_thread_end(void *ctx)
{
    struct raw_thread *t = ctx;
    if (t->rtxn)
        mdb_txn_abort(t->rtxn);
    free(t->value);
    free(t->copy);
    free(t);
}

/* The body of a put of item i inside txn. */
static int
put_in(struct raw_thread *t, MDB_txn *txn, uint64_t i, unsigned put_flags)
{
    struct raw *r = t->r;
    uint8_t kb[KEY_LEN];
    item_key(i, kb);
    MDB_val k = {KEY_LEN, kb}, v;
    int rc;
    if (r->s.gsis > 0) {
        rc = mdb_get(txn, r->items, &k, &v);
        if (rc && rc != MDB_NOTFOUND)
            return fail("reading the old value", rc);
        if (rc == 0)
            memcpy(t->copy, v.mv_data, v.mv_size < r->s.item_size ? v.mv_size : r->s.item_size);
    }
    memcpy(t->value, &i, sizeof i);
    v.mv_size = r->s.item_size;
    v.mv_data = t->value;
    if ((rc = mdb_put(txn, r->items, &k, &v, put_flags)))
        return fail("put", rc);
    for (unsigned g = 0; g < r->s.gsis; g++) {
        uint8_t ib[9 + KEY_LEN];
        char gv[24];
        (g == 0 ? data_g1 : data_g2)(i, gv);
        memcpy(ib, gv, 9);
        memcpy(ib + 9, kb, KEY_LEN);
        MDB_val ik = {sizeof ib, ib}, iv = {KEY_LEN, kb};
        if ((rc = mdb_put(txn, r->gsi[g], &ik, &iv, 0)))
            return fail("index put", rc);
    }
    return 0;
}

static int
raw_load(void *e, uint64_t n)
{
    struct raw *r = e;
    struct raw_thread *t = raw_thread_begin(r);
    if (!t)
        return -1;
    int ret = 0;
    for (uint64_t i = 0; i < n && ret == 0;) {
        MDB_txn *txn;
        int rc = mdb_txn_begin(r->env, NULL, 0, &txn);
        if (rc) {
            ret = fail("begin", rc);
            break;
        }
        uint64_t end = i + 10000 < n ? i + 10000 : n;
        for (; i < end && ret == 0; i++)
            ret = put_in(t, txn, i, 0);
        if (ret == 0 && (rc = mdb_txn_commit(txn)))
            ret = fail("commit", rc);
        else if (ret)
            mdb_txn_abort(txn);
    }
    raw_thread_end(t);
    return ret;
}

static int
write_begin(struct raw_thread *t, MDB_txn **txn)
{
    int rc = mdb_txn_begin(t->r->env, NULL, 0, txn);
    return rc ? fail("begin", rc) : 0;
}

static int
write_end(MDB_txn *txn, int ret)
{
    if (ret) {
        mdb_txn_abort(txn);
        return ret;
    }
    int rc = mdb_txn_commit(txn);
    return rc ? fail("commit", rc) : 0;
}

static int
read_begin(struct raw_thread *t)
{
    int rc;
    if (t->rtxn)
        rc = mdb_txn_renew(t->rtxn);
    else
        rc = mdb_txn_begin(t->r->env, NULL, MDB_RDONLY, &t->rtxn);
    return rc ? fail("begin read", rc) : 0;
}

static int64_t
op_get(struct raw_thread *t, uint64_t i)
{
    if (read_begin(t))
        return -1;
    uint8_t kb[KEY_LEN];
    item_key(i, kb);
    MDB_val k = {KEY_LEN, kb}, v;
    int rc = mdb_get(t->rtxn, t->r->items, &k, &v);
    if (rc == 0)
        memcpy(t->copy, v.mv_data, v.mv_size < t->r->s.item_size ? v.mv_size : t->r->s.item_size);
    mdb_txn_reset(t->rtxn);
    return rc ? fail("get", rc) : 1;
}

static int64_t
op_update(struct raw_thread *t, uint64_t i)
{
    MDB_txn *txn;
    if (write_begin(t, &txn))
        return -1;
    uint8_t kb[KEY_LEN];
    item_key(i, kb);
    MDB_val k = {KEY_LEN, kb}, v;
    int ret = 0, rc = mdb_get(txn, t->r->items, &k, &v);
    if (rc) {
        ret = fail("get", rc);
    } else {
        size_t n = v.mv_size < t->r->s.item_size ? v.mv_size : t->r->s.item_size;
        memcpy(t->value, v.mv_data, n);
        memcpy(t->value + n / 2, &i, n >= 16 ? sizeof i : 0);
        v.mv_data = t->value;
        v.mv_size = n;
        if ((rc = mdb_put(txn, t->r->items, &k, &v, 0)))
            ret = fail("put", rc);
    }
    return write_end(txn, ret) ? -1 : 1;
}

/* Walk the cursor from `from` while keys begin with `prefix` (all keys when
 * plen is 0), copying each value; returns the items walked. */
static int64_t
walk(struct raw_thread *t, const uint8_t *prefix, size_t plen)
{
    if (read_begin(t))
        return -1;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->rtxn, t->r->items, &cur);
    if (rc) {
        mdb_txn_reset(t->rtxn);
        return fail("cursor", rc);
    }
    MDB_val k = {plen, (void *)prefix}, v;
    int64_t n = 0;
    rc = mdb_cursor_get(cur, &k, &v, plen ? MDB_SET_RANGE : MDB_FIRST);
    while (rc == 0 && (plen == 0 || (k.mv_size >= plen && memcmp(k.mv_data, prefix, plen) == 0))) {
        memcpy(t->copy, v.mv_data, v.mv_size < t->r->s.item_size ? v.mv_size : t->r->s.item_size);
        n++;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    mdb_txn_reset(t->rtxn);
    if (rc && rc != MDB_NOTFOUND)
        return fail("cursor walk", rc);
    return n;
}

static int64_t
raw_op(void *ctx, enum workload w, uint64_t r)
{
    struct raw_thread *t = ctx;
    const struct setup *s = &t->r->s;
    MDB_txn *txn;
    int ret;
    switch (w) {
    case WL_PUT_SYNC:
    case WL_PUT:
        if (write_begin(t, &txn))
            return -1;
        ret = put_in(t, txn, data_item(s, r), 0);
        return write_end(txn, ret) ? -1 : 1;
    case WL_GET:
        return op_get(t, data_item(s, r));
    case WL_UPDATE:
        return op_update(t, data_item(s, r));
    case WL_QUERY: {
        char pk[24];
        data_pk(data_partition(s, r) * ITEMS_PER_PARTITION, pk);
        return walk(t, (const uint8_t *)pk, 9);
    }
    case WL_SCAN:
        return walk(t, NULL, 0);
    case WL_BATCH: {
        if (write_begin(t, &txn))
            return -1;
        uint64_t start = data_batch_start(s, r);
        ret = 0;
        for (size_t j = 0; j < BATCH_SIZE && ret == 0; j++)
            ret = put_in(t, txn, data_batch_item(s, start, j), 0);
        return write_end(txn, ret) ? -1 : BATCH_SIZE;
    }
    default:
        return -1;
    }
}

static bool
raw_supports(const struct variant *v, enum workload w)
{
    (void)v;
    (void)w;
    return true;
}

const struct engine engine_raw = {
    .name = "raw LMDB",
    .open = raw_open,
    .close = raw_close,
    .load = raw_load,
    .thread_begin = raw_thread_begin,
    .thread_end = raw_thread_end,
    .op = raw_op,
    .supports = raw_supports,
};
