/*
 * op_create_table.c -- CreateTable.
 *
 * Pipeline: check the request's internal consistency (key schema against
 * attribute definitions, billing mode against throughput, indexes), then in
 * one write transaction refuse an existing name, take an empty LMDB
 * database from the pool and store the description.
 *
 * The checks and their order follow DynamoDB's: each failure is the first
 * one DynamoDB would report, in its words.
 */
#include "ops.h"
#include "arena.h"
#include "catalog.h"
#include "db.h"
#include "err.h"
#include "txn.h"
#include "value.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#define INVALID "One or more parameter values were invalid: "
#define THROUGHPUT_MAX 1000000000000LL
#define MAX_LSIS 5
#define MAX_GSIS 20
#define MAX_PROJECTED 100

/* "[a, b]" from the names of key elements or attribute definitions. */
static const char *
join_names(struct arena *a, const char *const *names, size_t n)
{
    size_t len = 3;
    for (size_t i = 0; i < n; i++)
        len += strlen(names[i]) + 2;
    char *s = arena_alloc(a, len);
    if (!s)
        return "[]";
    char *p = s;
    *p++ = '[';
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s%s", i ? ", " : "", names[i]);
    *p++ = ']';
    *p = '\0';
    return s;
}

static const char *
key_names(struct arena *a, const struct key_elem *keys, size_t n)
{
    const char **names = arena_alloc(a, (n + 1) * sizeof *names);
    if (!names)
        return "[]";
    for (size_t i = 0; i < n; i++)
        names[i] = keys[i].name;
    return join_names(a, names, n);
}

static const char *
attr_names(struct arena *a, const struct attr_def *attrs, size_t n)
{
    const char **names = arena_alloc(a, (n + 1) * sizeof *names);
    if (!names)
        return "[]";
    for (size_t i = 0; i < n; i++)
        names[i] = attrs[i].name;
    return join_names(a, names, n);
}

static bool
defined(const struct create_table_req *r, const char *name)
{
    for (size_t i = 0; i < r->n_attrs; i++)
        if (strcmp(r->attrs[i].name, name) == 0)
            return true;
    return false;
}

/* Checks common to the table's key schema and each index's. */
static kv_status
check_key_schema(struct op_ctx *c, const struct create_table_req *r, const struct key_elem *keys,
                 size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!defined(r, keys[i].name))
            return err_set(c->err, KV_VALIDATION,
                           INVALID "Some index key attributes are not defined in "
                                   "AttributeDefinitions. Keys: %s, AttributeDefinitions: %s",
                           key_names(c->arena, keys, n),
                           attr_names(c->arena, r->attrs, r->n_attrs));
    if (n == 2 && strcmp(keys[0].name, keys[1].name) == 0)
        return err_set(c->err, KV_VALIDATION,
                       "Both the Hash Key and the Range Key element in the KeySchema have the "
                       "same name");
    if (keys[0].key_type != KEYTYPE_HASH)
        return err_set(c->err, KV_VALIDATION,
                       "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    if (n == 2 && keys[1].key_type != KEYTYPE_RANGE)
        return err_set(c->err, KV_VALIDATION,
                       "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    return KV_OK;
}

static kv_status
check_projection(struct op_ctx *c, const struct index_req *ix)
{
    static const char *const names[] = {"ALL", "KEYS_ONLY", "INCLUDE"};
    if (ix->projection < 0)
        return err_set(c->err, KV_VALIDATION, INVALID "Unknown ProjectionType: null");
    if (ix->non_key_given && ix->projection != PROJECT_INCLUDE)
        return err_set(c->err, KV_VALIDATION,
                       INVALID "ProjectionType is %s, but NonKeyAttributes is specified",
                       names[ix->projection]);
    if (!ix->non_key_given && ix->projection == PROJECT_INCLUDE)
        return err_set(c->err, KV_VALIDATION,
                       INVALID "ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
    for (size_t i = 0; i < ix->n_non_key; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(ix->non_key[i], ix->non_key[j]) == 0)
                return err_set(c->err, KV_VALIDATION,
                               INVALID "Duplicate element in NonKeyAttributes: %s", ix->non_key[i]);
    return KV_OK;
}

/* Whether an index before this one (LSIs first, then GSIs) has its name. */
static bool
duplicate_index(const struct create_table_req *r, bool global, size_t pos)
{
    const char *name = global ? r->gsis[pos].name : r->lsis[pos].name;
    size_t lsis_before = global ? r->n_lsis : pos;
    for (size_t i = 0; i < lsis_before; i++)
        if (strcmp(r->lsis[i].name, name) == 0)
            return true;
    for (size_t i = 0; global && i < pos; i++)
        if (strcmp(r->gsis[i].name, name) == 0)
            return true;
    return false;
}

static kv_status
check_lsis(struct op_ctx *c, const struct create_table_req *r)
{
    if (!r->lsis_given)
        return KV_OK;
    if (r->n_lsis == 0)
        return err_set(c->err, KV_VALIDATION, INVALID "List of LocalSecondaryIndexes is empty");
    if (r->n_keys != 2)
        return err_set(c->err, KV_VALIDATION,
                       INVALID "Table KeySchema does not have a range key, which is required "
                               "when specifying a LocalSecondaryIndex");
    for (size_t i = 0; i < r->n_lsis; i++) {
        const struct index_req *ix = &r->lsis[i];
        kv_status st = check_key_schema(c, r, ix->keys, ix->n_keys);
        if (st != KV_OK)
            return st;
        if (ix->n_keys != 2)
            return err_set(c->err, KV_VALIDATION,
                           INVALID "Index KeySchema does not have a range key for index: %s",
                           ix->name);
        if (strcmp(ix->keys[0].name, r->keys[0].name) != 0)
            return err_set(c->err, KV_VALIDATION,
                           INVALID "Index KeySchema does not have the same leading hash key as "
                                   "table KeySchema for index: %s. index hash key: %s, table "
                                   "hash key: %s",
                           ix->name, ix->keys[0].name, r->keys[0].name);
        if ((st = check_projection(c, ix)) != KV_OK)
            return st;
        if (duplicate_index(r, false, i))
            return err_set(c->err, KV_VALIDATION, INVALID "Duplicate index name: %s", ix->name);
    }
    if (r->n_lsis > MAX_LSIS)
        return err_set(c->err, KV_VALIDATION,
                       INVALID "Number of LocalSecondaryIndexes exceeds per-table limit of 5");
    return KV_OK;
}

static kv_status
check_gsis(struct op_ctx *c, const struct create_table_req *r)
{
    if (!r->gsis_given)
        return KV_OK;
    if (r->n_gsis == 0)
        return err_set(c->err, KV_VALIDATION, INVALID "List of GlobalSecondaryIndexes is empty");
    for (size_t i = 0; i < r->n_gsis; i++) {
        const struct index_req *ix = &r->gsis[i];
        kv_status st = check_key_schema(c, r, ix->keys, ix->n_keys);
        if (st == KV_OK)
            st = check_projection(c, ix);
        if (st != KV_OK)
            return st;
        if (r->billing == KV_PAY_PER_REQUEST && ix->has_throughput)
            return err_set(c->err, KV_VALIDATION,
                           INVALID "ProvisionedThroughput should not be specified for index: %s "
                                   "when BillingMode is PAY_PER_REQUEST",
                           ix->name);
        if (r->billing == KV_PROVISIONED && !ix->has_throughput)
            return err_set(c->err, KV_VALIDATION,
                           INVALID "ProvisionedThroughput is not specified for index: %s",
                           ix->name);
        if (duplicate_index(r, true, i))
            return err_set(c->err, KV_VALIDATION, INVALID "Duplicate index name: %s", ix->name);
    }
    if (r->n_gsis > MAX_GSIS)
        return err_set(c->err, KV_VALIDATION,
                       INVALID "GlobalSecondaryIndex count exceeds the per-table limit of 20");
    return KV_OK;
}

static kv_status
check_throughput(struct op_ctx *c, const struct create_table_req *r)
{
    if (r->billing == KV_PAY_PER_REQUEST) {
        if (r->has_throughput)
            return err_set(c->err, KV_VALIDATION,
                           INVALID "Neither ReadCapacityUnits nor WriteCapacityUnits can be "
                                   "specified when BillingMode is PAY_PER_REQUEST");
        return KV_OK;
    }
    if (!r->has_throughput || r->rcu <= 0 || r->wcu <= 0)
        return err_set(c->err, KV_VALIDATION,
                       INVALID "ReadCapacityUnits and WriteCapacityUnits must both be specified "
                               "when BillingMode is PROVISIONED");
    if (r->rcu > THROUGHPUT_MAX)
        return err_set(c->err, KV_VALIDATION,
                       "Given value %lld for ReadCapacityUnits is out of bounds",
                       (long long)r->rcu);
    if (r->wcu > THROUGHPUT_MAX)
        return err_set(c->err, KV_VALIDATION,
                       "Given value %lld for WriteCapacityUnits is out of bounds",
                       (long long)r->wcu);
    return KV_OK;
}

/* Every attribute definition must be used by some key schema. */
static kv_status
check_definitions_used(struct op_ctx *c, const struct create_table_req *r)
{
    for (size_t i = 0; i < r->n_attrs; i++)
        for (size_t j = i + 1; j < r->n_attrs; j++)
            if (strcmp(r->attrs[i].name, r->attrs[j].name) == 0)
                return err_set(c->err, KV_VALIDATION, "Attribute Name is duplicated: %s",
                               r->attrs[i].name);
    if (!r->lsis_given && !r->gsis_given) {
        if (r->n_keys != r->n_attrs)
            return err_set(c->err, KV_VALIDATION,
                           INVALID "Number of attributes in KeySchema does not exactly match "
                                   "number of attributes defined in AttributeDefinitions");
        return KV_OK;
    }
    const char **used =
        arena_alloc(c->arena, (r->n_keys + 2 * (r->n_lsis + r->n_gsis)) * sizeof *used + 1);
    size_t n_used = 0;
    if (!used)
        return err_nomem(c->err);
    const struct index_req *lists[2] = {r->lsis, r->gsis};
    size_t counts[2] = {r->n_lsis, r->n_gsis};
    for (size_t k = 0; k < r->n_keys; k++)
        used[n_used++] = r->keys[k].name;
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < counts[l]; i++)
            for (size_t k = 0; k < lists[l][i].n_keys; k++) {
                size_t u = 0;
                while (u < n_used && strcmp(used[u], lists[l][i].keys[k].name) != 0)
                    u++;
                if (u == n_used)
                    used[n_used++] = lists[l][i].keys[k].name;
            }
    if (n_used != r->n_attrs)
        return err_set(c->err, KV_VALIDATION,
                       INVALID "Some AttributeDefinitions are not used. AttributeDefinitions: "
                               "%s, keys used: %s",
                       attr_names(c->arena, r->attrs, r->n_attrs),
                       join_names(c->arena, used, n_used));
    return KV_OK;
}

/* DynamoDB caps the non-key attributes projected by INCLUDE over all of a
 * table's indexes. */
static kv_status
check_projected_total(struct op_ctx *c, const struct create_table_req *r)
{
    size_t total = 0;
    for (size_t i = 0; i < r->n_lsis; i++)
        total += r->lsis[i].n_non_key;
    for (size_t i = 0; i < r->n_gsis; i++)
        total += r->gsis[i].n_non_key;
    if (total > MAX_PROJECTED)
        return err_set(c->err, KV_VALIDATION,
                       INVALID "Number of projected attributes in all indexes exceeds limit of "
                               "100");
    return KV_OK;
}

static kv_status
check_request(struct op_ctx *c, const struct create_table_req *r)
{
    kv_status st = check_throughput(c, r);
    if (st != KV_OK)
        return st;
    if (r->n_keys > r->n_attrs)
        return err_set(c->err, KV_VALIDATION,
                       "Invalid KeySchema: Some index key attribute have no definition");
    if ((st = check_key_schema(c, r, r->keys, r->n_keys)) != KV_OK ||
        (st = check_definitions_used(c, r)) != KV_OK || (st = check_lsis(c, r)) != KV_OK ||
        (st = check_gsis(c, r)) != KV_OK)
        return st;
    return check_projected_total(c, r);
}

static void
make_uuid(char out[40])
{
    uint8_t b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
        for (size_t i = 0; i < sizeof b; i++)
            b[i] = (uint8_t)(i * 37 + 11);
    b[6] = (b[6] & 0x0f) | 0x40; /* version 4 */
    b[8] = (b[8] & 0x3f) | 0x80; /* RFC 4122 variant */
    snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

static int
find_attr_type(const struct create_table_req *r, const char *name)
{
    for (size_t i = 0; i < r->n_attrs; i++)
        if (strcmp(r->attrs[i].name, name) == 0)
            return r->attrs[i].type;
    return 0;
}

static void
index_key(const struct create_table_req *r, const struct index_req *ix, struct key_schema *k)
{
    memset(k, 0, sizeof *k);
    k->hash.name = ix->keys[0].name;
    k->hash.type = (uint8_t)find_attr_type(r, ix->keys[0].name);
    if (ix->n_keys == 2) {
        k->range.name = ix->keys[1].name;
        k->range.type = (uint8_t)find_attr_type(r, ix->keys[1].name);
    }
}

/* Local indexes first, then global ones, each ACTIVE at once: there is
 * nothing to backfill in a new table. */
static kv_status
build_indexes(struct op_ctx *c, const struct create_table_req *r, struct table_def *d)
{
    d->n_indexes = r->n_lsis + r->n_gsis;
    if (!(d->indexes = arena_calloc(c->arena, (d->n_indexes + 1) * sizeof *d->indexes)))
        return err_nomem(c->err);
    for (size_t i = 0; i < d->n_indexes; i++) {
        bool global = i >= r->n_lsis;
        const struct index_req *ix = global ? &r->gsis[i - r->n_lsis] : &r->lsis[i];
        struct index_def *o = &d->indexes[i];
        o->name = ix->name;
        o->global = global;
        index_key(r, ix, &o->key);
        o->projection = (uint8_t)ix->projection;
        o->non_key = ix->non_key;
        o->n_non_key = ix->n_non_key;
        if (global && r->billing == KV_PROVISIONED) {
            o->rcu = ix->rcu;
            o->wcu = ix->wcu;
        }
        o->created_ms = d->created_ms;
        o->status = "ACTIVE";
    }
    return KV_OK;
}

/* The description to store, built in the request arena. */
static kv_status
build_def(struct op_ctx *c, const struct create_table_req *r, struct table_def *d)
{
    memset(d, 0, sizeof *d);
    d->name = r->name;
    make_uuid(d->uuid);
    d->key.hash.name = r->keys[0].name;
    d->key.hash.type = (uint8_t)find_attr_type(r, r->keys[0].name);
    if (r->n_keys == 2) {
        d->key.range.name = r->keys[1].name;
        d->key.range.type = (uint8_t)find_attr_type(r, r->keys[1].name);
    }
    d->attrs = r->attrs;
    d->n_attrs = r->n_attrs;
    d->billing = r->billing;
    if (r->billing == KV_PROVISIONED) {
        d->rcu = r->rcu;
        d->wcu = r->wcu;
    }
    d->created_ms = db_now_ms(c->db);
    if (r->billing == KV_PAY_PER_REQUEST)
        d->pay_per_request_ms = d->created_ms;
    d->deletion_protection = r->deletion_protection;
    return build_indexes(c, r, d);
}

struct create_args {
    struct op_ctx *c;
    const struct create_table_req *r;
    struct table_def def;
};

static kv_status
create_body(struct txn *t, void *arg)
{
    struct create_args *a = arg;
    struct table_def *existing;
    kv_status st = catalog_get(t, a->r->name, strlen(a->r->name), &existing);
    if (st != KV_OK)
        return st;
    if (existing)
        return err_set(t->err, KV_RESOURCE_IN_USE, "Table already exists: %s", a->r->name);
    if ((st = catalog_take_db(t, a->def.dbname)) != KV_OK)
        return st;
    for (size_t i = 0; i < a->def.n_indexes; i++)
        if ((st = catalog_take_db(t, a->def.indexes[i].dbname)) != KV_OK)
            return st;
    return catalog_put(t, &a->def);
}

kv_status
op_create_table(struct op_ctx *c, const struct create_table_req *r, struct table_desc *out)
{
    memset(out, 0, sizeof *out);
    struct create_args a = {c, r, {0}};
    kv_status st = check_request(c, r);
    if (st != KV_OK)
        return st;
    if ((st = build_def(c, r, &a.def)) != KV_OK)
        return st;
    if ((st = txn_run(c->db, true, create_body, &a, c->err)) != KV_OK)
        return st;
    if (!(out->def = table_def_clone(&a.def)))
        return err_nomem(c->err);
    out->status = "CREATING";
    return KV_OK;
}
