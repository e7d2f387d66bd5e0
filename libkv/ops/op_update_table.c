/*
 * op_update_table.c -- UpdateTable: throughput and billing mode changes,
 * deletion protection, and global secondary indexes created, updated or
 * deleted.
 *
 * Every check comes before any change, in the order DynamoDB makes them,
 * so a refused request changes nothing.  A throughput change takes effect
 * at once (DynamoDB needs seconds to minutes; nothing here has to move).
 * A new index starts CREATING with every existing item still to be copied
 * into it; backfill.c copies them in the background, and the index turns
 * ACTIVE when it is done.  Writes keep whatever part is already copied up
 * to date, in their own transactions, so the index is exact throughout.
 * A deleted index is dropped in the same transaction.  Once committed, the
 * new throughput reaches the capacity buckets at once (apply_capacity).
 */
#include "ops.h"
#include "arena.h"
#include "backfill.h"
#include "catalog.h"
#include "db.h"
#include "err.h"
#include "throttle.h"
#include "txn.h"
#include "value.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define INVALID "One or more parameter values were invalid: "
#define IN_USE "Attempt to change a resource which is still in use: "
#define THROUGHPUT_MAX 1000000000000LL
#define MAX_GSIS 20
#define MAX_PROJECTED 100
#define HOUR_MS 3600000LL
#define DAY_MS (24 * HOUR_MS)
/* Decreases a day that need no wait; each later one needs an hour since
 * the previous one. */
#define FREE_DECREASES 4

static const char *const at_least_one =
    "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
    "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
    "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "
    "OnDemandThroughput, WarmThroughput or TableClass is required";

static kv_status
online_index_limit(struct kv_err *err)
{
    return err_set(err, KV_LIMIT_EXCEEDED,
                   "Subscriber limit exceeded: Only 1 online index can be created or deleted "
                   "simultaneously per table");
}

/* --- checks on the request alone ------------------------------------------------ */

static kv_status
check_request(struct op_ctx *c, const struct update_table_req *r)
{
    bool any = r->has_throughput || r->billing >= 0 || r->n_gsi > 0 || r->deletion_protection >= 0;
    if (!any)
        return err_set(c->err, KV_VALIDATION, "%s", at_least_one);
    if (r->gsi_given && r->n_gsi == 0)
        return err_set(c->err, KV_VALIDATION,
                       INVALID "List of GlobalSecondaryIndexUpdates is empty");
    if (r->has_throughput && r->rcu > THROUGHPUT_MAX)
        return err_set(c->err, KV_VALIDATION,
                       "Given value %lld for ReadCapacityUnits is out of bounds",
                       (long long)r->rcu);
    if (r->has_throughput && r->wcu > THROUGHPUT_MAX)
        return err_set(c->err, KV_VALIDATION,
                       "Given value %lld for WriteCapacityUnits is out of bounds",
                       (long long)r->wcu);
    size_t online = 0;
    bool creates = false;
    for (size_t i = 0; i < r->n_gsi; i++) {
        const struct gsi_update_req *u = &r->gsi[i];
        if (u->n_actions == 0)
            return err_set(c->err, KV_VALIDATION,
                           INVALID "One of GlobalSecondaryIndexUpdate.Update, "
                                   "GlobalSecondaryIndexUpdate.Create, "
                                   "GlobalSecondaryIndexUpdate.Delete must not be null");
        if (u->n_actions > 1)
            return err_set(c->err, KV_VALIDATION,
                           INVALID "Only one global secondary index action is allowed per "
                                   "GlobalSecondaryIndexUpdate object");
        for (size_t j = 0; j < i; j++)
            if (strcmp(r->gsi[j].name, u->name) == 0)
                return err_set(c->err, KV_VALIDATION,
                               INVALID "Only one global secondary index update per index is "
                                       "allowed simultaneously. Index: %s",
                               u->name);
        if (u->action == GSI_CREATE || u->action == GSI_DELETE)
            online++;
        creates |= u->action == GSI_CREATE;
        if (u->action == GSI_UPDATE && u->has_throughput &&
            (u->rcu > THROUGHPUT_MAX || u->wcu > THROUGHPUT_MAX))
            return err_set(c->err, KV_VALIDATION,
                           "This operation cannot be performed with given input values. Please "
                           "contact DynamoDB service team for more info: Action Blocked: "
                           "IndexUpdate");
    }
    if (online > 1)
        return online_index_limit(c->err);
    if (online && r->has_throughput)
        return err_set(c->err, KV_VALIDATION,
                       INVALID "You cannot create or delete index while updating table IOPS");
    if (creates && r->deletion_protection >= 0)
        return err_set(c->err, KV_VALIDATION,
                       INVALID "DeletionProtection modification must be the only operation in "
                               "the request");
    return KV_OK;
}

/* --- the state the change starts from ------------------------------------------- */

struct update_args {
    struct op_ctx *c;
    const struct update_table_req *r;
    struct table_desc *out;
    int64_t now;
    struct table_def nd;       /* the description after the change */
    struct index_def *dropped; /* the index deleted, if any (in c->arena) */
    bool table_changes;        /* TableStatus UPDATING in the response */
};

static struct index_def *
find_index(struct table_def *d, const char *name)
{
    for (size_t i = 0; i < d->n_indexes; i++)
        if (strcmp(d->indexes[i].name, name) == 0)
            return &d->indexes[i];
    return NULL;
}

static int64_t
utc_day(int64_t ms)
{
    return ms / DAY_MS;
}

/* "Monday, February 13, 2023 at 10:25:39 AM Coordinated Universal Time" */
static const char *
long_time(struct arena *a, int64_t ms)
{
    static const char *const days[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                       "Thursday", "Friday", "Saturday"};
    static const char *const months[] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    if (!gmtime_r(&s, &tm))
        return "";
    int hour = tm.tm_hour % 12 ? tm.tm_hour % 12 : 12;
    return arena_printf(a, "%s, %s %d, %d at %d:%02d:%02d %s Coordinated Universal Time",
                        days[tm.tm_wday], months[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900, hour,
                        tm.tm_min, tm.tm_sec, tm.tm_hour < 12 ? "AM" : "PM");
}

/* Decreases made today, as of now: the count restarts each UTC day. */
static int
decreases_today(int64_t now, int64_t last_decrease, int count)
{
    return last_decrease && utc_day(last_decrease) == utc_day(now) ? count : 0;
}

static kv_status
check_decrease(struct update_args *a, int64_t last_decrease, int count)
{
    int today = decreases_today(a->now, last_decrease, count);
    if (today < FREE_DECREASES || a->now - last_decrease >= HOUR_MS)
        return KV_OK;
    struct arena *ar = a->c->arena;
    return err_set(a->c->err, KV_LIMIT_EXCEEDED,
                   "Subscriber limit exceeded: Provisioned throughput decreases are limited "
                   "within a given UTC day. After the first 4 decreases, each subsequent "
                   "decrease in the same UTC day can be performed at most once every 3600 "
                   "seconds. Number of decreases today: %d. Last decrease at %s. Next decrease "
                   "can be made at %s",
                   today, long_time(ar, last_decrease), long_time(ar, last_decrease + HOUR_MS));
}

/* Record a throughput change on a table or index's history fields. */
static void
note_change(int64_t now, int64_t old_r, int64_t old_w, int64_t new_r, int64_t new_w,
            int64_t *last_increase, int64_t *last_decrease, int *count)
{
    if (new_r > old_r || new_w > old_w)
        *last_increase = now;
    if (new_r < old_r || new_w < old_w) {
        *count = decreases_today(now, *last_decrease, *count) + 1;
        *last_decrease = now;
    }
}

/* --- table throughput and billing mode ------------------------------------------- */

static const struct gsi_update_req *
gsi_request(const struct update_table_req *r, const char *name, int action)
{
    for (size_t i = 0; i < r->n_gsi; i++)
        if (r->gsi[i].action == action && strcmp(r->gsi[i].name, name) == 0)
            return &r->gsi[i];
    return NULL;
}

static kv_status
check_billing(struct update_args *a, const struct table_def *def)
{
    const struct update_table_req *r = a->r;
    struct kv_err *err = a->c->err;
    int target = r->billing >= 0 ? r->billing : def->billing;
    if (target == KV_PAY_PER_REQUEST) {
        if (r->has_throughput)
            return err_set(err, KV_VALIDATION,
                           INVALID "Neither ReadCapacityUnits nor WriteCapacityUnits can be "
                                   "specified when BillingMode is PAY_PER_REQUEST");
        for (size_t i = 0; i < r->n_gsi; i++)
            if (r->gsi[i].action == GSI_UPDATE)
                return err_set(err, KV_VALIDATION,
                               INVALID "The only Updates for index: %s when TableThroughputMode "
                                       "is PAY_PER_REQUEST can be to OnDemandThroughput, "
                                       "WarmThroughput",
                               r->gsi[i].name);
        if (def->billing == KV_PROVISIONED && def->on_demand_switches[3] &&
            a->now - def->on_demand_switches[3] < DAY_MS)
            return err_set(err, KV_LIMIT_EXCEEDED,
                           "Subscriber limit exceeded: The billing mode can be switched to "
                           "PAY_PER_REQUEST at most 4 times in 24 hours. Next switch can be "
                           "made at %s",
                           long_time(a->c->arena, def->on_demand_switches[3] + DAY_MS));
        return KV_OK;
    }
    if (r->billing == KV_PROVISIONED && !r->has_throughput)
        return err_set(err, KV_VALIDATION,
                       INVALID "ProvisionedThroughput must be specified when BillingMode is "
                               "PROVISIONED");
    if (def->billing == KV_PAY_PER_REQUEST)
        for (size_t i = 0; i < def->n_indexes; i++) {
            const struct index_def *ix = &def->indexes[i];
            const struct gsi_update_req *u =
                ix->global ? gsi_request(r, ix->name, GSI_UPDATE) : NULL;
            if (ix->global && !(u && u->has_throughput))
                return err_set(err, KV_VALIDATION,
                               INVALID "ProvisionedThroughput must be specified for index: %s",
                               ix->name);
        }
    if (def->billing == KV_PROVISIONED && r->has_throughput && r->rcu == def->rcu &&
        r->wcu == def->wcu)
        return err_set(err, KV_VALIDATION,
                       "The provisioned throughput for the table will not change. The requested "
                       "value equals the current value. Current ReadCapacityUnits provisioned "
                       "for the table: %lld. Requested ReadCapacityUnits: %lld. Current "
                       "WriteCapacityUnits provisioned for the table: %lld. Requested "
                       "WriteCapacityUnits: %lld. Refer to the Amazon DynamoDB Developer Guide "
                       "for current limits and how to request higher limits.",
                       (long long)def->rcu, (long long)r->rcu, (long long)def->wcu,
                       (long long)r->wcu);
    if (def->billing == KV_PROVISIONED && r->has_throughput &&
        (r->rcu < def->rcu || r->wcu < def->wcu))
        return check_decrease(a, def->last_decrease_ms, def->decreases_today);
    return KV_OK;
}

static void
apply_billing(struct update_args *a, const struct table_def *def)
{
    const struct update_table_req *r = a->r;
    struct table_def *nd = &a->nd;
    if (r->billing == KV_PAY_PER_REQUEST && def->billing == KV_PROVISIONED) {
        nd->billing = KV_PAY_PER_REQUEST;
        nd->rcu = nd->wcu = 0;
        nd->pay_per_request_ms = a->now;
        memmove(&nd->on_demand_switches[1], &nd->on_demand_switches[0],
                3 * sizeof nd->on_demand_switches[0]);
        nd->on_demand_switches[0] = a->now;
        for (size_t i = 0; i < nd->n_indexes; i++)
            nd->indexes[i].rcu = nd->indexes[i].wcu = 0;
        a->table_changes = true;
        return;
    }
    if (!r->has_throughput)
        return;
    if (def->billing == KV_PROVISIONED)
        note_change(a->now, def->rcu, def->wcu, r->rcu, r->wcu, &nd->last_increase_ms,
                    &nd->last_decrease_ms, &nd->decreases_today);
    else
        nd->provisioned_ms = a->now; /* back from on-demand: a change to order by */
    nd->billing = KV_PROVISIONED;
    nd->rcu = r->rcu;
    nd->wcu = r->wcu;
    a->table_changes = true;
}

/* --- index updates and deletes ----------------------------------------------------- */

static kv_status
index_not_found(struct update_args *a, const char *name)
{
    return err_set(a->c->err, KV_RESOURCE_NOT_FOUND,
                   "Requested resource not found: Index %s for table %s", name, a->r->name);
}

static kv_status
check_gsi_update(struct update_args *a, const struct table_def *def, const struct gsi_update_req *u)
{
    struct index_def *ix = find_index((struct table_def *)def, u->name);
    if (!ix)
        return index_not_found(a, u->name);
    if (!ix->global)
        return err_set(a->c->err, KV_VALIDATION,
                       "Cannot %s an index that is not a GlobalSecondaryIndex: %s",
                       u->action == GSI_DELETE ? "delete" : "update", u->name);
    if (u->action == GSI_DELETE || !u->has_throughput || def->billing != KV_PROVISIONED)
        return KV_OK;
    if (u->rcu == ix->rcu && u->wcu == ix->wcu)
        return err_set(a->c->err, KV_VALIDATION,
                       "The provisioned throughput for the index %s will not change. The "
                       "requested value equals the current value. Current ReadCapacityUnits "
                       "provisioned for index %s: %lld. Requested ReadCapacityUnits: %lld. "
                       "Current WriteCapacityUnits provisioned for index %s: %lld. Requested "
                       "WriteCapacityUnits: %lld. Refer to the Amazon DynamoDB Developer Guide "
                       "for current limits and how to request higher limits.",
                       ix->name, ix->name, (long long)ix->rcu, (long long)u->rcu, ix->name,
                       (long long)ix->wcu, (long long)u->wcu);
    if (u->rcu < ix->rcu || u->wcu < ix->wcu)
        return check_decrease(a, ix->last_decrease_ms, ix->decreases_today);
    return KV_OK;
}

static void
apply_gsi_update(struct update_args *a, const struct table_def *def, const struct gsi_update_req *u)
{
    struct index_def *ix = find_index(&a->nd, u->name);
    const struct index_def *was = find_index((struct table_def *)def, u->name);
    if (!u->has_throughput)
        return;
    if (def->billing == KV_PROVISIONED)
        note_change(a->now, was->rcu, was->wcu, u->rcu, u->wcu, &ix->last_increase_ms,
                    &ix->last_decrease_ms, &ix->decreases_today);
    ix->rcu = u->rcu;
    ix->wcu = u->wcu;
}

static bool
key_uses(const struct key_schema *k, const char *name)
{
    return strcmp(k->hash.name, name) == 0 || (k->range.name && strcmp(k->range.name, name) == 0);
}

/* Drop the index from the new description, with the attribute definitions
 * only it used (DynamoDB prunes them too). */
static kv_status
apply_gsi_delete(struct update_args *a, const char *name)
{
    struct table_def *nd = &a->nd;
    struct index_def *ix = find_index(nd, name);
    if (!(a->dropped = arena_alloc(a->c->arena, sizeof *a->dropped)))
        return err_nomem(a->c->err);
    *a->dropped = *ix;
    a->dropped->status = "DELETING";
    a->dropped->backfilling = false;
    size_t pos = (size_t)(ix - nd->indexes);
    memmove(ix, ix + 1, (nd->n_indexes - pos - 1) * sizeof *ix);
    nd->n_indexes--;
    size_t kept = 0;
    for (size_t i = 0; i < nd->n_attrs; i++) {
        bool used = key_uses(&nd->key, nd->attrs[i].name);
        for (size_t j = 0; j < nd->n_indexes && !used; j++)
            used = key_uses(&nd->indexes[j].key, nd->attrs[i].name);
        if (used)
            nd->attrs[kept++] = nd->attrs[i];
    }
    nd->n_attrs = kept;
    a->table_changes = true;
    return KV_OK;
}

/* --- index creation ------------------------------------------------------------------ */

static const struct attr_def *
request_attr(const struct update_table_req *r, const char *name)
{
    for (size_t i = 0; i < r->n_attrs; i++)
        if (strcmp(r->attrs[i].name, name) == 0)
            return &r->attrs[i];
    return NULL;
}

static const struct attr_def *
table_attr(const struct table_def *d, const char *name)
{
    for (size_t i = 0; i < d->n_attrs; i++)
        if (strcmp(d->attrs[i].name, name) == 0)
            return &d->attrs[i];
    return NULL;
}

/* "Schema:[SchemaElement: key{x:S:HASH}, ...]" for the redefinition message. */
static const char *
schema_text(struct arena *ar, const char *const names[2], const uint8_t types[2])
{
    const char *s = "Schema:[";
    for (int k = 0; k < 2 && names[k]; k++)
        s = arena_printf(ar, "%s%sSchemaElement: key{%s:%s:%s}", s, k ? ", " : "", names[k],
                         type_name(types[k]), k ? "RANGE" : "HASH");
    return arena_printf(ar, "%s]", s);
}

/* The key schema that defines attribute `name` on the table now. */
static void
existing_schema(const struct table_def *def, const char *name, const char *names[2],
                uint8_t types[2])
{
    const struct key_schema *k = &def->key;
    for (size_t i = 0; i < def->n_indexes && !key_uses(k, name); i++)
        k = &def->indexes[i].key;
    names[0] = k->hash.name;
    types[0] = k->hash.type;
    names[1] = k->range.name;
    types[1] = k->range.type;
}

static kv_status
check_create_keys(struct update_args *a, const struct table_def *def, const struct index_req *ix)
{
    const struct update_table_req *r = a->r;
    struct arena *ar = a->c->arena;
    if (!r->attrs_given)
        return err_set(a->c->err, KV_VALIDATION,
                       INVALID "AttributeDefinitions is not specified for index: %s", ix->name);
    for (size_t k = 0; k < ix->n_keys; k++)
        if (!request_attr(r, ix->keys[k].name)) {
            const char *keys = "", *defs = "";
            for (size_t j = 0; j < ix->n_keys; j++)
                keys = arena_printf(ar, "%s%s%s", keys, j ? ", " : "", ix->keys[j].name);
            for (size_t j = 0; j < r->n_attrs; j++)
                defs = arena_printf(ar, "%s%s%s", defs, j ? ", " : "", r->attrs[j].name);
            return err_set(a->c->err, KV_VALIDATION,
                           INVALID "Some index key attributes are not defined in "
                                   "AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]",
                           keys, defs);
        }
    if (ix->n_keys == 2 && strcmp(ix->keys[0].name, ix->keys[1].name) == 0)
        return err_set(a->c->err, KV_VALIDATION,
                       "Both the Hash Key and the Range Key element in the KeySchema have the "
                       "same name");
    if (ix->keys[0].key_type != KEYTYPE_HASH)
        return err_set(a->c->err, KV_VALIDATION,
                       "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    if (ix->n_keys == 2 && ix->keys[1].key_type != KEYTYPE_RANGE)
        return err_set(a->c->err, KV_VALIDATION,
                       "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    for (size_t k = 0; k < ix->n_keys; k++) {
        const struct attr_def *now = table_attr(def, ix->keys[k].name);
        const struct attr_def *given = request_attr(r, ix->keys[k].name);
        if (!now || now->type == given->type)
            continue;
        const char *old_names[2], *new_names[2] = {ix->keys[0].name, NULL};
        uint8_t old_types[2], new_types[2] = {request_attr(r, ix->keys[0].name)->type, 0};
        if (ix->n_keys == 2) {
            new_names[1] = ix->keys[1].name;
            new_types[1] = request_attr(r, ix->keys[1].name)->type;
        }
        existing_schema(def, now->name, old_names, old_types);
        return err_set(a->c->err, KV_VALIDATION,
                       INVALID "Attributes cannot be redefined. Please check that your attribute "
                               "has the same type as previously defined. Existing schema: %s New "
                               "schema: %s",
                       schema_text(ar, old_names, old_types),
                       schema_text(ar, new_names, new_types));
    }
    return KV_OK;
}

static kv_status
check_create_projection(struct update_args *a, const struct table_def *def,
                        const struct index_req *ix)
{
    static const char *const names[] = {"ALL", "KEYS_ONLY", "INCLUDE"};
    struct kv_err *err = a->c->err;
    if (ix->projection < 0)
        return err_set(err, KV_VALIDATION, INVALID "Unknown ProjectionType: null");
    if (ix->non_key_given && ix->projection != PROJECT_INCLUDE)
        return err_set(err, KV_VALIDATION,
                       INVALID "ProjectionType is %s, but NonKeyAttributes is specified",
                       names[ix->projection]);
    if (!ix->non_key_given && ix->projection == PROJECT_INCLUDE)
        return err_set(err, KV_VALIDATION,
                       INVALID "ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
    for (size_t i = 0; i < ix->n_non_key; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(ix->non_key[i], ix->non_key[j]) == 0)
                return err_set(err, KV_VALIDATION,
                               INVALID "Duplicate element in NonKeyAttributes: %s", ix->non_key[i]);
    size_t total = ix->n_non_key;
    for (size_t i = 0; i < def->n_indexes; i++)
        total += def->indexes[i].n_non_key;
    if (total > MAX_PROJECTED)
        return err_set(err, KV_VALIDATION,
                       INVALID "Number of projected attributes in all indexes exceeds limit of "
                               "100");
    return KV_OK;
}

static kv_status
check_gsi_create(struct update_args *a, const struct table_def *def, const struct gsi_update_req *u)
{
    const struct index_req *ix = &u->create;
    size_t gsis = 0;
    if (find_index((struct table_def *)def, ix->name))
        return err_set(a->c->err, KV_VALIDATION,
                       "Attempting to create an index which already exists");
    for (size_t i = 0; i < def->n_indexes; i++)
        gsis += def->indexes[i].global;
    if (gsis >= MAX_GSIS)
        return err_set(a->c->err, KV_LIMIT_EXCEEDED,
                       "Subscriber limit exceeded: Number of global secondary indexes exceeds "
                       "per-table limit of 20");
    kv_status st = check_create_keys(a, def, ix);
    if (st == KV_OK)
        st = check_create_projection(a, def, ix);
    if (st != KV_OK)
        return st;
    int billing = a->r->billing >= 0 ? a->r->billing : def->billing;
    if (billing == KV_PAY_PER_REQUEST && ix->has_throughput)
        return err_set(a->c->err, KV_VALIDATION,
                       INVALID "ProvisionedThroughput should not be specified for index: %s when "
                               "BillingMode is PAY_PER_REQUEST",
                       ix->name);
    if (billing == KV_PROVISIONED && !ix->has_throughput)
        return err_set(a->c->err, KV_VALIDATION,
                       INVALID "Both ReadCapacityUnits and WriteCapacityUnits must be specified "
                               "for index: %s",
                       ix->name);
    if (ix->has_throughput && (ix->rcu > THROUGHPUT_MAX || ix->wcu > THROUGHPUT_MAX))
        return err_set(a->c->err, KV_VALIDATION, "Given value %lld for %s is out of bounds",
                       (long long)(ix->rcu > THROUGHPUT_MAX ? ix->rcu : ix->wcu),
                       ix->rcu > THROUGHPUT_MAX ? "ReadCapacityUnits" : "WriteCapacityUnits");
    return KV_OK;
}

static kv_status
apply_gsi_create(struct update_args *a, struct txn *t, const struct gsi_update_req *u)
{
    const struct index_req *ix = &u->create;
    struct table_def *nd = &a->nd;
    struct arena *ar = a->c->arena;
    struct attr_def *attrs = arena_alloc(ar, (nd->n_attrs + 2) * sizeof *attrs);
    if (!attrs)
        return err_nomem(a->c->err);
    memcpy(attrs, nd->attrs, nd->n_attrs * sizeof *attrs);
    nd->attrs = attrs;
    struct index_def *o = &nd->indexes[nd->n_indexes++];
    memset(o, 0, sizeof *o);
    o->name = ix->name;
    o->global = true;
    for (size_t k = 0; k < ix->n_keys; k++) {
        const struct attr_def *given = request_attr(a->r, ix->keys[k].name);
        struct attr_def *slot = k == 0 ? &o->key.hash : &o->key.range;
        *slot = *given;
        if (!table_attr(nd, given->name))
            nd->attrs[nd->n_attrs++] = *given;
    }
    o->projection = (uint8_t)ix->projection;
    o->non_key = ix->non_key;
    o->n_non_key = ix->n_non_key;
    if (nd->billing == KV_PROVISIONED) {
        o->rcu = ix->rcu;
        o->wcu = ix->wcu;
    }
    o->created_ms = a->now; /* its buckets start now, not with the table's */
    o->status = "CREATING";
    o->backfilling = true;
    a->table_changes = true;
    kv_status st = catalog_take_db(t, o->dbname);
    if (st == KV_OK)
        st = backfill_begin(t, nd->name, o->dbname);
    return st;
}

/* --- the transaction ------------------------------------------------------------------ */

static kv_status
check_state(struct update_args *a, const struct table_def *def)
{
    bool online = false;
    for (size_t i = 0; i < a->r->n_gsi; i++)
        online |= a->r->gsi[i].action != GSI_UPDATE;
    for (size_t i = 0; i < def->n_indexes; i++)
        if (online && strcmp(def->indexes[i].status, "ACTIVE") != 0 &&
            !gsi_request(a->r, def->indexes[i].name, GSI_DELETE))
            return online_index_limit(a->c->err);
    return KV_OK;
}

/* A shallow copy of def in the request arena, with room for one more index. */
static kv_status
start_new_def(struct update_args *a, const struct table_def *def)
{
    a->nd = *def;
    a->nd.arena = NULL;
    a->nd.indexes = arena_calloc(a->c->arena, (def->n_indexes + 1) * sizeof *a->nd.indexes);
    a->nd.attrs = arena_alloc(a->c->arena, (def->n_attrs + 1) * sizeof *a->nd.attrs);
    if (!a->nd.indexes || !a->nd.attrs)
        return err_nomem(a->c->err);
    memcpy(a->nd.indexes, def->indexes, def->n_indexes * sizeof *def->indexes);
    memcpy(a->nd.attrs, def->attrs, def->n_attrs * sizeof *def->attrs);
    return KV_OK;
}

/* The response shows what the change started: a created index CREATING
 * (not yet backfilling), an updated one UPDATING, a deleted one DELETING. */
static kv_status
describe_change(struct update_args *a, struct txn *t)
{
    struct table_def shown = a->nd;
    size_t n = a->nd.n_indexes + (a->dropped ? 1 : 0);
    if (!(shown.indexes = arena_alloc(a->c->arena, (n + 1) * sizeof *shown.indexes)))
        return err_nomem(a->c->err);
    memcpy(shown.indexes, a->nd.indexes, a->nd.n_indexes * sizeof *shown.indexes);
    if (a->dropped)
        shown.indexes[shown.n_indexes++] = *a->dropped;
    for (size_t i = 0; i < shown.n_indexes; i++) {
        struct index_def *ix = &shown.indexes[i];
        if (gsi_request(a->r, ix->name, GSI_CREATE))
            ix->backfilling = false;
        else if (gsi_request(a->r, ix->name, GSI_UPDATE) && strcmp(ix->status, "ACTIVE") == 0)
            ix->status = "UPDATING";
    }
    return table_desc_fill(t, &shown, a->out);
}

/*
 * Bring the capacity state up to now under the description as it was, so
 * that what a table banked before the change is counted at its old rates,
 * even if nothing had used its capacity yet.  (Running twice, when the body
 * runs again, changes nothing.)
 */
static kv_status
capacity_before(struct txn *t, const struct table_def *def)
{
    struct throttle_table tt;
    struct throttle_index gsis[THROTTLE_GSI_MAX];
    struct table_stats stats;
    kv_status st = catalog_stats_get(t, def->dbname, &stats);
    if (st != KV_OK)
        return st;
    throttle_table_from_def(def, stats.size_bytes, &tt, gsis);
    return throttle_table_apply(t->db->throttle, &tt, t->err);
}

static kv_status
update_body(struct txn *t, void *arg)
{
    struct update_args *a = arg;
    const struct update_table_req *r = a->r;
    struct table_def *def;
    a->now = db_now_ms(t->db);
    a->dropped = NULL;
    a->table_changes = false;
    kv_status st = catalog_get(t, r->name, strlen(r->name), &def);
    if (st != KV_OK)
        return st;
    if (!def)
        return err_set(t->err, KV_RESOURCE_NOT_FOUND,
                       "Requested resource not found: Table: %s not found", r->name);
    if ((st = check_state(a, def)) != KV_OK || (st = check_billing(a, def)) != KV_OK)
        return st;
    for (size_t i = 0; i < r->n_gsi; i++) {
        const struct gsi_update_req *u = &r->gsi[i];
        st = u->action == GSI_CREATE ? check_gsi_create(a, def, u) : check_gsi_update(a, def, u);
        if (st != KV_OK)
            return st;
    }
    if ((st = capacity_before(t, def)) != KV_OK || (st = start_new_def(a, def)) != KV_OK)
        return st;
    apply_billing(a, def);
    for (size_t i = 0; i < r->n_gsi && st == KV_OK; i++) {
        const struct gsi_update_req *u = &r->gsi[i];
        if (u->action == GSI_UPDATE)
            apply_gsi_update(a, def, u);
        else if (u->action == GSI_DELETE)
            st = apply_gsi_delete(a, u->name);
        else
            st = apply_gsi_create(a, t, u);
    }
    if (st == KV_OK && r->deletion_protection >= 0)
        a->nd.deletion_protection = r->deletion_protection != 0;
    if (st == KV_OK)
        st = describe_change(a, t);
    if (st == KV_OK && a->dropped && (st = backfill_cancel(t, a->dropped->dbname)) == KV_OK)
        st = catalog_release_db(t, a->dropped->dbname);
    if (st == KV_OK)
        st = catalog_put(t, &a->nd);
    return st;
}

/*
 * After the commit, bring the capacity state in step at once: new rates
 * apply from now, and a deleted index's buckets go.  Failures are ignored:
 * the change is committed, and every later request carries the new
 * description, which the capacity module applies then.  a->nd still points
 * into the thread's cached description, valid until its next transaction.
 */
static void
apply_capacity(struct op_ctx *c, const struct update_args *a)
{
    struct throttle_table tt;
    struct throttle_index gsis[THROTTLE_GSI_MAX];
    struct kv_err err;
    err_init(&err);
    throttle_table_from_def(&a->nd, a->out->stats.size_bytes, &tt, gsis);
    throttle_table_apply(c->db->throttle, &tt, &err);
    err_clear(&err);
    if (a->dropped)
        throttle_index_drop(c->db->throttle, a->nd.uuid, a->dropped->name);
}

kv_status
op_update_table(struct op_ctx *c, const struct update_table_req *r, struct table_desc *out)
{
    memset(out, 0, sizeof *out);
    struct update_args a = {.c = c, .r = r, .out = out};
    kv_status st = check_request(c, r);
    if (st == KV_OK)
        st = txn_run(c->db, true, update_body, &a, c->err);
    if (st != KV_OK) {
        table_desc_release(out);
        return st;
    }
    apply_capacity(c, &a);
    out->status = a.table_changes ? "UPDATING" : "ACTIVE";
    for (size_t i = 0; i < r->n_gsi; i++)
        if (r->gsi[i].action == GSI_CREATE)
            backfill_kick(c->db);
    return KV_OK;
}
