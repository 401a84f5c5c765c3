/*
 * decode.c - the pipeline of `aclsub decode` (dec_run, pipeline.h) over
 * inputs the caller opened (tools/decode.c parses the command line): records are read
 * (in input order, or merged on start time), control records are noted,
 * the filters applied, and each record goes to the view (list rows, a
 * Chrome or Perfetto trace, an SQLite database, or the group tables of the
 * summary and diff views, printed at the end).  The database also gets every
 * control record, filtered or not, for its table of streams, and the traces
 * every stream start, for the hosts of their processes.  Damage is skipped, counted and reported on stderr per
 * input; the exit status is 1 for usage and I/O errors, else 2 when any
 * input was damaged, else 0.  An incomplete stream (a stream start and no
 * stream end) is reported on stderr but does not change the exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decoder/pipeline.h"

typedef struct run_ctx {
    const dec_opts *o;
    FILE *out, *err;
    dec_ctrl ctrl;
    dec_models *models; /* the streams' model descriptions and clock anchors */
    int described;      /* a model description was noted: groups by model take the slow path */
    FILE *control;      /* --control-csv, or NULL */
    st_table tab[2];   /* summary: [0]; diff: A and B */
    dec_chrome *chrome;
    dec_perfetto *perfetto;
    dec_sqlite *sqlite;
    dec_live *live;    /* the terminal display of --follow, or NULL */
    dec_align *align;  /* several hosts' clocks on one timeline, or NULL */
    uint64_t records, runs, damage_events;
    int oom;
} run_ctx;

static void to_view(run_ctx *c, const aclsub_rec_view *v, uint32_t input, size_t side)
{
    const dec_opts *o = c->o;
    if (o->view == DEC_VIEW_LIST) {
        if (c->chrome)
            dec_chrome_event(c->chrome, v, input);
        else if (c->perfetto)
            dec_perfetto_event(c->perfetto, v, input);
        else if (c->sqlite)
            dec_sqlite_event(c->sqlite, v, input);
        else
            dec_list_row(o, c->models, v, input, c->out, c->control);
        return;
    }
    if (v->kind == ACLSUB_KIND_RUN) {
        c->runs++;
    } else if (v->kind == ACLSUB_KIND_OP) {
        st_table *t = &c->tab[side];
        const dec_model *m = o->by == DEC_BY_MODEL ? dec_models_find(c->models, input, v->pid, v->model_id) : NULL;
        /* A diff pairs the two recordings' models by name and id (their streams differ by definition). */
        st_group *g = m && o->view == DEC_VIEW_DIFF ? st_get(t, m->name, strlen(m->name), v->model_id)
                                                    : dec_group_of(t, o->by, v, m);
        if (!g || st_add(t, g, v->duration) < 0)
            c->oom = 1;
    }
}

/* A stream start the filters left out still tells the traces which host its process is on. */
static void to_trace_filtered(run_ctx *c, const aclsub_rec_view *v, uint32_t input)
{
    if (c->chrome)
        dec_chrome_filtered_start(c->chrome, v, input);
    else if (c->perfetto)
        dec_perfetto_filtered_start(c->perfetto, v, input);
}

static void handle(run_ctx *c, const dec_event *e, size_t side)
{
    c->records++;
    int control = dec_is_control(&e->v);
    if (control) {
        dec_ctrl_note(&c->ctrl, &e->v, e->input);
        dec_models_note(c->models, e->input, &e->v);
        c->described |= e->v.kind == ACLSUB_KIND_MODEL_DESC;
    }
    if (control && c->sqlite)
        dec_sqlite_event(c->sqlite, &e->v, e->input);
    else if (dec_filter_pass(c->o, &e->v))
        to_view(c, &e->v, e->input, side);
    else if (e->v.kind == ACLSUB_KIND_STREAM_START)
        to_trace_filtered(c, &e->v, e->input);
}

static uint64_t damage_events(const dec_input *in)
{
    if (!in->r)
        return 0;
    const rec_reader_stats *s = rec_reader_get_stats(in->r);
    return s->bad_signature + s->bad_version + s->garbage_runs + (s->truncated_bytes ? 1 : 0);
}

/* Ends one input: reports its damage and closes it; 1 error, 2 damaged, 0 clean. */
static int finish_input(run_ctx *c, dec_input *in)
{
    int st = dec_input_report(in, c->err) ? 2 : 0;
    c->damage_events += damage_events(in);
    if (in->failed)
        st = 1;
    dec_input_close(in);
    return st;
}

static int worse(int a, int b)
{
    return a == 1 || b == 1 ? 1 : a > b ? a : b;
}

/* One record as read: the summary's hot path when it can, else decoded whole. */
static void handle_raw(run_ctx *c, const unsigned char *rec, uint32_t input, size_t side, int fast)
{
    if (fast && (dec_fast_group(c->o, &c->tab[side], rec, &c->runs, &c->oom, c->described) ||
                 dec_fast_control(c->o, &c->ctrl, rec, input))) {
        c->records++;
        return;
    }
    dec_event ev;
    rec_view_of(rec, &ev.v); /* the reader returns valid records only */
    ev.input = input;
    dec_align_event(c->align, &ev.v, input);
    handle(c, &ev, side);
}

/* Inputs one after the other, records as read. */
static int run_sequential(run_ctx *c, dec_input *ins, size_t nin)
{
    int status = 0;
    const unsigned char *rec;
    int fast = c->o->view != DEC_VIEW_LIST && dec_fast_usable(c->o) && !dec_align_active(c->align);
    pthread_mutex_t *lock = c->live ? dec_live_lock(c->live) : NULL;
    for (size_t i = 0; i < nin; i++) {
        size_t side = c->o->view == DEC_VIEW_DIFF ? i : 0;
        uint64_t before = c->damage_events;
        size_t n;
        while (dec_input_next_run(&ins[i], &rec, &n, c->err) == 1) {
            for (size_t j = 0; j < n; j++, rec += ACLSUB_REC_SIZE) {
                if (fast && !lock) { /* the records the fast path takes, then one it does not */
                    size_t k =
                        dec_fast_run(c->o, &c->tab[side], &c->ctrl, rec, n - j, (uint32_t)i, &c->runs, &c->oom,
                                     c->described);
                    c->records += k;
                    j += k;
                    rec += k * ACLSUB_REC_SIZE;
                    if (j == n)
                        break;
                    handle_raw(c, rec, (uint32_t)i, side, 0);
                } else if (lock) {
                    pthread_mutex_lock(lock);
                    handle_raw(c, rec, (uint32_t)i, side, fast);
                    dec_live_counts(c->live, c->records, c->ctrl.lost, before + damage_events(&ins[i]));
                    pthread_mutex_unlock(lock);
                } else {
                    handle_raw(c, rec, (uint32_t)i, side, fast);
                }
            }
        }
        status = worse(status, finish_input(c, &ins[i]));
    }
    return status;
}

/* All inputs merged on start time. */
static int run_merged(run_ctx *c, dec_input *ins, size_t nin)
{
    dec_merge *m = dec_merge_new(ins, nin, c->o->window);
    if (!m) {
        fprintf(c->err, "aclsub decode: out of memory\n");
        return 1;
    }
    const dec_event *ev;
    while (dec_merge_next(m, &ev, c->err) == 1)
        handle(c, ev, 0);
    dec_merge_free(m);
    int status = 0;
    for (size_t i = 0; i < nin; i++)
        status = worse(status, finish_input(c, &ins[i]));
    return status;
}

/* Starts the view; -1 after a message on err. */
static int start_view(run_ctx *c)
{
    const dec_opts *o = c->o;
    if (o->view == DEC_VIEW_LIST && o->format == DEC_FMT_CHROME) {
        c->chrome = dec_chrome_new(o, c->models, c->out, c->err);
        return c->chrome ? 0 : -1;
    }
    if (o->view == DEC_VIEW_LIST && o->format == DEC_FMT_PERFETTO) {
        c->perfetto = dec_perfetto_new(o, c->models, c->out, c->err);
        return c->perfetto ? 0 : -1;
    }
    if (o->view == DEC_VIEW_LIST && o->format == DEC_FMT_SQLITE) {
        c->sqlite = dec_sqlite_new(o, c->models, c->err);
        return c->sqlite ? 0 : -1;
    }
    if (o->view == DEC_VIEW_LIST)
        dec_list_header(o, c->out);
    if (o->control_csv) {
        c->control = dec_create_new(o, o->control_csv, c->err);
        if (!c->control)
            return -1;
        dec_list_control_header(c->control);
    }
    if (o->follow && isatty(fileno(c->out)))
        c->live = dec_live_start(o, &c->tab[0], c->out); /* without it: the final summary only */
    return 0;
}

static int end_view(run_ctx *c, dec_input *ins)
{
    const dec_opts *o = c->o;
    dec_live_stop(c->live);
    c->live = NULL;
    if (c->chrome)
        return dec_chrome_finish(c->chrome);
    if (c->perfetto)
        return dec_perfetto_finish(c->perfetto);
    if (c->sqlite)
        return dec_sqlite_finish(c->sqlite);
    if (o->view == DEC_VIEW_SUMMARY) {
        dec_summary_info info = {c->runs, c->ctrl.lost, c->models};
        return dec_summary_print(o, &c->tab[0], &info, c->out, c->err);
    }
    if (o->view == DEC_VIEW_DIFF)
        return dec_diff_print(o, &c->tab[0], &c->tab[1], ins[0].label, ins[1].label, c->out, c->err);
    return 0;
}

int dec_run(const dec_opts *o, dec_input *ins, size_t nin, FILE *out, FILE *err)
{
    run_ctx c = {.o = o, .out = out, .err = err, .models = dec_models_new()};
    st_init(&c.tab[0]);
    st_init(&c.tab[1]);
    int status = 1;
    c.align = dec_align_new(o->align, ins, nin, o->window, err);
    if (start_view(&c) == 0) {
        int merged = o->order_time && o->view == DEC_VIEW_LIST;
        status = merged ? run_merged(&c, ins, nin) : run_sequential(&c, ins, nin);
        if (end_view(&c, ins) < 0 || c.oom) {
            if (c.oom)
                fprintf(err, "aclsub decode: out of memory; the output is incomplete\n");
            status = 1;
        }
    }
    dec_ctrl_report(&c.ctrl, err);
    dec_models_report(c.models, err);
    if (c.control && fclose(c.control) != 0) {
        fprintf(err, "aclsub decode: %s: %s\n", o->control_csv, "write failed");
        status = 1;
    }
    dec_models_free(c.models);
    dec_chrome_free(c.chrome);
    dec_perfetto_free(c.perfetto);
    dec_sqlite_free(c.sqlite);
    dec_ctrl_free(&c.ctrl);
    dec_align_free(c.align);
    st_free(&c.tab[0]);
    st_free(&c.tab[1]);
    if (fflush(out) != 0)
        status = 1;
    return status;
}
