/*
 * view_diff.c - `aclsub decode diff A B`: two streams' operator groups (by
 * type, name or model) side by side: counts, mean and median durations of
 * each, and the ratios B/A (empty when a side has no such operator).  Rows
 * are the union of both sides' groups, sorted on any column (default: the
 * key), as a table, CSV or JSON Lines.  A median from a sketch (a group of
 * more than ST_EXACT_MAX operators, stats.h) is noted below the table, or
 * on stderr.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decoder/pipeline.h"
#include "decoder/textout.h"

enum { DC_KEY, DC_COUNT_A, DC_COUNT_B, DC_COUNT_R, DC_MEAN_A, DC_MEAN_B, DC_MEAN_R, DC_MED_A, DC_MED_B, DC_MED_R, DC_N };
static const char *const diff_cols[DC_N] = {"key",    "count_a",  "count_b",  "count_ratio", "mean_a",
                                             "mean_b", "mean_ratio", "median_a", "median_b", "median_ratio"};

typedef struct diff_row {
    const st_group *a, *b; /* either may be NULL */
    const st_group *any;
} diff_row;

struct diff_sort {
    int col, desc;
    dec_by by;
};

/* A column's value; *ok 0 when it has none (a side is missing). */
static double value(const diff_row *r, int col, int *ok)
{
    const st_group *a = r->a, *b = r->b;
    *ok = 1;
    switch (col) {
    case DC_COUNT_A:
        return a ? (double)a->count : 0;
    case DC_COUNT_B:
        return b ? (double)b->count : 0;
    case DC_MEAN_A:
    case DC_MED_A:
        *ok = a != NULL;
        return a ? (col == DC_MEAN_A ? a->mean : a->median) : 0;
    case DC_MEAN_B:
    case DC_MED_B:
        *ok = b != NULL;
        return b ? (col == DC_MEAN_B ? b->mean : b->median) : 0;
    default:
        break;
    }
    *ok = a && b;
    if (!*ok)
        return 0;
    double x = col == DC_COUNT_R ? (double)a->count : col == DC_MEAN_R ? a->mean : a->median;
    double y = col == DC_COUNT_R ? (double)b->count : col == DC_MEAN_R ? b->mean : b->median;
    if (x == 0) {
        *ok = 0;
        return 0;
    }
    return y / x;
}

static int key_cmp(const st_group *a, const st_group *b, dec_by by)
{
    if (by == DEC_BY_MODEL && a->extra != b->extra)
        return a->extra < b->extra ? -1 : 1;
    int c = strcmp(a->key, b->key);
    return c ? c : a->extra < b->extra ? -1 : a->extra > b->extra;
}

static int row_cmp(const void *pa, const void *pb, void *arg)
{
    const struct diff_sort *s = arg;
    const diff_row *a = pa, *b = pb;
    int c = 0;
    if (s->col != DC_KEY) {
        int oka, okb;
        double x = value(a, s->col, &oka), y = value(b, s->col, &okb);
        if (oka != okb)
            return oka ? -1 : 1; /* rows without a value last, either way */
        c = x < y ? -1 : x > y;
    } else {
        c = key_cmp(a->any, b->any, s->by);
    }
    if (s->desc)
        c = -c;
    return c ? c : key_cmp(a->any, b->any, s->by);
}

static diff_row *join(st_table *a, st_table *b, size_t *n)
{
    diff_row *rows = malloc((a->n + b->n + 1) * sizeof *rows);
    if (!rows)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < a->n; i++) {
        const st_group *g = &a->g[i];
        rows[k++] = (diff_row){g, st_find(b, g->key, g->key_len, g->extra), g};
    }
    for (size_t i = 0; i < b->n; i++) {
        const st_group *g = &b->g[i];
        if (!st_find(a, g->key, g->key_len, g->extra))
            rows[k++] = (diff_row){NULL, g, g};
    }
    *n = k;
    return rows;
}

static void cell(char *buf, size_t len, const diff_row *r, int col)
{
    int ok;
    double v = value(r, col, &ok);
    if (!ok)
        snprintf(buf, len, "-");
    else if (col == DC_COUNT_A || col == DC_COUNT_B)
        snprintf(buf, len, "%.0f", v);
    else if (col == DC_COUNT_R || col == DC_MEAN_R || col == DC_MED_R)
        snprintf(buf, len, "%.2f", v);
    else
        tx_human(buf, len, v);
}

static void print_table(const dec_opts *o, const diff_row *rows, size_t n, const char *la, const char *lb,
                        FILE *out)
{
    static const char *const titles[DC_N] = {NULL,     "Count A",  "Count B", "B/A", "Mean A",
                                             "Mean B", "B/A",      "Median A", "Median B", "B/A"};
    size_t w[DC_N];
    char buf[64], key[4 * ACLSUB_REC_NAME_CAP + 1];
    w[0] = strlen(dec_key_title(o->by, 0));
    for (int c = 1; c < DC_N; c++)
        w[c] = strlen(titles[c]);
    for (size_t i = 0; i < n; i++) {
        tx_put_tsv(key, rows[i].any->key);
        if (tx_width(key) > w[0])
            w[0] = tx_width(key);
        for (int c = 1; c < DC_N; c++) {
            cell(buf, sizeof buf, &rows[i], c);
            if (strlen(buf) > w[c])
                w[c] = strlen(buf);
        }
    }
    fprintf(out, "A: %s\nB: %s\n\n", la, lb);
    tx_pad(out, dec_key_title(o->by, 0), w[0], 0);
    for (int c = 1; c < DC_N; c++) {
        fputs("  ", out);
        tx_pad(out, titles[c], w[c], 1);
    }
    fputc('\n', out);
    for (size_t i = 0; i < n; i++) {
        tx_put_tsv(key, rows[i].any->key);
        tx_pad(out, key, w[0], 0);
        for (int c = 1; c < DC_N; c++) {
            cell(buf, sizeof buf, &rows[i], c);
            fputs("  ", out);
            tx_pad(out, buf, w[c], 1);
        }
        fputc('\n', out);
    }
}

/* A number for CSV (empty when missing) or JSON (null when missing). */
static void put_num(FILE *out, const diff_row *r, int col, int json)
{
    int ok;
    double v = value(r, col, &ok);
    if (!ok)
        fputs(json ? "null" : "", out);
    else if (col == DC_COUNT_A || col == DC_COUNT_B)
        fprintf(out, "%.0f", v);
    else if (col == DC_MEAN_A || col == DC_MEAN_B || col == DC_MED_A || col == DC_MED_B)
        fprintf(out, "%.3f", json ? v : v / 1000.0);
    else
        fprintf(out, "%.6f", v);
}

static void print_csv(const dec_opts *o, const diff_row *rows, size_t n, FILE *out)
{
    fprintf(out, "%s,Count A,Count B,Count B/A,Avg Time A(us),Avg Time B(us),Avg B/A,Median Time A(us),"
                 "Median Time B(us),Median B/A,mean_a_ns,mean_b_ns,median_a_ns,median_b_ns\n",
            dec_key_title(o->by, 1));
    static const int ns_cols[4] = {DC_MEAN_A, DC_MEAN_B, DC_MED_A, DC_MED_B};
    for (size_t i = 0; i < n; i++) {
        tx_csv(out, rows[i].any->key);
        for (int c = 1; c < DC_N; c++) {
            fputc(',', out);
            put_num(out, &rows[i], c, 0);
        }
        for (int k = 0; k < 4; k++) {
            int ok;
            double v = value(&rows[i], ns_cols[k], &ok);
            fputc(',', out);
            if (ok)
                fprintf(out, "%.3f", v);
        }
        fputc('\n', out);
    }
}

static void print_jsonl(const dec_opts *o, const diff_row *rows, size_t n, FILE *out)
{
    static const char *const keys[DC_N] = {NULL,        "count_a",  "count_b",  "count_ratio", "mean_a_ns",
                                           "mean_b_ns", "mean_ratio", "median_a_ns", "median_b_ns", "median_ratio"};
    for (size_t i = 0; i < n; i++) {
        const st_group *g = rows[i].any;
        if (o->by == DEC_BY_MODEL) {
            fprintf(out, "{\"model\":%" PRIu64, g->extra);
        } else {
            fprintf(out, "{\"%s\":", o->by == DEC_BY_NAME ? "name" : "type");
            tx_json(out, g->key);
        }
        for (int c = 1; c < DC_N; c++) {
            fprintf(out, ",\"%s\":", keys[c]);
            put_num(out, &rows[i], c, 1);
        }
        fputs("}\n", out);
    }
}

int dec_diff_print(const dec_opts *o, st_table *a, st_table *b, const char *la, const char *lb, FILE *out,
                   FILE *err)
{
    struct diff_sort s = {DC_KEY, 0, o->by};
    if (o->sort && dec_sort_parse(o->sort, diff_cols, DC_N, &s.col, &s.desc) < 0) {
        fprintf(err, "aclsub decode: unknown diff sort column '%s' (one of: key, count_a, count_b, count_ratio, "
                     "mean_a, mean_b, mean_ratio, median_a, median_b, median_ratio; optionally :asc or :desc)\n",
                o->sort);
        return -1;
    }
    st_finish(a);
    st_finish(b);
    size_t n = 0;
    diff_row *rows = join(a, b, &n);
    if (!rows) {
        fprintf(err, "aclsub decode: out of memory\n");
        return -1;
    }
    qsort_r(rows, n, sizeof *rows, row_cmp, &s);
    if (o->top > 0 && (size_t)o->top < n)
        n = (size_t)o->top;
    if (o->format == DEC_FMT_CSV)
        print_csv(o, rows, n, out);
    else if (o->format == DEC_FMT_JSONL)
        print_jsonl(o, rows, n, out);
    else
        print_table(o, rows, n, la, lb, out);
    if (o->format == DEC_FMT_TABLE) {
        dec_approx_note(a, b, out);
    } else if (st_approx_groups(a) + st_approx_groups(b)) {
        fputs("aclsub decode: ", err);
        dec_approx_note(a, b, err);
    }
    free(rows);
    return 0;
}

/* The diff's sort column names, for checking --sort before reading. */
int dec_diff_sort_ok(const char *spec)
{
    int col, desc;
    return dec_sort_parse(spec, diff_cols, DC_N, &col, &desc) == 0;
}
