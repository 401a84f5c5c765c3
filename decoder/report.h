/*
 * report.h - `aclsub report`: what one recording's HTML page shows, as
 * aggregates of bounded size computed in C, and the functions that compute
 * and write them.
 *
 *   report_agg.c     one pass over an input through the decoder's reader
 *                    (every record checked, loss proven by decoder/proof.c,
 *                    control records noted by decoder/ctrl.c): operator
 *                    types with exact statistics (decoder/stats.c, as
 *                    `aclsub decode summary`) and log-scale histograms,
 *                    (model, type) and (model, name) totals, per model the
 *                    executes' durations and their downsampled series;
 *                    the streams' model descriptions (decoder/models.c)
 *                    for the header's model names and files and the
 *                    timeline's shapes
 *   report_series.c  the histogram bins and the downsampled series
 *   report_pick.c    the one execute the timeline shows (the median of the
 *                    model with the most execute time, or --execute N),
 *                    found by reading the file again up to that execute
 *   report_esc.c     strings from records made safe for HTML and for JSON
 *                    inside a script element (hostile names, invalid UTF-8)
 *   report_html.c    the page and its header
 *   report_tables.c  where the time went; table helpers
 *   report_stability.c  per-type distributions, executes over time, timeline frame
 *   report_charts.c  the charts' data, as JSON the page's script draws
 *   report_diff.c    two recordings side by side, sorted by effect
 *   report_assets.c  the page's own CSS and JavaScript
 */
#ifndef ACLSUB_DECODER_REPORT_H_
#define ACLSUB_DECODER_REPORT_H_

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "decoder/pipeline.h"
#include "decoder/stats.h"

#define RP_HBINS 256        /* duration histogram: 4 bins per octave of nanoseconds */
#define RP_HIST_TYPES 1024  /* types that get a histogram; past it, statistics only */
#define RP_SERIES_MAX 512   /* buckets of an execute-time series */
#define RP_TL_MAX 4000      /* operators a timeline keeps */
#define RP_MAX_MODELS 4096
#define RP_MAX_PROGS 8      /* distinct programs (stream starts) kept for the header */
#define RP_PROG_CAP 320
#define RP_STAB_ROWS 200    /* types in the stability table */
#define RP_HIST_ROWS 60     /* of them, with a histogram drawn */
#define RP_MODELS_SHOWN 8   /* models with sections of their own */

/* --- report_series.c ------------------------------------------------------- */
unsigned rp_hbin(uint64_t ns);
uint64_t rp_hbin_lo(unsigned bin); /* the smallest duration of a bin */

typedef struct rp_bucket {
    uint64_t first, iter; /* ordinal and iteration of its first execute */
    uint64_t n, sum, min, max;
} rp_bucket;
typedef struct rp_series {
    rp_bucket b[RP_SERIES_MAX];
    size_t nb;
    uint64_t width; /* executes per bucket: doubles when the buckets are full */
    uint64_t n;
} rp_series;
void rp_series_add(rp_series *s, uint64_t iteration, uint64_t dur);

/* --- one model's executes ------------------------------------------------------ */
typedef struct rp_model {
    uint32_t id;
    uint64_t ops, busy;        /* operator records and the sum of their durations */
    uint64_t runs, exec_total; /* whole-execute records and the sum of their durations */
    uint64_t *rd;              /* every execute's duration (8 bytes an execute) */
    size_t nrd, cap;
    uint64_t min, max, p50, p90, p99; /* filled by rp_finish */
    rp_series *series;
} rp_model;

/* The timeline's execute. */
typedef struct rp_tl_op {
    uint64_t start, dur;
    uint64_t op_index; /* for its description's shapes */
    uint32_t stream;
    char type[ACLSUB_REC_TYPE_CAP + 1];
    char name[ACLSUB_REC_NAME_CAP + 1];
} rp_tl_op;
typedef struct rp_timeline {
    int found;
    uint32_t model, pid;
    uint64_t iteration, start, dur;
    rp_tl_op *ops;
    size_t n;
    uint64_t dropped; /* operators past RP_TL_MAX */
    const char *why;  /* when not found: the reason, for the page */
} rp_timeline;

typedef struct rp_report {
    const char *label;
    st_table types;   /* by type, every model: exact statistics */
    uint64_t **hist;  /* per group of types (RP_HBINS counts), NULL past RP_HIST_TYPES */
    size_t hist_cap;
    st_table mtypes;  /* (model, type): count, total, max (no durations kept) */
    st_table mnames;  /* (model, name) */
    uint32_t *mt_model, *mn_model; /* each group's model */
    size_t mt_cap, mn_cap;
    rp_model *models;
    size_t nmodels, models_cap;
    uint64_t records, ops, runs, controls;
    dec_ctrl ctrl;
    dec_proof_result proof;
    uint64_t damaged;      /* damage events the reader skipped */
    uint64_t dropped_end;  /* records dropped by the stream ends' count */
    char progs[RP_MAX_PROGS][RP_PROG_CAP]; /* stream starts' "host=... cmd=..." */
    size_t nprogs;
    uint64_t starts;
    int oom;
    rp_timeline tl;
    dec_models *descs; /* the stream's model descriptions (decoder/models.c); NULL out of memory */
} rp_report;

/* --- report_agg.c ------------------------------------------------------------------ */
void rp_init(rp_report *r, const char *label);
void rp_free(rp_report *r);
/* Reads the input to its end into r; the input's status as dec_run's (0, 1, 2). */
int rp_read(rp_report *r, dec_input *in, FILE *err);
/* Sorts what needs sorting and computes the statistics. */
void rp_finish(rp_report *r);
/* The model with the most execute time (or, without executes, busy time); NULL if none. */
const rp_model *rp_main_model(const rp_report *r);
/* The models in the order the page shows them (most execute time first); caller frees. */
const rp_model **rp_models_sorted(const rp_report *r);

/* --- report_pick.c ------------------------------------------------------------------- */
/* Fills r->tl from the file at path: execute `iteration` of the main model, or (iteration < 0) its median. */
void rp_pick(rp_report *r, const char *path, long long iteration, FILE *err);
void rp_timeline_free(rp_timeline *tl);

/* --- report_esc.c ---------------------------------------------------------------------- */
/* Text for an HTML element or a quoted attribute: & < > " ' escaped, control bytes as \xHH,
   invalid UTF-8 as U+FFFD. */
void rp_html(FILE *f, const char *s, size_t n);
void rp_htmls(FILE *f, const char *s);
/* A JSON string safe inside <script>: also < > & U+2028 U+2029 escaped. */
void rp_json(FILE *f, const char *s, size_t n);
void rp_jsons(FILE *f, const char *s);
/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
size_t rp_utf8_len(const unsigned char *s, size_t n);

/* --- the page ---------------------------------------------------------------------------- */
typedef struct rp_page_opts {
    long top;          /* rows of the per-model tables */
} rp_page_opts;
/* report_html.c: the whole page for n (1 or 2) recordings; 0, or -1 on a write error. */
int rp_write_page(FILE *f, rp_report *const *recs, size_t n, const rp_page_opts *po);
/* report_tables.c: cells (the number in data-v, sorting uses it; the text for people), sections. */
void rp_td_ns(FILE *f, double ns);
void rp_td_u64(FILE *f, uint64_t v);
void rp_td_share(FILE *f, double pct); /* with a bar */
void rp_th(FILE *f, const char *const *titles, size_t n);
/* The types by total time, most first, cut to RP_STAB_ROWS; the caller frees. */
st_group **rp_types_order(const rp_report *r, size_t *n);
void rp_write_time(FILE *f, const rp_report *r, size_t ri, const rp_page_opts *po);
void rp_write_stability(FILE *f, const rp_report *r, size_t ri);
void rp_write_timeline(FILE *f, const rp_report *r, size_t ri);
/* report_charts.c: the charts' data of each recording, a JSON document. */
void rp_write_data(FILE *f, rp_report *const *recs, size_t n);
/* report_diff.c: the diff section (recording a against b). */
void rp_write_diff(FILE *f, rp_report *a, rp_report *b, const rp_page_opts *po);
/* report_assets.c */
extern const char rp_css[];
extern const char rp_js_guard[]; /* first in <head>: notes errors and blocked requests in the page */
extern const char rp_js[];

#endif /* ACLSUB_DECODER_REPORT_H_ */
