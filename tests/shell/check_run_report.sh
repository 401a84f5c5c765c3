#!/bin/sh
# check_run_report.sh BUILD - `aclsub run --report[=PAGE]`: after the
# program ends, the HTML page of `aclsub report` of the recording is written
# beside it (ops.rec -> ops.html) or to PAGE; the page is self-contained
# (no reference to anything outside it) and holds the operator and execute
# counts and the per-type numbers `aclsub decode summary` prints for the
# same recording; an existing page is refused before the program starts
# unless --force; the exit status stays the program's; --live and a
# non-file sink are refused with one line.
SUBJECT="run report"
. tests/shell/lib.sh
require_built "$ACLSUB" "$APP" "$MLP" "$LIBACLSUB"
TMO=60

# arun BASE ARGS... - aclsub run ARGS in $T; output in BASE.out/.err, status in rc.
arun() {
    base=$1
    shift
    (cd "$T" && timeout "$TMO" "$ACLSUB" run "$@"; exit $?) >"$base.out" 2>"$base.err"
    rc=$?
}

# self_contained PAGE - prints every reference to something outside the page; nothing when none.
self_contained() {
    grep -Eoi '(src|href|action)="[^"#][^"]*"|url\(|@import' "$1"
    grep -Eo 'https?://[^"'"'"' )<>]*' "$1" | grep -Ev '^http://www\.w3\.org/(2000/svg|1999/xhtml|1999/xlink)$'
}

N=4
arun "$T/r1" -o ops.rec --report -- "$APP" "$MLP" $N
begin "--report: the page beside the recording, named ops.html, said on stderr"
eq "exit status" "$rc" 0
need "no ops.html" [ -s "$T/ops.html" ]
need "page does not end the document" grep -q '</html>' "$T/ops.html"
need "no 'report in ops.html' line" grep -q "^aclsub run: report in ops.html$" "$T/r1.err"
need "a temporary file is left" eval '[ -z "$(ls "$T"/ops.html.tmp-* 2>/dev/null)" ]'
finish "$T/r1.err"

self_contained "$T/ops.html" >"$T/refs"
begin "the page is self-contained: no http(s) resource, no src/href/url() outside it"
need "references outside the page" [ ! -s "$T/refs" ]
finish "$T/refs"

"$ACLSUB" decode summary --format csv "$T/ops.rec" >"$T/sum.csv" 2>/dev/null
"$ACLSUB" decode summary "$T/ops.rec" >"$T/sum.txt" 2>/dev/null
ops=$(sed -n 's/.*id="ops-0" data-v="\([0-9]*\)".*/\1/p' "$T/ops.html" | head -n 1)
runs=$(sed -n 's/.*id="executes-0" data-v="\([0-9]*\)".*/\1/p' "$T/ops.html" | head -n 1)
begin "the page's operator and execute counts are decode summary's"
eq "operators (page, summary)" "$ops" "$(sed -n 's/^operators: \([0-9]*\) .*/\1/p' "$T/sum.txt")"
eq "executes (page, summary)" "$runs" "$(sed -n 's/.*whole runs: \([0-9]*\)$/\1/p' "$T/sum.txt")"
eq "executes (page, run)" "$runs" $N
eq "operators (page, model)" "$ops" $((MLP_OPS * N))
finish "$T/sum.txt"

begin "the page's per-type table is decode summary's (counts, totals, percentiles)"
out=$($PY tests/shell/report_dom.py numbers "$T/ops.html" "$T/sum.csv" "$T/sum.txt" 2>&1)
[ -z "$out" ] || wrong "$out"
finish

cp "$T/ops.html" "$T/ops.keep"
arun "$T/r2" -o ops.rec --report -- "$APP" "$MLP" 1
begin "an existing page: refused before the program starts, nothing changed"
eq "exit status" "$rc" 1
eq "stderr" "$(cat "$T/r2.err")" "aclsub run: --report ops.html: exists: left as it is (--force replaces it)"
need "the program ran" eval '[ ! -s "$T/r2.out" ]'
need "the page changed" cmp -s "$T/ops.html" "$T/ops.keep"
need "ops.rec.old made" [ ! -e "$T/ops.rec.old" ]
finish "$T/r2.err"

arun "$T/r3" -o ops.rec --report --force -- "$APP" "$MLP" 2
runs=$(sed -n 's/.*id="executes-0" data-v="\([0-9]*\)".*/\1/p' "$T/ops.html" | head -n 1)
begin "--force: the page replaced by the new recording's"
eq "exit status" "$rc" 0
eq "executes on the page" "$runs" 2
finish "$T/r3.err"

arun "$T/r4" -o "out-%p.rec" --report=page-%p.html -- sh -c "\"$APP\" \"$MLP\" 1 >/dev/null; exit 3"
page=$(sed -n 's/^aclsub run: report in \(page-[0-9]*\.html\)$/\1/p' "$T/r4.err")
begin "--report=PAGE (%p expanded): the page there; the program's exit status (3) kept"
eq "exit status" "$rc" 3
need "no 'report in page-PID.html' line" [ -n "$page" ]
need "no page" [ -s "$T/$page" ]
need "page named for another pid than the record file" [ -s "$T/$(echo "$page" | sed 's/^page-\(.*\)\.html$/out-\1.rec/')" ]
finish "$T/r4.err"

mkfifo "$T/fifo"
arun "$T/r5" -o fifo --report=f.html -- true
begin "a FIFO sink: refused, one line, no program run"
eq "exit status" "$rc" 1
eq "stderr" "$(cat "$T/r5.err")" "aclsub run: fifo: not a regular file: --report needs one"
finish "$T/r5.err"

arun "$T/r6" --live --report -- true
begin "--live --report: a usage error, one line"
eq "exit status" "$rc" 1
eq "stderr lines" "$(wc -l <"$T/r6.err")" 1
need "no reason given" grep -q "^aclsub run: --report and --live exclude each other" "$T/r6.err"
finish "$T/r6.err"

arun "$T/r7" -o x.rec --report=x.rec -- true
begin "--report naming the record file itself: refused"
eq "exit status" "$rc" 1
need "no reason given" grep -q "^aclsub run: --report x.rec: is the record file itself" "$T/r7.err"
finish "$T/r7.err"

arun "$T/r8" --report= -- true
begin "--report= with no PAGE: a usage error"
eq "exit status" "$rc" 1
eq "stderr lines" "$(wc -l <"$T/r8.err")" 1
finish "$T/r8.err"
end_checks
