/*
 * test_concurrency.c -- threads and processes sharing one database.
 *
 * Three threads of this process and two child processes (each with its own
 * handle and two threads) run a mix against one database at once:
 *
 *   - transfers between accounts with TransactWriteItems (a conditional
 *     debit, a credit, each moving the account to another group);
 *   - audits: TransactGetItems of every account, whose balances must always
 *     add up to the starting total;
 *   - GetItem, and Query on the global index by group, whose items must all
 *     be of the group asked for;
 *   - one thread per process creates side tables, writes to them, adds a
 *     global index (built in the background), lists and describes tables
 *     and deletes them again.
 *
 * A watchdog alarm ends the run as failed if anything hangs.  At the end
 * the total is intact, the index holds exactly the accounts by group, no
 * side table is left, and kv_db_check finds nothing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fixture.h"

#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define N_ACCOUNTS 20
#define START_BALANCE 1000
#define N_GROUPS 4
#define OPS_PER_WORKER 3000
#define SIDE_TABLES 20
#define WATCHDOG_SECONDS 120

static const char *dir;

static void
watchdog(int sig)
{
    (void)sig;
    static const char msg[] = "concurrency: watchdog fired, a worker is stuck\n";
    if (write(2, msg, sizeof msg - 1) < 0)
        _exit(2);
    _exit(2);
}

struct worker {
    kv_db *db;
    int id;
    bool churn;
    uint64_t rng;
    char failure[512];
    unsigned transfers, cancelled, audits, queries, tables;
};

static uint32_t
rnd(struct worker *w, uint32_t n)
{
    w->rng ^= w->rng << 13;
    w->rng ^= w->rng >> 7;
    w->rng ^= w->rng << 17;
    return (uint32_t)(w->rng % n);
}

/* Run a request; the status, and the response parsed when it is OK. */
static kv_status
call(struct worker *w, const char *op, const char *req, json_t **out)
{
    char *resp = NULL;
    kv_status st = kv_request(w->db, op, req, strlen(req), &resp);
    if (out)
        *out = st == KV_OK && resp ? json_loads(resp, 0, NULL) : NULL;
    if (st != KV_OK && !w->failure[0])
        snprintf(w->failure, sizeof w->failure, "%s: %s %.300s", op, kv_status_name(st),
                 resp ? resp : "");
    kv_free(resp);
    return st;
}

static bool
failed(struct worker *w, const char *what, const char *detail)
{
    if (!w->failure[0])
        snprintf(w->failure, sizeof w->failure, "%s: %s", what, detail);
    return false;
}

static long
num(json_t *item, const char *name)
{
    const char *n = json_string_value(json_object_get(json_object_get(item, name), "N"));
    return n ? strtol(n, NULL, 10) : -1;
}

static bool
transfer(struct worker *w)
{
    int from = (int)rnd(w, N_ACCOUNTS), to = (int)rnd(w, N_ACCOUNTS - 1);
    if (to >= from)
        to++;
    unsigned amount = 1 + rnd(w, 300), g1 = rnd(w, N_GROUPS), g2 = rnd(w, N_GROUPS);
    char req[1024];
    snprintf(req, sizeof req,
             "{\"TransactItems\":["
             "{\"Update\":{\"TableName\":\"Bank\",\"Key\":{\"id\":{\"S\":\"a%02d\"}},"
             "\"UpdateExpression\":\"SET bal = bal - :x, grp = :g\","
             "\"ConditionExpression\":\"bal >= :x\",\"ExpressionAttributeValues\":"
             "{\":x\":{\"N\":\"%u\"},\":g\":{\"S\":\"g%u\"}}}},"
             "{\"Update\":{\"TableName\":\"Bank\",\"Key\":{\"id\":{\"S\":\"a%02d\"}},"
             "\"UpdateExpression\":\"SET bal = bal + :x, grp = :g\","
             "\"ExpressionAttributeValues\":{\":x\":{\"N\":\"%u\"},\":g\":{\"S\":\"g%u\"}}}}]}",
             from, amount, g1, to, amount, g2);
    char *resp = NULL;
    kv_status st = kv_request(w->db, "TransactWriteItems", req, strlen(req), &resp);
    bool ok = st == KV_OK || st == KV_TRANSACTION_CANCELED;
    if (st == KV_TRANSACTION_CANCELED)
        w->cancelled++;
    else if (st == KV_OK)
        w->transfers++;
    else
        snprintf(w->failure, sizeof w->failure, "transfer: %s %.300s", kv_status_name(st),
                 resp ? resp : "");
    kv_free(resp);
    return ok;
}

static bool
audit(struct worker *w)
{
    char req[4096];
    size_t n = (size_t)snprintf(req, sizeof req, "{\"TransactItems\":[");
    for (int i = 0; i < N_ACCOUNTS; i++)
        n += (size_t)snprintf(req + n, sizeof req - n,
                              "%s{\"Get\":{\"TableName\":\"Bank\",\"Key\":{\"id\":{\"S\":\"a%02d\"}}}}",
                              i ? "," : "", i);
    snprintf(req + n, sizeof req - n, "]}");
    json_t *j;
    kv_status st = call(w, "TransactGetItems", req, &j);
    if (st == KV_TRANSACTION_CANCELED) { /* a conflict with a transfer: allowed */
        w->failure[0] = '\0';
        return true;
    }
    if (st != KV_OK)
        return false;
    long sum = 0;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(j, "Responses"), i, r) {
        long b = num(json_object_get(r, "Item"), "bal");
        if (b < 0)
            return json_decref(j), failed(w, "audit", "a balance is negative or missing");
        sum += b;
    }
    size_t count = json_array_size(json_object_get(j, "Responses"));
    json_decref(j);
    if (count != N_ACCOUNTS || sum != (long)N_ACCOUNTS * START_BALANCE) {
        char d[64];
        snprintf(d, sizeof d, "%zu accounts, total %ld", count, sum);
        return failed(w, "audit", d);
    }
    w->audits++;
    return true;
}

static bool
query_group(struct worker *w)
{
    unsigned g = rnd(w, N_GROUPS);
    char req[256], want[8];
    snprintf(want, sizeof want, "g%u", g);
    snprintf(req, sizeof req,
             "{\"TableName\":\"Bank\",\"IndexName\":\"ByGroup\","
             "\"KeyConditionExpression\":\"grp = :g\","
             "\"ExpressionAttributeValues\":{\":g\":{\"S\":\"%s\"}}}",
             want);
    json_t *j;
    if (call(w, "Query", req, &j) != KV_OK)
        return false;
    size_t i;
    json_t *it;
    bool ok = json_array_size(json_object_get(j, "Items")) <= N_ACCOUNTS;
    json_array_foreach(json_object_get(j, "Items"), i, it) {
        const char *grp = json_string_value(json_object_get(json_object_get(it, "grp"), "S"));
        ok = ok && grp && strcmp(grp, want) == 0 && num(it, "bal") >= 0;
    }
    json_decref(j);
    w->queries++;
    return ok || failed(w, "query: an item of another group or without a balance in", want);
}

static bool
get_one(struct worker *w)
{
    char req[128];
    snprintf(req, sizeof req, "{\"TableName\":\"Bank\",\"Key\":{\"id\":{\"S\":\"a%02d\"}}}",
             (int)rnd(w, N_ACCOUNTS));
    json_t *j;
    if (call(w, "GetItem", req, &j) != KV_OK)
        return false;
    long b = num(json_object_get(j, "Item"), "bal");
    json_decref(j);
    return b >= 0 || failed(w, "get", "no balance");
}

/* Create a side table, fill it, index it, list, describe and delete it. */
static bool
churn(struct worker *w, int n)
{
    char name[32], req[1024];
    snprintf(name, sizeof name, "Side_%d_%d", w->id, n);
    snprintf(req, sizeof req,
             "{\"TableName\":\"%s\",\"BillingMode\":\"PAY_PER_REQUEST\","
             "\"AttributeDefinitions\":[{\"AttributeName\":\"k\",\"AttributeType\":\"N\"}],"
             "\"KeySchema\":[{\"AttributeName\":\"k\",\"KeyType\":\"HASH\"}]}",
             name);
    if (call(w, "CreateTable", req, NULL) != KV_OK)
        return false;
    for (int i = 0; i < 30; i++) {
        snprintf(req, sizeof req,
                 "{\"TableName\":\"%s\",\"Item\":{\"k\":{\"N\":\"%d\"},\"c\":{\"S\":\"c%d\"}}}",
                 name, i, i % 3);
        if (call(w, "PutItem", req, NULL) != KV_OK)
            return false;
    }
    snprintf(req, sizeof req,
             "{\"TableName\":\"%s\",\"AttributeDefinitions\":[{\"AttributeName\":\"c\","
             "\"AttributeType\":\"S\"}],\"GlobalSecondaryIndexUpdates\":[{\"Create\":{"
             "\"IndexName\":\"ByC\",\"KeySchema\":[{\"AttributeName\":\"c\",\"KeyType\":\"HASH\"}],"
             "\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}}]}",
             name);
    if (call(w, "UpdateTable", req, NULL) != KV_OK)
        return false;
    if (call(w, "ListTables", "{}", NULL) != KV_OK)
        return false;
    snprintf(req, sizeof req, "{\"TableName\":\"%s\"}", name);
    if (call(w, "DescribeTable", req, NULL) != KV_OK)
        return false;
    /* DeleteTable waits for the index build, as DynamoDB's does. */
    for (;;) {
        char *resp = NULL;
        kv_status st = kv_request(w->db, "DeleteTable", req, strlen(req), &resp);
        kv_free(resp);
        if (st == KV_OK)
            break;
        if (st != KV_RESOURCE_IN_USE)
            return failed(w, "DeleteTable", kv_status_name(st));
        sched_yield();
    }
    w->tables++;
    return true;
}

static void *
work(void *arg)
{
    struct worker *w = arg;
    int tables = 0;
    for (int i = 0; i < OPS_PER_WORKER && !w->failure[0]; i++) {
        uint32_t r = rnd(w, 100);
        if (w->churn && tables < SIDE_TABLES && r < 1)
            churn(w, tables++);
        else if (r < 45)
            transfer(w);
        else if (r < 65)
            audit(w);
        else if (r < 85)
            query_group(w);
        else
            get_one(w);
    }
    while (w->churn && tables < SIDE_TABLES && !w->failure[0])
        churn(w, tables++);
    return NULL;
}

/* Run n workers on db in threads; id_base names them; 0 when all went well. */
static int
run_workers(kv_db *db, int id_base, int n)
{
    struct worker ws[4];
    pthread_t th[4];
    for (int i = 0; i < n; i++) {
        ws[i] = (struct worker){.db = db, .id = id_base + i, .churn = i == 0,
                                .rng = 0x9e3779b97f4a7c15ull * (uint64_t)(id_base + i + 1)};
        if (pthread_create(&th[i], NULL, work, &ws[i]))
            return 1;
    }
    int bad = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        if (ws[i].failure[0]) {
            fprintf(stderr, "worker %d: %s\n", ws[i].id, ws[i].failure);
            bad = 1;
        }
        printf("worker %d: %u transfers, %u cancelled, %u audits, %u queries, %u tables\n",
               ws[i].id, ws[i].transfers, ws[i].cancelled, ws[i].audits, ws[i].queries,
               ws[i].tables);
    }
    fflush(stdout);
    return bad;
}

static void
print_problem(void *arg, const char *table, const char *index, const char *problem)
{
    (void)arg;
    fprintf(stderr, "check: %s/%s: %s\n", table, index ? index : "-", problem);
}

static void
conc01_threads_and_processes(void **state)
{
    struct fx *f = *state;
    dir = f->dir;
    signal(SIGALRM, watchdog);
    alarm(WATCHDOG_SECONDS);
    fx_ok(f, "CreateTable",
          "{\"TableName\":\"Bank\",\"BillingMode\":\"PAY_PER_REQUEST\","
          "\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"grp\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}],"
          "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"ByGroup\",\"KeySchema\":["
          "{\"AttributeName\":\"grp\",\"KeyType\":\"HASH\"},"
          "{\"AttributeName\":\"id\",\"KeyType\":\"RANGE\"}],"
          "\"Projection\":{\"ProjectionType\":\"ALL\"}}]}");
    for (int i = 0; i < N_ACCOUNTS; i++) {
        char req[160];
        snprintf(req, sizeof req,
                 "{\"TableName\":\"Bank\",\"Item\":{\"id\":{\"S\":\"a%02d\"},"
                 "\"bal\":{\"N\":\"%d\"},\"grp\":{\"S\":\"g%d\"}}}",
                 i, START_BALANCE, i % N_GROUPS);
        fx_ok(f, "PutItem", req);
    }

    /* The children are forked before this process starts threads, with
     * nothing buffered that they could print twice. */
    fflush(stdout);
    fflush(stderr);
    pid_t kids[2];
    for (int c = 0; c < 2; c++) {
        kids[c] = fork();
        assert_true(kids[c] >= 0);
        if (kids[c] == 0) {
            alarm(WATCHDOG_SECONDS);
            kv_options opt;
            fx_options(&opt);
            kv_db *db;
            if (kv_db_open(dir, &opt, &db) != KV_OK) {
                fprintf(stderr, "child: open: %s\n", kv_errmsg(NULL));
                _exit(1);
            }
            int bad = run_workers(db, 10 * (c + 1), 2);
            kv_db_close(db);
            _exit(bad);
        }
    }
    assert_int_equal(run_workers(f->db, 0, 3), 0);
    for (int c = 0; c < 2; c++) {
        int status;
        assert_int_equal(waitpid(kids[c], &status, 0), kids[c]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("child %d ended with status %d", c, status);
    }
    alarm(0);

    /* Quiet now: the index holds exactly the accounts, by group. */
    struct worker w = {.db = f->db};
    assert_true(audit(&w));
    json_t *scan = fx_json(f, "Scan", "{\"TableName\":\"Bank\",\"ConsistentRead\":true}");
    size_t from_index = 0;
    for (int g = 0; g < N_GROUPS; g++) {
        char req[256];
        snprintf(req, sizeof req,
                 "{\"TableName\":\"Bank\",\"IndexName\":\"ByGroup\","
                 "\"KeyConditionExpression\":\"grp = :g\","
                 "\"ExpressionAttributeValues\":{\":g\":{\"S\":\"g%d\"}}}",
                 g);
        json_t *q = fx_json(f, "Query", req);
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(q, "Items"), i, it) {
            size_t k;
            json_t *s;
            bool found = false;
            json_array_foreach(json_object_get(scan, "Items"), k, s)
                found |= json_equal(s, it);
            assert_true(found);
            from_index++;
        }
        json_decref(q);
    }
    assert_int_equal(from_index, N_ACCOUNTS);
    assert_int_equal(json_array_size(json_object_get(scan, "Items")), N_ACCOUNTS);
    json_decref(scan);
    json_t *list = fx_json(f, "ListTables", "{}");
    assert_int_equal(json_array_size(json_object_get(list, "TableNames")), 1);
    json_decref(list);
    uint64_t problems = 1;
    assert_int_equal(kv_db_check(f->db, NULL, print_problem, NULL, &problems), KV_OK);
    assert_int_equal(problems, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(conc01_threads_and_processes, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
