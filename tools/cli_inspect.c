/*
 * cli_inspect.c -- kv tables, kv describe and kv stats: a database and its
 * tables summarised for people.
 *
 * They read through the same requests as everything else (ListTables,
 * DescribeTable) and kv_db_stats for storage figures.  Sizes are shown
 * in binary units on a terminal and as plain byte counts otherwise, so
 * the output of kv tables can be sorted and summed by scripts.
 */
#include "cli.h"
#include "cli_grid.h"
#include "cli_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void
human_size(char *buf, size_t size, uint64_t bytes, bool human)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    if (!human) {
        snprintf(buf, size, "%llu", (unsigned long long)bytes);
        return;
    }
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, size, "%llu B", (unsigned long long)bytes);
    else
        snprintf(buf, size, "%.1f %s", v, units[u]);
}

/*
 * Allow global options; anything past @p max positional arguments is an
 * error.  The first positional argument, if any, goes to argv[0]'s slot
 * through @p first.
 */
static int
positionals(struct cli *cli, int argc, char **argv, int max, const char **first)
{
    int positional = 0;
    if (first)
        *first = NULL;
    for (int i = 1; i < argc; i++) {
        int used = cli_global_option(cli, argc - i, argv + i);
        if (used < 0)
            return EXIT_USAGE;
        if (used > 0)
            i += used - 1;
        else if (!strncmp(argv[i], "--", 2) || ++positional > max)
            return cli_usage_error("Unknown options: %s", argv[i]);
        else if (first && !*first)
            *first = argv[i];
    }
    return 0;
}

/* DescribeTable's TableDescription for @p name; NULL after printing the error. */
static json_t *
describe(struct cli *cli, const char *name, int *rc)
{
    json_t *req = json_pack("{s:s}", "TableName", name), *resp;
    *rc = cli_call_op(cli, "DescribeTable", req, &resp);
    json_decref(req);
    if (*rc)
        return NULL;
    json_t *table = json_incref(json_object_get(resp, "Table"));
    json_decref(resp);
    return table;
}

static void
table_row(struct grid *g, const json_t *t, bool human)
{
    char items[32], size[32], rcu[32] = "-", wcu[32] = "-", indexes[16];
    json_t *pt = json_object_get(t, "ProvisionedThroughput");
    const char *mode =
        json_string_value(json_object_get(json_object_get(t, "BillingModeSummary"), "BillingMode"));
    if (!mode)
        mode = "PROVISIONED";
    snprintf(items, sizeof items, "%lld",
             (long long)json_integer_value(json_object_get(t, "ItemCount")));
    human_size(size, sizeof size,
               (uint64_t)json_integer_value(json_object_get(t, "TableSizeBytes")), human);
    if (strcmp(mode, "PAY_PER_REQUEST") != 0) {
        snprintf(rcu, sizeof rcu, "%lld",
                 (long long)json_integer_value(json_object_get(pt, "ReadCapacityUnits")));
        snprintf(wcu, sizeof wcu, "%lld",
                 (long long)json_integer_value(json_object_get(pt, "WriteCapacityUnits")));
    }
    snprintf(indexes, sizeof indexes, "%zu",
             json_array_size(json_object_get(t, "GlobalSecondaryIndexes")) +
                 json_array_size(json_object_get(t, "LocalSecondaryIndexes")));
    const char *cells[] = {
        json_string_value(json_object_get(t, "TableName")), items, size, mode, rcu, wcu, indexes};
    grid_add(g, cells);
}

/* Every table name, page by page. */
static json_t *
all_tables(struct cli *cli, int *rc)
{
    json_t *names = json_array(), *req = json_object();
    for (;;) {
        json_t *resp;
        if ((*rc = cli_call_op(cli, "ListTables", req, &resp)))
            break;
        json_array_extend(names, json_object_get(resp, "TableNames"));
        json_t *last = json_object_get(resp, "LastEvaluatedTableName");
        if (last)
            json_object_set(req, "ExclusiveStartTableName", last);
        json_decref(resp);
        if (!last)
            break;
    }
    json_decref(req);
    if (*rc) {
        json_decref(names);
        return NULL;
    }
    return names;
}

int
cli_cmd_tables(struct cli *cli, int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return cli_help_command("tables") ? 0 : EXIT_USAGE;
    int rc = positionals(cli, argc, argv, 0, NULL);
    json_t *names = rc ? NULL : all_tables(cli, &rc);
    if (!names)
        return rc;
    int width = grid_terminal_width();
    static const char *const headers[] = {"NAME", "ITEMS", "SIZE",   "BILLING",
                                          "RCU",  "WCU",   "INDEXES"};
    struct grid *g = grid_new(7, headers);
    size_t i;
    json_t *name;
    json_array_foreach(names, i, name)
    {
        json_t *t = describe(cli, json_string_value(name), &rc);
        if (!t)
            break;
        table_row(g, t, width > 0);
        json_decref(t);
    }
    if (!rc)
        grid_print(stdout, g, width);
    grid_free(g);
    json_decref(names);
    return rc;
}

static const char *
key_role(const char *type)
{
    return type && !strcmp(type, "HASH") ? "partition" : "sort";
}

/* "Artist (S, partition), SongTitle (S, sort)" */
static void
print_keys(const json_t *schema, const json_t *defs)
{
    size_t i, j;
    json_t *k, *d;
    json_array_foreach(schema, i, k)
    {
        const char *name = json_string_value(json_object_get(k, "AttributeName"));
        const char *type = "?";
        json_array_foreach(defs, j, d)
        {
            if (!strcmp(json_string_value(json_object_get(d, "AttributeName")), name))
                type = json_string_value(json_object_get(d, "AttributeType"));
        }
        printf("%s%s (%s, %s)", i ? ", " : "", name, type,
               key_role(json_string_value(json_object_get(k, "KeyType"))));
    }
    putchar('\n');
}

static void
print_throughput(const json_t *pt, bool on_demand)
{
    if (on_demand || !pt)
        printf("on demand\n");
    else
        printf("provisioned: %lld RCU, %lld WCU\n",
               (long long)json_integer_value(json_object_get(pt, "ReadCapacityUnits")),
               (long long)json_integer_value(json_object_get(pt, "WriteCapacityUnits")));
}

/* Capacity units, cut (not rounded) to a tenth: never more than there is. */
static void
fmt_units(double v, char *buf, size_t size)
{
    double tenths = floor(v * 10);
    if (tenths == 10 * floor(v))
        snprintf(buf, size, "%.0f", floor(v));
    else
        snprintf(buf, size, "%.1f", tenths / 10);
}

static void
print_bucket(const kv_capacity_bucket *b, const char *unit)
{
    char avail[32], burst[32];
    fmt_units(b->available, avail, sizeof avail);
    fmt_units(b->burst, burst, sizeof burst);
    printf("%s %s", avail, unit);
    if (b->burst > 0)
        printf(" (%s banked burst)", burst);
}

/*
 * What a table or global index can spend now (kv_capacity_get):
 * "available    3000 RCU (2990 banked burst), 9.5 WCU"; an index's line
 * is indented under it.
 */
static void
print_available(kv_db *db, const char *table, const char *index)
{
    kv_capacity_info c;
    printf(index ? "  %-12s available " : "  %-12s ", index ? "" : "available");
    if (kv_capacity_get(db, table, index, &c) != KV_OK) {
        printf("unknown: %s\n", kv_errmsg(db));
        return;
    }
    print_bucket(&c.read, "RCU");
    printf(", ");
    print_bucket(&c.write, "WCU");
    if (c.partitions > 1)
        printf("; %u partitions", c.partitions);
    putchar('\n');
}

static void
print_indexes(kv_db *db, const json_t *t, const char *kind, bool on_demand)
{
    const char *lists = strcmp(kind, "global") ? "LocalSecondaryIndexes" : "GlobalSecondaryIndexes";
    const json_t *list = json_object_get(t, lists);
    const json_t *defs = json_object_get(t, "AttributeDefinitions");
    const char *table = json_string_value(json_object_get(t, "TableName"));
    size_t i;
    json_t *ix;
    json_array_foreach(list, i, ix)
    {
        char size[32];
        human_size(size, sizeof size,
                   (uint64_t)json_integer_value(json_object_get(ix, "IndexSizeBytes")), true);
        json_t *proj = json_object_get(ix, "Projection");
        printf("  %-12s %s index on ", json_string_value(json_object_get(ix, "IndexName")), kind);
        print_keys(json_object_get(ix, "KeySchema"), defs);
        printf("  %-12s projection %s", "",
               json_string_value(json_object_get(proj, "ProjectionType")));
        json_t *extra = json_object_get(proj, "NonKeyAttributes");
        for (size_t k = 0; k < json_array_size(extra); k++)
            printf("%s%s", k ? ", " : " + ", json_string_value(json_array_get(extra, k)));
        printf("; %lld items, %s", (long long)json_integer_value(json_object_get(ix, "ItemCount")),
               size);
        if (!strcmp(kind, "global")) {
            printf("; ");
            print_throughput(json_object_get(ix, "ProvisionedThroughput"), on_demand);
            print_available(db, table, json_string_value(json_object_get(ix, "IndexName")));
        } else {
            putchar('\n');
        }
    }
}

static void
print_summary(kv_db *db, const json_t *t)
{
    json_t *defs = json_object_get(t, "AttributeDefinitions");
    const char *mode =
        json_string_value(json_object_get(json_object_get(t, "BillingModeSummary"), "BillingMode"));
    bool on_demand = mode && !strcmp(mode, "PAY_PER_REQUEST");
    char size[32];
    human_size(size, sizeof size,
               (uint64_t)json_integer_value(json_object_get(t, "TableSizeBytes")), true);
    printf("%s\n", json_string_value(json_object_get(t, "TableName")));
    printf("  %-12s %s, created %s\n", "status",
           json_string_value(json_object_get(t, "TableStatus")),
           json_string_value(json_object_get(t, "CreationDateTime")));
    printf("  %-12s ", "keys");
    print_keys(json_object_get(t, "KeySchema"), defs);
    printf("  %-12s %lld (%s)\n", "items",
           (long long)json_integer_value(json_object_get(t, "ItemCount")), size);
    printf("  %-12s ", "throughput");
    print_throughput(json_object_get(t, "ProvisionedThroughput"), on_demand);
    print_available(db, json_string_value(json_object_get(t, "TableName")), NULL);
    json_t *gsi = json_object_get(t, "GlobalSecondaryIndexes");
    json_t *lsi = json_object_get(t, "LocalSecondaryIndexes");
    size_t n_gsi = json_array_size(gsi), n_lsi = json_array_size(lsi);
    if (n_gsi + n_lsi == 0)
        printf("  %-12s none\n", "indexes");
    else
        printf("  %-12s %zu global, %zu local\n", "indexes", n_gsi, n_lsi);
    print_indexes(db, t, "global", on_demand);
    print_indexes(db, t, "local", on_demand);
    if (json_is_true(json_object_get(t, "DeletionProtectionEnabled")))
        printf("  %-12s on\n", "protection");
    printf("  %-12s %s\n", "arn", json_string_value(json_object_get(t, "TableArn")));
}

int
cli_cmd_describe(struct cli *cli, int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return cli_help_command("describe") ? 0 : EXIT_USAGE;
    const char *table;
    int rc = positionals(cli, argc, argv, 1, &table);
    if (!rc && !table)
        rc = cli_usage_error("the following arguments are required: TABLE");
    json_t *t = rc ? NULL : describe(cli, table, &rc);
    if (!t)
        return rc;
    json_t *shaped = cli_shape_response(t, model_shape("TableDescription"));
    print_summary(cli_db(cli), shaped);
    json_decref(shaped);
    json_decref(t);
    return 0;
}

static json_t *
stats_json(const kv_db_stats_info *s)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
                     "PageSize", (json_int_t)s->page_size, "MapSize", (json_int_t)s->map_size,
                     "PagesUsed", (json_int_t)s->pages_used, "FreePages", (json_int_t)s->free_pages,
                     "Depth", (json_int_t)s->depth, "BranchPages", (json_int_t)s->branch_pages,
                     "LeafPages", (json_int_t)s->leaf_pages, "OverflowPages",
                     (json_int_t)s->overflow_pages, "Entries", (json_int_t)s->entries, "Databases",
                     (json_int_t)s->n_databases, "Readers", (json_int_t)s->readers, "MaxReaders",
                     (json_int_t)s->max_readers, "LastTransaction", (json_int_t)s->last_txn);
}

static void
print_stats(const kv_db_stats_info *s)
{
    char map[32], used[32], free_b[32];
    uint64_t ps = s->page_size;
    human_size(map, sizeof map, s->map_size, true);
    human_size(used, sizeof used, s->pages_used * ps, true);
    human_size(free_b, sizeof free_b, s->free_pages * ps, true);
    printf("%-14s %u bytes\n", "page size", s->page_size);
    printf("%-14s %s (%llu pages)\n", "map size", map,
           (unsigned long long)(s->map_size / (ps ? ps : 1)));
    printf("%-14s %llu pages (%s), %.0f%% of the map\n", "in use",
           (unsigned long long)s->pages_used, used,
           s->map_size ? 100.0 * (double)(s->pages_used * ps) / (double)s->map_size : 0.0);
    printf("%-14s %llu pages (%s) ready for reuse\n", "free", (unsigned long long)s->free_pages,
           free_b);
    printf("%-14s %u\n", "b-tree depth", s->depth);
    printf("%-14s %llu branch, %llu leaf, %llu overflow\n", "tree pages",
           (unsigned long long)s->branch_pages, (unsigned long long)s->leaf_pages,
           (unsigned long long)s->overflow_pages);
    printf("%-14s %llu in %u named databases\n", "entries", (unsigned long long)s->entries,
           s->n_databases);
    printf("%-14s %u of %u slots taken so far\n", "readers", s->readers, s->max_readers);
    printf("%-14s %llu\n", "last txn", (unsigned long long)s->last_txn);
}

int
cli_cmd_stats(struct cli *cli, int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return cli_help_command("stats") ? 0 : EXIT_USAGE;
    int rc = positionals(cli, argc, argv, 0, NULL);
    kv_db *db = rc ? NULL : cli_db(cli);
    if (!db)
        return rc ? rc : cli->db_rc;
    kv_db_stats_info s;
    if (kv_db_stats(db, &s) != KV_OK) {
        fprintf(stderr, "\nkv: cannot read storage figures: %s\n", kv_errmsg(db));
        return 255;
    }
    if (cli->output_set && cli->output == OUTPUT_JSON) {
        json_t *j = stats_json(&s);
        cli_json_write(stdout, j, 4, false);
        putchar('\n');
        json_decref(j);
    } else {
        print_stats(&s);
    }
    return 0;
}
