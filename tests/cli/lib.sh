# lib.sh -- shared helpers of the kv end-to-end tests (sourced, not run).
#
# Each test script sets kv (the binary) and calls setup; then
#   expect NAME RC STDOUT STDERR -- kv arguments...
# runs kv, and compares its exit code, its standard output ("-" for any)
# and its standard error ("-" for any; otherwise text that must appear in
# it, in full lines).  finish prints the tally and sets the exit status.

# With VALGRIND set to valgrind's path, expect runs kv under it, and a leak
# or a bad access fails the check (exit 99).
run_kv() {
    if [ -n "${VALGRIND:-}" ]; then
        "$VALGRIND" -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 "$kv" "$@"
    else
        "$kv" "$@"
    fi
}

setup() {
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
    export KV_DB="$dir/db"
    fails=0
    passes=0
}

expect() {
    name=$1 want_rc=$2 want_out=$3 want_err=$4
    shift 5
    run_kv "$@" >"$dir/out" 2>"$dir/err"
    rc=$?
    problem=""
    [ "$rc" = "$want_rc" ] || problem="exit $rc, want $want_rc"
    if [ -z "$problem" ] && [ "$want_out" != "-" ] && [ "$(cat "$dir/out")" != "$want_out" ]; then
        problem="stdout differs"
    fi
    if [ -z "$problem" ] && [ "$want_err" != "-" ]; then
        printf '%s\n' "$want_err" >"$dir/want_err"
        grep -qxF -f "$dir/want_err" "$dir/err" || problem="stderr differs"
        # every wanted line must be there
        while IFS= read -r line; do
            grep -qxF -- "$line" "$dir/err" || problem="stderr lacks: $line"
        done <"$dir/want_err"
    fi
    if [ -n "$problem" ]; then
        echo "FAIL $name: $problem"
        echo "--- stdout"; head -30 "$dir/out"
        echo "--- stderr"; head -30 "$dir/err"
        fails=$((fails + 1))
    else
        passes=$((passes + 1))
        echo "ok $name"
    fi
}

# Pass/fail of a shell condition: ok NAME test-command...
ok() {
    name=$1
    shift
    if "$@"; then
        passes=$((passes + 1))
        echo "ok $name"
    else
        echo "FAIL $name"
        fails=$((fails + 1))
    fi
}

finish() {
    echo "$passes passed, $fails failed"
    [ "$fails" -eq 0 ]
}
