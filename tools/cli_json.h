/*
 * cli_json.h -- JSON text exactly as the AWS CLI writes it.
 *
 * The AWS CLI is written in Python and prints with Python's json module,
 * whose layout differs from Jansson's in small ways: ", " between members
 * on one line, floats in their shortest round-trip form ("1.0", "0.1",
 * "1e-05"), \u escapes for control characters.  These functions reproduce
 * that text, and give the str() of scalars that the text and table
 * formats print.
 */
#ifndef KV_CLI_JSON_H
#define KV_CLI_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/*
 * Write @p v to @p f.  @p indent > 0: one member per line, indented that
 * many spaces per level (json.dumps(v, indent=N)); @p indent == 0: one line
 * with ", " and ": " (json.dumps(v)).  @p ascii escapes every non-ASCII
 * character as \uXXXX (ensure_ascii).
 */
void cli_json_write(FILE *f, const json_t *v, int indent, bool ascii);

/* The same into a string to free with free(); NULL when out of memory. */
char *cli_json_dumps(const json_t *v, int indent, bool ascii);

/* Python's repr of a float: "1.0", "0.1", "1e+16", "-0.0"; @p buf >= 32 bytes. */
void cli_py_float(double d, char *buf);

/*
 * Python's str() of a scalar: strings as they are, True/False, None,
 * integers, floats as cli_py_float.  Containers give "" (callers never
 * pass them).  Returns a string to free with free().
 */
char *cli_py_str(const json_t *v);

#endif
