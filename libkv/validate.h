/*
 * validate.h -- request checks shared by both faces, in DynamoDB's words.
 *
 * DynamoDB reports field constraint failures together, as
 *
 *   1 validation error detected: Value 'x!' at 'tableName' failed to
 *   satisfy constraint: Member must satisfy regular expression pattern:
 *   [a-zA-Z0-9_.-]+
 *
 * ("N validation errors detected: a; b", at most ten).  A vlist collects
 * them in the order the fields are checked; vlist_finish turns them into
 * one ValidationException.  The key and item checks below produce
 * DynamoDB's single-sentence messages.
 */
#ifndef KV_VALIDATE_H
#define KV_VALIDATE_H

#include "buf.h"
#include "kv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kv_err;
struct kv_value;
struct table_def;
struct key_schema;

struct vlist {
    struct buf text;
    int n;
};

void vlist_init(struct vlist *v);
void vlist_release(struct vlist *v);
/*
 * Add "Value '<value>' at '<path>' failed to satisfy constraint: <what>".
 * value NULL renders as "null" (no quotes).
 */
void vlist_add(struct vlist *v, const char *value, size_t value_len, const char *path,
               const char *what);
/* Add a violation worded in full by the caller. */
void vlist_add_raw(struct vlist *v, const char *text);
/* KV_OK if nothing was added; else the combined ValidationException. */
kv_status vlist_finish(struct vlist *v, struct kv_err *err);

/* Field constraints of a table name at `path` as the data-plane operations
 * check TableName: the pattern and 1..255 bytes (a shorter name than the
 * 3 bytes CreateTable demands is simply not found). */
void validate_table_name(struct vlist *v, const char *name, size_t len, const char *path);
/* Only the [a-zA-Z0-9_.-]+ pattern (also for index names). */
void validate_name_pattern(struct vlist *v, const char *name, size_t len, const char *path);
bool table_name_valid(const char *name, size_t len);

/* Query's and Scan's IndexName: the pattern and 3..255 bytes. */
void validate_index_name(struct vlist *v, const char *name, size_t len);
/* Query's and Scan's Limit: at least 1 (worded differently by the two). */
void validate_read_limit(struct vlist *v, bool query, int64_t limit);
/* An integer field within [min, max] (Scan's Segment and TotalSegments). */
void validate_range(struct vlist *v, const char *path, int64_t value, int64_t min, int64_t max);

/* A new table's name (CreateTable): the pattern and 3..255 bytes. */
void validate_new_table_name(struct vlist *v, const char *name, size_t len);

/*
 * The operations on a whole table (CreateTable, DescribeTable,
 * DeleteTable) require TableName: "The parameter 'TableName' is required
 * but was not present in the request".  validate_control_table_name adds
 * the data-plane constraints for DescribeTable and DeleteTable.
 */
kv_status validate_table_name_present(const char *name, struct kv_err *err);
kv_status validate_control_table_name(const char *name, size_t len, struct kv_err *err);

/*
 * A Key parameter (GetItem, DeleteItem, UpdateItem): exactly the schema's
 * attributes with the declared types, non-empty, within the size limits.
 */
kv_status validate_key(const struct key_schema *ks, const struct kv_value *key,
                       struct kv_err *err);
/* The same, giving the key's hash and range values (range NULL for a table
 * without one) so they need not be looked up again. */
kv_status validate_key_get(const struct key_schema *ks, const struct kv_value *key,
                           const struct kv_value *parts[2], struct kv_err *err);

/* An Item parameter's key attributes (PutItem): present, typed, sized. */
kv_status validate_item_key(const struct key_schema *ks, const struct kv_value *item,
                            struct kv_err *err);

/* Every value of an item or key checked with value_check. */
kv_status validate_values(const struct kv_value *item, struct kv_err *err);
/* The same with BatchWriteItem's wording: nesting is reported bare, without
 * the "1 validation error detected: " envelope the single-item operations
 * put around it. */
kv_status validate_values_bare(const struct kv_value *item, struct kv_err *err);

/*
 * Whether a Key names exactly the schema's attributes with their declared
 * types (the shape validate_key checks first): false is DynamoDB's "The
 * provided key element does not match the schema".  Batches and
 * transactions report this shape apart from the key's values.
 */
bool validate_key_shape(const struct key_schema *ks, const struct kv_value *key);
/* Whether an Item carries every key attribute with its declared type. */
bool validate_item_key_shape(const struct key_schema *ks, const struct kv_value *item);
/*
 * The values of the key attributes a Key or Item carries with their
 * declared types: not empty, within the size limits, numbers in range.
 * Attributes missing or of another type are left to the shape checks.
 */
kv_status validate_key_values(const struct key_schema *ks, const struct kv_value *item,
                              struct kv_err *err);

/* The 400 KB limit: "Item size has exceeded the maximum allowed size". */
kv_status validate_item_size(const struct kv_value *item, const char *message,
                             struct kv_err *err);

#endif
