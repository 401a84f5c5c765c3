#!/bin/sh
# check_clean_clone.sh - the documented make targets from nothing but a clone.
#
# Clones the repository (HEAD, as CI sees it; a tree that is not a git
# checkout is copied without its build directory) into a temporary directory
# once per target and runs each target there on its own with -j2:
#   make demo     exits 0 and prints the summary of the profiled program
#   make tests    builds every program of examples/ and of tests/
#   make install  (DESTDIR staging) installs the command, the libraries and
#                 the Python module
# The dependencies are taken as installed: the ONNX models that
# install-deps.sh fetches are copied from this tree when it has them.
# Prints ok/FAIL lines and a closing "N passed, N failed" line.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
passed=0
failed=0
say() {
    echo "$1 clean clone: $2"
    if [ "$1" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

# fresh_tree DIR - a new copy of the repository in DIR.
fresh_tree() {
    if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git clone -q "$ROOT" "$1" || return 1
    else
        mkdir -p "$1" && (cd "$ROOT" && tar cf - --exclude=./build --exclude=./models/onnx .) | (cd "$1" && tar xf -) ||
            return 1
    fi
    if [ -d "$ROOT/models/onnx" ]; then
        mkdir -p "$1/models/onnx" && cp "$ROOT"/models/onnx/*.onnx "$1/models/onnx/" 2>/dev/null
    fi
    return 0
}

# in_clone NAME TARGET... - make TARGET... in a fresh clone; the log is NAME.log.
in_clone() {
    name=$1
    shift
    fresh_tree "$T/$name" || {
        echo "cannot copy the repository into $T/$name"
        return 1
    }
    # MAKEFLAGS from an enclosing make would carry its jobserver and options.
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$T/$name" -j2 "$@" >"$T/$name.log" 2>&1
}

if in_clone demo demo && grep -q '^operators: [1-9][0-9]* in ' "$T/demo.log" &&
    grep -q '^records lost: 0' "$T/demo.log"; then
    say ok "make -j2 demo: exit 0, the summary printed"
else
    say FAIL "make -j2 demo (last lines of its output):"
    tail -n 30 "$T/demo.log"
fi

if in_clone tests tests; then
    missing=""
    C=$T/tests
    for src in "$C"/examples/*.c "$C"/tests/unit/test_*.c "$C"/tests/progs/app_*.c "$C"/tests/progs/tool_*.c; do
        [ -f "$src" ] || continue
        case $src in "$C"/examples/*) dir=examples ;; *) dir=tests ;; esac
        prog=build/$dir/$(basename "$src" .c)
        [ -x "$C/$prog" ] || missing="$missing $prog"
    done
    ls "$T"/tests/examples/*.c >/dev/null 2>&1 || missing="$missing (no examples/*.c in the clone)"
    if [ -z "$missing" ]; then
        say ok "make -j2 tests: every program of examples/ and tests/ built"
    else
        say FAIL "make -j2 tests did not build:$missing"
    fi
else
    say FAIL "make -j2 tests (last lines of its output):"
    tail -n 30 "$T/tests.log"
fi

if in_clone install install PREFIX=/usr/local DESTDIR="$T/stage"; then
    missing=""
    for f in bin/aclsub lib/libaclsub.so lib/aclsub/emu/libascendcl.so lib/libaclsub-decode.so.1 include/acl/acl.h; do
        [ -e "$T/stage/usr/local/$f" ] || missing="$missing $f"
    done
    ls "$T"/stage/usr/local/lib/python3*/dist-packages/acl*.so >/dev/null 2>&1 || missing="$missing acl*.so"
    if [ -z "$missing" ]; then
        say ok "make -j2 install DESTDIR=...: the command, libraries, headers and Python module staged"
    else
        say FAIL "make -j2 install did not stage:$missing"
    fi
else
    say FAIL "make -j2 install (last lines of its output):"
    tail -n 30 "$T/install.log"
fi

echo "clean clone: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
