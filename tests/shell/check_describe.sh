#!/bin/sh
# check_describe.sh BUILD - streams describe their models (FORMAT.md, "Model
# descriptions"), read back by consumers independent of the decoder:
#   - real runs of the demo models under the interposer, on one hop (file
#     sink), through the relay (fd:N), and over vendor-format records: one
#     model description per subscription, before the model's first record,
#     naming the model and its file, with every operator described (types
#     equal to the operator records', shapes consistent with the model's
#     text file); the program's own subscription reads what it read before;
#   - two processes whose different models have the same id stay apart in
#     `summary --by model` (names and processes);
#   - the list CSV read with the csv module and pandas: msprof's op_summary
#     columns in msprof's order, operators only, counts per OP Type equal
#     the records', Model Name and shapes filled;
#   - --clock realtime: times within seconds of `date` around the run;
#   - a path longer than the record's name field: the file is cut and
#     marked, the name still the model's;
#   - malformed description records: counted on stderr, ignored, no crash;
#     a description split over parts is put back together.
SUBJECT=describe
. tests/shell/lib.sh
require_built "$ACLSUB" "$LIBACLSUB" "$APP" "$CNN" "$MLP" "$GEN"
PRE=$LIBACLSUB
[ "$SAN" = 1 ] && PRE="$ASAN_LIB $LIBACLSUB" # the sanitizer's runtime first

# An independent reader of the records (struct offsets from FORMAT.md).
cat >"$T/rd.py" <<'EOF'
import struct
def records(path):
    data = open(path, "rb").read()
    out = []
    for off in range(0, len(data) - len(data) % 512, 512):
        b = data[off:off + 512]
        assert b[80:84] == b"ACLS", "not a record at %d" % off
        s = lambda a, z: b[a:z].split(b"\0", 1)[0].decode("utf-8", "replace")
        out.append(dict(model=struct.unpack_from("<I", b, 4)[0], index=struct.unpack_from("<Q", b, 16)[0],
                        start=struct.unpack_from("<Q", b, 32)[0], dev=struct.unpack_from("<I", b, 72)[0],
                        kind=b[85], flags=struct.unpack_from("<H", b, 86)[0], pid=struct.unpack_from("<I", b, 88)[0],
                        args=struct.unpack_from("<4Q", b, 128), type=s(160, 224), name=s(224, 512)))
    return out

def texts(recs, pid, model):
    """op index -> (type, description text) of the description records of (pid, model)."""
    parts = {}
    for r in recs:
        if r["kind"] == 20 and r["pid"] == pid and r["model"] == model:
            parts.setdefault(r["index"], {})[r["args"][0]] = r
    out = {}
    for i, p in parts.items():
        n = next(iter(p.values()))["args"][1]
        assert sorted(p) == list(range(n)), (i, sorted(p))
        out[i] = (p[0]["type"], "".join(p[k]["name"] for k in range(n)))
    return out

def model_txt(path):
    """From the model's text file: tensor -> shape (inputs and weights), nodes (name, inputs, outputs)."""
    shapes, nodes = {}, []
    for line in open(path):
        f = line.split()
        if not f or f[0].startswith("#"):
            continue
        if f[0] in ("input", "weight"):
            shapes[f[1]] = "" if f[3] == "scalar" else f[3]
        elif f[0] == "node":
            arrow = f.index("->")
            ins = [x for x in f[3].split(",") if x != "_"] if arrow > 3 else []  # "_": an absent input
            nodes.append((f[1], ins, f[arrow + 1].split(",")))
    return shapes, nodes
EOF

# check_stream REC MODEL_SPEC... : MODEL_SPEC is id:name:file:txt.  One model description per
# subscription before the model's first operator, every operator described and consistent.
check_stream() {
    rec=$1
    shift
    $PY - "$T" "$rec" "$@" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
from rd import records, texts, model_txt
recs = records(sys.argv[2])
for spec in sys.argv[3:]:
    mid, name, path, txt = spec.split(":")
    mid = int(mid)
    ops = [k for k, r in enumerate(recs) if r["kind"] == 0 and r["model"] == mid]
    pids = {recs[k]["pid"] for k in ops}
    assert ops and len(pids) == 1, (mid, pids)
    pid = pids.pop()
    descs = [k for k, r in enumerate(recs) if r["kind"] == 19 and r["model"] == mid and r["pid"] == pid]
    assert len(descs) == 1, ("descriptions of model %d: %d" % (mid, len(descs)))
    d = recs[descs[0]]
    assert descs[0] < ops[0], "the description comes after the first operator"
    assert (d["type"], d["name"]) == (name, path), (d["type"], d["name"])
    shapes, nodes = model_txt(txt)
    assert d["index"] == len(nodes) and d["args"][3] & 1, (d["index"], len(nodes), d["args"])
    t = texts(recs, pid, mid)
    assert len(t) == len(nodes) + 1 and (2**64 - 1) in t, (len(t), len(nodes))
    assert d["args"][0] == sum(1 for r in recs if r["kind"] == 20 and r["pid"] == pid and r["model"] == mid)
    optype = {r["index"]: r["type"] for r in recs if r["kind"] == 0 and r["model"] == mid}
    seen = {}  # tensor -> shape as the descriptions give it
    for i, (name_, ins, outs) in enumerate(nodes):
        typ, text = t[i]
        assert typ == optype[i], (i, typ, optype[i])
        f = text.split("|")
        assert len(f) == 6, text
        ishapes, oshapes = f[0].split(";"), f[3].split(";")
        ins = [x for x in ins if x]
        assert len(ishapes) == len(ins) and len(oshapes) == len(outs), (name_, text)
        for tensor, shp in list(zip(ins, ishapes)) + list(zip(outs, oshapes)):
            if tensor in shapes:
                assert shp == shapes[tensor], (name_, tensor, shp, shapes[tensor])
            assert seen.setdefault(tensor, shp) == shp, (name_, tensor, shp, seen[tensor])
        assert all(x.startswith("DT_") for x in f[1].split(";") + f[4].split(";")), text
    io = t[2**64 - 1][1].split("|")
    first = [s for s in shapes if s in nodes[0][1]]
    assert io[0].split(";")[0] == shapes[nodes[0][1][0]], io
print("ok")
EOF
}

N=3
# --- one hop: the runtime writes into the file sink ------------------------------------------
env LD_PRELOAD="$PRE" ACLSUB_OUTPUT="$T/one.rec" "$APP" "$CNN,$MLP" $N >"$T/one.out" 2>"$T/one.err"
[ $? -eq 0 ] && check_stream "$T/one.rec" "1:cnn:$CNN:models/cnn.txt" "2:mlp:$MLP:models/mlp.txt" >"$T/c1" 2>&1
rc=$?
[ $rc -eq 0 ] && say_ok "one hop: one description per model before its records, operators and shapes" ||
    { say_fail "one hop: descriptions"; show "$T/c1" 20; show "$T/one.err" 5; }

# --- the relay: an fd:N sink -----------------------------------------------------------------
env LD_PRELOAD="$PRE" ACLSUB_OUTPUT=fd:9 "$APP" "$CNN,$MLP" $N 9>"$T/relay.rec" >"$T/relay.out" 2>&1 &&
    check_stream "$T/relay.rec" "1:cnn:$CNN:models/cnn.txt" "2:mlp:$MLP:models/mlp.txt" >"$T/c2" 2>&1
[ $? -eq 0 ] && say_ok "relay: one description per model before its records, operators and shapes" ||
    { say_fail "relay: descriptions"; show "$T/c2" 20; }

# --- vendor-format records from the runtime (translated by the relay) ---------------------------
env LD_PRELOAD="$PRE" ACLSUB_EMU_RECORDS=vendor ACLSUB_OUTPUT="$T/vendor.rec" "$APP" "$CNN" $N \
    >"$T/vendor.out" 2>&1 && check_stream "$T/vendor.rec" "1:cnn:$CNN:models/cnn.txt" >"$T/c3" 2>&1 &&
    [ "$("$ACLSUB" decode list -f csv "$T/vendor.rec" 2>/dev/null | awk -F, 'NR > 1 && $2 == "cnn"' | wc -l)" -eq \
      $((N * CNN_OPS)) ]
[ $? -eq 0 ] && say_ok "vendor-format records: described, and every operator row names the model" ||
    { say_fail "vendor-format records"; show "$T/c3" 20; }

# --- the program's own subscription reads what it read without the interposer --------------------
# The library subscribes the model twice here (on one hop at the load, then through the relay
# when the program subscribes it too), and each subscription is described.
"$APP" "$CNN" $N --self-subscribe >"$T/self.plain" 2>/dev/null
env LD_PRELOAD="$PRE" ACLSUB_OUTPUT="$T/self.rec" "$APP" "$CNN" $N --self-subscribe >"$T/self.pre" 2>/dev/null
cmp -s "$T/self.plain" "$T/self.pre" && grep -q . "$T/self.plain" &&
    [ "$($PY -c 'import sys; sys.path.insert(0, sys.argv[1]); from rd import records
print(sum(r["kind"] == 19 for r in records(sys.argv[2])))' "$T" "$T/self.rec")" -eq 2 ]
[ $? -eq 0 ] && say_ok "own subscription: the program's output unchanged, the sink described both subscriptions" ||
    { say_fail "own subscription"; diff "$T/self.plain" "$T/self.pre" | head -n 5; }

# --- two processes, two models, the same id ---------------------------------------------------------
env LD_PRELOAD="$PRE" ACLSUB_OUTPUT="$T/a.rec" "$APP" "$CNN" $N >/dev/null 2>&1 &
pa=$!
env LD_PRELOAD="$PRE" ACLSUB_OUTPUT="$T/b.rec" "$APP" "$MLP" $N >/dev/null 2>&1
wait $pa
cat "$T/a.rec" "$T/b.rec" >"$T/ab.rec"
apart=0
for form in "$T/a.rec $T/b.rec" "$T/ab.rec"; do
    # shellcheck disable=SC2086 # two inputs, or one
    "$ACLSUB" decode summary --by model -f csv $form >"$T/bymodel.csv" 2>"$T/bymodel.err"
    $PY - "$T" "$T/bymodel.csv" "$T/a.rec" "$T/b.rec" "$((N * CNN_OPS))" "$((N * MLP_OPS))" <<'EOF'
import csv, sys
sys.path.insert(0, sys.argv[1])
from rd import records
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
pa, pb = (records(p)[0]["pid"] for p in sys.argv[3:5])
got = sorted((r["Model Name"], r["Model ID"], int(r["Process ID"]), int(r["Count"])) for r in rows)
want = sorted([("cnn", "1", pa, int(sys.argv[5])), ("mlp", "1", pb, int(sys.argv[6]))])
assert got == want, (got, want)
EOF
    [ $? -eq 0 ] || { apart=1; break; }
done
[ $apart -eq 0 ] && say_ok "two processes, model id 1 each (cnn, mlp): two groups by model, named, counted apart" ||
    { say_fail "two processes with the same model id"; show "$T/bymodel.csv" 5; show "$T/bymodel.err" 5; }
"$ACLSUB" decode summary --by model "$T/ab.rec" >"$T/bymodel.table" 2>/dev/null
grep -q "^cnn (model 1, pid [0-9]*)" "$T/bymodel.table" && grep -q "^mlp (model 1, pid [0-9]*)" "$T/bymodel.table"
[ $? -eq 0 ] && say_ok "summary table by model names each model with its id and process" ||
    { say_fail "summary table by model"; show "$T/bymodel.table" 5; }

# A diff by model pairs the two recordings' models by name (their processes differ).
"$ACLSUB" decode diff --by model -f csv "$T/a.rec" "$T/one.rec" >"$T/diff.csv" 2>"$T/diff.err"
$PY - "$T/diff.csv" "$((N * CNN_OPS))" "$((N * MLP_OPS))" <<'EOF' >"$T/p5" 2>&1
import csv, sys
rows = {r[0]: r for r in list(csv.reader(open(sys.argv[1], newline="")))[1:]}
assert sorted(rows) == ["cnn", "mlp"], rows
assert rows["cnn"][1:3] == [sys.argv[2], sys.argv[2]] and rows["mlp"][1:3] == ["0", sys.argv[3]], rows
print("ok")
EOF
[ $? -eq 0 ] && say_ok "diff by model: the two recordings' cnn paired by name, mlp only in B" ||
    { say_fail "diff by model"; show "$T/p5" 10; show "$T/diff.csv" 5; }

# --- the op_summary CSV, read with csv and pandas --------------------------------------------------
before=$(date +%s)
env LD_PRELOAD="$PRE" ACLSUB_OUTPUT="$T/rt.rec" "$APP" "$CNN,$MLP" $N >/dev/null 2>&1
after=$(date +%s)
"$ACLSUB" decode list -f csv "$T/rt.rec" >"$T/ops.csv" 2>"$T/ops.err"
"$ACLSUB" decode list -f csv --clock realtime --control-csv "$T/ctl.csv" "$T/rt.rec" >"$T/ops_rt.csv" 2>"$T/ops_rt.err"
$PY - "$T" "$T/ops.csv" "$T/rt.rec" models/cnn.txt <<'EOF' >"$T/p1" 2>&1
import collections, csv, sys
import pandas as pd
sys.path.insert(0, sys.argv[1])
from rd import records, model_txt
# msprof's op_summary columns, in its order (its own tests' expected header, with Model Name and
# Infer ID where its documentation places them for models)
MSPROF = ["Device_id", "Model Name", "Model ID", "Task ID", "Stream ID", "Infer ID", "Op Name", "OP Type",
          "OP State", "Task Type", "Task Start Time(us)", "Task Duration(us)", "Task Wait Time(us)", "Block Dim",
          "Mix Block Dim", "HF32 Eligible", "Input Shapes", "Input Data Types", "Input Formats", "Output Shapes",
          "Output Data Types", "Output Formats", "Context ID"]
head = next(csv.reader(open(sys.argv[2], newline="")))
assert head[:len(MSPROF)] == MSPROF, head
df = pd.read_csv(sys.argv[2], dtype={"Input Shapes": str, "Output Shapes": str})
recs = records(sys.argv[3])
ops = [r for r in recs if r["kind"] == 0]
assert len(df) == len(ops), (len(df), len(ops))
want = collections.Counter(r["type"] for r in ops)
got = df.groupby("OP Type").size().to_dict()
assert got == dict(want), (got, want)
assert set(df["Model Name"]) == {"cnn", "mlp"}, set(df["Model Name"])
assert (df.groupby("Model Name").size() == pd.Series({"cnn": sum(r["model"] == 1 for r in ops),
                                                        "mlp": sum(r["model"] == 2 for r in ops)})).all()
assert df["Input Shapes"].notna().all() and df["Output Data Types"].str.startswith("DT_").all()
# shapes as the model's text file says, for its inputs and weights
shapes, nodes = model_txt(sys.argv[4])
cnn = df[df["Model Name"] == "cnn"]
for name, ins, outs in nodes:
    row = cnn[cnn["Op Name"] == name].iloc[0]
    for tensor, shp in zip([x for x in ins if x], row["Input Shapes"].split(";")):
        if tensor in shapes:
            assert shp == shapes[tensor], (name, tensor, shp)
assert (abs(df["Task Duration(us)"] * 1000 - df["duration_ns"]) < 0.5).all()
print("ok")
EOF
[ $? -eq 0 ] && say_ok "op_summary CSV (csv, pandas): msprof's columns and order, operators only, counts per OP Type, shapes" ||
    { say_fail "op_summary CSV"; show "$T/p1" 20; }

$PY - "$T/ops_rt.csv" "$T/ctl.csv" "$before" "$after" "$T/ops.csv" <<'EOF' >"$T/p2" 2>&1
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
mono = list(csv.DictReader(open(sys.argv[5], newline="")))
lo, hi = int(sys.argv[3]) - 5, int(sys.argv[4]) + 5
for r in rows:
    t = float(r["Task Start Time(us)"]) / 1e6
    assert lo <= t <= hi, (t, lo, hi)
    assert abs(int(r["start_ns"]) / 1000 - float(r["Task Start Time(us)"])) <= 1
# the same operators, the same durations, the offset between the clocks the same for all
off = {int(a["start_ns"]) - int(b["start_ns"]) for a, b in zip(rows, mono)}
assert len(rows) == len(mono) and len(off) == 1, off
kinds = {r["Kind"] for r in csv.DictReader(open(sys.argv[2], newline=""))}
assert kinds == {"stream_start", "model_desc", "op_desc", "run", "stream_end"}, kinds
print("ok")
EOF
[ $? -eq 0 ] && say_ok "--clock realtime: operator times within seconds of date; --control-csv has the rest" ||
    { say_fail "--clock realtime"; show "$T/p2" 10; show "$T/ops_rt.err" 5; }

# --- a path longer than the record's name field ------------------------------------------------------
long=$T/$(printf '%0200d' 0)/$(printf '%0200d' 1)
mkdir -p "$long" && cp "$CNN" "$long/deep.model.om"
env LD_PRELOAD="$PRE" ACLSUB_OUTPUT="$T/long.rec" "$APP" "$long/deep.model.om" 1 >/dev/null 2>&1
"$ACLSUB" decode list -f jsonl "$T/long.rec" >"$T/long.jsonl" 2>&1
$PY - "$T" "$T/long.rec" "$T/long.jsonl" "$long/deep.model.om" <<'EOF' >"$T/p3" 2>&1
import json, sys
sys.path.insert(0, sys.argv[1])
from rd import records
d = [r for r in records(sys.argv[2]) if r["kind"] == 19]
assert len(d) == 1 and d[0]["type"] == "deep.model" and d[0]["flags"] & 2, d
assert sys.argv[4].startswith(d[0]["name"]) and len(d[0]["name"]) == 288, len(d[0]["name"])
ops = [json.loads(l) for l in open(sys.argv[3]) if '"kind":"op"' in l]
assert ops and all(o["model_name"] == "deep.model" for o in ops)
print("ok")
EOF
[ $? -eq 0 ] && say_ok "a $((${#long} + 14))-byte path: cut and flagged in the record, the model still named" ||
    { say_fail "long path"; show "$T/p3" 10; }

# --- malformed and split descriptions (tool_genstream) -----------------------------------------------
# A split text (two parts), then descriptions whose numbers do not agree, then one operator each.
p1=$(printf '%0288d' 7 | tr 0 1)
cat >"$T/bad.spec" <<EOF
4294967295|none|aclsub.stream_start|host=h clock=monotonic cmd=x|100|100|pid=7|arg1=1|arg2=1000000000
1|none|net|/m/net.om|200|200|pid=7|kind=model|index=1|arg0=2|arg3=1|dev=3
1|none|Conv|$p1|200|200|pid=7|kind=opdesc|index=0|arg0=0|arg1=2|arg2=290|arg3=0
1|none|Conv|;9|200|200|pid=7|kind=opdesc|index=0|arg0=1|arg1=2|arg2=290|arg3=288
2|none|bad|/m/bad.om|200|200|pid=7|kind=model|index=1|arg0=4
2|none|Relu|x|200|200|pid=7|kind=opdesc|index=0|arg0=3|arg1=2|arg2=1|arg3=0
2|none|Relu|x|200|200|pid=7|kind=opdesc|index=0|arg0=0|arg1=1|arg2=99999999|arg3=0
2|none|Relu|x|200|200|pid=7|kind=opdesc|index=0|arg0=0|arg1=1|arg2=5|arg3=0
2|none|Relu|xy|200|200|pid=7|kind=opdesc|index=99999999|arg0=0|arg1=1|arg2=2|arg3=0
1|op|Conv|c|1000|2000|pid=7|index=0
2|op|Relu|r|1000|2000|pid=7|index=0
EOF
"$GEN" "$T/bad.spec" "$T/bad.rec" && "$ACLSUB" decode list -f csv "$T/bad.rec" >"$T/bad.csv" 2>"$T/bad.err"
rc=$?
$PY - "$T/bad.csv" "$p1" <<'EOF' >"$T/p4" 2>&1
import csv, sys
rows = {r["Model ID"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
a, b = rows["1"], rows["2"]
assert a["Model Name"] == "net" and a["Device_id"] == "0", a
assert a["Input Shapes"] == sys.argv[2] + ";9" and a["Input Data Types"] == "", a  # two parts put together
assert b["Model Name"] == "bad" and b["Input Shapes"] == "N/A", b              # no valid text
print("ok")
EOF
py=$?
[ $rc -eq 0 ] && [ $py -eq 0 ] && grep -q "^aclsub decode: 4 malformed description record(s) ignored$" "$T/bad.err"
[ $? -eq 0 ] && say_ok "malformed descriptions: 4 counted and ignored, exit 0; a text in two parts joined" ||
    { say_fail "malformed descriptions (exit $rc)"; show "$T/p4" 10; show "$T/bad.err" 5; }

end_checks
