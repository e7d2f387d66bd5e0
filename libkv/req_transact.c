/*
 * req_transact.c -- the JSON face of TransactWriteItems and
 * TransactGetItems.
 *
 * Each element of TransactItems is a structure holding exactly one action;
 * each action carries its own TableName, Key or Item, expressions and
 * placeholder maps.  Field constraints are collected for the whole request
 * with paths such as 'transactItems.2.member.update.updateExpression'.
 * ConsumedCapacity is a list, one entry per table, with the read and write
 * units spelled out as DynamoDB gives them for transactions.  A cancelled
 * transaction's reasons travel in the error body (request.c).
 */
#include "arena.h"
#include "buf.h"
#include "err.h"
#include "json_types.h"
#include "ops/ops.h"
#include "req_common.h"
#include "request.h"
#include "validate.h"
#include "value.h"
#include "value_json.h"

#include <stdio.h>
#include <string.h>

/* The action members of TransactWriteItem, in the model's order. */
static const struct {
    const char *member;
    const char *field; /* its name in constraint paths */
    int kind;
} write_actions[] = {
    {"ConditionCheck", "conditionCheck", TRANSACT_CHECK},
    {"Put", "put", TRANSACT_PUT},
    {"Delete", "delete", TRANSACT_DELETE},
    {"Update", "update", TRANSACT_UPDATE},
};

/* --- the echo of an over-long TransactItems ------------------------------------------ */

static void
echo_string(struct buf *b, const char *label, json_t *action, const char *member)
{
    const char *s = json_string_value(json_object_get(action, member));
    buf_put(b, label, strlen(label));
    buf_put(b, s ? s : "null", strlen(s ? s : "null"));
}

/* A TransactWriteItem as DynamoDB's front end echoes it. */
static void
echo_write_item(struct buf *b, json_t *e)
{
    buf_put(b, "TransactWriteItem(", 18);
    for (size_t k = 0; k < 4; k++) {
        json_t *a = json_object_get(e, write_actions[k].member);
        const char *f = write_actions[k].field;
        buf_put(b, k ? ", " : "", k ? 2 : 0);
        buf_put(b, f, strlen(f));
        if (!json_is_object(a)) {
            buf_put(b, "=null", 5);
            continue;
        }
        buf_put_u8(b, '=');
        buf_put(b, write_actions[k].member, strlen(write_actions[k].member));
        buf_put(b, write_actions[k].kind == TRANSACT_PUT ? "(item=" : "(key=",
                write_actions[k].kind == TRANSACT_PUT ? 6 : 5);
        req_echo_attrs(b,
                       json_object_get(a, write_actions[k].kind == TRANSACT_PUT ? "Item" : "Key"));
        echo_string(b, ", tableName=", a, "TableName");
        echo_string(b, ", conditionExpression=", a, "ConditionExpression");
        buf_put_u8(b, ')');
    }
    buf_put_u8(b, ')');
}

/* TransactItems outside 1..100: DynamoDB's message with the list echoed. */
static void
count_constraint(struct vlist *v, json_t *list, bool write)
{
    size_t n = json_array_size(list);
    struct buf b;
    if (n >= 1 && n <= TRANSACT_MAX_ACTIONS)
        return;
    buf_init(&b);
    buf_put_u8(&b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_put(&b, ", ", 2);
        if (write) {
            echo_write_item(&b, json_array_get(list, i));
        } else {
            buf_put(&b, "TransactGetItem(get=Get(key=", 28);
            json_t *g = json_object_get(json_array_get(list, i), "Get");
            req_echo_attrs(&b, json_object_get(g, "Key"));
            echo_string(&b, ", tableName=", g, "TableName");
            buf_put(&b, "))", 2);
        }
    }
    buf_put_u8(&b, ']');
    vlist_add(v, (const char *)b.data, b.failed ? 0 : b.len, "transactItems",
              n ? "Member must have length less than or equal to 100"
                : "Member must have length greater than or equal to 1");
    buf_release(&b);
}

/* --- shared members ------------------------------------------------------------------ */

static void
path_of(char *out, size_t cap, const char *base, const char *member)
{
    snprintf(out, cap, "%s.%s", base, member);
}

/* TableName and the Key or Item of one action, at `base`. */
static kv_status
read_target(struct op_ctx *c, json_t *a, struct vlist *v, const char *base, bool item,
            const char **table, const struct kv_value **value)
{
    char p[200];
    size_t len;
    struct kv_value *m;
    kv_status st = json_get_string(a, "TableName", table, &len, c->err);
    if (st != KV_OK)
        return st;
    path_of(p, sizeof p, base, "tableName");
    validate_table_name(v, *table, len, p);
    path_of(p, sizeof p, base, item ? "item" : "key");
    st = req_attr_map(c, a, item ? "Item" : "Key", p, true, v, &m);
    *value = m;
    return st;
}

/* The expressions, placeholders and ReturnValuesOnConditionCheckFailure. */
static kv_status
read_action_exprs(struct op_ctx *c, json_t *a, struct vlist *v, const char *base,
                  struct transact_action *ta)
{
    static const char *const on_fail[] = {"NONE", "ALL_OLD"};
    struct kv_value *names, *values;
    char p[200];
    int which = 0;
    kv_status st;
    path_of(p, sizeof p, base, "returnValuesOnConditionCheckFailure");
    if ((st = req_string(c, a, "ConditionExpression", &ta->ex.condition, &ta->ex.condition_len)) ||
        (ta->kind == TRANSACT_UPDATE &&
         (st = req_string(c, a, "UpdateExpression", &ta->ex.update, &ta->ex.update_len))) ||
        (st = req_expr_maps(c, a, &names, &values)) ||
        (st = req_enum(c, a, "ReturnValuesOnConditionCheckFailure", p, on_fail, 2,
                       "[ALL_OLD, NONE]", v, &which)))
        return st;
    ta->ex.names = names;
    ta->ex.values = values;
    ta->return_old_on_fail = which == 1;
    if (ta->kind == TRANSACT_UPDATE && !ta->ex.update) {
        path_of(p, sizeof p, base, "updateExpression");
        vlist_add(v, NULL, 0, p, "Member must not be null");
    }
    if (ta->kind == TRANSACT_CHECK && !ta->ex.condition) {
        path_of(p, sizeof p, base, "conditionExpression");
        vlist_add(v, NULL, 0, p, "Member must not be null");
    }
    return KV_OK;
}

/* --- TransactWriteItems --------------------------------------------------------------- */

/* One TransactWriteItem: exactly one action. */
static kv_status
read_write_item(struct op_ctx *c, json_t *e, size_t i, struct vlist *v, struct transact_action *ta)
{
    json_t *action = NULL;
    size_t found = 0, which = 0;
    kv_status st = json_check_type(e, JT_ELEMENT, "TransactWriteItem", c->err);
    for (size_t k = 0; k < 4 && st == KV_OK; k++) {
        json_t *a;
        st = json_get_node(e, write_actions[k].member, JT_FIELD, write_actions[k].member, &a,
                           c->err);
        if (st == KV_OK && a) {
            action = a;
            which = k;
            found++;
        }
    }
    if (st != KV_OK)
        return st;
    if (found != 1)
        return err_set(c->err, KV_VALIDATION,
                       "TransactItems can only contain one of Check, Put, Update or Delete");
    char base[96];
    snprintf(base, sizeof base, "transactItems.%zu.member.%s", i + 1, write_actions[which].field);
    ta->kind = write_actions[which].kind;
    if ((st = read_target(c, action, v, base, ta->kind == TRANSACT_PUT, &ta->table, &ta->value)) !=
        KV_OK)
        return st;
    return read_action_exprs(c, action, v, base, ta);
}

static kv_status
read_write_request(struct op_ctx *c, json_t *req, struct vlist *v, struct transact_write_req *r,
                   int *return_cc, int *icm)
{
    json_t *list;
    kv_status st;
    if ((st = json_get_node(req, "TransactItems", JT_LIST, NULL, &list, c->err)))
        return st;
    size_t n = list ? json_array_size(list) : 0;
    struct transact_action *acts = arena_calloc(c->arena, (n + 1) * sizeof *acts);
    if (!acts)
        return err_nomem(c->err);
    for (size_t i = 0; i < n; i++)
        if ((st = read_write_item(c, json_array_get(list, i), i, v, &acts[i])) != KV_OK)
            return st;
    if (!list)
        vlist_add(v, NULL, 0, "transactItems", "Member must not be null");
    else
        count_constraint(v, list, true);
    if ((st = req_enum(c, req, "ReturnConsumedCapacity", "returnConsumedCapacity",
                       req_return_cc_set, 3, REQ_RETURN_CC_SHOWN, v, return_cc)) ||
        (st = req_enum(c, req, "ReturnItemCollectionMetrics", "returnItemCollectionMetrics",
                       req_return_icm_set, 2, REQ_RETURN_ICM_SHOWN, v, icm)) ||
        (st = json_get_string(req, "ClientRequestToken", &r->token, &r->token_len, c->err)))
        return st;
    if (r->token && (r->token_len < 1 || r->token_len > TRANSACT_TOKEN_MAX))
        vlist_add(v, r->token, r->token_len, "clientRequestToken",
                  r->token_len ? "Member must have length less than or equal to 36"
                               : "Member must have length greater than or equal to 1");
    r->actions = acts;
    r->n_actions = n;
    return KV_OK;
}

/* The ConsumedCapacity list, one entry per table. */
static json_t *
capacity_list(const struct table_consumed *tables, size_t n, int mode)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++)
        if (json_array_append_new(
                list, req_consumed_json_split(tables[i].table, &tables[i].consumed, mode, true))) {
            json_decref(list);
            return NULL;
        }
    return list;
}

kv_status
req_transact_write_items(struct op_ctx *c, json_t *req, json_t **resp)
{
    struct transact_write_req r;
    struct transact_write_resp out;
    struct vlist v;
    int return_cc = RETURN_CC_NONE, icm = 0;
    memset(&r, 0, sizeof r);
    vlist_init(&v);
    kv_status st = read_write_request(c, req, &v, &r, &return_cc, &icm);
    if (st == KV_OK)
        st = vlist_finish(&v, c->err);
    if (st == KV_OK)
        st = op_transact_write(c, &r, &out);
    vlist_release(&v);
    if (st != KV_OK)
        return st;
    if (!(*resp = json_object()) ||
        (return_cc != RETURN_CC_NONE &&
         json_object_set_new(*resp, "ConsumedCapacity",
                             capacity_list(out.tables, out.n_tables, return_cc))) ||
        (icm == 1 && json_object_set_new(*resp, "ItemCollectionMetrics", json_object())))
        return err_nomem(c->err);
    return KV_OK;
}

/* --- TransactGetItems ------------------------------------------------------------------ */

static kv_status
read_get_item(struct op_ctx *c, json_t *e, size_t i, struct vlist *v, struct transact_get *g)
{
    json_t *get;
    char base[64];
    struct kv_value *names, *values;
    kv_status st;
    snprintf(base, sizeof base, "transactItems.%zu.member.get", i + 1);
    if ((st = json_check_type(e, JT_ELEMENT, "TransactGetItem", c->err)) ||
        (st = json_get_node(e, "Get", JT_FIELD, "Get", &get, c->err)))
        return st;
    if (!get) {
        vlist_add(v, NULL, 0, base, "Member must not be null");
        return KV_OK;
    }
    if ((st = read_target(c, get, v, base, false, &g->table, &g->key)) ||
        (st = req_string(c, get, "ProjectionExpression", &g->ex.projection,
                         &g->ex.projection_len)) ||
        (st = req_expr_maps(c, get, &names, &values)))
        return st;
    g->ex.names = names; /* a Get has no ExpressionAttributeValues */
    return KV_OK;
}

static kv_status
respond_get(struct op_ctx *c, const struct transact_get_req *r, const struct transact_get_resp *out,
            int return_cc, json_t **resp)
{
    json_t *list = json_array();
    if (!(*resp = json_object()) || json_object_set_new(*resp, "Responses", list))
        return err_nomem(c->err);
    for (size_t i = 0; i < r->n_gets; i++) {
        json_t *entry = json_object();
        if (json_array_append_new(list, entry) ||
            (out->items[i] && json_object_set_new(entry, "Item", item_to_json(out->items[i]))))
            return err_nomem(c->err);
    }
    if (return_cc != RETURN_CC_NONE &&
        json_object_set_new(*resp, "ConsumedCapacity",
                            capacity_list(out->tables, out->n_tables, return_cc)))
        return err_nomem(c->err);
    return KV_OK;
}

kv_status
req_transact_get_items(struct op_ctx *c, json_t *req, json_t **resp)
{
    struct transact_get_req r;
    struct transact_get_resp out;
    struct vlist v;
    int return_cc = RETURN_CC_NONE;
    json_t *list;
    memset(&r, 0, sizeof r);
    vlist_init(&v);
    r.out = c->arena;
    kv_status st = json_get_node(req, "TransactItems", JT_LIST, NULL, &list, c->err);
    size_t n = list ? json_array_size(list) : 0;
    struct transact_get *gets = st == KV_OK ? arena_calloc(c->arena, (n + 1) * sizeof *gets) : NULL;
    if (st == KV_OK && !gets)
        st = err_nomem(c->err);
    for (size_t i = 0; i < n && st == KV_OK; i++)
        st = read_get_item(c, json_array_get(list, i), i, &v, &gets[i]);
    if (st == KV_OK && !list)
        vlist_add(&v, NULL, 0, "transactItems", "Member must not be null");
    else if (st == KV_OK)
        count_constraint(&v, list, false);
    if (st == KV_OK)
        st = req_enum(c, req, "ReturnConsumedCapacity", "returnConsumedCapacity", req_return_cc_set,
                      3, REQ_RETURN_CC_SHOWN, &v, &return_cc);
    if (st == KV_OK)
        st = vlist_finish(&v, c->err);
    vlist_release(&v);
    r.gets = gets;
    r.n_gets = n;
    if (st == KV_OK && (st = op_transact_get(c, &r, &out)) == KV_OK)
        st = respond_get(c, &r, &out, return_cc, resp);
    return st;
}
