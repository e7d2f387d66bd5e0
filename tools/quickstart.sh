#!/bin/sh
# quickstart.sh -- install what is missing, build, and run the demo or the
# whole test suite.
#
#   tools/quickstart.sh demo    a short tour of kv on a sample database
#   tools/quickstart.sh test    the whole test suite
#
# Works on a fresh Debian machine: missing packages are installed with
# apt-get (through sudo when not run as root).
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

packages="meson ninja-build pkg-config gcc liblmdb-dev libxxhash-dev libjansson-dev libcmocka-dev"
packages="$packages libmicrohttpd-dev nettle-dev zlib1g-dev"
# The clients the kv serve tests drive the server with (tests/serve/);
# Node.js 20 or later and npm are used as found, else Debian's.
test_packages="python3-boto3 awscli chromium"
command -v node >/dev/null 2>&1 || test_packages="$test_packages nodejs"
command -v npm >/dev/null 2>&1 || test_packages="$test_packages npm"

install_missing() {
    missing=""
    for p in $packages; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
            missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    echo "Installing:$missing"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
}

build() {
    [ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized >/dev/null
    ninja -C build >/dev/null
}

case "${1:-}" in
demo)
    install_missing
    build
    exec tools/demo.sh build/tools/kv
    ;;
test)
    packages="$packages $test_packages"
    install_missing
    build
    exec meson test -C build --print-errorlogs
    ;;
*)
    echo "usage: tools/quickstart.sh demo|test" >&2
    exit 2
    ;;
esac
