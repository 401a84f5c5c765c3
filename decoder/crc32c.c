/*
 * crc32c.c - the record signature: CRC-32C in the vendor's variant
 * (reflected, polynomial 0x82F63B78, initial value 0xFFFFFFFF, no final
 * XOR).  "123456789" gives 0x1CF96D7C.
 *
 * Two implementations: the SSE4.2 crc32 instruction, eight bytes at a time,
 * and a portable slicing-by-8 table.  The choice is made once, at the first
 * call, from the CPU.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "aclsub/record.h"
#include "crc32c.h"

#define CRC32C_POLY 0x82F63B78u

/* Slicing-by-8 tables; written once under crc_once, read-only afterwards. */
static uint32_t crc_table[8][256];
static uint32_t (*crc_impl)(uint32_t, const unsigned char *, size_t);
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

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

#endif

static void crc_init(void)
{
    crc_build_tables();
    crc_impl = crc_sw;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sse4.2"))
        crc_impl = crc_hw;
#endif
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

uint32_t aclsub_crc32c(const void *data, size_t len)
{
    return crc32c_update(0xFFFFFFFFu, data, len);
}
