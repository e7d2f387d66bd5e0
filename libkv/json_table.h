/*
 * json_table.h -- a table's description as DynamoDB's TableDescription JSON.
 */
#ifndef KV_JSON_TABLE_H
#define KV_JSON_TABLE_H

#include <jansson.h>

struct table_desc;

/* A new reference, or NULL when out of memory. */
json_t *json_table_description(const struct table_desc *d);

#endif
