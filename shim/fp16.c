/*
 * fp16.c - aclFloat16ToFloat and aclFloatToFloat16, bit-exact with the
 * vendor's saturating conversions.
 *
 * Rules: no Inf or NaN on either side.  An fp16 with the all-ones exponent
 * is read as an ordinary number (0x7C00 is 65536.0f, 0x7E00 98304.0f); a
 * float of magnitude 65536 or more, an Inf or a NaN becomes +-65504
 * (0x7BFF / 0xFBFF), as does a finite value that rounds up past 65504.
 * Rounding is to nearest, ties to even; values below half the smallest
 * fp16 denormal become a signed zero.  Float denormals become zero.
 */
#include <string.h>

#include "shim/emu.h"

#define F16_MAX_MAG 0x7BFFu /* 65504 */

static uint32_t float_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float bits_float(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

float aclFloat16ToFloat(aclFloat16 value)
{
    uint32_t sign = (uint32_t)(value >> 15) << 31;
    int32_t exp = (value >> 10) & 0x1F;
    uint32_t man = value & 0x3FFu;
    if (exp == 0) {
        if (man == 0)
            return bits_float(sign); /* +-0 */
        exp = 1;                     /* a denormal: shift it up to a normal float */
        while (!(man & 0x400u)) {
            man <<= 1;
            exp--;
        }
        man &= 0x3FFu;
    }
    /* Exponent 31 is an ordinary exponent here: 2^16 for 0x7C00. */
    return bits_float(sign | (uint32_t)(exp - 15 + 127) << 23 | man << 13);
}

/* (v >> shift) rounded to nearest, ties to even. */
static uint32_t shift_round_even(uint64_t v, unsigned shift)
{
    uint64_t kept = v >> shift;
    uint64_t rest = v & ((1ull << shift) - 1);
    uint64_t half = 1ull << (shift - 1);
    if (rest > half || (rest == half && (kept & 1)))
        kept++;
    return (uint32_t)kept;
}

/* Magnitude bits of the fp16 nearest to a float with biased exponent e and fraction m. */
static uint32_t f16_magnitude(uint32_t e, uint32_t m)
{
    if (e > 142) /* 2^16 and beyond, Inf, NaN */
        return F16_MAX_MAG;
    if (e >= 113) { /* a normal fp16: carrying out of the fraction bumps the exponent */
        uint32_t mag = ((e - 112) << 10) + shift_round_even(m, 13);
        return mag > F16_MAX_MAG ? F16_MAX_MAG : mag;
    }
    if (e >= 103) /* a denormal fp16 (may round up to the smallest normal, 0x0400) */
        return shift_round_even((uint64_t)(m | 0x800000u) << (e - 103), 23);
    if (e == 102 && m != 0) /* above half the smallest denormal */
        return 1;
    return 0;
}

aclFloat16 aclFloatToFloat16(float value)
{
    uint32_t u = float_bits(value);
    uint32_t sign = (u >> 16) & 0x8000u;
    return (aclFloat16)(sign | f16_magnitude((u >> 23) & 0xFFu, u & 0x7FFFFFu));
}
