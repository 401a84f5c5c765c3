/*
 * pipeline.h - the stages of `aclsub decode` between the inputs and the
 * output: the bounded-window merge, the filters, the control-record
 * bookkeeping, and the views (list, summary, Chrome trace, diff, live
 * follow display).  decode.c wires them together.
 */
#ifndef ACLSUB_DECODER_PIPELINE_H_
#define ACLSUB_DECODER_PIPELINE_H_

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "decoder/decode.h"
#include "decoder/stats.h"

/* --- merge.c: inputs merged on start time through a reorder window ------- */
typedef struct dec_merge dec_merge;
dec_merge *dec_merge_new(dec_input *ins, size_t nin, size_t window);
/* The next event in time order: 1 and *ev (valid until the next call), 0 at the end. */
int dec_merge_next(dec_merge *m, const dec_event **ev, FILE *err);
/* 1 if an input failed to open or read. */
int dec_merge_failed(const dec_merge *m);
void dec_merge_free(dec_merge *m);
/* The order of two events: start, then control < whole run < operator, longer first, input, seq. */
int dec_event_cmp(const dec_event *a, const dec_event *b);

/* --- filter.c ------------------------------------------------------------- */
int dec_filter_pass(const dec_opts *o, const aclsub_rec_view *v);
/* The model, time-window and iteration filters alone. */
int dec_filter_numbers(const dec_opts *o, uint32_t model, uint64_t start, uint64_t iteration);

/* --- fastsum.c: the summary's hot path on records in place ------------------ */
/* 1 if no filter needs the decoded strings. */
int dec_fast_usable(const dec_opts *o);
/* Adds an operator (or counts a whole run) of a validated record: 1 done, 0 decode it fully. */
int dec_fast_group(const dec_opts *o, st_table *t, const unsigned char *rec, uint64_t *runs, int *oom);
int dec_is_control(const aclsub_rec_view *v);

/* --- ctrl.c: what the control records say ---------------------------------- */
typedef struct dec_pid_state {
    uint32_t pid;
    uint8_t started, ended;
    uint64_t dropped; /* from the stream end */
} dec_pid_state;

typedef struct dec_ctrl {
    uint64_t lost;         /* sum of records-lost notices' "lost since the previous notice" */
    uint64_t notices;
    dec_pid_state *pids;
    size_t npids, cap;
} dec_ctrl;

void dec_ctrl_note(dec_ctrl *c, const aclsub_rec_view *v);
/* Reports every stream that started and never ended on err; returns their number. */
size_t dec_ctrl_report(const dec_ctrl *c, FILE *err);
void dec_ctrl_free(dec_ctrl *c);

/* --- view_list.c ------------------------------------------------------------ */
void dec_list_header(const dec_opts *o, FILE *out);
void dec_list_row(const dec_opts *o, const aclsub_rec_view *v, FILE *out);

/* --- view_summary.c ----------------------------------------------------------- */
/* The key of the group a record belongs to, in the table of the view. */
st_group *dec_group_of(st_table *t, dec_by by, const aclsub_rec_view *v);
/* The summary columns; DEC_COL_KEY is the group's key. */
enum {
    DEC_COL_KEY, DEC_COL_COUNT, DEC_COL_TOTAL, DEC_COL_MEAN, DEC_COL_MEDIAN, DEC_COL_MIN, DEC_COL_MAX,
    DEC_COL_STDDEV, DEC_COL_P90, DEC_COL_P95, DEC_COL_P99, DEC_COL_RATIO, DEC_NCOLS
};
/* Parses "COL[:asc|:desc]" against names[ncols]: 0 ok, -1 unknown. */
int dec_sort_parse(const char *spec, const char *const *names, int ncols, int *col, int *desc);
/* 1 if spec names a column of the summary view. */
int dec_summary_sort_ok(const char *spec);
const char *dec_key_title(dec_by by, int csv);
typedef struct dec_summary_info {
    uint64_t runs;       /* whole-run records seen (not grouped) */
    uint64_t lost;       /* from records-lost notices */
} dec_summary_info;
/* Finishes the table and prints it; 0 ok, -1 bad --sort (reported). */
int dec_summary_print(const dec_opts *o, st_table *t, const dec_summary_info *info, FILE *out, FILE *err);
/* The line saying how many groups of a and b (may be a) have approximate percentiles; nothing if none. */
void dec_approx_note(const st_table *a, const st_table *b, FILE *out);
/* Groups of t in print order (sorted, cut to --top); the caller frees the array. */
st_group **dec_summary_order(const dec_opts *o, st_table *t, int col, int desc, size_t *n);

/* --- fmt_chrome.c --------------------------------------------------------------- */
typedef struct dec_chrome dec_chrome;
dec_chrome *dec_chrome_new(FILE *out);
void dec_chrome_event(dec_chrome *c, const aclsub_rec_view *v);
/* Ends the array; returns 0, or -1 if memory ran out on the way. */
int dec_chrome_finish(dec_chrome *c, uint64_t records, uint64_t lost);
void dec_chrome_free(dec_chrome *c);

/* --- view_diff.c ------------------------------------------------------------------ */
/* 1 if spec names a column of the diff view. */
int dec_diff_sort_ok(const char *spec);
int dec_diff_print(const dec_opts *o, st_table *a, st_table *b, const char *la, const char *lb, FILE *out,
                   FILE *err);

/* --- follow.c: the live display --------------------------------------------------- */
typedef struct dec_live dec_live;
/* Starts the refresh thread, drawing on out every second; NULL on failure. */
dec_live *dec_live_start(const dec_opts *o, st_table *t, FILE *out);
/* The lock the pipeline holds while it changes the table or the counters. */
pthread_mutex_t *dec_live_lock(dec_live *l);
/* Counters the display shows (called with the lock held). */
void dec_live_counts(dec_live *l, uint64_t records, uint64_t lost, uint64_t damaged);
void dec_live_stop(dec_live *l);

#endif /* ACLSUB_DECODER_PIPELINE_H_ */
