/*
 * cli_plain.h -- items as plain JSON, as the AWS SDK's marshall and
 * unmarshall (@aws-sdk/util-dynamodb) convert them, within what JSON text
 * can carry.
 *
 * DynamoDB JSON -> plain (kv dump --plain, and cells of kv items):
 *     S -> string, N -> number, BOOL -> true/false, NULL -> null,
 *     M -> object, L -> array; SS, NS, BS -> arrays (the SDK makes Sets,
 *     which JSON cannot hold); B -> base64 string (the SDK makes bytes).
 * Numbers keep every digit DynamoDB stored.  The SDK reads them into
 * JavaScript numbers, or BigInt past 2^53; JSON text needs neither, and a
 * reader that wants exactness gets it.
 *
 * plain -> DynamoDB JSON (kv load --plain), as marshall does:
 *     null -> NULL, true/false -> BOOL, number -> N (its exact text),
 *     string -> S, array -> L, object -> M.
 * A plain round trip keeps numbers, strings, maps and lists exact; sets
 * come back as lists and binary as strings.  Use the DynamoDB JSON format
 * when that matters.
 */
#ifndef KV_CLI_PLAIN_H
#define KV_CLI_PLAIN_H

#include <jansson.h>
#include <stdio.h>

/* Write AttributeValue @p av (DynamoDB JSON) as plain JSON text. */
void plain_write_value(FILE *f, const json_t *av);

/* Write an item (a map of AttributeValues) as a plain JSON object. */
void plain_write_item(FILE *f, const json_t *item);

/*
 * Parse one plain JSON object from @p text (@p len bytes) into an item in
 * DynamoDB JSON.  Returns NULL with *err set (free with free()) when the
 * text is not a JSON object or nests deeper than DynamoDB allows.
 */
json_t *plain_parse_item(const char *text, size_t len, char **err);

#endif
