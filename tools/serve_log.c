/*
 * serve_log.c -- writing the access log (format in serve_log.h).
 *
 * The table, the capacity and the exception are read back from the
 * request and response bodies, so the log shows exactly what the client
 * sent and got.  That costs a JSON parse of each body, which is only paid
 * when the log is on.
 */
#include "serve_log.h"

#include <jansson.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Longest table field logged; batch requests may name many tables. */
#define TABLE_FIELD_MAX 512

struct serve_log {
    FILE *f;
    int owned; /* not standard output */
    pthread_mutex_t lock;
};

struct serve_log *
serve_log_open(const char *path, char *err, size_t errlen)
{
    struct serve_log *log = calloc(1, sizeof *log);
    if (!log) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (strcmp(path, "-") == 0) {
        log->f = stdout;
    } else {
        log->f = fopen(path, "a");
        log->owned = 1;
        if (!log->f) {
            snprintf(err, errlen, "%s", strerror(errno));
            free(log);
            return NULL;
        }
    }
    pthread_mutex_init(&log->lock, NULL);
    return log;
}

void
serve_log_close(struct serve_log *log)
{
    if (!log)
        return;
    if (log->owned)
        fclose(log->f);
    else
        fflush(log->f);
    pthread_mutex_destroy(&log->lock);
    free(log);
}

/* Append @p name to the comma-separated @p out unless already there. */
static void
add_table(char *out, size_t size, const char *name)
{
    size_t n = strlen(name), len = strlen(out);
    for (const char *p = out; *p;) {
        size_t seg = strcspn(p, ",");
        if (seg == n && strncmp(p, name, n) == 0)
            return;
        p += seg + (p[seg] == ',');
    }
    if (len + n + 2 > size)
        return;
    if (len)
        out[len++] = ',';
    memcpy(out + len, name, n + 1);
}

/* TableName, or the tables a batch or transaction names. */
static void
find_tables(json_t *req, char *out, size_t size)
{
    json_t *v = json_object_get(req, "TableName");
    if (json_is_string(v)) {
        add_table(out, size, json_string_value(v));
        return;
    }
    const char *name;
    json_object_foreach(json_object_get(req, "RequestItems"), name, v)
        add_table(out, size, name);
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(req, "TransactItems"), i, item) {
        const char *kind;
        json_t *action;
        json_object_foreach(item, kind, action) {
            json_t *t = json_object_get(action, "TableName");
            if (json_is_string(t))
                add_table(out, size, json_string_value(t));
        }
    }
}

/* CapacityUnits of ConsumedCapacity, summed over tables; -1 when absent. */
static double
find_capacity(json_t *resp)
{
    json_t *cc = json_object_get(resp, "ConsumedCapacity");
    if (json_is_object(cc))
        return json_number_value(json_object_get(cc, "CapacityUnits"));
    if (!json_is_array(cc))
        return -1;
    double sum = 0;
    size_t i;
    json_t *one;
    json_array_foreach(cc, i, one)
        sum += json_number_value(json_object_get(one, "CapacityUnits"));
    return sum;
}

/* The exception name after '#' in __type; "" when none. */
static void
find_exception(json_t *resp, char *out, size_t size)
{
    const char *type = json_string_value(json_object_get(resp, "__type"));
    const char *hash = type ? strrchr(type, '#') : NULL;
    snprintf(out, size, "%s", hash ? hash + 1 : type ? type : "");
}

static void
format_time(double t, char out[32])
{
    time_t secs = (time_t)t;
    struct tm tm;
    gmtime_r(&secs, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    int ms = (int)((t - (double)secs) * 1000);
    snprintf(out, 32, "%s.%03dZ", base, ms < 0 ? 0 : ms > 999 ? 999 : ms);
}

size_t
serve_log_format(const struct serve_log_entry *e, char *buf, size_t size)
{
    char tables[TABLE_FIELD_MAX] = "", exception[128] = "", when[32], capacity[32] = "-";
    if (e->operation && e->request) {
        json_t *req = json_loadb(e->request, e->request_len, 0, NULL);
        find_tables(req, tables, sizeof tables);
        json_decref(req);
    }
    json_t *resp = e->response ? json_loadb(e->response, e->response_len, 0, NULL) : NULL;
    if (resp) {
        double units = find_capacity(resp);
        if (units >= 0)
            snprintf(capacity, sizeof capacity, "%g", units);
        if (e->status != 200)
            find_exception(resp, exception, sizeof exception);
        json_decref(resp);
    }
    format_time(e->time, when);
    int n = snprintf(buf, size, "%s %s %s %s %u %s %s %.3f %s\n", when, e->client ? e->client : "-",
                     e->operation ? e->operation : "-", *tables ? tables : "-", e->status,
                     *exception ? exception : "-", capacity, e->latency_ms,
                     e->request_id ? e->request_id : "-");
    if (n < 0)
        return 0;
    return (size_t)n < size ? (size_t)n : size - 1;
}

void
serve_log_write(struct serve_log *log, const struct serve_log_entry *e)
{
    if (!log)
        return;
    char line[1024];
    size_t n = serve_log_format(e, line, sizeof line);
    if (n > 0 && line[n - 1] != '\n')
        line[n - 1] = '\n';
    pthread_mutex_lock(&log->lock);
    fwrite(line, 1, n, log->f);
    fflush(log->f);
    pthread_mutex_unlock(&log->lock);
}
