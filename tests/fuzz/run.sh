#!/bin/sh
# run.sh FUZZDIR SECONDS - runs every libFuzzer target in FUZZDIR for SECONDS
# seconds each, over tests/fuzz/corpus_<name>/ when it exists (copied, so the
# repository is not written), and prints one summary line.
set -u
D=$1
S=${2:-10}
passed=0
failed=0
for f in "$D"/fuzz_*; do
    [ -x "$f" ] || continue
    name=$(basename "$f")
    work=$(mktemp -d)
    seed=tests/fuzz/corpus_${name#fuzz_}
    [ -d "$seed" ] && cp -r "$seed"/. "$work"/ 2>/dev/null
    echo "=== $name (${S}s)"
    if "$f" -max_total_time="$S" -rss_limit_mb=2048 -timeout=10 -print_final_stats=0 "$work" \
        >"$work.log" 2>&1; then
        passed=$((passed + 1))
        tail -n 2 "$work.log"
    else
        failed=$((failed + 1))
        tail -n 40 "$work.log"
    fi
    rm -rf "$work" "$work.log"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
