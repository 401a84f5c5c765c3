#!/usr/bin/python3
"""make_input.py - writes a deterministic float32 input for the real-model
tests and benchmarks (raw little-endian, NCHW), from arithmetic alone so
that the bytes are the same on every machine.

    make_input.py wave SHAPE OUT.raw    sin(i * 0.0137) * 0.9 over the flat
                                        index: the input opencv_ref.py uses
    make_input.py text SHAPE OUT.raw    a synthetic page: rows of dark
                                        glyph-like strokes on a light ground,
                                        normalised as PaddleOCR does (ImageNet
                                        mean and std); SHAPE is 1,3,H,W

The text page makes the OCR models give outputs worth comparing: on it the
det model's probability map spans 0..1 and rec reads characters, where the
wave gives det a map of zeros.
"""
import sys

import numpy as np


def wave(shape):
    i = np.arange(int(np.prod(shape)), dtype=np.float64)
    return (np.sin(i * 0.0137) * 0.9).reshape(shape)


def text(shape):
    if len(shape) != 4 or shape[:2] != [1, 3]:
        sys.exit("make_input: text needs a shape 1,3,H,W, not %s" % shape)
    h, w = shape[2], shape[3]
    img = np.full((h, w), 235.0)
    y, k = 12, 0
    while y + 20 < h:
        x = 10 + (k * 37) % 23
        while x + 12 < w - 10:
            gw = 6 + (x * 7 + y * 3) % 9
            img[y:y + 16, x:x + 2] = 30
            img[y + 7:y + 9, x:x + gw] = 30
            if (x + y) % 3:
                img[y:y + 2, x:x + gw] = 30
            if (x // 7) % 2:
                img[y:y + 16, x + gw - 2:x + gw] = 30
            x += gw + 4 + (8 if (x * 13 + y) % 11 == 0 else 0)
        y += 28 + (k % 3) * 4
        k += 1
    mean = np.array([0.485, 0.456, 0.406])[:, None, None]
    std = np.array([0.229, 0.224, 0.225])[:, None, None]
    return ((img[None] / 255.0 - mean) / std)[None]


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("wave", "text"):
        sys.exit(__doc__)
    shape = [int(x) for x in sys.argv[2].split(",")]
    x = wave(shape) if sys.argv[1] == "wave" else text(shape)
    x.astype("<f4").tofile(sys.argv[3])


main()
