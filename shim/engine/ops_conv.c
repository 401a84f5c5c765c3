/*
 * ops_conv.c - the operators that run on matrix products: Conv and
 * ConvTranspose (2-D, NCHW, grouped), MatMul and Gemm.
 *
 * A Conv may carry an activation fused into it by `aclsub atc`
 * (_fused_activation, _fused_params; docs/ATC.md): the kernel applies it to
 * the output it has just written.
 *
 * Rules: float32 only.  Each runner recomputes the geometry its checker
 * accepted from the same attributes: the window of ops_common.c for Conv,
 * convt_geometry for ConvTranspose, matmul_shape and gemm_c_shape for the
 * products.  The convolutions take their scratch (im2col / col2im columns;
 * for the direct dense kernel a padded copy of the input; for depthwise 3x3
 * and 5x5 kernels one zero-padded input plane per participant of the worker
 * pool) from the calling thread's buffer, capped at OPS_CONV_SCRATCH_CAP
 * floats, outside the model's work memory (aclmdlQuerySize); the kernels
 * work in chunks (or without scratch) when they get less than they want,
 * so the scratch never changes what is computed (only, at most, the order
 * of the additions).
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "shim/engine/kernels.h"
#include "shim/engine/ops_impl.h"

/* The scratch a convolution will hold per thread, in floats (32 MiB). */
#define OPS_CONV_SCRATCH_CAP ((size_t)1 << 23)

/* --- Conv ---------------------------------------------------------------------------- */

/*
 * The activations `aclsub atc` fuses into a Conv (docs/ATC.md): the value of
 * its _fused_activation attribute, and how many floats _fused_params gives.
 */
static const struct {
    const char *name;
    k_act_kind kind;
    uint32_t n_params;
} conv_acts[] = {
    {"Relu", K_ACT_RELU, 0},
    {"Clip", K_ACT_CLIP, 2},
    {"HardSigmoid", K_ACT_HARDSIGMOID, 2},
    {"HardSwish", K_ACT_HARDSWISH, 4},
    {"HardSwishMulDiv", K_ACT_HARDSWISH_MD, 4},
};

/* The fused activation of a Conv node (kind K_ACT_NONE when it has none); -1 when the attributes are wrong. */
static int conv_act(const graph_node *n, k_act *act)
{
    const graph_attr *a = graph_attr_find(n, "_fused_activation"), *p = graph_attr_find(n, "_fused_params");
    const graph_attr *post = graph_attr_find(n, "_fused_post");
    memset(act, 0, sizeof(*act));
    if (!a)
        return p || post ? -1 : 0;
    if (post) {
        if (post->count != 2 || isnan(post->v.floats[0]) || isnan(post->v.floats[1]))
            return -1;
        act->post = 1;
        act->post_scale = post->v.floats[0];
        act->post_shift = post->v.floats[1];
    }
    for (size_t i = 0; i < sizeof(conv_acts) / sizeof(conv_acts[0]); i++) {
        if (strcmp(a->v.s, conv_acts[i].name) != 0)
            continue;
        uint32_t got = p ? p->count : 0;
        if (got != conv_acts[i].n_params)
            return -1;
        act->kind = conv_acts[i].kind;
        for (uint32_t k = 0; k < got; k++) {
            if (isnan(p->v.floats[k]))
                return -1;
            act->p[k] = p->v.floats[k];
        }
        return 0;
    }
    return -1;
}

int infer_conv(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"auto_pad", ATTR_STRING},     {"dilations", ATTR_INTS},
                                     {"group", ATTR_INT},           {"kernel_shape", ATTR_INTS},
                                     {"pads", ATTR_INTS},           {"strides", ATTR_INTS},
                                     {"_fused_activation", ATTR_STRING}, {"_fused_params", ATTR_FLOATS},
                                     {"_fused_post", ATTR_FLOATS},
                                     {"_datadump_original_op_names", ATTR_STRING}};
    const graph_tensor *x, *w, *b;
    int64_t group, ks[2];
    window2d win;
    k_act act;
    if (CHECK_ATTRS(c, spec))
        return -1;
    if (conv_act(c->n, &act))
        return fail(c, "attributes _fused_activation and _fused_params do not name a known activation with its "
                       "parameters");
    if (check_input_count(c, 2, 3) || get_input(c, 0, 0, DT_FLOAT, 4, 4, &x) ||
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

void run_conv(const graph *g, const graph_node *n, const void *const *in, void *const *out)
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
    k_act act;
    conv_act(n, &act);
    k_conv2d_act(&s, in[0], in[1], bias, &act, out[0], scratch, got);
}

/* --- ConvTranspose ------------------------------------------------------------------------- */

/* Bound on a transposed convolution's full output extent, so that index arithmetic stays far from overflow. */
#define OPS_MAX_EXTENT ((int64_t)1 << 62)

/* The resolved geometry of a ConvTranspose node, per spatial axis (0 = H, 1 = W). */
typedef struct convt_geom {
    int64_t group, m;
    int64_t stride[2], dil[2], pad_b[2], out[2];
} convt_geom;

/* v // 2 with Python's floor, as ONNX's pad formulas mean it for negative totals. */
static int64_t floor_half(int64_t v)
{
    return v >= 0 ? v / 2 : -((-v + 1) / 2);
}

/*
 * The leading pad and output size of one spatial axis.  full is the extent
 * of the untrimmed result, stride * (in - 1) + output_padding + dil * (k -
 * 1) + 1.  With output_shape (or SAME_*, whose output is in * stride) the
 * difference total = full - out is split as the ONNX spec writes it:
 * SAME_UPPER puts total // 2 first, the other modes total - total // 2.
 * A negative total means the output reaches past the result (rows that
 * hold only the bias), giving negative pads.
 */
static int convt_axis(const infer_ctx *c, int i, int64_t in, int64_t full, pad_mode mode, const graph_attr *os,
                      const int64_t *pads, convt_geom *g)
{
    int64_t out, total;
    if (os) {
        out = os->v.ints[os->count - 2 + i];
        if (out < 1 || out > OPS_MAX_NUMEL)
            return fail(c, "attribute output_shape gives spatial axis %d size %lld", i, (long long)out);
    } else if (mode == PAD_SAME_UPPER || mode == PAD_SAME_LOWER) {
        if (in > OPS_MAX_NUMEL / g->stride[i])
            return fail(c, "output size on spatial axis %d is too large", i);
        out = in * g->stride[i];
    } else if (mode == PAD_VALID) {
        g->pad_b[i] = 0;
        g->out[i] = full;
        return 0;
    } else {
        g->pad_b[i] = pads[i];
        g->out[i] = full - pads[i] - pads[i + 2];
        if (g->out[i] < 1)
            return fail(c, "attribute pads leave no output on spatial axis %d", i);
        return 0;
    }
    total = full - out;
    g->pad_b[i] = mode == PAD_SAME_UPPER ? floor_half(total) : total - floor_half(total);
    g->out[i] = out;
    return 0;
}

/* Checks a ConvTranspose node's attributes against x [N, C, H, W] and w [C, M / group, kH, kW]. */
static int convt_geometry(const infer_ctx *c, const graph_tensor *x, const graph_tensor *w, convt_geom *g)
{
    int64_t pads[4], opad[2], ks[2];
    pad_mode mode;
    if (attr_int(c, "group", 1, 1, OPS_MAX_PARAM, &g->group) ||
        attr_ints(c, "strides", 2, 1, 1, OPS_MAX_PARAM, g->stride) < 0 ||
        attr_ints(c, "dilations", 2, 1, 1, OPS_MAX_PARAM, g->dil) < 0 ||
        attr_ints(c, "output_padding", 2, 0, 0, OPS_MAX_PARAM, opad) < 0 ||
        attr_ints(c, "pads", 4, 0, 0, OPS_MAX_PARAM, pads) < 0 || get_auto_pad(c, &mode))
        return -1;
    int64_t ch = x->dims[1];
    if (w->dims[0] != ch)
        return fail(c, "weight has %lld input channels, input has %lld", (long long)w->dims[0], (long long)ch);
    if (ch % g->group)
        return fail(c, "attribute group=%lld does not divide %lld input channels", (long long)g->group,
                    (long long)ch);
    if (w->dims[1] > OPS_MAX_NUMEL / g->group)
        return fail(c, "output channels overflow: %lld per group times group=%lld", (long long)w->dims[1],
                    (long long)g->group);
    g->m = w->dims[1] * g->group;
    int has_ks = attr_ints(c, "kernel_shape", 2, 1, 1, OPS_MAX_PARAM, ks);
    if (has_ks < 0)
        return -1;
    if (has_ks && (ks[0] != w->dims[2] || ks[1] != w->dims[3]))
        return fail(c, "attribute kernel_shape %lldx%lld does not match the weight's %lldx%lld", (long long)ks[0],
                    (long long)ks[1], (long long)w->dims[2], (long long)w->dims[3]);
    int any_pad = pads[0] || pads[1] || pads[2] || pads[3];
    if (mode != PAD_NOTSET && any_pad)
        return fail(c, "attribute pads is not allowed with auto_pad other than NOTSET");
    const graph_attr *os = graph_attr_find(c->n, "output_shape");
    if (os && os->count != 2 && os->count != 4)
        return fail(c, "attribute output_shape has %u values, expected 2 (or 4 with N and C)", os->count);
    if (os && any_pad)
        return fail(c, "attribute pads is not allowed with output_shape");
    if (os && os->count == 4 && (os->v.ints[0] != x->dims[0] || os->v.ints[1] != g->m))
        return fail(c, "attribute output_shape gives N, C = %lld, %lld, the node makes %lld, %lld",
                    (long long)os->v.ints[0], (long long)os->v.ints[1], (long long)x->dims[0], (long long)g->m);
    for (int i = 0; i < 2; i++) {
        /* each product is below 2^62: every factor is at most INT32_MAX */
        int64_t span = g->stride[i] * (x->dims[2 + i] - 1), ext = g->dil[i] * (w->dims[2 + i] - 1) + 1;
        if (span > OPS_MAX_EXTENT - ext - opad[i])
            return fail(c, "output extent on spatial axis %d is too large", i);
        if (convt_axis(c, i, x->dims[2 + i], span + ext + opad[i], mode, os, pads, g))
            return -1;
    }
    return 0;
}

int infer_convtranspose(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"auto_pad", ATTR_STRING},    {"dilations", ATTR_INTS},
                                     {"group", ATTR_INT},          {"kernel_shape", ATTR_INTS},
                                     {"output_padding", ATTR_INTS}, {"output_shape", ATTR_INTS},
                                     {"pads", ATTR_INTS},          {"strides", ATTR_INTS}};
    const graph_tensor *x, *w, *b;
    convt_geom geo;
    if (CHECK_ATTRS(c, spec) || check_input_count(c, 2, 3) || get_input(c, 0, 0, DT_FLOAT, 4, 4, &x) ||
        get_input(c, 1, 0, DT_FLOAT, 4, 4, &w) || get_input(c, 2, 1, DT_FLOAT, 1, 1, &b) ||
        convt_geometry(c, x, w, &geo))
        return -1;
    if (b && b->dims[0] != geo.m)
        return fail(c, "bias has %lld values for %lld output channels", (long long)b->dims[0], (long long)geo.m);
    int64_t yd[4] = {x->dims[0], geo.m, geo.out[0], geo.out[1]};
    return set_output(c, DT_FLOAT, 4, yd);
}

void run_convtranspose(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *x = &g->tensors[n->inputs[0]], *w = &g->tensors[n->inputs[1]];
    infer_ctx c = run_ctx(g, n);
    convt_geom geo;
    convt_geometry(&c, x, w, &geo);
    k_conv2d_shape s = {
        .n = x->dims[0], .c = x->dims[1], .h = x->dims[2], .w = x->dims[3],
        .m = geo.m, .kh = w->dims[2], .kw = w->dims[3],
        .oh = geo.out[0], .ow = geo.out[1],
        .group = geo.group,
        .stride_h = geo.stride[0], .stride_w = geo.stride[1],
        .pad_t = geo.pad_b[0], .pad_l = geo.pad_b[1],
        .dil_h = geo.dil[0], .dil_w = geo.dil[1],
    };
    size_t want = k_conv_transpose2d_scratch_want(&s), got = 0;
    if (want > OPS_CONV_SCRATCH_CAP)
        want = OPS_CONV_SCRATCH_CAP;
    float *scratch = scratch_get(want, &got);
    const float *bias = n->n_inputs > 2 ? in[2] : NULL;
    k_conv_transpose2d(&s, in[0], in[1], bias, out[0], scratch, got);
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

int infer_matmul(const infer_ctx *c)
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

void run_matmul(const graph *g, const graph_node *n, const void *const *in, void *const *out)
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

int infer_gemm(const infer_ctx *c)
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

void run_gemm(const graph *g, const graph_node *n, const void *const *in, void *const *out)
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
