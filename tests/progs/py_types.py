"""py_types.py - argument checking and the conversions of the acl module.

    py_types.py MODEL.om

Cases: the module's layout (submodules as attributes and in sys.modules);
arguments of the wrong type raise TypeError naming the function and the
argument; wrong argument counts raise TypeError; integers out of their C
type's range return the failure value without calling AscendCL; NULL
handles return error codes; numpy integers are accepted; the address
conversions of acl.util (views, copies); the runtime, model and dataset
calls' result shapes; a large copy through acl.rt.memcpy.
"""

import os
import sys

import acl
import numpy as np
from py_testlib import Checker, ok

INVALID_PARAM = 100000
FAILED_MODEL_ID = 2**64 - 1
MODEL = sys.argv[1]


def layout(c):
    import importlib

    for name in ("rt", "mdl", "prof", "util"):
        sub = getattr(acl, name)
        c.eq("acl.%s.__name__" % name, sub.__name__, "acl." + name)
        c.true("sys.modules['acl.%s'] is acl.%s" % (name, name), sys.modules.get("acl." + name) is sub)
        c.true("import acl.%s" % name, importlib.import_module("acl." + name) is sub)
    from acl import prof, rt

    c.true("from acl import prof, rt", prof is acl.prof and rt is acl.rt)

    for name in ("init", "finalize", "create_data_buffer", "destroy_data_buffer", "get_data_buffer_addr",
                 "get_data_buffer_size_v2"):
        c.true("acl.%s is missing" % name, callable(getattr(acl, name, None)))
    wanted = {
        "rt": "set_device reset_device create_context destroy_context set_context get_context create_stream "
              "destroy_stream synchronize_stream malloc free malloc_host free_host memcpy memcpy_async get_run_mode",
        "mdl": "load_from_file load_from_mem load_from_file_with_mem query_size unload execute execute_async "
               "create_desc destroy_desc get_desc get_num_inputs get_num_outputs get_input_size_by_index "
               "get_output_size_by_index get_input_dims get_output_dims create_dataset destroy_dataset "
               "add_dataset_buffer get_dataset_num_buffers get_dataset_buffer",
        "prof": "create_subscribe_config destroy_subscribe_config model_subscribe model_un_subscribe "
                "model_unsubscribe get_op_desc_size get_op_num get_op_type_len get_op_type get_op_type_v2 "
                "get_op_name_len get_op_name get_op_name_v2 get_op_start get_op_end get_op_duration get_model_id",
        "util": "start_thread stop_thread numpy_to_ptr bytes_to_ptr ptr_to_numpy ptr_to_bytes",
    }
    for sub, names in wanted.items():
        for name in names.split():
            c.true("acl.%s.%s is missing" % (sub, name), callable(getattr(getattr(acl, sub), name, None)))


def type_errors(c):
    cases = [
        ("acl.init", acl.init, (5,), "config_path"),
        ("acl.create_data_buffer", acl.create_data_buffer, ("ptr", 4), "ptr"),
        ("acl.destroy_data_buffer", acl.destroy_data_buffer, (None,), "data_buffer"),
        ("acl.rt.set_device", acl.rt.set_device, ("0",), "device_id"),
        ("acl.rt.create_context", acl.rt.create_context, (0.0,), "device_id"),
        ("acl.rt.malloc", acl.rt.malloc, (1024, "huge"), "policy"),
        ("acl.rt.memcpy", acl.rt.memcpy, (0, 4, b"abcd", 4, 1), "src"),
        ("acl.rt.synchronize_stream", acl.rt.synchronize_stream, ([],), "stream"),
        ("acl.mdl.load_from_file", acl.mdl.load_from_file, (123,), "model_path"),
        ("acl.mdl.execute", acl.mdl.execute, ("1", 0, 0), "model_id"),
        ("acl.mdl.get_input_dims", acl.mdl.get_input_dims, (0, 1.0), "index"),
        ("acl.mdl.add_dataset_buffer", acl.mdl.add_dataset_buffer, (0, object()), "data_buffer"),
        ("acl.prof.create_subscribe_config", acl.prof.create_subscribe_config, (1, 0xFF, "3"), "fd"),
        ("acl.prof.model_subscribe", acl.prof.model_subscribe, (1, None), "subscribe_config"),
        ("acl.prof.get_op_num", acl.prof.get_op_num, (b"x", 512), "op_info"),
        ("acl.prof.get_op_type", acl.prof.get_op_type, (0, 512, 0, "65"), "buf_len"),
        ("acl.prof.get_op_name_v2", acl.prof.get_op_name_v2, (0, 512, None), "index"),
        ("acl.prof.get_model_id", acl.prof.get_model_id, (0, 512.0, 0), "op_info_len"),
        ("acl.util.numpy_to_ptr", acl.util.numpy_to_ptr, ([1, 2],), "array"),
        ("acl.util.bytes_to_ptr", acl.util.bytes_to_ptr, ("text",), "data"),
        ("acl.util.ptr_to_numpy", acl.util.ptr_to_numpy, (0, 4, 11), "shape"),
        ("acl.util.ptr_to_bytes", acl.util.ptr_to_bytes, (0, "4"), "size"),
        ("acl.util.stop_thread", acl.util.stop_thread, (1.5,), "thread_id"),
    ]
    for name, func, args, arg in cases:
        c.raises("%s%r" % (name, args), TypeError, func, *args, needle="%s(): argument" % name)
        c.raises("%s%r names the argument" % (name, args), TypeError, func, *args, needle="(%s)" % arg)
    c.raises("acl.rt.memcpy with 2 arguments", TypeError, acl.rt.memcpy, 1, 2, needle="acl.rt.memcpy()")
    c.raises("acl.mdl.create_desc with an argument", TypeError, acl.mdl.create_desc, 1, needle="acl.mdl.create_desc")
    c.raises("acl.prof.get_op_desc_size with an argument", TypeError, acl.prof.get_op_desc_size, 0)
    c.raises("acl.rt.malloc(size=...)", TypeError, lambda: acl.rt.malloc(size=4, policy=0))
    c.raises("a path with a NUL byte", ValueError, acl.mdl.load_from_file, "a\0b")


def out_of_range(c):
    c.eq("acl.rt.malloc(-1, 0)", acl.rt.malloc(-1, 0), (0, INVALID_PARAM))
    c.eq("acl.rt.malloc(2**64, 0)", acl.rt.malloc(2**64, 0), (0, INVALID_PARAM))
    c.eq("acl.rt.malloc(16, 2**40)", acl.rt.malloc(16, 2**40), (0, INVALID_PARAM))
    c.eq("acl.rt.malloc_host(-5)", acl.rt.malloc_host(-5), (0, INVALID_PARAM))
    c.eq("acl.rt.set_device(2**31)", acl.rt.set_device(2**31), INVALID_PARAM)
    c.eq("acl.rt.create_context(-2**40)", acl.rt.create_context(-2**40), (0, INVALID_PARAM))
    c.eq("acl.rt.memcpy(..., count=-1, ...)", acl.rt.memcpy(1, 4, 1, -1, 1), INVALID_PARAM)
    c.eq("acl.rt.memcpy(dst=-8, ...)", acl.rt.memcpy(-8, 4, 1, 4, 1), INVALID_PARAM)
    c.eq("acl.create_data_buffer(0, -1)", acl.create_data_buffer(0, -1), 0)
    c.eq("acl.mdl.load_from_mem(0, -1)", acl.mdl.load_from_mem(0, -1), (0, INVALID_PARAM))
    c.eq("acl.mdl.unload(-1)", acl.mdl.unload(-1), INVALID_PARAM)
    c.eq("acl.mdl.execute(2**32, 0, 0)", acl.mdl.execute(2**32, 0, 0), INVALID_PARAM)
    c.eq("acl.mdl.get_dataset_buffer(1, -1)", acl.mdl.get_dataset_buffer(1, -1), 0)
    c.eq("acl.prof.get_op_num(0, -1)", acl.prof.get_op_num(0, -1), (0, INVALID_PARAM))
    c.eq("acl.prof.get_model_id(0, 512, -1)", acl.prof.get_model_id(0, 512, -1), FAILED_MODEL_ID)
    c.eq("acl.prof.get_op_start(-1, 512, 0)", acl.prof.get_op_start(-1, 512, 0), 0)
    c.eq("acl.prof.create_subscribe_config(1, 2**40, 1)", acl.prof.create_subscribe_config(1, 2**40, 1), 0)


def null_handles(c):
    c.eq("acl.destroy_data_buffer(0)", acl.destroy_data_buffer(0), INVALID_PARAM)
    c.eq("acl.get_data_buffer_addr(0)", acl.get_data_buffer_addr(0), 0)
    c.eq("acl.get_data_buffer_size_v2(0)", acl.get_data_buffer_size_v2(0), 0)
    c.eq("acl.mdl.destroy_desc(0)", acl.mdl.destroy_desc(0), INVALID_PARAM)
    c.eq("acl.mdl.get_desc(0, 1)", acl.mdl.get_desc(0, 1), INVALID_PARAM)
    c.eq("acl.mdl.get_num_inputs(0)", acl.mdl.get_num_inputs(0), 0)
    c.eq("acl.mdl.get_num_outputs(0)", acl.mdl.get_num_outputs(0), 0)
    c.eq("acl.mdl.get_input_size_by_index(0, 0)", acl.mdl.get_input_size_by_index(0, 0), 0)
    c.eq("acl.mdl.get_output_dims(0, 0)", acl.mdl.get_output_dims(0, 0),
         ({"name": "", "dimCount": 0, "dims": []}, INVALID_PARAM))
    c.eq("acl.mdl.destroy_dataset(0)", acl.mdl.destroy_dataset(0), INVALID_PARAM)
    c.eq("acl.mdl.add_dataset_buffer(0, 0)", acl.mdl.add_dataset_buffer(0, 0), (0, INVALID_PARAM))
    c.eq("acl.mdl.get_dataset_num_buffers(0)", acl.mdl.get_dataset_num_buffers(0), 0)
    c.eq("acl.mdl.get_dataset_buffer(0, 0)", acl.mdl.get_dataset_buffer(0, 0), 0)
    c.eq("acl.rt.free(0)", acl.rt.free(0), INVALID_PARAM)
    c.eq("acl.rt.free_host(0)", acl.rt.free_host(0), INVALID_PARAM)
    c.eq("acl.rt.destroy_stream(0)", acl.rt.destroy_stream(0), INVALID_PARAM)
    c.eq("acl.rt.destroy_context(0)", acl.rt.destroy_context(0), INVALID_PARAM)
    c.true("acl.mdl.execute(unknown model, 0, 0) succeeded", acl.mdl.execute(999999, 0, 0) != 0)
    c.true("acl.mdl.load_from_file(missing file) succeeded", acl.mdl.load_from_file("/nonexistent.om")[1] != 0)
    c.eq("acl.mdl.query_size(missing file) values", acl.mdl.query_size("/nonexistent.om")[:2], (0, 0))


def conversions(c):
    src = np.arange(12, dtype=np.float32)
    p = acl.util.numpy_to_ptr(src)
    c.eq("numpy_to_ptr is the data address", p, src.ctypes.data)
    view = acl.util.ptr_to_numpy(p, (3, 4), 11)  # NPY_FLOAT32
    c.eq("ptr_to_numpy shape and dtype", (view.shape, view.dtype), ((3, 4), np.dtype(np.float32)))
    c.true("ptr_to_numpy values", np.array_equal(view.ravel(), src))
    view[1, 1] = 99.0
    c.eq("ptr_to_numpy is a view (write through)", float(src[5]), 99.0)
    c.true("ptr_to_numpy does not own its memory", not view.flags.owndata)
    v8 = acl.util.ptr_to_numpy(p, [48], 2)  # NPY_UINT8, shape as a list
    c.eq("ptr_to_numpy as uint8", v8.tobytes(), src.tobytes())
    copy = acl.util.ptr_to_bytes(p, 8)
    src[0] = 5.0
    c.eq("ptr_to_bytes is a copy", copy, np.array([0, 1], dtype=np.float32).tobytes())
    c.eq("ptr_to_bytes(0, 0)", acl.util.ptr_to_bytes(0, 0), b"")
    c.raises("ptr_to_bytes(0, 4)", ValueError, acl.util.ptr_to_bytes, 0, 4)
    c.raises("ptr_to_bytes(p, -1)", ValueError, acl.util.ptr_to_bytes, p, -1)
    c.raises("ptr_to_numpy(0, ...)", ValueError, acl.util.ptr_to_numpy, 0, (4,), 11)
    c.raises("ptr_to_numpy(..., type 9999)", ValueError, acl.util.ptr_to_numpy, p, (4,), 9999)
    c.raises("ptr_to_numpy(..., NPY_STRING)", ValueError, acl.util.ptr_to_numpy, p, (4,), 18)
    c.raises("ptr_to_numpy(..., shape (-1,))", ValueError, acl.util.ptr_to_numpy, p, (-1,), 11)
    b = b"hello, world"
    c.eq("bytes_to_ptr", acl.util.ptr_to_bytes(acl.util.bytes_to_ptr(b), len(b)), b)
    ba = bytearray(b"abc")
    c.eq("bytes_to_ptr(bytearray)", acl.util.ptr_to_bytes(acl.util.bytes_to_ptr(ba), 3), b"abc")
    # The seed's 0-d bytes array.
    arr = np.array(b"\x01\x02\x03\x00\x05")
    c.eq("0-d 'S' array: itemsize * size", arr.itemsize * arr.size, 5)
    c.eq("0-d 'S' array: numpy_to_ptr", acl.util.ptr_to_bytes(acl.util.numpy_to_ptr(arr), 5), b"\x01\x02\x03\x00\x05")
    c.eq("numpy integers are accepted", acl.rt.malloc(np.int64(-1), np.int32(0)), (0, INVALID_PARAM))


def runtime_calls(c):
    ok(acl.init(), "init")
    c.eq("acl.init again", acl.init(), 100002)  # ACL_ERROR_REPEAT_INITIALIZE
    ok(acl.rt.set_device(0), "set_device")
    ctx, ret = acl.rt.create_context(0)
    c.true("create_context", ret == 0 and ctx != 0)
    c.eq("get_context", acl.rt.get_context(), (ctx, 0))
    c.eq("set_context", acl.rt.set_context(ctx), 0)
    mode, ret = acl.rt.get_run_mode()
    c.eq("get_run_mode", (mode in (0, 1), ret), (True, 0))
    stream, ret = acl.rt.create_stream()
    c.true("create_stream", ret == 0 and stream != 0)

    size = 4 << 20  # a large copy: the GIL is released
    host, ret = acl.rt.malloc_host(size)
    c.true("malloc_host", ret == 0 and host != 0)
    dev, ret = acl.rt.malloc(size, 0)
    c.true("malloc", ret == 0 and dev != 0)
    data = os.urandom(size)
    c.eq("memcpy host to host", acl.rt.memcpy(host, size, acl.util.bytes_to_ptr(data), size, 0), 0)
    c.eq("memcpy host to device", acl.rt.memcpy(dev, size, host, size, 1), 0)
    back = np.zeros(size, dtype=np.uint8)
    c.eq("memcpy_async device to host", acl.rt.memcpy_async(acl.util.numpy_to_ptr(back), size, dev, size, 2, stream), 0)
    c.eq("synchronize_stream", acl.rt.synchronize_stream(stream), 0)
    c.true("the bytes came back", back.tobytes() == data)
    c.true("memcpy with count > dst_max fails", acl.rt.memcpy(dev, 4, host, 8, 1) != 0)

    mid, ret = acl.mdl.load_from_file(MODEL)
    c.eq("load_from_file ret", ret, 0)
    work, weight, ret = acl.mdl.query_size(MODEL)
    c.true("query_size", ret == 0 and work > 0 and weight > 0)
    desc = acl.mdl.create_desc()
    c.eq("get_desc", acl.mdl.get_desc(desc, mid), 0)
    dims, ret = acl.mdl.get_input_dims(desc, 0)
    c.eq("get_input_dims", (dims, ret), ({"name": "image", "dimCount": 4, "dims": [1, 3, 32, 32]}, 0))
    c.eq("get_input_size_by_index", acl.mdl.get_input_size_by_index(desc, 0), 4 * 3 * 32 * 32)
    c.eq("get_input_dims(out of range)", acl.mdl.get_input_dims(desc, 5)[1] != 0, True)
    buf = acl.create_data_buffer(dev, 12288)
    c.eq("get_data_buffer_addr", acl.get_data_buffer_addr(buf), dev)
    c.eq("get_data_buffer_size_v2", acl.get_data_buffer_size_v2(buf), 12288)
    ds = acl.mdl.create_dataset()
    c.eq("add_dataset_buffer", acl.mdl.add_dataset_buffer(ds, buf), (ds, 0))
    c.eq("get_dataset_num_buffers", acl.mdl.get_dataset_num_buffers(ds), 1)
    c.eq("get_dataset_buffer", acl.mdl.get_dataset_buffer(ds, 0), buf)
    c.eq("get_dataset_buffer(1)", acl.mdl.get_dataset_buffer(ds, 1), 0)
    outsz = acl.mdl.get_output_size_by_index(desc, 0)
    odev, _ = acl.rt.malloc(outsz, 0)
    obuf = acl.create_data_buffer(odev, outsz)
    ods = acl.mdl.create_dataset()
    acl.mdl.add_dataset_buffer(ods, obuf)
    c.eq("execute_async", acl.mdl.execute_async(mid, ds, ods, stream), 0)
    c.eq("synchronize_stream", acl.rt.synchronize_stream(stream), 0)
    c.eq("execute", acl.mdl.execute(mid, ds, ods), 0)
    c.eq("unload", acl.mdl.unload(mid), 0)
    c.eq("unload again", acl.mdl.unload(mid), 100011)

    # Loading from memory and with caller-provided memory.
    with open(MODEL, "rb") as f:
        blob = f.read()
    mid2, ret = acl.mdl.load_from_mem(acl.util.bytes_to_ptr(blob), len(blob))
    c.eq("load_from_mem", ret, 0)
    c.eq("unload", acl.mdl.unload(mid2), 0)
    wk, _ = acl.rt.malloc(work, 0)
    wt, _ = acl.rt.malloc(weight, 0)
    mid3, ret = acl.mdl.load_from_file_with_mem(MODEL, wk, work, wt, weight)
    c.eq("load_from_file_with_mem", ret, 0)
    c.eq("execute (with memory)", acl.mdl.execute(mid3, ds, ods), 0)
    c.eq("unload", acl.mdl.unload(mid3), 0)
    c.eq("load_from_file_with_mem(path, 0, -1, ...)", acl.mdl.load_from_file_with_mem(MODEL, 0, -1, 0, 0),
         (0, INVALID_PARAM))

    for d in (ds, ods):
        c.eq("destroy_dataset", acl.mdl.destroy_dataset(d), 0)
    for b in (buf, obuf):
        c.eq("destroy_data_buffer", acl.destroy_data_buffer(b), 0)
    for p in (dev, odev, wk, wt):
        c.eq("free", acl.rt.free(p), 0)
    c.eq("free_host", acl.rt.free_host(host), 0)
    c.eq("destroy_desc", acl.mdl.destroy_desc(desc), 0)
    c.eq("destroy_stream", acl.rt.destroy_stream(stream), 0)
    c.eq("destroy_context", acl.rt.destroy_context(ctx), 0)
    c.eq("reset_device", acl.rt.reset_device(0), 0)
    c.eq("finalize", acl.finalize(), 0)


def main():
    c = Checker()
    c.case("module layout: acl.rt/mdl/prof/util attributes, in sys.modules, every function present", layout)
    c.case("wrong argument types raise TypeError naming the function and the argument", type_errors)
    c.case("out-of-range integers return the failure value without calling AscendCL", out_of_range)
    c.case("NULL handles return error codes", null_handles)
    c.case("acl.util conversions: views, copies, the seed's 0-d bytes array", conversions)
    c.case("runtime, model and dataset calls: result shapes and values", runtime_calls)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
