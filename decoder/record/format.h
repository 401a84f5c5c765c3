/*
 * format.h - lets a runtime put another record format behind the
 * aclprofGetOp* accessors.  The emulated device uses it for its
 * vendor-format switch (80-byte records whose strings live in an
 * in-process table, as on the vendor's runtime); nothing else does.
 */
#ifndef ACLSUB_DECODER_FORMAT_H_
#define ACLSUB_DECODER_FORMAT_H_

#include <stddef.h>

#include "acl/acl_base.h"

enum { REC_STR_TYPE = 0, REC_STR_NAME = 1 };

typedef struct rec_format {
    size_t size; /* bytes per record; the numeric fields sit at the vendor's offsets */
    int (*valid)(const unsigned char *rec);
    /* String `which` of rec: its length with the NUL, and when dst is set, the copy. */
    aclError (*string)(const unsigned char *rec, int which, size_t *len, char *dst, size_t dst_len);
} rec_format;

/* Selects the format the accessors read (NULL: aclsub's own).  Set before records flow. */
void rec_format_select(const rec_format *f);

#endif /* ACLSUB_DECODER_FORMAT_H_ */
