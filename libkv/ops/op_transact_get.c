/*
 * op_transact_get.c -- TransactGetItems: up to 100 items read together, in
 * one read transaction, so they are a consistent snapshot.
 *
 * Pipeline: check the count, each key's values and each Get's
 * ProjectionExpression; then, in the read transaction, find every table and
 * check every key, then refuse two Gets of one item, then read.
 *
 * DynamoDB splits key problems in two.  A key whose values are bad (an
 * empty string or binary, a key too long) fails the whole request with a
 * ValidationException; a key that does not match the schema (attributes
 * missing, extra or of the wrong type) cancels the transaction, with a
 * ValidationError reason for that Get and None for the others.
 *
 * Capacity: a transactional read, two units per 4 KB of each item, two for
 * an absent one, summed per table.  Before anything is read every Get is
 * admitted (charge.h) against the least it can cost, two units, as a read
 * of its own item; then each is charged its real cost.  If any Get is
 * refused, all are given back and the transaction is cancelled as
 * TransactWriteItems is (op_transact_write.c), with a
 * ProvisionedThroughputExceeded or ThrottlingError reason on each Get
 * refused.
 */
#include "ops.h"
#include "arena.h"
#include "charge.h"
#include "db.h"
#include "err.h"
#include "item_common.h"
#include "itemcodec.h"
#include "multi_item.h"
#include "txn.h"
#include "validate.h"
#include "value.h"

#include <string.h>

#define KEY_MISMATCH "The provided key element does not match the schema"

struct tg_args {
    struct op_ctx *c;
    const struct transact_get_req *r;
    struct transact_get_resp *out;
    struct expr_proj **proj;
    struct item_target *targets;
    MDB_dbi *dbis;
    struct charge_table **ct;        /* per Get, shared by the Gets of a table */
    struct throttle_ticket *ticket;  /* per Get, zeroed before txn_run */
};

static kv_status
check_request(struct op_ctx *c, const struct transact_get_req *r, struct expr_proj **proj)
{
    static const enum expr_kind accepted[] = {EXPR_PROJECTION};
    if (r->n_gets == 0 || r->n_gets > TRANSACT_MAX_ACTIONS)
        return err_set(c->err, KV_VALIDATION,
                       "1 validation error detected: Value at 'transactItems' failed to satisfy "
                       "constraint: Member must have length %s",
                       r->n_gets ? "less than or equal to 100" : "greater than or equal to 1");
    for (size_t i = 0; i < r->n_gets; i++) {
        struct item_parsed px;
        kv_status st = validate_values(r->gets[i].key, c->err);
        if (st == KV_OK)
            st = item_parse_exprs(c, &r->gets[i].ex, accepted, 1, &px);
        if (st != KV_OK)
            return st;
        proj[i] = px.projection;
    }
    return KV_OK;
}

/* Tables and keys; a key of the wrong shape becomes a reason. */
static kv_status
check_keys(struct txn *t, struct tg_args *a, struct err_reason *reasons, bool *cancel)
{
    for (size_t i = 0; i < a->r->n_gets; i++) {
        const struct transact_get *g = &a->r->gets[i];
        struct table_def *def;
        kv_status st = item_table(t, g->table, &def, &a->dbis[i]);
        if (st == KV_OK && a->proj[i])
            st = item_check_key_paths(t, def, NULL, a->proj[i]);
        if (st != KV_OK)
            return st;
        a->targets[i].dbname = def->dbname;
        a->targets[i].key.len = 0;
        a->ct[i] = NULL;
        for (size_t j = 0; j < i && !a->ct[i]; j++)
            if (strcmp(a->targets[j].dbname, def->dbname) == 0)
                a->ct[i] = a->ct[j];
        if (!a->ct[i]) {
            if (!(a->ct[i] = arena_alloc(a->c->arena, sizeof *a->ct[i])))
                return err_nomem(t->err);
            if ((st = charge_describe(t, def, a->ct[i])) != KV_OK)
                return st;
        }
        if ((st = validate_key_values(&def->key, g->key, t->err)) != KV_OK)
            return st;
        if (!validate_key_shape(&def->key, g->key)) {
            reasons[i].code = "ValidationError";
            reasons[i].message = KEY_MISMATCH;
            *cancel = true;
            continue;
        }
        if ((st = item_key(t, def, g->key, &a->targets[i].key)) != KV_OK)
            return st;
    }
    for (size_t i = 0; i < a->r->n_gets; i++)
        if (a->targets[i].key.len && item_target_seen(a->targets, i, &a->targets[i]))
            return err_set(t->err, KV_VALIDATION,
                           "Transaction request cannot include multiple operations on one item");
    return KV_OK;
}

/* One Get: the item (NULL when absent, or when a projection keeps nothing
 * of it, as DynamoDB then leaves Item out) and its units. */
static kv_status
read_one(struct txn *t, struct tg_args *a, size_t i, size_t *size)
{
    MDB_val val;
    bool found;
    struct kv_value *item = NULL;
    *size = 0;
    a->out->items[i] = NULL;
    kv_status st = item_read(t, a->dbis[i], &a->targets[i].key, &val, &found);
    if (st != KV_OK || !found)
        return st;
    if ((st = itemcodec_size(val.mv_data, val.mv_size, size, t->err)) != KV_OK)
        return st;
    if (!a->proj[i])
        st = item_decode(t, &val, a->r->out, false, &item);
    else if ((st = item_decode(t, &val, a->c->arena, true, &item)) == KV_OK) {
        struct kv_value *p = arena_alloc(a->r->out, sizeof *p);
        st = p ? expr_project(a->proj[i], item, a->r->out, p, t->err) : err_nomem(t->err);
        item = p && p->len ? p : NULL;
    }
    if (st == KV_OK)
        a->out->items[i] = item;
    return st;
}

/* Admit every Get before reading; cancel if any is refused. */
static kv_status
admit_all(struct txn *t, struct tg_args *a, struct err_reason *reasons)
{
    size_t n = a->r->n_gets;
    bool cancel = false;
    kv_status st = KV_OK;
    for (size_t i = 0; i < n && st == KV_OK; i++) {
        struct throttle_batch b;
        throttle_batch_init(&b, METRICS_OP_TRANSACT_GET_ITEMS);
        st = charge_batch_read(t, a->ct[i], &b, &a->targets[i].key,
                               capacity_read(0, READ_TRANSACTIONAL), &a->ticket[i]);
        if (!charge_refused(st))
            continue;
        st = charge_cancel_reason(t, &b, a->c->arena, &reasons[i]);
        bool counted = false; /* ThrottledRequests once a table */
        for (size_t j = 0; j < i && !counted; j++)
            counted = reasons[j].code && a->ct[j] == a->ct[i];
        if (!counted)
            throttle_count_request(t->db->throttle, &a->ct[i]->t,
                                   METRICS_OP_TRANSACT_GET_ITEMS);
        cancel = true;
    }
    if (st != KV_OK || !cancel)
        return st;
    for (size_t i = 0; i < n; i++)
        throttle_refund(t->db->throttle, &a->ticket[i]);
    return multi_cancel(t->err, reasons, n);
}

static kv_status
transact_get_body(struct txn *t, void *arg)
{
    struct tg_args *a = arg;
    size_t n = a->r->n_gets;
    struct err_reason *reasons = arena_calloc(a->c->arena, n * sizeof *reasons);
    bool cancel = false;
    if (!reasons)
        return err_nomem(t->err);
    kv_status st = check_keys(t, a, reasons, &cancel);
    if (st != KV_OK)
        return st;
    if (cancel)
        return multi_cancel(t->err, reasons, n);
    if ((st = admit_all(t, a, reasons)) != KV_OK)
        return st;
    a->out->n_tables = 0; /* a retried body starts over */
    for (size_t i = 0; i < n; i++) {
        size_t size;
        if ((st = read_one(t, a, i, &size)) != KV_OK)
            return st;
        struct table_consumed *tc =
            table_consumed_entry(a->out->tables, &a->out->n_tables, n, a->r->gets[i].table);
        consumed_add_table(&tc->consumed, capacity_read(size, READ_TRANSACTIONAL), 0);
        charge_read_settle(t, &a->ticket[i], capacity_read(size, READ_TRANSACTIONAL));
    }
    return KV_OK;
}

kv_status
op_transact_get(struct op_ctx *c, const struct transact_get_req *r, struct transact_get_resp *out)
{
    memset(out, 0, sizeof *out);
    struct tg_args a = {c, r, out, NULL, NULL, NULL, NULL, NULL};
    size_t n = r->n_gets;
    if (n && n <= TRANSACT_MAX_ACTIONS &&
        (!(a.proj = arena_calloc(c->arena, n * sizeof *a.proj)) ||
         !(a.targets = arena_calloc(c->arena, n * sizeof *a.targets)) ||
         !(a.dbis = arena_alloc(c->arena, n * sizeof *a.dbis)) ||
         !(a.ct = arena_calloc(c->arena, n * sizeof *a.ct)) ||
         !(a.ticket = arena_calloc(c->arena, n * sizeof *a.ticket)) ||
         !(out->items = arena_calloc(c->arena, n * sizeof *out->items)) ||
         !(out->tables = arena_calloc(c->arena, n * sizeof *out->tables))))
        return err_nomem(c->err);
    kv_status st = check_request(c, r, a.proj);
    if (st != KV_OK)
        return st;
    st = txn_run(c->db, false, transact_get_body, &a, c->err);
    for (size_t i = 0; st != KV_OK && i < n; i++)
        throttle_refund(c->db->throttle, &a.ticket[i]);
    return st;
}
