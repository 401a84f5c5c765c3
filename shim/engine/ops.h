/*
 * ops.h - the operators of the emulated device.
 *
 * Each operator has two halves:
 *  - op_infer: checks a node's attributes and input shapes/dtypes and
 *    computes its output shapes/dtypes.  It runs when a graph is compiled
 *    and again, as a check against the file, when an untrusted .om is loaded.
 *  - op_run: runs the node on bound tensor memory, calling the plain kernels
 *    of kernels.h.  It is only called on nodes op_infer accepted.
 *
 * ops.c looks operators up and dispatches to them through the operator
 * table (ops_table.h); the operators themselves live in one file per
 * family, ops_*.c as the table names them, on the helpers of ops_impl.h.
 */
#ifndef ACLSUB_SHIM_OPS_H_
#define ACLSUB_SHIM_OPS_H_

#include <stddef.h>
#include <stdint.h>

#include "shim/engine/graph.h"

/*
 * An operator's code: 1 + its index in the operator table, 0 (OP_UNKNOWN)
 * for an op type the device does not have.  Graph nodes keep the code of
 * their op type (graph_node.op) so that op_run needs no name lookup; the
 * .om file stores the name, so codes mean nothing outside one build.
 */
typedef uint32_t op_code;
#define OP_UNKNOWN ((op_code)0)

/*
 * Operator versions.  Each op follows the ONNX definition of the opsets up
 * to 17, taking the older forms where they differ only in where a value
 * comes from: Squeeze/Unsqueeze/ReduceMean axes and Slice starts/ends/axes
 * as attributes (older opsets) or as constant int64 inputs (newer ones),
 * Resize with (X, scales) only (opset 10: asymmetric coordinates and floor
 * rounding unless the attributes say otherwise).  Inputs that steer output
 * shapes must be weights (initialisers).
 *
 * Softmax follows opset 13 (normalise along `axis`, default -1).  The
 * attribute "_legacy_coerce2d" (int, 0 or 1, not an ONNX attribute) asks
 * for the opset < 13 meaning instead: the input is viewed as the 2-D
 * [prod(dims[:axis]), prod(dims[axis:])] and each row normalised, with
 * `axis` defaulting to 1.  A graph compiler importing an opset < 13 Softmax
 * sets it to 1.
 *
 * Cast's `to` takes ONNX TensorProto codes: 1 FLOAT, 6 INT32, 7 INT64.
 */

/* The op code of an ONNX op type name, OP_UNKNOWN if unsupported. */
op_code op_lookup(const char *op_type);
/* The ONNX op type name of an op code, "Unknown" for any other value. */
const char *op_name(op_code op);

/*
 * Checks node n of g and writes the shapes and dtypes of its outputs into
 * g->tensors[n->outputs[k]] (rank, dims, dtype, bytes).  Inputs must already
 * have shapes.  Constant inputs that steer shapes (Reshape's shape, the
 * axes of Squeeze/Unsqueeze/ReduceMean, Slice's starts/ends/axes/steps,
 * Resize's scales/sizes, constant Gather indices) are read from g->weights
 * and must be TENSOR_WEIGHT tensors inside it.  On failure returns -1 and writes one
 * line into err naming the node, op type and cause, e.g.
 *   "node conv3 (Conv): attribute group=3 does not divide 16 input channels"
 */
int op_infer(graph *g, const graph_node *n, char *err, size_t errlen);

/*
 * Runs node n.  in[k] / out[k] point at the memory bound to the node's k-th
 * input / output tensor (NULL for an absent optional input).  Constant
 * inputs that steer shapes are read from g->weights, where op_infer checked
 * them.  A computed Gather index outside its axis (op_infer cannot see it)
 * yields zeros, never a read out of bounds.
 */
void op_run(const graph *g, const graph_node *n, const void *const *in, void *const *out);

#endif /* ACLSUB_SHIM_OPS_H_ */
