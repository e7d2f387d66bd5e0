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

static json_t *
seconds(int64_t ms)
{
    return json_real((double)ms / 1000.0);
}

static json_t *
key_schema_json(const struct key_schema *ks)
{
    json_t *a = json_array();
    json_array_append_new(a, json_pack("{s:s, s:s}", "AttributeName", ks->hash.name, "KeyType",
                                       "HASH"));
    if (ks->range.name)
        json_array_append_new(a, json_pack("{s:s, s:s}", "AttributeName", ks->range.name,
                                           "KeyType", "RANGE"));
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

json_t *
json_table_description(const struct table_desc *desc)
{
    const struct table_def *d = desc->def;
    json_t *o = json_object(), *attrs = json_array();
    for (size_t i = 0; i < d->n_attrs; i++)
        json_array_append_new(attrs, json_pack("{s:s, s:s}", "AttributeName", d->attrs[i].name,
                                               "AttributeType", type_name(d->attrs[i].type)));
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
    json_object_set_new(o, "DeletionProtectionEnabled", json_boolean(d->deletion_protection));
    return o;
}
