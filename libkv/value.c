/*
 * value.c -- building, copying, comparing, sizing and checking values.
 *
 * Sizes follow DynamoDB's published formula (Item sizes and formats in the
 * Developer Guide): a string costs its UTF-8 bytes, a binary its raw bytes,
 * a number its packed size (number_size), BOOL and NULL one byte; a list or
 * map costs 3 bytes plus, per element, 1 byte (and for a map the member
 * name) plus the element's size; a set costs the sum of its elements.  An
 * item is the sum over its attributes of name length plus value size.
 */
#include "value.h"
#include "arena.h"
#include "b64.h"
#include "err.h"
#include "number.h"

#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {
    "", "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS",
};

const char *
type_name(int t)
{
    if (t < 1 || t > KV_BS)
        return "";
    return type_names[t];
}

int
type_from_name(const char *name, size_t n)
{
    for (int t = 1; t <= KV_BS; t++)
        if (strlen(type_names[t]) == n && memcmp(type_names[t], name, n) == 0)
            return t;
    return 0;
}

int
type_set_elem(int set_type)
{
    switch (set_type) {
    case KV_SS:
        return KV_S;
    case KV_NS:
        return KV_N;
    case KV_BS:
        return KV_B;
    default:
        return 0;
    }
}

void
value_init(struct kv_value *v, int type)
{
    memset(v, 0, sizeof *v);
    v->type = (uint8_t)type;
    if (type_is_scalar_bytes(type))
        v->u.bytes = "";
}

int
value_set_bytes(struct arena *a, struct kv_value *v, int t, const void *p, size_t n)
{
    if (n > UINT32_MAX)
        return -1;
    char *copy = arena_strndup(a, p, n);
    if (!copy)
        return -1;
    value_set_bytes_ref(v, t, copy, n);
    return 0;
}

void
value_set_bytes_ref(struct kv_value *v, int t, const char *p, size_t n)
{
    memset(v, 0, sizeof *v);
    v->type = (uint8_t)t;
    v->len = (uint32_t)n;
    v->u.bytes = p;
}

void
value_set_bool(struct kv_value *v, bool b)
{
    value_init(v, KV_BOOL);
    v->boolean = b;
}

static int
grow(struct arena *a, struct kv_value *c, size_t elem_size)
{
    if (c->len < c->cap)
        return 0;
    if (c->len == UINT32_MAX)
        return -1;
    void *p = c->type == KV_M ? (void *)c->u.members : (void *)c->u.elems;
    size_t cap = c->cap;
    if (arena_grow(a, &p, &cap, (size_t)c->len + 1, elem_size))
        return -1;
    if (cap > UINT32_MAX)
        cap = UINT32_MAX;
    c->cap = (uint32_t)cap;
    if (c->type == KV_M)
        c->u.members = p;
    else
        c->u.elems = p;
    return 0;
}

struct kv_value *
value_map_get(const struct kv_value *map, const char *name, size_t len)
{
    if (map->type != KV_M)
        return NULL;
    /* Key names are often as long as each other ("pk", "sk"): the first
     * byte settles most comparisons without a call to memcmp, and names of
     * up to two bytes need none. */
    for (uint32_t i = 0; i < map->len; i++) {
        struct kv_member *m = &map->u.members[i];
        if (m->name_len == len && (len == 0 || m->name[0] == name[0]) &&
            (len <= 2 ? len < 2 || m->name[1] == name[1] : memcmp(m->name, name, len) == 0))
            return &m->value;
    }
    return NULL;
}

struct kv_value *
value_map_append(struct arena *a, struct kv_value *map, const char *name, size_t len,
                 bool copy_name)
{
    if (map->type != KV_M || len > UINT32_MAX || grow(a, map, sizeof(struct kv_member)))
        return NULL;
    const char *n = name;
    if (copy_name && !(n = arena_strndup(a, name, len)))
        return NULL;
    struct kv_member *m = &map->u.members[map->len++];
    m->name = n;
    m->name_len = (uint32_t)len;
    memset(&m->value, 0, sizeof m->value);
    return &m->value;
}

struct kv_value *
value_map_put(struct arena *a, struct kv_value *map, const char *name, size_t len,
              bool copy_name)
{
    struct kv_value *v = value_map_get(map, name, len);
    if (v) {
        memset(v, 0, sizeof *v);
        return v;
    }
    return value_map_append(a, map, name, len, copy_name);
}

int
value_map_remove(struct kv_value *map, const char *name, size_t len)
{
    if (map->type != KV_M)
        return 0;
    for (uint32_t i = 0; i < map->len; i++) {
        struct kv_member *m = &map->u.members[i];
        if (m->name_len == len && memcmp(m->name, name, len) == 0) {
            memmove(m, m + 1, (map->len - i - 1) * sizeof *m);
            map->len--;
            return 1;
        }
    }
    return 0;
}

struct kv_value *
value_push(struct arena *a, struct kv_value *c)
{
    if (c->type != KV_L && !type_is_set(c->type))
        return NULL;
    if (grow(a, c, sizeof(struct kv_value)))
        return NULL;
    struct kv_value *v = &c->u.elems[c->len++];
    memset(v, 0, sizeof *v);
    return v;
}

void
value_remove_at(struct kv_value *c, size_t i)
{
    if (i >= c->len)
        return;
    memmove(&c->u.elems[i], &c->u.elems[i + 1], (c->len - i - 1) * sizeof(struct kv_value));
    c->len--;
}

/* Recursion is bounded by the depth of the source, which value_check and the
 * decoders limit to VALUE_MAX_DEPTH. */
int
value_copy(struct arena *a, struct kv_value *dst, const struct kv_value *src)
{
    *dst = *src;
    if (type_is_scalar_bytes(src->type))
        return value_set_bytes(a, dst, src->type, src->u.bytes, src->len);
    if (!type_is_container(src->type))
        return 0;
    dst->cap = src->len;
    if (src->len == 0) {
        dst->u.elems = NULL;
        return 0;
    }
    if (src->type == KV_M) {
        struct kv_member *m = arena_alloc(a, src->len * sizeof *m);
        if (!m)
            return -1;
        for (uint32_t i = 0; i < src->len; i++) {
            const struct kv_member *s = &src->u.members[i];
            m[i].name_len = s->name_len;
            if (!(m[i].name = arena_strndup(a, s->name, s->name_len)) ||
                value_copy(a, &m[i].value, &s->value))
                return -1;
        }
        dst->u.members = m;
    } else {
        struct kv_value *e = arena_alloc(a, src->len * sizeof *e);
        if (!e)
            return -1;
        for (uint32_t i = 0; i < src->len; i++)
            if (value_copy(a, &e[i], &src->u.elems[i]))
                return -1;
        dst->u.elems = e;
    }
    return 0;
}

static int
bytes_cmp(const struct kv_value *a, const struct kv_value *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->u.bytes, b->u.bytes, n) : 0;
    if (c)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

static int
number_value_cmp(const struct kv_value *a, const struct kv_value *b)
{
    struct decimal da, db;
    struct kv_err e;
    err_init(&e);
    int bad = number_parse(a->u.bytes, a->len, &da, &e) != KV_OK;
    bad |= number_parse(b->u.bytes, b->len, &db, &e) != KV_OK;
    err_clear(&e);
    if (bad)
        return bytes_cmp(a, b);
    return number_cmp(&da, &db);
}

int
value_compare(const struct kv_value *a, const struct kv_value *b)
{
    if (a->type == KV_N && b->type == KV_N)
        return number_value_cmp(a, b);
    return bytes_cmp(a, b);
}

static bool
set_contains(const struct kv_value *set, const struct kv_value *v)
{
    for (uint32_t i = 0; i < set->len; i++)
        if (value_equal(&set->u.elems[i], v))
            return true;
    return false;
}

bool
value_equal(const struct kv_value *a, const struct kv_value *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case KV_S:
    case KV_B:
        return a->len == b->len && memcmp(a->u.bytes, b->u.bytes, a->len) == 0;
    case KV_N:
        return number_value_cmp(a, b) == 0;
    case KV_BOOL:
        return a->boolean == b->boolean;
    case KV_NULL:
        return true;
    case KV_SS:
    case KV_NS:
    case KV_BS:
        /* Sets hold no duplicates, so equal sizes and inclusion suffice. */
        if (a->len != b->len)
            return false;
        for (uint32_t i = 0; i < a->len; i++)
            if (!set_contains(b, &a->u.elems[i]))
                return false;
        return true;
    case KV_L:
        if (a->len != b->len)
            return false;
        for (uint32_t i = 0; i < a->len; i++)
            if (!value_equal(&a->u.elems[i], &b->u.elems[i]))
                return false;
        return true;
    case KV_M:
        if (a->len != b->len)
            return false;
        for (uint32_t i = 0; i < a->len; i++) {
            const struct kv_member *m = &a->u.members[i];
            const struct kv_value *o = value_map_get(b, m->name, m->name_len);
            if (!o || !value_equal(&m->value, o))
                return false;
        }
        return true;
    default:
        return false;
    }
}

static size_t
number_text_size(const struct kv_value *v)
{
    struct decimal d;
    struct kv_err e;
    err_init(&e);
    kv_status st = number_parse(v->u.bytes, v->len, &d, &e);
    err_clear(&e);
    /* Unchecked text only reaches here through a bug; count its bytes. */
    return st == KV_OK ? number_size(&d) : v->len;
}

size_t
value_size(const struct kv_value *v)
{
    size_t n = 0;
    switch (v->type) {
    case KV_S:
    case KV_B:
        return v->len;
    case KV_N:
        return number_text_size(v);
    case KV_BOOL:
    case KV_NULL:
        return 1;
    case KV_SS:
    case KV_NS:
    case KV_BS:
        for (uint32_t i = 0; i < v->len; i++)
            n += value_size(&v->u.elems[i]);
        return n;
    case KV_L:
        n = 3;
        for (uint32_t i = 0; i < v->len; i++)
            n += 1 + value_size(&v->u.elems[i]);
        return n;
    case KV_M:
        n = 3;
        for (uint32_t i = 0; i < v->len; i++) {
            const struct kv_member *m = &v->u.members[i];
            n += 1 + m->name_len + value_size(&m->value);
        }
        return n;
    default:
        return 0;
    }
}

size_t
item_size(const struct kv_value *item)
{
    size_t n = 0;
    for (uint32_t i = 0; i < item->len; i++) {
        const struct kv_member *m = &item->u.members[i];
        n += m->name_len + value_size(&m->value);
    }
    return n;
}

/* --- checking ------------------------------------------------------------- */

static int
cmp_decimal(const void *x, const void *y)
{
    return number_cmp(x, y);
}

static int
cmp_bytes_value(const void *x, const void *y)
{
    return bytes_cmp(x, y);
}

/* Render a set the way DynamoDB quotes it in the duplicates message:
 * "[a, b, a]", binary elements in base64. */
static char *
set_render(const struct kv_value *set, struct arena *a)
{
    size_t n = 3;
    for (uint32_t i = 0; i < set->len; i++)
        n += b64_encoded_len(set->u.elems[i].len) + 2;
    char *s = arena_alloc(a, n);
    if (!s)
        return NULL;
    char *p = s;
    *p++ = '[';
    for (uint32_t i = 0; i < set->len; i++) {
        const struct kv_value *e = &set->u.elems[i];
        if (i) {
            *p++ = ',';
            *p++ = ' ';
        }
        if (set->type == KV_BS) {
            b64_encode(e->u.bytes, e->len, p);
            p += b64_encoded_len(e->len);
        } else {
            memcpy(p, e->u.bytes, e->len);
            p += e->len;
        }
    }
    *p++ = ']';
    *p = '\0';
    return s;
}

static kv_status
check_number_set(const struct kv_value *v, struct kv_err *err)
{
    struct decimal *ds = malloc(v->len * sizeof *ds);
    if (!ds)
        return err_nomem(err);
    kv_status st = KV_OK;
    for (uint32_t i = 0; i < v->len && st == KV_OK; i++) {
        if (v->u.elems[i].type != KV_N)
            st = err_set(err, KV_VALIDATION, "The parameter cannot be converted to a numeric value");
        else
            st = number_parse(v->u.elems[i].u.bytes, v->u.elems[i].len, &ds[i], err);
    }
    if (st == KV_OK) {
        qsort(ds, v->len, sizeof *ds, cmp_decimal);
        for (uint32_t i = 1; i < v->len; i++)
            if (number_cmp(&ds[i - 1], &ds[i]) == 0) {
                st = err_set(err, KV_VALIDATION, "Input collection contains duplicates");
                break;
            }
    }
    free(ds);
    return st;
}

static kv_status
check_bytes_set(const struct kv_value *v, struct kv_err *err)
{
    int elem = type_set_elem(v->type);
    for (uint32_t i = 0; i < v->len; i++)
        if (v->u.elems[i].type != elem)
            return ERR_MISUSE(err, "set element of the wrong type");
    struct kv_value *sorted = malloc(v->len * sizeof *sorted);
    if (!sorted)
        return err_nomem(err);
    memcpy(sorted, v->u.elems, v->len * sizeof *sorted);
    qsort(sorted, v->len, sizeof *sorted, cmp_bytes_value);
    bool dup = false;
    for (uint32_t i = 1; i < v->len && !dup; i++)
        dup = bytes_cmp(&sorted[i - 1], &sorted[i]) == 0;
    free(sorted);
    if (!dup)
        return KV_OK;
    struct arena *a = arena_new();
    char *shown = a ? set_render(v, a) : NULL;
    kv_status st;
    if (!shown)
        st = err_nomem(err);
    else if (v->type == KV_SS)
        st = err_set(err, KV_VALIDATION,
                     "One or more parameter values were invalid: Input collection %s contains "
                     "duplicates.",
                     shown);
    else
        st = err_set(err, KV_VALIDATION,
                     "One or more parameter values were invalid: Input collection %sof type BS "
                     "contains duplicates.",
                     shown);
    arena_free(a);
    return st;
}

kv_status
value_check(const struct kv_value *v, int depth, struct kv_err *err)
{
    struct decimal d;
    switch (v->type) {
    case KV_S:
    case KV_B:
    case KV_BOOL:
        return KV_OK;
    case KV_NULL:
        /* DynamoDB once refused {"NULL": false}; it now accepts it and
         * stores NULL, which always reads back as true. */
        return KV_OK;
    case KV_N:
        return number_parse(v->u.bytes, v->len, &d, err);
    case KV_SS:
        if (v->len == 0)
            return err_set(err, KV_VALIDATION,
                           "One or more parameter values were invalid: An string set  may not "
                           "be empty");
        return check_bytes_set(v, err);
    case KV_BS:
        if (v->len == 0)
            return err_set(err, KV_VALIDATION,
                           "One or more parameter values were invalid: Binary sets should not "
                           "be empty");
        return check_bytes_set(v, err);
    case KV_NS:
        if (v->len == 0)
            return err_set(err, KV_VALIDATION,
                           "One or more parameter values were invalid: An number set  may not "
                           "be empty");
        return check_number_set(v, err);
    case KV_L:
    case KV_M:
        /* A container at level VALUE_MAX_DEPTH would hold values below it. */
        if (depth + 1 >= VALUE_MAX_DEPTH)
            return err_set(err, KV_VALIDATION, VALUE_NESTING_MESSAGE);
        for (uint32_t i = 0; i < v->len; i++) {
            const struct kv_value *c =
                v->type == KV_L ? &v->u.elems[i] : &v->u.members[i].value;
            kv_status st = value_check(c, depth + 1, err);
            if (st != KV_OK)
                return st;
        }
        return KV_OK;
    default:
        return err_set(err, KV_VALIDATION,
                       "Supplied AttributeValue is empty, must contain exactly one of the "
                       "supported datatypes");
    }
}
