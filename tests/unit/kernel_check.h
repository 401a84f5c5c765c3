/*
 * kernel_check.h - what the kernel tests share: seeded input arrays,
 * poisoned output arrays (an element a kernel forgets to write shows), and
 * the element-wise comparison against a reference computed in double.
 */
#ifndef ACLSUB_TESTS_KERNEL_CHECK_H_
#define ACLSUB_TESTS_KERNEL_CHECK_H_

#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "tests/unit/testutil.h"

#define RTOL 1e-4f
#define ATOL 1e-5f

static float *rand_array(size_t n, uint64_t seed, float lo, float hi)
{
    uint64_t st = seed * 0x9E3779B97F4A7C15ULL + 1;
    float *p = malloc((n ? n : 1) * sizeof(float));
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < n; i++)
        p[i] = tu_randf(&st, lo, hi);
    return p;
}

static double *dalloc(size_t n)
{
    double *p = calloc(n ? n : 1, sizeof(double));
    ck_assert_ptr_nonnull(p);
    return p;
}

/* Poisoned output, so an element the kernel forgets to write shows. */
static float *falloc(size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof(float));
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < n; i++)
        p[i] = 1234.5f;
    return p;
}

static void expect_close(const char *what, const float *got, const double *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(tu_close(got[i], (float)want[i], RTOL, ATOL), "%s[%zu]: got %.7g, expected %.7g", what, i,
                      (double)got[i], want[i]);
}

#endif /* ACLSUB_TESTS_KERNEL_CHECK_H_ */
