/*
 * cli_file.h -- option values read from files, as the AWS CLI reads them.
 *
 * An option value "file://PATH" stands for the text of PATH, and
 * "fileb://PATH" for its bytes (given to the request base64-encoded, the
 * form DynamoDB's JSON takes for binary).  Anything else is the value
 * itself.
 */
#ifndef KV_CLI_FILE_H
#define KV_CLI_FILE_H

#include <stddef.h>

/*
 * The value @p arg stands for: a file's contents or @p arg itself.  Returns
 * a string to free with free(), or NULL with *err set to the AWS CLI's
 * message ("Unable to load paramfile file://x: [Errno 2] No such file or
 * directory: 'x'"), also to free.
 */
char *cli_file_read(const char *arg, char **err);

/* Base64 of @p len bytes, NUL-terminated; free with free(). */
char *cli_base64(const unsigned char *data, size_t len);

/*
 * Decode base64 text @p text; returns the bytes (NUL-terminated, length in
 * *len) to free with free(), or NULL when the text is not base64.
 */
unsigned char *cli_base64_decode(const char *text, size_t *len);

#endif
