/*
 * b64.h -- standard base64 (RFC 4648, with padding), as DynamoDB's JSON
 * carries binary values.
 */
#ifndef KV_B64_H
#define KV_B64_H

#include <stddef.h>

/* Encoded length of n bytes, without a NUL. */
size_t b64_encoded_len(size_t n);
/* Encode n bytes into out (b64_encoded_len(n) + 1 bytes); NUL-terminates. */
void b64_encode(const void *in, size_t n, char *out);

/*
 * Decode strict base64: length a multiple of 4, only the alphabet, padding
 * only at the end, unused bits zero.  out needs n / 4 * 3 bytes.  Returns
 * the decoded length, or -1 with *why set to a static description of the
 * first problem and *bad_char to the offending character (0 if none).
 */
long b64_decode(const char *in, size_t n, unsigned char *out, const char **why, char *bad_char);

#endif
