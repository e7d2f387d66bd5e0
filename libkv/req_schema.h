/*
 * req_schema.h -- the schema structures shared by the JSON faces of
 * CreateTable and UpdateTable.
 *
 * Each reader takes the enclosing JSON object and a constraint path prefix
 * ("" at the top, "globalSecondaryIndexes.1.member." inside a list), fails
 * with SerializationException for a wrongly typed member, and adds
 * constraint failures to the request's vlist in DynamoDB's order.
 */
#ifndef KV_REQ_SCHEMA_H
#define KV_REQ_SCHEMA_H

#include "ops/ops.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vlist;

/* An enum field: its index in `values`, or -1 (constraint added) when not
 * one of them, or -2 when absent. */
int schema_enum(struct vlist *v, const char *s, size_t len, const char *path,
                const char *const *values, size_t n, const char *shown);

/* A required number with a minimum. */
void schema_min(struct vlist *v, int64_t value, bool present, int64_t min, const char *path);

/* The member ProvisionedThroughput of obj. */
kv_status schema_throughput(struct op_ctx *c, json_t *obj, struct vlist *v, const char *path,
                            bool *given, int64_t *rcu, int64_t *wcu);

/* The member KeySchema of obj. */
kv_status schema_key_schema(struct op_ctx *c, json_t *obj, struct vlist *v, const char *path,
                            struct key_elem **out, size_t *n);

/* The member Projection of obj. */
kv_status schema_projection(struct op_ctx *c, json_t *obj, struct vlist *v, const char *path,
                            struct index_req *ix);

/* LocalSecondaryIndexes or GlobalSecondaryIndexes of a CreateTable request. */
kv_status schema_indexes(struct op_ctx *c, json_t *req, const char *field, bool global,
                         struct vlist *v, struct index_req **out, size_t *n, bool *given);

/* AttributeDefinitions (required by CreateTable, optional in UpdateTable). */
kv_status schema_attr_defs(struct op_ctx *c, json_t *req, struct vlist *v, bool required,
                           struct attr_def **attrs, size_t *n_attrs, bool *given);

/* An index name's constraints at `path`. */
void schema_index_name(struct vlist *v, const char *name, size_t len, const char *path);

/* Answer with a table description as `member` ("TableDescription" or
 * "Table"), releasing d. */
kv_status req_respond_description(struct op_ctx *c, const char *member, struct table_desc *d,
                                  json_t **resp);

#endif
