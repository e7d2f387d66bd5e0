/*
 * clock_fixture.h -- a database on a fake clock with table "Thr", shared by
 * the throttling tests: time moves only when a test moves it (f->now, in
 * milliseconds), and the retry policy's random draws come from f->jitter,
 * so every count, back-off and refill is exact and no test sleeps.
 */
#ifndef KV_TESTS_CLOCK_FIXTURE_H
#define KV_TESTS_CLOCK_FIXTURE_H

#include <kv.h>

#include <stdbool.h>
#include <stdint.h>

#define T0 1700000040000LL /* a minute boundary */
#define NS "com.amazonaws.dynamodb.v20120810#"
#define ARN "arn:aws:dynamodb:ddblocal:000000000000:table/"

/* DynamoDB's messages: a provisioned table, its global indexes, and any
 * other cause (partitions, on-demand limits). */
extern const char msg_table[];
extern const char msg_index[];
extern const char msg_scaling[];

struct tfx {
    char *dir;
    kv_db *db;
    int64_t now;
    kv_clock clk;
    kv_retry_policy retry;
    uint64_t jitter[16]; /* what the retry policy's random source returns */
    size_t n_jitter;
};

/* A new database at T0, not synced, with this burst window; with the retry
 * policy (f->retry) when `retry`.  Free with tfx_free. */
struct tfx *tfx_new(int burst_seconds, bool retry);

/* Open f's database again (after kv_db_close(f->db)). */
void tfx_open(struct tfx *f, int burst_seconds, bool retry);

void tfx_free(struct tfx *f);

/* Create table "Thr" keyed by pk (S), provisioned; with a KEYS_ONLY global
 * index "gsi" on gk (S) of 1 read unit and gsi_wcu write units when
 * gsi_wcu > 0. */
void tfx_create_table(struct tfx *f, int rcu, int wcu, int gsi_wcu);

/* The sum of a metric of Thr (or of its index) over the whole test. */
double tfx_metric_sum(struct tfx *f, const char *index, const char *metric, const char *op);

/* Assert the calling thread's last ThrottlingReasons, written as
 * "reason resource;reason resource". */
void tfx_assert_reasons(struct tfx *f, const char *want);

#endif
