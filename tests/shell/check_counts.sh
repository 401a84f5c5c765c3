#!/bin/sh
# check_counts.sh BUILD - the interposer's counts are true under attack:
# every record a program produced is delivered (a reader could read it) or
# counted as dropped, and `aclsub decode` proves it (exit 0; 2 is loss
# nobody counted).  Each case prints one line
#   produced P delivered D dropped X missing M
# (produced and dropped from the stream end, delivered the data records in
# the sink, missing the gaps in their sequence numbers) and asserts it
# exactly; every program runs under `timeout`, so a hang fails its case,
# and the cases that used to hang print how long they took.
#   - operator filters (types, names, over vendor-format records): the
#     passing records are numbered from 0 without gaps;
#   - ACLSUB_ON_FULL=block and a FIFO nobody reads, two programs in turn:
#     each ends after ACLSUB_STALL_MS, every record counted as dropped.
#   - a FIFO's reader leaves with a backlog: the unread records are dropped;
#   - a fatal signal (SIGTERM, SIGSEGV, abort) raised right after an
#     execute, 10 times each: every record of the executes that returned
#     delivered once, the stream end written;
#   - a file-size limit of 100,100 bytes (not a multiple of 512): whole
#     records only, the rest counted, the stream end in the room kept for
#     it, no SIGXFSZ for the program;
#   - _exit, _Exit and every exec function after 100 executes: every
#     record of the returned executes delivered, the stream end written; a
#     failed exec goes on with a new stream;
#   - the stream end is made last: SIGTERM with a slow FIFO reader, where
#     the last flush cannot write everything, gives a stream end whose
#     counts include what that flush dropped;
#   - SIGTERM from outside at 20 fixed moments (50 to 715 ms) while the
#     records go to a slow FIFO reader: no record delivered twice, and
#     every run ends its stream with a stream end; at 30 moments while a
#     tiny model executes back to back (the program's thread often holds
#     the relay's lock): a stream end every time;
#   - the program closes the library's descriptors with a raw close_range
#     syscall, or dup2()s /dev/null over them: detected once, no spinning,
#     the pipes and a sink named by path made anew; an fd:N sink replaced
#     behind the library's back counts its records as dropped.
SUBJECT=counts
. tests/shell/lib.sh
# shellcheck disable=SC3045 # dash and bash have ulimit -c; no core files from the signal cases
ulimit -c 0 2>/dev/null
APP=$BA/tests/app_plain
CHK=$BA/tests/tool_sinkcheck
ACLSUB=$BA/bin/aclsub
LIB=$BA/lib/libaclsub.so
CNN=$BA/models/cnn.om
MLP=$BA/models/mlp.om
ASAN_LIB=$(ldd "$LIB" 2>/dev/null | awk '/libasan/ {print $3; exit}')
PRE=${ASAN_LIB:+$ASAN_LIB }$LIB
CNN_OPS=$(awk '$1 == "node"' models/cnn.txt | wc -l)
MLP_OPS=$(awk '$1 == "node"' models/mlp.txt | wc -l)
MLP_GEMM=$(awk '$1 == "node" && $3 == "Gemm"' models/mlp.txt | wc -l)
CNN_CONV=$(awk '$1 == "node" && $3 == "Conv"' models/cnn.txt | wc -l)

ok() { echo "ok   counts: $1"; }
bad() {
    echo "FAIL counts: $1"
    fail=1
}

# prun BASE SECONDS [VAR=VALUE...] PROGRAM ARGS... - under the preload; stdout
# in BASE.out, stderr in BASE.err, status in rc, milliseconds in ms.
prun() {
    base=$1 secs=$2
    shift 2
    start=$(date +%s%N)
    (timeout "$secs" env LD_PRELOAD="$PRE" "$@"; exit $?) >"$base.out" 2>"$base.err"
    rc=$?
    ms=$((($(date +%s%N) - start) / 1000000))
}

# v KEY SINK - a value of tool_sinkcheck's summary of SINK (0 when absent).
v() {
    awk -v k="$1" '$1 == k {print $2; f = 1} END {if (!f) print 0}' "$2.sc"
}

# counts SINK - "produced P delivered D dropped X missing M" of a sink.
counts() {
    "$CHK" check "$1" >"$1.sc" 2>/dev/null
    echo "produced $(($(v end_delivered "$1") + $(v end_dropped "$1"))) delivered $(($(v op "$1") + $(v run "$1")))" \
        "dropped $(v end_dropped "$1") missing $(v seq_missing "$1")"
}

# expect NAME SINK WANT [DECODE_STATUS] - the sink's counts are WANT, its
# stream well formed, and `aclsub decode` exits with DECODE_STATUS (0).
expect() {
    name=$1 sink=$2 want=$3 dstat=${4:-0}
    got=$(counts "$sink")
    "$ACLSUB" decode "$sink" >/dev/null 2>"$sink.dec.err"
    drc=$?
    extra=""
    [ "$(v damage "$sink")" = 0 ] || extra="$extra, $(v damage "$sink") damaged stretches"
    [ "$(v seq_dups "$sink")" = 0 ] || extra="$extra, $(v seq_dups "$sink") duplicated"
    [ "$(v end "$sink")" -ge 1 ] || extra="$extra, no stream end"
    [ "$(v end_mismatch "$sink")" = 0 ] || extra="$extra, stream end's counts differ from the stream"
    if [ "$got" = "$want" ] && [ "$drc" = "$dstat" ] && [ -z "$extra" ]; then
        ok "$name: $got; decode exit $drc"
    else
        bad "$name: $got$extra; decode exit $drc (expected: $want; decode exit $dstat)"
        sed 's/^/    | /' "$sink.dec.err" "$sink.err" 2>/dev/null | head -n 10
    fi
}

# summary_line BASE - "produced P dropped X" from the interposer's summary on stderr (ACLSUB_LOG=info).
summary_line() {
    sed -n 's/^aclsub: \([0-9]*\) records, \([0-9]*\) dropped.*/produced \1 dropped \2/p' "$1.err" | tail -n 1
}

# --- 1. filters: the records that pass are numbered from 0 without gaps ---------------------

N=3
prun "$T/f1" 20 ACLSUB_OUTPUT="$T/f1.rec" ACLSUB_OP_TYPES=Gemm "$APP" "$MLP" $N
p=$((MLP_GEMM * N + N))
expect "ACLSUB_OP_TYPES=Gemm (mlp x $N)" "$T/f1.rec" "produced $p delivered $p dropped 0 missing 0"
N=20
prun "$T/f2" 20 ACLSUB_OUTPUT="$T/f2.rec" ACLSUB_OP_TYPES=Conv ACLSUB_OP_NAMES='*' "$APP" "$CNN,$MLP" $N
p=$((CNN_CONV * N + 2 * N))
expect "ACLSUB_OP_TYPES=Conv ACLSUB_OP_NAMES='*' (cnn and mlp x $N)" "$T/f2.rec" \
    "produced $p delivered $p dropped 0 missing 0"
prun "$T/f3" 20 ACLSUB_EMU_RECORDS=vendor ACLSUB_OUTPUT="$T/f3.rec" ACLSUB_OP_TYPES=Conv "$APP" "$CNN" $N
p=$((CNN_CONV * N + N))
expect "ACLSUB_OP_TYPES=Conv over the vendor's 80-byte records (cnn x $N)" "$T/f3.rec" \
    "produced $p delivered $p dropped 0 missing 0"
N=200
prun "$T/f4" 20 ACLSUB_OUTPUT="$T/f4.rec" ACLSUB_OP_TYPES=Conv ACLSUB_ON_FULL=drop ACLSUB_BUFFER=16 \
    "$APP" "$CNN" $N
p=$((CNN_CONV * N + N))
got=$(counts "$T/f4.rec")
d=$(v end_dropped "$T/f4.rec")
expect "ACLSUB_OP_TYPES=Conv, drop, 16-record buffer (cnn x $N): drops keep their numbers" "$T/f4.rec" \
    "produced $p delivered $((p - d)) dropped $d missing $(v seq_missing "$T/f4.rec")"

# --- 2. block and nobody reads: counted drops after ACLSUB_STALL_MS, two programs in turn -------

mkfifo "$T/nobody"
N=400
for i in 1 2; do
    prun "$T/b$i" 30 ACLSUB_OUTPUT="$T/nobody" ACLSUB_ON_FULL=block ACLSUB_STALL_MS=1000 ACLSUB_LOG=info \
        "$APP" "$CNN" $N
    got=$(summary_line "$T/b$i")
    want="produced $(((CNN_OPS + 1) * N)) dropped $(((CNN_OPS + 1) * N))"
    if [ $rc -eq 0 ] && [ "$got" = "$want" ] && [ $ms -lt 4000 ]; then
        ok "block, a FIFO nobody reads, program $i of 2 (cnn x $N): $got delivered 0; ended in $ms ms"
    else
        bad "block, a FIFO nobody reads, program $i of 2: exit $rc after $ms ms, '$got' (expected '$want', < 4000 ms)"
        sed 's/^/    | /' "$T/b$i.err" | head -n 10
    fi
done
# 4a. The reader reads the stream start, the model's description (one model record and one per
# operator and for the model's inputs and outputs: CNN_OPS + 2) and 9 records, and goes, leaving a
# full FIFO: what it never read is dropped, not delivered.
mkfifo "$T/gone"
(timeout 30 head -c $(((1 + CNN_OPS + 2 + 9) * 512)) "$T/gone" >/dev/null) &
prun "$T/b3" 30 ACLSUB_OUTPUT="$T/gone" ACLSUB_ON_FULL=block ACLSUB_STALL_MS=1000 ACLSUB_LOG=info "$APP" "$CNN" $N
wait
got=$(summary_line "$T/b3")
p=$(((CNN_OPS + 1) * N))
if [ $rc -eq 0 ] && [ "$got" = "produced $p dropped $((p - 9))" ] && [ $ms -lt 4000 ]; then
    ok "block, the FIFO's reader leaves after 9 data records (cnn x $N): $got delivered 9; ended in $ms ms"
else
    bad "block, the FIFO's reader leaves after 9 data records: exit $rc after $ms ms, '$got' (expected produced $p dropped $((p - 9)))"
    sed 's/^/    | /' "$T/b3.err" | head -n 10
fi


# --- 4d. fatal signals during a busy relay: every record of the returned executes, once -----------

N=100
p=$(((CNN_OPS + 1) * N))
# Under the sanitizer build, SIGSEGV is the sanitizer's (its handler reports and exits 1; the
# interposer leaves a handler the program has alone), so that signal is tried on the plain build only.
SIGS="15:SIGTERM 11:SIGSEGV 6:SIGABRT"
[ -n "$ASAN_LIB" ] && SIGS="15:SIGTERM 6:SIGABRT"
for sig in $SIGS; do
    num=${sig%%:*} name=${sig#*:}
    worst=""
    for i in 1 2 3 4 5 6 7 8 9 10; do
        prun "$T/s$num-$i" 20 ACLSUB_OUTPUT="$T/s$num-$i.rec" "$APP" "$CNN" 400 --kill-after $N "$num"
        got=$(counts "$T/s$num-$i.rec")
        "$ACLSUB" decode "$T/s$num-$i.rec" >/dev/null 2>&1
        drc=$?
        if [ $rc -ne $((128 + num)) ] || [ "$got" != "produced $p delivered $p dropped 0 missing 0" ] || [ $drc -ne 0 ] ||
            [ "$(v end "$T/s$num-$i.rec")" != 1 ] || [ "$(v seq_dups "$T/s$num-$i.rec")" != 0 ]; then
            worst="run $i: exit $rc, $got, $(v end "$T/s$num-$i.rec") stream end(s), $(v seq_dups "$T/s$num-$i.rec") duplicated, decode exit $drc"
        fi
    done
    if [ -z "$worst" ]; then
        ok "$name after $N executes of cnn, 10 runs: each produced $p delivered $p dropped 0 missing 0, stream end written, decode exit 0"
    else
        bad "$name after $N executes of cnn: $worst (expected produced $p delivered $p dropped 0 missing 0)"
    fi
done

# --- 4b. a file-size limit that is not a multiple of 512 bytes -----------------------------------

# prlimit --fsize counts bytes: 100,100 bytes hold 195 whole records and 260 bytes.  The library
# never writes past the last whole record that fits, keeps two records of room for the records-lost
# notice and the stream end, counts the rest as dropped, and never makes the program take SIGXFSZ:
# the file holds whole records only (195: the stream start, the model's description of CNN_OPS + 2
# records, 192 - (CNN_OPS + 2) data records, the notice and the stream end), and the program's exit
# status and output are what they are without the library.
N=400
p=$(((CNN_OPS + 1) * N))
(timeout 20 prlimit --fsize=100100 -- "$APP" "$CNN" $N; exit $?) >"$T/l0.out" 2>"$T/l0.err"
rc0=$?
for how in path fd; do
    if [ $how = path ]; then
        prun "$T/l-$how" 20 ACLSUB_OUTPUT="$T/l-$how.rec" prlimit --fsize=100100 -- "$APP" "$CNN" $N
    else
        exec 8>>"$T/l-$how.rec"
        prun "$T/l-$how" 20 ACLSUB_OUTPUT=fd:8 prlimit --fsize=100100 -- "$APP" "$CNN" $N
        exec 8>&-
    fi
    size=$(wc -c <"$T/l-$how.rec")
    if [ $rc -eq $rc0 ] && cmp -s "$T/l0.out" "$T/l-$how.out" && [ $((size % 512)) = 0 ]; then
        ok "RLIMIT_FSIZE 100100 bytes, sink by $how: exit $rc and stdout as without the library, $size bytes (whole records); ${ms} ms"
    else
        bad "RLIMIT_FSIZE 100100 bytes, sink by $how: exit $rc (without: $rc0), stdout $(cmp -s "$T/l0.out" "$T/l-$how.out" && echo same || echo differs), $size bytes"
        sed 's/^/    | /' "$T/l-$how.err" | head -n 10
    fi
    expect "RLIMIT_FSIZE 100100 bytes, sink by $how (cnn x $N)" "$T/l-$how.rec" \
        "produced $p delivered $((192 - CNN_OPS - 2)) dropped $((p - 192 + CNN_OPS + 2)) missing 0"
done

# --- 4d. _exit and exec: the stream end first, every record of the returned executes --------------

# run_each NAME OPTIONS... - the program, then its sink checked: exit status 0, its 100 lines on
# stdout, produced = delivered = p, one stream end, no duplicate, decode exit 0.  Sets worst on a
# failure and adds the time to times.
run_each() {
    tag=$1
    shift
    prun "$T/x-$tag" 20 ACLSUB_OUTPUT="$T/x-$tag.rec" "$APP" "$CNN" 400 "$@"
    got=$(counts "$T/x-$tag.rec")
    "$ACLSUB" decode "$T/x-$tag.rec" >/dev/null 2>&1
    drc=$?
    lines=$(wc -l <"$T/x-$tag.out")
    times="$times $ms"
    if [ $rc -ne 0 ] || [ "$lines" -ne $N ] || [ "$got" != "produced $p delivered $p dropped 0 missing 0" ] ||
        [ $drc -ne 0 ] || [ "$(v end "$T/x-$tag.rec")" != 1 ] || [ "$(v seq_dups "$T/x-$tag.rec")" != 0 ] ||
        [ "$(v end_mismatch "$T/x-$tag.rec")" != 0 ]; then
        worst="$tag: exit $rc, $lines lines, $got, $(v end "$T/x-$tag.rec") stream end(s), $(v seq_dups "$T/x-$tag.rec") duplicated, decode exit $drc"
    fi
}

N=100
p=$(((CNN_OPS + 1) * N))
worst="" times=""
for i in 1 2 3 4 5; do
    call=_exit
    [ $((i % 2)) = 0 ] && call=_Exit
    run_each "exit$i" --exit-after $N --exit-call $call
done
if [ -z "$worst" ]; then
    ok "_exit/_Exit(0) after $N executes of cnn, 5 runs: each produced $p delivered $p dropped 0 missing 0, stream end written, decode exit 0; ms:$times"
else
    bad "_exit/_Exit(0) after $N executes of cnn: $worst (expected exit 0, produced $p delivered $p dropped 0 missing 0)"
fi
# Each public exec function, each replacing the program by true(1) (whose exit status 0 it
# then has): libc's exec functions call one another internally, past an interposed execve.
worst="" times="" n=0
for call in execv execve execvp execvpe execl execlp execle fexecve execv execl; do
    prog=/bin/true n=$((n + 1))
    case $call in execvp | execvpe | execlp) prog=true ;; esac
    run_each "$call-$n" --exec-after $N "$prog" --exec-call $call
done
if [ -z "$worst" ]; then
    ok "exec of true(1) after $N executes of cnn, by each exec function, 10 runs: each produced $p delivered $p dropped 0 missing 0, stream end written, decode exit 0; ms:$times"
else
    bad "exec after $N executes of cnn: $worst (expected exit 0, produced $p delivered $p dropped 0 missing 0)"
fi
# An exec that fails: the program goes on, and so does its stream, as a new one (a stream start,
# numbers from 0), ended at exit; decode proves both segments.
for call in execv execlp; do
    prun "$T/xf-$call" 20 ACLSUB_OUTPUT="$T/xf-$call.rec" "$APP" "$CNN" 400 --exec-after $N "$T/no-such-program" \
        --exec-call $call
    "$CHK" check "$T/xf-$call.rec" >"$T/xf-$call.rec.sc" 2>/dev/null
    "$ACLSUB" decode "$T/xf-$call.rec" >/dev/null 2>&1
    drc=$?
    data=$(($(v op "$T/xf-$call.rec") + $(v run "$T/xf-$call.rec")))
    all=$(((CNN_OPS + 1) * 400))
    got="exit $rc, $(wc -l <"$T/xf-$call.out") lines, $(v start "$T/xf-$call.rec") stream starts, $(v end "$T/xf-$call.rec") stream ends, $data delivered, last segment's end $(v end_delivered "$T/xf-$call.rec")/$(v end_dropped "$T/xf-$call.rec"), decode exit $drc"
    if [ "$got" = "exit 0, 400 lines, 2 stream starts, 2 stream ends, $all delivered, last segment's end $((all - p))/0, decode exit 0" ]; then
        ok "$call of a missing program after $N executes of cnn x 400: $got; ${ms} ms"
    else
        bad "$call of a missing program: $got (expected exit 0, 400 lines, 2 starts and ends, $all delivered, $((all - p))/0)"
        sed 's/^/    | /' "$T/xf-$call.err" | head -n 10
    fi
done

# --- 4e. the stream end is written last: its counts are what a reader could read ---------------

# A slow FIFO reader (8 KiB every 10 ms) holds the program back (block); SIGTERM after 200
# executes leaves more in the ring and the pipes than the last flush can write in its time: the
# rest is counted as dropped before the stream end is made, so the stream end is written and its
# counts match the stream exactly.
N=200
p=$(((CNN_OPS + 1) * N))
for i in 1 2 3; do
    rm -f "$T/e$i.fifo"
    mkfifo "$T/e$i.fifo"
    (timeout 30 "$CHK" slowcopy "$T/e$i.fifo" "$T/e$i.rec" 8192 10) &
    prun "$T/e$i" 20 ACLSUB_OUTPUT="$T/e$i.fifo" "$APP" "$CNN" 400 --kill-after $N 15
    wait
    counts "$T/e$i.rec" >/dev/null
    d=$(($(v op "$T/e$i.rec") + $(v run "$T/e$i.rec")))
    if [ $rc -ne 143 ] || [ "$d" -ge "$p" ]; then
        bad "SIGTERM after $N executes, a slow FIFO reader, run $i: exit $rc, $d of $p delivered (expected 143, some dropped in the last flush)"
    fi
    expect "SIGTERM after $N executes, a slow FIFO reader, run $i of 3 (last flush dropped some; ${ms} ms)" \
        "$T/e$i.rec" "produced $p delivered $d dropped $((p - d)) missing 0"
done

# --- 4f. SIGTERM from outside at 20 moments, a slow FIFO reader: never a record twice ------

# The relay writes to a FIFO a slow reader (8 KiB every millisecond) drains while SIGTERM comes
# from outside at one of 20 fixed moments spread over the run; the handler's last flush and the relay's writes claim their
# records, so none is written twice: decode finds no duplicate and no uncounted loss.
N=400
p=$(((CNN_OPS + 1) * N))
worst="" runs="" ends=0
for i in $(seq 1 20); do
    rm -f "$T/r.fifo"
    mkfifo "$T/r.fifo"
    (timeout 30 "$CHK" slowcopy "$T/r.fifo" "$T/r$i.rec" 8192 1) &
    rdr=$!
    delay=$((50 + (i - 1) * 35)) # 50 to 715 ms: the same moments in every run of the check
    start=$(date +%s%N)
    # --foreground: timeout passes SIGTERM to the program only, not to the reader in its group
    ACLSUB_OUTPUT="$T/r.fifo" LD_PRELOAD="$PRE" timeout --foreground 20 "$APP" "$CNN" $N >"$T/r$i.out" 2>"$T/r$i.err" &
    app=$!
    sleep "$(awk -v d=$delay 'BEGIN {printf "%.3f", d / 1000}')"
    kill -TERM $app 2>/dev/null
    wait $app
    rc=$?
    wait $rdr
    ms=$((($(date +%s%N) - start) / 1000000))
    got=$(counts "$T/r$i.rec")
    "$ACLSUB" decode "$T/r$i.rec" >/dev/null 2>"$T/r$i.dec"
    drc=$?
    e=$(v end "$T/r$i.rec")
    ends=$((ends + e))
    d=$(($(v op "$T/r$i.rec") + $(v run "$T/r$i.rec")))
    runs="$runs ${delay}ms:$d/$(($(v end_delivered "$T/r$i.rec") + $(v end_dropped "$T/r$i.rec")))"
    if [ $drc -ne 0 ] || [ "$(v seq_dups "$T/r$i.rec")" != 0 ] || [ "$(v damage "$T/r$i.rec")" != 0 ] ||
        grep -q "more than once" "$T/r$i.dec" || [ "$e" != 1 ] || [ "$(v end_mismatch "$T/r$i.rec")" != 0 ] ||
        { [ $rc -ne 143 ] && [ $rc -ne 0 ]; }; then
        worst="run $i (SIGTERM at $delay ms): exit $rc, $got, $e stream end(s), $(v seq_dups "$T/r$i.rec") duplicated, $(v damage "$T/r$i.rec") damaged, decode exit $drc; ${ms} ms"
    fi
done
if [ -z "$worst" ]; then
    ok "SIGTERM at 20 moments, a slow FIFO reader (cnn x $N), 20 runs: 0 duplicated, decode exit 0, $ends stream ends; SIGTERM at: delivered/produced:$runs"
else
    bad "SIGTERM at 20 moments, a slow FIFO reader: $worst"
    sed 's/^/    | /' "$T/r$i.dec" | head -n 5
fi

# --- 4g. SIGTERM while the program executes a tiny model back to back: a stream end every time --
# The program's thread takes the relay's lock at every execute; a SIGTERM handled on it while it
# held the lock used to wait 2 s for a last flush that could not take it, and the stream ended
# without its stream end (about 1 run in 20).  30 fixed moments from 100 ms to 1.2 s.  An operator
# filter that passes no operator keeps the file small (the whole-run records only); the executes are
# more than any machine runs in the time, and timeout ends a run that the kill missed.
N=100000000
missing="" hruns=0
for i in $(seq 1 30); do
    rm -f "$T/h.rec"
    ACLSUB_OP_TYPES=NoSuchType ACLSUB_OUTPUT="$T/h.rec" LD_PRELOAD="$PRE" timeout --foreground 30 "$APP" "$MLP" $N \
        >/dev/null 2>"$T/h.err" &
    app=$!
    sleep "$(awk -v i="$i" 'BEGIN {printf "%.3f", (100 + i * 37) / 1000}')"
    kill -TERM $app 2>/dev/null
    wait $app
    rc=$?
    counts "$T/h.rec" >/dev/null
    hruns=$((hruns + 1))
    if [ $rc -ne 143 ] || [ "$(v end "$T/h.rec")" != 1 ] || [ "$(v seq_dups "$T/h.rec")" != 0 ] ||
        [ "$(v end_mismatch "$T/h.rec")" != 0 ]; then
        missing="$missing [at $((100 + i * 37)) ms: exit $rc, $(v end "$T/h.rec") stream end(s)]"
    fi
done
if [ -z "$missing" ]; then
    ok "SIGTERM at $hruns moments while mlp executes back to back (file sink, no operator passed): a stream end with matching counts every time"
else
    bad "SIGTERM while mlp executes back to back:$missing"
fi
rm -f "$T/h.rec"

# --- 3. descriptors closed or replaced behind the library's back ------------------------------

N=40
p=$(((CNN_OPS + 1) * N))
for how in raw-close-range dup2-null; do
    prun "$T/c-$how" 20 ACLSUB_OUTPUT="$T/c-$how.rec" "$APP" "$CNN" $N --$how
    expect "--$how after the load, a file sink (cnn x $N; ${ms} ms)" "$T/c-$how.rec" \
        "produced $p delivered $p dropped 0 missing 0"
    n=$(grep -c "behind its back" "$T/c-$how.err")
    [ "$n" = 1 ] && ok "--$how: said once on stderr" || bad "--$how: said $n times on stderr"
done
exec 9>"$T/fd9.rec"
prun "$T/c-fd" 20 ACLSUB_OUTPUT=fd:9 ACLSUB_LOG=info "$APP" "$CNN" $N --dup2-null
exec 9>&-
got=$(summary_line "$T/c-fd")
if [ $rc -eq 0 ] && [ "$got" = "produced $p dropped $p" ]; then
    ok "--dup2-null over an fd:9 sink (cnn x $N): $got delivered 0 (to /dev/null); ${ms} ms"
else
    bad "--dup2-null over an fd:9 sink: exit $rc, '$got' (expected produced $p dropped $p)"
    sed 's/^/    | /' "$T/c-fd.err" | head -n 10
fi

# --- one hop: the runtime writes into a file sink itself; the relay where it is needed ------

N=40
p=$(((CNN_OPS + 1) * N))
prun "$T/h1" 20 ACLSUB_OUTPUT="$T/h1.rec" ACLSUB_LOG=debug "$APP" "$CNN" $N
expect "one hop into a file sink (cnn x $N; ${ms} ms)" "$T/h1.rec" "produced $p delivered $p dropped 0 missing 0"
n=$(grep -c "on one hop" "$T/h1.err")
[ "$n" = 1 ] && ok "one hop: said at ACLSUB_LOG=debug" || bad "one hop: said $n times at ACLSUB_LOG=debug"
prun "$T/h2" 20 ACLSUB_OUTPUT="$T/h2.rec" ACLSUB_LOG=debug ACLSUB_OP_NAMES='*' "$APP" "$CNN" $N
n=$(grep -c "through the relay" "$T/h2.err")
[ "$n" = 1 ] && ok "an operator filter keeps the relay" || bad "an operator filter: 'through the relay' said $n times"
prun "$T/h3" 20 ACLSUB_OUTPUT="$T/h3.rec" ACLSUB_LOG=debug prlimit --fsize=100000000 -- "$APP" "$CNN" $N
n=$(grep -c "through the relay" "$T/h3.err")
[ "$n" = 1 ] && ok "a file-size limit keeps the relay" || bad "a file-size limit: 'through the relay' said $n times"
# The program subscribes a model followed on one hop: the model moves to the relay, no record lost.
prun "$T/h4" 20 ACLSUB_OUTPUT="$T/h4.rec" ACLSUB_LOG=debug "$APP" "$CNN" $N --self-subscribe
expect "one hop, then the program subscribes the model: the relay (cnn x $N; ${ms} ms)" "$T/h4.rec" \
    "produced $p delivered $p dropped 0 missing 0"
n=$(grep -c "the program subscribes it too" "$T/h4.err")
[ "$n" = 1 ] && ok "one hop to the relay: said at ACLSUB_LOG=debug" || bad "one hop to the relay: said $n times"

end_checks
