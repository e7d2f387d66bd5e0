/*
 * serve_proto.c -- the decisions of DynamoDB's HTTP face.
 *
 * DynamoDB serves one resource: POST / with a JSON body, the operation
 * named by X-Amz-Target.  What it answers to anything else was observed
 * on the live service and is mirrored here: a body in a content type
 * other than application/x-amz-json-1.0 or application/json (including
 * the 1.1 flavour other AWS services use) and any method but POST get a
 * bare 404 with "<UnknownOperationException/>"; a missing or foreign
 * target gets a 400 UnknownOperationException without a message; GET /
 * (and HEAD /) answers a health check; a browser's CORS preflight is allowed.
 *
 * Everything past the target is the library's: the server hands the
 * operation name and the body to kv_request unchanged, so operations added
 * to the library are served without a change here.
 */
#include "serve_proto.h"

#include <jansson.h>
#include <zlib.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

const char serve_proto_internal_error_body[] =
    "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\","
    "\"message\":\"Internal server error\"}";

enum serve_ctype
serve_proto_ctype(const char *header)
{
    if (!header)
        return CTYPE_NONE;
    while (*header == ' ' || *header == '\t')
        header++;
    size_t n = strcspn(header, ";");
    while (n > 0 && (header[n - 1] == ' ' || header[n - 1] == '\t'))
        n--;
    static const char amz[] = "application/x-amz-json-1.0", json[] = "application/json";
    if (n == sizeof amz - 1 && strncasecmp(header, amz, n) == 0)
        return CTYPE_AMZ_JSON;
    if (n == sizeof json - 1 && strncasecmp(header, json, n) == 0)
        return CTYPE_JSON;
    return CTYPE_OTHER;
}

const char *
serve_proto_response_ctype(enum serve_ctype t)
{
    return t == CTYPE_JSON ? "application/json" : "application/x-amz-json-1.0";
}

enum serve_route
serve_proto_route(const struct serve_in *in, const char **op)
{
    *op = NULL;
    if (strcmp(in->method, "OPTIONS") == 0 && in->origin)
        return ROUTE_PREFLIGHT;
    if ((strcmp(in->method, "GET") == 0 || strcmp(in->method, "HEAD") == 0) &&
        strcmp(in->path, "/") == 0)
        return ROUTE_HEALTH;
    if (strcmp(in->method, "POST") != 0)
        return ROUTE_NOT_FOUND;
    enum serve_ctype t = serve_proto_ctype(in->content_type);
    if (in->body_len > 0 && t != CTYPE_AMZ_JSON && t != CTYPE_JSON)
        return ROUTE_NOT_FOUND;
    const size_t plen = sizeof SERVE_TARGET_PREFIX - 1;
    if (!in->target || strncmp(in->target, SERVE_TARGET_PREFIX, plen) != 0)
        return ROUTE_UNKNOWN_OPERATION;
    const char *name = in->target + plen;
    if (!*name || strchr(name, '.'))
        return ROUTE_UNKNOWN_OPERATION;
    *op = name;
    return ROUTE_OPERATION;
}

int
serve_proto_is_server_error(const char *exception)
{
    return strcmp(exception, "InternalServerError") == 0 ||
           strcmp(exception, "ServiceUnavailable") == 0;
}

unsigned
serve_proto_http_status(kv_status st)
{
    if (st == KV_OK)
        return 200;
    /* Decided by name, so statuses added to the library later map too. */
    return serve_proto_is_server_error(kv_status_name(st)) ? 500 : 400;
}

char *
serve_proto_error_body(const char *ns, const char *name, const char *message)
{
    size_t n = strlen(ns) + strlen(name) + 2;
    char *type = malloc(n);
    if (!type)
        return NULL;
    snprintf(type, n, "%s#%s", ns, name);
    json_t *body = message ? json_pack("{s:s, s:s}", "__type", type, "message", message)
                           : json_pack("{s:s}", "__type", type);
    free(type);
    if (!body)
        return NULL;
    char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(body);
    return text;
}

/*
 * Request ids only need to be unique, not secret: a per-thread
 * xorshift64* generator seeded from the kernel keeps this off any lock.
 */
static _Thread_local uint64_t rng_state;

static uint64_t
rng_next(void)
{
    if (rng_state == 0) {
        if (getrandom(&rng_state, sizeof rng_state, 0) != sizeof rng_state)
            rng_state = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)&rng_state;
        rng_state |= 1;
    }
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

void
serve_proto_request_id(char out[53])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    uint64_t r = 0;
    /* A random byte scaled to 0..35 per character, eight to a draw: the
     * few characters that come up once more in 256 matter nothing in an
     * identifier, and there is no division per character. */
    for (int i = 0; i < 52; i++) {
        if (i % 8 == 0)
            r = rng_next();
        out[i] = alphabet[((r & 0xff) * 36) >> 8];
        r >>= 8;
    }
    out[52] = '\0';
}

uint32_t
serve_proto_crc32(const void *data, size_t len)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    const Bytef *p = data;
    /* zlib takes a uInt length; feed very large bodies in pieces. */
    while (len > 0) {
        uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;
        crc = crc32(crc, p, n);
        p += n;
        len -= n;
    }
    return (uint32_t)crc;
}
