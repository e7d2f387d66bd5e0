/*
 * fixture.c -- see fixture.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fixture.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

char *
fx_mkdtemp(void)
{
    const char *base = getenv("KV_TEST_TMP");
    if (!base)
        base = getenv("TMPDIR");
    if (!base)
        base = "/tmp";
    char *path;
    if (asprintf(&path, "%s/kvtest.XXXXXX", base) < 0)
        return NULL;
    if (!mkdtemp(path)) {
        free(path);
        return NULL;
    }
    return path;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void
fx_rmdir(char *path)
{
    if (!path)
        return;
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(path);
}

void
fx_options(kv_options *opt)
{
    kv_options_default(opt);
    opt->no_sync = 1;
    /* Behaviour tests run at full speed on the real clock: capacity is
     * counted but not enforced, or how fast the machine is would decide
     * whether a test is throttled. */
    opt->unlimited_capacity = 1;
}

int
fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f || !(f->dir = fx_mkdtemp()))
        return -1;
    kv_options opt;
    fx_options(&opt);
    if (kv_db_open(f->dir, &opt, &f->db) != KV_OK) {
        fprintf(stderr, "open: %s\n", kv_errmsg(NULL));
        return -1;
    }
    *state = f;
    return 0;
}

int
fx_teardown(void **state)
{
    struct fx *f = *state;
    kv_db_close(f->db);
    fx_rmdir(f->dir);
    free(f);
    return 0;
}

void
fx_reopen(struct fx *f)
{
    kv_db_close(f->db);
    kv_options opt;
    fx_options(&opt);
    assert_int_equal(kv_db_open(f->dir, &opt, &f->db), KV_OK);
}

char *
fx_request(struct fx *f, const char *op, const char *json, kv_status expect)
{
    char *resp = NULL;
    kv_status st = kv_request(f->db, op, json, strlen(json), &resp);
    if (st != expect)
        fprintf(stderr, "%s %s\n -> %s %s\n", op, json, kv_status_name(st), resp ? resp : "");
    assert_int_equal(st, expect);
    assert_non_null(resp);
    return resp;
}

json_t *
fx_json(struct fx *f, const char *op, const char *json)
{
    char *r = fx_request(f, op, json, KV_OK);
    json_t *j = json_loads(r, 0, NULL);
    kv_free(r);
    assert_non_null(j);
    return j;
}

void
fx_expect_error(struct fx *f, const char *op, const char *json, kv_status st,
                const char *message)
{
    char *resp = fx_request(f, op, json, st);
    if (strcmp(kv_errmsg(f->db), message) != 0)
        fprintf(stderr, "%s %s\n got:  %s\n want: %s\n", op, json, kv_errmsg(f->db), message);
    assert_string_equal(kv_errmsg(f->db), message);
    json_t *body = json_loads(resp, 0, NULL);
    assert_non_null(body);
    const char *type = json_string_value(json_object_get(body, "__type"));
    assert_non_null(type);
    const char *hash = strchr(type, '#');
    assert_non_null(hash);
    assert_string_equal(hash + 1, kv_status_name(st));
    const char *m = json_string_value(json_object_get(body, "message"));
    if (!m)
        m = json_string_value(json_object_get(body, "Message"));
    assert_non_null(m);
    assert_string_equal(m, message);
    json_decref(body);
    kv_free(resp);
}

void
fx_ok(struct fx *f, const char *op, const char *json)
{
    kv_free(fx_request(f, op, json, KV_OK));
}

void
fx_assert_json(const char *got, const char *want)
{
    json_error_t e;
    json_t *g = json_loads(got, 0, &e), *w = json_loads(want, 0, &e);
    assert_non_null(g);
    if (!w)
        fprintf(stderr, "bad expected JSON: %s (%s)\n", want, e.text);
    assert_non_null(w);
    if (!json_equal(g, w))
        fprintf(stderr, " got:  %s\n want: %s\n", got, want);
    assert_true(json_equal(g, w));
    json_decref(g);
    json_decref(w);
}

void
fx_create_music(struct fx *f)
{
    fx_ok(f, "CreateTable",
          "{\"TableName\":\"Music\","
          "\"AttributeDefinitions\":[{\"AttributeName\":\"Artist\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"SongTitle\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"Artist\",\"KeyType\":\"HASH\"},"
          "{\"AttributeName\":\"SongTitle\",\"KeyType\":\"RANGE\"}],"
          "\"BillingMode\":\"PAY_PER_REQUEST\"}");
}
