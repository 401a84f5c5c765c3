#!/bin/sh
# merge.sh FUZZDIR EXPLOREDIR - folds what `make fuzz-run` found back into the
# checked-in corpora: for each target in FUZZDIR, the inputs of
# EXPLOREDIR/<target>/corpus that add coverage are merged into
# tests/fuzz/corpus_<name>/ (libFuzzer's -merge=1), and every crash input
# of EXPLOREDIR/<target>/crashes/ is copied there as it is, so that the
# regression run of `make check` executes it from then on (fix the bug first).
# This is the one script that writes into tests/fuzz/; run it by hand.
set -eu
D=$1
X=$2
for f in "$D"/fuzz_*; do
    [ -x "$f" ] || continue
    name=$(basename "$f")
    [ -d "$X/$name" ] || continue
    case $name in fuzz_decode) dest=tests/fuzz/corpus_rec ;; *) dest=tests/fuzz/corpus_${name#fuzz_} ;; esac
    mkdir -p "$dest"
    before=$(ls "$dest" | wc -l)
    for c in "$X/$name"/crashes/*; do
        [ -f "$c" ] && cp "$c" "$dest/"
    done
    "$f" -merge=1 -rss_limit_mb=2048 -timeout=20 "$dest" "$X/$name/corpus" >"$X/$name/merge.log" 2>&1 || {
        echo "merge.sh: $name: merge failed, see $X/$name/merge.log" >&2
        exit 1
    }
    echo "$name: $dest: $before -> $(ls "$dest" | wc -l) inputs"
done
