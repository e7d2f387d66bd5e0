/*
 * run.c -- loading and measuring, each in a child process.
 *
 * The parent never opens a database: LMDB environments must not cross
 * fork(), and a child per measurement gives each its own peak resident
 * set (ru_maxrss).  The child sends its result back through a pipe.
 */
#include "run.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* RssAnon of this process in KB (file-backed pages, such as LMDB's map,
 * are left out: they are the page cache's, not the process's). */
static long
rss_anon_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "RssAnon: %ld", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

/* Run fn(arg) in a child; the child writes `size` bytes of result to the
 * pipe and exits 0.  Returns 0 when the child succeeded. */
static int
in_child(int (*fn)(void *arg, void *res), void *arg, void *res, size_t size)
{
    int fd[2];
    if (pipe(fd))
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(fd[0]);
        int rc = fn(arg, res);
        if (rc == 0 && write(fd[1], res, size) != (ssize_t)size)
            rc = 1;
        fflush(NULL);
        _exit(rc ? 1 : 0);
    }
    close(fd[1]);
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd[0], (char *)res + got, size - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd[0]);
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return got == size ? 0 : -1;
}

struct load_args {
    const struct engine *e;
    const char *dir;
    const struct setup *s;
};

static int
load_child(void *arg, void *res)
{
    struct load_args *a = arg;
    struct variant v = {.json = false, .capacity = false, .sync = false};
    void *h = a->e->open(a->dir, a->s, &v, true);
    if (!h)
        return -1;
    int rc = a->e->load(h, a->s->n_items);
    a->e->close(h);
    *(int *)res = rc;
    return rc;
}

int
run_load(const struct engine *e, const char *dir, const struct setup *s)
{
    struct load_args a = {e, dir, s};
    int res = -1;
    return in_child(load_child, &a, &res, sizeof res);
}

struct measure_args {
    const struct engine *e;
    const struct measure *m;
    void *h;
    pthread_barrier_t warm, start;
    atomic_uint_fast64_t remaining; /* fixed_ops: ops left to hand out */
    double deadline;
    atomic_int failed;
    atomic_uint_fast64_t ops, items;
    long anon_warm_kb;
    unsigned seq;
    pthread_mutex_t lock;
};

static void *
worker(void *arg)
{
    struct measure_args *a = arg;
    const struct measure *m = a->m;
    pthread_mutex_lock(&a->lock);
    uint64_t rnd = 0x9E3779B97F4A7C15ull * (++a->seq) + 12345;
    pthread_mutex_unlock(&a->lock);
    void *ctx = a->e->thread_begin(a->h);
    if (!ctx)
        atomic_store(&a->failed, 1);
    double warm_end = now_s() + m->warm_ms / 1000.0;
    while (ctx && !atomic_load(&a->failed) && now_s() < warm_end)
        if (a->e->op(ctx, m->w, rng_next(&rnd)) < 0)
            atomic_store(&a->failed, 1);
    pthread_barrier_wait(&a->warm);
    pthread_barrier_wait(&a->start);
    uint64_t ops = 0, items = 0;
    while (ctx && !atomic_load(&a->failed)) {
        if (m->fixed_ops) {
            uint64_t left = atomic_load(&a->remaining);
            do {
                if (left == 0)
                    break;
            } while (!atomic_compare_exchange_weak(&a->remaining, &left, left - 1));
            if (left == 0)
                break;
        } else if (ops > 0 && now_s() >= a->deadline) {
            break;
        }
        int64_t n = a->e->op(ctx, m->w, rng_next(&rnd));
        if (n < 0) {
            atomic_store(&a->failed, 1);
            break;
        }
        ops++;
        items += (uint64_t)n;
    }
    atomic_fetch_add(&a->ops, ops);
    atomic_fetch_add(&a->items, items);
    if (ctx)
        a->e->thread_end(ctx);
    return NULL;
}

struct child_args {
    const struct engine *e;
    const char *dir;
    const struct setup *s;
    const struct variant *v;
    const struct measure *m;
};

static int
measure_child(void *arg, void *res)
{
    struct child_args *c = arg;
    struct result *r = res;
    memset(r, 0, sizeof *r);
    struct measure_args a;
    memset(&a, 0, sizeof a);
    a.e = c->e;
    a.m = c->m;
    if (!(a.h = c->e->open(c->dir, c->s, c->v, false)))
        return -1;
    unsigned n = c->m->threads ? c->m->threads : 1;
    pthread_barrier_init(&a.warm, NULL, n + 1);
    pthread_barrier_init(&a.start, NULL, n + 1);
    pthread_mutex_init(&a.lock, NULL);
    atomic_store(&a.remaining, c->m->fixed_ops);
    pthread_t *th = calloc(n, sizeof *th);
    if (!th)
        return -1;
    for (unsigned i = 0; i < n; i++)
        if (pthread_create(&th[i], NULL, worker, &a))
            return -1;
    pthread_barrier_wait(&a.warm);
    r->anon_warm_kb = rss_anon_kb();
    double t0 = now_s();
    a.deadline = t0 + c->m->time_ms / 1000.0;
    pthread_barrier_wait(&a.start);
    for (unsigned i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    r->seconds = now_s() - t0;
    r->anon_end_kb = rss_anon_kb();
    free(th);
    c->e->close(a.h);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    r->maxrss_kb = ru.ru_maxrss;
    r->ops = atomic_load(&a.ops);
    r->items = atomic_load(&a.items);
    r->ok = !atomic_load(&a.failed);
    return r->ok ? 0 : -1;
}

int
run_measure(const struct engine *e, const char *dir, const struct setup *s,
            const struct variant *v, const struct measure *m, struct result *out)
{
    struct child_args c = {e, dir, s, v, m};
    return in_child(measure_child, &c, out, sizeof *out);
}
