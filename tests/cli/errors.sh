#!/bin/sh
# errors.sh -- every error path of kv: the message, where it goes
# (standard error) and the exit code, as the AWS CLI gives them: 252 for a
# command line that cannot be used, 254 for an error from the service,
# 255 for a local failure.
#
# usage: errors.sh KV
set -u
kv=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
setup
export KV_NO_SYNC=1

"$kv" create-table --table-name Music \
    --attribute-definitions AttributeName=Artist,AttributeType=S AttributeName=SongTitle,AttributeType=S \
    --key-schema AttributeName=Artist,KeyType=HASH AttributeName=SongTitle,KeyType=RANGE \
    --billing-mode PAY_PER_REQUEST >/dev/null

usage="usage: kv [--db DIR] [--output json|text|table] <command> [parameters]"

# --- the command line (252) ---------------------------------------------
expect required-one 252 "" "$usage
kv: error: the following arguments are required: --table-name" -- describe-table
expect required-many 252 "" "kv: error: the following arguments are required: --attribute-definitions, --table-name, --key-schema" -- create-table
expect unknown-options 252 "" "kv: error: Unknown options: --foo, bar" -- list-tables --foo bar
expect expected-one 252 "" "kv: error: argument --table-name: expected one argument" -- describe-table --table-name
expect expected-many 252 "" "kv: error: argument --key-schema: expected at least one argument" -- create-table --table-name x --key-schema --attribute-definitions AttributeName=a,AttributeType=S
expect bad-shorthand 252 "" "Error parsing parameter '--provisioned-throughput': Expected: '=', received: 'EOF' for input:
ReadCapacityUnits
                 ^" -- update-table --table-name Music --provisioned-throughput ReadCapacityUnits
expect duplicate-key 252 "" "Error parsing parameter '--key': Second instance of key \"Artist\" encountered for input:
Artist={S=a},Artist={S=b}
             ^
This is often because there is a preceeding \",\" instead of a space." -- get-item --table-name Music --key 'Artist={S=a},Artist={S=b}'
expect bad-json 252 "" "Error parsing parameter '--key': Invalid JSON: string or '}' expected near 'bad'
JSON received: {bad" -- get-item --table-name Music --key '{bad'
expect bad-integer 252 "" "Error parsing parameter '--limit': invalid literal for int() with base 10: 'x'" -- list-tables --limit x
expect bad-shorthand-integer 252 "" "Error parsing parameter '--provisioned-throughput': invalid literal for int() with base 10: 'many'" -- \
    update-table --table-name Music --provisioned-throughput ReadCapacityUnits=many,WriteCapacityUnits=1
expect bad-output 252 "" "kv: error: argument --output: Invalid choice, valid choices are:" -- --output xml list-tables
expect bad-command 252 "" "kv: error: argument command: Invalid choice, valid choices are:" -- frobnicate
ok bad-command-no-guess sh -c "! grep -q 'maybe you meant' '$dir/err'"
expect typo-command 252 "" "kv: error: argument command: Invalid choice, valid choices are:
get-item                                 | help                                    
Invalid choice: 'get-itme', maybe you meant:
  * get-item" -- get-itme
expect no-command 252 "" "kv: error: the following arguments are required: command" --
expect bad-skeleton 252 "" "kv: error: argument --generate-cli-skeleton: Invalid choice, valid choices are:" -- list-tables --generate-cli-skeleton yaml
expect paging-conflict 252 "" "Error parsing parameter '--no-paginate': Cannot specify --no-paginate along with pagination arguments: --max-items" -- list-tables --no-paginate --max-items 1
expect paging-manual-conflict 252 "" "Error parsing parameter '--no-paginate': Cannot specify --no-paginate along with pagination arguments: --page-size" -- list-tables --limit 1 --page-size 1
expect bad-token 252 "" "Parameter validation failed:
Invalid type for parameter ExclusiveStartKey, value: nonsense, type: <class 'str'>, valid types: <class 'dict'>" -- \
    scan --table-name Music --starting-token nonsense
expect input-json-bad 252 "" "Error parsing parameter 'cli-input-json': Invalid JSON received." -- describe-table --cli-input-json '{x'
expect input-json-missing 252 "" 'Parameter validation failed:
Missing required parameter in input: "TableName"' -- describe-table --cli-input-json '{}'
expect input-json-unknown 252 "" 'Parameter validation failed:
Unknown parameter in input: "Foo", must be one of: TableName' -- describe-table --cli-input-json '{"TableName": "Music", "Foo": 1}'
expect paramfile-missing 252 "" "Error parsing parameter '--item': Unable to load paramfile file://$dir/none.json: [Errno 2] No such file or directory: '$dir/none.json'" -- \
    put-item --table-name Music --item "file://$dir/none.json"
expect no-database 252 "" "kv: error: no database given: use --db DIR or set KV_DB" -- --db "" list-tables
expect help-unknown 252 "" "kv: error: argument command: Invalid choice: 'nosuch' (see kv help)" -- help nosuch
expect metrics-hook 252 "" "kv: error: argument command: 'metrics' (capacity and throttling figures of a table) is not available in this build yet" -- metrics Music
expect check-hook 252 "" "kv: error: argument command: 'check' (a consistency check of the database) is not available in this build yet" -- check

# --- the service (254) ---------------------------------------------------
expect not-found 254 "" "An error occurred (ResourceNotFoundException) when calling the DescribeTable operation: Requested resource not found: Table: Nope not found" -- describe-table --table-name Nope
expect missing-key 254 "" "An error occurred (ValidationException) when calling the PutItem operation: One or more parameter values were invalid: Missing the key SongTitle in the item" -- \
    put-item --table-name Music --item 'Artist={S=a}'
expect in-use 254 "" "An error occurred (ResourceInUseException) when calling the CreateTable operation: Table already exists: Music" -- \
    create-table --table-name Music --attribute-definitions AttributeName=a,AttributeType=S --key-schema AttributeName=a,KeyType=HASH --billing-mode PAY_PER_REQUEST
expect paging-service-error 254 "" "An error occurred (ResourceNotFoundException) when calling the Query operation: Requested resource not found" -- \
    query --table-name Nope --key-condition-expression 'a = :a' --expression-attribute-values ':a={S=x}'

# --- kv's own commands ---------------------------------------------------
expect get-no-table 252 "" "kv: error: the following arguments are required: TABLE" -- get
expect get-not-key 252 "" "kv: error: Foo is not a key attribute of Music (its key: Artist SongTitle)" -- get Music Foo=1
expect get-where 252 "" "kv: error: get takes only TABLE and KEY=VALUE terms" -- get Music Artist=a --where 'x = 1'
expect get-no-table-found 254 "" "An error occurred (ResourceNotFoundException) when calling the DescribeTable operation: Requested resource not found: Table: Nope not found" -- get Nope a=b
expect find-no-partition 252 "" "kv: error: find needs the partition key: Artist=VALUE" -- find Music Year=1
expect find-bad-term 252 "" "Error parsing parameter '--where': expected NAME=VALUE, got 'Artist'" -- find Music Artist
expect items-bad-where 252 "" "Error parsing parameter '--where': expected a value at the end (position 7)" -- items Music --where 'Year >'
expect items-unknown 252 "" "kv: error: Unknown options: --sort" -- items Music --sort x
expect describe-no-table 252 "" "kv: error: the following arguments are required: TABLE" -- describe
expect tables-extra 252 "" "kv: error: Unknown options: Music" -- tables Music
expect dump-no-table 254 "" "An error occurred (ResourceNotFoundException) when calling the DescribeTable operation: Requested resource not found: Table: Nope not found" -- dump Nope
expect dump-unwritable 255 "" "kv dump: cannot write $dir/no/such/file: No such file or directory" -- dump Music --output-file "$dir/no/such/file"
expect load-no-file 255 "" "kv load: cannot read $dir/none.jsonl: No such file or directory" -- load Music "$dir/none.jsonl"

# A bad line: the batches before it stay, nothing from its batch is written.
awk 'BEGIN { for (i = 1; i <= 30; i++) printf "{\"Item\":{\"Artist\":{\"S\":\"a\"},\"SongTitle\":{\"S\":\"%02d\"}}}\n", i }' >"$dir/bad.jsonl"
echo '{"Item":{"Artist":{"S":"a"}' >>"$dir/bad.jsonl"
echo '{"Item":{"Artist":{"S":"a"},"SongTitle":{"S":"99"}}}' >>"$dir/bad.jsonl"
expect load-bad-json 252 "" "kv load: line 31: '}' expected near end of file
25 items loaded (lines up to 25); nothing after line 25 was written" -- load Music "$dir/bad.jsonl"
# "None": the AWS CLI's text format prints the Items a COUNT query lacks.
expect load-bad-json-count 0 "25	None	25" - -- query --table-name Music --key-condition-expression 'Artist = :a' \
    --expression-attribute-values ':a={S=a}' --select COUNT --output text
echo '{"Artist":{"S":"b"},"SongTitle":{"S":"1"}}' >"$dir/bare.jsonl"
expect load-no-wrapper 252 "" "kv load: line 1: expected {\"Item\": {...}}, DynamoDB's export format (--plain reads plain JSON objects)
0 items loaded (lines up to 0); nothing after line 0 was written" -- load Music "$dir/bare.jsonl"
printf '\n{"Item":{"Artist":{"S":"b"},"SongTitle":{"N":"1"}}}\n' >"$dir/mistyped.jsonl"
expect load-mistyped-key 252 "" "kv load: line 2: the key attribute SongTitle is missing or not of type S" -- load Music "$dir/mistyped.jsonl"
printf '{"Artist": "b", "SongTitle": 01}\n' >"$dir/plain-bad.jsonl"
expect load-plain-bad 252 "" "kv load: line 1: bad number at column 30" -- load Music --plain "$dir/plain-bad.jsonl"
# A line the service refuses: its whole batch is not written, earlier ones are.
awk 'BEGIN { for (i = 1; i <= 30; i++) printf "{\"Item\":{\"Artist\":{\"S\":\"c\"},\"SongTitle\":{\"S\":\"%02d\"}}}\n", i }' >"$dir/refused.jsonl"
echo '{"Item": {"Artist": {"S": "c"}, "SongTitle": {"S": "31"}, "Bad": {"SS": []}}}' >>"$dir/refused.jsonl"
expect load-service-error 254 "" "An error occurred (ValidationException) when calling the BatchWriteItem operation: One or more parameter values were invalid: An string set  may not be empty
kv load: lines 26 to 31 were not written; 25 items loaded (lines up to 25)" -- load Music "$dir/refused.jsonl"
expect load-service-error-count 0 "25	None	25" - -- query --table-name Music --key-condition-expression 'Artist = :a' \
    --expression-attribute-values ':a={S=c}' --select COUNT --output text

finish
