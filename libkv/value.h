/*
 * value.h -- the AttributeValue tree shared by every module.
 *
 * A value is one of DynamoDB's ten types.  Scalars (S, N, B) point at their
 * bytes; containers (M, L and the three sets) point at arrays of children.
 * All memory of a tree lives in an arena (see arena.h): nothing in a tree is
 * freed on its own, and building or copying a tree only bumps a pointer.
 *
 * Numbers are kept as text.  Text that came from storage or from a decoder
 * is canonical (see number.h); text a C caller supplied may not be, and
 * anything that looks at a number's value parses it with number_parse.
 * Encoders always write the canonical form.
 *
 * Map members keep their insertion order; DynamoDB maps are unordered, and
 * lookups are linear, which is faster than hashing for the sizes items have.
 * Sets keep their elements in the order given; value_equal compares them as
 * sets.
 */
#ifndef KV_VALUE_H
#define KV_VALUE_H

#include "kv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct kv_err;

/*
 * DynamoDB's nesting limit: an attribute's value is level 1, and nothing
 * may sit below level 32, so at most 31 lists or maps nest inside one
 * another.
 */
#define VALUE_MAX_DEPTH 32
/* DynamoDB's message when an item nests deeper, without the envelope some
 * operations put around it ("1 validation error detected: ..."). */
#define VALUE_NESTING_MESSAGE                                                                  \
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested "       \
    "levels beyond supported limit"
/* DynamoDB's item size limit (400 KB). */
#define ITEM_MAX_SIZE 409600

struct kv_member;

struct kv_value {
    uint8_t type;    /* kv_type; 0 only in a zeroed, unset slot */
    uint8_t boolean; /* BOOL */
    uint32_t len;    /* S, N, B: bytes; containers: element count */
    uint32_t cap;    /* containers: allocated slots */
    union {
        const char *bytes;          /* S, N, B; always followed by a NUL */
        struct kv_value *elems;     /* L, SS, NS, BS */
        struct kv_member *members;  /* M */
    } u;
};

struct kv_member {
    const char *name; /* followed by a NUL; may contain NULs itself */
    uint32_t name_len;
    struct kv_value value;
};

/* The public owning handle: an arena and the item (an M) that lives in it. */
struct kv_item {
    struct arena *arena;
    struct kv_value root;
};

/* Free the blocks this thread keeps for its next items (item_api.c). */
void item_spares_release(void);

static inline bool
type_is_set(int t)
{
    return t == KV_SS || t == KV_NS || t == KV_BS;
}

static inline bool
type_is_container(int t)
{
    return t == KV_M || t == KV_L || type_is_set(t);
}

static inline bool
type_is_scalar_bytes(int t)
{
    return t == KV_S || t == KV_N || t == KV_B;
}

/* The element type of a set type (KV_SS -> KV_S), or 0. */
int type_set_elem(int set_type);

/* "S", "N", ... "BS"; "" for an unknown code. */
const char *type_name(int t);
/* The code for a DynamoDB type name of n bytes, or 0. */
int type_from_name(const char *name, size_t n);

/* --- construction --------------------------------------------------------- */

void value_init(struct kv_value *v, int type);
/* Copy n bytes into the arena and make v a scalar of type t.  -1 on OOM. */
int value_set_bytes(struct arena *a, struct kv_value *v, int t, const void *p, size_t n);
/* Same without copying: p must be NUL-terminated at n and outlive v. */
void value_set_bytes_ref(struct kv_value *v, int t, const char *p, size_t n);
void value_set_bool(struct kv_value *v, bool b);

/*
 * Map members.  value_map_put returns the slot for name, creating it or
 * clearing the existing one; value_map_append always creates a new slot
 * (for decoders that know names are unique).  The name is copied unless
 * copy_name is false, in which case it must outlive the map and be
 * NUL-terminated.  NULL on OOM.
 */
struct kv_value *value_map_put(struct arena *a, struct kv_value *map, const char *name,
                               size_t len, bool copy_name);
struct kv_value *value_map_append(struct arena *a, struct kv_value *map, const char *name,
                                  size_t len, bool copy_name);
struct kv_value *value_map_get(const struct kv_value *map, const char *name, size_t len);
/* 1 if removed, 0 if absent. */
int value_map_remove(struct kv_value *map, const char *name, size_t len);

/* A new last element of a list or set; NULL on OOM. */
struct kv_value *value_push(struct arena *a, struct kv_value *container);
/* Remove element i of a list or set, shifting the rest down. */
void value_remove_at(struct kv_value *container, size_t i);

/* Deep copy of src into dst, all memory from a.  -1 on OOM. */
int value_copy(struct arena *a, struct kv_value *dst, const struct kv_value *src);

/* --- comparison ----------------------------------------------------------- */

/*
 * DynamoDB equality: same type, and equal content.  Numbers compare by
 * value; sets as sets; lists in order; maps by members.  Unparsable numbers
 * compare by their text.
 */
bool value_equal(const struct kv_value *a, const struct kv_value *b);

/*
 * Ordering of two values of the same scalar type (S by UTF-8 bytes, N by
 * value, B by unsigned bytes): <0, 0, >0.  Only meaningful for S, N, B.
 */
int value_compare(const struct kv_value *a, const struct kv_value *b);

/* --- size and validity ------------------------------------------------------ */

/*
 * DynamoDB's size of a value in bytes, not counting an attribute name:
 * the basis of the 400 KB limit and of capacity units.  See value.c.
 */
size_t value_size(const struct kv_value *v);
/* Size of an item: sum of name lengths and value sizes of its members. */
size_t item_size(const struct kv_value *item);

/*
 * Check a value as DynamoDB checks an AttributeValue in a request: numbers
 * parse and are in range, NULL is true, sets are non-empty and without
 * duplicates, no value deeper than level VALUE_MAX_DEPTH when v itself is at
 * level depth + 1 (an attribute's value has depth 0).
 * Records a ValidationException with DynamoDB's message.
 */
kv_status value_check(const struct kv_value *v, int depth, struct kv_err *err);

#endif
