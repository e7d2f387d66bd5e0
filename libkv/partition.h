/*
 * partition.h -- how many partitions a table or index has, and which one
 * serves a key.
 *
 * DynamoDB spreads a table's items over partitions by a hash of the
 * partition key, and no partition serves more than 3,000 read units and
 * 1,000 write units per second, whatever the table's throughput.  libkv
 * places items by the XXH3 hash in the first 8 bytes of every key
 * (keycodec.h); here the 2^64 hash space is cut into equal ranges, one per
 * partition.  The count follows the sizing rules DynamoDB once documented;
 * partition.c has the details and what the model leaves out.
 */
#ifndef KV_PARTITION_H
#define KV_PARTITION_H

#include <stdint.h>

/* Per-partition ceilings, units per second (both capacity modes). */
#define PARTITION_READ_UNITS 3000
#define PARTITION_WRITE_UNITS 1000
/* Data a partition holds before it splits. */
#define PARTITION_BYTES (10ULL << 30)
/* Partitions tracked with buckets of their own; see partition.c. */
#define PARTITION_SLOTS 512

/* Partitions needed for a throughput of r read and w write units/s (>= 1). */
uint32_t partition_for_throughput(int64_t r, int64_t w);
/* Partitions needed to hold `bytes` of data (>= 1). */
uint32_t partition_for_size(uint64_t bytes);

/*
 * The count after a change: partitions never merge, so the count never
 * falls; a throughput raise beyond what the current partitions serve
 * doubles it (or more, if that is still too few); growth by size adds what
 * the data needs.  `current` 0 means a new table.
 */
uint32_t partition_count_next(uint32_t current, int64_t r, int64_t w, uint64_t bytes);

/* The partition (0..count-1) whose hash range holds `hash`: floor(hash *
 * count / 2^64) in 64-bit arithmetic (count fits 32 bits, so the two
 * 32-bit halves of hash give products that fit 64).  Inline, with the
 * slot functions below, because every request with a key runs them. */
static inline uint32_t
partition_of(uint64_t hash, uint32_t count)
{
    if (count <= 1)
        return 0;
    uint64_t hi = (hash >> 32) * count;
    uint64_t lo = (hash & 0xffffffffu) * count;
    return (uint32_t)((hi + (lo >> 32)) >> 32);
}
/* The lowest hash in partition i of count: the start of its range. */
uint64_t partition_start(uint32_t i, uint32_t count);

/*
 * The bucket slot (0..PARTITION_SLOTS-1) of partition p of count, and how
 * many partitions share that slot: 1 unless count > PARTITION_SLOTS.
 */
static inline uint32_t
partition_slot_width(uint32_t count)
{
    return count <= PARTITION_SLOTS
               ? 1
               : (uint32_t)(((uint64_t)count + PARTITION_SLOTS - 1) / PARTITION_SLOTS);
}

static inline uint32_t
partition_slot(uint32_t p, uint32_t count)
{
    return count <= PARTITION_SLOTS ? p : p / partition_slot_width(count);
}

#endif
