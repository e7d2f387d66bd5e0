/*
 * serve_log.h -- the access log of `kv serve`: one line per request.
 *
 *     2025-03-01T12:00:00.123Z 127.0.0.1 PutItem Music 200 - 1 0.412 EXAMPLE...ID
 *
 * Fields, separated by one space: time (UTC, milliseconds), client
 * address, operation, table, HTTP status, exception name, consumed
 * capacity units, latency in milliseconds, request id.  "-" stands for a
 * field that does not apply: the table of ListTables, the exception of a
 * success, the capacity when the client did not ask for
 * ReturnConsumedCapacity (the server reports what DynamoDB reports and
 * computes nothing of its own).
 *
 * Lines are written whole, under a lock, and flushed at once, so a log
 * shared by many threads or followed with `tail -f` never shows half a
 * line.
 */
#ifndef KV_SERVE_LOG_H
#define KV_SERVE_LOG_H

#include <stddef.h>

struct serve_log;

struct serve_log_entry {
    double time;           /* seconds since the epoch */
    const char *client;    /* address text, or NULL */
    const char *operation; /* NULL when the request named none */
    const char *request;   /* request body (for the table name) */
    size_t request_len;
    const char *response; /* response body (for capacity and exception) */
    size_t response_len;
    unsigned status; /* HTTP status */
    double latency_ms;
    const char *request_id;
};

/* Open @p path for appending, or standard output for "-". */
struct serve_log *serve_log_open(const char *path, char *err, size_t errlen);

/* Flush and close.  Accepts NULL. */
void serve_log_close(struct serve_log *log);

/* Append one line; accepts a NULL log (logging off). */
void serve_log_write(struct serve_log *log, const struct serve_log_entry *e);

/* The line for @p e, with its newline, into @p buf; returns its length. */
size_t serve_log_format(const struct serve_log_entry *e, char *buf, size_t size);

#endif
