/*
 * arena.c -- chunked bump allocation.  Chunks double in size up to 1 MiB;
 * an allocation larger than a chunk gets a chunk of its own, so one huge
 * value does not waste the rest of a chunk.
 */
#include "arena.h"
#include "mem.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct chunk {
    struct chunk *next;
    size_t size; /* usable bytes after the header, a multiple of 8 */
    max_align_t data[];
};

/* The head chunk's free space is the cursor (arena.h); a chunk behind the
 * head is full. */
struct arena {
    struct arena_cursor cur; /* first, as arena_alloc expects */
    struct chunk *head;
    size_t next_size;
    size_t footprint;
    struct chunk *fixed; /* the first chunk, in the arena's own block: not freed alone */
    bool own;            /* the block is the arena's to free */
};

/* The arena's header, rounded so that a chunk can follow it. */
#define HEADER_SIZE ((sizeof(struct arena) + _Alignof(max_align_t) - 1) & \
                     ~(_Alignof(max_align_t) - 1))

#define FIRST_CHUNK 2048
#define MAX_CHUNK (1u << 20)

struct arena *
arena_new(void)
{
    struct arena *a = mem_calloc(1, sizeof *a);
    if (a) {
        /* no chunk yet: no space, with both ends in the arena itself */
        a->cur.next = a->cur.end = (char *)&a->cur;
        a->next_size = FIRST_CHUNK;
        a->own = true;
    }
    return a;
}

/* Serve the next allocations from the head chunk, empty. */
static void
use_head(struct arena *a)
{
    a->cur.next = (char *)a->head->data;
    a->cur.end = a->cur.next + a->head->size;
}

/* An arena at the start of `size` bytes of `mem`, its first chunk after it. */
static struct arena *
place(void *mem, size_t size, bool own)
{
    struct arena *a = mem;
    struct chunk *c = (struct chunk *)((char *)mem + HEADER_SIZE);
    c->next = NULL;
    c->size = (size - HEADER_SIZE - sizeof *c) & ~(size_t)7;
    a->head = a->fixed = c;
    use_head(a);
    a->next_size = FIRST_CHUNK;
    a->footprint = size;
    a->own = own;
    return a;
}

struct arena *
arena_new_inline(size_t first)
{
    size_t size = HEADER_SIZE + sizeof(struct chunk) + ((first + 15) & ~(size_t)15);
    void *mem = mem_alloc(size);
    return mem ? place(mem, size, true) : NULL;
}

struct arena *
arena_init(void *mem, size_t size)
{
    return size >= ARENA_INIT_MIN ? place(mem, size, false) : NULL;
}

void
arena_free(struct arena *a)
{
    if (!a)
        return;
    struct chunk *c = a->head;
    while (c) {
        struct chunk *next = c->next;
        if (c != a->fixed)
            mem_free(c);
        c = next;
    }
    if (a->own)
        mem_free(a);
}

bool
arena_reset(struct arena *a)
{
    if (!a->own || !a->fixed)
        return false;
    struct chunk *c = a->head;
    while (c != a->fixed) {
        struct chunk *next = c->next;
        mem_free(c);
        c = next;
    }
    /* Chunks made for one big allocation sit behind the first. */
    for (struct chunk *b = c->next; b;) {
        struct chunk *next = b->next;
        mem_free(b);
        b = next;
    }
    c->next = NULL;
    a->head = c;
    use_head(a);
    a->next_size = FIRST_CHUNK;
    a->footprint = HEADER_SIZE + sizeof *c + c->size;
    return true;
}

static struct chunk *
chunk_add(struct arena *a, size_t need)
{
    size_t size = a->next_size;
    if (size < need)
        size = need;
    if (size > SIZE_MAX - sizeof(struct chunk))
        return NULL;
    struct chunk *c = mem_alloc(sizeof *c + size);
    if (!c)
        return NULL;
    c->size = size;
    a->footprint += sizeof *c + size;
    if (a->next_size < MAX_CHUNK)
        a->next_size *= 2;
    /* A chunk made for one big allocation goes behind the head, so the
     * head's free space is still used by later small allocations. */
    if (a->head && need > a->next_size / 2) {
        c->next = a->head->next;
        a->head->next = c;
    } else {
        c->next = a->head;
        a->head = c;
        use_head(a);
    }
    return c;
}

void *
arena_alloc_slow(struct arena *a, size_t n)
{
    if (n > SIZE_MAX - 8)
        return NULL;
    n = (n + 7) & ~(size_t)7;
    if (n == 0)
        n = 8;
    if ((size_t)(a->cur.end - a->cur.next) >= n) {
        void *p = a->cur.next;
        a->cur.next += n;
        return p;
    }
    struct chunk *c = chunk_add(a, n);
    if (!c || c->size < n)
        return NULL;
    if (c != a->head)
        return c->data; /* a chunk of its own, behind the head */
    void *p = a->cur.next;
    a->cur.next += n;
    return p;
}

void *
arena_calloc(struct arena *a, size_t n)
{
    void *p = arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

void *
arena_memdup(struct arena *a, const void *src, size_t n)
{
    void *p = arena_alloc(a, n);
    if (p && n)
        memcpy(p, src, n);
    return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

int
arena_grow(struct arena *a, void **p, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 4;
    while (ncap < need)
        ncap *= 2;
    if (ncap > SIZE_MAX / sz)
        return -1;
    void *np = arena_alloc(a, ncap * sz);
    if (!np)
        return -1;
    if (*cap)
        memcpy(np, *p, *cap * sz);
    *p = np;
    *cap = ncap;
    return 0;
}

size_t
arena_footprint(const struct arena *a)
{
    return a->footprint;
}
