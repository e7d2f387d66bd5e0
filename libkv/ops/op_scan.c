/*
 * op_scan.c -- Scan: every item of a table or index, in hash order, a page
 * at a time, optionally one segment of a parallel scan.
 *
 * Keys start with the 8-byte hash of the partition key, so the stored
 * order is the hash order DynamoDB's Scan shows, and segment s of n is
 * simply the keys whose hash lies in keycodec_segment_range(s, n): the
 * segments are disjoint and together cover the table.
 */
#include "ops.h"
#include "charge.h"
#include "arena.h"
#include "err.h"
#include "keycodec.h"
#include "read_common.h"
#include "item_common.h"
#include "txn.h"
#include "value.h"

#include <string.h>

struct scan_args {
    struct op_ctx *c;
    const struct read_req *r;
    struct read_resp *out;
    const struct read_exprs *ex;
    struct throttle_ticket ticket; /* zeroed before txn_run: see charge.h */
};

static kv_status
check_segments(struct op_ctx *c, const struct read_req *r)
{
    if (r->has_segment && !r->has_total)
        return err_set(c->err, KV_VALIDATION,
                       "The TotalSegments parameter is required but was not present in the "
                       "request when Segment parameter is present");
    if (r->has_total && !r->has_segment)
        return err_set(c->err, KV_VALIDATION,
                       "The Segment parameter is required but was not present in the request "
                       "when parameter TotalSegments is present");
    if (r->has_total && r->segment >= r->total_segments)
        return err_set(c->err, KV_VALIDATION,
                       "The Segment parameter is zero-based and must be less than parameter "
                       "TotalSegments: Segment: %lld is not less than TotalSegments: %lld",
                       (long long)r->segment, (long long)r->total_segments);
    return KV_OK;
}

static kv_status
walk(struct txn *t, struct scan_args *a, const struct read_target *tg, uint64_t lo, uint64_t hi,
     const struct keybuf *start)
{
    MDB_cursor *cur;
    kv_status st = txn_check(t, mdb_cursor_open(t->txn, tg->dbi, &cur), "reading a table");
    if (st != KV_OK)
        return st;
    struct pager p;
    pager_init(&p, a->r, a->out, tg, a->ex, a->c->arena);
    uint8_t lo_key[KEY_HASH];
    for (int i = 0; i < KEY_HASH; i++)
        lo_key[i] = (uint8_t)(lo >> (8 * (KEY_HASH - 1 - i)));
    MDB_val k = start ? (MDB_val){start->len, (void *)start->bytes} : (MDB_val){KEY_HASH, lo_key};
    MDB_val v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    if (rc == 0 && start && k.mv_size == start->len && memcmp(k.mv_data, start->bytes, k.mv_size) == 0)
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    while (rc == 0 && !p.stopped) {
        if (keycodec_key_hash(k.mv_data, k.mv_size) > hi)
            break;
        struct kv_value item;
        size_t size;
        if ((st = pager_decode(&p, t, &v, &item, &size)) != KV_OK ||
            (st = pager_take(&p, t, &item, size)) != KV_OK)
            break;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (st == KV_OK && rc && rc != MDB_NOTFOUND)
        st = txn_check(t, rc, "reading a table");
    return st == KV_OK ? pager_finish(&p, t) : st;
}

static kv_status
scan_body(struct txn *t, void *arg)
{
    struct scan_args *a = arg;
    const struct read_req *r = a->r;
    struct read_target tg;
    memset(a->out, 0, sizeof *a->out);
    kv_status st = read_target_open(t, r, a->ex, &tg);
    if (st != KV_OK)
        return st;
    uint64_t lo = 0, hi = UINT64_MAX;
    if (r->has_total)
        keycodec_segment_range((uint32_t)r->segment, (uint32_t)r->total_segments, &lo, &hi);
    struct keybuf start;
    if (r->start_key) {
        if ((st = read_check_start_key(t, &tg, r->start_key)) != KV_OK ||
            (st = read_start_stored_key(t, &tg, r->start_key, &start)) != KV_OK)
            return st;
        uint64_t h = keycodec_key_hash(start.bytes, start.len);
        if (h < lo || h > hi)
            return err_set(t->err, KV_VALIDATION,
                           "The provided starting key is invalid: Invalid ExclusiveStartKey. "
                           "Please use ExclusiveStartKey with correct Segment. TotalSegments: "
                           "%lld Segment: %lld",
                           (long long)r->total_segments, (long long)r->segment);
    }
    /* After the start key, as DynamoDB checks them. */
    if ((st = item_check_key_paths(t, tg.def, a->ex->filter, a->ex->projection)) != KV_OK)
        return st;
    /* A Scan page reads across partitions: it charges none of them. */
    if ((st = read_admit(t, r, &tg, METRICS_OP_SCAN, NULL, 0, &a->ticket)) != KV_OK)
        return st;
    st = walk(t, a, &tg, lo, hi, r->start_key ? &start : NULL);
    if (st == KV_OK)
        charge_read_settle(t, &a->ticket, a->out->consumed.read);
    return st;
}

kv_status
op_scan(struct op_ctx *c, const struct read_req *r, struct read_resp *out)
{
    memset(out, 0, sizeof *out);
    struct read_exprs ex;
    kv_status st = check_segments(c, r);
    if (st == KV_OK)
        st = read_prepare(c, r, false, &ex);
    if (st != KV_OK)
        return st;
    struct scan_args a = {c, r, out, &ex, {0}};
    st = txn_run(c->db, false, scan_body, &a, c->err);
    charge_finish(c->db, st, &a.ticket);
    return st;
}
