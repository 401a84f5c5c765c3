#!/usr/bin/python3
"""count_fused.py MODEL.onnx - the operators `aclsub atc` should leave, counted
from the ONNX graph with the onnx package alone (no aclsub code), by the fusion
rules of docs/ATC.md ("Fusion").

Prints "unfused N" (nodes that are neither Constant nor computable from
constants: what aclsub keeps with fusion off) and "fused M" (after taking
away the nodes the documented rules fuse into a Conv).  Constant folding is
modelled as: a node whose inputs are all initializers, Constant outputs or
results of such nodes, or that is a Shape of a tensor with a static shape
(the real models' shape arithmetic), is computed at compile time.
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def const_values(g):
    """Values known at compile time: initializers, Constant outputs (numpy arrays)."""
    vals = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    for n in g.node:
        if n.op_type == "Constant":
            for a in n.attribute:
                if a.name == "value":
                    vals[n.output[0]] = numpy_helper.to_array(a.t)
    return vals


def kept_nodes(g):
    """The nodes not folded: anything that reads a graph input, directly or not."""
    live = {i.name for i in g.input} - {i.name for i in g.initializer}
    kept = []
    for n in g.node:
        if n.op_type in ("Constant", "Shape"):
            continue
        if any(i in live for i in n.input if i):
            kept.append(n)
            live.update(n.output)
    return kept


def fused_away(g, kept, consts):
    """How many kept nodes the Conv fusions of docs/ATC.md remove."""
    readers = {}
    for n in kept:
        for i in n.input:
            readers.setdefault(i, []).append(n)
    outputs = {o.name for o in g.output}

    def only(t):
        r = readers.get(t, [])
        return r[0] if len(r) == 1 and t not in outputs else None

    def scalar(t):
        return t in consts and consts[t].size == 1

    def per_channel(t, m):
        if t not in consts:
            return False
        c = consts[t]
        return c.size == 1 or (c.ndim in (3, 4) and c.shape[-3] == m and c.size == m)

    gone = 0
    for n in kept:
        if n.op_type != "Conv" or n.input[1] not in consts:
            continue
        m = consts[n.input[1]].shape[0]
        t = n.output[0]
        while True:  # graph fusion: BatchNormalization, Mul, Add folded into the weights
            x = only(t)
            if x is None:
                break
            other = [i for i in x.input if i != t]
            if x.op_type == "BatchNormalization" and all(i in consts for i in x.input[1:]):
                pass
            elif x.op_type in ("Mul", "Add") and len(other) == 1 and per_channel(other[0], m):
                pass
            else:
                break
            gone += 1
            t = x.output[0]
        x = only(t)
        acts = []
        if x is not None and x.op_type in ("Relu", "HardSigmoid"):
            acts = [x]
        elif x is not None and x.op_type == "Clip" and all(i in consts for i in x.input[1:] if i):
            acts = [x]
        elif len(readers.get(t, [])) == 2 and t not in outputs:
            acts = hardswish(t, readers, only, scalar)
        if not acts:
            continue
        t = acts[-1].output[0]
        for op in ("Mul", "Add"):  # one-value constants after the activation
            x = only(t)
            if x is not None and x.op_type == op and any(scalar(i) for i in x.input if i != t):
                acts.append(x)
                t = x.output[0]
        gone += len(acts)
    return gone


def hardswish(t, readers, only, scalar):
    """Add(t, a) -> Clip -> Div -> Mul(t, .) or Add -> Clip -> Mul(t, .) -> Div: the nodes, else []."""
    r = readers[t]
    add = [x for x in r if x.op_type == "Add"]
    mul = [x for x in r if x.op_type == "Mul"]
    if len(add) != 1 or len(mul) != 1 or not any(scalar(i) for i in add[0].input if i != t):
        return []
    clip = only(add[0].output[0])
    if clip is None or clip.op_type != "Clip":
        return []
    nxt = only(clip.output[0])
    if nxt is None:
        return []
    if nxt.op_type == "Div" and only(nxt.output[0]) is mul[0]:
        return [add[0], clip, nxt, mul[0]]
    if nxt is mul[0]:
        div = only(mul[0].output[0])
        if div is not None and div.op_type == "Div" and div.input[0] == mul[0].output[0]:
            return [add[0], clip, mul[0], div]
    return []


def main():
    g = onnx.load(sys.argv[1]).graph
    consts = const_values(g)
    kept = kept_nodes(g)
    print("unfused", len(kept))
    print("fused", len(kept) - fused_away(g, kept, consts))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
