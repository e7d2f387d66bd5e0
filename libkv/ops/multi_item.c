/*
 * multi_item.c -- see multi_item.h.
 */
#include "multi_item.h"
#include "arena.h"
#include "buf.h"
#include "err.h"
#include "ops.h"
#include "value.h"

#include <string.h>

bool
item_target_seen(const struct item_target *targets, size_t n, const struct item_target *t)
{
    for (size_t i = 0; i < n; i++)
        if (targets[i].key.len == t->key.len && strcmp(targets[i].dbname, t->dbname) == 0 &&
            memcmp(targets[i].key.bytes, t->key.bytes, t->key.len) == 0)
            return true;
    return false;
}

struct table_consumed *
table_consumed_entry(struct table_consumed *list, size_t *n, size_t cap, const char *table)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(list[i].table, table) == 0)
            return &list[i];
    if (*n == cap)
        return NULL;
    struct table_consumed *e = &list[(*n)++];
    memset(e, 0, sizeof *e);
    e->table = table;
    return e;
}

/* "[None, ConditionalCheckFailed]" */
static void
codes_text(struct buf *b, const struct err_reason *reasons, size_t n)
{
    buf_put_u8(b, '[');
    for (size_t i = 0; i < n; i++) {
        const char *code = reasons[i].code ? reasons[i].code : "None";
        if (i)
            buf_put(b, ", ", 2);
        buf_put(b, code, strlen(code));
    }
    buf_put(b, "]", 2); /* with the NUL */
}

/* Copy one reason into the error's arena. */
static int
reason_copy(struct arena *a, struct err_reason *dst, const struct err_reason *src)
{
    const char *code = src->code ? src->code : "None";
    memset(dst, 0, sizeof *dst);
    dst->code = arena_strndup(a, code, strlen(code));
    if (!dst->code)
        return -1;
    if (src->message && !(dst->message = arena_strndup(a, src->message, strlen(src->message))))
        return -1;
    if (src->item) {
        dst->item = arena_alloc(a, sizeof *dst->item);
        if (!dst->item || value_copy(a, dst->item, src->item))
            return -1;
    }
    return 0;
}

kv_status
multi_cancel(struct kv_err *err, const struct err_reason *reasons, size_t n)
{
    struct buf b;
    buf_init(&b);
    codes_text(&b, reasons, n);
    kv_status st = b.failed ? err_nomem(err)
                            : err_set(err, KV_TRANSACTION_CANCELED,
                                      "Transaction cancelled, please refer cancellation reasons "
                                      "for specific reasons %s",
                                      (const char *)b.data);
    buf_release(&b);
    if (st != KV_TRANSACTION_CANCELED)
        return st;
    struct arena *a = err_extra(err);
    struct err_reason *copy = a ? arena_alloc(a, n * sizeof *copy) : NULL;
    if (!copy)
        return st; /* the reasons are lost, the exception stands */
    for (size_t i = 0; i < n; i++)
        if (reason_copy(a, &copy[i], &reasons[i]))
            return st;
    err->reasons = copy;
    err->n_reasons = n;
    return st;
}
