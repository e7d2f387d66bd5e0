/*
 * transact_token.c -- ClientRequestToken fingerprints and records; see
 * transact_token.h.
 */
#include "transact_token.h"
#include "arena.h"
#include "buf.h"
#include "catalog.h"
#include "err.h"
#include "ops.h"
#include "txn.h"
#include "value.h"

#include <string.h>
#include <xxhash.h>

/* At most this many expired tokens are forgotten per transaction, so the
 * cost of expiry stays small and bounded. */
#define EXPIRE_PER_CALL 8

/* DynamoDB's description of the exception; its service message is not
 * documented. */
#define MISMATCH_MESSAGE                                                                           \
    "DynamoDB rejected the request because you retried a request with a different payload "        \
    "but with an idempotent token that was already used."

static void
put_text(struct buf *b, const char *s, size_t len)
{
    if (!s) {
        buf_put_u8(b, 0);
        return;
    }
    buf_put_u8(b, 1);
    buf_put_varint(b, len);
    buf_put(b, s, len);
}

/* A value's type, size and content, depth first. */
static void
put_value(struct buf *b, const struct kv_value *v)
{
    buf_put_u8(b, v->type);
    buf_put_varint(b, v->len);
    if (type_is_scalar_bytes(v->type)) {
        buf_put(b, v->u.bytes, v->len);
    } else if (v->type == KV_BOOL) {
        buf_put_u8(b, v->boolean);
    } else if (v->type == KV_M) {
        for (uint32_t i = 0; i < v->len; i++) {
            put_text(b, v->u.members[i].name, v->u.members[i].name_len);
            put_value(b, &v->u.members[i].value);
        }
    } else if (v->type == KV_L || type_is_set(v->type)) {
        for (uint32_t i = 0; i < v->len; i++)
            put_value(b, &v->u.elems[i]);
    }
}

static void
put_optional_value(struct buf *b, const struct kv_value *v)
{
    buf_put_u8(b, v != NULL);
    if (v)
        put_value(b, v);
}

kv_status
transact_fingerprint(const struct transact_write_req *r, uint8_t fp[TOKEN_FP_LEN],
                     struct kv_err *err)
{
    struct buf b;
    buf_init(&b);
    buf_put_varint(&b, r->n_actions);
    for (size_t i = 0; i < r->n_actions; i++) {
        const struct transact_action *a = &r->actions[i];
        buf_put_u8(&b, (uint8_t)a->kind);
        put_text(&b, a->table, strlen(a->table));
        put_optional_value(&b, a->value);
        put_text(&b, a->ex.update, a->ex.update_len);
        put_text(&b, a->ex.condition, a->ex.condition_len);
        put_optional_value(&b, a->ex.names);
        put_optional_value(&b, a->ex.values);
        buf_put_u8(&b, a->return_old_on_fail);
    }
    kv_status st = KV_OK;
    if (b.failed) {
        st = err_nomem(err);
    } else {
        XXH128_canonical_t c;
        XXH128_canonicalFromHash(&c, XXH3_128bits(b.data, b.len));
        memcpy(fp, c.digest, TOKEN_FP_LEN);
    }
    buf_release(&b);
    return st;
}

/* The stored read units into out->tables. */
static kv_status
replay_units(struct txn *t, const uint8_t *rec, size_t len, struct arena *a,
             struct transact_write_resp *out)
{
    struct reader rd;
    uint64_t n, name_len, units;
    const uint8_t *name;
    reader_init(&rd, rec + TOKEN_FP_LEN, len - TOKEN_FP_LEN);
    if (reader_varint(&rd, &n) || n > TRANSACT_MAX_ACTIONS)
        return ERR_CORRUPT(t->err, "an idempotency token record is damaged");
    if (!(out->tables = arena_calloc(a, (n ? n : 1) * sizeof *out->tables)))
        return err_nomem(t->err);
    for (uint64_t i = 0; i < n; i++) {
        if (reader_varint(&rd, &name_len) || name_len > 1024 ||
            reader_bytes(&rd, name_len, &name) || reader_varint(&rd, &units))
            return ERR_CORRUPT(t->err, "an idempotency token record is damaged");
        struct table_consumed *tc = &out->tables[i];
        if (!(tc->table = arena_strndup(a, (const char *)name, name_len)))
            return err_nomem(t->err);
        consumed_add_table(&tc->consumed, units, 0);
    }
    out->n_tables = n;
    return KV_OK;
}

kv_status
transact_token_check(struct txn *t, const struct transact_write_req *r,
                     const uint8_t fp[TOKEN_FP_LEN], int64_t now_ms, struct arena *a,
                     struct transact_write_resp *out, bool *replay)
{
    int64_t done_ms;
    const uint8_t *rec;
    size_t len;
    bool found;
    *replay = false;
    kv_status st = catalog_token_expire(t, now_ms - TOKEN_WINDOW_MS, EXPIRE_PER_CALL);
    if (st == KV_OK && r->token)
        st = catalog_token_get(t, r->token, r->token_len, &done_ms, &rec, &len, &found);
    if (st != KV_OK || !r->token || !found || done_ms < now_ms - TOKEN_WINDOW_MS)
        return st;
    if (len < TOKEN_FP_LEN)
        return ERR_CORRUPT(t->err, "an idempotency token record is damaged");
    if (memcmp(rec, fp, TOKEN_FP_LEN) != 0)
        return err_set(t->err, KV_IDEMPOTENT_PARAMETER_MISMATCH, MISMATCH_MESSAGE);
    *replay = true;
    return replay_units(t, rec, len, a, out);
}

kv_status
transact_token_store(struct txn *t, const struct transact_write_req *r,
                     const uint8_t fp[TOKEN_FP_LEN], int64_t now_ms,
                     const struct table_consumed *reads, size_t n_reads)
{
    if (!r->token)
        return KV_OK;
    struct buf b;
    buf_init(&b);
    buf_put(&b, fp, TOKEN_FP_LEN);
    buf_put_varint(&b, n_reads);
    for (size_t i = 0; i < n_reads; i++) {
        size_t len = strlen(reads[i].table);
        buf_put_varint(&b, len);
        buf_put(&b, reads[i].table, len);
        buf_put_varint(&b, reads[i].consumed.read);
    }
    kv_status st = b.failed ? err_nomem(t->err)
                            : catalog_token_put(t, r->token, r->token_len, now_ms, b.data, b.len);
    buf_release(&b);
    return st;
}
