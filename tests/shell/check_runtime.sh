#!/bin/sh
# check_runtime.sh BUILD - the emulated libascendcl.so driven by plain AscendCL
# programs: the vendor's subscription sample step for step (app_seed_flow, on
# both demo models), then every case of app_prof_cases, each in its own
# process.  Run from the repository root.  Every run is bounded by
# `timeout 60`, so a deadlock fails the case instead of hanging; a failure
# prints the program's output and error stream.  Under BUILD/san the
# programs and the runtime are AddressSanitizer builds; nothing else changes.
SUBJECT=runtime
. tests/shell/lib.sh
SEED=$B/tests/app_seed_flow
CASES=$B/tests/app_prof_cases

# report NAME STATUS [EXTRA-STATUS WHY] - prints ok/FAIL; on failure the program's
# output (|) and error stream (!).  EXTRA-STATUS is a further condition's status.
report() {
    name=$1 rc=$2 extra=${3:-0}
    if [ "$rc" -eq 0 ] && [ "$extra" -eq 0 ]; then
        say_ok "$name"
        return
    fi
    why="exit $rc"
    [ "$rc" -eq 124 ] && why="timed out after 60 s"
    [ "$rc" -eq 141 ] && why="killed by SIGPIPE"
    [ "$rc" -gt 128 ] && [ "$rc" -ne 141 ] && why="exit $rc (signal $((rc - 128)))"
    [ "$rc" -eq 0 ] && why="exit 0, but: $4"
    say_fail "$name ($why)"
    show "$T/out"
    show_err "$T/err"
}

# run COMMAND... - runs one program under the time limit; its status in rc.
run() {
    timeout 60 "$@" >"$T/out" 2>"$T/err"
    rc=$?
}

require_built "$SEED" "$CASES"

for m in cnn mlp; do
    run "$SEED" "$MODELS/$m.om" "models/$m.txt"
    report "seed sample flow on $m: 10 executes, every record in graph order, end-of-file after unload" $rc
done

# describe CASE - what the case pins, for its ok/FAIL line.
describe() {
    case $1 in
    shared_fd) echo "two models on one fd: it stays open until the last unsubscribe" ;;
    double_subscribe) echo "subscribing twice is 148046 and changes nothing" ;;
    unmatched_config) echo "another model's differing time switch or metrics is 100010, as the vendor's test" ;;
    unsubscribe_unknown) echo "unknown or never-subscribed model ids are 100011, checked before the config" ;;
    null_config) echo "NULL config is 100000; bad configs are not created" ;;
    config_copies_fd) echo "the config keeps the fd, not the caller's pointer" ;;
    unload_ends_subscription) echo "unloading a subscribed model flushes it and closes the fd when last" ;;
    async_two_streams) echo "async executes on two streams: outputs, records, one worker per stream" ;;
    threads4) echo "four threads, contexts, models and pipes: whole records, only their own" ;;
    reader_closes_early) echo "reader closes early: no SIGPIPE death, outputs right, one stderr line on dropped records" ;;
    stalled_reader) echo "a reader that never reads: unsubscribe ends after ACLSUB_STALL_MS, the rest counted as dropped" ;;
    errors) echo "error codes, loading, descriptions, bad buffers" ;;
    context_per_thread) echo "current contexts are per thread" ;;
    *) echo "" ;;
    esac
}

for c in $("$CASES" list); do
    run "$CASES" "$c" "$MODELS" models
    if [ "$c" = reader_closes_early ] || [ "$c" = stalled_reader ]; then
        # The runtime reports the dropped records in exactly one stderr line.
        n=$(grep -c dropped "$T/err")
        [ "$n" -eq 1 ]
        report "$c: $(describe "$c")" $rc $? "$n stderr lines mention \"dropped\", expected 1"
    else
        report "$c: $(describe "$c")" $rc
    fi
done

# --- the same subscription cases under the interposer --------------------------------------
# What a program's own subscribe calls return must not change under LD_PRELOAD=libaclsub.so,
# whichever models the library follows itself (ACLSUB_MODELS: every model, the CNN only, the
# MLP only, none): the library's subscriptions take no part in the program's settings, and the
# program's subscriptions of followed models (served by the relay) take part as they would.
if [ "$SAN" = 1 ]; then PRE="$ASAN_LIB $LIBACLSUB"; else PRE=$LIBACLSUB; fi
for c in unmatched_config double_subscribe unsubscribe_unknown null_config config_copies_fd; do
    for follow in '*' 'cnn*' 'mlp*' none; do
        rm -f "$T/pre.rec"
        run env LD_PRELOAD="$PRE" ACLSUB_OUTPUT="$T/pre.rec" ACLSUB_MODELS="$follow" "$CASES" "$c" "$MODELS" models
        report "$c under the interposer, ACLSUB_MODELS='$follow': $(describe "$c")" $rc
    done
done
# A pipe two subscriptions share stays open until the last one ends (both models followed).
for c in shared_fd unload_ends_subscription; do
    rm -f "$T/pre.rec"
    run env LD_PRELOAD="$PRE" ACLSUB_OUTPUT="$T/pre.rec" "$CASES" "$c" "$MODELS" models
    report "$c under the interposer: $(describe "$c")" $rc
done

end_checks
