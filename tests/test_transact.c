/*
 * test_transact.c -- TransactWriteItems and TransactGetItems through both
 * faces: all or nothing, CancellationReasons one per action, which problems
 * reject the request and which cancel it, ClientRequestToken replay and
 * mismatch (across a reopen and after expiry), and capacity in exact units.
 */
#include "fixture.h"

#include "catalog.h"
#include "err.h"
#include "mem.h"
#include "txn.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CANCELLED "Transaction cancelled, please refer cancellation reasons for specific reasons "
#define TYPE_PREFIX "com.amazonaws.dynamodb.v20120810#"

static void
create_hash(struct fx *f, const char *name)
{
    char req[512];
    snprintf(req, sizeof req,
             "{\"TableName\":\"%s\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\","
             "\"AttributeType\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":"
             "\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}",
             name);
    fx_ok(f, "CreateTable", req);
}

static void
put_hash(struct fx *f, const char *table, const char *pk, const char *rest)
{
    char req[8192];
    snprintf(req, sizeof req, "{\"TableName\":\"%s\",\"Item\":{\"pk\":{\"S\":\"%s\"}%s%s}}", table,
             pk, rest ? "," : "", rest ? rest : "");
    fx_ok(f, "PutItem", req);
}

static void
get_hash(struct fx *f, const char *table, const char *pk, const char *want)
{
    char req[256];
    snprintf(req, sizeof req, "{\"TableName\":\"%s\",\"Key\":{\"pk\":{\"S\":\"%s\"}}}", table, pk);
    char *r = fx_request(f, "GetItem", req, KV_OK);
    fx_assert_json(r, want);
    kv_free(r);
}

/* Run a TransactWriteItems with these actions; the whole response body. */
static char *
transact(struct fx *f, const char *actions, const char *rest, kv_status expect)
{
    size_t cap = strlen(actions) + (rest ? strlen(rest) : 0) + 64;
    char *req = malloc(cap);
    snprintf(req, cap, "{\"TransactItems\":[%s]%s%s}", actions, rest ? "," : "", rest ? rest : "");
    char *r = fx_request(f, "TransactWriteItems", req, expect);
    free(req);
    return r;
}

static void
transact_expect(struct fx *f, const char *actions, const char *rest, kv_status st, const char *want)
{
    char *r = transact(f, actions, rest, st);
    fx_assert_json(r, want);
    kv_free(r);
}

/* A rejection with exactly this exception and message. */
static void
transact_error(struct fx *f, const char *actions, kv_status st, const char *message)
{
    size_t cap = strlen(actions) + 64;
    char *req = malloc(cap);
    snprintf(req, cap, "{\"TransactItems\":[%s]}", actions);
    fx_expect_error(f, "TransactWriteItems", req, st, message);
    free(req);
}

/* The item the rejected requests below must leave alone. */
static void
assert_untouched(struct fx *f)
{
    get_hash(f, "Hash", "keep", "{\"Item\":{\"pk\":{\"S\":\"keep\"},\"n\":{\"N\":\"1\"}}}");
    get_hash(f, "Hash", "new", "{}");
}

/* --- TransactWriteItems ---------------------------------------------------------------- */

static void
tx01_write_all_kinds(void **state)
{
    struct fx *f = *state;
    create_hash(f, "Hash");
    fx_create_music(f);
    put_hash(f, "Hash", "upd", "\"n\":{\"N\":\"1\"}");
    put_hash(f, "Hash", "del", NULL);
    put_hash(f, "Hash", "chk", "\"state\":{\"S\":\"open\"}");
    transact_expect(
        f,
        "{\"Put\":{\"TableName\":\"Hash\",\"Item\":{\"pk\":{\"S\":\"put\"},\"v\":{\"S\":\"x\"}}}},"
        "{\"Update\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"upd\"}},\"UpdateExpression\":"
        "\"SET n = n + :one\",\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"}}}},"
        "{\"Delete\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"del\"}}}},"
        "{\"ConditionCheck\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"chk\"}},"
        "\"ConditionExpression\":\"#s = :open\",\"ExpressionAttributeNames\":{\"#s\":\"state\"},"
        "\"ExpressionAttributeValues\":{\":open\":{\"S\":\"open\"}}}},"
        "{\"Put\":{\"TableName\":\"Music\",\"Item\":{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":"
        "\"T\"}}}}",
        "\"ReturnConsumedCapacity\":\"TOTAL\"", KV_OK,
        "{\"ConsumedCapacity\":[{\"TableName\":\"Hash\",\"CapacityUnits\":8.0,"
        "\"WriteCapacityUnits\":8.0},{\"TableName\":\"Music\",\"CapacityUnits\":2.0,"
        "\"WriteCapacityUnits\":2.0}]}");
    get_hash(f, "Hash", "put", "{\"Item\":{\"pk\":{\"S\":\"put\"},\"v\":{\"S\":\"x\"}}}");
    get_hash(f, "Hash", "upd", "{\"Item\":{\"pk\":{\"S\":\"upd\"},\"n\":{\"N\":\"2\"}}}");
    get_hash(f, "Hash", "del", "{}");
    get_hash(f, "Hash", "chk", "{\"Item\":{\"pk\":{\"S\":\"chk\"},\"state\":{\"S\":\"open\"}}}");
    /* No ReturnConsumedCapacity: an empty response. */
    transact_expect(f, "{\"Delete\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"put\"}}}}",
                    NULL, KV_OK, "{}");
}

/* Transact-01: the last action's condition fails; nothing is written and
 * there is one reason per action. */
static void
tx02_last_condition_fails(void **state)
{
    struct fx *f = *state;
    create_hash(f, "Hash");
    put_hash(f, "Hash", "keep", "\"n\":{\"N\":\"1\"}");
    put_hash(f, "Hash", "gone", "\"n\":{\"N\":\"1\"}");
    put_hash(f, "Hash", "chk", "\"state\":{\"S\":\"closed\"}");
    transact_expect(
        f,
        "{\"Put\":{\"TableName\":\"Hash\",\"Item\":{\"pk\":{\"S\":\"new\"}}}},"
        "{\"Update\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"keep\"}},"
        "\"UpdateExpression\":"
        "\"SET n = :two\",\"ExpressionAttributeValues\":{\":two\":{\"N\":\"2\"}}}},"
        "{\"Delete\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"gone\"}}}},"
        "{\"ConditionCheck\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"chk\"}},"
        "\"ConditionExpression\":\"#s = :open\",\"ExpressionAttributeNames\":{\"#s\":\"state\"},"
        "\"ExpressionAttributeValues\":{\":open\":{\"S\":\"open\"}}}}",
        NULL, KV_TRANSACTION_CANCELED,
        "{\"__type\":\"" TYPE_PREFIX "TransactionCanceledException\",\"Message\":\"" CANCELLED
        "[None, None, None, ConditionalCheckFailed]\",\"CancellationReasons\":[{\"Code\":"
        "\"None\"},{\"Code\":\"None\"},{\"Code\":\"None\"},{\"Code\":\"ConditionalCheckFailed\","
        "\"Message\":\"The conditional request failed\"}]}");
    assert_string_equal(kv_errmsg(f->db), CANCELLED "[None, None, None, ConditionalCheckFailed]");
    assert_untouched(f);
    get_hash(f, "Hash", "gone", "{\"Item\":{\"pk\":{\"S\":\"gone\"},\"n\":{\"N\":\"1\"}}}");
    /* Two failures, the old item where asked, None for the survivor. */
    transact_expect(
        f,
        "{\"Put\":{\"TableName\":\"Hash\",\"Item\":{\"pk\":{\"S\":\"keep\"}},"
        "\"ConditionExpression\":"
        "\"attribute_not_exists(pk)\",\"ReturnValuesOnConditionCheckFailure\":\"ALL_OLD\"}},"
        "{\"Put\":{\"TableName\":\"Hash\",\"Item\":{\"pk\":{\"S\":\"new\"}},"
        "\"ConditionExpression\":"
        "\"attribute_not_exists(pk)\"}},"
        "{\"Update\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"absent\"}},"
        "\"UpdateExpression\":\"SET n = :two\",\"ConditionExpression\":\"attribute_exists(pk)\","
        "\"ExpressionAttributeValues\":{\":two\":{\"N\":\"2\"}},"
        "\"ReturnValuesOnConditionCheckFailure\":\"ALL_OLD\"}}",
        NULL, KV_TRANSACTION_CANCELED,
        "{\"__type\":\"" TYPE_PREFIX "TransactionCanceledException\",\"Message\":\"" CANCELLED
        "[ConditionalCheckFailed, None, ConditionalCheckFailed]\",\"CancellationReasons\":[{"
        "\"Code\":\"ConditionalCheckFailed\",\"Message\":\"The conditional request failed\","
        "\"Item\":{\"pk\":{\"S\":\"keep\"},\"n\":{\"N\":\"1\"}}},{\"Code\":\"None\"},{\"Code\":"
        "\"ConditionalCheckFailed\",\"Message\":\"The conditional request failed\"}]}");
    assert_untouched(f);
    get_hash(f, "Hash", "absent", "{}");
}

/* 101 actions: rejected with the list echoed in DynamoDB's Java rendering. */
static void
over_100_actions(struct fx *f)
{
    size_t cap = 101 * 96 + 64;
    char *acts = malloc(cap);
    size_t len = 0;
    for (int i = 0; i < 101; i++)
        len += (size_t)snprintf(acts + len, cap - len,
                                "%s{\"Put\":{\"TableName\":\"Hash\",\"Item\":{\"pk\":{\"S\":"
                                "\"p%d\"}}}}",
                                i ? "," : "", i);
    char *r = transact(f, acts, NULL, KV_VALIDATION);
    free(acts);
    const char *m = kv_errmsg(f->db);
    const char *head = "1 validation error detected: Value '[TransactWriteItem(conditionCheck="
                       "null, put=Put(item={pk=com.amazonaws.dynamodb.v20120810.AttributeValue@";
    const char *tail = ")]' at 'transactItems' failed to satisfy constraint: Member must have "
                       "length less than or equal to 100";
    assert_memory_equal(m, head, strlen(head));
    assert_string_equal(m + strlen(m) - strlen(tail), tail);
    kv_free(r);
}

static void
tx03_rejections(void **state)
{
    struct fx *f = *state;
    create_hash(f, "Hash");
    put_hash(f, "Hash", "keep", "\"n\":{\"N\":\"1\"}");
    fx_expect_error(f, "TransactWriteItems", "{\"TransactItems\":[]}", KV_VALIDATION,
                    "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy "
                    "constraint: Member must have length greater than or equal to 1");
    over_100_actions(f);
    transact_error(f,
                   "{\"Put\":{\"TableName\":\"Hash\",\"Item\":{\"pk\":{\"S\":\"new\"}}}},"
                   "{\"ConditionCheck\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"new\"}},"
                   "\"ConditionExpression\":\"attribute_not_exists(pk)\"}}",
                   KV_VALIDATION,
                   "Transaction request cannot include multiple operations on one item");
    transact_error(f,
                   "{\"Put\":{\"TableName\":\"Hash\",\"Item\":{\"pk\":{\"S\":\"new\"}}}},"
                   "{\"Put\":{\"TableName\":\"Missing\",\"Item\":{\"pk\":{\"S\":\"x\"}}}}",
                   KV_RESOURCE_NOT_FOUND, "Requested resource not found");
    transact_error(f,
                   "{\"Put\":{\"TableName\":\"Hash\",\"Item\":{\"pk\":{\"S\":\"new\"}}},"
                   "\"Delete\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"keep\"}}}}",
                   KV_VALIDATION,
                   "TransactItems can only contain one of Check, Put, Update or Delete");
    /* An empty key value rejects the request even beside a failing condition. */
    transact_error(f,
                   "{\"ConditionCheck\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"keep\"}},"
                   "\"ConditionExpression\":\"attribute_not_exists(pk)\"}},"
                   "{\"Delete\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"\"}}}}",
                   KV_VALIDATION,
                   "One or more parameter values are not valid. The AttributeValue for a key "
                   "attribute cannot contain an empty string value. Key: pk");
    transact_error(f, "{\"Update\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"keep\"}}}}",
                   KV_VALIDATION,
                   "1 validation error detected: Value null at "
                   "'transactItems.1.member.update.updateExpression' failed to satisfy "
                   "constraint: Member must not be null");
    transact_error(f,
                   "{\"Put\":{\"TableName\":\"Hash\",\"Item\":{\"pk\":{\"S\":\"new\"}},"
                   "\"ConditionExpression\":\"((attribute_not_exists(pk)))\"}}",
                   KV_VALIDATION,
                   "Invalid ConditionExpression: The expression has redundant parentheses;");
    fx_expect_error(f, "TransactWriteItems",
                    "{\"TransactItems\":[{\"Put\":{\"TableName\":\"Hash\",\"Item\":{\"pk\":{\"S\":"
                    "\"new\"}}}}],\"ClientRequestToken\":"
                    "\"0123456789012345678901234567890123456\"}",
                    KV_VALIDATION,
                    "1 validation error detected: Value '0123456789012345678901234567890123456' "
                    "at 'clientRequestToken' failed to satisfy constraint: Member must have "
                    "length less than or equal to 36");
    assert_untouched(f);
}

/* Problems that depend on the schema or the item cancel, with a
 * ValidationError reason; problems of the request's values reject it. */
static void
tx04_validation_reasons(void **state)
{
    struct fx *f = *state;
    create_hash(f, "Hash");
    put_hash(f, "Hash", "keep", "\"n\":{\"N\":\"1\"}");
    transact_expect(
        f,
        "{\"Put\":{\"TableName\":\"Hash\",\"Item\":{\"pk\":{\"S\":\"new\"}}}},"
        "{\"Put\":{\"TableName\":\"Hash\",\"Item\":{\"pk\":{\"N\":\"5\"}}}},"
        "{\"Delete\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"L\":[{\"S\":\"x\"}]}}}},"
        "{\"Update\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"keep\"}},"
        "\"UpdateExpression\":\"SET m = m + :one\",\"ExpressionAttributeValues\":{\":one\":{\"N\":"
        "\"1\"}}}},"
        "{\"Update\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"k2\"}},"
        "\"UpdateExpression\":\"SET pk = :v\",\"ExpressionAttributeValues\":{\":v\":{\"S\":"
        "\"z\"}}}}",
        NULL, KV_TRANSACTION_CANCELED,
        "{\"__type\":\"" TYPE_PREFIX "TransactionCanceledException\",\"Message\":\"" CANCELLED
        "[None, ValidationError, ValidationError, ValidationError, ValidationError]\","
        "\"CancellationReasons\":[{\"Code\":\"None\"},{\"Code\":\"ValidationError\",\"Message\":"
        "\"One or more parameter values were invalid: Type mismatch for key pk expected: S "
        "actual: N\"},{\"Code\":\"ValidationError\",\"Message\":\"The provided key element does "
        "not match the schema\"},{\"Code\":\"ValidationError\",\"Message\":\"The provided "
        "expression refers to an attribute that does not exist in the item\"},{\"Code\":"
        "\"ValidationError\",\"Message\":\"One or more parameter values were invalid: Cannot "
        "update attribute pk. This attribute is part of the key\"}]}");
    assert_untouched(f);
    /* An update that makes the item too large. */
    kv_item *key = kv_item_new(), *vals = kv_item_new();
    kv_item_put_s(key, "pk", "keep");
    char *s = malloc(300001);
    memset(s, 's', 300000);
    s[300000] = '\0';
    kv_item_put_s(vals, ":a", s);
    kv_item_put_s(vals, ":b", s);
    free(s);
    kv_transact_write_item act = {
        .kind = KV_TRANSACT_UPDATE, .table = "Hash", .item = key, .update = "SET a = :a, b = :b"};
    act.expr.values = vals;
    assert_int_equal(kv_transact_write(f->db, &act, 1, NULL, NULL), KV_TRANSACTION_CANCELED);
    assert_int_equal(kv_error_reason_count(f->db), 1);
    assert_string_equal(kv_error_reason_code(f->db, 0), "ValidationError");
    assert_string_equal(kv_error_reason_message(f->db, 0),
                        "Item size to update has exceeded the maximum allowed size");
    kv_item_free(key);
    kv_item_free(vals);
    assert_untouched(f);
}

static void
tx05_update_semantics(void **state)
{
    struct fx *f = *state;
    create_hash(f, "Hash");
    /* A condition on an absent item creates no ghost. */
    char *r = transact(f,
                       "{\"Update\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"a\"}},"
                       "\"UpdateExpression\":\"ADD hits :one\",\"ConditionExpression\":"
                       "\"attribute_exists(pk)\",\"ExpressionAttributeValues\":{\":one\":{\"N\":"
                       "\"1\"}}}}",
                       NULL, KV_TRANSACTION_CANCELED);
    kv_free(r);
    get_hash(f, "Hash", "a", "{}");
    /* attribute_not_exists: the update creates the item. */
    transact_expect(f,
                    "{\"Update\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"a\"}},"
                    "\"UpdateExpression\":\"ADD hits :one\",\"ConditionExpression\":"
                    "\"attribute_not_exists(pk)\",\"ExpressionAttributeValues\":{\":one\":{\"N\":"
                    "\"1\"}}}}",
                    NULL, KV_OK, "{}");
    get_hash(f, "Hash", "a", "{\"Item\":{\"pk\":{\"S\":\"a\"},\"hits\":{\"N\":\"1\"}}}");
    /* Only removals on an absent item: nothing is written, two units charged. */
    transact_expect(f,
                    "{\"Update\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"b\"}},"
                    "\"UpdateExpression\":\"REMOVE x\"}}",
                    "\"ReturnConsumedCapacity\":\"INDEXES\"", KV_OK,
                    "{\"ConsumedCapacity\":[{\"TableName\":\"Hash\",\"CapacityUnits\":2.0,"
                    "\"WriteCapacityUnits\":2.0,\"Table\":{\"CapacityUnits\":2.0,"
                    "\"WriteCapacityUnits\":2.0}}]}");
    get_hash(f, "Hash", "b", "{}");
}

/* Transact-02: exact units.  Writes: 2 per KB of the larger image; a
 * ConditionCheck is a write of the item it read. */
static void
tx06_capacity(void **state)
{
    struct fx *f = *state;
    create_hash(f, "Hash");
    char v[3001], w[1501], rest[3100], acts[4096];
    memset(v, 'v', 3000);
    v[3000] = '\0';
    memset(w, 'w', 1500);
    w[1500] = '\0';
    snprintf(rest, sizeof rest, "\"v\":{\"S\":\"%s\"}", v);
    put_hash(f, "Hash", "three", rest); /* about 3 KB */
    put_hash(f, "Hash", "small", NULL);
    snprintf(
        acts, sizeof acts,
        "{\"Put\":{\"TableName\":\"Hash\",\"Item\":{\"pk\":{\"S\":\"p\"},\"v\":{\"S\":\"%s\"}}}},"
        "{\"Delete\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"absent\"}}}},"
        "{\"ConditionCheck\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"three\"}},"
        "\"ConditionExpression\":\"attribute_exists(v)\"}},"
        "{\"Update\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"small\"}},"
        "\"UpdateExpression\":\"SET v = :v\",\"ExpressionAttributeValues\":{\":v\":{\"S\":"
        "\"%s\"}}}}",
        w, w);
    /* 4 (1.5 KB) + 2 (absent) + 6 (3 KB read) + 4 (grows to 1.5 KB) = 16. */
    transact_expect(f, acts, "\"ReturnConsumedCapacity\":\"TOTAL\"", KV_OK,
                    "{\"ConsumedCapacity\":[{\"TableName\":\"Hash\",\"CapacityUnits\":16.0,"
                    "\"WriteCapacityUnits\":16.0}]}");
    /* Reads: 2 per 4 KB, 2 for an absent item. */
    char *r = fx_request(f, "TransactGetItems",
                         "{\"TransactItems\":[{\"Get\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{"
                         "\"S\":\"three\"}},\"ProjectionExpression\":\"pk\"}},{\"Get\":{"
                         "\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"none\"}}}}],"
                         "\"ReturnConsumedCapacity\":\"INDEXES\"}",
                         KV_OK);
    fx_assert_json(r, "{\"Responses\":[{\"Item\":{\"pk\":{\"S\":\"three\"}}},{}],"
                      "\"ConsumedCapacity\":[{\"TableName\":\"Hash\",\"CapacityUnits\":4.0,"
                      "\"ReadCapacityUnits\":4.0,\"Table\":{\"CapacityUnits\":4.0,"
                      "\"ReadCapacityUnits\":4.0}}]}");
    kv_free(r);
}

/* Move a token's completion time back, as if `ago_ms` had passed. */
struct age_args {
    const char *token;
    int64_t ago_ms;
};

static kv_status
age_token(struct txn *t, void *arg)
{
    struct age_args *a = arg;
    int64_t when;
    const uint8_t *rec;
    size_t len;
    bool found;
    kv_status st = catalog_token_get(t, a->token, strlen(a->token), &when, &rec, &len, &found);
    if (st != KV_OK || !found)
        return st ? st : KV_INTERNAL;
    uint8_t copy[512];
    memcpy(copy, rec, len);
    return catalog_token_put(t, a->token, strlen(a->token), when - a->ago_ms, copy, len);
}

/* Transact-03: ClientRequestToken. */
static void
tx07_idempotency(void **state)
{
    struct fx *f = *state;
    create_hash(f, "Hash");
    const char *bump = "{\"Update\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"c\"}},"
                       "\"UpdateExpression\":\"ADD n :one\",\"ExpressionAttributeValues\":{"
                       "\":one\":{\"N\":\"1\"}}}}";
    transact_expect(f, bump,
                    "\"ClientRequestToken\":\"tok-1\",\"ReturnConsumedCapacity\":\"TOTAL\"", KV_OK,
                    "{\"ConsumedCapacity\":[{\"TableName\":\"Hash\",\"CapacityUnits\":2.0,"
                    "\"WriteCapacityUnits\":2.0}]}");
    /* The same request again: not run again, read units reported. */
    transact_expect(f, bump,
                    "\"ClientRequestToken\":\"tok-1\",\"ReturnConsumedCapacity\":\"TOTAL\"", KV_OK,
                    "{\"ConsumedCapacity\":[{\"TableName\":\"Hash\",\"CapacityUnits\":2.0,"
                    "\"ReadCapacityUnits\":2.0}]}");
    transact_expect(f, bump, "\"ClientRequestToken\":\"tok-1\"", KV_OK, "{}");
    get_hash(f, "Hash", "c", "{\"Item\":{\"pk\":{\"S\":\"c\"},\"n\":{\"N\":\"1\"}}}");
    /* Tokens live in the database: another handle sees them. */
    fx_reopen(f);
    transact_expect(f, bump, "\"ClientRequestToken\":\"tok-1\"", KV_OK, "{}");
    get_hash(f, "Hash", "c", "{\"Item\":{\"pk\":{\"S\":\"c\"},\"n\":{\"N\":\"1\"}}}");
    const char *other = "{\"Put\":{\"TableName\":\"Hash\",\"Item\":{\"pk\":{\"S\":\"d\"}}}}";
    fx_expect_error(f, "TransactWriteItems",
                    "{\"TransactItems\":[{\"Put\":{\"TableName\":\"Hash\",\"Item\":{\"pk\":{\"S\":"
                    "\"d\"}}}}],\"ClientRequestToken\":\"tok-1\"}",
                    KV_IDEMPOTENT_PARAMETER_MISMATCH,
                    "DynamoDB rejected the request because you retried a request with a "
                    "different payload but with an idempotent token that was already used.");
    get_hash(f, "Hash", "d", "{}");
    /* Nine minutes on the token still binds; after ten it is forgotten. */
    struct age_args age = {"tok-1", 9 * 60 * 1000};
    struct kv_err err;
    err_init(&err);
    assert_int_equal(txn_run(f->db, true, age_token, &age, &err), KV_OK);
    transact_expect(f, bump, "\"ClientRequestToken\":\"tok-1\"", KV_OK, "{}");
    get_hash(f, "Hash", "c", "{\"Item\":{\"pk\":{\"S\":\"c\"},\"n\":{\"N\":\"1\"}}}");
    age.ago_ms = 2 * 60 * 1000;
    assert_int_equal(txn_run(f->db, true, age_token, &age, &err), KV_OK);
    transact_expect(f, other, "\"ClientRequestToken\":\"tok-1\"", KV_OK, "{}");
    get_hash(f, "Hash", "d", "{\"Item\":{\"pk\":{\"S\":\"d\"}}}");
    /* A cancelled transaction leaves no token: the retry runs. */
    char *r = transact(f,
                       "{\"Put\":{\"TableName\":\"Hash\",\"Item\":{\"pk\":{\"S\":\"e\"}},"
                       "\"ConditionExpression\":\"attribute_exists(pk)\"}}",
                       "\"ClientRequestToken\":\"tok-2\"", KV_TRANSACTION_CANCELED);
    kv_free(r);
    transact_expect(f, "{\"Put\":{\"TableName\":\"Hash\",\"Item\":{\"pk\":{\"S\":\"e\"}}}}",
                    "\"ClientRequestToken\":\"tok-2\"", KV_OK, "{}");
    get_hash(f, "Hash", "e", "{\"Item\":{\"pk\":{\"S\":\"e\"}}}");
    /* A replay reads at 4 KB granularity where the write counted 1 KB:
     * a 5 KB put costs 10 write units, its replay 4 read units. */
    char put[6000], five[5001];
    memset(five, 'f', 5000);
    five[5000] = '\0';
    snprintf(put, sizeof put,
             "{\"Put\":{\"TableName\":\"Hash\",\"Item\":{\"pk\":{\"S\":\"big\"},\"v\":{\"S\":"
             "\"%s\"}}}}",
             five);
    transact_expect(f, put, "\"ClientRequestToken\":\"tok-3\",\"ReturnConsumedCapacity\":\"TOTAL\"",
                    KV_OK,
                    "{\"ConsumedCapacity\":[{\"TableName\":\"Hash\",\"CapacityUnits\":10.0,"
                    "\"WriteCapacityUnits\":10.0}]}");
    transact_expect(f, put, "\"ClientRequestToken\":\"tok-3\",\"ReturnConsumedCapacity\":\"TOTAL\"",
                    KV_OK,
                    "{\"ConsumedCapacity\":[{\"TableName\":\"Hash\",\"CapacityUnits\":4.0,"
                    "\"ReadCapacityUnits\":4.0}]}");
    err_clear(&err);
}

/* --- TransactGetItems ------------------------------------------------------------------ */

static void
tx08_get(void **state)
{
    struct fx *f = *state;
    create_hash(f, "Hash");
    fx_create_music(f);
    put_hash(f, "Hash", "a", "\"n\":{\"N\":\"1\"},\"m\":{\"S\":\"x\"}");
    fx_ok(f, "PutItem",
          "{\"TableName\":\"Music\",\"Item\":{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":"
          "\"T\"}}}");
    char *r = fx_request(
        f, "TransactGetItems",
        "{\"TransactItems\":[{\"Get\":{\"TableName\":\"Music\",\"Key\":{\"Artist\":{\"S\":\"A\"},"
        "\"SongTitle\":{\"S\":\"T\"}}}},{\"Get\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":"
        "\"none\"}}}},{\"Get\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"a\"}},"
        "\"ProjectionExpression\":\"#n\",\"ExpressionAttributeNames\":{\"#n\":\"n\"}}}],"
        "\"ReturnConsumedCapacity\":\"TOTAL\"}",
        KV_OK);
    fx_assert_json(r, "{\"Responses\":[{\"Item\":{\"Artist\":{\"S\":\"A\"},\"SongTitle\":{\"S\":"
                      "\"T\"}}},{},{\"Item\":{\"n\":{\"N\":\"1\"}}}],\"ConsumedCapacity\":[{"
                      "\"TableName\":\"Music\",\"CapacityUnits\":2.0,\"ReadCapacityUnits\":2.0},"
                      "{\"TableName\":\"Hash\",\"CapacityUnits\":4.0,\"ReadCapacityUnits\":4.0}]}");
    kv_free(r);
    /* A projection that keeps nothing leaves Item out. */
    r = fx_request(f, "TransactGetItems",
                   "{\"TransactItems\":[{\"Get\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":"
                   "\"a\"}},\"ProjectionExpression\":\"zz\"}}]}",
                   KV_OK);
    fx_assert_json(r, "{\"Responses\":[{}]}");
    kv_free(r);
    fx_expect_error(f, "TransactGetItems", "{\"TransactItems\":[]}", KV_VALIDATION,
                    "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy "
                    "constraint: Member must have length greater than or equal to 1");
    fx_expect_error(f, "TransactGetItems",
                    "{\"TransactItems\":[{\"Get\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":"
                    "\"a\"}}}},{\"Get\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":\"a\"}}}}]}",
                    KV_VALIDATION,
                    "Transaction request cannot include multiple operations on one item");
    fx_expect_error(f, "TransactGetItems",
                    "{\"TransactItems\":[{\"Get\":{\"TableName\":\"Missing\",\"Key\":{\"pk\":{"
                    "\"S\":\"a\"}}}}]}",
                    KV_RESOURCE_NOT_FOUND, "Requested resource not found");
    fx_expect_error(f, "TransactGetItems",
                    "{\"TransactItems\":[{\"Get\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":"
                    "\"a\"}},\"ProjectionExpression\":\"!!!\"}}]}",
                    KV_VALIDATION,
                    "Invalid ProjectionExpression: Syntax error; token: \"!\", near: \"!!\"");
    r = fx_request(f, "TransactGetItems",
                   "{\"TransactItems\":[{\"Get\":{\"TableName\":\"Hash\",\"Key\":{\"pk\":{\"S\":"
                   "\"a\"}}}},{\"Get\":{\"TableName\":\"Hash\",\"Key\":{}}}]}",
                   KV_TRANSACTION_CANCELED);
    fx_assert_json(r, "{\"__type\":\"" TYPE_PREFIX "TransactionCanceledException\",\"Message\":"
                      "\"" CANCELLED "[None, ValidationError]\",\"CancellationReasons\":[{"
                      "\"Code\":\"None\"},{\"Code\":\"ValidationError\",\"Message\":\"The provided "
                      "key element does not match the schema\"}]}");
    kv_free(r);
}

static void
tx09_typed_api(void **state)
{
    struct fx *f = *state;
    create_hash(f, "Hash");
    kv_item *stock = kv_item_new(), *key = kv_item_new(), *order = kv_item_new();
    kv_item *one = kv_item_new();
    kv_item_put_s(stock, "pk", "stock");
    kv_item_put_n(stock, "n", "1");
    assert_int_equal(kv_put_item(f->db, "Hash", stock, NULL, NULL), KV_OK);
    kv_item_put_s(key, "pk", "stock");
    kv_item_put_s(order, "pk", "order");
    kv_item_put_n(one, ":one", "1");
    kv_transact_write_item acts[2] = {
        {.kind = KV_TRANSACT_UPDATE,
         .table = "Hash",
         .item = key,
         .update = "SET n = n - :one",
         .expr = {.condition = "n >= :one", .values = one},
         .return_old_on_condition_failure = 1},
        {.kind = KV_TRANSACT_PUT, .table = "Hash", .item = order},
    };
    kv_transact_write_opts opts = {.client_request_token = "typed"};
    kv_transact_write_result *res = NULL;
    assert_int_equal(kv_transact_write(f->db, acts, 2, &opts, &res), KV_OK);
    assert_int_equal(res->n_capacity, 1);
    assert_string_equal(res->capacity[0].table, "Hash");
    assert_true(res->capacity[0].write_units == 4.0);
    assert_false(res->replayed);
    kv_transact_write_result_free(res);
    assert_int_equal(kv_transact_write(f->db, acts, 2, &opts, &res), KV_OK);
    assert_true(res->replayed);
    assert_true(res->capacity[0].read_units == 4.0);
    kv_transact_write_result_free(res);
    /* No stock left: cancelled, with the old item. */
    assert_int_equal(kv_transact_write(f->db, acts, 1, NULL, NULL), KV_TRANSACTION_CANCELED);
    assert_int_equal(kv_error_reason_count(f->db), 1);
    assert_string_equal(kv_error_reason_code(f->db, 0), "ConditionalCheckFailed");
    assert_string_equal(kv_error_reason_message(f->db, 0), "The conditional request failed");
    assert_null(kv_error_reason_code(f->db, 1));
    kv_item *old = kv_error_reason_item(f->db, 0);
    assert_non_null(old);
    assert_string_equal(kv_value_bytes(kv_item_get(old, "n"), NULL), "0");
    kv_item_free(old);
    kv_transact_get_item gets[2] = {{.table = "Hash", .key = key}, {.table = "Hash", .key = order}};
    kv_transact_get_result *got = NULL;
    assert_int_equal(kv_transact_get(f->db, gets, 2, &got), KV_OK);
    assert_int_equal(got->n_items, 2);
    assert_string_equal(kv_value_bytes(kv_item_get(got->items[0], "n"), NULL), "0");
    assert_non_null(got->items[1]);
    assert_true(got->capacity[0].read_units == 4.0);
    kv_transact_get_result_free(got);
    /* The typed face has the JSON face's checks. */
    assert_int_equal(kv_transact_write(f->db, acts, 0, NULL, NULL), KV_VALIDATION);
    assert_string_equal(kv_errmsg(f->db),
                        "1 validation error detected: Value at 'transactItems' failed to satisfy "
                        "constraint: Member must have length greater than or equal to 1");
    assert_int_equal(kv_error_reason_count(f->db), 0);
    kv_item_free(stock);
    kv_item_free(key);
    kv_item_free(order);
    kv_item_free(one);
}

/* Secondary indexes kept in step by a transaction.  Skipped while
 * CreateTable refuses indexes. */
static void
tx10_indexes_in_step(void **state)
{
    struct fx *f = *state;
    static const char create[] =
        "{\"TableName\":\"Idx\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\","
        "\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],"
        "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
        "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi1\",\"KeySchema\":[{\"AttributeName\":"
        "\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}],"
        "\"BillingMode\":\"PAY_PER_REQUEST\"}";
    char *r = NULL;
    kv_status st = kv_request(f->db, "CreateTable", create, strlen(create), &r);
    kv_free(r);
    if (st != KV_OK)
        skip();
    fx_ok(f, "PutItem",
          "{\"TableName\":\"Idx\",\"Item\":{\"pk\":{\"S\":\"1\"},\"g\":{\"S\":\"red\"}}}");
    /* The table's units are doubled, the index's are not: the update moves
     * its entry (a delete and a put), the put adds one. */
    transact_expect(f,
                    "{\"Update\":{\"TableName\":\"Idx\",\"Key\":{\"pk\":{\"S\":\"1\"}},"
                    "\"UpdateExpression\":\"SET g = :b\",\"ExpressionAttributeValues\":{\":b\":{"
                    "\"S\":\"blue\"}}}},{\"Put\":{\"TableName\":\"Idx\",\"Item\":{\"pk\":{\"S\":"
                    "\"2\"},\"g\":{\"S\":\"red\"}}}}",
                    "\"ReturnConsumedCapacity\":\"INDEXES\"", KV_OK,
                    "{\"ConsumedCapacity\":[{\"TableName\":\"Idx\",\"CapacityUnits\":7.0,"
                    "\"WriteCapacityUnits\":7.0,\"Table\":{\"CapacityUnits\":4.0,"
                    "\"WriteCapacityUnits\":4.0},\"GlobalSecondaryIndexes\":{\"gsi1\":{"
                    "\"CapacityUnits\":3.0,\"WriteCapacityUnits\":3.0}}}]}");
    r = fx_request(f, "Query",
                   "{\"TableName\":\"Idx\",\"IndexName\":\"gsi1\",\"KeyConditionExpression\":"
                   "\"g = :g\",\"ExpressionAttributeValues\":{\":g\":{\"S\":\"red\"}}}",
                   KV_OK);
    fx_assert_json(r, "{\"Items\":[{\"pk\":{\"S\":\"2\"},\"g\":{\"S\":\"red\"}}],\"Count\":1,"
                      "\"ScannedCount\":1}");
    kv_free(r);
    r = transact(f,
                 "{\"Put\":{\"TableName\":\"Idx\",\"Item\":{\"pk\":{\"S\":\"3\"},\"g\":{\"N\":"
                 "\"5\"}}}}",
                 NULL, KV_TRANSACTION_CANCELED);
    fx_assert_json(r, "{\"__type\":\"" TYPE_PREFIX "TransactionCanceledException\",\"Message\":"
                      "\"" CANCELLED "[ValidationError]\",\"CancellationReasons\":[{\"Code\":"
                      "\"ValidationError\",\"Message\":\"One or more parameter values were "
                      "invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: "
                      "gsi1\"}]}");
    kv_free(r);
    /* An empty index key rejects the request: Put's wording, then Update's. */
    transact_error(f,
                   "{\"Put\":{\"TableName\":\"Idx\",\"Item\":{\"pk\":{\"S\":\"3\"},\"g\":{\"S\":"
                   "\"\"}}}}",
                   KV_VALIDATION,
                   "One or more parameter values are not valid. A value specified for a "
                   "secondary index key is not supported. The AttributeValue for a key attribute "
                   "cannot contain an empty string value. IndexName: gsi1, IndexKey: g");
    transact_error(f,
                   "{\"Update\":{\"TableName\":\"Idx\",\"Key\":{\"pk\":{\"S\":\"2\"}},"
                   "\"UpdateExpression\":\"SET g = :e\",\"ExpressionAttributeValues\":{\":e\":{"
                   "\"S\":\"\"}}}}",
                   KV_VALIDATION,
                   "One or more parameter values are not valid. The update expression attempted "
                   "to update a secondary index key to a value that is not supported. The "
                   "AttributeValue for a key attribute cannot contain an empty string value.");
    r = transact(f,
                 "{\"Update\":{\"TableName\":\"Idx\",\"Key\":{\"pk\":{\"S\":\"2\"}},"
                 "\"UpdateExpression\":\"SET g = :l\",\"ExpressionAttributeValues\":{\":l\":{"
                 "\"L\":[{\"S\":\"x\"}]}}}}",
                 NULL, KV_TRANSACTION_CANCELED);
    fx_assert_json(r, "{\"__type\":\"" TYPE_PREFIX "TransactionCanceledException\",\"Message\":"
                      "\"" CANCELLED "[ValidationError]\",\"CancellationReasons\":[{\"Code\":"
                      "\"ValidationError\",\"Message\":\"One or more parameter values were "
                      "invalid: Type mismatch for Index Key g Expected: S Actual: L IndexName: "
                      "gsi1\"}]}");
    kv_free(r);
    get_hash(f, "Idx", "2", "{\"Item\":{\"pk\":{\"S\":\"2\"},\"g\":{\"S\":\"red\"}}}");
}

/* Allocation failures: each failing run returns KV_NOMEM and changes
 * nothing, until a run succeeds; a cancelled transaction fails cleanly
 * too. */
static void
tx11_allocation_failures(void **state)
{
    struct fx *f = *state;
    create_hash(f, "Hash");
    put_hash(f, "Hash", "keep", "\"n\":{\"N\":\"1\"}");
    kv_item *put = kv_item_new(), *key = kv_item_new(), *one = kv_item_new();
    kv_item_put_s(put, "pk", "new");
    kv_item_put_s(key, "pk", "keep");
    kv_item_put_n(one, ":one", "1");
    kv_transact_write_item acts[2] = {
        {.kind = KV_TRANSACT_PUT, .table = "Hash", .item = put},
        {.kind = KV_TRANSACT_UPDATE,
         .table = "Hash",
         .item = key,
         .update = "SET n = n + :one",
         .expr = {.values = one}},
    };
    kv_transact_write_opts opts = {.client_request_token = "alloc"};
    bool ok = false;
    for (long n = 1; n < 2000 && !ok; n++) {
        kv_transact_write_result *res = NULL;
        mem_fail_after(n);
        kv_status st = kv_transact_write(f->db, acts, 2, &opts, &res);
        mem_fail_reset();
        ok = st == KV_OK;
        if (ok) {
            assert_true(res->capacity[0].write_units == 4.0);
        } else {
            assert_int_equal(st, KV_NOMEM);
            assert_null(res);
            assert_untouched(f);
        }
        kv_transact_write_result_free(res);
    }
    assert_true(ok);
    get_hash(f, "Hash", "keep", "{\"Item\":{\"pk\":{\"S\":\"keep\"},\"n\":{\"N\":\"2\"}}}");
    /* A transaction that cancels. */
    acts[1].expr.condition = "n > :one";
    acts[1].expr.values = one;
    acts[0].expr.condition = "attribute_not_exists(pk)";
    acts[0].return_old_on_condition_failure = 1;
    ok = false;
    for (long n = 1; n < 2000 && !ok; n++) {
        mem_fail_after(n);
        kv_status st = kv_transact_write(f->db, acts, 2, NULL, NULL);
        mem_fail_reset();
        ok = st == KV_TRANSACTION_CANCELED;
        if (!ok)
            assert_int_equal(st, KV_NOMEM);
    }
    assert_true(ok);
    kv_item_free(put);
    kv_item_free(key);
    kv_item_free(one);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(tx01_write_all_kinds, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(tx02_last_condition_fails, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(tx03_rejections, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(tx04_validation_reasons, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(tx05_update_semantics, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(tx06_capacity, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(tx07_idempotency, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(tx08_get, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(tx09_typed_api, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(tx10_indexes_in_step, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(tx11_allocation_failures, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
