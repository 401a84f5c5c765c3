/*
 * fields.c - `aclsub decode --fields`: the columns of the list and summary
 * views chosen and ordered by the user, in every text format those views
 * write (tsv, table, csv, jsonl).
 *
 * Each view has one table of fields.  A field is named by its short key
 * (name, dur, p99, ...) or by any title it has in an output: its CSV column
 * (msprof's "Op Name", "Task Duration(us)", or the raw "duration_ns"), its
 * JSON key, its table title; case does not matter.  A field's value is
 * written as the view's default output writes the same column, so a
 * --fields output can be checked cell by cell against the default one:
 * CSV and JSON carry the raw numbers (ns, or microseconds with three
 * decimals for the msprof columns), the table human units for durations.
 * Titles: the CSV title in CSV, the JSON key in JSON Lines and in the
 * tab-separated list's header line, the table title in a table.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acl/acl_prof.h"
#include "decoder/pipeline.h"
#include "decoder/textout.h"

#define FIELDS_MAX 64

typedef enum { FV_U64, FV_US, FV_STR, FV_HUMAN, FV_F3, FV_F3_US, FV_PCT } fv_kind;

typedef struct field {
    const char *key, *alias; /* alias may be NULL */
    const char *csv, *json, *table;
    fv_kind kind;            /* how the value is written */
    int width;               /* table column width; right-aligned unless a string */
    const char *meaning;
} field;

/* --- the list view ------------------------------------------------------------ */

enum {
    LF_MODEL, LF_KIND, LF_FLAG, LF_PID, LF_STREAM, LF_ITER, LF_SEQ, LF_INDEX, LF_THREAD, LF_DEV, LF_TYPE, LF_NAME,
    LF_START, LF_END, LF_DUR, LF_START_US, LF_END_US, LF_DUR_US, LF_MODEL_NAME, LF_IN_SHAPES, LF_IN_TYPES,
    LF_IN_FORMATS, LF_OUT_SHAPES, LF_OUT_TYPES, LF_OUT_FORMATS, LF_N
};

static const field list_fields[LF_N] = {
    {"model", NULL, "Model ID", "model", "model", FV_U64, 10, "model id"},
    {"kind", NULL, "Kind", "kind", "kind", FV_STR, 12, "op, run, stream_start, records_lost, stream_end, model_desc, op_desc"},
    {"flag", NULL, "Flag", "flag", "flag", FV_STR, 9, "op, subgraph, none"},
    {"pid", NULL, "Process ID", "pid", "pid", FV_U64, 10, "process that executed the model"},
    {"stream", NULL, "Stream ID", "stream", "stream", FV_U64, 6, "stream of the execute"},
    {"iter", "iteration", "Iteration", "iteration", "iter", FV_U64, 8, "execute of the model, from 0"},
    {"seq", "sequence", "Sequence", "seq", "seq", FV_U64, 8, "sequence number in its subscription"},
    {"index", NULL, "op_index", "op_index", "index", FV_U64, 6, "operator index in the model"},
    {"thread", NULL, "thread", "thread", "thread", FV_U64, 8, "device worker thread id"},
    {"device", "dev", "Device ID", "device", "device", FV_U64, 6, "device id"},
    {"type", NULL, "OP Type", "type", "type", FV_STR, 16, "operator type"},
    {"name", NULL, "Op Name", "name", "name", FV_STR, 24, "operator name"},
    {"start", NULL, "start_ns", "start_ns", "start_ns", FV_U64, 20, "start, ns on the device clock"},
    {"end", NULL, "end_ns", "end_ns", "end_ns", FV_U64, 20, "end, ns"},
    {"dur", "duration", "duration_ns", "duration_ns", "duration", FV_HUMAN, 9, "duration, ns (a table: human units)"},
    {"start_us", NULL, "Task Start Time(us)", "start_us", "start_us", FV_US, 24, "start, us"},
    {"end_us", NULL, "Task End Time(us)", "end_us", "end_us", FV_US, 24, "end, us"},
    {"dur_us", "duration_us", "Task Duration(us)", "duration_us", "duration_us", FV_US, 12, "duration, us"},
    {"model_name", NULL, "Model Name", "model_name", "model name", FV_STR, 16, "model name, from the stream's description"},
    {"in_shapes", NULL, "Input Shapes", "input_shapes", "input shapes", FV_STR, 20, "input shapes (described models)"},
    {"in_types", NULL, "Input Data Types", "input_data_types", "input types", FV_STR, 16, "input data types"},
    {"in_formats", NULL, "Input Formats", "input_formats", "input formats", FV_STR, 14, "input formats"},
    {"out_shapes", NULL, "Output Shapes", "output_shapes", "output shapes", FV_STR, 20, "output shapes"},
    {"out_types", NULL, "Output Data Types", "output_data_types", "output types", FV_STR, 16, "output data types"},
    {"out_formats", NULL, "Output Formats", "output_formats", "output formats", FV_STR, 14, "output formats"},
};

/* --- the summary view ----------------------------------------------------------- */

enum {
    SF_KEY, SF_COUNT, SF_TOTAL, SF_MIN, SF_MEAN, SF_MAX, SF_MEDIAN, SF_STDDEV, SF_P90, SF_P95, SF_P99, SF_RATIO,
    SF_TOTAL_US, SF_MIN_US, SF_MEAN_US, SF_MAX_US, SF_MEDIAN_US, SF_STDDEV_US, SF_P90_US, SF_P95_US, SF_P99_US, SF_N
};

/* The key's titles depend on --by: filled in by key_field. */
static const field summary_fields[SF_N] = {
    {"key", NULL, NULL, NULL, NULL, FV_STR, 0, "the group: type, name or model (--by)"},
    {"count", NULL, "Count", "count", "Count", FV_U64, 0, "operators in the group"},
    {"total", NULL, "total_ns", "total_ns", "Total", FV_HUMAN, 0, "sum of durations, ns (a table: human units)"},
    {"min", NULL, "min_ns", "min_ns", "Min", FV_HUMAN, 0, "shortest, ns"},
    {"mean", "avg", "mean_ns", "mean_ns", "Mean", FV_F3, 0, "mean, ns"},
    {"max", NULL, "max_ns", "max_ns", "Max", FV_HUMAN, 0, "longest, ns"},
    {"median", NULL, "median_ns", "median_ns", "Median", FV_F3, 0, "median, ns"},
    {"stddev", NULL, "stddev_ns", "stddev_ns", "StdDev", FV_F3, 0, "standard deviation, ns"},
    {"p90", NULL, "p90_ns", "p90_ns", "P90", FV_HUMAN, 0, "90th percentile, ns"},
    {"p95", NULL, "p95_ns", "p95_ns", "P95", FV_HUMAN, 0, "95th percentile, ns"},
    {"p99", NULL, "p99_ns", "p99_ns", "P99", FV_HUMAN, 0, "99th percentile, ns"},
    {"ratio", "busy", "Ratio(%)", "ratio_pct", "Busy%", FV_PCT, 0, "share of the busy time, %"},
    {"total_us", NULL, "Total Time(us)", "total_us", "Total(us)", FV_US, 0, "sum of durations, us"},
    {"min_us", NULL, "Min Time(us)", "min_us", "Min(us)", FV_US, 0, "shortest, us"},
    {"mean_us", "avg_us", "Avg Time(us)", "mean_us", "Mean(us)", FV_F3_US, 0, "mean, us"},
    {"max_us", NULL, "Max Time(us)", "max_us", "Max(us)", FV_US, 0, "longest, us"},
    {"median_us", NULL, "Median Time(us)", "median_us", "Median(us)", FV_F3_US, 0, "median, us"},
    {"stddev_us", NULL, "StdDev Time(us)", "stddev_us", "StdDev(us)", FV_F3_US, 0, "standard deviation, us"},
    {"p90_us", NULL, "P90 Time(us)", "p90_us", "P90(us)", FV_US, 0, "90th percentile, us"},
    {"p95_us", NULL, "P95 Time(us)", "p95_us", "P95(us)", FV_US, 0, "95th percentile, us"},
    {"p99_us", NULL, "P99 Time(us)", "p99_us", "P99(us)", FV_US, 0, "99th percentile, us"},
};

static field key_field(dec_by by)
{
    field f = summary_fields[SF_KEY];
    f.csv = f.table = dec_key_title(by, 1);
    f.json = by == DEC_BY_NAME ? "name" : by == DEC_BY_MODEL ? "model" : "type";
    if (by == DEC_BY_MODEL)
        f.kind = FV_U64;
    return f;
}

/* --- parsing ------------------------------------------------------------------- */

static int names_field(const field *f, const char *s, size_t n)
{
    const char *const names[] = {f->key, f->alias, f->csv, f->json, f->table};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i] && strlen(names[i]) == n && strncasecmp(names[i], s, n) == 0)
            return 1;
    return 0;
}

/* The field s[0..n) names in the view's table, or -1. */
static int find_field(dec_view view, const char *s, size_t n)
{
    if (view == DEC_VIEW_SUMMARY) {
        static const char *const keys[] = {"type", "name", "model", "op type", "op name", "model id"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (strlen(keys[i]) == n && strncasecmp(keys[i], s, n) == 0)
                return SF_KEY;
        for (int i = 0; i < SF_N; i++)
            if (names_field(&summary_fields[i], s, n))
                return i;
        return -1;
    }
    for (int i = 0; i < LF_N; i++)
        if (names_field(&list_fields[i], s, n))
            return i;
    return -1;
}

void dec_fields_help(dec_view view, FILE *out)
{
    int sum = view == DEC_VIEW_SUMMARY;
    fprintf(out, "fields of the %s view (--fields F[,F...]; a field is its key or any of its titles):\n",
            sum ? "summary" : "list");
    fprintf(out, "  %-10s  %-24s  %-15s  %s\n", "KEY", "CSV TITLE", "JSON KEY", "MEANING");
    for (int i = 0; i < (sum ? SF_N : LF_N); i++) {
        const field *f = sum ? &summary_fields[i] : &list_fields[i];
        if (sum && i == SF_KEY)
            fprintf(out, "  %-10s  %-24s  %-15s  %s\n", "key", "OP Type|Op Name|Model ID", "type|name|model",
                    f->meaning);
        else
            fprintf(out, "  %-10s  %-24s  %-15s  %s\n", f->key, f->csv, f->json, f->meaning);
    }
    fprintf(out, "aliases: %s\n", sum ? "type, name, model (key), avg (mean), busy (ratio)"
                                      : "iteration (iter), sequence (seq), dev (device), duration (dur)");
}

int dec_fields_parse(dec_opts *o, const char *spec, FILE *err)
{
    const char *view = o->view == DEC_VIEW_SUMMARY ? "summary" : "list";
    free(o->fields);
    o->fields = NULL;
    o->nfields = 0;
    if (o->view == DEC_VIEW_DIFF) {
        fprintf(err, "aclsub decode: --fields is for the list and summary views, not diff\n");
        return -1;
    }
    if (o->format == DEC_FMT_CHROME || o->format == DEC_FMT_PERFETTO || o->format == DEC_FMT_SQLITE) {
        fprintf(err, "aclsub decode: --fields is for the tsv, table, csv and jsonl formats\n");
        return -1;
    }
    o->fields = malloc(FIELDS_MAX * sizeof *o->fields);
    if (!o->fields) {
        fprintf(err, "aclsub decode: out of memory\n");
        return -1;
    }
    for (const char *p = spec;; p++) {
        size_t n = strcspn(p, ",");
        int id = n ? find_field(o->view, p, n) : -1;
        if (n == 0) {
            fprintf(err, "aclsub decode: --fields '%s': an empty field (try 'aclsub decode %s --fields help')\n", spec,
                    view);
            return -1;
        }
        if (id < 0) {
            fprintf(err, "aclsub decode: unknown field '%.*s' for the %s view (try 'aclsub decode %s --fields help')\n",
                    (int)n, p, view, view);
            return -1;
        }
        if (o->nfields == FIELDS_MAX) {
            fprintf(err, "aclsub decode: --fields: more than %d fields\n", FIELDS_MAX);
            return -1;
        }
        o->fields[o->nfields++] = id;
        p += n;
        if (!*p)
            return 0;
    }
}

/* --- writing a cell ------------------------------------------------------------------ */

/* The cell for its format at p (room for a JSON-escaped name); its end.  In JSON a string has its quotes. */
static char *put_cell(char *p, const field *f, dec_format fmt, uint64_t u, double d, const char *s)
{
    switch (f->kind) {
    case FV_STR:
        if (fmt == DEC_FMT_CSV)
            return tx_put_csv(p, s, strlen(s));
        if (fmt == DEC_FMT_JSONL)
            return tx_put_json(p, s, strlen(s));
        return tx_put_tsv(p, s);
    case FV_US:
        return tx_put_us3_u(p, u);
    case FV_F3:
        return tx_put_f3(p, d);
    case FV_F3_US:
        return tx_put_f3(p, d / 1000.0);
    case FV_PCT:
        if (fmt == DEC_FMT_TABLE)
            return p + snprintf(p, 40, "%.2f", d);
        return tx_put_f3(p, d);
    case FV_HUMAN:
        if (fmt == DEC_FMT_TABLE) {
            tx_human(p, 40, d);
            return p + strlen(p);
        }
        return tx_put_u64(p, u);
    default:
        return tx_put_u64(p, u);
    }
}

static const char *title(const field *f, dec_format fmt)
{
    return fmt == DEC_FMT_CSV ? f->csv : fmt == DEC_FMT_TABLE ? f->table : f->json;
}

#define CELL_MAX (6 * ACLSUB_REC_NAME_CAP + 64)

/* Writes one row of cells: separators, JSON keys, table padding (widths: NULL for no padding). */
static void put_row(const dec_opts *o, const field *const *fs, char cells[][CELL_MAX], const size_t *widths,
                    FILE *out)
{
    for (size_t i = 0; i < o->nfields; i++) {
        const field *f = fs[i];
        int last = i + 1 == o->nfields;
        switch (o->format) {
        case DEC_FMT_JSONL:
            fputs(i ? ",\"" : "{\"", out);
            fputs(f->json, out);
            fputs("\":", out);
            fputs(cells[i], out); /* a number, or a string with its quotes */
            if (last)
                fputs("}", out);
            break;
        case DEC_FMT_TABLE:
            if (i)
                fputs("  ", out);
            if (last && f->kind == FV_STR)
                fputs(cells[i], out);
            else
                tx_pad(out, cells[i], widths[i], f->kind != FV_STR);
            break;
        default:
            if (i)
                fputc(o->format == DEC_FMT_CSV ? ',' : '\t', out);
            fputs(cells[i], out);
            break;
        }
    }
    fputc('\n', out);
}

/* The header line of a table, CSV or tab-separated output (JSON Lines has none). */
static void put_header(const dec_opts *o, const field *const *fs, const size_t *widths, FILE *out)
{
    if (o->format == DEC_FMT_JSONL)
        return;
    for (size_t i = 0; i < o->nfields; i++) {
        const char *t = title(fs[i], o->format);
        int last = i + 1 == o->nfields;
        if (o->format == DEC_FMT_TABLE) {
            if (i)
                fputs("  ", out);
            if (last && fs[i]->kind == FV_STR)
                fputs(t, out);
            else
                tx_pad(out, t, widths[i], fs[i]->kind != FV_STR);
        } else {
            if (i)
                fputc(o->format == DEC_FMT_CSV ? ',' : '\t', out);
            if (o->format == DEC_FMT_CSV)
                tx_csv(out, t);
            else
                fputs(t, out);
        }
    }
    fputc('\n', out);
}

/* --- the list view's rows: streamed, fixed table widths ---------------------------------- */

static void list_widths(const dec_opts *o, size_t *w)
{
    for (size_t i = 0; i < o->nfields; i++) {
        const field *f = &list_fields[o->fields[i]];
        size_t t = strlen(f->table);
        w[i] = (size_t)f->width > t ? (size_t)f->width : t;
    }
}

void dec_fields_list_header(const dec_opts *o, FILE *out)
{
    const field *fs[FIELDS_MAX];
    size_t w[FIELDS_MAX];
    for (size_t i = 0; i < o->nfields; i++)
        fs[i] = &list_fields[o->fields[i]];
    list_widths(o, w);
    put_header(o, fs, w, out);
}

/* 1 if a chosen field comes from the operator's description text (shapes, types, formats). */
static int wants_desc(const dec_opts *o)
{
    for (size_t i = 0; i < o->nfields; i++)
        if (o->fields[i] >= LF_IN_SHAPES && o->fields[i] <= LF_OUT_FORMATS)
            return 1;
    return 0;
}

void dec_fields_list_row(const dec_opts *o, const aclsub_rec_view *v, uint64_t start, uint64_t end,
                         const char *model_name, const char *desc_text, FILE *out)
{
    static char cells[FIELDS_MAX][CELL_MAX]; /* the pipeline is single-threaded */
    static char dbuf[ACLSUB_DESC_TEXT_MAX + 1];
    const field *fs[FIELDS_MAX];
    const char *desc[ACLSUB_DESC_FIELDS];
    size_t w[FIELDS_MAX];
    list_widths(o, w);
    int described = desc_text && wants_desc(o) && dec_desc_fields(desc_text, dbuf, sizeof dbuf, desc);
    for (size_t i = 0; i < o->nfields; i++) {
        int id = o->fields[i];
        const field *f = fs[i] = &list_fields[id];
        uint64_t u = 0;
        const char *s = "";
        switch (id) {
        case LF_MODEL: u = v->model_id; break;
        case LF_KIND: s = dec_kind_text(v->kind); break;
        case LF_FLAG: s = dec_flag_text(v->flag); break;
        case LF_PID: u = v->pid; break;
        case LF_STREAM: u = v->stream_id; break;
        case LF_ITER: u = v->iteration; break;
        case LF_SEQ: u = v->seq; break;
        case LF_INDEX: u = v->op_index; break;
        case LF_THREAD: u = v->thread_id; break;
        case LF_DEV: u = v->dev_id; break;
        case LF_TYPE: s = v->type; break;
        case LF_NAME: s = v->name; break;
        case LF_START: case LF_START_US: u = start; break;
        case LF_END: case LF_END_US: u = end; break;
        case LF_MODEL_NAME: s = model_name ? model_name : ""; break;
        case LF_IN_SHAPES: case LF_IN_TYPES: case LF_IN_FORMATS:
        case LF_OUT_SHAPES: case LF_OUT_TYPES: case LF_OUT_FORMATS:
            s = described ? desc[id - LF_IN_SHAPES] : "N/A"; /* as the op_summary CSV writes it */
            break;
        default: u = v->duration; break;
        }
        *put_cell(cells[i], f, o->format, u, (double)u, s) = '\0';
    }
    put_row(o, fs, cells, w, out);
}

/* --- the summary view's rows: widths from every row, then the table's footer ------------------ */

static void summary_cell(const dec_opts *o, int id, const st_group *g, char *buf)
{
    field f = id == SF_KEY ? key_field(o->by) : summary_fields[id];
    uint64_t u = 0;
    double d = 0;
    switch (id) {
    case SF_KEY:
        u = (uint32_t)g->extra; /* a described model's group carries its stream above the id */
        break;
    case SF_COUNT: u = g->count; break;
    case SF_TOTAL: case SF_TOTAL_US: u = g->total; break;
    case SF_MIN: case SF_MIN_US: u = g->min; break;
    case SF_MAX: case SF_MAX_US: u = g->max; break;
    case SF_MEAN: case SF_MEAN_US: d = g->mean; break;
    case SF_MEDIAN: case SF_MEDIAN_US: d = g->median; break;
    case SF_STDDEV: case SF_STDDEV_US: d = g->stddev; break;
    case SF_P90: case SF_P90_US: u = g->p90; break;
    case SF_P95: case SF_P95_US: u = g->p95; break;
    case SF_P99: case SF_P99_US: u = g->p99; break;
    default: d = g->ratio; break;
    }
    if (f.kind == FV_HUMAN)
        d = (double)u;
    if (id == SF_KEY && o->by == DEC_BY_MODEL && o->format != DEC_FMT_JSONL)
        f.kind = FV_STR; /* the key as the default outputs write it */
    if (o->format == DEC_FMT_TABLE && (id == SF_MEAN || id == SF_MEDIAN || id == SF_STDDEV))
        f.kind = FV_HUMAN;
    *put_cell(buf, &f, o->format, u, d, g->key) = '\0';
}

void dec_fields_summary(const dec_opts *o, st_group **rows, size_t n, const st_table *t,
                        const dec_summary_info *info, FILE *out)
{
    static char cells[FIELDS_MAX][CELL_MAX];
    field fv[FIELDS_MAX];
    const field *fs[FIELDS_MAX];
    size_t w[FIELDS_MAX];
    for (size_t i = 0; i < o->nfields; i++) {
        fv[i] = o->fields[i] == SF_KEY ? key_field(o->by) : summary_fields[o->fields[i]];
        if (o->fields[i] == SF_KEY)
            fv[i].kind = FV_STR; /* left-aligned in a table, as the default table's key */
        fs[i] = &fv[i];
        w[i] = tx_width(fv[i].table);
    }
    if (o->format == DEC_FMT_TABLE)
        for (size_t r = 0; r < n; r++)
            for (size_t i = 0; i < o->nfields; i++) {
                summary_cell(o, o->fields[i], rows[r], cells[i]);
                if (tx_width(cells[i]) > w[i])
                    w[i] = tx_width(cells[i]);
            }
    put_header(o, fs, w, out);
    for (size_t r = 0; r < n; r++) {
        for (size_t i = 0; i < o->nfields; i++)
            summary_cell(o, o->fields[i], rows[r], cells[i]);
        put_row(o, fs, cells, w, out);
    }
    if (o->format == DEC_FMT_TABLE)
        dec_summary_footer(t, n, info, out);
}
