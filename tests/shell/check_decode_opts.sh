#!/bin/sh
# check_decode_opts.sh BUILD - the options of `aclsub decode` that choose
# what is written and where: -o FILE (created 0600, never half-written, an
# existing FILE refused unless --force, no file when decoding fails; a FIFO
# or device written into and never replaced, a link replaced but not its
# target, a directory refused), an
# input that cannot be opened (its error alone, exit 1), --from/--to with
# units relative to the first record or absolute, and the exclude filters.
# Outputs are read back with Python's csv and json modules and
# compared with what the spec below says, computed here independently.
SUBJECT="decode opts"
. tests/shell/lib.sh
require_built "$ACLSUB" "$GEN"

# Two executes of three operators, times in ns from 1000000000 (the first record).
cat >"$T/o.spec" <<'EOS'
1|subgraph|na|keypoint_op|1000000000|1000009000
1|op|Conv|conv1|1000000000|1000002000
1|op|Relu|relu1|1000002000|1000003000
1|op|MatMul|fc1|1000003000|1000009000
1|subgraph|na|keypoint_op|1005000000|1005009000|iter=1
1|op|Conv|conv1|1005000000|1005002000|iter=1
1|op|Relu|relu1|1005002000|1005003000|iter=1
1|op|MatMul|fc1|1005003000|1005009000|iter=1
EOS
"$GEN" "$T/o.spec" "$T/o.rec" >/dev/null || exit 1

# --- -o FILE ----------------------------------------------------------------------------
cd "$T" || exit 1
"$ACLSUB" decode summary -o s.txt o.rec >o1.out 2>o1.err
st=$?
begin "-o FILE: the output in FILE, mode 0600, nothing on stdout"
eq "exit status" "$st" 0
eq "mode" "$(stat -c %a s.txt 2>/dev/null)" 600
need "stdout not empty" eval '[ ! -s o1.out ]'
need "FILE is not the summary" grep -q "^MatMul " s.txt
finish o1.err s.txt

cp s.txt s.keep
"$ACLSUB" decode list -f csv -o s.txt o.rec >/dev/null 2>o2.err
st=$?
begin "-o FILE refuses an existing FILE and leaves it as it was"
eq "exit status" "$st" 1
need "FILE changed" cmp -s s.txt s.keep
eq "error lines" "$(wc -l <o2.err)" 1
need "no line saying --force replaces it" grep -q "s.txt exists: left as it is (--force replaces it)" o2.err
finish o2.err

"$ACLSUB" decode list -f csv -o s.txt --force o.rec >/dev/null 2>o3.err
st=$?
begin "-o FILE --force replaces it"
eq "exit status" "$st" 0
need "FILE is not the CSV" grep -q "^Device_id,Model Name,Model ID," s.txt
finish o3.err

"$ACLSUB" decode summary -o n.txt o.rec missing.rec >o4.out 2>o4.err
st=$?
begin "an input that cannot be opened: its error alone, exit 1, no -o file"
eq "exit status" "$st" 1
need "a file was left" eval '[ -z "$(ls n.txt* 2>/dev/null)" ]'
eq "stderr" "$(cat o4.err)" "aclsub decode: missing.rec: No such file or directory"
finish o4.err
"$ACLSUB" decode summary missing.rec >o5.out 2>o5.err
st=$?
begin "without -o: no empty table beside the error"
eq "exit status" "$st" 1
need "something on stdout" eval '[ ! -s o5.out ]'
finish o5.out o5.err

if [ -d /proc/self ]; then
    # A FIFO nobody writes: decode waits; SIGTERM must remove the temporary file.
    mkfifo never.fifo
    "$ACLSUB" decode summary -o f.txt never.fifo 2>/dev/null &
    pid=$!
    BGPIDS="$BGPIDS $pid"
    sleep 0.3
    ls f.txt.tmp-* >/dev/null 2>&1
    had=$?
    kill "$pid"
    wait "$pid" 2>/dev/null
    begin "-o FILE: a decode ended by SIGTERM leaves neither FILE nor its temporary file"
    eq "temporary file while decoding (0: present)" "$had" 0
    need "a file was left" eval '[ -z "$(ls f.txt* 2>/dev/null)" ]'
    finish

    # A SIGHUP the caller ignores (nohup) is left to it: the decode goes on and FILE is made.
    mkfifo late.fifo
    (trap '' HUP && exec "$ACLSUB" decode summary -o h.txt late.fifo 2>h.err) &
    pid=$!
    BGPIDS="$BGPIDS $pid"
    sleep 0.3
    kill -HUP "$pid"
    sleep 0.1
    timeout 10 sh -c "cat o.rec >late.fifo" # never waits for good for a reader that is gone
    wait "$pid"
    st=$?
    begin "-o FILE with SIGHUP ignored (nohup): a SIGHUP changes nothing, FILE is made"
    eq "exit status" "$st" 0
    need "FILE is not the summary" grep -q "^MatMul " h.txt
    finish h.err
fi

# --- -o names a FIFO, a device, a link, a directory ------------------------------------------
# A FIFO: written into, the same bytes as stdout gets.
"$ACLSUB" decode list -f csv o.rec >want.csv 2>/dev/null
mkfifo out.fifo
cat out.fifo >got.csv &
rdr=$!
BGPIDS="$BGPIDS $rdr"
"$ACLSUB" decode list -f csv -o out.fifo --force o.rec >/dev/null 2>p1.err
st=$?
# The reader ends with the writer's close; a decode that never opened the FIFO
# must not hang the test: after 5 s the reader is ended.
n=0
while kill -0 "$rdr" 2>/dev/null && [ $n -lt 50 ]; do
    sleep 0.1
    n=$((n + 1))
done
kill "$rdr" 2>/dev/null
wait "$rdr" 2>/dev/null
begin "-o FIFO (--force too): written into, the bytes stdout gets; the FIFO stays"
eq "exit status" "$st" 0
need "the reader got other bytes" cmp -s got.csv want.csv
need "the FIFO was replaced" test -p out.fifo
finish p1.err
# A character device of its own (the null device's numbers), so that the machine's
# /dev/null is never at stake: --force must not remove it, for any output.
if mknod dev.null c 1 3 2>/dev/null && (echo x >dev.null) 2>/dev/null; then
    bad=""
    for args in "summary" "list -f chrome" "list -f perfetto" "list -f csv --control-csv dev.null -o ctl.csv"; do
        rm -f ctl.csv
        # shellcheck disable=SC2086
        case $args in *control*) "$ACLSUB" decode $args --force o.rec ;; *) "$ACLSUB" decode $args -o dev.null --force o.rec ;; esac \
            >/dev/null 2>p2.err || bad="$bad [$args: exit $?]"
        [ -c dev.null ] || { bad="$bad [$args: the device was replaced]"; rm -f dev.null; mknod dev.null c 1 3; }
    done
    "$ACLSUB" decode list -f sqlite -o dev.null --force o.rec >/dev/null 2>p3.err
    st=$?
    begin "-o DEVICE --force: written into, never replaced (summary, chrome, perfetto, --control-csv)"
    eq "failures" "$bad" ""
    finish p2.err
    begin "-o DEVICE for a database: refused, the device left as it is"
    eq "exit status" "$st" 1
    eq "stderr" "$(cat p3.err)" "aclsub decode: dev.null: not a regular file: a database needs one"
    need "the device was replaced" test -c dev.null
    finish p3.err
    ln -s dev.null dev.link
    "$ACLSUB" decode summary -o dev.link --force o.rec >/dev/null 2>p7.err
    st=$?
    begin "-o LINK to a device, --force: written into through the link; link and device stay"
    eq "exit status" "$st" 0
    need "the link was replaced" test -L dev.link
    need "the device was replaced" test -c dev.null
    finish p7.err
else
    say_skipped "-o DEVICE --force" "mknod needs root"
fi
echo keep >kept.txt
ln -s kept.txt out.link
"$ACLSUB" decode summary -o out.link o.rec >/dev/null 2>p4.err
st=$?
begin "-o LINK: refused, the link and its target as they were"
eq "exit status" "$st" 1
eq "stderr" "$(cat p4.err)" "aclsub decode: out.link exists: left as it is (--force replaces it)"
eq "target" "$(cat kept.txt)" keep
finish p4.err
"$ACLSUB" decode summary -o out.link --force o.rec >/dev/null 2>p5.err
st=$?
begin "-o LINK --force: the link replaced by the output, its target untouched"
eq "exit status" "$st" 0
need "still a link" eval '[ ! -L out.link ]'
need "not the summary" grep -q "^MatMul " out.link
eq "target" "$(cat kept.txt)" keep
finish p5.err
mkdir out.dir
"$ACLSUB" decode summary -o out.dir --force o.rec >/dev/null 2>p6.err
st=$?
begin "-o DIRECTORY --force: refused, one line"
eq "exit status" "$st" 1
eq "stderr" "$(cat p6.err)" "aclsub decode: out.dir: a directory: left as it is"
need "a file was left beside it" eval '[ -z "$(ls out.dir.tmp-* 2>/dev/null)" ]'
finish p6.err
cd "$ROOT" || exit 1

# --- --from/--to with units, exclude filters: JSON Lines read by Python's json ---------------
# sel ARGS... - the (iteration, name) pairs decode list -f jsonl ARGS selects, sorted, one line.
sel() {
    "$ACLSUB" decode list -f jsonl "$@" "$T/o.rec" 2>"$T/sel.err" |
        "$PY" -c 'import json, sys; print(sorted((r["iteration"], r["name"]) for r in map(json.loads, sys.stdin)))'
}
# want FILTER - the same pairs computed from the spec: FILTER is a Python expression on s (start - base), t, n.
want() {
    "$PY" - "$T/o.spec" "$1" <<'EOS'
import sys
rows = [l.split("|") for l in open(sys.argv[1]).read().split("\n") if l]
base = min(int(r[4]) for r in rows)
out = []
for r in rows:
    s, t, n = int(r[4]) - base, r[2], r[3]
    it = int(r[6].split("=")[1]) if len(r) > 6 else 0
    if eval(sys.argv[2]):
        out.append((it, n))
print(sorted(out))
EOS
}
check_sel() { # name, python filter, decode arguments...
    name=$1
    filter=$2
    shift 2
    got=$(sel "$@")
    begin "$name"
    eq "records" "$got" "$(want "$filter")"
    finish "$T/sel.err"
}
check_sel "--from 1ms: relative to the first record" "s >= 1000000" --from 1ms
check_sel "--to 2.5us --from 0: fractions and units" "s <= 2500" --from 0 --to 2.5us
check_sel "--from 5s: past the end gives nothing" "s >= 5000000000" --from 5s
check_sel "--from @T: the device clock" "s >= 5000000" --from @1005000000
check_sel "--absolute: both bounds on the device clock" "5000000 <= s <= 5002000" --absolute --from 1005000000 \
    --to 1005002000ns
check_sel "--exclude-type Relu,na" "t not in ('Relu', 'na')" --exclude-type Relu,na
check_sel "--exclude-name 'fc*' with --type Conv,MatMul" "t in ('Conv', 'MatMul') and not n.startswith('fc')" \
    --exclude-name 'fc*' --type Conv,MatMul
"$ACLSUB" decode list --from 1ms "$T/o.rec" >/dev/null 2>"$T/base.err"
begin "a relative window reports its base once on stderr"
eq "stderr" "$(cat "$T/base.err")" "aclsub decode: times relative to 1000000000 ns (the first record)"
finish
"$ACLSUB" decode summary --from 1ms -f csv --exclude-type Relu "$T/o.rec" 2>/dev/null >"$T/sum.csv"
begin "summary honours the window and the exclude filter (read with Python's csv)"
eq "groups" "$("$PY" -c 'import csv, sys; print(sorted((r["OP Type"], r["Count"]) for r in csv.DictReader(open(sys.argv[1]))))' "$T/sum.csv")" \
    "[('Conv', '1'), ('MatMul', '1')]"
finish "$T/sum.csv"
"$ACLSUB" decode list --from 5x "$T/o.rec" >/dev/null 2>"$T/bad.err"
st=$?
begin "a time without a known unit is a usage error"
eq "exit status" "$st" 1
need "no line naming the units" grep -q "bad --from (a number with ns, us, ms or s" "$T/bad.err"
finish "$T/bad.err"
end_checks
