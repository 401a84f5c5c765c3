/*
 * ops_norm.c - normalisations: Softmax along an axis, BatchNormalization
 * with the stored mean and variance (inference), and LayerNormalization
 * over the trailing axes.
 *
 * Rules: float32 only; the output has the input's shape.  Training forms
 * are refused (BatchNormalization's training_mode=1, LayerNormalization's
 * Mean and InvStdDev outputs), and epsilon must not be negative.
 */
#include "shim/engine/kernels.h"
#include "shim/engine/ops_impl.h"

/* --- softmax ------------------------------------------------------------------------ */

/*
 * Softmax follows opset 13: normalise along `axis` alone (default -1).
 * With _legacy_coerce2d=1 (ops.h) it follows opset < 13 instead: the input
 * is flattened to 2-D at `axis` (default 1) and each row of the trailing
 * block normalised.  The two agree when axis is the last one.
 */
int infer_softmax(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"axis", ATTR_INT}, {"_legacy_coerce2d", ATTR_INT}};
    const graph_tensor *x;
    int64_t axis = 0, legacy;
    if (CHECK_ATTRS(c, spec) || attr_int(c, "_legacy_coerce2d", 0, 0, 1, &legacy) || check_input_count(c, 1, 1) ||
        get_input(c, 0, 0, DT_FLOAT, 1, GRAPH_MAX_RANK, &x))
        return -1;
    if (normalize_axis(c, graph_attr_int(c->n, "axis", legacy ? 1 : -1), x->rank, x->rank, &axis))
        return -1;
    return set_output(c, DT_FLOAT, x->rank, x->dims);
}

void run_softmax(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *x = &g->tensors[n->inputs[0]];
    int legacy = graph_attr_int(n, "_legacy_coerce2d", 0) != 0;
    int64_t axis = graph_attr_int(n, "axis", legacy ? 1 : -1);
    if (axis < 0)
        axis += x->rank;
    int64_t outer = 1, mid = 1, inner = 1;
    for (int64_t i = 0; i < axis; i++)
        outer *= x->dims[i];
    for (uint32_t i = (uint32_t)axis; i < x->rank; i++) {
        if (legacy || i == axis)
            mid *= x->dims[i];
        else
            inner *= x->dims[i];
    }
    k_softmax(in[0], out[0], outer, mid, inner);
}

/* --- BatchNormalization ---------------------------------------------------------------- */

int infer_batchnorm(const infer_ctx *c)
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

void run_batchnorm(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *x = &g->tensors[n->inputs[0]];
    int64_t spatial = 1;
    for (uint32_t i = 2; i < x->rank; i++)
        spatial *= x->dims[i];
    k_batchnorm(in[0], out[0], x->dims[0], x->dims[1], spatial, in[1], in[2], in[3], in[4],
                graph_attr_float(n, "epsilon", 1e-5f));
}

/* --- LayerNormalization ------------------------------------------------------------------------- */

/*
 * Scale and B apply over the normalised block x.shape[axis:]: either one
 * value for all, or the block's trailing shape (leading 1s aside) holding
 * exactly its elements.
 */
static int norm_param_fits(const graph_tensor *t, const graph_tensor *x, int64_t axis, int64_t cols)
{
    uint64_t n = graph_tensor_numel(t);
    if (n == 1)
        return 1;
    if (n != (uint64_t)cols)
        return 0;
    uint32_t r = t->rank;
    while (r > 0 && t->dims[t->rank - r] == 1 && r > x->rank - (uint32_t)axis)
        r--;
    if (r > x->rank - (uint32_t)axis)
        return 0;
    for (uint32_t j = 0; j < r; j++)
        if (t->dims[t->rank - 1 - j] != x->dims[x->rank - 1 - j])
            return 0;
    return 1;
}

/* LayerNormalization (opset 17), the Y output only; stash_type 1 (float) is the only one. */
int infer_layernorm(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"axis", ATTR_INT}, {"epsilon", ATTR_FLOAT}, {"stash_type", ATTR_INT}};
    const graph_tensor *x, *sc, *b;
    int64_t axis = 0, stash;
    float eps;
    if (CHECK_ATTRS(c, spec) || attr_float(c, "epsilon", 1e-5f, &eps) || attr_int(c, "stash_type", 1, 1, 1, &stash))
        return -1;
    if (eps < 0)
        return fail(c, "attribute epsilon=%g is negative", (double)eps);
    if (c->n->n_outputs != 1)
        return fail(c, "has %u outputs; only Y is supported, not Mean or InvStdDev", c->n->n_outputs);
    if (check_input_count(c, 2, 3) || get_input(c, 0, 0, DT_FLOAT, 1, GRAPH_MAX_RANK, &x) ||
        get_input(c, 1, 0, DT_FLOAT, 0, GRAPH_MAX_RANK, &sc) || get_input(c, 2, 1, DT_FLOAT, 0, GRAPH_MAX_RANK, &b) ||
        normalize_axis(c, graph_attr_int(c->n, "axis", -1), x->rank, x->rank, &axis))
        return -1;
    int64_t cols = 1;
    for (uint32_t i = (uint32_t)axis; i < x->rank; i++)
        cols *= x->dims[i];
    if (!norm_param_fits(sc, x, axis, cols))
        return fail(c, "input 1 (Scale) does not match the normalised shape of %lld elements", (long long)cols);
    if (b && !norm_param_fits(b, x, axis, cols))
        return fail(c, "input 2 (B) does not match the normalised shape of %lld elements", (long long)cols);
    return set_output(c, DT_FLOAT, x->rank, x->dims);
}

void run_layernorm(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *x = &g->tensors[n->inputs[0]];
    int64_t axis = graph_attr_int(n, "axis", -1);
    if (axis < 0)
        axis += x->rank;
    int64_t rows = 1, cols = 1;
    for (uint32_t i = 0; i < x->rank; i++) {
        if (i < axis)
            rows *= x->dims[i];
        else
            cols *= x->dims[i];
    }
    const graph_tensor *sc = &g->tensors[n->inputs[1]];
    const float *bias = n->n_inputs > 2 ? in[2] : NULL;
    int64_t blen = bias ? (int64_t)graph_tensor_numel(&g->tensors[n->inputs[2]]) : 0;
    k_layernorm(in[0], out[0], rows, cols, in[1], (int64_t)graph_tensor_numel(sc), bias, blen,
                graph_attr_float(n, "epsilon", 1e-5f));
}
