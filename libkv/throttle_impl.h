/*
 * throttle_impl.h -- what throttle.c shares with throttle_batch.c and no
 * one else: the admission of a list of charges, with or without counting
 * the request as throttled.
 */
#ifndef KV_THROTTLE_IMPL_H
#define KV_THROTTLE_IMPL_H

#include "throttle.h"

/* One bucket pair a request draws on: a table's or a GSI's, one direction. */
struct throttle_charge {
    const char *index; /* NULL: the table */
    bool write;
    uint64_t units;    /* half-units */
    bool has_hash;
    uint64_t hash;
};

/*
 * Admit every charge or none.  KV_OK: all debited, the ticket holds them.
 * KV_PROVISIONED_THROUGHPUT_EXCEEDED / KV_THROTTLING: the buckets that
 * refused are in hits (room for THROTTLE_HITS_MAX), nothing debited, err
 * untouched; throttle events counted, and ThrottledRequests for `op` too
 * unless `batch`.  Other statuses: failure, in err.
 */
kv_status throttle_admit(struct throttle *th, const struct throttle_table *t,
                         const struct throttle_charge *c, size_t n, enum metrics_op op,
                         bool batch, struct throttle_ticket *ticket, struct throttle_hit *hits,
                         size_t *n_hits, struct kv_err *err);

/* Add a hit unless the same (table, index, direction, reason) is there;
 * at most THROTTLE_HITS_MAX are kept. */
void throttle_hit_add(struct throttle_hit *hits, size_t *n, const struct throttle_table *t,
                      const char *index, bool write, int reason);

/* The exception status for a set of hits. */
kv_status throttle_hits_status(const struct throttle_hit *hits, size_t n);

#endif
