/*
 * json_table.c -- TableDescription JSON, with DynamoDB's member names and
 * order.  Times are seconds since the epoch with millisecond fractions, as
 * DynamoDB's JSON protocol sends them.
 */
#include "json_table.h"
#include "arena.h"
#include "catalog.h"
#include "ops/ops.h"
#include "value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *
seconds(int64_t ms)
{
    return json_real((double)ms / 1000.0);
}

static json_t *
key_schema_json(const struct key_schema *ks)
{
    json_t *a = json_array();
    json_array_append_new(
        a, json_pack("{s:s, s:s}", "AttributeName", ks->hash.name, "KeyType", "HASH"));
    if (ks->range.name)
        json_array_append_new(
            a, json_pack("{s:s, s:s}", "AttributeName", ks->range.name, "KeyType", "RANGE"));
    return a;
}

static json_t *
throughput_json(const struct table_def *d)
{
    json_t *o = json_object();
    if (d->last_increase_ms)
        json_object_set_new(o, "LastIncreaseDateTime", seconds(d->last_increase_ms));
    if (d->last_decrease_ms)
        json_object_set_new(o, "LastDecreaseDateTime", seconds(d->last_decrease_ms));
    json_object_set_new(o, "NumberOfDecreasesToday", json_integer(d->decreases_today));
    json_object_set_new(o, "ReadCapacityUnits", json_integer(d->rcu));
    json_object_set_new(o, "WriteCapacityUnits", json_integer(d->wcu));
    return o;
}

/* DynamoDB returns AttributeDefinitions and NonKeyAttributes sorted by
 * name, whatever order they were given in. */
static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *
sorted_strings(const char *const *names, size_t n)
{
    const char **order = malloc((n + 1) * sizeof *order);
    json_t *a = json_array();
    if (!order || !a) {
        free(order);
        json_decref(a);
        return NULL;
    }
    memcpy(order, names, n * sizeof *order);
    qsort(order, n, sizeof *order, cmp_names);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(order[i]));
    free(order);
    return a;
}

static json_t *
projection_json(const struct index_def *ix)
{
    static const char *const names[] = {"ALL", "KEYS_ONLY", "INCLUDE"};
    json_t *o = json_pack("{s:s}", "ProjectionType", names[ix->projection]);
    if (o && ix->projection == PROJECT_INCLUDE)
        json_object_set_new(o, "NonKeyAttributes", sorted_strings(ix->non_key, ix->n_non_key));
    return o;
}

static int
cmp_attrs(const void *a, const void *b)
{
    return strcmp(((const struct attr_def *)a)->name, ((const struct attr_def *)b)->name);
}

static json_t *
attr_defs_json(const struct table_def *d)
{
    struct attr_def *order = malloc((d->n_attrs + 1) * sizeof *order);
    json_t *attrs = json_array();
    if (!order || !attrs) {
        free(order);
        json_decref(attrs);
        return NULL;
    }
    memcpy(order, d->attrs, d->n_attrs * sizeof *order);
    qsort(order, d->n_attrs, sizeof *order, cmp_attrs);
    for (size_t i = 0; i < d->n_attrs; i++)
        json_array_append_new(attrs, json_pack("{s:s, s:s}", "AttributeName", order[i].name,
                                               "AttributeType", type_name(order[i].type)));
    free(order);
    return attrs;
}

static json_t *
index_json(const struct table_desc *desc, const struct index_def *ix,
           const struct table_stats *stats, const char *table_arn)
{
    /* A table being created answers with its indexes being created too. */
    bool new_table = strcmp(desc->status, "CREATING") == 0;
    char arn[640];
    snprintf(arn, sizeof arn, "%s/index/%s", table_arn, ix->name);
    json_t *o = json_object();
    json_object_set_new(o, "IndexName", json_string(ix->name));
    json_object_set_new(o, "KeySchema", key_schema_json(&ix->key));
    json_object_set_new(o, "Projection", projection_json(ix));
    if (ix->global) {
        json_object_set_new(o, "IndexStatus", json_string(new_table ? "CREATING" : ix->status));
        /* DynamoDB shows Backfilling only on an index UpdateTable is creating. */
        if (!new_table && strcmp(ix->status, "CREATING") == 0)
            json_object_set_new(o, "Backfilling", json_boolean(ix->backfilling));
        json_t *pt = json_object();
        if (ix->last_increase_ms)
            json_object_set_new(pt, "LastIncreaseDateTime", seconds(ix->last_increase_ms));
        if (ix->last_decrease_ms)
            json_object_set_new(pt, "LastDecreaseDateTime", seconds(ix->last_decrease_ms));
        json_object_set_new(pt, "NumberOfDecreasesToday", json_integer(ix->decreases_today));
        json_object_set_new(pt, "ReadCapacityUnits", json_integer((json_int_t)ix->rcu));
        json_object_set_new(pt, "WriteCapacityUnits", json_integer((json_int_t)ix->wcu));
        json_object_set_new(o, "ProvisionedThroughput", pt);
    }
    json_object_set_new(o, "IndexSizeBytes", json_integer((json_int_t)stats->size_bytes));
    json_object_set_new(o, "ItemCount", json_integer((json_int_t)stats->item_count));
    json_object_set_new(o, "IndexArn", json_string(arn));
    return o;
}

/* "LocalSecondaryIndexes" or "GlobalSecondaryIndexes", when the table has any. */
static void
indexes_json(json_t *o, const struct table_desc *desc, bool global, const char *table_arn)
{
    const struct table_def *d = desc->def;
    json_t *list = NULL;
    for (size_t i = 0; i < d->n_indexes && i < CONSUMED_MAX_INDEXES; i++) {
        if (d->indexes[i].global != global)
            continue;
        if (!list)
            list = json_array();
        json_array_append_new(list,
                              index_json(desc, &d->indexes[i], &desc->index_stats[i], table_arn));
    }
    if (list)
        json_object_set_new(o, global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes", list);
}

json_t *
json_table_description(const struct table_desc *desc)
{
    const struct table_def *d = desc->def;
    json_t *o = json_object(), *attrs = attr_defs_json(d);
    char arn[320];
    snprintf(arn, sizeof arn, "arn:aws:dynamodb:ddblocal:000000000000:table/%s", d->name);
    json_object_set_new(o, "AttributeDefinitions", attrs);
    json_object_set_new(o, "TableName", json_string(d->name));
    json_object_set_new(o, "KeySchema", key_schema_json(&d->key));
    json_object_set_new(o, "TableStatus", json_string(desc->status));
    json_object_set_new(o, "CreationDateTime", seconds(d->created_ms));
    json_object_set_new(o, "ProvisionedThroughput", throughput_json(d));
    json_object_set_new(o, "TableSizeBytes", json_integer((json_int_t)desc->stats.size_bytes));
    json_object_set_new(o, "ItemCount", json_integer((json_int_t)desc->stats.item_count));
    json_object_set_new(o, "TableArn", json_string(arn));
    json_object_set_new(o, "TableId", json_string(d->uuid));
    if (d->billing == KV_PAY_PER_REQUEST)
        json_object_set_new(o, "BillingModeSummary",
                            json_pack("{s:s, s:o}", "BillingMode", "PAY_PER_REQUEST",
                                      "LastUpdateToPayPerRequestDateTime",
                                      seconds(d->pay_per_request_ms)));
    indexes_json(o, desc, false, arn);
    indexes_json(o, desc, true, arn);
    json_object_set_new(o, "DeletionProtectionEnabled", json_boolean(d->deletion_protection));
    return o;
}
