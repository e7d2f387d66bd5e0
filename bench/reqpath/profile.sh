#!/usr/bin/env bash
# profile.sh -- instructions per request of the JSON request API and the
# typed API, counted by callgrind.
#
#     bench/reqpath/profile.sh BUILD_DIR [N]
#
# Runs req-profile for each operation on a fresh database and prints the
# instructions (callgrind's Ir) spent in its request loop divided by N
# (default 2000).  Instruction counts hardly move with the machine's load,
# unlike times.
set -euo pipefail
build=$1
n=${2:-2000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/bench/reqpath/req-profile" "$work/db" get-json 1 # create and fill once
for op in get-json get-typed put-json put-typed query-json; do
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.$op" \
        --toggle-collect=run_requests "$build/bench/reqpath/req-profile" "$work/db" "$op" "$n" \
        2>/dev/null
    ir=$(sed -n 's/^summary: //p' "$work/cg.$op")
    awk -v op="$op" -v ir="$ir" -v n="$n" 'BEGIN { printf "%-11s %8.0f Ir/request\n", op, ir / n }'
    if [ -n "${KEEP:-}" ]; then cp "$work/cg.$op" "$KEEP/cg.$op"; fi
done
