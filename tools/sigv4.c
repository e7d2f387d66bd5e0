/*
 * sigv4.c -- AWS Signature Version 4, checked on the receiving side.
 *
 * The steps follow AWS's description of signing, run backwards: rebuild
 * the canonical request from what arrived, hash it into the string to
 * sign, derive the day's key from the secret and compare the HMAC with
 * the signature sent.  The checks before that come in the order DynamoDB
 * makes them, so a request with several faults gets the error DynamoDB
 * would give: presence of the header and its parts, the date and clock
 * skew, Host being signed, the algorithm, the shape of the credential,
 * its scope, the access key, and last the signature itself.
 *
 * Two details decide whether a correct signature matches:
 *   - the path is canonicalised from the request-target as sent, still
 *     percent-encoded, and encoded once more, as the SDKs do for every
 *     service but S3;
 *   - the payload hash is always computed from the body received, never
 *     taken from X-Amz-Content-Sha256, so a changed body cannot ride on a
 *     header that still describes the original.
 */
#include "sigv4.h"

#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ALGORITHM "AWS4-HMAC-SHA256"
#define TERMINATOR "aws4_request"

/* ------------------------------------------------------------------------ */
/* A growable string; the first allocation failure sticks.                  */

struct sb {
    char *s;
    size_t len, cap;
    int failed;
};

static int
sb_reserve(struct sb *b, size_t more)
{
    if (b->failed)
        return -1;
    if (b->len + more + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->failed = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

static void
sb_putn(struct sb *b, const char *s, size_t n)
{
    if (sb_reserve(b, n))
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void
sb_puts(struct sb *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

static void
sb_putc(struct sb *b, char c)
{
    sb_putn(b, &c, 1);
}

static void sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || sb_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* The string built, or NULL if any step ran out of memory. */
static char *
sb_take(struct sb *b)
{
    if (b->failed) {
        free(b->s);
        return NULL;
    }
    if (!b->s)
        return strdup("");
    return b->s;
}

/* ------------------------------------------------------------------------ */
/* Hashing                                                                   */

static void
to_hex(const uint8_t *bytes, size_t n, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        hex[2 * i] = digits[bytes[i] >> 4];
        hex[2 * i + 1] = digits[bytes[i] & 15];
    }
    hex[2 * n] = '\0';
}

void
sigv4_sha256_hex(const void *data, size_t len, char hex[SIGV4_HEX_SIZE])
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, sizeof digest, digest);
    to_hex(digest, sizeof digest, hex);
}

static void
hmac(const uint8_t *key, size_t key_len, const char *msg, uint8_t out[SHA256_DIGEST_SIZE])
{
    struct hmac_sha256_ctx ctx;
    hmac_sha256_set_key(&ctx, key_len, key);
    hmac_sha256_update(&ctx, strlen(msg), (const uint8_t *)msg);
    hmac_sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

void
sigv4_signing_key(const char *secret, const char *day, const char *region, const char *service,
                  uint8_t key[32])
{
    size_t n = strlen(secret) + 4;
    uint8_t *k0 = malloc(n);
    uint8_t k[SHA256_DIGEST_SIZE];
    if (!k0) {
        /* Unreachable in practice; a zero key simply never matches. */
        memset(key, 0, 32);
        return;
    }
    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, secret, n - 4);
    hmac(k0, n, day, k);
    hmac(k, sizeof k, region, k);
    hmac(k, sizeof k, service, k);
    hmac(k, sizeof k, TERMINATOR, key);
    memset(k0, 0, n);
    free(k0);
}

void
sigv4_signature(const uint8_t key[32], const char *string_to_sign, char hex[SIGV4_HEX_SIZE])
{
    uint8_t mac[SHA256_DIGEST_SIZE];
    hmac(key, 32, string_to_sign, mac);
    to_hex(mac, sizeof mac, hex);
}

/* ------------------------------------------------------------------------ */
/* The canonical request                                                     */

static int
is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

/* Percent-encode every byte but the unreserved ones (and '/' if asked). */
static void
sb_uri_encode(struct sb *b, const char *s, size_t n, int keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            sb_putc(b, (char)c);
        } else {
            char esc[3] = {'%', digits[c >> 4], digits[c & 15]};
            sb_putn(b, esc, 3);
        }
    }
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode %XX escapes in place; returns the new length. */
static size_t
uri_decode(char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = hex_value(s[i + 1])) >= 0 &&
            (lo = hex_value(s[i + 2])) >= 0) {
            s[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            s[o++] = s[i];
        }
    }
    return o;
}

/*
 * The path with "." and ".." segments resolved and empty segments
 * dropped (RFC 3986 section 5.2.4, as the SDKs normalise for every
 * service but S3), then percent-encoded, so that an escape already in
 * the path is encoded a second time.
 */
static void
canonical_path(struct sb *b, const char *path)
{
    size_t n = path ? strlen(path) : 0;
    char *out = malloc(n + 2);
    if (!out) {
        b->failed = 1;
        return;
    }
    size_t len = 0;
    const char *p = path ? path : "";
    while (*p) {
        while (*p == '/')
            p++;
        size_t seg = strcspn(p, "/");
        if (seg == 0 || (seg == 1 && p[0] == '.')) {
            /* empty or "." */
        } else if (seg == 2 && p[0] == '.' && p[1] == '.') {
            while (len > 0 && out[--len] != '/')
                ;
        } else {
            out[len++] = '/';
            memcpy(out + len, p, seg);
            len += seg;
        }
        p += seg;
    }
    if (len == 0 || (n > 1 && path[n - 1] == '/'))
        out[len++] = '/';
    sb_uri_encode(b, out, len, 1);
    free(out);
}

struct qparam {
    char *key, *value; /* canonical (encoded) forms */
};

static int
qparam_cmp(const void *a, const void *b)
{
    const struct qparam *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->value, y->value);
}

/* One "k=v" piece, decoded and encoded again so every client agrees. */
static char *
encode_component(const char *s, size_t n)
{
    char *raw = strndup(s, n);
    if (!raw)
        return NULL;
    size_t len = uri_decode(raw, n);
    struct sb b = {0};
    sb_uri_encode(&b, raw, len, 0);
    free(raw);
    return sb_take(&b);
}

/* Parameters sorted by encoded name, then value, joined with '&'. */
static void
canonical_query(struct sb *b, const char *query)
{
    if (!query || !*query)
        return;
    size_t max = 1;
    for (const char *p = query; *p; p++)
        max += *p == '&';
    struct qparam *ps = calloc(max, sizeof *ps);
    size_t n = 0;
    if (!ps) {
        b->failed = 1;
        return;
    }
    for (const char *p = query; *p;) {
        size_t len = strcspn(p, "&");
        if (len > 0) {
            const char *eq = memchr(p, '=', len);
            size_t klen = eq ? (size_t)(eq - p) : len;
            ps[n].key = encode_component(p, klen);
            ps[n].value = eq ? encode_component(eq + 1, len - klen - 1) : strdup("");
            if (!ps[n].key || !ps[n].value)
                b->failed = 1;
            n++;
        }
        p += len;
        if (*p == '&')
            p++;
    }
    if (!b->failed) {
        qsort(ps, n, sizeof *ps, qparam_cmp);
        for (size_t i = 0; i < n; i++)
            sb_printf(b, "%s%s=%s", i ? "&" : "", ps[i].key, ps[i].value);
    }
    for (size_t i = 0; i < n; i++) {
        free(ps[i].key);
        free(ps[i].value);
    }
    free(ps);
}

/* A header value trimmed, with runs of spaces inside it made single. */
static void
sb_header_value(struct sb *b, const char *v)
{
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strlen(v);
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    for (size_t i = 0; i < n; i++) {
        int space = v[i] == ' ' || v[i] == '\t';
        if (space && i > 0 && (v[i - 1] == ' ' || v[i - 1] == '\t'))
            continue;
        sb_putc(b, space ? ' ' : v[i]);
    }
}

/* "name:v1,v2\n" for each signed header, values in arrival order. */
static void
canonical_headers(struct sb *b, const struct sigv4_request *req, const char *signed_headers)
{
    for (const char *p = signed_headers; *p;) {
        size_t len = strcspn(p, ";");
        sb_putn(b, p, len);
        sb_putc(b, ':');
        int first = 1;
        for (size_t i = 0; i < req->n_headers; i++) {
            const char *name = req->headers[i].name;
            if (strlen(name) != len || strncasecmp(name, p, len) != 0)
                continue;
            if (!first)
                sb_putc(b, ',');
            sb_header_value(b, req->headers[i].value);
            first = 0;
        }
        sb_putc(b, '\n');
        p += len;
        if (*p == ';')
            p++;
    }
}

char *
sigv4_canonical_request(const struct sigv4_request *req, const char *signed_headers,
                        const char *payload_hash)
{
    struct sb b = {0};
    sb_puts(&b, req->method);
    sb_putc(&b, '\n');
    canonical_path(&b, req->path);
    sb_putc(&b, '\n');
    canonical_query(&b, req->query);
    sb_putc(&b, '\n');
    canonical_headers(&b, req, signed_headers);
    sb_putc(&b, '\n');
    sb_puts(&b, signed_headers);
    sb_putc(&b, '\n');
    sb_puts(&b, payload_hash);
    return sb_take(&b);
}

char *
sigv4_string_to_sign(const char *amz_date, const char *scope, const char *canonical)
{
    char hash[SIGV4_HEX_SIZE];
    sigv4_sha256_hex(canonical, strlen(canonical), hash);
    struct sb b = {0};
    sb_printf(&b, ALGORITHM "\n%s\n%s\n%s", amz_date, scope, hash);
    return sb_take(&b);
}

/* ------------------------------------------------------------------------ */
/* Checking                                                                  */

const char *
sigv4_verdict_name(enum sigv4_verdict v)
{
    switch (v) {
    case SIGV4_OK:
        return "";
    case SIGV4_MISSING:
        return "MissingAuthenticationTokenException";
    case SIGV4_INCOMPLETE:
        return "IncompleteSignatureException";
    case SIGV4_INVALID:
        return "InvalidSignatureException";
    case SIGV4_UNRECOGNIZED:
        return "UnrecognizedClientException";
    case SIGV4_NOMEM:
        return "InternalServerError";
    }
    return "InternalServerError";
}

static const char *
find_header(const struct sigv4_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++)
        if (strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    return NULL;
}

int
sigv4_has_authorization(const struct sigv4_request *req)
{
    const char *auth = find_header(req, "authorization");
    if (!auth)
        return 0;
    while (*auth == ' ' || *auth == '\t')
        auth++;
    return strncmp(auth, "AWS4-", 5) == 0;
}

/* Everything one check needs, parsed once. */
struct check {
    const struct sigv4_request *req;
    const char *header; /* Authorization as received */
    char *copy;         /* its parts, split in place */
    const char *algorithm, *credential, *signed_headers, *signature;
    char *scope_copy; /* the credential, split at '/' */
    const char *akid, *day, *region, *service, *terminator;
    char amz_date[17]; /* the request's time in ISO 8601 basic format */
    const char *date_text;
    time_t when;
    struct sb msg;
};

static char *
trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* Split "ALGO k=v, k=v, ..." into its parts. */
static int
parse_authorization(struct check *c)
{
    c->copy = strdup(c->header);
    if (!c->copy)
        return -1;
    char *p = trim(c->copy);
    size_t alen = strcspn(p, " \t");
    c->algorithm = p;
    p += alen;
    if (*p)
        *p++ = '\0';
    for (char *save = NULL, *tok = strtok_r(p, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq)
            continue;
        *eq = '\0';
        char *key = trim(tok), *value = trim(eq + 1);
        if (strcmp(key, "Credential") == 0)
            c->credential = value;
        else if (strcmp(key, "SignedHeaders") == 0)
            c->signed_headers = value;
        else if (strcmp(key, "Signature") == 0)
            c->signature = value;
    }
    return 0;
}

static int
parse_basic_date(const char *s, time_t *out)
{
    if (strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
        return -1;
    for (int i = 0; i < 15; i++)
        if (i != 8 && (s[i] < '0' || s[i] > '9'))
            return -1;
    struct tm tm = {0};
    if (sscanf(s, "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = timegm(&tm);
    return 0;
}

static void
format_basic_date(time_t t, char out[17])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* X-Amz-Date, or else an HTTP Date header, as a time and basic-format text. */
static enum sigv4_verdict
check_date(struct check *c, time_t now)
{
    const char *amz = find_header(c->req, "x-amz-date");
    const char *http = amz ? NULL : find_header(c->req, "date");
    c->date_text = amz ? amz : http;
    int bad;
    if (amz) {
        bad = parse_basic_date(amz, &c->when);
    } else {
        struct tm tm = {0};
        const char *end = strptime(http, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        bad = !end || *end;
        if (!bad)
            c->when = timegm(&tm);
    }
    if (bad) {
        sb_printf(&c->msg,
                  "Date must be in ISO-8601 'basic format'. Got '%s'. "
                  "See http://en.wikipedia.org/wiki/ISO_8601",
                  c->date_text);
        return SIGV4_INCOMPLETE;
    }
    format_basic_date(c->when, c->amz_date);
    char now_text[17], edge[17];
    format_basic_date(now, now_text);
    if (c->when < now - SIGV4_MAX_SKEW) {
        format_basic_date(now - SIGV4_MAX_SKEW, edge);
        sb_printf(&c->msg, "Signature expired: %s is now earlier than %s (%s - 15 min.)",
                  c->amz_date, edge, now_text);
        return SIGV4_INVALID;
    }
    if (c->when > now + SIGV4_MAX_SKEW) {
        format_basic_date(now + SIGV4_MAX_SKEW, edge);
        sb_printf(&c->msg, "Signature not yet current: %s is still later than %s (%s + 15 min.)",
                  c->amz_date, edge, now_text);
        return SIGV4_INVALID;
    }
    return SIGV4_OK;
}

/* The parameters DynamoDB insists on, all reported at once. */
static enum sigv4_verdict
check_parts(struct check *c)
{
    static const char *const names[] = {"Credential", "Signature", "SignedHeaders"};
    const char *values[] = {c->credential, c->signature, c->signed_headers};
    for (int i = 0; i < 3; i++)
        if (!values[i] || !*values[i])
            sb_printf(&c->msg, "Authorization header requires '%s' parameter. ", names[i]);
    if (!find_header(c->req, "x-amz-date") && !find_header(c->req, "date"))
        sb_puts(&c->msg, "Authorization header requires existence of either a 'X-Amz-Date' or "
                         "a 'Date' header. ");
    if (c->msg.len == 0)
        return SIGV4_OK;
    sb_printf(&c->msg, "Authorization=%s", c->header);
    return SIGV4_INCOMPLETE;
}

static int
host_is_signed(const char *signed_headers)
{
    for (const char *p = signed_headers; *p;) {
        size_t len = strcspn(p, ";");
        if (len == 4 && strncasecmp(p, "host", 4) == 0)
            return 1;
        p += len;
        if (*p == ';')
            p++;
    }
    return 0;
}

/* "keyid/day/region/service/aws4_request" (trailing slashes ignored). */
static enum sigv4_verdict
check_credential(struct check *c)
{
    c->scope_copy = strdup(c->credential);
    if (!c->scope_copy)
        return SIGV4_NOMEM;
    size_t n = strlen(c->scope_copy);
    while (n > 0 && c->scope_copy[n - 1] == '/')
        c->scope_copy[--n] = '\0';
    const char *parts[6] = {0};
    int count = 0;
    for (char *p = c->scope_copy; count < 6;) {
        parts[count++] = p;
        char *slash = strchr(p, '/');
        if (!slash)
            break;
        *slash = '\0';
        p = slash + 1;
    }
    if (count != 5) {
        sb_printf(&c->msg,
                  "Credential must have exactly 5 slash-delimited elements, e.g. "
                  "keyid/date/region/service/term, got '%s'",
                  c->credential);
        return SIGV4_INCOMPLETE;
    }
    c->akid = parts[0];
    c->day = parts[1];
    c->region = parts[2];
    c->service = parts[3];
    c->terminator = parts[4];
    return SIGV4_OK;
}

static enum sigv4_verdict
check_scope(struct check *c, const char *service)
{
    if (!*c->region)
        sb_printf(&c->msg, "Credential should be scoped to a valid region, not '%s'. ", c->region);
    if (strcmp(c->service, service) != 0)
        sb_printf(&c->msg, "Credential should be scoped to correct service: '%s'. ", service);
    if (strcmp(c->terminator, TERMINATOR) != 0)
        sb_printf(&c->msg,
                  "Credential should be scoped with a valid terminator: '" TERMINATOR
                  "', not '%s'. ",
                  c->terminator);
    if (strncmp(c->day, c->amz_date, 8) != 0 || strlen(c->day) != 8)
        sb_printf(&c->msg,
                  "Date in Credential scope does not match YYYYMMDD from ISO-8601 version "
                  "of date from HTTP: '%s' != '%.8s', from '%s'.",
                  c->day, c->amz_date, c->date_text);
    return c->msg.len ? SIGV4_INVALID : SIGV4_OK;
}

/*
 * The HMAC keyed with the signing key of the last secret and scope this
 * thread verified a request for.  A client signs with one key all day, and
 * deriving it costs four HMACs and keying the fifth two more SHA-256
 * blocks: over half of what checking a small request's signature costs.
 * Per thread, so no lock; secrets and scopes longer than the slots are
 * simply not kept.
 */
#define SIGNER_TEXT 160

struct signer_cache {
    int valid;
    char secret[SIGNER_TEXT];
    char scope[SIGNER_TEXT];
    struct hmac_sha256_ctx hmac;
};

static _Thread_local struct signer_cache signer_cache;

/* The HMAC to sign with, keyed for @p secret and @p scope. */
static void
signer_for(struct check *c, const char *secret, const char *scope, struct hmac_sha256_ctx *out)
{
    struct signer_cache *k = &signer_cache;
    if (k->valid && strcmp(k->secret, secret) == 0 && strcmp(k->scope, scope) == 0) {
        *out = k->hmac;
        return;
    }
    uint8_t key[32];
    sigv4_signing_key(secret, c->day, c->region, c->service, key);
    hmac_sha256_set_key(out, sizeof key, key);
    memset(key, 0, sizeof key);
    k->valid = strlen(secret) < sizeof k->secret && strlen(scope) < sizeof k->scope;
    if (k->valid) {
        strcpy(k->secret, secret);
        strcpy(k->scope, scope);
        k->hmac = *out;
    }
}

/* Recompute the signature with @p secret and compare. */
static enum sigv4_verdict
check_signature(struct check *c, const char *secret)
{
    char payload[SIGV4_HEX_SIZE], sig[SIGV4_HEX_SIZE];
    sigv4_sha256_hex(c->req->body ? c->req->body : "", c->req->body_len, payload);
    char scope[256];
    snprintf(scope, sizeof scope, "%s/%s/%s/" TERMINATOR, c->day, c->region, c->service);
    char *canonical = sigv4_canonical_request(c->req, c->signed_headers, payload);
    char *sts = canonical ? sigv4_string_to_sign(c->amz_date, scope, canonical) : NULL;
    enum sigv4_verdict v = SIGV4_NOMEM;
    if (sts) {
        struct hmac_sha256_ctx signer;
        uint8_t mac[SHA256_DIGEST_SIZE];
        signer_for(c, secret, scope, &signer);
        hmac_sha256_update(&signer, strlen(sts), (const uint8_t *)sts);
        hmac_sha256_digest(&signer, sizeof mac, mac);
        to_hex(mac, sizeof mac, sig);
        v = strlen(c->signature) == SIGV4_HEX_SIZE - 1 &&
                    memeql_sec(sig, c->signature, SIGV4_HEX_SIZE - 1)
                ? SIGV4_OK
                : SIGV4_INVALID;
        if (v == SIGV4_INVALID)
            sb_printf(&c->msg,
                      "The request signature we calculated does not match the signature you "
                      "provided. Check your AWS Secret Access Key and signing method. Consult "
                      "the service documentation for details.\n\nThe Canonical String for this "
                      "request should have been\n'%s'\n\nThe String-to-Sign should have "
                      "been\n'%s'\n",
                      canonical, sts);
    }
    free(canonical);
    free(sts);
    return v;
}

static enum sigv4_verdict
run_checks(struct check *c, const char *service, time_t now, sigv4_lookup_fn lookup, void *ctx)
{
    enum sigv4_verdict v;
    if (parse_authorization(c))
        return SIGV4_NOMEM;
    if ((v = check_parts(c)) || (v = check_date(c, now)))
        return v;
    if (!host_is_signed(c->signed_headers)) {
        sb_puts(&c->msg, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
        return SIGV4_INVALID;
    }
    if (strcmp(c->algorithm, ALGORITHM) != 0) {
        sb_printf(&c->msg, "Unsupported AWS 'algorithm': '%s' (only " ALGORITHM " for now). ",
                  c->algorithm);
        return SIGV4_INCOMPLETE;
    }
    if ((v = check_credential(c)) || (v = check_scope(c, service)))
        return v;
    const char *secret = lookup(ctx, c->akid);
    if (!secret) {
        sb_puts(&c->msg, "The security token included in the request is invalid.");
        return SIGV4_UNRECOGNIZED;
    }
    return check_signature(c, secret);
}

enum sigv4_verdict
sigv4_verify(const struct sigv4_request *req, const char *service, time_t now,
             sigv4_lookup_fn lookup, void *ctx, char **message)
{
    *message = NULL;
    struct check c = {.req = req};
    enum sigv4_verdict v;
    if (!sigv4_has_authorization(req)) {
        sb_puts(&c.msg, "Request is missing Authentication Token");
        v = SIGV4_MISSING;
    } else {
        c.header = find_header(req, "authorization");
        v = run_checks(&c, service, now, lookup, ctx);
    }
    free(c.copy);
    free(c.scope_copy);
    char *text = sb_take(&c.msg);
    if (v == SIGV4_OK || v == SIGV4_NOMEM)
        free(text);
    else if (!text)
        v = SIGV4_NOMEM;
    else
        *message = text;
    return v;
}
