#!/bin/sh
# data.sh -- moving and reading data end to end: create a table, load
# 10,000 items from a file in DynamoDB's export format, query, scan with a
# filter, dump, load the dump into a new table and check that both tables
# hold the same items; the same with --plain; kv get, find, items, tables,
# describe and stats on that data.
#
# usage: data.sh KV
set -u
kv=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
setup
export KV_NO_SYNC=1

schema='--attribute-definitions AttributeName=Artist,AttributeType=S AttributeName=SongTitle,AttributeType=S
 --key-schema AttributeName=Artist,KeyType=HASH AttributeName=SongTitle,KeyType=RANGE'
# shellcheck disable=SC2086
expect create 0 - - -- create-table --table-name Music $schema --billing-mode PAY_PER_REQUEST

# 100 artists x 100 songs; a third of the songs are Rock.
# Prices are written in DynamoDB's normal form (no trailing zeros), as a
# dump returns them, so input and dump compare equal.
awk 'function price(s,  p) {
    p = sprintf("%d.%02d", s % 10, s)
    sub(/0+$/, "", p)
    sub(/\.$/, "", p)
    return p
}
BEGIN {
    for (a = 0; a < 100; a++)
        for (s = 0; s < 100; s++)
            printf "{\"Item\":{\"Artist\":{\"S\":\"Artist %02d\"},\"SongTitle\":{\"S\":\"Song %03d\"},\"Year\":{\"N\":\"%d\"},\"Price\":{\"N\":\"%s\"},\"Genre\":{\"S\":\"%s\"}}}\n",
                a, s, 1950 + (a * 7 + s) % 70, price(s), s % 3 == 0 ? "Rock" : s % 3 == 1 ? "Pop" : "Jazz"
}' >"$dir/music.jsonl"

canon() { python3 "$here/canon.py" "$@"; }

expect load-10000 0 "" - -- load Music "$dir/music.jsonl"
"$kv" tables >"$dir/tables"
ok tables-count [ "$(awk -F'\t' '$1 == "Music" {print $2}' "$dir/tables")" = 10000 ]

# Query: one artist's 100 songs, merged from pages of 7 by the paginator.
"$kv" query --table-name Music --key-condition-expression 'Artist = :a' \
    --expression-attribute-values '{":a": {"S": "Artist 42"}}' --page-size 7 >"$dir/q.json"
ok query-count python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d["Count"] == 100 == len(d["Items"]) and d["ScannedCount"] == 100 and "NextToken" not in d))' "$dir/q.json"
expect query-sort-key 0 "3	3" - -- query --table-name Music \
    --key-condition-expression 'Artist = :a AND SongTitle BETWEEN :x AND :y' \
    --expression-attribute-values ':a={S=Artist 07},:x={S=Song 010},:y={S=Song 012}' \
    --select COUNT --output text --no-paginate

# Scan with a filter: Rock songs priced under 3.
"$kv" scan --table-name Music --filter-expression 'Genre = :g AND Price < :p' \
    --expression-attribute-values '{":g": {"S": "Rock"}, ":p": {"N": "3"}}' >"$dir/scan.json"
want=$(canon <"$dir/music.jsonl" | grep -c '"Genre": {"S": "Rock"}, "Price": {"N": "[0-2][.\"]')
counts=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["Count"], len(d["Items"]), d["ScannedCount"])' "$dir/scan.json")
ok scan-filter-counts [ "$counts" = "$want $want 10000" ]

# Dump, and the dump loaded into a new table holds the same items.
expect dump 0 - - -- dump Music --output-file "$dir/dump.jsonl"
canon <"$dir/music.jsonl" >"$dir/want"
canon <"$dir/dump.jsonl" >"$dir/got"
ok dump-same-items cmp -s "$dir/want" "$dir/got"
# shellcheck disable=SC2086
expect create-copy 0 - - -- create-table --table-name MusicCopy $schema --billing-mode PAY_PER_REQUEST
expect load-dump 0 "" - -- load MusicCopy "$dir/dump.jsonl"
"$kv" dump MusicCopy | canon >"$dir/copy"
ok copy-same-items cmp -s "$dir/want" "$dir/copy"

# Plain JSON: numbers as numbers, the round trip exact.
"$kv" dump Music --plain >"$dir/plain.jsonl"
ok plain-numbers grep -q '"Price": 4.44' "$dir/plain.jsonl"
# shellcheck disable=SC2086
expect create-plain 0 - - -- create-table --table-name MusicPlain $schema --billing-mode PAY_PER_REQUEST
expect load-plain 0 "" - -- load MusicPlain --plain "$dir/plain.jsonl"
"$kv" dump MusicPlain --plain | canon --plain >"$dir/plain-copy"
canon --plain <"$dir/plain.jsonl" >"$dir/plain-want"
ok plain-same-items cmp -s "$dir/plain-want" "$dir/plain-copy"

# Exact numbers survive plain JSON both ways.
printf '{"Artist": "n", "SongTitle": "t", "Big": 12345678901234567890123456789012345678, "Small": -1.5E-3}\n' |
    "$kv" load MusicPlain --plain
expect plain-exact 0 '{"Artist": "n", "SongTitle": "t", "Big": 12345678901234567890123456789012345678, "Small": -0.0015}' - -- \
    get MusicPlain Artist=n SongTitle=t --output json

# The same key twice in a row: both written in order (never in one batch,
# which DynamoDB would refuse), the later one wins.
printf '%s\n' '{"Item":{"Artist":{"S":"dup"},"SongTitle":{"S":"x"},"V":{"N":"1"}}}' \
    '{"Item":{"Artist":{"S":"dup"},"SongTitle":{"S":"x"},"V":{"N":"2"}}}' >"$dir/dup.jsonl"
expect load-duplicates 0 "" - -- load MusicCopy "$dir/dup.jsonl"
expect load-duplicates-last 0 '{"Artist": "dup", "SongTitle": "x", "V": 2}' - -- get MusicCopy Artist=dup SongTitle=x --output json

# The commands for people, on the same data (plain output: not a terminal).
expect get 0 "Artist	SongTitle	Genre	Price	Year
Artist 03	Song 004	Pop	4.04	1975" - -- get Music Artist="Artist 03" SongTitle="Song 004"
expect find 0 "Artist	SongTitle	Genre	Price	Year
Artist 03	Song 099	Rock	9.99	2000
Artist 03	Song 098	Jazz	8.98	1999
Artist 03	Song 097	Pop	7.97	1998
Artist 03	Song 096	Rock	6.96	1997" - -- find Music Artist="Artist 03" --where 'SongTitle > "Song 095" and Price > 6' --desc
expect items-limit 0 - - -- items Music --where 'Year = 1950 and Genre = Jazz' --limit 3
ok items-limit-rows [ "$(wc -l <"$dir/out")" = 4 ]
expect describe 0 - - -- describe Music
ok describe-keys grep -q "keys         Artist (S, partition), SongTitle (S, sort)" "$dir/out"
ok describe-items grep -q "items        10000 " "$dir/out"
expect stats 0 - - -- stats --output json
ok stats-json python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d["Entries"] >= 30000 and d["PageSize"] > 0 and d["Databases"] >= 4))' "$dir/out"

finish
