#!/bin/sh
# npm-install.sh DIR PACKAGE_JSON -- install the npm packages listed in
# PACKAGE_JSON into DIR/node_modules, once per build directory.
#
# Several tests call this at once, so it holds a lock; it does nothing
# when DIR already holds an install of the same package list.  Exits 77
# (a skipped test) when npm or the registry cannot be reached.
set -eu
dir=$1
package=$2
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
if [ -f "$dir/.installed" ] && cmp -s "$package" "$dir/package.json"; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "SKIP: npm is not installed"
    exit 77
fi
rm -f "$dir/.installed"
cp "$package" "$dir/package.json"
echo "Installing the npm packages of $package into $dir"
# Bounded, so a machine without access to the registry skips quickly.
if ! (cd "$dir" && timeout 300 npm install --no-audit --no-fund --no-package-lock \
        --loglevel=error --fetch-retries=1 --fetch-timeout=30000); then
    echo "SKIP: npm could not install the packages (is the npm registry reachable?)"
    exit 77
fi
touch "$dir/.installed"
