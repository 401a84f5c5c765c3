/*
 * report_stability.c - the stability and timeline sections of one
 * recording on the page of `aclsub report`: per operator type the
 * statistics `aclsub decode summary` prints (the same numbers, from the
 * same code) with a cell where the script draws the log-scale histogram,
 * per model the executes' time over iterations (a chart, its aria-label,
 * and the buckets as a table), and the frame of the one-execute timeline.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "decoder/report.h"
#include "decoder/textout.h"

static void hist_cell(FILE *f, const rp_report *r, const st_group *g, size_t ri, size_t rank)
{
    size_t gi = (size_t)(g - r->types.g);
    if (rank >= RP_HIST_ROWS || gi >= r->hist_cap || !r->hist[gi]) {
        fputs("<td></td>", f);
        return;
    }
    char a[40], b[40], c[40];
    tx_human(a, sizeof a, g->median);
    tx_human(b, sizeof b, (double)g->p90);
    tx_human(c, sizeof c, (double)g->p99);
    fprintf(f, "<td class=\"dist\"><div class=\"chart\" data-chart=\"hist\" data-rec=\"%zu\" data-i=\"%zu\" "
               "role=\"img\" aria-label=\"histogram of the durations of ",
            ri, rank);
    rp_html(f, g->key, g->key_len);
    fprintf(f, ": median %s, p90 %s, p99 %s\"></div></td>", a, b, c);
}

static void type_row(FILE *f, const rp_report *r, const st_group *g, size_t ri, size_t rank)
{
    fputs("<tr><th scope=\"row\">", f);
    rp_html(f, g->key, g->key_len);
    fputs("</th>", f);
    rp_td_u64(f, g->count);
    rp_td_ns(f, (double)g->total);
    rp_td_share(f, g->ratio);
    rp_td_ns(f, g->mean);
    rp_td_ns(f, g->median);
    rp_td_ns(f, (double)g->p90);
    rp_td_ns(f, (double)g->p99);
    rp_td_ns(f, (double)g->min);
    rp_td_ns(f, (double)g->max);
    rp_td_ns(f, g->stddev);
    hist_cell(f, r, g, ri, rank);
    fputs("</tr>\n", f);
}

static void types_table(FILE *f, const rp_report *r, size_t ri)
{
    static const char *const th[] = {"Type", "Count", "Total", "Share of busy time", "Mean", "Median", "P90",
                                     "P99",  "Min",   "Max",   "StdDev", "Distribution (log scale)"};
    size_t n;
    st_group **v = rp_types_order(r, &n);
    fprintf(f, "<table class=\"sortable\" id=\"stab-%zu\"><caption>Operator types of every model: durations"
               "</caption>\n", ri);
    rp_th(f, th, sizeof th / sizeof th[0]);
    for (size_t i = 0; v && i < n; i++)
        type_row(f, r, v[i], ri, i);
    fputs("</tbody>", f);
    if (r->types.n > n)
        fprintf(f, "<tfoot><tr><td colspan=\"12\">%zu more types not shown</td></tr></tfoot>", r->types.n - n);
    fputs("</table>\n", f);
    free(v);
}

static void series_table(FILE *f, const rp_model *m)
{
    static const char *const th[] = {"First execute", "Iteration", "Executes", "Min", "Mean", "Max"};
    fputs("<details><summary>The series as a table</summary><table class=\"sortable\">", f);
    rp_th(f, th, 6);
    const rp_series *s = m->series;
    for (size_t i = 0; i < s->nb; i++) {
        const rp_bucket *b = &s->b[i];
        fputs("<tr>", f);
        rp_td_u64(f, b->first);
        rp_td_u64(f, b->iter);
        rp_td_u64(f, b->n);
        rp_td_ns(f, (double)b->min);
        rp_td_ns(f, (double)b->sum / (double)b->n);
        rp_td_ns(f, (double)b->max);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></details>\n", f);
}

static void series(FILE *f, const rp_model *m, size_t ri)
{
    if (m->runs == 0)
        return;
    char p50[40], p90[40], p99[40], mn[40], mx[40], first[40];
    tx_human(p50, sizeof p50, (double)m->p50);
    tx_human(p90, sizeof p90, (double)m->p90);
    tx_human(p99, sizeof p99, (double)m->p99);
    tx_human(mn, sizeof mn, (double)m->min);
    tx_human(mx, sizeof mx, (double)m->max);
    tx_human(first, sizeof first, (double)m->series->b[0].max);
    fprintf(f, "<figure><figcaption>Model %" PRIu32 ": %" PRIu64 " executes; median %s, p90 %s, p99 %s, "
               "min %s, max %s. Band: min to max of each point's %" PRIu64 " execute(s); line: their mean; "
               "dashed: the median.</figcaption>\n",
            m->id, m->runs, p50, p90, p99, mn, mx, m->series->width);
    fprintf(f, "<div class=\"chart\" data-chart=\"series\" data-rec=\"%zu\" data-model=\"%" PRIu32
               "\" role=\"img\" aria-label=\"execute time of model %" PRIu32 " over %" PRIu64
               " executes: the first took up to %s, median %s, max %s\"></div>\n",
            ri, m->id, m->id, m->runs, first, p50, mx);
    series_table(f, m);
    fputs("</figure>\n", f);
}

void rp_write_stability(FILE *f, const rp_report *r, size_t ri)
{
    fputs("<h3>Stability</h3>\n", f);
    types_table(f, r, ri);
    const rp_model **ms = rp_models_sorted(r);
    size_t shown = r->nmodels < RP_MODELS_SHOWN ? r->nmodels : RP_MODELS_SHOWN;
    fputs("<h4>Execute time over iterations</h4>\n", f);
    for (size_t i = 0; ms && i < shown; i++)
        series(f, ms[i], ri);
    free(ms);
}

void rp_write_timeline(FILE *f, const rp_report *r, size_t ri)
{
    const rp_timeline *tl = &r->tl;
    fputs("<h3>One execute</h3>\n", f);
    if (!tl->found) {
        fputs("<p class=\"note\">No timeline: ", f);
        rp_htmls(f, tl->why ? tl->why : "not asked for");
        fputs(".</p>\n", f);
        return;
    }
    char d[40];
    tx_human(d, sizeof d, (double)tl->dur);
    const dec_model *m = dec_models_find(r->descs, 0, tl->pid, tl->model);
    fprintf(f, "<p id=\"tl-%zu-what\">Model ", ri);
    if (m) {
        rp_htmls(f, m->name);
        fputs(" (", f);
    }
    fprintf(f, "%s%" PRIu32 "%s, process %" PRIu32 ", iteration %" PRIu64 ": %s, %zu operators", m ? "id " : "",
            tl->model, m ? ")" : "", tl->pid, tl->iteration, d, tl->n);
    if (tl->dropped)
        fprintf(f, " (%" PRIu64 " more not kept)", tl->dropped);
    fputs(". Wheel or buttons to zoom, drag to pan, hover for an operator.</p>\n", f);
    fprintf(f, "<div class=\"tl-tools\" data-rec=\"%zu\"></div>\n<div class=\"chart tl\" data-chart=\"timeline\" "
               "data-rec=\"%zu\" role=\"img\" aria-label=\"timeline of %zu operators over %s; the table below "
               "lists them\"></div>\n<details><summary>The operators as a table</summary><div class=\"tl-table\" "
               "data-rec=\"%zu\"></div></details>\n", ri, ri, tl->n, d, ri);
}
