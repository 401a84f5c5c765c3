#!/bin/sh
# check_run.sh BUILD - `aclsub run`: the program's exit status and death by
# signal passed on, the record file and the live FIFO, signals to aclsub
# itself, the private FIFO directory removed on every path, a Python program,
# and every subcommand's --help.  Run from the repository root (tests/run.sh
# does).
#
# The program under test is BUILD/tests/app_plain (tests/progs/app_plain.c; with
# --sleep-ms it runs for seconds) and tests/progs/py_plain.py.  In the sanitizer
# build `aclsub run` itself puts the ASan runtime ahead of libaclsub.so in
# LD_PRELOAD (the library needs it first); Python leaks by design, so leak
# checking is off for it.  Each case prints "ok   run: NAME" or "FAIL run:
# NAME" and what was wrong; the exit status is 1 if any case failed.
SUBJECT=run
. tests/shell/lib.sh
# The live FIFO's private directory goes here, where the test can see it.
export TMPDIR="$T"
TMO=30
require_built "$ACLSUB" "$APP" "$MLP" "$CNN" "$LIBACLSUB"
[ "$SAN" = 1 ] && export ASAN_OPTIONS=detect_leaks=0

# arun BASE ARGS... - aclsub run ARGS in $T, output in BASE.out / BASE.err, status in rc.
arun() {
    base=$1
    shift
    (cd "$T" && timeout "$TMO" "$ACLSUB" run "$@"; exit $?) >"$base.out" 2>"$base.err"
    rc=$?
}
# ops FILE - operator records by type in a record file, as "Type:N " words.
ops() {
    "$ACLSUB" decode "$1" | awk -F'\t' 'NR > 1 && $2 == "op" {print $3}' | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}'
}
count() { # FILE FLAG
    "$ACLSUB" decode "$1" 2>/dev/null | awk -F'\t' -v f="$2" 'NR > 1 && $2 == f' | wc -l | tr -d ' '
}
# the_dir BASE - the live FIFO's directory, from -v's line on BASE.err.
the_dir() {
    sed -n 's|^aclsub run: live FIFO \(.*\)/records.fifo$|\1|p' "$1.err"
}
# shellcheck disable=SC2317 # called through need
no_run_dirs() {
    [ -z "$(find "$T" -maxdepth 1 -name 'aclsub-run.*')" ]
}
# wait_for FILE - up to 10 s for FILE to exist.
wait_for() {
    i=0
    while [ ! -e "$1" ] && [ $i -lt 200 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    [ -e "$1" ]
}

# --- --help of every subcommand -------------------------------------------------------------

for c in decode atc mkom run doctor inspect; do
    "$ACLSUB" "$c" --help >"$T/help.out" 2>"$T/help.err"
    rc=$?
    begin "aclsub $c --help: exit 0, usage on stdout"
    eq "exit status" $rc 0
    need "no 'usage: aclsub $c' line" grep -q "^usage: aclsub $c" "$T/help.out"
    finish "$T/help.err"
done
"$ACLSUB" --help >"$T/help.out" 2>&1
rc=$?
begin "aclsub --help lists run, doctor and inspect"
eq "exit status" $rc 0
for c in run doctor inspect; do
    need "no $c" grep -q "^  $c " "$T/help.out"
done
finish "$T/help.out"

# --- exit status ------------------------------------------------------------------------------

arun "$T/s1" -o s1.rec -- sh -c 'exit 3'
begin "program exits 3: aclsub run exits 3"
eq "exit status" $rc 3
finish "$T/s1.err"

arun "$T/s2" -o s2.rec -- sh -c 'kill -TERM $$'
begin "program killed by SIGTERM: 143"
eq "exit status" $rc 143
finish "$T/s2.err"

arun "$T/s3" -o s3.rec -- sh -c 'kill -KILL $$'
begin "program killed by SIGKILL: 137"
eq "exit status" $rc 137
finish "$T/s3.err"

arun "$T/s4" -- no-such-program-here
begin "program not found: 127 and one line"
eq "exit status" $rc 127
eq "stderr" "$(cat "$T/s4.err")" "aclsub run: no-such-program-here: command not found"
finish

arun "$T/s5" --live -- no-such-program-here
begin "program not found in live mode: 127, no summary, no FIFO directory left"
eq "exit status" $rc 127
need "stdout is not empty" [ ! -s "$T/s5.out" ]
need "a FIFO directory is left" no_run_dirs
finish "$T/s5.out"

mkdir -p "$T/lone/bin"
cp "$ACLSUB" "$T/lone/bin/aclsub"
(cd "$T" && timeout "$TMO" "$T/lone/bin/aclsub" run -- true) >"$T/s6.out" 2>"$T/s6.err"
rc=$?
begin "libaclsub.so not found: exit 1, the paths tried"
eq "exit status" $rc 1
need "no 'libaclsub.so not found (tried: .../lib/libaclsub.so'" \
    grep -q "^aclsub run: libaclsub.so not found (tried: $T/lone/bin/../lib/libaclsub.so, " "$T/s6.err"
finish "$T/s6.err"

arun "$T/s7" --bogus -- true
begin "unknown option: exit 1"
eq "exit status" $rc 1
finish

# --- the record file --------------------------------------------------------------------------

N=5
(cd "$T" && "$APP" "$MLP" $N) >"$T/ref.out" 2>&1
arun "$T/f1" -o f1.rec -- "$APP" "$MLP" $N
begin "-o FILE: program's output unchanged, every record in the file, decodable"
eq "exit status" $rc 0
need "stdout differs from the plain run" cmp -s "$T/ref.out" "$T/f1.out"
need "no 'records in f1.rec' line" grep -q "^aclsub run: records in f1.rec$" "$T/f1.err"
eq "operator records" "$(count "$T/f1.rec" op)" $((MLP_OPS * N))
eq "whole-run records" "$("$ACLSUB" decode "$T/f1.rec" | awk -F'\t' '$3 == "na"' | wc -l | tr -d ' ')" $N
"$ACLSUB" decode "$T/f1.rec" >/dev/null 2>"$T/f1.dec"
eq "aclsub decode's exit status" $? 0
finish "$T/f1.err" "$T/f1.dec"

arun "$T/f2" -- "$APP" "$MLP" 2
f2=$(sed -n 's/^aclsub run: records in \(aclsub-[0-9]*\.rec\)$/\1/p' "$T/f2.err")
begin "no -o: aclsub-<pid>.rec in the working directory, named on stderr"
eq "exit status" $rc 0
need "no 'records in aclsub-PID.rec' line" [ -n "$f2" ]
[ -n "$f2" ] && eq "operator records" "$(count "$T/$f2" op)" $((MLP_OPS * 2))
finish "$T/f2.err"

arun "$T/f3" -s -o f3.rec -- "$APP" "$MLP" 4
begin "--summary: the decoder's summary after the program's output"
eq "exit status" $rc 0
need "no summary footer" grep -q "^operators: $((MLP_OPS * 4)) in 4 group(s)" "$T/f3.out"
need "no Gemm row" grep -q "^Gemm  *12 " "$T/f3.out"
eq "first line" "$(head -n 1 "$T/f3.out" | cut -d' ' -f1-4)" "t0 m0 exec 0"
finish "$T/f3.out" "$T/f3.err"

# shellcheck disable=SC2016 # expanded by the program's shell
arun "$T/f4" -o f4.rec -e ACLSUB_OP_TYPES=Gemm -e APP_MARK=seen -- sh -c 'echo "$APP_MARK"; exec "$0" "$@"' \
    "$APP" "$MLP" 3
begin "--env K=V reaches the program and the interposer (ACLSUB_OP_TYPES=Gemm)"
eq "exit status" $rc 0
eq "first line" "$(head -n 1 "$T/f4.out")" seen
eq "operator records" "$(ops "$T/f4.rec")" "Gemm:9 "
finish "$T/f4.err"

# --- live -------------------------------------------------------------------------------------

N=12
arun "$T/l1" --live -v -- "$APP" "$MLP" $N --sleep-ms 250
d=$(the_dir "$T/l1")
begin "--live, a program running 3 s: its output, then the final summary; exit 0; FIFO directory removed"
eq "exit status" $rc 0
need "no FIFO directory named by -v" [ -n "$d" ]
need "the FIFO directory is left" [ ! -e "${d:-/nonexistent}" ]
need "no program output" grep -q "^t0 m0 exec $((N - 1)) checksum" "$T/l1.out"
need "no summary footer with every operator" grep -q "^operators: $((MLP_OPS * N)) in 4 group(s)" "$T/l1.out"
need "no whole-run count" grep -q "whole runs: $N$" "$T/l1.out"
finish "$T/l1.out" "$T/l1.err"

arun "$T/l2" --live -- sh -c 'exit 5'
begin "--live: the program's exit status 5 passed on"
eq "exit status" $rc 5
need "a FIFO directory is left" no_run_dirs
finish "$T/l2.err"

# The program killed from outside while aclsub waits for it.
# shellcheck disable=SC2016 # expanded by the program's shell
(cd "$T" && exec "$ACLSUB" run --live -v -- sh -c 'echo $$ >"$0"; exec "$@"' "$T/l3.pid" "$APP" "$MLP" 200 \
    --sleep-ms 50) >"$T/l3.out" 2>"$T/l3.err" &
P=$!
wait_for "$T/l3.pid" && sleep 0.5 && kill -KILL "$(cat "$T/l3.pid")"
wait $P
rc=$?
d=$(the_dir "$T/l3")
begin "--live, program killed by SIGKILL: 137, summary of what ran, FIFO directory removed"
eq "exit status" $rc 137
need "no FIFO directory named by -v" [ -n "$d" ]
need "the FIFO directory is left" [ ! -e "${d:-/nonexistent}" ]
need "no summary footer" grep -q "^operators: " "$T/l3.out"
finish "$T/l3.out" "$T/l3.err"

# aclsub itself signalled: passes it on, cleans up.
for sig in TERM:15 INT:2; do
    num=${sig#*:}
    sig=${sig%:*}
    (cd "$T" && exec "$ACLSUB" run --live -v -- "$APP" "$MLP" 200 --sleep-ms 50) >"$T/l4.out" 2>"$T/l4.err" &
    P=$!
    i=0
    while ! grep -qs '^aclsub run: LD_PRELOAD=' "$T/l4.err" && [ $i -lt 200 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    sleep 0.5
    kill -"$sig" $P
    wait $P
    rc=$?
    d=$(the_dir "$T/l4")
    want=$((128 + num))
    begin "aclsub run --live receives SIG$sig: passes it on, exits $want, FIFO directory removed"
    eq "exit status" $rc $want
    need "no FIFO directory named by -v" [ -n "$d" ]
    need "the FIFO directory is left" [ ! -e "${d:-/nonexistent}" ]
    finish "$T/l4.out" "$T/l4.err"
done

# shellcheck disable=SC2016 # expanded by the program's shell
(cd "$T" && exec "$ACLSUB" run -o l5.rec -- sh -c 'echo $$ >"$0"; exec "$@"' "$T/l5.pid" "$APP" "$MLP" 200 \
    --sleep-ms 50) >"$T/l5.out" 2>"$T/l5.err" &
P=$!
wait_for "$T/l5.pid" && sleep 0.5 && kill -TERM $P
wait $P
rc=$?
begin "aclsub run -o receives SIGTERM: the program gets it, 143, the records so far decodable"
eq "exit status" $rc 143
need "no operator records" [ "$(count "$T/l5.rec" op)" -gt 0 ]
finish "$T/l5.err"

# --- Python -------------------------------------------------------------------------------------

N=3
if [ ! -x "$PY" ]; then
    say_skipped "Python program" "no $PY"
else
    arun "$T/p1" -o p1.rec -- "$PY" "$ROOT/tests/progs/py_plain.py" "$EMU" "$CNN" $N
    begin "aclsub run -- python3 tests/progs/py_plain.py: exit 0, its output, every record"
    eq "exit status" $rc 0
    eq "stdout lines" "$(wc -l <"$T/p1.out" | tr -d ' ')" $N
    eq "operator records" "$(count "$T/p1.rec" op)" $((CNN_OPS * N))
    finish "$T/p1.err"
    arun "$T/p2" -o p2.rec -- python3 "$ROOT/tests/progs/py_plain.py" "$EMU" "$MLP" $N
    begin "aclsub run -- python3 (found on PATH): every record"
    eq "exit status" $rc 0
    eq "operator records" "$(count "$T/p2.rec" op)" $((MLP_OPS * N))
    finish "$T/p2.err"
fi

end_checks
