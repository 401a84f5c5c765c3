"""infer_subscribe.py - pyACL's model-subscription sample, complete.

    PYTHONPATH=build/python /usr/bin/python3 examples/infer_subscribe.py MODEL.om [EXECUTES]

The vendor's calling example for acl.prof (steps 1 to 12) with every
placeholder filled in: set up the device, a context and a stream, load the
model, build its input and output datasets in device memory, subscribe the
model on a pipe, read and parse the pipe in a thread started with
acl.util.start_thread (record size x 10 bytes per os.read, parsed with the
acl.prof accessors exactly as the sample does), execute the model EXECUTES
times (default 1) with deterministic inputs, print the outputs, then unload
the model, unsubscribe, stop the thread, close the read end and release
everything.

Every record prints as one tab-separated line:
    op <model id> <type> <name> <start ns> <end ns> <duration ns>
and each execute as `exec <n> output <index> argmax <i> sum <float>`.  Exit
status 0, or 1 with a message on stderr when a call fails.
"""

import os
import sys

import acl
import numpy as np

ACL_MEM_MALLOC_HUGE_FIRST = 0
ACL_MEMCPY_HOST_TO_DEVICE = 1
ACL_MEMCPY_DEVICE_TO_HOST = 2
ACL_AICORE_NONE = 0xFF
NPY_FLOAT32 = 11


def check(ret, what):
    if ret != 0:
        raise RuntimeError("%s returned %d" % (what, ret))


def emit(line):
    # One write per line: the reader thread and the main thread both print.
    sys.stdout.write(line + "\n")


def create_dataset(desc, count, size_of):
    """A dataset of device buffers, one per model input (or output)."""
    dataset = acl.mdl.create_dataset()
    buffers = []
    for i in range(count):
        size = size_of(desc, i)
        dev, ret = acl.rt.malloc(size, ACL_MEM_MALLOC_HUGE_FIRST)
        check(ret, "acl.rt.malloc")
        buf = acl.create_data_buffer(dev, size)
        if buf == 0:
            raise RuntimeError("acl.create_data_buffer failed")
        _, ret = acl.mdl.add_dataset_buffer(dataset, buf)
        check(ret, "acl.mdl.add_dataset_buffer")
        buffers.append((dev, buf, size))
    return dataset, buffers


def destroy_dataset(dataset, buffers):
    for dev, buf, _ in buffers:
        check(acl.destroy_data_buffer(buf), "acl.destroy_data_buffer")
        check(acl.rt.free(dev), "acl.rt.free")
    check(acl.mdl.destroy_dataset(dataset), "acl.mdl.destroy_dataset")


# 6.1 Parse the subscription data in user memory (as the sample does, and print it).
def get_model_info(data, data_len):
    # Obtain the number of operators.
    op_number, ret = acl.prof.get_op_num(data, data_len)
    # Iterate over the operator information in the user memory.
    for i in range(op_number):
        # Obtain the model_id of the operator.
        model_id = acl.prof.get_model_id(data, data_len, i)
        # Obtain the operator type.
        op_type, ret = acl.prof.get_op_type(data, data_len, i, 65)
        # Obtain the operator name.
        op_name, ret = acl.prof.get_op_name(data, data_len, i, 275)
        # Obtain the execution start time of the operator.
        op_start = acl.prof.get_op_start(data, data_len, i)
        # Obtain the execution end time of the operator.
        op_end = acl.prof.get_op_end(data, data_len, i)
        # Obtain the time required for executing the operator.
        op_duration = acl.prof.get_op_duration(data, data_len, i)
        emit("op\t%d\t%s\t%s\t%d\t%d\t%d" % (model_id, op_type, op_name, op_start, op_end, op_duration))


# 6.2 Read data from the pipe into user memory.
def prof_data_read(args):
    fd, ctx = args
    ret = acl.rt.set_context(ctx)
    check(ret, "acl.rt.set_context")
    # Operator information buffer size (in bytes) per operator.
    buffer_size, ret = acl.prof.get_op_desc_size()
    check(ret, "acl.prof.get_op_desc_size")
    # Number of operators read from the pipe each time.
    N = 10
    data_len = buffer_size * N
    # The read may return less than buffer_size x N; it blocks while the pipe is empty
    # and returns nothing once every write end is closed.
    while True:
        data = os.read(fd, data_len)
        if len(data) == 0:
            break
        np_data = np.array(data)
        np_data_ptr = acl.util.numpy_to_ptr(np_data)
        size = np_data.itemsize * np_data.size
        get_model_info(np_data_ptr, size)


def main():
    if len(sys.argv) not in (2, 3):
        sys.stderr.write("usage: infer_subscribe.py MODEL.om [EXECUTES]\n")
        return 2
    model_path = sys.argv[1]
    executes = int(sys.argv[2]) if len(sys.argv) == 3 else 1
    device_id = 0

    # 1. Runtime resources: the device, a context and a stream.
    check(acl.init(), "acl.init")
    check(acl.rt.set_device(device_id), "acl.rt.set_device")
    context, ret = acl.rt.create_context(device_id)
    check(ret, "acl.rt.create_context")
    stream, ret = acl.rt.create_stream()
    check(ret, "acl.rt.create_stream")

    # 2. Load the model.
    model_id, ret = acl.mdl.load_from_file(model_path)
    check(ret, "acl.mdl.load_from_file")
    desc = acl.mdl.create_desc()
    check(acl.mdl.get_desc(desc, model_id), "acl.mdl.get_desc")

    # 3. Datasets describing the model's inputs and outputs, in device memory.
    input, in_bufs = create_dataset(desc, acl.mdl.get_num_inputs(desc), acl.mdl.get_input_size_by_index)
    output, out_bufs = create_dataset(desc, acl.mdl.get_num_outputs(desc), acl.mdl.get_output_size_by_index)

    # 4. A pipe for the subscription data.
    r, w = os.pipe()
    # 5. A subscription configuration on the pipe's write end; subscribe the model.
    subscribe_config = acl.prof.create_subscribe_config(1, ACL_AICORE_NONE, w)
    if subscribe_config == 0:
        raise RuntimeError("acl.prof.create_subscribe_config failed")
    ret = acl.prof.model_subscribe(model_id, subscribe_config)
    check(ret, "acl.prof.model_subscribe")

    # 7. Start the thread that reads and parses the pipe.
    thr_id, ret = acl.util.start_thread(prof_data_read, [r, context])
    check(ret, "acl.util.start_thread")

    for e in range(executes):
        # Input data from numpy: a deterministic ramp in [-1, 1).
        for k, (dev, _, size) in enumerate(in_bufs):
            n = size // 4
            host = ((np.arange(n, dtype=np.int64) * 7 + e * 13 + k) % 200).astype(np.float32) / 100.0 - 1.0
            check(acl.rt.memcpy(dev, size, acl.util.numpy_to_ptr(host), host.nbytes, ACL_MEMCPY_HOST_TO_DEVICE),
                  "acl.rt.memcpy")
        # 8. Execute the model.
        ret = acl.mdl.execute(model_id, input, output)
        check(ret, "acl.mdl.execute")
        # 9. The inference result.
        for k, (dev, _, size) in enumerate(out_bufs):
            host = np.zeros(size // 4, dtype=np.float32)
            check(acl.rt.memcpy(acl.util.numpy_to_ptr(host), host.nbytes, dev, size, ACL_MEMCPY_DEVICE_TO_HOST),
                  "acl.rt.memcpy")
            emit("exec %d output %d argmax %d sum %.6f" % (e, k, int(np.argmax(host)), float(host.sum())))

    # 10. Release the inputs and outputs and unload the model (which ends its subscription).
    destroy_dataset(input, in_bufs)
    destroy_dataset(output, out_bufs)
    check(acl.mdl.destroy_desc(desc), "acl.mdl.destroy_desc")
    check(acl.mdl.unload(model_id), "acl.mdl.unload")

    # 11. Unsubscribe and release the subscription's resources.  The model is
    # already unloaded, so the sample's unsubscribe may report an error; as in the
    # sample, its result is not checked.
    ret = acl.prof.model_un_subscribe(model_id)
    ret = acl.util.stop_thread(thr_id)
    check(ret, "acl.util.stop_thread")
    os.close(r)
    ret = acl.prof.destroy_subscribe_config(subscribe_config)
    check(ret, "acl.prof.destroy_subscribe_config")

    # 12. Runtime resources.
    check(acl.rt.destroy_stream(stream), "acl.rt.destroy_stream")
    check(acl.rt.destroy_context(context), "acl.rt.destroy_context")
    check(acl.rt.reset_device(device_id), "acl.rt.reset_device")
    check(acl.finalize(), "acl.finalize")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as err:
        sys.stderr.write("infer_subscribe: %s\n" % err)
        sys.exit(1)
