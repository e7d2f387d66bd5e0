/*
 * bucketfile.h -- fixed-size state slots shared by every process that opens
 * a database, in a memory-mapped file beside it, under one robust mutex.
 *
 * Throughput limits belong to the table, not to a process: N processes
 * writing to one table must share its capacity, and a run of separate
 * `kv put-item` commands must be throttled as one client would be.  So the
 * token buckets and metrics of every table and index live in slots of the
 * file `capacity.map` in the database directory, and every access holds the
 * file's process-shared mutex.  The slots hold no pointers and no
 * per-process data; times in them are wall-clock milliseconds, so a slot
 * left by a process that exited long ago is still correct for the next.
 *
 * A database opened with an injected clock uses the same slots in private
 * memory instead (bucketfile_open_private): fake time must not leak into
 * the state real processes share.
 *
 * The slot contents belong to the caller (throttle.c); this module only
 * knows each slot's header: whether it is in use, its key, and when it was
 * last used.  bucketfile.c explains the file layout and what happens when
 * a process dies holding the lock.
 *
 * Threads: slot memory is touched between bucketfile_lock and
 * bucketfile_unlock, with one exception: fields the caller keeps as
 * lock-free atomics (the metrics counters of throttle.c) may be updated
 * without the lock while the slot is pinned (bucketfile_pin).  Pointers to
 * slots stay valid until bucketfile_close, but a slot may be given to
 * another key whenever the lock is not held, so a slot pointer kept
 * across unlock must be checked: under the lock with bucketfile_slot_is,
 * or by the generation it had (bucketfile_slot_gen), which every claim and
 * free changes.
 */
#ifndef KV_BUCKETFILE_H
#define KV_BUCKETFILE_H

#include "kv.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kv_err;
struct bucketfile;

#define BUCKETFILE_NAME "capacity.map"
/* Table id (a 36-character UUID), NUL, index name (up to 255), NUL. */
#define BUCKETFILE_KEY_MAX 304
/* Slots a file may hold; beyond this the least recently used is reused. */
#define BUCKETFILE_SLOTS_MAX 4096

enum bucketfile_state {
    BUCKETFILE_FREE = 0,
    BUCKETFILE_USED = 1,
};

/* The first bytes of every slot.  The caller's data follows. */
struct bucketfile_slot {
    _Atomic uint32_t state; /* enum bucketfile_state */
    _Atomic uint32_t gen;   /* changed by every claim and free */
    _Atomic uint32_t pins;  /* users updating it without the lock */
    uint32_t key_len;
    _Atomic int64_t last_used_ms;
    char key[BUCKETFILE_KEY_MAX];
};

struct bucketfile_params {
    size_t slot_size;       /* bytes per slot, header included */
    uint32_t layout;        /* version of the caller's slot layout */
    unsigned file_mode;     /* permissions of a new file */
    /* Make a USED slot's data consistent after a crash: called under the
     * lock when a process died holding it, and at open by the only user. */
    void (*repair)(struct bucketfile_slot *slot, int64_t now_ms, void *arg);
    void *repair_arg;
    int64_t now_ms;         /* for repairs done while opening */
};

/*
 * Open (creating if needed) the shared file in directory `dir`.
 * KV_IO with a message when it cannot be created, mapped or locked, or
 * when another process uses it with a different layout.
 */
kv_status bucketfile_open(const char *dir, const struct bucketfile_params *p,
                          struct bucketfile **out, struct kv_err *err);
/* The same slots in this process's memory only. */
kv_status bucketfile_open_private(const struct bucketfile_params *p, struct bucketfile **out,
                                  struct kv_err *err);
/* Unmap and close.  Accepts NULL.  The lock must not be held. */
void bucketfile_close(struct bucketfile *bf);

bool bucketfile_is_shared(const struct bucketfile *bf);

/*
 * Take the lock.  If its last owner died holding it, the slots are
 * repaired first (see bucketfile.c).  KV_IO only if the lock is broken
 * beyond recovery.
 */
kv_status bucketfile_lock(struct bucketfile *bf, int64_t now_ms, struct kv_err *err);
/* The same, then read the clock once into *now_ms (0 on failure); a
 * repair uses that reading.  Times read after the lock reach the slots in
 * the order of the critical sections that present them. */
struct clock;
kv_status bucketfile_lock_now(struct bucketfile *bf, struct clock *clock, int64_t *now_ms,
                              struct kv_err *err);
void bucketfile_unlock(struct bucketfile *bf);

/* Under the lock: the USED slot with this key, or NULL in *out. */
kv_status bucketfile_find(struct bucketfile *bf, const char *key, size_t len,
                          struct bucketfile_slot **out, struct kv_err *err);

/*
 * Under the lock: a slot for a new key, zeroed, holding the key, still
 * FREE.  Fill it, then bucketfile_publish it.  Reuses a free slot, else
 * grows the file, else evicts the least recently used slot.
 */
kv_status bucketfile_claim(struct bucketfile *bf, const char *key, size_t len, int64_t now_ms,
                           struct bucketfile_slot **out, struct kv_err *err);
/* Mark a claimed and filled slot USED: the last store of its creation. */
void bucketfile_publish(struct bucketfile_slot *s);

/* Under the lock: free every slot whose key starts with `prefix` and a NUL
 * (all slots of one table). */
void bucketfile_drop(struct bucketfile *bf, const char *prefix);

/* Under the lock: free one slot (a resource that no longer exists). */
void bucketfile_free(struct bucketfile_slot *s);

/* Under the lock: slot number i, mapped, or NULL when out of range. */
struct bucketfile_slot *bucketfile_slot_at(struct bucketfile *bf, uint32_t i);
/* The number of a slot returned by this handle. */
uint32_t bucketfile_index_of(const struct bucketfile *bf, const struct bucketfile_slot *s);
/* Whether s is USED and holds this key. */
bool bucketfile_slot_is(const struct bucketfile_slot *s, const char *key, size_t len);

/*
 * Without the lock: pin slot s if it still holds the resource it held at
 * generation `gen` (USED, same generation).  While pinned, the slot is
 * not given to another key (a claim skips it or waits), so the caller may
 * update its lock-free fields.  False: not pinned; the slot changed hands
 * or was freed.  Unpin soon: a claim that must evict waits for pins.
 */
bool bucketfile_pin(struct bucketfile_slot *s, uint32_t gen);
void bucketfile_unpin(struct bucketfile_slot *s);
/* The slot's generation (read it under the lock, with bucketfile_find). */
uint32_t bucketfile_slot_gen(const struct bucketfile_slot *s);

/* How many times a dead owner's lock was recovered (tests, diagnostics). */
uint64_t bucketfile_recoveries(const struct bucketfile *bf);
/* Slots the file holds now. */
uint32_t bucketfile_slot_count(const struct bucketfile *bf);

#endif
