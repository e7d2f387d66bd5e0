/*
 * lex.h -- tokens of DynamoDB's expression language (see lex.c).
 */
#ifndef KV_EXPR_LEX_H
#define KV_EXPR_LEX_H

#include <stddef.h>
#include <stdint.h>

enum expr_tok {
    TOK_EOF,
    TOK_ERROR,  /* a character no token starts with, or a lone '#' or ':' */
    TOK_IDENT,  /* [A-Za-z][A-Za-z0-9_]*, not a keyword */
    TOK_NAME,   /* #placeholder */
    TOK_VALUE,  /* :placeholder */
    TOK_NUMBER, /* [0-9]+ */
    TOK_LPAREN,
    TOK_RPAREN,
    TOK_LBRACKET,
    TOK_RBRACKET,
    TOK_COMMA,
    TOK_DOT,
    TOK_EQ,
    TOK_NE,
    TOK_LT,
    TOK_LE,
    TOK_GT,
    TOK_GE,
    TOK_PLUS,
    TOK_MINUS,
    /* keywords, case-insensitive */
    TOK_AND,
    TOK_OR,
    TOK_NOT,
    TOK_BETWEEN,
    TOK_IN,
    TOK_SET,
    TOK_REMOVE,
    TOK_ADD,
    TOK_DELETE,
};

struct expr_token {
    uint8_t kind; /* enum expr_tok */
    uint32_t off; /* byte offset in the text */
    uint32_t len; /* 0 for TOK_EOF */
};

struct expr_lexer {
    const char *text;
    uint32_t len;
    uint32_t pos;
};

void expr_lex_init(struct expr_lexer *lx, const char *text, uint32_t len);
struct expr_token expr_lex_next(struct expr_lexer *lx);

/* Whether the token is a comparator: = <> < <= > >=. */
int expr_tok_is_comparator(int kind);

#endif
