/*
 * api_tables.c -- the typed C face of the table operations: CreateTable
 * (with secondary indexes), DescribeTable, UpdateTable, DeleteTable and
 * ListTables, through the same op_* functions as the JSON face.
 */
#include "api.h"
#include "arena.h"
#include "db.h"
#include "err.h"
#include "mem.h"
#include "ops/ops.h"
#include "validate.h"
#include "value.h"

#include <string.h>

/* --- tables ------------------------------------------------------------------- */

struct info_block {
    kv_table_info info;
    struct arena *arena;
};

static char *
dup(struct arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

/* The indexes of a description, in the table info's arena; -1 when out of
 * memory. */
static int
make_index_infos(const struct table_desc *d, kv_table_info *info, struct arena *a,
                 const char *table_arn)
{
    const struct table_def *def = d->def;
    kv_index_info *out = arena_calloc(a, (def->n_indexes + 1) * sizeof *out);
    if (!out)
        return -1;
    for (size_t i = 0; i < def->n_indexes; i++) {
        const struct index_def *ix = &def->indexes[i];
        kv_index_info *o = &out[i];
        const char **nk = arena_calloc(a, (ix->n_non_key + 1) * sizeof *nk);
        o->name = dup(a, ix->name);
        o->global = ix->global;
        o->hash_key.name = dup(a, ix->key.hash.name);
        o->hash_key.type = (kv_type)ix->key.hash.type;
        o->range_key.name = dup(a, ix->key.range.name);
        o->range_key.type = (kv_type)ix->key.range.type;
        o->projection = (kv_projection)ix->projection;
        for (size_t k = 0; nk && k < ix->n_non_key; k++)
            if (!(nk[k] = dup(a, ix->non_key[k])))
                return -1;
        o->non_key_attrs = nk;
        o->n_non_key_attrs = ix->n_non_key;
        o->status = dup(a, ix->status);
        o->backfilling = ix->backfilling;
        o->read_capacity = ix->rcu;
        o->write_capacity = ix->wcu;
        if (i < CONSUMED_MAX_INDEXES) {
            o->item_count = d->index_stats[i].item_count;
            o->size_bytes = d->index_stats[i].size_bytes;
        }
        o->arn = arena_printf(a, "%s/index/%s", table_arn, ix->name);
        if (!o->name || !o->hash_key.name || !nk || !o->arn || !o->status ||
            (ix->key.range.name && !o->range_key.name))
            return -1;
    }
    info->indexes = out;
    info->n_indexes = def->n_indexes;
    return 0;
}

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
    i->deletion_protection = def->deletion_protection;
    if (!i->name || !i->arn || !i->id || !i->hash_key.name ||
        (def->key.range.name && !i->range_key.name) || make_index_infos(d, i, a, i->arn)) {
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

/* Add the definition of a key attribute unless already there. */
static void
define(struct create_table_req *r, const kv_key_attr *k)
{
    for (size_t i = 0; i < r->n_attrs; i++)
        if (strcmp(r->attrs[i].name, k->name) == 0)
            return;
    r->attrs[r->n_attrs].name = k->name;
    r->attrs[r->n_attrs].type = (uint8_t)k->type;
    r->n_attrs++;
}

static bool
key_type_ok(struct call *c, const kv_key_attr *k)
{
    if (k->type == KV_S || k->type == KV_N || k->type == KV_B)
        return true;
    ERR_MISUSE(&c->err, "key attribute %s must be of type S, N or B", k->name);
    return false;
}

/* An index request from a kv_index_def, in the call's arena. */
static bool
index_req_from(struct call *c, const kv_index_def *x, struct index_req *o)
{
    if (!x->name || !x->hash_key.name) {
        ERR_MISUSE(&c->err, "a kv_index_def needs a name and a hash key");
        return false;
    }
    if (!key_type_ok(c, &x->hash_key) || (x->range_key.name && !key_type_ok(c, &x->range_key)))
        return false;
    memset(o, 0, sizeof *o);
    o->name = x->name;
    o->n_keys = x->range_key.name ? 2 : 1;
    if (!(o->keys = arena_calloc(c->ctx.arena, 2 * sizeof *o->keys)))
        return err_nomem(&c->err), false;
    o->keys[0] = (struct key_elem){x->hash_key.name, KEYTYPE_HASH};
    o->keys[1] = (struct key_elem){x->range_key.name, KEYTYPE_RANGE};
    o->projection = x->projection >= KV_PROJECT_ALL && x->projection <= KV_PROJECT_INCLUDE
                        ? (int)x->projection
                        : -1;
    o->non_key = (const char **)x->non_key_attrs;
    o->n_non_key = x->non_key_attrs ? x->n_non_key_attrs : 0;
    o->non_key_given = x->non_key_attrs != NULL;
    o->has_throughput = x->read_capacity || x->write_capacity;
    o->rcu = x->read_capacity;
    o->wcu = x->write_capacity;
    return true;
}

/* The indexes of a kv_table_def, with the definitions of their keys. */
static void
add_indexes(struct call *c, const kv_table_def *def, struct create_table_req *r)
{
    size_t n = def->indexes ? def->n_indexes : 0;
    struct attr_def *attrs = arena_calloc(c->ctx.arena, (2 + 2 * n) * sizeof *attrs);
    r->lsis = arena_calloc(c->ctx.arena, (n + 1) * sizeof *r->lsis);
    r->gsis = arena_calloc(c->ctx.arena, (n + 1) * sizeof *r->gsis);
    if (!attrs || !r->lsis || !r->gsis) {
        err_nomem(&c->err);
        return;
    }
    memcpy(attrs, r->attrs, r->n_attrs * sizeof *attrs);
    r->attrs = attrs;
    for (size_t i = 0; i < n; i++) {
        const kv_index_def *x = &def->indexes[i];
        struct index_req *o = x->global ? &r->gsis[r->n_gsis] : &r->lsis[r->n_lsis];
        if (!index_req_from(c, x, o))
            return;
        define(r, &x->hash_key);
        if (x->range_key.name)
            define(r, &x->range_key);
        if (x->global)
            r->n_gsis++;
        else
            r->n_lsis++;
    }
    r->lsis_given = r->n_lsis > 0;
    r->gsis_given = r->n_gsis > 0;
}

kv_status
kv_table_create(kv_db *db, const kv_table_def *def, kv_table_info **info)
{
    struct call c;
    if (info)
        *info = NULL;
    if (!db)
        return KV_MISUSE;
    if (!api_call_begin(&c, db))
        return api_call_end(&c);
    if (!def || !def->name || !def->hash_key.name) {
        ERR_MISUSE(&c.err, "kv_table_create needs a name and a hash key");
        return api_call_end(&c);
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
        r.deletion_protection = def->deletion_protection != 0;
        if (c.err.status == KV_OK)
            add_indexes(&c, def, &r);
        struct table_desc d;
        kv_status st = c.err.status;
        if (st == KV_OK)
            for (int tries = 1; api_again(&c, st = op_create_table(&c.ctx, &r, &d), &tries);)
                ;
        if (st == KV_OK)
            give_info(&c, &d, info);
    }
    return api_call_end(&c);
}

kv_status
kv_table_describe(kv_db *db, const char *name, kv_table_info **info)
{
    struct call c;
    if (info)
        *info = NULL;
    if (!db)
        return KV_MISUSE;
    if (!api_call_begin(&c, db))
        return api_call_end(&c);
    struct table_desc d;
    kv_status st;
    if (!info)
        st = ERR_MISUSE(&c.err, "kv_table_describe needs an out-parameter");
    else if ((st = validate_control_table_name(name, name ? strlen(name) : 0, &c.err)) == KV_OK)
        for (int tries = 1; api_again(&c, st = op_describe_table(&c.ctx, name, &d), &tries);)
            ;
    if (st == KV_OK)
        give_info(&c, &d, info);
    return api_call_end(&c);
}

kv_status
kv_table_delete(kv_db *db, const char *name)
{
    struct call c;
    if (!db)
        return KV_MISUSE;
    if (!api_call_begin(&c, db))
        return api_call_end(&c);
    struct table_desc d;
    kv_status st = validate_control_table_name(name, name ? strlen(name) : 0, &c.err);
    if (st == KV_OK)
        for (int tries = 1; api_again(&c, st = op_delete_table(&c.ctx, name, &d), &tries);)
            ;
    if (st == KV_OK)
        table_desc_release(&d);
    return api_call_end(&c);
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
kv_table_list(kv_db *db, const char *start, int limit, char ***names, size_t *count, char **last)
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
    if (!api_call_begin(&c, db))
        return api_call_end(&c);
    struct list_tables_resp r;
    kv_status st;
    if (!names || !count)
        st = ERR_MISUSE(&c.err, "kv_table_list needs names and count out-parameters");
    else if (limit < 0 || limit > 100)
        st = err_set(&c.err, KV_VALIDATION,
                     "1 validation error detected: Value '%d' at 'limit' failed to satisfy "
                     "constraint: Member must have value %s",
                     limit, limit < 0 ? "greater than or equal to 1" : "less than or equal to 100");
    else
        for (int tries = 1; api_again(&c, st = op_list_tables(&c.ctx, start, limit, &r), &tries);)
            ;
    if (st == KV_OK) {
        if (!(*names = pack_names(&r)) || (last && r.last && !(*last = mem_strdup(r.last)))) {
            mem_free(*names);
            *names = NULL;
            err_nomem(&c.err);
        } else {
            *count = r.count;
        }
    }
    return api_call_end(&c);
}

kv_status
kv_table_update(kv_db *db, const char *name, const kv_table_changes *u, kv_table_info **info)
{
    struct call c;
    if (info)
        *info = NULL;
    if (!db)
        return KV_MISUSE;
    if (!api_call_begin(&c, db))
        return api_call_end(&c);
    if (!u) {
        ERR_MISUSE(&c.err, "kv_table_update needs the changes");
        return api_call_end(&c);
    }
    struct update_table_req r;
    struct gsi_update_req g[3];
    struct attr_def attrs[2];
    memset(&r, 0, sizeof r);
    memset(g, 0, sizeof g);
    r.name = name;
    r.billing = u->set_billing_mode ? (int)u->billing_mode : -1;
    r.has_throughput = u->read_capacity || u->write_capacity;
    r.rcu = u->read_capacity;
    r.wcu = u->write_capacity;
    r.deletion_protection = u->set_deletion_protection ? u->deletion_protection != 0 : -1;
    r.gsi = g;
    if (u->create_index) {
        const kv_index_def *x = u->create_index;
        struct gsi_update_req *e = &g[r.n_gsi++];
        e->action = GSI_CREATE;
        e->n_actions = 1;
        if (index_req_from(&c, x, &e->create)) {
            e->name = x->name;
            attrs[0] = (struct attr_def){x->hash_key.name, (uint8_t)x->hash_key.type};
            attrs[1] = (struct attr_def){x->range_key.name, (uint8_t)x->range_key.type};
            r.attrs = attrs;
            r.n_attrs = x->range_key.name ? 2 : 1;
            r.attrs_given = true;
        }
    }
    if (u->update_index)
        g[r.n_gsi++] = (struct gsi_update_req){.action = GSI_UPDATE,
                                               .n_actions = 1,
                                               .name = u->update_index,
                                               .has_throughput = true,
                                               .rcu = u->index_read_capacity,
                                               .wcu = u->index_write_capacity};
    if (u->delete_index)
        g[r.n_gsi++] =
            (struct gsi_update_req){.action = GSI_DELETE, .n_actions = 1, .name = u->delete_index};
    struct table_desc d;
    kv_status st = c.err.status;
    if (st == KV_OK && (st = validate_control_table_name(name, name ? strlen(name) : 0,
                                                         &c.err)) == KV_OK)
        for (int tries = 1; api_again(&c, st = op_update_table(&c.ctx, &r, &d), &tries);)
            ;
    if (st == KV_OK)
        give_info(&c, &d, info);
    return api_call_end(&c);
}
