#!/bin/sh
# check_fields.sh BUILD - `aclsub decode list|summary --fields`: the columns
# chosen and ordered by key or by any of their titles, in CSV, JSON Lines,
# the tab-separated list and the table; each value is the one the default
# output prints in the same column (both read back with Python's csv and
# json modules); --fields help lists them; an unknown or empty field, and
# --fields where it has no meaning, are usage errors of one line.
SUBJECT=fields
. tests/shell/lib.sh
require_built "$ACLSUB" "$GEN"

"$GEN" tests/data/views.spec "$T/v.rec" >/dev/null || exit 1
cd "$T" || exit 1

# same.py KIND DEFAULT FIELDS WANT_COLUMNS... - the --fields output has exactly WANT_COLUMNS, in order,
# and every row's values are the default output's in those columns (KIND: csv or jsonl).
cat >same.py <<'EOF'
import csv, json, sys
kind, default, chosen, want = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        if kind == "csv":
            r = csv.reader(f)
            head = next(r)
            return head, [dict(zip(head, row)) for row in r], None
        rows = [json.loads(l, object_pairs_hook=lambda kv: kv) for l in f]
        return None, [dict(r) for r in rows], [[k for k, _ in r] for r in rows]
dh, drows, _ = read(default)
ch, crows, ckeys = read(chosen)
bad = []
if kind == "csv" and ch != want:
    bad.append("columns %r, expected %r" % (ch, want))
if kind == "jsonl" and any(k != want for k in ckeys):
    bad.append("keys %r, expected %r" % (ckeys[0] if ckeys else None, want))
if len(crows) != len(drows):
    bad.append("%d rows, the default has %d" % (len(crows), len(drows)))
for i, (c, d) in enumerate(zip(crows, drows)):
    for col in want:
        if c.get(col) != d.get(col):
            bad.append("row %d, %s: %r, the default has %r" % (i, col, c.get(col), d.get(col)))
print("\n".join(bad[:10]))
sys.exit(1 if bad else 0)
EOF

# case NAME KIND DEFAULT-ARGS -- FIELDS WANT... : decodes v.rec both ways and compares.
case_same() {
    name=$1 kind=$2 view=$3 fmt=$4 extra=$5 fields=$6
    shift 6
    # shellcheck disable=SC2086 # extra is words
    "$ACLSUB" decode "$view" -f "$fmt" $extra "${REC:-v.rec}" >d.out 2>/dev/null
    # shellcheck disable=SC2086
    "$ACLSUB" decode "$view" -f "$fmt" $extra --fields "$fields" "${REC:-v.rec}" >c.out 2>c.err
    st=$?
    begin "$name"
    eq "exit status" "$st" 0
    $PY same.py "$kind" d.out c.out "$@" >same.out 2>&1 || wrong "values differ from the default output's"
    finish same.out c.err c.out
}

case_same "list csv: name,type,dur,start by key" csv list csv "" name,type,dur,start \
    "Op Name" "OP Type" duration_ns start_ns
case_same "list csv: msprof titles, any case, in the order given" csv list csv "" \
    "task duration(us),Op Name,Task Start Time(us),stream,pid,model" \
    "Task Duration(us)" "Op Name" "Task Start Time(us)" "Stream ID" "Process ID" "Model ID"
case_same "list csv: the model's name and the operators' shapes, as op_summary's columns" csv list csv "" \
    "model_name,name,in_shapes,in_types,in_formats,out_shapes,out_types,out_formats" \
    "Model Name" "Op Name" "Input Shapes" "Input Data Types" "Input Formats" "Output Shapes" "Output Data Types" \
    "Output Formats"
# A recording of the CNN under the interposer: its stream describes the model and the shapes.
env LD_PRELOAD="${ASAN_LIB:+$ASAN_LIB }$LIBACLSUB" ACLSUB_OUTPUT="$T/cnn.rec" "$BA/tests/app_plain" "$CNN" 2 \
    >/dev/null 2>&1
REC=cnn.rec case_same "list csv of a described model: its name and shapes, as op_summary's columns" csv list csv \
    "" "model_name,name,in_shapes,out_shapes,out_types,in_formats" \
    "Model Name" "Op Name" "Input Shapes" "Output Shapes" "Output Data Types" "Input Formats"
begin "list csv of a described model: conv1's shapes as models/cnn.txt gives them"
need "conv1's input and output shapes are not in the --fields output" \
    grep -q '^[^,]*,conv1,"1,3,32,32;8,3,3,3;8","1,8,32,32",' c.out
finish c.out
case_same "list jsonl: keys in the order given" jsonl list jsonl "" name,kind,start,dur,iter,seq,index,thread,end \
    name kind start_ns duration_ns iteration seq op_index thread end_ns
case_same "summary csv: key, raw and microsecond columns" csv summary csv "" \
    type,count,total,mean,median,p99,ratio,total_us,mean_us,stddev_us,p90_us \
    "OP Type" Count total_ns mean_ns median_ns p99_ns "Ratio(%)" "Total Time(us)" "Avg Time(us)" "StdDev Time(us)" "P90 Time(us)"
case_same "summary csv --by name --sort count: the key is the name, rows in the same order" csv summary csv \
    "--by name --sort count" "p95,Op Name,count" p95_ns "Op Name" Count
case_same "summary jsonl --by model: the model a number" jsonl summary jsonl "--by model" key,count,max,min \
    model count max_ns min_ns
case_same "summary jsonl --top 2: the same two groups" jsonl summary jsonl "--top 2" count,type,stddev,p90 \
    count type stddev_ns p90_ns

# The tab-separated list: a header of JSON keys; the values are the default columns'.
"$ACLSUB" decode v.rec 2>/dev/null | awk -F'\t' 'NR > 1 {print $4 "\t" $3 "\t" $7}' >tsv.want
"$ACLSUB" decode --fields name,type,dur v.rec >tsv.out 2>/dev/null
begin "the tab-separated list: name, type, duration as the default's columns"
eq "header" "$(head -n 1 tsv.out)" "$(printf 'name\ttype\tduration_ns')"
need "rows differ from the default's columns" eval 'tail -n +2 tsv.out | cmp -s - tsv.want'
finish tsv.out tsv.want

# The table: the summary's footer as the default table's; the chosen titles.
"$ACLSUB" decode summary v.rec 2>/dev/null >t1.out
"$ACLSUB" decode summary --fields count,type,p99 v.rec 2>/dev/null >t2.out
begin "summary table: chosen columns, human units, the default footer"
eq "header" "$(head -n 1 t2.out | tr -s ' ')" "Count OP Type P99"
eq "Conv row" "$(grep ' Conv ' t2.out | tr -s ' ')" "$(grep '^Conv ' t1.out | awk '{print " " $2 " Conv " $(NF-2) " " $(NF-1)}' | tr -s ' ')"
need "footer differs" eval '[ "$(sed -n "/^operators:/,\$p" t1.out)" = "$(sed -n "/^operators:/,\$p" t2.out)" ]'
finish t1.out t2.out

"$ACLSUB" decode list --fields type,name v.rec 2>/dev/null >t3.out
"$ACLSUB" decode list v.rec 2>/dev/null | sed -n 's/.* Softmax  *//p' >t3.want
begin "list table: type padded, the name last, escaped as the default table's"
eq "header" "$(head -n 1 t3.out)" "type              name"
eq "Softmax row" "$(grep '^Softmax ' t3.out)" "Softmax           $(cat t3.want)"
finish t3.out

# --fields help and usage errors.
"$ACLSUB" decode list --fields help >h1.out 2>h1.err
st1=$?
"$ACLSUB" decode summary --fields help >h2.out 2>h2.err
st2=$?
begin "--fields help: the fields of the view, exit 0"
eq "list: status" "$st1" 0
eq "summary: status" "$st2" 0
need "list: no name / Op Name line" grep -q '^  name  *Op Name  *name ' h1.out
need "summary: no p99 line" grep -q '^  p99  *p99_ns  *p99_ns ' h2.out
need "summary lists list fields" eval '! grep -q "^  dur " h2.out'
finish h1.out h2.out

usage() { # NAME EXPECTED-LINE ARGS...
    uname=$1 uline=$2
    shift 2
    "$ACLSUB" decode "$@" >u.out 2>u.err
    ust=$?
    begin "$uname"
    eq "exit status" "$ust" 1
    eq "stderr" "$(cat u.err)" "$uline"
    need "stdout not empty" eval '[ ! -s u.out ]'
    finish u.err
}
usage "an unknown field: one line naming it, exit 1" \
    "aclsub decode: unknown field 'bogus' for the list view (try 'aclsub decode list --fields help')" \
    list -f csv --fields name,bogus v.rec
usage "a list field in the summary: unknown there" \
    "aclsub decode: unknown field 'dur' for the summary view (try 'aclsub decode summary --fields help')" \
    summary --fields count,dur v.rec
usage "an empty field" \
    "aclsub decode: --fields 'name,,type': an empty field (try 'aclsub decode list --fields help')" \
    list --fields name,,type v.rec
usage "--fields with diff" "aclsub decode: --fields is for the list and summary views, not diff" \
    diff --fields key v.rec v.rec
usage "--fields with chrome" "aclsub decode: --fields is for the tsv, table, csv and jsonl formats" \
    list -f chrome --fields name v.rec
end_checks
