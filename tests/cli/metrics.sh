#!/bin/sh
# metrics.sh -- kv metrics and the capacity kv describe shows, end to end:
# a provisioned table is written and read with kv put-item and kv get-item
# until capacity runs out (each call a process of its own, so this is the
# shared, real-clock state every process sees), and kv metrics must then
# show exactly the units consumed and the requests throttled.
#
# The clock is the real one, so minute boundaries are not known: every
# figure is checked as a sum over a window that holds the whole run.
# Nothing is timed; the write loop only needs each kv call to take less
# than a second, and stops after 300 attempts if it does not.
#
# usage: metrics.sh KV     (VALGRIND=path: run the inspection commands under it)
set -u
kv=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
setup
export KV_NO_SYNC=1
export AWS_MAX_ATTEMPTS=1 # one try each: every refusal is one throttled request

"$kv" create-table --table-name Burst \
    --attribute-definitions AttributeName=id,AttributeType=S AttributeName=n,AttributeType=N \
    AttributeName=grp,AttributeType=S AttributeName=tag,AttributeType=S \
    --key-schema AttributeName=id,KeyType=HASH AttributeName=n,KeyType=RANGE \
    --provisioned-throughput ReadCapacityUnits=1,WriteCapacityUnits=1 \
    --global-secondary-indexes 'IndexName=ByGroup,KeySchema=[{AttributeName=grp,KeyType=HASH}],Projection={ProjectionType=ALL},ProvisionedThroughput={ReadCapacityUnits=5,WriteCapacityUnits=5}' \
    --local-secondary-indexes 'IndexName=ByTag,KeySchema=[{AttributeName=id,KeyType=HASH},{AttributeName=tag,KeyType=RANGE}],Projection={ProjectionType=KEYS_ONLY}' \
    --output text >/dev/null || { echo "FAIL create-table"; exit 1; }

# Writes of 1 KB or less (1 WCU each) on a 1 WCU table, until three are
# refused.  The GSI (5 WCU) has room for every write the table admits.
w_ok=0 w_thr=0 i=0
while [ "$w_thr" -lt 3 ] && [ "$i" -lt 300 ]; do
    i=$((i + 1))
    if "$kv" put-item --table-name Burst --item "id={S=a},n={N=$i},grp={S=g}" 2>"$dir/err"; then
        w_ok=$((w_ok + 1))
    elif grep -q "ProvisionedThroughputExceededException" "$dir/err"; then
        w_thr=$((w_thr + 1))
    else
        cat "$dir/err"
        break
    fi
done
ok writes-throttled sh -c "[ $w_thr -eq 3 ] && [ $w_ok -ge 1 ]"

# Eventually consistent reads of a small item (0.5 RCU each) until two are refused.
r_ok=0 r_thr=0 i=0
while [ "$r_thr" -lt 2 ] && [ "$i" -lt 300 ]; do
    i=$((i + 1))
    if "$kv" get-item --table-name Burst --key 'id={S=a},n={N=1}' >/dev/null 2>"$dir/err"; then
        r_ok=$((r_ok + 1))
    elif grep -q "ProvisionedThroughputExceededException" "$dir/err"; then
        r_thr=$((r_thr + 1))
    else
        cat "$dir/err"
        break
    fi
done
ok reads-throttled sh -c "[ $r_thr -eq 2 ] && [ $r_ok -ge 1 ]"
echo "# $w_ok writes, $w_thr throttled; $r_ok reads, $r_thr throttled"

# Sum each metric's datapoints in kv metrics --output json: one line per
# metric, "NAME[/OPERATION] SUM SAMPLECOUNT DATAPOINTS MIN MAX".
sums() {
    python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
for m in doc["Metrics"]:
    name = m["MetricName"] + ("/" + m["Operation"] if "Operation" in m else "")
    p = m["Datapoints"]
    s = sum(d["Sum"] for d in p)
    print(name, "%g" % s, "%g" % sum(d["SampleCount"] for d in p), len(p),
          "%g" % min([d["Sum"] for d in p] or [0]), "%g" % max([d["Sum"] for d in p] or [0]))
' "$1"
}
# The sum, sample count, ... (field $2) of one metric in a sums listing.
field() { # file name column
    awk -v n="$2" -v c="$3" '$1 == n { print $c }' "$1"
}
r_units=$(python3 -c "print('%g' % ($r_ok * 0.5))")

# --- the table, as JSON ---------------------------------------------------------
expect json 0 - - -- metrics Burst --since 15m --output json
sums "$dir/out" >"$dir/sums"
ok json-shape python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["TableName"] == "Burst" and d["Period"] == 60 and "IndexName" not in d
assert d["StartTime"].endswith(":00+00:00") and d["EndTime"].endswith(":00+00:00")
names = [m["MetricName"] for m in d["Metrics"] if "Operation" not in m]
assert len(names) == 15, names
for m in d["Metrics"]:
    for p in m["Datapoints"]:
        assert set(p) == {"Timestamp", "Sum", "SampleCount", "Unit"} and p["Unit"] == "Count"
' "$dir/out"
ok json-consumed-write [ "$(field "$dir/sums" ConsumedWriteCapacityUnits 2)" = "$w_ok" ]
ok json-write-requests [ "$(field "$dir/sums" ConsumedWriteCapacityUnits 3)" = "$w_ok" ]
ok json-consumed-read [ "$(field "$dir/sums" ConsumedReadCapacityUnits 2)" = "$r_units" ]
ok json-read-requests [ "$(field "$dir/sums" ConsumedReadCapacityUnits 3)" = "$r_ok" ]
ok json-write-events [ "$(field "$dir/sums" WriteThrottleEvents 2)" = "$w_thr" ]
ok json-write-reason [ "$(field "$dir/sums" WriteProvisionedThroughputThrottleEvents 2)" = "$w_thr" ]
ok json-write-key-range [ "$(field "$dir/sums" WriteKeyRangeThroughputThrottleEvents 2)" = 0 ]
ok json-read-events [ "$(field "$dir/sums" ReadThrottleEvents 2)" = "$r_thr" ]
ok json-read-reason [ "$(field "$dir/sums" ReadProvisionedThroughputThrottleEvents 2)" = "$r_thr" ]
ok json-throttled [ "$(field "$dir/sums" ThrottledRequests 2)" = $((w_thr + r_thr)) ]
ok json-throttled-put [ "$(field "$dir/sums" ThrottledRequests/PutItem 2)" = "$w_thr" ]
ok json-throttled-get [ "$(field "$dir/sums" ThrottledRequests/GetItem 2)" = "$r_thr" ]
ok json-no-other-operations [ "$(grep -c / "$dir/sums")" = 2 ]
# provisioned throughput: 1 in every minute since the table was created
ok json-provisioned-write [ "$(field "$dir/sums" ProvisionedWriteCapacityUnits 5)/$(field "$dir/sums" ProvisionedWriteCapacityUnits 6)" = 1/1 ]
ok json-provisioned-read [ "$(field "$dir/sums" ProvisionedReadCapacityUnits 6)" = 1 ]

# --- the global index ------------------------------------------------------------------
expect index-json 0 - - -- metrics Burst --index ByGroup --since 15m --output json
sums "$dir/out" >"$dir/isums"
ok index-name grep -q '"IndexName": "ByGroup"' "$dir/out"
ok index-no-requests sh -c "! grep -q ThrottledRequests '$dir/isums'"
ok index-consumed-write [ "$(field "$dir/isums" ConsumedWriteCapacityUnits 2)" = "$w_ok" ]
ok index-no-throttles [ "$(field "$dir/isums" WriteThrottleEvents 2)" = 0 ]
ok index-no-reads [ "$(field "$dir/isums" ConsumedReadCapacityUnits 2)" = 0 ]
ok index-provisioned [ "$(field "$dir/isums" ProvisionedWriteCapacityUnits 6)" = 5 ]

# --- one metric, one operation -----------------------------------------------------
expect json-operation 0 - - -- metrics Burst --since 15m --operation PutItem --output json
sums "$dir/out" >"$dir/osums"
ok json-operation-only [ "$(field "$dir/osums" ThrottledRequests/PutItem 2)/$(grep -c ThrottledRequests "$dir/osums")" = "$w_thr/1" ]
expect json-metric 0 - - -- metrics Burst --since 15m --metric ThrottledRequests --output json
sums "$dir/out" >"$dir/msums"
ok json-metric-only [ "$(wc -l <"$dir/msums")/$(field "$dir/msums" ThrottledRequests 2)" = "3/$((w_thr + r_thr))" ]
# a window given by its ends holds the same
expect json-range 0 - - -- metrics Burst --start -15m --end now --metric WriteThrottleEvents --output json
sums "$dir/out" >"$dir/rsums"
ok json-range-sum [ "$(field "$dir/rsums" WriteThrottleEvents 2)" = "$w_thr" ]
# minutes before the table existed hold nothing
expect json-before 0 - - -- metrics Burst --start -24h --end -20h --output json
sums "$dir/out" >"$dir/bsums"
ok json-before-empty [ "$(awk '$4 != 0' "$dir/bsums" | wc -l)" = 0 ]

# --- text: the summary, then the minutes (tab-separated when piped) --------------
expect text 0 - - -- metrics Burst --since 15m
ok text-header grep -q "^Burst: 15 minutes, " "$dir/out"
# summary rows: METRIC SUM PEAK SPARKLINE
summary() { awk -F '\t' -v n="$1" '$1 == n { print $2 }' "$dir/out"; }
ok text-sum-write [ "$(summary ConsumedWriteCapacityUnits)" = "$w_ok" ]
ok text-sum-read [ "$(summary ConsumedReadCapacityUnits)" = "$r_units" ]
ok text-sum-throttled [ "$(summary 'ThrottledRequests (PutItem)')" = "$w_thr" ]
ok text-sum-reason [ "$(summary WriteProvisionedThroughputThrottleEvents)" = "$w_thr" ]
ok text-provisioned-no-sum [ "$(summary ProvisionedWriteCapacityUnits)" = "-" ]
ok text-no-empty-reasons sh -c "! grep -q KeyRangeThroughput '$dir/out'"
# the sparkline is ASCII when not on a terminal, one character a minute
ok text-spark-ascii awk -F '\t' '$1 == "WriteThrottleEvents" { exit !($4 ~ /^[ _.:=+*#-]+$/ && length($4) == 15) }' "$dir/out"
ok text-spark-peak awk -F '\t' '$1 == "WriteThrottleEvents" { exit !($4 ~ /#/) }' "$dir/out"
# minute rows: MINUTE RCU WCU PROV RCU PROV WCU READ THR WRITE THR THR REQS
ok text-minutes-header grep -qx "MINUTE	RCU	WCU	PROV RCU	PROV WCU	READ THR	WRITE THR	THR REQS" "$dir/out"
column_sum() { awk -F '\t' -v c="$1" 'f { s += $c } /^MINUTE\t/ { f = 1 } END { printf "%g", s }' "$dir/out"; }
ok text-minutes-write [ "$(column_sum 3)" = "$w_ok" ]
ok text-minutes-read [ "$(column_sum 2)" = "$r_units" ]
ok text-minutes-write-throttles [ "$(column_sum 7)" = "$w_thr" ]
ok text-minutes-requests [ "$(column_sum 8)" = $((w_thr + r_thr)) ]
awk -F '\t' 'f { print $1 } /^MINUTE\t/ { f = 1 }' "$dir/out" >"$dir/minutes"
ok text-minutes-dated sh -c "[ -s '$dir/minutes' ] && ! grep -Evq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}\$' '$dir/minutes'"

expect text-metric 0 - - -- metrics Burst --since 15m --metric WriteThrottleEvents --ascii
ok text-metric-header grep -qx "MINUTE	SUM	SAMPLES" "$dir/out"
ok text-metric-sum [ "$(column_sum 2)" = "$w_thr" ]
expect text-index 0 - - -- metrics Burst --index ByGroup --since 15m
ok text-index-header grep -q "^Burst index ByGroup: 15 minutes, " "$dir/out"
ok text-index-columns grep -qx "MINUTE	RCU	WCU	PROV RCU	PROV WCU	READ THR	WRITE THR" "$dir/out"
expect text-quiet 0 - - -- metrics Burst --start -24h --end -23h
ok text-quiet-says grep -qx "No requests or throttles in these minutes." "$dir/out"

# --- kv describe: what is available now ------------------------------------------
expect describe 0 - - -- describe Burst
ok describe-available grep -Eq '^  available    -?[0-9]+(\.[0-9])? RCU( \([0-9.]+ banked burst\))?, -?[0-9]+(\.[0-9])? WCU' "$dir/out"
ok describe-index-available grep -Eq '^ {15}available -?[0-9.]+ RCU.*, -?[0-9.]+ WCU' "$dir/out"
ok describe-lsi-no-capacity [ "$(grep -c available "$dir/out")" = 2 ]

# --- usage and errors -----------------------------------------------------------------
expect no-table 252 "" "kv: error: the following arguments are required: TABLE" -- metrics
expect bad-metric 252 "" "kv: error: argument --metric: Invalid choice, valid choices are:
Invalid choice: 'WriteThrottleEvent', maybe you meant:
  * WriteThrottleEvents" -- metrics Burst --metric WriteThrottleEvent
expect bad-operation 252 "" "kv: error: argument --operation: Invalid choice, valid choices are:" -- metrics Burst --operation Put
expect operation-needs-requests 252 "" "kv: error: argument --operation: only ThrottledRequests has an operation dimension" -- \
    metrics Burst --metric ReadThrottleEvents --operation GetItem
expect index-no-requests 252 "" "kv: error: argument --index: ThrottledRequests is counted on the table, not on its indexes" -- \
    metrics Burst --index ByGroup --metric ThrottledRequests
expect index-local 252 "" "kv: error: argument --index: ByTag is a local secondary index: it spends the table's capacity (kv metrics Burst)" -- \
    metrics Burst --index ByTag
expect index-unknown 254 "" "kv metrics: ResourceNotFoundException: Requested resource not found: Index: Nope not found" -- \
    metrics Burst --index Nope
expect table-unknown 254 "" "An error occurred (ResourceNotFoundException) when calling the DescribeTable operation: Requested resource not found: Table: Nope not found" -- \
    metrics Nope
expect bad-since 252 "" "kv: error: argument --since: expected a duration such as 90s, 15m, 2h or 1d" -- metrics Burst --since soon
expect since-and-start 252 "" "kv: error: argument --since: not allowed with --start or --end" -- metrics Burst --since 1h --start -2h
expect bad-start 252 "" "kv: error: argument --start: expected a time: seconds since the epoch, YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM], now or -DURATION" -- \
    metrics Burst --start yesterday
expect end-before-start 252 "" "kv: error: argument --end: must be after --start" -- metrics Burst --start -1h --end -2h
expect too-old 252 "" "kv: error: argument --start: the range holds none of the last 24 hours, the metrics kept" -- \
    metrics Burst --start 2001-01-01T00:00Z --end 2001-01-02T00:00Z
expect no-value 252 "" "kv: error: argument --since: expected one argument" -- metrics Burst --since
expect extra 252 "" "kv: error: Unknown options: Other" -- metrics Burst Other
expect help 0 - - -- metrics --help
ok help-text grep -q "^kv metrics TABLE" "$dir/out"

finish
