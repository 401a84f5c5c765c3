/*
 * view_chrome.c - the Chrome trace output of `aclsub decode` (JSON array
 * form, for Perfetto and chrome://tracing), streamed from records that
 * arrive in start-time order, written through out_file.c (stdout or -o,
 * gzip, split files).
 *
 * "[" then one event per line, each but the last ending with "," (a file
 * cut off between lines loads in viewers that accept a missing "]"), then
 * "]": a complete file is strict JSON.  Operators and whole runs are
 * complete events (ph "X") with ts in microseconds from the first record,
 * printed exactly from integer nanoseconds (three decimals).  dur is
 * chosen so that a viewer's ts + dur in doubles is the double nearest the
 * integer end: then no operator ends after its execute in any viewer that
 * adds the two.  dur is the exact three-decimal value whenever that sum
 * comes out right (almost always), else the shortest decimal that does.
 * Arguments are only model and iteration; an operator's type is its
 * category, a whole run is named and categorised "execute".  pid is the
 * writing process, a host and a pid (tracks.c): its own pid, or an alias
 * from 1000000001 up for another host's process of a pid already in the
 * trace; it is named (process_name) by its stream start's command line,
 * with "(pid N on HOST)" after it when the pid is shared or aliased.  Each
 * (process, model, stream) lane of tracks.c is a tid with a thread_name
 * and thread_sort_index.  Records-lost notices are process-scoped instant
 * events.  Every event belongs to a process that wrote records: there are
 * no events for pid 0.  Each split file repeats the process and thread
 * names it needs.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decoder/pipeline.h"
#include "decoder/textout.h"

#define LINE_CAP (6 * (ACLSUB_REC_NAME_CAP + ACLSUB_REC_TYPE_CAP) + 6 * (ACLSUB_DESC_TEXT_MAX + ACLSUB_REC_TYPE_CAP) + 1024)

struct dec_chrome {
    const dec_models *models; /* the streams' model descriptions, or NULL */
    dec_out *out;
    dec_tracks *tracks;
    int have_base, oom, have_line; /* have_line: the current file has an event line */
    uint64_t base;
    char line[LINE_CAP];
};

#define PUT(lit) (memcpy(p, lit, sizeof lit - 1), p += sizeof lit - 1)

/* Writes the line in c->line up to end, after the comma that ends the line before it. */
static void emit(dec_chrome *c, char *end)
{
    if (c->have_line)
        dec_out_write(c->out, ",\n", 2);
    dec_out_write(c->out, c->line, (size_t)(end - c->line));
    c->have_line = 1;
}

static void name_process(void *ctx, const dec_proc *proc)
{
    dec_chrome *c = ctx;
    char *p = c->line, name[DEC_PROC_NAME_CAP];
    dec_proc_name(proc, 1, name, sizeof name);
    PUT("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":");
    p = tx_put_u64(p, proc->number);
    PUT(",\"args\":{\"name\":");
    p = tx_put_json(p, name, strlen(name));
    PUT("}}");
    emit(c, p);
}

static void name_lane(void *ctx, const dec_lane *l)
{
    dec_chrome *c = ctx;
    char lane[96], label[ACLSUB_REC_TYPE_CAP + 128], *p = c->line;
    dec_lane_label(l, lane, sizeof lane);
    const dec_model *m = dec_models_find(c->models, l->input, l->pid, l->model);
    snprintf(label, sizeof label, "%s%s%s", m ? m->name : "", m ? ": " : "", lane); /* "cnn: model 1 stream 0" */
    PUT("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":");
    p = tx_put_u64(p, l->number);
    PUT(",\"tid\":");
    p = tx_put_u64(p, l->tid);
    PUT(",\"args\":{\"name\":");
    p = tx_put_json(p, label, strlen(label));
    PUT("}},\n{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":");
    p = tx_put_u64(p, l->number);
    PUT(",\"tid\":");
    p = tx_put_u64(p, l->tid);
    PUT(",\"args\":{\"sort_index\":");
    p = tx_put_u64(p, l->tid);
    PUT("}}");
    emit(c, p);
}

/* A file's head ("[" and, in a split file after the first, the names known so far) or its tail. */
static void edge(void *ctx, int opening)
{
    dec_chrome *c = ctx;
    if (opening) {
        dec_out_write(c->out, "[\n", 2);
        if (c->tracks) {
            dec_tracks_each(c->tracks, name_process, NULL, c);
            dec_tracks_each(c->tracks, NULL, name_lane, c);
        }
        return;
    }
    dec_out_write(c->out, c->have_line ? "\n]\n" : "]\n", c->have_line ? 3 : 2);
    c->have_line = 0;
}

dec_chrome *dec_chrome_new(const dec_opts *o, const dec_models *models, FILE *out, FILE *err)
{
    dec_chrome *c = calloc(1, sizeof *c);
    if (!c || !(c->tracks = dec_tracks_new())) {
        fprintf(err, "aclsub decode: out of memory\n");
        free(c);
        return NULL;
    }
    c->models = models;
    c->out = dec_out_new(o, out, err, edge, c);
    if (!c->out) {
        dec_chrome_free(c);
        return NULL;
    }
    edge(c, 1);
    return c;
}

/* The process of v (named when new), into *number: 0, or -1 out of memory. */
static int see_process(dec_chrome *c, const aclsub_rec_view *v, uint32_t input, int show, uint32_t *number)
{
    if (dec_tracks_process(c->tracks, v, input, show, name_process, c, number) == 0)
        return 0;
    c->oom = 1;
    return -1;
}

static char *put_ts(dec_chrome *c, char *p, uint64_t start)
{
    PUT("\"ts\":");
    return tx_put_us3(p, (int64_t)(start - c->base));
}

/* dur such that (double)ts + (double)dur is the double nearest the end (see the file-top comment). */
static char *put_dur(char *p, int64_t rel, uint64_t dur)
{
    double ts = (double)rel / 1000.0, te = (double)(rel + (int64_t)dur) / 1000.0;
    if (ts + (double)dur / 1000.0 == te)
        return tx_put_us3_u(p, dur);
    double d = te - ts;
    for (int step = 0; step < 4; step++, d = nextafter(d, te - ts > d ? 1e300 : -1e300)) {
        for (int prec = 15; prec <= 17; prec++) {
            char buf[40];
            int n = snprintf(buf, sizeof buf, "%.*g", prec, d);
            if (n > 0 && n < (int)sizeof buf && ts + strtod(buf, NULL) == te) {
                memcpy(p, buf, (size_t)n);
                return p + n;
            }
        }
    }
    return tx_put_us3_u(p, dur);
}

static void lost_event(dec_chrome *c, const aclsub_rec_view *v, uint32_t number)
{
    char *p = c->line;
    PUT("{\"name\":\"records lost\",\"ph\":\"i\",\"s\":\"p\",");
    p = put_ts(c, p, v->start);
    PUT(",\"pid\":");
    p = tx_put_u64(p, number);
    PUT(",\"args\":{\"lost\":");
    p = tx_put_u64(p, v->arg[0]);
    PUT(",\"lost_total\":");
    p = tx_put_u64(p, v->arg[1]);
    PUT("}}");
    emit(c, p);
}

static void control_event(dec_chrome *c, const aclsub_rec_view *v, uint32_t input)
{
    uint32_t number;
    if (v->kind == ACLSUB_KIND_STREAM_START)
        see_process(c, v, input, 1, &number);
    else if (v->kind == ACLSUB_KIND_LOST && see_process(c, v, input, 1, &number) == 0)
        lost_event(c, v, number);
}

static const char *const field_keys[ACLSUB_DESC_FIELDS] = {"input_shapes",  "input_data_types",  "input_formats",
                                                            "output_shapes", "output_data_types", "output_formats"};

static void complete_event(dec_chrome *c, const aclsub_rec_view *v, const dec_lane *lane, uint32_t input)
{
    int run = v->kind == ACLSUB_KIND_RUN;
    char *p = c->line;
    PUT("{\"name\":");
    p = run ? stpcpy(p, "\"execute\"") : tx_put_json(p, v->name, strlen(v->name));
    PUT(",\"cat\":");
    p = run ? stpcpy(p, "\"execute\"") : tx_put_json(p, v->type, strlen(v->type));
    PUT(",\"ph\":\"X\",");
    p = put_ts(c, p, v->start);
    PUT(",\"dur\":");
    p = put_dur(p, (int64_t)(v->start - c->base), v->duration);
    PUT(",\"pid\":");
    p = tx_put_u64(p, lane->number);
    PUT(",\"tid\":");
    p = tx_put_u64(p, lane->tid);
    PUT(",\"args\":{\"model\":");
    p = tx_put_u64(p, v->model_id);
    PUT(",\"iteration\":");
    p = tx_put_u64(p, v->iteration);
    const dec_model *m = dec_models_find(c->models, input, v->pid, v->model_id);
    if (m) { /* what the stream's description says: the model's name, the operator's shapes */
        PUT(",\"model_name\":");
        p = tx_put_json(p, m->name, strlen(m->name));
        const char *text = v->kind == ACLSUB_KIND_OP ? dec_model_op_text(m, v->op_index) : NULL, *f[ACLSUB_DESC_FIELDS];
        char fbuf[ACLSUB_DESC_TEXT_MAX + 1];
        for (int i = 0; text && dec_desc_fields(text, fbuf, sizeof fbuf, f) && i < ACLSUB_DESC_FIELDS; i++) {
            *p++ = ',';
            *p++ = '"';
            p = stpcpy(p, field_keys[i]);
            PUT("\":");
            p = tx_put_json(p, f[i], strlen(f[i]));
        }
    }
    PUT("}}");
    emit(c, p);
}

void dec_chrome_event(dec_chrome *c, const aclsub_rec_view *v, uint32_t input)
{
    if (!c->have_base) {
        c->base = v->start;
        c->have_base = 1;
    }
    if (dec_out_cut(c->out, v->start) < 0)
        c->oom = 1;
    if (dec_is_control(v)) {
        control_event(c, v, input);
        return;
    }
    uint32_t number;
    if (see_process(c, v, input, 1, &number) < 0)
        return;
    uint64_t end = v->start + v->duration < v->start ? UINT64_MAX : v->start + v->duration;
    dec_lane lane;
    int opened = dec_tracks_place(c->tracks, number, v, input, end, &lane);
    if (opened < 0) {
        c->oom = 1;
        return;
    }
    if (opened)
        name_lane(c, &lane);
    complete_event(c, v, &lane, input);
}

void dec_chrome_filtered_start(dec_chrome *c, const aclsub_rec_view *v, uint32_t input)
{
    uint32_t number;
    see_process(c, v, input, 0, &number);
}

int dec_chrome_finish(dec_chrome *c)
{
    int rc = dec_out_close(c->out);
    c->out = NULL;
    return c->oom || rc < 0 ? -1 : 0;
}

void dec_chrome_free(dec_chrome *c)
{
    if (!c)
        return;
    dec_out_close(c->out);
    dec_tracks_free(c->tracks);
    free(c);
}
