/*
 * batch_resend.h -- the typed face's batch calls under a retry policy:
 * sending a batch's unprocessed elements again, as the AWS SDKs' batch
 * helpers do (boto3's batch_writer, the Java mapper's batch save and
 * load), when the application opted in (kv_options.retry).
 *
 * Without a policy each function is exactly one op_batch_write or
 * op_batch_get.  With one, each attempt is a whole BatchWriteItem or
 * BatchGetItem of its own, admitted, charged and counted in the metrics as
 * a client's would be, and the attempts share the policy's budget
 * (max_attempts in all) and its back-off (retry.h):
 *
 *   - a batch refused whole (ProvisionedThroughputExceededException,
 *     ThrottlingException) is sent again unchanged;
 *   - a batch that left elements unprocessed is followed, after the
 *     back-off, by a batch of those elements only, in request order.
 *
 * The caller gets one response, as if from one call, in terms of the
 * request it gave: what every attempt consumed, summed per table; the
 * items read, each under the index of its key; and as unprocessed what was
 * still left when the attempts ran out.  Once some attempt has been
 * served, a later attempt refused whole leaves its elements unprocessed
 * rather than failing the call, since part of the batch has then been
 * done.
 */
#ifndef KV_BATCH_RESEND_H
#define KV_BATCH_RESEND_H

#include "kv.h"
#include "ops/ops.h"

/* op_batch_write, resending unprocessed items under the handle's policy. */
kv_status batch_write_resend(struct op_ctx *c, const struct batch_write_req *r,
                             struct batch_write_resp *out);

/* op_batch_get, resending unprocessed keys under the handle's policy.  The
 * items of out are in key order per table, item_keys set. */
kv_status batch_get_resend(struct op_ctx *c, const struct batch_get_req *r,
                           struct batch_get_resp *out);

#endif
