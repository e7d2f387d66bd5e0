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
 * bad base64; an object with no type or with two is a ValidationException,
 * reported only if the whole value has no type error (DynamoDB
 * deserializes a request completely before validating it).  It does not
 * check content (number syntax and range, empty or duplicate sets, NULL
 * being true, nesting depth): operations do that with value_check, so the
 * typed C API gets the same checks.  Numbers that parse are stored in
 * canonical form; others are kept verbatim for value_check to quote.
 * Decoding depth is nonetheless bounded, at DECODE_MAX_DEPTH, so hostile
 * input cannot exhaust the stack.
 *
 * Decoded strings, names and numbers are copied into the arena; the JSON
 * may be freed afterwards.
 */
#ifndef KV_VALUE_JSON_H
#define KV_VALUE_JSON_H

#include "kv.h"

#include <jansson.h>

struct arena;
struct kv_err;
struct kv_value;

/*
 * Deeper than any valid item, so the depth error comes from value_check.
 * Levels count values: the decoded value (or an item's attribute value) is
 * level 1, an element of a list at level n is level n + 1.  A value at a
 * level beyond this gives DynamoDB's ValidationException "Nesting Levels
 * have exceeded supported limits: Attributes in the item have nested levels
 * beyond supported limit".
 */
#define DECODE_MAX_DEPTH 64

/*
 * One AttributeValue object into *out, standing where DynamoDB's model has
 * a map value or a list element (ExpressionAttributeValues, Key, Item,
 * AttributeValueList).  A NULL or JSON null j is an empty AttributeValue.
 * Returns KV_OK, KV_SERIALIZATION, KV_VALIDATION or KV_NOMEM; on failure
 * *out may be partly filled and must not be used.
 */
kv_status value_from_json(struct arena *a, const json_t *j, struct kv_value *out,
                          struct kv_err *err);

/*
 * The same for an AttributeValue that is a member of a request structure
 * (Expected's Value, AttributeUpdates' Value): DynamoDB words a wrong JSON
 * type there differently ("Unexpected field type").
 */
kv_status value_field_from_json(struct arena *a, const json_t *j, struct kv_value *out,
                                struct kv_err *err);

/*
 * A map of attribute names to AttributeValues (an item, a key) into an M,
 * members in the JSON object's order.  A NULL or JSON null obj is an empty
 * map.  Statuses as value_from_json.
 */
kv_status item_from_json(struct arena *a, const json_t *obj, struct kv_value *out,
                         struct kv_err *err);

/*
 * Encoders: new references.  Numbers canonical, binaries padded base64,
 * NULL as {"NULL":true}.  NULL when out of memory, and for trees no check
 * would pass: an unset value, a set element of the wrong type, a string or
 * name that is not UTF-8, nesting beyond DECODE_MAX_DEPTH (item_to_json
 * also wants an M).  Number text that does not parse is written as it is.
 */
json_t *value_to_json(const struct kv_value *v);
json_t *item_to_json(const struct kv_value *item);

/*
 * The same encodings written as text into w (value_json_out.c), for
 * responses: what json_dumps writes for the trees above, and a failed
 * writer where they return NULL.
 */
struct json_out;
void value_json_write(struct json_out *w, const struct kv_value *v);
void item_json_write(struct json_out *w, const struct kv_value *item);

#endif
