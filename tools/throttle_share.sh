#!/bin/sh
# throttle_share.sh -- show, in real time, that processes share a table's
# provisioned capacity: two processes writing 1 KB items as fast as they
# can to one 10 WCU table get 10 WCU together, not 20.
#
# usage: tools/throttle_share.sh HAMMER [SECONDS]
#
# HAMMER is build/tests/throttle_hammer, which drives the capacity module
# directly.  Once PutItem charges capacity, replace the two hammer runs by
# two shell loops of `kv put-item` against one database: the bound is the
# same.
#
# Bursting is off and the table is created when the run starts, so over E
# milliseconds the table can serve at most 10 (its first second) plus
# 10 * E / 1000 writes; one more is allowed for the clock's granularity.
set -eu

hammer=${1:?usage: throttle_share.sh HAMMER [SECONDS]}
secs=${2:-5}
wcu=10
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT INT TERM

start=$(date +%s%3N)
"$hammer" "$dir" "$secs" "$wcu" "$start" >"$dir/a" &
pa=$!
"$hammer" "$dir" "$secs" "$wcu" "$start" >"$dir/b" &
pb=$!
wait "$pa"
wait "$pb"
end=$(date +%s%3N)

a=$(cat "$dir/a")
b=$(cat "$dir/b")
total=$((a + b))
elapsed=$((end - start))
bound=$((wcu + wcu * elapsed / 1000 + 1))
unshared=$((2 * (wcu + wcu * secs)))
echo "process A: $a writes; process B: $b writes; together $total in $elapsed ms"
echo "the table's capacity over that time: at most $bound" \
    "(two processes with capacity of their own would get about $unshared)"
# The lower bound only shows the processes made progress: capacity that
# flowed in while they were starting is lost above the one-second ceiling.
low=$((wcu * secs / 2))
if [ "$total" -le "$bound" ] && [ "$total" -ge "$low" ]; then
    echo "PASS: the processes shared one table's capacity"
else
    echo "FAIL: expected between $low and $bound writes"
    exit 1
fi
