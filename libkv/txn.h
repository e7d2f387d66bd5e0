/*
 * txn.h -- running an operation inside one LMDB transaction.
 *
 * An operation is written as a body: a function that does all of its
 * reading and writing through the transaction it is given.  txn_run begins
 * the transaction, runs the body, and commits a write transaction only if
 * the body succeeded; a body that fails can only abort, so a failed write
 * leaves nothing behind.
 *
 * Some failures are cured by running the body again from the start, in a
 * fresh transaction: the map filling up (txn_run grows it), the map grown
 * by another process, or a table whose LMDB handle this process has not
 * opened yet (LMDB cannot open handles inside a running transaction safely;
 * see db.c).  A body signals these by returning KV_RETRY, which it only
 * does through txn_check and txn_dbi.  Bodies must therefore have no
 * effects outside the transaction before they succeed.
 */
#ifndef KV_TXN_H
#define KV_TXN_H

#include "kv.h"

#include <lmdb.h>
#include <stdbool.h>
#include <stdint.h>

struct kv_db;
struct kv_err;
struct thread_state;

/* Not a public status: "run the body again"; never escapes txn_run. */
#define KV_RETRY ((kv_status)1000)

enum txn_retry {
    RETRY_NONE,
    RETRY_MAP_FULL, /* grow the map */
    RETRY_RESIZED,  /* adopt another process's larger map */
    RETRY_DBI,      /* open the handle named in need_dbi */
    RETRY_POOL,     /* create empty named databases for new tables */
};

struct txn {
    struct kv_db *db;
    struct thread_state *ts;
    MDB_txn *txn;
    bool write;
    struct kv_err *err;
    enum txn_retry retry;
    char need_dbi[24];    /* RETRY_DBI: the named database to open */
    bool have_gen;
    uint64_t gen;         /* catalog generation seen by this transaction */
};

typedef kv_status (*txn_body)(struct txn *t, void *arg);

/* Run body in a read or write transaction, retrying as described above. */
kv_status txn_run(struct kv_db *db, bool write, txn_body body, void *arg, struct kv_err *err);

/*
 * Run the body of a write (PutItem, UpdateItem, DeleteItem, one attempt
 * of a BatchWriteItem, a TransactWriteItems) as txn_run does, but
 * possibly together with writes of other threads:
 * when writes are synced, writes that arrive while one is committing are
 * committed together, in one LMDB transaction and one sync (group
 * commit).  Each body runs in a nested transaction of its own, so a body
 * that fails (its condition, a throttle, a bad key) aborts only its own
 * changes, and each caller returns only after the sync that made its
 * write durable, with its own status.  The body runs on whichever thread
 * leads the group, with the caller's thread state, while the caller
 * waits: bodies must use only the struct txn and their argument.
 */
kv_status txn_run_grouped(struct kv_db *db, txn_body body, void *arg, struct kv_err *err);

/* For tests: while held, grouped writes queue and no group starts;
 * releasing lets one leader commit everything queued. */
void txn_group_hold(struct kv_db *db, bool hold);
/* For tests: how many grouped writes are queued. */
size_t txn_group_waiting(struct kv_db *db);

/*
 * Turn an LMDB return code into a status: 0 is KV_OK; MDB_MAP_FULL asks
 * for a retry after growth; others are recorded in t->err with `what`.
 */
kv_status txn_check(struct txn *t, int rc, const char *what);

/* The handle of named database `name`; asks for a retry if not yet open. */
kv_status txn_dbi(struct txn *t, const char *name, MDB_dbi *out);

#endif
