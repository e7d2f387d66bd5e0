/*
 * item_common.h -- steps shared by the single-item operations: parsing
 * their expressions, finding the table, building the item's LMDB key,
 * reading and decoding the stored item, and checking a condition.
 */
#ifndef KV_ITEM_COMMON_H
#define KV_ITEM_COMMON_H

#include "expr/expr.h"
#include "keycodec.h"
#include "kv.h"

#include <lmdb.h>
#include <stdbool.h>

struct arena;
struct item_exprs;
struct kv_err;
struct kv_value;
struct op_ctx;
struct table_def;
struct txn;

/* A request's expressions, parsed (NULL where absent). */
struct item_parsed {
    struct expr_update *update;
    struct expr_cond *condition;
    struct expr_proj *projection;
};

/* Parse the expressions `ex` carries; `accepted` lists the operation's. */
kv_status item_parse_exprs(struct op_ctx *c, const struct item_exprs *ex,
                           const enum expr_kind *accepted, size_t n_accepted,
                           struct item_parsed *out);

/* The table for a data-plane operation; ResourceNotFoundException if absent. */
kv_status item_table(struct txn *t, const char *name, struct table_def **def, MDB_dbi *dbi);

/* The LMDB key of the item whose key attributes are in `item` (checked). */
kv_status item_key(struct txn *t, const struct table_def *def, const struct kv_value *item,
                   struct keybuf *kb);

/* Read the stored bytes of an item; *found false when absent. */
/* Refuse a path into a key attribute of the table or of any of its
 * indexes (a.b, a[0]) in a filter or projection, either may be NULL: see
 * expr_check_key_paths.  The filter is checked first. */
kv_status item_check_key_paths(struct txn *t, const struct table_def *def,
                               const struct expr_cond *filter, const struct expr_proj *proj);

kv_status item_read(struct txn *t, MDB_dbi dbi, const struct keybuf *kb, MDB_val *val,
                    bool *found);

/* Decode stored bytes into a new value in a (borrowing from val if asked). */
kv_status item_decode(struct txn *t, const MDB_val *val, struct arena *a, bool borrow,
                      struct kv_value **out);

/*
 * Evaluate a ConditionExpression against the item as stored (old, NULL
 * when absent).  A false condition is ConditionalCheckFailedException;
 * with return_old the old item travels with the error, as
 * ReturnValuesOnConditionCheckFailure ALL_OLD asks.
 */
kv_status item_check_condition(struct txn *t, const struct expr_cond *cond,
                               const struct kv_value *old, bool return_old);

/* The two halves of item_check_condition, for writes that must charge a
 * failed condition before reporting it: whether the condition holds (an
 * absent condition always does), and the exception when it does not. */
bool item_condition_holds(const struct expr_cond *cond, const struct kv_value *old);
kv_status item_condition_failed(struct txn *t, const struct kv_value *old, bool return_old);

/*
 * The item an UpdateExpression makes of `old` (NULL: absent, so it starts
 * from `key`), in `a`; with no expression, the item unchanged (or the bare
 * key).  The result's values and its size are checked, with UpdateItem's
 * wording ("Item size to update has exceeded the maximum allowed size").
 */
kv_status item_update_apply(const struct expr_update *update, const struct kv_value *key,
                            const struct kv_value *old, struct arena *a, struct kv_value **out,
                            struct kv_err *err);

/* The key schema in the form the expression module takes. */
struct expr_key_schema item_expr_schema(const struct table_def *def);

#endif
