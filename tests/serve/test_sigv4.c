/*
 * test_sigv4.c -- Signature Version 4 checking (tools/sigv4.c).
 *
 * The expected canonical requests, strings to sign, keys and signatures
 * are the values AWS publishes in its SigV4 test suite (credentials
 * AKIDEXAMPLE, 2015-08-30T12:36:00Z, us-east-1, service "service") and in
 * its key-derivation example; the requests are rebuilt here from the
 * suite's descriptions.  Then sigv4_verify's verdicts and DynamoDB's
 * messages, one case per check, in the order DynamoDB makes them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sigv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AKID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define DATE "20150830T123600Z"
#define SCOPE "20150830/us-east-1/service/aws4_request"
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define CRED "Credential=" AKID "/" SCOPE
/* 2015-08-30T12:36:00Z */
#define SUITE_TIME ((time_t)1440938160)

/* A second key, for checks that one key's signatures never pass for another. */
#define AKID2 "AKIDEXAMPL2"
#define SECRET2 "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"

static const char *
lookup(void *ctx, const char *akid)
{
    (void)ctx;
    if (strcmp(akid, AKID2) == 0)
        return SECRET2;
    return strcmp(akid, AKID) == 0 ? SECRET : NULL;
}

/* Sign a request the suite's way and return the hex signature. */
static void
sign(const struct sigv4_request *req, const char *signed_headers, char sig[SIGV4_HEX_SIZE])
{
    char payload[SIGV4_HEX_SIZE];
    sigv4_sha256_hex(req->body ? req->body : "", req->body_len, payload);
    char *canonical = sigv4_canonical_request(req, signed_headers, payload);
    char *sts = sigv4_string_to_sign(DATE, SCOPE, canonical);
    uint8_t key[32];
    sigv4_signing_key(SECRET, "20150830", "us-east-1", "service", key);
    sigv4_signature(key, sts, sig);
    free(canonical);
    free(sts);
}

static void
sigv4_01_1_derived_key(void **state)
{
    (void)state;
    uint8_t key[32];
    char hex[SIGV4_HEX_SIZE];
    static const char *const digits = "0123456789abcdef";
    sigv4_signing_key(SECRET, "20120215", "us-east-1", "iam", key);
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[key[i] >> 4];
        hex[2 * i + 1] = digits[key[i] & 15];
    }
    hex[64] = '\0';
    assert_string_equal(hex, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

static const struct sigv4_header vanilla_headers[] = {
    {"Host", "example.amazonaws.com"},
    {"X-Amz-Date", DATE},
};

static void
sigv4_01_2_get_vanilla_steps(void **state)
{
    (void)state;
    struct sigv4_request req = {"GET", "/", NULL, vanilla_headers, 2, NULL, 0};
    char *canonical = sigv4_canonical_request(&req, "host;x-amz-date", EMPTY_SHA256);
    assert_string_equal(canonical, "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:" DATE
                                   "\n\nhost;x-amz-date\n" EMPTY_SHA256);
    char *sts = sigv4_string_to_sign(DATE, SCOPE, canonical);
    assert_string_equal(sts, "AWS4-HMAC-SHA256\n" DATE "\n" SCOPE "\n"
                             "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
    char sig[SIGV4_HEX_SIZE];
    sign(&req, "host;x-amz-date", sig);
    assert_string_equal(sig, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    free(canonical);
    free(sts);
}

/* One suite case: a request and the signature AWS publishes for it. */
struct vector {
    const char *name;
    const char *method, *path, *query;
    struct sigv4_header headers[5];
    size_t n_headers;
    const char *signed_headers;
    const char *signature;
};

static const struct vector vectors[] = {
    {"post-vanilla", "POST", "/", NULL,
     {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", DATE}}, 2, "host;x-amz-date",
     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
    {"get-vanilla-query-order-key-case", "GET", "/", "Param2=value2&Param1=value1",
     {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", DATE}}, 2, "host;x-amz-date",
     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
    {"get-vanilla-query-unreserved", "GET", "/",
     "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz="
     "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
     {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", DATE}}, 2, "host;x-amz-date",
     "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
    {"get-utf8", "GET", "/\xe1\x88\xb4", NULL,
     {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", DATE}}, 2, "host;x-amz-date",
     "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
    {"get-header-value-trim", "GET", "/", NULL,
     {{"Host", "example.amazonaws.com"},
      {"My-Header1", " value1"},
      {"My-Header2", " \"a   b   c\""},
      {"X-Amz-Date", DATE}},
     4, "host;my-header1;my-header2;x-amz-date",
     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
    {"get-header-key-duplicate", "GET", "/", NULL,
     {{"Host", "example.amazonaws.com"},
      {"My-Header1", "value2"},
      {"My-Header1", "value2"},
      {"My-Header1", "value1"},
      {"X-Amz-Date", DATE}},
     5, "host;my-header1;x-amz-date",
     "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
    {"post-header-key-sort", "POST", "/", NULL,
     {{"Host", "example.amazonaws.com"}, {"My-Header1", "value1"}, {"X-Amz-Date", DATE}}, 3,
     "host;my-header1;x-amz-date",
     "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
};

static void
sigv4_01_3_suite_signatures(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const struct vector *v = &vectors[i];
        struct sigv4_request req = {v->method, v->path, v->query, v->headers, v->n_headers,
                                    NULL, 0};
        char sig[SIGV4_HEX_SIZE];
        sign(&req, v->signed_headers, sig);
        if (strcmp(sig, v->signature) != 0)
            fail_msg("%s: got %s, want %s", v->name, sig, v->signature);
    }
}

static void
sigv4_01_4_canonical_details(void **state)
{
    (void)state;
    struct sigv4_request req = {"GET", "//a/./b/../c//", "b=2&a=%7e&a=1", vanilla_headers, 2,
                                NULL, 0};
    char *c = sigv4_canonical_request(&req, "host", EMPTY_SHA256);
    /* Dot segments resolved, empty ones dropped, query sorted and re-encoded. */
    assert_string_equal(c, "GET\n/a/c/\na=1&a=~&b=2\nhost:example.amazonaws.com\n\nhost\n"
                           EMPTY_SHA256);
    free(c);
    /* An escape already in the path is encoded again, as the SDKs do. */
    req.path = "/a%20b";
    req.query = NULL;
    c = sigv4_canonical_request(&req, "host", EMPTY_SHA256);
    assert_string_equal(c, "GET\n/a%2520b\n\nhost:example.amazonaws.com\n\nhost\n" EMPTY_SHA256);
    free(c);
}

/* ------------------------------------------------------------------------ */
/* Verification                                                              */

/* A POST as a DynamoDB client sends it, signed with @p secret. */
struct signed_post {
    struct sigv4_header headers[4];
    char date[32];
    char auth[512];
    struct sigv4_request req;
};

static void
make_post_as(struct signed_post *p, const char *body, const char *scope_service,
             const char *akid, const char *secret, const char *day)
{
    memset(p, 0, sizeof *p);
    p->headers[0] = (struct sigv4_header){"Host", "127.0.0.1:8000"};
    snprintf(p->date, sizeof p->date, "%sT123600Z", day);
    p->headers[1] = (struct sigv4_header){"X-Amz-Date", p->date};
    p->headers[2] = (struct sigv4_header){"X-Amz-Target", "DynamoDB_20120810.ListTables"};
    p->req = (struct sigv4_request){"POST", "/", NULL, p->headers, 3, body, strlen(body)};
    const char *sh = "host;x-amz-date;x-amz-target";
    char payload[SIGV4_HEX_SIZE], sig[SIGV4_HEX_SIZE], scope[128];
    snprintf(scope, sizeof scope, "%s/us-east-1/%s/aws4_request", day, scope_service);
    sigv4_sha256_hex(body, strlen(body), payload);
    char *canonical = sigv4_canonical_request(&p->req, sh, payload);
    char *sts = sigv4_string_to_sign(p->date, scope, canonical);
    uint8_t key[32];
    sigv4_signing_key(secret, day, "us-east-1", scope_service, key);
    sigv4_signature(key, sts, sig);
    free(canonical);
    free(sts);
    snprintf(p->auth, sizeof p->auth,
             "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s", akid, scope,
             sh, sig);
    p->headers[3] = (struct sigv4_header){"Authorization", p->auth};
    p->req.n_headers = 4;
}

static void
make_post(struct signed_post *p, const char *body, const char *scope_service)
{
    make_post_as(p, body, scope_service, AKID, SECRET, "20150830");
}

static enum sigv4_verdict
verify_at(struct signed_post *p, time_t now, char **msg)
{
    return sigv4_verify(&p->req, "dynamodb", now, lookup, NULL, msg);
}

static void
expect(struct signed_post *p, time_t now, enum sigv4_verdict want, const char *message)
{
    char *msg;
    enum sigv4_verdict v = verify_at(p, now, &msg);
    assert_int_equal(v, want);
    if (message)
        assert_string_equal(msg, message);
    else
        assert_null(msg);
    free(msg);
}

static void
sigv4_02_1_valid(void **state)
{
    (void)state;
    struct signed_post p;
    make_post(&p, "{}", "dynamodb");
    expect(&p, SUITE_TIME, SIGV4_OK, NULL);
    /* Within the 15 minutes of skew allowed, either way. */
    expect(&p, SUITE_TIME + 14 * 60, SIGV4_OK, NULL);
    expect(&p, SUITE_TIME - 14 * 60, SIGV4_OK, NULL);
    /* The header name's case and the value's outer spaces do not matter. */
    p.headers[3].name = "authorization";
    expect(&p, SUITE_TIME, SIGV4_OK, NULL);
}

static void
sigv4_02_2_tampered(void **state)
{
    (void)state;
    struct signed_post p;
    char *msg;
    make_post(&p, "{}", "dynamodb");
    p.req.body = "{\"Limit\":1}";
    p.req.body_len = strlen(p.req.body);
    assert_int_equal(verify_at(&p, SUITE_TIME, &msg), SIGV4_INVALID);
    static const char prefix[] =
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. Consult the service "
        "documentation for details.\n\nThe Canonical String for this request should have "
        "been\n'POST\n/\n\nhost:127.0.0.1:8000\n";
    assert_memory_equal(msg, prefix, sizeof prefix - 1);
    assert_non_null(strstr(msg, "\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n"
                                DATE "\n20150830/us-east-1/dynamodb/aws4_request\n"));
    free(msg);
    /* A header that was signed, changed. */
    make_post(&p, "{}", "dynamodb");
    p.headers[2].value = "DynamoDB_20120810.DeleteTable";
    assert_int_equal(verify_at(&p, SUITE_TIME, &msg), SIGV4_INVALID);
    free(msg);
}

static void
sigv4_02_3_unknown_key(void **state)
{
    (void)state;
    struct signed_post p;
    make_post(&p, "{}", "dynamodb");
    char *at = strstr(p.auth, AKID);
    memcpy(at, "AKIDEXAMPLF", 11);
    expect(&p, SUITE_TIME, SIGV4_UNRECOGNIZED,
           "The security token included in the request is invalid.");
}

static void
sigv4_02_4_missing(void **state)
{
    (void)state;
    struct signed_post p;
    make_post(&p, "{}", "dynamodb");
    p.req.n_headers = 3;
    expect(&p, SUITE_TIME, SIGV4_MISSING, "Request is missing Authentication Token");
    p.req.n_headers = 4;
    p.headers[3].value = "Bearer abc";
    expect(&p, SUITE_TIME, SIGV4_MISSING, "Request is missing Authentication Token");
}

static void
sigv4_02_5_incomplete(void **state)
{
    (void)state;
    struct signed_post p;
    make_post(&p, "{}", "dynamodb");
    p.headers[3].value = "AWS4-HMAC-SHA256 Credential=" AKID "/x";
    p.headers[1].name = "X-Not-A-Date";
    expect(&p, SUITE_TIME, SIGV4_INCOMPLETE,
           "Authorization header requires 'Signature' parameter. Authorization header "
           "requires 'SignedHeaders' parameter. Authorization header requires existence of "
           "either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 "
           "Credential=" AKID "/x");
    make_post(&p, "{}", "dynamodb");
    memcpy(p.auth, "AWS4-HMAC-SHA512", 16);
    expect(&p, SUITE_TIME, SIGV4_INCOMPLETE,
           "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ");
    make_post(&p, "{}", "dynamodb");
    p.headers[3].value = "AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host, "
                         "Signature=00";
    expect(&p, SUITE_TIME, SIGV4_INCOMPLETE,
           "Credential must have exactly 5 slash-delimited elements, e.g. "
           "keyid/date/region/service/term, got 'a/b/c/d'");
    make_post(&p, "{}", "dynamodb");
    p.headers[1].value = "2015-08-30";
    expect(&p, SUITE_TIME, SIGV4_INCOMPLETE,
           "Date must be in ISO-8601 'basic format'. Got '2015-08-30'. "
           "See http://en.wikipedia.org/wiki/ISO_8601");
}

static void
sigv4_02_6_clock_skew(void **state)
{
    (void)state;
    struct signed_post p;
    make_post(&p, "{}", "dynamodb");
    expect(&p, SUITE_TIME + 3600, SIGV4_INVALID,
           "Signature expired: 20150830T123600Z is now earlier than 20150830T132100Z "
           "(20150830T133600Z - 15 min.)");
    expect(&p, SUITE_TIME - 3600, SIGV4_INVALID,
           "Signature not yet current: 20150830T123600Z is still later than 20150830T115100Z "
           "(20150830T113600Z + 15 min.)");
}

static void
sigv4_02_7_scope(void **state)
{
    (void)state;
    struct signed_post p;
    make_post(&p, "{}", "service");
    expect(&p, SUITE_TIME, SIGV4_INVALID,
           "Credential should be scoped to correct service: 'dynamodb'. ");
    make_post(&p, "{}", "dynamodb");
    char *day = strstr(p.auth, "20150830/");
    memcpy(day, "20150831", 8);
    expect(&p, SUITE_TIME, SIGV4_INVALID,
           "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
           "from HTTP: '20150831' != '20150830', from '20150830T123600Z'.");
    make_post(&p, "{}", "dynamodb");
    p.headers[3].value = "AWS4-HMAC-SHA256 Credential=" AKID "/20150830/us-east-1/dynamodb/"
                         "aws4_requesx, SignedHeaders=host, Signature=00";
    expect(&p, SUITE_TIME, SIGV4_INVALID,
           "Credential should be scoped with a valid terminator: 'aws4_request', not "
           "'aws4_requesx'. ");
}

static void
sigv4_02_8_host_must_be_signed(void **state)
{
    (void)state;
    struct signed_post p;
    make_post(&p, "{}", "dynamodb");
    p.headers[3].value = "AWS4-HMAC-SHA256 Credential=" AKID "/20150830/us-east-1/dynamodb/"
                         "aws4_request, SignedHeaders=x-amz-date, Signature=00";
    expect(&p, SUITE_TIME, SIGV4_INVALID,
           "'Host' must be a 'SignedHeader' in the AWS Authorization.");
}

static void
sigv4_02_9_http_date(void **state)
{
    (void)state;
    /* The Date header may stand in for X-Amz-Date. */
    struct sigv4_header h[3] = {
        {"Host", "127.0.0.1:8000"},
        {"Date", "Sun, 30 Aug 2015 12:36:00 GMT"},
    };
    struct sigv4_request req = {"POST", "/", NULL, h, 2, "{}", 2};
    char payload[SIGV4_HEX_SIZE], sig[SIGV4_HEX_SIZE], auth[256];
    sigv4_sha256_hex("{}", 2, payload);
    char *canonical = sigv4_canonical_request(&req, "date;host", payload);
    char *sts = sigv4_string_to_sign(DATE, "20150830/us-east-1/dynamodb/aws4_request", canonical);
    uint8_t key[32];
    sigv4_signing_key(SECRET, "20150830", "us-east-1", "dynamodb", key);
    sigv4_signature(key, sts, sig);
    snprintf(auth, sizeof auth,
             "AWS4-HMAC-SHA256 Credential=" AKID "/20150830/us-east-1/dynamodb/aws4_request, "
             "SignedHeaders=date;host, Signature=%s",
             sig);
    h[2] = (struct sigv4_header){"Authorization", auth};
    req.n_headers = 3;
    char *msg;
    assert_int_equal(sigv4_verify(&req, "dynamodb", SUITE_TIME, lookup, NULL, &msg), SIGV4_OK);
    assert_null(msg);
    free(canonical);
    free(sts);
}

/* The signing key is derived once per secret and scope and then reused:
 * requests alternating between keys and days each pass with their own
 * key only. */
static void
sigv4_02_10_keys_and_days(void **state)
{
    (void)state;
    struct signed_post a, b, a_next_day, forged;
    make_post(&a, "{}", "dynamodb");
    make_post_as(&b, "{}", "dynamodb", AKID2, SECRET2, "20150830");
    make_post_as(&a_next_day, "{}", "dynamodb", AKID, SECRET, "20150831");
    /* Signed with the first secret but naming the second key. */
    make_post_as(&forged, "{}", "dynamodb", AKID2, SECRET, "20150830");
    for (int round = 0; round < 2; round++) {
        expect(&a, SUITE_TIME, SIGV4_OK, NULL);
        expect(&a, SUITE_TIME, SIGV4_OK, NULL);
        char *msg;
        assert_int_equal(verify_at(&forged, SUITE_TIME, &msg), SIGV4_INVALID);
        free(msg);
        expect(&b, SUITE_TIME, SIGV4_OK, NULL);
        assert_int_equal(verify_at(&forged, SUITE_TIME, &msg), SIGV4_INVALID);
        free(msg);
        /* 12:36 on the 31st is a day after the suite's time. */
        expect(&a_next_day, SUITE_TIME + 86400, SIGV4_OK, NULL);
        expect(&a, SUITE_TIME, SIGV4_OK, NULL);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sigv4_01_1_derived_key),
        cmocka_unit_test(sigv4_01_2_get_vanilla_steps),
        cmocka_unit_test(sigv4_01_3_suite_signatures),
        cmocka_unit_test(sigv4_01_4_canonical_details),
        cmocka_unit_test(sigv4_02_1_valid),
        cmocka_unit_test(sigv4_02_2_tampered),
        cmocka_unit_test(sigv4_02_3_unknown_key),
        cmocka_unit_test(sigv4_02_4_missing),
        cmocka_unit_test(sigv4_02_5_incomplete),
        cmocka_unit_test(sigv4_02_6_clock_skew),
        cmocka_unit_test(sigv4_02_7_scope),
        cmocka_unit_test(sigv4_02_8_host_must_be_signed),
        cmocka_unit_test(sigv4_02_9_http_date),
        cmocka_unit_test(sigv4_02_10_keys_and_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
