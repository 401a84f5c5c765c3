#!/bin/sh
# check_format_doc.sh BUILD - docs/FORMAT.md's worked hex dump is what the encoder
# writes today for the record the document describes.
SUBJECT="" # its lines name the document instead
. tests/shell/lib.sh
printf '1|op|Conv|stem/conv1|1000000|1012500\n' >"$T/one.spec"
"$GEN" "$T/one.spec" "$T/one.rec" || exit 1
od -A d -t x1 "$T/one.rec" >"$T/actual"
# The first fenced block after "## A worked example".
awk '/^## A worked example/{f=1} f&&/^```$/{n++; next} f&&n==1{print}' docs/FORMAT.md >"$T/doc"
if cmp -s "$T/actual" "$T/doc"; then
    say_ok "docs/FORMAT.md hex dump matches the encoder"
else
    say_fail "docs/FORMAT.md hex dump differs from the encoder:"
    diff "$T/doc" "$T/actual"
fi
end_checks
