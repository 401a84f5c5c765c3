/*
 * ops.c - the operator layer of the emulated device (ops.h).
 *
 * Three parts:
 *  - the op table: ONNX op type names <-> op codes (op_lookup, op_name);
 *  - op_infer: the load-time validator.  Models are untrusted, so before any
 *    output shape is written every input reference, dtype, rank, dim and
 *    attribute is checked, every product of dims is bounded by OPS_MAX_NUMEL
 *    and every attribute the kernels do not implement is refused.  Errors
 *    are one line, "node NAME (OPTYPE): cause".
 *  - op_run: recovers the geometry from the (already checked) tensor shapes
 *    and attributes and calls the plain kernels of kernels.h.
 *
 * Per-op pairs infer_X / run_X sit next to each other so that what op_infer
 * accepts and what op_run relies on can be read together.
 */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "ops.h"

/*
 * Element-count ceiling for every tensor.  INT32_MAX keeps each dim and each
 * matrix size within the int parameters of cblas and keeps byte counts far
 * from overflowing 64 bits.
 */
#define OPS_MAX_NUMEL ((int64_t)INT32_MAX)
/* Ceiling for kernel sizes, strides, pads and dilations. */
#define OPS_MAX_PARAM ((int64_t)INT32_MAX)
/* Concat inputs: op_run keeps their sizes in a stack array of this length. */
#define OPS_MAX_CONCAT_INPUTS 1024
/* The im2col scratch op_run will hold per thread, in floats (32 MiB). */
#define OPS_CONV_SCRATCH_CAP ((size_t)1 << 23)

/* op_run hands graph shapes straight to the n-dimensional kernels. */
_Static_assert(GRAPH_MAX_RANK <= K_MAX_RANK, "kernels must take every graph rank");

/* --- op table ------------------------------------------------------------------ */

static const char *const op_names[OP_COUNT_] = {
    [OP_UNKNOWN] = "Unknown",
    [OP_CONV] = "Conv",
    [OP_MATMUL] = "MatMul",
    [OP_GEMM] = "Gemm",
    [OP_ADD] = "Add",
    [OP_SUB] = "Sub",
    [OP_MUL] = "Mul",
    [OP_DIV] = "Div",
    [OP_RELU] = "Relu",
    [OP_SIGMOID] = "Sigmoid",
    [OP_TANH] = "Tanh",
    [OP_HARDSIGMOID] = "HardSigmoid",
    [OP_CLIP] = "Clip",
    [OP_SOFTMAX] = "Softmax",
    [OP_MAXPOOL] = "MaxPool",
    [OP_AVERAGEPOOL] = "AveragePool",
    [OP_GLOBALAVERAGEPOOL] = "GlobalAveragePool",
    [OP_BATCHNORM] = "BatchNormalization",
    [OP_RESHAPE] = "Reshape",
    [OP_FLATTEN] = "Flatten",
    [OP_TRANSPOSE] = "Transpose",
    [OP_CONCAT] = "Concat",
};

op_code op_lookup(const char *op_type)
{
    if (!op_type)
        return OP_UNKNOWN;
    for (int op = OP_UNKNOWN + 1; op < OP_COUNT_; op++)
        if (strcmp(op_names[op], op_type) == 0)
            return (op_code)op;
    return OP_UNKNOWN;
}

const char *op_name(op_code op)
{
    if ((int)op <= OP_UNKNOWN || op >= OP_COUNT_)
        return "Unknown";
    return op_names[op];
}

/* --- inference context and errors ------------------------------------------------- */

typedef struct infer_ctx {
    graph *g;
    const graph_node *n;
    char *err;
    size_t errlen;
} infer_ctx;

static int fail(const infer_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(const infer_ctx *c, const char *fmt, ...)
{
    if (c->err && c->errlen) {
        const char *type = c->n->op_type ? c->n->op_type : op_name((op_code)c->n->op);
        int len = snprintf(c->err, c->errlen, "node %s (%s): ", c->n->name ? c->n->name : "?", type);
        if (len >= 0 && (size_t)len < c->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(c->err + len, c->errlen - (size_t)len, fmt, ap);
            va_end(ap);
        }
        /* one line: a name taken from the file must not break it */
        for (char *p = c->err; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
    }
    return -1;
}

static const char *dtype_name(int32_t dt)
{
    switch (dt) {
    case DT_FLOAT:
        return "float32";
    case DT_INT32:
        return "int32";
    case DT_INT64:
        return "int64";
    default:
        return "unknown";
    }
}

/* --- attributes ------------------------------------------------------------------- */

typedef struct attr_spec {
    const char *name;
    uint32_t type;
} attr_spec;

static const char *attr_type_name(uint32_t t)
{
    switch (t) {
    case ATTR_INT:
        return "int";
    case ATTR_FLOAT:
        return "float";
    case ATTR_INTS:
        return "ints";
    case ATTR_FLOATS:
        return "floats";
    case ATTR_STRING:
        return "string";
    default:
        return "unknown";
    }
}

/*
 * Every attribute of the node must be one the op implements, with the
 * expected type, and appear once: an attribute silently ignored would give
 * wrong results without a word.
 */
static int check_attr_names(const infer_ctx *c, const attr_spec *spec, size_t n_spec)
{
    const graph_node *n = c->n;
    if (n->n_attrs && !n->attrs)
        return fail(c, "attribute list missing");
    for (uint32_t i = 0; i < n->n_attrs; i++) {
        const graph_attr *a = &n->attrs[i];
        if (!a->name)
            return fail(c, "attribute %u has no name", i);
        size_t k = 0;
        while (k < n_spec && strcmp(spec[k].name, a->name) != 0)
            k++;
        if (k == n_spec)
            return fail(c, "unsupported attribute %s", a->name);
        if (a->type != spec[k].type)
            return fail(c, "attribute %s has type %s, expected %s", a->name, attr_type_name(a->type),
                        attr_type_name(spec[k].type));
        if ((a->type == ATTR_INTS && a->count && !a->v.ints) ||
            (a->type == ATTR_FLOATS && a->count && !a->v.floats) || (a->type == ATTR_STRING && !a->v.s))
            return fail(c, "attribute %s has no value", a->name);
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(n->attrs[j].name, a->name) == 0)
                return fail(c, "attribute %s given twice", a->name);
    }
    return 0;
}

#define CHECK_ATTRS(c, spec) check_attr_names((c), (spec), sizeof(spec) / sizeof((spec)[0]))

static int attr_int(const infer_ctx *c, const char *name, int64_t dflt, int64_t lo, int64_t hi, int64_t *out)
{
    const graph_attr *a = graph_attr_find(c->n, name);
    *out = a ? a->v.i : dflt;
    if (*out < lo || *out > hi)
        return fail(c, "attribute %s=%lld out of range [%lld, %lld]", name, (long long)*out, (long long)lo,
                    (long long)hi);
    return 0;
}

static int attr_float(const infer_ctx *c, const char *name, float dflt, float *out)
{
    const graph_attr *a = graph_attr_find(c->n, name);
    *out = a ? a->v.f : dflt;
    if (isnan(*out))
        return fail(c, "attribute %s is NaN", name);
    return 0;
}

/*
 * An INTS attribute of exactly `count` values, each within [lo, hi]; absent
 * means every value is dflt.  Returns 1 when present, 0 when absent.
 */
static int attr_ints(const infer_ctx *c, const char *name, uint32_t count, int64_t dflt, int64_t lo, int64_t hi,
                     int64_t *out)
{
    const graph_attr *a = graph_attr_find(c->n, name);
    if (!a) {
        for (uint32_t i = 0; i < count; i++)
            out[i] = dflt;
        return 0;
    }
    if (a->count != count)
        return fail(c, "attribute %s has %u values, expected %u", name, a->count, count);
    for (uint32_t i = 0; i < count; i++) {
        if (a->v.ints[i] < lo || a->v.ints[i] > hi)
            return fail(c, "attribute %s[%u]=%lld out of range [%lld, %lld]", name, i, (long long)a->v.ints[i],
                        (long long)lo, (long long)hi);
        out[i] = a->v.ints[i];
    }
    return 1;
}

/* --- tensors ---------------------------------------------------------------------- */

/* Element count of validated dims, or -1 past OPS_MAX_NUMEL. */
static int64_t dims_numel(const int64_t *dims, uint32_t rank)
{
    int64_t n = 1;
    for (uint32_t i = 0; i < rank; i++) {
        if (dims[i] < 1 || dims[i] > OPS_MAX_NUMEL / n)
            return -1;
        n *= dims[i];
    }
    return n;
}

/*
 * Input k of the node, checked: present (unless optional), a valid tensor
 * index, a known dtype (`dtype` if >= 0), rank within [min_rank, max_rank],
 * positive dims, at most OPS_MAX_NUMEL elements and a byte count matching
 * the shape.  *out is NULL for an absent optional input.
 */
static int get_input(const infer_ctx *c, uint32_t k, int optional, int32_t dtype, uint32_t min_rank,
                     uint32_t max_rank, const graph_tensor **out)
{
    const graph *g = c->g;
    *out = NULL;
    if (k >= c->n->n_inputs || c->n->inputs[k] == GRAPH_NO_TENSOR) {
        if (optional)
            return 0;
        return fail(c, "required input %u is missing", k);
    }
    uint32_t idx = c->n->inputs[k];
    if (idx >= g->n_tensors)
        return fail(c, "input %u references tensor %u of %u", k, idx, g->n_tensors);
    const graph_tensor *t = &g->tensors[idx];
    const char *tn = t->name ? t->name : "?";
    if (t->rank > GRAPH_MAX_RANK)
        return fail(c, "input %u '%s' has rank %u, above %d", k, tn, t->rank, GRAPH_MAX_RANK);
    size_t esize = graph_dtype_size(t->dtype);
    if (!esize)
        return fail(c, "input %u '%s' has unknown dtype %d", k, tn, t->dtype);
    if (dtype >= 0 && t->dtype != dtype)
        return fail(c, "input %u '%s' has dtype %s, expected %s", k, tn, dtype_name(t->dtype), dtype_name(dtype));
    if (t->rank < min_rank || t->rank > max_rank) {
        if (min_rank == max_rank)
            return fail(c, "input %u '%s' has rank %u, expected %u", k, tn, t->rank, min_rank);
        return fail(c, "input %u '%s' has rank %u, expected %u to %u", k, tn, t->rank, min_rank, max_rank);
    }
    for (uint32_t i = 0; i < t->rank; i++)
        if (t->dims[i] < 1)
            return fail(c, "input %u '%s' has dim %u = %lld (only positive dims are supported)", k, tn, i,
                        (long long)t->dims[i]);
    int64_t numel = dims_numel(t->dims, t->rank);
    if (numel < 0)
        return fail(c, "input %u '%s' has more than %lld elements", k, tn, (long long)OPS_MAX_NUMEL);
    if (t->bytes != (uint64_t)numel * esize)
        return fail(c, "input %u '%s' has %llu bytes, its shape needs %llu", k, tn, (unsigned long long)t->bytes,
                    (unsigned long long)numel * esize);
    *out = t;
    return 0;
}

static int check_input_count(const infer_ctx *c, uint32_t lo, uint32_t hi)
{
    if (c->n->n_inputs < lo || c->n->n_inputs > hi) {
        if (lo == hi)
            return fail(c, "has %u inputs, expected %u", c->n->n_inputs, lo);
        return fail(c, "has %u inputs, expected %u to %u", c->n->n_inputs, lo, hi);
    }
    if (c->n->n_inputs && !c->n->inputs)
        return fail(c, "input list missing");
    return 0;
}

/*
 * Writes the single output's shape.  The output must be an activation
 * distinct from the node's inputs, and its size within OPS_MAX_NUMEL.
 */
static int set_output(const infer_ctx *c, int32_t dtype, uint32_t rank, const int64_t *dims)
{
    graph *g = c->g;
    const graph_node *n = c->n;
    if (n->n_outputs != 1 || !n->outputs)
        return fail(c, "has %u outputs, expected 1", n->n_outputs);
    uint32_t idx = n->outputs[0];
    if (idx >= g->n_tensors)
        return fail(c, "output 0 references tensor %u of %u", idx, g->n_tensors);
    for (uint32_t k = 0; k < n->n_inputs; k++)
        if (n->inputs[k] == idx)
            return fail(c, "output 0 is also input %u", k);
    graph_tensor *t = &g->tensors[idx];
    if (t->kind != TENSOR_ACTIVATION)
        return fail(c, "output 0 '%s' is not an activation tensor", t->name ? t->name : "?");
    if (rank > GRAPH_MAX_RANK)
        return fail(c, "output rank %u is above %d", rank, GRAPH_MAX_RANK);
    int64_t numel = dims_numel(dims, rank);
    if (numel < 0)
        return fail(c, "output has more than %lld elements", (long long)OPS_MAX_NUMEL);
    t->dtype = dtype;
    t->rank = rank;
    memset(t->dims, 0, sizeof(t->dims));
    memcpy(t->dims, dims, rank * sizeof(dims[0]));
    t->bytes = (uint64_t)numel * graph_dtype_size(dtype);
    return 0;
}

static int normalize_axis(const infer_ctx *c, int64_t axis, int64_t rank_for_range, uint32_t rank, int64_t *out)
{
    if (axis < -(int64_t)rank || axis >= rank_for_range)
        return fail(c, "attribute axis=%lld out of range for rank %u", (long long)axis, rank);
    *out = axis < 0 ? axis + rank : axis;
    return 0;
}

/* --- elementwise: unary ------------------------------------------------------------- */

static int infer_unary(const infer_ctx *c)
{
    static const attr_spec hs[] = {{"alpha", ATTR_FLOAT}, {"beta", ATTR_FLOAT}};
    const graph_tensor *x;
    float f;
    if (c->n->op == OP_HARDSIGMOID) {
        if (CHECK_ATTRS(c, hs) || attr_float(c, "alpha", 0.2f, &f) || attr_float(c, "beta", 0.5f, &f))
            return -1;
    } else if (check_attr_names(c, NULL, 0)) {
        return -1;
    }
    if (check_input_count(c, 1, 1) || get_input(c, 0, 0, DT_FLOAT, 0, GRAPH_MAX_RANK, &x))
        return -1;
    return set_output(c, DT_FLOAT, x->rank, x->dims);
}

/*
 * Clip: bounds as attributes (opset < 11) or as optional one-element float
 * inputs (opset >= 11), never both for the same bound.  The input bounds are
 * read at run time, so they may be weights or computed.
 */
static int infer_clip(const infer_ctx *c)
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

static void run_clip(const graph *g, const graph_node *n, const void *const *in, void *const *out)
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

static int infer_binary(const infer_ctx *c)
{
    const graph_tensor *a, *b;
    if (check_attr_names(c, NULL, 0) || check_input_count(c, 2, 2) ||
        get_input(c, 0, 0, DT_FLOAT, 0, GRAPH_MAX_RANK, &a) || get_input(c, 1, 0, DT_FLOAT, 0, GRAPH_MAX_RANK, &b))
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
    return set_output(c, DT_FLOAT, rank, yd);
}

static void run_binary(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *a = &g->tensors[n->inputs[0]], *b = &g->tensors[n->inputs[1]];
    const graph_tensor *y = &g->tensors[n->outputs[0]];
    int64_t ad[GRAPH_MAX_RANK], bd[GRAPH_MAX_RANK];
    pad_dims(a, y->rank, ad);
    pad_dims(b, y->rank, bd);
    k_binop op = n->op == OP_ADD ? K_ADD : n->op == OP_SUB ? K_SUB : n->op == OP_MUL ? K_MUL : K_DIV;
    k_binary_broadcast(op, in[0], ad, in[1], bd, out[0], y->dims, (int)y->rank);
}

/* --- softmax ------------------------------------------------------------------------ */

/*
 * Softmax follows opset 13: normalise along `axis` alone (default -1).
 * Opset < 13 flattened the input to 2-D at `axis` (default 1) and normalised
 * the whole trailing block; the two agree when axis is the last one.  A
 * graph compiler importing an older model must rewrite other axes (e.g. as
 * Flatten + Softmax + Reshape) before it reaches this op.
 */
static int infer_softmax(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"axis", ATTR_INT}};
    const graph_tensor *x;
    int64_t axis = 0;
    if (CHECK_ATTRS(c, spec) || check_input_count(c, 1, 1) || get_input(c, 0, 0, DT_FLOAT, 1, GRAPH_MAX_RANK, &x))
        return -1;
    if (normalize_axis(c, graph_attr_int(c->n, "axis", -1), x->rank, x->rank, &axis))
        return -1;
    return set_output(c, DT_FLOAT, x->rank, x->dims);
}

static void run_softmax(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *x = &g->tensors[n->inputs[0]];
    int64_t axis = graph_attr_int(n, "axis", -1);
    if (axis < 0)
        axis += x->rank;
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < axis; i++)
        outer *= x->dims[i];
    for (uint32_t i = (uint32_t)axis + 1; i < x->rank; i++)
        inner *= x->dims[i];
    k_softmax(in[0], out[0], outer, x->dims[axis], inner);
}

/* --- convolution and pooling windows ------------------------------------------------- */

/* The resolved 2-D window of a Conv or pool node, per spatial axis (0 = H, 1 = W). */
typedef struct window2d {
    int64_t k[2], stride[2], dil[2], pad_b[2], pad_e[2], out[2];
} window2d;

typedef enum { PAD_NOTSET, PAD_SAME_UPPER, PAD_SAME_LOWER, PAD_VALID } pad_mode;

static int get_auto_pad(const infer_ctx *c, pad_mode *mode)
{
    const graph_attr *a = graph_attr_find(c->n, "auto_pad");
    *mode = PAD_NOTSET;
    if (!a || strcmp(a->v.s, "NOTSET") == 0)
        return 0;
    if (strcmp(a->v.s, "SAME_UPPER") == 0)
        *mode = PAD_SAME_UPPER;
    else if (strcmp(a->v.s, "SAME_LOWER") == 0)
        *mode = PAD_SAME_LOWER;
    else if (strcmp(a->v.s, "VALID") == 0)
        *mode = PAD_VALID;
    else
        return fail(c, "unsupported attribute value auto_pad=%.32s", a->v.s);
    return 0;
}

/*
 * Reads strides, dilations, pads and auto_pad and computes the output size
 * of each spatial axis of in[2] with kernel w->k.  Pools (is_pool) also
 * honour ceil_mode and need each pad smaller than the window, as
 * onnxruntime does, so that every window touches the input.
 */
static int resolve_window(const infer_ctx *c, const int64_t *in, int is_pool, int ceil_mode, window2d *w)
{
    int64_t pads[4];
    pad_mode mode;
    if (attr_ints(c, "strides", 2, 1, 1, OPS_MAX_PARAM, w->stride) < 0 ||
        attr_ints(c, "dilations", 2, 1, 1, OPS_MAX_PARAM, w->dil) < 0 || get_auto_pad(c, &mode))
        return -1;
    int has_pads = attr_ints(c, "pads", 4, 0, 0, OPS_MAX_PARAM, pads);
    if (has_pads < 0)
        return -1;
    if (mode != PAD_NOTSET && (pads[0] || pads[1] || pads[2] || pads[3]))
        return fail(c, "attribute pads is not allowed with auto_pad other than NOTSET");
    for (int i = 0; i < 2; i++) {
        int64_t ext = w->dil[i] * (w->k[i] - 1) + 1;
        int64_t s = w->stride[i];
        if (mode == PAD_SAME_UPPER || mode == PAD_SAME_LOWER) {
            w->out[i] = (in[i] + s - 1) / s;
            int64_t total = (w->out[i] - 1) * s + ext - in[i];
            if (total < 0)
                total = 0;
            int64_t half = total / 2;
            w->pad_b[i] = mode == PAD_SAME_UPPER ? half : total - half;
            w->pad_e[i] = total - w->pad_b[i];
            continue;
        }
        w->pad_b[i] = mode == PAD_VALID ? 0 : pads[i];
        w->pad_e[i] = mode == PAD_VALID ? 0 : pads[i + 2];
        int64_t padded = in[i] + w->pad_b[i] + w->pad_e[i];
        if (ext > padded)
            return fail(c, "kernel extent %lld exceeds padded input %lld on spatial axis %d", (long long)ext,
                        (long long)padded, i);
        if (is_pool && (w->pad_b[i] >= ext || w->pad_e[i] >= ext))
            return fail(c, "attribute pads on spatial axis %d must be smaller than the window %lld", i,
                        (long long)ext);
        if (ceil_mode && mode == PAD_NOTSET) {
            w->out[i] = (padded - ext + s - 1) / s + 1;
            /* a last window starting in the trailing padding is dropped */
            if ((w->out[i] - 1) * s >= in[i] + w->pad_b[i])
                w->out[i]--;
        } else {
            w->out[i] = (padded - ext) / s + 1;
        }
    }
    return 0;
}

/* Reads the window back in op_run; the attributes were validated by op_infer. */
static void window_from_node(const graph_node *n, const int64_t *in, const int64_t *out, int64_t kh, int64_t kw,
                             window2d *w)
{
    const graph_attr *a;
    w->k[0] = kh;
    w->k[1] = kw;
    w->out[0] = out[0];
    w->out[1] = out[1];
    for (int i = 0; i < 2; i++) {
        w->stride[i] = 1;
        w->dil[i] = 1;
        w->pad_b[i] = 0;
        w->pad_e[i] = 0;
    }
    if ((a = graph_attr_find(n, "strides")))
        memcpy(w->stride, a->v.ints, sizeof(w->stride));
    if ((a = graph_attr_find(n, "dilations")))
        memcpy(w->dil, a->v.ints, sizeof(w->dil));
    a = graph_attr_find(n, "auto_pad");
    int same_upper = a && strcmp(a->v.s, "SAME_UPPER") == 0;
    int same_lower = a && strcmp(a->v.s, "SAME_LOWER") == 0;
    if (same_upper || same_lower) {
        for (int i = 0; i < 2; i++) {
            int64_t ext = w->dil[i] * (w->k[i] - 1) + 1;
            int64_t total = (w->out[i] - 1) * w->stride[i] + ext - in[i];
            if (total < 0)
                total = 0;
            int64_t half = total / 2;
            w->pad_b[i] = same_upper ? half : total - half;
            w->pad_e[i] = total - w->pad_b[i];
        }
    } else if (!(a && strcmp(a->v.s, "VALID") == 0) && (a = graph_attr_find(n, "pads"))) {
        w->pad_b[0] = a->v.ints[0];
        w->pad_b[1] = a->v.ints[1];
        w->pad_e[0] = a->v.ints[2];
        w->pad_e[1] = a->v.ints[3];
    }
}

/* --- Conv ---------------------------------------------------------------------------- */

static int infer_conv(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"auto_pad", ATTR_STRING}, {"dilations", ATTR_INTS}, {"group", ATTR_INT},
                                     {"kernel_shape", ATTR_INTS}, {"pads", ATTR_INTS}, {"strides", ATTR_INTS}};
    const graph_tensor *x, *w, *b;
    int64_t group, ks[2];
    window2d win;
    if (CHECK_ATTRS(c, spec) || check_input_count(c, 2, 3) || get_input(c, 0, 0, DT_FLOAT, 4, 4, &x) ||
        get_input(c, 1, 0, DT_FLOAT, 4, 4, &w) || get_input(c, 2, 1, DT_FLOAT, 1, 1, &b))
        return -1;
    if (attr_int(c, "group", 1, 1, OPS_MAX_PARAM, &group))
        return -1;
    int64_t ch = x->dims[1], m = w->dims[0];
    if (ch % group)
        return fail(c, "attribute group=%lld does not divide %lld input channels", (long long)group, (long long)ch);
    if (m % group)
        return fail(c, "attribute group=%lld does not divide %lld output channels", (long long)group,
                    (long long)m);
    if (w->dims[1] != ch / group)
        return fail(c, "weight has %lld input channels per group, input gives %lld", (long long)w->dims[1],
                    (long long)(ch / group));
    if (b && b->dims[0] != m)
        return fail(c, "bias has %lld values for %lld output channels", (long long)b->dims[0], (long long)m);
    int has_ks = attr_ints(c, "kernel_shape", 2, 1, 1, OPS_MAX_PARAM, ks);
    if (has_ks < 0)
        return -1;
    if (has_ks && (ks[0] != w->dims[2] || ks[1] != w->dims[3]))
        return fail(c, "attribute kernel_shape %lldx%lld does not match the weight's %lldx%lld", (long long)ks[0],
                    (long long)ks[1], (long long)w->dims[2], (long long)w->dims[3]);
    win.k[0] = w->dims[2];
    win.k[1] = w->dims[3];
    if (resolve_window(c, x->dims + 2, 0, 0, &win))
        return -1;
    int64_t yd[4] = {x->dims[0], m, win.out[0], win.out[1]};
    return set_output(c, DT_FLOAT, 4, yd);
}

/*
 * Per-thread im2col buffer.  It grows to the largest request seen on the
 * thread and is freed by the key's destructor when the thread exits; being
 * per thread, it needs no lock.  scratch_key is written once, under
 * scratch_once.
 */
typedef struct scratch_buf {
    float *p;
    size_t cap;
} scratch_buf;

static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static pthread_key_t scratch_key;
static int scratch_key_ok;

static void scratch_free(void *v)
{
    scratch_buf *s = v;
    free(s->p);
    free(s);
}

static void scratch_key_init(void)
{
    scratch_key_ok = pthread_key_create(&scratch_key, scratch_free) == 0;
}

/* A buffer of at least `want` floats, or a smaller one (or NULL) when memory is short. */
static float *scratch_get(size_t want, size_t *got)
{
    *got = 0;
    pthread_once(&scratch_once, scratch_key_init);
    if (!scratch_key_ok || !want)
        return NULL;
    scratch_buf *s = pthread_getspecific(scratch_key);
    if (!s) {
        s = calloc(1, sizeof(*s));
        if (!s || pthread_setspecific(scratch_key, s) != 0) {
            free(s);
            return NULL;
        }
    }
    if (s->cap < want) {
        float *p = malloc(want * sizeof(float));
        if (p) {
            free(s->p);
            s->p = p;
            s->cap = want;
        }
    }
    *got = s->cap;
    return s->p;
}

static void run_conv(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *x = &g->tensors[n->inputs[0]], *w = &g->tensors[n->inputs[1]];
    const graph_tensor *y = &g->tensors[n->outputs[0]];
    window2d win;
    window_from_node(n, x->dims + 2, y->dims + 2, w->dims[2], w->dims[3], &win);
    k_conv2d_shape s = {
        .n = x->dims[0], .c = x->dims[1], .h = x->dims[2], .w = x->dims[3],
        .m = w->dims[0], .kh = w->dims[2], .kw = w->dims[3],
        .oh = y->dims[2], .ow = y->dims[3],
        .group = graph_attr_int(n, "group", 1),
        .stride_h = win.stride[0], .stride_w = win.stride[1],
        .pad_t = win.pad_b[0], .pad_l = win.pad_b[1],
        .dil_h = win.dil[0], .dil_w = win.dil[1],
    };
    size_t want = k_conv2d_scratch_want(&s), got = 0;
    if (want > OPS_CONV_SCRATCH_CAP)
        want = OPS_CONV_SCRATCH_CAP;
    float *scratch = scratch_get(want, &got);
    const float *bias = n->n_inputs > 2 ? in[2] : NULL;
    k_conv2d(&s, in[0], in[1], bias, out[0], scratch, got);
}

/* --- pools --------------------------------------------------------------------------- */

static int infer_pool(const infer_ctx *c)
{
    static const attr_spec max_spec[] = {{"auto_pad", ATTR_STRING}, {"ceil_mode", ATTR_INT},
                                         {"dilations", ATTR_INTS},   {"kernel_shape", ATTR_INTS},
                                         {"pads", ATTR_INTS},        {"storage_order", ATTR_INT},
                                         {"strides", ATTR_INTS}};
    static const attr_spec avg_spec[] = {{"auto_pad", ATTR_STRING}, {"ceil_mode", ATTR_INT},
                                         {"count_include_pad", ATTR_INT}, {"dilations", ATTR_INTS},
                                         {"kernel_shape", ATTR_INTS}, {"pads", ATTR_INTS},
                                         {"strides", ATTR_INTS}};
    const graph_tensor *x;
    int64_t ceil_mode, v;
    window2d win;
    int bad = c->n->op == OP_MAXPOOL ? CHECK_ATTRS(c, max_spec) : CHECK_ATTRS(c, avg_spec);
    if (bad || check_input_count(c, 1, 1) || get_input(c, 0, 0, DT_FLOAT, 4, 4, &x))
        return -1;
    /* storage_order only affects the Indices output, which is not supported */
    if (attr_int(c, "ceil_mode", 0, 0, 1, &ceil_mode) || attr_int(c, "storage_order", 0, 0, 1, &v) ||
        attr_int(c, "count_include_pad", 0, 0, 1, &v))
        return -1;
    if (!graph_attr_find(c->n, "kernel_shape"))
        return fail(c, "attribute kernel_shape is required");
    if (attr_ints(c, "kernel_shape", 2, 1, 1, OPS_MAX_PARAM, win.k) < 0 ||
        resolve_window(c, x->dims + 2, 1, (int)ceil_mode, &win))
        return -1;
    int64_t yd[4] = {x->dims[0], x->dims[1], win.out[0], win.out[1]};
    return set_output(c, DT_FLOAT, 4, yd);
}

static void run_pool(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *x = &g->tensors[n->inputs[0]], *y = &g->tensors[n->outputs[0]];
    const graph_attr *ks = graph_attr_find(n, "kernel_shape");
    window2d win;
    window_from_node(n, x->dims + 2, y->dims + 2, ks->v.ints[0], ks->v.ints[1], &win);
    k_pool2d_shape s = {
        .n = x->dims[0], .c = x->dims[1], .h = x->dims[2], .w = x->dims[3],
        .oh = y->dims[2], .ow = y->dims[3],
        .kh = win.k[0], .kw = win.k[1],
        .stride_h = win.stride[0], .stride_w = win.stride[1],
        .pad_t = win.pad_b[0], .pad_l = win.pad_b[1], .pad_b = win.pad_e[0], .pad_r = win.pad_e[1],
        .dil_h = win.dil[0], .dil_w = win.dil[1],
    };
    if (n->op == OP_MAXPOOL)
        k_maxpool2d(&s, in[0], out[0]);
    else
        k_avgpool2d(&s, in[0], out[0], (int)graph_attr_int(n, "count_include_pad", 0));
}

static int infer_global_avgpool(const infer_ctx *c)
{
    const graph_tensor *x;
    if (check_attr_names(c, NULL, 0) || check_input_count(c, 1, 1) ||
        get_input(c, 0, 0, DT_FLOAT, 3, GRAPH_MAX_RANK, &x))
        return -1;
    int64_t yd[GRAPH_MAX_RANK];
    yd[0] = x->dims[0];
    yd[1] = x->dims[1];
    for (uint32_t i = 2; i < x->rank; i++)
        yd[i] = 1;
    return set_output(c, DT_FLOAT, x->rank, yd);
}

static void run_global_avgpool(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *x = &g->tensors[n->inputs[0]];
    int64_t plane = 1;
    for (uint32_t i = 2; i < x->rank; i++)
        plane *= x->dims[i];
    k_global_avgpool(in[0], out[0], x->dims[0] * x->dims[1], plane);
}

/* --- BatchNormalization ---------------------------------------------------------------- */

static int infer_batchnorm(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"epsilon", ATTR_FLOAT}, {"momentum", ATTR_FLOAT},
                                     {"training_mode", ATTR_INT}, {"spatial", ATTR_INT}};
    const graph_tensor *x, *p[4];
    int64_t v;
    float eps;
    if (CHECK_ATTRS(c, spec) || attr_float(c, "epsilon", 1e-5f, &eps) ||
        attr_int(c, "training_mode", 0, 0, 0, &v) || attr_int(c, "spatial", 1, 1, 1, &v))
        return -1;
    if (eps < 0)
        return fail(c, "attribute epsilon=%g is negative", (double)eps);
    if (check_input_count(c, 5, 5) || get_input(c, 0, 0, DT_FLOAT, 2, GRAPH_MAX_RANK, &x))
        return -1;
    for (uint32_t k = 0; k < 4; k++) {
        if (get_input(c, k + 1, 0, DT_FLOAT, 1, 1, &p[k]))
            return -1;
        if (p[k]->dims[0] != x->dims[1])
            return fail(c, "input %u has %lld values for %lld channels", k + 1, (long long)p[k]->dims[0],
                        (long long)x->dims[1]);
    }
    return set_output(c, DT_FLOAT, x->rank, x->dims);
}

static void run_batchnorm(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *x = &g->tensors[n->inputs[0]];
    int64_t spatial = 1;
    for (uint32_t i = 2; i < x->rank; i++)
        spatial *= x->dims[i];
    k_batchnorm(in[0], out[0], x->dims[0], x->dims[1], spatial, in[1], in[2], in[3], in[4],
                graph_attr_float(n, "epsilon", 1e-5f));
}

/* --- MatMul and Gemm -------------------------------------------------------------------- */

/* The MatMul view: m, k, n and the batch dims of a, b and y, right-aligned to the same rank. */
typedef struct matmul_view {
    int64_t m, k, n;
    uint32_t batch_rank;
    int64_t a_batch[GRAPH_MAX_RANK], b_batch[GRAPH_MAX_RANK], y_batch[GRAPH_MAX_RANK];
} matmul_view;

/* Returns the dim index where the two batch shapes fail to broadcast, or -1. */
static int matmul_shape(const graph_tensor *a, const graph_tensor *b, matmul_view *v)
{
    uint32_t ab = a->rank > 2 ? a->rank - 2 : 0, bb = b->rank > 2 ? b->rank - 2 : 0;
    v->m = a->rank >= 2 ? a->dims[a->rank - 2] : 1;
    v->k = a->dims[a->rank - 1];
    v->n = b->rank >= 2 ? b->dims[b->rank - 1] : 1;
    v->batch_rank = ab > bb ? ab : bb;
    for (uint32_t i = 0; i < v->batch_rank; i++) {
        int64_t da = i + ab >= v->batch_rank ? a->dims[i + ab - v->batch_rank] : 1;
        int64_t db = i + bb >= v->batch_rank ? b->dims[i + bb - v->batch_rank] : 1;
        if (da != db && da != 1 && db != 1)
            return (int)i;
        v->a_batch[i] = da;
        v->b_batch[i] = db;
        v->y_batch[i] = da > db ? da : db;
    }
    return -1;
}

static int infer_matmul(const infer_ctx *c)
{
    const graph_tensor *a, *b;
    matmul_view v;
    if (check_attr_names(c, NULL, 0) || check_input_count(c, 2, 2) ||
        get_input(c, 0, 0, DT_FLOAT, 1, GRAPH_MAX_RANK, &a) || get_input(c, 1, 0, DT_FLOAT, 1, GRAPH_MAX_RANK, &b))
        return -1;
    int bad = matmul_shape(a, b, &v);
    if (bad >= 0)
        return fail(c, "batch dims do not broadcast: %lld vs %lld", (long long)v.a_batch[bad],
                    (long long)v.b_batch[bad]);
    int64_t kb = b->rank >= 2 ? b->dims[b->rank - 2] : b->dims[0];
    if (kb != v.k)
        return fail(c, "inner dims differ: %lld vs %lld", (long long)v.k, (long long)kb);
    int64_t yd[GRAPH_MAX_RANK];
    uint32_t r = v.batch_rank;
    memcpy(yd, v.y_batch, r * sizeof(yd[0]));
    if (a->rank >= 2)
        yd[r++] = v.m;
    if (b->rank >= 2)
        yd[r++] = v.n;
    return set_output(c, DT_FLOAT, r, yd);
}

static void run_matmul(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    matmul_view v;
    matmul_shape(&g->tensors[n->inputs[0]], &g->tensors[n->inputs[1]], &v);
    k_matmul(in[0], in[1], out[0], v.m, v.k, v.n, (int)v.batch_rank, v.a_batch, v.b_batch, v.y_batch);
}

/* C of a Gemm as [rows x cols], each 1 or the full size; 0 if it does not broadcast to [m x n]. */
static int gemm_c_shape(const graph_tensor *ct, int64_t m, int64_t n, int64_t *rows, int64_t *cols)
{
    *rows = ct->rank == 2 ? ct->dims[0] : 1;
    *cols = ct->rank >= 1 ? ct->dims[ct->rank - 1] : 1;
    return (*rows == 1 || *rows == m) && (*cols == 1 || *cols == n);
}

static int infer_gemm(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"alpha", ATTR_FLOAT}, {"beta", ATTR_FLOAT}, {"transA", ATTR_INT},
                                     {"transB", ATTR_INT}};
    const graph_tensor *a, *b, *ct;
    int64_t ta, tb, rows, cols;
    float f;
    if (CHECK_ATTRS(c, spec) || attr_float(c, "alpha", 1.0f, &f) || attr_float(c, "beta", 1.0f, &f) ||
        attr_int(c, "transA", 0, 0, 1, &ta) || attr_int(c, "transB", 0, 0, 1, &tb))
        return -1;
    if (check_input_count(c, 2, 3) || get_input(c, 0, 0, DT_FLOAT, 2, 2, &a) ||
        get_input(c, 1, 0, DT_FLOAT, 2, 2, &b) || get_input(c, 2, 1, DT_FLOAT, 0, 2, &ct))
        return -1;
    int64_t m = a->dims[ta ? 1 : 0], k = a->dims[ta ? 0 : 1];
    int64_t kb = b->dims[tb ? 1 : 0], n = b->dims[tb ? 0 : 1];
    if (k != kb)
        return fail(c, "inner dims differ: %lld vs %lld", (long long)k, (long long)kb);
    if (ct && !gemm_c_shape(ct, m, n, &rows, &cols))
        return fail(c, "input 2 does not broadcast to %lldx%lld", (long long)m, (long long)n);
    int64_t yd[2] = {m, n};
    return set_output(c, DT_FLOAT, 2, yd);
}

static void run_gemm(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *a = &g->tensors[n->inputs[0]], *b = &g->tensors[n->inputs[1]];
    int ta = (int)graph_attr_int(n, "transA", 0), tb = (int)graph_attr_int(n, "transB", 0);
    int64_t m = a->dims[ta ? 1 : 0], k = a->dims[ta ? 0 : 1], nn = b->dims[tb ? 0 : 1];
    int64_t rows = 1, cols = 1;
    const float *cdata = NULL;
    if (n->n_inputs > 2 && in[2]) {
        gemm_c_shape(&g->tensors[n->inputs[2]], m, nn, &rows, &cols);
        cdata = in[2];
    }
    k_gemm(in[0], in[1], cdata, out[0], m, k, nn, ta, tb, graph_attr_float(n, "alpha", 1.0f),
           graph_attr_float(n, "beta", 1.0f), rows, cols);
}

/* --- Reshape and Flatten --------------------------------------------------------------- */

/*
 * Reshape's target shape: from the int64 weight tensor of input 1 (opset
 * >= 5) or the `shape` attribute (opset < 5).  0 copies the input dim at the
 * same index, one -1 takes what is left.  allowzero=1 (a literal 0 dim) is
 * refused since zero-sized tensors are not supported.
 */
static int infer_reshape(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"allowzero", ATTR_INT}, {"shape", ATTR_INTS}};
    const graph_tensor *x, *st;
    int64_t allowzero, shape[GRAPH_MAX_RANK], yd[GRAPH_MAX_RANK];
    uint32_t rank;
    if (CHECK_ATTRS(c, spec) || attr_int(c, "allowzero", 0, 0, 1, &allowzero) || check_input_count(c, 1, 2) ||
        get_input(c, 0, 0, -1, 0, GRAPH_MAX_RANK, &x) || get_input(c, 1, 1, DT_INT64, 1, 1, &st))
        return -1;
    const graph_attr *sa = graph_attr_find(c->n, "shape");
    if (st && sa)
        return fail(c, "shape given both as attribute and as input");
    if (!st && !sa)
        return fail(c, "shape input is missing");
    if (st) {
        if (st->kind != TENSOR_WEIGHT)
            return fail(c, "shape input '%s' is not a constant weight", st->name ? st->name : "?");
        if (st->dims[0] > GRAPH_MAX_RANK)
            return fail(c, "shape has %lld dims, above %d", (long long)st->dims[0], GRAPH_MAX_RANK);
        const graph *g = c->g;
        if (!g->weights || st->offset > g->weight_size || st->bytes > g->weight_size - st->offset)
            return fail(c, "shape input '%s' lies outside the weights", st->name ? st->name : "?");
        rank = (uint32_t)st->dims[0];
        memcpy(shape, g->weights + st->offset, rank * sizeof(int64_t));
    } else {
        if (sa->count > GRAPH_MAX_RANK)
            return fail(c, "attribute shape has %u dims, above %d", sa->count, GRAPH_MAX_RANK);
        rank = sa->count;
        memcpy(shape, sa->v.ints, rank * sizeof(int64_t));
    }
    int64_t known = 1, in_numel = (int64_t)graph_tensor_numel(x);
    int infer_at = -1;
    for (uint32_t i = 0; i < rank; i++) {
        int64_t d = shape[i];
        if (d == -1) {
            if (infer_at >= 0)
                return fail(c, "shape has more than one -1");
            infer_at = (int)i;
            continue;
        }
        if (d == 0 && allowzero)
            return fail(c, "shape dim %u is 0 with allowzero=1 (zero-sized tensors are unsupported)", i);
        if (d == 0) {
            if (i >= x->rank)
                return fail(c, "shape dim %u is 0 but the input has rank %u", i, x->rank);
            d = x->dims[i];
        }
        if (d < 0)
            return fail(c, "shape dim %u is %lld", i, (long long)d);
        if (d > OPS_MAX_NUMEL / known)
            return fail(c, "shape has more than %lld elements", (long long)OPS_MAX_NUMEL);
        known *= d;
        yd[i] = d;
    }
    if (infer_at >= 0) {
        if (in_numel % known)
            return fail(c, "cannot infer the -1 dim: %lld elements do not divide into %lld", (long long)in_numel,
                        (long long)known);
        yd[infer_at] = in_numel / known;
        known = in_numel;
    }
    if (known != in_numel)
        return fail(c, "shape holds %lld elements, input has %lld", (long long)known, (long long)in_numel);
    return set_output(c, x->dtype, rank, yd);
}

static int infer_flatten(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"axis", ATTR_INT}};
    const graph_tensor *x;
    int64_t axis = 0;
    if (CHECK_ATTRS(c, spec) || check_input_count(c, 1, 1) || get_input(c, 0, 0, -1, 1, GRAPH_MAX_RANK, &x))
        return -1;
    if (normalize_axis(c, graph_attr_int(c->n, "axis", 1), (int64_t)x->rank + 1, x->rank, &axis))
        return -1;
    int64_t yd[2] = {1, 1};
    for (uint32_t i = 0; i < x->rank; i++)
        yd[i < axis ? 0 : 1] *= x->dims[i];
    return set_output(c, x->dtype, 2, yd);
}

/* Reshape and Flatten keep the bytes; only a copy when output and input are not the same memory. */
static void run_copy(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *y = &g->tensors[n->outputs[0]];
    if (in[0] != out[0])
        memmove(out[0], in[0], y->bytes);
}

/* --- Transpose and Concat ----------------------------------------------------------------- */

static int infer_transpose(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"perm", ATTR_INTS}};
    const graph_tensor *x;
    int64_t perm[GRAPH_MAX_RANK], yd[GRAPH_MAX_RANK];
    if (CHECK_ATTRS(c, spec) || check_input_count(c, 1, 1) || get_input(c, 0, 0, DT_FLOAT, 0, GRAPH_MAX_RANK, &x))
        return -1;
    const graph_attr *pa = graph_attr_find(c->n, "perm");
    if (pa && pa->count != x->rank)
        return fail(c, "attribute perm has %u values for rank %u", pa->count, x->rank);
    unsigned seen = 0;
    for (uint32_t i = 0; i < x->rank; i++) {
        perm[i] = pa ? pa->v.ints[i] : (int64_t)(x->rank - 1 - i);
        if (perm[i] < 0 || perm[i] >= x->rank || (seen & (1u << perm[i])))
            return fail(c, "attribute perm is not a permutation of 0..%u", x->rank - 1);
        seen |= 1u << perm[i];
        yd[i] = x->dims[perm[i]];
    }
    return set_output(c, DT_FLOAT, x->rank, yd);
}

static void run_transpose(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *x = &g->tensors[n->inputs[0]];
    const graph_attr *pa = graph_attr_find(n, "perm");
    int64_t perm[GRAPH_MAX_RANK];
    for (uint32_t i = 0; i < x->rank; i++)
        perm[i] = pa ? pa->v.ints[i] : (int64_t)(x->rank - 1 - i);
    k_transpose(in[0], out[0], x->dims, perm, (int)x->rank);
}

static int infer_concat(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"axis", ATTR_INT}};
    const graph_tensor *x0, *x;
    int64_t axis = 0;
    if (CHECK_ATTRS(c, spec) || check_input_count(c, 1, OPS_MAX_CONCAT_INPUTS) ||
        get_input(c, 0, 0, -1, 1, GRAPH_MAX_RANK, &x0))
        return -1;
    if (!graph_attr_find(c->n, "axis"))
        return fail(c, "attribute axis is required");
    if (normalize_axis(c, graph_attr_int(c->n, "axis", 0), x0->rank, x0->rank, &axis))
        return -1;
    int64_t yd[GRAPH_MAX_RANK];
    memcpy(yd, x0->dims, x0->rank * sizeof(yd[0]));
    for (uint32_t k = 1; k < c->n->n_inputs; k++) {
        if (get_input(c, k, 0, x0->dtype, x0->rank, x0->rank, &x))
            return -1;
        for (uint32_t i = 0; i < x->rank; i++)
            if (i != axis && x->dims[i] != x0->dims[i])
                return fail(c, "input %u dim %u is %lld, input 0 has %lld", k, i, (long long)x->dims[i],
                            (long long)x0->dims[i]);
        yd[axis] += x->dims[axis]; /* each term <= INT32_MAX, at most 1024 terms: no overflow */
    }
    return set_output(c, x0->dtype, x0->rank, yd);
}

static void run_concat(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *y = &g->tensors[n->outputs[0]];
    int64_t mid[OPS_MAX_CONCAT_INPUTS];
    int64_t axis = graph_attr_int(n, "axis", 0);
    if (axis < 0)
        axis += y->rank;
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < axis; i++)
        outer *= y->dims[i];
    for (uint32_t i = (uint32_t)axis + 1; i < y->rank; i++)
        inner *= y->dims[i];
    for (uint32_t k = 0; k < n->n_inputs; k++)
        mid[k] = g->tensors[n->inputs[k]].dims[axis];
    k_concat(in, mid, (int)n->n_inputs, out[0], outer, inner, graph_dtype_size(y->dtype));
}

/* --- dispatch -------------------------------------------------------------------------------- */

int op_infer(graph *g, const graph_node *n, char *err, size_t errlen)
{
    infer_ctx c = {g, n, err, errlen};
    if (err && errlen)
        err[0] = '\0';
    if (n->op_type && op_lookup(n->op_type) != n->op)
        return fail(&c, "op code %u does not match the op type", n->op);
    switch ((op_code)n->op) {
    case OP_CONV:
        return infer_conv(&c);
    case OP_MATMUL:
        return infer_matmul(&c);
    case OP_GEMM:
        return infer_gemm(&c);
    case OP_ADD:
    case OP_SUB:
    case OP_MUL:
    case OP_DIV:
        return infer_binary(&c);
    case OP_RELU:
    case OP_SIGMOID:
    case OP_TANH:
    case OP_HARDSIGMOID:
        return infer_unary(&c);
    case OP_CLIP:
        return infer_clip(&c);
    case OP_SOFTMAX:
        return infer_softmax(&c);
    case OP_MAXPOOL:
    case OP_AVERAGEPOOL:
        return infer_pool(&c);
    case OP_GLOBALAVERAGEPOOL:
        return infer_global_avgpool(&c);
    case OP_BATCHNORM:
        return infer_batchnorm(&c);
    case OP_RESHAPE:
        return infer_reshape(&c);
    case OP_FLATTEN:
        return infer_flatten(&c);
    case OP_TRANSPOSE:
        return infer_transpose(&c);
    case OP_CONCAT:
        return infer_concat(&c);
    case OP_UNKNOWN:
    case OP_COUNT_:
        break;
    }
    return fail(&c, "unsupported operator");
}

void op_run(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *x = &g->tensors[n->inputs[0]];
    size_t numel = (size_t)graph_tensor_numel(x);
    switch ((op_code)n->op) {
    case OP_CONV:
        run_conv(g, n, in, out);
        break;
    case OP_MATMUL:
        run_matmul(g, n, in, out);
        break;
    case OP_GEMM:
        run_gemm(g, n, in, out);
        break;
    case OP_ADD:
    case OP_SUB:
    case OP_MUL:
    case OP_DIV:
        run_binary(g, n, in, out);
        break;
    case OP_RELU:
        k_relu(in[0], out[0], numel);
        break;
    case OP_SIGMOID:
        k_sigmoid(in[0], out[0], numel);
        break;
    case OP_TANH:
        k_tanh(in[0], out[0], numel);
        break;
    case OP_HARDSIGMOID:
        k_hardsigmoid(in[0], out[0], numel, graph_attr_float(n, "alpha", 0.2f), graph_attr_float(n, "beta", 0.5f));
        break;
    case OP_CLIP:
        run_clip(g, n, in, out);
        break;
    case OP_SOFTMAX:
        run_softmax(g, n, in, out);
        break;
    case OP_MAXPOOL:
    case OP_AVERAGEPOOL:
        run_pool(g, n, in, out);
        break;
    case OP_GLOBALAVERAGEPOOL:
        run_global_avgpool(g, n, in, out);
        break;
    case OP_BATCHNORM:
        run_batchnorm(g, n, in, out);
        break;
    case OP_RESHAPE:
    case OP_FLATTEN:
        run_copy(g, n, in, out);
        break;
    case OP_TRANSPOSE:
        run_transpose(g, n, in, out);
        break;
    case OP_CONCAT:
        run_concat(g, n, in, out);
        break;
    case OP_UNKNOWN:
    case OP_COUNT_:
        break;
    }
}
