/*
 * test_capacity_info.c -- kv_capacity_get: the capacity a table or global
 * secondary index has available now, read on a fake clock so every level
 * is exact, and read without changing anything.
 *
 * Sections: capinfo01 levels after writes and refill; capinfo02 burst;
 * capinfo03 global indexes and names; capinfo04 reads and debt;
 * capinfo05 on-demand; capinfo06 UpdateTable; capinfo07 read-only;
 * capinfo08 misuse.
 */
#include "fixture.h"
#include "bucketfile.h"
#include "db.h"
#include "err.h"
#include "throttle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1700000040000LL

struct cfx {
    char *dir;
    kv_db *db;
    int64_t now;
    kv_clock clk;
};

static int64_t
fake_now(void *arg)
{
    return ((struct cfx *)arg)->now;
}

static void
fake_sleep(void *arg, int64_t ms)
{
    ((struct cfx *)arg)->now += ms;
}

static struct cfx *
cfx_new(int burst_seconds, int unlimited)
{
    struct cfx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->dir = fx_mkdtemp();
    f->now = T0;
    f->clk = (kv_clock){fake_now, fake_sleep, f};
    kv_options o;
    kv_options_default(&o);
    o.no_sync = 1;
    o.clock = &f->clk;
    o.burst_seconds = burst_seconds;
    o.unlimited_capacity = unlimited;
    assert_int_equal(kv_db_open(f->dir, &o, &f->db), KV_OK);
    return f;
}

static void
cfx_free(struct cfx *f)
{
    kv_db_close(f->db);
    fx_rmdir(f->dir);
    free(f);
}

/*
 * Table "Cap" keyed by pk and sk (S), with a local index "lsi" on (pk, lk) and,
 * when gsi_wcu > 0, a global index "gsi" on gk with 5 RCU and gsi_wcu WCU.
 * rcu == 0 makes it on-demand.
 */
static void
create_table(struct cfx *f, int64_t rcu, int64_t wcu, int64_t gsi_wcu)
{
    kv_index_def ix[2] = {
        {.name = "lsi",
         .hash_key = {"pk", KV_S},
         .range_key = {"lk", KV_S},
         .projection = KV_PROJECT_KEYS_ONLY},
        {.name = "gsi",
         .global = 1,
         .hash_key = {"gk", KV_S},
         .projection = KV_PROJECT_ALL,
         .read_capacity = rcu ? 5 : 0,
         .write_capacity = rcu ? gsi_wcu : 0},
    };
    kv_table_def def = {
        .name = "Cap",
        .hash_key = {"pk", KV_S},
        .range_key = {"sk", KV_S},
        .billing_mode = rcu ? KV_PROVISIONED : KV_PAY_PER_REQUEST,
        .read_capacity = rcu,
        .write_capacity = wcu,
        .indexes = ix,
        .n_indexes = gsi_wcu > 0 || !rcu ? 2 : 1,
    };
    kv_status st = kv_table_create(f->db, &def, NULL);
    if (st != KV_OK)
        fprintf(stderr, "%s\n", kv_errmsg(f->db));
    assert_int_equal(st, KV_OK);
}

/*
 * Put item pk=p<i>, sk=s with `bytes` bytes of payload v, and gk=g when
 * with_gk.  With i < 10 the item is 8 + bytes bytes (+3 with gk).
 */
static kv_status
put(struct cfx *f, int i, size_t bytes, bool with_gk)
{
    char pk[32], *payload = malloc(bytes + 1);
    assert_non_null(payload);
    memset(payload, 'x', bytes);
    payload[bytes] = '\0';
    snprintf(pk, sizeof pk, "p%d", i);
    kv_item *item = kv_item_new();
    kv_item_put_s(item, "pk", pk);
    kv_item_put_s(item, "sk", "s");
    kv_item_put_s(item, "v", payload);
    if (with_gk)
        kv_item_put_s(item, "gk", "g");
    kv_status st = kv_put_item(f->db, "Cap", item, NULL, NULL);
    kv_item_free(item);
    free(payload);
    return st;
}

static kv_capacity_info
get(struct cfx *f, const char *index)
{
    kv_capacity_info info;
    kv_status st = kv_capacity_get(f->db, "Cap", index, &info);
    if (st != KV_OK)
        fprintf(stderr, "%s\n", kv_errmsg(f->db));
    assert_int_equal(st, KV_OK);
    return info;
}

/* Doubles compared exactly: whole and half units are exact. */
#define assert_units(got, want) assert_true((got) == (want))

/* --- capinfo01: levels after writes and refill --------------------------------- */

/* capinfo01-1.1: a new 10/10 table without burst holds one second of its
 * throughput; N writes of 1 KB leave 10 - N; half a second refills 5. */
static void
capinfo01_1_writes(void **state)
{
    (void)state;
    struct cfx *f = cfx_new(0, 0);
    create_table(f, 10, 10, 0);
    kv_capacity_info c = get(f, NULL);
    assert_int_equal(c.billing_mode, KV_PROVISIONED);
    assert_units(c.read.rate, 10);
    assert_units(c.read.available, 10);
    assert_units(c.read.burst, 0);
    assert_units(c.read.ceiling, 10);
    assert_units(c.write.available, 10);
    assert_int_equal(c.partitions, 1);
    assert_int_equal(c.unlimited, 0);
    assert_int_equal(c.at_ms, T0);
    for (int n = 1; n <= 8; n++) {
        assert_int_equal(put(f, n, 900, false), KV_OK);
        c = get(f, NULL);
        assert_units(c.write.available, 10 - n);
        assert_units(c.read.available, 10);
    }
    f->now += 500;
    c = get(f, NULL);
    assert_units(c.write.available, 7);
    assert_int_equal(c.at_ms, T0 + 500);
    f->now += 1000;
    assert_units(get(f, NULL).write.available, 10); /* the ceiling */
    cfx_free(f);
}

/* capinfo01-1.2: what the bucket says is what admission does: with 2
 * units left, a 2 KB write (2 units) passes and a 1 KB one then throttles. */
static void
capinfo01_2_agrees_with_admission(void **state)
{
    (void)state;
    struct cfx *f = cfx_new(0, 0);
    create_table(f, 10, 10, 0);
    for (int n = 1; n <= 8; n++)
        assert_int_equal(put(f, n, 900, false), KV_OK);
    assert_units(get(f, NULL).write.available, 2);
    assert_int_equal(put(f, 9, 1900, false), KV_OK);
    assert_units(get(f, NULL).write.available, 0);
    assert_int_equal(put(f, 10, 10, false), KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_units(get(f, NULL).write.available, 0); /* a refusal takes nothing */
    f->now += 100;
    assert_units(get(f, NULL).write.available, 1);
    assert_int_equal(put(f, 10, 10, false), KV_OK);
    cfx_free(f);
}

/* --- capinfo02: burst ------------------------------------------------------------ */

/* capinfo02-1.1: a minute idle after creation banks a minute: 610 units,
 * 600 of them burst; writes spend them; the window caps the bank. */
static void
capinfo02_1_burst(void **state)
{
    (void)state;
    struct cfx *f = cfx_new(300, 0);
    create_table(f, 10, 10, 0);
    f->now += 60000;
    kv_capacity_info c = get(f, NULL);
    assert_units(c.write.available, 610);
    assert_units(c.write.burst, 600);
    assert_units(c.write.ceiling, 3000);
    assert_units(c.read.available, 610);
    for (int n = 1; n <= 5; n++)
        assert_int_equal(put(f, n, 900, false), KV_OK);
    c = get(f, NULL);
    assert_units(c.write.available, 605);
    assert_units(c.write.burst, 595);
    f->now += 400000;
    c = get(f, NULL);
    assert_units(c.write.available, 3000);
    assert_units(c.write.burst, 2990);
    cfx_free(f);
}

/* capinfo02-1.2: burst is only what is above one second: below it, 0. */
static void
capinfo02_2_no_burst_below_a_second(void **state)
{
    (void)state;
    struct cfx *f = cfx_new(300, 0);
    create_table(f, 10, 10, 0);
    f->now += 1000; /* 20 units: 10 of them burst */
    assert_units(get(f, NULL).write.burst, 10);
    for (int n = 1; n <= 15; n++)
        assert_int_equal(put(f, n, 900, false), KV_OK);
    kv_capacity_info c = get(f, NULL);
    assert_units(c.write.available, 5);
    assert_units(c.write.burst, 0);
    cfx_free(f);
}

/* --- capinfo03: global indexes and names ----------------------------------------------- */

/* capinfo03-1.1: a GSI has buckets of its own; a write with its key
 * spends the table's and the index's. */
static void
capinfo03_1_gsi(void **state)
{
    (void)state;
    struct cfx *f = cfx_new(0, 0);
    create_table(f, 10, 10, 2);
    kv_capacity_info g = get(f, "gsi");
    assert_units(g.read.rate, 5);
    assert_units(g.read.available, 5);
    assert_units(g.write.rate, 2);
    assert_units(g.write.available, 2);
    assert_int_equal(put(f, 1, 500, true), KV_OK);
    assert_int_equal(put(f, 2, 500, false), KV_OK); /* no index key: the index is not charged */
    assert_units(get(f, "gsi").write.available, 1);
    assert_units(get(f, NULL).write.available, 8);
    cfx_free(f);
}

/* capinfo03-1.2: unknown tables and indexes, and local indexes (which
 * have no buckets), are not found, in DynamoDB's words. */
static void
capinfo03_2_not_found(void **state)
{
    (void)state;
    struct cfx *f = cfx_new(0, 0);
    create_table(f, 10, 10, 2);
    kv_capacity_info c;
    memset(&c, 0xab, sizeof c);
    assert_int_equal(kv_capacity_get(f->db, "Nope", NULL, &c), KV_RESOURCE_NOT_FOUND);
    assert_string_equal(kv_errmsg(f->db), "Requested resource not found: Table: Nope not found");
    assert_int_equal(c.partitions, 0);
    assert_units(c.write.available, 0);
    assert_int_equal(kv_capacity_get(f->db, "Cap", "lsi", &c), KV_RESOURCE_NOT_FOUND);
    assert_string_equal(kv_errmsg(f->db), "Requested resource not found: Index: lsi not found");
    assert_int_equal(kv_capacity_get(f->db, "Cap", "nope", &c), KV_RESOURCE_NOT_FOUND);
    assert_string_equal(kv_errmsg(f->db), "Requested resource not found: Index: nope not found");
    cfx_free(f);
}

/* --- capinfo04: reads and debt --------------------------------------------------- */

/* capinfo04-1.1: an eventually consistent read of a small item costs half
 * a unit; a large one admitted at its least cost leaves debt. */
static void
capinfo04_1_reads(void **state)
{
    (void)state;
    struct cfx *f = cfx_new(0, 0);
    create_table(f, 1, 1, 0);
    assert_int_equal(put(f, 1, 100, false), KV_OK);
    f->now += 1000;
    kv_item *key = kv_item_new(), *got = NULL;
    kv_item_put_s(key, "pk", "p1");
    kv_item_put_s(key, "sk", "s");
    assert_int_equal(kv_get_item(f->db, "Cap", key, NULL, &got), KV_OK);
    kv_item_free(got);
    assert_units(get(f, NULL).read.available, 0.5);
    /* 100 KB written into a full 1 WCU bucket: admitted, 99 units of debt */
    f->now += 1000;
    assert_int_equal(put(f, 2, 100 * 1024 - 8, false), KV_OK);
    assert_units(get(f, NULL).write.available, -99);
    f->now += 1000;
    kv_item_put_s(key, "pk", "p2");
    got = NULL;
    /* read bucket full (1 unit): admitted at 0.5, charged 100 KB / 4 KB / 2 = 12.5 */
    assert_int_equal(kv_get_item(f->db, "Cap", key, NULL, &got), KV_OK);
    kv_item_free(got);
    kv_capacity_info c = get(f, NULL);
    assert_units(c.read.available, -11.5);
    assert_units(c.read.burst, 0);
    assert_units(c.write.available, -98);
    kv_item_free(key);
    cfx_free(f);
}

/* --- capinfo05: on-demand -------------------------------------------------------- */

/* capinfo05-1.1: a new on-demand table serves 12,000 reads and 4,000
 * writes a second and banks one second: no burst. */
static void
capinfo05_1_on_demand(void **state)
{
    (void)state;
    struct cfx *f = cfx_new(300, 0);
    create_table(f, 0, 0, 0);
    f->now += 60000;
    kv_capacity_info c = get(f, NULL);
    assert_int_equal(c.billing_mode, KV_PAY_PER_REQUEST);
    assert_units(c.read.rate, 12000);
    assert_units(c.read.available, 12000);
    assert_units(c.read.ceiling, 12000);
    assert_units(c.write.rate, 4000);
    assert_units(c.write.available, 4000);
    assert_units(c.write.burst, 0);
    assert_int_equal(put(f, 1, 900, true), KV_OK);
    assert_units(get(f, NULL).write.available, 3999);
    assert_units(get(f, "gsi").write.available, 3999);
    cfx_free(f);
}

/* --- capinfo06: UpdateTable ------------------------------------------------------ */

/* capinfo06-1.1: raised throughput applies at once and keeps the bank. */
static void
capinfo06_1_update(void **state)
{
    (void)state;
    struct cfx *f = cfx_new(300, 0);
    create_table(f, 10, 10, 0);
    assert_int_equal(put(f, 1, 900, false), KV_OK);
    f->now += 60000;
    kv_table_changes ch = {.read_capacity = 10, .write_capacity = 20};
    assert_int_equal(kv_table_update(f->db, "Cap", &ch, NULL), KV_OK);
    kv_capacity_info c = get(f, NULL);
    assert_units(c.write.rate, 20);
    assert_units(c.write.ceiling, 6000);
    assert_units(c.write.available, 609);
    assert_units(c.write.burst, 589);
    f->now += 1000;
    assert_units(get(f, NULL).write.available, 629);
    cfx_free(f);
}

/* capinfo06-1.2: a table never used before its first UpdateTable banked at
 * its old rate until the change, not at the new one since its creation. */
static void
capinfo06_2_update_unused(void **state)
{
    (void)state;
    struct cfx *f = cfx_new(300, 0);
    create_table(f, 10, 10, 0);
    f->now += 60000;
    kv_table_changes ch = {.read_capacity = 10, .write_capacity = 20};
    assert_int_equal(kv_table_update(f->db, "Cap", &ch, NULL), KV_OK);
    kv_capacity_info c = get(f, NULL);
    assert_units(c.write.rate, 20);
    assert_units(c.write.available, 610);
    cfx_free(f);
}

/* --- capinfo07: read-only ------------------------------------------------------- */

static bool
has_slot(struct cfx *f, const char *index)
{
    kv_table_info *info;
    assert_int_equal(kv_table_describe(f->db, "Cap", &info), KV_OK);
    char key[BUCKETFILE_KEY_MAX];
    size_t a = strlen(info->id), b = index ? strlen(index) : 0;
    memcpy(key, info->id, a + 1);
    memcpy(key + a + 1, index ? index : "", b);
    kv_table_info_free(info);
    struct bucketfile *bf = throttle_bucketfile(f->db->throttle);
    struct bucketfile_slot *s = NULL;
    struct kv_err err;
    err_init(&err);
    assert_int_equal(bucketfile_lock(bf, f->now, &err), KV_OK);
    assert_int_equal(bucketfile_find(bf, key, a + 1 + b, &s, &err), KV_OK);
    bucketfile_unlock(bf);
    err_clear(&err);
    return s != NULL;
}

/* capinfo07-1.1: looking creates no state and spends nothing: a table
 * read a thousand times still admits exactly ten writes in its second. */
static void
capinfo07_1_read_only(void **state)
{
    (void)state;
    struct cfx *f = cfx_new(0, 0);
    create_table(f, 10, 10, 2);
    for (int i = 0; i < 1000; i++) {
        assert_units(get(f, NULL).write.available, 10);
        assert_units(get(f, "gsi").write.available, 2);
    }
    assert_false(has_slot(f, NULL));
    assert_false(has_slot(f, "gsi"));
    for (int n = 1; n <= 10; n++)
        assert_int_equal(put(f, n, 900, false), KV_OK);
    assert_true(has_slot(f, NULL));
    assert_false(has_slot(f, "gsi"));
    assert_int_equal(put(f, 11, 900, false), KV_PROVISIONED_THROUGHPUT_EXCEEDED);
    assert_units(get(f, NULL).write.available, 0);
    cfx_free(f);
}

/* capinfo07-1.2: a clock read earlier than the state's last refill shows
 * the state as it is, never more. */
static void
capinfo07_2_earlier_clock(void **state)
{
    (void)state;
    struct cfx *f = cfx_new(0, 0);
    create_table(f, 10, 10, 0);
    f->now += 1000;
    for (int n = 1; n <= 4; n++)
        assert_int_equal(put(f, n, 900, false), KV_OK);
    f->now -= 500;
    assert_units(get(f, NULL).write.available, 6);
    cfx_free(f);
}

/* capinfo07-1.3: unlimited capacity counts but never debits. */
static void
capinfo07_3_unlimited(void **state)
{
    (void)state;
    struct cfx *f = cfx_new(0, 1);
    create_table(f, 10, 10, 0);
    for (int n = 1; n <= 20; n++)
        assert_int_equal(put(f, n, 900, false), KV_OK);
    kv_capacity_info c = get(f, NULL);
    assert_int_equal(c.unlimited, 1);
    assert_units(c.write.available, 10);
    cfx_free(f);
}

/* --- capinfo08: misuse ------------------------------------------------------------ */

/* capinfo08-1.1: NULL arguments are misuse. */
static void
capinfo08_1_misuse(void **state)
{
    (void)state;
    struct cfx *f = cfx_new(0, 0);
    kv_capacity_info c;
    assert_int_equal(kv_capacity_get(NULL, "Cap", NULL, &c), KV_MISUSE);
    assert_int_equal(kv_capacity_get(f->db, NULL, NULL, &c), KV_MISUSE);
    assert_string_equal(kv_errmsg(f->db), "kv_capacity_get needs a table and an out-parameter");
    assert_int_equal(kv_capacity_get(f->db, "Cap", NULL, NULL), KV_MISUSE);
    cfx_free(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(capinfo01_1_writes),
        cmocka_unit_test(capinfo01_2_agrees_with_admission),
        cmocka_unit_test(capinfo02_1_burst),
        cmocka_unit_test(capinfo02_2_no_burst_below_a_second),
        cmocka_unit_test(capinfo03_1_gsi),
        cmocka_unit_test(capinfo03_2_not_found),
        cmocka_unit_test(capinfo04_1_reads),
        cmocka_unit_test(capinfo05_1_on_demand),
        cmocka_unit_test(capinfo06_1_update),
        cmocka_unit_test(capinfo06_2_update_unused),
        cmocka_unit_test(capinfo07_1_read_only),
        cmocka_unit_test(capinfo07_2_earlier_clock),
        cmocka_unit_test(capinfo07_3_unlimited),
        cmocka_unit_test(capinfo08_1_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
