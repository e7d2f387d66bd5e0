/*
 * ops.h -- the operations, one function each, shared by both faces.
 *
 * The JSON face (request.c) and the typed C face (api.c) both fill one of
 * the request structs below and call the op_* function, so validation,
 * storage and results are the same whichever way a caller comes in.  Each
 * face checks only what is particular to it (JSON types and field
 * constraints for one; NULL pointers for the other) before calling.
 *
 * An op_* function reads and writes through one transaction (txn.h), and
 * allocates its results in the arenas it is given.
 */
#ifndef KV_OPS_H
#define KV_OPS_H

#include "capacity.h"
#include "catalog.h"
#include "kv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct kv_db;
struct txn;
struct kv_err;
struct kv_value;

/* What every operation gets: the database, scratch memory, the error. */
struct op_ctx {
    struct kv_db *db;
    struct arena *arena;
    struct kv_err *err;
};

/* --- tables ---------------------------------------------------------------- */

enum key_type {
    KEYTYPE_HASH = 1,
    KEYTYPE_RANGE = 2,
};

struct key_elem {
    const char *name;
    int key_type; /* KEYTYPE_HASH, KEYTYPE_RANGE */
};

struct index_req {
    const char *name;
    struct key_elem *keys;
    size_t n_keys;
    int projection; /* enum projection_type, or -1 when ProjectionType is absent */
    const char **non_key;
    size_t n_non_key;
    bool non_key_given;
    bool has_throughput;
    int64_t rcu, wcu;
};

struct create_table_req {
    const char *name;
    struct attr_def *attrs;
    size_t n_attrs;
    struct key_elem *keys;
    size_t n_keys;
    int billing; /* kv_billing_mode */
    bool has_throughput;
    int64_t rcu, wcu;
    struct index_req *lsis, *gsis;
    size_t n_lsis, n_gsis;
    bool lsis_given, gsis_given;
    bool deletion_protection;
};

/* A table's description with its counters, for DescribeTable and friends. */
struct table_desc {
    struct table_def *def; /* a private copy; table_desc_release frees it */
    struct table_stats stats;
    struct table_stats index_stats[CONSUMED_MAX_INDEXES]; /* per def->indexes[i] */
    const char *status;    /* "CREATING", "ACTIVE", "DELETING" */
};

/* Fill d from a table's description as of t (counters included). */
kv_status table_desc_fill(struct txn *t, const struct table_def *def, struct table_desc *d);

void table_desc_release(struct table_desc *d);

kv_status op_create_table(struct op_ctx *c, const struct create_table_req *r,
                          struct table_desc *out);
kv_status op_describe_table(struct op_ctx *c, const char *name, struct table_desc *out);
kv_status op_delete_table(struct op_ctx *c, const char *name, struct table_desc *out);

enum gsi_action {
    GSI_CREATE = 1,
    GSI_UPDATE,
    GSI_DELETE,
};

/* One element of GlobalSecondaryIndexUpdates. */
struct gsi_update_req {
    int action;           /* enum gsi_action, as far as n_actions == 1 */
    int n_actions;        /* how many of Create, Update and Delete were given */
    const char *name;
    struct index_req create;  /* Create */
    bool has_throughput;      /* Update */
    int64_t rcu, wcu;
};

struct update_table_req {
    const char *name;
    struct attr_def *attrs;
    size_t n_attrs;
    bool attrs_given;
    int billing;              /* kv_billing_mode, or -1 when absent */
    bool has_throughput;
    int64_t rcu, wcu;
    struct gsi_update_req *gsi;
    size_t n_gsi;
    bool gsi_given;
    int deletion_protection;  /* 0 or 1, or -1 when absent */
};

kv_status op_update_table(struct op_ctx *c, const struct update_table_req *r,
                          struct table_desc *out);

struct list_tables_resp {
    const char **names; /* in c->arena */
    size_t count;
    const char *last;   /* LastEvaluatedTableName, or NULL */
};

kv_status op_list_tables(struct op_ctx *c, const char *start, int64_t limit,
                         struct list_tables_resp *out);

/* --- items ------------------------------------------------------------------ */

/* A single-item request's expressions, as text (NULL when absent), with its
 * two placeholder maps (NULL when absent). */
struct item_exprs {
    const char *update, *condition, *projection;
    size_t update_len, condition_len, projection_len;
    const struct kv_value *names, *values;
};

struct put_item_req {
    const char *table;
    const struct kv_value *item;
    struct item_exprs ex;    /* ConditionExpression */
    int return_values;       /* kv_return_values */
    int return_cc;           /* enum return_cc */
    bool return_icm;         /* ReturnItemCollectionMetrics SIZE */
    bool return_old_on_fail; /* ReturnValuesOnConditionCheckFailure ALL_OLD */
    struct arena *out;       /* where Attributes are allocated */
};

/* ItemCollectionMetrics: the partition key and the collection's size. */
struct collection_size {
    bool present; /* the table has local indexes */
    const char *key_name;       /* the partition key attribute (request memory) */
    size_t key_name_len;
    const struct kv_value *key; /* its value */
    uint64_t bytes;
};

struct write_resp {
    struct kv_value *attributes; /* per ReturnValues, or NULL */
    struct consumed consumed;
    struct collection_size collection;
};

kv_status op_put_item(struct op_ctx *c, const struct put_item_req *r, struct write_resp *out);

/* GetItem, DeleteItem and UpdateItem: a request naming one item by key. */
struct key_req {
    const char *table;
    const struct kv_value *key;
    struct item_exprs ex; /* Get: Projection; Delete: Condition; Update: both */
    bool consistent;
    int return_values;
    int return_cc;
    bool return_icm;
    bool return_old_on_fail;
    struct arena *out; /* where the item is allocated */
};

struct get_resp {
    struct kv_value *item; /* NULL when absent */
    struct consumed consumed;
};

kv_status op_get_item(struct op_ctx *c, const struct key_req *r, struct get_resp *out);
kv_status op_delete_item(struct op_ctx *c, const struct key_req *r, struct write_resp *out);
kv_status op_update_item(struct op_ctx *c, const struct key_req *r, struct write_resp *out);

/* --- Query and Scan ------------------------------------------------------------ */

enum select_mode {
    SELECT_DEFAULT = 0, /* absent: ALL_ATTRIBUTES, ALL_PROJECTED for an index */
    SELECT_ALL_ATTRIBUTES,
    SELECT_ALL_PROJECTED,
    SELECT_SPECIFIC,
    SELECT_COUNT,
};

/*
 * One Query or Scan request.  Expressions come as text (NULL when absent)
 * with the request's two placeholder maps; the operation parses them, so
 * both faces get the same checks.
 */
struct read_req {
    const char *table;
    const char *index;
    const char *key_condition, *filter, *projection;
    size_t key_condition_len, filter_len, projection_len;
    const struct kv_value *names, *values;
    int select;
    bool has_limit;
    int64_t limit;
    bool forward; /* Query: ScanIndexForward */
    bool consistent;
    const struct kv_value *start_key;
    bool has_segment, has_total;
    int64_t segment, total_segments;
    int return_cc;
    struct arena *out; /* where items and LastEvaluatedKey are allocated */
};

struct read_resp {
    struct kv_value *items; /* Items (M values); none for COUNT */
    size_t n_items;
    size_t cap_items;
    uint64_t count;    /* Count: items that passed the filter */
    uint64_t scanned;  /* ScannedCount: items read */
    struct kv_value *last_key; /* LastEvaluatedKey, or NULL */
    struct consumed consumed;
};

kv_status op_query(struct op_ctx *c, const struct read_req *r, struct read_resp *out);
kv_status op_scan(struct op_ctx *c, const struct read_req *r, struct read_resp *out);

/* --- batches ---------------------------------------------------------------------- */

/* What one request consumed on one table, for the operations that report a
 * list of ConsumedCapacity entries. */
struct table_consumed {
    const char *table;
    struct consumed consumed;
};

/* BatchGetItem: one table's keys and how to read them. */
struct batch_get_table {
    const char *table;
    const struct kv_value *const *keys; /* each an M of the key attributes */
    size_t n_keys;
    struct item_exprs ex; /* ProjectionExpression and its names */
    bool consistent;
};

struct batch_get_req {
    const struct batch_get_table *tables;
    size_t n_tables;
    struct arena *out; /* where items are allocated */
};

/* One table's result, parallel to the request's tables. */
struct batch_get_table_resp {
    struct kv_value *items;   /* the items found, projected, in key order */
    size_t *item_keys;        /* per item, the index of its key */
    size_t n_items;
    size_t *unprocessed;      /* indexes of the keys left for a later call */
    size_t n_unprocessed;
    struct consumed consumed;
};

struct batch_get_resp {
    struct batch_get_table_resp *tables; /* in c->arena */
};

kv_status op_batch_get(struct op_ctx *c, const struct batch_get_req *r,
                       struct batch_get_resp *out);

enum batch_write_kind {
    BATCH_PUT = 1,
    BATCH_DELETE = 2,
};

struct batch_write_elem {
    int kind;                     /* enum batch_write_kind */
    const struct kv_value *value; /* PutRequest's Item, DeleteRequest's Key */
};

struct batch_write_table {
    const char *table;
    const struct batch_write_elem *elems;
    size_t n_elems;
};

struct batch_write_req {
    const struct batch_write_table *tables;
    size_t n_tables;
};

struct batch_write_table_resp {
    size_t *unprocessed; /* indexes of the elements left for a later call */
    size_t n_unprocessed;
    struct consumed consumed;
    struct collection_size *collections; /* one per item collection written */
    size_t n_collections;
};

struct batch_write_resp {
    struct batch_write_table_resp *tables; /* in c->arena, parallel to the request's */
};

kv_status op_batch_write(struct op_ctx *c, const struct batch_write_req *r,
                         struct batch_write_resp *out);

/* --- transactions ------------------------------------------------------------- */

#define TRANSACT_MAX_ACTIONS 100
#define TRANSACT_TOKEN_MAX 36

enum transact_kind {
    TRANSACT_PUT = 1,
    TRANSACT_UPDATE = 2,
    TRANSACT_DELETE = 3,
    TRANSACT_CHECK = 4, /* ConditionCheck */
};

/* One action of TransactWriteItems, with its own placeholder maps. */
struct transact_action {
    int kind; /* enum transact_kind */
    const char *table;
    const struct kv_value *value; /* Put: the Item; the others: the Key */
    struct item_exprs ex;         /* UpdateExpression, ConditionExpression */
    bool return_old_on_fail;      /* ReturnValuesOnConditionCheckFailure ALL_OLD */
};

struct transact_write_req {
    const struct transact_action *actions;
    size_t n_actions;
    const char *token; /* ClientRequestToken, or NULL */
    size_t token_len;
};

struct transact_write_resp {
    struct table_consumed *tables; /* in order of first appearance */
    size_t n_tables;
    bool replayed; /* the token's transaction had run: read units only */
};

kv_status op_transact_write(struct op_ctx *c, const struct transact_write_req *r,
                            struct transact_write_resp *out);

/* One Get of TransactGetItems. */
struct transact_get {
    const char *table;
    const struct kv_value *key;
    struct item_exprs ex; /* ProjectionExpression and its names */
};

struct transact_get_req {
    const struct transact_get *gets;
    size_t n_gets;
    struct arena *out; /* where items are allocated */
};

struct transact_get_resp {
    struct kv_value **items; /* one per Get, NULL where absent; in c->arena */
    struct table_consumed *tables;
    size_t n_tables;
};

kv_status op_transact_get(struct op_ctx *c, const struct transact_get_req *r,
                          struct transact_get_resp *out);

/* --- shared helpers ------------------------------------------------------------ */

/* ResourceNotFoundException for a data-plane operation. */
kv_status op_table_not_found(struct op_ctx *c);

/* The ARN DynamoDB-compatible tools expect of a local table. */
const char *op_table_arn(struct arena *a, const char *table);

#endif
