#!/bin/sh
# check_readme.sh BUILD - README.md runs as written: every command block
# that follows a `<!-- run -->` line (the indented lines after it, blank
# lines included, up to the next line that is not indented) is run, in the
# order of the file, as one sh -e script in a clean clone of HEAD with the
# ONNX models copied in (as tests/clean_clone.sh does) and `build` a link
# to BUILD, which stands in for the set-up commands (install-deps.sh and
# make) the README starts with.  The script gets TIMEOUT seconds (300);
# any command that fails, or running out of time, fails the check.  Also
# checks that the scratch directory out/ is ignored by git and that no
# marked block names a placeholder (./app, app.c, model.om) or a bare
# `aclsub` command.
SUBJECT=readme
. tests/shell/lib.sh
if [ "$SAN" = 1 ]; then say_skipped "README blocks" "the sanitizer build's Python module needs the ASan runtime preloaded"; end_checks; fi
require_built "$ACLSUB" "$APP" "$CNN" "$MLP"
TIMEOUT=${TIMEOUT:-300}

awk '/^<!-- run -->$/ {on = 1; started = 0; next}
     on && /^    / {started = 1; print substr($0, 5); next}
     on && /^$/ {if (started) print ""; next}
     on && started {on = 0}' README.md >"$T/readme.sh"
blocks=$(grep -c '^<!-- run -->$' README.md)
begin "README.md: $blocks marked blocks, no placeholders"
need "no marked block" [ "$blocks" -gt 0 ]
need "a marked block names ./app, app.c or model.om" eval '! grep -qE "(^|[ /])(\./app|app\.c|model\.om)( |$)" "$T/readme.sh"'
need "a marked block runs a bare aclsub (not on PATH before make install)" eval '! grep -qE "(^|[;&|] *)aclsub " "$T/readme.sh"'
finish "$T/readme.sh"

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    say_skipped "README blocks in a clean clone" "not a git checkout"
    end_checks
fi
C=$T/clone
git clone -q "$ROOT" "$C" || exit 1
if [ -d models/onnx ]; then mkdir -p "$C/models/onnx" && cp models/onnx/*.onnx "$C/models/onnx/"; fi
ln -s "$BA" "$C/build"
(cd "$C" && timeout "$TIMEOUT" sh -e "$T/readme.sh") >"$T/run.out" 2>"$T/run.err"
st=$?
begin "README.md's marked blocks run in order in a clean clone (sh -e, ${TIMEOUT} s)"
eq "exit status (124: out of time)" "$st" 0
need "out/cls.rec was not written" [ -s "$C/out/cls.rec" ]
need "the FIFO's first decoder did not get the records" grep -q "	op	" "$C/out/ops.txt"
need "the FIFO's second decoder did not get the records" grep -q "	op	" "$C/out/ops2.txt"
finish "$T/run.err"
status=$(cd "$C" && git status --porcelain --ignored=no | grep -v '^?? build$') # the link this test made
begin "the README's scratch files are ignored by git"
eq "git status in the clone" "$status" ""
finish
end_checks
