/*
 * retry_call.c -- see retry_call.h.
 */
#include "retry_call.h"
#include "clock.h"
#include "db.h"
#include "err.h"
#include "retry.h"

bool
retry_call_again(struct kv_db *db, int attempt, struct kv_err *err)
{
    if (!db->has_retry || !retry_should(&db->retry, attempt, err->status))
        return false;
    clock_sleep_ms(&db->clock, retry_delay_ms(&db->retry, attempt));
    err_clear(err);
    return true;
}

bool
retry_call_resend(struct kv_db *db, int attempt)
{
    /* Unprocessed elements are retried as throttled requests are. */
    if (!db->has_retry || !retry_should(&db->retry, attempt, KV_PROVISIONED_THROUGHPUT_EXCEEDED))
        return false;
    clock_sleep_ms(&db->clock, retry_delay_ms(&db->retry, attempt));
    return true;
}
