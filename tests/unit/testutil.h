/*
 * testutil.h - small helpers shared by the Check unit tests: a seeded
 * pseudo-random generator (so failures reproduce) and float comparison.
 */
#ifndef ACLSUB_TESTUTIL_H_
#define ACLSUB_TESTUTIL_H_

#include <math.h>
#include <stdint.h>

/* xorshift64*: deterministic across runs and platforms. */
static inline uint64_t tu_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform float in [lo, hi). */
static inline float tu_randf(uint64_t *state, float lo, float hi)
{
    return lo + (hi - lo) * (float)((tu_rand(state) >> 40) / (double)(1ULL << 24));
}

/* |a - b| <= atol + rtol * |b|, the numpy.allclose rule. */
static inline int tu_close(float a, float b, float rtol, float atol)
{
    return fabsf(a - b) <= atol + rtol * fabsf(b);
}

#endif /* ACLSUB_TESTUTIL_H_ */
