/*
 * mem.c -- allocation wrappers.  The failure counter is a single atomic so
 * injection works whichever thread allocates; it costs one relaxed load per
 * allocation when disabled.
 */
#include "mem.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_long fail_countdown; /* 0: disabled; else allocations left + 1 */
static atomic_long fail_hits;

static int
should_fail(void)
{
    long left = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
    if (left == 0)
        return 0;
    if (left == 1) {
        atomic_fetch_add(&fail_hits, 1);
        return 1;
    }
    atomic_fetch_sub(&fail_countdown, 1);
    return 0;
}

void *
mem_alloc(size_t n)
{
    if (should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *
mem_calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *
mem_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

void
mem_free(void *p)
{
    free(p);
}

char *
mem_strndup(const char *s, size_t n)
{
    char *d = mem_alloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *
mem_strdup(const char *s)
{
    return mem_strndup(s, strlen(s));
}

void
mem_fail_after(long n)
{
    atomic_store(&fail_hits, 0);
    atomic_store(&fail_countdown, n > 0 ? n : 0);
}

void
mem_fail_reset(void)
{
    atomic_store(&fail_countdown, 0);
}

long
mem_fail_count(void)
{
    return atomic_load(&fail_hits);
}
