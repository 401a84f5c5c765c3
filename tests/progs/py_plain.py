"""py_plain.py - a plain AscendCL inference program in Python, for
tests/shell/check_preload.sh: it reaches libascendcl.so through ctypes, so the
library is dlopen'ed after the interpreter has started (as Python bindings
load it), and it never calls aclprof*.

    python3 py_plain.py LIBASCENDCL MODEL.om EXECUTES

aclInit, set the device, create a context, load the model, build input and
output datasets in device memory, execute EXECUTES times with deterministic
inputs, print one line per execute with a checksum (FNV-1a 64) of the
outputs, unload, destroy everything, aclFinalize.  Exit status 0, or 1 with
a line on stderr when a call fails.
"""

import ctypes
import struct
import sys

ACL_MEM_MALLOC_HUGE_FIRST = 0
ACL_MEMCPY_HOST_TO_DEVICE = 1
ACL_MEMCPY_DEVICE_TO_HOST = 2


def fail(what, rc):
    sys.stderr.write("py_plain: %s returned %d\n" % (what, rc))
    sys.exit(1)


def declare(lib):
    """Signatures of the calls used, as in acl/*.h."""
    vp, sz, u32, i32 = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint32, ctypes.c_int32
    sigs = {
        "aclInit": (ctypes.c_int, [ctypes.c_char_p]),
        "aclFinalize": (ctypes.c_int, []),
        "aclrtSetDevice": (ctypes.c_int, [i32]),
        "aclrtResetDevice": (ctypes.c_int, [i32]),
        "aclrtCreateContext": (ctypes.c_int, [ctypes.POINTER(vp), i32]),
        "aclrtDestroyContext": (ctypes.c_int, [vp]),
        "aclrtMalloc": (ctypes.c_int, [ctypes.POINTER(vp), sz, ctypes.c_int]),
        "aclrtFree": (ctypes.c_int, [vp]),
        "aclrtMemcpy": (ctypes.c_int, [vp, sz, vp, sz, ctypes.c_int]),
        "aclmdlLoadFromFile": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(u32)]),
        "aclmdlUnload": (ctypes.c_int, [u32]),
        "aclmdlCreateDesc": (vp, []),
        "aclmdlDestroyDesc": (ctypes.c_int, [vp]),
        "aclmdlGetDesc": (ctypes.c_int, [vp, u32]),
        "aclmdlGetNumInputs": (sz, [vp]),
        "aclmdlGetNumOutputs": (sz, [vp]),
        "aclmdlGetInputSizeByIndex": (sz, [vp, sz]),
        "aclmdlGetOutputSizeByIndex": (sz, [vp, sz]),
        "aclCreateDataBuffer": (vp, [vp, sz]),
        "aclDestroyDataBuffer": (ctypes.c_int, [vp]),
        "aclmdlCreateDataset": (vp, []),
        "aclmdlDestroyDataset": (ctypes.c_int, [vp]),
        "aclmdlAddDatasetBuffer": (ctypes.c_int, [vp, vp]),
        "aclmdlExecute": (ctypes.c_int, [u32, vp, vp]),
    }
    for name, (res, args) in sigs.items():
        f = getattr(lib, name)
        f.restype = res
        f.argtypes = args


def ok(lib, name, *args):
    rc = getattr(lib, name)(*args)
    if rc != 0:
        fail(name, rc)


def fnv1a(data):
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def main():
    if len(sys.argv) != 4:
        sys.stderr.write("usage: py_plain.py LIBASCENDCL MODEL.om EXECUTES\n")
        return 2
    lib = ctypes.CDLL(sys.argv[1])
    declare(lib)
    model_path = sys.argv[2].encode()
    executes = int(sys.argv[3])

    ok(lib, "aclInit", None)
    ok(lib, "aclrtSetDevice", 0)
    ctx = ctypes.c_void_p()
    ok(lib, "aclrtCreateContext", ctypes.byref(ctx), 0)
    mid = ctypes.c_uint32()
    ok(lib, "aclmdlLoadFromFile", model_path, ctypes.byref(mid))
    desc = lib.aclmdlCreateDesc()
    ok(lib, "aclmdlGetDesc", desc, mid)

    def make(count_fn, size_fn):
        bufs, sizes = [], []
        ds = lib.aclmdlCreateDataset()
        for i in range(count_fn(desc)):
            size = size_fn(desc, i)
            dev = ctypes.c_void_p()
            ok(lib, "aclrtMalloc", ctypes.byref(dev), size, ACL_MEM_MALLOC_HUGE_FIRST)
            db = lib.aclCreateDataBuffer(dev, size)
            ok(lib, "aclmdlAddDatasetBuffer", ds, db)
            bufs.append((dev, db))
            sizes.append(size)
        return ds, bufs, sizes

    inp, in_bufs, in_sizes = make(lib.aclmdlGetNumInputs, lib.aclmdlGetInputSizeByIndex)
    out, out_bufs, out_sizes = make(lib.aclmdlGetNumOutputs, lib.aclmdlGetOutputSizeByIndex)

    for e in range(executes):
        for (dev, _), size in zip(in_bufs, in_sizes):
            n = size // 4
            host = struct.pack("<%df" % n, *(((k * 7 + e * 13) % 200) / 100.0 - 1.0 for k in range(n)))
            ok(lib, "aclrtMemcpy", dev, size, host, size, ACL_MEMCPY_HOST_TO_DEVICE)
        ok(lib, "aclmdlExecute", mid, inp, out)
        data = b""
        for (dev, _), size in zip(out_bufs, out_sizes):
            host = ctypes.create_string_buffer(size)
            ok(lib, "aclrtMemcpy", host, size, dev, size, ACL_MEMCPY_DEVICE_TO_HOST)
            data += host.raw
        print("exec %d checksum %016x" % (e, fnv1a(data)))

    ok(lib, "aclmdlUnload", mid)
    for ds, bufs in ((inp, in_bufs), (out, out_bufs)):
        for dev, db in bufs:
            ok(lib, "aclDestroyDataBuffer", db)
            ok(lib, "aclrtFree", dev)
        ok(lib, "aclmdlDestroyDataset", ds)
    ok(lib, "aclmdlDestroyDesc", desc)
    ok(lib, "aclrtDestroyContext", ctx)
    ok(lib, "aclrtResetDevice", 0)
    ok(lib, "aclFinalize")
    return 0


if __name__ == "__main__":
    sys.exit(main())
