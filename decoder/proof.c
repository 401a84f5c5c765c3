/*
 * proof.c - proves, per input, that every record a stream produced either
 * arrived or was counted as lost, from the records themselves.
 *
 * Two witnesses, both carried by every stream:
 *   - sequence numbers: each subscription (a process and a model id)
 *     numbers its records from 0 without gaps, so a gap is a record that
 *     never arrived while later ones did, and a number seen again is a
 *     record delivered twice;
 *   - the stream end of an interposed stream: it says how many records were
 *     delivered and how many were dropped (and counted) since the stream
 *     start of the same process.
 * Loss nobody counted is then: more missing by the sequence numbers than
 * the stream end (or, without one, the records-lost notices) counts as
 * dropped, or fewer records arrived than the stream end says were
 * delivered; whichever is larger.  A stream that starts again in the same
 * process (after exec) starts a new segment: its subscriptions number from
 * 0 again.  A subscription whose numbers restart at 0 is a new one (a
 * model subscribed again under the same id).
 *
 * Records are noted in the order the input holds them (before any merge on
 * time), since a whole-run record follows its operators in sequence but
 * precedes them in start time.  Memory is bounded on hostile input: past
 * PROOF_MAX_PIDS processes or PROOF_MAX_SUBS subscriptions, records are
 * left unchecked and the report says how many.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "aclsub/record.h"
#include "decoder/pipeline.h"
#include "decoder/record/le.h"
#include "decoder/stats.h"

#define PROOF_MAX_PIDS 65536u
#define PROOF_MAX_SUBS (1u << 20)

typedef struct proof_pid {
    uint32_t pid;
    uint32_t epoch;         /* segment number: bumped by each stream start */
    int open;               /* a stream start without its stream end yet */
    uint64_t arrived;       /* operator and whole-run records in this segment */
    uint64_t gaps;          /* records missing by sequence number in this segment */
    uint64_t noticed;       /* records-lost notices' counts in this segment */
} proof_pid;

typedef struct proof_sub {
    uint64_t key;           /* pid << 32 | model id; 0 marks a free slot (key + 1 is stored) */
    uint32_t epoch;
    uint64_t next;          /* the sequence number expected next */
} proof_sub;

struct dec_proof {
    proof_pid *pids;
    size_t npids, pid_cap;
    size_t last;            /* index of the last process looked up */
    proof_sub *subs;
    size_t nsubs, sub_cap;  /* sub_cap: a power of two, or 0 */
    dec_proof_result r;
};

dec_proof *dec_proof_new(void)
{
    return calloc(1, sizeof(dec_proof));
}

void dec_proof_free(dec_proof *p)
{
    if (!p)
        return;
    free(p->pids);
    free(p->subs);
    free(p);
}

static proof_pid *pid_of(dec_proof *p, uint32_t pid)
{
    if (p->npids && p->pids[p->last].pid == pid)
        return &p->pids[p->last];
    for (size_t i = 0; i < p->npids; i++)
        if (p->pids[i].pid == pid)
            return &p->pids[p->last = i];
    if (p->npids >= PROOF_MAX_PIDS)
        return NULL;
    if (p->npids == p->pid_cap) {
        size_t cap = p->pid_cap ? p->pid_cap * 2 : 8;
        proof_pid *n = realloc(p->pids, cap * sizeof *n);
        if (!n)
            return NULL;
        p->pids = n;
        p->pid_cap = cap;
    }
    p->pids[p->npids] = (proof_pid){.pid = pid};
    return &p->pids[p->last = p->npids++];
}

static int subs_grow(dec_proof *p)
{
    size_t cap = p->sub_cap ? p->sub_cap * 2 : 64;
    proof_sub *n = calloc(cap, sizeof *n);
    if (!n)
        return -1;
    for (size_t i = 0; i < p->sub_cap; i++) {
        if (!p->subs[i].key)
            continue;
        size_t j = (size_t)(p->subs[i].key * 0x9E3779B97F4A7C15ull) & (cap - 1);
        while (n[j].key)
            j = (j + 1) & (cap - 1);
        n[j] = p->subs[i];
    }
    free(p->subs);
    p->subs = n;
    p->sub_cap = cap;
    return 0;
}

/* The subscription (pid, model), added if new; NULL past the bound or out of memory. */
static proof_sub *sub_of(dec_proof *p, uint32_t pid, uint32_t model)
{
    uint64_t key = ((uint64_t)pid << 32 | model) + 1; /* never 0 */
    if ((p->nsubs + 1) * 2 > p->sub_cap && (p->nsubs >= PROOF_MAX_SUBS || subs_grow(p) < 0))
        return NULL;
    size_t j = (size_t)(key * 0x9E3779B97F4A7C15ull) & (p->sub_cap - 1);
    while (p->subs[j].key && p->subs[j].key != key)
        j = (j + 1) & (p->sub_cap - 1);
    if (!p->subs[j].key) {
        p->subs[j] = (proof_sub){.key = key, .epoch = UINT32_MAX};
        p->nsubs++;
    }
    return &p->subs[j];
}

/* Ends a segment: what it missed beyond what was counted, and what it received twice. */
static void close_segment(dec_proof *p, proof_pid *s, const uint64_t *claim)
{
    uint64_t silent = s->gaps > s->noticed ? s->gaps - s->noticed : 0;
    if (claim) { /* a stream end: claim[0] delivered, claim[1] dropped */
        silent = s->gaps > claim[1] ? s->gaps - claim[1] : 0;
        if (claim[0] > s->arrived && claim[0] - s->arrived > silent)
            silent = claim[0] - s->arrived;
        if (s->arrived > claim[0])
            p->r.duplicated = st_sat_add(p->r.duplicated, s->arrived - claim[0]);
        p->r.counted = st_sat_add(p->r.counted, claim[1]);
    } else {
        p->r.counted = st_sat_add(p->r.counted, s->noticed);
    }
    p->r.missing = st_sat_add(p->r.missing, s->gaps);
    p->r.silent = st_sat_add(p->r.silent, silent);
    s->arrived = s->gaps = s->noticed = 0;
    s->open = 0;
}

static void note_data(dec_proof *p, proof_pid *s, const unsigned char *rec)
{
    s->arrived++;
    proof_sub *sub = sub_of(p, s->pid, le32_get(rec + ACLSUB_OFF_MODEL_ID));
    if (!sub) {
        p->r.unchecked++;
        return;
    }
    uint64_t seq = le64_get(rec + ACLSUB_OFF_SEQ);
    if (sub->epoch != s->epoch || (seq == 0 && sub->next != 0)) {
        sub->epoch = s->epoch; /* a new subscription numbers from 0 */
        sub->next = 0;
    }
    if (seq >= sub->next) {
        s->gaps = st_sat_add(s->gaps, seq - sub->next);
        sub->next = seq + 1;
    } else {
        p->r.duplicated++;
        s->arrived--; /* arrived twice, counted once */
    }
}

void dec_proof_note(dec_proof *p, const unsigned char *rec)
{
    if (!p)
        return;
    p->r.records++;
    proof_pid *s = pid_of(p, le32_get(rec + ACLSUB_OFF_PID));
    if (!s) {
        p->r.unchecked++;
        return;
    }
    const unsigned char *arg = rec + ACLSUB_OFF_ARG;
    switch (rec[ACLSUB_OFF_KIND]) {
    case ACLSUB_KIND_OP:
    case ACLSUB_KIND_RUN:
        note_data(p, s, rec);
        break;
    case ACLSUB_KIND_STREAM_START:
        if (s->open || s->arrived || s->gaps)
            close_segment(p, s, NULL);
        s->epoch++;
        s->open = 1;
        break;
    case ACLSUB_KIND_LOST:
        s->noticed = st_sat_add(s->noticed, le64_get(arg));
        break;
    case ACLSUB_KIND_STREAM_END: {
        uint64_t claim[2] = {le64_get(arg), le64_get(arg + 8)};
        close_segment(p, s, claim);
        break;
    }
    default:
        break;
    }
}

void dec_proof_finish(dec_proof *p, dec_proof_result *r)
{
    memset(r, 0, sizeof *r);
    if (!p)
        return;
    for (size_t i = 0; i < p->npids; i++)
        if (p->pids[i].open || p->pids[i].arrived || p->pids[i].gaps)
            close_segment(p, &p->pids[i], NULL);
    *r = p->r;
}

int dec_proof_report(const dec_proof_result *r, const char *label, FILE *err)
{
    int bad = 0;
    if (r->silent) {
        fprintf(err,
                "aclsub decode: %s: %" PRIu64 " record(s) lost without being counted (%" PRIu64
                " missing by sequence number, %" PRIu64 " counted as dropped)\n",
                label, r->silent, r->missing, r->counted);
        bad = 1;
    }
    if (r->duplicated) {
        fprintf(err, "aclsub decode: %s: %" PRIu64 " record(s) delivered more than once\n", label, r->duplicated);
        bad = 1;
    }
    if (r->unchecked)
        fprintf(err, "aclsub decode: %s: %" PRIu64 " record(s) not checked for loss (too many processes or models)\n",
                label, r->unchecked);
    return bad;
}
