/*
 * err.h -- the error context passed down every call chain.
 *
 * A function that fails records a status and a message in DynamoDB's
 * wording at the place that found the problem, and returns the status; its
 * callers only pass the status up.  The first error recorded wins, so a
 * cleanup path that fails again cannot overwrite the real cause.
 *
 * Some DynamoDB exceptions carry data besides the message: the old item of
 * a failed condition, the reasons of a cancelled transaction, the reasons
 * of a throttle.  Those live in the context's arena and die with it.
 */
#ifndef KV_ERR_H
#define KV_ERR_H

#include "kv.h"

#include <stddef.h>

struct arena;
struct kv_value;

/* One entry of TransactionCanceledException's CancellationReasons. */
struct err_reason {
    const char *code;        /* "None", "ConditionalCheckFailed", ... */
    const char *message;     /* NULL for "None" */
    struct kv_value *item;   /* ReturnValuesOnConditionCheckFailure, or NULL */
};


struct kv_err {
    kv_status status;
    char *msg;          /* heap; NULL when none or out of memory */
    const char *file;   /* where corruption or misuse was found */
    int line;
    struct arena *extra;        /* owns the fields below; NULL until needed */
    struct kv_value *item;      /* ConditionalCheckFailedException's Item */
    struct err_reason *reasons; /* TransactionCanceledException */
    size_t n_reasons;
    kv_throttling_reason *throttle; /* ProvisionedThroughputExceeded, Throttling:
                                       ThrottlingReasons (kv.h's type, so
                                       kv_error_throttling_reasons can hand
                                       them out as they are) */
    size_t n_throttle;
};

void err_init(struct kv_err *e);
void err_clear(struct kv_err *e); /* frees message and extras */

/* Record an error unless one is already recorded.  Returns the status that
 * is recorded, so `return err_set(e, KV_VALIDATION, "...")` reads well. */
kv_status err_set(struct kv_err *e, kv_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
kv_status err_set_at(struct kv_err *e, kv_status status, const char *file, int line,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Out of memory: no formatting, so it cannot fail itself. */
kv_status err_nomem(struct kv_err *e);

/* Corruption and misuse record where they were found (SQLite's *_BKPT). */
#define ERR_CORRUPT(e, ...) err_set_at((e), KV_CORRUPT, __FILE__, __LINE__, __VA_ARGS__)
#define ERR_MISUSE(e, ...) err_set_at((e), KV_MISUSE, __FILE__, __LINE__, __VA_ARGS__)

/* The arena for extras, created on first use; NULL when out of memory. */
struct arena *err_extra(struct kv_err *e);

/* Move everything from src into dst (which must be clear); src is cleared. */
void err_move(struct kv_err *dst, struct kv_err *src);

/* The message, or the status's generic text when there is none. */
const char *err_message(const struct kv_err *e);

/* Table-driven mapping; see status.c. */
int status_is_client_error(kv_status st);
/* The "__type" namespace DynamoDB uses for this exception. */
const char *status_namespace(kv_status st);

#endif
