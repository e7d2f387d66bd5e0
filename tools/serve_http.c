/*
 * serve_http.c -- the HTTP server of `kv serve`, on libmicrohttpd.
 *
 * libmicrohttpd runs a pool of threads, each polling its own share of
 * the connections with epoll.  A request is read whole into memory (up to
 * DynamoDB's 16 MB), then handled on the thread that read it: routed by
 * serve_proto.c, authenticated by sigv4.c when a credentials list is
 * loaded, and run by kv_request, whose response body is sent as it is.
 * The kv_db handle is shared by all threads; reads run in parallel and
 * writes queue on LMDB's writer lock.
 *
 * Lifetimes.  A connection's request state (struct req) is made when it
 * opens and freed when it closes; each request on it takes the state over
 * on the first call for it, once its headers are in, and gives it back in
 * the completion callback, which libmicrohttpd calls once the response is
 * sent or the connection dies.  The count of requests between those two
 * points is what a graceful shutdown waits for.
 *
 * Limits.  A Content-Length over 16 MB is refused with 413 before the body
 * is read.  A chunked body that grows past it is read and dropped, then
 * refused the same way.  A connection idle for the timeout is closed, and
 * so is one whose body is still arriving that long after its headers: a
 * client trickling bytes cannot hold a thread's connection forever.
 */
#include "serve.h"
#include "serve_creds.h"
#include "serve_log.h"
#include "serve_proto.h"
#include "sigv4.h"

#include <microhttpd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/*
 * Memory libmicrohttpd gives each connection for request headers, its
 * read buffer and response headers.  It zeroes the whole of it for every
 * request, and half of it again as the read buffer shrinks, which at 16 KB
 * was 24,000 bytes written per request, more than the L1 data cache holds
 * besides the request's own work.  8 KB takes request headers up to about
 * 7 KB, more than twice what an SDK sends with a session token; larger
 * ones are refused with 431.  A body is read through the buffer in 4 KB
 * pieces whatever its size.
 */
#define CONNECTION_MEMORY ((size_t)8 * 1024)

struct serve_http {
    struct MHD_Daemon *daemon;
    kv_db *db;
    const struct serve_creds *creds;
    struct serve_log *log;
    unsigned timeout;
    atomic_uint in_flight;
    atomic_int draining;
    MHD_socket listener; /* after serve_http_drain: closed by serve_http_stop */
};

/*
 * A body buffer up to this size stays with its connection for the next
 * request; a larger one is freed once its response is sent, so idle
 * connections hold little memory.
 */
#define BODY_KEEP ((size_t)8 * 1024)

/*
 * One connection's request state, made when the connection opens and
 * reused by each request on it, so a request costs no allocation of its
 * own unless its body outgrows the buffer kept from the last one.
 */
struct req {
    double start; /* monotonic seconds */
    double wall;  /* for the log */
    char *body;
    size_t len, cap;
    int too_large; /* past SERVE_MAX_BODY: the rest is dropped, 413 */
    int nomem;     /* the body could not be held: 500 */
    /* The request headers the server reads, found in one pass over them
     * once they are in; NULL when absent.  They live in libmicrohttpd's
     * connection memory until the request completes. */
    const char *content_length, *content_type, *target, *origin, *authorization;
    int active; /* between the first call for a request and its completion */
    int closed; /* the connection closed while active: completion frees it */
};

static double
clock_seconds(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------ */
/* Responses                                                                 */

/* What one response carries besides its status. */
struct reply {
    unsigned status;
    const char *ctype; /* NULL: no Content-Type */
    char *body;
    size_t len;
    void (*release)(void *); /* frees body; NULL for static text */
    const char *operation;   /* for the log */
};

/* @p v in decimal, into @p out (at least 11 bytes). */
static void
format_u32(uint32_t v, char *out)
{
    char digits[10];
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n > 0)
        *out++ = digits[--n];
    *out = '\0';
}

static void
add_common_headers(struct serve_http *h, const struct req *q, struct MHD_Response *resp,
                   const struct reply *r, const char *request_id)
{
    char crc[11];
    format_u32(serve_proto_crc32(r->body, r->len), crc);
    MHD_add_response_header(resp, "x-amzn-RequestId", request_id);
    MHD_add_response_header(resp, "x-amz-crc32", crc);
    if (r->ctype)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype);
    if (q->origin) {
        MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
        MHD_add_response_header(resp, "Access-Control-Expose-Headers",
                                "x-amzn-RequestId,x-amzn-ErrorType,x-amz-crc32,Date");
    }
    if (atomic_load(&h->draining))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
}

static const char *
client_address(struct MHD_Connection *conn, char *buf, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return NULL;
    const struct sockaddr *sa = ci->client_addr;
    const void *addr = sa->sa_family == AF_INET6
                           ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
                           : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;
    return inet_ntop(sa->sa_family, addr, buf, (socklen_t)size);
}

static void
log_reply(struct serve_http *h, struct MHD_Connection *conn, const struct req *q,
          const struct reply *r, const char *request_id)
{
    if (!h->log)
        return;
    char client[INET6_ADDRSTRLEN];
    struct serve_log_entry e = {
        .time = q->wall,
        .client = client_address(conn, client, sizeof client),
        .operation = r->operation,
        .request = q->body,
        .request_len = q->len,
        .response = r->body,
        .response_len = r->len,
        .status = r->status,
        .latency_ms = (clock_seconds(CLOCK_MONOTONIC) - q->start) * 1000,
        .request_id = request_id,
    };
    serve_log_write(h->log, &e);
}

/* Queue @p r; its body is handed over to libmicrohttpd (or freed). */
static enum MHD_Result
send_reply(struct serve_http *h, struct MHD_Connection *conn, const struct req *q, struct reply *r)
{
    char request_id[53];
    serve_proto_request_id(request_id);
    log_reply(h, conn, q, r, request_id);
    struct MHD_Response *resp =
        r->release ? MHD_create_response_from_buffer_with_free_callback(r->len, r->body, r->release)
                   : MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        if (r->release)
            r->release(r->body);
        return MHD_NO;
    }
    add_common_headers(h, q, resp, r, request_id);
    enum MHD_Result ok = MHD_queue_response(conn, r->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result
send_static(struct serve_http *h, struct MHD_Connection *conn, const struct req *q, unsigned status,
            const char *ctype, const char *text)
{
    struct reply r = {status, ctype, (char *)text, strlen(text), NULL, NULL};
    return send_reply(h, conn, q, &r);
}

/* An error of the protocol layer, in DynamoDB's JSON. */
static enum MHD_Result
send_error(struct serve_http *h, struct MHD_Connection *conn, const struct req *q,
           const char *ctype, const char *operation, const char *name, const char *message)
{
    char *body = serve_proto_error_body(SERVE_NS_CORAL, name, message);
    if (!body)
        return send_static(h, conn, q, 500, ctype, serve_proto_internal_error_body);
    struct reply r = {
        serve_proto_is_server_error(name) ? 500 : 400, ctype, body, strlen(body), free, operation};
    return send_reply(h, conn, q, &r);
}

static enum MHD_Result
send_preflight(struct serve_http *h, struct MHD_Connection *conn, const struct req *q)
{
    char request_id[53];
    serve_proto_request_id(request_id);
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    struct reply r = {200, NULL, "", 0, NULL, NULL};
    add_common_headers(h, q, resp, &r, request_id);
    const char *hdrs =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Access-Control-Request-Headers");
    const char *method =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Access-Control-Request-Method");
    if (hdrs)
        MHD_add_response_header(resp, "Access-Control-Allow-Headers", hdrs);
    if (method)
        MHD_add_response_header(resp, "Access-Control-Allow-Methods", method);
    MHD_add_response_header(resp, "Access-Control-Max-Age", "172800");
    log_reply(h, conn, q, &r, request_id);
    enum MHD_Result ok = MHD_queue_response(conn, 200, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* ------------------------------------------------------------------------ */
/* Authentication                                                            */

struct header_list {
    struct sigv4_header *items;
    size_t n, cap;
    int failed;
};

static enum MHD_Result
collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct header_list *l = cls;
    (void)kind;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct sigv4_header *items = realloc(l->items, cap * sizeof *items);
        if (!items) {
            l->failed = 1;
            return MHD_NO;
        }
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = (struct sigv4_header){key, value ? value : ""};
    return MHD_YES;
}

/* Rebuild the raw query string from the (unescaped-off) arguments. */
static enum MHD_Result
collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    char **query = cls;
    (void)kind;
    size_t old = *query ? strlen(*query) : 0;
    size_t n = old + strlen(key) + (value ? strlen(value) + 1 : 0) + 2;
    char *q = realloc(*query, n);
    if (!q)
        return MHD_NO;
    snprintf(q + old, n - old, "%s%s%s%s", old ? "&" : "", key, value ? "=" : "",
             value ? value : "");
    *query = q;
    return MHD_YES;
}

/*
 * SIGV4_OK when the request may proceed.  Without a credentials list any
 * AWS4 signature passes, as with DynamoDB Local; only its absence fails.
 */
static enum sigv4_verdict
authenticate(struct serve_http *h, struct MHD_Connection *conn, const char *url,
             const struct req *q, char **message)
{
    *message = NULL;
    if (!h->creds) {
        struct sigv4_header one = {"Authorization", q->authorization};
        struct sigv4_request req = {.headers = &one, .n_headers = q->authorization ? 1 : 0};
        if (sigv4_has_authorization(&req))
            return SIGV4_OK;
        *message = strdup("Request is missing Authentication Token");
        return *message ? SIGV4_MISSING : SIGV4_NOMEM;
    }
    struct header_list l = {0};
    char *query = NULL;
    enum sigv4_verdict v = SIGV4_NOMEM;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &l);
    if (!l.failed) {
        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &query);
        struct sigv4_request req = {"POST", url, query, l.items, l.n, q->body, q->len};
        v = sigv4_verify(&req, "dynamodb", time(NULL), serve_creds_lookup, (void *)h->creds,
                         message);
    }
    free(l.items);
    free(query);
    return v;
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                  */

static enum MHD_Result
run_operation(struct serve_http *h, struct MHD_Connection *conn, const struct req *q,
              const char *url, const char *op, enum serve_ctype t)
{
    const char *ctype = serve_proto_response_ctype(t);
    char *message;
    enum sigv4_verdict v = authenticate(h, conn, url, q, &message);
    if (v != SIGV4_OK) {
        enum MHD_Result ok = send_error(h, conn, q, ctype, op, sigv4_verdict_name(v),
                                        v == SIGV4_NOMEM ? "Internal server error" : message);
        free(message);
        return ok;
    }
    char *body = NULL;
    kv_status st = kv_request(h->db, op, q->body ? q->body : "", q->len, &body);
    if (!body)
        return send_static(h, conn, q, 500, ctype, serve_proto_internal_error_body);
    struct reply r = {serve_proto_http_status(st), ctype, body, strlen(body), kv_free, op};
    return send_reply(h, conn, q, &r);
}

static enum MHD_Result
finish_request(struct serve_http *h, struct MHD_Connection *conn, const struct req *q,
               const char *url, const char *method)
{
    if (q->too_large)
        return send_static(h, conn, q, 413, NULL, "");
    if (q->nomem)
        return send_static(h, conn, q, 500, "application/x-amz-json-1.0",
                           serve_proto_internal_error_body);
    struct serve_in in = {
        .method = method,
        .path = url,
        .content_type = q->content_type,
        .target = q->target,
        .origin = q->origin,
        .body_len = q->len,
    };
    enum serve_ctype t = serve_proto_ctype(q->content_type);
    const char *op;
    switch (serve_proto_route(&in, &op)) {
    case ROUTE_HEALTH:
        return send_static(h, conn, q, 200, "text/plain", "healthy: kv serve\n");
    case ROUTE_PREFLIGHT:
        return send_preflight(h, conn, q);
    case ROUTE_NOT_FOUND:
        return send_static(h, conn, q, 404, NULL, SERVE_NOT_FOUND_BODY);
    case ROUTE_UNKNOWN_OPERATION:
        return send_error(h, conn, q, serve_proto_response_ctype(t), NULL,
                          "UnknownOperationException", NULL);
    case ROUTE_OPERATION:
        break;
    }
    return run_operation(h, conn, q, url, op, t);
}

/* Append a piece of body; past the limit, keep reading but drop it. */
static void
take_body(struct req *q, const char *data, size_t n)
{
    if (q->too_large || q->nomem || n > SERVE_MAX_BODY - q->len) {
        q->too_large = !q->nomem;
        return;
    }
    if (q->len + n + 1 > q->cap) {
        size_t cap = q->cap ? q->cap : 4096;
        while (cap < q->len + n + 1)
            cap *= 2;
        char *body = realloc(q->body, cap);
        if (!body) {
            q->nomem = 1;
            return;
        }
        q->body = body;
        q->cap = cap;
    }
    memcpy(q->body + q->len, data, n);
    q->len += n;
    q->body[q->len] = '\0';
}

/* Note the headers the server reads; the first of each name counts. */
static enum MHD_Result
note_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct req *q = cls;
    const char **slot = NULL;
    (void)kind;
    switch (key[0]) {
    case 'A':
    case 'a':
        if (strcasecmp(key, "Authorization") == 0)
            slot = &q->authorization;
        break;
    case 'C':
    case 'c':
        if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_TYPE) == 0)
            slot = &q->content_type;
        else if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
            slot = &q->content_length;
        break;
    case 'O':
    case 'o':
        if (strcasecmp(key, "Origin") == 0)
            slot = &q->origin;
        break;
    case 'X':
    case 'x':
        if (strcasecmp(key, "X-Amz-Target") == 0)
            slot = &q->target;
        break;
    }
    if (slot && !*slot)
        *slot = value;
    return MHD_YES;
}

/* First call for a request: its headers are in, its body is not. */
static enum MHD_Result
begin_request(struct serve_http *h, struct MHD_Connection *conn, void **con_cls)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct req *q = ci ? ci->socket_context : NULL;
    if (!q)
        return MHD_NO; /* its state could not be made when it opened */
    char *body = q->body;
    size_t cap = q->cap;
    *q = (struct req){.body = body, .cap = cap, .active = 1};
    q->start = clock_seconds(CLOCK_MONOTONIC);
    if (h->log)
        q->wall = clock_seconds(CLOCK_REALTIME);
    *con_cls = q;
    atomic_fetch_add(&h->in_flight, 1);
    MHD_get_connection_values(conn, MHD_HEADER_KIND, note_header, q);
    const char *cl = q->content_length;
    if (cl && strtoull(cl, NULL, 10) > SERVE_MAX_BODY)
        return send_static(h, conn, q, 413, NULL, "");
    if (cl) {
        size_t n = (size_t)strtoull(cl, NULL, 10);
        if (n + 1 > q->cap) {
            free(q->body);
            q->body = malloc(n + 1);
            q->cap = q->body ? n + 1 : 0;
        }
    }
    return MHD_YES;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
    struct serve_http *h = cls;
    struct req *q = *con_cls;
    (void)version;
    if (!q)
        return begin_request(h, conn, con_cls);
    if (*upload_size) {
        take_body(q, upload_data, *upload_size);
        *upload_size = 0;
        if (clock_seconds(CLOCK_MONOTONIC) - q->start > h->timeout)
            return MHD_NO;
        return MHD_YES;
    }
    return finish_request(h, conn, q, url, method);
}

static void
free_req(struct req *q)
{
    free(q->body);
    free(q);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode code)
{
    struct serve_http *h = cls;
    struct req *q = *con_cls;
    (void)conn;
    (void)code;
    if (!q)
        return;
    *con_cls = NULL;
    q->active = 0;
    atomic_fetch_sub(&h->in_flight, 1);
    if (q->closed) {
        free_req(q);
        return;
    }
    if (q->cap > BODY_KEEP) {
        free(q->body);
        q->body = NULL;
        q->cap = 0;
    }
}

/* A connection's request state lives from its opening to its closing. */
static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
              enum MHD_ConnectionNotificationCode code)
{
    struct req *q = *socket_context;
    (void)cls;
    (void)conn;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        *socket_context = calloc(1, sizeof *q);
        return;
    }
    *socket_context = NULL;
    if (!q)
        return;
    if (q->active)
        q->closed = 1; /* its completion, still to come, frees it */
    else
        free_req(q);
}

/*
 * Keep the request-target as it came: SigV4 signs the percent-encoded
 * path, and the server has no use for a decoded one.
 */
static size_t
keep_escaped(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return strlen(s);
}

static void log_mhd_error(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
log_mhd_error(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("kv serve: ", stderr);
    vfprintf(stderr, fmt, ap);
}

/* ------------------------------------------------------------------------ */
/* Lifecycle                                                                 */

struct serve_http *
serve_http_start(const struct serve_http_opts *o, char *err, size_t errlen)
{
    struct serve_http *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    h->db = o->db;
    h->creds = o->creds;
    h->log = o->log;
    h->timeout = o->timeout;
    h->listener = MHD_INVALID_SOCKET;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | (o->addr->sa_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    h->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER, log_mhd_error, NULL,
        MHD_OPTION_SOCK_ADDR, o->addr, MHD_OPTION_THREAD_POOL_SIZE, o->threads,
        MHD_OPTION_CONNECTION_TIMEOUT, o->timeout, MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
        MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, NULL, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONNECTION_MEMORY, MHD_OPTION_END);
    if (!h->daemon) {
        snprintf(err, errlen, "cannot listen on the address given (in use, or not local?)");
        free(h);
        return NULL;
    }
    return h;
}

unsigned
serve_http_port(const struct serve_http *h)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

void
serve_http_drain(struct serve_http *h)
{
    atomic_store(&h->draining, 1);
    MHD_socket fd = MHD_quiesce_daemon(h->daemon);
    if (fd == MHD_INVALID_SOCKET)
        return;
    /* New connections are refused from now on, but the descriptor stays
     * open until the daemon stops: libmicrohttpd's threads may still
     * touch it, and one that meets a closed descriptor aborts. */
    shutdown(fd, SHUT_RDWR);
    h->listener = fd;
}

unsigned
serve_http_in_flight(const struct serve_http *h)
{
    return atomic_load(&((struct serve_http *)h)->in_flight);
}

void
serve_http_stop(struct serve_http *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->daemon);
    if (h->listener != MHD_INVALID_SOCKET)
        close(h->listener);
    free(h);
}
