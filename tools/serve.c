/*
 * serve.c -- the `kv serve` command: options, start-up, and a graceful
 * end.
 *
 *     kv serve --db DIR [--port 8000] [--bind 127.0.0.1] [--credentials FILE]
 *              [--access-log FILE|-] [--threads N] [--timeout SECONDS] [--no-sync]
 *              [--unlimited-capacity]
 *
 * Start-up opens the database, the credentials list and the access log,
 * and only then listens, so a mistake in any of them stops the server
 * before a client can see it.  The first line on standard output names
 * the address listened on (with the real port when --port 0 asked for any
 * free one), for scripts that start the server.
 *
 * SIGTERM or SIGINT starts a graceful stop: the listening socket closes,
 * requests already received run to the end and get their responses, then
 * the threads stop and the database is closed.  Every write a client saw
 * acknowledged is on disk by then (each write is synced when it commits,
 * unless --no-sync).  A second signal stops at once.  The signals are
 * blocked in every thread and taken synchronously by the main thread, so
 * no work happens in a signal handler.
 */
#include "serve.h"
#include "serve_creds.h"
#include "serve_log.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* kv's exit status for a usage error, as the AWS CLI's. */
#define EXIT_USAGE 252

struct serve_config {
    const char *db_path;
    const char *bind;
    const char *credentials;
    const char *access_log;
    unsigned port;
    unsigned threads;
    unsigned timeout;
    int no_sync;
    int unlimited_capacity;
};

static const char usage_text[] =
    "usage: kv serve --db DIR [--port 8000] [--bind 127.0.0.1] [--credentials FILE]\n"
    "                [--access-log FILE|-] [--threads N] [--timeout SECONDS] [--no-sync]\n"
    "                [--unlimited-capacity]\n";

static const char help_text[] =
    "\nServe the database over DynamoDB's HTTP protocol (POST / with X-Amz-Target).\n"
    "\n"
    "  --db DIR            the database directory (or KV_DB in the environment)\n"
    "  --port N            TCP port; 0 picks a free one (default 8000)\n"
    "  --bind ADDR         address to listen on (default 127.0.0.1)\n"
    "  --credentials FILE  accept only requests signed (AWS SigV4) with a key listed\n"
    "                      in FILE, one 'ACCESS_KEY_ID SECRET' a line; without it any\n"
    "                      signature is accepted, as DynamoDB Local does\n"
    "  --access-log FILE   append one line per request to FILE ('-': standard output)\n"
    "  --threads N         worker threads (default: twice the processors)\n"
    "  --timeout SECONDS   close connections idle this long (default 60)\n"
    "  --no-sync           do not sync each write to disk (tests, benchmarks)\n"
    "  --unlimited-capacity  never throttle (as DynamoDB Local); capacity is still\n"
    "                      counted and reported\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs(usage_text, stderr);
    fputs("\nkv serve: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

static int
parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || s[0] == '-' || v < min || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* One "--name value" option; returns 0, or the exit status of a usage error. */
static int
set_option(struct serve_config *c, const char *name, const char *value)
{
    if (strcmp(name, "--db") == 0)
        c->db_path = value;
    else if (strcmp(name, "--bind") == 0)
        c->bind = value;
    else if (strcmp(name, "--credentials") == 0)
        c->credentials = value;
    else if (strcmp(name, "--access-log") == 0)
        c->access_log = value;
    else if (strcmp(name, "--port") == 0) {
        if (parse_uint(value, 0, 65535, &c->port))
            return usage_error("argument --port: invalid port: '%s'", value);
    } else if (strcmp(name, "--threads") == 0) {
        if (parse_uint(value, 1, 1024, &c->threads))
            return usage_error("argument --threads: expected 1 to 1024, got '%s'", value);
    } else if (strcmp(name, "--timeout") == 0) {
        if (parse_uint(value, 1, 86400, &c->timeout))
            return usage_error("argument --timeout: expected 1 to 86400, got '%s'", value);
    } else
        return usage_error("unrecognized arguments: %s", name);
    return 0;
}

/* Returns 0 to go on, -1 after --help, or a usage error's exit status. */
static int
parse_args(struct serve_config *c, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        char name[64];
        const char *arg = argv[i], *value = NULL;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "help") == 0) {
            fputs(usage_text, stdout);
            fputs(help_text, stdout);
            return -1;
        }
        if (strcmp(arg, "--no-sync") == 0) {
            c->no_sync = 1;
            continue;
        }
        if (strcmp(arg, "--unlimited-capacity") == 0) {
            c->unlimited_capacity = 1;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0)
            return usage_error("unrecognized arguments: %s", arg);
        const char *eq = strchr(arg, '=');
        size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
        if (n >= sizeof name)
            return usage_error("unrecognized arguments: %s", arg);
        memcpy(name, arg, n);
        name[n] = '\0';
        if (eq)
            value = eq + 1;
        else if (i + 1 < argc)
            value = argv[++i];
        else
            return usage_error("argument %s: expected one argument", name);
        int rc = set_option(c, name, value);
        if (rc)
            return rc;
    }
    return 0;
}

static int
resolve_bind(const char *host, unsigned port, struct sockaddr_storage *ss)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res;
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return -1;
    memset(ss, 0, sizeof *ss);
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    if (ss->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
    return 0;
}

static int
is_loopback(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)ss)->sin6_addr, &in6addr_loopback,
                      sizeof in6addr_loopback) == 0;
    return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
}

static void
print_banner(const struct serve_config *c, const struct sockaddr_storage *ss, unsigned port,
             const struct serve_creds *creds)
{
    char host[INET6_ADDRSTRLEN] = "?";
    const void *addr = ss->ss_family == AF_INET6
                           ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
                           : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;
    inet_ntop(ss->ss_family, addr, host, sizeof host);
    int v6 = ss->ss_family == AF_INET6;
    printf("kv serve: listening on http://%s%s%s:%u (database %s)\n", v6 ? "[" : "", host,
           v6 ? "]" : "", port, c->db_path);
    fflush(stdout);
    if (creds)
        fprintf(stderr, "kv serve: requests must be signed with one of the %zu access keys in %s\n",
                serve_creds_count(creds), c->credentials);
    else
        fprintf(stderr, "kv serve: no --credentials given: any access key and signature "
                        "is accepted, as DynamoDB Local does\n");
    if (!creds && !is_loopback(ss))
        fprintf(stderr,
                "kv serve: warning: %s is reachable from other machines and any "
                "client is accepted; consider --credentials\n",
                host);
}

/*
 * Wait for SIGTERM or SIGINT, then drain: stop accepting, let requests in
 * flight finish (for at most @p limit seconds), unless a second signal
 * comes.
 */
static void
wait_and_drain(struct serve_http *h, const sigset_t *set, unsigned limit)
{
    int sig;
    while (sigwait(set, &sig) != 0)
        ;
    serve_http_drain(h);
    fprintf(stderr, "kv serve: %s received; finishing %u requests in flight\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM", serve_http_in_flight(h));
    struct timespec start, now, tick = {0, 10 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (serve_http_in_flight(h) > 0) {
        if (sigtimedwait(set, NULL, &tick) > 0) {
            fprintf(stderr, "kv serve: second signal; stopping now\n");
            return;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= (time_t)limit) {
            fprintf(stderr, "kv serve: %u requests still running after %u s; stopping\n",
                    serve_http_in_flight(h), limit);
            return;
        }
    }
}

/* Everything the server holds, opened in order and closed in reverse. */
struct serve_state {
    kv_db *db;
    struct serve_creds *creds;
    struct serve_log *log;
    struct serve_http *http;
};

static int
open_resources(const struct serve_config *c, struct serve_state *s)
{
    char err[256];
    if (c->access_log && !(s->log = serve_log_open(c->access_log, err, sizeof err))) {
        fprintf(stderr, "kv serve: cannot open access log %s: %s\n", c->access_log, err);
        return -1;
    }
    if (c->credentials) {
        int loose = 0;
        if (!(s->creds = serve_creds_load(c->credentials, &loose, err, sizeof err))) {
            fprintf(stderr, "kv serve: credentials file %s: %s\n", c->credentials, err);
            return -1;
        }
        if (loose)
            fprintf(stderr, "kv serve: warning: %s may be read by other users\n", c->credentials);
    }
    kv_options opt;
    kv_options_default(&opt);
    opt.no_sync = c->no_sync;
    opt.unlimited_capacity = c->unlimited_capacity;
    if (kv_db_open(c->db_path, &opt, &s->db) != KV_OK) {
        fprintf(stderr, "kv serve: cannot open database %s: %s\n", c->db_path, kv_errmsg(NULL));
        return -1;
    }
    return 0;
}

static void
close_resources(struct serve_state *s)
{
    serve_http_stop(s->http);
    kv_db_close(s->db);
    serve_log_close(s->log);
    serve_creds_free(s->creds);
}

static unsigned
default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 2 : n > 32 ? 64 : (unsigned)n * 2;
}

static int
run(const struct serve_config *c)
{
    struct sockaddr_storage ss;
    if (resolve_bind(c->bind, c->port, &ss))
        return usage_error("argument --bind: cannot resolve '%s'", c->bind);
    struct serve_state s = {0};
    if (open_resources(c, &s)) {
        close_resources(&s);
        return 1;
    }
    /* Blocked before any thread starts, so every thread inherits it. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct serve_http_opts o = {s.db,       s.creds,   s.log, (const struct sockaddr *)&ss,
                                c->threads, c->timeout};
    char err[256];
    if (!(s.http = serve_http_start(&o, err, sizeof err))) {
        fprintf(stderr, "kv serve: %s:%u: %s\n", c->bind, c->port, err);
        close_resources(&s);
        return 1;
    }
    print_banner(c, &ss, serve_http_port(s.http), s.creds);
    wait_and_drain(s.http, &set, c->timeout);
    close_resources(&s);
    fprintf(stderr, "kv serve: stopped\n");
    return 0;
}

int
serve_main(const char *db_path, int argc, char **argv)
{
    struct serve_config c = {
        .db_path = db_path,
        .bind = "127.0.0.1",
        .port = 8000,
        .threads = default_threads(),
        .timeout = 60,
    };
    int rc = parse_args(&c, argc, argv);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (!c.db_path || !*c.db_path)
        c.db_path = getenv("KV_DB");
    if (!c.db_path || !*c.db_path)
        return usage_error("no database given: use --db DIR or set KV_DB");
    return run(&c);
}
