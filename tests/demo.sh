#!/bin/sh
# demo.sh BUILD - the README's demo: decodes a bundled sample stream.
set -eu
B=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$B/tests/tool_genstream" tests/data/basic.spec "$T/sample.rec"
echo "aclsub demo: decoding a sample stream of $(($(wc -c <"$T/sample.rec") / 512)) records"
"$B/bin/aclsub" decode "$T/sample.rec"
