/*
 * ops_movement.c - operators that move or pick elements without computing
 * on them: Transpose, Concat, Slice and Gather.
 *
 * Rules: any dtype, except Transpose (float32).  What decides the output
 * shape is known when the graph is checked: Slice's starts, ends, axes and
 * steps are attributes or constant weights.  Gather's indices are checked
 * against the axis when they are a constant weight; computed ones are taken
 * as they come, an index outside the axis giving zeros rather than a read
 * out of bounds (k_gather).  Runners rebuild the checked geometry with the
 * checker's own functions (slice_plan_of) or from the checked attributes.
 */
#include <string.h>

#include "shim/engine/kernels.h"
#include "shim/engine/ops_impl.h"

/* Concat inputs: run_concat keeps their sizes in a stack array of this length. */
#define OPS_MAX_CONCAT_INPUTS 1024

/* --- Transpose and Concat ----------------------------------------------------------------- */

int infer_transpose(const infer_ctx *c)
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

void run_transpose(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *x = &g->tensors[n->inputs[0]];
    const graph_attr *pa = graph_attr_find(n, "perm");
    int64_t perm[GRAPH_MAX_RANK];
    for (uint32_t i = 0; i < x->rank; i++)
        perm[i] = pa ? pa->v.ints[i] : (int64_t)(x->rank - 1 - i);
    k_transpose(in[0], out[0], x->dims, perm, (int)x->rank);
}

int infer_concat(const infer_ctx *c)
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

void run_concat(const graph *g, const graph_node *n, const void *const *in, void *const *out)
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

/* --- Slice ------------------------------------------------------------------------------------ */

/* Per input axis: the first index read, the step and the output length. */
typedef struct slice_plan {
    int64_t start[GRAPH_MAX_RANK], step[GRAPH_MAX_RANK], dims[GRAPH_MAX_RANK];
} slice_plan;

/*
 * One axis of a Slice, as ONNX defines it: negative start/end count from
 * the end, then both are clamped -- to [0, dim] for a positive step, to
 * [0, dim - 1] and [-1, dim - 1] for a negative one.
 */
static int slice_axis(const infer_ctx *c, int64_t axis, int64_t dim, int64_t s, int64_t e, int64_t step,
                      slice_plan *p)
{
    int64_t len;
    if (s < 0)
        s += dim;
    if (e < 0)
        e += dim;
    if (step > 0) {
        s = clamp64(s, 0, dim);
        e = clamp64(e, 0, dim);
        len = e > s ? (e - s - 1) / step + 1 : 0;
    } else {
        int64_t mag = step == INT64_MIN ? INT64_MAX : -step;
        s = clamp64(s, 0, dim - 1);
        e = clamp64(e, -1, dim - 1);
        len = s > e ? (s - e - 1) / mag + 1 : 0;
    }
    if (len == 0)
        return fail(c, "slice of axis %lld is empty (zero-sized tensors are unsupported)", (long long)axis);
    p->start[axis] = s;
    p->step[axis] = step;
    p->dims[axis] = len;
    return 0;
}

/* starts, ends and axes from the attributes (opset < 10). */
static int slice_attr_lists(const infer_ctx *c, uint32_t rank, int64_t *st, int64_t *en, int64_t *ax,
                            uint32_t *n)
{
    const graph_attr *a = graph_attr_find(c->n, "starts"), *b = graph_attr_find(c->n, "ends");
    const graph_attr *d = graph_attr_find(c->n, "axes");
    if (!a || !b)
        return fail(c, "attributes starts and ends are required without inputs");
    if (a->count > rank || b->count != a->count || (d && d->count != a->count))
        return fail(c, "attributes starts, ends and axes have %u, %u and %u values for rank %u", a->count,
                    b->count, d ? d->count : a->count, rank);
    *n = a->count;
    memcpy(st, a->v.ints, a->count * sizeof(int64_t));
    memcpy(en, b->v.ints, a->count * sizeof(int64_t));
    for (uint32_t i = 0; i < a->count; i++)
        ax[i] = d ? d->v.ints[i] : (int64_t)i;
    return 0;
}

/* starts, ends, axes and steps from the constant inputs 1 to 4 (opset >= 10). */
static int slice_input_lists(const infer_ctx *c, uint32_t rank, int64_t *st, int64_t *en, int64_t *ax,
                             int64_t *sp, uint32_t *n)
{
    uint32_t ne = 0, na, ns;
    if (graph_attr_find(c->n, "starts") || graph_attr_find(c->n, "ends") || graph_attr_find(c->n, "axes"))
        return fail(c, "attributes starts, ends and axes are not allowed with inputs");
    if (const_ints(c, 1, "starts", rank, st, n) || const_ints(c, 2, "ends", rank, en, &ne))
        return -1;
    na = ns = *n;
    if (has_input(c->n, 3) && const_ints(c, 3, "axes", rank, ax, &na))
        return -1;
    if (has_input(c->n, 4) && const_ints(c, 4, "steps", rank, sp, &ns))
        return -1;
    if (ne != *n || na != *n || ns != *n)
        return fail(c, "inputs starts, ends, axes and steps have %u, %u, %u and %u values", *n, ne, na, ns);
    if (!has_input(c->n, 3))
        for (uint32_t i = 0; i < *n; i++)
            ax[i] = i;
    if (!has_input(c->n, 4))
        for (uint32_t i = 0; i < *n; i++)
            sp[i] = 1;
    return 0;
}

static int slice_plan_of(const infer_ctx *c, const graph_tensor *x, slice_plan *p)
{
    int64_t st[GRAPH_MAX_RANK], en[GRAPH_MAX_RANK], ax[GRAPH_MAX_RANK], sp[GRAPH_MAX_RANK];
    uint32_t n = 0;
    unsigned mask = 0;
    for (uint32_t i = 0; i < GRAPH_MAX_RANK; i++)
        sp[i] = 1;
    int bad = c->n->n_inputs == 1 ? slice_attr_lists(c, x->rank, st, en, ax, &n)
                                   : slice_input_lists(c, x->rank, st, en, ax, sp, &n);
    if (bad || axes_mask(c, "axes", ax, n, x->rank, &mask))
        return -1;
    for (uint32_t i = 0; i < x->rank; i++) {
        p->start[i] = 0;
        p->step[i] = 1;
        p->dims[i] = x->dims[i];
    }
    for (uint32_t i = 0; i < n; i++) {
        int64_t a = ax[i] < 0 ? ax[i] + x->rank : ax[i];
        if (sp[i] == 0)
            return fail(c, "steps[%u] is 0", i);
        if (slice_axis(c, a, x->dims[a], st[i], en[i], sp[i], p))
            return -1;
    }
    return 0;
}

int infer_slice(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"starts", ATTR_INTS}, {"ends", ATTR_INTS}, {"axes", ATTR_INTS}};
    const graph_tensor *x;
    slice_plan p;
    if (CHECK_ATTRS(c, spec) || check_input_count(c, 1, 5) || get_input(c, 0, 0, -1, 1, GRAPH_MAX_RANK, &x))
        return -1;
    if (c->n->n_inputs == 2)
        return fail(c, "has 2 inputs, expected 1 (opset < 10) or 3 to 5");
    if (slice_plan_of(c, x, &p))
        return -1;
    return set_output(c, x->dtype, x->rank, p.dims);
}

void run_slice(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *x = &g->tensors[n->inputs[0]];
    infer_ctx c = run_ctx(g, n);
    slice_plan p;
    slice_plan_of(&c, x, &p);
    k_slice(in[0], out[0], x->dims, p.dims, p.start, p.step, (int)x->rank, graph_dtype_size(x->dtype));
}

/* --- Gather ----------------------------------------------------------------------------------- */

/* Constant indices are checked here; computed ones are handled by k_gather (out of range gives zeros). */
static int check_const_indices(const infer_ctx *c, const graph_tensor *idx, int64_t len)
{
    const unsigned char *p = weight_bytes(c, idx, "indices");
    if (!p)
        return -1;
    uint64_t n = graph_tensor_numel(idx);
    for (uint64_t i = 0; i < n; i++) {
        int64_t v = load_index(p, idx->dtype, i);
        if (v < -len || v >= len)
            return fail(c, "indices[%llu]=%lld out of range for an axis of %lld", (unsigned long long)i,
                        (long long)v, (long long)len);
    }
    return 0;
}

int infer_gather(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"axis", ATTR_INT}};
    const graph_tensor *x, *idx;
    int64_t axis = 0, yd[GRAPH_MAX_RANK];
    if (CHECK_ATTRS(c, spec) || check_input_count(c, 2, 2) || get_input(c, 0, 0, -1, 1, GRAPH_MAX_RANK, &x) ||
        get_input(c, 1, 0, -1, 0, GRAPH_MAX_RANK, &idx) ||
        normalize_axis(c, graph_attr_int(c->n, "axis", 0), x->rank, x->rank, &axis))
        return -1;
    if (idx->dtype != DT_INT64 && idx->dtype != DT_INT32)
        return fail(c, "input 1 '%s' has dtype %s, expected int64 or int32", idx->name ? idx->name : "?",
                    dtype_name(idx->dtype));
    uint32_t rank = x->rank - 1 + idx->rank, r = 0;
    if (rank > GRAPH_MAX_RANK)
        return fail(c, "output rank %u is above %d", rank, GRAPH_MAX_RANK);
    if (idx->kind == TENSOR_WEIGHT && check_const_indices(c, idx, x->dims[axis]))
        return -1;
    for (uint32_t i = 0; i < x->rank; i++) {
        if (i != axis) {
            yd[r++] = x->dims[i];
            continue;
        }
        for (uint32_t j = 0; j < idx->rank; j++)
            yd[r++] = idx->dims[j];
    }
    return set_output(c, x->dtype, rank, yd);
}

void run_gather(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *x = &g->tensors[n->inputs[0]], *idx = &g->tensors[n->inputs[1]];
    int64_t axis = graph_attr_int(n, "axis", 0);
    if (axis < 0)
        axis += x->rank;
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < axis; i++)
        outer *= x->dims[i];
    for (uint32_t i = (uint32_t)axis + 1; i < x->rank; i++)
        inner *= x->dims[i];
    k_gather(in[0], out[0], outer, x->dims[axis], inner, in[1], idx->dtype == DT_INT64,
             (int64_t)graph_tensor_numel(idx), graph_dtype_size(x->dtype));
}
