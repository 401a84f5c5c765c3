/*
 * report_charts.c - the data the page's script of `aclsub report` draws
 * its charts from, one JSON document inside <script type="application/json">
 * (strings escaped by report_esc.c so that nothing in them ends the
 * element): per recording, the histograms of the types the stability table
 * draws (its first RP_HIST_ROWS rows, the bins from the first to the last
 * non-empty one), the models' execute series, and the timeline's operators
 * (start relative to the execute, duration, stream, and indices into one
 * table of the distinct strings).  Its size is bounded by those limits,
 * whatever the length of the recording.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decoder/report.h"

static void hist(FILE *f, const rp_report *r, const st_group *g)
{
    size_t gi = (size_t)(g - r->types.g);
    if (gi >= r->hist_cap || !r->hist[gi]) {
        fputs("null", f);
        return;
    }
    const uint64_t *c = r->hist[gi];
    unsigned lo = 0, hi = RP_HBINS - 1;
    while (lo < hi && !c[lo])
        lo++;
    while (hi > lo && !c[hi])
        hi--;
    fputs("{\"key\":", f);
    rp_json(f, g->key, g->key_len);
    fprintf(f, ",\"p50\":%.1f,\"p90\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"lo\":[", g->median, g->p90, g->p99);
    for (unsigned b = lo; b <= hi + 1 && b < RP_HBINS + 1; b++)
        fprintf(f, "%s%" PRIu64, b > lo ? "," : "", b < RP_HBINS ? rp_hbin_lo(b) : UINT64_MAX);
    fputs("],\"c\":[", f);
    for (unsigned b = lo; b <= hi; b++)
        fprintf(f, "%s%" PRIu64, b > lo ? "," : "", c[b]);
    fputs("]}", f);
}

static void hists(FILE *f, const rp_report *r)
{
    size_t n;
    st_group **v = rp_types_order(r, &n);
    fputs("\"hist\":[", f);
    for (size_t i = 0; v && i < n && i < RP_HIST_ROWS; i++) {
        fputs(i ? "," : "", f);
        hist(f, r, v[i]);
    }
    fputs("]", f);
    free(v);
}

static void series(FILE *f, const rp_report *r)
{
    fputs(",\"series\":{", f);
    int first = 1;
    for (size_t i = 0; i < r->nmodels; i++) {
        const rp_model *m = &r->models[i];
        if (m->runs == 0)
            continue;
        fprintf(f, "%s\"%" PRIu32 "\":{\"w\":%" PRIu64 ",\"p50\":%" PRIu64 ",\"b\":[", first ? "" : ",", m->id,
                m->series->width, m->p50);
        first = 0;
        for (size_t k = 0; k < m->series->nb; k++) {
            const rp_bucket *b = &m->series->b[k];
            fprintf(f, "%s[%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%.1f,%" PRIu64 "]", k ? "," : "",
                    b->first, b->iter, b->n, b->min, (double)b->sum / (double)b->n, b->max);
        }
        fputs("]}", f);
    }
    fputs("}", f);
}

/* The index of a string in the table t (added when new), or 0 out of memory. */
static size_t intern(st_table *t, const char *s)
{
    st_group *g = st_get(t, s, strlen(s), 0);
    return g ? (size_t)(g - t->g) : 0;
}

/* The hover text of an operator's description: "in SHAPES TYPES FORMATS\nout ...", into buf ("" without one). */
static void shapes_text(const char *text, char *buf, size_t cap)
{
    char fbuf[ACLSUB_DESC_TEXT_MAX + 1];
    const char *fl[ACLSUB_DESC_FIELDS];
    buf[0] = '\0';
    if (text && dec_desc_fields(text, fbuf, sizeof fbuf, fl))
        snprintf(buf, cap, "in %s %s %s\nout %s %s %s", fl[0], fl[1], fl[2], fl[3], fl[4], fl[5]);
}

static void timeline(FILE *f, const rp_timeline *tl, const dec_models *models)
{
    fputs(",\"tl\":", f);
    if (!tl->found) {
        fputs("null", f);
        return;
    }
    st_table strs;
    st_init(&strs);
    fprintf(f, "{\"model\":%" PRIu32 ",\"iter\":%" PRIu64 ",\"dur\":%" PRIu64 ",\"ops\":[", tl->model, tl->iteration,
            tl->dur);
    const dec_model *m = dec_models_find(models, 0, tl->pid, tl->model);
    char *sh = malloc(2 * ACLSUB_DESC_TEXT_MAX + 16);
    for (size_t i = 0; i < tl->n; i++) {
        const rp_tl_op *o = &tl->ops[i];
        size_t ti = intern(&strs, o->type), ni = intern(&strs, o->name);
        long long s = (long long)(o->start - tl->start);
        fprintf(f, "%s[%lld,%" PRIu64 ",%" PRIu32 ",%zu,%zu", i ? "," : "", s, o->dur, o->stream, ti, ni);
        if (sh && m) { /* the operator's shapes: a sixth element when the stream describes them */
            shapes_text(dec_model_op_text(m, o->op_index), sh, 2 * ACLSUB_DESC_TEXT_MAX + 16);
            if (sh[0])
                fprintf(f, ",%zu", intern(&strs, sh));
        }
        fputc(']', f);
    }
    free(sh);
    fputs("],\"str\":[", f);
    for (size_t i = 0; i < strs.n; i++) {
        fputs(i ? "," : "", f);
        rp_json(f, strs.g[i].key, strs.g[i].key_len);
    }
    fputs("]}", f);
    st_free(&strs);
}

void rp_write_data(FILE *f, rp_report *const *recs, size_t n)
{
    fputs("{\"recs\":[", f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",{" : "{", f);
        hists(f, recs[i]);
        series(f, recs[i]);
        timeline(f, &recs[i]->tl, recs[i]->descs);
        fputs("}", f);
    }
    fputs("]}", f);
}
