#!/bin/sh
# run.sh MODE FUZZDIR [SECONDS] - runs the libFuzzer targets in FUZZDIR.
#
#   regress  (make check) every target executes each input of its checked-in
#            corpus once (tests/fuzz/corpus_<name>/, plus the ONNX test models
#            for fuzz_onnx), then makes a short run with a fixed seed and a
#            fixed number of inputs over a copy of that corpus.  Nothing depends
#            on the clock, so the same tree gives the same verdict.
#   explore  (make fuzz-run) every target searches for SECONDS seconds from a
#            copy of its corpus.  Crash inputs and the grown corpus stay in a
#            directory under TMPDIR that this script names; the repository is
#            never written.  tests/fuzz/merge.sh folds a grown corpus back in.
#
# Prints one line per target and a closing "fuzz: N passed, N failed" line;
# exits non-zero when any target failed.
set -u
MODE=$1
D=$2
S=${3:-600}
REGRESS_RUNS=${FUZZ_REGRESS_RUNS:-2000}
case $MODE in regress | explore) ;; *)
    echo "run.sh: unknown mode '$MODE' (regress or explore)" >&2
    exit 2
    ;;
esac

# The corpus directory of a target (the decoder reads the record streams).
corpus_of() {
    case $1 in
    fuzz_decode) echo tests/fuzz/corpus_rec ;;
    *) echo "tests/fuzz/corpus_${1#fuzz_}" ;;
    esac
}

# Seeds from outside the repository: small models of ONNX's own test data.
extra_seeds() { # target, destination directory
    [ "$1" = fuzz_onnx ] || return 0
    for t in relu conv_with_strides_padding softmax_axis_1 reshape_negative_dim concat_2d_axis_0 \
        gemm_default_no_bias maxpool_2d_pads slice clip_default_min; do
        m=/usr/share/libonnx-testdata/data/node/test_$t/model.onnx
        [ -f "$m" ] && cp "$m" "$2/testdata_$t.onnx"
    done
    return 0
}

OUT=$(mktemp -d "${TMPDIR:-/tmp}/aclsub-fuzz.XXXXXX")
passed=0
failed=0
for f in "$D"/fuzz_*; do
    [ -x "$f" ] || continue
    name=$(basename "$f")
    work=$OUT/$name
    mkdir -p "$work/corpus" "$work/crashes"
    seed=$(corpus_of "$name")
    [ -d "$seed" ] && cp "$seed"/* "$work/corpus/" 2>/dev/null
    extra_seeds "$name" "$work/corpus"
    common="-rss_limit_mb=2048 -timeout=20 -print_final_stats=0 -artifact_prefix=$work/crashes/"
    null_before=0
    [ -c /dev/null ] && null_before=1
    if [ "$MODE" = regress ]; then
        echo "=== $name: $(ls "$work/corpus" | wc -l) corpus inputs, then $REGRESS_RUNS runs with seed 1"
        # shellcheck disable=SC2086
        "$f" $common -runs=0 "$work/corpus" >"$work/log" 2>&1 &&
            "$f" $common -seed=1 -runs="$REGRESS_RUNS" "$work/corpus" >>"$work/log" 2>&1
    else
        echo "=== $name: ${S}s from $(ls "$work/corpus" | wc -l) corpus inputs"
        # shellcheck disable=SC2086
        "$f" $common -max_total_time="$S" "$work/corpus" >"$work/log" 2>&1
    fi
    status=$?
    # The targets write their outputs to /dev/null: the one that leaves it something else fails, by name.
    if [ "$null_before" = 1 ] && [ ! -c /dev/null ]; then
        echo "$name: /dev/null is no longer the null device after it" >>"$work/log"
        status=1
    fi
    if [ $status -eq 0 ]; then
        passed=$((passed + 1))
        grep -E '^#[0-9]+[[:space:]]+(DONE|INITED)' "$work/log" | tail -n 1
    else
        failed=$((failed + 1))
        tail -n 40 "$work/log"
        for c in "$work"/crashes/*; do
            [ -f "$c" ] && echo "$name: crash input saved as $c"
        done
    fi
done
if [ "$MODE" = regress ] && [ "$failed" -eq 0 ]; then
    rm -rf "$OUT"
else
    echo "fuzz ($MODE): logs, corpora and any crash inputs are kept in $OUT"
fi
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
