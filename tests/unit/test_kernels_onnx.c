/*
 * test_kernels2.c - checks the kernels added for imported ONNX models
 * (transposed convolution, Pow, Sqrt, int64 arithmetic, ReduceMean,
 * LayerNormalization, Resize, Slice, Gather, Cast) against naive references
 * written here: explicit index loops in double, formulated differently
 * from kernels.c where the kernel is clever (scatter vs gather, tent
 * weights vs neighbour pairs, rounding by offsets vs by fractions).
 * Inputs come from the seeded generator of testutil.h.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim/engine/kernels.h"
#include "tests/unit/kernel_check.h"

/* --- transposed convolution ------------------------------------------------- */

typedef struct convt_case {
    int64_t n, c, h, w, m, kh, kw, group;
    int64_t sh, sw, pt, pl, pb, pr, dh, dw, oph, opw;
    int bias;
} convt_case;

/* Output length: stride * (in - 1) + output_padding + dil * (k - 1) + 1 - pads. */
static int64_t convt_out(int64_t in, int64_t s, int64_t op, int64_t k, int64_t d, int64_t pb, int64_t pe)
{
    return s * (in - 1) + op + d * (k - 1) + 1 - pb - pe;
}

/* Scatter form: every input pixel and tap adds to the output cell it lands on. */
static void ref_convt(const convt_case *cc, const float *x, const float *w, const float *bias, double *y, int64_t oh,
                      int64_t ow)
{
    int64_t cg = cc->c / cc->group, mg = cc->m / cc->group;
    for (int64_t b = 0; b < cc->n; b++)
        for (int64_t m = 0; m < cc->m; m++)
            for (int64_t i = 0; i < oh * ow; i++)
                y[(b * cc->m + m) * oh * ow + i] = bias ? bias[m] : 0.0;
    for (int64_t b = 0; b < cc->n; b++)
        for (int64_t c = 0; c < cc->c; c++) {
            int64_t g = c / cg;
            for (int64_t iy = 0; iy < cc->h; iy++)
                for (int64_t ix = 0; ix < cc->w; ix++)
                    for (int64_t mo = 0; mo < mg; mo++)
                        for (int64_t ky = 0; ky < cc->kh; ky++)
                            for (int64_t kx = 0; kx < cc->kw; kx++) {
                                int64_t oy = iy * cc->sh - cc->pt + ky * cc->dh;
                                int64_t ox = ix * cc->sw - cc->pl + kx * cc->dw;
                                if (oy < 0 || oy >= oh || ox < 0 || ox >= ow)
                                    continue;
                                double xv = x[((b * cc->c + c) * cc->h + iy) * cc->w + ix];
                                double wv = w[((c * mg + mo) * cc->kh + ky) * cc->kw + kx];
                                y[((b * cc->m + g * mg + mo) * oh + oy) * ow + ox] += xv * wv;
                            }
        }
}

/* One case with full scratch, a few columns of scratch and none. */
static void check_convt_case(const convt_case *cc, uint64_t seed)
{
    int64_t oh = convt_out(cc->h, cc->sh, cc->oph, cc->kh, cc->dh, cc->pt, cc->pb);
    int64_t ow = convt_out(cc->w, cc->sw, cc->opw, cc->kw, cc->dw, cc->pl, cc->pr);
    ck_assert_int_gt(oh, 0);
    ck_assert_int_gt(ow, 0);
    int64_t mg = cc->m / cc->group;
    size_t nx = (size_t)(cc->n * cc->c * cc->h * cc->w), nw = (size_t)(cc->c * mg * cc->kh * cc->kw);
    size_t ny = (size_t)(cc->n * cc->m * oh * ow);
    float *x = rand_array(nx, seed, -1, 1), *w = rand_array(nw, seed + 1, -1, 1);
    float *bias = cc->bias ? rand_array((size_t)cc->m, seed + 2, -1, 1) : NULL;
    double *want = dalloc(ny);
    ref_convt(cc, x, w, bias, want, oh, ow);
    k_conv2d_shape s = {.n = cc->n, .c = cc->c, .h = cc->h, .w = cc->w, .m = cc->m, .kh = cc->kh, .kw = cc->kw,
                        .oh = oh, .ow = ow, .group = cc->group, .stride_h = cc->sh, .stride_w = cc->sw,
                        .pad_t = cc->pt, .pad_l = cc->pl, .dil_h = cc->dh, .dil_w = cc->dw};
    size_t kdim = (size_t)(mg * cc->kh * cc->kw);
    size_t lens[3] = {k_conv_transpose2d_scratch_want(&s), 3 * kdim, 0};
    const char *names[3] = {"convt full scratch", "convt chunked scratch", "convt no scratch"};
    for (int mode = 0; mode < 3; mode++) {
        float *scratch = lens[mode] ? falloc(lens[mode]) : NULL;
        float *y = falloc(ny);
        k_conv_transpose2d(&s, x, w, bias, y, scratch, lens[mode]);
        expect_close(names[mode], y, want, ny);
        free(y);
        free(scratch);
    }
    free(x);
    free(w);
    free(bias);
    free(want);
}

START_TEST(test_convt_stride2_output_padding_group2)
{
    convt_case cc = {2, 4, 5, 4, 6, 3, 3, 2, 2, 2, 1, 0, 1, 1, 1, 1, 1, 1, 1};
    check_convt_case(&cc, 101);
}
END_TEST

START_TEST(test_convt_stride3x2_dilation_asymmetric_pads)
{
    convt_case cc = {1, 3, 4, 5, 2, 3, 2, 1, 3, 2, 2, 1, 0, 3, 2, 1, 0, 0, 1};
    check_convt_case(&cc, 102);
}
END_TEST

START_TEST(test_convt_negative_pads_extend_output)
{
    /* an output_shape past the full result: the extra rows/columns hold only the bias */
    convt_case cc = {1, 2, 3, 3, 2, 3, 3, 1, 2, 2, -1, 0, -2, -1, 1, 1, 0, 0, 1};
    check_convt_case(&cc, 103);
}
END_TEST

START_TEST(test_convt_depthwise_and_pointwise)
{
    convt_case dw = {2, 3, 4, 4, 3, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0};
    check_convt_case(&dw, 104);
    convt_case pw = {1, 5, 3, 4, 7, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1};
    check_convt_case(&pw, 105);
}
END_TEST

/*
 * The 2x2 stride-2 upsampling of segmentation heads, whose col2im is an
 * interleave of two column rows: widths around the eight-lane vector (and
 * one input column), groups, top padding (rows that fall off), an odd
 * output_padding row, and 2x2 at stride 2 with a left pad or output_padding
 * column, which take the general scatter.
 */
START_TEST(test_convt_2x2_stride2_upsampling)
{
    const convt_case cases[] = {
        {1, 3, 5, 8, 4, 2, 2, 1, 2, 2, 0, 0, 0, 0, 1, 1, 0, 0, 1},
        {2, 4, 3, 9, 6, 2, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 0, 0, 1},
        {1, 2, 4, 17, 1, 2, 2, 1, 2, 2, 1, 0, 0, 0, 1, 1, 1, 0, 0},
        {1, 5, 2, 1, 3, 2, 2, 1, 2, 2, 0, 0, 1, 0, 1, 1, 0, 0, 1},
        {1, 2, 3, 7, 2, 2, 2, 1, 2, 2, 0, 1, 0, 0, 1, 1, 0, 0, 1},
        {1, 2, 3, 7, 2, 2, 2, 1, 2, 2, 0, 0, 0, 0, 1, 1, 0, 1, 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_convt_case(&cases[i], 110 + i);
}
END_TEST

/* --- elementwise ------------------------------------------------------------- */

START_TEST(test_pow_broadcast_and_scalar_exponent)
{
    int64_t ad[2] = {3, 4}, bd[2] = {1, 4}, one[2] = {1, 1};
    float *a = rand_array(12, 110, 0.1f, 3.0f), *b = rand_array(4, 111, -2.0f, 2.0f), y[12];
    double want[12];
    k_binary_broadcast(K_POW, a, ad, b, bd, y, ad, 2);
    for (int i = 0; i < 12; i++)
        want[i] = pow(a[i], b[i % 4]);
    expect_close("pow row", y, want, 12);
    float e = 2.0f;
    k_binary_broadcast(K_POW, a, ad, &e, one, y, ad, 2);
    for (int i = 0; i < 12; i++)
        want[i] = (double)a[i] * a[i];
    expect_close("pow scalar", y, want, 12);
    /* negative base, integral exponent: as C's pow */
    float nb = -2.0f, ex = 3.0f, r;
    k_binary_broadcast(K_POW, &nb, NULL, &ex, NULL, &r, NULL, 0);
    ck_assert_float_eq(r, -8.0f);
    free(a);
    free(b);
}
END_TEST

START_TEST(test_sqrt)
{
    float x[4] = {0.0f, 1.0f, 2.25f, -1.0f}, y[4];
    k_sqrt(x, y, 4);
    ck_assert_float_eq(y[0], 0.0f);
    ck_assert_float_eq(y[1], 1.0f);
    ck_assert_float_eq(y[2], 1.5f);
    ck_assert(isnan(y[3]));
}
END_TEST

START_TEST(test_int64_binary_semantics)
{
    int64_t d1[1] = {6};
    int64_t a[6] = {7, -7, 7, -7, INT64_MIN, 5};
    int64_t b[6] = {2, 2, -2, -2, -1, 0};
    int64_t y[6];
    k_binary_broadcast_i64(K_DIV, a, d1, b, d1, y, d1, 1);
    int64_t div_want[6] = {3, -3, -3, 3, INT64_MIN, 0};
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(y[i], div_want[i]);
    int64_t big[1] = {INT64_MAX}, one[1] = {1}, s1[1] = {1};
    k_binary_broadcast_i64(K_ADD, big, s1, one, s1, y, s1, 1);
    ck_assert_int_eq(y[0], INT64_MIN); /* wraps */
    k_binary_broadcast_i64(K_MUL, big, s1, big, s1, y, s1, 1);
    ck_assert_int_eq(y[0], 1);
    /* [3,1] op [1,4] and a scalar on the left */
    int64_t p[3] = {1, 2, 3}, q[4] = {10, 20, 30, 40}, pd[2] = {3, 1}, qd[2] = {1, 4}, yd[2] = {3, 4}, r[12];
    k_binary_broadcast_i64(K_SUB, p, pd, q, qd, r, yd, 2);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 4; j++)
            ck_assert_int_eq(r[i * 4 + j], p[i] - q[j]);
    int64_t sc = 100, sd[2] = {1, 1};
    k_binary_broadcast_i64(K_MUL, &sc, sd, q, qd, r, qd, 2);
    for (int j = 0; j < 4; j++)
        ck_assert_int_eq(r[j], 100 * q[j]);
}
END_TEST

/* --- ReduceMean ---------------------------------------------------------------- */

/* Every mask of reduced axes over a rank-4 input, against a sum over all input indices. */
START_TEST(test_reduce_mean_every_axis_subset)
{
    const int64_t d[4] = {3, 4, 1, 5};
    float *x = rand_array(60, 120, -1, 1);
    for (int mask = 0; mask < 16; mask++) {
        int red[4];
        int64_t od[4], count = 1;
        for (int i = 0; i < 4; i++) {
            red[i] = (mask >> i) & 1;
            od[i] = red[i] ? 1 : d[i];
            count *= red[i] ? d[i] : 1;
        }
        double want[60] = {0};
        for (int64_t i0 = 0; i0 < d[0]; i0++)
            for (int64_t i1 = 0; i1 < d[1]; i1++)
                for (int64_t i2 = 0; i2 < d[2]; i2++)
                    for (int64_t i3 = 0; i3 < d[3]; i3++) {
                        int64_t o0 = red[0] ? 0 : i0, o1 = red[1] ? 0 : i1, o2 = red[2] ? 0 : i2, o3 = red[3] ? 0 : i3;
                        want[((o0 * od[1] + o1) * od[2] + o2) * od[3] + o3] +=
                            x[((i0 * d[1] + i1) * d[2] + i2) * d[3] + i3] / (double)count;
                    }
        float y[60];
        k_reduce_mean(x, y, d, red, 4);
        char what[32];
        snprintf(what, sizeof(what), "reduce mask %d", mask);
        expect_close(what, y, want, (size_t)(od[0] * od[1] * od[2] * od[3]));
    }
    float s = 3.5f, r;
    int none = 0;
    k_reduce_mean(&s, &r, NULL, &none, 0);
    ck_assert_float_eq(r, 3.5f);
    free(x);
}
END_TEST

/* --- LayerNormalization ---------------------------------------------------------- */

static void ref_layernorm(const float *x, double *y, int64_t rows, int64_t cols, const float *sc, int64_t sl,
                          const float *b, int64_t bl, double eps)
{
    for (int64_t r = 0; r < rows; r++) {
        double mean = 0, var = 0;
        for (int64_t j = 0; j < cols; j++)
            mean += x[r * cols + j];
        mean /= (double)cols;
        for (int64_t j = 0; j < cols; j++)
            var += (x[r * cols + j] - mean) * (x[r * cols + j] - mean);
        var /= (double)cols;
        for (int64_t j = 0; j < cols; j++)
            y[r * cols + j] = (x[r * cols + j] - mean) / sqrt(var + eps) * sc[sl == 1 ? 0 : j] +
                              (b ? b[bl == 1 ? 0 : j] : 0.0);
    }
}

START_TEST(test_layernorm_scale_bias_forms)
{
    float *x = rand_array(6 * 10, 130, -3, 5), *sc = rand_array(10, 131, 0.5f, 2), *b = rand_array(10, 132, -1, 1);
    double want[60];
    float y[60];
    ref_layernorm(x, want, 6, 10, sc, 10, b, 10, 1e-5);
    k_layernorm(x, y, 6, 10, sc, 10, b, 10, 1e-5f);
    expect_close("layernorm full", y, want, 60);
    ref_layernorm(x, want, 3, 20, sc, 1, NULL, 0, 0.1);
    k_layernorm(x, y, 3, 20, sc, 1, NULL, 0, 0.1f);
    expect_close("layernorm scalar scale, no bias", y, want, 60);
    ref_layernorm(x, want, 60, 1, sc, 1, b, 1, 1e-3);
    k_layernorm(x, y, 60, 1, sc, 1, b, 1, 1e-3f);
    expect_close("layernorm one column", y, want, 60);
    free(x);
    free(sc);
    free(b);
}
END_TEST

/* --- Resize -------------------------------------------------------------------- */

/* len: the resized length of the formulas (output length, or in * scale unrounded). */
static double ref_coord(k_coord_mode m, int64_t o, double scale, int64_t in, double len)
{
    if (m == K_COORD_ALIGN_CORNERS)
        return len != 1.0 ? o * (in - 1.0) / (len - 1.0) : 0.0;
    if (m == K_COORD_ASYMMETRIC)
        return o / scale;
    if (m == K_COORD_PYTORCH_HALF_PIXEL && len <= 1.0)
        return 0.0;
    return (o + 0.5) / scale - 0.5;
}

/* Rounding written with offsets: ties toward floor are ceil(c - 0.5), toward ceil floor(c + 0.5). */
static int64_t ref_round(k_nearest_mode m, double c, int64_t len)
{
    double r = m == K_NEAREST_ROUND_PREFER_FLOOR  ? ceil(c - 0.5)
               : m == K_NEAREST_ROUND_PREFER_CEIL ? floor(c + 0.5)
               : m == K_NEAREST_FLOOR             ? floor(c)
                                                  : ceil(c);
    return r < 0 ? 0 : r > len - 1 ? len - 1 : (int64_t)r;
}

/* Linear interpolation as a sum of tent weights around the coordinate clamped into the axis. */
static double ref_tent(double c, int64_t len, int64_t i)
{
    c = c < 0 ? 0 : c > len - 1 ? len - 1 : c;
    double t = 1.0 - fabs(c - (double)i);
    return t > 0 ? t : 0.0;
}

/*
 * [2, 3, h, w] resized to [2, 3, oh, ow] by both kernels, every coordinate
 * and nearest mode.  by_scales: the resized length is h * sh unrounded (a
 * model giving scales), else the output length (a model giving sizes).
 */
static void check_resize(int64_t h, int64_t w, int64_t oh, int64_t ow, double sh, double sw, int by_scales,
                         uint64_t seed)
{
    const int64_t planes = 6;
    int64_t xd[4] = {2, 3, h, w}, yd[4] = {2, 3, oh, ow};
    double lh = by_scales ? h * sh : (double)oh, lw = by_scales ? w * sw : (double)ow;
    k_resize_axis axes[4] = {{1, 2}, {1, 3}, {sh, lh}, {sw, lw}};
    float *x = rand_array((size_t)(planes * h * w), seed, -1, 1), *y = falloc((size_t)(planes * oh * ow));
    double *want = dalloc((size_t)(planes * oh * ow));
    for (int cm = K_COORD_HALF_PIXEL; cm <= K_COORD_ALIGN_CORNERS; cm++) {
        for (int nm = K_NEAREST_ROUND_PREFER_FLOOR; nm <= K_NEAREST_CEIL; nm++) {
            for (int64_t p = 0; p < planes; p++)
                for (int64_t oy = 0; oy < oh; oy++)
                    for (int64_t ox = 0; ox < ow; ox++) {
                        int64_t iy = ref_round((k_nearest_mode)nm, ref_coord((k_coord_mode)cm, oy, sh, h, lh), h);
                        int64_t ix = ref_round((k_nearest_mode)nm, ref_coord((k_coord_mode)cm, ox, sw, w, lw), w);
                        want[(p * oh + oy) * ow + ox] = x[(p * h + iy) * w + ix];
                    }
            k_resize_nearest(x, y, xd, yd, axes, 4, (k_coord_mode)cm, (k_nearest_mode)nm);
            char what[64];
            snprintf(what, sizeof(what), "nearest coord %d mode %d %lldx%lld", cm, nm, (long long)oh, (long long)ow);
            expect_close(what, y, want, (size_t)(planes * oh * ow));
        }
        for (int64_t p = 0; p < planes; p++)
            for (int64_t oy = 0; oy < oh; oy++)
                for (int64_t ox = 0; ox < ow; ox++) {
                    double cy = ref_coord((k_coord_mode)cm, oy, sh, h, lh), cx = ref_coord((k_coord_mode)cm, ox, sw, w, lw);
                    double acc = 0;
                    for (int64_t iy = 0; iy < h; iy++)
                        for (int64_t ix = 0; ix < w; ix++)
                            acc += ref_tent(cy, h, iy) * ref_tent(cx, w, ix) * x[(p * h + iy) * w + ix];
                    want[(p * oh + oy) * ow + ox] = acc;
                }
        k_resize_linear2d(x, y, planes, h, w, oh, ow, axes[2], axes[3], (k_coord_mode)cm);
        char what[64];
        snprintf(what, sizeof(what), "linear coord %d %lldx%lld", cm, (long long)oh, (long long)ow);
        expect_close(what, y, want, (size_t)(planes * oh * ow));
    }
    free(x);
    free(y);
    free(want);
}

START_TEST(test_resize_upsample_every_mode)
{
    check_resize(3, 4, 7, 8, 7.0 / 3, 2.0, 0, 140); /* sizes: scale = out / in */
    check_resize(2, 3, 5, 7, 2.5, 2.4, 1, 141);     /* scales: out = floor(in * scale), 7.2 in the formulas */
    check_resize(2, 3, 5, 4099, 2.5, 4099.0 / 3, 0, 146); /* rows wider than the kernel's column table */
    /* exactly twice as wide: where a mode reads column o / 2, each float is written twice, eight at a time */
    check_resize(3, 9, 6, 18, 2.0, 2.0, 0, 147);
    check_resize(2, 20, 4, 40, 2.0, 2.0, 1, 148);
    check_resize(2, 1, 4, 2, 2.0, 2.0, 0, 149);
}
END_TEST

START_TEST(test_resize_downsample_every_mode)
{
    check_resize(8, 7, 3, 2, 3.0 / 8, 2.0 / 7, 0, 142);
    check_resize(4, 6, 2, 4, 0.6, 0.7, 1, 143); /* resized lengths 2.4 and 4.2 */
    check_resize(5, 6, 1, 4, 0.3, 0.7, 1, 144); /* a length-1 output axis, 1.5 in the formulas */
    check_resize(5, 6, 1, 4, 0.2, 0.7, 0, 145); /* a length-1 output axis from sizes */
}
END_TEST

START_TEST(test_resize_nearest_5d_outer_axes)
{
    int64_t xd[3] = {2, 3, 2}, yd[3] = {4, 3, 1};
    k_resize_axis axes[3] = {{2, 4}, {1, 3}, {0.5, 1}};
    float x[12], y[12];
    for (int i = 0; i < 12; i++)
        x[i] = (float)i;
    k_resize_nearest(x, y, xd, yd, axes, 3, K_COORD_ASYMMETRIC, K_NEAREST_FLOOR);
    /* axis 0 repeats each slice twice, axis 2 keeps column 0 */
    const float want[12] = {0, 2, 4, 0, 2, 4, 6, 8, 10, 6, 8, 10};
    for (int i = 0; i < 12; i++)
        ck_assert_float_eq(y[i], want[i]);
}
END_TEST

/* --- Slice, Gather, Cast ---------------------------------------------------------- */

START_TEST(test_slice_negative_and_mixed_steps)
{
    const int64_t xd[3] = {4, 5, 6};
    float x[120];
    int64_t xi[120];
    for (int i = 0; i < 120; i++) {
        x[i] = (float)i;
        xi[i] = -1000 - i;
    }
    const int64_t cases[][9] = {
        /* starts, steps, y dims */
        {3, 0, 5, -1, 2, -2, 4, 3, 3},
        {0, 4, 0, 2, -1, 1, 2, 5, 6},
        {1, 1, 1, 1, 1, 3, 3, 4, 2},
        {3, 4, 5, -3, -4, -5, 2, 2, 2},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        const int64_t *st = cases[k], *sp = cases[k] + 3, *yd = cases[k] + 6;
        float y[120];
        int64_t yi[120];
        k_slice(x, y, xd, yd, st, sp, 3, sizeof(float));
        k_slice(xi, yi, xd, yd, st, sp, 3, sizeof(int64_t));
        int64_t t = 0;
        for (int64_t a = 0; a < yd[0]; a++)
            for (int64_t b = 0; b < yd[1]; b++)
                for (int64_t c = 0; c < yd[2]; c++, t++) {
                    int64_t src = ((st[0] + a * sp[0]) * xd[1] + st[1] + b * sp[1]) * xd[2] + st[2] + c * sp[2];
                    ck_assert_msg(y[t] == x[src], "case %zu [%lld]: got %g want %g", k, (long long)t, (double)y[t],
                                  (double)x[src]);
                    ck_assert_int_eq(yi[t], xi[src]);
                }
    }
}
END_TEST

START_TEST(test_gather_negative_2d_indices_and_int32)
{
    /* data [3, 4, 2] gathered on axis 1 with indices [[-1, 0], [2, -4]] */
    float d[24], y[3 * 4 * 2];
    for (int i = 0; i < 24; i++)
        d[i] = (float)i;
    int64_t idx[4] = {-1, 0, 2, -4};
    k_gather(d, y, 3, 4, 2, idx, 1, 4, sizeof(float));
    for (int o = 0; o < 3; o++)
        for (int j = 0; j < 4; j++) {
            int64_t i = idx[j] < 0 ? idx[j] + 4 : idx[j];
            for (int k = 0; k < 2; k++)
                ck_assert_float_eq(y[(o * 4 + j) * 2 + k], d[(o * 4 + i) * 2 + k]);
        }
    /* int32 indices, int64 data, axis 0, and an out-of-range index giving zeros */
    int64_t v[3] = {10, 20, 30}, r[3];
    int32_t i32[3] = {2, -3, 3};
    k_gather(v, r, 1, 3, 1, i32, 0, 3, sizeof(int64_t));
    ck_assert_int_eq(r[0], 30);
    ck_assert_int_eq(r[1], 10);
    ck_assert_int_eq(r[2], 0);
}
END_TEST

START_TEST(test_cast_truncation_saturation_wrap)
{
    float f[7] = {2.7f, -2.7f, 1e30f, -1e30f, NAN, 0.0f, -0.5f};
    int64_t i64[7];
    int32_t i32[7];
    k_cast(f, K_F32, i64, K_I64, 7);
    const int64_t w64[7] = {2, -2, INT64_MAX, INT64_MIN, 0, 0, 0};
    for (int i = 0; i < 7; i++)
        ck_assert_int_eq(i64[i], w64[i]);
    k_cast(f, K_F32, i32, K_I32, 7);
    const int32_t w32[7] = {2, -2, INT32_MAX, INT32_MIN, 0, 0, 0};
    for (int i = 0; i < 7; i++)
        ck_assert_int_eq(i32[i], w32[i]);

    int64_t big[3] = {0x100000005LL, -1, (int64_t)1 << 40};
    k_cast(big, K_I64, i32, K_I32, 3);
    ck_assert_int_eq(i32[0], 5);
    ck_assert_int_eq(i32[1], -1);
    ck_assert_int_eq(i32[2], 0);
    float back[3];
    k_cast(big, K_I64, back, K_F32, 3);
    ck_assert_float_eq(back[2], 1099511627776.0f);
    int32_t small[2] = {-7, 9};
    int64_t wide[2];
    k_cast(small, K_I32, wide, K_I64, 2);
    ck_assert_int_eq(wide[0], -7);
    ck_assert_int_eq(wide[1], 9);
    k_cast(small, K_I32, back, K_F32, 2);
    ck_assert_float_eq(back[0], -7.0f);
    float same[2];
    k_cast(f, K_F32, same, K_F32, 2);
    ck_assert_float_eq(same[1], -2.7f);
}
END_TEST

static Suite *kernels2_suite(void)
{
    Suite *s = suite_create("kernels2");
    TCase *tc = tcase_create("onnx");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_convt_stride2_output_padding_group2);
    tcase_add_test(tc, test_convt_stride3x2_dilation_asymmetric_pads);
    tcase_add_test(tc, test_convt_negative_pads_extend_output);
    tcase_add_test(tc, test_convt_depthwise_and_pointwise);
    tcase_add_test(tc, test_convt_2x2_stride2_upsampling);
    tcase_add_test(tc, test_pow_broadcast_and_scalar_exponent);
    tcase_add_test(tc, test_sqrt);
    tcase_add_test(tc, test_int64_binary_semantics);
    tcase_add_test(tc, test_reduce_mean_every_axis_subset);
    tcase_add_test(tc, test_layernorm_scale_bias_forms);
    tcase_add_test(tc, test_resize_upsample_every_mode);
    tcase_add_test(tc, test_resize_downsample_every_mode);
    tcase_add_test(tc, test_resize_nearest_5d_outer_axes);
    tcase_add_test(tc, test_slice_negative_and_mixed_steps);
    tcase_add_test(tc, test_gather_negative_2d_indices_and_int32);
    tcase_add_test(tc, test_cast_truncation_saturation_wrap);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(kernels2_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0;
}
