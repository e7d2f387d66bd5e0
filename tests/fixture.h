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

#endif
