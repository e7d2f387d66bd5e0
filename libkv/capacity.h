/*
 * capacity.h -- read and write capacity units, counted exactly.
 *
 * DynamoDB reports capacity in units with one decimal place where the only
 * fraction that occurs is one half (an eventually consistent read of up
 * to 4 KB costs 0.5).  Counting in integer half-units keeps every sum
 * exact; a half-unit count h is shown as h / 2.
 */
#ifndef KV_CAPACITY_H
#define KV_CAPACITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum read_kind {
    READ_EVENTUAL,      /* 0.5 per 4 KB */
    READ_STRONG,        /* 1 per 4 KB */
    READ_TRANSACTIONAL, /* 2 per 4 KB */
};

/* Half-units to read `bytes` as one item (at least one 4 KB unit). */
uint64_t capacity_read(size_t bytes, enum read_kind kind);
/* Half-units to write an item of `bytes` (at least one 1 KB unit). */
uint64_t capacity_write(size_t bytes, bool transactional);

enum return_cc {
    RETURN_CC_NONE = 0,
    RETURN_CC_TOTAL = 1,
    RETURN_CC_INDEXES = 2,
};

#define CONSUMED_MAX_INDEXES 25

/* What one request consumed on one table and its indexes, in half-units.
 * read and write are the totals; table_* the table's own share (local
 * secondary indexes draw on the table's capacity but are listed apart). */
struct consumed {
    uint64_t read;
    uint64_t write;
    uint64_t table_read;
    uint64_t table_write;
    size_t n_indexes;
    struct {
        const char *name;
        bool global;
        uint64_t read;
        uint64_t write;
    } idx[CONSUMED_MAX_INDEXES];
};

/* Start counting: totals zero, no index line.  The lines past n_indexes
 * are left as they are, since nothing reads them: cheaper than zeroing
 * the whole struct, which a GetItem would do twice. */
void consumed_init(struct consumed *c);
/* Add an index's units to its line (made on first use) and to the totals. */
void consumed_add_index(struct consumed *c, const char *name, bool global, uint64_t read,
                        uint64_t write);
/* Add the table's own units. */
void consumed_add_table(struct consumed *c, uint64_t read, uint64_t write);
/* Add everything of src to dst (requests touching one table several times). */
void consumed_merge(struct consumed *dst, const struct consumed *src);

#endif
