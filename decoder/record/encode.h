/*
 * encode.h - the encoder of record.c for a writer that computed the name
 * hash once (the emulated device hashes each operator's name at load and
 * encodes its records later, on the subscription writer's thread).
 */
#ifndef ACLSUB_DECODER_ENCODE_H_
#define ACLSUB_DECODER_ENCODE_H_

#include <stdint.h>

#include "aclsub/record.h"

/* aclsub_rec_encode with name_hash = aclsub_name_hash(r->name, r->name_len) given. */
void rec_encode_hashed(void *dst, const aclsub_rec *r, uint64_t name_hash);

/*
 * What every record of one operator has in common, prepared once (at model
 * load): bytes ACLSUB_OFF_NAME_HASH.. of the record (name hash, string
 * lengths, the arguments, zero, and the strings) with the string flags, and
 * that span's share of the signature, so that a record costs a copy, the
 * header's fields and the CRC of the header alone.
 */
#define REC_TMPL_OFF ACLSUB_OFF_NAME_HASH
#define REC_TMPL_LEN (ACLSUB_REC_SIZE - REC_TMPL_OFF)
typedef struct rec_tmpl {
    unsigned char tail[REC_TMPL_LEN];
    uint32_t tail_crc; /* CRC-32C of tail from state 0 */
    uint16_t str_flags;
} rec_tmpl;

/* Prepares t for records of the given strings (full strings; cut as the encoder cuts them). */
void rec_tmpl_init(rec_tmpl *t, const char *type, size_t type_len, const char *name, size_t name_len,
                   uint64_t name_hash);
/*
 * The record of r with t's strings: the same bytes as rec_encode_hashed
 * with t's strings and hash and zero arguments (r's strings and arguments
 * are not read).
 */
void rec_encode_tmpl(void *dst, const aclsub_rec *r, const rec_tmpl *t);

#endif /* ACLSUB_DECODER_ENCODE_H_ */
