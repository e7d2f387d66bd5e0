/*
 * test_index.c -- secondary indexes: definitions, upkeep through every
 * write, sparse entries, DynamoDB's checks of index keys, reads on global
 * and local indexes (fetching from the table for a local one), paging with
 * equal index keys, and the per-index write units DynamoDB charges.
 */
#include "fixture.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* pk/sk table with a GSI on gsiPk (INCLUDE proj) and an LSI on lsiSk (ALL). */
static void
create_indexed(struct fx *f)
{
    fx_ok(f, "CreateTable",
          "{\"TableName\":\"Idx\",\"AttributeDefinitions\":["
          "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"sk\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"gsiPk\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"lsiSk\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
          "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
          "\"BillingMode\":\"PAY_PER_REQUEST\","
          "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi-inc\",\"KeySchema\":[{"
          "\"AttributeName\":\"gsiPk\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":"
          "\"INCLUDE\",\"NonKeyAttributes\":[\"proj\"]}}],"
          "\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi1\",\"KeySchema\":[{\"AttributeName\":"
          "\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"lsiSk\",\"KeyType\":\"RANGE\"}],"
          "\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}]}");
}


/* ConsumedCapacity of a write with INDEXES, as "total/table/gsi/lsi". */
static void
write_units(struct fx *f, const char *op, const char *body, const char *want)
{
    char req[1024], got[64];
    snprintf(req, sizeof req, "{\"TableName\":\"Idx\",\"ReturnConsumedCapacity\":\"INDEXES\",%s}",
             body);
    json_t *j = fx_json(f, op, req);
    json_t *cc = json_object_get(j, "ConsumedCapacity");
    json_t *g = json_object_get(json_object_get(cc, "GlobalSecondaryIndexes"), "gsi-inc");
    json_t *l = json_object_get(json_object_get(cc, "LocalSecondaryIndexes"), "lsi1");
    snprintf(got, sizeof got, "%g/%g/%s/%s",
             json_number_value(json_object_get(cc, "CapacityUnits")),
             json_number_value(json_object_get(json_object_get(cc, "Table"), "CapacityUnits")),
             g ? (json_number_value(json_object_get(g, "CapacityUnits")) == 2 ? "2" : "1") : "-",
             l ? (json_number_value(json_object_get(l, "CapacityUnits")) == 2 ? "2" : "1") : "-");
    if (strcmp(got, want) != 0)
        fprintf(stderr, "%s %s: %s, want %s\n", op, body, got, want);
    assert_string_equal(got, want);
    json_decref(j);
}

static void
index01_describe(void **state)
{
    struct fx *f = *state;
    create_indexed(f);
    json_t *j = fx_json(f, "DescribeTable", "{\"TableName\":\"Idx\"}");
    json_t *t = json_object_get(j, "Table");
    json_t *g = json_array_get(json_object_get(t, "GlobalSecondaryIndexes"), 0);
    json_t *l = json_array_get(json_object_get(t, "LocalSecondaryIndexes"), 0);
    assert_string_equal(json_string_value(json_object_get(g, "IndexName")), "gsi-inc");
    assert_string_equal(json_string_value(json_object_get(g, "IndexStatus")), "ACTIVE");
    assert_string_equal(json_string_value(json_object_get(g, "IndexArn")),
                        "arn:aws:dynamodb:ddblocal:000000000000:table/Idx/index/gsi-inc");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(g, "Projection"), "ProjectionType")),
        "INCLUDE");
    assert_string_equal(json_string_value(json_object_get(l, "IndexName")), "lsi1");
    assert_null(json_object_get(l, "IndexStatus"));
    assert_int_equal(json_integer_value(json_object_get(l, "ItemCount")), 0);
    json_decref(j);
}

static void
index02_write_units(void **state)
{
    struct fx *f = *state;
    create_indexed(f);
    /* The measured ladder of DynamoDB's index write charges. */
    write_units(f, "PutItem",
                "\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"S\":\"1\"},\"gsiPk\":{\"S\":\"g1\"},"
                "\"proj\":{\"S\":\"p\"}}",
                "2/1/1/-");
    write_units(f, "PutItem", "\"Item\":{\"pk\":{\"S\":\"b\"},\"sk\":{\"S\":\"1\"},\"o\":{\"S\":\"o\"}}",
                "1/1/-/-");
    write_units(f, "PutItem",
                "\"Item\":{\"pk\":{\"S\":\"c\"},\"sk\":{\"S\":\"1\"},\"gsiPk\":{\"S\":\"g\"},"
                "\"lsiSk\":{\"S\":\"L1\"},\"proj\":{\"S\":\"p\"},\"other\":{\"S\":\"o\"}}",
                "3/1/1/1");
    /* An identical overwrite changes no index. */
    write_units(f, "PutItem",
                "\"Item\":{\"pk\":{\"S\":\"c\"},\"sk\":{\"S\":\"1\"},\"gsiPk\":{\"S\":\"g\"},"
                "\"lsiSk\":{\"S\":\"L1\"},\"proj\":{\"S\":\"p\"},\"other\":{\"S\":\"o\"}}",
                "1/1/-/-");
    /* Not projected anywhere (the LSI is KEYS_ONLY): table only. */
    write_units(f, "UpdateItem",
                "\"Key\":{\"pk\":{\"S\":\"c\"},\"sk\":{\"S\":\"1\"}},\"UpdateExpression\":"
                "\"SET #o = :v\",\"ExpressionAttributeValues\":{\":v\":{\"S\":\"o2\"}},"
                "\"ExpressionAttributeNames\":{\"#o\":\"other\"}",
                "1/1/-/-");
    write_units(f, "UpdateItem",
                "\"Key\":{\"pk\":{\"S\":\"c\"},\"sk\":{\"S\":\"1\"}},\"UpdateExpression\":"
                "\"SET proj = :v\",\"ExpressionAttributeValues\":{\":v\":{\"S\":\"p2\"}}",
                "2/1/1/-");
    write_units(f, "UpdateItem",
                "\"Key\":{\"pk\":{\"S\":\"c\"},\"sk\":{\"S\":\"1\"}},\"UpdateExpression\":"
                "\"SET gsiPk = :v\",\"ExpressionAttributeValues\":{\":v\":{\"S\":\"moved\"}}",
                "3/1/2/-");
    write_units(f, "UpdateItem",
                "\"Key\":{\"pk\":{\"S\":\"c\"},\"sk\":{\"S\":\"1\"}},\"UpdateExpression\":"
                "\"SET lsiSk = :v\",\"ExpressionAttributeValues\":{\":v\":{\"S\":\"L2\"}}",
                "3/1/-/2");
    write_units(f, "UpdateItem",
                "\"Key\":{\"pk\":{\"S\":\"c\"},\"sk\":{\"S\":\"1\"}},\"UpdateExpression\":"
                "\"REMOVE gsiPk\"",
                "2/1/1/-");
    write_units(f, "DeleteItem", "\"Key\":{\"pk\":{\"S\":\"c\"},\"sk\":{\"S\":\"1\"}}", "2/1/-/1");
    /* TOTAL folds the index units in, without arms. */
    char *r = fx_request(f, "PutItem",
                         "{\"TableName\":\"Idx\",\"ReturnConsumedCapacity\":\"TOTAL\",\"Item\":{"
                         "\"pk\":{\"S\":\"d\"},\"sk\":{\"S\":\"1\"},\"gsiPk\":{\"S\":\"g\"}}}",
                         KV_OK);
    fx_assert_json(r, "{\"ConsumedCapacity\":{\"TableName\":\"Idx\",\"CapacityUnits\":2.0}}");
    kv_free(r);
}

static void
index03_key_checks(void **state)
{
    struct fx *f = *state;
    create_indexed(f);
    fx_expect_error(f, "PutItem",
                    "{\"TableName\":\"Idx\",\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"S\":\"1\"},"
                    "\"gsiPk\":{\"N\":\"5\"}}}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: Type mismatch for Index Key gsiPk "
                    "Expected: S Actual: N IndexName: gsi-inc");
    fx_expect_error(f, "PutItem",
                    "{\"TableName\":\"Idx\",\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"S\":\"1\"},"
                    "\"lsiSk\":{\"S\":\"\"}}}",
                    KV_VALIDATION,
                    "One or more parameter values are not valid. A value specified for a "
                    "secondary index key is not supported. The AttributeValue for a key "
                    "attribute cannot contain an empty string value. IndexName: lsi1, IndexKey: "
                    "lsiSk");
    fx_expect_error(f, "UpdateItem",
                    "{\"TableName\":\"Idx\",\"Key\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"S\":\"1\"}},"
                    "\"UpdateExpression\":\"SET gsiPk = :e\",\"ExpressionAttributeValues\":{\":e\":"
                    "{\"S\":\"\"}}}",
                    KV_VALIDATION,
                    "One or more parameter values are not valid. The update expression attempted "
                    "to update a secondary index key to a value that is not supported. The "
                    "AttributeValue for a key attribute cannot contain an empty string value.");
    char *r = fx_request(f, "Scan", "{\"TableName\":\"Idx\",\"Select\":\"COUNT\"}", KV_OK);
    fx_assert_json(r, "{\"Count\":0,\"ScannedCount\":0}");
    kv_free(r);
}

static void
index04_reads(void **state)
{
    struct fx *f = *state;
    create_indexed(f);
    for (int i = 0; i < 6; i++) {
        char req[512];
        snprintf(req, sizeof req,
                 "{\"TableName\":\"Idx\",\"Item\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"S\":\"s%d\"},"
                 "\"gsiPk\":{\"S\":\"%s\"},\"lsiSk\":{\"S\":\"l%d\"},\"proj\":{\"N\":\"%d\"},"
                 "\"hidden\":{\"S\":\"h%d\"}}}",
                 i % 2, i, i < 4 ? "shared" : "other", 9 - i, i, i);
        fx_ok(f, "PutItem", req);
    }
    /* GSI: projected attributes only, equal index keys paged one by one. */
    json_t *j = fx_json(f, "Query",
                        "{\"TableName\":\"Idx\",\"IndexName\":\"gsi-inc\",\"KeyConditionExpression\":"
                        "\"gsiPk = :g\",\"ExpressionAttributeValues\":{\":g\":{\"S\":\"shared\"}}}");
    assert_int_equal(json_integer_value(json_object_get(j, "Count")), 4);
    json_t *first = json_array_get(json_object_get(j, "Items"), 0);
    assert_non_null(json_object_get(first, "proj"));
    assert_null(json_object_get(first, "hidden"));
    assert_null(json_object_get(first, "lsiSk"));
    json_decref(j);
    int seen = 0;
    char start[512] = "";
    for (int page = 0; page < 10; page++) {
        char req[1024];
        snprintf(req, sizeof req,
                 "{\"TableName\":\"Idx\",\"IndexName\":\"gsi-inc\",\"KeyConditionExpression\":"
                 "\"gsiPk = :g\",\"ExpressionAttributeValues\":{\":g\":{\"S\":\"shared\"}},"
                 "\"Limit\":1%s%s}",
                 start[0] ? ",\"ExclusiveStartKey\":" : "", start);
        j = fx_json(f, "Query", req);
        seen += (int)json_integer_value(json_object_get(j, "Count"));
        json_t *lek = json_object_get(j, "LastEvaluatedKey");
        if (!lek) {
            json_decref(j);
            break;
        }
        /* The key carries the index key and the table key. */
        assert_int_equal(json_object_size(lek), 3);
        char *s = json_dumps(lek, JSON_COMPACT);
        snprintf(start, sizeof start, "%s", s);
        free(s);
        json_decref(j);
    }
    assert_int_equal(seen, 4);
    fx_expect_error(f, "Query",
                    "{\"TableName\":\"Idx\",\"IndexName\":\"gsi-inc\",\"ConsistentRead\":true,"
                    "\"KeyConditionExpression\":\"gsiPk = :g\",\"ExpressionAttributeValues\":{"
                    "\":g\":{\"S\":\"shared\"}}}",
                    KV_VALIDATION, "Consistent reads are not supported on global secondary indexes");
    fx_expect_error(f, "Query",
                    "{\"TableName\":\"Idx\",\"IndexName\":\"gsi-inc\",\"Select\":"
                    "\"ALL_ATTRIBUTES\",\"KeyConditionExpression\":\"gsiPk = :g\","
                    "\"ExpressionAttributeValues\":{\":g\":{\"S\":\"shared\"}}}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not "
                    "supported for global secondary index gsi-inc because its projection type is "
                    "not ALL");
    /* LSI: ordered by lsiSk; ALL_ATTRIBUTES fetches from the table. */
    j = fx_json(f, "Query",
                "{\"TableName\":\"Idx\",\"IndexName\":\"lsi1\",\"KeyConditionExpression\":"
                "\"pk = :p\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p0\"}},"
                "\"Select\":\"ALL_ATTRIBUTES\",\"ReturnConsumedCapacity\":\"INDEXES\"}");
    json_t *items = json_object_get(j, "Items");
    assert_int_equal(json_array_size(items), 3);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(items, 0), "lsiSk"), "S")),
                        "l5");
    assert_non_null(json_object_get(json_array_get(items, 0), "hidden"));
    json_t *cc = json_object_get(j, "ConsumedCapacity");
    /* Entries summed (0.5) plus three fetched items (0.5 each). */
    assert_true(json_number_value(json_object_get(cc, "CapacityUnits")) == 2.0);
    json_decref(j);
    j = fx_json(f, "Query",
                "{\"TableName\":\"Idx\",\"IndexName\":\"lsi1\",\"KeyConditionExpression\":"
                "\"pk = :p\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p0\"}}}");
    first = json_array_get(json_object_get(j, "Items"), 0);
    assert_null(json_object_get(first, "hidden"));
    assert_int_equal(json_object_size(first), 3);
    json_decref(j);
    /* Scan of an index sees only items with its keys. */
    j = fx_json(f, "Scan", "{\"TableName\":\"Idx\",\"IndexName\":\"gsi-inc\",\"Select\":\"COUNT\"}");
    assert_int_equal(json_integer_value(json_object_get(j, "Count")), 6);
    json_decref(j);
}

static void
index05_counts_follow_writes(void **state)
{
    struct fx *f = *state;
    create_indexed(f);
    fx_ok(f, "PutItem", "{\"TableName\":\"Idx\",\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"S\":\"1\"},"
                        "\"gsiPk\":{\"S\":\"g\"}}}");
    fx_ok(f, "PutItem", "{\"TableName\":\"Idx\",\"Item\":{\"pk\":{\"S\":\"b\"},\"sk\":{\"S\":\"1\"}}}");
    json_t *j = fx_json(f, "DescribeTable", "{\"TableName\":\"Idx\"}");
    json_t *g = json_array_get(json_object_get(json_object_get(j, "Table"),
                                               "GlobalSecondaryIndexes"),
                               0);
    assert_int_equal(json_integer_value(json_object_get(g, "ItemCount")), 1);
    json_decref(j);
    fx_ok(f, "DeleteItem", "{\"TableName\":\"Idx\",\"Key\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"S\":\"1\"}}}");
    j = fx_json(f, "Scan", "{\"TableName\":\"Idx\",\"IndexName\":\"gsi-inc\"}");
    assert_int_equal(json_integer_value(json_object_get(j, "Count")), 0);
    json_decref(j);
}

static void
index06_create_validation(void **state)
{
    struct fx *f = *state;
    fx_expect_error(f, "CreateTable",
                    "{\"TableName\":\"Bad\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\","
                    "\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],"
                    "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
                    "\"BillingMode\":\"PAY_PER_REQUEST\",\"GlobalSecondaryIndexes\":[{"
                    "\"IndexName\":\"gi\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":"
                    "\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}]}",
                    KV_VALIDATION,
                    "1 validation error detected: Value 'gi' at "
                    "'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: "
                    "Member must have length greater than or equal to 3");
    fx_expect_error(f, "CreateTable",
                    "{\"TableName\":\"Bad\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\","
                    "\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],"
                    "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
                    "\"BillingMode\":\"PAY_PER_REQUEST\",\"GlobalSecondaryIndexes\":[{"
                    "\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":"
                    "\"HASH\"}],\"Projection\":{\"ProjectionType\":\"INCLUDE\"}}]}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: ProjectionType is INCLUDE, but "
                    "NonKeyAttributes is not specified");
    fx_expect_error(f, "CreateTable",
                    "{\"TableName\":\"Bad\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\","
                    "\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"},"
                    "{\"AttributeName\":\"unused\",\"AttributeType\":\"S\"}],"
                    "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
                    "\"BillingMode\":\"PAY_PER_REQUEST\",\"GlobalSecondaryIndexes\":[{"
                    "\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":"
                    "\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}]}",
                    KV_VALIDATION,
                    "One or more parameter values were invalid: Some AttributeDefinitions are "
                    "not used. AttributeDefinitions: [pk, g, unused], keys used: [pk, g]");
    char *r = fx_request(f, "ListTables", "{}", KV_OK);
    fx_assert_json(r, "{\"TableNames\":[]}");
    kv_free(r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(index01_describe, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(index02_write_units, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(index03_key_checks, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(index04_reads, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(index05_counts_follow_writes, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(index06_create_validation, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
