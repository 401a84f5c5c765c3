/*
 * ops_common.c - the helpers the operator families share (ops_impl.h):
 * errors, attribute readers, the checks of a node's inputs and output,
 * constant inputs, axes lists and the window of Conv and the pools.
 *
 * Rules: a helper lives here once a second family needs it, and not
 * before; one family's helpers stay static in its file.  Every check
 * reports through fail(), so that a node is rejected with one line naming
 * it, and the helpers a runner calls again (through run_ctx) only read the
 * graph.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "shim/engine/ops.h"
#include "shim/engine/ops_impl.h"

/* --- errors ------------------------------------------------------------------------------ */

int fail(const infer_ctx *c, const char *fmt, ...)
{
    if (c->err && c->errlen) {
        const char *type = c->n->op_type ? c->n->op_type : op_name(c->n->op);
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

const char *dtype_name(int32_t dt)
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

/* --- attributes -------------------------------------------------------------------------- */

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

int check_attr_names(const infer_ctx *c, const attr_spec *spec, size_t n_spec)
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

int attr_int(const infer_ctx *c, const char *name, int64_t dflt, int64_t lo, int64_t hi, int64_t *out)
{
    const graph_attr *a = graph_attr_find(c->n, name);
    *out = a ? a->v.i : dflt;
    if (*out < lo || *out > hi)
        return fail(c, "attribute %s=%lld out of range [%lld, %lld]", name, (long long)*out, (long long)lo,
                    (long long)hi);
    return 0;
}

int attr_float(const infer_ctx *c, const char *name, float dflt, float *out)
{
    const graph_attr *a = graph_attr_find(c->n, name);
    *out = a ? a->v.f : dflt;
    if (isnan(*out))
        return fail(c, "attribute %s is NaN", name);
    return 0;
}

int attr_ints(const infer_ctx *c, const char *name, uint32_t count, int64_t dflt, int64_t lo, int64_t hi,
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

const char *attr_str(const graph_node *n, const char *name, const char *dflt)
{
    const graph_attr *a = graph_attr_find(n, name);
    return a ? a->v.s : dflt;
}

/* --- inputs and the output --------------------------------------------------------------- */

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

int get_input(const infer_ctx *c, uint32_t k, int optional, int32_t dtype, uint32_t min_rank, uint32_t max_rank,
              const graph_tensor **out)
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

int check_input_count(const infer_ctx *c, uint32_t lo, uint32_t hi)
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

int has_input(const graph_node *n, uint32_t k)
{
    return k < n->n_inputs && n->inputs[k] != GRAPH_NO_TENSOR;
}

int set_output(const infer_ctx *c, int32_t dtype, uint32_t rank, const int64_t *dims)
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

int normalize_axis(const infer_ctx *c, int64_t axis, int64_t rank_for_range, uint32_t rank, int64_t *out)
{
    if (axis < -(int64_t)rank || axis >= rank_for_range)
        return fail(c, "attribute axis=%lld out of range for rank %u", (long long)axis, rank);
    *out = axis < 0 ? axis + rank : axis;
    return 0;
}

infer_ctx run_ctx(const graph *g, const graph_node *n)
{
    infer_ctx c = {(graph *)g, n, NULL, 0};
    return c;
}

/* --- constant inputs --------------------------------------------------------------------- */

const unsigned char *weight_bytes(const infer_ctx *c, const graph_tensor *t, const char *what)
{
    const graph *g = c->g;
    const char *tn = t->name ? t->name : "?";
    if (t->kind != TENSOR_WEIGHT) {
        fail(c, "%s input '%s' is not a constant weight", what, tn);
        return NULL;
    }
    if (!g->weights || t->offset > g->weight_size || t->bytes > g->weight_size - t->offset) {
        fail(c, "%s input '%s' lies outside the weights", what, tn);
        return NULL;
    }
    return g->weights + t->offset;
}

int64_t load_index(const unsigned char *p, int32_t dtype, uint64_t i)
{
    if (dtype == DT_INT64) {
        int64_t v;
        memcpy(&v, p + i * 8, 8);
        return v;
    }
    int32_t v;
    memcpy(&v, p + i * 4, 4);
    return v;
}

int const_ints(const infer_ctx *c, uint32_t k, const char *what, uint32_t max_count, int64_t *vals,
               uint32_t *count)
{
    const graph_tensor *t;
    if (get_input(c, k, 0, -1, 0, 1, &t))
        return -1;
    if (t->dtype != DT_INT64 && t->dtype != DT_INT32)
        return fail(c, "%s input '%s' has dtype %s, expected int64", what, t->name ? t->name : "?",
                    dtype_name(t->dtype));
    const unsigned char *p = weight_bytes(c, t, what);
    if (!p)
        return -1;
    uint64_t n = graph_tensor_numel(t);
    if (n > max_count)
        return fail(c, "%s input '%s' has %llu values, at most %u allowed", what, t->name ? t->name : "?",
                    (unsigned long long)n, max_count);
    for (uint64_t i = 0; i < n; i++)
        vals[i] = load_index(p, t->dtype, i);
    *count = (uint32_t)n;
    return 0;
}

int const_floats(const infer_ctx *c, uint32_t k, const char *what, uint32_t max_count, float *vals,
                 uint32_t *count)
{
    const graph_tensor *t;
    if (get_input(c, k, 0, DT_FLOAT, 0, 1, &t))
        return -1;
    const unsigned char *p = weight_bytes(c, t, what);
    if (!p)
        return -1;
    uint64_t n = graph_tensor_numel(t);
    if (n > max_count)
        return fail(c, "%s input '%s' has %llu values, at most %u allowed", what, t->name ? t->name : "?",
                    (unsigned long long)n, max_count);
    memcpy(vals, p, n * sizeof(float));
    *count = (uint32_t)n;
    return 0;
}

/* --- axes -------------------------------------------------------------------------------- */

int get_axes_list(const infer_ctx *c, uint32_t k, const char *name, uint32_t max_count, int64_t *axes,
                  uint32_t *count, int *present)
{
    const graph_attr *a = graph_attr_find(c->n, name);
    *count = 0;
    *present = 0;
    if (a && has_input(c->n, k))
        return fail(c, "%s given both as attribute and as input", name);
    if (has_input(c->n, k)) {
        *present = 1;
        return const_ints(c, k, name, max_count, axes, count);
    }
    if (!a)
        return 0;
    if (a->count > max_count)
        return fail(c, "attribute %s has %u values, at most %u allowed", name, a->count, max_count);
    memcpy(axes, a->v.ints, a->count * sizeof(int64_t));
    *count = a->count;
    *present = 1;
    return 0;
}

int axes_mask(const infer_ctx *c, const char *name, const int64_t *axes, uint32_t count, uint32_t rank,
              unsigned *mask)
{
    *mask = 0;
    for (uint32_t i = 0; i < count; i++) {
        int64_t a = axes[i];
        if (a < -(int64_t)rank || a >= (int64_t)rank)
            return fail(c, "%s[%u]=%lld out of range for rank %u", name, i, (long long)a, rank);
        if (a < 0)
            a += rank;
        if (*mask & (1u << a))
            return fail(c, "%s repeats axis %lld", name, (long long)a);
        *mask |= 1u << a;
    }
    return 0;
}

int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* --- the window of Conv and the pools ---------------------------------------------------- */

int get_auto_pad(const infer_ctx *c, pad_mode *mode)
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

int resolve_window(const infer_ctx *c, const int64_t *in, int is_pool, int ceil_mode, window2d *w)
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

void window_from_node(const graph_node *n, const int64_t *in, const int64_t *out, int64_t kh, int64_t kw,
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
