#!/bin/sh
# check_traces.sh BUILD - the trace and database outputs of `aclsub decode`:
# the Chrome trace (--format chrome), Perfetto's protobuf (--format perfetto),
# gzip and split files, and the SQLite database (--format sqlite), each read
# back by an independent consumer: Python's json module; a reader of the
# protobuf wire format written here from Perfetto's published schema
# (protos/perfetto/trace: Trace.packet = 1; TracePacket timestamp = 8,
# trusted_packet_sequence_id = 10, track_event = 11, track_descriptor = 60;
# TrackDescriptor uuid = 1, name = 2, process = 3, thread = 4; ProcessDescriptor
# pid = 1, process_name = 6; ThreadDescriptor pid = 1, tid = 2, thread_name = 5;
# TrackEvent type = 9 (1 begin, 2 end, 3 instant), track_uuid = 11,
# categories = 22, name = 23, debug_annotations = 4; DebugAnnotation
# name = 10, uint_value = 3); gzip; and the sqlite3 shell.  What they read is
# compared with the records themselves, read here from their bytes
# (docs/FORMAT.md), not with another output of the decoder.  Recordings of
# three hosts whose processes have one pid make a process each in both
# traces, numbered and named as aclsub-decode(1) says.
SUBJECT=traces
. tests/shell/lib.sh
require_built "$ACLSUB" "$GEN" "$APP" "$CNN" "$LIBACLSUB"
check() { # name, condition result
    if [ "$2" -eq 0 ]; then say_ok "$1"; else say_fail "$1"; fi
}
PRE=$LIBACLSUB
[ -n "$ASAN_LIB" ] && PRE="$ASAN_LIB $LIBACLSUB"

# --- inputs: the views spec, hostile names, a recording, long streams ----------------
$GEN tests/data/views.spec "$T/v.rec" || exit 1
printf '%s\n' \
    '4294967295|none|aclsub.stream_start|host=h"q clock=monotonic cmd=./a "b" \c|10|10|pid=7|arg0=1|arg1=1|arg2=99' \
    '1|op|T"y\pe|na"me\,x|100|200|pid=7' \
    '1|op|Conv|bad '"$(printf '\377\376\345\220')"' utf8 '"$(printf '\r\001')"'|200|300|pid=7' \
    '1|subgraph|na|keypoint_op|100|300|pid=7' >"$T/h.spec"
$GEN "$T/h.spec" "$T/h.rec" || exit 1
(env LD_PRELOAD="$PRE" ACLSUB_OUTPUT="$T/app.rec" "$APP" "$CNN" 100 >"$T/app.out" 2>&1) || {
    say_fail "recording app_plain under the interposer"
    show "$T/app.out" 20
    exit 1
}
$GEN tests/data/basic.spec "$T/long.rec" --repeat 5 --period 1000000000 || exit 1
$GEN tests/data/basic.spec "$T/big.rec" --repeat 20000 || exit 1

# The records, read from their bytes (FORMAT.md); kinds 0 op, 1 run, 16 start, 17 lost, 18 end.
cat >"$T/rec.py" <<'EOF'
import struct

def records(path):
    data = open(path, "rb").read()
    out = []
    for off in range(0, len(data) - 511, 512):
        r = data[off:off + 512]
        if r[80:84] != b"ACLS":
            continue
        model, flag = struct.unpack_from("<II", r, 4)
        index, dur, start, end = struct.unpack_from("<QQQQ", r, 16)
        kind = r[85]
        pid, stream, seq, iteration = struct.unpack_from("<IIQQ", r, 88)
        args = struct.unpack_from("<4Q", r, 128)
        typ = r[160:224].split(b"\0")[0]
        name = r[224:512].split(b"\0")[0]
        out.append(dict(model=model, kind=kind, index=index, dur=dur, start=start, end=end, pid=pid,
                        stream=stream, seq=seq, iteration=iteration, args=args, type=typ, name=name))
    return out

def descriptions(recs):
    """(pid, model) -> (name, {op index: the six description fields}) from the model and operator descriptions."""
    out, parts = {}, {}
    for r in recs:
        if r["kind"] == 19:
            out[(r["pid"], r["model"])] = (as_json_text(r["type"]), {})
        elif r["kind"] == 20 and r["index"] < 2**63:
            parts.setdefault((r["pid"], r["model"], r["index"]), {})[r["args"][0]] = r
    for (pid, model, index), p in parts.items():
        if (pid, model) in out and sorted(p) == list(range(p[0]["args"][1])):
            text = b"".join(p[k]["name"] for k in sorted(p)).decode()
            out[(pid, model)][1][index] = text.split("|")
    return out

def cmd_of(rec):
    return rec["name"].split(b"cmd=", 1)[1] if b"cmd=" in rec["name"] else None

def host_of(rec):
    n = rec["name"]
    return n.split(b"host=", 1)[1].split(b" ")[0] if b"host=" in n else b""

def as_json_text(b):
    """The decoder's JSON strings: valid UTF-8 kept, each byte of an invalid sequence as U+00XX."""
    return "".join(chr(ord(c) - 0xdc00) if "\udc80" <= c <= "\udcff" else c
                   for c in b.decode("utf-8", errors="surrogateescape"))

def as_utf8(b):
    """Protobuf and SQLite strings: each byte of an invalid sequence becomes U+FFFD."""
    return "".join("\ufffd" if "\udc80" <= c <= "\udcff" else c
                   for c in b.decode("utf-8", errors="surrogateescape"))
EOF

# A reader of Perfetto's Trace protobuf (wire format: varints, length-delimited fields).
cat >"$T/pf.py" <<'EOF'
def fields(buf):
    """(field number, value) pairs; value an int (varint) or bytes (length-delimited)."""
    i, out = 0, []
    while i < len(buf):
        key, i = varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(buf, i)
        elif wt == 2:
            n, i = varint(buf, i)
            v = buf[i:i + n]
            assert len(v) == n, "truncated field"
            i += n
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wt)
        out.append((num, v))
    return out

def varint(buf, i):
    shift = v = 0
    while True:
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return v, i

def one(fs, num, default=None):
    vs = [v for n, v in fs if n == num]
    return vs[-1] if vs else default

def text(b):
    return b.decode("utf-8")  # strict: every string must be valid UTF-8

def read(data):
    """The packets of a trace as dicts: descriptors, slices (paired per track) and instants."""
    procs, threads, names, events = {}, {}, {}, []
    last_ts = 0
    for num, pk in fields(data):
        assert num == 1, "Trace has only packet = 1"
        f = fields(pk)
        assert one(f, 10) == 1, "trusted_packet_sequence_id"
        td = one(f, 60)
        if td is not None:
            t = fields(td)
            uuid, name = one(t, 1), text(one(t, 2, b""))
            names[uuid] = name
            if one(t, 3) is not None:
                p = fields(one(t, 3))
                procs[uuid] = (one(p, 1), text(one(p, 6, b"")))
            if one(t, 4) is not None:
                th = fields(one(t, 4))
                threads[uuid] = (one(th, 1), one(th, 2), text(one(th, 5, b"")))
        te = one(f, 11)
        if te is not None:
            ts = one(f, 8)
            assert ts >= last_ts, "packets in time order"
            last_ts = ts
            e = fields(te)
            ann = {}
            for a in [v for n, v in e if n == 4]:
                af = fields(a)
                ann[text(one(af, 10))] = one(af, 3) if one(af, 3) is not None else text(one(af, 6, b""))
            events.append(dict(ts=ts, type=one(e, 9), track=one(e, 11), name=one(e, 23),
                               cats=[text(v) for n, v in e if n == 22], ann=ann))
            if events[-1]["name"] is not None:
                events[-1]["name"] = text(events[-1]["name"])
    return procs, threads, names, events

def slices(events):
    """Begin/end pairs per track: (track, start, end, name, cats, ann, depth, parent index)."""
    stacks, out, instants = {}, [], []
    for e in events:
        st = stacks.setdefault(e["track"], [])
        if e["type"] == 1:
            st.append(len(out))
            out.append([e["track"], e["ts"], None, e["name"], e["cats"], e["ann"], len(st) - 1,
                        st[-2] if len(st) > 1 else None])
        elif e["type"] == 2:
            assert st, "an end without a begin"
            out[st.pop()][2] = e["ts"]
        elif e["type"] == 3:
            instants.append(e)
    assert all(not st for st in stacks.values()), "slices left open"
    return out, instants
EOF

# --- Chrome trace ---------------------------------------------------------------------------
cat >"$T/chrome_check.py" <<'EOF'
import collections, json, sys
sys.path.insert(0, sys.argv[1])
from rec import records, cmd_of, as_json_text, descriptions
ev = json.load(open(sys.argv[2], encoding="utf-8"))
recs = [r for p in sys.argv[3:] for r in records(p)]
desc = descriptions(recs)
KEYS = ["input_shapes", "input_data_types", "input_formats", "output_shapes", "output_data_types", "output_formats"]
index = {}
base = min(r["start"] for r in recs)
assert all(e["pid"] != 0 for e in ev), "an event at pid 0"
procs = {e["pid"]: e["args"]["name"] for e in ev if e.get("ph") == "M" and e["name"] == "process_name"}
want = {r["pid"]: "pid %d" % r["pid"] for r in recs}
want.update({r["pid"]: as_json_text(cmd_of(r)) for r in recs if r["kind"] == 16 and cmd_of(r) is not None})
assert procs == want, (procs, want)
threads = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev if e.get("ph") == "M" and e["name"] == "thread_name"}
xs = [e for e in ev if e.get("ph") == "X"]
got = collections.Counter()
for e in xs:
    d = desc.get((e["pid"], e["args"]["model"]))
    want_args = {"model", "iteration"} | ({"model_name"} if d else set())
    if d and e["name"] != "execute":
        want_args |= set(KEYS)
        assert [e["args"][k] for k in KEYS] in d[1].values(), e["args"]
    assert set(e["args"]) == want_args, e["args"]
    assert not d or e["args"]["model_name"] == d[0], (e["args"], d[0])
    prefix = d[0] + ": " if d else ""
    assert threads[(e["pid"], e["tid"])].startswith(prefix + "model %d stream " % e["args"]["model"])
    got[(e["pid"], e["args"]["model"], e["args"]["iteration"], round(e["ts"] * 1000) + base,
         round(e["dur"] * 1000), e["name"], e["cat"])] += 1
exp = collections.Counter((r["pid"], r["model"], r["iteration"], r["start"], r["dur"],
                           "execute" if r["kind"] == 1 else as_json_text(r["name"]),
                           "execute" if r["kind"] == 1 else as_json_text(r["type"]))
                          for r in recs if r["kind"] in (0, 1))
assert got == exp, (got - exp, exp - got)
runs = [e for e in xs if e["name"] == "execute"]
ops = collections.defaultdict(list)
for e in xs:
    if e["name"] != "execute":
        ops[(e["pid"], e["tid"], e["args"]["model"], e["args"]["iteration"])].append(e)
n = 0
for r in runs:  # in doubles, as a viewer adds ts + dur
    for o in ops[(r["pid"], r["tid"], r["args"]["model"], r["args"]["iteration"])]:
        assert r["ts"] <= o["ts"] and o["ts"] + o["dur"] <= r["ts"] + r["dur"], (r, o)
        n += 1
assert n == sum(1 for e in xs if e["name"] != "execute"), "an operator outside its execute's track"
print(len(runs), n)
EOF
# The traces are checked against the records' own times: --align=none, since v.rec (host h) and a
# recording made here are two hosts, which would otherwise share the realtime clock (check_align.sh).
chrome_ok() { # name, inputs...: the trace of the inputs against their records
    name=$1
    shift
    $ACLSUB decode list --align=none -f chrome "$@" >"$T/c.json" 2>"$T/c.err"
    rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 2 ] || { echo "  exit $rc"; return 1; }
    $PY "$T/chrome_check.py" "$T" "$T/c.json" "$@" >"$T/c.out" 2>&1 || { show "$T/c.out" 10; return 1; }
}
chrome_ok app "$T/app.rec"; check "chrome, 100 executes recorded: every operator inside its execute, in doubles" $?
[ "$(cat "$T/c.out")" = "100 $((100 * CNN_OPS))" ]; check "chrome: 100 executes, $CNN_OPS operators each, checked" $?
chrome_ok views "$T/v.rec"; check "chrome, two processes: names, no pid 0, minimal args" $?
chrome_ok hostile "$T/h.rec"; check "chrome, names with quotes, CR, control bytes, invalid UTF-8: strict JSON" $?
chrome_ok merged "$T/v.rec" "$T/app.rec"; check "chrome, two inputs merged" $?

# --- Perfetto protobuf ----------------------------------------------------------------------
cat >"$T/pf_check.py" <<'EOF'
import collections, re, sys
sys.path.insert(0, sys.argv[1])
from rec import records, cmd_of, as_utf8, descriptions
from pf import read, slices
procs, threads, names, events = read(open(sys.argv[2], "rb").read())
recs = [r for p in sys.argv[3:] for r in records(p)]
desc = descriptions(recs)
want = {r["pid"]: "pid %d" % r["pid"] for r in recs}
want.update({r["pid"]: as_utf8(cmd_of(r)) for r in recs if r["kind"] == 16 and cmd_of(r) is not None})
got_procs = {pid: name for pid, name in procs.values()}
assert got_procs == want and len(procs) == len(want), (procs, want)
for uuid, (pid, name) in procs.items():
    assert names[uuid] == name
lanes = {}
for uuid, (pid, tid, name) in threads.items():
    m = re.fullmatch(r"(?:(.+): )?model (\d+) stream (\d+)( \(overlap \d+\))?", name)
    assert m and names[uuid] == name and pid in want and tid > 4194304, (pid, tid, name)
    d = desc.get((pid, int(m.group(2))))
    assert m.group(1) == (d[0] if d else None), (name, d)
    lanes[uuid] = (pid, int(m.group(2)), int(m.group(3)))
assert len({t[1] for t in threads.values()}) == len(threads), "tids unique"
sl, instants = slices(events)
got = collections.Counter()
for track, start, end, name, cats, ann, depth, parent in sl:
    pid, model, stream = lanes[track]
    d = desc.get((pid, model))
    assert ann["model"] == model and set(ann) >= {"model", "iteration"}
    assert ann.get("model_name") == (d[0] if d else None), ann
    if d and name != "execute":
        assert [ann.get(k) for k in ("input_shapes", "input_data_types", "input_formats", "output_shapes",
                                     "output_data_types", "output_formats")] in d[1].values(), ann
    ann = {k: ann[k] for k in ("model", "iteration", "model_name") if k in ann}
    got[(pid, model, stream, ann["iteration"], start, end, name, tuple(cats))] += 1
    if name == "execute":
        assert depth == 0, "an execute inside another slice"
    else:
        p = sl[parent]
        pann = {k: p[5][k] for k in ("model", "iteration", "model_name") if k in p[5]}
        assert p[3] == "execute" and pann == ann and p[1] <= start and end <= p[2], "operator outside its execute"
exp = collections.Counter((r["pid"], r["model"], r["stream"], r["iteration"], r["start"], r["end"],
                           "execute" if r["kind"] == 1 else as_utf8(r["name"]),
                           ("execute",) if r["kind"] == 1 else (as_utf8(r["type"]),))
                          for r in recs if r["kind"] in (0, 1))
assert got == exp, (got - exp, exp - got)
lost = sorted((e["ts"], e["ann"]["lost"]) for e in instants)
assert lost == sorted((r["start"], r["args"][0]) for r in recs if r["kind"] == 17), lost
print(sum(1 for s in sl if s[3] == "execute"), sum(1 for s in sl if s[3] != "execute"), len(procs), len(threads))
EOF
pf_ok() { # inputs...: the Perfetto trace of the inputs against their records
    $ACLSUB decode list --align=none -f perfetto "$@" >"$T/p.pftrace" 2>"$T/p.err"
    rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 2 ] || { echo "  exit $rc"; return 1; }
    $PY "$T/pf_check.py" "$T" "$T/p.pftrace" "$@" >"$T/p.out" 2>&1 || { show "$T/p.out" 10; return 1; }
}
pf_ok "$T/app.rec"; check "perfetto, 100 executes recorded: slices, nesting, tracks against the records" $?
[ "$(cat "$T/p.out")" = "100 $((100 * CNN_OPS)) 1 1" ]; check "perfetto: 100 executes, $CNN_OPS operators each, one process and one thread track" $?
pf_ok "$T/v.rec"; check "perfetto, two processes, two streams, records lost" $?
[ "$(cat "$T/p.out")" = "5 9 2 3" ]; check "perfetto: 5 executes, 9 operators, 2 process and 3 thread tracks" $?
pf_ok "$T/h.rec"; check "perfetto, hostile names: valid UTF-8 strings (U+FFFD for bad bytes)" $?
pf_ok "$T/v.rec" "$T/app.rec"; check "perfetto, two inputs merged" $?
$ACLSUB decode list -f perfetto -o "$T/o.pftrace" "$T/v.rec" 2>/dev/null && $ACLSUB decode list -f perfetto "$T/v.rec" 2>/dev/null | cmp -s - "$T/o.pftrace"
check "perfetto: -o FILE holds what stdout gets" $?
$ACLSUB decode list -f perfetto -o "$T/o.pftrace" "$T/v.rec" 2>"$T/e.err"; rc=$?
[ $rc -eq 1 ] && grep -q "exists" "$T/e.err" && $ACLSUB decode list -f perfetto "$T/v.rec" 2>/dev/null | cmp -s - "$T/o.pftrace"
check "-o refuses an existing file and leaves it as it was" $?

# --- two hosts, one pid ---------------------------------------------------------------------
# Three hosts' recordings whose main processes all have pid 100 (containers), at the same device
# times, model 1 a different model on each host: each (host, pid) must be a process of its own.
cat >"$T/ha.spec" <<'EOS'
4294967295|none|aclsub.stream_start|host=alpha clock=monotonic cmd=./train --rank 0|1000|1000|pid=100|arg0=1|arg1=1|arg2=1700000000000000000
1|none|resnet|/m/resnet.om|1100|1100|pid=100|kind=model|index=2
1|op|Conv|alpha.conv|2000|3000|pid=100|iter=0|index=0
1|op|Relu|alpha.relu|3000|3500|pid=100|iter=0|index=1
1|subgraph|na|keypoint_op|2000|3500|pid=100|iter=0|index=2
4294967295|none|aclsub.records_lost|lost=1 total=1|3600|3600|pid=100|arg0=1|arg1=1
1|op|Conv|alpha.conv|4000|5000|pid=100|iter=1|index=0|seq=4
1|subgraph|na|keypoint_op|4000|5000|pid=100|iter=1|index=2|seq=5
4294967295|none|aclsub.stream_end|records=5 dropped=1 models=1|9000|9000|pid=100|arg0=5|arg1=1|arg2=1
EOS
cat >"$T/hb.spec" <<'EOS'
4294967295|none|aclsub.stream_start|host=beta clock=monotonic cmd=./train --rank 1|1000|1000|pid=100|arg0=1|arg1=1|arg2=1700000000000000300
1|none|bert|/m/bert.om|1100|1100|pid=100|kind=model|index=2
1|op|MatMul|beta.matmul|2100|3100|pid=100|iter=0|index=0
1|op|Add|beta.add|3100|3400|pid=100|iter=0|index=1
1|subgraph|na|keypoint_op|2100|3400|pid=100|iter=0|index=2
4294967295|none|aclsub.stream_start|host=beta clock=monotonic cmd=./eval|1200|1200|pid=101|arg0=1|arg1=1|arg2=1700000000000000500
2|op|Softmax|beta.softmax|2500|2600|pid=101|iter=0|index=0
4294967295|none|aclsub.stream_end|records=3 dropped=0 models=1|9000|9000|pid=100|arg0=3
4294967295|none|aclsub.stream_end|records=1 dropped=0 models=1|9100|9100|pid=101|arg0=1
EOS
cat >"$T/hc.spec" <<'EOS'
4294967295|none|aclsub.stream_start|host=gamma clock=monotonic cmd=./train --rank 2|1000|1000|pid=100|arg0=1|arg1=1|arg2=1700000000000000900
1|op|Conv|gamma.conv|2050|2950|pid=100|iter=0|index=0
1|subgraph|na|keypoint_op|2050|2950|pid=100|iter=0|index=1
4294967295|none|aclsub.stream_end|records=2 dropped=0 models=1|9000|9000|pid=100|arg0=2
EOS
for h in ha hb hc; do $GEN "$T/$h.spec" "$T/$h.rec" >/dev/null || exit 1; done
# hosts_check.py DIR FORMAT TRACE MODEL NUMBERS INPUT... - the trace's processes are the hosts' (NUMBERS:
# "host:pid=number ..."), each named by its command line (or "pid N" when MODEL, a model filter, left
# its stream start out), with "(pid N on HOST)" when another host's process has its pid; every event
# of the records (of model MODEL, or all) is on its own host's process, on a lane named by that
# host's model; the records-lost notice on its own host's process.
cat >"$T/hosts_check.py" <<'EOF'
import collections, json, sys
sys.path.insert(0, sys.argv[1])
from rec import records, cmd_of, host_of, as_json_text, as_utf8
from pf import read, slices
fmt, trace, model_filter, numbering, paths = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:]
text = as_json_text if fmt == "chrome" else as_utf8
number = {(k.split(":")[0], int(k.split(":")[1])): int(n) for k, n in (x.split("=") for x in numbering.split())}
owner = {n: k for k, n in number.items()}
assert len(owner) == len(number), "numbers not distinct"
passes = lambda r: model_filter == "all" or r["model"] == int(model_filter)
hosts, cmds, desc, want, lost_want, starts = {}, {}, {}, collections.Counter(), [], []
for i, p in enumerate(paths):
    for r in records(p):
        if passes(r):
            starts.append(r["start"])
        if r["kind"] == 16:
            hosts[(i, r["pid"])] = host_of(r).decode()
            if passes(r):
                cmds[(hosts[(i, r["pid"])], r["pid"])] = text(cmd_of(r))
        k = (hosts[(i, r["pid"])], r["pid"])
        if r["kind"] == 19:
            desc[k + (r["model"],)] = text(r["type"])
        if r["kind"] == 17 and passes(r):
            lost_want.append((k, r["args"][0]))
        if r["kind"] in (0, 1) and passes(r):
            want[(k, r["model"], r["iteration"], r["start"], r["dur"], "execute" if r["kind"] == 1 else text(r["name"]),
                  "execute" if r["kind"] == 1 else text(r["type"]))] += 1
shown = {e[0] for e in want} | {k for k, n in lost_want}
pids = collections.Counter(pid for host, pid in number)
def name(k):
    host, pid = k
    cmd = cmds.get(k)
    if pids[pid] == 1 and number[k] == pid:
        return cmd if cmd is not None else "pid %d" % pid
    return "%s (pid %d on %s)" % (cmd, pid, host) if cmd is not None else "pid %d on %s" % (pid, host)
def check_procs(procs):
    want_procs = {number[k]: name(k) for k in shown}
    assert procs == want_procs, ("processes", procs, want_procs)
got, lost = collections.Counter(), []
def event(num, lane, model, iteration, start, dur, ename, cat, model_name):
    k = owner[num]  # a number no process was given: processes merged or numbered wrongly
    d = desc.get(k + (model,))
    assert lane.startswith((d + ": " if d else "") + "model %d stream " % model), (k, lane, d)
    assert model_name == d, (k, model_name, d)
    got[(k, model, iteration, start, dur, ename, cat)] += 1
if fmt == "chrome":
    ev = json.load(open(trace, encoding="utf-8"))
    base = min(starts)  # ts counts from the first record the filter passed
    procs = {e["pid"]: e["args"]["name"] for e in ev if e.get("ph") == "M" and e["name"] == "process_name"}
    lanes = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev if e.get("ph") == "M" and e["name"] == "thread_name"}
    check_procs(procs)
    for e in ev:
        if e.get("ph") == "X":
            event(e["pid"], lanes[(e["pid"], e["tid"])], e["args"]["model"], e["args"]["iteration"],
                  round(e["ts"] * 1000) + base, round(e["dur"] * 1000), e["name"], e["cat"], e["args"].get("model_name"))
        elif e.get("ph") == "i":
            lost.append((owner[e["pid"]], e["args"]["lost"]))
else:
    pr, threads, names, events = read(open(trace, "rb").read())
    procs = {pid: name for pid, name in pr.values()}
    assert len(procs) == len(pr), "two process tracks with one pid"
    uuid_pid = {uuid: pid for uuid, (pid, name) in pr.items()}
    check_procs(procs)
    sl, instants = slices(events)
    for track, start, end, ename, cats, ann, depth, parent in sl:
        pid, tid, lane = threads[track]
        event(pid, lane, ann["model"], ann["iteration"], start, end - start, ename, cats[0], ann.get("model_name"))
    lost = [(owner[uuid_pid[e["track"]]], e["ann"]["lost"]) for e in instants]
assert got == want, (got - want, want - got)
assert sorted(lost) == sorted(lost_want), (lost, lost_want)
print(len(procs), sum(got.values()))
EOF
HOSTS="alpha:100=100 beta:100=1000000001 gamma:100=1000000002 beta:101=101"
hosts_ok() { # format, model filter (all or an id): the trace of the three hosts' recordings
    model=""
    [ "$2" = all ] || model="--model $2"
    # shellcheck disable=SC2086 # $model: an option and its value, or nothing
    $ACLSUB decode list --align=none -f "$1" $model "$T/ha.rec" "$T/hb.rec" "$T/hc.rec" >"$T/hosts.$1" 2>"$T/hosts.err" ||
        { show "$T/hosts.err" 5; return 1; }
    $PY "$T/hosts_check.py" "$T" "$1" "$T/hosts.$1" "$2" "$HOSTS" "$T/ha.rec" "$T/hb.rec" "$T/hc.rec" >"$T/hosts.out" 2>&1 ||
        { show "$T/hosts.out" 10; return 1; }
}
hosts_ok chrome all; check "chrome, three hosts' processes of pid 100: one process each (pid 100, 1000000001, 1000000002), named with pid and host, with its own operators, on lanes named by its own models" $?
[ "$(cat "$T/hosts.out")" = "4 11" ]; check "chrome, three hosts: 4 processes, 11 events" $?
hosts_ok chrome 1; check "chrome --model 1 (the stream starts filtered out): the hosts' processes still apart, named 'pid 100 on HOST'" $?
hosts_ok perfetto all; check "perfetto, three hosts' processes of pid 100: a process descriptor each, with its own slices and lanes" $?
[ "$(cat "$T/hosts.out")" = "4 11" ]; check "perfetto, three hosts: 4 processes, 11 slices" $?
hosts_ok perfetto 1; check "perfetto --model 1: the hosts' processes still apart" $?

# --- gzip and split files -------------------------------------------------------------------
for f in chrome perfetto; do
    $ACLSUB decode list -f $f -o "$T/g.$f" "$T/app.rec" 2>/dev/null &&
        $ACLSUB decode list -f $f -o "$T/g1.$f.gz" "$T/app.rec" 2>/dev/null &&
        $ACLSUB decode list -f $f --gzip -o "$T/g2.$f" "$T/app.rec" 2>/dev/null &&
        $ACLSUB decode list -f $f --gzip "$T/app.rec" 2>/dev/null >"$T/g3.$f" &&
        gzip -dc "$T/g1.$f.gz" | cmp -s - "$T/g.$f" && gzip -dc <"$T/g2.$f" | cmp -s - "$T/g.$f" &&
        gzip -dc <"$T/g3.$f" | cmp -s - "$T/g.$f" && gzip -t "$T/g1.$f.gz" && [ "$(wc -c <"$T/g1.$f.gz")" -lt "$(wc -c <"$T/g.$f")" ]
    check "$f: gzip output (.gz name, --gzip to a file and to stdout) decompresses to the same bytes" $?
done

cat >"$T/split_check.py" <<'EOF'
import collections, glob, json, sys
sys.path.insert(0, sys.argv[1])
from pf import read, slices
kind, whole, pattern, nmin = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
files = sorted(glob.glob(pattern))
assert len(files) >= nmin, files
def events(path):
    if kind == "chrome":
        ev = json.load(open(path, encoding="utf-8"))           # each file stands alone
        names = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev if e["name"] == "thread_name"}
        procs = {e["pid"] for e in ev if e["name"] == "process_name"}
        xs = [e for e in ev if e["ph"] == "X"]
        assert all((e["pid"], e["tid"]) in names and e["pid"] in procs for e in xs), path
        return [json.dumps(e, sort_keys=True) for e in xs]
    procs, threads, names, evs = read(open(path, "rb").read())
    sl, _ = slices(evs)                                          # balanced in each file
    assert all(t in threads for t, *rest in sl) and threads, path
    return [repr((t, s, e, n, c, sorted(a.items()))) for t, s, e, n, c, a, d, p in sl]
parts = collections.Counter()
for f in files:
    ev = events(f)
    assert ev, f
    parts.update(ev)
assert parts == collections.Counter(events(whole)), "split files hold other events than the whole trace"
print(len(files))
EOF
split_ok() { # format, ext, input, split option, minimum number of files
    rm -f "$T"/s-*
    $ACLSUB decode list -f "$1" "$3" >"$T/whole.$2" 2>/dev/null
    $ACLSUB decode list -f "$1" -o "$T/s.$2" $4 "$3" 2>"$T/s.err" || { show "$T/s.err" 5; return 1; }
    [ ! -e "$T/s.$2" ] && $PY "$T/split_check.py" "$T" "$1" "$T/whole.$2" "$T/s-[0-9][0-9][0-9][0-9].$2" "$5" >"$T/s.out" 2>&1 ||
        { show "$T/s.out" 10; return 1; }
}
split_ok chrome json "$T/big.rec" "--split-size 4" 3; check "chrome --split-size 4: numbered files, each strict JSON, together every event ($(cat "$T/s.out") files)" $?
split_ok perfetto pftrace "$T/big.rec" "--split-size 2" 3; check "perfetto --split-size 2: each file balanced with its descriptors, together every slice ($(cat "$T/s.out") files)" $?
split_ok chrome json "$T/long.rec" "--split-time 2" 3; check "chrome --split-time 2 over 5 s of trace ($(cat "$T/s.out") files)" $?
split_ok perfetto pftrace "$T/long.rec" "--split-time 2" 3; check "perfetto --split-time 2 over 5 s of trace ($(cat "$T/s.out") files)" $?
rm -f "$T"/s-*
$ACLSUB decode list -f chrome -o "$T/s.json.gz" --split-time 2 "$T/long.rec" 2>/dev/null &&
    for f in "$T"/s-000[123].json.gz; do gzip -dc "$f" | $PY -c 'import json,sys; json.load(sys.stdin)' || exit 1; done
check "split and gzip together: s-0001.json.gz... each a gzip of strict JSON" $?
$ACLSUB decode list -f chrome --split-size 1 "$T/v.rec" >/dev/null 2>&1; [ $? -eq 1 ]; check "--split-size without -o exits 1" $?
$ACLSUB decode summary --gzip "$T/v.rec" >/dev/null 2>&1; [ $? -eq 1 ]; check "--gzip with a table exits 1" $?

# --- SQLite -----------------------------------------------------------------------------------
DB=$T/ops.db
$ACLSUB decode list -f sqlite -o "$DB" "$T/app.rec" "$T/v.rec" "$T/h.rec" 2>"$T/db.err"; rc=$?
[ $rc -eq 0 ] && [ -s "$DB" ]; check "sqlite: -o ops.db written" $?
q() { sqlite3 -bail -separator '|' "$DB" "$@"; }
$PY - "$T" "$T/app.rec" "$T/v.rec" "$T/h.rec" >"$T/db.want" <<'EOF'
import collections, sys
sys.path.insert(0, sys.argv[1])
from rec import records, cmd_of, host_of, as_utf8
recs = [(i, r) for i, p in enumerate(sys.argv[2:]) for r in records(p)]
by = collections.defaultdict(lambda: [0, 0])
for i, r in recs:
    if r["kind"] == 0:
        by[as_utf8(r["type"])][0] += 1
        by[as_utf8(r["type"])][1] += r["dur"]
for t in sorted(by):
    print("type|%s|%d|%d" % (t, by[t][0], by[t][1]))
print("executions|%d" % sum(1 for i, r in recs if r["kind"] == 0))
print("executes|%d|%d" % (sum(1 for i, r in recs if r["kind"] == 1), sum(r["dur"] for i, r in recs if r["kind"] == 1)))
for i, r in recs:
    if r["kind"] == 16:
        end = [e for j, e in recs if j == i and e["pid"] == r["pid"] and e["kind"] == 18]
        lost = [e["args"][0] for j, e in recs if j == i and e["pid"] == r["pid"] and e["kind"] == 17]
        print("stream|%d|%d|%s|%s|%d|%s|%s|%d|%d" % (i, r["pid"], as_utf8(host_of(r)), as_utf8(cmd_of(r)).replace("\r", "<CR>"), r["args"][2],
              end[0]["args"][0] if end else "", end[0]["args"][1] if end else "", len(lost), sum(lost)))
EOF
{
    q "select 'type', type, count(*), sum(duration_ns) from executions e join operators o on o.id = e.operator group by type order by type"
    q "select 'executions', count(*) from executions"
    q "select 'executes', count(*), sum(duration_ns) from executes"
    q "select 'stream', input, pid, host, replace(cmd, char(13), '<CR>'), realtime_ns, records, dropped, lost_notices, lost from streams order by input, pid"
} >"$T/db.got" 2>&1
diff "$T/db.want" "$T/db.got" >"$T/db.diff"; check "sqlite3 shell: operators per type, executions, executes, streams equal the records" $?
[ -s "$T/db.diff" ] && show "$T/db.diff" 10

# op_statistic equals decode summary's counts and totals per type (one device here)
$ACLSUB decode summary -f csv "$T/app.rec" "$T/v.rec" "$T/h.rec" 2>/dev/null |
    $PY -c 'import csv,sys
for r in sorted(csv.DictReader(sys.stdin), key=lambda r: r["OP Type"]): print("%s|%s|%s" % (r["OP Type"], r["Count"], r["total_ns"]))' >"$T/sum.want"
q 'select "OP Type", "Count", cast(round("Total Time(us)" * 1000) as integer) from op_statistic order by "OP Type"' >"$T/sum.got" 2>&1
# Invalid UTF-8: the CSV escapes each byte as \xNN (and a backslash as \\), the database holds U+FFFD
# and the backslash itself; a run of either replacement is '?'.
sed -E 's/(\xef\xbf\xbd)+/?/g' "$T/sum.got" >"$T/sum.got2"
sed -E 's/(\\x[0-9a-fA-F]{2})+/?/g; s/\\\\/\\/g; s/(\xef\xbf\xbd)+/?/g' "$T/sum.want" >"$T/sum.want2"
cmp -s "$T/sum.want" "$T/sum.got" || cmp -s "$T/sum.want2" "$T/sum.got2"
check "sqlite op_statistic: Count and Total Time(us) per OP Type equal decode summary's" $?
n=$(q 'select count(*) from op_summary'); eq=$(q 'select count(*) from executions')
[ "$n" = "$eq" ] && q 'select "Op Name", "OP Type", "Task Duration(us)" from op_summary limit 1' | grep -q '|'
check "sqlite op_summary: one row per operator execution, msprof's column names" $?
q 'select round(sum("Ratio(%)"), 6) from op_statistic' | grep -qx '100.0'; check "sqlite op_statistic: Ratio(%) sums to 100" $?
[ "$(q "select count(*) from models where cmd is not null and host = 'h'")" = 3 ] &&
    [ "$(q "select count(*) from models m join streams s on s.id = m.stream where s.input > 0 and m.name is not null")" = 0 ] &&
    [ "$(q 'select count(*) from operators o join models m on m.id = o.model where m.name is null and
            o.input_shapes is null')" = "$(q 'select count(*) from operators o join models m on m.id = o.model
            where m.name is null')" ]
check "sqlite models carry the stream's host and cmd; undescribed streams: name and shape columns NULL" $?
# The recorded stream (input 0) describes its model: name and file from the load, shapes on every operator.
[ "$(q "select name, file from models m join streams s on s.id = m.stream where s.input = 0")" = "cnn|$CNN" ] &&
    [ "$(q "select count(*) from operators o join models m on m.id = o.model join streams s on s.id = m.stream
            where s.input = 0 and o.output_shapes is not null and o.output_data_types like 'DT_%'")" = \
      "$(q "select count(*) from operators o join models m on m.id = o.model join streams s on s.id = m.stream
            where s.input = 0")" ]
check "sqlite: a recorded model has its name, file and every operator's shapes" $?
q "select name from operators where name like 'na\"me%'" | grep -q '^na"me\\,x$'; check "sqlite: quotes and backslashes stored as given (bound parameters)" $?
q "select name from operators where name like 'bad %'" | $PY -c 'import sys; s = sys.stdin.buffer.read().decode("utf-8"); assert "\ufffd" in s' 
check "sqlite: invalid UTF-8 stored as U+FFFD, text valid" $?
$ACLSUB decode list -f sqlite -o "$DB" "$T/v.rec" 2>"$T/e.err"; rc=$?
[ $rc -eq 1 ] && grep -q exists "$T/e.err" && [ "$(q 'select count(*) from executions')" = "$eq" ]
check "sqlite: an existing database is left as it is, exit 1" $?
$ACLSUB decode list -f sqlite "$T/v.rec" >/dev/null 2>&1; [ $? -eq 1 ]; check "sqlite without -o exits 1" $?

end_checks
