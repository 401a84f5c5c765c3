/*
 * view_perfetto.c - `aclsub decode --format perfetto`: Perfetto's own
 * trace format, a protobuf Trace (repeated TracePacket packet = 1) with
 * TrackDescriptor and TrackEvent packets, encoded here by hand (varints
 * and length-delimited fields), written through out_file.c (stdout or -o,
 * gzip, split files).
 *
 * Timestamps are the records' integer nanoseconds (device clock), unrebased.
 * Tracks: one process track per writing process, a host and a pid
 * (tracks.c): a TrackDescriptor with a ProcessDescriptor whose pid is the
 * process's number, its own pid or, for another host's process of a pid
 * already in the trace, an alias from 1000000001 up (below 2^31, as the
 * field is an int32; trace_processor keeps one process per pid, so the
 * real pid there would merge the two), named by its stream start's command
 * line, else "pid N", with "(pid N on HOST)" after it when the pid is
 * shared or aliased; one thread track per (process, model, stream) lane of
 * tracks.c (a ThreadDescriptor whose tid is 4194304 + the lane's number,
 * above any Linux pid, so that it never names a real thread), named
 * "model M stream S".  Operators and whole runs are slices: a
 * TYPE_SLICE_BEGIN at the start and a TYPE_SLICE_END at the end, the ends
 * kept in a heap so that the packets go out in time order, an inner slice
 * ending before an outer one that ends at the same nanosecond.  An
 * operator's slice is named by the operator, categorised by its type; a
 * whole run is named and categorised "execute"; both carry model and
 * iteration as debug annotations.  Records-lost notices are instant events
 * on the process track.  Strings that are not valid UTF-8 have each bad
 * byte replaced by U+FFFD.  A split file may begin only where no slice is
 * open, and repeats every descriptor known so far.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decoder/pipeline.h"
#include "decoder/textout.h"

#define TID_BASE 4194304u /* above Linux's largest pid (PID_MAX_LIMIT) */
#define SEQ_ID 1u         /* trusted_packet_sequence_id of every packet */
#define BUF_CAP (4 * (ACLSUB_REC_NAME_CAP + ACLSUB_REC_TYPE_CAP) + 512)
#define PROC_CAP (6 * DEC_PROC_NAME_CAP + 128) /* a process's descriptor: its name twice, each at most 3 bytes a byte */
#define EV_CAP (BUF_CAP + 3 * (ACLSUB_DESC_TEXT_MAX + ACLSUB_REC_TYPE_CAP) + 512) /* an event with its shapes */

enum { WT_VARINT = 0, WT_LEN = 2 };
enum { SLICE_BEGIN = 1, SLICE_END = 2, INSTANT = 3 };

typedef struct open_slice {
    uint64_t end, order; /* order: when it began, to end inner slices first */
    uint64_t track;
} open_slice;

struct dec_perfetto {
    const dec_models *models; /* the streams' model descriptions, or NULL */
    dec_out *out;
    dec_tracks *tracks;
    open_slice *heap;
    size_t nheap, cap;
    uint64_t began;
    int oom, first_packet;
};

/* --- protobuf wire format ----------------------------------------------------- */

static unsigned char *pb_varint(unsigned char *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

static unsigned char *pb_uint(unsigned char *p, unsigned field, uint64_t v)
{
    p = pb_varint(p, (uint64_t)field << 3 | WT_VARINT);
    return pb_varint(p, v);
}

static unsigned char *pb_bytes(unsigned char *p, unsigned field, const void *data, size_t n)
{
    p = pb_varint(p, (uint64_t)field << 3 | WT_LEN);
    p = pb_varint(p, n);
    memcpy(p, data, n);
    return p + n;
}

/* A string field, invalid UTF-8 replaced (at most 3 * strlen(s) + 12 bytes). */
static unsigned char *pb_string(unsigned char *p, unsigned field, const char *s)
{
    char tmp[3 * (ACLSUB_REC_NAME_CAP + 1)];
    size_t n = strnlen(s, ACLSUB_REC_NAME_CAP);
    char *e = tx_put_utf8(tmp, s, n);
    return pb_bytes(p, field, tmp, (size_t)(e - tmp));
}

/* The same for a description field (ASCII from the writer, any bytes from a hostile stream) or a process's name. */
static unsigned char *pb_long_string(unsigned char *p, unsigned field, const char *s)
{
    char tmp[3 * (ACLSUB_DESC_TEXT_MAX + 1)];
    size_t n = strnlen(s, ACLSUB_DESC_TEXT_MAX);
    char *e = tx_put_utf8(tmp, s, n);
    return pb_bytes(p, field, tmp, (size_t)(e - tmp));
}

/* Writes one packet (Trace.packet = 1) whose body is [body, end). */
static void put_packet(dec_perfetto *d, const unsigned char *body, const unsigned char *end)
{
    unsigned char head[16], *h = pb_varint(head, 1u << 3 | WT_LEN);
    h = pb_varint(h, (uint64_t)(end - body));
    dec_out_write(d->out, head, (size_t)(h - head));
    dec_out_write(d->out, body, (size_t)(end - body));
}

/* TracePacket fields every packet has: the sequence (and on a file's first packet, its state cleared). */
static unsigned char *packet_head(dec_perfetto *d, unsigned char *p)
{
    p = pb_uint(p, 10, SEQ_ID); /* trusted_packet_sequence_id */
    if (d->first_packet) {
        p = pb_uint(p, 13, 1); /* sequence_flags: SEQ_INCREMENTAL_STATE_CLEARED */
        d->first_packet = 0;
    }
    return p;
}

/* --- descriptors ------------------------------------------------------------------ */

static uint64_t process_uuid(uint32_t pid)
{
    return 1ull << 40 | pid;
}

static uint64_t lane_uuid(uint32_t tid)
{
    return 2ull << 40 | tid;
}

static void describe_process(void *ctx, const dec_proc *pr)
{
    dec_perfetto *d = ctx;
    char name[DEC_PROC_NAME_CAP];
    dec_proc_name(pr, 0, name, sizeof name);
    unsigned char proc[PROC_CAP], *q = pb_uint(proc, 1, pr->number); /* ProcessDescriptor.pid */
    q = pb_long_string(q, 6, name);                                    /* process_name */
    unsigned char td[PROC_CAP], *t = pb_uint(td, 1, process_uuid(pr->number)); /* TrackDescriptor.uuid */
    t = pb_long_string(t, 2, name);                                             /* name */
    t = pb_bytes(t, 3, proc, (size_t)(q - proc));                               /* process */
    unsigned char pk[PROC_CAP], *p = packet_head(d, pk);
    p = pb_bytes(p, 60, td, (size_t)(t - td)); /* TracePacket.track_descriptor */
    put_packet(d, pk, p);
}

static void describe_lane(void *ctx, const dec_lane *l)
{
    dec_perfetto *d = ctx;
    char lane[96], label[ACLSUB_REC_TYPE_CAP + 128];
    dec_lane_label(l, lane, sizeof lane);
    const dec_model *m = dec_models_find(d->models, l->input, l->pid, l->model);
    snprintf(label, sizeof label, "%s%s%s", m ? m->name : "", m ? ": " : "", lane); /* "cnn: model 1 stream 0" */
    unsigned char th[256], *q = pb_uint(th, 1, l->number); /* ThreadDescriptor.pid */
    q = pb_uint(q, 2, TID_BASE + l->tid);                /* tid */
    q = pb_string(q, 5, label);                          /* thread_name */
    unsigned char td[512], *t = pb_uint(td, 1, lane_uuid(l->tid));
    t = pb_string(t, 2, label);
    t = pb_bytes(t, 4, th, (size_t)(q - th)); /* TrackDescriptor.thread */
    unsigned char pk[768], *p = packet_head(d, pk);
    p = pb_bytes(p, 60, td, (size_t)(t - td));
    put_packet(d, pk, p);
}

static void edge(void *ctx, int opening)
{
    dec_perfetto *d = ctx;
    if (!opening)
        return;
    d->first_packet = 1;
    if (d->tracks) {
        dec_tracks_each(d->tracks, describe_process, NULL, d);
        dec_tracks_each(d->tracks, NULL, describe_lane, d);
    }
}

/* --- events ------------------------------------------------------------------------ */

/* One TrackEvent packet; name and category NULL for a slice end. */
static const char *const field_keys[ACLSUB_DESC_FIELDS] = {"input_shapes",  "input_data_types",  "input_formats",
                                                            "output_shapes", "output_data_types", "output_formats"};

/* One TrackEvent packet; name and category NULL for a slice end; m: a slice's described model, or NULL. */
static void track_event(dec_perfetto *d, uint64_t ts, int type, uint64_t track, const char *name,
                        const char *cat, const aclsub_rec_view *v, const dec_model *m)
{
    unsigned char ev[EV_CAP], *e = pb_uint(ev, 9, (uint64_t)type); /* TrackEvent.type */
    e = pb_uint(e, 11, track);                                       /* track_uuid */
    if (cat)
        e = pb_string(e, 22, cat); /* categories */
    if (name)
        e = pb_string(e, 23, name); /* name */
    if (v && type == SLICE_BEGIN) {
        static const char *const keys[2] = {"model", "iteration"};
        uint64_t vals[2] = {v->model_id, v->iteration};
        for (int i = 0; i < 2; i++) {
            unsigned char a[64], *q = pb_string(a, 10, keys[i]); /* DebugAnnotation.name */
            q = pb_uint(q, 3, vals[i]);                           /* uint_value */
            e = pb_bytes(e, 4, a, (size_t)(q - a));               /* debug_annotations */
        }
        if (m) { /* the stream's description: the model's name, the operator's shapes (string_value 6) */
            unsigned char a[3 * (ACLSUB_DESC_TEXT_MAX + 1) + 64], *q = pb_string(a, 10, "model_name");
            q = pb_string(q, 6, m->name);
            e = pb_bytes(e, 4, a, (size_t)(q - a));
            const char *text = v->kind == ACLSUB_KIND_OP ? dec_model_op_text(m, v->op_index) : NULL;
            const char *f[ACLSUB_DESC_FIELDS];
            char fbuf[ACLSUB_DESC_TEXT_MAX + 1];
            for (int i = 0; text && dec_desc_fields(text, fbuf, sizeof fbuf, f) && i < ACLSUB_DESC_FIELDS; i++) {
                q = pb_string(a, 10, field_keys[i]);
                q = pb_long_string(q, 6, f[i]);
                e = pb_bytes(e, 4, a, (size_t)(q - a));
            }
        }
    } else if (v) {
        static const char *const keys[2] = {"lost", "lost_total"};
        for (int i = 0; i < 2; i++) {
            unsigned char a[64], *q = pb_string(a, 10, keys[i]);
            q = pb_uint(q, 3, v->arg[i]);
            e = pb_bytes(e, 4, a, (size_t)(q - a));
        }
    }
    unsigned char pk[EV_CAP + 64], *p = pb_uint(pk, 8, ts); /* TracePacket.timestamp */
    p = packet_head(d, p);
    p = pb_bytes(p, 11, ev, (size_t)(e - ev)); /* track_event */
    put_packet(d, pk, p);
}

static int before(const open_slice *a, const open_slice *b)
{
    return a->end < b->end || (a->end == b->end && a->order > b->order);
}

static int heap_push(dec_perfetto *d, open_slice s)
{
    if (d->nheap == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        open_slice *h = realloc(d->heap, cap * sizeof *h);
        if (!h)
            return -1;
        d->heap = h;
        d->cap = cap;
    }
    size_t i = d->nheap++;
    for (; i && before(&s, &d->heap[(i - 1) / 2]); i = (i - 1) / 2)
        d->heap[i] = d->heap[(i - 1) / 2];
    d->heap[i] = s;
    return 0;
}

static open_slice heap_pop(dec_perfetto *d)
{
    open_slice top = d->heap[0], last = d->heap[--d->nheap];
    size_t i = 0;
    for (;;) {
        size_t k = 2 * i + 1;
        if (k >= d->nheap)
            break;
        if (k + 1 < d->nheap && before(&d->heap[k + 1], &d->heap[k]))
            k++;
        if (!before(&d->heap[k], &last))
            break;
        d->heap[i] = d->heap[k];
        i = k;
    }
    if (d->nheap)
        d->heap[i] = last;
    return top;
}

/* Ends every open slice that ends at or before t, in time order. */
static void end_slices(dec_perfetto *d, uint64_t t)
{
    while (d->nheap && d->heap[0].end <= t) {
        open_slice s = heap_pop(d);
        track_event(d, s.end, SLICE_END, s.track, NULL, NULL, NULL, NULL);
    }
}

dec_perfetto *dec_perfetto_new(const dec_opts *o, const dec_models *models, FILE *out, FILE *err)
{
    dec_perfetto *d = calloc(1, sizeof *d);
    if (!d || !(d->tracks = dec_tracks_new())) {
        fprintf(err, "aclsub decode: out of memory\n");
        free(d);
        return NULL;
    }
    d->models = models;
    d->out = dec_out_new(o, out, err, edge, d);
    if (!d->out) {
        dec_perfetto_free(d);
        return NULL;
    }
    edge(d, 1);
    return d;
}

/* The process of v (described when new), into *number: 0, or -1 out of memory. */
static int see_process(dec_perfetto *d, const aclsub_rec_view *v, uint32_t input, int show, uint32_t *number)
{
    if (dec_tracks_process(d->tracks, v, input, show, describe_process, d, number) == 0)
        return 0;
    d->oom = 1;
    return -1;
}

static void slice(dec_perfetto *d, const aclsub_rec_view *v, uint32_t input, uint32_t number)
{
    uint64_t end = v->start + v->duration < v->start ? UINT64_MAX : v->start + v->duration;
    dec_lane lane;
    int opened = dec_tracks_place(d->tracks, number, v, input, end, &lane);
    if (opened < 0 || heap_push(d, (open_slice){end, d->began++, lane_uuid(lane.tid)}) < 0) {
        d->oom = 1;
        return;
    }
    if (opened)
        describe_lane(d, &lane);
    int run = v->kind == ACLSUB_KIND_RUN;
    track_event(d, v->start, SLICE_BEGIN, lane_uuid(lane.tid), run ? "execute" : v->name, run ? "execute" : v->type,
                v, dec_models_find(d->models, input, v->pid, v->model_id));
}

void dec_perfetto_event(dec_perfetto *d, const aclsub_rec_view *v, uint32_t input)
{
    end_slices(d, v->start);
    if (!d->nheap && dec_out_cut(d->out, v->start) < 0)
        d->oom = 1;
    uint32_t number;
    if (v->kind == ACLSUB_KIND_STREAM_START)
        see_process(d, v, input, 1, &number);
    else if (v->kind == ACLSUB_KIND_LOST && see_process(d, v, input, 1, &number) == 0)
        track_event(d, v->start, INSTANT, process_uuid(number), "records lost", NULL, v, NULL);
    else if (!dec_is_control(v) && see_process(d, v, input, 1, &number) == 0)
        slice(d, v, input, number);
}

void dec_perfetto_filtered_start(dec_perfetto *d, const aclsub_rec_view *v, uint32_t input)
{
    uint32_t number;
    see_process(d, v, input, 0, &number);
}

int dec_perfetto_finish(dec_perfetto *d)
{
    end_slices(d, UINT64_MAX);
    int rc = dec_out_close(d->out);
    d->out = NULL;
    return d->oom || rc < 0 ? -1 : 0;
}

void dec_perfetto_free(dec_perfetto *d)
{
    if (!d)
        return;
    dec_out_close(d->out);
    dec_tracks_free(d->tracks);
    free(d->heap);
    free(d);
}
