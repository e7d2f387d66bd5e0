#!/bin/sh
# demo.sh -- a short tour of kv, the command-line face of libkv, on a
# sample database in a temporary directory.  Every command is printed
# before it runs; each is what you would type with `aws dynamodb`.
set -eu

kv=${1:-kv}
db=$(mktemp -d)/music.db
trap 'rm -rf "$(dirname "$db")"' EXIT
export KV_DB="$db"

run() {
    printf '\n$ kv'
    for a in "$@"; do
        case "$a" in
        *[\ \"\{]*) printf " '%s'" "$a" ;;
        *) printf ' %s' "$a" ;;
        esac
    done
    printf '\n'
    "$kv" "$@"
}

echo "A sample database in $db (KV_DB points kv at it)."

run create-table --table-name Music \
    --attribute-definitions '[{"AttributeName":"Artist","AttributeType":"S"},{"AttributeName":"SongTitle","AttributeType":"S"}]' \
    --key-schema '[{"AttributeName":"Artist","KeyType":"HASH"},{"AttributeName":"SongTitle","KeyType":"RANGE"}]' \
    --billing-mode PAY_PER_REQUEST >/dev/null
echo "(table created)"

run put-item --table-name Music \
    --item '{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"},"AlbumTitle":{"S":"Somewhat Famous"},"Year":{"N":"2015"}}' \
    --return-consumed-capacity TOTAL
run put-item --table-name Music \
    --item '{"Artist":{"S":"Acme Band"},"SongTitle":{"S":"Happy Day"},"AlbumTitle":{"S":"Songs About Life"},"Price":{"N":"01.990"}}'

run get-item --table-name Music \
    --key '{"Artist":{"S":"Acme Band"},"SongTitle":{"S":"Happy Day"}}'

echo
echo "Numbers are exact decimals, returned in DynamoDB's normal form (01.990 -> 1.99)."
echo "A missing item prints nothing, as with the AWS CLI:"
run get-item --table-name Music --key '{"Artist":{"S":"Nobody"},"SongTitle":{"S":"Nothing"}}'

echo
echo "Errors use DynamoDB's exception names and messages (exit code 254):"
run put-item --table-name Music --item '{"Artist":{"S":"Acme Band"}}' || true

run delete-item --table-name Music \
    --key '{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"}}' \
    --return-values ALL_OLD
run list-tables
run describe-table --table-name Music
