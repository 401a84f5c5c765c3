/*
 * report_tables.c - the sections of one recording on the page of
 * `aclsub report`, as HTML tables that are also the text of the charts:
 * where the time went (per model, types and names by total time, with
 * their share of the model's execute time as a bar), stability (per type,
 * the statistics of `aclsub decode summary` beside a histogram the script
 * draws; per model, the executes' series as a table), and the frame of the
 * one-execute timeline.  Every number cell carries its raw value in
 * data-v (nanoseconds, counts, percent), which sorting and tests read.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decoder/report.h"
#include "decoder/textout.h"

void rp_td_ns(FILE *f, double ns)
{
    char t[40];
    tx_human(t, sizeof t, ns);
    fprintf(f, "<td data-v=\"%.3f\">%s</td>", ns, t);
}

void rp_td_u64(FILE *f, uint64_t v)
{
    fprintf(f, "<td data-v=\"%" PRIu64 "\">%" PRIu64 "</td>", v, v);
}

void rp_td_share(FILE *f, double pct)
{
    double w = pct < 0 ? 0 : pct > 100 ? 100 : pct;
    fprintf(f, "<td data-v=\"%.3f\" class=\"share\"><span class=\"bar\" style=\"width:%.1f%%\"></span>"
               "<span class=\"num\">%.1f %%</span></td>",
            pct, w, pct);
}

void rp_th(FILE *f, const char *const *titles, size_t n)
{
    fputs("<thead><tr>", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "<th scope=\"col\"><button type=\"button\">%s</button></th>", titles[i]);
    fputs("</tr></thead>\n<tbody>\n", f);
}

static int total_cmp(const void *pa, const void *pb)
{
    const st_group *a = *(st_group *const *)pa, *b = *(st_group *const *)pb;
    if (a->total != b->total)
        return a->total > b->total ? -1 : 1;
    int c = strcmp(a->key, b->key);
    return c ? c : (a->extra > b->extra) - (a->extra < b->extra);
}

/* The groups of t (of the model, when models is not NULL) by total, most first. */
static st_group **by_total(const st_table *t, const uint32_t *models, uint32_t model, size_t *n)
{
    st_group **v = malloc((t->n ? t->n : 1) * sizeof *v);
    *n = 0;
    if (!v)
        return NULL;
    for (size_t i = 0; i < t->n; i++)
        if (!models || models[i] == model)
            v[(*n)++] = &t->g[i];
    qsort(v, *n, sizeof *v, total_cmp);
    return v;
}

st_group **rp_types_order(const rp_report *r, size_t *n)
{
    st_group **v = by_total(&r->types, NULL, 0, n);
    if (*n > RP_STAB_ROWS)
        *n = RP_STAB_ROWS;
    return v;
}

/* One model's table of types or names. */
static void model_table(FILE *f, const st_table *t, const uint32_t *models, const rp_model *m, const char *what,
                        size_t ri, long top)
{
    static const char *const titles[] = {NULL, "Count", "Total", "Share of execute time", "Mean", "Max"};
    const char *th[6];
    memcpy(th, titles, sizeof th);
    th[0] = strcmp(what, "types") == 0 ? "Type" : "Name";
    size_t n;
    st_group **v = by_total(t, models, m->id, &n);
    double base = (double)(m->exec_total ? m->exec_total : m->busy);
    fprintf(f, "<table class=\"sortable\" id=\"%s-%zu-%" PRIu32 "\"><caption>%s of model %" PRIu32
               " by total time</caption>\n", what, ri, m->id, th[0], m->id);
    rp_th(f, th, 6);
    size_t shown = top > 0 && (size_t)top < n ? (size_t)top : n;
    for (size_t i = 0; v && i < shown; i++) {
        fputs("<tr><th scope=\"row\">", f);
        rp_html(f, v[i]->key, v[i]->key_len);
        fputs("</th>", f);
        rp_td_u64(f, v[i]->count);
        rp_td_ns(f, (double)v[i]->total);
        rp_td_share(f, base > 0 ? 100.0 * (double)v[i]->total / base : 0);
        rp_td_ns(f, (double)v[i]->total / (double)v[i]->count);
        rp_td_ns(f, (double)v[i]->max);
        fputs("</tr>\n", f);
    }
    fputs("</tbody>", f);
    if (shown < n)
        fprintf(f, "<tfoot><tr><td colspan=\"6\">%zu more not shown (aclsub report --top)</td></tr></tfoot>",
                n - shown);
    fputs("</table>\n", f);
    free(v);
}

void rp_write_time(FILE *f, const rp_report *r, size_t ri, const rp_page_opts *po)
{
    const rp_model **ms = rp_models_sorted(r);
    fputs("<h3>Where the time went</h3>\n", f);
    size_t shown = r->nmodels < RP_MODELS_SHOWN ? r->nmodels : RP_MODELS_SHOWN;
    for (size_t i = 0; ms && i < shown; i++) {
        const rp_model *m = ms[i];
        char tot[40], busy[40];
        tx_human(tot, sizeof tot, (double)m->exec_total);
        tx_human(busy, sizeof busy, (double)m->busy);
        fprintf(f, "<h4 id=\"m-%zu-%" PRIu32 "\">Model %" PRIu32 ": %" PRIu64 " executes, %s in all; operators %s"
                   "</h4>\n<div class=\"pair\">\n", ri, m->id, m->id, m->runs, tot, busy);
        model_table(f, &r->mtypes, r->mt_model, m, "types", ri, po->top);
        model_table(f, &r->mnames, r->mn_model, m, "names", ri, po->top);
        fputs("</div>\n", f);
    }
    if (r->nmodels > shown)
        fprintf(f, "<p class=\"note\">%zu more models not shown.</p>\n", r->nmodels - shown);
    free(ms);
}
