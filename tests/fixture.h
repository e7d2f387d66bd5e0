/*
 * fixture.h -- shared test scaffolding: temporary directories, a database
 * opened there with syncing off, and helpers for the checks every test
 * makes (exact status and message, nothing written).
 */
#ifndef KV_TEST_FIXTURE_H
#define KV_TEST_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kv.h"

/* A fresh directory under the build tree (or TMPDIR); free with fx_rmdir. */
char *fx_mkdtemp(void);
/* Remove a directory tree and free the path. */
void fx_rmdir(char *path);

/*
 * The options behaviour tests open databases with: syncing off, and
 * capacity counted but never enforced (unlimited_capacity), so no test
 * depends on how fast the machine runs.  Throttling tests open their own
 * handle with an injected clock instead.
 */
void fx_options(kv_options *opt);

/*
 * A database in a fresh directory, opened with fx_options.  Use as
 * cmocka setup/teardown: *state becomes a struct fx *.
 */
struct fx {
    char *dir;
    kv_db *db;
};

int fx_setup(void **state);
int fx_teardown(void **state);
/* Close and reopen the database (persistence checks). */
void fx_reopen(struct fx *f);

/*
 * Run a JSON request and return the response body (free with kv_free);
 * asserts that the status is `expect`.
 */
char *fx_request(struct fx *f, const char *op, const char *json, kv_status expect);
/* Run a request that must succeed and return its response parsed (free
 * with json_decref). */
struct json_t;
struct json_t *fx_json(struct fx *f, const char *op, const char *json);
/* Run a request and assert the exact status and error message. */
void fx_expect_error(struct fx *f, const char *op, const char *json, kv_status st,
                     const char *message);
/* Run a request that must succeed; discard the response. */
void fx_ok(struct fx *f, const char *op, const char *json);
/* Assert that JSON text `got` equals `want` (compared as JSON values). */
void fx_assert_json(const char *got, const char *want);

/* The Music table of the DynamoDB documentation (Artist, SongTitle). */
void fx_create_music(struct fx *f);

#endif
