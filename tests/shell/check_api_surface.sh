#!/bin/sh
# check_api_surface.sh BUILD - every function of the vendor's AscendCL headers
# (the name lists in tests/data/vendor_api/: acl_rt.h, acl_base_rt.h,
# acl_base_mdl.h, acl_mdl.h, acl_prof.h) is
#   - exported by the emulated libascendcl.so (nm -D --defined-only);
#   - declared in include/acl/: a C file generated here takes the address of
#     every one of them through acl/acl.h and acl/acl_prof.h, compiled with
#     -Werror (as C11, and as C++ when a C++ compiler is there) and linked
#     against the emulated library;
# functions the emulated device does not support answer their failure
# values and write exactly one stderr line each, "libascendcl: NAME is not
# supported on the emulated device", even when called twice; the small
# runtime calls implemented instead work (progs/app_unsupported.c); and
# docs/API.md holds the table scripts/api_table.py makes.
SUBJECT=api
. tests/shell/lib.sh
LISTS=tests/data/vendor_api
P=$BA/tests/app_unsupported
require_built "$EMU" "$P"

# --- exported --------------------------------------------------------------------------------
nm -D --defined-only "$EMU" | awk '$2 == "T" {print $3}' | sort -u >"$T/exported"
all=0
for f in acl_rt acl_base_rt acl_base_mdl acl_mdl acl_prof; do
    n=$(wc -l <"$LISTS/$f.txt" | tr -d ' ')
    sort -u "$LISTS/$f.txt" | comm -23 - "$T/exported" >"$T/missing"
    m=$(wc -l <"$T/missing" | tr -d ' ')
    all=$((all + n))
    if [ "$m" -eq 0 ]; then
        say_ok "$f.h: $n of $n exported by libascendcl.so"
    else
        say_fail "$f.h: $((n - m)) of $n exported; missing:"
        show "$T/missing" 20
    fi
done

# --- declared, with signatures that compile and link ---------------------------------------
cat "$LISTS"/acl_rt.txt "$LISTS"/acl_base_rt.txt "$LISTS"/acl_base_mdl.txt "$LISTS"/acl_mdl.txt \
    "$LISTS"/acl_prof.txt >"$T/names"
{
    echo '#include "acl/acl.h"'
    echo '#include "acl/acl_prof.h"'
    echo 'typedef void (*any_fn)(void);'
    echo 'static const any_fn every[] = {'
    sed 's/.*/    (any_fn)\&&,/' "$T/names"
    echo '};'
    echo 'int main(void) { return every[0] == 0; }'
} >"$T/every.c"
CC=${CC:-cc}
if $CC -std=c11 -Wall -Wextra -Werror -Wno-deprecated-declarations -Iinclude -o "$T/every" "$T/every.c" \
    -L"$EMU_DIR" -lascendcl >"$T/cc.err" 2>&1; then
    say_ok "all $all functions declared in include/acl/: their addresses compile (C11, -Werror) and link"
else
    say_fail "the $all functions do not all compile and link through include/acl/acl.h and acl_prof.h:"
    show "$T/cc.err" 20
fi
if command -v c++ >/dev/null 2>&1; then
    if c++ -x c++ -Wall -Wextra -Werror -Wno-deprecated-declarations -Iinclude -fsyntax-only "$T/every.c" \
        >"$T/cxx.err" 2>&1; then
        say_ok "the same headers compile as C++ (-Werror)"
    else
        say_fail "the headers do not compile as C++:"
        show "$T/cxx.err" 20
    fi
else
    say_skipped "the same headers compile as C++" "no c++"
fi

# --- unsupported functions: failure values, one stderr line each -------------------------
timeout 60 "$P" stubs >"$T/out" 2>"$T/err"
rc=$?
cat >"$T/want" <<'WANT'
libascendcl: aclrtCreateEvent is not supported on the emulated device
libascendcl: aclprofInit is not supported on the emulated device
libascendcl: aclmdlCreateAIPP is not supported on the emulated device
libascendcl: aclrtGetTaskIdFromExceptionInfo is not supported on the emulated device
libascendcl: aclprofStr2Id is not supported on the emulated device
libascendcl: aclprofDestroyStamp is not supported on the emulated device
libascendcl: aclSetTensorFormat is not supported on the emulated device
WANT
begin "unsupported functions called twice: failure values, exactly one stderr line per function"
eq "exit status" "$rc" 0
need "a check failed" grep -q '^ok api: ' "$T/out"
need "stderr is not one line per function, in call order" cmp -s "$T/err" "$T/want"
finish "$T/out" "$T/err"

# --- the small runtime calls implemented instead -------------------------------------------
timeout 60 "$P" small >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && ! grep -q '^FAIL' "$T/out" && [ ! -s "$T/err" ]; then
    sed 's/^ok api: /ok   api: /' "$T/out"
else
    say_fail "implemented small runtime calls (exit $rc)"
    show "$T/out"
    show_err "$T/err"
fi

# --- the table of docs/API.md --------------------------------------------------------------
if "$PY" scripts/api_table.py --check >"$T/diff" 2>&1; then
    say_ok "docs/API.md: the table of the whole surface is what scripts/api_table.py makes"
else
    say_fail "docs/API.md is out of date (run scripts/api_table.py --write):"
    show "$T/diff" 20
fi
if "$PY" scripts/api_table.py | grep -q '| MISSING |'; then
    say_fail "scripts/api_table.py finds functions neither implemented nor stubbed:"
    "$PY" scripts/api_table.py | grep '| MISSING |' | head -n 20
fi
end_checks
