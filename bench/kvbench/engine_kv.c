/*
 * engine_kv.c -- the library, through its typed C API or kv_request.
 *
 * The table is "bench": partition key pk and sort key sk (strings), and
 * zero to two global secondary indexes (g1 and g2 as partition keys, sk as
 * sort key, KEYS_ONLY).  It is provisioned at 1,000,000 read and write
 * units (its indexes too), and runs on a fast clock (below), so
 * enforcement runs its whole admission path without ever throttling.  Any
 * failure, a throttle included, stops the run.
 */
#include "bench.h"

#include <kv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TABLE "bench"
#define RATE 1000000

struct kvb {
    kv_db *db;
    struct setup s;
    struct variant v;
    char *fill; /* the "data" string */
    size_t fill_len;
};

struct kvb_thread {
    struct kvb *k;
    char *req; /* a JSON request being built */
    size_t cap;
};

static int
fail(struct kvb *k, const char *what, kv_status st)
{
    fprintf(stderr, "libkv: %s: %s: %s\n", what, kv_status_name(st), kv_errmsg(k ? k->db : NULL));
    return -1;
}

static kv_status
create_table(struct kvb *k)
{
    kv_index_def ix[2] = {
        {.name = "g1", .global = 1, .hash_key = {"g1", KV_S}, .range_key = {"sk", KV_S},
         .projection = KV_PROJECT_KEYS_ONLY, .read_capacity = RATE, .write_capacity = RATE},
        {.name = "g2", .global = 1, .hash_key = {"g2", KV_S}, .range_key = {"sk", KV_S},
         .projection = KV_PROJECT_KEYS_ONLY, .read_capacity = RATE, .write_capacity = RATE},
    };
    kv_table_def def = {
        .name = TABLE,
        .hash_key = {"pk", KV_S},
        .range_key = {"sk", KV_S},
        .billing_mode = KV_PROVISIONED,
        .read_capacity = RATE,
        .write_capacity = RATE,
        .indexes = ix,
        .n_indexes = k->s.gsis,
    };
    return kv_table_create(k->db, &def, NULL);
}

/*
 * Capacity enforced runs on a clock 1,000 times faster than real time.
 * DynamoDB limits each partition key to 1,000 write units a second, which
 * writes of 10 KB items or batches at full speed pass on any table; on
 * this clock every bucket, the partition keys' included, refills a
 * thousand times faster, so admission runs its whole path and never
 * throttles.  (A handle on an injected clock keeps its buckets in its own
 * memory rather than in the file shared between processes.)
 */
static int64_t
fast_now(void *arg)
{
    (void)arg;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000) * 1000;
}

static const kv_clock fast_clock = {fast_now, NULL, NULL};

static void *
kvb_open(const char *dir, const struct setup *s, const struct variant *v, bool create)
{
    struct kvb *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->s = *s;
    k->v = *v;
    k->fill_len = data_fill_len(s->item_size);
    k->fill = data_fill_new(k->fill_len);
    kv_options opt;
    kv_options_default(&opt);
    opt.no_sync = !v->sync;
    opt.unlimited_capacity = !v->capacity;
    if (v->capacity)
        opt.clock = &fast_clock;
    kv_status st = kv_db_open(dir, &opt, &k->db);
    if (st != KV_OK) {
        fail(NULL, "opening", st);
        free(k->fill);
        free(k);
        return NULL;
    }
    if (create && (st = create_table(k)) != KV_OK) {
        fail(k, "creating the table", st);
        kv_db_close(k->db);
        free(k->fill);
        free(k);
        return NULL;
    }
    return k;
}

static void
kvb_close(void *e)
{
    struct kvb *k = e;
    kv_db_close(k->db);
    free(k->fill);
    free(k);
}

static void *
kvb_thread_begin(void *e)
{
    struct kvb *k = e;
    struct kvb_thread *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->k = k;
    /* Room for a batch of 25 items in JSON. */
    t->cap = BATCH_SIZE * (k->fill_len + 256) + 256;
    if (!(t->req = malloc(t->cap))) {
        free(t);
        return NULL;
    }
    return t;
}

static void
kvb_thread_end(void *ctx)
{
    struct kvb_thread *t = ctx;
    free(t->req);
    free(t);
}

/* --- the typed API --- */

static kv_item *
typed_item(struct kvb *k, uint64_t i)
{
    char pk[24], sk[24], g1[24], g2[24], n[24];
    data_pk(i, pk);
    data_sk(i, sk);
    data_g1(i, g1);
    data_g2(i, g2);
    snprintf(n, sizeof n, "%llu", (unsigned long long)(i % 1000));
    kv_item *it = kv_item_new();
    if (!it || kv_item_put_s(it, "pk", pk) || kv_item_put_s(it, "sk", sk) ||
        kv_item_put_s(it, "g1", g1) || kv_item_put_s(it, "g2", g2) ||
        kv_item_put_n(it, "n", n) || kv_item_put_s(it, "data", k->fill)) {
        kv_item_free(it);
        return NULL;
    }
    return it;
}

static kv_item *
typed_key(uint64_t i)
{
    char pk[24], sk[24];
    data_pk(i, pk);
    data_sk(i, sk);
    kv_item *key = kv_item_new();
    if (!key || kv_item_put_s(key, "pk", pk) || kv_item_put_s(key, "sk", sk)) {
        kv_item_free(key);
        return NULL;
    }
    return key;
}

static int64_t
typed_put(struct kvb *k, uint64_t i)
{
    kv_item *it = typed_item(k, i);
    if (!it)
        return fail(k, "building an item", KV_NOMEM);
    kv_status st = kv_put_item(k->db, TABLE, it, NULL, NULL);
    kv_item_free(it);
    return st == KV_OK ? 1 : fail(k, "PutItem", st);
}

static int64_t
typed_get(struct kvb *k, uint64_t i)
{
    kv_item *key = typed_key(i), *got = NULL;
    if (!key)
        return fail(k, "building a key", KV_NOMEM);
    kv_status st = kv_get_item(k->db, TABLE, key, NULL, &got);
    kv_item_free(key);
    if (st == KV_OK && !got) {
        fprintf(stderr, "libkv: GetItem found no item %llu\n", (unsigned long long)i);
        return -1;
    }
    kv_item_free(got);
    return st == KV_OK ? 1 : fail(k, "GetItem", st);
}

static int64_t
typed_update(struct kvb *k, uint64_t i)
{
    char n[24];
    snprintf(n, sizeof n, "%llu", (unsigned long long)i);
    kv_item *key = typed_key(i), *values = kv_item_new();
    kv_status st = KV_NOMEM;
    if (key && values && kv_item_put_n(values, ":v", n) == KV_OK) {
        kv_write_opts o = {.expr = {.values = values}};
        st = kv_update_item(k->db, TABLE, key, "SET n = :v", &o, NULL);
    }
    kv_item_free(key);
    kv_item_free(values);
    return st == KV_OK ? 1 : fail(k, "UpdateItem", st);
}

static int64_t
typed_batch(struct kvb *k, uint64_t start)
{
    kv_item *items[BATCH_SIZE] = {0};
    kv_write_request reqs[BATCH_SIZE];
    kv_status st = KV_OK;
    for (size_t j = 0; j < BATCH_SIZE; j++) {
        if (!(items[j] = typed_item(k, data_batch_item(&k->s, start, j))))
            st = KV_NOMEM;
        reqs[j] = (kv_write_request){KV_WRITE_PUT, items[j]};
    }
    kv_batch_write_table tab = {.table = TABLE, .requests = reqs, .n_requests = BATCH_SIZE};
    kv_batch_write_result *res = NULL;
    if (st == KV_OK)
        st = kv_batch_write(k->db, &tab, 1, &res);
    if (st == KV_OK && res->n_tables && res->tables[0].n_unprocessed) {
        fprintf(stderr, "libkv: BatchWriteItem left items unprocessed\n");
        st = KV_INTERNAL;
    }
    kv_batch_write_result_free(res);
    for (size_t j = 0; j < BATCH_SIZE; j++)
        kv_item_free(items[j]);
    return st == KV_OK ? BATCH_SIZE : fail(k, "BatchWriteItem", st);
}

static int64_t
typed_query(struct kvb *k, uint64_t part)
{
    char pk[24];
    data_pk(part * ITEMS_PER_PARTITION, pk);
    kv_item *values = kv_item_new();
    kv_read_result *res = NULL;
    kv_status st = KV_NOMEM;
    if (values && kv_item_put_s(values, ":p", pk) == KV_OK) {
        kv_read_opts o = {.values = values};
        st = kv_query(k->db, TABLE, "pk = :p", &o, &res);
    }
    int64_t count = st == KV_OK ? (int64_t)res->count : -1;
    kv_read_result_free(res);
    kv_item_free(values);
    return st == KV_OK ? count : fail(k, "Query", st);
}

static int64_t
typed_scan(struct kvb *k)
{
    kv_read_result *res = NULL;
    int64_t total = 0;
    for (;;) {
        /* The next page starts after the previous page's key. */
        kv_read_opts o = {.exclusive_start_key = res ? res->last_evaluated_key : NULL};
        kv_read_result *next = NULL;
        kv_status st = kv_scan(k->db, TABLE, &o, &next);
        kv_read_result_free(res);
        if (st != KV_OK)
            return fail(k, "Scan", st);
        res = next;
        total += (int64_t)res->count;
        if (!res->last_evaluated_key)
            break;
    }
    kv_read_result_free(res);
    return total;
}

/* --- the JSON request API --- */

static size_t
json_key(char *out, size_t cap, uint64_t i)
{
    char pk[24], sk[24];
    data_pk(i, pk);
    data_sk(i, sk);
    return (size_t)snprintf(out, cap, "{\"pk\":{\"S\":\"%s\"},\"sk\":{\"S\":\"%s\"}}", pk, sk);
}

static size_t
json_item(struct kvb *k, char *out, size_t cap, uint64_t i)
{
    char pk[24], sk[24], g1[24], g2[24];
    data_pk(i, pk);
    data_sk(i, sk);
    data_g1(i, g1);
    data_g2(i, g2);
    return (size_t)snprintf(out, cap,
                            "{\"pk\":{\"S\":\"%s\"},\"sk\":{\"S\":\"%s\"},\"g1\":{\"S\":\"%s\"},"
                            "\"g2\":{\"S\":\"%s\"},\"n\":{\"N\":\"%llu\"},\"data\":{\"S\":\"%s\"}}",
                            pk, sk, g1, g2, (unsigned long long)(i % 1000), k->fill);
}

/* Send t->req (len bytes); on success the response is given to *resp when
 * resp is not NULL, else freed. */
static int
request(struct kvb_thread *t, const char *op, size_t len, char **resp)
{
    char *r = NULL;
    kv_status st = kv_request(t->k->db, op, t->req, len, &r);
    if (st != KV_OK) {
        fprintf(stderr, "libkv: %s: %s\n", op, r ? r : kv_status_name(st));
        kv_free(r);
        return -1;
    }
    if (resp)
        *resp = r;
    else
        kv_free(r);
    return 0;
}

static int64_t
json_put(struct kvb_thread *t, uint64_t i)
{
    size_t n = (size_t)snprintf(t->req, t->cap, "{\"TableName\":\"" TABLE "\",\"Item\":");
    n += json_item(t->k, t->req + n, t->cap - n, i);
    n += (size_t)snprintf(t->req + n, t->cap - n, "}");
    return request(t, "PutItem", n, NULL) ? -1 : 1;
}

static int64_t
json_get(struct kvb_thread *t, uint64_t i)
{
    size_t n = (size_t)snprintf(t->req, t->cap, "{\"TableName\":\"" TABLE "\",\"Key\":");
    n += json_key(t->req + n, t->cap - n, i);
    n += (size_t)snprintf(t->req + n, t->cap - n, "}");
    char *resp;
    if (request(t, "GetItem", n, &resp))
        return -1;
    bool found = strstr(resp, "\"Item\"") != NULL;
    kv_free(resp);
    if (!found)
        fprintf(stderr, "libkv: GetItem found no item %llu\n", (unsigned long long)i);
    return found ? 1 : -1;
}

static int64_t
json_update(struct kvb_thread *t, uint64_t i)
{
    size_t n = (size_t)snprintf(t->req, t->cap, "{\"TableName\":\"" TABLE "\",\"Key\":");
    n += json_key(t->req + n, t->cap - n, i);
    n += (size_t)snprintf(t->req + n, t->cap - n,
                          ",\"UpdateExpression\":\"SET n = :v\","
                          "\"ExpressionAttributeValues\":{\":v\":{\"N\":\"%llu\"}}}",
                          (unsigned long long)i);
    return request(t, "UpdateItem", n, NULL) ? -1 : 1;
}

/* The "Count" of a Query or Scan response. */
static int64_t
count_of(const char *resp)
{
    const char *c = strstr(resp, "\"Count\":");
    return c ? strtoll(c + 8, NULL, 10) : -1;
}

static int64_t
json_query(struct kvb_thread *t, uint64_t part)
{
    char pk[24];
    data_pk(part * ITEMS_PER_PARTITION, pk);
    size_t n = (size_t)snprintf(t->req, t->cap,
                                "{\"TableName\":\"" TABLE "\",\"KeyConditionExpression\":\"pk = :p\","
                                "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"%s\"}}}",
                                pk);
    char *resp;
    if (request(t, "Query", n, &resp))
        return -1;
    int64_t count = count_of(resp);
    kv_free(resp);
    return count;
}

/* Copy the LastEvaluatedKey object of resp into out; false when there is
 * none.  Keys hold no braces inside strings, so braces can be counted. */
static bool
last_key(const char *resp, char *out, size_t cap)
{
    const char *p = strstr(resp, "\"LastEvaluatedKey\":");
    if (!p)
        return false;
    p = strchr(p, '{');
    int depth = 0;
    size_t n = 0;
    do {
        if (*p == '{')
            depth++;
        else if (*p == '}')
            depth--;
        if (n + 1 < cap)
            out[n++] = *p;
        p++;
    } while (depth > 0 && *p);
    out[n] = '\0';
    return true;
}

static int64_t
json_scan(struct kvb_thread *t)
{
    char start[512] = "";
    int64_t total = 0;
    for (;;) {
        size_t n = (size_t)snprintf(t->req, t->cap, "{\"TableName\":\"" TABLE "\"%s%s}",
                                    start[0] ? ",\"ExclusiveStartKey\":" : "", start);
        char *resp;
        if (request(t, "Scan", n, &resp))
            return -1;
        int64_t c = count_of(resp);
        bool more = last_key(resp, start, sizeof start);
        kv_free(resp);
        if (c < 0)
            return -1;
        total += c;
        if (!more)
            return total;
    }
}

static int64_t
json_batch(struct kvb_thread *t, uint64_t start)
{
    size_t n = (size_t)snprintf(t->req, t->cap, "{\"RequestItems\":{\"" TABLE "\":[");
    for (size_t j = 0; j < BATCH_SIZE; j++) {
        n += (size_t)snprintf(t->req + n, t->cap - n, "%s{\"PutRequest\":{\"Item\":",
                              j ? "," : "");
        n += json_item(t->k, t->req + n, t->cap - n, data_batch_item(&t->k->s, start, j));
        n += (size_t)snprintf(t->req + n, t->cap - n, "}}");
    }
    n += (size_t)snprintf(t->req + n, t->cap - n, "]}}");
    char *resp;
    if (request(t, "BatchWriteItem", n, &resp))
        return -1;
    bool all = strstr(resp, "\"UnprocessedItems\":{}") != NULL;
    kv_free(resp);
    if (!all)
        fprintf(stderr, "libkv: BatchWriteItem left items unprocessed\n");
    return all ? BATCH_SIZE : -1;
}

static int64_t
kvb_op(void *ctx, enum workload w, uint64_t r)
{
    struct kvb_thread *t = ctx;
    struct kvb *k = t->k;
    const struct setup *s = &k->s;
    bool json = k->v.json;
    switch (w) {
    case WL_PUT_SYNC:
    case WL_PUT:
        return json ? json_put(t, data_item(s, r)) : typed_put(k, data_item(s, r));
    case WL_GET:
        return json ? json_get(t, data_item(s, r)) : typed_get(k, data_item(s, r));
    case WL_UPDATE:
        return json ? json_update(t, data_item(s, r)) : typed_update(k, data_item(s, r));
    case WL_QUERY:
        return json ? json_query(t, data_partition(s, r)) : typed_query(k, data_partition(s, r));
    case WL_SCAN:
        return json ? json_scan(t) : typed_scan(k);
    case WL_BATCH:
        return json ? json_batch(t, data_batch_start(s, r)) : typed_batch(k, data_batch_start(s, r));
    default:
        return -1;
    }
}

static int
kvb_load(void *e, uint64_t n)
{
    struct kvb *k = e;
    for (uint64_t i = 0; i < n; i += BATCH_SIZE) {
        kv_item *items[BATCH_SIZE] = {0};
        kv_write_request reqs[BATCH_SIZE];
        size_t m = n - i < BATCH_SIZE ? (size_t)(n - i) : BATCH_SIZE;
        kv_status st = KV_OK;
        for (size_t j = 0; j < m; j++) {
            if (!(items[j] = typed_item(k, i + j)))
                st = KV_NOMEM;
            reqs[j] = (kv_write_request){KV_WRITE_PUT, items[j]};
        }
        kv_batch_write_table tab = {.table = TABLE, .requests = reqs, .n_requests = m};
        if (st == KV_OK)
            st = kv_batch_write(k->db, &tab, 1, NULL);
        for (size_t j = 0; j < m; j++)
            kv_item_free(items[j]);
        if (st != KV_OK)
            return fail(k, "loading", st);
    }
    return 0;
}

static bool
kvb_supports(const struct variant *v, enum workload w)
{
    (void)v;
    (void)w;
    return true;
}

const struct engine engine_kv = {
    .name = "libkv",
    .open = kvb_open,
    .close = kvb_close,
    .load = kvb_load,
    .thread_begin = kvb_thread_begin,
    .thread_end = kvb_thread_end,
    .op = kvb_op,
    .supports = kvb_supports,
};
