/*
 * kv.h -- the public interface of libkv, an embedded key-value store that
 * behaves like Amazon DynamoDB.
 *
 * A libkv database is a directory holding an LMDB environment.  Inside it
 * live DynamoDB-style tables: each has a partition key and an optional sort
 * key, and holds items (maps of attribute names to typed values).  Every
 * operation follows DynamoDB's rules: its validation, limits, ordering,
 * exception names and messages.
 *
 * There are two ways in, and both run the same code:
 *
 *   - The typed C API below (kv_table_create, kv_put_item, kv_get_item, ...)
 *     takes C values and returns C values.
 *
 *   - The JSON request API (kv_request) takes an operation name such as
 *     "PutItem" and DynamoDB's request JSON, and returns DynamoDB's response
 *     JSON or its error JSON.  Anything that speaks DynamoDB's wire format
 *     can be served by it.
 *
 * Conventions that hold for every function in this header:
 *
 *   - Fallible calls return a kv_status.  KV_OK is 0.  Each other value is a
 *     DynamoDB exception (kv_status_name gives its name) or a local failure.
 *
 *   - After a failed call, kv_errmsg(db) gives the message, worded as
 *     DynamoDB words it.  The message belongs to the handle and to the
 *     calling thread: another thread's calls do not disturb it, and it stays
 *     valid until this thread's next call on the handle.
 *
 *   - The caller owns every pointer a function returns through an
 *     out-parameter, and frees it with the free function the comment names.
 *     On failure, out-parameters are set to NULL and inputs still belong to
 *     the caller.  Every free or close function accepts NULL.
 *
 *   - A kv_db handle may be shared by any number of threads.  Several
 *     processes may open the same database at once.  Other handles (items,
 *     values, descriptions) are plain data: use one from one thread at a
 *     time.
 *
 * Example: a table with a partition key and a sort key, one item written and
 * read back.
 *
 *     kv_db *db;
 *     kv_options opt;
 *     kv_options_default(&opt);
 *     if (kv_db_open("music.db", &opt, &db) != KV_OK)
 *         die(kv_errmsg(NULL));
 *
 *     kv_table_def def = {
 *         .name = "Music",
 *         .hash_key = {"Artist", KV_S},
 *         .range_key = {"SongTitle", KV_S},
 *         .billing_mode = KV_PAY_PER_REQUEST,
 *     };
 *     if (kv_table_create(db, &def, NULL) != KV_OK)
 *         die(kv_errmsg(db));
 *
 *     kv_item *song = kv_item_new();
 *     kv_item_put_s(song, "Artist", "No One You Know");
 *     kv_item_put_s(song, "SongTitle", "Call Me Today");
 *     kv_item_put_n(song, "Year", "2015");
 *     kv_status st = kv_put_item(db, "Music", song, NULL, NULL);
 *     kv_item_free(song);
 *
 *     kv_item *key = kv_item_new(), *got = NULL;
 *     kv_item_put_s(key, "Artist", "No One You Know");
 *     kv_item_put_s(key, "SongTitle", "Call Me Today");
 *     st = kv_get_item(db, "Music", key, NULL, &got);  // got is NULL if absent
 *     ...
 *     kv_item_free(got);
 *     kv_item_free(key);
 *     kv_db_close(db);
 */
#ifndef KV_H
#define KV_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(KV_BUILDING_LIBRARY) && defined(__GNUC__)
#define KV_API __attribute__((visibility("default")))
#else
#define KV_API
#endif

#define KV_VERSION_MAJOR 0
#define KV_VERSION_MINOR 1
#define KV_VERSION_PATCH 0

/** @return the library's version as "MAJOR.MINOR.PATCH"; static text. */
KV_API const char *kv_version(void);

/* ------------------------------------------------------------------------ */
/* Status                                                                    */
/* ------------------------------------------------------------------------ */

/**
 * The result of every fallible call.
 *
 * Values are part of the ABI: they are never renumbered, and new ones are
 * only ever added.  Codes 1..63 are DynamoDB exceptions; codes from 64 are
 * failures of the local machine or misuse of this API.
 */
typedef enum kv_status {
    KV_OK = 0,

    KV_VALIDATION = 1,                 /**< ValidationException */
    KV_SERIALIZATION = 2,              /**< SerializationException */
    KV_RESOURCE_NOT_FOUND = 3,         /**< ResourceNotFoundException */
    KV_RESOURCE_IN_USE = 4,            /**< ResourceInUseException */
    KV_CONDITIONAL_CHECK_FAILED = 5,   /**< ConditionalCheckFailedException */
    KV_PROVISIONED_THROUGHPUT_EXCEEDED = 6, /**< ProvisionedThroughputExceededException */
    KV_THROTTLING = 7,                 /**< ThrottlingException */
    KV_REQUEST_LIMIT_EXCEEDED = 8,     /**< RequestLimitExceeded */
    KV_LIMIT_EXCEEDED = 9,             /**< LimitExceededException */
    KV_TRANSACTION_CANCELED = 10,      /**< TransactionCanceledException */
    KV_TRANSACTION_CONFLICT = 11,      /**< TransactionConflictException */
    KV_TRANSACTION_IN_PROGRESS = 12,   /**< TransactionInProgressException */
    KV_IDEMPOTENT_PARAMETER_MISMATCH = 13, /**< IdempotentParameterMismatchException */
    KV_ITEM_COLLECTION_SIZE_LIMIT_EXCEEDED = 14, /**< ItemCollectionSizeLimitExceededException */
    KV_UNKNOWN_OPERATION = 15,         /**< UnknownOperationException */
    KV_INTERNAL = 16,                  /**< InternalServerError */

    KV_NOMEM = 64,   /**< out of memory (reported as InternalServerError) */
    KV_IO = 65,      /**< the file system failed (InternalServerError) */
    KV_CORRUPT = 66, /**< a stored record is damaged (InternalServerError) */
    KV_MISUSE = 67,  /**< an argument to this API is invalid (ValidationException) */
} kv_status;

/** @return a short description of a status; static text, never NULL. */
KV_API const char *kv_status_str(kv_status status);

/**
 * @return the DynamoDB exception name for a status, for example
 * "ResourceNotFoundException"; "" for KV_OK; static text, never NULL.
 */
KV_API const char *kv_status_name(kv_status status);

/* ------------------------------------------------------------------------ */
/* Opening a database                                                        */
/* ------------------------------------------------------------------------ */

/** An open database.  Create with kv_db_open, destroy with kv_db_close. */
typedef struct kv_db kv_db;

/**
 * Options for kv_db_open.  Always initialise with kv_options_default and then
 * change the fields you need: new fields are added at the end and take their
 * defaults from that function.
 */
typedef struct kv_options {
    /**
     * 0 (default): each write is flushed to disk before the call returns.
     * Synced single-item writes of several threads share one commit and
     * one flush (group commit), each still all-or-nothing on its own.
     * 1: writes are not synced; a crash of the machine (not of the process)
     * may lose the most recent ones.  For tests and benchmarks.
     */
    int no_sync;

    /** 1: open for reading only; every write fails with KV_MISUSE. */
    int read_only;

    /**
     * Initial size in bytes of the memory map that holds the data; 0 means
     * the default (64 MiB).  The map grows by itself when it fills, so this
     * only matters for tests of that growth.
     */
    uint64_t map_size;

    /** Upper bound on the map's growth in bytes; 0 means no bound. */
    uint64_t max_map_size;

    /**
     * Permission bits for files the database creates (default 0600: not
     * readable by other users).  0644 lets other users read.
     */
    unsigned file_mode;

    /**
     * How many LMDB named databases the environment may hold; each table
     * uses one for its items and one per secondary index.  0 means the
     * default (4096).
     */
    unsigned max_dbs;

    /*
     * Fields added in 0.2.  Each takes one pointer-sized slot from
     * `reserved`, which shrank by the same number of slots, so the struct
     * keeps its size and every older field its offset.  Integer options are
     * intptr_t for that reason.
     */

    /**
     * The clock that provisioned capacity refills by, or NULL (default) for
     * the real wall clock.  kv_db_open copies the struct; its `arg` must
     * stay valid until kv_db_close.
     *
     * With the real clock, the capacity buckets and metrics of a database
     * live in a file beside it and are shared by every process that opens
     * it.  With an injected clock they are private to this handle and kept
     * in memory only, so a test's fake time cannot disturb other processes.
     * @since 0.2
     */
    const struct kv_clock *clock;

    /**
     * Seconds of unused provisioned capacity a table or index banks for
     * bursts (DynamoDB's "burst capacity").  kv_options_default sets 300, as
     * DynamoDB documents; 0 disables bursting, so a table never serves more
     * than one second of its provisioned rate at once.  At most 86400.
     * @since 0.2
     */
    intptr_t burst_seconds;

    /**
     * 0 (default): enforce provisioned and on-demand throughput, throttling
     * requests as DynamoDB does.  1: never throttle; consumption is still
     * counted in the metrics.
     * @since 0.2
     */
    intptr_t unlimited_capacity;

    /**
     * Client-side retries of throttled requests, as the AWS SDKs do, or NULL
     * (default) for none: every throttle is returned to the caller at once.
     * kv_db_open copies the policy.  See kv_retry_policy.
     * @since 0.2
     */
    const struct kv_retry_policy *retry;

    /**
     * The most bytes an item collection (the items of one partition key
     * value with their local secondary index entries) may hold; 0 (default)
     * means DynamoDB's 10 GB.  Tests set it small to reach the limit.
     * @since 0.2
     */
    intptr_t item_collection_limit;

    /** Reserved for fields added later; leave zeroed. */
    void *reserved[11];
} kv_options;

/** Fill @p opt with the defaults described on each field. */
KV_API void kv_options_default(kv_options *opt);

/**
 * Open (creating if needed) the database in directory @p path.
 *
 * The directory is created if it does not exist (its parent must).
 *
 * @param[in]  path  database directory
 * @param[in]  opt   options, or NULL for the defaults
 * @param[out] out   the new handle; NULL on failure
 * @return KV_OK, KV_IO (kv_errmsg(NULL) says why), KV_NOMEM, KV_CORRUPT
 *
 * On failure there is no handle, so the message is read with kv_errmsg(NULL),
 * which gives the calling thread's last failure of a call without a handle.
 * Thread-safe.  Close with kv_db_close.
 */
KV_API kv_status kv_db_open(const char *path, const kv_options *opt, kv_db **out);

/**
 * Close a database handle and free everything it owns.  No other thread may
 * be using the handle.  Accepts NULL.
 */
KV_API void kv_db_close(kv_db *db);

/**
 * The message of the calling thread's last failed call on @p db, or of its
 * last failed kv_db_open when @p db is NULL.  "" when there is none.  Owned
 * by the library; valid until this thread's next call on the same handle.
 */
KV_API const char *kv_errmsg(kv_db *db);

/** Free memory returned by kv_request and kv_item_to_json.  Accepts NULL. */
KV_API void kv_free(void *ptr);

/**
 * Storage figures of a database, for people looking after it (the kv
 * command's `kv stats`).  Filled by kv_db_stats; every figure is a
 * snapshot taken in one read transaction.
 *
 * Pages are LMDB's: fixed-size blocks of the data file.  A B-tree's
 * branch pages index its leaf pages, which hold the records; overflow
 * pages hold records too large for a leaf (big items).  Pages freed by
 * earlier writes wait on the free list and are reused before the file
 * grows.  Each table keeps its items in one named database and each
 * secondary index in another; the catalog has one more.
 *
 * @since 0.1
 */
typedef struct kv_db_stats_info {
    uint32_t page_size;       /**< bytes per page */
    uint32_t depth;           /**< deepest B-tree among the named databases */
    uint64_t branch_pages;    /**< summed over every named database */
    uint64_t leaf_pages;      /**< summed over every named database */
    uint64_t overflow_pages;  /**< summed over every named database */
    uint64_t entries;         /**< records, summed over every named database */
    uint32_t n_databases;     /**< named databases: catalog, tables, indexes */
    uint64_t map_size;        /**< bytes of the memory map now (it grows by itself) */
    uint64_t pages_used;      /**< pages of the map in use: the file's high-water mark */
    uint64_t free_pages;      /**< of those, pages on the free list, ready for reuse */
    uint32_t max_readers;     /**< reader slots in the lock file */
    uint32_t readers;         /**< reader slots taken so far (LMDB's high-water
                                   mark: a slot a reader frees stays counted) */
    uint64_t last_txn;        /**< id of the last committed write transaction */
    void *reserved[8];
} kv_db_stats_info;

/**
 * Read the storage figures of @p db.
 *
 * @param[in]  db   an open database
 * @param[out] out  filled on success; zeroed on failure
 * @return KV_OK, KV_MISUSE (NULL argument), KV_IO, KV_CORRUPT, KV_NOMEM
 *
 * Thread-safe.  Does not block writers.  Nothing to free.
 * @since 0.1
 */
KV_API kv_status kv_db_stats(kv_db *db, kv_db_stats_info *out);

/* ------------------------------------------------------------------------ */
/* Values and items                                                          */
/* ------------------------------------------------------------------------ */

/** The ten DynamoDB attribute types.  Values are ABI. */
typedef enum kv_type {
    KV_S = 1,    /**< string (UTF-8) */
    KV_N = 2,    /**< number: exact decimal, up to 38 significant digits */
    KV_B = 3,    /**< binary */
    KV_BOOL = 4, /**< boolean */
    KV_NULL = 5, /**< null */
    KV_M = 6,    /**< map of names to values */
    KV_L = 7,    /**< list of values */
    KV_SS = 8,   /**< string set */
    KV_NS = 9,   /**< number set */
    KV_BS = 10,  /**< binary set */
} kv_type;

/**
 * An item: a map of attribute names to values, together with the memory
 * that holds them.  Create with kv_item_new or kv_item_from_json; free with
 * kv_item_free.  Items returned by the library belong to the caller.
 */
typedef struct kv_item kv_item;

/**
 * One value inside an item.  A kv_value is never freed on its own: it lives
 * as long as the item it was made in or read from.
 */
typedef struct kv_value kv_value;

/** @return a new empty item, or NULL when out of memory. */
KV_API kv_item *kv_item_new(void);

/**
 * Free an item and every value in it.  Accepts NULL.  Any thread may free
 * any item.  The calling thread keeps the emptied memory of its last two
 * freed items (about a kilobyte each) for its next kv_item_new; that memory
 * is released when the thread exits, and the calling thread's by
 * kv_db_close.
 */
KV_API void kv_item_free(kv_item *item);

/**
 * Parse an item from DynamoDB JSON, for example
 * {"Artist": {"S": "Acme"}, "Year": {"N": "2015"}}.
 *
 * @param[in]  json   NUL-terminated JSON text
 * @param[out] out    the new item (free with kv_item_free); NULL on failure
 * @param[out] errmsg if not NULL, on failure receives a message to free with
 *                    kv_free
 * @return KV_OK, KV_VALIDATION or KV_SERIALIZATION (malformed input), KV_NOMEM
 */
KV_API kv_status kv_item_from_json(const char *json, kv_item **out, char **errmsg);

/**
 * Render an item as DynamoDB JSON.  @return NUL-terminated text to free with
 * kv_free, or NULL when out of memory.
 */
KV_API char *kv_item_to_json(const kv_item *item);

/*
 * Building values.  Each constructor makes a value inside @p item's memory
 * and returns it, or NULL when out of memory.  A value made this way joins
 * the item only when it is stored with kv_item_put, kv_value_put or
 * kv_value_push; until then it is simply unused.  Strings are copied.
 *
 * Values are checked when they are used in a request, with DynamoDB's
 * rules and messages (a number that is not a number, an empty set, a
 * duplicate in a set), so construction never fails for content.
 */
KV_API kv_value *kv_value_new_s(kv_item *item, const char *s, size_t len);
/** @p text is a decimal number such as "-12.5" or "1E3". */
KV_API kv_value *kv_value_new_n(kv_item *item, const char *text);
KV_API kv_value *kv_value_new_b(kv_item *item, const void *data, size_t len);
KV_API kv_value *kv_value_new_bool(kv_item *item, int truth);
KV_API kv_value *kv_value_new_null(kv_item *item);
/** @p type is KV_M, KV_L, KV_SS, KV_NS or KV_BS: an empty container. */
KV_API kv_value *kv_value_new_container(kv_item *item, kv_type type);

/**
 * Set top-level attribute @p name of @p item to @p value (a value made in
 * the same item), replacing any earlier value of that name.
 * @return KV_OK, KV_NOMEM, KV_MISUSE (NULL argument)
 */
KV_API kv_status kv_item_put(kv_item *item, const char *name, kv_value *value);

/** Shorthands for kv_item_put with a new scalar; NUL-terminated inputs. */
KV_API kv_status kv_item_put_s(kv_item *item, const char *name, const char *s);
KV_API kv_status kv_item_put_n(kv_item *item, const char *name, const char *number);
KV_API kv_status kv_item_put_b(kv_item *item, const char *name, const void *data,
                               size_t len);
KV_API kv_status kv_item_put_bool(kv_item *item, const char *name, int truth);
KV_API kv_status kv_item_put_null(kv_item *item, const char *name);

/**
 * Set member @p name of map @p map to @p value.  Both must belong to
 * @p item.  @return KV_OK, KV_NOMEM, KV_MISUSE (not a map)
 */
KV_API kv_status kv_value_put(kv_item *item, kv_value *map, const char *name,
                              kv_value *value);

/**
 * Append @p value to list or set @p container.  Both must belong to
 * @p item.  @return KV_OK, KV_NOMEM, KV_MISUSE (not a list or set)
 */
KV_API kv_status kv_value_push(kv_item *item, kv_value *container, kv_value *value);

/*
 * Reading values.  Pointers returned point into the item and live as long
 * as it does.
 */

/** @return how many top-level attributes @p item has. */
KV_API size_t kv_item_count(const kv_item *item);

/** @return the attribute called @p name, or NULL. */
KV_API const kv_value *kv_item_get(const kv_item *item, const char *name);

/**
 * @return the name of attribute @p i (0-based, in no particular order), and
 * its value through @p value; NULL when @p i is out of range.
 */
KV_API const char *kv_item_at(const kv_item *item, size_t i, const kv_value **value);

/** @return the value's type. */
KV_API kv_type kv_value_type(const kv_value *v);

/**
 * For S, N and B: the bytes, and their count through @p len.  S is UTF-8;
 * N is the number's canonical text, for example "1.5".  The bytes are
 * followed by a NUL that @p len does not count.  NULL for other types.
 */
KV_API const char *kv_value_bytes(const kv_value *v, size_t *len);

/** For BOOL: 1 or 0.  0 for other types. */
KV_API int kv_value_bool(const kv_value *v);

/** For M, L, SS, NS, BS: the number of members or elements; else 0. */
KV_API size_t kv_value_count(const kv_value *v);

/** For L, SS, NS, BS: element @p i, or NULL when out of range. */
KV_API const kv_value *kv_value_at(const kv_value *v, size_t i);

/** For M: the member called @p name, or NULL. */
KV_API const kv_value *kv_value_get(const kv_value *v, const char *name);

/**
 * For M: the name of member @p i and its value through @p value; NULL when
 * @p i is out of range.
 */
KV_API const char *kv_value_member_at(const kv_value *v, size_t i, const kv_value **value);

/* ------------------------------------------------------------------------ */
/* Tables                                                                    */
/* ------------------------------------------------------------------------ */

typedef enum kv_billing_mode {
    KV_PROVISIONED = 0,
    KV_PAY_PER_REQUEST = 1,
} kv_billing_mode;

/** A key attribute: its name and its type (KV_S, KV_N or KV_B). */
typedef struct kv_key_attr {
    const char *name;
    kv_type type;
} kv_key_attr;

/** Which attributes a secondary index stores with its keys. */
typedef enum kv_projection {
    KV_PROJECT_ALL = 0,       /**< every attribute */
    KV_PROJECT_KEYS_ONLY = 1, /**< the table's and the index's keys */
    KV_PROJECT_INCLUDE = 2,   /**< the keys and non_key_attrs */
} kv_projection;

/**
 * A secondary index for kv_table_create (global or local) or for
 * kv_table_update (global only).  Unused fields must be zero.
 */
typedef struct kv_index_def {
    const char *name;
    int global;             /**< 1: global secondary index; 0: local */
    kv_key_attr hash_key;   /**< a local index's is the table's */
    kv_key_attr range_key;  /**< name NULL when absent; required for local */
    kv_projection projection;
    const char *const *non_key_attrs; /**< KV_PROJECT_INCLUDE only */
    size_t n_non_key_attrs;
    int64_t read_capacity;  /**< global indexes of provisioned tables */
    int64_t write_capacity;
    void *reserved[4];
} kv_index_def;

/**
 * What kv_table_create needs.  Unused fields must be zero; the range key
 * is absent when range_key.name is NULL.
 */
typedef struct kv_table_def {
    const char *name;
    kv_key_attr hash_key;
    kv_key_attr range_key;
    kv_billing_mode billing_mode;
    int64_t read_capacity;  /**< provisioned mode only */
    int64_t write_capacity; /**< provisioned mode only */
    const kv_index_def *indexes; /**< @since 0.2: local and global indexes */
    size_t n_indexes;
    int deletion_protection;     /**< @since 0.2 */
    void *reserved[5];
} kv_table_def;

/** A secondary index as kv_table_info describes it.  Strings belong to it. */
typedef struct kv_index_info {
    const char *name;
    int global;
    kv_key_attr hash_key;
    kv_key_attr range_key;   /**< name NULL when absent */
    kv_projection projection;
    const char *const *non_key_attrs;
    size_t n_non_key_attrs;
    const char *status;      /**< "ACTIVE", or "CREATING" while it is built */
    int backfilling;         /**< 1 while existing items are copied in */
    int64_t read_capacity;   /**< global indexes of provisioned tables */
    int64_t write_capacity;
    uint64_t item_count;
    uint64_t size_bytes;
    const char *arn;
    void *reserved[4];
} kv_index_info;

/**
 * A table's description, as DescribeTable gives it.  Returned by
 * kv_table_describe, freed with kv_table_info_free.  Strings belong to it.
 */
typedef struct kv_table_info {
    const char *name;
    const char *status; /**< "ACTIVE", "CREATING", ... */
    const char *arn;
    const char *id;     /**< TableId, a UUID */
    kv_key_attr hash_key;
    kv_key_attr range_key; /**< name NULL when the table has no sort key */
    kv_billing_mode billing_mode;
    int64_t read_capacity;  /**< 0 for on-demand tables */
    int64_t write_capacity;
    double creation_time;   /**< seconds since the epoch */
    uint64_t item_count;
    uint64_t size_bytes;    /**< TableSizeBytes */
    const kv_index_info *indexes; /**< @since 0.2: local ones first */
    size_t n_indexes;
    int deletion_protection;      /**< @since 0.2 */
    void *reserved[5];
} kv_table_info;

/**
 * Create a table (CreateTable).
 * @param[out] info if not NULL, receives the new table's description (free
 *                  with kv_table_info_free); NULL on failure
 * @return KV_OK, KV_VALIDATION, KV_RESOURCE_IN_USE (name taken),
 *         KV_LIMIT_EXCEEDED, KV_NOMEM, KV_IO
 */
KV_API kv_status kv_table_create(kv_db *db, const kv_table_def *def, kv_table_info **info);

/**
 * Describe a table (DescribeTable).
 * @param[out] info the description, to free with kv_table_info_free
 * @return KV_OK, KV_VALIDATION, KV_RESOURCE_NOT_FOUND
 */
KV_API kv_status kv_table_describe(kv_db *db, const char *name, kv_table_info **info);

/** Free a description.  Accepts NULL. */
KV_API void kv_table_info_free(kv_table_info *info);

/**
 * Changes for kv_table_update (UpdateTable).  Zero fields change nothing.
 */
typedef struct kv_table_changes {
    int set_billing_mode;         /**< 1: switch to billing_mode */
    kv_billing_mode billing_mode;
    int64_t read_capacity;        /**< both set: the table's new throughput */
    int64_t write_capacity;
    const kv_index_def *create_index; /**< a new global index, built in the background */
    const char *delete_index;     /**< a global index to delete */
    const char *update_index;     /**< a global index to give index_*_capacity */
    int64_t index_read_capacity;
    int64_t index_write_capacity;
    int set_deletion_protection;  /**< 1: set deletion_protection */
    int deletion_protection;
    void *reserved[8];
} kv_table_changes;

/**
 * Change a table (UpdateTable): throughput, billing mode, deletion
 * protection, and global secondary indexes.  A new index is CREATING until
 * a background thread has copied the existing items into it (see
 * kv_index_info.status); kv_db_close finishes that copy first, and a
 * database closed in the middle carries on when opened again.
 * @param[out] info if not NULL, the description as the change leaves it
 *                  (free with kv_table_info_free)
 * @return KV_OK, KV_VALIDATION, KV_RESOURCE_NOT_FOUND, KV_LIMIT_EXCEEDED
 *         (decrease quota, one index change at a time), KV_RESOURCE_IN_USE
 */
KV_API kv_status kv_table_update(kv_db *db, const char *name, const kv_table_changes *changes,
                                 kv_table_info **info);

/**
 * Delete a table and all its items (DeleteTable).
 * @return KV_OK, KV_VALIDATION, KV_RESOURCE_NOT_FOUND
 */
KV_API kv_status kv_table_delete(kv_db *db, const char *name);

/**
 * List table names in ascending byte order (ListTables).
 * @param[in]  start  list names after this one (exclusive), or NULL
 * @param[in]  limit  at most this many names (1..100); 0 means 100
 * @param[out] names  array of @p *count NUL-terminated names; free the whole
 *                    array with kv_free (one allocation)
 * @param[out] last   if not NULL, receives the last name returned when more
 *                    remain (LastEvaluatedTableName), else NULL; free with
 *                    kv_free
 * @return KV_OK, KV_VALIDATION
 */
KV_API kv_status kv_table_list(kv_db *db, const char *start, int limit, char ***names,
                               size_t *count, char **last);

/**
 * Receives one inconsistency found by kv_db_check: the table, the index
 * (NULL for the table itself) and a description.  The strings are valid
 * only during the call.
 */
typedef void (*kv_check_fn)(void *arg, const char *table, const char *index,
                            const char *problem);

/**
 * Verify that every secondary index entry matches its item, that every
 * item has exactly the entries it should, and that the item counts and
 * sizes DescribeTable reports are right.  Reads one consistent snapshot, so
 * it may run while others write.
 * @param table   one table, or NULL for every table
 * @param report  called once per inconsistency; may be NULL
 * @param arg     passed to @p report
 * @param[out] problems  the number found; may be NULL
 * @return KV_OK when everything agrees, KV_CORRUPT when inconsistencies
 *         were found, KV_RESOURCE_NOT_FOUND for an unknown table, KV_IO
 */
KV_API kv_status kv_db_check(kv_db *db, const char *table, kv_check_fn report, void *arg,
                             uint64_t *problems);

/* ------------------------------------------------------------------------ */
/* Items                                                                     */
/* ------------------------------------------------------------------------ */

/** What a write returns of the item it replaced or deleted. */
typedef enum kv_return_values {
    KV_RETURN_NONE = 0,
    KV_RETURN_ALL_OLD = 1,
    KV_RETURN_UPDATED_OLD = 2,
    KV_RETURN_ALL_NEW = 3,
    KV_RETURN_UPDATED_NEW = 4,
} kv_return_values;

/**
 * Expressions of a single-item request, in DynamoDB's expression language:
 * a ConditionExpression, and the placeholders its text uses.  @p names maps
 * each "#name" to an attribute name (every value of the item an S);
 * @p values maps each ":value" to a value.  NULL fields are absent.
 */
typedef struct kv_expr_args {
    const char *condition;  /**< ConditionExpression, or NULL */
    const char *projection; /**< ProjectionExpression (GetItem), or NULL */
    const kv_item *names;   /**< ExpressionAttributeNames, or NULL */
    const kv_item *values;  /**< ExpressionAttributeValues, or NULL */
} kv_expr_args;

/** Options for kv_put_item, kv_delete_item and kv_update_item; NULL means
 * all defaults. */
typedef struct kv_write_opts {
    kv_return_values return_values; /**< put, delete: NONE or ALL_OLD */
    kv_expr_args expr;
    /** 1: a failed condition carries the old item (see kv_error_item). */
    int return_old_on_condition_failure;
    void *reserved[8];
} kv_write_opts;

/** Options for kv_get_item; NULL means all defaults. */
typedef struct kv_get_opts {
    int consistent_read; /**< strongly consistent (reads cost twice as much) */
    kv_expr_args expr;   /**< projection and names only */
    void *reserved[8];
} kv_get_opts;

/**
 * The item that the calling thread's last failed call on @p db carried:
 * the old item of a ConditionalCheckFailedException when
 * return_old_on_condition_failure asked for it.  NULL when there is none.
 * A new item: free it with kv_item_free.
 */
KV_API kv_item *kv_error_item(kv_db *db);

/**
 * One reason a request was throttled: DynamoDB's ThrottlingReason.
 * @since 0.2
 */
typedef struct kv_throttling_reason {
    /**
     * Table|Index + Read|Write + ProvisionedThroughputExceeded |
     * KeyRangeThroughputExceeded | AccountLimitExceeded |
     * MaxOnDemandThroughputExceeded, e.g.
     * "TableWriteProvisionedThroughputExceeded".
     */
    const char *reason;
    /** The ARN of the table or index that refused the request. */
    const char *resource;
} kv_throttling_reason;

/**
 * The ThrottlingReasons of the calling thread's last failed call on @p db,
 * when it failed with KV_PROVISIONED_THROUGHPUT_EXCEEDED or KV_THROTTLING:
 * one for each table or index, direction and cause that refused it.
 * kv_errmsg gives the exception's message.
 *
 * @param[out] count  the number of reasons; 0 when there are none
 * @return an array of *count reasons, or NULL when there are none.  Owned
 *         by the library, like kv_errmsg's text: valid until this thread's
 *         next call on the same handle.
 * @since 0.2
 */
KV_API const kv_throttling_reason *kv_error_throttling_reasons(kv_db *db, size_t *count);

/*
 * Capacity.  Every item call below spends its table's (and, for writes,
 * its global secondary indexes') throughput, as DynamoDB does.  A call
 * refused for capacity fails with KV_PROVISIONED_THROUGHPUT_EXCEEDED or
 * KV_THROTTLING and changes nothing; kv_error_throttling_reasons says which
 * table or index refused it.  With kv_options.retry, such a call is first
 * retried as the AWS SDKs retry it.
 */

/**
 * Write an item, replacing any item with the same key (PutItem).
 * @param[in]  item the item; it stays the caller's
 * @param[out] old  if not NULL and opts asks for ALL_OLD, receives the item
 *                  replaced (NULL if there was none); free with kv_item_free
 * @return KV_OK, KV_VALIDATION, KV_RESOURCE_NOT_FOUND,
 *         KV_CONDITIONAL_CHECK_FAILED, KV_PROVISIONED_THROUGHPUT_EXCEEDED,
 *         KV_THROTTLING, KV_NOMEM, KV_IO
 */
KV_API kv_status kv_put_item(kv_db *db, const char *table, const kv_item *item,
                             const kv_write_opts *opts, kv_item **old);

/**
 * Read the item with the given key (GetItem).
 * @param[in]  key  an item holding exactly the table's key attributes
 * @param[out] out  the item, or NULL if there is none (not an error); free
 *                  with kv_item_free
 * @return KV_OK, KV_VALIDATION, KV_RESOURCE_NOT_FOUND,
 *         KV_PROVISIONED_THROUGHPUT_EXCEEDED, KV_THROTTLING, KV_NOMEM, KV_CORRUPT
 */
KV_API kv_status kv_get_item(kv_db *db, const char *table, const kv_item *key,
                             const kv_get_opts *opts, kv_item **out);

/**
 * Delete the item with the given key (DeleteItem); deleting an absent item
 * succeeds.
 * @param[out] old  as for kv_put_item
 * @return KV_OK, KV_VALIDATION, KV_RESOURCE_NOT_FOUND,
 *         KV_CONDITIONAL_CHECK_FAILED, KV_PROVISIONED_THROUGHPUT_EXCEEDED,
 *         KV_THROTTLING, KV_NOMEM, KV_IO
 */
KV_API kv_status kv_delete_item(kv_db *db, const char *table, const kv_item *key,
                                const kv_write_opts *opts, kv_item **old);

/**
 * Change attributes of an item, or create it (UpdateItem).
 * @param[in]  update  an UpdateExpression ("SET a = :v REMOVE b"), or NULL
 * @param[in]  opts    return values, condition and placeholders; may be NULL
 * @param[out] attributes if not NULL, receives what opts->return_values
 *                  asks for (NULL when nothing); free with kv_item_free
 * @return KV_OK, KV_VALIDATION, KV_RESOURCE_NOT_FOUND,
 *         KV_CONDITIONAL_CHECK_FAILED, KV_PROVISIONED_THROUGHPUT_EXCEEDED,
 *         KV_THROTTLING, KV_NOMEM, KV_IO
 */
KV_API kv_status kv_update_item(kv_db *db, const char *table, const kv_item *key,
                                const char *update, const kv_write_opts *opts,
                                kv_item **attributes);

/* ------------------------------------------------------------------------ */
/* Query and Scan                                                            */
/* ------------------------------------------------------------------------ */

/** Which attributes a Query or Scan returns (Select). */
typedef enum kv_select {
    /** ALL_ATTRIBUTES; ALL_PROJECTED_ATTRIBUTES when reading an index;
     * SPECIFIC_ATTRIBUTES when there is a projection */
    KV_SELECT_DEFAULT = 0,
    KV_SELECT_ALL_ATTRIBUTES = 1,
    KV_SELECT_ALL_PROJECTED_ATTRIBUTES = 2,
    KV_SELECT_SPECIFIC_ATTRIBUTES = 3,
    KV_SELECT_COUNT = 4, /**< only Count and ScannedCount, no items */
} kv_select;

/**
 * Options for kv_query and kv_scan; NULL means all defaults.  Every pointer
 * is the caller's and is only read during the call.
 * @since 0.2
 */
typedef struct kv_read_opts {
    const char *index;      /**< IndexName, or NULL to read the table */
    const char *filter;     /**< FilterExpression, or NULL */
    const char *projection; /**< ProjectionExpression, or NULL */
    const kv_item *names;   /**< ExpressionAttributeNames, or NULL */
    const kv_item *values;  /**< ExpressionAttributeValues, or NULL */
    kv_select select;
    /** Limit: stop after reading this many items (counted before the
     * filter); 0 for no limit.  A negative limit is DynamoDB's
     * ValidationException for a Limit below 1. */
    int64_t limit;
    /** ExclusiveStartKey: a previous result's last_evaluated_key (or an
     * item of the same key attributes) to continue after, or NULL. */
    const kv_item *exclusive_start_key;
    int consistent_read; /**< strongly consistent (twice the units) */
    int backward;        /**< kv_query: descending sort key order
                              (ScanIndexForward false) */
    /** kv_scan: read segment @p segment of @p total_segments (a parallel
     * scan); total_segments 0 and segment 0 read the whole table. */
    int64_t segment, total_segments;
    void *reserved[8];
} kv_read_opts;

/**
 * One page of a kv_query or kv_scan.  Everything in it belongs to the
 * result, items included: read the items, do not change or free them, and
 * free the whole with kv_read_result_free.
 * @since 0.2
 */
typedef struct kv_read_result {
    kv_item **items;          /**< Items, in the read's order; none for KV_SELECT_COUNT */
    size_t n_items;
    uint64_t count;           /**< Count: items that passed the filter */
    uint64_t scanned_count;   /**< ScannedCount: items read */
    /** LastEvaluatedKey: where the next page starts (pass it as
     * exclusive_start_key); NULL when there is nothing more to read. */
    kv_item *last_evaluated_key;
    double capacity_units;       /**< read units consumed, table and indexes */
    double table_capacity_units; /**< of which on the table itself */
    void *reserved[4];
} kv_read_result;

/**
 * Read one page of the items of one partition (Query): those whose
 * partition key and sort key meet @p key_condition, in sort key order
 * (descending with opts->backward), from the table or opts->index.  A
 * page ends after opts->limit items or 1 MB read, as DynamoDB's does;
 * it is read from one consistent snapshot and admitted and charged as one
 * request.  Errors are the JSON request's, word for word.
 *
 * @param[in]  key_condition  KeyConditionExpression, e.g. "pk = :p AND
 *                            sk > :s", with placeholders in opts
 * @param[out] result the page; free with kv_read_result_free; NULL on failure
 * @return KV_OK, KV_VALIDATION, KV_RESOURCE_NOT_FOUND,
 *         KV_PROVISIONED_THROUGHPUT_EXCEEDED, KV_THROTTLING, KV_NOMEM,
 *         KV_CORRUPT, KV_MISUSE (no result pointer, an unknown select)
 * @since 0.2
 */
KV_API kv_status kv_query(kv_db *db, const char *table, const char *key_condition,
                          const kv_read_opts *opts, kv_read_result **result);

/**
 * Read one page of every item of a table or index (Scan), in the order of
 * the partition keys' hashes, or of one segment of it; otherwise as
 * kv_query (opts->backward is not used).
 * @since 0.2
 */
KV_API kv_status kv_scan(kv_db *db, const char *table, const kv_read_opts *opts,
                         kv_read_result **result);

/** Free a kv_query or kv_scan result and every item in it.  Accepts NULL. */
KV_API void kv_read_result_free(kv_read_result *result);

/* ------------------------------------------------------------------------ */
/* Batches                                                                   */
/* ------------------------------------------------------------------------ */

/**
 * One table's part of a kv_batch_get: the keys to read and how.  Every
 * pointer is the caller's and is only read during the call.
 */
typedef struct kv_batch_get_table {
    const char *table;
    const kv_item *const *keys; /**< n_keys keys, each exactly the key attributes */
    size_t n_keys;
    const char *projection;     /**< ProjectionExpression, or NULL for whole items */
    const kv_item *names;       /**< ExpressionAttributeNames, or NULL */
    int consistent_read;        /**< strongly consistent (twice the units) */
    void *reserved[4];
} kv_batch_get_table;

/** What kv_batch_get read of one table. */
typedef struct kv_batch_get_table_result {
    const char *table;
    kv_item **items;      /**< the items found, in key order; absent keys are left out */
    size_t n_items;
    size_t *unprocessed;  /**< indexes into the request's keys left unread (16 MB, throttled) */
    size_t n_unprocessed;
    double capacity_units; /**< read units consumed on the table */
    void *reserved[4];
} kv_batch_get_table_result;

/**
 * kv_batch_get's result: one entry per table of the request, in its order.
 * Everything in it, items included, belongs to the result and is freed
 * with kv_batch_get_result_free.
 */
typedef struct kv_batch_get_result {
    kv_batch_get_table_result *tables;
    size_t n_tables;
    void *reserved[4];
} kv_batch_get_result;

/**
 * Read up to 100 items from one or more tables (BatchGetItem), all from one
 * consistent snapshot (each attempt's, when keys are asked for again).
 *
 * When the items would pass 16 MB, the rest are not read: their keys are
 * listed in `unprocessed` for the caller to ask for again, as DynamoDB
 * returns UnprocessedKeys.  So are keys throttled: each key is admitted
 * on its own, and the batch fails only if no key could be read.  Under a
 * retry policy (kv_options.retry) the unprocessed keys are asked for again
 * after the policy's back-off, within its attempts, and the result covers
 * every attempt.
 *
 * @param[in]  tables   n_tables tables, each named once
 * @param[out] result   the items read; free with kv_batch_get_result_free;
 *                      NULL on failure
 * @return KV_OK, KV_VALIDATION (limits, duplicate keys, keys that do not
 *         match the schema), KV_RESOURCE_NOT_FOUND,
 *         KV_PROVISIONED_THROUGHPUT_EXCEEDED or KV_THROTTLING (every key
 *         throttled), KV_NOMEM, KV_CORRUPT
 * @since 0.1
 */
KV_API kv_status kv_batch_get(kv_db *db, const kv_batch_get_table *tables, size_t n_tables,
                              kv_batch_get_result **result);

/** Free a kv_batch_get result and every item in it.  Accepts NULL. */
KV_API void kv_batch_get_result_free(kv_batch_get_result *result);

/** What one element of a kv_batch_write does. */
typedef enum kv_write_kind {
    KV_WRITE_PUT = 1,    /**< PutRequest: replace the item */
    KV_WRITE_DELETE = 2, /**< DeleteRequest: delete the item with this key */
} kv_write_kind;

/** One PutRequest or DeleteRequest. */
typedef struct kv_write_request {
    kv_write_kind kind;
    const kv_item *item; /**< KV_WRITE_PUT: the item; KV_WRITE_DELETE: the key */
} kv_write_request;

/** One table's part of a kv_batch_write. */
typedef struct kv_batch_write_table {
    const char *table;
    const kv_write_request *requests;
    size_t n_requests;
    void *reserved[4];
} kv_batch_write_table;

/** What kv_batch_write did on one table. */
typedef struct kv_batch_write_table_result {
    const char *table;
    size_t *unprocessed;   /**< indexes into the table's requests not written */
    size_t n_unprocessed;
    double capacity_units; /**< write units consumed on the table and its indexes */
    void *reserved[4];
} kv_batch_write_table_result;

/** kv_batch_write's result, one entry per table of the request, in order. */
typedef struct kv_batch_write_result {
    kv_batch_write_table_result *tables;
    size_t n_tables;
    void *reserved[4];
} kv_batch_write_result;

/**
 * Write up to 25 puts and deletes across tables (BatchWriteItem).
 *
 * Every request is checked before anything is written: a request that
 * fails leaves every table as it was.  A request element may come back in
 * `unprocessed` (throttling: each is admitted on its own); send those
 * again.  Under a retry policy (kv_options.retry) that is done here: after
 * the policy's back-off the unprocessed elements are sent again, within
 * its attempts, and the result covers every attempt.
 *
 * @param[out] result  if not NULL, what was done; free with
 *                     kv_batch_write_result_free; NULL on failure
 * @return KV_OK, KV_VALIDATION (limits, two requests for one item, keys that
 *         do not match the schema, items over 400 KB), KV_RESOURCE_NOT_FOUND,
 *         KV_PROVISIONED_THROUGHPUT_EXCEEDED or KV_THROTTLING (every element
 *         throttled: nothing written), KV_NOMEM, KV_IO
 * @since 0.1
 */
KV_API kv_status kv_batch_write(kv_db *db, const kv_batch_write_table *tables,
                                size_t n_tables, kv_batch_write_result **result);

/** Free a kv_batch_write result.  Accepts NULL. */
KV_API void kv_batch_write_result_free(kv_batch_write_result *result);

/* ------------------------------------------------------------------------ */
/* Transactions                                                              */
/* ------------------------------------------------------------------------ */

/** The four actions of a write transaction. */
typedef enum kv_transact_kind {
    KV_TRANSACT_PUT = 1,
    KV_TRANSACT_UPDATE = 2,
    KV_TRANSACT_DELETE = 3,
    KV_TRANSACT_CONDITION_CHECK = 4,
} kv_transact_kind;

/** One action of kv_transact_write, with its own expressions. */
typedef struct kv_transact_write_item {
    kv_transact_kind kind;
    const char *table;
    const kv_item *item;   /**< PUT: the item; the others: the key */
    const char *update;    /**< UPDATE: the UpdateExpression (required) */
    kv_expr_args expr;     /**< ConditionExpression (required for
                                CONDITION_CHECK) and the placeholders */
    /** 1: a failed condition returns the old item in its cancellation
     * reason (see kv_error_reason_item). */
    int return_old_on_condition_failure;
    void *reserved[4];
} kv_transact_write_item;

/** Options of kv_transact_write; NULL means none. */
typedef struct kv_transact_write_opts {
    /**
     * ClientRequestToken, 1 to 36 bytes, or NULL.  The same request sent
     * again with the same token within 10 minutes of the first one's
     * completion succeeds without running again (even from another
     * process); a different request with that token fails with
     * KV_IDEMPOTENT_PARAMETER_MISMATCH.
     */
    const char *client_request_token;
    void *reserved[8];
} kv_transact_write_opts;

/** Capacity consumed on one table. */
typedef struct kv_table_capacity {
    const char *table;
    double read_units;
    double write_units;
} kv_table_capacity;

/** kv_transact_write's result.  Free with kv_transact_write_result_free. */
typedef struct kv_transact_write_result {
    kv_table_capacity *capacity; /**< per table, in order of first use */
    size_t n_capacity;
    /** 1 when the token's transaction had already run: nothing was written
     * now, and capacity gives the read units DynamoDB reports for that. */
    int replayed;
    void *reserved[4];
} kv_transact_write_result;

/**
 * Apply up to 100 actions together, all or none (TransactWriteItems).
 *
 * No two actions may name the same item.  If any action's condition fails,
 * or an action cannot apply to its item, or the actions together do not
 * fit in the capacity available (reason ProvisionedThroughputExceeded or
 * ThrottlingError on each action that did not), nothing is written and the
 * call returns KV_TRANSACTION_CANCELED; kv_error_reason_count and the
 * functions after it then give one reason per action, in order.
 *
 * Example: move a unit of stock only if some is left.
 *
 *     kv_transact_write_item acts[2] = {
 *         {.kind = KV_TRANSACT_UPDATE, .table = "Stock", .item = key,
 *          .update = "SET n = n - :one",
 *          .expr = {.condition = "n >= :one", .values = one}},
 *         {.kind = KV_TRANSACT_PUT, .table = "Orders", .item = order},
 *     };
 *     if (kv_transact_write(db, acts, 2, NULL, NULL) == KV_TRANSACTION_CANCELED)
 *         printf("%s\n", kv_error_reason_code(db, 0));  // "ConditionalCheckFailed"
 *
 * @param[out] result if not NULL, the capacity consumed; free with
 *                    kv_transact_write_result_free; NULL on failure
 * @return KV_OK, KV_VALIDATION, KV_RESOURCE_NOT_FOUND,
 *         KV_TRANSACTION_CANCELED, KV_IDEMPOTENT_PARAMETER_MISMATCH,
 *         KV_NOMEM, KV_IO
 * @since 0.1
 */
KV_API kv_status kv_transact_write(kv_db *db, const kv_transact_write_item *items,
                                   size_t n_items, const kv_transact_write_opts *opts,
                                   kv_transact_write_result **result);

/** Free a kv_transact_write result.  Accepts NULL. */
KV_API void kv_transact_write_result_free(kv_transact_write_result *result);

/** One Get of kv_transact_get. */
typedef struct kv_transact_get_item {
    const char *table;
    const kv_item *key;
    const char *projection; /**< ProjectionExpression, or NULL */
    const kv_item *names;   /**< ExpressionAttributeNames, or NULL */
    void *reserved[4];
} kv_transact_get_item;

/** kv_transact_get's result.  Free with kv_transact_get_result_free. */
typedef struct kv_transact_get_result {
    kv_item **items;  /**< one per Get, in order; NULL where there is no item */
    size_t n_items;
    kv_table_capacity *capacity;
    size_t n_capacity;
    void *reserved[4];
} kv_transact_get_result;

/**
 * Read up to 100 items together, from one consistent snapshot
 * (TransactGetItems).  A key that does not match its table's schema cancels
 * the whole read with KV_TRANSACTION_CANCELED and a ValidationError reason;
 * Gets that together do not fit in the read capacity available cancel it
 * with ProvisionedThroughputExceeded or ThrottlingError reasons.
 *
 * @param[out] result the items; free with kv_transact_get_result_free
 * @return KV_OK, KV_VALIDATION, KV_RESOURCE_NOT_FOUND,
 *         KV_TRANSACTION_CANCELED, KV_NOMEM, KV_CORRUPT
 * @since 0.1
 */
KV_API kv_status kv_transact_get(kv_db *db, const kv_transact_get_item *items, size_t n_items,
                                 kv_transact_get_result **result);

/** Free a kv_transact_get result and its items.  Accepts NULL. */
KV_API void kv_transact_get_result_free(kv_transact_get_result *result);

/*
 * The cancellation reasons of the calling thread's last failed call on
 * @p db, when it was KV_TRANSACTION_CANCELED: one per action, in order.
 * Strings belong to the handle and stay valid until this thread's next
 * call on it, like kv_errmsg.
 */

/** @return how many reasons there are (0 when the last call was not cancelled). */
KV_API size_t kv_error_reason_count(kv_db *db);
/** @return reason @p i's code ("None", "ConditionalCheckFailed",
 * "ValidationError", ...), or NULL when @p i is out of range. */
KV_API const char *kv_error_reason_code(kv_db *db, size_t i);
/** @return reason @p i's message, or NULL when it has none. */
KV_API const char *kv_error_reason_message(kv_db *db, size_t i);
/** @return the old item reason @p i carries, as a new item to free with
 * kv_item_free, or NULL when it carries none. */
KV_API kv_item *kv_error_reason_item(kv_db *db, size_t i);

/* ------------------------------------------------------------------------ */
/* The JSON request API                                                      */
/* ------------------------------------------------------------------------ */

/**
 * Run one DynamoDB operation given as JSON.
 *
 * @param[in]  operation  DynamoDB's operation name, e.g. "PutItem"
 * @param[in]  request    the request body, DynamoDB's JSON (need not be
 *                        NUL-terminated)
 * @param[in]  len        its length in bytes
 * @param[out] response   on KV_OK, the response body; on a DynamoDB exception,
 *                        its error body, for example
 *                        {"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
 *                         "message":"Requested resource not found"};
 *                        NUL-terminated, free with kv_free.  NULL only when
 *                        out of memory.
 * @return KV_OK or the exception's status; kv_errmsg(db) has the message.
 *         KV_NOMEM can also mean that the operation was carried out but its
 *         response could not be written: like DynamoDB's InternalServerError,
 *         it leaves a write possibly applied.
 *
 * A throttled request's error body carries DynamoDB's ThrottlingReasons,
 * and with kv_options.retry it is retried first, as by the typed functions.
 * Thread-safe.  The typed functions above run the same operation code.
 */
KV_API kv_status kv_request(kv_db *db, const char *operation, const char *request,
                            size_t len, char **response);

/* ------------------------------------------------------------------------ */
/* Time, throttling and retries                                              */
/* ------------------------------------------------------------------------ */

/**
 * A clock for kv_options.clock, so that throttling can be tested in fake,
 * instant time.
 *
 * Example: a test clock that only moves when told to.
 *
 *     static int64_t fake_now(void *arg) { return *(int64_t *)arg; }
 *     static void fake_sleep(void *arg, int64_t ms) { *(int64_t *)arg += ms; }
 *
 *     int64_t now = 1700000000000;
 *     kv_clock clk = {fake_now, fake_sleep, &now};
 *     opt.clock = &clk;             // then kv_db_open(dir, &opt, &db)
 *     ...
 *     now += 1000;                  // one second passes for the buckets
 *
 * Both functions are called from whichever thread makes a request, so they
 * must be thread-safe when the handle is shared.  now_ms may be called with
 * the library's locks held: it must not call into libkv.
 * @since 0.2
 */
typedef struct kv_clock {
    /** The current time in milliseconds since the Unix epoch.  Required. */
    int64_t (*now_ms)(void *arg);
    /**
     * Wait @p ms milliseconds of this clock's time (a fake clock simply
     * advances).  Used by retries.  NULL means a real sleep.
     */
    void (*sleep_ms)(void *arg, int64_t ms);
    /** Passed to both functions. */
    void *arg;
} kv_clock;

/**
 * A client-side retry policy for throttled requests, modelled on the AWS
 * SDKs: after failed attempt n (1-based) the request waits a uniformly
 * random time in [0, min(max_delay_ms, base_delay_ms * 2^(n-1))]
 * milliseconds ("exponential backoff with full jitter") and tries again,
 * up to max_attempts attempts in all.  Only statuses for which
 * kv_status_retryable is true are retried.  kv_batch_write and
 * kv_batch_get also send their unprocessed elements again, as the SDKs'
 * batch helpers do; through kv_request, as with DynamoDB's low-level API,
 * that loop is the caller's.
 *
 * Initialise with kv_retry_policy_default, then change what you need.
 * @since 0.2
 */
typedef struct kv_retry_policy {
    /** Attempts in all, the first included; 1 (or less) means no retry. */
    int max_attempts;
    /** The first retry waits up to this long; each later one doubles it. */
    int64_t base_delay_ms;
    /** No single wait is longer than this. */
    int64_t max_delay_ms;
    /**
     * The jitter source: each call returns 64 uniformly random bits.  NULL
     * means the library's own generator.  Tests inject a fixed sequence.
     */
    uint64_t (*random)(void *arg);
    /** Passed to random. */
    void *random_arg;
    /** Reserved for fields added later; leave zeroed. */
    void *reserved[4];
} kv_retry_policy;

/**
 * Fill @p policy with the defaults: 10 attempts, 50 ms base delay, 20 s
 * longest delay, the library's jitter source.  (The attempt count and base
 * are those the AWS SDKs have long used for DynamoDB; the cap is the
 * SDKs' standard one.)
 * @since 0.2
 */
KV_API void kv_retry_policy_default(kv_retry_policy *policy);

/**
 * The wait before retry number @p attempt (1 for the first retry) under
 * @p policy, drawing one value from its jitter source; for applications
 * that run their own loop, e.g. over a batch's unprocessed items.
 * @return milliseconds in [0, min(max_delay_ms, base_delay_ms * 2^(attempt-1))];
 *         0 for attempt < 1 or a NULL policy.
 * Thread-safe when the policy's jitter source is.
 * @since 0.2
 */
KV_API int64_t kv_retry_delay_ms(const kv_retry_policy *policy, int attempt);

/**
 * @return 1 if the AWS SDKs retry a request that failed with @p status
 * (throttling: ProvisionedThroughputExceededException, ThrottlingException,
 * RequestLimitExceeded, LimitExceededException,
 * TransactionInProgressException; and InternalServerError), else 0.
 * Local failures (KV_NOMEM, KV_IO, KV_CORRUPT) are not retried.
 * @since 0.2
 */
KV_API int kv_status_retryable(kv_status status);

/**
 * One minute of one metric, as CloudWatch would give it.
 * @since 0.2
 */
typedef struct kv_metric_datum {
    /** The start of the minute, in milliseconds since the epoch. */
    int64_t timestamp_ms;
    /**
     * Sum over the minute: capacity units for the Consumed* and
     * Provisioned* metrics (halves occur, e.g. 0.5 for an eventually
     * consistent read, and are exact), a count for the others.
     */
    double sum;
    /**
     * SampleCount: the number of requests that consumed capacity for the
     * Consumed* metrics, 1 for Provisioned*, the count itself for the
     * event and request counters.
     */
    uint64_t sample_count;
} kv_metric_datum;

/**
 * Read the per-minute values of one metric of a table or global secondary
 * index over [@p start_ms, @p end_ms), from the last 24 hours (older minutes
 * are gone, as after CloudWatch's one-minute retention).
 *
 * Metrics, under CloudWatch's names, for a table (index NULL) or a GSI:
 * ConsumedReadCapacityUnits, ConsumedWriteCapacityUnits,
 * ProvisionedReadCapacityUnits, ProvisionedWriteCapacityUnits (provisioned
 * mode only), ReadThrottleEvents, WriteThrottleEvents, and the per-reason
 * Read|Write + ProvisionedThroughput|KeyRangeThroughput|AccountLimit|
 * MaxOnDemandThroughput + ThrottleEvents.  For a table only:
 * ThrottledRequests, for one @p operation ("PutItem", "BatchWriteItem",
 * ...) or for all when @p operation is NULL.
 *
 * Minutes without data are left out, as CloudWatch leaves them out.  With
 * the real clock the metrics are those of every process using the database.
 *
 * @param[in]  table     table name
 * @param[in]  index     a global secondary index of the table, or NULL
 * @param[in]  metric    the metric's CloudWatch name
 * @param[in]  operation for ThrottledRequests: an operation name or NULL
 * @param[out] data      array of *count data points in time order, to free
 *                       with kv_free (one allocation); NULL when none
 * @param[out] count     the number of data points
 * @return KV_OK, KV_VALIDATION (unknown metric or operation, or a range
 *         that ends before it starts), KV_RESOURCE_NOT_FOUND (no such table
 *         or index), KV_NOMEM
 * Thread-safe.
 * @since 0.2
 */
KV_API kv_status kv_metric_get(kv_db *db, const char *table, const char *index,
                               const char *metric, const char *operation, int64_t start_ms,
                               int64_t end_ms, kv_metric_datum **data, size_t *count);

/**
 * One token bucket of a table or global secondary index, as
 * kv_capacity_get reads it: the reads' or the writes'.  Amounts are
 * capacity units (read units or write units); whole and half units are
 * exact.
 * @since 0.2
 */
typedef struct kv_capacity_bucket {
    /**
     * Units per second flowing in now: the provisioned throughput, or an
     * on-demand table's current allowance (DynamoDB's on-demand limits:
     * 12,000 reads and 4,000 writes a second when new, up to twice the
     * previous peak, at most 40,000 or the OnDemandThroughput maximum).
     */
    double rate;
    /**
     * Units a request could spend now: the bucket's level.  Below zero
     * while a read charged more than it was admitted with is being repaid
     * (debt); nothing is admitted until it is back above zero.
     */
    double available;
    /**
     * The part of `available` above one second of `rate`: the burst
     * capacity banked from unused throughput.  0 when there is none, and
     * always 0 on demand (those buckets bank one second).
     */
    double burst;
    /**
     * The most the bucket holds: `rate` times the burst window
     * (kv_options.burst_seconds), and never less than one second of it.
     */
    double ceiling;
    /** Reserved for fields added later. */
    void *reserved[2];
} kv_capacity_bucket;

/**
 * The capacity state of a table or global secondary index right now,
 * filled by kv_capacity_get.  Plain data: nothing to free.
 *
 * Example: after N writes of items up to 1 KB, in one instant, on a new
 * table with 10 write units and burst_seconds 0, write.available is
 * 10 - N and write.burst is 0; half a second later 5 units more are
 * available.
 * @since 0.2
 */
typedef struct kv_capacity_info {
    kv_billing_mode billing_mode;
    kv_capacity_bucket read;  /**< read capacity units */
    kv_capacity_bucket write; /**< write capacity units */
    /**
     * Partitions the table's or index's hash space is split into (see
     * docs/capacity.md); each serves at most 3,000 read and 1,000 write
     * units a second, whatever `available` says.
     */
    uint32_t partitions;
    /**
     * 1 when the handle was opened with kv_options.unlimited_capacity:
     * nothing is debited, so the buckets stay as they are.
     */
    int unlimited;
    /** The moment the levels are for, in milliseconds since the epoch, on
     * the handle's clock (kv_options.clock). */
    int64_t at_ms;
    /** Reserved for fields added later. */
    void *reserved[6];
} kv_capacity_info;

/**
 * Read how much capacity a table (@p index NULL) or one of its global
 * secondary indexes has available now, and how much of it is banked burst.
 * (Local secondary indexes spend their table's capacity and have no
 * buckets of their own.)
 *
 * Read-only: nothing is debited, and no bucket's stored state changes;
 * the levels are those the next request would meet at this instant.  With
 * the real clock they are shared by every process using the database;
 * with an injected clock they are the handle's own.  A table never used
 * since it was created shows the capacity it has banked since then.
 *
 * @param[in]  table  table name
 * @param[in]  index  a global secondary index of the table, or NULL
 * @param[out] out    filled on success; zeroed on failure.  Nothing to
 *                    free.
 * @return KV_OK, KV_RESOURCE_NOT_FOUND (no such table, or no such global
 *         secondary index: "Requested resource not found: Index: NAME not
 *         found"), KV_MISUSE (NULL db, table or out), KV_NOMEM, KV_IO
 * Thread-safe.
 * @since 0.2
 */
KV_API kv_status kv_capacity_get(kv_db *db, const char *table, const char *index,
                                 kv_capacity_info *out);

#ifdef __cplusplus
}
#endif

#endif /* KV_H */
