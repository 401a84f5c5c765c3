#!/bin/sh
# check_pyacl.sh BUILD - the `acl` Python module (BUILD/python/acl*.so, built
# from shim/pyacl/), run by Debian's /usr/bin/python3 with
# PYTHONPATH=BUILD/python.  Run from the repository root (tests/run.sh does).
#
# Cases:
#   - the seed's sample, filled in (examples/infer_subscribe.py), on cnn.om:
#     every record printed, checked by tests/progs/py_seed_check.py; the same with
#     the runtime's vendor-format records (ACLSUB_EMU_RECORDS=vendor);
#   - tests/progs/py_prof.py: every acl.prof function and its error returns, a
#     generated stream with a 64-byte type, 1000 subscription configs;
#   - tests/progs/py_thread.py: start_thread / stop_thread, an exception in the thread;
#   - tests/progs/py_types.py: TypeError for wrong argument types, out-of-range
#     values, NULL handles, conversions, the runtime and model calls;
#   - tests/progs/py_surface.py: fp16 against numpy, tensor descriptions, app_log
#     (its line on stderr), the by-name and dynamic-gear model calls, host
#     callbacks on the subscribed thread and process_report without the GIL;
#   - tests/progs/py_dynamic.py: the cls model compiled with --dynamic_batch_size=1,2,4:
#     get_dynamic_batch, set_dynamic_batch_size, every gear against OpenCV DNN;
#   - examples/infer_plain.py (no acl.prof calls) under the interposer
#     (LD_PRELOAD=BUILD/lib/libaclsub.so): standard output identical to the
#     run without it, every record in the sink (`aclsub decode`,
#     tool_sinkcheck); the seed's sample under the interposer too.
#
# Under the sanitizer build (the module linked against libasan) Python runs
# with libasan preloaded, ahead of libaclsub.so when that is preloaded too,
# and ASAN_OPTIONS=detect_leaks=0 (the interpreter keeps memory until exit).
#
# Each case prints "ok   pyacl: NAME" or "FAIL pyacl: NAME" and what was
# wrong; the exit status is 1 if any case failed.  Every program runs under
# `timeout`, so a hang (a GIL held across a blocking call) fails its case.
SUBJECT=pyacl
. tests/shell/lib.sh
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the source tree
TMO=60

MOD=$(find "$BA/python" -maxdepth 1 -name "acl.*.so" 2>/dev/null | head -n 1)
CHK=$BA/tests/tool_sinkcheck
if [ ! -x "$PY" ]; then
    say_skipped "every case" "no $PY"
    exit 0
fi
require_built "${MOD:-$BA/python/acl.*.so}" "$LIBACLSUB" "$ACLSUB" "$CHK" "$CNN" "$MLP" "$GEN"

# The sanitizer build: the module needs the ASan runtime loaded first.
PRE=$LIBACLSUB
PYASAN=$(asan_lib_of "$MOD")
if [ -n "$PYASAN" ]; then
    if [ ! -f "$PYASAN" ]; then
        say_skipped "every case" "the module is built with ASan but ldd finds no libasan to preload"
        exit 0
    fi
    PRE="$PYASAN $LIBACLSUB"
    export ASAN_OPTIONS=detect_leaks=0
fi

# py BASE [VAR=VALUE...] SCRIPT ARGS... - Python on the module: standard output
# in BASE.out, error stream in BASE.err, status in $rc.
py() {
    base=$1
    shift
    timeout "$TMO" env PYTHONPATH="$BA/python" PYTHONDONTWRITEBYTECODE=1 ${PYASAN:+LD_PRELOAD="$PYASAN"} \
        "$@" >"$base.out" 2>"$base.err"
    rc=$?
}

# ppy BASE [VAR=VALUE...] SCRIPT ARGS... - the same under the interposer.
ppy() {
    base=$1
    shift
    timeout "$TMO" env PYTHONPATH="$BA/python" PYTHONDONTWRITEBYTECODE=1 LD_PRELOAD="$PRE" \
        "$@" >"$base.out" 2>"$base.err"
    rc=$?
}

# A Python test script reports its own cases; its status and stderr are checked here.
script() { # NAME BASE SCRIPT ARGS...
    name=$1 base=$2
    shift 2
    py "$base" "$PY" "$@"
    cat "$base.out"
    begin "$name: exit status 0, no sanitizer report"
    eq "exit status" "$rc" 0
    if grep -q 'ERROR: AddressSanitizer\|runtime error:' "$base.err"; then
        wrong "a sanitizer report on stderr"
    fi
    grep -q '^FAIL' "$base.out" && fail=1
}

# --- the seed's sample ---------------------------------------------------------------

N=10
py "$T/seed" "$PY" examples/infer_subscribe.py "$CNN" $N
begin "examples/infer_subscribe.py cnn.om $N: exit 0, nothing on stderr"
eq "exit status" "$rc" 0
[ -s "$T/seed.err" ] && wrong "stderr is not empty"
finish "$T/seed.err"
"$PY" tests/progs/py_seed_check.py "$T/seed.out" models/cnn.txt $N || fail=1

py "$T/seedv" ACLSUB_EMU_RECORDS=vendor "$PY" examples/infer_subscribe.py "$CNN" $N
begin "examples/infer_subscribe.py over the runtime's vendor-format (80-byte) records: exit 0"
eq "exit status" "$rc" 0
finish "$T/seedv.err"
"$PY" tests/progs/py_seed_check.py "$T/seedv.out" models/cnn.txt $N | sed 's/seed sample/seed sample, vendor records/' \
    | tee "$T/seedv.chk"
grep -q '^FAIL' "$T/seedv.chk" && fail=1

# --- the Python test scripts ------------------------------------------------------------

mkdir "$T/prof"
script "tests/progs/py_prof.py" "$T/prof" tests/progs/py_prof.py "$BA" "$T/prof"
finish "$T/prof.err"

script "tests/progs/py_thread.py" "$T/thread" tests/progs/py_thread.py
grep -q '^ValueError: raised on purpose in the thread (expected)$' "$T/thread.err" ||
    wrong "the exception raised in the thread is not printed on stderr"
grep -q 'SystemExit' "$T/thread.err" && wrong "SystemExit in a thread was printed"
finish "$T/thread.err"

script "tests/progs/py_types.py" "$T/types" tests/progs/py_types.py "$CNN"
finish "$T/types.err"

CLS=models/onnx/ch_ppocr_mobile_v2.0_cls_infer.onnx
if [ -f "$CLS" ] && "$ACLSUB" atc --model="$CLS" --framework=5 --output="$T/clsb" --input_shape="x:-1,3,48,192" \
    --dynamic_batch_size="1,2,4" >"$T/clsb.atc" 2>&1; then
    script "tests/progs/py_dynamic.py" "$T/dynamic" tests/progs/py_dynamic.py "$CLS" "$T/clsb.om"
    finish "$T/dynamic.err"
else
    begin "tests/progs/py_dynamic.py: cls compiled with --dynamic_batch_size (models/onnx: ./install-deps.sh)"
    wrong "$(cat "$T/clsb.atc" 2>/dev/null)"
    finish /dev/null
fi

script "tests/progs/py_surface.py" "$T/surface" tests/progs/py_surface.py "$CNN"
grep -q '^\[ERROR\] .*: "py-app-log-msg 42"$' "$T/surface.err" || why="$why
    - acl.app_log(3, ...) wrote no ERROR line on stderr"
grep -q 'py-app-log-msg' "$T/surface.out" && why="$why
    - acl.app_log wrote on stdout"
grep -q '^ValueError: raised on purpose in a callback (expected)$' "$T/surface.err" || why="$why
    - the exception raised in a callback is not printed on stderr"
finish "$T/surface.err"

# --- under the interposer ------------------------------------------------------------------

N=5
py "$T/plain0" "$PY" examples/infer_plain.py "$CNN" $N
rc0=$rc
ppy "$T/plain1" ACLSUB_OUTPUT="$T/plain1.rec" "$PY" examples/infer_plain.py "$CNN" $N
begin "examples/infer_plain.py under LD_PRELOAD=libaclsub.so: stdout identical, exit 0, every record in the sink"
eq "exit status without the preload" "$rc0" 0
eq "stdout lines without the preload" "$(wc -l <"$T/plain0.out" | tr -d ' ')" $N
eq "exit status" "$rc" 0
cmp -s "$T/plain0.out" "$T/plain1.out" || wrong "standard output differs from the run without the preload"
[ -s "$T/plain1.err" ] && wrong "stderr is not empty"
if [ -f "$T/plain1.rec" ]; then
    "$ACLSUB" decode "$T/plain1.rec" >"$T/plain1.dec" 2>"$T/plain1.dec.err"
    eq "aclsub decode status" $? 0
    eq "operator lines" "$(awk -F'\t' 'NR > 1 && $2 == "op"' "$T/plain1.dec" | wc -l | tr -d ' ')" $((CNN_OPS * N))
    eq "whole-run lines" "$(awk -F'\t' 'NR > 1 && $2 == "subgraph"' "$T/plain1.dec" | wc -l | tr -d ' ')" $N
    eq "stream start lines" "$(awk -F'\t' '$3 == "aclsub.stream_start"' "$T/plain1.dec" | wc -l | tr -d ' ')" 1
    eq "stream end lines" "$(awk -F'\t' '$3 == "aclsub.stream_end"' "$T/plain1.dec" | wc -l | tr -d ' ')" 1
    eq "model description lines (the model named by its file)" \
        "$(awk -F'\t' '$2 == "none" && $1 != 4294967295 && $3 == "cnn" && $4 ~ /cnn\.om$/' "$T/plain1.dec" | wc -l |
            tr -d ' ')" 1
    # the header, the records, the stream start and end, the model's description (one record, one for
    # its inputs and outputs, one per operator)
    eq "all lines" "$(wc -l <"$T/plain1.dec" | tr -d ' ')" $(((CNN_OPS + 1) * N + 3 + 1 + CNN_OPS + 1))
    "$CHK" check "$T/plain1.rec" >"$T/plain1.sc" 2>&1
    for k in damage seq_missing seq_dups runs_incomplete end_mismatch end_dropped lost; do
        eq "tool_sinkcheck $k" "$(awk -v k=$k '$1 == k {print $2}' "$T/plain1.sc")" 0
    done
else
    wrong "no sink file"
fi
finish "$T/plain1.err" "$T/plain1.dec.err"

N=10
ppy "$T/seedp" ACLSUB_OUTPUT="$T/seedp.rec" "$PY" examples/infer_subscribe.py "$CNN" $N
begin "examples/infer_subscribe.py under LD_PRELOAD=libaclsub.so: exit 0, every record in the sink too"
eq "exit status" "$rc" 0
if [ -f "$T/seedp.rec" ]; then
    "$ACLSUB" decode "$T/seedp.rec" >"$T/seedp.dec" 2>"$T/seedp.dec.err"
    eq "operator lines in the sink" "$(awk -F'\t' 'NR > 1 && $2 == "op"' "$T/seedp.dec" | wc -l | tr -d ' ')" \
        $((CNN_OPS * N))
    eq "whole-run lines in the sink" "$(awk -F'\t' 'NR > 1 && $2 == "subgraph"' "$T/seedp.dec" | wc -l | tr -d ' ')" $N
else
    wrong "no sink file"
fi
finish "$T/seedp.err"
"$PY" tests/progs/py_seed_check.py "$T/seedp.out" models/cnn.txt $N | sed 's/seed sample/seed sample under the preload/' \
    | tee "$T/seedp.chk"
grep -q '^FAIL' "$T/seedp.chk" && fail=1

end_checks
