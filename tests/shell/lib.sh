# lib.sh - what the shell tests (tests/shell/check_*.sh) share.  A script
# names the subject of its result lines, then sources this file from the
# repository root (tests/run.sh runs every script there):
#
#     SUBJECT=decode # its lines read "ok   decode: ..." / "FAIL decode: ..."
#     . tests/shell/lib.sh
#
# It offers:
#   B, BA, ROOT   BUILD as given (the script's first argument, default build),
#                 the same as an absolute path, and the repository root
#   T             a new temporary directory, removed at exit; the ids in
#                 BGPIDS (background jobs a script adds) are killed first;
#                 INT and TERM exit 1 through the same cleanup
#   SAN, ASAN_LIB 1 and the libasan libaclsub.so links in the sanitizer
#                 build (BUILD/san), 0 and empty in a plain one
#   paths         ACLSUB (BUILD/bin/aclsub), LIBACLSUB (the interposer),
#                 EMU_DIR and EMU (the emulated libascendcl.so), MODELS, CNN,
#                 MLP (the demo models), APP (BUILD/tests/app_plain), GEN
#                 (BUILD/tests/tool_genstream), PY (/usr/bin/python3)
#   CNN_OPS, MLP_OPS   operators per execute of cnn.om and mlp.om
#   say_ok, say_fail, say_skipped, say   one result line each; a FAIL sets fail=1
#   begin, eq, need, wrong, finish   one case with several expectations,
#                 reported in one line with the reasons it failed
#   show, show_err   a file's lines indented under a FAIL line
#   require_built   stops the script unless the files it needs are built
#   asan_lib_of   the libasan a program or library links
#   end_checks    the script's exit: 1 if anything failed, else 0
#
# Rules: POSIX sh (/bin/sh is dash).  Sourcing it sets -u and LC_ALL=C and
# unsets LD_PRELOAD and every ACLSUB_* setting, so the caller's environment
# does not reach a case; it prints nothing until called.  A script ends with
# end_checks (or exit 1 when it cannot go on) and keeps its own helpers when
# only it uses them.  Besides the names above the functions set fail, tname,
# why, what, f and p; scripts use those for nothing else.

# shellcheck shell=sh disable=SC2034 # the variables are for the scripts that source this
set -u
export LC_ALL=C
unset ACLSUB_OUTPUT ACLSUB_MODELS ACLSUB_OP_TYPES ACLSUB_OP_NAMES ACLSUB_ON_FULL ACLSUB_BUFFER ACLSUB_CHILDREN \
    ACLSUB_LOG ACLSUB_EMU_RECORDS ACLSUB_STALL_MS LD_PRELOAD
: "${SUBJECT?set SUBJECT before sourcing tests/shell/lib.sh}"

# --- the build ------------------------------------------------------------------------------

B=${1:-build}
ROOT=$(pwd)
case $B in
/*) BA=$B ;;
*) BA=$ROOT/$B ;;
esac

ACLSUB=$BA/bin/aclsub
LIBACLSUB=$BA/lib/libaclsub.so
EMU_DIR=$BA/lib/aclsub-emu
EMU=$EMU_DIR/libascendcl.so
MODELS=$BA/models
CNN=$MODELS/cnn.om
MLP=$MODELS/mlp.om
APP=$BA/tests/app_plain
GEN=$BA/tests/tool_genstream
PY=/usr/bin/python3

CNN_OPS=$(awk '$1 == "node"' models/cnn.txt | wc -l)
MLP_OPS=$(awk '$1 == "node"' models/mlp.txt | wc -l)

# asan_lib_of FILE - the libasan FILE links against; nothing when it links none.
asan_lib_of() {
    ldd "$1" 2>/dev/null | awk '/libasan/ {print $3; exit}'
}

ASAN_LIB=$(asan_lib_of "$LIBACLSUB")
if [ -n "$ASAN_LIB" ]; then SAN=1; else SAN=0; fi

# --- the temporary directory ------------------------------------------------------------------

T=$(mktemp -d)
BGPIDS=""
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    for p in $BGPIDS; do kill "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- result lines -----------------------------------------------------------------------------

fail=0

# say MARK TEXT - the line "MARK SUBJECT: TEXT"; any MARK but ok... is a failure.
# say_ok pads ok to FAIL's width; check_install and check_real_models call
# say ok/FAIL and keep their lines' one space.
say() {
    echo "$1${SUBJECT:+ $SUBJECT:}${2:+ $2}"
    case $1 in
    ok*) ;;
    *) fail=1 ;;
    esac
}
say_ok() { say "ok  " "$1"; }
say_fail() { say FAIL "$1"; }
# say_skipped TEXT WHY - a case that cannot run here passes, saying why.
say_skipped() { say_ok "$1 (SKIPPED: $2)"; }

# end_checks - ends the script: status 1 if any line said FAIL, else 0.
end_checks() {
    exit "$fail"
}

# show FILE [LINES] - FILE's lines (at most LINES) as "    | LINE"; nothing when it is empty.
show() {
    [ -s "$1" ] || return 0
    if [ -n "${2:-}" ]; then head -n "$2" "$1"; else cat "$1"; fi | sed 's/^/    | /'
}

# show_err FILE - an error stream's lines as "    ! LINE".
show_err() {
    [ -s "$1" ] || return 0
    sed 's/^/    ! /' "$1"
}

# require_built FILE... - FAIL and exit 1 at the first FILE that does not exist.
require_built() {
    for f in "$@"; do
        [ -e "$f" ] && continue
        say_fail "$f is missing (make tests)"
        exit 1
    done
}

# --- a case of several expectations -------------------------------------------------------
#
#     begin "NAME"; eq "exit status" "$rc" 0; need "no sink" [ -f "$T/x.rec" ]; finish "$T/x.err"
#
# prints "ok   SUBJECT: NAME", or "FAIL SUBJECT: NAME" with one "- reason" line
# per unmet expectation and the files given to finish.

begin() {
    tname=$1
    why=""
}

# wrong REASON - the case fails, for REASON.
wrong() {
    why="$why
    - $1"
}

# eq WHAT GOT WANT - an expectation that GOT is WANT.
eq() {
    [ "$2" = "$3" ] || wrong "$1: got $2, expected $3"
}

# need REASON COMMAND... - an expectation that COMMAND succeeds; REASON says what is wrong if not.
need() {
    what=$1
    shift
    "$@" || wrong "$what"
}

# finish [FILE...] - the case's line; on failure the reasons, then each FILE (20 lines at most).
finish() {
    if [ -z "$why" ]; then
        say_ok "$tname"
        return 0
    fi
    say_fail "$tname$why"
    for f in "$@"; do
        [ -s "$f" ] || continue
        echo "    ${f#"$T"/}:"
        show "$f" 20
    done
    return 1
}
