/*
 * kernels.h - the CPU kernels of the emulated device: float32 arithmetic,
 * plus the int64 arithmetic and dtype-agnostic data movement that imported
 * models' shape computations need.
 *
 * Each kernel is a plain function over plain, densely packed row-major
 * arrays; none of them knows about graphs, tensors or attributes.  The
 * operators (ops.h) check shapes and attributes (op_infer) and then call
 * these with sizes they have already validated, so the kernels trust their
 * arguments: every size is positive and every product of sizes fits the
 * arrays passed in.  Outputs must not overlap inputs.
 *
 * Matrix work goes through OpenBLAS (cblas_sgemm, a large product cut into
 * blocks over the worker pool); the rest are loops kept simple enough for
 * the compiler to vectorise their inner dimension, the hottest also
 * compiled in an AVX2 (+ FMA) copy that the CPU chooses at run time
 * (k_kernels_plain).  Kernels with enough work share their outer loop
 * (planes, rows, channels, elements) over the worker pool of parallel.h;
 * apart from the blocks of a matrix product, the split never changes a
 * result.  The element-wise kernels (activations, k_activate) may run in
 * place, x == y.
 */
#ifndef ACLSUB_SHIM_KERNELS_H_
#define ACLSUB_SHIM_KERNELS_H_

#include <stddef.h>
#include <stdint.h>

#define K_MAX_RANK 8 /* the highest rank the n-dimensional kernels take */

/* --- convolution ------------------------------------------------------------ */

/*
 * Geometry of a 2-D NCHW convolution.  x is [n, c, h, w], the weight is
 * [m, c / group, kh, kw], y is [n, m, oh, ow].  Only the leading pads are
 * given: the trailing ones are implied by oh/ow (positions past the input
 * read as zero).
 */
typedef struct k_conv2d_shape {
    int64_t n, c, h, w;
    int64_t m, kh, kw;
    int64_t oh, ow;
    int64_t group;
    int64_t stride_h, stride_w;
    int64_t pad_t, pad_l;
    int64_t dil_h, dil_w;
} k_conv2d_shape;

/*
 * Scratch (in floats) k_conv2d would like: on AVX2 + FMA CPUs for dense
 * groups (more than one input channel each, not 1x1 unit-stride) a padded
 * copy of one group's input, for the direct kernel; otherwise the im2col
 * buffer; for depthwise 3x3 and 5x5 kernels one zero-padded input plane per
 * participant of the worker pool; 0 when it needs none (1x1 unit-stride
 * kernels, other one-input-channel groups).  Less than this is fine; see
 * k_conv2d.
 */
size_t k_conv2d_scratch_want(const k_conv2d_shape *s);

/*
 * y = conv(x, w) + bias.  bias ([m]) may be NULL.  scratch may be NULL or
 * shorter than k_conv2d_scratch_want: the dense direct kernel then gives way
 * to im2col, whose columns are built in chunks, and when even one column
 * (or a participant's padded depthwise plane) does not fit the kernel falls
 * back to direct loops.  The scratch given changes only the order of the
 * additions (the last bits), never what is computed.
 */
void k_conv2d(const k_conv2d_shape *s, const float *x, const float *w, const float *bias, float *y,
              float *scratch, size_t scratch_len);

/*
 * An activation a convolution applies to its own output (an element-wise
 * operator fused into it at compile time), with its parameters:
 *   K_ACT_RELU         y = x > 0 ? x : 0                       (as k_relu)
 *   K_ACT_CLIP         y = min(max(x, p[0]), p[1])             (as k_clip)
 *   K_ACT_HARDSIGMOID  y = max(0, min(1, p[0] * x + p[1]))     (as k_hardsigmoid)
 *   K_ACT_HARDSWISH    y = x * (min(max(x + p[0], p[1]), p[2]) / p[3]),
 *                      the Add, Clip, Div, Mul sequence exporters write for
 *                      HardSwish, in that order of float operations
 *   K_ACT_HARDSWISH_MD y = (x * min(max(x + p[0], p[1]), p[2])) / p[3],
 *                      the same with Mul before Div
 * then, when post is set, y = y * post_scale + post_shift (a Mul and an
 * Add by constants after the activation), rounded after each operation.
 * Each gives the same float as the unfused operators would.
 */
typedef enum {
    K_ACT_NONE,
    K_ACT_RELU,
    K_ACT_CLIP,
    K_ACT_HARDSIGMOID,
    K_ACT_HARDSWISH,
    K_ACT_HARDSWISH_MD
} k_act_kind;

typedef struct k_act {
    k_act_kind kind;
    float p[4];
    int post;
    float post_scale, post_shift;
} k_act;

/* y = act(y), in place, over n elements; NULL or K_ACT_NONE leaves y as it is. */
void k_activate(const k_act *act, float *y, size_t n);

/*
 * on: the kernels with a copy for AVX2 + FMA CPUs whose results differ in
 * the last bits (the depthwise row kernels, the direct dense convolution,
 * whose plain path is im2col + sgemm, and the eight-lane exp of k_sigmoid
 * and k_softmax, whose plain path is expf) take their plain copy even
 * where the CPU has those, so that tests check both; off (the default):
 * they choose by the CPU.  Not for use while kernels run on other threads.
 */
void k_kernels_plain(int on);

/* k_conv2d, then act applied to every output element (act may be NULL). */
void k_conv2d_act(const k_conv2d_shape *s, const float *x, const float *w, const float *bias, const k_act *act,
                  float *y, float *scratch, size_t scratch_len);

/*
 * Transposed convolution (ONNX ConvTranspose), described by the same struct:
 * x is [n, c, h, w], the weight [c, m / group, kh, kw], y [n, m, oh, ow].
 * Input pixel (iy, ix) under tap (ky, kx) adds to output (iy * stride_h -
 * pad_t + ky * dil_h, ix * stride_w - pad_l + kx * dil_w) when that lies in
 * y.  The pads may be negative (an output_shape larger than the full result
 * leaves rows and columns that receive only the bias).
 */
size_t k_conv_transpose2d_scratch_want(const k_conv2d_shape *s);

/*
 * y = conv_transpose(x, w) + bias (bias [m] may be NULL): per group an sgemm
 * gives the columns W^T X, which col2im scatters into y.  A short scratch
 * makes the kernel work on chunks of input pixels; with none (or one too
 * short for a single pixel) it scatters directly.
 */
void k_conv_transpose2d(const k_conv2d_shape *s, const float *x, const float *w, const float *bias, float *y,
                        float *scratch, size_t scratch_len);

/* --- matrix products --------------------------------------------------------- */

/*
 * Batched matrix product with numpy broadcasting over the batch dimensions:
 * for each batch index, y[m x n] = a[m x k] * b[k x n].  a_batch, b_batch and
 * y_batch hold batch_rank dims each (left-padded with 1s to the same rank);
 * an a or b dim of 1 broadcasts against y's.  1-D operands are promoted by
 * the caller ([k] -> [1, k] for a, [k, 1] for b).
 */
void k_matmul(const float *a, const float *b, float *y, int64_t m, int64_t k, int64_t n, int batch_rank,
              const int64_t *a_batch, const int64_t *b_batch, const int64_t *y_batch);

/*
 * ONNX Gemm: y[m x n] = alpha * op(a) * op(b) + beta * c, with op(a) [m x k]
 * (a stored as [k x m] when trans_a) and op(b) [k x n] (b stored [n x k] when
 * trans_b).  c may be NULL; otherwise it is [c_rows x c_cols] with c_rows in
 * {1, m} and c_cols in {1, n}, broadcast to [m x n].
 */
void k_gemm(const float *a, const float *b, const float *c, float *y, int64_t m, int64_t k, int64_t n,
            int trans_a, int trans_b, float alpha, float beta, int64_t c_rows, int64_t c_cols);

/* --- elementwise ------------------------------------------------------------- */

typedef enum { K_ADD, K_SUB, K_MUL, K_DIV, K_POW } k_binop;

/*
 * y = a OP b with numpy multidirectional broadcasting.  a_dims, b_dims and
 * y_dims hold `rank` dims each (the caller left-pads the shorter shape with
 * 1s); every a/b dim equals y's or is 1.  rank 0 means three scalars.
 * K_POW is powf(a, b).
 */
void k_binary_broadcast(k_binop op, const float *a, const int64_t *a_dims, const float *b,
                        const int64_t *b_dims, float *y, const int64_t *y_dims, int rank);

/*
 * The same over int64 (K_ADD .. K_DIV only), with defined results where C
 * leaves them undefined: sums, differences and products wrap modulo 2^64,
 * division truncates toward zero (as ONNX Div on integers), x / 0 is 0 and
 * INT64_MIN / -1 is INT64_MIN.
 */
void k_binary_broadcast_i64(k_binop op, const int64_t *a, const int64_t *a_dims, const int64_t *b,
                            const int64_t *b_dims, int64_t *y, const int64_t *y_dims, int rank);

void k_relu(const float *x, float *y, size_t n);
void k_sigmoid(const float *x, float *y, size_t n);
void k_tanh(const float *x, float *y, size_t n);
/* y = max(0, min(1, alpha * x + beta)) */
void k_hardsigmoid(const float *x, float *y, size_t n, float alpha, float beta);
/* y = min(max(x, lo), hi), as ONNX Clip (so lo > hi gives hi everywhere) */
void k_clip(const float *x, float *y, size_t n, float lo, float hi);
/* y = sqrtf(x); negative x gives NaN, as IEEE does */
void k_sqrt(const float *x, float *y, size_t n);

/*
 * Softmax over the middle dimension of x viewed as [outer, axis_len, inner]:
 * the ONNX opset-13 definition, normalising along one axis only.
 */
void k_softmax(const float *x, float *y, int64_t outer, int64_t axis_len, int64_t inner);

/*
 * Mean of x over the axes with reduce[i] != 0; y holds the kept axes in
 * order (its shape with or without the reduced 1s is the same memory).
 * Sums run in double.
 */
void k_reduce_mean(const float *x, float *y, const int64_t *dims, const int *reduce, int rank);

/* --- pooling and normalisation ----------------------------------------------- */

/*
 * Geometry of a 2-D NCHW pooling window: x [n, c, h, w] -> y [n, c, oh, ow].
 * pad_b/pad_r only matter to count_include_pad averaging: a window is
 * clipped to the padded extent [-pad_t, h + pad_b) before its elements are
 * counted, so the cells a ceil_mode window hangs past the padding are never
 * counted.
 */
typedef struct k_pool2d_shape {
    int64_t n, c, h, w;
    int64_t oh, ow;
    int64_t kh, kw;
    int64_t stride_h, stride_w;
    int64_t pad_t, pad_l, pad_b, pad_r;
    int64_t dil_h, dil_w;
} k_pool2d_shape;

/* Max over each window, padding ignored.  A window that covers no input gives 0. */
void k_maxpool2d(const k_pool2d_shape *s, const float *x, float *y);
/* Mean over each window; count_include_pad selects the divisor (see k_pool2d_shape). */
void k_avgpool2d(const k_pool2d_shape *s, const float *x, float *y, int count_include_pad);
/* y[i] = mean of x's i-th plane of `plane` elements, for `planes` planes. */
void k_global_avgpool(const float *x, float *y, int64_t planes, int64_t plane);

/*
 * Inference batch normalisation of x [n, c, spatial]:
 * y = scale * (x - mean) / sqrt(var + eps) + bias, per channel.
 */
void k_batchnorm(const float *x, float *y, int64_t n, int64_t c, int64_t spatial, const float *scale,
                 const float *bias, const float *mean, const float *var, float eps);

/*
 * Layer normalisation of x viewed as [rows, cols]: each row is normalised to
 * zero mean and unit variance (population variance, plus eps), then
 * y = norm * scale + bias.  scale has scale_len elements and bias bias_len
 * (bias may be NULL); each length is 1 (one value for all) or cols.
 */
void k_layernorm(const float *x, float *y, int64_t rows, int64_t cols, const float *scale, int64_t scale_len,
                 const float *bias, int64_t bias_len, float eps);

/* --- resampling ---------------------------------------------------------------- */

/*
 * ONNX Resize coordinate_transformation_mode: output coordinate o -> input
 * coordinate.  `len` is the resized length the formulas use: the output
 * length when the model gave sizes, but in * scale, unrounded, when it gave
 * scales (as ONNX's reference computes it).
 */
typedef enum {
    K_COORD_HALF_PIXEL,         /* (o + 0.5) / scale - 0.5 */
    K_COORD_PYTORCH_HALF_PIXEL, /* as half_pixel, but 0 when len <= 1 */
    K_COORD_ASYMMETRIC,         /* o / scale */
    K_COORD_ALIGN_CORNERS,      /* o * (in - 1) / (len - 1), 0 when len is 1 */
} k_coord_mode;

/* ONNX Resize nearest_mode: how a fractional input coordinate picks a pixel. */
typedef enum {
    K_NEAREST_ROUND_PREFER_FLOOR,
    K_NEAREST_ROUND_PREFER_CEIL,
    K_NEAREST_FLOOR,
    K_NEAREST_CEIL,
} k_nearest_mode;

/* Per axis of a resize: the scale and the resized length of the coordinate formulas. */
typedef struct k_resize_axis {
    double scale, len;
} k_resize_axis;

/*
 * Nearest-neighbour resize of an n-dimensional x to y_dims, axes[i]
 * describing axis i.  The input coordinate is rounded by `nearest` and
 * clamped to the axis.  Coordinates are computed in double, as ONNX's
 * reference does.
 */
void k_resize_nearest(const float *x, float *y, const int64_t *x_dims, const int64_t *y_dims,
                      const k_resize_axis *axes, int rank, k_coord_mode coord, k_nearest_mode nearest);

/*
 * Bilinear resize of `planes` planes of [h, w] to [oh, ow]; ax_h and ax_w
 * describe the two axes.  Neighbours past an edge repeat the edge pixel.
 */
void k_resize_linear2d(const float *x, float *y, int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow,
                       k_resize_axis ax_h, k_resize_axis ax_w, k_coord_mode coord);

/* --- data movement ----------------------------------------------------------- */

/* y = x transposed: y's axis i is x's axis perm[i].  rank <= K_MAX_RANK. */
void k_transpose(const float *x, float *y, const int64_t *x_dims, const int64_t *perm, int rank);

/*
 * Concatenation of n_in tensors that agree on every dim but one: each input
 * k is viewed as [outer, mid[k] * inner] elements of elem_size bytes, and y
 * as [outer, sum(mid) * inner].
 */
void k_concat(const void *const *in, const int64_t *mid, int n_in, void *y, int64_t outer, int64_t inner,
              size_t elem_size);

/*
 * Strided slice: y[i0, .., ik] = x[starts[0] + i0 * steps[0], ..] for every
 * index of y_dims, with elements of elem_size bytes.  Every index reached
 * lies inside x_dims (the caller clamped starts and sized y).
 */
void k_slice(const void *x, void *y, const int64_t *x_dims, const int64_t *y_dims, const int64_t *starts,
             const int64_t *steps, int rank, size_t elem_size);

/*
 * ONNX Gather: data viewed as [outer, axis_len, inner] elements of
 * elem_size bytes, y as [outer, n_idx, inner]; y[o, j, :] = data[o,
 * indices[j], :].  indices are int64 (indices_i64) or int32; a negative one
 * counts from the end, and one still outside [0, axis_len) -- which only a
 * computed index can be, constant ones are checked beforehand -- gives a
 * slice of zeros rather than a read out of bounds.
 */
void k_gather(const void *data, void *y, int64_t outer, int64_t axis_len, int64_t inner, const void *indices,
              int indices_i64, int64_t n_idx, size_t elem_size);

/* Element types k_cast converts between. */
typedef enum { K_F32, K_I32, K_I64 } k_dtype;

/*
 * y = x converted element by element.  Float to integer truncates toward
 * zero and saturates at the target's limits (NaN gives 0), where C would
 * leave the conversion undefined; int64 to int32 keeps the low 32 bits, as
 * numpy's astype does.
 */
void k_cast(const void *x, k_dtype from, void *y, k_dtype to, size_t n);

#endif /* ACLSUB_SHIM_KERNELS_H_ */
