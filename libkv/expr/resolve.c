/*
 * resolve.c -- bind placeholders and check what the text alone can tell.
 *
 * After parse.c has built a tree, this stage looks every "#name" up in
 * ExpressionAttributeNames and every ":value" in ExpressionAttributeValues,
 * marks the entries used, and checks what needs the values but not the
 * item: function names and operand counts, operand types of the given
 * values ("begins_with" on a number, "<" on a BOOL, "+" on a string, ADD
 * of a string), BETWEEN bounds, a path compared with itself, overlapping
 * and conflicting paths.  It also holds the module's entry points, which
 * run the text checks, parse.c, this stage and keycond.c in turn.
 *
 * Which problem is reported.  For conditions DynamoDB reports, after the
 * whole-expression categories (redundant parentheses, unknown functions,
 * misused functions, reserved words), the first comparison in text order
 * that has a problem, and within it an undefined placeholder before an
 * operand count, a repeated path and an operand type.  A problem found
 * inside a comparison is therefore held in a per-comparison diagnostic
 * ("leaf") and ranked when the comparison ends.  Updates and projections
 * rank whole-expression categories only (see ast.c).
 */
#include "ast.h"
#include "arena.h"
#include "b64.h"
#include "err.h"
#include "value.h"

#include <string.h>

/* --- binding and checks -------------------------------------------------------- */

/* Problems the checks find; problem_target() says where each is held. */
enum problem {
    PR_NAME,
    PR_VALUE,
    PR_ARITY,
    PR_DISTINCT,
    PR_TYPE,
    PR_OPERAND,
    PR_MISUSED,
    PR_UNKNOWN_FN,
};

struct resolver {
    struct expr_ctx *ctx;
    struct arena *a;
    enum expr_kind kind;
    const char *text;
    struct expr_diag *diag;
    struct expr_diag leaf; /* conditions: the current comparison's problems */
};

static struct expr_diag *
problem_target(struct resolver *r, enum problem pr, enum expr_cat *cat)
{
    bool cond = r->kind != EXPR_UPDATE && r->kind != EXPR_PROJECTION;
    switch (pr) {
    case PR_NAME:
        *cat = CAT_NAME;
        return cond ? &r->leaf : r->diag;
    case PR_VALUE:
        *cat = cond ? CAT_NAME : CAT_VALUE;
        return cond ? &r->leaf : r->diag;
    case PR_ARITY:
        *cat = cond ? CAT_OPERAND : CAT_FUNCTION;
        return cond ? &r->leaf : r->diag;
    case PR_DISTINCT:
        *cat = CAT_OVERLAP;
        return &r->leaf;
    case PR_TYPE:
        *cat = CAT_FUNCTION;
        return cond ? &r->leaf : r->diag;
    case PR_OPERAND:
        *cat = CAT_OPERAND;
        return r->diag;
    case PR_MISUSED:
        *cat = cond ? CAT_MISUSED_FN : CAT_FUNCTION;
        return r->diag;
    case PR_UNKNOWN_FN:
        *cat = CAT_UNKNOWN_FN;
        return r->diag;
    }
    *cat = CAT_CONDITION;
    return r->diag;
}

static void note(struct resolver *r, enum problem pr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
note(struct resolver *r, enum problem pr, const char *fmt, ...)
{
    enum expr_cat cat;
    struct expr_diag *d = problem_target(r, pr, &cat);
    va_list ap;
    va_start(ap, fmt);
    expr_diag_vnote(d, cat, fmt, ap);
    va_end(ap);
}

/* End of a comparison: its most important problem becomes the
 * expression's condition problem, unless an earlier comparison had one. */
static void
leaf_close(struct resolver *r)
{
    static const uint8_t rank[] = {CAT_NAME, CAT_OPERAND, CAT_OVERLAP, CAT_FUNCTION};
    if (r->leaf.nomem)
        r->diag->nomem = true;
    for (size_t i = 0; i < sizeof rank; i++)
        if (r->leaf.msg[rank[i]]) {
            expr_diag_note(r->diag, CAT_CONDITION, "%s", r->leaf.msg[rank[i]]);
            break;
        }
    expr_diag_init(&r->leaf, r->a);
}

static void
bind_path(struct resolver *r, struct expr_path *path)
{
    const struct expr_ctx *c = r->ctx;
    for (uint32_t i = 0; i < path->n; i++) {
        struct expr_elem *e = &path->elems[i];
        if (!e->is_ref)
            continue;
        long m = expr_ctx_lookup(c->names, c->name_idx, e->name, e->len);
        if (m < 0) {
            note(r, PR_NAME,
                 "An expression attribute name used in the document path is not defined; "
                 "attribute name: %.*s",
                 (int)e->len, e->name);
            continue;
        }
        c->names_used[m] = 1;
        const struct kv_value *v = &c->names->u.members[m].value;
        e->name = v->u.bytes;
        e->len = v->len;
        e->is_ref = 0;
    }
}

static void
bind_value(struct resolver *r, struct expr_node *n)
{
    const struct expr_ctx *c = r->ctx;
    const char *ref = r->text + n->off;
    long m = expr_ctx_lookup(c->values, c->value_idx, ref, n->len);
    if (m < 0) {
        note(r, PR_VALUE,
             "An expression attribute value used in expression is not defined; "
             "attribute value: %.*s",
             (int)n->len, ref);
        return;
    }
    c->values_used[m] = 1;
    n->value = &c->values->u.members[m].value;
}

/* The type a condition's operand is known to have from the text, or 0:
 * a value's own type, N for size(), BOOL for the functions that test
 * something; paths are unknown until run time. */
static int
static_type(const struct expr_node *n)
{
    if (n->op == OP_VALUE)
        return n->value ? n->value->type : 0;
    if (n->op != OP_FUNC)
        return 0;
    if (n->fn == FN_SIZE)
        return KV_N;
    return n->fn == FN_BEGINS_WITH || n->fn == FN_CONTAINS || n->fn == FN_ATTRIBUTE_TYPE ? KV_BOOL
                                                                                         : 0;
}

/* The type of an operand that is itself a value, or 0. */
static int
immediate_type(const struct expr_node *n)
{
    return n->op == OP_VALUE && n->value ? n->value->type : 0;
}

static const char *
fn_written(const struct resolver *r, const struct expr_node *f, int *len)
{
    *len = (int)f->len;
    return r->text + f->off;
}

static void
note_operand_type(struct resolver *r, const char *op, int type)
{
    note(r, PR_TYPE,
         "Incorrect operand type for operator or function; operator or function: %s, "
         "operand type: %s",
         op, type_name(type));
}

static void
check_distinct(struct resolver *r, const char *op, const struct expr_node *x,
               const struct expr_node *y)
{
    if (x->op != OP_PATH || y->op != OP_PATH || !expr_path_equal(&x->path, &y->path))
        return;
    char *s = expr_path_str(r->a, &x->path);
    if (!s) {
        r->diag->nomem = true;
        return;
    }
    note(r, PR_DISTINCT,
         "The first operand must be distinct from the remaining operands for this operator "
         "or function; operator: %s, first operand: %s",
         op, s);
}

/* --- conditions -------------------------------------------------------------- */

static void resolve_operand(struct resolver *r, struct expr_node *n);

static void
note_misused(struct resolver *r, const struct expr_node *f)
{
    int len;
    const char *name = fn_written(r, f, &len);
    note(r, PR_MISUSED,
         "The function is not allowed to be used this way in an expression; function: %.*s", len,
         name);
}

/* Arguments of a comparison, BETWEEN, IN or function: any function but
 * size() is misused there. */
static void
resolve_args(struct resolver *r, struct expr_node *n)
{
    for (uint32_t i = 0; i < n->n_args; i++) {
        struct expr_node *arg = n->args[i];
        if (arg->op == OP_FUNC && arg->fn != FN_SIZE)
            note_misused(r, arg);
        resolve_operand(r, arg);
    }
}

static const uint8_t fn_arity[] = {0, 1, 1, 2, 2, 2, 1, 2, 2};

/* Operand count, then a path given twice, then types: DynamoDB's order. */
static bool
check_fn_shape(struct resolver *r, const struct expr_node *f)
{
    int len;
    const char *name = fn_written(r, f, &len);
    if (f->fn == FN_UNKNOWN) {
        note(r, PR_UNKNOWN_FN, "Invalid function name; function: %.*s", len, name);
        return false;
    }
    if (f->n_args != fn_arity[f->fn]) {
        note(r, PR_ARITY,
             "Incorrect number of operands for operator or function; operator or function: "
             "%.*s, number of operands: %u",
             len, name, f->n_args);
        return false;
    }
    if (f->n_args == 2 && r->kind != EXPR_UPDATE)
        check_distinct(r, expr_fn_name(f->fn), f->args[0], f->args[1]);
    return true;
}

static void
check_attribute_type(struct resolver *r, const struct expr_node *t)
{
    int type = static_type(t);
    if (type != KV_S) {
        note(r, PR_TYPE,
             "Incorrect operand type for operator or function; operator or function: "
             "attribute_type, operand type: %s",
             type ? type_name(type) : "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
        return;
    }
    if (t->op == OP_VALUE && !type_from_name(t->value->u.bytes, t->value->len))
        note(r, PR_TYPE,
             "Invalid attribute type name found; type: %.*s, valid types: "
             "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
             (int)t->value->len, t->value->u.bytes);
}

static void
check_cond_function(struct resolver *r, const struct expr_node *f)
{
    int type;
    switch (f->fn) {
    case FN_ATTRIBUTE_EXISTS:
    case FN_ATTRIBUTE_NOT_EXISTS:
        if (f->args[0]->op != OP_PATH)
            note(r, PR_TYPE,
                 "Operator or function requires a document path; operator or function: %s",
                 expr_fn_name(f->fn));
        break;
    case FN_BEGINS_WITH:
        for (uint32_t i = 0; i < 2; i++) {
            type = static_type(f->args[i]);
            if (type && type != KV_S && type != KV_B) {
                note_operand_type(r, "begins_with", type);
                break;
            }
        }
        break;
    case FN_ATTRIBUTE_TYPE:
        check_attribute_type(r, f->args[1]);
        break;
    case FN_SIZE:
        type = static_type(f->args[0]);
        if (type == KV_N || type == KV_BOOL || type == KV_NULL)
            note_operand_type(r, "size", type);
        break;
    default:
        break;
    }
}

static void
resolve_operand(struct resolver *r, struct expr_node *n)
{
    switch (n->op) {
    case OP_PATH:
        bind_path(r, &n->path);
        break;
    case OP_VALUE:
        bind_value(r, n);
        break;
    case OP_FUNC:
        resolve_args(r, n);
        if (check_fn_shape(r, n))
            check_cond_function(r, n);
        break;
    default:
        break;
    }
}

/* DynamoDB's rendering of a bound in the BETWEEN messages: {N:5}. */
static char *
attr_str(struct arena *a, const struct kv_value *v)
{
    if (v->type != KV_B)
        return arena_printf(a, "{%s:%.*s}", type_name(v->type), (int)v->len, v->u.bytes);
    char *b = arena_alloc(a, b64_encoded_len(v->len) + 1);
    if (!b)
        return NULL;
    b64_encode(v->u.bytes, v->len, b);
    return arena_printf(a, "{B:%s}", b);
}

static void
check_between_bounds(struct resolver *r, const struct expr_node *lo, const struct expr_node *hi)
{
    int tl = immediate_type(lo), th = immediate_type(hi);
    if (!tl || !th)
        return;
    const char *what;
    if (tl != th)
        what = "same data type for lower and upper bounds";
    else if (value_compare(lo->value, hi->value) > 0)
        what = "upper bound to be greater than or equal to lower bound";
    else
        return;
    char *ls = attr_str(r->a, lo->value), *hs = attr_str(r->a, hi->value);
    if (!ls || !hs) {
        r->diag->nomem = true;
        return;
    }
    note(r, PR_TYPE,
         "The BETWEEN operator requires %s; lower bound operand: AttributeValue: %s, upper "
         "bound operand: AttributeValue: %s",
         what, ls, hs);
}

static const char *const cmp_names[] = {"=", "<>", "<", "<=", ">", ">="};

/* Ordering needs S, N or B: a given value of another type is an error,
 * where an item's attribute of another type merely makes it false. */
static bool
check_orderable(struct resolver *r, const struct expr_node *n, const char *op)
{
    for (uint32_t i = 0; i < n->n_args; i++) {
        int type = static_type(n->args[i]);
        if (type && type != KV_S && type != KV_N && type != KV_B) {
            note_operand_type(r, op, type);
            return false;
        }
    }
    return true;
}

static void
resolve_leaf(struct resolver *r, struct expr_node *n)
{
    if (n->op == OP_FUNC) {
        resolve_operand(r, n);
    } else {
        resolve_args(r, n);
        if (n->op >= OP_EQ && n->op <= OP_GE) {
            const char *op = cmp_names[n->op - OP_EQ];
            check_distinct(r, op, n->args[0], n->args[1]);
            if (n->op >= OP_LT)
                check_orderable(r, n, op);
        } else if (n->op == OP_BETWEEN && check_orderable(r, n, "BETWEEN")) {
            check_between_bounds(r, n->args[1], n->args[2]);
        }
    }
    leaf_close(r);
}

/* Bounded by the tree's depth, which the parser bounds. */
static void
resolve_condition(struct resolver *r, struct expr_node *n)
{
    if (n->op != OP_AND && n->op != OP_OR && n->op != OP_NOT) {
        resolve_leaf(r, n);
        return;
    }
    for (uint32_t i = 0; i < n->n_args; i++) {
        if (n->args[i]->op == OP_FUNC && n->args[i]->fn == FN_SIZE)
            note_misused(r, n->args[i]);
        resolve_condition(r, n->args[i]);
    }
}

/* --- updates ----------------------------------------------------------------- */

static void
check_update_function(struct resolver *r, const struct expr_node *f)
{
    if (f->fn == FN_IF_NOT_EXISTS) {
        if (f->args[0]->op != OP_PATH)
            note(r, PR_TYPE,
                 "Operator or function requires a document path; operator or function: "
                 "if_not_exists");
        return;
    }
    for (uint32_t i = 0; i < 2; i++) {
        const struct expr_node *arg = f->args[i];
        int type = immediate_type(arg);
        if (arg->op == OP_FUNC && arg->fn == FN_LIST_APPEND) {
            note_misused(r, arg);
            return;
        }
        if (type && type != KV_L) {
            note_operand_type(r, "list_append", type);
            return;
        }
    }
}

/* A SET value, operands before the operator that uses them. */
static void
resolve_set_value(struct resolver *r, struct expr_node *n)
{
    switch (n->op) {
    case OP_PATH:
        bind_path(r, &n->path);
        return;
    case OP_VALUE:
        bind_value(r, n);
        return;
    case OP_PLUS:
    case OP_MINUS:
        for (uint32_t i = 0; i < 2; i++)
            resolve_set_value(r, n->args[i]);
        for (uint32_t i = 0; i < 2; i++) {
            int type = immediate_type(n->args[i]);
            if (type && type != KV_N) {
                note_operand_type(r, n->op == OP_PLUS ? "+" : "-", type);
                break;
            }
        }
        return;
    default:
        for (uint32_t i = 0; i < n->n_args; i++)
            resolve_set_value(r, n->args[i]);
        if (check_fn_shape(r, n))
            check_update_function(r, n);
        return;
    }
}

/* ADD takes a number or a set, DELETE a set; the type is named in full. */
static void
check_add_delete(struct resolver *r, const struct expr_action *act)
{
    static const char *const long_names[] = {"",        "STRING", "NUMBER", "BINARY",
                                             "BOOLEAN", "NULL",   "MAP",    "LIST"};
    int type = immediate_type(act->value);
    if (!type || type_is_set(type) || (act->kind == ACT_ADD && type == KV_N))
        return;
    note(r, PR_OPERAND,
         "Incorrect operand type for operator or function; operator: %s, operand type: %s",
         act->kind == ACT_ADD ? "ADD" : "DELETE", long_names[type]);
}

/* --- paths that touch each other ----------------------------------------------- */

enum { REL_NONE, REL_OVERLAP, REL_CONFLICT };

/* Two paths overlap when one is a prefix of the other (or they are
 * equal); they conflict when at their first difference one has a name and
 * the other an index. */
static int
path_relation(const struct expr_path *a, const struct expr_path *b)
{
    uint32_t n = a->n < b->n ? a->n : b->n;
    for (uint32_t i = 0; i < n; i++) {
        const struct expr_elem *x = &a->elems[i], *y = &b->elems[i];
        if (x->is_index != y->is_index)
            return REL_CONFLICT;
        if (x->is_index ? x->index != y->index
                        : x->len != y->len || memcmp(x->name, y->name, x->len) != 0)
            return REL_NONE;
    }
    return REL_OVERLAP;
}

static void
note_paths(struct resolver *r, enum expr_cat cat, const struct expr_path *a,
           const struct expr_path *b)
{
    char *sa = expr_path_str(r->a, a), *sb = expr_path_str(r->a, b);
    if (!sa || !sb) {
        r->diag->nomem = true;
        return;
    }
    expr_diag_note(r->diag, cat,
                   "Two document paths %s with each other; must remove or rewrite one of these "
                   "paths; path one: %s, path two: %s",
                   cat == CAT_OVERLAP ? "overlap" : "conflict", sa, sb);
}

/* Each path against every earlier one; the first overlap stops the scan,
 * a conflict is kept unless an overlap follows.  Quadratic in the number
 * of paths, which 4 KB of text keeps near two thousand at most. */
static void
check_overlaps(struct resolver *r, const struct expr_path *const *paths, size_t n)
{
    for (size_t j = 1; j < n; j++)
        for (size_t i = 0; i < j; i++) {
            int rel = path_relation(paths[i], paths[j]);
            if (rel == REL_OVERLAP) {
                note_paths(r, CAT_OVERLAP, paths[i], paths[j]);
                return;
            }
            if (rel == REL_CONFLICT)
                note_paths(r, CAT_CONFLICT, paths[i], paths[j]);
        }
}

/* --- names ------------------------------------------------------------------- */

struct namelist {
    struct expr_name *v;
    size_t n, cap;
    struct expr_name *nested; /* first names of paths of two elements or more */
    size_t n_nested, cap_nested;
};

static bool
names_add_path(struct resolver *r, struct namelist *l, const struct expr_path *p)
{
    const char *name = p->elems[0].name;
    uint32_t len = p->elems[0].len;
    if (expr_names_add(r->a, &l->v, &l->n, &l->cap, name, len) == 0 &&
        (p->n < 2 ||
         expr_names_add(r->a, &l->nested, &l->n_nested, &l->cap_nested, name, len) == 0))
        return true;
    r->diag->nomem = true;
    return false;
}

static void
names_of_tree(struct resolver *r, struct namelist *l, const struct expr_node *n)
{
    if (n->op == OP_PATH)
        names_add_path(r, l, &n->path);
    for (uint32_t i = 0; i < n->n_args; i++)
        names_of_tree(r, l, n->args[i]);
}

/* --- entry points ---------------------------------------------------------------- */

static kv_status
prepare(struct expr_ctx *ctx, enum expr_kind kind, const char *text, size_t len, struct resolver *r,
        struct expr_diag *diag, struct expr_parsed *parsed, struct kv_err *err)
{
    if (len == 0)
        return err_set(err, KV_VALIDATION, "Invalid %s: The expression can not be empty;",
                       expr_kind_name(kind));
    if (len > EXPR_MAX_LENGTH)
        return err_set(err, KV_VALIDATION,
                       "Invalid %s: Expression size has exceeded the maximum allowed size; "
                       "expression size: %zu",
                       expr_kind_name(kind), len);
    char *copy = arena_strndup(ctx->arena, text, len);
    if (!copy)
        return err_nomem(err);
    expr_diag_init(diag, ctx->arena);
    *r = (struct resolver){ctx, ctx->arena, kind, copy, diag, {0}};
    expr_diag_init(&r->leaf, ctx->arena);
    return expr_parse_text(ctx->arena, kind, copy, (uint32_t)len, diag, parsed, err);
}

kv_status
expr_parse_cond(struct expr_ctx *ctx, enum expr_kind kind, const char *text, size_t len,
                struct expr_cond **out, struct kv_err *err)
{
    struct resolver r;
    struct expr_diag diag;
    struct expr_parsed parsed;
    struct namelist names = {0};
    *out = NULL;
    if (kind != EXPR_CONDITION && kind != EXPR_FILTER && kind != EXPR_KEY_CONDITION)
        return ERR_MISUSE(err, "not a condition kind: %d", (int)kind);
    kv_status st = prepare(ctx, kind, text, len, &r, &diag, &parsed, err);
    if (st != KV_OK)
        return st;
    if (parsed.root->op == OP_FUNC && parsed.root->fn == FN_SIZE)
        note_misused(&r, parsed.root);
    resolve_condition(&r, parsed.root);
    names_of_tree(&r, &names, parsed.root);
    if ((st = expr_diag_report(&diag, kind, err)) != KV_OK)
        return st;
    struct expr_cond *c = arena_calloc(ctx->arena, sizeof *c);
    if (!c)
        return err_nomem(err);
    *c = (struct expr_cond){kind,    r.text, parsed.root,  names.v, names.n,
                            NULL,    0,      names.nested, names.n_nested};
    if (kind == EXPR_KEY_CONDITION && (st = expr_keycond_shape(ctx->arena, c, err)) != KV_OK)
        return st;
    *out = c;
    return KV_OK;
}

kv_status
expr_parse_update(struct expr_ctx *ctx, const char *text, size_t len, struct expr_update **out,
                  struct kv_err *err)
{
    struct resolver r;
    struct expr_diag diag;
    struct expr_parsed parsed;
    struct namelist names = {0};
    *out = NULL;
    kv_status st = prepare(ctx, EXPR_UPDATE, text, len, &r, &diag, &parsed, err);
    if (st != KV_OK)
        return st;
    const struct expr_path **paths = arena_alloc(r.a, parsed.n_actions * sizeof *paths);
    if (!paths)
        return err_nomem(err);
    for (size_t i = 0; i < parsed.n_actions; i++) {
        struct expr_action *act = &parsed.actions[i];
        bind_path(&r, &act->path);
        if (act->kind == ACT_SET)
            resolve_set_value(&r, act->value);
        else if (act->value)
            bind_value(&r, act->value);
        if (act->kind == ACT_ADD || act->kind == ACT_DELETE)
            check_add_delete(&r, act);
        paths[i] = &act->path;
        names_add_path(&r, &names, &act->path);
    }
    check_overlaps(&r, paths, parsed.n_actions);
    if ((st = expr_diag_report(&diag, EXPR_UPDATE, err)) != KV_OK)
        return st;
    struct expr_update *u = arena_calloc(ctx->arena, sizeof *u);
    if (!u)
        return err_nomem(err);
    *u = (struct expr_update){r.text, parsed.actions, parsed.n_actions, names.v, names.n};
    *out = u;
    return KV_OK;
}

kv_status
expr_parse_proj(struct expr_ctx *ctx, const char *text, size_t len, struct expr_proj **out,
                struct kv_err *err)
{
    struct resolver r;
    struct expr_diag diag;
    struct expr_parsed parsed;
    struct namelist names = {0};
    *out = NULL;
    kv_status st = prepare(ctx, EXPR_PROJECTION, text, len, &r, &diag, &parsed, err);
    if (st != KV_OK)
        return st;
    const struct expr_path **paths = arena_alloc(r.a, parsed.n_paths * sizeof *paths);
    if (!paths)
        return err_nomem(err);
    for (size_t i = 0; i < parsed.n_paths; i++) {
        bind_path(&r, &parsed.paths[i]);
        paths[i] = &parsed.paths[i];
        names_add_path(&r, &names, &parsed.paths[i]);
    }
    check_overlaps(&r, paths, parsed.n_paths);
    if ((st = expr_diag_report(&diag, EXPR_PROJECTION, err)) != KV_OK)
        return st;
    struct expr_proj *p = arena_calloc(ctx->arena, sizeof *p);
    if (!p)
        return err_nomem(err);
    *p = (struct expr_proj){r.text,  parsed.paths, parsed.n_paths, names.v,
                            names.n, names.nested, names.n_nested};
    *out = p;
    return KV_OK;
}

static kv_status
parse_one(struct expr_ctx *ctx, struct expr_request *req, enum expr_kind kind, struct kv_err *err)
{
    const char *text = req->text[kind];
    size_t len = req->len[kind];
    switch (kind) {
    case EXPR_UPDATE:
        return expr_parse_update(ctx, text, len, &req->update, err);
    case EXPR_CONDITION:
        return expr_parse_cond(ctx, kind, text, len, &req->condition, err);
    case EXPR_KEY_CONDITION:
        return expr_parse_cond(ctx, kind, text, len, &req->key_condition, err);
    case EXPR_FILTER:
        return expr_parse_cond(ctx, kind, text, len, &req->filter, err);
    case EXPR_PROJECTION:
        return expr_parse_proj(ctx, text, len, &req->projection, err);
    }
    return ERR_MISUSE(err, "unknown expression kind %d", (int)kind);
}

kv_status
expr_request_parse(struct arena *a, struct expr_request *req, struct kv_err *err)
{
    unsigned present = 0;
    for (int k = 0; k < EXPR_KIND_COUNT; k++)
        if (req->text[k])
            present |= EXPR_BIT(k);
    kv_status st =
        expr_check_params(req->names, req->values, present, req->accepted, req->n_accepted, err);
    if (st != KV_OK)
        return st;
    struct expr_ctx *ctx = expr_ctx_new(a, req->names, req->values, err);
    if (!ctx)
        return KV_NOMEM;
    for (int k = 0; k < EXPR_KIND_COUNT && st == KV_OK; k++)
        if (present & EXPR_BIT(k))
            st = parse_one(ctx, req, (enum expr_kind)k, err);
    return st == KV_OK ? expr_check_unused(ctx, err) : st;
}

/* Is name one of the n key attribute names? */
static bool
is_key_name(const struct expr_name *keys, size_t n, const struct expr_name *name)
{
    for (size_t i = 0; i < n; i++)
        if (keys[i].len == name->len && memcmp(keys[i].name, name->name, name->len) == 0)
            return true;
    return false;
}

kv_status
expr_check_key_paths(const struct expr_name *nested, size_t n_nested,
                     const struct expr_name *table_keys, size_t n_table,
                     const struct expr_name *index_keys, size_t n_index, struct kv_err *err)
{
    const struct expr_name *sets[2] = {table_keys, index_keys};
    size_t counts[2] = {n_table, n_index};
    for (int s = 0; s < 2; s++)
        for (size_t k = 0; k < counts[s]; k++)
            if (is_key_name(nested, n_nested, &sets[s][k]))
                return err_set(err, KV_VALIDATION,
                               "Key attributes must be scalars; list random access '[]' and map "
                               "lookup '.' are not allowed: %s: %.*s",
                               s ? "IndexKey" : "Key", (int)sets[s][k].len, sets[s][k].name);
    return KV_OK;
}

kv_status
expr_check_filter_keys(const struct expr_cond *filter, const struct expr_key_schema *ks,
                       struct kv_err *err)
{
    for (size_t i = 0; i < filter->n_names; i++) {
        const struct expr_name *n = &filter->names[i];
        const struct expr_name *keys[2] = {&ks->hash, &ks->range};
        for (int k = 0; k < 2; k++)
            if (keys[k]->name && keys[k]->len == n->len &&
                memcmp(keys[k]->name, n->name, n->len) == 0)
                return err_set(err, KV_VALIDATION,
                               "Filter Expression can only contain non-primary key attributes: "
                               "Primary key attribute: %.*s",
                               (int)n->len, n->name);
    }
    return KV_OK;
}
