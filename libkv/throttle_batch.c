/*
 * throttle_batch.c -- batches, the throttling exceptions, and describing a
 * table from its catalog entry.
 *
 * Batches.  BatchGetItem and BatchWriteItem are admitted element by
 * element, each as an independent request (DynamoDB: "each element is an
 * independent Get/Put/Delete").  A throttled element comes back
 * unprocessed; the others go on.  Only when no element at all was served
 * does the batch fail, with the exception DynamoDB gives:
 * ProvisionedThroughputExceededException when a provisioned table or index
 * ran short, else ThrottlingException.  ThrottledRequests is counted once
 * per table of the batch, and only then (CloudWatch: "not incremented
 * unless all of the individual events are throttled").
 *
 * Messages, as DynamoDB sends them:
 *   table, provisioned   "The level of configured provisioned throughput
 *                        for the table was exceeded. ..."
 *   GSIs only, provisioned  "... for one or more global secondary indexes of
 *                        the table was exceeded. ..."
 *   table, other causes  "Throughput exceeds the current capacity of your
 *                        table or index. ..."
 *   GSIs only, other     "Throughput exceeds the current capacity for one
 *                        or more global secondary indexes. ..."
 */
#include "throttle.h"
#include "arena.h"
#include "capacity.h"
#include "catalog.h"
#include "err.h"
#include "throttle_impl.h"

#include <string.h>

#define ARN_PREFIX "arn:aws:dynamodb:ddblocal:000000000000:table/"

static const char msg_table_provisioned[] =
    "The level of configured provisioned throughput for the table was exceeded. Consider "
    "increasing your provisioning level with the UpdateTable API.";
static const char msg_index_provisioned[] =
    "The level of configured provisioned throughput for one or more global secondary indexes "
    "of the table was exceeded. Consider increasing your provisioning level for the "
    "under-provisioned global secondary indexes with the UpdateTable API";
static const char msg_table_throttled[] =
    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically "
    "scaling your table or index so please try again shortly. If exceptions persist, check if "
    "you have a hot key: "
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html";
static const char msg_index_throttled[] =
    "Throughput exceeds the current capacity for one or more global secondary indexes. "
    "DynamoDB is automatically scaling your index so please try again shortly.";

/* The message: about the table if the table itself is among the refusals
 * that decide the exception, else about its indexes. */
static const char *
hits_message(const struct throttle_hit *hits, size_t n, kv_status st)
{
    bool prov = st == KV_PROVISIONED_THROUGHPUT_EXCEEDED;
    for (size_t i = 0; i < n; i++)
        if (!hits[i].index && (!prov || hits[i].reason == METRICS_REASON_PROVISIONED))
            return prov ? msg_table_provisioned : msg_table_throttled;
    return prov ? msg_index_provisioned : msg_index_throttled;
}

kv_status
throttle_error(const struct throttle_hit *hits, size_t n, struct kv_err *err)
{
    kv_status st = throttle_hits_status(hits, n);
    if (err->status != KV_OK)
        return err->status; /* the first error wins */
    err_set(err, st, "%s", hits_message(hits, n, st));
    struct arena *a = err_extra(err);
    kv_throttling_reason *r = a ? arena_alloc(a, (n ? n : 1) * sizeof *r) : NULL;
    if (!r)
        return st; /* the exception stands without its reasons */
    for (size_t i = 0; i < n; i++) {
        const struct throttle_hit *h = &hits[i];
        r[i].reason = arena_printf(a, "%s%s%sExceeded", h->index ? "Index" : "Table",
                                   h->write ? "Write" : "Read", metrics_reason_name(h->reason));
        r[i].resource = h->index ? arena_printf(a, ARN_PREFIX "%s/index/%s", h->table->name,
                                                h->index)
                                 : arena_printf(a, ARN_PREFIX "%s", h->table->name);
        if (!r[i].reason || !r[i].resource)
            return st;
    }
    err->throttle = r;
    err->n_throttle = n;
    return st;
}

/* --- batches -------------------------------------------------------------- */

void
throttle_batch_init(struct throttle_batch *b, enum metrics_op op)
{
    memset(b, 0, sizeof *b);
    b->op = op;
}

static void
batch_note_table(struct throttle_batch *b, const struct throttle_table *t)
{
    for (size_t i = 0; i < b->n_tables; i++)
        if (strcmp(b->tables[i]->id, t->id) == 0)
            return;
    if (b->n_tables < THROTTLE_BATCH_TABLES)
        b->tables[b->n_tables++] = t;
}

/* Fold one element's outcome into the batch. */
static kv_status
batch_element(struct throttle_batch *b, const struct throttle_table *t, kv_status st,
              const struct throttle_hit *hits, size_t n_hits)
{
    batch_note_table(b, t);
    if (st == KV_OK) {
        b->served++;
    } else if (st == KV_PROVISIONED_THROUGHPUT_EXCEEDED || st == KV_THROTTLING) {
        b->throttled++;
        for (size_t i = 0; i < n_hits; i++)
            throttle_hit_add(b->hits, &b->n_hits, hits[i].table, hits[i].index, hits[i].write,
                             hits[i].reason);
    }
    return st;
}

kv_status
throttle_batch_write(struct throttle *th, struct throttle_batch *b,
                     const struct throttle_write *w, struct throttle_ticket *ticket,
                     struct kv_err *err)
{
    struct throttle_charge c[THROTTLE_CHARGES_MAX];
    struct throttle_hit hits[THROTTLE_HITS_MAX];
    size_t n = 0, n_hits = 0;
    if (w->n_gsis > THROTTLE_GSI_MAX)
        return ERR_MISUSE(err, "a write touches at most %d global secondary indexes",
                          THROTTLE_GSI_MAX);
    if (w->units)
        c[n++] = (struct throttle_charge){NULL, true, w->units, true, w->hash};
    for (size_t i = 0; i < w->n_gsis; i++)
        if (w->gsis[i].units)
            c[n++] = (struct throttle_charge){w->gsis[i].index, true, w->gsis[i].units,
                                              w->gsis[i].has_hash, w->gsis[i].hash};
    kv_status st = throttle_admit(th, w->table, c, n, b->op, true, ticket, hits, &n_hits, err);
    return batch_element(b, w->table, st, hits, n_hits);
}

kv_status
throttle_batch_read(struct throttle *th, struct throttle_batch *b, const struct throttle_read *r,
                    struct throttle_ticket *ticket, struct kv_err *err)
{
    struct throttle_charge c = {r->index, false, r->estimate ? r->estimate : 1, r->has_hash,
                                r->hash};
    struct throttle_hit hits[THROTTLE_HITS_MAX];
    size_t n_hits = 0;
    kv_status st = throttle_admit(th, r->table, &c, 1, b->op, true, ticket, hits, &n_hits, err);
    return batch_element(b, r->table, st, hits, n_hits);
}

kv_status
throttle_batch_finish(struct throttle *th, struct throttle_batch *b, struct kv_err *err)
{
    if (b->served > 0 || b->throttled == 0)
        return KV_OK;
    for (size_t i = 0; i < b->n_tables; i++)
        throttle_count_request(th, b->tables[i], b->op);
    return throttle_error(b->hits, b->n_hits, err);
}

/* --- from the catalog ---------------------------------------------------------- */

static int64_t
max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* The latest change to the table's or any index's throughput or capacity
 * mode: it orders descriptions read by different processes.  Every change
 * UpdateTable makes bumps one of these: LastIncrease/LastDecrease (table
 * or index), the switch to on-demand, or the switch back to provisioned. */
static int64_t
def_changed_ms(const struct table_def *def)
{
    int64_t t = max64(max64(def->created_ms, def->last_increase_ms),
                      max64(def->last_decrease_ms, def->pay_per_request_ms));
    t = max64(t, def->provisioned_ms);
    for (size_t i = 0; i < sizeof def->on_demand_switches / sizeof def->on_demand_switches[0];
         i++)
        t = max64(t, def->on_demand_switches[i]);
    for (size_t i = 0; i < def->n_indexes; i++)
        t = max64(t, max64(def->indexes[i].last_increase_ms, def->indexes[i].last_decrease_ms));
    return t;
}

void
throttle_table_from_def(const struct table_def *def, uint64_t size_bytes,
                        struct throttle_table *out, struct throttle_index *gsis)
{
    throttle_table_alone_from_def(def, size_bytes, out);
    out->gsis = gsis;
    for (size_t i = 0; i < def->n_indexes && out->n_gsis < THROTTLE_GSI_MAX; i++) {
        const struct index_def *x = &def->indexes[i];
        if (!x->global)
            continue;
        struct throttle_index *g = &gsis[out->n_gsis++];
        memset(g, 0, sizeof *g);
        g->name = x->name;
        g->rcu = def->billing == KV_PROVISIONED ? x->rcu : 0;
        g->wcu = def->billing == KV_PROVISIONED ? x->wcu : 0;
        g->created_ms = x->created_ms;
    }
}

void
throttle_table_alone_from_def(const struct table_def *def, uint64_t size_bytes,
                              struct throttle_table *out)
{
    memset(out, 0, sizeof *out);
    out->id = def->uuid;
    out->name = def->name;
    out->billing = def->billing;
    out->rcu = def->billing == KV_PROVISIONED ? def->rcu : 0;
    out->wcu = def->billing == KV_PROVISIONED ? def->wcu : 0;
    out->size_bytes = size_bytes;
    out->created_ms = def->created_ms;
    out->changed_ms = def_changed_ms(def);
}

void
throttle_write_from_consumed(struct throttle_write *w, const struct throttle_table *t,
                             enum metrics_op op, uint64_t hash, const struct consumed *c,
                             struct throttle_gsi_write *gsis)
{
    memset(w, 0, sizeof *w);
    w->table = t;
    w->op = op;
    w->hash = hash;
    w->units = c->table_write;
    w->gsis = gsis;
    for (size_t i = 0; i < c->n_indexes && i < CONSUMED_MAX_INDEXES; i++) {
        if (!c->idx[i].global) {
            w->units += c->idx[i].write; /* a local index spends the table's capacity */
        } else if (c->idx[i].write && w->n_gsis < THROTTLE_GSI_MAX) {
            struct throttle_gsi_write *g = &gsis[w->n_gsis++];
            memset(g, 0, sizeof *g);
            g->index = c->idx[i].name;
            g->units = c->idx[i].write;
        }
    }
}
