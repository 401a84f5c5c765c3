/*
 * view_summary.c - the summary view of `aclsub decode`: operator durations
 * grouped by type, name or model, with count, total, mean, median, min,
 * max, standard deviation, p90/p95/p99 and the share of busy time (the sum
 * of every operator duration that passed the filters), sorted on any column
 * and cut to the top N; as an aligned table with a footer, CSV (msprof's
 * column names, then raw nanoseconds) or JSON Lines (one object a group).
 * Groups of more than ST_EXACT_MAX operators take their median and
 * percentiles from a sketch (stats.h): the table's footer says so, a JSON
 * object carries "percentile_rel_err", and CSV output notes it on stderr.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decoder/pipeline.h"
#include "decoder/textout.h"

static const char *const col_names[DEC_NCOLS] = {"key", "count", "total", "mean",   "median", "min",
                                                  "max", "stddev", "p90",  "p95",    "p99",    "ratio"};

st_group *dec_group_of(st_table *t, dec_by by, const aclsub_rec_view *v, const dec_model *m)
{
    switch (by) {
    case DEC_BY_NAME:
        return st_get(t, v->name, strlen(v->name), v->name_hash);
    case DEC_BY_MODEL: {
        if (m)
            return st_get(t, m->name, strlen(m->name), (uint64_t)m->stream << 32 | v->model_id);
        char buf[24];
        char *e = tx_put_u64(buf, v->model_id);
        return st_get(t, buf, (size_t)(e - buf), v->model_id);
    }
    default:
        return st_get(t, v->type, strlen(v->type), 0);
    }
}

/* 1 if group g of a by-model table is a described model's (its extra carries the stream). */
static int described_group(const st_group *g)
{
    return (g->extra >> 32) != 0;
}

/* The host of a described model's stream when another host's stream has its pid, else NULL. */
static const char *group_host(const dec_summary_info *info, const st_group *g)
{
    return dec_models_stream_host(info->models, (uint32_t)(g->extra >> 32));
}

/* The key as the table shows it: a described model as "NAME (model M, pid P)", "... pid P on HOST)" when
   another host's process has the pid. */
static void shown_key(const dec_opts *o, const dec_summary_info *info, const st_group *g, char *buf, size_t cap)
{
    char key[4 * ACLSUB_REC_NAME_CAP + 1], host[4 * ACLSUB_REC_NAME_CAP + 8] = "";
    tx_put_tsv(key, g->key);
    const char *h = o->by == DEC_BY_MODEL && described_group(g) ? group_host(info, g) : NULL;
    if (h)
        tx_put_tsv(stpcpy(host, " on "), h);
    if (o->by == DEC_BY_MODEL && described_group(g))
        snprintf(buf, cap, "%s (model %" PRIu32 ", pid %" PRIu32 "%s)", key, (uint32_t)g->extra,
                 dec_models_stream_pid(info->models, (uint32_t)(g->extra >> 32)), host);
    else
        snprintf(buf, cap, "%s", key);
}

const char *dec_key_title(dec_by by, int csv)
{
    (void)csv; /* msprof's names serve the table too */
    switch (by) {
    case DEC_BY_NAME:
        return "Op Name";
    case DEC_BY_MODEL:
        return "Model ID";
    default:
        return "OP Type";
    }
}

int dec_sort_parse(const char *spec, const char *const *names, int ncols, int *col, int *desc)
{
    const char *colon = strchr(spec, ':');
    size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
    int c = -1;
    if ((len == 4 && strncmp(spec, "type", 4) == 0) || (len == 4 && strncmp(spec, "name", 4) == 0) ||
        (len == 5 && strncmp(spec, "model", 5) == 0))
        c = 0;
    for (int i = 0; i < ncols && c < 0; i++)
        if (strlen(names[i]) == len && strncmp(spec, names[i], len) == 0)
            c = i;
    if (c < 0)
        return -1;
    *col = c;
    *desc = c != 0; /* keys ascending, numbers descending */
    if (colon) {
        if (strcmp(colon + 1, "asc") == 0)
            *desc = 0;
        else if (strcmp(colon + 1, "desc") == 0)
            *desc = 1;
        else
            return -1;
    }
    return 0;
}

static double col_value(const st_group *g, int col)
{
    switch (col) {
    case DEC_COL_COUNT:
        return (double)g->count;
    case DEC_COL_TOTAL:
        return (double)g->total;
    case DEC_COL_MEAN:
        return g->mean;
    case DEC_COL_MEDIAN:
        return g->median;
    case DEC_COL_MIN:
        return (double)g->min;
    case DEC_COL_MAX:
        return (double)g->max;
    case DEC_COL_STDDEV:
        return g->stddev;
    case DEC_COL_P90:
        return (double)g->p90;
    case DEC_COL_P95:
        return (double)g->p95;
    case DEC_COL_P99:
        return (double)g->p99;
    case DEC_COL_RATIO:
        return g->ratio;
    default:
        return 0;
    }
}

struct sort_ctx {
    int col, desc;
    dec_by by;
};

static int key_cmp(const st_group *a, const st_group *b, dec_by by)
{
    if (by == DEC_BY_MODEL && a->extra != b->extra)
        return a->extra < b->extra ? -1 : 1;
    int c = strcmp(a->key, b->key);
    if (c)
        return c;
    return a->extra < b->extra ? -1 : a->extra > b->extra;
}

static int group_cmp(const void *pa, const void *pb, void *arg)
{
    const struct sort_ctx *s = arg;
    const st_group *a = *(st_group *const *)pa, *b = *(st_group *const *)pb;
    int c = 0;
    if (s->col != DEC_COL_KEY) {
        double x = col_value(a, s->col), y = col_value(b, s->col);
        c = x < y ? -1 : x > y;
    } else {
        c = key_cmp(a, b, s->by);
    }
    if (s->desc)
        c = -c;
    return c ? c : key_cmp(a, b, s->by);
}

st_group **dec_summary_order(const dec_opts *o, st_table *t, int col, int desc, size_t *n)
{
    st_group **v = malloc((t->n ? t->n : 1) * sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < t->n; i++)
        v[i] = &t->g[i];
    struct sort_ctx ctx = {col, desc, o->by};
    qsort_r(v, t->n, sizeof *v, group_cmp, &ctx);
    *n = t->n;
    if (o->top > 0 && (size_t)o->top < *n)
        *n = (size_t)o->top;
    return v;
}

/* --- table ------------------------------------------------------------------- */

#define TCOLS 12
static const char *const table_titles[TCOLS] = {NULL,  "Count", "Total", "Mean", "Median", "Min",
                                                 "Max", "StdDev", "P90",  "P95",  "P99",    "Busy%"};

/* The cells of one row, into cells[TCOLS][40] (the key separately). */
static void table_cells(const st_group *g, char cells[TCOLS][40])
{
    snprintf(cells[1], 40, "%" PRIu64, g->count);
    tx_human(cells[2], 40, (double)g->total);
    tx_human(cells[3], 40, g->mean);
    tx_human(cells[4], 40, g->median);
    tx_human(cells[5], 40, (double)g->min);
    tx_human(cells[6], 40, (double)g->max);
    tx_human(cells[7], 40, g->stddev);
    tx_human(cells[8], 40, (double)g->p90);
    tx_human(cells[9], 40, (double)g->p95);
    tx_human(cells[10], 40, (double)g->p99);
    snprintf(cells[11], 40, "%.2f", g->ratio);
}

static void print_table(const dec_opts *o, st_group **rows, size_t n, const st_table *t,
                        const dec_summary_info *info, FILE *out)
{
    size_t w[TCOLS];
    char cells[TCOLS][40], key[8 * ACLSUB_REC_NAME_CAP + 64];
    int described = 0;
    for (size_t i = 0; o->by == DEC_BY_MODEL && i < t->n; i++)
        described |= described_group(&t->g[i]);
    const char *title = described ? "Model" : dec_key_title(o->by, 0);
    w[0] = strlen(title);
    for (int c = 1; c < TCOLS; c++)
        w[c] = strlen(table_titles[c]);
    for (size_t i = 0; i < n; i++) {
        table_cells(rows[i], cells);
        shown_key(o, info, rows[i], key, sizeof key);
        if (tx_width(key) > w[0])
            w[0] = tx_width(key);
        for (int c = 1; c < TCOLS; c++)
            if (strlen(cells[c]) > w[c])
                w[c] = strlen(cells[c]);
    }
    tx_pad(out, title, w[0], 0);
    for (int c = 1; c < TCOLS; c++) {
        fputs("  ", out);
        tx_pad(out, table_titles[c], w[c], 1);
    }
    fputc('\n', out);
    for (size_t i = 0; i < n; i++) {
        table_cells(rows[i], cells);
        shown_key(o, info, rows[i], key, sizeof key);
        tx_pad(out, key, w[0], 0);
        for (int c = 1; c < TCOLS; c++) {
            fputs("  ", out);
            tx_pad(out, cells[c], w[c], 1);
        }
        fputc('\n', out);
    }
    dec_summary_footer(t, n, info, out);
}

void dec_summary_footer(const st_table *t, size_t n, const dec_summary_info *info, FILE *out)
{
    uint64_t ops = 0;
    for (size_t i = 0; i < t->n; i++)
        ops += t->g[i].count;
    char busy[40];
    tx_human(busy, sizeof busy, (double)t->busy);
    fprintf(out, "\noperators: %" PRIu64 " in %zu group(s)", ops, t->n);
    if (n < t->n)
        fprintf(out, " (top %zu shown)", n);
    fprintf(out, ", busy time %s; whole runs: %" PRIu64 "\n", busy, info->runs);
    fprintf(out, "records lost: %" PRIu64 " (from records-lost notices)\n", info->lost);
    dec_approx_note(t, t, out);
}

void dec_approx_note(const st_table *a, const st_table *b, FILE *out)
{
    size_t n = st_approx_groups(a) + (b != a ? st_approx_groups(b) : 0);
    if (n)
        fprintf(out, "percentiles: median and p90/p95/p99 within %.3f %% of the exact values in %zu group(s) of "
                     "more than %u operators (a sketch); exact otherwise\n",
                100.0 * ST_REL_ERR, n, ST_EXACT_MAX);
}

/* --- CSV and JSON Lines ----------------------------------------------------------- */

/* msprof's columns; by model, Host after Process ID when another host's process has a described model's pid. */
static void print_csv(const dec_opts *o, const dec_summary_info *info, st_group **rows, size_t n, FILE *out)
{
    int described = 0, hosts = 0;
    for (size_t i = 0; o->by == DEC_BY_MODEL && i < n; i++) {
        described |= described_group(rows[i]);
        hosts |= described_group(rows[i]) && group_host(info, rows[i]);
    }
    fprintf(out, "%s%s%s,Count,Total Time(us),Min Time(us),Avg Time(us),Max Time(us),Ratio(%%),Median Time(us),"
                 "StdDev Time(us),P90 Time(us),P95 Time(us),P99 Time(us),"
                 "total_ns,min_ns,mean_ns,max_ns,median_ns,stddev_ns,p90_ns,p95_ns,p99_ns\n",
            described ? "Model Name" : dec_key_title(o->by, 1), described ? ",Model ID,Process ID" : "",
            hosts ? ",Host" : "");
    char line[TX_CSV_MAX(ACLSUB_REC_NAME_CAP) * 2 + 640];
    for (size_t i = 0; i < n; i++) {
        const st_group *g = rows[i];
        char *p = line;
        if (described && !described_group(g)) { /* a model no stream described: its id only */
            p += sprintf(p, ",%s,%s", g->key, hosts ? "," : "");
        } else {
            p = tx_put_csv(p, g->key, g->key_len);
            if (described)
                p += sprintf(p, ",%" PRIu32 ",%" PRIu32, (uint32_t)g->extra,
                             dec_models_stream_pid(info->models, (uint32_t)(g->extra >> 32)));
            if (hosts) {
                const char *h = group_host(info, g);
                *p++ = ',';
                p = h ? tx_put_csv(p, h, strlen(h)) : p;
            }
        }
        *p++ = ',';
        p = tx_put_u64(p, g->count);
        *p++ = ',';
        p = tx_put_us3_u(p, g->total);
        *p++ = ',';
        p = tx_put_us3_u(p, g->min);
        *p++ = ',';
        p = tx_put_f3(p, g->mean / 1000.0);
        *p++ = ',';
        p = tx_put_us3_u(p, g->max);
        *p++ = ',';
        p = tx_put_f3(p, g->ratio);
        *p++ = ',';
        p = tx_put_f3(p, g->median / 1000.0);
        *p++ = ',';
        p = tx_put_f3(p, g->stddev / 1000.0);
        const uint64_t us[3] = {g->p90, g->p95, g->p99};
        for (int k = 0; k < 3; k++) {
            *p++ = ',';
            p = tx_put_us3_u(p, us[k]);
        }
        p += sprintf(p, ",%" PRIu64 ",%" PRIu64 ",%.3f,%" PRIu64 ",%.3f,%.3f,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
                     g->total, g->min, g->mean, g->max, g->median, g->stddev, g->p90, g->p95, g->p99);
        fwrite(line, 1, (size_t)(p - line), out);
    }
}

static void print_jsonl(const dec_opts *o, const dec_summary_info *info, st_group **rows, size_t n, FILE *out)
{
    char line[12 * ACLSUB_REC_NAME_CAP + 640];
    for (size_t i = 0; i < n; i++) {
        const st_group *g = rows[i];
        char *p = line;
        if (o->by == DEC_BY_MODEL && described_group(g)) {
            p += sprintf(p, "{\"model\":%" PRIu32 ",\"model_name\":", (uint32_t)g->extra);
            p = tx_put_json(p, g->key, g->key_len);
            p += sprintf(p, ",\"pid\":%" PRIu32, dec_models_stream_pid(info->models, (uint32_t)(g->extra >> 32)));
            const char *host = group_host(info, g); /* set when another host's process has the pid */
            if (host) {
                p = stpcpy(p, ",\"host\":");
                p = tx_put_json(p, host, strlen(host));
            }
        } else if (o->by == DEC_BY_MODEL) {
            p += sprintf(p, "{\"model\":%" PRIu64, g->extra);
        } else {
            p += sprintf(p, "{\"%s\":", o->by == DEC_BY_NAME ? "name" : "type");
            p = tx_put_json(p, g->key, g->key_len);
        }
        p += sprintf(p,
                     ",\"count\":%" PRIu64 ",\"total_ns\":%" PRIu64 ",\"mean_ns\":%.3f,\"median_ns\":%.3f,"
                     "\"min_ns\":%" PRIu64 ",\"max_ns\":%" PRIu64 ",\"stddev_ns\":%.3f,\"p90_ns\":%" PRIu64
                     ",\"p95_ns\":%" PRIu64 ",\"p99_ns\":%" PRIu64 ",\"ratio_pct\":%.3f}\n",
                     g->count, g->total, g->mean, g->median, g->min, g->max, g->stddev, g->p90, g->p95, g->p99,
                     g->ratio);
        if (st_approx(g))
            p += sprintf(p - 2, ",\"percentile_rel_err\":%.7f}\n", ST_REL_ERR) - 2;
        fwrite(line, 1, (size_t)(p - line), out);
    }
}

int dec_summary_print(const dec_opts *o, st_table *t, const dec_summary_info *info, FILE *out, FILE *err)
{
    int col = DEC_COL_TOTAL, desc = 1;
    if (o->sort && dec_sort_parse(o->sort, col_names, DEC_NCOLS, &col, &desc) < 0) {
        fprintf(err, "aclsub decode: unknown sort column '%s' (one of: type|name|model|key, count, total, "
                     "mean, median, min, max, stddev, p90, p95, p99, ratio; optionally :asc or :desc)\n",
                o->sort);
        return -1;
    }
    st_finish(t);
    size_t n = 0;
    st_group **rows = dec_summary_order(o, t, col, desc, &n);
    if (!rows) {
        fprintf(err, "aclsub decode: out of memory\n");
        return -1;
    }
    if (o->nfields)
        dec_fields_summary(o, rows, n, t, info, out);
    else if (o->format == DEC_FMT_CSV)
        print_csv(o, info, rows, n, out);
    else if (o->format == DEC_FMT_JSONL)
        print_jsonl(o, info, rows, n, out);
    else
        print_table(o, rows, n, t, info, out);
    if (o->format != DEC_FMT_TABLE && info->lost)
        fprintf(err, "aclsub decode: records lost: %" PRIu64 " (from records-lost notices)\n", info->lost);
    if (o->format == DEC_FMT_CSV && st_approx_groups(t)) {
        fputs("aclsub decode: ", err);
        dec_approx_note(t, t, err);
    }
    free(rows);
    return 0;
}

int dec_summary_sort_ok(const char *spec)
{
    int col, desc;
    return dec_sort_parse(spec, col_names, DEC_NCOLS, &col, &desc) == 0;
}
