/*
 * cli_where.c -- the --where syntax of kv find and kv items, parsed into a
 * small tree and written out as DynamoDB condition expressions.
 *
 * Grammar (keywords in any case):
 *
 *     expr    = term *("or" term)
 *     term    = factor *("and" factor)
 *     factor  = "not" factor / "(" expr ")" / func / compare
 *     func    = NAME "(" path *("," value) ")"     begins_with, contains, ...
 *     compare = lhs ("=" / "==" / "!=" / "<>" / "<" / "<=" / ">" / ">=") value
 *             / lhs "between" value "and" value
 *             / lhs "in" "(" value *("," value) ")"
 *     lhs     = path / "size" "(" path ")"
 *     path    = NAME *("." NAME / "[" DIGITS "]")
 *     value   = NUMBER / STRING / NAME          (a bare word is a string)
 *
 * Nesting is bounded (MAX_DEPTH) so a hostile argument cannot exhaust the
 * stack.  DynamoDB's own parser checks the result again.
 */
#include "cli_where.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH 64

enum tok { T_EOF, T_NAME, T_NUMBER, T_STRING, T_OP, T_LP, T_RP, T_COMMA, T_DOT, T_LB, T_RB };

struct operand {
    bool path;    /* an attribute path, else a value */
    bool literal; /* a path that is one name, dots and all (NAME=VALUE terms) */
    bool size;    /* size(path) */
    char kind;    /* value: 'N' number, 'S' quoted, 'W' bare word */
    char *text;
};

enum node_kind { N_OR, N_AND, N_NOT, N_CMP, N_BETWEEN, N_IN, N_FUNC };

struct node {
    enum node_kind kind;
    char op[3];
    char func[24];
    struct node *l, *r;
    struct operand *ops;
    int n_ops;
};

struct parser {
    const char *s;
    size_t i;
    enum tok tok;
    size_t start, len; /* current token */
    char *err;
    int depth;
};

static void
lex(struct parser *p)
{
    const char *s = p->s;
    while (isspace((unsigned char)s[p->i]))
        p->i++;
    p->start = p->i;
    char c = s[p->i];
    if (!c) {
        p->tok = T_EOF;
    } else if (isdigit((unsigned char)c) ||
               ((c == '-' || c == '.') && isdigit((unsigned char)s[p->i + 1]))) {
        p->i++;
        while (isalnum((unsigned char)s[p->i]) || s[p->i] == '.' ||
               ((s[p->i] == '-' || s[p->i] == '+') && tolower((unsigned char)s[p->i - 1]) == 'e'))
            p->i++;
        p->tok = T_NUMBER;
    } else if (isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80) {
        while (isalnum((unsigned char)s[p->i]) || s[p->i] == '_' || s[p->i] == '-' ||
               (unsigned char)s[p->i] >= 0x80)
            p->i++;
        p->tok = T_NAME;
    } else if (c == '"' || c == '\'') {
        p->i++;
        while (s[p->i] && s[p->i] != c)
            p->i += s[p->i] == '\\' && s[p->i + 1] ? 2 : 1;
        p->tok = s[p->i] ? T_STRING : T_EOF;
        if (s[p->i])
            p->i++;
        else if (!p->err &&
                 asprintf(&p->err, "unterminated string at position %zu", p->start + 1) < 0)
            p->err = NULL;
    } else if (strchr("=!<>", c)) {
        p->i++;
        if (s[p->i] == '=' || (c == '<' && s[p->i] == '>'))
            p->i++;
        p->tok = T_OP;
    } else {
        p->i++;
        p->tok = c == '('   ? T_LP
                 : c == ')' ? T_RP
                 : c == ',' ? T_COMMA
                 : c == '.' ? T_DOT
                 : c == '[' ? T_LB
                 : c == ']' ? T_RB
                            : T_OP;
    }
    p->len = p->i - p->start;
}

static bool
is_word(const struct parser *p, const char *word)
{
    return p->tok == T_NAME && p->len == strlen(word) &&
           strncasecmp(p->s + p->start, word, p->len) == 0;
}

static void *
fail(struct parser *p, const char *what)
{
    if (!p->err) {
        const char *near = p->tok == T_EOF ? "the end" : NULL;
        if (asprintf(&p->err, "expected %s at %s%.*s%s (position %zu)", what, near ? near : "'",
                     near ? 0 : (int)p->len, p->s + p->start, near ? "" : "'", p->start + 1) < 0)
            p->err = NULL;
    }
    return NULL;
}

static void
free_node(struct node *n)
{
    if (!n)
        return;
    free_node(n->l);
    free_node(n->r);
    for (int i = 0; i < n->n_ops; i++)
        free(n->ops[i].text);
    free(n->ops);
    free(n);
}

static struct node *
new_node(enum node_kind kind)
{
    struct node *n = calloc(1, sizeof *n);
    if (n)
        n->kind = kind;
    return n;
}

static bool
add_op(struct node *n, struct operand op)
{
    struct operand *grown = realloc(n->ops, (size_t)(n->n_ops + 1) * sizeof *grown);
    if (!grown) {
        free(op.text);
        return false;
    }
    n->ops = grown;
    n->ops[n->n_ops++] = op;
    return true;
}

/* A string literal's contents with its backslash escapes undone. */
static char *
unquote(const char *s, size_t len)
{
    char *out = malloc(len + 1);
    size_t o = 0;
    for (size_t i = 1; out && i + 1 < len; i++) {
        if (s[i] == '\\' && i + 2 < len)
            i++;
        out[o++] = s[i];
    }
    if (out)
        out[o] = '\0';
    return out;
}

static bool
parse_path(struct parser *p, struct operand *op)
{
    if (p->tok != T_NAME)
        return fail(p, "an attribute name") != NULL;
    size_t cap = 64, n = 0;
    char *text = malloc(cap);
    for (bool first = true; text; first = false) {
        if (!first && p->tok == T_LB) {
            lex(p);
            if (p->tok != T_NUMBER)
                break;
        } else if (!first && p->tok != T_NAME) {
            break;
        }
        if (n + p->len + 4 > cap && !(text = realloc(text, cap = 2 * (n + p->len + 4))))
            return false;
        if (!first)
            text[n++] = p->tok == T_NUMBER ? '[' : '.';
        memcpy(text + n, p->s + p->start, p->len);
        n += p->len;
        bool index = p->tok == T_NUMBER;
        lex(p);
        if (index) {
            if (p->tok != T_RB)
                break;
            text[n++] = ']';
            lex(p);
        }
        if (p->tok == T_DOT)
            lex(p);
        else if (p->tok != T_LB) {
            text[n] = '\0';
            *op = (struct operand){.path = true, .text = text};
            return true;
        }
    }
    free(text);
    return fail(p, "a name or an index in the path") != NULL;
}

static bool
parse_value(struct parser *p, struct operand *op)
{
    *op = (struct operand){0};
    if (p->tok == T_NUMBER) {
        op->kind = 'N';
        op->text = strndup(p->s + p->start, p->len);
    } else if (p->tok == T_STRING) {
        op->kind = 'S';
        op->text = unquote(p->s + p->start, p->len);
    } else if (p->tok == T_NAME) {
        op->kind = is_word(p, "true")    ? 'T'
                   : is_word(p, "false") ? 'F'
                   : is_word(p, "null")  ? '0'
                                         : 'W';
        op->text = strndup(p->s + p->start, p->len);
    } else {
        return fail(p, "a value") != NULL;
    }
    lex(p);
    return op->text != NULL;
}

static struct node *parse_expr(struct parser *p);

/* "f(path, value...)" with p at "(". */
static struct node *
parse_func(struct parser *p, const char *name, size_t len)
{
    struct node *n = new_node(N_FUNC);
    struct operand op;
    if (!n)
        return NULL;
    snprintf(n->func, sizeof n->func, "%.*s", (int)len, name);
    lex(p);
    if (!parse_path(p, &op) || !add_op(n, op))
        goto fail;
    while (p->tok == T_COMMA) {
        lex(p);
        if (!parse_value(p, &op) || !add_op(n, op))
            goto fail;
    }
    if (p->tok != T_RP) {
        fail(p, "')'");
        goto fail;
    }
    lex(p);
    return n;
fail:
    free_node(n);
    return NULL;
}

static bool
parse_lhs(struct parser *p, struct operand *op)
{
    bool size = is_word(p, "size") && p->s[p->i] == '(';
    if (size) {
        lex(p);
        lex(p);
    }
    if (!parse_path(p, op))
        return false;
    op->size = size;
    if (size && p->tok != T_RP) {
        free(op->text);
        return fail(p, "')'") != NULL;
    }
    if (size)
        lex(p);
    return true;
}

/* "between A and B" with p at "between". */
static bool
parse_between(struct parser *p, struct node *n)
{
    struct operand v;
    n->kind = N_BETWEEN;
    lex(p);
    if (!parse_value(p, &v) || !add_op(n, v))
        return false;
    if (!is_word(p, "and"))
        return fail(p, "'and'") != NULL;
    lex(p);
    return parse_value(p, &v) && add_op(n, v);
}

/* "in (A, B, ...)" with p at "in". */
static bool
parse_in(struct parser *p, struct node *n)
{
    struct operand v;
    n->kind = N_IN;
    lex(p);
    if (p->tok != T_LP)
        return fail(p, "'('") != NULL;
    do {
        lex(p);
        if (!parse_value(p, &v) || !add_op(n, v))
            return false;
    } while (p->tok == T_COMMA);
    if (p->tok != T_RP)
        return fail(p, "')'") != NULL;
    lex(p);
    return true;
}

/* A comparison operator, with "==" read as "=" and "!=" as "<>". */
static bool
parse_operator(struct parser *p, struct node *n)
{
    static const char *const ops[] = {"=", "==", "!=", "<>", "<", "<=", ">", ">="};
    bool known = false;
    for (size_t k = 0; p->tok == T_OP && k < sizeof ops / sizeof ops[0]; k++)
        known |= p->len == strlen(ops[k]) && strncmp(p->s + p->start, ops[k], p->len) == 0;
    if (!known)
        return fail(p, "a comparison (=, <>, <, <=, >, >=, between, in)") != NULL;
    if (p->s[p->start] == '!')
        strcpy(n->op, "<>");
    else if (p->len == 2 && p->s[p->start] == '=')
        strcpy(n->op, "=");
    else
        snprintf(n->op, sizeof n->op, "%.*s", (int)p->len, p->s + p->start);
    lex(p);
    return true;
}

static struct node *
parse_compare(struct parser *p)
{
    struct operand lhs, v;
    if (!parse_lhs(p, &lhs))
        return NULL;
    struct node *n = new_node(N_CMP);
    bool ok = n && add_op(n, lhs);
    if (ok && is_word(p, "between"))
        ok = parse_between(p, n);
    else if (ok && is_word(p, "in"))
        ok = parse_in(p, n);
    else if (ok)
        ok = parse_operator(p, n) && parse_value(p, &v) && add_op(n, v);
    if (!ok) {
        free_node(n);
        return NULL;
    }
    return n;
}

static struct node *
parse_factor(struct parser *p)
{
    if (++p->depth > MAX_DEPTH)
        return fail(p, "less nesting");
    struct node *n = NULL;
    if (is_word(p, "not")) {
        lex(p);
        struct node *inner = parse_factor(p);
        if (inner && (n = new_node(N_NOT)))
            n->l = inner;
        else
            free_node(inner);
    } else if (p->tok == T_LP) {
        lex(p);
        n = parse_expr(p);
        if (n && p->tok != T_RP) {
            free_node(n);
            n = fail(p, "')'");
        } else if (n) {
            lex(p);
        }
    } else if (p->tok == T_NAME && p->s[p->i] == '(' && !is_word(p, "size")) {
        const char *name = p->s + p->start;
        size_t len = p->len;
        lex(p);
        n = parse_func(p, name, len);
    } else {
        n = parse_compare(p);
    }
    p->depth--;
    return n;
}

static struct node *
parse_binary(struct parser *p, enum node_kind kind)
{
    struct node *l = kind == N_OR ? parse_binary(p, N_AND) : parse_factor(p);
    while (l && is_word(p, kind == N_OR ? "or" : "and")) {
        lex(p);
        struct node *r = kind == N_OR ? parse_binary(p, N_AND) : parse_factor(p);
        struct node *n = r ? new_node(kind) : NULL;
        if (!n) {
            free_node(l);
            free_node(r);
            return NULL;
        }
        n->l = l;
        n->r = r;
        l = n;
    }
    return l;
}

static struct node *
parse_expr(struct parser *p)
{
    return parse_binary(p, N_OR);
}

/* --- writing the expressions --------------------------------------------- */

struct emit {
    const struct where_keys *keys;
    json_t *names;    /* "#n0" -> name */
    json_t *name_ids; /* name -> "#n0" */
    json_t *values;   /* ":v0" -> AttributeValue */
    FILE *f;
};

json_t *
where_typed_value(const char *text, char type)
{
    char t[2] = {type ? type : 'S', 0};
    return json_pack("{s:s}", t, text);
}

static const char *
name_id(struct emit *e, const char *name, size_t len)
{
    char *copy = strndup(name, len);
    json_t *id = json_object_get(e->name_ids, copy);
    if (!id) {
        char buf[16];
        snprintf(buf, sizeof buf, "#n%zu", json_object_size(e->names));
        id = json_string(buf);
        json_object_set_new(e->name_ids, copy, id);
        json_object_set_new(e->names, buf, json_string(copy));
    }
    free(copy);
    return json_string_value(id);
}

/* The key type of the attribute at the head of @p path, or 0. */
static char
key_type(const struct emit *e, const struct operand *path)
{
    size_t len = path->literal ? strlen(path->text) : strcspn(path->text, ".[");
    if (e->keys->hash && strlen(e->keys->hash) == len && !strncmp(e->keys->hash, path->text, len))
        return e->keys->hash_type;
    if (e->keys->range && strlen(e->keys->range) == len &&
        !strncmp(e->keys->range, path->text, len))
        return e->keys->range_type;
    return 0;
}

static void
emit_path(struct emit *e, const struct operand *op)
{
    if (op->size)
        fputs("size(", e->f);
    const char *s = op->text;
    while (*s) {
        size_t len = op->literal ? strlen(s) : strcspn(s, ".[");
        fputs(name_id(e, s, len), e->f);
        s += len;
        while (*s == '[') {
            size_t close = strcspn(s, "]");
            fprintf(e->f, "%.*s", (int)close + 1, s);
            s += close + (s[close] ? 1 : 0);
        }
        if (*s == '.')
            fputc('.', e->f);
        s += *s == '.';
    }
    if (op->size)
        fputc(')', e->f);
}

/* A value compared with @p path: typed by the key schema when it is a key. */
static void
emit_value(struct emit *e, const struct operand *path, const struct operand *v)
{
    char id[16];
    snprintf(id, sizeof id, ":v%zu", json_object_size(e->values));
    char kt = path && !path->size ? key_type(e, path) : 0;
    json_t *av;
    if (v->kind == 'T' || v->kind == 'F')
        av = json_pack("{s:b}", "BOOL", v->kind == 'T');
    else if (v->kind == '0')
        av = json_pack("{s:b}", "NULL", 1);
    else if (kt)
        av = where_typed_value(v->text, kt);
    else
        av = where_typed_value(v->text, v->kind == 'N' ? 'N' : 'S');
    json_object_set_new(e->values, id, av);
    fputs(id, e->f);
}

static void emit_node(struct emit *e, const struct node *n);

static void
emit_child(struct emit *e, const struct node *child, bool wrap)
{
    if (wrap)
        fputc('(', e->f);
    emit_node(e, child);
    if (wrap)
        fputc(')', e->f);
}

static void
emit_node(struct emit *e, const struct node *n)
{
    const struct operand *path = &n->ops[0];
    switch (n->kind) {
    case N_OR:
    case N_AND:
        emit_child(e, n->l, n->kind == N_AND && n->l->kind == N_OR);
        fputs(n->kind == N_AND ? " AND " : " OR ", e->f);
        emit_child(e, n->r, n->kind == N_AND && n->r->kind == N_OR);
        break;
    case N_NOT:
        fputs("NOT ", e->f);
        emit_child(e, n->l, n->l->kind == N_AND || n->l->kind == N_OR);
        break;
    case N_CMP:
        emit_path(e, path);
        fprintf(e->f, " %s ", n->op);
        emit_value(e, path, &n->ops[1]);
        break;
    case N_BETWEEN:
        emit_path(e, path);
        fputs(" BETWEEN ", e->f);
        emit_value(e, path, &n->ops[1]);
        fputs(" AND ", e->f);
        emit_value(e, path, &n->ops[2]);
        break;
    case N_IN:
    case N_FUNC:
        if (n->kind == N_FUNC)
            fprintf(e->f, "%s(", n->func);
        emit_path(e, path);
        fputs(n->kind == N_IN ? " IN (" : "", e->f);
        for (int i = 1; i < n->n_ops; i++) {
            if (i > 1 || n->kind == N_FUNC)
                fputs(", ", e->f);
            emit_value(e, n->kind == N_IN || !strcmp(n->func, "begins_with") ? path : NULL,
                       &n->ops[i]);
        }
        fputc(')', e->f);
        break;
    }
}

/* --- splitting key conditions from filters ------------------------------ */

static void
collect_terms(struct node *n, struct node ***terms, int *count)
{
    if (n->kind == N_AND) {
        collect_terms(n->l, terms, count);
        collect_terms(n->r, terms, count);
        return;
    }
    struct node **grown = realloc(*terms, (size_t)(*count + 1) * sizeof *grown);
    if (grown) {
        *terms = grown;
        grown[(*count)++] = n;
    }
}

static bool
is_key_path(const struct operand *op, const char *key)
{
    return key && !op->size && strcmp(op->text, key) == 0 &&
           (op->literal || !strpbrk(op->text, ".["));
}

/* 1: partition key condition, 2: sort key condition, 0: neither. */
static int
key_role(const struct node *n, const struct where_keys *keys)
{
    if (n->kind != N_CMP && n->kind != N_BETWEEN && n->kind != N_FUNC)
        return 0;
    const struct operand *path = &n->ops[0];
    if (n->kind == N_CMP && !strcmp(n->op, "=") && is_key_path(path, keys->hash))
        return 1;
    if (!is_key_path(path, keys->range))
        return 0;
    if (n->kind == N_FUNC)
        return !strcmp(n->func, "begins_with") && n->n_ops == 2 ? 2 : 0;
    return n->kind == N_BETWEEN || strcmp(n->op, "<>") != 0 ? 2 : 0;
}

static char *
emit_terms(struct emit *e, struct node **terms, int n)
{
    if (!n)
        return NULL;
    char *text = NULL;
    size_t len = 0;
    e->f = open_memstream(&text, &len);
    if (!e->f)
        return NULL;
    for (int i = 0; i < n; i++) {
        if (i)
            fputs(" AND ", e->f);
        emit_child(e, terms[i], n > 1 && terms[i]->kind == N_OR);
    }
    fclose(e->f);
    return text;
}

/* Each NAME=VALUE as a comparison node, "and"-ed in order before @p root. */
static struct node *
add_equalities(struct node *root, char **eqs, int n_eqs, char **err)
{
    struct node *all = NULL;
    for (int i = 0; i < n_eqs; i++) {
        const char *eq = strchr(eqs[i], '=');
        struct node *n = eq && eq != eqs[i] ? new_node(N_CMP) : NULL;
        struct node *both = all ? new_node(N_AND) : NULL;
        if (!n || (all && !both)) {
            if (!eq || eq == eqs[i])
                if (asprintf(err, "expected NAME=VALUE, got '%s'", eqs[i]) < 0)
                    *err = NULL;
            free_node(n);
            free(both);
            free_node(all);
            free_node(root);
            return NULL;
        }
        const char *v = eq + 1;
        char *end;
        (void)strtod(v, &end);
        bool number = *v && !*end && !isspace((unsigned char)*v);
        strcpy(n->op, "=");
        add_op(n, (struct operand){.path = true,
                                   .literal = true,
                                   .text = strndup(eqs[i], (size_t)(eq - eqs[i]))});
        add_op(n, (struct operand){.kind = number ? 'N' : 'W', .text = strdup(v)});
        if (both) {
            both->l = all;
            both->r = n;
            n = both;
        }
        all = n;
    }
    if (all && root) {
        struct node *both = new_node(N_AND);
        if (!both) {
            free_node(all);
            free_node(root);
            return NULL;
        }
        both->l = all;
        both->r = root;
        return both;
    }
    return all ? all : root;
}

int
where_translate(const char *where, char **eqs, int n_eqs, const struct where_keys *keys, bool query,
                struct where_out *out, char **err)
{
    memset(out, 0, sizeof *out);
    *err = NULL;
    struct node *root = NULL;
    if (where) {
        struct parser p = {where, 0, T_EOF, 0, 0, NULL, 0};
        lex(&p);
        root = parse_expr(&p);
        if (root && p.tok != T_EOF)
            fail(&p, "'and', 'or' or the end");
        if (p.err) {
            free_node(root);
            *err = p.err;
            return -1;
        }
    }
    root = add_equalities(root, eqs, n_eqs, err);
    if (*err)
        return -1;
    if (!root)
        return 0;
    struct node **terms = NULL, *key_terms[2] = {NULL, NULL};
    int n = 0, rest = 0;
    collect_terms(root, &terms, &n);
    for (int i = 0; i < n; i++) {
        int role = query ? key_role(terms[i], keys) : 0;
        if (role && !key_terms[role - 1])
            key_terms[role - 1] = terms[i];
        else
            terms[rest++] = terms[i];
    }
    struct emit e = {keys, json_object(), json_object(), json_object(), NULL};
    struct node *keys_in_order[2];
    int n_keys = 0;
    for (int k = 0; k < 2; k++)
        if (key_terms[k])
            keys_in_order[n_keys++] = key_terms[k];
    out->key_condition = emit_terms(&e, keys_in_order, n_keys);
    out->filter = emit_terms(&e, terms, rest);
    out->names = json_object_size(e.names) ? json_incref(e.names) : NULL;
    out->values = json_object_size(e.values) ? json_incref(e.values) : NULL;
    json_decref(e.names);
    json_decref(e.name_ids);
    json_decref(e.values);
    free(terms);
    free_node(root);
    return 0;
}

void
where_out_free(struct where_out *out)
{
    free(out->key_condition);
    free(out->filter);
    json_decref(out->names);
    json_decref(out->values);
    memset(out, 0, sizeof *out);
}
