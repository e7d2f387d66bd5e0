/*
 * ddbjson.h -- test support: DynamoDB's JSON for values, read with Jansson.
 *
 * Test cases and fuzz inputs describe items and values the way DynamoDB's
 * wire format does ({"S": "x"}, {"N": "1.5"}, {"M": {...}}, ...).  This
 * reader is deliberately small and lenient: it checks shapes, not content
 * (value_check does that in the code under test), and it is used only by
 * tests and fuzzers.
 */
#ifndef KV_TEST_DDBJSON_H
#define KV_TEST_DDBJSON_H

#include <jansson.h>
#include <stdbool.h>

struct arena;
struct kv_value;

/* One AttributeValue object; -1 on a shape it does not know or deeper
 * nesting than max_depth. */
int tj_value(struct arena *a, const json_t *j, struct kv_value *out, int max_depth);
/* A JSON object of names to AttributeValues, as an M. */
int tj_item(struct arena *a, const json_t *obj, struct kv_value *out, int max_depth);
/* A JSON object of strings (ExpressionAttributeNames), as an M of S. */
int tj_names(struct arena *a, const json_t *obj, struct kv_value *out);

/* Equality that also demands the same number text ("100", not "1E2"),
 * for checking canonical results; sets compare without order. */
bool tj_same(const struct kv_value *a, const struct kv_value *b);

/* DynamoDB JSON text of a value, for failure messages; free() it. */
char *tj_render(const struct kv_value *v);

#endif
