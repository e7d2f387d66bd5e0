/*
 * cli_args.c -- an `aws dynamodb` command line to a DynamoDB request.
 *
 * Each member of the operation's input shape is an option named as the
 * AWS CLI names it (TableName -> --table-name).  Its argument takes the
 * AWS CLI's forms, decided by the member's shape:
 *
 *   string, number          the value; integers checked
 *   boolean                 --flag / --no-flag, no value
 *   structure, map          JSON when it starts with "{", else shorthand
 *   list of structures      one or more arguments, each shorthand or JSON
 *                           object; or a single JSON array
 *   list of strings         one or more arguments, or a JSON array
 *
 * Any value may be "file://PATH".  --cli-input-json gives a whole request;
 * options on the line override its members.  Paged commands also take
 * --starting-token, --page-size and --max-items.  Errors are worded and
 * exit as the AWS CLI's argument parser words them (exit 252).
 */
#include "cli.h"
#include "cli_file.h"
#include "cli_shorthand.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A shape argparse gives nargs='+': lists. */
static bool
takes_many(const struct shape *s)
{
    return s->kind == SH_LIST;
}

static bool
is_complex(const struct shape *s)
{
    return s->kind == SH_STRUCT || s->kind == SH_MAP || s->kind == SH_LIST;
}

static const char *
skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return s;
}

static json_t *
parse_json(const char *flag, const char *text)
{
    json_error_t jerr;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!v) {
        char *msg;
        if (asprintf(&msg, "Invalid JSON: %s\nJSON received: %s", jerr.text, text) >= 0) {
            cli_param_error(flag, msg);
            free(msg);
        }
    }
    return v;
}

static json_t *
parse_shorthand(const char *flag, const char *text, const struct shape *shape, bool is_list)
{
    char *err = NULL;
    json_t *v = shorthand_parse(text, &err);
    if (v && is_list) {
        json_t *list = json_array();
        json_array_append_new(list, v);
        v = list;
    }
    if (v && shorthand_apply_model(&v, shape, &err)) {
        json_decref(v);
        v = NULL;
    }
    if (!v)
        cli_param_error(flag, err ? err : "Invalid shorthand");
    free(err);
    return v;
}

/* A scalar argument to its JSON value. */
static json_t *
scalar_value(const char *flag, const struct shape *s, const char *text)
{
    if (s->kind == SH_INTEGER || s->kind == SH_LONG) {
        char *end;
        errno = 0;
        long long n = strtoll(text, &end, 10);
        if (!*text || *skip_ws(end) || errno) {
            char *msg;
            if (asprintf(&msg, "invalid literal for int() with base 10: '%s'", text) >= 0) {
                cli_param_error(flag, msg);
                free(msg);
            }
            return NULL;
        }
        return json_integer(n);
    }
    if (s->kind == SH_DOUBLE)
        return json_real(strtod(text, NULL));
    if (s->kind == SH_ANY)
        return parse_json(flag, text);
    return json_string(text);
}

/* The arguments of one list option: JSON array, JSON objects, shorthand or strings. */
static json_t *
list_value(const char *flag, const struct shape *s, char **texts, int n)
{
    const char *first = skip_ws(texts[0]);
    if (n == 1 && *first == '[')
        return parse_json(flag, texts[0]);
    bool shorthand = is_complex(s->elem) && *first != '{';
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        json_t *v;
        if (shorthand)
            v = parse_shorthand(flag, texts[i], s->elem, false);
        else if (is_complex(s->elem))
            v = parse_json(flag, texts[i]);
        else
            v = scalar_value(flag, s->elem, texts[i]);
        if (!v) {
            json_decref(list);
            return NULL;
        }
        json_array_append_new(list, v);
    }
    return list;
}

/* Read file:// values, then convert by shape. */
static json_t *
option_value(const char *flag, const struct shape *s, char **args, int n)
{
    char **texts = calloc((size_t)n, sizeof *texts);
    json_t *v = NULL;
    int i = 0;
    for (; texts && i < n; i++) {
        char *err;
        if (!(texts[i] = cli_file_read(args[i], &err))) {
            cli_param_error(flag, err ? err : "out of memory");
            free(err);
            goto done;
        }
    }
    if (!texts)
        goto done;
    const char *first = skip_ws(texts[0]);
    if (s->kind == SH_LIST)
        v = list_value(flag, s, texts, n);
    else if ((s->kind == SH_STRUCT || s->kind == SH_MAP) && *first == '{')
        v = parse_json(flag, texts[0]);
    else if (s->kind == SH_STRUCT || s->kind == SH_MAP)
        v = *first == '[' ? (cli_param_error(flag, "Invalid JSON:"), NULL)
                          : parse_shorthand(flag, texts[0], s, false);
    else
        v = scalar_value(flag, s, texts[0]);
done:
    for (int k = 0; texts && k < i; k++)
        free(texts[k]);
    free(texts);
    return v;
}

/* The member an option names; *negated for --no-flag on a boolean. */
static const struct member *
member_for_flag(const struct shape *input, const char *flag, bool *negated)
{
    char name[128];
    *negated = false;
    for (size_t i = 0; i < input->n_members; i++) {
        const struct member *m = &input->members[i];
        model_flag_name(m->name, name, sizeof name);
        if (strcmp(name, flag) == 0)
            return m;
        if (m->shape->kind == SH_BOOLEAN && strncmp(flag, "no-", 3) == 0 &&
            strcmp(name, flag + 3) == 0) {
            *negated = true;
            return m;
        }
    }
    return NULL;
}

static bool
is_option(const char *arg)
{
    return arg[0] == '-' && arg[1] == '-';
}

struct parse_state {
    struct cli_call *call;
    const struct shape *input;
    json_t *explicit;
    json_t *unknown; /* array of strings */
};

static int
paging_option(struct parse_state *ps, const char *flag, const char *value)
{
    struct cli_call *call = ps->call;
    if (strcmp(flag, "starting-token") == 0) {
        call->starting_token = value;
        return 0;
    }
    char *end;
    errno = 0;
    long long n = strtoll(value, &end, 10);
    char opt[64];
    snprintf(opt, sizeof opt, "--%s", flag);
    if (!*value || *skip_ws(end) || errno) {
        char *msg;
        if (asprintf(&msg, "invalid literal for int() with base 10: '%s'", value) >= 0) {
            cli_param_error(opt, msg);
            free(msg);
        }
        return -1;
    }
    if (strcmp(flag, "max-items") == 0)
        call->max_items = n;
    else
        call->page_size = n;
    return 0;
}

/* Options every command takes: --cli-input-json, --generate-cli-skeleton, paging. */
static int
special_option(struct parse_state *ps, const char *flag, int argc, char **argv, int *i)
{
    struct cli_call *call = ps->call;
    if (strcmp(flag, "generate-cli-skeleton") == 0) {
        call->skeleton = "input";
        if (*i + 1 < argc &&
            (strcmp(argv[*i + 1], "input") == 0 || strcmp(argv[*i + 1], "output") == 0))
            call->skeleton = argv[++*i];
        else if (*i + 1 < argc && !is_option(argv[*i + 1]))
            return cli_usage_error("argument --generate-cli-skeleton: Invalid choice, "
                                   "valid choices are:\n\ninput                            "
                                   "        | output");
        return 1;
    }
    bool paging =
        call->cmd->pager && (strcmp(flag, "starting-token") == 0 ||
                             strcmp(flag, "page-size") == 0 || strcmp(flag, "max-items") == 0);
    if (strcmp(flag, "cli-input-json") != 0 && !paging)
        return 0;
    if (*i + 1 >= argc || is_option(argv[*i + 1]))
        return cli_usage_error("argument --%s: expected one argument", flag);
    const char *value = argv[++*i];
    if (paging)
        return paging_option(ps, flag, value) ? EXIT_USAGE : 1;
    char *err;
    char *text = cli_file_read(value, &err);
    json_t *in = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (!in || !json_is_object(in)) {
        json_decref(in);
        cli_param_error("cli-input-json", err ? err : "Invalid JSON received.");
        free(err);
        return EXIT_USAGE;
    }
    json_object_update(call->request, in);
    json_decref(in);
    call->input_json = true;
    return 1;
}

/* One member option at argv[*i]; its values follow. */
static int
member_option(struct parse_state *ps, const struct member *m, bool negated, int argc, char **argv,
              int *i)
{
    const char *arg = argv[*i];
    if (m->shape->kind == SH_BOOLEAN) {
        json_object_set_new(ps->explicit, m->name, json_boolean(!negated));
        return 0;
    }
    int n = 0;
    while (*i + 1 + n < argc && !is_option(argv[*i + 1 + n]) && (n == 0 || takes_many(m->shape)))
        n++;
    if (n == 0)
        return cli_usage_error("argument %s: expected %s argument", arg,
                               takes_many(m->shape) ? "at least one" : "one");
    json_t *v = option_value(arg, m->shape, argv + *i + 1, n);
    if (!v)
        return EXIT_USAGE;
    json_object_set_new(ps->explicit, m->name, v);
    const struct paginator *pg = ps->call->cmd->pager;
    if (pg && (strcmp(m->name, pg->input_token) == 0 || strcmp(m->name, pg->limit_key) == 0))
        ps->call->manual_paging = true;
    *i += n;
    return 0;
}

static int
missing_required(struct parse_state *ps)
{
    char list[1024] = "";
    for (size_t k = 0; k < ps->input->n_members; k++) {
        const struct member *m = &ps->input->members[k];
        if (!m->required || json_object_get(ps->explicit, m->name))
            continue;
        char flag[128];
        model_flag_name(m->name, flag, sizeof flag);
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s--%s", *list ? ", " : "", flag);
    }
    if (*list)
        return cli_usage_error("the following arguments are required: %s", list);
    return 0;
}

static int
report_unknown(json_t *unknown)
{
    char list[1024] = "";
    size_t k;
    json_t *v;
    json_array_foreach(unknown, k, v)
    {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "", json_string_value(v));
    }
    return cli_usage_error("Unknown options: %s", list);
}

static int
parse_loop(struct cli *cli, struct parse_state *ps, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!is_option(arg)) {
            json_array_append_new(ps->unknown, json_string(arg));
            continue;
        }
        int used = cli_global_option(cli, argc - i, argv + i);
        if (used < 0)
            return EXIT_USAGE;
        if (used > 0) {
            i += used - 1;
            continue;
        }
        int rc = special_option(ps, arg + 2, argc, argv, &i);
        if (rc == 1)
            continue;
        if (rc)
            return rc;
        bool negated;
        const struct member *m = member_for_flag(ps->input, arg + 2, &negated);
        if (!m) {
            json_array_append_new(ps->unknown, json_string(arg));
            while (i + 1 < argc && !is_option(argv[i + 1]))
                json_array_append_new(ps->unknown, json_string(argv[++i]));
            continue;
        }
        if ((rc = member_option(ps, m, negated, argc, argv, &i)))
            return rc;
    }
    return 0;
}

int
cli_args_parse(struct cli *cli, const struct command_def *cmd, int argc, char **argv,
               struct cli_call *call)
{
    memset(call, 0, sizeof *call);
    call->cmd = cmd;
    call->request = json_object();
    struct parse_state ps = {call, model_shape(cmd->input), json_object(), json_array()};
    int rc = parse_loop(cli, &ps, argc, argv);
    if (!rc && !call->input_json && !call->skeleton)
        rc = missing_required(&ps);
    if (!rc && json_array_size(ps.unknown))
        rc = report_unknown(ps.unknown);
    if (!rc)
        json_object_update(call->request, ps.explicit);
    json_decref(ps.explicit);
    json_decref(ps.unknown);
    if (rc) {
        json_decref(call->request);
        call->request = NULL;
    }
    return rc;
}
