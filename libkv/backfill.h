/*
 * backfill.h -- copying a table's existing items into a global secondary
 * index created by UpdateTable.
 *
 * The catalog keeps one record per index being built ('b' + the index's
 * database name; see catalog.h) holding the table's name and the key of
 * the last item copied.  A background thread of each handle copies items
 * in key order, a chunk per write transaction, moving the record forward
 * in the same transaction; when it reaches the end it removes the record
 * and marks the index ACTIVE.  Items at or before the record's key are in
 * the index and writes keep their entries current; items after it are not
 * there yet, and writes leave them to the copier (which will read them as
 * they are then).  So the index is exact at every commit, and a crash or
 * a close in the middle loses nothing: the next handle opened on the
 * database carries on from the record.
 *
 * Items whose index key attribute has the wrong type, is empty or is too
 * long are skipped, as DynamoDB skips them.
 */
#ifndef KV_BACKFILL_H
#define KV_BACKFILL_H

#include "kv.h"

#include <stdbool.h>

struct index_def;
struct keybuf;
struct kv_err;
struct kv_db;
struct table_def;
struct txn;

/* Record that index database `dbname` of `table` has everything to copy. */
kv_status backfill_begin(struct txn *t, const char *table, const char *dbname);

/* Forget the progress of an index deleted before it was built. */
kv_status backfill_cancel(struct txn *t, const char *dbname);

/* Whether the item with table key `key` has been copied into `ix` (which
 * is backfilling): only then do writes maintain its entry. */
kv_status backfill_covers(struct txn *t, const struct table_def *def, const struct index_def *ix,
                          const struct keybuf *key, bool *covered);

/* Start the handle's background copier if it is not running. */
void backfill_kick(struct kv_db *db);

/* At open: start the copier if an earlier handle left work unfinished. */
kv_status backfill_resume(struct kv_db *db, struct kv_err *err);

/* At close: wait for the copier to finish everything it has to do. */
void backfill_finish(struct kv_db *db);

/*
 * For tests: hold stops the copier at its next chunk and keeps it from
 * starting; step then copies one chunk of at most max_items in the calling
 * thread (*more false when nothing was left to do).
 */
void backfill_hold(struct kv_db *db, bool hold);
kv_status backfill_step(struct kv_db *db, size_t max_items, bool *more, struct kv_err *err);

#endif
