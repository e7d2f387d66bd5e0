/*
 * cli_table.h -- the AWS CLI's table output format (--output table).
 *
 * A response becomes a stack of boxed sections: a title bar with the
 * operation's name, a header row and a value row for the scalar members of
 * each structure, a nested, further indented section for each list or
 * structure member.  When the widest section does not fit the terminal,
 * single-row sections turn into two-column key/value sections.
 */
#ifndef KV_CLI_TABLE_H
#define KV_CLI_TABLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

struct table_style {
    int terminal_width; /* 80 when not known */
    bool color;         /* the AWS CLI colours values on a terminal */
};

/* Write @p v as a table titled @p title; nothing for an empty response. */
void cli_table_write(FILE *f, const char *title, const json_t *v, const struct table_style *st);

/* Display width of UTF-8 text: wide characters count two. */
size_t cli_text_width(const char *s);

#endif
