/*
 * report_html.c - the page of `aclsub report`: one HTML file with its
 * style and script inline (report_assets.c) and a Content-Security-Policy
 * that forbids every request, so it opens from disk with no network and
 * nothing in it can fetch anything.  The header of each recording
 * (programs, hosts, models, executes, records, loss), then its sections
 * (report_tables.c), the diff of two recordings (report_diff.c), and the
 * charts' data (report_charts.c) that the script draws.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decoder/report.h"
#include "decoder/textout.h"

static void head(FILE *f, rp_report *const *recs)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"color-scheme\" content=\"light dark\">\n<title>aclsub report: ",
          f);
    rp_htmls(f, recs[0]->label);
    fprintf(f, "</title>\n<script>%s</script>\n<style>%s</style>\n</head>\n<body>\n", rp_js_guard, rp_css);
    fputs("<pre id=\"errors\" hidden></pre>\n", f);
}

/* One "key: value" of the header list. */
static void item_u64(FILE *f, const char *dt, uint64_t v, const char *id)
{
    fprintf(f, "<dt>%s</dt><dd id=\"%s\" data-v=\"%" PRIu64 "\">%" PRIu64 "</dd>\n", dt, id, v, v);
}

/* The value of "key=" in a stream start's name, up to the next space ("cmd=": the rest). */
static void start_field(FILE *f, const char *s, const char *key, int rest)
{
    const char *p = strstr(s, key);
    if (p && (p == s || p[-1] == ' ')) {
        p += strlen(key);
        size_t n = rest ? strlen(p) : strcspn(p, " ");
        rp_html(f, p, n);
    } else {
        fputs("?", f);
    }
}

/* 1 if two stream starts name the same host (the first field, "host=H"). */
static int same_host(const char *a, const char *b)
{
    size_t n = strcspn(a, " ");
    return n == strcspn(b, " ") && strncmp(a, b, n) == 0;
}

static void programs(FILE *f, const rp_report *r)
{
    fputs("<dt>program</dt><dd class=\"prog\">", f);
    if (r->nprogs == 0)
        fputs("(no stream start record: a program's own subscription)", f);
    for (size_t i = 0; i < r->nprogs; i++) {
        fputs(i ? "<br>" : "", f);
        fputs("<code>", f);
        start_field(f, r->progs[i], "cmd=", 1);
        fputs("</code>", f);
    }
    if (r->starts > r->nprogs)
        fprintf(f, " (%" PRIu64 " stream starts)", r->starts);
    fputs("</dd>\n<dt>host</dt><dd>", f);
    for (size_t i = 0; i < r->nprogs; i++) {
        if (i && same_host(r->progs[i], r->progs[i - 1]))
            continue;
        fputs(i ? ", " : "", f);
        start_field(f, r->progs[i], "host=", 0);
    }
    fputs("</dd>\n", f);
}

/* The names the stream's descriptions give model id (every process's, each once), or nothing. */
static void model_names(FILE *f, const rp_report *r, uint32_t id)
{
    size_t n = dec_models_count(r->descs), shown = 0;
    for (size_t i = 0; i < n; i++) {
        const dec_model *m = dec_models_at(r->descs, i);
        int again = 0;
        for (size_t k = 0; k < i && !again; k++) {
            const dec_model *o = dec_models_at(r->descs, k);
            again = o->model_id == id && strcmp(o->name, m->name) == 0;
        }
        if (m->model_id != id || again)
            continue;
        fputs(shown++ ? " / " : "", f);
        rp_htmls(f, m->name);
    }
    if (shown)
        fputs(", ", f);
}

static void models(FILE *f, const rp_report *r, size_t ri)
{
    const rp_model **ms = rp_models_sorted(r);
    size_t described = dec_models_count(r->descs);
    fputs("<dt>models</dt><dd>", f);
    for (size_t i = 0; ms && i < r->nmodels; i++) {
        char t[40];
        tx_human(t, sizeof t, (double)ms[i]->p50);
        fprintf(f, "%s<a href=\"#m-%zu-%" PRIu32 "\">", i ? ", " : "", ri, ms[i]->id);
        model_names(f, r, ms[i]->id);
        fprintf(f, "id %" PRIu32 "</a> (%" PRIu64 " executes, median %s)", ms[i]->id, ms[i]->runs, t);
    }
    fputs(r->nmodels ? "" : "none", f);
    fputs(described ? "</dd>\n" : " <small>(ids: the stream carries no model description)</small></dd>\n", f);
    free(ms);
    if (!described)
        return;
    /* Each description: name, file, device, operators, process (a bounded list). */
    fprintf(f, "<dt>model files</dt><dd id=\"files-%zu\">", ri);
    for (size_t i = 0; i < described && i < RP_MAX_PROGS * 4; i++) {
        const dec_model *m = dec_models_at(r->descs, i);
        fputs(i ? "<br>" : "", f);
        rp_htmls(f, m->name);
        fputs(": <code>", f);
        rp_htmls(f, m->file[0] ? m->file : "(not seen)");
        fprintf(f, "</code> (id %" PRIu32 ", device %" PRIu32 ", %" PRIu64 " operators, process %" PRIu32 ")",
                m->model_id, m->dev_id, m->ops, m->pid);
    }
    if (described > RP_MAX_PROGS * 4)
        fprintf(f, "<br>(%zu more)", described - RP_MAX_PROGS * 4);
    fputs("</dd>\n", f);
}

static void header(FILE *f, const rp_report *r, size_t ri)
{
    fprintf(f, "<section class=\"rec\" id=\"rec-%zu\" aria-labelledby=\"rec-%zu-h\">\n<h2 id=\"rec-%zu-h\">", ri, ri,
            ri);
    rp_htmls(f, r->label);
    fprintf(f, "</h2>\n<dl class=\"head\" id=\"head-%zu\">\n", ri);
    programs(f, r);
    models(f, r, ri);
    char id[32];
    snprintf(id, sizeof id, "executes-%zu", ri);
    item_u64(f, "executes", r->runs, id);
    snprintf(id, sizeof id, "ops-%zu", ri);
    item_u64(f, "operator records", r->ops, id);
    uint64_t lost = r->ctrl.lost > r->proof.counted ? r->ctrl.lost : r->proof.counted;
    fprintf(f, "<dt>records lost</dt><dd id=\"lost-%zu\" data-v=\"%" PRIu64 "\"%s>%" PRIu64
               " counted by the stream (records-lost notices: %" PRIu64 ", stream ends: %" PRIu64 "), %" PRIu64
               " missing by sequence number, %" PRIu64 " lost silently",
            ri, st_sat_add(lost, r->proof.silent), lost || r->proof.silent ? " class=\"warn\"" : "", lost,
            r->ctrl.lost, r->dropped_end, r->proof.missing, r->proof.silent);
    if (r->damaged)
        fprintf(f, "; %" PRIu64 " damaged spans skipped", r->damaged);
    fputs("</dd>\n</dl>\n", f);
}

int rp_write_page(FILE *f, rp_report *const *recs, size_t n, const rp_page_opts *po)
{
    head(f, recs);
    fputs("<header><h1>aclsub report</h1><nav>", f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s<a href=\"#rec-%zu\">", i ? " · " : "", i);
        rp_htmls(f, recs[i]->label);
        fputs("</a>", f);
    }
    fputs(n == 2 ? " · <a href=\"#diff\">diff</a>" : "", f);
    fputs("</nav></header>\n<main>\n", f);
    for (size_t i = 0; i < n; i++) {
        header(f, recs[i], i);
        rp_write_time(f, recs[i], i, po);
        rp_write_stability(f, recs[i], i);
        rp_write_timeline(f, recs[i], i);
        fputs("</section>\n", f);
    }
    if (n == 2)
        rp_write_diff(f, recs[0], recs[1], po);
    fputs("</main>\n<script type=\"application/json\" id=\"report-data\">", f);
    rp_write_data(f, recs, n);
    fprintf(f, "</script>\n<script>%s</script>\n</body></html>\n", rp_js);
    return ferror(f) ? -1 : 0;
}
