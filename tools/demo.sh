#!/bin/sh
# demo.sh -- a short tour of kv, the command-line face of libkv, on a
# sample database in a temporary directory.  Every command is printed
# before it runs.  The DynamoDB commands are what you would type with
# `aws dynamodb`; kv's own commands (load, find, items, ...) are shortcuts
# for people.
#
# usage: demo.sh [KV]     (KV: the kv binary, default `kv` on the PATH)
set -eu

kv=${1:-kv}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export KV_DB="$tmp/music.db"

run() {
    printf '\n$ kv'
    for a in "$@"; do
        case "$a" in
        *[\ \"\{\'\(\|\$\*]* | "") printf " '%s'" "$a" ;;
        *) printf ' %s' "$a" ;;
        esac
    done
    printf '\n'
    "$kv" "$@"
}

section() {
    printf '\n\n=== %s\n' "$1"
}

echo "A sample database in $KV_DB (KV_DB points kv at it)."

section "A table with a global secondary index (AWS CLI shorthand syntax)"
run create-table --table-name Music \
    --attribute-definitions AttributeName=Artist,AttributeType=S AttributeName=SongTitle,AttributeType=S \
    AttributeName=Genre,AttributeType=S AttributeName=Year,AttributeType=N \
    --key-schema AttributeName=Artist,KeyType=HASH AttributeName=SongTitle,KeyType=RANGE \
    --provisioned-throughput ReadCapacityUnits=10,WriteCapacityUnits=10 \
    --global-secondary-indexes 'IndexName=GenreYear,KeySchema=[{AttributeName=Genre,KeyType=HASH},{AttributeName=Year,KeyType=RANGE}],Projection={ProjectionType=ALL},ProvisionedThroughput={ReadCapacityUnits=5,WriteCapacityUnits=5}' \
    --output text >/dev/null
echo "(created)"
run describe Music

section "Loading sample data in DynamoDB's export format"
cat >"$tmp/songs.jsonl" <<'EOF'
{"Item":{"Artist":{"S":"Acme Band"},"SongTitle":{"S":"Happy Day"},"AlbumTitle":{"S":"Songs About Life"},"Genre":{"S":"Rock"},"Year":{"N":"2002"},"Price":{"N":"1.99"}}}
{"Item":{"Artist":{"S":"Acme Band"},"SongTitle":{"S":"Happy Hour"},"AlbumTitle":{"S":"Songs About Life"},"Genre":{"S":"Rock"},"Year":{"N":"2002"},"Price":{"N":"0.99"}}}
{"Item":{"Artist":{"S":"Acme Band"},"SongTitle":{"S":"PartiQL Rocks"},"AlbumTitle":{"S":"Another Album Title"},"Genre":{"S":"Rock"},"Year":{"N":"2015"},"Price":{"N":"1.29"}}}
{"Item":{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"},"AlbumTitle":{"S":"Somewhat Famous"},"Genre":{"S":"Country"},"Year":{"N":"2015"},"Price":{"N":"2.14"}}}
{"Item":{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Scared of My Shadow"},"AlbumTitle":{"S":"Blue Sky Blues"},"Genre":{"S":"Country"},"Year":{"N":"1998"},"Price":{"N":"0.89"}}}
{"Item":{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"My Dog Spot"},"AlbumTitle":{"S":"Hey Now"},"Genre":{"S":"Country"},"Year":{"N":"1984"},"Price":{"N":"1.98"}}}
{"Item":{"Artist":{"S":"The Acme Band"},"SongTitle":{"S":"Still in Love"},"AlbumTitle":{"S":"The Buck Starts Here"},"Genre":{"S":"Rock"},"Year":{"N":"2003"},"Price":{"N":"2.47"}}}
{"Item":{"Artist":{"S":"The Acme Band"},"SongTitle":{"S":"Look Out, World"},"AlbumTitle":{"S":"The Buck Starts Here"},"Genre":{"S":"Rock"},"Year":{"N":"1999"},"Price":{"N":"0.99"},"Tags":{"SS":["live","remastered"]}}}
{"Item":{"Artist":{"S":"Hidden Track"},"SongTitle":{"S":"Quiet Night"},"AlbumTitle":{"S":"Unplugged"},"Genre":{"S":"Jazz"},"Year":{"N":"2011"},"Price":{"N":"0.79"}}}
{"Item":{"Artist":{"S":"Hidden Track"},"SongTitle":{"S":"Blue Morning"},"AlbumTitle":{"S":"Unplugged"},"Genre":{"S":"Jazz"},"Year":{"N":"2011"},"Price":{"N":"1.49"}}}
EOF
echo "\$ head -2 songs.jsonl"
head -2 "$tmp/songs.jsonl"
run load Music "$tmp/songs.jsonl"
run tables

section "Reading items"
run get-item --table-name Music --key 'Artist={S=Acme Band},SongTitle={S=Happy Day}'
run get Music Artist="Acme Band" SongTitle="Happy Day"

section "A query: one artist's songs, as the AWS CLI would, then kv find"
run query --table-name Music \
    --key-condition-expression 'Artist = :a AND begins_with(SongTitle, :t)' \
    --expression-attribute-values '{":a": {"S": "Acme Band"}, ":t": {"S": "Happy"}}' \
    --projection-expression 'SongTitle, Price' --output text
run find Music Artist="Acme Band" --where 'begins_with(SongTitle, "Happy")'
echo
echo "The index: rock songs since 2000, newest first."
run find Music --index GenreYear Genre=Rock --where 'Year >= 2000' --desc

section "A scan with a filter"
run scan --table-name Music --filter-expression 'Price < :p' \
    --expression-attribute-values ':p={N=1}' --select COUNT
run items Music --where 'Price < 1 or attribute_exists(Tags)'

section "Updating an item"
run update-item --table-name Music --key 'Artist={S=Acme Band},SongTitle={S=Happy Day}' \
    --update-expression 'SET Price = Price + :d, Awards = :n' \
    --expression-attribute-values '{":d": {"N": "0.01"}, ":n": {"N": "1"}}' \
    --return-values UPDATED_NEW || true

echo
echo "Errors use DynamoDB's exception names and messages, and exit with 254:"
run put-item --table-name Music --item 'Artist={S=Acme Band}' || echo "(exit $?)"

section "Moving data"
run dump Music --plain --output-file "$tmp/music-plain.jsonl"
echo "\$ head -3 music-plain.jsonl"
head -3 "$tmp/music-plain.jsonl"

section "Throttling: a burst of writes against a table with 2 WCU"
run create-table --table-name Burst \
    --attribute-definitions AttributeName=id,AttributeType=N \
    --key-schema AttributeName=id,KeyType=HASH \
    --provisioned-throughput ReadCapacityUnits=2,WriteCapacityUnits=2 --output text >/dev/null
echo "(created; now 30 put-item calls in a row, each tried once: AWS_MAX_ATTEMPTS=1)"
throttled=0
i=0
while [ "$i" -lt 30 ]; do
    i=$((i + 1))
    if ! AWS_MAX_ATTEMPTS=1 "$kv" put-item --table-name Burst --item "id={N=$i}" 2>"$tmp/err"; then
        throttled=$((throttled + 1))
        last=$(tail -1 "$tmp/err")
    fi
done
echo "$((30 - throttled)) written, $throttled throttled."
[ "$throttled" -gt 0 ] && echo "The last refusal: $last"
run metrics Burst || true

echo
echo "More: kv help, kv COMMAND --help, man kv."
