/*
 * test_bucketfile.c -- the shared capacity file: slots claimed, found,
 * dropped and evicted; state shared by handles and by processes; capacity
 * conserved when two processes hammer one table at once; a process killed
 * while holding the lock wedges no one; a file of another layout or full
 * of garbage is rebuilt by its only user and refused otherwise.
 *
 * The shared file is used only with the real clock, so the cases that need
 * it run in real time, kept to a few seconds, and assert only what real
 * time makes certain: conservation bounds, not exact counts.
 */
#include "fixture.h"
#include "bucketfile.h"
#include "clock.h"
#include "err.h"
#include "throttle.h"

#include <signal.h>
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
open_shared(const char *dir, struct clock *clk)
{
    struct kv_err err;
    struct throttle *th;
    err_init(&err);
    clock_init_real(clk);
    struct throttle_options o = {dir, clk, 0, false, 0600};
    if (throttle_open(&o, &th, &err) != KV_OK) {
        fprintf(stderr, "open: %s\n", err_message(&err));
        return NULL;
    }
    return th;
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
        cmocka_unit_test(bf02_1_successive_processes),
        cmocka_unit_test(bf02_2_conservation),
        cmocka_unit_test(bf03_1_killed_holder),
        cmocka_unit_test(bf03_2_killed_sole_user),
        cmocka_unit_test(bf04_1_layout_mismatch),
        cmocka_unit_test(bf04_2_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
