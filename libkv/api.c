/*
 * api.c -- the typed C face: check the caller's arguments, fill the same
 * request structs the JSON face fills, call the same op_* functions, and
 * hand back C results.  Every entry point ends in db_finish, which records
 * the outcome for kv_errmsg.
 */
#include "arena.h"
#include "db.h"
#include "err.h"
#include "mem.h"
#include "ops/ops.h"
#include "validate.h"
#include "value.h"

#include <string.h>

/* Scratch memory and error of one call. */
struct call {
    struct kv_db *db;
    struct kv_err err;
    struct op_ctx ctx;
};

static bool
call_begin(struct call *c, kv_db *db)
{
    err_init(&c->err);
    c->db = db;
    c->ctx.db = db;
    c->ctx.err = &c->err;
    c->ctx.arena = arena_new();
    if (!c->ctx.arena)
        err_nomem(&c->err);
    return c->ctx.arena != NULL;
}

static kv_status
call_end(struct call *c)
{
    arena_free(c->ctx.arena);
    return db_finish(c->db, &c->err);
}

/* The data-plane table name constraints, as the JSON face applies them. */
static kv_status
check_table_name(struct call *c, const char *name)
{
    struct vlist v;
    vlist_init(&v);
    validate_table_name(&v, name, name ? strlen(name) : 0, "tableName");
    kv_status st = vlist_finish(&v, &c->err);
    vlist_release(&v);
    return st;
}

/* --- tables ------------------------------------------------------------------- */

struct info_block {
    kv_table_info info;
    struct arena *arena;
};

static kv_status
make_info(const struct table_desc *d, kv_table_info **out)
{
    struct info_block *b = mem_calloc(1, sizeof *b);
    if (!b || !(b->arena = arena_new())) {
        mem_free(b);
        return KV_NOMEM;
    }
    const struct table_def *def = d->def;
    kv_table_info *i = &b->info;
    struct arena *a = b->arena;
    i->name = arena_strndup(a, def->name, strlen(def->name));
    i->status = d->status;
    i->arn = op_table_arn(a, def->name);
    i->id = arena_strndup(a, def->uuid, strlen(def->uuid));
    i->hash_key.name = arena_strndup(a, def->key.hash.name, strlen(def->key.hash.name));
    i->hash_key.type = (kv_type)def->key.hash.type;
    if (def->key.range.name) {
        i->range_key.name = arena_strndup(a, def->key.range.name, strlen(def->key.range.name));
        i->range_key.type = (kv_type)def->key.range.type;
    }
    i->billing_mode = (kv_billing_mode)def->billing;
    i->read_capacity = def->rcu;
    i->write_capacity = def->wcu;
    i->creation_time = (double)def->created_ms / 1000.0;
    i->item_count = d->stats.item_count;
    i->size_bytes = d->stats.size_bytes;
    if (!i->name || !i->arn || !i->id || !i->hash_key.name ||
        (def->key.range.name && !i->range_key.name)) {
        kv_table_info_free(i);
        return KV_NOMEM;
    }
    *out = i;
    return KV_OK;
}

void
kv_table_info_free(kv_table_info *info)
{
    if (!info)
        return;
    struct info_block *b = (struct info_block *)info;
    arena_free(b->arena);
    mem_free(b);
}

static kv_status
give_info(struct call *c, struct table_desc *d, kv_table_info **info)
{
    kv_status st = KV_OK;
    if (info && (st = make_info(d, info)) != KV_OK)
        err_nomem(&c->err);
    table_desc_release(d);
    return st;
}

kv_status
kv_table_create(kv_db *db, const kv_table_def *def, kv_table_info **info)
{
    struct call c;
    if (info)
        *info = NULL;
    if (!db)
        return KV_MISUSE;
    if (!call_begin(&c, db))
        return call_end(&c);
    if (!def || !def->name || !def->hash_key.name) {
        ERR_MISUSE(&c.err, "kv_table_create needs a name and a hash key");
        return call_end(&c);
    }
    struct vlist v;
    vlist_init(&v);
    validate_new_table_name(&v, def->name, strlen(def->name));
    kv_status named = vlist_finish(&v, &c.err);
    vlist_release(&v);
    if (named == KV_OK) {
        struct attr_def attrs[2] = {{def->hash_key.name, (uint8_t)def->hash_key.type},
                                    {def->range_key.name, (uint8_t)def->range_key.type}};
        struct key_elem keys[2] = {{def->hash_key.name, KEYTYPE_HASH},
                                   {def->range_key.name, KEYTYPE_RANGE}};
        size_t n = def->range_key.name ? 2 : 1;
        struct create_table_req r = {
            .name = def->name,
            .attrs = attrs,
            .n_attrs = n,
            .keys = keys,
            .n_keys = n,
            .billing = def->billing_mode,
            .has_throughput = def->billing_mode == KV_PROVISIONED,
            .rcu = def->read_capacity,
            .wcu = def->write_capacity,
        };
        for (size_t k = 0; k < n; k++)
            if (attrs[k].type != KV_S && attrs[k].type != KV_N && attrs[k].type != KV_B)
                ERR_MISUSE(&c.err, "key attribute %s must be of type S, N or B", attrs[k].name);
        struct table_desc d;
        if (c.err.status == KV_OK && op_create_table(&c.ctx, &r, &d) == KV_OK)
            give_info(&c, &d, info);
    }
    return call_end(&c);
}

kv_status
kv_table_describe(kv_db *db, const char *name, kv_table_info **info)
{
    struct call c;
    if (info)
        *info = NULL;
    if (!db)
        return KV_MISUSE;
    if (!call_begin(&c, db))
        return call_end(&c);
    struct table_desc d;
    if (!info)
        ERR_MISUSE(&c.err, "kv_table_describe needs an out-parameter");
    else if (validate_control_table_name(name, name ? strlen(name) : 0, &c.err) == KV_OK &&
             op_describe_table(&c.ctx, name, &d) == KV_OK)
        give_info(&c, &d, info);
    return call_end(&c);
}

kv_status
kv_table_delete(kv_db *db, const char *name)
{
    struct call c;
    if (!db)
        return KV_MISUSE;
    if (!call_begin(&c, db))
        return call_end(&c);
    struct table_desc d;
    if (validate_control_table_name(name, name ? strlen(name) : 0, &c.err) == KV_OK &&
        op_delete_table(&c.ctx, name, &d) == KV_OK)
        table_desc_release(&d);
    return call_end(&c);
}

/* One allocation: the pointer array followed by the strings. */
static char **
pack_names(const struct list_tables_resp *r)
{
    size_t bytes = (r->count + 1) * sizeof(char *);
    for (size_t i = 0; i < r->count; i++)
        bytes += strlen(r->names[i]) + 1;
    char **names = mem_alloc(bytes);
    if (!names)
        return NULL;
    char *p = (char *)(names + r->count + 1);
    for (size_t i = 0; i < r->count; i++) {
        size_t n = strlen(r->names[i]) + 1;
        memcpy(p, r->names[i], n);
        names[i] = p;
        p += n;
    }
    names[r->count] = NULL;
    return names;
}

kv_status
kv_table_list(kv_db *db, const char *start, int limit, char ***names, size_t *count,
              char **last)
{
    struct call c;
    if (names)
        *names = NULL;
    if (count)
        *count = 0;
    if (last)
        *last = NULL;
    if (!db)
        return KV_MISUSE;
    if (!call_begin(&c, db))
        return call_end(&c);
    struct list_tables_resp r;
    if (!names || !count)
        ERR_MISUSE(&c.err, "kv_table_list needs names and count out-parameters");
    else if (limit < 0 || limit > 100)
        err_set(&c.err, KV_VALIDATION,
                "1 validation error detected: Value '%d' at 'limit' failed to satisfy "
                "constraint: Member must have value %s",
                limit, limit < 0 ? "greater than or equal to 1" : "less than or equal to 100");
    else if (op_list_tables(&c.ctx, start, limit, &r) == KV_OK) {
        if (!(*names = pack_names(&r)) || (last && r.last && !(*last = mem_strdup(r.last)))) {
            mem_free(*names);
            *names = NULL;
            err_nomem(&c.err);
        } else {
            *count = r.count;
        }
    }
    return call_end(&c);
}

/* --- items ---------------------------------------------------------------------- */

static void
fill_exprs(struct item_exprs *ex, const kv_expr_args *e)
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
    if (!call_begin(&c, db))
        return call_end(&c);
    kv_item *res = NULL;
    if (!item)
        ERR_MISUSE(&c.err, "kv_put_item needs an item");
    else if (check_table_name(&c, table) == KV_OK && (res = result_item(&c))) {
        struct put_item_req r = {
            .table = table,
            .item = &item->root,
            .return_values = opts ? (int)opts->return_values : KV_RETURN_NONE,
            .return_old_on_fail = opts && opts->return_old_on_condition_failure,
            .out = res->arena,
        };
        fill_exprs(&r.ex, opts ? &opts->expr : NULL);
        struct write_resp w;
        if (op_put_item(&c.ctx, &r, &w) == KV_OK && old) {
            settle_result(res, w.attributes, old);
            res = NULL;
        }
    }
    kv_item_free(res);
    return call_end(&c);
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
    if (!call_begin(&c, db))
        return call_end(&c);
    kv_item *res = NULL;
    if (!key || !out)
        ERR_MISUSE(&c.err, "kv_get_item needs a key and an out-parameter");
    else if (check_table_name(&c, table) == KV_OK && (res = result_item(&c))) {
        struct key_req r = {
            .table = table,
            .key = &key->root,
            .consistent = opts && opts->consistent_read,
            .out = res->arena,
        };
        fill_exprs(&r.ex, opts ? &opts->expr : NULL);
        struct get_resp g;
        if (op_get_item(&c.ctx, &r, &g) == KV_OK) {
            settle_result(res, g.item, out);
            res = NULL;
        }
    }
    kv_item_free(res);
    return call_end(&c);
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
    if (!call_begin(&c, db))
        return call_end(&c);
    kv_item *res = NULL;
    if (!key)
        ERR_MISUSE(&c.err, "kv_delete_item needs a key");
    else if (check_table_name(&c, table) == KV_OK && (res = result_item(&c))) {
        struct key_req r = {
            .table = table,
            .key = &key->root,
            .return_values = opts ? (int)opts->return_values : KV_RETURN_NONE,
            .return_old_on_fail = opts && opts->return_old_on_condition_failure,
            .out = res->arena,
        };
        fill_exprs(&r.ex, opts ? &opts->expr : NULL);
        struct write_resp w;
        if (op_delete_item(&c.ctx, &r, &w) == KV_OK && old) {
            settle_result(res, w.attributes, old);
            res = NULL;
        }
    }
    kv_item_free(res);
    return call_end(&c);
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
    if (!call_begin(&c, db))
        return call_end(&c);
    kv_item *res = NULL;
    if (!key)
        ERR_MISUSE(&c.err, "kv_update_item needs a key");
    else if (check_table_name(&c, table) == KV_OK && (res = result_item(&c))) {
        struct key_req r = {
            .table = table,
            .key = &key->root,
            .return_values = opts ? (int)opts->return_values : KV_RETURN_NONE,
            .return_old_on_fail = opts && opts->return_old_on_condition_failure,
            .out = res->arena,
        };
        fill_exprs(&r.ex, opts ? &opts->expr : NULL);
        r.ex.update = update;
        r.ex.update_len = update ? strlen(update) : 0;
        struct write_resp w;
        if (op_update_item(&c.ctx, &r, &w) == KV_OK && attributes) {
            settle_result(res, w.attributes, attributes);
            res = NULL;
        }
    }
    kv_item_free(res);
    return call_end(&c);
}
