#!/bin/sh
# check_cli.sh BUILD - the command line's conventions: --version after aclsub
# and after every command (the number in the file VERSION), `aclsub help
# CMD`, the bash completion script, doctor's verdict on a Python program
# whose acl module cannot be imported, run's message when an invalid
# ACLSUB_ON_FULL left the record file empty, table columns aligned by
# display width (CJK names), and invalid UTF-8 escaped as \xNN in CSV, read
# back by pandas when it is installed, else by Python's csv module with
# strict UTF-8 decoding.
SUBJECT=cli
. tests/shell/lib.sh
require_built "$ACLSUB" "$GEN" "$APP" "$CNN"
V=$(cat VERSION)

# --- --version and help ---------------------------------------------------------------
begin "--version after aclsub and after every command prints 'aclsub $V'"
for c in "" run decode mkom atc inspect doctor; do
    # shellcheck disable=SC2086 # "" is no word
    out=$("$ACLSUB" $c --version 2>&1)
    eq "aclsub $c --version (status $?)" "$out" "aclsub $V"
done
finish

begin "aclsub help CMD prints CMD's own help; an unknown CMD is a usage error"
for c in run decode mkom atc inspect doctor; do
    "$ACLSUB" help "$c" >"$T/h1" 2>&1
    "$ACLSUB" "$c" --help >"$T/h2" 2>&1
    need "aclsub help $c differs from aclsub $c --help" cmp -s "$T/h1" "$T/h2"
    need "aclsub help $c is not $c's usage" grep -q "^usage: aclsub $c" "$T/h1"
done
"$ACLSUB" help nosuch >"$T/h3" 2>&1
eq "aclsub help nosuch status" "$?" 1
eq "aclsub help nosuch lines" "$(wc -l <"$T/h3")" 1
finish "$T/h3"

# --- bash completion -------------------------------------------------------------------
if command -v bash >/dev/null; then
    cat >"$T/comp.bash" <<'EOS'
. docs/completion/aclsub.bash
t() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _aclsub; echo "${COMPREPLY[*]}"; }
t "$1" d
t "$1" decode --fo
t "$1" decode --format c
t "$1" help in
t "$1" run --fo
t "$1" decode su
EOS
    bash "$T/comp.bash" "$ACLSUB" >"$T/comp.out" 2>&1
    printf '%s\n' "decode doctor" "--follow --force --format" "csv chrome" "inspect" "--force" "summary" >"$T/comp.want"
    begin "bash completion: commands, options from each command's --help, option values, decode's views"
    need "completions differ from the expected (below)" cmp -s "$T/comp.out" "$T/comp.want"
    finish "$T/comp.out"
else
    say_skipped "bash completion" "no bash"
fi

# --- doctor on Python ----------------------------------------------------------------
mkdir -p "$T/py"
echo "raise ImportError('libascendcl.so: cannot open shared object file')" >"$T/py/acl.py"
PYTHONPATH=$T/py "$ACLSUB" doctor "$PY" examples/infer_plain.py m.om >"$T/d1.out" 2>&1
st=$?
begin "doctor: a Python program whose acl module raises on import will not work"
eq "exit status" "$st" 2
need "no 'will not work' verdict naming the import error" \
    grep -q "^verdict: will not work (.*cannot import the acl module (ImportError: libascendcl.so" "$T/d1.out"
finish "$T/d1.out"
PYTHONPATH=$T/nothing "$ACLSUB" doctor "$PY" examples/infer_plain.py m.om >"$T/d2.out" 2>&1
st=$?
begin "doctor: a Python program that imports acl where there is none will not work"
eq "exit status" "$st" 2
need "no verdict naming ModuleNotFoundError" grep -q "^verdict: will not work .*ModuleNotFoundError" "$T/d2.out"
finish "$T/d2.out"
if [ "$SAN" = 0 ]; then
    PYTHONPATH=$BA/python "$ACLSUB" doctor "$PY" examples/infer_plain.py m.om >"$T/d3.out" 2>&1
    st=$?
    begin "doctor: the same program with the real acl module works"
    eq "exit status" "$st" 0
    need "no 'works' verdict" grep -q "^verdict: works (" "$T/d3.out"
    finish "$T/d3.out"
else
    say_skipped "doctor with the real acl module" "the sanitizer build's module needs the ASan runtime preloaded"
fi

# --- run's message on an empty record file ----------------------------------------------
(cd "$T" && "$ACLSUB" run -o r.rec --env ACLSUB_ON_FULL=bogus -- "$APP" "$CNN" 2 >/dev/null 2>r.err)
begin "run with an invalid ACLSUB_ON_FULL says why the file is empty, not 'no model was executed'"
need "no line naming the invalid setting" \
    grep -q "^aclsub run: records in r.rec (none: ACLSUB_ON_FULL=bogus is not valid" "$T/r.err"
need "claims no model was executed" eval '! grep -q "no model was executed" "$T/r.err"'
finish "$T/r.err"

# --- widths and escaping ---------------------------------------------------------------
printf '1|op|Conv|conv_a|1000|3000\n1|op|\345\215\267\347\247\257|\345\261\202\344\270\200|3000|7000\n1|op|Relu|bad\377\376name|7000|8000\n1|op|Relu|back\\slash,x|8000|8500\n' >"$T/u.spec"
"$GEN" "$T/u.spec" "$T/u.rec" >/dev/null || exit 1
"$ACLSUB" decode summary --by name "$T/u.rec" >"$T/w.txt"
"$ACLSUB" decode list --format table "$T/u.rec" >"$T/wl.txt"
cat >"$T/width.py" <<'EOS'
import sys, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
def rows(path):
    return [l for l in open(path, encoding="utf-8").read().split("\n") if l.strip() and not l.startswith(("operators:", "records lost"))]
# The summary's last column is right-aligned: every row ends at one display column.
ends = {width(l) for l in rows(sys.argv[1])}
# The list's last column (the name, no spaces here) starts at one display column.
starts = {width(l) - width(l.split(" ")[-1]) for l in rows(sys.argv[2])}
if len(ends) != 1 or len(starts) != 1:
    print("summary rows end at", sorted(ends), "list names start at", sorted(starts)); sys.exit(1)
EOS
begin "tables align by display width: CJK names take two columns a character"
need "columns misaligned" "$PY" "$T/width.py" "$T/w.txt" "$T/wl.txt"
finish "$T/w.txt" "$T/wl.txt"

"$ACLSUB" decode list --format csv "$T/u.rec" >"$T/u.csv"
"$ACLSUB" decode summary --by name --format csv "$T/u.rec" >"$T/us.csv"
cat >"$T/readcsv.py" <<'EOS'
import csv, sys
want = {"conv_a", "\u5c42\u4e00", "bad\\xff\\xfename", "back\\\\slash,x"}
for path, col in ((sys.argv[1], "Op Name"), (sys.argv[2], "Op Name")):
    try:
        import pandas
        names = set(pandas.read_csv(path, encoding="utf-8", encoding_errors="strict")[col])
        how = "pandas"
    except ImportError:
        with open(path, encoding="utf-8", errors="strict", newline="") as f:
            names = {row[col] for row in csv.DictReader(f)}
        how = "csv"
    names.discard("keypoint_op")
    if names != want:
        print(path, how, sorted(names)); sys.exit(1)
print(how)
EOS
reader=$("$PY" "$T/readcsv.py" "$T/u.csv" "$T/us.csv" 2>&1)
st=$?
begin "CSV: invalid UTF-8 written as \\xNN and a backslash as \\\\, the file read strictly as UTF-8 ($reader)"
eq "reader status" "$st" 0
finish "$T/u.csv"
end_checks
