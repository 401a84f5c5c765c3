"""py_seed_check.py - checks what examples/infer_subscribe.py printed.

    py_seed_check.py OUTPUT MODEL.txt EXECUTES

OUTPUT is the sample's standard output: `op` lines (one per record) and
`exec` lines (one per execute and output).  Checked: exactly
(operators + 1) x EXECUTES op lines; per execute the operators' names and
types in the order of MODEL.txt followed by one whole-run record
(keypoint_op, na) spanning first start .. last end; one model id for all,
not the failure value; every duration positive and equal to end - start;
operators of one execute in order without overlap; executes in order.
"""

import sys

from py_testlib import Checker, model_ops

FAILED_MODEL_ID = 2**64 - 1


def check_records(c, out_path, txt_path, executes):
    ops = model_ops(txt_path)
    recs, execs = [], []
    with open(out_path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("op\t"):
                recs.append(line.split("\t"))
            elif line.startswith("exec "):
                execs.append(line)
            else:
                c.why.append("unexpected line %r" % line)
    per = len(ops) + 1
    c.eq("op lines", len(recs), per * executes)
    c.eq("exec lines", len(execs), executes)
    c.eq("fields per op line", sorted({len(r) for r in recs}), [7])
    if c.why:
        return
    model_ids = {r[1] for r in recs}
    c.eq("distinct model ids", len(model_ids), 1)
    c.true("model id is the failure value", str(FAILED_MODEL_ID) not in model_ids)
    prev_end = 0
    for e in range(executes):
        block = recs[e * per:(e + 1) * per]
        for j, r in enumerate(block):
            _, _, typ, name, start, end, dur = r
            start, end, dur = int(start), int(end), int(dur)
            want = ops[j] if j < len(ops) else ("keypoint_op", "na")
            c.eq("execute %d record %d (name, type)" % (e, j), (name, typ), want)
            c.true("execute %d record %d: duration %d not > 0" % (e, j, dur), dur > 0)
            c.true("execute %d record %d: start %d not < end %d" % (e, j, start, end), start < end)
            c.eq("execute %d record %d: duration" % (e, j), dur, end - start)
            if j < len(ops):
                c.true("execute %d record %d starts %d before the previous operator ends %d" % (e, j, start, prev_end),
                       start >= prev_end)
                prev_end = end
        whole = block[-1]
        c.eq("execute %d whole-run record spans the operators" % e, (int(whole[4]), int(whole[5])),
             (int(block[0][4]), int(block[len(ops) - 1][5])))


def main():
    out_path, txt_path, executes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    c = Checker()
    c.case("seed sample (examples/infer_subscribe.py), %d executes: every record, in order, every field sane"
           % executes, check_records, out_path, txt_path, executes)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
