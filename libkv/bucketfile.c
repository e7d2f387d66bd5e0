/*
 * bucketfile.c -- the shared slot file; see bucketfile.h.
 *
 * Layout
 * ------
 *
 *     offset              size        contents
 *     0                   BF_ALIGN    header (struct bf_header)
 *     BF_ALIGN + i * S    S           slot i, S = slot size (a multiple of
 *                                     BF_ALIGN, so each slot maps alone)
 *
 * The header holds the magic "libkvcap", the file format version, the
 * caller's slot layout version, the slot size, an ABI word (size of
 * pthread_mutex_t, size of a pointer, byte order: the mutex lives in the
 * file, so only builds that agree on it may share), the number of slots,
 * a count of lock recoveries, and the process-shared robust mutex.  BF_ALIGN
 * is 64 KiB, the largest page size in common use, so the file maps on every
 * kernel that would share it.  Slots are allocated on disk when the file
 * grows (posix_fallocate): a page of a sparse file touched when the disk is
 * full would kill the process with SIGBUS.
 *
 * Opening, and the mutex after a reboot
 * --------------------------------------
 * Two byte-range locks (open file description locks, so two handles in
 * one process count as two users) order the opens:
 *
 *   byte 0  held exclusively while a process opens the file, so opens run
 *           one at a time;
 *   byte 1  held shared by every process that has the file open.
 *
 * An opener that can lock byte 1 exclusively is the only user.  It
 * initialises the file if it is new, stale or of another layout, and
 * otherwise re-initialises the mutex and repairs every slot: a mutex left
 * in the file by a process on a previous boot may look locked by an owner
 * the kernel no longer knows, and robust-mutex recovery cannot notice that.
 * Then it downgrades to a shared lock on byte 1 and releases byte 0.  The
 * kernel drops both locks when a process dies, so a crash while opening
 * wedges no one.  (LMDB treats its lock file the same way.)
 *
 * A process that dies holding the mutex
 * --------------------------------------
 * The mutex is robust: the next locker gets EOWNERDEAD instead of waiting
 * forever.  It then repairs every slot and marks the mutex consistent.
 * What can a dead owner have left half done?
 *
 *   - Bucket and metric updates: plain 8- and 4-byte stores.  A request
 *     killed half way may have debited some of its buckets and not others,
 *     or refilled a bucket without moving its stamp.  Each error is bounded
 *     by one request's cost or one refill (which the ceiling caps), so
 *     repair only clamps values into their legal ranges (the caller's
 *     repair hook: bucket_sanitize and friends) and does not try to undo.
 *   - Creating a slot: claim zeroes it and writes the key while its state
 *     is FREE, the caller fills it, and publish stores USED last, with
 *     release order.  A death before publish leaves a FREE slot with
 *     partial contents, which the next claim zeroes again.
 *   - Evicting a slot: FREE is stored before the slot is zeroed, so the old
 *     key's data is never seen half cleared under the old key.
 *   - Growing: the file is extended before n_slots is raised (one 4-byte
 *     store).  A death in between leaves unused bytes at the end, which the
 *     next growth reuses.
 *
 * Repair also rejects a slot whose header is not a valid state with a
 * NUL-terminated key (freed).  Nothing in the file is trusted to be sane:
 * every index read from it is bounded before use.
 *
 * Updates without the lock, and pins
 * ----------------------------------
 * A caller may keep some fields of its slots as lock-free atomics and
 * update them without the lock (throttle.c counts an unlimited handle's
 * consumption that way).  It must be sure the slot still belongs to the
 * resource it means: a slot freed and claimed for another key between its
 * check and its update would have the update land in the new key's data.
 * So each slot has a generation, changed by every claim and free, and a
 * pin count.  bucketfile_pin increments the pins, then checks that the
 * slot is USED at the generation the caller saw under the lock; a claim
 * changes the generation (when the slot is freed, or when it evicts it),
 * then reads the pins, and reuses the slot only when none is held.  All
 * four are sequentially consistent, so either the claim sees the pin and
 * leaves the slot alone, or the pinner sees the new generation and
 * updates nothing.  Atomics of 4 and 8 bytes are lock-free on every
 * platform libkv builds on (checked below), which is what makes them
 * atomic between processes sharing the mapping.  A pin is held for a few
 * instructions; one left by a process that died holding it only keeps its
 * slot from being reused until the next process to open the file alone
 * clears every pin.
 */
#include "bucketfile.h"
#include "clock.h"
#include "err.h"
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define BF_MAGIC "libkvcap"
#define BF_VERSION 2
#define BF_ALIGN 65536u
#define BF_CACHE 1024
/* How often a claim yields while waiting for a pinned slot it evicts. */
#define BF_PIN_WAIT 100000

_Static_assert(ATOMIC_INT_LOCK_FREE == 2 && ATOMIC_LLONG_LOCK_FREE == 2,
               "slots shared between processes need lock-free atomics");

struct bf_header {
    char magic[8];
    uint32_t version;
    uint32_t layout;
    uint32_t header_size;
    uint32_t slot_size;
    uint32_t slots_max;
    uint32_t abi;
    _Atomic uint32_t n_slots;
    uint32_t pad0;
    _Atomic uint64_t recoveries;
    int64_t created_ms;
    pthread_mutex_t lock;
};

struct bf_cached {
    uint64_t hash;
    int32_t index; /* -1: empty */
};

struct bucketfile {
    bool shared;
    int fd;
    size_t slot_size;
    struct bucketfile_params params;
    struct bf_header *hdr;       /* mapped (shared) or allocated (private) */
    atomic_bool private_held;    /* the lock of private state (private_lock) */
    struct bucketfile_slot **slots; /* [BUCKETFILE_SLOTS_MAX], mapped lazily */
    struct bf_cached cache[BF_CACHE];
};

static uint32_t
bf_abi(void)
{
    const uint16_t probe = 1;
    uint32_t little = *(const uint8_t *)&probe;
    return (uint32_t)sizeof(pthread_mutex_t) | (uint32_t)sizeof(void *) << 8 | little << 16;
}

static size_t
bf_round(size_t n)
{
    return (n + BF_ALIGN - 1) / BF_ALIGN * BF_ALIGN;
}

static struct bucketfile *
bf_new(const struct bucketfile_params *p, bool shared)
{
    struct bucketfile *bf = mem_calloc(1, sizeof *bf);
    if (!bf)
        return NULL;
    bf->fd = -1;
    bf->shared = shared;
    bf->params = *p;
    /* Shared slots are mapped one by one, so they start on a page. */
    bf->slot_size = shared ? bf_round(p->slot_size) : (p->slot_size + 63) / 64 * 64;
    bf->slots = mem_calloc(BUCKETFILE_SLOTS_MAX, sizeof *bf->slots);
    if (!bf->slots) {
        mem_free(bf);
        return NULL;
    }
    for (size_t i = 0; i < BF_CACHE; i++)
        bf->cache[i].index = -1;
    return bf;
}

/* --- slots --------------------------------------------------------------- */

struct bucketfile_slot *
bucketfile_slot_at(struct bucketfile *bf, uint32_t i)
{
    uint32_t n = atomic_load(&bf->hdr->n_slots);
    if (i >= n || i >= BUCKETFILE_SLOTS_MAX)
        return NULL;
    if (bf->slots[i])
        return bf->slots[i];
    void *p;
    if (bf->shared) {
        off_t off = (off_t)BF_ALIGN + (off_t)i * (off_t)bf->slot_size;
        p = mmap(NULL, bf->slot_size, PROT_READ | PROT_WRITE, MAP_SHARED, bf->fd, off);
        if (p == MAP_FAILED)
            return NULL;
    } else {
        return NULL; /* private slots exist from their creation on */
    }
    bf->slots[i] = p;
    return p;
}

uint32_t
bucketfile_index_of(const struct bucketfile *bf, const struct bucketfile_slot *s)
{
    for (uint32_t i = 0; i < BUCKETFILE_SLOTS_MAX; i++)
        if (bf->slots[i] == s)
            return i;
    return UINT32_MAX;
}

bool
bucketfile_slot_is(const struct bucketfile_slot *s, const char *key, size_t len)
{
    return atomic_load_explicit(&s->state, memory_order_acquire) == BUCKETFILE_USED &&
           s->key_len == len && memcmp(s->key, key, len) == 0;
}

uint32_t
bucketfile_slot_gen(const struct bucketfile_slot *s)
{
    return atomic_load(&s->gen);
}

bool
bucketfile_pin(struct bucketfile_slot *s, uint32_t gen)
{
    atomic_fetch_add(&s->pins, 1);
    if (atomic_load(&s->state) == BUCKETFILE_USED && atomic_load(&s->gen) == gen)
        return true;
    atomic_fetch_sub(&s->pins, 1);
    return false;
}

void
bucketfile_unpin(struct bucketfile_slot *s)
{
    atomic_fetch_sub(&s->pins, 1);
}

/* Free a slot: FREE first, then a new generation, so no pinner that checks
 * afterwards takes it for its old resource. */
static void
bf_release(struct bucketfile_slot *s)
{
    atomic_store(&s->state, BUCKETFILE_FREE);
    atomic_fetch_add(&s->gen, 1);
}

/* Repair one slot's header and, if it is in use, hand its data to the
 * caller's repair hook. */
static void
bf_repair_slot(struct bucketfile *bf, struct bucketfile_slot *s, int64_t now_ms)
{
    uint32_t st = atomic_load(&s->state);
    if (st != BUCKETFILE_USED) {
        if (st != BUCKETFILE_FREE)
            bf_release(s);
        return;
    }
    if (s->key_len == 0 || s->key_len >= BUCKETFILE_KEY_MAX || s->key[s->key_len] != '\0') {
        bf_release(s);
        return;
    }
    if (atomic_load(&s->last_used_ms) > now_ms)
        atomic_store(&s->last_used_ms, now_ms);
    if (bf->params.repair)
        bf->params.repair(s, now_ms, bf->params.repair_arg);
}

/* `alone`: no other process has the file open, so every pin is stale. */
static void
bf_repair_all(struct bucketfile *bf, int64_t now_ms, bool alone)
{
    uint32_t n = atomic_load(&bf->hdr->n_slots);
    for (uint32_t i = 0; i < n && i < BUCKETFILE_SLOTS_MAX; i++) {
        struct bucketfile_slot *s = bucketfile_slot_at(bf, i);
        if (s && alone)
            atomic_store(&s->pins, 0);
        if (s)
            bf_repair_slot(bf, s, now_ms);
    }
    memset(bf->cache, 0xff, sizeof bf->cache); /* index -1 everywhere */
}

/* --- the lock ------------------------------------------------------------- */

static int
bf_mutex_init(pthread_mutex_t *m, bool shared)
{
    pthread_mutexattr_t a;
    int rc = pthread_mutexattr_init(&a);
    if (rc)
        return rc;
    if (shared) {
        rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
        if (rc == 0)
            rc = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    }
    if (rc == 0)
        rc = pthread_mutex_init(m, &a);
    pthread_mutexattr_destroy(&a);
    return rc;
}

/*
 * The lock of a handle's private state: a flag, not a mutex.  Only the
 * handle's own threads contend, for a few hundred instructions at a time,
 * and a mutex's lock and unlock cost as much again as the admission
 * itself.  A waiter spins briefly, then yields, so a holder preempted on
 * a busy machine gets the processor back.
 */
static void
private_lock(struct bucketfile *bf)
{
    for (unsigned spins = 0;; spins++) {
        if (!atomic_load_explicit(&bf->private_held, memory_order_relaxed) &&
            !atomic_exchange_explicit(&bf->private_held, true, memory_order_acquire))
            return;
        if (spins >= 64)
            sched_yield();
    }
}

/* Lock; the time a repair needs is asked for only once the lock is held
 * (now_ms, or the clock when there is one), and the clock is read there
 * either way, so one reading serves the caller and the repair. */
static kv_status
bf_lock(struct bucketfile *bf, int64_t now_ms, struct clock *clock, int64_t *now_out,
        struct kv_err *err)
{
    if (!bf->shared) {
        private_lock(bf);
        if (clock)
            *now_out = clock_now_ms(clock);
        return KV_OK;
    }
    int rc = pthread_mutex_lock(&bf->hdr->lock);
    if (clock && (rc == 0 || rc == EOWNERDEAD))
        *now_out = now_ms = clock_now_ms(clock);
    if (rc == EOWNERDEAD) {
        /* The owner died inside a critical section: see the essay above. */
        atomic_fetch_add(&bf->hdr->recoveries, 1);
        bf_repair_all(bf, now_ms, false);
        pthread_mutex_consistent(&bf->hdr->lock);
        return KV_OK;
    }
    if (rc)
        return err_set(err, KV_IO, "cannot lock the capacity state: %s", strerror(rc));
    return KV_OK;
}

kv_status
bucketfile_lock(struct bucketfile *bf, int64_t now_ms, struct kv_err *err)
{
    return bf_lock(bf, now_ms, NULL, NULL, err);
}

kv_status
bucketfile_lock_now(struct bucketfile *bf, struct clock *clock, int64_t *now_ms,
                    struct kv_err *err)
{
    if (!bf->shared) { /* the usual case of a fake clock, kept short */
        private_lock(bf);
        *now_ms = clock_now_ms(clock);
        return KV_OK;
    }
    *now_ms = 0;
    return bf_lock(bf, 0, clock, now_ms, err);
}

void
bucketfile_unlock(struct bucketfile *bf)
{
    if (bf->shared)
        pthread_mutex_unlock(&bf->hdr->lock);
    else
        atomic_store_explicit(&bf->private_held, false, memory_order_release);
}

uint64_t
bucketfile_recoveries(const struct bucketfile *bf)
{
    return atomic_load(&bf->hdr->recoveries);
}

uint32_t
bucketfile_slot_count(const struct bucketfile *bf)
{
    return atomic_load(&bf->hdr->n_slots);
}

bool
bucketfile_is_shared(const struct bucketfile *bf)
{
    return bf->shared;
}

/* --- finding and claiming -------------------------------------------------- */

kv_status
bucketfile_find(struct bucketfile *bf, const char *key, size_t len, struct bucketfile_slot **out,
                struct kv_err *err)
{
    *out = NULL;
    uint64_t h = XXH3_64bits(key, len);
    struct bf_cached *c = &bf->cache[h % BF_CACHE];
    if (c->index >= 0 && c->hash == h) {
        struct bucketfile_slot *s = bucketfile_slot_at(bf, (uint32_t)c->index);
        if (s && bucketfile_slot_is(s, key, len)) {
            *out = s;
            return KV_OK;
        }
    }
    uint32_t n = atomic_load(&bf->hdr->n_slots);
    for (uint32_t i = 0; i < n && i < BUCKETFILE_SLOTS_MAX; i++) {
        struct bucketfile_slot *s = bucketfile_slot_at(bf, i);
        if (!s)
            return err_set(err, KV_IO, "cannot map the capacity state: %s", strerror(errno));
        if (bucketfile_slot_is(s, key, len)) {
            c->hash = h;
            c->index = (int32_t)i;
            *out = s;
            return KV_OK;
        }
    }
    return KV_OK;
}

/* Add one slot at the end of the file (or of private memory). */
static kv_status
bf_grow(struct bucketfile *bf, struct bucketfile_slot **out, struct kv_err *err)
{
    uint32_t n = atomic_load(&bf->hdr->n_slots);
    if (bf->shared) {
        off_t off = (off_t)BF_ALIGN + (off_t)n * (off_t)bf->slot_size;
        int rc = posix_fallocate(bf->fd, off, (off_t)bf->slot_size);
        if (rc)
            return err_set(err, KV_IO, "cannot grow the capacity state file: %s", strerror(rc));
        atomic_store(&bf->hdr->n_slots, n + 1);
        if (!(*out = bucketfile_slot_at(bf, n)))
            return err_set(err, KV_IO, "cannot map the capacity state: %s", strerror(errno));
        return KV_OK;
    }
    struct bucketfile_slot *s = mem_calloc(1, bf->slot_size);
    if (!s)
        return err_nomem(err);
    bf->slots[n] = s;
    atomic_store(&bf->hdr->n_slots, n + 1);
    *out = s;
    return KV_OK;
}

/* The least recently used slot not pinned, if it was last used before
 * now_ms: a slot used at this very instant may belong to the request being
 * admitted. */
static struct bucketfile_slot *
bf_evictable(struct bucketfile *bf, uint32_t n, int64_t now_ms)
{
    struct bucketfile_slot *lru = NULL;
    int64_t lru_ms = 0;
    for (uint32_t i = 0; i < n && i < BUCKETFILE_SLOTS_MAX; i++) {
        struct bucketfile_slot *s = bucketfile_slot_at(bf, i);
        if (!s || atomic_load(&s->pins) != 0)
            continue;
        int64_t ms = atomic_load(&s->last_used_ms);
        if (!lru || ms < lru_ms) {
            lru = s;
            lru_ms = ms;
        }
    }
    return lru && lru_ms < now_ms ? lru : NULL;
}

/* Freed slot s: wait until no pin taken before it was freed is held. */
static bool
bf_unpinned(struct bucketfile_slot *s)
{
    for (int i = 0; i < BF_PIN_WAIT; i++) {
        if (atomic_load(&s->pins) == 0)
            return true;
        sched_yield();
    }
    return false;
}

kv_status
bucketfile_claim(struct bucketfile *bf, const char *key, size_t len, int64_t now_ms,
                 struct bucketfile_slot **out, struct kv_err *err)
{
    *out = NULL;
    if (len == 0 || len >= BUCKETFILE_KEY_MAX)
        return ERR_MISUSE(err, "capacity state key of %zu bytes", len);
    uint32_t n = atomic_load(&bf->hdr->n_slots);
    struct bucketfile_slot *s = NULL;
    /* Reuse a free slot; grow only when none is free; evict only at the
     * maximum.  Eviction loses a quiet table's banked burst and metrics. */
    for (uint32_t i = 0; i < n && i < BUCKETFILE_SLOTS_MAX && !s; i++) {
        struct bucketfile_slot *t = bucketfile_slot_at(bf, i);
        if (t && atomic_load(&t->state) != BUCKETFILE_USED && atomic_load(&t->pins) == 0)
            s = t;
    }
    bool zeroed = false; /* a private slot just allocated, zero already */
    if (!s && n < BUCKETFILE_SLOTS_MAX) {
        kv_status st = bf_grow(bf, &s, err);
        if (st != KV_OK)
            return st;
        zeroed = s && !bf->shared;
    }
    if (!s && (s = bf_evictable(bf, n, now_ms))) {
        bf_release(s);
        if (!bf_unpinned(s))
            return err_set(err, KV_IO, "a capacity state slot stays in use");
    }
    if (!s)
        return err_set(err, KV_IO, "too many tables and indexes in use at once for the "
                                   "capacity state (%d)",
                       BUCKETFILE_SLOTS_MAX);
    /* A free slot's pins were read as none after its generation changed,
     * so nothing updates it from here on (see Pins above). */
    bf_release(s);
    size_t keep = offsetof(struct bucketfile_slot, key_len);
    if (!zeroed) /* most of a slot is pages never touched until used */
        memset((char *)s + keep, 0, bf->slot_size - keep);
    memcpy(s->key, key, len);
    s->key[len] = '\0';
    s->key_len = (uint32_t)len;
    atomic_store(&s->last_used_ms, now_ms);
    uint64_t h = XXH3_64bits(key, len);
    bf->cache[h % BF_CACHE].hash = h;
    bf->cache[h % BF_CACHE].index = (int32_t)bucketfile_index_of(bf, s);
    *out = s;
    return KV_OK;
}

void
bucketfile_publish(struct bucketfile_slot *s)
{
    atomic_store_explicit(&s->state, BUCKETFILE_USED, memory_order_release);
}

void
bucketfile_drop(struct bucketfile *bf, const char *prefix)
{
    size_t plen = strlen(prefix) + 1; /* the NUL separates id from index */
    uint32_t n = atomic_load(&bf->hdr->n_slots);
    for (uint32_t i = 0; i < n && i < BUCKETFILE_SLOTS_MAX; i++) {
        struct bucketfile_slot *s = bucketfile_slot_at(bf, i);
        if (s && atomic_load(&s->state) == BUCKETFILE_USED && s->key_len >= plen &&
            memcmp(s->key, prefix, plen) == 0)
            bf_release(s);
    }
}

void
bucketfile_free(struct bucketfile_slot *s)
{
    bf_release(s);
}

/* --- opening ------------------------------------------------------------- */

/* An open-file-description lock on one byte: F_WRLCK, F_RDLCK or F_UNLCK. */
static int
bf_lock_byte(int fd, off_t byte, short type, bool wait)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = byte;
    fl.l_len = 1;
    int rc;
    while ((rc = fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl)) == -1 && errno == EINTR)
        ;
    return rc == -1 ? errno : 0;
}

static bool
bf_header_valid(const struct bf_header *h, const struct bucketfile *bf)
{
    if (memcmp(h->magic, BF_MAGIC, 8) != 0 || h->version != BF_VERSION ||
        h->layout != bf->params.layout || h->header_size != BF_ALIGN ||
        h->slot_size != bf->slot_size || h->slots_max != BUCKETFILE_SLOTS_MAX ||
        h->abi != bf_abi())
        return false;
    /* The slot count first, the size after: a user growing the file
     * extends it before raising the count, so a size read earlier could
     * be short of a count raised since. */
    uint32_t n = atomic_load(&h->n_slots);
    struct stat sb;
    return fstat(bf->fd, &sb) == 0 &&
           sb.st_size >= (off_t)BF_ALIGN + (off_t)n * (off_t)bf->slot_size;
}

/* Make a new, empty file: everything but the magic first, the magic last. */
static kv_status
bf_format(struct bucketfile *bf, struct kv_err *err)
{
    int rc;
    if (ftruncate(bf->fd, 0) == -1)
        return err_set(err, KV_IO, "cannot reset the capacity state file: %s", strerror(errno));
    if ((rc = posix_fallocate(bf->fd, 0, BF_ALIGN)))
        return err_set(err, KV_IO, "cannot size the capacity state file: %s", strerror(rc));
    struct bf_header *h = bf->hdr;
    memset(h, 0, sizeof *h);
    h->version = BF_VERSION;
    h->layout = bf->params.layout;
    h->header_size = BF_ALIGN;
    h->slot_size = (uint32_t)bf->slot_size;
    h->slots_max = BUCKETFILE_SLOTS_MAX;
    h->abi = bf_abi();
    h->created_ms = bf->params.now_ms;
    if ((rc = bf_mutex_init(&h->lock, true)))
        return err_set(err, KV_IO, "cannot create the capacity state lock: %s", strerror(rc));
    atomic_thread_fence(memory_order_release);
    memcpy(h->magic, BF_MAGIC, 8);
    return KV_OK;
}

/*
 * Under the open lock (byte 0): bring the file into a usable state.  The
 * only user may rebuild it; others must find it valid.
 */
static kv_status
bf_prepare(struct bucketfile *bf, bool alone, struct kv_err *err)
{
    struct stat sb;
    if (fstat(bf->fd, &sb) == -1)
        return err_set(err, KV_IO, "cannot stat the capacity state file: %s", strerror(errno));
    bool big_enough = sb.st_size >= (off_t)BF_ALIGN;
    if (!big_enough && !alone)
        return err_set(err, KV_IO, "the capacity state file is in use but empty");
    int rc = big_enough ? 0 : posix_fallocate(bf->fd, 0, BF_ALIGN);
    if (rc)
        return err_set(err, KV_IO, "cannot size the capacity state file: %s", strerror(rc));
    void *p = mmap(NULL, BF_ALIGN, PROT_READ | PROT_WRITE, MAP_SHARED, bf->fd, 0);
    if (p == MAP_FAILED)
        return err_set(err, KV_IO, "cannot map the capacity state file: %s", strerror(errno));
    bf->hdr = p;
    bool valid = big_enough && bf_header_valid(bf->hdr, bf);
    if (!alone)
        return valid ? KV_OK
                     : err_set(err, KV_IO,
                               "the capacity state file %s is in use by an incompatible "
                               "version of libkv",
                               BUCKETFILE_NAME);
    if (!valid)
        return bf_format(bf, err);
    /* Alone with a valid file: the mutex may be a stale one from a process
     * of an earlier boot, and a crash may have left slots half written. */
    if ((rc = bf_mutex_init(&bf->hdr->lock, true)))
        return err_set(err, KV_IO, "cannot create the capacity state lock: %s", strerror(rc));
    bf_repair_all(bf, bf->params.now_ms, true);
    return KV_OK;
}

kv_status
bucketfile_open(const char *dir, const struct bucketfile_params *p, struct bucketfile **out,
                struct kv_err *err)
{
    *out = NULL;
    struct bucketfile *bf = bf_new(p, true);
    char path[4096];
    if (!bf)
        return err_nomem(err);
    snprintf(path, sizeof path, "%s/%s", dir, BUCKETFILE_NAME);
    bf->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, (mode_t)(p->file_mode ? p->file_mode : 0600));
    if (bf->fd == -1) {
        err_set(err, KV_IO, "cannot open %s: %s", path, strerror(errno));
        goto fail;
    }
    int rc = bf_lock_byte(bf->fd, 0, F_WRLCK, true);
    if (rc) {
        err_set(err, KV_IO, "cannot lock %s: %s", path, strerror(rc));
        goto fail;
    }
    bool alone = bf_lock_byte(bf->fd, 1, F_WRLCK, false) == 0;
    kv_status st = bf_prepare(bf, alone, err);
    /* Join the users (a shared lock on byte 1), then let the next opener in. */
    if (st == KV_OK && (rc = bf_lock_byte(bf->fd, 1, F_RDLCK, true)))
        st = err_set(err, KV_IO, "cannot lock %s: %s", path, strerror(rc));
    bf_lock_byte(bf->fd, 0, F_UNLCK, false);
    if (st != KV_OK)
        goto fail;
    *out = bf;
    return KV_OK;
fail:
    bucketfile_close(bf);
    return err->status;
}

kv_status
bucketfile_open_private(const struct bucketfile_params *p, struct bucketfile **out,
                        struct kv_err *err)
{
    *out = NULL;
    struct bucketfile *bf = bf_new(p, false);
    if (!bf)
        return err_nomem(err);
    bf->hdr = mem_calloc(1, sizeof *bf->hdr);
    if (!bf->hdr) {
        mem_free(bf->hdr);
        mem_free(bf->slots);
        mem_free(bf);
        return err_nomem(err);
    }
    *out = bf;
    return KV_OK;
}

void
bucketfile_close(struct bucketfile *bf)
{
    if (!bf)
        return;
    for (uint32_t i = 0; i < BUCKETFILE_SLOTS_MAX; i++) {
        if (!bf->slots[i])
            continue;
        if (bf->shared)
            munmap(bf->slots[i], bf->slot_size);
        else
            mem_free(bf->slots[i]);
    }
    if (bf->shared) {
        if (bf->hdr)
            munmap(bf->hdr, BF_ALIGN);
        if (bf->fd != -1)
            close(bf->fd); /* drops this handle's byte locks */
    } else {
        mem_free(bf->hdr);
    }
    mem_free(bf->slots);
    mem_free(bf);
}
