/*
 * decode.h - the internals of `aclsub decode` shared by its files: the
 * options, an input (a stream reader plus its name), a decoded event, and
 * the pipeline entry point that the command and the fuzz target both call.
 *
 * The pipeline: inputs -> (in input order, or merged on start time through
 * a bounded reorder window) -> control-record bookkeeping -> filters -> one
 * view (list rows, a grouped summary, a Chrome or Perfetto trace, an
 * SQLite database, or a diff of two inputs) writing to one FILE (the traces
 * and the database may write -o FILE, gzip or split files instead).
 */
#ifndef ACLSUB_DECODER_DECODE_H_
#define ACLSUB_DECODER_DECODE_H_

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aclsub/record.h"
#include "decoder/record/reader.h"

typedef enum { DEC_VIEW_LIST, DEC_VIEW_SUMMARY, DEC_VIEW_DIFF } dec_view;
typedef enum {
    DEC_FMT_TSV, DEC_FMT_TABLE, DEC_FMT_CSV, DEC_FMT_JSONL, DEC_FMT_CHROME, DEC_FMT_PERFETTO, DEC_FMT_SQLITE
} dec_format;
typedef enum { DEC_BY_TYPE, DEC_BY_NAME, DEC_BY_MODEL } dec_by;
/* --align: several hosts' device clocks mapped onto the realtime clock (align.c) */
typedef enum { DEC_ALIGN_AUTO, DEC_ALIGN_REALTIME, DEC_ALIGN_NONE } dec_align_mode;

#define DEC_DEFAULT_WINDOW 4096u
/* Bytes per read(), and per chunk of a regular file's read-ahead: large enough
   to amortise the call and the hand-over between the threads, small enough
   that the chunks being filled and checked stay in the caches. */
#define DEC_CHUNK (512u << 10)

typedef struct dec_opts {
    dec_view view;
    dec_format format;
    dec_by by;
    int order_time;       /* 1: merge on start time; 0: inputs one after the other, as read */
    size_t window;        /* records each input may be reordered by in time order */
    const char *sort;     /* column name, optionally ":asc" or ":desc"; NULL: the view's default */
    long top;             /* rows of a summary or diff to print; 0: all */
    int follow;           /* live summary refreshed on a terminal */
    /* the output */
    const char *output;   /* -o FILE, NULL: standard output; chrome, perfetto and sqlite write it themselves
                             (decoder/out_file.c, view_sqlite.c), the others through tools/decode.c */
    int force;            /* --force: -o may replace an existing FILE */
    int gzip;             /* --gzip (or FILE ending in .gz): chrome and perfetto */
    uint64_t split_bytes; /* --split-size, in bytes; 0: no split */
    uint64_t split_ns;    /* --split-time, in ns; 0: no split */
    const char *control_csv; /* --control-csv FILE: list CSV's whole runs and control records, NULL: none */
    /* filters.  types and names hold the --type/--name globs and, with a
       leading DEC_EXCLUDE byte, the --exclude-type/--exclude-name ones (so
       that any glob keeps the summary off its fast path, fastsum.c) */
    uint32_t *models;
    size_t nmodels;
    char **types;
    size_t ntypes;
    char **names;
    size_t nnames;
    uint64_t from, to;    /* start in [from, to] (absolute, once resolved) */
    struct dec_window *window_rel; /* --from/--to relative to the first record; NULL when absolute */
    uint64_t skip_iter;   /* drop records whose iteration < skip_iter */
    int *fields;          /* --fields: the columns of list and summary, in order (fields.c); NULL: the default */
    size_t nfields;
    dec_align_mode align; /* --align; auto: when the inputs hold more than one host's clock */
    /* inputs */
    char **inputs;
    size_t ninputs;
    char *storage;        /* owned copies of the comma-separated lists */
} dec_opts;

#define DEC_EXCLUDE '\x01'

/* --from/--to relative to the first record: resolved (o->from, o->to set) when the filter sees it. */
typedef struct dec_window {
    int from_rel, to_rel;     /* which bound is an offset */
    uint64_t from_off, to_off;
    int resolved;
    FILE *err;                /* where the base is reported, once */
} dec_window;

/* --- proof.c: every record arrived or was counted ------------------------- */
typedef struct dec_proof dec_proof;
typedef struct dec_proof_result {
    uint64_t records;    /* valid records noted */
    uint64_t missing;    /* records missing by sequence number */
    uint64_t counted;    /* records the stream counted as dropped (stream ends, else lost notices) */
    uint64_t silent;     /* records lost that nothing counted */
    uint64_t duplicated; /* records that arrived more than once */
    uint64_t unchecked;  /* records past the bounds on processes or subscriptions */
} dec_proof_result;
dec_proof *dec_proof_new(void);
/* Notes one valid record, in the order the input holds it. */
void dec_proof_note(dec_proof *p, const unsigned char *rec);
/* Closes every open segment and gives the totals. */
void dec_proof_finish(dec_proof *p, dec_proof_result *r);
/* Reports silent loss and duplicates on err (and unchecked records); 1 if there were any of the first two. */
int dec_proof_report(const dec_proof_result *r, const char *label, FILE *err);
void dec_proof_free(dec_proof *p);

/* One input: a path (opened when first read) or a reader made by the caller. */
typedef struct dec_input {
    const char *path;  /* "-" for stdin; NULL for a memory input */
    const char *label; /* how reports name it */
    rec_reader *r;
    int fd;
    int failed;        /* could not be opened or read */
    int done;          /* read to its end and closed */
    dec_proof *proof;  /* loss and duplicate bookkeeping; NULL when out of memory */
    struct dec_align *align; /* dec_input_next maps the times onto the common timeline; NULL: as read */
} dec_input;

/* A decoded record and the input it came from. */
typedef struct dec_event {
    aclsub_rec_view v;
    uint32_t input;
} dec_event;

/* decode_opts.c */
extern const char dec_usage[];
/* Parses argv (argv[0] the subcommand).  0 ok, 1 usage error (reported), 2 help shown, 3 --version given. */
int dec_opts_parse(dec_opts *o, int argc, char **argv, FILE *out, FILE *err);
void dec_opts_free(dec_opts *o);

/* inputs.c */
void dec_input_init_path(dec_input *in, const char *path);
void dec_input_init_mem(dec_input *in, const char *label, const void *data, size_t len);
/* Opens the input if needed: 0 ok, -1 failed (reported on err). */
int dec_input_open(dec_input *in, FILE *err);
/* The next valid record of the input: 1, 0 at its end, -1 on a read error (reported). */
int dec_input_next(dec_input *in, uint32_t index, dec_event *ev, FILE *err);
/* The same, the record left in place (ACLSUB_REC_SIZE bytes, valid until the next call). */
int dec_input_next_raw(dec_input *in, const unsigned char **rec, FILE *err);
/* The same for a run of 1 to DEC_RUN_MAX valid records back to back (rec_reader_next_run). */
#define DEC_RUN_MAX 256u
int dec_input_next_run(dec_input *in, const unsigned char **first, size_t *n, FILE *err);
/* Reports the damage of the input, and records it lost silently or twice, on err; 1 if any. */
int dec_input_report(const dec_input *in, FILE *err);
void dec_input_close(dec_input *in);

/* decode.c: runs the pipeline over prepared inputs; the exit status (0, 1, 2). */
int dec_run(const dec_opts *o, dec_input *ins, size_t nin, FILE *out, FILE *err);

#endif /* ACLSUB_DECODER_DECODE_H_ */
