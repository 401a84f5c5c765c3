"""infer_plain.py - a plain pyACL inference program: no profiling at all.

    PYTHONPATH=build/python /usr/bin/python3 examples/infer_plain.py MODEL.om [EXECUTES]

Initialises AscendCL, sets device 0, creates a context, loads the model,
builds its input and output datasets in device memory, executes it EXECUTES
times (default 5) with deterministic inputs, and prints one line per execute
with a checksum (CRC-32) of the outputs; then releases everything.  Run it
under LD_PRELOAD=build/lib/libaclsub.so to profile it without changing it.
Exit status 0, or 1 with a message on stderr when a call fails.
"""

import sys
import zlib

import acl
import numpy as np

ACL_MEM_MALLOC_HUGE_FIRST = 0
ACL_MEMCPY_HOST_TO_DEVICE = 1
ACL_MEMCPY_DEVICE_TO_HOST = 2


def check(ret, what):
    if ret != 0:
        raise RuntimeError("%s returned %d" % (what, ret))


def make_dataset(desc, count, size_of):
    dataset = acl.mdl.create_dataset()
    buffers = []
    for i in range(count):
        size = size_of(desc, i)
        dev, ret = acl.rt.malloc(size, ACL_MEM_MALLOC_HUGE_FIRST)
        check(ret, "acl.rt.malloc")
        buf = acl.create_data_buffer(dev, size)
        _, ret = acl.mdl.add_dataset_buffer(dataset, buf)
        check(ret, "acl.mdl.add_dataset_buffer")
        buffers.append((dev, buf, size))
    return dataset, buffers


def main():
    if len(sys.argv) not in (2, 3):
        sys.stderr.write("usage: infer_plain.py MODEL.om [EXECUTES]\n")
        return 2
    executes = int(sys.argv[2]) if len(sys.argv) == 3 else 5

    check(acl.init(), "acl.init")
    check(acl.rt.set_device(0), "acl.rt.set_device")
    context, ret = acl.rt.create_context(0)
    check(ret, "acl.rt.create_context")
    model_id, ret = acl.mdl.load_from_file(sys.argv[1])
    check(ret, "acl.mdl.load_from_file")
    desc = acl.mdl.create_desc()
    check(acl.mdl.get_desc(desc, model_id), "acl.mdl.get_desc")
    inputs, in_bufs = make_dataset(desc, acl.mdl.get_num_inputs(desc), acl.mdl.get_input_size_by_index)
    outputs, out_bufs = make_dataset(desc, acl.mdl.get_num_outputs(desc), acl.mdl.get_output_size_by_index)

    for e in range(executes):
        for k, (dev, _, size) in enumerate(in_bufs):
            n = size // 4
            host = ((np.arange(n, dtype=np.int64) * 7 + e * 13 + k) % 200).astype(np.float32) / 100.0 - 1.0
            check(acl.rt.memcpy(dev, size, acl.util.numpy_to_ptr(host), host.nbytes, ACL_MEMCPY_HOST_TO_DEVICE),
                  "acl.rt.memcpy")
        check(acl.mdl.execute(model_id, inputs, outputs), "acl.mdl.execute")
        crc = 0
        for dev, _, size in out_bufs:
            host = np.zeros(size, dtype=np.uint8)
            check(acl.rt.memcpy(acl.util.numpy_to_ptr(host), size, dev, size, ACL_MEMCPY_DEVICE_TO_HOST),
                  "acl.rt.memcpy")
            crc = zlib.crc32(host.tobytes(), crc)
        print("exec %d checksum %08x" % (e, crc))

    check(acl.mdl.unload(model_id), "acl.mdl.unload")
    for dataset, buffers in ((inputs, in_bufs), (outputs, out_bufs)):
        for dev, buf, _ in buffers:
            check(acl.destroy_data_buffer(buf), "acl.destroy_data_buffer")
            check(acl.rt.free(dev), "acl.rt.free")
        check(acl.mdl.destroy_dataset(dataset), "acl.mdl.destroy_dataset")
    check(acl.mdl.destroy_desc(desc), "acl.mdl.destroy_desc")
    check(acl.rt.destroy_context(context), "acl.rt.destroy_context")
    check(acl.rt.reset_device(0), "acl.rt.reset_device")
    check(acl.finalize(), "acl.finalize")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as err:
        sys.stderr.write("infer_plain: %s\n" % err)
        sys.exit(1)
