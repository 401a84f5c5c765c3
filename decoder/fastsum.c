/*
 * fastsum.c - the per-record hot path of the summary, diff and follow
 * views.  The stream reader has already checked each record's magic,
 * version and signature, so instead of decoding every field (and checking
 * the signature a second time) through aclsub_rec_get, the few fields a
 * group needs are read in place: kind, model, start, iteration, duration
 * and the key string (only the one the grouping needs, its length found a
 * word at a time), looked up through the table's cache of short keys
 * (st_get_field).  A control record needs only the numbers the
 * bookkeeping of ctrl.c reads (dec_fast_control).  Records this path
 * cannot take whole (any record while a type or name glob filter is
 * active, since fnmatch needs a NUL-terminated copy, records of unknown
 * kinds, the stream start and the model descriptions, which the full
 * decoder keeps, and groups by model once a stream described its models,
 * whose group is found by process) are left to the full decoder.
 */
#include <string.h>

#include "decoder/pipeline.h"
#include "decoder/record/le.h"

int dec_fast_usable(const dec_opts *o)
{
    return o->ntypes == 0 && o->nnames == 0;
}

/* The length of the string in a NUL-padded field of cap bytes (a multiple of 8): strnlen, a word at a time. */
static size_t field_len(const unsigned char *f, size_t cap)
{
    for (size_t i = 0; i < cap; i += 8) {
        uint64_t w;
        memcpy(&w, f + i, 8);
        uint64_t zero = (w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL; /* a NUL byte here */
        if (zero)
            for (size_t j = i;; j++)
                if (!f[j])
                    return j;
    }
    return cap;
}

int dec_fast_control(const dec_opts *o, dec_ctrl *ctrl, const unsigned char *rec, uint32_t input)
{
    uint8_t kind = rec[ACLSUB_OFF_KIND];
    if (kind != ACLSUB_KIND_LOST && kind != ACLSUB_KIND_STREAM_END)
        return 0; /* the stream start (clock anchors) and the model descriptions go to the full decoder */
    aclsub_rec_view v; /* the numbers dec_ctrl_note and the filter read; no strings */
    v.kind = rec[ACLSUB_OFF_KIND];
    v.pid = le32_get(rec + ACLSUB_OFF_PID);
    v.arg[0] = le64_get(rec + ACLSUB_OFF_ARG);
    v.arg[1] = le64_get(rec + ACLSUB_OFF_ARG + 8);
    dec_ctrl_note(ctrl, &v, input);
    /* the filter would see it next: the first record it sees anchors a relative --from/--to */
    (void)dec_filter_numbers(o, le32_get(rec + ACLSUB_OFF_MODEL_ID), le64_get(rec + ACLSUB_OFF_START),
                             le64_get(rec + ACLSUB_OFF_ITERATION));
    return 1;
}

/* 1 if no number filter is set: every record passes it, and it has nothing to resolve. */
static int no_number_filter(const dec_opts *o)
{
    return !o->window_rel && !o->nmodels && o->from == 0 && o->to == UINT64_MAX && o->skip_iter == 0;
}

static inline int fast_group(const dec_opts *o, int nofilter, st_table *t, const unsigned char *rec, uint64_t *runs,
                             int *oom, int described)
{
    uint8_t kind = rec[ACLSUB_OFF_KIND];
    if (kind != ACLSUB_KIND_OP && kind != ACLSUB_KIND_RUN)
        return 0;
    if (described && o->by == DEC_BY_MODEL)
        return 0; /* the group is the described model's: found by process, which this path does not read */
    uint32_t model = le32_get(rec + ACLSUB_OFF_MODEL_ID);
    if (!nofilter &&
        !dec_filter_numbers(o, model, le64_get(rec + ACLSUB_OFF_START), le64_get(rec + ACLSUB_OFF_ITERATION)))
        return 1;
    if (kind == ACLSUB_KIND_RUN) {
        (*runs)++;
        return 1;
    }
    st_group *g;
    if (o->by == DEC_BY_TYPE) {
        const unsigned char *f = rec + ACLSUB_OFF_TYPE;
        g = st_get_field(t, (const char *)f, field_len(f, ACLSUB_REC_TYPE_CAP), 0);
    } else if (o->by == DEC_BY_NAME) {
        const unsigned char *f = rec + ACLSUB_OFF_NAME;
        g = st_get_field(t, (const char *)f, field_len(f, ACLSUB_REC_NAME_CAP), le64_get(rec + ACLSUB_OFF_NAME_HASH));
    } else {
        aclsub_rec_view v;
        v.model_id = model;
        g = dec_group_of(t, DEC_BY_MODEL, &v, NULL);
    }
    if (!g || st_add(t, g, le64_get(rec + ACLSUB_OFF_DURATION)) < 0)
        *oom = 1;
    return 1;
}

int dec_fast_group(const dec_opts *o, st_table *t, const unsigned char *rec, uint64_t *runs, int *oom,
                   int described)
{
    return fast_group(o, 0, t, rec, runs, oom, described);
}

size_t dec_fast_run(const dec_opts *o, st_table *t, dec_ctrl *ctrl, const unsigned char *rec, size_t n,
                    uint32_t input, uint64_t *runs, int *oom, int described)
{
    int nofilter = no_number_filter(o);
    size_t i = 0;
    for (; i < n; i++, rec += ACLSUB_REC_SIZE)
        if (!fast_group(o, nofilter, t, rec, runs, oom, described) && !dec_fast_control(o, ctrl, rec, input))
            break;
    return i;
}
