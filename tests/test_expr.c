/*
 * test_expr.c -- the expression module: table-driven cases from
 * tests/cases/expr_*.json, then hand-written tests of limits, hostile
 * input, allocation failure and the reserved-word table.
 *
 * Each case runs the whole pipeline an operation runs: expr_check_params,
 * expr_ctx_new, the parse of its expression(s), expr_check_unused, then
 * evaluation, update, projection or key binding.  A case names the exact
 * exception and message it expects, or the exact result.  Fields:
 *
 *   id          case ID, e.g. "upd03-2.1"
 *   kind        condition | filter | key_condition | update | projection
 *               | request (several expressions, "exprs" and "accepted")
 *   expr        the expression text (all kinds but request)
 *   names       ExpressionAttributeNames; values: ExpressionAttributeValues
 *   item        the item (absent or null: no item); key: an update's key
 *   schema      {"hash": [name, type], "range": [name, type]}
 *   result      condition: true/false; update and projection: the item;
 *               key_condition: {"hash", "op", "lo", "hi"}
 *   checks      condition: [{"item": ..., "result": ...}, ...]
 *   matches     key_condition: [{"sk": ..., "result": ...}, ...]
 *   updated_old, updated_new   ReturnValues projections of an update
 *   creates     expr_update_creates; names_out: expr_*_names
 *   error       the message expected; exception: its name
 *               (ValidationException unless given)
 *
 * Run with the directory of the case files as the first argument.
 */
#include "fixture.h"
#include "arena.h"
#include "ddbjson.h"
#include "err.h"
#include "expr/ast.h"
#include "expr/expr.h"
#include "mem.h"
#include "value.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 80

/* --- case plumbing ---------------------------------------------------------------- */

struct run {
    json_t *c;
    struct arena *a;
    struct kv_err err;
    struct kv_value names, values, item, key;
    bool has_names, has_values, has_item, has_key;
    struct expr_key_schema schema;
    bool has_schema;
};

static const char *
case_id(const json_t *c)
{
    const char *id = json_string_value(json_object_get(c, "id"));
    return id ? id : "?";
}

static int
kind_from_name(const char *s)
{
    static const char *const names[] = {"update", "condition", "key_condition", "filter",
                                        "projection"};
    for (int k = 0; k < EXPR_KIND_COUNT; k++)
        if (s && strcmp(s, names[k]) == 0)
            return k;
    return -1;
}

static void
decode_or_fail(struct run *r, const char *field, struct kv_value *out, bool *has, bool names)
{
    json_t *j = json_object_get(r->c, field);
    *has = j && !json_is_null(j);
    if (!*has)
        return;
    int rc = names ? tj_names(r->a, j, out) : tj_item(r->a, j, out, MAX_DEPTH);
    if (rc)
        fail_msg("%s: cannot decode %s", case_id(r->c), field);
}

static void
decode_schema(struct run *r)
{
    json_t *s = json_object_get(r->c, "schema");
    r->has_schema = s != NULL;
    if (!s)
        return;
    const char *keys[2] = {"hash", "range"};
    for (int k = 0; k < 2; k++) {
        json_t *pair = json_object_get(s, keys[k]);
        struct expr_name *n = k ? &r->schema.range : &r->schema.hash;
        int *t = k ? &r->schema.range_type : &r->schema.hash_type;
        if (!pair)
            continue;
        const char *name = json_string_value(json_array_get(pair, 0));
        const char *type = json_string_value(json_array_get(pair, 1));
        n->name = name;
        n->len = (uint32_t)strlen(name);
        *t = type_from_name(type, strlen(type));
    }
}

/* The run ended with status st: compare with the expected error, if any.
 * Returns true when the case is finished (an error happened or was due). */
static bool
check_error(struct run *r, kv_status st)
{
    const char *want = json_string_value(json_object_get(r->c, "error"));
    const char *want_ex = json_string_value(json_object_get(r->c, "exception"));
    if (st == KV_OK)
        return false;
    if (!want)
        fail_msg("%s: unexpected %s: %s", case_id(r->c), kv_status_name(st), err_message(&r->err));
    if (strcmp(kv_status_name(st), want_ex ? want_ex : "ValidationException") != 0 ||
        strcmp(err_message(&r->err), want) != 0)
        fail_msg("%s:\n  expected %s: %s\n  got      %s: %s", case_id(r->c),
                 want_ex ? want_ex : "ValidationException", want, kv_status_name(st),
                 err_message(&r->err));
    return true;
}

static void
expect_no_error_due(struct run *r)
{
    const char *want = json_string_value(json_object_get(r->c, "error"));
    if (want)
        fail_msg("%s: expected error \"%s\", got success", case_id(r->c), want);
}

static void
want_value(struct run *r, const char *field, const struct kv_value *got)
{
    json_t *j = json_object_get(r->c, field);
    if (!j)
        return;
    struct kv_value want;
    if (tj_item(r->a, j, &want, MAX_DEPTH))
        fail_msg("%s: cannot decode %s", case_id(r->c), field);
    if (!tj_same(&want, got)) {
        char *w = tj_render(&want), *g = tj_render(got);
        fprintf(stderr, "%s: %s\n  expected %s\n  got      %s\n", case_id(r->c), field, w, g);
        free(w);
        free(g);
        fail();
    }
}

static void
expect_names(struct run *r, const struct expr_name *names, size_t n)
{
    json_t *want = json_object_get(r->c, "names_out");
    if (!want)
        return;
    assert_int_equal(json_array_size(want), n);
    for (size_t i = 0; i < n; i++) {
        const char *w = json_string_value(json_array_get(want, i));
        if (strlen(w) != names[i].len || memcmp(w, names[i].name, names[i].len) != 0)
            fail_msg("%s: name %zu is %.*s, expected %s", case_id(r->c), i, (int)names[i].len,
                     names[i].name, w);
    }
}

/* --- the kinds -------------------------------------------------------------------- */

static void
run_condition(struct run *r, struct expr_cond *c, int kind)
{
    size_t n;
    const struct expr_name *names = expr_cond_names(c, &n);
    expect_names(r, names, n);
    if (kind == EXPR_FILTER && r->has_schema) {
        kv_status st = expr_check_filter_keys(c, &r->schema, &r->err);
        if (check_error(r, st))
            return;
    }
    expect_no_error_due(r);
    json_t *checks = json_object_get(r->c, "checks");
    if (!checks) {
        json_t *want = json_object_get(r->c, "result");
        bool got = expr_eval(c, r->has_item ? &r->item : NULL);
        if (want && got != json_is_true(want))
            fail_msg("%s: condition is %s, expected %s", case_id(r->c), got ? "true" : "false",
                     json_is_true(want) ? "true" : "false");
        return;
    }
    size_t i;
    json_t *chk;
    json_array_foreach(checks, i, chk)
    {
        struct kv_value item;
        json_t *ij = json_object_get(chk, "item");
        bool has = ij && !json_is_null(ij);
        if (has && tj_item(r->a, ij, &item, MAX_DEPTH))
            fail_msg("%s: check %zu: cannot decode item", case_id(r->c), i);
        bool got = expr_eval(c, has ? &item : NULL);
        if (got != json_is_true(json_object_get(chk, "result")))
            fail_msg("%s: check %zu is %s", case_id(r->c), i, got ? "true" : "false");
    }
}

static const char *const key_ops[] = {"NONE", "EQ", "LT",      "LE",
                                      "GT",   "GE", "BETWEEN", "BEGINS_WITH"};

static void
expect_key_value(struct run *r, json_t *want, const struct kv_value *got, const char *what)
{
    struct kv_value w;
    if (!want) {
        if (got)
            fail_msg("%s: unexpected %s", case_id(r->c), what);
        return;
    }
    if (!got || tj_value(r->a, want, &w, MAX_DEPTH) || !tj_same(&w, got))
        fail_msg("%s: %s differs", case_id(r->c), what);
}

static void
run_key_condition(struct run *r, struct expr_cond *c)
{
    struct expr_key_range kr;
    if (check_error(r, expr_keycond_bind(c, &r->schema, &kr, &r->err)))
        return;
    expect_no_error_due(r);
    json_t *want = json_object_get(r->c, "result");
    if (!want)
        return;
    const char *op = json_string_value(json_object_get(want, "op"));
    if (strcmp(op ? op : "NONE", key_ops[kr.op]) != 0)
        fail_msg("%s: key op %s, expected %s", case_id(r->c), key_ops[kr.op], op);
    expect_key_value(r, json_object_get(want, "hash"), kr.hash, "hash");
    expect_key_value(r, json_object_get(want, "lo"), kr.lo, "lo");
    expect_key_value(r, json_object_get(want, "hi"), kr.hi, "hi");
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(r->c, "matches"), i, m)
    {
        struct kv_value sk;
        if (tj_value(r->a, json_object_get(m, "sk"), &sk, MAX_DEPTH))
            fail_msg("%s: match %zu: cannot decode sk", case_id(r->c), i);
        if (expr_key_range_match(&kr, &sk) != json_is_true(json_object_get(m, "result")))
            fail_msg("%s: match %zu is wrong", case_id(r->c), i);
    }
}

static void
run_update(struct run *r, struct expr_update *u)
{
    struct kv_value out, ret;
    size_t n;
    const struct expr_name *names = expr_update_names(u, &n);
    expect_names(r, names, n);
    json_t *creates = json_object_get(r->c, "creates");
    if (creates)
        assert_int_equal(expr_update_creates(u), json_is_true(creates));
    if (r->has_schema && check_error(r, expr_update_check_keys(u, &r->schema, &r->err)))
        return;
    struct kv_value before;
    if (r->has_item)
        assert_int_equal(value_copy(r->a, &before, &r->item), 0);
    kv_status st = expr_update_apply(u, r->has_item ? &r->item : NULL, r->has_key ? &r->key : NULL,
                                     r->a, &out, &r->err);
    if (r->has_item && !tj_same(&before, &r->item))
        fail_msg("%s: the old item was modified", case_id(r->c));
    if (check_error(r, st))
        return;
    expect_no_error_due(r);
    want_value(r, "result", &out);
    if (r->has_item) {
        assert_int_equal(expr_update_returned(u, &r->item, r->a, &ret, &r->err), KV_OK);
        want_value(r, "updated_old", &ret);
    }
    assert_int_equal(expr_update_returned(u, &out, r->a, &ret, &r->err), KV_OK);
    want_value(r, "updated_new", &ret);
}

static void
run_projection(struct run *r, struct expr_proj *p)
{
    struct kv_value out;
    size_t n;
    const struct expr_name *names = expr_proj_names(p, &n);
    expect_names(r, names, n);
    expect_no_error_due(r);
    if (!r->has_item)
        return;
    assert_int_equal(expr_project(p, &r->item, r->a, &out, &r->err), KV_OK);
    want_value(r, "result", &out);
}

/* A request with several expressions: only the parse outcome is checked,
 * and the results of those present. */
static void
run_request(struct run *r)
{
    struct expr_request req;
    enum expr_kind accepted[EXPR_KIND_COUNT];
    memset(&req, 0, sizeof req);
    json_t *exprs = json_object_get(r->c, "exprs"), *acc = json_object_get(r->c, "accepted");
    const char *k;
    json_t *v;
    json_object_foreach(exprs, k, v)
    {
        int kind = kind_from_name(k);
        assert_true(kind >= 0);
        req.text[kind] = json_string_value(v);
        req.len[kind] = json_string_length(v);
    }
    size_t i;
    json_array_foreach(acc, i, v) accepted[i] =
        (enum expr_kind)kind_from_name(json_string_value(v));
    req.accepted = accepted;
    req.n_accepted = json_array_size(acc);
    req.names = r->has_names ? &r->names : NULL;
    req.values = r->has_values ? &r->values : NULL;
    if (check_error(r, expr_request_parse(r->a, &req, &r->err)))
        return;
    expect_no_error_due(r);
    if (req.condition && json_object_get(r->c, "result"))
        assert_int_equal(expr_eval(req.condition, r->has_item ? &r->item : NULL),
                         json_is_true(json_object_get(r->c, "result")));
}

static kv_status
parse_single(struct run *r, int kind, void **parsed)
{
    const char *text = json_string_value(json_object_get(r->c, "expr"));
    size_t len = json_string_length(json_object_get(r->c, "expr"));
    enum expr_kind acc = (enum expr_kind)kind;
    const struct kv_value *names = r->has_names ? &r->names : NULL;
    const struct kv_value *values = r->has_values ? &r->values : NULL;
    kv_status st = expr_check_params(names, values, text ? EXPR_BIT(kind) : 0, &acc, 1, &r->err);
    if (st != KV_OK)
        return st;
    struct expr_ctx *ctx = expr_ctx_new(r->a, names, values, &r->err);
    assert_non_null(ctx);
    if (kind == EXPR_UPDATE)
        st = expr_parse_update(ctx, text, len, (struct expr_update **)parsed, &r->err);
    else if (kind == EXPR_PROJECTION)
        st = expr_parse_proj(ctx, text, len, (struct expr_proj **)parsed, &r->err);
    else
        st = expr_parse_cond(ctx, (enum expr_kind)kind, text, len, (struct expr_cond **)parsed,
                             &r->err);
    return st == KV_OK ? expr_check_unused(ctx, &r->err) : st;
}

static void
run_case(void **state)
{
    struct run r = {.c = *state, .a = arena_new()};
    err_init(&r.err);
    assert_non_null(r.a);
    decode_or_fail(&r, "names", &r.names, &r.has_names, true);
    decode_or_fail(&r, "values", &r.values, &r.has_values, false);
    decode_or_fail(&r, "item", &r.item, &r.has_item, false);
    decode_or_fail(&r, "key", &r.key, &r.has_key, false);
    decode_schema(&r);
    const char *kind_s = json_string_value(json_object_get(r.c, "kind"));
    int kind = kind_from_name(kind_s);
    void *parsed = NULL;
    if (kind_s && strcmp(kind_s, "request") == 0) {
        run_request(&r);
    } else if (kind < 0) {
        fail_msg("%s: unknown kind", case_id(r.c));
    } else if (!check_error(&r, parse_single(&r, kind, &parsed))) {
        if (kind == EXPR_UPDATE)
            run_update(&r, parsed);
        else if (kind == EXPR_PROJECTION)
            run_projection(&r, parsed);
        else if (kind == EXPR_KEY_CONDITION)
            run_key_condition(&r, parsed);
        else
            run_condition(&r, parsed, kind);
    }
    err_clear(&r.err);
    arena_free(r.a);
}

/* --- loading the case files ------------------------------------------------------ */

struct suite {
    struct CMUnitTest *tests;
    size_t n, cap;
    json_t *files[64];
    size_t n_files;
};

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
load_file(struct suite *s, const char *path)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc || !json_is_array(doc) || s->n_files == 64) {
        fprintf(stderr, "%s:%d: %s\n", path, jerr.line, jerr.text);
        exit(1);
    }
    s->files[s->n_files++] = doc;
    size_t i;
    json_t *c;
    json_array_foreach(doc, i, c)
    {
        if (s->n == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 256;
            s->tests = realloc(s->tests, s->cap * sizeof *s->tests);
        }
        s->tests[s->n++] = (struct CMUnitTest){case_id(c), run_case, NULL, NULL, c};
    }
}

static void
load_cases(struct suite *s, const char *dir)
{
    DIR *d = opendir(dir);
    char *names[64];
    size_t n = 0;
    struct dirent *e;
    if (!d) {
        perror(dir);
        exit(1);
    }
    while ((e = readdir(d)) && n < 64)
        if (strncmp(e->d_name, "expr_", 5) == 0 && strstr(e->d_name, ".json"))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        load_file(s, path);
        free(names[i]);
    }
}

/* --- limits and hostile input ------------------------------------------------------ */

/* Parse text of one kind with the given maps; the status, message in err. */
static kv_status
parse_text(struct arena *a, int kind, const char *text, size_t len, const struct kv_value *names,
           const struct kv_value *values, struct kv_err *err)
{
    enum expr_kind acc = (enum expr_kind)kind;
    kv_status st = expr_check_params(names, values, EXPR_BIT(kind), &acc, 1, err);
    struct expr_ctx *ctx = st == KV_OK ? expr_ctx_new(a, names, values, err) : NULL;
    void *out;
    if (!ctx)
        return st != KV_OK ? st : err->status;
    if (kind == EXPR_UPDATE)
        st = expr_parse_update(ctx, text, len, (struct expr_update **)&out, err);
    else if (kind == EXPR_PROJECTION)
        st = expr_parse_proj(ctx, text, len, (struct expr_proj **)&out, err);
    else
        st = expr_parse_cond(ctx, (enum expr_kind)kind, text, len, (struct expr_cond **)&out, err);
    return st == KV_OK ? expr_check_unused(ctx, err) : st;
}

static void
expect_parse(int kind, const char *text, const struct kv_value *names,
             const struct kv_value *values, kv_status want, const char *msg)
{
    struct arena *a = arena_new();
    struct kv_err err;
    err_init(&err);
    kv_status st = parse_text(a, kind, text, strlen(text), names, values, &err);
    if (st != want || (msg && strcmp(err_message(&err), msg) != 0))
        fail_msg("%.60s...: got %s: %s", text, kv_status_name(st), err_message(&err));
    err_clear(&err);
    arena_free(a);
}

static struct kv_value
one_value(struct arena *a, const char *name, const char *json)
{
    struct kv_value m, *slot;
    json_t *j = json_loads(json, 0, NULL);
    value_init(&m, KV_M);
    slot = value_map_append(a, &m, name, strlen(name), true);
    assert_int_equal(tj_value(a, j, slot, MAX_DEPTH), 0);
    json_decref(j);
    return m;
}

/* Build text by repeating a piece n times between a head and a tail. */
static char *
repeat(const char *head, const char *piece, size_t n, const char *tail)
{
    size_t lh = strlen(head), lp = strlen(piece), lt = strlen(tail);
    char *s = malloc(lh + lp * n + lt + 1), *p = s;
    assert_non_null(s);
    memcpy(p, head, lh);
    p += lh;
    for (size_t i = 0; i < n; i++, p += lp)
        memcpy(p, piece, lp);
    memcpy(p, tail, lt + 1);
    return s;
}

static void
lim01_reserved_table(void **state)
{
    (void)state;
    assert_int_equal(expr_reserved_count(), 573);
    for (size_t i = 1; i < expr_reserved_count(); i++)
        assert_true(strcmp(expr_reserved_word(i - 1), expr_reserved_word(i)) < 0);
    for (size_t i = 0; i < expr_reserved_count(); i++) {
        const char *w = expr_reserved_word(i);
        char lower[32];
        size_t n = strlen(w);
        for (size_t k = 0; k <= n; k++)
            lower[k] = (char)(w[k] >= 'A' && w[k] <= 'Z' ? w[k] + 32 : w[k]);
        assert_true(expr_reserved(w, n));
        assert_true(expr_reserved(lower, n));
    }
    assert_false(expr_reserved("statu", 5));
    assert_false(expr_reserved("statuses", 8));
    assert_false(expr_reserved("", 0));
    assert_false(expr_reserved("localtimestampx", 15));
}

/* lim02: nesting beyond EXPR_MAX_NESTING is refused, not recursed into. */
static void
lim02_deep_nesting(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value v = one_value(a, ":v", "{\"N\": \"1\"}");
    char *parens = repeat("", "(", 2000, "a = :v");
    char *closed = repeat(parens, ")", 2000, "");
    expect_parse(EXPR_CONDITION, closed, NULL, &v, KV_VALIDATION,
                 "Invalid ConditionExpression: The expression has too many nested levels; "
                 "nesting levels: 101");
    char *nots = repeat("", "NOT ", 1000, "a = :v");
    expect_parse(EXPR_FILTER, nots, NULL, &v, KV_VALIDATION,
                 "Invalid FilterExpression: The expression has too many nested levels; "
                 "nesting levels: 101");
    char *sizes = repeat("", "size(", 600, "a");
    char *sizes_closed = repeat(sizes, ")", 600, " = :v");
    expect_parse(EXPR_CONDITION, sizes_closed, NULL, &v, KV_VALIDATION,
                 "Invalid ConditionExpression: The expression has too many nested levels; "
                 "nesting levels: 101");
    char *ine = repeat("SET a = ", "if_not_exists(b, ", 200, ":v");
    char *ine_closed = repeat(ine, ")", 200, "");
    expect_parse(EXPR_UPDATE, ine_closed, NULL, &v, KV_VALIDATION,
                 "Invalid UpdateExpression: The expression has too many nested levels; "
                 "nesting levels: 101");
    /* 100 levels are fine: a real expression, just deep. */
    char *ok_open = repeat("", "(a = :v AND ", 99, "a = :v");
    char *ok = repeat(ok_open, ")", 99, "");
    expect_parse(EXPR_CONDITION, ok, NULL, &v, KV_OK, NULL);
    free(parens), free(closed), free(nots), free(sizes), free(sizes_closed);
    free(ine), free(ine_closed), free(ok_open), free(ok);
    arena_free(a);
}

/* lim03: 4096 bytes of text are accepted, 4097 are not; nothing long
 * is parsed at all. */
static void
lim03_expression_size(void **state)
{
    (void)state;
    char *text = malloc(1 << 20);
    memset(text, ' ', 4096);
    memcpy(text, "attribute_exists(a)", 19);
    text[4096] = '\0';
    expect_parse(EXPR_CONDITION, text, NULL, NULL, KV_OK, NULL);
    text[4096] = ' ';
    text[4097] = '\0';
    expect_parse(EXPR_CONDITION, text, NULL, NULL, KV_VALIDATION,
                 "Invalid ConditionExpression: Expression size has exceeded the maximum "
                 "allowed size; expression size: 4097");
    memset(text, '(', (1 << 20) - 1);
    text[(1 << 20) - 1] = '\0';
    expect_parse(EXPR_UPDATE, text, NULL, NULL, KV_VALIDATION,
                 "Invalid UpdateExpression: Expression size has exceeded the maximum allowed "
                 "size; expression size: 1048575");
    free(text);
}

/* lim04: 300 operators pass, the 301st is reported as DynamoDB does. */
static void
lim04_operator_count(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value v = one_value(a, ":v", "{\"N\": \"1\"}");
    /* 150 comparisons and 149 ANDs, plus one NOT: 300. */
    char *ok = repeat("NOT a = :v", " AND a = :v", 149, "");
    expect_parse(EXPR_CONDITION, ok, NULL, &v, KV_OK, NULL);
    char *over = repeat("a = :v", " AND a = :v", 150, "");
    expect_parse(EXPR_CONDITION, over, NULL, &v, KV_VALIDATION,
                 "Invalid ConditionExpression: The expression contains too many operators; "
                 "operator count: 301");
    char *upd = repeat("SET a=:v", ", a=if_not_exists(b,:v)+:v", 151, "");
    expect_parse(EXPR_UPDATE, upd, NULL, &v, KV_VALIDATION,
                 "Invalid UpdateExpression: The expression contains too many operators; "
                 "operator count: 301");
    free(ok), free(over), free(upd);
    arena_free(a);
}

/* lim05: IN takes 100 operands, not 101. */
static void
lim05_in_operands(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value v = one_value(a, ":v", "{\"N\": \"1\"}");
    char *ok = repeat("a IN (:v", ", :v", 99, ")");
    expect_parse(EXPR_FILTER, ok, NULL, &v, KV_OK, NULL);
    char *over = repeat("a IN (:v", ", :v", 100, ")");
    expect_parse(EXPR_FILTER, over, NULL, &v, KV_VALIDATION,
                 "Invalid FilterExpression: The IN operator is provided with too many "
                 "operands; number of operands: 101");
    free(ok), free(over);
    arena_free(a);
}

/* lim06: a document path of 32 elements is fine, 33 is refused. */
static void
lim06_path_depth(void **state)
{
    (void)state;
    char *ok = repeat("a", ".b", 31, "");
    expect_parse(EXPR_PROJECTION, ok, NULL, NULL, KV_OK, NULL);
    char *over = repeat("a", "[0]", 32, "");
    expect_parse(EXPR_PROJECTION, over, NULL, NULL, KV_VALIDATION,
                 "Invalid ProjectionExpression: The document path has too many nesting "
                 "levels; nesting levels: 33");
    free(ok), free(over);
}

/* lim07: a million placeholders cost one sort, and the request fails
 * with the unused ones listed. */
static void
lim07_many_placeholders(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value names, values;
    value_init(&names, KV_M);
    value_init(&values, KV_M);
    for (int i = 0; i < 1000000; i++) {
        char k[16];
        int n = snprintf(k, sizeof k, "#n%d", i);
        struct kv_value *slot = value_map_append(a, &names, k, (size_t)n, true);
        value_set_bytes(a, slot, KV_S, k + 1, (size_t)n - 1);
    }
    for (int i = 0; i < 100000; i++) {
        char k[16];
        int n = snprintf(k, sizeof k, ":v%d", i);
        struct kv_value *slot = value_map_append(a, &values, k, (size_t)n, true);
        value_set_bytes(a, slot, KV_S, "x", 1);
    }
    struct kv_err err;
    err_init(&err);
    kv_status st = parse_text(a, EXPR_CONDITION, "#n999999 = :v99999", 18, &names, &values, &err);
    assert_int_equal(st, KV_VALIDATION);
    const char *prefix = "Value provided in ExpressionAttributeNames unused in expressions: "
                         "keys: {#n0, #n1, ";
    assert_true(strncmp(err_message(&err), prefix, strlen(prefix)) == 0);
    err_clear(&err);
    arena_free(a);
}

/* lim08: 4 KB of operators, brackets and garbage never crash. */
static void
lim08_hostile_text(void **state)
{
    (void)state;
    static const char *pieces[] = {"(", ")",     "[",        "]",  "AND ", "OR",       "NOT ",
                                   ",", ".",     "=",        "<>", ":v",   "#n",       "a",
                                   "1", "size(", "SET ",     "+",  "-",    "BETWEEN ", "IN ",
                                   " ", "\xff",  "\xc3\xa9", "_",  "#",    ":"};
    struct arena *a = arena_new();
    struct kv_value v = one_value(a, ":v", "{\"L\": [{\"N\": \"1\"}]}");
    struct kv_value n;
    value_init(&n, KV_M);
    value_set_bytes(a, value_map_append(a, &n, "#n", 2, true), KV_S, "n", 1);
    unsigned seed = 12345;
    char text[4200];
    for (int round = 0; round < 20000; round++) {
        size_t len = 0;
        size_t want = (size_t)(seed % 4000);
        while (len < want) {
            seed = seed * 1103515245u + 12345u;
            const char *p = pieces[(seed >> 16) % (sizeof pieces / sizeof pieces[0])];
            memcpy(text + len, p, strlen(p));
            len += strlen(p);
        }
        text[len] = '\0';
        for (int kind = 0; kind < EXPR_KIND_COUNT; kind++) {
            struct arena *t = arena_new();
            struct kv_err err;
            err_init(&err);
            parse_text(t, kind, text, len, &n, &v, &err);
            err_clear(&err);
            arena_free(t);
        }
    }
    arena_free(a);
}

/* lim09: every allocation failing in turn ends in KV_NOMEM or success,
 * never a crash or a leak (the sanitizer build checks leaks). */
static void
lim09_allocation_failure(void **state)
{
    (void)state;
    const char *text = "SET a.b[1] = list_append(if_not_exists(c, :l), :l), #n = :v + :v "
                       "REMOVE d[0] ADD s :s";
    for (long n = 1;; n++) {
        struct arena *a = arena_new();
        if (!a)
            continue;
        struct kv_value names, values, item, out;
        value_init(&names, KV_M);
        value_init(&values, KV_M);
        value_set_bytes(a, value_map_append(a, &names, "#n", 2, true), KV_S, "n", 1);
        json_t *vj = json_loads("{\":l\": {\"L\": [{\"S\": \"x\"}]}, \":v\": {\"N\": \"2\"}, "
                                "\":s\": {\"SS\": [\"q\"]}}",
                                0, NULL);
        json_t *ij = json_loads("{\"a\": {\"M\": {\"b\": {\"L\": [{\"N\": \"0\"}]}}}, "
                                "\"d\": {\"L\": [{\"S\": \"y\"}, {\"S\": \"z\"}]}}",
                                0, NULL);
        assert_int_equal(tj_item(a, vj, &values, MAX_DEPTH), 0);
        assert_int_equal(tj_item(a, ij, &item, MAX_DEPTH), 0);
        json_decref(vj);
        json_decref(ij);
        struct kv_err err;
        err_init(&err);
        mem_fail_after(n);
        struct expr_ctx *ctx = expr_ctx_new(a, &names, &values, &err);
        struct expr_update *u = NULL;
        kv_status st = ctx ? expr_parse_update(ctx, text, strlen(text), &u, &err) : KV_NOMEM;
        if (st == KV_OK)
            st = expr_update_apply(u, &item, NULL, a, &out, &err);
        long failures = mem_fail_count();
        mem_fail_reset();
        assert_true(st == KV_OK || st == KV_NOMEM);
        err_clear(&err);
        arena_free(a);
        if (st == KV_OK && failures == 0)
            break;
    }
}

static int
run_limit_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lim01_reserved_table),     cmocka_unit_test(lim02_deep_nesting),
        cmocka_unit_test(lim03_expression_size),    cmocka_unit_test(lim04_operator_count),
        cmocka_unit_test(lim05_in_operands),        cmocka_unit_test(lim06_path_depth),
        cmocka_unit_test(lim07_many_placeholders),  cmocka_unit_test(lim08_hostile_text),
        cmocka_unit_test(lim09_allocation_failure),
    };
    return cmocka_run_group_tests_name("expr_limits", tests, NULL, NULL);
}

int
main(int argc, char **argv)
{
    struct suite s = {0};
    if (argc < 2) {
        fprintf(stderr, "usage: %s CASES_DIR\n", argv[0]);
        return 2;
    }
    load_cases(&s, argv[1]);
    fprintf(stderr, "%zu expression cases\n", s.n);
    int failed = _cmocka_run_group_tests("expr_cases", s.tests, s.n, NULL, NULL);
    failed += run_limit_tests();
    for (size_t i = 0; i < s.n_files; i++)
        json_decref(s.files[i]);
    free(s.tests);
    return failed ? 1 : 0;
}
