/*
 * cli_spark.c -- drawing sparklines; see cli_spark.h.
 *
 * Eight heights: U+2581..U+2588 (LOWER ONE EIGHTH BLOCK to FULL BLOCK),
 * or eight ASCII marks of rising weight.  Zero gets the lowest; any value
 * above zero gets at least the second, so a single throttle in a busy
 * hour still shows.
 */
#include "cli_spark.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const blocks[8] = {
    "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
    "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
};
static const char ascii[8] = {'_', '.', '-', ':', '=', '+', '*', '#'};

/* 0 for zero (or less), 1..7 for the rest, 7 for the peak. */
static int
height(double v, double peak)
{
    if (v <= 0 || peak <= 0)
        return 0;
    int h = 1 + (int)(v * 6 / peak);
    return h > 7 ? 7 : h;
}

char *
spark_render(const double *values, const bool *present, size_t n, size_t per, bool unicode)
{
    if (per == 0)
        per = 1;
    size_t chars = (n + per - 1) / per;
    char *out = malloc(chars * 3 + 1);
    if (!out)
        return NULL;
    double peak = 0;
    for (size_t i = 0; i < n; i++)
        if (present[i] && values[i] > peak)
            peak = values[i];
    size_t o = 0;
    for (size_t c = 0; c < chars; c++) {
        bool any = false;
        double top = 0;
        for (size_t i = c * per; i < n && i < (c + 1) * per; i++) {
            if (present[i] && (!any || values[i] > top))
                top = values[i];
            any = any || present[i];
        }
        if (!any) {
            out[o++] = ' ';
        } else if (unicode) {
            memcpy(out + o, blocks[height(top, peak)], 3);
            o += 3;
        } else {
            out[o++] = ascii[height(top, peak)];
        }
    }
    out[o] = '\0';
    return out;
}

bool
spark_utf8_locale(void)
{
    static const char *const vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) {
            const char *dot = strchr(v, '.');
            return dot && (strncasecmp(dot + 1, "UTF-8", 5) == 0 ||
                           strncasecmp(dot + 1, "utf8", 4) == 0);
        }
    }
    return false;
}
