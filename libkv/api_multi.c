/*
 * api_multi.c -- the typed C face of the batch and transaction operations:
 * kv_batch_get, kv_batch_write, kv_transact_write, kv_transact_get, and the
 * cancellation reasons of the last failed call.
 *
 * Each entry point checks its arguments, fills the request struct the JSON
 * face fills (ops.h) and calls the same op_* function.  Results are built
 * in one block with an arena of their own; every item in them is a
 * separate kv_item the block owns, so the one free function releases all.
 */
#include "api.h"
#include "arena.h"
#include "batch_resend.h"
#include "db.h"
#include "mem.h"
#include "value.h"

#include <string.h>

/* A copy of v as a new item the block owns; NULL when out of memory. */
static kv_item *
block_item(struct api_block *b, const struct kv_value *v)
{
    kv_item *it = kv_item_new();
    if (!it)
        return NULL;
    if (value_copy(it->arena, &it->root, v)) {
        kv_item_free(it);
        return NULL;
    }
    b->items[b->n_items++] = it;
    return it;
}

static double
units(uint64_t halves)
{
    return (double)halves / 2.0;
}

/* Per-table capacity of a transaction, into the block. */
static kv_table_capacity *
block_capacity(struct api_block *b, const struct table_consumed *t, size_t n)
{
    kv_table_capacity *cap = arena_calloc(b->arena, (n ? n : 1) * sizeof *cap);
    for (size_t i = 0; cap && i < n; i++) {
        if (!(cap[i].table = arena_strndup(b->arena, t[i].table, strlen(t[i].table))))
            return NULL;
        cap[i].read_units = units(t[i].consumed.read);
        cap[i].write_units = units(t[i].consumed.write);
    }
    return cap;
}

/* Table names: valid, and each named once. */
static kv_status
check_names(struct call *c, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (api_check_table_name(c, names[i]) != KV_OK)
            return c->err.status;
        for (size_t j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0)
                return ERR_MISUSE(&c->err, "table %s is named twice", names[i]);
    }
    return KV_OK;
}

/* --- kv_batch_get ---------------------------------------------------------------------- */

static kv_status
fill_batch_get(struct call *c, const kv_batch_get_table *tables, size_t n,
               struct batch_get_table **out)
{
    struct arena *a = c->ctx.arena;
    struct batch_get_table *bt = arena_calloc(a, (n ? n : 1) * sizeof *bt);
    const char **names = arena_alloc(a, (n ? n : 1) * sizeof *names);
    if (!bt || !names)
        return err_nomem(&c->err);
    for (size_t i = 0; i < n; i++) {
        const kv_batch_get_table *t = &tables[i];
        const struct kv_value **keys = arena_alloc(a, (t->n_keys + 1) * sizeof *keys);
        if (!keys)
            return err_nomem(&c->err);
        if (t->n_keys && !t->keys)
            return ERR_MISUSE(&c->err, "kv_batch_get: table %zu has no keys array", i);
        for (size_t k = 0; k < t->n_keys; k++) {
            if (!t->keys[k])
                return ERR_MISUSE(&c->err, "kv_batch_get: key %zu of table %zu is NULL", k, i);
            keys[k] = &t->keys[k]->root;
        }
        kv_expr_args e = {.projection = t->projection, .names = t->names};
        api_fill_exprs(&bt[i].ex, &e);
        bt[i].table = names[i] = t->table;
        bt[i].keys = keys;
        bt[i].n_keys = t->n_keys;
        bt[i].consistent = t->consistent_read != 0;
    }
    *out = bt;
    return check_names(c, names, n);
}

static kv_status
make_batch_get(struct call *c, const kv_batch_get_table *tables, size_t n,
               const struct batch_get_resp *r, kv_batch_get_result **result)
{
    struct api_block *b = api_block_new();
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += r->tables[i].n_items;
    kv_batch_get_table_result *tr = b ? arena_calloc(b->arena, (n ? n : 1) * sizeof *tr) : NULL;
    if (!tr || !(b->items = arena_alloc(b->arena, (total + 1) * sizeof *b->items)))
        goto fail;
    for (size_t i = 0; i < n; i++) {
        const struct batch_get_table_resp *src = &r->tables[i];
        tr[i].table = arena_strndup(b->arena, tables[i].table, strlen(tables[i].table));
        tr[i].items = arena_alloc(b->arena, (src->n_items + 1) * sizeof *tr[i].items);
        tr[i].unprocessed = arena_memdup(b->arena, src->unprocessed,
                                         (src->n_unprocessed + 1) * sizeof *src->unprocessed);
        if (!tr[i].table || !tr[i].items || !tr[i].unprocessed)
            goto fail;
        for (size_t k = 0; k < src->n_items; k++)
            if (!(tr[i].items[k] = block_item(b, &src->items[k])))
                goto fail;
        tr[i].n_items = src->n_items;
        tr[i].n_unprocessed = src->n_unprocessed;
        tr[i].capacity_units = units(src->consumed.read);
    }
    b->u.get.tables = tr;
    b->u.get.n_tables = n;
    *result = &b->u.get;
    return KV_OK;
fail:
    api_block_free(b);
    return err_nomem(&c->err);
}

kv_status
kv_batch_get(kv_db *db, const kv_batch_get_table *tables, size_t n_tables,
             kv_batch_get_result **result)
{
    struct call c;
    if (result)
        *result = NULL;
    if (!db)
        return KV_MISUSE;
    if (!api_call_begin(&c, db))
        return api_call_end(&c);
    struct batch_get_table *bt = NULL;
    struct batch_get_resp out;
    if (!result || (n_tables && !tables))
        ERR_MISUSE(&c.err, "kv_batch_get needs tables and a result pointer");
    else if (fill_batch_get(&c, tables, n_tables, &bt) == KV_OK) {
        struct batch_get_req r = {bt, n_tables, c.ctx.arena};
        if (batch_get_resend(&c.ctx, &r, &out) == KV_OK)
            make_batch_get(&c, tables, n_tables, &out, result);
    }
    return api_call_end(&c);
}

void
kv_batch_get_result_free(kv_batch_get_result *result)
{
    api_block_free((struct api_block *)result);
}

/* --- kv_batch_write -------------------------------------------------------------------- */

static kv_status
fill_batch_write(struct call *c, const kv_batch_write_table *tables, size_t n,
                 struct batch_write_table **out)
{
    struct arena *a = c->ctx.arena;
    struct batch_write_table *bt = arena_calloc(a, (n ? n : 1) * sizeof *bt);
    const char **names = arena_alloc(a, (n ? n : 1) * sizeof *names);
    if (!bt || !names)
        return err_nomem(&c->err);
    for (size_t i = 0; i < n; i++) {
        const kv_batch_write_table *t = &tables[i];
        struct batch_write_elem *e = arena_alloc(a, (t->n_requests + 1) * sizeof *e);
        if (!e)
            return err_nomem(&c->err);
        for (size_t k = 0; k < t->n_requests; k++) {
            const kv_write_request *w = &t->requests[k];
            if (!w->item || (w->kind != KV_WRITE_PUT && w->kind != KV_WRITE_DELETE))
                return ERR_MISUSE(&c->err,
                                  "kv_batch_write: request %zu of table %zu needs a "
                                  "kind and an item",
                                  k, i);
            e[k].kind = w->kind == KV_WRITE_PUT ? BATCH_PUT : BATCH_DELETE;
            e[k].value = &w->item->root;
        }
        bt[i] = (struct batch_write_table){t->table, e, t->n_requests};
        names[i] = t->table;
    }
    *out = bt;
    return check_names(c, names, n);
}

/*
 * The result of a write is made before the write: once LMDB has committed,
 * running out of memory would report a failure for a write that happened.
 */
static struct api_block *
prepare_batch_write(const kv_batch_write_table *tables, size_t n)
{
    struct api_block *b = api_block_new();
    kv_batch_write_table_result *tr = b ? arena_calloc(b->arena, (n ? n : 1) * sizeof *tr) : NULL;
    if (!tr)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        tr[i].table = arena_strndup(b->arena, tables[i].table, strlen(tables[i].table));
        tr[i].unprocessed =
            arena_alloc(b->arena, (tables[i].n_requests + 1) * sizeof *tr[i].unprocessed);
        if (!tr[i].table || !tr[i].unprocessed)
            goto fail;
    }
    b->u.write.tables = tr;
    b->u.write.n_tables = n;
    return b;
fail:
    api_block_free(b);
    return NULL;
}

static void
finish_batch_write(struct api_block *b, const struct batch_write_resp *r)
{
    for (size_t i = 0; i < b->u.write.n_tables; i++) {
        kv_batch_write_table_result *tr = &b->u.write.tables[i];
        const struct batch_write_table_resp *src = &r->tables[i];
        memcpy(tr->unprocessed, src->unprocessed, src->n_unprocessed * sizeof *src->unprocessed);
        tr->n_unprocessed = src->n_unprocessed;
        tr->capacity_units = units(src->consumed.write);
    }
}

kv_status
kv_batch_write(kv_db *db, const kv_batch_write_table *tables, size_t n_tables,
               kv_batch_write_result **result)
{
    struct call c;
    if (result)
        *result = NULL;
    if (!db)
        return KV_MISUSE;
    if (!api_call_begin(&c, db))
        return api_call_end(&c);
    struct batch_write_table *bt = NULL;
    struct batch_write_resp out;
    struct api_block *b = NULL;
    if (n_tables && !tables)
        ERR_MISUSE(&c.err, "kv_batch_write needs its tables");
    else if (fill_batch_write(&c, tables, n_tables, &bt) != KV_OK)
        ; /* recorded */
    else if (result && !(b = prepare_batch_write(tables, n_tables)))
        err_nomem(&c.err);
    else {
        struct batch_write_req r = {bt, n_tables};
        if (batch_write_resend(&c.ctx, &r, &out) == KV_OK && b) {
            finish_batch_write(b, &out);
            *result = &b->u.write;
            b = NULL;
        }
    }
    api_block_free(b);
    return api_call_end(&c);
}

void
kv_batch_write_result_free(kv_batch_write_result *result)
{
    api_block_free((struct api_block *)result);
}

/* --- kv_transact_write ------------------------------------------------------------------ */

static kv_status
fill_transact_write(struct call *c, const kv_transact_write_item *items, size_t n,
                    struct transact_action **out)
{
    struct transact_action *acts = arena_calloc(c->ctx.arena, (n ? n : 1) * sizeof *acts);
    if (!acts)
        return err_nomem(&c->err);
    for (size_t i = 0; i < n; i++) {
        const kv_transact_write_item *it = &items[i];
        struct transact_action *a = &acts[i];
        if (!it->item || it->kind < KV_TRANSACT_PUT || it->kind > KV_TRANSACT_CONDITION_CHECK)
            return ERR_MISUSE(&c->err,
                              "kv_transact_write: action %zu needs a kind and an item "
                              "or key",
                              i);
        if (api_check_table_name(c, it->table) != KV_OK)
            return c->err.status;
        api_fill_exprs(&a->ex, &it->expr);
        a->ex.projection = NULL;
        a->ex.projection_len = 0;
        a->ex.update = it->update;
        a->ex.update_len = it->update ? strlen(it->update) : 0;
        a->kind = it->kind; /* kv_transact_kind and enum transact_kind agree */
        a->table = it->table;
        a->value = &it->item->root;
        a->return_old_on_fail = it->return_old_on_condition_failure != 0;
    }
    *out = acts;
    return KV_OK;
}

/* As for batches, the result is made before the transaction commits:
 * room for one entry per action, with every action's table name. */
static struct api_block *
prepare_transact_write(const kv_transact_write_item *items, size_t n)
{
    struct api_block *b = api_block_new();
    kv_table_capacity *cap = b ? arena_calloc(b->arena, (n ? n : 1) * sizeof *cap) : NULL;
    for (size_t i = 0; cap && i < n; i++)
        if (!(cap[i].table = arena_strndup(b->arena, items[i].table, strlen(items[i].table))))
            cap = NULL;
    if (!cap) {
        api_block_free(b);
        return NULL;
    }
    b->u.tw.capacity = cap;
    return b;
}

/* Entries in the transaction's order of tables; names from the copies. */
static void
finish_transact_write(struct api_block *b, size_t n, const struct transact_write_resp *r)
{
    kv_table_capacity *cap = b->u.tw.capacity;
    const char *names[TRANSACT_MAX_ACTIONS];
    for (size_t i = 0; i < n; i++)
        names[i] = cap[i].table;
    for (size_t i = 0; i < r->n_tables; i++) {
        for (size_t k = 0; k < n; k++)
            if (strcmp(names[k], r->tables[i].table) == 0)
                cap[i].table = names[k];
        cap[i].read_units = units(r->tables[i].consumed.read);
        cap[i].write_units = units(r->tables[i].consumed.write);
    }
    b->u.tw.n_capacity = r->n_tables;
    b->u.tw.replayed = r->replayed;
}

kv_status
kv_transact_write(kv_db *db, const kv_transact_write_item *items, size_t n_items,
                  const kv_transact_write_opts *opts, kv_transact_write_result **result)
{
    struct call c;
    if (result)
        *result = NULL;
    if (!db)
        return KV_MISUSE;
    if (!api_call_begin(&c, db))
        return api_call_end(&c);
    struct transact_action *acts = NULL;
    struct transact_write_resp out;
    struct api_block *b = NULL;
    if (n_items && !items)
        ERR_MISUSE(&c.err, "kv_transact_write needs its actions");
    else if (fill_transact_write(&c, items, n_items, &acts) != KV_OK)
        ; /* recorded */
    else if (result && n_items <= TRANSACT_MAX_ACTIONS &&
             !(b = prepare_transact_write(items, n_items)))
        err_nomem(&c.err);
    else {
        const char *token = opts ? opts->client_request_token : NULL;
        struct transact_write_req r = {acts, n_items, token, token ? strlen(token) : 0};
        if (op_transact_write(&c.ctx, &r, &out) == KV_OK && b) {
            finish_transact_write(b, n_items, &out);
            *result = &b->u.tw;
            b = NULL;
        }
    }
    api_block_free(b);
    return api_call_end(&c);
}

void
kv_transact_write_result_free(kv_transact_write_result *result)
{
    api_block_free((struct api_block *)result);
}

/* --- kv_transact_get -------------------------------------------------------------------- */

static kv_status
fill_transact_get(struct call *c, const kv_transact_get_item *items, size_t n,
                  struct transact_get **out)
{
    struct transact_get *g = arena_calloc(c->ctx.arena, (n ? n : 1) * sizeof *g);
    if (!g)
        return err_nomem(&c->err);
    for (size_t i = 0; i < n; i++) {
        if (!items[i].key)
            return ERR_MISUSE(&c->err, "kv_transact_get: Get %zu needs a key", i);
        if (api_check_table_name(c, items[i].table) != KV_OK)
            return c->err.status;
        kv_expr_args e = {.projection = items[i].projection, .names = items[i].names};
        api_fill_exprs(&g[i].ex, &e);
        g[i].table = items[i].table;
        g[i].key = &items[i].key->root;
    }
    *out = g;
    return KV_OK;
}

static kv_status
make_transact_get(struct call *c, size_t n, const struct transact_get_resp *r,
                  kv_transact_get_result **result)
{
    struct api_block *b = api_block_new();
    kv_item **items = b ? arena_calloc(b->arena, (n ? n : 1) * sizeof *items) : NULL;
    kv_table_capacity *cap = items ? block_capacity(b, r->tables, r->n_tables) : NULL;
    if (!cap || !(b->items = arena_alloc(b->arena, (n ? n : 1) * sizeof *b->items)))
        goto fail;
    for (size_t i = 0; i < n; i++)
        if (r->items[i] && !(items[i] = block_item(b, r->items[i])))
            goto fail;
    b->u.tg = (kv_transact_get_result){items, n, cap, r->n_tables, {0}};
    *result = &b->u.tg;
    return KV_OK;
fail:
    api_block_free(b);
    return err_nomem(&c->err);
}

kv_status
kv_transact_get(kv_db *db, const kv_transact_get_item *items, size_t n_items,
                kv_transact_get_result **result)
{
    struct call c;
    if (result)
        *result = NULL;
    if (!db)
        return KV_MISUSE;
    if (!api_call_begin(&c, db))
        return api_call_end(&c);
    struct transact_get *gets = NULL;
    struct transact_get_resp out;
    if (!result || (n_items && !items))
        ERR_MISUSE(&c.err, "kv_transact_get needs its Gets and a result pointer");
    else if (fill_transact_get(&c, items, n_items, &gets) == KV_OK) {
        struct transact_get_req r = {gets, n_items, c.ctx.arena};
        if (op_transact_get(&c.ctx, &r, &out) == KV_OK)
            make_transact_get(&c, n_items, &out, result);
    }
    return api_call_end(&c);
}

void
kv_transact_get_result_free(kv_transact_get_result *result)
{
    api_block_free((struct api_block *)result);
}

/* --- cancellation reasons ---------------------------------------------------------------- */

static const struct err_reason *
last_reason(kv_db *db, size_t i)
{
    struct thread_state *ts = db ? pthread_getspecific(db->tls) : NULL;
    return ts && i < ts->last.n_reasons ? &ts->last.reasons[i] : NULL;
}

size_t
kv_error_reason_count(kv_db *db)
{
    struct thread_state *ts = db ? pthread_getspecific(db->tls) : NULL;
    return ts ? ts->last.n_reasons : 0;
}

const char *
kv_error_reason_code(kv_db *db, size_t i)
{
    const struct err_reason *r = last_reason(db, i);
    return r ? r->code : NULL;
}

const char *
kv_error_reason_message(kv_db *db, size_t i)
{
    const struct err_reason *r = last_reason(db, i);
    return r ? r->message : NULL;
}

kv_item *
kv_error_reason_item(kv_db *db, size_t i)
{
    const struct err_reason *r = last_reason(db, i);
    if (!r || !r->item)
        return NULL;
    kv_item *it = kv_item_new();
    if (it && value_copy(it->arena, &it->root, r->item)) {
        kv_item_free(it);
        it = NULL;
    }
    return it;
}
