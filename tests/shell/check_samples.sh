#!/bin/sh
# check_samples.sh BUILD - programs written in the shape of the vendor's public
# AscendCL samples (tests/samples/), used as a new user would: aclsub is
# installed into a temporary prefix (make install PREFIX=...), the C and C++
# programs are built ONLY against the installed headers and runtime
# (`pkg-config ascendcl-emu`), the Python ones import the installed `acl`
# module, and PaddleOCR's text-direction classifier is compiled with the
# installed `aclsub atc`.  Each program runs plainly and under the installed
# `aclsub run -o REC --`:
#   - exit status 0, and stdout and exit status identical with and without
#     `aclsub run`;
#   - every score it prints matches OpenCV DNN's forward of the same ONNX
#     model on the same input file within 1e-4, and its top class is
#     OpenCV's (inputs: an upright line of text drawn with OpenCV, the same
#     turned by 180 degrees, a smooth pattern);
#   - the recording decodes with `aclsub decode summary` (exit 0) and holds,
#     for each of the N executes, one operator record per operator that the
#     installed `aclsub inspect` lists, in its order, with its type and name;
#   - c_subscribe (its own subscription) reads N x (operators + 1 whole-run)
#     records, the same types and names under `aclsub run` as without, and the
#     sink receives every one of them.
# Then c_subscribe with the runtime's vendor-format records
# (ACLSUB_EMU_RECORDS=vendor, whose names can be read only once): the names it
# reads under the interposer must equal those it reads without (the
# interposer keeps the names it reads for the program, preload/names.c), and
# the sink must have every one of them too; a loss on either side fails with
# its count.
#
# Only for the plain build: under BUILD/san (SAN = 1) one SKIPPED line, since
# sanitizer-built installs and C++ programs linked against them are out of
# this test's scope (check_install covers the sanitizer install).
# shellcheck disable=SC2086,SC2034 # CLEAN and the pkg-config flags are lists of words; SUBJECT is for lib.sh
SUBJECT=samples
. tests/shell/lib.sh
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the source tree
ONNX=models/onnx/ch_ppocr_mobile_v2.0_cls_infer.onnx
SHAPE=1,3,48,192
TMO=300

if [ "$SAN" = 1 ]; then
    say_skipped "every sample program" "the sanitizer build; the samples run against the plain install only"
    end_checks
fi
if [ ! -f "$ONNX" ]; then
    say_fail "$ONNX is missing: run ./install-deps.sh"
    exit 1
fi
if ! $PY -c "import cv2, onnx, numpy" 2>"$T/py.err"; then
    say_fail "$PY cannot import cv2, onnx and numpy (needed for the reference):"
    show_err "$T/py.err"
    exit 1
fi
command -v g++ >/dev/null 2>&1 || {
    say_fail "no g++ to build the C++ sample"
    exit 1
}

# --- the install, the builds, the model ---------------------------------------------------------

P=$T/prefix
CLEAN="env -i PATH=/usr/bin:/bin HOME=$T"
if make -s O="$B" PREFIX="$P" install >"$T/install.log" 2>&1; then
    say_ok "make install PREFIX=<temporary prefix>"
else
    say_fail "make install failed:"
    show "$T/install.log" 20
    exit 1
fi
PKGFLAGS=$(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --cflags --libs ascendcl-emu)
case $PKGFLAGS in
*"$ROOT"*)
    say_fail "pkg-config ascendcl-emu points into the source tree: $PKGFLAGS"
    exit 1
    ;;
esac
PYDIR=$(find "$P/lib" -maxdepth 3 -name dist-packages -type d | head -n 1)
EMU_LIB=$P/lib/aclsub/emu/libascendcl.so

# built CMD... - the build command succeeds and its program links the installed runtime.
built() {
    name=$1
    shift
    if "$@" >"$T/$name.cc" 2>&1 && ldd "$T/$name" | grep -q "=> $EMU_LIB "; then
        say_ok "$name builds with \`pkg-config ascendcl-emu\` alone and links the installed libascendcl.so"
    else
        say_fail "$name does not build against the install, or links another libascendcl.so:"
        show "$T/$name.cc" 20
        ldd "$T/$name" 2>/dev/null | grep ascendcl | sed 's/^/    | /'
    fi
}
built cpp_classify g++ -std=c++11 -Wall -Wextra -Werror -o "$T/cpp_classify" tests/samples/cpp_classify/main.cpp \
    tests/samples/cpp_classify/model_process.cpp tests/samples/cpp_classify/utils.cpp $PKGFLAGS
built c_subscribe cc -std=c11 -Wall -Wextra -Werror -o "$T/c_subscribe" tests/samples/c_subscribe.c $PKGFLAGS -pthread

if $CLEAN "$P/bin/aclsub" atc --model="$ONNX" --framework=5 --output="$T/cls" --input_shape="x:$SHAPE" \
    >"$T/atc.log" 2>&1 && $CLEAN "$P/bin/aclsub" inspect "$T/cls.om" >"$T/inspect.txt" 2>&1; then
    # "TYPE NAME" of each operator, in execution order.
    awk '/^operators:/ {on = 1; getline; next} on && NF >= 3 {print $3, $2}' "$T/inspect.txt" >"$T/ops.txt"
    OPS=$(wc -l <"$T/ops.txt")
    say_ok "cls compiled by the installed aclsub atc: $OPS operators"
else
    say_fail "the installed aclsub atc or inspect failed on $ONNX:"
    show "$T/atc.log" 20
    show "$T/inspect.txt" 20
    exit 1
fi
[ "$OPS" -gt 0 ] || {
    say_fail "aclsub inspect lists no operators"
    exit 1
}

# --- the inputs and OpenCV's answers --------------------------------------------------------------

# up.bin: a line of text drawn by OpenCV, preprocessed as PaddleOCR's classifier
# expects (RGB order irrelevant for grey text, CHW, (x / 255 - 0.5) / 0.5);
# down.bin: the same image turned by 180 degrees; pattern.bin: a smooth pattern
# in [-1, 1].  ref.txt: "FILE S0,S1" per input, OpenCV DNN's forward.
if ! (cd "$T" && $PY - "$ROOT/$ONNX" "$SHAPE" up.bin down.bin pattern.bin >ref.txt 2>ref.err) <<'EOF'; then
import sys, tempfile
import cv2, numpy as np, onnx

shape = [int(v) for v in sys.argv[2].split(",")]
n, c, h, w = shape

def prepare(img):
    x = img.astype(np.float32).transpose(2, 0, 1) / 255.0
    return ((x - 0.5) / 0.5)[None].astype("<f4")

img = np.full((h, w, 3), 255, np.uint8)
cv2.putText(img, "aclsub 1234", (6, 34), cv2.FONT_HERSHEY_SIMPLEX, 0.95, (20, 20, 20), 2, cv2.LINE_AA)
prepare(img).tofile(sys.argv[3])
prepare(cv2.rotate(img, cv2.ROTATE_180)).tofile(sys.argv[4])
i = np.arange(n * c * h * w, dtype=np.float64)
(np.sin(i * 0.0137) * 0.9).astype("<f4").tofile(sys.argv[5])

model = onnx.load(sys.argv[1])
for d, v in zip(model.graph.input[0].type.tensor_type.shape.dim, shape):
    d.ClearField("dim_param")
    d.dim_value = v
static = tempfile.NamedTemporaryFile(suffix=".onnx", delete=False)
onnx.save(model, static.name)
net = cv2.dnn.readNetFromONNX(static.name)
for path in sys.argv[3:]:
    net.setInput(np.fromfile(path, "<f4").reshape(shape))
    y = net.forward().reshape(-1)
    print(path, ",".join(repr(float(v)) for v in y))
EOF
    say_fail "the OpenCV reference failed:"
    show_err "$T/ref.err"
    exit 1
fi

# results_match OUT FILE... - OUT's "result FILE top=K ... scores=S,..." lines are
# exactly one per FILE, in order; each score within 1e-4 of OpenCV's and K its argmax.
results_match() {
    $PY - "$T/ref.txt" "$@" >"$T/match.log" 2>&1 <<'EOF'
import sys
import numpy as np

ref = {}
for line in open(sys.argv[1]):
    path, scores = line.split()
    ref[path] = np.array([float(v) for v in scores.split(",")])
out, want = sys.argv[2], sys.argv[3:]
got = []
for line in open(out):
    if line.startswith("result "):
        words = line.split()
        fields = dict(w.split("=", 1) for w in words[2:])
        got.append((words[1], int(fields["top"]), np.array([float(v) for v in fields["scores"].split(",")])))
bad = 0
if [g[0] for g in got] != want:
    print("result lines for %s, expected %s" % ([g[0] for g in got], want))
    sys.exit(1)
for path, top, scores in got:
    r = ref[path]
    diff = np.abs(scores - r).max() if scores.size == r.size else float("inf")
    print("%s: program %s top %d, opencv %s top %d, max |diff| %.3g" % (path, scores, top, r, r.argmax(), diff))
    if diff > 1e-4 or top != r.argmax():
        bad += 1
sys.exit(1 if bad else 0)
EOF
}

# --- each program plainly and under the installed aclsub run -----------------------------------

# sink_ops REC - "TYPE NAME" of every operator record in REC, in the order read.
sink_ops() {
    $CLEAN "$P/bin/aclsub" decode "$1" | awk -F'\t' '$2 == "op" {print $3, $4}'
}

# expected_ops N - the model's operators N times over.
expected_ops() {
    k=0
    while [ "$k" -lt "$1" ]; do
        cat "$T/ops.txt"
        k=$((k + 1))
    done
}

# sample NAME N INPUTS -- CMD... - runs CMD (environment: CLEAN plus PYTHONPATH
# for the installed acl module) plainly and under aclsub run; N executes;
# INPUTS the files whose result lines it must print, in order.
sample() {
    name=$1 n=$2 inputs=$3
    shift 4
    (cd "$T" && timeout $TMO $CLEAN PYTHONPATH="$PYDIR" "$@" >"$name.out" 2>"$name.err")
    rc=$?
    (cd "$T" && timeout $TMO $CLEAN PYTHONPATH="$PYDIR" "$P/bin/aclsub" run -o "$name.rec" -- "$@" \
        >"$name.run.out" 2>"$name.run.err")
    rc_run=$?
    begin "$name: $n executes plainly and under aclsub run"
    eq "exit status" "$rc" 0
    eq "exit status under aclsub run" "$rc_run" "$rc"
    need "stdout differs under aclsub run" cmp -s "$T/$name.out" "$T/$name.run.out"
    need "results differ from OpenCV DNN's (match.log)" results_match "$T/$name.out" $inputs
    need "aclsub decode summary failed on the recording" \
        sh -c "$CLEAN '$P/bin/aclsub' decode summary '$T/$name.rec' >'$T/$name.sum' 2>&1"
    sink_ops "$T/$name.rec" >"$T/$name.sink"
    expected_ops "$n" >"$T/$name.want"
    eq "operator records in the sink" "$(wc -l <"$T/$name.sink")" "$((n * OPS))"
    need "the sink's types and names are not the model's operators, execute after execute" \
        cmp -s "$T/$name.sink" "$T/$name.want"
    if finish "$T/$name.err" "$T/$name.run.err" "$T/match.log" "$T/$name.sum"; then
        sed -n 's/^/    /p' "$T/match.log"
    fi
}

sample cpp_classify 3 "up.bin down.bin pattern.bin" -- \
    "$T/cpp_classify" "$ROOT/tests/samples/cpp_classify/acl.json" cls.om up.bin down.bin pattern.bin
sample py_acl_net 3 "up.bin down.bin pattern.bin" -- \
    "$PY" "$ROOT/tests/samples/py_acl_net.py" cls.om up.bin down.bin pattern.bin
sample py_quick_start 3 "up.bin down.bin pattern.bin" -- \
    "$PY" "$ROOT/tests/samples/py_quick_start.py" cls.om up.bin down.bin pattern.bin
N=4
sample c_subscribe $N "pattern.bin" -- "$T/c_subscribe" cls.om pattern.bin $N

# --- c_subscribe's own records ------------------------------------------------------------------

# prog_records OUT - "TYPE NAME" of each record line OUT printed.
prog_records() {
    sed -n 's/^record model=[^ ]* type=\([^ ]*\) name=\(.*\)$/\1 \2/p' "$1"
}
# sink_all REC - "TYPE NAME" of every operator and whole-run record in REC.
sink_all() {
    $CLEAN "$P/bin/aclsub" decode "$1" | awk -F'\t' '$2 == "op" || $2 == "subgraph" {print $3, $4}'
}
# with_runs N - the model's operators then the whole-run record, N times over.
with_runs() {
    k=0
    while [ "$k" -lt "$1" ]; do
        cat "$T/ops.txt"
        echo "na keypoint_op"
        k=$((k + 1))
    done
}
with_runs $N >"$T/own.want"
prog_records "$T/c_subscribe.out" >"$T/own.plain"
prog_records "$T/c_subscribe.run.out" >"$T/own.run"
sink_all "$T/c_subscribe.rec" >"$T/own.sink"
TOTAL=$((N * (OPS + 1)))
begin "c_subscribe's own subscription: $TOTAL records ($N x $OPS operators + 1 whole run), types and names equal with and without aclsub run, all in the sink"
need "without aclsub run it does not read the model's operators and whole runs (own.plain)" \
    cmp -s "$T/own.plain" "$T/own.want"
need "under aclsub run it reads other records or names than without (own.run)" cmp -s "$T/own.run" "$T/own.plain"
need "the sink's records are not the program's (own.sink)" cmp -s "$T/own.sink" "$T/own.plain"
grep -q "^records $TOTAL for $N executes; unreadable: 0 types, 0 names, 0 buffers; inconsistent times 0\$" \
    "$T/c_subscribe.out" || wrong "its totals line: $(grep '^records ' "$T/c_subscribe.out")"
finish "$T/own.plain" "$T/own.run" "$T/own.sink"

# --- the same with the runtime's vendor-format records ------------------------------------------

(cd "$T" && timeout $TMO $CLEAN ACLSUB_EMU_RECORDS=vendor "$T/c_subscribe" cls.om pattern.bin $N \
    >vendor.out 2>vendor.err)
rc_v=$?
(cd "$T" && timeout $TMO $CLEAN ACLSUB_EMU_RECORDS=vendor "$P/bin/aclsub" run -o vendor.rec -- \
    "$T/c_subscribe" cls.om pattern.bin $N >vendor.run.out 2>vendor.run.err)
rc_vr=$?
prog_records "$T/vendor.out" >"$T/vendor.plain"
prog_records "$T/vendor.run.out" >"$T/vendor.run"
sink_all "$T/vendor.rec" >"$T/vendor.sink"
begin "vendor records (ACLSUB_EMU_RECORDS=vendor): c_subscribe reads all $TOTAL types and names without aclsub run; under it, same status and result, and the sink receives all $TOTAL records"
eq "exit status" "$rc_v" 0
eq "exit status under aclsub run" "$rc_vr" "$rc_v"
eq "result line" "$(grep '^result ' "$T/vendor.out")" "$(grep '^result ' "$T/c_subscribe.out")"
eq "result line under aclsub run" "$(grep '^result ' "$T/vendor.run.out")" "$(grep '^result ' "$T/c_subscribe.out")"
need "without aclsub run it does not read every type and name (vendor.plain)" \
    cmp -s "$T/vendor.plain" "$T/own.want"
eq "records the program got under aclsub run" "$(grep -c '^record ' "$T/vendor.run.out")" "$TOTAL"
eq "operator and whole-run records in the sink" "$(wc -l <"$T/vendor.sink")" "$TOTAL"
finish "$T/vendor.err" "$T/vendor.run.err" "$T/vendor.plain"

# Which reader got each name: a lost one is "<error:N>" in the program, empty in the sink.
prog_lost=$(paste -d '|' "$T/own.want" "$T/vendor.run" | awk -F'|' '$1 != $2 && $2 ~ /<error:-?[0-9]+>/' | wc -l)
prog_other=$(paste -d '|' "$T/own.want" "$T/vendor.run" | awk -F'|' '$1 != $2 && $2 !~ /<error:-?[0-9]+>/' | wc -l)
sink_lost=$(paste -d '|' "$T/own.want" "$T/vendor.sink" | awk -F'|' '$1 != $2 && $2 ~ /^ *$/' | wc -l)
sink_other=$(paste -d '|' "$T/own.want" "$T/vendor.sink" | awk -F'|' '$1 != $2 && $2 !~ /^ *$/' | wc -l)
if cmp -s "$T/vendor.run" "$T/vendor.plain" && cmp -s "$T/vendor.out" "$T/vendor.run.out" &&
    cmp -s "$T/vendor.sink" "$T/own.want"; then
    say_ok "vendor records under aclsub run: c_subscribe reads every one of its $TOTAL types and names as without, stdout identical, the sink has them all too"
elif [ "$prog_other" -eq 0 ] && [ "$sink_other" -eq 0 ] && [ "$(wc -l <"$T/vendor.run")" -eq "$TOTAL" ]; then
    say_fail "vendor records under aclsub run: names read once were taken: c_subscribe lost the type or name of $prog_lost of $TOTAL records, the sink $sink_lost of $TOTAL"
else
    say_fail "vendor records under aclsub run: c_subscribe's records differ other than by lost names ($prog_other), or the sink's ($sink_other):"
    diff "$T/own.want" "$T/vendor.run" | head -n 10 | sed 's/^/    | /'
    diff "$T/own.want" "$T/vendor.sink" | head -n 10 | sed 's/^/    | /'
fi
end_checks
