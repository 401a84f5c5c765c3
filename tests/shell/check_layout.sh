#!/bin/sh
# check_layout.sh BUILD - the include rules of docs/ARCHITECTURE.md hold for
# this tree (tests/layout/check_includes.py: every include qualified by its
# folder, no cycle between folders), and the checker itself catches a bare
# include and a cycle in a small tree made here.  BUILD is not used.
SUBJECT=layout
. tests/shell/lib.sh
CHECK=tests/layout/check_includes.py
if $PY $CHECK . >"$T/out" 2>&1; then
    say_ok "every include qualified by its folder; folders include each other without a cycle"
else
    say_fail "" # the line "FAIL layout:", the report below it
    cat "$T/out"
fi

# A tree that breaks both rules: a bare include, and a -> b -> a.
mkdir -p "$T/bad/a" "$T/bad/b"
printf '#include "b/b.h"\n' >"$T/bad/a/a.h"
printf '#include "a/a.h"\n' >"$T/bad/b/b.h"
printf '#include "a.h"\n' >"$T/bad/a/x.c"
if $PY $CHECK "$T/bad" >"$T/bad.out" 2>&1; then
    say_fail "the checker passed a tree with a bare include and a cycle"
elif grep -q 'a/x.c: #include "a.h" is not qualified' "$T/bad.out" &&
    grep -q 'cycle: a -> b -> a' "$T/bad.out"; then
    say_ok "the checker names a bare include and a cycle between folders"
else
    say_fail "the checker's report on a bad tree:"
    cat "$T/bad.out"
fi
end_checks
