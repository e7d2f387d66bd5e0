/*
 * fuzz_json.c -- libFuzzer harness for the DynamoDB JSON codec.
 *
 * Input: one byte choosing what the rest is read as (bit 0: an item, a
 * map of names to AttributeValues, instead of one AttributeValue; bit 1:
 * an AttributeValue that is a member of a request structure), then JSON
 * text, loaded as request.c loads a request body.
 *
 * Rejected input must fail as DynamoDB fails it: a SerializationException
 * or ValidationException with a message.  Accepted input must survive the
 * round trip: when value_check passes, the encoder must write it; whatever
 * the encoder writes must decode again to an equal value, and encoding
 * that must give the identical text.  Any broken rule aborts.
 */
#include "arena.h"
#include "err.h"
#include "value.h"
#include "value_json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kv_status
decode(struct arena *a, int mode, const json_t *j, struct kv_value *out, struct kv_err *err)
{
    if (mode & 1)
        return item_from_json(a, j, out, err);
    if (mode & 2)
        return value_field_from_json(a, j, out, err);
    return value_from_json(a, j, out, err);
}

static char *
encode(int mode, const struct kv_value *v)
{
    json_t *j = (mode & 1) ? item_to_json(v) : value_to_json(v);
    if (!j)
        return NULL;
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(j);
    if (!s)
        abort(); /* a tree the encoder built must dump */
    return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > MAX_INPUT)
        return 0;
    int mode = data[0] & 3;
    json_error_t jerr;
    json_t *j = json_loadb((const char *)data + 1, size - 1, 0, &jerr);
    if (!j)
        return 0; /* request.c's SerializationException, before any decoding */
    struct arena *a = arena_new();
    if (!a) {
        json_decref(j);
        return 0;
    }
    struct kv_err err;
    err_init(&err);
    struct kv_value v;
    kv_status st = decode(a, mode, j, &v, &err);
    json_decref(j);
    if (st != KV_OK) {
        if (st != KV_SERIALIZATION && st != KV_VALIDATION && st != KV_NOMEM)
            abort();
        if (st != KV_NOMEM && err_message(&err)[0] == '\0')
            abort(); /* DynamoDB always says why */
        goto out;
    }
    kv_status checked = KV_OK;
    if (mode & 1) {
        for (uint32_t i = 0; i < v.len && checked == KV_OK; i++)
            checked = value_check(&v.u.members[i].value, 0, &err);
    } else {
        checked = value_check(&v, 0, &err);
    }
    err_clear(&err);
    char *s1 = encode(mode, &v);
    if (!s1) {
        if (checked == KV_OK)
            abort(); /* a valid value must encode */
        goto out;
    }
    j = json_loads(s1, 0, &jerr);
    if (!j)
        abort(); /* the encoder wrote unreadable JSON */
    struct kv_value v2;
    st = decode(a, mode, j, &v2, &err);
    json_decref(j);
    if (st != KV_OK || !value_equal(&v, &v2))
        abort();
    char *s2 = encode(mode, &v2);
    if (!s2 || strcmp(s1, s2) != 0)
        abort();
    free(s1);
    free(s2);
out:
    err_clear(&err);
    arena_free(a);
    return 0;
}
