/*
 * update.c -- an UpdateExpression applied to a copy of an item.
 *
 * DynamoDB applies an update as if every action saw the item as it was
 * before the update, and as if list indexes kept their old meaning
 * throughout.  "SET a = b, b = a" swaps; "SET x = :v, y = x" fails when x
 * did not exist before; "REMOVE l[1] SET l[3] = :v" on [2,3,4,5,6,7] gives
 * [2,4,:v,6,7]: l[3] is the old fourth element, whatever REMOVE does.
 * Paths never overlap (the parser refuses it), so the order of the actions
 * cannot change their effect otherwise.  The steps:
 *
 *   1. Compute every SET value from the old item.
 *   2. Copy the old item (or, for an absent item, the key) deeply.
 *   3. REMOVE: delete map members; replace list elements by a
 *      placeholder (type 0) instead of shifting the list, so later indexes
 *      still name the same elements.  On an absent item REMOVE does
 *      nothing, not even fail on a bad path, as DynamoDB does.
 *   4. SET, ADD and DELETE, in path order: two appends to one list
 *      ("SET l[10] = :a, l[7] = :b" on a 3-element list) land in index
 *      order, and an append never makes a later index exist that did not.
 *   5. Squeeze the placeholders out of the lists.
 *
 * Errors are DynamoDB's: a value read from a missing attribute ("The
 * provided expression refers to an attribute that does not exist in the
 * item"), a path whose parent is missing or of the wrong type ("The
 * document path provided in the update expression is invalid for
 * update"), arithmetic, list_append, ADD or DELETE on the wrong types ("An
 * operand in the update expression has an incorrect data type"), and
 * number_add's range errors.  The old item is never written to.
 */
#include "ast.h"
#include "arena.h"
#include "err.h"
#include "number.h"
#include "value.h"

#include <stdlib.h>
#include <string.h>

#define MSG_MISSING "The provided expression refers to an attribute that does not exist in the item"
#define MSG_BAD_PATH "The document path provided in the update expression is invalid for update"
#define MSG_BAD_TYPE "An operand in the update expression has an incorrect data type"

struct applier {
    const struct kv_value *base; /* the item before the update */
    struct arena *a;
    struct kv_err *err;
    bool holes; /* some list holds placeholders of removed elements */
};

/* --- SET values ------------------------------------------------------------------ */

static kv_status
number_op(struct applier *ap, const struct kv_value *x, const struct kv_value *y, bool sub,
          struct kv_value *out)
{
    struct decimal dx = {0}, dy, r;
    kv_status st = KV_OK;
    if (x)
        st = number_parse(x->u.bytes, x->len, &dx, ap->err);
    if (st == KV_OK)
        st = number_parse(y->u.bytes, y->len, &dy, ap->err);
    if (st == KV_OK)
        st = sub ? number_sub(&dx, &dy, &r, ap->err) : number_add(&dx, &dy, &r, ap->err);
    if (st != KV_OK)
        return st;
    char *buf = arena_alloc(ap->a, NUMBER_TEXT_MAX);
    if (!buf)
        return err_nomem(ap->err);
    value_set_bytes_ref(out, KV_N, buf, number_format(&r, buf));
    return KV_OK;
}

static kv_status operand(struct applier *ap, const struct expr_node *n, const struct kv_value **v,
                         struct kv_value *tmp);

static kv_status
list_append(struct applier *ap, const struct expr_node *f, struct kv_value *tmp)
{
    const struct kv_value *x, *y;
    struct kv_value tx, ty;
    kv_status st = operand(ap, f->args[0], &x, &tx);
    if (st == KV_OK)
        st = operand(ap, f->args[1], &y, &ty);
    if (st != KV_OK)
        return st;
    if (x->type != KV_L || y->type != KV_L)
        return err_set(ap->err, KV_VALIDATION, MSG_BAD_TYPE);
    value_init(tmp, KV_L);
    const struct kv_value *parts[2] = {x, y};
    for (int p = 0; p < 2; p++)
        for (uint32_t i = 0; i < parts[p]->len; i++) {
            struct kv_value *slot = value_push(ap->a, tmp);
            if (!slot)
                return err_nomem(ap->err);
            *slot = parts[p]->u.elems[i];
        }
    return KV_OK;
}

/*
 * The value of an operand of a SET value, read from the old item.  *v
 * points into the old item or the request, or at tmp for a computed
 * value; the caller deep-copies what it keeps.  Recursion follows nested
 * function calls, which the parser bounds.
 */
static kv_status
operand(struct applier *ap, const struct expr_node *n, const struct kv_value **v,
        struct kv_value *tmp)
{
    const struct kv_value *x, *y;
    struct kv_value tx, ty;
    kv_status st;
    switch (n->op) {
    case OP_VALUE:
        *v = n->value;
        return KV_OK;
    case OP_PATH:
        *v = expr_path_get(ap->base, &n->path, n->path.n);
        return *v ? KV_OK : err_set(ap->err, KV_VALIDATION, MSG_MISSING);
    case OP_PLUS:
    case OP_MINUS:
        if ((st = operand(ap, n->args[0], &x, &tx)) != KV_OK ||
            (st = operand(ap, n->args[1], &y, &ty)) != KV_OK)
            return st;
        if (x->type != KV_N || y->type != KV_N)
            return err_set(ap->err, KV_VALIDATION, MSG_BAD_TYPE);
        *v = tmp;
        return number_op(ap, x, y, n->op == OP_MINUS, tmp);
    default:
        if (n->fn == FN_IF_NOT_EXISTS) {
            *v = expr_path_get(ap->base, &n->args[0]->path, n->args[0]->path.n);
            return *v ? KV_OK : operand(ap, n->args[1], v, tmp);
        }
        *v = tmp;
        return list_append(ap, n, tmp);
    }
}

/* --- writing paths ----------------------------------------------------------------- */

/* The container holding the path's last element, when every parent exists
 * and has the type the element under it needs; NULL otherwise. */
static struct kv_value *
parent_of(struct kv_value *root, const struct expr_path *p)
{
    struct kv_value *cur = root;
    for (uint32_t i = 0; i + 1 < p->n; i++) {
        const struct expr_elem *e = &p->elems[i];
        if (e->is_index) {
            if (cur->type != KV_L || e->index >= cur->len)
                return NULL;
            cur = &cur->u.elems[e->index];
            if (cur->type == 0)
                return NULL;
        } else if (cur->type != KV_M || !(cur = value_map_get(cur, e->name, e->len))) {
            return NULL;
        }
    }
    const struct expr_elem *last = &p->elems[p->n - 1];
    return cur->type == (last->is_index ? KV_L : KV_M) ? cur : NULL;
}

static struct kv_value *
leaf_get(struct kv_value *parent, const struct expr_elem *e)
{
    if (!e->is_index)
        return value_map_get(parent, e->name, e->len);
    if (e->index >= parent->len || parent->u.elems[e->index].type == 0)
        return NULL;
    return &parent->u.elems[e->index];
}

/* Store v (already owned by the new item) at the leaf: a map member, a
 * list element, or past a list's end a new last element. */
static kv_status
leaf_put(struct applier *ap, struct kv_value *parent, const struct expr_elem *e,
         const struct kv_value *v)
{
    struct kv_value *slot;
    if (!e->is_index)
        slot = value_map_put(ap->a, parent, e->name, e->len, true);
    else if (e->index < parent->len)
        slot = &parent->u.elems[e->index];
    else
        slot = value_push(ap->a, parent);
    if (!slot)
        return err_nomem(ap->err);
    *slot = *v;
    return KV_OK;
}

static void
leaf_remove(struct applier *ap, struct kv_value *parent, const struct expr_elem *e)
{
    if (!e->is_index) {
        value_map_remove(parent, e->name, e->len);
    } else if (e->index < parent->len) {
        memset(&parent->u.elems[e->index], 0, sizeof(struct kv_value));
        ap->holes = true;
    }
}

static kv_status
do_set(struct applier *ap, struct kv_value *item, const struct expr_action *act,
       const struct kv_value *v)
{
    struct kv_value *parent = parent_of(item, &act->path);
    if (!parent)
        return err_set(ap->err, KV_VALIDATION, MSG_BAD_PATH);
    return leaf_put(ap, parent, &act->path.elems[act->path.n - 1], v);
}

static kv_status
do_remove(struct applier *ap, struct kv_value *item, const struct expr_action *act)
{
    struct kv_value *parent = parent_of(item, &act->path);
    if (!parent)
        return err_set(ap->err, KV_VALIDATION, MSG_BAD_PATH);
    leaf_remove(ap, parent, &act->path.elems[act->path.n - 1]);
    return KV_OK;
}

static bool
set_has(const struct kv_value *set, const struct kv_value *v)
{
    for (uint32_t i = 0; i < set->len; i++)
        if (value_equal(&set->u.elems[i], v))
            return true;
    return false;
}

/* ADD: a number is added (an absent attribute counting as 0), a set is
 * merged (an absent attribute counting as the empty set). */
static kv_status
do_add(struct applier *ap, struct kv_value *item, const struct expr_action *act)
{
    const struct kv_value *operand = act->value->value;
    struct kv_value *parent = parent_of(item, &act->path);
    if (!parent)
        return err_set(ap->err, KV_VALIDATION, MSG_BAD_PATH);
    const struct expr_elem *e = &act->path.elems[act->path.n - 1];
    struct kv_value *cur = leaf_get(parent, e), v;
    if (cur && cur->type != operand->type)
        return err_set(ap->err, KV_VALIDATION, MSG_BAD_TYPE);
    if (operand->type == KV_N) {
        kv_status st = number_op(ap, cur, operand, false, &v);
        return st == KV_OK ? leaf_put(ap, parent, e, &v) : st;
    }
    if (!cur) {
        if (value_copy(ap->a, &v, operand))
            return err_nomem(ap->err);
        return leaf_put(ap, parent, e, &v);
    }
    for (uint32_t i = 0; i < operand->len; i++) {
        if (set_has(cur, &operand->u.elems[i]))
            continue;
        struct kv_value *slot = value_push(ap->a, cur);
        if (!slot || value_copy(ap->a, slot, &operand->u.elems[i]))
            return err_nomem(ap->err);
    }
    return KV_OK;
}

/* DELETE: take the operand's elements out of a set of the same type; a
 * set left empty is removed, since DynamoDB has no empty sets. */
static kv_status
do_delete(struct applier *ap, struct kv_value *item, const struct expr_action *act)
{
    const struct kv_value *operand = act->value->value;
    struct kv_value *parent = parent_of(item, &act->path);
    if (!parent)
        return err_set(ap->err, KV_VALIDATION, MSG_BAD_PATH);
    const struct expr_elem *e = &act->path.elems[act->path.n - 1];
    struct kv_value *cur = leaf_get(parent, e);
    if (!cur)
        return KV_OK;
    if (cur->type != operand->type)
        return err_set(ap->err, KV_VALIDATION, MSG_BAD_TYPE);
    for (uint32_t i = cur->len; i-- > 0;)
        if (set_has(operand, &cur->u.elems[i]))
            value_remove_at(cur, i);
    if (cur->len == 0)
        leaf_remove(ap, parent, e);
    return KV_OK;
}

/* Squeeze out removed list elements.  They sit at most
 * EXPR_MAX_PATH_DEPTH levels down, which bounds the descent. */
static void
squeeze(struct kv_value *v, int depth)
{
    if (depth > EXPR_MAX_PATH_DEPTH)
        return;
    if (v->type == KV_M) {
        for (uint32_t i = 0; i < v->len; i++)
            squeeze(&v->u.members[i].value, depth + 1);
    } else if (v->type == KV_L) {
        uint32_t w = 0;
        for (uint32_t r = 0; r < v->len; r++) {
            if (v->u.elems[r].type == 0)
                continue;
            squeeze(&v->u.elems[r], depth + 1);
            v->u.elems[w++] = v->u.elems[r];
        }
        v->len = w;
    }
}

/* --- the update ---------------------------------------------------------------------- */

struct ordered {
    const struct expr_action *act;
    const struct kv_value *value; /* SET: the computed value, owned by the new item */
};

static int
ordered_cmp(const void *x, const void *y)
{
    const struct ordered *a = x, *b = y;
    return expr_path_cmp(&a->act->path, &b->act->path);
}

/* Step 1: every SET value, from the old item, in text order. */
static kv_status
compute_values(struct applier *ap, const struct expr_update *u, struct ordered *ord, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < u->n; i++) {
        const struct expr_action *act = &u->actions[i];
        if (act->kind == ACT_REMOVE)
            continue;
        ord[*n].act = act;
        ord[*n].value = NULL;
        if (act->kind == ACT_SET) {
            const struct kv_value *v;
            struct kv_value tmp, *copy = arena_alloc(ap->a, sizeof *copy);
            kv_status st = operand(ap, act->value, &v, &tmp);
            if (st != KV_OK)
                return st;
            if (!copy || value_copy(ap->a, copy, v))
                return err_nomem(ap->err);
            ord[*n].value = copy;
        }
        (*n)++;
    }
    return KV_OK;
}

static kv_status
apply_writes(struct applier *ap, struct kv_value *item, struct ordered *ord, size_t n, bool existed)
{
    kv_status st = KV_OK;
    qsort(ord, n, sizeof *ord, ordered_cmp);
    for (size_t i = 0; i < n && st == KV_OK; i++) {
        const struct expr_action *act = ord[i].act;
        if (act->kind == ACT_SET)
            st = do_set(ap, item, act, ord[i].value);
        else if (act->kind == ACT_ADD)
            st = do_add(ap, item, act);
        else if (existed)
            st = do_delete(ap, item, act);
    }
    return st;
}

kv_status
expr_update_apply(const struct expr_update *u, const struct kv_value *old,
                  const struct kv_value *key, struct arena *a, struct kv_value *out,
                  struct kv_err *err)
{
    struct kv_value empty;
    value_init(&empty, KV_M);
    struct applier ap = {old ? old : key ? key : &empty, a, err, false};
    struct ordered *ord = arena_alloc(a, (u->n ? u->n : 1) * sizeof *ord);
    size_t n;
    kv_status st;
    if (!ord)
        return err_nomem(err);
    if ((st = compute_values(&ap, u, ord, &n)) != KV_OK)
        return st;
    struct kv_value item;
    if (value_copy(a, &item, ap.base))
        return err_nomem(err);
    for (size_t i = 0; i < u->n && old && st == KV_OK; i++)
        if (u->actions[i].kind == ACT_REMOVE)
            st = do_remove(&ap, &item, &u->actions[i]);
    if (st == KV_OK)
        st = apply_writes(&ap, &item, ord, n, old != NULL);
    if (st != KV_OK)
        return st;
    if (ap.holes)
        squeeze(&item, 0);
    *out = item;
    return KV_OK;
}

kv_status
expr_update_returned(const struct expr_update *u, const struct kv_value *item, struct arena *a,
                     struct kv_value *out, struct kv_err *err)
{
    const struct expr_path **paths = arena_alloc(a, (u->n ? u->n : 1) * sizeof *paths);
    if (!paths)
        return err_nomem(err);
    for (size_t i = 0; i < u->n; i++)
        paths[i] = &u->actions[i].path;
    return expr_project_paths(paths, u->n, item, a, out, err);
}

kv_status
expr_update_check_keys(const struct expr_update *u, const struct expr_key_schema *ks,
                       struct kv_err *err)
{
    const struct expr_name *keys[2] = {&ks->hash, &ks->range};
    for (size_t i = 0; i < u->n; i++) {
        const struct expr_elem *e = &u->actions[i].path.elems[0];
        for (int k = 0; k < 2; k++)
            if (keys[k]->name && keys[k]->len == e->len &&
                memcmp(keys[k]->name, e->name, e->len) == 0)
                return err_set(err, KV_VALIDATION,
                               "One or more parameter values were invalid: Cannot update "
                               "attribute %.*s. This attribute is part of the key",
                               (int)e->len, e->name);
    }
    return KV_OK;
}

bool
expr_update_creates(const struct expr_update *u)
{
    for (size_t i = 0; i < u->n; i++)
        if (u->actions[i].kind == ACT_SET || u->actions[i].kind == ACT_ADD)
            return true;
    return false;
}
