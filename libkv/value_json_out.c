/*
 * value_json_out.c -- values and items written as DynamoDB JSON text.
 *
 * The same encoding as value_to_json and item_to_json (value_json.c), but
 * written straight into a json_out writer, for responses: the text is what
 * json_dumps gives for the tree those build, and the writer fails where
 * they return NULL (an unset value, a set element of the wrong type, a
 * string or name that is not UTF-8, nesting beyond DECODE_MAX_DEPTH, an
 * item that is not an M).
 */
#include "b64.h"
#include "err.h"
#include "json_out.h"
#include "mem.h"
#include "number.h"
#include "value.h"
#include "value_json.h"

#include <string.h>

/*
 * Whether number text already has the shape of canonical text:
 * -?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?, not "-0".  Such text either is
 * canonical, or does not parse (too many digits, out of range) and is
 * written as it is: either way it is written unchanged, without the cost
 * of parsing it.  Stored numbers are canonical, so this is the usual case.
 */
static bool
canonical_shape(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i == n)
        return false;
    if (s[i] == '0') {
        i++;
        if (i == 2 && n == 2) /* "-0" */
            return false;
    } else if (s[i] >= '1' && s[i] <= '9') {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    } else {
        return false;
    }
    if (i == n)
        return true;
    if (s[i] != '.' || i + 1 == n)
        return false;
    for (i++; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return s[n - 1] != '0';
}

static void
write_number(struct json_out *w, const struct kv_value *v)
{
    if (canonical_shape(v->u.bytes, v->len)) {
        json_out_plain(w, v->u.bytes, v->len);
        return;
    }
    struct decimal dec;
    struct kv_err scratch;
    err_init(&scratch);
    kv_status st = number_parse(v->u.bytes, v->len, &dec, &scratch);
    err_clear(&scratch);
    if (st != KV_OK) { /* unchecked text: only a bug gets here; keep it */
        json_out_string(w, v->u.bytes, v->len);
        return;
    }
    char text[NUMBER_TEXT_MAX];
    size_t len = number_format(&dec, text);
    json_out_plain(w, text, len);
}

static void
write_blob(struct json_out *w, const struct kv_value *v)
{
    char small[256];
    size_t n = b64_encoded_len(v->len);
    char *text = n < sizeof small ? small : mem_alloc(n + 1);
    if (!text) {
        json_out_fail(w);
        return;
    }
    b64_encode(v->u.bytes, v->len, text);
    json_out_plain(w, text, n);
    if (text != small)
        mem_free(text);
}

static void
write_scalar(struct json_out *w, const struct kv_value *v, int t)
{
    if (v->type != t) {
        json_out_fail(w);
        return;
    }
    switch (t) {
    case KV_S:
        json_out_string(w, v->u.bytes, v->len);
        break;
    case KV_N:
        write_number(w, v);
        break;
    default:
        write_blob(w, v);
    }
}

static void write_value(struct json_out *w, const struct kv_value *v, int depth);
static void write_members(struct json_out *w, const struct kv_value *map, int depth);

static void
write_payload(struct json_out *w, const struct kv_value *v, int depth)
{
    switch (v->type) {
    case KV_S:
    case KV_N:
    case KV_B:
        write_scalar(w, v, v->type);
        break;
    case KV_BOOL:
        json_out_bool(w, v->boolean);
        break;
    case KV_NULL:
        json_out_bool(w, true);
        break;
    case KV_M:
        write_members(w, v, depth + 1);
        break;
    case KV_L:
    case KV_SS:
    case KV_NS:
    case KV_BS: {
        int elem = type_set_elem(v->type);
        json_out_array_begin(w);
        for (uint32_t i = 0; i < v->len && !json_out_failed(w); i++) {
            const struct kv_value *e = &v->u.elems[i];
            if (elem)
                write_scalar(w, e, elem);
            else
                write_value(w, e, depth + 1);
        }
        json_out_array_end(w);
        break;
    }
    default:
        json_out_fail(w);
    }
}

static void
write_value(struct json_out *w, const struct kv_value *v, int depth)
{
    const char *type = depth > DECODE_MAX_DEPTH ? NULL : type_name(v->type);
    if (!type || !*type) {
        json_out_fail(w);
        return;
    }
    char open[8] = "{\"";
    size_t n = strlen(type); /* at most 4 */
    memcpy(open + 2, type, n);
    memcpy(open + 2 + n, "\":", 2);
    json_out_raw(w, open, n + 4);
    write_payload(w, v, depth);
    json_out_object_end(w);
}

static void
write_members(struct json_out *w, const struct kv_value *map, int depth)
{
    json_out_object_begin(w);
    for (uint32_t i = 0; i < map->len && !json_out_failed(w); i++) {
        const struct kv_member *m = &map->u.members[i];
        json_out_keyn(w, m->name, m->name_len);
        write_value(w, &m->value, depth);
    }
    json_out_object_end(w);
}

void
value_json_write(struct json_out *w, const struct kv_value *v)
{
    write_value(w, v, 1);
}

void
item_json_write(struct json_out *w, const struct kv_value *item)
{
    if (item->type != KV_M)
        json_out_fail(w);
    else
        write_members(w, item, 1);
}
