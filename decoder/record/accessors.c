/*
 * accessors.c - the aclprofGetOp* accessors over buffers of aclsub records.
 *
 * Every call validates the whole buffer the way the vendor's accessors do
 * (non-NULL, a non-zero multiple of the record size, every record's
 * signature right) and then reads one field of one record.  Unlike the
 * vendor's, strings come from the record itself, so they can be fetched any
 * number of times, in any process; the failure values are documented in
 * acl/acl_prof.h.  The library's own reader of whole records (aclsub_rec_get,
 * rec_peek) is view.c, so that libaclsub.so can link it without these
 * accessors (it exports accessors of its own, which must not collide).
 */
#include <stdio.h>
#include <string.h>

#include "acl/acl_prof.h"
#include "aclsub/record.h"
#include "decoder/record/format.h"
#include "decoder/record/le.h"
#include "decoder/record/reader.h"

/* The format a runtime selected instead of aclsub's (format.h); set once before use. */
static const rec_format *alt_format;

void rec_format_select(const rec_format *f)
{
    alt_format = f;
}

static size_t rec_size(void)
{
    return alt_format ? alt_format->size : ACLSUB_REC_SIZE;
}

static int rec_valid(const unsigned char *p)
{
    return alt_format ? alt_format->valid(p) : aclsub_rec_check(p) == ACLSUB_REC_OK;
}

/* The record at `index`, or NULL if the buffer or the index is not valid. */
static const unsigned char *record_at(const void *buf, size_t len, uint32_t index)
{
    size_t size = rec_size();
    if (!buf || len == 0 || len % size != 0)
        return NULL;
    size_t n = len / size;
    const unsigned char *p = buf;
    for (size_t i = 0; i < n; i++)
        if (!rec_valid(p + i * size))
            return NULL;
    if (index >= n)
        return NULL;
    return p + (size_t)index * size;
}

static size_t field_strlen(const unsigned char *rec, size_t off, size_t cap)
{
    return strnlen((const char *)rec + off, cap);
}

aclError aclprofGetOpDescSize(size_t *opDescSize)
{
    if (!opDescSize)
        return ACL_ERROR_INVALID_PARAM;
    *opDescSize = rec_size();
    return ACL_SUCCESS;
}

aclError aclprofGetOpNum(const void *opInfo, size_t opInfoLen, uint32_t *opNumber)
{
    if (!opInfo || !opNumber)
        return ACL_ERROR_INVALID_PARAM;
    if (opInfoLen == 0) { /* as the vendor: an empty buffer holds 0 records */
        *opNumber = 0;
        return ACL_SUCCESS;
    }
    if (!record_at(opInfo, opInfoLen, 0))
        return ACL_ERROR_INVALID_PARAM;
    if (opInfoLen / rec_size() > UINT32_MAX)
        return ACL_ERROR_INVALID_PARAM;
    *opNumber = (uint32_t)(opInfoLen / rec_size());
    return ACL_SUCCESS;
}

static aclError string_len(const void *buf, size_t len, uint32_t index, size_t off, size_t cap, size_t *out)
{
    const unsigned char *rec = record_at(buf, len, index);
    if (!rec || !out)
        return ACL_ERROR_INVALID_PARAM;
    if (alt_format)
        return alt_format->string(rec, off == ACLSUB_OFF_TYPE ? REC_STR_TYPE : REC_STR_NAME, out, NULL, 0);
    *out = field_strlen(rec, off, cap) + 1;
    return ACL_SUCCESS;
}

static aclError string_get(const void *buf, size_t len, uint32_t index, size_t off, size_t cap, char *dst,
                           size_t dst_len)
{
    const unsigned char *rec = record_at(buf, len, index);
    if (!rec || !dst)
        return ACL_ERROR_INVALID_PARAM;
    if (alt_format) {
        size_t need;
        return alt_format->string(rec, off == ACLSUB_OFF_TYPE ? REC_STR_TYPE : REC_STR_NAME, &need, dst, dst_len);
    }
    size_t n = field_strlen(rec, off, cap);
    if (dst_len < n + 1)
        return ACL_ERROR_INVALID_PARAM;
    memcpy(dst, rec + off, n);
    dst[n] = '\0';
    return ACL_SUCCESS;
}

aclError aclprofGetOpTypeLen(const void *opInfo, size_t opInfoLen, uint32_t index, size_t *opTypeLen)
{
    return string_len(opInfo, opInfoLen, index, ACLSUB_OFF_TYPE, ACLSUB_REC_TYPE_CAP, opTypeLen);
}

aclError aclprofGetOpType(const void *opInfo, size_t opInfoLen, uint32_t index, char *opType, size_t opTypeLen)
{
    return string_get(opInfo, opInfoLen, index, ACLSUB_OFF_TYPE, ACLSUB_REC_TYPE_CAP, opType, opTypeLen);
}

aclError aclprofGetOpNameLen(const void *opInfo, size_t opInfoLen, uint32_t index, size_t *opNameLen)
{
    return string_len(opInfo, opInfoLen, index, ACLSUB_OFF_NAME, ACLSUB_REC_NAME_CAP, opNameLen);
}

aclError aclprofGetOpName(const void *opInfo, size_t opInfoLen, uint32_t index, char *opName, size_t opNameLen)
{
    return string_get(opInfo, opInfoLen, index, ACLSUB_OFF_NAME, ACLSUB_REC_NAME_CAP, opName, opNameLen);
}

static uint64_t u64_field(const void *buf, size_t len, uint32_t index, size_t off)
{
    const unsigned char *rec = record_at(buf, len, index);
    return rec ? le64_get(rec + off) : 0;
}

uint64_t aclprofGetOpStart(const void *opInfo, size_t opInfoLen, uint32_t index)
{
    return u64_field(opInfo, opInfoLen, index, ACLSUB_OFF_START);
}

uint64_t aclprofGetOpEnd(const void *opInfo, size_t opInfoLen, uint32_t index)
{
    return u64_field(opInfo, opInfoLen, index, ACLSUB_OFF_END);
}

uint64_t aclprofGetOpDuration(const void *opInfo, size_t opInfoLen, uint32_t index)
{
    return u64_field(opInfo, opInfoLen, index, ACLSUB_OFF_DURATION);
}

size_t aclprofGetModelId(const void *opInfo, size_t opInfoLen, uint32_t index)
{
    const unsigned char *rec = record_at(opInfo, opInfoLen, index);
    return rec ? (size_t)le32_get(rec + ACLSUB_OFF_MODEL_ID) : ACL_PROF_INVALID_MODEL_ID;
}

aclprofSubscribeOpFlag aclprofGetOpFlag(const void *opInfo, size_t opInfoLen, uint32_t index)
{
    const unsigned char *rec = record_at(opInfo, opInfoLen, index);
    if (!rec)
        return ACL_SUBSCRIBE_NONE;
    switch (le32_get(rec + ACLSUB_OFF_FLAG)) {
    case ACL_SUBSCRIBE_OP:
        return ACL_SUBSCRIBE_OP;
    case ACL_SUBSCRIBE_SUBGRAPH:
        return ACL_SUBSCRIBE_SUBGRAPH;
    case ACL_SUBSCRIBE_OP_THREAD:
        return ACL_SUBSCRIBE_OP_THREAD;
    default:
        return ACL_SUBSCRIBE_NONE;
    }
}

const char *aclprofGetOpAttriValue(const void *opInfo, size_t opInfoLen, uint32_t index,
                                   aclprofSubscribeOpAttri attri)
{
    /* One buffer per thread: concurrent callers never overwrite each other. */
    static __thread char value[24];
    const unsigned char *rec = record_at(opInfo, opInfoLen, index);
    if (!rec || attri != ACL_SUBSCRIBE_ATTRI_THREADID)
        return NULL;
    snprintf(value, sizeof value, "%u", (unsigned)le32_get(rec + ACLSUB_OFF_THREAD_ID));
    return value;
}
