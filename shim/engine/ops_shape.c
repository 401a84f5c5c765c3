/*
 * ops_shape.c - operators that give the same bytes a new shape: Reshape,
 * Flatten, Squeeze, Unsqueeze and Identity; and Shape, which outputs a
 * shape.
 *
 * Rules: any dtype.  For the five reshaping operators only the checker has
 * work to do: they all run as run_copy, which copies the bytes unless
 * output and input are the same memory.  The inputs that say what the new
 * shape is (Reshape's shape, the axes of Squeeze and Unsqueeze) must be
 * constant weights, and no dim may be 0 (zero-sized tensors are
 * unsupported).
 */
#include <string.h>

#include "shim/engine/ops_impl.h"

/* --- Reshape and Flatten --------------------------------------------------------------- */

/*
 * Reshape's target shape: from the int64 weight tensor of input 1 (opset
 * >= 5) or the `shape` attribute (opset < 5).  0 copies the input dim at the
 * same index, one -1 takes what is left.  allowzero=1 (a literal 0 dim) is
 * refused since zero-sized tensors are not supported.
 */
int infer_reshape(const infer_ctx *c)
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

int infer_flatten(const infer_ctx *c)
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

/* Reshape, Flatten, Squeeze, Unsqueeze and Identity keep the bytes; only a copy when output and input are not the same memory. */
void run_copy(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *y = &g->tensors[n->outputs[0]];
    if (in[0] != out[0])
        memmove(out[0], in[0], y->bytes);
}

/* --- Squeeze, Unsqueeze, Identity: shape-only ops on any dtype ---------------------------------- */

/*
 * Squeeze: drops the axes listed (attribute, opset < 13, or constant input
 * 1), each of which must have size 1; with no list, every size-1 axis.
 */
int infer_squeeze(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"axes", ATTR_INTS}};
    const graph_tensor *x;
    int64_t axes[GRAPH_MAX_RANK], yd[GRAPH_MAX_RANK];
    uint32_t count, r = 0;
    unsigned mask;
    int present;
    if (CHECK_ATTRS(c, spec) || check_input_count(c, 1, 2) || get_input(c, 0, 0, -1, 0, GRAPH_MAX_RANK, &x) ||
        get_axes_list(c, 1, "axes", GRAPH_MAX_RANK, axes, &count, &present) ||
        axes_mask(c, "axes", axes, count, x->rank, &mask))
        return -1;
    for (uint32_t i = 0; i < x->rank; i++) {
        if (count && (mask & (1u << i)) && x->dims[i] != 1)
            return fail(c, "axes selects axis %u of size %lld, not 1", i, (long long)x->dims[i]);
        int drop = count ? (mask >> i) & 1u : x->dims[i] == 1;
        if (!drop)
            yd[r++] = x->dims[i];
    }
    return set_output(c, x->dtype, r, yd);
}

/* Unsqueeze: inserts size-1 axes at the listed positions of the output (negative ones count from its end). */
int infer_unsqueeze(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"axes", ATTR_INTS}};
    const graph_tensor *x;
    int64_t axes[GRAPH_MAX_RANK], yd[GRAPH_MAX_RANK];
    uint32_t count;
    unsigned mask;
    int present;
    if (CHECK_ATTRS(c, spec) || check_input_count(c, 1, 2) || get_input(c, 0, 0, -1, 0, GRAPH_MAX_RANK, &x) ||
        get_axes_list(c, 1, "axes", GRAPH_MAX_RANK, axes, &count, &present))
        return -1;
    if (!count)
        return fail(c, "axes are required");
    uint32_t rank = x->rank + count;
    if (rank > GRAPH_MAX_RANK)
        return fail(c, "output rank %u is above %d", rank, GRAPH_MAX_RANK);
    if (axes_mask(c, "axes", axes, count, rank, &mask))
        return -1;
    for (uint32_t i = 0, j = 0; i < rank; i++)
        yd[i] = (mask & (1u << i)) ? 1 : x->dims[j++];
    return set_output(c, x->dtype, rank, yd);
}

int infer_identity(const infer_ctx *c)
{
    const graph_tensor *x;
    if (check_attr_names(c, NULL, 0) || check_input_count(c, 1, 1) || get_input(c, 0, 0, -1, 0, GRAPH_MAX_RANK, &x))
        return -1;
    return set_output(c, x->dtype, x->rank, x->dims);
}

/* --- Shape ---------------------------------------------------------------------------------------- */

/* Shape's dims [start, end): negative values count from the end, then both clamp to [0, rank] (opset 15). */
static int shape_range(const infer_ctx *c, uint32_t rank, int64_t *s, int64_t *e)
{
    *s = graph_attr_int(c->n, "start", 0);
    *e = graph_attr_int(c->n, "end", rank);
    if (*s < 0)
        *s += rank;
    if (*e < 0)
        *e += rank;
    *s = clamp64(*s, 0, rank);
    *e = clamp64(*e, 0, rank);
    if (*s >= *e)
        return fail(c, "start and end select no dims of rank %u (zero-sized tensors are unsupported)", rank);
    return 0;
}

int infer_shape(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"start", ATTR_INT}, {"end", ATTR_INT}};
    const graph_tensor *x;
    int64_t s, e;
    if (CHECK_ATTRS(c, spec) || check_input_count(c, 1, 1) || get_input(c, 0, 0, -1, 1, GRAPH_MAX_RANK, &x) ||
        shape_range(c, x->rank, &s, &e))
        return -1;
    int64_t yd[1] = {e - s};
    return set_output(c, DT_INT64, 1, yd);
}

void run_shape(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    (void)in;
    const graph_tensor *x = &g->tensors[n->inputs[0]];
    infer_ctx c = run_ctx(g, n);
    int64_t s = 0, e = 0;
    shape_range(&c, x->rank, &s, &e);
    memcpy(out[0], x->dims + s, (size_t)(e - s) * sizeof(int64_t));
}
