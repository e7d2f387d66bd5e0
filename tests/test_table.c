/*
 * test_table.c -- CreateTable, DescribeTable, ListTables, DeleteTable:
 * their responses, DynamoDB's validation (exact exception and message),
 * and that a rejected request creates nothing.
 */
#include "fixture.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define MUSIC_ATTRS                                                                          \
    "\"AttributeDefinitions\":[{\"AttributeName\":\"Artist\",\"AttributeType\":\"S\"},"     \
    "{\"AttributeName\":\"SongTitle\",\"AttributeType\":\"S\"}]"
#define MUSIC_KEYS                                                                           \
    "\"KeySchema\":[{\"AttributeName\":\"Artist\",\"KeyType\":\"HASH\"},"                  \
    "{\"AttributeName\":\"SongTitle\",\"KeyType\":\"RANGE\"}]"

/* No table exists: ListTables is empty. */
static void
assert_no_tables(struct fx *f)
{
    char *r = fx_request(f, "ListTables", "{}", KV_OK);
    fx_assert_json(r, "{\"TableNames\":[]}");
    kv_free(r);
}

static json_t *
member(json_t *o, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *tok = strtok(buf, "."); tok && o; tok = strtok(NULL, "."))
        o = json_object_get(o, tok);
    return o;
}

static void
table01_create_describe_music(void **state)
{
    struct fx *f = *state;
    char *r = fx_request(f, "CreateTable",
                         "{\"TableName\":\"Music\"," MUSIC_ATTRS "," MUSIC_KEYS
                         ",\"BillingMode\":\"PAY_PER_REQUEST\"}",
                         KV_OK);
    json_t *j = json_loads(r, 0, NULL);
    json_t *d = json_object_get(j, "TableDescription");
    assert_string_equal(json_string_value(member(d, "TableName")), "Music");
    assert_string_equal(json_string_value(member(d, "TableStatus")), "CREATING");
    assert_string_equal(json_string_value(member(d, "TableArn")),
                        "arn:aws:dynamodb:ddblocal:000000000000:table/Music");
    assert_string_equal(json_string_value(member(d, "BillingModeSummary.BillingMode")),
                        "PAY_PER_REQUEST");
    assert_int_equal(json_integer_value(member(d, "ProvisionedThroughput.ReadCapacityUnits")),
                     0);
    assert_int_equal(json_integer_value(member(d, "ItemCount")), 0);
    assert_int_equal(strlen(json_string_value(member(d, "TableId"))), 36);
    assert_true(json_real_value(member(d, "CreationDateTime")) > 1.7e9);
    json_t *ks = json_object_get(d, "KeySchema");
    assert_int_equal(json_array_size(ks), 2);
    assert_string_equal(json_string_value(member(json_array_get(ks, 1), "KeyType")), "RANGE");
    json_decref(j);
    kv_free(r);

    r = fx_request(f, "DescribeTable", "{\"TableName\":\"Music\"}", KV_OK);
    j = json_loads(r, 0, NULL);
    assert_string_equal(json_string_value(member(j, "Table.TableStatus")), "ACTIVE");
    assert_int_equal(json_array_size(member(j, "Table.KeySchema")), 2);
    json_decref(j);
    kv_free(r);
}

static void
table02_provisioned(void **state)
{
    struct fx *f = *state;
    fx_ok(f, "CreateTable",
          "{\"TableName\":\"Tab1\",\"AttributeDefinitions\":[{\"AttributeName\":\"id\","
          "\"AttributeType\":\"N\"}],\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":"
          "\"HASH\"}],\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,"
          "\"WriteCapacityUnits\":7}}");
    char *r = fx_request(f, "DescribeTable", "{\"TableName\":\"Tab1\"}", KV_OK);
    json_t *j = json_loads(r, 0, NULL);
    assert_int_equal(json_integer_value(member(j, "Table.ProvisionedThroughput.ReadCapacityUnits")),
                     5);
    assert_int_equal(
        json_integer_value(member(j, "Table.ProvisionedThroughput.WriteCapacityUnits")), 7);
    assert_null(member(j, "Table.BillingModeSummary"));
    json_decref(j);
    kv_free(r);
}

/* A maximum on-demand rate is refused, not ignored: it would change when
 * requests throttle.  Nothing is created. */
static void
table03b_on_demand_maximum_refused(void **state)
{
    struct fx *f = *state;
    fx_expect_error(f, "CreateTable",
                    "{\"TableName\":\"Music\"," MUSIC_ATTRS "," MUSIC_KEYS
                    ",\"BillingMode\":\"PAY_PER_REQUEST\",\"OnDemandThroughput\":"
                    "{\"MaxReadRequestUnits\":5,\"MaxWriteRequestUnits\":2}}",
                    KV_VALIDATION, "The parameter OnDemandThroughput is not supported by libkv");
    fx_expect_error(f, "DescribeTable", "{\"TableName\":\"Music\"}", KV_RESOURCE_NOT_FOUND,
                    "Requested resource not found: Table: Music not found");
    fx_expect_error(f, "CreateTable",
                    "{\"TableName\":\"Music\",\"AttributeDefinitions\":["
                    "{\"AttributeName\":\"Artist\",\"AttributeType\":\"S\"}],"
                    "\"KeySchema\":[{\"AttributeName\":\"Artist\",\"KeyType\":\"HASH\"}],"
                    "\"BillingMode\":\"PAY_PER_REQUEST\",\"GlobalSecondaryIndexes\":[{"
                    "\"IndexName\":\"ByArtist\",\"KeySchema\":[{\"AttributeName\":\"Artist\","
                    "\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"},"
                    "\"OnDemandThroughput\":{\"MaxReadRequestUnits\":5}}]}",
                    KV_VALIDATION, "The parameter OnDemandThroughput is not supported by libkv");
    fx_expect_error(f, "DescribeTable", "{\"TableName\":\"Music\"}", KV_RESOURCE_NOT_FOUND,
                    "Requested resource not found: Table: Music not found");
    /* null is absent, as for every optional member */
    fx_ok(f, "CreateTable",
          "{\"TableName\":\"Music\"," MUSIC_ATTRS "," MUSIC_KEYS
          ",\"BillingMode\":\"PAY_PER_REQUEST\",\"OnDemandThroughput\":null}");
}

static void
table03_in_use(void **state)
{
    struct fx *f = *state;
    fx_create_music(f);
    fx_expect_error(f, "CreateTable",
                    "{\"TableName\":\"Music\"," MUSIC_ATTRS "," MUSIC_KEYS
                    ",\"BillingMode\":\"PAY_PER_REQUEST\"}",
                    KV_RESOURCE_IN_USE, "Table already exists: Music");
}

static void
table04_not_found(void **state)
{
    struct fx *f = *state;
    fx_expect_error(f, "DescribeTable", "{\"TableName\":\"No\"}", KV_RESOURCE_NOT_FOUND,
                    "Requested resource not found: Table: No not found");
    fx_expect_error(f, "DescribeTable", "{}", KV_VALIDATION,
                    "The parameter 'TableName' is required but was not present in the request");
    fx_expect_error(f, "DescribeTable", "{\"TableName\":\"Nope\"}", KV_RESOURCE_NOT_FOUND,
                    "Requested resource not found: Table: Nope not found");
    fx_expect_error(f, "DeleteTable", "{\"TableName\":\"Nope\"}", KV_RESOURCE_NOT_FOUND,
                    "Requested resource not found: Table: Nope not found");
}

/* Each CreateTable request below is invalid; nothing may be created. */
struct bad_create {
    const char *json;
    kv_status st;
    const char *message;
};

static const struct bad_create bad_creates[] = {
    {"{" MUSIC_ATTRS "," MUSIC_KEYS "}", KV_VALIDATION,
     "The parameter 'TableName' is required but was not present in the request"},
    {"{\"TableName\":\"ab\"," MUSIC_ATTRS "," MUSIC_KEYS "}", KV_VALIDATION,
     "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
     "Member must have length greater than or equal to 3"},
    {"{\"TableName\":\"Music\"," MUSIC_ATTRS ",\"KeySchema\":[{\"AttributeName\":\"pk\","
     "\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"},{\"AttributeName\":"
     "\"extra\",\"KeyType\":\"RANGE\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}",
     KV_VALIDATION,
     "1 validation error detected: Value '[KeySchemaElement(attributeName=pk, keyType=HASH), "
     "KeySchemaElement(attributeName=sk, keyType=RANGE), KeySchemaElement(attributeName=extra, "
     "keyType=RANGE)]' at 'keySchema' failed to satisfy constraint: Member must have length "
     "less than or equal to 2"},
    {"{\"TableName\":\"bad name!\"," MUSIC_ATTRS "," MUSIC_KEYS
     ",\"BillingMode\":\"PAY_PER_REQUEST\"}",
     KV_VALIDATION,
     "1 validation error detected: Value 'bad name!' at 'tableName' failed to satisfy "
     "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
    {"{\"TableName\":\"Music\"," MUSIC_KEYS ",\"BillingMode\":\"PAY_PER_REQUEST\"}",
     KV_VALIDATION,
     "1 validation error detected: Value null at 'attributeDefinitions' failed to satisfy "
     "constraint: Member must not be null"},
    {"{\"TableName\":\"Music\"," MUSIC_ATTRS ",\"BillingMode\":\"PAY_PER_REQUEST\"}",
     KV_VALIDATION,
     "1 validation error detected: Value null at 'keySchema' failed to satisfy constraint: "
     "Member must not be null"},
    {"{\"TableName\":\"Music\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\","
     "\"AttributeType\":\"X\"}],\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}],"
     "\"BillingMode\":\"PAY_PER_REQUEST\"}",
     KV_VALIDATION,
     "1 validation error detected: Value 'X' at 'attributeDefinitions.1.member.attributeType' "
     "failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]"},
    {"{\"TableName\":\"Music\"," MUSIC_ATTRS "," MUSIC_KEYS ",\"BillingMode\":\"FREE\"}",
     KV_VALIDATION,
     "1 validation error detected: Value 'FREE' at 'billingMode' failed to satisfy "
     "constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"},
    {"{\"TableName\":\"Music\"," MUSIC_ATTRS "," MUSIC_KEYS
     ",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":0,\"WriteCapacityUnits\":5}}",
     KV_VALIDATION,
     "1 validation error detected: Value '0' at 'provisionedThroughput.readCapacityUnits' "
     "failed to satisfy constraint: Member must have value greater than or equal to 1"},
    {"{\"TableName\":\"Music\"," MUSIC_ATTRS "," MUSIC_KEYS "}", KV_VALIDATION,
     "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
     "must both be specified when BillingMode is PROVISIONED"},
    {"{\"TableName\":\"Music\"," MUSIC_ATTRS "," MUSIC_KEYS
     ",\"BillingMode\":\"PAY_PER_REQUEST\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,"
     "\"WriteCapacityUnits\":1}}",
     KV_VALIDATION,
     "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
     "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"},
    {"{\"TableName\":\"Music\",\"AttributeDefinitions\":[{\"AttributeName\":\"Artist\","
     "\"AttributeType\":\"S\"}]," MUSIC_KEYS ",\"BillingMode\":\"PAY_PER_REQUEST\"}",
     KV_VALIDATION, "Invalid KeySchema: Some index key attribute have no definition"},
    {"{\"TableName\":\"Music\",\"AttributeDefinitions\":[{\"AttributeName\":\"Artist\","
     "\"AttributeType\":\"S\"},{\"AttributeName\":\"Other\",\"AttributeType\":\"S\"}],"
     MUSIC_KEYS ",\"BillingMode\":\"PAY_PER_REQUEST\"}",
     KV_VALIDATION,
     "One or more parameter values were invalid: Some index key attributes are not defined in "
     "AttributeDefinitions. Keys: [Artist, SongTitle], AttributeDefinitions: [Artist, Other]"},
    {"{\"TableName\":\"Music\"," MUSIC_ATTRS ",\"KeySchema\":[{\"AttributeName\":\"Artist\","
     "\"KeyType\":\"HASH\"},{\"AttributeName\":\"Artist\",\"KeyType\":\"RANGE\"}],"
     "\"BillingMode\":\"PAY_PER_REQUEST\"}",
     KV_VALIDATION,
     "Both the Hash Key and the Range Key element in the KeySchema have the same name"},
    {"{\"TableName\":\"Music\"," MUSIC_ATTRS ",\"KeySchema\":[{\"AttributeName\":\"Artist\","
     "\"KeyType\":\"RANGE\"},{\"AttributeName\":\"SongTitle\",\"KeyType\":\"HASH\"}],"
     "\"BillingMode\":\"PAY_PER_REQUEST\"}",
     KV_VALIDATION, "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
    {"{\"TableName\":\"Music\"," MUSIC_ATTRS ",\"KeySchema\":[{\"AttributeName\":\"Artist\","
     "\"KeyType\":\"HASH\"},{\"AttributeName\":\"SongTitle\",\"KeyType\":\"HASH\"}],"
     "\"BillingMode\":\"PAY_PER_REQUEST\"}",
     KV_VALIDATION, "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"},
    {"{\"TableName\":\"Music\"," MUSIC_ATTRS ",\"KeySchema\":[{\"AttributeName\":\"Artist\","
     "\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}",
     KV_VALIDATION,
     "One or more parameter values were invalid: Number of attributes in KeySchema does not "
     "exactly match number of attributes defined in AttributeDefinitions"},
    {"{\"TableName\":\"Music\"," MUSIC_ATTRS ",\"KeySchema\":[],"
     "\"BillingMode\":\"PAY_PER_REQUEST\"}",
     KV_VALIDATION,
     "1 validation error detected: Value '[]' at 'keySchema' failed to satisfy constraint: "
     "Member must have length greater than or equal to 1"},
    {"{\"TableName\":5}", KV_SERIALIZATION, "NUMBER_VALUE cannot be converted to String"},
    {"{\"TableName\":\"Music\",\"KeySchema\":{}}", KV_SERIALIZATION,
     "Start of structure or map found where not expected"},
    {"{\"TableName\":\"Music\",\"KeySchema\":[5]}", KV_SERIALIZATION,
     "Unexpected value type in payload"},
    {"{\"TableName\":\"Music\",\"ProvisionedThroughput\":[]}", KV_SERIALIZATION,
     "Unrecognized collection type class "
     "com.amazonaws.dynamodb.v20120810.ProvisionedThroughput"},
    {"{\"TableName\":\"Music\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":\"5\"}}",
     KV_SERIALIZATION, "STRING_VALUE cannot be converted to Long"},
    {"{\"TableName\":\"Music\",\"DeletionProtectionEnabled\":7}", KV_SERIALIZATION,
     "NUMBER_VALUE cannot be converted to Boolean"},
};

static void
table05_create_validation(void **state)
{
    struct fx *f = *state;
    for (size_t i = 0; i < sizeof bad_creates / sizeof bad_creates[0]; i++) {
        fx_expect_error(f, "CreateTable", bad_creates[i].json, bad_creates[i].st,
                        bad_creates[i].message);
        assert_no_tables(f);
    }
}

static void
table06_list_paging(void **state)
{
    struct fx *f = *state;
    const char *names[] = {"Zeta", "alpha", "Beta", "b-2", "a.1"};
    for (size_t i = 0; i < 5; i++) {
        char req[256];
        snprintf(req, sizeof req,
                 "{\"TableName\":\"%s\",\"AttributeDefinitions\":[{\"AttributeName\":\"k\","
                 "\"AttributeType\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"k\","
                 "\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}",
                 names[i]);
        fx_ok(f, "CreateTable", req);
    }
    /* Byte order: upper case before lower case. */
    char *r = fx_request(f, "ListTables", "{\"Limit\":2}", KV_OK);
    fx_assert_json(r, "{\"TableNames\":[\"Beta\",\"Zeta\"],\"LastEvaluatedTableName\":\"Zeta\"}");
    kv_free(r);
    r = fx_request(f, "ListTables", "{\"Limit\":2,\"ExclusiveStartTableName\":\"Zeta\"}", KV_OK);
    fx_assert_json(r, "{\"TableNames\":[\"a.1\",\"alpha\"],\"LastEvaluatedTableName\":\"alpha\"}");
    kv_free(r);
    r = fx_request(f, "ListTables", "{\"ExclusiveStartTableName\":\"alpha\"}", KV_OK);
    fx_assert_json(r, "{\"TableNames\":[\"b-2\"]}");
    kv_free(r);
    /* Exactly a page's worth left: no LastEvaluatedTableName. */
    r = fx_request(f, "ListTables", "{\"Limit\":1,\"ExclusiveStartTableName\":\"alpha\"}", KV_OK);
    fx_assert_json(r, "{\"TableNames\":[\"b-2\"]}");
    kv_free(r);
    fx_expect_error(f, "ListTables", "{\"Limit\":0}", KV_VALIDATION,
                    "1 validation error detected: Value '0' at 'limit' failed to satisfy "
                    "constraint: Member must have value greater than or equal to 1");
    fx_expect_error(f, "ListTables", "{\"Limit\":101}", KV_VALIDATION,
                    "1 validation error detected: Value '101' at 'limit' failed to satisfy "
                    "constraint: Member must have value less than or equal to 100");
}

static void
table07_delete(void **state)
{
    struct fx *f = *state;
    fx_create_music(f);
    fx_ok(f, "PutItem",
          "{\"TableName\":\"Music\",\"Item\":{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":"
          "\"B\"}}}");
    char *r = fx_request(f, "DeleteTable", "{\"TableName\":\"Music\"}", KV_OK);
    json_t *j = json_loads(r, 0, NULL);
    assert_string_equal(json_string_value(member(j, "TableDescription.TableStatus")),
                        "DELETING");
    assert_int_equal(json_integer_value(member(j, "TableDescription.ItemCount")), 1);
    json_decref(j);
    kv_free(r);
    assert_no_tables(f);
    fx_expect_error(f, "GetItem",
                    "{\"TableName\":\"Music\",\"Key\":{\"Artist\":{\"S\":\"A\"},\"SongTitle\":"
                    "{\"S\":\"B\"}}}",
                    KV_RESOURCE_NOT_FOUND, "Requested resource not found");
    /* A new table of the same name starts empty. */
    fx_create_music(f);
    r = fx_request(f, "GetItem",
                   "{\"TableName\":\"Music\",\"Key\":{\"Artist\":{\"S\":\"A\"},\"SongTitle\":"
                   "{\"S\":\"B\"}}}",
                   KV_OK);
    fx_assert_json(r, "{}");
    kv_free(r);
}

static void
table08_persistence(void **state)
{
    struct fx *f = *state;
    fx_create_music(f);
    fx_reopen(f);
    char *r = fx_request(f, "ListTables", "{}", KV_OK);
    fx_assert_json(r, "{\"TableNames\":[\"Music\"]}");
    kv_free(r);
}

/* Many create/delete cycles reuse LMDB databases instead of exhausting them. */
static void
table09_create_delete_cycles(void **state)
{
    struct fx *f = *state;
    for (int i = 0; i < 300; i++) {
        fx_create_music(f);
        fx_ok(f, "DeleteTable", "{\"TableName\":\"Music\"}");
    }
    assert_no_tables(f);
}

static void
table10_deletion_protection(void **state)
{
    struct fx *f = *state;
    fx_ok(f, "CreateTable",
          "{\"TableName\":\"Keep\",\"AttributeDefinitions\":[{\"AttributeName\":\"k\","
          "\"AttributeType\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"k\",\"KeyType\":"
          "\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"DeletionProtectionEnabled\":true}");
    fx_expect_error(f, "DeleteTable", "{\"TableName\":\"Keep\"}", KV_VALIDATION,
                    "Resource cannot be deleted as it is currently protected against deletion. "
                    "Disable deletion protection first.");
    char *r = fx_request(f, "ListTables", "{}", KV_OK);
    fx_assert_json(r, "{\"TableNames\":[\"Keep\"]}");
    kv_free(r);
}

static void
table11_typed_api(void **state)
{
    struct fx *f = *state;
    kv_table_def def = {.name = "Typed", .hash_key = {"id", KV_N},
                        .range_key = {"at", KV_S}, .billing_mode = KV_PROVISIONED,
                        .read_capacity = 3, .write_capacity = 4};
    kv_table_info *info = NULL;
    assert_int_equal(kv_table_create(f->db, &def, &info), KV_OK);
    assert_string_equal(info->name, "Typed");
    assert_string_equal(info->status, "CREATING");
    assert_int_equal(info->range_key.type, KV_S);
    kv_table_info_free(info);
    assert_int_equal(kv_table_create(f->db, &def, NULL), KV_RESOURCE_IN_USE);
    assert_string_equal(kv_errmsg(f->db), "Table already exists: Typed");
    assert_int_equal(kv_table_describe(f->db, "Typed", &info), KV_OK);
    assert_int_equal(info->read_capacity, 3);
    assert_int_equal(info->write_capacity, 4);
    assert_string_equal(info->status, "ACTIVE");
    kv_table_info_free(info);
    char **names;
    size_t n;
    char *last;
    assert_int_equal(kv_table_list(f->db, NULL, 0, &names, &n, &last), KV_OK);
    assert_int_equal(n, 1);
    assert_string_equal(names[0], "Typed");
    assert_null(last);
    kv_free(names);
    assert_int_equal(kv_table_delete(f->db, "Typed"), KV_OK);
    assert_int_equal(kv_table_describe(f->db, "Typed", &info), KV_RESOURCE_NOT_FOUND);
    assert_null(info);
    def.name = "x";
    assert_int_equal(kv_table_create(f->db, &def, NULL), KV_VALIDATION);
    assert_string_equal(kv_errmsg(f->db), "1 validation error detected: Value 'x' at 'tableName' "
                                          "failed to satisfy constraint: Member must have length "
                                          "greater than or equal to 3");
}

/* An unknown operation's name is quoted in the error body, unless it is
 * not UTF-8: a JSON body cannot hold it, and there is still a body. */
static void
table12_unknown_operation(void **state)
{
    struct fx *f = *state;
    char *body = fx_request(f, "Frobnicate", "{}", KV_UNKNOWN_OPERATION);
    fx_assert_json(body, "{\"__type\":\"com.amazon.coral.service#"
                         "UnknownOperationException\",\"message\":\"Unknown operation: "
                         "Frobnicate\"}");
    kv_free(body);
    assert_string_equal(kv_errmsg(f->db), "Unknown operation: Frobnicate");
    body = fx_request(f, "\x8a@", "", KV_UNKNOWN_OPERATION);
    fx_assert_json(body, "{\"__type\":\"com.amazon.coral.service#"
                         "UnknownOperationException\",\"message\":\"Unknown operation\"}");
    kv_free(body);
    assert_string_equal(kv_errmsg(f->db), "Unknown operation");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(table01_create_describe_music, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(table02_provisioned, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(table03_in_use, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(table03b_on_demand_maximum_refused, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(table04_not_found, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(table05_create_validation, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(table06_list_paging, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(table07_delete, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(table08_persistence, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(table09_create_delete_cycles, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(table10_deletion_protection, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(table11_typed_api, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(table12_unknown_operation, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
