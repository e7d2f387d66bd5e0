/*
 * fuzz_expr.c -- libFuzzer harness for the expression module.
 *
 * Input: one byte choosing the expression kind, then four fields split by
 * the byte 0x01: the expression text, ExpressionAttributeNames as JSON,
 * ExpressionAttributeValues as DynamoDB JSON, and an item as DynamoDB
 * JSON.  Missing or unreadable fields are absent maps or an absent item.
 * The harness runs what an operation runs -- the map checks, the parse,
 * the unused check -- and then everything a parsed expression can do:
 * evaluation against the item and against no item, key binding against
 * two schemas, updates of the item and of an absent item with the
 * ReturnValues projections, and projection.  It aborts if an update
 * changes the item it was given.
 *
 * Caps: inputs above 16 KB are ignored; JSON values deeper than 40 levels
 * are dropped (value_check would refuse most of them anyway).
 */
#include "arena.h"
#include "ddbjson.h"
#include "err.h"
#include "expr/expr.h"
#include "value.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT 16384
#define MAX_JSON_DEPTH 40

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fields {
    const char *p[4];
    size_t n[4];
};

static void
split(const uint8_t *data, size_t size, struct fields *f)
{
    size_t start = 0, k = 0;
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i <= size && k < 4; i++) {
        if (i == size || data[i] == 0x01) {
            f->p[k] = (const char *)data + start;
            f->n[k] = i - start;
            k++;
            start = i + 1;
        }
    }
}

/* A JSON field as a map, or NULL when it is absent or not readable. */
static const struct kv_value *
field_map(struct arena *a, const char *p, size_t n, bool names, struct kv_value *out)
{
    if (!p || n == 0)
        return NULL;
    json_t *j = json_loadb(p, n, JSON_DISABLE_EOF_CHECK, NULL);
    int rc = -1;
    if (j)
        rc = names ? tj_names(a, j, out) : tj_item(a, j, out, MAX_JSON_DEPTH);
    json_decref(j);
    return rc == 0 ? out : NULL;
}

static void
run_cond(struct arena *a, struct expr_cond *c, enum expr_kind kind, const struct kv_value *item)
{
    struct kv_err err;
    err_init(&err);
    (void)expr_eval(c, item);
    (void)expr_eval(c, NULL);
    struct expr_key_schema schemas[2] = {
        {{"pk", 2}, KV_S, {"sk", 2}, KV_N},
        {{"a", 1}, KV_B, {NULL, 0}, 0},
    };
    for (int i = 0; i < 2; i++) {
        struct expr_key_range r;
        if (kind == EXPR_KEY_CONDITION && expr_keycond_bind(c, &schemas[i], &r, &err) == KV_OK) {
            struct kv_value sk;
            value_set_bytes_ref(&sk, KV_N, "5", 1);
            (void)expr_key_range_match(&r, &sk);
        }
        if (kind == EXPR_FILTER)
            (void)expr_check_filter_keys(c, &schemas[i], &err);
        err_clear(&err);
    }
    (void)a;
}

static void
run_update(struct arena *a, struct expr_update *u, const struct kv_value *item)
{
    struct kv_err err;
    struct kv_value key, out, ret, before;
    err_init(&err);
    value_init(&key, KV_M);
    struct kv_value *pk = value_map_append(a, &key, "pk", 2, false);
    if (!pk)
        return;
    value_set_bytes_ref(pk, KV_S, "k", 1);
    struct expr_key_schema ks = {{"pk", 2}, KV_S, {NULL, 0}, 0};
    (void)expr_update_check_keys(u, &ks, &err);
    (void)expr_update_creates(u);
    err_clear(&err);
    if (item && value_copy(a, &before, item) == 0) {
        if (expr_update_apply(u, item, &key, a, &out, &err) == KV_OK) {
            (void)expr_update_returned(u, item, a, &ret, &err);
            (void)expr_update_returned(u, &out, a, &ret, &err);
            (void)item_size(&out);
        }
        if (!value_equal(&before, item))
            abort(); /* the old item must stay intact */
        err_clear(&err);
    }
    if (expr_update_apply(u, NULL, &key, a, &out, &err) == KV_OK)
        (void)expr_update_returned(u, &out, a, &ret, &err);
    err_clear(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > MAX_INPUT)
        return 0;
    enum expr_kind kind = (enum expr_kind)(data[0] % EXPR_KIND_COUNT);
    struct fields f;
    split(data + 1, size - 1, &f);
    struct arena *a = arena_new();
    if (!a)
        return 0;
    struct kv_value names_v, values_v, item_v;
    const struct kv_value *names = field_map(a, f.p[1], f.n[1], true, &names_v);
    const struct kv_value *values = field_map(a, f.p[2], f.n[2], false, &values_v);
    const struct kv_value *item = field_map(a, f.p[3], f.n[3], false, &item_v);
    struct kv_err err;
    err_init(&err);
    if (item && value_check(item, 0, &err) != KV_OK)
        item = NULL; /* stored items are always valid */
    err_clear(&err);

    struct expr_request req;
    memset(&req, 0, sizeof req);
    req.names = names;
    req.values = values;
    req.text[kind] = f.p[0] ? f.p[0] : "";
    req.len[kind] = f.n[0];
    req.accepted = &kind;
    req.n_accepted = 1;
    if (expr_request_parse(a, &req, &err) == KV_OK) {
        if (req.update)
            run_update(a, req.update, item);
        if (req.projection && item) {
            struct kv_value out;
            (void)expr_project(req.projection, item, a, &out, &err);
        }
        struct expr_cond *c = req.condition ? req.condition
                              : req.filter  ? req.filter
                                            : req.key_condition;
        if (c)
            run_cond(a, c, kind, item);
    }
    err_clear(&err);
    arena_free(a);
    return 0;
}
