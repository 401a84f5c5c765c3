/*
 * ops_table.h - the operator table: every operator of the emulated device,
 * one line each.
 *
 * A line OP(name, infer, run) gives the ONNX op type name, the function
 * that checks a node of that type and computes its output shapes, and the
 * function that runs it (their types are in ops_impl.h).  The lines are
 * grouped by family, and both functions live in the family's file, named
 * above its group; operators that share a checker or a runner name the
 * same function.
 *
 * The table is read twice: ops_impl.h declares every function named here,
 * so a family file needs no declarations of its own, and ops.c builds
 * op_table[] from the lines in this order, an op code being 1 + the line's
 * index.  Nothing else lists operators: adding one is writing its infer and
 * run functions in its family's file and adding its line here.
 */
#ifndef ACLSUB_SHIM_OPS_TABLE_H_
#define ACLSUB_SHIM_OPS_TABLE_H_

#define OPS_TABLE(OP)                                                   \
    /* ops_conv.c: convolutions and matrix products */                  \
    OP("Conv", infer_conv, run_conv)                                    \
    OP("ConvTranspose", infer_convtranspose, run_convtranspose)         \
    OP("MatMul", infer_matmul, run_matmul)                              \
    OP("Gemm", infer_gemm, run_gemm)                                    \
    /* ops_pool.c: pooling */                                           \
    OP("MaxPool", infer_maxpool, run_maxpool)                           \
    OP("AveragePool", infer_avgpool, run_avgpool)                       \
    OP("GlobalAveragePool", infer_global_avgpool, run_global_avgpool)   \
    /* ops_elementwise.c: arithmetic, activations, Cast */              \
    OP("Relu", infer_unary, run_relu)                                   \
    OP("Sigmoid", infer_unary, run_sigmoid)                             \
    OP("Tanh", infer_unary, run_tanh)                                   \
    OP("Sqrt", infer_unary, run_sqrt)                                   \
    OP("HardSigmoid", infer_hardsigmoid, run_hardsigmoid)               \
    OP("Clip", infer_clip, run_clip)                                    \
    OP("Add", infer_arith, run_add)                                     \
    OP("Sub", infer_arith, run_sub)                                     \
    OP("Mul", infer_arith, run_mul)                                     \
    OP("Div", infer_arith, run_div)                                     \
    OP("Pow", infer_pow, run_pow)                                       \
    OP("Cast", infer_cast, run_cast)                                    \
    /* ops_norm.c: normalisations */                                    \
    OP("Softmax", infer_softmax, run_softmax)                           \
    OP("BatchNormalization", infer_batchnorm, run_batchnorm)            \
    OP("LayerNormalization", infer_layernorm, run_layernorm)            \
    /* ops_reduce.c: reductions */                                      \
    OP("ReduceMean", infer_reducemean, run_reducemean)                  \
    /* ops_shape.c: new shapes over the same bytes, and Shape */        \
    OP("Reshape", infer_reshape, run_copy)                              \
    OP("Flatten", infer_flatten, run_copy)                              \
    OP("Squeeze", infer_squeeze, run_copy)                              \
    OP("Unsqueeze", infer_unsqueeze, run_copy)                          \
    OP("Identity", infer_identity, run_copy)                            \
    OP("Shape", infer_shape, run_shape)                                 \
    /* ops_movement.c: elements moved or picked, not computed */        \
    OP("Transpose", infer_transpose, run_transpose)                     \
    OP("Concat", infer_concat, run_concat)                              \
    OP("Slice", infer_slice, run_slice)                                 \
    OP("Gather", infer_gather, run_gather)                              \
    /* ops_resize.c: resampling */                                      \
    OP("Resize", infer_resize, run_resize)

#endif /* ACLSUB_SHIM_OPS_TABLE_H_ */
