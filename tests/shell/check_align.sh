#!/bin/sh
# check_align.sh BUILD - recordings of two hosts decoded together on one
# timeline (`aclsub decode --align`): each host's device clock is mapped
# onto the realtime clock through its stream start's anchor, the streams of
# one host share one mapping (their monotonic distances stay exact), the
# merged order and the times are those Python computes from the anchors
# written in the specs below, the Chrome trace puts both hosts on one
# timeline, --from/--to work on the aligned times, --align=none keeps the
# device clocks, one host alone is left as it is, and a host that appears
# only after the start of the inputs is reported.  Two hosts' processes of
# one pid stay two processes: in the trace, in the summary by model, and in
# the report of a stream that did not end.
SUBJECT=align
. tests/shell/lib.sh
require_built "$ACLSUB" "$GEN"

RT_A=1700000000000000000
RT_B=1700000000000000500
# Host alpha: two processes; pid 101's own anchor is 100 ns off alpha's
# first one (two clock reads), which must not move its records.
cat >"$T/a.spec" <<EOS
4294967295|none|aclsub.stream_start|host=alpha clock=monotonic cmd=./a|1000|1000|pid=100|arg0=1|arg1=1|arg2=$RT_A
1|op|Conv|a.conv|2000|3000|pid=100
1|op|Relu|a.relu|5000|5500|pid=100
4294967295|none|aclsub.stream_start|host=alpha clock=monotonic cmd=./a2|4000|4000|pid=101|arg0=1|arg1=1|arg2=$((RT_A + 3100))
1|op|Add|a2.add|4500|4700|pid=101
4294967295|none|aclsub.stream_end|records=2 dropped=0 models=1|9000|9000|pid=100|arg0=2
4294967295|none|aclsub.stream_end|records=1 dropped=0 models=1|9100|9100|pid=101|arg0=1
EOS
# Host beta: its monotonic clock is half a millisecond ahead of alpha's.
cat >"$T/b.spec" <<EOS
4294967295|none|aclsub.stream_start|host=beta clock=monotonic cmd=./b|500000|500000|pid=300|arg0=1|arg1=1|arg2=$RT_B
1|op|MatMul|b.mm|501000|503500|pid=300
1|op|Relu|b.relu|504000|504200|pid=300
4294967295|none|aclsub.stream_end|records=2 dropped=0 models=1|600000|600000|pid=300|arg0=2
EOS
"$GEN" "$T/a.spec" "$T/a.rec" >/dev/null && "$GEN" "$T/b.spec" "$T/b.rec" >/dev/null || exit 1
cd "$T" || exit 1

# expect.py MODE SPEC... - the records the specs describe, as "kind name pid start end" lines in
# time order, with times mapped as --align=MODE maps them (realtime: each host's first anchor).
cat >expect.py <<'EOF'
import sys
mode, specs = sys.argv[1], sys.argv[2:]
offset, rows = {}, []
for spec in specs:
    host_of = {}
    for line in open(spec):
        f = line.rstrip("\n").split("|")
        kv = dict(x.split("=", 1) for x in f[6:])
        pid, start, end = int(kv["pid"]), int(f[4]), int(f[5])
        if f[2] == "aclsub.stream_start":
            host = f[3].split("host=")[1].split(" ")[0]
            host_of[pid] = host
            offset.setdefault(host, int(kv["arg2"]) - start)
        off = offset[host_of[pid]] if mode == "realtime" else 0
        kind = {"aclsub.stream_start": "stream_start", "aclsub.stream_end": "stream_end"}.get(f[2], "op")
        rows.append((start + off, kind, f[3], pid, end + off))
for start, kind, name, pid, end in sorted(rows, key=lambda r: (r[0], r[1] == "op")):
    print(kind, name.split(" ")[0], pid, start, end)
EOF
# got.py - the same lines from a JSON Lines list, in the order written.
cat >got.py <<'EOF'
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    print(r["kind"], r["name"].split(" ")[0], r["pid"], r["start_ns"], r["end_ns"])
EOF

"$ACLSUB" decode list -f jsonl a.rec b.rec >two.jsonl 2>two.err
st=$?
$PY got.py <two.jsonl >two.got
$PY expect.py realtime a.spec b.spec >two.want
begin "two hosts: merged in the order and at the times the anchors give"
eq "exit status" "$st" 0
need "order or times differ from the anchors' (two.want)" cmp -s two.got two.want
finish two.err two.got two.want

begin "two hosts: the alignment and each host's offset said on stderr"
need "no line saying the timeline is realtime" grep -q "2 clock(s) .*the realtime clock in ns since 1970" two.err
need "no offset of alpha" grep -q "host alpha: realtime = device clock + $((RT_A - 1000)) ns (stream start of pid 100 in a.rec)" two.err
need "no offset of beta" grep -q "host beta: realtime = device clock + $((RT_B - 500000)) ns (stream start of pid 300 in b.rec)" two.err
finish two.err

"$ACLSUB" decode list -f jsonl --order input b.rec a.rec 2>/dev/null | $PY got.py | sort >seq.got
$PY expect.py realtime a.spec b.spec | sort >seq.want
begin "--order input: the same aligned times, inputs one after the other"
need "times differ" cmp -s seq.got seq.want
finish seq.got seq.want

"$ACLSUB" decode list -f jsonl --align=none a.rec b.rec >none.jsonl 2>none.err
$PY got.py <none.jsonl >none.got
$PY expect.py none a.spec b.spec >none.want
begin "--align=none: each device clock as recorded, nothing said"
need "times differ from the specs'" cmp -s none.got none.want
need "stderr not empty" eval '[ ! -s none.err ]'
finish none.err none.got none.want

"$ACLSUB" decode list -f jsonl a.rec >one.jsonl 2>one.err
$PY got.py <one.jsonl >one.got
$PY expect.py none a.spec >one.want
begin "one host: its streams keep their monotonic times (auto)"
need "times differ from the spec's" cmp -s one.got one.want
need "stderr not empty" eval '[ ! -s one.err ]'
finish one.err one.got

"$ACLSUB" decode list -f jsonl --align=realtime a.rec 2>rt.err | $PY got.py >rt.got
$PY expect.py realtime a.spec >rt.want
begin "--align=realtime: one host mapped as well"
need "times differ from the anchor's" cmp -s rt.got rt.want
need "no offset of alpha" grep -q "host alpha: realtime = device clock +" rt.err
finish rt.err rt.got rt.want

# The Chrome trace: microseconds from the first record, both hosts' events on the one timeline.
"$ACLSUB" decode list -f chrome a.rec b.rec >t.json 2>/dev/null
$PY - t.json two.want >chrome.out 2>&1 <<'EOF'
import json, sys
ev = {e["name"]: e for e in json.load(open(sys.argv[1])) if e.get("ph") == "X"}
want = [l.split() for l in open(sys.argv[2])]
base = min(int(w[3]) for w in want)
bad = []
for kind, name, pid, start, end in want:
    if kind != "op":
        continue
    e = ev.get(name)
    ts = round(float(e["ts"]) * 1000) if e else None
    if ts != int(start) - base or e["pid"] != int(pid):
        bad.append("%s: ts %s, expected %d ns" % (name, ts, int(start) - base))
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
st=$?
begin "chrome: both hosts' operators at their aligned times from the first record"
eq "check status" "$st" 0
finish chrome.out

# --from/--to on the aligned times: relative to the first record, and absolute with @.
"$ACLSUB" decode list -f jsonl --from 1us --to 3us a.rec b.rec 2>rel.err | $PY got.py >rel.got
awk -v lo=$((RT_A + 1000)) -v hi=$((RT_A + 3000)) '$4 >= lo && $4 <= hi' two.want >rel.want
begin "--from/--to relative: counted from the first aligned record"
need "rows differ" cmp -s rel.got rel.want
need "no base line" grep -q "times relative to $RT_A ns (the first record)" rel.err
finish rel.err rel.got rel.want

"$ACLSUB" decode summary -f csv --from @$((RT_A + 1400)) --to @$((RT_A + 4000)) a.rec b.rec 2>abs.err |
    $PY -c 'import csv,sys; print(" ".join(sorted(r["OP Type"] + ":" + r["Count"] for r in csv.DictReader(sys.stdin))))' >abs.got
begin "--from/--to @T: the summary of the operators starting in the aligned window"
eq "groups" "$(cat abs.got)" "Add:1 MatMul:1 Relu:1"
finish abs.err

# A host met only after the start of the inputs (standard input is not looked at twice).
"$ACLSUB" decode list -f jsonl a.rec - <b.rec >late.jsonl 2>late.err
st=$?
$PY got.py <late.jsonl | grep b.mm >late.got
begin "auto: a host appearing later is reported and left on its device clock"
eq "exit status" "$st" 0
need "no line about the late host" grep -q "host beta (pid 300 in <stdin>) appeared after the start of the inputs" late.err
eq "b.mm" "$(cat late.got)" "op b.mm 300 501000 503500"
finish late.err

# One host met only on standard input: nothing to align, nothing said.
"$ACLSUB" decode list -f jsonl - <a.rec >fifo1.jsonl 2>fifo1.err
begin "auto: one host on standard input only: no alignment, nothing said"
need "stderr not empty" eval '[ ! -s fifo1.err ]'
need "times differ from the spec's" eval '$PY got.py <fifo1.jsonl | cmp -s - one.want'
finish fifo1.err

"$ACLSUB" decode list --align=sideways a.rec >bad.out 2>bad.err
st=$?
begin "--align=sideways: one line naming it, exit 1"
eq "exit status" "$st" 1
eq "stderr" "$(cat bad.err)" "aclsub decode: unknown --align (auto, realtime or none) 'sideways' (try 'aclsub decode --help')"
need "stdout not empty" eval '[ ! -s bad.out ]'
finish bad.err

# Two hosts whose processes have the same pid (containers: each rank's main process is pid 100) and
# the same model: two processes in the trace, two rows in the summary, and beta's stream, which has
# no stream end, reported as beta's although alpha's pid 100 ended.
cat >same_a.spec <<EOS
4294967295|none|aclsub.stream_start|host=alpha clock=monotonic cmd=./rank0|1000|1000|pid=100|arg0=1|arg1=1|arg2=$RT_A
1|none|cnn|/m/cnn.om|1100|1100|pid=100|kind=model|index=2
1|op|Conv|r0.conv|2000|3000|pid=100|index=0
1|op|Relu|r0.relu|3000|3200|pid=100|index=1
4294967295|none|aclsub.stream_end|records=2 dropped=0 models=1|9000|9000|pid=100|arg0=2
EOS
cat >same_b.spec <<EOS
4294967295|none|aclsub.stream_start|host=beta clock=monotonic cmd=./rank1|500000|500000|pid=100|arg0=1|arg1=1|arg2=$RT_B
1|none|cnn|/m/cnn.om|500100|500100|pid=100|kind=model|index=2
1|op|Conv|r1.conv|501000|502500|pid=100|index=0
1|op|Relu|r1.relu|502500|502600|pid=100|index=1
1|op|Relu|r1.relu|503000|503100|pid=100|index=1
EOS
"$GEN" same_a.spec same_a.rec >/dev/null && "$GEN" same_b.spec same_b.rec >/dev/null || exit 1

"$ACLSUB" decode list -f chrome same_a.rec same_b.rec >same.json 2>same.err
st=$?
$PY - same.json >same.out 2>&1 <<'EOF'
import collections, json, sys
ev = json.load(open(sys.argv[1]))
procs = {e["pid"]: e["args"]["name"] for e in ev if e.get("ph") == "M" and e["name"] == "process_name"}
want = {100: "./rank0 (pid 100 on alpha)", 1000000001: "./rank1 (pid 100 on beta)"}
assert procs == want, procs
ops = collections.defaultdict(list)
for e in ev:
    if e.get("ph") == "X":
        ops[e["pid"]].append(e["name"])
assert sorted(ops[100]) == ["r0.conv", "r0.relu"] and sorted(ops[1000000001]) == ["r1.conv", "r1.relu", "r1.relu"], ops
assert len(ops) == 2, ops
EOF
pst=$?
begin "chrome: two hosts' processes of one pid are two processes, each with its own operators"
eq "exit status" "$st" 0
eq "check status" "$pst" 0
finish same.out same.err

"$ACLSUB" decode summary --by model same_a.rec same_b.rec >same.table 2>same.err
begin "summary --by model: the same model of two hosts' pid 100 on two rows, named by host"
need "no row of alpha's cnn" grep -q "^cnn (model 1, pid 100 on alpha)  *2 " same.table
need "no row of beta's cnn" grep -q "^cnn (model 1, pid 100 on beta)  *3 " same.table
need "beta's stream not reported incomplete by its host" grep -qx "aclsub decode: pid 100 on beta: stream incomplete (a stream start and no stream end)" same.err
need "alpha's stream reported incomplete" eval '! grep -q "pid 100 on alpha: stream incomplete" same.err'
finish same.table same.err

"$ACLSUB" decode summary --by model -f jsonl same_a.rec same_b.rec 2>/dev/null |
    $PY -c 'import json,sys; print(" ".join("%s:%s:%d" % (r.get("host"), r["pid"], r["count"]) for r in map(json.loads, sys.stdin)))' >same.jsonl.got
"$ACLSUB" decode summary --by model -f csv same_a.rec same_b.rec 2>/dev/null |
    $PY -c 'import csv,sys; print(" ".join("%s:%s:%s" % (r["Host"], r["Process ID"], r["Count"]) for r in csv.DictReader(sys.stdin)))' >same.csv.got 2>&1
begin "summary --by model, JSON Lines and CSV: the host beside the shared pid"
eq "jsonl" "$(cat same.jsonl.got)" "beta:100:3 alpha:100:2"
eq "csv" "$(cat same.csv.got)" "beta:100:3 alpha:100:2"
finish

# A hostile anchor (realtime before the epoch's start of the device clock) saturates at 0.
cat >h.spec <<EOS
4294967295|none|aclsub.stream_start|host=gamma clock=monotonic cmd=./h|9000000|9000000|pid=7|arg0=1|arg1=1|arg2=5
1|op|Conv|h.conv|1000|2000|pid=7
EOS
"$GEN" h.spec h.rec >/dev/null
"$ACLSUB" decode list -f jsonl a.rec h.rec 2>h.err | $PY got.py | grep h.conv >h.got
st=$?
begin "an anchor that maps before 1970: times saturate at 0, no crash"
eq "h.conv" "$(cat h.got)" "op h.conv 7 0 0"
finish h.err
end_checks
