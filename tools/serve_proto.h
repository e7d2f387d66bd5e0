/*
 * serve_proto.h -- DynamoDB's JSON protocol over HTTP, without the HTTP
 * library: which requests reach an operation, which content types and
 * targets are accepted, what HTTP status an outcome gets, and the bodies
 * and identifiers DynamoDB puts in its responses.
 *
 * serve_http.c feeds it what arrived and sends what it decides; keeping
 * the decisions here lets the unit tests check them without a socket.
 */
#ifndef KV_SERVE_PROTO_H
#define KV_SERVE_PROTO_H

#include "kv.h"

#include <stddef.h>
#include <stdint.h>

/* DynamoDB's limit on a request body. */
#define SERVE_MAX_BODY ((size_t)16 * 1024 * 1024)

/* The target prefix of every operation of this API version. */
#define SERVE_TARGET_PREFIX "DynamoDB_20120810."

#define SERVE_NS_CORAL "com.amazon.coral.service"

/* DynamoDB's answer to a request that names no operation it serves. */
#define SERVE_NOT_FOUND_BODY "<UnknownOperationException/>\n"

/* What to do with a request, decided from its method, path and headers. */
enum serve_route {
    ROUTE_OPERATION,         /* run the operation named by the target */
    ROUTE_HEALTH,            /* GET or HEAD /: a plain-text health answer, 200 */
    ROUTE_PREFLIGHT,         /* OPTIONS with Origin: CORS preflight, 200 */
    ROUTE_NOT_FOUND,         /* 404 with SERVE_NOT_FOUND_BODY */
    ROUTE_UNKNOWN_OPERATION, /* 400 UnknownOperationException */
};

/* The request's content type, as far as the protocol cares. */
enum serve_ctype {
    CTYPE_NONE,     /* no Content-Type header */
    CTYPE_AMZ_JSON, /* application/x-amz-json-1.0 */
    CTYPE_JSON,     /* application/json */
    CTYPE_OTHER,    /* anything else, including application/x-amz-json-1.1 */
};

struct serve_in {
    const char *method;
    const char *path;         /* request-target before '?' */
    const char *content_type; /* NULL when absent */
    const char *target;       /* X-Amz-Target, NULL when absent */
    const char *origin;       /* Origin, NULL when absent */
    size_t body_len;
};

enum serve_ctype serve_proto_ctype(const char *header);

/* The Content-Type a response to a request of type @p t carries. */
const char *serve_proto_response_ctype(enum serve_ctype t);

/*
 * Route a request; for ROUTE_OPERATION, *op points at the operation name
 * inside in->target.
 */
enum serve_route serve_proto_route(const struct serve_in *in, const char **op);

/* 500 for InternalServerError, 400 for every other exception, 200 for KV_OK. */
unsigned serve_proto_http_status(kv_status st);

/* Whether an exception name is one of the 500s. */
int serve_proto_is_server_error(const char *exception);

/*
 * {"__type":"<ns>#<name>","message":"..."} with the message escaped as
 * JSON; without "message" when @p message is NULL.  malloc'd; NULL when
 * out of memory.
 */
char *serve_proto_error_body(const char *ns, const char *name, const char *message);

/* The body the server sends when it cannot even build an error body. */
extern const char serve_proto_internal_error_body[];

/* A fresh request id: 52 characters of [A-Z0-9] and a NUL. */
void serve_proto_request_id(char out[53]);

/* CRC32 (ISO-HDLC, as zlib computes it) of a response body. */
uint32_t serve_proto_crc32(const void *data, size_t len);

#endif
