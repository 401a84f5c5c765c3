#!/bin/sh
# check_doctor.sh BUILD - `aclsub doctor` on programs whose verdict is known:
# BUILD/tests/app_plain (dynamic, needs libascendcl.so: works), a static
# program and a static one that defines the entry points itself, a dynamic
# one that defines them itself, a setuid copy of app_plain (will not work),
# a program that never uses AscendCL, tests/progs/py_plain.py as `python3 SCRIPT`
# and as a #! script (works), a file that is neither ELF nor a script
# (exit 1), and --format json read by Python's json module.  Run from the
# repository root (tests/run.sh does).
SUBJECT=doctor
. tests/shell/lib.sh
CC=${CC:-cc}
# case NAME WANT-STATUS WANT-VERDICT-PREFIX [grep PATTERN...] - on $T/out, $T/err, $rc.
case_() {
    begin "$1"
    want=$2
    verdict=$3
    shift 3
    [ "$rc" = "$want" ] || wrong "exit status $rc, expected $want"
    if [ -n "$verdict" ] && ! tail -n 1 "$T/out" | grep -q "^verdict: $verdict"; then
        wrong "last line '$(tail -n 1 "$T/out")', expected 'verdict: $verdict...'"
    fi
    for pat in "$@"; do
        grep -q -- "$pat" "$T/out" "$T/err" || wrong "no line matching '$pat'"
    done
    finish "$T/out" "$T/err"
}
doc() {
    "$ACLSUB" doctor "$@" >"$T/out" 2>"$T/err"
    rc=$?
}

doc "$APP"
case_ "app_plain (dynamic, libascendcl.so NEEDED): works" 0 "works (" \
    "^ELF: .*dynamic" "^AscendCL: *app_plain needs libascendcl.so" "app_plain imports aclmdlExecute" \
    "^  libascendcl.so => $EMU (RUNPATH"

printf 'int main(void) { return 0; }\n' >"$T/tiny.c"
if $CC -static -o "$T/tiny_static" "$T/tiny.c" 2>"$T/cc.err"; then
    doc "$T/tiny_static"
    case_ "a static program: will not work" 2 "will not work (statically linked" "^ELF: .*static"
else
    say_skipped "a static program" "cc -static failed: $(head -n 1 "$T/cc.err")"
fi

cat >"$T/own.c" <<'CEOF'
/* Stands for a program with libascendcl linked in statically. */
int aclmdlExecute(unsigned id, const void *in, void *out);
int aclmdlExecute(unsigned id, const void *in, void *out) { return (int)id + (in == out); }
int main(int argc, char **argv) { (void)argv; return aclmdlExecute((unsigned)argc, 0, 0) == 99; }
CEOF
if $CC -static -o "$T/own_static" "$T/own.c" 2>"$T/cc.err"; then
    doc "$T/own_static"
    case_ "a static program that defines aclmdlExecute: will not work" 2 \
        "will not work (statically linked with libascendcl (aclmdlExecute is defined inside own_static)"
fi
$CC -rdynamic -o "$T/own_dynamic" "$T/own.c"
doc "$T/own_dynamic"
case_ "a dynamic program that defines aclmdlExecute itself: will not work" 2 \
    "will not work (own_dynamic defines aclmdlExecute itself"

cp "$APP" "$T/app_setuid"
chmod u+s "$T/app_setuid"
doc "$T/app_setuid"
case_ "a setuid copy of app_plain: will not work (preload ignored)" 2 \
    "will not work ($T/app_setuid is set-user-ID: the loader runs it in secure mode" "^set-id: *setuid"

doc /bin/true
case_ "a program that never uses AscendCL: will not work" 2 "will not work (the program does not use AscendCL"

if [ -x "$PY" ]; then
    doc "$PY" tests/progs/py_plain.py
    case_ "python3 tests/progs/py_plain.py: works (dlopen'ed at run time)" 0 "works (" \
        "^Python: libascendcl.so is dlopen'ed at run time" "^python: *script tests/progs/py_plain.py"
    { echo "#!$PY"; cat tests/progs/py_plain.py; } >"$T/py_plain"
    chmod +x "$T/py_plain"
    doc "$T/py_plain"
    case_ "py_plain.py as a #!$PY script: works" 0 "works (" "^script: *#!$PY" "^interpreter: *$PY"
    printf '#!/usr/bin/env python3\nprint("hello")\n' >"$T/hello.py"
    chmod +x "$T/hello.py"
    doc "$T/hello.py"
    case_ "a Python script that never loads AscendCL: works with caution" 0 "works with caution (" \
        "neither imports acl nor names libascendcl"
    if [ -d "$BA/python" ]; then
        printf '#!%s\nimport acl\n' "$PY" >"$T/uses_acl.py"
        # the sanitizer build's module imports only with the ASan runtime first, as aclsub run arranges (python leaks by design)
        LD_PRELOAD=$ASAN_LIB ASAN_OPTIONS=detect_leaks=0 PYTHONPATH=$BA/python "$ACLSUB" doctor "$T/uses_acl.py" >"$T/out" 2>"$T/err"
        rc=$?
        case_ "a script importing the acl module (PYTHONPATH=BUILD/python): works, the module found" 0 "works (" \
            "^Python: libascendcl.so is dlopen'ed at run time by the acl extension module ($BA/python/acl"
    fi
fi

printf '#!/bin/sh\nexec ./app "$@"\n' >"$T/wrapper.sh"
chmod +x "$T/wrapper.sh"
doc "$T/wrapper.sh"
case_ "a shell script: works with caution (judge the programs it runs)" 0 "works with caution (a script run by"

doc README.md
case_ "a text file: exit 1, not an ELF file or script" 1 "" "^aclsub doctor: README.md: not an ELF file or script$"
doc "$T/no-such-file"
case_ "a missing program: exit 1" 1 "" "not found$"

if [ -x "$PY" ]; then
    "$ACLSUB" doctor --format json "$APP" >"$T/json" 2>"$T/err"
    rc=$?
    "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["verdict"] == "works", d["verdict"]
assert d["linking"] == "dynamic" and d["libascendcl_needed"] is True
assert d["setuid"] is False and d["python"] is None
objs = {o["name"]: o for o in d["objects"]}
assert "aclmdlExecute" in objs[sys.argv[2]]["imports"]
assert "aclmdlExecute" in objs["libascendcl.so"]["defines"]
' "$T/json" "$APP" >"$T/out" 2>&1
    prc=$?
    echo "verdict: works (json)" >>"$T/out"
    rc=$((rc + prc))
    case_ "--format json on app_plain: one object Python's json reads, verdict works" 0 "works"
    "$ACLSUB" doctor --format json "$T/app_setuid" >"$T/json" 2>"$T/err"
    rc=$?
    "$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["verdict"] == "will not work" and d["setuid"]' \
        "$T/json" >"$T/out" 2>&1 || rc=99
    case_ "--format json on the setuid copy: exit 2, verdict will not work" 2 ""
fi
end_checks
