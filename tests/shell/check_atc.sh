#!/bin/sh
# check_atc.sh BUILD - `aclsub atc`, the ONNX -> .om compiler: compiles ONNX's
# own backend test models (Debian's libonnx-testdata), checks the command's
# options and its error messages, then runs the conformance program
# (BUILD/tests/conformance, built by make tests from
# tests/conformance/conformance.c) over every backend node test.  Run from
# the repository root.  Under BUILD/san the conformance program is built
# with the sanitizers, like the libraries it links.
SUBJECT=atc
. tests/shell/lib.sh
ATC="$B/bin/aclsub atc" # split into words where it is used
DATA=/usr/share/libonnx-testdata/data/node

# bad TEXT - a FAIL line, then the last command's output and error stream.
bad() {
    say_fail "$1"
    show "$T/out"
    show_err "$T/err"
}

# expect NAME STATUS PATTERN COMMAND... - runs COMMAND; its exit status must be
# STATUS and its output or error stream must match the grep pattern PATTERN.
expect() {
    name=$1 want=$2 pat=$3
    shift 3
    timeout 60 "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        bad "$name (exit $rc, expected $want)"
    elif ! cat "$T/out" "$T/err" | grep -q -- "$pat"; then
        bad "$name (no line matching '$pat')"
    else
        say_ok "$name"
    fi
}

if [ ! -d "$DATA" ]; then
    say_fail "$DATA is missing (install libonnx-testdata: ./install-deps.sh)"
    exit 1
fi

# --- compiling --------------------------------------------------------------------------
expect "help" 0 "framework" $ATC --help
expect "conv model" 0 "conv.om: 1 operators" \
    $ATC --model="$DATA/test_conv_with_strides_padding/model.onnx" --framework=5 --output="$T/conv"
[ -s "$T/conv.om" ] && readelf -S "$T/conv.om" 2>/dev/null | grep -q '.aclsub.nodes' &&
    say_ok "conv.om is an .om (readelf)" || bad "conv.om is not an .om"
expect "options with spaces, NAME.om kept" 0 "relu.om: 1 operators" \
    $ATC --model "$DATA/test_relu/model.onnx" --framework 5 --output "$T/relu.om"
expect "vendor options accepted" 0 "shape.om" \
    $ATC --model="$DATA/test_shape/model.onnx" --framework=5 --output="$T/shape" --soc_version=Ascend310 \
    --input_shape="x:3,4,5"
expect "constant-folded model" 0 "1 folded" \
    $ATC --model="$DATA/test_shape/model.onnx" --framework=5 --output="$T/shape"

# --- errors -------------------------------------------------------------------------------
expect "missing file" 1 "nope.onnx: No such file" \
    $ATC --model="$T/nope.onnx" --framework=5 --output="$T/x"
printf 'not a model\n' >"$T/text.onnx"
expect "not ONNX" 2 "text.onnx: not an ONNX model" $ATC --model="$T/text.onnx" --framework=5 --output="$T/x"
expect "framework 3" 1 "only 5 (ONNX)" \
    $ATC --model="$DATA/test_relu/model.onnx" --framework=3 --output="$T/x"
expect "framework missing" 1 "framework is required" $ATC --model="$DATA/test_relu/model.onnx" --output="$T/x"
expect "output missing" 1 "output are required" $ATC --model="$DATA/test_relu/model.onnx" --framework=5
expect "unknown option" 1 "unknown option or missing value '--bogus'" $ATC --bogus
expect "unsupported op names node and op" 2 "model.onnx: node Abs_0 (Abs): unsupported operator" \
    $ATC --model="$DATA/test_abs/model.onnx" --framework=5 --output="$T/x"
expect "unsupported dtype names the input" 2 "input 'x' has dtype UINT8" \
    $ATC --model="$DATA/test_add_uint8/model.onnx" --framework=5 --output="$T/x"
expect "input_shape of an unknown input" 2 "names 'nope', which is not an input" \
    $ATC --model="$DATA/test_relu/model.onnx" --framework=5 --output="$T/x" --input_shape="nope:1,2"
expect "input_shape against the model" 2 "input 'x' dim 0" \
    $ATC --model="$DATA/test_relu/model.onnx" --framework=5 --output="$T/x" --input_shape="x:4,4,5"
R="$DATA/test_relu/model.onnx"
expect "dynamic batch: digits and ',' only" 1 "only digits and ',' are allowed" \
    $ATC --model="$R" --framework=5 --output="$T/x" --input_shape="x:-1,4,5" --dynamic_batch_size="1;2"
expect "dynamic batch: at least 2 gears" 1 "at least 2 gears are needed, got 1" \
    $ATC --model="$R" --framework=5 --output="$T/x" --input_shape="x:-1,4,5" --dynamic_batch_size="4,"
expect "dynamic batch: no duplicates" 1 "gear 2 appears twice" \
    $ATC --model="$R" --framework=5 --output="$T/x" --input_shape="x:-1,4,5" --dynamic_batch_size="1,2,2"
expect "dynamic batch: at most 128 gears" 1 "more than 128 gears" \
    $ATC --model="$R" --framework=5 --output="$T/x" --input_shape="x:-1,4,5" \
    --dynamic_batch_size="$(seq -s, 1 129)"
expect "dynamic batch: gear 0 refused" 1 "gear '0' is not a size" \
    $ATC --model="$R" --framework=5 --output="$T/x" --input_shape="x:-1,4,5" --dynamic_batch_size="0,1"
expect "dynamic batch: needs --input_shape" 1 "needs --input_shape with -1 at the batch dim" \
    $ATC --model="$R" --framework=5 --output="$T/x" --dynamic_batch_size="1,2"
expect "dynamic batch: needs -1 at the batch dim" 1 "no input in --input_shape has -1 at the batch dim" \
    $ATC --model="$R" --framework=5 --output="$T/x" --input_shape="x:3,4,5" --dynamic_batch_size="1,2"
expect "dynamic batch: -1 only at the batch dim" 1 "only dim 0 may be -1" \
    $ATC --model="$R" --framework=5 --output="$T/x" --input_shape="x:-1,-1,5" --dynamic_batch_size="1,2"
expect "dynamic image size: groups are H,W" 1 "group '48' is not H,W" \
    $ATC --model="$R" --framework=5 --output="$T/x" --input_shape="x:1,3,-1,-1" --dynamic_image_size="48;48,64"
expect "dynamic image size: characters" 1 "only digits, ',', ';' and spaces are allowed" \
    $ATC --model="$R" --framework=5 --output="$T/x" --input_shape="x:1,3,-1,-1" --dynamic_image_size="48x64;32x32"
expect "dynamic image size: no duplicates" 1 "gear 48,64 appears twice" \
    $ATC --model="$R" --framework=5 --output="$T/x" --input_shape="x:1,3,-1,-1" --dynamic_image_size="48,64; 48,64;"
expect "dynamic image size: -1 at H and W of a 4-D input" 1 "only a 4-D input may have -1, at both H and W" \
    $ATC --model="$R" --framework=5 --output="$T/x" --input_shape="x:-1,4,5" --dynamic_image_size="1,2;3,4"
expect "dynamic batch and image size together" 1 "cannot be used together" \
    $ATC --model="$R" --framework=5 --output="$T/x" --input_shape="x:-1,4,5" --dynamic_batch_size="1,2" \
    --dynamic_image_size="1,2;3,4"
[ -e "$T/x.om" ] && bad "a failed compile left x.om behind" || say_ok "failed compiles write nothing"

# --- conformance --------------------------------------------------------------------------------
CONF="$B/tests/conformance" # built by make tests
if [ -x "$CONF" ]; then
    say_ok "conformance program built"
    if timeout 300 "$CONF" --data "$DATA" --skip tests/conformance/skip.txt >"$T/out" 2>"$T/err"; then
        say_ok "conformance: $(tail -n 1 "$T/out")"
        sed 's/^/    /' "$T/out"
    else
        bad "conformance"
    fi
else
    bad "$CONF is missing (make tests builds it)"
fi
end_checks
