/*
 * ast.c -- small pieces every stage of the expression module uses: the
 * function table, document paths (lookup, comparison, rendering),
 * lists of names, and the diagnostics that rank problems the way
 * DynamoDB ranks them.
 */
#include "ast.h"
#include "arena.h"
#include "err.h"
#include "value.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *
expr_kind_name(enum expr_kind kind)
{
    switch (kind) {
    case EXPR_UPDATE:
        return "UpdateExpression";
    case EXPR_CONDITION:
        return "ConditionExpression";
    case EXPR_KEY_CONDITION:
        return "KeyConditionExpression";
    case EXPR_FILTER:
        return "FilterExpression";
    case EXPR_PROJECTION:
        return "ProjectionExpression";
    }
    return "Expression";
}

/* --- functions --------------------------------------------------------------- */

static const char *const fn_names[] = {
    "",     "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains",
    "size", "if_not_exists",    "list_append",
};

const char *
expr_fn_name(enum expr_fn fn)
{
    return fn <= FN_LIST_APPEND ? fn_names[fn] : "";
}

/* Conditions and updates each know their own functions; a condition
 * function in an update (or the reverse) is an unknown function there, as
 * it is to DynamoDB.  Names are case-sensitive. */
enum expr_fn
expr_fn_lookup(enum expr_kind kind, const char *name, size_t len)
{
    int first = kind == EXPR_UPDATE ? FN_IF_NOT_EXISTS : FN_ATTRIBUTE_EXISTS;
    int last = kind == EXPR_UPDATE ? FN_LIST_APPEND : FN_SIZE;
    for (int f = first; f <= last; f++)
        if (strlen(fn_names[f]) == len && memcmp(fn_names[f], name, len) == 0)
            return (enum expr_fn)f;
    return FN_UNKNOWN;
}

/* --- paths ------------------------------------------------------------------- */

const struct kv_value *
expr_path_get(const struct kv_value *item, const struct expr_path *path, uint32_t n_elems)
{
    const struct kv_value *cur = item;
    for (uint32_t i = 0; cur && i < n_elems; i++) {
        const struct expr_elem *e = &path->elems[i];
        if (e->is_index) {
            if (cur->type != KV_L || e->index >= cur->len)
                return NULL;
            cur = &cur->u.elems[e->index];
            if (cur->type == 0) /* an element an update is removing */
                return NULL;
        } else {
            cur = cur->type == KV_M ? value_map_get(cur, e->name, e->len) : NULL;
        }
    }
    return cur;
}

static int
elem_cmp(const struct expr_elem *a, const struct expr_elem *b)
{
    if (a->is_index != b->is_index)
        return a->is_index ? 1 : -1;
    if (a->is_index)
        return a->index < b->index ? -1 : a->index > b->index;
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->name, b->name, n) : 0;
    if (c)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

int
expr_path_cmp(const struct expr_path *a, const struct expr_path *b)
{
    uint32_t n = a->n < b->n ? a->n : b->n;
    for (uint32_t i = 0; i < n; i++) {
        int c = elem_cmp(&a->elems[i], &b->elems[i]);
        if (c)
            return c;
    }
    return a->n < b->n ? -1 : a->n > b->n;
}

bool
expr_path_equal(const struct expr_path *a, const struct expr_path *b)
{
    return a->n == b->n && expr_path_cmp(a, b) == 0;
}

char *
expr_path_str(struct arena *a, const struct expr_path *path)
{
    size_t n = 3;
    for (uint32_t i = 0; i < path->n; i++)
        n += path->elems[i].len + 16;
    char *s = arena_alloc(a, n);
    if (!s)
        return NULL;
    size_t k = 0;
    s[k++] = '[';
    for (uint32_t i = 0; i < path->n; i++) {
        const struct expr_elem *e = &path->elems[i];
        if (i) {
            s[k++] = ',';
            s[k++] = ' ';
        }
        if (e->is_index) {
            k += (size_t)snprintf(s + k, n - k, "[%u]", e->index);
        } else {
            memcpy(s + k, e->name, e->len);
            k += e->len;
        }
    }
    s[k++] = ']';
    s[k] = '\0';
    return s;
}

/* --- names ------------------------------------------------------------------- */

int
expr_names_add(struct arena *a, struct expr_name **names, size_t *n, size_t *cap, const char *name,
               uint32_t len)
{
    for (size_t i = 0; i < *n; i++)
        if ((*names)[i].len == len && memcmp((*names)[i].name, name, len) == 0)
            return 0;
    if (arena_grow(a, (void **)names, cap, *n + 1, sizeof **names))
        return -1;
    (*names)[*n].name = name;
    (*names)[*n].len = len;
    (*n)++;
    return 0;
}

const struct expr_name *
expr_cond_names(const struct expr_cond *c, size_t *n)
{
    *n = c->n_names;
    return c->names;
}

const struct expr_name *
expr_update_names(const struct expr_update *u, size_t *n)
{
    *n = u->n_names;
    return u->names;
}

const struct expr_name *
expr_proj_names(const struct expr_proj *p, size_t *n)
{
    *n = p->n_names;
    return p->names;
}

const struct expr_name *
expr_cond_nested(const struct expr_cond *c, size_t *n)
{
    *n = c->n_nested;
    return c->nested;
}

const struct expr_name *
expr_proj_nested(const struct expr_proj *p, size_t *n)
{
    *n = p->n_nested;
    return p->nested;
}

/* --- diagnostics ------------------------------------------------------------- */

void
expr_diag_init(struct expr_diag *d, struct arena *a)
{
    memset(d, 0, sizeof *d);
    d->arena = a;
}

void
expr_diag_vnote(struct expr_diag *d, enum expr_cat cat, const char *fmt, va_list ap)
{
    if (d->msg[cat] || d->nomem)
        return;
    va_list again;
    va_copy(again, ap);
    char buf[512];
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    char *m = n < 0 ? NULL : arena_alloc(d->arena, (size_t)n + 1);
    if (m && (size_t)n < sizeof buf)
        memcpy(m, buf, (size_t)n + 1);
    else if (m)
        vsnprintf(m, (size_t)n + 1, fmt, again);
    va_end(again);
    if (!m)
        d->nomem = true;
    d->msg[cat] = m;
}

void
expr_diag_note(struct expr_diag *d, enum expr_cat cat, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    expr_diag_vnote(d, cat, fmt, ap);
    va_end(ap);
}

/* The order in which DynamoDB reports problems of each kind of
 * expression, first category first (dynalite's parsers record the same). */
static const uint8_t order_cond[] = {CAT_PARENS, CAT_UNKNOWN_FN, CAT_MISUSED_FN, CAT_RESERVED,
                                     CAT_CONDITION};
static const uint8_t order_update[] = {CAT_RESERVED, CAT_UNKNOWN_FN, CAT_SECTION,
                                       CAT_NAME,     CAT_VALUE,      CAT_OVERLAP,
                                       CAT_CONFLICT, CAT_OPERAND,    CAT_FUNCTION};
static const uint8_t order_proj[] = {CAT_RESERVED, CAT_NAME, CAT_OVERLAP, CAT_CONFLICT};

kv_status
expr_diag_report(const struct expr_diag *d, enum expr_kind kind, struct kv_err *err)
{
    const uint8_t *order = order_cond;
    size_t n = sizeof order_cond;
    if (kind == EXPR_UPDATE) {
        order = order_update;
        n = sizeof order_update;
    } else if (kind == EXPR_PROJECTION) {
        order = order_proj;
        n = sizeof order_proj;
    }
    if (d->nomem)
        return err_nomem(err);
    for (size_t i = 0; i < n; i++)
        if (d->msg[order[i]])
            return err_set(err, KV_VALIDATION, "Invalid %s: %s", expr_kind_name(kind),
                           d->msg[order[i]]);
    return KV_OK;
}
