/*
 * partition.c -- the partition model.
 *
 * Count.  The 2018 Developer Guide sized a table at
 * ceil(RCU / 3000 + WCU / 1000) partitions for throughput and
 * ceil(size / 10 GB) for data, taking the larger; a partition that fills
 * splits in two; a throughput raise beyond what the partitions serve
 * doubles their number; partitions never merge.  AWS has since removed the
 * formula, so it is a model, not a contract, but it is the only published
 * one and gives the behaviour users observe: a table provisioned high and
 * then lowered keeps its partitions.
 *
 * Placement.  Partition i of n serves the hashes [i * 2^64 / n,
 * (i + 1) * 2^64 / n).  Equal ranges are what a table split evenly by
 * doubling has; data-driven splits in DynamoDB are uneven, which the model
 * ignores.
 *
 * Slots.  Each partition has its own read and write bucket, kept in a
 * fixed array of PARTITION_SLOTS (so the shared file has a fixed layout).
 * Beyond that many partitions (over 5 TB, or over 512,000 WCU), adjacent
 * partitions share a slot whose ceiling is the sum of theirs: keys that
 * would be throttled separately are throttled together, which only
 * matters for tables far larger than an embedded store holds.
 */
#include "partition.h"

static uint64_t
div_ceil(uint64_t a, uint64_t b)
{
    return a / b + (a % b != 0);
}

uint32_t
partition_for_throughput(int64_t r, int64_t w)
{
    if (r < 0)
        r = 0;
    if (w < 0)
        w = 0;
    /* r/3000 + w/1000 = (r + 3w) / 3000, in integers. */
    uint64_t n = div_ceil((uint64_t)r + 3 * (uint64_t)w, 3000);
    if (n > UINT32_MAX)
        n = UINT32_MAX;
    return n ? (uint32_t)n : 1;
}

uint32_t
partition_for_size(uint64_t bytes)
{
    uint64_t n = div_ceil(bytes, PARTITION_BYTES);
    return n ? (uint32_t)n : 1;
}

uint32_t
partition_count_next(uint32_t current, int64_t r, int64_t w, uint64_t bytes)
{
    uint32_t by_tp = partition_for_throughput(r, w);
    uint32_t by_size = partition_for_size(bytes);
    uint32_t n = current;
    if (by_tp > current) {
        uint64_t doubled = current ? (uint64_t)current * 2 : 0;
        n = doubled > by_tp ? (doubled > UINT32_MAX ? UINT32_MAX : (uint32_t)doubled) : by_tp;
    }
    if (by_size > n)
        n = by_size;
    return n ? n : 1;
}

uint64_t
partition_start(uint32_t i, uint32_t count)
{
    if (count <= 1 || i == 0)
        return 0;
    /* The least h with floor(h * count / 2^64) == i is ceil(i * 2^64 / count).
     * With 2^64 = q * count + rem (rem in 1..count): i * q + ceil(i * rem / count),
     * where i * rem < 2^64 because both are below 2^32. */
    uint64_t q = UINT64_MAX / count;
    uint64_t rem = UINT64_MAX % count + 1;
    return (uint64_t)i * q + div_ceil((uint64_t)i * rem, count);
}
