/*
 * rangecur.c -- ordered reading of a partition; see rangecur.h.
 */
#include "rangecur.h"
#include "arena.h"
#include "err.h"
#include "itemcodec.h"
#include "keycodec.h"
#include "txn.h"
#include "value.h"

#include <stdlib.h>
#include <string.h>

static bool
in_partition(const struct rangecur *rc, const MDB_val *k)
{
    return k->mv_size >= rc->prefix_len && memcmp(k->mv_data, rc->prefix, rc->prefix_len) == 0;
}

static bool
truncated(const struct rangecur *rc, const MDB_val *k)
{
    return keycodec_is_truncated(k->mv_data, k->mv_size, rc->prefix_len, rc->index);
}

/* Whether b is a truncated key of the same group as truncated key a. */
static bool
same_group(const struct rangecur *rc, const MDB_val *a, const MDB_val *b)
{
    if (!truncated(rc, b) || a->mv_size != b->mv_size)
        return false;
    return memcmp(a->mv_data, b->mv_data, keycodec_group_len(a->mv_size, rc->index)) == 0;
}

kv_status
rangecur_open(struct rangecur *rc, struct txn *t, MDB_dbi dbi, struct arena *a,
              const uint8_t *prefix, size_t prefix_len, bool forward, bool index,
              const char *sort_attr)
{
    memset(rc, 0, sizeof *rc);
    rc->t = t;
    rc->a = a;
    rc->prefix = prefix;
    rc->prefix_len = prefix_len;
    rc->forward = forward;
    rc->index = index;
    rc->sort_attr = sort_attr;
    return txn_check(t, mdb_cursor_open(t->txn, dbi, &rc->c), "reading a table");
}

void
rangecur_close(struct rangecur *rc)
{
    if (rc->c)
        mdb_cursor_close(rc->c);
    rc->c = NULL;
}

/* Move one step; valid says whether we are still on an entry in range. */
static kv_status
step(struct rangecur *rc, MDB_cursor_op op)
{
    int r = mdb_cursor_get(rc->c, &rc->key, &rc->val, op);
    if (r == MDB_NOTFOUND) {
        rc->valid = false;
        return KV_OK;
    }
    if (r)
        return txn_check(rc->t, r, "reading a table");
    rc->valid = in_partition(rc, &rc->key);
    return KV_OK;
}

/*
 * A seek can land inside a group of truncated keys; walks must start at
 * the group's first entry (forward) or last (backward), so that the whole
 * group is read and sorted.  Move to that end of the group.
 */
static kv_status
to_group_edge(struct rangecur *rc)
{
    MDB_val first = rc->key;
    MDB_cursor_op away = rc->forward ? MDB_PREV : MDB_NEXT;
    MDB_cursor_op back = rc->forward ? MDB_NEXT : MDB_PREV;
    for (;;) {
        kv_status st = step(rc, away);
        if (st != KV_OK)
            return st;
        if (!rc->valid || !same_group(rc, &first, &rc->key))
            break;
    }
    if (rc->valid)
        return step(rc, back);
    /* Walked off the table's edge: the edge entry is the group's. */
    int r = mdb_cursor_get(rc->c, &rc->key, &rc->val, rc->forward ? MDB_FIRST : MDB_LAST);
    if (r)
        return txn_check(rc->t, r, "reading a table");
    rc->valid = in_partition(rc, &rc->key);
    return KV_OK;
}

static int
key_cmp(const MDB_val *a, const uint8_t *b, size_t blen)
{
    size_t n = a->mv_size < blen ? a->mv_size : blen;
    int c = memcmp(a->mv_data, b, n);
    if (c)
        return c;
    return a->mv_size < blen ? -1 : a->mv_size > blen;
}

kv_status
rangecur_seek(struct rangecur *rc, const uint8_t *seek, size_t len)
{
    rc->n_group = rc->pos = 0;
    if (len < rc->prefix_len) {
        seek = rc->prefix;
        len = rc->prefix_len;
    }
    MDB_val k = {len, (void *)seek};
    rc->key = k;
    int r = mdb_cursor_get(rc->c, &rc->key, &rc->val, MDB_SET_RANGE);
    kv_status st = KV_OK;
    if (rc->forward) {
        if (r && r != MDB_NOTFOUND)
            return txn_check(rc->t, r, "reading a table");
        rc->valid = r == 0 && in_partition(rc, &rc->key);
    } else {
        if (r == MDB_NOTFOUND)
            r = mdb_cursor_get(rc->c, &rc->key, &rc->val, MDB_LAST);
        else if (r == 0 && key_cmp(&rc->key, seek, len) > 0)
            r = mdb_cursor_get(rc->c, &rc->key, &rc->val, MDB_PREV);
        if (r && r != MDB_NOTFOUND)
            return txn_check(rc->t, r, "reading a table");
        rc->valid = r == 0 && in_partition(rc, &rc->key);
    }
    if (rc->valid && truncated(rc, &rc->key))
        st = to_group_edge(rc);
    return st;
}

/* The true sort encoding of an entry, from the sort attribute of its item. */
static kv_status
entry_order(struct rangecur *rc, struct rc_entry *e)
{
    struct kv_value item;
    kv_status st = itemcodec_decode(e->val.mv_data, e->val.mv_size, rc->a, true, &item,
                                    rc->t->err);
    if (st != KV_OK)
        return st;
    const struct kv_value *v = value_map_get(&item, rc->sort_attr, strlen(rc->sort_attr));
    if (!v)
        return ERR_CORRUPT(rc->t->err, "stored item lacks its sort key %s", rc->sort_attr);
    uint8_t *buf = arena_alloc(rc->a, keycodec_value_bound(v));
    if (!buf)
        return err_nomem(rc->t->err);
    size_t n = keycodec_encode_value(v, buf, rc->t->err);
    if (n == 0)
        return rc->t->err->status;
    e->order = buf;
    e->order_len = n;
    return KV_OK;
}

/* Ties (equal index sort keys) fall back to the digests in the key. */
static int
entry_cmp(const void *x, const void *y)
{
    const struct rc_entry *a = x, *b = y;
    size_t n = a->order_len < b->order_len ? a->order_len : b->order_len;
    int c = memcmp(a->order, b->order, n);
    if (c)
        return c;
    if (a->order_len != b->order_len)
        return a->order_len < b->order_len ? -1 : 1;
    return memcmp(a->key.mv_data, b->key.mv_data, a->key.mv_size);
}

static int
entry_cmp_desc(const void *x, const void *y)
{
    return entry_cmp(y, x);
}

static kv_status
load_group(struct rangecur *rc)
{
    MDB_val first = rc->key;
    rc->n_group = rc->pos = 0;
    while (rc->valid && same_group(rc, &first, &rc->key)) {
        if (arena_grow(rc->a, (void **)&rc->group, &rc->cap_group, rc->n_group + 1,
                       sizeof *rc->group))
            return err_nomem(rc->t->err);
        struct rc_entry *e = &rc->group[rc->n_group++];
        e->key = rc->key;
        e->val = rc->val;
        kv_status st = entry_order(rc, e);
        if (st == KV_OK)
            st = step(rc, rc->forward ? MDB_NEXT : MDB_PREV);
        if (st != KV_OK)
            return st;
    }
    qsort(rc->group, rc->n_group, sizeof *rc->group, rc->forward ? entry_cmp : entry_cmp_desc);
    return KV_OK;
}

kv_status
rangecur_next(struct rangecur *rc, const struct rc_entry **out)
{
    if (rc->pos < rc->n_group) {
        *out = &rc->group[rc->pos++];
        return KV_OK;
    }
    rc->n_group = rc->pos = 0;
    *out = NULL;
    if (!rc->valid)
        return KV_OK;
    /* Only a key of KEY_MAX bytes can be truncated (keycodec.h): the
     * length settles it for nearly every entry without a call. */
    if (rc->key.mv_size == KEY_MAX && truncated(rc, &rc->key)) {
        kv_status st = load_group(rc);
        if (st == KV_OK && rc->n_group)
            *out = &rc->group[rc->pos++];
        return st;
    }
    rc->single = (struct rc_entry){rc->key, rc->val, NULL, 0};
    *out = &rc->single;
    return step(rc, rc->forward ? MDB_NEXT : MDB_PREV);
}
