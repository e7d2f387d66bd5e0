/*
 * op_delete_table.c -- DeleteTable.  The table's items are dropped in the
 * same transaction that removes its description, so a table is either
 * whole or gone; its LMDB databases return to the pool, emptied.
 */
#include "ops.h"
#include "db.h"
#include "err.h"
#include "throttle.h"
#include "txn.h"

#include <string.h>

struct delete_args {
    const char *name;
    struct table_desc *out;
};

static kv_status
delete_body(struct txn *t, void *arg)
{
    struct delete_args *a = arg;
    struct table_def *def;
    kv_status st = catalog_get(t, a->name, strlen(a->name), &def);
    if (st != KV_OK)
        return st;
    if (!def)
        return err_set(t->err, KV_RESOURCE_NOT_FOUND,
                       "Requested resource not found: Table: %s not found", a->name);
    if (def->deletion_protection)
        return err_set(t->err, KV_VALIDATION,
                       "Resource cannot be deleted as it is currently protected against "
                       "deletion. Disable deletion protection first.");
    for (size_t i = 0; i < def->n_indexes; i++)
        if (strcmp(def->indexes[i].status, "ACTIVE") != 0)
            return err_set(t->err, KV_RESOURCE_IN_USE,
                           "Attempt to change a resource which is still in use: Cannot delete "
                           "table while indexes are being created, updated, or deleted.");
    if ((st = table_desc_fill(t, def, a->out)) != KV_OK)
        return st;
    return catalog_remove(t, def);
}

kv_status
op_delete_table(struct op_ctx *c, const char *name, struct table_desc *out)
{
    memset(out, 0, sizeof *out);
    struct delete_args a = {name, out};
    kv_status st = txn_run(c->db, true, delete_body, &a, c->err);
    if (st != KV_OK) {
        table_desc_release(out);
        return st;
    }
    /* Its buckets and metrics go too; a table created again under the
     * name has a new TableId and starts afresh anyway. */
    throttle_table_drop(c->db->throttle, out->def->uuid);
    out->status = "DELETING";
    return KV_OK;
}
