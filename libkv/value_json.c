/*
 * value_json.c -- DynamoDB JSON AttributeValues to value trees and back.
 *
 * Decoding mirrors the two stages DynamoDB's front end runs.  First the
 * request is deserialized: a JSON type where another is expected stops
 * everything with a SerializationException, worded as DynamoDB's Java
 * deserializer words it.  Then the request is validated.  The only
 * validation failures found here are AttributeValue objects with no type
 * or with several; they are remembered and reported after the whole value
 * has been deserialized, so that a type error later in the same value still
 * wins, as it does in DynamoDB.  Everything else about content (number
 * syntax and range, empty or duplicate sets, NULL being true, the 32-level
 * nesting limit) is value_check's job.
 *
 * Deserializer rules this file follows, all observable in DynamoDB:
 *   - A type error is worded by what was expected and by the JSON token
 *     found ("NUMBER_VALUE cannot be converted to String"); where an
 *     AttributeValue itself has the wrong JSON type, the wording also
 *     depends on whether it is a map value or list element, or a member of
 *     a request structure (value_field_from_json).  DynamoDB's older front
 *     end worded all of these differently ("class java.lang.Boolean can
 *     not be converted to an String"); the table below has today's texts.
 *   - Members of an AttributeValue object other than the ten type names are
 *     ignored whatever their value, and a member whose value is JSON null
 *     counts as absent: {"S":null,"N":"1"} is a number, {"X":1} is empty.
 *   - BOOL and NULL also accept the strings true/false, 1/0 and yes/no in
 *     any case.
 *   - B and BS elements must be canonical base64 (see blob_check).
 *   - A map key "__type" is the wire format's type tag and cannot be used
 *     as an attribute or member name.
 *
 * Valid numbers are stored in canonical form, so decoded trees hold the
 * same text storage would; invalid ones are kept verbatim for value_check
 * to quote.  Encoders write canonical numbers and padded base64.
 *
 * Recursion: decoding stops at DECODE_MAX_DEPTH levels, encoding likewise,
 * so neither direction can exhaust the stack on hostile or unchecked input.
 */
#include "value_json.h"
#include "arena.h"
#include "b64.h"
#include "err.h"
#include "mem.h"
#include "number.h"
#include "value.h"

#include <string.h>

#define MSG_EMPTY                                                                                  \
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
#define MSG_MULTI                                                                                  \
    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "        \
    "the supported datatypes"
#define MSG_NESTING                                                                                \
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested "           \
    "levels beyond supported limit"
#define MSG_TYPE_KEY "No assembly name on stack!"

struct decode {
    struct arena *a;
    struct kv_err *err;    /* type errors and the depth bound: decoding stops */
    struct kv_err pending; /* first empty or multi-typed AttributeValue */
};

/* --- type errors ------------------------------------------------------------ */

/* What the deserializer expected where a JSON value stood. */
enum shape {
    SHAPE_STRING, /* S, N, SS and NS elements */
    SHAPE_BLOB,   /* B, BS elements */
    SHAPE_BOOL,   /* BOOL, NULL */
    SHAPE_LIST,   /* L, SS, NS, BS */
    SHAPE_MAP,    /* M, an item */
    SHAPE_VALUE,  /* an AttributeValue as a map value or list element */
    SHAPE_FIELD,  /* an AttributeValue as a member of a request structure */
    N_SHAPES
};

enum jkind { J_STRING, J_INTEGER, J_REAL, J_TRUE, J_FALSE, J_ARRAY, J_OBJECT, N_JKINDS };

#define NOT_EXPECTED "Start of structure or map found where not expected"
#define COLLECTION "Unrecognized collection type "
#define MODEL "com.amazonaws.dynamodb.v20120810."
#define NOT_BYTES "only base-64-encoded strings are convertible to bytes"
#define FIELD_TYPE "Unexpected field type"
#define VALUE_TYPE "Unexpected value type in payload"

/*
 * DynamoDB's message for each (expected shape, JSON kind) that does not
 * fit; NULL where the kind is accepted or needs a closer look (strings as
 * BOOL).  The texts come from its Java deserializer: JSON tokens are named
 * NUMBER_VALUE, DECIMAL_VALUE (any number with a point or an exponent),
 * TRUE_VALUE and FALSE_VALUE, and an array or object in the wrong place
 * names the Java type that was wanted.
 */
static const char *const mismatch_text[N_SHAPES][N_JKINDS] = {
    [SHAPE_STRING] = {NULL, "NUMBER_VALUE cannot be converted to String",
                      "DECIMAL_VALUE cannot be converted to String",
                      "TRUE_VALUE cannot be converted to String",
                      "FALSE_VALUE cannot be converted to String",
                      COLLECTION "class java.lang.String", NOT_EXPECTED},
    [SHAPE_BLOB] = {NULL, NOT_BYTES, NOT_BYTES, NOT_BYTES, NOT_BYTES,
                    COLLECTION "class java.nio.ByteBuffer", NOT_EXPECTED},
    [SHAPE_BOOL] = {"Unexpected token received from parser",
                    "NUMBER_VALUE cannot be converted to Boolean",
                    "DECIMAL_VALUE cannot be converted to Boolean", NULL, NULL,
                    COLLECTION "class java.lang.Boolean", NOT_EXPECTED},
    [SHAPE_LIST] = {FIELD_TYPE, FIELD_TYPE, FIELD_TYPE, FIELD_TYPE, FIELD_TYPE, NULL, NOT_EXPECTED},
    [SHAPE_MAP] = {FIELD_TYPE, FIELD_TYPE, FIELD_TYPE, FIELD_TYPE, FIELD_TYPE,
                   COLLECTION "java.util.Map<java.lang.String, " MODEL "AttributeValue>", NULL},
    [SHAPE_VALUE] = {VALUE_TYPE, VALUE_TYPE, VALUE_TYPE, VALUE_TYPE, VALUE_TYPE,
                     COLLECTION "class " MODEL "AttributeValue", NULL},
    [SHAPE_FIELD] = {FIELD_TYPE, FIELD_TYPE, FIELD_TYPE, FIELD_TYPE, FIELD_TYPE,
                     COLLECTION "class " MODEL "AttributeValue", NULL},
};

static enum jkind
json_kind(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_STRING:
        return J_STRING;
    case JSON_INTEGER:
        return J_INTEGER;
    case JSON_REAL:
        return J_REAL;
    case JSON_TRUE:
        return J_TRUE;
    case JSON_FALSE:
        return J_FALSE;
    case JSON_ARRAY:
        return J_ARRAY;
    default:
        return J_OBJECT;
    }
}

static kv_status
type_error(struct decode *d, const json_t *j, enum shape want)
{
    const char *msg = mismatch_text[want][json_kind(j)];
    return err_set(d->err, KV_SERIALIZATION, "%s", msg ? msg : VALUE_TYPE);
}

/* Remember the first validation failure; decoding goes on. */
static void
defer(struct decode *d, const char *msg)
{
    err_set(&d->pending, KV_VALIDATION, "%s", msg);
}

/* --- scalars ---------------------------------------------------------------- */

/* Canonical text when the number parses; otherwise verbatim, for value_check
 * to report with DynamoDB's message quoting the text. */
static kv_status
decode_number(struct decode *d, const char *s, size_t n, struct kv_value *out)
{
    struct decimal dec;
    struct kv_err scratch;
    err_init(&scratch);
    kv_status st = number_parse(s, n, &dec, &scratch);
    err_clear(&scratch);
    int rc;
    if (st == KV_OK) {
        char text[NUMBER_TEXT_MAX];
        size_t len = number_format(&dec, text);
        rc = value_set_bytes(d->a, out, KV_N, text, len);
    } else {
        rc = value_set_bytes(d->a, out, KV_N, s, n);
    }
    return rc ? err_nomem(d->err) : KV_OK;
}

static kv_status
decode_string(struct decode *d, const json_t *j, int t, struct kv_value *out)
{
    if (!json_is_string(j))
        return type_error(d, j, SHAPE_STRING);
    const char *s = json_string_value(j);
    size_t n = json_string_length(j);
    if (t == KV_N)
        return decode_number(d, s, n, out);
    if (value_set_bytes(d->a, out, t, s, n))
        return err_nomem(d->err);
    return KV_OK;
}

static int
b64_sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Length in UTF-16 units, as DynamoDB's Java front end counts a string. */
static size_t
utf16_length(const unsigned char *s, size_t n)
{
    size_t units = 0;
    for (size_t i = 0; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            units++;
        if (s[i] >= 0xf0)
            units++;
    }
    return units;
}

/* Bytes of the UTF-8 character starting at s[i] (input is valid UTF-8). */
static size_t
utf8_char_len(const unsigned char *s, size_t n, size_t i)
{
    size_t k = 1;
    while (i + k < n && (s[i + k] & 0xc0) == 0x80)
        k++;
    return k;
}

/*
 * DynamoDB's three base64 refusals, in its order: a length that is not a
 * multiple of 4 (counted in UTF-16 units, as Java counts); then padding
 * that would not re-encode to itself (more than two '=', or nonzero bits
 * after the data in the last character before the padding); then any other
 * character outside the alphabet.  "dectected" is DynamoDB's spelling.
 */
static kv_status
blob_check(struct decode *d, const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t units = utf16_length(s, n);
    if (units % 4)
        return err_set(d->err, KV_SERIALIZATION,
                       "Base64 encoded length is expected a multiple of 4 bytes but found: %zu",
                       units);
    size_t pad = 0;
    while (pad < n && s[n - 1 - pad] == '=')
        pad++;
    int last = pad && pad < n ? b64_sextet(s[n - 1 - pad]) : 0;
    if (pad > 2 || (last > 0 && (last & (pad == 1 ? 3 : 15))))
        return err_set(d->err, KV_SERIALIZATION, "Invalid last non-pad Base64 character dectected");
    for (size_t i = 0; i < n - pad; i++)
        if (b64_sextet(s[i]) < 0)
            return err_set(d->err, KV_SERIALIZATION, "Invalid Base64 character: '%.*s'",
                           (int)utf8_char_len(s, n, i), text + i);
    return KV_OK;
}

static kv_status
decode_blob(struct decode *d, const json_t *j, struct kv_value *out)
{
    if (!json_is_string(j))
        return type_error(d, j, SHAPE_BLOB);
    const char *s = json_string_value(j);
    size_t n = json_string_length(j);
    kv_status st = blob_check(d, s, n);
    if (st != KV_OK)
        return st;
    unsigned char *bytes = arena_alloc(d->a, n / 4 * 3 + 1);
    if (!bytes)
        return err_nomem(d->err);
    const char *why;
    char bad;
    long len = b64_decode(s, n, bytes, &why, &bad);
    if (len < 0) /* blob_check admits only what b64_decode accepts */
        return err_set(d->err, KV_SERIALIZATION, "Invalid Base64 character: '%c'", bad);
    bytes[len] = '\0';
    value_set_bytes_ref(out, KV_B, (const char *)bytes, (size_t)len);
    return KV_OK;
}

static bool
word_is(const char *s, size_t n, const char *word)
{
    if (n != strlen(word))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i];
        if (c != word[i])
            return false;
    }
    return true;
}

/* A JSON boolean, or one of the six words DynamoDB reads as one. */
static kv_status
decode_bool(struct decode *d, const json_t *j, int t, struct kv_value *out)
{
    bool b;
    const char *s = json_string_value(j);
    size_t n = json_string_length(j);
    if (json_is_boolean(j))
        b = json_is_true(j);
    else if (s && (word_is(s, n, "TRUE") || word_is(s, n, "1") || word_is(s, n, "YES")))
        b = true;
    else if (s && (word_is(s, n, "FALSE") || word_is(s, n, "0") || word_is(s, n, "NO")))
        b = false;
    else
        return type_error(d, j, SHAPE_BOOL);
    value_init(out, t);
    out->boolean = b;
    return KV_OK;
}

/* --- containers ------------------------------------------------------------- */

static kv_status decode_value(struct decode *d, const json_t *j, struct kv_value *out, int depth,
                              enum shape shape);
static kv_status decode_members(struct decode *d, const json_t *obj, struct kv_value *out,
                                int depth);

/* One array allocation per container: JSON tells the size up front. */
static kv_status
alloc_elems(struct decode *d, struct kv_value *out, int t, size_t n)
{
    value_init(out, t);
    if (n == 0)
        return KV_OK;
    size_t sz = t == KV_M ? sizeof(struct kv_member) : sizeof(struct kv_value);
    void *p = n <= UINT32_MAX && n <= SIZE_MAX / sz ? arena_calloc(d->a, n * sz) : NULL;
    if (!p)
        return err_nomem(d->err);
    if (t == KV_M)
        out->u.members = p;
    else
        out->u.elems = p;
    out->len = out->cap = (uint32_t)n;
    return KV_OK;
}

/* What DynamoDB answers for a null set element: the wording of its checks
 * for missing or empty members.  Not confirmed against the service. */
static const char *
set_null_text(int t)
{
    switch (t) {
    case KV_NS:
        return "The parameter cannot be converted to a numeric value";
    case KV_BS:
        return "One or more parameter values were invalid: Binary sets may not contain null "
               "or empty values";
    default:
        return "One or more parameter values were invalid: An string set may not have a "
               "empty string as a member";
    }
}

static kv_status
decode_set(struct decode *d, const json_t *j, int t, struct kv_value *out)
{
    if (!json_is_array(j))
        return type_error(d, j, SHAPE_LIST);
    int elem = type_set_elem(t);
    kv_status st = alloc_elems(d, out, t, json_array_size(j));
    for (uint32_t i = 0; i < out->len && st == KV_OK; i++) {
        const json_t *e = json_array_get(j, i);
        struct kv_value *slot = &out->u.elems[i];
        if (json_is_null(e)) {
            defer(d, set_null_text(t));
            value_init(slot, elem);
        } else if (elem == KV_B) {
            st = decode_blob(d, e, slot);
        } else {
            st = decode_string(d, e, elem, slot);
        }
    }
    return st;
}

static kv_status
decode_list(struct decode *d, const json_t *j, struct kv_value *out, int depth)
{
    if (!json_is_array(j))
        return type_error(d, j, SHAPE_LIST);
    kv_status st = alloc_elems(d, out, KV_L, json_array_size(j));
    for (uint32_t i = 0; i < out->len && st == KV_OK; i++) {
        const json_t *e = json_array_get(j, i);
        if (json_is_null(e))
            defer(d, MSG_EMPTY); /* the slot stays unset, type 0 */
        else
            st = decode_value(d, e, &out->u.elems[i], depth + 1, SHAPE_VALUE);
    }
    return st;
}

/* The members of an item or an M, each an AttributeValue at depth. */
static kv_status
decode_members(struct decode *d, const json_t *obj, struct kv_value *out, int depth)
{
    kv_status st = alloc_elems(d, out, KV_M, json_object_size(obj));
    if (st != KV_OK)
        return st;
    const char *key;
    size_t key_len;
    json_t *v;
    uint32_t i = 0;
    json_object_keylen_foreach((json_t *)obj, key, key_len, v)
    {
        if (key_len == 6 && memcmp(key, "__type", 6) == 0)
            return err_set(d->err, KV_SERIALIZATION, MSG_TYPE_KEY);
        struct kv_member *m = &out->u.members[i++];
        m->name = arena_strndup(d->a, key, key_len);
        if (!m->name)
            return err_nomem(d->err);
        m->name_len = (uint32_t)key_len;
        if (json_is_null(v))
            defer(d, MSG_EMPTY);
        else if ((st = decode_value(d, v, &m->value, depth, SHAPE_VALUE)) != KV_OK)
            return st;
    }
    return KV_OK;
}

static kv_status
decode_typed(struct decode *d, const json_t *j, int t, struct kv_value *out, int depth)
{
    switch (t) {
    case KV_S:
    case KV_N:
        return decode_string(d, j, t, out);
    case KV_B:
        return decode_blob(d, j, out);
    case KV_BOOL:
    case KV_NULL:
        return decode_bool(d, j, t, out);
    case KV_SS:
    case KV_NS:
    case KV_BS:
        return decode_set(d, j, t, out);
    case KV_L:
        return decode_list(d, j, out, depth);
    default:
        if (!json_is_object(j))
            return type_error(d, j, SHAPE_MAP);
        return decode_members(d, j, out, depth + 1);
    }
}

/*
 * One AttributeValue object at depth (an attribute's value is depth 1);
 * shape says where it stands, which words DynamoDB's type errors.  Every
 * type member is deserialized, even past the first, because a type error
 * in any of them is what DynamoDB reports.
 */
static kv_status
decode_value(struct decode *d, const json_t *j, struct kv_value *out, int depth, enum shape shape)
{
    if (depth > DECODE_MAX_DEPTH)
        return err_set(d->err, KV_VALIDATION, MSG_NESTING);
    if (!json_is_object(j))
        return type_error(d, j, shape);
    value_init(out, 0);
    struct kv_value extra;
    int n_types = 0;
    const char *key;
    size_t key_len;
    json_t *v;
    json_object_keylen_foreach((json_t *)j, key, key_len, v)
    {
        int t = type_from_name(key, key_len);
        if (t == 0 || json_is_null(v))
            continue;
        kv_status st = decode_typed(d, v, t, n_types++ ? &extra : out, depth);
        if (st != KV_OK)
            return st;
    }
    if (n_types == 0)
        defer(d, MSG_EMPTY);
    else if (n_types > 1)
        defer(d, MSG_MULTI);
    return KV_OK;
}

/* A type error beats a deferred validation failure; report whichever won. */
static kv_status
decode_finish(struct decode *d, kv_status st)
{
    if (st == KV_OK && d->pending.status != KV_OK)
        st = err_set(d->err, d->pending.status, "%s", err_message(&d->pending));
    err_clear(&d->pending);
    return st;
}

static kv_status
decode_one(struct arena *a, const json_t *j, struct kv_value *out, struct kv_err *err,
           enum shape shape)
{
    struct decode d = {.a = a, .err = err};
    err_init(&d.pending);
    kv_status st = KV_OK;
    if (!j || json_is_null(j)) {
        value_init(out, 0);
        defer(&d, MSG_EMPTY);
    } else {
        st = decode_value(&d, j, out, 1, shape);
    }
    return decode_finish(&d, st);
}

kv_status
value_from_json(struct arena *a, const json_t *j, struct kv_value *out, struct kv_err *err)
{
    return decode_one(a, j, out, err, SHAPE_VALUE);
}

kv_status
value_field_from_json(struct arena *a, const json_t *j, struct kv_value *out, struct kv_err *err)
{
    return decode_one(a, j, out, err, SHAPE_FIELD);
}

kv_status
item_from_json(struct arena *a, const json_t *obj, struct kv_value *out, struct kv_err *err)
{
    struct decode d = {.a = a, .err = err};
    err_init(&d.pending);
    kv_status st = KV_OK;
    value_init(out, KV_M);
    if (obj && !json_is_null(obj)) {
        if (json_is_object(obj))
            st = decode_members(&d, obj, out, 1);
        else
            st = type_error(&d, obj, SHAPE_MAP);
    }
    return decode_finish(&d, st);
}

/* --- encoding --------------------------------------------------------------- */

static json_t *
encode_number(const struct kv_value *v)
{
    struct decimal dec;
    struct kv_err scratch;
    err_init(&scratch);
    kv_status st = number_parse(v->u.bytes, v->len, &dec, &scratch);
    err_clear(&scratch);
    if (st != KV_OK) /* unchecked text: only a bug gets here; keep it */
        return json_stringn(v->u.bytes, v->len);
    char text[NUMBER_TEXT_MAX];
    size_t len = number_format(&dec, text);
    return json_stringn_nocheck(text, len);
}

static json_t *
encode_blob(const struct kv_value *v)
{
    size_t n = b64_encoded_len(v->len);
    char *text = mem_alloc(n + 1);
    if (!text)
        return NULL;
    b64_encode(v->u.bytes, v->len, text);
    json_t *j = json_stringn_nocheck(text, n);
    mem_free(text);
    return j;
}

static json_t *
encode_scalar(const struct kv_value *v, int t)
{
    if (v->type != t)
        return NULL;
    switch (t) {
    case KV_S:
        return json_stringn(v->u.bytes, v->len);
    case KV_N:
        return encode_number(v);
    default:
        return encode_blob(v);
    }
}

static json_t *encode_value(const struct kv_value *v, int depth);
static json_t *encode_members(const struct kv_value *map, int depth);

static json_t *
encode_array(const struct kv_value *v, int depth)
{
    json_t *arr = json_array();
    int elem = type_set_elem(v->type);
    for (uint32_t i = 0; arr && i < v->len; i++) {
        const struct kv_value *e = &v->u.elems[i];
        json_t *ej = elem ? encode_scalar(e, elem) : encode_value(e, depth + 1);
        if (json_array_append_new(arr, ej)) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

static json_t *
encode_payload(const struct kv_value *v, int depth)
{
    switch (v->type) {
    case KV_S:
    case KV_N:
    case KV_B:
        return encode_scalar(v, v->type);
    case KV_BOOL:
        return json_boolean(v->boolean);
    case KV_NULL:
        return json_true();
    case KV_M:
        return encode_members(v, depth + 1);
    case KV_L:
    case KV_SS:
    case KV_NS:
    case KV_BS:
        return encode_array(v, depth);
    default:
        return NULL;
    }
}

static json_t *
encode_value(const struct kv_value *v, int depth)
{
    if (depth > DECODE_MAX_DEPTH)
        return NULL;
    json_t *payload = encode_payload(v, depth);
    json_t *obj = payload ? json_object() : NULL;
    if (!obj || json_object_set_new_nocheck(obj, type_name(v->type), payload)) {
        json_decref(obj);
        if (!obj)
            json_decref(payload);
        return NULL;
    }
    return obj;
}

static json_t *
encode_members(const struct kv_value *map, int depth)
{
    json_t *obj = json_object();
    for (uint32_t i = 0; obj && i < map->len; i++) {
        const struct kv_member *m = &map->u.members[i];
        json_t *v = encode_value(&m->value, depth);
        if (!v || json_object_setn_new(obj, m->name, m->name_len, v)) {
            json_decref(obj);
            obj = NULL;
        }
    }
    return obj;
}

json_t *
value_to_json(const struct kv_value *v)
{
    return encode_value(v, 1);
}

json_t *
item_to_json(const struct kv_value *item)
{
    return item->type == KV_M ? encode_members(item, 1) : NULL;
}
