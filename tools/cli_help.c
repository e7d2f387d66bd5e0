/*
 * cli_help.c -- `kv help`, `kv COMMAND --help` and `kv COMMAND help`.
 *
 * Help for an `aws dynamodb` command is built from the model: its
 * synopsis lists the options in the AWS CLI's order, required ones bare
 * and the others in brackets, each with the form of its argument; then
 * come examples.  kv's own commands have written help.  The man page
 * (kv.1) carries the same material at greater length.
 */
#include "cli.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct example {
    const char *command;
    const char *text;
};

static const struct example examples[] = {
    {"create-table", "kv create-table --table-name Music \\\n"
                     "    --attribute-definitions AttributeName=Artist,AttributeType=S "
                     "AttributeName=SongTitle,AttributeType=S \\\n"
                     "    --key-schema AttributeName=Artist,KeyType=HASH "
                     "AttributeName=SongTitle,KeyType=RANGE \\\n"
                     "    --provisioned-throughput ReadCapacityUnits=5,WriteCapacityUnits=5"},
    {"put-item", "kv put-item --table-name Music \\\n"
                 "    --item '{\"Artist\": {\"S\": \"Acme Band\"}, \"SongTitle\": {\"S\": "
                 "\"Happy Day\"}}' \\\n    --return-consumed-capacity TOTAL"},
    {"get-item", "kv get-item --table-name Music \\\n"
                 "    --key 'Artist={S=Acme Band},SongTitle={S=Happy Day}'"},
    {"delete-item", "kv delete-item --table-name Music --key file://key.json "
                    "--return-values ALL_OLD"},
    {"update-item", "kv update-item --table-name Music --key file://key.json \\\n"
                    "    --update-expression 'SET Year = :y' \\\n"
                    "    --expression-attribute-values '{\":y\": {\"N\": \"2015\"}}' "
                    "--return-values ALL_NEW"},
    {"query", "kv query --table-name Music \\\n"
              "    --key-condition-expression 'Artist = :a' \\\n"
              "    --expression-attribute-values '{\":a\": {\"S\": \"Acme Band\"}}' "
              "--max-items 10"},
    {"scan", "kv scan --table-name Music --filter-expression 'Price > :p' \\\n"
             "    --expression-attribute-values '{\":p\": {\"N\": \"1\"}}' --output table"},
    {"list-tables", "kv list-tables --max-items 2"},
    {"describe-table", "kv describe-table --table-name Music --output table"},
    {"delete-table", "kv delete-table --table-name Music"},
    {"update-table", "kv update-table --table-name Music \\\n"
                     "    --provisioned-throughput ReadCapacityUnits=10,WriteCapacityUnits=10"},
    {"batch-write-item", "kv batch-write-item --request-items file://request-items.json"},
    {"batch-get-item", "kv batch-get-item --request-items file://request-items.json"},
    {"transact-write-items", "kv transact-write-items --transact-items file://items.json"},
    {"transact-get-items", "kv transact-get-items --transact-items file://items.json"},
    {"update-time-to-live", "kv update-time-to-live --table-name Music \\\n"
                            "    --time-to-live-specification Enabled=true,AttributeName=ttl"},
    {"describe-time-to-live", "kv describe-time-to-live --table-name Music"},
};

struct own_help {
    const char *name;
    const char *text;
};

static const struct own_help own[] = {
    {"tables", "kv tables\n\n"
               "One line per table: name, item count, size, billing mode, read and write\n"
               "capacity units, number of secondary indexes.\n"},
    {"describe", "kv describe TABLE\n\n"
                 "A summary of a table for people: its keys, indexes (with their key,\n"
                 "projection, item count and size), billing mode and throughput.\n\n"
                 "Example:\n  kv describe Music\n"},
    {"stats", "kv stats\n\n"
              "Storage figures of the database: page size, B-tree depth and pages,\n"
              "map size and how much of it is used, free pages, readers.\n"},
    {"get", "kv get TABLE KEY=VALUE...\n\n"
            "Read one item by its key.  Values are plain text; their types come from\n"
            "the table's key schema.  The item is shown as a row.\n\n"
            "Example:\n  kv get Music Artist=\"Acme Band\" SongTitle=\"Happy Day\"\n"},
    {"find", "kv find TABLE KEY=VALUE... [--where CONDITION] [--index NAME] [--limit N]\n\n"
             "Query one partition.  KEY=VALUE pairs give the partition key and, if\n"
             "you like, the sort key.  --where adds conditions in a friendlier syntax:\n"
             "attribute names and plain values are written as they are and kv turns\n"
             "them into a DynamoDB expression with #name and :value placeholders.\n"
             "Conditions on the sort key become the key condition; the others filter.\n\n"
             "  Year >= 2000 and Genre = Rock\n"
             "  begins_with(SongTitle, \"Happy\")\n"
             "  Price between 1 and 2\n"
             "  attribute_exists(Awards) or not contains(Tags, live)\n\n"
             "Example:\n"
             "  kv find Music Artist=\"Acme Band\" --where 'begins_with(SongTitle, \"Happy\")'\n"},
    {"items", "kv items TABLE [--where CONDITION] [--index NAME] [--limit N]\n\n"
              "Scan a table, optionally filtered (--where as for find), and show the\n"
              "items as rows with one column per attribute.  On a terminal wide values\n"
              "are cut to fit; otherwise lines are tab-separated.\n\n"
              "Example:\n  kv items Music --where 'Price > 1'\n"},
    {"dump", "kv dump TABLE [--plain] [--output-file FILE]\n\n"
             "Write every item, one per line, in DynamoDB's export format:\n"
             "  {\"Item\": {\"Artist\": {\"S\": \"Acme Band\"}, ...}}\n"
             "--plain writes plain JSON objects instead ({\"Artist\": \"Acme Band\"}),\n"
             "numbers as JSON numbers, sets as arrays, binary as base64 text.\n"
             "Memory use does not grow with the table.  A progress bar shows on a\n"
             "terminal.\n\nExample:\n  kv dump Music > music.jsonl\n"},
    {"load", "kv load TABLE [--plain] [FILE]\n\n"
             "Read items, one per line, in the format kv dump writes (or --plain\n"
             "JSON), from FILE or standard input, and write them in batches of 25.\n"
             "A bad line stops the load with its line number; the batches written\n"
             "before it stay, nothing after it is written.\n\n"
             "Example:\n  kv load Music music.jsonl\n"},
    {"help", "kv help [COMMAND]\n\nThe list of commands, or help on one.\n"},
};

static const char *
example_for(const char *name)
{
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++)
        if (strcmp(examples[i].command, name) == 0)
            return examples[i].text;
    return NULL;
}

static const char *
form_of(const struct shape *s)
{
    switch (s->kind) {
    case SH_BOOLEAN:
        return NULL;
    case SH_INTEGER:
    case SH_LONG:
        return "<integer>";
    case SH_LIST:
        return s->elem->kind == SH_STRUCT ? "<value> [<value>...]" : "<string> [<string>...]";
    case SH_STRUCT:
    case SH_MAP:
        return "<value>";
    default:
        return s->first ? "<choice>" : "<string>";
    }
}

static void
print_synopsis(const struct command_def *cmd)
{
    const struct shape *in = model_shape(cmd->input);
    printf("%s\n\n%s\n\nSYNOPSIS\n  kv %s\n", cmd->name, cmd->summary, cmd->name);
    for (size_t i = 0; i < in->n_members; i++) {
        const struct member *m = &in->members[i];
        char flag[128];
        model_flag_name(m->name, flag, sizeof flag);
        const char *form = form_of(m->shape);
        if (!form)
            printf("    [--%s | --no-%s]\n", flag, flag);
        else
            printf(m->required ? "    --%s %s\n" : "    [--%s %s]\n", flag, form);
    }
    printf("    [--cli-input-json <value>]\n    [--generate-cli-skeleton <value>]\n");
    if (cmd->pager)
        printf("    [--starting-token <value>]\n    [--page-size <value>]\n"
               "    [--max-items <value>]\n");
}

bool
cli_help_command(const char *name)
{
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        if (strcmp(own[i].name, name) == 0) {
            fputs(own[i].text, stdout);
            return true;
        }
    const struct command_def *cmd = model_command(name);
    if (!cmd) {
        cli_usage_error("argument command: Invalid choice: '%s' (see kv help)", name);
        return false;
    }
    print_synopsis(cmd);
    printf("\nOPTIONS\n"
           "  Options take the AWS CLI's forms: JSON, shorthand (Name=Value,...) or\n"
           "  file://PATH.  --cli-input-json gives the whole request as JSON;\n"
           "  --generate-cli-skeleton prints one to fill in (\"output\" prints the\n"
           "  response's shape).\n");
    const char *ex = example_for(name);
    if (ex)
        printf("\nEXAMPLE\n  %s\n", ex);
    return true;
}

/* Remove a scratch database directory and the files in it. */
static void
remove_scratch(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[PATH_MAX + 256];
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

/*
 * Which operations the library has: asked of a scratch database, so that
 * help needs no database and changes none.  Returns false when it cannot
 * tell (then every command is listed).
 */
static bool
probe_operations(const struct command_def *cmds, size_t n, bool *supported)
{
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/kv-help-XXXXXX", tmp && *tmp ? tmp : P_tmpdir);
    if (!mkdtemp(dir))
        return false;
    kv_options opt;
    kv_options_default(&opt);
    opt.no_sync = 1;
    kv_db *db;
    bool ok = kv_db_open(dir, &opt, &db) == KV_OK;
    for (size_t i = 0; ok && i < n; i++)
        supported[i] = cli_supported(db, cmds[i].operation);
    if (ok)
        kv_db_close(db);
    remove_scratch(dir);
    return ok;
}

void
cli_help_main(void)
{
    size_t n;
    const struct command_def *cmds = model_commands(&n);
    bool supported[64];
    bool known = n <= 64 && probe_operations(cmds, n, supported);
    printf("kv -- a local database that behaves like Amazon DynamoDB\n\n"
           "usage: kv [--db DIR] [--output json|text|table] [--no-paginate] <command> ...\n\n"
           "The database is the directory given by --db or KV_DB.\n\n"
           "DynamoDB commands (as in `aws dynamodb`):\n");
    for (size_t i = 0; i < n; i++)
        if (!known || supported[i])
            printf("  %-24s %s\n", cmds[i].name, cmds[i].summary);
    printf("\nLooking at data:\n"
           "  tables                   list tables with item counts and capacity\n"
           "  describe TABLE           a table's keys, indexes and throughput\n"
           "  get TABLE K=V...         read one item\n"
           "  find TABLE K=V...        query a partition (--where for conditions)\n"
           "  items TABLE              scan a table (--where for a filter)\n"
           "  stats                    storage figures of the database\n"
           "\nMoving data:\n"
           "  dump TABLE               write all items in DynamoDB's export format\n"
           "  load TABLE [FILE]        read items in that format and write them\n"
           "\nkv help COMMAND, kv COMMAND --help or kv COMMAND help for more; man kv.\n");
}

bool
cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0)
            return true;
    return argc == 2 && strcmp(argv[1], "help") == 0;
}

int
cli_cmd_help(struct cli *cli, int argc, char **argv)
{
    (void)cli;
    if (argc < 2) {
        cli_help_main();
        return 0;
    }
    return cli_help_command(argv[1]) ? 0 : EXIT_USAGE;
}
