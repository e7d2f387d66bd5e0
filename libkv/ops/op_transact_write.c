/*
 * op_transact_write.c -- TransactWriteItems: up to 100 Put, Update, Delete
 * and ConditionCheck actions, applied all together or not at all, in one
 * LMDB write transaction.
 *
 * Pipeline:
 *   1. The request on its own: 1 to 100 actions, the token's length, each
 *      action's values and expressions, each Put's item size and the 4 MB
 *      aggregate, then the request's fingerprint.
 *   2. In the write transaction, the token (transact_token.h): a replay
 *      stops here, successfully.
 *   3. Every action's table and key, then: no two actions on one item.
 *   4. Every action evaluated against its item as stored: the condition,
 *      for an Update the new item and its checks.  Nothing is written.
 *   5. If any action failed, TransactionCanceledException, one reason per
 *      action in order ("None" for the ones that would have succeeded), and
 *      the LMDB transaction aborts.
 *   6. Otherwise every action is written through write_core.h.
 *   7. Capacity: every action is admitted (charge.h) at what it consumed,
 *      the transaction as a whole: if any is refused, all are given back
 *      and the transaction is cancelled, nothing written.
 *   8. The token is stored with the transaction.
 *
 * Which problems reject, which cancel.  DynamoDB validates the request
 * first and rejects it whole with a ValidationException for anything
 * found there: counts, expressions, values, empty key values (of the table
 * or of an index, even one an Update would set), two actions on one item,
 * a missing table (ResourceNotFoundException).  What depends on the items
 * and the schema cancels instead, with a reason for the action: a failed
 * condition (ConditionalCheckFailed, with the old item when
 * ReturnValuesOnConditionCheckFailure is ALL_OLD), a key attribute of the
 * wrong type or missing (ValidationError; a Put says "Type mismatch for key
 * ...", a Key "The provided key element does not match the schema"), an
 * index key of the wrong type, an update that cannot apply or makes an
 * item too large.  A rejection anywhere wins over every reason.
 *
 * Capacity: each action is a transactional write, two units per 1 KB of
 * the larger of the item before and after; a ConditionCheck is billed as
 * such a write of the item it read, and a Delete or Update that finds
 * nothing to change as one of nothing (two units).  A replay reports
 * instead two read units per 4 KB of the same sizes, as DynamoDB does.
 *
 * Throttling.  Each action is admitted as a write of its own item, at its
 * transactional cost, one after the other, so together they must fit: the
 * table (its partition of the item), and each global index the action
 * changes.  DynamoDB cancels a transaction that lacks capacity
 * (TransactionCanceledException: "There is insufficient provisioned
 * capacity for the transaction to be completed"), with the reason
 * ProvisionedThroughputExceeded, or ThrottlingError for other causes, on
 * each action refused, carrying the message the same refusal of a single
 * write carries, and None on the others.  WriteThrottleEvents count on
 * each refusing table or index, and ThrottledRequests once on each table
 * with a refusal.
 */
#include "ops.h"
#include "arena.h"
#include "charge.h"
#include "db.h"
#include "err.h"
#include "index.h"
#include "item_common.h"
#include "multi_item.h"
#include "transact_token.h"
#include "txn.h"
#include "validate.h"
#include "value.h"
#include "write_core.h"

#include <string.h>

#define TRANSACT_MAX_BYTES (4 * 1024 * 1024)
#define KEY_MISMATCH "The provided key element does not match the schema"

/* What the transaction knows of one action as it goes. */
struct tw_action {
    struct table_def *def;
    MDB_dbi dbi;
    struct item_parsed px;
    struct item_target target; /* key.len 0 when the key could not be built */
    struct item_write w;
    const struct kv_value *new_item; /* what is stored; NULL deletes */
    bool writes;                     /* false: nothing to store */
    size_t sized;                    /* the size the action is charged on */
    struct err_reason reason;        /* code NULL: None */
    struct charge_table *ct;         /* the table's description, shared */
    struct throttle_ticket ticket;   /* zeroed before txn_run: see charge.h */
};

struct tw_args {
    struct op_ctx *c;
    const struct transact_write_req *r;
    struct transact_write_resp *out;
    struct tw_action *acts;
    uint8_t fp[TOKEN_FP_LEN];
    int64_t now_ms;
};

static const char *const kind_field[] = {"", "put", "update", "delete", "conditionCheck"};

/* A member the model requires, absent: the typed face can leave it out. */
static kv_status
missing(struct op_ctx *c, size_t i, int kind, const char *field)
{
    return err_set(c->err, KV_VALIDATION,
                   "1 validation error detected: Value null at 'transactItems.%zu.member.%s.%s' "
                   "failed to satisfy constraint: Member must not be null",
                   i + 1, kind_field[kind], field);
}

static kv_status
check_counts(struct op_ctx *c, const struct transact_write_req *r)
{
    size_t n = r->n_actions;
    if (n == 0 || n > TRANSACT_MAX_ACTIONS)
        return err_set(c->err, KV_VALIDATION,
                       "1 validation error detected: Value at 'transactItems' failed to satisfy "
                       "constraint: Member must have length %s",
                       n ? "less than or equal to 100" : "greater than or equal to 1");
    if (r->token && (r->token_len < 1 || r->token_len > TRANSACT_TOKEN_MAX))
        return err_set(c->err, KV_VALIDATION,
                       "1 validation error detected: Value '%.*s' at 'clientRequestToken' failed "
                       "to satisfy constraint: Member must have length %s",
                       (int)r->token_len, r->token,
                       r->token_len ? "less than or equal to 36" : "greater than or equal to 1");
    return KV_OK;
}

/* One action on its own: required members, values, size, expressions. */
static kv_status
check_action(struct op_ctx *c, size_t i, const struct transact_action *a, struct tw_action *act,
             size_t *total)
{
    static const enum expr_kind cond_only[] = {EXPR_CONDITION};
    static const enum expr_kind update[] = {EXPR_UPDATE, EXPR_CONDITION};
    if (a->kind < TRANSACT_PUT || a->kind > TRANSACT_CHECK || !a->table || !a->value)
        return ERR_MISUSE(c->err, "a transaction action needs a kind, a table and an item or key");
    if (a->kind == TRANSACT_UPDATE && !a->ex.update)
        return missing(c, i, a->kind, "updateExpression");
    if (a->kind == TRANSACT_CHECK && !a->ex.condition)
        return missing(c, i, a->kind, "conditionExpression");
    kv_status st = validate_values(a->value, c->err);
    if (st == KV_OK && a->kind == TRANSACT_PUT)
        st = validate_item_size(a->value, NULL, c->err);
    if (st != KV_OK)
        return st;
    *total += item_size(a->value);
    if (a->kind == TRANSACT_UPDATE)
        return item_parse_exprs(c, &a->ex, update, 2, &act->px);
    return item_parse_exprs(c, &a->ex, cond_only, 1, &act->px);
}

static kv_status
check_request(struct op_ctx *c, struct tw_args *a)
{
    const struct transact_write_req *r = a->r;
    size_t total = 0;
    kv_status st = check_counts(c, r);
    for (size_t i = 0; i < r->n_actions && st == KV_OK; i++)
        st = check_action(c, i, &r->actions[i], &a->acts[i], &total);
    if (st == KV_OK && total > TRANSACT_MAX_BYTES)
        st = err_set(c->err, KV_VALIDATION,
                     "Collection size of items exceeded, which can also be caused by the "
                     "aggregate size of the items in the transaction exceeding the 4MB limit");
    if (st == KV_OK)
        st = transact_fingerprint(r, a->fp, c->err);
    return st;
}

/*
 * A problem of one action found with a scratch error: a ValidationError
 * reason for that action, or, when the machine failed, the request's error.
 */
static kv_status
as_reason(struct txn *t, struct tw_args *a, struct tw_action *act, struct kv_err *e)
{
    kv_status st = KV_OK;
    if (e->status == KV_VALIDATION) {
        const char *m = err_message(e);
        act->reason.code = "ValidationError";
        if (!(act->reason.message = arena_strndup(a->c->arena, m, strlen(m))))
            st = err_nomem(t->err);
    } else if (e->status == KV_NOMEM) {
        st = err_nomem(t->err);
    } else if (e->status != KV_OK) {
        st = err_set(t->err, e->status, "%s", err_message(e));
    }
    err_clear(e);
    return st;
}

/* A Put's item against the schema: table key, then index keys. */
static kv_status
check_put(struct txn *t, struct tw_args *a, struct tw_action *act, const struct kv_value *item)
{
    const struct table_def *def = act->def;
    struct kv_err e;
    err_init(&e);
    kv_status st = validate_key_values(&def->key, item, t->err);
    if (st == KV_OK)
        st = index_check(def, item, false, NULL, INDEX_CHECK_VALUES, t->err);
    if (st != KV_OK)
        return st;
    if (!validate_item_key_shape(&def->key, item)) {
        validate_item_key(&def->key, item, &e);
        return as_reason(t, a, act, &e);
    }
    if (index_check(def, item, false, NULL, INDEX_CHECK_TYPES, &e) != KV_OK)
        return as_reason(t, a, act, &e);
    return item_key(t, def, item, &act->target.key);
}

/* Phase 3: tables and keys of every action, then one action an item. */
static kv_status
check_targets(struct txn *t, struct tw_args *a)
{
    const struct transact_write_req *r = a->r;
    for (size_t i = 0; i < r->n_actions; i++) {
        const struct transact_action *ta = &r->actions[i];
        struct tw_action *act = &a->acts[i];
        memset(&act->reason, 0, sizeof act->reason);
        act->target.key.len = 0;
        kv_status st = item_table(t, ta->table, &act->def, &act->dbi);
        if (st != KV_OK)
            return st;
        act->target.dbname = act->def->dbname;
        if (ta->kind == TRANSACT_PUT) {
            st = check_put(t, a, act, ta->value);
        } else if ((st = validate_key_values(&act->def->key, ta->value, t->err)) == KV_OK) {
            if (!validate_key_shape(&act->def->key, ta->value)) {
                act->reason.code = "ValidationError";
                act->reason.message = KEY_MISMATCH;
            } else {
                st = item_key(t, act->def, ta->value, &act->target.key);
            }
        }
        if (st != KV_OK)
            return st;
    }
    for (size_t i = 0; i < r->n_actions; i++) {
        const struct item_target *tg = &a->acts[i].target;
        for (size_t j = 0; tg->key.len && j < i; j++)
            if (item_target_seen(&a->acts[j].target, 1, tg))
                return err_set(t->err, KV_VALIDATION,
                               "Transaction request cannot include multiple operations on one "
                               "item");
    }
    return KV_OK;
}

/* An Update's new item, checked; problems of the result are reasons. */
static kv_status
evaluate_update(struct txn *t, struct tw_args *a, const struct transact_action *ta,
                struct tw_action *act)
{
    struct expr_key_schema ks = item_expr_schema(act->def);
    struct kv_value *item;
    struct kv_err e;
    err_init(&e);
    if (expr_update_check_keys(act->px.update, &ks, &e) != KV_OK)
        return as_reason(t, a, act, &e);
    if (!act->w.found && !expr_update_creates(act->px.update))
        return KV_OK; /* nothing to create: nothing is written */
    if (item_update_apply(act->px.update, ta->value, act->w.old, a->c->arena, &item, &e))
        return as_reason(t, a, act, &e);
    kv_status st = index_check(act->def, item, true, act->w.old, INDEX_CHECK_VALUES, t->err);
    if (st != KV_OK)
        return st;
    if (index_check(act->def, item, true, act->w.old, INDEX_CHECK_TYPES, &e) != KV_OK)
        return as_reason(t, a, act, &e);
    act->new_item = item;
    act->writes = true;
    return KV_OK;
}

/* Phase 4 for one action: load its item, test the condition, compute. */
static kv_status
evaluate(struct txn *t, struct tw_args *a, size_t i)
{
    const struct transact_action *ta = &a->r->actions[i];
    struct tw_action *act = &a->acts[i];
    act->new_item = NULL;
    act->writes = false;
    kv_status st = write_load(t, &act->w, act->def, act->dbi, ta->value, true, a->c->arena);
    if (st != KV_OK)
        return st;
    if (act->px.condition && !expr_eval(act->px.condition, act->w.old)) {
        act->reason.code = "ConditionalCheckFailed";
        act->reason.message = "The conditional request failed";
        act->reason.item = ta->return_old_on_fail ? act->w.old : NULL;
        return KV_OK;
    }
    switch (ta->kind) {
    case TRANSACT_PUT:
        act->new_item = ta->value;
        act->writes = true;
        break;
    case TRANSACT_DELETE:
        act->writes = true;
        break;
    case TRANSACT_UPDATE:
        st = evaluate_update(t, a, ta, act);
        break;
    default:
        break;
    }
    size_t after = act->new_item ? item_size(act->new_item) : 0;
    act->sized = after > act->w.old_size ? after : act->w.old_size;
    return st;
}

/* Phase 6 for one action, and its units for the response and the token. */
static kv_status
apply(struct txn *t, struct tw_args *a, size_t i, struct table_consumed *reads, size_t *n_reads)
{
    const struct transact_action *ta = &a->r->actions[i];
    struct tw_action *act = &a->acts[i];
    size_t n = a->r->n_actions;
    struct transact_write_resp *out = a->out;
    struct table_consumed *tc = table_consumed_entry(out->tables, &out->n_tables, n, ta->table);
    struct table_consumed *rc = table_consumed_entry(reads, n_reads, n, ta->table);
    if (act->writes) {
        kv_status st = write_store(t, &act->w, act->new_item, true);
        if (st != KV_OK)
            return st;
    } else {
        memset(&act->w.consumed, 0, sizeof act->w.consumed);
        consumed_add_table(&act->w.consumed, 0, capacity_write(act->sized, true));
    }
    consumed_merge(&tc->consumed, &act->w.consumed);
    consumed_add_table(&rc->consumed, capacity_read(act->sized, READ_TRANSACTIONAL), 0);
    return KV_OK;
}

/* Phases 4 and 5: evaluate all; cancel if any action failed. */
static kv_status
evaluate_all(struct txn *t, struct tw_args *a)
{
    size_t n = a->r->n_actions;
    bool cancel = false;
    for (size_t i = 0; i < n; i++) {
        kv_status st = a->acts[i].reason.code ? KV_OK : evaluate(t, a, i);
        if (st != KV_OK)
            return st;
        cancel = cancel || a->acts[i].reason.code;
    }
    if (!cancel)
        return KV_OK;
    struct err_reason *reasons = arena_alloc(a->c->arena, n * sizeof *reasons);
    if (!reasons)
        return err_nomem(t->err);
    for (size_t i = 0; i < n; i++)
        reasons[i] = a->acts[i].reason;
    return multi_cancel(t->err, reasons, n);
}

/* Each action's table described once, shared by its actions. */
static kv_status
describe_tables(struct txn *t, struct tw_args *a)
{
    for (size_t i = 0; i < a->r->n_actions; i++) {
        struct tw_action *act = &a->acts[i];
        act->ct = NULL;
        for (size_t j = 0; j < i && !act->ct; j++)
            if (a->acts[j].def == act->def)
                act->ct = a->acts[j].ct;
        if (act->ct)
            continue;
        if (!(act->ct = arena_alloc(a->c->arena, sizeof *act->ct)))
            return err_nomem(t->err);
        kv_status st = charge_describe(t, act->def, act->ct);
        if (st != KV_OK)
            return st;
    }
    return KV_OK;
}

/* Phase 7: admit every action; cancel the transaction if any is refused. */
static kv_status
admit_all(struct txn *t, struct tw_args *a)
{
    size_t n = a->r->n_actions;
    struct err_reason *reasons = arena_calloc(a->c->arena, n * sizeof *reasons);
    bool cancel = false;
    kv_status st = reasons ? describe_tables(t, a) : err_nomem(t->err);
    for (size_t i = 0; i < n && st == KV_OK; i++) {
        struct tw_action *act = &a->acts[i];
        struct throttle_batch b;
        throttle_batch_init(&b, METRICS_OP_TRANSACT_WRITE_ITEMS);
        st = charge_batch_write(t, act->ct, &b, &act->w.key, &act->w.consumed, &act->ticket);
        if (!charge_refused(st))
            continue;
        st = charge_cancel_reason(t, &b, a->c->arena, &reasons[i]);
        bool counted = false; /* ThrottledRequests once a table */
        for (size_t j = 0; j < i && !counted; j++)
            counted = reasons[j].code && a->acts[j].ct == act->ct;
        if (!counted)
            throttle_count_request(t->db->throttle, &act->ct->t,
                                   METRICS_OP_TRANSACT_WRITE_ITEMS);
        cancel = true;
    }
    if (st != KV_OK || !cancel)
        return st;
    return multi_cancel(t->err, reasons, n);
}

static kv_status
transact_write_body(struct txn *t, void *arg)
{
    struct tw_args *a = arg;
    size_t n = a->r->n_actions, n_reads = 0;
    bool replay;
    a->out->n_tables = 0; /* a retried body starts over */
    a->out->replayed = false;
    kv_status st = transact_token_check(t, a->r, a->fp, a->now_ms, a->c->arena, a->out, &replay);
    if (st != KV_OK || replay) {
        a->out->replayed = replay;
        return st;
    }
    struct table_consumed *reads = arena_alloc(a->c->arena, n * sizeof *reads);
    if (!reads)
        return err_nomem(t->err);
    if ((st = check_targets(t, a)) != KV_OK || (st = evaluate_all(t, a)) != KV_OK)
        return st;
    for (size_t i = 0; i < n && st == KV_OK; i++)
        st = apply(t, a, i, reads, &n_reads);
    if (st == KV_OK)
        st = admit_all(t, a);
    if (st == KV_OK)
        st = transact_token_store(t, a->r, a->fp, a->now_ms, reads, n_reads);
    return st;
}

kv_status
op_transact_write(struct op_ctx *c, const struct transact_write_req *r,
                  struct transact_write_resp *out)
{
    memset(out, 0, sizeof *out);
    struct tw_args a = {c, r, out, NULL, {0}, db_now_ms(c->db)};
    size_t n = r->n_actions;
    if (n && n <= TRANSACT_MAX_ACTIONS &&
        (!(a.acts = arena_calloc(c->arena, n * sizeof *a.acts)) ||
         !(out->tables = arena_calloc(c->arena, n * sizeof *out->tables))))
        return err_nomem(c->err);
    kv_status st = check_request(c, &a);
    if (st != KV_OK)
        return st;
    st = txn_run_grouped(c->db, transact_write_body, &a, c->err);
    for (size_t i = 0; st != KV_OK && i < n; i++)
        throttle_refund(c->db->throttle, &a.acts[i].ticket);
    return st;
}
