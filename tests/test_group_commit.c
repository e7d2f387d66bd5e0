/*
 * test_group_commit.c -- synced writes of several threads (single items,
 * batches, transactions) committed together (txn_run_grouped).
 *
 * The tests hold the group (txn_group_hold) until every thread's write is
 * queued, so the writes provably share one LMDB transaction: the
 * environment's last transaction id moves by exactly one.  Each write must
 * still succeed or fail on its own (a group with a failure runs again
 * with each write nested; one without runs straight), and everything
 * acknowledged must be there after the database is closed and opened
 * again.  The database
 * syncs (group commit only runs then) and uses an injected clock, so
 * throttling is exact.
 */
#include "fixture.h"
#include "txn.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define T0 1700000040000LL

struct gfx {
    char *dir;
    kv_db *db;
    int64_t now;
    kv_clock clk;
    uint64_t map_size;   /* 0: the default */
    bool unlimited;      /* capacity not enforced */
};

static int64_t
fake_now(void *arg)
{
    return ((struct gfx *)arg)->now;
}

static void
fake_sleep(void *arg, int64_t ms)
{
    ((struct gfx *)arg)->now += ms;
}

static void
gfx_open(struct gfx *f)
{
    kv_options o;
    kv_options_default(&o);
    o.no_sync = 0;
    o.clock = &f->clk;
    o.burst_seconds = 0;
    o.map_size = f->map_size;
    o.unlimited_capacity = f->unlimited;
    assert_int_equal(kv_db_open(f->dir, &o, &f->db), KV_OK);
}

static void
ok(struct gfx *f, const char *op, const char *json)
{
    char *resp = NULL;
    kv_status st = kv_request(f->db, op, json, strlen(json), &resp);
    if (st != KV_OK)
        fprintf(stderr, "%s -> %s\n", op, resp ? resp : "");
    assert_int_equal(st, KV_OK);
    kv_free(resp);
}

/*
 * Table Grp (pk) with a global index on gk, 1000 write units; table Tight
 * (pk) with one.  Ten seconds pass after creation, so with no burst Grp can
 * take 1000 units at once and Tight one.
 */
static int
setup_with(void **state, uint64_t map_size, bool unlimited)
{
    struct gfx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->map_size = map_size;
    f->unlimited = unlimited;
    f->dir = fx_mkdtemp();
    f->now = T0;
    f->clk = (kv_clock){fake_now, fake_sleep, f};
    gfx_open(f);
    ok(f, "CreateTable",
       "{\"TableName\":\"Grp\",\"AttributeDefinitions\":["
       "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
       "{\"AttributeName\":\"gk\",\"AttributeType\":\"S\"}],"
       "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
       "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1000,\"WriteCapacityUnits\":1000},"
       "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byg\",\"KeySchema\":["
       "{\"AttributeName\":\"gk\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":"
       "\"ALL\"},\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1000,"
       "\"WriteCapacityUnits\":1000}}]}");
    ok(f, "CreateTable",
       "{\"TableName\":\"Tight\",\"AttributeDefinitions\":["
       "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],"
       "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
       "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1}}");
    f->now += 10000;
    *state = f;
    return 0;
}

static int
setup(void **state)
{
    return setup_with(state, 0, false);
}

/* A database made with a 1 MB map (LMDB records the largest map a file
 * has had and adopts it at growth, so the map must be small from the
 * start), capacity unlimited: 2 MB of writes at once exceed Grp's units. */
static int
setup_small_map(void **state)
{
    return setup_with(state, 1 << 20, true);
}

static int
teardown(void **state)
{
    struct gfx *f = *state;
    kv_db_close(f->db);
    fx_rmdir(f->dir);
    free(f);
    return 0;
}

static void
reopen(struct gfx *f)
{
    kv_db_close(f->db);
    f->db = NULL;
    gfx_open(f);
}

static uint64_t
last_txn(struct gfx *f)
{
    kv_db_stats_info s;
    assert_int_equal(kv_db_stats(f->db, &s), KV_OK);
    return s.last_txn;
}

/* The item with key pk in table as JSON (kv_free), or NULL. */
static char *
get_json(struct gfx *f, const char *table, const char *pk)
{
    kv_item *key = kv_item_new(), *got = NULL;
    kv_item_put_s(key, "pk", pk);
    assert_int_equal(kv_get_item(f->db, table, key, NULL, &got), KV_OK);
    kv_item_free(key);
    char *json = got ? kv_item_to_json(got) : NULL;
    kv_item_free(got);
    return json;
}

static void
assert_item(struct gfx *f, const char *table, const char *pk, const char *want)
{
    char *got = get_json(f, table, pk);
    if (!want) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    fx_assert_json(got, want);
    kv_free(got);
}

static uint64_t
item_count(struct gfx *f, const char *table)
{
    kv_table_info *info;
    assert_int_equal(kv_table_describe(f->db, table, &info), KV_OK);
    uint64_t n = info->item_count;
    kv_table_info_free(info);
    return n;
}

static void
assert_consistent(struct gfx *f)
{
    uint64_t problems = 1;
    assert_int_equal(kv_db_check(f->db, NULL, NULL, NULL, &problems), KV_OK);
    assert_int_equal(problems, 0);
}

/* --- writes run by threads ----------------------------------------------- */

enum kind { PUT, PUT_IF_ABSENT, UPDATE_IF_V, DELETE, REQUEST };

struct write {
    struct gfx *f;
    enum kind kind;
    const char *table;
    const char *pk;
    const char *gk;   /* PUT: the index key, or NULL */
    size_t pad;       /* PUT: bytes of a padding attribute */
    const char *v;    /* PUT, UPDATE_IF_V: the new v */
    const char *if_v; /* UPDATE_IF_V: the v the item must have */
    kv_status st;
    const char *op;   /* REQUEST: a JSON request of this operation ... */
    const char *json; /* ... with this body */
    char *resp;       /* REQUEST: its response (kv_free) */
};

static void *
run_write(void *arg)
{
    struct write *w = arg;
    kv_db *db = w->f->db;
    kv_item *it = kv_item_new(), *values = kv_item_new();
    kv_item_put_s(it, "pk", w->pk);
    kv_write_opts o = {0};
    switch (w->kind) {
    case PUT:
    case PUT_IF_ABSENT:
        if (w->gk)
            kv_item_put_s(it, "gk", w->gk);
        kv_item_put_n(it, "v", w->v);
        if (w->pad) {
            char *pad = malloc(w->pad + 1);
            memset(pad, 'p', w->pad);
            pad[w->pad] = '\0';
            kv_item_put_s(it, "pad", pad);
            free(pad);
        }
        if (w->kind == PUT_IF_ABSENT)
            o.expr.condition = "attribute_not_exists(pk)";
        w->st = kv_put_item(db, w->table, it, &o, NULL);
        break;
    case UPDATE_IF_V:
        kv_item_put_n(values, ":v", w->v);
        kv_item_put_n(values, ":old", w->if_v);
        o.expr.condition = "v = :old";
        o.expr.values = values;
        w->st = kv_update_item(db, w->table, it, "SET v = :v", &o, NULL);
        break;
    case DELETE:
        w->st = kv_delete_item(db, w->table, it, NULL, NULL);
        break;
    case REQUEST:
        w->st = kv_request(db, w->op, w->json, strlen(w->json), &w->resp);
        break;
    }
    kv_item_free(it);
    kv_item_free(values);
    return NULL;
}

/* Run the writes on threads of their own, all in one group: released
 * only once every one is queued. */
static void
run_group(struct gfx *f, struct write *w, size_t n)
{
    pthread_t th[16];
    assert_true(n <= 16);
    txn_group_hold(f->db, true);
    for (size_t i = 0; i < n; i++) {
        w[i].f = f;
        assert_int_equal(pthread_create(&th[i], NULL, run_write, &w[i]), 0);
    }
    /* A write that does not join groups would never be queued: give up
     * after ten seconds rather than wait forever. */
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (txn_group_waiting(f->db) < n) {
        sched_yield();
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > 10) {
            size_t queued = txn_group_waiting(f->db);
            txn_group_hold(f->db, false);
            for (size_t i = 0; i < n; i++)
                pthread_join(th[i], NULL);
            fail_msg("only %zu of %zu writes joined the group", queued, n);
        }
    }
    txn_group_hold(f->db, false);
    for (size_t i = 0; i < n; i++)
        pthread_join(th[i], NULL);
}

static void
put_one(struct gfx *f, const char *table, const char *pk, const char *gk, const char *v)
{
    struct write w = {f, PUT, table, pk, gk, 0, v, NULL, KV_INTERNAL, NULL, NULL, NULL};
    run_write(&w);
    assert_int_equal(w.st, KV_OK);
}

/* --- tests --------------------------------------------------------------------- */

/* Failures inside a group (a condition, a throttle) leave the others'
 * writes, index entries and counts alone, and leave nothing themselves. */
static void
test_failures_stay_their_own(void **state)
{
    struct gfx *f = *state;
    put_one(f, "Grp", "old", "g0", "1");
    put_one(f, "Grp", "gone", "g9", "9");
    put_one(f, "Tight", "t0", NULL, "0"); /* spends Tight's one unit */
    uint64_t before = last_txn(f);
    struct write w[] = {
        {.kind = PUT, .table = "Grp", .pk = "a1", .gk = "g1", .v = "11"},
        {.kind = PUT_IF_ABSENT, .table = "Grp", .pk = "old", .gk = "gX", .v = "99"},
        {.kind = PUT, .table = "Grp", .pk = "a2", .gk = "g2", .v = "12"},
        {.kind = PUT, .table = "Tight", .pk = "t1", .v = "1"},
        {.kind = UPDATE_IF_V, .table = "Grp", .pk = "old", .v = "5", .if_v = "2"},
        {.kind = DELETE, .table = "Grp", .pk = "gone"},
        {.kind = UPDATE_IF_V, .table = "Grp", .pk = "a1", .v = "21", .if_v = "7"},
        {.kind = PUT_IF_ABSENT, .table = "Grp", .pk = "a3", .gk = "g3", .v = "13"},
    };
    size_t n = sizeof w / sizeof w[0];
    run_group(f, w, n);
    assert_int_equal(w[0].st, KV_OK);
    assert_int_equal(w[1].st, KV_CONDITIONAL_CHECK_FAILED);
    assert_int_equal(w[2].st, KV_OK);
    assert_int_equal(w[3].st, KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_int_equal(w[4].st, KV_CONDITIONAL_CHECK_FAILED);
    assert_int_equal(w[5].st, KV_OK);
    /* Queued before a1's put or after it: the group runs in queue order,
     * which threads choose; either way its condition is false. */
    assert_int_equal(w[6].st, KV_CONDITIONAL_CHECK_FAILED);
    assert_int_equal(w[7].st, KV_OK);
    /* One transaction, so one sync, for all of them. */
    assert_int_equal(last_txn(f), before + 1);

    reopen(f);
    assert_item(f, "Grp", "a1", "{\"pk\":{\"S\":\"a1\"},\"gk\":{\"S\":\"g1\"},\"v\":{\"N\":\"11\"}}");
    assert_item(f, "Grp", "a2", "{\"pk\":{\"S\":\"a2\"},\"gk\":{\"S\":\"g2\"},\"v\":{\"N\":\"12\"}}");
    assert_item(f, "Grp", "a3", "{\"pk\":{\"S\":\"a3\"},\"gk\":{\"S\":\"g3\"},\"v\":{\"N\":\"13\"}}");
    assert_item(f, "Grp", "old", "{\"pk\":{\"S\":\"old\"},\"gk\":{\"S\":\"g0\"},\"v\":{\"N\":\"1\"}}");
    assert_item(f, "Grp", "gone", NULL);
    assert_item(f, "Tight", "t1", NULL);
    assert_int_equal(item_count(f, "Grp"), 4);
    assert_int_equal(item_count(f, "Tight"), 1);
    assert_consistent(f);
    /* The index holds the new entries and not the failed put's gX. */
    char *resp = NULL;
    const char *q = "{\"TableName\":\"Grp\",\"IndexName\":\"byg\",\"KeyConditionExpression\":"
                    "\"gk = :g\",\"ExpressionAttributeValues\":{\":g\":{\"S\":\"gX\"}}}";
    assert_int_equal(kv_request(f->db, "Query", q, strlen(q), &resp), KV_OK);
    fx_assert_json(resp, "{\"Items\":[],\"Count\":0,\"ScannedCount\":0}");
    kv_free(resp);
}

/* A group where nothing fails: every write in one transaction, with its
 * index entry, counted once. */
static void
test_group_without_failures(void **state)
{
    struct gfx *f = *state;
    uint64_t before = last_txn(f);
    struct write w[] = {
        {.kind = PUT, .table = "Grp", .pk = "b1", .gk = "g1", .v = "1"},
        {.kind = PUT, .table = "Grp", .pk = "b2", .gk = "g1", .v = "2"},
        {.kind = PUT_IF_ABSENT, .table = "Grp", .pk = "b3", .gk = "g2", .v = "3"},
        {.kind = PUT, .table = "Tight", .pk = "t1", .v = "4"},
        {.kind = DELETE, .table = "Grp", .pk = "absent"},
    };
    size_t n = sizeof w / sizeof w[0];
    run_group(f, w, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(w[i].st, KV_OK);
    assert_int_equal(last_txn(f), before + 1);
    reopen(f);
    assert_item(f, "Grp", "b1", "{\"pk\":{\"S\":\"b1\"},\"gk\":{\"S\":\"g1\"},\"v\":{\"N\":\"1\"}}");
    assert_item(f, "Grp", "b2", "{\"pk\":{\"S\":\"b2\"},\"gk\":{\"S\":\"g1\"},\"v\":{\"N\":\"2\"}}");
    assert_item(f, "Grp", "b3", "{\"pk\":{\"S\":\"b3\"},\"gk\":{\"S\":\"g2\"},\"v\":{\"N\":\"3\"}}");
    assert_item(f, "Tight", "t1", "{\"pk\":{\"S\":\"t1\"},\"v\":{\"N\":\"4\"}}");
    assert_int_equal(item_count(f, "Grp"), 3);
    assert_int_equal(item_count(f, "Tight"), 1);
    assert_consistent(f);
}

/* A group of one runs in its own transaction; one that fails commits
 * nothing at all. */
static void
test_group_of_one(void **state)
{
    struct gfx *f = *state;
    uint64_t before = last_txn(f);
    struct write w = {.kind = PUT, .table = "Grp", .pk = "solo", .gk = "g1", .v = "1"};
    run_group(f, &w, 1);
    assert_int_equal(w.st, KV_OK);
    assert_int_equal(last_txn(f), before + 1);
    struct write again = {.kind = PUT_IF_ABSENT, .table = "Grp", .pk = "solo", .v = "2"};
    run_group(f, &again, 1);
    assert_int_equal(again.st, KV_CONDITIONAL_CHECK_FAILED);
    assert_int_equal(last_txn(f), before + 1);
    reopen(f);
    assert_item(f, "Grp", "solo", "{\"pk\":{\"S\":\"solo\"},\"gk\":{\"S\":\"g1\"},\"v\":{\"N\":\"1\"}}");
}

/* BatchWriteItem and TransactWriteItems join groups too: with puts, in one
 * transaction; a cancelled transaction changes nothing while the others'
 * writes land. */
static void
test_batches_and_transactions_in_groups(void **state)
{
    struct gfx *f = *state;
    put_one(f, "Grp", "old", "g0", "1");
    uint64_t before = last_txn(f);
    struct write w[] = {
        {.kind = PUT, .table = "Grp", .pk = "p1", .gk = "g1", .v = "1"},
        {.kind = REQUEST, .op = "BatchWriteItem",
         .json = "{\"RequestItems\":{\"Grp\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"b1\"},"
                 "\"gk\":{\"S\":\"g1\"}}}},{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"b2\"}}}}]}}"},
        {.kind = REQUEST, .op = "TransactWriteItems",
         .json = "{\"TransactItems\":[{\"Put\":{\"TableName\":\"Grp\",\"Item\":{\"pk\":"
                 "{\"S\":\"x1\"},\"gk\":{\"S\":\"g2\"}}}},{\"Update\":{\"TableName\":\"Grp\","
                 "\"Key\":{\"pk\":{\"S\":\"old\"}},\"UpdateExpression\":\"SET v = :v\","
                 "\"ExpressionAttributeValues\":{\":v\":{\"N\":\"2\"}}}}]}"},
        {.kind = REQUEST, .op = "TransactWriteItems",
         .json = "{\"TransactItems\":[{\"Put\":{\"TableName\":\"Grp\",\"Item\":{\"pk\":"
                 "{\"S\":\"y1\"}}}},{\"ConditionCheck\":{\"TableName\":\"Grp\",\"Key\":{\"pk\":"
                 "{\"S\":\"old\"}},\"ConditionExpression\":\"attribute_not_exists(pk)\"}}]}"},
        {.kind = DELETE, .table = "Grp", .pk = "absent"},
    };
    size_t n = sizeof w / sizeof w[0];
    run_group(f, w, n);
    assert_int_equal(w[0].st, KV_OK);
    assert_int_equal(w[1].st, KV_OK);
    fx_assert_json(w[1].resp, "{\"UnprocessedItems\":{}}");
    assert_int_equal(w[2].st, KV_OK);
    assert_int_equal(w[3].st, KV_TRANSACTION_CANCELED);
    assert_non_null(strstr(w[3].resp, "[None, ConditionalCheckFailed]"));
    assert_int_equal(w[4].st, KV_OK);
    for (size_t i = 0; i < n; i++)
        kv_free(w[i].resp);
    /* Every write of the group, the batch's and the transaction's
     * included, in one transaction: one sync. */
    assert_int_equal(last_txn(f), before + 1);

    reopen(f);
    assert_item(f, "Grp", "p1", "{\"pk\":{\"S\":\"p1\"},\"gk\":{\"S\":\"g1\"},\"v\":{\"N\":\"1\"}}");
    assert_item(f, "Grp", "b1", "{\"pk\":{\"S\":\"b1\"},\"gk\":{\"S\":\"g1\"}}");
    assert_item(f, "Grp", "b2", "{\"pk\":{\"S\":\"b2\"}}");
    assert_item(f, "Grp", "x1", "{\"pk\":{\"S\":\"x1\"},\"gk\":{\"S\":\"g2\"}}");
    assert_item(f, "Grp", "old", "{\"pk\":{\"S\":\"old\"},\"gk\":{\"S\":\"g0\"},\"v\":{\"N\":\"2\"}}");
    assert_item(f, "Grp", "y1", NULL);
    assert_int_equal(item_count(f, "Grp"), 5);
    assert_consistent(f);
}

/* A batch of which capacity refuses a part: the refused element comes
 * back unprocessed and the rest of the batch is written.  Its first run
 * fails (it ran the refused element too), so the group commits the
 * others, and the batch, run again without the refused element, commits
 * on its own: two transactions. */
static void
test_part_refused_batch_in_group(void **state)
{
    struct gfx *f = *state;
    put_one(f, "Tight", "t0", NULL, "0"); /* spends Tight's one unit */
    uint64_t before = last_txn(f);
    struct write w[] = {
        {.kind = PUT, .table = "Grp", .pk = "p1", .gk = "g1", .v = "1"},
        {.kind = REQUEST, .op = "BatchWriteItem",
         .json = "{\"RequestItems\":{\"Grp\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"b1\"},"
                 "\"gk\":{\"S\":\"g1\"}}}}],"
                 "\"Tight\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"t1\"}}}}]}}"},
        {.kind = PUT, .table = "Grp", .pk = "p2", .v = "2"},
    };
    run_group(f, w, 3);
    assert_int_equal(w[0].st, KV_OK);
    assert_int_equal(w[1].st, KV_OK);
    fx_assert_json(w[1].resp, "{\"UnprocessedItems\":{\"Tight\":[{\"PutRequest\":{\"Item\":"
                              "{\"pk\":{\"S\":\"t1\"}}}}]}}");
    assert_int_equal(w[2].st, KV_OK);
    kv_free(w[1].resp);
    assert_int_equal(last_txn(f), before + 2);
    reopen(f);
    assert_item(f, "Grp", "p1", "{\"pk\":{\"S\":\"p1\"},\"gk\":{\"S\":\"g1\"},\"v\":{\"N\":\"1\"}}");
    assert_item(f, "Grp", "p2", "{\"pk\":{\"S\":\"p2\"},\"v\":{\"N\":\"2\"}}");
    assert_item(f, "Grp", "b1", "{\"pk\":{\"S\":\"b1\"},\"gk\":{\"S\":\"g1\"}}");
    assert_item(f, "Tight", "t1", NULL);
    assert_int_equal(item_count(f, "Grp"), 3);
    assert_int_equal(item_count(f, "Tight"), 1);
    assert_consistent(f);
}

/* A batch whose every element is refused fails alone, with the
 * exception, and leaves the group's other writes committed. */
static void
test_refused_batch_in_group(void **state)
{
    struct gfx *f = *state;
    put_one(f, "Tight", "t0", NULL, "0");
    uint64_t before = last_txn(f);
    struct write w[] = {
        {.kind = REQUEST, .op = "BatchWriteItem",
         .json = "{\"RequestItems\":{\"Tight\":[{\"PutRequest\":{\"Item\":{\"pk\":"
                 "{\"S\":\"t1\"}}}},{\"DeleteRequest\":{\"Key\":{\"pk\":{\"S\":\"t0\"}}}}]}}"},
        {.kind = PUT, .table = "Grp", .pk = "p1", .gk = "g1", .v = "1"},
    };
    run_group(f, w, 2);
    assert_int_equal(w[0].st, KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_int_equal(w[1].st, KV_OK);
    kv_free(w[0].resp);
    assert_int_equal(last_txn(f), before + 1);
    reopen(f);
    assert_item(f, "Grp", "p1", "{\"pk\":{\"S\":\"p1\"},\"gk\":{\"S\":\"g1\"},\"v\":{\"N\":\"1\"}}");
    assert_item(f, "Tight", "t0", "{\"pk\":{\"S\":\"t0\"},\"v\":{\"N\":\"0\"}}");
    assert_item(f, "Tight", "t1", NULL);
    assert_consistent(f);
}

/* Many threads writing freely: every acknowledged write is there after
 * reopening, with its index entry. */
#define THREADS 8
#define PER_THREAD 20

struct stream {
    struct gfx *f;
    int id;
    int failures;
};

/* Run fn on n threads of their own, each with a stream numbered from 0,
 * and check that none saw a write fail. */
static void
run_streams(struct gfx *f, int n, void *(*fn)(void *))
{
    pthread_t th[16];
    struct stream s[16];
    assert_true(n <= 16);
    for (int i = 0; i < n; i++) {
        s[i] = (struct stream){f, i, 0};
        assert_int_equal(pthread_create(&th[i], NULL, fn, &s[i]), 0);
    }
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(s[i].failures, 0);
    }
}

static void *
run_stream(void *arg)
{
    struct stream *s = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        char pk[32], gk[32], v[32];
        snprintf(pk, sizeof pk, "t%d-%d", s->id, i);
        snprintf(gk, sizeof gk, "g%d", i % 3);
        snprintf(v, sizeof v, "%d", s->id * 1000 + i);
        struct write w = {s->f, PUT, "Grp", pk, gk, 0, v, NULL, KV_INTERNAL, NULL, NULL, NULL};
        run_write(&w);
        if (w.st != KV_OK)
            s->failures++;
    }
    return NULL;
}

static void
test_many_threads_durable(void **state)
{
    struct gfx *f = *state;
    run_streams(f, THREADS, run_stream);
    reopen(f);
    assert_int_equal(item_count(f, "Grp"), THREADS * PER_THREAD);
    for (int t = 0; t < THREADS; t++)
        for (int i = 0; i < PER_THREAD; i++) {
            char pk[32], want[160];
            snprintf(pk, sizeof pk, "t%d-%d", t, i);
            snprintf(want, sizeof want,
                     "{\"pk\":{\"S\":\"%s\"},\"gk\":{\"S\":\"g%d\"},\"v\":{\"N\":\"%d\"}}", pk,
                     i % 3, t * 1000 + i);
            assert_item(f, "Grp", pk, want);
        }
    assert_consistent(f);
}

/* Threads sending batches and transactions freely, alongside puts:
 * everything acknowledged is there after reopening. */
#define MIXED_ROUNDS 10

static void *
run_mixed(void *arg)
{
    struct stream *s = arg;
    for (int i = 0; i < MIXED_ROUNDS; i++) {
        char json[1024], pk[32];
        struct write w = {.f = s->f, .kind = REQUEST};
        if (s->id % 2 == 0) {
            int n = snprintf(json, sizeof json, "{\"RequestItems\":{\"Grp\":[");
            for (int k = 0; k < 5; k++)
                n += snprintf(json + n, sizeof json - (size_t)n,
                              "%s{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"m%d-%d-%d\"},"
                              "\"gk\":{\"S\":\"g%d\"}}}}",
                              k ? "," : "", s->id, i, k, k);
            snprintf(json + n, sizeof json - (size_t)n, "]}}");
            w.op = "BatchWriteItem";
        } else {
            snprintf(json, sizeof json,
                     "{\"TransactItems\":[{\"Put\":{\"TableName\":\"Grp\",\"Item\":{\"pk\":"
                     "{\"S\":\"m%d-%d-0\"}}}},{\"Put\":{\"TableName\":\"Grp\",\"Item\":{\"pk\":"
                     "{\"S\":\"m%d-%d-1\"}}}}]}",
                     s->id, i, s->id, i);
            w.op = "TransactWriteItems";
        }
        w.json = json;
        run_write(&w);
        if (w.st != KV_OK || (s->id % 2 == 0 && !strstr(w.resp, "\"UnprocessedItems\":{}")))
            s->failures++;
        kv_free(w.resp);
        snprintf(pk, sizeof pk, "q%d-%d", s->id, i);
        struct write p = {s->f, PUT, "Grp", pk, NULL, 0, "1", NULL, KV_INTERNAL, NULL, NULL, NULL};
        run_write(&p);
        if (p.st != KV_OK)
            s->failures++;
    }
    return NULL;
}

static void
test_many_threads_batches_durable(void **state)
{
    struct gfx *f = *state;
    run_streams(f, THREADS, run_mixed);
    reopen(f);
    /* Even threads: 5 items a round; odd: 2; every thread: a put a round. */
    assert_int_equal(item_count(f, "Grp"), (THREADS / 2) * MIXED_ROUNDS * (5 + 2 + 2));
    for (int t = 0; t < THREADS; t++)
        for (int i = 0; i < MIXED_ROUNDS; i++)
            for (int k = 0; k < (t % 2 == 0 ? 5 : 2); k++) {
                char pk[32];
                snprintf(pk, sizeof pk, "m%d-%d-%d", t, i, k);
                char *got = get_json(f, "Grp", pk);
                assert_non_null(got);
                kv_free(got);
            }
    assert_consistent(f);
}

/* Writers of a group that fill the memory map: the map grows once per
 * filling, not once per writer, and every write lands exactly once. */
#define BIG_THREADS 8
#define BIG_PER_THREAD 12

static void *
run_big(void *arg)
{
    struct stream *s = arg;
    for (int i = 0; i < BIG_PER_THREAD; i++) {
        char pk[32], v[32];
        snprintf(pk, sizeof pk, "big%d-%d", s->id, i);
        snprintf(v, sizeof v, "%d", i);
        struct write w = {s->f, PUT, "Grp", pk, NULL, 12000, v, NULL, KV_INTERNAL, NULL, NULL, NULL};
        run_write(&w);
        if (w.st != KV_OK)
            s->failures++;
    }
    return NULL;
}

static void
test_map_growth_in_groups(void **state)
{
    struct gfx *f = *state;
    kv_db_stats_info before;
    assert_int_equal(kv_db_stats(f->db, &before), KV_OK);
    run_streams(f, BIG_THREADS, run_big);
    kv_db_stats_info after;
    assert_int_equal(kv_db_stats(f->db, &after), KV_OK);
    /* About 1.2 MB of items: the map doubled once, not once per writer
     * of the group that met it full. */
    assert_int_equal(before.map_size, 1 << 20);
    assert_int_equal(after.map_size, 2 << 20);
    reopen(f);
    assert_int_equal(item_count(f, "Grp"), BIG_THREADS * BIG_PER_THREAD);
    assert_consistent(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_failures_stay_their_own, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_without_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_of_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batches_and_transactions_in_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_part_refused_batch_in_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_batch_in_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_threads_durable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_threads_batches_durable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_growth_in_groups, setup_small_map, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
