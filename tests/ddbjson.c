/*
 * ddbjson.c -- see ddbjson.h.
 */
#include "ddbjson.h"
#include "arena.h"
#include "b64.h"
#include "value.h"

#include <stdlib.h>
#include <string.h>

static int
scalar(struct arena *a, int type, const json_t *j, struct kv_value *out)
{
    if (!json_is_string(j))
        return -1;
    const char *s = json_string_value(j);
    size_t n = json_string_length(j);
    if (type != KV_B)
        return value_set_bytes(a, out, type, s, n);
    unsigned char *buf = arena_alloc(a, n / 4 * 3 + 3);
    const char *why;
    char bad;
    long len = buf ? b64_decode(s, n, buf, &why, &bad) : -1;
    return len < 0 ? -1 : value_set_bytes(a, out, KV_B, buf, (size_t)len);
}

static int
list(struct arena *a, int type, const json_t *j, struct kv_value *out, int depth)
{
    if (!json_is_array(j))
        return -1;
    value_init(out, type);
    size_t i;
    const json_t *e;
    json_array_foreach(j, i, e)
    {
        struct kv_value *slot = value_push(a, out);
        if (!slot)
            return -1;
        int rc = type == KV_L ? tj_value(a, e, slot, depth - 1)
                              : scalar(a, type_set_elem(type), e, slot);
        if (rc)
            return -1;
    }
    return 0;
}

int
tj_value(struct arena *a, const json_t *j, struct kv_value *out, int max_depth)
{
    if (!json_is_object(j) || json_object_size(j) != 1 || max_depth < 0)
        return -1;
    const char *key = json_object_iter_key(json_object_iter((json_t *)j));
    const json_t *v = json_object_get(j, key);
    int type = type_from_name(key, strlen(key));
    switch (type) {
    case KV_S:
    case KV_N:
    case KV_B:
        return scalar(a, type, v, out);
    case KV_BOOL:
        if (!json_is_boolean(v))
            return -1;
        value_set_bool(out, json_is_true(v));
        return 0;
    case KV_NULL:
        value_init(out, KV_NULL);
        out->boolean = json_is_true(v);
        return 0;
    case KV_M:
        return tj_item(a, v, out, max_depth - 1);
    case KV_L:
    case KV_SS:
    case KV_NS:
    case KV_BS:
        return list(a, type, v, out, max_depth);
    default:
        return -1;
    }
}

int
tj_item(struct arena *a, const json_t *obj, struct kv_value *out, int max_depth)
{
    if (!json_is_object(obj) || max_depth < 0)
        return -1;
    value_init(out, KV_M);
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        struct kv_value *slot = value_map_append(a, out, k, strlen(k), true);
        if (!slot || tj_value(a, v, slot, max_depth))
            return -1;
    }
    return 0;
}

int
tj_names(struct arena *a, const json_t *obj, struct kv_value *out)
{
    if (!json_is_object(obj))
        return -1;
    value_init(out, KV_M);
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        struct kv_value *slot = value_map_append(a, out, k, strlen(k), true);
        if (!slot || !json_is_string(v) ||
            value_set_bytes(a, slot, KV_S, json_string_value(v), json_string_length(v)))
            return -1;
    }
    return 0;
}

static bool
set_has_same(const struct kv_value *set, const struct kv_value *v)
{
    for (uint32_t i = 0; i < set->len; i++)
        if (tj_same(&set->u.elems[i], v))
            return true;
    return false;
}

bool
tj_same(const struct kv_value *a, const struct kv_value *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case KV_S:
    case KV_N:
    case KV_B:
        return a->len == b->len && memcmp(a->u.bytes, b->u.bytes, a->len) == 0;
    case KV_BOOL:
        return a->boolean == b->boolean;
    case KV_NULL:
        return true;
    case KV_L:
        if (a->len != b->len)
            return false;
        for (uint32_t i = 0; i < a->len; i++)
            if (!tj_same(&a->u.elems[i], &b->u.elems[i]))
                return false;
        return true;
    case KV_M:
        if (a->len != b->len)
            return false;
        for (uint32_t i = 0; i < a->len; i++) {
            const struct kv_member *m = &a->u.members[i];
            const struct kv_value *o = value_map_get(b, m->name, m->name_len);
            if (!o || !tj_same(&m->value, o))
                return false;
        }
        return true;
    default:
        if (a->len != b->len)
            return false;
        for (uint32_t i = 0; i < a->len; i++)
            if (!set_has_same(b, &a->u.elems[i]))
                return false;
        return true;
    }
}

static json_t *
render_json(const struct kv_value *v)
{
    json_t *inner;
    switch (v->type) {
    case KV_BOOL:
        inner = json_boolean(v->boolean);
        break;
    case KV_NULL:
        inner = json_true();
        break;
    case KV_M:
        inner = json_object();
        for (uint32_t i = 0; i < v->len; i++)
            json_object_set_new(inner, v->u.members[i].name, render_json(&v->u.members[i].value));
        break;
    case KV_L:
    case KV_SS:
    case KV_NS:
    case KV_BS:
        inner = json_array();
        for (uint32_t i = 0; i < v->len; i++) {
            json_t *e = render_json(&v->u.elems[i]);
            json_array_append(
                inner, v->type == KV_L ? e : json_object_get(e, type_name(v->u.elems[i].type)));
            json_decref(e);
        }
        break;
    default:
        if (v->type == KV_B) {
            char *b = malloc(b64_encoded_len(v->len) + 1);
            b64_encode(v->u.bytes, v->len, b);
            inner = json_string(b);
            free(b);
        } else {
            inner = json_stringn(v->u.bytes ? v->u.bytes : "", v->len);
        }
    }
    json_t *o = json_object();
    json_object_set_new(o, v->type ? type_name(v->type) : "?", inner);
    return o;
}

char *
tj_render(const struct kv_value *v)
{
    json_t *j = render_json(v);
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return s;
}
