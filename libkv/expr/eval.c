/*
 * eval.c -- a condition or filter against an item.
 *
 * DynamoDB's rules, which differ from SQL's three-valued logic: an
 * operand is either a value or absent (a missing attribute, a path into
 * the wrong type, a missing item, size() of a number); a comparison with
 * an absent operand, or between values of different types, is false,
 * except "<>" which is then true.  "=" and "<>" compare any two types
 * (sets as sets, lists and maps deeply, numbers by value); "<", "<=",
 * ">", ">=" and BETWEEN order S by UTF-8 bytes, N exactly and B by
 * unsigned bytes, and are false for any other type.  size() of a string
 * counts its UTF-8 bytes (the Developer Guide calls it the string's length,
 * and its PartiQL SIZE "an attribute's size in bytes"), of a binary its
 * bytes, of a set, list or map its elements.
 *
 * Evaluation never fails and never allocates: size() writes its number
 * into a buffer on the stack.  Recursion follows the tree, whose depth
 * the parser bounds.
 */
#include "ast.h"
#include "value.h"

#include <stdio.h>
#include <string.h>

/* An operand's value, and room for one computed by size(). */
struct operand {
    struct kv_value tmp;
    char buf[24];
};

static bool
orderable(int type)
{
    return type == KV_S || type == KV_N || type == KV_B;
}

static const struct kv_value *operand_get(const struct expr_node *n, const struct kv_value *item,
                                          struct operand *o);

static const struct kv_value *
size_of(const struct expr_node *f, const struct kv_value *item, struct operand *o)
{
    struct operand inner;
    const struct kv_value *v = operand_get(f->args[0], item, &inner);
    if (!v || v->type == KV_N || v->type == KV_BOOL || v->type == KV_NULL)
        return NULL;
    int n = snprintf(o->buf, sizeof o->buf, "%u", v->len);
    value_set_bytes_ref(&o->tmp, KV_N, o->buf, (size_t)n);
    return &o->tmp;
}

static const struct kv_value *
operand_get(const struct expr_node *n, const struct kv_value *item, struct operand *o)
{
    switch (n->op) {
    case OP_PATH:
        return item ? expr_path_get(item, &n->path, n->path.n) : NULL;
    case OP_VALUE:
        return n->value;
    case OP_FUNC:
        return n->fn == FN_SIZE ? size_of(n, item, o) : NULL;
    default:
        return NULL;
    }
}

static bool
compare(int op, const struct kv_value *a, const struct kv_value *b)
{
    if (op == OP_NE)
        return !(a && b && value_equal(a, b));
    if (!a || !b)
        return false;
    if (op == OP_EQ)
        return value_equal(a, b);
    if (a->type != b->type || !orderable(a->type))
        return false;
    int c = value_compare(a, b);
    switch (op) {
    case OP_LT:
        return c < 0;
    case OP_LE:
        return c <= 0;
    case OP_GT:
        return c > 0;
    case OP_GE:
        return c >= 0;
    default:
        return false;
    }
}

static bool
between(const struct expr_node *n, const struct kv_value *item)
{
    struct operand o[3];
    const struct kv_value *x = operand_get(n->args[0], item, &o[0]);
    const struct kv_value *lo = operand_get(n->args[1], item, &o[1]);
    const struct kv_value *hi = operand_get(n->args[2], item, &o[2]);
    if (!x || !lo || !hi || !orderable(x->type) || x->type != lo->type || x->type != hi->type)
        return false;
    return value_compare(lo, x) <= 0 && value_compare(x, hi) <= 0;
}

static bool
in_list(const struct expr_node *n, const struct kv_value *item)
{
    struct operand ox, oy;
    const struct kv_value *x = operand_get(n->args[0], item, &ox);
    if (!x)
        return false;
    for (uint32_t i = 1; i < n->n_args; i++) {
        const struct kv_value *y = operand_get(n->args[i], item, &oy);
        if (y && value_equal(x, y))
            return true;
    }
    return false;
}

static bool
bytes_has_prefix(const struct kv_value *v, const struct kv_value *p)
{
    return v->len >= p->len && memcmp(v->u.bytes, p->u.bytes, p->len) == 0;
}

static bool
bytes_contain(const struct kv_value *hay, const struct kv_value *needle)
{
    if (needle->len == 0)
        return true;
    for (uint32_t i = 0; i + needle->len <= hay->len; i++)
        if (memcmp(hay->u.bytes + i, needle->u.bytes, needle->len) == 0)
            return true;
    return false;
}

/* contains(): a substring of a string or binary, an element of a set of
 * the operand's type, or an element of a list equal to the operand. */
static bool
contains(const struct kv_value *hay, const struct kv_value *needle)
{
    if ((hay->type == KV_S || hay->type == KV_B) && needle->type == hay->type)
        return bytes_contain(hay, needle);
    if (hay->type == KV_L || (type_is_set(hay->type) && type_set_elem(hay->type) == needle->type))
        for (uint32_t i = 0; i < hay->len; i++)
            if (value_equal(&hay->u.elems[i], needle))
                return true;
    return false;
}

static bool
function(const struct expr_node *f, const struct kv_value *item)
{
    struct operand oa, ob;
    const struct kv_value *a = operand_get(f->args[0], item, &oa);
    const struct kv_value *b = f->n_args > 1 ? operand_get(f->args[1], item, &ob) : NULL;
    switch (f->fn) {
    case FN_ATTRIBUTE_EXISTS:
        return a != NULL;
    case FN_ATTRIBUTE_NOT_EXISTS:
        return a == NULL;
    case FN_ATTRIBUTE_TYPE:
        return a && b && b->type == KV_S && strlen(type_name(a->type)) == b->len &&
               memcmp(type_name(a->type), b->u.bytes, b->len) == 0;
    case FN_BEGINS_WITH:
        return a && b && a->type == b->type && (a->type == KV_S || a->type == KV_B) &&
               bytes_has_prefix(a, b);
    case FN_CONTAINS:
        return a && b && contains(a, b);
    default:
        return false;
    }
}

static bool
eval_node(const struct expr_node *n, const struct kv_value *item)
{
    struct operand oa, ob;
    switch (n->op) {
    case OP_AND:
        for (uint32_t i = 0; i < n->n_args; i++)
            if (!eval_node(n->args[i], item))
                return false;
        return true;
    case OP_OR:
        for (uint32_t i = 0; i < n->n_args; i++)
            if (eval_node(n->args[i], item))
                return true;
        return false;
    case OP_NOT:
        return !eval_node(n->args[0], item);
    case OP_BETWEEN:
        return between(n, item);
    case OP_IN:
        return in_list(n, item);
    case OP_FUNC:
        return function(n, item);
    case OP_EQ:
    case OP_NE:
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
        return compare(n->op, operand_get(n->args[0], item, &oa),
                       operand_get(n->args[1], item, &ob));
    default:
        return false;
    }
}

bool
expr_eval(const struct expr_cond *c, const struct kv_value *item)
{
    return eval_node(c->root, item);
}
