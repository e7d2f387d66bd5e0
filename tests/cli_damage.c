/*
 * cli_damage.c -- damage a database on purpose, for the kv check tests
 * (tests/cli/inspect.sh), with the internal library.
 *
 *     cli_damage DIR TABLE INDEX delete     drop the index's first entry
 *     cli_damage DIR TABLE INDEX stray      copy it under a key no item has
 *     cli_damage DIR TABLE - count          add one to the table's item count
 *
 * Each is one LMDB write transaction, as test_check.c makes its damage.
 * Exits 0 when the damage is done, 2 on bad arguments, 1 on failure.
 */
#include "catalog.h"
#include "db.h"
#include "err.h"
#include "txn.h"

#include <lmdb.h>
#include <stdio.h>
#include <string.h>

struct damage {
    const char *table, *index, *what;
};

static kv_status
first_entry(struct txn *t, MDB_dbi dbi, MDB_val *k, MDB_val *v)
{
    MDB_cursor *cur;
    kv_status st = txn_check(t, mdb_cursor_open(t->txn, dbi, &cur), "opening a cursor");
    if (st != KV_OK)
        return st;
    st = txn_check(t, mdb_cursor_get(cur, k, v, MDB_FIRST), "reading the first entry");
    mdb_cursor_close(cur);
    return st;
}

static kv_status
damage_body(struct txn *t, void *arg)
{
    struct damage *d = arg;
    struct table_def *def;
    kv_status st = catalog_get(t, d->table, strlen(d->table), &def);
    if (st != KV_OK)
        return st;
    if (!def)
        return err_set(t->err, KV_RESOURCE_NOT_FOUND, "no table %s", d->table);
    if (strcmp(d->what, "count") == 0)
        return catalog_stats_add(t, def->dbname, 1, 0);
    const char *dbname = NULL;
    for (size_t i = 0; i < def->n_indexes; i++)
        if (strcmp(def->indexes[i].name, d->index) == 0)
            dbname = def->indexes[i].dbname;
    if (!dbname)
        return err_set(t->err, KV_RESOURCE_NOT_FOUND, "no index %s", d->index);
    MDB_dbi dbi;
    MDB_val k, v;
    if ((st = txn_dbi(t, dbname, &dbi)) != KV_OK || (st = first_entry(t, dbi, &k, &v)) != KV_OK)
        return st;
    uint8_t key[2048];
    if (k.mv_size > sizeof key)
        return err_set(t->err, KV_INTERNAL, "index key too long");
    memcpy(key, k.mv_data, k.mv_size);
    MDB_val kk = {k.mv_size, key};
    if (strcmp(d->what, "delete") == 0)
        return txn_check(t, mdb_del(t->txn, dbi, &kk, NULL), "deleting an entry");
    key[k.mv_size - 1] ^= 0x55; /* a key no item has */
    return txn_check(t, mdb_put(t->txn, dbi, &kk, &v, 0), "writing an entry");
}

int
main(int argc, char **argv)
{
    if (argc != 5 || (strcmp(argv[4], "delete") && strcmp(argv[4], "stray") &&
                      strcmp(argv[4], "count"))) {
        fprintf(stderr, "usage: cli_damage DIR TABLE INDEX|- delete|stray|count\n");
        return 2;
    }
    kv_options opt;
    kv_options_default(&opt);
    opt.no_sync = 1;
    kv_db *db;
    if (kv_db_open(argv[1], &opt, &db) != KV_OK) {
        fprintf(stderr, "cli_damage: %s\n", kv_errmsg(NULL));
        return 1;
    }
    struct damage d = {argv[2], argv[3], argv[4]};
    struct kv_err err;
    err_init(&err);
    kv_status st = txn_run(db, true, damage_body, &d, &err);
    if (st != KV_OK)
        fprintf(stderr, "cli_damage: %s\n", err.msg ? err.msg : kv_status_str(st));
    err_clear(&err);
    kv_db_close(db);
    return st == KV_OK ? 0 : 1;
}
