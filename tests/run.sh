#!/bin/sh
# run.sh BUILD - runs every test of a build: the Check programs
# (BUILD/tests/test_*) and the shell tests (tests/shell/check_*.sh), from the repository
# root, and prints one summary line.
set -u
B=${1:-build}
passed=0
failed=0
failures=""
run() { # name, command...
    name=$1
    shift
    echo "=== $name"
    null_before=0
    [ -c /dev/null ] && null_before=1
    if "$@" && null_device_after "$name"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures="$failures $name"
    fi
}
# A test that leaves /dev/null something else fails, by name (only the one
# where it changed): what it broke would otherwise fail the tests after it.
null_device_after() {
    [ -c /dev/null ] || [ "$null_before" = 0 ] && return 0
    echo "FAIL $1: /dev/null is no longer the null device after it"
    return 1
}
# Every test writes to /dev/null; a machine where it is an ordinary file
# fails them in ways that hide the cause, so the cause is said first.
if [ ! -c /dev/null ]; then
    echo "FAIL /dev/null is not the null device on this machine (./install-deps.sh, as root, makes it again)"
    failed=$((failed + 1))
    failures="$failures /dev/null"
fi
for t in "$B"/tests/test_*; do
    [ -x "$t" ] || continue
    run "$(basename "$t")" "$t"
done
for s in tests/shell/check_*.sh; do
    [ -f "$s" ] || continue
    run "$(basename "$s" .sh)" sh "$s" "$B"
done
echo "($B)"
echo "check: $passed passed, $failed failed"
[ -n "$failures" ] && echo "failed:$failures"
[ "$failed" -eq 0 ]
