/*
 * item_common.c -- see item_common.h.
 */
#include "item_common.h"
#include "arena.h"
#include "capacity.h"
#include "catalog.h"
#include "err.h"
#include "itemcodec.h"
#include "ops.h"
#include "txn.h"
#include "validate.h"
#include "value.h"

#include <string.h>

kv_status
item_parse_exprs(struct op_ctx *c, const struct item_exprs *ex, const enum expr_kind *accepted,
                 size_t n_accepted, struct item_parsed *out)
{
    struct expr_request er;
    memset(out, 0, sizeof *out);
    if (!ex->names && !ex->values && !ex->update && !ex->condition && !ex->projection)
        return KV_OK; /* most requests: nothing to parse or check */
    memset(&er, 0, sizeof er);
    er.names = ex->names;
    er.values = ex->values;
    /* Only the operation's own expression parameters count; DynamoDB
     * ignores members an operation does not have. */
    for (size_t i = 0; i < n_accepted; i++) {
        switch (accepted[i]) {
        case EXPR_UPDATE:
            er.text[EXPR_UPDATE] = ex->update;
            er.len[EXPR_UPDATE] = ex->update_len;
            break;
        case EXPR_CONDITION:
            er.text[EXPR_CONDITION] = ex->condition;
            er.len[EXPR_CONDITION] = ex->condition_len;
            break;
        case EXPR_PROJECTION:
            er.text[EXPR_PROJECTION] = ex->projection;
            er.len[EXPR_PROJECTION] = ex->projection_len;
            break;
        default:
            break;
        }
    }
    er.accepted = accepted;
    er.n_accepted = n_accepted;
    /* Most requests carry no expression at all: nothing to parse or check. */
    if (!er.names && !er.values && !er.text[EXPR_UPDATE] && !er.text[EXPR_CONDITION] &&
        !er.text[EXPR_PROJECTION])
        return KV_OK;
    kv_status st = expr_request_parse(c->arena, &er, c->err);
    if (st != KV_OK)
        return st;
    out->update = er.update;
    out->condition = er.condition;
    out->projection = er.projection;
    return KV_OK;
}

kv_status
item_table(struct txn *t, const char *name, struct table_def **def, MDB_dbi *dbi)
{
    kv_status st = catalog_get(t, name, strlen(name), def);
    if (st != KV_OK)
        return st;
    if (!*def)
        return err_set(t->err, KV_RESOURCE_NOT_FOUND, "Requested resource not found");
    if ((*def)->have_dbi) {
        *dbi = (*def)->dbi;
        return KV_OK;
    }
    if ((st = txn_dbi(t, (*def)->dbname, dbi)) == KV_OK) {
        (*def)->dbi = *dbi;
        (*def)->have_dbi = true;
    }
    return st;
}

kv_status
item_key(struct txn *t, const struct table_def *def, const struct kv_value *item,
         struct keybuf *kb)
{
    const struct key_schema *ks = &def->key;
    const struct kv_value *pk = value_map_get(item, ks->hash.name, strlen(ks->hash.name));
    const struct kv_value *sk =
        ks->range.name ? value_map_get(item, ks->range.name, strlen(ks->range.name)) : NULL;
    return keycodec_item_key(kb, pk, sk, t->err);
}

kv_status
item_check_key_paths(struct txn *t, const struct table_def *def, const struct expr_cond *filter,
                     const struct expr_proj *proj)
{
    size_t n_filter = 0, n_proj = 0;
    const struct expr_name *in_filter = filter ? expr_cond_nested(filter, &n_filter) : NULL;
    const struct expr_name *in_proj = proj ? expr_proj_nested(proj, &n_proj) : NULL;
    if (n_filter == 0 && n_proj == 0) /* the usual case: no path goes past a name */
        return KV_OK;
    struct expr_name table[2], index[2 * CONSUMED_MAX_INDEXES];
    size_t n_table = 0, n_index = 0;
    const struct attr_def *tk[2] = {&def->key.hash, &def->key.range};
    for (int k = 0; k < 2; k++)
        if (tk[k]->name)
            table[n_table++] = (struct expr_name){tk[k]->name, (uint32_t)strlen(tk[k]->name)};
    for (size_t i = 0; i < def->n_indexes && n_index + 2 <= 2 * CONSUMED_MAX_INDEXES; i++) {
        const struct attr_def *ik[2] = {&def->indexes[i].key.hash, &def->indexes[i].key.range};
        for (int k = 0; k < 2; k++)
            if (ik[k]->name)
                index[n_index++] = (struct expr_name){ik[k]->name, (uint32_t)strlen(ik[k]->name)};
    }
    kv_status st = expr_check_key_paths(in_filter, n_filter, table, n_table, index, n_index,
                                        t->err);
    if (st == KV_OK)
        st = expr_check_key_paths(in_proj, n_proj, table, n_table, index, n_index, t->err);
    return st;
}

kv_status
item_read(struct txn *t, MDB_dbi dbi, const struct keybuf *kb, MDB_val *val, bool *found)
{
    MDB_val k = {kb->len, (void *)kb->bytes};
    int rc = mdb_get(t->txn, dbi, &k, val);
    *found = rc == 0;
    if (rc == MDB_NOTFOUND)
        return KV_OK;
    return txn_check(t, rc, "reading an item");
}

kv_status
item_decode(struct txn *t, const MDB_val *val, struct arena *a, bool borrow,
            struct kv_value **out)
{
    struct kv_value *v = arena_alloc(a, sizeof *v);
    if (!v)
        return err_nomem(t->err);
    kv_status st = itemcodec_decode(val->mv_data, val->mv_size, a, borrow, v, t->err);
    if (st == KV_OK)
        *out = v;
    return st;
}

bool
item_condition_holds(const struct expr_cond *cond, const struct kv_value *old)
{
    return !cond || expr_eval(cond, old);
}

kv_status
item_condition_failed(struct txn *t, const struct kv_value *old, bool return_old)
{
    kv_status st = err_set(t->err, KV_CONDITIONAL_CHECK_FAILED, "The conditional request failed");
    if (return_old && old) {
        struct arena *a = err_extra(t->err);
        struct kv_value *copy = a ? arena_alloc(a, sizeof *copy) : NULL;
        if (copy && value_copy(a, copy, old) == 0)
            t->err->item = copy;
    }
    return st;
}

kv_status
item_check_condition(struct txn *t, const struct expr_cond *cond, const struct kv_value *old,
                     bool return_old)
{
    return item_condition_holds(cond, old) ? KV_OK : item_condition_failed(t, old, return_old);
}

kv_status
item_update_apply(const struct expr_update *update, const struct kv_value *key,
                  const struct kv_value *old, struct arena *a, struct kv_value **out,
                  struct kv_err *err)
{
    struct kv_value *v = arena_alloc(a, sizeof *v);
    if (!v)
        return err_nomem(err);
    kv_status st = KV_OK;
    if (update)
        st = expr_update_apply(update, old, key, a, v, err);
    else if (value_copy(a, v, old ? old : key))
        st = err_nomem(err);
    if (st == KV_OK)
        st = validate_values(v, err);
    if (st == KV_OK)
        st = validate_item_size(v, "Item size to update has exceeded the maximum allowed size",
                                err);
    if (st == KV_OK)
        *out = v;
    return st;
}

struct expr_key_schema
item_expr_schema(const struct table_def *def)
{
    struct expr_key_schema ks;
    memset(&ks, 0, sizeof ks);
    ks.hash.name = def->key.hash.name;
    ks.hash.len = (uint32_t)strlen(def->key.hash.name);
    ks.hash_type = def->key.hash.type;
    if (def->key.range.name) {
        ks.range.name = def->key.range.name;
        ks.range.len = (uint32_t)strlen(def->key.range.name);
        ks.range_type = def->key.range.type;
    }
    return ks;
}
