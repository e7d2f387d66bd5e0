/*
 * cli_load.c -- kv load: items from a file in the format kv dump writes.
 *
 * Lines are read one at a time and gathered into batches of 25, DynamoDB's
 * BatchWriteItem limit; each batch is written when it is full, so memory
 * holds one line and one batch whatever the file's size.  Where the
 * library has no BatchWriteItem yet, write_batch puts the items one by
 * one instead, and nothing else changes.
 *
 * Failure leaves a clean edge.  Every line of a batch is read and checked
 * (JSON, the {"Item": ...} wrapper, the table's key attributes present
 * and of the right type) before any of it is written, so a bad line stops
 * the load with its number and nothing from its batch is written; the
 * batches before it stay.  Two items with the same key never share a
 * batch (DynamoDB would refuse it): the batch is written first.
 */
#include "cli.h"
#include "cli_plain.h"
#include "cli_progress.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define BATCH_MAX 25

struct load {
    struct cli *cli;
    const char *table;
    bool plain;
    bool batch_api; /* the library has BatchWriteItem */
    char hash[256], range[256];
    char hash_type, range_type;
    json_t *batch;         /* array of items */
    json_t *batch_keys;    /* key text -> true */
    long lines[BATCH_MAX]; /* line of each item in the batch */
    long committed_line;   /* last line whose item is written */
    uint64_t loaded;
};

static int
load_schema(struct load *l)
{
    json_t *req = json_pack("{s:s}", "TableName", l->table), *resp;
    int rc = cli_call_op(l->cli, "DescribeTable", req, &resp);
    json_decref(req);
    if (rc)
        return rc;
    json_t *t = json_object_get(resp, "Table");
    size_t i, j;
    json_t *k, *d;
    json_array_foreach(json_object_get(t, "KeySchema"), i, k)
    {
        const char *name = json_string_value(json_object_get(k, "AttributeName"));
        bool hash = !strcmp(json_string_value(json_object_get(k, "KeyType")), "HASH");
        snprintf(hash ? l->hash : l->range, sizeof l->hash, "%s", name);
        json_array_foreach(json_object_get(t, "AttributeDefinitions"), j, d)
        {
            if (!strcmp(json_string_value(json_object_get(d, "AttributeName")), name))
                *(hash ? &l->hash_type : &l->range_type) =
                    json_string_value(json_object_get(d, "AttributeType"))[0];
        }
    }
    json_decref(resp);
    return 0;
}

static int
line_error(const struct load *l, long line, const char *detail)
{
    fprintf(stderr, "\nkv load: line %ld: %s", line, detail);
    fprintf(stderr,
            "\n%llu items loaded (lines up to %ld); nothing after line %ld was "
            "written\n",
            (unsigned long long)l->loaded, l->committed_line, l->committed_line);
    return EXIT_USAGE;
}

/* The key attribute @p name of @p item as text, or NULL if missing or mistyped. */
static const char *
key_part(const json_t *item, const char *name, char type)
{
    json_t *av = json_object_get(item, name);
    json_t *v = json_object_get(av, (char[]){type, 0});
    return json_object_size(av) == 1 && json_is_string(v) ? json_string_value(v) : NULL;
}

/* Parse one line into an item, checked against the key schema. */
static json_t *
parse_line(const struct load *l, const char *text, size_t len, long line, int *rc)
{
    json_t *item = NULL;
    char *err = NULL;
    if (l->plain) {
        item = plain_parse_item(text, len, &err);
    } else {
        json_error_t jerr;
        json_t *wrapper = json_loadb(text, len, 0, &jerr);
        item = json_incref(json_object_get(wrapper, "Item"));
        if (!wrapper)
            err = strdup(jerr.text);
        else if (!json_is_object(item) || json_object_size(wrapper) != 1)
            err = strdup("expected {\"Item\": {...}}, DynamoDB's export format "
                         "(--plain reads plain JSON objects)");
        json_decref(wrapper);
    }
    const char *missing = NULL;
    if (!err && !key_part(item, l->hash, l->hash_type))
        missing = l->hash;
    else if (!err && *l->range && !key_part(item, l->range, l->range_type))
        missing = l->range;
    if (err || missing) {
        char msg[600];
        if (missing)
            snprintf(msg, sizeof msg, "the key attribute %s is missing or not of type %c", missing,
                     missing == l->hash ? l->hash_type : l->range_type);
        *rc = line_error(l, line, err ? err : msg);
        free(err);
        json_decref(item);
        return NULL;
    }
    return item;
}

static void
backoff(int attempt)
{
    struct timespec ts = {0, (long)(50000000L << (attempt < 4 ? attempt : 4))};
    nanosleep(&ts, NULL);
}

/* BatchWriteItem, sending back unprocessed items until none remain. */
static int
write_batch_api(struct load *l)
{
    json_t *puts_ = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(l->batch, i, item)
    {
        json_array_append_new(puts_, json_pack("{s:{s:O}}", "PutRequest", "Item", item));
    }
    json_t *req = json_pack("{s:{s:o}}", "RequestItems", l->table, puts_);
    int rc = 0;
    for (int attempt = 0;; attempt++) {
        json_t *resp;
        if ((rc = cli_call_op(l->cli, "BatchWriteItem", req, &resp)))
            break;
        json_t *left = json_object_get(resp, "UnprocessedItems");
        bool more = json_object_size(left) > 0;
        if (more)
            json_object_set(req, "RequestItems", left);
        json_decref(resp);
        if (!more)
            break;
        backoff(attempt);
    }
    json_decref(req);
    return rc;
}

/* PutItem for each item: each is its own commit, so the edge is one line. */
static int
write_batch_puts(struct load *l)
{
    size_t i;
    json_t *item;
    json_array_foreach(l->batch, i, item)
    {
        json_t *req = json_pack("{s:s, s:O}", "TableName", l->table, "Item", item), *resp;
        int rc = cli_call_op(l->cli, "PutItem", req, &resp);
        json_decref(req);
        json_decref(resp);
        if (rc)
            return rc;
        l->loaded++;
        l->committed_line = l->lines[i];
    }
    return 0;
}

static int
flush_batch(struct load *l)
{
    size_t n = json_array_size(l->batch);
    if (!n)
        return 0;
    int rc = l->batch_api ? write_batch_api(l) : write_batch_puts(l);
    if (rc) {
        fprintf(stderr,
                "kv load: lines %ld to %ld were not written; %llu items loaded (lines "
                "up to %ld)\n",
                l->lines[0], l->lines[n - 1], (unsigned long long)l->loaded, l->committed_line);
    } else if (l->batch_api) {
        l->loaded += n;
        l->committed_line = l->lines[n - 1];
    }
    json_array_clear(l->batch);
    json_object_clear(l->batch_keys);
    return rc;
}

/* Add an item; the batch is written when full or when the key repeats. */
static int
add_item(struct load *l, json_t *item, long line)
{
    char *key;
    const char *range = *l->range ? key_part(item, l->range, l->range_type) : "";
    if (asprintf(&key, "%s%c%s", key_part(item, l->hash, l->hash_type), 0x1f, range) < 0)
        return 255;
    int rc = json_object_get(l->batch_keys, key) ? flush_batch(l) : 0;
    if (!rc) {
        l->lines[json_array_size(l->batch)] = line;
        json_array_append(l->batch, item);
        json_object_set_new(l->batch_keys, key, json_true());
        if (json_array_size(l->batch) == BATCH_MAX)
            rc = flush_batch(l);
    }
    free(key);
    return rc;
}

static bool
blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr(" \t\r\n", s[i]))
            return false;
    return true;
}

static int
read_lines(struct load *l, FILE *in, struct progress *bar)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    uint64_t bytes = 0;
    int rc = 0;
    while (!rc && (len = getline(&line, &cap, in)) >= 0) {
        lineno++;
        bytes += (uint64_t)len;
        if (blank(line, (size_t)len))
            continue;
        json_t *item = parse_line(l, line, (size_t)len, lineno, &rc);
        if (item)
            rc = add_item(l, item, lineno);
        json_decref(item);
        progress_update(bar, l->loaded + json_array_size(l->batch), bytes);
    }
    if (!rc && ferror(in)) {
        fprintf(stderr, "\nkv load: read failed after line %ld: %s\n", lineno, strerror(errno));
        rc = 255;
    }
    if (!rc)
        rc = flush_batch(l);
    free(line);
    return rc;
}

static int
parse_opts(int argc, char **argv, struct load *l, const char **file)
{
    *file = NULL;
    for (int i = 1; i < argc; i++) {
        int used = cli_global_option(l->cli, argc - i, argv + i);
        if (used < 0)
            return EXIT_USAGE;
        if (used > 0)
            i += used - 1;
        else if (!strcmp(argv[i], "--plain"))
            l->plain = true;
        else if (!strncmp(argv[i], "--", 2))
            return cli_usage_error("Unknown options: %s", argv[i]);
        else if (!l->table)
            l->table = argv[i];
        else if (!*file)
            *file = argv[i];
        else
            return cli_usage_error("Unknown options: %s", argv[i]);
    }
    if (!l->table)
        return cli_usage_error("the following arguments are required: TABLE");
    return 0;
}

int
cli_cmd_load(struct cli *cli, int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return cli_help_command("load") ? 0 : EXIT_USAGE;
    struct load l = {.cli = cli};
    const char *file;
    int rc = parse_opts(argc, argv, &l, &file);
    if (!rc)
        rc = load_schema(&l);
    if (rc)
        return rc;
    FILE *in = file && strcmp(file, "-") ? fopen(file, "r") : stdin;
    if (!in) {
        fprintf(stderr, "\nkv load: cannot read %s: %s\n", file, strerror(errno));
        return 255;
    }
    struct stat st;
    uint64_t total = fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    l.batch_api = cli_supported(cli->db, "BatchWriteItem");
    l.batch = json_array();
    l.batch_keys = json_object();
    struct progress bar;
    progress_start(&bar, "loading", 0, total);
    rc = read_lines(&l, in, &bar);
    progress_end(&bar);
    if (in != stdin)
        fclose(in);
    json_decref(l.batch);
    json_decref(l.batch_keys);
    return rc;
}
