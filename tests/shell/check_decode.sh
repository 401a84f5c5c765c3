#!/bin/sh
# check_decode.sh BUILD - `aclsub decode` on generated streams: golden output for a
# clean stream; damaged streams (truncated, one flipped bit, garbage between
# records, an unknown version) exit 2 and still print every valid record;
# loss no record counted (a record cut out, the last one cut, one written
# twice) is reported and exits 2; sums past 2^64 saturate.
SUBJECT=decode
. tests/shell/lib.sh
check() { # name, condition result
    if [ "$2" -eq 0 ]; then say_ok "$1"; else say_fail "$1"; fi
}
golden=tests/golden/decode_basic.out
R=512

$GEN tests/data/basic.spec "$T/clean.rec"
$ACLSUB decode "$T/clean.rec" >"$T/out" 2>"$T/err"; rc=$?
cmp -s "$T/out" $golden && [ $rc -eq 0 ] && [ ! -s "$T/err" ]; check "clean stream matches golden, exit 0" $?

$ACLSUB decode - <"$T/clean.rec" >"$T/out"; rc=$?
cmp -s "$T/out" $golden && [ $rc -eq 0 ]; check "stdin input" $?

mkfifo "$T/f"
( timeout 20 sh -c '"$1" tests/data/basic.spec - >"$2"' sh "$GEN" "$T/f" ) & # bounded: no reader must not hang the suite
$ACLSUB decode "$T/f" >"$T/out"; rc=$?
wait
cmp -s "$T/out" $golden && [ $rc -eq 0 ]; check "FIFO input" $?

# Truncated tail: the last record loses 100 bytes.
$GEN tests/data/basic.spec "$T/cut.rec" --cut 100
$ACLSUB decode "$T/cut.rec" >"$T/out" 2>"$T/err"; rc=$?
head -n 6 $golden | cmp -s - "$T/out" && [ $rc -eq 2 ] && grep -q "412 truncated" "$T/err"
check "truncated stream exits 2, other records printed" $?

# One flipped bit inside record 2's name.
$GEN tests/data/basic.spec "$T/flip.rec" --flip $((2 * R + 230))
$ACLSUB decode "$T/flip.rec" >"$T/out" 2>"$T/err"; rc=$?
sed 4d $golden | cmp -s - "$T/out" && [ $rc -eq 2 ] && grep -q "1 bad signature" "$T/err"
check "flipped bit exits 2, other records printed" $?

# 37 bytes of garbage before record 3.
$GEN tests/data/basic.spec "$T/garbage.rec" --garbage 3:37
$ACLSUB decode "$T/garbage.rec" >"$T/out" 2>"$T/err"; rc=$?
cmp -s $golden "$T/out" && [ $rc -eq 2 ] && grep -q "37 garbage byte(s) in 1 run" "$T/err"
check "garbage between records skipped, exit 2" $?

$GEN tests/data/basic.spec "$T/ver.rec" --bad-version 1
$ACLSUB decode "$T/ver.rec" >"$T/out" 2>"$T/err"; rc=$?
sed 3d $golden | cmp -s - "$T/out" && [ $rc -eq 2 ] && grep -q "1 unknown version" "$T/err"
check "unknown version skipped, exit 2" $?

# A file large enough to be read ahead in chunks (regular files over 8 MiB),
# damaged around the 4 MiB chunk boundaries: the same records and the same
# damage counts as through a pipe, which is read directly.
$GEN tests/data/basic.spec "$T/big0.rec" --repeat 6000 || exit 1
# 37 leading bytes: every record straddles the chunk boundaries at an odd offset.
{ printf '%037d' 0; cat "$T/big0.rec"; } >"$T/big.rec"
printf 'garbage!' | dd of="$T/big.rec" bs=1 seek=$((4 * 1048576 - 3)) conv=notrunc status=none
printf '\377' | dd of="$T/big.rec" bs=1 seek=$((8 * 1048576 + 700)) conv=notrunc status=none
printf '\377' | dd of="$T/big.rec" bs=1 seek=$((12 * 1048576 + 5)) conv=notrunc status=none
$ACLSUB decode "$T/big.rec" >"$T/file.out" 2>"$T/file.err"; rc1=$?
cat "$T/big.rec" | $ACLSUB decode - >"$T/pipe.out" 2>"$T/pipe.err"; rc2=$?
sed 's/<stdin>/X/; s/[^ ]*big.rec/X/' "$T/file.err" >"$T/file.err2"
sed 's/<stdin>/X/; s/[^ ]*big.rec/X/' "$T/pipe.err" >"$T/pipe.err2"
cmp -s "$T/file.out" "$T/pipe.out" && cmp -s "$T/file.err2" "$T/pipe.err2" && [ $rc1 -eq 2 ] && [ $rc2 -eq 2 ] &&
    [ "$(wc -l <"$T/file.out")" -gt 35000 ]
check "a large file read ahead decodes exactly as through a pipe, damage at chunk boundaries included" $?

# --- the loss proof: sequence numbers and the stream end's counts ---------------
# tests/data/proof.spec: stream start, 7 records of two models numbered per
# model, a stream end counting 7 delivered and 0 dropped.
$GEN tests/data/proof.spec "$T/proof.rec" || exit 1
$ACLSUB decode summary "$T/proof.rec" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && [ ! -s "$T/err" ]; check "a complete stream: no loss reported, exit 0" $?

# Record 3 (model 1's second, sequence 1) cut out: a gap nothing counted.
{ head -c $((2 * R)) "$T/proof.rec"; tail -c +$((3 * R + 1)) "$T/proof.rec"; } >"$T/cut1.rec"
$ACLSUB decode summary "$T/cut1.rec" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "cut1.rec: 1 record(s) lost without being counted (1 missing by sequence number, 0 counted" "$T/err"
check "one record cut from a clean stream: 1 lost without being counted, exit 2" $?

# The last data record (model 2's, no later record of its model) cut out:
# only the stream end's count of 7 delivered shows it.
{ head -c $((7 * R)) "$T/proof.rec"; tail -c $R "$T/proof.rec"; } >"$T/cut7.rec"
$ACLSUB decode "$T/cut7.rec" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "cut7.rec: 1 record(s) lost without being counted (0 missing by sequence number" "$T/err"
check "the last record before the stream end cut: the stream end's count shows it, exit 2" $?

# Record 4 written twice.
{ head -c $((4 * R)) "$T/proof.rec"; tail -c +$((3 * R + 1)) "$T/proof.rec"; } >"$T/dup.rec"
$ACLSUB decode list --format csv "$T/dup.rec" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "dup.rec: 1 record(s) delivered more than once" "$T/err"
check "a record delivered twice: reported, exit 2" $?

# Sums past 2^64: three durations of 2^64-1, lost counts of 2^64-1 and 5.
$GEN tests/data/huge.spec "$T/huge.rec" || exit 1
$ACLSUB decode summary --format csv "$T/huge.rec" >"$T/out" 2>"$T/err"
line=$(grep '^Big,' "$T/out")
[ "$(echo "$line" | cut -d, -f3)" = "18446744073709551.615" ] && [ "$(echo "$line" | cut -d, -f13)" = 18446744073709551615 ] &&
    ! echo "$line" | grep -q ',-' && grep -q "records lost: 18446744073709551615" "$T/err"
check "sums past 2^64 saturate: total and records lost at 2^64-1, nothing negative" $?

# Summary memory bounded by the groups, not the records: 28 times the records
# (21,600 and 612,000; the views stream's 4 types past 4096 operators each)
# add less than 1 MiB of peak RSS (keeping 8 bytes a duration added about 4 MB).
if [ -x /usr/bin/time ]; then
    $GEN tests/data/views.spec "$T/rss1.rec" --repeat 1200 || exit 1
    $GEN tests/data/views.spec "$T/rss30.rec" --repeat 34000 || exit 1
    for n in 1 30; do
        OPENBLAS_NUM_THREADS=1 /usr/bin/time -f %M -o "$T/rss$n" "$ACLSUB" decode summary "$T/rss$n.rec" >"$T/sum$n" 2>/dev/null
    done
    k1=$(tail -n 1 "$T/rss1") k30=$(tail -n 1 "$T/rss30")
    [ $((k30 - k1)) -lt 1024 ] && grep -q "^Conv  *136000 " "$T/sum30" && grep -q "within 0.781 %" "$T/sum30"
    check "summary peak RSS bounded: $k1 KiB for 21,600 records, $k30 KiB for 612,000; sketch noted" $?
    rm -f "$T/rss1.rec" "$T/rss30.rec"
else
    say_skipped "summary peak RSS bounded" "no /usr/bin/time"
fi

$ACLSUB decode "$T/missing.rec" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "missing.rec" "$T/err"; check "missing file exits 1 naming it" $?

$ACLSUB decode --bogus >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ]; check "unknown option exits 1" $?

$ACLSUB decode --help | grep -q "usage: aclsub decode"; check "--help" $?

end_checks
