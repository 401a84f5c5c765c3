#!/bin/sh
# check_format_doc.sh BUILD - docs/FORMAT.md's worked hex dump is what the encoder
# writes today for the record the document describes.
set -u
B=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
printf '1|op|Conv|stem/conv1|1000000|1012500\n' >"$T/one.spec"
"$B/tests/tool_genstream" "$T/one.spec" "$T/one.rec" || exit 1
od -A d -t x1 "$T/one.rec" >"$T/actual"
# The first fenced block after "## A worked example".
awk '/^## A worked example/{f=1} f&&/^```$/{n++; next} f&&n==1{print}' docs/FORMAT.md >"$T/doc"
if cmp -s "$T/actual" "$T/doc"; then
    echo "ok   docs/FORMAT.md hex dump matches the encoder"
else
    echo "FAIL docs/FORMAT.md hex dump differs from the encoder:"
    diff "$T/doc" "$T/actual"
    exit 1
fi
