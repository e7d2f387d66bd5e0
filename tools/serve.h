/*
 * serve.h -- `kv serve`: DynamoDB's HTTP endpoint in front of a database.
 *
 * serve.c reads the options, opens what the server needs and runs it
 * until SIGTERM or SIGINT (serve_cli.c plugs it into kv's command table);
 * serve_http.c is the HTTP server itself, on libmicrohttpd.  The rest of
 * the server lives in modules of its own:
 * serve_proto.c (the protocol's decisions), sigv4.c (signatures),
 * serve_creds.c (the credentials file) and serve_log.c (the access log).
 */
#ifndef KV_SERVE_H
#define KV_SERVE_H

#include "kv.h"

#include <sys/socket.h>

struct serve_creds;
struct serve_log;

/*
 * The `serve` command: argv[0] is "serve".  @p db_path is the database
 * named by kv's global --db, or NULL; serve's own --db and KV_DB in the
 * environment also name it.  Returns the process exit status.
 */
int serve_main(const char *db_path, int argc, char **argv);

/* The same, as an entry of kv's command table (serve_cli.c). */
struct cli;
int cli_cmd_serve(struct cli *cli, int argc, char **argv);

/* A running HTTP server. */
struct serve_http;

struct serve_http_opts {
    kv_db *db;
    const struct serve_creds *creds; /* NULL: accept any credentials */
    struct serve_log *log;           /* NULL: no access log */
    const struct sockaddr *addr;     /* address and port to listen on */
    unsigned threads;                /* worker threads */
    unsigned timeout;                /* seconds a connection may idle */
};

/* Start listening; NULL and a message in @p err on failure. */
struct serve_http *serve_http_start(const struct serve_http_opts *opts, char *err, size_t errlen);

/* The port actually listened on (useful when 0 was asked for). */
unsigned serve_http_port(const struct serve_http *h);

/*
 * Stop accepting connections.  Requests already received run to the end;
 * their responses close the connection, so keep-alive clients go away.
 */
void serve_http_drain(struct serve_http *h);

/* Requests received whose responses are not yet sent. */
unsigned serve_http_in_flight(const struct serve_http *h);

/* Close every connection, join the threads and free.  Accepts NULL. */
void serve_http_stop(struct serve_http *h);

#endif
