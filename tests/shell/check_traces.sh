#!/bin/sh
# check_traces.sh BUILD - the trace outputs of `aclsub decode`: the Chrome
# trace (--format chrome) and its gzip and split files, each read back by an
# independent consumer: Python's json module and gzip.  What they read is
# compared with the records themselves, read here from their bytes
# (docs/FORMAT.md), not with another output of the decoder.
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

def cmd_of(rec):
    return rec["name"].split(b"cmd=", 1)[1] if b"cmd=" in rec["name"] else None

def host_of(rec):
    n = rec["name"]
    return n.split(b"host=", 1)[1].split(b" ")[0] if b"host=" in n else b""

def as_json_text(b):
    """The decoder's JSON strings: valid UTF-8 kept, each byte of an invalid sequence as U+00XX."""
    return "".join(chr(ord(c) - 0xdc00) if "\udc80" <= c <= "\udcff" else c
                   for c in b.decode("utf-8", errors="surrogateescape"))

EOF

# --- Chrome trace ---------------------------------------------------------------------------
cat >"$T/chrome_check.py" <<'EOF'
import collections, json, sys
sys.path.insert(0, sys.argv[1])
from rec import records, cmd_of, as_json_text
ev = json.load(open(sys.argv[2], encoding="utf-8"))
recs = [r for p in sys.argv[3:] for r in records(p)]
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
    assert set(e["args"]) == {"model", "iteration"}, e["args"]
    assert threads[(e["pid"], e["tid"])].startswith("model %d stream " % e["args"]["model"])
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
chrome_ok() { # name, inputs...: the trace of the inputs against their records
    name=$1
    shift
    $ACLSUB decode list -f chrome "$@" >"$T/c.json" 2>"$T/c.err"
    rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 2 ] || { echo "  exit $rc"; return 1; }
    $PY "$T/chrome_check.py" "$T" "$T/c.json" "$@" >"$T/c.out" 2>&1 || { show "$T/c.out" 10; return 1; }
}
chrome_ok app "$T/app.rec"; check "chrome, 100 executes recorded: every operator inside its execute, in doubles" $?
[ "$(cat "$T/c.out")" = "100 $((100 * CNN_OPS))" ]; check "chrome: 100 executes, $CNN_OPS operators each, checked" $?
chrome_ok views "$T/v.rec"; check "chrome, two processes: names, no pid 0, minimal args" $?
chrome_ok hostile "$T/h.rec"; check "chrome, names with quotes, CR, control bytes, invalid UTF-8: strict JSON" $?
chrome_ok merged "$T/v.rec" "$T/app.rec"; check "chrome, two inputs merged" $?

# --- gzip and split files -------------------------------------------------------------------
for f in chrome; do
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
    raise ValueError(kind)
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
split_ok chrome json "$T/long.rec" "--split-time 2" 3; check "chrome --split-time 2 over 5 s of trace ($(cat "$T/s.out") files)" $?
rm -f "$T"/s-*
$ACLSUB decode list -f chrome -o "$T/s.json.gz" --split-time 2 "$T/long.rec" 2>/dev/null &&
    for f in "$T"/s-000[123].json.gz; do gzip -dc "$f" | $PY -c 'import json,sys; json.load(sys.stdin)' || exit 1; done
check "split and gzip together: s-0001.json.gz... each a gzip of strict JSON" $?
$ACLSUB decode list -f chrome --split-size 1 "$T/v.rec" >/dev/null 2>&1; [ $? -eq 1 ]; check "--split-size without -o exits 1" $?
$ACLSUB decode summary --gzip "$T/v.rec" >/dev/null 2>&1; [ $? -eq 1 ]; check "--gzip with a table exits 1" $?

end_checks
