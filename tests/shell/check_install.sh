#!/bin/sh
# check_install.sh BUILD - `make install` into a temporary prefix, then the
# installed tools used from there with a clean environment: a program built
# against the installed headers and pkg-config file runs on the installed
# emulated runtime, is profiled by the installed libaclsub.so, and its stream
# decodes with the installed aclsub; `make uninstall` removes every file and
# every directory the install created, and no directory that was there
# before; a DESTDIR install puts the same files under DESTDIR.
SUBJECT=install # its lines read "ok install: ..." (say ok/FAIL)
. tests/shell/lib.sh
SANFLAG= # make's setting for this BUILD
[ "$SAN" = 1 ] && SANFLAG="SAN=1"
P=$T/prefix
CLEAN="env -i PATH=/usr/bin:/bin HOME=$T"

if make -s O="$B" $SANFLAG PREFIX="$P" install >"$T/install.log" 2>&1; then
    say ok "make install PREFIX=$P"
else
    say FAIL "make install failed:"
    cat "$T/install.log"
    exit 1
fi
for f in bin/aclsub lib/libaclsub.so lib/aclsub/emu/libascendcl.so lib/libaclsub-decode.so.1 \
    include/acl/acl.h include/acl/acl_prof.h include/aclsub/record.h lib/pkgconfig/aclsub.pc \
    lib/pkgconfig/ascendcl-emu.pc share/man/man1/aclsub-decode.1 share/bash-completion/completions/aclsub \
    share/doc/aclsub/FORMAT.md; do
    [ -e "$P/$f" ] || say FAIL "$f is not installed"
done
[ ! -e "$P/lib/libascendcl.so" ] && say ok "the emulated libascendcl.so sits in lib/aclsub/emu, not lib/" ||
    say FAIL "libascendcl.so installed into lib/"

# Build a plain AscendCL program against the installed files only.
if [ -z "$SANFLAG" ]; then
    cflags=$(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --cflags --libs ascendcl-emu)
    # shellcheck disable=SC2086
    if cc -std=c11 -o "$T/app" tests/progs/app_plain.c $cflags -pthread 2>"$T/cc.log"; then
        say ok "tests/progs/app_plain.c builds with pkg-config ascendcl-emu"
        $CLEAN "$T/app" "$MLP" 3 >"$T/plain.out" 2>&1 || say FAIL "the installed runtime does not run it"
        $CLEAN LD_PRELOAD="$P/lib/libaclsub.so" ACLSUB_OUTPUT="$T/ops.rec" "$T/app" "$MLP" 3 \
            >"$T/pre.out" 2>"$T/pre.err"
        if cmp -s "$T/plain.out" "$T/pre.out" &&
            [ "$($CLEAN "$P/bin/aclsub" decode "$T/ops.rec" | grep -c '	op	')" -eq 21 ]; then
            say ok "profiled by the installed libaclsub.so, decoded by the installed aclsub (21 operator records)"
        else
            say FAIL "installed interposer or decoder: output differs or wrong record count"
            cat "$T/pre.err"
        fi
    else
        say FAIL "cannot build against the installed headers:"
        cat "$T/cc.log"
    fi
fi
$CLEAN "$P/bin/aclsub" --help >/dev/null && say ok "installed aclsub --help" || say FAIL "installed aclsub --help"
for page in man1/aclsub.1 man1/aclsub-run.1 man1/aclsub-decode.1 man1/aclsub-atc.1 man1/aclsub-doctor.1 \
    man1/aclsub-inspect.1 man1/aclsub-mkom.1 man7/aclsub-env.7; do
    [ -f "$P/share/man/$page" ] || say FAIL "man page $page is not installed"
done
# SEE ALSO names installed pages only.
for page in "$P"/share/man/man*/*; do
    for ref in $(awk '/^\.SH "?SEE ALSO/ {on = 1; next} /^\.SH/ {on = 0} on' "$page" |
        sed -n 's/^\.BR \([a-z\\-]*\) (\([0-9]\)).*/\1.\2/p' | sed 's/\\//g'); do
        case $ref in
        aclsub*) [ -f "$P/share/man/man${ref##*.}/$ref" ] || say FAIL "${page##*/}: SEE ALSO $ref is not installed" ;;
        esac
    done
    ! grep -q 'docs/\|README' "$page" || say FAIL "${page##*/} names a file of the repository"
done
pcver=$(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --modversion aclsub)
[ "$pcver" = "$(cat VERSION)" ] && [ "$("$P/bin/aclsub" --version)" = "aclsub $pcver" ] &&
    say ok "aclsub.pc and aclsub --version say the version in VERSION ($pcver)" ||
    say FAIL "version: aclsub.pc $pcver, aclsub --version $("$P/bin/aclsub" --version), VERSION $(cat VERSION)"
if [ -z "$SANFLAG" ] && [ -x "$T/app" ]; then
    # The installed aclsub finds the installed libaclsub.so next to itself.
    if (cd "$T" && $CLEAN "$P/bin/aclsub" run -o "$T/run.rec" -- "$T/app" "$MLP" 2 \
        >/dev/null 2>"$T/run.err") && [ "$("$P/bin/aclsub" decode "$T/run.rec" | grep -c '	op	')" -eq 14 ]; then
        say ok "installed aclsub run profiles a program with the installed libaclsub.so (14 operator records)"
    else
        say FAIL "installed aclsub run:"
        cat "$T/run.err"
    fi
fi

if [ -z "$SANFLAG" ] && [ -d shim/pyacl ]; then
    pydir=$(find "$P/lib" -maxdepth 3 -name dist-packages -type d | head -n 1)
    out=$($CLEAN PYTHONPATH="$pydir" "$PY" -c '
import acl
print(acl.init(), acl.rt.set_device(0), acl.mdl.load_from_file("'"$MLP"'")[1], acl.__file__)' 2>&1)
    case "$out" in
    "0 0 0 $P/"*) say ok "the installed acl module imports from $pydir and runs on the installed runtime" ;;
    *) say FAIL "installed acl module: $out" ;;
    esac
    ldd "$pydir"/acl*.so | grep -q "$P/lib/aclsub/emu/libascendcl.so" ||
        say FAIL "the installed acl module does not link the installed libascendcl.so"
fi

if make -s O="$B" $SANFLAG PREFIX="$P" uninstall >/dev/null 2>&1 && [ ! -e "$P" ]; then
    say ok "make uninstall removes every installed file and every directory the install created"
else
    say FAIL "left after make uninstall:"
    find "$P"
fi

# A prefix whose bin/ and share/man/ exist, bin/ holding a file of its own: both stay.
Q=$T/existing
mkdir -p "$Q/bin" "$Q/share/man"
echo mine >"$Q/bin/other"
if make -s O="$B" $SANFLAG PREFIX="$Q" install >/dev/null 2>&1 &&
    make -s O="$B" $SANFLAG PREFIX="$Q" uninstall >/dev/null 2>&1 &&
    [ "$(cd "$Q" && find . | sort | tr '\n' ' ')" = ". ./bin ./bin/other ./share ./share/man " ]; then
    say ok "make uninstall leaves the directories that existed before the install"
else
    say FAIL "after install and uninstall over existing directories:"
    (cd "$Q" && find . | sort)
fi

if make -s O="$B" $SANFLAG PREFIX=/usr/local DESTDIR="$T/stage" install >/dev/null 2>&1 &&
    [ -x "$T/stage/usr/local/bin/aclsub" ] && [ -f "$T/stage/usr/local/lib/aclsub/emu/libascendcl.so" ]; then
    say ok "DESTDIR install stages under DESTDIR/usr/local"
else
    say FAIL "DESTDIR install"
fi
end_checks
