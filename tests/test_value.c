/*
 * test_value.c -- the value tree: building, copying, equality, DynamoDB
 * sizes, and the request checks with DynamoDB's messages.
 */
#include "fixture.h"
#include "arena.h"
#include "err.h"
#include "value.h"

#include <stdio.h>
#include <string.h>

static struct kv_value
str(const char *s)
{
    struct kv_value v;
    value_set_bytes_ref(&v, KV_S, s, strlen(s));
    return v;
}

static void
value01_map_put_get_remove(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value m;
    value_init(&m, KV_M);
    for (int i = 0; i < 100; i++) {
        char name[16];
        snprintf(name, sizeof name, "a%d", i);
        struct kv_value *slot = value_map_put(a, &m, name, strlen(name), true);
        assert_non_null(slot);
        *slot = str("x");
    }
    assert_int_equal(m.len, 100);
    /* Replacing keeps one member per name. */
    struct kv_value *slot = value_map_put(a, &m, "a7", 2, true);
    value_set_bool(slot, true);
    assert_int_equal(m.len, 100);
    assert_int_equal(value_map_get(&m, "a7", 2)->type, KV_BOOL);
    assert_int_equal(value_map_remove(&m, "a7", 2), 1);
    assert_int_equal(value_map_remove(&m, "a7", 2), 0);
    assert_null(value_map_get(&m, "a7", 2));
    assert_int_equal(m.len, 99);
    arena_free(a);
}

static void
value02_copy_and_equal(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value m, l, c;
    value_init(&m, KV_M);
    value_init(&l, KV_L);
    *value_push(a, &l) = str("one");
    value_set_bool(value_push(a, &l), false);
    *value_map_put(a, &m, "list", 4, true) = l;
    *value_map_put(a, &m, "s", 1, true) = str("text");
    assert_int_equal(value_copy(a, &c, &m), 0);
    assert_true(value_equal(&m, &c));
    value_set_bool(&value_map_get(&c, "list", 4)->u.elems[1], true);
    assert_false(value_equal(&m, &c));
    arena_free(a);
}

static void
value03_set_equality_ignores_order(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value x, y;
    value_init(&x, KV_SS);
    value_init(&y, KV_SS);
    *value_push(a, &x) = str("a");
    *value_push(a, &x) = str("b");
    *value_push(a, &y) = str("b");
    *value_push(a, &y) = str("a");
    assert_true(value_equal(&x, &y));
    *value_push(a, &y) = str("c");
    assert_false(value_equal(&x, &y));
    arena_free(a);
}

static void
value04_sizes(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    /* The Developer Guide's example: {"shirt-color":"R","shirt-size":"M"} is 23 bytes. */
    struct kv_value item;
    value_init(&item, KV_M);
    *value_map_put(a, &item, "shirt-color", 11, true) = str("R");
    *value_map_put(a, &item, "shirt-size", 10, true) = str("M");
    assert_int_equal(item_size(&item), 23);

    struct kv_value l, m, b;
    value_init(&l, KV_L);
    *value_push(a, &l) = str("abc");                   /* 1 + 3 */
    value_init(value_push(a, &l), KV_NULL);            /* 1 + 1 */
    assert_int_equal(value_size(&l), 3 + 4 + 2);
    value_init(&m, KV_M);
    *value_map_put(a, &m, "k", 1, true) = str("vv");   /* 1 + 1 + 2 */
    assert_int_equal(value_size(&m), 3 + 4);
    value_set_bytes(a, &b, KV_B, "\0\1\2", 3);
    assert_int_equal(value_size(&b), 3);
    arena_free(a);
}

static void
value_expect_check(const struct kv_value *v, kv_status st, const char *msg)
{
    struct kv_err e;
    err_init(&e);
    assert_int_equal(value_check(v, 0, &e), st);
    assert_string_equal(err_message(&e), msg);
    err_clear(&e);
}

static void
value05_check_messages(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct kv_value v;
    value_init(&v, KV_SS);
    value_expect_check(&v, KV_VALIDATION,
                 "One or more parameter values were invalid: An string set  may not be empty");
    *value_push(a, &v) = str("a");
    *value_push(a, &v) = str("b");
    *value_push(a, &v) = str("a");
    value_expect_check(&v, KV_VALIDATION,
                 "One or more parameter values were invalid: Input collection [a, b, a] "
                 "contains duplicates.");
    value_init(&v, KV_BS);
    value_expect_check(&v, KV_VALIDATION,
                 "One or more parameter values were invalid: Binary sets should not be empty");
    value_init(&v, KV_NS);
    value_expect_check(&v, KV_VALIDATION,
                 "One or more parameter values were invalid: An number set  may not be empty");
    /* {"NULL": false} is accepted as DynamoDB now accepts it. */
    value_init(&v, KV_NULL);
    value_expect_check(&v, KV_OK, "");
    arena_free(a);
}

static void
value06_nesting_limit(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    /* 31 lists inside one another (the leaf at level 32) are accepted;
     * a 32nd is refused, as DynamoDB refuses it. */
    struct kv_value root, *cur = &root;
    value_init(&root, KV_L);
    for (int i = 1; i < 31; i++) {
        struct kv_value *next = value_push(a, cur);
        value_init(next, KV_L);
        cur = next;
    }
    value_expect_check(&root, KV_OK, "");
    value_init(value_push(a, cur), KV_L);
    value_expect_check(&root, KV_VALIDATION, VALUE_NESTING_MESSAGE);
    arena_free(a);
}

/* arena_reset takes an inline arena back to its first block, whatever was
 * added to it, and refuses the other kinds. */
static void
value_arena_reset(void **state)
{
    (void)state;
    struct arena *a = arena_new_inline(512);
    assert_non_null(a);
    size_t made = arena_footprint(a);
    char *first = arena_alloc(a, 16);
    assert_non_null(first);
    for (int i = 0; i < 3; i++) {
        assert_non_null(arena_alloc(a, 400));    /* a chunk of the usual size */
        assert_non_null(arena_alloc(a, 100000)); /* a chunk of its own, behind the head */
        assert_non_null(arena_alloc(a, 3000));
        assert_true(arena_footprint(a) > made);
        assert_true(arena_reset(a));
        assert_int_equal(arena_footprint(a), made);
        /* Empty again: the first allocation is where it was. */
        assert_ptr_equal(arena_alloc(a, 16), first);
    }
    arena_free(a);

    struct arena *h = arena_new();
    assert_non_null(arena_alloc(h, 10));
    assert_false(arena_reset(h));
    arena_free(h);
    _Alignas(max_align_t) char mem[ARENA_INIT_MIN];
    struct arena *s = arena_init(mem, sizeof mem);
    assert_false(arena_reset(s));
    arena_free(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(value01_map_put_get_remove),
        cmocka_unit_test(value02_copy_and_equal),
        cmocka_unit_test(value03_set_equality_ignores_order),
        cmocka_unit_test(value04_sizes),
        cmocka_unit_test(value05_check_messages),
        cmocka_unit_test(value06_nesting_limit),
        cmocka_unit_test(value_arena_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
