/*
 * cli_text.h -- the AWS CLI's text output format (--output text).
 *
 * Tab-separated lines: the scalar members of each structure on one line
 * in key order, preceded by the name of the member that holds them in
 * capitals; nested structures and lists follow on their own lines.
 */
#ifndef KV_CLI_TEXT_H
#define KV_CLI_TEXT_H

#include <jansson.h>
#include <stdio.h>

/* Write @p v in the text format. */
void cli_text_write(FILE *f, const json_t *v);

#endif
