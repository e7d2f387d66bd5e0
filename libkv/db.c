/*
 * db.c -- opening and closing a database, per-thread state, map growth and
 * the process's table of named-database handles.
 *
 * LMDB rules this file exists to respect:
 *   - mdb_dbi_open must not run in two transactions of one process at once,
 *     and a handle opened in a transaction that aborts is closed again.  So
 *     handles are opened in short read-only transactions of their own, under
 *     `lock`, and committed, which publishes them to every later
 *     transaction of the process (see db_dbi_open).
 *   - mdb_env_set_mapsize needs every transaction of the process finished;
 *     see resize_lock in db.h.
 */
#include "db.h"
#include "backfill.h"
#include "catalog.h"
#include "mem.h"
#include "throttle.h"
#include "value.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_MAP_SIZE (64ull << 20)
#define DEFAULT_MAX_DBS 4096
#define DEFAULT_MAX_READERS 1024
#define DEFAULT_BURST_SECONDS 300
#define MAX_BURST_SECONDS 86400

/* The message of the last failed kv_db_open of this thread. */
static _Thread_local struct kv_err open_error;

const char *
kv_version(void)
{
    return "0.1.0";
}

void
kv_options_default(kv_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->file_mode = 0600;
    opt->burst_seconds = DEFAULT_BURST_SECONDS;
}

void
kv_free(void *p)
{
    mem_free(p);
}

kv_status
db_lmdb_error(int rc, const char *what, struct kv_err *err)
{
    switch (rc) {
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
        return ERR_CORRUPT(err, "%s: %s", what, mdb_strerror(rc));
    case ENOMEM:
        return err_nomem(err);
    default:
        return err_set(err, KV_IO, "%s: %s", what, mdb_strerror(rc));
    }
}

int64_t
db_now_ms(struct kv_db *db)
{
    return clock_now_ms(&db->clock);
}

/* --- per-thread state ------------------------------------------------------ */

static void
thread_state_free(struct thread_state *ts)
{
    if (ts->rtxn)
        mdb_txn_abort(ts->rtxn);
    err_clear(&ts->last);
    catalog_cache_clear(ts);
    mem_free(ts->cache);
    mem_free(ts);
}

/* Called by pthreads when a thread that used the handle exits. */
static void
thread_state_destroy(void *p)
{
    struct thread_state *ts = p;
    struct kv_db *db = ts->db;
    pthread_mutex_lock(&db->lock);
    if (ts->prev)
        ts->prev->next = ts->next;
    else
        db->threads = ts->next;
    if (ts->next)
        ts->next->prev = ts->prev;
    pthread_mutex_unlock(&db->lock);
    thread_state_free(ts);
}

struct thread_state *
db_thread(struct kv_db *db)
{
    struct thread_state *ts = pthread_getspecific(db->tls);
    if (ts)
        return ts;
    ts = mem_calloc(1, sizeof *ts);
    if (!ts)
        return NULL;
    ts->db = db;
    if (pthread_setspecific(db->tls, ts)) {
        mem_free(ts);
        return NULL;
    }
    pthread_mutex_lock(&db->lock);
    ts->next = db->threads;
    if (db->threads)
        db->threads->prev = ts;
    db->threads = ts;
    pthread_mutex_unlock(&db->lock);
    return ts;
}

kv_status
db_finish(struct kv_db *db, struct kv_err *err)
{
    kv_status st = err->status;
    struct thread_state *ts = db_thread(db);
    if (ts)
        err_move(&ts->last, err);
    else
        err_clear(err);
    return st;
}

const char *
kv_errmsg(kv_db *db)
{
    if (!db)
        return err_message(&open_error);
    struct thread_state *ts = pthread_getspecific(db->tls);
    return ts ? err_message(&ts->last) : "";
}

/* --- named database handles ----------------------------------------------- */

bool
db_dbi_find(struct kv_db *db, const char *name, MDB_dbi *out)
{
    bool found = false;
    pthread_mutex_lock(&db->lock);
    for (size_t i = 0; i < db->n_dbis; i++) {
        if (strcmp(db->dbis[i].name, name) == 0) {
            *out = db->dbis[i].dbi;
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&db->lock);
    return found;
}

kv_status
db_dbi_remember_locked(struct kv_db *db, const char *name, MDB_dbi dbi, struct kv_err *err)
{
    for (size_t i = 0; i < db->n_dbis; i++)
        if (strcmp(db->dbis[i].name, name) == 0)
            return KV_OK;
    if (db->n_dbis == db->cap_dbis) {
        size_t cap = db->cap_dbis ? db->cap_dbis * 2 : 16;
        struct dbi_slot *s = mem_realloc(db->dbis, cap * sizeof *s);
        if (!s)
            return err_nomem(err);
        db->dbis = s;
        db->cap_dbis = cap;
    }
    struct dbi_slot *slot = &db->dbis[db->n_dbis++];
    snprintf(slot->name, sizeof slot->name, "%s", name);
    slot->dbi = dbi;
    return KV_OK;
}

kv_status
db_dbi_remember(struct kv_db *db, const char *name, MDB_dbi dbi, struct kv_err *err)
{
    pthread_mutex_lock(&db->lock);
    kv_status st = db_dbi_remember_locked(db, name, dbi, err);
    pthread_mutex_unlock(&db->lock);
    return st;
}

kv_status
db_dbi_open(struct kv_db *db, const char *name, MDB_dbi *out, struct kv_err *err)
{
    if (db_dbi_find(db, name, out))
        return KV_OK;
    pthread_mutex_lock(&db->lock);
    MDB_txn *txn;
    kv_status st = KV_OK;
    int rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = mdb_dbi_open(txn, name, 0, out);
        if (rc == 0)
            rc = mdb_txn_commit(txn);
        else
            mdb_txn_abort(txn);
    }
    if (rc == MDB_NOTFOUND)
        st = ERR_CORRUPT(err, "named database %s is missing", name);
    else if (rc)
        st = db_lmdb_error(rc, "opening a table", err);
    else
        st = db_dbi_remember_locked(db, name, *out, err);
    pthread_mutex_unlock(&db->lock);
    return st;
}

/* --- map growth ------------------------------------------------------------ */

kv_status
db_grow(struct kv_db *db, bool adopt_only, uint64_t seen, struct kv_err *err)
{
    kv_status st = KV_OK;
    pthread_rwlock_wrlock(&db->resize_lock);
    /* Several writers of one group can meet the same full map: the first
     * to get the lock grows it, the rest find it larger than they saw. */
    if (!adopt_only && db->map_size > seen) {
        pthread_rwlock_unlock(&db->resize_lock);
        return KV_OK;
    }
    MDB_envinfo info;
    int rc = mdb_env_set_mapsize(db->env, 0); /* adopt another process's size */
    if (rc == 0)
        rc = mdb_env_info(db->env, &info);
    if (rc) {
        st = db_lmdb_error(rc, "resizing the map", err);
    } else if (!adopt_only && info.me_mapsize <= db->map_size) {
        uint64_t want = db->map_size * 2;
        if (db->opt.max_map_size && want > db->opt.max_map_size)
            want = db->opt.max_map_size;
        if (want <= db->map_size)
            st = err_set(err, KV_IO,
                         "The database is full: its map size limit of %llu bytes is reached",
                         (unsigned long long)db->map_size);
        else if ((rc = mdb_env_set_mapsize(db->env, want)))
            st = db_lmdb_error(rc, "resizing the map", err);
        else
            db->map_size = want;
    } else {
        db->map_size = info.me_mapsize;
    }
    pthread_rwlock_unlock(&db->resize_lock);
    return st;
}

/* --- open and close -------------------------------------------------------- */

static kv_status
make_dir(const char *path, unsigned file_mode, bool read_only, struct kv_err *err)
{
    struct stat sb;
    if (stat(path, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode))
            return err_set(err, KV_IO, "%s is not a directory", path);
        return KV_OK;
    }
    if (errno != ENOENT || read_only)
        return err_set(err, KV_IO, "cannot open database directory %s: %s", path,
                       strerror(errno));
    /* A directory needs search permission wherever its files are readable. */
    mode_t mode = (mode_t)(file_mode | ((file_mode & 0444) >> 2)) & 0777;
    if (mkdir(path, mode) && errno != EEXIST)
        return err_set(err, KV_IO, "cannot create database directory %s: %s", path,
                       strerror(errno));
    return KV_OK;
}

/*
 * Every page the newest commit uses lies inside the data file.  A file cut
 * short behind LMDB's back (a truncated copy, a full disk during a copy)
 * would otherwise be mapped past its end, and reading there kills the
 * process with SIGBUS instead of returning an error.
 */
static kv_status
check_file_size(struct kv_db *db, const char *path, struct kv_err *err)
{
    MDB_envinfo info;
    MDB_stat st;
    mdb_filehandle_t fd;
    struct stat sb;
    if (mdb_env_info(db->env, &info) || mdb_env_stat(db->env, &st) ||
        mdb_env_get_fd(db->env, &fd) || fstat(fd, &sb))
        return err_set(err, KV_IO, "cannot read the size of database %s", path);
    uint64_t need = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
    if ((uint64_t)sb.st_size < need)
        return ERR_CORRUPT(err,
                           "database %s is truncated: its data file has %llu bytes, its "
                           "pages need %llu",
                           path, (unsigned long long)sb.st_size, (unsigned long long)need);
    return KV_OK;
}

static kv_status
env_open(struct kv_db *db, const char *path, struct kv_err *err)
{
    int rc = mdb_env_create(&db->env);
    if (rc)
        return db_lmdb_error(rc, "creating the environment", err);
    unsigned flags = MDB_NOTLS | (db->opt.no_sync ? MDB_NOSYNC : 0) |
                     (db->opt.read_only ? MDB_RDONLY : 0);
    if ((rc = mdb_env_set_maxdbs(db->env, db->max_dbs)) ||
        (rc = mdb_env_set_maxreaders(db->env, DEFAULT_MAX_READERS)) ||
        (rc = mdb_env_set_mapsize(db->env, db->map_size)))
        return db_lmdb_error(rc, "configuring the environment", err);
    rc = mdb_env_open(db->env, path, flags, (mdb_mode_t)db->opt.file_mode);
    /* LMDB's readers take slots in lock.mdb, so even reading needs to
     * write that file. */
    if (rc == EACCES || rc == EROFS)
        return err_set(err, KV_IO, "cannot open database %s: %s%s", path, strerror(rc),
                       db->opt.read_only ? " (reading needs write access to its lock.mdb)"
                                         : " (open it read-only to read it)");
    if (rc)
        return db_lmdb_error(rc, "opening the database", err);
    MDB_envinfo info;
    if (mdb_env_info(db->env, &info) == 0 && info.me_mapsize > db->map_size)
        db->map_size = info.me_mapsize;
    kv_status st = check_file_size(db, path, err);
    if (st != KV_OK)
        return st;
    /* Reader slots of processes that died with a read transaction open pin
     * the pages of their snapshots, which no write may then reuse, and
     * LMDB only frees them by itself when a writer died too.  Free them. */
    int dead;
    mdb_reader_check(db->env, &dead);
    if (mdb_env_get_maxkeysize(db->env) < 511)
        return err_set(err, KV_IO, "LMDB was built with keys shorter than 511 bytes");
    return KV_OK;
}

/*
 * The clock, retry policy and capacity state.  With the real clock the
 * state is shared through a file in the database directory; a read-only
 * database whose directory refuses that file keeps it private instead, as
 * a handle with an injected clock does.
 */
static kv_status
capacity_open(struct kv_db *db, const char *path, struct kv_err *err)
{
    const kv_options *o = &db->opt;
    if (o->clock && !o->clock->now_ms)
        return ERR_MISUSE(err, "kv_options.clock needs a now_ms function");
    if (o->burst_seconds < 0 || o->burst_seconds > MAX_BURST_SECONDS)
        return ERR_MISUSE(err, "kv_options.burst_seconds must be within 0..%d",
                          MAX_BURST_SECONDS);
    if (o->clock)
        clock_init_callback(&db->clock, o->clock);
    else
        clock_init_real(&db->clock);
    if (o->retry) {
        db->retry = *o->retry;
        db->has_retry = true;
    }
    struct throttle_options to = {
        .dir = path,
        .clock = &db->clock,
        .burst_ms = (int64_t)o->burst_seconds * 1000,
        .unlimited = o->unlimited_capacity != 0,
        .file_mode = o->file_mode,
    };
    kv_status st = throttle_open(&to, &db->throttle, err);
    if (st == KV_IO && o->read_only) {
        err_clear(err);
        to.dir = NULL;
        st = throttle_open(&to, &db->throttle, err);
    }
    return st;
}

kv_status
kv_db_open(const char *path, const kv_options *opt, kv_db **out)
{
    struct kv_err err;
    err_init(&err);
    err_clear(&open_error);
    if (out)
        *out = NULL;
    if (!path || !out) {
        ERR_MISUSE(&err, "kv_db_open needs a path and an out-parameter");
        err_move(&open_error, &err);
        return KV_MISUSE;
    }
    struct kv_db *db = mem_calloc(1, sizeof *db);
    if (!db)
        return open_error.status = KV_NOMEM;
    if (opt)
        db->opt = *opt;
    else
        kv_options_default(&db->opt);
    if (!db->opt.file_mode)
        db->opt.file_mode = 0600;
    db->max_dbs = db->opt.max_dbs ? db->opt.max_dbs : DEFAULT_MAX_DBS;
    db->map_size = db->opt.map_size ? db->opt.map_size : DEFAULT_MAP_SIZE;

    pthread_rwlockattr_t ra;
    pthread_rwlockattr_init(&ra);
    pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&db->resize_lock, &ra);
    pthread_rwlockattr_destroy(&ra);
    pthread_mutex_init(&db->lock, NULL);
    pthread_mutex_init(&db->bf_lock, NULL);
    pthread_mutex_init(&db->group.lock, NULL);
    pthread_cond_init(&db->group.cond, NULL);
    if (pthread_key_create(&db->tls, thread_state_destroy)) {
        pthread_mutex_destroy(&db->group.lock);
        pthread_cond_destroy(&db->group.cond);
        pthread_mutex_destroy(&db->lock);
        pthread_mutex_destroy(&db->bf_lock);
        pthread_rwlock_destroy(&db->resize_lock);
        mem_free(db);
        return open_error.status = KV_NOMEM;
    }
    if (!(db->path = mem_strdup(path)))
        err_nomem(&err);
    else if (make_dir(path, db->opt.file_mode, db->opt.read_only, &err) == KV_OK &&
             env_open(db, path, &err) == KV_OK && capacity_open(db, path, &err) == KV_OK &&
             catalog_open(db, &err) == KV_OK)
        backfill_resume(db, &err);
    if (err.status != KV_OK) {
        kv_status st = err.status;
        kv_db_close(db);
        err_move(&open_error, &err);
        return st;
    }
    *out = db;
    return KV_OK;
}

void
kv_db_close(kv_db *db)
{
    if (!db)
        return;
    backfill_finish(db);
    /* Deleting the key first means no destructor runs for this handle
     * afterwards; the states of threads still alive are freed here. */
    pthread_key_delete(db->tls);
    struct thread_state *ts = db->threads;
    while (ts) {
        struct thread_state *next = ts->next;
        thread_state_free(ts);
        ts = next;
    }
    throttle_close(db->throttle);
    if (db->env)
        mdb_env_close(db->env);
    pthread_mutex_destroy(&db->lock);
    pthread_mutex_destroy(&db->bf_lock);
    pthread_mutex_destroy(&db->group.lock);
    pthread_cond_destroy(&db->group.cond);
    pthread_rwlock_destroy(&db->resize_lock);
    mem_free(db->dbis);
    mem_free(db->path);
    mem_free(db);
    item_spares_release();
}
