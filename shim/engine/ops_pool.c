/*
 * ops_pool.c - pooling: MaxPool and AveragePool over 2-D NCHW windows, and
 * GlobalAveragePool over every spatial axis of a rank 3 or higher input.
 *
 * Rules: float32 only.  The windows are those of Conv (resolve_window and
 * window_from_node in ops_common.c), plus ceil_mode, and each pad must be
 * smaller than the window so that every window touches the input, as in
 * onnxruntime.  MaxPool's Indices output is not supported, so its
 * storage_order is checked (0 or 1) but changes nothing.
 */
#include "shim/engine/kernels.h"
#include "shim/engine/ops_impl.h"

/* --- pools --------------------------------------------------------------------------- */

/* MaxPool and AveragePool, once their attribute names have been checked. */
static int infer_pool(const infer_ctx *c)
{
    const graph_tensor *x;
    int64_t ceil_mode, v;
    window2d win;
    if (check_input_count(c, 1, 1) || get_input(c, 0, 0, DT_FLOAT, 4, 4, &x))
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

int infer_maxpool(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"auto_pad", ATTR_STRING}, {"ceil_mode", ATTR_INT},
                                     {"dilations", ATTR_INTS},   {"kernel_shape", ATTR_INTS},
                                     {"pads", ATTR_INTS},        {"storage_order", ATTR_INT},
                                     {"strides", ATTR_INTS}};
    if (CHECK_ATTRS(c, spec))
        return -1;
    return infer_pool(c);
}

int infer_avgpool(const infer_ctx *c)
{
    static const attr_spec spec[] = {{"auto_pad", ATTR_STRING}, {"ceil_mode", ATTR_INT},
                                     {"count_include_pad", ATTR_INT}, {"dilations", ATTR_INTS},
                                     {"kernel_shape", ATTR_INTS}, {"pads", ATTR_INTS},
                                     {"strides", ATTR_INTS}};
    if (CHECK_ATTRS(c, spec))
        return -1;
    return infer_pool(c);
}

/* The kernel geometry of a MaxPool or AveragePool node. */
static k_pool2d_shape pool_shape(const graph *g, const graph_node *n)
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
    return s;
}

void run_maxpool(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    k_pool2d_shape s = pool_shape(g, n);
    k_maxpool2d(&s, in[0], out[0]);
}

void run_avgpool(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    k_pool2d_shape s = pool_shape(g, n);
    k_avgpool2d(&s, in[0], out[0], (int)graph_attr_int(n, "count_include_pad", 0));
}

int infer_global_avgpool(const infer_ctx *c)
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

void run_global_avgpool(const graph *g, const graph_node *n, const void *const *in, void *const *out)
{
    const graph_tensor *x = &g->tensors[n->inputs[0]];
    int64_t plane = 1;
    for (uint32_t i = 2; i < x->rank; i++)
        plane *= x->dims[i];
    k_global_avgpool(in[0], out[0], x->dims[0] * x->dims[1], plane);
}
