/*
 * cli_print.c -- printing as the AWS CLI prints.
 *
 * JSON output is indented by four spaces with members in the response's
 * order; timestamps (sent as seconds since the epoch) are shown as ISO 8601
 * in UTC, as the AWS CLI v2 shows them.  An empty response prints nothing,
 * which is what `aws dynamodb get-item` does for a missing item.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool
is_timestamp_member(const char *key)
{
    static const char *const names[] = {
        "CreationDateTime",       "LastIncreaseDateTime", "LastDecreaseDateTime",
        "LastUpdateToPayPerRequestDateTime", "LastUpdateDateTime",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(key, names[i]) == 0)
            return true;
    return false;
}

/* "2024-01-15T10:20:30.123000+00:00", or without fraction when whole. */
static json_t *
iso_time(double seconds)
{
    time_t whole = (time_t)seconds;
    long micros = (long)((seconds - (double)whole) * 1e6 + 0.5);
    if (micros >= 1000000) {
        whole++;
        micros -= 1000000;
    }
    struct tm tm;
    gmtime_r(&whole, &tm);
    char text[64], date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    if (micros)
        snprintf(text, sizeof text, "%s.%06ld+00:00", date, micros);
    else
        snprintf(text, sizeof text, "%s+00:00", date);
    return json_string(text);
}

/* Rewrite timestamps in place, everywhere in the response. */
static void
humanise(json_t *j)
{
    const char *key;
    json_t *v;
    size_t i;
    if (json_is_object(j)) {
        json_object_foreach(j, key, v)
        {
            if (json_is_number(v) && is_timestamp_member(key))
                json_object_set_new(j, key, iso_time(json_number_value(v)));
            else
                humanise(v);
        }
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, v) humanise(v);
    }
}

void
cli_print_response(const struct cli *cli, json_t *response)
{
    (void)cli;
    if (!response || (json_is_object(response) && json_object_size(response) == 0))
        return;
    humanise(response);
    char *text = json_dumps(response, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
    if (text) {
        puts(text);
        free(text);
    }
}

void
cli_print_error(const char *operation, const char *body)
{
    json_t *j = json_loads(body, 0, NULL);
    const char *type = json_string_value(json_object_get(j, "__type"));
    const char *msg = json_string_value(json_object_get(j, "message"));
    if (!msg)
        msg = json_string_value(json_object_get(j, "Message"));
    const char *name = type ? strrchr(type, '#') : NULL;
    name = name ? name + 1 : (type ? type : "InternalServerError");
    fprintf(stderr, "\nAn error occurred (%s) when calling the %s operation: %s\n", name,
            operation, msg ? msg : "");
    json_decref(j);
}
