#!/bin/sh
# check_layout.sh BUILD - the include rules of docs/ARCHITECTURE.md hold for
# this tree (tests/layout/check_includes.py: every include qualified by its
# folder, no cycle between folders), and the checker itself catches a bare
# include and a cycle in a small tree made here.  BUILD is not used.
set -u
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
PY=/usr/bin/python3
CHECK=tests/layout/check_includes.py
if $PY $CHECK . >"$T/out" 2>&1; then
    echo "ok   layout: every include qualified by its folder; folders include each other without a cycle"
else
    echo "FAIL layout:"
    cat "$T/out"
    fail=1
fi

# A tree that breaks both rules: a bare include, and a -> b -> a.
mkdir -p "$T/bad/a" "$T/bad/b"
printf '#include "b/b.h"\n' >"$T/bad/a/a.h"
printf '#include "a/a.h"\n' >"$T/bad/b/b.h"
printf '#include "a.h"\n' >"$T/bad/a/x.c"
if $PY $CHECK "$T/bad" >"$T/bad.out" 2>&1; then
    echo "FAIL layout: the checker passed a tree with a bare include and a cycle"
    fail=1
elif grep -q 'a/x.c: #include "a.h" is not qualified' "$T/bad.out" &&
    grep -q 'cycle: a -> b -> a' "$T/bad.out"; then
    echo "ok   layout: the checker names a bare include and a cycle between folders"
else
    echo "FAIL layout: the checker's report on a bad tree:"
    cat "$T/bad.out"
    fail=1
fi
exit $fail
