/*
 * parse.c -- expression text to trees, by recursive descent.
 *
 * Grammar (keywords case-insensitive, function names case-sensitive):
 *
 *   condition  := and {OR and}
 *   and        := not {AND not}
 *   not        := NOT not | compare
 *   compare    := unit [comparator operand | BETWEEN operand AND operand
 *                       | IN '(' operand {',' operand} ')']
 *   unit       := '(' condition ')' | operand        -- see parse_unit
 *   operand    := '(' operand ')' | path | :value | name '(' operand {',' operand} ')'
 *   path       := elem {'.' elem | '[' digits ']'}    elem := name | #placeholder
 *
 *   update     := clause {clause}
 *   clause     := SET path '=' value {',' path '=' value} | REMOVE path {',' path}
 *               | ADD path :value {',' ...} | DELETE path :value {',' ...}
 *   value      := operand [('+' | '-') operand] | '(' value ')'
 *
 *   projection := path {',' path}
 *
 * The ambiguity of '(' in a condition -- "(a = :v)" groups a condition,
 * "(a) = :v" groups an operand -- is settled after the ')' by what follows
 * it.  An operand standing alone is a syntax error at the token after it,
 * which is where DynamoDB reports it too ("foo" fails on <EOF>).
 *
 * A syntax error names the offending token and, after "near:", the text
 * from the start of the token before it to the end of the token after it:
 * for "ADD hits : incr" that is token ":" near "hits : incr".  These are
 * DynamoDB's messages exactly.
 *
 * Bounds: recursion deepens only on '(', NOT and function calls, each
 * counted against EXPR_MAX_NESTING; paths hold EXPR_MAX_PATH_DEPTH
 * elements; the first operator beyond EXPR_MAX_OPERATORS is reported
 * after the parse, as DynamoDB reports "operator count: 301".
 */
#include "ast.h"
#include "lex.h"
#include "arena.h"
#include "err.h"

#include <string.h>

struct parser {
    struct arena *a;
    enum expr_kind kind;
    const char *text;
    struct expr_lexer lx;
    struct expr_token cur;
    struct expr_token prev; /* the last token consumed */
    bool has_prev;
    bool bare; /* parse_compare returned an operand alone before ')' */
    unsigned depth;
    unsigned n_ops;
    uint8_t clauses; /* update clauses seen, one bit per clause */
    struct expr_diag *diag;
    struct kv_err *err;
    kv_status st;
};

struct nodevec {
    struct expr_node **v;
    size_t n, cap;
};

static void
advance(struct parser *p)
{
    p->prev = p->cur;
    p->has_prev = true;
    p->cur = expr_lex_next(&p->lx);
}

static void *
nomem(struct parser *p)
{
    if (p->st == KV_OK)
        p->st = err_nomem(p->err);
    return NULL;
}

/* "Syntax error; token: \"<t>\", near: \"<prev .. next>\"" at p->cur. */
static void *
syntax_error(struct parser *p)
{
    if (p->st != KV_OK)
        return NULL;
    struct expr_token t = p->cur;
    struct expr_lexer look = p->lx;
    struct expr_token next = t.kind == TOK_EOF ? t : expr_lex_next(&look);
    uint32_t start = p->has_prev ? p->prev.off : t.off;
    uint32_t end;
    if (t.kind == TOK_EOF)
        end = p->has_prev ? p->prev.off + p->prev.len : t.off;
    else
        end = next.kind == TOK_EOF ? t.off + t.len : next.off + next.len;
    const char *tok = t.kind == TOK_EOF ? "<EOF>" : p->text + t.off;
    int tok_len = t.kind == TOK_EOF ? 5 : (int)t.len;
    p->st =
        err_set(p->err, KV_VALIDATION, "Invalid %s: Syntax error; token: \"%.*s\", near: \"%.*s\"",
                expr_kind_name(p->kind), tok_len, tok, (int)(end - start), p->text + start);
    return NULL;
}

static bool
expect(struct parser *p, int kind)
{
    if (p->cur.kind != kind) {
        syntax_error(p);
        return false;
    }
    advance(p);
    return true;
}

/* Enter one level of '(', NOT or a function call; false past the bound. */
static bool
enter(struct parser *p)
{
    if (++p->depth <= EXPR_MAX_NESTING)
        return true;
    if (p->st == KV_OK)
        p->st = err_set(p->err, KV_VALIDATION,
                        "Invalid %s: The expression has too many nested levels; "
                        "nesting levels: %u",
                        expr_kind_name(p->kind), p->depth);
    return false;
}

static void
count_op(struct parser *p)
{
    if (p->n_ops <= EXPR_MAX_OPERATORS)
        p->n_ops++;
}

static struct expr_node *
node_new(struct parser *p, int op, struct expr_token t)
{
    struct expr_node *n = arena_calloc(p->a, sizeof *n);
    if (!n)
        return nomem(p);
    n->op = (uint8_t)op;
    n->off = t.off;
    n->len = t.len;
    return n;
}

static bool
vec_push(struct parser *p, struct nodevec *v, struct expr_node *x)
{
    if (arena_grow(p->a, (void **)&v->v, &v->cap, v->n + 1, sizeof *v->v)) {
        nomem(p);
        return false;
    }
    v->v[v->n++] = x;
    return true;
}

static struct expr_node *
node_args(struct parser *p, int op, struct expr_token t, struct expr_node **args, uint32_t n)
{
    struct expr_node *node = node_new(p, op, t);
    if (!node)
        return NULL;
    node->args = arena_memdup(p->a, args, n * sizeof *args);
    if (!node->args)
        return nomem(p);
    node->n_args = n;
    return node;
}

/* --- paths --------------------------------------------------------------------- */

static bool
path_elem_name(struct parser *p, struct expr_elem *e)
{
    if (p->cur.kind != TOK_IDENT && p->cur.kind != TOK_NAME) {
        syntax_error(p);
        return false;
    }
    e->name = p->text + p->cur.off;
    e->len = p->cur.len;
    e->off = p->cur.off;
    e->is_ref = p->cur.kind == TOK_NAME;
    if (!e->is_ref && expr_reserved(e->name, e->len))
        expr_diag_note(p->diag, CAT_RESERVED,
                       "Attribute name is a reserved keyword; reserved keyword: %.*s", (int)e->len,
                       e->name);
    advance(p);
    return true;
}

/* A list index: decimal digits.  Indexes past INT32_MAX are refused as a
 * syntax error on the number; no list can be that long. */
static bool
path_elem_index(struct parser *p, struct expr_elem *e)
{
    if (p->cur.kind != TOK_NUMBER) {
        syntax_error(p);
        return false;
    }
    uint64_t v = 0;
    for (uint32_t i = 0; i < p->cur.len; i++) {
        v = v * 10 + (uint64_t)(p->text[p->cur.off + i] - '0');
        if (v > INT32_MAX) {
            syntax_error(p);
            return false;
        }
    }
    e->is_index = 1;
    e->index = (uint32_t)v;
    e->off = p->cur.off;
    advance(p);
    return expect(p, TOK_RBRACKET);
}

static bool
parse_path(struct parser *p, struct expr_path *path)
{
    struct expr_elem elems[EXPR_MAX_PATH_DEPTH + 1];
    uint32_t n = 0;
    memset(elems, 0, sizeof elems);
    if (!path_elem_name(p, &elems[n++]))
        return false;
    while (p->cur.kind == TOK_DOT || p->cur.kind == TOK_LBRACKET) {
        if (n == EXPR_MAX_PATH_DEPTH) {
            p->st = err_set(p->err, KV_VALIDATION,
                            "Invalid %s: The document path has too many nesting levels; "
                            "nesting levels: %u",
                            expr_kind_name(p->kind), n + 1);
            return false;
        }
        bool dot = p->cur.kind == TOK_DOT;
        advance(p);
        if (!(dot ? path_elem_name(p, &elems[n]) : path_elem_index(p, &elems[n])))
            return false;
        n++;
    }
    path->elems = arena_memdup(p->a, elems, n * sizeof elems[0]);
    if (!path->elems)
        return nomem(p), false;
    path->n = n;
    return true;
}

/* --- operands ------------------------------------------------------------------ */

static struct expr_node *parse_operand(struct parser *p);

/* name '(' operand {',' operand} ')': the name is p->cur. */
static struct expr_node *
parse_call(struct parser *p)
{
    struct expr_token name = p->cur;
    struct nodevec args = {0};
    advance(p);
    advance(p); /* '(' */
    if (!enter(p))
        return NULL;
    do {
        if (args.n && !expect(p, TOK_COMMA))
            return NULL;
        struct expr_node *arg = parse_operand(p);
        if (!arg || !vec_push(p, &args, arg))
            return NULL;
    } while (p->cur.kind == TOK_COMMA);
    if (!expect(p, TOK_RPAREN))
        return NULL;
    p->depth--;
    count_op(p);
    struct expr_node *f = node_args(p, OP_FUNC, name, args.v, (uint32_t)args.n);
    if (f)
        f->fn = (uint8_t)expr_fn_lookup(p->kind, p->text + name.off, name.len);
    return f;
}

static struct expr_node *
parse_operand(struct parser *p)
{
    struct expr_node *n;
    switch (p->cur.kind) {
    case TOK_LPAREN:
        if (!enter(p))
            return NULL;
        advance(p);
        n = parse_operand(p);
        if (!n || !expect(p, TOK_RPAREN))
            return NULL;
        p->depth--;
        if (++n->parens == 2 && p->kind != EXPR_UPDATE)
            expr_diag_note(p->diag, CAT_PARENS, "The expression has redundant parentheses;");
        return n;
    case TOK_VALUE:
        n = node_new(p, OP_VALUE, p->cur);
        if (n)
            advance(p);
        return n;
    case TOK_IDENT: {
        struct expr_lexer look = p->lx;
        if (expr_lex_next(&look).kind == TOK_LPAREN)
            return parse_call(p);
    }
        /* fall through */
    case TOK_NAME:
        n = node_new(p, OP_PATH, p->cur);
        if (n && !parse_path(p, &n->path))
            return NULL;
        return n;
    default:
        return syntax_error(p);
    }
}

/* --- conditions ---------------------------------------------------------------- */

static struct expr_node *parse_or(struct parser *p, bool bare_ok);

static bool
is_condition(const struct expr_node *n)
{
    return n->op >= OP_EQ && n->op <= OP_NOT;
}

/*
 * A '(' opening a compare: either a grouped condition or a grouped operand.
 * The group is parsed as a condition that may end in a bare operand; what
 * it turns out to be is left in *is_cond.
 */
static struct expr_node *
parse_group(struct parser *p, bool *is_cond)
{
    if (!enter(p))
        return NULL;
    advance(p);
    struct expr_node *inner = parse_or(p, true);
    bool was_bare = p->bare;
    p->bare = false;
    if (!inner || !expect(p, TOK_RPAREN))
        return NULL;
    p->depth--;
    if (++inner->parens == 2)
        expr_diag_note(p->diag, CAT_PARENS, "The expression has redundant parentheses;");
    *is_cond = !was_bare && is_condition(inner);
    return inner;
}

static struct expr_node *
parse_between(struct parser *p, struct expr_node *left)
{
    struct expr_token t = p->cur;
    advance(p);
    count_op(p);
    struct expr_node *args[3] = {left, NULL, NULL};
    if (!(args[1] = parse_operand(p)) || !expect(p, TOK_AND) || !(args[2] = parse_operand(p)))
        return NULL;
    return node_args(p, OP_BETWEEN, t, args, 3);
}

static struct expr_node *
parse_in(struct parser *p, struct expr_node *left)
{
    struct expr_token t = p->cur;
    struct nodevec args = {0};
    advance(p);
    count_op(p);
    if (!vec_push(p, &args, left) || !expect(p, TOK_LPAREN))
        return NULL;
    do {
        if (args.n > 1 && !expect(p, TOK_COMMA))
            return NULL;
        struct expr_node *arg = parse_operand(p);
        if (!arg || !vec_push(p, &args, arg))
            return NULL;
    } while (p->cur.kind == TOK_COMMA);
    if (!expect(p, TOK_RPAREN))
        return NULL;
    if (args.n - 1 > EXPR_MAX_IN_OPERANDS) {
        p->st = err_set(p->err, KV_VALIDATION,
                        "Invalid %s: The IN operator is provided with too many operands; "
                        "number of operands: %zu",
                        expr_kind_name(p->kind), args.n - 1);
        return NULL;
    }
    return node_args(p, OP_IN, t, args.v, (uint32_t)args.n);
}

static struct expr_node *
parse_compare(struct parser *p, bool bare_ok)
{
    bool is_cond = false;
    struct expr_node *left;
    left = p->cur.kind == TOK_LPAREN ? parse_group(p, &is_cond) : parse_operand(p);
    if (!left)
        return NULL;
    int k = p->cur.kind;
    if (expr_tok_is_comparator(k) || k == TOK_BETWEEN || k == TOK_IN) {
        if (is_cond)
            return syntax_error(p);
        if (k == TOK_BETWEEN)
            return parse_between(p, left);
        if (k == TOK_IN)
            return parse_in(p, left);
        struct expr_token t = p->cur;
        advance(p);
        count_op(p);
        struct expr_node *args[2] = {left, parse_operand(p)};
        return args[1] ? node_args(p, OP_EQ + (k - TOK_EQ), t, args, 2) : NULL;
    }
    if (is_cond || left->op == OP_FUNC)
        return left; /* a grouped condition, or a function used as one */
    if (bare_ok && k == TOK_RPAREN) {
        p->bare = true;
        return left;
    }
    return syntax_error(p);
}

static struct expr_node *
parse_not(struct parser *p, bool bare_ok)
{
    if (p->cur.kind != TOK_NOT)
        return parse_compare(p, bare_ok);
    struct expr_token t = p->cur;
    if (!enter(p))
        return NULL;
    advance(p);
    count_op(p);
    struct expr_node *arg = parse_not(p, false);
    if (!arg)
        return NULL;
    p->depth--;
    return node_args(p, OP_NOT, t, &arg, 1);
}

/* A chain of one operator (AND or OR) over operands parsed by sub. */
static struct expr_node *
parse_chain(struct parser *p, bool bare_ok, int tok, int op,
            struct expr_node *(*sub)(struct parser *, bool))
{
    struct expr_node *first = sub(p, bare_ok);
    if (!first || p->bare || p->cur.kind != tok)
        return first;
    struct expr_token t = p->cur;
    struct nodevec args = {0};
    if (!vec_push(p, &args, first))
        return NULL;
    while (p->cur.kind == tok) {
        advance(p);
        count_op(p);
        struct expr_node *next = sub(p, false);
        if (!next || !vec_push(p, &args, next))
            return NULL;
    }
    return node_args(p, op, t, args.v, (uint32_t)args.n);
}

static struct expr_node *
parse_and(struct parser *p, bool bare_ok)
{
    return parse_chain(p, bare_ok, TOK_AND, OP_AND, parse_not);
}

static struct expr_node *
parse_or(struct parser *p, bool bare_ok)
{
    return parse_chain(p, bare_ok, TOK_OR, OP_OR, parse_and);
}

/* --- updates -------------------------------------------------------------------- */

/* A SET value: operand, operand + operand, operand - operand, or any of
 * them in parentheses. */
static struct expr_node *
parse_set_value(struct parser *p)
{
    struct expr_node *left;
    if (p->cur.kind == TOK_LPAREN) {
        if (!enter(p))
            return NULL;
        advance(p);
        left = parse_set_value(p);
        if (!left || !expect(p, TOK_RPAREN))
            return NULL;
        p->depth--;
        left->parens++;
        if (left->op == OP_PLUS || left->op == OP_MINUS)
            return left;
    } else if (!(left = parse_operand(p))) {
        return NULL;
    }
    if (p->cur.kind != TOK_PLUS && p->cur.kind != TOK_MINUS)
        return left;
    struct expr_token t = p->cur;
    int op = t.kind == TOK_PLUS ? OP_PLUS : OP_MINUS;
    advance(p);
    count_op(p);
    struct expr_node *args[2] = {left, parse_operand(p)};
    return args[1] ? node_args(p, op, t, args, 2) : NULL;
}

struct actvec {
    struct expr_action *v;
    size_t n, cap;
};

static bool
parse_action(struct parser *p, int kind, struct actvec *acts)
{
    struct expr_action act = {.kind = (uint8_t)kind};
    if (!parse_path(p, &act.path))
        return false;
    if (kind == ACT_SET) {
        if (!expect(p, TOK_EQ) || !(act.value = parse_set_value(p)))
            return false;
    } else if (kind == ACT_ADD || kind == ACT_DELETE) {
        if (p->cur.kind != TOK_VALUE)
            return syntax_error(p), false;
        if (!(act.value = node_new(p, OP_VALUE, p->cur)))
            return false;
        advance(p);
    }
    if (arena_grow(p->a, (void **)&acts->v, &acts->cap, acts->n + 1, sizeof *acts->v))
        return nomem(p), false;
    acts->v[acts->n++] = act;
    return true;
}

static const char *const clause_names[] = {"SET", "REMOVE", "ADD", "DELETE"};

static bool
parse_clause(struct parser *p, struct actvec *acts)
{
    int kind;
    switch (p->cur.kind) {
    case TOK_SET:
        kind = ACT_SET;
        break;
    case TOK_REMOVE:
        kind = ACT_REMOVE;
        break;
    case TOK_ADD:
        kind = ACT_ADD;
        break;
    case TOK_DELETE:
        kind = ACT_DELETE;
        break;
    default:
        return syntax_error(p), false;
    }
    advance(p);
    if (!parse_action(p, kind, acts))
        return false;
    while (p->cur.kind == TOK_COMMA) {
        advance(p);
        if (!parse_action(p, kind, acts))
            return false;
    }
    /* Like DynamoDB, a repeated clause is noticed once it is parsed. */
    if (p->clauses & (1u << kind))
        expr_diag_note(p->diag, CAT_SECTION,
                       "The \"%s\" section can only be used once in an update expression;",
                       clause_names[kind]);
    p->clauses |= (uint8_t)(1u << kind);
    return true;
}

/* --- entry ---------------------------------------------------------------------- */

static bool
parse_projection(struct parser *p, struct expr_parsed *out)
{
    size_t cap = 0;
    for (;;) {
        if (arena_grow(p->a, (void **)&out->paths, &cap, out->n_paths + 1, sizeof *out->paths))
            return nomem(p), false;
        if (!parse_path(p, &out->paths[out->n_paths]))
            return false;
        out->n_paths++;
        if (p->cur.kind != TOK_COMMA)
            return true;
        advance(p);
    }
}

static bool
parse_top(struct parser *p, struct expr_parsed *out)
{
    if (p->kind == EXPR_PROJECTION)
        return parse_projection(p, out);
    if (p->kind != EXPR_UPDATE)
        return (out->root = parse_or(p, false)) != NULL;
    struct actvec acts = {0};
    do {
        if (!parse_clause(p, &acts))
            return false;
    } while (p->cur.kind != TOK_EOF);
    out->actions = acts.v;
    out->n_actions = acts.n;
    return true;
}

kv_status
expr_parse_text(struct arena *a, enum expr_kind kind, const char *text, uint32_t len,
                struct expr_diag *diag, struct expr_parsed *out, struct kv_err *err)
{
    struct parser p = {.a = a, .kind = kind, .text = text, .diag = diag, .err = err};
    memset(out, 0, sizeof *out);
    expr_lex_init(&p.lx, text, len);
    p.cur = expr_lex_next(&p.lx);
    if (parse_top(&p, out) && p.cur.kind != TOK_EOF)
        syntax_error(&p);
    if (p.st == KV_OK && p.n_ops > EXPR_MAX_OPERATORS)
        p.st = err_set(err, KV_VALIDATION,
                       "Invalid %s: The expression contains too many operators; "
                       "operator count: %u",
                       expr_kind_name(kind), p.n_ops);
    if (p.st != KV_OK)
        memset(out, 0, sizeof *out);
    return p.st;
}
