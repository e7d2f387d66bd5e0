/*
 * cli_model.c -- builds the shape graph from cli_shapes.c and holds the
 * table of `aws dynamodb` commands.
 *
 * The shape text is parsed once, on first use, in two passes: the first
 * creates an empty shape for every name so that shapes may refer to each
 * other in any order (AttributeValue refers to itself), the second fills
 * them in.  The text is ours and fixed, so a mistake in it is a bug that
 * aborts at once; the unit tests build the whole graph.  Every allocation
 * is remembered and released by model_free.
 */
#include "cli_model.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct model {
    struct shape **named;
    size_t n_named;
    void **allocs;
    size_t n_allocs, cap_allocs;
};

static struct model *model;

static void *
model_keep(void *p)
{
    if (!p)
        abort();
    if (model->n_allocs == model->cap_allocs) {
        model->cap_allocs = model->cap_allocs ? model->cap_allocs * 2 : 256;
        model->allocs = realloc(model->allocs, model->cap_allocs * sizeof *model->allocs);
        if (!model->allocs)
            abort();
    }
    model->allocs[model->n_allocs++] = p;
    return p;
}

static char *
keep_strndup(const char *s, size_t n)
{
    return model_keep(strndup(s, n));
}

static struct shape *
new_shape(enum shape_kind kind)
{
    struct shape *s = model_keep(calloc(1, sizeof *s));
    s->kind = kind;
    s->name = "";
    return s;
}

static void
bad_text(const char *where)
{
    fprintf(stderr, "kv: internal error in the shape table near: %.40s\n", where);
    abort();
}

static struct shape *
find_named(const char *name, size_t len)
{
    for (size_t i = 0; i < model->n_named; i++)
        if (strlen(model->named[i]->name) == len && memcmp(model->named[i]->name, name, len) == 0)
            return model->named[i];
    return NULL;
}

static const struct shape *parse_type(const char **p);

/* "{Name:TYPE Name!:TYPE ...}" with *p past the brace. */
static struct shape *
parse_struct(const char **p)
{
    struct shape *s = new_shape(SH_STRUCT);
    struct member *m = NULL;
    size_t n = 0;
    for (;;) {
        while (**p == ' ')
            (*p)++;
        if (**p == '}') {
            (*p)++;
            break;
        }
        const char *start = *p;
        while (isalnum((unsigned char)**p))
            (*p)++;
        if (*p == start)
            bad_text(start);
        m = realloc(m, (n + 1) * sizeof *m);
        if (!m)
            abort();
        m[n].name = keep_strndup(start, (size_t)(*p - start));
        m[n].required = **p == '!';
        if (m[n].required)
            (*p)++;
        if (*(*p)++ != ':')
            bad_text(start);
        m[n].shape = parse_type(p);
        n++;
    }
    s->members = n ? model_keep(m) : NULL;
    s->n_members = n;
    return s;
}

static struct shape *
parse_scalar(const char **p)
{
    static const struct {
        const char *word;
        enum shape_kind kind;
    } words[] = {
        {"s", SH_STRING},     {"i", SH_INTEGER}, {"l", SH_LONG},      {"d", SH_DOUBLE},
        {"bool", SH_BOOLEAN}, {"b", SH_BLOB},    {"t", SH_TIMESTAMP},
    };
    const char *start = *p;
    while (isalnum((unsigned char)**p))
        (*p)++;
    size_t len = (size_t)(*p - start);
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strlen(words[i].word) != len || memcmp(words[i].word, start, len) != 0)
            continue;
        struct shape *s = new_shape(words[i].kind);
        if (s->kind == SH_STRING && **p == '(') {
            const char *e = ++*p;
            while (*e && *e != '|' && *e != ')')
                e++;
            s->first = keep_strndup(*p, (size_t)(e - *p));
            while (**p && **p != ')')
                (*p)++;
            if (*(*p)++ != ')')
                bad_text(start);
        }
        return s;
    }
    struct shape *named = find_named(start, len);
    if (!named)
        bad_text(start);
    return named;
}

static const struct shape *
parse_type(const char **p)
{
    char c = **p;
    struct shape *s;
    if (c == '[' || c == '<') {
        (*p)++;
        s = new_shape(c == '[' ? SH_LIST : SH_MAP);
        s->elem = parse_type(p);
        if (*(*p)++ != (c == '[' ? ']' : '>'))
            bad_text(*p - 1);
        return s;
    }
    if (c == '{') {
        (*p)++;
        return parse_struct(p);
    }
    if (c == '*') {
        (*p)++;
        return new_shape(SH_ANY);
    }
    return parse_scalar(p);
}

static void
model_build(void)
{
    model = calloc(1, sizeof *model);
    if (!model)
        abort();
    size_t n = 0;
    while (model_shape_text[n])
        n++;
    model->named = model_keep(calloc(n, sizeof *model->named));
    for (size_t i = 0; i < n; i++) {
        const char *colon = strchr(model_shape_text[i], ':');
        if (!colon)
            bad_text(model_shape_text[i]);
        struct shape *s = new_shape(SH_ANY);
        s->name = keep_strndup(model_shape_text[i], (size_t)(colon - model_shape_text[i]));
        model->named[model->n_named++] = s;
    }
    for (size_t i = 0; i < n; i++) {
        const char *p = strchr(model_shape_text[i], ':') + 2;
        const struct shape *body = parse_type(&p);
        if (*p)
            bad_text(p);
        const char *name = model->named[i]->name;
        *model->named[i] = *body;
        model->named[i]->name = name;
    }
}

const struct shape *
model_shape(const char *name)
{
    if (!model)
        model_build();
    return find_named(name, strlen(name));
}

const struct member *
shape_member(const struct shape *s, const char *name)
{
    if (!s || s->kind != SH_STRUCT)
        return NULL;
    for (size_t i = 0; i < s->n_members; i++)
        if (strcmp(s->members[i].name, name) == 0)
            return &s->members[i];
    return NULL;
}

void
model_free(void)
{
    if (!model)
        return;
    for (size_t i = 0; i < model->n_allocs; i++)
        free(model->allocs[i]);
    free(model->allocs);
    free(model);
    model = NULL;
}

void
model_flag_name(const char *member, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; member[i] && o + 2 < size; i++) {
        char c = member[i];
        bool upper = isupper((unsigned char)c);
        bool prev_lower = i > 0 && (islower((unsigned char)member[i - 1]) ||
                                    isdigit((unsigned char)member[i - 1]));
        bool acronym_end =
            i > 0 && isupper((unsigned char)member[i - 1]) && islower((unsigned char)member[i + 1]);
        if (upper && (prev_lower || acronym_end))
            out[o++] = '-';
        out[o++] = (char)tolower((unsigned char)c);
    }
    out[o] = '\0';
}

static const struct paginator list_tables_pager = {
    "ExclusiveStartTableName", "LastEvaluatedTableName", "Limit", {"TableNames"}, {NULL},
};
static const struct paginator items_pager = {
    "ExclusiveStartKey",  "LastEvaluatedKey", "Limit", {"Items", "Count", "ScannedCount"},
    {"ConsumedCapacity"},
};

static const struct command_def commands[] = {
    {"batch-get-item", "BatchGetItem", "BatchGetItemInput", "BatchGetItemOutput", NULL,
     "read items from one or more tables by key"},
    {"batch-write-item", "BatchWriteItem", "BatchWriteItemInput", "BatchWriteItemOutput", NULL,
     "put or delete up to 25 items in one or more tables"},
    {"create-table", "CreateTable", "CreateTableInput", "CreateTableOutput", NULL,
     "create a table"},
    {"delete-item", "DeleteItem", "DeleteItemInput", "DeleteItemOutput", NULL,
     "delete one item by key"},
    {"delete-table", "DeleteTable", "DeleteTableInput", "DeleteTableOutput", NULL,
     "delete a table and its items"},
    {"describe-table", "DescribeTable", "DescribeTableInput", "DescribeTableOutput", NULL,
     "describe a table"},
    {"describe-time-to-live", "DescribeTimeToLive", "DescribeTimeToLiveInput",
     "DescribeTimeToLiveOutput", NULL, "show a table's time-to-live setting"},
    {"get-item", "GetItem", "GetItemInput", "GetItemOutput", NULL, "read one item by key"},
    {"list-tables", "ListTables", "ListTablesInput", "ListTablesOutput", &list_tables_pager,
     "list table names"},
    {"put-item", "PutItem", "PutItemInput", "PutItemOutput", NULL, "create or replace an item"},
    {"query", "Query", "QueryInput", "QueryOutput", &items_pager,
     "read the items of one partition"},
    {"scan", "Scan", "ScanInput", "ScanOutput", &items_pager, "read every item of a table"},
    {"transact-get-items", "TransactGetItems", "TransactGetItemsInput", "TransactGetItemsOutput",
     NULL, "read up to 100 items atomically"},
    {"transact-write-items", "TransactWriteItems", "TransactWriteItemsInput",
     "TransactWriteItemsOutput", NULL, "write up to 100 items atomically"},
    {"update-item", "UpdateItem", "UpdateItemInput", "UpdateItemOutput", NULL,
     "change attributes of an item"},
    {"update-table", "UpdateTable", "UpdateTableInput", "UpdateTableOutput", NULL,
     "change a table's throughput, billing mode or indexes"},
    {"update-time-to-live", "UpdateTimeToLive", "UpdateTimeToLiveInput", "UpdateTimeToLiveOutput",
     NULL, "turn time to live on or off"},
};

const struct command_def *
model_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

const struct command_def *
model_commands(size_t *count)
{
    *count = sizeof commands / sizeof commands[0];
    return commands;
}
