/*
 * api.h -- what the typed C face's files share: one call's scratch memory
 * and error, and the checks every entry point makes the way the JSON face
 * makes them.
 */
#ifndef KV_API_INTERNAL_H
#define KV_API_INTERNAL_H

#include "err.h"
#include "kv.h"
#include "ops/ops.h"

#include <stdbool.h>
#include <stddef.h>

/* Scratch memory and error of one call.  The scratch arena starts in
 * `first`, so a small call allocates nothing for it. */
struct call {
    struct kv_db *db;
    struct kv_err err;
    struct op_ctx ctx;
    max_align_t first[1024 / sizeof(max_align_t)];
};

/* Start a call.  Always true: the scratch arena starts in the struct. */
bool api_call_begin(struct call *c, kv_db *db);
/* End it: free the scratch memory and record the outcome for kv_errmsg. */
kv_status api_call_end(struct call *c);

/*
 * Whether to run an operation again after it ended in `st`: the handle's
 * retry policy (kv_options.retry) asks for it, and the back-off has been
 * waited (retry_call.h).  *tries counts the attempts made.  Used as
 *
 *     for (int tries = 1; api_again(&c, st = op_...(...), &tries);)
 *         ;
 */
bool api_again(struct call *c, kv_status st, int *tries);

/* The data-plane table name constraints, as the JSON face applies them. */
kv_status api_check_table_name(struct call *c, const char *name);

/* A kv_expr_args into the request struct's expressions (NULL: none). */
void api_fill_exprs(struct item_exprs *ex, const kv_expr_args *e);

/* A typed result and the arena that holds what it points to.  The result
 * comes first, so the pointer handed to the caller is the block's. */
struct api_block {
    union {
        kv_batch_get_result get;
        kv_batch_write_result write;
        kv_transact_write_result tw;
        kv_transact_get_result tg;
        kv_read_result read;
    } u;
    struct arena *arena;
    kv_item **items; /* items of their own the block owns, freed with it */
    size_t n_items;
};

/* A zeroed block with its arena; NULL when out of memory. */
struct api_block *api_block_new(void);
/* Free a block, its arena and its items.  Accepts NULL. */
void api_block_free(struct api_block *b);

#endif
