/*
 * serve_creds.h -- the access keys `kv serve --credentials FILE` accepts.
 *
 * The file holds one key a line: the access key id, white space, the
 * secret access key.  Blank lines and lines starting with '#' are
 * ignored.  For example:
 *
 *     # kv serve credentials
 *     AKIDEXAMPLE  wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
 *
 * The list is read once at start and never changes, so any number of
 * threads may look keys up at once.
 */
#ifndef KV_SERVE_CREDS_H
#define KV_SERVE_CREDS_H

#include <stddef.h>

struct serve_creds;

/*
 * Parse the text of a credentials file.  On error returns NULL and writes
 * a message naming the line to @p err.
 */
struct serve_creds *serve_creds_parse(const char *text, char *err, size_t errlen);

/*
 * Read and parse the file at @p path.  *loose is set when the file may be
 * read by other users, which the caller should warn about.
 */
struct serve_creds *serve_creds_load(const char *path, int *loose, char *err, size_t errlen);

/* The secret of @p akid, or NULL; @p creds is a struct serve_creds *. */
const char *serve_creds_lookup(void *creds, const char *akid);

size_t serve_creds_count(const struct serve_creds *creds);

/* Free the list, wiping the secrets.  Accepts NULL. */
void serve_creds_free(struct serve_creds *creds);

#endif
