#!/bin/sh
# check_preload.sh BUILD - the LD_PRELOAD interposer (BUILD/lib/libaclsub.so)
# under a program that never asked to be profiled, fault by fault.  Run from
# the repository root (tests/run.sh does).
#
# The program under test is BUILD/tests/app_plain (tests/progs/app_plain.c), a plain
# AscendCL program; tests/progs/py_plain.py is the same through Python's ctypes.
# Every case runs it once without and once with the preload and requires the
# same standard output, output file and exit status, then reads the sink with
# BUILD/tests/tool_sinkcheck (tests/progs/tool_sinkcheck.c) and `aclsub decode`:
# every operator and whole-run record present, none torn, sequence numbers
# per (pid, model) without gaps, one stream start and one stream end per
# process, and the stream end's counts matching the stream.
#
# Each case prints "ok   preload: NAME" or "FAIL preload: NAME" and what was
# wrong; the exit status is 1 if any case failed.  Every program runs under
# `timeout`, so a hang fails its case.  The cases whose reader closes the
# FIFO early wait for the interposer's stall timeouts; they run in the
# background while the others run, and report at the end.
#
# Under the sanitizer build (BUILD/lib/libaclsub.so linked against libasan)
# the programs are ASan executables too, and libasan is preloaded ahead of
# libaclsub.so, as ASan requires its runtime first in the library list.
SUBJECT=preload
. tests/shell/lib.sh
# shellcheck disable=SC3045 # dash and bash have ulimit -c; no core files from the abort case
ulimit -c 0 2>/dev/null
TMO=10 # seconds for one program (each takes well under 1 s)

CHK=$BA/tests/tool_sinkcheck
DEC=$ACLSUB # the decoder, by the name the cases use
require_built "$APP" "$CHK" "$ACLSUB" "$LIBACLSUB" "$EMU" "$CNN" "$MLP"

# Operators per execute, from the models' text descriptions (CNN_OPS and MLP_OPS: lib.sh).
CONV_OPS=$(awk '$1 == "node" && $3 == "Conv"' models/cnn.txt | wc -l)
RELU_OPS=$(awk '$1 == "node" && $3 == "Relu"' models/cnn.txt | wc -l)
MLP_RELU_OPS=$(awk '$1 == "node" && $3 == "Relu"' models/mlp.txt | wc -l)
SE_OPS=$(awk '$1 == "node" && $2 ~ /^se_/' models/cnn.txt | wc -l)

if [ "$SAN" = 1 ]; then
    PRE="$ASAN_LIB $LIBACLSUB"
    APP_CFLAGS="-O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
else
    PRE=$LIBACLSUB
    APP_CFLAGS="-O2"
fi

# --- running programs ---------------------------------------------------------------

# run BASE PROGRAM ARGS... - without the preload, in directory $CWD (default: here);
# standard output in BASE.out, error stream in BASE.err, status in rc.  A
# subshell waits for the program, so that the shell's notice of a program
# killed by a signal goes to BASE.err too.
run() {
    base=$1
    shift
    (cd "${CWD:-.}" && timeout "$TMO" "$@"; exit $?) >"$base.out" 2>"$base.err"
    rc=$?
}

# prun BASE [VAR=VALUE...] PROGRAM ARGS... - the same under the preload.
prun() {
    base=$1
    shift
    (cd "${CWD:-.}" && timeout "$TMO" env LD_PRELOAD="$PRE" "$@"; exit $?) >"$base.out" 2>"$base.err"
    rc=$?
}

# status_text RC - what an exit status means.
status_text() {
    case $1 in
    124) echo "timed out (${TMO} s)" ;;
    141) echo "killed by SIGPIPE" ;;
    *) if [ "$1" -gt 128 ]; then echo "killed by signal $(($1 - 128))"; else echo "exit $1"; fi ;;
    esac
}

# --- recording a case's result (begin, eq, need, finish: lib.sh) --------------------------

# same_as REF BASE [STATUS] - standard output and status of a profiled run as the
# unprofiled one's; the unprofiled run itself must have ended with STATUS (0).
same_as() {
    eq "status of the run without the preload" "$(status_text "$(cat "$1.rc")")" "$(status_text "${3:-0}")"
    eq "exit status" "$(status_text "$rc")" "$(status_text "$(cat "$1.rc")")"
    if ! cmp -s "$1.out" "$2.out"; then
        diff "$1.out" "$2.out" >"$2.diff"
        wrong "standard output differs from the run without the preload (see $(basename "$2").diff)"
    fi
}

# ref BASE PROGRAM ARGS... - the unprofiled reference run (status kept in BASE.rc).
ref() {
    run "$@"
    echo "$rc" >"$1.rc"
}

# --- reading sinks ----------------------------------------------------------------------

# sc SINK - summarises a sink with tool_sinkcheck into SINK.sc.
sc() {
    if ! "$CHK" check "$1" >"$1.sc" 2>"$1.sc.err"; then
        echo "sinkcheck_error 1" >>"$1.sc"
    fi
}

# v KEY SINK - a value of the summary (0 when absent).
v() {
    awk -v k="$1" '$1 == k {print $2; f = 1} END {if (!f) print 0}' "$2.sc"
}

# all_there SINK OPS RUNS [PROCESSES] - every record, none torn, no gaps, the
# control records in place; decoded by `aclsub decode` with status 0.
all_there() {
    s=$1 ops=$2 runs=$3 procs=${4:-1}
    if [ ! -f "$s" ]; then
        wrong "no sink file $s"
        return
    fi
    sc "$s"
    eq "tool_sinkcheck errors" "$(v sinkcheck_error "$s")" 0
    eq "operator records" "$(v op "$s")" "$ops"
    eq "whole-run records" "$(v run "$s")" "$runs"
    eq "stream-start records" "$(v start "$s")" "$procs"
    eq "stream-end records" "$(v end "$s")" "$procs"
    eq "records-lost notices" "$(v lost "$s")" 0
    eq "processes in the stream" "$(v pids "$s")" "$procs"
    eq "damaged stretches (torn or garbled records)" "$(v damage "$s")" 0
    eq "missing sequence numbers" "$(v seq_missing "$s")" 0
    eq "duplicated sequence numbers" "$(v seq_dups "$s")" 0
    eq "sequence numbers out of order" "$(v seq_disorder "$s")" 0
    eq "executes whose records are incomplete" "$(v runs_incomplete "$s")" 0
    eq "processes without stream start first / stream end last" "$(v order_errors "$s")" 0
    eq "stream ends whose counts differ from the stream" "$(v end_mismatch "$s")" 0
    eq "records dropped (stream end)" "$(v end_dropped "$s")" 0
    "$DEC" decode "$s" >"$s.dec" 2>"$s.dec.err"
    eq "aclsub decode status" "$?" 0
    eq "subscriptions whose records no model description precedes" "$(v desc_missing "$s")" 0
    eq "aclsub decode lines" "$(wc -l <"$s.dec" | tr -d ' ')" \
        $((ops + runs + 2 * procs + 1 + $(v model_desc "$s") + $(v op_desc "$s")))
}

# --- (c) the reader closes the FIFO early: in the background --------------------------

# early_close NAME SETTING EXECUTES - a reader takes 10 records of a FIFO sink
# and closes it; the program goes on.  Prints its own result line.
early_close() {
    d=$T/$1
    mkdir "$d"
    mkfifo "$d/fifo"
    (exec timeout "$TMO" head -c 5120 "$d/fifo" >/dev/null) &
    TMO=20 # the interposer's stall timeouts (5 s each) may run twice
    ref "$d/ref" "$APP" "$CNN" "$3"
    prun "$d/run" ACLSUB_OUTPUT="$d/fifo" "$2" "$APP" "$CNN" "$3"
    wait
    begin "FIFO reader closes after 10 records ($2, $3 executes): no SIGPIPE death, exit 0, stdout identical"
    same_as "$d/ref" "$d/run"
    finish "$d/run.err" "$d/run.diff"
}
# ACLSUB_LOG=warn is the default; it is given so that SETTING is never empty.
(early_close c1 ACLSUB_LOG=warn 400 >"$T/c1.result" 2>&1) &
BGPIDS="$BGPIDS $!"
(early_close c2 ACLSUB_ON_FULL=drop 400 >"$T/c2.result" 2>&1) &
BGPIDS="$BGPIDS $!"

# --- (a) a file sink: nothing changes, every record arrives --------------------------------

N=10
ref "$T/a0" "$APP" "$CNN" $N --out "$T/a0.bin"
begin "the program alone (reference run) succeeds"
eq "exit status" "$(status_text "$rc")" "exit 0"
eq "stdout lines" "$(wc -l <"$T/a0.out" | tr -d ' ')" $N
finish "$T/a0.err"

prun "$T/a1" ACLSUB_OUTPUT="$T/a1.rec" "$APP" "$CNN" $N --out "$T/a1.bin"
begin "file sink, cnn x $N: stdout, output file, stderr and status unchanged; every record, decodable"
same_as "$T/a0" "$T/a1"
need "the output file differs from the run without the preload" cmp -s "$T/a0.bin" "$T/a1.bin"
need "stderr is not empty" [ ! -s "$T/a1.err" ]
all_there "$T/a1.rec" $((CNN_OPS * N)) $N
finish "$T/a1.err" "$T/a1.diff" "$T/a1.rec.dec.err"

ref "$T/a2r" "$APP" "$CNN,$MLP" $N
prun "$T/a2" ACLSUB_OUTPUT="$T/a2.rec" ACLSUB_LOG=info "$APP" "$CNN,$MLP" $N
begin "two models in one process, ACLSUB_LOG=info: every record of both; one summary line on stderr"
same_as "$T/a2r" "$T/a2"
all_there "$T/a2.rec" $(((CNN_OPS + MLP_OPS) * N)) $((2 * N))
eq "models in the stream end" "$(v end_models "$T/a2.rec")" 2
eq "stderr" "$(cat "$T/a2.err")" "aclsub: $(((CNN_OPS + MLP_OPS + 2) * N)) records, 0 dropped, 2 model(s) -> $T/a2.rec"
finish "$T/a2.err" "$T/a2.diff"
# The model ids the runtime gave cnn and mlp (for the ACLSUB_MODELS cases).
CNN_ID=$(awk -F'[: ]' -v n=$(((CNN_OPS + 1) * N)) '$1 == "model" && $3 == n {print $2}' "$T/a2.rec.sc")
MLP_ID=$(awk -F'[: ]' -v n=$(((MLP_OPS + 1) * N)) '$1 == "model" && $3 == n {print $2}' "$T/a2.rec.sc")

prun "$T/a3" ACLSUB_OUTPUT=fd:9 "$APP" "$CNN" $N 9>"$T/a3.rec"
begin "fd:9 sink (a regular file the caller opened): every record"
same_as "$T/a0" "$T/a3"
all_there "$T/a3.rec" $((CNN_OPS * N)) $N
finish "$T/a3.err" "$T/a3.diff"

# --- (b) a FIFO whose reader comes 1 s late --------------------------------------------------

N=50
mkfifo "$T/b.fifo"
ref "$T/b0" "$APP" "$CNN" $N
(prun "$T/b1" ACLSUB_OUTPUT="$T/b.fifo" ACLSUB_BUFFER=8192 "$APP" "$CNN" $N
    echo "$rc" >"$T/b1.rc") &
bpid=$!
sleep 1
timeout "$TMO" cat "$T/b.fifo" >"$T/b.rec"
wait $bpid
rc=$(cat "$T/b1.rc")
begin "FIFO sink, reader attaches after 1 s (ACLSUB_BUFFER=8192, cnn x $N): every record"
same_as "$T/b0" "$T/b1"
all_there "$T/b.rec" $((CNN_OPS * N)) $N
finish "$T/b1.err" "$T/b1.diff"

# The same with `aclsub decode FIFO` as the late reader.
(prun "$T/b2" ACLSUB_OUTPUT="$T/b.fifo" ACLSUB_BUFFER=8192 "$APP" "$CNN" $N
    echo "$rc" >"$T/b2.rc") &
bpid=$!
sleep 1
timeout "$TMO" "$DEC" decode "$T/b.fifo" >"$T/b2.dec" 2>"$T/b2.dec.err"
drc=$?
wait $bpid
rc=$(cat "$T/b2.rc")
begin "FIFO sink read live by aclsub decode, attaching after 1 s: every record, status 0"
same_as "$T/b0" "$T/b2"
eq "aclsub decode status" $drc 0
eq "operator lines" "$(awk -F'\t' 'NR > 1 && $2 == "op"' "$T/b2.dec" | wc -l | tr -d ' ')" $((CNN_OPS * N))
eq "whole-run lines" "$(awk -F'\t' 'NR > 1 && $2 == "subgraph"' "$T/b2.dec" | wc -l | tr -d ' ')" $N
eq "stream start lines" "$(awk -F'\t' '$3 == "aclsub.stream_start"' "$T/b2.dec" | wc -l | tr -d ' ')" 1
eq "stream end lines" "$(awk -F'\t' '$3 == "aclsub.stream_end"' "$T/b2.dec" | wc -l | tr -d ' ')" 1
finish "$T/b2.err" "$T/b2.dec.err" "$T/b2.diff"

# --- (d) a slow reader -------------------------------------------------------------------------

N=30
ref "$T/d0" "$APP" "$CNN" $N
mkfifo "$T/d1.fifo"
timeout "$TMO" "$CHK" slowcopy "$T/d1.fifo" "$T/d1.rec" 2048 2 &
rpid=$!
# ACLSUB_OP_TYPES='*' (an operator filter that passes everything) keeps the records on the relay's
# path with its ring of ACLSUB_BUFFER records; without it the runtime writes into the FIFO on one hop.
prun "$T/d1" ACLSUB_OUTPUT="$T/d1.fifo" ACLSUB_ON_FULL=block ACLSUB_BUFFER=16 ACLSUB_OP_TYPES='*' "$APP" "$CNN" $N
wait $rpid
begin "slow FIFO reader, ACLSUB_ON_FULL=block, ACLSUB_BUFFER=16, through the relay: zero loss"
same_as "$T/d0" "$T/d1"
all_there "$T/d1.rec" $((CNN_OPS * N)) $N
finish "$T/d1.err" "$T/d1.diff"

mkfifo "$T/d1b.fifo"
timeout "$TMO" "$CHK" slowcopy "$T/d1b.fifo" "$T/d1b.rec" 2048 2 &
rpid=$!
prun "$T/d1b" ACLSUB_OUTPUT="$T/d1b.fifo" ACLSUB_ON_FULL=block ACLSUB_BUFFER=256 ACLSUB_LOG=debug "$APP" "$CNN" $N
wait $rpid
begin "slow FIFO reader, ACLSUB_ON_FULL=block, on one hop: zero loss"
need "the model did not go on one hop" grep -q "on one hop" "$T/d1b.err"
grep -v '^aclsub: ' "$T/d1b.err" >"$T/d1b.err2" || true
mv "$T/d1b.err2" "$T/d1b.err"
same_as "$T/d0" "$T/d1b"
all_there "$T/d1b.rec" $((CNN_OPS * N)) $N
finish "$T/d1b.err" "$T/d1b.diff"

# drop_accounting BASE - the checks of a run with ACLSUB_ON_FULL=drop and a slow reader: the
# recording BASE.rec holds whole records, numbered without duplicates or disorder, its stream end
# and notices count exactly what is missing, and something was dropped.
drop_accounting() {
    sc "$1.rec"
    s=$1.rec
    produced=$(((CNN_OPS + 1) * N))
    data=$(($(v op "$s") + $(v run "$s")))
    eq "damaged stretches (torn records)" "$(v damage "$s")" 0
    eq "stream-start records" "$(v start "$s")" 1
    eq "stream-end records" "$(v end "$s")" 1
    eq "duplicated sequence numbers" "$(v seq_dups "$s")" 0
    eq "sequence numbers out of order" "$(v seq_disorder "$s")" 0
    eq "records delivered according to the stream end" "$(v end_delivered "$s")" "$data"
    eq "records dropped according to the stream end" "$(v end_dropped "$s")" "$(v lost_sum "$s")"
    eq "the last notice's total" "$(v lost_total "$s")" "$(v end_dropped "$s")"
    eq "delivered + dropped" $((data + $(v end_dropped "$s"))) $produced
    need "missing sequence numbers ($(v seq_missing "$s")) exceed the dropped count" \
        [ "$(v seq_missing "$s")" -le "$(v end_dropped "$s")" ]
    need "nothing was dropped: the reader was not slow enough to test dropping" [ "$(v end_dropped "$s")" -gt 0 ]
}

mkfifo "$T/d2.fifo"
timeout "$TMO" "$CHK" slowcopy "$T/d2.fifo" "$T/d2.rec" 2048 5 &
rpid=$!
prun "$T/d2" ACLSUB_OUTPUT="$T/d2.fifo" ACLSUB_ON_FULL=drop ACLSUB_BUFFER=16 ACLSUB_OP_TYPES='*' "$APP" "$CNN" $N
wait $rpid
begin "slow FIFO reader, ACLSUB_ON_FULL=drop, ACLSUB_BUFFER=16, through the relay: delivered + dropped = produced"
same_as "$T/d0" "$T/d2"
drop_accounting "$T/d2"
finish "$T/d2.err" "$T/d2.diff" "$T/d2.rec.sc"

# On one hop the FIFO (1 MiB) is the buffer: more executes than it holds.
N=100
ref "$T/d3ref" "$APP" "$CNN" $N
mkfifo "$T/d3.fifo"
timeout "$TMO" "$CHK" slowcopy "$T/d3.fifo" "$T/d3.rec" 2048 5 &
rpid=$!
prun "$T/d3" ACLSUB_OUTPUT="$T/d3.fifo" ACLSUB_ON_FULL=drop ACLSUB_LOG=debug "$APP" "$CNN" $N
wait $rpid
begin "slow FIFO reader, ACLSUB_ON_FULL=drop, on one hop ($N executes, more than the FIFO holds): delivered + dropped = produced"
need "the model did not go on one hop" grep -q "on one hop" "$T/d3.err"
grep -v '^aclsub: ' "$T/d3.err" >"$T/d3.err2" || true
mv "$T/d3.err2" "$T/d3.err"
same_as "$T/d3ref" "$T/d3"
drop_accounting "$T/d3"
finish "$T/d3.err" "$T/d3.diff" "$T/d3.rec.sc"

# --- (e) the program closes every descriptor it does not know ----------------------------------

N=10
ref "$T/e0" "$APP" "$CNN,$MLP" $N --closeall
prun "$T/e1" ACLSUB_OUTPUT="$T/e1.rec" "$APP" "$CNN,$MLP" $N --closeall
begin "program closes fds 3..1023 and calls closefrom(3) after loading (file sink): every record"
same_as "$T/e0" "$T/e1"
all_there "$T/e1.rec" $(((CNN_OPS + MLP_OPS) * N)) $((2 * N))
finish "$T/e1.err" "$T/e1.diff"

mkfifo "$T/e2.fifo"
timeout "$TMO" cat "$T/e2.fifo" >"$T/e2.rec" &
rpid=$!
prun "$T/e2" ACLSUB_OUTPUT="$T/e2.fifo" "$APP" "$CNN,$MLP" $N --closeall
wait $rpid
begin "program closes fds 3..1023 and calls closefrom(3) after loading (FIFO sink): every record"
same_as "$T/e0" "$T/e2"
all_there "$T/e2.rec" $(((CNN_OPS + MLP_OPS) * N)) $((2 * N))
finish "$T/e2.err" "$T/e2.diff"

# --- (f) 8 threads x 4 models at once ---------------------------------------------------------

N=5
M4=$CNN,$MLP,$CNN,$MLP
F_OPS=$((8 * 2 * (CNN_OPS + MLP_OPS) * N))
ref "$T/f0" "$APP" "$CNN" $N --threads 8 --models "$M4"
prun "$T/f1" ACLSUB_OUTPUT="$T/f1.rec" "$APP" "$CNN" $N --threads 8 --models "$M4"
begin "8 threads x 4 models (cnn, mlp, cnn, mlp) x $N (file sink): no torn or duplicated records, no gaps"
same_as "$T/f0" "$T/f1"
all_there "$T/f1.rec" $F_OPS $((8 * 4 * N))
eq "subscriptions (pid, model)" "$(v subs "$T/f1.rec")" 32
finish "$T/f1.err" "$T/f1.diff"

mkfifo "$T/f2.fifo"
timeout "$TMO" cat "$T/f2.fifo" >"$T/f2.rec" &
rpid=$!
prun "$T/f2" ACLSUB_OUTPUT="$T/f2.fifo" "$APP" "$CNN" $N --threads 8 --models "$M4"
wait $rpid
begin "8 threads x 4 models (cnn, mlp, cnn, mlp) x $N (FIFO sink): no torn or duplicated records, no gaps"
same_as "$T/f0" "$T/f2"
all_there "$T/f2.rec" $F_OPS $((8 * 4 * N))
eq "subscriptions (pid, model)" "$(v subs "$T/f2.rec")" 32
finish "$T/f2.err" "$T/f2.diff"

# --- (g) fork: parent and child both execute ----------------------------------------------------

N=10
ref "$T/g0" "$APP" "$CNN" $N --fork
prun "$T/g1" ACLSUB_OUTPUT="$T/g1.rec" "$APP" "$CNN" $N --fork
begin "fork before aclInit, both processes execute (file sink): both pids' records, none torn"
same_as "$T/g0" "$T/g1"
all_there "$T/g1.rec" $((2 * CNN_OPS * N)) $((2 * N)) 2
finish "$T/g1.err" "$T/g1.diff"

# The shell holds the FIFO open too (descriptor 7), so that the reader cannot see
# end of file between one process closing its end and the other opening its own.
mkfifo "$T/g2.fifo"
exec 7<>"$T/g2.fifo"
timeout "$TMO" cat "$T/g2.fifo" >"$T/g2.rec" 7>&- &
rpid=$!
prun "$T/g2" ACLSUB_OUTPUT="$T/g2.fifo" "$APP" "$CNN" $N --fork 7>&-
exec 7>&-
wait $rpid
begin "fork before aclInit, both processes execute (one FIFO): both pids' records, none torn"
same_as "$T/g0" "$T/g2"
all_there "$T/g2.rec" $((2 * CNN_OPS * N)) $((2 * N)) 2
finish "$T/g2.err" "$T/g2.diff"

prun "$T/g3" ACLSUB_OUTPUT="$T/g3.rec" ACLSUB_CHILDREN=0 "$APP" "$CNN" $N --fork
begin "fork with ACLSUB_CHILDREN=0: the parent's records only"
same_as "$T/g0" "$T/g3"
all_there "$T/g3.rec" $((CNN_OPS * N)) $N 1
finish "$T/g3.err" "$T/g3.diff"

# --- (h) exit without unload or finalize --------------------------------------------------------

ref "$T/h0" "$APP" "$CNN,$MLP" $N --no-finalize
prun "$T/h1" ACLSUB_OUTPUT="$T/h1.rec" "$APP" "$CNN,$MLP" $N --no-finalize
begin "exit(0) without unload or aclFinalize: every record, stream end present"
same_as "$T/h0" "$T/h1"
all_there "$T/h1.rec" $(((CNN_OPS + MLP_OPS) * N)) $((2 * N))
finish "$T/h1.err" "$T/h1.diff"

# --- (i) abort() ----------------------------------------------------------------------------------

ref "$T/i0" "$APP" "$CNN" 10 --abort-after 5
prun "$T/i1" ACLSUB_OUTPUT="$T/i1.rec" "$APP" "$CNN" 10 --abort-after 5
begin "abort() after 5 executes: SIGABRT as without the preload; the 5 executes' records, none torn"
same_as "$T/i0" "$T/i1" 134
sc "$T/i1.rec"
eq "operator records" "$(v op "$T/i1.rec")" $((CNN_OPS * 5))
eq "whole-run records" "$(v run "$T/i1.rec")" 5
eq "stream-start records" "$(v start "$T/i1.rec")" 1
eq "damaged stretches (torn records)" "$(v damage "$T/i1.rec")" 0
eq "missing sequence numbers" "$(v seq_missing "$T/i1.rec")" 0
eq "duplicated sequence numbers" "$(v seq_dups "$T/i1.rec")" 0
eq "executes whose records are incomplete" "$(v runs_incomplete "$T/i1.rec")" 0
finish "$T/i1.err" "$T/i1.diff"

# --- (j) the program subscribes its own models ---------------------------------------------------

ref "$T/j0" "$APP" "$CNN,$MLP" $N --self-subscribe
prun "$T/j1" ACLSUB_OUTPUT="$T/j1.rec" "$APP" "$CNN,$MLP" $N --self-subscribe
begin "the program subscribes its own models: it receives what it receives alone; the sink gets every record"
same_as "$T/j0" "$T/j1"
eq "records the program's own reader got (cnn)" \
    "$(awk '/t0 m0 self-subscription/ {print $4}' "$T/j1.out")" $(((CNN_OPS + 1) * N))
eq "records the program's own reader got (mlp)" \
    "$(awk '/t0 m1 self-subscription/ {print $4}' "$T/j1.out")" $(((MLP_OPS + 1) * N))
all_there "$T/j1.rec" $(((CNN_OPS + MLP_OPS) * N)) $((2 * N))
finish "$T/j1.err" "$T/j1.diff"

ref "$T/j2r" "$APP" "$CNN,$MLP" $N --self-subscribe --threads 4
prun "$T/j2" ACLSUB_OUTPUT="$T/j2.rec" "$APP" "$CNN,$MLP" $N --self-subscribe --threads 4
begin "4 threads, each subscribing its own 2 models: same as alone; the sink gets every record"
same_as "$T/j2r" "$T/j2"
all_there "$T/j2.rec" $((4 * (CNN_OPS + MLP_OPS) * N)) $((4 * 2 * N))
finish "$T/j2.err" "$T/j2.diff"

# --- (k) bad settings ----------------------------------------------------------------------------

N=3
ref "$T/k0" "$APP" "$MLP" $N
k=0
for setting in ACLSUB_ON_FULL=maybe ACLSUB_BUFFER=abc ACLSUB_BUFFER=0 ACLSUB_BUFFER=-5 ACLSUB_BUFFER=99999999999 \
    ACLSUB_BUFFER=15 ACLSUB_BUFFER=4194305 ACLSUB_CHILDREN=2 ACLSUB_LOG=loud ACLSUB_OUTPUT=fd:x; do
    k=$((k + 1))
    var=${setting%%=*}
    d=$T/k$k
    mkdir "$d"
    CWD=$d
    if [ "$var" = ACLSUB_OUTPUT ]; then
        prun "$d/run" "$setting" "$APP" "$MLP" $N
    else
        prun "$d/run" ACLSUB_OUTPUT="$d/k.rec" "$setting" "$APP" "$MLP" $N
    fi
    CWD=
    begin "bad $setting: one stderr line naming $var, stdout identical, exit 0, no sink"
    same_as "$T/k0" "$d/run"
    eq "stderr lines" "$(wc -l <"$d/run.err" | tr -d ' ')" 1
    need "the stderr line does not name $var" grep -q "$var" "$d/run.err"
    eq "files created" "$(find "$d" -mindepth 1 ! -name 'run.*' -printf '%f ')" ""
    finish "$d/run.err" "$d/run.diff"
done

# --- (l) a sink that cannot be opened --------------------------------------------------------------

echo "not a directory" >"$T/l_file"
l=0
for out in /nonexistent/dir/x.rec "$T/l_file/x.rec" fd:250; do
    l=$((l + 1))
    prun "$T/l$l" ACLSUB_OUTPUT="$out" "$APP" "$MLP" $N
    begin "sink $out cannot be opened: one stderr line naming it, stdout identical, exit 0"
    same_as "$T/k0" "$T/l$l"
    eq "stderr lines" "$(wc -l <"$T/l$l.err" | tr -d ' ')" 1
    need "the stderr line does not name $out" grep -q -F "${out#fd:}" "$T/l$l.err"
    finish "$T/l$l.err" "$T/l$l.diff"
done

# --- (m) sink names ---------------------------------------------------------------------------------

mkdir "$T/m1" "$T/m2" "$T/m3"
# Each run's shell records its pid and execs the program, which keeps it.
pidrun() { # DIR OUTPUT-SETTING...
    dir=$1
    shift
    (cd "$dir" && exec timeout "$TMO" sh -c 'echo $$ >pid; exec env "$@"' sh LD_PRELOAD="$PRE" "$@" "$APP" "$MLP" 3) \
        >"$dir/run.out" 2>"$dir/run.err"
    rc=$?
}
pidrun "$T/m1" ACLSUB_OUTPUT="$T/m1/x-%p.rec"
pid=$(cat "$T/m1/pid")
begin "ACLSUB_OUTPUT with %p: the sink is named with the program's pid"
eq "exit status" "$(status_text "$rc")" "exit 0"
eq "files" "$(find "$T/m1" -name '*.rec' -printf '%f ')" "x-$pid.rec "
[ -f "$T/m1/x-$pid.rec" ] && all_there "$T/m1/x-$pid.rec" $((MLP_OPS * 3)) 3
finish "$T/m1/run.err"

pidrun "$T/m2" ACLSUB_OUTPUT="$T/m2/h-%h-%%-%p.rec"
pid=$(cat "$T/m2/pid")
host=$(uname -n)
begin "ACLSUB_OUTPUT with %h and %%: host name and a literal %"
eq "exit status" "$(status_text "$rc")" "exit 0"
eq "files" "$(find "$T/m2" -name '*.rec' -printf '%f ')" "h-$host-%-$pid.rec "
finish "$T/m2/run.err"

pidrun "$T/m3"
pid=$(cat "$T/m3/pid")
begin "no ACLSUB_OUTPUT: the sink is aclsub-<pid>.rec in the working directory"
eq "exit status" "$(status_text "$rc")" "exit 0"
eq "files" "$(find "$T/m3" -name '*.rec' -printf '%f ')" "aclsub-$pid.rec "
[ -f "$T/m3/aclsub-$pid.rec" ] && all_there "$T/m3/aclsub-$pid.rec" $((MLP_OPS * 3)) 3
finish "$T/m3/run.err"

# --- (n) setgid programs: the environment is not trusted -------------------------------------------

# A copy of app_plain linked against libaclsub.so (so the loader cannot drop it
# the way it drops LD_PRELOAD paths in secure mode) is run plain and setgid.
mkdir "$T/n"
nskip=""
# shellcheck disable=SC2086 # APP_CFLAGS is a list of flags
if [ "$(id -u)" != 0 ]; then
    nskip="not root: cannot give a copy of the program another group"
elif ! getent group nogroup >/dev/null 2>&1; then
    nskip="no group 'nogroup' to make the copy setgid to"
elif command -v findmnt >/dev/null 2>&1 && findmnt -no OPTIONS -T "$T/n" | grep -q nosuid; then
    nskip="$T is on a nosuid file system"
elif ! ${CC:-cc} -Iinclude -std=c11 -Wall -Wextra -Werror -Wno-missing-field-initializers $APP_CFLAGS -g -pthread \
    -o "$T/n/app_linked" tests/progs/app_plain.c -Wl,--no-as-needed -L"$BA/lib" -laclsub -L"$BA/lib/aclsub-emu" \
    -lascendcl -Wl,-rpath,"$BA/lib:$BA/lib/aclsub-emu" >"$T/n/cc.err" 2>&1; then
    nskip="cannot build a copy linked against libaclsub.so: $(head -n 3 "$T/n/cc.err")"
fi
if [ -n "$nskip" ]; then
    echo "ok   preload: setgid program runs unprofiled (SKIPPED: $nskip)"
else
    cp "$T/n/app_linked" "$T/n/app_sgid"
    chgrp nogroup "$T/n/app_sgid"
    chmod 2755 "$T/n/app_sgid"
    cp "$APP" "$T/n/app_plain_sgid"
    chgrp nogroup "$T/n/app_plain_sgid"
    chmod 2755 "$T/n/app_plain_sgid"
    ref "$T/n0" "$APP" "$MLP" $N
    run "$T/n1" env ACLSUB_OUTPUT="$T/n/plain.rec" "$T/n/app_linked" "$MLP" $N
    begin "control: the copy linked against libaclsub.so, not setgid, profiles"
    same_as "$T/n0" "$T/n1"
    all_there "$T/n/plain.rec" $((MLP_OPS * N)) $N
    finish "$T/n1.err"
    run "$T/n2" env ACLSUB_OUTPUT="$T/n/sgid.rec" ACLSUB_LOG=info "$T/n/app_sgid" "$MLP" $N
    begin "setgid copy linked against libaclsub.so (AT_SECURE): unprofiled, no sink, stdout identical, exit 0"
    same_as "$T/n0" "$T/n2"
    need "a sink was created" [ ! -e "$T/n/sgid.rec" ]
    need "stderr is not empty" [ ! -s "$T/n2.err" ]
    finish "$T/n2.err" "$T/n2.diff"
    prun "$T/n3" ACLSUB_OUTPUT="$T/n/sgid2.rec" "$T/n/app_plain_sgid" "$MLP" $N
    begin "setgid copy of app_plain under LD_PRELOAD: unprofiled, no sink, stdout identical, exit 0"
    same_as "$T/n0" "$T/n3"
    need "a sink was created" [ ! -e "$T/n/sgid2.rec" ]
    finish "$T/n3.err" "$T/n3.diff"
fi

# --- (o) filters ---------------------------------------------------------------------------------

N=5
ref "$T/o0" "$APP" "$CNN,$MLP" $N
# words WORD... - the words sorted, each followed by a space (the form the
# expectations below compare).
words() {
    printf '%s\n' "$@" | sort | tr '\n' ' '
}
# tally N - reads operator types, one a line; prints "TYPE:COUNTxN" words, sorted.
tally() {
    sort | uniq -c | awk -v n="$1" '{print $2 ":" $1 * n}' | sort | tr '\n' ' '
}
# types_of SINK, models_of SINK - the data records by type / by model id, as words.
types_of() {
    awk -F'[: ]' '$1 == "type" {print $2 ":" $3}' "$1.sc" | sort | tr '\n' ' '
}
models_of() {
    awk -F'[: ]' '$1 == "model" {print $2 ":" $3}' "$1.sc" | sort | tr '\n' ' '
}
filter_case() { # NAME SETTING WANT-TYPES WANT-MODELS (settings in $EXTRA too)
    # shellcheck disable=SC2086 # EXTRA: none or more settings
    prun "$T/$1" ${EXTRA:-} "$2" ACLSUB_OUTPUT="$T/$1.rec" "$APP" "$CNN,$MLP" $N
    begin "$2${EXTRA:+ $EXTRA} (cnn and mlp loaded): only the matching records"
    same_as "$T/o0" "$T/$1"
    sc "$T/$1.rec"
    eq "data records by type" "$(types_of "$T/$1.rec")" "$3"
    eq "data records by model id" "$(models_of "$T/$1.rec")" "$4"
    eq "stream-start records" "$(v start "$T/$1.rec")" 1
    eq "stream-end records" "$(v end "$T/$1.rec")" 1
    eq "damaged stretches" "$(v damage "$T/$1.rec")" 0
    eq "stream ends whose counts differ from the stream" "$(v end_mismatch "$T/$1.rec")" 0
    finish "$T/$1.err" "$T/$1.diff"
}
# Whole-run records (type na) and control records always pass the operator filters.
CNN_TYPES=$( (awk '$1 == "node" {print $3}' models/cnn.txt; echo na) | tally $N)
MLP_TYPES=$( (awk '$1 == "node" {print $3}' models/mlp.txt; echo na) | tally $N)
filter_case o1 ACLSUB_OP_TYPES=Conv "$(words "Conv:$((CONV_OPS * N))" "na:$((2 * N))")" \
    "$(words "$CNN_ID:$(((CONV_OPS + 1) * N))" "$MLP_ID:$N")"
filter_case o2 ACLSUB_OP_TYPES=Conv,Relu \
    "$(words "Conv:$((CONV_OPS * N))" "Relu:$(((RELU_OPS + MLP_RELU_OPS) * N))" "na:$((2 * N))")" \
    "$(words "$CNN_ID:$(((CONV_OPS + RELU_OPS + 1) * N))" "$MLP_ID:$(((MLP_RELU_OPS + 1) * N))")"
filter_case o3 "ACLSUB_OP_NAMES=se_*" \
    "$( (awk '$1 == "node" && $2 ~ /^se_/ {print $3}' models/cnn.txt; echo na; echo na) | tally $N)" \
    "$(words "$CNN_ID:$(((SE_OPS + 1) * N))" "$MLP_ID:$N")"
filter_case o4 "ACLSUB_MODELS=mlp*" "$MLP_TYPES" "$(words "$MLP_ID:$(((MLP_OPS + 1) * N))")"
filter_case o5 "ACLSUB_MODELS=$CNN_ID" "$CNN_TYPES" "$(words "$CNN_ID:$(((CNN_OPS + 1) * N))")"
filter_case o6 "ACLSUB_MODELS=*/models/cnn.om" "$CNN_TYPES" "$(words "$CNN_ID:$(((CNN_OPS + 1) * N))")"

# --- the runtime's records in the vendor's 80-byte format --------------------------------------------

# ACLSUB_EMU_RECORDS=vendor makes the emulated runtime send the vendor's records
# (no names inside; names readable once through the accessors); the relay
# re-emits them as self-describing records, and the program's own
# subscription still gets the runtime's bytes.
N=10
VENDOR=ACLSUB_EMU_RECORDS=vendor
ref "$T/v0" env $VENDOR "$APP" "$CNN,$MLP" $N
prun "$T/v1" $VENDOR ACLSUB_OUTPUT="$T/v1.rec" "$APP" "$CNN,$MLP" $N
begin "vendor-format runtime records: every record re-emitted, decodable, sequence numbers without gaps"
same_as "$T/v0" "$T/v1"
all_there "$T/v1.rec" $(((CNN_OPS + MLP_OPS) * N)) $((2 * N))
sc "$T/v1.rec"
eq "data records by type" "$(types_of "$T/v1.rec")" \
    "$( (awk '$1 == "node" {print $3}' models/cnn.txt models/mlp.txt; echo na; echo na) | tally $N)"
finish "$T/v1.err" "$T/v1.diff"

ref "$T/v2r" env $VENDOR "$APP" "$CNN,$MLP" $N --self-subscribe
prun "$T/v2" $VENDOR ACLSUB_OUTPUT="$T/v2.rec" "$APP" "$CNN,$MLP" $N --self-subscribe
begin "vendor-format records, the program subscribes its own models: it gets what it gets alone; every record in the sink"
same_as "$T/v2r" "$T/v2"
eq "records the program's own reader got (cnn)" \
    "$(awk '/t0 m0 self-subscription/ {print $4}' "$T/v2.out")" $(((CNN_OPS + 1) * N))
all_there "$T/v2.rec" $(((CNN_OPS + MLP_OPS) * N)) $((2 * N))
finish "$T/v2.err" "$T/v2.diff"

N=5
EXTRA=$VENDOR
filter_case v3 ACLSUB_OP_TYPES=Conv "$(words "Conv:$((CONV_OPS * N))" "na:$((2 * N))")" \
    "$(words "$CNN_ID:$(((CONV_OPS + 1) * N))" "$MLP_ID:$N")"
EXTRA=

# --- (p) Python, libascendcl.so dlopen'ed by ctypes -------------------------------------------------

N=5
if [ ! -x "$PY" ]; then
    echo "ok   preload: Python program through ctypes (SKIPPED: no $PY)"
else
    if [ "$SAN" = 1 ]; then
        # The ASan-built runtime needs the ASan runtime loaded before it; Python leaks by design.
        PYENV="LD_PRELOAD=$ASAN_LIB ASAN_OPTIONS=detect_leaks=0"
        PYPRE="ASAN_OPTIONS=detect_leaks=0"
    else
        PYENV="PYTHONDONTWRITEBYTECODE=1"
        PYPRE="PYTHONDONTWRITEBYTECODE=1"
    fi
    # shellcheck disable=SC2086 # PYENV, PYPRE: lists of settings
    ref "$T/p0" env $PYENV "$PY" tests/progs/py_plain.py "$EMU" "$CNN" $N
    begin "the Python program alone (reference run) succeeds"
    eq "exit status" "$(status_text "$rc")" "exit 0"
    eq "stdout lines" "$(wc -l <"$T/p0.out" | tr -d ' ')" $N
    finish "$T/p0.err"
    # shellcheck disable=SC2086
    prun "$T/p1" $PYPRE ACLSUB_OUTPUT="$T/p1.rec" "$PY" tests/progs/py_plain.py "$EMU" "$CNN" $N
    begin "Python program, libascendcl.so dlopen'ed by ctypes: exit 0, stdout identical, every record"
    same_as "$T/p0" "$T/p1"
    all_there "$T/p1.rec" $((CNN_OPS * N)) $N
    finish "$T/p1.err" "$T/p1.diff"
fi

# --- the library's descriptors: high and close-on-exec ----------------------------------------

begin "the library's descriptors (sink, pipes) sit at 512 or above and are close-on-exec"
LD_PRELOAD="$PRE" ACLSUB_OUTPUT="$T/fdi.rec" "$APP" "$MLP" 40 --sleep-ms 50 >/dev/null 2>&1 &
fdpid=$!
sleep 0.7
high=0
for info in /proc/$fdpid/fdinfo/*; do
    fd=${info##*/}
    [ "$fd" -ge 512 ] 2>/dev/null || continue
    high=$((high + 1))
    flags=$(awk '/^flags:/ {print $2}' "$info" 2>/dev/null)
    # The flags are octal; O_CLOEXEC is 02000000.
    [ -n "$flags" ] && [ $((0$flags & 02000000)) -ne 0 ] || eq "fd $fd flags" "$flags" "(with O_CLOEXEC)"
done
wait $fdpid
# The sink, a model's pipe (both ends) and the relay's wake-up pipe (both ends).
[ $high -ge 5 ] || eq "descriptors at 512 or above" "$high" "5 or more"
finish

# --- exec'd children: LD_PRELOAD kept or lost as ACLSUB_CHILDREN says --------------------------

begin "ACLSUB_CHILDREN=0: an exec'd child loses libaclsub.so from LD_PRELOAD, keeps the other libraries"
got=$(ACLSUB_CHILDREN=0 ACLSUB_OUTPUT="$T/ch.rec" LD_PRELOAD="$PRE /lib/x86_64-linux-gnu/libm.so.6" \
    sh -c 'echo "$LD_PRELOAD"')
case "$got" in *libaclsub.so*) eq "child's LD_PRELOAD" "$got" "(without libaclsub.so)" ;; esac
case "$got" in *libm.so.6*) ;; *) eq "child's LD_PRELOAD" "$got" "(with libm.so.6)" ;; esac
finish
begin "ACLSUB_CHILDREN=1: an exec'd child inherits LD_PRELOAD"
got=$(ACLSUB_CHILDREN=1 ACLSUB_OUTPUT="$T/ch1.rec" LD_PRELOAD="$PRE" sh -c 'echo "$LD_PRELOAD"')
case "$got" in *libaclsub.so*) ;; *) eq "child's LD_PRELOAD" "$got" "(with libaclsub.so)" ;; esac
finish

# --- (c) results of the background cases ----------------------------------------------------------

wait
BGPIDS=""
cat "$T/c1.result" "$T/c2.result"
grep -q '^FAIL' "$T/c1.result" "$T/c2.result" && fail=1

end_checks
