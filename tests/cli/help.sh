#!/bin/sh
# help.sh -- kv help, kv COMMAND --help and kv COMMAND help, for every
# command: exit 0, the synopsis in the AWS CLI's option order, examples;
# kv help lists exactly the DynamoDB commands the library supports.
#
# usage: help.sh KV
set -u
kv=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
setup

expect help 0 - - -- help
ok help-lists-own grep -q "^  find TABLE K=V" "$dir/out"
ok help-lists-aws grep -q "^  put-item " "$dir/out"
expect version 0 - - -- --version
expect get-item-help 0 - - -- get-item --help
ok get-item-synopsis grep -qx "    --table-name <string>" "$dir/out"
ok get-item-optional grep -qx "    \[--consistent-read | --no-consistent-read\]" "$dir/out"
expect query-help 0 - - -- query help
ok query-paging-options grep -qx "    \[--max-items <value>\]" "$dir/out"
ok query-example grep -q "key-condition-expression" "$dir/out"

# Every command listed answers --help and COMMAND help; every AWS command
# listed is one the library runs (it does not answer "not supported").
"$kv" help >"$dir/list"
for c in $(awk '/^  [a-z-]+ / {print $1}' "$dir/list"); do
    expect "$c-help" 0 - - -- "$c" --help
    expect "$c-help-word" 0 - - -- help "$c"
done
for c in $(sed -n '/DynamoDB commands/,/^$/p' "$dir/list" | awk '/^  [a-z-]+ / {print $1}'); do
    run_kv "$c" --table-name x >/dev/null 2>"$dir/err"
    ok "$c-supported" sh -c "! grep -q 'does not support that operation' '$dir/err'"
done

finish
