/*
 * report_pick.c - the execute the timeline of `aclsub report` shows: of
 * the model with the most execute time, the first execute whose duration
 * is the median (the nearest-rank p50, always one execute's own duration),
 * or the execute of a given iteration.  A whole-execute record follows its
 * operators, so the file is read a second time, through the same checked
 * reader, keeping the operator records of the last few executes of that
 * model in progress (by process and iteration), and the reading stops at
 * the whole-execute record that matches.  A pipe cannot be read twice: its
 * page says so instead.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decoder/record/le.h"
#include "decoder/record/reader.h"
#include "decoder/report.h"

#define SLOTS 8

typedef struct slot {
    int used;
    uint32_t pid;
    uint64_t iteration, last_use;
    unsigned char *recs; /* RP_TL_MAX records */
    size_t n;
    uint64_t dropped;
} slot;

typedef struct pick {
    uint32_t model;
    long long iteration; /* < 0: match the duration */
    uint64_t dur;
    slot s[SLOTS];
    uint64_t clock;
} pick;

void rp_timeline_free(rp_timeline *tl)
{
    free(tl->ops);
    tl->ops = NULL;
    tl->n = 0;
}

static slot *find_slot(pick *p, uint32_t pid, uint64_t iteration)
{
    for (int i = 0; i < SLOTS; i++)
        if (p->s[i].used && p->s[i].pid == pid && p->s[i].iteration == iteration)
            return &p->s[i];
    return NULL;
}

/* The slot of (pid, iteration), or the least recently used one, emptied. */
static slot *slot_of(pick *p, uint32_t pid, uint64_t iteration)
{
    slot *lru = find_slot(p, pid, iteration);
    if (lru)
        return lru;
    lru = &p->s[0];
    for (int i = 1; i < SLOTS && lru->used; i++)
        if (!p->s[i].used || p->s[i].last_use < lru->last_use)
            lru = &p->s[i];
    if (!lru->recs && !(lru->recs = malloc((size_t)RP_TL_MAX * ACLSUB_REC_SIZE)))
        return NULL;
    *lru = (slot){.used = 1, .pid = pid, .iteration = iteration, .recs = lru->recs};
    return lru;
}

static void keep_op(pick *p, const unsigned char *rec, const rec_brief *b)
{
    slot *s = slot_of(p, le32_get(rec + ACLSUB_OFF_PID), b->iteration);
    if (!s)
        return;
    s->last_use = ++p->clock;
    if (s->n < RP_TL_MAX)
        memcpy(s->recs + s->n++ * ACLSUB_REC_SIZE, rec, ACLSUB_REC_SIZE);
    else
        s->dropped++;
}

/* Decodes the slot's records into the timeline. */
static void take(rp_timeline *tl, const slot *s, const unsigned char *run)
{
    static const slot none;
    if (!s)
        s = &none; /* an execute without operator records */
    tl->ops = calloc(s->n ? s->n : 1, sizeof *tl->ops);
    if (!tl->ops) {
        tl->why = "out of memory";
        return;
    }
    for (size_t i = 0; i < s->n; i++) {
        aclsub_rec_view v;
        if (aclsub_rec_get(s->recs + i * ACLSUB_REC_SIZE, ACLSUB_REC_SIZE, 0, &v) != ACL_SUCCESS)
            continue;
        rp_tl_op *o = &tl->ops[tl->n++];
        o->start = v.start;
        o->dur = v.duration;
        o->op_index = v.op_index;
        o->stream = v.stream_id;
        memcpy(o->type, v.type, sizeof o->type);
        memcpy(o->name, v.name, sizeof o->name);
    }
    tl->found = 1;
    tl->pid = le32_get(run + ACLSUB_OFF_PID);
    tl->iteration = le64_get(run + ACLSUB_OFF_ITERATION);
    tl->dropped = s->dropped;
    tl->start = le64_get(run + ACLSUB_OFF_START);
    tl->dur = le64_get(run + ACLSUB_OFF_DURATION);
}

/* A whole execute of the model: 1 when it is the one. */
static int at_run(pick *p, rp_timeline *tl, const unsigned char *rec, const rec_brief *b)
{
    int match = p->iteration >= 0 ? b->iteration == (uint64_t)p->iteration : b->duration == p->dur;
    slot *s = find_slot(p, le32_get(rec + ACLSUB_OFF_PID), b->iteration);
    if (match)
        take(tl, s, rec);
    if (s)
        s->used = 0;
    return match;
}

static void scan(pick *p, rp_timeline *tl, dec_input *in, FILE *err)
{
    const unsigned char *rec;
    size_t n;
    while (dec_input_next_run(in, &rec, &n, err) == 1) {
        for (size_t i = 0; i < n; i++, rec += ACLSUB_REC_SIZE) {
            if (le32_get(rec + ACLSUB_OFF_MODEL_ID) != p->model)
                continue;
            /* the numbers the pick reads, in place (no strings) */
            rec_brief b = {.kind = rec[ACLSUB_OFF_KIND],
                           .model_id = p->model,
                           .duration = le64_get(rec + ACLSUB_OFF_DURATION),
                           .iteration = le64_get(rec + ACLSUB_OFF_ITERATION)};
            if (b.kind == ACLSUB_KIND_OP)
                keep_op(p, rec, &b);
            else if (b.kind == ACLSUB_KIND_RUN && at_run(p, tl, rec, &b))
                return;
        }
    }
}

static int regular_file(const char *path)
{
    struct stat st;
    return path && strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

void rp_pick(rp_report *r, const char *path, long long iteration, FILE *err)
{
    rp_timeline *tl = &r->tl;
    const rp_model *m = rp_main_model(r);
    tl->why = "no whole-execute records";
    if (!m || m->runs == 0)
        return;
    tl->why = "the input is not a regular file (a pipe is read once): record to a file for the timeline";
    if (!regular_file(path))
        return;
    pick p = {.model = m->id, .iteration = iteration, .dur = m->p50};
    tl->model = m->id;
    dec_input in;
    dec_input_init_path(&in, path);
    scan(&p, tl, &in, err);
    dec_input_close(&in);
    for (int i = 0; i < SLOTS; i++)
        free(p.s[i].recs);
    if (!tl->found && !tl->ops)
        tl->why = iteration >= 0 ? "no execute of that iteration in the main model" : "the median execute was not found again";
}
