/*
 * cli_spark.h -- sparklines: a series of numbers as a line of characters
 * whose height follows the values (kv metrics).
 *
 *     ▁▁▁▂▁▁▁▁█▆▁      Unicode block elements, on a UTF-8 terminal
 *     ___._____#*_      ASCII, anywhere else or when asked
 *
 * A blank is a minute without data; the lowest mark is zero.
 */
#ifndef KV_CLI_SPARK_H
#define KV_CLI_SPARK_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The sparkline of n values (present[i] false: no data for value i), one
 * character for every `per` values (each the largest it covers), so
 * ceil(n / per) characters.  Heights are scaled to the largest value:
 * zero is the lowest mark, the largest the highest, anything between
 * above the lowest.  Returns a string to free with free(); NULL when out
 * of memory.
 */
char *spark_render(const double *values, const bool *present, size_t n, size_t per,
                   bool unicode);

/*
 * Whether the locale's characters are UTF-8, by the first of LC_ALL,
 * LC_CTYPE and LANG that is set (as setlocale would choose).
 */
bool spark_utf8_locale(void);

#endif
