/*
 * op_list_tables.c -- ListTables: names in ascending byte order, at most
 * Limit (default 100) per page, continuing after ExclusiveStartTableName.
 */
#include "ops.h"
#include "err.h"
#include "txn.h"

#include <string.h>

#define LIST_DEFAULT 100

struct list_args {
    struct op_ctx *c;
    const char *start;
    size_t limit;
    struct list_tables_resp *out;
};

static kv_status
list_body(struct txn *t, void *arg)
{
    struct list_args *a = arg;
    bool more;
    kv_status st = catalog_list(t, a->c->arena, a->start, a->start ? strlen(a->start) : 0,
                                a->limit, &a->out->names, &a->out->count, &more);
    if (st == KV_OK)
        a->out->last = more && a->out->count ? a->out->names[a->out->count - 1] : NULL;
    return st;
}

kv_status
op_list_tables(struct op_ctx *c, const char *start, int64_t limit, struct list_tables_resp *out)
{
    memset(out, 0, sizeof *out);
    struct list_args a = {c, start, limit > 0 ? (size_t)limit : LIST_DEFAULT, out};
    return txn_run(c->db, false, list_body, &a, c->err);
}
