/*
 * main.c -- kv-bench: libkv against raw LMDB; see bench.h.
 *
 * Sections (--sections):
 *   matrix   every workload on every item size and index count, typed and
 *            JSON, capacity enforced and unlimited: ops/s against raw LMDB
 *   scaling  GetItem, PutItem and Query at growing table sizes
 *   memory   anonymous resident memory after a warm-up and after many ops
 *   threads  GetItem and Query with one and two reader threads
 *   group    synced PutItem from one thread and from many
 *
 * Each figure is the median of --repeat runs; a ratio is the median of the
 * per-run ratios, libkv and raw LMDB being measured one after the other in
 * each run.  Results are Markdown tables on standard output; progress goes
 * to standard error.
 */
#include "run.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LIST 8
#define MAX_REPEAT 15

struct opts {
    bool sections[5];
    bool workloads[WL_COUNT];
    size_t sizes[MAX_LIST];
    size_t n_sizes;
    unsigned gsis[MAX_LIST];
    size_t n_gsis;
    bool api[2];      /* [0] typed, [1] JSON */
    bool capacity[2]; /* [0] off, [1] on */
    uint64_t items;
    uint64_t scale[MAX_LIST];
    size_t n_scale;
    unsigned time_ms, warm_ms, sync_time_ms;
    unsigned repeat;
    uint64_t memory_ops;
    unsigned writers;
    char dir[4096];
    bool keep;
};

enum section { SEC_MATRIX, SEC_SCALING, SEC_MEMORY, SEC_THREADS, SEC_GROUP };
static const char *const section_names[] = {"matrix", "scaling", "memory", "threads", "group"};
static const char *const workload_flags[WL_COUNT] = {"put-sync", "put", "get", "update",
                                                     "query", "scan", "batch"};

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: kv-bench [options]\n"
            "  --quick              a tiny run of every section (seconds), for testing\n"
            "  --sections LIST      matrix,scaling,memory,threads,group (default all)\n"
            "  --workloads LIST     put-sync,put,get,update,query,scan,batch (default all)\n"
            "  --sizes LIST         item sizes in bytes (default 100,1024,10240)\n"
            "  --gsis LIST          global index counts (default 0,1,2)\n"
            "  --api LIST           typed,json (default both)\n"
            "  --capacity LIST      on,off (default both)\n"
            "  --items N            items in the matrix's tables (default 10000)\n"
            "  --scale LIST         table sizes for scaling (default 10000,1000000)\n"
            "  --scale-10m          add 10,000,000 items to the scaling section\n"
            "  --time-ms N          measure each figure this long (default 300)\n"
            "  --sync-time-ms N     the same for synced writes (default 1000)\n"
            "  --warm-ms N          warm up this long first (default 100)\n"
            "  --repeat N           runs per figure, medians reported (default 3)\n"
            "  --memory-ops N       operations of the memory section (default 1000000)\n"
            "  --writers N          threads of the group section (default 16)\n"
            "  --dir DIR            where the databases go (default a new directory\n"
            "                       under $TMPDIR, removed at the end)\n"
            "  --keep               keep the databases\n");
}

static int
split(const char *arg, char out[MAX_LIST][32])
{
    int n = 0;
    const char *p = arg;
    while (*p && n < MAX_LIST) {
        size_t len = strcspn(p, ",");
        if (len >= 32)
            return -1;
        memcpy(out[n], p, len);
        out[n][len] = '\0';
        n++;
        p += len;
        if (*p == ',')
            p++;
    }
    return *p ? -1 : n;
}

static bool
parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return false;
    *out = v;
    return true;
}

static void
set_quick(struct opts *o)
{
    o->n_sizes = 1;
    o->sizes[0] = 100;
    o->n_gsis = 1;
    o->gsis[0] = 1;
    o->items = 300;
    o->n_scale = 1;
    o->scale[0] = 500;
    o->time_ms = 10;
    o->sync_time_ms = 10;
    o->warm_ms = 2;
    o->repeat = 1;
    o->memory_ops = 2000;
    o->writers = 4;
}

static int
parse(int argc, char **argv, struct opts *o)
{
    memset(o, 0, sizeof *o);
    for (int s = 0; s < 5; s++)
        o->sections[s] = true;
    for (int w = 0; w < WL_COUNT; w++)
        o->workloads[w] = true;
    o->sizes[0] = 100, o->sizes[1] = 1024, o->sizes[2] = 10240, o->n_sizes = 3;
    o->gsis[0] = 0, o->gsis[1] = 1, o->gsis[2] = 2, o->n_gsis = 3;
    o->api[0] = o->api[1] = true;
    o->capacity[0] = o->capacity[1] = true;
    o->items = 10000;
    o->scale[0] = 10000, o->scale[1] = 1000000, o->n_scale = 2;
    o->time_ms = 300, o->sync_time_ms = 1000, o->warm_ms = 100;
    o->repeat = 3;
    o->memory_ops = 1000000;
    o->writers = 16;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char list[MAX_LIST][32];
        int n = 0;
        uint64_t u = 0;
        bool takes = strcmp(a, "--quick") && strcmp(a, "--scale-10m") && strcmp(a, "--keep") &&
                     strcmp(a, "--help") && strcmp(a, "-h");
        if (takes && !v) {
            fprintf(stderr, "kv-bench: %s needs a value\n", a);
            return -1;
        }
        if (takes)
            i++;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--quick")) {
            set_quick(o);
        } else if (!strcmp(a, "--scale-10m")) {
            if (o->n_scale < MAX_LIST)
                o->scale[o->n_scale++] = 10000000;
        } else if (!strcmp(a, "--keep")) {
            o->keep = true;
        } else if (!strcmp(a, "--dir")) {
            snprintf(o->dir, sizeof o->dir, "%s", v);
        } else if ((n = split(v, list)) < 0) {
            fprintf(stderr, "kv-bench: bad list for %s: %s\n", a, v);
            return -1;
        } else if (!strcmp(a, "--sections") || !strcmp(a, "--workloads")) {
            bool sec = !strcmp(a, "--sections");
            bool *set = sec ? o->sections : o->workloads;
            const char *const *names = sec ? section_names : workload_flags;
            int count = sec ? 5 : WL_COUNT;
            memset(set, 0, (size_t)count * sizeof *set);
            for (int j = 0; j < n; j++) {
                int k = 0;
                while (k < count && strcmp(list[j], names[k]))
                    k++;
                if (k == count) {
                    fprintf(stderr, "kv-bench: unknown name for %s: %s\n", a, list[j]);
                    return -1;
                }
                set[k] = true;
            }
        } else if (!strcmp(a, "--api") || !strcmp(a, "--capacity")) {
            bool api = !strcmp(a, "--api");
            bool *set = api ? o->api : o->capacity;
            set[0] = set[1] = false;
            for (int j = 0; j < n; j++) {
                if (!strcmp(list[j], api ? "typed" : "off"))
                    set[0] = true;
                else if (!strcmp(list[j], api ? "json" : "on"))
                    set[1] = true;
                else {
                    fprintf(stderr, "kv-bench: unknown name for %s: %s\n", a, list[j]);
                    return -1;
                }
            }
        } else if (!strcmp(a, "--sizes") || !strcmp(a, "--gsis") || !strcmp(a, "--scale")) {
            for (int j = 0; j < n; j++) {
                if (!parse_u64(list[j], &u) || (!strcmp(a, "--gsis") && u > 2) ||
                    (strcmp(a, "--gsis") && (u == 0 || u > 300000000))) {
                    fprintf(stderr, "kv-bench: bad value for %s: %s\n", a, list[j]);
                    return -1;
                }
                if (!strcmp(a, "--sizes"))
                    o->sizes[j] = u;
                else if (!strcmp(a, "--gsis"))
                    o->gsis[j] = (unsigned)u;
                else
                    o->scale[j] = u;
            }
            if (!strcmp(a, "--sizes"))
                o->n_sizes = (size_t)n;
            else if (!strcmp(a, "--gsis"))
                o->n_gsis = (size_t)n;
            else
                o->n_scale = (size_t)n;
        } else if (n != 1 || !parse_u64(list[0], &u) || u > 1000000000) {
            fprintf(stderr, "kv-bench: bad value for %s: %s\n", a, v);
            return -1;
        } else if (!strcmp(a, "--items") && u >= BATCH_SIZE + 1) {
            o->items = u;
        } else if (!strcmp(a, "--time-ms") && u > 0) {
            o->time_ms = (unsigned)u;
        } else if (!strcmp(a, "--sync-time-ms") && u > 0) {
            o->sync_time_ms = (unsigned)u;
        } else if (!strcmp(a, "--warm-ms")) {
            o->warm_ms = (unsigned)u;
        } else if (!strcmp(a, "--repeat") && u > 0 && u <= MAX_REPEAT) {
            o->repeat = (unsigned)u;
        } else if (!strcmp(a, "--memory-ops") && u > 0) {
            o->memory_ops = u;
        } else if (!strcmp(a, "--writers") && u > 0 && u <= 256) {
            o->writers = (unsigned)u;
        } else {
            fprintf(stderr, "kv-bench: unknown option or bad value: %s\n", a);
            usage(stderr);
            return -1;
        }
    }
    return 0;
}

/* --- helpers --- */

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double
median(double *v, unsigned n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void
rm_tree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const struct opts *g_opt;

static void
db_dir(char *out, size_t cap, const char *engine, const struct setup *s)
{
    snprintf(out, cap, "%s/%s-%llu-%zu-%u", g_opt->dir, engine, (unsigned long long)s->n_items,
             s->item_size, s->gsis);
}

/* Load both engines' databases for s. */
static int
load_both(const struct setup *s, char *kvdir, char *rawdir, size_t cap)
{
    db_dir(kvdir, cap, "kv", s);
    db_dir(rawdir, cap, "raw", s);
    rm_tree(kvdir);
    rm_tree(rawdir);
    if (mkdir(kvdir, 0700) || mkdir(rawdir, 0700)) {
        fprintf(stderr, "kv-bench: cannot create %s: %s\n", kvdir, strerror(errno));
        return -1;
    }
    fprintf(stderr, "loading %llu items of %zu B, %u GSIs...\n", (unsigned long long)s->n_items,
            s->item_size, s->gsis);
    double t0 = now_s();
    if (run_load(&engine_kv, kvdir, s)) {
        fprintf(stderr, "kv-bench: loading libkv failed\n");
        return -1;
    }
    double t1 = now_s();
    if (run_load(&engine_raw, rawdir, s)) {
        fprintf(stderr, "kv-bench: loading raw LMDB failed\n");
        return -1;
    }
    fprintf(stderr, "  loaded: libkv %.1f s, raw %.1f s\n", t1 - t0, now_s() - t1);
    return 0;
}

static void
drop_both(const char *kvdir, const char *rawdir)
{
    if (!g_opt->keep) {
        rm_tree(kvdir);
        rm_tree(rawdir);
    }
}

/* One figure: ops/s (items/s when `items`), peak RSS in MB. */
struct figure {
    double rate[MAX_REPEAT];
    double rss[MAX_REPEAT];
};

static int
measure_once(const struct engine *e, const char *dir, const struct setup *s,
             const struct variant *v, const struct measure *m, bool items, double *rate,
             double *rss_mb)
{
    struct result r;
    if (run_measure(e, dir, s, v, m, &r) || !r.ok) {
        fprintf(stderr, "kv-bench: %s %s failed\n", e->name, workload_name(m->w));
        return -1;
    }
    *rate = (double)(items ? r.items : r.ops) / r.seconds;
    *rss_mb = (double)r.maxrss_kb / 1024.0;
    return 0;
}

static unsigned
time_for(enum workload w)
{
    return w == WL_PUT_SYNC ? g_opt->sync_time_ms : g_opt->time_ms;
}

/* --- matrix --- */

/* The medians of one row of the matrix. */
struct row {
    bool done, unsupported;
    double kv, raw, ratio, kv_rss, raw_rss;
};

static int
matrix_cell(const struct setup *s, const char *kvdir, const char *rawdir, enum workload w,
            struct row rows[2][2])
{
    const struct opts *o = g_opt;
    bool items = w == WL_SCAN;
    struct measure m = {w, 1, o->warm_ms, time_for(w), 0};
    struct variant rv = {false, false, w == WL_PUT_SYNC};
    struct figure raw, kv[2][2];
    double ratio[2][2][MAX_REPEAT];
    memset(&raw, 0, sizeof raw);
    memset(kv, 0, sizeof kv);
    fprintf(stderr, "%s, %zu B, %u GSIs\n", workload_name(w), s->item_size, s->gsis);
    for (unsigned r = 0; r < o->repeat; r++) {
        if (measure_once(&engine_raw, rawdir, s, &rv, &m, items, &raw.rate[r], &raw.rss[r]))
            return -1;
        for (int api = 0; api < 2; api++)
            for (int cap = 1; cap >= 0; cap--) {
                struct variant v = {api == 1, cap == 1, w == WL_PUT_SYNC};
                if (!o->api[api] || !o->capacity[cap] || !engine_kv.supports(&v, w))
                    continue;
                if (measure_once(&engine_kv, kvdir, s, &v, &m, items, &kv[api][cap].rate[r],
                                 &kv[api][cap].rss[r]))
                    return -1;
                ratio[api][cap][r] = kv[api][cap].rate[r] / raw.rate[r];
            }
    }
    double raw_rate = median(raw.rate, o->repeat), raw_rss = median(raw.rss, o->repeat);
    for (int api = 0; api < 2; api++)
        for (int cap = 0; cap < 2; cap++) {
            struct variant v = {api == 1, cap == 1, w == WL_PUT_SYNC};
            struct row *row = &rows[api][cap];
            if (!o->api[api] || !o->capacity[cap])
                continue;
            row->done = true;
            row->raw = raw_rate;
            row->raw_rss = raw_rss;
            if (!engine_kv.supports(&v, w)) {
                row->unsupported = true;
                continue;
            }
            row->kv = median(kv[api][cap].rate, o->repeat);
            row->ratio = median(ratio[api][cap], o->repeat);
            row->kv_rss = median(kv[api][cap].rss, o->repeat);
        }
    return 0;
}

static int
section_matrix(void)
{
    const struct opts *o = g_opt;
    char kvdir[4200], rawdir[4200];
    size_t n = o->n_sizes * o->n_gsis;
    struct row(*rows)[WL_COUNT][2][2] = calloc(n, sizeof *rows);
    if (!rows)
        return -1;
    /* Load each table once and run every workload on it; print by workload. */
    for (size_t si = 0; si < o->n_sizes; si++)
        for (size_t gi = 0; gi < o->n_gsis; gi++) {
            struct setup s = {o->items, o->sizes[si], o->gsis[gi]};
            if (load_both(&s, kvdir, rawdir, sizeof kvdir))
                goto fail;
            for (int w = 0; w < WL_COUNT; w++)
                if (o->workloads[w] &&
                    matrix_cell(&s, kvdir, rawdir, (enum workload)w, rows[si * o->n_gsis + gi][w]))
                    goto fail;
            drop_both(kvdir, rawdir);
        }
    for (int w = 0; w < WL_COUNT; w++) {
        if (!o->workloads[w])
            continue;
        printf("\n### %s\n\n", workload_name((enum workload)w));
        printf("%s; peak RSS in MB.\n\n",
               w == WL_SCAN ? "Items per second" : "Operations per second");
        printf("| Item | GSIs | API | Capacity | libkv | raw LMDB | libkv/raw | libkv RSS | raw RSS |\n");
        printf("| ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (size_t si = 0; si < o->n_sizes; si++)
            for (size_t gi = 0; gi < o->n_gsis; gi++)
                for (int api = 0; api < 2; api++)
                    for (int cap = 1; cap >= 0; cap--) {
                        const struct row *r = &rows[si * o->n_gsis + gi][w][api][cap];
                        if (!r->done)
                            continue;
                        if (r->unsupported)
                            printf("| %zu | %u | typed | %s | (no typed call) | %.0f | | | %.1f |\n",
                                   o->sizes[si], o->gsis[gi], cap ? "on" : "off", r->raw,
                                   r->raw_rss);
                        else
                            printf("| %zu | %u | %s | %s | %.0f | %.0f | %.2f | %.1f | %.1f |\n",
                                   o->sizes[si], o->gsis[gi], api ? "JSON" : "typed",
                                   cap ? "on" : "off", r->kv, r->raw, r->ratio, r->kv_rss,
                                   r->raw_rss);
                    }
    }
    fflush(stdout);
    free(rows);
    return 0;
fail:
    free(rows);
    return -1;
}

/* --- scaling --- */

static int
section_scaling(void)
{
    const struct opts *o = g_opt;
    static const enum workload wl[] = {WL_GET, WL_PUT, WL_QUERY};
    char kvdir[4200], rawdir[4200];
    printf("\n### Scaling with table size\n\n");
    printf("100 B items, no GSIs, capacity enforced; GetItem and PutItem (no sync) typed, "
           "Query (100 items) through JSON.  Microseconds per operation.\n\n");
    printf("| Items | Workload | libkv µs/op | raw LMDB µs/op | libkv/raw (ops/s) |\n");
    printf("| ---: | --- | ---: | ---: | ---: |\n");
    fflush(stdout);
    for (size_t i = 0; i < o->n_scale; i++) {
        struct setup s = {o->scale[i], 100, 0};
        if (load_both(&s, kvdir, rawdir, sizeof kvdir))
            return -1;
        for (size_t j = 0; j < sizeof wl / sizeof wl[0]; j++) {
            struct measure m = {wl[j], 1, o->warm_ms, o->time_ms, 0};
            struct variant v = {wl[j] == WL_QUERY, true, false}, rv = {false, false, false};
            double kr[MAX_REPEAT], rr[MAX_REPEAT], ratio[MAX_REPEAT], rss;
            for (unsigned r = 0; r < o->repeat; r++) {
                if (measure_once(&engine_raw, rawdir, &s, &rv, &m, false, &rr[r], &rss) ||
                    measure_once(&engine_kv, kvdir, &s, &v, &m, false, &kr[r], &rss))
                    return -1;
                ratio[r] = kr[r] / rr[r];
            }
            printf("| %llu | %s | %.2f | %.2f | %.2f |\n", (unsigned long long)s.n_items,
                   workload_name(wl[j]), 1e6 / median(kr, o->repeat),
                   1e6 / median(rr, o->repeat), median(ratio, o->repeat));
            fflush(stdout);
        }
        drop_both(kvdir, rawdir);
    }
    return 0;
}

/* --- memory --- */

static int
section_memory(void)
{
    const struct opts *o = g_opt;
    static const struct {
        enum workload w;
        bool json;
    } wl[] = {{WL_GET, false}, {WL_PUT, false}, {WL_UPDATE, false}, {WL_GET, true},
              {WL_PUT, true},  {WL_QUERY, true}, {WL_BATCH, false}};
    char kvdir[4200], rawdir[4200];
    struct setup s = {o->items, 100, 1};
    if (load_both(&s, kvdir, rawdir, sizeof kvdir))
        return -1;
    printf("\n### Memory\n\n");
    printf("libkv, %llu items of 100 B, one GSI, capacity unlimited.  Anonymous resident "
           "memory (RssAnon: the memory map of the database is left out) after a warm-up "
           "and after %llu more operations (Query: requests returning that many items; "
           "BatchWriteItem: batches writing that many), and the peak resident set (ru_maxrss, "
           "map included).\n\n",
           (unsigned long long)s.n_items, (unsigned long long)o->memory_ops);
    printf("| Workload | API | Operations | RssAnon after warm-up (KB) | RssAnon after (KB) | "
           "Growth (KB) | Peak RSS (MB) |\n");
    printf("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (size_t j = 0; j < sizeof wl / sizeof wl[0]; j++) {
        /* Query and BatchWriteItem count items, not requests. */
        uint64_t ops = wl[j].w == WL_QUERY   ? o->memory_ops / ITEMS_PER_PARTITION
                       : wl[j].w == WL_BATCH ? o->memory_ops / BATCH_SIZE
                                             : o->memory_ops;
        struct measure m = {wl[j].w, 1, o->warm_ms * 5, 0, ops ? ops : 1};
        /* Capacity unlimited: batches of 25 items of one partition key at
         * full speed go past DynamoDB's 1,000 write units a second per key,
         * and this section measures memory, not admission. */
        struct variant v = {wl[j].json, false, false};
        struct result r;
        fprintf(stderr, "memory: %s %s\n", workload_name(m.w), v.json ? "JSON" : "typed");
        if (run_measure(&engine_kv, kvdir, &s, &v, &m, &r) || !r.ok) {
            fprintf(stderr, "kv-bench: memory %s failed\n", workload_name(m.w));
            return -1;
        }
        printf("| %s | %s | %llu | %ld | %ld | %ld | %.1f |\n", workload_name(m.w),
               v.json ? "JSON" : "typed", (unsigned long long)r.ops, r.anon_warm_kb,
               r.anon_end_kb, r.anon_end_kb - r.anon_warm_kb, (double)r.maxrss_kb / 1024.0);
        fflush(stdout);
    }
    drop_both(kvdir, rawdir);
    return 0;
}

/* --- threads and group commit --- */

/* Rows for w at each thread count; the counts are measured one after the
 * other within each run, so "vs 1 thread" compares neighbours in time. */
static int
threads_rows(const struct setup *s, const char *kvdir, const char *rawdir, enum workload w,
             const unsigned *counts, size_t n_counts, bool json)
{
    const struct opts *o = g_opt;
    double kr[4][MAX_REPEAT], rr[4][MAX_REPEAT], ratio[4][MAX_REPEAT], gain[4][MAX_REPEAT], rss;
    for (unsigned r = 0; r < o->repeat; r++)
        for (size_t i = 0; i < n_counts && i < 4; i++) {
            struct measure m = {w, counts[i], o->warm_ms, time_for(w), 0};
            struct variant v = {json, true, w == WL_PUT_SYNC};
            struct variant rv = {false, false, w == WL_PUT_SYNC};
            fprintf(stderr, "%s, %u threads\n", workload_name(w), counts[i]);
            if (measure_once(&engine_raw, rawdir, s, &rv, &m, false, &rr[i][r], &rss) ||
                measure_once(&engine_kv, kvdir, s, &v, &m, false, &kr[i][r], &rss))
                return -1;
            ratio[i][r] = kr[i][r] / rr[i][r];
            gain[i][r] = kr[i][r] / kr[0][r];
        }
    for (size_t i = 0; i < n_counts && i < 4; i++) {
        printf("| %s | %s | %u | %.0f | %.0f | %.2f | %.2fx |\n", workload_name(w),
               json ? "JSON" : "typed", counts[i], median(kr[i], o->repeat),
               median(rr[i], o->repeat), median(ratio[i], o->repeat), median(gain[i], o->repeat));
    }
    fflush(stdout);
    return 0;
}

static int
section_threads(bool group)
{
    const struct opts *o = g_opt;
    char kvdir[4200], rawdir[4200];
    struct setup s = {o->items, 100, 0};
    if (load_both(&s, kvdir, rawdir, sizeof kvdir))
        return -1;
    if (!group) {
        printf("\n### Reader threads\n\n");
        printf("%llu items of 100 B, no GSIs, capacity enforced; operations per second of "
               "all threads together.\n\n",
               (unsigned long long)s.n_items);
    } else {
        printf("\n### Synced writes from many threads\n\n");
        printf("PutItem of 100 B items, each synced to disk before it returns; %llu items, "
               "no GSIs, capacity enforced.  libkv commits concurrent writes together "
               "(group commit); raw LMDB runs one transaction per put.\n\n",
               (unsigned long long)s.n_items);
    }
    printf("| Workload | API | Threads | libkv ops/s | raw LMDB ops/s | libkv/raw | libkv vs 1 thread |\n");
    printf("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
    int rc;
    if (!group) {
        static const unsigned counts[] = {1, 2};
        rc = threads_rows(&s, kvdir, rawdir, WL_GET, counts, 2, false);
        if (rc == 0)
            rc = threads_rows(&s, kvdir, rawdir, WL_QUERY, counts, 2, true);
    } else {
        unsigned counts[] = {1, o->writers};
        rc = threads_rows(&s, kvdir, rawdir, WL_PUT_SYNC, counts, 2, false);
    }
    drop_both(kvdir, rawdir);
    return rc;
}

int
main(int argc, char **argv)
{
    struct opts o;
    if (parse(argc, argv, &o))
        return 2;
    g_opt = &o;
    bool made = false;
    if (!o.dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(o.dir, sizeof o.dir, "%s/kv-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(o.dir)) {
            fprintf(stderr, "kv-bench: cannot create a directory in %s: %s\n",
                    tmp && *tmp ? tmp : "/tmp", strerror(errno));
            return 1;
        }
        made = true;
    } else if (mkdir(o.dir, 0700) && errno != EEXIST) {
        fprintf(stderr, "kv-bench: cannot create %s: %s\n", o.dir, strerror(errno));
        return 1;
    }
    printf("## kv-bench: libkv against raw LMDB\n\n");
    printf("Median of %u runs; %u ms per figure (%u ms for synced writes) after %u ms of "
           "warm-up; matrix tables of %llu items.\n",
           o.repeat, o.time_ms, o.sync_time_ms, o.warm_ms, (unsigned long long)o.items);
    printf("libkv built with %s.\n", KVB_BUILD);
    int rc = 0;
    if (rc == 0 && o.sections[SEC_MATRIX])
        rc = section_matrix();
    if (rc == 0 && o.sections[SEC_SCALING])
        rc = section_scaling();
    if (rc == 0 && o.sections[SEC_MEMORY])
        rc = section_memory();
    if (rc == 0 && o.sections[SEC_THREADS])
        rc = section_threads(false);
    if (rc == 0 && o.sections[SEC_GROUP])
        rc = section_threads(true);
    if (made && !o.keep)
        rm_tree(o.dir);
    return rc ? 1 : 0;
}
