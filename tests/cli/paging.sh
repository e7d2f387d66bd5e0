#!/bin/sh
# paging.sh -- the AWS CLI's automatic pagination through kv (--max-items,
# --starting-token, --page-size, --no-paginate, NextToken), skeletons
# (--generate-cli-skeleton input and output), shorthand and file:// forms,
# and the text and table output formats of whole commands.
#
# usage: paging.sh KV
set -u
kv=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
setup
export KV_NO_SYNC=1

for t in Alpha Beta Gamma Delta Epsilon; do
    "$kv" create-table --table-name "$t" --attribute-definitions AttributeName=k,AttributeType=S \
        --key-schema AttributeName=k,KeyType=HASH --billing-mode PAY_PER_REQUEST >/dev/null
done

# list-tables: five tables in pages of two, merged.
expect list-merged 0 '{
    "TableNames": [
        "Alpha",
        "Beta",
        "Delta",
        "Epsilon",
        "Gamma"
    ]
}' - -- list-tables --page-size 2
# All five come in one page, so the token says "that page, after two".
token=$(printf '{"ExclusiveStartTableName": null, "boto_truncate_amount": 2}' | base64 -w0)
expect list-max-items 0 "{
    \"TableNames\": [
        \"Alpha\",
        \"Beta\"
    ],
    \"NextToken\": \"$token\"
}" - -- list-tables --max-items 2
expect list-resume 0 "TABLENAMES	Delta
TABLENAMES	Epsilon
TABLENAMES	Gamma" - -- list-tables --starting-token "$token" --output text
expect list-no-paginate 0 '{
    "TableNames": [
        "Alpha"
    ],
    "LastEvaluatedTableName": "Alpha"
}' - -- list-tables --limit 1
expect list-text-token 0 "TABLENAMES	Alpha
NEXTTOKEN	$(printf '{"ExclusiveStartTableName": null, "boto_truncate_amount": 1}' | base64 -w0)" - -- list-tables --max-items 1 --output text
expect list-table 0 "---------------------------------------------------------------------------------------------------
|                                           ListTables                                            |
+-----------+-------------------------------------------------------------------------------------+
|  NextToken|  $token   |
+-----------+-------------------------------------------------------------------------------------+
||                                          TableNames                                           ||
|+-----------------------------------------------------------------------------------------------+|
||  Alpha                                                                                        ||
||  Beta                                                                                         ||
|+-----------------------------------------------------------------------------------------------+|" - -- list-tables --max-items 2 --no-cli-pager --output table

# query: items split across pages; truncation in mid page and resumption.
for i in 1 2 3 4 5 6 7; do
    "$kv" put-item --table-name Alpha --item "k={S=x$i}" >/dev/null
done
"$kv" create-table --table-name Songs --attribute-definitions AttributeName=a,AttributeType=S AttributeName=s,AttributeType=N \
    --key-schema AttributeName=a,KeyType=HASH AttributeName=s,KeyType=RANGE --billing-mode PAY_PER_REQUEST >/dev/null
for i in 1 2 3 4 5 6 7; do
    "$kv" put-item --table-name Songs --item "{\"a\": {\"S\": \"A\"}, \"s\": {\"N\": \"$i\"}}" >/dev/null
done
q="query --table-name Songs --key-condition-expression a=:a --expression-attribute-values :a={S=A} --projection-expression s"
# shellcheck disable=SC2086
# The text format prints page by page, as the AWS CLI does.
expect query-pages 0 "3	3
S	1
S	2
S	3
3	3
S	4
S	5
S	6
1	1
S	7" - -- $q --page-size 3 --output json --output text
# Cut at 4 of a page of 3+3+1: the token resumes the second page after its first item.
mid=$(printf '{"ExclusiveStartKey": {"a": {"S": "A"}, "s": {"N": "3"}}, "boto_truncate_amount": 1}' | base64 -w0)
# shellcheck disable=SC2086
expect query-truncate 0 - - -- $q --page-size 3 --max-items 4
ok query-truncate-token python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d["NextToken"] == sys.argv[2] and len(d["Items"]) == 4 and d["Count"] == 6))' "$dir/out" "$mid"
# The resumed first page restarts its counts at zero, as the AWS CLI's do.
# shellcheck disable=SC2086
expect query-resume 0 - - -- $q --page-size 3 --starting-token "$mid"
ok query-resume-items python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not ([i["s"]["N"] for i in d["Items"]] == ["5", "6", "7"] and d["Count"] == 1 and "NextToken" not in d))' "$dir/out"
# shellcheck disable=SC2086
expect query-old-token 0 - - -- $q --starting-token "None___5"
ok query-old-token-items python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not [i["s"]["N"] for i in d["Items"]] == ["6", "7"])' "$dir/out"

# Skeletons.
expect skeleton-input 0 '{
    "TableName": "",
    "Key": {
        "KeyName": {
            "S": "",
            "N": "",
            "B": null,
            "SS": [
                ""
            ],
            "NS": [
                ""
            ],
            "BS": [
                null
            ],
            "M": {
                "KeyName": {}
            },
            "L": [
                {}
            ],
            "NULL": true,
            "BOOL": true
        }
    },
    "AttributesToGet": [
        ""
    ],
    "ConsistentRead": true,
    "ReturnConsumedCapacity": "INDEXES",
    "ProjectionExpression": "",
    "ExpressionAttributeNames": {
        "KeyName": ""
    }
}' - -- get-item --generate-cli-skeleton
expect skeleton-output 0 'LastEvaluatedTableName
TABLENAMES	TableName' - -- list-tables --generate-cli-skeleton output --output text
"$kv" describe-table --generate-cli-skeleton >"$dir/skel.json"
sed -i 's/"TableName": ""/"TableName": "Beta"/' "$dir/skel.json"
expect skeleton-roundtrip 0 - - -- describe-table --cli-input-json "file://$dir/skel.json" --output text
ok skeleton-roundtrip-name grep -q "Beta" "$dir/out"

# Options override --cli-input-json.
expect input-override 0 - - -- describe-table --cli-input-json '{"TableName": "Alpha"}' --table-name Gamma
ok input-override-name grep -q '"TableName": "Gamma"' "$dir/out"

# Shorthand forms.
expect shorthand-key 0 '{
    "Item": {
        "a": {
            "S": "A"
        },
        "s": {
            "N": "2"
        }
    }
}' - -- get-item --table-name Songs --key 'a={S=A},s={N=2}'
expect booleans 0 - - -- get-item --table-name Songs --key 'a={S=A},s={N=2}' --consistent-read --return-consumed-capacity TOTAL
ok consistent-read-cost grep -q '"CapacityUnits": 1.0' "$dir/out"
expect no-boolean 0 - - -- get-item --table-name Songs --key 'a={S=A},s={N=2}' --no-consistent-read --return-consumed-capacity TOTAL
ok eventual-read-cost grep -q '"CapacityUnits": 0.5' "$dir/out"
printf 'a={S=A},s={N=3}' >"$dir/key.txt"
expect shorthand-file 0 - - -- get-item --table-name Songs --key "file://$dir/key.txt" --output text
ok shorthand-file-item grep -qx 'S	3' "$dir/out"

finish
