/*
 * tracks.c - the processes and tracks of the trace outputs (view_chrome.c,
 * view_perfetto.c).
 *
 * A process is a host and a pid, the host being the one its stream start
 * names: a stream start binds its (input, pid) to its host's process, so
 * that processes of two hosts that have the same pid stay apart.  Records
 * of an (input, pid) no stream start bound (a vendor-format or cut
 * recording, a stream start that names no host) belong to the first
 * process of their pid, as when processes were told apart by pid alone;
 * a stream start that names a host takes over such a process while it has
 * no host.
 *
 * Each process has a number, its pid in the trace: its own pid, unless a
 * process noted before has that number (in practice the same pid on
 * another host), then an alias, the first number from ALIAS_BASE up that
 * no process has.  Aliases are above any Linux pid (at most 4194304) and
 * below 2^31: Perfetto's ProcessDescriptor.pid is an int32, and its JSON
 * importer takes a pid as a 32-bit unsigned number (a larger one becomes
 * pid 0, which would put the processes together again).  A process whose
 * number is not its pid, or whose pid another host's process has too, is
 * named with its pid and host (dec_proc_name); the first process of a pid
 * is renamed when another host's process of that pid appears.
 *
 * Each (process, model, stream) is a track, and a track has lanes, each a
 * stack of the ends of the events open on it.  An event goes on the first
 * lane where it nests (an operator inside its execute's whole-run record);
 * a new lane ("... (overlap N)") is opened for events that overlap without
 * nesting, e.g. two executes of one model running at once.  Lanes are
 * numbered from 1 across all tracks in the order they open; that number is
 * the trace's thread id.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decoder/pipeline.h"

#define MAX_LANES 64             /* beyond this, overlapping events share the last lane */
#define ALIAS_BASE 1000000001u   /* the first alias */
#define ALIAS_LAST 2147483647u   /* INT32_MAX */

typedef struct lane {
    uint64_t *stack; /* ends of the open events, innermost last */
    size_t depth, cap;
} lane;

typedef struct track {
    uint32_t pid, model, stream; /* pid: the process's number */
    uint8_t used, is_proc;       /* is_proc: the entry is a process, not a track */
    uint8_t shown, shared;       /* a process: its name was written; another host's process has its pid */
    uint32_t real;               /* the process's own pid */
    uint32_t input;              /* a track: the input of its first event */
    char *cmd, *host;            /* a process: its command line and host, or NULL */
    lane *lanes;
    uint32_t *tids;
    size_t nlanes;
} track;

/* The keys that lead to a process's number: a stream (input, pid), a host's pid, the first process of a pid. */
enum { ID_STREAM, ID_HOST, ID_FIRST };

typedef struct id_entry {
    uint32_t a, b;    /* ID_STREAM: input, pid; ID_HOST and ID_FIRST: pid, 0 */
    const char *host; /* ID_HOST: the process's own copy of its host */
    uint32_t number;
    uint8_t used, kind;
} id_entry;

struct dec_tracks {
    uint32_t next_tid, next_alias;
    track *map; /* open addressing, power-of-two size */
    size_t nmap, used;
    id_entry *ids; /* the same */
    size_t nids, nids_used;
    /* The last (input, pid) dec_tracks_process answered for a record that is not a stream start, and its
       process's number: the next record is almost always of the same stream.  Forgotten at a stream start. */
    uint32_t last_input, last_pid, last_number;
    uint8_t last_ok, last_shown;
};

dec_tracks *dec_tracks_new(void)
{
    dec_tracks *t = calloc(1, sizeof *t);
    if (t) {
        t->next_tid = 1;
        t->next_alias = ALIAS_BASE;
    }
    return t;
}

/* --- the map of tracks and processes (keyed by number) ------------------------------------ */

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

/* The entry of a key, or NULL. */
static track *find(const dec_tracks *c, uint32_t pid, uint32_t model, uint32_t stream, int is_proc)
{
    if (!c->nmap)
        return NULL;
    size_t j = (size_t)track_hash(pid, model, stream, is_proc) & (c->nmap - 1);
    for (; c->map[j].used; j = (j + 1) & (c->nmap - 1)) {
        track *t = &c->map[j];
        if (t->pid == pid && t->model == model && t->stream == stream && t->is_proc == is_proc)
            return t;
    }
    return NULL;
}

/* The entry of a key, made when new (*fresh set); NULL when out of memory.  Entries move when the map grows. */
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

static track *process_numbered(const dec_tracks *c, uint32_t number)
{
    return find(c, number, 0, 0, 1);
}

/* --- the keys that lead to a process ------------------------------------------------------- */

static uint64_t id_hash(int kind, uint32_t a, uint32_t b, const char *host)
{
    uint64_t h = ((uint64_t)a << 32 | b) * 0x9E3779B97F4A7C15ULL ^ (uint64_t)(kind + 1) * 0xC2B2AE3D27D4EB4FULL;
    for (const char *s = host; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001B3ULL;
    return h ^ (h >> 31);
}

static int id_same(const id_entry *e, int kind, uint32_t a, uint32_t b, const char *host)
{
    return e->kind == kind && e->a == a && e->b == b && (kind != ID_HOST || strcmp(e->host, host) == 0);
}

static int ids_grow(dec_tracks *c)
{
    size_t n = c->nids ? c->nids * 2 : 64;
    id_entry *m = calloc(n, sizeof *m);
    if (!m)
        return -1;
    for (size_t i = 0; i < c->nids; i++) {
        const id_entry *e = &c->ids[i];
        if (!e->used)
            continue;
        size_t j = (size_t)id_hash(e->kind, e->a, e->b, e->host) & (n - 1);
        while (m[j].used)
            j = (j + 1) & (n - 1);
        m[j] = *e;
    }
    free(c->ids);
    c->ids = m;
    c->nids = n;
    return 0;
}

/* The entry of a key, or the free slot where it goes; NULL when out of memory. */
static id_entry *id_slot(dec_tracks *c, int kind, uint32_t a, uint32_t b, const char *host)
{
    if ((c->nids_used + 1) * 2 > c->nids && ids_grow(c) < 0)
        return NULL;
    size_t j = (size_t)id_hash(kind, a, b, host) & (c->nids - 1);
    for (; c->ids[j].used; j = (j + 1) & (c->nids - 1))
        if (id_same(&c->ids[j], kind, a, b, host))
            break;
    return &c->ids[j];
}

/* The number a key leads to, into *number: 1 found, 0 none, -1 out of memory. */
static int id_find(dec_tracks *c, int kind, uint32_t a, uint32_t b, const char *host, uint32_t *number)
{
    id_entry *e = id_slot(c, kind, a, b, host);
    if (!e)
        return -1;
    if (e->used)
        *number = e->number;
    return e->used;
}

/* Makes a key lead to number (host: the process's own copy); 0, or -1 out of memory. */
static int id_set(dec_tracks *c, int kind, uint32_t a, uint32_t b, const char *host, uint32_t number)
{
    id_entry *e = id_slot(c, kind, a, b, host);
    if (!e)
        return -1;
    if (!e->used)
        c->nids_used++;
    *e = (id_entry){.a = a, .b = b, .host = host, .number = number, .used = 1, .kind = (uint8_t)kind};
    return 0;
}

/* --- processes ------------------------------------------------------------------------------ */

/* A number no process has: pid itself when free, else the next free alias; -1 when none is left. */
static int free_number(dec_tracks *c, uint32_t pid, uint32_t *number)
{
    if (!process_numbered(c, pid)) {
        *number = pid;
        return 0;
    }
    while (c->next_alias <= ALIAS_LAST && process_numbered(c, c->next_alias))
        c->next_alias++;
    if (c->next_alias > ALIAS_LAST)
        return -1; /* more than a billion processes: not a recording that fits in memory */
    *number = c->next_alias++;
    return 0;
}

/* A new process of pid on host (NULL: not known yet), the first of its pid if there is none; -1 out of memory. */
static int new_process(dec_tracks *c, uint32_t pid, const char *host, uint32_t *number)
{
    uint32_t n, first;
    int fresh;
    char *h = host ? strdup(host) : NULL;
    track *t = (!host || h) && free_number(c, pid, &n) == 0 ? lookup(c, n, 0, 0, 1, &fresh) : NULL;
    if (!t) {
        free(h);
        return -1;
    }
    t->real = pid;
    t->host = h;
    int had_first = id_find(c, ID_FIRST, pid, 0, NULL, &first);
    if (had_first < 0 || (h && id_set(c, ID_HOST, pid, 0, h, n) < 0) ||
        (!had_first && id_set(c, ID_FIRST, pid, 0, NULL, n) < 0))
        return -1;
    *number = n;
    return 0;
}

/*
 * The process of pid on host: known; or the first process of pid when it
 * has no host yet, which takes this one; or new.  A new one shares its pid
 * with the first process of pid if there is one; when that one did not
 * share it before, *rename is set and *renamed is its number.
 */
static int host_process(dec_tracks *c, uint32_t pid, const char *host, uint32_t *number, uint32_t *renamed, int *rename)
{
    int r = id_find(c, ID_HOST, pid, 0, host, number);
    if (r != 0)
        return r < 0 ? -1 : 0;
    uint32_t f;
    if ((r = id_find(c, ID_FIRST, pid, 0, NULL, &f)) < 0)
        return -1;
    track *first = r ? process_numbered(c, f) : NULL;
    if (first && !first->host) {
        if (!(first->host = strdup(host)))
            return -1;
        *number = f;
        return id_set(c, ID_HOST, pid, 0, first->host, f);
    }
    if (new_process(c, pid, host, number) < 0)
        return -1;
    if (!first)
        return 0;
    process_numbered(c, *number)->shared = 1;
    first = process_numbered(c, f); /* the map may have grown */
    if (!first->shared) {
        first->shared = 1;
        *renamed = f;
        *rename = 1;
    }
    return 0;
}

/*
 * The process of a record of (input, pid) that is not a stream start naming
 * a host: the one a stream start bound (input, pid) to, else the first
 * process of pid, else a new one with no host; (input, pid) is bound to it.
 */
static int stream_process(dec_tracks *c, uint32_t input, uint32_t pid, uint32_t *number)
{
    int r = id_find(c, ID_STREAM, input, pid, NULL, number);
    if (r != 0)
        return r < 0 ? -1 : 0;
    if ((r = id_find(c, ID_FIRST, pid, 0, NULL, number)) < 0 || (r == 0 && new_process(c, pid, NULL, number) < 0))
        return -1;
    return id_set(c, ID_STREAM, input, pid, NULL, *number);
}

static dec_proc proc_of(const track *t)
{
    return (dec_proc){.number = t->pid, .pid = t->real, .host = t->host, .cmd = t->cmd, .shared = t->shared};
}

static void show(dec_tracks *c, uint32_t number, dec_proc_fn named, void *ctx)
{
    track *t = process_numbered(c, number);
    t->shown = 1;
    dec_proc p = proc_of(t);
    named(ctx, &p);
}

int dec_tracks_process(dec_tracks *c, const aclsub_rec_view *v, uint32_t input, int show_it, dec_proc_fn named,
                       void *ctx, uint32_t *number)
{
    char host[ACLSUB_REC_NAME_CAP + 1] = "";
    int start = v->kind == ACLSUB_KIND_STREAM_START, rename = 0;
    uint32_t n, renamed = 0;
    if (!start && c->last_ok && c->last_input == input && c->last_pid == v->pid && (c->last_shown || !show_it)) {
        *number = c->last_number;
        return 0;
    }
    c->last_ok = 0;
    if (start)
        dec_start_host(v, host, sizeof host);
    if (host[0] ? host_process(c, v->pid, host, &n, &renamed, &rename) < 0 ||
                      id_set(c, ID_STREAM, input, v->pid, NULL, n) < 0
                : stream_process(c, input, v->pid, &n) < 0)
        return -1;
    *number = n;
    const char *cmd = start && show_it ? dec_start_cmd(v) : NULL;
    track *t = process_numbered(c, n);
    if (cmd) {
        char *s = strdup(cmd);
        if (!s)
            return -1;
        free(t->cmd);
        t->cmd = s;
    }
    if (rename && process_numbered(c, renamed)->shown)
        show(c, renamed, named, ctx);
    if (show_it && (!t->shown || cmd))
        show(c, n, named, ctx);
    if (!start) {
        c->last_input = input;
        c->last_pid = v->pid;
        c->last_number = n;
        c->last_shown = t->shown;
        c->last_ok = 1;
    }
    return 0;
}

void dec_proc_name(const dec_proc *p, int empty_cmd, char *buf, size_t len)
{
    const char *cmd = p->cmd && (empty_cmd || p->cmd[0]) ? p->cmd : NULL;
    const char *on = p->host ? " on " : "", *host = p->host ? p->host : "";
    if (!p->shared && p->number == p->pid && cmd)
        snprintf(buf, len, "%s", cmd);
    else if (!p->shared && p->number == p->pid)
        snprintf(buf, len, "pid %" PRIu32, p->pid);
    else if (cmd)
        snprintf(buf, len, "%s (pid %" PRIu32 "%s%s)", cmd, p->pid, on, host);
    else
        snprintf(buf, len, "pid %" PRIu32 "%s%s", p->pid, on, host);
}

/* --- lanes ------------------------------------------------------------------------------------ */

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

static dec_lane lane_of(const track *t, size_t k)
{
    return (dec_lane){.number = t->pid, .pid = t->real, .model = t->model, .stream = t->stream, .input = t->input,
                      .tid = t->tids[k], .index = k};
}

int dec_tracks_place(dec_tracks *c, uint32_t number, const aclsub_rec_view *v, uint32_t input, uint64_t end,
                     dec_lane *out)
{
    int fresh;
    track *t = lookup(c, number, v->model_id, v->stream_id, 0, &fresh);
    if (!t)
        return -1;
    if (fresh) {
        t->real = v->pid;
        t->input = input;
    }
    size_t i = nesting_lane(t, v->start, end);
    int opened = i == t->nlanes;
    if ((opened && open_lane(c, t) < 0) || lane_push(&t->lanes[i], end) < 0)
        return -1;
    *out = lane_of(t, i);
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

void dec_tracks_each(const dec_tracks *c, dec_proc_fn proc, void (*lanefn)(void *, const dec_lane *), void *ctx)
{
    for (size_t i = 0; i < c->nmap; i++) {
        const track *t = &c->map[i];
        if (t->used && t->is_proc && t->shown && proc) {
            dec_proc p = proc_of(t);
            proc(ctx, &p);
        }
        for (size_t k = 0; t->used && lanefn && k < t->nlanes; k++) {
            dec_lane l = lane_of(t, k);
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
        free(c->map[i].host);
    }
    free(c->map);
    free(c->ids);
    free(c);
}
