"""py_dynamic.py - the acl module on a model compiled with gears.

    py_dynamic.py MODEL.onnx MODEL.om

MODEL.om is MODEL.onnx (the PaddleOCR cls model, input x) compiled with
--input_shape="x:-1,3,48,192" --dynamic_batch_size="1,2,4".  Cases:
get_dynamic_batch lists the gears in order, the shape-data input is the
last and found by name, get_input_dims shows -1 at the batch dim;
set_dynamic_batch_size refuses a value that is not a gear with 145013 and
writes a gear into the shape-data buffer; for each gear, an execute with
that many images gives get_cur_output_dims [N, 2] and outputs within 1e-4
of OpenCV DNN's forward pass on the same batch (the reference, computed
here with cv2.dnn, never from the module).
"""

import sys
import tempfile

import acl
import cv2
import numpy as np
import onnx
from py_testlib import Checker, ok

BATCH_SIZE_INVALID = 145013
H2D, D2H = 1, 2
ONNX_PATH, OM_PATH = sys.argv[1], sys.argv[2]


def opencv_forward(x):
    m = onnx.load(ONNX_PATH)
    for d, v in zip(m.graph.input[0].type.tensor_type.shape.dim, x.shape):
        d.ClearField("dim_param")
        d.dim_value = v
    with tempfile.NamedTemporaryFile(suffix=".onnx") as f:
        onnx.save(m, f.name)
        net = cv2.dnn.readNetFromONNX(f.name)
    net.setInput(x)
    return net.forward()


def buffers(desc, n, size_of):
    ds = acl.mdl.create_dataset()
    mems = []
    for i in range(n):
        size = size_of(desc, i)
        mem, ret = acl.rt.malloc(size, 0)
        ok(ret, "malloc")
        acl.mdl.add_dataset_buffer(ds, acl.create_data_buffer(mem, size))
        mems.append((mem, size))
    return ds, mems


def run_gear(c, mid, desc, ins, outs, n):
    x = (np.sin(np.arange(n * 3 * 48 * 192) * 0.0137) * 0.9).astype(np.float32).reshape(n, 3, 48, 192)
    data = x.tobytes()
    ok(acl.rt.memcpy(ins[0][0], ins[0][1], acl.util.bytes_to_ptr(data), len(data), H2D), "memcpy in")
    c.eq("set_dynamic_batch_size %d" % n, acl.mdl.set_dynamic_batch_size(mid, ins_ds[0], 1, n), 0)
    got = np.frombuffer(acl.util.ptr_to_bytes(ins[1][0], ins[1][1]), dtype="<u4")[0]
    c.eq("the shape-data buffer holds %d" % n, int(got), n)
    c.eq("execute with %d images" % n, acl.mdl.execute(mid, ins_ds[0], outs_ds[0]), 0)
    dims, ret = acl.mdl.get_cur_output_dims(desc, 0)
    c.eq("get_cur_output_dims after gear %d" % n, (dims.get("dims"), ret), ([n, 2], 0))
    y = np.frombuffer(acl.util.ptr_to_bytes(outs[0][0], n * 2 * 4), dtype="<f4").reshape(n, 2)
    diff = float(np.abs(y - opencv_forward(x)).max())
    print("   gear %d: max |diff| vs OpenCV %.3g" % (n, diff))
    c.true("gear %d within 1e-4 of OpenCV (%.3g)" % (n, diff), diff <= 1e-4)


ins_ds, outs_ds = [None], [None]


def model(c):
    mid, ret = acl.mdl.load_from_file(OM_PATH)
    ok(ret, "load_from_file")
    desc = acl.mdl.create_desc()
    ok(acl.mdl.get_desc(desc, mid), "get_desc")
    c.eq("get_dynamic_batch", acl.mdl.get_dynamic_batch(desc), ({"batchCount": 3, "batch": [1, 2, 4]}, 0))
    c.eq("get_dynamic_hw of a batch model", acl.mdl.get_dynamic_hw(desc, -1), ({"hwCount": 0, "hw": []}, 0))
    c.eq("the shape-data input, by name", acl.mdl.get_input_index_by_name(desc, "ascend_mbatch_shape_data"), (1, 0))
    c.eq("get_input_dims: -1 at the batch dim", acl.mdl.get_input_dims(desc, 0)[0]["dims"], [-1, 3, 48, 192])
    c.eq("get_cur_output_dims before any gear: the largest", acl.mdl.get_cur_output_dims(desc, 0)[0]["dims"],
         [4, 2])
    ins_ds[0], ins = buffers(desc, acl.mdl.get_num_inputs(desc), acl.mdl.get_input_size_by_index)
    outs_ds[0], outs = buffers(desc, acl.mdl.get_num_outputs(desc), acl.mdl.get_output_size_by_index)
    c.eq("set_dynamic_batch_size 3 (not a gear)", acl.mdl.set_dynamic_batch_size(mid, ins_ds[0], 1, 3),
         BATCH_SIZE_INVALID)
    for n in (1, 2, 4):
        run_gear(c, mid, desc, ins, outs, n)
    for ds, mems in ((ins_ds[0], ins), (outs_ds[0], outs)):
        for i, (mem, _) in enumerate(mems):
            acl.destroy_data_buffer(acl.mdl.get_dataset_buffer(ds, i))
            acl.rt.free(mem)
        acl.mdl.destroy_dataset(ds)
    acl.mdl.destroy_desc(desc)
    ok(acl.mdl.unload(mid), "unload")


def main():
    c = Checker()
    ok(acl.init(), "init")
    ok(acl.rt.set_device(0), "set_device")
    c.case("dynamic batch: gears, -1 dims, set_dynamic_batch_size, every gear against OpenCV", model)
    ok(acl.rt.reset_device(0), "reset_device")
    ok(acl.finalize(), "finalize")
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
