/*
 * cli_check.c -- kv check: is every index entry where its item says it
 * should be, and nowhere else?
 *
 *     kv check [TABLE]
 *
 * kv_db_check does the work, in one read transaction, and calls back once
 * per inconsistency; each is printed as it comes, so a badly damaged
 * database shows its first problems at once.  The exit status tells
 * scripts the outcome: 0 when everything agrees, 1 when something does
 * not (like diff and cmp), and the usual 254/255 when the check itself
 * could not run.  --output json collects the problems into one document.
 */
#include "cli.h"
#include "cli_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The exit status when inconsistencies were found. */
#define EXIT_PROBLEMS 1

struct report {
    json_t *problems; /* --output json: collected here; else printed */
    json_t *tables;   /* names of the tables with problems, as a set */
    json_t *seen;     /* every problem reported, as a set */
};

/*
 * kv_db_check runs its walk in a read transaction that the library may
 * start again (the first use of an index's LMDB database in a process
 * restarts it), and problems found before the restart are then reported
 * a second time, though counted once.  Each problem names its item or
 * its counts, so a repeat is recognised by its text and skipped.
 */
static bool
first_time(struct report *r, const char *table, const char *index, const char *problem)
{
    size_t lt = strlen(table), li = index ? strlen(index) : 0, lp = strlen(problem);
    char *key = malloc(lt + li + lp + 3);
    if (!key)
        return true;
    snprintf(key, lt + li + lp + 3, "%s\x1f%s\x1f%s", table, index ? index : "", problem);
    bool fresh = !json_object_get(r->seen, key);
    if (fresh)
        json_object_set_new(r->seen, key, json_true());
    free(key);
    return fresh;
}

static void
report_one(void *arg, const char *table, const char *index, const char *problem)
{
    struct report *r = arg;
    if (!first_time(r, table, index, problem))
        return;
    json_object_set_new(r->tables, table, json_true());
    if (r->problems) {
        json_t *p = json_pack("{s:s}", "TableName", table);
        if (index)
            json_object_set_new(p, "IndexName", json_string(index));
        json_object_set_new(p, "Problem", json_string(problem));
        json_array_append_new(r->problems, p);
    } else if (index) {
        printf("%s index %s: %s\n", table, index, problem);
    } else {
        printf("%s: %s\n", table, problem);
    }
    fflush(stdout);
}

/* How many tables a check of every table covered. */
static int
count_tables(kv_db *db, size_t *n)
{
    char *start = NULL;
    *n = 0;
    for (;;) {
        char **names = NULL, *last = NULL;
        size_t count = 0;
        kv_status st = kv_table_list(db, start, 100, &names, &count, &last);
        kv_free(start);
        kv_free(names);
        if (st != KV_OK)
            return cli_api_error("check", db, st);
        *n += count;
        if (!last)
            return 0;
        start = last;
    }
}

/* "ok" or the count of problems, as text or JSON; returns the exit status. */
static int
conclude(const struct report *r, uint64_t problems, const char *table,
         size_t n_tables)
{
    if (r->problems) {
        json_t *j = json_pack("{s:O, s:I}", "Problems", r->problems, "Count",
                              (json_int_t)problems);
        cli_json_write(stdout, j, 4, false);
        putchar('\n');
        json_decref(j);
    } else if (problems == 0 && table) {
        printf("ok: %s: every index entry matches its item, counts and sizes agree\n", table);
    } else if (problems == 0) {
        printf("ok: %zu table%s: every index entry matches its item, counts and sizes agree\n",
               n_tables, n_tables == 1 ? "" : "s");
    } else {
        size_t n = json_object_size(r->tables);
        printf("%llu inconsistenc%s found in %zu table%s\n", (unsigned long long)problems,
               problems == 1 ? "y" : "ies", n, n == 1 ? "" : "s");
    }
    return problems ? EXIT_PROBLEMS : 0;
}

int
cli_cmd_check(struct cli *cli, int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return cli_help_command("check") ? 0 : EXIT_USAGE;
    const char *table = NULL;
    for (int i = 1; i < argc; i++) {
        int used = cli_global_option(cli, argc - i, argv + i);
        if (used < 0)
            return EXIT_USAGE;
        if (used > 0)
            i += used - 1;
        else if (!strncmp(argv[i], "--", 2) || table)
            return cli_usage_error("Unknown options: %s", argv[i]);
        else
            table = argv[i];
    }
    if (table) {
        /* An unknown table is reported as every other command reports it. */
        json_t *req = json_pack("{s:s}", "TableName", table), *resp;
        int rc = cli_call_op(cli, "DescribeTable", req, &resp);
        json_decref(req);
        if (rc)
            return rc;
        json_decref(resp);
    }
    kv_db *db = cli_db(cli);
    if (!db)
        return cli->db_rc;
    size_t n_tables = 0;
    int rc = table ? 0 : count_tables(db, &n_tables);
    if (rc)
        return rc;
    bool json = cli->output_set && cli->output == OUTPUT_JSON;
    struct report r = {json ? json_array() : NULL, json_object(), json_object()};
    uint64_t problems = 0;
    kv_status st = kv_db_check(db, table, report_one, &r, &problems);
    /* KV_CORRUPT without a problem reported is a damaged record: a failure. */
    if (st == KV_OK || (st == KV_CORRUPT && problems > 0))
        rc = conclude(&r, problems, table, n_tables);
    else
        rc = cli_api_error("check", db, st);
    json_decref(r.problems);
    json_decref(r.tables);
    json_decref(r.seen);
    return rc;
}
