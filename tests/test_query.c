/*
 * test_query.c -- Query and Scan: key conditions, order, paging by Limit
 * and by the 1 MB page size, filters, projections, Select, parallel scan
 * segments, long sort keys, capacity, and DynamoDB's errors.
 */
#include "fixture.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A table "T" with pk (S) and sk of the given type. */
static void
create_pk_sk(struct fx *f, const char *name, const char *sk_type)
{
    char req[512];
    snprintf(req, sizeof req,
             "{\"TableName\":\"%s\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\","
             "\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"%s\"}],"
             "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":"
             "\"sk\",\"KeyType\":\"RANGE\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}",
             name, sk_type);
    fx_ok(f, "CreateTable", req);
}

/* Put an item through the typed API: pk, sk (number text or string), and
 * an attribute "v" holding a number and "pad" of `pad` bytes. */
static void
put(struct fx *f, const char *table, const char *pk, const char *sk, bool sk_number, int v,
    size_t pad)
{
    kv_item *it = kv_item_new();
    char num[32];
    kv_item_put_s(it, "pk", pk);
    if (sk_number)
        kv_item_put_n(it, "sk", sk);
    else
        kv_item_put_s(it, "sk", sk);
    snprintf(num, sizeof num, "%d", v);
    kv_item_put_n(it, "v", num);
    if (pad) {
        char *p = malloc(pad + 1);
        memset(p, 'x', pad);
        p[pad] = '\0';
        kv_item_put_s(it, "fill", p);
        free(p);
    }
    assert_int_equal(kv_put_item(f->db, table, it, NULL, NULL), KV_OK);
    kv_item_free(it);
}


/* The "v" numbers of a response's Items, as a comma-separated string. */
static void
values_of(json_t *resp, char *out, size_t cap)
{
    json_t *items = json_object_get(resp, "Items"), *it;
    size_t i, n = 0;
    out[0] = '\0';
    json_array_foreach(items, i, it)
    {
        const char *v = json_string_value(json_object_get(json_object_get(it, "v"), "N"));
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "," : "", v ? v : "?");
    }
}

static void
query_expect(struct fx *f, const char *cond, const char *values_json, bool forward,
             const char *want)
{
    char req[1024], got[4096];
    snprintf(req, sizeof req,
             "{\"TableName\":\"Tbl\",\"KeyConditionExpression\":\"%s\","
             "\"ExpressionAttributeValues\":%s,\"ScanIndexForward\":%s}",
             cond, values_json, forward ? "true" : "false");
    json_t *j = fx_json(f, "Query", req);
    values_of(j, got, sizeof got);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "%s -> %s (want %s)\n", cond, got, want);
    assert_string_equal(got, want);
    json_decref(j);
}

static void
query01_key_conditions(void **state)
{
    struct fx *f = *state;
    create_pk_sk(f, "Tbl", "S");
    const char *sks[] = {"a", "ab", "abc", "b", "ba", "c", "\xc2\xbf"};
    for (int i = 0; i < 7; i++)
        put(f, "Tbl", "p", sks[i], false, i, 0);
    put(f, "Tbl", "other", "a", false, 99, 0);
    query_expect(f, "pk = :p", "{\":p\":{\"S\":\"p\"}}", true, "0,1,2,3,4,5,6");
    query_expect(f, "pk = :p", "{\":p\":{\"S\":\"p\"}}", false, "6,5,4,3,2,1,0");
    query_expect(f, ":p = pk", "{\":p\":{\"S\":\"other\"}}", true, "99");
    query_expect(f, "pk = :p AND sk = :s", "{\":p\":{\"S\":\"p\"},\":s\":{\"S\":\"ba\"}}", true,
                 "4");
    query_expect(f, "pk = :p AND sk < :s", "{\":p\":{\"S\":\"p\"},\":s\":{\"S\":\"b\"}}", true,
                 "0,1,2");
    query_expect(f, "pk = :p AND sk <= :s", "{\":p\":{\"S\":\"p\"},\":s\":{\"S\":\"b\"}}", false,
                 "3,2,1,0");
    query_expect(f, "pk = :p AND sk > :s", "{\":p\":{\"S\":\"p\"},\":s\":{\"S\":\"b\"}}", true,
                 "4,5,6");
    query_expect(f, "pk = :p AND sk >= :s", "{\":p\":{\"S\":\"p\"},\":s\":{\"S\":\"b\"}}", false,
                 "6,5,4,3");
    query_expect(f, "pk = :p AND :s < sk", "{\":p\":{\"S\":\"p\"},\":s\":{\"S\":\"b\"}}", true,
                 "4,5,6");
    query_expect(f, "pk = :p AND sk BETWEEN :x AND :y",
                 "{\":p\":{\"S\":\"p\"},\":x\":{\"S\":\"ab\"},\":y\":{\"S\":\"ba\"}}", true,
                 "1,2,3,4");
    query_expect(f, "pk = :p AND sk BETWEEN :x AND :y",
                 "{\":p\":{\"S\":\"p\"},\":x\":{\"S\":\"ab\"},\":y\":{\"S\":\"ba\"}}", false,
                 "4,3,2,1");
    query_expect(f, "pk = :p AND begins_with(sk, :b)",
                 "{\":p\":{\"S\":\"p\"},\":b\":{\"S\":\"a\"}}", true, "0,1,2");
    query_expect(f, "pk = :p AND begins_with(sk, :b)",
                 "{\":p\":{\"S\":\"p\"},\":b\":{\"S\":\"a\"}}", false, "2,1,0");
    query_expect(f, "pk = :p AND begins_with(sk, :b)",
                 "{\":p\":{\"S\":\"p\"},\":b\":{\"S\":\"zz\"}}", true, "");
    query_expect(f, "pk = :p", "{\":p\":{\"S\":\"nobody\"}}", true, "");
}

static void
query02_number_sort_keys(void **state)
{
    struct fx *f = *state;
    create_pk_sk(f, "Tbl", "N");
    const char *sks[] = {"-1E+125", "-10", "-9.5", "-1E-130", "0", "1E-130", "2", "10",
                         "99999999999999999999999999999999999998",
                         "99999999999999999999999999999999999999"};
    /* Insert in a scrambled order; Query returns numeric order. */
    int order[] = {7, 2, 9, 0, 4, 6, 1, 8, 3, 5};
    for (int i = 0; i < 10; i++)
        put(f, "Tbl", "p", sks[order[i]], true, order[i], 0);
    query_expect(f, "pk = :p", "{\":p\":{\"S\":\"p\"}}", true, "0,1,2,3,4,5,6,7,8,9");
    query_expect(f, "pk = :p AND sk > :z", "{\":p\":{\"S\":\"p\"},\":z\":{\"N\":\"0\"}}", true,
                 "5,6,7,8,9");
    query_expect(f, "pk = :p AND sk BETWEEN :a AND :b",
                 "{\":p\":{\"S\":\"p\"},\":a\":{\"N\":\"-10.0\"},\":b\":{\"N\":\"2\"}}", false,
                 "6,5,4,3,2,1");
}

#define KC ",\"KeyConditionExpression\":\"pk = :p\""

/*
 * Page through a query and check every item comes exactly once, in order.
 * `extra` is spliced into the request (Limit, filter, ...).
 */
static int
page_all(struct fx *f, const char *extra, bool forward, int n_items, int expect_step,
         int *pages_out)
{
    char start[4096] = "";
    int last = n_items - 1 - (n_items - 1) % expect_step;
    int next = forward ? 0 : last, pages = 0, seen = 0;
    for (;;) {
        char req[8192];
        snprintf(req, sizeof req,
                 "{\"TableName\":\"Tbl\",\"ScanIndexForward\":%s%s%s%s",
                 forward ? "true" : "false", extra, start[0] ? ",\"ExclusiveStartKey\":" : "",
                 start);
        strcat(req, "}");
        json_t *j = fx_json(f, "Query", req), *it;
        size_t i;
        pages++;
        json_array_foreach(json_object_get(j, "Items"), i, it)
        {
            int v = atoi(json_string_value(json_object_get(json_object_get(it, "v"), "N")));
            if (v != next)
                fprintf(stderr, "page %d: got %d want %d (%s)\n", pages, v, next, req);
            assert_int_equal(v, next);
            next += forward ? expect_step : -expect_step;
            seen++;
        }
        json_t *lek = json_object_get(j, "LastEvaluatedKey");
        if (!lek) {
            json_decref(j);
            break;
        }
        char *s = json_dumps(lek, JSON_COMPACT);
        snprintf(start, sizeof start, "%s", s);
        free(s);
        json_decref(j);
    }
    *pages_out = pages;
    return seen;
}

static void
query03_paging_limit_and_size(void **state)
{
    struct fx *f = *state;
    create_pk_sk(f, "Tbl", "N");
    int n = 10000;
    for (int i = 0; i < n; i++) {
        char sk[16];
        snprintf(sk, sizeof sk, "%d", i);
        put(f, "Tbl", "p", sk, true, i, i % 50 == 0 ? 2000 : 100);
    }
    put(f, "Tbl", "q", "1", true, -1, 0);
    int pages;
    /* Limit 7: every item once, in order, forward and backward. */
    assert_int_equal(page_all(f, KC ",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p\"}},"
                                 "\"Limit\":7",
                              true, n, 1, &pages),
                     n);
    assert_int_equal(pages, n / 7 + 1);
    assert_int_equal(page_all(f, KC ",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p\"}},"
                                 "\"Limit\":7",
                              false, n, 1, &pages),
                     n);
    /* No Limit: pages cut by the 1 MB read size. */
    assert_int_equal(page_all(f, KC ",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p\"}}", true, n,
                              1, &pages),
                     n);
    assert_true(pages >= 2);
    assert_int_equal(page_all(f, KC ",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p\"}}", false,
                              n, 1, &pages),
                     n);
    /* A filter that keeps one item in 50 (those with the long pad). */
    assert_int_equal(page_all(f, KC ",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p\"},"
                                 "\":l\":{\"N\":\"1000\"}},\"FilterExpression\":\"size(fill) > "
                                 ":l\",\"Limit\":7",
                              true, n, 50, &pages),
                     n / 50);
    assert_int_equal(pages, n / 7 + 1);
    assert_int_equal(page_all(f, KC ",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p\"},"
                                 "\":l\":{\"N\":\"1000\"}},\"FilterExpression\":\"size(fill) > "
                                 ":l\"",
                              false, n, 50, &pages),
                     n / 50);
}

static void
query04_page_boundaries(void **state)
{
    struct fx *f = *state;
    create_pk_sk(f, "Tbl", "N");
    /* Items of 2 + 1 + 2 + 1 + 3 + 1024 + ... bytes: check the 1 MB cut. */
    for (int i = 0; i < 1100; i++) {
        char sk[16];
        snprintf(sk, sizeof sk, "%d", i);
        put(f, "Tbl", "p", sk, true, i, 1000);
    }
    json_t *j = fx_json(f, "Query",
                        "{\"TableName\":\"Tbl\",\"KeyConditionExpression\":\"pk = :p\","
                        "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p\"}},"
                        "\"ReturnConsumedCapacity\":\"TOTAL\"}");
    int count = (int)json_integer_value(json_object_get(j, "Count"));
    /* Each item is 1,000 + "pad" (3) + pk (2+1) + sk (2+n) + v (1+n) bytes. */
    assert_true(count > 1000 && count < 1100);
    assert_int_equal(json_integer_value(json_object_get(j, "ScannedCount")), count);
    assert_non_null(json_object_get(j, "LastEvaluatedKey"));
    double cu = json_real_value(json_object_get(json_object_get(j, "ConsumedCapacity"),
                                                "CapacityUnits"));
    assert_true(cu >= 128.0 && cu <= 129.0); /* ~1 MB / 4 KB, eventually consistent */
    json_decref(j);
}

static void
query05_select_projection_count(void **state)
{
    struct fx *f = *state;
    create_pk_sk(f, "Tbl", "S");
    for (int i = 0; i < 5; i++) {
        char sk[8];
        snprintf(sk, sizeof sk, "s%d", i);
        put(f, "Tbl", "p", sk, false, i, 3);
    }
    char *r = fx_request(f, "Query",
                         "{\"TableName\":\"Tbl\",\"KeyConditionExpression\":\"pk = :p\","
                         "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p\"},\":two\":{\"N\":"
                         "\"2\"}},\"FilterExpression\":\"v >= :two\",\"Select\":\"COUNT\"}",
                         KV_OK);
    fx_assert_json(r, "{\"Count\":3,\"ScannedCount\":5}");
    kv_free(r);
    r = fx_request(f, "Query",
                   "{\"TableName\":\"Tbl\",\"KeyConditionExpression\":\"pk = :p AND sk = :s\","
                   "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p\"},\":s\":{\"S\":\"s1\"}},"
                   "\"ProjectionExpression\":\"v, #x\",\"ExpressionAttributeNames\":{\"#x\":"
                   "\"missing\"}}",
                   KV_OK);
    fx_assert_json(r, "{\"Items\":[{\"v\":{\"N\":\"1\"}}],\"Count\":1,\"ScannedCount\":1}");
    kv_free(r);
    r = fx_request(f, "Query",
                   "{\"TableName\":\"Tbl\",\"KeyConditionExpression\":\"pk = :p\",\"Limit\":2,"
                   "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p\"}},\"ProjectionExpression\":"
                   "\"sk\",\"Select\":\"SPECIFIC_ATTRIBUTES\"}",
                   KV_OK);
    fx_assert_json(r, "{\"Items\":[{\"sk\":{\"S\":\"s0\"}},{\"sk\":{\"S\":\"s1\"}}],\"Count\":2,"
                      "\"ScannedCount\":2,\"LastEvaluatedKey\":{\"pk\":{\"S\":\"p\"},\"sk\":{"
                      "\"S\":\"s1\"}}}");
    kv_free(r);
}

static void
query06_errors(void **state)
{
    struct fx *f = *state;
    create_pk_sk(f, "Tbl", "S");
    const char *base = "\"TableName\":\"Tbl\",\"KeyConditionExpression\":\"pk = :p\","
                       "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p\"}}";
    char req[1024];
    struct {
        const char *extra;
        const char *msg;
        kv_status st;
    } cases[] = {
        {",\"Limit\":0",
         "1 validation error detected: Value at 'Limit' failed to satisfy constraint: Member must "
         "have value greater than or equal to 1",
         KV_VALIDATION},
        {",\"Select\":\"ALL_ATTRIBUTES\",\"ProjectionExpression\":\"sk\"",
         "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES",
         KV_VALIDATION},
        {",\"Select\":\"COUNT\",\"ProjectionExpression\":\"sk\"",
         "Cannot specify the ProjectionExpression when choosing to get only the Count",
         KV_VALIDATION},
        {",\"Select\":\"SPECIFIC_ATTRIBUTES\"",
         "1 validation error detected: Must specify the AttributesToGet or ProjectionExpression "
         "when choosing to get SPECIFIC_ATTRIBUTES",
         KV_VALIDATION},
        {",\"Select\":\"ALL_PROJECTED_ATTRIBUTES\"",
         "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
         KV_VALIDATION},
        {",\"Select\":\"NOPE\"",
         "1 validation error detected: Value 'NOPE' at 'select' failed to satisfy constraint: "
         "Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, "
         "ALL_PROJECTED_ATTRIBUTES]",
         KV_VALIDATION},
        {",\"IndexName\":\"nope\"", "The table does not have the specified index: nope",
         KV_VALIDATION},
        {",\"FilterExpression\":\"sk = :p\"",
         "Filter Expression can only contain non-primary key attributes: Primary key attribute: "
         "sk",
         KV_VALIDATION},
        {",\"ExclusiveStartKey\":{\"pk\":{\"S\":\"q\"},\"sk\":{\"S\":\"a\"}}",
         "The provided starting key is outside query boundaries based on provided conditions",
         KV_VALIDATION},
        {",\"ExclusiveStartKey\":{\"pk\":{\"S\":\"p\"}}",
         "The provided starting key is invalid: The provided key element does not match the "
         "schema",
         KV_VALIDATION},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(req, sizeof req, "{%s%s}", base, cases[i].extra);
        fx_expect_error(f, "Query", req, cases[i].st, cases[i].msg);
    }
    /* With a sort-key condition the start key's sort key is checked first;
     * one that meets it in another partition could only be a single row. */
#define SK_COND(op, pk, sk)                                                                     \
    "{\"TableName\":\"Tbl\",\"KeyConditionExpression\":\"pk = :p AND sk " op " :s\","            \
    "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p\"},\":s\":{\"S\":\"m\"}},"                \
    "\"ExclusiveStartKey\":{\"pk\":{\"S\":\"" pk "\"},\"sk\":{\"S\":\"" sk "\"}}}"
    fx_expect_error(f, "Query", SK_COND("<", "q", "a"), KV_VALIDATION,
                    "The query can return at most one row and cannot be restarted");
    fx_expect_error(f, "Query", SK_COND(">", "q", "a"), KV_VALIDATION,
                    "The provided starting key does not match the range key predicate");
    fx_expect_error(f, "Query", SK_COND(">", "p", "a"), KV_VALIDATION,
                    "The provided starting key does not match the range key predicate");
#undef SK_COND
    fx_expect_error(f, "Query", "{\"TableName\":\"Tbl\"}", KV_VALIDATION,
                    "Either the KeyConditions or KeyConditionExpression parameter must be "
                    "specified in the request.");
    fx_expect_error(f, "Query",
                    "{\"TableName\":\"Tbl\",\"KeyConditionExpression\":\"sk = :v\","
                    "\"ExpressionAttributeValues\":{\":v\":{\"S\":\"x\"}}}",
                    KV_VALIDATION, "Query condition missed key schema element: pk");
    fx_expect_error(f, "Query",
                    "{\"TableName\":\"Nope\",\"KeyConditionExpression\":\"pk = :v\","
                    "\"ExpressionAttributeValues\":{\":v\":{\"S\":\"x\"}}}",
                    KV_RESOURCE_NOT_FOUND, "Requested resource not found");
    snprintf(req, sizeof req,
             "{%s,\"ExclusiveStartKey\":{\"pk\":{\"S\":\"p\"},\"sk\":{\"S\":\"a\"}},"
             "\"KeyConditionExpression\":\"pk = :p AND sk > :s\",\"ExpressionAttributeValues\":"
             "{\":p\":{\"S\":\"p\"},\":s\":{\"S\":\"b\"}}}",
             "\"TableName\":\"Tbl\"");
    fx_expect_error(f, "Query", req, KV_VALIDATION,
                    "The provided starting key does not match the range key predicate");
}

/* Sort keys sharing their first 900 bytes are stored truncated; Query must
 * still return them in their true order, and page through them. */
static void
query07_long_sort_keys(void **state)
{
    struct fx *f = *state;
    create_pk_sk(f, "Tbl", "S");
    int n = 60;
    int *perm = malloc((size_t)n * sizeof *perm);
    for (int i = 0; i < n; i++)
        perm[i] = (i * 37) % n;
    for (int i = 0; i < n; i++) {
        char sk[1025];
        memset(sk, 'k', 900);
        snprintf(sk + 900, sizeof sk - 900, "%03d", perm[i]);
        memset(sk + 903, 'z', 1024 - 903);
        sk[1024] = '\0';
        put(f, "Tbl", "p", sk, false, perm[i], 0);
    }
    free(perm);
    put(f, "Tbl", "p", "a", false, -1, 0);
    put(f, "Tbl", "p", "z", false, 1000, 0);
    char want[1024];
    size_t w = (size_t)snprintf(want, sizeof want, "-1");
    for (int i = 0; i < n; i++)
        w += (size_t)snprintf(want + w, sizeof want - w, ",%d", i);
    snprintf(want + w, sizeof want - w, ",1000");
    query_expect(f, "pk = :p", "{\":p\":{\"S\":\"p\"}}", true, want);
    int pages;
    assert_int_equal(page_all(f, ",\"Limit\":7,\"KeyConditionExpression\":\"pk = :p AND sk BETWEEN "
                                 ":a AND :z\",\"ExpressionAttributeValues\":{\":p\":{\"S\":"
                                 "\"p\"},\":a\":{\"S\":\"b\"},\":z\":{\"S\":\"y\"}}",
                              true, n, 1, &pages),
                     n);
    assert_int_equal(page_all(f, ",\"Limit\":5,\"KeyConditionExpression\":\"pk = :p AND sk BETWEEN "
                                 ":a AND :z\",\"ExpressionAttributeValues\":{\":p\":{\"S\":"
                                 "\"p\"},\":a\":{\"S\":\"b\"},\":z\":{\"S\":\"y\"}}",
                              false, n, 1, &pages),
                     n);
}

static json_t *
scan_page(struct fx *f, const char *extra, const char *start)
{
    char req[2048];
    snprintf(req, sizeof req, "{\"TableName\":\"Tbl\"%s%s%s}", extra,
             start ? ",\"ExclusiveStartKey\":" : "", start ? start : "");
    return fx_json(f, "Scan", req);
}

/* Every item of a scan (or one segment), counted by its v. */
static int
scan_all(struct fx *f, const char *extra, int *seen, int n)
{
    char *start = NULL;
    int total = 0;
    for (;;) {
        json_t *j = scan_page(f, extra, start), *it;
        size_t i;
        free(start);
        start = NULL;
        json_array_foreach(json_object_get(j, "Items"), i, it)
        {
            int v = atoi(json_string_value(json_object_get(json_object_get(it, "v"), "N")));
            assert_true(v >= 0 && v < n);
            seen[v]++;
            total++;
        }
        json_t *lek = json_object_get(j, "LastEvaluatedKey");
        if (lek)
            start = json_dumps(lek, JSON_COMPACT);
        json_decref(j);
        if (!start)
            break;
    }
    return total;
}

static void
scan01_all_items_and_segments(void **state)
{
    struct fx *f = *state;
    create_pk_sk(f, "Tbl", "N");
    int n = 3000;
    for (int i = 0; i < n; i++) {
        char pk[16], sk[16];
        snprintf(pk, sizeof pk, "p%d", i % 700);
        snprintf(sk, sizeof sk, "%d", i);
        put(f, "Tbl", pk, sk, true, i, 10);
    }
    int *seen = calloc((size_t)n, sizeof *seen);
    assert_int_equal(scan_all(f, ",\"Limit\":13", seen, n), n);
    for (int i = 0; i < n; i++)
        assert_int_equal(seen[i], 1);
    int totals[] = {1, 3, 16};
    for (int t = 0; t < 3; t++) {
        memset(seen, 0, (size_t)n * sizeof *seen);
        int sum = 0;
        for (int s = 0; s < totals[t]; s++) {
            char extra[128];
            snprintf(extra, sizeof extra, ",\"Segment\":%d,\"TotalSegments\":%d,\"Limit\":50", s,
                     totals[t]);
            sum += scan_all(f, extra, seen, n);
        }
        assert_int_equal(sum, n);
        for (int i = 0; i < n; i++)
            assert_int_equal(seen[i], 1);
    }
    free(seen);
    /* Filter and count on a scan. */
    json_t *j = scan_page(f, ",\"FilterExpression\":\"v < :x\",\"ExpressionAttributeValues\":"
                             "{\":x\":{\"N\":\"100\"}},\"Select\":\"COUNT\"",
                          NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "Count")), 100);
    assert_int_equal(json_integer_value(json_object_get(j, "ScannedCount")), n);
    assert_null(json_object_get(j, "Items"));
    json_decref(j);
}

static void
scan02_errors(void **state)
{
    struct fx *f = *state;
    create_pk_sk(f, "Tbl", "N");
    fx_expect_error(f, "Scan", "{\"TableName\":\"Tbl\",\"Segment\":0}", KV_VALIDATION,
                    "The TotalSegments parameter is required but was not present in the request "
                    "when Segment parameter is present");
    fx_expect_error(f, "Scan", "{\"TableName\":\"Tbl\",\"TotalSegments\":4}", KV_VALIDATION,
                    "The Segment parameter is required but was not present in the request when "
                    "parameter TotalSegments is present");
    fx_expect_error(f, "Scan", "{\"TableName\":\"Tbl\",\"Segment\":5,\"TotalSegments\":5}",
                    KV_VALIDATION,
                    "The Segment parameter is zero-based and must be less than parameter "
                    "TotalSegments: Segment: 5 is not less than TotalSegments: 5");
    fx_expect_error(f, "Scan", "{\"TableName\":\"Tbl\",\"Limit\":0}", KV_VALIDATION,
                    "1 validation error detected: Value '0' at 'limit' failed to satisfy "
                    "constraint: Member must have value greater than or equal to 1");
    fx_expect_error(f, "Scan", "{\"TableName\":\"Tbl\",\"Segment\":0,\"TotalSegments\":1000001}",
                    KV_VALIDATION,
                    "1 validation error detected: Value '1000001' at 'totalSegments' failed to "
                    "satisfy constraint: Member must have value less than or equal to 1000000");
    fx_expect_error(f, "Scan", "{\"TableName\":\"Tbl\",\"Select\":\"SPECIFIC_ATTRIBUTES\"}",
                    KV_VALIDATION,
                    "Must specify the AttributesToGet or ProjectionExpression when choosing to "
                    "get SPECIFIC_ATTRIBUTES");
    fx_expect_error(f, "Scan", "{\"TableName\":\"Nope\"}", KV_RESOURCE_NOT_FOUND,
                    "Requested resource not found");
    /* An empty table: one page, no key, the minimum charge. */
    char *r = fx_request(f, "Scan", "{\"TableName\":\"Tbl\",\"ReturnConsumedCapacity\":\"TOTAL\"}",
                         KV_OK);
    fx_assert_json(r, "{\"Items\":[],\"Count\":0,\"ScannedCount\":0,\"ConsumedCapacity\":{"
                      "\"TableName\":\"Tbl\",\"CapacityUnits\":0.5}}");
    kv_free(r);
}

/* Key attributes are scalars: a path into one, in a filter or a
 * projection, is refused by every read: "Key" for the table's keys,
 * "IndexKey" for its indexes' (whichever index is read), the filter before
 * the projection.  A path into any other attribute is fine. */
static void
read01_nested_key_paths(void **state)
{
    struct fx *f = *state;
    fx_ok(f, "CreateTable",
          "{\"TableName\":\"Tab\",\"AttributeDefinitions\":["
          "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},"
          "{\"AttributeName\":\"g\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"l\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
          "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
          "\"BillingMode\":\"PAY_PER_REQUEST\","
          "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"Gix\",\"KeySchema\":["
          "{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],"
          "\"Projection\":{\"ProjectionType\":\"ALL\"}}],"
          "\"LocalSecondaryIndexes\":[{\"IndexName\":\"Lix\",\"KeySchema\":["
          "{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"l\","
          "\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}]}");
    fx_ok(f, "PutItem",
          "{\"TableName\":\"Tab\",\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},"
          "\"g\":{\"S\":\"x\"},\"m\":{\"M\":{\"k\":{\"S\":\"v\"}}}}}");
    const char *pre = "Key attributes must be scalars; list random access '[]' and map "
                      "lookup '.' are not allowed: ";
    char msg[256];
    struct {
        const char *op, *json, *key;
    } cases[] = {
        {"Scan", "{\"TableName\":\"Tab\",\"FilterExpression\":\"attribute_exists(pk.b.c)\"}",
         "Key: pk"},
        {"Scan", "{\"TableName\":\"Tab\",\"ProjectionExpression\":\"m, g[0]\"}", "IndexKey: g"},
        {"Scan",
         "{\"TableName\":\"Tab\",\"IndexName\":\"Gix\",\"FilterExpression\":\"#l.x = :v\","
         "\"ExpressionAttributeNames\":{\"#l\":\"l\"},"
         "\"ExpressionAttributeValues\":{\":v\":{\"S\":\"v\"}}}",
         "IndexKey: l"},
        /* The filter's path is reported before the projection's, and a
         * table key before an index key. */
        {"Scan",
         "{\"TableName\":\"Tab\",\"FilterExpression\":\"g.x = :v AND sk[1] = :v\","
         "\"ProjectionExpression\":\"pk.y\",\"ExpressionAttributeValues\":{\":v\":{\"S\":\"v\"}}}",
         "Key: sk"},
        {"Query",
         "{\"TableName\":\"Tab\",\"KeyConditionExpression\":\"pk = :p\","
         "\"FilterExpression\":\"l.x = :p\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"a\"}}}",
         "IndexKey: l"},
        {"Query",
         "{\"TableName\":\"Tab\",\"IndexName\":\"Lix\",\"KeyConditionExpression\":\"pk = :p\","
         "\"ProjectionExpression\":\"l[0]\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"a\"}}}",
         "IndexKey: l"},
        {"GetItem",
         "{\"TableName\":\"Tab\",\"Key\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}},"
         "\"ProjectionExpression\":\"sk.q\"}",
         "Key: sk"},
        {"BatchGetItem",
         "{\"RequestItems\":{\"Tab\":{\"Keys\":[{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}],"
         "\"ProjectionExpression\":\"#g.x\",\"ExpressionAttributeNames\":{\"#g\":\"g\"}}}}",
         "IndexKey: g"},
        {"TransactGetItems",
         "{\"TransactItems\":[{\"Get\":{\"TableName\":\"Tab\",\"Key\":{\"pk\":{\"S\":\"a\"},"
         "\"sk\":{\"N\":\"1\"}},\"ProjectionExpression\":\"pk[1]\"}}]}",
         "Key: pk"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(msg, sizeof msg, "%s%s", pre, cases[i].key);
        fx_expect_error(f, cases[i].op, cases[i].json, KV_VALIDATION, msg);
    }
    /* A Query filter on the queried key itself is refused as such first. */
    fx_expect_error(f, "Query",
                    "{\"TableName\":\"Tab\",\"KeyConditionExpression\":\"pk = :p\","
                    "\"FilterExpression\":\"sk.x = :p\","
                    "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"a\"}}}",
                    KV_VALIDATION,
                    "Filter Expression can only contain non-primary key attributes: Primary key "
                    "attribute: sk");
    /* A start key from another segment is refused before the paths. */
    fx_expect_error(f, "Scan",
                    "{\"TableName\":\"Tab\",\"Segment\":1,\"TotalSegments\":1000000,"
                    "\"FilterExpression\":\"attribute_exists(pk.b)\",\"ExclusiveStartKey\":"
                    "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}}",
                    KV_VALIDATION,
                    "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use "
                    "ExclusiveStartKey with correct Segment. TotalSegments: 1000000 Segment: 1");
    /* Paths into other attributes, and key attributes named whole. */
    char *r = fx_request(f, "GetItem",
                         "{\"TableName\":\"Tab\",\"Key\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}},"
                         "\"ProjectionExpression\":\"m.k, pk, g\"}",
                         KV_OK);
    fx_assert_json(r, "{\"Item\":{\"m\":{\"M\":{\"k\":{\"S\":\"v\"}}},\"pk\":{\"S\":\"a\"},"
                      "\"g\":{\"S\":\"x\"}}}");
    kv_free(r);
    r = fx_request(f, "Scan",
                   "{\"TableName\":\"Tab\",\"FilterExpression\":\"m.k = :v\","
                   "\"ProjectionExpression\":\"sk\",\"ExpressionAttributeValues\":{\":v\":{\"S\":\"v\"}}}",
                   KV_OK);
    fx_assert_json(r, "{\"Items\":[{\"sk\":{\"N\":\"1\"}}],\"Count\":1,\"ScannedCount\":1}");
    kv_free(r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(query01_key_conditions, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(query02_number_sort_keys, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(query03_paging_limit_and_size, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(query04_page_boundaries, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(query05_select_projection_count, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(query06_errors, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(query07_long_sort_keys, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(scan01_all_items_and_segments, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(scan02_errors, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(read01_nested_key_paths, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
