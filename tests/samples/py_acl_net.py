#!/usr/bin/python3
"""py_acl_net.py - a test program of aclsub: a pyACL inference script in the
shape of the vendor's acl_net samples (a class that owns the runtime, the
model and its datasets, and releases them in reverse order), run on
PaddleOCR's text-direction classifier (input 1x3x48x192 float32).

    py_acl_net.py MODEL.om INPUT.bin [INPUT.bin ...]

Each INPUT.bin is the model's input as raw float32 (NCHW).  Per input one line
"result INPUT.bin top=K label=L scores=S0,S1" (nine significant digits); any
failing AscendCL call raises, so the exit status is non-zero.
"""
import sys

import acl
import numpy as np

ACL_SUCCESS = 0
ACL_MEM_MALLOC_HUGE_FIRST = 0
ACL_MEM_MALLOC_NORMAL_ONLY = 2
ACL_MEMCPY_HOST_TO_DEVICE = 1
ACL_MEMCPY_DEVICE_TO_HOST = 2
ACL_DEVICE = 0
NPY_FLOAT32 = 11
LABELS = ("0", "180")  # the text's rotation in degrees


def check_ret(what, ret):
    if ret != ACL_SUCCESS:
        raise RuntimeError("%s failed, ret %d" % (what, ret))


class AclNet(object):
    def __init__(self, model_path, device_id=0):
        self.device_id = device_id
        self.model_path = model_path
        self.context = None
        self.stream = None
        self.model_id = None
        self.model_desc = None
        self.input_dataset = None
        self.output_dataset = None
        self.input_buffers = []   # (device pointer, size)
        self.output_buffers = []  # (device pointer, size)
        self.is_device = False
        self._init_resource()
        self._load_model()
        self.input_dataset = self._gen_dataset("in")
        self.output_dataset = self._gen_dataset("out")

    def _init_resource(self):
        check_ret("acl.init", acl.init())
        check_ret("acl.rt.set_device", acl.rt.set_device(self.device_id))
        self.context, ret = acl.rt.create_context(self.device_id)
        check_ret("acl.rt.create_context", ret)
        self.stream, ret = acl.rt.create_stream()
        check_ret("acl.rt.create_stream", ret)
        run_mode, ret = acl.rt.get_run_mode()
        check_ret("acl.rt.get_run_mode", ret)
        self.is_device = run_mode == ACL_DEVICE

    def _load_model(self):
        self.model_id, ret = acl.mdl.load_from_file(self.model_path)
        check_ret("acl.mdl.load_from_file", ret)
        self.model_desc = acl.mdl.create_desc()
        check_ret("acl.mdl.get_desc", acl.mdl.get_desc(self.model_desc, self.model_id))

    def _gen_dataset(self, io):
        if io == "in":
            count = acl.mdl.get_num_inputs(self.model_desc)
            size_of = acl.mdl.get_input_size_by_index
            buffers = self.input_buffers
        else:
            count = acl.mdl.get_num_outputs(self.model_desc)
            size_of = acl.mdl.get_output_size_by_index
            buffers = self.output_buffers
        dataset = acl.mdl.create_dataset()
        for i in range(count):
            size = size_of(self.model_desc, i)
            dev, ret = acl.rt.malloc(size, ACL_MEM_MALLOC_HUGE_FIRST)
            check_ret("acl.rt.malloc", ret)
            buffers.append((dev, size))
            data = acl.create_data_buffer(dev, size)
            if not data:
                raise RuntimeError("acl.create_data_buffer failed")
            _, ret = acl.mdl.add_dataset_buffer(dataset, data)
            check_ret("acl.mdl.add_dataset_buffer", ret)
        return dataset

    def _host_to_device(self, arrays):
        for (dev, size), array in zip(self.input_buffers, arrays):
            data = np.ascontiguousarray(array, dtype=np.float32).tobytes()
            if len(data) != size:
                raise RuntimeError("input of %d bytes, the model takes %d" % (len(data), size))
            ptr = acl.util.bytes_to_ptr(data)  # valid while `data` lives
            check_ret("acl.rt.memcpy", acl.rt.memcpy(dev, size, ptr, size, ACL_MEMCPY_HOST_TO_DEVICE))

    def _output_dataset_to_numpy(self):
        results = []
        for i, (dev, size) in enumerate(self.output_buffers):
            dims, ret = acl.mdl.get_output_dims(self.model_desc, i)
            check_ret("acl.mdl.get_output_dims", ret)
            host, ret = acl.rt.malloc_host(size)
            check_ret("acl.rt.malloc_host", ret)
            try:
                check_ret("acl.rt.memcpy", acl.rt.memcpy(host, size, dev, size, ACL_MEMCPY_DEVICE_TO_HOST))
                view = acl.util.ptr_to_numpy(host, tuple(dims["dims"]), NPY_FLOAT32)
                results.append(view.copy())  # the view dies with the host buffer
            finally:
                check_ret("acl.rt.free_host", acl.rt.free_host(host))
        return results

    def run(self, arrays):
        self._host_to_device(arrays)
        check_ret("acl.mdl.execute", acl.mdl.execute(self.model_id, self.input_dataset, self.output_dataset))
        return self._output_dataset_to_numpy()

    def _destroy_dataset(self, dataset, buffers):
        for i in range(acl.mdl.get_dataset_num_buffers(dataset)):
            check_ret("acl.destroy_data_buffer",
                      acl.destroy_data_buffer(acl.mdl.get_dataset_buffer(dataset, i)))
        check_ret("acl.mdl.destroy_dataset", acl.mdl.destroy_dataset(dataset))
        for dev, _ in buffers:
            check_ret("acl.rt.free", acl.rt.free(dev))
        del buffers[:]

    def release_resource(self):
        if self.input_dataset:
            self._destroy_dataset(self.input_dataset, self.input_buffers)
            self.input_dataset = None
        if self.output_dataset:
            self._destroy_dataset(self.output_dataset, self.output_buffers)
            self.output_dataset = None
        if self.model_id is not None:
            check_ret("acl.mdl.unload", acl.mdl.unload(self.model_id))
            self.model_id = None
        if self.model_desc:
            check_ret("acl.mdl.destroy_desc", acl.mdl.destroy_desc(self.model_desc))
            self.model_desc = None
        if self.stream:
            check_ret("acl.rt.destroy_stream", acl.rt.destroy_stream(self.stream))
            self.stream = None
        if self.context:
            check_ret("acl.rt.destroy_context", acl.rt.destroy_context(self.context))
            self.context = None
        check_ret("acl.rt.reset_device", acl.rt.reset_device(self.device_id))
        check_ret("acl.finalize", acl.finalize())


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    net = AclNet(sys.argv[1])
    try:
        for path in sys.argv[2:]:
            scores = net.run([np.fromfile(path, dtype="<f4")])[0].reshape(-1)
            top = int(np.argmax(scores))
            print("result %s top=%d label=%s scores=%s" % (
                path, top, LABELS[top] if top < len(LABELS) else "?",
                ",".join("%.9g" % float(s) for s in scores)))
    finally:
        net.release_resource()


if __name__ == "__main__":
    main()
