/*
 * status.c -- status codes, their DynamoDB exception names, and the error
 * context.
 *
 * One table gives each code its exception name and its text; a test checks
 * that the table covers the enum.  Local failures (memory, I/O, corruption)
 * surface as DynamoDB's InternalServerError, which is what a client of the
 * real service would see for a fault on the server's side.
 */
#include "err.h"
#include "arena.h"
#include "mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct status_info {
    kv_status status;
    const char *name;      /* DynamoDB exception name */
    const char *ns;        /* "__type" namespace */
    const char *text;      /* kv_status_str */
};

#define NS_DDB "com.amazonaws.dynamodb.v20120810"
#define NS_VALIDATE "com.amazon.coral.validate"
#define NS_CORAL "com.amazon.coral.service"

static const struct status_info status_table[] = {
    {KV_OK, "", "", "success"},
    {KV_VALIDATION, "ValidationException", NS_VALIDATE, "the request is invalid"},
    {KV_SERIALIZATION, "SerializationException", NS_CORAL, "the request is malformed"},
    {KV_RESOURCE_NOT_FOUND, "ResourceNotFoundException", NS_DDB,
     "the table or index does not exist"},
    {KV_RESOURCE_IN_USE, "ResourceInUseException", NS_DDB,
     "the table or index is in use"},
    {KV_CONDITIONAL_CHECK_FAILED, "ConditionalCheckFailedException", NS_DDB,
     "the conditional request failed"},
    {KV_PROVISIONED_THROUGHPUT_EXCEEDED, "ProvisionedThroughputExceededException", NS_DDB,
     "provisioned throughput exceeded"},
    {KV_THROTTLING, "ThrottlingException", NS_DDB, "request throttled"},
    {KV_REQUEST_LIMIT_EXCEEDED, "RequestLimitExceeded", NS_DDB, "request limit exceeded"},
    {KV_LIMIT_EXCEEDED, "LimitExceededException", NS_DDB, "limit exceeded"},
    {KV_TRANSACTION_CANCELED, "TransactionCanceledException", NS_DDB,
     "transaction cancelled"},
    {KV_TRANSACTION_CONFLICT, "TransactionConflictException", NS_DDB,
     "transaction conflict"},
    {KV_TRANSACTION_IN_PROGRESS, "TransactionInProgressException", NS_DDB,
     "transaction in progress"},
    {KV_IDEMPOTENT_PARAMETER_MISMATCH, "IdempotentParameterMismatchException", NS_DDB,
     "idempotency token reused with different parameters"},
    {KV_ITEM_COLLECTION_SIZE_LIMIT_EXCEEDED, "ItemCollectionSizeLimitExceededException",
     NS_DDB, "item collection size limit exceeded"},
    {KV_UNKNOWN_OPERATION, "UnknownOperationException", NS_CORAL, "unknown operation"},
    {KV_INTERNAL, "InternalServerError", NS_DDB, "internal error"},
    {KV_NOMEM, "InternalServerError", NS_DDB, "out of memory"},
    {KV_IO, "InternalServerError", NS_DDB, "input/output error"},
    {KV_CORRUPT, "InternalServerError", NS_DDB, "database record is corrupt"},
    {KV_MISUSE, "ValidationException", NS_VALIDATE, "invalid argument"},
};

static const struct status_info *
status_find(kv_status st)
{
    for (size_t i = 0; i < sizeof status_table / sizeof status_table[0]; i++)
        if (status_table[i].status == st)
            return &status_table[i];
    return NULL;
}

const char *
kv_status_str(kv_status st)
{
    const struct status_info *s = status_find(st);
    return s ? s->text : "unknown status";
}

const char *
kv_status_name(kv_status st)
{
    const struct status_info *s = status_find(st);
    return s ? s->name : "InternalServerError";
}

const char *
status_namespace(kv_status st)
{
    const struct status_info *s = status_find(st);
    return s ? s->ns : NS_DDB;
}

int
status_is_client_error(kv_status st)
{
    return st != KV_OK && st < KV_INTERNAL;
}

void
err_init(struct kv_err *e)
{
    memset(e, 0, sizeof *e);
}

void
err_clear(struct kv_err *e)
{
    mem_free(e->msg);
    arena_free(e->extra);
    err_init(e);
}

static kv_status err_vset(struct kv_err *e, kv_status status, const char *file, int line,
                          const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static kv_status
err_vset(struct kv_err *e, kv_status status, const char *file, int line, const char *fmt,
         va_list ap)
{
    if (e->status != KV_OK)
        return e->status;
    e->status = status;
    e->file = file;
    e->line = line;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n >= 0) {
        e->msg = mem_alloc((size_t)n + 1);
        if (e->msg)
            vsnprintf(e->msg, (size_t)n + 1, fmt, ap2);
    }
    va_end(ap2);
    return status;
}

kv_status
err_set(struct kv_err *e, kv_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kv_status st = err_vset(e, status, NULL, 0, fmt, ap);
    va_end(ap);
    return st;
}

kv_status
err_set_at(struct kv_err *e, kv_status status, const char *file, int line, const char *fmt,
           ...)
{
    va_list ap;
    va_start(ap, fmt);
    kv_status st = err_vset(e, status, file, line, fmt, ap);
    va_end(ap);
    return st;
}

kv_status
err_nomem(struct kv_err *e)
{
    if (e->status == KV_OK)
        e->status = KV_NOMEM;
    return e->status;
}

struct arena *
err_extra(struct kv_err *e)
{
    if (!e->extra)
        e->extra = arena_new();
    return e->extra;
}

void
err_move(struct kv_err *dst, struct kv_err *src)
{
    /* Every call ends here, and the usual record holds nothing to free. */
    if (dst->msg || dst->extra) {
        mem_free(dst->msg);
        arena_free(dst->extra);
    }
    *dst = *src;
    err_init(src);
}

const char *
err_message(const struct kv_err *e)
{
    if (e->msg)
        return e->msg;
    if (e->status == KV_OK)
        return "";
    return kv_status_str(e->status);
}
