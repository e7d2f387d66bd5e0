#!/bin/sh
# check.sh -- kv check end to end: silent "ok" and exit 0 on a consistent
# database; each mismatch printed with its table and index, and exit 1,
# once the database is damaged behind the library's back (by cli_damage,
# which edits the LMDB data directly).
#
# usage: check.sh KV CLI_DAMAGE     (VALGRIND=path: run kv under it)
set -u
kv=$1
damage=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
setup
export KV_NO_SYNC=1

# Chk: a global index on g and a local index on l, twelve items.
"$kv" create-table --table-name Chk \
    --attribute-definitions AttributeName=pk,AttributeType=S AttributeName=sk,AttributeType=N \
    AttributeName=g,AttributeType=S AttributeName=l,AttributeType=N \
    --key-schema AttributeName=pk,KeyType=HASH AttributeName=sk,KeyType=RANGE \
    --billing-mode PAY_PER_REQUEST \
    --global-secondary-indexes 'IndexName=ByG,KeySchema=[{AttributeName=g,KeyType=HASH}],Projection={ProjectionType=ALL}' \
    --local-secondary-indexes 'IndexName=ByL,KeySchema=[{AttributeName=pk,KeyType=HASH},{AttributeName=l,KeyType=RANGE}],Projection={ProjectionType=KEYS_ONLY}' \
    --output text >/dev/null || { echo "FAIL create-table"; exit 1; }
awk 'BEGIN { for (i = 0; i < 12; i++)
    printf "{\"Item\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"%d\"},\"g\":{\"S\":\"g%d\"},\"l\":{\"N\":\"%d\"}}}\n", i % 3, i, i % 2, i * 7 }' \
    >"$dir/items.jsonl"
"$kv" load Chk "$dir/items.jsonl" 2>/dev/null || { echo "FAIL load"; exit 1; }
"$kv" create-table --table-name Other \
    --attribute-definitions AttributeName=id,AttributeType=S --key-schema AttributeName=id,KeyType=HASH \
    --billing-mode PAY_PER_REQUEST --output text >/dev/null
"$kv" put-item --table-name Other --item 'id={S=x}' || { echo "FAIL put-item"; exit 1; }

ok_text="every index entry matches its item, counts and sizes agree"

# --- a consistent database ------------------------------------------------------
expect clean 0 "ok: 2 tables: $ok_text" - -- check
expect clean-one 0 "ok: Chk: $ok_text" - -- check Chk
expect clean-json 0 '{
    "Problems": [],
    "Count": 0
}' - -- check --output json
expect clean-empty 0 "ok: 0 tables: $ok_text" - -- --db "$dir/empty" check

# --- a global index entry deleted ---------------------------------------------
"$damage" "$KV_DB" Chk ByG delete || { echo "FAIL damage"; exit 1; }
expect missing-entry 1 - - -- check
ok missing-entry-item grep -Eq '^Chk index ByG: item \{"pk":\{"S":"p[0-9]"\},"sk":\{"N":"[0-9]+"\}\} has no entry in the index$' "$dir/out"
ok missing-entry-count grep -qx "Chk index ByG: the index holds 11 entries; the items call for 12" "$dir/out"
ok missing-entry-summary sh -c "tail -1 '$dir/out' | grep -qx '2 inconsistencies found in 1 table'"
ok missing-entry-lines [ "$(wc -l <"$dir/out")" = 3 ]
expect missing-entry-one 1 - - -- check Chk
expect other-still-clean 0 "ok: Other: $ok_text" - -- check Other
expect missing-entry-json 1 - - -- check Chk --output json
ok missing-entry-json-shape python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["Count"] == 2 and len(d["Problems"]) == 2, d
for p in d["Problems"]:
    assert p["TableName"] == "Chk" and p["IndexName"] == "ByG", p
assert "the index holds 11 entries; the items call for 12" in [p["Problem"] for p in d["Problems"]]
' "$dir/out"

# --- a stray local index entry, and a wrong item count on another table ------------
"$damage" "$KV_DB" Chk ByL stray || { echo "FAIL damage"; exit 1; }
"$damage" "$KV_DB" Other - count || { echo "FAIL damage"; exit 1; }
expect several 1 - - -- check
ok several-stray grep -Eq '^Chk index ByL: an index entry names item .*, which (does not exist|does not have it)$' "$dir/out"
ok several-count grep -qx "Other: ItemCount is 2 but there are 1 items" "$dir/out"
ok several-summary sh -c "tail -1 '$dir/out' | grep -Eqx '[0-9]+ inconsistencies found in 2 tables'"
expect several-other 1 "Other: ItemCount is 2 but there are 1 items
1 inconsistency found in 1 table" - -- check Other

# --- usage and errors -------------------------------------------------------------
expect unknown-table 254 "" "An error occurred (ResourceNotFoundException) when calling the DescribeTable operation: Requested resource not found: Table: Nope not found" -- check Nope
expect extra 252 "" "kv: error: Unknown options: Other" -- check Chk Other
expect unknown-option 252 "" "kv: error: Unknown options: --fix" -- check --fix
expect help 0 - - -- check --help
ok help-text grep -q "^kv check \[TABLE\]" "$dir/out"

finish
