/*
 * kernels.c - the CPU kernels of the emulated device (kernels.h).
 *
 * Layout of the file: convolution (dense groups on AVX2 + FMA CPUs by a
 * direct register-tiled kernel over a padded copy of the input, else
 * im2col + sgemm per group; one-input-channel groups such as depthwise on a
 * zero-padded copy of the plane with unrolled 3x3 / 5x5 row kernels, in an
 * AVX2 + FMA copy where the CPU has it; direct loops for other depthwise
 * shapes and as the fallback when no scratch is available), transposed
 * convolution (sgemm + col2im, the mirror image), matrix products on
 * cblas_sgemm, broadcasting elementwise arithmetic (float32 and int64),
 * activations, softmax (with Sigmoid on an eight-lane exp in AVX2) and
 * ReduceMean, pooling, batch and layer normalisation, Resize, and the
 * data-movement kernels (transpose, concat, slice, gather, cast).
 *
 * The kernels trust their arguments (op_infer validated them) and allocate
 * nothing: callers hand in the output and, for convolution, the scratch.
 * Loops with enough work (PAR_GRAIN) are shared over the worker pool
 * (parallel.h) through a job struct and a piece function per kernel; each
 * output element is computed the same way whichever piece computes it.
 * Matrix products go through sgemm_par, which cuts them into one block per
 * participant.
 * Hot loops keep their innermost dimension contiguous and branch-free where
 * the geometry allows, which is what lets gcc vectorise them at -O2.
 */
#include <cblas.h>
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "shim/engine/kernels.h"
#include "shim/engine/parallel.h"

/*
 * The work (in element operations, or vector multiply-adds for the
 * convolutions) below which a loop is not worth sharing over the worker
 * pool: a piece must outlast the wake-up of a sleeping worker.
 */
#define PAR_GRAIN 65536

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

/* --- matrix products over the pool ------------------------------------------------ */

/* A row-major cblas_sgemm, its arguments kept for sgemm_piece. */
typedef struct gemm_job {
    int ta, tb, by_rows;
    int64_t m, n, k, lda, ldb, ldc;
    float alpha, beta;
    const float *a, *b;
    float *c;
} gemm_job;

/* Columns (or, by_rows, rows) [lo, hi) of C: the same product on a block of op(B)'s columns (op(A)'s rows). */
static void sgemm_piece(void *ctx, int64_t lo, int64_t hi, int slot)
{
    (void)slot;
    const gemm_job *j = ctx;
    const CBLAS_TRANSPOSE ta = j->ta ? CblasTrans : CblasNoTrans, tb = j->tb ? CblasTrans : CblasNoTrans;
    if (j->by_rows)
        cblas_sgemm(CblasRowMajor, ta, tb, (int)(hi - lo), (int)j->n, (int)j->k, j->alpha,
                    j->a + (j->ta ? lo : lo * j->lda), (int)j->lda, j->b, (int)j->ldb, j->beta, j->c + lo * j->ldc,
                    (int)j->ldc);
    else
        cblas_sgemm(CblasRowMajor, ta, tb, (int)j->m, (int)(hi - lo), (int)j->k, j->alpha, j->a, (int)j->lda,
                    j->b + (j->tb ? lo * j->ldb : lo), (int)j->ldb, j->beta, j->c + lo, (int)j->ldc);
}

/*
 * cblas_sgemm (row-major; ta, tb its transposes) shared over the pool:
 * C is cut into one block of columns per participant (of rows, when it has
 * more rows than columns), each multiplied on one OpenBLAS thread
 * (par_for_blas).  One block each, because every call packs the other
 * operand again.  A product whose blocks would be narrower than
 * SGEMM_MIN_BLOCK or under SGEMM_MIN_WORK multiply-adds is one call, on one
 * OpenBLAS thread too (par_for_blas): below that, waking a worker costs
 * about what it saves.
 */
#define SGEMM_MIN_BLOCK 32
#define SGEMM_MIN_WORK ((int64_t)1 << 21)

static void sgemm_par(int ta, int tb, int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                      const float *b, int64_t ldb, float beta, float *c, int64_t ldc)
{
    gemm_job j = {ta, tb, m > n, m, n, k, lda, ldb, ldc, alpha, beta, a, b, c};
    const int64_t len = j.by_rows ? m : n, other = j.by_rows ? n : m;
    const int threads = par_threads();
    int64_t grain = (len + threads - 1) / threads;
    if (grain < SGEMM_MIN_BLOCK || other * k * grain < SGEMM_MIN_WORK)
        grain = len; /* too small to share: one call */
    par_for_blas(len, grain, sgemm_piece, &j);
}

/* --- convolution ------------------------------------------------------------ */

static int conv_is_pointwise(const k_conv2d_shape *s)
{
    return s->kh == 1 && s->kw == 1 && s->stride_h == 1 && s->stride_w == 1 && s->pad_t == 0 && s->pad_l == 0 &&
           s->oh == s->h && s->ow == s->w;
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
 * into output rows -- depthwise shapes without a row kernel (dw_plane), where
 * im2col would only copy data without making the product any denser.
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
 * y[i] = x[2 * i] in AVX2: the even floats of two vectors at a time.  It
 * reads no further than x[2 * (n - 1)], the last float it copies.
 */
__attribute__((target("avx2"))) static void copy_stride2_avx2(float *restrict y, const float *restrict x, int64_t n)
{
    int64_t i = 0;
    for (; i + 8 < n; i += 8) {
        const __m256 a = _mm256_loadu_ps(x + 2 * i), b = _mm256_loadu_ps(x + 2 * i + 8);
        const __m256 ev = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)); /* a0 a2 b0 b2 | a4 a6 b4 b6 */
        _mm256_storeu_ps(y + i, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(ev), _MM_SHUFFLE(3, 1, 2, 0))));
    }
    for (; i < n; i++)
        y[i] = x[2 * i];
}

/* y[i] = x[i * stride]: a memcpy at stride 1, a vector shuffle (or a loop with a constant stride) at 2. */
static void copy_strided_f32(float *restrict y, const float *restrict x, int64_t stride, int64_t n)
{
    if (stride == 1)
        memcpy(y, x, (size_t)n * sizeof(float));
    else if (stride == 2 && __builtin_cpu_supports("avx2"))
        copy_stride2_avx2(y, x, n);
    else if (stride == 2)
        for (int64_t i = 0; i < n; i++)
            y[i] = x[2 * i];
    else
        for (int64_t i = 0; i < n; i++)
            y[i] = x[i * stride];
}

/*
 * The padded row of one input row xr (w floats; NULL for a row of padding),
 * split into stride_w phases of pq floats: phase q's column j holds padded
 * column j * stride_w + q, that is input column j * stride_w + q - pad_l,
 * zero outside the row.  At stride 1 it is the plain padded row; at 2 the
 * taps of a strided output row become contiguous again.
 */
static void pad_row_phases(const float *xr, int64_t w, int64_t pad_l, int64_t sw, int64_t pq, float *d)
{
    for (int64_t q = 0; q < sw; q++, d += pq) {
        if (!xr) {
            fill(d, pq, 0.0f);
            continue;
        }
        int64_t a, b;
        valid_range(q - pad_l, sw, w, pq, &a, &b);
        fill(d, a, 0.0f);
        copy_strided_f32(d + a, xr + a * sw + q - pad_l, sw, b - a);
        fill(d + b, pq - b, 0.0f);
    }
}

/*
 * The kernels dw_plane runs directly: 3x3 or 5x5, undilated, horizontal
 * stride 1 or 2, no negative pads.  Their padded plane (dw_pad_plane) is
 * *ph rows of stride_w phases of *pq floats (pad_row_phases).
 */
static int dw_fixed(const k_conv2d_shape *s, int64_t *ph, int64_t *pq)
{
    *ph = (s->oh - 1) * s->stride_h + s->kh;
    *pq = s->ow + (s->kw - 1) / s->stride_w;
    return s->kh == s->kw && (s->kh == 3 || s->kh == 5) && s->dil_h == 1 && s->dil_w == 1 &&
           (s->stride_w == 1 || s->stride_w == 2) && s->pad_t >= 0 && s->pad_l >= 0;
}

/* The floats of dw_fixed's padded plane. */
static size_t dw_plane_len(const k_conv2d_shape *s)
{
    int64_t ph, pq;
    return dw_fixed(s, &ph, &pq) ? (size_t)(ph * s->stride_w * pq) : 0;
}

/* p = the plane xc with its padding made real, in dw_fixed's layout. */
static void dw_pad_plane(const k_conv2d_shape *s, const float *xc, float *p, int64_t ph, int64_t pq)
{
    for (int64_t r = 0; r < ph; r++) {
        const int64_t iy = r - s->pad_t;
        pad_row_phases(iy < 0 || iy >= s->h ? NULL : xc + iy * s->w, s->w, s->pad_l, s->stride_w, pq,
                       p + r * s->stride_w * pq);
    }
}

/*
 * Depthwise rows.  Every output of one plane from its padded plane p (pw
 * floats a row): y[oy][i] += sum over taps of w[ky][kx] * p[oy * stride_h
 * + ky][i * stride + kx].  Inlined with constant kh, kw and stride, the
 * taps unroll and the loop over i vectorises, the sum staying in a
 * register; the taps are added in the order the generic path adds them
 * (padding adds w * 0, which leaves a sum as it is), each a multiply and
 * an add, giving the generic path's float.
 */
static inline __attribute__((always_inline)) void dw_rows_fixed(const k_conv2d_shape *s, const float *p, int64_t pq,
                                                                const float *wk, float *yo, int kh, int kw,
                                                                int stride)
{
    float wv[25];
    for (int k = 0; k < kh * kw; k++)
        wv[k] = wk[k];
    const int64_t rowlen = stride * pq;
    for (int64_t oy = 0; oy < s->oh; oy++) {
        const float *r = p + oy * s->stride_h * rowlen;
        float *restrict yr = yo + oy * s->ow;
        for (int64_t i = 0; i < s->ow; i++) {
            float acc = yr[i];
#pragma GCC unroll 5
            for (int ky = 0; ky < kh; ky++)
#pragma GCC unroll 5
                for (int kx = 0; kx < kw; kx++) {
                    /* padded column i * stride + kx: phase kx % stride, column i + kx / stride */
                    const float xv = r[ky * rowlen + (kx % stride) * pq + i + kx / stride];
                    acc = acc + wv[ky * kw + kx] * xv;
                }
            yr[i] = acc;
        }
    }
}

/*
 * rows(s, p, pq, wk, yo, k, stride), the rows of a k x k window, with the
 * plane's shape as constants (dw_fixed has checked it is one of these).
 */
#define DW_ROWS_DISPATCH(rows)                                                                                         \
    do {                                                                                                               \
        if (s->kh == 3 && s->stride_w == 1)                                                                            \
            rows(s, p, pq, wk, yo, 3, 1);                                                                              \
        else if (s->kh == 3)                                                                                           \
            rows(s, p, pq, wk, yo, 3, 2);                                                                              \
        else if (s->stride_w == 1)                                                                                     \
            rows(s, p, pq, wk, yo, 5, 1);                                                                              \
        else                                                                                                           \
            rows(s, p, pq, wk, yo, 5, 2);                                                                              \
    } while (0)

/* dw_rows_fixed of a k x k window, in DW_ROWS_DISPATCH's form. */
#define DW_ROWS_SQUARE(s, p, pq, wk, yo, k, stride) dw_rows_fixed(s, p, pq, wk, yo, k, k, stride)

/*
 * The AVX2 copy of dw_rows_fixed, written with intrinsics: eight outputs
 * of a row at a time, each tap one fused multiply-add (one rounding
 * instead of two, so the last bits may differ from the plain copy's) in
 * the same order, so that an output does not depend on which of the three
 * loops below computes it; the row's last ow % 8 outputs in masked lanes.
 * (Left to the vectoriser, the strided copies spilled their row pointers
 * in the inner loop and ran at half this speed.)
 */
static inline __attribute__((always_inline, target("avx2,fma"))) void
dw_rows_avx2(const k_conv2d_shape *s, const float *p, int64_t pq, const float *wk, float *yo, int k, int stride)
{
    const int64_t rowlen = stride * pq, ow = s->ow;
    /* 3x3: the nine weights stay in registers; 5x5: 25 do not fit, each is broadcast from memory as it is used */
    __m256 wv[9];
#pragma GCC unroll 9
    for (int t = 0; t < 9; t++)
        wv[t] = _mm256_set1_ps(k == 3 ? wk[t] : 0.0f);
    for (int64_t oy = 0; oy < s->oh; oy++) {
        const float *r = p + oy * s->stride_h * rowlen;
        float *yr = yo + oy * ow;
        int64_t i = 0;
        /* sixteen outputs at a time: each weight, broadcast once, serves two vectors */
        for (; i + 16 <= ow; i += 16) {
            __m256 acc0 = _mm256_loadu_ps(yr + i), acc1 = _mm256_loadu_ps(yr + i + 8);
#pragma GCC unroll 5
            for (int ky = 0; ky < k; ky++)
#pragma GCC unroll 5
                for (int kx = 0; kx < k; kx++) {
                    const __m256 w = k == 3 ? wv[ky * k + kx] : _mm256_broadcast_ss(wk + ky * k + kx);
                    const float *src = r + ky * rowlen + (kx % stride) * pq + i + kx / stride;
                    acc0 = _mm256_fmadd_ps(w, _mm256_loadu_ps(src), acc0);
                    acc1 = _mm256_fmadd_ps(w, _mm256_loadu_ps(src + 8), acc1);
                }
            _mm256_storeu_ps(yr + i, acc0);
            _mm256_storeu_ps(yr + i + 8, acc1);
        }
        for (; i + 8 <= ow; i += 8) {
            __m256 acc = _mm256_loadu_ps(yr + i);
#pragma GCC unroll 5
            for (int ky = 0; ky < k; ky++)
#pragma GCC unroll 5
                for (int kx = 0; kx < k; kx++)
                    acc = _mm256_fmadd_ps(k == 3 ? wv[ky * k + kx] : _mm256_broadcast_ss(wk + ky * k + kx),
                                          _mm256_loadu_ps(r + ky * rowlen + (kx % stride) * pq + i + kx / stride), acc);
            _mm256_storeu_ps(yr + i, acc);
        }
        if (i < ow) {
            /* the last ow % 8 outputs in masked lanes: the same fused operations, no read or write past the row */
            const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(ow - i)),
                                                 _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
            __m256 acc = _mm256_maskload_ps(yr + i, m);
#pragma GCC unroll 5
            for (int ky = 0; ky < k; ky++)
#pragma GCC unroll 5
                for (int kx = 0; kx < k; kx++)
                    acc = _mm256_fmadd_ps(k == 3 ? wv[ky * k + kx] : _mm256_broadcast_ss(wk + ky * k + kx),
                                          _mm256_maskload_ps(r + ky * rowlen + (kx % stride) * pq + i + kx / stride, m),
                                          acc);
            _mm256_maskstore_ps(yr + i, m, acc);
        }
    }
}

/* The AVX2 copy: each tap one fused multiply-add (a rounding fewer than the plain copy), eight lanes wide. */
__attribute__((target("avx2,fma"))) static void dw_rows_fma(const k_conv2d_shape *s, const float *p, int64_t pq,
                                                            const float *wk, float *yo)
{
    DW_ROWS_DISPATCH(dw_rows_avx2);
}

static void dw_rows_plain(const k_conv2d_shape *s, const float *p, int64_t pq, const float *wk, float *yo)
{
    DW_ROWS_DISPATCH(DW_ROWS_SQUARE);
}

/* Set by k_kernels_plain: the plain copies even where the CPU has AVX2 and FMA. */
static int plain_only;

void k_kernels_plain(int on)
{
    plain_only = on;
}

/* Whether the AVX2 copies run: k_kernels_plain is off and the CPU has AVX2 and FMA. */
static int fma_ok(void)
{
    return !plain_only && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* dw_rows_fma where the CPU has AVX2 and FMA (and k_kernels_plain is off), else dw_rows_plain. */
static void dw_rows_special(const k_conv2d_shape *s, const float *p, int64_t pq, const float *wk, float *yo)
{
    if (fma_ok())
        dw_rows_fma(s, p, pq, wk, yo);
    else
        dw_rows_plain(s, p, pq, wk, yo);
}

/*
 * One output plane of a convolution with one input channel per output
 * (depthwise), yo already holding the bias: the input plane padded into
 * the scratch, dw_rows_special over it, then act over the plane while it
 * is in cache.  Other shapes, or a scratch too small for the padded plane,
 * take conv_direct_group.
 */
static void dw_plane(const k_conv2d_shape *s, const float *xc, const float *wk, float *yo, const k_act *act,
                     float *scratch, size_t scratch_len)
{
    int64_t ph, pq;
    if (dw_fixed(s, &ph, &pq) && scratch && dw_plane_len(s) <= scratch_len) {
        dw_pad_plane(s, xc, scratch, ph, pq);
        dw_rows_special(s, scratch, pq, wk, yo);
    } else {
        conv_direct_group(s, xc, wk, yo, 1, 1);
    }
    k_activate(act, yo, (size_t)(s->oh * s->ow));
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
                        copy_strided_f32(row + q + (a - ox0), xr + a * sw + off, sw, b - a);
                        fill(row + q + (b - ox0), ox0 + span - b, 0.0f);
                    }
                    q += span;
                    p += span;
                }
            }
        }
    }
}

/* The loops of k_relu, k_hardsigmoid and k_clip, inlined into the activations' copies too. */
static inline __attribute__((always_inline)) void relu_rows(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

static inline __attribute__((always_inline)) void hardsigmoid_rows(const float *x, float *y, size_t n, float alpha,
                                                                   float beta)
{
    for (size_t i = 0; i < n; i++) {
        float v = alpha * x[i] + beta;
        v = v < 0.0f ? 0.0f : v;
        y[i] = v > 1.0f ? 1.0f : v;
    }
}

static inline __attribute__((always_inline)) void clip_rows(const float *x, float *y, size_t n, float lo, float hi)
{
    for (size_t i = 0; i < n; i++) {
        float v = x[i] < lo ? lo : x[i];
        y[i] = v > hi ? hi : v;
    }
}

/*
 * The activation's body, compiled twice below: plain, and in an AVX2 copy
 * used where the CPU has it (the same operations, eight lanes wide).  The
 * copies are chosen by hand rather than with target_clones, which clang
 * refuses on a function used before its definition.
 */
static inline __attribute__((always_inline)) void activate_body(const k_act *act, float *y, size_t n)
{
    const float a = act->p[0], b = act->p[1], c = act->p[2], d = act->p[3];
    switch (act->kind) {
    case K_ACT_RELU:
        relu_rows(y, y, n);
        break;
    case K_ACT_CLIP:
        clip_rows(y, y, n, a, b);
        break;
    case K_ACT_HARDSIGMOID:
        hardsigmoid_rows(y, y, n, a, b);
        break;
    case K_ACT_HARDSWISH:
        for (size_t i = 0; i < n; i++) {
            float v = y[i] + a;
            v = v < b ? b : v;
            v = v > c ? c : v;
            y[i] = y[i] * (v / d);
        }
        break;
    case K_ACT_HARDSWISH_MD:
        for (size_t i = 0; i < n; i++) {
            float v = y[i] + a;
            v = v < b ? b : v;
            v = v > c ? c : v;
            y[i] = (y[i] * v) / d;
        }
        break;
    case K_ACT_NONE:
        break;
    }
    if (act->post) {
        const float ps = act->post_scale, pb = act->post_shift;
        for (size_t i = 0; i < n; i++) {
            float v = y[i] * ps;
            y[i] = v + pb;
        }
    }
}

__attribute__((target("avx2"))) static void activate_avx2(const k_act *act, float *y, size_t n)
{
    activate_body(act, y, n);
}

static void activate_plain(const k_act *act, float *y, size_t n)
{
    activate_body(act, y, n);
}

void k_activate(const k_act *act, float *y, size_t n)
{
    if (!act)
        return;
    if (__builtin_cpu_supports("avx2"))
        activate_avx2(act, y, n);
    else
        activate_plain(act, y, n);
}

typedef struct act_job {
    const k_act *act;
    float *y;
} act_job;

static void activate_piece(void *ctx, int64_t lo, int64_t hi, int slot)
{
    (void)slot;
    const act_job *j = ctx;
    k_activate(j->act, j->y + lo, (size_t)(hi - lo));
}

/* k_activate over n elements, shared over the pool. */
static void activate_par(const k_act *act, float *y, int64_t n)
{
    if (!act || (act->kind == K_ACT_NONE && !act->post))
        return;
    act_job j = {act, y};
    par_for(n, PAR_GRAIN, activate_piece, &j);
}

void k_conv2d(const k_conv2d_shape *s, const float *x, const float *w, const float *bias, float *y,
              float *scratch, size_t scratch_len)
{
    k_conv2d_act(s, x, w, bias, NULL, y, scratch, scratch_len);
}

/*
 * Dense convolutions (more than one input channel per group) other than the
 * 1x1 unit-stride ones, on CPUs with AVX2 + FMA: a direct kernel instead of
 * im2col + sgemm.  The im2col matrix is kh * kw times the input; building it
 * costs about a quarter of det's 96 -> 24 channel 3x3 convolutions, and its
 * sgemm (24 rows) splits poorly over threads.  Here each group's input is
 * copied once, zero-padded and split by column phase (stride_w phases, so
 * that the taps of a strided row are contiguous again), into the scratch;
 * then tiles of DC_MB output channels by 16 output pixels of one row are
 * accumulated in registers over every (input channel, ky, kx), eight lanes
 * at a time, starting from the bias.  The padded copy and the output rows
 * are split over the worker pool (parallel.h).  Each output is its bias
 * plus the taps in the order ci, ky, kx, one fused multiply-add each: the
 * split does not change a result.
 */

#define DC_MB 6 /* output channels per tile */

/* The kernels the direct path takes: dense groups, undilated, stride_w 1 or 2, windows up to 7 x 7. */
static int dc_shape_ok(const k_conv2d_shape *s)
{
    const int64_t cg = s->c / s->group;
    return cg > 1 && !conv_is_pointwise(s) && s->dil_h == 1 && s->dil_w == 1 && (s->stride_w == 1 || s->stride_w == 2) &&
           s->kh <= 7 && s->kw <= 7 && s->pad_t >= 0 && s->pad_l >= 0 && s->stride_h >= 1;
}

static int dc_available(const k_conv2d_shape *s)
{
    return dc_shape_ok(s) && fma_ok();
}

/* The padded, phase-split copy of one group: rows of stride_w phases of *pq floats each; returns its floats. */
static size_t dc_layout(const k_conv2d_shape *s, int64_t *ph, int64_t *pq)
{
    const int64_t ow8 = (s->ow + 7) / 8 * 8;
    *ph = (s->oh - 1) * s->stride_h + s->kh;
    *pq = ow8 + (s->kw - 1) / s->stride_w;
    return (size_t)(s->c / s->group) * (size_t)(*ph * s->stride_w * *pq);
}

typedef struct dc_job {
    const k_conv2d_shape *s;
    const float *xg, *wg, *bias; /* bias at the group's first output channel, or NULL */
    const k_act *act;
    float *yg, *xp;
    int64_t cg, mg, ph, pq;
} dc_job;

/* Pads input channels [lo, hi) of the group into the phase-split copy. */
static void dc_pad(void *ctx, int64_t lo, int64_t hi, int slot)
{
    (void)slot;
    const dc_job *j = ctx;
    const k_conv2d_shape *s = j->s;
    for (int64_t ci = lo; ci < hi; ci++)
        dw_pad_plane(s, j->xg + ci * s->h * s->w, j->xp + ci * j->ph * s->stride_w * j->pq, j->ph, j->pq);
}

/*
 * One tile: MB output channels (from wm, their weights MB rows of kdim
 * apart, and bias bm) by NV vectors of 8 pixels starting at the padded
 * copy's column 0 of xr (the tile's first input row); `valid` of the last
 * vector's lanes are stored.
 */
static inline __attribute__((always_inline, target("avx2,fma"))) void
dc_tile(const float *xr, int64_t plane, int64_t rowlen, int64_t pq, const float *wm, int64_t kdim, const float *bm,
        float *ym, int64_t out_plane, int64_t cg, int kh, int kw, int sw, int MB, int NV, int valid)
{
    __m256 acc[DC_MB][2];
#pragma GCC unroll 8
    for (int b = 0; b < MB; b++)
#pragma GCC unroll 8
        for (int v = 0; v < NV; v++)
            acc[b][v] = _mm256_set1_ps(bm ? bm[b] : 0.0f);
    for (int64_t ci = 0; ci < cg; ci++) {
        const float *xc = xr + ci * plane;
        const float *wc = wm + ci * kh * kw;
        for (int ky = 0; ky < kh; ky++) {
            const float *row = xc + ky * rowlen;
            for (int kx = 0; kx < kw; kx++) {
                const float *src = row + (kx % sw) * pq + kx / sw;
                __m256 xv[2];
#pragma GCC unroll 8
                for (int v = 0; v < NV; v++)
                    xv[v] = _mm256_loadu_ps(src + 8 * v);
                const float *wk = wc + ky * kw + kx;
#pragma GCC unroll 8
                for (int b = 0; b < MB; b++) {
                    const __m256 wv = _mm256_broadcast_ss(wk + b * kdim);
#pragma GCC unroll 8
                    for (int v = 0; v < NV; v++)
                        acc[b][v] = _mm256_fmadd_ps(wv, xv[v], acc[b][v]);
                }
            }
        }
    }
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), lane);
#pragma GCC unroll 8
    for (int b = 0; b < MB; b++)
#pragma GCC unroll 8
        for (int v = 0; v < NV; v++) {
            float *d = ym + b * out_plane + 8 * v;
            if (v == NV - 1 && valid < 8)
                _mm256_maskstore_ps(d, mask, acc[b][v]);
            else
                _mm256_storeu_ps(d, acc[b][v]);
        }
}

/* dc_tile with MB and NV as constants, so that the accumulators stay in registers. */
#define DC_TILE(mb, nv) dc_tile(xr, plane, rowlen, pq, wm, kdim, bm, ym, out_plane, cg, kh, kw, sw, mb, nv, valid)

static inline __attribute__((always_inline, target("avx2,fma"))) void
dc_tile_mb(int mb, int nv, const float *xr, int64_t plane, int64_t rowlen, int64_t pq, const float *wm, int64_t kdim,
           const float *bm, float *ym, int64_t out_plane, int64_t cg, int kh, int kw, int sw, int valid)
{
    switch (mb * 4 + nv) {
    case 6 * 4 + 2: DC_TILE(6, 2); break;
    case 6 * 4 + 1: DC_TILE(6, 1); break;
    case 5 * 4 + 2: DC_TILE(5, 2); break;
    case 5 * 4 + 1: DC_TILE(5, 1); break;
    case 4 * 4 + 2: DC_TILE(4, 2); break;
    case 4 * 4 + 1: DC_TILE(4, 1); break;
    case 3 * 4 + 2: DC_TILE(3, 2); break;
    case 3 * 4 + 1: DC_TILE(3, 1); break;
    case 2 * 4 + 2: DC_TILE(2, 2); break;
    case 2 * 4 + 1: DC_TILE(2, 1); break;
    case 1 * 4 + 2: DC_TILE(1, 2); break;
    default: DC_TILE(1, 1); break;
    }
}

/* Output rows [lo, hi) of the group, every output channel, then the activation over each finished row. */
__attribute__((target("avx2,fma"))) static void dc_rows(void *ctx, int64_t lo, int64_t hi, int slot)
{
    (void)slot;
    const dc_job *j = ctx;
    const k_conv2d_shape *s = j->s;
    const int kh = (int)s->kh, kw = (int)s->kw, sw = (int)s->stride_w;
    const int64_t rowlen = sw * j->pq, plane = j->ph * rowlen, pq = j->pq, cg = j->cg;
    const int64_t kdim = cg * kh * kw, out_plane = s->oh * s->ow;
    for (int64_t oy = lo; oy < hi; oy++) {
        const float *xrow = j->xp + oy * s->stride_h * rowlen;
        for (int64_t ox = 0; ox < s->ow; ox += 16) {
            const int64_t left = s->ow - ox;
            const int nv = left > 8 ? 2 : 1;
            const int valid = (int)(left >= 16 ? 8 : left > 8 ? left - 8 : left);
            const float *xr = xrow + ox;
            for (int64_t m0 = 0; m0 < j->mg; m0 += DC_MB) {
                const int mb = (int)(j->mg - m0 < DC_MB ? j->mg - m0 : DC_MB);
                const float *wm = j->wg + m0 * kdim;
                const float *bm = j->bias ? j->bias + m0 : NULL;
                float *ym = j->yg + m0 * out_plane + oy * s->ow + ox;
                if (kh == 3 && kw == 3 && sw == 1)
                    dc_tile_mb(mb, nv, xr, plane, rowlen, pq, wm, kdim, bm, ym, out_plane, cg, 3, 3, 1, valid);
                else
                    dc_tile_mb(mb, nv, xr, plane, rowlen, pq, wm, kdim, bm, ym, out_plane, cg, kh, kw, sw, valid);
            }
        }
        if (j->act)
            for (int64_t mo = 0; mo < j->mg; mo++)
                k_activate(j->act, j->yg + mo * out_plane + oy * s->ow, (size_t)s->ow);
    }
}

/* The direct path over every image and group; xp is the scratch, dc_layout's size. */
static void dc_conv(const k_conv2d_shape *s, const float *x, const float *w, const float *bias, const k_act *act,
                    float *y, float *xp)
{
    dc_job j = {.s = s, .act = act, .xp = xp, .cg = s->c / s->group, .mg = s->m / s->group};
    dc_layout(s, &j.ph, &j.pq);
    const int64_t kdim = j.cg * s->kh * s->kw, plane = s->h * s->w, out_plane = s->oh * s->ow;
    const int64_t pad_cost = j.ph * s->stride_w * j.pq, row_cost = j.mg * kdim * s->ow / 8;
    for (int64_t b = 0; b < s->n; b++)
        for (int64_t g = 0; g < s->group; g++) {
            j.xg = x + (b * s->c + g * j.cg) * plane;
            j.wg = w + g * j.mg * kdim;
            j.bias = bias ? bias + g * j.mg : NULL;
            j.yg = y + (b * s->m + g * j.mg) * out_plane;
            par_for(j.cg, PAR_GRAIN / pad_cost + 1, dc_pad, &j);
            par_for(s->oh, PAR_GRAIN / row_cost + 1, dc_rows, &j);
        }
}

/* A depthwise convolution shared over the pool: each participant pads its planes into its own share of the scratch. */
typedef struct dw_job {
    const k_conv2d_shape *s;
    const float *x, *w, *bias;
    const k_act *act;
    float *y, *scratch;
    size_t share; /* floats of the scratch per slot */
} dw_job;

/* Output planes [lo, hi) (image-major: plane i is image i / m, output channel i % m). */
static void dw_planes(void *ctx, int64_t lo, int64_t hi, int slot)
{
    const dw_job *j = ctx;
    const k_conv2d_shape *s = j->s;
    const int64_t mg = s->m / s->group, out_plane = s->oh * s->ow, plane = s->h * s->w;
    float *scratch = j->scratch ? j->scratch + (size_t)slot * j->share : NULL;
    for (int64_t i = lo; i < hi; i++) {
        const int64_t b = i / s->m, mo = i % s->m, g = mo / mg;
        float *yo = j->y + i * out_plane;
        fill(yo, out_plane, j->bias ? j->bias[mo] : 0.0f);
        dw_plane(s, j->x + (b * s->c + g) * plane, j->w + mo * s->kh * s->kw, yo, j->act, scratch, j->share);
    }
}

/*
 * The most im2col floats one sgemm takes (4 MiB): a larger matrix is built
 * and then packed by the sgemm from memory rather than cache.  On det's
 * 96 -> 24 channel 3x3 convolution at 80x80 (a 22 MiB im2col) chunks of
 * this size cut the convolution from 6.0 to 4.1 ms on one thread and from
 * 7.2 to 5.4 ms on two (2-core EPYC, best of 15).
 */
#define K_IM2COL_TILE ((int64_t)1 << 20)

size_t k_conv2d_scratch_want(const k_conv2d_shape *s)
{
    int64_t cg = s->c / s->group;
    int64_t ph, pw;
    if (conv_is_pointwise(s))
        return 0;
    if (dc_available(s))
        return dc_layout(s, &ph, &pw);
    if (cg == 1)
        return dw_plane_len(s) * (size_t)par_threads(); /* one padded plane per participant */
    return (size_t)(cg * s->kh * s->kw) * (size_t)(s->oh * s->ow);
}

/*
 * One group of one image, yg already holding the bias: 1x1 unit-stride
 * kernels as one sgemm on the input itself, the rest as im2col + sgemm in
 * chunks of `chunk` output pixels, or direct loops when the scratch holds
 * no column.  (One-input-channel groups go through dw_planes, and dense
 * ones on AVX2 CPUs through dc_conv, before this.)
 */
static void conv_group(const k_conv2d_shape *s, const float *xg, const float *wg, float *yg, float *scratch,
                       int64_t chunk)
{
    const int64_t cg = s->c / s->group, mg = s->m / s->group;
    const int64_t kdim = cg * s->kh * s->kw, out_plane = s->oh * s->ow, plane = s->h * s->w;
    if (conv_is_pointwise(s)) {
        sgemm_par(0, 0, mg, out_plane, cg, 1.0f, wg, kdim, xg, plane, 1.0f, yg, out_plane);
    } else if (chunk < 1) {
        conv_direct_group(s, xg, wg, yg, cg, mg);
    } else {
        for (int64_t p0 = 0; p0 < out_plane; p0 += chunk) {
            int64_t pc = out_plane - p0 < chunk ? out_plane - p0 : chunk;
            im2col_chunk(s, xg, cg, p0, pc, scratch);
            sgemm_par(0, 0, mg, pc, kdim, 1.0f, wg, kdim, scratch, pc, 1.0f, yg + p0, out_plane);
        }
    }
}

void k_conv2d_act(const k_conv2d_shape *s, const float *x, const float *w, const float *bias, const k_act *act,
                  float *y, float *scratch, size_t scratch_len)
{
    const int64_t cg = s->c / s->group, mg = s->m / s->group;
    const int64_t kdim = cg * s->kh * s->kw, out_plane = s->oh * s->ow, plane = s->h * s->w;
    int64_t ph, pq;
    if (dc_available(s) && scratch && scratch_len >= dc_layout(s, &ph, &pq)) {
        dc_conv(s, x, w, bias, act, y, scratch);
        return;
    }
    if (cg == 1 && !conv_is_pointwise(s)) {
        dw_job j = {s, x, w, bias, act, y, scratch, scratch ? scratch_len / (size_t)par_threads() : 0};
        par_for(s->n * s->m, PAR_GRAIN / (out_plane * s->kh * s->kw / 4 + 1) + 1, dw_planes, &j);
        return;
    }

    /* im2col columns per sgemm: as many output pixels as the scratch and K_IM2COL_TILE hold */
    int64_t chunk = scratch ? (int64_t)(scratch_len / (size_t)kdim) : 0;
    int64_t tile = K_IM2COL_TILE / kdim > 0 ? K_IM2COL_TILE / kdim : 1;
    chunk = chunk > tile ? tile : chunk;
    if (chunk > out_plane)
        chunk = out_plane;

    for (int64_t b = 0; b < s->n; b++) {
        for (int64_t g = 0; g < s->group; g++) {
            const float *xg = x + (b * s->c + g * cg) * plane;
            const float *wg = w + g * mg * kdim;
            float *yg = y + (b * s->m + g * mg) * out_plane;
            for (int64_t mo = 0; mo < mg; mo++)
                fill(yg + mo * out_plane, out_plane, bias ? bias[g * mg + mo] : 0.0f);
            conv_group(s, xg, wg, yg, scratch, chunk);
            activate_par(act, yg, mg * out_plane);
        }
    }
}

/* --- transposed convolution ------------------------------------------------- */

size_t k_conv_transpose2d_scratch_want(const k_conv2d_shape *s)
{
    return (size_t)((s->m / s->group) * s->kh * s->kw) * (size_t)(s->h * s->w);
}

/*
 * The common upsampling shape of a transposed convolution: two taps a row
 * at horizontal stride 2, undilated, no left padding, the output exactly
 * twice the input wide.  Input column ix then lands on output columns 2 ix
 * and 2 ix + 1, one from each tap, so col2im is an interleave of two
 * column rows added to the output row.
 */
static int col2im_pairs(const k_conv2d_shape *s)
{
    return s->kw == 2 && s->stride_w == 2 && s->dil_w == 1 && s->pad_l == 0 && s->ow == 2 * s->w;
}

/* y[2 i] += a[i], y[2 i + 1] += b[i] for i < n: AVX2, eight pairs at a time. */
__attribute__((target("avx2"))) static void add_interleaved_avx2(float *y, const float *a, const float *b, int64_t n)
{
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 va = _mm256_loadu_ps(a + i), vb = _mm256_loadu_ps(b + i);
        const __m256 lo = _mm256_unpacklo_ps(va, vb), hi = _mm256_unpackhi_ps(va, vb);
        float *d = y + 2 * i;
        _mm256_storeu_ps(d, _mm256_add_ps(_mm256_loadu_ps(d), _mm256_permute2f128_ps(lo, hi, 0x20)));
        _mm256_storeu_ps(d + 8, _mm256_add_ps(_mm256_loadu_ps(d + 8), _mm256_permute2f128_ps(lo, hi, 0x31)));
    }
    for (; i < n; i++) {
        y[2 * i] += a[i];
        y[2 * i + 1] += b[i];
    }
}

static void add_interleaved(float *y, const float *a, const float *b, int64_t n)
{
    if (__builtin_cpu_supports("avx2")) {
        add_interleaved_avx2(y, a, b, n);
        return;
    }
    for (int64_t i = 0; i < n; i++) {
        y[2 * i] += a[i];
        y[2 * i + 1] += b[i];
    }
}

/* col2im_chunk's rows (mo, ky, 0) and (mo, ky, 1), c0 and c1, in col2im_pairs's shape: each output gets one add, as there. */
static void col2im_rows_pair(const k_conv2d_shape *s, const float *c0, const float *c1, int64_t p0, int64_t pc,
                             int64_t ky, float *ym)
{
    for (int64_t q = 0, p = p0; q < pc;) {
        const int64_t iy = p / s->w, ix0 = p % s->w;
        const int64_t span = s->w - ix0 < pc - q ? s->w - ix0 : pc - q;
        const int64_t oy = iy * s->stride_h - s->pad_t + ky * s->dil_h;
        if (oy >= 0 && oy < s->oh)
            add_interleaved(ym + oy * s->ow + 2 * ix0, c0 + q, c1 + q, span);
        q += span;
        p += span;
    }
}

/*
 * Scatters input pixels p0 .. p0+pc of the column matrix into output
 * channels [mo0, mo1) of one group: row (mo, ky, kx) of col holds, per
 * input pixel, the value that tap sends to output (iy * stride_h - pad_t +
 * ky * dil_h, ...).
 */
static void col2im_chunk(const k_conv2d_shape *s, const float *col, int64_t mo0, int64_t mo1, int64_t p0, int64_t pc,
                         float *yg)
{
    const int64_t out_plane = s->oh * s->ow;
    const float *row = col + mo0 * s->kh * s->kw * pc;
    const int pairs = col2im_pairs(s);
    for (int64_t mo = mo0; mo < mo1; mo++) {
        float *ym = yg + mo * out_plane;
        for (int64_t ky = 0; ky < s->kh; ky++) {
            if (pairs) {
                col2im_rows_pair(s, row, row + pc, p0, pc, ky, ym);
                row += 2 * pc;
                continue;
            }
            for (int64_t kx = 0; kx < s->kw; kx++, row += pc) {
                const int64_t off = kx * s->dil_w - s->pad_l, sw = s->stride_w;
                int64_t lo, hi;
                valid_range(off, sw, s->ow, s->w, &lo, &hi); /* input columns landing inside y */
                for (int64_t q = 0, p = p0; q < pc;) {
                    int64_t iy = p / s->w, ix0 = p % s->w;
                    int64_t span = s->w - ix0 < pc - q ? s->w - ix0 : pc - q;
                    int64_t oy = iy * s->stride_h - s->pad_t + ky * s->dil_h;
                    int64_t a = lo > ix0 ? lo : ix0, b = hi < ix0 + span ? hi : ix0 + span;
                    if (oy >= 0 && oy < s->oh) {
                        float *yr = ym + oy * s->ow;
                        for (int64_t ix = a; ix < b; ix++)
                            yr[ix * sw + off] += row[q + ix - ix0];
                    }
                    q += span;
                    p += span;
                }
            }
        }
    }
}

/* col2im_chunk shared over the pool by output channel: each channel's plane is written by one participant. */
typedef struct col2im_job {
    const k_conv2d_shape *s;
    const float *col;
    int64_t p0, pc;
    float *yg;
} col2im_job;

static void col2im_channels(void *ctx, int64_t lo, int64_t hi, int slot)
{
    (void)slot;
    const col2im_job *j = ctx;
    col2im_chunk(j->s, j->col, lo, hi, j->p0, j->pc, j->yg);
}

/* The scratch-free path: each (input channel, output channel, tap) adds scaled input rows into output rows. */
static void convt_direct_group(const k_conv2d_shape *s, const float *xg, const float *wg, float *yg, int64_t cg,
                               int64_t mg)
{
    const int64_t plane = s->h * s->w, out_plane = s->oh * s->ow;
    for (int64_t ci = 0; ci < cg; ci++) {
        const float *xc = xg + ci * plane;
        for (int64_t mo = 0; mo < mg; mo++) {
            const float *wk = wg + (ci * mg + mo) * s->kh * s->kw;
            float *ym = yg + mo * out_plane;
            for (int64_t ky = 0; ky < s->kh; ky++) {
                int64_t iy0, iy1;
                valid_range(ky * s->dil_h - s->pad_t, s->stride_h, s->oh, s->h, &iy0, &iy1);
                for (int64_t kx = 0; kx < s->kw; kx++) {
                    const float wv = wk[ky * s->kw + kx];
                    const int64_t off = kx * s->dil_w - s->pad_l;
                    int64_t ix0, ix1;
                    valid_range(off, s->stride_w, s->ow, s->w, &ix0, &ix1);
                    for (int64_t iy = iy0; iy < iy1 && ix0 < ix1; iy++) {
                        const float *xr = xc + iy * s->w;
                        float *yr = ym + (iy * s->stride_h - s->pad_t + ky * s->dil_h) * s->ow;
                        for (int64_t ix = ix0; ix < ix1; ix++)
                            yr[ix * s->stride_w + off] += wv * xr[ix];
                    }
                }
            }
        }
    }
}

void k_conv_transpose2d(const k_conv2d_shape *s, const float *x, const float *w, const float *bias, float *y,
                        float *scratch, size_t scratch_len)
{
    const int64_t cg = s->c / s->group, mg = s->m / s->group;
    const int64_t kdim = mg * s->kh * s->kw, plane = s->h * s->w, out_plane = s->oh * s->ow;
    /* input pixels per sgemm: as many columns as the scratch holds */
    int64_t chunk = scratch ? (int64_t)(scratch_len / (size_t)kdim) : 0;
    if (chunk > plane)
        chunk = plane;

    for (int64_t b = 0; b < s->n; b++) {
        for (int64_t g = 0; g < s->group; g++) {
            const float *xg = x + (b * s->c + g * cg) * plane;
            const float *wg = w + g * cg * kdim;
            float *yg = y + (b * s->m + g * mg) * out_plane;
            for (int64_t mo = 0; mo < mg; mo++)
                fill(yg + mo * out_plane, out_plane, bias ? bias[g * mg + mo] : 0.0f);
            if (chunk < 1) {
                convt_direct_group(s, xg, wg, yg, cg, mg);
                continue;
            }
            for (int64_t p0 = 0; p0 < plane; p0 += chunk) {
                int64_t pc = plane - p0 < chunk ? plane - p0 : chunk;
                /* col [kdim x pc] = wg^T ([cg x kdim] stored) * xg[:, p0 .. p0 + pc] */
                sgemm_par(1, 0, kdim, pc, cg, 1.0f, wg, kdim, xg + p0, plane, 0.0f, scratch, pc);
                col2im_job j = {s, scratch, p0, pc, yg};
                par_for(mg, PAR_GRAIN / (s->kh * s->kw * pc) + 1, col2im_channels, &j);
            }
        }
    }
}

/* --- matrix products --------------------------------------------------------- */

static void sgemm_nn(const float *a, const float *b, float *y, int64_t m, int64_t k, int64_t n)
{
    sgemm_par(0, 0, m, n, k, 1.0f, a, k, b, n, 0.0f, y, n);
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
    sgemm_par(trans_a, trans_b, m, n, k, alpha, a, trans_a ? m : k, b, trans_b ? k : n, blas_beta, y, n);
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
    case K_POW:
        for (int64_t i = 0; i < n; i++)
            y[i] = powf(a[a_step ? i : 0], b[b_step ? i : 0]);
        break;
    }
}

/*
 * Collapses a broadcast before running it: size-1 output axes are dropped
 * and neighbours that both operands traverse contiguously (or both
 * broadcast) are merged, so that equal shapes become one flat row and
 * [N,C,H,W] + [C,1,1] becomes [N, C, H*W] with b constant along the inner
 * row.  Axes come out innermost first, with their element strides in a and
 * b (0 where broadcast).  Returns the collapsed rank.
 */
static int broadcast_collapse(const int64_t *a_dims, const int64_t *b_dims, const int64_t *y_dims, int rank,
                              int64_t *d, int64_t *sa, int64_t *sb)
{
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
    return r;
}

/* Steps the outer-axis counter of a collapsed broadcast, moving the a and b offsets along. */
static void broadcast_next(const int64_t *d, const int64_t *sa, const int64_t *sb, int r, int64_t *idx, int64_t *oa,
                           int64_t *ob)
{
    for (int i = 1; i < r; i++) {
        *oa += sa[i];
        *ob += sb[i];
        if (++idx[i] < d[i])
            return;
        *oa -= sa[i] * d[i];
        *ob -= sb[i] * d[i];
        idx[i] = 0;
    }
}

/* The a and b offsets of collapsed row t (the outer-axis counter idx set to match). */
static void broadcast_seek(const int64_t *d, const int64_t *sa, const int64_t *sb, int r, int64_t t, int64_t *idx,
                           int64_t *oa, int64_t *ob)
{
    *oa = *ob = 0;
    for (int i = 1; i < r; i++) {
        idx[i] = t % d[i];
        t /= d[i];
        *oa += idx[i] * sa[i];
        *ob += idx[i] * sb[i];
    }
}

typedef struct binary_job {
    k_binop op;
    const float *a, *b;
    float *y;
    int64_t d[K_MAX_RANK], sa[K_MAX_RANK], sb[K_MAX_RANK];
    int r;
} binary_job;

/* Output elements [lo, hi) of a collapsed broadcast: the part of a first row, whole rows, part of a last one. */
static void binary_piece(void *ctx, int64_t lo, int64_t hi, int slot)
{
    (void)slot;
    const binary_job *j = ctx;
    const int64_t n = j->d[0];
    const int a_step = j->sa[0] != 0, b_step = j->sb[0] != 0;
    int64_t idx[K_MAX_RANK] = {0}, oa, ob, c0 = lo % n;
    broadcast_seek(j->d, j->sa, j->sb, j->r, lo / n, idx, &oa, &ob);
    while (lo < hi) {
        const int64_t len = n - c0 < hi - lo ? n - c0 : hi - lo;
        binary_row(j->op, j->a + oa + c0 * a_step, a_step, j->b + ob + c0 * b_step, b_step, j->y + lo, len);
        lo += len;
        c0 = 0;
        broadcast_next(j->d, j->sa, j->sb, j->r, idx, &oa, &ob);
    }
}

void k_binary_broadcast(k_binop op, const float *a, const int64_t *a_dims, const float *b,
                        const int64_t *b_dims, float *y, const int64_t *y_dims, int rank)
{
    binary_job j = {.op = op, .a = a, .b = b, .y = y};
    j.r = broadcast_collapse(a_dims, b_dims, y_dims, rank, j.d, j.sa, j.sb);
    if (j.r == 0) {
        binary_row(op, a, 0, b, 0, y, 1);
        return;
    }
    /* d[0] is the row */
    int64_t total = 1;
    for (int i = 0; i < j.r; i++)
        total *= j.d[i];
    par_for(total, op == K_POW ? PAR_GRAIN / 8 : PAR_GRAIN, binary_piece, &j);
}

/* One int64 element of a binary op, with the results C leaves undefined pinned down (kernels.h). */
static int64_t binary_i64(k_binop op, int64_t a, int64_t b)
{
    switch (op) {
    case K_ADD:
        return (int64_t)((uint64_t)a + (uint64_t)b);
    case K_SUB:
        return (int64_t)((uint64_t)a - (uint64_t)b);
    case K_MUL:
        return (int64_t)((uint64_t)a * (uint64_t)b);
    case K_DIV:
        if (b == 0)
            return 0;
        if (b == -1)
            return (int64_t)(0 - (uint64_t)a);
        return a / b;
    case K_POW:
        break;
    }
    return 0;
}

void k_binary_broadcast_i64(k_binop op, const int64_t *a, const int64_t *a_dims, const int64_t *b,
                            const int64_t *b_dims, int64_t *y, const int64_t *y_dims, int rank)
{
    int64_t d[K_MAX_RANK], sa[K_MAX_RANK], sb[K_MAX_RANK];
    int r = broadcast_collapse(a_dims, b_dims, y_dims, rank, d, sa, sb);
    if (r == 0) {
        y[0] = binary_i64(op, a[0], b[0]);
        return;
    }
    const int64_t n = d[0], ia = sa[0] != 0, ib = sb[0] != 0;
    int64_t rows = 1, idx[K_MAX_RANK] = {0};
    for (int i = 1; i < r; i++)
        rows *= d[i];
    int64_t oa = 0, ob = 0;
    for (int64_t t = 0; t < rows; t++) {
        for (int64_t i = 0; i < n; i++)
            y[t * n + i] = binary_i64(op, a[oa + i * ia], b[ob + i * ib]);
        broadcast_next(d, sa, sb, r, idx, &oa, &ob);
    }
}


/*
 * e^x for eight floats at a time (AVX2 + FMA): x = n ln 2 + r with |r| <=
 * ln 2 / 2 (ln 2 in two parts, so that r is exact), e^r by a degree-6
 * polynomial (Cephes's expf), times 2^n built in the exponent bits.  Within
 * 2 ulp of expf over [-87.3, 88.3]; below that range the result is 0
 * (where expf would give a denormal), above it infinity.  NaN stays NaN.
 */
static inline __attribute__((always_inline, target("avx2,fma"))) __m256 exp8(__m256 x)
{
    const __m256 hi = _mm256_set1_ps(88.3762626647949f), lo = _mm256_set1_ps(-87.3365447504f);
    const __m256 over = _mm256_cmp_ps(x, hi, _CMP_GT_OQ), under = _mm256_cmp_ps(x, lo, _CMP_LT_OQ);
    x = _mm256_min_ps(hi, x); /* NaN in x is kept: min and max return their second operand then */
    x = _mm256_max_ps(lo, x);
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    const __m256 r2 = _mm256_mul_ps(p, _mm256_castsi256_ps(e));
    return _mm256_andnot_ps(under, _mm256_blendv_ps(r2, _mm256_set1_ps(INFINITY), over));
}


__attribute__((target("avx2,fma"))) static void sigmoid_avx2(const float *x, float *y, size_t n)
{
    const __m256 one = _mm256_set1_ps(1.0f), neg = _mm256_set1_ps(-0.0f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 e = exp8(_mm256_xor_ps(_mm256_loadu_ps(x + i), neg));
        _mm256_storeu_ps(y + i, _mm256_div_ps(one, _mm256_add_ps(one, e)));
    }
    if (i < n) {
        /* the tail through the same lanes, so that an element's value does not depend on where a piece ends */
        float t[8] = {0};
        memcpy(t, x + i, (n - i) * sizeof(float));
        __m256 e = exp8(_mm256_xor_ps(_mm256_loadu_ps(t), neg));
        _mm256_storeu_ps(t, _mm256_div_ps(one, _mm256_add_ps(one, e)));
        memcpy(y + i, t, (n - i) * sizeof(float));
    }
}

/* The unary kernels that the pool shares: which one, and its parameters. */
typedef enum { UN_RELU, UN_TANH, UN_HARDSIGMOID, UN_CLIP, UN_SQRT, UN_SIGMOID } unary_kind;

typedef struct unary_par_job {
    unary_kind kind;
    const float *x;
    float *y;
    float a, b;
} unary_par_job;

static void unary_piece(void *ctx, int64_t lo, int64_t hi, int slot)
{
    (void)slot;
    const unary_par_job *j = ctx;
    const float *x = j->x + lo;
    float *y = j->y + lo;
    const size_t n = (size_t)(hi - lo);
    switch (j->kind) {
    case UN_RELU:
        relu_rows(x, y, n);
        break;
    case UN_TANH:
        for (size_t i = 0; i < n; i++)
            y[i] = tanhf(x[i]);
        break;
    case UN_HARDSIGMOID:
        hardsigmoid_rows(x, y, n, j->a, j->b);
        break;
    case UN_CLIP:
        clip_rows(x, y, n, j->a, j->b);
        break;
    case UN_SQRT:
        for (size_t i = 0; i < n; i++)
            y[i] = sqrtf(x[i]);
        break;
    case UN_SIGMOID:
        if (fma_ok()) {
            sigmoid_avx2(x, y, n);
            break;
        }
        for (size_t i = 0; i < n; i++)
            y[i] = 1.0f / (1.0f + expf(-x[i]));
        break;
    }
}

/* The iterations of a piece: fewer for the kernels that cost more per element. */
static int64_t unary_grain(unary_kind kind)
{
    return kind == UN_TANH ? PAR_GRAIN / 8 : kind == UN_SIGMOID ? PAR_GRAIN / 4 : PAR_GRAIN;
}

static void unary_par(unary_kind kind, const float *x, float *y, size_t n, float a, float b)
{
    unary_par_job j = {kind, x, y, a, b};
    par_for((int64_t)n, unary_grain(kind), unary_piece, &j);
}

void k_relu(const float *x, float *y, size_t n)
{
    unary_par(UN_RELU, x, y, n, 0.0f, 0.0f);
}

void k_tanh(const float *x, float *y, size_t n)
{
    unary_par(UN_TANH, x, y, n, 0.0f, 0.0f);
}

void k_sigmoid(const float *x, float *y, size_t n)
{
    unary_par(UN_SIGMOID, x, y, n, 0.0f, 0.0f);
}

void k_hardsigmoid(const float *x, float *y, size_t n, float alpha, float beta)
{
    unary_par(UN_HARDSIGMOID, x, y, n, alpha, beta);
}

void k_clip(const float *x, float *y, size_t n, float lo, float hi)
{
    unary_par(UN_CLIP, x, y, n, lo, hi);
}

void k_sqrt(const float *x, float *y, size_t n)
{
    unary_par(UN_SQRT, x, y, n, 0.0f, 0.0f);
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

/* softmax_strided at stride 1 in AVX2: the max, then e^(x - max) eight at a time (exp8) summed in double. */
__attribute__((target("avx2,fma"))) static void softmax_row_avx2(const float *x, float *y, int64_t len)
{
    float mx = x[0];
    for (int64_t j = 1; j < len; j++)
        mx = x[j] > mx ? x[j] : mx;
    const __m256 m = _mm256_set1_ps(mx);
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
    int64_t j = 0;
    for (; j + 8 <= len; j += 8) {
        __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + j), m));
        _mm256_storeu_ps(y + j, e);
        s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
        s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
    }
    double part[4], sum = 0.0;
    _mm256_storeu_pd(part, _mm256_add_pd(s0, s1));
    sum = part[0] + part[1] + part[2] + part[3];
    for (; j < len; j++) {
        float e = expf(x[j] - mx);
        y[j] = e;
        sum += e;
    }
    const __m256 inv = _mm256_set1_ps((float)(1.0 / sum));
    for (j = 0; j + 8 <= len; j += 8)
        _mm256_storeu_ps(y + j, _mm256_mul_ps(_mm256_loadu_ps(y + j), inv));
    for (; j < len; j++)
        y[j] *= (float)(1.0 / sum);
}

typedef struct softmax_job {
    const float *x;
    float *y;
    int64_t axis_len, inner;
} softmax_job;

/* Outer rows [lo, hi) of a softmax. */
static void softmax_piece(void *ctx, int64_t lo, int64_t hi, int slot)
{
    (void)slot;
    const softmax_job *j = ctx;
    const int vec = j->inner == 1 && fma_ok();
    for (int64_t o = lo; o < hi; o++) {
        const int64_t base = o * j->axis_len * j->inner;
        if (vec) {
            softmax_row_avx2(j->x + base, j->y + base, j->axis_len);
            continue;
        }
        for (int64_t i = 0; i < j->inner; i++)
            softmax_strided(j->x + base + i, j->y + base + i, j->axis_len, j->inner);
    }
}

void k_softmax(const float *x, float *y, int64_t outer, int64_t axis_len, int64_t inner)
{
    softmax_job j = {x, y, axis_len, inner};
    par_for(outer, PAR_GRAIN / (4 * axis_len * inner) + 1, softmax_piece, &j);
}

/*
 * The reduction is first simplified: size-1 axes are dropped and runs of
 * neighbouring axes that are all reduced (or all kept) merge, so a typical
 * mean over H and W becomes [N*C kept, H*W reduced] with a contiguous inner
 * sum.  Kept axes are then walked with one counter and reduced ones with
 * another.
 */
void k_reduce_mean(const float *x, float *y, const int64_t *dims, const int *reduce, int rank)
{
    int64_t cd[K_MAX_RANK], cs[K_MAX_RANK];
    int cr[K_MAX_RANK], r = 0;
    for (int i = 0; i < rank; i++) {
        if (dims[i] == 1)
            continue;
        int red = reduce[i] != 0;
        if (r > 0 && cr[r - 1] == red) {
            cd[r - 1] *= dims[i];
            continue;
        }
        cd[r] = dims[i];
        cr[r++] = red;
    }
    int64_t stride = 1;
    for (int i = r - 1; i >= 0; i--) {
        cs[i] = stride;
        stride *= cd[i];
    }
    /* kept axes (kd, ks) and reduced axes (rd, rs), outermost first */
    int64_t kd[K_MAX_RANK], ks[K_MAX_RANK], rd[K_MAX_RANK], rs[K_MAX_RANK];
    int nk = 0, nr = 0;
    int64_t n_out = 1, count = 1;
    for (int i = 0; i < r; i++) {
        if (cr[i]) {
            rd[nr] = cd[i];
            rs[nr++] = cs[i];
            count *= cd[i];
        } else {
            kd[nk] = cd[i];
            ks[nk++] = cs[i];
            n_out *= cd[i];
        }
    }
    /* the innermost reduced axis is the inner loop; the others go through the counter */
    const int64_t inner = nr ? rd[nr - 1] : 1, inner_stride = nr ? rs[nr - 1] : 0;
    const int64_t outer_red = count / inner;
    int64_t kidx[K_MAX_RANK] = {0}, base = 0;
    for (int64_t o = 0; o < n_out; o++) {
        double sum = 0.0;
        int64_t ridx[K_MAX_RANK] = {0}, off = base;
        for (int64_t t = 0; t < outer_red; t++) {
            const float *xp = x + off;
            if (inner_stride == 1)
                for (int64_t i = 0; i < inner; i++)
                    sum += xp[i];
            else
                for (int64_t i = 0; i < inner; i++)
                    sum += xp[i * inner_stride];
            for (int i = nr - 2; i >= 0; i--) {
                off += rs[i];
                if (++ridx[i] < rd[i])
                    break;
                off -= rs[i] * rd[i];
                ridx[i] = 0;
            }
        }
        y[o] = (float)(sum / (double)count);
        for (int i = nk - 1; i >= 0; i--) {
            base += ks[i];
            if (++kidx[i] < kd[i])
                break;
            base -= ks[i] * kd[i];
            kidx[i] = 0;
        }
    }
}

/* --- pooling and normalisation ----------------------------------------------- */

typedef struct pool_job {
    const k_pool2d_shape *s;
    const float *x;
    float *y;
    int count_include_pad;
} pool_job;

/* Planes [lo, hi) of a max pooling. */
static void maxpool_planes(void *ctx, int64_t lo, int64_t hi, int slot)
{
    (void)slot;
    const pool_job *j = ctx;
    const k_pool2d_shape *s = j->s;
    const float *x = j->x;
    float *y = j->y;
    const int64_t plane = s->h * s->w;
    for (int64_t p = lo; p < hi; p++) {
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

void k_maxpool2d(const k_pool2d_shape *s, const float *x, float *y)
{
    pool_job j = {s, x, y, 0};
    par_for(s->n * s->c, PAR_GRAIN / (s->oh * s->ow * s->kh * s->kw) + 1, maxpool_planes, &j);
}

/* Planes [lo, hi) of an average pooling. */
static void avgpool_planes(void *ctx, int64_t lo, int64_t hi, int slot)
{
    (void)slot;
    const pool_job *j = ctx;
    const k_pool2d_shape *s = j->s;
    const float *x = j->x;
    float *y = j->y;
    const int count_include_pad = j->count_include_pad;
    const int64_t plane = s->h * s->w;
    for (int64_t p = lo; p < hi; p++) {
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

void k_avgpool2d(const k_pool2d_shape *s, const float *x, float *y, int count_include_pad)
{
    pool_job j = {s, x, y, count_include_pad};
    par_for(s->n * s->c, PAR_GRAIN / (s->oh * s->ow * s->kh * s->kw) + 1, avgpool_planes, &j);
}

/*
 * The sum of n floats in double: eight interleaved partial sums (which
 * vectorise; in an AVX2 copy where the CPU has it), then their total.
 */
static inline __attribute__((always_inline)) double sum_f64_body(const float *x, int64_t n)
{
    double part[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++)
            part[k] += x[i + k];
    double sum = 0.0;
    for (int k = 0; k < 8; k++)
        sum += part[k];
    for (; i < n; i++)
        sum += x[i];
    return sum;
}

__attribute__((target("avx2"))) static double sum_f64_avx2(const float *x, int64_t n)
{
    return sum_f64_body(x, n);
}

static double sum_f64(const float *x, int64_t n)
{
    return __builtin_cpu_supports("avx2") ? sum_f64_avx2(x, n) : sum_f64_body(x, n);
}

typedef struct plane_job {
    const float *x;
    float *y;
    int64_t plane, c;
    const float *scale, *bias, *mean, *var;
    float eps;
} plane_job;

static void global_avgpool_planes(void *ctx, int64_t lo, int64_t hi, int slot)
{
    (void)slot;
    const plane_job *j = ctx;
    for (int64_t p = lo; p < hi; p++)
        j->y[p] = (float)(sum_f64(j->x + p * j->plane, j->plane) / (double)j->plane);
}

void k_global_avgpool(const float *x, float *y, int64_t planes, int64_t plane)
{
    plane_job j = {.x = x, .y = y, .plane = plane};
    par_for(planes, PAR_GRAIN / plane + 1, global_avgpool_planes, &j);
}

/* Planes [lo, hi) (image-major) of a batch normalisation. */
static void batchnorm_planes(void *ctx, int64_t lo, int64_t hi, int slot)
{
    (void)slot;
    const plane_job *j = ctx;
    for (int64_t p = lo; p < hi; p++) {
        const int64_t ch = p % j->c;
        /* fold to y = x * a + b once per channel */
        const float a = (float)((double)j->scale[ch] / sqrt((double)j->var[ch] + (double)j->eps));
        const float b = (float)((double)j->bias[ch] - (double)j->mean[ch] * a);
        const float *xp = j->x + p * j->plane;
        float *yp = j->y + p * j->plane;
        for (int64_t i = 0; i < j->plane; i++)
            yp[i] = xp[i] * a + b;
    }
}

void k_batchnorm(const float *x, float *y, int64_t n, int64_t c, int64_t spatial, const float *scale,
                 const float *bias, const float *mean, const float *var, float eps)
{
    plane_job j = {x, y, spatial, c, scale, bias, mean, var, eps};
    par_for(n * c, PAR_GRAIN / spatial + 1, batchnorm_planes, &j);
}

void k_layernorm(const float *x, float *y, int64_t rows, int64_t cols, const float *scale, int64_t scale_len,
                 const float *bias, int64_t bias_len, float eps)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        double sum = 0.0, sq = 0.0;
        for (int64_t j = 0; j < cols; j++)
            sum += xr[j];
        const double mean = sum / (double)cols;
        for (int64_t j = 0; j < cols; j++)
            sq += ((double)xr[j] - mean) * ((double)xr[j] - mean);
        const double inv = 1.0 / sqrt(sq / (double)cols + (double)eps);
        for (int64_t j = 0; j < cols; j++) {
            double v = ((double)xr[j] - mean) * inv * (double)scale[scale_len == 1 ? 0 : j];
            if (bias)
                v += (double)bias[bias_len == 1 ? 0 : j];
            yr[j] = (float)v;
        }
    }
}

/* --- resampling ---------------------------------------------------------------- */

/* The input coordinate of output coordinate o along one axis (k_coord_mode). */
static double resize_coord(int64_t o, k_resize_axis ax, int64_t in_len, k_coord_mode mode)
{
    switch (mode) {
    case K_COORD_HALF_PIXEL:
        return ((double)o + 0.5) / ax.scale - 0.5;
    case K_COORD_PYTORCH_HALF_PIXEL:
        return ax.len > 1.0 ? ((double)o + 0.5) / ax.scale - 0.5 : 0.0;
    case K_COORD_ASYMMETRIC:
        return (double)o / ax.scale;
    case K_COORD_ALIGN_CORNERS:
        return ax.len == 1.0 ? 0.0 : (double)o * (double)(in_len - 1) / (ax.len - 1.0);
    }
    return 0.0;
}

static int64_t clamp_index(int64_t i, int64_t len)
{
    return i < 0 ? 0 : i >= len ? len - 1 : i;
}

/*
 * The pixel a coordinate picks.  Ties are decided on the fractional part,
 * as ONNX's reference does; the index is clamped to the axis.  The
 * coordinate is clamped first so the conversion to an integer is defined.
 */
static int64_t resize_nearest_index(double c, int64_t len, k_nearest_mode mode)
{
    if (!(c > -1.0))
        return 0;
    if (c > (double)len)
        return len - 1;
    double fl = floor(c), frac = c - fl;
    int64_t i = (int64_t)fl;
    switch (mode) {
    case K_NEAREST_ROUND_PREFER_FLOOR:
        i += frac > 0.5;
        break;
    case K_NEAREST_ROUND_PREFER_CEIL:
        i += frac >= 0.5;
        break;
    case K_NEAREST_FLOOR:
        break;
    case K_NEAREST_CEIL:
        i += frac > 0.0;
        break;
    }
    return clamp_index(i, len);
}

/* The widest output row k_resize_nearest works out its column indices once for. */
#define K_RESIZE_TABLE 4096

/*
 * One output row of a nearest resize from input row xr: through the column
 * table tab when there is one, else each column's index worked out afresh.
 */
/* y[2 i] = y[2 i + 1] = x[i] for i < n: AVX2, eight inputs at a time. */
__attribute__((target("avx2"))) static void dup2_avx2(float *y, const float *x, int64_t n)
{
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256 lo = _mm256_unpacklo_ps(v, v), hi = _mm256_unpackhi_ps(v, v);
        _mm256_storeu_ps(y + 2 * i, _mm256_permute2f128_ps(lo, hi, 0x20));
        _mm256_storeu_ps(y + 2 * i + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
    }
    for (; i < n; i++)
        y[2 * i] = y[2 * i + 1] = x[i];
}

/* K_RESIZE_DUP2 as a table: the column table says output column o reads input column o / 2, for ow == 2 w. */
#define K_RESIZE_DUP2 ((const int32_t *)1)

static void resize_nearest_row(const float *xr, float *yr, const int32_t *tab, int64_t ow, int64_t w,
                               k_resize_axis ax, k_coord_mode coord, k_nearest_mode nearest)
{
    if (tab == K_RESIZE_DUP2) {
        dup2_avx2(yr, xr, w);
        return;
    }
    if (tab) {
        for (int64_t o = 0; o < ow; o++)
            yr[o] = xr[tab[o]];
        return;
    }
    for (int64_t o = 0; o < ow; o++)
        yr[o] = xr[resize_nearest_index(resize_coord(o, ax, w, coord), w, nearest)];
}

typedef struct resize_job {
    const float *x;
    float *y;
    const int64_t *x_dims, *y_dims, *xs;
    const k_resize_axis *axes;
    const int32_t *tab;
    int rank;
    k_coord_mode coord;
    k_nearest_mode nearest;
    /* linear2d */
    int64_t h, w, oh, ow;
    k_resize_axis ax_h, ax_w;
} resize_job;

/* Output rows [lo, hi) of a nearest resize (a row of the last axis each). */
static void resize_nearest_rows(void *ctx, int64_t lo, int64_t hi, int slot)
{
    (void)slot;
    const resize_job *j = ctx;
    const int last = j->rank - 1;
    const int64_t ow = j->y_dims[last], w = j->x_dims[last];
    int64_t idx[K_MAX_RANK] = {0}, prev = -1;
    int64_t rem = lo;
    for (int i = last - 1; i >= 0; i--) {
        idx[i] = rem % j->y_dims[i];
        rem /= j->y_dims[i];
    }
    for (int64_t t = lo; t < hi; t++) {
        /* the input row for this output row, from the outer coordinates */
        int64_t off = 0;
        for (int i = 0; i < last; i++)
            off += resize_nearest_index(resize_coord(idx[i], j->axes[i], j->x_dims[i], j->coord), j->x_dims[i],
                                        j->nearest) * j->xs[i];
        float *yr = j->y + t * ow;
        if (off == prev)
            memcpy(yr, yr - ow, (size_t)ow * sizeof(float));
        else
            resize_nearest_row(j->x + off, yr, j->tab, ow, w, j->axes[last], j->coord, j->nearest);
        prev = off;
        for (int i = last - 1; i >= 0; i--) {
            if (++idx[i] < j->y_dims[i])
                break;
            idx[i] = 0;
        }
    }
}

/*
 * The column index table is built once per call (rows up to K_RESIZE_TABLE
 * wide), and an output row that reads the same input row as the one before
 * it is a copy of that row.  The rows are shared over the pool.
 */
void k_resize_nearest(const float *x, float *y, const int64_t *x_dims, const int64_t *y_dims,
                      const k_resize_axis *axes, int rank, k_coord_mode coord, k_nearest_mode nearest)
{
    if (rank == 0) {
        y[0] = x[0];
        return;
    }
    int64_t xs[K_MAX_RANK], rows = 1;
    int32_t table[K_RESIZE_TABLE];
    xs[rank - 1] = 1;
    for (int i = rank - 2; i >= 0; i--)
        xs[i] = xs[i + 1] * x_dims[i + 1];
    for (int i = 0; i < rank - 1; i++)
        rows *= y_dims[i];
    const int last = rank - 1;
    const int64_t ow = y_dims[last], w = x_dims[last];
    const int32_t *tab = ow <= K_RESIZE_TABLE ? table : NULL;
    int dup2 = tab && ow == 2 * w && __builtin_cpu_supports("avx2");
    for (int64_t o = 0; tab && o < ow; o++) {
        table[o] = (int32_t)resize_nearest_index(resize_coord(o, axes[last], w, coord), w, nearest);
        dup2 &= table[o] == o / 2;
    }
    if (dup2)
        tab = K_RESIZE_DUP2; /* the common 2x upsampling: each input float written twice, eight at a time */
    resize_job j = {.x = x, .y = y, .x_dims = x_dims, .y_dims = y_dims, .xs = xs, .axes = axes, .tab = tab,
                    .rank = rank, .coord = coord, .nearest = nearest};
    par_for(rows, PAR_GRAIN / ow + 1, resize_nearest_rows, &j);
}

/* The two neighbours and the weight of the second for a linear tap at coordinate c. */
static void linear_tap(double c, int64_t len, int64_t *i0, int64_t *i1, float *frac)
{
    if (!(c > -1.0))
        c = -1.0;
    if (c > (double)len)
        c = (double)len;
    double fl = floor(c);
    *frac = (float)(c - fl);
    *i0 = clamp_index((int64_t)fl, len);
    *i1 = clamp_index((int64_t)fl + 1, len);
}

/* Output rows [lo, hi) of a bilinear resize, counted over every plane. */
static void resize_linear_rows(void *ctx, int64_t lo, int64_t hi, int slot)
{
    (void)slot;
    const resize_job *j = ctx;
    const int64_t h = j->h, w = j->w, oh = j->oh, ow = j->ow;
    for (int64_t t = lo; t < hi; t++) {
        const int64_t p = t / oh, oy = t % oh;
        const float *xp = j->x + p * h * w;
        float *yr = j->y + t * ow;
        int64_t y0, y1;
        float fy;
        linear_tap(resize_coord(oy, j->ax_h, h, j->coord), h, &y0, &y1, &fy);
        const float *r0 = xp + y0 * w, *r1 = xp + y1 * w;
        for (int64_t ox = 0; ox < ow; ox++) {
            int64_t x0, x1;
            float fx;
            linear_tap(resize_coord(ox, j->ax_w, w, j->coord), w, &x0, &x1, &fx);
            float top = r0[x0] + (r0[x1] - r0[x0]) * fx;
            float bot = r1[x0] + (r1[x1] - r1[x0]) * fx;
            yr[ox] = top + (bot - top) * fy;
        }
    }
}

void k_resize_linear2d(const float *x, float *y, int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow,
                       k_resize_axis ax_h, k_resize_axis ax_w, k_coord_mode coord)
{
    resize_job j = {.x = x, .y = y, .coord = coord, .h = h, .w = w, .oh = oh, .ow = ow, .ax_h = ax_h, .ax_w = ax_w};
    par_for(planes * oh, PAR_GRAIN / (8 * ow) + 1, resize_linear_rows, &j);
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

typedef struct concat_job {
    const void *const *in;
    const int64_t *mid;
    int n_in;
    unsigned char *y;
    int64_t inner, row; /* row: the elements of one output row (sum of mid times inner) */
    size_t elem_size;
} concat_job;

/* Blocks [lo, hi): block u is input u % n_in's part of output row u / n_in. */
static void concat_blocks(void *ctx, int64_t lo, int64_t hi, int slot)
{
    (void)slot;
    const concat_job *j = ctx;
    for (int64_t u = lo; u < hi; u++) {
        const int64_t o = u / j->n_in;
        const int k = (int)(u % j->n_in);
        int64_t before = 0;
        for (int q = 0; q < k; q++)
            before += j->mid[q];
        const size_t block = (size_t)(j->mid[k] * j->inner) * j->elem_size;
        memcpy(j->y + ((size_t)(o * j->row) + (size_t)(before * j->inner)) * j->elem_size,
               (const unsigned char *)j->in[k] + (size_t)o * block, block);
    }
}

void k_concat(const void *const *in, const int64_t *mid, int n_in, void *y, int64_t outer, int64_t inner,
              size_t elem_size)
{
    int64_t sum = 0;
    for (int k = 0; k < n_in; k++)
        sum += mid[k];
    concat_job j = {in, mid, n_in, y, inner, sum * inner, elem_size};
    /* a block's bytes, on average, against the grain (counted in floats) */
    const int64_t avg = sum * inner * (int64_t)elem_size / 4 / n_in + 1;
    par_for(outer * n_in, PAR_GRAIN / avg + 1, concat_blocks, &j);
}

/* Copies n elements of elem_size bytes, spaced `step` elements apart in src, to consecutive dst. */
static void copy_strided(unsigned char *dst, const unsigned char *src, int64_t step, int64_t n, size_t elem_size)
{
    if (step == 1) {
        memcpy(dst, src, (size_t)n * elem_size);
        return;
    }
    if (elem_size == 4) {
        for (int64_t i = 0; i < n; i++)
            memcpy(dst + i * 4, src + i * step * 4, 4);
    } else if (elem_size == 8) {
        for (int64_t i = 0; i < n; i++)
            memcpy(dst + i * 8, src + i * step * 8, 8);
    } else {
        for (int64_t i = 0; i < n; i++)
            memcpy(dst + (size_t)i * elem_size, src + (size_t)(i * step) * elem_size, elem_size);
    }
}

void k_slice(const void *x, void *y, const int64_t *x_dims, const int64_t *y_dims, const int64_t *starts,
             const int64_t *steps, int rank, size_t elem_size)
{
    const unsigned char *src = x;
    unsigned char *dst = y;
    if (rank == 0) {
        memcpy(dst, src, elem_size);
        return;
    }
    int64_t xs[K_MAX_RANK], idx[K_MAX_RANK] = {0}, rows = 1, off = 0;
    xs[rank - 1] = 1;
    for (int i = rank - 2; i >= 0; i--)
        xs[i] = xs[i + 1] * x_dims[i + 1];
    for (int i = 0; i < rank; i++)
        off += starts[i] * xs[i];
    for (int i = 0; i < rank - 1; i++)
        rows *= y_dims[i];
    const int64_t n = y_dims[rank - 1], step = steps[rank - 1];
    for (int64_t t = 0; t < rows; t++) {
        copy_strided(dst + (size_t)(t * n) * elem_size, src + (size_t)off * elem_size, step, n, elem_size);
        for (int i = rank - 2; i >= 0; i--) {
            off += steps[i] * xs[i];
            if (++idx[i] < y_dims[i])
                break;
            off -= steps[i] * xs[i] * y_dims[i];
            idx[i] = 0;
        }
    }
}

void k_gather(const void *data, void *y, int64_t outer, int64_t axis_len, int64_t inner, const void *indices,
              int indices_i64, int64_t n_idx, size_t elem_size)
{
    const unsigned char *src = data;
    unsigned char *dst = y;
    const size_t block = (size_t)inner * elem_size;
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t j = 0; j < n_idx; j++, dst += block) {
            int64_t i;
            if (indices_i64) {
                memcpy(&i, (const unsigned char *)indices + j * 8, 8);
            } else {
                int32_t v;
                memcpy(&v, (const unsigned char *)indices + j * 4, 4);
                i = v;
            }
            if (i < 0)
                i += axis_len;
            if (i < 0 || i >= axis_len)
                memset(dst, 0, block);
            else
                memcpy(dst, src + (size_t)(o * axis_len + i) * block, block);
        }
    }
}

/*
 * float -> int64 and int32, truncating toward zero, saturating at the
 * limits and giving 0 for NaN (kernels.h).  The bounds are compared in
 * double, where 2^63 and 2^31 are exact.
 */
static int64_t float_to_i64(float v)
{
    if (isnan(v))
        return 0;
    if ((double)v >= 9223372036854775808.0)
        return INT64_MAX;
    if ((double)v < -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)v;
}

static int32_t float_to_i32(float v)
{
    if (isnan(v))
        return 0;
    if ((double)v >= 2147483648.0)
        return INT32_MAX;
    if ((double)v <= -2147483649.0)
        return INT32_MIN;
    return (int32_t)v;
}

/* Element i of x as int64 (floats truncated and saturated). */
static int64_t load_int(const void *x, k_dtype dt, size_t i)
{
    switch (dt) {
    case K_F32:
        return float_to_i64(((const float *)x)[i]);
    case K_I32:
        return ((const int32_t *)x)[i];
    case K_I64:
        return ((const int64_t *)x)[i];
    }
    return 0;
}

void k_cast(const void *x, k_dtype from, void *y, k_dtype to, size_t n)
{
    switch (to) {
    case K_F32:
        for (size_t i = 0; i < n; i++)
            ((float *)y)[i] = from == K_F32 ? ((const float *)x)[i] : (float)load_int(x, from, i);
        break;
    case K_I32:
        for (size_t i = 0; i < n; i++) {
            if (from == K_F32)
                ((int32_t *)y)[i] = float_to_i32(((const float *)x)[i]);
            else
                ((int32_t *)y)[i] = (int32_t)(uint32_t)(uint64_t)load_int(x, from, i);
        }
        break;
    case K_I64:
        for (size_t i = 0; i < n; i++)
            ((int64_t *)y)[i] = load_int(x, from, i);
        break;
    }
}
