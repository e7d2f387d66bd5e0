/*
 * keycond.c -- a Query's KeyConditionExpression as a key range.
 *
 * DynamoDB parses a key condition with the condition grammar, then checks
 * its shape in two steps.  Without the table (expr_keycond_shape, run when
 * the expression is parsed): only comparisons joined by AND, each naming
 * exactly one top-level attribute and comparing it with values, at most one
 * per attribute; no OR, NOT, IN, <>, size() or functions other than
 * begins_with.  With the table's or index's key schema (expr_keycond_bind):
 * no more comparisons than key attributes, an "=" on the partition key,
 * the other comparison on the sort key, values of the key's types.  The
 * messages of the first step carry the "Invalid KeyConditionExpression: "
 * prefix, those of the second do not, as in DynamoDB.
 *
 * "a BETWEEN x AND y" and "begins_with(a, x)" must name the key first;
 * a comparison may name it on either side (":v < a" is "a > :v").
 */
#include "ast.h"
#include "arena.h"
#include "err.h"
#include "value.h"

#include <string.h>

struct shaper {
    struct arena *a;
    struct expr_key_leaf *leaves;
    size_t n, cap;
    struct kv_err *err;
};

static kv_status
shape_error(struct shaper *s, const char *fmt, const char *what)
{
    return err_set(s->err, KV_VALIDATION, "Invalid KeyConditionExpression: %s%s", fmt, what);
}

/* Operators and functions a key condition may not use. */
static kv_status
check_operator(struct shaper *s, const struct expr_node *n)
{
    static const char *const ops[] = {
        [OP_OR] = "OR", [OP_NOT] = "NOT", [OP_IN] = "IN", [OP_NE] = "<>"};
    if (n->op == OP_OR || n->op == OP_NOT || n->op == OP_IN || n->op == OP_NE)
        return shape_error(s, "Invalid operator used in KeyConditionExpression: ", ops[n->op]);
    if (n->op != OP_FUNC || n->fn == FN_BEGINS_WITH)
        return KV_OK;
    if (n->fn == FN_SIZE)
        return shape_error(s, "KeyConditionExpressions cannot contain nested operations", "");
    return shape_error(s, "Invalid operator used in KeyConditionExpression: ", expr_fn_name(n->fn));
}

static enum expr_key_op
key_op(int op, bool reversed)
{
    switch (op) {
    case OP_EQ:
        return EXPR_KEY_EQ;
    case OP_LT:
        return reversed ? EXPR_KEY_GT : EXPR_KEY_LT;
    case OP_LE:
        return reversed ? EXPR_KEY_GE : EXPR_KEY_LE;
    case OP_GT:
        return reversed ? EXPR_KEY_LT : EXPR_KEY_GT;
    case OP_GE:
        return reversed ? EXPR_KEY_LE : EXPR_KEY_GE;
    case OP_BETWEEN:
        return EXPR_KEY_BETWEEN;
    default:
        return EXPR_KEY_BEGINS_WITH;
    }
}

static kv_status shape_node(struct shaper *s, const struct expr_node *n);

/* One comparison: exactly one key attribute, the rest values. */
static kv_status
shape_leaf(struct shaper *s, const struct expr_node *n)
{
    const struct expr_path *attr = NULL;
    uint32_t at = 0;
    const struct kv_value *vals[3] = {NULL, NULL, NULL};
    uint32_t n_vals = 0;
    for (uint32_t i = 0; i < n->n_args; i++) {
        const struct expr_node *arg = n->args[i];
        kv_status st;
        if (arg->op == OP_PATH) {
            if (attr)
                return shape_error(s,
                                   "Invalid condition in KeyConditionExpression: Multiple "
                                   "attribute names used in one condition",
                                   "");
            if (arg->path.n > 1)
                return shape_error(s,
                                   "KeyConditionExpressions cannot have conditions on "
                                   "nested attributes",
                                   "");
            attr = &arg->path;
            at = i;
        } else if (arg->op == OP_VALUE && n_vals < 3) {
            vals[n_vals++] = arg->value;
        } else if ((st = shape_node(s, arg)) != KV_OK) {
            return st;
        }
    }
    if (!attr)
        return shape_error(s,
                           "Invalid condition in KeyConditionExpression: No key attribute "
                           "specified",
                           "");
    for (size_t i = 0; i < s->n; i++)
        if (s->leaves[i].attr.len == attr->elems[0].len &&
            memcmp(s->leaves[i].attr.name, attr->elems[0].name, attr->elems[0].len) == 0)
            return shape_error(s,
                               "KeyConditionExpressions must only contain one condition per "
                               "key",
                               "");
    if (arena_grow(s->a, (void **)&s->leaves, &s->cap, s->n + 1, sizeof *s->leaves))
        return err_nomem(s->err);
    struct expr_key_leaf *leaf = &s->leaves[s->n++];
    leaf->attr.name = attr->elems[0].name;
    leaf->attr.len = attr->elems[0].len;
    leaf->op = key_op(n->op, at != 0);
    leaf->lo = vals[0];
    leaf->hi = vals[1];
    return KV_OK;
}

/* Bounded by the tree's depth, which the parser bounds. */
static kv_status
shape_node(struct shaper *s, const struct expr_node *n)
{
    kv_status st = check_operator(s, n);
    if (st != KV_OK)
        return st;
    if ((n->op == OP_BETWEEN || (n->op == OP_FUNC && n->fn == FN_BEGINS_WITH)) &&
        n->args[0]->op != OP_PATH)
        return shape_error(s, "Invalid condition in KeyConditionExpression: ",
                           n->op == OP_BETWEEN
                               ? "BETWEEN operator must have the key attribute as its first "
                                 "operand"
                               : "begins_with operator must have the key attribute as its "
                                 "first operand");
    if (n->op != OP_AND)
        return shape_leaf(s, n);
    for (uint32_t i = 0; i < n->n_args; i++)
        if ((st = shape_node(s, n->args[i])) != KV_OK)
            return st;
    return KV_OK;
}

kv_status
expr_keycond_shape(struct arena *a, struct expr_cond *c, struct kv_err *err)
{
    struct shaper s = {a, NULL, 0, 0, err};
    kv_status st = shape_node(&s, c->root);
    if (st != KV_OK)
        return st;
    c->keys = s.leaves;
    c->n_keys = s.n;
    return KV_OK;
}

/* --- binding to a key schema ------------------------------------------------------ */

static bool
name_is(const struct expr_name *a, const struct expr_name *b)
{
    return b->name && a->len == b->len && memcmp(a->name, b->name, a->len) == 0;
}

/* Each value against the key's type, then against emptiness. */
static kv_status
check_key_values(const struct expr_key_leaf *leaf, const struct expr_name *key, int type,
                 struct kv_err *err)
{
    const struct kv_value *vals[2] = {leaf->lo, leaf->hi};
    for (int i = 0; i < 2; i++)
        if (vals[i] && vals[i]->type != type)
            return err_set(err, KV_VALIDATION,
                           "One or more parameter values were invalid: Condition parameter "
                           "type does not match schema type");
    for (int i = 0; i < 2; i++)
        if (vals[i] && vals[i]->len == 0 && (type == KV_S || type == KV_B))
            return err_set(err, KV_VALIDATION,
                           "One or more parameter values are not valid. The AttributeValue for "
                           "a key attribute cannot contain an empty %s value. Key: %.*s",
                           type == KV_S ? "string" : "binary", (int)key->len, key->name);
    return KV_OK;
}

kv_status
expr_keycond_bind(const struct expr_cond *kc, const struct expr_key_schema *ks,
                  struct expr_key_range *out, struct kv_err *err)
{
    size_t n_keys = ks->range.name ? 2 : 1;
    const struct expr_key_leaf *hash = NULL, *range = NULL;
    memset(out, 0, sizeof *out);
    if (kc->n_keys > n_keys)
        return err_set(err, KV_VALIDATION,
                       "The number of query conditions (%zu) exceeds the number of key "
                       "attributes defined in the schema (%zu)",
                       kc->n_keys, n_keys);
    for (size_t i = 0; i < kc->n_keys; i++)
        if (name_is(&kc->keys[i].attr, &ks->hash))
            hash = &kc->keys[i];
    if (!hash)
        return err_set(err, KV_VALIDATION, "Query condition missed key schema element: %.*s",
                       (int)ks->hash.len, ks->hash.name);
    if (hash->op != EXPR_KEY_EQ)
        return err_set(err, KV_VALIDATION, "Query key condition not supported");
    for (size_t i = 0; i < kc->n_keys; i++) {
        if (&kc->keys[i] == hash)
            continue;
        if (!name_is(&kc->keys[i].attr, &ks->range))
            return err_set(err, KV_VALIDATION, "Query condition missed key schema element: %.*s",
                           (int)ks->range.len, ks->range.name);
        range = &kc->keys[i];
    }
    kv_status st = check_key_values(hash, &ks->hash, ks->hash_type, err);
    if (st == KV_OK && range)
        st = check_key_values(range, &ks->range, ks->range_type, err);
    if (st != KV_OK)
        return st;
    out->hash = hash->lo;
    if (range) {
        out->op = range->op;
        out->lo = range->lo;
        out->hi = range->hi;
    }
    return KV_OK;
}

static bool
has_prefix(const struct kv_value *v, const struct kv_value *prefix)
{
    return v->type == prefix->type && v->len >= prefix->len &&
           memcmp(v->u.bytes, prefix->u.bytes, prefix->len) == 0;
}

bool
expr_key_range_match(const struct expr_key_range *r, const struct kv_value *sk)
{
    if (r->op == EXPR_KEY_NONE)
        return true;
    if (!sk || sk->type != r->lo->type)
        return false;
    int c = value_compare(sk, r->lo);
    switch (r->op) {
    case EXPR_KEY_EQ:
        return c == 0;
    case EXPR_KEY_LT:
        return c < 0;
    case EXPR_KEY_LE:
        return c <= 0;
    case EXPR_KEY_GT:
        return c > 0;
    case EXPR_KEY_GE:
        return c >= 0;
    case EXPR_KEY_BETWEEN:
        return c >= 0 && value_compare(sk, r->hi) <= 0;
    case EXPR_KEY_BEGINS_WITH:
        return has_prefix(sk, r->lo);
    default:
        return false;
    }
}
