/*
 * ops_reduce.c - reductions: ReduceMean over any set of axes.
 *
 * Rules: float32 only.  The axes come from the attribute (older opsets) or
 * the constant input 1 (opset 18), never both; none means every axis, or
 * none with noop_with_empty_axes=1.  The runner derives the same axes with
 * the checker's reduce_mask.
 */
#include "shim/engine/kernels.h"
#include "shim/engine/ops_impl.h"

/* --- ReduceMean ------------------------------------------------------------------------------ */

/*
 * The reduced axes as a bit mask: from the `axes` attribute (opset < 18)
 * or the constant input 1 (opset 18).  No axes means all of them, or none
 * with noop_with_empty_axes=1.
 */
static int reduce_mask(const infer_ctx *c, const graph_tensor *x, unsigned *mask)
{
    int64_t axes[GRAPH_MAX_RANK], noop;
    uint32_t count;
    int present;
    if (attr_int(c, "noop_with_empty_axes", 0, 0, 1, &noop) ||
        get_axes_list(c, 1, "axes", GRAPH_MAX_RANK, axes, &count, &present) ||
        axes_mask(c, "axes", axes, count, x->rank, mask))
        return -1;
    if (count == 0)
        *mask = noop ? 0 : (1u << x->rank) - 1;
    return 0;
}

int infer_reducemean(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"axes", ATTR_INTS}, {"keepdims", ATTR_INT}, {"noop_with_empty_axes", ATTR_INT}};
    const graph_tensor *x;
    int64_t keep, yd[GRAPH_MAX_RANK];
    unsigned mask;
    uint32_t r = 0;
    if (CHECK_ATTRS(c, spec) || attr_int(c, "keepdims", 1, 0, 1, &keep) || check_input_count(c, 1, 2) ||
        get_input(c, 0, 0, DT_FLOAT, 0, GRAPH_MAX_RANK, &x) || reduce_mask(c, x, &mask))
        return -1;
    for (uint32_t i = 0; i < x->rank; i++) {
        if (!(mask & (1u << i)))
            yd[r++] = x->dims[i];
        else if (keep)
            yd[r++] = 1;
    }
    return set_output(c, DT_FLOAT, r, yd);
}

void run_reducemean(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *x = &g->tensors[n->inputs[0]];
    infer_ctx c = run_ctx(g, n);
    unsigned mask = 0;
    int reduce[GRAPH_MAX_RANK];
    reduce_mask(&c, x, &mask);
    for (uint32_t i = 0; i < x->rank; i++)
        reduce[i] = (mask >> i) & 1u;
    k_reduce_mean(in[0], out[0], x->dims, reduce, (int)x->rank);
}
