/*
 * request.h -- the JSON face: an operation name and DynamoDB's request JSON
 * in, DynamoDB's response or error JSON out.
 *
 * request.c parses the body and dispatches by operation name; each
 * req_*.c file decodes one group of operations' requests into the request
 * structs of ops.h (with DynamoDB's SerializationException and
 * "N validation errors detected" checks), calls the op_* function and
 * encodes the result.
 */
#ifndef KV_REQUEST_H
#define KV_REQUEST_H

#include "kv.h"

#include <jansson.h>

struct json_out;
struct kv_err;
struct op_ctx;

/* One operation's handler: decode `req`, run, and set *resp (a new ref). */
typedef kv_status (*request_fn)(struct op_ctx *c, json_t *req, json_t **resp);

/*
 * A handler of one of the busiest operations, which writes its response
 * text into `out` instead of building a tree (json_out.h).  On failure
 * whatever it wrote is discarded.
 */
typedef kv_status (*request_write_fn)(struct op_ctx *c, json_t *req, struct json_out *out);

kv_status req_create_table(struct op_ctx *c, json_t *req, json_t **resp);
kv_status req_update_table(struct op_ctx *c, json_t *req, json_t **resp);
kv_status req_describe_table(struct op_ctx *c, json_t *req, json_t **resp);
kv_status req_delete_table(struct op_ctx *c, json_t *req, json_t **resp);
kv_status req_list_tables(struct op_ctx *c, json_t *req, json_t **resp);
kv_status req_put_item(struct op_ctx *c, json_t *req, struct json_out *out);
kv_status req_get_item(struct op_ctx *c, json_t *req, struct json_out *out);
kv_status req_delete_item(struct op_ctx *c, json_t *req, struct json_out *out);
kv_status req_update_item(struct op_ctx *c, json_t *req, struct json_out *out);
kv_status req_query(struct op_ctx *c, json_t *req, struct json_out *out);
kv_status req_scan(struct op_ctx *c, json_t *req, struct json_out *out);
kv_status req_batch_get_item(struct op_ctx *c, json_t *req, json_t **resp);
kv_status req_batch_write_item(struct op_ctx *c, json_t *req, json_t **resp);
kv_status req_transact_write_items(struct op_ctx *c, json_t *req, json_t **resp);
kv_status req_transact_get_items(struct op_ctx *c, json_t *req, json_t **resp);

/*
 * The error body DynamoDB sends for the error in c->err:
 * {"__type":"<namespace>#<Exception>","message":"..."} plus the data some
 * exceptions carry: the Item of a failed condition, the
 * CancellationReasons of a cancelled transaction.  NULL when out of memory.
 */
json_t *request_error_body(const struct kv_err *err);

#endif
