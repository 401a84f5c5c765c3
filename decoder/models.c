/*
 * models.c - what the streams say about their models and their clocks:
 * the model descriptions (kind 19) and operator descriptions (kind 20) of
 * docs/FORMAT.md, "Model descriptions", kept per (stream, model id).
 * (Times on the realtime clock are align.c's.)
 *
 * A stream is an (input, pid) pair, numbered from 1 in the order first
 * seen, with the host its stream start names (the summary names the host
 * of a stream whose pid another host's stream has too).  The records of
 * one description share their time (`start`); a description of the same
 * (stream, model id) with another time is a new subscription (the id may
 * now name another model) and replaces the old one.  In time order its
 * records may come in any order among themselves, so an operator
 * description may arrive before its model description.
 * Operator texts split over several records are put back together from
 * their parts and offered only once complete.
 *
 * Every field is checked: a description record whose numbers do not agree
 * (part beyond the parts, offsets or lengths that do not match, a text
 * longer than the format allows) is counted as malformed and ignored.
 * Memory is bounded: at most DM_MAX_MODELS models, DM_MAX_STREAMS streams
 * and DM_MAX_BYTES bytes of operator texts; what does not fit is ignored
 * and counted.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decoder/pipeline.h"

#define DM_MAX_MODELS 4096
#define DM_MAX_STREAMS 65536
#define DM_MAX_BYTES ((size_t)64 << 20)

typedef struct dm_text {
    char *buf;        /* stored bytes + NUL; NULL: nothing yet */
    uint32_t len;     /* bytes stored (the full length, cut to ACLSUB_DESC_TEXT_MAX) */
    uint32_t parts;
    uint32_t have;    /* bit k: part k arrived */
} dm_text;

typedef struct dm_entry {
    dec_model pub;
    dm_text io;
    dm_text *ops;
    size_t nops;
} dm_entry;

typedef struct dm_stream {
    uint32_t input, pid;
    char *host;     /* from its stream start, or NULL */
    int shared;     /* another host's stream has the same pid */
} dm_stream;

struct dec_models {
    dm_entry *m;
    size_t n, cap;
    dm_stream *s;
    size_t ns, scap;
    size_t last;       /* index of the last model found + 1: the usual next answer */
    size_t bytes;      /* operator text bytes held */
    uint64_t malformed, dropped;
};

dec_models *dec_models_new(void)
{
    return calloc(1, sizeof(dec_models));
}

static void text_free(dm_text *t)
{
    free(t->buf);
    memset(t, 0, sizeof *t);
}

static void entry_clear(dec_models *d, dm_entry *e)
{
    d->bytes -= e->io.len;
    text_free(&e->io);
    for (size_t i = 0; i < e->nops; i++) {
        d->bytes -= e->ops[i].len;
        text_free(&e->ops[i]);
    }
    free(e->ops);
    e->ops = NULL;
    e->nops = 0;
}

void dec_models_free(dec_models *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        entry_clear(d, &d->m[i]);
    free(d->m);
    for (size_t i = 0; i < d->ns; i++)
        free(d->s[i].host);
    free(d->s);
    free(d);
}

/* The stream (input, pid), made when new; its number from 1, or 0 when the table is full. */
static uint32_t stream_of(dec_models *d, uint32_t input, uint32_t pid)
{
    for (size_t i = d->ns; i-- > 0;)
        if (d->s[i].pid == pid && d->s[i].input == input)
            return (uint32_t)i + 1;
    if (d->ns >= DM_MAX_STREAMS)
        return 0;
    if (d->ns == d->scap) {
        size_t cap = d->scap ? d->scap * 2 : 8;
        dm_stream *s = realloc(d->s, cap * sizeof *s);
        if (!s)
            return 0;
        d->s = s;
        d->scap = cap;
    }
    d->s[d->ns] = (dm_stream){.input = input, .pid = pid};
    return (uint32_t)++d->ns;
}

static dm_entry *entry_find(const dec_models *d, uint32_t input, uint32_t pid, uint32_t model_id)
{
    if (d->last && d->last <= d->n) {
        dm_entry *e = &d->m[d->last - 1];
        if (e->pub.model_id == model_id && e->pub.pid == pid && e->pub.input == input)
            return e;
    }
    for (size_t i = d->n; i-- > 0;) {
        dm_entry *e = &d->m[i];
        if (e->pub.model_id == model_id && e->pub.pid == pid && e->pub.input == input) {
            ((dec_models *)d)->last = i + 1; /* a cache: the table itself does not change */
            return e;
        }
    }
    return NULL;
}

/* The entry of v's (stream, model) for the description of time v->start: made, or reset for a new one. */
static dm_entry *entry_for(dec_models *d, uint32_t input, const aclsub_rec_view *v)
{
    dm_entry *e = entry_find(d, input, v->pid, v->model_id);
    if (e && e->pub.gen == v->start)
        return e;
    if (e) {
        entry_clear(d, e);
    } else {
        uint32_t stream = stream_of(d, input, v->pid);
        if (!stream || d->n >= DM_MAX_MODELS) {
            d->dropped++;
            return NULL;
        }
        if (d->n == d->cap) {
            size_t cap = d->cap ? d->cap * 2 : 8;
            dm_entry *m = realloc(d->m, cap * sizeof *m);
            if (!m) {
                d->dropped++;
                return NULL;
            }
            d->m = m;
            d->cap = cap;
        }
        e = &d->m[d->n++];
        memset(e, 0, sizeof *e);
        e->pub.input = input;
        e->pub.pid = v->pid;
        e->pub.model_id = v->model_id;
        e->pub.stream = stream;
        d->last = d->n;
    }
    dec_model *p = &e->pub;
    p->described = 0;
    p->gen = v->start;
    p->dev_id = v->dev_id;
    snprintf(p->name, sizeof p->name, "model %" PRIu32, v->model_id);
    p->file[0] = '\0';
    p->ops = 0;
    return e;
}

static void note_model(dec_models *d, uint32_t input, const aclsub_rec_view *v)
{
    dm_entry *e = entry_for(d, input, v);
    if (!e)
        return;
    dec_model *p = &e->pub;
    p->described = 1;
    p->dev_id = v->dev_id;
    p->ops = v->op_index;
    p->flags = v->arg[3];
    if (v->type[0])
        snprintf(p->name, sizeof p->name, "%s%s", v->type, v->str_flags & ACLSUB_STR_TYPE_TRUNCATED ? "..." : "");
    snprintf(p->file, sizeof p->file, "%s%s", v->name, v->str_flags & ACLSUB_STR_NAME_TRUNCATED ? "..." : "");
}

static void note_op(dec_models *d, uint32_t input, const aclsub_rec_view *v)
{
    uint64_t part = v->arg[0], parts = v->arg[1], full = v->arg[2], off = v->arg[3];
    uint64_t stored = full < ACLSUB_DESC_TEXT_MAX ? full : ACLSUB_DESC_TEXT_MAX;
    size_t have = strlen(v->name);
    int io = v->op_index == ACLSUB_DESC_MODEL_IO;
    if (parts == 0 || parts > ACLSUB_DESC_MAX_PARTS || part >= parts || off != part * ACLSUB_REC_NAME_CAP ||
        (stored ? (stored - 1) / ACLSUB_REC_NAME_CAP + 1 : 1) != parts || off > stored ||
        have != (stored - off < ACLSUB_REC_NAME_CAP ? stored - off : ACLSUB_REC_NAME_CAP) || have != v->name_len ||
        (!io && v->op_index >= ACLSUB_DESC_MAX_OPS)) {
        d->malformed++;
        return;
    }
    dm_entry *e = entry_for(d, input, v);
    if (!e)
        return;
    dm_text *t = &e->io;
    if (!io) {
        if (v->op_index >= e->nops) {
            size_t n = e->nops ? e->nops : 16;
            while (n <= v->op_index)
                n *= 2;
            dm_text *ops = realloc(e->ops, n * sizeof *ops);
            if (!ops) {
                d->dropped++;
                return;
            }
            memset(ops + e->nops, 0, (n - e->nops) * sizeof *ops);
            e->ops = ops;
            e->nops = n;
        }
        t = &e->ops[v->op_index];
    }
    if (t->buf && (t->len != stored || t->parts != parts)) { /* parts of two different texts */
        d->malformed++;
        return;
    }
    if (!t->buf) {
        if (d->bytes + stored + 1 > DM_MAX_BYTES || !(t->buf = calloc(1, stored + 1))) {
            d->dropped++;
            return;
        }
        t->len = (uint32_t)stored;
        t->parts = (uint32_t)parts;
        d->bytes += stored;
    }
    memcpy(t->buf + off, v->name, have);
    t->have |= 1u << part;
}

/* Takes the host a stream start names for its stream; the stream and other hosts' streams of its pid then share it. */
static void note_host(dec_models *d, uint32_t stream, const aclsub_rec_view *v)
{
    dm_stream *s = &d->s[stream - 1];
    if (!dec_start_host_take(v, &s->host))
        return;
    for (size_t i = 0; i < d->ns; i++) {
        dm_stream *o = &d->s[i];
        if (o->pid == s->pid && o->host && strcmp(o->host, s->host) != 0)
            o->shared = s->shared = 1;
    }
}

void dec_models_note(dec_models *d, uint32_t input, const aclsub_rec_view *v)
{
    if (!d)
        return;
    if (v->kind == ACLSUB_KIND_STREAM_START) {
        uint32_t stream = stream_of(d, input, v->pid); /* streams are numbered in the order first seen */
        if (stream)
            note_host(d, stream, v);
    } else if (v->kind == ACLSUB_KIND_MODEL_DESC) {
        note_model(d, input, v);
    } else if (v->kind == ACLSUB_KIND_OP_DESC) {
        note_op(d, input, v);
    }
}

const dec_model *dec_models_find(const dec_models *d, uint32_t input, uint32_t pid, uint32_t model_id)
{
    if (!d || !d->n)
        return NULL;
    const dm_entry *e = entry_find(d, input, pid, model_id);
    return e && e->pub.described ? &e->pub : NULL;
}

static const char *text_of(const dm_text *t)
{
    return t->buf && t->parts && t->have == (t->parts >= 32 ? UINT32_MAX : (1u << t->parts) - 1) ? t->buf : NULL;
}

const char *dec_model_op_text(const dec_model *m, uint64_t op_index)
{
    if (!m)
        return NULL;
    const dm_entry *e = (const dm_entry *)m; /* pub is the entry's first member */
    if (op_index == ACLSUB_DESC_MODEL_IO)
        return text_of(&e->io);
    return op_index < e->nops ? text_of(&e->ops[op_index]) : NULL;
}

size_t dec_models_count(const dec_models *d)
{
    size_t n = 0;
    for (size_t i = 0; d && i < d->n; i++)
        n += d->m[i].pub.described;
    return n;
}

const dec_model *dec_models_at(const dec_models *d, size_t i)
{
    for (size_t k = 0; d && k < d->n; k++)
        if (d->m[k].pub.described && i-- == 0)
            return &d->m[k].pub;
    return NULL;
}

uint32_t dec_models_stream_pid(const dec_models *d, uint32_t stream)
{
    return d && stream >= 1 && stream <= d->ns ? d->s[stream - 1].pid : 0;
}

const char *dec_models_stream_host(const dec_models *d, uint32_t stream)
{
    return d && stream >= 1 && stream <= d->ns && d->s[stream - 1].shared ? d->s[stream - 1].host : NULL;
}

int dec_desc_fields(const char *text, char *buf, size_t cap, const char *field[ACLSUB_DESC_FIELDS])
{
    for (int i = 0; i < ACLSUB_DESC_FIELDS; i++)
        field[i] = "";
    if (!text || !cap)
        return 0;
    snprintf(buf, cap, "%s", text);
    char *p = buf;
    for (int i = 0; i < ACLSUB_DESC_FIELDS && p; i++) {
        field[i] = p;
        p = strchr(p, '|');
        if (p)
            *p++ = '\0';
    }
    return 1;
}

void dec_models_report(const dec_models *d, FILE *err)
{
    if (d && d->malformed)
        fprintf(err, "aclsub decode: %" PRIu64 " malformed description record(s) ignored\n", d->malformed);
    if (d && d->dropped)
        fprintf(err, "aclsub decode: %" PRIu64 " description record(s) ignored (too many models or too much text)\n",
                d->dropped);
}
