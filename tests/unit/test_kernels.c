/*
 * test_kernels.c - checks every float32 kernel of shim/engine/kernels.h against a
 * naive reference written here: plain nested loops over explicit indices,
 * accumulating in double, sharing no code with kernels.c.  Inputs come from
 * the seeded generator of testutil.h; results must agree within rtol 1e-4,
 * atol 1e-5.  The cases aim at the corners: asymmetric pads, strides,
 * dilations, groups, ceil_mode, every broadcasting pattern, every Gemm
 * transpose combination.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim/engine/kernels.h"
#include "shim/engine/parallel.h"
#include "tests/unit/kernel_check.h"

/* --- convolution ------------------------------------------------------------ */

typedef struct conv_case {
    int64_t n, c, h, w, m, kh, kw, group;
    int64_t sh, sw, pt, pl, pb, pr, dh, dw;
    int bias;
} conv_case;

static int64_t conv_out(int64_t in, int64_t pb, int64_t pe, int64_t k, int64_t d, int64_t s)
{
    return (in + pb + pe - d * (k - 1) - 1) / s + 1;
}

static void ref_conv(const conv_case *cc, const float *x, const float *w, const float *bias, double *y, int64_t oh,
                     int64_t ow)
{
    int64_t cg = cc->c / cc->group, mg = cc->m / cc->group;
    for (int64_t b = 0; b < cc->n; b++)
        for (int64_t m = 0; m < cc->m; m++) {
            int64_t g = m / mg;
            for (int64_t oy = 0; oy < oh; oy++)
                for (int64_t ox = 0; ox < ow; ox++) {
                    double acc = bias ? bias[m] : 0.0;
                    for (int64_t ci = 0; ci < cg; ci++)
                        for (int64_t ky = 0; ky < cc->kh; ky++)
                            for (int64_t kx = 0; kx < cc->kw; kx++) {
                                int64_t iy = oy * cc->sh - cc->pt + ky * cc->dh;
                                int64_t ix = ox * cc->sw - cc->pl + kx * cc->dw;
                                if (iy < 0 || iy >= cc->h || ix < 0 || ix >= cc->w)
                                    continue;
                                int64_t c = g * cg + ci;
                                double xv = x[((b * cc->c + c) * cc->h + iy) * cc->w + ix];
                                double wv = w[((m * cg + ci) * cc->kh + ky) * cc->kw + kx];
                                acc += xv * wv;
                            }
                    y[((b * cc->m + m) * oh + oy) * ow + ox] = acc;
                }
        }
}

/* The fused activations of kernels.h, written out in double from their definitions. */
static double ref_act(const k_act *a, double v)
{
    double t;
    switch (a->kind) {
    case K_ACT_RELU:
        v = v > 0 ? v : 0;
        break;
    case K_ACT_CLIP:
        v = v < a->p[0] ? a->p[0] : v > a->p[1] ? a->p[1] : v;
        break;
    case K_ACT_HARDSIGMOID:
        t = a->p[0] * v + a->p[1];
        v = t < 0 ? 0 : t > 1 ? 1 : t;
        break;
    case K_ACT_HARDSWISH:
    case K_ACT_HARDSWISH_MD:
        t = v + a->p[0];
        t = t < a->p[1] ? a->p[1] : t > a->p[2] ? a->p[2] : t;
        v = v * t / a->p[3];
        break;
    case K_ACT_NONE:
        break;
    }
    return a->post ? v * a->post_scale + a->post_shift : v;
}

static void check_conv_act_case(const conv_case *cc, uint64_t seed, const k_act *act);

/*
 * Runs one case three ways -- with the scratch the kernel wants, with a
 * scratch of a few columns (chunked im2col) and with none (direct loops) --
 * and checks each against the reference.
 */
static void check_conv_case(const conv_case *cc, uint64_t seed)
{
    check_conv_act_case(cc, seed, NULL);
}

/* check_conv_case through k_conv2d_act, the reference's results passed through ref_act. */
static void check_conv_act_case(const conv_case *cc, uint64_t seed, const k_act *act)
{
    int64_t oh = conv_out(cc->h, cc->pt, cc->pb, cc->kh, cc->dh, cc->sh);
    int64_t ow = conv_out(cc->w, cc->pl, cc->pr, cc->kw, cc->dw, cc->sw);
    ck_assert_int_gt(oh, 0);
    ck_assert_int_gt(ow, 0);
    size_t nx = (size_t)(cc->n * cc->c * cc->h * cc->w);
    size_t nw = (size_t)(cc->m * (cc->c / cc->group) * cc->kh * cc->kw);
    size_t ny = (size_t)(cc->n * cc->m * oh * ow);
    float *x = rand_array(nx, seed, -1, 1), *w = rand_array(nw, seed + 1, -1, 1);
    float *bias = cc->bias ? rand_array((size_t)cc->m, seed + 2, -1, 1) : NULL;
    double *want = dalloc(ny);
    ref_conv(cc, x, w, bias, want, oh, ow);
    for (size_t i = 0; act && i < ny; i++)
        want[i] = ref_act(act, want[i]);

    k_conv2d_shape s = {.n = cc->n, .c = cc->c, .h = cc->h, .w = cc->w, .m = cc->m, .kh = cc->kh, .kw = cc->kw,
                        .oh = oh, .ow = ow, .group = cc->group, .stride_h = cc->sh, .stride_w = cc->sw,
                        .pad_t = cc->pt, .pad_l = cc->pl, .dil_h = cc->dh, .dil_w = cc->dw};
    size_t want_len = k_conv2d_scratch_want(&s);
    size_t kdim = (size_t)((cc->c / cc->group) * cc->kh * cc->kw);
    size_t lens[3] = {want_len, 3 * kdim, 0};
    const char *names[3] = {"conv full scratch", "conv chunked scratch", "conv no scratch"};
    for (int mode = 0; mode < 3; mode++) {
        float *scratch = lens[mode] ? falloc(lens[mode]) : NULL;
        float *y = falloc(ny);
        if (act)
            k_conv2d_act(&s, x, w, bias, act, y, scratch, lens[mode]);
        else
            k_conv2d(&s, x, w, bias, y, scratch, lens[mode]);
        expect_close(names[mode], y, want, ny);
        free(y);
        free(scratch);
    }
    free(x);
    free(w);
    free(bias);
    free(want);
}

START_TEST(test_conv_3x3_pad1_with_bias)
{
    conv_case cc = {2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    check_conv_case(&cc, 11);
}
END_TEST

START_TEST(test_conv_dilation2_stride2_asymmetric_pads)
{
    conv_case cc = {1, 4, 11, 9, 5, 3, 2, 1, 2, 2, 2, 0, 1, 3, 2, 2, 1};
    check_conv_case(&cc, 12);
}
END_TEST

START_TEST(test_conv_group2_no_bias)
{
    conv_case cc = {2, 4, 6, 7, 6, 3, 3, 2, 1, 1, 1, 0, 0, 1, 1, 1, 0};
    check_conv_case(&cc, 13);
}
END_TEST

START_TEST(test_conv_depthwise_stride2_pads)
{
    conv_case cc = {2, 5, 9, 10, 5, 3, 3, 5, 2, 2, 1, 1, 1, 1, 1, 1, 1};
    check_conv_case(&cc, 14);
}
END_TEST

START_TEST(test_conv_depthwise_channel_multiplier_dilated)
{
    conv_case cc = {1, 3, 8, 8, 6, 3, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1};
    check_conv_case(&cc, 15);
}
END_TEST

START_TEST(test_conv_1x1_pointwise_no_bias)
{
    conv_case cc = {2, 6, 5, 4, 7, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0};
    check_conv_case(&cc, 16);
}
END_TEST

START_TEST(test_conv_1x1_stride2_uses_im2col)
{
    conv_case cc = {1, 4, 7, 7, 3, 1, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1};
    check_conv_case(&cc, 17);
}
END_TEST

START_TEST(test_conv_kernel_wider_than_input_with_pads)
{
    conv_case cc = {1, 2, 3, 2, 2, 3, 5, 1, 1, 3, 1, 2, 0, 3, 1, 1, 1};
    check_conv_case(&cc, 18);
}
END_TEST

/*
 * Depthwise 3x3 and 5x5 kernels (the row kernels' shapes) at strides 1 and
 * 2 on each axis, with random pads (none up to past the kernel's reach),
 * widths around the vector width, channel multipliers of 1 and 2, batch 2,
 * and a fused HardSwish on every other case; plus the shapes that fall back
 * to the generic loops (3x5, dilated, stride 3); each through both copies
 * of the row kernels (k_kernels_plain), with the planes shared over 1 to 3
 * participants (fewer planes than participants at times).
 */
START_TEST(test_conv_depthwise_random_shapes)
{
    uint64_t st = 77;
    const k_act hs = {K_ACT_HARDSWISH, {3.0f, 0.0f, 6.0f, 6.0f}, 0, 0, 0};
    for (int t = 0; t < 60; t++) {
        int64_t k = t % 2 ? 5 : 3, kw = t % 10 == 9 ? 3 : k, c = 1 + (int64_t)(tu_randf(&st, 0, 5));
        int64_t sh = 1 + (t / 2) % 2, sw = 1 + (t / 4) % 2, d = t % 15 == 14 ? 2 : 1;
        sw = t % 20 == 19 ? 3 : sw;
        int64_t h = k + (int64_t)tu_randf(&st, -2, 8), w = k + (int64_t)tu_randf(&st, -2, 21);
        int64_t pt = (int64_t)tu_randf(&st, 0, (float)k), pb = (int64_t)tu_randf(&st, 0, (float)k);
        int64_t pl = (int64_t)tu_randf(&st, 0, (float)kw), pr = (int64_t)tu_randf(&st, 0, (float)kw);
        h = h < 1 ? 1 : h;
        w = w < 1 ? 1 : w;
        if (h + pt + pb < d * (k - 1) + 1 || w + pl + pr < d * (kw - 1) + 1)
            continue;
        conv_case cc = {1 + t % 2, c, h, w, c * (1 + (t / 3) % 2), k, kw, c, sh, sw, pt, pl, pb, pr, d, d, t % 3 != 0};
        /* both copies of the row kernels (the CPU's choice, then the plain one), the planes shared by 1 to 3 */
        for (int plain = 0; plain < 2; plain++)
            for (int threads = 1; threads <= 3; threads++) {
                k_kernels_plain(plain);
                par_set_threads(threads);
                check_conv_act_case(&cc, 100 + (uint64_t)t, t % 2 ? &hs : NULL);
            }
        k_kernels_plain(0);
        par_set_threads(0);
    }
}
END_TEST

/*
 * Dense convolutions in the shapes of the direct kernel (CPUs with AVX2 and
 * FMA): 2 to 7 input channels per group, 1 to 13 output channels (every
 * tile height, and fewer channels than a tile), windows up to 7 x 7,
 * stride_w 1 and 2, stride_h 1 to 3, output rows 1 to 35 wide (the 8- and
 * 16-pixel tiles and their tails), random pads, groups, batch 2; each with
 * the pool at 1, 2 and 3 participants (more than the output has rows, at
 * times), and through the plain path (im2col) too.
 */
START_TEST(test_conv_direct_random_shapes)
{
    uint64_t st = 5;
    const k_act relu = {K_ACT_RELU, {0}, 0, 0, 0};
    for (int t = 0; t < 48; t++) {
        int64_t g = t % 5 == 4 ? 2 : 1, cg = 2 + (int64_t)tu_randf(&st, 0, 6), m = g * (1 + (int64_t)tu_randf(&st, 0, 13));
        int64_t kh = 1 + (int64_t)tu_randf(&st, 0, 7), kw = 1 + (int64_t)tu_randf(&st, 0, 7);
        int64_t sw = 1 + t % 2, sh = 1 + (t / 2) % 3;
        if (kh == 1 && kw == 1 && sw == 1 && sh == 1)
            kw = 3;
        int64_t h = kh + (int64_t)tu_randf(&st, 0, 6), w = kw + (int64_t)tu_randf(&st, 0, 36 * (float)sw);
        int64_t pt = (int64_t)tu_randf(&st, 0, (float)kh), pb = (int64_t)tu_randf(&st, 0, (float)kh);
        int64_t pl = (int64_t)tu_randf(&st, 0, (float)kw), pr = (int64_t)tu_randf(&st, 0, (float)kw);
        conv_case cc = {1 + t % 3 / 2, g * cg, h, w, m, kh, kw, g, sh, sw, pt, pl, pb, pr, 1, 1, t % 4 != 0};
        for (int threads = 1; threads <= 3; threads++) {
            par_set_threads(threads);
            check_conv_act_case(&cc, 300 + (uint64_t)t, t % 3 == 0 ? &relu : NULL);
        }
        par_set_threads(0);
        k_kernels_plain(1);
        check_conv_act_case(&cc, 300 + (uint64_t)t, t % 3 == 0 ? &relu : NULL);
        k_kernels_plain(0);
    }
}
END_TEST

/* --- the worker pool ---------------------------------------------------------- */

typedef struct par_probe {
    int *hits;
    int bad_slot, threads, nested;
    int inner_split; /* an inner par_for that did not run inline, as one call over its whole range on slot 0 */
} par_probe;

static void par_count(void *ctx, int64_t lo, int64_t hi, int slot)
{
    par_probe *p = ctx;
    if (slot < 0 || slot >= p->threads)
        p->bad_slot = 1;
    for (int64_t i = lo; i < hi; i++)
        __atomic_fetch_add(&p->hits[i], 1, __ATOMIC_RELAXED);
}

/* The inner loop of par_nest: iterations [0, len) of it are the outer loop's [base, base + len). */
typedef struct par_inner {
    par_probe *p;
    int64_t base, len;
    int calls, whole;
} par_inner;

static void par_count_inner(void *ctx, int64_t lo, int64_t hi, int slot)
{
    par_inner *in = ctx;
    for (int64_t i = lo; i < hi; i++)
        __atomic_fetch_add(&in->p->hits[in->base + i], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&in->calls, 1, __ATOMIC_RELAXED);
    if (lo == 0 && hi == in->len && slot == 0)
        __atomic_store_n(&in->whole, 1, __ATOMIC_RELAXED);
}

/*
 * A piece that starts a par_for of its own over its iterations: the pool
 * is held by the outer loop, so the inner one runs inline, as one call
 * over its whole range on its own slot 0.
 */
static void par_nest(void *ctx, int64_t lo, int64_t hi, int slot)
{
    par_probe *p = ctx;
    (void)slot;
    par_inner in = {p, lo, hi - lo, 0, 0};
    par_for(hi - lo, 1, par_count_inner, &in);
    if (in.calls != 1 || !in.whole)
        __atomic_store_n(&p->inner_split, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&p->nested, 1, __ATOMIC_RELAXED);
}

START_TEST(test_par_for_runs_every_iteration_once)
{
    const int64_t ns[] = {1, 2, 3, 7, 8, 9, 64, 1000, 4097};
    const int64_t grains[] = {1, 2, 5, 1000};
    for (int threads = 1; threads <= 5; threads++) {
        par_set_threads(threads);
        ck_assert_int_eq(par_threads(), threads);
        for (size_t a = 0; a < sizeof(ns) / sizeof(ns[0]); a++)
            for (size_t b = 0; b < sizeof(grains) / sizeof(grains[0]); b++) {
                int *hits = calloc((size_t)ns[a], sizeof(int));
                ck_assert_ptr_nonnull(hits);
                par_probe p = {hits, 0, threads, 0};
                par_for(ns[a], grains[b], par_count, &p);
                for (int64_t i = 0; i < ns[a]; i++)
                    ck_assert_msg(hits[i] == 1, "threads %d n %lld grain %lld: iteration %lld ran %d times", threads,
                                  (long long)ns[a], (long long)grains[b], (long long)i, hits[i]);
                ck_assert_int_eq(p.bad_slot, 0);
                free(hits);
            }
        /*
         * nested: the outer loop is split over the pool (pieces of 4, each
         * long enough to be split again), the inner loops run inline and
         * together cover everything once
         */
        int hits[80] = {0};
        const int64_t outer = 16 * threads;
        par_probe p = {hits, 0, threads, 0, 0};
        par_for(outer, 4, par_nest, &p);
        ck_assert_int_eq(p.inner_split, 0);
        ck_assert_int_ge(p.nested, threads >= 2 ? 2 : 1);
        par_for(80, 1, par_count, &p);
        for (int i = 0; i < 80; i++)
            ck_assert_int_eq(hits[i], i < outer ? 2 : 1);
        ck_assert_int_eq(p.bad_slot, 0);
    }
    par_set_threads(0);
    ck_assert_int_ge(par_threads(), 1);
}
END_TEST

/* Runs `run` with the pool at 1 participant, then 2 and 3, and checks each result is the 1-participant one, bit for bit. */
#define SAME_AT_EVERY_POOL_SIZE(what, y, n, run)                                                                       \
    do {                                                                                                               \
        float *first_ = falloc(n);                                                                                     \
        par_set_threads(1);                                                                                            \
        run;                                                                                                           \
        memcpy(first_, y, (n) * sizeof(float));                                                                        \
        for (int th_ = 2; th_ <= 3; th_++) {                                                                           \
            par_set_threads(th_);                                                                                      \
            for (size_t i_ = 0; i_ < (n); i_++)                                                                        \
                y[i_] = 1234.5f;                                                                                       \
            run;                                                                                                       \
            ck_assert_msg(memcmp(first_, y, (n) * sizeof(float)) == 0, "%s: %d participants differ from 1", what,     \
                          th_);                                                                                        \
        }                                                                                                              \
        par_set_threads(0);                                                                                            \
        free(first_);                                                                                                  \
    } while (0)

/*
 * The kernels the pool shares, on inputs large enough to be split (odd
 * sizes, so that pieces end inside rows and planes): the result does not
 * depend on the number of participants.  (The other tests check the
 * results themselves against the references.)
 */
START_TEST(test_pool_split_gives_the_same_result)
{
    const size_t big = 200003;
    float *x = rand_array(big, 400, -4, 4), *x2 = rand_array(big, 401, 0.5f, 3), *y = falloc(big);
    int64_t ad[3] = {3, 97, 601}, bd[3] = {1, 97, 1}, flat[1] = {(int64_t)big};
    SAME_AT_EVERY_POOL_SIZE("add broadcast", y, (size_t)(3 * 97 * 601),
                            k_binary_broadcast(K_ADD, x, ad, x2, bd, y, ad, 3));
    SAME_AT_EVERY_POOL_SIZE("mul flat", y, big, k_binary_broadcast(K_MUL, x, flat, x2, flat, y, flat, 1));
    SAME_AT_EVERY_POOL_SIZE("pow flat", y, big, k_binary_broadcast(K_POW, x2, flat, x, flat, y, flat, 1));
    SAME_AT_EVERY_POOL_SIZE("relu", y, big, k_relu(x, y, big));
    SAME_AT_EVERY_POOL_SIZE("tanh", y, big, k_tanh(x, y, big));
    SAME_AT_EVERY_POOL_SIZE("clip", y, big, k_clip(x, y, big, -1.0f, 2.0f));
    SAME_AT_EVERY_POOL_SIZE("hardsigmoid", y, big, k_hardsigmoid(x, y, big, 0.2f, 0.5f));
    SAME_AT_EVERY_POOL_SIZE("sqrt", y, big, k_sqrt(x2, y, big));
    SAME_AT_EVERY_POOL_SIZE("sigmoid", y, big, k_sigmoid(x, y, big));
    SAME_AT_EVERY_POOL_SIZE("softmax", y, (size_t)(37 * 5405), k_softmax(x, y, 37, 5405, 1));
    float sc[7] = {1, 2, 3, 4, 5, 6, 7}, bi[7] = {0, 1, 0, 1, 0, 1, 0}, mu[7] = {0}, va[7] = {1, 1, 2, 2, 3, 3, 4};
    SAME_AT_EVERY_POOL_SIZE("batchnorm", y, (size_t)(2 * 7 * 14285),
                            k_batchnorm(x, y, 2, 7, 14285, sc, bi, mu, va, 1e-5f));
    SAME_AT_EVERY_POOL_SIZE("global avgpool", y, (size_t)7, k_global_avgpool(x, y, 7, 28571));
    k_pool2d_shape ps = {1, 5, 131, 137, 131, 137, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
    SAME_AT_EVERY_POOL_SIZE("maxpool", y, (size_t)(5 * 131 * 137), k_maxpool2d(&ps, x, y));
    SAME_AT_EVERY_POOL_SIZE("avgpool", y, (size_t)(5 * 131 * 137), k_avgpool2d(&ps, x, y, 1));
    float *ry = falloc((size_t)(3 * 194 * 303));
    int64_t rxd[4] = {1, 3, 97, 101}, ryd[4] = {1, 3, 194, 303};
    k_resize_axis ax[4] = {{1, 1}, {1, 3}, {2, 194}, {3, 303}};
    SAME_AT_EVERY_POOL_SIZE("resize nearest", ry, (size_t)(3 * 194 * 303),
                            k_resize_nearest(x, ry, rxd, ryd, ax, 4, K_COORD_ASYMMETRIC, K_NEAREST_FLOOR));
    SAME_AT_EVERY_POOL_SIZE("resize linear", ry, (size_t)(3 * 194 * 303),
                            k_resize_linear2d(x, ry, 3, 97, 101, 194, 303, ax[2], ax[3], K_COORD_HALF_PIXEL));
    free(ry);
    const void *parts[3] = {x, x2, x + 1000};
    int64_t mid[3] = {3, 1, 2};
    SAME_AT_EVERY_POOL_SIZE("concat rows", y, (size_t)(5 * 6 * 6001),
                            k_concat(parts, mid, 3, y, 5, 6001, sizeof(float)));
    /* a transposed convolution whose col2im is shared by output channel */
    k_conv2d_shape ts = {.n = 1, .c = 7, .h = 83, .w = 85, .m = 16, .kh = 2, .kw = 2, .oh = 166, .ow = 170, .group = 1,
                         .stride_h = 2, .stride_w = 2, .pad_t = 0, .pad_l = 0, .dil_h = 1, .dil_w = 1};
    size_t tl = k_conv_transpose2d_scratch_want(&ts);
    float *tsc = falloc(tl), *ty = falloc((size_t)(16 * 166 * 170));
    SAME_AT_EVERY_POOL_SIZE("conv transpose", ty, (size_t)(16 * 166 * 170),
                            k_conv_transpose2d(&ts, x, x2, NULL, ty, tsc, tl));
    free(tsc);
    free(ty);
    free(x);
    free(x2);
    free(y);
}
END_TEST

/*
 * Products large enough to be cut over the pool (par_for_blas): by columns
 * and by rows, every transpose combination of Gemm, at 1 to 3
 * participants, against the naive reference; and OpenBLAS's thread count is
 * as it was afterwards.
 */
START_TEST(test_gemm_split_over_pool)
{
    const int64_t shapes[2][3] = {{37, 300, 1001}, {1003, 300, 41}}; /* m, k, n */
    const int before = par_threads();
    for (int sh = 0; sh < 2; sh++) {
        const int64_t m = shapes[sh][0], k = shapes[sh][1], n = shapes[sh][2];
        float *a = rand_array((size_t)(m * k), 500 + sh, -1, 1), *b = rand_array((size_t)(k * n), 510 + sh, -1, 1);
        float *c = rand_array((size_t)n, 520 + sh, -1, 1), *y = falloc((size_t)(m * n));
        double *want = dalloc((size_t)(m * n));
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                /* a and b read as stored [m x k] / [k x n], or [k x m] / [n x k] when transposed */
                for (int64_t i = 0; i < m; i++)
                    for (int64_t j = 0; j < n; j++) {
                        double acc = 0;
                        for (int64_t q = 0; q < k; q++)
                            acc += (double)(ta ? a[q * m + i] : a[i * k + q]) * (tb ? b[j * k + q] : b[q * n + j]);
                        want[i * n + j] = 0.5 * acc + 2.0 * c[j];
                    }
                for (int threads = 1; threads <= 3; threads++) {
                    par_set_threads(threads);
                    k_gemm(a, b, c, y, m, k, n, ta, tb, 0.5f, 2.0f, 1, n);
                    expect_close("gemm split", y, want, (size_t)(m * n));
                }
            }
        for (int threads = 1; threads <= 3; threads++) {
            par_set_threads(threads);
            k_matmul(a, b, y, m, k, n, 0, NULL, NULL, NULL);
            for (int64_t i = 0; i < m; i++)
                for (int64_t j = 0; j < n; j++) {
                    double acc = 0;
                    for (int64_t q = 0; q < k; q++)
                        acc += (double)a[i * k + q] * b[q * n + j];
                    want[i * n + j] = acc;
                }
            expect_close("matmul split", y, want, (size_t)(m * n));
        }
        par_set_threads(0);
        free(a);
        free(b);
        free(c);
        free(y);
        free(want);
    }
    ck_assert_int_eq(par_threads(), before);
}
END_TEST

/* Every fused activation, on a 3x3 grouped case, a depthwise one and a 1x1 one. */
START_TEST(test_conv_fused_activations)
{
    const k_act acts[] = {
        {K_ACT_RELU, {0}, 0, 0, 0},
        {K_ACT_CLIP, {-0.5f, 0.75f}, 0, 0, 0},
        {K_ACT_CLIP, {0.0f, 6.0f}, 1, 0.5f, -0.25f},
        {K_ACT_HARDSIGMOID, {0.2f, 0.5f}, 0, 0, 0},
        {K_ACT_HARDSWISH, {3.0f, 0.0f, 6.0f, 6.0f}, 0, 0, 0},
        {K_ACT_HARDSWISH_MD, {3.0f, 0.0f, 6.0f, 6.0f}, 1, 1.5f, 0.125f},
    };
    /* wide inputs so that every branch of each activation is taken */
    conv_case cases[] = {{1, 4, 6, 7, 6, 3, 3, 2, 1, 1, 1, 0, 0, 1, 1, 1, 1},
                         {2, 5, 9, 10, 5, 3, 3, 5, 2, 2, 1, 1, 1, 1, 1, 1, 1},
                         {1, 6, 5, 4, 7, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1}};
    for (size_t a = 0; a < sizeof(acts) / sizeof(acts[0]); a++)
        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
            check_conv_act_case(&cases[c], 40 + a * 3 + c, &acts[a]);
}
END_TEST

/* k_activate gives exactly the float the unfused kernels give, one after another. */
START_TEST(test_activate_matches_unfused_kernels)
{
    size_t n = 257;
    float *x = rand_array(n, 77, -8, 8), *y = falloc(n), *t = falloc(n), *u = falloc(n);
    k_act hs = {K_ACT_HARDSWISH, {3.0f, 0.0f, 6.0f, 6.0f}, 1, 0.75f, 0.5f};
    memcpy(y, x, n * sizeof(float));
    k_activate(&hs, y, n);
    for (size_t i = 0; i < n; i++)
        t[i] = x[i] + 3.0f;
    k_clip(t, u, n, 0.0f, 6.0f);
    for (size_t i = 0; i < n; i++) {
        float v = x[i] * (u[i] / 6.0f);
        v = v * 0.75f;
        ck_assert_msg(y[i] == v + 0.5f, "hardswish[%zu]: %.9g vs %.9g", i, (double)y[i], (double)(v + 0.5f));
    }
    k_act rl = {K_ACT_RELU, {0}, 0, 0, 0};
    memcpy(y, x, n * sizeof(float));
    k_activate(&rl, y, n);
    k_relu(x, t, n);
    ck_assert_mem_eq(y, t, n * sizeof(float));
    free(x);
    free(y);
    free(t);
    free(u);
}
END_TEST

/* --- matrix products --------------------------------------------------------- */

/* Reference batched matmul; batch axes broadcast where a or b has 1. */
static void ref_matmul(const float *a, const float *b, double *y, int64_t m, int64_t k, int64_t n, int br,
                       const int64_t *ab, const int64_t *bb, const int64_t *yb)
{
    int64_t batches = 1;
    for (int i = 0; i < br; i++)
        batches *= yb[i];
    for (int64_t t = 0; t < batches; t++) {
        int64_t rem = t, ia = 0, ib = 0, sa = 1, sb = 1;
        for (int i = br - 1; i >= 0; i--) {
            int64_t idx = rem % yb[i];
            rem /= yb[i];
            ia += (ab[i] == 1 ? 0 : idx) * sa;
            ib += (bb[i] == 1 ? 0 : idx) * sb;
            sa *= ab[i];
            sb *= bb[i];
        }
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                double acc = 0;
                for (int64_t q = 0; q < k; q++)
                    acc += (double)a[ia * m * k + i * k + q] * b[ib * k * n + q * n + j];
                y[t * m * n + i * n + j] = acc;
            }
    }
}

static void check_matmul(int64_t m, int64_t k, int64_t n, int br, const int64_t *ab, const int64_t *bb,
                         uint64_t seed)
{
    int64_t yb[K_MAX_RANK], na = m * k, nb = k * n, ny = m * n;
    for (int i = 0; i < br; i++) {
        yb[i] = ab[i] > bb[i] ? ab[i] : bb[i];
        na *= ab[i];
        nb *= bb[i];
        ny *= yb[i];
    }
    float *a = rand_array((size_t)na, seed, -1, 1), *b = rand_array((size_t)nb, seed + 1, -1, 1);
    float *y = falloc((size_t)ny);
    double *want = dalloc((size_t)ny);
    ref_matmul(a, b, want, m, k, n, br, ab, bb, yb);
    k_matmul(a, b, y, m, k, n, br, ab, bb, yb);
    expect_close("matmul", y, want, (size_t)ny);
    free(a);
    free(b);
    free(y);
    free(want);
}

START_TEST(test_matmul_2d)
{
    check_matmul(5, 7, 3, 0, NULL, NULL, 21);
}
END_TEST

START_TEST(test_matmul_batched_broadcast_both_sides)
{
    /* [2,1,3,4] x [5,4,6] -> [2,5,3,6] */
    int64_t ab[2] = {2, 1}, bb[2] = {1, 5};
    check_matmul(3, 4, 6, 2, ab, bb, 22);
}
END_TEST

START_TEST(test_matmul_batched_shared_b)
{
    /* [3,4,5] x [5,2]: b broadcast over the batch */
    int64_t ab[1] = {3}, bb[1] = {1};
    check_matmul(4, 5, 2, 1, ab, bb, 23);
}
END_TEST

START_TEST(test_matmul_batched_shared_a)
{
    int64_t ab[1] = {1}, bb[1] = {4};
    check_matmul(3, 5, 2, 1, ab, bb, 24);
}
END_TEST

START_TEST(test_matmul_1d_promotions)
{
    /* [K] x [B,K,N]: a promoted to [1,K]; [B,M,K] x [K]: b promoted to [K,1]; [K] x [K] */
    int64_t one[1] = {1}, three[1] = {3};
    check_matmul(1, 6, 4, 1, one, three, 25);
    check_matmul(4, 6, 1, 1, three, one, 26);
    check_matmul(1, 9, 1, 0, NULL, NULL, 27);
}
END_TEST

static void check_gemm(int64_t m, int64_t k, int64_t n, int ta, int tb, float alpha, float beta, int64_t cr,
                       int64_t cc, int with_c, uint64_t seed)
{
    float *a = rand_array((size_t)(m * k), seed, -1, 1), *b = rand_array((size_t)(k * n), seed + 1, -1, 1);
    float *c = with_c ? rand_array((size_t)(cr * cc), seed + 2, -1, 1) : NULL;
    float *y = falloc((size_t)(m * n));
    double *want = dalloc((size_t)(m * n));
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double acc = 0;
            for (int64_t q = 0; q < k; q++) {
                double av = ta ? a[q * m + i] : a[i * k + q];
                double bv = tb ? b[j * k + q] : b[q * n + j];
                acc += av * bv;
            }
            double cv = c ? c[(cr == 1 ? 0 : i) * cc + (cc == 1 ? 0 : j)] : 0.0;
            want[i * n + j] = alpha * acc + beta * cv;
        }
    k_gemm(a, b, c, y, m, k, n, ta, tb, alpha, beta, cr, cc);
    char what[64];
    snprintf(what, sizeof(what), "gemm ta=%d tb=%d c=%lldx%lld", ta, tb, (long long)cr, (long long)cc);
    expect_close(what, y, want, (size_t)(m * n));
    free(a);
    free(b);
    free(c);
    free(y);
    free(want);
}

START_TEST(test_gemm_all_transpose_combos_alpha_beta)
{
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            check_gemm(5, 7, 3, ta, tb, 0.7f, 1.3f, 5, 3, 1, (uint64_t)(31 + ta * 2 + tb));
}
END_TEST

START_TEST(test_gemm_c_broadcast_row_column_scalar)
{
    check_gemm(4, 6, 5, 0, 1, 1.0f, 0.5f, 1, 5, 1, 41); /* [N] */
    check_gemm(4, 6, 5, 1, 0, 2.0f, 1.0f, 4, 1, 1, 42); /* [M,1] */
    check_gemm(4, 6, 5, 1, 1, 1.0f, -2.0f, 1, 1, 1, 43); /* scalar */
}
END_TEST

START_TEST(test_gemm_without_c_and_beta_zero)
{
    check_gemm(3, 4, 5, 0, 0, 1.5f, 1.0f, 1, 1, 0, 44);
    /* beta 0: C must not contribute even where it holds NaN */
    float a[4] = {1, 2, 3, 4}, b[4] = {1, 0, 0, 1}, c[4] = {NAN, NAN, NAN, NAN}, y[4];
    k_gemm(a, b, c, y, 2, 2, 2, 0, 0, 1.0f, 0.0f, 2, 2);
    for (int i = 0; i < 4; i++)
        ck_assert_float_eq(y[i], a[i]);
}
END_TEST

/* --- elementwise ------------------------------------------------------------- */

static double ref_op(k_binop op, double a, double b)
{
    switch (op) {
    case K_ADD:
        return a + b;
    case K_SUB:
        return a - b;
    case K_MUL:
        return a * b;
    case K_DIV:
        return a / b;
    case K_POW:
        return pow(a, b);
    }
    return 0;
}

/* Broadcast shapes given at their own ranks, right-aligned as numpy does. */
static void check_binary(k_binop op, int ra, const int64_t *ad_in, int rb, const int64_t *bd_in, uint64_t seed)
{
    int rank = ra > rb ? ra : rb;
    int64_t ad[K_MAX_RANK], bd[K_MAX_RANK], yd[K_MAX_RANK];
    int64_t na = 1, nb = 1, ny = 1;
    for (int i = 0; i < rank; i++) {
        ad[i] = i < rank - ra ? 1 : ad_in[i - (rank - ra)];
        bd[i] = i < rank - rb ? 1 : bd_in[i - (rank - rb)];
        yd[i] = ad[i] > bd[i] ? ad[i] : bd[i];
        ck_assert_msg(ad[i] == yd[i] || ad[i] == 1, "test shapes do not broadcast");
        ck_assert_msg(bd[i] == yd[i] || bd[i] == 1, "test shapes do not broadcast");
        na *= ad[i];
        nb *= bd[i];
        ny *= yd[i];
    }
    /* divisors kept away from 0 */
    float *a = rand_array((size_t)na, seed, -2, 2), *b = rand_array((size_t)nb, seed + 1, 0.5f, 2);
    float *y = falloc((size_t)ny);
    double *want = dalloc((size_t)ny);
    for (int64_t t = 0; t < ny; t++) {
        int64_t rem = t, ia = 0, ib = 0, sa = 1, sb = 1;
        for (int i = rank - 1; i >= 0; i--) {
            int64_t idx = rem % yd[i];
            rem /= yd[i];
            ia += (ad[i] == 1 ? 0 : idx) * sa;
            ib += (bd[i] == 1 ? 0 : idx) * sb;
            sa *= ad[i];
            sb *= bd[i];
        }
        want[t] = ref_op(op, a[ia], b[ib]);
    }
    k_binary_broadcast(op, a, ad, b, bd, y, yd, rank);
    expect_close("binary", y, want, (size_t)ny);
    free(a);
    free(b);
    free(y);
    free(want);
}

START_TEST(test_binary_equal_shapes_all_ops)
{
    int64_t d[3] = {3, 4, 5};
    for (int op = K_ADD; op <= K_DIV; op++)
        check_binary((k_binop)op, 3, d, 3, d, (uint64_t)(50 + op));
}
END_TEST

START_TEST(test_binary_scalar_on_either_side)
{
    int64_t d[2] = {6, 7};
    for (int op = K_ADD; op <= K_DIV; op++) {
        check_binary((k_binop)op, 2, d, 0, NULL, (uint64_t)(60 + op));
        check_binary((k_binop)op, 0, NULL, 2, d, (uint64_t)(64 + op));
        check_binary((k_binop)op, 0, NULL, 0, NULL, (uint64_t)(68 + op));
    }
}
END_TEST

START_TEST(test_binary_per_channel_c11)
{
    int64_t x[4] = {2, 3, 4, 5}, ch[3] = {3, 1, 1};
    check_binary(K_MUL, 4, x, 3, ch, 70);
    check_binary(K_SUB, 3, ch, 4, x, 71);
}
END_TEST

START_TEST(test_binary_rank_mismatch_trailing)
{
    int64_t x[3] = {2, 3, 4}, v[1] = {4}, m[2] = {3, 4};
    check_binary(K_ADD, 3, x, 1, v, 72);
    check_binary(K_DIV, 2, m, 3, x, 73);
}
END_TEST

START_TEST(test_binary_both_sides_broadcast_3x1_1x4)
{
    int64_t a[2] = {3, 1}, b[2] = {1, 4};
    for (int op = K_ADD; op <= K_DIV; op++)
        check_binary((k_binop)op, 2, a, 2, b, (uint64_t)(80 + op));
}
END_TEST

START_TEST(test_binary_interleaved_broadcast_axes)
{
    int64_t a[4] = {2, 1, 4, 1}, b[4] = {1, 3, 1, 5}, c[3] = {3, 4, 1}, d[1] = {1};
    check_binary(K_SUB, 4, a, 4, b, 90);
    check_binary(K_ADD, 4, b, 3, c, 91);
    check_binary(K_MUL, 3, c, 1, d, 92);
}
END_TEST

START_TEST(test_unary_relu_sigmoid_tanh)
{
    const size_t n = 257;
    float *x = rand_array(n, 100, -6, 6), *y = falloc(n);
    double *want = dalloc(n);
    for (size_t i = 0; i < n; i++)
        want[i] = x[i] > 0 ? x[i] : 0;
    k_relu(x, y, n);
    expect_close("relu", y, want, n);
    for (size_t i = 0; i < n; i++)
        want[i] = 1.0 / (1.0 + exp(-(double)x[i]));
    k_sigmoid(x, y, n);
    expect_close("sigmoid", y, want, n);
    for (size_t i = 0; i < n; i++)
        want[i] = tanh((double)x[i]);
    k_tanh(x, y, n);
    expect_close("tanh", y, want, n);
    free(x);
    free(y);
    free(want);
}
END_TEST

START_TEST(test_sigmoid_extremes_do_not_overflow)
{
    float x[4] = {-200.0f, 200.0f, -89.0f, 89.0f}, y[4];
    k_sigmoid(x, y, 4);
    ck_assert_float_eq(y[0], 0.0f);
    ck_assert_float_eq(y[1], 1.0f);
    ck_assert(y[2] >= 0.0f && y[2] < 1e-30f);
    ck_assert_float_eq(y[3], 1.0f);
}
END_TEST

/*
 * Sigmoid on long arrays (the AVX2 copy's eight-lane exp, its tail, the pool's
 * pieces) over [-100, 100], plain and AVX2, at 1 to 3 participants; the
 * extremes in lanes of a full vector stay in [0, 1] and saturate.
 */
START_TEST(test_sigmoid_vector_paths_and_extremes)
{
    const size_t n = 70001;
    float *x = rand_array(n, 104, -100, 100), *y = falloc(n);
    double *want = dalloc(n);
    for (size_t i = 0; i < 16; i++)
        x[i] = i % 2 ? 200.0f + (float)i : -200.0f - (float)i;
    for (size_t i = 0; i < n; i++)
        want[i] = 1.0 / (1.0 + exp(-(double)x[i]));
    for (int plain = 0; plain < 2; plain++)
        for (int threads = 1; threads <= 3; threads++) {
            k_kernels_plain(plain);
            par_set_threads(threads);
            k_sigmoid(x, y, n);
            expect_close("sigmoid", y, want, n);
            for (size_t i = 0; i < 16; i++)
                ck_assert(i % 2 ? y[i] == 1.0f : y[i] >= 0.0f && y[i] < 1e-30f);
        }
    k_kernels_plain(0);
    par_set_threads(0);
    free(x);
    free(y);
    free(want);
}
END_TEST

START_TEST(test_hardsigmoid_saturates_both_ends)
{
    const size_t n = 200;
    float *x = rand_array(n, 101, -8, 8), *y = falloc(n);
    double *want = dalloc(n);
    const double alpha = 0.3, beta = 0.4;
    for (size_t i = 0; i < n; i++) {
        double v = alpha * x[i] + beta;
        want[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
    k_hardsigmoid(x, y, n, 0.3f, 0.4f);
    expect_close("hardsigmoid", y, want, n);
    free(x);
    free(y);
    free(want);
}
END_TEST

START_TEST(test_clip_bounds_and_inverted_bounds)
{
    const size_t n = 100;
    float *x = rand_array(n, 102, -3, 3), *y = falloc(n);
    double *want = dalloc(n);
    for (size_t i = 0; i < n; i++)
        want[i] = x[i] < -1 ? -1 : x[i] > 0.5 ? 0.5 : x[i];
    k_clip(x, y, n, -1.0f, 0.5f);
    expect_close("clip", y, want, n);
    /* min > max: ONNX's min(max(x, lo), hi) gives hi everywhere */
    for (size_t i = 0; i < n; i++)
        want[i] = -2.0;
    k_clip(x, y, n, 1.0f, -2.0f);
    expect_close("clip inverted", y, want, n);
    free(x);
    free(y);
    free(want);
}
END_TEST

/* --- softmax ----------------------------------------------------------------- */

static void check_softmax_axis(const int64_t *dims, int rank, int axis, uint64_t seed, float scale)
{
    int64_t outer = 1, inner = 1, len = dims[axis], n = 1;
    for (int i = 0; i < rank; i++)
        n *= dims[i];
    for (int i = 0; i < axis; i++)
        outer *= dims[i];
    for (int i = axis + 1; i < rank; i++)
        inner *= dims[i];
    float *x = rand_array((size_t)n, seed, -scale, scale), *y = falloc((size_t)n);
    double *want = dalloc((size_t)n);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            double mx = -INFINITY, sum = 0;
            for (int64_t j = 0; j < len; j++)
                mx = fmax(mx, x[(o * len + j) * inner + i]);
            for (int64_t j = 0; j < len; j++)
                sum += exp(x[(o * len + j) * inner + i] - mx);
            for (int64_t j = 0; j < len; j++)
                want[(o * len + j) * inner + i] = exp(x[(o * len + j) * inner + i] - mx) / sum;
        }
    k_softmax(x, y, outer, len, inner);
    expect_close("softmax", y, want, (size_t)n);
    free(x);
    free(y);
    free(want);
}

START_TEST(test_softmax_axis0_axis1_last)
{
    int64_t d[3] = {3, 4, 5};
    check_softmax_axis(d, 3, 0, 110, 3);
    check_softmax_axis(d, 3, 1, 111, 3);
    check_softmax_axis(d, 3, 2, 112, 3);
}
END_TEST

START_TEST(test_softmax_large_logits_stable)
{
    int64_t d[2] = {4, 33};
    check_softmax_axis(d, 2, 1, 113, 500);
}
END_TEST

/* Rows of the AVX2 copy's length and with a tail (6625 classes, 37), many rows (the pool's pieces), plain and AVX2. */
START_TEST(test_softmax_long_rows_both_paths)
{
    int64_t a[2] = {40, 6625}, b[3] = {9, 37, 1}, c[2] = {3, 7};
    for (int plain = 0; plain < 2; plain++)
        for (int threads = 1; threads <= 3; threads++) {
            k_kernels_plain(plain);
            par_set_threads(threads);
            check_softmax_axis(a, 2, 1, 114, 20);
            check_softmax_axis(b, 3, 1, 115, 90);
            check_softmax_axis(c, 2, 1, 116, 3);
        }
    k_kernels_plain(0);
    par_set_threads(0);
}
END_TEST

/* --- pooling ----------------------------------------------------------------- */

typedef struct pool_case {
    int64_t n, c, h, w, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw;
    int ceil_mode;
} pool_case;

/* Output size, written out from the ONNX/PyTorch rule rather than shared with the operator layer (shim/engine/ops_*.c). */
static int64_t pool_out(int64_t in, int64_t pb, int64_t pe, int64_t k, int64_t d, int64_t s, int ceil_mode)
{
    int64_t span = in + pb + pe - d * (k - 1) - 1;
    int64_t out = ceil_mode ? (span + s - 1) / s + 1 : span / s + 1;
    if (ceil_mode && (out - 1) * s >= in + pb)
        out--;
    return out;
}

/* mode 0: max; 1: average excluding pads; 2: average including pads */
static void check_pool(const pool_case *pc, int mode, uint64_t seed)
{
    int64_t oh = pool_out(pc->h, pc->pt, pc->pb, pc->kh, pc->dh, pc->sh, pc->ceil_mode);
    int64_t ow = pool_out(pc->w, pc->pl, pc->pr, pc->kw, pc->dw, pc->sw, pc->ceil_mode);
    size_t nx = (size_t)(pc->n * pc->c * pc->h * pc->w), ny = (size_t)(pc->n * pc->c * oh * ow);
    float *x = rand_array(nx, seed, -5, 5), *y = falloc(ny);
    double *want = dalloc(ny);
    for (int64_t p = 0; p < pc->n * pc->c; p++)
        for (int64_t oy = 0; oy < oh; oy++)
            for (int64_t ox = 0; ox < ow; ox++) {
                double mx = -INFINITY, sum = 0;
                int64_t inside = 0, in_pad = 0;
                for (int64_t ky = 0; ky < pc->kh; ky++)
                    for (int64_t kx = 0; kx < pc->kw; kx++) {
                        int64_t iy = oy * pc->sh - pc->pt + ky * pc->dh;
                        int64_t ix = ox * pc->sw - pc->pl + kx * pc->dw;
                        if (iy >= -pc->pt && iy < pc->h + pc->pb && ix >= -pc->pl && ix < pc->w + pc->pr)
                            in_pad++;
                        if (iy < 0 || iy >= pc->h || ix < 0 || ix >= pc->w)
                            continue;
                        double v = x[(p * pc->h + iy) * pc->w + ix];
                        mx = v > mx ? v : mx;
                        sum += v;
                        inside++;
                    }
                double r = mode == 0 ? mx : mode == 1 ? sum / (double)inside : sum / (double)in_pad;
                want[(p * oh + oy) * ow + ox] = r;
            }
    k_pool2d_shape s = {.n = pc->n, .c = pc->c, .h = pc->h, .w = pc->w, .oh = oh, .ow = ow, .kh = pc->kh,
                        .kw = pc->kw, .stride_h = pc->sh, .stride_w = pc->sw, .pad_t = pc->pt, .pad_l = pc->pl,
                        .pad_b = pc->pb, .pad_r = pc->pr, .dil_h = pc->dh, .dil_w = pc->dw};
    if (mode == 0)
        k_maxpool2d(&s, x, y);
    else
        k_avgpool2d(&s, x, y, mode == 2);
    expect_close(mode == 0 ? "maxpool" : mode == 1 ? "avgpool excl pad" : "avgpool incl pad", y, want, ny);
    free(x);
    free(y);
    free(want);
}

START_TEST(test_maxpool_3x3_stride2_pads)
{
    pool_case pc = {2, 3, 9, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0};
    check_pool(&pc, 0, 120);
}
END_TEST

START_TEST(test_maxpool_ceil_mode_asymmetric_pads)
{
    pool_case pc = {1, 2, 10, 7, 3, 2, 2, 2, 1, 0, 0, 1, 1, 1, 1};
    check_pool(&pc, 0, 121);
    /* last window would start in the right padding: dropped */
    pool_case pc2 = {1, 1, 5, 5, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1};
    ck_assert_int_eq(pool_out(5, 1, 1, 2, 1, 2, 1), 3);
    check_pool(&pc2, 0, 122);
}
END_TEST

START_TEST(test_maxpool_dilation2)
{
    pool_case pc = {1, 2, 9, 9, 2, 3, 1, 2, 1, 0, 1, 2, 2, 2, 0};
    check_pool(&pc, 0, 123);
}
END_TEST

START_TEST(test_avgpool_count_include_pad_both_ways)
{
    pool_case pc = {2, 2, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0};
    check_pool(&pc, 1, 130);
    check_pool(&pc, 2, 131);
}
END_TEST

START_TEST(test_avgpool_ceil_mode_divisor_clipped)
{
    /* ceil windows hang past the padding: those cells count in neither mode */
    pool_case pc = {1, 3, 6, 7, 3, 3, 2, 2, 1, 0, 0, 1, 1, 1, 1};
    check_pool(&pc, 1, 132);
    check_pool(&pc, 2, 133);
}
END_TEST

START_TEST(test_avgpool_no_pads_stride1)
{
    pool_case pc = {1, 4, 5, 6, 2, 2, 1, 1, 0, 0, 0, 0, 1, 1, 0};
    check_pool(&pc, 1, 134);
    check_pool(&pc, 2, 135);
}
END_TEST

/* Planes shorter than, equal to and past the kernel's eight partial sums, with a remainder. */
START_TEST(test_global_avgpool)
{
    const int64_t planes = 6, sizes[] = {1, 7, 8, 37, 1000};
    for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
        const int64_t plane = sizes[t];
        float *x = rand_array((size_t)(planes * plane), 140 + t, -3, 3), *y = falloc((size_t)planes);
        double *want = dalloc((size_t)planes);
        for (int64_t p = 0; p < planes; p++) {
            for (int64_t i = 0; i < plane; i++)
                want[p] += x[p * plane + i];
            want[p] /= (double)plane;
        }
        k_global_avgpool(x, y, planes, plane);
        expect_close("global avgpool", y, want, (size_t)planes);
        free(x);
        free(y);
        free(want);
    }
}
END_TEST

START_TEST(test_batchnorm_inference)
{
    const int64_t n = 2, c = 3, sp = 10;
    float *x = rand_array((size_t)(n * c * sp), 150, -3, 3), *y = falloc((size_t)(n * c * sp));
    float *scale = rand_array((size_t)c, 151, 0.5f, 2), *bias = rand_array((size_t)c, 152, -1, 1);
    float *mean = rand_array((size_t)c, 153, -1, 1), *var = rand_array((size_t)c, 154, 0.1f, 3);
    double *want = dalloc((size_t)(n * c * sp));
    const float eps = 1e-3f;
    for (int64_t b = 0; b < n; b++)
        for (int64_t ch = 0; ch < c; ch++)
            for (int64_t i = 0; i < sp; i++) {
                int64_t k = (b * c + ch) * sp + i;
                want[k] = scale[ch] * (x[k] - mean[ch]) / sqrt((double)var[ch] + eps) + bias[ch];
            }
    k_batchnorm(x, y, n, c, sp, scale, bias, mean, var, eps);
    expect_close("batchnorm", y, want, (size_t)(n * c * sp));
    free(x);
    free(y);
    free(scale);
    free(bias);
    free(mean);
    free(var);
    free(want);
}
END_TEST

/* --- data movement ----------------------------------------------------------- */

static void check_transpose(const int64_t *dims, const int64_t *perm, int rank, uint64_t seed)
{
    int64_t n = 1, xs[K_MAX_RANK], yd[K_MAX_RANK];
    for (int i = 0; i < rank; i++)
        n *= dims[i];
    xs[rank - 1] = 1;
    for (int i = rank - 2; i >= 0; i--)
        xs[i] = xs[i + 1] * dims[i + 1];
    for (int i = 0; i < rank; i++)
        yd[i] = dims[perm[i]];
    float *x = rand_array((size_t)n, seed, -1, 1), *y = falloc((size_t)n);
    double *want = dalloc((size_t)n);
    for (int64_t t = 0; t < n; t++) {
        int64_t rem = t, src = 0;
        for (int i = rank - 1; i >= 0; i--) {
            src += (rem % yd[i]) * xs[perm[i]];
            rem /= yd[i];
        }
        want[t] = x[src];
    }
    k_transpose(x, y, dims, perm, rank);
    expect_close("transpose", y, want, (size_t)n);
    free(x);
    free(y);
    free(want);
}

START_TEST(test_transpose_all_perms_rank4)
{
    int64_t dims[4] = {2, 3, 4, 5};
    int count = 0;
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++)
            for (int c = 0; c < 4; c++)
                for (int d = 0; d < 4; d++) {
                    if (a == b || a == c || a == d || b == c || b == d || c == d)
                        continue;
                    int64_t perm[4] = {a, b, c, d};
                    check_transpose(dims, perm, 4, (uint64_t)(160 + count++));
                }
    ck_assert_int_eq(count, 24);
}
END_TEST

START_TEST(test_transpose_unit_dims_and_large_2d)
{
    int64_t d1[4] = {1, 3, 1, 4}, p1[4] = {3, 2, 0, 1};
    check_transpose(d1, p1, 4, 190);
    int64_t d2[2] = {70, 45}, p2[2] = {1, 0};
    check_transpose(d2, p2, 2, 191);
    int64_t d3[1] = {9}, p3[1] = {0};
    check_transpose(d3, p3, 1, 192);
    int64_t d4[5] = {2, 3, 2, 3, 2}, p4[5] = {4, 0, 3, 1, 2};
    check_transpose(d4, p4, 5, 193);
    /* NCHW -> NHWC */
    int64_t d5[4] = {2, 5, 6, 7}, p5[4] = {0, 2, 3, 1};
    check_transpose(d5, p5, 4, 194);
}
END_TEST

START_TEST(test_concat_each_axis)
{
    const int64_t base[3] = {2, 3, 4};
    for (int axis = 0; axis < 3; axis++) {
        int64_t sizes[3] = {1, 3, 2}, dims[3][3];
        const float *in[3];
        float *bufs[3];
        int64_t outer = 1, inner = 1, total = 0, ny = 1;
        for (int k = 0; k < 3; k++) {
            memcpy(dims[k], base, sizeof(base));
            dims[k][axis] = sizes[k];
            bufs[k] = rand_array((size_t)(dims[k][0] * dims[k][1] * dims[k][2]), (uint64_t)(200 + axis * 3 + k),
                                 -1, 1);
            in[k] = bufs[k];
            total += sizes[k];
        }
        for (int i = 0; i < axis; i++)
            outer *= base[i];
        for (int i = axis + 1; i < 3; i++)
            inner *= base[i];
        int64_t yd[3] = {base[0], base[1], base[2]};
        yd[axis] = total;
        ny = yd[0] * yd[1] * yd[2];
        float *y = falloc((size_t)ny);
        double *want = dalloc((size_t)ny);
        for (int64_t i0 = 0; i0 < yd[0]; i0++)
            for (int64_t i1 = 0; i1 < yd[1]; i1++)
                for (int64_t i2 = 0; i2 < yd[2]; i2++) {
                    int64_t idx[3] = {i0, i1, i2}, k = 0;
                    while (idx[axis] >= sizes[k])
                        idx[axis] -= sizes[k++];
                    want[(i0 * yd[1] + i1) * yd[2] + i2] =
                        in[k][(idx[0] * dims[k][1] + idx[1]) * dims[k][2] + idx[2]];
                }
        k_concat((const void *const *)in, sizes, 3, y, outer, inner, sizeof(float));
        expect_close("concat", y, want, (size_t)ny);
        for (int k = 0; k < 3; k++)
            free(bufs[k]);
        free(y);
        free(want);
    }
}
END_TEST

START_TEST(test_concat_int64_elements)
{
    int64_t a[4] = {1, 2, 3, 4}, b[2] = {-5, -6}, y[6];
    const void *in[2] = {a, b};
    int64_t mid[2] = {2, 1};
    k_concat(in, mid, 2, y, 2, 1, sizeof(int64_t)); /* [2,2] ++ [2,1] on axis 1 */
    int64_t want[6] = {1, 2, -5, 3, 4, -6};
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(y[i], want[i]);
}
END_TEST

static Suite *kernels_suite(void)
{
    Suite *s = suite_create("kernels");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_conv_3x3_pad1_with_bias);
    tcase_add_test(tc, test_conv_dilation2_stride2_asymmetric_pads);
    tcase_add_test(tc, test_conv_group2_no_bias);
    tcase_add_test(tc, test_conv_depthwise_stride2_pads);
    tcase_add_test(tc, test_conv_depthwise_channel_multiplier_dilated);
    tcase_add_test(tc, test_conv_1x1_pointwise_no_bias);
    tcase_add_test(tc, test_conv_1x1_stride2_uses_im2col);
    tcase_add_test(tc, test_conv_kernel_wider_than_input_with_pads);
    tcase_add_test(tc, test_conv_depthwise_random_shapes);
    tcase_add_test(tc, test_conv_direct_random_shapes);
    tcase_add_test(tc, test_par_for_runs_every_iteration_once);
    tcase_add_test(tc, test_pool_split_gives_the_same_result);
    tcase_add_test(tc, test_gemm_split_over_pool);
    tcase_add_test(tc, test_conv_fused_activations);
    tcase_add_test(tc, test_activate_matches_unfused_kernels);
    tcase_add_test(tc, test_matmul_2d);
    tcase_add_test(tc, test_matmul_batched_broadcast_both_sides);
    tcase_add_test(tc, test_matmul_batched_shared_b);
    tcase_add_test(tc, test_matmul_batched_shared_a);
    tcase_add_test(tc, test_matmul_1d_promotions);
    tcase_add_test(tc, test_gemm_all_transpose_combos_alpha_beta);
    tcase_add_test(tc, test_gemm_c_broadcast_row_column_scalar);
    tcase_add_test(tc, test_gemm_without_c_and_beta_zero);
    tcase_add_test(tc, test_binary_equal_shapes_all_ops);
    tcase_add_test(tc, test_binary_scalar_on_either_side);
    tcase_add_test(tc, test_binary_per_channel_c11);
    tcase_add_test(tc, test_binary_rank_mismatch_trailing);
    tcase_add_test(tc, test_binary_both_sides_broadcast_3x1_1x4);
    tcase_add_test(tc, test_binary_interleaved_broadcast_axes);
    tcase_add_test(tc, test_unary_relu_sigmoid_tanh);
    tcase_add_test(tc, test_sigmoid_extremes_do_not_overflow);
    tcase_add_test(tc, test_sigmoid_vector_paths_and_extremes);
    tcase_add_test(tc, test_hardsigmoid_saturates_both_ends);
    tcase_add_test(tc, test_clip_bounds_and_inverted_bounds);
    tcase_add_test(tc, test_softmax_axis0_axis1_last);
    tcase_add_test(tc, test_softmax_large_logits_stable);
    tcase_add_test(tc, test_softmax_long_rows_both_paths);
    tcase_add_test(tc, test_maxpool_3x3_stride2_pads);
    tcase_add_test(tc, test_maxpool_ceil_mode_asymmetric_pads);
    tcase_add_test(tc, test_maxpool_dilation2);
    tcase_add_test(tc, test_avgpool_count_include_pad_both_ways);
    tcase_add_test(tc, test_avgpool_ceil_mode_divisor_clipped);
    tcase_add_test(tc, test_avgpool_no_pads_stride1);
    tcase_add_test(tc, test_global_avgpool);
    tcase_add_test(tc, test_batchnorm_inference);
    tcase_add_test(tc, test_transpose_all_perms_rank4);
    tcase_add_test(tc, test_transpose_unit_dims_and_large_2d);
    tcase_add_test(tc, test_concat_each_axis);
    tcase_add_test(tc, test_concat_int64_elements);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(kernels_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0;
}
