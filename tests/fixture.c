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
