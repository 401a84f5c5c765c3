"""py_prof.py - acl.prof from Python: every function, with its error returns.

    py_prof.py BUILD TMPDIR

BUILD holds models/cnn.om, models/mlp.om and tests/tool_genstream; TMPDIR is
a scratch directory.  Cases:
  - subscription calls and their error codes;
  - the accessors on records of a real execute (read from the pipe after the
    unsubscribe flushed them): counts, model ids, strings fetched twice in
    every form, times, and the failure values for a bad length, a bad index,
    a NULL pointer, a damaged record, out-of-range arguments;
  - a record stream written by tool_genstream with a 64-byte type, a name
    longer than the sample's 275-byte buffer and a name that is not UTF-8;
  - 1000 subscription configs: the first and the 1000th still deliver to
    their own descriptors.
"""

import os
import subprocess
import sys

import acl
import numpy as np
from py_testlib import Checker, model_ops, ok

INVALID_PARAM = 100000
INVALID_MODEL_ID = 100011
PROF_REPEAT_SUBSCRIBE = 148046
FAILED_MODEL_ID = 2**64 - 1
ACL_AICORE_NONE = 0xFF
ACL_MEM_MALLOC_HUGE_FIRST = 0

BUILD, TMP = sys.argv[1], sys.argv[2]
CNN = os.path.join(BUILD, "models", "cnn.om")
MLP = os.path.join(BUILD, "models", "mlp.om")
GENSTREAM = os.path.join(BUILD, "tests", "tool_genstream")


class Model:
    """A loaded model with device input and output datasets."""

    def __init__(self, path):
        self.id, ret = acl.mdl.load_from_file(path)
        ok(ret, "load_from_file " + path)
        self.desc = acl.mdl.create_desc()
        ok(acl.mdl.get_desc(self.desc, self.id), "get_desc")
        self.bufs = []
        self.inp = self._dataset(acl.mdl.get_num_inputs, acl.mdl.get_input_size_by_index)
        self.out = self._dataset(acl.mdl.get_num_outputs, acl.mdl.get_output_size_by_index)

    def _dataset(self, count, size_of):
        ds = acl.mdl.create_dataset()
        for i in range(count(self.desc)):
            size = size_of(self.desc, i)
            dev, ret = acl.rt.malloc(size, ACL_MEM_MALLOC_HUGE_FIRST)
            ok(ret, "malloc")
            zeros = bytes(size)  # kept alive across the copy: bytes_to_ptr does not hold it
            ok(acl.rt.memcpy(dev, size, acl.util.bytes_to_ptr(zeros), size, 1), "memcpy")
            buf = acl.create_data_buffer(dev, size)
            _, ret = acl.mdl.add_dataset_buffer(ds, buf)
            ok(ret, "add_dataset_buffer")
            self.bufs.append((dev, buf))
        return ds

    def execute(self):
        ok(acl.mdl.execute(self.id, self.inp, self.out), "execute")

    def release(self):
        for dev, buf in self.bufs:
            ok(acl.destroy_data_buffer(buf), "destroy_data_buffer")
            ok(acl.rt.free(dev), "free")
        ok(acl.mdl.destroy_dataset(self.inp), "destroy_dataset")
        ok(acl.mdl.destroy_dataset(self.out), "destroy_dataset")
        ok(acl.mdl.destroy_desc(self.desc), "destroy_desc")
        ok(acl.mdl.unload(self.id), "unload")


def read_all(fd):
    chunks = []
    while True:
        b = os.read(fd, 65536)
        if not b:
            return b"".join(chunks)
        chunks.append(b)


def subscription_errors(c):
    m = Model(CNN)
    r, w = os.pipe()
    cfg = acl.prof.create_subscribe_config(1, ACL_AICORE_NONE, w)
    c.true("create_subscribe_config returned 0", cfg != 0)
    c.eq("create_subscribe_config(2, ...)", acl.prof.create_subscribe_config(2, ACL_AICORE_NONE, w), 0)
    c.eq("create_subscribe_config(300, ...) (out of int8)", acl.prof.create_subscribe_config(300, ACL_AICORE_NONE, w), 0)
    c.eq("create_subscribe_config(1, ..., 2**40) (fd out of int)",
         acl.prof.create_subscribe_config(1, ACL_AICORE_NONE, 2**40), 0)
    c.eq("model_subscribe(unknown model)", acl.prof.model_subscribe(999999, cfg), INVALID_MODEL_ID)
    c.eq("model_subscribe(unknown model, NULL config)", acl.prof.model_subscribe(999999, 0), INVALID_MODEL_ID)
    c.eq("model_subscribe(model, NULL config)", acl.prof.model_subscribe(m.id, 0), INVALID_PARAM)
    c.eq("model_subscribe(-1, ...)", acl.prof.model_subscribe(-1, cfg), INVALID_PARAM)
    c.eq("model_subscribe", acl.prof.model_subscribe(m.id, cfg), 0)
    c.eq("model_subscribe again", acl.prof.model_subscribe(m.id, cfg), PROF_REPEAT_SUBSCRIBE)
    c.eq("model_unsubscribe(never subscribed)", acl.prof.model_unsubscribe(999999), INVALID_MODEL_ID)
    c.eq("model_un_subscribe(-5)", acl.prof.model_un_subscribe(-5), INVALID_PARAM)
    m.execute()
    c.eq("model_unsubscribe", acl.prof.model_unsubscribe(m.id), 0)
    data = read_all(r)  # the unsubscribe closed the write end
    os.close(r)
    c.eq("bytes after one execute", len(data), 512 * (len(model_ops("models/cnn.txt")) + 1))
    c.eq("destroy_subscribe_config", acl.prof.destroy_subscribe_config(cfg), 0)
    c.eq("destroy_subscribe_config(0)", acl.prof.destroy_subscribe_config(0), INVALID_PARAM)
    c.eq("destroy_subscribe_config(-1)", acl.prof.destroy_subscribe_config(-1), INVALID_PARAM)
    m.release()


def capture(path, executes):
    """(model id, the records of EXECUTES executes of the model at PATH)."""
    m = Model(path)
    r, w = os.pipe()
    cfg = acl.prof.create_subscribe_config(1, ACL_AICORE_NONE, w)
    ok(acl.prof.model_subscribe(m.id, cfg), "model_subscribe")
    for _ in range(executes):
        m.execute()
    ok(acl.prof.model_un_subscribe(m.id), "model_un_subscribe")
    data = read_all(r)
    os.close(r)
    ok(acl.prof.destroy_subscribe_config(cfg), "destroy_subscribe_config")
    mid = m.id
    m.release()
    return mid, data


def accessors(c):
    mid, data = capture(CNN, 1)
    ops = model_ops("models/cnn.txt") + [("keypoint_op", "na")]
    # The seed's way: a 0-d numpy array of the bytes, and its address.
    arr = np.array(data)
    ptr = acl.util.numpy_to_ptr(arr)
    n = arr.itemsize * arr.size
    c.eq("numpy array size", n, len(data))
    c.eq("numpy_to_ptr / bytes_to_ptr see the same bytes", acl.util.ptr_to_bytes(ptr, n), data)
    c.eq("get_op_desc_size", acl.prof.get_op_desc_size(), (512, 0))
    c.eq("get_op_num", acl.prof.get_op_num(ptr, n), (len(ops), 0))
    for i, (name, typ) in enumerate(ops):
        c.eq("get_model_id %d" % i, acl.prof.get_model_id(ptr, n, i), mid)
        for rnd in (1, 2):  # every string can be fetched again
            c.eq("get_op_type_len %d (%d)" % (i, rnd), acl.prof.get_op_type_len(ptr, n, i),
                 (len(typ.encode()) + 1, 0))
            c.eq("get_op_name_len %d (%d)" % (i, rnd), acl.prof.get_op_name_len(ptr, n, i),
                 (len(name.encode()) + 1, 0))
            c.eq("get_op_type(65) %d (%d)" % (i, rnd), acl.prof.get_op_type(ptr, n, i, 65), (typ, 0))
            c.eq("get_op_name(275) %d (%d)" % (i, rnd), acl.prof.get_op_name(ptr, n, i, 275), (name, 0))
            c.eq("get_op_type_v2 %d (%d)" % (i, rnd), acl.prof.get_op_type_v2(ptr, n, i), (typ, 0))
            c.eq("get_op_name_v2 %d (%d)" % (i, rnd), acl.prof.get_op_name_v2(ptr, n, i), (name, 0))
        # A buffer one byte short fails instead of truncating; an exact one works.
        c.eq("get_op_name(len) %d" % i, acl.prof.get_op_name(ptr, n, i, len(name) + 1), (name, 0))
        c.eq("get_op_name(len - 1) %d" % i, acl.prof.get_op_name(ptr, n, i, len(name)), ("", INVALID_PARAM))
        c.eq("get_op_type(0) %d" % i, acl.prof.get_op_type(ptr, n, i, 0), ("", INVALID_PARAM))
        start, end = acl.prof.get_op_start(ptr, n, i), acl.prof.get_op_end(ptr, n, i)
        dur = acl.prof.get_op_duration(ptr, n, i)
        c.true("record %d: start %d < end %d, duration %d = end - start > 0" % (i, start, end, dur),
               0 < start < end and dur == end - start)
    # The same bytes through bytes_to_ptr, one record at a time.
    bptr = acl.util.bytes_to_ptr(data)
    c.eq("get_op_num on one record at an offset", acl.prof.get_op_num(bptr + 512 * 3, 512), (1, 0))
    c.eq("get_op_type_v2 at an offset", acl.prof.get_op_type_v2(bptr + 512 * 3, 512, 0), (ops[3][1], 0))

    # Failures: a length that is not a multiple of the record size, zero, a
    # NULL pointer, an index out of range, a negative index, a damaged record.
    bad = [("length - 1", ptr, n - 1, 0), ("length 0", ptr, 0, 0), ("NULL pointer", 0, n, 0),
           ("index = number of records", ptr, n, len(ops)), ("index 2**31", ptr, n, 2**31),
           ("index -1", ptr, n, -1), ("index 2**32", ptr, n, 2**32), ("length -512", ptr, -512, 0)]
    damaged = bytearray(data)
    damaged[512 * 5 + 100] ^= 0x40
    dptr = acl.util.bytes_to_ptr(damaged)
    bad.append(("a damaged record", dptr, n, 0))
    for what, p, ln, i in bad:
        if i == 0 and ln == 0 and p:  # as the vendor: 0 bytes hold 0 records
            c.eq("get_op_num, " + what, acl.prof.get_op_num(p, ln), (0, 0))
        elif i == 0:
            c.eq("get_op_num, " + what, acl.prof.get_op_num(p, ln), (0, INVALID_PARAM))
        c.eq("get_op_type_len, " + what, acl.prof.get_op_type_len(p, ln, i), (0, INVALID_PARAM))
        c.eq("get_op_name_len, " + what, acl.prof.get_op_name_len(p, ln, i), (0, INVALID_PARAM))
        c.eq("get_op_type, " + what, acl.prof.get_op_type(p, ln, i, 65), ("", INVALID_PARAM))
        c.eq("get_op_name, " + what, acl.prof.get_op_name(p, ln, i, 275), ("", INVALID_PARAM))
        c.eq("get_op_type_v2, " + what, acl.prof.get_op_type_v2(p, ln, i), (None, INVALID_PARAM))
        c.eq("get_op_name_v2, " + what, acl.prof.get_op_name_v2(p, ln, i), (None, INVALID_PARAM))
        c.eq("get_op_start, " + what, acl.prof.get_op_start(p, ln, i), 0)
        c.eq("get_op_end, " + what, acl.prof.get_op_end(p, ln, i), 0)
        c.eq("get_op_duration, " + what, acl.prof.get_op_duration(p, ln, i), 0)
        c.eq("get_model_id, " + what, acl.prof.get_model_id(p, ln, i), FAILED_MODEL_ID)
    c.eq("get_op_type(..., -1)", acl.prof.get_op_type(ptr, n, 0, -1), ("", INVALID_PARAM))
    c.eq("get_op_type(..., 2**70)", acl.prof.get_op_type(ptr, n, 0, 2**70), ("", INVALID_PARAM))
    # As pyACL: a buffer length above 4096 is refused, 4096 itself is taken.
    c.eq("get_op_type(..., 2**40) (over 4096, as pyACL)", acl.prof.get_op_type(ptr, n, 0, 2**40), ("", INVALID_PARAM))
    c.eq("get_op_name(..., 4097) (over 4096, as pyACL)", acl.prof.get_op_name(ptr, n, 0, 4097), ("", INVALID_PARAM))
    c.eq("get_op_type(..., 4096)", acl.prof.get_op_type(ptr, n, 0, 4096), (ops[0][1], 0))


def long_strings(c):
    typ = "T" * 60 + "Long"  # 64 bytes: the most a record holds, 65 with the NUL
    long_name = "block/" + "n" * 290  # longer than the sample's 275-byte buffer
    long_name = long_name[:288]  # the record's name capacity
    odd_name = b"bad\xff\xfeutf8/\xc3\xa9"  # not UTF-8, then an e-acute
    spec = os.path.join(TMP, "long.spec")
    with open(spec, "wb") as f:
        f.write(b"7|op|%s|short|1000|2000\n" % typ.encode())
        f.write(b"7|op|Conv|%s|2000|3500\n" % long_name.encode())
        f.write(b"8|op|Relu|%s|4000|4100\n" % odd_name)
        f.write(b"7|subgraph|na|keypoint_op|1000|4100\n")
    out = os.path.join(TMP, "long.rec")
    subprocess.run([GENSTREAM, spec, out], check=True)
    with open(out, "rb") as f:
        data = f.read()
    p, n = acl.util.bytes_to_ptr(data), len(data)
    c.eq("file size", n, 4 * 512)
    c.eq("get_op_num", acl.prof.get_op_num(p, n), (4, 0))
    c.eq("get_op_type_len of the 64-byte type", acl.prof.get_op_type_len(p, n, 0), (65, 0))
    for rnd in (1, 2):
        c.eq("get_op_type(65) of the 64-byte type (%d)" % rnd, acl.prof.get_op_type(p, n, 0, 65), (typ, 0))
        c.eq("get_op_type_v2 of the 64-byte type (%d)" % rnd, acl.prof.get_op_type_v2(p, n, 0), (typ, 0))
    c.eq("get_op_type(64) of the 64-byte type", acl.prof.get_op_type(p, n, 0, 64), ("", INVALID_PARAM))
    c.eq("get_op_name_len of the 288-byte name", acl.prof.get_op_name_len(p, n, 1), (289, 0))
    c.eq("get_op_name(275) of the 288-byte name", acl.prof.get_op_name(p, n, 1, 275), ("", INVALID_PARAM))
    c.eq("get_op_name(289) of the 288-byte name", acl.prof.get_op_name(p, n, 1, 289), (long_name, 0))
    c.eq("get_op_name_v2 of the 288-byte name", acl.prof.get_op_name_v2(p, n, 1), (long_name, 0))
    want = odd_name.decode("utf-8", "surrogateescape")
    c.eq("get_op_name_v2 of a name that is not UTF-8", acl.prof.get_op_name_v2(p, n, 2), (want, 0))
    c.eq("get_op_name(275) of a name that is not UTF-8", acl.prof.get_op_name(p, n, 2, 275), (want, 0))
    c.eq("the name's bytes round-trip", acl.prof.get_op_name_v2(p, n, 2)[0].encode("utf-8", "surrogateescape"),
         odd_name)
    c.eq("model ids", [acl.prof.get_model_id(p, n, i) for i in range(4)], [7, 7, 8, 7])
    c.eq("starts", [acl.prof.get_op_start(p, n, i) for i in range(4)], [1000, 2000, 4000, 1000])
    c.eq("ends", [acl.prof.get_op_end(p, n, i) for i in range(4)], [2000, 3500, 4100, 4100])
    c.eq("durations", [acl.prof.get_op_duration(p, n, i) for i in range(4)], [1000, 1500, 100, 3100])


def many_configs(c):
    """1000 configs; the first and the last deliver to their own pipes."""
    cnn, mlp = Model(CNN), Model(MLP)
    r_first, w_first = os.pipe()
    r_last, w_last = os.pipe()
    first = acl.prof.create_subscribe_config(1, ACL_AICORE_NONE, w_first)
    middle = []
    for k in range(998):
        # Descriptors nobody writes to: only the configs' own ints matter here.
        cfg = acl.prof.create_subscribe_config(1, ACL_AICORE_NONE, 100000 + k)
        c.true("config %d is 0" % (k + 1), cfg != 0)
        middle.append(cfg)
        if k % 3 == 2:  # destroy some on the way, so that slots are reused
            ok(acl.prof.destroy_subscribe_config(middle.pop(0)), "destroy_subscribe_config")
    last = acl.prof.create_subscribe_config(1, ACL_AICORE_NONE, w_last)
    c.true("the first or the 1000th config is 0", first != 0 and last != 0)
    c.eq("model_subscribe with the 1000th config", acl.prof.model_subscribe(cnn.id, last), 0)
    c.eq("model_subscribe with the first config", acl.prof.model_subscribe(mlp.id, first), 0)
    cnn.execute()
    mlp.execute()
    mlp.execute()
    ok(acl.prof.model_un_subscribe(cnn.id), "model_un_subscribe")
    ok(acl.prof.model_un_subscribe(mlp.id), "model_un_subscribe")
    for what, r, model, txt, runs in (("1000th config's pipe", r_last, cnn, "models/cnn.txt", 1),
                                      ("first config's pipe", r_first, mlp, "models/mlp.txt", 2)):
        data = read_all(r)
        os.close(r)
        want = (len(model_ops(txt)) + 1) * runs
        p = acl.util.bytes_to_ptr(data)
        c.eq(what + ": records", acl.prof.get_op_num(p, len(data)), (want, 0))
        ids = {acl.prof.get_model_id(p, len(data), i) for i in range(want)}
        c.eq(what + ": model ids", ids, {model.id})
    for cfg in [first, last] + middle:
        c.eq("destroy_subscribe_config", acl.prof.destroy_subscribe_config(cfg), 0)
    cnn.release()
    mlp.release()


def main():
    ok(acl.init(), "init")
    ok(acl.rt.set_device(0), "set_device")
    ctx, ret = acl.rt.create_context(0)
    ok(ret, "create_context")
    c = Checker()
    c.case("acl.prof subscription calls: results and error codes", subscription_errors)
    c.case("acl.prof accessors on a real execute's records: values, strings twice, every failure value", accessors)
    c.case("acl.prof accessors on a generated stream: 64-byte type with get_op_type(..., 65), long and non-UTF-8 "
           "names", long_strings)
    c.case("1000 subscription configs created (some destroyed): the first and the 1000th deliver to their own fds",
           many_configs)
    ok(acl.rt.destroy_context(ctx), "destroy_context")
    ok(acl.rt.reset_device(0), "reset_device")
    ok(acl.finalize(), "finalize")
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
