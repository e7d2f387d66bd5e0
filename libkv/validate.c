/*
 * validate.c -- shared request checks; see validate.h.
 */
#include "validate.h"
#include "catalog.h"
#include "err.h"
#include "number.h"
#include "value.h"

#include <stdio.h>
#include <string.h>

#define MAX_REPORTED 10
#define HASH_KEY_MAX 2048
#define RANGE_KEY_MAX 1024

void
vlist_init(struct vlist *v)
{
    buf_init(&v->text);
    v->n = 0;
}

void
vlist_release(struct vlist *v)
{
    buf_release(&v->text);
}

void
vlist_add(struct vlist *v, const char *value, size_t value_len, const char *path,
          const char *what)
{
    if (v->n >= MAX_REPORTED)
        return;
    if (v->n++)
        buf_put(&v->text, "; ", 2);
    buf_put(&v->text, "Value ", 6);
    if (value) {
        /* A NUL (JSON's \u0000) would end the message: it is shown as the
         * escape that sent it. */
        buf_put_u8(&v->text, '\'');
        for (size_t i = 0; i < value_len; i++) {
            const char *nul = memchr(value + i, '\0', value_len - i);
            size_t run = nul ? (size_t)(nul - value) - i : value_len - i;
            buf_put(&v->text, value + i, run);
            i += run;
            if (nul)
                buf_put(&v->text, "\\u0000", 6);
        }
        buf_put_u8(&v->text, '\'');
    } else {
        buf_put(&v->text, "null", 4);
    }
    buf_put(&v->text, " at '", 5);
    buf_put(&v->text, path, strlen(path));
    buf_put(&v->text, "' failed to satisfy constraint: ", 32);
    buf_put(&v->text, what, strlen(what));
}

void
vlist_add_raw(struct vlist *v, const char *text)
{
    if (v->n >= MAX_REPORTED)
        return;
    if (v->n++)
        buf_put(&v->text, "; ", 2);
    buf_put(&v->text, text, strlen(text));
}

kv_status
vlist_finish(struct vlist *v, struct kv_err *err)
{
    if (v->n == 0)
        return KV_OK;
    if (v->text.failed)
        return err_nomem(err);
    return err_set(err, KV_VALIDATION, "%d validation error%s detected: %.*s", v->n,
                   v->n > 1 ? "s" : "", (int)v->text.len, (const char *)v->text.data);
}

static bool
name_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
}

static bool
name_pattern_ok(const char *name, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!name_char_ok(name[i]))
            return false;
    return true;
}

bool
table_name_valid(const char *name, size_t len)
{
    return len >= TABLE_NAME_MIN && len <= TABLE_NAME_MAX && name_pattern_ok(name, len);
}

void
validate_name_pattern(struct vlist *v, const char *name, size_t len, const char *path)
{
    if (name && !name_pattern_ok(name, len))
        vlist_add(v, name, len, path,
                  "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
}

static void
name_constraints(struct vlist *v, const char *name, size_t len, const char *path, size_t min)
{
    char what[64];
    if (!name) {
        vlist_add(v, NULL, 0, path, "Member must not be null");
        return;
    }
    validate_name_pattern(v, name, len, path);
    if (len < min) {
        snprintf(what, sizeof what, "Member must have length greater than or equal to %zu", min);
        vlist_add(v, name, len, path, what);
    }
    if (len > TABLE_NAME_MAX)
        vlist_add(v, name, len, path, "Member must have length less than or equal to 255");
}

void
validate_table_name(struct vlist *v, const char *name, size_t len, const char *path)
{
    name_constraints(v, name, len, path, 1);
}

void
validate_new_table_name(struct vlist *v, const char *name, size_t len)
{
    name_constraints(v, name, len, "tableName", TABLE_NAME_MIN);
}

kv_status
validate_table_name_present(const char *name, struct kv_err *err)
{
    if (!name)
        return err_set(err, KV_VALIDATION,
                       "The parameter 'TableName' is required but was not present in the "
                       "request");
    return KV_OK;
}

kv_status
validate_control_table_name(const char *name, size_t len, struct kv_err *err)
{
    kv_status st = validate_table_name_present(name, err);
    if (st != KV_OK)
        return st;
    struct vlist v;
    vlist_init(&v);
    validate_table_name(&v, name, len, "tableName");
    st = vlist_finish(&v, err);
    vlist_release(&v);
    return st;
}

/* Size limits and emptiness of one key attribute's value. */
static kv_status
check_key_value(const char *name, const struct kv_value *v, bool is_hash, struct kv_err *err)
{
    if (v->type == KV_N) {
        struct decimal d;
        return number_parse(v->u.bytes, v->len, &d, err);
    }
    if (v->len == 0)
        return err_set(err, KV_VALIDATION,
                       "One or more parameter values are not valid. The AttributeValue for a "
                       "key attribute cannot contain an empty %s value. Key: %s",
                       v->type == KV_S ? "string" : "binary", name);
    if (is_hash && v->len > HASH_KEY_MAX)
        return err_set(err, KV_VALIDATION,
                       "One or more parameter values were invalid: Size of hashkey has "
                       "exceeded the maximum size limit of2048 bytes");
    if (!is_hash && v->len > RANGE_KEY_MAX)
        return err_set(err, KV_VALIDATION,
                       "One or more parameter values were invalid: Aggregated size of all "
                       "range keys has exceeded the size limit of 1024 bytes");
    return KV_OK;
}

bool
validate_item_key_shape(const struct key_schema *ks, const struct kv_value *item)
{
    const struct attr_def *parts[2] = {&ks->hash, ks->range.name ? &ks->range : NULL};
    for (size_t i = 0; i < 2 && parts[i]; i++) {
        const struct kv_value *v = value_map_get(item, parts[i]->name, strlen(parts[i]->name));
        if (!v || v->type != parts[i]->type)
            return false;
    }
    return true;
}

bool
validate_key_shape(const struct key_schema *ks, const struct kv_value *key)
{
    size_t want = ks->range.name ? 2 : 1;
    return key->type == KV_M && key->len == want && validate_item_key_shape(ks, key);
}

kv_status
validate_key_get(const struct key_schema *ks, const struct kv_value *key,
                 const struct kv_value *parts[2], struct kv_err *err)
{
    const struct attr_def *defs[2] = {&ks->hash, ks->range.name ? &ks->range : NULL};
    size_t want = defs[1] ? 2 : 1;
    bool shaped = key->type == KV_M && key->len == want;
    parts[0] = parts[1] = NULL;
    /* The shape validate_key_shape checks, with each value kept. */
    for (size_t i = 0; shaped && i < want; i++) {
        const struct kv_value *v = value_map_get(key, defs[i]->name, strlen(defs[i]->name));
        shaped = v && v->type == defs[i]->type;
        parts[i] = v;
    }
    if (!shaped) {
        parts[0] = parts[1] = NULL;
        return err_set(err, KV_VALIDATION, "The provided key element does not match the schema");
    }
    for (size_t i = 0; i < want; i++) {
        kv_status st = check_key_value(defs[i]->name, parts[i], i == 0, err);
        if (st != KV_OK)
            return st;
    }
    return KV_OK;
}

kv_status
validate_key(const struct key_schema *ks, const struct kv_value *key, struct kv_err *err)
{
    const struct kv_value *parts[2];
    return validate_key_get(ks, key, parts, err);
}

kv_status
validate_key_values(const struct key_schema *ks, const struct kv_value *item,
                    struct kv_err *err)
{
    const struct attr_def *parts[2] = {&ks->hash, ks->range.name ? &ks->range : NULL};
    for (size_t i = 0; i < 2 && parts[i]; i++) {
        const struct kv_value *v = value_map_get(item, parts[i]->name, strlen(parts[i]->name));
        kv_status st = v && v->type == parts[i]->type
                           ? check_key_value(parts[i]->name, v, i == 0, err)
                           : KV_OK;
        if (st != KV_OK)
            return st;
    }
    return KV_OK;
}

kv_status
validate_item_key(const struct key_schema *ks, const struct kv_value *item, struct kv_err *err)
{
    const struct attr_def *parts[2] = {&ks->hash, ks->range.name ? &ks->range : NULL};
    for (size_t i = 0; i < 2 && parts[i]; i++) {
        const char *name = parts[i]->name;
        const struct kv_value *v = value_map_get(item, name, strlen(name));
        if (!v)
            return err_set(err, KV_VALIDATION,
                           "One or more parameter values were invalid: Missing the key %s in "
                           "the item",
                           name);
        if (v->type != parts[i]->type)
            return err_set(err, KV_VALIDATION,
                           "One or more parameter values were invalid: Type mismatch for key %s "
                           "expected: %s actual: %s",
                           name, type_name(parts[i]->type), type_name(v->type));
        kv_status st = check_key_value(name, v, i == 0, err);
        if (st != KV_OK)
            return st;
    }
    return KV_OK;
}

kv_status
validate_values(const struct kv_value *item, struct kv_err *err)
{
    for (uint32_t i = 0; i < item->len; i++) {
        int type = item->u.members[i].value.type;
        if (type == KV_S || type == KV_B)
            continue; /* value_check accepts any: most keys are made of them */
        struct kv_err e;
        err_init(&e);
        kv_status st = value_check(&item->u.members[i].value, 0, &e);
        if (st == KV_OK)
            continue;
        /* The single-item operations report nesting in the envelope of a
         * field constraint; the other value problems stand alone. */
        if (e.msg && strcmp(e.msg, VALUE_NESTING_MESSAGE) == 0)
            st = err_set(err, st, "1 validation error detected: %s", e.msg);
        else
            err_move(err, &e);
        err_clear(&e);
        return st;
    }
    return KV_OK;
}

kv_status
validate_values_bare(const struct kv_value *item, struct kv_err *err)
{
    for (uint32_t i = 0; i < item->len; i++) {
        kv_status st = value_check(&item->u.members[i].value, 0, err);
        if (st != KV_OK)
            return st;
    }
    return KV_OK;
}

kv_status
validate_item_size(const struct kv_value *item, const char *message, struct kv_err *err)
{
    if (item_size(item) > ITEM_MAX_SIZE)
        return err_set(err, KV_VALIDATION, "%s",
                       message ? message : "Item size has exceeded the maximum allowed size");
    return KV_OK;
}

void
validate_index_name(struct vlist *v, const char *name, size_t len)
{
    validate_name_pattern(v, name, len, "indexName");
    if (len < 3)
        vlist_add(v, name, len, "indexName", "Member must have length greater than or equal to 3");
    if (len > 255)
        vlist_add(v, name, len, "indexName", "Member must have length less than or equal to 255");
}

void
validate_read_limit(struct vlist *v, bool query, int64_t limit)
{
    if (limit >= 1)
        return;
    /* DynamoDB words this one differently for Query and Scan. */
    if (query) {
        vlist_add_raw(v, "Value at 'Limit' failed to satisfy constraint: Member must have value "
                         "greater than or equal to 1");
        return;
    }
    char text[32];
    snprintf(text, sizeof text, "%lld", (long long)limit);
    vlist_add(v, text, strlen(text), "limit", "Member must have value greater than or equal to 1");
}

void
validate_range(struct vlist *v, const char *path, int64_t value, int64_t min, int64_t max)
{
    char text[32], what[96];
    snprintf(text, sizeof text, "%lld", (long long)value);
    if (value < min) {
        snprintf(what, sizeof what, "Member must have value greater than or equal to %lld",
                 (long long)min);
        vlist_add(v, text, strlen(text), path, what);
    }
    if (value > max) {
        snprintf(what, sizeof what, "Member must have value less than or equal to %lld",
                 (long long)max);
        vlist_add(v, text, strlen(text), path, what);
    }
}
