/*
 * cli_dump.c -- kv dump: every item of a table, one per line.
 *
 * The default format is DynamoDB's export format (DYNAMODB_JSON), the one
 * its export to S3 writes: {"Item":{"Artist":{"S":"Acme Band"},...}} on
 * each line.  --plain writes each item as a plain JSON object instead
 * (see cli_plain.h).
 *
 * The table is read with Scan, a page at a time, and each page is written
 * out before the next is read, so memory stays at one page however large
 * the table.  A page is at most DEFAULT_PAGE items (or --page-size) and at
 * most DynamoDB's 1 MB; the item bound keeps the parsed page small, since
 * a full 1 MB page of small items costs tens of megabytes as JSON trees.
 */
#include "cli.h"
#include "cli_plain.h"
#include "cli_progress.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PAGE 1000

struct dump_opts {
    const char *table;
    const char *file;
    bool plain;
    long long page_size;
};

/* A stream that counts what goes through it, for the progress bar. */
struct counter {
    FILE *to;
    uint64_t bytes;
};

static ssize_t
count_write(void *cookie, const char *buf, size_t size)
{
    struct counter *c = cookie;
    size_t n = fwrite(buf, 1, size, c->to);
    c->bytes += n;
    return n == size ? (ssize_t)n : -1;
}

static int
parse_opts(struct cli *cli, int argc, char **argv, struct dump_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        int used = cli_global_option(cli, argc - i, argv + i);
        if (used < 0)
            return EXIT_USAGE;
        if (used > 0)
            i += used - 1;
        else if (!strcmp(argv[i], "--plain"))
            o->plain = true;
        else if (!strcmp(argv[i], "--output-file") && i + 1 < argc)
            o->file = argv[++i];
        else if (!strcmp(argv[i], "--page-size") && i + 1 < argc)
            o->page_size = atoll(argv[++i]);
        else if (!strncmp(argv[i], "--", 2) || o->table)
            return cli_usage_error("Unknown options: %s", argv[i]);
        else
            o->table = argv[i];
    }
    if (!o->table)
        return cli_usage_error("the following arguments are required: TABLE");
    return 0;
}

static void
write_item(FILE *f, const json_t *item, bool plain)
{
    if (plain) {
        plain_write_item(f, item);
    } else {
        fputs("{\"Item\":", f);
        json_dumpf(item, f, JSON_COMPACT);
        fputc('}', f);
    }
    fputc('\n', f);
}

static uint64_t
item_count(struct cli *cli, const char *table, int *rc)
{
    json_t *req = json_pack("{s:s}", "TableName", table), *resp;
    *rc = cli_call_op(cli, "DescribeTable", req, &resp);
    json_decref(req);
    uint64_t n = *rc ? 0
                     : (uint64_t)json_integer_value(
                           json_object_get(json_object_get(resp, "Table"), "ItemCount"));
    json_decref(resp);
    return n;
}

static int
scan_to(struct cli *cli, const struct dump_opts *o, FILE *out, struct counter *c,
        struct progress *bar)
{
    json_t *req = json_pack("{s:s}", "TableName", o->table);
    json_object_set_new(req, "Limit", json_integer(o->page_size ? o->page_size : DEFAULT_PAGE));
    uint64_t items = 0;
    int rc;
    for (;;) {
        json_t *resp;
        if ((rc = cli_call_op(cli, "Scan", req, &resp)))
            break;
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(resp, "Items"), i, item) write_item(out, item, o->plain);
        items += json_array_size(json_object_get(resp, "Items"));
        fflush(out);
        progress_update(bar, items, c->bytes);
        json_t *last = json_object_get(resp, "LastEvaluatedKey");
        if (last)
            json_object_set(req, "ExclusiveStartKey", last);
        json_decref(resp);
        if (!last)
            break;
    }
    json_decref(req);
    return rc;
}

int
cli_cmd_dump(struct cli *cli, int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return cli_help_command("dump") ? 0 : EXIT_USAGE;
    struct dump_opts o;
    int rc = parse_opts(cli, argc, argv, &o);
    if (rc)
        return rc;
    uint64_t total = item_count(cli, o.table, &rc);
    if (rc)
        return rc;
    FILE *dest = o.file ? fopen(o.file, "w") : stdout;
    if (!dest) {
        fprintf(stderr, "\nkv dump: cannot write %s: %s\n", o.file, strerror(errno));
        return 255;
    }
    struct counter c = {dest, 0};
    FILE *out = fopencookie(&c, "w", (cookie_io_functions_t){NULL, count_write, NULL, NULL});
    struct progress bar;
    progress_start(&bar, "dumping", total, 0);
    rc = out ? scan_to(cli, &o, out, &c, &bar) : 255;
    if (out && fclose(out) != 0 && !rc) {
        fprintf(stderr, "\nkv dump: write failed: %s\n", strerror(errno));
        rc = 255;
    }
    progress_end(&bar);
    if ((dest != stdout && fclose(dest) != 0) || (dest == stdout && fflush(stdout) != 0)) {
        fprintf(stderr, "\nkv dump: write failed: %s\n", strerror(errno));
        rc = rc ? rc : 255;
    }
    return rc;
}
