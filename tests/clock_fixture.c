/*
 * clock_fixture.c -- a database on a fake clock; see clock_fixture.h.
 */
#include "clock_fixture.h"
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char msg_table[] =
    "The level of configured provisioned throughput for the table was exceeded. Consider "
    "increasing your provisioning level with the UpdateTable API.";
const char msg_index[] =
    "The level of configured provisioned throughput for one or more global secondary indexes "
    "of the table was exceeded. Consider increasing your provisioning level for the "
    "under-provisioned global secondary indexes with the UpdateTable API";
const char msg_scaling[] =
    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically "
    "scaling your table or index so please try again shortly. If exceptions persist, check if "
    "you have a hot key: "
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html";

static int64_t
fake_now(void *arg)
{
    return ((struct tfx *)arg)->now;
}

static void
fake_sleep(void *arg, int64_t ms)
{
    ((struct tfx *)arg)->now += ms;
}

static uint64_t
fake_random(void *arg)
{
    struct tfx *f = arg;
    assert_true(f->n_jitter < sizeof f->jitter / sizeof f->jitter[0]);
    return f->jitter[f->n_jitter++];
}

void
tfx_open(struct tfx *f, int burst_seconds, bool retry)
{
    kv_options o;
    kv_options_default(&o);
    o.no_sync = 1;
    o.clock = &f->clk;
    o.burst_seconds = burst_seconds;
    if (retry)
        o.retry = &f->retry;
    assert_int_equal(kv_db_open(f->dir, &o, &f->db), KV_OK);
}

struct tfx *
tfx_new(int burst_seconds, bool retry)
{
    struct tfx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->dir = fx_mkdtemp();
    f->now = T0;
    f->clk = (kv_clock){fake_now, fake_sleep, f};
    kv_retry_policy_default(&f->retry);
    f->retry.random = fake_random;
    f->retry.random_arg = f;
    tfx_open(f, burst_seconds, retry);
    return f;
}

void
tfx_free(struct tfx *f)
{
    kv_db_close(f->db);
    fx_rmdir(f->dir);
    free(f);
}

void
tfx_create_table(struct tfx *f, int rcu, int wcu, int gsi_wcu)
{
    char json[1024], gsi[512] = "";
    if (gsi_wcu > 0)
        snprintf(gsi, sizeof gsi,
                 ",\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":["
                 "{\"AttributeName\":\"gk\",\"KeyType\":\"HASH\"}],\"Projection\":"
                 "{\"ProjectionType\":\"KEYS_ONLY\"},\"ProvisionedThroughput\":"
                 "{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":%d}}]",
                 gsi_wcu);
    snprintf(json, sizeof json,
             "{\"TableName\":\"Thr\",\"AttributeDefinitions\":["
             "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}%s],"
             "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
             "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":%d,\"WriteCapacityUnits\":%d}%s}",
             gsi_wcu > 0 ? ",{\"AttributeName\":\"gk\",\"AttributeType\":\"S\"}" : "", rcu, wcu,
             gsi);
    char *resp = NULL;
    kv_status st = kv_request(f->db, "CreateTable", json, strlen(json), &resp);
    if (st != KV_OK)
        fprintf(stderr, "CreateTable -> %s\n", resp ? resp : "");
    assert_int_equal(st, KV_OK);
    kv_free(resp);
}

double
tfx_metric_sum(struct tfx *f, const char *index, const char *metric, const char *op)
{
    kv_metric_datum *d = NULL;
    size_t n = 0;
    assert_int_equal(
        kv_metric_get(f->db, "Thr", index, metric, op, T0 - 60000, f->now + 60000, &d, &n), KV_OK);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += d[i].sum;
    kv_free(d);
    return sum;
}

void
tfx_assert_reasons(struct tfx *f, const char *want)
{
    size_t n;
    const kv_throttling_reason *r = kv_error_throttling_reasons(f->db, &n);
    char got[1024] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s %s", i ? ";" : "", r[i].reason,
                 r[i].resource);
    assert_string_equal(got, want);
}
