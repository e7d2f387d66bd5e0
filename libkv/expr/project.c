/*
 * project.c -- an item cut down to a set of document paths.
 *
 * ProjectionExpression and ReturnValues UPDATED_OLD / UPDATED_NEW both
 * return "the item, but only these paths", in DynamoDB's document shape:
 * a path a.b[2].c comes back as {a: {b: [{c: ...}]}}; paths that share a
 * prefix are merged into one nested value; list elements picked by index
 * are packed into a list in index order ("l[2], l[0]" gives [l0, l2]);
 * a path the item lacks -- a missing attribute, an index past the end, a
 * name on a list or an index on a map -- contributes nothing, and a
 * container left with nothing is left out too.
 *
 * The paths are sorted, so paths sharing a prefix are adjacent; the item
 * and the sorted list are then walked together, one level per path
 * element.  Paths never overlap (the parser refuses it), so a path that
 * ends at some level is alone in its group and takes the whole value.
 * Recursion is bounded by EXPR_MAX_PATH_DEPTH.  Results are deep copies.
 */
#include "ast.h"
#include "arena.h"
#include "err.h"
#include "value.h"

#include <stdlib.h>
#include <string.h>

struct projector {
    const struct expr_path *const *paths; /* sorted */
    struct arena *a;
    struct kv_err *err;
};

static int
path_ptr_cmp(const void *x, const void *y)
{
    return expr_path_cmp(*(const struct expr_path *const *)x, *(const struct expr_path *const *)y);
}

/* The end of the run of paths from lo whose element d equals lo's. */
static size_t
run_end(const struct projector *pr, size_t lo, size_t hi, uint32_t d)
{
    const struct expr_elem *e = &pr->paths[lo]->elems[d];
    size_t i = lo + 1;
    while (i < hi) {
        const struct expr_elem *f = &pr->paths[i]->elems[d];
        if (f->is_index != e->is_index ||
            (e->is_index ? f->index != e->index
                         : f->len != e->len || memcmp(f->name, e->name, e->len) != 0))
            break;
        i++;
    }
    return i;
}

static kv_status project_group(const struct projector *pr, size_t lo, size_t hi, uint32_t d,
                               const struct kv_value *src, struct kv_value *out, bool *present);

/* The child of src that element d of the run names, or NULL. */
static const struct kv_value *
child_of(const struct kv_value *src, const struct expr_elem *e)
{
    if (e->is_index) {
        if (src->type != KV_L || e->index >= src->len || src->u.elems[e->index].type == 0)
            return NULL;
        return &src->u.elems[e->index];
    }
    return src->type == KV_M ? value_map_get(src, e->name, e->len) : NULL;
}

/* Add the projection of one child to the container being built. */
static kv_status
project_child(const struct projector *pr, size_t lo, size_t hi, uint32_t d,
              const struct kv_value *child, struct kv_value *out)
{
    struct kv_value v;
    bool present = false;
    kv_status st = project_group(pr, lo, hi, d + 1, child, &v, &present);
    if (st != KV_OK || !present)
        return st;
    const struct expr_elem *e = &pr->paths[lo]->elems[d];
    struct kv_value *slot =
        e->is_index ? value_push(pr->a, out) : value_map_append(pr->a, out, e->name, e->len, true);
    if (!slot)
        return err_nomem(pr->err);
    *slot = v;
    return KV_OK;
}

/*
 * Project src on paths [lo, hi), which share their first d elements.
 * *present says whether anything came out.
 */
static kv_status
project_group(const struct projector *pr, size_t lo, size_t hi, uint32_t d,
              const struct kv_value *src, struct kv_value *out, bool *present)
{
    *present = false;
    if (pr->paths[lo]->n == d) {
        if (value_copy(pr->a, out, src))
            return err_nomem(pr->err);
        *present = true;
        return KV_OK;
    }
    value_init(out, pr->paths[lo]->elems[d].is_index ? KV_L : KV_M);
    for (size_t i = lo; i < hi;) {
        size_t end = run_end(pr, i, hi, d);
        const struct expr_elem *e = &pr->paths[i]->elems[d];
        /* Names and indexes never meet at one level (the parser refuses
         * such paths as conflicting); the other kind is ignored if they do. */
        const struct kv_value *child =
            (e->is_index == (out->type == KV_L)) ? child_of(src, e) : NULL;
        if (child) {
            kv_status st = project_child(pr, i, end, d, child, out);
            if (st != KV_OK)
                return st;
        }
        i = end;
    }
    *present = out->len > 0;
    return KV_OK;
}

kv_status
expr_project_paths(const struct expr_path *const *paths, size_t n, const struct kv_value *item,
                   struct arena *a, struct kv_value *out, struct kv_err *err)
{
    value_init(out, KV_M);
    if (!item || n == 0)
        return KV_OK;
    const struct expr_path **sorted = arena_memdup(a, paths, n * sizeof *paths);
    if (!sorted)
        return err_nomem(err);
    qsort(sorted, n, sizeof *sorted, path_ptr_cmp);
    struct projector pr = {sorted, a, err};
    bool present;
    kv_status st = project_group(&pr, 0, n, 0, item, out, &present);
    if (st == KV_OK && !present)
        value_init(out, KV_M);
    return st;
}

kv_status
expr_project(const struct expr_proj *p, const struct kv_value *item, struct arena *a,
             struct kv_value *out, struct kv_err *err)
{
    const struct expr_path **paths = arena_alloc(a, (p->n ? p->n : 1) * sizeof *paths);
    if (!paths)
        return err_nomem(err);
    for (size_t i = 0; i < p->n; i++)
        paths[i] = &p->paths[i];
    return expr_project_paths(paths, p->n, item, a, out, err);
}
