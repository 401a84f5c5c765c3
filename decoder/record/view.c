/*
 * view.c - reading aclsub records whole: aclsub_rec_get (every field of
 * one record, with the checks the aclprofGetOp* accessors make),
 * rec_view_of (the same without the checks, for records the stream reader
 * already checked) and rec_peek (a few fields in place, likewise).
 *
 * It reads aclsub's own records only, whatever format the accessors were
 * given (format.h): a buffer of the vendor's records fails the checks.
 * Kept apart from accessors.c so that libaclsub.so, which interposes some
 * of those accessors, can link the reader without them.
 */
#include <string.h>

#include "aclsub/record.h"
#include "decoder/record/le.h"
#include "decoder/record/reader.h"

/* Record `index` of a buffer of aclsub records, or NULL if the buffer or the index is not valid. */
static const unsigned char *aclsub_record_at(const void *buf, size_t len, uint32_t index)
{
    if (!buf || len == 0 || len % ACLSUB_REC_SIZE != 0)
        return NULL;
    size_t n = len / ACLSUB_REC_SIZE;
    const unsigned char *p = buf;
    for (size_t i = 0; i < n; i++)
        if (aclsub_rec_check(p + i * ACLSUB_REC_SIZE) != ACLSUB_REC_OK)
            return NULL;
    return index < n ? p + (size_t)index * ACLSUB_REC_SIZE : NULL;
}

static size_t field_strlen(const unsigned char *rec, size_t off, size_t cap)
{
    return strnlen((const char *)rec + off, cap);
}

void rec_view_of(const unsigned char *p, aclsub_rec_view *v)
{
    v->version = p[ACLSUB_OFF_VERSION];
    v->kind = p[ACLSUB_OFF_KIND];
    v->str_flags = le16_get(p + ACLSUB_OFF_STR_FLAGS);
    v->model_id = le32_get(p + ACLSUB_OFF_MODEL_ID);
    v->flag = le32_get(p + ACLSUB_OFF_FLAG);
    v->thread_id = le32_get(p + ACLSUB_OFF_THREAD_ID);
    v->dev_id = le32_get(p + ACLSUB_OFF_DEV_ID);
    v->op_index = le64_get(p + ACLSUB_OFF_OP_INDEX);
    v->start = le64_get(p + ACLSUB_OFF_START);
    v->end = le64_get(p + ACLSUB_OFF_END);
    v->duration = le64_get(p + ACLSUB_OFF_DURATION);
    v->exec_time = le64_get(p + ACLSUB_OFF_EXEC_TIME);
    v->pid = le32_get(p + ACLSUB_OFF_PID);
    v->stream_id = le32_get(p + ACLSUB_OFF_STREAM_ID);
    v->seq = le64_get(p + ACLSUB_OFF_SEQ);
    v->iteration = le64_get(p + ACLSUB_OFF_ITERATION);
    v->name_hash = le64_get(p + ACLSUB_OFF_NAME_HASH);
    v->name_len = le32_get(p + ACLSUB_OFF_NAME_LEN);
    v->type_len = le32_get(p + ACLSUB_OFF_TYPE_LEN);
    for (int i = 0; i < ACLSUB_REC_NARGS; i++)
        v->arg[i] = le64_get(p + ACLSUB_OFF_ARG + 8 * i);
    size_t tn = field_strlen(p, ACLSUB_OFF_TYPE, ACLSUB_REC_TYPE_CAP);
    size_t nn = field_strlen(p, ACLSUB_OFF_NAME, ACLSUB_REC_NAME_CAP);
    memcpy(v->type, p + ACLSUB_OFF_TYPE, tn);
    v->type[tn] = '\0';
    memcpy(v->name, p + ACLSUB_OFF_NAME, nn);
    v->name[nn] = '\0';
}

aclError aclsub_rec_get(const void *opInfo, size_t opInfoLen, uint32_t index, aclsub_rec_view *v)
{
    const unsigned char *p = aclsub_record_at(opInfo, opInfoLen, index);
    if (!p || !v)
        return ACL_ERROR_INVALID_PARAM;
    rec_view_of(p, v);
    return ACL_SUCCESS;
}

void rec_peek(const unsigned char *p, rec_brief *b)
{
    b->kind = p[ACLSUB_OFF_KIND];
    b->model_id = le32_get(p + ACLSUB_OFF_MODEL_ID);
    b->start = le64_get(p + ACLSUB_OFF_START);
    b->duration = le64_get(p + ACLSUB_OFF_DURATION);
    b->iteration = le64_get(p + ACLSUB_OFF_ITERATION);
    b->name_hash = le64_get(p + ACLSUB_OFF_NAME_HASH);
    b->type = (const char *)p + ACLSUB_OFF_TYPE;
    b->type_len = field_strlen(p, ACLSUB_OFF_TYPE, ACLSUB_REC_TYPE_CAP);
    b->name = (const char *)p + ACLSUB_OFF_NAME;
    b->name_len = field_strlen(p, ACLSUB_OFF_NAME, ACLSUB_REC_NAME_CAP);
}
