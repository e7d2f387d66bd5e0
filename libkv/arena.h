/*
 * arena.h -- a bump allocator for memory that dies all at once.
 *
 * A request's temporaries (decoded JSON, values, expression trees, encoded
 * keys) and an item's values live in an arena and are freed together, so
 * no code path has to free them one by one and a failure half way through
 * leaks nothing.  Allocations are 8-byte aligned and never moved.
 */
#ifndef KV_ARENA_H
#define KV_ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

/* NULL when out of memory. */
struct arena *arena_new(void);
/* An arena whose first `first` bytes come in the same allocation as the
 * arena itself: one malloc for a small arena's whole life. */
struct arena *arena_new_inline(size_t first);
/*
 * An arena in the caller's memory (`size` bytes, aligned for any type, at
 * least ARENA_INIT_MIN), serving allocations from it first; arena_free
 * frees only what it added.  NULL when size is too small.
 */
#define ARENA_INIT_MIN 256
struct arena *arena_init(void *mem, size_t size);
void arena_free(struct arena *a);
/* Free every chunk but the first and empty the first: an arena from
 * arena_new_inline is then as it was made, ready to be used again.
 * Returns false, changing nothing, for any other arena. */
bool arena_reset(struct arena *a);

/*
 * The free space of the chunk an arena is filling.  A struct arena begins
 * with one, so that the common allocation is a few inline instructions
 * (an item decoded from a Query page makes several).
 */
struct arena_cursor {
    char *next; /* 8-byte aligned */
    char *end;  /* next + a multiple of 8 */
};

void *arena_alloc_slow(struct arena *a, size_t n);

/* NULL when out of memory.  n == 0 returns a valid unique pointer. */
static inline void *
arena_alloc(struct arena *a, size_t n)
{
    struct arena_cursor *c = (struct arena_cursor *)(void *)a;
    /* 1 <= n <= the space left, which is a multiple of 8, so the rounded
     * size fits too and cannot overflow. */
    if (n - 1 < (size_t)(c->end - c->next)) {
        void *p = c->next;
        c->next += (n + 7) & ~(size_t)7;
        return p;
    }
    return arena_alloc_slow(a, n);
}
void *arena_calloc(struct arena *a, size_t n);
void *arena_memdup(struct arena *a, const void *p, size_t n);
/* Copy of n bytes followed by a NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Grow the array *p of *cap elements of size sz to hold at least need. */
int arena_grow(struct arena *a, void **p, size_t *cap, size_t need, size_t sz);

/* Total bytes obtained from the heap (for tests and limits). */
size_t arena_footprint(const struct arena *a);

#endif
