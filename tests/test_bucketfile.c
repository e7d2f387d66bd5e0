/*
 * test_bucketfile.c -- the shared capacity file: slots claimed, found,
 * dropped and evicted, pinned slots kept; state shared by handles and by
 * processes; capacity conserved when two processes hammer one table at
 * once; metrics counted exactly by processes that count without the lock
 * and one that counts with it; a process killed while holding the lock
 * wedges no one; a file of another layout or full of garbage is rebuilt
 * by its only user and refused otherwise.
 *
 * The shared file is used only with the real clock, so the cases that need
 * it run in real time, kept to a few seconds, and assert only what real
 * time makes certain: conservation bounds, and counts that do not depend
 * on timing.
 */
#include "fixture.h"
#include "bucketfile.h"
#include "clock.h"
#include "err.h"
#include "throttle.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define KB1 2

static struct throttle_table
table(const char *id, int64_t wcu, int64_t created_ms)
{
    struct throttle_table t;
    memset(&t, 0, sizeof t);
    t.id = id;
    t.name = "Shared";
    t.billing = KV_PROVISIONED;
    t.rcu = 1;
    t.wcu = wcu;
    t.created_ms = created_ms;
    t.changed_ms = created_ms;
    return t;
}

static struct throttle *
open_shared_as(const char *dir, struct clock *clk, bool unlimited)
{
    struct kv_err err;
    struct throttle *th;
    err_init(&err);
    clock_init_real(clk);
    struct throttle_options o = {dir, clk, 0, unlimited, 0600};
    if (throttle_open(&o, &th, &err) != KV_OK) {
        fprintf(stderr, "open: %s\n", err_message(&err));
        return NULL;
    }
    return th;
}

static struct throttle *
open_shared(const char *dir, struct clock *clk)
{
    return open_shared_as(dir, clk, false);
}

static kv_status
put(struct throttle *th, const struct throttle_table *t)
{
    struct throttle_ticket tk = {0};
    struct throttle_write w = {t, METRICS_OP_PUT_ITEM, KB1, 1, NULL, 0};
    struct kv_err err;
    err_init(&err);
    kv_status st = throttle_write_admit(th, &w, &tk, &err);
    err_clear(&err);
    return st;
}

/* --- bf01: slots ------------------------------------------------------------ */

struct small {
    struct bucketfile_slot hdr;
    uint64_t payload;
};

static struct bucketfile *
open_small(const char *dir, uint32_t layout, struct kv_err *err)
{
    struct bucketfile *bf = NULL;
    struct bucketfile_params p = {sizeof(struct small), layout, 0600, NULL, NULL,
                                  clock_real_ms()};
    if (dir)
        bucketfile_open(dir, &p, &bf, err);
    else
        bucketfile_open_private(&p, &bf, err);
    return bf;
}

static struct small *
claim(struct bucketfile *bf, const char *key, int64_t now, uint64_t payload)
{
    struct kv_err err;
    struct bucketfile_slot *s;
    err_init(&err);
    assert_int_equal(bucketfile_claim(bf, key, strlen(key) + 1, now, &s, &err), KV_OK);
    ((struct small *)s)->payload = payload;
    bucketfile_publish(s);
    return (struct small *)s;
}

static struct small *
find(struct bucketfile *bf, const char *key)
{
    struct kv_err err;
    struct bucketfile_slot *s;
    err_init(&err);
    assert_int_equal(bucketfile_find(bf, key, strlen(key) + 1, &s, &err), KV_OK);
    return (struct small *)s;
}

/* bf01-1.1: claim, find, drop, and eviction of the least recently used
 * slot once the file holds its maximum. */
static void
bf01_1_slots(void **state)
{
    (void)state;
    struct kv_err err;
    err_init(&err);
    struct bucketfile *bf = open_small(NULL, 1, &err);
    assert_non_null(bf);
    assert_int_equal(bucketfile_lock(bf, 0, &err), KV_OK);
    char key[32];
    for (int i = 0; i < BUCKETFILE_SLOTS_MAX; i++) {
        snprintf(key, sizeof key, "t%d", i);
        claim(bf, key, 1000 + i, (uint64_t)i);
    }
    assert_int_equal(bucketfile_slot_count(bf), BUCKETFILE_SLOTS_MAX);
    assert_int_equal(find(bf, "t77")->payload, 77);
    find(bf, "t0")->hdr.last_used_ms = 999999; /* recently used: kept */
    claim(bf, "new", 5000, 1);
    assert_non_null(find(bf, "t0"));
    assert_null(find(bf, "t1")); /* the least recently used went */
    assert_int_equal(find(bf, "new")->payload, 1);
    /* dropping by table id frees the table's slots (id NUL index) */
    struct bucketfile_slot *s;
    assert_int_equal(bucketfile_claim(bf, "id9\0ByHost", 10, 6000, &s, &err), KV_OK);
    bucketfile_publish(s);
    assert_true(bucketfile_slot_is(s, "id9\0ByHost", 10));
    bucketfile_drop(bf, "id9");
    assert_false(bucketfile_slot_is(s, "id9\0ByHost", 10));
    bucketfile_unlock(bf);
    bucketfile_close(bf);
}

/* bf01-1.3: a pinned slot keeps its resource: a pin holds only at the
 * generation it was found at, a claim does not reuse a pinned free slot
 * nor evict a pinned one, and every claim and free changes the
 * generation. */
static void
bf01_3_pins(void **state)
{
    (void)state;
    struct kv_err err;
    err_init(&err);
    struct bucketfile *bf = open_small(NULL, 1, &err);
    assert_non_null(bf);
    assert_int_equal(bucketfile_lock(bf, 0, &err), KV_OK);
    struct small *a = claim(bf, "a", 1, 1);
    uint32_t gen = bucketfile_slot_gen(&a->hdr);
    assert_false(bucketfile_pin(&a->hdr, gen + 1));
    assert_true(bucketfile_pin(&a->hdr, gen));
    assert_int_equal(atomic_load(&a->hdr.pins), 1);
    bucketfile_unpin(&a->hdr);
    assert_int_equal(atomic_load(&a->hdr.pins), 0);
    /* freed while pinned: the pin taken before stays, new pins fail */
    assert_true(bucketfile_pin(&a->hdr, gen));
    bucketfile_free(&a->hdr);
    uint32_t freed = bucketfile_slot_gen(&a->hdr);
    assert_true(freed != gen);
    assert_false(bucketfile_pin(&a->hdr, gen));
    struct small *b = claim(bf, "b", 2, 2);
    assert_ptr_not_equal(b, a); /* the pinned free slot is left alone */
    assert_int_equal(bucketfile_slot_count(bf), 2);
    bucketfile_unpin(&a->hdr);
    struct small *c = claim(bf, "c", 3, 3);
    assert_ptr_equal(c, a); /* unpinned: reused */
    assert_true(bucketfile_slot_gen(&c->hdr) != gen && bucketfile_slot_gen(&c->hdr) != freed);
    assert_int_equal(bucketfile_slot_count(bf), 2);
    /* at the maximum, a pinned least recently used slot is not evicted */
    char key[32];
    for (int i = 2; i < BUCKETFILE_SLOTS_MAX; i++) {
        snprintf(key, sizeof key, "t%d", i);
        claim(bf, key, 1000 + i, (uint64_t)i);
    }
    struct small *lru = find(bf, "b");
    assert_true(bucketfile_pin(&lru->hdr, bucketfile_slot_gen(&lru->hdr)));
    claim(bf, "new", 9000, 4);
    assert_non_null(find(bf, "b"));
    assert_null(find(bf, "c")); /* the next least recently used went */
    bucketfile_unpin(&lru->hdr);
    bucketfile_unlock(bf);
    bucketfile_close(bf);
}

/* bf01-1.2: two handles on one file (as two processes would be) see the
 * same slots. */
static void
bf01_2_two_handles(void **state)
{
    (void)state;
    char *dir = fx_mkdtemp();
    struct kv_err err;
    err_init(&err);
    struct bucketfile *a = open_small(dir, 1, &err), *b = open_small(dir, 1, &err);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(bucketfile_lock(a, 0, &err), KV_OK);
    claim(a, "shared", 1, 4242);
    bucketfile_unlock(a);
    assert_int_equal(bucketfile_lock(b, 0, &err), KV_OK);
    assert_int_equal(find(b, "shared")->payload, 4242);
    find(b, "shared")->payload = 7;
    bucketfile_unlock(b);
    assert_int_equal(bucketfile_lock(a, 0, &err), KV_OK);
    assert_int_equal(find(a, "shared")->payload, 7);
    bucketfile_unlock(a);
    bucketfile_close(a);
    bucketfile_close(b);
    fx_rmdir(dir);
}

/* --- bf02: sharing between processes --------------------------------------------- */

/* bf02-1.1: a run of separate processes is throttled like one client:
 * one process drains a 1 WCU table and exits; the next finds it empty. */
static void
bf02_1_successive_processes(void **state)
{
    (void)state;
    char *dir = fx_mkdtemp();
    struct throttle_table t = table("22222222-0000-0000-0000-000000000001", 1, clock_real_ms());
    for (int i = 0; i < 2; i++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            struct clock clk;
            struct throttle *th = open_shared(dir, &clk);
            int code = th && put(th, &t) == (i == 0 ? KV_OK : KV_PROVISIONED_THROUGHPUT_EXCEEDED)
                           ? 0
                           : 1;
            throttle_close(th);
            _exit(code);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    fx_rmdir(dir);
}

/* Write as fast as admitted until `until_ms`; report the count on fd. */
static void
hammer(const char *dir, const struct throttle_table *t, int64_t until_ms, int fd)
{
    struct clock clk;
    struct throttle *th = open_shared(dir, &clk);
    long n = th ? 0 : -1;
    while (th && clock_real_ms() < until_ms)
        if (put(th, t) == KV_OK)
            n++;
    throttle_close(th);
    if (write(fd, &n, sizeof n) != (ssize_t)sizeof n)
        _exit(2);
    _exit(0);
}

/* bf02-1.2: two processes hammering one 10 WCU table together get 10 WCU,
 * not 20: what they were admitted fits what the bucket held at creation
 * plus what flowed in since (one unit of slack for timing). */
static void
bf02_2_conservation(void **state)
{
    (void)state;
    char *dir = fx_mkdtemp();
    int64_t start = clock_real_ms();
    struct throttle_table t = table("22222222-0000-0000-0000-000000000002", 10, start);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t kids[2];
    for (int i = 0; i < 2; i++) {
        kids[i] = fork();
        assert_true(kids[i] >= 0);
        if (kids[i] == 0)
            hammer(dir, &t, start + 1500, fds[1]);
    }
    long total = 0;
    for (int i = 0; i < 2; i++) {
        long n;
        int status;
        assert_int_equal(read(fds[0], &n, sizeof n), sizeof n);
        assert_true(n >= 0);
        total += n;
        assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    int64_t elapsed = clock_real_ms() - start;
    long bound = 10 + (long)(10 * elapsed / 1000) + 1;
    print_message("two processes: %ld writes in %lld ms (bound %ld)\n", total,
                  (long long)elapsed, bound);
    assert_true(total <= bound);
    assert_true(total >= 10); /* the first second's capacity at least */
    close(fds[0]);
    close(fds[1]);
    fx_rmdir(dir);
}

/* --- bf02-1.3: exact counts without the lock, between processes --------------- */

#define COUNTERS 3   /* processes */
#define COUNTER_THREADS 2
#define COUNTER_READS 20000

struct counter_arg {
    struct throttle *th;
    const struct throttle_table *t;
    long failed;      /* calls that did not return KV_OK */
    uint64_t unlocked;
};

/* Reads charged 1 to 3 half-units (admitted at 1, settled), every fifth
 * refunded; see counted_reads and counted_units. */
static void *
counter_thread(void *p)
{
    struct counter_arg *a = p;
    struct throttle_read r = {a->t, METRICS_OP_GET_ITEM, NULL, false, 0, 1};
    for (int i = 0; i < COUNTER_READS; i++) {
        struct throttle_ticket tk = {0};
        struct kv_err err;
        err_init(&err);
        if (throttle_read_admit(a->th, &r, &tk, &err) != KV_OK) {
            a->failed++;
            err_clear(&err);
            continue;
        }
        throttle_read_settle(a->th, &tk, (uint64_t)(i % 3 + 1));
        if (i % 5 == 4)
            throttle_refund(a->th, &tk);
    }
    a->unlocked = throttle_unlocked_count();
    return NULL;
}

static uint64_t
counted_reads(void)
{
    return COUNTER_READS - COUNTER_READS / 5;
}

static uint64_t
counted_units(void)
{
    uint64_t u = 0;
    for (int i = 0; i < COUNTER_READS; i++)
        if (i % 5 != 4)
            u += (uint64_t)(i % 3 + 1);
    return u;
}

/* A child: its threads count reads; it reports failures, and whether its
 * unlimited handle's threads counted without the lock, on fd. */
static void
counter_process(const char *dir, const struct throttle_table *t, bool unlimited, int fd)
{
    struct clock clk;
    struct throttle *th = open_shared_as(dir, &clk, unlimited);
    struct counter_arg args[COUNTER_THREADS];
    pthread_t tids[COUNTER_THREADS];
    long report[2] = {th ? 0 : -1, 0};
    for (int i = 0; th && i < COUNTER_THREADS; i++) {
        args[i] = (struct counter_arg){th, t, 0, 0};
        if (pthread_create(&tids[i], NULL, counter_thread, &args[i]) != 0)
            _exit(3);
    }
    for (int i = 0; th && i < COUNTER_THREADS; i++) {
        pthread_join(tids[i], NULL);
        report[0] += args[i].failed;
        report[1] += args[i].unlocked > 0;
    }
    throttle_close(th);
    if (write(fd, report, sizeof report) != (ssize_t)sizeof report)
        _exit(2);
    _exit(0);
}

/* bf02-1.3: processes of unlimited handles count without the lock, one
 * process of an enforced handle with the lock, all at once on one table:
 * the shared metrics hold exactly every unit and request. */
static void
bf02_3_exact_counts(void **state)
{
    (void)state;
    char *dir = fx_mkdtemp();
    struct throttle_table t = table("22222222-0000-0000-0000-000000000003", 1, clock_real_ms());
    t.rcu = 1000000; /* the enforced process is never throttled */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t kids[COUNTERS];
    for (int i = 0; i < COUNTERS; i++) {
        kids[i] = fork();
        assert_true(kids[i] >= 0);
        if (kids[i] == 0)
            counter_process(dir, &t, i > 0, fds[1]);
    }
    long unlocked_threads = 0;
    for (int i = 0; i < COUNTERS; i++) {
        long report[2];
        int status;
        assert_int_equal(read(fds[0], report, sizeof report), sizeof report);
        assert_int_equal(report[0], 0);
        unlocked_threads += report[1];
        assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    /* every thread of the unlimited processes took the cheap path */
    assert_int_equal(unlocked_threads, (COUNTERS - 1) * COUNTER_THREADS);
    struct clock clk;
    struct throttle *th = open_shared(dir, &clk);
    assert_non_null(th);
    static struct metrics_point pts[METRICS_MINUTES];
    size_t n;
    struct kv_err err;
    err_init(&err);
    assert_int_equal(throttle_metrics(th, &t, NULL, MM_CONSUMED_READ, -1, 0, INT64_MAX, pts, &n,
                                      &err),
                     KV_OK);
    uint64_t units = 0, reads = 0;
    for (size_t i = 0; i < n; i++) {
        units += pts[i].value;
        reads += pts[i].samples;
    }
    uint64_t per_thread_units = counted_units(), per_thread_reads = counted_reads();
    assert_int_equal(units, COUNTERS * COUNTER_THREADS * per_thread_units);
    assert_int_equal(reads, COUNTERS * COUNTER_THREADS * per_thread_reads);
    throttle_close(th);
    close(fds[0]);
    close(fds[1]);
    fx_rmdir(dir);
}

/* --- bf03: a process dies holding the lock ----------------------------------------- */

/* A child that opens the file, takes the lock, says so on fd, and waits to
 * be killed. */
static pid_t
lock_and_wait(const char *dir, int fd)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    struct clock clk;
    struct kv_err err;
    err_init(&err);
    struct throttle *th = open_shared(dir, &clk);
    if (!th || bucketfile_lock(throttle_bucketfile(th), clock_real_ms(), &err) != KV_OK)
        _exit(1);
    char c = 'L';
    if (write(fd, &c, 1) != 1)
        _exit(2);
    for (;;)
        pause();
}

static void
kill_holder(pid_t pid, int fd)
{
    char c;
    assert_int_equal(read(fd, &c, 1), 1);
    assert_int_equal(c, 'L');
    assert_int_equal(kill(pid, SIGKILL), 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* bf03-1.1: a holder killed with SIGKILL: the next locker recovers the
 * lock (EOWNERDEAD), repairs, and goes on.  An alarm turns a hang into a
 * failure instead of a stuck test. */
static void
bf03_1_killed_holder(void **state)
{
    (void)state;
    char *dir = fx_mkdtemp();
    struct clock clk;
    struct throttle *th = open_shared(dir, &clk);
    assert_non_null(th);
    struct throttle_table t = table("22222222-0000-0000-0000-000000000003", 10, clock_real_ms());
    assert_int_equal(put(th, &t), KV_OK);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    kill_holder(lock_and_wait(dir, fds[1]), fds[0]);
    alarm(20);
    assert_int_equal(put(th, &t), KV_OK);
    alarm(0);
    assert_int_equal(bucketfile_recoveries(throttle_bucketfile(th)), 1);
    assert_int_equal(put(th, &t), KV_OK);
    throttle_close(th);
    close(fds[0]);
    close(fds[1]);
    fx_rmdir(dir);
}

/* bf03-1.2: the holder was the only user: the next process to open the
 * file is alone and makes a fresh lock (as after a reboot, when robust
 * recovery cannot see the dead owner), keeping the buckets. */
static void
bf03_2_killed_sole_user(void **state)
{
    (void)state;
    char *dir = fx_mkdtemp();
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    kill_holder(lock_and_wait(dir, fds[1]), fds[0]);
    struct clock clk;
    alarm(20);
    struct throttle *th = open_shared(dir, &clk);
    assert_non_null(th);
    struct throttle_table t = table("22222222-0000-0000-0000-000000000004", 1, clock_real_ms());
    assert_int_equal(put(th, &t), KV_OK);
    assert_int_equal(put(th, &t), KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    alarm(0);
    throttle_close(th);
    close(fds[0]);
    close(fds[1]);
    fx_rmdir(dir);
}

/* --- bf04: incompatible and damaged files -------------------------------------------- */

/* bf04-1.1: another layout: refused while in use, rebuilt when alone. */
static void
bf04_1_layout_mismatch(void **state)
{
    (void)state;
    char *dir = fx_mkdtemp();
    struct kv_err err;
    err_init(&err);
    struct bucketfile *a = open_small(dir, 1, &err);
    assert_non_null(a);
    assert_null(open_small(dir, 2, &err));
    assert_int_equal(err.status, KV_IO);
    assert_string_equal(err_message(&err), "the capacity state file capacity.map is in use by "
                                            "an incompatible version of libkv");
    err_clear(&err);
    bucketfile_close(a);
    struct bucketfile *b = open_small(dir, 2, &err);
    assert_non_null(b);
    assert_int_equal(bucketfile_slot_count(b), 0);
    bucketfile_close(b);
    fx_rmdir(dir);
}

/* bf04-1.2: a file full of garbage, and a slot with an impossible state,
 * are repaired by the only user. */
static void
bf04_2_garbage(void **state)
{
    (void)state;
    char *dir = fx_mkdtemp();
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, BUCKETFILE_NAME);
    FILE *fp = fopen(path, "w");
    for (int i = 0; i < 100000; i++)
        fputc((i * 7919) & 0xff, fp);
    fclose(fp);
    struct kv_err err;
    err_init(&err);
    struct bucketfile *bf = open_small(dir, 1, &err);
    assert_non_null(bf);
    assert_int_equal(bucketfile_lock(bf, 0, &err), KV_OK);
    struct small *s = claim(bf, "k", 1, 1);
    atomic_store(&s->hdr.state, 77);
    bucketfile_unlock(bf);
    bucketfile_close(bf);
    bf = open_small(dir, 1, &err);
    assert_non_null(bf);
    assert_int_equal(bucketfile_lock(bf, 0, &err), KV_OK);
    assert_null(find(bf, "k"));
    assert_int_equal(bucketfile_slot_count(bf), 1);
    claim(bf, "k2", 1, 2); /* the freed slot is reused */
    assert_int_equal(bucketfile_slot_count(bf), 1);
    bucketfile_unlock(bf);
    bucketfile_close(bf);
    fx_rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bf01_1_slots),
        cmocka_unit_test(bf01_2_two_handles),
        cmocka_unit_test(bf01_3_pins),
        cmocka_unit_test(bf02_1_successive_processes),
        cmocka_unit_test(bf02_2_conservation),
        cmocka_unit_test(bf02_3_exact_counts),
        cmocka_unit_test(bf03_1_killed_holder),
        cmocka_unit_test(bf03_2_killed_sole_user),
        cmocka_unit_test(bf04_1_layout_mismatch),
        cmocka_unit_test(bf04_2_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
