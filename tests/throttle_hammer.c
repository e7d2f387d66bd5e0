/*
 * throttle_hammer.c -- write to one table through the capacity module as
 * fast as it admits, for a number of real seconds, and print how many
 * writes were admitted.  tools/throttle_share.sh runs two at once to show
 * that processes share a table's capacity.
 *
 * usage: throttle_hammer DIR SECONDS WCU CREATED_MS
 *
 * Every process given the same DIR, WCU and CREATED_MS charges the same
 * table (a fixed TableId), created at CREATED_MS (milliseconds since the
 * epoch), with bursting off.  Once PutItem charges capacity, `kv put-item`
 * in a loop does the same job.
 */
#include "clock.h"
#include "err.h"
#include "throttle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s DIR SECONDS WCU CREATED_MS\n", argv[0]);
        return 2;
    }
    int64_t seconds = strtoll(argv[2], NULL, 10);
    struct throttle_table t;
    memset(&t, 0, sizeof t);
    t.id = "33333333-0000-4000-8000-000000000001";
    t.name = "Hammered";
    t.billing = KV_PROVISIONED;
    t.rcu = 1;
    t.wcu = strtoll(argv[3], NULL, 10);
    t.created_ms = t.changed_ms = strtoll(argv[4], NULL, 10);

    struct clock clk;
    struct throttle *th;
    struct kv_err err;
    err_init(&err);
    clock_init_real(&clk);
    struct throttle_options o = {argv[1], &clk, 0, false, 0600};
    if (throttle_open(&o, &th, &err) != KV_OK) {
        fprintf(stderr, "%s\n", err_message(&err));
        return 1;
    }
    int64_t until = t.created_ms + seconds * 1000;
    long admitted = 0;
    while (clock_real_ms() < until) {
        struct throttle_ticket tk = {0};
        struct throttle_write w = {&t, METRICS_OP_PUT_ITEM, 2, 1, NULL, 0};
        if (throttle_write_admit(th, &w, &tk, &err) == KV_OK)
            admitted++;
        err_clear(&err);
    }
    throttle_close(th);
    printf("%ld\n", admitted);
    return 0;
}
