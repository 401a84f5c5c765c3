/*
 * report_agg.c - the one pass of `aclsub report` over an input: records
 * come from the decoder's reader (dec_input_next_run: every record checked,
 * each noted for the loss proof of decoder/proof.c), operator and whole
 * execute records are read in place (rec_peek), control records decoded whole and noted by decoder/ctrl.c.
 *
 * Operator types keep every duration (decoder/stats.c), so their
 * statistics are exactly those of `aclsub decode summary`, plus a
 * log-scale histogram; (model, type) and (model, name) keep count, total
 * and max only; each model keeps its executes' durations (for the exact
 * median execute) and their downsampled series.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decoder/record/le.h"
#include "decoder/record/reader.h"
#include "decoder/report.h"

void rp_init(rp_report *r, const char *label)
{
    memset(r, 0, sizeof *r);
    r->label = label;
    st_init(&r->types);
    st_init(&r->mtypes);
    st_init(&r->mnames);
    r->descs = dec_models_new();
}

void rp_free(rp_report *r)
{
    for (size_t i = 0; i < r->hist_cap; i++)
        free(r->hist[i]);
    free(r->hist);
    st_free(&r->types);
    st_free(&r->mtypes);
    st_free(&r->mnames);
    free(r->mt_model);
    free(r->mn_model);
    for (size_t i = 0; i < r->nmodels; i++) {
        free(r->models[i].rd);
        free(r->models[i].series);
    }
    free(r->models);
    dec_ctrl_free(&r->ctrl);
    rp_timeline_free(&r->tl);
    dec_models_free(r->descs);
}

/* Grows a per-group array of `size`-byte entries to hold index i; 0, or -1 out of memory. */
static int grow(void **a, size_t *cap, size_t i, size_t size)
{
    if (i < *cap)
        return 0;
    size_t n = *cap ? *cap : 64;
    while (n <= i)
        n *= 2;
    void *p = realloc(*a, n * size);
    if (!p)
        return -1;
    memset((char *)p + *cap * size, 0, (n - *cap) * size);
    *a = p;
    *cap = n;
    return 0;
}

static rp_model *model_of(rp_report *r, uint32_t id)
{
    for (size_t i = r->nmodels; i-- > 0;)
        if (r->models[i].id == id)
            return &r->models[i];
    if (r->nmodels >= RP_MAX_MODELS ||
        grow((void **)&r->models, &r->models_cap, r->nmodels, sizeof *r->models) < 0)
        return NULL;
    rp_model *m = &r->models[r->nmodels];
    m->series = calloc(1, sizeof *m->series);
    if (!m->series)
        return NULL;
    m->id = id;
    m->min = UINT64_MAX;
    r->nmodels++;
    return m;
}

/* Counts a duration in a (model, key) table that keeps no durations. */
static void count_in(rp_report *r, st_table *t, uint32_t **models, size_t *cap, const char *k, size_t len,
                     uint64_t extra, uint32_t model, uint64_t dur)
{
    size_t before = t->n;
    st_group *g = st_get_field(t, k, len, extra);
    if (!g || (t->n > before && grow((void **)models, cap, t->n - 1, sizeof **models) < 0)) {
        r->oom = 1;
        return;
    }
    if (t->n > before)
        (*models)[t->n - 1] = model;
    g->count++;
    g->total = st_sat_add(g->total, dur);
    g->max = dur > g->max ? dur : g->max;
    t->busy = st_sat_add(t->busy, dur);
}

static void add_op(rp_report *r, const rec_brief *b)
{
    st_group *g = st_get_field(&r->types, b->type, b->type_len, 0);
    if (!g || st_add(&r->types, g, b->duration) < 0) {
        r->oom = 1;
        return;
    }
    size_t gi = (size_t)(g - r->types.g);
    if (gi < RP_HIST_TYPES) {
        if (grow((void **)&r->hist, &r->hist_cap, gi, sizeof *r->hist) < 0 ||
            (!r->hist[gi] && !(r->hist[gi] = calloc(RP_HBINS, sizeof **r->hist)))) {
            r->oom = 1;
            return;
        }
        r->hist[gi][rp_hbin(b->duration)]++;
    }
    uint32_t m = b->model_id;
    count_in(r, &r->mtypes, &r->mt_model, &r->mt_cap, b->type, b->type_len, m, m, b->duration);
    count_in(r, &r->mnames, &r->mn_model, &r->mn_cap, b->name, b->name_len, b->name_hash ^ ((uint64_t)m << 1), m,
             b->duration);
    rp_model *md = model_of(r, m);
    if (md) {
        md->ops++;
        md->busy = st_sat_add(md->busy, b->duration);
    }
    r->ops++;
}

static void add_run(rp_report *r, const rec_brief *b)
{
    rp_model *m = model_of(r, b->model_id);
    r->runs++;
    if (!m || grow((void **)&m->rd, &m->cap, m->nrd, sizeof *m->rd) < 0) {
        r->oom = 1;
        return;
    }
    m->rd[m->nrd++] = b->duration;
    m->runs++;
    m->exec_total = st_sat_add(m->exec_total, b->duration);
    m->min = b->duration < m->min ? b->duration : m->min;
    m->max = b->duration > m->max ? b->duration : m->max;
    rp_series_add(m->series, b->iteration, b->duration);
}

/* A stream start's name, "host=H clock=C cmd=...", kept once per distinct text. */
static void note_start(rp_report *r, const aclsub_rec_view *v)
{
    r->starts++;
    for (size_t i = 0; i < r->nprogs; i++)
        if (strncmp(r->progs[i], v->name, RP_PROG_CAP - 1) == 0)
            return;
    if (r->nprogs < RP_MAX_PROGS)
        snprintf(r->progs[r->nprogs++], RP_PROG_CAP, "%s", v->name);
}

static void add_control(rp_report *r, const unsigned char *rec)
{
    aclsub_rec_view v;
    rec_view_of(rec, &v); /* a record the reader returned: already checked */
    r->controls++;
    dec_ctrl_note(&r->ctrl, &v, 0);
    dec_models_note(r->descs, 0, &v);
    if (v.kind == ACLSUB_KIND_STREAM_START)
        note_start(r, &v);
    else if (v.kind == ACLSUB_KIND_STREAM_END)
        r->dropped_end = st_sat_add(r->dropped_end, v.arg[1]);
}

int rp_read(rp_report *r, dec_input *in, FILE *err)
{
    const unsigned char *rec;
    size_t n;
    while (dec_input_next_run(in, &rec, &n, err) == 1) {
        for (size_t i = 0; i < n; i++, rec += ACLSUB_REC_SIZE) {
            r->records++;
            rec_brief b;
            rec_peek(rec, &b);
            if (b.kind == ACLSUB_KIND_OP)
                add_op(r, &b);
            else if (b.kind == ACLSUB_KIND_RUN)
                add_run(r, &b);
            else
                add_control(r, rec);
        }
    }
    dec_proof_finish(in->proof, &r->proof);
    int st = dec_input_report(in, err) ? 2 : 0;
    if (in->r) {
        const rec_reader_stats *s = rec_reader_get_stats(in->r);
        r->damaged = s->bad_signature + s->bad_version + s->garbage_runs + (s->truncated_bytes ? 1 : 0);
    }
    dec_ctrl_report(&r->ctrl, err);
    dec_models_report(r->descs, err);
    return in->failed ? 1 : st;
}

static void finish_model(rp_model *m)
{
    if (m->nrd == 0) {
        m->min = 0;
        return;
    }
    m->p50 = st_select(m->rd, m->nrd, st_rank(m->nrd, 50));
    m->p90 = st_select(m->rd, m->nrd, st_rank(m->nrd, 90));
    m->p99 = st_select(m->rd, m->nrd, st_rank(m->nrd, 99));
}

void rp_finish(rp_report *r)
{
    st_finish(&r->types);
    for (size_t i = 0; i < r->nmodels; i++)
        finish_model(&r->models[i]);
}

static uint64_t weight(const rp_model *m)
{
    return m->exec_total ? m->exec_total : m->busy;
}

static int model_cmp(const void *pa, const void *pb)
{
    const rp_model *a = *(const rp_model *const *)pa, *b = *(const rp_model *const *)pb;
    if (weight(a) != weight(b))
        return weight(a) > weight(b) ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

const rp_model **rp_models_sorted(const rp_report *r)
{
    const rp_model **v = malloc((r->nmodels ? r->nmodels : 1) * sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < r->nmodels; i++)
        v[i] = &r->models[i];
    qsort(v, r->nmodels, sizeof *v, model_cmp);
    return v;
}

const rp_model *rp_main_model(const rp_report *r)
{
    const rp_model *best = NULL;
    for (size_t i = 0; i < r->nmodels; i++) {
        const rp_model *m = &r->models[i];
        if (!best || model_cmp(&m, &best) < 0)
            best = m;
    }
    return best;
}
