/*
 * record.c - the one encoder and the one integrity check of the aclsub
 * record (layout in aclsub/record.h, prose in docs/FORMAT.md).
 *
 * The encoder fills every byte of the record, so that two encodings of the
 * same values are identical and no uninitialised memory reaches a pipe.
 */
#include <pthread.h>
#include <string.h>

#include "aclsub/record.h"
#include "decoder/record/crc32c.h"
#include "decoder/record/encode.h"
#include "decoder/record/le.h"

uint64_t aclsub_name_hash(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/*
 * Copies up to cap bytes of s into the NUL-padded field dst.  A cut string
 * is cut before a UTF-8 continuation byte, so that a multi-byte character
 * is never split.  Returns 1 when the string did not fit whole.
 */
static int put_string(unsigned char *dst, size_t cap, const char *s, size_t len)
{
    memset(dst, 0, cap);
    if (!s)
        return 0;
    size_t n = len, nul = 0;
    const char *z = memchr(s, '\0', len);
    if (z) {
        n = (size_t)(z - s);
        nul = 1;
    }
    int cut = n > cap;
    if (cut) {
        n = cap;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, s, n);
    return cut || nul;
}

void aclsub_rec_encode(void *dst, const aclsub_rec *r)
{
    rec_encode_hashed(dst, r, aclsub_name_hash(r->name, r->name ? r->name_len : 0));
}

/* The header's fields up to the name hash, from r, over zeros (the string flags are the caller's). */
static void put_header(unsigned char *p, const aclsub_rec *r)
{
    le32_put(p + ACLSUB_OFF_MODEL_ID, r->model_id);
    le32_put(p + ACLSUB_OFF_FLAG, r->flag);
    le32_put(p + ACLSUB_OFF_THREAD_ID, r->thread_id);
    le64_put(p + ACLSUB_OFF_OP_INDEX, r->op_index);
    le64_put(p + ACLSUB_OFF_DURATION, r->duration);
    le64_put(p + ACLSUB_OFF_START, r->start);
    le64_put(p + ACLSUB_OFF_END, r->end);
    le64_put(p + ACLSUB_OFF_EXEC_TIME, r->exec_time);
    le32_put(p + ACLSUB_OFF_DEV_ID, r->dev_id);
    le32_put(p + ACLSUB_OFF_MAGIC, ACLSUB_REC_MAGIC);
    p[ACLSUB_OFF_VERSION] = ACLSUB_REC_VERSION;
    p[ACLSUB_OFF_KIND] = r->kind;
    le32_put(p + ACLSUB_OFF_PID, r->pid);
    le32_put(p + ACLSUB_OFF_STREAM_ID, r->stream_id);
    le64_put(p + ACLSUB_OFF_SEQ, r->seq);
    le64_put(p + ACLSUB_OFF_ITERATION, r->iteration);
}

void rec_encode_hashed(void *dst, const aclsub_rec *r, uint64_t name_hash)
{
    unsigned char *p = dst;
    memset(p, 0, ACLSUB_REC_SIZE);
    put_header(p, r);
    for (int i = 0; i < ACLSUB_REC_NARGS; i++)
        le64_put(p + ACLSUB_OFF_ARG + 8 * i, r->arg[i]);

    size_t name_len = r->name ? r->name_len : 0, type_len = r->type ? r->type_len : 0;
    uint16_t flags = 0;
    if (put_string(p + ACLSUB_OFF_TYPE, ACLSUB_REC_TYPE_CAP, r->type, type_len))
        flags |= ACLSUB_STR_TYPE_TRUNCATED;
    if (put_string(p + ACLSUB_OFF_NAME, ACLSUB_REC_NAME_CAP, r->name, name_len))
        flags |= ACLSUB_STR_NAME_TRUNCATED;
    le16_put(p + ACLSUB_OFF_STR_FLAGS, flags);
    le32_put(p + ACLSUB_OFF_NAME_LEN, name_len > UINT32_MAX ? UINT32_MAX : (uint32_t)name_len);
    le32_put(p + ACLSUB_OFF_TYPE_LEN, type_len > UINT32_MAX ? UINT32_MAX : (uint32_t)type_len);
    le64_put(p + ACLSUB_OFF_NAME_HASH, name_hash);

    le32_put(p + ACLSUB_OFF_SIGNATURE, crc32c_record(p));
}

/* --- records from a template -------------------------------------------------------- */

/*
 * The signature is linear in the bytes it covers: the CRC of header || tail
 * is the header's CRC state moved over REC_TMPL_LEN zero bytes, XOR the
 * tail's CRC from state 0.  tail_shift moves a state over those zero bytes,
 * one table per state byte.  Built once.
 */
static uint32_t tail_shift[4][256];
static pthread_once_t tail_once = PTHREAD_ONCE_INIT;

static void tail_shift_build(void)
{
    crc32c_zeros_table(tail_shift, REC_TMPL_LEN);
}

void rec_tmpl_init(rec_tmpl *t, const char *type, size_t type_len, const char *name, size_t name_len,
                   uint64_t name_hash)
{
    pthread_once(&tail_once, tail_shift_build);
    unsigned char rec[ACLSUB_REC_SIZE];
    aclsub_rec r = {.type = type, .type_len = type_len, .name = name, .name_len = name_len};
    rec_encode_hashed(rec, &r, name_hash);
    memcpy(t->tail, rec + REC_TMPL_OFF, REC_TMPL_LEN);
    t->tail_crc = crc32c_update(0, t->tail, REC_TMPL_LEN);
    t->str_flags = le16_get(rec + ACLSUB_OFF_STR_FLAGS);
}

void rec_encode_tmpl(void *dst, const aclsub_rec *r, const rec_tmpl *t)
{
    unsigned char *p = dst;
    memset(p, 0, REC_TMPL_OFF);
    put_header(p, r);
    le16_put(p + ACLSUB_OFF_STR_FLAGS, t->str_flags);
    memcpy(p + REC_TMPL_OFF, t->tail, REC_TMPL_LEN);
    uint32_t s = crc32c_update(0xFFFFFFFFu, p + 4, REC_TMPL_OFF - 4);
    le32_put(p + ACLSUB_OFF_SIGNATURE, crc32c_zeros_apply(tail_shift, s) ^ t->tail_crc);
}

aclsub_rec_status aclsub_rec_check(const void *src)
{
    const unsigned char *p = src;
    if (le32_get(p + ACLSUB_OFF_MAGIC) != ACLSUB_REC_MAGIC)
        return ACLSUB_REC_BAD_MAGIC;
    if (le32_get(p + ACLSUB_OFF_SIGNATURE) != crc32c_record(p))
        return ACLSUB_REC_BAD_SIGNATURE;
    if (p[ACLSUB_OFF_VERSION] != ACLSUB_REC_VERSION)
        return ACLSUB_REC_BAD_VERSION;
    return ACLSUB_REC_OK;
}
