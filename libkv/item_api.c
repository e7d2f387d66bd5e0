/*
 * item_api.c -- the public kv_item and kv_value functions: building items
 * from C values or DynamoDB JSON, and reading them.
 *
 * An item owns an arena and lives in it; every value made for it lives
 * there too.  Storing a
 * value (kv_item_put, kv_value_put, kv_value_push) copies the value's top
 * node into its new place, so a container must be complete before it is
 * stored; this is stated in kv.h.
 */
#include "arena.h"
#include "err.h"
#include "mem.h"
#include "value.h"
#include "value_json.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Room for a small item (a key, or an item of a few hundred bytes decoded)
 * in the allocation that holds the item and its arena. */
#define ITEM_FIRST_BYTES 768

/*
 * Each thread keeps the blocks of the last items it freed, emptied, for its
 * next kv_item_new: a program that builds a key, reads an item and frees
 * both, call after call, then goes to malloc for neither.  A block that
 * had grown gives its added chunks back first.  A thread's blocks are
 * freed when it ends, the calling thread's by kv_db_close too.
 */
#define SPARE_ITEMS 2

/* Member slots an item starts with, in the allocation of the item itself:
 * a key, or a small item, is then built without growing its array. */
#define ITEM_FIRST_MEMBERS 4

static _Thread_local struct {
    struct arena *block[SPARE_ITEMS];
    int n;
    bool registered; /* the key below will free them at thread exit */
} spare __attribute__((tls_model("initial-exec"))); /* a few bytes: no lookup per call */

static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static bool spare_key_ok;

void
item_spares_release(void)
{
    while (spare.n > 0)
        arena_free(spare.block[--spare.n]);
}

static void
spare_exit(void *unused)
{
    (void)unused;
    item_spares_release();
    spare.registered = false; /* a later free registers again */
}

static void
spare_key_init(void)
{
    spare_key_ok = pthread_key_create(&spare_key, spare_exit) == 0;
}

/* Keep a freed item's block when there is room and the thread can free it
 * at its exit. */
static bool
spare_keep(struct arena *a)
{
    if (spare.n == SPARE_ITEMS)
        return false;
    if (!spare.registered) {
        pthread_once(&spare_once, spare_key_init);
        /* Any non-NULL value makes the destructor run. */
        if (!spare_key_ok || pthread_setspecific(spare_key, &spare) != 0)
            return false;
        spare.registered = true;
    }
    if (!arena_reset(a))
        return false;
    spare.block[spare.n++] = a;
    return true;
}

kv_item *
kv_item_new(void)
{
    struct arena *a = spare.n > 0 ? spare.block[--spare.n] : arena_new_inline(ITEM_FIRST_BYTES);
    kv_item *item =
        a ? arena_alloc(a, sizeof *item + ITEM_FIRST_MEMBERS * sizeof(struct kv_member)) : NULL;
    if (!item) {
        arena_free(a);
        return NULL;
    }
    item->arena = a;
    value_init(&item->root, KV_M);
    item->root.u.members = (struct kv_member *)(void *)(item + 1);
    item->root.cap = ITEM_FIRST_MEMBERS;
    return item;
}

void
kv_item_free(kv_item *item)
{
    if (item && !spare_keep(item->arena))
        arena_free(item->arena); /* the item lives in it */
}

static char *
message_copy(const struct kv_err *e)
{
    return mem_strdup(err_message(e));
}

kv_status
kv_item_from_json(const char *json, kv_item **out, char **errmsg)
{
    struct kv_err e;
    err_init(&e);
    if (errmsg)
        *errmsg = NULL;
    if (!out)
        return KV_MISUSE;
    *out = NULL;
    kv_item *item = NULL;
    json_error_t jerr;
    json_t *root = json ? json_loads(json, 0, &jerr) : NULL;
    if (!json)
        ERR_MISUSE(&e, "kv_item_from_json needs JSON text");
    else if (!root)
        err_set(&e, KV_SERIALIZATION, "Malformed JSON: %s", jerr.text);
    else if (!(item = kv_item_new()))
        err_nomem(&e);
    else if (item_from_json(item->arena, root, &item->root, &e) == KV_OK)
        *out = item;
    json_decref(root);
    kv_status st = e.status;
    if (st != KV_OK) {
        kv_item_free(item);
        if (errmsg)
            *errmsg = message_copy(&e);
    }
    err_clear(&e);
    return st;
}

char *
kv_item_to_json(const kv_item *item)
{
    if (!item)
        return NULL;
    json_t *j = item_to_json(&item->root);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text)
        return NULL;
    char *copy = mem_strdup(text);
    free(text);
    return copy;
}

static kv_value *
new_value(kv_item *item, int type)
{
    if (!item)
        return NULL;
    kv_value *v = arena_alloc(item->arena, sizeof *v);
    if (v)
        value_init(v, type);
    return v;
}

static kv_value *
new_bytes(kv_item *item, int type, const void *p, size_t n)
{
    kv_value *v = new_value(item, type);
    if (v && (p || n == 0) && value_set_bytes(item->arena, v, type, p ? p : "", n))
        return NULL;
    return v;
}

kv_value *
kv_value_new_s(kv_item *item, const char *s, size_t len)
{
    return s || len == 0 ? new_bytes(item, KV_S, s, len) : NULL;
}

kv_value *
kv_value_new_n(kv_item *item, const char *text)
{
    return text ? new_bytes(item, KV_N, text, strlen(text)) : NULL;
}

kv_value *
kv_value_new_b(kv_item *item, const void *data, size_t len)
{
    return data || len == 0 ? new_bytes(item, KV_B, data, len) : NULL;
}

kv_value *
kv_value_new_bool(kv_item *item, int truth)
{
    kv_value *v = new_value(item, KV_BOOL);
    if (v)
        v->boolean = truth != 0;
    return v;
}

kv_value *
kv_value_new_null(kv_item *item)
{
    kv_value *v = new_value(item, KV_NULL);
    if (v)
        v->boolean = 1;
    return v;
}

kv_value *
kv_value_new_container(kv_item *item, kv_type type)
{
    return type_is_container(type) ? new_value(item, type) : NULL;
}

kv_status
kv_item_put(kv_item *item, const char *name, kv_value *value)
{
    if (!item || !name || !value)
        return KV_MISUSE;
    struct kv_value *slot = value_map_put(item->arena, &item->root, name, strlen(name), true);
    if (!slot)
        return KV_NOMEM;
    *slot = *value;
    return KV_OK;
}

static kv_status
put_new(kv_item *item, const char *name, kv_value *v)
{
    if (!item || !name)
        return KV_MISUSE;
    return v ? kv_item_put(item, name, v) : KV_NOMEM;
}

/* A string, number or binary put straight into its member.  The value and
 * a new member's name are copied first, into one allocation, so a failure
 * leaves the item as it was. */
static kv_status
put_bytes(kv_item *item, const char *name, int type, const void *p, size_t n)
{
    if (!item || !name)
        return KV_MISUSE;
    size_t nl = strlen(name);
    if (n > UINT32_MAX || nl > UINT32_MAX)
        return KV_NOMEM; /* as value_set_bytes and value_map_append refuse them */
    struct kv_value *slot = value_map_get(&item->root, name, nl);
    char *copy = arena_alloc(item->arena, n + 1 + (slot ? 0 : nl + 1));
    if (!copy)
        return KV_NOMEM;
    if (n)
        memcpy(copy, p, n);
    copy[n] = '\0';
    if (!slot) {
        char *own = copy + n + 1;
        memcpy(own, name, nl + 1);
        if (!(slot = value_map_append(item->arena, &item->root, own, nl, false)))
            return KV_NOMEM;
    }
    value_set_bytes_ref(slot, type, copy, n);
    return KV_OK;
}

kv_status
kv_item_put_s(kv_item *item, const char *name, const char *s)
{
    return s ? put_bytes(item, name, KV_S, s, strlen(s)) : KV_MISUSE;
}

kv_status
kv_item_put_n(kv_item *item, const char *name, const char *number)
{
    return number ? put_bytes(item, name, KV_N, number, strlen(number)) : KV_MISUSE;
}

kv_status
kv_item_put_b(kv_item *item, const char *name, const void *data, size_t len)
{
    return data || !len ? put_bytes(item, name, KV_B, data, len) : KV_MISUSE;
}

kv_status
kv_item_put_bool(kv_item *item, const char *name, int truth)
{
    return put_new(item, name, kv_value_new_bool(item, truth));
}

kv_status
kv_item_put_null(kv_item *item, const char *name)
{
    return put_new(item, name, kv_value_new_null(item));
}

kv_status
kv_value_put(kv_item *item, kv_value *map, const char *name, kv_value *value)
{
    if (!item || !map || !name || !value || map->type != KV_M)
        return KV_MISUSE;
    struct kv_value *slot = value_map_put(item->arena, map, name, strlen(name), true);
    if (!slot)
        return KV_NOMEM;
    *slot = *value;
    return KV_OK;
}

kv_status
kv_value_push(kv_item *item, kv_value *container, kv_value *value)
{
    if (!item || !container || !value ||
        (container->type != KV_L && !type_is_set(container->type)))
        return KV_MISUSE;
    struct kv_value *slot = value_push(item->arena, container);
    if (!slot)
        return KV_NOMEM;
    *slot = *value;
    return KV_OK;
}

size_t
kv_item_count(const kv_item *item)
{
    return item ? item->root.len : 0;
}

const kv_value *
kv_item_get(const kv_item *item, const char *name)
{
    return item && name ? value_map_get(&item->root, name, strlen(name)) : NULL;
}

const char *
kv_item_at(const kv_item *item, size_t i, const kv_value **value)
{
    return item ? kv_value_member_at(&item->root, i, value) : NULL;
}

kv_type
kv_value_type(const kv_value *v)
{
    return v ? (kv_type)v->type : (kv_type)0;
}

const char *
kv_value_bytes(const kv_value *v, size_t *len)
{
    if (!v || !type_is_scalar_bytes(v->type))
        return NULL;
    if (len)
        *len = v->len;
    return v->u.bytes;
}

int
kv_value_bool(const kv_value *v)
{
    return v && v->type == KV_BOOL ? v->boolean : 0;
}

size_t
kv_value_count(const kv_value *v)
{
    return v && type_is_container(v->type) ? v->len : 0;
}

const kv_value *
kv_value_at(const kv_value *v, size_t i)
{
    if (!v || (v->type != KV_L && !type_is_set(v->type)) || i >= v->len)
        return NULL;
    return &v->u.elems[i];
}

const kv_value *
kv_value_get(const kv_value *v, const char *name)
{
    return v && name ? value_map_get(v, name, strlen(name)) : NULL;
}

const char *
kv_value_member_at(const kv_value *v, size_t i, const kv_value **value)
{
    if (!v || v->type != KV_M || i >= v->len) {
        if (value)
            *value = NULL;
        return NULL;
    }
    if (value)
        *value = &v->u.members[i].value;
    return v->u.members[i].name;
}
