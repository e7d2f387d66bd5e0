/*
 * cli_rows.c -- kv get, kv find and kv items: reading items by hand.
 *
 * Values are typed plainly (Artist="Acme Band" Year=2015); the key
 * attributes take their types from the table's key schema, read with
 * DescribeTable, so a numeric-looking string key stays a string.  The
 * items come back as rows: key attributes first, then the others in name
 * order, one column each (cli_grid.c draws them).  --output json prints
 * one plain JSON object per line instead.
 *
 * find is a Query: the partition key (and sort key condition) from
 * NAME=VALUE terms and --where, the rest of --where as the filter.  items
 * is a Scan with --where as the filter.  Both follow LastEvaluatedKey
 * until the results end or --limit items have been shown.
 */
#include "cli.h"
#include "cli_grid.h"
#include "cli_json.h"
#include "cli_plain.h"
#include "cli_where.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct read_opts {
    const char *table;
    const char *where;
    const char *index;
    long long limit; /* 0: all */
    bool descending;
    bool consistent;
    char **eqs;
    int n_eqs;
};

struct schema {
    json_t *table;          /* TableDescription */
    struct where_keys keys; /* of the table or the index read */
    const char *table_hash, *table_range;
};

static char
attr_type(const json_t *defs, const char *name)
{
    size_t i;
    json_t *d;
    json_array_foreach(defs, i, d)
    {
        if (!strcmp(json_string_value(json_object_get(d, "AttributeName")), name))
            return json_string_value(json_object_get(d, "AttributeType"))[0];
    }
    return 'S';
}

static void
keys_of(const json_t *schema, const json_t *defs, struct where_keys *k)
{
    size_t i;
    json_t *e;
    json_array_foreach(schema, i, e)
    {
        const char *name = json_string_value(json_object_get(e, "AttributeName"));
        bool hash = !strcmp(json_string_value(json_object_get(e, "KeyType")), "HASH");
        if (hash) {
            k->hash = name;
            k->hash_type = attr_type(defs, name);
        } else {
            k->range = name;
            k->range_type = attr_type(defs, name);
        }
    }
}

/* The key schema of @p o->table, or of its index @p o->index. */
static int
load_schema(struct cli *cli, const struct read_opts *o, struct schema *s)
{
    memset(s, 0, sizeof *s);
    json_t *req = json_pack("{s:s}", "TableName", o->table), *resp;
    int rc = cli_call_op(cli, "DescribeTable", req, &resp);
    json_decref(req);
    if (rc)
        return rc;
    s->table = json_incref(json_object_get(resp, "Table"));
    json_decref(resp);
    json_t *defs = json_object_get(s->table, "AttributeDefinitions");
    struct where_keys table_keys = {0};
    keys_of(json_object_get(s->table, "KeySchema"), defs, &table_keys);
    s->table_hash = table_keys.hash;
    s->table_range = table_keys.range;
    s->keys = table_keys;
    if (!o->index)
        return 0;
    static const char *const lists[] = {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"};
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *ix;
        json_array_foreach(json_object_get(s->table, lists[l]), i, ix)
        {
            if (strcmp(json_string_value(json_object_get(ix, "IndexName")), o->index))
                continue;
            memset(&s->keys, 0, sizeof s->keys);
            keys_of(json_object_get(ix, "KeySchema"), defs, &s->keys);
            return 0;
        }
    }
    return 0; /* the service reports an unknown index in its own words */
}

/* Cell text: scalars as they are, containers as plain JSON. */
static char *
cell_text(const json_t *av)
{
    const char *type;
    json_t *v;
    json_object_foreach((json_t *)av, type, v)
    {
        if (json_is_string(v))
            return strdup(json_string_value(v));
        if (!strcmp(type, "BOOL"))
            return strdup(json_is_true(v) ? "true" : "false");
        if (!strcmp(type, "NULL"))
            return strdup("null");
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    plain_write_value(f, av);
    fclose(f);
    return text;
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Column names: the table's keys, then every other attribute in name order. */
static json_t *
columns(const json_t *items, const struct schema *s)
{
    json_t *seen = json_object(), *cols = json_array();
    const char *key_names[] = {s->table_hash, s->table_range, s->keys.hash, s->keys.range};
    for (int k = 0; k < 4; k++)
        if (key_names[k] && !json_object_get(seen, key_names[k])) {
            json_object_set_new(seen, key_names[k], json_true());
            json_array_append_new(cols, json_string(key_names[k]));
        }
    size_t n_keys = json_array_size(cols), i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        const char *name;
        json_t *v;
        json_object_foreach(item, name, v)
        {
            if (!json_object_get(seen, name)) {
                json_object_set_new(seen, name, json_false());
                json_array_append_new(cols, json_string(name));
            }
        }
    }
    size_t n = json_array_size(cols) - n_keys;
    const char **rest = malloc((n ? n : 1) * sizeof *rest);
    for (i = 0; rest && i < n; i++)
        rest[i] = json_string_value(json_array_get(cols, n_keys + i));
    if (rest)
        qsort(rest, n, sizeof *rest, cmp_names);
    json_t *sorted = json_array();
    for (i = 0; i < n_keys; i++)
        json_array_append(sorted, json_array_get(cols, i));
    for (i = 0; rest && i < n; i++)
        json_array_append_new(sorted, json_string(rest[i]));
    free(rest);
    json_decref(cols);
    json_decref(seen);
    return sorted;
}

static void
show_items(const struct cli *cli, const json_t *items, const struct schema *s, long long scanned)
{
    size_t i;
    json_t *item;
    if (cli->output_set && cli->output == OUTPUT_JSON) {
        json_array_foreach(items, i, item)
        {
            plain_write_item(stdout, item);
            putchar('\n');
        }
        return;
    }
    json_t *cols = columns(items, s);
    size_t n = json_array_size(cols);
    const char **cells = calloc(n ? n : 1, sizeof *cells);
    for (size_t c = 0; cells && c < n; c++)
        cells[c] = json_string_value(json_array_get(cols, c));
    struct grid *g = grid_new(n, cells);
    json_array_foreach(items, i, item)
    {
        for (size_t c = 0; cells && c < n; c++) {
            json_t *av = json_object_get(item, json_string_value(json_array_get(cols, c)));
            cells[c] = av ? cell_text(av) : NULL;
        }
        grid_add(g, cells);
        for (size_t c = 0; cells && c < n; c++)
            free((char *)cells[c]);
    }
    int width = grid_terminal_width();
    grid_print(stdout, g, width);
    if (width > 0 && scanned >= 0)
        printf("(%zu item%s, %lld scanned)\n", json_array_size(items),
               json_array_size(items) == 1 ? "" : "s", scanned);
    grid_free(g);
    free(cells);
    json_decref(cols);
}

static int
parse_read_opts(struct cli *cli, int argc, char **argv, struct read_opts *o, bool query)
{
    memset(o, 0, sizeof *o);
    o->eqs = calloc((size_t)argc, sizeof *o->eqs);
    if (!o->eqs)
        return 255;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        int used = cli_global_option(cli, argc - i, argv + i);
        if (used < 0)
            return EXIT_USAGE;
        if (used > 0)
            i += used - 1;
        else if (!strcmp(a, "--where") && has_value)
            o->where = argv[++i];
        else if (!strcmp(a, "--index") && has_value)
            o->index = argv[++i];
        else if (!strcmp(a, "--limit") && has_value)
            o->limit = atoll(argv[++i]);
        else if (!strcmp(a, "--desc") && query)
            o->descending = true;
        else if (!strcmp(a, "--consistent"))
            o->consistent = true;
        else if (!strncmp(a, "--", 2))
            return cli_usage_error(has_value || strchr(a, '=')
                                       ? "Unknown options: %s"
                                       : "argument %s: expected one argument",
                                   a);
        else if (!o->table)
            o->table = a;
        else if (query || strchr(a, '='))
            o->eqs[o->n_eqs++] = argv[i];
        else
            return cli_usage_error("Unknown options: %s", a);
    }
    if (!o->table)
        return cli_usage_error("the following arguments are required: TABLE");
    return 0;
}

/* The request for one page of find (Query) or items (Scan). */
static int
build_read(const struct read_opts *o, const struct schema *s, bool query, json_t **out)
{
    struct where_out w;
    char *err = NULL;
    if (where_translate(o->where, o->eqs, o->n_eqs, &s->keys, query, &w, &err)) {
        int rc = cli_param_error("--where", err ? err : "out of memory");
        free(err);
        return rc;
    }
    if (query && !w.key_condition) {
        where_out_free(&w);
        return cli_usage_error("find needs the partition key: %s=VALUE", s->keys.hash);
    }
    json_t *req = json_pack("{s:s}", "TableName", o->table);
    if (o->index)
        json_object_set_new(req, "IndexName", json_string(o->index));
    if (w.key_condition)
        json_object_set_new(req, "KeyConditionExpression", json_string(w.key_condition));
    if (w.filter)
        json_object_set_new(req, "FilterExpression", json_string(w.filter));
    if (w.names)
        json_object_set(req, "ExpressionAttributeNames", w.names);
    if (w.values)
        json_object_set(req, "ExpressionAttributeValues", w.values);
    if (o->descending)
        json_object_set_new(req, "ScanIndexForward", json_false());
    if (o->consistent)
        json_object_set_new(req, "ConsistentRead", json_true());
    where_out_free(&w);
    *out = req;
    return 0;
}

/* Run find or items: page through, keep at most --limit items, show them. */
static int
read_rows(struct cli *cli, int argc, char **argv, bool query)
{
    const char *name = query ? "find" : "items";
    if (cli_wants_help(argc, argv))
        return cli_help_command(name) ? 0 : EXIT_USAGE;
    struct read_opts o;
    struct schema s = {0};
    json_t *req = NULL, *items = json_array();
    long long scanned = 0;
    int rc = parse_read_opts(cli, argc, argv, &o, query);
    if (!rc)
        rc = load_schema(cli, &o, &s);
    if (!rc)
        rc = build_read(&o, &s, query, &req);
    while (!rc) {
        json_t *resp;
        if ((rc = cli_call_op(cli, query ? "Query" : "Scan", req, &resp)))
            break;
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(resp, "Items"), i, item)
        {
            if (!o.limit || (long long)json_array_size(items) < o.limit)
                json_array_append(items, item);
        }
        scanned += json_integer_value(json_object_get(resp, "ScannedCount"));
        json_t *last = json_object_get(resp, "LastEvaluatedKey");
        bool more = last && (!o.limit || (long long)json_array_size(items) < o.limit);
        if (more)
            json_object_set(req, "ExclusiveStartKey", last);
        json_decref(resp);
        if (!more) {
            show_items(cli, items, &s, scanned);
            break;
        }
    }
    json_decref(req);
    json_decref(items);
    json_decref(s.table);
    free(o.eqs);
    return rc;
}

int
cli_cmd_find(struct cli *cli, int argc, char **argv)
{
    return read_rows(cli, argc, argv, true);
}

int
cli_cmd_items(struct cli *cli, int argc, char **argv)
{
    return read_rows(cli, argc, argv, false);
}

/* NAME=VALUE terms to a Key typed by the key schema. */
static int
build_key(const struct read_opts *o, const struct schema *s, json_t **key)
{
    *key = json_object();
    for (int i = 0; i < o->n_eqs; i++) {
        const char *eq = strchr(o->eqs[i], '=');
        char *attr = strndup(o->eqs[i], (size_t)(eq - o->eqs[i]));
        char type = s->keys.hash && !strcmp(attr, s->keys.hash)     ? s->keys.hash_type
                    : s->keys.range && !strcmp(attr, s->keys.range) ? s->keys.range_type
                                                                    : 0;
        if (!type) {
            int rc = cli_usage_error("%s is not a key attribute of %s (its key: %s%s%s)", attr,
                                     o->table, s->keys.hash, s->keys.range ? " " : "",
                                     s->keys.range ? s->keys.range : "");
            free(attr);
            return rc;
        }
        json_object_set_new(*key, attr, where_typed_value(eq + 1, type));
        free(attr);
    }
    return 0;
}

int
cli_cmd_get(struct cli *cli, int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return cli_help_command("get") ? 0 : EXIT_USAGE;
    struct read_opts o;
    struct schema s = {0};
    json_t *key = NULL;
    int rc = parse_read_opts(cli, argc, argv, &o, false);
    if (!rc && (o.where || o.index || o.limit))
        rc = cli_usage_error("get takes only TABLE and KEY=VALUE terms");
    if (!rc)
        rc = load_schema(cli, &o, &s);
    if (!rc)
        rc = build_key(&o, &s, &key);
    if (!rc) {
        json_t *req = json_pack("{s:s, s:O, s:b}", "TableName", o.table, "Key", key,
                                "ConsistentRead", o.consistent),
               *resp;
        if (!(rc = cli_call_op(cli, "GetItem", req, &resp))) {
            json_t *items = json_array();
            json_t *item = json_object_get(resp, "Item");
            if (item)
                json_array_append(items, item);
            show_items(cli, items, &s, -1);
            json_decref(items);
            json_decref(resp);
        }
        json_decref(req);
    }
    json_decref(key);
    json_decref(s.table);
    free(o.eqs);
    return rc;
}
