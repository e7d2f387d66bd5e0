/*
 * read_common.h -- what Query and Scan share: checking Select against the
 * projection, parsing the expressions, finding the table or index to read,
 * and the page loop that counts, filters, projects and stops where
 * DynamoDB stops (Limit items read, or 1 MB read).
 */
#ifndef KV_READ_COMMON_H
#define KV_READ_COMMON_H

#include "catalog.h"
#include "itemcodec.h"
#include "keycodec.h"
#include "kv.h"
#include "metrics.h"
#include "ops.h"
#include "txn.h"
#include "value.h"

#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>

struct expr_cond;
struct expr_proj;
struct expr_request;
struct throttle_ticket;
struct txn;

/* DynamoDB stops a page once it has read this much. */
#define READ_PAGE_BYTES (1024 * 1024)

/* What a read walks: the table itself or one of its indexes. */
struct read_target {
    const struct table_def *def;
    const struct index_def *ix; /* NULL for the table */
    MDB_dbi dbi;
    const struct key_schema *key; /* the target's own key schema */
    /* A local index read that needs attributes the index does not
     * project fetches each item from the table, as DynamoDB does. */
    bool fetch;
    MDB_dbi table_dbi;
};

/* The parsed expressions of a read. */
struct read_exprs {
    struct expr_cond *key_condition;
    struct expr_cond *filter;
    struct expr_proj *projection;
    int select; /* resolved: never SELECT_DEFAULT */
};

/*
 * Checks that need no table: Select against ProjectionExpression and
 * IndexName, Limit, then the expressions (parsed into `ex`).
 */
kv_status read_prepare(struct op_ctx *c, const struct read_req *r, bool query,
                       struct read_exprs *ex);

/* The table or index of the request, with DynamoDB's errors. */
kv_status read_target_open(struct txn *t, const struct read_req *r, const struct read_exprs *ex,
                           struct read_target *tg);

/*
 * Admit a page's read before reading (charge.h): a global index's reads
 * spend its own capacity, a table's and a local index's (fetches
 * included) the table's.  `key` begins with the hash of the partition a
 * Query reads; a Scan passes NULL and charges no partition.
 */
kv_status read_admit(struct txn *t, const struct read_req *r, const struct read_target *tg,
                     enum metrics_op op, const uint8_t *key, size_t len,
                     struct throttle_ticket *ticket);

/* The page loop's state. */
struct pager {
    const struct read_req *r;
    struct read_resp *out;
    const struct read_target *tg;
    const struct read_exprs *ex;
    struct arena *scratch;
    size_t bytes;            /* DynamoDB size of everything read */
    uint64_t fetch_units;    /* half-units of items fetched from the table */
    struct kv_value last;    /* the last item read: LastEvaluatedKey's source */
    bool have_last;
    bool stopped;            /* Limit or the page size was reached */
    /* Items are kept whole in the arena they are decoded in, which is the
     * one the response is built in: each entry is copied there as it is
     * decoded (pager_decode) and a kept item stands as decoded, instead of
     * being copied member by member. */
    bool keep_decoded;
    bool keep_all; /* keep_decoded, and nothing is filtered out */
};

void pager_init(struct pager *p, const struct read_req *r, struct read_resp *out,
                const struct read_target *tg, const struct read_exprs *ex, struct arena *scratch);

/*
 * Decode a stored entry for the page into *item, its DynamoDB size (from
 * its header) into *size.  When the pager keeps items as decoded, the
 * entry is copied into the response's memory first (the item outlives the
 * transaction); else the item borrows from the map, within the read.
 */
static inline kv_status
pager_decode(struct pager *p, struct txn *t, const MDB_val *val, struct kv_value *item,
             size_t *size)
{
    return itemcodec_decode_sized(val->mv_data, val->mv_size, p->scratch, !p->keep_decoded, item,
                                  size, t->err);
}

/* Set p->stopped once Limit items or READ_PAGE_BYTES have been read. */
static inline void
pager_check_full(struct pager *p)
{
    if ((p->r->has_limit && p->out->scanned >= (uint64_t)p->r->limit) ||
        p->bytes >= READ_PAGE_BYTES)
        p->stopped = true;
}

/* pager_take's whole work: fetching, the filter, projecting, growing the
 * items' array. */
kv_status pager_take_general(struct pager *p, struct txn *t, const struct kv_value *item,
                             size_t size);

/*
 * Account for one stored entry read, decoded by pager_decode: count it,
 * filter it, keep it or its projection.  Sets p->stopped when the page is
 * full.  A page that keeps every item as decoded takes it here, inline,
 * while its array has room.
 */
static inline kv_status
pager_take(struct pager *p, struct txn *t, const struct kv_value *item, size_t size)
{
    struct read_resp *o = p->out;
    if (!p->keep_all || o->n_items == o->cap_items)
        return pager_take_general(p, t, item, size);
    o->scanned++;
    o->count++;
    p->bytes += size;
    p->last = *item;
    p->have_last = true;
    o->items[o->n_items++] = *item; /* its bytes are pager_decode's copy */
    pager_check_full(p);
    return KV_OK;
}

/* LastEvaluatedKey (when stopped) and the capacity consumed. */
kv_status pager_finish(struct pager *p, struct txn *t);

/*
 * Check an ExclusiveStartKey's attributes against the table's key schema
 * and, for an index, the index's: exactly those attributes, of their
 * types.  Returns "The provided starting key is invalid: ..." errors.
 */
kv_status read_check_start_key(struct txn *t, const struct read_target *tg,
                               const struct kv_value *start);

/* The stored key of the entry an ExclusiveStartKey names. */
kv_status read_start_stored_key(struct txn *t, const struct read_target *tg,
                                const struct kv_value *start, struct keybuf *kb);

#endif
