/*
 * ops_elementwise.c - operators that compute each output element from the
 * input elements at the same place: Relu, Sigmoid, Tanh, Sqrt, HardSigmoid
 * and Clip on one input; Add, Sub, Mul, Div and Pow on two, broadcast as
 * numpy does; and Cast.
 *
 * Rules: float32, except that Add, Sub, Mul and Div also take two int64
 * tensors (the shape arithmetic of imported models) and Cast converts
 * between float32, int32 and int64.  The output has the input's shape, or
 * the broadcast shape of the two.  Operators that share a checker or a
 * runner have a small function each that passes what differs (the kernel,
 * the dtype allowed).
 */
#include <math.h>
#include <string.h>

#include "shim/engine/kernels.h"
#include "shim/engine/ops_impl.h"

/* --- elementwise: unary ------------------------------------------------------------- */

/* The one float32 input of an elementwise op; the output has its shape. */
static int unary_output(const infer_ctx *c)
{
    const graph_tensor *x;
    if (check_input_count(c, 1, 1) || get_input(c, 0, 0, DT_FLOAT, 0, GRAPH_MAX_RANK, &x))
        return -1;
    return set_output(c, DT_FLOAT, x->rank, x->dims);
}

/* Relu, Sigmoid, Tanh and Sqrt: no attributes. */
int infer_unary(const infer_ctx *c)
{
    if (check_attr_names(c, NULL, 0))
        return -1;
    return unary_output(c);
}

int infer_hardsigmoid(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"alpha", ATTR_FLOAT}, {"beta", ATTR_FLOAT}};
    float f;
    if (CHECK_ATTRS(c, spec) || attr_float(c, "alpha", 0.2f, &f) || attr_float(c, "beta", 0.5f, &f))
        return -1;
    return unary_output(c);
}

static size_t input_numel(const graph *g, const graph_node *n)
{
    return (size_t)graph_tensor_numel(&g->tensors[n->inputs[0]]);
}

void run_relu(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    k_relu(in[0], out[0], input_numel(g, n));
}

void run_sigmoid(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    k_sigmoid(in[0], out[0], input_numel(g, n));
}

void run_tanh(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    k_tanh(in[0], out[0], input_numel(g, n));
}

void run_sqrt(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    k_sqrt(in[0], out[0], input_numel(g, n));
}

void run_hardsigmoid(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    k_hardsigmoid(in[0], out[0], input_numel(g, n), graph_attr_float(n, "alpha", 0.2f),
                  graph_attr_float(n, "beta", 0.5f));
}

/*
 * Clip: bounds as attributes (opset < 11) or as optional one-element float
 * inputs (opset >= 11), never both for the same bound.  The input bounds are
 * read at run time, so they may be weights or computed.
 */
int infer_clip(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"min", ATTR_FLOAT}, {"max", ATTR_FLOAT}};
    const graph_tensor *x, *lo, *hi;
    float f;
    if (CHECK_ATTRS(c, spec) || attr_float(c, "min", -INFINITY, &f) || attr_float(c, "max", INFINITY, &f))
        return -1;
    if (check_input_count(c, 1, 3) || get_input(c, 0, 0, DT_FLOAT, 0, GRAPH_MAX_RANK, &x) ||
        get_input(c, 1, 1, DT_FLOAT, 0, 1, &lo) || get_input(c, 2, 1, DT_FLOAT, 0, 1, &hi))
        return -1;
    if ((lo && lo->bytes != sizeof(float)) || (hi && hi->bytes != sizeof(float)))
        return fail(c, "min and max inputs must hold one element");
    if ((lo && graph_attr_find(c->n, "min")) || (hi && graph_attr_find(c->n, "max")))
        return fail(c, "bound given both as attribute and as input");
    return set_output(c, DT_FLOAT, x->rank, x->dims);
}

void run_clip(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *x = &g->tensors[n->inputs[0]];
    float lo = graph_attr_float(n, "min", -INFINITY), hi = graph_attr_float(n, "max", INFINITY);
    if (n->n_inputs > 1 && in[1])
        memcpy(&lo, in[1], sizeof(lo));
    if (n->n_inputs > 2 && in[2])
        memcpy(&hi, in[2], sizeof(hi));
    k_clip(in[0], out[0], graph_tensor_numel(x), lo, hi);
}

/* --- elementwise: binary ------------------------------------------------------------ */

/* Right-aligns a shape into `rank` dims, padding on the left with 1s. */
static void pad_dims(const graph_tensor *t, uint32_t rank, int64_t *dims)
{
    uint32_t lead = rank - t->rank;
    for (uint32_t i = 0; i < lead; i++)
        dims[i] = 1;
    for (uint32_t i = 0; i < t->rank; i++)
        dims[lead + i] = t->dims[i];
}

/*
 * Two tensors of one dtype (`want`, or any if -1) that broadcast as numpy
 * does, to a float32 or int64 output.
 */
static int infer_binary(const infer_ctx *c, int32_t want)
{
    const graph_tensor *a, *b;
    if (check_attr_names(c, NULL, 0) || check_input_count(c, 2, 2) ||
        get_input(c, 0, 0, want, 0, GRAPH_MAX_RANK, &a))
        return -1;
    if (a->dtype != DT_FLOAT && a->dtype != DT_INT64)
        return fail(c, "input 0 '%s' has dtype %s, expected float32 or int64", a->name ? a->name : "?",
                    dtype_name(a->dtype));
    if (get_input(c, 1, 0, a->dtype, 0, GRAPH_MAX_RANK, &b))
        return -1;
    uint32_t rank = a->rank > b->rank ? a->rank : b->rank;
    int64_t ad[GRAPH_MAX_RANK], bd[GRAPH_MAX_RANK], yd[GRAPH_MAX_RANK];
    pad_dims(a, rank, ad);
    pad_dims(b, rank, bd);
    for (uint32_t i = 0; i < rank; i++) {
        if (ad[i] != bd[i] && ad[i] != 1 && bd[i] != 1)
            return fail(c, "shapes do not broadcast: dim %u is %lld vs %lld", i, (long long)ad[i],
                        (long long)bd[i]);
        yd[i] = ad[i] > bd[i] ? ad[i] : bd[i];
    }
    return set_output(c, a->dtype, rank, yd);
}

/*
 * Add, Sub, Mul and Div take two float32 or two int64 tensors (int64 for
 * the shape arithmetic of imported models); Pow takes float32 base and
 * exponent.
 */
int infer_arith(const infer_ctx *c)
{
    return infer_binary(c, -1);
}

int infer_pow(const infer_ctx *c)
{
    return infer_binary(c, DT_FLOAT);
}

static void run_binary(k_binop op, const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *a = &g->tensors[n->inputs[0]], *b = &g->tensors[n->inputs[1]];
    const graph_tensor *y = &g->tensors[n->outputs[0]];
    int64_t ad[GRAPH_MAX_RANK], bd[GRAPH_MAX_RANK];
    pad_dims(a, y->rank, ad);
    pad_dims(b, y->rank, bd);
    if (y->dtype == DT_INT64)
        k_binary_broadcast_i64(op, in[0], ad, in[1], bd, out[0], y->dims, (int)y->rank);
    else
        k_binary_broadcast(op, in[0], ad, in[1], bd, out[0], y->dims, (int)y->rank);
}

void run_add(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    run_binary(K_ADD, g, n, in, out);
}

void run_sub(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    run_binary(K_SUB, g, n, in, out);
}

void run_mul(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    run_binary(K_MUL, g, n, in, out);
}

void run_div(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    run_binary(K_DIV, g, n, in, out);
}

void run_pow(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    run_binary(K_POW, g, n, in, out);
}

/* --- Cast -------------------------------------------------------------------------------- */

/* The graph dtype of an ONNX TensorProto type code, -1 for one the device does not have. */
static int32_t onnx_to_dtype(int64_t code)
{
    switch (code) {
    case 1:
        return DT_FLOAT;
    case 6:
        return DT_INT32;
    case 7:
        return DT_INT64;
    default:
        return -1;
    }
}

static k_dtype kernel_dtype(int32_t dt)
{
    return dt == DT_INT64 ? K_I64 : dt == DT_INT32 ? K_I32 : K_F32;
}

int infer_cast(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"to", ATTR_INT}};
    const graph_tensor *x;
    if (CHECK_ATTRS(c, spec) || check_input_count(c, 1, 1) || get_input(c, 0, 0, -1, 0, GRAPH_MAX_RANK, &x))
        return -1;
    const graph_attr *to = graph_attr_find(c->n, "to");
    if (!to)
        return fail(c, "attribute to is required");
    int32_t dt = onnx_to_dtype(to->v.i);
    if (dt < 0)
        return fail(c, "attribute to=%lld is unsupported (FLOAT 1, INT32 6 and INT64 7 are)", (long long)to->v.i);
    return set_output(c, dt, x->rank, x->dims);
}

void run_cast(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *x = &g->tensors[n->inputs[0]], *y = &g->tensors[n->outputs[0]];
    k_cast(in[0], kernel_dtype(x->dtype), out[0], kernel_dtype(y->dtype), (size_t)graph_tensor_numel(x));
}
