/*
 * ops_resize.c - resampling: Resize, nearest on any axes and linear on the
 * last two.
 *
 * Rules: float32 only.  Inputs are (X, scales) as in opset 10, whose
 * defaults are asymmetric coordinates with floor rounding, or (X, roi,
 * scales, sizes) from opset 11 on, with exactly one of scales and sizes;
 * either must be a constant weight.  roi only matters to
 * tf_crop_and_resize, which is refused with the other modes the kernels do
 * not have (cubic, antialias, exclude_outside, aspect-ratio policies).  The
 * runner rebuilds the checker's resize_plan.
 */
#include <math.h>
#include <string.h>

#include "shim/engine/kernels.h"
#include "shim/engine/ops_impl.h"

/* --- Resize ------------------------------------------------------------------------------------ */

typedef struct resize_plan {
    int linear;
    k_coord_mode coord;
    k_nearest_mode nearest;
    k_resize_axis axis[GRAPH_MAX_RANK];
    int64_t dims[GRAPH_MAX_RANK];
} resize_plan;

/* Index of s in names[0 .. n), or -1. */
static int str_index(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

/*
 * The string attributes of Resize.  A two-input node is opset 10, whose
 * Resize had no such attributes and meant asymmetric coordinates with
 * floor rounding; those become its defaults.
 */
static int resize_modes(const infer_ctx *c, resize_plan *p)
{
    static const char *const modes[] = {"nearest", "linear"};
    static const char *const coords[] = {"half_pixel", "pytorch_half_pixel", "asymmetric", "align_corners"};
    static const char *const nearest[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
    static const k_coord_mode coord_code[] = {K_COORD_HALF_PIXEL, K_COORD_PYTORCH_HALF_PIXEL, K_COORD_ASYMMETRIC,
                                              K_COORD_ALIGN_CORNERS};
    static const k_nearest_mode nearest_code[] = {K_NEAREST_ROUND_PREFER_FLOOR, K_NEAREST_ROUND_PREFER_CEIL,
                                                  K_NEAREST_FLOOR, K_NEAREST_CEIL};
    int opset10 = c->n->n_inputs == 2;
    const char *m = attr_str(c->n, "mode", "nearest");
    const char *ct = attr_str(c->n, "coordinate_transformation_mode", opset10 ? "asymmetric" : "half_pixel");
    const char *nm = attr_str(c->n, "nearest_mode", opset10 ? "floor" : "round_prefer_floor");
    const char *kp = attr_str(c->n, "keep_aspect_ratio_policy", "stretch");
    int mi = str_index(m, modes, 2), ci = str_index(ct, coords, 4), ni = str_index(nm, nearest, 4);
    if (mi < 0)
        return fail(c, "unsupported attribute value mode=%.32s (nearest and linear are supported)", m);
    if (ci < 0)
        return fail(c, "unsupported attribute value coordinate_transformation_mode=%.32s", ct);
    if (ni < 0)
        return fail(c, "unsupported attribute value nearest_mode=%.32s", nm);
    if (strcmp(kp, "stretch") != 0)
        return fail(c, "unsupported attribute value keep_aspect_ratio_policy=%.32s", kp);
    p->linear = mi == 1;
    p->coord = coord_code[ci];
    p->nearest = nearest_code[ni];
    return 0;
}

/*
 * Output dims from the constant scales input: out = floor(in * scale).  The
 * coordinate formulas keep the unrounded in * scale as the resized length.
 */
static int resize_from_scales(const infer_ctx *c, const graph_tensor *x, uint32_t k, resize_plan *p)
{
    float sc[GRAPH_MAX_RANK];
    uint32_t n = 0;
    if (const_floats(c, k, "scales", GRAPH_MAX_RANK, sc, &n))
        return -1;
    if (n != x->rank)
        return fail(c, "scales has %u values for rank %u", n, x->rank);
    for (uint32_t i = 0; i < n; i++) {
        if (!(sc[i] > 0.0f) || isinf(sc[i]))
            return fail(c, "scales[%u]=%g is not a positive finite number", i, (double)sc[i]);
        double o = floor((double)sc[i] * (double)x->dims[i]);
        if (o < 1.0)
            return fail(c, "scales[%u]=%g leaves axis %u empty (zero-sized tensors are unsupported)", i,
                        (double)sc[i], i);
        if (o > (double)OPS_MAX_NUMEL)
            return fail(c, "scales[%u]=%g makes axis %u larger than %lld", i, (double)sc[i], i,
                        (long long)OPS_MAX_NUMEL);
        p->dims[i] = (int64_t)o;
        p->axis[i].scale = sc[i];
        p->axis[i].len = (double)sc[i] * (double)x->dims[i];
    }
    return 0;
}

/* Output dims from the constant sizes input; the scale of each axis is then out / in. */
static int resize_from_sizes(const infer_ctx *c, const graph_tensor *x, resize_plan *p)
{
    int64_t sz[GRAPH_MAX_RANK];
    uint32_t n = 0;
    if (const_ints(c, 3, "sizes", GRAPH_MAX_RANK, sz, &n))
        return -1;
    if (n != x->rank)
        return fail(c, "sizes has %u values for rank %u", n, x->rank);
    for (uint32_t i = 0; i < n; i++) {
        if (sz[i] < 1 || sz[i] > OPS_MAX_NUMEL)
            return fail(c, "sizes[%u]=%lld out of range [1, %lld]", i, (long long)sz[i], (long long)OPS_MAX_NUMEL);
        p->dims[i] = sz[i];
        p->axis[i].scale = (double)sz[i] / (double)x->dims[i];
        p->axis[i].len = (double)sz[i];
    }
    return 0;
}

/*
 * Inputs (X, roi, scales, sizes) from opset 11 on, exactly one of scales
 * and sizes given; (X, scales) in opset 10.  roi only matters to
 * tf_crop_and_resize, which is not supported, so it is ignored.
 */
static int resize_plan_of(const infer_ctx *c, const graph_tensor *x, resize_plan *p)
{
    const graph_tensor *roi;
    int64_t v;
    float f;
    if (resize_modes(c, p) || attr_int(c, "exclude_outside", 0, 0, 0, &v) || attr_int(c, "antialias", 0, 0, 0, &v) ||
        attr_float(c, "cubic_coeff_a", -0.75f, &f) || attr_float(c, "extrapolation_value", 0.0f, &f))
        return -1;
    if (c->n->n_inputs == 2) {
        if (resize_from_scales(c, x, 1, p))
            return -1;
    } else {
        if (get_input(c, 1, 1, DT_FLOAT, 0, 1, &roi))
            return -1;
        int sc = has_input(c->n, 2), sz = has_input(c->n, 3);
        if (sc == sz)
            return fail(c, "exactly one of the scales and sizes inputs must be given");
        if (sc ? resize_from_scales(c, x, 2, p) : resize_from_sizes(c, x, p))
            return -1;
    }
    if (!p->linear)
        return 0;
    if (x->rank < 2)
        return fail(c, "mode linear needs rank 2 or more, input has rank %u", x->rank);
    for (uint32_t i = 0; i + 2 < x->rank; i++)
        if (p->dims[i] != x->dims[i] || (x->dims[i] > 1 && p->axis[i].scale != 1.0))
            return fail(c, "mode linear resizes only the last two axes; axis %u has scale %g", i, p->axis[i].scale);
    return 0;
}

int infer_resize(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"mode", ATTR_STRING},
                                     {"coordinate_transformation_mode", ATTR_STRING},
                                     {"nearest_mode", ATTR_STRING},
                                     {"cubic_coeff_a", ATTR_FLOAT},
                                     {"exclude_outside", ATTR_INT},
                                     {"extrapolation_value", ATTR_FLOAT},
                                     {"antialias", ATTR_INT},
                                     {"keep_aspect_ratio_policy", ATTR_STRING}};
    const graph_tensor *x;
    resize_plan p;
    if (CHECK_ATTRS(c, spec) || check_input_count(c, 2, 4) || get_input(c, 0, 0, DT_FLOAT, 1, GRAPH_MAX_RANK, &x) ||
        resize_plan_of(c, x, &p))
        return -1;
    return set_output(c, DT_FLOAT, x->rank, p.dims);
}

void run_resize(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *x = &g->tensors[n->inputs[0]];
    infer_ctx c = run_ctx(g, n);
    resize_plan p;
    resize_plan_of(&c, x, &p);
    int r = (int)x->rank;
    if (!p.linear) {
        k_resize_nearest(in[0], out[0], x->dims, p.dims, p.axis, r, p.coord, p.nearest);
        return;
    }
    int64_t planes = 1;
    for (int i = 0; i < r - 2; i++)
        planes *= x->dims[i];
    k_resize_linear2d(in[0], out[0], planes, x->dims[r - 2], x->dims[r - 1], p.dims[r - 2], p.dims[r - 1],
                      p.axis[r - 2], p.axis[r - 1], p.coord);
}
