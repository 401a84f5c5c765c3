/*
 * ops.h - the operators of the emulated device.
 *
 * Each operator has two halves:
 *  - op_infer: checks a node's attributes and input shapes/dtypes and
 *    computes its output shapes/dtypes.  It runs when a graph is compiled
 *    and again, as a check against the file, when an untrusted .om is loaded.
 *  - op_run: runs the node on bound tensor memory, calling the plain kernels
 *    of kernels.h.  It is only called on nodes op_infer accepted.
 */
#ifndef ACLSUB_SHIM_OPS_H_
#define ACLSUB_SHIM_OPS_H_

#include <stddef.h>

#include "graph.h"

typedef enum {
    OP_UNKNOWN = 0,
    OP_CONV,
    OP_MATMUL,
    OP_GEMM,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_RELU,
    OP_SIGMOID,
    OP_TANH,
    OP_HARDSIGMOID,
    OP_CLIP,
    OP_SOFTMAX,
    OP_MAXPOOL,
    OP_AVERAGEPOOL,
    OP_GLOBALAVERAGEPOOL,
    OP_BATCHNORM,
    OP_RESHAPE,
    OP_FLATTEN,
    OP_TRANSPOSE,
    OP_CONCAT,
    OP_COUNT_
} op_code;

/* The op code of an ONNX op type name, OP_UNKNOWN if unsupported. */
op_code op_lookup(const char *op_type);
const char *op_name(op_code op);

/*
 * Checks node n of g and writes the shapes and dtypes of its outputs into
 * g->tensors[n->outputs[k]] (rank, dims, dtype, bytes).  Inputs must already
 * have shapes.  Constant inputs that steer shapes (Reshape's shape, Clip's
 * min/max) are read from g->weights.  On failure returns -1 and writes one
 * line into err naming the node, op type and cause, e.g.
 *   "node conv3 (Conv): attribute group=3 does not divide 16 input channels"
 */
int op_infer(graph *g, const graph_node *n, char *err, size_t errlen);

/*
 * Runs node n.  in[k] / out[k] point at the memory bound to the node's k-th
 * input / output tensor (NULL for an absent optional input).
 */
void op_run(const graph *g, const graph_node *n, const void *const *in, void *const *out);

#endif /* ACLSUB_SHIM_OPS_H_ */
