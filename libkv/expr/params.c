/*
 * params.c -- ExpressionAttributeNames and ExpressionAttributeValues.
 *
 * Before any expression is parsed DynamoDB checks the two maps on their
 * own: that they come with an expression that can use them, that they are
 * not empty, that every key is a well-formed placeholder, that every name
 * is non-empty and every value a valid AttributeValue.  After every
 * expression of the request is parsed, it refuses entries none of them
 * used.  In between, resolve.c looks placeholders up here.
 *
 * The maps may be large (a request may carry thousands of placeholders),
 * so each is indexed once by a sorted array: a lookup is a binary search,
 * and a map of a million entries costs one sort.  Usage marks are one byte
 * per entry, in the request's arena.
 */
#include "ast.h"
#include "arena.h"
#include "err.h"
#include "value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
is_word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* '#' or ':' followed by one or more of [A-Za-z0-9_], within the length
 * limit of a placeholder. */
static bool
placeholder_ok(const char *k, uint32_t len, char prefix)
{
    if (len < 2 || len > EXPR_MAX_PLACEHOLDER || k[0] != prefix)
        return false;
    for (uint32_t i = 1; i < len; i++)
        if (!is_word((unsigned char)k[i]))
            return false;
    return true;
}

static kv_status
check_keys(const struct kv_value *map, const char *param, char prefix, struct kv_err *err)
{
    if (map->type != KV_M)
        return ERR_MISUSE(err, "%s is not a map", param);
    if (map->len == 0)
        return err_set(err, KV_VALIDATION, "%s must not be empty", param);
    for (uint32_t i = 0; i < map->len; i++) {
        const struct kv_member *m = &map->u.members[i];
        if (!placeholder_ok(m->name, m->name_len, prefix))
            return err_set(err, KV_VALIDATION,
                           "%s contains invalid key: Syntax error; key: \"%.*s\"", param,
                           (int)m->name_len, m->name);
        if (prefix == '#' && m->value.type != KV_S)
            return ERR_MISUSE(err, "ExpressionAttributeNames maps to a non-string");
        if (prefix == '#' && m->value.len == 0)
            return err_set(err, KV_VALIDATION,
                           "ExpressionAttributeNames contains invalid value: Empty attribute name "
                           "for key %.*s",
                           (int)m->name_len, m->name);
    }
    return KV_OK;
}

static kv_status
check_values(const struct kv_value *values, struct kv_err *err)
{
    for (uint32_t i = 0; i < values->len; i++) {
        const struct kv_member *m = &values->u.members[i];
        struct kv_err e;
        err_init(&e);
        kv_status st = value_check(&m->value, 0, &e);
        if (st == KV_VALIDATION)
            st = err_set(err, st,
                         "ExpressionAttributeValues contains invalid value: %s for key %.*s",
                         err_message(&e), (int)m->name_len, m->name);
        else if (st != KV_OK)
            err_move(err, &e);
        err_clear(&e);
        if (st != KV_OK)
            return st;
    }
    return KV_OK;
}

/* "... can only be specified when using expressions: A and B are null",
 * naming the op's expressions that take values, in the op's order. */
static kv_status
values_without_expressions(const enum expr_kind *accepted, size_t n, struct kv_err *err)
{
    char list[160] = "";
    size_t used = 0, count = 0;
    for (size_t i = 0; i < n; i++) {
        if (accepted[i] == EXPR_PROJECTION)
            continue;
        int w = snprintf(list + used, sizeof list - used, "%s%s", count ? " and " : "",
                         expr_kind_name(accepted[i]));
        if (w > 0 && (size_t)w < sizeof list - used)
            used += (size_t)w;
        count++;
    }
    return err_set(err, KV_VALIDATION,
                   "ExpressionAttributeValues can only be specified when using expressions: "
                   "%s %s null",
                   list, count > 1 ? "are" : "is");
}

kv_status
expr_check_params(const struct kv_value *names, const struct kv_value *values, unsigned present,
                  const enum expr_kind *accepted, size_t n_accepted, struct kv_err *err)
{
    unsigned value_kinds = 0;
    for (size_t i = 0; i < n_accepted; i++)
        if (accepted[i] != EXPR_PROJECTION)
            value_kinds |= EXPR_BIT(accepted[i]);
    if (names && !present)
        return err_set(err, KV_VALIDATION,
                       "ExpressionAttributeNames can only be specified when using expressions");
    if (values && value_kinds && !(present & value_kinds))
        return values_without_expressions(accepted, n_accepted, err);
    kv_status st = KV_OK;
    if (names)
        st = check_keys(names, "ExpressionAttributeNames", '#', err);
    if (st == KV_OK && values)
        st = check_keys(values, "ExpressionAttributeValues", ':', err);
    if (st == KV_OK && values)
        st = check_values(values, err);
    return st;
}

static int
slot_cmp(const void *x, const void *y)
{
    const struct expr_slot *a = x, *b = y;
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->key, b->key, n);
    if (c)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

static struct expr_slot *
index_map(struct arena *a, const struct kv_value *map)
{
    struct expr_slot *idx = arena_alloc(a, (map->len ? map->len : 1) * sizeof *idx);
    if (!idx)
        return NULL;
    for (uint32_t i = 0; i < map->len; i++) {
        idx[i].key = map->u.members[i].name;
        idx[i].len = map->u.members[i].name_len;
        idx[i].member = i;
    }
    qsort(idx, map->len, sizeof *idx, slot_cmp);
    return idx;
}

struct expr_ctx *
expr_ctx_new(struct arena *a, const struct kv_value *names, const struct kv_value *values,
             struct kv_err *err)
{
    struct expr_ctx *c = arena_calloc(a, sizeof *c);
    if (!c)
        goto fail;
    c->arena = a;
    c->names = names && names->type == KV_M ? names : NULL;
    c->values = values && values->type == KV_M ? values : NULL;
    if (c->names && (!(c->name_idx = index_map(a, c->names)) ||
                     !(c->names_used = arena_calloc(a, c->names->len + 1))))
        goto fail;
    if (c->values && (!(c->value_idx = index_map(a, c->values)) ||
                      !(c->values_used = arena_calloc(a, c->values->len + 1))))
        goto fail;
    return c;
fail:
    err_nomem(err);
    return NULL;
}

/* The member index of key in an indexed map, or -1. */
long
expr_ctx_lookup(const struct kv_value *map, const struct expr_slot *idx, const char *key,
                uint32_t len)
{
    if (!map)
        return -1;
    size_t lo = 0, hi = map->len;
    struct expr_slot want = {key, len, 0};
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = slot_cmp(&want, &idx[mid]);
        if (c == 0)
            return idx[mid].member;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

static kv_status
report_unused(const struct kv_value *map, const uint8_t *used, const char *param, struct arena *a,
              struct kv_err *err)
{
    size_t n = 0;
    for (uint32_t i = 0; i < map->len; i++)
        if (!used[i])
            n += map->u.members[i].name_len + 2;
    if (n == 0)
        return KV_OK;
    char *list = arena_alloc(a, n + 1), *p = list;
    if (!list)
        return err_nomem(err);
    for (uint32_t i = 0; i < map->len; i++) {
        const struct kv_member *m = &map->u.members[i];
        if (used[i])
            continue;
        if (p != list) {
            *p++ = ',';
            *p++ = ' ';
        }
        memcpy(p, m->name, m->name_len);
        p += m->name_len;
    }
    *p = '\0';
    return err_set(err, KV_VALIDATION, "Value provided in %s unused in expressions: keys: {%s}",
                   param, list);
}

kv_status
expr_check_unused(const struct expr_ctx *c, struct kv_err *err)
{
    kv_status st = KV_OK;
    if (c->names)
        st = report_unused(c->names, c->names_used, "ExpressionAttributeNames", c->arena, err);
    if (st == KV_OK && c->values)
        st = report_unused(c->values, c->values_used, "ExpressionAttributeValues", c->arena, err);
    return st;
}
