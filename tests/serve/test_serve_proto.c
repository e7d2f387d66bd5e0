/*
 * test_serve_proto.c -- the request mapping of `kv serve` without a socket:
 * routing, content types, HTTP statuses, error bodies, request ids and
 * CRC32 (tools/serve_proto.c); the credentials file (serve_creds.c); the
 * access log line (serve_log.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "serve_creds.h"
#include "serve_log.h"
#include "serve_proto.h"

#include <stdlib.h>
#include <string.h>

static enum serve_route
route(const char *method, const char *path, const char *ctype, const char *target,
      const char *origin, size_t body_len, const char **op)
{
    struct serve_in in = {method, path, ctype, target, origin, body_len};
    return serve_proto_route(&in, op);
}

static void
proto01_1_operations(void **state)
{
    (void)state;
    const char *op;
    assert_int_equal(
        route("POST", "/", "application/x-amz-json-1.0", "DynamoDB_20120810.PutItem", NULL, 2, &op),
        ROUTE_OPERATION);
    assert_string_equal(op, "PutItem");
    /* Any path: DynamoDB does not look at it. */
    assert_int_equal(
        route("POST", "/x/y", "application/json", "DynamoDB_20120810.Query", NULL, 2, &op),
        ROUTE_OPERATION);
    assert_string_equal(op, "Query");
    /* Names the library does not know still reach it, which answers for them. */
    assert_int_equal(route("POST", "/", "application/x-amz-json-1.0",
                           "DynamoDB_20120810.NoSuchThing", NULL, 2, &op),
                     ROUTE_OPERATION);
    /* An empty body needs no content type. */
    assert_int_equal(route("POST", "/", NULL, "DynamoDB_20120810.ListTables", NULL, 0, &op),
                     ROUTE_OPERATION);
}

static void
proto01_2_targets(void **state)
{
    (void)state;
    const char *op;
    const char *json = "application/x-amz-json-1.0";
    assert_int_equal(route("POST", "/", json, NULL, NULL, 2, &op), ROUTE_UNKNOWN_OPERATION);
    assert_null(op);
    assert_int_equal(route("POST", "/", json, "DynamoDB_20111205.ListTables", NULL, 2, &op),
                     ROUTE_UNKNOWN_OPERATION);
    assert_int_equal(route("POST", "/", json, "DynamoDB_20120810.", NULL, 2, &op),
                     ROUTE_UNKNOWN_OPERATION);
    assert_int_equal(route("POST", "/", json, "DynamoDB_20120810.A.B", NULL, 2, &op),
                     ROUTE_UNKNOWN_OPERATION);
    assert_int_equal(route("POST", "/", json, "ListTables", NULL, 2, &op), ROUTE_UNKNOWN_OPERATION);
}

static void
proto01_3_other_requests(void **state)
{
    (void)state;
    const char *op;
    const char *t = "DynamoDB_20120810.ListTables";
    assert_int_equal(route("GET", "/", NULL, NULL, NULL, 0, &op), ROUTE_HEALTH);
    assert_int_equal(route("HEAD", "/", NULL, NULL, NULL, 0, &op), ROUTE_HEALTH);
    assert_int_equal(route("GET", "/shell", NULL, NULL, NULL, 0, &op), ROUTE_NOT_FOUND);
    assert_int_equal(route("PUT", "/", "application/x-amz-json-1.0", t, NULL, 2, &op),
                     ROUTE_NOT_FOUND);
    assert_int_equal(route("OPTIONS", "/", NULL, NULL, "http://x", 0, &op), ROUTE_PREFLIGHT);
    assert_int_equal(route("OPTIONS", "/", NULL, NULL, NULL, 0, &op), ROUTE_NOT_FOUND);
    /* DynamoDB refuses the JSON 1.1 flavour and other types when there is a body. */
    assert_int_equal(route("POST", "/", "application/x-amz-json-1.1", t, NULL, 2, &op),
                     ROUTE_NOT_FOUND);
    assert_int_equal(route("POST", "/", "text/plain", t, NULL, 2, &op), ROUTE_NOT_FOUND);
    assert_int_equal(route("POST", "/", NULL, t, NULL, 2, &op), ROUTE_NOT_FOUND);
}

static void
proto01_4_content_types(void **state)
{
    (void)state;
    assert_int_equal(serve_proto_ctype(NULL), CTYPE_NONE);
    assert_int_equal(serve_proto_ctype("application/x-amz-json-1.0"), CTYPE_AMZ_JSON);
    assert_int_equal(serve_proto_ctype("Application/X-Amz-Json-1.0 ; charset=UTF-8"),
                     CTYPE_AMZ_JSON);
    assert_int_equal(serve_proto_ctype("application/json; charset=utf-8"), CTYPE_JSON);
    assert_int_equal(serve_proto_ctype("application/x-amz-json-1.1"), CTYPE_OTHER);
    assert_int_equal(serve_proto_ctype("application/jsonx"), CTYPE_OTHER);
    assert_string_equal(serve_proto_response_ctype(CTYPE_AMZ_JSON), "application/x-amz-json-1.0");
    assert_string_equal(serve_proto_response_ctype(CTYPE_NONE), "application/x-amz-json-1.0");
    assert_string_equal(serve_proto_response_ctype(CTYPE_JSON), "application/json");
}

static void
proto02_1_http_status(void **state)
{
    (void)state;
    assert_int_equal(serve_proto_http_status(KV_OK), 200);
    assert_int_equal(serve_proto_http_status(KV_VALIDATION), 400);
    assert_int_equal(serve_proto_http_status(KV_RESOURCE_NOT_FOUND), 400);
    /* The SDKs retry these on 400 with the exception name. */
    assert_int_equal(serve_proto_http_status(KV_PROVISIONED_THROUGHPUT_EXCEEDED), 400);
    assert_int_equal(serve_proto_http_status(KV_THROTTLING), 400);
    assert_int_equal(serve_proto_http_status(KV_REQUEST_LIMIT_EXCEEDED), 400);
    assert_int_equal(serve_proto_http_status(KV_MISUSE), 400);
    /* And these on 500. */
    assert_int_equal(serve_proto_http_status(KV_INTERNAL), 500);
    assert_int_equal(serve_proto_http_status(KV_NOMEM), 500);
    assert_int_equal(serve_proto_http_status(KV_IO), 500);
    assert_int_equal(serve_proto_http_status(KV_CORRUPT), 500);
}

static void
proto02_2_error_bodies(void **state)
{
    (void)state;
    char *b = serve_proto_error_body(SERVE_NS_CORAL, "UnknownOperationException", NULL);
    assert_string_equal(b, "{\"__type\":\"com.amazon.coral.service#UnknownOperationException\"}");
    free(b);
    b = serve_proto_error_body(SERVE_NS_CORAL, "InvalidSignatureException", "a\n'b' \"c\"");
    assert_string_equal(b, "{\"__type\":\"com.amazon.coral.service#InvalidSignatureException\","
                           "\"message\":\"a\\n'b' \\\"c\\\"\"}");
    free(b);
}

static void
proto02_3_request_ids(void **state)
{
    (void)state;
    char a[53], b[53];
    serve_proto_request_id(a);
    serve_proto_request_id(b);
    assert_int_equal(strlen(a), 52);
    assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), 52);
    assert_string_not_equal(a, b);
}

static void
proto02_4_crc32(void **state)
{
    (void)state;
    assert_int_equal(serve_proto_crc32("", 0), 0);
    assert_int_equal(serve_proto_crc32("123456789", 9), 0xCBF43926u);
    /* The value DynamoDB sends with its 404 body. */
    assert_int_equal(serve_proto_crc32(SERVE_NOT_FOUND_BODY, strlen(SERVE_NOT_FOUND_BODY)),
                     3552371480u);
}

/* ------------------------------------------------------------------------ */
/* Credentials file                                                          */

static void
creds01_1_parse(void **state)
{
    (void)state;
    char err[128];
    struct serve_creds *c = serve_creds_parse("# keys\n\n  AKID1   secret/one+ \n"
                                              "AKID2\tsecret2\r\n# AKID3 nope\n",
                                              err, sizeof err);
    assert_non_null(c);
    assert_int_equal(serve_creds_count(c), 2);
    assert_string_equal(serve_creds_lookup(c, "AKID1"), "secret/one+");
    assert_string_equal(serve_creds_lookup(c, "AKID2"), "secret2");
    assert_null(serve_creds_lookup(c, "AKID3"));
    assert_null(serve_creds_lookup(c, "akid1"));
    serve_creds_free(c);
    serve_creds_free(NULL);
}

static void
creds01_2_errors(void **state)
{
    (void)state;
    char err[128];
    assert_null(serve_creds_parse("AKID1 s1\nAKID2\n", err, sizeof err));
    assert_string_equal(err, "line 2: expected an access key id and a secret");
    assert_null(serve_creds_parse("AKID1 s1 extra\n", err, sizeof err));
    assert_string_equal(err, "line 1: expected an access key id and a secret");
    assert_null(serve_creds_parse("AKID1 s1\n#\nAKID1 s2\n", err, sizeof err));
    assert_string_equal(err, "line 3: access key id AKID1 is listed twice");
    assert_null(serve_creds_parse("AK/ID s1\n", err, sizeof err));
    assert_string_equal(err, "line 1: not a valid access key id and secret");
    assert_null(serve_creds_parse("# nothing\n", err, sizeof err));
    assert_string_equal(err, "no access keys listed");
}

/* ------------------------------------------------------------------------ */
/* Access log                                                                */

static void
log01_1_success(void **state)
{
    (void)state;
    char line[512];
    const char *req = "{\"TableName\":\"Music\",\"Item\":{}}";
    const char *resp = "{\"ConsumedCapacity\":{\"TableName\":\"Music\",\"CapacityUnits\":1.0}}";
    struct serve_log_entry e = {1700000000.25, "127.0.0.1",  "PutItem", req,    strlen(req),
                                resp,          strlen(resp), 200,       0.4121, "REQ1"};
    serve_log_format(&e, line, sizeof line);
    assert_string_equal(line, "2023-11-14T22:13:20.250Z 127.0.0.1 PutItem Music 200 - 1 0.412 "
                              "REQ1\n");
}

static void
log01_2_error_and_batch(void **state)
{
    (void)state;
    char line[512];
    const char *req = "{\"RequestItems\":{\"A\":{},\"B\":{}}}";
    const char *resp = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
                       "ProvisionedThroughputExceededException\",\"message\":\"x\"}";
    struct serve_log_entry e = {
        1700000000, "::1", "BatchGetItem", req, strlen(req), resp, strlen(resp), 400, 12, "R"};
    serve_log_format(&e, line, sizeof line);
    assert_string_equal(line, "2023-11-14T22:13:20.000Z ::1 BatchGetItem A,B 400 "
                              "ProvisionedThroughputExceededException - 12.000 R\n");
    /* A transaction's tables, each once; capacity summed over tables. */
    req = "{\"TransactItems\":[{\"Put\":{\"TableName\":\"T1\"}},{\"Delete\":{\"TableName\":"
          "\"T2\"}},{\"Update\":{\"TableName\":\"T1\"}}]}";
    resp = "{\"ConsumedCapacity\":[{\"CapacityUnits\":2},{\"CapacityUnits\":0.5}]}";
    e = (struct serve_log_entry){
        1700000000, NULL, "TransactWriteItems", req, strlen(req), resp, strlen(resp), 200, 1, NULL};
    serve_log_format(&e, line, sizeof line);
    assert_string_equal(line, "2023-11-14T22:13:20.000Z - TransactWriteItems T1,T2 200 - 2.5 "
                              "1.000 -\n");
    /* A request that named no operation. */
    e = (struct serve_log_entry){1700000000, "127.0.0.1", NULL, "x", 1, "<x/>", 4, 404, 0, "Q"};
    serve_log_format(&e, line, sizeof line);
    assert_string_equal(line, "2023-11-14T22:13:20.000Z 127.0.0.1 - - 404 - - 0.000 Q\n");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(proto01_1_operations),     cmocka_unit_test(proto01_2_targets),
        cmocka_unit_test(proto01_3_other_requests), cmocka_unit_test(proto01_4_content_types),
        cmocka_unit_test(proto02_1_http_status),    cmocka_unit_test(proto02_2_error_bodies),
        cmocka_unit_test(proto02_3_request_ids),    cmocka_unit_test(proto02_4_crc32),
        cmocka_unit_test(creds01_1_parse),          cmocka_unit_test(creds01_2_errors),
        cmocka_unit_test(log01_1_success),          cmocka_unit_test(log01_2_error_and_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
