/*
 * cli_skeleton.c -- --generate-cli-skeleton: a request or response with
 * every member present, as the AWS CLI generates it.
 *
 * Strings are "" (or, for an output skeleton, the member's name), numbers
 * 0, booleans true, binary null, maps one "KeyName" entry, lists one
 * element.  An enumerated string takes its first value where the AWS CLI
 * picks one at random, so that skeletons are stable.  A structure already
 * being expanded further up (AttributeValue inside a map inside an
 * AttributeValue) is cut short as {}, which bounds the recursion.
 */
#include "cli.h"

#include <string.h>

struct stack {
    const char *names[64];
    int n;
};

static int
times_on_stack(const struct stack *st, const char *name)
{
    int count = 0;
    for (int i = 0; i < st->n; i++)
        count += strcmp(st->names[i], name) == 0;
    return count;
}

static json_t *generate(const struct shape *s, struct stack *st, const char *name, bool names);

static json_t *
generate_struct(const struct shape *s, struct stack *st, bool names)
{
    if (*s->name && times_on_stack(st, s->name) > 1)
        return json_object();
    json_t *obj = json_object();
    for (size_t i = 0; i < s->n_members; i++)
        json_object_set_new(obj, s->members[i].name,
                            generate(s->members[i].shape, st, s->members[i].name, names));
    return obj;
}

static json_t *
generate_body(const struct shape *s, struct stack *st, const char *name, bool names)
{
    switch (s->kind) {
    case SH_STRUCT:
        return generate_struct(s, st, names);
    case SH_LIST:
        return json_pack("[o]", generate(s->elem, st, names ? s->elem->name : "", names));
    case SH_MAP:
        return json_pack("{s:o}", "KeyName", generate(s->elem, st, "", names));
    case SH_STRING:
        return json_string(names ? name : s->first ? s->first : "");
    case SH_INTEGER:
    case SH_LONG:
        return json_integer(0);
    case SH_DOUBLE:
        return json_real(0.0);
    case SH_BOOLEAN:
        return json_true();
    case SH_TIMESTAMP:
        return json_string("1970-01-01T00:00:00");
    case SH_BLOB:
        return json_null();
    case SH_ANY:
        return json_object();
    }
    return json_null();
}

static json_t *
generate(const struct shape *s, struct stack *st, const char *name, bool names)
{
    if (st->n >= (int)(sizeof st->names / sizeof st->names[0]))
        return json_object();
    st->names[st->n++] = s->name;
    json_t *v = generate_body(s, st, name, names);
    st->n--;
    return v;
}

json_t *
cli_skeleton(const struct shape *shape, bool member_names)
{
    struct stack st = {{0}, 0};
    return generate(shape, &st, "", member_names);
}
