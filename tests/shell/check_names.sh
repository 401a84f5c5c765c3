#!/bin/sh
# check_names.sh BUILD - a program that subscribes its own model reads the
# same operator types and names with the interposer as without it, over the
# runtime's vendor-format records (ACLSUB_EMU_RECORDS=vendor), whose strings
# the runtime gives out once; the sink still gets every record with its
# names.  Cases, each run without and with LD_PRELOAD=libaclsub.so
# ACLSUB_OUTPUT=file:
#   - C (tests/progs/app_plain.c --self-subscribe --print-names) on cnn.om and
#     mlp.om: standard output (every code, length and string its reader got)
#     and exit status identical; the names the sink holds are those the
#     program read; then each string read twice (the second read fails as
#     without the interposer) and a buffer one byte too short then two bytes
#     too long (codes and the buffer's bytes identical);
#   - the same on the PaddleOCR cls model, if models/onnx has it (compiled
#     with aclsub atc);
#   - Python (tests/progs/py_names.py, the acl module) in the three modes,
#     and examples/infer_subscribe.py: the types and names it prints
#     identical.
SUBJECT=names
. tests/shell/lib.sh
export PYTHONDONTWRITEBYTECODE=1
TMO=120
VENDOR=ACLSUB_EMU_RECORDS=vendor
require_built "$APP" "$ACLSUB" "$LIBACLSUB" "$EMU" "$CNN" "$MLP"
if [ "$SAN" = 1 ]; then PRE="$ASAN_LIB $LIBACLSUB"; else PRE=$LIBACLSUB; fi
MOD=$(find "$BA/python" -maxdepth 1 -name "acl.*.so" 2>/dev/null | head -n 1)
PYASAN=$(asan_lib_of "${MOD:-/nonexistent}")
[ -n "$PYASAN" ] && export ASAN_OPTIONS=detect_leaks=0

# run BASE [VAR=VALUE...] PROGRAM ARGS... - without the interposer: BASE.out, BASE.err, BASE.rc.
run() {
    base=$1
    shift
    timeout "$TMO" env $VENDOR "$@" >"$base.out" 2>"$base.err"
    echo $? >"$base.rc"
}

# prun BASE [VAR=VALUE...] PROGRAM ARGS... - the same under the interposer, the sink in BASE.rec.
prun() {
    base=$1
    shift
    timeout "$TMO" env $VENDOR LD_PRELOAD="$PRE" ACLSUB_OUTPUT="$base.rec" "$@" >"$base.out" 2>"$base.err"
    echo $? >"$base.rc"
}

# same REF BASE - status and standard output of the run under the interposer are those of REF.
same() {
    eq "exit status" "$(cat "$2.rc")" "$(cat "$1.rc")"
    eq "exit status without the interposer" "$(cat "$1.rc")" 0
    if ! cmp -s "$1.out" "$2.out"; then
        diff "$1.out" "$2.out" >"$2.diff"
        wrong "standard output differs from the run without the interposer (see $(basename "$2").diff)"
    fi
}

# shellcheck disable=SC2317 # c_names and py_names are called as "${KIND}_names"
# c_names OUT - "type<TAB>name" of every record the C reader read both of (mode once).
c_names() {
    awk '$3 == "names" && $8 ~ /=0$/ && $12 ~ /=0$/ {print $9 "\t" $13}' "$1"
}

# shellcheck disable=SC2317
# py_names OUT - the same for py_names.py.
py_names() {
    sed -n "s/^names [0-9]* type [^ ]* get([0-9]*)=('\([^']*\)', 0) name [^ ]* get([0-9]*)=('\([^']*\)', 0)\$/\1	\2/p" "$1"
}

# sink_names REC - "type<TAB>name" of every data record in the sink (control records, the model
# descriptions among them, have the flag none).
sink_names() {
    "$ACLSUB" decode "$1" 2>"$1.dec.err" | awk -F'\t' 'NR > 1 && $2 != "none" {print $3 "\t" $4}'
}

# names_case NAME KIND BASE RECORDS - counts and multisets of one "once" pair of runs (KIND c or py).
names_case() {
    "${2}_names" "$3r.out" | sort >"$3r.names"
    "${2}_names" "$3.out" | sort >"$3.names"
    sink_names "$3.rec" | sort >"$3.sink"
    got=$(wc -l <"$3.names")
    eq "records whose type and name the program read without the interposer" "$(wc -l <"$3r.names")" "$4"
    eq "the same under the interposer" "$got" "$4"
    need "the sink's types and names are not those the program read" cmp -s "$3.sink" "$3r.names"
    tname="$1: $(($4 - got)) of $4 records lost a type or name (expected 0)"
}

# --- C ------------------------------------------------------------------------------------

N=5
RECS=$(((CNN_OPS + MLP_OPS + 2) * N))
run "$T/c1r" "$APP" "$CNN,$MLP" $N --self-subscribe --print-names once
prun "$T/c1" "$APP" "$CNN,$MLP" $N --self-subscribe --print-names once
begin x
same "$T/c1r" "$T/c1"
names_case "C program, cnn.om and mlp.om, its own subscription: every type and name read as without the interposer" \
    c "$T/c1" $RECS
finish "$T/c1.err" "$T/c1.diff" "$T/c1.rec.dec.err"

for mode in twice short; do
    run "$T/c$mode-r" "$APP" "$CNN" 2 --self-subscribe --print-names $mode
    prun "$T/c$mode" "$APP" "$CNN" 2 --self-subscribe --print-names $mode
    begin "C program, each string read $mode: every code, length and byte as without the interposer"
    same "$T/c$mode-r" "$T/c$mode"
    [ $mode = twice ] && need "no second read failed" grep -q 'get(512)=100000' "$T/c$mode.out"
    [ $mode = short ] && need "no short read failed" grep -q 'get([0-9]*)=100000' "$T/c$mode.out"
    finish "$T/c$mode.err" "$T/c$mode.diff"
done

CLS=models/onnx/ch_ppocr_mobile_v2.0_cls_infer.onnx
if [ ! -f "$CLS" ]; then
    say_skipped "C program on the PaddleOCR cls model" "no $CLS (./install-deps.sh fetches it)"
elif ! "$ACLSUB" atc --model="$CLS" --framework=5 --output="$T/cls" --input_shape="x:1,3,48,192" >"$T/atc.log" 2>&1; then
    say_fail "the cls model does not compile"
    show "$T/atc.log" 20
else
    run "$T/clsr" "$APP" "$T/cls.om" 1 --self-subscribe --print-names once
    prun "$T/cls" "$APP" "$T/cls.om" 1 --self-subscribe --print-names once
    begin x
    same "$T/clsr" "$T/cls"
    recs=$(awk '$3 == "self-subscription:" {print $4}' "$T/clsr.out")
    names_case "C program, PaddleOCR cls, its own subscription: every type and name read as without the interposer" \
        c "$T/cls" "${recs:-0}"
    finish "$T/cls.err" "$T/cls.diff" "$T/cls.rec.dec.err"
fi

# --- Python -------------------------------------------------------------------------------

if [ ! -x "$PY" ] || [ -z "$MOD" ]; then
    say_skipped "the Python cases" "no $PY or no acl module"
    end_checks
fi
PYENV="PYTHONPATH=$BA/python"
run "$T/p1r" "$PYENV" ${PYASAN:+LD_PRELOAD="$PYASAN"} "$PY" tests/progs/py_names.py "$CNN" $N once
prun "$T/p1" "$PYENV" "$PY" tests/progs/py_names.py "$CNN" $N once
begin x
same "$T/p1r" "$T/p1"
names_case "Python program (acl module), its own subscription: every type and name read as without the interposer" \
    py "$T/p1" $(((CNN_OPS + 1) * N))
finish "$T/p1.err" "$T/p1.diff" "$T/p1.rec.dec.err"

for mode in twice short; do
    run "$T/p$mode-r" "$PYENV" ${PYASAN:+LD_PRELOAD="$PYASAN"} "$PY" tests/progs/py_names.py "$CNN" 2 $mode
    prun "$T/p$mode" "$PYENV" "$PY" tests/progs/py_names.py "$CNN" 2 $mode
    begin "Python program, each string read $mode: every result as without the interposer"
    same "$T/p$mode-r" "$T/p$mode"
    finish "$T/p$mode.err" "$T/p$mode.diff"
done

# The sample prints times too: its types and names (and outputs) are compared.
run "$T/sr" "$PYENV" ${PYASAN:+LD_PRELOAD="$PYASAN"} "$PY" examples/infer_subscribe.py "$CNN" $N
prun "$T/s" "$PYENV" "$PY" examples/infer_subscribe.py "$CNN" $N
begin "examples/infer_subscribe.py: the types and names it prints are those it prints without the interposer"
eq "exit status" "$(cat "$T/s.rc")" "$(cat "$T/sr.rc")"
for f in "$T/sr" "$T/s"; do
    awk -F'\t' '$1 == "op" {print $2, $3, $4}' "$f.out" >"$f.ops"
    grep '^exec' "$f.out" >"$f.exec"
done
eq "records printed" "$(wc -l <"$T/s.ops")" $(((CNN_OPS + 1) * N))
need "the types and names differ" cmp -s "$T/sr.ops" "$T/s.ops"
need "the outputs differ" cmp -s "$T/sr.exec" "$T/s.exec"
need "a type or name is empty" [ "$(awk 'NF != 3' "$T/s.ops" | wc -l)" -eq 0 ]
finish "$T/s.err"
end_checks
