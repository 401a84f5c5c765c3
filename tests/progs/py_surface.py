"""py_surface.py - the acl module's surface beyond subscription.

    py_surface.py MODEL.om

Cases: fp16 conversions against numpy.float16 over the finite range and
against the vendor's saturating rules beyond it; tensor descriptions;
get_soc_name, app_log (the line itself is checked on stderr by
check_pyacl.sh), get_data_buffer_size; numpy_contiguous_to_ptr (the
deprecation warning, the contiguous copy, ValueError); the model calls by
name, data types, current output dims and the dynamic-gear calls on a
static model; host callbacks: the Python function runs on the thread that
subscribed the stream, after the tasks queued before it, with its one
argument; process_report's codes and that it releases the GIL while it
waits.  Expected values come from pyACL's and AscendCL's documented
behaviour and from numpy, never from the module itself.
"""

import sys
import threading
import time
import warnings

import acl
import numpy as np
from py_testlib import Checker, ok

INVALID_PARAM = 100000
RT_PARAM_INVALID = 107000
THREAD_SUBSCRIBE = 107012
STREAM_NO_CB_REG = 107015
REPORT_TIMEOUT = 507012
BATCH_SIZE_INVALID = 145013
ACL_FLOAT, ACL_FLOAT16 = 0, 1
NCHW, ND = 0, 2
MEMCPY_HOST_TO_HOST = 0
MODEL = sys.argv[1]


def fp16(c):
    halves = np.arange(0x10000, dtype=np.uint32)
    finite = halves[(halves & 0x7C00) != 0x7C00]
    want = finite.astype(np.uint16).view(np.float16).astype(np.float64)
    got = np.array([acl.float16_to_float(int(h)) for h in finite])
    c.eq("float16_to_float differs from numpy.float16 at", [hex(int(h)) for h in finite[got != want]][:5], [])
    # Beyond the finite range the vendor converts without Inf/NaN.
    c.eq("float16_to_float(0x7C00)", acl.float16_to_float(0x7C00), 65536.0)
    c.eq("float16_to_float(0xFC00)", acl.float16_to_float(0xFC00), -65536.0)
    c.eq("float16_to_float(0x7E00)", acl.float16_to_float(0x7E00), 98304.0)
    rng = np.random.default_rng(7)
    xs = np.concatenate([rng.uniform(-65504, 65504, 4000), rng.uniform(-1, 1, 4000) * 2.0 ** -14,
                         rng.uniform(-2, 2, 4000)]).astype(np.float32)
    want16 = xs.astype(np.float16)
    keep = np.isfinite(want16)  # numpy rounds past 65504 to inf; the vendor saturates (below)
    want_bits = want16[keep].view(np.uint16)
    got_bits = np.array([acl.float_to_float16(float(x)) for x in xs[keep]], dtype=np.uint16)
    c.eq("float_to_float16 differs from numpy.float16 for", [float(x) for x in xs[keep][got_bits != want_bits]][:5],
         [])
    for x, bits in ((float("inf"), 0x7BFF), (float("-inf"), 0xFBFF), (float("nan"), 0x7BFF), (1e6, 0x7BFF),
                    (-1e6, 0xFBFF), (65520.0, 0x7BFF), (65504.0, 0x7BFF)):
        c.eq("float_to_float16(%r)" % x, acl.float_to_float16(x), bits)


def tensor_desc(c):
    d = acl.create_tensor_desc(ACL_FLOAT16, [1, 3, 224, 224], NCHW)
    c.true("create_tensor_desc returned 0", d != 0)
    c.eq("type", acl.get_tensor_desc_type(d), ACL_FLOAT16)
    c.eq("format", acl.get_tensor_desc_format(d), NCHW)
    c.eq("num_dims", acl.get_tensor_desc_num_dims(d), 4)
    c.eq("element_count", acl.get_tensor_desc_element_count(d), 3 * 224 * 224)
    c.eq("size", acl.get_tensor_desc_size(d), 2 * 3 * 224 * 224)
    c.eq("dim_v2(3)", acl.get_tensor_desc_dim_v2(d, 3), (224, 0))
    c.eq("dim_v2(4)", acl.get_tensor_desc_dim_v2(d, 4), (0, INVALID_PARAM))
    acl.destroy_tensor_desc(d)
    s = acl.create_tensor_desc(ACL_FLOAT, [], ND)
    c.eq("a scalar's element count", acl.get_tensor_desc_element_count(s), 1)
    acl.destroy_tensor_desc(s)
    c.eq("type of 0", acl.get_tensor_desc_type(0), -1)


def base(c):
    c.eq("get_soc_name", acl.get_soc_name(), "Ascend310P3")
    c.eq("app_log returns", acl.app_log(3, "py-app-log-msg 42"), None)
    c.raises("app_log of bytes", TypeError, acl.app_log, 3, b"x", needle="message")
    buf = acl.create_data_buffer(0x1000, 1234)
    c.eq("get_data_buffer_size", acl.get_data_buffer_size(buf), 1234)
    c.eq("get_data_buffer_size(0)", acl.get_data_buffer_size(0), 0)
    ok(acl.destroy_data_buffer(buf), "destroy_data_buffer")


def contiguous(c):
    a = np.arange(24, dtype=np.float32).reshape(4, 6)[:, ::2]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ptr, arr = acl.util.numpy_contiguous_to_ptr(a)
    c.true("no deprecation warning", any("will be deprecated" in str(x.message) for x in w))
    c.true("the array returned is not C-contiguous", arr.flags["C_CONTIGUOUS"])
    c.true("the array returned differs", np.array_equal(arr, a))
    c.eq("the address is the returned array's", ptr, arr.ctypes.data)
    b = np.ones(8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ptr, same = acl.util.numpy_contiguous_to_ptr(b)
        c.eq("a contiguous array's own address", ptr, b.ctypes.data)
        c.raises("a list", ValueError, acl.util.numpy_contiguous_to_ptr, [1, 2], needle="needs an ndarray")


def model(c):
    mid, ret = acl.mdl.load_from_file(MODEL)
    ok(ret, "load_from_file")
    desc = acl.mdl.create_desc()
    ok(acl.mdl.get_desc(desc, mid), "get_desc")
    name = acl.mdl.get_input_dims(desc, 0)[0]["name"]
    c.eq("get_input_index_by_name", acl.mdl.get_input_index_by_name(desc, name), (0, 0))
    c.eq("the dynamic-gear input of a static model", acl.mdl.get_input_index_by_name(desc, "ascend_mbatch_shape_data"),
         (0, INVALID_PARAM))
    c.raises("a name of bytes", TypeError, acl.mdl.get_input_index_by_name, desc, b"x", needle="name")
    c.eq("get_input_data_type (cnn.txt: float)", acl.mdl.get_input_data_type(desc, 0), ACL_FLOAT)
    c.eq("get_output_data_type", acl.mdl.get_output_data_type(desc, 0), ACL_FLOAT)
    c.eq("get_input_format (4 dims)", acl.mdl.get_input_format(desc, 0), NCHW)
    c.eq("get_cur_output_dims", acl.mdl.get_cur_output_dims(desc, 0), acl.mdl.get_output_dims(desc, 0))
    c.eq("get_cur_output_dims out of range", acl.mdl.get_cur_output_dims(desc, 99), ({}, INVALID_PARAM))
    c.eq("get_dynamic_batch", acl.mdl.get_dynamic_batch(desc), ({"batchCount": 0, "batch": []}, 0))
    c.eq("get_dynamic_hw", acl.mdl.get_dynamic_hw(desc, -1), ({"hwCount": 0, "hw": []}, 0))
    c.eq("get_dynamic_batch(0)", acl.mdl.get_dynamic_batch(0), ({}, INVALID_PARAM))
    mem, ret = acl.rt.malloc(16, 0)
    ok(ret, "malloc")
    ds = acl.mdl.create_dataset()
    b = acl.create_data_buffer(mem, 16)
    acl.mdl.add_dataset_buffer(ds, b)
    c.eq("set_dynamic_batch_size", acl.mdl.set_dynamic_batch_size(mid, ds, 0, 8), BATCH_SIZE_INVALID)
    c.eq("set_dynamic_batch_size of 0", acl.mdl.set_dynamic_batch_size(mid, ds, 0, 0), INVALID_PARAM)
    c.eq("set_dynamic_hw_size", acl.mdl.set_dynamic_hw_size(mid, ds, 0, 224, 224), BATCH_SIZE_INVALID)
    acl.destroy_data_buffer(b)
    acl.mdl.destroy_dataset(ds)
    acl.rt.free(mem)
    acl.mdl.destroy_desc(desc)
    ok(acl.mdl.unload(mid), "unload")


class Processor:
    """A thread started by acl.util.start_thread that calls process_report(50) until stopped."""

    def __init__(self):
        self.stop = False
        self.codes = set()
        self.tid, ret = acl.util.start_thread(self.loop, [])
        ok(ret, "start_thread")

    def loop(self, _args):
        while not self.stop:
            r = acl.rt.process_report(50)
            self.codes.add(r)
            if r == THREAD_SUBSCRIBE:
                time.sleep(0.001)

    def end(self):
        self.stop = True
        ok(acl.util.stop_thread(self.tid), "stop_thread")


def wait_for(cond, seconds=5.0):
    end = time.monotonic() + seconds
    while not cond() and time.monotonic() < end:
        time.sleep(0.002)
    return cond()


def callbacks(c):
    stream, ret = acl.rt.create_stream()
    ok(ret, "create_stream")
    seen = []

    def cb(data):
        seen.append((data, threading.get_ident(), bytes(dst)))

    c.eq("launch on an unsubscribed stream", acl.rt.launch_callback(cb, 1, 0, stream), STREAM_NO_CB_REG)
    c.raises("a callback that is not callable", TypeError, acl.rt.launch_callback, 5, 1, 0, stream, needle="callable")
    c.eq("process_report on a thread serving no stream", acl.rt.process_report(100), THREAD_SUBSCRIBE)
    c.eq("process_report(0)", acl.rt.process_report(0), INVALID_PARAM)
    p = Processor()
    c.eq("subscribe_report", acl.rt.subscribe_report(p.tid, stream), 0)
    c.eq("block type 2", acl.rt.launch_callback(cb, 1, 2, stream), INVALID_PARAM)
    src = bytes(range(64)) * 1024
    dst = bytearray(len(src))
    ok(acl.rt.memcpy_async(acl.util.bytes_to_ptr(dst), len(dst), acl.util.bytes_to_ptr(src), len(src),
                           MEMCPY_HOST_TO_HOST, stream), "memcpy_async")
    token = {"k": "user data"}
    c.eq("launch_callback", acl.rt.launch_callback(cb, token, 1, stream), 0)
    ok(acl.rt.synchronize_stream(stream), "synchronize_stream")
    c.true("the callback did not run", wait_for(lambda: len(seen) == 1))
    if seen:
        data, ident, copied = seen[0]
        c.true("the callback got another object than user_data", data is token)
        c.eq("the callback's thread (pthread_t)", ident, p.tid)
        c.true("the callback ran before the copy queued ahead of it was done", copied == src)
    c.eq("unsubscribe_report", acl.rt.unsubscribe_report(p.tid, stream), 0)
    p.end()
    c.eq("process_report codes on the processor", p.codes - {0, REPORT_TIMEOUT, THREAD_SUBSCRIBE}, set())
    ok(acl.rt.destroy_stream(stream), "destroy_stream")


def report_timeout_and_gil(c):
    stream, ret = acl.rt.create_stream()
    ok(ret, "create_stream")
    ok(acl.rt.subscribe_report(threading.get_ident(), stream), "subscribe_report")
    t0 = time.monotonic()
    c.eq("process_report(200) with nothing to do", acl.rt.process_report(200), REPORT_TIMEOUT)
    c.true("process_report(200) returned early", time.monotonic() - t0 >= 0.19)
    # An exception in a callback is printed; process_report still succeeds.
    def boom(_):
        raise ValueError("raised on purpose in a callback (expected)")

    ok(acl.rt.launch_callback(boom, None, 0, stream), "launch_callback")
    ok(acl.rt.synchronize_stream(stream), "synchronize_stream")
    c.eq("process_report running a callback that raises", acl.rt.process_report(2000), 0)
    ok(acl.rt.unsubscribe_report(threading.get_ident(), stream), "unsubscribe_report")
    # While a thread waits in process_report, other Python threads run: had
    # the wait held the GIL, this thread would only get on after it ended.
    result = []
    go = threading.Event()

    def wait_reports():
        go.wait(10)
        result.append(acl.rt.process_report(1500))

    waiter = threading.Thread(target=wait_reports)
    stream2, ret = acl.rt.create_stream()
    ok(ret, "create_stream")
    waiter.start()
    ok(acl.rt.subscribe_report(waiter.ident, stream2), "subscribe_report")
    go.set()
    time.sleep(0.3)
    c.true("the main thread was held while another thread waited in process_report",
           waiter.is_alive() and not result)
    waiter.join(10)
    c.true("the waiting thread did not return", not waiter.is_alive())
    c.eq("process_report(1500) on an idle stream", result, [REPORT_TIMEOUT])
    acl.rt.unsubscribe_report(waiter.ident, stream2)
    ok(acl.rt.destroy_stream(stream2), "destroy_stream")
    ok(acl.rt.destroy_stream(stream), "destroy_stream")


def main():
    c = Checker()
    ok(acl.init(), "init")
    ok(acl.rt.set_device(0), "set_device")
    c.case("fp16 conversions: numpy.float16 over the finite range, saturation beyond", fp16)
    c.case("tensor descriptions", tensor_desc)
    c.case("get_soc_name, app_log, get_data_buffer_size", base)
    c.case("util.numpy_contiguous_to_ptr", contiguous)
    c.case("model: index by name, data types, current dims, dynamic gears on a static model", model)
    c.case("callbacks: on the subscribed thread, after earlier tasks, with user_data", callbacks)
    c.case("process_report: timeout 507012, a raising callback, the GIL released while waiting",
           report_timeout_and_gil)
    ok(acl.rt.reset_device(0), "reset_device")
    ok(acl.finalize(), "finalize")
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
