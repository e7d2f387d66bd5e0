/*
 * expr.h -- DynamoDB's expression language, as the rest of the library
 * uses it.
 *
 * A request carries up to five expressions (UpdateExpression,
 * ConditionExpression, KeyConditionExpression, FilterExpression,
 * ProjectionExpression) and two maps shared by all of them:
 * ExpressionAttributeNames ("#n" -> attribute name) and
 * ExpressionAttributeValues (":v" -> AttributeValue).  This module turns
 * their text into checked trees and runs those trees against items.  It
 * knows nothing of tables or storage: an operation hands it text, maps,
 * items and a key schema, and gets back booleans, new items, projections
 * and key ranges.
 *
 * The pipeline an operation follows, in DynamoDB's order:
 *
 *     expr_check_params()     the two maps on their own: presence, empty
 *                             maps, key syntax, each value (value_check)
 *     expr_ctx_new()          binds the maps for this request
 *     expr_parse_update()     then condition, key condition, filter and
 *     expr_parse_cond()       projection, each reporting the first problem
 *     expr_parse_proj()       with DynamoDB's "Invalid <K>Expression: ..."
 *     expr_check_unused()     names, then values, no expression used
 *
 * expr_request_parse() does all of that in one call.  After the table is
 * known: expr_keycond_bind() for a Query's key range, expr_cond_names() for
 * the "Filter Expression can only contain non-primary key attributes"
 * check, expr_update_check_keys() for "Cannot update attribute ...".  At
 * run time: expr_eval(), expr_update_apply(), expr_update_returned() and
 * expr_project().
 *
 * Memory.  Everything a parse produces lives in the arena given to
 * expr_ctx_new().  Parsed expressions point at the caller's
 * ExpressionAttributeNames and ExpressionAttributeValues (they are not
 * copied), so those maps must outlive the parsed expressions; the text is
 * copied.  Results of expr_update_apply(), expr_update_returned() and
 * expr_project() are deep copies in the arena passed to them and share no
 * memory with their inputs, so the old item stays intact.
 *
 * Bounds.  Nothing here recurses without a limit.  Text is at most
 * EXPR_MAX_LENGTH bytes (DynamoDB's 4 KB); parentheses, NOT and function
 * calls nest at most EXPR_MAX_NESTING deep; a document path has at most
 * EXPR_MAX_PATH_DEPTH elements; an expression has at most
 * EXPR_MAX_OPERATORS operators and functions; IN takes at most
 * EXPR_MAX_IN_OPERANDS operands.  Items are walked to the depth their
 * values have, which value_check limits.  Any input, however hostile,
 * ends in a ValidationException, never in a crash.
 *
 * Threads: parsed expressions are read-only after parsing and may be used
 * from several threads at once; a context is for one thread.
 */
#ifndef KV_EXPR_H
#define KV_EXPR_H

#include "kv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct kv_err;
struct kv_value;

/* --- limits ----------------------------------------------------------------- */

/* DynamoDB's limit on an expression's text, in bytes, counted as sent. */
#define EXPR_MAX_LENGTH 4096
/* DynamoDB's limit on a "#name" or ":value" placeholder, in bytes. */
#define EXPR_MAX_PLACEHOLDER 255
/* DynamoDB's limits: operators and functions per expression, IN operands,
 * and document path elements. */
#define EXPR_MAX_OPERATORS 300
#define EXPR_MAX_IN_OPERANDS 100
#define EXPR_MAX_PATH_DEPTH 32
/* Ours: how deep parentheses, NOT and function calls may nest.  It bounds
 * the parser's recursion; real expressions stay far below it.  DynamoDB's
 * wording for this and for a too deep path is not known, so those two
 * messages are ours: "The expression has too many nested levels;
 * nesting levels: 101" and "The document path has too many nesting levels;
 * nesting levels: 33". */
#define EXPR_MAX_NESTING 100

/* --- kinds ------------------------------------------------------------------ */

/* The five expression parameters, in the order DynamoDB checks them. */
enum expr_kind {
    EXPR_UPDATE = 0,
    EXPR_CONDITION = 1,
    EXPR_KEY_CONDITION = 2,
    EXPR_FILTER = 3,
    EXPR_PROJECTION = 4,
};
#define EXPR_KIND_COUNT 5
#define EXPR_BIT(kind) (1u << (kind))

/* "UpdateExpression", "ConditionExpression", ...: the parameter's name. */
const char *expr_kind_name(enum expr_kind kind);

/* An attribute name with its length (names may hold any bytes). */
struct expr_name {
    const char *name;
    uint32_t len;
};

/* A table's or index's key schema; range.name is NULL without a sort key.
 * Types are KV_S, KV_N or KV_B. */
struct expr_key_schema {
    struct expr_name hash;
    int hash_type;
    struct expr_name range;
    int range_type;
};

/* --- the maps ---------------------------------------------------------------- */

/*
 * Check ExpressionAttributeNames (an M of S values, or NULL when absent)
 * and ExpressionAttributeValues (an M of AttributeValues, or NULL) as
 * DynamoDB checks them before parsing any expression:
 *
 *   - names given but no expression present:
 *     "ExpressionAttributeNames can only be specified when using expressions"
 *   - values given but none of the op's value-taking expressions present:
 *     "ExpressionAttributeValues can only be specified when using
 *     expressions: UpdateExpression and ConditionExpression are null"
 *     (the op's own list, projection left out, in the op's order)
 *   - "ExpressionAttributeNames must not be empty" (values likewise)
 *   - a key not "#" or ":" followed by one or more of [A-Za-z0-9_], or
 *     longer than EXPR_MAX_PLACEHOLDER bytes:
 *     "ExpressionAttributeNames contains invalid key: Syntax error; key: \"k\""
 *   - an empty attribute name: "ExpressionAttributeNames contains invalid
 *     value: Empty attribute name for key #k"
 *   - a value failing value_check: "ExpressionAttributeValues contains
 *     invalid value: <value_check's message> for key <k>"
 *
 * @p present has EXPR_BIT(kind) set for each expression in the request;
 * @p accepted lists the op's expression parameters in the op's order.
 */
kv_status expr_check_params(const struct kv_value *names, const struct kv_value *values,
                            unsigned present, const enum expr_kind *accepted, size_t n_accepted,
                            struct kv_err *err);

/*
 * A request's binding of placeholders: the two maps, indexed for lookup,
 * and which entries the request's expressions used.  Lives in @p a.  The
 * maps must have passed expr_check_params.  NULL with KV_NOMEM on failure.
 */
struct expr_ctx;
struct expr_ctx *expr_ctx_new(struct arena *a, const struct kv_value *names,
                              const struct kv_value *values, struct kv_err *err);

/*
 * After every expression of the request is parsed: entries no expression
 * used, names first, in map order:
 * "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}"
 */
kv_status expr_check_unused(const struct expr_ctx *ctx, struct kv_err *err);

/* --- parsing ----------------------------------------------------------------- */

struct expr_cond;   /* a ConditionExpression, FilterExpression or KeyConditionExpression */
struct expr_update; /* an UpdateExpression */
struct expr_proj;   /* a ProjectionExpression */

/*
 * Parse, bind and check one expression of @p len bytes.  Errors are
 * ValidationExceptions prefixed "Invalid <K>Expression: ", among them:
 * "The expression can not be empty;", "Expression size has exceeded the
 * maximum allowed size; expression size: <n>", "Syntax error; token:
 * \"<t>\", near: \"<ctx>\"", reserved words, undefined placeholders,
 * redundant parentheses, unknown functions and wrong operand counts,
 * operand types known from the text, BETWEEN bounds, IN with too many
 * operands, too many operators, overlapping or conflicting paths (update
 * and projection) and repeated update clauses.  A key condition is also
 * checked for its shape (one comparison per key, joined by AND; no OR,
 * NOT, IN, <>, nested paths or other functions than begins_with).
 * @p kind for expr_parse_cond is EXPR_CONDITION, EXPR_FILTER or
 * EXPR_KEY_CONDITION.  On failure *out is NULL.
 */
kv_status expr_parse_cond(struct expr_ctx *ctx, enum expr_kind kind, const char *text, size_t len,
                          struct expr_cond **out, struct kv_err *err);
kv_status expr_parse_update(struct expr_ctx *ctx, const char *text, size_t len,
                            struct expr_update **out, struct kv_err *err);
kv_status expr_parse_proj(struct expr_ctx *ctx, const char *text, size_t len,
                          struct expr_proj **out, struct kv_err *err);

/*
 * A request's expressions in one call.  Fill names, values, and text/len
 * of each expression present (NULL text: absent; an empty string is
 * present and empty) and the op's accepted kinds; expr_request_parse runs
 * expr_check_params, parses in DynamoDB's order, checks unused entries
 * and fills the outputs of the expressions present.
 */
struct expr_request {
    const struct kv_value *names;
    const struct kv_value *values;
    const char *text[EXPR_KIND_COUNT];
    size_t len[EXPR_KIND_COUNT];
    const enum expr_kind *accepted;
    size_t n_accepted;

    struct expr_update *update;
    struct expr_cond *condition;
    struct expr_cond *key_condition;
    struct expr_cond *filter;
    struct expr_proj *projection;
};
kv_status expr_request_parse(struct arena *a, struct expr_request *r, struct kv_err *err);

/*
 * The distinct top-level attribute names an expression refers to, in order
 * of first appearance (for an update: the attributes it writes).  The
 * array lives with the expression.  A Query's filter must not name key
 * attributes: expr_check_filter_keys reports the first name that is one,
 * "Filter Expression can only contain non-primary key attributes: Primary
 * key attribute: <k>".
 */
const struct expr_name *expr_cond_names(const struct expr_cond *c, size_t *n);
const struct expr_name *expr_update_names(const struct expr_update *u, size_t *n);
const struct expr_name *expr_proj_names(const struct expr_proj *p, size_t *n);
kv_status expr_check_filter_keys(const struct expr_cond *filter, const struct expr_key_schema *ks,
                                 struct kv_err *err);

/*
 * The distinct top-level names of a condition's or projection's paths
 * that go further than the name (a.b, a[0]).  Key attributes are scalars,
 * so DynamoDB refuses such a path on any of them: expr_check_key_paths
 * reports the first of the table's keys, then of its indexes' keys, that
 * starts one, "Key attributes must be scalars; list random access '[]'
 * and map lookup '.' are not allowed: Key: <k>" (IndexKey for an
 * index's).
 */
const struct expr_name *expr_cond_nested(const struct expr_cond *c, size_t *n);
const struct expr_name *expr_proj_nested(const struct expr_proj *p, size_t *n);
kv_status expr_check_key_paths(const struct expr_name *nested, size_t n_nested,
                               const struct expr_name *table_keys, size_t n_table,
                               const struct expr_name *index_keys, size_t n_index,
                               struct kv_err *err);

/* --- conditions -------------------------------------------------------------- */

/*
 * Evaluate a condition or filter against @p item (an M), or against an
 * absent item when @p item is NULL.  DynamoDB's rules: a missing attribute
 * or values of different types are never equal or ordered ("<>" is then
 * true); ordering only within S (UTF-8 bytes), N (exact) and B (unsigned
 * bytes); equality for every type, sets without regard to order, lists and
 * maps deeply.  Never fails and never allocates.
 */
bool expr_eval(const struct expr_cond *c, const struct kv_value *item);

/* --- key conditions ---------------------------------------------------------- */

enum expr_key_op {
    EXPR_KEY_NONE = 0, /* partition key only */
    EXPR_KEY_EQ,
    EXPR_KEY_LT,
    EXPR_KEY_LE,
    EXPR_KEY_GT,
    EXPR_KEY_GE,
    EXPR_KEY_BETWEEN,
    EXPR_KEY_BEGINS_WITH,
};

/* A Query's key range: values point into ExpressionAttributeValues. */
struct expr_key_range {
    const struct kv_value *hash;
    enum expr_key_op op;
    const struct kv_value *lo; /* the operand; BETWEEN's lower bound */
    const struct kv_value *hi; /* BETWEEN's upper bound */
};

/*
 * Decompose a parsed KeyConditionExpression against a key schema.  Errors
 * (not prefixed, as DynamoDB words them once the table is known):
 * "The number of query conditions (3) exceeds the number of key attributes
 * defined in the schema (2)", "Query condition missed key schema element:
 * <k>", "Query key condition not supported" (partition key not tested with
 * =), "One or more parameter values were invalid: Condition parameter type
 * does not match schema type", and empty string or binary key values.
 */
kv_status expr_keycond_bind(const struct expr_cond *kc, const struct expr_key_schema *ks,
                            struct expr_key_range *out, struct kv_err *err);

/* Whether a sort key value satisfies the range's sort key test. */
bool expr_key_range_match(const struct expr_key_range *r, const struct kv_value *sort_key);

/* --- updates ----------------------------------------------------------------- */

/*
 * "One or more parameter values were invalid: Cannot update attribute <k>.
 * This attribute is part of the key" for the first action, in text order,
 * whose path starts at a key attribute.
 */
kv_status expr_update_check_keys(const struct expr_update *u, const struct expr_key_schema *ks,
                                 struct kv_err *err);

/* Whether applying the update to an absent item creates it: true when it
 * has a SET or ADD action (REMOVE and DELETE alone leave nothing). */
bool expr_update_creates(const struct expr_update *u);

/*
 * Apply an update to a copy of @p old (NULL: the item is absent, and the
 * copy starts from @p key).  The result, all in @p a, goes to *out; @p old
 * is not touched.  Every value is read from the item as it was, before any
 * action writes (so "SET a = b, b = a" swaps), and list indexes refer to
 * positions before the update.  Errors: "The provided expression refers to
 * an attribute that does not exist in the item", "The document path
 * provided in the update expression is invalid for update", "An operand in
 * the update expression has an incorrect data type", and number_add's
 * range errors.  The caller checks the result's size and nesting.
 */
kv_status expr_update_apply(const struct expr_update *u, const struct kv_value *old,
                            const struct kv_value *key, struct arena *a, struct kv_value *out,
                            struct kv_err *err);

/*
 * What ReturnValues UPDATED_OLD / UPDATED_NEW returns: @p item (the old or
 * the new item) projected on the paths the update's actions name.  Nested
 * paths come back inside their parents, as a projection would return them;
 * paths the item lacks are left out, so the result may be an empty map.
 */
kv_status expr_update_returned(const struct expr_update *u, const struct kv_value *item,
                               struct arena *a, struct kv_value *out, struct kv_err *err);

/* --- projections ------------------------------------------------------------- */

/*
 * Project @p item on a ProjectionExpression: an M holding only the listed
 * paths, nested maps rebuilt, selected list elements kept in index order,
 * missing paths left out.  The result is a deep copy in @p a.
 */
kv_status expr_project(const struct expr_proj *p, const struct kv_value *item, struct arena *a,
                       struct kv_value *out, struct kv_err *err);

#endif
