/*
 * test_stats.c -- kv_db_stats: figures of an empty database, after a
 * table and items are written, after items are deleted (free pages), and
 * its argument checks.
 */
#include "fixture.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void
put_songs(struct fx *f, int n, bool delete)
{
    char json[256];
    for (int i = 0; i < n; i++) {
        snprintf(json, sizeof json,
                 "{\"TableName\":\"Music\",\"%s\":{\"Artist\":{\"S\":\"a%d\"},"
                 "\"SongTitle\":{\"S\":\"t\"}}%s}",
                 delete ? "Key" : "Item", i,
                 delete ? "" : ",\"Pad\":{\"S\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}");
        fx_ok(f, delete ? "DeleteItem" : "PutItem", json);
    }
}

static void
stats01_1_fresh_database(void **state)
{
    struct fx *f = *state;
    kv_db_stats_info st;
    assert_int_equal(kv_db_stats(f->db, &st), KV_OK);
    assert_int_equal(st.page_size % 512, 0);
    assert_true(st.map_size >= 1024 * 1024);
    assert_true(st.pages_used >= 2);
    assert_true(st.max_readers > 0);
}

static void
stats01_2_tables_and_items_counted(void **state)
{
    struct fx *f = *state;
    kv_db_stats_info before, after;
    assert_int_equal(kv_db_stats(f->db, &before), KV_OK);
    fx_create_music(f);
    put_songs(f, 500, false);
    assert_int_equal(kv_db_stats(f->db, &after), KV_OK);
    assert_true(after.n_databases > before.n_databases);
    assert_true(after.entries >= before.entries + 500);
    assert_true(after.leaf_pages > before.leaf_pages);
    assert_true(after.depth >= 2);
    assert_true(after.last_txn > before.last_txn);
}

static void
stats01_3_deletes_free_pages(void **state)
{
    struct fx *f = *state;
    fx_create_music(f);
    put_songs(f, 500, false);
    put_songs(f, 500, true);
    kv_db_stats_info st;
    assert_int_equal(kv_db_stats(f->db, &st), KV_OK);
    assert_true(st.free_pages > 0);
    assert_true(st.free_pages < st.pages_used);
}

static void
stats02_1_misuse(void **state)
{
    struct fx *f = *state;
    kv_db_stats_info st;
    assert_int_equal(kv_db_stats(NULL, &st), KV_MISUSE);
    assert_int_equal(kv_db_stats(f->db, NULL), KV_MISUSE);
    assert_string_equal(kv_errmsg(f->db), "kv_db_stats needs an out-parameter");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(stats01_1_fresh_database, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(stats01_2_tables_and_items_counted, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(stats01_3_deletes_free_pages, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(stats02_1_misuse, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
