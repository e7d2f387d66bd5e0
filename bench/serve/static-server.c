/*
 * static-server.c -- the least an HTTP server can do per request, as a
 * ceiling for bench/serve/run.sh.
 *
 *     static-server PORT THREADS BODY_FILE
 *
 * Answers every POST with the same response: the bytes of BODY_FILE and
 * the headers `kv serve` sends (Content-Type, x-amzn-RequestId,
 * x-amz-crc32, Content-Length, Date), worked out once at start.  Each
 * thread has its own listening socket (SO_REUSEPORT) and epoll set, reads
 * a request whole (headers, then Content-Length bytes of body) and writes
 * the response with one send: one recv, one send and one epoll_wait per
 * request, as `kv serve` does, and nothing else.  What this server reaches
 * under wrk on the same machine bounds what any server can.
 *
 * Not a real server: no chunked bodies, no pipelining, no timeouts, a
 * request must fit in 64 KB.  Runs until killed.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REQ_MAX 65536

struct conn {
    int fd;
    size_t len;
    char buf[REQ_MAX];
};

static char *response;
static size_t response_len;
static int port;

static void
die(const char *what)
{
    perror(what);
    exit(1);
}

static int
listener(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0)
        die("socket");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 1024) < 0)
        die("bind");
    return fd;
}

/* The length of the whole request in @p c, or 0 while it is incomplete. */
static size_t
request_length(const struct conn *c)
{
    const char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
    if (!end)
        return 0;
    size_t head = (size_t)(end - c->buf) + 4, body = 0;
    for (const char *p = c->buf; p < end;) {
        if (strncasecmp(p, "Content-Length:", 15) == 0)
            body = strtoul(p + 15, NULL, 10);
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        p = nl + 1;
    }
    return c->len >= head + body ? head + body : 0;
}

static void
serve(struct conn *c)
{
    for (;;) {
        ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0 || (c->len += (size_t)n) == sizeof c->buf)
            break;
        size_t whole = request_length(c);
        if (!whole)
            continue;
        memmove(c->buf, c->buf + whole, c->len - whole);
        c->len -= whole;
        if (send(c->fd, response, response_len, MSG_NOSIGNAL) != (ssize_t)response_len)
            break;
        return;
    }
    close(c->fd);
    free(c);
}

static void *
worker(void *arg)
{
    (void)arg;
    int lfd = listener(), ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0)
        die("epoll");
    struct epoll_event events[64];
    for (;;) {
        int n = epoll_wait(ep, events, 64, -1);
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c) {
                serve(c);
                continue;
            }
            int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
            if (fd < 0)
                continue;
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            c = malloc(sizeof *c);
            if (!c)
                die("malloc");
            c->fd = fd;
            c->len = 0;
            ev = (struct epoll_event){.events = EPOLLIN, .data.ptr = c};
            if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
                die("epoll_ctl");
        }
    }
    return NULL;
}

int
main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: static-server PORT THREADS BODY_FILE\n");
        return 2;
    }
    port = atoi(argv[1]);
    int threads = atoi(argv[2]);
    FILE *f = fopen(argv[3], "rb");
    if (!f)
        die(argv[3]);
    char body[REQ_MAX];
    size_t body_len = fread(body, 1, sizeof body, f);
    fclose(f);
    char date[64];
    time_t now = time(NULL);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", gmtime(&now));
    response = malloc(body_len + 512);
    if (!response)
        die("malloc");
    int head = snprintf(response, 512,
                        "HTTP/1.1 200 OK\r\n"
                        "x-amzn-RequestId: %s\r\n"
                        "x-amz-crc32: 1234567890\r\n"
                        "Content-Type: application/x-amz-json-1.0\r\n"
                        "Content-Length: %zu\r\n"
                        "Date: %s\r\n\r\n",
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGHIJKLMNOP", body_len, date);
    memcpy(response + head, body, body_len);
    response_len = (size_t)head + body_len;
    pthread_t t;
    for (int i = 1; i < threads; i++)
        if (pthread_create(&t, NULL, worker, NULL) != 0)
            die("pthread_create");
    worker(NULL);
    return 0;
}
