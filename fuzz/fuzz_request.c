/*
 * fuzz_request.c -- libFuzzer harness for the JSON request API, end to end.
 *
 * Input: up to MAX_REQUESTS requests separated by NUL bytes.  Each is an
 * operation name, a newline, and the request body (DynamoDB JSON); without
 * a newline the whole request is the name and the body is empty.
 *
 * The requests run through kv_request on one database per process, opened
 * with syncing off, unlimited capacity and a fake clock, in a temporary
 * directory under TMPDIR (removed at exit, left behind when a finding
 * aborts), and created with three tables so that most requests reach the
 * operations:
 *
 *   tab  pk (S) hash, sk (N) range, on demand; global index gsi on g (S)
 *        and sk (N), projecting all; local index lsi on l (B), projecting
 *        keys only
 *   num  id (N) hash, provisioned 5/5; global index gsu on u (S),
 *        projecting INCLUDE a
 *   bin  k (B) hash, on demand
 *
 * Rules, each an abort when broken: every response is a JSON object; an
 * error response names its exception in __type; after each input,
 * kv_db_check finds every index, counter and collection size consistent
 * with the items.  The database starts afresh every RESET_EVERY inputs so
 * that it, and kv_db_check's time, stay bounded.  As state carries over
 * between inputs, a finding may need the inputs before it to reproduce;
 * libFuzzer's crash file is still the place to start.
 */
#include "kv.h"

#include <ftw.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_INPUT 65536
#define MAX_REQUESTS 4
#define RESET_EVERY 500

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[4096];
static kv_db *db;
static unsigned inputs;
static int64_t now_ms = 1700000000000;

static int64_t
fake_now(void *arg)
{
    return *(int64_t *)arg;
}

static void
fake_sleep(void *arg, int64_t ms)
{
    *(int64_t *)arg += ms;
}

static const kv_clock clock_ = {fake_now, fake_sleep, &now_ms};

static const char *const tables[][2] = {
    {"CreateTable",
     "{\"TableName\":\"tab\",\"BillingMode\":\"PAY_PER_REQUEST\","
     "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
     "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},"
     "{\"AttributeName\":\"g\",\"AttributeType\":\"S\"},"
     "{\"AttributeName\":\"l\",\"AttributeType\":\"B\"}],"
     "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
     "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
     "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":["
     "{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"},"
     "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
     "\"Projection\":{\"ProjectionType\":\"ALL\"}}],"
     "\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":["
     "{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
     "{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],"
     "\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}]}"},
    {"CreateTable",
     "{\"TableName\":\"num\","
     "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":5},"
     "\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"N\"},"
     "{\"AttributeName\":\"u\",\"AttributeType\":\"S\"}],"
     "\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}],"
     "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsu\",\"KeySchema\":["
     "{\"AttributeName\":\"u\",\"KeyType\":\"HASH\"}],"
     "\"Projection\":{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"a\"]},"
     "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":5}}]}"},
    {"CreateTable",
     "{\"TableName\":\"bin\",\"BillingMode\":\"PAY_PER_REQUEST\","
     "\"AttributeDefinitions\":[{\"AttributeName\":\"k\",\"AttributeType\":\"B\"}],"
     "\"KeySchema\":[{\"AttributeName\":\"k\",\"KeyType\":\"HASH\"}]}"},
};

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void
teardown(void)
{
    kv_db_close(db);
    db = NULL;
    if (dir[0])
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    dir[0] = '\0';
}

static void
setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/kv-fuzz-request-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror(dir);
        abort();
    }
    kv_options opt;
    kv_options_default(&opt);
    opt.no_sync = 1;
    opt.unlimited_capacity = 1;
    opt.clock = &clock_;
    if (kv_db_open(dir, &opt, &db) != KV_OK) {
        fprintf(stderr, "kv_db_open: %s\n", kv_errmsg(NULL));
        abort();
    }
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char *resp = NULL;
        if (kv_request(db, tables[i][0], tables[i][1], strlen(tables[i][1]), &resp) != KV_OK) {
            fprintf(stderr, "%s: %s\n", tables[i][0], resp ? resp : kv_errmsg(db));
            abort();
        }
        kv_free(resp);
    }
}

static void
report(void *arg, const char *table, const char *index, const char *problem)
{
    (void)arg;
    fprintf(stderr, "kv_db_check: table %s, index %s: %s\n", table, index ? index : "-",
            problem);
}

static void
run_one(const char *p, size_t n)
{
    const char *nl = memchr(p, '\n', n);
    size_t name_len = nl ? (size_t)(nl - p) : n;
    char name[64];
    if (name_len >= sizeof name)
        return;
    memcpy(name, p, name_len);
    name[name_len] = '\0';
    const char *body = nl ? nl + 1 : p + n;
    size_t body_len = (size_t)(p + n - body);

    char *resp = NULL;
    kv_status st = kv_request(db, name, body, body_len, &resp);
    if (!resp)
        abort(); /* only out of memory, which the fuzzer does not cause */
    json_t *j = json_loads(resp, 0, NULL);
    if (!json_is_object(j))
        abort();
    if (st != KV_OK && !json_is_string(json_object_get(j, "__type")))
        abort();
    json_decref(j);
    kv_free(resp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    if (!db) {
        setup();
        atexit(teardown);
    } else if (inputs % RESET_EVERY == 0) {
        teardown();
        setup();
    }
    inputs++;
    now_ms += 1000;

    const char *p = (const char *)data, *end = p + size;
    for (int k = 0; k < MAX_REQUESTS && p < end; k++) {
        const char *nul = memchr(p, '\0', (size_t)(end - p));
        const char *stop = nul ? nul : end;
        run_one(p, (size_t)(stop - p));
        if (!nul)
            break;
        p = nul + 1;
    }

    uint64_t problems = 0;
    kv_status st = kv_db_check(db, NULL, report, NULL, &problems);
    if (st != KV_OK || problems != 0) {
        fprintf(stderr, "kv_db_check: %s, %llu problems\n", kv_status_name(st),
                (unsigned long long)problems);
        abort();
    }
    return 0;
}
