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
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures="$failures $name"
    fi
}
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
