/*
 * serve_creds.c -- reading the credentials file of `kv serve`.
 *
 * The format is described in serve_creds.h.  Parsing is strict: a line
 * with other than two fields, an access key id holding '/' (it could not
 * appear in a SigV4 credential scope) or a key listed twice stops the
 * server from starting, since a mistyped file would otherwise turn into
 * requests refused much later for no visible reason.
 */
#include "serve_creds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Longer than any AWS key id (128) or secret; keeps the file sane. */
#define FIELD_MAX 256
#define FILE_MAX (1 << 20)

struct cred {
    char *akid;
    char *secret;
};

struct serve_creds {
    struct cred *keys;
    size_t n_keys;
};

void
serve_creds_free(struct serve_creds *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_keys; i++) {
        free(c->keys[i].akid);
        if (c->keys[i].secret) {
            memset(c->keys[i].secret, 0, strlen(c->keys[i].secret));
            free(c->keys[i].secret);
        }
    }
    free(c->keys);
    free(c);
}

size_t
serve_creds_count(const struct serve_creds *c)
{
    return c ? c->n_keys : 0;
}

const char *
serve_creds_lookup(void *ctx, const char *akid)
{
    const struct serve_creds *c = ctx;
    for (size_t i = 0; i < c->n_keys; i++)
        if (strcmp(c->keys[i].akid, akid) == 0)
            return c->keys[i].secret;
    return NULL;
}

/* Split a line into at most 3 white-space separated fields. */
static int
split_fields(char *line, char *fields[3])
{
    int n = 0;
    for (char *save = NULL, *tok = strtok_r(line, " \t\r", &save); tok && n < 3;
         tok = strtok_r(NULL, " \t\r", &save))
        fields[n++] = tok;
    return n;
}

static int
add_line(struct serve_creds *c, char *line, int lineno, char *err, size_t errlen)
{
    char *f[3];
    int n = split_fields(line, f);
    if (n == 0 || f[0][0] == '#')
        return 0;
    if (n != 2) {
        snprintf(err, errlen, "line %d: expected an access key id and a secret", lineno);
        return -1;
    }
    if (strlen(f[0]) > FIELD_MAX || strlen(f[1]) > FIELD_MAX || strchr(f[0], '/')) {
        snprintf(err, errlen, "line %d: not a valid access key id and secret", lineno);
        return -1;
    }
    if (serve_creds_lookup(c, f[0])) {
        snprintf(err, errlen, "line %d: access key id %s is listed twice", lineno, f[0]);
        return -1;
    }
    struct cred *keys = realloc(c->keys, (c->n_keys + 1) * sizeof *keys);
    if (!keys) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    c->keys = keys;
    struct cred *k = &c->keys[c->n_keys];
    k->akid = strdup(f[0]);
    k->secret = strdup(f[1]);
    c->n_keys++;
    if (!k->akid || !k->secret) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

struct serve_creds *
serve_creds_parse(const char *text, char *err, size_t errlen)
{
    struct serve_creds *c = calloc(1, sizeof *c);
    char *copy = strdup(text);
    if (!c || !copy) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    int lineno = 1;
    for (char *line = copy; line; lineno++) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (add_line(c, line, lineno, err, errlen))
            goto fail;
        line = nl ? nl + 1 : NULL;
    }
    if (c->n_keys == 0) {
        snprintf(err, errlen, "no access keys listed");
        goto fail;
    }
    memset(copy, 0, strlen(text));
    free(copy);
    return c;
fail:
    if (copy)
        memset(copy, 0, strlen(text));
    free(copy);
    serve_creds_free(c);
    return NULL;
}

struct serve_creds *
serve_creds_load(const char *path, int *loose, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    struct stat st;
    *loose = fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0;
    char *text = malloc(FILE_MAX + 1);
    size_t n = text ? fread(text, 1, FILE_MAX + 1, f) : 0;
    int failed = ferror(f);
    fclose(f);
    struct serve_creds *c = NULL;
    if (!text)
        snprintf(err, errlen, "out of memory");
    else if (failed)
        snprintf(err, errlen, "cannot read the file");
    else if (n > FILE_MAX)
        snprintf(err, errlen, "the file is larger than %d bytes", FILE_MAX);
    else {
        text[n] = '\0';
        c = serve_creds_parse(text, err, errlen);
    }
    if (text) {
        memset(text, 0, n < FILE_MAX + 1 ? n : FILE_MAX + 1);
        free(text);
    }
    return c;
}
