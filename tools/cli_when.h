/*
 * cli_when.h -- times, durations and minute windows on kv's command line
 * (kv metrics).
 *
 * Times are what the AWS CLI takes for a timestamp, and a little more:
 * seconds since the epoch, ISO 8601 ("2025-03-01T10:00", "2025-03-01
 * 10:00:30Z", "2025-03-01T10:00+01:00"; without a zone, local time),
 * "now", or "-DURATION" for that long before now.  Durations are a number
 * and a unit: 90s, 15m, 2h, 1d (a bare number is minutes).
 */
#ifndef KV_CLI_WHEN_H
#define KV_CLI_WHEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WHEN_MINUTE_MS 60000
/* Minutes of metrics the library keeps: 24 hours and the current one. */
#define WHEN_KEPT_MINUTES 1441

/* A duration in milliseconds; false when malformed, zero or negative. */
bool when_duration(const char *s, int64_t *ms);

/* A time in milliseconds since the epoch; false when malformed. */
bool when_time(const char *s, int64_t now_ms, int64_t *ms);

/* Whole minutes [start_ms, end_ms): `minutes` of them. */
struct when_window {
    int64_t start_ms, end_ms;
    size_t minutes;
};

/*
 * The minutes kv metrics shows, as of now_ms: the last `since` (default
 * one hour), the current minute included; or from `start` (default an
 * hour before `end`) to `end` (default now), widened to whole minutes.
 * Either way cut to the minutes the library keeps.  NULL on success, else
 * a message for a usage error naming the option.
 */
const char *when_window(const char *since, const char *start, const char *end, int64_t now_ms,
                        struct when_window *w);

/* "2025-03-01T10:03:00+00:00": UTC, as the AWS CLI prints timestamps. */
void when_iso_utc(int64_t ms, char *buf, size_t size);

/* Local time: "2025-03-01 10:03", or "10:03" when !with_date. */
void when_local(int64_t ms, bool with_date, char *buf, size_t size);

/* Whether two times fall on the same local date. */
bool when_same_day(int64_t a_ms, int64_t b_ms);

#endif
