#!/usr/bin/python3
"""py_quick_start.py - a test program of aclsub: the pyACL quick-start flow as
one plain script (initialise, load, build the datasets, copy in, execute,
copy out, release), run on PaddleOCR's text-direction classifier (input
1x3x48x192 float32).

    py_quick_start.py MODEL.om INPUT.bin [INPUT.bin ...]

Each INPUT.bin is the model's input as raw float32 (NCHW).  Per input one line
"result INPUT.bin top=K label=L scores=S0,S1" (nine significant digits); the
first failing AscendCL call ends the script with status 1.
"""
import sys

import acl
import numpy as np

ACL_SUCCESS = 0
ACL_MEM_MALLOC_NORMAL_ONLY = 2
ACL_MEMCPY_HOST_TO_DEVICE = 1
ACL_MEMCPY_DEVICE_TO_HOST = 2
LABELS = ("0", "180")


def check(what, ret):
    if ret != ACL_SUCCESS:
        print("[ERROR] %s failed, ret %d" % (what, ret), file=sys.stderr)
        sys.exit(1)


if len(sys.argv) < 3:
    sys.exit(__doc__)
model_path, inputs = sys.argv[1], sys.argv[2:]
device_id = 0

# 1. Initialise: runtime, device, context.
check("acl.init", acl.init())
check("acl.rt.set_device", acl.rt.set_device(device_id))
context, ret = acl.rt.create_context(device_id)
check("acl.rt.create_context", ret)

# 2. The model and its description.
model_id, ret = acl.mdl.load_from_file(model_path)
check("acl.mdl.load_from_file", ret)
model_desc = acl.mdl.create_desc()
check("acl.mdl.get_desc", acl.mdl.get_desc(model_desc, model_id))

# 3. One input and one output buffer in device memory, wrapped in datasets.
input_size = acl.mdl.get_input_size_by_index(model_desc, 0)
output_size = acl.mdl.get_output_size_by_index(model_desc, 0)
input_dev, ret = acl.rt.malloc(input_size, ACL_MEM_MALLOC_NORMAL_ONLY)
check("acl.rt.malloc (input)", ret)
output_dev, ret = acl.rt.malloc(output_size, ACL_MEM_MALLOC_NORMAL_ONLY)
check("acl.rt.malloc (output)", ret)
input_dataset = acl.mdl.create_dataset()
input_data = acl.create_data_buffer(input_dev, input_size)
_, ret = acl.mdl.add_dataset_buffer(input_dataset, input_data)
check("acl.mdl.add_dataset_buffer (input)", ret)
output_dataset = acl.mdl.create_dataset()
output_data = acl.create_data_buffer(output_dev, output_size)
_, ret = acl.mdl.add_dataset_buffer(output_dataset, output_data)
check("acl.mdl.add_dataset_buffer (output)", ret)

# 4. For each input: copy in, execute, copy out into a numpy array.
scores = np.zeros(output_size // 4, dtype=np.float32)
for path in inputs:
    image = np.fromfile(path, dtype=np.float32)
    if image.nbytes != input_size:
        print("[ERROR] %s: %d bytes, the model takes %d" % (path, image.nbytes, input_size), file=sys.stderr)
        sys.exit(1)
    check("acl.rt.memcpy (to device)", acl.rt.memcpy(input_dev, input_size, acl.util.numpy_to_ptr(image),
                                                       input_size, ACL_MEMCPY_HOST_TO_DEVICE))
    check("acl.mdl.execute", acl.mdl.execute(model_id, input_dataset, output_dataset))
    check("acl.rt.memcpy (to host)", acl.rt.memcpy(acl.util.numpy_to_ptr(scores), scores.nbytes, output_dev,
                                                     output_size, ACL_MEMCPY_DEVICE_TO_HOST))
    top = int(np.argmax(scores))
    print("result %s top=%d label=%s scores=%s" % (path, top, LABELS[top] if top < len(LABELS) else "?",
                                                   ",".join("%.9g" % float(s) for s in scores)))

# 5. Release in reverse order.
check("acl.destroy_data_buffer (input)", acl.destroy_data_buffer(input_data))
check("acl.mdl.destroy_dataset (input)", acl.mdl.destroy_dataset(input_dataset))
check("acl.destroy_data_buffer (output)", acl.destroy_data_buffer(output_data))
check("acl.mdl.destroy_dataset (output)", acl.mdl.destroy_dataset(output_dataset))
check("acl.rt.free (input)", acl.rt.free(input_dev))
check("acl.rt.free (output)", acl.rt.free(output_dev))
check("acl.mdl.unload", acl.mdl.unload(model_id))
check("acl.mdl.destroy_desc", acl.mdl.destroy_desc(model_desc))
check("acl.rt.destroy_context", acl.rt.destroy_context(context))
check("acl.rt.reset_device", acl.rt.reset_device(device_id))
check("acl.finalize", acl.finalize())
