/*
 * test_capacity.c -- the golden corpus of ConsumedCapacity: one driver runs
 * tests/cases/capacity.json, whose steps are requests of every operation
 * with the ConsumedCapacity DynamoDB returns for each, worked out by hand
 * (the file says how).  Item sizes sit one byte below, at and above the
 * 1 KB and 4 KB boundaries; reads are strongly and eventually consistent;
 * batches and transactions list their units per table;
 * tables have global and local secondary indexes.
 *
 * The steps run in order against one database (capacity is counted but
 * not enforced, fx_options), so a step may rely on the items earlier ones
 * wrote.  Every mismatch is reported with its case ID before the test
 * fails, so one run shows them all.
 */
#include "fixture.h"

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *cases_dir = "tests/cases";

/* "<fill:N>" in a request stands for N letters x (see the file's "about"). */
static json_t *
expand(json_t *j)
{
    size_t i;
    const char *k;
    json_t *v;
    int n;
    char tail;
    if (json_is_string(j) && sscanf(json_string_value(j), "<fill:%d%c", &n, &tail) == 2 &&
        tail == '>' && n >= 0) {
        char *s = malloc((size_t)n + 1);
        assert_non_null(s);
        memset(s, 'x', (size_t)n);
        s[n] = '\0';
        json_t *r = json_string(s);
        free(s);
        return r;
    }
    if (json_is_object(j)) {
        json_t *o = json_object();
        json_object_foreach(j, k, v) json_object_set_new(o, k, expand(v));
        return o;
    }
    if (json_is_array(j)) {
        json_t *a = json_array();
        json_array_foreach(j, i, v) json_array_append_new(a, expand(v));
        return a;
    }
    return json_incref(j);
}

/* JSON equality where 1 and 1.0 are the same number: the file is written
 * by hand, the response by Jansson. */
static bool
same(json_t *a, json_t *b)
{
    size_t i;
    const char *k;
    json_t *v;
    if (json_is_number(a) && json_is_number(b))
        return fabs(json_number_value(a) - json_number_value(b)) < 1e-9;
    if (json_is_object(a) && json_is_object(b)) {
        if (json_object_size(a) != json_object_size(b))
            return false;
        json_object_foreach(a, k, v) if (!same(v, json_object_get(b, k))) return false;
        return true;
    }
    if (json_is_array(a) && json_is_array(b)) {
        if (json_array_size(a) != json_array_size(b))
            return false;
        json_array_foreach(a, i, v) if (!same(v, json_array_get(b, i))) return false;
        return true;
    }
    return json_equal(a, b);
}

/* Run one step; false (after saying why) when it does not match. */
static bool
run_step(struct fx *f, json_t *step)
{
    const char *id = json_string_value(json_object_get(step, "id"));
    const char *op = json_string_value(json_object_get(step, "op"));
    json_t *want = json_object_get(step, "consumed");
    json_t *req = expand(json_object_get(step, "request"));
    char *body = json_dumps(req, JSON_COMPACT), *resp = NULL;
    kv_status st = kv_request(f->db, op, body, strlen(body), &resp);
    json_t *got = resp ? json_loads(resp, 0, NULL) : NULL;
    json_t *cc = got ? json_object_get(got, "ConsumedCapacity") : NULL;
    bool ok = st == KV_OK && (json_is_null(want) ? cc == NULL : cc && same(cc, want));
    if (!ok) {
        char *w = json_dumps(want, JSON_COMPACT), *g = cc ? json_dumps(cc, JSON_COMPACT) : NULL;
        fprintf(stderr, "%s %s (%s): %s\n  got:  %s\n  want: %s\n", id, op,
                json_string_value(json_object_get(step, "why")), kv_status_name(st),
                st == KV_OK ? (g ? g : "no ConsumedCapacity") : resp, w);
        free(w);
        free(g);
    }
    json_decref(got);
    kv_free(resp);
    free(body);
    json_decref(req);
    return ok;
}

/* cap00..cap07: every step of the corpus, in order. */
static void
capacity_golden(void **state)
{
    struct fx *f = *state;
    char path[4096];
    snprintf(path, sizeof path, "%s/capacity.json", cases_dir);
    json_error_t e;
    json_t *doc = json_load_file(path, 0, &e);
    if (!doc)
        fprintf(stderr, "%s: %s (line %d)\n", path, e.text, e.line);
    assert_non_null(doc);
    json_t *steps = json_object_get(doc, "steps"), *step;
    size_t i, failed = 0, checked = 0;
    json_array_foreach(steps, i, step) {
        failed += !run_step(f, step);
        checked += !json_is_null(json_object_get(step, "consumed"));
    }
    fprintf(stderr, "%zu steps, %zu with ConsumedCapacity, %zu failed\n",
            json_array_size(steps), checked, failed);
    assert_true(checked >= 60);
    assert_int_equal(failed, 0);
    json_decref(doc);
}

int
main(int argc, char **argv)
{
    if (argc > 1)
        cases_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(capacity_golden, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
