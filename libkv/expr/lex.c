/*
 * lex.c -- split expression text into tokens.
 *
 * One lexer serves all five expression kinds, as DynamoDB's does: the
 * keywords of every grammar (AND OR NOT BETWEEN IN SET REMOVE ADD DELETE)
 * are keywords everywhere, so "ADD" opening a ConditionExpression is a
 * syntax error on the token "ADD", which is what DynamoDB reports.  Bare
 * names must start with a letter; "_a" and "1a" lex as an error token
 * ("_") or a number followed by a name, which again matches DynamoDB's
 * "token: \"_\"".  A placeholder is '#' or ':' followed by one or more of
 * [A-Za-z0-9_]; a lone '#' or ':' is an error token of its own.
 *
 * An error token is one whole UTF-8 character, so the syntax error message
 * that quotes it stays valid UTF-8.  The lexer never fails: it always
 * returns a token and the parser decides.  It does not limit token length;
 * the text is at most EXPR_MAX_LENGTH bytes.
 */
#include "lex.h"

#include <string.h>

void
expr_lex_init(struct expr_lexer *lx, const char *text, uint32_t len)
{
    lx->text = text;
    lx->len = len;
    lx->pos = 0;
}

static int
is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int
is_word(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || c == '_';
}

static int
is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct keyword {
    const char *word;
    uint8_t len;
    uint8_t kind;
};

static const struct keyword keywords[] = {
    {"AND", 3, TOK_AND},         {"OR", 2, TOK_OR},   {"NOT", 3, TOK_NOT},
    {"BETWEEN", 7, TOK_BETWEEN}, {"IN", 2, TOK_IN},   {"SET", 3, TOK_SET},
    {"REMOVE", 6, TOK_REMOVE},   {"ADD", 3, TOK_ADD}, {"DELETE", 6, TOK_DELETE},
};

/* Keywords are matched without regard to case: "set", "SeT", "SET". */
static int
keyword_kind(const char *p, uint32_t n)
{
    for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++) {
        if (keywords[k].len != n)
            continue;
        uint32_t i = 0;
        while (i < n && (p[i] & ~0x20) == keywords[k].word[i])
            i++;
        if (i == n)
            return keywords[k].kind;
    }
    return TOK_IDENT;
}

/* Length of the UTF-8 character at p (at most avail bytes), at least 1. */
static uint32_t
utf8_char_len(const unsigned char *p, uint32_t avail)
{
    uint32_t want = 1;
    if (p[0] >= 0xF0)
        want = 4;
    else if (p[0] >= 0xE0)
        want = 3;
    else if (p[0] >= 0xC0)
        want = 2;
    uint32_t n = 1;
    while (n < want && n < avail && (p[n] & 0xC0) == 0x80)
        n++;
    return n;
}

static uint32_t
span(const struct expr_lexer *lx, uint32_t from, int (*pred)(unsigned char))
{
    uint32_t i = from;
    while (i < lx->len && pred((unsigned char)lx->text[i]))
        i++;
    return i;
}

/* The one- and two-character operators and punctuation, or TOK_ERROR. */
static int
punct_kind(const char *p, uint32_t avail, uint32_t *len)
{
    char c = p[0], d = avail > 1 ? p[1] : 0;
    *len = 1;
    switch (c) {
    case '(':
        return TOK_LPAREN;
    case ')':
        return TOK_RPAREN;
    case '[':
        return TOK_LBRACKET;
    case ']':
        return TOK_RBRACKET;
    case ',':
        return TOK_COMMA;
    case '.':
        return TOK_DOT;
    case '=':
        return TOK_EQ;
    case '+':
        return TOK_PLUS;
    case '-':
        return TOK_MINUS;
    case '<':
        if (d == '>' || d == '=') {
            *len = 2;
            return d == '>' ? TOK_NE : TOK_LE;
        }
        return TOK_LT;
    case '>':
        if (d == '=') {
            *len = 2;
            return TOK_GE;
        }
        return TOK_GT;
    default:
        return TOK_ERROR;
    }
}

struct expr_token
expr_lex_next(struct expr_lexer *lx)
{
    uint32_t i = lx->pos;
    while (i < lx->len && is_space((unsigned char)lx->text[i]))
        i++;
    struct expr_token t = {TOK_EOF, i, 0};
    if (i >= lx->len) {
        lx->pos = i;
        return t;
    }
    unsigned char c = (unsigned char)lx->text[i];
    uint32_t end;
    if (is_alpha(c)) {
        end = span(lx, i + 1, is_word);
        t.kind = (uint8_t)keyword_kind(lx->text + i, end - i);
    } else if (is_digit(c)) {
        end = span(lx, i + 1, is_digit);
        t.kind = TOK_NUMBER;
    } else if (c == '#' || c == ':') {
        end = span(lx, i + 1, is_word);
        t.kind = end > i + 1 ? (c == '#' ? TOK_NAME : TOK_VALUE) : TOK_ERROR;
    } else {
        uint32_t n;
        t.kind = (uint8_t)punct_kind(lx->text + i, lx->len - i, &n);
        if (t.kind == TOK_ERROR)
            n = utf8_char_len((const unsigned char *)lx->text + i, lx->len - i);
        end = i + n;
    }
    t.len = end - i;
    lx->pos = end;
    return t;
}

int
expr_tok_is_comparator(int kind)
{
    return kind >= TOK_EQ && kind <= TOK_GE;
}
