/*
 * throttle.c -- per-table and per-index capacity state and admission.
 *
 * The model
 * ---------
 * Every table and every global secondary index is a "resource" with one
 * slot in the bucket file, keyed by TableId (and index name), never by
 * table name: a table deleted and created again gets a new TableId, so its
 * buckets start afresh.  A slot holds, per direction (read, write):
 *
 *   - the main bucket.  Provisioned: refilled at the provisioned rate,
 *     banking up to the burst window (300 s by default).  On-demand:
 *     refilled at the current allowance (ondemand.h), banking one second.
 *   - per-partition buckets, refilled at the partition ceiling (3,000 RCU,
 *     1,000 WCU), banking one second: burst capacity cannot lift a
 *     partition over its ceiling.
 *
 * A request is a list of charges (the table, and every GSI a write
 * touches).  It is admitted only if every main bucket and every touched
 * partition bucket admits its charge (bucket_admits); then all are debited
 * together, under the file lock, so concurrent requests from any process
 * see either all of a request's debits or none.  A refused request debits
 * nothing.  It counts one throttle event on each resource that refused
 * (with the reason), and one ThrottledRequests on the table.
 *
 * Adaptive capacity, as modelled: a partition may use any share of its
 * table's throughput up to the partition ceiling, at once, whatever the
 * number of partitions: DynamoDB's adaptive capacity has been instant
 * since 2019.  So the table's bucket bounds the total and the partition's
 * bucket bounds one key range; one hot key reaches about 1,000 WCU while
 * keys spread over the table reach its full rate.  Not modelled: "split
 * for heat" (isolating a hot item on a partition of its own after minutes
 * of load: only two hot keys in one partition would notice) and the older
 * rule that a partition's reads and writes share one budget (the current
 * Developer Guide throttles them independently).
 *
 * Configuration travels with every request (struct throttle_table, read
 * from the catalog in the caller's transaction).  When it differs from what
 * the slot last saw, and is not older (changed_ms), it is applied: what
 * flowed in at the old rate is added, the rate changes at once, and the
 * level is cut to the new ceiling.  Raising throughput thus keeps the
 * banked burst (no windfall, no loss); lowering it keeps what fits.  A
 * change of capacity mode restarts the bucket with one second of the new
 * rate, like a new table.  See docs/capacity.md for the user's view.
 *
 * The cheap path
 * --------------
 * Each thread remembers the last few slots it used (struct slot_memo): the
 * slot, its generation when found, and the configuration the thread last
 * brought it to.  Under the lock, a remembered slot at the same generation
 * is used without searching the file or hashing its key.  A handle whose
 * capacity is unlimited only counts consumption in the metrics, which are
 * lock-free atomics (metrics.h), so when the request describes the
 * resource as the thread last saw it, its admission, settlement and
 * refund take no lock at all: they pin the slot (bucketfile.h), check its
 * generation and the minute's record, and add.  Its buckets are left to be
 * refilled by the next request that needs them (a refill is the same
 * whenever it is done: bucket.c), and nothing else of the slot changes.
 * Anything else (a new resource, a changed description, a new minute, a
 * retried body) takes the lock as before.
 *
 * Enforced capacity always takes the lock.  Under it, a provisioned slot
 * whose configuration, size and partition count are still those the
 * thread last derived its rates from (slot_steady) skips applying the
 * description, recounting partitions and computing rates, and a request
 * of one charge is admitted and debited in one short function
 * (admit_steady).  The buckets see the same refills, checks and debits as
 * on the general path, which still decides every refusal.
 */
#include "throttle.h"
#include "bucket.h"
#include "bucketfile.h"
#include "clock.h"
#include "err.h"
#include "mem.h"
#include "ondemand.h"
#include "partition.h"
#include "throttle_impl.h"

#include <stddef.h>
#include <string.h>

/* Version of struct tslot; bump on any change (the file is rebuilt). */
#define THROTTLE_LAYOUT 2
/* Debt is bounded by what requests can charge; this only bounds repairs. */
#define THROTTLE_DEBT_MAX (INT64_C(1) << 50)
#define NO_PART UINT32_MAX
/* Slots a thread remembers (struct slot_memo). */
#define MEMO_SLOTS 8

enum { DIR_READ = 0, DIR_WRITE = 1 };

struct tdir {
    struct bucket main;
    struct bucket_rate rate;   /* the rate `main` was last refilled at */
    struct ondemand_peak peak; /* on-demand consumption */
    int64_t max_provisioned;   /* highest provisioned units: on-demand floor */
};

/* One table or GSI.  Plain data in the shared file: no pointers. */
struct tslot {
    struct bucketfile_slot hdr;
    int32_t billing;           /* kv_billing_mode */
    uint32_t n_parts;
    int64_t created_ms;
    int64_t cfg_stamp;         /* changed_ms of the configuration applied */
    int64_t units[2];          /* provisioned read, write units/s */
    int64_t od_max[2];         /* OnDemandThroughput maximum, 0: none */
    uint64_t size_bytes;
    struct tdir dir[2];
    struct bucket parts[PARTITION_SLOTS][2];
    struct metrics_config_log log;
    struct metrics_ring ring;
};

struct throttle {
    struct bucketfile *bf;
    struct clock *clock;
    int64_t burst_ms;
    bool unlimited;
    uint64_t serial; /* tells this handle's remembered slots from others' */
};

/* A resource's configuration, as one request describes it. */
struct res_cfg {
    int billing;
    int64_t units[2];
    int64_t od_max[2];
    uint64_t size_bytes;
    int64_t created_ms;
    int64_t changed_ms;
};

/* A slot this thread used, for the cheap path (see the top). */
struct slot_memo {
    uint64_t serial;       /* of the handle; 0: empty */
    struct tslot *s;
    uint32_t index;        /* slot number */
    uint32_t gen;          /* the slot's generation when found */
    struct res_cfg cfg;    /* the description this thread last applied */
    /* What slot_find last derived from cfg (see slot_steady), valid when
     * `steady`: from these units and size, n_parts partitions (the
     * count they settle at) and these rates. */
    bool steady;
    uint32_t n_parts;
    int64_t steady_units[2];
    uint64_t steady_size;
    struct bucket_rate rate[2];  /* main buckets' provisioned rates */
    struct bucket_rate prate[2]; /* partition buckets' rates */
    uint32_t key_len;
    uint32_t index_at;     /* where the index name starts in key */
    char key[BUCKETFILE_KEY_MAX]; /* TableId, NUL, index name, NUL */
};

static _Thread_local struct {
    struct slot_memo e[MEMO_SLOTS];
    unsigned next;
    uint64_t unlocked; /* admissions, settlements, refunds done without the lock */
} memo;

static _Atomic uint64_t next_serial = 1;

/* A slot found, with what tickets keep of it. */
struct slot_ref {
    struct tslot *s;
    uint32_t index;
    uint32_t gen;
    const struct bucket_rate *prate; /* its partition rates, when known */
};

/* --- rates ------------------------------------------------------------------ */

static struct bucket_rate
part_rate(int d, uint32_t n_parts)
{
    int64_t units = d == DIR_WRITE ? PARTITION_WRITE_UNITS : PARTITION_READ_UNITS;
    return bucket_rate_units(units * partition_slot_width(n_parts), 1000);
}

/* The main bucket's rate now, and the reason a refusal by it reports. */
static struct bucket_rate
dir_rate(const struct throttle *th, struct tslot *s, int d, int64_t now, int *reason)
{
    if (s->billing == KV_PROVISIONED) {
        *reason = METRICS_REASON_PROVISIONED;
        return bucket_rate_units(s->units[d], th->burst_ms);
    }
    int64_t floor = d == DIR_WRITE ? ONDEMAND_INITIAL_WRITE : ONDEMAND_INITIAL_READ;
    if (s->dir[d].max_provisioned > floor)
        floor = s->dir[d].max_provisioned;
    struct ondemand_allowance a =
        ondemand_allowance(ondemand_settled(&s->dir[d].peak, now), floor, s->od_max[d]);
    *reason = a.reason;
    return bucket_rate_half(a.half_per_s, 1000);
}

/* The reason a refusal by a main bucket reports. */
static int
dir_reason(const struct throttle *th, struct tslot *s, int d, int64_t now)
{
    int reason = METRICS_REASON_PROVISIONED;
    if (s->billing != KV_PROVISIONED)
        dir_rate(th, s, d, now, &reason);
    return reason;
}

/* Throughput that sizes the partitions, units/s: provisioned, or the
 * on-demand allowance. */
static int64_t
sizing_units(const struct tslot *s, int d)
{
    return s->billing == KV_PROVISIONED ? s->units[d] : s->dir[d].rate.per_ms / 2;
}

/* Recount partitions; a new count starts every partition bucket afresh. */
static void
parts_refresh(struct tslot *s, int64_t now)
{
    uint32_t n = partition_count_next(s->n_parts, sizing_units(s, DIR_READ),
                                      sizing_units(s, DIR_WRITE), s->size_bytes);
    if (n == s->n_parts)
        return;
    s->n_parts = n;
    uint32_t used = n < PARTITION_SLOTS ? n : PARTITION_SLOTS;
    for (uint32_t i = 0; i < used; i++)
        for (int d = 0; d < 2; d++)
            bucket_start(&s->parts[i][d], part_rate(d, n), now);
}

/* Bring a direction's main bucket to now, following a rate change. */
static int
dir_refresh(const struct throttle *th, struct tslot *s, int d, int64_t now)
{
    int reason;
    struct tdir *dir = &s->dir[d];
    struct bucket_rate r = dir_rate(th, s, d, now, &reason);
    if (r.per_ms != dir->rate.per_ms || r.ceiling != dir->rate.ceiling) {
        bucket_rerate(&dir->main, dir->rate, r, now);
        dir->rate = r;
    } else {
        bucket_refill(&dir->main, r, now);
    }
    return reason;
}

/* --- slots ------------------------------------------------------------------ */

static const struct throttle_index *
gsi_find(const struct throttle_table *t, const char *name)
{
    for (size_t i = 0; i < t->n_gsis; i++)
        if (strcmp(t->gsis[i].name, name) == 0)
            return &t->gsis[i];
    return NULL;
}

/* The slot key: TableId, NUL, index name ("" for the table).  0: too long. */
static size_t
res_key(const struct throttle_table *t, const char *index, char *buf)
{
    size_t a = strlen(t->id), b = index ? strlen(index) : 0;
    if (a == 0 || a + 1 + b >= BUCKETFILE_KEY_MAX)
        return 0;
    memcpy(buf, t->id, a);
    buf[a] = '\0';
    memcpy(buf + a + 1, index ? index : "", b);
    return a + 1 + b;
}

/* A description's limits and size: all but its times. */
static void
res_cfg_limits(const struct throttle_table *t, const struct throttle_index *gi,
               struct res_cfg *c)
{
    c->billing = t->billing == KV_PAY_PER_REQUEST ? KV_PAY_PER_REQUEST : KV_PROVISIONED;
    c->units[DIR_READ] = gi ? gi->rcu : t->rcu;
    c->units[DIR_WRITE] = gi ? gi->wcu : t->wcu;
    c->od_max[DIR_READ] = gi ? gi->max_rru : t->max_rru;
    c->od_max[DIR_WRITE] = gi ? gi->max_wru : t->max_wru;
    c->size_bytes = gi ? gi->size_bytes : t->size_bytes;
}

static void
res_cfg_of(const struct throttle_table *t, const struct throttle_index *gi, int64_t now,
           struct res_cfg *c)
{
    memset(c, 0, sizeof *c);
    res_cfg_limits(t, gi, c);
    c->created_ms = gi && gi->created_ms ? gi->created_ms : t->created_ms;
    if (c->created_ms <= 0 || c->created_ms > now)
        c->created_ms = now;
    c->changed_ms = t->changed_ms > c->created_ms ? t->changed_ms : c->created_ms;
}

static void
slot_init(const struct throttle *th, struct tslot *s, const struct res_cfg *c)
{
    s->billing = c->billing;
    s->created_ms = c->created_ms;
    s->cfg_stamp = c->changed_ms;
    s->size_bytes = c->size_bytes;
    for (int d = 0; d < 2; d++) {
        int reason;
        s->units[d] = c->units[d];
        s->od_max[d] = c->od_max[d];
        s->dir[d].max_provisioned = c->billing == KV_PROVISIONED ? c->units[d] : 0;
        s->dir[d].rate = dir_rate(th, s, d, c->created_ms, &reason);
        bucket_start(&s->dir[d].main, s->dir[d].rate, c->created_ms);
    }
    s->n_parts = 0;
    parts_refresh(s, c->created_ms);
    metrics_log_config(&s->log, c->created_ms, c->billing, c->units[DIR_READ],
                       c->units[DIR_WRITE]);
}

static bool
cfg_same(const struct tslot *s, const struct res_cfg *c)
{
    return s->billing == c->billing && s->units[0] == c->units[0] &&
           s->units[1] == c->units[1] && s->od_max[0] == c->od_max[0] &&
           s->od_max[1] == c->od_max[1];
}

/* Apply a changed configuration at `now` (see the essay above). */
static void
slot_sync(const struct throttle *th, struct tslot *s, const struct res_cfg *c, int64_t now)
{
    s->size_bytes = c->size_bytes;
    if (cfg_same(s, c) || c->changed_ms < s->cfg_stamp)
        return;
    bool mode_change = s->billing != c->billing;
    for (int d = 0; d < 2; d++)
        dir_refresh(th, s, d, now); /* what flowed in at the old rate */
    s->billing = c->billing;
    s->cfg_stamp = c->changed_ms;
    for (int d = 0; d < 2; d++) {
        int reason;
        s->units[d] = c->units[d];
        s->od_max[d] = c->od_max[d];
        if (c->billing == KV_PROVISIONED && c->units[d] > s->dir[d].max_provisioned)
            s->dir[d].max_provisioned = c->units[d];
        struct bucket_rate r = dir_rate(th, s, d, now, &reason);
        if (mode_change)
            bucket_start(&s->dir[d].main, r, now);
        else
            bucket_rerate(&s->dir[d].main, s->dir[d].rate, r, now);
        s->dir[d].rate = r;
    }
    metrics_log_config(&s->log, c->changed_ms < now ? c->changed_ms : now, c->billing,
                       c->units[DIR_READ], c->units[DIR_WRITE]);
}

/* Every field compared, without a branch per field: every request asks. */
static inline bool
res_cfg_equal(const struct res_cfg *a, const struct res_cfg *b)
{
    uint64_t d = (uint64_t)(a->billing ^ b->billing) | (uint64_t)(a->units[0] ^ b->units[0]) |
                 (uint64_t)(a->units[1] ^ b->units[1]) |
                 (uint64_t)(a->od_max[0] ^ b->od_max[0]) |
                 (uint64_t)(a->od_max[1] ^ b->od_max[1]) | (a->size_bytes ^ b->size_bytes) |
                 (uint64_t)(a->created_ms ^ b->created_ms) |
                 (uint64_t)(a->changed_ms ^ b->changed_ms);
    return d == 0;
}

/*
 * Under the lock, after the general path of slot_find brought slot s to
 * description c: note whether a later request with the same description can skip
 * it (slot_steady), and what it would derive.  Only a provisioned slot
 * qualifies: an on-demand bucket's rate moves with time.
 */
static void
memo_learn(const struct throttle *th, struct slot_memo *m, const struct tslot *s,
           const struct res_cfg *c)
{
    m->steady = s->billing == KV_PROVISIONED && cfg_same(s, c) &&
                s->size_bytes == c->size_bytes &&
                partition_count_next(s->n_parts, s->units[DIR_READ], s->units[DIR_WRITE],
                                     s->size_bytes) == s->n_parts;
    if (!m->steady)
        return;
    m->n_parts = s->n_parts;
    m->steady_size = s->size_bytes;
    for (int d = 0; d < 2; d++) {
        m->steady_units[d] = s->units[d];
        m->rate[d] = bucket_rate_units(s->units[d], th->burst_ms);
        m->prate[d] = part_rate(d, s->n_parts);
    }
}

/*
 * Whether slot s, described as c, is where memo_learn left it: the slot
 * holds c's configuration and size (another thread or process may have
 * changed them), which are those the memo derived from, with the
 * partition count noted.  Then slot_sync changes nothing (whatever c's
 * times), parts_refresh keeps the count, and the rates are the memo's.
 */
static bool
slot_steady(const struct slot_memo *m, const struct tslot *s, const struct res_cfg *c)
{
    return m->steady && s->billing == KV_PROVISIONED && s->n_parts == m->n_parts &&
           s->size_bytes == c->size_bytes && c->size_bytes == m->steady_size &&
           c->units[DIR_READ] == m->steady_units[DIR_READ] &&
           c->units[DIR_WRITE] == m->steady_units[DIR_WRITE] && cfg_same(s, c);
}

/* This thread's memo of the table's (index NULL) or GSI's slot on this
 * handle, matched without building its key. */
static struct slot_memo *
memo_of(const struct throttle *th, const struct throttle_table *t, const char *index)
{
    for (int i = 0; i < MEMO_SLOTS; i++) {
        struct slot_memo *m = &memo.e[i];
        /* The table's own slot has no index name: cheap to tell apart. */
        bool table = m->index_at == m->key_len;
        if (m->serial != th->serial || table != !index || m->key[0] != t->id[0] ||
            strcmp(m->key, t->id) != 0)
            continue;
        if (table || strcmp(m->key + m->index_at, index) == 0)
            return m;
    }
    return NULL;
}

/* This thread's memo of the resource with this key on this handle. */
static struct slot_memo *
memo_find(const struct throttle *th, const char *key, size_t len)
{
    for (int i = 0; i < MEMO_SLOTS; i++) {
        struct slot_memo *m = &memo.e[i];
        if (m->serial == th->serial && m->key_len == len && memcmp(m->key, key, len) == 0)
            return m;
    }
    return NULL;
}

/* Under the lock: remember slot h, found for this key. */
static struct slot_memo *
memo_put(const struct throttle *th, const char *key, size_t len, struct bucketfile_slot *h)
{
    struct slot_memo *m = memo_find(th, key, len);
    if (!m) {
        m = &memo.e[memo.next++ % MEMO_SLOTS];
        m->serial = th->serial;
        m->key_len = (uint32_t)len;
        memcpy(m->key, key, len);
        m->key[len] = '\0'; /* the index name ends too (memo_of) */
        m->index_at = (uint32_t)strlen(m->key) + 1;
    }
    m->steady = false;
    m->s = (struct tslot *)h;
    m->index = bucketfile_index_of(th->bf, h);
    m->gen = bucketfile_slot_gen(h);
    return m;
}

/*
 * The slot of a table (index NULL) or GSI, created if new, in step with the
 * configuration and refilled to now: both directions, or, for a
 * provisioned resource, only direction `only` when it is not -1.  A
 * provisioned bucket's rate changes only with its configuration (applied
 * here to both), and a refill gives the same level whenever it is done
 * (bucket.c), so leaving the other direction for later changes nothing.
 * An on-demand bucket's rate moves with time, so both follow it.
 */
static kv_status
slot_find(struct throttle *th, const struct throttle_table *t, const char *index, int64_t now,
          int only, struct slot_ref *out, struct kv_err *err)
{
    char key[BUCKETFILE_KEY_MAX];
    struct res_cfg c;
    struct bucketfile_slot *h = NULL;
    const struct throttle_index *gi = NULL;
    if (index && !(gi = gsi_find(t, index)))
        return ERR_MISUSE(err, "no global secondary index %s to charge", index);
    res_cfg_of(t, gi, now, &c);
    struct slot_memo *m = memo_of(th, t, index);
    kv_status st = KV_OK;
    bool hit = m && atomic_load(&m->s->hdr.state) == BUCKETFILE_USED &&
               bucketfile_slot_gen(&m->s->hdr) == m->gen;
    if (hit) {
        h = &m->s->hdr;
    } else {
        size_t len = res_key(t, index, key);
        if (!len)
            return ERR_MISUSE(err, "table id or index name too long for capacity state");
        st = bucketfile_find(th->bf, key, len, &h, err);
        if (st == KV_OK && !h &&
            (st = bucketfile_claim(th->bf, key, len, now, &h, err)) == KV_OK) {
            slot_init(th, (struct tslot *)h, &c);
            bucketfile_publish(h);
        }
        if (st != KV_OK)
            return st;
        m = memo_put(th, key, len, h);
    }
    struct tslot *s = (struct tslot *)h;
    if (hit && slot_steady(m, s, &c)) {
        /* What the general path below would do, without deriving again
         * what the memo holds: no configuration to apply, no partitions
         * to recount, the rates known. */
        for (int d = 0; d < 2; d++) {
            struct tdir *dir = &s->dir[d];
            if (only >= 0 && d != only)
                continue;
            if (dir->rate.per_ms == m->rate[d].per_ms && dir->rate.ceiling == m->rate[d].ceiling)
                bucket_refill(&dir->main, dir->rate, now);
            else
                dir_refresh(th, s, d, now);
        }
    } else {
        slot_sync(th, s, &c, now);
        for (int d = 0; d < 2; d++)
            if (only < 0 || d == only || s->billing != KV_PROVISIONED)
                dir_refresh(th, s, d, now);
        parts_refresh(s, now);
        memo_learn(th, m, s, &c);
    }
    m->cfg = c; /* with its times, which an unlimited handle's requests compare */
    if (atomic_load_explicit(&h->last_used_ms, memory_order_relaxed) != now)
        atomic_store(&h->last_used_ms, now);
    *out = (struct slot_ref){s, m->index, m->gen, m->steady ? m->prate : NULL};
    return KV_OK;
}

static kv_status
slot_get(struct throttle *th, const struct throttle_table *t, const char *index, int64_t now,
         struct tslot **out, struct kv_err *err)
{
    struct slot_ref ref;
    kv_status st = slot_find(th, t, index, now, -1, &ref, err);
    *out = st == KV_OK ? ref.s : NULL;
    return st;
}

/* Repair hook for bucketfile.c: clamp what a dead writer may have torn. */
static void
slot_repair(struct bucketfile_slot *h, int64_t now, void *arg)
{
    struct tslot *s = (struct tslot *)h;
    (void)arg;
    if (s->billing != KV_PROVISIONED && s->billing != KV_PAY_PER_REQUEST)
        s->billing = KV_PROVISIONED;
    if (s->n_parts == 0)
        s->n_parts = 1;
    if (s->created_ms > now)
        s->created_ms = now;
    for (int d = 0; d < 2; d++) {
        struct tdir *dir = &s->dir[d];
        dir->rate = bucket_rate_half(dir->rate.per_ms, dir->rate.per_ms > 0
                                                           ? dir->rate.ceiling / dir->rate.per_ms
                                                           : 1000);
        bucket_sanitize(&dir->main, dir->rate, THROTTLE_DEBT_MAX, now);
        ondemand_sanitize(&dir->peak, now);
        for (uint32_t i = 0; i < PARTITION_SLOTS; i++)
            bucket_sanitize(&s->parts[i][d], part_rate(d, s->n_parts), THROTTLE_DEBT_MAX, now);
    }
    if (s->log.n > METRICS_CONFIG_LOG)
        s->log.n = METRICS_CONFIG_LOG;
}

/* --- open and close ---------------------------------------------------------- */

kv_status
throttle_open(const struct throttle_options *o, struct throttle **out, struct kv_err *err)
{
    *out = NULL;
    struct throttle *th = mem_calloc(1, sizeof *th);
    if (!th)
        return err_nomem(err);
    th->clock = o->clock;
    th->burst_ms = o->burst_ms < 0 ? 0 : o->burst_ms;
    th->unlimited = o->unlimited;
    th->serial = atomic_fetch_add(&next_serial, 1);
    struct bucketfile_params p = {
        .slot_size = sizeof(struct tslot),
        .layout = THROTTLE_LAYOUT,
        .file_mode = o->file_mode,
        .repair = slot_repair,
        .now_ms = clock_now_ms(o->clock),
    };
    kv_status st = clock_is_real(o->clock) && o->dir
                       ? bucketfile_open(o->dir, &p, &th->bf, err)
                       : bucketfile_open_private(&p, &th->bf, err);
    if (st != KV_OK) {
        mem_free(th);
        return st;
    }
    *out = th;
    return KV_OK;
}

void
throttle_close(struct throttle *th)
{
    if (!th)
        return;
    bucketfile_close(th->bf);
    mem_free(th);
}

bool
throttle_is_unlimited(const struct throttle *th)
{
    return th->unlimited;
}

bool
throttle_is_shared(const struct throttle *th)
{
    return bucketfile_is_shared(th->bf);
}

struct bucketfile *
throttle_bucketfile(struct throttle *th)
{
    return th->bf;
}

uint64_t
throttle_unlocked_count(void)
{
    return memo.unlocked;
}

/* Take the lock, then read the clock: times reach the buckets in the order
 * of the critical sections that present them (see bucket.c on stamps). */
static kv_status
lock_now(struct throttle *th, int64_t *now, struct kv_err *err)
{
    return bucketfile_lock_now(th->bf, th->clock, now, err);
}

/* --- admission ---------------------------------------------------------------- */

/* A charge matched to its slot. */
struct resolved {
    struct tslot *s;
    uint32_t index, gen; /* for the ticket */
    int d;
    int reason;    /* what a refusal by the main bucket reports */
    uint32_t part; /* partition bucket slot, NO_PART for none */
    struct bucket_rate prate; /* its rate */
};

static bool
same_index(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

void
throttle_hit_add(struct throttle_hit *hits, size_t *n, const struct throttle_table *t,
                 const char *index, bool write, int reason)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(hits[i].table->id, t->id) == 0 && same_index(hits[i].index, index) &&
            hits[i].write == write && (int)hits[i].reason == reason)
            return;
    if (*n < THROTTLE_HITS_MAX)
        hits[(*n)++] = (struct throttle_hit){t, index, write, (enum metrics_reason)reason};
}

kv_status
throttle_hits_status(const struct throttle_hit *hits, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (hits[i].reason == METRICS_REASON_PROVISIONED)
            return KV_PROVISIONED_THROUGHPUT_EXCEEDED;
    return KV_THROTTLING;
}

static kv_status
resolve(struct throttle *th, const struct throttle_table *t, const struct throttle_charge *c,
        size_t n, int64_t now, struct resolved *r, struct kv_err *err)
{
    for (size_t i = 0; i < n; i++) {
        struct slot_ref ref;
        kv_status st =
            slot_find(th, t, c[i].index, now, c[i].write ? DIR_WRITE : DIR_READ, &ref, err);
        if (st != KV_OK)
            return st;
        struct tslot *s = r[i].s = ref.s;
        r[i].index = ref.index;
        r[i].gen = ref.gen;
        r[i].d = c[i].write ? DIR_WRITE : DIR_READ;
        r[i].reason = dir_reason(th, s, r[i].d, now);
        r[i].part = c[i].has_hash
                        ? partition_slot(partition_of(c[i].hash, s->n_parts), s->n_parts)
                        : NO_PART;
        if (r[i].part != NO_PART) {
            r[i].prate = ref.prate ? ref.prate[r[i].d] : part_rate(r[i].d, s->n_parts);
            bucket_refill(&s->parts[r[i].part][r[i].d], r[i].prate, now);
        }
    }
    return KV_OK;
}

/* Which buckets refuse; nothing is changed. */
static void
check(const struct throttle_table *t, const struct throttle_charge *c,
      const struct resolved *r, size_t n, struct throttle_hit *hits, size_t *n_hits)
{
    for (size_t i = 0; i < n; i++) {
        const struct tslot *s = r[i].s;
        const struct tdir *dir = &s->dir[r[i].d];
        if (!bucket_admits(&dir->main, dir->rate, c[i].units))
            throttle_hit_add(hits, n_hits, t, c[i].index, c[i].write, r[i].reason);
        if (r[i].part != NO_PART &&
            !bucket_admits(&s->parts[r[i].part][r[i].d], r[i].prate, c[i].units))
            throttle_hit_add(hits, n_hits, t, c[i].index, c[i].write,
                             METRICS_REASON_KEY_RANGE);
    }
}

/* One throttle event on each resource that refused, and one per reason. */
static void
count_events(const struct throttle_charge *c, const struct resolved *r, size_t n,
             const struct throttle_hit *hits, size_t n_hits, int64_t now)
{
    for (size_t i = 0; i < n; i++) {
        bool any = false;
        enum metrics_field reason_base = c[i].write ? MF_WRITE_REASON : MF_READ_REASON;
        for (size_t h = 0; h < n_hits; h++) {
            if (!same_index(hits[h].index, c[i].index) || hits[h].write != c[i].write)
                continue;
            metrics_add(&r[i].s->ring, now, reason_base + hits[h].reason, 1);
            any = true;
        }
        if (any)
            metrics_add(&r[i].s->ring, now, c[i].write ? MF_WRITE_THROTTLES : MF_READ_THROTTLES,
                        1);
    }
}

static void
count_request(struct throttle *th, const struct throttle_table *t, enum metrics_op op,
              int64_t now, struct kv_err *err)
{
    struct tslot *s;
    if (op < METRICS_OP_COUNT && slot_get(th, t, NULL, now, &s, err) == KV_OK)
        metrics_add(&s->ring, now, MF_THROTTLED + op, 1);
}

static void
take(struct tslot *s, int d, uint32_t part, uint64_t units, int64_t now)
{
    bucket_take(&s->dir[d].main, units);
    if (part != NO_PART)
        bucket_take(&s->parts[part][d], units);
    if (s->billing == KV_PAY_PER_REQUEST)
        ondemand_note(&s->dir[d].peak, now, units);
}

static void
give(struct tslot *s, int d, uint32_t part, uint32_t n_parts, uint64_t units, int64_t at)
{
    bucket_give(&s->dir[d].main, s->dir[d].rate, units);
    if (part != NO_PART && n_parts == s->n_parts && part < PARTITION_SLOTS)
        bucket_give(&s->parts[part][d], part_rate(d, s->n_parts), units);
    if (s->billing == KV_PAY_PER_REQUEST)
        ondemand_unnote(&s->dir[d].peak, at, units);
}

static void
debit(struct throttle *th, const struct throttle_charge *c, const struct resolved *r, size_t n,
      int64_t now, struct throttle_ticket *ticket)
{
    ticket->held = true;
    ticket->at_ms = now;
    ticket->n = 0;
    for (size_t i = 0; i < n; i++) {
        struct tslot *s = r[i].s;
        int d = r[i].d;
        if (!th->unlimited)
            take(s, d, r[i].part, c[i].units, now);
        enum metrics_field units = d == DIR_WRITE ? MF_CONSUMED_WRITE : MF_CONSUMED_READ;
        enum metrics_field reqs = d == DIR_WRITE ? MF_WRITE_REQUESTS : MF_READ_REQUESTS;
        struct metrics_minute *rec = metrics_current(&s->ring, now);
        if (rec) { /* the usual case: the minute's record found once */
            metrics_record_add(rec, units, c[i].units);
            metrics_record_add(rec, reqs, 1);
        } else {
            metrics_add(&s->ring, now, units, c[i].units);
            metrics_add(&s->ring, now, reqs, 1);
        }
        struct throttle_ticket_entry *e = &ticket->e[ticket->n++];
        e->slot = r[i].index;
        e->part = r[i].part;
        e->n_parts = s->n_parts;
        e->write = (uint8_t)d;
        e->debited = !th->unlimited;
        e->gen = r[i].gen;
        e->units = c[i].units;
    }
}

/* The slot a ticket entry was taken from, if it still holds that resource. */
static struct tslot *
entry_slot(struct throttle *th, const struct throttle_ticket_entry *e)
{
    struct bucketfile_slot *h = bucketfile_slot_at(th->bf, e->slot);
    if (!h || atomic_load(&h->state) != BUCKETFILE_USED || bucketfile_slot_gen(h) != e->gen)
        return NULL;
    return (struct tslot *)h;
}

static void
refund_locked(struct throttle *th, struct throttle_ticket *ticket)
{
    for (size_t i = 0; i < ticket->n && i < THROTTLE_CHARGES_MAX; i++) {
        struct throttle_ticket_entry *e = &ticket->e[i];
        struct tslot *s = entry_slot(th, e);
        if (!s)
            continue;
        int d = e->write ? DIR_WRITE : DIR_READ;
        if (e->debited)
            give(s, d, e->part, e->n_parts, e->units, ticket->at_ms);
        metrics_sub(&s->ring, ticket->at_ms, d == DIR_WRITE ? MF_CONSUMED_WRITE : MF_CONSUMED_READ,
                    e->units);
        metrics_sub(&s->ring, ticket->at_ms, d == DIR_WRITE ? MF_WRITE_REQUESTS : MF_READ_REQUESTS,
                    1);
    }
    ticket->held = false;
    ticket->n = 0;
}

static void
unpin_all(struct slot_memo *const *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bucketfile_unpin(&m[i]->s->hdr);
}

/*
 * An unlimited handle's admission without the lock (see the top): true
 * when done.  False, with nothing changed, when it needs the lock: a
 * resource this thread has not brought to this description, a slot that
 * changed hands, a minute whose record is not current yet.
 */
static bool
admit_unlocked(struct throttle *th, const struct throttle_table *t,
               const struct throttle_charge *c, size_t n, struct throttle_ticket *ticket)
{
    struct slot_memo *m[THROTTLE_CHARGES_MAX];
    struct metrics_minute *rec[THROTTLE_CHARGES_MAX];
    if (!th->unlimited || ticket->held)
        return false;
    int64_t now = clock_now_ms(th->clock);
    for (size_t i = 0; i < n; i++) {
        const struct throttle_index *gi = NULL;
        struct res_cfg cfg;
        if (c[i].index && !(gi = gsi_find(t, c[i].index)))
            return false;
        if (!(m[i] = memo_of(th, t, c[i].index)))
            return false;
        res_cfg_of(t, gi, now, &cfg);
        if (!res_cfg_equal(&cfg, &m[i]->cfg))
            return false;
    }
    /* Every slot pinned and every record current before anything is
     * counted: a request is counted whole or takes the lock. */
    for (size_t i = 0; i < n; i++) {
        if (!bucketfile_pin(&m[i]->s->hdr, m[i]->gen)) {
            unpin_all(m, i);
            return false;
        }
        if (!(rec[i] = metrics_current(&m[i]->s->ring, now))) {
            unpin_all(m, i + 1);
            return false;
        }
    }
    ticket->held = true;
    ticket->at_ms = now;
    ticket->n = n;
    for (size_t i = 0; i < n; i++) {
        struct tslot *s = m[i]->s;
        bool w = c[i].write;
        metrics_record_add(rec[i], w ? MF_CONSUMED_WRITE : MF_CONSUMED_READ, c[i].units);
        metrics_record_add(rec[i], w ? MF_WRITE_REQUESTS : MF_READ_REQUESTS, 1);
        if (atomic_load_explicit(&s->hdr.last_used_ms, memory_order_relaxed) < now)
            atomic_store_explicit(&s->hdr.last_used_ms, now, memory_order_relaxed);
        ticket->e[i] = (struct throttle_ticket_entry){
            .slot = m[i]->index,
            .part = NO_PART,
            .n_parts = 0, /* only debited entries use it */
            .write = (uint8_t)(w ? DIR_WRITE : DIR_READ),
            .debited = 0,
            .gen = m[i]->gen,
            .units = c[i].units,
        };
    }
    unpin_all(m, n);
    memo.unlocked++;
    return true;
}

/*
 * Under the lock: an enforced admission of one charge on a slot this
 * thread keeps steady (slot_steady), with the refills, checks and debits
 * of slot_find, resolve, check and debit and none of their generality.
 * False when the slot is not steady or a bucket refuses: then the general
 * path decides and counts the refusal, and the refills done here change
 * nothing for it (a refill at the same time adds nothing).
 */
static bool
admit_steady(struct throttle *th, const struct throttle_table *t,
             const struct throttle_charge *c, int64_t now, struct throttle_ticket *ticket)
{
    const struct throttle_index *gi = NULL;
    struct slot_memo *m;
    struct res_cfg cfg;
    if (c->index && !(gi = gsi_find(t, c->index)))
        return false;
    if (!(m = memo_of(th, t, c->index)) || !m->steady)
        return false;
    struct tslot *s = m->s;
    /* Claims and frees change these under the lock, which is held. */
    if (atomic_load_explicit(&s->hdr.state, memory_order_relaxed) != BUCKETFILE_USED ||
        atomic_load_explicit(&s->hdr.gen, memory_order_relaxed) != m->gen)
        return false;
    res_cfg_limits(t, gi, &cfg); /* slot_steady needs no times */
    int d = c->write ? DIR_WRITE : DIR_READ;
    struct tdir *dir = &s->dir[d];
    if (!slot_steady(m, s, &cfg) || dir->rate.per_ms != m->rate[d].per_ms ||
        dir->rate.ceiling != m->rate[d].ceiling)
        return false;
    bucket_refill(&dir->main, dir->rate, now);
    struct bucket *pb = NULL;
    uint32_t part = NO_PART;
    if (c->has_hash) {
        part = partition_slot(partition_of(c->hash, s->n_parts), s->n_parts);
        pb = &s->parts[part][d];
        bucket_refill(pb, m->prate[d], now);
    }
    if (!bucket_admits(&dir->main, dir->rate, c->units) ||
        (pb && !bucket_admits(pb, m->prate[d], c->units)))
        return false;
    bucket_take(&dir->main, c->units);
    if (pb)
        bucket_take(pb, c->units);
    enum metrics_field units = d == DIR_WRITE ? MF_CONSUMED_WRITE : MF_CONSUMED_READ;
    enum metrics_field reqs = d == DIR_WRITE ? MF_WRITE_REQUESTS : MF_READ_REQUESTS;
    struct metrics_minute *rec = metrics_current(&s->ring, now);
    if (rec) {
        metrics_record_add(rec, units, c->units);
        metrics_record_add(rec, reqs, 1);
    } else {
        metrics_add(&s->ring, now, units, c->units);
        metrics_add(&s->ring, now, reqs, 1);
    }
    /* Relaxed, as admit_unlocked's: only its own value matters to others. */
    if (atomic_load_explicit(&s->hdr.last_used_ms, memory_order_relaxed) != now)
        atomic_store_explicit(&s->hdr.last_used_ms, now, memory_order_relaxed);
    ticket->held = true;
    ticket->at_ms = now;
    ticket->n = 1;
    ticket->e[0] = (struct throttle_ticket_entry){
        .slot = m->index,
        .part = part,
        .n_parts = s->n_parts,
        .write = (uint8_t)d,
        .debited = 1,
        .gen = m->gen,
        .units = c->units,
    };
    return true;
}

/* Under the lock: the general admission, for any charges. */
static kv_status
admit_general(struct throttle *th, const struct throttle_table *t,
              const struct throttle_charge *c, size_t n, enum metrics_op op, bool batch,
              int64_t now, struct throttle_ticket *ticket, struct throttle_hit *hits,
              size_t *n_hits, struct kv_err *err)
{
    struct resolved r[THROTTLE_CHARGES_MAX];
    kv_status st = resolve(th, t, c, n, now, r, err);
    if (st == KV_OK && !th->unlimited)
        check(t, c, r, n, hits, n_hits);
    if (st == KV_OK && *n_hits) {
        count_events(c, r, n, hits, *n_hits, now);
        if (!batch)
            count_request(th, t, op, now, err);
        st = throttle_hits_status(hits, *n_hits);
    } else if (st == KV_OK) {
        debit(th, c, r, n, now, ticket);
    }
    return st;
}

/* Kept out of throttle_admit, so that an unlimited handle's requests,
 * which mostly take no lock, do not pay for this frame. */
static __attribute__((noinline)) kv_status
admit_locked(struct throttle *th, const struct throttle_table *t,
             const struct throttle_charge *c, size_t n, enum metrics_op op, bool batch,
             struct throttle_ticket *ticket, struct throttle_hit *hits, size_t *n_hits,
             struct kv_err *err)
{
    int64_t now;
    kv_status st = lock_now(th, &now, err);
    if (st != KV_OK)
        return st;
    if (ticket->held)
        refund_locked(th, ticket); /* a retried body: the first try is given back */
    if (th->unlimited || n != 1 || !admit_steady(th, t, c, now, ticket))
        st = admit_general(th, t, c, n, op, batch, now, ticket, hits, n_hits, err);
    bucketfile_unlock(th->bf);
    return st;
}

kv_status
throttle_admit(struct throttle *th, const struct throttle_table *t,
               const struct throttle_charge *c, size_t n, enum metrics_op op, bool batch,
               struct throttle_ticket *ticket, struct throttle_hit *hits, size_t *n_hits,
               struct kv_err *err)
{
    *n_hits = 0;
    if (n > THROTTLE_CHARGES_MAX || !t || !t->id)
        return ERR_MISUSE(err, "a request charges at most %d tables and indexes",
                          THROTTLE_CHARGES_MAX);
    if (admit_unlocked(th, t, c, n, ticket))
        return KV_OK;
    return admit_locked(th, t, c, n, op, batch, ticket, hits, n_hits, err);
}

kv_status
throttle_write_admit(struct throttle *th, const struct throttle_write *w,
                     struct throttle_ticket *ticket, struct kv_err *err)
{
    struct throttle_charge c[THROTTLE_CHARGES_MAX];
    struct throttle_hit hits[THROTTLE_HITS_MAX];
    size_t n = 0, n_hits;
    if (w->n_gsis > THROTTLE_GSI_MAX)
        return ERR_MISUSE(err, "a write touches at most %d global secondary indexes",
                          THROTTLE_GSI_MAX);
    if (w->units)
        c[n++] = (struct throttle_charge){NULL, true, w->units, true, w->hash};
    for (size_t i = 0; i < w->n_gsis; i++)
        if (w->gsis[i].units)
            c[n++] = (struct throttle_charge){w->gsis[i].index, true, w->gsis[i].units,
                                              w->gsis[i].has_hash, w->gsis[i].hash};
    kv_status st = throttle_admit(th, w->table, c, n, w->op, false, ticket, hits, &n_hits, err);
    if (st == KV_PROVISIONED_THROUGHPUT_EXCEEDED || st == KV_THROTTLING)
        return throttle_error(hits, n_hits, err);
    return st;
}

kv_status
throttle_read_admit(struct throttle *th, const struct throttle_read *r,
                    struct throttle_ticket *ticket, struct kv_err *err)
{
    struct throttle_charge c = {r->index, false, r->estimate ? r->estimate : 1, r->has_hash,
                                r->hash};
    struct throttle_hit hits[THROTTLE_HITS_MAX];
    size_t n_hits;
    kv_status st = throttle_admit(th, r->table, &c, 1, r->op, false, ticket, hits, &n_hits, err);
    if (st == KV_PROVISIONED_THROUGHPUT_EXCEEDED || st == KV_THROTTLING)
        return throttle_error(hits, n_hits, err);
    return st;
}

/*
 * Settle an undebited entry without the lock: true when done (or when its
 * slot changed hands, which drops the change as the locked path does).
 * False when more is counted in a minute whose record is not current.
 */
static bool
settle_unlocked(struct throttle *th, struct throttle_ticket *ticket, uint64_t actual_half)
{
    struct throttle_ticket_entry *e = &ticket->e[0];
    enum metrics_field f = e->write ? MF_CONSUMED_WRITE : MF_CONSUMED_READ;
    struct bucketfile_slot *h = bucketfile_slot_at(th->bf, e->slot);
    bool done = true;
    if (h && bucketfile_pin(h, e->gen)) {
        struct tslot *s = (struct tslot *)h;
        if (actual_half > e->units)
            done = metrics_add_current(&s->ring, clock_now_ms(th->clock), f,
                                       actual_half - e->units);
        else
            metrics_sub(&s->ring, ticket->at_ms, f, e->units - actual_half);
        bucketfile_unpin(h);
    }
    if (done) {
        e->units = actual_half;
        memo.unlocked++;
    }
    return done;
}

void
throttle_read_settle(struct throttle *th, struct throttle_ticket *ticket, uint64_t actual_half)
{
    struct kv_err err;
    if (!ticket->held || ticket->n != 1 || ticket->e[0].units == actual_half)
        return; /* nothing to change: the estimate was the cost */
    err_init(&err);
    if (!ticket->e[0].debited && settle_unlocked(th, ticket, actual_half))
        return;
    int64_t now;
    if (lock_now(th, &now, &err) != KV_OK) {
        err_clear(&err);
        return;
    }
    struct throttle_ticket_entry *e = &ticket->e[0];
    struct tslot *s = entry_slot(th, e);
    int d = e->write ? DIR_WRITE : DIR_READ;
    enum metrics_field f = d == DIR_WRITE ? MF_CONSUMED_WRITE : MF_CONSUMED_READ;
    if (s && actual_half > e->units) {
        uint64_t extra = actual_half - e->units;
        if (e->debited)
            take(s, d, e->n_parts == s->n_parts ? e->part : NO_PART, extra, now);
        metrics_add(&s->ring, now, f, extra);
    } else if (s && actual_half < e->units) {
        uint64_t less = e->units - actual_half;
        if (e->debited)
            give(s, d, e->part, e->n_parts, less, ticket->at_ms);
        metrics_sub(&s->ring, ticket->at_ms, f, less);
    }
    e->units = actual_half;
    bucketfile_unlock(th->bf);
}

/* Give back a ticket of undebited entries without the lock: only metrics
 * are taken back, and metrics_sub needs no lock.  False if any entry was
 * debited. */
static bool
refund_unlocked(struct throttle *th, struct throttle_ticket *ticket)
{
    for (size_t i = 0; i < ticket->n && i < THROTTLE_CHARGES_MAX; i++)
        if (ticket->e[i].debited)
            return false;
    for (size_t i = 0; i < ticket->n && i < THROTTLE_CHARGES_MAX; i++) {
        struct throttle_ticket_entry *e = &ticket->e[i];
        struct bucketfile_slot *h = bucketfile_slot_at(th->bf, e->slot);
        if (!h || !bucketfile_pin(h, e->gen))
            continue;
        struct tslot *s = (struct tslot *)h;
        bool w = e->write == DIR_WRITE;
        metrics_sub(&s->ring, ticket->at_ms, w ? MF_CONSUMED_WRITE : MF_CONSUMED_READ,
                    e->units);
        metrics_sub(&s->ring, ticket->at_ms, w ? MF_WRITE_REQUESTS : MF_READ_REQUESTS, 1);
        bucketfile_unpin(h);
    }
    ticket->held = false;
    ticket->n = 0;
    memo.unlocked++;
    return true;
}

void
throttle_refund(struct throttle *th, struct throttle_ticket *ticket)
{
    struct kv_err err;
    err_init(&err);
    if (!ticket->held || refund_unlocked(th, ticket))
        return;
    if (bucketfile_lock(th->bf, clock_now_ms(th->clock), &err) != KV_OK) {
        err_clear(&err);
        return;
    }
    refund_locked(th, ticket);
    bucketfile_unlock(th->bf);
}

void
throttle_count_request(struct throttle *th, const struct throttle_table *t, enum metrics_op op)
{
    struct kv_err err;
    err_init(&err);
    int64_t now;
    if (lock_now(th, &now, &err) == KV_OK) {
        count_request(th, t, op, now, &err);
        bucketfile_unlock(th->bf);
    }
    err_clear(&err);
}

/* --- table lifecycle and reading --------------------------------------------- */

kv_status
throttle_table_apply(struct throttle *th, const struct throttle_table *t, struct kv_err *err)
{
    int64_t now;
    struct tslot *s;
    kv_status st = lock_now(th, &now, err);
    if (st != KV_OK)
        return st;
    st = slot_get(th, t, NULL, now, &s, err);
    for (size_t i = 0; st == KV_OK && i < t->n_gsis; i++)
        st = slot_get(th, t, t->gsis[i].name, now, &s, err);
    bucketfile_unlock(th->bf);
    return st;
}

void
throttle_table_drop(struct throttle *th, const char *table_id)
{
    struct kv_err err;
    err_init(&err);
    if (bucketfile_lock(th->bf, clock_now_ms(th->clock), &err) == KV_OK) {
        bucketfile_drop(th->bf, table_id);
        bucketfile_unlock(th->bf);
    }
    err_clear(&err);
}

void
throttle_index_drop(struct throttle *th, const char *table_id, const char *index)
{
    struct kv_err err;
    struct throttle_table t;
    struct bucketfile_slot *h = NULL;
    char key[BUCKETFILE_KEY_MAX];
    err_init(&err);
    memset(&t, 0, sizeof t);
    t.id = table_id;
    size_t len = res_key(&t, index, key);
    if (len && bucketfile_lock(th->bf, clock_now_ms(th->clock), &err) == KV_OK) {
        if (bucketfile_find(th->bf, key, len, &h, &err) == KV_OK && h)
            bucketfile_free(h);
        bucketfile_unlock(th->bf);
    }
    err_clear(&err);
}

kv_status
throttle_metrics(struct throttle *th, const struct throttle_table *t, const char *index,
                 enum metrics_metric m, int op, int64_t start_ms, int64_t end_ms,
                 struct metrics_point *out, size_t *n, struct kv_err *err)
{
    int64_t now;
    struct tslot *s;
    *n = 0;
    kv_status st = lock_now(th, &now, err);
    if (st != KV_OK)
        return st;
    if ((st = slot_get(th, t, index, now, &s, err)) == KV_OK)
        *n = metrics_read(&s->ring, &s->log, m, op, start_ms, end_ms, now, s->created_ms, out);
    bucketfile_unlock(th->bf);
    return st;
}

/* Bring a private copy of a slot (or a fresh one, `found` false) to now,
 * exactly as slot_get brings the shared one. */
static void
slot_advance(const struct throttle *th, struct tslot *s, bool found, const struct res_cfg *c,
             int64_t now)
{
    if (!found)
        slot_init(th, s, c);
    slot_sync(th, s, c, now);
    for (int d = 0; d < 2; d++)
        dir_refresh(th, s, d, now);
    parts_refresh(s, now);
}

kv_status
throttle_peek(struct throttle *th, const struct throttle_table *t, const char *index,
              struct throttle_state *out, struct kv_err *err)
{
    char key[BUCKETFILE_KEY_MAX];
    struct res_cfg c;
    struct bucketfile_slot *h = NULL;
    const struct throttle_index *gi = NULL;
    int64_t now;
    memset(out, 0, sizeof *out);
    if (index && !(gi = gsi_find(t, index)))
        return ERR_MISUSE(err, "no global secondary index %s", index);
    size_t len = res_key(t, index, key);
    if (!len)
        return ERR_MISUSE(err, "table id or index name too long for capacity state");
    /* The minute ring is neither copied nor needed: only what precedes it. */
    struct tslot *s = mem_calloc(1, sizeof *s);
    if (!s)
        return err_nomem(err);
    kv_status st = lock_now(th, &now, err);
    if (st == KV_OK) {
        st = bucketfile_find(th->bf, key, len, &h, err);
        /* The header is left out: its last use may change without the lock. */
        if (st == KV_OK && h)
            memcpy(&s->billing, &((struct tslot *)h)->billing,
                   offsetof(struct tslot, ring) - offsetof(struct tslot, billing));
        bucketfile_unlock(th->bf);
    }
    if (st == KV_OK) {
        res_cfg_of(t, gi, now, &c);
        slot_advance(th, s, h != NULL, &c, now);
        out->billing = s->billing;
        out->n_parts = s->n_parts;
        out->now_ms = now;
        for (int d = 0; d < 2; d++) {
            out->dir[d].level = s->dir[d].main.level;
            out->dir[d].per_ms = s->dir[d].rate.per_ms;
            out->dir[d].ceiling = s->dir[d].rate.ceiling;
        }
    }
    mem_free(s);
    return st;
}

int64_t
throttle_level(struct throttle *th, const struct throttle_table *t, const char *index,
               bool write)
{
    struct kv_err err;
    struct tslot *s;
    int64_t level = INT64_MIN;
    err_init(&err);
    int64_t now;
    if (lock_now(th, &now, &err) != KV_OK)
        return level;
    if (slot_get(th, t, index, now, &s, &err) == KV_OK)
        level = bucket_level_half(&s->dir[write ? DIR_WRITE : DIR_READ].main);
    bucketfile_unlock(th->bf);
    err_clear(&err);
    return level;
}

uint32_t
throttle_partitions(struct throttle *th, const struct throttle_table *t, const char *index)
{
    struct kv_err err;
    struct tslot *s;
    uint32_t n = 0;
    err_init(&err);
    int64_t now;
    if (lock_now(th, &now, &err) != KV_OK)
        return 0;
    if (slot_get(th, t, index, now, &s, &err) == KV_OK)
        n = s->n_parts;
    bucketfile_unlock(th->bf);
    err_clear(&err);
    return n;
}
