/*
 * capacity.c -- capacity unit arithmetic.  The rules (Developer Guide,
 * "Read/write capacity mode"): a read is charged per 4 KB of the item,
 * rounded up, one unit strongly consistent, half eventually consistent,
 * two in a transaction; a write per 1 KB, rounded up, two in a
 * transaction.  "KB" is 1024 bytes.  An absent item still costs the
 * minimum of one unit.
 */
#include "capacity.h"

uint64_t
capacity_read(size_t bytes, enum read_kind kind)
{
    uint64_t units = (bytes + 4095) / 4096;
    if (units == 0)
        units = 1;
    switch (kind) {
    case READ_EVENTUAL:
        return units;
    case READ_STRONG:
        return units * 2;
    default:
        return units * 4;
    }
}

uint64_t
capacity_write(size_t bytes, bool transactional)
{
    uint64_t units = (bytes + 1023) / 1024;
    if (units == 0)
        units = 1;
    return units * (transactional ? 4 : 2);
}
