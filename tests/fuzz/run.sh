#!/bin/sh
# run.sh FUZZDIR SECONDS - runs every libFuzzer target in FUZZDIR for SECONDS
# seconds each, over tests/fuzz/corpus_<name>/ when it exists (copied, so the
# repository is not written), and prints one summary line.
set -u
D=$1
S=${2:-10}
passed=0
failed=0
for f in "$D"/fuzz_*; do
    [ -x "$f" ] || continue
    name=$(basename "$f")
    work=$(mktemp -d)
    seed=tests/fuzz/corpus_${name#fuzz_}
    [ "$name" = fuzz_decode ] && seed=tests/fuzz/corpus_rec # the decoder reads the same streams
    [ -d "$seed" ] && cp -r "$seed"/. "$work"/ 2>/dev/null
    # The ONNX importer starts from small models of ONNX's own test data.
    if [ "$name" = fuzz_onnx ] && [ -d /usr/share/libonnx-testdata/data/node ]; then
        for t in relu conv_with_strides_padding softmax_axis_1 reshape_negative_dim concat_2d_axis_0 \
            gemm_default_no_bias maxpool_2d_pads slice clip_default_min; do
            m=/usr/share/libonnx-testdata/data/node/test_$t/model.onnx
            [ -f "$m" ] && cp "$m" "$work/$t.onnx"
        done
    fi
    echo "=== $name (${S}s)"
    if "$f" -max_total_time="$S" -rss_limit_mb=2048 -timeout=10 -print_final_stats=0 "$work" \
        >"$work.log" 2>&1; then
        passed=$((passed + 1))
        tail -n 2 "$work.log"
    else
        failed=$((failed + 1))
        tail -n 40 "$work.log"
    fi
    rm -rf "$work" "$work.log"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
