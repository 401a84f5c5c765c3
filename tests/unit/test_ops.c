/*
 * test_ops.c - checks the operator layer (shim/engine/ops.h): op_lookup/op_name,
 * op_infer as the validator of untrusted graphs (accepted shapes, and a -1
 * plus a one-line message naming the node and the cause for each kind of
 * bad input), and op_run's dispatch on a few hand-computed cases.
 *
 * Graphs are built in memory with the small tg_* helpers below: one node,
 * a handful of tensors, a weight region, all in one struct on the stack.
 */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "shim/engine/graph.h"
#include "shim/engine/kernels.h"
#include "shim/engine/ops.h"
#include "tests/unit/testutil.h"

#define TG_TENSORS 16
#define TG_ATTRS 8

typedef struct tg {
    graph g;
    graph_tensor t[TG_TENSORS];
    graph_node node;
    uint32_t ins[TG_TENSORS];
    uint32_t out;
    graph_attr attrs[TG_ATTRS];
    int64_t ints[TG_ATTRS][8];
    _Alignas(64) unsigned char weights[512];
    char err[256];
} tg;

static void tg_init(tg *b)
{
    memset(b, 0, sizeof(*b));
    b->g.tensors = b->t;
    b->g.nodes = &b->node;
    b->g.n_nodes = 1;
    b->g.weights = b->weights;
    b->g.weight_size = sizeof(b->weights);
    b->node.inputs = b->ins;
    b->node.outputs = &b->out;
    b->node.attrs = b->attrs;
}

/* A tensor with the given dims; bytes follow the shape. */
static uint32_t tg_tensor(tg *b, const char *name, uint32_t kind, int32_t dtype, uint32_t rank, ...)
{
    uint32_t i = b->g.n_tensors++;
    ck_assert_uint_lt(i, TG_TENSORS);
    graph_tensor *t = &b->t[i];
    t->name = (char *)name;
    t->kind = kind;
    t->dtype = dtype;
    t->rank = rank;
    va_list ap;
    va_start(ap, rank);
    uint64_t n = 1;
    for (uint32_t k = 0; k < rank && k < GRAPH_MAX_RANK; k++) {
        t->dims[k] = va_arg(ap, int64_t);
        n *= (uint64_t)t->dims[k];
    }
    va_end(ap);
    t->bytes = n * graph_dtype_size(dtype);
    return i;
}

static uint32_t tg_x(tg *b, uint32_t rank, ...)
{
    uint32_t i = tg_tensor(b, "x", TENSOR_INPUT, DT_FLOAT, 0);
    graph_tensor *t = &b->t[i];
    va_list ap;
    va_start(ap, rank);
    t->rank = rank;
    uint64_t n = 1;
    for (uint32_t k = 0; k < rank; k++) {
        t->dims[k] = va_arg(ap, int64_t);
        n *= (uint64_t)t->dims[k];
    }
    va_end(ap);
    t->bytes = n * 4;
    return i;
}

/* An int64 weight holding `vals`, placed at the next free offset of the weight region. */
static uint32_t tg_weight_i64(tg *b, const char *name, const int64_t *vals, uint32_t count)
{
    uint64_t off = 0;
    for (uint32_t k = 0; k < b->g.n_tensors; k++)
        if (b->t[k].kind == TENSOR_WEIGHT && b->t[k].offset + b->t[k].bytes > off)
            off = b->t[k].offset + b->t[k].bytes;
    off = (off + 63) & ~(uint64_t)63;
    ck_assert_uint_le(off + count * 8, sizeof(b->weights));
    uint32_t i = tg_tensor(b, name, TENSOR_WEIGHT, DT_INT64, 1, (int64_t)count);
    b->t[i].offset = off;
    memcpy(b->weights + off, vals, count * 8);
    return i;
}

static uint32_t tg_weight_f32(tg *b, const char *name, float v)
{
    uint64_t off = 0;
    for (uint32_t k = 0; k < b->g.n_tensors; k++)
        if (b->t[k].kind == TENSOR_WEIGHT && b->t[k].offset + b->t[k].bytes > off)
            off = b->t[k].offset + b->t[k].bytes;
    off = (off + 63) & ~(uint64_t)63;
    uint32_t i = tg_tensor(b, name, TENSOR_WEIGHT, DT_FLOAT, 0);
    b->t[i].offset = off;
    memcpy(b->weights + off, &v, 4);
    return i;
}

/* The node: op type, inputs (GRAPH_NO_TENSOR allowed), one fresh activation output "y". */
static void tg_node(tg *b, const char *name, const char *op_type, uint32_t n_in, ...)
{
    b->node.name = (char *)name;
    b->node.op_type = (char *)op_type;
    b->node.op = op_lookup(op_type);
    b->node.n_inputs = n_in;
    va_list ap;
    va_start(ap, n_in);
    for (uint32_t k = 0; k < n_in; k++)
        b->ins[k] = va_arg(ap, uint32_t);
    va_end(ap);
    b->out = tg_tensor(b, "y", TENSOR_ACTIVATION, DT_FLOAT, 0);
    b->node.n_outputs = 1;
}

static graph_attr *tg_attr(tg *b, const char *name, uint32_t type)
{
    ck_assert_uint_lt(b->node.n_attrs, TG_ATTRS);
    graph_attr *a = &b->attrs[b->node.n_attrs++];
    a->name = (char *)name;
    a->type = type;
    a->count = 1;
    return a;
}

static void tg_int(tg *b, const char *name, int64_t v)
{
    tg_attr(b, name, ATTR_INT)->v.i = v;
}

static void tg_float(tg *b, const char *name, float v)
{
    tg_attr(b, name, ATTR_FLOAT)->v.f = v;
}

static void tg_str(tg *b, const char *name, const char *s)
{
    graph_attr *a = tg_attr(b, name, ATTR_STRING);
    a->v.s = (char *)s;
    a->count = (uint32_t)strlen(s);
}

static void tg_ints(tg *b, const char *name, uint32_t count, ...)
{
    uint32_t slot = b->node.n_attrs;
    graph_attr *a = tg_attr(b, name, ATTR_INTS);
    a->count = count;
    a->v.ints = b->ints[slot];
    va_list ap;
    va_start(ap, count);
    for (uint32_t k = 0; k < count && k < 8; k++)
        b->ints[slot][k] = va_arg(ap, int64_t);
    va_end(ap);
}

static int tg_infer(tg *b)
{
    return op_infer(&b->g, &b->node, b->err, sizeof(b->err));
}

/* Accepted, with the output shape given as rank then dims. */
static void expect_shape(tg *b, uint32_t rank, ...)
{
    int rc = tg_infer(b);
    ck_assert_msg(rc == 0, "rejected: %s", b->err);
    const graph_tensor *y = &b->t[b->out];
    ck_assert_uint_eq(y->rank, rank);
    va_list ap;
    va_start(ap, rank);
    uint64_t n = 1;
    for (uint32_t k = 0; k < rank; k++) {
        int64_t d = va_arg(ap, int64_t);
        ck_assert_msg(y->dims[k] == d, "dim %u: got %lld, expected %lld", k, (long long)y->dims[k], (long long)d);
        n *= (uint64_t)d;
    }
    va_end(ap);
    ck_assert_uint_eq(y->bytes, n * graph_dtype_size(y->dtype));
}

/* Rejected, with a one-line message naming the node, its op type and containing `cause`. */
static void expect_reject(tg *b, const char *cause)
{
    int rc = tg_infer(b);
    ck_assert_msg(rc == -1, "accepted, expected rejection for '%s'", cause);
    char head[128];
    snprintf(head, sizeof(head), "node %s (%s): ", b->node.name, b->node.op_type);
    ck_assert_msg(strncmp(b->err, head, strlen(head)) == 0, "message '%s' does not start with '%s'", b->err, head);
    ck_assert_msg(strstr(b->err, cause) != NULL, "message '%s' lacks '%s'", b->err, cause);
    ck_assert_msg(strchr(b->err, '\n') == NULL, "message has a newline");
}

#define I64(v) ((int64_t)(v))

/* --- op table ------------------------------------------------------------------- */

START_TEST(test_lookup_every_name_and_roundtrip)
{
    static const char *names[] = {"Conv", "MatMul", "Gemm", "Add", "Sub", "Mul", "Div",
                                  "Relu", "Sigmoid", "Tanh", "HardSigmoid", "Clip", "Softmax", "MaxPool",
                                  "AveragePool", "GlobalAveragePool", "BatchNormalization", "Reshape",
                                  "Flatten", "Transpose", "Concat", "ConvTranspose", "Pow", "Sqrt",
                                  "ReduceMean", "Squeeze", "Unsqueeze", "Slice", "Gather", "Cast", "Shape",
                                  "Resize", "LayerNormalization", "Identity"};
    const op_code n = (op_code)(sizeof(names) / sizeof(names[0]));
    for (size_t i = 0; i < n; i++) {
        op_code op = op_lookup(names[i]);
        ck_assert_uint_ne(op, OP_UNKNOWN);
        ck_assert_str_eq(op_name(op), names[i]);
    }
    /* the table holds these and no more: codes 1 to n, then nothing */
    for (op_code op = 1; op <= n; op++)
        ck_assert_str_ne(op_name(op), "Unknown");
    ck_assert_str_eq(op_name(n + 1), "Unknown");
}
END_TEST

START_TEST(test_lookup_unknown_names)
{
    ck_assert_int_eq(op_lookup("LSTM"), OP_UNKNOWN);
    ck_assert_int_eq(op_lookup("conv"), OP_UNKNOWN); /* case matters in ONNX */
    ck_assert_int_eq(op_lookup(""), OP_UNKNOWN);
    ck_assert_int_eq(op_lookup(NULL), OP_UNKNOWN);
    ck_assert_str_eq(op_name(OP_UNKNOWN), "Unknown");
    ck_assert_str_eq(op_name((op_code)999), "Unknown");
}
END_TEST

START_TEST(test_infer_unknown_op_rejected)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 1, I64(4));
    tg_node(&b, "lstm0", "LSTM", 1, x);
    expect_reject(&b, "unsupported operator");
}
END_TEST

/* --- Conv ---------------------------------------------------------------------------- */

static void conv_graph(tg *b, int64_t c, int64_t h, int64_t w, int64_t m, int64_t cg, int64_t k, int bias)
{
    tg_init(b);
    uint32_t x = tg_x(b, 4, I64(1), c, h, w);
    uint32_t wt = tg_tensor(b, "w", TENSOR_WEIGHT, DT_FLOAT, 4, m, cg, k, k);
    uint32_t bt = bias ? tg_tensor(b, "b", TENSOR_WEIGHT, DT_FLOAT, 1, m) : GRAPH_NO_TENSOR;
    tg_node(b, "conv1", "Conv", 3, x, wt, bt);
}

START_TEST(test_conv_shapes_pads_strides_dilations)
{
    tg b;
    conv_graph(&b, 3, 8, 8, 4, 3, 3, 1);
    tg_ints(&b, "pads", 4, I64(1), I64(1), I64(1), I64(1));
    expect_shape(&b, 4, I64(1), I64(4), I64(8), I64(8));

    conv_graph(&b, 3, 8, 9, 4, 3, 3, 0);
    tg_ints(&b, "strides", 2, I64(2), I64(2));
    tg_ints(&b, "pads", 4, I64(0), I64(1), I64(1), I64(0));
    tg_ints(&b, "dilations", 2, I64(2), I64(1));
    tg_ints(&b, "kernel_shape", 2, I64(3), I64(3));
    /* h: (8 + 1 - 4 - 1) / 2 + 1 = 3; w: (9 + 1 - 2 - 1) / 2 + 1 = 4 */
    expect_shape(&b, 4, I64(1), I64(4), I64(3), I64(4));
}
END_TEST

START_TEST(test_conv_auto_pad_modes)
{
    static const char *modes[] = {"SAME_UPPER", "SAME_LOWER", "VALID", "NOTSET"};
    static const int64_t want[] = {4, 4, 3, 3};
    for (int i = 0; i < 4; i++) {
        tg b;
        conv_graph(&b, 2, 7, 7, 2, 2, 3, 0);
        tg_str(&b, "auto_pad", modes[i]);
        tg_ints(&b, "strides", 2, I64(2), I64(2));
        expect_shape(&b, 4, I64(1), I64(2), want[i], want[i]);
    }
}
END_TEST

START_TEST(test_conv_group_and_depthwise_accepted)
{
    tg b;
    conv_graph(&b, 4, 5, 5, 6, 2, 3, 1);
    tg_int(&b, "group", 2);
    expect_shape(&b, 4, I64(1), I64(6), I64(3), I64(3));
    conv_graph(&b, 8, 5, 5, 8, 1, 3, 1);
    tg_int(&b, "group", 8);
    tg_ints(&b, "pads", 4, I64(1), I64(1), I64(1), I64(1));
    expect_shape(&b, 4, I64(1), I64(8), I64(5), I64(5));
}
END_TEST

START_TEST(test_conv_wrong_input_count)
{
    tg b;
    conv_graph(&b, 3, 8, 8, 4, 3, 3, 0);
    b.node.n_inputs = 1;
    expect_reject(&b, "has 1 inputs, expected 2 to 3");
    conv_graph(&b, 3, 8, 8, 4, 3, 3, 0);
    b.node.n_inputs = 4;
    b.ins[3] = b.ins[0];
    expect_reject(&b, "has 4 inputs");
    conv_graph(&b, 3, 8, 8, 4, 3, 3, 0);
    b.ins[1] = GRAPH_NO_TENSOR;
    expect_reject(&b, "required input 1 is missing");
}
END_TEST

START_TEST(test_conv_rank_mismatch)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 3, I64(3), I64(8), I64(8));
    uint32_t w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 4, I64(4), I64(3), I64(3), I64(3));
    tg_node(&b, "conv_r", "Conv", 2, x, w);
    expect_reject(&b, "input 0 'x' has rank 3, expected 4");
}
END_TEST

START_TEST(test_conv_group_not_dividing_channels)
{
    tg b;
    conv_graph(&b, 16, 8, 8, 6, 5, 3, 0);
    tg_int(&b, "group", 3);
    expect_reject(&b, "attribute group=3 does not divide 16 input channels");
    conv_graph(&b, 6, 8, 8, 4, 2, 3, 0);
    tg_int(&b, "group", 3);
    expect_reject(&b, "group=3 does not divide 4 output channels");
    conv_graph(&b, 6, 8, 8, 6, 3, 3, 0);
    tg_int(&b, "group", 0);
    expect_reject(&b, "attribute group=0 out of range");
}
END_TEST

START_TEST(test_conv_weight_channel_and_bias_mismatch)
{
    tg b;
    conv_graph(&b, 4, 8, 8, 4, 3, 3, 0);
    expect_reject(&b, "weight has 3 input channels per group");
    conv_graph(&b, 3, 8, 8, 4, 3, 3, 1);
    b.t[2].dims[0] = 5;
    b.t[2].bytes = 20;
    expect_reject(&b, "bias has 5 values for 4 output channels");
    conv_graph(&b, 3, 8, 8, 4, 3, 3, 0);
    tg_ints(&b, "kernel_shape", 2, I64(5), I64(5));
    expect_reject(&b, "kernel_shape 5x5 does not match");
}
END_TEST

START_TEST(test_conv_negative_pads)
{
    tg b;
    conv_graph(&b, 3, 8, 8, 4, 3, 3, 0);
    tg_ints(&b, "pads", 4, I64(1), I64(-1), I64(1), I64(1));
    expect_reject(&b, "attribute pads[1]=-1 out of range");
}
END_TEST

START_TEST(test_conv_zero_stride_and_dilation)
{
    tg b;
    conv_graph(&b, 3, 8, 8, 4, 3, 3, 0);
    tg_ints(&b, "strides", 2, I64(1), I64(0));
    expect_reject(&b, "attribute strides[1]=0 out of range");
    conv_graph(&b, 3, 8, 8, 4, 3, 3, 0);
    tg_ints(&b, "dilations", 2, I64(0), I64(1));
    expect_reject(&b, "attribute dilations[0]=0 out of range");
    conv_graph(&b, 3, 8, 8, 4, 3, 3, 0);
    tg_ints(&b, "strides", 3, I64(1), I64(1), I64(1));
    expect_reject(&b, "attribute strides has 3 values, expected 2");
}
END_TEST

START_TEST(test_conv_kernel_larger_than_padded_input)
{
    tg b;
    conv_graph(&b, 3, 4, 4, 4, 3, 5, 0);
    expect_reject(&b, "kernel extent 5 exceeds padded input 4");
    conv_graph(&b, 3, 4, 4, 4, 3, 3, 0);
    tg_ints(&b, "dilations", 2, I64(3), I64(1));
    expect_reject(&b, "kernel extent 7 exceeds padded input 4");
    /* pads make it fit */
    conv_graph(&b, 3, 4, 4, 4, 3, 5, 0);
    tg_ints(&b, "pads", 4, I64(1), I64(1), I64(0), I64(0));
    expect_shape(&b, 4, I64(1), I64(4), I64(1), I64(1));
}
END_TEST

START_TEST(test_conv_unknown_auto_pad_and_pads_conflict)
{
    tg b;
    conv_graph(&b, 3, 8, 8, 4, 3, 3, 0);
    tg_str(&b, "auto_pad", "SAME");
    expect_reject(&b, "unsupported attribute value auto_pad=SAME");
    conv_graph(&b, 3, 8, 8, 4, 3, 3, 0);
    tg_str(&b, "auto_pad", "VALID");
    tg_ints(&b, "pads", 4, I64(1), I64(1), I64(1), I64(1));
    expect_reject(&b, "pads is not allowed with auto_pad");
}
END_TEST

START_TEST(test_attribute_unknown_wrong_type_duplicate)
{
    tg b;
    conv_graph(&b, 3, 8, 8, 4, 3, 3, 0);
    tg_int(&b, "channels_last", 1);
    expect_reject(&b, "unsupported attribute channels_last");
    conv_graph(&b, 3, 8, 8, 4, 3, 3, 0);
    tg_float(&b, "group", 1.0f);
    expect_reject(&b, "attribute group has type float, expected int");
    conv_graph(&b, 3, 8, 8, 4, 3, 3, 0);
    tg_int(&b, "group", 1);
    tg_int(&b, "group", 1);
    expect_reject(&b, "attribute group given twice");
}
END_TEST

/* --- input tensor checks (shared by every op) ---------------------------------------- */

START_TEST(test_input_tensor_hostile_fields)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 2, I64(3), I64(-4));
    tg_node(&b, "relu_neg", "Relu", 1, x);
    expect_reject(&b, "dim 1 = -4");

    tg_init(&b);
    x = tg_x(&b, 2, I64(3), I64(4));
    b.t[x].rank = 9;
    tg_node(&b, "relu_rank", "Relu", 1, x);
    expect_reject(&b, "rank 9, above 8");

    tg_init(&b);
    x = tg_x(&b, 2, I64(3), I64(4));
    b.t[x].bytes = 4;
    tg_node(&b, "relu_bytes", "Relu", 1, x);
    expect_reject(&b, "has 4 bytes, its shape needs 48");

    tg_init(&b);
    x = tg_x(&b, 1, I64(4));
    tg_node(&b, "relu_idx", "Relu", 1, x);
    b.ins[0] = 77;
    expect_reject(&b, "input 0 references tensor 77 of 2");

    tg_init(&b);
    x = tg_tensor(&b, "xi", TENSOR_INPUT, DT_INT64, 1, I64(4));
    tg_node(&b, "relu_dt", "Relu", 1, x);
    expect_reject(&b, "dtype int64, expected float32");

    tg_init(&b);
    x = tg_tensor(&b, "xq", TENSOR_INPUT, 77, 1, I64(4));
    tg_node(&b, "relu_dt2", "Relu", 1, x);
    expect_reject(&b, "unknown dtype 77");
}
END_TEST

START_TEST(test_dim_product_overflow)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 3, I64(65536), I64(65536), I64(2));
    tg_node(&b, "relu_big", "Relu", 1, x);
    expect_reject(&b, "more than 2147483647 elements");

    /* dims whose product wraps 64 bits */
    tg_init(&b);
    x = tg_x(&b, 4, I64(1) << 32, I64(1) << 32, I64(1) << 32, I64(16));
    b.t[x].bytes = 0;
    tg_node(&b, "relu_wrap", "Relu", 1, x);
    expect_reject(&b, "more than 2147483647 elements");

    /* inputs fine, broadcast output too large */
    tg_init(&b);
    uint32_t a = tg_x(&b, 2, I64(50000), I64(1));
    uint32_t c = tg_tensor(&b, "c", TENSOR_INPUT, DT_FLOAT, 2, I64(1), I64(50000));
    tg_node(&b, "add_big", "Add", 2, a, c);
    expect_reject(&b, "output has more than 2147483647 elements");
}
END_TEST

START_TEST(test_output_checks)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 1, I64(4));
    tg_node(&b, "relu_o", "Relu", 1, x);
    b.node.n_outputs = 2;
    expect_reject(&b, "has 2 outputs, expected 1");

    tg_init(&b);
    x = tg_x(&b, 1, I64(4));
    tg_node(&b, "relu_w", "Relu", 1, x);
    b.t[b.out].kind = TENSOR_WEIGHT;
    expect_reject(&b, "is not an activation tensor");

    tg_init(&b);
    x = tg_x(&b, 1, I64(4));
    tg_node(&b, "relu_self", "Relu", 1, x);
    b.out = x;
    expect_reject(&b, "output 0 is also input 0");
}
END_TEST

/* --- MatMul and Gemm -------------------------------------------------------------------- */

START_TEST(test_matmul_shapes)
{
    tg b;
    tg_init(&b);
    uint32_t a = tg_x(&b, 3, I64(2), I64(3), I64(4));
    uint32_t w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 2, I64(4), I64(5));
    tg_node(&b, "mm", "MatMul", 2, a, w);
    expect_shape(&b, 3, I64(2), I64(3), I64(5));

    tg_init(&b);
    a = tg_x(&b, 1, I64(4));
    w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 2, I64(4), I64(5));
    tg_node(&b, "mm1d", "MatMul", 2, a, w);
    expect_shape(&b, 1, I64(5));

    tg_init(&b);
    a = tg_x(&b, 1, I64(4));
    w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 1, I64(4));
    tg_node(&b, "dot", "MatMul", 2, a, w);
    expect_shape(&b, 0);

    tg_init(&b);
    a = tg_x(&b, 4, I64(2), I64(1), I64(3), I64(4));
    w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 3, I64(5), I64(4), I64(6));
    tg_node(&b, "mmb", "MatMul", 2, a, w);
    expect_shape(&b, 4, I64(2), I64(5), I64(3), I64(6));
}
END_TEST

START_TEST(test_matmul_rejects)
{
    tg b;
    tg_init(&b);
    uint32_t a = tg_x(&b, 2, I64(3), I64(4));
    uint32_t w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 2, I64(5), I64(6));
    tg_node(&b, "mm_k", "MatMul", 2, a, w);
    expect_reject(&b, "inner dims differ: 4 vs 5");

    tg_init(&b);
    a = tg_x(&b, 3, I64(2), I64(3), I64(4));
    w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 3, I64(3), I64(4), I64(6));
    tg_node(&b, "mm_b", "MatMul", 2, a, w);
    expect_reject(&b, "batch dims do not broadcast");

    tg_init(&b);
    a = tg_x(&b, 0);
    w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 1, I64(1));
    tg_node(&b, "mm_0", "MatMul", 2, a, w);
    expect_reject(&b, "rank 0, expected 1 to 8");
}
END_TEST

START_TEST(test_gemm_shapes_and_c_broadcast)
{
    tg b;
    tg_init(&b);
    uint32_t a = tg_x(&b, 2, I64(4), I64(3)); /* transA: A' is [3,4] */
    uint32_t w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 2, I64(5), I64(4));
    uint32_t c = tg_tensor(&b, "c", TENSOR_WEIGHT, DT_FLOAT, 1, I64(5));
    tg_node(&b, "fc", "Gemm", 3, a, w, c);
    tg_int(&b, "transA", 1);
    tg_int(&b, "transB", 1);
    tg_float(&b, "alpha", 0.5f);
    expect_shape(&b, 2, I64(3), I64(5));

    b.t[c].dims[0] = 3;
    b.t[c].bytes = 12;
    expect_reject(&b, "input 2 does not broadcast to 3x5");

    tg_init(&b);
    a = tg_x(&b, 2, I64(4), I64(3));
    w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 2, I64(5), I64(4));
    tg_node(&b, "fc2", "Gemm", 2, a, w);
    expect_reject(&b, "inner dims differ: 3 vs 5");
    tg_int(&b, "transA", 2);
    expect_reject(&b, "attribute transA=2 out of range");
}
END_TEST

/* --- elementwise ------------------------------------------------------------------------- */

START_TEST(test_binary_broadcast_shapes)
{
    tg b;
    tg_init(&b);
    uint32_t a = tg_x(&b, 2, I64(3), I64(1));
    uint32_t c = tg_tensor(&b, "c", TENSOR_WEIGHT, DT_FLOAT, 2, I64(1), I64(4));
    tg_node(&b, "add", "Add", 2, a, c);
    expect_shape(&b, 2, I64(3), I64(4));

    tg_init(&b);
    a = tg_x(&b, 4, I64(2), I64(3), I64(5), I64(5));
    c = tg_tensor(&b, "c", TENSOR_WEIGHT, DT_FLOAT, 3, I64(3), I64(1), I64(1));
    tg_node(&b, "mul", "Mul", 2, a, c);
    expect_shape(&b, 4, I64(2), I64(3), I64(5), I64(5));

    tg_init(&b);
    a = tg_x(&b, 0);
    c = tg_tensor(&b, "c", TENSOR_WEIGHT, DT_FLOAT, 1, I64(7));
    tg_node(&b, "div", "Div", 2, a, c);
    expect_shape(&b, 1, I64(7));

    tg_init(&b);
    a = tg_x(&b, 2, I64(3), I64(4));
    c = tg_tensor(&b, "c", TENSOR_WEIGHT, DT_FLOAT, 1, I64(3));
    tg_node(&b, "sub_bad", "Sub", 2, a, c);
    expect_reject(&b, "shapes do not broadcast: dim 1 is 4 vs 3");

    tg_init(&b);
    a = tg_x(&b, 2, I64(3), I64(4));
    tg_node(&b, "add_one", "Add", 1, a);
    expect_reject(&b, "has 1 inputs, expected 2");

    tg_init(&b);
    a = tg_x(&b, 1, I64(3));
    c = tg_tensor(&b, "c", TENSOR_WEIGHT, DT_FLOAT, 1, I64(3));
    tg_node(&b, "add_legacy", "Add", 2, a, c);
    tg_int(&b, "broadcast", 1);
    expect_reject(&b, "unsupported attribute broadcast");
}
END_TEST

START_TEST(test_unary_and_hardsigmoid)
{
    static const char *ops[] = {"Relu", "Sigmoid", "Tanh", "HardSigmoid"};
    for (int i = 0; i < 4; i++) {
        tg b;
        tg_init(&b);
        uint32_t x = tg_x(&b, 3, I64(2), I64(3), I64(4));
        tg_node(&b, "act", ops[i], 1, x);
        expect_shape(&b, 3, I64(2), I64(3), I64(4));
        b.node.n_inputs = 2;
        b.ins[1] = x;
        expect_reject(&b, "has 2 inputs, expected 1");
    }
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 1, I64(4));
    tg_node(&b, "hs", "HardSigmoid", 1, x);
    tg_float(&b, "alpha", NAN);
    expect_reject(&b, "attribute alpha is NaN");
}
END_TEST

START_TEST(test_clip_attributes_and_inputs)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 2, I64(2), I64(3));
    tg_node(&b, "clip6", "Clip", 1, x);
    tg_float(&b, "min", 0.0f);
    tg_float(&b, "max", 6.0f);
    expect_shape(&b, 2, I64(2), I64(3));

    tg_init(&b);
    x = tg_x(&b, 2, I64(2), I64(3));
    uint32_t lo = tg_weight_f32(&b, "lo", 0.0f);
    tg_node(&b, "clip11", "Clip", 3, x, lo, GRAPH_NO_TENSOR);
    expect_shape(&b, 2, I64(2), I64(3));
    tg_float(&b, "min", 1.0f);
    expect_reject(&b, "bound given both as attribute and as input");

    tg_init(&b);
    x = tg_x(&b, 2, I64(2), I64(3));
    uint32_t v = tg_tensor(&b, "v", TENSOR_WEIGHT, DT_FLOAT, 1, I64(2));
    tg_node(&b, "clipv", "Clip", 2, x, v);
    expect_reject(&b, "must hold one element");
}
END_TEST

START_TEST(test_softmax_axis_range)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 3, I64(2), I64(3), I64(4));
    tg_node(&b, "sm", "Softmax", 1, x);
    expect_shape(&b, 3, I64(2), I64(3), I64(4));
    tg_int(&b, "axis", -3);
    expect_shape(&b, 3, I64(2), I64(3), I64(4));
    b.attrs[0].v.i = 3;
    expect_reject(&b, "attribute axis=3 out of range for rank 3");
    b.attrs[0].v.i = -4;
    expect_reject(&b, "attribute axis=-4 out of range");
}
END_TEST

/* --- pools and normalisation ----------------------------------------------------------- */

static void pool_graph(tg *b, const char *op, int64_t h, int64_t w, int64_t k)
{
    tg_init(b);
    uint32_t x = tg_x(b, 4, I64(1), I64(2), h, w);
    tg_node(b, "pool1", op, 1, x);
    tg_ints(b, "kernel_shape", 2, k, k);
}

START_TEST(test_pool_shapes_ceil_mode_and_auto_pad)
{
    tg b;
    pool_graph(&b, "MaxPool", 8, 8, 3);
    tg_ints(&b, "strides", 2, I64(2), I64(2));
    tg_ints(&b, "pads", 4, I64(1), I64(1), I64(1), I64(1));
    expect_shape(&b, 4, I64(1), I64(2), I64(4), I64(4));

    pool_graph(&b, "MaxPool", 5, 6, 2);
    tg_ints(&b, "strides", 2, I64(2), I64(2));
    tg_ints(&b, "pads", 4, I64(1), I64(1), I64(1), I64(1));
    tg_int(&b, "ceil_mode", 1);
    /* h: ceil(5/2)+1 = 4 but the last window starts in the padding -> 3; w: ceil(6/2)+1 = 4 */
    expect_shape(&b, 4, I64(1), I64(2), I64(3), I64(4));

    pool_graph(&b, "AveragePool", 7, 7, 3);
    tg_ints(&b, "strides", 2, I64(2), I64(2));
    tg_int(&b, "count_include_pad", 1);
    tg_str(&b, "auto_pad", "SAME_UPPER");
    expect_shape(&b, 4, I64(1), I64(2), I64(4), I64(4));

    pool_graph(&b, "AveragePool", 7, 7, 3);
    tg_int(&b, "ceil_mode", 1);
    tg_ints(&b, "strides", 2, I64(3), I64(3));
    expect_shape(&b, 4, I64(1), I64(2), I64(3), I64(3));
}
END_TEST

START_TEST(test_pool_rejects)
{
    tg b;
    pool_graph(&b, "MaxPool", 4, 4, 5);
    expect_reject(&b, "kernel extent 5 exceeds padded input 4");

    pool_graph(&b, "MaxPool", 8, 8, 2);
    tg_ints(&b, "pads", 4, I64(2), I64(0), I64(0), I64(0));
    expect_reject(&b, "must be smaller than the window 2");

    pool_graph(&b, "AveragePool", 8, 8, 2);
    tg_ints(&b, "strides", 2, I64(0), I64(1));
    expect_reject(&b, "attribute strides[0]=0 out of range");

    pool_graph(&b, "AveragePool", 8, 8, 2);
    tg_int(&b, "count_include_pad", 2);
    expect_reject(&b, "attribute count_include_pad=2 out of range");

    pool_graph(&b, "MaxPool", 8, 8, 2);
    tg_int(&b, "storage_order", 3);
    expect_reject(&b, "attribute storage_order=3 out of range");

    pool_graph(&b, "AveragePool", 8, 8, 2);
    tg_int(&b, "storage_order", 0);
    expect_reject(&b, "unsupported attribute storage_order");

    pool_graph(&b, "MaxPool", 8, 8, 2);
    tg_str(&b, "auto_pad", "same_upper");
    expect_reject(&b, "unsupported attribute value auto_pad=same_upper");

    tg_init(&b);
    uint32_t x = tg_x(&b, 4, I64(1), I64(2), I64(8), I64(8));
    tg_node(&b, "pool_nok", "MaxPool", 1, x);
    expect_reject(&b, "attribute kernel_shape is required");

    pool_graph(&b, "MaxPool", 8, 8, 2);
    b.node.n_outputs = 2; /* the Indices output */
    expect_reject(&b, "has 2 outputs, expected 1");
}
END_TEST

START_TEST(test_global_avgpool_and_batchnorm)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 4, I64(2), I64(3), I64(5), I64(6));
    tg_node(&b, "gap", "GlobalAveragePool", 1, x);
    expect_shape(&b, 4, I64(2), I64(3), I64(1), I64(1));

    tg_init(&b);
    x = tg_x(&b, 4, I64(2), I64(3), I64(5), I64(6));
    uint32_t p[4];
    for (int i = 0; i < 4; i++)
        p[i] = tg_tensor(&b, "p", TENSOR_WEIGHT, DT_FLOAT, 1, I64(3));
    tg_node(&b, "bn", "BatchNormalization", 5, x, p[0], p[1], p[2], p[3]);
    tg_float(&b, "epsilon", 1e-3f);
    tg_float(&b, "momentum", 0.9f);
    expect_shape(&b, 4, I64(2), I64(3), I64(5), I64(6));
    tg_int(&b, "training_mode", 1);
    expect_reject(&b, "attribute training_mode=1 out of range");
    b.node.n_attrs--;
    b.t[p[2]].dims[0] = 4;
    b.t[p[2]].bytes = 16;
    expect_reject(&b, "input 3 has 4 values for 3 channels");
    b.t[p[2]].dims[0] = 3;
    b.t[p[2]].bytes = 12;
    b.node.n_inputs = 4;
    expect_reject(&b, "has 4 inputs, expected 5");
}
END_TEST

/* --- Reshape and Flatten ----------------------------------------------------------------- */

static void reshape_graph(tg *b, const int64_t *shape, uint32_t count)
{
    tg_init(b);
    uint32_t x = tg_x(b, 3, I64(2), I64(3), I64(4));
    uint32_t s = tg_weight_i64(b, "shape", shape, count);
    tg_node(b, "reshape1", "Reshape", 2, x, s);
}

START_TEST(test_reshape_zero_and_minus_one)
{
    tg b;
    int64_t s1[2] = {0, -1};
    reshape_graph(&b, s1, 2);
    expect_shape(&b, 2, I64(2), I64(12));
    int64_t s2[4] = {-1, 2, 2, 1};
    reshape_graph(&b, s2, 4);
    expect_shape(&b, 4, I64(6), I64(2), I64(2), I64(1));
    int64_t s3[1] = {24};
    reshape_graph(&b, s3, 1);
    expect_shape(&b, 1, I64(24));
    /* opset < 5: the shape as an attribute */
    tg_init(&b);
    uint32_t x = tg_x(&b, 2, I64(4), I64(6));
    tg_node(&b, "reshape_attr", "Reshape", 1, x);
    tg_ints(&b, "shape", 3, I64(2), I64(-1), I64(3));
    expect_shape(&b, 3, I64(2), I64(4), I64(3));
}
END_TEST

START_TEST(test_reshape_rejects)
{
    tg b;
    int64_t two_neg[3] = {-1, -1, 4};
    reshape_graph(&b, two_neg, 3);
    expect_reject(&b, "shape has more than one -1");

    int64_t bad_count[2] = {5, 5};
    reshape_graph(&b, bad_count, 2);
    expect_reject(&b, "shape holds 25 elements, input has 24");

    int64_t nodiv[2] = {5, -1};
    reshape_graph(&b, nodiv, 2);
    expect_reject(&b, "cannot infer the -1 dim");

    int64_t neg[2] = {-2, 12};
    reshape_graph(&b, neg, 2);
    expect_reject(&b, "shape dim 0 is -2");

    int64_t zero_past[4] = {2, 3, 4, 0};
    reshape_graph(&b, zero_past, 4);
    expect_reject(&b, "shape dim 3 is 0 but the input has rank 3");

    int64_t huge[3] = {INT64_MAX, INT64_MAX, 4};
    reshape_graph(&b, huge, 3);
    expect_reject(&b, "shape has more than 2147483647 elements");

    int64_t ok[2] = {0, -1};
    reshape_graph(&b, ok, 2);
    b.t[1].kind = TENSOR_ACTIVATION;
    expect_reject(&b, "shape input 'shape' is not a constant weight");

    reshape_graph(&b, ok, 2);
    b.t[1].offset = sizeof(b.weights) - 8;
    expect_reject(&b, "lies outside the weights");

    reshape_graph(&b, ok, 2);
    b.t[1].dtype = DT_INT32;
    b.t[1].bytes = 8;
    expect_reject(&b, "dtype int32, expected int64");

    reshape_graph(&b, ok, 2);
    tg_int(&b, "allowzero", 1);
    expect_reject(&b, "allowzero=1");

    tg_init(&b);
    uint32_t x = tg_x(&b, 3, I64(2), I64(3), I64(4));
    tg_node(&b, "reshape_noshape", "Reshape", 1, x);
    expect_reject(&b, "shape input is missing");
}
END_TEST

START_TEST(test_flatten_axes)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 3, I64(2), I64(3), I64(4));
    tg_node(&b, "flat", "Flatten", 1, x);
    expect_shape(&b, 2, I64(2), I64(12));
    tg_int(&b, "axis", 0);
    expect_shape(&b, 2, I64(1), I64(24));
    b.attrs[0].v.i = 3;
    expect_shape(&b, 2, I64(24), I64(1));
    b.attrs[0].v.i = -1;
    expect_shape(&b, 2, I64(6), I64(4));
    b.attrs[0].v.i = 4;
    expect_reject(&b, "attribute axis=4 out of range for rank 3");
}
END_TEST

/* --- Transpose and Concat ------------------------------------------------------------------ */

START_TEST(test_transpose_perm)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 4, I64(2), I64(3), I64(4), I64(5));
    tg_node(&b, "tr", "Transpose", 1, x);
    expect_shape(&b, 4, I64(5), I64(4), I64(3), I64(2));
    tg_ints(&b, "perm", 4, I64(0), I64(2), I64(3), I64(1));
    expect_shape(&b, 4, I64(2), I64(4), I64(5), I64(3));
    b.ints[0][3] = 2; /* duplicate axis */
    expect_reject(&b, "attribute perm is not a permutation");
    b.ints[0][3] = 4; /* out of range */
    expect_reject(&b, "attribute perm is not a permutation");
    b.ints[0][3] = -1;
    expect_reject(&b, "attribute perm is not a permutation");
    b.attrs[0].count = 3;
    expect_reject(&b, "attribute perm has 3 values for rank 4");
}
END_TEST

START_TEST(test_concat_axes)
{
    tg b;
    tg_init(&b);
    uint32_t a = tg_x(&b, 3, I64(2), I64(3), I64(4));
    uint32_t c = tg_tensor(&b, "c", TENSOR_WEIGHT, DT_FLOAT, 3, I64(2), I64(5), I64(4));
    tg_node(&b, "cat", "Concat", 2, a, c);
    tg_int(&b, "axis", 1);
    expect_shape(&b, 3, I64(2), I64(8), I64(4));
    b.attrs[0].v.i = -2;
    expect_shape(&b, 3, I64(2), I64(8), I64(4));
    b.attrs[0].v.i = 2;
    expect_reject(&b, "input 1 dim 1 is 5, input 0 has 3");
    b.attrs[0].v.i = 3;
    expect_reject(&b, "attribute axis=3 out of range for rank 3");
    b.attrs[0].v.i = -4;
    expect_reject(&b, "attribute axis=-4 out of range");
    b.node.n_attrs = 0;
    expect_reject(&b, "attribute axis is required");

    tg_init(&b);
    a = tg_x(&b, 2, I64(2), I64(3));
    c = tg_tensor(&b, "c", TENSOR_WEIGHT, DT_FLOAT, 3, I64(2), I64(3), I64(1));
    tg_node(&b, "cat_rank", "Concat", 2, a, c);
    tg_int(&b, "axis", 0);
    expect_reject(&b, "input 1 'c' has rank 3, expected 2");

    tg_init(&b);
    a = tg_x(&b, 2, I64(2), I64(3));
    c = tg_tensor(&b, "c", TENSOR_WEIGHT, DT_INT64, 2, I64(2), I64(3));
    tg_node(&b, "cat_dt", "Concat", 2, a, c);
    tg_int(&b, "axis", 0);
    expect_reject(&b, "dtype int64, expected float32");
}
END_TEST

/* --- op_run dispatch ------------------------------------------------------------------------ */

/* Conv through op_run with auto_pad: SAME_UPPER pads after, SAME_LOWER before. */
START_TEST(test_run_conv_same_upper_vs_lower)
{
    static const char *modes[2] = {"SAME_UPPER", "SAME_LOWER"};
    static const float want[2][4] = {{9, 6, 6, 4}, {4, 6, 6, 9}};
    for (int i = 0; i < 2; i++) {
        tg b;
        tg_init(&b);
        uint32_t x = tg_x(&b, 4, I64(1), I64(1), I64(4), I64(4));
        uint32_t w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 4, I64(1), I64(1), I64(3), I64(3));
        tg_node(&b, "conv_same", "Conv", 2, x, w);
        tg_str(&b, "auto_pad", modes[i]);
        tg_ints(&b, "strides", 2, I64(2), I64(2));
        expect_shape(&b, 4, I64(1), I64(1), I64(2), I64(2));
        float xin[16], win[9], y[4];
        for (int k = 0; k < 16; k++)
            xin[k] = 1.0f;
        for (int k = 0; k < 9; k++)
            win[k] = 1.0f;
        const void *in[2] = {xin, win};
        void *out[1] = {y};
        op_run(&b.g, &b.node, in, out);
        for (int k = 0; k < 4; k++)
            ck_assert_msg(tu_close(y[k], want[i][k], 1e-5f, 1e-6f), "%s y[%d]=%g", modes[i], k, (double)y[k]);
    }
}
END_TEST

START_TEST(test_run_clip_with_input_bounds)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 1, I64(5));
    uint32_t lo = tg_weight_f32(&b, "lo", 0.0f);
    uint32_t hi = tg_weight_f32(&b, "hi", 6.0f);
    tg_node(&b, "relu6", "Clip", 3, x, lo, hi);
    expect_shape(&b, 1, I64(5));
    float xin[5] = {-3, 0.5f, 6, 7, 2}, y[5], vlo = 0.0f, vhi = 6.0f;
    const void *in[3] = {xin, &vlo, &vhi};
    void *out[1] = {y};
    op_run(&b.g, &b.node, in, out);
    const float want[5] = {0, 0.5f, 6, 6, 2};
    for (int k = 0; k < 5; k++)
        ck_assert_float_eq(y[k], want[k]);
    /* only a max: no lower bound */
    b.ins[1] = GRAPH_NO_TENSOR;
    in[1] = NULL;
    ck_assert_int_eq(tg_infer(&b), 0);
    op_run(&b.g, &b.node, in, out);
    ck_assert_float_eq(y[0], -3.0f);
}
END_TEST

START_TEST(test_run_matmul_1d_and_gemm)
{
    tg b;
    tg_init(&b);
    uint32_t a = tg_x(&b, 1, I64(3));
    uint32_t w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 2, I64(3), I64(2));
    tg_node(&b, "vecmat", "MatMul", 2, a, w);
    expect_shape(&b, 1, I64(2));
    float av[3] = {1, 2, 3}, wv[6] = {1, 2, 3, 4, 5, 6}, y[6];
    const void *in[3] = {av, wv, NULL};
    void *out[1] = {y};
    op_run(&b.g, &b.node, in, out);
    ck_assert_float_eq(y[0], 22.0f); /* 1*1 + 2*3 + 3*5 */
    ck_assert_float_eq(y[1], 28.0f);

    /* Gemm: [2,3]' x ... with transA: A stored [3,2]; C per column [2] */
    tg_init(&b);
    a = tg_x(&b, 2, I64(3), I64(2));
    w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 2, I64(3), I64(2));
    uint32_t c = tg_tensor(&b, "c", TENSOR_WEIGHT, DT_FLOAT, 1, I64(2));
    tg_node(&b, "gemm", "Gemm", 3, a, w, c);
    tg_int(&b, "transA", 1);
    tg_float(&b, "beta", 2.0f);
    expect_shape(&b, 2, I64(2), I64(2));
    float am[6] = {1, 0, 0, 1, 1, 1}, cv[2] = {10, 20};
    in[0] = am;
    in[2] = cv;
    op_run(&b.g, &b.node, in, out);
    /* A' = [[1,0,1],[0,1,1]]; A'W = [[6,8],[8,10]]; + 2*C */
    ck_assert_float_eq(y[0], 26.0f);
    ck_assert_float_eq(y[1], 48.0f);
    ck_assert_float_eq(y[2], 28.0f);
    ck_assert_float_eq(y[3], 50.0f);
}
END_TEST

START_TEST(test_run_reshape_transpose_concat_avgpool)
{
    tg b;
    int64_t shape[2] = {3, -1};
    reshape_graph(&b, shape, 2);
    expect_shape(&b, 2, I64(3), I64(8));
    float x[24], y[24];
    for (int k = 0; k < 24; k++)
        x[k] = (float)k;
    const void *in[2] = {x, NULL};
    void *out[1] = {y};
    op_run(&b.g, &b.node, in, out);
    ck_assert_int_eq(memcmp(x, y, sizeof(x)), 0);

    tg_init(&b);
    uint32_t t = tg_x(&b, 2, I64(2), I64(3));
    tg_node(&b, "tr", "Transpose", 1, t);
    expect_shape(&b, 2, I64(3), I64(2));
    op_run(&b.g, &b.node, in, out);
    const float tw[6] = {0, 3, 1, 4, 2, 5};
    for (int k = 0; k < 6; k++)
        ck_assert_float_eq(y[k], tw[k]);

    tg_init(&b);
    uint32_t a = tg_x(&b, 2, I64(2), I64(1));
    uint32_t c = tg_tensor(&b, "c", TENSOR_WEIGHT, DT_FLOAT, 2, I64(2), I64(2));
    tg_node(&b, "cat", "Concat", 2, a, c);
    tg_int(&b, "axis", -1);
    expect_shape(&b, 2, I64(2), I64(3));
    float av[2] = {100, 200};
    in[0] = av;
    in[1] = x;
    op_run(&b.g, &b.node, in, out);
    const float cw[6] = {100, 0, 1, 200, 2, 3};
    for (int k = 0; k < 6; k++)
        ck_assert_float_eq(y[k], cw[k]);

    /* 2x2 input, 2x2 window, pads 1 at the end: count_include_pad divides by 4 vs by the inside cells */
    for (int cip = 0; cip < 2; cip++) {
        tg_init(&b);
        uint32_t p = tg_x(&b, 4, I64(1), I64(1), I64(2), I64(2));
        tg_node(&b, "avg", "AveragePool", 1, p);
        tg_ints(&b, "kernel_shape", 2, I64(2), I64(2));
        tg_ints(&b, "strides", 2, I64(2), I64(2));
        tg_ints(&b, "pads", 4, I64(1), I64(1), I64(0), I64(0));
        tg_int(&b, "count_include_pad", cip);
        expect_shape(&b, 4, I64(1), I64(1), I64(1), I64(1));
        float pv[4] = {4, 8, 12, 16};
        in[0] = pv;
        op_run(&b.g, &b.node, in, out);
        ck_assert_float_eq(y[0], cip ? 1.0f : 4.0f);
    }
}
END_TEST

/*
 * A Conv with several input channels per group goes through op_run's
 * per-thread im2col scratch; two threads at once must each get the result
 * of the scratch-free direct kernel.
 */
typedef struct conv_job {
    tg *b;
    const float *x, *w, *bias;
    float *y;
} conv_job;

static void *conv_job_run(void *arg)
{
    conv_job *j = arg;
    const void *in[3] = {j->x, j->w, j->bias};
    void *out[1] = {j->y};
    for (int rep = 0; rep < 3; rep++)
        op_run(&j->b->g, &j->b->node, in, out);
    return NULL;
}

START_TEST(test_run_conv_im2col_in_threads_matches_direct)
{
    tg b;
    conv_graph(&b, 4, 9, 8, 6, 2, 3, 1);
    tg_int(&b, "group", 2);
    tg_ints(&b, "strides", 2, I64(2), I64(1));
    tg_ints(&b, "pads", 4, I64(1), I64(0), I64(2), I64(1));
    expect_shape(&b, 4, I64(1), I64(6), I64(5), I64(7)); /* h: (9 + 1 + 2 - 3) / 2 + 1 */

    uint64_t st = 7;
    float x[4 * 9 * 8], w[6 * 2 * 3 * 3], bias[6], y0[6 * 35], y1[6 * 35], want[6 * 35];
    for (size_t i = 0; i < sizeof(x) / 4; i++)
        x[i] = tu_randf(&st, -1, 1);
    for (size_t i = 0; i < sizeof(w) / 4; i++)
        w[i] = tu_randf(&st, -1, 1);
    for (size_t i = 0; i < 6; i++)
        bias[i] = tu_randf(&st, -1, 1);
    k_conv2d_shape s = {.n = 1, .c = 4, .h = 9, .w = 8, .m = 6, .kh = 3, .kw = 3, .oh = 5, .ow = 7, .group = 2,
                        .stride_h = 2, .stride_w = 1, .pad_t = 1, .pad_l = 0, .dil_h = 1, .dil_w = 1};
    ck_assert_uint_gt(k_conv2d_scratch_want(&s), 0);
    k_conv2d(&s, x, w, bias, want, NULL, 0);

    conv_job j0 = {&b, x, w, bias, y0}, j1 = {&b, x, w, bias, y1};
    pthread_t t0, t1;
    ck_assert_int_eq(pthread_create(&t0, NULL, conv_job_run, &j0), 0);
    ck_assert_int_eq(pthread_create(&t1, NULL, conv_job_run, &j1), 0);
    pthread_join(t0, NULL);
    pthread_join(t1, NULL);
    conv_job_run(&j0); /* and on this thread */
    for (int i = 0; i < 6 * 35; i++) {
        ck_assert_msg(tu_close(y0[i], want[i], 1e-4f, 1e-5f), "y0[%d]=%g want %g", i, (double)y0[i],
                      (double)want[i]);
        ck_assert_msg(tu_close(y1[i], want[i], 1e-4f, 1e-5f), "y1[%d]=%g want %g", i, (double)y1[i],
                      (double)want[i]);
    }
}
END_TEST

/* --- operators for imported ONNX models --------------------------------------------------- */

/* Pointer to a weight's bytes in the builder, for op_run. */
static const void *tg_wptr(tg *b, uint32_t t)
{
    return b->weights + b->t[t].offset;
}

START_TEST(test_convtranspose_shapes)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 4, I64(1), I64(1), I64(3), I64(3));
    uint32_t w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 4, I64(1), I64(2), I64(3), I64(3));
    tg_node(&b, "ct", "ConvTranspose", 2, x, w);
    expect_shape(&b, 4, I64(1), I64(2), I64(5), I64(5));
    tg_ints(&b, "strides", 2, I64(3), I64(2));
    tg_ints(&b, "output_padding", 2, I64(1), I64(1));
    expect_shape(&b, 4, I64(1), I64(2), I64(10), I64(8));
    b.node.n_attrs = 1;
    tg_ints(&b, "pads", 4, I64(1), I64(2), I64(1), I64(2));
    expect_shape(&b, 4, I64(1), I64(2), I64(7), I64(3));
    b.node.n_attrs = 1;
    tg_ints(&b, "output_shape", 2, I64(10), I64(8));
    expect_shape(&b, 4, I64(1), I64(2), I64(10), I64(8));
    b.attrs[1].count = 4;
    b.ints[1][0] = 1, b.ints[1][1] = 2, b.ints[1][2] = 10, b.ints[1][3] = 8;
    expect_shape(&b, 4, I64(1), I64(2), I64(10), I64(8));
    b.ints[1][1] = 3;
    expect_reject(&b, "output_shape gives N, C = 1, 3");
    b.attrs[1].count = 3;
    expect_reject(&b, "output_shape has 3 values");

    tg_init(&b);
    x = tg_x(&b, 4, I64(1), I64(1), I64(3), I64(3));
    w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 4, I64(1), I64(2), I64(3), I64(3));
    tg_node(&b, "ct_same", "ConvTranspose", 2, x, w);
    tg_str(&b, "auto_pad", "SAME_UPPER");
    tg_ints(&b, "strides", 2, I64(2), I64(2));
    expect_shape(&b, 4, I64(1), I64(2), I64(6), I64(6));
    b.attrs[0].v.s = "VALID";
    expect_shape(&b, 4, I64(1), I64(2), I64(7), I64(7));

    /* groups: weight [C, M/group, k, k] */
    tg_init(&b);
    x = tg_x(&b, 4, I64(2), I64(4), I64(5), I64(5));
    w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 4, I64(4), I64(3), I64(3), I64(3));
    uint32_t bias = tg_tensor(&b, "bias", TENSOR_WEIGHT, DT_FLOAT, 1, I64(6));
    tg_node(&b, "ct_g", "ConvTranspose", 3, x, w, bias);
    tg_int(&b, "group", 2);
    tg_ints(&b, "dilations", 2, I64(2), I64(1));
    expect_shape(&b, 4, I64(2), I64(6), I64(9), I64(7));
    b.attrs[0].v.i = 3;
    expect_reject(&b, "group=3 does not divide 4 input channels");
    b.attrs[0].v.i = 1;
    expect_reject(&b, "bias has 6 values for 3 output channels");
}
END_TEST

START_TEST(test_convtranspose_rejects)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 4, I64(1), I64(2), I64(3), I64(3));
    uint32_t w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 4, I64(3), I64(2), I64(3), I64(3));
    tg_node(&b, "ct_c", "ConvTranspose", 2, x, w);
    expect_reject(&b, "weight has 3 input channels, input has 2");

    tg_init(&b);
    x = tg_x(&b, 4, I64(1), I64(1), I64(3), I64(3));
    w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 4, I64(1), I64(2), I64(3), I64(3));
    tg_node(&b, "ct_p", "ConvTranspose", 2, x, w);
    tg_ints(&b, "pads", 4, I64(3), I64(0), I64(2), I64(0));
    expect_reject(&b, "pads leave no output on spatial axis 0");
    tg_str(&b, "auto_pad", "SAME_LOWER");
    expect_reject(&b, "pads is not allowed with auto_pad");
    b.node.n_attrs = 1;
    tg_ints(&b, "output_shape", 2, I64(5), I64(5));
    expect_reject(&b, "pads is not allowed with output_shape");
    b.node.n_attrs = 0;
    tg_ints(&b, "kernel_shape", 2, I64(2), I64(3));
    expect_reject(&b, "kernel_shape 2x3 does not match the weight's 3x3");
    b.node.n_attrs = 0;
    tg_ints(&b, "output_padding", 2, I64(-1), I64(0));
    expect_reject(&b, "output_padding[0]=-1 out of range");
    b.node.n_attrs = 0;
    tg_ints(&b, "strides", 2, I64(1) << 31, I64(1));
    expect_reject(&b, "strides[0]=2147483648 out of range");
}
END_TEST

/* op_run against the kernel called with the pads ONNX's formulas give. */
START_TEST(test_run_convtranspose_output_shape_and_same_upper)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 4, I64(1), I64(1), I64(3), I64(3));
    uint32_t w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 4, I64(1), I64(2), I64(3), I64(3));
    tg_node(&b, "ct_same", "ConvTranspose", 2, x, w);
    tg_str(&b, "auto_pad", "SAME_UPPER");
    tg_ints(&b, "strides", 2, I64(2), I64(2));
    expect_shape(&b, 4, I64(1), I64(2), I64(6), I64(6));
    float xv[9], wv[18], y[2 * 10 * 8], want[2 * 10 * 8];
    for (int i = 0; i < 9; i++)
        xv[i] = (float)i;
    for (int i = 0; i < 18; i++)
        wv[i] = 1.0f;
    const void *in[2] = {xv, wv};
    void *out[1] = {y};
    op_run(&b.g, &b.node, in, out);
    /* total padding 1: SAME_UPPER trims it from the end, so row 0 is the full result's row 0 */
    const float row0[6] = {0, 0, 1, 1, 3, 2};
    for (int i = 0; i < 6; i++)
        ck_assert_float_eq(y[i], row0[i]);

    /* output_shape one past the full 9x7 result: pads (0, 0) in front, the extra row and column are zero */
    tg_init(&b);
    x = tg_x(&b, 4, I64(1), I64(1), I64(3), I64(3));
    w = tg_tensor(&b, "w", TENSOR_WEIGHT, DT_FLOAT, 4, I64(1), I64(2), I64(3), I64(3));
    tg_node(&b, "ct_os", "ConvTranspose", 2, x, w);
    tg_ints(&b, "output_shape", 2, I64(10), I64(8));
    tg_ints(&b, "strides", 2, I64(3), I64(2));
    expect_shape(&b, 4, I64(1), I64(2), I64(10), I64(8));
    op_run(&b.g, &b.node, in, out);
    k_conv2d_shape s = {.n = 1, .c = 1, .h = 3, .w = 3, .m = 2, .kh = 3, .kw = 3, .oh = 10, .ow = 8, .group = 1,
                        .stride_h = 3, .stride_w = 2, .pad_t = 0, .pad_l = 0, .dil_h = 1, .dil_w = 1};
    k_conv_transpose2d(&s, xv, wv, NULL, want, NULL, 0);
    for (int i = 0; i < 160; i++)
        ck_assert_float_eq(y[i], want[i]);
    ck_assert_float_eq(y[9 * 8 + 3], 0.0f);
}
END_TEST

START_TEST(test_binary_int64_and_pow)
{
    tg b;
    tg_init(&b);
    uint32_t a = tg_tensor(&b, "a", TENSOR_INPUT, DT_INT64, 1, I64(3));
    int64_t two = 2;
    uint32_t c = tg_weight_i64(&b, "two", &two, 1);
    tg_node(&b, "div_i", "Div", 2, a, c);
    expect_shape(&b, 1, I64(3));
    ck_assert_int_eq(b.t[b.out].dtype, DT_INT64);
    int64_t av[3] = {7, -7, 8}, y[3];
    const void *in[2] = {av, tg_wptr(&b, c)};
    void *out[1] = {y};
    op_run(&b.g, &b.node, in, out);
    ck_assert_int_eq(y[0], 3);
    ck_assert_int_eq(y[1], -3);
    ck_assert_int_eq(y[2], 4);

    tg_init(&b);
    a = tg_tensor(&b, "a", TENSOR_INPUT, DT_INT64, 1, I64(3));
    c = tg_tensor(&b, "c", TENSOR_WEIGHT, DT_FLOAT, 1, I64(3));
    tg_node(&b, "add_mix", "Add", 2, a, c);
    expect_reject(&b, "dtype float32, expected int64");
    tg_init(&b);
    a = tg_tensor(&b, "a", TENSOR_INPUT, DT_INT32, 1, I64(3));
    tg_node(&b, "mul_i32", "Mul", 2, a, a);
    expect_reject(&b, "dtype int32, expected float32 or int64");

    tg_init(&b);
    a = tg_x(&b, 2, I64(2), I64(3));
    c = tg_weight_f32(&b, "e", 3.0f);
    tg_node(&b, "pow", "Pow", 2, a, c);
    expect_shape(&b, 2, I64(2), I64(3));
    float xv[6] = {1, 2, 3, -1, 0.5f, 0}, yv[6];
    in[0] = xv;
    in[1] = tg_wptr(&b, c);
    out[0] = yv;
    op_run(&b.g, &b.node, in, out);
    for (int i = 0; i < 6; i++)
        ck_assert_float_eq(yv[i], xv[i] * xv[i] * xv[i]);
    tg_init(&b);
    a = tg_x(&b, 1, I64(3));
    c = tg_tensor(&b, "e", TENSOR_WEIGHT, DT_INT64, 0);
    tg_node(&b, "pow_i", "Pow", 2, a, c);
    expect_reject(&b, "dtype int64, expected float32");

    tg_init(&b);
    a = tg_x(&b, 1, I64(2));
    tg_node(&b, "sqrt", "Sqrt", 1, a);
    expect_shape(&b, 1, I64(2));
    float sv[2] = {4, 9};
    in[0] = sv;
    op_run(&b.g, &b.node, in, out);
    ck_assert_float_eq(yv[0], 2.0f);
    ck_assert_float_eq(yv[1], 3.0f);
}
END_TEST

START_TEST(test_softmax_legacy_coerce2d)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 3, I64(2), I64(3), I64(2));
    tg_node(&b, "sm_old", "Softmax", 1, x);
    tg_int(&b, "_legacy_coerce2d", 1);
    expect_shape(&b, 3, I64(2), I64(3), I64(2));
    float xv[12], y[12], want[12];
    for (int i = 0; i < 12; i++)
        xv[i] = (float)(i % 5) * 0.3f;
    const void *in[1] = {xv};
    void *out[1] = {y};
    op_run(&b.g, &b.node, in, out);
    k_softmax(xv, want, 2, 6, 1); /* default axis 1: rows of 3*2 */
    for (int i = 0; i < 12; i++)
        ck_assert(tu_close(y[i], want[i], 1e-6f, 1e-7f));
    tg_int(&b, "axis", 0);
    op_run(&b.g, &b.node, in, out);
    k_softmax(xv, want, 1, 12, 1);
    for (int i = 0; i < 12; i++)
        ck_assert(tu_close(y[i], want[i], 1e-6f, 1e-7f));
    b.attrs[0].v.i = 2;
    expect_reject(&b, "attribute _legacy_coerce2d=2 out of range");
}
END_TEST

START_TEST(test_reducemean_axes_forms)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 3, I64(2), I64(3), I64(4));
    tg_node(&b, "rm", "ReduceMean", 1, x);
    expect_shape(&b, 3, I64(1), I64(1), I64(1));
    tg_ints(&b, "axes", 2, I64(0), I64(-1));
    expect_shape(&b, 3, I64(1), I64(3), I64(1));
    tg_int(&b, "keepdims", 0);
    expect_shape(&b, 1, I64(3));
    float xv[24], y[3];
    for (int i = 0; i < 24; i++)
        xv[i] = (float)i;
    const void *in[2] = {xv, NULL};
    void *out[1] = {y};
    op_run(&b.g, &b.node, in, out);
    /* mean over n and w of x[n][c][w] = 12n + 4c + w: 6 + 4c + 1.5 */
    for (int ch = 0; ch < 3; ch++)
        ck_assert_float_eq(y[ch], 7.5f + 4.0f * (float)ch);
    b.ints[0][1] = 3;
    expect_reject(&b, "axes[1]=3 out of range for rank 3");
    b.ints[0][1] = -3;
    expect_reject(&b, "axes repeats axis 0");

    /* opset 18: axes as a constant input, noop_with_empty_axes */
    tg_init(&b);
    x = tg_x(&b, 3, I64(2), I64(3), I64(4));
    int64_t ax[1] = {1};
    uint32_t at = tg_weight_i64(&b, "axes", ax, 1);
    tg_node(&b, "rm18", "ReduceMean", 2, x, at);
    expect_shape(&b, 3, I64(2), I64(1), I64(4));
    tg_ints(&b, "axes", 1, I64(1));
    expect_reject(&b, "axes given both as attribute and as input");
    b.node.n_attrs = 0;
    b.t[at].kind = TENSOR_ACTIVATION;
    expect_reject(&b, "axes input 'axes' is not a constant weight");
    b.t[at].kind = TENSOR_WEIGHT;
    b.t[at].offset = 4096;
    expect_reject(&b, "axes input 'axes' lies outside the weights");

    tg_init(&b);
    x = tg_x(&b, 2, I64(2), I64(3));
    tg_node(&b, "rm_noop", "ReduceMean", 2, x, GRAPH_NO_TENSOR);
    tg_int(&b, "noop_with_empty_axes", 1);
    expect_shape(&b, 2, I64(2), I64(3));
    in[0] = xv;
    float y6[6];
    out[0] = y6;
    op_run(&b.g, &b.node, in, out);
    for (int i = 0; i < 6; i++)
        ck_assert_float_eq(y6[i], xv[i]);
}
END_TEST

START_TEST(test_squeeze_unsqueeze_identity)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_tensor(&b, "x", TENSOR_INPUT, DT_INT64, 4, I64(1), I64(3), I64(1), I64(5));
    tg_node(&b, "sq", "Squeeze", 1, x);
    expect_shape(&b, 2, I64(3), I64(5));
    ck_assert_int_eq(b.t[b.out].dtype, DT_INT64);
    tg_ints(&b, "axes", 1, I64(-2));
    expect_shape(&b, 3, I64(1), I64(3), I64(5));
    b.ints[0][0] = 1;
    expect_reject(&b, "axes selects axis 1 of size 3, not 1");

    tg_init(&b);
    x = tg_x(&b, 4, I64(1), I64(3), I64(1), I64(5));
    int64_t ax[2] = {0, 2};
    uint32_t at = tg_weight_i64(&b, "axes", ax, 2);
    tg_node(&b, "sq13", "Squeeze", 2, x, at);
    expect_shape(&b, 2, I64(3), I64(5));

    tg_init(&b);
    x = tg_x(&b, 2, I64(3), I64(4));
    tg_node(&b, "usq", "Unsqueeze", 1, x);
    expect_reject(&b, "axes are required");
    tg_ints(&b, "axes", 2, I64(0), I64(-1));
    expect_shape(&b, 4, I64(1), I64(3), I64(4), I64(1));
    b.ints[0][1] = -4;
    expect_reject(&b, "axes repeats axis 0");
    b.ints[0][1] = 4;
    expect_reject(&b, "axes[1]=4 out of range for rank 4");

    tg_init(&b);
    x = tg_x(&b, 3, I64(3), I64(4), I64(5));
    int64_t ua[3] = {5, 4, 2};
    at = tg_weight_i64(&b, "axes", ua, 3);
    tg_node(&b, "usq13", "Unsqueeze", 2, x, at);
    expect_shape(&b, 6, I64(3), I64(4), I64(1), I64(5), I64(1), I64(1));

    tg_init(&b);
    x = tg_x(&b, 7, I64(1), I64(1), I64(1), I64(1), I64(1), I64(1), I64(2));
    tg_node(&b, "usq_big", "Unsqueeze", 1, x);
    tg_ints(&b, "axes", 2, I64(0), I64(1));
    expect_reject(&b, "output rank 9 is above 8");

    tg_init(&b);
    x = tg_tensor(&b, "x", TENSOR_INPUT, DT_INT64, 1, I64(3));
    tg_node(&b, "id", "Identity", 1, x);
    expect_shape(&b, 1, I64(3));
    int64_t v[3] = {4, 5, -6}, y[3];
    const void *in[1] = {v};
    void *out[1] = {y};
    op_run(&b.g, &b.node, in, out);
    ck_assert_int_eq(memcmp(v, y, sizeof(v)), 0);
}
END_TEST

START_TEST(test_slice_inputs_and_attributes)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 2, I64(4), I64(5));
    int64_t st[2] = {-1, 20}, en[2] = {INT64_MIN, 0}, ax[2] = {0, -1}, sp[2] = {-2, -2};
    uint32_t ts = tg_weight_i64(&b, "starts", st, 2), te = tg_weight_i64(&b, "ends", en, 2);
    uint32_t ta = tg_weight_i64(&b, "axes", ax, 2), tp = tg_weight_i64(&b, "steps", sp, 2);
    tg_node(&b, "sl", "Slice", 5, x, ts, te, ta, tp);
    /* axis 0: 3, 1; axis 1: start clamps to 4 -> 4, 2 */
    expect_shape(&b, 2, I64(2), I64(2));
    float xv[20], y[20];
    for (int i = 0; i < 20; i++)
        xv[i] = (float)i;
    const void *in[5] = {xv, tg_wptr(&b, ts), tg_wptr(&b, te), tg_wptr(&b, ta), tg_wptr(&b, tp)};
    void *out[1] = {y};
    op_run(&b.g, &b.node, in, out);
    const float want[4] = {19, 17, 9, 7};
    for (int i = 0; i < 4; i++)
        ck_assert_float_eq(y[i], want[i]);

    /* default axes and steps, ends past the end */
    b.node.n_inputs = 3;
    int64_t st2[2] = {1, 0}, en2[2] = {1000, -1};
    memcpy(b.weights + b.t[ts].offset, st2, sizeof(st2));
    memcpy(b.weights + b.t[te].offset, en2, sizeof(en2));
    expect_shape(&b, 2, I64(3), I64(4));
    b.node.n_inputs = 5;
    memcpy(b.weights + b.t[tp].offset, (int64_t[2]){1, 0}, 16);
    expect_reject(&b, "steps[1] is 0");
    memcpy(b.weights + b.t[tp].offset, sp, sizeof(sp));
    memcpy(b.weights + b.t[ts].offset, (int64_t[2]){0, 4}, 16);
    memcpy(b.weights + b.t[te].offset, (int64_t[2]){0, 0}, 16);
    expect_reject(&b, "slice of axis 0 is empty");
    b.t[ta].dims[0] = 1;
    b.t[ta].bytes = 8;
    expect_reject(&b, "have 2, 2, 1 and 2 values");
    b.t[ta].dims[0] = 2;
    b.t[ta].bytes = 16;
    b.t[ts].kind = TENSOR_INPUT;
    expect_reject(&b, "starts input 'starts' is not a constant weight");

    /* opset < 10: attributes, int64 data */
    tg_init(&b);
    x = tg_tensor(&b, "x", TENSOR_INPUT, DT_INT64, 1, I64(5));
    tg_node(&b, "sl9", "Slice", 1, x);
    expect_reject(&b, "attributes starts and ends are required");
    tg_ints(&b, "starts", 1, I64(1));
    tg_ints(&b, "ends", 1, I64(-1));
    expect_shape(&b, 1, I64(3));
    int64_t iv[5] = {10, 11, 12, 13, 14}, iy[3];
    in[0] = iv;
    out[0] = iy;
    op_run(&b.g, &b.node, in, out);
    ck_assert_int_eq(iy[0], 11);
    ck_assert_int_eq(iy[2], 13);
    b.node.n_inputs = 2;
    b.ins[1] = x;
    expect_reject(&b, "has 2 inputs");
}
END_TEST

START_TEST(test_gather_shapes_and_indices)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 2, I64(3), I64(3));
    int64_t iv[2] = {0, -1};
    uint32_t it = tg_weight_i64(&b, "idx", iv, 2);
    b.t[it].rank = 2;
    b.t[it].dims[0] = 1;
    b.t[it].dims[1] = 2;
    tg_node(&b, "ga", "Gather", 2, x, it);
    tg_int(&b, "axis", 1);
    expect_shape(&b, 3, I64(3), I64(1), I64(2));
    float xv[9], y[6];
    for (int i = 0; i < 9; i++)
        xv[i] = (float)i;
    const void *in[2] = {xv, tg_wptr(&b, it)};
    void *out[1] = {y};
    op_run(&b.g, &b.node, in, out);
    const float want[6] = {0, 2, 3, 5, 6, 8};
    for (int i = 0; i < 6; i++)
        ck_assert_float_eq(y[i], want[i]);
    memcpy(b.weights + b.t[it].offset, (int64_t[2]){0, -4}, 16);
    expect_reject(&b, "indices[1]=-4 out of range for an axis of 3");
    b.attrs[0].v.i = 2;
    expect_reject(&b, "axis=2 out of range for rank 2");

    /* int64 data, a computed int32 scalar index: rank drops by one */
    tg_init(&b);
    x = tg_tensor(&b, "shape", TENSOR_INPUT, DT_INT64, 1, I64(4));
    uint32_t i32 = tg_tensor(&b, "i", TENSOR_INPUT, DT_INT32, 0);
    tg_node(&b, "ga_s", "Gather", 2, x, i32);
    expect_shape(&b, 0);
    ck_assert_int_eq(b.t[b.out].dtype, DT_INT64);
    int64_t dims[4] = {1, 3, 224, 224}, r;
    int32_t k = -2;
    in[0] = dims;
    in[1] = &k;
    out[0] = &r;
    op_run(&b.g, &b.node, in, out);
    ck_assert_int_eq(r, 224);
    b.t[i32].dtype = DT_FLOAT;
    expect_reject(&b, "dtype float32, expected int64 or int32");
}
END_TEST

START_TEST(test_cast_and_shape)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 1, I64(3));
    tg_node(&b, "cast", "Cast", 1, x);
    expect_reject(&b, "attribute to is required");
    tg_int(&b, "to", 7);
    expect_shape(&b, 1, I64(3));
    ck_assert_int_eq(b.t[b.out].dtype, DT_INT64);
    float xv[3] = {1.9f, -1.9f, 3.0f};
    int64_t y[3];
    const void *in[1] = {xv};
    void *out[1] = {y};
    op_run(&b.g, &b.node, in, out);
    ck_assert_int_eq(y[0], 1);
    ck_assert_int_eq(y[1], -1);
    ck_assert_int_eq(y[2], 3);
    b.attrs[0].v.i = 6;
    expect_shape(&b, 1, I64(3));
    ck_assert_int_eq(b.t[b.out].dtype, DT_INT32);
    b.attrs[0].v.i = 11;
    expect_reject(&b, "attribute to=11 is unsupported");

    static const struct {
        int has_start, has_end;
        int64_t start, end, len, first;
    } cases[] = {
        {0, 0, 0, 0, 3, 3}, {1, 0, -1, 0, 1, 5}, {0, 1, 0, -1, 2, 3}, {1, 0, -10, 0, 3, 3},
        {0, 1, 0, 10, 3, 3}, {1, 1, 1, 2, 1, 4},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tg_init(&b);
        x = tg_x(&b, 3, I64(3), I64(4), I64(5));
        tg_node(&b, "shape", "Shape", 1, x);
        if (cases[i].has_start)
            tg_int(&b, "start", cases[i].start);
        if (cases[i].has_end)
            tg_int(&b, "end", cases[i].end);
        expect_shape(&b, 1, cases[i].len);
        ck_assert_int_eq(b.t[b.out].dtype, DT_INT64);
        int64_t s[3] = {0, 0, 0};
        out[0] = s;
        op_run(&b.g, &b.node, in, out);
        ck_assert_int_eq(s[0], cases[i].first);
    }
    tg_init(&b);
    x = tg_x(&b, 3, I64(3), I64(4), I64(5));
    tg_node(&b, "shape", "Shape", 1, x);
    tg_int(&b, "start", 2);
    tg_int(&b, "end", 1);
    expect_reject(&b, "start and end select no dims");
}
END_TEST

/* A Resize node on x [1, 1, 2, 2] with constant scales or sizes. */
static void resize_graph(tg *b, const char *name, int use_sizes, const float *scales, const int64_t *sizes)
{
    tg_init(b);
    uint32_t x = tg_x(b, 4, I64(1), I64(1), I64(2), I64(2));
    if (use_sizes) {
        uint32_t st = tg_weight_i64(b, "sizes", sizes, 4);
        tg_node(b, name, "Resize", 4, x, GRAPH_NO_TENSOR, GRAPH_NO_TENSOR, st);
        return;
    }
    uint32_t sc = tg_weight_f32(b, "scales", 0.0f);
    b->t[sc].rank = 1;
    b->t[sc].dims[0] = 4;
    b->t[sc].bytes = 16;
    memcpy(b->weights + b->t[sc].offset, scales, 16);
    tg_node(b, name, "Resize", 3, x, GRAPH_NO_TENSOR, sc);
}

START_TEST(test_resize_forms_and_modes)
{
    const float up2[4] = {1, 1, 2, 2}, up15[4] = {1, 1, 1.5f, 1.5f};
    const int64_t sz[4] = {1, 1, 3, 1};
    float xv[4] = {1, 2, 3, 4}, y[16];
    const void *in[4] = {xv, NULL, NULL, NULL};
    void *out[1] = {y};
    tg b;

    resize_graph(&b, "rs", 0, up2, NULL);
    expect_shape(&b, 4, I64(1), I64(1), I64(4), I64(4));
    in[2] = tg_wptr(&b, b.ins[2]);
    op_run(&b.g, &b.node, in, out);
    /* half_pixel + round_prefer_floor at scale 2: each pixel twice */
    const float near2[16] = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
    for (int i = 0; i < 16; i++)
        ck_assert_float_eq(y[i], near2[i]);
    tg_str(&b, "mode", "linear");
    op_run(&b.g, &b.node, in, out);
    /* half_pixel linear, first row: coords -0.25, 0.25, 0.75, 1.25 */
    const float lin_row0[4] = {1, 1.25f, 1.75f, 2};
    for (int i = 0; i < 4; i++)
        ck_assert_float_eq(y[i], lin_row0[i]);
    b.attrs[0].v.s = "cubic";
    expect_reject(&b, "unsupported attribute value mode=cubic");
    b.attrs[0].v.s = "nearest";
    tg_str(&b, "coordinate_transformation_mode", "tf_crop_and_resize");
    expect_reject(&b, "coordinate_transformation_mode=tf_crop_and_resize");
    b.attrs[1].v.s = "align_corners";
    tg_str(&b, "nearest_mode", "banker");
    expect_reject(&b, "nearest_mode=banker");
    b.attrs[2].v.s = "ceil";
    expect_shape(&b, 4, I64(1), I64(1), I64(4), I64(4));

    resize_graph(&b, "rs15", 0, up15, NULL);
    expect_shape(&b, 4, I64(1), I64(1), I64(3), I64(3));
    const float bad[4] = {1, 1, 0, 2};
    memcpy(b.weights + b.t[b.ins[2]].offset, bad, 16);
    expect_reject(&b, "scales[2]=0 is not a positive finite number");
    const float outer[4] = {1, 2, 2, 2};
    memcpy(b.weights + b.t[b.ins[2]].offset, outer, 16);
    tg_str(&b, "mode", "linear");
    expect_reject(&b, "mode linear resizes only the last two axes; axis 1 has scale 2");
    b.t[b.ins[2]].dims[0] = 3;
    b.t[b.ins[2]].bytes = 12;
    expect_reject(&b, "scales has 3 values for rank 4");

    resize_graph(&b, "rs_sizes", 1, NULL, sz);
    expect_shape(&b, 4, I64(1), I64(1), I64(3), I64(1));
    b.ins[2] = b.ins[3];
    b.t[b.ins[2]].dtype = DT_FLOAT;
    b.t[b.ins[2]].bytes = 16;
    expect_reject(&b, "exactly one of the scales and sizes inputs must be given");

    /* opset 10: (X, scales), asymmetric + floor by default */
    resize_graph(&b, "rs10", 0, up15, NULL);
    b.ins[1] = b.ins[2];
    b.node.n_inputs = 2;
    expect_shape(&b, 4, I64(1), I64(1), I64(3), I64(3));
    in[1] = tg_wptr(&b, b.ins[1]);
    op_run(&b.g, &b.node, in, out);
    /* coords 0, 0.667, 1.333 floor to 0, 0, 1 */
    const float near10[9] = {1, 1, 2, 1, 1, 2, 3, 3, 4};
    for (int i = 0; i < 9; i++)
        ck_assert_float_eq(y[i], near10[i]);
}
END_TEST

START_TEST(test_layernorm_shapes_and_run)
{
    tg b;
    tg_init(&b);
    uint32_t x = tg_x(&b, 3, I64(2), I64(3), I64(4));
    uint32_t sc = tg_tensor(&b, "scale", TENSOR_WEIGHT, DT_FLOAT, 2, I64(3), I64(4));
    uint32_t bt = tg_tensor(&b, "bias", TENSOR_WEIGHT, DT_FLOAT, 1, I64(4));
    tg_node(&b, "ln", "LayerNormalization", 2, x, sc);
    tg_int(&b, "axis", 1);
    expect_shape(&b, 3, I64(2), I64(3), I64(4));
    b.node.n_inputs = 3;
    b.ins[2] = bt;
    expect_reject(&b, "input 2 (B) does not match the normalised shape of 12 elements");
    b.attrs[0].v.i = -1;
    expect_reject(&b, "input 1 (Scale) does not match");
    b.ins[1] = bt;
    expect_shape(&b, 3, I64(2), I64(3), I64(4));
    tg_int(&b, "stash_type", 0);
    expect_reject(&b, "stash_type=0 out of range");
    b.node.n_attrs = 1;
    b.node.n_outputs = 3;
    expect_reject(&b, "only Y is supported");
    b.node.n_outputs = 1;

    float xv[24], w[4] = {1, 2, 0.5f, 1}, bias[4] = {0, 1, 0, -1}, y[24], want[24];
    for (int i = 0; i < 24; i++)
        xv[i] = (float)((i * 7) % 11);
    const void *in[3] = {xv, w, bias};
    void *out[1] = {y};
    op_run(&b.g, &b.node, in, out);
    k_layernorm(xv, want, 6, 4, w, 4, bias, 4, 1e-5f);
    for (int i = 0; i < 24; i++)
        ck_assert_float_eq(y[i], want[i]);
}
END_TEST

START_TEST(test_int64_shape_ops_keep_dtype)
{
    tg b;
    tg_init(&b);
    uint32_t a = tg_tensor(&b, "a", TENSOR_INPUT, DT_INT64, 1, I64(2));
    uint32_t c = tg_tensor(&b, "c", TENSOR_WEIGHT, DT_INT64, 1, I64(3));
    tg_node(&b, "cat_i", "Concat", 2, a, c);
    tg_int(&b, "axis", 0);
    expect_shape(&b, 1, I64(5));
    ck_assert_int_eq(b.t[b.out].dtype, DT_INT64);

    tg_init(&b);
    a = tg_tensor(&b, "a", TENSOR_INPUT, DT_INT64, 2, I64(2), I64(3));
    tg_node(&b, "fl_i", "Flatten", 1, a);
    expect_shape(&b, 2, I64(2), I64(3));
    ck_assert_int_eq(b.t[b.out].dtype, DT_INT64);
}
END_TEST

static Suite *ops_suite(void)
{
    Suite *s = suite_create("ops");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_lookup_every_name_and_roundtrip);
    tcase_add_test(tc, test_lookup_unknown_names);
    tcase_add_test(tc, test_infer_unknown_op_rejected);
    tcase_add_test(tc, test_conv_shapes_pads_strides_dilations);
    tcase_add_test(tc, test_conv_auto_pad_modes);
    tcase_add_test(tc, test_conv_group_and_depthwise_accepted);
    tcase_add_test(tc, test_conv_wrong_input_count);
    tcase_add_test(tc, test_conv_rank_mismatch);
    tcase_add_test(tc, test_conv_group_not_dividing_channels);
    tcase_add_test(tc, test_conv_weight_channel_and_bias_mismatch);
    tcase_add_test(tc, test_conv_negative_pads);
    tcase_add_test(tc, test_conv_zero_stride_and_dilation);
    tcase_add_test(tc, test_conv_kernel_larger_than_padded_input);
    tcase_add_test(tc, test_conv_unknown_auto_pad_and_pads_conflict);
    tcase_add_test(tc, test_attribute_unknown_wrong_type_duplicate);
    tcase_add_test(tc, test_input_tensor_hostile_fields);
    tcase_add_test(tc, test_dim_product_overflow);
    tcase_add_test(tc, test_output_checks);
    tcase_add_test(tc, test_matmul_shapes);
    tcase_add_test(tc, test_matmul_rejects);
    tcase_add_test(tc, test_gemm_shapes_and_c_broadcast);
    tcase_add_test(tc, test_binary_broadcast_shapes);
    tcase_add_test(tc, test_unary_and_hardsigmoid);
    tcase_add_test(tc, test_clip_attributes_and_inputs);
    tcase_add_test(tc, test_softmax_axis_range);
    tcase_add_test(tc, test_pool_shapes_ceil_mode_and_auto_pad);
    tcase_add_test(tc, test_pool_rejects);
    tcase_add_test(tc, test_global_avgpool_and_batchnorm);
    tcase_add_test(tc, test_reshape_zero_and_minus_one);
    tcase_add_test(tc, test_reshape_rejects);
    tcase_add_test(tc, test_flatten_axes);
    tcase_add_test(tc, test_transpose_perm);
    tcase_add_test(tc, test_concat_axes);
    tcase_add_test(tc, test_run_conv_same_upper_vs_lower);
    tcase_add_test(tc, test_run_clip_with_input_bounds);
    tcase_add_test(tc, test_run_matmul_1d_and_gemm);
    tcase_add_test(tc, test_run_reshape_transpose_concat_avgpool);
    tcase_add_test(tc, test_run_conv_im2col_in_threads_matches_direct);
    tcase_add_test(tc, test_convtranspose_shapes);
    tcase_add_test(tc, test_convtranspose_rejects);
    tcase_add_test(tc, test_run_convtranspose_output_shape_and_same_upper);
    tcase_add_test(tc, test_binary_int64_and_pow);
    tcase_add_test(tc, test_softmax_legacy_coerce2d);
    tcase_add_test(tc, test_reducemean_axes_forms);
    tcase_add_test(tc, test_squeeze_unsqueeze_identity);
    tcase_add_test(tc, test_slice_inputs_and_attributes);
    tcase_add_test(tc, test_gather_shapes_and_indices);
    tcase_add_test(tc, test_cast_and_shape);
    tcase_add_test(tc, test_resize_forms_and_modes);
    tcase_add_test(tc, test_layernorm_shapes_and_run);
    tcase_add_test(tc, test_int64_shape_ops_keep_dtype);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ops_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0;
}
