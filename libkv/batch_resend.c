/*
 * batch_resend.c -- see batch_resend.h.
 *
 * What is still to send is a list of (table, element) pairs of the
 * caller's request, in request order.  Each attempt's request is made
 * from it, one table entry per run of pairs on the same table, so the
 * attempt's element j of table entry g is pair start[g] + j: that is how
 * an attempt's unprocessed elements and items are traced back.
 */
#include "batch_resend.h"
#include "arena.h"
#include "capacity.h"
#include "err.h"
#include "retry.h"
#include "retry_call.h"
#include "value.h"

#include <string.h>

/* One element of the caller's request: table and index in that table. */
struct pend {
    size_t t, e;
};

/* An attempt's request laid over the pending list. */
struct plan {
    size_t n_groups;
    size_t *table; /* per table entry: the caller's table */
    size_t *start; /* per table entry: its first pair */
};

static kv_status
plan_make(struct op_ctx *c, const struct pend *p, size_t n, struct plan *pl)
{
    pl->n_groups = 0;
    pl->table = arena_alloc(c->arena, (n + 1) * sizeof *pl->table);
    pl->start = arena_alloc(c->arena, (n + 1) * sizeof *pl->start);
    if (!pl->table || !pl->start)
        return err_nomem(c->err);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || p[i].t != p[i - 1].t) {
            pl->table[pl->n_groups] = p[i].t;
            pl->start[pl->n_groups++] = i;
        }
    pl->start[pl->n_groups] = n;
    return KV_OK;
}

/* Every element of a request of n_tables tables with count(t) each. */
static struct pend *
pend_all(struct op_ctx *c, size_t n_tables, const size_t *counts, size_t *n)
{
    size_t total = 0;
    for (size_t t = 0; t < n_tables; t++)
        total += counts[t];
    struct pend *p = arena_alloc(c->arena, (total + 1) * sizeof *p);
    *n = 0;
    for (size_t t = 0; p && t < n_tables; t++)
        for (size_t e = 0; e < counts[t]; e++)
            p[(*n)++] = (struct pend){t, e};
    return p;
}

/*
 * After attempt `attempt` ended in st: whether to send another, and of
 * what.  *served says an earlier attempt was served; `left` is what this
 * one left (unused unless st is KV_OK).
 */
static bool
go_again(struct op_ctx *c, int attempt, kv_status *st, bool *served, size_t n_left)
{
    if (*st != KV_OK && !*served)
        return retry_call_again(c->db, attempt, c->err); /* the same request again */
    if (*st != KV_OK) {
        if (!retry_status(*st))
            return false;
        err_clear(c->err); /* part of the batch is done: what this one had stays left */
        *st = KV_OK;
    }
    *served = true;
    return n_left > 0 && retry_call_resend(c->db, attempt);
}

/* One kind of batch, as the attempt loop below drives it. */
struct resend_ops {
    /* Make the request of a later attempt from the pending pairs (the
     * first attempt sends the caller's own request). */
    kv_status (*build)(struct op_ctx *c, void *self, const struct pend *p, const struct plan *pl);
    /* Send the current request; when it is served, keep each table
     * entry's results and append its unprocessed pairs to next. */
    kv_status (*send)(struct op_ctx *c, void *self, const struct pend *p, const struct plan *pl,
                      struct pend *next, size_t *n_next);
};

/* Append table entry g's unprocessed elements, as pairs, to next. */
static void
take_unprocessed(const struct pend *p, const struct plan *pl, size_t g, const size_t *unprocessed,
                 size_t n, struct pend *next, size_t *n_next)
{
    for (size_t k = 0; k < n; k++)
        next[(*n_next)++] = p[pl->start[g] + unprocessed[k]];
}

/* Send attempts until nothing is left or the policy says stop; p and *n_p
 * end as what is still unprocessed. */
static kv_status
resend(struct op_ctx *c, const struct resend_ops *ops, void *self, struct pend *p, size_t *n_p)
{
    struct pend *next = arena_alloc(c->arena, (*n_p + 1) * sizeof *next);
    if (!next)
        return err_nomem(c->err);
    bool served = false;
    kv_status st;
    for (int attempt = 1;; attempt++) {
        struct plan pl;
        size_t n_next = 0;
        if ((st = plan_make(c, p, *n_p, &pl)) != KV_OK ||
            (attempt > 1 && (st = ops->build(c, self, p, &pl)) != KV_OK))
            return st;
        if ((st = ops->send(c, self, p, &pl, next, &n_next)) == KV_OK) {
            memcpy(p, next, n_next * sizeof *p);
            *n_p = n_next;
        }
        if (!go_again(c, attempt, &st, &served, *n_p))
            return st;
    }
}

/* --- BatchWriteItem ------------------------------------------------------------- */

struct write_resend {
    const struct batch_write_req *r;      /* the caller's request */
    struct batch_write_req cur;           /* the attempt's */
    struct batch_write_table_resp *acc;   /* per caller's table */
};

static kv_status
write_build(struct op_ctx *c, void *self, const struct pend *p, const struct plan *pl)
{
    struct write_resend *w = self;
    struct batch_write_table *bt = arena_alloc(c->arena, (pl->n_groups + 1) * sizeof *bt);
    if (!bt)
        return err_nomem(c->err);
    for (size_t g = 0; g < pl->n_groups; g++) {
        const struct batch_write_table *src = &w->r->tables[pl->table[g]];
        size_t n = pl->start[g + 1] - pl->start[g];
        struct batch_write_elem *e = arena_alloc(c->arena, n * sizeof *e);
        if (!e)
            return err_nomem(c->err);
        for (size_t j = 0; j < n; j++)
            e[j] = src->elems[p[pl->start[g] + j].e];
        bt[g] = (struct batch_write_table){src->table, e, n};
    }
    w->cur = (struct batch_write_req){bt, pl->n_groups};
    return KV_OK;
}

static kv_status
write_send(struct op_ctx *c, void *self, const struct pend *p, const struct plan *pl,
           struct pend *next, size_t *n_next)
{
    struct write_resend *w = self;
    struct batch_write_resp o;
    kv_status st = op_batch_write(c, &w->cur, &o);
    for (size_t g = 0; st == KV_OK && g < pl->n_groups; g++) {
        const struct batch_write_table_resp *tr = &o.tables[g];
        consumed_merge(&w->acc[pl->table[g]].consumed, &tr->consumed);
        take_unprocessed(p, pl, g, tr->unprocessed, tr->n_unprocessed, next, n_next);
    }
    return st;
}

kv_status
batch_write_resend(struct op_ctx *c, const struct batch_write_req *r, struct batch_write_resp *out)
{
    static const struct resend_ops ops = {write_build, write_send};
    memset(out, 0, sizeof *out);
    size_t *counts = arena_alloc(c->arena, (r->n_tables + 1) * sizeof *counts);
    struct write_resend w = {r, *r, arena_calloc(c->arena, (r->n_tables + 1) * sizeof *w.acc)};
    if (!counts || !w.acc)
        return err_nomem(c->err);
    for (size_t t = 0; t < r->n_tables; t++)
        counts[t] = r->tables[t].n_elems;
    size_t n_p;
    struct pend *p = pend_all(c, r->n_tables, counts, &n_p);
    if (!p)
        return err_nomem(c->err);
    kv_status st = resend(c, &ops, &w, p, &n_p);
    if (st != KV_OK)
        return st;
    for (size_t t = 0; t < r->n_tables; t++)
        if (!(w.acc[t].unprocessed = arena_alloc(c->arena, (counts[t] + 1) * sizeof(size_t))))
            return err_nomem(c->err);
    for (size_t i = 0; i < n_p; i++)
        w.acc[p[i].t].unprocessed[w.acc[p[i].t].n_unprocessed++] = p[i].e;
    out->tables = w.acc;
    return KV_OK;
}

/* --- BatchGetItem ------------------------------------------------------------------ */

struct get_resend {
    const struct batch_get_req *r;        /* the caller's request */
    struct batch_get_req cur;             /* the attempt's */
    struct batch_get_table_resp *acc;     /* per caller's table */
    struct kv_value ***found;             /* per caller's table and key: its item */
};

static kv_status
get_build(struct op_ctx *c, void *self, const struct pend *p, const struct plan *pl)
{
    struct get_resend *gr = self;
    const struct batch_get_req *r = gr->r;
    struct batch_get_table *bt = arena_alloc(c->arena, (pl->n_groups + 1) * sizeof *bt);
    if (!bt)
        return err_nomem(c->err);
    for (size_t g = 0; g < pl->n_groups; g++) {
        const struct batch_get_table *src = &r->tables[pl->table[g]];
        size_t n = pl->start[g + 1] - pl->start[g];
        const struct kv_value **keys = arena_alloc(c->arena, n * sizeof *keys);
        if (!keys)
            return err_nomem(c->err);
        for (size_t j = 0; j < n; j++)
            keys[j] = src->keys[p[pl->start[g] + j].e];
        bt[g] = *src;
        bt[g].keys = keys;
        bt[g].n_keys = n;
    }
    gr->cur = (struct batch_get_req){bt, pl->n_groups, r->out};
    return KV_OK;
}

static kv_status
get_send(struct op_ctx *c, void *self, const struct pend *p, const struct plan *pl,
         struct pend *next, size_t *n_next)
{
    struct get_resend *gr = self;
    struct batch_get_resp o;
    kv_status st = op_batch_get(c, &gr->cur, &o);
    for (size_t g = 0; st == KV_OK && g < pl->n_groups; g++) {
        const struct batch_get_table_resp *tr = &o.tables[g];
        consumed_merge(&gr->acc[pl->table[g]].consumed, &tr->consumed);
        for (size_t x = 0; x < tr->n_items; x++) {
            const struct pend *q = &p[pl->start[g] + tr->item_keys[x]];
            gr->found[q->t][q->e] = &tr->items[x];
        }
        take_unprocessed(p, pl, g, tr->unprocessed, tr->n_unprocessed, next, n_next);
    }
    return st;
}

/* The items read, in key order, into the caller's shape. */
static kv_status
get_finish(struct op_ctx *c, const struct batch_get_req *r, struct kv_value ***found,
           struct batch_get_table_resp *acc, const struct pend *p, size_t n_p)
{
    for (size_t t = 0; t < r->n_tables; t++) {
        size_t n = r->tables[t].n_keys;
        struct batch_get_table_resp *tr = &acc[t];
        tr->items = arena_alloc(r->out, (n + 1) * sizeof *tr->items);
        tr->item_keys = arena_alloc(c->arena, (n + 1) * sizeof *tr->item_keys);
        tr->unprocessed = arena_alloc(c->arena, (n + 1) * sizeof *tr->unprocessed);
        if (!tr->items || !tr->item_keys || !tr->unprocessed)
            return err_nomem(c->err);
        for (size_t k = 0; k < n; k++)
            if (found[t][k]) {
                tr->items[tr->n_items] = *found[t][k];
                tr->item_keys[tr->n_items++] = k;
            }
    }
    for (size_t i = 0; i < n_p; i++)
        acc[p[i].t].unprocessed[acc[p[i].t].n_unprocessed++] = p[i].e;
    return KV_OK;
}

kv_status
batch_get_resend(struct op_ctx *c, const struct batch_get_req *r, struct batch_get_resp *out)
{
    static const struct resend_ops ops = {get_build, get_send};
    memset(out, 0, sizeof *out);
    size_t *counts = arena_alloc(c->arena, (r->n_tables + 1) * sizeof *counts);
    struct get_resend g = {r, *r, arena_calloc(c->arena, (r->n_tables + 1) * sizeof *g.acc),
                           arena_calloc(c->arena, (r->n_tables + 1) * sizeof *g.found)};
    if (!counts || !g.acc || !g.found)
        return err_nomem(c->err);
    for (size_t t = 0; t < r->n_tables; t++) {
        counts[t] = r->tables[t].n_keys;
        if (!(g.found[t] = arena_calloc(c->arena, (counts[t] + 1) * sizeof *g.found[t])))
            return err_nomem(c->err);
    }
    size_t n_p;
    struct pend *p = pend_all(c, r->n_tables, counts, &n_p);
    if (!p)
        return err_nomem(c->err);
    kv_status st = resend(c, &ops, &g, p, &n_p);
    if (st == KV_OK && (st = get_finish(c, r, g.found, g.acc, p, n_p)) == KV_OK)
        out->tables = g.acc;
    return st;
}
