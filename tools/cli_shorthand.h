/*
 * cli_shorthand.h -- the AWS CLI's shorthand syntax for option values.
 *
 *     --key-schema AttributeName=Artist,KeyType=HASH
 *     --projection 'ProjectionType=INCLUDE,NonKeyAttributes=[Year,Genre]'
 *     --item 'Artist={S="Acme Band"},Year={N=2015}'
 *
 * Parsing happens in two steps, as in the AWS CLI.  shorthand_parse reads
 * the text with no knowledge of the option: every value is a string, a
 * list or a map.  shorthand_apply_model then adjusts the result to the
 * option's shape: numbers and booleans typed, a single value where a list
 * is expected wrapped in a list.
 */
#ifndef KV_CLI_SHORTHAND_H
#define KV_CLI_SHORTHAND_H

#include "cli_model.h"

#include <jansson.h>

/*
 * Parse @p text as shorthand into a JSON object.  On error returns NULL and
 * sets *err to the AWS CLI's message (free with free()), for example
 * "Expected: '=', received: 'EOF' for input:\nKeyType\n       ^".
 */
json_t *shorthand_parse(const char *text, char **err);

/*
 * Type the parsed value @p *value as shape @p shape requires.  May replace
 * *value.  Returns 0, or -1 with *err set (a number that is not one).
 */
int shorthand_apply_model(json_t **value, const struct shape *shape, char **err);

#endif
