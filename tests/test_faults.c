/*
 * test_faults.c -- what the environment can do to a database: a full map, a
 * full disk, a read-only or missing directory, a truncated or corrupted
 * data file, a process killed while it held the database open, and the
 * permissions of the files created.
 *
 * Each fault must give a clear error (status and message asserted here) or
 * be recovered from, must never crash the process, and must never lose a
 * write that was acknowledged.  Anything that could crash runs in a child
 * process, so a crash fails the test instead of ending it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fixture.h"
#include "db.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <lmdb.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BIG 100000 /* bytes of payload per item: a few fill a small map */

/* --- helpers ---------------------------------------------------------------- */

static char *
path_in(const char *dir, const char *name)
{
    char *p;
    assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
    return p;
}

static kv_db *
open_ok(const char *dir, const kv_options *o)
{
    kv_options opt;
    fx_options(&opt);
    kv_db *db = NULL;
    if (kv_db_open(dir, o ? o : &opt, &db) != KV_OK)
        fprintf(stderr, "open %s: %s\n", dir, kv_errmsg(NULL));
    assert_non_null(db);
    return db;
}

static void
expect_open_error(const char *dir, const kv_options *o, kv_status st, const char *message)
{
    kv_options opt;
    fx_options(&opt);
    kv_db *db = (kv_db *)1;
    kv_status got = kv_db_open(dir, o ? o : &opt, &db);
    if (got != st || strcmp(kv_errmsg(NULL), message) != 0)
        fprintf(stderr, "open %s\n got:  %s %s\n want: %s %s\n", dir, kv_status_name(got),
                kv_errmsg(NULL), kv_status_name(st), message);
    assert_null(db);
    assert_int_equal(got, st);
    assert_string_equal(kv_errmsg(NULL), message);
}

static void
create_simple(kv_db *db)
{
    struct fx f = {NULL, db};
    fx_ok(&f, "CreateTable",
          "{\"TableName\":\"Files\",\"BillingMode\":\"PAY_PER_REQUEST\","
          "\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"N\"},"
          "{\"AttributeName\":\"tag\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}],"
          "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"ByTag\",\"KeySchema\":["
          "{\"AttributeName\":\"tag\",\"KeyType\":\"HASH\"}],"
          "\"Projection\":{\"ProjectionType\":\"ALL\"}}]}");
}

/* PutItem of item `id` with `size` bytes of payload; the status. */
static kv_status
put_big(kv_db *db, int id, size_t size)
{
    char *req = malloc(size + 200);
    assert_non_null(req);
    int n = sprintf(req, "{\"TableName\":\"Files\",\"Item\":{\"id\":{\"N\":\"%d\"},"
                         "\"tag\":{\"S\":\"t%d\"},\"data\":{\"S\":\"",
                    id, id % 3);
    for (size_t i = 0; i < size; i++)
        req[n++] = (char)('a' + (id + (int)i) % 26);
    strcpy(req + n, "\"}}}");
    char *resp = NULL;
    kv_status st = kv_request(db, "PutItem", req, strlen(req), &resp);
    kv_free(resp);
    free(req);
    return st;
}

/* Items 0..n-1 are there, whole, and nothing else is; the check is clean. */
static void
expect_items(kv_db *db, int n, size_t size)
{
    struct fx f = {NULL, db};
    int seen = 0;
    for (int id = 0; id < n + 1; id++) {
        char req[96];
        snprintf(req, sizeof req, "{\"TableName\":\"Files\",\"Key\":{\"id\":{\"N\":\"%d\"}}}", id);
        json_t *j = fx_json(&f, "GetItem", req);
        json_t *item = json_object_get(j, "Item");
        if (id == n) {
            assert_null(item);
        } else {
            const char *d = json_string_value(json_object_get(json_object_get(item, "data"), "S"));
            assert_non_null(d);
            assert_int_equal(strlen(d), size);
            for (size_t i = 0; i < size; i++)
                assert_int_equal(d[i], 'a' + (id + (int)i) % 26);
            seen++;
        }
        json_decref(j);
    }
    assert_int_equal(seen, n);
    json_t *d = fx_json(&f, "Scan", "{\"TableName\":\"Files\",\"Select\":\"COUNT\"}");
    assert_int_equal(json_integer_value(json_object_get(d, "Count")), n);
    json_decref(d);
    uint64_t problems = 1;
    assert_int_equal(kv_db_check(db, NULL, NULL, NULL, &problems), KV_OK);
    assert_int_equal(problems, 0);
}

/*
 * Run fn(arg) in a child process; its exit status (0 when it passed).  A
 * crash (any signal) fails the test here.
 */
static int
in_child(int (*fn)(void *), void *arg)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(fn(arg));
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status))
        fail_msg("the child crashed with signal %d", WTERMSIG(status));
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* In a child: report a mismatch of status and message; 1 when wrong. */
static int
child_expect(const char *what, kv_status got, const char *msg, kv_status st, const char *want)
{
    if (got == st && strcmp(msg, want) == 0)
        return 0;
    fprintf(stderr, "%s\n got:  %s %s\n want: %s %s\n", what, kv_status_name(got), msg,
            kv_status_name(st), want);
    return 1;
}

static void
copy_file(const char *from, const char *to)
{
    char *cmd;
    assert_true(asprintf(&cmd, "cp -p '%s' '%s'", from, to) > 0);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

/* A database of n items of `size` bytes, closed; the caller frees the dir. */
static char *
make_db(int n, size_t size)
{
    char *dir = fx_mkdtemp();
    assert_non_null(dir);
    kv_db *db = open_ok(dir, NULL);
    create_simple(db);
    for (int i = 0; i < n; i++)
        assert_int_equal(put_big(db, i, size), KV_OK);
    kv_db_close(db);
    return dir;
}

/* --- the map fills up ------------------------------------------------------- */

static void
fault01_map_full(void **state)
{
    (void)state;
    char *dir = fx_mkdtemp();
    kv_options opt;
    fx_options(&opt);
    opt.map_size = 1 << 20;
    opt.max_map_size = 2 << 20;
    kv_db *db = open_ok(dir, &opt);
    create_simple(db);
    int acked = 0;
    kv_status st;
    while ((st = put_big(db, acked, BIG)) == KV_OK)
        acked++;
    assert_true(acked > 5 && acked < 21);
    assert_int_equal(st, KV_IO);
    assert_string_equal(kv_errmsg(db),
                        "The database is full: its map size limit of 2097152 bytes is reached");
    /* The same error again, and nothing of the refused write. */
    assert_int_equal(put_big(db, acked, BIG), KV_IO);
    expect_items(db, acked, BIG);
    /* Deleting makes room, as in any full database. */
    struct fx f = {dir, db};
    fx_ok(&f, "DeleteItem", "{\"TableName\":\"Files\",\"Key\":{\"id\":{\"N\":\"0\"}}}");
    kv_db_close(db);
    /* After reopening with room to grow, every acknowledged write is there
     * and writing works again. */
    opt.max_map_size = 0;
    db = open_ok(dir, &opt);
    assert_int_equal(put_big(db, 0, BIG), KV_OK);
    expect_items(db, acked, BIG);
    assert_int_equal(put_big(db, acked, BIG), KV_OK);
    expect_items(db, acked + 1, BIG);
    kv_db_close(db);
    fx_rmdir(dir);
}

/* --- the disk fills up ------------------------------------------------------ */

/*
 * The file size limit (RLIMIT_FSIZE) makes the data file unable to grow,
 * as a full disk does, without needing one: writes past it fail with EFBIG.
 */
#define DISK_FULL                                                                           \
    "The write was not stored: the database file could not be written (Input/output "     \
    "error); the disk may be full"

struct disk_full {
    char *dir;
    int acked;
};

static int
disk_full_child(void *arg)
{
    struct disk_full *d = arg;
    signal(SIGXFSZ, SIG_IGN);
    kv_options opt;
    kv_options_default(&opt);
    opt.unlimited_capacity = 1;
    kv_db *db;
    if (kv_db_open(d->dir, &opt, &db) != KV_OK)
        return 10;
    struct stat sb;
    char *data = path_in(d->dir, "data.mdb");
    stat(data, &sb);
    free(data);
    struct rlimit rl = {(rlim_t)sb.st_size + (1 << 20), (rlim_t)sb.st_size + (1 << 20)};
    if (setrlimit(RLIMIT_FSIZE, &rl))
        return 11;
    int acked = 0;
    kv_status st;
    while ((st = put_big(db, acked, BIG)) == KV_OK)
        acked++;
    int bad = child_expect("disk full", st, kv_errmsg(db), KV_IO, DISK_FULL);
    if (!bad) {
        st = put_big(db, acked, BIG);
        bad = child_expect("disk full, again", st, kv_errmsg(db), KV_IO, DISK_FULL);
    }
    kv_db_close(db);
    return bad ? 1 : 100 + acked; /* the count, for the parent */
}

static void
fault02_disk_full(void **state)
{
    (void)state;
    struct disk_full d = {make_db(0, 0), 0};
    int rc = in_child(disk_full_child, &d);
    assert_true(rc > 100);
    d.acked = rc - 100;
    kv_db *db = open_ok(d.dir, NULL);
    expect_items(db, d.acked, BIG);
    assert_int_equal(put_big(db, d.acked, BIG), KV_OK);
    expect_items(db, d.acked + 1, BIG);
    kv_db_close(db);
    fx_rmdir(d.dir);
}

/* --- directories ------------------------------------------------------------ */

static void
fault03_missing_dir(void **state)
{
    (void)state;
    char *dir = fx_mkdtemp();
    char *missing = path_in(dir, "no/such/db");
    char msg[512];
    snprintf(msg, sizeof msg, "cannot create database directory %s: No such file or directory",
             missing);
    expect_open_error(missing, NULL, KV_IO, msg);
    kv_options opt;
    fx_options(&opt);
    opt.read_only = 1;
    snprintf(msg, sizeof msg, "cannot open database directory %s: No such file or directory",
             missing);
    expect_open_error(missing, &opt, KV_IO, msg);
    /* A file where the directory should be. */
    char *file = path_in(dir, "plain");
    FILE *fp = fopen(file, "w");
    fclose(fp);
    snprintf(msg, sizeof msg, "%s is not a directory", file);
    expect_open_error(file, NULL, KV_IO, msg);
    free(file);
    free(missing);
    fx_rmdir(dir);
}

/*
 * A read-only directory.  The superuser may write anywhere, so as root the
 * checks run in a child that became an ordinary user (nobody) first.
 */
static int
read_only_child(void *arg)
{
    char *dir = arg;
    if (geteuid() == 0) {
        if (setgid(65534) || setuid(65534))
            return 77;
    }
    int bad = 0;
    char msg[512];
    kv_options opt;
    fx_options(&opt);
    kv_db *db;
    /* A new database inside a read-only directory. */
    char *inner = path_in(dir, "new");
    snprintf(msg, sizeof msg, "cannot create database directory %s: Permission denied", inner);
    kv_status st = kv_db_open(inner, &opt, &db);
    bad |= child_expect("new db in a read-only dir", st, kv_errmsg(NULL), KV_IO, msg);
    free(inner);
    /* The existing database, read-write: refused, saying what would work. */
    snprintf(msg, sizeof msg,
             "cannot open database %s: Permission denied (open it read-only to read it)", dir);
    st = kv_db_open(dir, &opt, &db);
    bad |= child_expect("read-write", st, kv_errmsg(NULL), KV_IO, msg);
    /* Read-only too, as LMDB's readers write their slots in lock.mdb. */
    opt.read_only = 1;
    snprintf(msg, sizeof msg,
             "cannot open database %s: Permission denied (reading needs write access to its "
             "lock.mdb)",
             dir);
    st = kv_db_open(dir, &opt, &db);
    bad |= child_expect("read-only", st, kv_errmsg(NULL), KV_IO, msg);
    /* With lock.mdb writable, a read-only handle reads everything and
     * refuses writes. */
    char *lock = path_in(dir, "lock.mdb");
    if (chmod(dir, 0755) || chmod(lock, 0644) || chmod(dir, 0555))
        return 2;
    free(lock);
    st = kv_db_open(dir, &opt, &db);
    bad |= child_expect("read-only, lock writable", st, kv_errmsg(NULL), KV_OK, "");
    if (st == KV_OK) {
        char *resp = NULL;
        const char *req = "{\"TableName\":\"Files\",\"Select\":\"COUNT\"}";
        st = kv_request(db, "Scan", req, strlen(req), &resp);
        bad |= child_expect("scan", st, kv_errmsg(db), KV_OK, "");
        if (st == KV_OK && !strstr(resp, "\"Count\":5,"))
            bad |= child_expect(resp, st, "", KV_INTERNAL, "Count 5");
        kv_free(resp);
        st = put_big(db, 9, 10);
        bad |= child_expect("write", st, kv_errmsg(db), KV_MISUSE,
                            "The database is open read-only");
        kv_db_close(db);
    }
    /* Only the directory read-only, its files writable: LMDB creates no
     * file, so reading and writing work. */
    char *cmd;
    if (asprintf(&cmd, "chmod 0644 '%s'/* && chmod 0555 '%s'", dir, dir) < 0 || system(cmd))
        return 2;
    free(cmd);
    opt.read_only = 0;
    st = kv_db_open(dir, &opt, &db);
    bad |= child_expect("read-only dir, writable files", st, kv_errmsg(NULL), KV_OK, "");
    if (st == KV_OK) {
        st = put_big(db, 5, 100);
        bad |= child_expect("write in a read-only dir", st, kv_errmsg(db), KV_OK, "");
        kv_db_close(db);
    }
    return bad;
}

static void
chown_tree(const char *dir, const char *mode_dir, const char *mode_files)
{
    char *cmd;
    assert_true(asprintf(&cmd, "chown -R 65534:65534 '%s' 2>/dev/null; chmod %s '%s'/*; "
                               "chmod %s '%s'",
                         dir, mode_files, dir, mode_dir, dir) > 0);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

static void
fault04_read_only_dir(void **state)
{
    (void)state;
    char *dir = make_db(5, 100);
    chown_tree(dir, "0555", "0444");
    int rc = in_child(read_only_child, dir);
    if (rc == 77)
        skip();
    assert_int_equal(rc, 0);
    chown_tree(dir, "0755", "0644");
    kv_db *db = open_ok(dir, NULL);
    expect_items(db, 6, 100);
    kv_db_close(db);
    fx_rmdir(dir);
}

/* --- damaged files ---------------------------------------------------------- */

struct damaged {
    const char *dir;
    kv_status open_status; /* what kv_db_open must return */
    const char *open_message;
};

static int
damaged_child(void *arg)
{
    struct damaged *d = arg;
    kv_options opt;
    fx_options(&opt);
    kv_db *db = NULL;
    kv_status st = kv_db_open(d->dir, &opt, &db);
    int bad = child_expect(d->dir, st, kv_errmsg(NULL), d->open_status, d->open_message);
    kv_db_close(db);
    return bad;
}

static void
truncate_to(const char *dir, off_t size)
{
    char *data = path_in(dir, "data.mdb");
    assert_int_equal(truncate(data, size), 0);
    free(data);
}

static void
fault05_truncated(void **state)
{
    (void)state;
    char *dir = make_db(40, 2000);
    char *data = path_in(dir, "data.mdb");
    struct stat sb;
    assert_int_equal(stat(data, &sb), 0);
    char *copy = path_in(dir, "data.copy");
    copy_file(data, copy);
    off_t sizes[] = {sb.st_size / 2, sb.st_size - 4096, 8192, 4096, 100};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        copy_file(copy, data);
        truncate_to(dir, sizes[i]);
        char msg[512];
        if (sizes[i] >= 8192)
            snprintf(msg, sizeof msg,
                     "database %s is truncated: its data file has %lld bytes, its pages need %lld",
                     dir, (long long)sizes[i], (long long)sb.st_size);
        else
            snprintf(msg, sizeof msg, "opening the database: MDB_INVALID: File is not an LMDB file");
        struct damaged d = {dir, KV_CORRUPT, msg};
        assert_int_equal(in_child(damaged_child, &d), 0);
    }
    /* Cut to nothing, the file cannot be told from one never written: LMDB
     * starts a new, empty database in it. */
    truncate_to(dir, 0);
    kv_db *empty = open_ok(dir, NULL);
    struct fx fe = {dir, empty};
    char *tables = fx_request(&fe, "ListTables", "{}", KV_OK);
    fx_assert_json(tables, "{\"TableNames\":[]}");
    kv_free(tables);
    kv_db_close(empty);
    /* Put back whole, the database is as it was. */
    copy_file(copy, data);
    kv_db *db = open_ok(dir, NULL);
    expect_items(db, 40, 2000);
    kv_db_close(db);
    free(copy);
    free(data);
    fx_rmdir(dir);
}

/*
 * Overwrite `n` bytes with `fill` at `at` bytes from the copies of `marker`
 * in the data file (negative: before it): every copy, since LMDB pages
 * also keep stale bytes in their free space; or, with n == 4096, the whole
 * page of the first copy.
 */
static void
damage_near(const char *dir, const char *marker, long at, size_t n, int fill)
{
    char *data = path_in(dir, "data.mdb");
    FILE *fp = fopen(data, "r+b");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    char *buf = malloc((size_t)size);
    rewind(fp);
    assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
    char *hit = memmem(buf, (size_t)size, marker, strlen(marker));
    assert_non_null(hit);
    if (n == 4096) {
        long off = (long)(hit - buf);
        memset(buf + off - off % 4096, fill, n);
    }
    for (; hit && n < 4096; hit = memmem(hit + 1, (size_t)(buf + size - hit - 1), marker,
                                         strlen(marker)))
        memset(hit + at, fill, n);
    rewind(fp);
    assert_int_equal(fwrite(buf, 1, (size_t)size, fp), (size_t)size);
    fclose(fp);
    free(buf);
    free(data);
}

/* A database with one marked item among others, closed. */
static char *
make_marked_db(void)
{
    char *dir = make_db(30, 100);
    kv_db *db = open_ok(dir, NULL);
    struct fx f = {dir, db};
    fx_ok(&f, "PutItem",
          "{\"TableName\":\"Files\",\"Item\":{\"id\":{\"N\":\"1000\"},"
          "\"tag\":{\"S\":\"t1\"},\"data\":{\"S\":\"MARKER-MARKER-MARKER\"}}}");
    kv_db_close(db);
    return dir;
}

/* What each call on a damaged database must answer; NULL message: OK. */
struct corrupt_case {
    const char *dir;
    const char *open;               /* kv_db_open's message, NULL: it opens */
    const char *get, *scan, *query, *put;
    const char *check;              /* kv_db_check's message */
    uint64_t problems;
};

static int
corrupt_read_child(void *arg)
{
    const struct corrupt_case *c = arg;
    kv_options opt;
    fx_options(&opt);
    kv_db *db;
    kv_status st = kv_db_open(c->dir, &opt, &db);
    if (c->open)
        return child_expect("open", st, kv_errmsg(NULL), KV_CORRUPT, c->open);
    if (st != KV_OK)
        return child_expect("open", st, kv_errmsg(NULL), KV_OK, "");
    const char *reqs[][3] = {
        {"GetItem", "{\"TableName\":\"Files\",\"Key\":{\"id\":{\"N\":\"1000\"}}}", c->get},
        {"Scan", "{\"TableName\":\"Files\"}", c->scan},
        {"Query",
         "{\"TableName\":\"Files\",\"IndexName\":\"ByTag\",\"KeyConditionExpression\":"
         "\"tag = :t\",\"ExpressionAttributeValues\":{\":t\":{\"S\":\"t1\"}}}",
         c->query},
        {"PutItem", "{\"TableName\":\"Files\",\"Item\":{\"id\":{\"N\":\"1000\"}}}", c->put},
    };
    int bad = 0;
    for (size_t i = 0; i < 4; i++) {
        char *resp = NULL;
        st = kv_request(db, reqs[i][0], reqs[i][1], strlen(reqs[i][1]), &resp);
        bad |= child_expect(reqs[i][0], st, st ? kv_errmsg(db) : "",
                            reqs[i][2] ? KV_CORRUPT : KV_OK, reqs[i][2] ? reqs[i][2] : "");
        kv_free(resp);
    }
    /* The typed Scan and Query, which copy and decode each entry their own
     * way, answer alike. */
    kv_read_result *res = NULL;
    st = kv_scan(db, "Files", NULL, &res);
    bad |= child_expect("kv_scan", st, st ? kv_errmsg(db) : "", c->scan ? KV_CORRUPT : KV_OK,
                        c->scan ? c->scan : "");
    bad |= (st != KV_OK) != (res == NULL);
    kv_read_result_free(res);
    kv_item *values = kv_item_new();
    bad |= !values || kv_item_put_s(values, ":t", "t1") != KV_OK;
    kv_read_opts o = {.index = "ByTag", .values = values};
    res = NULL;
    st = kv_query(db, "Files", "tag = :t", &o, &res);
    bad |= child_expect("kv_query", st, st ? kv_errmsg(db) : "", c->query ? KV_CORRUPT : KV_OK,
                        c->query ? c->query : "");
    bad |= (st != KV_OK) != (res == NULL);
    kv_read_result_free(res);
    kv_item_free(values);
    uint64_t problems = 0;
    st = kv_db_check(db, NULL, NULL, NULL, &problems);
    bad |= child_expect("check", st, kv_errmsg(db), KV_CORRUPT, c->check);
    if (problems != c->problems) {
        fprintf(stderr, "check: %llu problems, want %llu\n", (unsigned long long)problems,
                (unsigned long long)c->problems);
        bad = 1;
    }
    kv_db_close(db);
    return bad;
}

#define BAD_ITEM "stored item is corrupt: unknown value tag 0xff at byte 30"
#define BAD_PAGE "MDB_CORRUPTED: Located page was wrong type"

static void
fault06_corrupted(void **state)
{
    (void)state;
    /* The bytes of one item (every copy, since LMDB pages keep stale bytes
     * in their free space): its tag and length.  The item is refused
     * wherever it is read, also by a write that would replace it (it must
     * read the old item to update the indexes); the others are fine. */
    char *dir = make_marked_db();
    damage_near(dir, "MARKER-MARKER-MARKER", -2, 2, 0xff);
    struct corrupt_case item = {dir, NULL, BAD_ITEM, BAD_ITEM, BAD_ITEM, BAD_ITEM,
                                "7 inconsistencies found", 7};
    assert_int_equal(in_child(corrupt_read_child, &item), 0);
    fx_rmdir(dir);

    /* A whole page of the table zeroed: LMDB reports it; the index, in
     * other pages, still answers. */
    dir = make_marked_db();
    damage_near(dir, "MARKER-MARKER-MARKER", 0, 4096, 0);
    struct corrupt_case page = {dir,
                                NULL,
                                "reading an item: " BAD_PAGE,
                                "reading a table: " BAD_PAGE,
                                NULL,
                                "reading an item: " BAD_PAGE,
                                "reading a table: " BAD_PAGE,
                                0};
    assert_int_equal(in_child(corrupt_read_child, &page), 0);
    fx_rmdir(dir);

    /* The two meta pages at the start of the file. */
    dir = make_marked_db();
    char *data = path_in(dir, "data.mdb");
    FILE *fp = fopen(data, "r+b");
    char junk[8192];
    memset(junk, 0x33, sizeof junk);
    assert_int_equal(fwrite(junk, 1, sizeof junk, fp), sizeof junk);
    fclose(fp);
    struct corrupt_case meta = {.dir = dir,
                                .open = "opening the database: MDB_INVALID: File is not an LMDB file"};
    assert_int_equal(in_child(corrupt_read_child, &meta), 0);
    free(data);
    fx_rmdir(dir);
}

/* --- a process killed while it held the database ------------------------- */

/*
 * The child opens the database, takes a reader slot and, if `writer`,
 * LMDB's writer lock (a write transaction left open, with a change in it),
 * says so on the pipe and waits to be killed.
 */
static void
hold_and_wait(const char *dir, int fd, bool writer)
{
    kv_options opt;
    fx_options(&opt);
    kv_db *db;
    MDB_txn *w, *r;
    MDB_dbi dbi;
    MDB_val k = {3, "key"}, v = {5, "value"};
    if (kv_db_open(dir, &opt, &db) != KV_OK || mdb_txn_begin(db->env, NULL, MDB_RDONLY, &r) ||
        (writer && (mdb_txn_begin(db->env, NULL, 0, &w) || mdb_dbi_open(w, NULL, 0, &dbi) ||
                    mdb_put(w, dbi, &k, &v, 0))))
        _exit(1);
    if (write(fd, "h", 1) != 1)
        _exit(1);
    for (;;)
        pause();
}

static int
open_close_child(void *arg)
{
    kv_options opt;
    fx_options(&opt);
    kv_db *db;
    if (kv_db_open(arg, &opt, &db) != KV_OK)
        return 1;
    kv_db_close(db);
    return 0;
}

static void
kill_holder(const char *dir, bool writer)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        hold_and_wait(dir, fds[1], writer);
    }
    close(fds[1]);
    char c;
    assert_int_equal(read(fds[0], &c, 1), 1);
    close(fds[0]);
    assert_int_equal(kill(pid, SIGKILL), 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
}

static void
watchdog(int sig)
{
    (void)sig;
    static const char msg[] = "faults: watchdog fired: a dead process's lock was not recovered\n";
    if (write(2, msg, sizeof msg - 1) < 0)
        _exit(2);
    _exit(2);
}

static void
fault07_stale_lock(void **state)
{
    (void)state;
    signal(SIGALRM, watchdog);
    alarm(30);
    char *dir = make_db(3, 50);
    /* Killed beside a live process: LMDB's lock file stays as the dead
     * process left it, writer lock taken.  The next write recovers the
     * lock (a robust mutex) and goes on; the dead transaction left nothing. */
    kv_db *db = open_ok(dir, NULL);
    kill_holder(dir, true);
    assert_int_equal(put_big(db, 3, 50), KV_OK);
    expect_items(db, 4, 50);
    /* A reader killed beside a live process: its slot would pin the pages
     * of its snapshot, so no later write could reuse them, and enough such
     * deaths would leave no slot for anyone.  The next process to open
     * frees the dead slots. */
    kill_holder(dir, false);
    assert_int_equal(in_child(open_close_child, dir), 0);
    int dead = -1;
    assert_int_equal(mdb_reader_check(db->env, &dead), 0);
    assert_int_equal(dead, 0);
    kv_db_close(db);
    /* Killed alone: the next process to open finds a stale lock file. */
    kill_holder(dir, true);
    db = open_ok(dir, NULL);
    assert_int_equal(put_big(db, 4, 50), KV_OK);
    expect_items(db, 5, 50);
    kv_db_close(db);
    alarm(0);
    fx_rmdir(dir);
}

/* --- file permissions --------------------------------------------------- */

static void
expect_modes(const char *dir, unsigned mode)
{
    const char *files[] = {"data.mdb", "lock.mdb", "capacity.map"};
    for (size_t i = 0; i < 3; i++) {
        char *p = path_in(dir, files[i]);
        struct stat sb;
        assert_int_equal(stat(p, &sb), 0);
        if ((sb.st_mode & 0777) != mode)
            fprintf(stderr, "%s: mode %o, want %o\n", p, sb.st_mode & 0777, mode);
        assert_int_equal(sb.st_mode & 0777, mode);
        free(p);
    }
}

static void
fault08_file_modes(void **state)
{
    (void)state;
    mode_t old = umask(022);
    char *base = fx_mkdtemp();
    /* Default: 0600, the directory 0700. */
    char *dir = path_in(base, "private");
    kv_db *db = open_ok(dir, NULL);
    kv_db_close(db);
    expect_modes(dir, 0600);
    struct stat sb;
    assert_int_equal(stat(dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    free(dir);
    /* file_mode 0644: readable by others, the directory searchable. */
    dir = path_in(base, "shared");
    kv_options opt;
    fx_options(&opt);
    opt.file_mode = 0644;
    db = open_ok(dir, &opt);
    kv_db_close(db);
    expect_modes(dir, 0644);
    assert_int_equal(stat(dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0755);
    free(dir);
    umask(old);
    fx_rmdir(base);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fault01_map_full),
        cmocka_unit_test(fault02_disk_full),
        cmocka_unit_test(fault03_missing_dir),
        cmocka_unit_test(fault04_read_only_dir),
        cmocka_unit_test(fault05_truncated),
        cmocka_unit_test(fault06_corrupted),
        cmocka_unit_test(fault07_stale_lock),
        cmocka_unit_test(fault08_file_modes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
