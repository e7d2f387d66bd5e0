#!/bin/sh
# music.sh -- the Music example end to end through kv: create-table,
# put-item, get-item, delete-item, describe-table, list-tables,
# delete-table; exact output, exit codes, persistence across invocations
# (each kv call is a new process that reopens the database).
#
# usage: music.sh KV [VALGRIND]   (with VALGRIND, every call runs under it)
set -u
kv=$1
vg=${2:-}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export KV_DB="$dir/db"
fails=0

run() {
    if [ -n "$vg" ]; then
        "$vg" -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 "$kv" "$@"
    else
        "$kv" "$@"
    fi
}

check() { # name expected-exit expected-stdout command...
    name=$1 want_rc=$2 want_out=$3
    shift 3
    out=$(run "$@" 2>"$dir/err")
    rc=$?
    if [ "$rc" != "$want_rc" ] || { [ "$want_out" != "-" ] && [ "$out" != "$want_out" ]; }; then
        echo "FAIL $name: exit $rc (want $want_rc)"
        echo "$out" | head -20
        cat "$dir/err"
        fails=$((fails + 1))
    else
        echo "ok $name"
    fi
}

check create 0 - create-table --table-name Music \
    --attribute-definitions '[{"AttributeName":"Artist","AttributeType":"S"},{"AttributeName":"SongTitle","AttributeType":"S"}]' \
    --key-schema '[{"AttributeName":"Artist","KeyType":"HASH"},{"AttributeName":"SongTitle","KeyType":"RANGE"}]' \
    --billing-mode PAY_PER_REQUEST
check put 0 "" put-item --table-name Music \
    --item '{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"},"AlbumTitle":{"S":"Somewhat Famous"}}'
check get 0 '{
    "Item": {
        "Artist": {
            "S": "No One You Know"
        },
        "SongTitle": {
            "S": "Call Me Today"
        },
        "AlbumTitle": {
            "S": "Somewhat Famous"
        }
    }
}' get-item --table-name Music --key '{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"}}'
check get-missing 0 "" get-item --table-name Music --key '{"Artist":{"S":"x"},"SongTitle":{"S":"y"}}'
check list 0 '{
    "TableNames": [
        "Music"
    ]
}' list-tables
check describe 0 - describe-table --table-name Music
out=$(run describe-table --table-name Music)
echo "$out" | grep -q '"ItemCount": 1,' || { echo "FAIL describe-count"; fails=$((fails + 1)); }
check delete 0 "" delete-item --table-name Music --key '{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"}}'
check get-deleted 0 "" get-item --table-name Music --key '{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"}}'
check service-error 254 "" describe-table --table-name Nope
grep -q "An error occurred (ResourceNotFoundException) when calling the DescribeTable operation: Requested resource not found: Table: Nope not found" "$dir/err" ||
    { echo "FAIL service-error message"; fails=$((fails + 1)); }
check usage-error 252 "" no-such-command
check input-json 0 "" put-item --cli-input-json '{"TableName":"Music","Item":{"Artist":{"S":"a"},"SongTitle":{"S":"b"}}}'
check delete-table 0 - delete-table --table-name Music
check list-empty 0 '{
    "TableNames": []
}' list-tables

[ "$fails" -eq 0 ] && echo "all passed" || echo "$fails failed"
[ "$fails" -eq 0 ]
