/*
 * metrics_api.c -- kv_metric_get: CloudWatch-style metrics of a table or
 * index, read from the capacity state.
 *
 * The table is looked up by name in a read transaction (state is keyed by
 * TableId); the points are read under the capacity state's lock inside
 * that transaction, because the table's description belongs to it.
 */
#include "catalog.h"
#include "db.h"
#include "err.h"
#include "mem.h"
#include "metrics.h"
#include "throttle.h"
#include "txn.h"

#include <string.h>

struct metric_args {
    const char *table, *index;
    enum metrics_metric metric;
    int op;
    int64_t start_ms, end_ms;
    struct metrics_point *points;
    size_t n;
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
metric_body(struct txn *t, void *arg)
{
    struct metric_args *a = arg;
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
    return throttle_metrics(t->db->throttle, &tt, a->index, a->metric, a->op, a->start_ms,
                            a->end_ms, a->points, &a->n, t->err);
}

/* Arguments, checked as the typed API checks them: NULLs are misuse;
 * names that do not exist are DynamoDB-style validation errors. */
static kv_status
metric_check(struct metric_args *a, const char *metric, const char *operation,
             struct kv_err *err)
{
    int m = metrics_find(metric);
    if (m < 0)
        return err_set(err, KV_VALIDATION, "Unknown metric: %s", metric);
    a->metric = (enum metrics_metric)m;
    if (a->index && !metrics_for_index(a->metric))
        return err_set(err, KV_VALIDATION, "Metric %s has no index dimension", metric);
    a->op = -1;
    if (operation && a->metric != MM_THROTTLED_REQUESTS)
        return err_set(err, KV_VALIDATION, "Metric %s has no Operation dimension", metric);
    if (operation && (a->op = metrics_op_find(operation)) < 0)
        return err_set(err, KV_VALIDATION, "Unknown operation: %s", operation);
    if (a->end_ms < a->start_ms)
        return err_set(err, KV_VALIDATION, "The end time must not be before the start time");
    return KV_OK;
}

static kv_status
metric_copy(const struct metric_args *a, kv_metric_datum **data, size_t *count,
            struct kv_err *err)
{
    if (a->n == 0)
        return KV_OK;
    kv_metric_datum *d = mem_alloc(a->n * sizeof *d);
    if (!d)
        return err_nomem(err);
    for (size_t i = 0; i < a->n; i++) {
        const struct metrics_point *p = &a->points[i];
        d[i].timestamp_ms = p->minute_ms;
        /* Half-units are exact in a double far beyond any count kept. */
        d[i].sum = p->halves ? (double)p->value / 2 : (double)p->value;
        d[i].sample_count = p->samples;
    }
    *data = d;
    *count = a->n;
    return KV_OK;
}

kv_status
kv_metric_get(kv_db *db, const char *table, const char *index, const char *metric,
              const char *operation, int64_t start_ms, int64_t end_ms, kv_metric_datum **data,
              size_t *count)
{
    struct kv_err err;
    err_init(&err);
    if (data)
        *data = NULL;
    if (count)
        *count = 0;
    if (!db)
        return KV_MISUSE;
    if (!table || !metric || !data || !count) {
        ERR_MISUSE(&err, "kv_metric_get needs a table, a metric and out-parameters");
        return db_finish(db, &err);
    }
    struct metric_args a = {table, index, 0, -1, start_ms, end_ms, NULL, 0};
    if (metric_check(&a, metric, operation, &err) == KV_OK &&
        !(a.points = mem_alloc(METRICS_MINUTES * sizeof *a.points)))
        err_nomem(&err);
    if (err.status == KV_OK && txn_run(db, false, metric_body, &a, &err) == KV_OK)
        metric_copy(&a, data, count, &err);
    mem_free(a.points);
    return db_finish(db, &err);
}
