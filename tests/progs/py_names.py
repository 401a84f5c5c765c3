"""py_names.py - a Python program that subscribes its own model and reads
every record's type and name with acl.prof, printing what each call gave.

    PYTHONPATH=BUILD/python py_names.py MODEL.om EXECUTES once|twice|short

The reader thread reads the pipe (record size x 10 bytes at a time) and, for
every record, prints one line "names MODEL_ID type ... name ...":
  once   get_op_type_len, then get_op_type / get_op_name with that length;
  twice  the same, then each string and its length again (a vendor record's
         strings can be read only once);
  short  first with a length one too short, then the length again, then
         get_op_type_v2 / get_op_name_v2.
Records are printed when the reader has ended, in the order read; the
executes print nothing (their outputs are not the point).  Exit status 0, or
1 with a message on stderr when a call fails.  The output does not depend on
timing, so runs with and without the interposer compare byte for byte.
"""

import os
import sys

import acl

ACL_MEM_MALLOC_HUGE_FIRST = 0
ACL_AICORE_NONE = 0xFF


def check(ret, what):
    if ret != 0:
        raise RuntimeError("%s returned %d" % (what, ret))


def read_string(kind, data, size, i, mode):
    get_len = getattr(acl.prof, "get_op_%s_len" % kind)
    get = getattr(acl.prof, "get_op_%s" % kind)
    n, ret = get_len(data, size, i)
    out = ["%s len=%d:%d" % (kind, ret, n)]
    want = n if ret == 0 else 1
    if mode == "short":
        out.append("get(%d)=%r" % (max(want - 1, 1), get(data, size, i, max(want - 1, 1))))
        out.append("len=%d" % get_len(data, size, i)[1])
        out.append("v2=%r" % (getattr(acl.prof, "get_op_%s_v2" % kind)(data, size, i),))
        return out
    out.append("get(%d)=%r" % (want, get(data, size, i, want)))
    if mode == "twice":
        out.append("get(512)=%r" % (get(data, size, i, 512),))
        out.append("len=%d" % get_len(data, size, i)[1])
    return out


def reader(args):
    fd, ctx, mode, lines = args
    check(acl.rt.set_context(ctx), "acl.rt.set_context")
    rec_size, ret = acl.prof.get_op_desc_size()
    check(ret, "acl.prof.get_op_desc_size")
    while True:
        data = os.read(fd, rec_size * 10)
        if not data:
            break
        ptr = acl.util.bytes_to_ptr(data)
        num, ret = acl.prof.get_op_num(ptr, len(data))
        for i in range(num if ret == 0 else 0):
            words = ["names", str(acl.prof.get_model_id(ptr, len(data), i))]
            words += read_string("type", ptr, len(data), i, mode)
            words += read_string("name", ptr, len(data), i, mode)
            lines.append(" ".join(words))


def dataset(desc, count, size_of):
    ds = acl.mdl.create_dataset()
    for i in range(count):
        size = size_of(desc, i)
        dev, ret = acl.rt.malloc(size, ACL_MEM_MALLOC_HUGE_FIRST)
        check(ret, "acl.rt.malloc")
        _, ret = acl.mdl.add_dataset_buffer(ds, acl.create_data_buffer(dev, size))
        check(ret, "acl.mdl.add_dataset_buffer")
    return ds


def main():
    if len(sys.argv) != 4 or sys.argv[3] not in ("once", "twice", "short"):
        sys.stderr.write("usage: py_names.py MODEL.om EXECUTES once|twice|short\n")
        return 2
    check(acl.init(), "acl.init")
    check(acl.rt.set_device(0), "acl.rt.set_device")
    ctx, ret = acl.rt.create_context(0)
    check(ret, "acl.rt.create_context")
    model_id, ret = acl.mdl.load_from_file(sys.argv[1])
    check(ret, "acl.mdl.load_from_file")
    desc = acl.mdl.create_desc()
    check(acl.mdl.get_desc(desc, model_id), "acl.mdl.get_desc")
    inp = dataset(desc, acl.mdl.get_num_inputs(desc), acl.mdl.get_input_size_by_index)
    out = dataset(desc, acl.mdl.get_num_outputs(desc), acl.mdl.get_output_size_by_index)
    r, w = os.pipe()
    cfg = acl.prof.create_subscribe_config(1, ACL_AICORE_NONE, w)
    check(acl.prof.model_subscribe(model_id, cfg), "acl.prof.model_subscribe")
    lines = []
    thr, ret = acl.util.start_thread(reader, [r, ctx, sys.argv[3], lines])
    check(ret, "acl.util.start_thread")
    for _ in range(int(sys.argv[2])):
        check(acl.mdl.execute(model_id, inp, out), "acl.mdl.execute")
    check(acl.mdl.unload(model_id), "acl.mdl.unload")
    acl.prof.model_un_subscribe(model_id)
    check(acl.util.stop_thread(thr), "acl.util.stop_thread")
    os.close(r)
    check(acl.prof.destroy_subscribe_config(cfg), "acl.prof.destroy_subscribe_config")
    for line in lines:
        print(line)
    print("records %d" % len(lines))
    check(acl.rt.destroy_context(ctx), "acl.rt.destroy_context")
    check(acl.rt.reset_device(0), "acl.rt.reset_device")
    check(acl.finalize(), "acl.finalize")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as err:
        sys.stderr.write("py_names: %s\n" % err)
        sys.exit(1)
