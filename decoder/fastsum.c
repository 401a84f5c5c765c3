/*
 * fastsum.c - the per-record hot path of the summary, diff and follow
 * views.  The stream reader has already checked each record's magic,
 * version and signature, so instead of decoding every field (and checking
 * the signature a second time) through aclsub_rec_get, the few fields a
 * group needs come from rec_peek, the format module's in-place reader for
 * validated records: kind, model, start, iteration, duration and the key
 * string.  Records this path cannot take whole (control
 * records, any record while a type or name glob filter is active, since
 * fnmatch needs a NUL-terminated copy, and groups by model once a stream
 * described its models) are left to the full decoder.
 */
#include <string.h>

#include "decoder/pipeline.h"
#include "decoder/record/reader.h"

int dec_fast_usable(const dec_opts *o)
{
    return o->ntypes == 0 && o->nnames == 0;
}

int dec_fast_group(const dec_opts *o, st_table *t, const unsigned char *rec, uint64_t *runs, int *oom,
                   int described)
{
    rec_brief b;
    rec_peek(rec, &b);
    if (b.kind != ACLSUB_KIND_OP && b.kind != ACLSUB_KIND_RUN)
        return 0;
    if (described && o->by == DEC_BY_MODEL)
        return 0; /* the group is the described model's: found by process, which this path does not read */
    uint32_t model = b.model_id;
    if (!dec_filter_numbers(o, model, b.start, b.iteration))
        return 1;
    if (b.kind == ACLSUB_KIND_RUN) {
        (*runs)++;
        return 1;
    }
    st_group *g;
    if (o->by == DEC_BY_TYPE) {
        g = st_get(t, b.type, b.type_len, 0);
    } else if (o->by == DEC_BY_NAME) {
        g = st_get(t, b.name, b.name_len, b.name_hash);
    } else {
        aclsub_rec_view v;
        v.model_id = model;
        g = dec_group_of(t, DEC_BY_MODEL, &v, NULL);
    }
    if (!g || st_add(t, g, b.duration) < 0)
        *oom = 1;
    return 1;
}
