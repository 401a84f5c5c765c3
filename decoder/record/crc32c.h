/*
 * crc32c.h - CRC-32C internals shared by the record code and its tests.
 * The public entry point is aclsub_crc32c() in aclsub/record.h.
 */
#ifndef ACLSUB_DECODER_CRC32C_H_
#define ACLSUB_DECODER_CRC32C_H_

#include <stddef.h>
#include <stdint.h>

/* Continue a CRC (no pre- or post-conditioning): the dispatching version. */
uint32_t crc32c_update(uint32_t crc, const void *data, size_t len);
/* The portable table version, whatever the CPU has. */
uint32_t crc32c_portable(uint32_t crc, const void *data, size_t len);
/* One bit at a time: the reference the others are tested against. */
uint32_t crc32c_bitwise(uint32_t crc, const void *data, size_t len);
/*
 * t advances a CRC state over n zero bytes, n at most ACLSUB_REC_SIZE
 * (crc32c_update(x, zeros, n) == crc32c_zeros_apply(t, x)): a CRC is
 * linear, so the CRC of a buffer joins from its parts' CRCs.
 * crc32c_zeros_table fills t.
 */
void crc32c_zeros_table(uint32_t t[4][256], size_t n);
uint32_t crc32c_zeros_apply(const uint32_t t[4][256], uint32_t x);
/* 1 if the SSE4.2 instruction is in use. */
int crc32c_hw_available(void);

/* A record's signature: the CRC of its bytes 4..511 from 0xFFFFFFFF, by the fastest implementation. */
uint32_t crc32c_record(const void *rec);

/* The implementations of crc32c_record, for the tests. */
typedef enum { CRC32C_PORTABLE, CRC32C_SSE42, CRC32C_VPCLMUL, CRC32C_NIMPL } crc32c_impl;
/* 1 if this CPU runs impl. */
int crc32c_impl_available(crc32c_impl impl);
/* The signature by one implementation (0 if it is not available). */
uint32_t crc32c_record_by(crc32c_impl impl, const void *rec);

#endif /* ACLSUB_DECODER_CRC32C_H_ */
