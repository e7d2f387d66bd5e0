/*
 * capacity_info.c -- kv_capacity_get: how much capacity a table or global
 * secondary index has available now, for people and monitoring.
 *
 * The table is looked up by name in a read transaction (capacity state is
 * keyed by TableId), and the buckets are read with throttle_peek inside
 * that transaction, because the table's description belongs to it.
 * throttle_peek works on a copy of the state, so reading never debits,
 * refills or creates anything: the shared file looks the same to the next
 * request whether or not anyone looked.  The conversion from ticks to
 * units is the only arithmetic here.
 */
#include "bucket.h"
#include "catalog.h"
#include "db.h"
#include "err.h"
#include "throttle.h"
#include "txn.h"

#include <string.h>

struct capacity_args {
    const char *table, *index;
    struct throttle_state state;
};

static bool
has_gsi(const struct table_def *def, const char *name)
{
    for (size_t i = 0; i < def->n_indexes; i++)
        if (def->indexes[i].global && strcmp(def->indexes[i].name, name) == 0)
            return true;
    return false;
}

static kv_status
capacity_body(struct txn *t, void *arg)
{
    struct capacity_args *a = arg;
    struct table_def *def;
    struct table_stats stats = {0, 0};
    struct throttle_table tt;
    struct throttle_index gsis[THROTTLE_GSI_MAX];
    kv_status st = catalog_get(t, a->table, strlen(a->table), &def);
    if (st != KV_OK)
        return st;
    if (!def)
        return err_set(t->err, KV_RESOURCE_NOT_FOUND,
                       "Requested resource not found: Table: %s not found", a->table);
    if (a->index && !has_gsi(def, a->index))
        return err_set(t->err, KV_RESOURCE_NOT_FOUND,
                       "Requested resource not found: Index: %s not found", a->index);
    if ((st = catalog_stats_get(t, def->dbname, &stats)) != KV_OK)
        return st;
    throttle_table_from_def(def, stats.size_bytes, &tt, gsis);
    return throttle_peek(t->db->throttle, &tt, a->index, &a->state, t->err);
}

/* Ticks to capacity units: 2 * BUCKET_TICKS ticks make one unit.  Exact
 * for every whole and half unit. */
static double
units(int64_t ticks)
{
    return (double)ticks / (2.0 * BUCKET_TICKS);
}

static void
bucket_info(int64_t level, int64_t per_ms, int64_t ceiling, kv_capacity_bucket *out)
{
    int64_t second = per_ms * 1000; /* one second of the rate, in ticks */
    out->rate = (double)per_ms / 2;
    out->available = units(level);
    out->burst = level > second ? units(level - second) : 0;
    out->ceiling = units(ceiling);
}

kv_status
kv_capacity_get(kv_db *db, const char *table, const char *index, kv_capacity_info *out)
{
    struct kv_err err;
    err_init(&err);
    if (out)
        memset(out, 0, sizeof *out);
    if (!db)
        return KV_MISUSE;
    if (!table || !out) {
        ERR_MISUSE(&err, "kv_capacity_get needs a table and an out-parameter");
        return db_finish(db, &err);
    }
    struct capacity_args a = {table, index, {0}};
    if (txn_run(db, false, capacity_body, &a, &err) == KV_OK) {
        const struct throttle_state *s = &a.state;
        out->billing_mode = s->billing == KV_PAY_PER_REQUEST ? KV_PAY_PER_REQUEST : KV_PROVISIONED;
        bucket_info(s->dir[0].level, s->dir[0].per_ms, s->dir[0].ceiling, &out->read);
        bucket_info(s->dir[1].level, s->dir[1].per_ms, s->dir[1].ceiling, &out->write);
        out->partitions = s->n_parts;
        out->unlimited = db->opt.unlimited_capacity != 0;
        out->at_ms = s->now_ms;
    }
    return db_finish(db, &err);
}
