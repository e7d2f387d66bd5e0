#!/bin/sh
# throttle_share.sh -- show, in real time, that processes share a table's
# provisioned capacity: two shell loops of `kv put-item` against one
# database, each call its own process, writing as fast as they can to one
# 10 WCU table, get 10 WCU together, not 20.
#
# usage: tools/throttle_share.sh KV [SECONDS]
#
# KV is the kv command (build/tools/kv).  Not a unit test: it runs in real
# seconds, on whatever the machine has to spare.
#
# The table is created when the run starts, so however the burst window is
# set, over E milliseconds from then it can serve at most 10 writes (its
# first second) plus 10 * E / 1000; one more is allowed for the clock's
# granularity.  A throttled put-item exits with 254, as the AWS CLI does
# for a service error; any other failure stops the run.
set -eu

kv=${1:?usage: throttle_share.sh KV [SECONDS]}
secs=${2:-5}
wcu=10
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT INT TERM
db="$dir/db"

now_ms() { date +%s%3N; }

# Put 1 KB items (pk + 1,015 bytes: one write unit each) in a loop until
# the deadline; print how many were accepted.
hammer() {
    name=$1 until=$2
    pad=$(printf '%01015d' 0)
    ok=0 i=0
    while [ "$(now_ms)" -lt "$until" ]; do
        i=$((i + 1))
        rc=0
        "$kv" --db "$db" put-item --table-name Shared \
            --item "{\"pk\":{\"S\":\"$name$i\"},\"d\":{\"S\":\"$pad\"}}" \
            >/dev/null 2>"$dir/err.$name" || rc=$?
        case $rc in
        0) ok=$((ok + 1)) ;;
        254) grep -q ProvisionedThroughputExceededException "$dir/err.$name" || {
                 cat "$dir/err.$name" >&2
                 exit 1
             } ;;
        *) cat "$dir/err.$name" >&2; exit 1 ;;
        esac
    done
    echo "$ok" >"$dir/count.$name"
}

start=$(now_ms)
"$kv" --db "$db" create-table --table-name Shared \
    --attribute-definitions '[{"AttributeName":"pk","AttributeType":"S"}]' \
    --key-schema '[{"AttributeName":"pk","KeyType":"HASH"}]' \
    --provisioned-throughput "{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":$wcu}" >/dev/null
until=$((start + secs * 1000))
hammer A "$until" &
pa=$!
hammer B "$until" &
pb=$!
wait "$pa"
wait "$pb"
end=$(now_ms)

a=$(cat "$dir/count.A")
b=$(cat "$dir/count.B")
total=$((a + b))
elapsed=$((end - start))
bound=$((wcu + wcu * elapsed / 1000 + 1))
unshared=$((2 * (wcu + wcu * secs)))
echo "process loop A: $a writes; loop B: $b writes; together $total in $elapsed ms"
echo "the table's capacity over that time: at most $bound" \
    "(two clients with capacity of their own would get about $unshared)"
# The lower bound only shows both loops made progress: process start-up
# eats into each second, so less than the whole capacity may be used.
low=$((wcu * secs / 2))
if [ "$total" -le "$bound" ] && [ "$total" -ge "$low" ] && [ "$a" -gt 0 ] && [ "$b" -gt 0 ]; then
    echo "PASS: the processes shared one table's capacity"
else
    echo "FAIL: expected between $low and $bound writes, some from each loop"
    exit 1
fi
