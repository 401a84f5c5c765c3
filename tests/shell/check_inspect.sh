#!/bin/sh
# check_inspect.sh BUILD - `aclsub inspect` on BUILD/models/mlp.om against
# goldens written by hand from models/mlp.txt (tests/golden/inspect_mlp.txt
# and .json): shapes, dtypes, weight bytes (six weights at 64-byte aligned
# offsets: 8192 + 128 + 2048 + 64 + 640 + 40, the last unpadded = 11112) and
# the working memory of the planner (docs/MODEL.md section 3: 384 bytes).  A
# damaged model is refused with the loader's reason and status 2.  Run from
# the repository root (tests/run.sh does).
SUBJECT=inspect
. tests/shell/lib.sh
check() { # NAME STATUS WANT-STATUS [COMMAND...]: COMMAND must succeed too
    name=$1
    got=$2
    want=$3
    shift 3
    if [ "$got" = "$want" ] && { [ $# -eq 0 ] || "$@"; }; then
        say_ok "$name"
    else
        say_fail "$name (exit status $got, expected $want)"
        show "$T/out" 20
        show "$T/err" 20
    fi
}
# The model is named as given: inspect it from its directory so the goldens hold for any BUILD.
cp "$MLP" "$T/mlp.om"
(cd "$T" && "$ACLSUB" inspect mlp.om) >"$T/out" 2>"$T/err"
check "mlp.om, text: the golden table" $? 0 diff -u "$ROOT/tests/golden/inspect_mlp.txt" "$T/out"
(cd "$T" && "$ACLSUB" inspect --format json mlp.om) >"$T/out" 2>"$T/err"
check "mlp.om, --format json: the golden object" $? 0 diff -u "$ROOT/tests/golden/inspect_mlp.json" "$T/out"
if [ -x "$PY" ]; then
    "$PY" -c 'import json, sys; m = json.load(open(sys.argv[1])); assert len(m["operators"]) == 7' "$T/out" \
        2>"$T/err"
    check "mlp.om, --format json parses as JSON" $? 0
fi
(cd "$T" && "$ACLSUB" inspect -f json "$CNN") >"$T/out" 2>"$T/err"
check "cnn.om: every operator of models/cnn.txt" $? 0 \
    test "$(grep -o '"index":[0-9]*,"name":"[^"]*","type"' "$T/out" | wc -l)" -eq "$CNN_OPS"

size=$(wc -c <"$T/mlp.om")
head -c $((size / 2)) "$T/mlp.om" >"$T/trunc.om"
"$ACLSUB" inspect "$T/trunc.om" >"$T/out" 2>"$T/err"
check "truncated model: exit 2, one line naming the file and the reason" $? 2 \
    sh -c "[ \$(wc -l <'$T/err') -eq 1 ] && grep -q '^aclsub inspect: $T/trunc.om: .' '$T/err' && [ ! -s '$T/out' ]"
printf 'not a model\n' >"$T/text.om"
"$ACLSUB" inspect "$T/text.om" >"$T/out" 2>"$T/err"
check "a text file: exit 2" $? 2 grep -q '^aclsub inspect: ' "$T/err"
"$ACLSUB" inspect "$T/missing.om" >"$T/out" 2>"$T/err"
check "a missing file: exit 1" $? 1 grep -q "^aclsub inspect: $T/missing.om: No such file or directory" "$T/err"
"$ACLSUB" inspect --format xml "$T/mlp.om" >"$T/out" 2>"$T/err"
check "an unknown format: exit 1" $? 1
"$ACLSUB" inspect >"$T/out" 2>"$T/err"
check "no model: exit 1 with the usage" $? 1 grep -q '^usage: aclsub inspect' "$T/err"
end_checks
