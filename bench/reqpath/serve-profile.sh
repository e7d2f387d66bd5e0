#!/usr/bin/env bash
# serve-profile.sh -- instructions per request of `kv serve`, counted by
# callgrind while a client sends one fixed request N times over one
# keep-alive connection.
#
#     bench/reqpath/serve-profile.sh BUILD_DIR [N]
#
# Starts kv serve under callgrind on a fresh database, fills it with
# bench/serve/setup.py, zeroes the counters, sends each operation's request
# (GetItem, PutItem, Query of 100 items, as bench/serve/ sends them) N times
# (default 500) and prints the server's instructions per request, all
# threads together.  Set KEEP=DIR to keep the callgrind files.  With
# SIGNED=1 the server checks signatures (--credentials) and each request is
# signed with botocore, as the SDKs sign them; setup.py's requests then
# fail, so SIGNED=1 runs fill the table unsigned first.
set -euo pipefail
build=$1
n=${2:-500}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
wait_port() {
    python3 - "$port" <<'PY'
import socket, sys, time
for _ in range(600):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("server did not start")
PY
}
creds=()
if [ -n "${SIGNED:-}" ]; then
    # Fill the table with an unsigned server first.
    "$build/tools/kv" serve --db "$work/db" --port "$port" --no-sync --unlimited-capacity \
        >/dev/null 2>&1 &
    pid=$!
    wait_port
    python3 "$here/../serve/setup.py" "http://127.0.0.1:$port" "$work" >/dev/null
    kill $pid
    wait $pid 2>/dev/null || true
    echo "AKIDEXAMPLE wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" >"$work/creds"
    creds=(--credentials "$work/creds")
fi
valgrind --tool=callgrind --callgrind-out-file="$work/cg.%p" \
    "$build/tools/kv" serve --db "$work/db" --port "$port" --no-sync --unlimited-capacity \
    --threads 1 "${creds[@]}" 2>"$work/valgrind.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
wait_port
[ -n "${SIGNED:-}" ] || python3 "$here/../serve/setup.py" "http://127.0.0.1:$port" "$work" >/dev/null
for op in GetItem PutItem Query; do
    callgrind_control -z "$pid" >/dev/null
    python3 - "$port" "$op" "$work/$op.json" "$n" "${SIGNED:-}" <<'PY'
import http.client, sys
port, op, path, n, signed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
body = open(path, "rb").read()
headers = {
    "Content-Type": "application/x-amz-json-1.0",
    "X-Amz-Target": "DynamoDB_20120810." + op,
    "X-Amz-Date": "20150830T123600Z",
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/dynamodb/"
                     "aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature="
                     + "0" * 64,
}
c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=120)
def sign():
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    r = AWSRequest(method="POST", url="http://127.0.0.1:%s/" % port, data=body, headers={
        "Content-Type": headers["Content-Type"], "X-Amz-Target": headers["X-Amz-Target"]})
    SigV4Auth(Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
              "dynamodb", "us-east-1").add_auth(r)
    return dict(r.headers.items())
for _ in range(n):
    c.request("POST", "/", body=body, headers=sign() if signed else headers)
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit("%s: HTTP %d" % (op, r.status))
PY
    rm -f "$work"/cg.*
    callgrind_control -d "$op" "$pid" >/dev/null
    ir=$(cat "$work"/cg.* | sed -n 's/^summary: //p' | awk '{ s += $1 } END { print s }')
    awk -v op="$op" -v ir="$ir" -v n="$n" 'BEGIN { printf "%-8s %9.0f Ir/request\n", op, ir / n }'
    if [ -n "${KEEP:-}" ]; then cat "$work"/cg.* >/dev/null; cp "$work"/cg.* "$KEEP/" ; fi
done
