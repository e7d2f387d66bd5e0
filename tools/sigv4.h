/*
 * sigv4.h -- checking AWS Signature Version 4 on a received request.
 *
 * A server sees the request as it came off the wire: method, path and
 * query still percent-encoded, headers in arrival order, and the body.
 * sigv4_verify rebuilds the canonical request and the string to sign from
 * that, derives the signing key from the secret of the access key named in
 * the Authorization header, and compares signatures in constant time.
 *
 * The failures are DynamoDB's, with its exception names and messages:
 * MissingAuthenticationTokenException, IncompleteSignatureException,
 * InvalidSignatureException and UnrecognizedClientException, all sent with
 * HTTP 400.  The HTTP server decides whether to call this at all and turns
 * a verdict into a response; this module knows nothing of HTTP libraries
 * and does no I/O.  Hashes and HMACs come from Nettle.
 */
#ifndef KV_SIGV4_H
#define KV_SIGV4_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Lower-case hex of a SHA-256 digest, plus the NUL. */
#define SIGV4_HEX_SIZE 65

/* How far a request's date may be from the server's clock, in seconds. */
#define SIGV4_MAX_SKEW (15 * 60)

struct sigv4_header {
    const char *name;  /* any case */
    const char *value; /* as received */
};

/* A request as the server received it. */
struct sigv4_request {
    const char *method;
    const char *path;  /* request-target before '?', still percent-encoded */
    const char *query; /* after '?', or NULL */
    const struct sigv4_header *headers;
    size_t n_headers;
    const void *body;
    size_t body_len;
};

enum sigv4_verdict {
    SIGV4_OK = 0,
    SIGV4_MISSING,      /* MissingAuthenticationTokenException */
    SIGV4_INCOMPLETE,   /* IncompleteSignatureException */
    SIGV4_INVALID,      /* InvalidSignatureException */
    SIGV4_UNRECOGNIZED, /* UnrecognizedClientException */
    SIGV4_NOMEM,        /* out of memory: the server answers 500 */
};

/* The exception name of a verdict ("" for SIGV4_OK). */
const char *sigv4_verdict_name(enum sigv4_verdict v);

/* Returns the secret of access key @p akid, or NULL when it is unknown. */
typedef const char *(*sigv4_lookup_fn)(void *ctx, const char *akid);

/*
 * Check the request's signature for @p service (e.g. "dynamodb") at time
 * @p now.  On any verdict but SIGV4_OK (and SIGV4_NOMEM), *message gets
 * DynamoDB's message for it, to free with free(); otherwise NULL.
 */
enum sigv4_verdict sigv4_verify(const struct sigv4_request *req, const char *service, time_t now,
                                sigv4_lookup_fn lookup, void *ctx, char **message);

/*
 * Whether the request carries an Authorization header of the AWS4 family
 * at all: the only check made when the server has no credentials list.
 */
int sigv4_has_authorization(const struct sigv4_request *req);

/*
 * The steps, exposed for tests against AWS's published vectors.  Strings
 * returned are malloc'd (free with free()), NULL when out of memory.
 */

/* The canonical request; @p signed_headers is "host;x-amz-date" style. */
char *sigv4_canonical_request(const struct sigv4_request *req, const char *signed_headers,
                              const char *payload_hash);

/* "AWS4-HMAC-SHA256\n<date>\n<scope>\n<hex sha256 of canonical request>". */
char *sigv4_string_to_sign(const char *amz_date, const char *scope, const char *canonical);

/* The key derived from a secret for one day, region and service. */
void sigv4_signing_key(const char *secret, const char *day, const char *region, const char *service,
                       uint8_t key[32]);

/* Hex HMAC-SHA256 of @p string_to_sign under @p key. */
void sigv4_signature(const uint8_t key[32], const char *string_to_sign, char hex[SIGV4_HEX_SIZE]);

/* Hex SHA-256 of a buffer. */
void sigv4_sha256_hex(const void *data, size_t len, char hex[SIGV4_HEX_SIZE]);

#endif
