/*
 * ast.h -- the trees of the expression module, and what its stages share.
 *
 * parse.c builds the trees from text (syntax and the limits of the text);
 * resolve.c binds "#name" and ":value" placeholders and checks what the
 * text alone can tell (types of given values, function names and operand
 * counts, overlapping paths); eval.c, update.c, project.c and keycond.c
 * read the bound trees.  Nothing outside libkv/expr includes this header.
 *
 * A condition is one tree of expr_node.  AND and OR are n-ary, so a chain
 * of 300 ANDs is one node with 301 arguments, not a 300-deep tree; the
 * tree's depth is bounded by EXPR_MAX_NESTING plus a small constant.  An
 * update is a flat list of actions; a projection a flat list of paths.
 *
 * Diagnostics.  DynamoDB reports one problem per expression, and which one
 * when there are several follows a fixed order of categories (redundant
 * parentheses before unknown functions before reserved words ...), and
 * within the last category the order of the text.  Stages note the first
 * message of each category in an expr_diag; expr_diag_report() picks the
 * one DynamoDB would report for the expression's kind.
 */
#ifndef KV_EXPR_AST_H
#define KV_EXPR_AST_H

#include "expr.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

enum expr_op {
    OP_PATH = 1,
    OP_VALUE,
    OP_FUNC,
    OP_EQ, /* OP_EQ..OP_GE follow TOK_EQ..TOK_GE */
    OP_NE,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    OP_BETWEEN,
    OP_IN,
    OP_AND,
    OP_OR,
    OP_NOT,
    OP_PLUS, /* SET arithmetic */
    OP_MINUS,
};

enum expr_fn {
    FN_UNKNOWN = 0,
    FN_ATTRIBUTE_EXISTS,
    FN_ATTRIBUTE_NOT_EXISTS,
    FN_ATTRIBUTE_TYPE,
    FN_BEGINS_WITH,
    FN_CONTAINS,
    FN_SIZE,
    FN_IF_NOT_EXISTS,
    FN_LIST_APPEND,
};

/* One element of a document path: a map member name or a list index. */
struct expr_elem {
    const char *name; /* a placeholder's text until bound, then the name */
    uint32_t len;
    uint32_t index;
    uint32_t off; /* the element's token in the text */
    uint8_t is_index;
    uint8_t is_ref; /* written as a #placeholder */
};

struct expr_path {
    struct expr_elem *elems;
    uint32_t n;
};

struct expr_node {
    uint8_t op;     /* enum expr_op */
    uint8_t fn;     /* OP_FUNC: enum expr_fn */
    uint8_t parens; /* pairs of parentheses written directly around it */
    uint32_t off;   /* the node's token: operator, function name, placeholder */
    uint32_t len;
    uint32_t n_args;
    struct expr_node **args;
    struct expr_path path;        /* OP_PATH */
    const struct kv_value *value; /* OP_VALUE, once bound */
};

/* One comparison of a key condition, after its shape is checked. */
struct expr_key_leaf {
    struct expr_name attr;
    enum expr_key_op op;
    const struct kv_value *lo;
    const struct kv_value *hi;
};

struct expr_cond {
    enum expr_kind kind;
    const char *text; /* the arena's copy */
    struct expr_node *root;
    struct expr_name *names;
    size_t n_names;
    struct expr_key_leaf *keys; /* key conditions only */
    size_t n_keys;
    struct expr_name *nested; /* names that start a path going further */
    size_t n_nested;
};

enum expr_action_kind { ACT_SET, ACT_REMOVE, ACT_ADD, ACT_DELETE };

struct expr_action {
    uint8_t kind; /* enum expr_action_kind */
    struct expr_path path;
    struct expr_node *value; /* SET: the value; ADD, DELETE: the :value */
};

struct expr_update {
    const char *text;
    struct expr_action *actions;
    size_t n;
    struct expr_name *names;
    size_t n_names;
};

struct expr_proj {
    const char *text;
    struct expr_path *paths;
    size_t n;
    struct expr_name *names;
    size_t n_names;
    struct expr_name *nested; /* names that start a path going further */
    size_t n_nested;
};

/* --- diagnostics ------------------------------------------------------------- */

enum expr_cat {
    CAT_PARENS,
    CAT_UNKNOWN_FN,
    CAT_MISUSED_FN,
    CAT_RESERVED,
    CAT_SECTION,
    CAT_NAME,
    CAT_VALUE,
    CAT_OVERLAP,
    CAT_CONFLICT,
    CAT_OPERAND,
    CAT_FUNCTION,
    CAT_CONDITION,
    CAT_COUNT
};

struct expr_diag {
    struct arena *arena;
    const char *msg[CAT_COUNT];
    bool nomem;
};

void expr_diag_init(struct expr_diag *d, struct arena *a);
/* Note a message in a category unless one is noted already. */
void expr_diag_note(struct expr_diag *d, enum expr_cat cat, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void expr_diag_vnote(struct expr_diag *d, enum expr_cat cat, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* Record the message DynamoDB would report, if any: "Invalid <K>: <msg>". */
kv_status expr_diag_report(const struct expr_diag *d, enum expr_kind kind, struct kv_err *err);

/* --- the request's maps (params.c) ------------------------------------------ */

/* One key of an indexed map. */
struct expr_slot {
    const char *key;
    uint32_t len;
    uint32_t member;
};

struct expr_ctx {
    struct arena *arena;
    const struct kv_value *names;
    const struct kv_value *values;
    struct expr_slot *name_idx; /* sorted by key */
    struct expr_slot *value_idx;
    uint8_t *names_used; /* one mark per member */
    uint8_t *values_used;
};

/* The member index of key in a map indexed by idx, or -1. */
long expr_ctx_lookup(const struct kv_value *map, const struct expr_slot *idx, const char *key,
                     uint32_t len);

/* --- stages ------------------------------------------------------------------ */

/* What parse.c hands to resolve.c. */
struct expr_parsed {
    struct expr_node *root;      /* conditions */
    struct expr_action *actions; /* updates */
    size_t n_actions;
    struct expr_path *paths; /* projections */
    size_t n_paths;
};

/*
 * Parse text (already checked for emptiness and size, copied into the
 * arena and NUL-terminated) of the given kind.  Syntax errors and the
 * limits of the text (nesting, path depth, IN operands, operators) are
 * recorded in err at once; reserved words, redundant parentheses and
 * repeated update clauses go to the diagnostics for resolve.c to rank.
 */
kv_status expr_parse_text(struct arena *a, enum expr_kind kind, const char *text, uint32_t len,
                          struct expr_diag *diag, struct expr_parsed *out, struct kv_err *err);

/* Check a key condition's shape and list its comparisons (keycond.c). */
kv_status expr_keycond_shape(struct arena *a, struct expr_cond *c, struct kv_err *err);

/* --- shared helpers (ast.c) ------------------------------------------------- */

/* Whether n bytes at p spell a reserved word, in any case (reserved.c). */
bool expr_reserved(const char *p, size_t n);
size_t expr_reserved_count(void);
const char *expr_reserved_word(size_t i);

/* The function a name (case-sensitive) denotes in an expression kind. */
enum expr_fn expr_fn_lookup(enum expr_kind kind, const char *name, size_t len);
const char *expr_fn_name(enum expr_fn fn);

/* The value at a path inside an item (an M), or NULL when absent. */
const struct kv_value *expr_path_get(const struct kv_value *item, const struct expr_path *path,
                                     uint32_t n_elems);

/* Equal paths (bound names compared as bytes). */
bool expr_path_equal(const struct expr_path *a, const struct expr_path *b);
/* Ordering for merging paths: names by bytes, indexes by number, a name
 * before an index at the same position, a prefix before its extensions. */
int expr_path_cmp(const struct expr_path *a, const struct expr_path *b);
/* DynamoDB's rendering in messages: "[a, b, [2]]", in the arena. */
char *expr_path_str(struct arena *a, const struct expr_path *path);

/* Append name to a list of distinct names (linear; lists stay short). */
int expr_names_add(struct arena *a, struct expr_name **names, size_t *n, size_t *cap,
                   const char *name, uint32_t len);

/* Deep copy of the projection of item on paths (any order, none overlap),
 * as an M, into out (project.c). */
kv_status expr_project_paths(const struct expr_path *const *paths, size_t n,
                             const struct kv_value *item, struct arena *a, struct kv_value *out,
                             struct kv_err *err);

#endif
