#!/bin/sh
# demo.sh BUILD - the README's demo: PaddleOCR's text-direction classifier
# (fetched by install-deps.sh) is compiled from ONNX with `aclsub atc`, runs
# on the emulated device under its own subscription, and the operator
# records that arrive through the pipe are shown (the first and last few,
# and how many); then the same records,
# captured by libaclsub.so from a program that never subscribes, are
# summarised by `aclsub decode summary`.
set -eu
B=$1

# show_capped FILE HEAD TAIL - the program's lines, its [INFO] operator lines
# cut to the first HEAD and the last TAIL with a count of those left out.
show_capped() {
    awk -v head="$2" -v tail="$3" '
        /^\[INFO\]/ { n++; if (n <= head) print; else last[n % tail] = $0; next }
        { other[++o] = $0 }
        END {
            if (n > head + tail) printf "  ... %d more operator records ...\n", n - head - tail
            first = n - tail + 1; if (first <= head) first = head + 1
            for (i = first; i <= n; i++) print last[i % tail]
            printf "  (%d operator records in all)\n", n
            for (i = 1; i <= o; i++) print other[i]
        }' "$1"
}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ONNX=models/onnx/ch_ppocr_mobile_v2.0_cls_infer.onnx
if [ -f "$ONNX" ]; then
    echo "aclsub demo: compiling $ONNX"
    "$B/bin/aclsub" atc --model="$ONNX" --framework=5 --output="$T/cls" --input_shape="x:1,3,48,192"
    MODEL=$T/cls.om
else
    echo "aclsub demo: $ONNX is missing (./install-deps.sh fetches it); using the small demo CNN"
    MODEL=$B/models/cnn.om
fi
echo
echo "aclsub demo: one execute under the program's own subscription (the first and last records)"
"$B/examples/subscribe" "$MODEL" 1 >"$T/subscribe.out"
show_capped "$T/subscribe.out" 8 4
echo
echo "aclsub demo: an unmodified program under LD_PRELOAD=libaclsub.so, 20 executes, summarised"
LD_PRELOAD="$PWD/$B/lib/libaclsub.so" ACLSUB_OUTPUT="$T/ops.rec" "$B/tests/app_plain" "$MODEL" 20 >/dev/null
"$B/bin/aclsub" decode summary --top 10 "$T/ops.rec"
