/*
 * capacity.c -- capacity unit arithmetic.  The rules (Developer Guide,
 * "Read/write capacity mode"): a read is charged per 4 KB of the item,
 * rounded up, one unit strongly consistent, half eventually consistent,
 * two in a transaction; a write per 1 KB, rounded up, two in a
 * transaction.  "KB" is 1024 bytes.  An absent item still costs the
 * minimum of one unit.
 */
#include "capacity.h"

#include <string.h>

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

void
consumed_add_index(struct consumed *c, const char *name, bool global, uint64_t read,
                   uint64_t write)
{
    size_t i = 0;
    while (i < c->n_indexes && strcmp(c->idx[i].name, name) != 0)
        i++;
    if (i == c->n_indexes) {
        if (i == CONSUMED_MAX_INDEXES)
            return;
        c->idx[i].name = name;
        c->idx[i].global = global;
        c->idx[i].read = c->idx[i].write = 0;
        c->n_indexes++;
    }
    c->idx[i].read += read;
    c->idx[i].write += write;
    c->read += read;
    c->write += write;
}

void
consumed_init(struct consumed *c)
{
    c->read = c->write = c->table_read = c->table_write = 0;
    c->n_indexes = 0;
}

void
consumed_add_table(struct consumed *c, uint64_t read, uint64_t write)
{
    c->table_read += read;
    c->table_write += write;
    c->read += read;
    c->write += write;
}

void
consumed_merge(struct consumed *dst, const struct consumed *src)
{
    consumed_add_table(dst, src->table_read, src->table_write);
    for (size_t i = 0; i < src->n_indexes; i++)
        consumed_add_index(dst, src->idx[i].name, src->idx[i].global, src->idx[i].read,
                           src->idx[i].write);
}
