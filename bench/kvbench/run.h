/*
 * run.h -- one measurement, in a child process of its own.
 */
#ifndef KVBENCH_RUN_H
#define KVBENCH_RUN_H

#include "bench.h"

struct measure {
    enum workload w;
    unsigned threads;
    unsigned warm_ms;   /* run this long before counting */
    unsigned time_ms;   /* then count for this long (at least one op) ... */
    uint64_t fixed_ops; /* ... or, when not 0, exactly this many ops (all threads) */
};

struct result {
    int ok;
    uint64_t ops;         /* operations counted */
    uint64_t items;       /* items they read or wrote */
    double seconds;
    long maxrss_kb;       /* peak resident set of the child */
    long anon_warm_kb;    /* anonymous resident memory after the warm-up */
    long anon_end_kb;     /* and at the end */
};

/* Create dir's database and load s->n_items items into it (in a child). */
int run_load(const struct engine *e, const char *dir, const struct setup *s);

/* Measure m on the database in dir, opened as v (in a child). */
int run_measure(const struct engine *e, const char *dir, const struct setup *s,
                const struct variant *v, const struct measure *m, struct result *out);

/* Seconds on the monotonic clock. */
double now_s(void);

#endif
