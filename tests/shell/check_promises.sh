#!/bin/sh
# check_promises.sh BUILD - the emulated runtime and the tools keep their
# promises under hostile conditions (each case bounded by a timeout, so a
# hang fails with its name instead of stalling the suite):
#   - a FIFO (or a directory) named as a model or a program is refused at
#     once by aclmdlLoadFromFile, aclsub inspect, aclsub atc and aclsub
#     doctor: open() never waits for a writer;
#   - fork after aclInit, with a model loaded, subscribed and executed:
#     the child gets clear errors, re-initialises and works, and the
#     parent's subscription still receives every record (progs/app_fork.c).
SUBJECT=promises
. tests/shell/lib.sh
ok() { say_ok "$1"; }
bad() { say_fail "$1"; }
mkfifo "$T/model.om" "$T/model.onnx" "$T/prog"
mkdir "$T/dir.om"

# refused CMD... : the command exits non-zero within 10 s saying "not a regular file".
refused() {
    name=$1
    shift
    start=$(date +%s%N)
    timeout 10 "$@" >"$T/out" 2>&1
    rc=$?
    ms=$((($(date +%s%N) - start) / 1000000))
    if [ $rc -eq 124 ]; then
        bad "$name: still waiting after 10 s"
    elif [ $rc -ne 0 ] && grep -q "not a regular file" "$T/out"; then
        ok "$name: refused in $ms ms ($(head -n 1 "$T/out"))"
    else
        bad "$name: exit $rc, output:"
        cat "$T/out"
    fi
}
refused "a FIFO as the model of aclmdlLoadFromFile" "$B/tests/app_plain" "$T/model.om" 1
refused "a directory as the model of aclmdlLoadFromFile" "$B/tests/app_plain" "$T/dir.om" 1
refused "a FIFO given to aclsub inspect" "$ACLSUB" inspect "$T/model.om"
refused "a FIFO given to aclsub atc" "$ACLSUB" atc --model="$T/model.onnx" --framework=5 --output="$T/x"
refused "a FIFO given to aclsub doctor" "$ACLSUB" doctor "$T/prog"

if timeout 60 "$B/tests/app_fork" "$B/models/cnn.om" >"$T/fork.out" 2>"$T/fork.err"; then
    sed 's/^ok fork: /ok   promises: fork after aclInit: /' "$T/fork.out"
    grep -q "forked after aclInit" "$T/fork.err" && ok "fork after aclInit: the child is told once, on stderr" ||
        bad "fork after aclInit: no explanation on stderr"
else
    bad "fork after aclInit (exit $?):"
    cat "$T/fork.out" "$T/fork.err"
fi
end_checks
