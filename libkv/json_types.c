/*
 * json_types.c -- see json_types.h.  The texts are DynamoDB's: its
 * deserializer names JSON numbers "TruncatingBigNumber" and says "an" before
 * every type name.
 */
#include "json_types.h"
#include "err.h"

#include <ctype.h>
#include <string.h>

#define NUMBER_CLASS "class com.amazon.coral.value.json.numbers.TruncatingBigNumber"

static const char *
type_word(enum jtype t)
{
    switch (t) {
    case JT_STRING:
        return "an String";
    case JT_BOOLEAN:
        return "an Boolean";
    case JT_LONG:
        return "an Long";
    case JT_BLOB:
        return "a Blob";
    default:
        return "";
    }
}

static kv_status
ser(struct kv_err *err, const char *msg)
{
    return err_set(err, KV_SERIALIZATION, "%s", msg);
}

kv_status
json_type_error(const json_t *v, enum jtype t, struct kv_err *err)
{
    if (json_is_array(v) && t != JT_LIST)
        return ser(err, "Start of list found where not expected");
    if (json_is_object(v) && t != JT_MAP && t != JT_STRUCTURE)
        return ser(err, "Start of structure or map found where not expected.");
    switch (t) {
    case JT_LIST:
        if (json_is_object(v))
            return ser(err, "Start of structure or map found where not expected.");
        return ser(err, "Expected list or null");
    case JT_MAP:
        return ser(err, "Expected map or null");
    case JT_STRUCTURE:
        return ser(err, "Expected null");
    default:
        break;
    }
    if (json_is_boolean(v))
        return err_set(err, KV_SERIALIZATION, "class java.lang.Boolean can not be converted to %s",
                       type_word(t));
    if (json_is_number(v))
        return err_set(err, KV_SERIALIZATION, NUMBER_CLASS " can not be converted to %s",
                       type_word(t));
    if (json_is_string(v))
        return err_set(err, KV_SERIALIZATION, "class java.lang.String can not be converted to %s",
                       type_word(t));
    return ser(err, "Unexpected JSON value");
}

/* DynamoDB's Boolean deserializer accepts a few spellings in strings. */
static int
bool_from_string(const char *s, bool *out)
{
    static const char *const yes[] = {"TRUE", "1", "YES"}, *const no[] = {"FALSE", "0", "NO"};
    char up[8];
    size_t n = strlen(s);
    if (n >= sizeof up)
        return -1;
    for (size_t i = 0; i <= n; i++)
        up[i] = (char)toupper((unsigned char)s[i]);
    for (int i = 0; i < 3; i++) {
        if (strcmp(up, yes[i]) == 0)
            return *out = true, 0;
        if (strcmp(up, no[i]) == 0)
            return *out = false, 0;
    }
    return -1;
}

kv_status
json_check_type(const json_t *v, enum jtype t, struct kv_err *err)
{
    bool b;
    switch (t) {
    case JT_STRING:
    case JT_BLOB:
        return json_is_string(v) ? KV_OK : json_type_error(v, t, err);
    case JT_BOOLEAN:
        if (json_is_boolean(v))
            return KV_OK;
        if (json_is_string(v)) {
            if (bool_from_string(json_string_value(v), &b) == 0)
                return KV_OK;
            char up[64];
            size_t n = json_string_length(v);
            if (n >= sizeof up)
                n = sizeof up - 1;
            for (size_t i = 0; i < n; i++)
                up[i] = (char)toupper((unsigned char)json_string_value(v)[i]);
            up[n] = '\0';
            return err_set(err, KV_SERIALIZATION, "'%s' can not be converted to an Boolean", up);
        }
        return json_type_error(v, t, err);
    case JT_LONG:
        return json_is_number(v) ? KV_OK : json_type_error(v, t, err);
    case JT_LIST:
        return json_is_array(v) ? KV_OK : json_type_error(v, t, err);
    case JT_MAP:
    case JT_STRUCTURE:
        return json_is_object(v) ? KV_OK : json_type_error(v, t, err);
    }
    return json_type_error(v, t, err);
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
        return json_type_error(v, JT_STRING, err);
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
    kv_status st = json_check_type(v, JT_BOOLEAN, err);
    if (st != KV_OK)
        return st;
    if (json_is_boolean(v))
        *out = json_is_true(v);
    else
        bool_from_string(json_string_value(v), out);
    return KV_OK;
}

kv_status
json_get_long(const json_t *obj, const char *field, int64_t *out, bool *present,
              struct kv_err *err)
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
    return json_type_error(v, JT_LONG, err);
}

kv_status
json_get_node(const json_t *obj, const char *field, enum jtype t, json_t **out,
              struct kv_err *err)
{
    json_t *v = member(obj, field);
    *out = NULL;
    if (!v)
        return KV_OK;
    kv_status st = json_check_type(v, t, err);
    if (st == KV_OK)
        *out = v;
    return st;
}
