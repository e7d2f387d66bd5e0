/*
 * cli_print.c -- printing responses and errors as the AWS CLI prints them.
 *
 * The AWS CLI reads each response through the operation's output shape,
 * so members come out in the shape's order whatever order the service sent
 * them in, and timestamps (sent as seconds since the epoch) are shown as
 * ISO 8601 in UTC.  cli_shape_response does the same; members the shape
 * does not know are kept, after the known ones.  Then the response is
 * printed as JSON (indented by four), text or table.  An empty response
 * prints nothing, which is what `aws dynamodb get-item` does for a
 * missing item.
 */
#include "cli.h"
#include "cli_json.h"
#include "cli_table.h"
#include "cli_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

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

static json_t *
shape_struct(const json_t *v, const struct shape *shape)
{
    json_t *out = json_object();
    for (size_t i = 0; i < shape->n_members; i++) {
        const struct member *m = &shape->members[i];
        json_t *child = json_object_get(v, m->name);
        if (child)
            json_object_set_new(out, m->name, cli_shape_response(child, m->shape));
    }
    const char *key;
    json_t *child;
    json_object_foreach((json_t *)v, key, child)
    {
        if (!shape_member(shape, key))
            json_object_set(out, key, child);
    }
    return out;
}

json_t *
cli_shape_response(const json_t *v, const struct shape *shape)
{
    if (!shape)
        return json_deep_copy(v);
    if (shape->kind == SH_STRUCT && json_is_object(v))
        return shape_struct(v, shape);
    if (shape->kind == SH_LIST && json_is_array(v)) {
        json_t *out = json_array();
        size_t i;
        json_t *el;
        json_array_foreach(v, i, el)
            json_array_append_new(out, cli_shape_response(el, shape->elem));
        return out;
    }
    if (shape->kind == SH_MAP && json_is_object(v)) {
        json_t *out = json_object();
        const char *key;
        json_t *child;
        json_object_foreach((json_t *)v, key, child)
        {
            json_object_set_new(out, key, cli_shape_response(child, shape->elem));
        }
        return out;
    }
    if (shape->kind == SH_TIMESTAMP && json_is_number(v))
        return iso_time(json_number_value(v));
    return json_deep_copy(v);
}

static int
terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

void
cli_print_response(const struct cli *cli, const struct command_def *cmd, json_t *response)
{
    if (!response || (json_is_object(response) && json_object_size(response) == 0))
        return;
    if (cli->output == OUTPUT_TEXT) {
        cli_text_write(stdout, response);
    } else if (cli->output == OUTPUT_TABLE) {
        struct table_style st = {terminal_width(), isatty(STDOUT_FILENO) == 1};
        cli_table_write(stdout, cmd->operation, response, &st);
    } else {
        cli_json_write(stdout, response, 4, false);
        fputc('\n', stdout);
    }
}

void
cli_print_error(const char *operation, const char *body, int retries)
{
    json_t *j = json_loads(body, 0, NULL);
    const char *type = json_string_value(json_object_get(j, "__type"));
    const char *msg = json_string_value(json_object_get(j, "message"));
    if (!msg)
        msg = json_string_value(json_object_get(j, "Message"));
    const char *name = type ? strrchr(type, '#') : NULL;
    name = name ? name + 1 : (type ? type : "InternalServerError");
    char retry[64] = "";
    if (retries >= 0)
        snprintf(retry, sizeof retry, " (reached max retries: %d)", retries);
    fprintf(stderr, "\nAn error occurred (%s) when calling the %s operation%s: %s\n", name,
            operation, retry, msg ? msg : "");
    json_decref(j);
}
