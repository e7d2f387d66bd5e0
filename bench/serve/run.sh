#!/usr/bin/env bash
# run.sh -- throughput and latency of `kv serve` against dynalite, with wrk.
#
#     bench/serve/run.sh [RESULTS.md]
#
# Builds kv in release mode (build-bench/), installs dynalite from npm
# into build-bench/bench-npm (once), starts both servers side by side on
# free loopback ports, creates and fills the same table in each
# (setup.py), then runs wrk with post.lua for GetItem, PutItem and Query
# (100 items) at 1, 16 and 64 connections, one server right after the
# other for each row, so that a change in the machine's load touches both
# alike.  Prints a Markdown table, also written to RESULTS.md when given.
# An operation kv does not serve yet gets no row.
#
# The GetItem rows also measure bench/serve/static-server, which answers
# every request with kv's GetItem response worked out in advance and does
# nothing else: the most any server can reach here.  A second table gives,
# for the three servers, the CPU time wrk itself spent per request, which
# the servers share the machine with.
#
# kv runs with --no-sync: each write reaches the operating system before
# the response, so it survives the process but not the machine; dynalite
# runs in memory, its fastest mode, and keeps nothing at all.  Extra rows
# give kv's PutItem with every write synced to disk.  kv runs with
# --unlimited-capacity, as dynalite never throttles: the one item written
# again and again would otherwise meet DynamoDB's per-partition limit.
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
    if ! command -v "$tool" >/dev/null; then
        echo "run.sh: $tool is needed (apt-get install $tool)" >&2
        exit 1
    fi
done

[ -f "$build/build.ninja" ] || meson setup "$build" "$root" --buildtype=release -Db_lto=true >/dev/null
ninja -C "$build" tools/kv bench/static-server >/dev/null
sh "$root/tests/serve/npm-install.sh" "$build/bench-npm" "$here/package.json" >&2

load=$(cut -d' ' -f1-3 /proc/loadavg)
work=$(mktemp -d)
touch "$work/pids"
cleanup() {
    while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$work/pids"
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_port() {
    python3 - "$1" <<'PY'
import socket, sys, time
for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit("server did not start")
PY
}

# start_server NAME [sync]: prints the server's URL; its pid joins $work/pids.
start_server() {
    local port
    port=$(free_port)
    case $1 in
    kv)
        local sync_flag=--no-sync
        [ "${2:-}" = sync ] && sync_flag=
        "$build/tools/kv" serve --db "$work/kv-db-${2:-nosync}" --port "$port" $sync_flag \
            --unlimited-capacity \
            ${KV_THREADS:+--threads "$KV_THREADS"} >"$work/kv.log" 2>&1 &
        ;;
    static)
        "$build/bench/static-server" "$port" "$(nproc)" "$work/GetItem.response" \
            >"$work/static.log" 2>&1 &
        ;;
    dynalite)
        node "$build/bench-npm/node_modules/dynalite/cli.js" --port "$port" --host 127.0.0.1 \
            --createTableMs 0 --deleteTableMs 0 >"$work/dynalite.log" 2>&1 &
        ;;
    esac
    echo $! >>"$work/pids"
    echo $! >"$work/pid-$1${2:+-$2}"
    wait_for_port "$port"
    echo "http://127.0.0.1:$port"
}

# The CPU time a process has used, in clock ticks.
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# measure NAME URL OP CONNECTIONS [SECONDS]: prints "req/s p50 p90 p99 non2xx
# errors cpu wrk_cpu", cpu being the server's CPU time per request in
# microseconds, which the machine's other load disturbs much less than the
# rate does, and wrk_cpu wrk's own.
measure() {
    local threads=2 pid before res after TIMEFORMAT='%U %S'
    [ "$4" -lt 2 ] && threads=1
    pid=$(cat "$work/pid-$1")
    before=$(cpu_ticks "$pid")
    { time wrk -t"$threads" -c"$4" -d"${5:-$duration}s" -s "$here/post.lua" "$2/" -- "$3" \
        "$work/$3.json" >"$work/wrk.out"; } 2>"$work/wrk.time"
    res=$(sed -n 's/^RESULT //p' "$work/wrk.out")
    after=$(cpu_ticks "$pid")
    awk -v r="$res" -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v d="${5:-$duration}" \
        -v w="$(tail -1 "$work/wrk.time")" \
        'BEGIN { split(r, f, " "); split(w, g, " "); n = f[1] * d
                 printf "%s %.0f %.1f\n", r, t / hz * 1e6 / n, (g[1] + g[2]) * 1e6 / n }'
}

# post URL OP [FILE]: send the benchmark's request for OP; succeed when the
# server answers 200, and write the response body into FILE if given.
post() {
    python3 - "$1" "$work/$2.json" "$2" "${3:-}" <<'PY'
import http.client, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port)
c.request("POST", "/", body=open(sys.argv[2], "rb").read(), headers={
    "Content-Type": "application/x-amz-json-1.0",
    "X-Amz-Target": "DynamoDB_20120810." + sys.argv[3],
    "Authorization": "AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/dynamodb/aws4_request, "
                     "SignedHeaders=host, Signature=0",
    "X-Amz-Date": "20150830T123600Z"})
r = c.getresponse()
body = r.read()
if sys.argv[4]:
    open(sys.argv[4], "wb").write(body)
sys.exit(0 if r.status == 200 else 1)
PY
}

declare -A url result
for server in kv dynalite; do
    url[$server]=$(start_server "$server")
    python3 "$here/setup.py" "${url[$server]}" "$work"
done
post "${url[kv]}" GetItem "$work/GetItem.response"
url[static]=$(start_server static)
ops=""
for op in GetItem PutItem Query; do
    if post "${url[kv]}" "$op"; then
        ops="$ops $op"
    else
        echo "run.sh: kv does not serve $op yet; no $op rows" >&2
    fi
done
for op in $ops; do
    for c in $connections; do
        servers="kv dynalite"
        [ "$op" = GetItem ] && servers="kv dynalite static"
        for server in $servers; do
            measure "$server" "${url[$server]}" "$op" "$c" 2 >/dev/null # warm-up
            result[$server,$op,$c]=$(measure "$server" "${url[$server]}" "$op" "$c")
            echo "$server $op c=$c: ${result[$server,$op,$c]}" >&2
        done
    done
done
url[kv-sync]=$(start_server kv sync)
python3 "$here/setup.py" "${url[kv-sync]}" "$work"
for c in $connections; do
    result[kv-sync,PutItem,$c]=$(measure kv-sync "${url[kv-sync]}" PutItem "$c")
    echo "kv (synced) PutItem c=$c: ${result[kv-sync,PutItem,$c]}" >&2
done

cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
dynalite_version=$(node -p "require('$build/bench-npm/node_modules/dynalite/package.json').version")
{
    echo "Measured $(date -u +%Y-%m-%d) with wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'),"
    echo "${duration} s per row after a 2 s warm-up, on $(nproc) cores ($cpu) shared by"
    echo "the servers and wrk; kv $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?'),"
    echo "dynalite $dynalite_version, Node.js $(node --version); load average at the start:"
    echo "$load.  Latencies in milliseconds."
    echo
    echo "| Operation | Conn. | kv req/s | kv p50 | kv p99 | kv CPU µs/req | dynalite req/s | dynalite p50 | dynalite p99 | dynalite CPU µs/req | req/s ratio | CPU ratio |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for op in $ops; do
        for c in $connections; do
            read -r krps kp50 _ kp99 kbad kerr kcpu _ <<<"${result[kv,$op,$c]}"
            read -r drps dp50 _ dp99 dbad derr dcpu _ <<<"${result[dynalite,$op,$c]}"
            ratio=$(awk -v a="$krps" -v b="$drps" 'BEGIN { printf "%.1fx", a / b }')
            cratio=$(awk -v a="$kcpu" -v b="$dcpu" 'BEGIN { printf "%.1fx", b / a }')
            echo "| $op | $c | $krps | $kp50 | $kp99 | $kcpu | $drps | $dp50 | $dp99 | $dcpu | $ratio | $cratio |"
            if [ "$kbad$kerr$dbad$derr" != 0000 ]; then
                echo "run.sh: $op c=$c had failures: kv $kbad/$kerr, dynalite $dbad/$derr" >&2
            fi
        done
    done
    for c in $connections; do
        read -r krps kp50 _ kp99 _ _ kcpu _ <<<"${result[kv-sync,PutItem,$c]}"
        echo "| PutItem, synced | $c | $krps | $kp50 | $kp99 | $kcpu | | | | | | |"
    done
    if [[ " $ops " == *" GetItem "* ]]; then
        echo
        echo "GetItem against a server that only sends a fixed response, and the CPU time wrk spent per request:"
        echo
        echo "| Server | Conn. | req/s | p50 | p99 | server CPU µs/req | wrk CPU µs/req |"
        echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
        for c in $connections; do
            for server in static kv dynalite; do
                read -r rps p50 _ p99 _ _ cpu wcpu <<<"${result[$server,GetItem,$c]}"
                echo "| $server | $c | $rps | $p50 | $p99 | $cpu | $wcpu |"
            done
        done
    fi
} | tee ${out:+"$out"}
