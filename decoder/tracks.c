/*
 * tracks.c - the tracks of the trace outputs (view_chrome.c,
 * view_perfetto.c): each (process, model, stream) is a track, and a track
 * has lanes, each a stack of the ends of the events open on it.  An event
 * goes on the first lane where it nests (an operator inside its execute's
 * whole-run record); a new lane ("... (overlap N)") is opened for events
 * that overlap without nesting, e.g. two executes of one model running at
 * once.  Lanes are numbered from 1 across all tracks in the order they
 * open; that number is the trace's thread id.  Processes are remembered
 * with the command line their stream start gave.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decoder/pipeline.h"

#define MAX_LANES 64 /* beyond this, overlapping events share the last lane */

typedef struct lane {
    uint64_t *stack; /* ends of the open events, innermost last */
    size_t depth, cap;
} lane;

typedef struct track {
    uint32_t pid, model, stream;
    uint8_t used, is_proc; /* is_proc: the entry only marks a named process */
    char *cmd;             /* a process's command line, or NULL */
    lane *lanes;
    uint32_t *tids;
    size_t nlanes;
} track;

struct dec_tracks {
    uint32_t next_tid;
    track *map; /* open addressing, power-of-two size */
    size_t nmap, used;
};

dec_tracks *dec_tracks_new(void)
{
    dec_tracks *t = calloc(1, sizeof *t);
    if (t)
        t->next_tid = 1;
    return t;
}

static uint64_t track_hash(uint32_t pid, uint32_t model, uint32_t stream, int is_proc)
{
    uint64_t h = ((uint64_t)pid << 32 | model) * 0x9E3779B97F4A7C15ULL;
    h ^= ((uint64_t)stream << 1 | (uint64_t)is_proc) * 0xC2B2AE3D27D4EB4FULL;
    return h ^ (h >> 31);
}

static int map_grow(dec_tracks *c)
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
static track *lookup(dec_tracks *c, uint32_t pid, uint32_t model, uint32_t stream, int is_proc, int *fresh)
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

int dec_tracks_process(dec_tracks *c, uint32_t pid, const char *cmd)
{
    int fresh;
    track *t = lookup(c, pid, 0, 0, 1, &fresh);
    if (!t)
        return -1;
    if (cmd) {
        char *s = strdup(cmd);
        if (!s)
            return -1;
        free(t->cmd);
        t->cmd = s;
        return 1;
    }
    return fresh;
}

const char *dec_tracks_cmd(dec_tracks *c, uint32_t pid)
{
    int fresh;
    track *t = lookup(c, pid, 0, 0, 1, &fresh);
    return t ? t->cmd : NULL;
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

/* The first lane of t where [start, end] nests, or t->nlanes. */
static size_t nesting_lane(track *t, uint64_t start, uint64_t end)
{
    size_t i = 0;
    for (; i < t->nlanes; i++) {
        lane *l = &t->lanes[i];
        while (l->depth && l->stack[l->depth - 1] <= start)
            l->depth--;
        if (!l->depth || end <= l->stack[l->depth - 1])
            break;
    }
    return i == t->nlanes && t->nlanes >= MAX_LANES ? t->nlanes - 1 : i;
}

static int open_lane(dec_tracks *c, track *t)
{
    lane *ls = realloc(t->lanes, (t->nlanes + 1) * sizeof *ls);
    if (!ls)
        return -1;
    t->lanes = ls;
    uint32_t *ids = realloc(t->tids, (t->nlanes + 1) * sizeof *ids);
    if (!ids)
        return -1;
    t->tids = ids;
    t->lanes[t->nlanes] = (lane){0};
    t->tids[t->nlanes++] = c->next_tid++;
    return 0;
}

int dec_tracks_place(dec_tracks *c, const aclsub_rec_view *v, uint64_t end, dec_lane *out)
{
    int fresh;
    track *t = lookup(c, v->pid, v->model_id, v->stream_id, 0, &fresh);
    if (!t)
        return -1;
    size_t i = nesting_lane(t, v->start, end);
    int opened = i == t->nlanes;
    if ((opened && open_lane(c, t) < 0) || lane_push(&t->lanes[i], end) < 0)
        return -1;
    *out = (dec_lane){t->pid, t->model, t->stream, t->tids[i], i};
    return opened;
}

void dec_lane_label(const dec_lane *l, char *buf, size_t len)
{
    if (l->index == 0)
        snprintf(buf, len, "model %" PRIu32 " stream %" PRIu32, l->model, l->stream);
    else
        snprintf(buf, len, "model %" PRIu32 " stream %" PRIu32 " (overlap %zu)", l->model, l->stream,
                 l->index + 1);
}

void dec_tracks_each(const dec_tracks *c, void (*proc)(void *, uint32_t, const char *),
                     void (*lanefn)(void *, const dec_lane *), void *ctx)
{
    for (size_t i = 0; i < c->nmap; i++) {
        const track *t = &c->map[i];
        if (t->used && t->is_proc && proc)
            proc(ctx, t->pid, t->cmd);
        for (size_t k = 0; t->used && lanefn && k < t->nlanes; k++) {
            dec_lane l = {t->pid, t->model, t->stream, t->tids[k], k};
            lanefn(ctx, &l);
        }
    }
}

void dec_tracks_free(dec_tracks *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nmap; i++) {
        for (size_t l = 0; l < c->map[i].nlanes; l++)
            free(c->map[i].lanes[l].stack);
        free(c->map[i].lanes);
        free(c->map[i].tids);
        free(c->map[i].cmd);
    }
    free(c->map);
    free(c);
}
