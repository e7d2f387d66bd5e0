/*
 * mem.h -- the library's allocator, with failure injection for tests.
 *
 * Every heap allocation in libkv goes through these wrappers, so a test can
 * make the Nth allocation fail and check that the call fails cleanly: no
 * crash, no leak, nothing written.  Outside tests the wrappers are malloc.
 */
#ifndef KV_MEM_H
#define KV_MEM_H

#include <stddef.h>

void *mem_alloc(size_t n);
void *mem_calloc(size_t count, size_t size);
void *mem_realloc(void *p, size_t n);
void mem_free(void *p);
char *mem_strndup(const char *s, size_t n);
char *mem_strdup(const char *s);

/*
 * Make allocation number @p n (1-based, counted from now, on any thread)
 * and every later one fail, until mem_fail_reset.  n == 0 disables.
 */
void mem_fail_after(long n);
void mem_fail_reset(void);
/* How many allocations failed since the last mem_fail_after. */
long mem_fail_count(void);

#endif
