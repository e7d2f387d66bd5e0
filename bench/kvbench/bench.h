/*
 * bench.h -- kv-bench: libkv against a raw LMDB baseline doing the same
 * storage work.
 *
 * Two engines implement one interface.  "kv" is the library, through its
 * typed C API or its JSON request API; "raw" is LMDB used directly, with
 * the same keys, the same value sizes and the same transaction pattern:
 * one write transaction per put or update, one read transaction per get,
 * a cursor walk for a query or a scan, one transaction per batch of 25,
 * and a put into one more named database per global secondary index.
 *
 * Every measurement runs in a child process of its own (run.c), so each
 * one's peak resident set is its own and no LMDB environment is carried
 * across fork().
 */
#ifndef KVBENCH_H
#define KVBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum workload {
    WL_PUT_SYNC, /* PutItem, each write synced */
    WL_PUT,      /* PutItem, not synced */
    WL_GET,      /* GetItem */
    WL_UPDATE,   /* UpdateItem: SET of one attribute */
    WL_QUERY,    /* Query returning one partition's 100 items */
    WL_SCAN,     /* Scan of the whole table */
    WL_BATCH,    /* BatchWriteItem of 25 puts */
    WL_COUNT
};

/* Items per partition key: a Query returns this many. */
#define ITEMS_PER_PARTITION 100
#define BATCH_SIZE 25

/* A table: how many items, how big, how many global indexes. */
struct setup {
    uint64_t n_items;
    size_t item_size; /* bytes, as DynamoDB counts an item's size */
    unsigned gsis;    /* 0, 1 or 2 */
};

/* How the library is opened and called. */
struct variant {
    bool json;     /* kv_request instead of the typed functions */
    bool capacity; /* enforce capacity (never reached); else unlimited */
    bool sync;     /* sync each write */
};

struct engine {
    const char *name;
    /* Open (creating when `create`) the database in dir; NULL on failure,
     * with a message on stderr. */
    void *(*open)(const char *dir, const struct setup *s, const struct variant *v, bool create);
    void (*close)(void *e);
    /* Write items [0, n) in large batches. */
    int (*load)(void *e, uint64_t n);
    /* Per-thread state for ops. */
    void *(*thread_begin)(void *e);
    void (*thread_end)(void *ctx);
    /* One operation of workload w; `r` is random.  Returns the number of
     * items it read or wrote, or -1 on failure (message on stderr). */
    int64_t (*op)(void *ctx, enum workload w, uint64_t r);
    /* Whether the engine can run w through v. */
    bool (*supports)(const struct variant *v, enum workload w);
};

extern const struct engine engine_kv;
extern const struct engine engine_raw;

/* --- the data, shared by both engines (data.c) --- */

/* Key attribute values of item i: pk "p%08u" of i / 100, sk "s%08u" of i % 100. */
void data_pk(uint64_t i, char out[24]);
void data_sk(uint64_t i, char out[24]);
/* Global index key values of item i. */
void data_g1(uint64_t i, char out[24]);
void data_g2(uint64_t i, char out[24]);
/* Length of the "data" string that makes an item `item_size` bytes. */
size_t data_fill_len(size_t item_size);
/* A new string of n 'x', to free. */
char *data_fill_new(size_t n);
/* A partition key number and the item index of a batch's start, from r. */
uint64_t data_item(const struct setup *s, uint64_t r);
uint64_t data_partition(const struct setup *s, uint64_t r);
uint64_t data_batch_start(const struct setup *s, uint64_t r);
/* Element j (0 to BATCH_SIZE - 1) of the batch numbered by start. */
uint64_t data_batch_item(const struct setup *s, uint64_t start, size_t j);

static inline uint64_t
rng_next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

const char *workload_name(enum workload w);

#endif
