/*
 * report_diff.c - the diff section of the page of `aclsub report` with two
 * recordings, A then B: operator types (every model) and operator names
 * (by model) side by side, with the change of total time B - A as a bar
 * (slower right, faster left) and the ratio of the means B / A; rows sorted
 * by the size of the change, largest first, so the first rows are what
 * changed the execute time most.  Groups only one side has count as 0 on
 * the other.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decoder/report.h"
#include "decoder/textout.h"

typedef struct drow {
    const st_group *a, *b, *any;
    uint32_t model;
    double delta; /* total B - total A, ns */
} drow;

static double total(const st_group *g)
{
    return g ? (double)g->total : 0;
}

static int delta_cmp(const void *pa, const void *pb)
{
    const drow *a = pa, *b = pb;
    double x = fabs(a->delta), y = fabs(b->delta);
    if (x != y)
        return x > y ? -1 : 1;
    return strcmp(a->any->key, b->any->key);
}

/* The union of the groups of ta and tb (extra, when models, is looked up per model). */
static drow *rows(const st_table *ta, const st_table *tb, const uint32_t *ma, const uint32_t *mb, size_t *n)
{
    drow *v = malloc((ta->n + tb->n + 1) * sizeof *v);
    *n = 0;
    if (!v)
        return NULL;
    for (size_t i = 0; i < ta->n; i++) {
        const st_group *a = &ta->g[i], *b = st_find(tb, a->key, a->key_len, a->extra);
        v[(*n)++] = (drow){a, b, a, ma ? ma[i] : 0, total(b) - total(a)};
    }
    for (size_t i = 0; i < tb->n; i++) {
        const st_group *b = &tb->g[i];
        if (!st_find(ta, b->key, b->key_len, b->extra))
            v[(*n)++] = (drow){NULL, b, b, mb ? mb[i] : 0, total(b)};
    }
    qsort(v, *n, sizeof *v, delta_cmp);
    return v;
}

static void mean_cell(FILE *f, const st_group *g)
{
    if (g)
        rp_td_ns(f, (double)g->total / (double)g->count);
    else
        fputs("<td data-v=\"\">–</td>", f);
}

static void delta_cell(FILE *f, const drow *r, double scale)
{
    char t[40];
    tx_human(t, sizeof t, fabs(r->delta));
    double w = scale > 0 ? 50.0 * fabs(r->delta) / scale : 0;
    const char *cls = r->delta > 0 ? "slower" : r->delta < 0 ? "faster" : "same";
    fprintf(f, "<td data-v=\"%.1f\" class=\"delta %s\"><span class=\"dbar\" style=\"width:%.1f%%\"></span>"
               "<span class=\"num\">%s%s</span></td>",
            r->delta, cls, w, r->delta > 0 ? "+" : r->delta < 0 ? "−" : "±", t);
}

static void ratio_cell(FILE *f, const drow *r)
{
    if (!r->a || !r->b) {
        fprintf(f, "<td data-v=\"\">%s</td>", r->a ? "gone" : "new");
        return;
    }
    double ra = (double)r->a->total / (double)r->a->count, rb = (double)r->b->total / (double)r->b->count;
    double q = ra > 0 ? rb / ra : 0;
    fprintf(f, "<td data-v=\"%.4f\">%.2f×</td>", q, q);
}

static void table(FILE *f, const char *id, const char *what, const drow *v, size_t n, long top, int models)
{
    static const char *const th[] = {NULL,     "Model",   "Count A", "Count B",
                                     "Mean A", "Mean B",  "Change of total time (B − A)", "Mean B / A"};
    const char *h[8];
    memcpy(h, th, sizeof h);
    h[0] = what;
    size_t shown = top > 0 && (size_t)top < n ? (size_t)top : n;
    double scale = n ? fabs(v[0].delta) : 0;
    fprintf(f, "<table class=\"sortable\" id=\"%s\"><caption>%s by the change of their total time</caption>\n", id,
            what);
    fputs("<thead><tr>", f);
    for (size_t i = 0; i < 8; i++)
        if (i != 1 || models)
            fprintf(f, "<th scope=\"col\"><button type=\"button\">%s</button></th>", h[i]);
    fputs("</tr></thead>\n<tbody>\n", f);
    for (size_t i = 0; i < shown; i++) {
        fputs("<tr><th scope=\"row\">", f);
        rp_html(f, v[i].any->key, v[i].any->key_len);
        fputs("</th>", f);
        if (models)
            fprintf(f, "<td data-v=\"%" PRIu32 "\">%" PRIu32 "</td>", v[i].model, v[i].model);
        rp_td_u64(f, v[i].a ? v[i].a->count : 0);
        rp_td_u64(f, v[i].b ? v[i].b->count : 0);
        mean_cell(f, v[i].a);
        mean_cell(f, v[i].b);
        delta_cell(f, &v[i], scale);
        ratio_cell(f, &v[i]);
        fputs("</tr>\n", f);
    }
    fputs("</tbody>", f);
    if (shown < n)
        fprintf(f, "<tfoot><tr><td colspan=\"8\">%zu more not shown (aclsub report --top)</td></tr></tfoot>",
                n - shown);
    fputs("</table>\n", f);
}

void rp_write_diff(FILE *f, rp_report *a, rp_report *b, const rp_page_opts *po)
{
    fputs("<section id=\"diff\" aria-labelledby=\"diff-h\"><h2 id=\"diff-h\">What changed: A = ", f);
    rp_htmls(f, a->label);
    fputs(", B = ", f);
    rp_htmls(f, b->label);
    fputs("</h2>\n<p>Rows sorted by how much their total time changed; red: slower in B, green: faster.</p>\n", f);
    size_t n;
    drow *v = rows(&a->types, &b->types, NULL, NULL, &n);
    if (v)
        table(f, "diff-types", "Operator types", v, n, RP_STAB_ROWS, 0);
    free(v);
    v = rows(&a->mnames, &b->mnames, a->mn_model, b->mn_model, &n);
    if (v)
        table(f, "diff-names", "Operators", v, n, po->top, 1);
    free(v);
    fputs("</section>\n", f);
}
