/*
 * multi_item.h -- steps shared by the operations on several items at once
 * (BatchGetItem, BatchWriteItem, TransactGetItems, TransactWriteItems):
 * knowing when two parts of a request name the same item, keeping one
 * ConsumedCapacity entry per table, and building the error of a cancelled
 * transaction.
 */
#ifndef KV_MULTI_ITEM_H
#define KV_MULTI_ITEM_H

#include "keycodec.h"
#include "kv.h"

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct err_reason;
struct kv_err;
struct table_consumed;

/*
 * An item as storage knows it: the LMDB database of its table and its key
 * bytes.  Two parts of a request name the same item exactly when their
 * targets are equal, whatever the order or spelling of their key maps.
 */
struct item_target {
    const char *dbname;
    struct keybuf key;
};

/* Whether `t` equals one of the first `n` targets.  Requests are capped at
 * 100 items, so the quadratic scan costs at most 4,950 comparisons. */
bool item_target_seen(const struct item_target *targets, size_t n, const struct item_target *t);

/*
 * The entry of `table` in a list of per-table capacity, appended (zeroed)
 * on first use.  The list holds at most `cap` entries, which the caller
 * sizes for the request (one per action is always enough).
 */
struct table_consumed *table_consumed_entry(struct table_consumed *list, size_t *n, size_t cap,
                                            const char *table);

/*
 * Record TransactionCanceledException in `err`: the message DynamoDB gives
 * ("Transaction cancelled, please refer cancellation reasons for specific
 * reasons [None, ConditionalCheckFailed]", the codes in action order) and a
 * copy of the reasons, their messages and items in the error's own memory.
 * A reason whose code is NULL stands for "None".
 */
kv_status multi_cancel(struct kv_err *err, const struct err_reason *reasons, size_t n);

#endif
