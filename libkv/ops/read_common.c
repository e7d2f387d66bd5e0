/*
 * read_common.c -- the parts of Query and Scan that are the same; see
 * read_common.h.
 *
 * Paging follows DynamoDB: a page ends after Limit items have been read
 * (counted before the filter) or once the items read add up to 1 MB
 * (their DynamoDB sizes, as stored in each item's header; the item that
 * crosses the line is included).  A page that ended early carries
 * LastEvaluatedKey, the key of the last item read, even when nothing is
 * left: only its absence means the end.  Capacity is the sum of the sizes
 * read, rounded up to 4 KB once, and at least one unit.
 */
#include "read_common.h"
#include "arena.h"
#include "charge.h"
#include "err.h"
#include "expr/expr.h"
#include "index.h"
#include "itemcodec.h"
#include "mem.h"
#include "txn.h"
#include "value.h"

#include <string.h>

static kv_status
check_select(struct op_ctx *c, const struct read_req *r, bool query, int *select)
{
    bool proj = r->projection != NULL;
    switch (r->select) {
    case SELECT_DEFAULT:
        *select = proj ? SELECT_SPECIFIC : r->index ? SELECT_ALL_PROJECTED : SELECT_ALL_ATTRIBUTES;
        return KV_OK;
    case SELECT_ALL_ATTRIBUTES:
        if (proj)
            return err_set(c->err, KV_VALIDATION, "Cannot specify the ProjectionExpression when "
                                                  "choosing to get ALL_ATTRIBUTES");
        break;
    case SELECT_ALL_PROJECTED:
        if (proj)
            return err_set(c->err, KV_VALIDATION, "Cannot specify the ProjectionExpression when "
                                                  "choosing to get ALL_PROJECTED_ATTRIBUTES");
        if (!r->index)
            return err_set(c->err, KV_VALIDATION, "ALL_PROJECTED_ATTRIBUTES can be used only "
                                                  "when Querying using an IndexName");
        break;
    case SELECT_COUNT:
        if (proj)
            return err_set(c->err, KV_VALIDATION, "Cannot specify the ProjectionExpression when "
                                                  "choosing to get only the Count");
        break;
    case SELECT_SPECIFIC:
        if (!proj)
            return err_set(c->err, KV_VALIDATION,
                           "%sMust specify the AttributesToGet or ProjectionExpression when "
                           "choosing to get SPECIFIC_ATTRIBUTES",
                           query ? "1 validation error detected: " : "");
        break;
    }
    *select = r->select;
    return KV_OK;
}

kv_status
read_prepare(struct op_ctx *c, const struct read_req *r, bool query, struct read_exprs *ex)
{
    static const enum expr_kind query_kinds[] = {EXPR_PROJECTION, EXPR_FILTER,
                                                 EXPR_KEY_CONDITION};
    static const enum expr_kind scan_kinds[] = {EXPR_PROJECTION, EXPR_FILTER};
    memset(ex, 0, sizeof *ex);
    kv_status st = check_select(c, r, query, &ex->select);
    if (st != KV_OK)
        return st;
    if (query && !r->key_condition)
        return err_set(c->err, KV_VALIDATION, "Either the KeyConditions or "
                                              "KeyConditionExpression parameter must be "
                                              "specified in the request.");
    struct expr_request er;
    memset(&er, 0, sizeof er);
    er.names = r->names;
    er.values = r->values;
    er.text[EXPR_KEY_CONDITION] = query ? r->key_condition : NULL;
    er.len[EXPR_KEY_CONDITION] = r->key_condition_len;
    er.text[EXPR_FILTER] = r->filter;
    er.len[EXPR_FILTER] = r->filter_len;
    er.text[EXPR_PROJECTION] = r->projection;
    er.len[EXPR_PROJECTION] = r->projection_len;
    er.accepted = query ? query_kinds : scan_kinds;
    er.n_accepted = query ? 3 : 2;
    if ((st = expr_request_parse(c->arena, &er, c->err)) != KV_OK)
        return st;
    ex->key_condition = er.key_condition;
    ex->filter = er.filter;
    ex->projection = er.projection;
    return KV_OK;
}

static const struct index_def *
find_index(const struct table_def *def, const char *name)
{
    for (size_t i = 0; i < def->n_indexes; i++)
        if (strcmp(def->indexes[i].name, name) == 0)
            return &def->indexes[i];
    return NULL;
}

static bool
names_projected(const struct table_def *def, const struct index_def *ix,
                const struct expr_name *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!index_projects(def, ix, names[i].name, names[i].len))
            return false;
    return true;
}

/* Whether a local index read must fetch items: it asks for all their
 * attributes, or its projection or filter names one the index lacks. */
static bool
needs_fetch(const struct table_def *def, const struct index_def *ix, const struct read_exprs *ex)
{
    size_t n;
    const struct expr_name *names;
    if (ix->projection == PROJECT_ALL)
        return false;
    if (ex->select == SELECT_ALL_ATTRIBUTES)
        return true;
    if (ex->projection && (names = expr_proj_names(ex->projection, &n)) &&
        !names_projected(def, ix, names, n))
        return true;
    if (ex->filter && (names = expr_cond_names(ex->filter, &n)) &&
        !names_projected(def, ix, names, n))
        return true;
    return false;
}

kv_status
read_target_open(struct txn *t, const struct read_req *r, const struct read_exprs *ex,
                 struct read_target *tg)
{
    struct table_def *def;
    memset(tg, 0, sizeof *tg);
    kv_status st = catalog_get(t, r->table, strlen(r->table), &def);
    if (st != KV_OK)
        return st;
    if (!def)
        return err_set(t->err, KV_RESOURCE_NOT_FOUND, "Requested resource not found");
    tg->def = def;
    tg->key = &def->key;
    const char *dbname = def->dbname;
    if (r->index) {
        const struct index_def *ix = find_index(def, r->index);
        if (!ix)
            return err_set(t->err, KV_VALIDATION,
                           "The table does not have the specified index: %s", r->index);
        if (ix->global && r->consistent)
            return err_set(t->err, KV_VALIDATION,
                           "Consistent reads are not supported on global secondary indexes");
        if (ix->backfilling)
            return err_set(t->err, KV_VALIDATION,
                           "Cannot read from backfilling global secondary index: %s", ix->name);
        if (ix->global && ex->select == SELECT_ALL_ATTRIBUTES && ix->projection != PROJECT_ALL)
            return err_set(t->err, KV_VALIDATION,
                           "One or more parameter values were invalid: Select type "
                           "ALL_ATTRIBUTES is not supported for global secondary index %s "
                           "because its projection type is not ALL",
                           ix->name);
        tg->ix = ix;
        tg->key = &ix->key;
        dbname = ix->dbname;
        tg->fetch = !ix->global && needs_fetch(def, ix, ex);
        if (tg->fetch && (st = txn_dbi(t, def->dbname, &tg->table_dbi)) != KV_OK)
            return st;
    }
    return txn_dbi(t, dbname, &tg->dbi);
}

kv_status
read_admit(struct txn *t, const struct read_req *r, const struct read_target *tg,
           enum metrics_op op, const uint8_t *key, size_t len, struct throttle_ticket *ticket)
{
    const char *gsi = tg->ix && tg->ix->global ? tg->ix->name : NULL;
    return charge_read_admit(t, tg->def, op, gsi, key, len, r->consistent, ticket);
}

void
pager_init(struct pager *p, const struct read_req *r, struct read_resp *out,
           const struct read_target *tg, const struct read_exprs *ex, struct arena *scratch)
{
    memset(p, 0, sizeof *p);
    p->r = r;
    p->out = out;
    p->tg = tg;
    p->ex = ex;
    p->scratch = scratch;
    p->keep_decoded = r->out == scratch && !ex->projection && !tg->fetch &&
                      ex->select != SELECT_COUNT;
    p->keep_all = p->keep_decoded && !ex->filter;
}

static kv_status
keep_item(struct pager *p, struct txn *t, const struct kv_value *item)
{
    struct read_resp *o = p->out;
    if (o->n_items == o->cap_items &&
        arena_grow(p->r->out, (void **)&o->items, &o->cap_items, o->n_items + 1,
                   sizeof *o->items))
        return err_nomem(t->err);
    struct kv_value *slot = &o->items[o->n_items];
    kv_status st;
    if (p->keep_decoded) {
        *slot = *item; /* its bytes are pager_decode's copy, in p->r->out */
        st = KV_OK;
    } else if (p->ex->projection)
        st = expr_project(p->ex->projection, item, p->r->out, slot, t->err);
    else
        st = value_copy(p->r->out, slot, item) ? err_nomem(t->err) : KV_OK;
    if (st == KV_OK)
        o->n_items++;
    return st;
}

/* Replace an index entry by its item from the table, charging the read. */
static kv_status
fetch_item(struct pager *p, struct txn *t, const struct kv_value **item)
{
    const struct key_schema *k = &p->tg->def->key;
    const struct kv_value *h = value_map_get(*item, k->hash.name, strlen(k->hash.name));
    const struct kv_value *r = k->range.name ?
        value_map_get(*item, k->range.name, strlen(k->range.name)) : NULL;
    struct keybuf kb;
    MDB_val key, val;
    kv_status st = keycodec_item_key(&kb, h, r, t->err);
    if (st != KV_OK)
        return st;
    key = (MDB_val){kb.len, kb.bytes};
    int rc = mdb_get(t->txn, p->tg->table_dbi, &key, &val);
    if (rc == MDB_NOTFOUND)
        return ERR_CORRUPT(t->err, "index entry without its item");
    if (rc)
        return txn_check(t, rc, "reading an item");
    size_t size;
    struct kv_value *full = arena_alloc(p->scratch, sizeof *full);
    if (!full)
        return err_nomem(t->err);
    if ((st = itemcodec_decode_sized(val.mv_data, val.mv_size, p->scratch, true, full, &size,
                                     t->err)) != KV_OK)
        return st;
    p->fetch_units += capacity_read(size, p->r->consistent ? READ_STRONG : READ_EVENTUAL);
    *item = full;
    return KV_OK;
}

kv_status
pager_take_general(struct pager *p, struct txn *t, const struct kv_value *item, size_t size)
{
    struct read_resp *o = p->out;
    kv_status st;
    o->scanned++;
    p->bytes += size;
    p->last = *item;
    p->have_last = true;
    if (p->tg->fetch && (st = fetch_item(p, t, &item)) != KV_OK)
        return st;
    if (!p->ex->filter || expr_eval(p->ex->filter, item)) {
        o->count++;
        if (p->ex->select != SELECT_COUNT && (st = keep_item(p, t, item)) != KV_OK)
            return st;
    }
    pager_check_full(p);
    return KV_OK;
}

/* Copy attribute `a` of the last item into the key being built. */
static kv_status
key_attr(struct pager *p, struct txn *t, struct kv_value *key, const struct attr_def *a)
{
    if (!a->name || value_map_get(key, a->name, strlen(a->name)))
        return KV_OK;
    const struct kv_value *v = value_map_get(&p->last, a->name, strlen(a->name));
    if (!v)
        return ERR_CORRUPT(t->err, "stored entry lacks key attribute %s", a->name);
    struct kv_value *slot = value_map_append(p->r->out, key, a->name, strlen(a->name), true);
    if (!slot || value_copy(p->r->out, slot, v))
        return err_nomem(t->err);
    return KV_OK;
}

kv_status
pager_finish(struct pager *p, struct txn *t)
{
    const struct key_schema *tk = &p->tg->def->key, *ik = p->tg->key;
    if (p->stopped && p->have_last) {
        struct kv_value *key = arena_alloc(p->r->out, sizeof *key);
        if (!key)
            return err_nomem(t->err);
        value_init(key, KV_M);
        kv_status st;
        if ((st = key_attr(p, t, key, &tk->hash)) || (st = key_attr(p, t, key, &tk->range)) ||
            (st = key_attr(p, t, key, &ik->hash)) || (st = key_attr(p, t, key, &ik->range)))
            return st;
        p->out->last_key = key;
    }
    uint64_t units = capacity_read(p->bytes, p->r->consistent ? READ_STRONG : READ_EVENTUAL);
    const struct index_def *ix = p->tg->ix;
    if (ix)
        consumed_add_index(&p->out->consumed, ix->name, ix->global, units, 0);
    else
        consumed_add_table(&p->out->consumed, units, 0);
    /* Items fetched for a local index draw on the table's capacity. */
    if (p->fetch_units)
        consumed_add_table(&p->out->consumed, p->fetch_units, 0);
    return KV_OK;
}

static bool
key_part_ok(const struct kv_value *start, const struct attr_def *a)
{
    if (!a->name)
        return true;
    const struct kv_value *v = value_map_get(start, a->name, strlen(a->name));
    return v && v->type == a->type;
}

static size_t
distinct_key_attrs(const struct read_target *tg)
{
    const struct attr_def *all[4] = {&tg->def->key.hash, &tg->def->key.range, &tg->key->hash,
                                     &tg->key->range};
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        if (!all[i]->name)
            continue;
        bool seen = false;
        for (int j = 0; j < i; j++)
            seen |= all[j]->name && strcmp(all[j]->name, all[i]->name) == 0;
        n += !seen;
    }
    return n;
}

kv_status
read_check_start_key(struct txn *t, const struct read_target *tg, const struct kv_value *start)
{
    for (uint32_t i = 0; i < start->len; i++) {
        kv_status st = value_check(&start->u.members[i].value, 0, t->err);
        if (st != KV_OK) {
            /* Re-word the value's problem as DynamoDB does for start keys. */
            char *msg = t->err->msg;
            t->err->msg = NULL;
            t->err->status = KV_OK;
            st = err_set(t->err, KV_VALIDATION, "The provided starting key is invalid: %s",
                         msg ? msg : "");
            mem_free(msg);
            return st;
        }
    }
    const struct key_schema *tk = &tg->def->key;
    if (start->len != distinct_key_attrs(tg) || !key_part_ok(start, &tk->hash) ||
        !key_part_ok(start, &tk->range) || !key_part_ok(start, &tg->key->hash) ||
        !key_part_ok(start, &tg->key->range))
        return err_set(t->err, KV_VALIDATION, "The provided starting key is invalid: The "
                                              "provided key element does not match the schema");
    return KV_OK;
}

static const struct kv_value *
attr_value(const struct kv_value *item, const struct attr_def *a)
{
    return a->name ? value_map_get(item, a->name, strlen(a->name)) : NULL;
}

kv_status
read_start_stored_key(struct txn *t, const struct read_target *tg, const struct kv_value *start,
                      struct keybuf *kb)
{
    const struct key_schema *tk = &tg->def->key;
    kv_status st = keycodec_item_key(kb, attr_value(start, &tk->hash),
                                     attr_value(start, &tk->range), t->err);
    if (st != KV_OK || !tg->ix)
        return st;
    struct keybuf base = *kb;
    return keycodec_index_key(kb, attr_value(start, &tg->key->hash),
                              attr_value(start, &tg->key->range), &base, t->err);
}
