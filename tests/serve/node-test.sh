#!/bin/sh
# node-test.sh NPM_DIR PACKAGE_JSON SCRIPT ARGS... -- run a Node.js test
# script with the npm packages of PACKAGE_JSON installed under NPM_DIR.
# Exits 77 (skipped) when Node.js 20 or the packages cannot be had.
set -eu
npm_dir=$1
package=$2
shift 2
if ! command -v node >/dev/null 2>&1; then
    echo "SKIP: Node.js is not installed"
    exit 77
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
    echo "SKIP: Node.js $major is older than 20"
    exit 77
fi
rc=0
sh "$(dirname "$0")/npm-install.sh" "$npm_dir" "$package" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
NODE_PATH="$npm_dir/node_modules" exec node "$@"
