/*
 * data.c -- the items both engines store.
 *
 * Item i has pk (partition i / 100), sk (i % 100), g1 and g2 (the keys of
 * the two global indexes a table may have), a number n, and a string
 * "data" long enough to make the item the size asked for, counted as
 * DynamoDB counts it (names plus values).  Every table holds the same
 * attributes whatever its indexes, so only index upkeep differs.
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Names and fixed values: pk, sk, g1, g2 (2 + 9 each), n (1 + about 3),
 * data (4). */
#define FIXED_BYTES 52

/* prefix and eight digits of n (mod 10^8): snprintf would cost as much as
 * a raw LMDB get, and both engines format every key. */
static void
fmt8(char *out, char prefix, uint64_t n)
{
    out[0] = prefix;
    for (int i = 8; i >= 1; i--) {
        out[i] = (char)('0' + n % 10);
        n /= 10;
    }
    out[9] = '\0';
}

void
data_pk(uint64_t i, char out[24])
{
    fmt8(out, 'p', i / ITEMS_PER_PARTITION);
}

void
data_sk(uint64_t i, char out[24])
{
    fmt8(out, 's', i % ITEMS_PER_PARTITION);
}

void
data_g1(uint64_t i, char out[24])
{
    fmt8(out, 'a', i % 1000);
}

void
data_g2(uint64_t i, char out[24])
{
    fmt8(out, 'b', i % 997);
}

size_t
data_fill_len(size_t item_size)
{
    return item_size > FIXED_BYTES + 1 ? item_size - FIXED_BYTES : 1;
}

char *
data_fill_new(size_t n)
{
    char *b = malloc(n + 1);
    if (!b)
        abort();
    memset(b, 'x', n);
    b[n] = '\0';
    return b;
}

uint64_t
data_item(const struct setup *s, uint64_t r)
{
    return r % s->n_items;
}

uint64_t
data_partition(const struct setup *s, uint64_t r)
{
    uint64_t parts = (s->n_items + ITEMS_PER_PARTITION - 1) / ITEMS_PER_PARTITION;
    return r % parts;
}

uint64_t
data_batch_start(const struct setup *s, uint64_t r)
{
    return r % s->n_items;
}

/*
 * Element j of the batch numbered by start: one item from each of 25
 * successive partition keys (fewer keys, more items each, on a table with
 * fewer than 25), never the same item twice.  Spread like this, a batch
 * costs each partition key what 25 PutItem calls on random keys would;
 * 25 items of one key, written at full speed, would pass DynamoDB's 1,000
 * write units a second per partition key and be throttled.
 */
uint64_t
data_batch_item(const struct setup *s, uint64_t start, size_t j)
{
    uint64_t per = s->n_items < ITEMS_PER_PARTITION ? s->n_items : ITEMS_PER_PARTITION;
    uint64_t keys = s->n_items / per;
    uint64_t key = (start / per + j % keys) % keys, sort = (start % per + j / keys) % per;
    return key * ITEMS_PER_PARTITION + sort;
}

const char *
workload_name(enum workload w)
{
    static const char *const names[WL_COUNT] = {
        "PutItem (sync)", "PutItem (no sync)", "GetItem", "UpdateItem",
        "Query (100 items)", "Scan", "BatchWriteItem (25)",
    };
    return names[w];
}
