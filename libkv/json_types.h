/*
 * json_types.h -- reading request fields with DynamoDB's type errors.
 *
 * DynamoDB deserializes a request before validating it: a field of the
 * wrong JSON type is a SerializationException worded after its Java
 * deserializer ("NUMBER_VALUE cannot be converted to String", "Unrecognized
 * collection type class java.lang.Long", "Unexpected field type").  These
 * readers give the same errors.  An absent field, or one that is JSON
 * null, reads as absent.
 */
#ifndef KV_JSON_TYPES_H
#define KV_JSON_TYPES_H

#include "kv.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct kv_err;

/* The Java-side type a request member is deserialized into. */
enum jtype {
    JT_STRING,
    JT_BOOLEAN,
    JT_INTEGER,
    JT_LONG,
    JT_LIST,
    JT_MAP,     /* a JSON object of names to values */
    JT_FIELD,   /* a structure that is a member of a structure */
    JT_ELEMENT, /* a structure that is an element of a list or map */
};

/*
 * The SerializationException for value v where type t was expected.
 * `model` names what a map holds ("AttributeValue", or a Java type such
 * as "java.lang.String") or which structure was expected
 * ("ProvisionedThroughput"); NULL for the other types.
 */
kv_status json_type_error(const json_t *v, enum jtype t, const char *model, struct kv_err *err);

/* Check one node against a type (used for list elements). */
kv_status json_check_type(const json_t *v, enum jtype t, const char *model, struct kv_err *err);

/*
 * Field readers: *out is NULL (or *present false) when the field is absent
 * or null.  Strings are NUL-terminated and owned by the JSON document.
 */
kv_status json_get_string(const json_t *obj, const char *field, const char **out, size_t *len,
                          struct kv_err *err);
kv_status json_get_bool(const json_t *obj, const char *field, bool *out, bool *present,
                        struct kv_err *err);
/* t is JT_INTEGER or JT_LONG: they differ only in their error texts. */
kv_status json_get_number(const json_t *obj, const char *field, enum jtype t, int64_t *out,
                          bool *present, struct kv_err *err);
/* A member of type LIST, MAP, FIELD or ELEMENT: the JSON node, or NULL. */
kv_status json_get_node(const json_t *obj, const char *field, enum jtype t, const char *model,
                        json_t **out, struct kv_err *err);

#endif
