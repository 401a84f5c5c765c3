#!/bin/sh
# run.sh BUILD - the profiling-cost benchmark (`make bench`), run from the
# repository root against a build directory (default: build).
#
# Prints the machine, builds BUILD/bench/bench_prof against the emulated
# BUILD/lib/aclsub-emu/libascendcl.so, generates and compiles a model of
# 10,000 tiny operators (tests/gen_many_ops.sh) in a temporary directory, runs
# bench_prof on the CNN demo model and on the tiny-operator model, and ends
# with a summary against the targets:
#   profiling cost per operator <= 200 ns (tiny-operator model)
#   CNN execute overhead        <= 1 %
# It measures and reports; a missed target does not fail it.  It exits
# non-zero only when something does not work: a build step, a program that
# fails, or one that does not finish within its time limit.
#
# Environment (optional): CC, BENCH_CNN_ITERS (default 5000),
# BENCH_MANY_ITERS (default 400), BENCH_MANY_OPS (default 10000).
set -eu

B=${1:-build}
CC=${CC:-cc}
CNN_ITERS=${BENCH_CNN_ITERS:-5000}
MANY_ITERS=${BENCH_MANY_ITERS:-400}
MANY_OPS=${BENCH_MANY_OPS:-10000}
RUN_LIMIT=60 # seconds per benchmark program

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

# --- build ----------------------------------------------------------------------------
mkdir -p "$B/bench"
libabs=$(cd "$LIBDIR" && pwd -P)
echo "building $B/bench/bench_prof"
$CC -std=c11 -O2 -Wall -Wextra -Iinclude -o "$B/bench/bench_prof" tests/bench/bench_prof.c \
    -L"$LIBDIR" -Wl,-rpath,"$libabs" -lascendcl -pthread ||
    fail "cannot build bench_prof"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/aclsub-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

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

# verdict VALUE LIMIT: "met" or "missed".
verdict() {
    awk -v v="$1" -v l="$2" 'BEGIN { print (v + 0 <= l + 0) ? "met" : "MISSED" }'
}

run_bench cnn "$cnn" "$CNN_ITERS"
run_bench many "$tmp/many.om" "$MANY_ITERS"

per_op=$(result many diff_per_op_ns)
per_op_paired=$(result many paired_per_op_ns)
cnn_paired=$(result cnn paired_per_op_ns)
gap=$(result many gap_per_op_ns)
cnn_pct=$(result cnn overhead_pct)
cnn_per_op=$(result cnn diff_per_op_ns)
cnn_pct=$(awk -v v="$cnn_pct" 'BEGIN { printf "%.2f", v }')

echo
echo "=== summary"
echo "machine: $machine"
echo "profiling cost per operator: $per_op ns (target <= 200 ns)  $(verdict "$per_op" 200)"
echo "    [$MANY_OPS tiny operators: (median execute with - without subscription) / operators; paired blocks: $per_op_paired ns]"
echo "CNN execute overhead: $cnn_pct % (target <= 1 %)  $(verdict "$cnn_pct" 1)"
echo "    [median execute with / without subscription - 1; $cnn_per_op ns per operator, paired blocks: $cnn_paired ns]"
echo "device time between kernels: $gap ns per operator"
echo "    [$MANY_OPS tiny operators, with subscription: (whole-run span - sum of operator durations) / operators]"
