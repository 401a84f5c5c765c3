/*
 * pipeline.h - the stages of `aclsub decode` between the inputs and the
 * output: the bounded-window merge, the filters, the control-record
 * bookkeeping, and the views (list, summary, Chrome trace, Perfetto trace,
 * SQLite database, diff, live follow display) with what the traces share
 * (tracks.c, out_file.c).  decode.c wires them together.
 */
#ifndef ACLSUB_DECODER_PIPELINE_H_
#define ACLSUB_DECODER_PIPELINE_H_

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "decoder/decode.h"
#include "decoder/record/desc.h"
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

/* --- align.c: several hosts' streams on one timeline ---------------------- */
typedef struct dec_align dec_align;
/* Looks at the stream starts at the start of every regular file among ins, decides whether to align
   (auto: more than one host's clock), says so on err and attaches itself to every input.  NULL for
   DEC_ALIGN_NONE or when out of memory (reported). */
dec_align *dec_align_new(dec_align_mode mode, dec_input *ins, size_t nin, size_t window, FILE *err);
/* 1 if times are being mapped. */
int dec_align_active(const dec_align *a);
/* Notes v if it is a stream start, then, when aligning, moves its start and end onto the realtime clock. */
void dec_align_event(dec_align *a, aclsub_rec_view *v, uint32_t input);
void dec_align_free(dec_align *a);

/* --- filter.c ------------------------------------------------------------- */
int dec_filter_pass(const dec_opts *o, const aclsub_rec_view *v);
/* The model, time-window and iteration filters alone. */
int dec_filter_numbers(const dec_opts *o, uint32_t model, uint64_t start, uint64_t iteration);

/* --- fastsum.c: the summary's hot path on records in place ------------------ */
/* 1 if no filter needs the decoded strings. */
int dec_fast_usable(const dec_opts *o);
/* Adds an operator (or counts a whole run) of a validated record: 1 done, 0 decode it fully
   (described: a stream described a model, so groups by model need the full record). */
int dec_fast_group(const dec_opts *o, st_table *t, const unsigned char *rec, uint64_t *runs, int *oom,
                   int described);
/* Notes a validated records-lost or stream-end record of input `input` in ctrl (as the summary and diff views use
   it): 1 done, 0 not one. */
struct dec_ctrl;
int dec_fast_control(const dec_opts *o, struct dec_ctrl *ctrl, const unsigned char *rec, uint32_t input);
/* Both over n records back to back: how many of the first it took (it stops at one it cannot). */
size_t dec_fast_run(const dec_opts *o, st_table *t, struct dec_ctrl *ctrl, const unsigned char *rec, size_t n,
                    uint32_t input, uint64_t *runs, int *oom, int described);
int dec_is_control(const aclsub_rec_view *v);

/* --- ctrl.c: what the control records say ---------------------------------- */
typedef struct dec_pid_state {
    uint32_t input, pid; /* a stream: a process in one input */
    uint8_t started, ended;
    uint8_t shared;      /* another host's stream has the same pid */
    char *host;          /* the host its stream start named, or NULL */
    uint64_t dropped;    /* from the stream end */
} dec_pid_state;

typedef struct dec_ctrl {
    uint64_t lost;         /* sum of records-lost notices' "lost since the previous notice" */
    uint64_t notices;
    dec_pid_state *pids;
    size_t npids, cap;
} dec_ctrl;

/* Notes a control record of input `input`. */
void dec_ctrl_note(dec_ctrl *c, const aclsub_rec_view *v, uint32_t input);
/* Reports every stream that started and never ended on err; returns their number. */
size_t dec_ctrl_report(const dec_ctrl *c, FILE *err);
void dec_ctrl_free(dec_ctrl *c);

/* --- models.c: the streams' model descriptions --------------------------------- */
typedef struct dec_model {
    uint32_t input, pid, model_id;
    uint32_t stream;   /* the (input, pid) stream's number, from 1 */
    uint32_t dev_id;
    int described;     /* its model-description record arrived */
    uint64_t gen;      /* the description's time, shared by all its records */
    uint64_t ops;      /* operator count (0: unknown) */
    uint64_t flags;    /* ACLSUB_DESC_* */
    char name[ACLSUB_REC_TYPE_CAP + 4]; /* "..." appended when the record cut it */
    char file[ACLSUB_REC_NAME_CAP + 4];
} dec_model;
typedef struct dec_models dec_models;
dec_models *dec_models_new(void);
/* Notes a control record of input `input` (stream starts, model and operator descriptions). */
void dec_models_note(dec_models *d, uint32_t input, const aclsub_rec_view *v);
/* The described model of (input, pid, model id), or NULL. */
const dec_model *dec_models_find(const dec_models *d, uint32_t input, uint32_t pid, uint32_t model_id);
/* Operator op_index's complete description text (ACLSUB_DESC_MODEL_IO: the model's inputs and outputs), or NULL. */
const char *dec_model_op_text(const dec_model *m, uint64_t op_index);
/* Described models: how many, and the i-th in the order first seen. */
size_t dec_models_count(const dec_models *d);
const dec_model *dec_models_at(const dec_models *d, size_t i);
/* The pid of stream number `stream` (0 if none). */
uint32_t dec_models_stream_pid(const dec_models *d, uint32_t stream);
/* Its host when another host's stream has the same pid (the pid alone does not tell them apart), else NULL. */
const char *dec_models_stream_host(const dec_models *d, uint32_t stream);
/* Splits a description text (copied into buf) into its six fields; "" for each when text is NULL. */
int dec_desc_fields(const char *text, char *buf, size_t cap, const char *field[ACLSUB_DESC_FIELDS]);
/* Says on err how many description records were malformed or did not fit. */
void dec_models_report(const dec_models *d, FILE *err);
void dec_models_free(dec_models *d);

/* --- view_list.c ------------------------------------------------------------ */
void dec_list_header(const dec_opts *o, FILE *out);
/* The words the list writes for a record's kind (op, run, stream_start, ...) and flag (op, subgraph, ...). */
const char *dec_kind_text(uint8_t k);
const char *dec_flag_text(uint32_t f);
/*
 * One record of input `input` as a row on out; CSV takes operators only and
 * writes the other records to control (when not NULL).
 */
void dec_list_row(const dec_opts *o, const dec_models *models, const aclsub_rec_view *v, uint32_t input, FILE *out,
                  FILE *control);
/* The header of --control-csv. */
void dec_list_control_header(FILE *out);

/* --- view_summary.c ----------------------------------------------------------- */
/*
 * The group a record belongs to, in the table of the view.  By model: the
 * described model m's (its name, and extra = stream << 32 | model id, so
 * that models of two streams stay apart), or without a description the
 * model id's (extra = the id), as before streams described models.
 */
st_group *dec_group_of(st_table *t, dec_by by, const aclsub_rec_view *v, const dec_model *m);
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
    const dec_models *models; /* for the processes of described models' groups; may be NULL */
} dec_summary_info;
/* Finishes the table and prints it; 0 ok, -1 bad --sort (reported). */
int dec_summary_print(const dec_opts *o, st_table *t, const dec_summary_info *info, FILE *out, FILE *err);
/* The summary table's footer: operators, groups (shown of them), busy time, whole runs, records lost. */
void dec_summary_footer(const st_table *t, size_t shown, const dec_summary_info *info, FILE *out);
/* The line saying how many groups of a and b (may be a) have approximate percentiles; nothing if none. */
void dec_approx_note(const st_table *a, const st_table *b, FILE *out);
/* Groups of t in print order (sorted, cut to --top); the caller frees the array. */
st_group **dec_summary_order(const dec_opts *o, st_table *t, int col, int desc, size_t *n);

/* --- ctrl.c: the stream start's fields --------------------------------------- */
/* The command line a stream start names (the rest of its name after "cmd="), or NULL. */
const char *dec_start_cmd(const aclsub_rec_view *v);
/* The host a stream start names, into buf (empty if none). */
void dec_start_host(const aclsub_rec_view *v, char *buf, size_t len);
/*
 * The host a stream start names, into *host (malloc'ed; the old one freed)
 * when it names one other than *host: 1 then, else 0 (also when out of
 * memory: *host is NULL and the stream is told by its pid alone).
 */
int dec_start_host_take(const aclsub_rec_view *v, char **host);

/* --- fields.c: --fields, the chosen columns of list and summary -------------------- */
/* Lists the fields of the view on out. */
void dec_fields_help(dec_view view, FILE *out);
/* Sets o->fields from "F,F..." for o's view and format (settled): 0, or -1 after one line on err. */
int dec_fields_parse(dec_opts *o, const char *spec, FILE *err);
void dec_fields_list_header(const dec_opts *o, FILE *out);
void dec_fields_list_row(const dec_opts *o, const aclsub_rec_view *v, uint64_t start, uint64_t end,
                         const char *model_name, const char *desc_text, FILE *out);
/* The summary's rows in the chosen columns (and a table's footer). */
void dec_fields_summary(const dec_opts *o, st_group **rows, size_t n, const st_table *t,
                        const dec_summary_info *info, FILE *out);

/* --- tracks.c: the processes, tracks and lanes of the trace outputs ------------- */
typedef struct dec_tracks dec_tracks;
/* A process of a trace: a host and a pid. */
typedef struct dec_proc {
    uint32_t number;  /* its pid in the trace: its own, or an alias when another process has that number */
    uint32_t pid;     /* its own pid */
    const char *host; /* the host its stream start named, or NULL */
    const char *cmd;  /* the command line its stream start gave, or NULL */
    int shared;       /* another host's process has the same pid */
} dec_proc;
/* Longest name dec_proc_name writes, NUL included (a command line and a host share one record's name). */
#define DEC_PROC_NAME_CAP (ACLSUB_REC_NAME_CAP + 64)
typedef void (*dec_proc_fn)(void *ctx, const dec_proc *p);
typedef struct dec_lane {
    uint32_t number;  /* its process's number (the trace's pid) */
    uint32_t pid, model, stream;
    uint32_t input;   /* the input of the track's first event */
    uint32_t tid;     /* the lane's number across all tracks, from 1 */
    size_t index;     /* 0: the track's first lane; more: its overlap lanes */
} dec_lane;
dec_tracks *dec_tracks_new(void);
/*
 * The process of v, a record of input `input`, into *number; a stream start
 * binds (input, pid) to its host's process.  named(ctx, p) is called for
 * each process whose name is to be written: with show, v's when it was not
 * written yet or v, a stream start, gives its command line; and a process
 * already written that now shares its pid with another host's.  Without
 * show (a stream start the filters left out) v's process is noted, not
 * written, and its command line is not taken.  0, or -1 out of memory.
 */
int dec_tracks_process(dec_tracks *t, const aclsub_rec_view *v, uint32_t input, int show, dec_proc_fn named,
                       void *ctx, uint32_t *number);
/*
 * A process's name: its command line (empty_cmd: even an empty one), else
 * "pid N"; when its number is not its pid or another host's process has
 * its pid, "CMD (pid N on HOST)", or "pid N on HOST" without a command
 * line (" on HOST" left out when the host is not known).
 */
void dec_proc_name(const dec_proc *p, int empty_cmd, char *buf, size_t len);
/* The lane of process `number` where v (ending at end) nests, into *l: 1 if the lane was just opened, 0 if not,
   -1 out of memory. */
int dec_tracks_place(dec_tracks *t, uint32_t number, const aclsub_rec_view *v, uint32_t input, uint64_t end,
                     dec_lane *l);
/* "model M stream S", with " (overlap N)" on extra lanes. */
void dec_lane_label(const dec_lane *l, char *buf, size_t len);
/* Calls proc for every process whose name was written, then lane for every lane (either may be NULL). */
void dec_tracks_each(const dec_tracks *t, dec_proc_fn proc, void (*lane)(void *, const dec_lane *), void *ctx);
void dec_tracks_free(dec_tracks *t);

/* --- out_file.c: stdout or -o, gzip, split files, for the trace outputs ----------- */
typedef struct dec_out dec_out;
/* Called after a file opens (opening 1: write its head) and before it closes (0: its tail). */
typedef void (*dec_out_edge)(void *ctx, int opening);
/* Opens the first file (out when there is no -o; its head is the caller's); NULL after a message on err.
   edge(ctx, 1) is called for every later file, edge(ctx, 0) before each file ends. */
dec_out *dec_out_new(const dec_opts *o, FILE *out, FILE *err, dec_out_edge edge, void *ctx);
/*
 * A new file `name` (mode 0600, created exclusively: with --force an existing
 * file or link is removed first, never written into), or the FIFO or device
 * `name` is, written into; NULL after a message on err.
 */
FILE *dec_create_new(const dec_opts *o, const char *name, FILE *err);
void dec_out_write(dec_out *d, const void *p, size_t n);
/* A point between events at time t_ns where a split may go: 1 if a new file began, 0 not, -1 failed. */
int dec_out_cut(dec_out *d, uint64_t t_ns);
/* Ends the last file (edge(ctx, 0) first); 0, or -1 if anything failed (reported). */
int dec_out_close(dec_out *d);

/* --- view_chrome.c: Chrome trace JSON ------------------------------------------- */
typedef struct dec_chrome dec_chrome;
/* models: the streams' descriptions, for lane names and event args (may be NULL). */
dec_chrome *dec_chrome_new(const dec_opts *o, const dec_models *models, FILE *out, FILE *err);
void dec_chrome_event(dec_chrome *c, const aclsub_rec_view *v, uint32_t input);
/* A stream start the filters left out: it still tells which host its process is on. */
void dec_chrome_filtered_start(dec_chrome *c, const aclsub_rec_view *v, uint32_t input);
/* Ends the array; returns 0, or -1 if memory ran out or a write failed on the way. */
int dec_chrome_finish(dec_chrome *c);
void dec_chrome_free(dec_chrome *c);

/* --- view_perfetto.c: Perfetto's TracePacket protobuf ------------------------------ */
typedef struct dec_perfetto dec_perfetto;
dec_perfetto *dec_perfetto_new(const dec_opts *o, const dec_models *models, FILE *out, FILE *err);
void dec_perfetto_event(dec_perfetto *p, const aclsub_rec_view *v, uint32_t input);
void dec_perfetto_filtered_start(dec_perfetto *p, const aclsub_rec_view *v, uint32_t input);
int dec_perfetto_finish(dec_perfetto *p);
void dec_perfetto_free(dec_perfetto *p);

/* --- view_sqlite.c: an SQLite database (-o FILE) ----------------------------------- */
typedef struct dec_sqlite dec_sqlite;
dec_sqlite *dec_sqlite_new(const dec_opts *o, const dec_models *models, FILE *err);
/* Every record, control records included (v as read; input: which input it came from). */
void dec_sqlite_event(dec_sqlite *s, const aclsub_rec_view *v, uint32_t input);
int dec_sqlite_finish(dec_sqlite *s);
void dec_sqlite_free(dec_sqlite *s);

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
