#!/usr/bin/env bash
# run.sh -- throughput and latency of `kv serve` against dynalite, with wrk.
#
#     bench/serve/run.sh [RESULTS.md]
#
# Builds kv in release mode (build-bench/), installs dynalite from npm
# into build-bench/bench-npm (once), and for each server: starts it on a
# free loopback port, creates and fills the same table (setup.py), then
# runs wrk with post.lua for GetItem, PutItem and Query (100 items) at 1,
# 16 and 64 connections.  Prints a Markdown table, also written to
# RESULTS.md when given.  Query is measured once the library serves it.
#
# kv runs with --no-sync: each write reaches the operating system before
# the response, so it survives the process but not the machine; dynalite
# runs in memory, its fastest mode, and keeps nothing at all.  One extra
# row gives kv's PutItem with every write synced to disk.
#
# Environment: DURATION (seconds per run, default 10), CONNECTIONS
# (default "1 16 64"), KV_THREADS (kv serve --threads, default its own).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build-bench
duration=${DURATION:-10}
connections=${CONNECTIONS:-"1 16 64"}
out=${1:-}

for tool in wrk node npm python3; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is needed (apt-get install $tool)" >&2; exit 1; }
done

[ -f "$build/build.ninja" ] || meson setup "$build" "$root" --buildtype=release >/dev/null
ninja -C "$build" tools/kv >/dev/null
sh "$root/tests/serve/npm-install.sh" "$build/bench-npm" "$here/package.json" >&2

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_port() {
    python3 - "$1" <<'EOF'
import socket, sys, time
for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit("server did not start")
EOF
}

# start_server NAME [SYNC]: sets $url; the server's pid joins $pids.
start_server() {
    local port
    port=$(free_port)
    case $1 in
    kv)
        local sync_flag=--no-sync
        [ "${2:-}" = sync ] && sync_flag=
        rm -rf "$work/kv-db"
        "$build/tools/kv" serve --db "$work/kv-db" --port "$port" $sync_flag \
            ${KV_THREADS:+--threads "$KV_THREADS"} >"$work/kv.log" 2>&1 &
        ;;
    dynalite)
        node "$build/bench-npm/node_modules/dynalite/cli.js" --port "$port" --host 127.0.0.1 \
            --createTableMs 0 --deleteTableMs 0 >"$work/dynalite.log" 2>&1 &
        ;;
    esac
    pids+=($!)
    server_pid=$!
    wait_for_port "$port"
    url=http://127.0.0.1:$port
}

stop_server() {
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
}

# measure OP CONNECTIONS [SECONDS]: prints "req/s p50 p90 p99 non2xx errors".
measure() {
    local threads=2
    [ "$2" -lt 2 ] && threads=1
    wrk -t"$threads" -c"$2" -d"${3:-$duration}s" -s "$here/post.lua" "$url/" -- "$1" \
        "$work/$1.json" | sed -n 's/^RESULT //p'
}

# query_served: whether the server at $url answers Query (else UnknownOperation).
query_served() {
    python3 - "$url" "$work/Query.json" <<'EOF'
import http.client, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port)
c.request("POST", "/", body=open(sys.argv[2], "rb").read(), headers={
    "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.Query",
    "Authorization": "AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/dynamodb/aws4_request, "
                     "SignedHeaders=host, Signature=0", "X-Amz-Date": "20150830T123600Z"})
sys.exit(0 if c.getresponse().status == 200 else 1)
EOF
}

declare -A result
ops="GetItem PutItem Query"
for server in kv dynalite; do
    start_server "$server"
    python3 "$here/setup.py" "$url" "$work"
    served_ops=$ops
    if ! query_served; then
        served_ops="GetItem PutItem"
        echo "run.sh: $server does not serve Query; no Query row" >&2
    fi
    for op in $served_ops; do
        for c in $connections; do
            measure "$op" "$c" 2 >/dev/null  # warm-up, discarded
            result[$server,$op,$c]=$(measure "$op" "$c")
            echo "$server $op c=$c: ${result[$server,$op,$c]}" >&2
        done
    done
    stop_server
done

start_server kv sync
python3 "$here/setup.py" "$url" "$work"
for c in $connections; do
    result[kv-sync,PutItem,$c]=$(measure PutItem "$c")
    echo "kv (synced) PutItem c=$c: ${result[kv-sync,PutItem,$c]}" >&2
done
stop_server

cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
{
    echo "Measured $(date -u +%Y-%m-%d) with wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'),"
    echo "${duration} s per row after a warm-up run, on $(nproc) cores ($cpu) shared by"
    echo "server and wrk; kv $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?'),"
    echo "dynalite $(node -p "require('$build/bench-npm/node_modules/dynalite/package.json').version"),"
    echo "Node.js $(node --version).  Latencies in milliseconds."
    echo
    echo "| Operation | Connections | kv req/s | kv p50 | kv p99 | dynalite req/s | dynalite p50 | dynalite p99 | kv / dynalite |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for op in $ops; do
        for c in $connections; do
            k=${result[kv,$op,$c]:-}
            d=${result[dynalite,$op,$c]:-}
            [ -n "$k" ] && [ -n "$d" ] || continue
            read -r krps kp50 _ kp99 kbad kerr <<<"$k"
            read -r drps dp50 _ dp99 dbad derr <<<"$d"
            ratio=$(awk -v a="$krps" -v b="$drps" 'BEGIN { printf "%.1fx", a / b }')
            echo "| $op | $c | $krps | $kp50 | $kp99 | $drps | $dp50 | $dp99 | $ratio |"
            [ "$kbad$kerr$dbad$derr" = 0000 ] ||
                echo "run.sh: $op c=$c had failures: kv $kbad/$kerr, dynalite $dbad/$derr" >&2
        done
    done
    for c in $connections; do
        read -r krps kp50 _ kp99 _ _ <<<"${result[kv-sync,PutItem,$c]}"
        echo "| PutItem, synced | $c | $krps | $kp50 | $kp99 | | | | |"
    done
} | tee ${out:+"$out"}
