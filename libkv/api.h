/*
 * api.h -- what the typed C face's files share: one call's scratch memory
 * and error, begun and ended the same way by every entry point.
 */
#ifndef KV_API_INTERNAL_H
#define KV_API_INTERNAL_H

#include "err.h"
#include "ops/ops.h"

#include <stdbool.h>

/* Scratch memory and error of one call. */
struct call {
    struct kv_db *db;
    struct kv_err err;
    struct op_ctx ctx;
};

/* Start a call on db; false (with the error set) when out of memory. */
bool call_begin(struct call *c, kv_db *db);
/* Free the call's memory and record its outcome for kv_errmsg. */
kv_status call_end(struct call *c);
/* The data-plane table name constraints, as the JSON face applies them. */
kv_status check_table_name(struct call *c, const char *name);

#endif
