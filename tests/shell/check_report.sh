#!/bin/sh
# check_report.sh BUILD - `aclsub report`: the page of a recording holds the
# numbers `aclsub decode summary --format csv` prints for it; headless
# Chromium opens it from a file:// URL with no script error and no request
# (the page's policy forbids them; a copy that tries one is caught, so the
# check can fail); hostile names stay text; two recordings give a diff
# sorted by effect; -o leaves an existing page (or link) as it is unless
# --force, which replaces the link, never its target; --execute picks the timeline's execute; a pipe gives a
# page without a timeline; the page stays small for a long recording with
# many names; the committed assets match tools/report/; a recording of the
# real cls model and a diff of two give pages with decode summary's numbers.
# Screenshots, light and dark, go to the temporary directory and are kept as
# BUILD/report-screenshot.png and BUILD/report-screenshot-dark.png, those of
# the cls pages as BUILD/report-cls.png and BUILD/report-cls-diff.png.
SUBJECT=report
. tests/shell/lib.sh
require_built "$ACLSUB" "$GEN"

CHROME=""
for c in chromium-headless-shell chromium; do
    if command -v "$c" >/dev/null 2>&1; then
        CHROME=$(command -v "$c")
        break
    fi
done

# chrome ARGS... - headless Chromium, no network services, a profile in $T.
chrome() {
    timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --user-data-dir="$T/profile" "$@" 2>>"$T/chrome.err"
}

# dom_check DOM KIND [ARGS] - the DOM checks of tests/shell/report_dom.py; prints what is wrong.
dom_check() {
    $PY tests/shell/report_dom.py "$@" 2>&1
}

"$GEN" tests/data/views.spec "$T/v.rec" >/dev/null
"$GEN" tests/data/views_b.spec "$T/vb.rec" >/dev/null

# --- the command ---------------------------------------------------------------------------
begin "a page of one recording"
"$ACLSUB" report -o "$T/v.html" "$T/v.rec" >"$T/out" 2>"$T/err"
eq "exit status" "$?" 0
need "no page" [ -s "$T/v.html" ]
need "page does not end the document" grep -q '</html>' "$T/v.html"
"$ACLSUB" decode summary --format csv "$T/v.rec" >"$T/sum.csv" 2>/dev/null
"$ACLSUB" decode summary "$T/v.rec" >"$T/sum.txt" 2>/dev/null
finish "$T/err"

begin "-o an existing page: left as it is, one line, exit 1; --force replaces it whole"
cp "$T/v.html" "$T/v.keep"
echo old >"$T/old.txt"
ln -s "$T/old.txt" "$T/v.link"
"$ACLSUB" report -o "$T/v.link" "$T/v.rec" >/dev/null 2>"$T/err"
eq "exit status" "$?" 1
eq "stderr" "$(cat "$T/err")" "aclsub report: $T/v.link exists: left as it is (--force replaces it)"
eq "the link's target" "$(cat "$T/old.txt")" old
"$ACLSUB" report -o "$T/v.html" "$T/vb.rec" >/dev/null 2>"$T/err"
eq "exit status" "$?" 1
need "the page changed" cmp -s "$T/v.html" "$T/v.keep"
"$ACLSUB" report --force -o "$T/v.link" "$T/v.rec" >/dev/null 2>"$T/err"
eq "--force: exit status" "$?" 0
need "--force: the link is still a link" eval '[ ! -L "$T/v.link" ]'
need "--force: not the page" cmp -s "$T/v.link" "$T/v.keep"
eq "--force: the link's target" "$(cat "$T/old.txt")" old
need "a temporary file was left" eval '[ -z "$(ls "$T"/*.tmp-* 2>/dev/null)" ]'
finish "$T/err"

begin "usage: no recording, three recordings, a bad number, --help, aclsub --help"
"$ACLSUB" report >/dev/null 2>&1
eq "no input: status" "$?" 1
"$ACLSUB" report "$T/v.rec" "$T/v.rec" "$T/v.rec" >/dev/null 2>&1
eq "three inputs: status" "$?" 1
"$ACLSUB" report --execute x "$T/v.rec" >/dev/null 2>&1
eq "bad --execute: status" "$?" 1
"$ACLSUB" report --help >"$T/help" 2>&1
eq "--help: status" "$?" 0
need "--help names -o" grep -q -- '-o, --output' "$T/help"
"$ACLSUB" --help | grep -q '^  report ' || wrong "aclsub --help does not list report"
finish

begin "the page's numbers are decode summary's (types, counts, totals, percentiles, executes, records)"
out=$(dom_check numbers "$T/v.html" "$T/sum.csv" "$T/sum.txt")
[ -z "$out" ] || wrong "$out"
finish

begin "the page asks for nothing outside itself"
grep -Eoi '(src|href|action)="[^"#][^"]*"|url\(|@import' "$T/v.html" >"$T/refs"
need "references outside the page" [ ! -s "$T/refs" ]
need "no request policy" grep -q "default-src 'none'" "$T/v.html"
finish "$T/refs"

begin "the committed decoder/report_assets.c is what scripts/gen-report-assets.py writes"
$PY scripts/gen-report-assets.py "$T/assets.c"
need "decoder/report_assets.c differs: run scripts/gen-report-assets.py" cmp -s "$T/assets.c" decoder/report_assets.c
finish

begin "two recordings: the diff, sorted by the change of total time"
"$ACLSUB" report -o "$T/d.html" "$T/v.rec" "$T/vb.rec" 2>"$T/err"
eq "exit status (vb.rec lost a record silently)" "$?" 2
out=$(dom_check diff "$T/d.html")
[ -z "$out" ] || wrong "$out"
finish "$T/err"

begin "--execute 2 shows iteration 2; the default, the median execute"
"$ACLSUB" report --execute 2 -o "$T/e.html" "$T/v.rec" 2>"$T/err"
eq "exit status" "$?" 0
need "iteration 2 not shown" grep -q 'Model 1, process 100, iteration 2: 1.40 us, 2 operators' "$T/e.html"
need "the median execute (1.50 us, iteration 0) not shown" \
    grep -q 'Model 1, process 100, iteration 0: 1.50 us, 2 operators' "$T/v.html"
finish "$T/err"

begin "a recording from a pipe: a page without a timeline"
"$ACLSUB" report -o "$T/p.html" - <"$T/v.rec" 2>"$T/err"
eq "exit status" "$?" 0
need "no note that the timeline needs a file" grep -q 'No timeline: the input is not a regular file' "$T/p.html"
finish "$T/err"

# --- hostile names ------------------------------------------------------------------------------
printf '%s\n' \
    "1|op|Conv</script><script>document.title='pwned'</script>|</script><script>document.title='pwned'</script>|1000|2000" \
    "1|op|Relu\"'&<!--|a\"b'c<d>&e -->\\u2028|2000|2600" >"$T/hostile.spec"
printf '1|op|Bad\377\376|bad\300\257utf8\355\240\200\342\200\250|2600|2700\n1|subgraph|na|keypoint_op|1000|2700\n' >>"$T/hostile.spec"
"$GEN" "$T/hostile.spec" "$T/h.rec" >/dev/null
begin "hostile names are escaped in the page"
"$ACLSUB" report -o "$T/h.html" "$T/h.rec" 2>"$T/err"
eq "exit status" "$?" 0
need "a raw </script><script> in the page" sh -c "! grep -q \"</script><script>document\" '$T/h.html'"
need "the name is not in the page as text" grep -q '&lt;/script&gt;&lt;script&gt;document.title=&#39;pwned&#39;' "$T/h.html"
need "the JSON holds a raw '<'" sh -c "! sed -n '/id=\"report-data\"/,/<\\/script>/p' '$T/h.html' | grep -q 'document.title=.pwned.<'"
finish "$T/err"

# --- the browser ----------------------------------------------------------------------------------
if [ -z "$CHROME" ]; then
    say_skipped "headless Chromium opens the pages" "no chromium-headless-shell or chromium (install-deps.sh)"
else
    begin "Chromium: the page renders with no error and no request, and shows the summary's numbers"
    chrome --dump-dom "file://$T/v.html" >"$T/v.dom"
    out=$(dom_check browser "$T/v.dom" 1; dom_check numbers "$T/v.dom" "$T/sum.csv" "$T/sum.txt")
    [ -z "$out" ] || wrong "$out"
    finish "$T/chrome.err"

    begin "Chromium: a copy of the page that requests something is caught (the check can fail)"
    sed 's|</main>|<img src="http://127.0.0.1:9/x.png"><script>fetch("http://127.0.0.1:9/y")</script></main>|' \
        "$T/v.html" >"$T/bad.html"
    chrome --dump-dom "file://$T/bad.html" >"$T/bad.dom"
    out=$(dom_check browser "$T/bad.dom" 1)
    case $out in
    *"errors noted"*) ;;
    *) wrong "the requests went unnoticed: ${out:-no complaint}" ;;
    esac
    finish

    begin "Chromium: hostile names render as text, the title stays, no error"
    chrome --dump-dom "file://$T/h.html" >"$T/h.dom"
    out=$(dom_check browser "$T/h.dom" 1; dom_check hostile "$T/h.dom")
    [ -z "$out" ] || wrong "$out"
    finish

    begin "Chromium: the diff page renders"
    chrome --dump-dom "file://$T/d.html" >"$T/d.dom"
    out=$(dom_check browser "$T/d.dom" 2; dom_check diff "$T/d.dom")
    [ -z "$out" ] || wrong "$out"
    finish

    begin "Chromium: screenshots, light and dark"
    chrome --window-size=1280,2400 --screenshot="$T/report.png" "file://$T/d.html" >/dev/null
    chrome --blink-settings=preferredColorScheme=0 --window-size=1280,2400 --screenshot="$T/report-dark.png" \
        "file://$T/d.html" >/dev/null
    need "no screenshot" [ -s "$T/report.png" ]
    need "no dark screenshot" [ -s "$T/report-dark.png" ]
    need "light and dark screenshots are the same" sh -c "! cmp -s '$T/report.png' '$T/report-dark.png'"
    cp "$T/report.png" "$BA/report-screenshot.png" 2>/dev/null
    cp "$T/report-dark.png" "$BA/report-screenshot-dark.png" 2>/dev/null
    finish "$T/chrome.err"
fi

# --- a recorded run: its models named, the timeline's operators with their shapes -------------------
if [ -f "$LIBACLSUB" ] && [ -f "$APP" ] && [ -f "$CNN" ]; then
    begin "a recorded run: the header names the model and its file, the timeline's hover has the shapes"
    env LD_PRELOAD="${ASAN_LIB:+$ASAN_LIB }$LIBACLSUB" ACLSUB_OUTPUT="$T/run.rec" "$APP" "$CNN" 4 >/dev/null 2>&1
    "$ACLSUB" report -o "$T/run.html" "$T/run.rec" 2>"$T/err"
    eq "exit status" "$?" 0
    out=$($PY - "$T/run.html" "$CNN" models/cnn.txt <<'EOF'
import html, json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
files = re.search(r'<dd id="files-0">(.*?)</dd>', page)
if not files or "cnn: <code>" + html.escape(sys.argv[2]) + "</code>" not in files.group(1):
    print("model files: %r" % (files.group(1) if files else None))
if not re.search(r'<dt>models</dt><dd><a href="#m-0-1">cnn, id 1</a>', page):
    print("the models line does not name cnn")
data = json.loads(re.search(r'id="report-data">(.*?)</script>', page, re.S).group(1))
tl = data["recs"][0]["tl"]
nodes = [l.split() for l in open(sys.argv[3]) if l.startswith("node ")]
if len(tl["ops"]) != len(nodes) or any(len(o) != 6 for o in tl["ops"]):
    print("timeline operators without shapes: %d of %d" % (sum(len(o) != 6 for o in tl["ops"]), len(tl["ops"])))
for o in tl["ops"]:
    text = tl["str"][o[5]] if len(o) == 6 else ""
    if not (text.startswith("in ") and "\nout " in text and "DT_FLOAT" in text):
        print("shapes of %s: %r" % (tl["str"][o[4]], text))
        break
conv1 = [o for o in tl["ops"] if tl["str"][o[4]] == "conv1"]
if not conv1 or not tl["str"][conv1[0][5]].startswith("in 1,3,32,32;8,3,3,3;8 "):
    print("conv1's shapes: %r" % (tl["str"][conv1[0][5]] if conv1 else None))
EOF
)
    [ -z "$out" ] || wrong "$out"
    finish "$T/err"
fi

# --- size -------------------------------------------------------------------------------------------
# 4000 operators of distinct long names in one execute, 10 executes, and
# views.spec's 4 executes 3000 times (12,000 executes: more than the series' 512 buckets).
awk 'BEGIN { for (i = 0; i < 4000; i++) printf "1|op|T%d|layer/%d/%s|%d|%d\n", i % 50, i,
    "a_rather_long_operator_name_of_a_real_model_graph_node", 1000 + i * 10, 1009 + i * 10
    print "1|subgraph|na|keypoint_op|1000|41000" }' >"$T/many.spec"
"$GEN" "$T/many.spec" "$T/many.rec" --repeat 10 >/dev/null
"$GEN" tests/data/views.spec "$T/long.rec" --repeat 3000 >/dev/null
begin "the page stays small: many names, many executes"
"$ACLSUB" report -o "$T/many.html" "$T/many.rec" 2>"$T/err"
eq "many names: exit status" "$?" 0
"$ACLSUB" report -o "$T/long.html" "$T/long.rec" 2>>"$T/err"
size_many=$(wc -c <"$T/many.html")
size_long=$(wc -c <"$T/long.html")
need "many names: page of $size_many bytes > 2 MB" [ "$size_many" -le 2000000 ]
need "many executes: page of $size_long bytes > 1 MB" [ "$size_long" -le 1000000 ]
out=$(dom_check bounded "$T/long.html" 512)
[ -z "$out" ] || wrong "$out"
finish "$T/err"

# --- the real cls model: a recording and a two-recording diff, rendered and opened ------------------
CLS_ONNX=models/onnx/ch_ppocr_mobile_v2.0_cls_infer.onnx
if [ -f "$CLS_ONNX" ] && [ -f "$LIBACLSUB" ] && [ -f "$BA/tests/app_run" ]; then
    begin "the cls model: a recording of 20 executes, its page's numbers are decode summary's"
    "$ACLSUB" atc --model="$CLS_ONNX" --framework=5 --output="$T/cls" --input_shape="x:1,3,48,192" \
        >"$T/cls.atc" 2>&1 || wrong "aclsub atc failed: $(tail -n 1 "$T/cls.atc")"
    $PY -c 'import struct, sys; sys.stdout.buffer.write(struct.pack("<27648f", *[(i % 97) / 97.0 for i in range(27648)]))' \
        >"$T/cls_in.raw"
    for k in 1 2; do
        env LD_PRELOAD="${ASAN_LIB:+$ASAN_LIB }$LIBACLSUB" ACLSUB_OUTPUT="$T/cls$k.rec" \
            "$BA/tests/app_run" "$T/cls.om" "$T/cls_in.raw" "$T/cls_out.raw" 20 >/dev/null 2>"$T/cls$k.err" ||
            wrong "app_run cls.om (run $k) failed: $(tail -n 1 "$T/cls$k.err")"
    done
    "$ACLSUB" report -o "$T/cls.html" "$T/cls1.rec" 2>"$T/err"
    eq "exit status" "$?" 0
    "$ACLSUB" decode summary --format csv "$T/cls1.rec" >"$T/cls_sum.csv" 2>/dev/null
    "$ACLSUB" decode summary "$T/cls1.rec" >"$T/cls_sum.txt" 2>/dev/null
    out=$(dom_check numbers "$T/cls.html" "$T/cls_sum.csv" "$T/cls_sum.txt")
    [ -z "$out" ] || wrong "$out"
    need "the header does not name the cls model" grep -q '<dt>models</dt><dd><a href="#m-0-1">cls, id 1</a>' "$T/cls.html"
    finish "$T/err"

    begin "the cls model: two recordings give a diff page"
    "$ACLSUB" report -o "$T/cls_diff.html" "$T/cls1.rec" "$T/cls2.rec" 2>"$T/err"
    eq "exit status" "$?" 0
    "$ACLSUB" decode summary --format csv "$T/cls2.rec" >"$T/cls2_sum.csv" 2>/dev/null
    out=$(dom_check diff_counts "$T/cls_diff.html" "$T/cls_sum.csv" "$T/cls2_sum.csv")
    [ -z "$out" ] || wrong "$out"
    finish "$T/err"

    if [ -n "$CHROME" ]; then
        begin "the cls model's pages in Chromium: no script error, no request; screenshots kept"
        chrome --dump-dom "file://$T/cls.html" >"$T/cls.dom"
        out=$(dom_check browser "$T/cls.dom" 1; dom_check numbers "$T/cls.dom" "$T/cls_sum.csv" "$T/cls_sum.txt")
        [ -z "$out" ] || wrong "$out"
        chrome --window-size=1280,2400 --screenshot="$T/cls.png" "file://$T/cls.html" >/dev/null
        chrome --window-size=1280,2400 --screenshot="$T/cls_diff.png" "file://$T/cls_diff.html" >/dev/null
        need "no screenshot of the cls page" [ -s "$T/cls.png" ]
        need "no screenshot of the cls diff page" [ -s "$T/cls_diff.png" ]
        cp "$T/cls.png" "$BA/report-cls.png" 2>/dev/null
        cp "$T/cls_diff.png" "$BA/report-cls-diff.png" 2>/dev/null
        finish "$T/chrome.err"
    fi
fi

end_checks
