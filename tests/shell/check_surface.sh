#!/bin/sh
# check_surface.sh BUILD - the runtime surface beyond subscription, driven by
# the plain AscendCL program tests/progs/app_surface.c, one process per case:
#   fp16      aclFloat16ToFloat / aclFloatToFloat16 against hand-worked bit patterns
#   tensor    the aclTensorDesc family
#   device    aclrtGetSocName, aclrtGetMemInfo, aclrtResetDeviceForce
#   model     index by name, the dynamic-gear calls on a static model, current output dims
#   callback  aclrtSubscribeReport / LaunchCallback / ProcessReport: the thread, the order,
#             blocking and not, timeouts and error codes
#   force     aclrtDestroyStreamForce on a stream held by a blocking callback
# and aclAppLog under each ASCEND_GLOBAL_LOG_LEVEL: which lines reach stderr,
# nothing on stdout, one line per call, the 1024-byte cut.  Every run is
# bounded by `timeout 60`.  Run from the repository root.
set -u
B=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
P=$B/tests/app_surface
MODEL=$B/models/cnn.om
ok() { echo "ok   surface: $1"; }
bad() {
    echo "FAIL surface: $1"
    fail=1
}

for c in fp16 tensor device model callback force; do
    timeout 60 "$P" "$c" "$MODEL" >"$T/out" 2>"$T/err"
    rc=$?
    if [ $rc -eq 0 ] && ! grep -q '^FAIL' "$T/out"; then
        sed 's/^ok surface: /ok   surface: /' "$T/out"
    else
        bad "$c (exit $rc)"
        sed 's/^/    | /' "$T/out"
        sed 's/^/    ! /' "$T/err" | head -n 20
    fi
done

# logrun LEVEL - runs the log case with ASCEND_GLOBAL_LOG_LEVEL=LEVEL ("" unset).
logrun() {
    if [ -z "$1" ]; then
        (unset ASCEND_GLOBAL_LOG_LEVEL && timeout 60 "$P" log >"$T/log.out" 2>"$T/log.err")
    else
        ASCEND_GLOBAL_LOG_LEVEL=$1 timeout 60 "$P" log >"$T/log.out" 2>"$T/log.err"
    fi
}

# level NAME LEVEL WANT - the levels whose lines appear, in order, e.g. "WARNING ERROR ERROR ERROR".
level() {
    logrun "$2"
    got=$(sed -n 's/^\[\([A-Z]*\)\] .*/\1/p' "$T/log.err" | tr '\n' ' ' | sed 's/ $//')
    if [ -s "$T/log.out" ]; then
        bad "aclAppLog, $1: wrote on stdout"
    elif [ "$(wc -l <"$T/log.err" | tr -d ' ')" != "$(echo "$3" | wc -w | tr -d ' ')" ] || [ "$got" != "$3" ]; then
        bad "aclAppLog, $1: levels written '$got', expected '$3'"
        sed 's/^/    ! /' "$T/log.err" | cut -c1-160
    else
        ok "aclAppLog, $1: $3"
    fi
}
level "ASCEND_GLOBAL_LOG_LEVEL unset (warnings and errors)" "" "WARNING ERROR ERROR ERROR"
level "ASCEND_GLOBAL_LOG_LEVEL=0" 0 "DEBUG INFO WARNING ERROR ERROR ERROR"
level "ASCEND_GLOBAL_LOG_LEVEL=1" 1 "INFO WARNING ERROR ERROR ERROR"
level "ASCEND_GLOBAL_LOG_LEVEL=3" 3 "ERROR ERROR ERROR"
level "ASCEND_GLOBAL_LOG_LEVEL=4 (nothing)" 4 ""

logrun 0
why=""
grep -q 'log_case:tests/progs/app_surface.c:[0-9]*: "warn-msg 7"$' "$T/log.err" ||
    why="$why; no 'func:file:line: \"message\"' line for the warning"
grep -q ': "two lines"$' "$T/log.err" || why="$why; a message with a line break is not one line"
body=$(grep 'xxxx' "$T/log.err" | sed 's/^[^"]*"//; s/"$//')
[ "${#body}" -eq 1023 ] || why="$why; the long message is ${#body} bytes, expected 1023 (1024 with the NUL)"
case $body in
*'...[truncated]') ;;
*) why="$why; the long message does not end with ...[truncated]" ;;
esac
grep -q 'no function' "$T/log.err" && why="$why; a NULL func was written"
if [ -z "$why" ]; then
    ok "aclAppLog: func:file:line: \"message\", one line per call, cut at 1024 bytes with ...[truncated]"
else
    bad "aclAppLog format$why"
    sed 's/^/    ! /' "$T/log.err" | cut -c1-160
fi
exit $fail
