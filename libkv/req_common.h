/*
 * req_common.h -- pieces every handler of the JSON face uses: enum fields,
 * TableName, maps of AttributeValues, the expression maps, refusing
 * parameters libkv does not support, and ConsumedCapacity.
 */
#ifndef KV_REQ_COMMON_H
#define KV_REQ_COMMON_H

#include "capacity.h"
#include "kv.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct collection_size;

struct kv_value;
struct op_ctx;
struct vlist;

extern const char *const req_return_values_set[];
#define REQ_RETURN_VALUES_SHOWN "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
extern const char *const req_return_cc_set[];
#define REQ_RETURN_CC_SHOWN "[INDEXES, TOTAL, NONE]"
extern const char *const req_return_icm_set[];
#define REQ_RETURN_ICM_SHOWN "[SIZE, NONE]"

/*
 * An optional enum member: *out becomes the index of its value in
 * `values`; a value outside the set adds DynamoDB's "Member must satisfy
 * enum value set: <shown>" to v.  *out keeps its default when absent.
 */
kv_status req_enum(struct op_ctx *c, json_t *req, const char *field, const char *path,
                   const char *const *values, size_t n, const char *shown, struct vlist *v,
                   int *out);

/* TableName of a data-plane operation (a constraint, not required). */
kv_status req_table_name(struct op_ctx *c, json_t *req, struct vlist *v, const char **name);

/* A map of AttributeValues (Item, Key), decoded into c->arena; a missing
 * map adds "Member must not be null" at path when `required`. */
kv_status req_attr_map(struct op_ctx *c, json_t *req, const char *field, const char *path,
                       bool required, struct vlist *v, struct kv_value **out);

/* ExpressionAttributeNames (as an M of S) and ExpressionAttributeValues. */
kv_status req_expr_maps(struct op_ctx *c, json_t *req, struct kv_value **names,
                        struct kv_value **values);

/* An optional string member that is an expression: text and length. */
kv_status req_string(struct op_ctx *c, json_t *req, const char *field, const char **out,
                     size_t *len);

/* Refuse the first present member of `fields` as unsupported. */
kv_status req_refuse(struct op_ctx *c, json_t *req, const char *const *fields, size_t n);
/* The same for a parameter libkv does not implement at all, which it
 * refuses rather than ignore: "The parameter <p> is not supported by
 * libkv". */
kv_status req_refuse_unsupported(struct op_ctx *c, json_t *req, const char *const *fields,
                                 size_t n);

/*
 * The legacy (non-expression) parameters: present together with an
 * expression parameter they are DynamoDB's "Can not use both expression and
 * non-expression parameters" error; alone they are refused as unsupported.
 */
kv_status req_legacy(struct op_ctx *c, json_t *req, const char *const *legacy, size_t n_legacy,
                     const char *const *exprs, size_t n_exprs);

/* ReturnValuesOnConditionCheckFailure: true for ALL_OLD. */
kv_status req_return_on_fail(struct op_ctx *c, json_t *req, struct vlist *v, bool *all_old);

/*
 * ConsumedCapacity of one table: {"CapacityUnits", "TableName"} and, for
 * INDEXES, "Table" and the arms of the indexes charged.  DynamoDB splits
 * read and write units only for transactional operations (`split`).
 */
json_t *req_consumed_json(const char *table, const struct consumed *cc, int mode);
json_t *req_consumed_json_split(const char *table, const struct consumed *cc, int mode,
                                bool split);

/*
 * A tree (ConsumedCapacity, ItemCollectionMetrics) as the value of member
 * `key` of a response being written; the tree is released.  A NULL tree
 * (out of memory) fails the writer.
 */
struct json_out;
void req_write_tree(struct json_out *w, const char *key, json_t *tree);

/*
 * A map of AttributeValues as DynamoDB's Java front end echoes it in a
 * constraint message: {pk=com.amazonaws.dynamodb.v20120810.AttributeValue@1b6d3586}.
 * The part after '@' is an object identity there; here a hash of the
 * value, so the text is stable.
 */
struct buf;
void req_echo_attrs(struct buf *b, json_t *map);

/* One ItemCollectionMetrics entry: ItemCollectionKey and
 * SizeEstimateRangeGB.  NULL when out of memory. */
json_t *req_collection_json(const struct collection_size *cs);

#endif
