#!/bin/sh
# check_decode_views.sh BUILD - the views, formats, filters, diff, follow mode
# and damage handling of `aclsub decode` on streams generated from
# tests/data/views.spec and views_b.spec.
#
# Expected statistics and the CSV/JSONL/table outputs are computed here, by
# an independent reference in Python that reads the spec files themselves
# (not the decoder's output); the golden files in tests/golden/ must match
# both the reference and the decoder.  The Chrome trace is parsed with
# Python's json module and checked for nesting per track; the CSV is read
# back with Python's csv module.
SUBJECT="decode views"
. tests/shell/lib.sh
check() { # name, condition result
    if [ "$2" -eq 0 ]; then say_ok "$1"; else say_fail "$1"; fi
}
G=tests/golden
R=512

$GEN tests/data/views.spec "$T/v.rec" || exit 1
$GEN tests/data/views_b.spec "$T/b.rec" || exit 1

# --- the independent reference ------------------------------------------------
cat >"$T/ref.py" <<'EOF'
import math, statistics, sys

CONTROL = {b"aclsub.stream_start": 16, b"aclsub.records_lost": 17, b"aclsub.stream_end": 18}

def parse(path):
    recs = []
    for line in open(path, "rb").read().split(b"\n"):
        if not line or line.startswith(b"#"):
            continue
        f = line.split(b"|")
        r = dict(model=int(f[0]), flag=f[1].decode(), type=f[2], name=f[3], start=int(f[4]), end=int(f[5]),
                 pid=4242, stream=0, iter=0, seq=None, index=len(recs), args=[0, 0, 0, 0])
        r["kind"] = 1 if r["flag"] == "subgraph" else CONTROL.get(r["type"], 0) if r["flag"] == "none" else 0
        for kv in f[6:]:
            k, v = kv.decode().split("=")
            if k.startswith("arg"):
                r["args"][int(k[3])] = int(v)
            else:
                r[k] = int(v)
        if r["seq"] is None:  # numbered per subscription (pid, model); control records 0
            same = [q for q in recs if q["kind"] in (0, 1) and (q["pid"], q["model"]) == (r["pid"], r["model"])]
            r["seq"] = len(same) if r["kind"] in (0, 1) else 0
        r["dur"] = r["end"] - r["start"]
        recs.append(r)
    return recs

def human(ns):
    units = ["ns", "us", "ms", "s"]
    if ns < 999.5:
        return "%.0f ns" % ns
    v, u = ns / 1000.0, 1
    while True:
        d = 2 if v < 9.995 else 1 if v < 99.95 else 0
        if u < 3 and v >= 999.5:
            v, u = v / 1000.0, u + 1
            continue
        return "%.*f %s" % (d, v, units[u])

def us3(ns):
    return "%d.%03d" % (ns // 1000, ns % 1000)

def groups(recs, by):
    g = {}
    for r in recs:
        if r["kind"] != 0:
            continue
        key = str(r["model"]).encode() if by == "model" else r[by]
        g.setdefault(key, []).append(r["dur"])
    busy = sum(sum(v) for v in g.values())
    out = []
    for key, d in g.items():
        s = sorted(d)
        n = len(s)
        rank = lambda p: s[max(0, -(-p * n // 100) - 1)]
        mean = sum(s) / n
        sd = math.sqrt(sum((x - mean) ** 2 for x in s) / n)
        out.append(dict(key=key, count=n, total=sum(s), mean=mean, median=float(statistics.median(s)), min=s[0],
                        max=s[-1], stddev=sd, p90=rank(90), p95=rank(95), p99=rank(99),
                        ratio=100.0 * sum(s) / busy))
    out.sort(key=lambda x: (-x["total"], x["key"]))
    return out

def csv_field(b):
    # valid UTF-8 kept, each byte of an invalid sequence as \xNN, a backslash as \\ (aclsub-decode(1))
    s = "".join("\\x%02x" % (ord(c) - 0xDC00) if 0xDC80 <= ord(c) <= 0xDCFF else "\\\\" if c == "\\" else c
                for c in b.decode("utf-8", "surrogateescape"))
    b = s.encode()
    if any(c in b for c in b',"\r\n'):
        return b'"' + b.replace(b'"', b'""') + b'"'
    return b

def json_str(b):
    out, i = ['"'], 0
    while i < len(b):
        c = b[i]
        if c >= 0x80:
            for k in (4, 3, 2):
                try:
                    ch = b[i:i + k].decode("utf-8")
                    if len(ch) == 1:
                        out.append(ch); i += k
                        break
                except UnicodeDecodeError:
                    pass
            else:
                out.append("\\u00%02x" % c); i += 1
            continue
        i += 1
        ch = chr(c)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif c < 0x20 or c == 0x7f:
            out.append("\\u00%02x" % c)
        else:
            out.append(ch)
    return ("".join(out) + '"').encode()

TITLES = {"type": "OP Type", "name": "Op Name", "model": "Model ID"}

def summary_csv(rows, by):
    head = (TITLES[by] + ",Count,Total Time(us),Min Time(us),Avg Time(us),Max Time(us),Ratio(%),"
            "Median Time(us),StdDev Time(us),P90 Time(us),P95 Time(us),P99 Time(us),"
            "total_ns,min_ns,mean_ns,max_ns,median_ns,stddev_ns,p90_ns,p95_ns,p99_ns\n").encode()
    lines = [head]
    for g in rows:
        cells = [csv_field(g["key"])] + [x.encode() for x in [
            str(g["count"]), us3(g["total"]), us3(g["min"]), "%.3f" % (g["mean"] / 1000), us3(g["max"]),
            "%.3f" % g["ratio"], "%.3f" % (g["median"] / 1000), "%.3f" % (g["stddev"] / 1000),
            us3(g["p90"]), us3(g["p95"]), us3(g["p99"]), str(g["total"]), str(g["min"]), "%.3f" % g["mean"],
            str(g["max"]), "%.3f" % g["median"], "%.3f" % g["stddev"], str(g["p90"]), str(g["p95"]),
            str(g["p99"])]]
        lines.append(b",".join(cells) + b"\n")
    return b"".join(lines)

def summary_jsonl(rows, by):
    out = []
    for g in rows:
        key = (b'{"model":' + g["key"]) if by == "model" else (b'{"' + by.encode() + b'":' + json_str(g["key"]))
        out.append(key + (',"count":%d,"total_ns":%d,"mean_ns":%.3f,"median_ns":%.3f,"min_ns":%d,"max_ns":%d,'
                          '"stddev_ns":%.3f,"p90_ns":%d,"p95_ns":%d,"p99_ns":%d,"ratio_pct":%.3f}\n' % (
            g["count"], g["total"], g["mean"], g["median"], g["min"], g["max"], g["stddev"], g["p90"], g["p95"],
            g["p99"], g["ratio"])).encode())
    return b"".join(out)

def summary_table(rows, by, recs):
    def width(s):
        return len(s.decode("utf-8", "replace"))
    titles = [TITLES[by], "Count", "Total", "Mean", "Median", "Min", "Max", "StdDev", "P90", "P95", "P99", "Busy%"]
    cells = [[g["key"].decode()] + [str(g["count"]), human(g["total"]), human(g["mean"]), human(g["median"]),
             human(g["min"]), human(g["max"]), human(g["stddev"]), human(g["p90"]), human(g["p95"]),
             human(g["p99"]), "%.2f" % g["ratio"]] for g in rows]
    w = [max([len(titles[c])] + [len(r[c]) for r in cells]) for c in range(len(titles))]
    def line(r):
        return "  ".join([r[0].ljust(w[0])] + [r[c].rjust(w[c]) for c in range(1, len(r))]) + "\n"
    out = line(titles) + "".join(line(r) for r in cells)
    ops = sum(g["count"] for g in rows)
    busy = sum(g["total"] for g in rows)
    runs = sum(1 for r in recs if r["kind"] == 1)
    lost = sum(r["args"][0] for r in recs if r["kind"] == 17)
    out += "\noperators: %d in %d group(s), busy time %s; whole runs: %d\n" % (ops, len(rows), human(busy), runs)
    out += "records lost: %d (from records-lost notices)\n" % lost
    return out.encode()

def in_time_order(recs):
    rank = lambda r: 0 if r["kind"] >= 16 else 1 if r["kind"] == 1 else 2
    return sorted(recs, key=lambda r: (r["start"], rank(r), -r["end"], r["seq"]))

KINDS = {0: "op", 1: "run", 16: "stream_start", 17: "records_lost", 18: "stream_end"}
FLAGS = {"op": "op", "subgraph": "subgraph", "none": "none"}

def list_csv(recs):
    # msprof's op_summary columns in msprof's order, operators only; what records cannot say is N/A
    out = [b"Device_id,Model Name,Model ID,Task ID,Stream ID,Infer ID,Op Name,OP Type,OP State,Task Type,"
           b"Task Start Time(us),Task Duration(us),Task Wait Time(us),Block Dim,Mix Block Dim,HF32 Eligible,"
           b"Input Shapes,Input Data Types,Input Formats,Output Shapes,Output Data Types,Output Formats,"
           b"Context ID,Process ID,Sequence,start_ns,end_ns,duration_ns\n"]
    for r in in_time_order(recs):
        if r["kind"] != 0:
            continue
        out.append(b",".join([b"0", b"", str(r["model"]).encode(), str(r["index"]).encode(),
                              str(r["stream"]).encode(), str(r["iter"]).encode(), csv_field(r["name"]),
                              csv_field(r["type"])] + [x.encode() for x in [
            "N/A", "N/A", us3(r["start"]), us3(r["dur"])] + ["N/A"] * 4 + ["N/A"] * 6 + ["N/A",
            str(r["pid"]), str(r["seq"]), str(r["start"]), str(r["end"]), str(r["dur"])]]) + b"\n")
    return b"".join(out)

def list_control_csv(recs):
    out = [b"Model ID,Op Name,OP Type,Stream ID,Task Start Time(us),Task Duration(us),Task End Time(us),"
           b"Process ID,Iteration,Sequence,Kind,Flag,start_ns,end_ns,duration_ns\n"]
    for r in in_time_order(recs):
        if r["kind"] == 0:
            continue
        out.append(b",".join([str(r["model"]).encode(), csv_field(r["name"]), csv_field(r["type"])] + [
            x.encode() for x in [str(r["stream"]), us3(r["start"]), us3(r["dur"]), us3(r["end"]), str(r["pid"]),
                                 str(r["iter"]), str(r["seq"]), KINDS[r["kind"]], r["flag"], str(r["start"]),
                                 str(r["end"]), str(r["dur"])]]) + b"\n")
    return b"".join(out)

def list_jsonl(recs):
    out = []
    for r in in_time_order(recs):
        s = ('{"model":%d,"kind":"%s","flag":"%s","pid":%d,"stream":%d,"iteration":%d,"seq":%d,"op_index":%d,'
             '"thread":0,"type":' % (r["model"], KINDS[r["kind"]], r["flag"], r["pid"], r["stream"], r["iter"],
                                     r["seq"], r["index"])).encode()
        s += json_str(r["type"]) + b',"name":' + json_str(r["name"])
        s += (',"start_ns":%d,"end_ns":%d,"duration_ns":%d' % (r["start"], r["end"], r["dur"])).encode()
        if r["kind"] >= 16:
            s += (',"args":[%s]' % ",".join(str(a) for a in r["args"])).encode()
        out.append(s + b"}\n")
    return b"".join(out)

def diff_csv(a, b, by):
    ga = {g["key"]: g for g in groups(a, by)}
    gb = {g["key"]: g for g in groups(b, by)}
    head = (TITLES[by] + ",Count A,Count B,Count B/A,Avg Time A(us),Avg Time B(us),Avg B/A,Median Time A(us),"
            "Median Time B(us),Median B/A,mean_a_ns,mean_b_ns,median_a_ns,median_b_ns\n").encode()
    out = [head]
    for k in sorted(set(ga) | set(gb)):
        x, y = ga.get(k), gb.get(k)
        f = lambda g, f_: "" if g is None else f_(g)
        ratio = lambda field: "" if x is None or y is None else "%.6f" % (y[field] / x[field])
        cells = [csv_field(k)] + [c.encode() for c in [
            str(x["count"] if x else 0), str(y["count"] if y else 0), ratio("count"),
            f(x, lambda g: "%.3f" % (g["mean"] / 1000)), f(y, lambda g: "%.3f" % (g["mean"] / 1000)), ratio("mean"),
            f(x, lambda g: "%.3f" % (g["median"] / 1000)), f(y, lambda g: "%.3f" % (g["median"] / 1000)),
            ratio("median"), f(x, lambda g: "%.3f" % g["mean"]), f(y, lambda g: "%.3f" % g["mean"]),
            f(x, lambda g: "%.3f" % g["median"]), f(y, lambda g: "%.3f" % g["median"])]]
        out.append(b",".join(cells) + b"\n")
    return b"".join(out)

def skip_and_filter(recs):
    # --model 1 --skip-iterations 1 --absolute --from 5000 --to 8999
    return [r for r in recs if r["model"] == 1 and r["iter"] >= 1 and 5000 <= r["start"] <= 8999]

spec, spec_b, outdir = sys.argv[1], sys.argv[2], sys.argv[3]
recs, recs_b = parse(spec), parse(spec_b)
files = {
    "summary_type.table": summary_table(groups(recs, "type"), "type", recs),
    "summary_type.csv": summary_csv(groups(recs, "type"), "type"),
    "summary_name.jsonl": summary_jsonl(groups(recs, "name"), "name"),
    "summary_model.csv": summary_csv(groups(recs, "model"), "model"),
    "summary_filtered.csv": summary_csv(groups(skip_and_filter(recs), "type"), "type"),
    "list.csv": list_csv(recs),
    "list_control.csv": list_control_csv(recs),
    "list.jsonl": list_jsonl(recs),
    "diff_type.csv": diff_csv(recs, recs_b, "type"),
}
for name, data in files.items():
    open(outdir + "/" + name, "wb").write(data)
EOF
mkdir "$T/ref"
$PY "$T/ref.py" tests/data/views.spec tests/data/views_b.spec "$T/ref"; check "reference computed" $?

# Each output: the decoder's must match the golden; the reference's (when it has one) too.
golden() { # name, decoder output file
    ok=0
    cmp -s "$2" "$G/views_$1" || ok=1
    if [ -f "$T/ref/$1" ]; then cmp -s "$T/ref/$1" "$G/views_$1" || ok=1; fi
    [ $ok -ne 0 ] && diff "$G/views_$1" "$2" | head -n 10
    return $ok
}
run() { # name, decode arguments...: runs, keeps status and stderr
    name=$1
    shift
    $ACLSUB decode "$@" >"$T/$name" 2>"$T/$name.err"
    echo $? >"$T/$name.rc"
}
status_is() { [ "$(cat "$T/$1.rc")" -eq "$2" ]; }

run summary_type.table summary "$T/v.rec"
golden summary_type.table "$T/summary_type.table" && status_is summary_type.table 0
check "summary table by type (golden = reference), exit 0" $?
grep -q "pid 200: stream incomplete" "$T/summary_type.table.err" && ! grep -q "pid 100" "$T/summary_type.table.err"
check "incomplete stream (pid 200) reported, complete one (pid 100) not" $?
grep -q "^records lost: 3 (from records-lost notices)$" "$T/summary_type.table"; check "records lost in footer" $?

run summary_type.csv summary --format csv "$T/v.rec"
golden summary_type.csv "$T/summary_type.csv"; check "summary CSV by type" $?
run summary_name.jsonl summary -f jsonl --by name "$T/v.rec"
golden summary_name.jsonl "$T/summary_name.jsonl"; check "summary JSONL by name" $?
run summary_model.csv summary -f csv -b model "$T/v.rec"
golden summary_model.csv "$T/summary_model.csv"; check "summary CSV by model" $?
run summary_filtered.csv summary -f csv --model 1 --skip-iterations 1 --absolute --from 5000 --to 8999 "$T/v.rec"
golden summary_filtered.csv "$T/summary_filtered.csv"; check "filters: model, skip-iterations, time window" $?
run list.csv list -f csv --control-csv "$T/list_control.csv" "$T/v.rec"
golden list.csv "$T/list.csv"; check "list CSV (msprof's op_summary: operators only) in time order" $?
golden list_control.csv "$T/list_control.csv"; check "--control-csv: the whole runs and control records" $?
run list.jsonl list --format jsonl "$T/v.rec"
golden list.jsonl "$T/list.jsonl"; check "list JSONL" $?
run list.table list "$T/v.rec"
golden list.table "$T/list.table"; check "list table" $?
run chrome.json list -f chrome "$T/v.rec"
golden chrome.json "$T/chrome.json"; check "Chrome trace" $?
run diff_type.csv diff -f csv "$T/v.rec" "$T/b.rec"
golden diff_type.csv "$T/diff_type.csv"; check "diff CSV (ratios B/A)" $?
(cd "$T" && "$ACLSUB" decode diff v.rec b.rec >diff_type.table 2>/dev/null)
golden diff_type.table "$T/diff_type.table"; check "diff table" $?

# Every JSON Lines output parses; names keep their bytes (invalid UTF-8 as \u00XX).
$PY - "$T/list.jsonl" "$T/summary_name.jsonl" <<'EOF'
import json, sys
for path in sys.argv[1:]:
    for line in open(path, encoding="utf-8"):
        json.loads(line)
names = [json.loads(l)["name"] for l in open(sys.argv[2], encoding="utf-8")]
assert "\u540d\u00ff\tq\\" in names, names
assert 'fc "x", y' in names, names
EOF
check "JSON Lines parse, escapes round-trip" $?

# The CSV read back with the csv module: one row per operator record, fields intact.
$PY - "$T/list.csv" "$T/summary_type.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8", errors="strict")))
assert len(rows) == 9, len(rows)
assert any(r["Op Name"] == 'fc "x", y' for r in rows)
for r in rows:
    assert int(r["end_ns"]) - int(r["start_ns"]) == int(r["duration_ns"])
    assert abs(float(r["Task Duration(us)"]) * 1000 - int(r["duration_ns"])) < 0.5
s = {r["OP Type"]: r for r in csv.DictReader(open(sys.argv[2], newline=""))}
assert s["Conv"]["Count"] == "4" and s["Conv"]["median_ns"] == "1100.000" and s["Conv"]["p90_ns"] == "1800"
assert abs(sum(float(r["Ratio(%)"]) for r in s.values()) - 100) < 0.01
EOF
check "CSV read back by the csv module" $?

# The Chrome trace: strict JSON; X events nest per track; ts/dur match the list's raw ns
# (the records in the same time order); args are model and iteration only.
$PY - "$T/chrome.json" "$T/list.jsonl" <<'EOF'
import json, sys
ev = json.load(open(sys.argv[1], encoding="utf-8"))
recs = [r for r in map(json.loads, open(sys.argv[2], encoding="utf-8")) if r["kind"] in ("op", "run")]
xs = [e for e in ev if e.get("ph") == "X"]
assert len(xs) == 14 == len(recs), len(xs)
names = {(e["pid"], e["tid"]) for e in ev if e.get("ph") == "M" and e["name"] == "thread_name"}
procs = {e["pid"]: e["args"]["name"] for e in ev if e.get("ph") == "M" and e["name"] == "process_name"}
assert procs == {100: "./app --x", 200: "./other"}, procs
assert all(e["pid"] != 0 for e in ev)
base = 900  # the first record in time order: pid 100's stream start
tracks = {}
for e, r in zip(xs, recs):
    assert (e["pid"], e["tid"]) in names and e["pid"] in procs
    assert e["args"] == {"model": r["model"], "iteration": r["iteration"]}, e
    assert (e["name"] == "execute") == (r["kind"] == "run") and (r["kind"] == "run" or e["name"] == r["name"])
    assert round(e["ts"] * 1000) == r["start_ns"] - base and round(e["dur"] * 1000) == r["duration_ns"]
    tracks.setdefault((e["pid"], e["tid"]), []).append((e["ts"], e["ts"] + e["dur"], r))
for key, spans in tracks.items():
    models = {(s[2]["model"], s[2]["stream"]) for s in spans}
    assert len(models) == 1, (key, models)          # one (model, stream) per track
    spans.sort(key=lambda s: (s[0], -s[1]))
    stack = []
    for s, e, r in spans:                            # in doubles, as viewers add ts + dur
        while stack and stack[-1] <= s:
            stack.pop()
        assert not stack or e <= stack[-1], ("overlap without nesting", key, r)
        stack.append(e)
    for s, e, r in spans:                            # operators inside their execute's run
        if r["kind"] == "op":
            runs = [x for x in spans if x[2]["kind"] == "run" and x[2]["iteration"] == r["iteration"]]
            assert any(x[0] <= s and e <= x[1] for x in runs), r
# a cut-off file still parses once closed (each event line but the last ends with ",")
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert all(l.endswith(",") for l in lines[1:-3]) and not lines[-3].endswith(",")
json.loads("\n".join(lines[:8]).rstrip(",") + "]")
EOF
check "Chrome trace: json module, nesting per track, ts/dur" $?

# Overlapping executes of one (model, stream) go to a second lane.
printf '1|op|A|a|1000|3000\n1|subgraph|na|keypoint_op|1000|3000|iter=0\n1|op|A|a|2000|4000|iter=1\n1|subgraph|na|keypoint_op|2000|4000|iter=1\n' >"$T/ov.spec"
$GEN "$T/ov.spec" "$T/ov.rec"
$ACLSUB decode list -f chrome "$T/ov.rec" >"$T/ov.json" 2>/dev/null
$PY - "$T/ov.json" <<'EOF'
import json, sys
ev = json.load(open(sys.argv[1]))
xs = [e for e in ev if e.get("ph") == "X"]
assert len({e["tid"] for e in xs}) == 2
assert any(e.get("args", {}).get("name", "").endswith("(overlap 2)") for e in ev if e.get("ph") == "M")
EOF
check "overlapping executes on separate lanes" $?

# Two inputs merged on one timeline; the bare list keeps input order.
$ACLSUB decode list -f csv "$T/v.rec" "$T/b.rec" 2>/dev/null | awk -F, 'NR > 1 { print $(NF-2) }' >"$T/starts"
nops=$(grep -hv '^#' tests/data/views.spec tests/data/views_b.spec | awk -F'|' '$2 == "op"' | wc -l)
sort -n -c "$T/starts" && [ "$(wc -l <"$T/starts")" -eq "$nops" ]; check "two inputs merged by start time" $?
$ACLSUB decode "$T/v.rec" 2>/dev/null | sed -n 2p | grep -q "aclsub.stream_start"; check "bare list keeps input order" $?

# Sorting, top N, type and name globs.
$ACLSUB decode summary -f csv --sort count --top 2 "$T/v.rec" 2>/dev/null | cut -d, -f1 | tr '\n' ' ' >"$T/top"
[ "$(cat "$T/top")" = "OP Type,Conv Relu " ] || [ "$(cat "$T/top")" = "OP Type Conv Relu " ]; check "--sort count --top 2" $?
$ACLSUB decode summary -f csv --sort key:asc "$T/v.rec" 2>/dev/null | cut -d, -f1 | tail -n +2 | tr '\n' ' ' >"$T/keys"
[ "$(cat "$T/keys")" = "Conv MatMul Relu Softmax " ]; check "--sort key:asc" $?
$ACLSUB decode summary -f csv --sort min:asc "$T/v.rec" 2>/dev/null | sed -n 2p | cut -d, -f1 | grep -qx Softmax; check "--sort min:asc" $?
n=$($ACLSUB decode list -f jsonl --type 'R*,M*' "$T/v.rec" 2>/dev/null | wc -l); [ "$n" -eq 4 ]; check "--type globs" $?
n=$($ACLSUB decode list -f jsonl --name 'conv*' --model 1 "$T/v.rec" 2>/dev/null | wc -l); [ "$n" -eq 4 ]; check "--name glob with --model" $?
$ACLSUB decode summary --sort bogus "$T/v.rec" >/dev/null 2>&1; [ $? -eq 1 ]; check "unknown sort column exits 1" $?
$ACLSUB decode summary -f chrome "$T/v.rec" >/dev/null 2>&1; [ $? -eq 1 ]; check "chrome needs the list view" $?
$ACLSUB decode diff "$T/v.rec" >/dev/null 2>&1; [ $? -eq 1 ]; check "diff needs two inputs" $?
$ACLSUB decode --help | grep -q -- "--skip-iterations"; check "--help lists the options" $?

# --- damaged inputs: one file per kind, counts on stderr, exit 2 ---------------
$GEN tests/data/views.spec "$T/d_cut.rec" --cut 100
$GEN tests/data/views.spec "$T/d_flip.rec" --flip $((3 * R + 230))
$GEN tests/data/views.spec "$T/d_garbage.rec" --garbage 5:37
$GEN tests/data/views.spec "$T/d_version.rec" --bad-version 6
# 3000 bytes of noise, the same in every run (a fixed seed)
$PY -c 'import random, sys; random.seed(20261130); sys.stdout.buffer.write(bytes(random.getrandbits(8) for _ in range(3000)))' \
    >"$T/d_noise.rec"
damaged() { # file, view args, expected stderr fragment, expected operators left
    $ACLSUB decode summary -f csv "$T/$1" >"$T/d.out" 2>"$T/d.err"; rc=$?
    ops=$(awk -F, 'NR > 1 { n += $2 } END { print n + 0 }' "$T/d.out")
    [ $rc -eq 2 ] && grep -q "$2" "$T/d.err" && [ "$ops" -eq "$3" ]
}
damaged d_cut.rec "412 truncated byte(s)" 9; check "truncated tail: counted, exit 2" $?
damaged d_flip.rec "1 bad signature(s)" 8; check "bad signature: counted, exit 2" $?
damaged d_garbage.rec "37 garbage byte(s) in 1 run(s)" 9; check "garbage: counted, exit 2" $?
damaged d_version.rec "1 unknown version(s)" 8; check "unknown version: counted, exit 2" $?
$ACLSUB decode summary "$T/d_noise.rec" >/dev/null 2>"$T/d.err"; rc=$?
[ $rc -eq 2 ] && grep -q "0 valid record(s)" "$T/d.err"; check "pure garbage: exit 2, no crash" $?
for f in d_cut d_flip d_garbage d_version d_noise; do
    $ACLSUB decode list -f chrome "$T/$f.rec" >"$T/dc.json" 2>/dev/null
    [ $? -eq 2 ] && $PY -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/dc.json" || { echo "  $f"; false; }
done
check "damaged inputs still give a valid Chrome trace" $?
$ACLSUB decode summary "$T/v.rec" "$T/missing.rec" >/dev/null 2>"$T/d.err"; rc=$?
[ $rc -eq 1 ] && grep -q missing.rec "$T/d.err"; check "missing input exits 1" $?

# --- follow: a writer that writes slowly, then closes --------------------------
mkfifo "$T/fifo"
(
    i=0
    while [ $i -lt 18 ]; do
        dd if="$T/v.rec" bs=$R skip=$i count=1 status=none
        sleep 0.1
        i=$((i + 1))
    done
) >"$T/fifo" &
$ACLSUB decode --follow "$T/fifo" >"$T/follow.out" 2>/dev/null; rc=$?
wait
cmp -s "$T/follow.out" "$G/views_summary_type.table" && [ $rc -eq 0 ] && ! grep -q "$(printf '\033')" "$T/follow.out"
check "--follow on a FIFO, not a terminal: final summary only, no escapes" $?

if command -v script >/dev/null 2>&1; then
    (
        i=0
        while [ $i -lt 18 ]; do
            dd if="$T/v.rec" bs=$R skip=$i count=1 status=none
            sleep 0.15
            i=$((i + 1))
        done
    ) >"$T/fifo" &
    script -qec "$ACLSUB decode summary --follow $T/fifo" /dev/null >"$T/tty.out" 2>&1
    wait
    grep -q "$(printf '\033')\[1;[0-9]*r" "$T/tty.out" && grep -q "$(printf '\033')\[r" "$T/tty.out" &&
        grep -q "records/s" "$T/tty.out" && grep -q "records lost: 3" "$T/tty.out"
    check "--follow on a terminal: drawn in a region of its own (scrolling region set, then reset), then the final summary" $?
fi

end_checks
