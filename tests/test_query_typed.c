/*
 * test_query_typed.c -- kv_query and kv_scan against the JSON face: every
 * read below runs both ways, page after page, and the typed result must
 * be the JSON response (items, Count, ScannedCount, LastEvaluatedKey and
 * consumed units) exactly; every bad request must fail with the same
 * status and message.
 */
#include "fixture.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Table Tbl: pk (S) and sk (N); GSI byG on g (S) and sk, all attributes;
 * LSI byV on v (N), keys only.  Five partitions p0..p4 of 20 items each:
 * sk 0..19, v = 100 * partition + sk, g = "g" + sk % 3.
 */
static void
create_table(struct fx *f)
{
    fx_ok(f, "CreateTable",
          "{\"TableName\":\"Tbl\",\"AttributeDefinitions\":["
          "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},"
          "{\"AttributeName\":\"g\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"v\",\"AttributeType\":\"N\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
          "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
          "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byG\",\"KeySchema\":["
          "{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\","
          "\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}],"
          "\"LocalSecondaryIndexes\":[{\"IndexName\":\"byV\",\"KeySchema\":["
          "{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"v\","
          "\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}],"
          "\"BillingMode\":\"PAY_PER_REQUEST\"}");
    for (int p = 0; p < 5; p++)
        for (int s = 0; s < 20; s++) {
            kv_item *it = kv_item_new();
            char text[32];
            snprintf(text, sizeof text, "p%d", p);
            kv_item_put_s(it, "pk", text);
            snprintf(text, sizeof text, "%d", s);
            kv_item_put_n(it, "sk", text);
            snprintf(text, sizeof text, "%d", 100 * p + s);
            kv_item_put_n(it, "v", text);
            snprintf(text, sizeof text, "g%d", s % 3);
            kv_item_put_s(it, "g", text);
            kv_item_put_s(it, "note", "some text to read");
            assert_int_equal(kv_put_item(f->db, "Tbl", it, NULL, NULL), KV_OK);
            kv_item_free(it);
        }
}

static int
setup(void **state)
{
    int rc = fx_setup(state);
    if (rc == 0)
        create_table(*state);
    return rc;
}

/* One read, as both faces take it. */
struct spec {
    bool scan;
    const char *table;
    const char *cond;   /* KeyConditionExpression */
    const char *index, *filter, *projection;
    const char *names;  /* {"#a":"attr"}, JSON */
    const char *values; /* DynamoDB JSON */
    kv_select select;
    const char *select_name;
    int64_t limit;
    bool backward, consistent;
    int64_t segment, total;
    const char *start;  /* ExclusiveStartKey, DynamoDB JSON, for the first page */
};

static void __attribute__((format(printf, 3, 4)))
add(char *buf, size_t cap, const char *fmt, ...)
{
    size_t n = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, cap - n, fmt, ap);
    va_end(ap);
}

/* The JSON request of spec s, starting after `start` (JSON text or NULL). */
static void
request_of(const struct spec *s, const char *start, char *buf, size_t cap)
{
    char num[64];
    snprintf(buf, cap, "{\"TableName\":\"%s\",\"ReturnConsumedCapacity\":\"INDEXES\"",
             s->table ? s->table : "Tbl");
    if (s->cond)
        add(buf, cap, ",\"KeyConditionExpression\":\"%s\"", s->cond);
    if (s->index)
        add(buf, cap, ",\"IndexName\":\"%s\"", s->index);
    if (s->filter)
        add(buf, cap, ",\"FilterExpression\":\"%s\"", s->filter);
    if (s->projection)
        add(buf, cap, ",\"ProjectionExpression\":\"%s\"", s->projection);
    if (s->names)
        add(buf, cap, ",\"ExpressionAttributeNames\":%s", s->names);
    if (s->values)
        add(buf, cap, ",\"ExpressionAttributeValues\":%s", s->values);
    if (s->select_name)
        add(buf, cap, ",\"Select\":\"%s\"", s->select_name);
    if (s->limit) {
        snprintf(num, sizeof num, "%lld", (long long)s->limit);
        add(buf, cap, ",\"Limit\":%s", num);
    }
    if (s->backward)
        add(buf, cap, "%s", ",\"ScanIndexForward\":false");
    if (s->consistent)
        add(buf, cap, "%s", ",\"ConsistentRead\":true");
    if (s->total || s->segment) {
        snprintf(num, sizeof num, "%lld", (long long)s->segment);
        add(buf, cap, ",\"Segment\":%s", num);
    }
    if (s->total) {
        snprintf(num, sizeof num, "%lld", (long long)s->total);
        add(buf, cap, ",\"TotalSegments\":%s", num);
    }
    if (start)
        add(buf, cap, ",\"ExclusiveStartKey\":%s", start);
    add(buf, cap, "%s", "}");
}

/* Placeholder names as an item of S values. */
static kv_item *
names_item(const char *names)
{
    if (!names)
        return NULL;
    json_t *j = json_loads(names, 0, NULL);
    assert_non_null(j);
    kv_item *it = kv_item_new();
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v)
    {
        assert_int_equal(kv_item_put_s(it, k, json_string_value(v)), KV_OK);
    }
    json_decref(j);
    return it;
}

static kv_item *
item_of(const char *json)
{
    kv_item *it = NULL;
    if (json)
        assert_int_equal(kv_item_from_json(json, &it, NULL), KV_OK);
    return it;
}

static json_t *
item_json(const kv_item *it)
{
    char *text = kv_item_to_json(it);
    assert_non_null(text);
    json_t *j = json_loads(text, 0, NULL);
    kv_free(text);
    assert_non_null(j);
    return j;
}

/* The typed options of spec s, with their owned items. */
struct typed {
    kv_read_opts o;
    kv_item *names, *values, *start;
};

static void
typed_of(const struct spec *s, struct typed *t)
{
    memset(t, 0, sizeof *t);
    t->names = names_item(s->names);
    t->values = item_of(s->values);
    t->start = item_of(s->start);
    t->o.index = s->index;
    t->o.filter = s->filter;
    t->o.projection = s->projection;
    t->o.names = t->names;
    t->o.values = t->values;
    t->o.select = s->select;
    t->o.limit = s->limit;
    t->o.backward = s->backward;
    t->o.consistent_read = s->consistent;
    t->o.segment = s->segment;
    t->o.total_segments = s->total;
    t->o.exclusive_start_key = t->start;
}

static void
typed_release(struct typed *t)
{
    kv_item_free(t->names);
    kv_item_free(t->values);
    kv_item_free(t->start);
}

static kv_status
run_typed(struct fx *f, const struct spec *s, const kv_read_opts *o, kv_read_result **res)
{
    const char *table = s->table ? s->table : "Tbl";
    return s->scan ? kv_scan(f->db, table, o, res) : kv_query(f->db, table, s->cond, o, res);
}

/* The typed result as the JSON face words it, units aside. */
static json_t *
result_json(const kv_read_result *r, bool count_only)
{
    json_t *j = json_object();
    if (!count_only) {
        json_t *items = json_array();
        for (size_t i = 0; i < r->n_items; i++)
            json_array_append_new(items, item_json(r->items[i]));
        json_object_set_new(j, "Items", items);
    }
    json_object_set_new(j, "Count", json_integer((json_int_t)r->count));
    json_object_set_new(j, "ScannedCount", json_integer((json_int_t)r->scanned_count));
    if (r->last_evaluated_key)
        json_object_set_new(j, "LastEvaluatedKey", item_json(r->last_evaluated_key));
    return j;
}

static double
units_of(json_t *cc, const char *part)
{
    json_t *p = part ? json_object_get(cc, part) : cc;
    return p ? json_number_value(json_object_get(p, "CapacityUnits")) : 0.0;
}

/*
 * Read every page of spec s both ways and compare page by page.  Returns
 * the "v" numbers of all items read, comma-separated, and the number of
 * pages and of items counted.
 */
static void
compare_pages(struct fx *f, const struct spec *s, char *vals, size_t cap, int *pages,
              uint64_t *counted)
{
    struct typed t;
    typed_of(s, &t);
    char req[2048];
    char *start = s->start ? strdup(s->start) : NULL;
    kv_read_result *prev = NULL;
    size_t n = 0;
    vals[0] = '\0';
    *pages = 0;
    *counted = 0;
    for (;;) {
        request_of(s, start, req, sizeof req);
        json_t *want = fx_json(f, s->scan ? "Scan" : "Query", req);
        kv_read_result *res = NULL;
        kv_status st = run_typed(f, s, &t.o, &res);
        if (st != KV_OK)
            fprintf(stderr, "%s: %s\n", req, kv_errmsg(f->db));
        assert_int_equal(st, KV_OK);
        assert_non_null(res);
        json_t *cc = json_object_get(want, "ConsumedCapacity");
        assert_non_null(cc);
        assert_true(units_of(cc, NULL) == res->capacity_units);
        assert_true(units_of(cc, "Table") == res->table_capacity_units);
        assert_true(res->capacity_units > 0);
        json_incref(cc);
        json_object_del(want, "ConsumedCapacity");
        json_t *got = result_json(res, s->select == KV_SELECT_COUNT);
        if (!json_equal(got, want)) {
            char *a = json_dumps(got, JSON_SORT_KEYS), *b = json_dumps(want, JSON_SORT_KEYS);
            fprintf(stderr, "%s\n typed: %s\n json:  %s\n", req, a, b);
            free(a);
            free(b);
        }
        assert_true(json_equal(got, want));
        json_decref(cc);
        for (size_t i = 0; i < res->n_items; i++) {
            const kv_value *v = kv_item_get(res->items[i], "v");
            size_t len;
            const char *text = v ? kv_value_bytes(v, &len) : "-";
            n += (size_t)snprintf(vals + n, cap - n, "%s%.*s", n ? "," : "",
                                  v ? (int)len : 1, text);
        }
        (*pages)++;
        *counted += res->count;
        free(start);
        start = NULL;
        json_t *last = json_object_get(want, "LastEvaluatedKey");
        if (last)
            start = json_dumps(last, JSON_COMPACT);
        json_decref(got);
        json_decref(want);
        kv_read_result_free(prev);
        prev = res;
        if (!res->last_evaluated_key) {
            assert_null(start);
            break;
        }
        /* The next page starts after this one's key, which stays valid
         * while this result is kept. */
        t.o.exclusive_start_key = res->last_evaluated_key;
    }
    kv_read_result_free(prev);
    typed_release(&t);
}

#define P1 "{\":p\":{\"S\":\"p1\"}}"

static void
test_query_pages(void **state)
{
    struct fx *f = *state;
    char vals[4096];
    int pages;
    uint64_t counted;
    struct spec s = {.cond = "pk = :p", .values = P1, .limit = 7};
    compare_pages(f, &s, vals, sizeof vals, &pages, &counted);
    assert_string_equal(vals, "100,101,102,103,104,105,106,107,108,109,110,111,112,113,114,"
                              "115,116,117,118,119");
    /* 7 + 7 + 6: the third page ends the partition without a key. */
    assert_int_equal(pages, 3);
    assert_int_equal(counted, 20);

    s.backward = true;
    s.limit = 5;
    compare_pages(f, &s, vals, sizeof vals, &pages, &counted);
    assert_string_equal(vals, "119,118,117,116,115,114,113,112,111,110,109,108,107,106,105,"
                              "104,103,102,101,100");
    /* Four full pages: the last still carries a key, the fifth is empty. */
    assert_int_equal(pages, 5);

    struct spec between = {.cond = "pk = :p AND sk BETWEEN :a AND :b",
                           .values = "{\":p\":{\"S\":\"p2\"},\":a\":{\"N\":\"3\"},"
                                     "\":b\":{\"N\":\"8\"}}",
                           .consistent = true, .backward = true};
    compare_pages(f, &between, vals, sizeof vals, &pages, &counted);
    assert_string_equal(vals, "208,207,206,205,204,203");
    assert_int_equal(pages, 1);
}

static void
test_query_filter_projection(void **state)
{
    struct fx *f = *state;
    char vals[4096];
    int pages;
    uint64_t counted;
    struct spec s = {.cond = "pk = :p",
                     .filter = "#v >= :x",
                     .names = "{\"#v\":\"v\"}",
                     .values = "{\":p\":{\"S\":\"p1\"},\":x\":{\"N\":\"115\"}}",
                     .limit = 6};
    compare_pages(f, &s, vals, sizeof vals, &pages, &counted);
    assert_string_equal(vals, "115,116,117,118,119");
    assert_int_equal(pages, 4);
    assert_int_equal(counted, 5);

    s.projection = "sk, #v";
    s.limit = 0;
    compare_pages(f, &s, vals, sizeof vals, &pages, &counted);
    assert_string_equal(vals, "115,116,117,118,119");
    assert_int_equal(pages, 1);

    s.projection = NULL;
    s.select = KV_SELECT_COUNT;
    s.select_name = "COUNT";
    compare_pages(f, &s, vals, sizeof vals, &pages, &counted);
    assert_string_equal(vals, "");
    assert_int_equal(counted, 5);

    struct spec proj = {.cond = "pk = :p", .values = P1, .projection = "note, g",
                        .select = KV_SELECT_SPECIFIC_ATTRIBUTES,
                        .select_name = "SPECIFIC_ATTRIBUTES", .limit = 3};
    compare_pages(f, &proj, vals, sizeof vals, &pages, &counted);
    assert_string_equal(vals, "-,-,-,-,-,-,-,-,-,-,-,-,-,-,-,-,-,-,-,-");
    assert_int_equal(pages, 7);
}

static void
test_query_indexes(void **state)
{
    struct fx *f = *state;
    char vals[4096];
    int pages;
    uint64_t counted;
    /* sk 1, 4, ..., 19 of every partition: 7 sort keys, 5 items each. */
    struct spec g = {.index = "byG", .cond = "g = :g AND sk < :s",
                     .values = "{\":g\":{\"S\":\"g1\"},\":s\":{\"N\":\"5\"}}", .limit = 4};
    compare_pages(f, &g, vals, sizeof vals, &pages, &counted);
    assert_int_equal(counted, 10);
    assert_int_equal(pages, 3);

    /* A keys-only local index read for all attributes fetches each item. */
    struct spec l = {.index = "byV", .cond = "pk = :p AND v > :v",
                     .values = "{\":p\":{\"S\":\"p3\"},\":v\":{\"N\":\"315\"}}",
                     .select = KV_SELECT_ALL_ATTRIBUTES, .select_name = "ALL_ATTRIBUTES",
                     .limit = 3, .backward = true};
    compare_pages(f, &l, vals, sizeof vals, &pages, &counted);
    assert_string_equal(vals, "319,318,317,316");
    assert_int_equal(pages, 2);

    l.select = KV_SELECT_DEFAULT;
    l.select_name = NULL;
    compare_pages(f, &l, vals, sizeof vals, &pages, &counted);
    assert_string_equal(vals, "319,318,317,316");
}

static void
test_scan(void **state)
{
    struct fx *f = *state;
    char vals[8192];
    int pages;
    uint64_t counted, total = 0;
    struct spec s = {.scan = true, .limit = 13};
    compare_pages(f, &s, vals, sizeof vals, &pages, &counted);
    assert_int_equal(counted, 100);
    assert_int_equal(pages, 8);

    for (int seg = 0; seg < 4; seg++) {
        struct spec part = {.scan = true, .limit = 9, .segment = seg, .total = 4};
        compare_pages(f, &part, vals, sizeof vals, &pages, &counted);
        total += counted;
    }
    assert_int_equal(total, 100);

    struct spec filtered = {.scan = true, .filter = "sk = :z", .projection = "v",
                            .values = "{\":z\":{\"N\":\"0\"}}", .limit = 30};
    compare_pages(f, &filtered, vals, sizeof vals, &pages, &counted);
    assert_int_equal(counted, 5);
    assert_int_equal(pages, 4);

    struct spec gsi = {.scan = true, .index = "byG", .limit = 40};
    compare_pages(f, &gsi, vals, sizeof vals, &pages, &counted);
    assert_int_equal(counted, 100);
    assert_int_equal(pages, 3);
}

/* Both faces fail with `st` and `message`; the typed result stays NULL. */
static void
expect_error(struct fx *f, const struct spec *s, kv_status st, const char *message)
{
    char req[2048];
    request_of(s, s->start, req, sizeof req);
    fx_expect_error(f, s->scan ? "Scan" : "Query", req, st, message);
    struct typed t;
    typed_of(s, &t);
    kv_read_result *res = (kv_read_result *)&t; /* must be reset */
    kv_status got = run_typed(f, s, &t.o, &res);
    if (got != st || strcmp(kv_errmsg(f->db), message) != 0)
        fprintf(stderr, "%s\n typed: %s %s\n", req, kv_status_name(got), kv_errmsg(f->db));
    assert_int_equal(got, st);
    assert_string_equal(kv_errmsg(f->db), message);
    assert_null(res);
    typed_release(&t);
}

static void
test_errors(void **state)
{
    struct fx *f = *state;
    struct spec nocond = {.values = P1};
    expect_error(f, &nocond, KV_VALIDATION,
                 "Either the KeyConditions or KeyConditionExpression parameter must be "
                 "specified in the request.");
    struct spec lim = {.cond = "pk = :p", .values = P1, .limit = -1};
    expect_error(f, &lim, KV_VALIDATION,
                 "1 validation error detected: Value at 'Limit' failed to satisfy "
                 "constraint: Member must have value greater than or equal to 1");
    struct spec slim = {.scan = true, .limit = -2, .table = "a!", .index = "ix"};
    expect_error(f, &slim, KV_VALIDATION,
                 "3 validation errors detected: Value '-2' at 'limit' failed to satisfy "
                 "constraint: Member must have value greater than or equal to 1; Value 'a!' "
                 "at 'tableName' failed to satisfy constraint: Member must satisfy regular "
                 "expression pattern: [a-zA-Z0-9_.-]+; Value 'ix' at 'indexName' failed to "
                 "satisfy constraint: Member must have length greater than or equal to 3");
    struct spec none = {.scan = true, .table = "Nope"};
    expect_error(f, &none, KV_RESOURCE_NOT_FOUND, "Requested resource not found");
    struct spec noix = {.cond = "pk = :p", .values = P1, .index = "nope"};
    expect_error(f, &noix, KV_VALIDATION, "The table does not have the specified index: nope");
    struct spec all = {.cond = "pk = :p", .values = P1, .projection = "v",
                       .select = KV_SELECT_ALL_ATTRIBUTES, .select_name = "ALL_ATTRIBUTES"};
    expect_error(f, &all, KV_VALIDATION,
                 "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES");
    struct spec specific = {.scan = true, .select = KV_SELECT_SPECIFIC_ATTRIBUTES,
                            .select_name = "SPECIFIC_ATTRIBUTES"};
    expect_error(f, &specific, KV_VALIDATION,
                 "Must specify the AttributesToGet or ProjectionExpression when choosing to "
                 "get SPECIFIC_ATTRIBUTES");
    struct spec projected = {.scan = true, .select = KV_SELECT_ALL_PROJECTED_ATTRIBUTES,
                             .select_name = "ALL_PROJECTED_ATTRIBUTES"};
    expect_error(f, &projected, KV_VALIDATION,
                 "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
    struct spec gsi_strong = {.scan = true, .index = "byG", .consistent = true};
    expect_error(f, &gsi_strong, KV_VALIDATION,
                 "Consistent reads are not supported on global secondary indexes");
    struct spec seg = {.scan = true, .segment = 2, .total = 2};
    expect_error(f, &seg, KV_VALIDATION,
                 "The Segment parameter is zero-based and must be less than parameter "
                 "TotalSegments: Segment: 2 is not less than TotalSegments: 2");
    struct spec seg_alone = {.scan = true, .segment = 1};
    expect_error(f, &seg_alone, KV_VALIDATION,
                 "The TotalSegments parameter is required but was not present in the request "
                 "when Segment parameter is present");
    struct spec seg_range = {.scan = true, .segment = -1, .total = 1000001};
    expect_error(f, &seg_range, KV_VALIDATION,
                 "2 validation errors detected: Value '-1' at 'segment' failed to satisfy "
                 "constraint: Member must have value greater than or equal to 0; Value "
                 "'1000001' at 'totalSegments' failed to satisfy constraint: Member must have "
                 "value less than or equal to 1000000");
    struct spec bad_start = {.cond = "pk = :p", .values = P1,
                             .start = "{\"pk\":{\"S\":\"p1\"}}"};
    expect_error(f, &bad_start, KV_VALIDATION,
                 "The provided starting key is invalid: The provided key element does not "
                 "match the schema");
    struct spec outside = {.cond = "pk = :p", .values = P1,
                           .start = "{\"pk\":{\"S\":\"p2\"},\"sk\":{\"N\":\"1\"}}"};
    expect_error(f, &outside, KV_VALIDATION,
                 "The provided starting key is outside query boundaries based on provided "
                 "conditions");
    struct spec key_filter = {.cond = "pk = :p", .values = P1, .filter = "sk > :p"};
    expect_error(f, &key_filter, KV_VALIDATION,
                 "Filter Expression can only contain non-primary key attributes: Primary key "
                 "attribute: sk");
    struct spec syntax = {.cond = "pk = = :p", .values = P1};
    expect_error(f, &syntax, KV_VALIDATION,
                 "Invalid KeyConditionExpression: Syntax error; token: \"=\", near: \"= = :p\"");
    struct spec undefined = {.cond = "pk = :q", .values = P1};
    expect_error(f, &undefined, KV_VALIDATION,
                 "Invalid KeyConditionExpression: An expression attribute value used in "
                 "expression is not defined; attribute value: :q");
    struct spec unused = {.cond = "pk = :p",
                          .values = "{\":p\":{\"S\":\"p1\"},\":z\":{\"N\":\"1\"}}"};
    expect_error(f, &unused, KV_VALIDATION,
                 "Value provided in ExpressionAttributeValues unused in expressions: keys: "
                 "{:z}");
}

static void
test_misuse(void **state)
{
    struct fx *f = *state;
    kv_read_result *res = (kv_read_result *)f; /* must be reset */
    kv_read_opts o;
    memset(&o, 0, sizeof o);
    o.select = (kv_select)9;
    assert_int_equal(kv_scan(f->db, "Tbl", &o, &res), KV_MISUSE);
    assert_string_equal(kv_errmsg(f->db), "kv_scan: unknown select 9");
    assert_null(res);
    assert_int_equal(kv_query(f->db, "Tbl", "pk = :p", NULL, NULL), KV_MISUSE);
    assert_string_equal(kv_errmsg(f->db), "kv_query needs a result pointer");
    assert_int_equal(kv_scan(NULL, "Tbl", NULL, &res), KV_MISUSE);
    kv_read_result_free(NULL);
}

/* A default Scan of the whole table, in one page, and after reopening. */
static void
test_defaults_persist(void **state)
{
    struct fx *f = *state;
    for (int round = 0; round < 2; round++) {
        kv_read_result *res = NULL;
        assert_int_equal(kv_scan(f->db, "Tbl", NULL, &res), KV_OK);
        assert_int_equal(res->n_items, 100);
        assert_int_equal(res->count, 100);
        assert_int_equal(res->scanned_count, 100);
        assert_null(res->last_evaluated_key);
        assert_int_equal(kv_item_count(res->items[0]), 5);
        kv_read_result_free(res);
        fx_reopen(f);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_query_pages, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_query_filter_projection, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_query_indexes, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_scan, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_misuse, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_defaults_persist, setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
