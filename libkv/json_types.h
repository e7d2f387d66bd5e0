/*
 * json_types.h -- reading request fields with DynamoDB's type errors.
 *
 * DynamoDB deserializes a request before validating it: a field of the
 * wrong JSON type is a SerializationException worded after the Java types
 * of its deserializer ("class java.lang.Boolean can not be converted to an
 * String", "Start of list found where not expected").  These readers give
 * the same errors.  An absent field, or one that is JSON null, reads as
 * absent.
 */
#ifndef KV_JSON_TYPES_H
#define KV_JSON_TYPES_H

#include "kv.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct kv_err;

enum jtype {
    JT_STRING,
    JT_BOOLEAN,
    JT_LONG,      /* also Integer: numbers, fractions truncated */
    JT_LIST,
    JT_MAP,       /* a JSON object used as a map of names to values */
    JT_STRUCTURE, /* a JSON object with named members */
    JT_BLOB,      /* base64 text */
};

/* The SerializationException for value v where type t was expected. */
kv_status json_type_error(const json_t *v, enum jtype t, struct kv_err *err);

/*
 * Field readers: *out is NULL (or *present false) when the field is absent
 * or null.  Strings are NUL-terminated and owned by the JSON document.
 */
kv_status json_get_string(const json_t *obj, const char *field, const char **out, size_t *len,
                          struct kv_err *err);
kv_status json_get_bool(const json_t *obj, const char *field, bool *out, bool *present,
                        struct kv_err *err);
kv_status json_get_long(const json_t *obj, const char *field, int64_t *out, bool *present,
                        struct kv_err *err);
/* A member of type LIST, MAP or STRUCTURE: the JSON node itself, or NULL. */
kv_status json_get_node(const json_t *obj, const char *field, enum jtype t, json_t **out,
                        struct kv_err *err);

/* Check one node against a type (used for list elements). */
kv_status json_check_type(const json_t *v, enum jtype t, struct kv_err *err);

#endif
