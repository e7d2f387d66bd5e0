/*
 * json_out.h -- writing JSON text straight into a byte buffer.
 *
 * The responses of the busiest operations (GetItem, PutItem, Query, ...)
 * are written with this instead of being built as a Jansson tree and then
 * dumped: building, dumping and freeing the tree cost several times the
 * operation itself.  The text is byte for byte what Jansson's
 * json_dumps(JSON_COMPACT) writes for the same tree: members in the order
 * written, strings escaped as Jansson escapes them, no spaces.
 *
 * The writer places commas itself: after a value, the next key or array
 * element is preceded by one.  Its first failure (out of memory, a string
 * that is not UTF-8, a subtree Jansson cannot dump) sticks; check
 * json_out_failed once at the end.
 */
#ifndef KV_JSON_OUT_H
#define KV_JSON_OUT_H

#include "buf.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_out {
    struct buf b;
    bool comma; /* a value was just written: the next one needs a ',' */
};

void json_out_init(struct json_out *w);
void json_out_release(struct json_out *w);
/* Empty the text, keeping its memory, and clear a failure. */
void json_out_reset(struct json_out *w);
bool json_out_failed(const struct json_out *w);
/* Mark the text as unusable (a value that cannot be written). */
void json_out_fail(struct json_out *w);

void json_out_object_begin(struct json_out *w);
void json_out_object_end(struct json_out *w);
void json_out_array_begin(struct json_out *w);
void json_out_array_end(struct json_out *w);

/* A member name of the program's own, ASCII that needs no escaping. */
void json_out_key(struct json_out *w, const char *key);
/* A member name of n bytes from data: escaped; fails unless it is UTF-8. */
void json_out_keyn(struct json_out *w, const char *key, size_t n);
/* Text written as it is, after a comma if one is due; what follows it
 * needs none (an opening brace and key, for example). */
void json_out_raw(struct json_out *w, const char *text, size_t n);

/* A string value of n bytes, escaped; fails unless it is UTF-8. */
void json_out_string(struct json_out *w, const char *s, size_t n);
/* A string value known to need no escaping and to be ASCII. */
void json_out_plain(struct json_out *w, const char *s, size_t n);
void json_out_integer(struct json_out *w, int64_t v);
void json_out_bool(struct json_out *w, bool v);
/* Any Jansson value, as json_dumps(JSON_COMPACT | JSON_ENCODE_ANY) writes it. */
void json_out_json(struct json_out *w, const json_t *j);

/*
 * The text, NUL-terminated, for the caller to free with mem_free; the
 * writer becomes empty.  NULL when the writer failed.
 */
char *json_out_take(struct json_out *w);

#endif
