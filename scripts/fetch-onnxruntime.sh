#!/bin/sh
# fetch-onnxruntime.sh [DIR] - installs ONNX Runtime's CPU build, the
# numerical and speed reference of the real-model tests and `make bench`,
# into DIR (default: third_party/onnxruntime, ignored by git).
#
# It takes the npm packages onnxruntime-node@1.30.0 and onnxruntime-common
# (its only dependency needed at run time) with `npm pack`, so that no
# install script runs (onnxruntime-node's downloads from hosts outside the
# npm registry), checks each tarball's sha256, and unpacks them as
#     DIR/node_modules/onnxruntime-node   (JavaScript, package.json, and only
#                                          bin/napi-v6/linux/x64: the N-API
#                                          binding and libonnxruntime.so.1)
#     DIR/node_modules/onnxruntime-common
# so that `require("DIR/node_modules/onnxruntime-node")` works with node.
# Does nothing when DIR already holds this version.  Linux x64 only.
set -eu

DIR=${1:-third_party/onnxruntime}
VERSION=1.30.0
SUMS="6e3390d6b783e7be946fad629292799da28d0b42f84856e50d2c1b0383291e75  onnxruntime-node-$VERSION.tgz
7906c439e0d3e0f4048caa23b64cdfadc0f455c377f579ce1ab2a4b778f07d5f  onnxruntime-common-$VERSION.tgz"
NATIVE=bin/napi-v6/linux/x64
STAMP=$DIR/installed-version

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$VERSION" ] &&
    [ -f "$DIR/node_modules/onnxruntime-node/$NATIVE/libonnxruntime.so.1" ]; then
    echo "fetch-onnxruntime: ONNX Runtime $VERSION present in $DIR"
    exit 0
fi
case $(uname -sm) in
"Linux x86_64") ;;
*) echo "fetch-onnxruntime: only Linux x86_64 is supported, not $(uname -sm)" >&2; exit 1 ;;
esac
command -v npm >/dev/null 2>&1 || { echo "fetch-onnxruntime: npm is needed" >&2; exit 1; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "fetch-onnxruntime: fetching onnxruntime-node@$VERSION and onnxruntime-common@$VERSION (~110 MB)"
if ! (cd "$T" && npm pack --silent "onnxruntime-node@$VERSION" "onnxruntime-common@$VERSION" >/dev/null); then
    echo "fetch-onnxruntime: npm pack failed (is the npm registry reachable?); nothing installed" >&2
    exit 1
fi
if ! (cd "$T" && echo "$SUMS" | sha256sum --check --quiet); then
    echo "fetch-onnxruntime: checksum mismatch; nothing installed" >&2
    exit 1
fi
mkdir -p "$T/node/onnxruntime-node" "$T/node/onnxruntime-common"
tar xzf "$T/onnxruntime-node-$VERSION.tgz" -C "$T/node/onnxruntime-node" --strip-components=1 \
    package/package.json package/dist package/README.md "package/$NATIVE"
tar xzf "$T/onnxruntime-common-$VERSION.tgz" -C "$T/node/onnxruntime-common" --strip-components=1
for f in libonnxruntime.so.1 onnxruntime_binding.node; do
    [ -f "$T/node/onnxruntime-node/$NATIVE/$f" ] ||
        { echo "fetch-onnxruntime: the package has no $NATIVE/$f; nothing installed" >&2; exit 1; }
done

mkdir -p "$DIR"
rm -rf "$DIR/node_modules" "$STAMP"
mv "$T/node" "$DIR/node_modules"
echo "$VERSION" >"$STAMP"
echo "fetch-onnxruntime: ONNX Runtime $VERSION (CPU) installed and verified in $DIR"
