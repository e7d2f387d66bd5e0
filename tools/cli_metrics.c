/*
 * cli_metrics.c -- kv metrics: a table's or global index's CloudWatch
 * metrics, minute by minute, for people (and as JSON for scripts).
 *
 *     kv metrics TABLE [--index NAME] [--since DURATION | --start T --end T]
 *                      [--metric NAME] [--operation OP] [--ascii]
 *
 * Every figure comes from kv_metric_get, one call per metric (and per
 * operation for ThrottledRequests), over whole minutes of the last 24
 * hours (cli_when.c chooses them).  The text form has two parts: one line
 * per metric with its sum, its busiest minute and a sparkline of the
 * window (cli_spark.c), then a table of the minutes that saw requests or
 * throttles.  Metrics that cannot have data here (the per-reason throttle
 * events that never happened, provisioned throughput of an on-demand
 * table) are left out of the text, never out of --output json, whose
 * shape is fixed: every metric, with its data points as CloudWatch gives
 * them.
 */
#include "cli.h"
#include "cli_grid.h"
#include "cli_json.h"
#include "cli_spark.h"
#include "cli_when.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What a metric counts decides how it is summed and shown. */
enum metric_kind {
    MK_CONSUMED,    /* capacity units */
    MK_PROVISIONED, /* a level in effect, not a count: no sum */
    MK_EVENTS,      /* throttle events */
    MK_REQUESTS,    /* ThrottledRequests: table only, per operation */
};

struct metric_def {
    const char *name;
    const char *column; /* its column in the minute table; NULL: summary only */
    enum metric_kind kind;
};

/* In the order CloudWatch's DynamoDB documentation lists them. */
static const struct metric_def metric_defs[] = {
    {"ConsumedReadCapacityUnits", "RCU", MK_CONSUMED},
    {"ConsumedWriteCapacityUnits", "WCU", MK_CONSUMED},
    {"ProvisionedReadCapacityUnits", "PROV RCU", MK_PROVISIONED},
    {"ProvisionedWriteCapacityUnits", "PROV WCU", MK_PROVISIONED},
    {"ReadThrottleEvents", "READ THR", MK_EVENTS},
    {"WriteThrottleEvents", "WRITE THR", MK_EVENTS},
    {"ThrottledRequests", "THR REQS", MK_REQUESTS},
    {"ReadProvisionedThroughputThrottleEvents", NULL, MK_EVENTS},
    {"ReadKeyRangeThroughputThrottleEvents", NULL, MK_EVENTS},
    {"ReadAccountLimitThrottleEvents", NULL, MK_EVENTS},
    {"ReadMaxOnDemandThroughputThrottleEvents", NULL, MK_EVENTS},
    {"WriteProvisionedThroughputThrottleEvents", NULL, MK_EVENTS},
    {"WriteKeyRangeThroughputThrottleEvents", NULL, MK_EVENTS},
    {"WriteAccountLimitThrottleEvents", NULL, MK_EVENTS},
    {"WriteMaxOnDemandThroughputThrottleEvents", NULL, MK_EVENTS},
};
#define N_METRICS (sizeof metric_defs / sizeof metric_defs[0])

/* ThrottledRequests' Operation dimension. */
static const char *const operations[] = {
    "BatchExecuteStatement", "BatchGetItem",     "BatchWriteItem",     "DeleteItem",
    "ExecuteStatement",      "ExecuteTransaction", "GetItem",          "PutItem",
    "Query",                 "Scan",             "TransactGetItems",   "TransactWriteItems",
    "UpdateItem",
};
#define N_OPERATIONS (sizeof operations / sizeof operations[0])

struct metrics_opts {
    const char *table, *index, *metric, *operation;
    const char *since, *start, *end;
    bool ascii;
};

/* One metric (and operation) over the window, a slot per minute. */
struct series {
    const struct metric_def *def;
    const char *operation; /* ThrottledRequests of one operation; NULL: all */
    double *sum;
    double *samples;
    bool *present;
    size_t n_present;
    double total, peak;
};

struct view {
    const struct metrics_opts *o;
    struct when_window w;
    struct series *s;
    size_t n;
};

static const struct metric_def *
metric_def(const char *name)
{
    for (size_t i = 0; i < N_METRICS; i++)
        if (strcmp(metric_defs[i].name, name) == 0)
            return &metric_defs[i];
    return NULL;
}

static int
invalid(const char *option, const char *value, bool metric)
{
    const char *names[N_METRICS > N_OPERATIONS ? N_METRICS : N_OPERATIONS];
    size_t n = metric ? N_METRICS : N_OPERATIONS;
    for (size_t i = 0; i < n; i++)
        names[i] = metric ? metric_defs[i].name : operations[i];
    return cli_invalid_choice(option, value, names, n);
}

static int
check_opts(const struct metrics_opts *o)
{
    if (!o->table)
        return cli_usage_error("the following arguments are required: TABLE");
    if (o->metric && !metric_def(o->metric))
        return invalid("--metric", o->metric, true);
    bool op_known = false;
    for (size_t i = 0; o->operation && i < N_OPERATIONS; i++)
        op_known = op_known || strcmp(operations[i], o->operation) == 0;
    if (o->operation && !op_known)
        return invalid("--operation", o->operation, false);
    bool requests = !o->metric || strcmp(o->metric, "ThrottledRequests") == 0;
    if (o->operation && !requests)
        return cli_usage_error("argument --operation: only ThrottledRequests has an "
                               "operation dimension");
    if (o->index && (o->operation || (o->metric && requests)))
        return cli_usage_error("argument --index: ThrottledRequests is counted on the table, "
                               "not on its indexes");
    return 0;
}

static int
parse_opts(struct cli *cli, int argc, char **argv, struct metrics_opts *o)
{
    static const char *const valued[] = {"--index",  "--since",  "--start",
                                         "--end",    "--metric", "--operation"};
    memset(o, 0, sizeof *o);
    const char **slots[] = {&o->index, &o->since,  &o->start,
                            &o->end,   &o->metric, &o->operation};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int used = cli_global_option(cli, argc - i, argv + i);
        if (used < 0)
            return EXIT_USAGE;
        if (used > 0) {
            i += used - 1;
            continue;
        }
        if (!strcmp(a, "--ascii")) {
            o->ascii = true;
            continue;
        }
        size_t k = 0;
        while (k < sizeof valued / sizeof valued[0] && strcmp(a, valued[k]))
            k++;
        if (k < sizeof valued / sizeof valued[0]) {
            if (i + 1 >= argc)
                return cli_usage_error("argument %s: expected one argument", a);
            *slots[k] = argv[++i];
        } else if (!strncmp(a, "--", 2) || o->table) {
            return cli_usage_error("Unknown options: %s", a);
        } else {
            o->table = a;
        }
    }
    return check_opts(o);
}

/* "5", "0.5": halves are exact, nothing finer occurs. */
static void
fmt_number(double v, char *buf, size_t size)
{
    if (v == (double)(long long)v)
        snprintf(buf, size, "%lld", (long long)v);
    else
        snprintf(buf, size, "%.1f", v);
}

/* --- reading ------------------------------------------------------------- */

static struct series *
add_series(struct view *v, const struct metric_def *def, const char *operation)
{
    struct series *grown = realloc(v->s, (v->n + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    v->s = grown;
    struct series *s = &v->s[v->n];
    memset(s, 0, sizeof *s);
    s->def = def;
    s->operation = operation;
    size_t m = v->w.minutes;
    s->sum = calloc(m, sizeof *s->sum);
    s->samples = calloc(m, sizeof *s->samples);
    s->present = calloc(m, sizeof *s->present);
    v->n++;
    return s->sum && s->samples && s->present ? s : NULL;
}

static void
view_free(struct view *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->s[i].sum);
        free(v->s[i].samples);
        free(v->s[i].present);
    }
    free(v->s);
}

/* Fill a series from kv_metric_get; returns a kv_status. */
static kv_status
fetch(kv_db *db, const struct view *v, struct series *s)
{
    kv_metric_datum *d = NULL;
    size_t count = 0;
    kv_status st = kv_metric_get(db, v->o->table, v->o->index, s->def->name, s->operation,
                                 v->w.start_ms, v->w.end_ms, &d, &count);
    for (size_t i = 0; st == KV_OK && i < count; i++) {
        int64_t at = d[i].timestamp_ms - v->w.start_ms;
        if (at < 0 || at / WHEN_MINUTE_MS >= (int64_t)v->w.minutes)
            continue;
        size_t m = (size_t)(at / WHEN_MINUTE_MS);
        s->sum[m] = d[i].sum;
        s->samples[m] = (double)d[i].sample_count;
        s->present[m] = true;
        s->n_present++;
        s->total += d[i].sum;
        if (d[i].sum > s->peak)
            s->peak = d[i].sum;
    }
    kv_free(d);
    return st;
}

/*
 * The series to show: the one metric asked for, or every metric the
 * table (or index) has; ThrottledRequests for the operation asked for,
 * or in all and then per operation, keeping the operations with data.
 */
static int
read_all(struct cli *cli, struct view *v)
{
    kv_db *db = cli_db(cli);
    if (!db)
        return cli->db_rc;
    const struct metrics_opts *o = v->o;
    for (size_t i = 0; i < N_METRICS; i++) {
        const struct metric_def *def = &metric_defs[i];
        if ((o->metric && strcmp(o->metric, def->name)) || (o->index && def->kind == MK_REQUESTS))
            continue;
        size_t n_ops = def->kind == MK_REQUESTS && !o->operation ? N_OPERATIONS : 0;
        for (size_t k = 0; k <= n_ops; k++) {
            const char *op = def->kind != MK_REQUESTS ? NULL
                             : k == 0                   ? o->operation
                                                        : operations[k - 1];
            struct series *s = add_series(v, def, op);
            if (!s) {
                fprintf(stderr, "\nkv metrics: out of memory\n");
                return 255;
            }
            kv_status st = fetch(db, v, s);
            if (st != KV_OK)
                return cli_api_error("metrics", db, st);
            if (k > 0 && s->n_present == 0) { /* an operation without data */
                v->n--;
                free(s->sum);
                free(s->samples);
                free(s->present);
            }
        }
    }
    return 0;
}

/* --- json ------------------------------------------------------------------ */

static json_t *
series_json(const struct view *v, const struct series *s)
{
    char when[40];
    json_t *points = json_array();
    for (size_t m = 0; m < v->w.minutes; m++) {
        if (!s->present[m])
            continue;
        when_iso_utc(v->w.start_ms + (int64_t)m * WHEN_MINUTE_MS, when, sizeof when);
        json_array_append_new(points, json_pack("{s:s, s:f, s:f, s:s}", "Timestamp", when, "Sum",
                                                s->sum[m], "SampleCount", s->samples[m],
                                                "Unit", "Count"));
    }
    json_t *j = json_pack("{s:s}", "MetricName", s->def->name);
    if (s->operation)
        json_object_set_new(j, "Operation", json_string(s->operation));
    json_object_set_new(j, "Datapoints", points);
    return j;
}

static void
print_json(const struct view *v)
{
    char start[40], end[40];
    when_iso_utc(v->w.start_ms, start, sizeof start);
    when_iso_utc(v->w.end_ms, end, sizeof end);
    json_t *j = json_pack("{s:s}", "TableName", v->o->table);
    if (v->o->index)
        json_object_set_new(j, "IndexName", json_string(v->o->index));
    json_object_set_new(j, "StartTime", json_string(start));
    json_object_set_new(j, "EndTime", json_string(end));
    json_object_set_new(j, "Period", json_integer(60));
    json_t *list = json_array();
    for (size_t i = 0; i < v->n; i++)
        json_array_append_new(list, series_json(v, &v->s[i]));
    json_object_set_new(j, "Metrics", list);
    cli_json_write(stdout, j, 4, false);
    putchar('\n');
    json_decref(j);
}

/* --- text ------------------------------------------------------------------- */

/* The core metrics, each a column of the minute table (ThrottledRequests
 * in all, or of the operation asked for). */
static bool
is_main(const struct view *v, const struct series *s)
{
    return s->def->column && s->operation == v->o->operation;
}

/* Whether a series belongs in the text: see the file comment. */
static bool
shown(const struct view *v, const struct series *s)
{
    if (v->o->metric)
        return true;
    if (s->def->kind == MK_PROVISIONED || !is_main(v, s))
        return s->n_present > 0;
    return true;
}

static void
series_label(const struct series *s, char *buf, size_t size)
{
    if (s->operation)
        snprintf(buf, size, "%s (%s)", s->def->name, s->operation);
    else
        snprintf(buf, size, "%s", s->def->name);
}

/* Minutes per sparkline character, so that the summary fits `width`. */
static size_t
spark_step(const struct view *v, int width)
{
    size_t label = strlen("METRIC"), figures = 0;
    for (size_t i = 0; i < v->n; i++) {
        char text[160];
        series_label(&v->s[i], text, sizeof text);
        if (shown(v, &v->s[i]) && strlen(text) > label)
            label = strlen(text);
        fmt_number(v->s[i].total > v->s[i].peak ? v->s[i].total : v->s[i].peak, text,
                   sizeof text);
        if (strlen(text) > figures)
            figures = strlen(text);
    }
    figures = figures < 4 ? 4 : figures;
    long room = width > 0 ? width - (long)(label + 2 * figures + 6) : 120;
    if (room < 10)
        room = 10;
    return (v->w.minutes + (size_t)room - 1) / (size_t)room;
}

static void
print_summary(const struct view *v, int width, bool unicode)
{
    size_t step = spark_step(v, width);
    char header[48];
    if (step == 1)
        snprintf(header, sizeof header, "PER MINUTE");
    else
        snprintf(header, sizeof header, "PER %zu MINUTES", step);
    const char *headers[] = {"METRIC", "SUM", "PEAK", header};
    struct grid *g = grid_new(4, headers);
    for (size_t i = 0; i < v->n; i++) {
        const struct series *s = &v->s[i];
        if (!shown(v, s))
            continue;
        char label[160], sum[32], peak[32];
        series_label(s, label, sizeof label);
        fmt_number(s->total, sum, sizeof sum);
        fmt_number(s->peak, peak, sizeof peak);
        char *spark = spark_render(s->sum, s->present, v->w.minutes, step, unicode);
        const char *cells[] = {label, s->def->kind == MK_PROVISIONED ? "-" : sum, peak, spark};
        grid_add(g, cells);
        free(spark);
    }
    grid_print(stdout, g, width);
    grid_free(g);
}

/* The minute table of one metric: each minute with data. */
static size_t
print_one(const struct view *v, const struct series *s, int width, bool dates)
{
    static const char *const headers[] = {"MINUTE", "SUM", "SAMPLES"};
    struct grid *g = grid_new(3, headers);
    size_t rows = 0;
    for (size_t m = 0; m < v->w.minutes; m++) {
        if (!s->present[m])
            continue;
        char when[32], sum[32], samples[32];
        when_local(v->w.start_ms + (int64_t)m * WHEN_MINUTE_MS, dates, when, sizeof when);
        fmt_number(s->sum[m], sum, sizeof sum);
        fmt_number(s->samples[m], samples, sizeof samples);
        const char *cells[] = {when, sum, samples};
        grid_add(g, cells);
        rows++;
    }
    if (rows)
        grid_print(stdout, g, width);
    grid_free(g);
    return rows;
}

/* The minute table of the main metrics: each minute with requests or throttles. */
static size_t
print_minutes(const struct view *v, int width, bool dates)
{
    const struct series *cols[N_METRICS];
    const char *headers[N_METRICS + 1] = {"MINUTE"};
    size_t n = 0, rows = 0;
    for (size_t i = 0; i < v->n; i++) {
        const struct series *s = &v->s[i];
        if (is_main(v, s) && shown(v, s)) {
            headers[n + 1] = s->def->column;
            cols[n++] = s;
        }
    }
    struct grid *g = grid_new(n + 1, headers);
    for (size_t m = 0; m < v->w.minutes; m++) {
        bool active = false;
        for (size_t c = 0; c < n; c++)
            active = active || (cols[c]->def->kind != MK_PROVISIONED && cols[c]->present[m]);
        if (!active)
            continue;
        char text[N_METRICS + 1][32];
        const char *cells[N_METRICS + 1];
        when_local(v->w.start_ms + (int64_t)m * WHEN_MINUTE_MS, dates, text[0], sizeof text[0]);
        cells[0] = text[0];
        for (size_t c = 0; c < n; c++) {
            if (cols[c]->present[m])
                fmt_number(cols[c]->sum[m], text[c + 1], sizeof text[c + 1]);
            else
                snprintf(text[c + 1], sizeof text[c + 1], "%s",
                         cols[c]->def->kind == MK_PROVISIONED ? "-" : "0");
            cells[c + 1] = text[c + 1];
        }
        grid_add(g, cells);
        rows++;
    }
    if (rows)
        grid_print(stdout, g, width);
    grid_free(g);
    return rows;
}

static void
print_text(const struct view *v, bool ascii)
{
    int width = grid_terminal_width();
    bool unicode = width > 0 && !ascii && spark_utf8_locale();
    int64_t last = v->w.end_ms - WHEN_MINUTE_MS;
    bool one_day = when_same_day(v->w.start_ms, last);
    char from[32], to[32];
    when_local(v->w.start_ms, true, from, sizeof from);
    when_local(last, !one_day, to, sizeof to);
    printf("%s%s%s: %zu minute%s, %s to %s (local time)\n\n", v->o->table,
           v->o->index ? " index " : "", v->o->index ? v->o->index : "", v->w.minutes,
           v->w.minutes == 1 ? "" : "s", from, to);
    print_summary(v, width, unicode);
    putchar('\n');
    /* On a terminal the minutes of one day show as HH:MM; scripts get dates. */
    bool dates = width == 0 || !one_day;
    size_t rows = v->o->metric ? print_one(v, &v->s[0], width, dates)
                               : print_minutes(v, width, dates);
    if (!rows)
        printf(v->o->metric ? "No data in these minutes.\n"
                            : "No requests or throttles in these minutes.\n");
}

/* --- the command ------------------------------------------------------------- */

/* A local index has no capacity of its own: say so rather than "not found". */
static int
check_index(struct cli *cli, const struct metrics_opts *o)
{
    json_t *req = json_pack("{s:s}", "TableName", o->table), *resp;
    int rc = cli_call_op(cli, "DescribeTable", req, &resp);
    json_decref(req);
    if (rc)
        return rc;
    size_t i;
    json_t *ix;
    json_array_foreach(json_object_get(json_object_get(resp, "Table"), "LocalSecondaryIndexes"),
                       i, ix)
    {
        if (o->index && !strcmp(json_string_value(json_object_get(ix, "IndexName")), o->index))
            rc = cli_usage_error("argument --index: %s is a local secondary index: it spends "
                                 "the table's capacity (kv metrics %s)",
                                 o->index, o->table);
    }
    json_decref(resp);
    return rc;
}

int
cli_cmd_metrics(struct cli *cli, int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return cli_help_command("metrics") ? 0 : EXIT_USAGE;
    struct metrics_opts o;
    struct view v = {&o, {0, 0, 0}, NULL, 0};
    int rc = parse_opts(cli, argc, argv, &o);
    if (rc)
        return rc;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    const char *bad = when_window(o.since, o.start, o.end, now, &v.w);
    if (bad)
        return cli_usage_error("%s", bad);
    if (!(rc = check_index(cli, &o)) && !(rc = read_all(cli, &v))) {
        if (cli->output_set && cli->output == OUTPUT_JSON)
            print_json(&v);
        else
            print_text(&v, o.ascii);
    }
    view_free(&v);
    return rc;
}
