/*
 * kernels.c - the float32 CPU kernels of the emulated device (kernels.h).
 *
 * Layout of the file: convolution (im2col + sgemm per group, with a direct
 * path for one-input-channel groups such as depthwise, and as the fallback
 * when no scratch is available), matrix products on cblas_sgemm,
 * broadcasting elementwise arithmetic, activations, softmax, pooling,
 * batch normalisation and the data-movement kernels.
 *
 * The kernels trust their arguments (ops.c validated them) and allocate
 * nothing: callers hand in the output and, for convolution, the scratch.
 * Hot loops keep their innermost dimension contiguous and branch-free where
 * the geometry allows, which is what lets gcc vectorise them at -O2.
 */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "kernels.h"

/*
 * gcc 12 at -O2 uses the "very-cheap" vectoriser cost model, which refuses
 * any loop needing a scalar epilogue or an aliasing check -- that is, every
 * loop here whose length is only known at run time.  The loops in this file
 * are written to be vectorised, so they get the model -O3 uses.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("vect-cost-model=dynamic")
#endif

/*
 * The outputs o in [0, n) whose input position o * stride + off falls inside
 * [0, len), as the half-open range [*lo, *hi).  It lets the window loops
 * skip padding without a test per element.
 */
static void valid_range(int64_t off, int64_t stride, int64_t len, int64_t n, int64_t *lo, int64_t *hi)
{
    /* the common interior case, without the divisions */
    if (off >= 0 && off + (n - 1) * stride < len) {
        *lo = 0;
        *hi = n;
        return;
    }
    int64_t l = off >= 0 ? 0 : (-off + stride - 1) / stride;
    int64_t h = len - 1 - off < 0 ? 0 : (len - 1 - off) / stride + 1;
    if (h > n)
        h = n;
    if (l > h)
        l = h;
    *lo = l;
    *hi = h;
}

static void fill(float *y, int64_t n, float v)
{
    for (int64_t i = 0; i < n; i++)
        y[i] = v;
}

/* --- convolution ------------------------------------------------------------ */

static int conv_is_pointwise(const k_conv2d_shape *s)
{
    return s->kh == 1 && s->kw == 1 && s->stride_h == 1 && s->stride_w == 1 && s->pad_t == 0 && s->pad_l == 0 &&
           s->oh == s->h && s->ow == s->w;
}

size_t k_conv2d_scratch_want(const k_conv2d_shape *s)
{
    int64_t cg = s->c / s->group;
    if (cg == 1 || conv_is_pointwise(s))
        return 0;
    return (size_t)(cg * s->kh * s->kw) * (size_t)(s->oh * s->ow);
}

/* y[i] += a * x[i * stride], the inner step of the direct convolution. */
static void axpy_row(float *restrict y, const float *restrict x, int64_t stride, float a, int64_t n)
{
    if (stride == 1)
        for (int64_t i = 0; i < n; i++)
            y[i] += a * x[i];
    else
        for (int64_t i = 0; i < n; i++)
            y[i] += a * x[i * stride];
}

/*
 * Direct convolution of one group, accumulating into yg (already holding
 * the bias).  For each kernel tap the valid output rows and columns are
 * worked out once, and the tap becomes a scaled add of input row segments
 * into output rows -- the fast path for depthwise convolutions, where im2col
 * would only copy data without making the product any denser.
 */
static void conv_direct_group(const k_conv2d_shape *s, const float *xg, const float *wg, float *yg, int64_t cg,
                              int64_t mg)
{
    const int64_t plane = s->h * s->w, out_plane = s->oh * s->ow;
    for (int64_t mo = 0; mo < mg; mo++) {
        float *yo = yg + mo * out_plane;
        for (int64_t ci = 0; ci < cg; ci++) {
            const float *xc = xg + ci * plane;
            const float *wk = wg + (mo * cg + ci) * s->kh * s->kw;
            for (int64_t ky = 0; ky < s->kh; ky++) {
                int64_t oy0, oy1;
                valid_range(ky * s->dil_h - s->pad_t, s->stride_h, s->h, s->oh, &oy0, &oy1);
                for (int64_t kx = 0; kx < s->kw; kx++) {
                    const float wv = wk[ky * s->kw + kx];
                    const int64_t off = kx * s->dil_w - s->pad_l;
                    int64_t ox0, ox1;
                    valid_range(off, s->stride_w, s->w, s->ow, &ox0, &ox1);
                    if (ox0 >= ox1)
                        continue;
                    for (int64_t oy = oy0; oy < oy1; oy++) {
                        const int64_t iy = oy * s->stride_h - s->pad_t + ky * s->dil_h;
                        axpy_row(yo + oy * s->ow + ox0, xc + iy * s->w + ox0 * s->stride_w + off, s->stride_w, wv,
                                 ox1 - ox0);
                    }
                }
            }
        }
    }
}

/*
 * Columns p0 .. p0+pc of the im2col matrix of one group: row (ci, ky, kx)
 * holds, for each output pixel, the input value its window reads there.
 */
static void im2col_chunk(const k_conv2d_shape *s, const float *xg, int64_t cg, int64_t p0, int64_t pc, float *col)
{
    const int64_t plane = s->h * s->w;
    float *row = col;
    for (int64_t ci = 0; ci < cg; ci++) {
        for (int64_t ky = 0; ky < s->kh; ky++) {
            for (int64_t kx = 0; kx < s->kw; kx++, row += pc) {
                const int64_t off = kx * s->dil_w - s->pad_l, sw = s->stride_w;
                int64_t lo, hi;
                valid_range(off, sw, s->w, s->ow, &lo, &hi);
                for (int64_t q = 0, p = p0; q < pc;) {
                    int64_t oy = p / s->ow, ox0 = p % s->ow;
                    int64_t span = s->ow - ox0 < pc - q ? s->ow - ox0 : pc - q;
                    int64_t iy = oy * s->stride_h - s->pad_t + ky * s->dil_h;
                    int64_t a = lo > ox0 ? lo : ox0, b = hi < ox0 + span ? hi : ox0 + span;
                    if (iy < 0 || iy >= s->h || a >= b) {
                        fill(row + q, span, 0.0f);
                    } else {
                        const float *xr = xg + ci * plane + iy * s->w;
                        fill(row + q, a - ox0, 0.0f);
                        for (int64_t ox = a; ox < b; ox++)
                            row[q + ox - ox0] = xr[ox * sw + off];
                        fill(row + q + (b - ox0), ox0 + span - b, 0.0f);
                    }
                    q += span;
                    p += span;
                }
            }
        }
    }
}

void k_conv2d(const k_conv2d_shape *s, const float *x, const float *w, const float *bias, float *y,
              float *scratch, size_t scratch_len)
{
    const int64_t cg = s->c / s->group, mg = s->m / s->group;
    const int64_t kdim = cg * s->kh * s->kw, out_plane = s->oh * s->ow, plane = s->h * s->w;
    const int pointwise = conv_is_pointwise(s);
    /* im2col columns per sgemm: as many output pixels as the scratch holds */
    int64_t chunk = scratch ? (int64_t)(scratch_len / (size_t)kdim) : 0;
    if (chunk > out_plane)
        chunk = out_plane;

    for (int64_t b = 0; b < s->n; b++) {
        for (int64_t g = 0; g < s->group; g++) {
            const float *xg = x + (b * s->c + g * cg) * plane;
            const float *wg = w + g * mg * kdim;
            float *yg = y + (b * s->m + g * mg) * out_plane;
            for (int64_t mo = 0; mo < mg; mo++)
                fill(yg + mo * out_plane, out_plane, bias ? bias[g * mg + mo] : 0.0f);

            if (pointwise) {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)mg, (int)out_plane, (int)cg, 1.0f, wg,
                            (int)kdim, xg, (int)plane, 1.0f, yg, (int)out_plane);
            } else if (cg == 1 || chunk < 1) {
                conv_direct_group(s, xg, wg, yg, cg, mg);
            } else {
                for (int64_t p0 = 0; p0 < out_plane; p0 += chunk) {
                    int64_t pc = out_plane - p0 < chunk ? out_plane - p0 : chunk;
                    im2col_chunk(s, xg, cg, p0, pc, scratch);
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)mg, (int)pc, (int)kdim, 1.0f, wg,
                                (int)kdim, scratch, (int)pc, 1.0f, yg + p0, (int)out_plane);
                }
            }
        }
    }
}

/* --- matrix products --------------------------------------------------------- */

static void sgemm_nn(const float *a, const float *b, float *y, int64_t m, int64_t k, int64_t n)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.0f, a, (int)k, b, (int)n,
                0.0f, y, (int)n);
}

void k_matmul(const float *a, const float *b, float *y, int64_t m, int64_t k, int64_t n, int batch_rank,
              const int64_t *a_batch, const int64_t *b_batch, const int64_t *y_batch)
{
    int64_t batches = 1, a_count = 1, b_count = 1;
    for (int i = 0; i < batch_rank; i++) {
        batches *= y_batch[i];
        a_count *= a_batch[i];
        b_count *= b_batch[i];
    }
    /* b shared by every batch and a not broadcast: one tall product */
    if (b_count == 1 && a_count == batches) {
        sgemm_nn(a, b, y, batches * m, k, n);
        return;
    }
    /* element strides of a and b per batch axis, 0 where the axis broadcasts */
    int64_t sa[K_MAX_RANK], sb[K_MAX_RANK], idx[K_MAX_RANK] = {0};
    int64_t step_a = m * k, step_b = k * n;
    for (int i = batch_rank - 1; i >= 0; i--) {
        sa[i] = a_batch[i] == 1 ? 0 : step_a;
        sb[i] = b_batch[i] == 1 ? 0 : step_b;
        step_a *= a_batch[i];
        step_b *= b_batch[i];
    }
    int64_t oa = 0, ob = 0;
    for (int64_t t = 0; t < batches; t++) {
        sgemm_nn(a + oa, b + ob, y + t * m * n, m, k, n);
        for (int i = batch_rank - 1; i >= 0; i--) {
            oa += sa[i];
            ob += sb[i];
            if (++idx[i] < y_batch[i])
                break;
            oa -= sa[i] * y_batch[i];
            ob -= sb[i] * y_batch[i];
            idx[i] = 0;
        }
    }
}

void k_gemm(const float *a, const float *b, const float *c, float *y, int64_t m, int64_t k, int64_t n,
            int trans_a, int trans_b, float alpha, float beta, int64_t c_rows, int64_t c_cols)
{
    /* y starts as beta * C broadcast, then sgemm accumulates into it */
    float blas_beta = 0.0f;
    if (c && beta != 0.0f) {
        for (int64_t i = 0; i < m; i++) {
            const float *cr = c + (c_rows == 1 ? 0 : i * c_cols);
            float *yr = y + i * n;
            if (c_cols == 1)
                fill(yr, n, beta * cr[0]);
            else
                for (int64_t j = 0; j < n; j++)
                    yr[j] = beta * cr[j];
        }
        blas_beta = 1.0f;
    }
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, (int)m,
                (int)n, (int)k, alpha, a, (int)(trans_a ? m : k), b, (int)(trans_b ? k : n), blas_beta, y, (int)n);
}

/* --- elementwise ------------------------------------------------------------- */

/*
 * One row of a binary op: a and b advance by 1 or stay put (step 0, the
 * broadcast side).  The four step combinations get their own loops so each
 * stays a plain vectorisable loop.
 */
#define BINARY_ROW(OP)                                                                                               \
    do {                                                                                                             \
        if (a_step && b_step)                                                                                        \
            for (int64_t i = 0; i < n; i++)                                                                          \
                y[i] = a[i] OP b[i];                                                                                 \
        else if (b_step) {                                                                                           \
            const float av = a[0];                                                                                   \
            for (int64_t i = 0; i < n; i++)                                                                          \
                y[i] = av OP b[i];                                                                                   \
        } else if (a_step) {                                                                                         \
            const float bv = b[0];                                                                                   \
            for (int64_t i = 0; i < n; i++)                                                                          \
                y[i] = a[i] OP bv;                                                                                   \
        } else                                                                                                       \
            fill(y, n, a[0] OP b[0]);                                                                                \
    } while (0)

static void binary_row(k_binop op, const float *a, int a_step, const float *b, int b_step, float *y, int64_t n)
{
    switch (op) {
    case K_ADD:
        BINARY_ROW(+);
        break;
    case K_SUB:
        BINARY_ROW(-);
        break;
    case K_MUL:
        BINARY_ROW(*);
        break;
    case K_DIV:
        BINARY_ROW(/);
        break;
    }
}

void k_binary_broadcast(k_binop op, const float *a, const int64_t *a_dims, const float *b,
                        const int64_t *b_dims, float *y, const int64_t *y_dims, int rank)
{
    /*
     * Collapse the shape first: drop size-1 output axes and merge neighbours
     * that both operands traverse contiguously (or both broadcast), so that
     * equal shapes become one flat row and [N,C,H,W] + [C,1,1] becomes
     * [N, C, H*W] with b constant along the inner row.
     */
    int64_t d[K_MAX_RANK], sa[K_MAX_RANK], sb[K_MAX_RANK];
    int64_t step_a = 1, step_b = 1;
    int r = 0;
    for (int i = rank - 1; i >= 0; i--) {
        int64_t da = a_dims[i] == 1 ? 0 : step_a, db = b_dims[i] == 1 ? 0 : step_b;
        step_a *= a_dims[i];
        step_b *= b_dims[i];
        if (y_dims[i] == 1)
            continue;
        /* merge into the axis collected last (the next inner one) when contiguous with it */
        if (r > 0 && da == sa[r - 1] * d[r - 1] && db == sb[r - 1] * d[r - 1]) {
            d[r - 1] *= y_dims[i];
            continue;
        }
        d[r] = y_dims[i];
        sa[r] = da;
        sb[r] = db;
        r++;
    }
    /* axes are now innermost first: d[0] is the row */
    if (r == 0) {
        binary_row(op, a, 0, b, 0, y, 1);
        return;
    }
    const int64_t n = d[0];
    const int a_step = sa[0] != 0, b_step = sb[0] != 0;
    int64_t rows = 1, idx[K_MAX_RANK] = {0};
    for (int i = 1; i < r; i++)
        rows *= d[i];
    int64_t oa = 0, ob = 0;
    for (int64_t t = 0; t < rows; t++) {
        binary_row(op, a + oa, a_step, b + ob, b_step, y + t * n, n);
        for (int i = 1; i < r; i++) {
            oa += sa[i];
            ob += sb[i];
            if (++idx[i] < d[i])
                break;
            oa -= sa[i] * d[i];
            ob -= sb[i] * d[i];
            idx[i] = 0;
        }
    }
}

void k_relu(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void k_sigmoid(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = 1.0f / (1.0f + expf(-x[i]));
}

void k_tanh(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = tanhf(x[i]);
}

void k_hardsigmoid(const float *x, float *y, size_t n, float alpha, float beta)
{
    for (size_t i = 0; i < n; i++) {
        float v = alpha * x[i] + beta;
        v = v < 0.0f ? 0.0f : v;
        y[i] = v > 1.0f ? 1.0f : v;
    }
}

void k_clip(const float *x, float *y, size_t n, float lo, float hi)
{
    for (size_t i = 0; i < n; i++) {
        float v = x[i] < lo ? lo : x[i];
        y[i] = v > hi ? hi : v;
    }
}

/* Softmax of `len` values spaced `stride` apart; the max is subtracted so expf cannot overflow. */
static void softmax_strided(const float *x, float *y, int64_t len, int64_t stride)
{
    float mx = x[0];
    for (int64_t j = 1; j < len; j++)
        mx = x[j * stride] > mx ? x[j * stride] : mx;
    double sum = 0.0;
    for (int64_t j = 0; j < len; j++) {
        float e = expf(x[j * stride] - mx);
        y[j * stride] = e;
        sum += e;
    }
    const float inv = (float)(1.0 / sum);
    for (int64_t j = 0; j < len; j++)
        y[j * stride] *= inv;
}

void k_softmax(const float *x, float *y, int64_t outer, int64_t axis_len, int64_t inner)
{
    for (int64_t o = 0; o < outer; o++) {
        const int64_t base = o * axis_len * inner;
        for (int64_t i = 0; i < inner; i++)
            softmax_strided(x + base + i, y + base + i, axis_len, inner);
    }
}

/* --- pooling and normalisation ----------------------------------------------- */

void k_maxpool2d(const k_pool2d_shape *s, const float *x, float *y)
{
    const int64_t plane = s->h * s->w;
    for (int64_t p = 0; p < s->n * s->c; p++) {
        const float *xp = x + p * plane;
        float *yp = y + p * s->oh * s->ow;
        for (int64_t oy = 0; oy < s->oh; oy++) {
            int64_t ky0, ky1;
            valid_range(oy * s->stride_h - s->pad_t, s->dil_h, s->h, s->kh, &ky0, &ky1);
            for (int64_t ox = 0; ox < s->ow; ox++) {
                int64_t kx0, kx1;
                const int64_t x0 = ox * s->stride_w - s->pad_l;
                valid_range(x0, s->dil_w, s->w, s->kw, &kx0, &kx1);
                float m = -INFINITY;
                for (int64_t ky = ky0; ky < ky1; ky++) {
                    const float *xr = xp + (oy * s->stride_h - s->pad_t + ky * s->dil_h) * s->w;
                    for (int64_t kx = kx0; kx < kx1; kx++)
                        m = xr[x0 + kx * s->dil_w] > m ? xr[x0 + kx * s->dil_w] : m;
                }
                yp[oy * s->ow + ox] = ky0 < ky1 && kx0 < kx1 ? m : 0.0f;
            }
        }
    }
}

void k_avgpool2d(const k_pool2d_shape *s, const float *x, float *y, int count_include_pad)
{
    const int64_t plane = s->h * s->w;
    for (int64_t p = 0; p < s->n * s->c; p++) {
        const float *xp = x + p * plane;
        float *yp = y + p * s->oh * s->ow;
        for (int64_t oy = 0; oy < s->oh; oy++) {
            int64_t ky0, ky1, py0, py1;
            valid_range(oy * s->stride_h - s->pad_t, s->dil_h, s->h, s->kh, &ky0, &ky1);
            /* taps inside the padded extent [-pad_t, h + pad_b) */
            valid_range(oy * s->stride_h, s->dil_h, s->h + s->pad_t + s->pad_b, s->kh, &py0, &py1);
            for (int64_t ox = 0; ox < s->ow; ox++) {
                int64_t kx0, kx1, px0, px1;
                const int64_t x0 = ox * s->stride_w - s->pad_l;
                valid_range(x0, s->dil_w, s->w, s->kw, &kx0, &kx1);
                valid_range(ox * s->stride_w, s->dil_w, s->w + s->pad_l + s->pad_r, s->kw, &px0, &px1);
                float sum = 0.0f;
                for (int64_t ky = ky0; ky < ky1; ky++) {
                    const float *xr = xp + (oy * s->stride_h - s->pad_t + ky * s->dil_h) * s->w;
                    for (int64_t kx = kx0; kx < kx1; kx++)
                        sum += xr[x0 + kx * s->dil_w];
                }
                int64_t count = count_include_pad ? (py1 - py0) * (px1 - px0) : (ky1 - ky0) * (kx1 - kx0);
                yp[oy * s->ow + ox] = count > 0 ? sum / (float)count : 0.0f;
            }
        }
    }
}

void k_global_avgpool(const float *x, float *y, int64_t planes, int64_t plane)
{
    for (int64_t p = 0; p < planes; p++) {
        const float *xp = x + p * plane;
        double sum = 0.0;
        for (int64_t i = 0; i < plane; i++)
            sum += xp[i];
        y[p] = (float)(sum / (double)plane);
    }
}

void k_batchnorm(const float *x, float *y, int64_t n, int64_t c, int64_t spatial, const float *scale,
                 const float *bias, const float *mean, const float *var, float eps)
{
    for (int64_t ch = 0; ch < c; ch++) {
        /* fold to y = x * a + b once per channel */
        const float a = (float)((double)scale[ch] / sqrt((double)var[ch] + (double)eps));
        const float b = (float)((double)bias[ch] - (double)mean[ch] * a);
        for (int64_t i = 0; i < n; i++) {
            const float *xp = x + (i * c + ch) * spatial;
            float *yp = y + (i * c + ch) * spatial;
            for (int64_t j = 0; j < spatial; j++)
                yp[j] = xp[j] * a + b;
        }
    }
}

/* --- data movement ----------------------------------------------------------- */

/*
 * Simplifies a transpose before running it: size-1 axes are dropped and
 * runs of axes that stay adjacent and in order are merged, so e.g. NCHW ->
 * NHWC becomes a batch of 2-D [C, H*W] transposes.  Returns the new rank.
 */
static int transpose_simplify(const int64_t *x_dims, const int64_t *perm, int rank, int64_t *md, int64_t *mp)
{
    int64_t kd[K_MAX_RANK], kp[K_MAX_RANK];
    int newidx[K_MAX_RANK], nk = 0, np = 0;
    for (int i = 0; i < rank; i++) {
        newidx[i] = x_dims[i] == 1 ? -1 : nk;
        if (x_dims[i] != 1)
            kd[nk++] = x_dims[i];
    }
    for (int i = 0; i < rank; i++)
        if (newidx[perm[i]] >= 0)
            kp[np++] = newidx[perm[i]];
    /* runs in output order: run j covers input axes first[j] .. first[j] + len[j] - 1 */
    int64_t first[K_MAX_RANK], len[K_MAX_RANK];
    int runs = 0;
    for (int i = 0; i < np; i++) {
        if (i > 0 && kp[i] == kp[i - 1] + 1) {
            len[runs - 1]++;
            continue;
        }
        first[runs] = kp[i];
        len[runs] = 1;
        runs++;
    }
    for (int j = 0; j < runs; j++) {
        int order = 0; /* rank of this run among the runs in input order */
        for (int q = 0; q < runs; q++)
            order += first[q] < first[j];
        int64_t d = 1;
        for (int64_t a = first[j]; a < first[j] + len[j]; a++)
            d *= kd[a];
        md[order] = d;
        mp[j] = order;
    }
    return runs;
}

void k_transpose(const float *x, float *y, const int64_t *x_dims, const int64_t *perm, int rank)
{
    int64_t md[K_MAX_RANK], mp[K_MAX_RANK];
    int r = transpose_simplify(x_dims, perm, rank, md, mp);
    if (r <= 1) {
        int64_t n = 1;
        for (int i = 0; i < rank; i++)
            n *= x_dims[i];
        memcpy(y, x, (size_t)n * sizeof(float));
        return;
    }
    /* input strides, then per output axis: its size and its stride in the input */
    int64_t xs[K_MAX_RANK], yd[K_MAX_RANK], ys[K_MAX_RANK];
    xs[r - 1] = 1;
    for (int i = r - 2; i >= 0; i--)
        xs[i] = xs[i + 1] * md[i + 1];
    for (int i = 0; i < r; i++) {
        yd[i] = md[mp[i]];
        ys[i] = xs[mp[i]];
    }
    /*
     * The last two output axes form a 2-D gather done in tiles, so that both
     * the reads and the writes stay within a few cache lines; the outer axes
     * are walked with a counter.
     */
    enum { TILE = 32 };
    const int64_t rows = yd[r - 2], cols = yd[r - 1], rs = ys[r - 2], cs = ys[r - 1];
    int64_t outer = 1, idx[K_MAX_RANK] = {0}, ox = 0;
    for (int i = 0; i < r - 2; i++)
        outer *= yd[i];
    for (int64_t t = 0; t < outer; t++) {
        const float *xb = x + ox;
        float *yb = y + t * rows * cols;
        for (int64_t i0 = 0; i0 < rows; i0 += TILE) {
            int64_t i1 = i0 + TILE < rows ? i0 + TILE : rows;
            for (int64_t j0 = 0; j0 < cols; j0 += TILE) {
                int64_t j1 = j0 + TILE < cols ? j0 + TILE : cols;
                for (int64_t i = i0; i < i1; i++)
                    for (int64_t j = j0; j < j1; j++)
                        yb[i * cols + j] = xb[i * rs + j * cs];
            }
        }
        for (int i = r - 3; i >= 0; i--) {
            ox += ys[i];
            if (++idx[i] < yd[i])
                break;
            ox -= ys[i] * yd[i];
            idx[i] = 0;
        }
    }
}

void k_concat(const void *const *in, const int64_t *mid, int n_in, void *y, int64_t outer, int64_t inner,
              size_t elem_size)
{
    unsigned char *dst = y;
    for (int64_t o = 0; o < outer; o++) {
        for (int k = 0; k < n_in; k++) {
            const size_t block = (size_t)(mid[k] * inner) * elem_size;
            memcpy(dst, (const unsigned char *)in[k] + (size_t)o * block, block);
            dst += block;
        }
    }
}
