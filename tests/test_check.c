/*
 * test_check.c -- kv_db_check: silent on a consistent database, and each
 * kind of damage (a missing entry, a stray entry, a stale entry, a wrong
 * counter) reported once, naming the table and index.
 */
#include "fixture.h"

#include "catalog.h"
#include "db.h"
#include "err.h"
#include "txn.h"

#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
create_indexed(struct fx *f)
{
    fx_ok(f, "CreateTable",
          "{\"TableName\":\"Chk\",\"AttributeDefinitions\":["
          "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},"
          "{\"AttributeName\":\"g\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"l\",\"AttributeType\":\"N\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
          "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
          "\"BillingMode\":\"PAY_PER_REQUEST\","
          "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byG\",\"KeySchema\":[{"
          "\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":"
          "\"ALL\"}}],"
          "\"LocalSecondaryIndexes\":[{\"IndexName\":\"byL\",\"KeySchema\":[{\"AttributeName\":"
          "\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],"
          "\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}]}");
    for (int i = 0; i < 20; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"TableName\":\"Chk\",\"Item\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"%d\"},"
                 "\"g\":{\"S\":\"g%d\"},\"l\":{\"N\":\"%d\"},\"v\":{\"S\":\"%d\"}}}",
                 i % 4, i, i % 3, i * 7, i);
        fx_ok(f, "PutItem", body);
    }
}

struct seen {
    int n;
    char last[1024];
};

static void
collect(void *arg, const char *table, const char *index, const char *problem)
{
    struct seen *s = arg;
    s->n++;
    snprintf(s->last, sizeof s->last, "%s/%s: %s", table, index ? index : "-", problem);
}

/* Run kv_db_check and return what it reported. */
static struct seen
check(struct fx *f, kv_status want)
{
    struct seen s = {0, ""};
    uint64_t problems;
    assert_int_equal(kv_db_check(f->db, NULL, collect, &s, &problems), want);
    assert_int_equal((int)problems, s.n);
    return s;
}

struct damage {
    const char *dbname_of; /* "table", "byG" or "byL" */
    int what;              /* 0 delete first entry, 1 copy first entry under a new key,
                              2 rewrite first entry's value with the second's, 3 bump stats */
};

static kv_status
damage_body(struct txn *t, void *arg)
{
    struct damage *d = arg;
    struct table_def *def;
    kv_status st = catalog_get(t, "Chk", 3, &def);
    if (st != KV_OK)
        return st;
    const char *dbname = def->dbname;
    for (size_t i = 0; i < def->n_indexes; i++)
        if (strcmp(def->indexes[i].name, d->dbname_of) == 0)
            dbname = def->indexes[i].dbname;
    if (d->what == 3)
        return catalog_stats_add(t, dbname, 1, 10);
    MDB_dbi dbi;
    MDB_cursor *cur;
    MDB_val k, v, k2, v2;
    if ((st = txn_dbi(t, dbname, &dbi)) != KV_OK)
        return st;
    assert_int_equal(mdb_cursor_open(t->txn, dbi, &cur), 0);
    assert_int_equal(mdb_cursor_get(cur, &k, &v, MDB_FIRST), 0);
    uint8_t key[600], val[4096], val2[4096];
    size_t klen = k.mv_size, vlen = v.mv_size;
    memcpy(key, k.mv_data, klen);
    memcpy(val, v.mv_data, vlen);
    assert_int_equal(mdb_cursor_get(cur, &k2, &v2, MDB_NEXT), 0);
    size_t v2len = v2.mv_size;
    memcpy(val2, v2.mv_data, v2len);
    mdb_cursor_close(cur);
    MDB_val kk = {klen, key};
    if (d->what == 0)
        return txn_check(t, mdb_del(t->txn, dbi, &kk, NULL), "test");
    if (d->what == 1) {
        key[klen - 1] ^= 0x55;
        MDB_val vv = {vlen, val};
        return txn_check(t, mdb_put(t->txn, dbi, &kk, &vv, 0), "test");
    }
    MDB_val vv = {v2len, val2};
    return txn_check(t, mdb_put(t->txn, dbi, &kk, &vv, 0), "test");
}

static void
damage(struct fx *f, const char *which, int what)
{
    struct damage d = {which, what};
    struct kv_err err;
    err_init(&err);
    assert_int_equal(txn_run(f->db, true, damage_body, &d, &err), KV_OK);
    err_clear(&err);
}

static void
check01_clean(void **state)
{
    struct fx *f = *state;
    create_indexed(f);
    struct seen s = check(f, KV_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(kv_db_check(f->db, "Chk", NULL, NULL, NULL), KV_OK);
    assert_int_equal(kv_db_check(f->db, "Nope", NULL, NULL, NULL), KV_RESOURCE_NOT_FOUND);
    assert_string_equal(kv_errmsg(f->db), "Requested resource not found: Table: Nope not found");
}

static void
check02_missing_entry(void **state)
{
    struct fx *f = *state;
    create_indexed(f);
    damage(f, "byG", 0);
    struct seen s = check(f, KV_CORRUPT);
    /* The item without its entry, and the entry count short by one. */
    assert_int_equal(s.n, 2);
    assert_string_equal(s.last, "Chk/byG: the index holds 19 entries; the items call for 20");
    assert_string_equal(kv_errmsg(f->db), "2 inconsistencies found");
}

static void
check03_stray_entry(void **state)
{
    struct fx *f = *state;
    create_indexed(f);
    damage(f, "byL", 1);
    struct seen s = check(f, KV_CORRUPT);
    assert_true(s.n >= 2);
}

static void
check04_stale_entry(void **state)
{
    struct fx *f = *state;
    create_indexed(f);
    damage(f, "byG", 2);
    struct seen s = check(f, KV_CORRUPT);
    assert_true(s.n >= 1);
}

static void
check05_counters(void **state)
{
    struct fx *f = *state;
    create_indexed(f);
    damage(f, "table", 3);
    struct seen s = check(f, KV_CORRUPT);
    assert_int_equal(s.n, 2);
    unsigned long long recorded, actual;
    assert_int_equal(
        sscanf(s.last, "Chk/-: the size is recorded as %llu bytes but is %llu", &recorded, &actual),
        2);
    assert_int_equal(recorded, actual + 10);
}

/* A handle that has not opened a table's database yet must still report
 * each problem once: opening it runs the check's transaction again, after
 * the damaged table before it has been checked. */
static void
check06_fresh_handle(void **state)
{
    struct fx *f = *state;
    create_indexed(f);
    fx_create_music(f);
    damage(f, "byG", 0);
    fx_reopen(f);
    struct seen s = check(f, KV_CORRUPT);
    assert_int_equal(s.n, 2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(check01_clean, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(check02_missing_entry, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(check03_stray_entry, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(check04_stale_entry, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(check05_counters, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(check06_fresh_handle, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
