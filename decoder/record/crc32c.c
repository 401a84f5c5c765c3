/*
 * crc32c.c - the record signature: CRC-32C in the vendor's variant
 * (reflected, polynomial 0x82F63B78, initial value 0xFFFFFFFF, no final
 * XOR).  "123456789" gives 0x1CF96D7C.
 *
 * Two implementations: the SSE4.2 crc32 instruction, eight bytes at a time,
 * and a portable slicing-by-8 table.  The choice is made once, at the first
 * call, from the CPU.  The span every record signs (bytes 4..511) takes a
 * faster path: three independent instruction streams over thirds of it,
 * joined with precomputed "shift by n zero bytes" tables, since one stream
 * waits on the instruction's latency.
 *
 * A whole record's signature (crc32c_record) has a faster path still on
 * CPUs with AVX-512 and VPCLMULQDQ: carry-less multiplication folds the
 * record 64 bytes at a time, four 128-bit lanes at once.  The record is
 * taken as 512 bytes whose first four (the signature) are zero and whose
 * next four carry the initial value; with an initial state of 0 the zeros
 * change nothing and the XOR is the same as starting from 0xFFFFFFFF, so
 * the folding covers exactly eight aligned 64-byte blocks.  Folding a
 * 128-bit lane (lo, hi: its first and last eight bytes) forward by F bytes
 * is clmul(lo, x^(8F+31) mod P) ^ clmul(hi, x^(8F-33) mod P), the
 * constants reflected like the CRC; the last 128 bits go through the crc32
 * instruction.  The constants are computed at start-up (xn_mod_p).
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "aclsub/record.h"
#include "decoder/record/crc32c.h"

#define CRC32C_POLY 0x82F63B78u

/* Slicing-by-8 tables; written once under crc_once, read-only afterwards. */
static uint32_t crc_table[8][256];
static uint32_t (*crc_impl)(uint32_t, const unsigned char *, size_t);
/* The record signature's implementation: set last in crc_init (release), read with acquire. */
static uint32_t (*rec_impl)(const unsigned char *);
static int impl_ok[CRC32C_NIMPL];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

/*
 * The record span is split into lanes of LANE_A, LANE_A and LANE_C bytes.
 * shift_bc / shift_c advance a CRC state over LANE_A + LANE_C / LANE_C zero
 * bytes, one table per state byte (the map is linear).  Built under crc_once.
 */
#define SPAN_LEN 508u
#define LANE_A 168u
#define LANE_C (SPAN_LEN - 2 * LANE_A)
static uint32_t shift_bc[4][256], shift_c[4][256];

uint32_t crc32c_bitwise(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (CRC32C_POLY & (0u - (crc & 1u)));
    }
    return crc;
}

static uint32_t crc_sw(uint32_t crc, const unsigned char *p, size_t len);

/* Tables that advance a state over n zero bytes (n <= ACLSUB_REC_SIZE): built from the 32 unit states. */
static void build_shift(uint32_t t[4][256], size_t n)
{
    static const unsigned char zeros[ACLSUB_REC_SIZE];
    uint32_t basis[32];
    for (int b = 0; b < 32; b++)
        basis[b] = crc_sw(1u << b, zeros, n);
    for (int k = 0; k < 4; k++)
        for (uint32_t v = 0; v < 256; v++) {
            uint32_t x = 0;
            for (int b = 0; b < 8; b++)
                if (v & (1u << b))
                    x ^= basis[8 * k + b];
            t[k][v] = x;
        }
}

static uint32_t shift_apply(const uint32_t t[4][256], uint32_t x)
{
    return t[0][x & 0xFF] ^ t[1][(x >> 8) & 0xFF] ^ t[2][(x >> 16) & 0xFF] ^ t[3][x >> 24];
}

static void crc_build_tables(void)
{
    for (uint32_t i = 0; i < 256; i++)
        crc_table[0][i] = crc32c_bitwise(0, &(unsigned char){(unsigned char)i}, 1);
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xFF];
}

static uint32_t crc_sw(uint32_t crc, const unsigned char *p, size_t len)
{
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        w ^= crc;
        crc = crc_table[7][w & 0xFF] ^ crc_table[6][(w >> 8) & 0xFF] ^ crc_table[5][(w >> 16) & 0xFF] ^
              crc_table[4][(w >> 24) & 0xFF] ^ crc_table[3][(w >> 32) & 0xFF] ^
              crc_table[2][(w >> 40) & 0xFF] ^ crc_table[1][(w >> 48) & 0xFF] ^ crc_table[0][w >> 56];
        p += 8;
        len -= 8;
    }
    while (len--)
        crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xFF];
    return crc;
}

#if defined(__x86_64__)
#include <nmmintrin.h>

__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t crc, const unsigned char *p, size_t len)
{
    uint64_t c = crc;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c = _mm_crc32_u64(c, w);
        p += 8;
        len -= 8;
    }
    crc = (uint32_t)c;
    while (len--)
        crc = _mm_crc32_u8(crc, *p++);
    return crc;
}

/* The record span: three lanes in flight at once. */
__attribute__((target("sse4.2"))) static uint32_t crc_hw_span(uint32_t crc, const unsigned char *p)
{
    uint64_t a = crc, b = 0, c = 0;
    const unsigned char *pb = p + LANE_A, *pc = p + 2 * LANE_A;
    for (size_t i = 0; i < LANE_A; i += 8) {
        uint64_t wa, wb, wc;
        memcpy(&wa, p + i, 8);
        memcpy(&wb, pb + i, 8);
        memcpy(&wc, pc + i, 8);
        a = _mm_crc32_u64(a, wa);
        b = _mm_crc32_u64(b, wb);
        c = _mm_crc32_u64(c, wc);
    }
    uint32_t tail;
    memcpy(&tail, pc + LANE_A, 4);
    c = _mm_crc32_u32((uint32_t)c, tail);
    return shift_apply(shift_bc, (uint32_t)a) ^ shift_apply(shift_c, (uint32_t)b) ^ (uint32_t)c;
}

static uint32_t crc_hw_dispatch(uint32_t crc, const unsigned char *p, size_t len)
{
    return len == SPAN_LEN ? crc_hw_span(crc, p) : crc_hw(crc, p, len);
}

static uint32_t rec_hw(const unsigned char *rec)
{
    return crc_hw_span(0xFFFFFFFFu, rec + 4);
}

#include <immintrin.h>

/* Fold constants (lo, hi) for 128, 64, 48, 32 and 16 bytes; built under crc_once. */
static uint64_t fold_k[5][2];

#define VPCLMUL_TARGET __attribute__((target("avx512f,avx2,vpclmulqdq,pclmul,sse4.2")))

/* Each 128-bit lane of x folded forward by the lane's constants in k, plus d. */
VPCLMUL_TARGET static inline __m512i fold512(__m512i x, __m512i k, __m512i d)
{
    return _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(x, k, 0x00), _mm512_clmulepi64_epi128(x, k, 0x11), d,
                                     0x96);
}

VPCLMUL_TARGET static __m512i lane_k(int i)
{
    return _mm512_broadcast_i32x4(_mm_set_epi64x((long long)fold_k[i][1], (long long)fold_k[i][0]));
}

VPCLMUL_TARGET static uint32_t rec_vpclmul(const unsigned char *p)
{
    const __m512i keep = _mm512_set_epi32(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0);
    const __m512i init = _mm512_set_epi32(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0);
    __m512i k128 = lane_k(0), k64 = lane_k(1);
    /* the last step: lanes 0, 1, 2 forward by 48, 32, 16 bytes onto lane 3 */
    __m512i kend = _mm512_set_epi64(0, 0, (long long)fold_k[4][1], (long long)fold_k[4][0], (long long)fold_k[3][1],
                                    (long long)fold_k[3][0], (long long)fold_k[2][1], (long long)fold_k[2][0]);
    __m512i a = _mm512_ternarylogic_epi64(_mm512_loadu_si512(p), keep, init, 0x6a); /* (p & keep) ^ init */
    __m512i b = _mm512_loadu_si512(p + 64);
    for (unsigned i = 128; i < ACLSUB_REC_SIZE; i += 128) {
        a = fold512(a, k128, _mm512_loadu_si512(p + i));
        b = fold512(b, k128, _mm512_loadu_si512(p + i + 64));
    }
    a = fold512(a, k64, b);
    __m512i t = fold512(a, kend, _mm512_maskz_mov_epi64(0xC0, a));
    __m256i u = _mm256_xor_si256(_mm512_castsi512_si256(t), _mm512_extracti64x4_epi64(t, 1));
    __m128i x = _mm_xor_si128(_mm256_castsi256_si128(u), _mm256_extracti128_si256(u, 1));
    uint64_t c = _mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(x));
    return (uint32_t)_mm_crc32_u64(c, (uint64_t)_mm_extract_epi64(x, 1));
}

#endif

static uint32_t rec_sw(const unsigned char *rec)
{
    return crc_sw(0xFFFFFFFFu, rec + 4, SPAN_LEN);
}

/* x^n mod P, reflected like the CRC (bit 31 is x^0). */
static uint32_t xn_mod_p(unsigned n)
{
    uint32_t v = 0x80000000u;
    while (n--)
        v = (v >> 1) ^ (CRC32C_POLY & (0u - (v & 1u)));
    return v;
}

static void crc_init(void)
{
    crc_build_tables();
    build_shift(shift_bc, LANE_A + LANE_C);
    build_shift(shift_c, LANE_C);
    crc_impl = crc_sw;
    uint32_t (*rec)(const unsigned char *) = rec_sw;
    impl_ok[CRC32C_PORTABLE] = 1;
#if defined(__x86_64__)
    static const unsigned fold_bytes[5] = {128, 64, 48, 32, 16};
    for (int i = 0; i < 5; i++) {
        fold_k[i][0] = xn_mod_p(8 * fold_bytes[i] + 31);
        fold_k[i][1] = xn_mod_p(8 * fold_bytes[i] - 33);
    }
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sse4.2")) {
        crc_impl = crc_hw_dispatch;
        rec = rec_hw;
        impl_ok[CRC32C_SSE42] = 1;
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") &&
            __builtin_cpu_supports("vpclmulqdq") && __builtin_cpu_supports("pclmul")) {
            rec = rec_vpclmul;
            impl_ok[CRC32C_VPCLMUL] = 1;
        }
    }
#endif
    __atomic_store_n(&rec_impl, rec, __ATOMIC_RELEASE);
}

uint32_t crc32c_update(uint32_t crc, const void *data, size_t len)
{
    pthread_once(&crc_once, crc_init);
    return crc_impl(crc, data, len);
}

uint32_t crc32c_portable(uint32_t crc, const void *data, size_t len)
{
    pthread_once(&crc_once, crc_init);
    return crc_sw(crc, data, len);
}

int crc32c_hw_available(void)
{
    pthread_once(&crc_once, crc_init);
    return crc_impl != crc_sw;
}

uint32_t crc32c_record(const void *rec)
{
    uint32_t (*f)(const unsigned char *) = __atomic_load_n(&rec_impl, __ATOMIC_ACQUIRE);
    if (!f) {
        pthread_once(&crc_once, crc_init);
        f = rec_impl;
    }
    return f(rec);
}

int crc32c_impl_available(crc32c_impl impl)
{
    pthread_once(&crc_once, crc_init);
    return (int)impl >= 0 && (int)impl < CRC32C_NIMPL && impl_ok[impl];
}

uint32_t crc32c_record_by(crc32c_impl impl, const void *rec)
{
    if (!crc32c_impl_available(impl))
        return 0;
    switch (impl) {
#if defined(__x86_64__)
    case CRC32C_SSE42:
        return rec_hw(rec);
    case CRC32C_VPCLMUL:
        return rec_vpclmul(rec);
#endif
    default:
        return rec_sw(rec);
    }
}

uint32_t aclsub_crc32c(const void *data, size_t len)
{
    return crc32c_update(0xFFFFFFFFu, data, len);
}

void crc32c_zeros_table(uint32_t t[4][256], size_t n)
{
    pthread_once(&crc_once, crc_init);
    build_shift(t, n <= ACLSUB_REC_SIZE ? n : ACLSUB_REC_SIZE);
}

uint32_t crc32c_zeros_apply(const uint32_t t[4][256], uint32_t x)
{
    return shift_apply(t, x);
}
