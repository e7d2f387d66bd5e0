/*
 * cli_when.c -- parsing times and durations, and choosing the minutes
 * kv metrics shows; see cli_when.h.  Nothing here touches a database.
 *
 * Windows are whole minutes because the library keeps one record a
 * minute: a window always ends at a minute boundary (the current minute,
 * still filling, is the last one shown) and never reaches further back
 * than the 24 hours the library keeps, so a window is at most 1441
 * minutes whatever the user asks for.
 */
#include "cli_when.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Largest number accepted in a duration or a time in seconds: far past
 * any sensible value, far from overflowing milliseconds. */
#define NUMBER_MAX 100000000000000LL

static int64_t
floor_minute(int64_t ms)
{
    int64_t q = ms / WHEN_MINUTE_MS;
    if (ms % WHEN_MINUTE_MS < 0)
        q--;
    return q * WHEN_MINUTE_MS;
}

/* Digits at *p into *out (at most NUMBER_MAX); false when there are none. */
static bool
number(const char **p, long long *out)
{
    long long v = 0;
    const char *s = *p;
    if (!isdigit((unsigned char)*s))
        return false;
    for (; isdigit((unsigned char)*s); s++) {
        v = v * 10 + (*s - '0');
        if (v > NUMBER_MAX)
            return false;
    }
    *p = s;
    *out = v;
    return true;
}

bool
when_duration(const char *s, int64_t *ms)
{
    long long n;
    if (!s || !number(&s, &n))
        return false;
    int64_t unit = WHEN_MINUTE_MS;
    if (*s == 's')
        unit = 1000;
    else if (*s == 'h')
        unit = 3600000;
    else if (*s == 'd')
        unit = 86400000;
    else if (*s != 'm' && *s != '\0')
        return false;
    if (*s && s[1])
        return false;
    if (n == 0 || n > NUMBER_MAX / unit)
        return false;
    *ms = n * unit;
    return true;
}

/* Exactly `n` digits at *p. */
static bool
fixed(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

/* "Z", "+01:00", "-0130", "+01" at *p: the offset east of UTC in seconds. */
static bool
zone(const char *p, long *offset)
{
    int h, m = 0;
    if ((*p == 'Z' || *p == 'z') && !p[1]) {
        *offset = 0;
        return true;
    }
    if (*p != '+' && *p != '-')
        return false;
    int sign = *p++ == '-' ? -1 : 1;
    if (!fixed(&p, 2, &h))
        return false;
    if (*p == ':')
        p++;
    if (*p && !fixed(&p, 2, &m))
        return false;
    if (*p || h > 23 || m > 59)
        return false;
    *offset = sign * (h * 3600L + m * 60L);
    return true;
}

/* ISO 8601: date, optional time (seconds and fraction optional), zone. */
static bool
iso_time(const char *p, int64_t *ms)
{
    struct tm tm;
    int y, mo, d, h = 0, mi = 0, sec = 0;
    memset(&tm, 0, sizeof tm);
    if (!fixed(&p, 4, &y) || *p++ != '-' || !fixed(&p, 2, &mo) || *p++ != '-' ||
        !fixed(&p, 2, &d))
        return false;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!fixed(&p, 2, &h) || *p++ != ':' || !fixed(&p, 2, &mi))
            return false;
        if (*p == ':') {
            p++;
            if (!fixed(&p, 2, &sec))
                return false;
        }
        if (*p == '.')
            for (p++; isdigit((unsigned char)*p); p++)
                ;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return false;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    long offset = 0;
    time_t t;
    if (*p) {
        if (!zone(p, &offset))
            return false;
        t = timegm(&tm) - offset;
    } else {
        tm.tm_isdst = -1;
        t = mktime(&tm);
    }
    *ms = (int64_t)t * 1000;
    return true;
}

bool
when_time(const char *s, int64_t now_ms, int64_t *ms)
{
    if (!s || !*s)
        return false;
    if (strcmp(s, "now") == 0) {
        *ms = now_ms;
        return true;
    }
    if (*s == '-') {
        int64_t d;
        if (!when_duration(s + 1, &d))
            return false;
        *ms = now_ms - d;
        return true;
    }
    const char *p = s;
    long long secs;
    if (number(&p, &secs) && *p == '\0') {
        *ms = (int64_t)secs * 1000;
        return true;
    }
    return iso_time(s, ms);
}

static const char *
window_range(const char *start, const char *end, int64_t now_ms, struct when_window *w)
{
    int64_t s, e = now_ms;
    if (end && !when_time(end, now_ms, &e))
        return "argument --end: expected a time: seconds since the epoch, "
               "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM], now or -DURATION";
    if (start && !when_time(start, now_ms, &s))
        return "argument --start: expected a time: seconds since the epoch, "
               "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM], now or -DURATION";
    if (!start)
        s = e - 3600000;
    if (e <= s)
        return "argument --end: must be after --start";
    w->start_ms = floor_minute(s);
    w->end_ms = floor_minute(e);
    if (w->end_ms < e)
        w->end_ms += WHEN_MINUTE_MS; /* the minute holding the end is shown */
    return NULL;
}

const char *
when_window(const char *since, const char *start, const char *end, int64_t now_ms,
            struct when_window *w)
{
    int64_t last_end = floor_minute(now_ms) + WHEN_MINUTE_MS;
    int64_t oldest = last_end - (int64_t)WHEN_KEPT_MINUTES * WHEN_MINUTE_MS;
    memset(w, 0, sizeof *w);
    if (since && (start || end))
        return "argument --since: not allowed with --start or --end";
    if (start || end) {
        const char *err = window_range(start, end, now_ms, w);
        if (err)
            return err;
    } else {
        int64_t d = 3600000;
        if (since && !when_duration(since, &d))
            return "argument --since: expected a duration such as 90s, 15m, 2h or 1d";
        int64_t n = (d + WHEN_MINUTE_MS - 1) / WHEN_MINUTE_MS;
        if (n > WHEN_KEPT_MINUTES)
            n = WHEN_KEPT_MINUTES;
        w->end_ms = last_end;
        w->start_ms = last_end - n * WHEN_MINUTE_MS;
    }
    if (w->start_ms < oldest)
        w->start_ms = oldest;
    if (w->end_ms > last_end)
        w->end_ms = last_end;
    if (w->end_ms <= w->start_ms)
        return "argument --start: the range holds none of the last 24 hours, the metrics kept";
    w->minutes = (size_t)((w->end_ms - w->start_ms) / WHEN_MINUTE_MS);
    return NULL;
}

void
when_iso_utc(int64_t ms, char *buf, size_t size)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

void
when_local(int64_t ms, bool with_date, char *buf, size_t size)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, size, with_date ? "%Y-%m-%d %H:%M" : "%H:%M", &tm);
}

bool
when_same_day(int64_t a_ms, int64_t b_ms)
{
    time_t a = (time_t)(a_ms / 1000), b = (time_t)(b_ms / 1000);
    struct tm ta, tb;
    localtime_r(&a, &ta);
    localtime_r(&b, &tb);
    return ta.tm_year == tb.tm_year && ta.tm_yday == tb.tm_yday;
}
