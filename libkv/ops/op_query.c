/*
 * op_query.c -- Query: the items of one partition whose sort key meets the
 * key condition, in sort-key order (or reverse), a page at a time.
 *
 * Pipeline: check Select, Limit and the expressions (read_prepare); in one
 * read transaction find the table or index, bind the key condition to its
 * key schema, check the filter and the start key, seek to where the range
 * begins in the walk's direction, and read entries until the range ends
 * or the page is full.  Only the partition's keys are visited, so the cost
 * grows with the items read, never with the table.  The page is admitted
 * against its least cost before the walk, charging the partition read, and
 * charged what it read after (charge.h).
 */
#include "ops.h"
#include "charge.h"
#include "arena.h"
#include "err.h"
#include "expr/expr.h"
#include "keycodec.h"
#include "rangecur.h"
#include "read_common.h"
#include "item_common.h"
#include "txn.h"
#include "value.h"

#include <string.h>

struct query_args {
    struct op_ctx *c;
    const struct read_req *r;
    struct read_resp *out;
    const struct read_exprs *ex;
    struct throttle_ticket ticket; /* zeroed before txn_run: see charge.h */
};

static struct expr_key_schema
expr_schema(const struct key_schema *k)
{
    struct expr_key_schema ks;
    memset(&ks, 0, sizeof ks);
    ks.hash.name = k->hash.name;
    ks.hash.len = (uint32_t)strlen(k->hash.name);
    ks.hash_type = k->hash.type;
    if (k->range.name) {
        ks.range.name = k->range.name;
        ks.range.len = (uint32_t)strlen(k->range.name);
        ks.range_type = k->range.type;
    }
    return ks;
}

/* Where a sort key value lies against the range: -1 below, 0 in, 1 above. */
static int
range_position(const struct expr_key_range *kr, const struct kv_value *v)
{
    if (kr->op == EXPR_KEY_NONE || expr_key_range_match(kr, v))
        return 0;
    switch (kr->op) {
    case EXPR_KEY_LT:
    case EXPR_KEY_LE:
        return 1;
    case EXPR_KEY_GT:
    case EXPR_KEY_GE:
        return -1;
    case EXPR_KEY_BETWEEN:
        return value_compare(v, kr->lo) < 0 ? -1 : 1;
    default: /* EQ, BEGINS_WITH: compare with the operand */
        return value_compare(v, kr->lo) < 0 ? -1 : 1;
    }
}

static bool
has_lower(const struct expr_key_range *kr)
{
    return kr->op == EXPR_KEY_EQ || kr->op == EXPR_KEY_GT || kr->op == EXPR_KEY_GE ||
           kr->op == EXPR_KEY_BETWEEN || kr->op == EXPR_KEY_BEGINS_WITH;
}

static bool
has_upper(const struct expr_key_range *kr)
{
    return kr->op == EXPR_KEY_EQ || kr->op == EXPR_KEY_LT || kr->op == EXPR_KEY_LE ||
           kr->op == EXPR_KEY_BETWEEN || kr->op == EXPR_KEY_BEGINS_WITH;
}

/* The key a walk starts its seek at, when there is no start key. */
static kv_status
range_seek_key(struct txn *t, const struct read_target *tg, const struct expr_key_range *kr,
               bool forward, struct keybuf *kb)
{
    bool index = tg->ix != NULL;
    bool open = kr->op == EXPR_KEY_BEGINS_WITH;
    kv_status st = KV_OK;
    if (forward && has_lower(kr))
        st = keycodec_sort_seek(kb, kr->lo, index, open, t->err);
    else if (!forward && has_upper(kr))
        st = keycodec_sort_seek(kb, kr->op == EXPR_KEY_BETWEEN ? kr->hi : kr->lo, index, open,
                                t->err);
    if (st == KV_OK && !forward)
        keycodec_pad_high(kb);
    return st;
}

struct start_pos {
    const struct kv_value *sort; /* the start key's sort value, or NULL */
    struct keybuf key;           /* its stored key */
};

static kv_status
check_start(struct txn *t, const struct read_target *tg, const struct expr_key_range *kr,
            const struct kv_value *start, struct start_pos *sp)
{
    kv_status st = read_check_start_key(t, tg, start);
    if (st != KV_OK)
        return st;
    const struct key_schema *k = tg->key;
    const struct kv_value *h = value_map_get(start, k->hash.name, strlen(k->hash.name));
    sp->sort = k->range.name ? value_map_get(start, k->range.name, strlen(k->range.name)) : NULL;
    /* DynamoDB's order: without a sort-key condition the partition key is
     * out of bounds; with one, the sort key is checked first, and a start
     * key of another partition then could only be a single row. */
    if (kr->op == EXPR_KEY_NONE || !sp->sort) {
        if (!value_equal(h, kr->hash))
            return err_set(t->err, KV_VALIDATION, "The provided starting key is outside query "
                                                  "boundaries based on provided conditions");
    } else {
        if (!expr_key_range_match(kr, sp->sort))
            return err_set(t->err, KV_VALIDATION,
                           "The provided starting key does not match the range key predicate");
        if (!value_equal(h, kr->hash))
            return err_set(t->err, KV_VALIDATION,
                           "The query can return at most one row and cannot be restarted");
    }
    return read_start_stored_key(t, tg, start, &sp->key);
}

/* Entry order against the start key in the walk's terms: <= 0 is not after. */
static int
after_start(const struct start_pos *sp, const struct kv_value *sort, const MDB_val *key,
            bool forward)
{
    int c = sp->sort && sort ? value_compare(sort, sp->sort) : 0;
    if (c == 0) {
        size_t n = key->mv_size < sp->key.len ? key->mv_size : sp->key.len;
        c = memcmp(key->mv_data, sp->key.bytes, n);
        if (c == 0)
            c = key->mv_size < sp->key.len ? -1 : key->mv_size > sp->key.len;
    }
    return forward ? c : -c;
}

/* value_map_get, trying first the member where the name was last found:
 * items of one table mostly list their attributes in the same order. */
static const struct kv_value *
member_get(const struct kv_value *item, const char *name, size_t len, uint32_t *at)
{
    const struct kv_member *m;
    if (*at < item->len && (m = &item->u.members[*at])->name_len == len &&
        memcmp(m->name, name, len) == 0)
        return &m->value;
    for (uint32_t i = 0; i < item->len; i++) {
        m = &item->u.members[i];
        if (m->name_len == len && memcmp(m->name, name, len) == 0) {
            *at = i;
            return &m->value;
        }
    }
    return NULL;
}

static kv_status
walk(struct txn *t, struct query_args *a, const struct read_target *tg,
     const struct expr_key_range *kr, const struct keybuf *prefix, const struct start_pos *sp)
{
    const struct read_req *r = a->r;
    struct keybuf seek = *prefix;
    kv_status st = sp ? KV_OK : range_seek_key(t, tg, kr, r->forward, &seek);
    if (sp)
        seek = sp->key;
    struct rangecur rc;
    struct pager p;
    pager_init(&p, r, a->out, tg, a->ex, a->c->arena);
    if (st == KV_OK)
        st = rangecur_open(&rc, t, tg->dbi, a->c->arena, prefix->bytes, prefix->prefix_len,
                           r->forward, tg->ix != NULL, tg->key->range.name);
    if (st != KV_OK)
        return st;
    /* The sort key is looked at only when something depends on it. */
    const char *sk = sp || kr->op != EXPR_KEY_NONE ? tg->key->range.name : NULL;
    size_t sk_len = sk ? strlen(sk) : 0;
    uint32_t sk_at = 0;
    st = rangecur_seek(&rc, seek.bytes, seek.len);
    while (st == KV_OK && !p.stopped) {
        const struct rc_entry *e;
        struct kv_value item;
        size_t size;
        if ((st = rangecur_next(&rc, &e)) != KV_OK || !e)
            break;
        if ((st = pager_decode(&p, t, &e->val, &item, &size)) != KV_OK)
            break;
        const struct kv_value *sv = sk ? member_get(&item, sk, sk_len, &sk_at) : NULL;
        if (sp && after_start(sp, sv, &e->key, r->forward) <= 0)
            continue;
        int pos = sv ? range_position(kr, sv) : 0;
        if (pos != 0 && (pos > 0) == r->forward)
            break; /* past the range's far end */
        if (pos != 0)
            continue; /* not yet at its near end */
        st = pager_take(&p, t, &item, size);
    }
    rangecur_close(&rc);
    return st == KV_OK ? pager_finish(&p, t) : st;
}

static kv_status
query_body(struct txn *t, void *arg)
{
    struct query_args *a = arg;
    struct read_target tg;
    struct expr_key_range kr;
    memset(a->out, 0, sizeof *a->out);
    kv_status st = read_target_open(t, a->r, a->ex, &tg);
    if (st != KV_OK)
        return st;
    struct expr_key_schema ks = expr_schema(tg.key);
    if ((st = expr_keycond_bind(a->ex->key_condition, &ks, &kr, t->err)) != KV_OK)
        return st;
    /* DynamoDB's order: the start key, paths into keys in the projection,
     * the filter naming the queried keys, then paths into other keys in
     * the filter. */
    struct start_pos sp;
    if (a->r->start_key && (st = check_start(t, &tg, &kr, a->r->start_key, &sp)) != KV_OK)
        return st;
    if ((st = item_check_key_paths(t, tg.def, NULL, a->ex->projection)) != KV_OK)
        return st;
    if (a->ex->filter && (st = expr_check_filter_keys(a->ex->filter, &ks, t->err)) != KV_OK)
        return st;
    if ((st = item_check_key_paths(t, tg.def, a->ex->filter, NULL)) != KV_OK)
        return st;
    struct keybuf prefix;
    if ((st = keycodec_partition_prefix(&prefix, kr.hash, t->err)) != KV_OK ||
        (st = read_admit(t, a->r, &tg, METRICS_OP_QUERY, prefix.bytes, prefix.len,
                         &a->ticket)) != KV_OK)
        return st;
    st = walk(t, a, &tg, &kr, &prefix, a->r->start_key ? &sp : NULL);
    if (st == KV_OK)
        charge_read_settle(t, &a->ticket, a->out->consumed.read);
    return st;
}

kv_status
op_query(struct op_ctx *c, const struct read_req *r, struct read_resp *out)
{
    memset(out, 0, sizeof *out);
    struct read_exprs ex;
    kv_status st = read_prepare(c, r, true, &ex);
    if (st != KV_OK)
        return st;
    struct query_args a = {c, r, out, &ex, {0}};
    st = txn_run(c->db, false, query_body, &a, c->err);
    charge_finish(c->db, st, &a.ticket);
    return st;
}
