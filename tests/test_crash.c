/*
 * test_crash.c -- acknowledged writes survive a SIGKILL; unacknowledged ones
 * are whole or absent.
 *
 * Each round forks a writer that opens the database durably (synced) and
 * writes without end: PutItem, UpdateItem, DeleteItem, TransactWriteItems
 * and BatchWriteItem on a table with a global and a local secondary index.
 * Before each call it tells the parent over a pipe what the call will
 * leave behind, and after the call returned OK that it was acknowledged.
 * The parent kills the writer at a random moment, then reads the table:
 *
 *   - every key holds what the last acknowledged write left, attribute for
 *     attribute (a "lost" write otherwise);
 *   - the one write in flight may be there or not, but whole: a
 *     transaction's items all or none, every item with all its attributes
 *     and its value string complete (a "torn" write otherwise);
 *   - kv_db_check finds every index entry and counter right.
 *
 * Every other round the parent keeps its own handle open while the writer
 * runs, so the writer dies beside a live process (LMDB's lock file is not
 * reset, and the dead writer's lock and reader slots must be recovered);
 * the other rounds reopen the database from scratch.  After the first check
 * the parent writes once itself, which fails or hangs if a dead writer's
 * lock was kept, and checks again.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fixture.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 250
#define N_PK 8
#define N_SK 8
#define N_KEYS (N_PK * N_SK)
#define MAX_TOUCH 25
#define MAX_V 3000

enum { OP_PUT, OP_UPDATE, OP_DELETE, OP_TRANSACT, OP_BATCH, N_OPS };
enum { REC_INTENT = 1, REC_ACK = 2 };

/* One pipe record; far below PIPE_BUF, so each write is atomic. */
struct record {
    uint8_t kind, op, n;
    uint8_t keys[MAX_TOUCH];
    uint32_t seqs[MAX_TOUCH]; /* what the key holds after the write; 0: absent */
};

static uint64_t rng;

static uint32_t
rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

/* --- items: everything follows from the key and a sequence number ------- */

static size_t
v_len(uint32_t seq)
{
    return 1 + (seq * 7919u) % MAX_V;
}

static char
v_char(uint32_t seq, size_t i)
{
    return (char)('a' + (seq * 31u + (uint32_t)i * 7u) % 26u);
}

struct buf {
    char *p;
    size_t n, cap;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if ((size_t)n < b->cap - b->n) {
            b->n += (size_t)n;
            return;
        }
        b->cap = b->cap * 2 + (size_t)n;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
}

static void
put_key(struct buf *b, int k)
{
    put(b, "{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"%d\"}}", k / N_SK, k % N_SK);
}

static void
put_v(struct buf *b, uint32_t seq)
{
    size_t n = v_len(seq);
    put(b, "{\"S\":\"");
    for (size_t i = 0; i < n; i++)
        put(b, "%c", v_char(seq, i));
    put(b, "\"}");
}

static void
put_item(struct buf *b, int k, uint32_t seq)
{
    put(b, "{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"%d\"},\"g\":{\"S\":\"g%u\"},"
           "\"l\":{\"S\":\"l%u\"},\"seq\":{\"N\":\"%u\"},\"v\":",
        k / N_SK, k % N_SK, seq % 5, seq % 7, seq);
    put_v(b, seq);
    put(b, "}");
}

/* UpdateItem's fields after the table name: the same item as put_item. */
static void
put_update(struct buf *b, int k, uint32_t seq)
{
    put(b, "\"Key\":");
    put_key(b, k);
    put(b, ",\"UpdateExpression\":\"SET v = :v, g = :g, l = :l, seq = :s\","
           "\"ExpressionAttributeValues\":{\":g\":{\"S\":\"g%u\"},\":l\":{\"S\":\"l%u\"},"
           "\":s\":{\"N\":\"%u\"},\":v\":",
        seq % 5, seq % 7, seq);
    put_v(b, seq);
    put(b, "}");
}

/* --- the writer ----------------------------------------------------------- */

static void
send_record(int fd, const struct record *r)
{
    if (write(fd, r, sizeof *r) != (ssize_t)sizeof *r)
        _exit(4);
}

/* Pick n distinct keys into r and the op of each: put, update or delete. */
static void
pick_keys(struct record *r, int n, uint32_t *seq, uint8_t *ops, bool allow_update)
{
    r->n = (uint8_t)n;
    for (int i = 0; i < n; i++) {
        int k;
        bool dup;
        do {
            k = (int)rnd(N_KEYS);
            dup = false;
            for (int j = 0; j < i; j++)
                dup |= r->keys[j] == k;
        } while (dup);
        r->keys[i] = (uint8_t)k;
        ops[i] = (uint8_t)rnd(allow_update ? 3 : 2); /* 0 put, 1 delete, 2 update */
        r->seqs[i] = ops[i] == 1 ? 0 : ++*seq;
    }
}

static void
build_request(const struct record *r, const uint8_t *ops, struct buf *b, const char **name)
{
    b->n = 0;
    switch (r->op) {
    case OP_PUT:
        *name = "PutItem";
        put(b, "{\"TableName\":\"Tbl\",\"Item\":");
        put_item(b, r->keys[0], r->seqs[0]);
        put(b, "}");
        break;
    case OP_UPDATE:
        *name = "UpdateItem";
        put(b, "{\"TableName\":\"Tbl\",");
        put_update(b, r->keys[0], r->seqs[0]);
        put(b, "}");
        break;
    case OP_DELETE:
        *name = "DeleteItem";
        put(b, "{\"TableName\":\"Tbl\",\"Key\":");
        put_key(b, r->keys[0]);
        put(b, "}");
        break;
    case OP_TRANSACT:
        *name = "TransactWriteItems";
        put(b, "{\"TransactItems\":[");
        for (int i = 0; i < r->n; i++) {
            put(b, i ? "," : "");
            if (ops[i] == 0) {
                put(b, "{\"Put\":{\"TableName\":\"Tbl\",\"Item\":");
                put_item(b, r->keys[i], r->seqs[i]);
            } else if (ops[i] == 1) {
                put(b, "{\"Delete\":{\"TableName\":\"Tbl\",\"Key\":");
                put_key(b, r->keys[i]);
            } else {
                put(b, "{\"Update\":{\"TableName\":\"Tbl\",");
                put_update(b, r->keys[i], r->seqs[i]);
            }
            put(b, "}}");
        }
        put(b, "]}");
        break;
    default:
        *name = "BatchWriteItem";
        put(b, "{\"RequestItems\":{\"Tbl\":[");
        for (int i = 0; i < r->n; i++) {
            put(b, i ? "," : "");
            if (ops[i] == 0) {
                put(b, "{\"PutRequest\":{\"Item\":");
                put_item(b, r->keys[i], r->seqs[i]);
            } else {
                put(b, "{\"DeleteRequest\":{\"Key\":");
                put_key(b, r->keys[i]);
            }
            put(b, "}}");
        }
        put(b, "]}}");
        break;
    }
}

/* Runs in the child until killed; exits only on failure. */
static void
writer(const char *dir, int fd, uint32_t seq, uint64_t seed)
{
    rng = seed;
    kv_options opt;
    kv_options_default(&opt);
    opt.unlimited_capacity = 1; /* durable: no_sync stays 0 */
    kv_db *db;
    if (kv_db_open(dir, &opt, &db) != KV_OK) {
        fprintf(stderr, "writer: open: %s\n", kv_errmsg(NULL));
        _exit(3);
    }
    struct buf b = {malloc(1 << 16), 0, 1 << 16};
    for (;;) {
        struct record r = {.kind = REC_INTENT, .op = (uint8_t)rnd(N_OPS)};
        uint8_t ops[MAX_TOUCH];
        if (r.op == OP_TRANSACT)
            pick_keys(&r, 2 + (int)rnd(5), &seq, ops, true);
        else if (r.op == OP_BATCH)
            pick_keys(&r, 2 + (int)rnd(MAX_TOUCH - 1), &seq, ops, false);
        else {
            pick_keys(&r, 1, &seq, ops, true);
            if (r.op == OP_DELETE)
                r.seqs[0] = 0;
            else if (!r.seqs[0])
                r.seqs[0] = ++seq;
        }
        const char *name;
        build_request(&r, ops, &b, &name);
        send_record(fd, &r);
        char *resp = NULL;
        kv_status st = kv_request(db, name, b.p, b.n, &resp);
        if (st != KV_OK || (r.op == OP_BATCH && !strstr(resp, "\"UnprocessedItems\":{}"))) {
            fprintf(stderr, "writer: %s: %s %s\n", name, kv_status_name(st), resp ? resp : "");
            _exit(3);
        }
        kv_free(resp);
        r.kind = REC_ACK;
        send_record(fd, &r);
    }
}

/* --- the checker ---------------------------------------------------------- */

/* A key's state: 0 absent, else the sequence number of its item. */
static uint32_t acked[N_KEYS];
static unsigned long long n_acked, n_inflight_applied, n_lost, n_torn;

/*
 * Read every item; -1 in got[k] marks an item that is not whole (missing
 * or extra attributes, wrong values for its seq).
 */
static void
read_table(kv_db *db, int64_t *got)
{
    for (int k = 0; k < N_KEYS; k++)
        got[k] = 0;
    const char *req = "{\"TableName\":\"Tbl\",\"ConsistentRead\":true}";
    char *resp = NULL;
    kv_status st = kv_request(db, "Scan", req, strlen(req), &resp);
    if (st != KV_OK)
        fprintf(stderr, "scan: %s %s\n", kv_status_name(st), resp ? resp : "");
    assert_int_equal(st, KV_OK);
    json_t *j = json_loads(resp, 0, NULL);
    kv_free(resp);
    assert_non_null(j);
    assert_null(json_object_get(j, "LastEvaluatedKey"));
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(j, "Items"), i, it) {
        int p = atoi(json_string_value(json_object_get(json_object_get(it, "pk"), "S")) + 1);
        int s = atoi(json_string_value(json_object_get(json_object_get(it, "sk"), "N")));
        assert_true(p >= 0 && p < N_PK && s >= 0 && s < N_SK);
        int k = p * N_SK + s;
        const char *seqs = json_string_value(json_object_get(json_object_get(it, "seq"), "N"));
        uint32_t seq = seqs ? (uint32_t)strtoul(seqs, NULL, 10) : 0;
        bool whole = seq && json_object_size(it) == 6;
        char want[16];
        snprintf(want, sizeof want, "g%u", seq % 5);
        const char *g = json_string_value(json_object_get(json_object_get(it, "g"), "S"));
        whole = whole && g && strcmp(g, want) == 0;
        snprintf(want, sizeof want, "l%u", seq % 7);
        const char *l = json_string_value(json_object_get(json_object_get(it, "l"), "S"));
        whole = whole && l && strcmp(l, want) == 0;
        const char *v = json_string_value(json_object_get(json_object_get(it, "v"), "S"));
        whole = whole && v && strlen(v) == v_len(seq);
        for (size_t c = 0; whole && c < v_len(seq); c++)
            whole = v[c] == v_char(seq, c);
        got[k] = whole ? (int64_t)seq : -1;
    }
    json_decref(j);
}

static void
print_problem(void *arg, const char *table, const char *index, const char *problem)
{
    (void)arg;
    fprintf(stderr, "check: %s/%s: %s\n", table, index ? index : "-", problem);
}

/*
 * Compare the table with the acknowledged state and the write in flight.
 * Until the next write, a handle that stayed open may not yet see a write
 * the writer committed but did not live to publish (LMDB recovers the dead
 * writer's lock, and with it the newest commit, when the next write starts):
 * so the in-flight write stays undecided until the `final` look.
 */
static void
verify(kv_db *db, const struct record *inflight, int round, bool final)
{
    int64_t got[N_KEYS];
    read_table(db, got);
    bool touched[N_KEYS] = {false};
    uint32_t post[N_KEYS];
    if (inflight)
        for (int i = 0; i < inflight->n; i++) {
            touched[inflight->keys[i]] = true;
            post[inflight->keys[i]] = inflight->seqs[i];
        }
    int applied = 0, not_applied = 0;
    for (int k = 0; k < N_KEYS; k++) {
        if (got[k] < 0) {
            fprintf(stderr, "round %d: key %d is not whole\n", round, k);
            n_torn++;
            continue;
        }
        bool pre_ok = (uint32_t)got[k] == acked[k];
        bool post_ok = touched[k] && (uint32_t)got[k] == post[k];
        if (!pre_ok && !post_ok) {
            fprintf(stderr, "round %d: key %d holds seq %lld, acknowledged %u\n", round, k,
                    (long long)got[k], acked[k]);
            n_lost++;
        }
        if (post_ok && !pre_ok)
            applied++;
        if (pre_ok && !post_ok && touched[k])
            not_applied++;
    }
    /* A transaction is all or nothing (a batch need not be, as in DynamoDB). */
    if (inflight && inflight->op == OP_TRANSACT && applied && not_applied) {
        fprintf(stderr, "round %d: transaction half applied (%d of %d)\n", round, applied,
                applied + not_applied);
        n_torn++;
    }
    if (final) {
        if (applied)
            n_inflight_applied++;
        for (int k = 0; k < N_KEYS; k++)
            if (got[k] >= 0)
                acked[k] = (uint32_t)got[k];
    }

    uint64_t problems = 1;
    kv_status st = kv_db_check(db, NULL, print_problem, NULL, &problems);
    if (st != KV_OK)
        fprintf(stderr, "round %d: kv_db_check: %s %s\n", round, kv_status_name(st),
                kv_errmsg(db));
    assert_int_equal(st, KV_OK);
    assert_int_equal(problems, 0);
}

/* Apply one pipe record to the model; returns false at end of file. */
static bool
take_record(int fd, struct record *inflight, bool *has_inflight)
{
    struct record r;
    ssize_t n;
    while ((n = read(fd, &r, sizeof r)) < 0 && errno == EINTR)
        ;
    if (n == 0)
        return false;
    assert_int_equal(n, sizeof r);
    if (r.kind == REC_INTENT) {
        *inflight = r;
        *has_inflight = true;
    } else {
        assert_true(*has_inflight);
        for (int i = 0; i < r.n; i++)
            acked[r.keys[i]] = r.seqs[i];
        *has_inflight = false;
        n_acked++;
    }
    return true;
}

static kv_db *
open_db(const char *dir)
{
    kv_options opt;
    fx_options(&opt);
    kv_db *db = NULL;
    if (kv_db_open(dir, &opt, &db) != KV_OK)
        fprintf(stderr, "open: %s\n", kv_errmsg(NULL));
    assert_non_null(db);
    return db;
}

static void
crash01_kill_writer(void **state)
{
    (void)state;
    char *dir = fx_mkdtemp();
    assert_non_null(dir);
    struct fx f = {dir, open_db(dir)};
    fx_ok(&f, "CreateTable",
          "{\"TableName\":\"Tbl\",\"BillingMode\":\"PAY_PER_REQUEST\","
          "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},"
          "{\"AttributeName\":\"g\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"seq\",\"AttributeType\":\"N\"},"
          "{\"AttributeName\":\"l\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
          "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
          "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"ByG\",\"KeySchema\":["
          "{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"},"
          "{\"AttributeName\":\"seq\",\"KeyType\":\"RANGE\"}],"
          "\"Projection\":{\"ProjectionType\":\"ALL\"}}],"
          "\"LocalSecondaryIndexes\":[{\"IndexName\":\"ByL\",\"KeySchema\":["
          "{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
          "{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],"
          "\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}]}");
    fx_ok(&f, "CreateTable",
          "{\"TableName\":\"Probe\",\"BillingMode\":\"PAY_PER_REQUEST\","
          "\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}]}");
    kv_db_close(f.db);
    f.db = NULL;

    rng = 0x2545f4914f6cdd1dull;
    for (int round = 0; round < ROUNDS; round++) {
        bool stay_open = round % 2;
        if (stay_open)
            f.db = open_db(dir);
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        uint64_t seed = rng ^ ((uint64_t)round << 32) ^ 0x9e3779b97f4a7c15ull;
        uint32_t target = rnd(10); /* acknowledged writes before the kill */
        uint32_t spin = rnd(4000); /* yields between that and the kill */
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            writer(dir, fds[1], (uint32_t)(round + 1) * 1000000u, seed ? seed : 1);
        }
        close(fds[1]);

        struct record inflight;
        bool has_inflight = false;
        unsigned long long acked_before = n_acked;
        while (n_acked - acked_before < target) {
            struct pollfd p = {fds[0], POLLIN, 0};
            int pr = poll(&p, 1, 20000);
            assert_true(pr == 1); /* the writer stalled or died */
            if (!take_record(fds[0], &inflight, &has_inflight))
                break; /* it died: waitpid below says how */
        }
        for (uint32_t i = 0; i < spin; i++)
            sched_yield();
        kill(pid, SIGKILL);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
            fail_msg("round %d: the writer failed (status %d)", round, status);
        while (take_record(fds[0], &inflight, &has_inflight))
            ;
        close(fds[0]);

        if (!stay_open)
            f.db = open_db(dir);
        verify(f.db, has_inflight ? &inflight : NULL, round, false);
        char probe[96];
        snprintf(probe, sizeof probe, "{\"TableName\":\"Probe\",\"Item\":{\"id\":{\"S\":\"r%d\"}}}",
                 round);
        fx_ok(&f, "PutItem", probe);
        verify(f.db, has_inflight ? &inflight : NULL, round, true);
        kv_db_close(f.db);
        f.db = NULL;
    }
    printf("crash: %d kill rounds, %llu acknowledged writes, %llu in-flight writes found "
           "applied: %llu lost, %llu torn\n",
           ROUNDS, n_acked, n_inflight_applied, n_lost, n_torn);
    assert_int_equal(n_lost, 0);
    assert_int_equal(n_torn, 0);
    fx_rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crash01_kill_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
