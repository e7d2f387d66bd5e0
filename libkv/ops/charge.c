/*
 * charge.c -- an operation's capacity admission; see charge.h.
 *
 * The table is described afresh from the catalog in every request, inside
 * the operation's transaction, with its current size and its global
 * indexes' sizes (both count toward the number of partitions).  That is
 * how a change made by UpdateTable in another process reaches this one's
 * buckets: the description carries it (throttle.c orders descriptions by
 * their change time).  The sizes only decide partition counts, which
 * matter only when capacity is enforced: an unlimited handle leaves them
 * unread (0 never lowers a count).
 */
#include "charge.h"
#include "arena.h"
#include "err.h"
#include "catalog.h"
#include "db.h"
#include "item_common.h"
#include "keycodec.h"
#include "txn.h"
#include "write_core.h"

#include <string.h>

/*
 * Describe def; `only` limits the description to the resources a request
 * charges: ONLY_ALL for every one, ONLY_TABLE for the table alone (its
 * global indexes are left out), or the name of the one global index
 * charged (the sizes of the others are left 0).  Admission looks only at
 * the resources charged, so nothing it sees changes.
 */
#define ONLY_ALL ((const char *)1)
#define ONLY_TABLE NULL

static kv_status
describe(struct txn *t, const struct table_def *def, const char *only, struct charge_table *ct)
{
    struct table_stats stats;
    bool unlimited = throttle_is_unlimited(t->db->throttle);
    kv_status st = KV_OK;
    stats.size_bytes = 0;
    if (!unlimited && (only == ONLY_ALL || only == ONLY_TABLE) &&
        (st = catalog_stats_get(t, def->dbname, &stats)) != KV_OK)
        return st;
    if (only == ONLY_TABLE) {
        throttle_table_alone_from_def(def, stats.size_bytes, &ct->t);
        return KV_OK;
    }
    throttle_table_from_def(def, stats.size_bytes, &ct->t, ct->gsis);
    if (unlimited)
        return KV_OK;
    for (size_t i = 0; i < def->n_indexes; i++) {
        const struct index_def *ix = &def->indexes[i];
        if (!ix->global || (only != ONLY_ALL && strcmp(only, ix->name) != 0))
            continue;
        for (size_t g = 0; g < ct->t.n_gsis; g++) {
            if (strcmp(ct->gsis[g].name, ix->name) != 0)
                continue;
            if ((st = catalog_stats_get(t, ix->dbname, &stats)) != KV_OK)
                return st;
            ct->gsis[g].size_bytes = stats.size_bytes;
        }
    }
    return KV_OK;
}

kv_status
charge_describe(struct txn *t, const struct table_def *def, struct charge_table *ct)
{
    return describe(t, def, ONLY_ALL, ct);
}

kv_status
charge_write(struct txn *t, const struct table_def *def, enum metrics_op op,
             const struct keybuf *key, const struct consumed *c, struct throttle_ticket *ticket)
{
    struct charge_table ct;
    struct throttle_write w;
    struct throttle_gsi_write g[THROTTLE_GSI_MAX];
    kv_status st = charge_describe(t, def, &ct);
    if (st != KV_OK)
        return st;
    throttle_write_from_consumed(&w, &ct.t, op, keycodec_key_hash(key->bytes, key->len), c, g);
    return throttle_write_admit(t->db->throttle, &w, ticket, t->err);
}

kv_status
charge_write_units(struct txn *t, const struct table_def *def, enum metrics_op op,
                   const struct keybuf *key, uint64_t units, struct throttle_ticket *ticket)
{
    struct consumed c;
    memset(&c, 0, sizeof c);
    consumed_add_table(&c, 0, units);
    return charge_write(t, def, op, key, &c, ticket);
}

kv_status
charge_condition_failed(struct txn *t, const struct item_write *w, size_t new_size,
                        enum metrics_op op, bool return_old, struct throttle_ticket *ticket)
{
    size_t size = w->old_size > new_size ? w->old_size : new_size;
    kv_status st = charge_write_units(t, w->def, op, &w->key, capacity_write(size, false), ticket);
    if (st != KV_OK)
        return st;
    return item_condition_failed(t, w->old, return_old);
}

kv_status
charge_read_admit(struct txn *t, const struct table_def *def, enum metrics_op op,
                  const char *gsi, const uint8_t *key, size_t len, bool consistent,
                  struct throttle_ticket *ticket)
{
    struct charge_table ct;
    kv_status st = describe(t, def, gsi ? gsi : ONLY_TABLE, &ct);
    if (st != KV_OK)
        return st;
    struct throttle_read r = {
        .table = &ct.t,
        .op = op,
        .index = gsi,
        .has_hash = key != NULL,
        .hash = key ? keycodec_key_hash(key, len) : 0,
        .estimate = capacity_read(0, consistent ? READ_STRONG : READ_EVENTUAL),
    };
    return throttle_read_admit(t->db->throttle, &r, ticket, t->err);
}

void
charge_read_settle(struct txn *t, struct throttle_ticket *ticket, uint64_t half_units)
{
    throttle_read_settle(t->db->throttle, ticket, half_units);
}

void
charge_finish(struct kv_db *db, kv_status st, struct throttle_ticket *ticket)
{
    if (st != KV_OK && st != KV_CONDITIONAL_CHECK_FAILED)
        throttle_refund(db->throttle, ticket);
}

kv_status
charge_batch_write(struct txn *t, const struct charge_table *ct, struct throttle_batch *b,
                   const struct keybuf *key, const struct consumed *c,
                   struct throttle_ticket *ticket)
{
    struct throttle_write w;
    struct throttle_gsi_write g[THROTTLE_GSI_MAX];
    throttle_write_from_consumed(&w, &ct->t, b->op, keycodec_key_hash(key->bytes, key->len), c,
                                 g);
    return throttle_batch_write(t->db->throttle, b, &w, ticket, t->err);
}

kv_status
charge_batch_read(struct txn *t, const struct charge_table *ct, struct throttle_batch *b,
                  const struct keybuf *key, uint64_t estimate, struct throttle_ticket *ticket)
{
    struct throttle_read r = {
        .table = &ct->t,
        .op = b->op,
        .index = NULL,
        .has_hash = true,
        .hash = keycodec_key_hash(key->bytes, key->len),
        .estimate = estimate,
    };
    return throttle_batch_read(t->db->throttle, b, &r, ticket, t->err);
}

bool
charge_refused(kv_status st)
{
    return st == KV_PROVISIONED_THROUGHPUT_EXCEEDED || st == KV_THROTTLING;
}

kv_status
charge_cancel_reason(struct txn *t, const struct throttle_batch *b, struct arena *a,
                     struct err_reason *r)
{
    struct kv_err e;
    err_init(&e);
    kv_status st = throttle_error(b->hits, b->n_hits, &e);
    memset(r, 0, sizeof *r);
    r->code = st == KV_PROVISIONED_THROUGHPUT_EXCEEDED ? "ProvisionedThroughputExceeded"
                                                       : "ThrottlingError";
    const char *m = err_message(&e);
    r->message = arena_strndup(a, m, strlen(m));
    err_clear(&e);
    return r->message ? KV_OK : err_nomem(t->err);
}
