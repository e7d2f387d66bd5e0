/*
 * test_index_model.c -- 100,000 random puts, updates and deletes on a table
 * with two global indexes and one local index, against a plain in-memory
 * model of the items.  At regular steps every index is scanned and must
 * hold exactly the entries the model's items call for, projected as
 * declared; at the end kv_db_check must find nothing, also after reopening.
 *
 * Writes that DynamoDB refuses (an index key of the wrong type, a failed
 * condition) are part of the mix: the model predicts the refusal, and the
 * database must stay as it was.
 */
#include "fixture.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_PK 40
#define N_SK 25
#define OPS 100000
#define CHECK_EVERY 10000

/* One item of the model; absent attributes are NULL / -1. */
struct item {
    bool exists;
    char g1[8];    /* "" when absent */
    int g2;        /* -1 when absent */
    char l[8];     /* "" when absent */
    char data[16]; /* "" when absent */
};

static struct item model[N_PK][N_SK];
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static void
clear_item(struct item *it)
{
    memset(it, 0, sizeof *it);
    it->g2 = -1;
}

static void
random_attrs(struct item *it)
{
    it->exists = true;
    if (rnd(10) < 7)
        snprintf(it->g1, sizeof it->g1, "g%u", rnd(6));
    else
        it->g1[0] = '\0';
    it->g2 = rnd(10) < 7 ? (int)rnd(9) : -1;
    if (rnd(10) < 6)
        snprintf(it->l, sizeof it->l, "l%u", rnd(30));
    else
        it->l[0] = '\0';
    if (rnd(10) < 8)
        snprintf(it->data, sizeof it->data, "d%u", rnd(100000));
    else
        it->data[0] = '\0';
}

/* The item as DynamoDB JSON members after the key, appended to out. */
static void
attrs_json(const struct item *it, char *out, size_t cap)
{
    size_t n = strlen(out);
    if (it->g1[0])
        n += (size_t)snprintf(out + n, cap - n, ",\"g1\":{\"S\":\"%s\"}", it->g1);
    if (it->g2 >= 0)
        n += (size_t)snprintf(out + n, cap - n, ",\"g2\":{\"N\":\"%d\"}", it->g2);
    if (it->l[0])
        n += (size_t)snprintf(out + n, cap - n, ",\"l\":{\"S\":\"%s\"}", it->l);
    if (it->data[0])
        snprintf(out + n, cap - n, ",\"dv\":{\"S\":\"%s\"}", it->data);
}

static void
create_table(struct fx *f)
{
    fx_ok(f, "CreateTable",
          "{\"TableName\":\"Model\",\"AttributeDefinitions\":["
          "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},"
          "{\"AttributeName\":\"g1\",\"AttributeType\":\"S\"},"
          "{\"AttributeName\":\"g2\",\"AttributeType\":\"N\"},"
          "{\"AttributeName\":\"l\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
          "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
          "\"BillingMode\":\"PAY_PER_REQUEST\","
          "\"GlobalSecondaryIndexes\":["
          "{\"IndexName\":\"Gs1\",\"KeySchema\":[{\"AttributeName\":\"g1\",\"KeyType\":\"HASH\"},"
          "{\"AttributeName\":\"g2\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":"
          "\"INCLUDE\",\"NonKeyAttributes\":[\"dv\"]}},"
          "{\"IndexName\":\"Gs2\",\"KeySchema\":[{\"AttributeName\":\"g2\",\"KeyType\":\"HASH\"}],"
          "\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}],"
          "\"LocalSecondaryIndexes\":[{\"IndexName\":\"Ls1\",\"KeySchema\":[{\"AttributeName\":"
          "\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],"
          "\"Projection\":{\"ProjectionType\":\"ALL\"}}]}");
}

static void
do_put(struct fx *f, int p, int s)
{
    struct item it;
    char body[512];
    random_attrs(&it);
    bool conditional = rnd(20) == 0;
    snprintf(body, sizeof body,
             "{\"TableName\":\"Model\",%s\"Item\":{\"pk\":{\"S\":\"p%d\"},"
             "\"sk\":{\"N\":\"%d\"}",
             conditional ? "\"ConditionExpression\":\"attribute_not_exists(pk)\"," : "", p, s);
    attrs_json(&it, body, sizeof body);
    strcat(body, "}}");
    bool refused = conditional && model[p][s].exists;
    kv_free(fx_request(f, "PutItem", body, refused ? KV_CONDITIONAL_CHECK_FAILED : KV_OK));
    if (!refused)
        model[p][s] = it;
}

/* A put whose g1 is a number: refused whatever the item held before. */
static void
do_bad_put(struct fx *f, int p, int s)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"TableName\":\"Model\",\"Item\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"%d\"},"
             "\"g1\":{\"N\":\"1\"}}}",
             p, s);
    kv_free(fx_request(f, "PutItem", body, KV_VALIDATION));
}

static void
do_update(struct fx *f, int p, int s)
{
    struct item it = model[p][s], next;
    char set[256] = "", rem[128] = "", vals[256] = "", body[1024];
    random_attrs(&next);
    /* Each attribute is set to the new value, removed, or left alone. */
    const char *names[4] = {"g1", "g2", "l", "dv"};
    for (int a = 0; a < 4; a++) {
        int choice = (int)rnd(3);
        bool has_new = a == 0   ? next.g1[0]
                       : a == 1 ? next.g2 >= 0
                       : a == 2 ? next.l[0]
                                : next.data[0];
        if (choice == 0 && has_new) {
            char v[48];
            if (a == 1)
                snprintf(v, sizeof v, "{\"N\":\"%d\"}", next.g2);
            else
                snprintf(v, sizeof v, "{\"S\":\"%s\"}",
                         a == 0   ? next.g1
                         : a == 2 ? next.l
                                  : next.data);
            snprintf(set + strlen(set), sizeof set - strlen(set), "%s%s = :%s",
                     set[0] ? ", " : "SET ", names[a], names[a]);
            snprintf(vals + strlen(vals), sizeof vals - strlen(vals), "%s\":%s\":%s",
                     vals[0] ? "," : "", names[a], v);
            if (a == 0)
                strcpy(it.g1, next.g1);
            else if (a == 1)
                it.g2 = next.g2;
            else if (a == 2)
                strcpy(it.l, next.l);
            else
                strcpy(it.data, next.data);
        } else if (choice == 1) {
            snprintf(rem + strlen(rem), sizeof rem - strlen(rem), "%s%s", rem[0] ? ", " : "REMOVE ",
                     names[a]);
            if (a == 0)
                it.g1[0] = '\0';
            else if (a == 1)
                it.g2 = -1;
            else if (a == 2)
                it.l[0] = '\0';
            else
                it.data[0] = '\0';
        }
    }
    if (!set[0] && !rem[0]) {
        snprintf(it.data, sizeof it.data, "u%u", rnd(1000));
        snprintf(set, sizeof set, "SET dv = :dv");
        snprintf(vals, sizeof vals, "\":dv\":{\"S\":\"%s\"}", it.data);
    }
    snprintf(body, sizeof body,
             "{\"TableName\":\"Model\",\"Key\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"%d\"}},"
             "\"UpdateExpression\":\"%s%s%s\"%s%s%s}",
             p, s, set, set[0] && rem[0] ? " " : "", rem,
             vals[0] ? ",\"ExpressionAttributeValues\":{" : "", vals, vals[0] ? "}" : "");
    fx_ok(f, "UpdateItem", body);
    /* An update creates an absent item only when it sets something. */
    if (model[p][s].exists || set[0]) {
        it.exists = true;
        model[p][s] = it;
    }
}

static void
do_delete(struct fx *f, int p, int s)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"TableName\":\"Model\",\"Key\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"%d\"}}}", p,
             s);
    fx_ok(f, "DeleteItem", body);
    clear_item(&model[p][s]);
}

/* --- comparing an index with the model ---------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entry the model's item should have in an index, as canonical JSON,
 * or NULL when it has none. */
static char *
expected_entry(const char *index, int p, int s, const struct item *it)
{
    bool all = strcmp(index, "Ls1") == 0;
    if ((strcmp(index, "Gs1") == 0 && (!it->g1[0] || it->g2 < 0)) ||
        (strcmp(index, "Gs2") == 0 && it->g2 < 0) || (all && !it->l[0]))
        return NULL;
    json_t *o = json_object();
    char num[16];
    json_object_set_new(o, "pk",
                        json_pack("{s:s}", "S", (snprintf(num, sizeof num, "p%d", p), num)));
    snprintf(num, sizeof num, "%d", s);
    json_object_set_new(o, "sk", json_pack("{s:s}", "N", num));
    bool g1 = all || strcmp(index, "Gs1") == 0;
    if (it->g1[0] && g1)
        json_object_set_new(o, "g1", json_pack("{s:s}", "S", it->g1));
    if (it->g2 >= 0) {
        snprintf(num, sizeof num, "%d", it->g2);
        json_object_set_new(o, "g2", json_pack("{s:s}", "N", num));
    }
    if (it->l[0] && all)
        json_object_set_new(o, "l", json_pack("{s:s}", "S", it->l));
    if (it->data[0] && (all || strcmp(index, "Gs1") == 0))
        json_object_set_new(o, "dv", json_pack("{s:s}", "S", it->data));
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return text;
}

static void
compare_index(struct fx *f, const char *index)
{
    size_t cap = N_PK * N_SK, n_want = 0, n_got = 0;
    char **want = calloc(cap, sizeof *want), **got = calloc(cap + 1, sizeof *got);
    assert_non_null(want);
    assert_non_null(got);
    for (int p = 0; p < N_PK; p++)
        for (int s = 0; s < N_SK; s++)
            if (model[p][s].exists) {
                char *e = expected_entry(index, p, s, &model[p][s]);
                if (e)
                    want[n_want++] = e;
            }
    json_t *start = NULL;
    do {
        char body[512];
        char *sk = start ? json_dumps(start, JSON_COMPACT) : NULL;
        snprintf(body, sizeof body,
                 "{\"TableName\":\"Model\",\"IndexName\":\"%s\",\"Limit\":%d%s%s}", index, 97,
                 sk ? ",\"ExclusiveStartKey\":" : "", sk ? sk : "");
        free(sk);
        json_decref(start);
        char *r = fx_request(f, "Scan", body, KV_OK);
        json_t *j = json_loads(r, 0, NULL);
        kv_free(r);
        json_t *items = json_object_get(j, "Items");
        for (size_t i = 0; i < json_array_size(items); i++) {
            assert_true(n_got < cap);
            got[n_got++] = json_dumps(json_array_get(items, i), JSON_COMPACT | JSON_SORT_KEYS);
        }
        start = json_incref(json_object_get(j, "LastEvaluatedKey"));
        json_decref(j);
    } while (start);
    qsort(want, n_want, sizeof *want, cmp_str);
    qsort(got, n_got, sizeof *got, cmp_str);
    if (n_want != n_got) {
        fprintf(stderr, "index %s: %zu entries, model says %zu\n", index, n_got, n_want);
        size_t i = 0, j = 0;
        while (i < n_want || j < n_got) {
            int c = i == n_want ? 1 : j == n_got ? -1 : strcmp(want[i], got[j]);
            if (c < 0)
                fprintf(stderr, " missing: %s\n", want[i++]);
            else if (c > 0)
                fprintf(stderr, " extra:   %s\n", got[j++]);
            else
                i++, j++;
        }
    }
    assert_int_equal(n_got, n_want);
    for (size_t i = 0; i < n_want; i++) {
        if (strcmp(want[i], got[i]) != 0)
            fprintf(stderr, "index %s: got %s, model says %s\n", index, got[i], want[i]);
        assert_string_equal(got[i], want[i]);
        free(want[i]);
        free(got[i]);
    }
    free(want);
    free(got);
}

static void
print_problem(void *arg, const char *table, const char *index, const char *problem)
{
    (void)arg;
    fprintf(stderr, "%s/%s: %s\n", table, index ? index : "-", problem);
}

static void
compare_all(struct fx *f)
{
    uint64_t problems = 1;
    assert_int_equal(kv_db_check(f->db, NULL, print_problem, NULL, &problems), KV_OK);
    assert_int_equal(problems, 0);
    compare_index(f, "Gs1");
    compare_index(f, "Gs2");
    compare_index(f, "Ls1");
}

static void
model01_random_writes(void **state)
{
    struct fx *f = *state;
    for (int p = 0; p < N_PK; p++)
        for (int s = 0; s < N_SK; s++)
            clear_item(&model[p][s]);
    create_table(f);
    for (int op = 1; op <= OPS; op++) {
        int p = (int)rnd(N_PK), s = (int)rnd(N_SK), kind = (int)rnd(100);
        if (kind < 40)
            do_put(f, p, s);
        else if (kind < 70)
            do_update(f, p, s);
        else if (kind < 95)
            do_delete(f, p, s);
        else
            do_bad_put(f, p, s);
        if (op % CHECK_EVERY == 0)
            compare_all(f);
    }
    fx_reopen(f);
    compare_all(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(model01_random_writes, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
