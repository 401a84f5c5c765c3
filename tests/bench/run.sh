#!/bin/sh
# run.sh BUILD - the profiling-cost and interposer benchmarks (`make bench`), run from the
# repository root against a build directory (default: build).
#
# Prints the machine, builds BUILD/bench/bench_prof against the emulated
# BUILD/lib/aclsub-emu/libascendcl.so, generates and compiles a model of
# 10,000 tiny operators (tests/gen_many_ops.sh) in a temporary directory, runs
# bench_prof on the CNN demo model and on the tiny-operator model, and ends
# with a summary against the targets:
#   profiling cost per operator <= 100 ns (tiny-operator model)
#   CNN execute overhead        <= 1 %
# It measures and reports; a missed target does not fail it.  It exits
# non-zero only when something does not work: a build step, a program that
# fails, or one that does not finish within its time limit.
#
# Then it measures the LD_PRELOAD interposer BUILD/lib/libaclsub.so on
# BUILD/bench/bench_preload, a plain AscendCL program (no aclprof calls),
# its sink a FIFO drained by BUILD/bench/bench_pipe (large reads, every
# record checked), with ACLSUB_ON_FULL=block:
#   the raw pipe ceiling of the machine (bench_pipe ceiling: 512-byte
#   records in 4096-byte writes, 1 hop, and 2 hops with a copier between:
#   the shape of the relay's path), for calibration
#   preload overhead on the toy CNN model, for reference only: its
#   run-to-run noise (hand-offs between threads, 60 to 100 us executes on
#   a virtual machine) is larger than 1 %; the target of <= 1 % is on each
#   real model (below)
#   preload cost per operator (tiny operators) <= 150 ns
#   records per second device -> runtime writer -> FIFO -> reader (one hop; aclsub-env(7))
#   >= 90 % of the 1-hop pipe ceiling: the best of the calibration's runs
#   and of one run right before each throughput run (the machine's pipe
#   speed moves between levels within a minute, and a ceiling run caught in
#   the slow one is no ceiling)
#   preload cost per operator on one hop, the sink a regular file (the
#   runtime writes the records itself; aclsub-env(7), ONE HOP) <= 150 ns
# The overheads come from runs with and without the preload alternated
# (off, on, on, off, off, on, ...) so that drift cancels; every preloaded
# run must deliver every record (stream-end record: 0 dropped, counts
# matching the executes) or the script fails.
#
# Environment (optional): CC, BENCH_CNN_ITERS (default 5000),
# BENCH_MANY_ITERS (default 400), BENCH_MANY_OPS (default 10000),
# BENCH_PRELOAD_PAIRS (runs with and without the preload, each; default 10),
# BENCH_PRELOAD_CNN_ITERS (default 2000), BENCH_PRELOAD_MANY_ITERS (default
# 100), BENCH_TPUT_RUNS (default 3), BENCH_TPUT_ITERS (default 300),
# BENCH_CEILING_RECORDS (default 1000000), ACLSUB_BUFFER (passed on),
# BENCH_ORT_PAIRS (alternated pairs of runs per real model and thread count;
# default 5), BENCH_ORT_EXECS (executes per run; default 10, cls 5 times as many),
# BENCH_DECODE_RECORDS (the decoder's file; default 2000000, and ten times as
# many), BENCH_ONLY=decode (the decoder part alone: nothing else is built or run).
#
# The decoder: `aclsub decode summary` and the Chrome trace on 2 M records of
# tests/data/views.spec in the page cache, `aclsub report` on the same file
# (its time as a ratio to the summary's, target <= 1.5) and on 20 M records
# from a pipe (BENCH_REPORT_RECORDS; the page's size, target <= 5 MB).
#
# Last it times the real models (PaddleOCR cls, PP-OCRv4 rec and det, from
# models/onnx) on the emulated device against ONNX Runtime's CPU build
# (third_party/onnxruntime, run by tests/ref/ort_run.js), on the same input at
# the same thread count (one thread, and each runtime's default), in pairs of
# alternated runs:
#   execute time / ONNX Runtime's   <= 1.0 (each model, each thread count)
# and the preload's overhead on each (default threads, a FIFO sink drained by
# a reader; BENCH_PRELOAD_REAL_PAIRS runs without and as many with, default
# 10 (cls: 3 times as many, its runs are short and its spread from run to
# run is larger than the 1 % target), short and many because this machine's
# speed drifts between two levels for tens of seconds at a time;
# BENCH_PRELOAD_REAL_EXECS executes per run, default 20, cls 10 times as
# many, det a third):
#   preload overhead                <= 1 % (each model)
# When ONNX Runtime or the models are missing this part says so and is skipped.
set -eu

B=${1:-build}
CC=${CC:-cc}
CNN_ITERS=${BENCH_CNN_ITERS:-5000}
MANY_ITERS=${BENCH_MANY_ITERS:-400}
MANY_OPS=${BENCH_MANY_OPS:-10000}
RUN_LIMIT=60 # seconds per benchmark program
PAIRS=${BENCH_PRELOAD_PAIRS:-10}
PL_CNN_ITERS=${BENCH_PRELOAD_CNN_ITERS:-2000}
PL_MANY_ITERS=${BENCH_PRELOAD_MANY_ITERS:-100}
TPUT_RUNS=${BENCH_TPUT_RUNS:-5}
TPUT_ITERS=${BENCH_TPUT_ITERS:-300}
CEIL_RECORDS=${BENCH_CEILING_RECORDS:-1000000}
ONLY=${BENCH_ONLY:-}

fail() {
    echo "bench: $*" >&2
    exit 1
}

if [ ! -f tests/bench/bench_prof.c ] || [ ! -f tests/gen_many_ops.sh ]; then
    fail "run from the repository root (tests/bench/bench_prof.c not found)"
fi
LIBDIR=$B/lib/aclsub-emu
ACLSUB=$B/bin/aclsub
[ -f "$LIBDIR/libascendcl.so" ] || fail "$LIBDIR/libascendcl.so is missing: run make first"
[ -x "$ACLSUB" ] || fail "$ACLSUB is missing: run make first"
case $ONLY in
'' | decode) ;;
*) fail "BENCH_ONLY: 'decode' or nothing, not '$ONLY'" ;;
esac
command -v timeout >/dev/null 2>&1 || fail "timeout (coreutils) is needed"

# --- the machine -------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
[ -n "$cpu" ] || cpu=$(sed -n 's/^\(Hardware\|Processor\|cpu model\)[[:space:]]*:[[:space:]]*//p' \
    /proc/cpuinfo 2>/dev/null | head -n 1)
[ -n "$cpu" ] || cpu="unknown CPU ($(uname -m))"
if grep -q '^flags.* hypervisor' /proc/cpuinfo 2>/dev/null; then
    cpu="$cpu (virtual machine)"
fi
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null || echo '?')
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || true)
[ -n "$mem" ] || mem="? GiB"
kernel=$(uname -srm)
now=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
machine="$cpu, $cores cores, $mem, $kernel, $now"
echo "machine: $machine"
echo "load:    $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo '?') (1, 5, 15 min)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/aclsub-bench.XXXXXX")
reader_pid=
# A FIFO reader still running when the script stops is this script's own: end it.
cleanup() {
    if [ -n "$reader_pid" ]; then
        kill "$reader_pid" 2>/dev/null || true
        wait "$reader_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# verdict VALUE LIMIT: "met" or "missed".
verdict() {
    awk -v v="$1" -v l="$2" 'BEGIN { print (v + 0 <= l + 0) ? "met" : "MISSED" }'
}

# at_least VALUE LIMIT: "met" or "MISSED".
at_least() {
    awk -v v="$1" -v l="$2" 'BEGIN { print (v + 0 >= l + 0) ? "met" : "MISSED" }'
}

# --- the decoder ---------------------------------------------------------------------------
bench_decoder() {
# Summary speed and peak RSS at DEC_RECORDS and ten times as many (the memory must not follow the
# records), and the Chrome trace's speed at DEC_RECORDS.
DEC_RECORDS=${BENCH_DECODE_RECORDS:-2000000}
spec_n=$(grep -c '^[^#]' tests/data/views.spec)
reps=$(( (DEC_RECORDS + spec_n - 1) / spec_n ))
dec_n=$((reps * spec_n))
dec_time() { # seconds of the best of 3 runs of: aclsub decode ARGS > /dev/null
    best=
    for _ in 1 2 3; do
        t0=$(date +%s.%N)
        OPENBLAS_NUM_THREADS=1 timeout "$RUN_LIMIT" "$ACLSUB" decode "$@" >/dev/null 2>&1 || fail "aclsub decode $* failed"
        t1=$(date +%s.%N)
        best=$(awk -v a="$t0" -v b="$t1" -v m="$best" 'BEGIN { d = b - a; print (m == "" || d < m) ? d : m }')
    done
    echo "$best"
}
dec_rss() { # peak RSS in KiB of: aclsub decode ARGS > /dev/null, or ?
    if [ -x /usr/bin/time ] && OPENBLAS_NUM_THREADS=1 /usr/bin/time -f %M -o "$tmp/rss" "$ACLSUB" decode "$@" \
        >/dev/null 2>&1; then
        tail -n 1 "$tmp/rss"
    else
        echo "?"
    fi
}
for k in 1 10; do
    n=$((dec_n * k))
    echo
    echo "=== aclsub decode: $n records ($((n / 2048)) MiB) from tests/data/views.spec"
    "$B/tests/tool_genstream" tests/data/views.spec "$tmp/big.rec" --repeat $((reps * k)) ||
        fail "tool_genstream failed"
    cat "$tmp/big.rec" >/dev/null # the page cache holds it for every pass
    s=$(dec_time summary "$tmp/big.rec")
    rate=$(awk -v n="$n" -v s="$s" 'BEGIN { printf "%.0f", n / s }')
    rss=$(dec_rss summary "$tmp/big.rec")
    echo "  summary: $s s, $rate records/s, peak RSS $rss KiB"
    eval "sum_rate_$k=\$rate sum_rss_$k=\$rss"
    if [ "$k" = 1 ]; then
        chrome_s=$(dec_time list --format chrome "$tmp/big.rec")
        chrome_rate=$(awk -v n="$n" -v s="$chrome_s" 'BEGIN { printf "%.0f", n / s }')
        echo "  chrome trace: $chrome_s s, $chrome_rate events/s"
        # aclsub report on the same file (its two reads: the whole file, then up to the median execute).
        rep_s=
        for _ in 1 2 3; do
            t0=$(date +%s.%N)
            OPENBLAS_NUM_THREADS=1 timeout "$RUN_LIMIT" "$ACLSUB" report --force -o "$tmp/report.html" "$tmp/big.rec" \
                >/dev/null 2>&1 || fail "aclsub report failed"
            t1=$(date +%s.%N)
            rep_s=$(awk -v a="$t0" -v b="$t1" -v m="$rep_s" 'BEGIN { d = b - a; print (m == "" || d < m) ? d : m }')
        done
        rep_size=$(wc -c <"$tmp/report.html")
        rep_ratio=$(awk -v r="$rep_s" -v s="$s" 'BEGIN { printf "%.2f", r / s }')
        echo "  report: $rep_s s ($rep_ratio x the summary's time), page $rep_size bytes"
        rm -f "$tmp/report.html"
    fi
    rm -f "$tmp/big.rec"
done
sum_rate=$sum_rate_10
rss_ratio=$(awk -v a="$sum_rss_10" -v b="$sum_rss_1" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "?" }')
# The page of a 20 M-record recording, streamed (10 GiB never stored: from a pipe, so without a timeline).
REP_RECORDS=${BENCH_REPORT_RECORDS:-20000000}
rep_reps=$(( (REP_RECORDS + spec_n - 1) / spec_n ))
echo "=== aclsub report: $((rep_reps * spec_n)) records from a pipe"
t0=$(date +%s.%N)
"$B/tests/tool_genstream" tests/data/views.spec /dev/stdout --repeat "$rep_reps" |
    OPENBLAS_NUM_THREADS=1 timeout 600 "$ACLSUB" report -o "$tmp/report20.html" - >/dev/null 2>&1 ||
    fail "aclsub report of $REP_RECORDS records failed"
t1=$(date +%s.%N)
rep20_size=$(wc -c <"$tmp/report20.html")
rep20_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
echo "  page $rep20_size bytes in $rep20_s s (generator and report together)"
rm -f "$tmp/report20.html"
}

# decoder_summary: its lines of the summary.
decoder_summary() {
echo "decode summary: $sum_rate records/s = $(awk -v r="$sum_rate" 'BEGIN { printf "%.2f", r / 20000000 }') x the target (>= 20000000)  $(at_least "$sum_rate" 20000000)"
echo "    [$((dec_n * 10)) records in the page cache, best of 3; at $dec_n records: $sum_rate_1 records/s]"
echo "decode summary peak RSS: $sum_rss_10 KiB at $((dec_n * 10)) records, $sum_rss_1 KiB at $dec_n: ratio $rss_ratio (target <= 1.5)  $(verdict "$rss_ratio" 1.5)"
echo "decode chrome trace: $chrome_rate events/s = $(awk -v r="$chrome_rate" 'BEGIN { printf "%.2f", r / 3000000 }') x the target (>= 3000000)  $(at_least "$chrome_rate" 3000000)"
echo "report / decode summary time: $rep_ratio (target <= 1.5)  $(verdict "$rep_ratio" 1.5)"
echo "    [$dec_n records in the page cache, best of 3 each; page $rep_size bytes]"
echo "report page, $((rep_reps * spec_n)) records: $rep20_size bytes (target <= 5000000)  $(verdict "$rep20_size" 5000000)"
}

if [ "$ONLY" = decode ]; then
    bench_decoder
    echo
    echo "=== summary"
    echo "machine: $machine"
    decoder_summary
    echo "load:    $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo '?') (1, 5, 15 min, at the end)"
    exit 0
fi

# --- build ----------------------------------------------------------------------------
mkdir -p "$B/bench"
libabs=$(cd "$LIBDIR" && pwd -P)
echo "building $B/bench/bench_prof"
$CC -std=c11 -O2 -Wall -Wextra -Iinclude -o "$B/bench/bench_prof" tests/bench/bench_prof.c \
    -L"$LIBDIR" -Wl,-rpath,"$libabs" -lascendcl -pthread ||
    fail "cannot build bench_prof"
echo "building $B/bench/bench_preload and $B/bench/bench_pipe"
$CC -std=c11 -O2 -Wall -Wextra -Iinclude -o "$B/bench/bench_preload" tests/bench/bench_preload.c \
    -L"$LIBDIR" -Wl,-rpath,"$libabs" -lascendcl -pthread ||
    fail "cannot build bench_preload"
$CC -std=c11 -O2 -Wall -Wextra -o "$B/bench/bench_pipe" tests/bench/bench_pipe.c ||
    fail "cannot build bench_pipe"
[ -f "$B/lib/libaclsub.so" ] || fail "$B/lib/libaclsub.so is missing: run make first"
preload=$(cd "$B/lib" && pwd -P)/libaclsub.so


# The CNN model: the build's, or compiled here when `make tests` has not made it.
cnn=$B/models/cnn.om
if [ ! -f "$cnn" ]; then
    cnn=$tmp/cnn.om
    "$ACLSUB" mkom -o "$cnn" models/cnn.txt >/dev/null || fail "aclsub mkom models/cnn.txt failed"
fi

echo "generating a model of $MANY_OPS tiny operators"
sh tests/gen_many_ops.sh "$MANY_OPS" >"$tmp/many.txt" || fail "tests/gen_many_ops.sh failed"
"$ACLSUB" mkom -o "$tmp/many.om" "$tmp/many.txt" >/dev/null || fail "aclsub mkom of the generated model failed"

# run_bench NAME MODEL ITERATIONS: runs bench_prof under a time limit, output in $tmp/NAME.out.
run_bench() {
    echo
    echo "=== $1: bench_prof $2 $3"
    set +e
    timeout -k 5 "$RUN_LIMIT" "$B/bench/bench_prof" "$2" "$3" >"$tmp/$1.out" 2>"$tmp/$1.err"
    rc=$?
    set -e
    cat "$tmp/$1.out"
    cat "$tmp/$1.err" >&2
    case $rc in
    0) ;;
    124 | 137) fail "$1: bench_prof did not finish within $RUN_LIMIT s (hung?)" ;;
    *) fail "$1: bench_prof failed with status $rc" ;;
    esac
    grep -q '^RESULT ' "$tmp/$1.out" || fail "$1: bench_prof printed no RESULT line"
}

# result NAME KEY: a value from the RESULT line of NAME's output.
result() {
    sed -n "s/^RESULT.* $2=\([^ ]*\).*/\1/p" "$tmp/$1.out"
}


run_bench cnn "$cnn" "$CNN_ITERS"
run_bench many "$tmp/many.om" "$MANY_ITERS"
# The same with the pipeline idle between executes: the cost on the device itself.
BENCH_PAUSE_US=8000 run_bench many_idle "$tmp/many.om" 60
device_per_op=$(result many_idle diff_per_op_ns)

per_op=$(result many diff_per_op_ns)
per_op_paired=$(result many paired_per_op_ns)
cnn_paired=$(result cnn paired_per_op_ns)
gap=$(result many gap_per_op_ns)
cnn_pct=$(result cnn overhead_pct)
cnn_per_op=$(result cnn diff_per_op_ns)
cnn_pct=$(awk -v v="$cnn_pct" 'BEGIN { printf "%.2f", v }')

# === The interposer: libaclsub.so ==================================================

# kv FILE KEY: a value from the RESULT line of FILE.
kv() {
    sed -n "s/^RESULT.* $2=\([^ ]*\).*/\1/p" "$1"
}


# quantile Q: the Q-quantile (0..1, linear between ranks) of the numbers on
# standard input, one a line; median: quantile 0.5.
quantile() {
    sort -g | awk -v q="$1" '{ v[NR] = $1 } END { if (NR == 0) { print 0; exit }
        p = q * (NR - 1) + 1; i = int(p); f = p - i
        if (i >= NR) printf "%.6f\n", v[NR]; else printf "%.6f\n", v[i] + f * (v[i + 1] - v[i]) }'
}
median() {
    quantile 0.5
}

# plain_run NAME MODEL EXECUTES [WARMUP]: bench_preload without the preload;
# output in $tmp/NAME.out.
plain_run() {
    set +e
    timeout -k 5 "$RUN_LIMIT" env -u LD_PRELOAD "$B/bench/bench_preload" "$2" "$3" ${4:+"$4"} \
        >"$tmp/$1.out" 2>"$tmp/$1.err"
    pr_rc=$?
    set -e
    cat "$tmp/$1.err" >&2
    case $pr_rc in
    0) ;;
    124 | 137) fail "$1: bench_preload did not finish within $RUN_LIMIT s (hung?)" ;;
    *) fail "$1: bench_preload failed with status $pr_rc" ;;
    esac
    grep -q '^RESULT ' "$tmp/$1.out" || fail "$1: bench_preload printed no RESULT line"
}

# preloaded_run NAME MODEL EXECUTES [WARMUP]: bench_preload under libaclsub.so,
# its sink the FIFO $tmp/NAME.fifo drained by bench_pipe; outputs in
# $tmp/NAME.out (program) and $tmp/NAME.rd (reader).  Fails unless the
# stream ends with a stream-end record that reports 0 dropped and as many
# records as arrived, one whole-execute record per execute.
preloaded_run() {
    pr_fifo=$tmp/$1.fifo
    rm -f "$pr_fifo"
    mkfifo "$pr_fifo" || fail "mkfifo $pr_fifo failed"
    timeout -k 5 "$RUN_LIMIT" "$B/bench/bench_pipe" read "$pr_fifo" >"$tmp/$1.rd" 2>"$tmp/$1.rd.err" &
    reader_pid=$!
    # The reader prints its first line once the FIFO is open: then the program starts.
    pr_wait=0
    while [ ! -s "$tmp/$1.rd" ]; do
        kill -0 "$reader_pid" 2>/dev/null || break
        pr_wait=$((pr_wait + 1))
        [ "$pr_wait" -le 1000 ] || fail "$1: bench_pipe did not open $pr_fifo within 10 s"
        sleep 0.01
    done
    if ! kill -0 "$reader_pid" 2>/dev/null; then
        cat "$tmp/$1.rd.err" >&2
        reader_pid=
        fail "$1: bench_pipe read ended before the program started"
    fi
    set +e
    timeout -k 5 "$RUN_LIMIT" env -u ACLSUB_MODELS -u ACLSUB_OP_TYPES -u ACLSUB_OP_NAMES \
        LD_PRELOAD="$preload" ACLSUB_OUTPUT="$pr_fifo" ACLSUB_ON_FULL=block ACLSUB_LOG=warn \
        "$B/bench/bench_preload" "$2" "$3" ${4:+"$4"} >"$tmp/$1.out" 2>"$tmp/$1.err"
    pr_rc=$?
    if [ "$pr_rc" -ne 0 ]; then
        kill "$reader_pid" 2>/dev/null
    fi
    wait "$reader_pid"
    pr_rrc=$?
    reader_pid=
    set -e
    cat "$tmp/$1.err" "$tmp/$1.rd.err" >&2
    case $pr_rc in
    0) ;;
    124 | 137) fail "$1: bench_preload (preloaded) did not finish within $RUN_LIMIT s (hung?)" ;;
    *) fail "$1: bench_preload (preloaded) failed with status $pr_rc" ;;
    esac
    case $pr_rrc in
    0) ;;
    124 | 137) fail "$1: bench_pipe read did not finish within $RUN_LIMIT s (hung?)" ;;
    *) fail "$1: bench_pipe read failed with status $pr_rrc" ;;
    esac
    grep -q '^RESULT ' "$tmp/$1.out" || fail "$1: bench_preload printed no RESULT line"
    grep -q '^RESULT ' "$tmp/$1.rd" || fail "$1: bench_pipe printed no RESULT line"
    [ "$(kv "$tmp/$1.rd" end_seen)" = 1 ] || fail "$1: the stream has no stream-end record"
    pr_dropped=$(kv "$tmp/$1.rd" end_dropped)
    [ "$pr_dropped" = 0 ] || fail "$1: $pr_dropped records dropped with ACLSUB_ON_FULL=block"
    pr_data=$(kv "$tmp/$1.rd" data)
    [ "$pr_data" = "$(kv "$tmp/$1.rd" end_records)" ] ||
        fail "$1: $pr_data records arrived, the stream-end record says $(kv "$tmp/$1.rd" end_records)"
    pr_execs=$(($(kv "$tmp/$1.out" executes) + $(kv "$tmp/$1.out" warmup)))
    [ "$(kv "$tmp/$1.rd" runs)" = "$pr_execs" ] ||
        fail "$1: $(kv "$tmp/$1.rd" runs) whole-execute records for $pr_execs executes"
}

# series NAME MODEL EXECUTES [N]: N (default PAIRS) runs without and N with the preload,
# alternating off, on, on, off, off, on, ...; one line per run in
# $tmp/NAME.series: "off|on median_ns mean_ns cpu_per_exec_ns checksum data runs rate".
# Each run's line shows its context switches per execute (the program's
# threads) and, with the preload, the reader's CPU time per record.
series() {
    : >"$tmp/$1.series"
    se_i=0
    while [ "$se_i" -lt $((2 * ${4:-$PAIRS})) ]; do
        se_on=$((((se_i + 1) / 2) % 2))
        se_name=$1.$se_i
        if [ "$se_on" = 1 ]; then
            preloaded_run "$se_name" "$2" "$3"
            se_mode=on
            se_data=$(kv "$tmp/$se_name.rd" data)
            se_runs=$(kv "$tmp/$se_name.rd" runs)
            se_rate=$(kv "$tmp/$se_name.rd" rate_rps)
            se_note=$(awk -v d="$se_data" -v r="$se_rate" -v c="$(kv "$tmp/$se_name.rd" cpu_ns)" \
                -v n="$(kv "$tmp/$se_name.rd" records)" 'BEGIN {
                printf "%8d records, 0 dropped, %8.0f records/s, reader %4.0f ns/record", d, r, c / n }')
        else
            plain_run "$se_name" "$2" "$3"
            se_mode=off
            se_data=0 se_runs=0 se_rate=0 se_note=
        fi
        se_med=$(kv "$tmp/$se_name.out" median_ns)
        se_mean=$(kv "$tmp/$se_name.out" mean_ns)
        se_cpu=$(kv "$tmp/$se_name.out" cpu_per_exec_ns)
        echo "$se_mode $se_med $se_mean $se_cpu $(kv "$tmp/$se_name.out" checksum) $se_data $se_runs $se_rate" \
            >>"$tmp/$1.series"
        se_cs=$(awk -v a="$(kv "$tmp/$se_name.out" vcsw)" -v b="$(kv "$tmp/$se_name.out" ivcsw)" \
            -v n="$(kv "$tmp/$se_name.out" executes)" 'BEGIN { printf "%.1f", (a + b) / n }')
        awk -v i=$((se_i + 1)) -v m="$se_mode" -v med="$se_med" -v mean="$se_mean" -v cpu="$se_cpu" \
            -v cs="$se_cs" -v note="$se_note" 'BEGIN {
            printf "  run %2d %-7s median %8.2f us, mean %8.2f us, CPU %8.2f us, %4.1f switches /execute  %s\n",
                i, (m == "on" ? "with" : "without"), med / 1e3, mean / 1e3, cpu / 1e3, cs, note }'
        se_i=$((se_i + 1))
    done
}

# series_stats NAME: "med_off med_on mean_off mean_on paired_ratio cpu_off cpu_on
# same_checksums ops_per_execute" from $tmp/NAME.series.  Medians over the runs
# of each run's median (and mean, CPU); paired: the median over the
# neighbouring (off, on) runs of the ratio of their medians.
series_stats() {
    ss_f=$tmp/$1.series
    ss_med_off=$(awk '$1 == "off" { print $2 }' "$ss_f" | median)
    ss_med_on=$(awk '$1 == "on" { print $2 }' "$ss_f" | median)
    ss_mean_off=$(awk '$1 == "off" { print $3 }' "$ss_f" | median)
    ss_mean_on=$(awk '$1 == "on" { print $3 }' "$ss_f" | median)
    ss_cpu_off=$(awk '$1 == "off" { print $4 }' "$ss_f" | median)
    ss_cpu_on=$(awk '$1 == "on" { print $4 }' "$ss_f" | median)
    ss_paired=$(awk 'NR % 2 == 1 { m = $1; v = $2 } NR % 2 == 0 {
        if (m == "off") print $2 / v; else print v / $2 }' "$ss_f" | median)
    ss_same=$(awk '{ c[$5] = 1 } END { n = 0; for (k in c) n++; print (n == 1) ? "yes" : "NO" }' "$ss_f")
    ss_ops=$(awk '$1 == "on" { print int($6 / $7) - 1; exit }' "$ss_f")
    echo "$ss_med_off $ss_med_on $ss_mean_off $ss_mean_on $ss_paired $ss_cpu_off $ss_cpu_on $ss_same $ss_ops"
}

# print_series_summary NAME: the comparison lines of a series.
print_series_summary() {
    ps_f=$tmp/$1.series
    set -- $(series_stats "$1")
    awk -v off="$1" -v on="$2" -v moff="$3" -v mon="$4" -v pr="$5" -v coff="$6" -v con="$7" -v ops="$9" 'BEGIN {
        printf "  %-36s %12s %12s %12s\n", "over the runs (median of each)", "without", "with", "with/without"
        printf "  %-36s %9.2f us %9.2f us %12.4f\n", "median execute wall time", off / 1e3, on / 1e3, on / off
        printf "  %-36s %9.2f us %9.2f us %12.4f\n", "mean execute wall time", moff / 1e3, mon / 1e3, mon / moff
        printf "  %-36s %9.2f us %9.2f us %12.4f\n", "process CPU time per execute", coff / 1e3, con / 1e3, con / coff
        printf "  %-36s %12s %12s %12.4f\n", "paired runs (median of ratios)", "", "", pr
        printf "  %-36s %9.1f ns per operator (%d operators per execute; mean: %.1f ns)\n",
            "difference of the medians", (on - off) / ops, ops, (mon - moff) / ops
    }'
    printf '  run-to-run spread of the run medians (p25 .. p75): without %.2f .. %.2f us, with %.2f .. %.2f us\n' \
        "$(awk '$1 == "off" { print $2 / 1e3 }' "$ps_f" | quantile 0.25)" \
        "$(awk '$1 == "off" { print $2 / 1e3 }' "$ps_f" | quantile 0.75)" \
        "$(awk '$1 == "on" { print $2 / 1e3 }' "$ps_f" | quantile 0.25)" \
        "$(awk '$1 == "on" { print $2 / 1e3 }' "$ps_f" | quantile 0.75)"
    echo "  outputs identical in every run (with and without the preload): $8"
}

# pipe_ceiling HOPS FILE - one bench_pipe ceiling run: its line printed, its records/s appended to FILE.
pipe_ceiling() {
    set +e
    timeout -k 5 "$RUN_LIMIT" "$B/bench/bench_pipe" ceiling "$CEIL_RECORDS" "$1" \
        >"$tmp/ceil.out" 2>"$tmp/ceil.err"
    ce_rc=$?
    set -e
    cat "$tmp/ceil.err" >&2
    [ "$ce_rc" = 0 ] || fail "bench_pipe ceiling $CEIL_RECORDS $1 failed with status $ce_rc"
    grep -v '^RESULT ' "$tmp/ceil.out" | sed 's/^/  /'
    kv "$tmp/ceil.out" rate_rps >>"$2"
}

echo
echo "=== the pipe ceiling of this machine (calibration): $CEIL_RECORDS records of 512 bytes, 5 runs each"
: >"$tmp/ceil1" && : >"$tmp/ceil2"
for ce_hops in 1 2; do
    for ce_i in 1 2 3 4 5; do
        pipe_ceiling "$ce_hops" "$tmp/ceil$ce_hops"
    done
done
ceil1=$(median <"$tmp/ceil1")
ceil2=$(median <"$tmp/ceil2")
ceil1_best=$(quantile 1 <"$tmp/ceil1")
ceil2_best=$(quantile 1 <"$tmp/ceil2")
printf '  1 hop:  median %.0f records/s, best %.0f records/s\n' "$ceil1" "$ceil1_best"
printf '  2 hops: median %.0f records/s, best %.0f records/s\n' "$ceil2" "$ceil2_best"

echo
echo "=== preload overhead on the CNN model: bench_preload $cnn $PL_CNN_ITERS, $PAIRS runs without and $PAIRS with"
echo "    libaclsub.so (ACLSUB_OUTPUT=FIFO drained by bench_pipe, ACLSUB_ON_FULL=block, ACLSUB_BUFFER=${ACLSUB_BUFFER:-4096 (default)})"
series pl_cnn "$cnn" "$PL_CNN_ITERS"
print_series_summary pl_cnn
set -- $(series_stats pl_cnn)
pl_cnn_pct=$(awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b / a - 1) * 100 }')
pl_cnn_paired=$(awk -v r="$5" 'BEGIN { printf "%.2f", (r - 1) * 100 }')
pl_cnn_per_op=$(awk -v a="$1" -v b="$2" -v n="$9" 'BEGIN { printf "%.1f", (b - a) / n }')
pl_cnn_ops=$9
pl_cnn_same=$8

echo
echo "=== preload cost per operator: bench_preload (model of $MANY_OPS tiny operators) $PL_MANY_ITERS, $PAIRS runs without and $PAIRS with"
series pl_many "$tmp/many.om" "$PL_MANY_ITERS"
print_series_summary pl_many
set -- $(series_stats pl_many)
[ "$9" = "$MANY_OPS" ] || fail "pl_many: the records show $9 operators per execute, the model has $MANY_OPS"
pl_many_per_op=$(awk -v a="$1" -v b="$2" -v n="$MANY_OPS" 'BEGIN { printf "%.1f", (b - a) / n }')
pl_many_paired=$(awk -v a="$1" -v r="$5" -v n="$MANY_OPS" 'BEGIN { printf "%.1f", a * (r - 1) / n }')
pl_many_ratio=$(awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b / a }')
pl_many_same=$8
# With ACLSUB_ON_FULL=block the executes run at the transport's pace once the
# queues between the device and the reader are full.
pl_many_rate=$(awk '$1 == "on" { print $8 }' "$tmp/pl_many.series" | median)
awk -v r="$pl_many_rate" -v n="$MANY_OPS" -v on="$2" 'BEGIN {
    printf "  transport: the %d records of an execute at the median delivery rate of these runs (%.0f records/s) take %.2f ms;\n",
        n + 1, r, (n + 1) / r * 1e3
    printf "             the median execute with the preload takes %.2f ms\n", on / 1e6 }'

echo
echo "=== throughput: device -> runtime writer -> FIFO (one hop) -> reader, bench_preload (model of $MANY_OPS tiny operators) $TPUT_ITERS, $TPUT_RUNS runs"
: >"$tmp/tput" && : >"$tmp/tput_ceil" && : >"$tmp/tput_ratio"
tp_i=1
while [ "$tp_i" -le "$TPUT_RUNS" ]; do
    pipe_ceiling 1 "$tmp/tput_ceil"
    tp_ceil=$(tail -n 1 "$tmp/tput_ceil")
    preloaded_run "tput$tp_i" "$tmp/many.om" "$TPUT_ITERS" 2
    tp_rate=$(kv "$tmp/tput$tp_i.rd" rate_rps)
    echo "$tp_rate" >>"$tmp/tput"
    awk -v r="$tp_rate" -v c="$tp_ceil" 'BEGIN { printf "%.4f\n", (c > 0 ? r / c : 0) }' >>"$tmp/tput_ratio"
    awk -v i="$tp_i" -v d="$(kv "$tmp/tput$tp_i.rd" data)" -v s="$(kv "$tmp/tput$tp_i.rd" span_ns)" \
        -v r="$tp_rate" -v rd="$(kv "$tmp/tput$tp_i.rd" reads)" -v b="$(kv "$tmp/tput$tp_i.rd" bytes)" \
        -v med="$(kv "$tmp/tput$tp_i.out" median_ns)" -v fin="$(kv "$tmp/tput$tp_i.out" finish_ns)" \
        -v c="$tp_ceil" 'BEGIN {
        printf "  run %d  %d records (0 dropped) over %.3f s: %.0f records/s = %.2f x the ceiling run before it;", i, d,
            s / 1e9, r, (c > 0 ? r / c : 0)
        printf " %.1f KiB per read;", b / rd / 1024
        printf " execute median %.2f ms, unload + finalize %.1f ms\n", med / 1e6, fin / 1e6 }'
    awk -v c="$(kv "$tmp/tput$tp_i.out" cpu_per_exec_ns)" -v e="$(kv "$tmp/tput$tp_i.out" executes)" \
        -v l="$(kv "$tmp/tput$tp_i.out" loop_ns)" -v v="$(kv "$tmp/tput$tp_i.out" vcsw)" \
        -v iv="$(kv "$tmp/tput$tp_i.out" ivcsw)" -v rc="$(kv "$tmp/tput$tp_i.rd" cpu_ns)" \
        -v rv="$(kv "$tmp/tput$tp_i.rd" vcsw)" -v riv="$(kv "$tmp/tput$tp_i.rd" ivcsw)" \
        -v n="$(kv "$tmp/tput$tp_i.rd" records)" -v ops="$MANY_OPS" 'BEGIN {
        printf "         program: CPU %.0f ns per record (%.0f %% of one core), %.1f context switches per 1000 records;",
            c / (ops + 1), 100 * c * e / l, 1000 * (v + iv) / (e * (ops + 1))
        printf " reader: CPU %.0f ns per record, %.1f context switches per 1000 records\n", rc / n,
            1000 * (rv + riv) / n }'
    tp_i=$((tp_i + 1))
done
tput=$(median <"$tmp/tput")
printf '  median %.0f records/s (%.1f MiB/s of records); the 2-hop pipe ceiling is %.0f records/s (best %.0f)\n' \
    "$tput" "$(awk -v r="$tput" 'BEGIN { print r * 512 / 1048576 }')" "$ceil2" "$ceil2_best"

# --- one hop: a regular-file sink, where the runtime writes the records itself ----------------
# PAIRS alternated runs (off, on, on, off, ...) of bench_preload on the tiny-operator model, the
# sink a new file each run (aclsub-env(7), ONE HOP); every run's stream end must report 0 dropped
# and as many records as the file holds.
echo
echo "=== one hop: device -> runtime writer -> file, bench_preload (model of $MANY_OPS tiny operators) $PL_MANY_ITERS, $PAIRS runs without and $PAIRS with"
: >"$tmp/oh.series"
oh_i=1
while [ "$oh_i" -le $((2 * PAIRS)) ]; do
    case $((oh_i % 4)) in 1 | 0) oh_on=0 ;; *) oh_on=1 ;; esac
    rm -f "$tmp/oh.rec"
    set +e
    if [ "$oh_on" = 1 ]; then
        timeout -k 5 "$RUN_LIMIT" env -u ACLSUB_MODELS -u ACLSUB_OP_TYPES -u ACLSUB_OP_NAMES \
            LD_PRELOAD="$preload" ACLSUB_OUTPUT="$tmp/oh.rec" ACLSUB_LOG=debug \
            "$B/bench/bench_preload" "$tmp/many.om" "$PL_MANY_ITERS" 2 >"$tmp/oh.out" 2>"$tmp/oh.err"
    else
        timeout -k 5 "$RUN_LIMIT" env -u LD_PRELOAD "$B/bench/bench_preload" "$tmp/many.om" "$PL_MANY_ITERS" 2 \
            >"$tmp/oh.out" 2>"$tmp/oh.err"
    fi
    oh_rc=$?
    set -e
    [ "$oh_rc" -eq 0 ] || fail "one hop run $oh_i: bench_preload exited $oh_rc"
    if [ "$oh_on" = 1 ]; then
        grep -q "on one hop" "$tmp/oh.err" || fail "one hop run $oh_i: the model did not go on one hop"
        oh_end=$("$ACLSUB" decode "$tmp/oh.rec" 2>/dev/null | awk -F '\t' '$3 == "aclsub.stream_end" { print $4 }' | tail -n 1)
        oh_recs=$("$B/tests/tool_sinkcheck" check "$tmp/oh.rec" |
            awk '$1 == "op" || $1 == "run" { n += $2 } END { print n + 0 }')
        case $oh_end in "records=$oh_recs dropped=0 "*) ;; *) fail "one hop run $oh_i: stream end '$oh_end', $oh_recs records in the file" ;; esac
    fi
    echo "$oh_on $(kv "$tmp/oh.out" median_ns) $(kv "$tmp/oh.out" cpu_per_exec_ns)" >>"$tmp/oh.series"
    oh_i=$((oh_i + 1))
done
oh_off=$(awk '$1 == 0 { print $2 }' "$tmp/oh.series" | median)
oh_on_med=$(awk '$1 == 1 { print $2 }' "$tmp/oh.series" | median)
oh_per_op=$(awk -v a="$oh_on_med" -v b="$oh_off" -v n="$MANY_OPS" 'BEGIN { printf "%.1f", (a - b) / n }')
oh_cpu=$(awk '$1 == 1 { print $3 }' "$tmp/oh.series" | median)
echo "  median execute: without $(awk -v v="$oh_off" 'BEGIN { printf "%.2f", v / 1e6 }') ms, with $(awk -v v="$oh_on_med" 'BEGIN { printf "%.2f", v / 1e6 }') ms (process CPU $(awk -v v="$oh_cpu" 'BEGIN { printf "%.2f", v / 1e6 }') ms); $oh_per_op ns per operator"

# --- the decoder (bench_decoder, above) ---------------------------------------------------
bench_decoder

# --- a real model against an independent runtime ---------------------------------------------
CLS_ONNX=models/onnx/ch_ppocr_mobile_v2.0_cls_infer.onnx
cls_line="cls model: skipped ($CLS_ONNX missing: ./install-deps.sh fetches it)"
if [ -f "$CLS_ONNX" ] && [ -x /usr/bin/python3 ]; then
    echo
    echo "=== PaddleOCR cls at 1x3x48x192: emulated device execute vs OpenCV DNN forward, medians of 50"
    "$ACLSUB" atc --model="$CLS_ONNX" --framework=5 --output="$tmp/cls" --input_shape="x:1,3,48,192" >/dev/null ||
        fail "aclsub atc failed on $CLS_ONNX"
    timeout "$RUN_LIMIT" /usr/bin/python3 tests/ref/opencv_ref.py "$CLS_ONNX" 1,3,48,192 "$tmp/cls_in.raw" \
        "$tmp/cls_cv.raw" --time 50 >"$tmp/cls_cv.log" || fail "the OpenCV reference failed"
    timeout "$RUN_LIMIT" "$B/tests/app_run" "$tmp/cls.om" "$tmp/cls_in.raw" "$tmp/cls_out.raw" 50 \
        >"$tmp/cls_run.log" || fail "app_run failed on the cls model"
    cv_us=$(sed -n 's/^opencv_forward_us=//p' "$tmp/cls_cv.log")
    our_us=$(sed -n 's/^exec_median_us=//p' "$tmp/cls_run.log")
    cls_ratio=$(awk -v a="$our_us" -v b="$cv_us" 'BEGIN { printf "%.2f", a / b }')
    echo "  aclsub execute median $our_us us, OpenCV DNN forward median $cv_us us: ratio $cls_ratio"
    cls_line="cls model execute / OpenCV DNN forward: $cls_ratio (target <= 3)  $(verdict "$cls_ratio" 3)
    [medians of 50, same input, same machine, one run: $our_us us vs $cv_us us]"
fi

# --- the real models against ONNX Runtime ----------------------------------------------------
# real_preload NAME MODEL SHAPE: the preload's overhead on a real model, as
# users run it (default threads, ACLSUB_OUTPUT a FIFO drained by a reader):
# REAL_PAIRS runs without and REAL_PAIRS with libaclsub.so, alternated, each
# the median of REAL_EXECS executes (cls: 3 times as many runs and 10 times
# as many executes; det: a third of the executes).
REAL_PAIRS=${BENCH_PRELOAD_REAL_PAIRS:-10}
REAL_EXECS=${BENCH_PRELOAD_REAL_EXECS:-20}
real_preload() {
    rp_pairs=$REAL_PAIRS rp_execs=$REAL_EXECS
    case $1 in
    cls) rp_pairs=$((REAL_PAIRS * 3)) rp_execs=$((REAL_EXECS * 10)) ;;
    det) rp_execs=$(((REAL_EXECS + 2) / 3)) ;;
    esac
    echo "  $1 $3, default threads: bench_preload $rp_execs executes, $rp_pairs runs without and $rp_pairs with libaclsub.so"
    series "pl_$1" "$2" "$rp_execs" "$rp_pairs"
    # shellcheck disable=SC2046 # the stats' words
    set -- "$1" $(series_stats "pl_$1")
    rp_pct=$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.2f", (b / a - 1) * 100 }')
    rp_paired=$(awk -v r="$6" 'BEGIN { printf "%.2f", (r - 1) * 100 }')
    printf '  %s: median execute %.0f us without, %.0f us with: %s %% (paired runs: %s %%); %s operators; outputs identical: %s\n' \
        "$1" "$(awk -v v="$2" 'BEGIN { print v / 1e3 }')" "$(awk -v v="$3" 'BEGIN { print v / 1e3 }')" "$rp_pct" \
        "$rp_paired" "${10}" "$9"
    printf 'preload overhead, %s: %s %% (target <= 1 %%)  %s\n    [median execute with / without libaclsub.so - 1, %s + %s alternating runs, FIFO sink; paired runs: %s %%; outputs identical: %s]\n' \
        "$1" "$rp_pct" "$(verdict "$rp_pct" 1)" "$rp_pairs" "$rp_pairs" "$rp_paired" "$9" >>"$tmp/ort_summary"
}

# For cls, PP-OCRv4 rec and det, at one thread and at each runtime's default,
# ORT_PAIRS pairs of runs alternated (device, ORT, ORT, device, ...) so that
# drift cancels: app_run's median execute beside ort_run.js's median run, same
# input bytes, each after 3 untimed executes.  The ratio is the median of the
# pairs' ratios.
ORT_PAIRS=${BENCH_ORT_PAIRS:-5}
ORT_EXECS=${BENCH_ORT_EXECS:-10}
ORT_PKG=third_party/onnxruntime/node_modules/onnxruntime-node
ort_missing=
command -v node >/dev/null 2>&1 || ort_missing="node (Node.js) is not on PATH"
[ -f "$ORT_PKG/package.json" ] || ort_missing="${ort_missing:+$ort_missing; }$ORT_PKG (./install-deps.sh)"
[ -x /usr/bin/python3 ] || ort_missing="${ort_missing:+$ort_missing; }/usr/bin/python3"
for f in ch_ppocr_mobile_v2.0_cls_infer.onnx ch_PP-OCRv4_rec_infer.onnx ch_PP-OCRv4_det_infer.onnx; do
    [ -f "models/onnx/$f" ] || ort_missing="${ort_missing:+$ort_missing; }models/onnx/$f (./install-deps.sh)"
done
: >"$tmp/ort_summary"
if [ -n "$ort_missing" ]; then
    echo "real models / ONNX Runtime: NOT MEASURED (missing: $ort_missing)" >"$tmp/ort_summary"
else
    ort_version=$(cat third_party/onnxruntime/installed-version 2>/dev/null || echo '?')
    echo
    echo "=== real models: emulated device execute vs ONNX Runtime $ort_version CPU run, same input, same threads,"
    echo "    $ORT_PAIRS alternated pairs of runs, each the median of $ORT_EXECS executes (cls: $((ORT_EXECS * 5))) after 3 untimed"
    for spec in "cls ch_ppocr_mobile_v2.0_cls_infer.onnx 1,3,48,192 wave $((ORT_EXECS * 5))" \
        "rec ch_PP-OCRv4_rec_infer.onnx 1,3,48,320 text $ORT_EXECS" \
        "det ch_PP-OCRv4_det_infer.onnx 1,3,320,320 text $ORT_EXECS"; do
        # shellcheck disable=SC2086 # the spec's words
        set -- $spec
        om_name=$1 om_onnx=models/onnx/$2 om_shape=$3 om_execs=$5
        /usr/bin/python3 tests/ref/make_input.py "$4" "$om_shape" "$tmp/${om_name}_rm_in.raw" ||
            fail "tests/ref/make_input.py $4 $om_shape failed"
        "$ACLSUB" atc --model="$om_onnx" --framework=5 --output="$tmp/${om_name}_rm" \
            --input_shape="x:$om_shape" >/dev/null || fail "aclsub atc failed on $om_onnx"
        for th in 1 default; do
            : >"$tmp/rm.pairs"
            rm_i=0
            while [ "$rm_i" -lt "$ORT_PAIRS" ]; do
                if [ $((rm_i % 2)) = 0 ]; then rm_order="acl ort"; else rm_order="ort acl"; fi
                for side in $rm_order; do
                    set +e
                    if [ "$side" = acl ]; then
                        if [ "$th" = 1 ]; then
                            timeout -k 5 "$RUN_LIMIT" env OPENBLAS_NUM_THREADS=1 "$B/tests/app_run" "$tmp/${om_name}_rm.om" \
                                "$tmp/${om_name}_rm_in.raw" "$tmp/${om_name}_rm_acl.raw" "$om_execs" 3 >"$tmp/rm.acl" 2>&1
                        else
                            timeout -k 5 "$RUN_LIMIT" env -u OPENBLAS_NUM_THREADS "$B/tests/app_run" "$tmp/${om_name}_rm.om" \
                                "$tmp/${om_name}_rm_in.raw" "$tmp/${om_name}_rm_acl.raw" "$om_execs" 3 >"$tmp/rm.acl" 2>&1
                        fi
                    else
                        timeout -k 5 "$RUN_LIMIT" node tests/ref/ort_run.js "$om_onnx" "$om_shape" "$tmp/${om_name}_rm_in.raw" \
                            "$tmp/${om_name}_rm_ort.raw" --threads "$([ "$th" = 1 ] && echo 1 || echo 0)" \
                            --time "$om_execs" >"$tmp/rm.ort" 2>&1
                    fi
                    rm_rc=$?
                    set -e
                    if [ "$rm_rc" != 0 ]; then
                        cat "$tmp/rm.$side" >&2
                        fail "$om_name: $([ "$side" = acl ] && echo app_run || echo tests/ref/ort_run.js) failed with status $rm_rc"
                    fi
                done
                rm_acl=$(sed -n 's/^exec_median_us=//p' "$tmp/rm.acl")
                rm_ort=$(sed -n 's/^ort_run_us=//p' "$tmp/rm.ort")
                if [ -z "$rm_acl" ] || [ -z "$rm_ort" ]; then fail "$om_name: a run printed no median"; fi
                echo "$rm_acl $rm_ort" >>"$tmp/rm.pairs"
                rm_i=$((rm_i + 1))
            done
            rm_acl=$(awk '{ print $1 }' "$tmp/rm.pairs" | median)
            rm_ort=$(awk '{ print $2 }' "$tmp/rm.pairs" | median)
            rm_ratio=$(awk '{ print $1 / $2 }' "$tmp/rm.pairs" | median)
            rm_ratio=$(awk -v r="$rm_ratio" 'BEGIN { printf "%.2f", r }')
            rm_diff=$(/usr/bin/python3 -c "
import sys, numpy as np
a = np.fromfile(sys.argv[1], '<f4'); b = np.fromfile(sys.argv[2], '<f4')
print('%.2g' % np.abs(a - b).max() if a.size == b.size else 'sizes differ')" \
                "$tmp/${om_name}_rm_acl.raw" "$tmp/${om_name}_rm_ort.raw")
            if [ "$th" = 1 ]; then
                rm_th="1 thread"
            else
                rm_th="default threads"
            fi
            printf '  %s %s, %s: aclsub %.0f us, ONNX Runtime %.0f us: ratio %s (pairs:%s); outputs max |diff| %s\n' \
                "$om_name" "$om_shape" "$rm_th" "$rm_acl" "$rm_ort" "$rm_ratio" \
                "$(awk '{ printf " %.2f", $1 / $2 }' "$tmp/rm.pairs")" "$rm_diff"
            printf '%s execute / ONNX Runtime, %s: %sx (target <= 1.0x)  %s\n    [%s, medians of %s alternated pairs: %.0f us vs %.0f us]\n' \
                "$om_name" "$rm_th" "$rm_ratio" "$(verdict "$rm_ratio" 1.0)" "$om_shape" "$ORT_PAIRS" "$rm_acl" "$rm_ort" \
                >>"$tmp/ort_summary"
        done
        real_preload "$om_name" "$tmp/${om_name}_rm.om" "$om_shape"
    done
    echo "  [default threads: OpenBLAS's (every online CPU, $cores here) for the device, ONNX Runtime's (one per physical core)]"
fi

echo
echo "=== summary"
echo "machine: $machine"
echo "profiling cost per operator on the device: $device_per_op ns (target <= 100 ns)  $(verdict "$device_per_op" 100)"
echo "    [$MANY_OPS tiny operators, the reader idle between executes (8 ms pause): (median execute with - without) / operators]"
echo "profiling cost per operator, executes back to back: $per_op ns"
echo "    [$MANY_OPS tiny operators: (median execute with - without subscription) / operators; paired blocks: $per_op_paired ns;"
echo "     bounded by moving 512 bytes per operator through the pipe]"
echo "CNN execute overhead: $cnn_pct % (target <= 1 %)  $(verdict "$cnn_pct" 1)"
echo "    [median execute with / without subscription - 1; $cnn_per_op ns per operator, paired blocks: $cnn_paired ns]"
echo "device time between kernels: $gap ns per operator"
echo "    [$MANY_OPS tiny operators, with subscription: (whole-run span - sum of operator durations) / operators]"
echo "preload overhead, toy CNN model: $pl_cnn_pct % (for reference: the <= 1 % target is on each real model, below)"
echo "    [median execute with / without libaclsub.so - 1, $PAIRS + $PAIRS alternating runs; paired runs: $pl_cnn_paired %;"
echo "     $pl_cnn_per_op ns per operator ($pl_cnn_ops operators); outputs identical: $pl_cnn_same]"
echo "preload cost per operator: $pl_many_per_op ns (target <= 150 ns)  $(verdict "$pl_many_per_op" 150)"
echo "    [$MANY_OPS tiny operators: (median execute with - without libaclsub.so) / operators; paired runs: $pl_many_paired ns;"
echo "     execute $pl_many_ratio x as long; outputs identical: $pl_many_same]"
ceil1_top=$(cat "$tmp/ceil1" "$tmp/tput_ceil" | quantile 1)
tput_ratio=$(awk -v t="$tput" -v c="$ceil1_top" 'BEGIN { printf "%.2f", (c > 0 ? t / c : 0) }')
printf 'preload throughput: %.0f records/s = %s x the 1-hop ceiling (target >= 0.90 x)  %s\n' "$tput" "$tput_ratio" \
    "$(at_least "$tput_ratio" 0.90)"
printf '    [device -> runtime writer -> FIFO (one hop) -> reader, ACLSUB_ON_FULL=block, 0 dropped; median of %s runs;\n' "$TPUT_RUNS"
printf '     the ceiling is the best of the %s 1-hop ceiling runs of this bench, %.0f records/s (a run caught in the\n' \
    "$(cat "$tmp/ceil1" "$tmp/tput_ceil" | wc -l)" "$ceil1_top"
printf '     pipe'"'"'s slow phase is no ceiling); against the ceiling run right before each: median %.2f x]\n' \
    "$(median <"$tmp/tput_ratio")"
echo "preload cost per operator, one hop into a file: $oh_per_op ns (target <= 150 ns)  $(verdict "$oh_per_op" 150)"
echo "    [$MANY_OPS tiny operators, ACLSUB_OUTPUT a regular file: (median execute with - without libaclsub.so) / operators, $PAIRS + $PAIRS alternating runs]"
printf 'pipe ceiling: %.0f records/s in 1 hop (best %.0f), %.0f records/s in 2 hops (best %.0f)\n' \
    "$ceil1" "$ceil1_best" "$ceil2" "$ceil2_best"
echo "    [512-byte records in 4096-byte writes, reads of up to 1 MiB, median of 5 runs; 2 hops: writer -> copier -> reader]"
decoder_summary
echo "$cls_line"
cat "$tmp/ort_summary"
echo "load:    $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo '?') (1, 5, 15 min, at the end)"
