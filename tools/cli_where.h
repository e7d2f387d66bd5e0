/*
 * cli_where.h -- kv's friendlier condition syntax, turned into DynamoDB
 * expressions.
 *
 *     Year >= 2000 and Genre = Rock
 *     begins_with(SongTitle, "Happy") or not attribute_exists(Awards)
 *     Price between 1 and 2.5
 *     Genre in (Rock, Pop)
 *     size(Tags) > 2
 *     Info.Tracks[0].Name = Intro
 *
 * Attribute names are written as they are (any name, reserved words
 * included); a comparison's left side and a function's first argument are
 * attribute paths, the other operands values: numbers are N (S when the
 * attribute is a string key), quoted or bare words S, true/false BOOL,
 * null NULL.  "==" and "!=" are accepted for "=" and "<>".
 *
 * The result uses placeholders only (#n0, :v0 ...), so no name or value
 * can clash with DynamoDB's reserved words or syntax.  For a query, the
 * top-level "and" terms that DynamoDB accepts as key conditions (partition
 * key "=", sort key comparison, between or begins_with) become the key
 * condition, and the rest the filter.
 */
#ifndef KV_CLI_WHERE_H
#define KV_CLI_WHERE_H

#include <jansson.h>
#include <stdbool.h>

/* The key attributes of the table or index read, and their types ('S', 'N', 'B'). */
struct where_keys {
    const char *hash, *range;
    char hash_type, range_type;
};

struct where_out {
    char *key_condition; /* NULL when none (always NULL for a scan) */
    char *filter;        /* NULL when none */
    json_t *names;       /* ExpressionAttributeNames, NULL when empty */
    json_t *values;      /* ExpressionAttributeValues, NULL when empty */
};

/*
 * Translate @p where (may be NULL) and the NAME=VALUE terms @p eqs (each
 * read as NAME = VALUE) into expressions.  @p query splits out the key
 * condition.  Returns 0, or -1 with *err set (free with free()) to a
 * message naming the problem and its position.
 */
int where_translate(const char *where, char **eqs, int n_eqs, const struct where_keys *keys,
                    bool query, struct where_out *out, char **err);

/* Free what where_translate filled in. */
void where_out_free(struct where_out *out);

/* An AttributeValue for a plain value typed as @p type ('S', 'N', 'B'). */
json_t *where_typed_value(const char *text, char type);

#endif
