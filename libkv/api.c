/*
 * api.c -- the typed C face: check the caller's arguments, fill the same
 * request structs the JSON face fills, call the same op_* functions, and
 * hand back C results.  Every entry point ends in db_finish, which records
 * the outcome for kv_errmsg.
 */
#include "api.h"
#include "arena.h"
#include "db.h"
#include "err.h"
#include "mem.h"
#include "ops/ops.h"
#include "retry_call.h"
#include "validate.h"
#include "value.h"

#include <string.h>

bool
api_call_begin(struct call *c, kv_db *db)
{
    err_init(&c->err);
    c->db = db;
    c->ctx.db = db;
    c->ctx.err = &c->err;
    c->ctx.arena = arena_init(c->first, sizeof c->first);
    return true;
}

kv_status
api_call_end(struct call *c)
{
    arena_free(c->ctx.arena);
    return db_finish(c->db, &c->err);
}

bool
api_again(struct call *c, kv_status st, int *tries)
{
    return st != KV_OK && retry_call_again(c->db, (*tries)++, &c->err);
}

/* The last table name this thread found valid: a program names the same
 * few tables call after call, and the check depends on the name alone. */
static _Thread_local struct {
    size_t len; /* 0: none */
    char name[256];
} valid_name;

kv_status
api_check_table_name(struct call *c, const char *name)
{
    size_t len = name ? strlen(name) : 0;
    if (len && len == valid_name.len && memcmp(name, valid_name.name, len) == 0)
        return KV_OK;
    struct vlist v;
    vlist_init(&v);
    validate_table_name(&v, name, len, "tableName");
    kv_status st = vlist_finish(&v, &c->err);
    vlist_release(&v);
    if (st == KV_OK && len && len < sizeof valid_name.name) {
        memcpy(valid_name.name, name, len);
        valid_name.len = len;
    }
    return st;
}

const kv_throttling_reason *
kv_error_throttling_reasons(kv_db *db, size_t *count)
{
    struct thread_state *ts = db ? pthread_getspecific(db->tls) : NULL;
    bool any = ts && ts->last.n_throttle;
    if (count)
        *count = any ? ts->last.n_throttle : 0;
    return any ? ts->last.throttle : NULL;
}

/* --- items ---------------------------------------------------------------------- */

void
api_fill_exprs(struct item_exprs *ex, const kv_expr_args *e)
{
    memset(ex, 0, sizeof *ex);
    if (!e)
        return;
    ex->condition = e->condition;
    ex->condition_len = e->condition ? strlen(e->condition) : 0;
    ex->projection = e->projection;
    ex->projection_len = e->projection ? strlen(e->projection) : 0;
    ex->names = e->names ? &e->names->root : NULL;
    ex->values = e->values ? &e->values->root : NULL;
}

kv_item *
kv_error_item(kv_db *db)
{
    struct thread_state *ts = db ? pthread_getspecific(db->tls) : NULL;
    if (!ts || !ts->last.item)
        return NULL;
    kv_item *it = kv_item_new();
    if (it && value_copy(it->arena, &it->root, ts->last.item)) {
        kv_item_free(it);
        it = NULL;
    }
    return it;
}

/* A fresh item to receive a result, its arena used as the op's output. */
static kv_item *
result_item(struct call *c)
{
    kv_item *it = kv_item_new();
    if (!it)
        err_nomem(&c->err);
    return it;
}

/* Move a result value into its item, or free the item when there is none. */
static void
settle_result(kv_item *it, struct kv_value *v, kv_item **out)
{
    if (!v) {
        kv_item_free(it);
        return;
    }
    it->root = *v;
    *out = it;
}

kv_status
kv_put_item(kv_db *db, const char *table, const kv_item *item, const kv_write_opts *opts,
            kv_item **old)
{
    struct call c;
    if (old)
        *old = NULL;
    if (!db)
        return KV_MISUSE;
    if (!api_call_begin(&c, db))
        return api_call_end(&c);
    kv_item *res = NULL;
    if (!item)
        ERR_MISUSE(&c.err, "kv_put_item needs an item");
    else if (api_check_table_name(&c, table) == KV_OK && (res = result_item(&c))) {
        struct put_item_req r = {
            .table = table,
            .item = &item->root,
            .return_values = opts ? (int)opts->return_values : KV_RETURN_NONE,
            .return_old_on_fail = opts && opts->return_old_on_condition_failure,
            .out = res->arena,
        };
        api_fill_exprs(&r.ex, opts ? &opts->expr : NULL);
        struct write_resp w;
        kv_status st;
        for (int tries = 1; api_again(&c, st = op_put_item(&c.ctx, &r, &w), &tries);)
            ;
        if (st == KV_OK && old) {
            settle_result(res, w.attributes, old);
            res = NULL;
        }
    }
    kv_item_free(res);
    return api_call_end(&c);
}

kv_status
kv_get_item(kv_db *db, const char *table, const kv_item *key, const kv_get_opts *opts,
            kv_item **out)
{
    struct call c;
    if (out)
        *out = NULL;
    if (!db)
        return KV_MISUSE;
    if (!api_call_begin(&c, db))
        return api_call_end(&c);
    kv_item *res = NULL;
    if (!key || !out)
        ERR_MISUSE(&c.err, "kv_get_item needs a key and an out-parameter");
    else if (api_check_table_name(&c, table) == KV_OK && (res = result_item(&c))) {
        struct key_req r = {
            .table = table,
            .key = &key->root,
            .consistent = opts && opts->consistent_read,
            .out = res->arena,
        };
        api_fill_exprs(&r.ex, opts ? &opts->expr : NULL);
        struct get_resp g;
        kv_status st;
        for (int tries = 1; api_again(&c, st = op_get_item(&c.ctx, &r, &g), &tries);)
            ;
        if (st == KV_OK) {
            settle_result(res, g.item, out);
            res = NULL;
        }
    }
    kv_item_free(res);
    return api_call_end(&c);
}

kv_status
kv_delete_item(kv_db *db, const char *table, const kv_item *key, const kv_write_opts *opts,
               kv_item **old)
{
    struct call c;
    if (old)
        *old = NULL;
    if (!db)
        return KV_MISUSE;
    if (!api_call_begin(&c, db))
        return api_call_end(&c);
    kv_item *res = NULL;
    if (!key)
        ERR_MISUSE(&c.err, "kv_delete_item needs a key");
    else if (api_check_table_name(&c, table) == KV_OK && (res = result_item(&c))) {
        struct key_req r = {
            .table = table,
            .key = &key->root,
            .return_values = opts ? (int)opts->return_values : KV_RETURN_NONE,
            .return_old_on_fail = opts && opts->return_old_on_condition_failure,
            .out = res->arena,
        };
        api_fill_exprs(&r.ex, opts ? &opts->expr : NULL);
        struct write_resp w;
        kv_status st;
        for (int tries = 1; api_again(&c, st = op_delete_item(&c.ctx, &r, &w), &tries);)
            ;
        if (st == KV_OK && old) {
            settle_result(res, w.attributes, old);
            res = NULL;
        }
    }
    kv_item_free(res);
    return api_call_end(&c);
}

kv_status
kv_update_item(kv_db *db, const char *table, const kv_item *key, const char *update,
               const kv_write_opts *opts, kv_item **attributes)
{
    struct call c;
    if (attributes)
        *attributes = NULL;
    if (!db)
        return KV_MISUSE;
    if (!api_call_begin(&c, db))
        return api_call_end(&c);
    kv_item *res = NULL;
    if (!key)
        ERR_MISUSE(&c.err, "kv_update_item needs a key");
    else if (api_check_table_name(&c, table) == KV_OK && (res = result_item(&c))) {
        struct key_req r = {
            .table = table,
            .key = &key->root,
            .return_values = opts ? (int)opts->return_values : KV_RETURN_NONE,
            .return_old_on_fail = opts && opts->return_old_on_condition_failure,
            .out = res->arena,
        };
        api_fill_exprs(&r.ex, opts ? &opts->expr : NULL);
        r.ex.update = update;
        r.ex.update_len = update ? strlen(update) : 0;
        struct write_resp w;
        kv_status st;
        for (int tries = 1; api_again(&c, st = op_update_item(&c.ctx, &r, &w), &tries);)
            ;
        if (st == KV_OK && attributes) {
            settle_result(res, w.attributes, attributes);
            res = NULL;
        }
    }
    kv_item_free(res);
    return api_call_end(&c);
}

struct api_block *
api_block_new(void)
{
    struct api_block *b = mem_calloc(1, sizeof *b);
    if (b && !(b->arena = arena_new())) {
        mem_free(b);
        b = NULL;
    }
    return b;
}

void
api_block_free(struct api_block *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n_items; i++)
        kv_item_free(b->items[i]);
    arena_free(b->arena);
    mem_free(b);
}
