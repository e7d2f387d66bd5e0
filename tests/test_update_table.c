/*
 * test_update_table.c -- UpdateTable: DynamoDB's checks and messages,
 * throughput changes and the daily decrease quota, billing mode switches,
 * deletion protection, and global secondary indexes created (backfilled
 * while writes go on, resumed after a reopen), updated and deleted.
 */
#include "fixture.h"

#include "backfill.h"
#include "err.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
assert_json_value(json_t *v, const char *want)
{
    char *got = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    assert_non_null(got);
    fx_assert_json(got, want);
    free(got);
}

/* A provisioned table Tbl (pk S) with a GSI "byG" on g (S), 5/5 everywhere. */
static void
create_provisioned(struct fx *f)
{
    fx_ok(f, "CreateTable",
          "{\"TableName\":\"Tbl\",\"AttributeDefinitions\":["
          "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
          "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":5},"
          "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byG\",\"KeySchema\":[{"
          "\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":"
          "\"ALL\"},\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,"
          "\"WriteCapacityUnits\":5}}]}");
}

/* An on-demand table Pay (pk S, sk N) without indexes. */
static void
create_on_demand(struct fx *f)
{
    fx_ok(f, "CreateTable",
          "{\"TableName\":\"Pay\",\"AttributeDefinitions\":["
          "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
          "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
          "\"BillingMode\":\"PAY_PER_REQUEST\"}");
}

static const char *at_least_one =
    "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
    "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
    "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "
    "OnDemandThroughput, WarmThroughput or TableClass is required";

#define CREATE_X                                                                                   \
    "{\"Create\":{\"IndexName\":\"byX\",\"KeySchema\":[{\"AttributeName\":\"x\","                  \
    "\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}}"
#define ATTR_X "\"AttributeDefinitions\":[{\"AttributeName\":\"x\",\"AttributeType\":\"S\"}]"

static void
update01_request_checks(void **state)
{
    struct fx *f = *state;
    create_on_demand(f);
    fx_expect_error(f, "UpdateTable", "{\"TableName\":\"Pay\"}", KV_VALIDATION, at_least_one);
    fx_expect_error(f, "UpdateTable", "{\"TableName\":\"Pay\",\"GlobalSecondaryIndexUpdates\":[]}",
                    KV_VALIDATION, at_least_one);
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Pay\",\"GlobalSecondaryIndexUpdates\":[],"
                    "\"DeletionProtectionEnabled\":true}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: List of "
                    "GlobalSecondaryIndexUpdates is empty");
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Pay\",\"GlobalSecondaryIndexUpdates\":[{}]}", KV_VALIDATION,
                    "One or more parameter values were invalid: One of "
                    "GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
                    "GlobalSecondaryIndexUpdate.Delete must not be null");
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Pay\",\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{"
                    "\"IndexName\":\"abc\"},\"Update\":{\"IndexName\":\"abc\","
                    "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,"
                    "\"WriteCapacityUnits\":1}}}]}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: Only one global secondary index "
                    "action is allowed per GlobalSecondaryIndexUpdate object");
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Pay\",\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{"
                    "\"IndexName\":\"abc\"}},{\"Delete\":{\"IndexName\":\"abc\"}}]}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: Only one global secondary index "
                    "update per index is allowed simultaneously. Index: abc");
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Pay\",\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{"
                    "\"IndexName\":\"abc\"}},{\"Delete\":{\"IndexName\":\"abd\"}}]}",
                    KV_LIMIT_EXCEEDED,
                    "Subscriber limit exceeded: Only 1 online index can be created or deleted "
                    "simultaneously per table");
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Pay\"," ATTR_X ",\"DeletionProtectionEnabled\":true,"
                    "\"GlobalSecondaryIndexUpdates\":[" CREATE_X "]}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: DeletionProtection modification "
                    "must be the only operation in the request");
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Pay\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":0,"
                    "\"WriteCapacityUnits\":1}}",
                    KV_VALIDATION,
                    "1 validation error detected: Value '0' at "
                    "'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: "
                    "Member must have value greater than or equal to 1");
    fx_expect_error(f, "UpdateTable", "{\"TableName\":\"Pay\",\"BillingMode\":\"FREE\"}",
                    KV_VALIDATION,
                    "1 validation error detected: Value 'FREE' at 'billingMode' failed to "
                    "satisfy constraint: Member must satisfy enum value set: [PROVISIONED, "
                    "PAY_PER_REQUEST]");
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Pay\",\"StreamSpecification\":{\"StreamEnabled\":true}}",
                    KV_VALIDATION, "The parameter StreamSpecification is not supported by libkv");
    fx_expect_error(f, "UpdateTable", "{\"TableName\":\"Nope\",\"DeletionProtectionEnabled\":true}",
                    KV_RESOURCE_NOT_FOUND, "Requested resource not found: Table: Nope not found");
}

static void
update02_billing_checks(void **state)
{
    struct fx *f = *state;
    create_on_demand(f);
    create_provisioned(f);
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Pay\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,"
                    "\"WriteCapacityUnits\":1}}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                    "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
    fx_expect_error(f, "UpdateTable", "{\"TableName\":\"Pay\",\"BillingMode\":\"PROVISIONED\"}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: ProvisionedThroughput must be "
                    "specified when BillingMode is PROVISIONED");
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Tbl\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,"
                    "\"WriteCapacityUnits\":5}}",
                    KV_VALIDATION,
                    "The provisioned throughput for the table will not change. The requested "
                    "value equals the current value. Current ReadCapacityUnits provisioned for "
                    "the table: 5. Requested ReadCapacityUnits: 5. Current WriteCapacityUnits "
                    "provisioned for the table: 5. Requested WriteCapacityUnits: 5. Refer to "
                    "the Amazon DynamoDB Developer Guide for current limits and how to request "
                    "higher limits.");
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Tbl\",\"GlobalSecondaryIndexUpdates\":[{\"Update\":{"
                    "\"IndexName\":\"byG\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,"
                    "\"WriteCapacityUnits\":5}}}]}",
                    KV_VALIDATION,
                    "The provisioned throughput for the index byG will not change. The "
                    "requested value equals the current value. Current ReadCapacityUnits "
                    "provisioned for index byG: 5. Requested ReadCapacityUnits: 5. Current "
                    "WriteCapacityUnits provisioned for index byG: 5. Requested "
                    "WriteCapacityUnits: 5. Refer to the Amazon DynamoDB Developer Guide for "
                    "current limits and how to request higher limits.");
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Tbl\",\"GlobalSecondaryIndexUpdates\":[{\"Update\":{"
                    "\"IndexName\":\"ghost\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,"
                    "\"WriteCapacityUnits\":5}}}]}",
                    KV_RESOURCE_NOT_FOUND,
                    "Requested resource not found: Index ghost for table Tbl");
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Tbl\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":6,"
                    "\"WriteCapacityUnits\":5},\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{"
                    "\"IndexName\":\"byG\"}}]}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: You cannot create or delete index "
                    "while updating table IOPS");
    /* A refused request changes nothing. */
    json_t *j = fx_json(f, "DescribeTable", "{\"TableName\":\"Tbl\"}");
    json_t *pt = json_object_get(json_object_get(j, "Table"), "ProvisionedThroughput");
    assert_int_equal(json_integer_value(json_object_get(pt, "ReadCapacityUnits")), 5);
    assert_null(json_object_get(pt, "LastIncreaseDateTime"));
    json_decref(j);
}

static void
update03_throughput_and_decreases(void **state)
{
    struct fx *f = *state;
    create_provisioned(f);
    json_t *j =
        fx_json(f, "UpdateTable",
                "{\"TableName\":\"Tbl\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":50,"
                "\"WriteCapacityUnits\":40}}");
    json_t *t = json_object_get(j, "TableDescription");
    assert_string_equal(json_string_value(json_object_get(t, "TableStatus")), "UPDATING");
    json_t *pt = json_object_get(t, "ProvisionedThroughput");
    assert_int_equal(json_integer_value(json_object_get(pt, "ReadCapacityUnits")), 50);
    assert_int_equal(json_integer_value(json_object_get(pt, "WriteCapacityUnits")), 40);
    assert_non_null(json_object_get(pt, "LastIncreaseDateTime"));
    assert_null(json_object_get(pt, "LastDecreaseDateTime"));
    json_decref(j);

    /* Four decreases a day are free; the fifth within the hour is refused. */
    for (int i = 0; i < 4; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"TableName\":\"Tbl\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":%d,"
                 "\"WriteCapacityUnits\":40}}",
                 40 - i);
        fx_ok(f, "UpdateTable", body);
    }
    char *r = fx_request(f, "UpdateTable",
                         "{\"TableName\":\"Tbl\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":"
                         "30,\"WriteCapacityUnits\":40}}",
                         KV_LIMIT_EXCEEDED);
    kv_free(r);
    const char *want = "Subscriber limit exceeded: Provisioned throughput decreases are limited "
                       "within a given UTC day. After the first 4 decreases, each subsequent "
                       "decrease in the same UTC day can be performed at most once every 3600 "
                       "seconds. Number of decreases today: 4. Last decrease at ";
    assert_int_equal(strncmp(kv_errmsg(f->db), want, strlen(want)), 0);
    assert_non_null(strstr(kv_errmsg(f->db), " Coordinated Universal Time. Next decrease can be "
                                             "made at "));
    /* Increases are never limited; the index keeps its own count. */
    fx_ok(f, "UpdateTable",
          "{\"TableName\":\"Tbl\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":37,"
          "\"WriteCapacityUnits\":41}}");
    fx_ok(f, "UpdateTable",
          "{\"TableName\":\"Tbl\",\"GlobalSecondaryIndexUpdates\":[{\"Update\":{"
          "\"IndexName\":\"byG\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":4,"
          "\"WriteCapacityUnits\":5}}}]}");
    fx_reopen(f);
    j = fx_json(f, "DescribeTable", "{\"TableName\":\"Tbl\"}");
    t = json_object_get(j, "Table");
    pt = json_object_get(t, "ProvisionedThroughput");
    assert_int_equal(json_integer_value(json_object_get(pt, "NumberOfDecreasesToday")), 4);
    assert_int_equal(json_integer_value(json_object_get(pt, "ReadCapacityUnits")), 37);
    assert_non_null(json_object_get(pt, "LastDecreaseDateTime"));
    json_t *g = json_array_get(json_object_get(t, "GlobalSecondaryIndexes"), 0);
    json_t *gpt = json_object_get(g, "ProvisionedThroughput");
    assert_int_equal(json_integer_value(json_object_get(gpt, "NumberOfDecreasesToday")), 1);
    assert_int_equal(json_integer_value(json_object_get(gpt, "ReadCapacityUnits")), 4);
    assert_string_equal(json_string_value(json_object_get(t, "TableStatus")), "ACTIVE");
    json_decref(j);
}

static void
update04_billing_switches(void **state)
{
    struct fx *f = *state;
    create_provisioned(f);
    json_t *j =
        fx_json(f, "UpdateTable", "{\"TableName\":\"Tbl\",\"BillingMode\":\"PAY_PER_REQUEST\"}");
    json_t *t = json_object_get(j, "TableDescription");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(t, "BillingModeSummary"), "BillingMode")),
        "PAY_PER_REQUEST");
    json_t *pt = json_object_get(t, "ProvisionedThroughput");
    assert_int_equal(json_integer_value(json_object_get(pt, "ReadCapacityUnits")), 0);
    json_t *g = json_array_get(json_object_get(t, "GlobalSecondaryIndexes"), 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(g, "ProvisionedThroughput"),
                                                        "WriteCapacityUnits")),
                     0);
    json_decref(j);
    /* Back to provisioned: the table and every index need throughput. */
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Tbl\",\"BillingMode\":\"PROVISIONED\","
                    "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":2,\"WriteCapacityUnits\":2}}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: ProvisionedThroughput must be "
                    "specified for index: byG");
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Tbl\",\"GlobalSecondaryIndexUpdates\":[{\"Update\":{"
                    "\"IndexName\":\"byG\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":4,"
                    "\"WriteCapacityUnits\":5}}}]}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: The only Updates for index: byG "
                    "when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, "
                    "WarmThroughput");
    fx_ok(f, "UpdateTable",
          "{\"TableName\":\"Tbl\",\"BillingMode\":\"PROVISIONED\","
          "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":2,\"WriteCapacityUnits\":3},"
          "\"GlobalSecondaryIndexUpdates\":[{\"Update\":{\"IndexName\":\"byG\","
          "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":7,\"WriteCapacityUnits\":8}}}]}");
    j = fx_json(f, "DescribeTable", "{\"TableName\":\"Tbl\"}");
    t = json_object_get(j, "Table");
    assert_null(json_object_get(t, "BillingModeSummary"));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(t, "ProvisionedThroughput"),
                                                        "WriteCapacityUnits")),
                     3);
    g = json_array_get(json_object_get(t, "GlobalSecondaryIndexes"), 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(g, "ProvisionedThroughput"),
                                                        "ReadCapacityUnits")),
                     7);
    json_decref(j);
    /* Three more switches to on-demand are allowed in 24 hours, not a fifth. */
    for (int i = 0; i < 3; i++) {
        fx_ok(f, "UpdateTable", "{\"TableName\":\"Tbl\",\"BillingMode\":\"PAY_PER_REQUEST\"}");
        fx_ok(f, "UpdateTable",
              "{\"TableName\":\"Tbl\",\"BillingMode\":\"PROVISIONED\","
              "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":2,\"WriteCapacityUnits\":3},"
              "\"GlobalSecondaryIndexUpdates\":[{\"Update\":{\"IndexName\":\"byG\","
              "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":7,\"WriteCapacityUnits\":8}}}]}");
    }
    kv_free(fx_request(f, "UpdateTable",
                       "{\"TableName\":\"Tbl\",\"BillingMode\":\"PAY_PER_REQUEST\"}",
                       KV_LIMIT_EXCEEDED));
    const char *want = "Subscriber limit exceeded: The billing mode can be switched to "
                       "PAY_PER_REQUEST at most 4 times in 24 hours.";
    assert_int_equal(strncmp(kv_errmsg(f->db), want, strlen(want)), 0);
}

static void
update05_deletion_protection(void **state)
{
    struct fx *f = *state;
    create_on_demand(f);
    json_t *j =
        fx_json(f, "UpdateTable", "{\"TableName\":\"Pay\",\"DeletionProtectionEnabled\":true}");
    json_t *t = json_object_get(j, "TableDescription");
    assert_true(json_is_true(json_object_get(t, "DeletionProtectionEnabled")));
    assert_string_equal(json_string_value(json_object_get(t, "TableStatus")), "ACTIVE");
    json_decref(j);
    fx_expect_error(f, "DeleteTable", "{\"TableName\":\"Pay\"}", KV_VALIDATION,
                    "Resource cannot be deleted as it is currently protected against deletion. "
                    "Disable deletion protection first.");
    fx_ok(f, "UpdateTable", "{\"TableName\":\"Pay\",\"DeletionProtectionEnabled\":false}");
    fx_ok(f, "DeleteTable", "{\"TableName\":\"Pay\"}");
}

/* Items p0..p(n-1) in table Pay (sk 1) with x = "x<i mod 7>", except every
 * 5th item, which has no x, and every 11th, whose x is a number. */
static void
put_items(struct fx *f, int n)
{
    for (int i = 0; i < n; i++) {
        char body[256];
        if (i % 5 == 0)
            snprintf(
                body, sizeof body,
                "{\"TableName\":\"Pay\",\"Item\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"1\"}}}",
                i);
        else if (i % 11 == 0)
            snprintf(body, sizeof body,
                     "{\"TableName\":\"Pay\",\"Item\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"1\"},"
                     "\"x\":{\"N\":\"%d\"}}}",
                     i, i);
        else
            snprintf(body, sizeof body,
                     "{\"TableName\":\"Pay\",\"Item\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"1\"},"
                     "\"x\":{\"S\":\"x%d\"},\"v\":{\"N\":\"%d\"}}}",
                     i, i % 7, i);
        fx_ok(f, "PutItem", body);
    }
}

static int
expected_in_index(int n)
{
    int c = 0;
    for (int i = 0; i < n; i++)
        c += i % 5 != 0 && i % 11 != 0;
    return c;
}

static json_t *
describe_index(struct fx *f, const char *table, const char *index, json_t **root)
{
    char body[128];
    snprintf(body, sizeof body, "{\"TableName\":\"%s\"}", table);
    *root = fx_json(f, "DescribeTable", body);
    json_t *list = json_object_get(json_object_get(*root, "Table"), "GlobalSecondaryIndexes");
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *g = json_array_get(list, i);
        if (strcmp(json_string_value(json_object_get(g, "IndexName")), index) == 0)
            return g;
    }
    return NULL;
}

/* Wait for the background builder to make the index ACTIVE. */
static void
wait_active(struct fx *f, const char *table, const char *index)
{
    for (int tries = 0; tries < 6000; tries++) {
        json_t *root, *g = describe_index(f, table, index, &root);
        assert_non_null(g);
        bool active = strcmp(json_string_value(json_object_get(g, "IndexStatus")), "ACTIVE") == 0;
        if (active) {
            assert_null(json_object_get(g, "Backfilling"));
            json_decref(root);
            return;
        }
        json_decref(root);
        usleep(10000);
    }
    fail_msg("index %s never became ACTIVE", index);
}

static int64_t
index_count(struct fx *f, const char *table, const char *index)
{
    char body[256];
    int64_t total = 0;
    json_t *start = NULL;
    do {
        char *s = start ? json_dumps(start, JSON_COMPACT) : NULL;
        snprintf(body, sizeof body,
                 "{\"TableName\":\"%s\",\"IndexName\":\"%s\",\"Select\":\"COUNT\"%s%s}", table,
                 index, s ? ",\"ExclusiveStartKey\":" : "", s ? s : "");
        free(s);
        json_decref(start);
        json_t *j = fx_json(f, "Scan", body);
        total += json_integer_value(json_object_get(j, "Count"));
        start = json_incref(json_object_get(j, "LastEvaluatedKey"));
        json_decref(j);
    } while (start);
    return total;
}

static void
update06_create_index_backfills(void **state)
{
    struct fx *f = *state;
    create_on_demand(f);
    put_items(f, 300);
    backfill_hold(f->db, true);
    json_t *j = fx_json(f, "UpdateTable",
                        "{\"TableName\":\"Pay\",\"AttributeDefinitions\":[{\"AttributeName\":"
                        "\"x\",\"AttributeType\":\"S\"},{\"AttributeName\":\"pk\","
                        "\"AttributeType\":\"S\"}],\"GlobalSecondaryIndexUpdates\":["
                        "{\"Create\":{\"IndexName\":\"byX\",\"KeySchema\":[{\"AttributeName\":"
                        "\"x\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"pk\",\"KeyType\":"
                        "\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"INCLUDE\","
                        "\"NonKeyAttributes\":[\"v\"]}}}]}");
    json_t *t = json_object_get(j, "TableDescription");
    assert_string_equal(json_string_value(json_object_get(t, "TableStatus")), "UPDATING");
    json_t *g = json_array_get(json_object_get(t, "GlobalSecondaryIndexes"), 0);
    assert_string_equal(json_string_value(json_object_get(g, "IndexStatus")), "CREATING");
    assert_true(json_is_false(json_object_get(g, "Backfilling")));
    assert_json_value(json_object_get(t, "AttributeDefinitions"),
                      "[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
                      "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},"
                      "{\"AttributeName\":\"x\",\"AttributeType\":\"S\"}]");
    json_decref(j);

    json_t *root;
    g = describe_index(f, "Pay", "byX", &root);
    assert_string_equal(json_string_value(json_object_get(g, "IndexStatus")), "CREATING");
    assert_true(json_is_true(json_object_get(g, "Backfilling")));
    json_decref(root);
    fx_expect_error(f, "Query",
                    "{\"TableName\":\"Pay\",\"IndexName\":\"byX\",\"KeyConditionExpression\":"
                    "\"x = :x\",\"ExpressionAttributeValues\":{\":x\":{\"S\":\"x1\"}}}",
                    KV_VALIDATION, "Cannot read from backfilling global secondary index: byX");
    fx_expect_error(f, "DeleteTable", "{\"TableName\":\"Pay\"}", KV_RESOURCE_IN_USE,
                    "Attempt to change a resource which is still in use: Cannot delete table "
                    "while indexes are being created, updated, or deleted.");
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Pay\",\"AttributeDefinitions\":[{\"AttributeName\":\"y\","
                    "\"AttributeType\":\"S\"}],\"GlobalSecondaryIndexUpdates\":[{\"Create\":{"
                    "\"IndexName\":\"byY\",\"KeySchema\":[{\"AttributeName\":\"y\",\"KeyType\":"
                    "\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}}]}",
                    KV_LIMIT_EXCEEDED,
                    "Subscriber limit exceeded: Only 1 online index can be created or deleted "
                    "simultaneously per table");
    /* Writes already check the new index's key type. */
    fx_expect_error(f, "PutItem",
                    "{\"TableName\":\"Pay\",\"Item\":{\"pk\":{\"S\":\"q\"},\"sk\":{\"N\":\"1\"},"
                    "\"x\":{\"N\":\"1\"}}}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: Type mismatch for Index Key x "
                    "Expected: S Actual: N IndexName: byX");

    /* Copy in small steps while writes touch items on both sides of the
     * copier's position: every change must end up in the index. */
    struct kv_err err;
    err_init(&err);
    bool more = true;
    int step = 0;
    while (more) {
        assert_int_equal(backfill_step(f->db, 17, &more, &err), KV_OK);
        char body[256];
        int a = (step * 37) % 300, b = (step * 53 + 11) % 300;
        snprintf(body, sizeof body,
                 "{\"TableName\":\"Pay\",\"Key\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"1\"}},"
                 "\"UpdateExpression\":\"SET v = :v\",\"ExpressionAttributeValues\":{\":v\":"
                 "{\"N\":\"-%d\"}}}",
                 a, a);
        fx_ok(f, "UpdateItem", body);
        snprintf(body, sizeof body,
                 "{\"TableName\":\"Pay\",\"Key\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"1\"}}}",
                 b);
        if (b % 5 != 0 && b % 11 != 0 && step % 3 == 0) {
            fx_ok(f, "DeleteItem", body);
            snprintf(body, sizeof body,
                     "{\"TableName\":\"Pay\",\"Item\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"1\"},"
                     "\"x\":{\"S\":\"x%d\"},\"v\":{\"N\":\"%d\"}}}",
                     b, b % 7, b);
            fx_ok(f, "PutItem", body);
        }
        if (step % 4 == 0)
            assert_int_equal(kv_db_check(f->db, NULL, NULL, NULL, NULL), KV_OK);
        step++;
    }
    backfill_hold(f->db, false);
    wait_active(f, "Pay", "byX");
    assert_int_equal(index_count(f, "Pay", "byX"), expected_in_index(300));
    g = describe_index(f, "Pay", "byX", &root);
    assert_int_equal(json_integer_value(json_object_get(g, "ItemCount")), expected_in_index(300));
    json_decref(root);
    /* Every entry carries its item's current projected value. */
    j = fx_json(f, "Query",
                "{\"TableName\":\"Pay\",\"IndexName\":\"byX\",\"KeyConditionExpression\":"
                "\"x = :x AND pk = :p\",\"ExpressionAttributeValues\":{\":x\":{\"S\":\"x2\"},"
                "\":p\":{\"S\":\"p37\"}}}");
    assert_json_value(json_object_get(j, "Items"),
                      "[{\"x\":{\"S\":\"x2\"},\"pk\":{\"S\":\"p37\"},\"sk\":{\"N\":\"1\"},"
                      "\"v\":{\"N\":\"-37\"}}]");
    json_decref(j);
    fx_ok(f, "DeleteTable", "{\"TableName\":\"Pay\"}");
}

static void
update07_create_checks(void **state)
{
    struct fx *f = *state;
    create_provisioned(f);
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Tbl\",\"GlobalSecondaryIndexUpdates\":[" CREATE_X "]}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: AttributeDefinitions is not "
                    "specified for index: byX");
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"y\","
                    "\"AttributeType\":\"S\"}],\"GlobalSecondaryIndexUpdates\":[" CREATE_X "]}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: Some index key attributes are "
                    "not defined in AttributeDefinitions. Keys: [x], AttributeDefinitions: [y]");
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Tbl\"," ATTR_X ",\"GlobalSecondaryIndexUpdates\":[" CREATE_X
                    "]}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: Both ReadCapacityUnits and "
                    "WriteCapacityUnits must be specified for index: byX");
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"g\","
                    "\"AttributeType\":\"S\"}],\"GlobalSecondaryIndexUpdates\":[{\"Create\":{"
                    "\"IndexName\":\"byG\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":"
                    "\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"},"
                    "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":"
                    "1}}}]}",
                    KV_VALIDATION, "Attempting to create an index which already exists");
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"g\","
                    "\"AttributeType\":\"N\"}],\"GlobalSecondaryIndexUpdates\":[{\"Create\":{"
                    "\"IndexName\":\"byG2\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":"
                    "\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"},"
                    "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":"
                    "1}}}]}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: Attributes cannot be redefined. "
                    "Please check that your attribute has the same type as previously defined. "
                    "Existing schema: Schema:[SchemaElement: key{g:S:HASH}] New schema: "
                    "Schema:[SchemaElement: key{g:N:HASH}]");
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Tbl\"," ATTR_X
                    ",\"GlobalSecondaryIndexUpdates\":[{\"Create\":"
                    "{\"IndexName\":\"byX\",\"KeySchema\":[{\"AttributeName\":\"x\",\"KeyType\":"
                    "\"HASH\"}],\"Projection\":{\"ProjectionType\":\"INCLUDE\","
                    "\"NonKeyAttributes\":[\"a\",\"a\"]},\"ProvisionedThroughput\":{"
                    "\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1}}}]}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: Duplicate element in "
                    "NonKeyAttributes: a");
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Tbl\",\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{"
                    "\"IndexName\":\"nope\"}}]}",
                    KV_RESOURCE_NOT_FOUND,
                    "Requested resource not found: Index nope for table Tbl");
}

static void
update08_delete_index(void **state)
{
    struct fx *f = *state;
    create_provisioned(f);
    fx_ok(f, "PutItem",
          "{\"TableName\":\"Tbl\",\"Item\":{\"pk\":{\"S\":\"a\"},\"g\":{\"S\":\"b\"}}}");
    json_t *j = fx_json(f, "UpdateTable",
                        "{\"TableName\":\"Tbl\",\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{"
                        "\"IndexName\":\"byG\"}}]}");
    json_t *t = json_object_get(j, "TableDescription");
    assert_string_equal(json_string_value(json_object_get(t, "TableStatus")), "UPDATING");
    json_t *g = json_array_get(json_object_get(t, "GlobalSecondaryIndexes"), 0);
    assert_string_equal(json_string_value(json_object_get(g, "IndexStatus")), "DELETING");
    json_decref(j);
    fx_reopen(f);
    j = fx_json(f, "DescribeTable", "{\"TableName\":\"Tbl\"}");
    t = json_object_get(j, "Table");
    assert_null(json_object_get(t, "GlobalSecondaryIndexes"));
    /* The definition of g went with the only key that used it. */
    assert_json_value(json_object_get(t, "AttributeDefinitions"),
                      "[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}]");
    json_decref(j);
    fx_expect_error(f, "Scan", "{\"TableName\":\"Tbl\",\"IndexName\":\"byG\"}", KV_VALIDATION,
                    "The table does not have the specified index: byG");
    /* g may now hold any type. */
    fx_ok(f, "PutItem",
          "{\"TableName\":\"Tbl\",\"Item\":{\"pk\":{\"S\":\"c\"},\"g\":{\"N\":\"1\"}}}");
    /* A new index of the same name starts empty and fills from the table. */
    fx_ok(f, "UpdateTable",
          "{\"TableName\":\"Tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"g\","
          "\"AttributeType\":\"S\"}],\"GlobalSecondaryIndexUpdates\":[{\"Create\":{"
          "\"IndexName\":\"byG\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":"
          "\"HASH\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"},"
          "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1}}}]}");
    wait_active(f, "Tbl", "byG");
    j = fx_json(f, "Scan", "{\"TableName\":\"Tbl\",\"IndexName\":\"byG\"}");
    assert_json_value(json_object_get(j, "Items"), "[{\"pk\":{\"S\":\"a\"},\"g\":{\"S\":\"b\"}}]");
    json_decref(j);
}

static void
update09_delete_while_creating(void **state)
{
    struct fx *f = *state;
    create_on_demand(f);
    put_items(f, 50);
    backfill_hold(f->db, true);
    fx_ok(f, "UpdateTable",
          "{\"TableName\":\"Pay\"," ATTR_X ",\"GlobalSecondaryIndexUpdates\":[" CREATE_X "]}");
    struct kv_err err;
    err_init(&err);
    bool more;
    assert_int_equal(backfill_step(f->db, 10, &more, &err), KV_OK);
    fx_ok(f, "UpdateTable",
          "{\"TableName\":\"Pay\",\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{"
          "\"IndexName\":\"byX\"}}]}");
    /* Nothing is left for the builder. */
    assert_int_equal(backfill_step(f->db, 10, &more, &err), KV_OK);
    assert_false(more);
    backfill_hold(f->db, false);
    json_t *root;
    assert_null(describe_index(f, "Pay", "byX", &root));
    json_decref(root);
    fx_ok(f, "DeleteTable", "{\"TableName\":\"Pay\"}");
}

/* A build interrupted by a close carries on when the database is opened. */
static void
update10_resume_after_reopen(void **state)
{
    struct fx *f = *state;
    create_on_demand(f);
    put_items(f, 120);
    backfill_hold(f->db, true);
    fx_ok(f, "UpdateTable",
          "{\"TableName\":\"Pay\"," ATTR_X ",\"GlobalSecondaryIndexUpdates\":[" CREATE_X "]}");
    struct kv_err err;
    err_init(&err);
    bool more;
    assert_int_equal(backfill_step(f->db, 40, &more, &err), KV_OK);
    assert_true(more);
    fx_reopen(f);
    wait_active(f, "Pay", "byX");
    assert_int_equal(index_count(f, "Pay", "byX"), expected_in_index(120));
}

/* The acceptance case: an index added to a table of 50,000 items. */
static void
update11_backfill_50k(void **state)
{
    struct fx *f = *state;
    const int n = 50000;
    create_on_demand(f);
    put_items(f, n);
    fx_ok(f, "UpdateTable",
          "{\"TableName\":\"Pay\"," ATTR_X ",\"GlobalSecondaryIndexUpdates\":[" CREATE_X "]}");
    wait_active(f, "Pay", "byX");
    assert_int_equal(index_count(f, "Pay", "byX"), expected_in_index(n));
    assert_int_equal(kv_db_check(f->db, NULL, NULL, NULL, NULL), KV_OK);
    /* Query returns exactly the items that carry the key. */
    for (int k = 0; k < 7; k++) {
        char body[256];
        int64_t want = 0, got = 0;
        for (int i = 0; i < n; i++)
            want += i % 5 != 0 && i % 11 != 0 && i % 7 == k;
        json_t *start = NULL;
        do {
            char *s = start ? json_dumps(start, JSON_COMPACT) : NULL;
            snprintf(body, sizeof body,
                     "{\"TableName\":\"Pay\",\"IndexName\":\"byX\",\"KeyConditionExpression\":"
                     "\"x = :x\",\"ExpressionAttributeValues\":{\":x\":{\"S\":\"x%d\"}}%s%s}",
                     k, s ? ",\"ExclusiveStartKey\":" : "", s ? s : "");
            free(s);
            json_decref(start);
            json_t *j = fx_json(f, "Query", body);
            json_t *items = json_object_get(j, "Items");
            for (size_t i = 0; i < json_array_size(items); i++) {
                const char *pk = json_string_value(
                    json_object_get(json_object_get(json_array_get(items, i), "pk"), "S"));
                int num = atoi(pk + 1);
                assert_true(num % 7 == k && num % 5 != 0 && num % 11 != 0);
            }
            got += (int64_t)json_array_size(items);
            start = json_incref(json_object_get(j, "LastEvaluatedKey"));
            json_decref(j);
        } while (start);
        assert_int_equal(got, want);
    }
}

/* The typed C API: indexes at creation, kv_table_update, kv_index_info. */
static void
update12_typed_api(void **state)
{
    struct fx *f = *state;
    const char *inc[] = {"v"};
    kv_index_def ix[2] = {
        {.name = "byL",
         .global = 0,
         .hash_key = {"pk", KV_S},
         .range_key = {"l", KV_N},
         .projection = KV_PROJECT_KEYS_ONLY},
        {.name = "byG",
         .global = 1,
         .hash_key = {"g", KV_S},
         .projection = KV_PROJECT_INCLUDE,
         .non_key_attrs = inc,
         .n_non_key_attrs = 1,
         .read_capacity = 3,
         .write_capacity = 4},
    };
    kv_table_def def = {.name = "Typed",
                        .hash_key = {"pk", KV_S},
                        .range_key = {"sk", KV_N},
                        .billing_mode = KV_PROVISIONED,
                        .read_capacity = 5,
                        .write_capacity = 6,
                        .indexes = ix,
                        .n_indexes = 2};
    kv_table_info *info;
    assert_int_equal(kv_table_create(f->db, &def, &info), KV_OK);
    assert_int_equal(info->n_indexes, 2);
    assert_string_equal(info->indexes[0].name, "byL");
    assert_int_equal(info->indexes[0].global, 0);
    assert_string_equal(info->indexes[0].range_key.name, "l");
    assert_int_equal(info->indexes[0].range_key.type, KV_N);
    assert_string_equal(info->indexes[1].name, "byG");
    assert_int_equal(info->indexes[1].projection, KV_PROJECT_INCLUDE);
    assert_int_equal(info->indexes[1].n_non_key_attrs, 1);
    assert_string_equal(info->indexes[1].non_key_attrs[0], "v");
    assert_int_equal(info->indexes[1].write_capacity, 4);
    assert_string_equal(info->indexes[1].arn,
                        "arn:aws:dynamodb:ddblocal:000000000000:table/Typed/index/byG");
    kv_table_info_free(info);

    kv_item *it = kv_item_new();
    kv_item_put_s(it, "pk", "a");
    kv_item_put_n(it, "sk", "1");
    kv_item_put_s(it, "h", "x");
    assert_int_equal(kv_put_item(f->db, "Typed", it, NULL, NULL), KV_OK);
    kv_item_free(it);

    kv_index_def byh = {.name = "byH",
                        .global = 1,
                        .hash_key = {"h", KV_S},
                        .projection = KV_PROJECT_ALL,
                        .read_capacity = 1,
                        .write_capacity = 1};
    kv_table_changes ch = {.create_index = &byh};
    assert_int_equal(kv_table_update(f->db, "Typed", &ch, &info), KV_OK);
    assert_string_equal(info->status, "UPDATING");
    assert_int_equal(info->n_indexes, 3);
    assert_string_equal(info->indexes[2].status, "CREATING");
    kv_table_info_free(info);
    wait_active(f, "Typed", "byH");
    assert_int_equal(kv_table_describe(f->db, "Typed", &info), KV_OK);
    assert_int_equal(info->indexes[2].item_count, 1);
    kv_table_info_free(info);

    kv_table_changes dec = {.read_capacity = 5, .write_capacity = 6};
    assert_int_equal(kv_table_update(f->db, "Typed", &dec, NULL), KV_VALIDATION);
    assert_non_null(strstr(kv_errmsg(f->db), "will not change"));
    kv_table_changes upd = {.update_index = "byG",
                            .index_read_capacity = 9,
                            .index_write_capacity = 9,
                            .set_deletion_protection = 1,
                            .deletion_protection = 1};
    assert_int_equal(kv_table_update(f->db, "Typed", &upd, &info), KV_OK);
    assert_int_equal(info->indexes[1].read_capacity, 9);
    assert_int_equal(info->deletion_protection, 1);
    kv_table_info_free(info);
    kv_table_changes del = {.delete_index = "byH"};
    assert_int_equal(kv_table_update(f->db, "Typed", &del, NULL), KV_OK);
    assert_int_equal(kv_table_describe(f->db, "Typed", &info), KV_OK);
    assert_int_equal(info->n_indexes, 2);
    kv_table_info_free(info);
    assert_int_equal(kv_table_update(f->db, "Typed", NULL, NULL), KV_MISUSE);
}

/* CreateTable's wording for the same mistakes, and local indexes, which
 * UpdateTable cannot change. */
static void
update13_related_messages(void **state)
{
    struct fx *f = *state;
    fx_expect_error(f, "CreateTable",
                    "{\"TableName\":\"Dup\",\"AttributeDefinitions\":["
                    "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
                    "{\"AttributeName\":\"pk\",\"AttributeType\":\"N\"}],"
                    "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
                    "\"BillingMode\":\"PAY_PER_REQUEST\"}",
                    KV_VALIDATION, "Attribute Name is duplicated: pk");
    fx_expect_error(f, "CreateTable",
                    "{\"TableName\":\"Gsi\",\"AttributeDefinitions\":["
                    "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
                    "{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],"
                    "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
                    "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1},"
                    "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byG\",\"KeySchema\":[{"
                    "\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{"
                    "\"ProjectionType\":\"ALL\"}}]}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: ProvisionedThroughput is not "
                    "specified for index: byG");
    fx_expect_error(f, "CreateTable",
                    "{\"TableName\":\"Gsi\",\"AttributeDefinitions\":["
                    "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
                    "{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],"
                    "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
                    "\"BillingMode\":\"PAY_PER_REQUEST\","
                    "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byG\",\"KeySchema\":[{"
                    "\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{"
                    "\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"a\",\"b\",\"a\"]}}]}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: Duplicate element in "
                    "NonKeyAttributes: a");
    fx_ok(f, "CreateTable",
          "{\"TableName\":\"Loc\",\"AttributeDefinitions\":["
          "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"sk\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"l\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
          "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
          "\"BillingMode\":\"PAY_PER_REQUEST\","
          "\"LocalSecondaryIndexes\":[{\"IndexName\":\"byL\",\"KeySchema\":[{\"AttributeName\":"
          "\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],"
          "\"Projection\":{\"ProjectionType\":\"ALL\"}}]}");
    /* Definitions and projected attributes come back sorted by name. */
    json_t *c = fx_json(f, "CreateTable",
                        "{\"TableName\":\"Srt\",\"AttributeDefinitions\":["
                        "{\"AttributeName\":\"z\",\"AttributeType\":\"N\"},"
                        "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
                        "{\"AttributeName\":\"a\",\"AttributeType\":\"B\"}],"
                        "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
                        "\"BillingMode\":\"PAY_PER_REQUEST\","
                        "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byZ\",\"KeySchema\":[{"
                        "\"AttributeName\":\"z\",\"KeyType\":\"HASH\"}],\"Projection\":{"
                        "\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"mm\",\"bb\"]}},"
                        "{\"IndexName\":\"byA\",\"KeySchema\":[{"
                        "\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}],\"Projection\":{"
                        "\"ProjectionType\":\"KEYS_ONLY\"}}]}");
    json_t *cg = json_array_get(
        json_object_get(json_object_get(c, "TableDescription"), "GlobalSecondaryIndexes"), 0);
    assert_string_equal(json_string_value(json_object_get(cg, "IndexStatus")), "CREATING");
    assert_null(json_object_get(cg, "Backfilling"));
    json_decref(c);
    json_t *j = fx_json(f, "DescribeTable", "{\"TableName\":\"Srt\"}");
    json_t *t = json_object_get(j, "Table");
    assert_json_value(json_object_get(t, "AttributeDefinitions"),
                      "[{\"AttributeName\":\"a\",\"AttributeType\":\"B\"},"
                      "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
                      "{\"AttributeName\":\"z\",\"AttributeType\":\"N\"}]");
    json_t *g = json_object_get(t, "GlobalSecondaryIndexes");
    /* Index lists keep the order they were given in. */
    assert_string_equal(json_string_value(json_object_get(json_array_get(g, 0), "IndexName")),
                        "byZ");
    assert_json_value(
        json_object_get(json_object_get(json_array_get(g, 0), "Projection"), "NonKeyAttributes"),
        "[\"bb\",\"mm\"]");
    json_decref(j);
    fx_expect_error(f, "UpdateTable",
                    "{\"TableName\":\"Loc\",\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{"
                    "\"IndexName\":\"byL\"}}]}",
                    KV_VALIDATION,
                    "Cannot delete an index that is not a GlobalSecondaryIndex: byL");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(update01_request_checks, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(update02_billing_checks, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(update03_throughput_and_decreases, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(update04_billing_switches, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(update05_deletion_protection, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(update06_create_index_backfills, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(update07_create_checks, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(update08_delete_index, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(update09_delete_while_creating, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(update10_resume_after_reopen, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(update11_backfill_50k, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(update12_typed_api, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(update13_related_messages, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
