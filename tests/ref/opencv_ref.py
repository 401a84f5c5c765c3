#!/usr/bin/python3
"""opencv_ref.py - the independent reference for a real model: runs an ONNX
model with OpenCV's DNN module on a fixed, reproducible input and writes the
input and the first output as raw little-endian float32 files.

    opencv_ref.py MODEL.onnx SHAPE INPUT.raw OUTPUT.raw [--time N]

SHAPE is the static input shape, e.g. 1,3,48,192; the model's dynamic input
dimensions are fixed to it with python3-onnx first (OpenCV needs static
shapes).  With --time N, the median of N forward passes is printed in
microseconds as "opencv_forward_us=...".
"""
import sys
import tempfile
import time

import cv2
import numpy as np
import onnx


def make_static(path, shape):
    model = onnx.load(path)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    if len(dims) != len(shape):
        sys.exit("opencv_ref: %s: input rank %d, shape %s" % (path, len(dims), shape))
    for d, v in zip(dims, shape):
        d.ClearField("dim_param")
        d.dim_value = v
    out = tempfile.NamedTemporaryFile(suffix=".onnx", delete=False)
    onnx.save(model, out.name)
    return out.name


def fixed_input(shape):
    # A smooth deterministic pattern in [-1, 1]: the same bytes on every machine.
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.float64)
    return (np.sin(i * 0.0137) * 0.9).astype(np.float32).reshape(shape)


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    model, shape = sys.argv[1], [int(x) for x in sys.argv[2].split(",")]
    x = fixed_input(shape)
    net = cv2.dnn.readNetFromONNX(make_static(model, shape))
    net.setInput(x)
    y = net.forward()
    x.astype("<f4").tofile(sys.argv[3])
    np.ascontiguousarray(y, dtype="<f4").tofile(sys.argv[4])
    print("opencv_output_shape=%s" % ",".join(str(d) for d in y.shape))
    if len(sys.argv) > 6 and sys.argv[5] == "--time":
        times = []
        for _ in range(int(sys.argv[6])):
            net.setInput(x)
            t0 = time.perf_counter()
            net.forward()
            times.append((time.perf_counter() - t0) * 1e6)
        print("opencv_forward_us=%.1f" % float(np.median(times)))


main()
