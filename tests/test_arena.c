/*
 * test_arena.c -- the bump allocator: alignment, no overlap, the edges of
 * a chunk (the inline fast path hands out exactly the space it has, and
 * no more), big allocations, reset, caller memory and overflow.
 */
#include "arena.h"
#include "kv.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* Allocate sizes 0..n-1 and fill each with its own byte: any overlap, or
 * a block handed out twice, shows as a wrong byte afterwards. */
static void
fill_and_check(struct arena *a, size_t n)
{
    unsigned char *p[200];
    assert_true(n <= 200);
    for (size_t i = 0; i < n; i++) {
        p[i] = arena_alloc(a, i);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % 8, 0);
        memset(p[i], (int)(i & 0xff), i);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            assert_int_equal(p[i][j], i & 0xff);
    for (size_t i = 1; i < n; i++)
        assert_ptr_not_equal(p[i], p[i - 1]);
}

static void
test_aligned_and_disjoint(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    assert_non_null(a);
    fill_and_check(a, 200); /* crosses several chunks */
    arena_free(a);

    struct arena *b = arena_new_inline(100);
    assert_non_null(b);
    fill_and_check(b, 200);
    arena_free(b);
}

/* Zero bytes still gives a pointer of its own. */
static void
test_zero_size(void **state)
{
    (void)state;
    struct arena *a = arena_new_inline(64);
    void *x = arena_alloc(a, 0), *y = arena_alloc(a, 0);
    assert_non_null(x);
    assert_non_null(y);
    assert_ptr_not_equal(x, y);
    arena_free(a);
}

/* A first chunk of 64 bytes serves exactly 64 bytes in place; the next
 * byte comes from a new chunk, not from past the end. */
static void
test_chunk_edge(void **state)
{
    (void)state;
    struct arena *a = arena_new_inline(64);
    size_t first = arena_footprint(a);
    char *p = arena_alloc(a, 60); /* rounded to 64 */
    assert_non_null(p);
    assert_int_equal(arena_footprint(a), first);
    memset(p, 1, 60);
    char *q = arena_alloc(a, 1);
    assert_non_null(q);
    assert_true(arena_footprint(a) > first);
    assert_true(q < p || q >= p + 64);
    arena_free(a);

    /* Exactly the space left, in two allocations. */
    a = arena_new_inline(64);
    p = arena_alloc(a, 32);
    q = arena_alloc(a, 32);
    assert_ptr_equal(q, p + 32);
    assert_int_equal(arena_footprint(a), first);
    arena_free(a);
}

/* A big allocation gets a chunk of its own behind the head, and the
 * head's free space still serves the small ones after it. */
static void
test_big_behind_head(void **state)
{
    (void)state;
    struct arena *a = arena_new_inline(256);
    char *small = arena_alloc(a, 16);
    char *big = arena_alloc(a, 1 << 20);
    assert_non_null(big);
    memset(big, 7, 1 << 20);
    char *next = arena_alloc(a, 16);
    assert_ptr_equal(next, small + 16);
    assert_int_equal(big[(1 << 20) - 1], 7);
    arena_free(a);
}

/* Reset gives back every added chunk and serves from the start again. */
static void
test_reset(void **state)
{
    (void)state;
    struct arena *a = arena_new_inline(128);
    size_t first = arena_footprint(a);
    char *p = arena_alloc(a, 8);
    for (int i = 0; i < 50; i++)
        assert_non_null(arena_alloc(a, 1000));
    assert_non_null(arena_alloc(a, 1 << 18));
    assert_true(arena_footprint(a) > first);
    assert_true(arena_reset(a));
    assert_int_equal(arena_footprint(a), first);
    assert_ptr_equal(arena_alloc(a, 8), p);
    fill_and_check(a, 100);
    arena_free(a);

    struct arena *h = arena_new(); /* no block of its own to keep */
    assert_false(arena_reset(h));
    arena_free(h);
}

/* Caller memory serves first; arena_free frees only what was added. */
static void
test_caller_memory(void **state)
{
    (void)state;
    _Alignas(max_align_t) unsigned char mem[512];
    assert_null(arena_init(mem, ARENA_INIT_MIN - 1));
    struct arena *a = arena_init(mem, sizeof mem);
    assert_non_null(a);
    unsigned char *p = arena_alloc(a, 100);
    assert_true(p > mem && p + 100 <= mem + sizeof mem);
    fill_and_check(a, 60); /* spills into heap chunks */
    arena_free(a);
}

static void
test_overflow(void **state)
{
    (void)state;
    struct arena *a = arena_new_inline(64);
    assert_null(arena_alloc(a, SIZE_MAX));
    assert_null(arena_alloc(a, SIZE_MAX - 7));
    /* Still usable afterwards. */
    assert_non_null(arena_alloc(a, 8));
    arena_free(a);
}

static void
test_grow_keeps_contents(void **state)
{
    (void)state;
    struct arena *a = arena_new_inline(64);
    int *v = NULL;
    size_t cap = 0;
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(arena_grow(a, (void **)&v, &cap, (size_t)i + 1, sizeof *v), 0);
        v[i] = i;
    }
    assert_true(cap >= 1000);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(v[i], i);
    arena_free(a);
}

/* An item starts with room for a few members and grows past it; reused
 * item blocks come back empty. */
static void
test_item_members(void **state)
{
    (void)state;
    for (int round = 0; round < 3; round++) {
        kv_item *it = kv_item_new();
        assert_non_null(it);
        assert_int_equal(kv_item_count(it), 0);
        char name[8];
        for (int i = 0; i < 9; i++) {
            snprintf(name, sizeof name, "a%d", i);
            assert_int_equal(kv_item_put_s(it, name, name), KV_OK);
        }
        assert_int_equal(kv_item_put_s(it, "a3", "again"), KV_OK);
        assert_int_equal(kv_item_count(it), 9);
        for (int i = 0; i < 9; i++) {
            snprintf(name, sizeof name, "a%d", i);
            const kv_value *v = kv_item_get(it, name);
            assert_non_null(v);
            size_t len;
            assert_string_equal(kv_value_bytes(v, &len), i == 3 ? "again" : name);
        }
        kv_item_free(it);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aligned_and_disjoint),
        cmocka_unit_test(test_zero_size),
        cmocka_unit_test(test_chunk_edge),
        cmocka_unit_test(test_big_behind_head),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_caller_memory),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_grow_keeps_contents),
        cmocka_unit_test(test_item_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
