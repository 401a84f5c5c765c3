#!/bin/sh
# check_sinks.sh BUILD - the interposer writes only where the user pointed,
# and says nothing where it was not asked to (aclsub-env(7), aclsub-run(1)):
#   - a FIFO whose path is replaced between two readers (by a symbolic link
#     to a file, or by another FIFO) is not reopened: the file and the new
#     FIFO get nothing, the user is told once, the records count as dropped;
#   - a symbolic link as the sink is followed only when ACLSUB_OUTPUT names
#     it and it is the user's own; another user's link is refused;
#   - a file another user planted in a sticky directory, even 0666, and the
#     user's own file writable by others are left byte for byte untouched;
#     a directory, a socket or a block device is refused with one line;
#   - %h with a host name of "../../evil" (set in a UTS namespace) stays in
#     the directory named;
#   - aclsub run -o: another user's file is refused unless --force, the
#     user's own is kept as FILE.old, a launch that fails leaves nothing;
#   - ACLSUB_LOG=quiet: stderr byte for byte the unprofiled run's;
#   - a daemon that closes fd 2 and opens its data file there gets no
#     interposer text in that file (tests/progs/app_plain.c --reopen-stderr).
# Every program's standard output and exit status are the unprofiled run's.
# Each case prints "ok   sinks: NAME" or "FAIL sinks: NAME" with the reasons;
# every program runs under `timeout`.  Another user is uid 65534 (files are
# chowned to it), so the cases that need it are skipped when not root.
SUBJECT=sinks
. tests/shell/lib.sh
TMO=10

APP=$BA/tests/app_plain
CHK=$BA/tests/tool_sinkcheck
ACLSUB=$BA/bin/aclsub
LIB=$BA/lib/libaclsub.so
MLP=$BA/models/mlp.om
for f in "$APP" "$CHK" "$ACLSUB" "$LIB" "$MLP"; do
    if [ ! -e "$f" ]; then
        echo "FAIL sinks: $f is missing (make tests)"
        exit 1
    fi
done
MLP_OPS=$(awk '$1 == "node"' models/mlp.txt | wc -l)
ASAN_LIB=$(ldd "$LIB" 2>/dev/null | awk '/libasan/ {print $3; exit}')
PRE=$LIB
[ -n "$ASAN_LIB" ] && PRE="$ASAN_LIB $LIB"
ROOTUSER=0
[ "$(id -u)" = 0 ] && ROOTUSER=1
NOBODY=65534

# --- running and judging --------------------------------------------------------------

# run BASE PROGRAM ARGS... - without the preload: BASE.out, BASE.err, rc.
run() {
    base=$1
    shift
    (timeout "$TMO" "$@"; exit $?) >"$base.out" 2>"$base.err"
    rc=$?
}

# prun BASE [VAR=VALUE...] PROGRAM ARGS... - the same under the preload.
prun() {
    base=$1
    shift
    (timeout "$TMO" env LD_PRELOAD="$PRE" "$@"; exit $?) >"$base.out" 2>"$base.err"
    rc=$?
}

begin() {
    tname=$1
    why=""
}

# eq WHAT GOT WANT
eq() {
    [ "$2" = "$3" ] || why="$why
    - $1: got '$2', expected '$3'"
}

# need WHAT COMMAND...
need() {
    what=$1
    shift
    "$@" || why="$why
    - $what"
}

# finish [FILE...] - the case's line; on failure the reasons and the files.
finish() {
    if [ -z "$why" ]; then
        echo "ok   sinks: $tname"
        return 0
    fi
    echo "FAIL sinks: $tname$why"
    for f in "$@"; do
        [ -s "$f" ] || continue
        echo "    ${f#"$T"/}:"
        head -n 12 "$f" | sed 's/^/    | /'
    done
    fail=1
}

skip() { echo "ok   sinks: $1 (skipped: $2)"; }

# The reference run: mlp x 3, without the preload.
N=3
run "$T/ref" "$APP" "$MLP" $N
REF_RC=$rc
begin "the program alone (reference run) succeeds"
eq "exit status" "$REF_RC" 0
eq "stdout lines" "$(wc -l <"$T/ref.out" | tr -d ' ')" $N
finish "$T/ref.err"

# same BASE - stdout and status as the reference run's.
same() {
    eq "exit status" "$rc" "$REF_RC"
    need "standard output differs from the run without the preload" cmp -s "$T/ref.out" "$1.out"
}

# one_line BASE TEXT - stderr is exactly one line, and it contains TEXT.
one_line() {
    eq "stderr lines" "$(wc -l <"$1.err" | tr -d ' ')" 1
    need "stderr does not say '$2'" grep -q -F -- "$2" "$1.err"
}

# ops SINK - the operator records tool_sinkcheck finds in SINK.
ops() {
    "$CHK" check "$1" 2>/dev/null | awk '$1 == "op" {print $2; f = 1} END {if (!f) print 0}'
}

# --- (a) a FIFO replaced between two readers -----------------------------------------------

# fifo_swap NAME HOW - a reader takes 10 records and leaves; the FIFO's path is
# then replaced (HOW: link = a symbolic link to a victim file, fifo = another
# FIFO with a reader waiting on it).  Prints its own result line.
fifo_swap() {
    d=$T/$1
    mkdir "$d"
    mkfifo "$d/f"
    printf 'the victim file, never written by the interposer\n' >"$d/victim"
    cp "$d/victim" "$d/victim.orig"
    E=60
    TMO=40
    run "$d/ref" "$APP" "$MLP" $E --sleep-ms 40
    (timeout "$TMO" env LD_PRELOAD="$PRE" ACLSUB_OUTPUT="$d/f" ACLSUB_LOG=info \
        "$APP" "$MLP" $E --sleep-ms 40 >"$d/run.out" 2>"$d/run.err"
    echo $? >"$d/run.rc") &
    prog=$!
    timeout 10 head -c 5120 "$d/f" >"$d/r1"
    sleep 0.3
    rm "$d/f"
    if [ "$2" = link ]; then
        ln -s "$d/victim" "$d/f"
    else
        mkfifo "$d/f"
        timeout 4 cat "$d/f" >"$d/r2"
    fi
    wait "$prog"
    rc=$(cat "$d/run.rc")
    begin "FIFO path replaced by a $2 between readers: not reopened, told once, the $2 gets nothing"
    eq "exit status" "$rc" 0
    need "standard output differs from the run without the preload" cmp -s "$d/ref.out" "$d/run.out"
    eq "bytes the first reader got" "$(wc -c <"$d/r1" | tr -d ' ')" 5120
    need "the victim file changed" cmp -s "$d/victim" "$d/victim.orig"
    [ "$2" = fifo ] && eq "bytes the second FIFO's reader got" "$(wc -c <"$d/r2" | tr -d ' ')" 0
    eq "'no longer the FIFO first opened' lines" "$(grep -c 'no longer the FIFO first opened; not reopened' "$d/run.err")" 1
    produced=$(sed -n 's/^aclsub: \([0-9]*\) records, \([0-9]*\) dropped.*/\1/p' "$d/run.err")
    dropped=$(sed -n 's/^aclsub: \([0-9]*\) records, \([0-9]*\) dropped.*/\2/p' "$d/run.err")
    eq "records produced (summary line)" "$produced" $(((MLP_OPS + 1) * E))
    need "no records counted as dropped ($dropped)" [ "${dropped:-0}" -gt 0 ]
    finish "$d/run.err"
}
(fifo_swap a1 link >"$T/a1.result" 2>&1) &
BGPIDS="$BGPIDS $!"
(fifo_swap a2 fifo >"$T/a2.result" 2>&1) &
BGPIDS="$BGPIDS $!"

# --- (b) symbolic links at the first open --------------------------------------------------------

mkdir -m 1777 "$T/sticky"
if [ $ROOTUSER = 1 ]; then
    mkfifo "$T/sticky/theirs.fifo"
    chown $NOBODY "$T/sticky/theirs.fifo"
    ln -s "$T/sticky/theirs.fifo" "$T/sticky/b1.link"
    chown -h $NOBODY "$T/sticky/b1.link"
    prun "$T/b1" ACLSUB_OUTPUT="$T/sticky/b1.link" "$APP" "$MLP" $N
    begin "another user's symbolic link (to a FIFO) as the sink: refused, one line"
    same "$T/b1"
    one_line "$T/b1" "b1.link: a symbolic link of uid $NOBODY, not followed; running without profiling"
    finish "$T/b1.err"
else
    skip "another user's symbolic link as the sink" "not root"
fi

ln -s "$T/b2.target" "$T/b2.link"
: >"$T/b2.target"
chmod 600 "$T/b2.target"
prun "$T/b2" ACLSUB_OUTPUT="$T/b2.link" "$APP" "$MLP" $N
begin "the user's own symbolic link named by ACLSUB_OUTPUT: followed once, every record in its target"
same "$T/b2"
eq "stderr" "$(cat "$T/b2.err")" ""
eq "operator records in the target" "$(ops "$T/b2.target")" $((MLP_OPS * N))
need "the link is no longer a link" [ -L "$T/b2.link" ]
finish "$T/b2.err"

ln -s "$T/b3.nothing" "$T/b3.link"
prun "$T/b3" ACLSUB_OUTPUT="$T/b3.link" "$APP" "$MLP" $N
begin "the user's own symbolic link to nothing: refused, nothing created"
same "$T/b3"
one_line "$T/b3" "b3.link: a symbolic link to nothing usable"
need "the link's target was created" [ ! -e "$T/b3.nothing" ]
finish "$T/b3.err"

# --- (c) planted and shared files ----------------------------------------------------------------

if [ $ROOTUSER = 1 ]; then
    printf 'planted by another user\n' >"$T/sticky/c1.rec"
    chown $NOBODY "$T/sticky/c1.rec"
    chmod 666 "$T/sticky/c1.rec"
    cp "$T/sticky/c1.rec" "$T/c1.orig"
    prun "$T/c1" ACLSUB_OUTPUT="$T/sticky/c1.rec" "$APP" "$MLP" $N
    begin "a 0666 file of another user in a sticky directory: untouched, one line, the program as without"
    same "$T/c1"
    one_line "$T/c1" "c1.rec: belongs to uid $NOBODY, not to uid 0; not appended to; running without profiling"
    need "the planted file changed" cmp -s "$T/sticky/c1.rec" "$T/c1.orig"
    finish "$T/c1.err"
else
    skip "a 0666 file of another user in a sticky directory" "not root"
fi

printf 'mine, but writable by others\n' >"$T/c2.rec"
chmod 646 "$T/c2.rec"
cp "$T/c2.rec" "$T/c2.orig"
prun "$T/c2" ACLSUB_OUTPUT="$T/c2.rec" "$APP" "$MLP" $N
begin "the user's own file writable by others: untouched, one line"
same "$T/c2"
one_line "$T/c2" "c2.rec: writable by group or others (mode 0646); not appended to"
need "the file changed" cmp -s "$T/c2.rec" "$T/c2.orig"
finish "$T/c2.err"

prun "$T/c3" ACLSUB_OUTPUT="$T/c3.rec" "$APP" "$MLP" $N
begin "a new file: created with mode 0600, every record"
same "$T/c3"
eq "mode" "$(stat -c %a "$T/c3.rec")" 600
eq "operator records" "$(ops "$T/c3.rec")" $((MLP_OPS * N))
finish "$T/c3.err"

prun "$T/c4" ACLSUB_OUTPUT="$T/c3.rec" "$APP" "$MLP" $N
begin "the user's own 0600 file: appended to"
same "$T/c4"
eq "stderr" "$(cat "$T/c4.err")" ""
eq "operator records" "$(ops "$T/c3.rec")" $((MLP_OPS * N * 2))
finish "$T/c4.err"

mkdir "$T/c5.dir"
/usr/bin/python3 -c "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$T/c6.sock"
BLK=$(find /dev -maxdepth 1 -type b 2>/dev/null | head -n 1)
# refused_type BASE PATH WHAT - PATH (WHAT) as the sink is refused with one line.
refused_type() {
    prun "$1" ACLSUB_OUTPUT="$2" "$APP" "$MLP" $N
    begin "$3 as the sink: refused, one line naming the cause"
    same "$1"
    one_line "$1" "$3, not a FIFO, regular file or character device; running without profiling"
    finish "$1.err"
}
refused_type "$T/c5" "$T/c5.dir" "a directory"
refused_type "$T/c6" "$T/c6.sock" "a socket"
if [ -n "$BLK" ]; then
    refused_type "$T/c7" "$BLK" "a block device"
else
    skip "a block device as the sink" "none in /dev"
fi

prun "$T/c8" ACLSUB_OUTPUT=fd:9 "$APP" "$MLP" $N 9<"$T/c5.dir"
begin "fd:9 naming a directory: refused, one line"
same "$T/c8"
one_line "$T/c8" "ACLSUB_OUTPUT=fd:9 cannot be used: a directory; running without profiling"
finish "$T/c8.err"

prun "$T/c9" ACLSUB_OUTPUT=/dev/null ACLSUB_LOG=info "$APP" "$MLP" $N
begin "/dev/null (a character device) as the sink: accepted"
same "$T/c9"
eq "stderr" "$(cat "$T/c9.err")" "aclsub: $(((MLP_OPS + 1) * N)) records, 0 dropped, 1 model(s) -> /dev/null"
finish "$T/c9.err"

# --- (d) %h with "../" ----------------------------------------------------------------------------

mkdir -p "$T/d/sub"
if unshare --uts true 2>/dev/null; then
    (timeout "$TMO" unshare --uts sh -c 'echo "../../evil" >/proc/sys/kernel/hostname && exec env "$@"' sh \
        LD_PRELOAD="$PRE" ACLSUB_OUTPUT="$T/d/sub/%h.rec" "$APP" "$MLP" $N) >"$T/d1.out" 2>"$T/d1.err"
    rc=$?
    begin "ACLSUB_OUTPUT=DIR/%h.rec with the host name ../../evil: the sink stays in DIR"
    same "$T/d1"
    eq "files under $T/d" "$(cd "$T/d" && find . -type f | sort | tr '\n' ' ')" "./sub/___.._evil.rec "
    eq "operator records" "$(ops "$T/d/sub/___.._evil.rec")" $((MLP_OPS * N))
    finish "$T/d1.err"
    mkdir -p "$T/d2/sub"
    (cd "$T/d2/sub" && timeout "$TMO" unshare --uts sh -c \
        'echo "../../evil" >/proc/sys/kernel/hostname && exec "$@"' sh "$ACLSUB" run -o %h.rec -- "$APP" "$MLP" $N) \
        >"$T/d2.out" 2>"$T/d2.err"
    rc=$?
    begin "aclsub run -o %h.rec with the host name ../../evil: the file stays in the directory"
    same "$T/d2"
    eq "files under $T/d2" "$(cd "$T/d2" && find . -type f | sort | tr '\n' ' ')" "./sub/___.._evil.rec "
    finish "$T/d2.err"
else
    skip "%h with ../ in the host name" "unshare --uts does not work here"
fi

# --- (e) aclsub run -o ----------------------------------------------------------------------------

# arun BASE ARGS... - aclsub run ARGS in $T/e.
mkdir -m 1777 "$T/e"
arun() {
    base=$1
    shift
    (cd "$T/e" && timeout "$TMO" "$ACLSUB" run "$@"; exit $?) >"$base.out" 2>"$base.err"
    rc=$?
}
if [ $ROOTUSER = 1 ]; then
    printf 'another user\047s recording\n' >"$T/e/theirs.rec"
    chown $NOBODY "$T/e/theirs.rec"
    chmod 644 "$T/e/theirs.rec"
    cp "$T/e/theirs.rec" "$T/e1.orig"
    arun "$T/e1" -o theirs.rec -- "$APP" "$MLP" $N
    begin "aclsub run -o over another user's file: refused (exit 1), untouched, the program not started"
    eq "exit status" "$rc" 1
    eq "stdout" "$(cat "$T/e1.out")" ""
    one_line "$T/e1" "aclsub run: theirs.rec: a file of uid $NOBODY, not yours: left as it is (--force replaces it)"
    need "the file changed" cmp -s "$T/e/theirs.rec" "$T/e1.orig"
    finish "$T/e1.err"

    arun "$T/e2" --force -o theirs.rec -- "$APP" "$MLP" $N
    begin "aclsub run --force -o over another user's file: replaced by a new file of the user's, every record"
    same "$T/e2"
    eq "owner and mode" "$(stat -c '%u %a' "$T/e/theirs.rec")" "0 600"
    eq "operator records" "$(ops "$T/e/theirs.rec")" $((MLP_OPS * N))
    need "stderr does not say it was removed" grep -q "theirs.rec: a file of uid $NOBODY removed (--force)" "$T/e2.err"
    finish "$T/e2.err"

    cp "$T/e1.orig" "$T/e3.target"
    ln -s "$T/e3.target" "$T/e/their.link"
    chown -h $NOBODY "$T/e/their.link"
    arun "$T/e3" -o their.link -- "$APP" "$MLP" $N
    begin "aclsub run -o over another user's symbolic link: refused, its target untouched"
    eq "exit status" "$rc" 1
    one_line "$T/e3" "their.link: a symbolic link of uid $NOBODY, not yours: left as it is (--force replaces it)"
    need "the link's target changed" cmp -s "$T/e1.orig" "$T/e3.target"
    need "the link is gone" [ -L "$T/e/their.link" ]
    finish "$T/e3.err"
else
    skip "aclsub run -o over another user's file" "not root"
fi

arun "$T/e4" -o mine.rec -- "$APP" "$MLP" $N
cp "$T/e/mine.rec" "$T/e4.rec"
arun "$T/e5" -o mine.rec -- "$APP" "$MLP" 2
begin "aclsub run -o over the user's own file: the previous one kept as FILE.old, said on stderr"
eq "exit status" "$rc" 0
need "FILE.old is not the previous file" cmp -s "$T/e/mine.rec.old" "$T/e4.rec"
eq "operator records in the new file" "$(ops "$T/e/mine.rec")" $((MLP_OPS * 2))
eq "stderr" "$(cat "$T/e5.err")" "aclsub run: mine.rec: existed: kept as mine.rec.old
aclsub run: records in mine.rec"
finish "$T/e5.err"

listing() { find "$T/e" -printf '%p %s %u %m %i\n' | sort; }
listing >"$T/e6.before"
md5sum "$T/e/mine.rec" "$T/e/mine.rec.old" >"$T/e6.sums"
arun "$T/e6" -o mine.rec -- ./no-such-program
arun "$T/e7" -o new.rec -- no-such-program-in-path
begin "aclsub run with a program that cannot be found: 127, nothing created, renamed or removed"
eq "exit status" "$rc" 127
eq "stderr" "$(cat "$T/e6.err" "$T/e7.err")" "aclsub run: ./no-such-program: command not found
aclsub run: no-such-program-in-path: command not found"
need "the directory changed" [ "$(listing)" = "$(cat "$T/e6.before")" ]
need "mine.rec or mine.rec.old changed" md5sum -c --quiet "$T/e6.sums"
need "new.rec was left behind" [ ! -e "$T/e/new.rec" ]
finish "$T/e6.err" "$T/e7.err"

# --- (f) quiet means quiet; messages never land in a later fd 2 --------------------------------------

f=0
for setting in "ACLSUB_OUTPUT=$T/c5.dir" "ACLSUB_OUTPUT=$T/c2.rec" "ACLSUB_OUTPUT=fd:250" "ACLSUB_ON_FULL=maybe" \
    "ACLSUB_OUTPUT=$T/b3.link"; do
    f=$((f + 1))
    prun "$T/f$f" ACLSUB_LOG=quiet "$setting" "$APP" "$MLP" $N
    begin "ACLSUB_LOG=quiet with $setting: stderr byte for byte the unprofiled run's"
    same "$T/f$f"
    need "stderr differs from the run without the preload" cmp -s "$T/ref.err" "$T/f$f.err"
    finish "$T/f$f.err"
done

run "$T/g0" "$APP" "$MLP" $N --reopen-stderr "$T/g0.data"
prun "$T/g1" ACLSUB_OUTPUT="$T/c5.dir" "$APP" "$MLP" $N --reopen-stderr "$T/g1.data"
begin "a daemon's data file opened as fd 2: no interposer text in it; the line on the stderr of load time"
same "$T/g1"
need "the data file differs from the unprofiled run's" cmp -s "$T/g0.data" "$T/g1.data"
one_line "$T/g1" "c5.dir: a directory"
finish "$T/g1.data" "$T/g1.err"

(timeout "$TMO" env LD_PRELOAD="$PRE" ACLSUB_OUTPUT="$T/c5.dir" "$APP" "$MLP" $N --reopen-stderr "$T/g2.data" \
    2>&-; exit $?) >"$T/g2.out"
rc=$?
begin "stderr closed when the library loaded: nothing printed anywhere, the data file clean"
same "$T/g2"
need "the data file differs from the unprofiled run's" cmp -s "$T/g0.data" "$T/g2.data"
finish "$T/g2.data"

# --- the background cases ---------------------------------------------------------------------------

wait
for r in "$T/a1.result" "$T/a2.result"; do
    cat "$r"
    grep -q '^FAIL' "$r" && fail=1
done
end_checks
