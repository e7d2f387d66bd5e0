/*
 * req-profile.c -- run one request many times, through the JSON request
 * API or the typed C API, for instruction counts under callgrind.
 *
 *     req-profile DIR OP N
 *
 * OP is get-json, get-typed, put-json, put-typed or query-json.  DIR is a
 * database directory; the table "Bench" (pk S, sk N, on demand) and its
 * partition "p0" of 100 items of about 100 bytes are made on first use,
 * the same as bench/serve/setup.py makes them.  The requests run in
 * run_requests(), so that
 *
 *     valgrind --tool=callgrind --toggle-collect=run_requests req-profile DIR OP N
 *
 * counts only them: divide the total by N for instructions per request.
 */
#include <kv.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEM_FMT                                                                                   \
    "{\"pk\":{\"S\":\"%s\"},\"sk\":{\"N\":\"%d\"},\"title\":{\"S\":\"Song number %d\"},"           \
    "\"artist\":{\"S\":\"Some Band\"},\"year\":{\"N\":\"%d\"},"                                    \
    "\"tags\":{\"SS\":[\"rock\",\"live\"]}}"

static const char get_body[] =
    "{\"TableName\":\"Bench\",\"Key\":{\"pk\":{\"S\":\"p0\"},\"sk\":{\"N\":\"42\"}}}";
static const char query_body[] = "{\"TableName\":\"Bench\",\"KeyConditionExpression\":\"pk = :p\","
                                 "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p0\"}}}";

static void
die(kv_db *db, const char *what)
{
    fprintf(stderr, "req-profile: %s: %s\n", what, kv_errmsg(db));
    exit(1);
}

static void
request(kv_db *db, const char *op, const char *body)
{
    char *resp;
    if (kv_request(db, op, body, strlen(body), &resp) != KV_OK)
        die(db, resp ? resp : op);
    kv_free(resp);
}

static void
setup(kv_db *db)
{
    char *resp;
    static const char create[] =
        "{\"TableName\":\"Bench\",\"AttributeDefinitions\":["
        "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
        "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"}],"
        "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
        "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}";
    kv_status st = kv_request(db, "CreateTable", create, strlen(create), &resp);
    kv_free(resp);
    if (st == KV_RESOURCE_IN_USE)
        return;
    if (st != KV_OK)
        die(db, "CreateTable");
    for (int sk = 0; sk < 100; sk++) {
        char body[512];
        snprintf(body, sizeof body, "{\"TableName\":\"Bench\",\"Item\":" ITEM_FMT "}", "p0", sk, sk,
                 1990 + sk % 30);
        request(db, "PutItem", body);
    }
}

static kv_item *
item_of(const char *json)
{
    kv_item *it;
    if (kv_item_from_json(json, &it, NULL) != KV_OK) {
        fprintf(stderr, "req-profile: bad item %s\n", json);
        exit(1);
    }
    return it;
}

static void
run_one(kv_db *db, const char *op, const char *put_body, kv_item *key, kv_item *item)
{
    if (strcmp(op, "get-json") == 0) {
        request(db, "GetItem", get_body);
    } else if (strcmp(op, "put-json") == 0) {
        request(db, "PutItem", put_body);
    } else if (strcmp(op, "query-json") == 0) {
        request(db, "Query", query_body);
    } else if (strcmp(op, "get-typed") == 0) {
        kv_item *got;
        if (kv_get_item(db, "Bench", key, NULL, &got) != KV_OK || !got)
            die(db, "kv_get_item");
        kv_item_free(got);
    } else if (strcmp(op, "put-typed") == 0) {
        if (kv_put_item(db, "Bench", item, NULL, NULL) != KV_OK)
            die(db, "kv_put_item");
    } else {
        fprintf(stderr, "req-profile: unknown operation %s\n", op);
        exit(2);
    }
}

/* Every request that is measured runs here. */
__attribute__((noinline)) static void
run_requests(kv_db *db, const char *op, long n, const char *put_body, kv_item *key, kv_item *item)
{
    for (long i = 0; i < n; i++)
        run_one(db, op, put_body, key, item);
}

int
main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: req-profile DIR OP N\n");
        return 2;
    }
    kv_options opt;
    kv_options_default(&opt);
    opt.no_sync = 1;
    opt.unlimited_capacity = 1;
    kv_db *db;
    if (kv_db_open(argv[1], &opt, &db) != KV_OK)
        die(NULL, argv[1]);
    setup(db);
    char item_json[512], put_body[600];
    snprintf(item_json, sizeof item_json, ITEM_FMT, "p1", 1, 1, 1991);
    snprintf(put_body, sizeof put_body, "{\"TableName\":\"Bench\",\"Item\":%s}", item_json);
    kv_item *key = item_of("{\"pk\":{\"S\":\"p0\"},\"sk\":{\"N\":\"42\"}}");
    kv_item *item = item_of(item_json);
    /* One of each first, so that first-use work is not counted. */
    run_one(db, argv[2], put_body, key, item);
    long n = atol(argv[3]);
    run_requests(db, argv[2], n, put_body, key, item);
    kv_item_free(key);
    kv_item_free(item);
    kv_db_close(db);
    return 0;
}
