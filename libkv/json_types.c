/*
 * json_types.c -- see json_types.h.  The texts are DynamoDB's: its
 * deserializer names JSON tokens STRING_VALUE, NUMBER_VALUE, DECIMAL_VALUE
 * (a number with a point or exponent), TRUE_VALUE and FALSE_VALUE, and
 * names the Java type it wanted when a list or object stands in the wrong
 * place.  value_json.c applies the same rules inside AttributeValues.
 */
#include "json_types.h"
#include "err.h"

#include <string.h>
#include <strings.h>

#define MODEL_NS "com.amazonaws.dynamodb.v20120810."
#define NOT_EXPECTED "Start of structure or map found where not expected"

static const char *
token_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return "STRING_VALUE";
    case JSON_INTEGER:
        return "NUMBER_VALUE";
    case JSON_REAL:
        return "DECIMAL_VALUE";
    case JSON_TRUE:
        return "TRUE_VALUE";
    default:
        return "FALSE_VALUE";
    }
}

static const char *
java_scalar(enum jtype t)
{
    switch (t) {
    case JT_STRING:
        return "String";
    case JT_BOOLEAN:
        return "Boolean";
    case JT_INTEGER:
        return "Integer";
    default:
        return "Long";
    }
}

/* A model name from this service's namespace unless it is already qualified. */
static const char *
model_ns(const char *model)
{
    return model && strchr(model, '.') ? "" : MODEL_NS;
}

static kv_status
array_error(enum jtype t, const char *model, struct kv_err *err)
{
    switch (t) {
    case JT_MAP:
        return err_set(err, KV_SERIALIZATION,
                       "Unrecognized collection type java.util.Map<java.lang.String, %s%s>",
                       model_ns(model), model ? model : "AttributeValue");
    case JT_FIELD:
    case JT_ELEMENT:
        return err_set(err, KV_SERIALIZATION, "Unrecognized collection type class %s%s",
                       model_ns(model), model ? model : "");
    default:
        return err_set(err, KV_SERIALIZATION, "Unrecognized collection type class java.lang.%s",
                       java_scalar(t));
    }
}

kv_status
json_type_error(const json_t *v, enum jtype t, const char *model, struct kv_err *err)
{
    if (json_is_array(v))
        return array_error(t, model, err);
    if (json_is_object(v))
        return err_set(err, KV_SERIALIZATION, NOT_EXPECTED);
    switch (t) {
    case JT_LIST:
    case JT_MAP:
    case JT_FIELD:
        return err_set(err, KV_SERIALIZATION, "Unexpected field type");
    case JT_ELEMENT:
        return err_set(err, KV_SERIALIZATION, "Unexpected value type in payload");
    case JT_BOOLEAN:
        if (json_is_string(v))
            return err_set(err, KV_SERIALIZATION, "Unexpected token received from parser");
        break;
    default:
        break;
    }
    return err_set(err, KV_SERIALIZATION, "%s cannot be converted to %s", token_name(v),
                   java_scalar(t));
}

/* DynamoDB's Boolean deserializer accepts a few spellings in strings. */
static int
bool_from_string(const char *s, bool *out)
{
    static const char *const yes[] = {"TRUE", "1", "YES"}, *const no[] = {"FALSE", "0", "NO"};
    for (int i = 0; i < 3; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return *out = true, 0;
        if (strcasecmp(s, no[i]) == 0)
            return *out = false, 0;
    }
    return -1;
}

kv_status
json_check_type(const json_t *v, enum jtype t, const char *model, struct kv_err *err)
{
    bool b;
    bool ok;
    switch (t) {
    case JT_STRING:
        ok = json_is_string(v);
        break;
    case JT_BOOLEAN:
        ok = json_is_boolean(v) ||
             (json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v) &&
              bool_from_string(json_string_value(v), &b) == 0);
        break;
    case JT_INTEGER:
    case JT_LONG:
        ok = json_is_number(v);
        break;
    case JT_LIST:
        ok = json_is_array(v);
        break;
    default:
        ok = json_is_object(v);
        break;
    }
    return ok ? KV_OK : json_type_error(v, t, model, err);
}

static json_t *
member(const json_t *obj, const char *field)
{
    json_t *v = json_object_get(obj, field);
    return json_is_null(v) ? NULL : v;
}

kv_status
json_get_string(const json_t *obj, const char *field, const char **out, size_t *len,
                struct kv_err *err)
{
    json_t *v = member(obj, field);
    *out = NULL;
    if (len)
        *len = 0;
    if (!v)
        return KV_OK;
    if (!json_is_string(v))
        return json_type_error(v, JT_STRING, NULL, err);
    *out = json_string_value(v);
    if (len)
        *len = json_string_length(v);
    return KV_OK;
}

kv_status
json_get_bool(const json_t *obj, const char *field, bool *out, bool *present,
              struct kv_err *err)
{
    json_t *v = member(obj, field);
    *present = v != NULL;
    *out = false;
    if (!v)
        return KV_OK;
    kv_status st = json_check_type(v, JT_BOOLEAN, NULL, err);
    if (st != KV_OK)
        return st;
    if (json_is_boolean(v))
        *out = json_is_true(v);
    else
        bool_from_string(json_string_value(v), out);
    return KV_OK;
}

kv_status
json_get_number(const json_t *obj, const char *field, enum jtype t, int64_t *out,
                bool *present, struct kv_err *err)
{
    json_t *v = member(obj, field);
    *present = v != NULL;
    *out = 0;
    if (!v)
        return KV_OK;
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        return KV_OK;
    }
    if (json_is_real(v)) {
        /* Fractions are truncated by DynamoDB's integer deserializer. */
        double d = json_real_value(v);
        *out = d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d;
        return KV_OK;
    }
    return json_type_error(v, t, NULL, err);
}

kv_status
json_get_node(const json_t *obj, const char *field, enum jtype t, const char *model,
              json_t **out, struct kv_err *err)
{
    json_t *v = member(obj, field);
    *out = NULL;
    if (!v)
        return KV_OK;
    kv_status st = json_check_type(v, t, model, err);
    if (st == KV_OK)
        *out = v;
    return st;
}
