/*
 * op_describe_table.c -- DescribeTable, and helpers shared by the table
 * operations.
 */
#include "ops.h"
#include "arena.h"
#include "db.h"
#include "err.h"
#include "txn.h"

#include <string.h>

void
table_desc_release(struct table_desc *d)
{
    table_def_free(d->def);
    memset(d, 0, sizeof *d);
}

kv_status
op_table_not_found(struct op_ctx *c)
{
    return err_set(c->err, KV_RESOURCE_NOT_FOUND, "Requested resource not found");
}

const char *
op_table_arn(struct arena *a, const char *table)
{
    /* DynamoDB Local's region and account, which local tools recognise. */
    return arena_printf(a, "arn:aws:dynamodb:ddblocal:000000000000:table/%s", table);
}

kv_status
table_desc_fill(struct txn *t, const struct table_def *def, struct table_desc *d)
{
    kv_status st = catalog_stats_get(t, def->dbname, &d->stats);
    for (size_t i = 0; i < def->n_indexes && i < CONSUMED_MAX_INDEXES && st == KV_OK; i++)
        st = catalog_stats_get(t, def->indexes[i].dbname, &d->index_stats[i]);
    if (st != KV_OK)
        return st;
    table_def_free(d->def);
    if (!(d->def = table_def_clone(def)))
        return err_nomem(t->err);
    /* The decrease counts restart every UTC day. */
    int64_t today = db_now_ms(t->db) / 86400000;
    if (d->def->last_decrease_ms / 86400000 != today)
        d->def->decreases_today = 0;
    for (size_t i = 0; i < d->def->n_indexes; i++)
        if (d->def->indexes[i].last_decrease_ms / 86400000 != today)
            d->def->indexes[i].decreases_today = 0;
    return KV_OK;
}

struct describe_args {
    const char *name;
    struct table_desc *out;
};

static kv_status
describe_body(struct txn *t, void *arg)
{
    struct describe_args *a = arg;
    struct table_def *def;
    kv_status st = catalog_get(t, a->name, strlen(a->name), &def);
    if (st != KV_OK)
        return st;
    if (!def)
        return err_set(t->err, KV_RESOURCE_NOT_FOUND,
                       "Requested resource not found: Table: %s not found", a->name);
    return table_desc_fill(t, def, a->out);
}

kv_status
op_describe_table(struct op_ctx *c, const char *name, struct table_desc *out)
{
    memset(out, 0, sizeof *out);
    struct describe_args a = {name, out};
    kv_status st = txn_run(c->db, false, describe_body, &a, c->err);
    if (st != KV_OK) {
        table_desc_release(out);
        return st;
    }
    out->status = "ACTIVE";
    return KV_OK;
}
