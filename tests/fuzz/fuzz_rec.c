/*
 * fuzz_rec.c - libFuzzer target for the record stream reader and the
 * accessors: any byte string must be split into valid records and counted
 * damage without a crash, and every record the reader returns must be
 * readable through every accessor.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl_prof.h"
#include "aclsub/record.h"
#include "decoder/record/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rec_reader *r = rec_reader_from_mem(data, size);
    if (!r)
        return 0;
    const unsigned char *rec;
    uint64_t n = 0;
    while (rec_reader_next(r, &rec) == 1) {
        n++;
        size_t len = 0;
        char buf[ACLSUB_REC_NAME_CAP + 1];
        if (aclprofGetOpTypeLen(rec, ACLSUB_REC_SIZE, 0, &len) != ACL_SUCCESS || len > ACLSUB_REC_TYPE_CAP + 1)
            abort();
        if (aclprofGetOpType(rec, ACLSUB_REC_SIZE, 0, buf, len) != ACL_SUCCESS || strlen(buf) + 1 != len)
            abort();
        if (aclprofGetOpNameLen(rec, ACLSUB_REC_SIZE, 0, &len) != ACL_SUCCESS || len > ACLSUB_REC_NAME_CAP + 1)
            abort();
        if (aclprofGetOpName(rec, ACLSUB_REC_SIZE, 0, buf, len) != ACL_SUCCESS)
            abort();
        aclsub_rec_view v;
        if (aclsub_rec_get(rec, ACLSUB_REC_SIZE, 0, &v) != ACL_SUCCESS)
            abort();
        (void)aclprofGetOpAttriValue(rec, ACLSUB_REC_SIZE, 0, ACL_SUBSCRIBE_ATTRI_THREADID);
    }
    const rec_reader_stats *s = rec_reader_get_stats(r);
    /* Every byte is accounted for exactly once. */
    uint64_t accounted = (s->records + s->bad_signature + s->bad_version) * ACLSUB_REC_SIZE + s->garbage_bytes +
                         s->truncated_bytes;
    if (s->records != n || accounted != size)
        abort();
    rec_reader_free(r);
    /* The accessors on the raw input, whatever its length. */
    uint32_t num;
    (void)aclprofGetOpNum(data, size, &num);
    (void)aclprofGetOpStart(data, size, 0);
    return 0;
}
