/*
 * fmt_chrome.c - the Chrome trace output of `aclsub decode` (JSON array
 * form, for Perfetto and chrome://tracing), streamed from records that
 * arrive in start-time order.
 *
 * "[" then one event per line, each ending with "," so that a file cut off
 * anywhere still loads; the last line is a metadata event without the comma
 * and the closing "]", so that a complete file is also strict JSON.
 * Operators and whole runs are complete events (ph "X", ts and dur in
 * microseconds with three decimals, ts rebased to the first record); raw
 * nanoseconds are kept in args.  pid is the writing process; each (process,
 * model, stream) is a track with its own tid and a thread_name.  Events on
 * one track must nest: each track has lanes, each lane a stack of the ends
 * of the events open on it; an event goes on the first lane where it nests
 * (an operator inside its execute's whole-run record), and a new lane (an
 * extra track, "... (overlap N)") is opened for events that overlap without
 * nesting, e.g. two executes of one model running at once.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decoder/pipeline.h"
#include "decoder/textout.h"

#define MAX_LANES 64 /* beyond this, overlapping events share the last lane */

typedef struct lane {
    uint64_t *stack; /* ends of the open events, innermost last */
    size_t depth, cap;
    uint32_t tid;
} lane;

typedef struct track {
    uint32_t pid, model, stream;
    uint8_t used, is_proc; /* is_proc: the entry only marks a named process */
    lane *lanes;
    size_t nlanes;
} track;

struct dec_chrome {
    FILE *out;
    int have_base, oom;
    uint64_t base;
    uint32_t next_tid;
    track *map; /* open addressing, power-of-two size */
    size_t nmap, used;
    char line[6 * (ACLSUB_REC_NAME_CAP + ACLSUB_REC_TYPE_CAP) + 1024];
};

#define PUT(lit) (memcpy(p, lit, sizeof lit - 1), p += sizeof lit - 1)

dec_chrome *dec_chrome_new(FILE *out)
{
    dec_chrome *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->out = out;
    c->next_tid = 1;
    fputs("[\n", out);
    return c;
}

static uint64_t track_hash(uint32_t pid, uint32_t model, uint32_t stream, int is_proc)
{
    uint64_t h = ((uint64_t)pid << 32 | model) * 0x9E3779B97F4A7C15ULL;
    h ^= ((uint64_t)stream << 1 | (uint64_t)is_proc) * 0xC2B2AE3D27D4EB4FULL;
    return h ^ (h >> 31);
}

static int map_grow(dec_chrome *c)
{
    size_t n = c->nmap ? c->nmap * 2 : 64;
    track *m = calloc(n, sizeof *m);
    if (!m)
        return -1;
    for (size_t i = 0; i < c->nmap; i++) {
        track *t = &c->map[i];
        if (!t->used)
            continue;
        size_t j = (size_t)track_hash(t->pid, t->model, t->stream, t->is_proc) & (n - 1);
        while (m[j].used)
            j = (j + 1) & (n - 1);
        m[j] = *t;
    }
    free(c->map);
    c->map = m;
    c->nmap = n;
    return 0;
}

/* The entry of a key; *fresh set when it was just created.  NULL when out of memory. */
static track *lookup(dec_chrome *c, uint32_t pid, uint32_t model, uint32_t stream, int is_proc, int *fresh)
{
    *fresh = 0;
    if ((c->used + 1) * 2 > c->nmap && map_grow(c) < 0)
        return NULL;
    size_t j = (size_t)track_hash(pid, model, stream, is_proc) & (c->nmap - 1);
    for (; c->map[j].used; j = (j + 1) & (c->nmap - 1)) {
        track *t = &c->map[j];
        if (t->pid == pid && t->model == model && t->stream == stream && t->is_proc == is_proc)
            return t;
    }
    track *t = &c->map[j];
    *t = (track){.pid = pid, .model = model, .stream = stream, .used = 1, .is_proc = (uint8_t)is_proc};
    c->used++;
    *fresh = 1;
    return t;
}

static void emit(dec_chrome *c, char *end)
{
    fwrite(c->line, 1, (size_t)(end - c->line), c->out);
}

static void name_process(dec_chrome *c, uint32_t pid, const char *cmd)
{
    char *p = c->line;
    PUT("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":");
    p = tx_put_u64(p, pid);
    PUT(",\"args\":{\"name\":");
    char label[ACLSUB_REC_NAME_CAP + 32];
    int n = snprintf(label, sizeof label, "pid %" PRIu32 "%s%s", pid, cmd ? " " : "", cmd ? cmd : "");
    p = tx_put_json(p, label, n > 0 ? strnlen(label, sizeof label) : 0);
    PUT("}},\n");
    emit(c, p);
}

static void see_process(dec_chrome *c, uint32_t pid)
{
    int fresh;
    track *t = lookup(c, pid, 0, 0, 1, &fresh);
    if (!t)
        c->oom = 1;
    else if (fresh)
        name_process(c, pid, NULL);
}

static void name_lane(dec_chrome *c, const track *t, size_t i)
{
    char label[96], *p = c->line;
    if (i == 0)
        snprintf(label, sizeof label, "model %" PRIu32 " stream %" PRIu32, t->model, t->stream);
    else
        snprintf(label, sizeof label, "model %" PRIu32 " stream %" PRIu32 " (overlap %zu)", t->model, t->stream,
                 i + 1);
    uint32_t tid = t->lanes[i].tid;
    PUT("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":");
    p = tx_put_u64(p, t->pid);
    PUT(",\"tid\":");
    p = tx_put_u64(p, tid);
    PUT(",\"args\":{\"name\":");
    p = tx_put_json(p, label, strlen(label));
    PUT("}},\n{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":");
    p = tx_put_u64(p, t->pid);
    PUT(",\"tid\":");
    p = tx_put_u64(p, tid);
    PUT(",\"args\":{\"sort_index\":");
    p = tx_put_u64(p, tid);
    PUT("}},\n");
    emit(c, p);
}

static int lane_push(lane *l, uint64_t end)
{
    if (l->depth == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        uint64_t *s = realloc(l->stack, cap * sizeof *s);
        if (!s)
            return -1;
        l->stack = s;
        l->cap = cap;
    }
    l->stack[l->depth++] = end;
    return 0;
}

/* The lane [start, end] nests in, opening one if needed; its tid, or 0 when out of memory. */
static uint32_t place(dec_chrome *c, track *t, uint64_t start, uint64_t end)
{
    size_t i = 0;
    for (; i < t->nlanes; i++) {
        lane *l = &t->lanes[i];
        while (l->depth && l->stack[l->depth - 1] <= start)
            l->depth--;
        if (!l->depth || end <= l->stack[l->depth - 1])
            break;
    }
    if (i == t->nlanes && t->nlanes >= MAX_LANES)
        i = t->nlanes - 1;
    if (i == t->nlanes) {
        lane *ls = realloc(t->lanes, (t->nlanes + 1) * sizeof *ls);
        if (!ls)
            return 0;
        t->lanes = ls;
        t->lanes[i] = (lane){.tid = c->next_tid++};
        t->nlanes++;
        name_lane(c, t, i);
    }
    if (lane_push(&t->lanes[i], end) < 0)
        return 0;
    return t->lanes[i].tid;
}

static char *put_ts(dec_chrome *c, char *p, uint64_t start)
{
    PUT("\"ts\":");
    return tx_put_us3(p, (int64_t)(start - c->base));
}

static void lost_event(dec_chrome *c, const aclsub_rec_view *v)
{
    char *p = c->line;
    PUT("{\"name\":\"records lost\",\"ph\":\"i\",\"s\":\"p\",");
    p = put_ts(c, p, v->start);
    PUT(",\"pid\":");
    p = tx_put_u64(p, v->pid);
    PUT(",\"tid\":0,\"args\":{\"lost\":");
    p = tx_put_u64(p, v->arg[0]);
    PUT(",\"lost_total\":");
    p = tx_put_u64(p, v->arg[1]);
    PUT("}},\n");
    emit(c, p);
}

static void control_event(dec_chrome *c, const aclsub_rec_view *v)
{
    if (v->kind == ACLSUB_KIND_STREAM_START) {
        int fresh;
        if (!lookup(c, v->pid, 0, 0, 1, &fresh))
            c->oom = 1;
        const char *cmd = strstr(v->name, "cmd=");
        name_process(c, v->pid, cmd ? cmd + 4 : NULL);
    } else if (v->kind == ACLSUB_KIND_LOST) {
        see_process(c, v->pid);
        lost_event(c, v);
    }
}

void dec_chrome_event(dec_chrome *c, const aclsub_rec_view *v)
{
    if (!c->have_base) {
        c->base = v->start;
        c->have_base = 1;
    }
    if (dec_is_control(v)) {
        control_event(c, v);
        return;
    }
    see_process(c, v->pid);
    int fresh;
    track *t = lookup(c, v->pid, v->model_id, v->stream_id, 0, &fresh);
    uint64_t end = v->start + v->duration < v->start ? UINT64_MAX : v->start + v->duration;
    uint32_t tid = t ? place(c, t, v->start, end) : 0;
    if (!tid) {
        c->oom = 1;
        return;
    }
    char *p = c->line;
    PUT("{\"name\":");
    p = tx_put_json(p, v->name, strlen(v->name));
    PUT(",\"cat\":");
    p = tx_put_json(p, v->type, strlen(v->type));
    PUT(",\"ph\":\"X\",");
    p = put_ts(c, p, v->start);
    PUT(",\"dur\":");
    p = tx_put_us3_u(p, v->duration);
    PUT(",\"pid\":");
    p = tx_put_u64(p, v->pid);
    PUT(",\"tid\":");
    p = tx_put_u64(p, tid);
    PUT(",\"args\":{\"kind\":\"");
    p = stpcpy(p, v->kind == ACLSUB_KIND_RUN ? "run" : v->kind == ACLSUB_KIND_OP ? "op" : "unknown");
    PUT("\",\"model\":");
    p = tx_put_u64(p, v->model_id);
    PUT(",\"stream\":");
    p = tx_put_u64(p, v->stream_id);
    PUT(",\"iteration\":");
    p = tx_put_u64(p, v->iteration);
    PUT(",\"seq\":");
    p = tx_put_u64(p, v->seq);
    PUT(",\"op_index\":");
    p = tx_put_u64(p, v->op_index);
    PUT(",\"start_ns\":");
    p = tx_put_u64(p, v->start);
    PUT(",\"end_ns\":");
    p = tx_put_u64(p, v->end);
    PUT(",\"dur_ns\":");
    p = tx_put_u64(p, v->duration);
    PUT("}},\n");
    emit(c, p);
}

int dec_chrome_finish(dec_chrome *c, uint64_t records, uint64_t lost)
{
    fprintf(c->out,
            "{\"name\":\"aclsub_trace_end\",\"ph\":\"M\",\"pid\":0,\"tid\":0,\"args\":{\"records\":%" PRIu64
            ",\"records_lost\":%" PRIu64 "}}\n]\n",
            records, lost);
    return c->oom ? -1 : 0;
}

void dec_chrome_free(dec_chrome *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nmap; i++) {
        for (size_t l = 0; l < c->map[i].nlanes; l++)
            free(c->map[i].lanes[l].stack);
        free(c->map[i].lanes);
    }
    free(c->map);
    free(c);
}
