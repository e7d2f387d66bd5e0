/*
 * value_json.h -- DynamoDB JSON <-> values, with Jansson.
 *
 * DynamoDB's wire format writes each value as a one-member object naming
 * its type: {"S":"text"}, {"N":"12.5"}, {"B":"<base64>"}, {"BOOL":true},
 * {"NULL":true}, {"M":{...}}, {"L":[...]}, {"SS":[...]}, {"NS":[...]},
 * {"BS":[...]}.
 *
 * Decoding checks the shape, with DynamoDB's exceptions and wording: a
 * JSON type where another is expected is a SerializationException, as is
 * bad base64; an object with no type or with two is a ValidationException.
 * It does not check content (number syntax and range, empty or duplicate
 * sets, NULL being true, nesting depth): operations do that with
 * value_check, so the typed C API gets the same checks.  Decoding depth is
 * nonetheless bounded, at DECODE_MAX_DEPTH, so hostile input cannot
 * exhaust the stack.
 */
#ifndef KV_VALUE_JSON_H
#define KV_VALUE_JSON_H

#include "kv.h"

#include <jansson.h>

struct arena;
struct kv_err;
struct kv_value;

/* Deeper than any valid item, so the depth error comes from value_check. */
#define DECODE_MAX_DEPTH 64

/* One AttributeValue object into *out. */
kv_status value_from_json(struct arena *a, const json_t *j, struct kv_value *out,
                          struct kv_err *err);

/* A map of attribute names to AttributeValues (an item, a key) into an M. */
kv_status item_from_json(struct arena *a, const json_t *obj, struct kv_value *out,
                         struct kv_err *err);

/* Encoders: new references, NULL when out of memory.  Numbers canonical. */
json_t *value_to_json(const struct kv_value *v);
json_t *item_to_json(const struct kv_value *item);

#endif
