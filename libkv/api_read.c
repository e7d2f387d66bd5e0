/*
 * api_read.c -- the typed C face of Query and Scan: kv_query, kv_scan and
 * their result.
 *
 * The options fill the read_req the JSON face fills and the same op_query
 * or op_scan runs.  The field constraints are checked together, in the
 * JSON face's order, so a call gets the same message a request would.
 *
 * A result is one block with an arena that holds everything: the items
 * are decoded straight into it.  When nothing is filtered or projected,
 * the block's arena is also the call's scratch memory, so each item is
 * kept as decoded instead of being copied (read_common.h).
 */
#include "api.h"
#include "arena.h"
#include "db.h"
#include "retry_call.h"
#include "validate.h"
#include "value.h"

#include <string.h>

void
kv_read_result_free(kv_read_result *result)
{
    api_block_free((struct api_block *)result);
}

/* The options into r, with the constraints the JSON face checks. */
static kv_status
fill_read(struct call *c, const char *table, const kv_read_opts *o, bool query,
          struct read_req *r)
{
    static const kv_read_opts defaults;
    if (!o)
        o = &defaults;
    if ((int)o->select < KV_SELECT_DEFAULT || o->select > KV_SELECT_COUNT)
        return ERR_MISUSE(&c->err, "%s: unknown select %d", query ? "kv_query" : "kv_scan",
                          (int)o->select);
    r->table = table;
    r->index = o->index;
    r->filter = o->filter;
    r->filter_len = o->filter ? strlen(o->filter) : 0;
    r->projection = o->projection;
    r->projection_len = o->projection ? strlen(o->projection) : 0;
    r->names = o->names ? &o->names->root : NULL;
    r->values = o->values ? &o->values->root : NULL;
    r->select = (int)o->select; /* kv_select and enum select_mode agree */
    r->has_limit = o->limit != 0;
    r->limit = o->limit;
    r->consistent = o->consistent_read != 0;
    r->start_key = o->exclusive_start_key ? &o->exclusive_start_key->root : NULL;
    r->forward = !query || !o->backward;
    if (!query) {
        r->has_total = o->total_segments != 0;
        r->has_segment = r->has_total || o->segment != 0;
        r->segment = o->segment;
        r->total_segments = o->total_segments;
    }
    struct vlist v;
    vlist_init(&v);
    if (r->has_limit)
        validate_read_limit(&v, query, r->limit);
    validate_table_name(&v, table, table ? strlen(table) : 0, "tableName");
    if (r->index)
        validate_index_name(&v, r->index, strlen(r->index));
    if (r->has_segment)
        validate_range(&v, "segment", r->segment, 0, 999999);
    if (r->has_total)
        validate_range(&v, "totalSegments", r->total_segments, 1, 1000000);
    kv_status st = vlist_finish(&v, &c->err);
    vlist_release(&v);
    return st;
}

/* Wrap the page's values as items of the block. */
static kv_status
make_result(struct call *c, struct api_block *b, const struct read_resp *o)
{
    kv_read_result *res = &b->u.read;
    size_t n = o->n_items + (o->last_key != NULL);
    kv_item *its = arena_alloc(b->arena, (n ? n : 1) * sizeof *its);
    res->items = arena_alloc(b->arena, (o->n_items ? o->n_items : 1) * sizeof *res->items);
    if (!its || !res->items)
        return err_nomem(&c->err);
    for (size_t i = 0; i < o->n_items; i++) {
        its[i] = (kv_item){b->arena, o->items[i]};
        res->items[i] = &its[i];
    }
    if (o->last_key) {
        its[o->n_items] = (kv_item){b->arena, *o->last_key};
        res->last_evaluated_key = &its[o->n_items];
    }
    res->n_items = o->n_items;
    res->count = o->count;
    res->scanned_count = o->scanned;
    res->capacity_units = (double)o->consumed.read / 2.0;
    res->table_capacity_units = (double)o->consumed.table_read / 2.0;
    return KV_OK;
}

static kv_status
run_read(kv_db *db, const char *table, const char *key_condition, const kv_read_opts *opts,
         bool query, kv_read_result **result)
{
    struct call c;
    if (result)
        *result = NULL;
    if (!db)
        return KV_MISUSE;
    if (!api_call_begin(&c, db))
        return api_call_end(&c);
    struct read_req r;
    memset(&r, 0, sizeof r);
    struct api_block *b = NULL;
    if (!result)
        ERR_MISUSE(&c.err, "%s needs a result pointer", query ? "kv_query" : "kv_scan");
    else if (fill_read(&c, table, opts, query, &r) != KV_OK)
        ; /* recorded */
    else if (!(b = api_block_new()))
        err_nomem(&c.err);
    else {
        if (query) {
            r.key_condition = key_condition;
            r.key_condition_len = key_condition ? strlen(key_condition) : 0;
        }
        r.out = b->arena;
        /* Whole items go straight into the result (see the top). */
        struct arena *scratch = c.ctx.arena;
        if (!r.filter && !r.projection && r.select != KV_SELECT_COUNT)
            c.ctx.arena = b->arena;
        struct read_resp out;
        kv_status st;
        for (int tries = 1;
             api_again(&c, st = query ? op_query(&c.ctx, &r, &out) : op_scan(&c.ctx, &r, &out),
                       &tries);)
            ;
        c.ctx.arena = scratch;
        if (st == KV_OK && make_result(&c, b, &out) == KV_OK) {
            *result = &b->u.read;
            b = NULL;
        }
    }
    kv_read_result_free(b ? &b->u.read : NULL);
    return api_call_end(&c);
}

kv_status
kv_query(kv_db *db, const char *table, const char *key_condition, const kv_read_opts *opts,
         kv_read_result **result)
{
    return run_read(db, table, key_condition, opts, true, result);
}

kv_status
kv_scan(kv_db *db, const char *table, const kv_read_opts *opts, kv_read_result **result)
{
    return run_read(db, table, NULL, opts, false, result);
}
