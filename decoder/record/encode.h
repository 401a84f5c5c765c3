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

#endif /* ACLSUB_DECODER_ENCODE_H_ */
