/*
 * align.c - streams of several hosts on one timeline (`aclsub decode
 * --align`).
 *
 * Device times are CLOCK_MONOTONIC of the host that recorded them: common
 * to every process of one host, meaningless between hosts.  Each stream
 * start carries an anchor, its own start on that clock and CLOCK_REALTIME
 * at the same instant (FORMAT.md), so a time t of its host maps to the
 * realtime clock as  realtime = anchor_rt + (t - anchor_mono).
 *
 * One mapping per clock: a *clock* is a host name and the offset
 * (anchor_rt - anchor_mono) of the first stream start that named it; a
 * later stream start of the same host whose offset is within
 * ALIGN_SAME_CLOCK_NS of it uses the same mapping, so the streams of one
 * host keep their exact monotonic distances (their own anchors differ by
 * the few nanoseconds between the two clock reads).  A host that rebooted
 * between two recordings has a new monotonic clock: its offset differs by
 * far more, and it is a clock of its own.
 *
 * Which clock a record's times belong to: that of its process's stream
 * start in the same input, else of the last stream start read in that
 * input, else none (its times are left as they are, and that is said once
 * per input).
 *
 * --align=auto (the default) aligns when the inputs hold more than one
 * clock.  It decides before the first record is decoded, from the stream
 * starts among the first WINDOW records of every regular file (a FIFO or
 * standard input cannot be looked at twice); a second clock that first
 * appears later is reported and left on its device clock.  --align=realtime
 * always maps, --align=none never.  What was decided, and each clock's
 * offset, is reported on stderr, the way --from's base is.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decoder/pipeline.h"

#define ALIGN_SAME_CLOCK_NS 1000000000ull /* 1 s: a host's anchors agree far better than this */
#define ALIGN_MAX_CLOCKS 256              /* bounds the search on hostile input */
#define ALIGN_MAX_PIDS 65536              /* (input, pid) pairs remembered */
#define ALIGN_HOST_CAP 64

typedef struct align_clock {
    char host[ALIGN_HOST_CAP + 1];
    uint64_t mono, rt; /* the anchor */
    uint32_t pid, input; /* whose stream start it was */
} align_clock;

typedef struct align_slot {
    uint64_t key; /* (input << 32 | pid) + 1; 0: empty */
    int32_t clock;
} align_slot;

typedef struct align_input {
    int32_t first, last; /* clocks of its first and of its latest stream start; -1: none */
    int warned;          /* its records without a clock were reported */
} align_input;

struct dec_align {
    int active;           /* times are being mapped */
    int decided;          /* the prescan is over: new clocks are reported as they come */
    dec_align_mode mode;
    align_clock clock[ALIGN_MAX_CLOCKS];
    size_t nclocks;
    align_slot *slots;    /* open addressing, 2 * ALIGN_MAX_PIDS */
    size_t npids;
    align_input *in;
    dec_input *ins;
    size_t nin;
    FILE *err;
    int late_warned, unanchored_warned;
};

/* anchor_rt + (t - anchor_mono), saturating at 0 and UINT64_MAX. */
static uint64_t map_time(const align_clock *c, uint64_t t)
{
    if (t >= c->mono) {
        uint64_t d = t - c->mono;
        return c->rt > UINT64_MAX - d ? UINT64_MAX : c->rt + d;
    }
    uint64_t d = c->mono - t;
    return c->rt < d ? 0 : c->rt - d;
}

static int32_t *pid_clock(dec_align *a, uint32_t input, uint32_t pid, int add)
{
    uint64_t key = ((uint64_t)input << 32 | pid) + 1;
    size_t mask = 2 * ALIGN_MAX_PIDS - 1, i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 40) & mask;
    for (; a->slots[i].key; i = (i + 1) & mask)
        if (a->slots[i].key == key)
            return &a->slots[i].clock;
    if (!add || a->npids >= ALIGN_MAX_PIDS)
        return NULL; /* the table stays at most half full, so the search above ends */
    a->npids++;
    a->slots[i] = (align_slot){key, -1};
    return &a->slots[i].clock;
}

static void say_clock(const dec_align *a, size_t k)
{
    const align_clock *c = &a->clock[k];
    int ahead = c->rt >= c->mono;
    fprintf(a->err, "aclsub decode: host %s: realtime = device clock %c %" PRIu64 " ns (stream start of pid %" PRIu32
                    " in %s)\n",
            c->host[0] ? c->host : "(unnamed)", ahead ? '+' : '-', ahead ? c->rt - c->mono : c->mono - c->rt, c->pid,
            a->ins[c->input].label);
}

/* The clock of a stream start: an existing one of its host and offset, or a new one; -1 past the bound. */
static int32_t clock_of(dec_align *a, const aclsub_rec_view *v, uint32_t input)
{
    align_clock c;
    dec_start_host(v, c.host, sizeof c.host);
    c.mono = v->start;
    c.rt = v->arg[2];
    c.pid = v->pid;
    c.input = input;
    for (size_t k = 0; k < a->nclocks; k++) {
        if (strcmp(a->clock[k].host, c.host) != 0)
            continue;
        uint64_t rt = map_time(&a->clock[k], c.mono);
        if ((rt > c.rt ? rt - c.rt : c.rt - rt) <= ALIGN_SAME_CLOCK_NS)
            return (int32_t)k;
    }
    if (a->nclocks >= ALIGN_MAX_CLOCKS)
        return -1;
    int32_t k = (int32_t)a->nclocks++;
    a->clock[k] = c;
    if (a->decided && a->active) {
        say_clock(a, (size_t)k);
    } else if (a->decided && a->mode == DEC_ALIGN_AUTO && a->nclocks > 1 && !a->late_warned) {
        a->late_warned = 1;
        fprintf(a->err, "aclsub decode: host %s (pid %" PRIu32 " in %s) appeared after the start of the inputs, "
                        "where the timeline was chosen: its times stay on its device clock (--align=realtime "
                        "aligns every stream)\n",
                c.host[0] ? c.host : "(unnamed)", v->pid, a->ins[input].label);
    }
    return k;
}

static void note_start(dec_align *a, const aclsub_rec_view *v, uint32_t input)
{
    int32_t k = -1;
    if (v->arg[2] != 0) {
        k = clock_of(a, v, input);
    } else if (a->decided && a->active && !a->unanchored_warned) {
        a->unanchored_warned = 1;
        fprintf(a->err, "aclsub decode: pid %" PRIu32 " in %s: stream start without a realtime anchor: its times "
                        "stay on its device clock\n",
                v->pid, a->ins[input].label);
    }
    int32_t *p = pid_clock(a, input, v->pid, 1);
    if (p)
        *p = k;
    if (k >= 0) {
        a->in[input].last = k;
        if (a->in[input].first < 0)
            a->in[input].first = k;
    }
}

void dec_align_event(dec_align *a, aclsub_rec_view *v, uint32_t input)
{
    if (!a || input >= a->nin)
        return;
    if (v->kind == ACLSUB_KIND_STREAM_START)
        note_start(a, v, input);
    if (!a->active)
        return;
    const int32_t *p = pid_clock(a, input, v->pid, 0);
    int32_t k = p ? *p : a->in[input].last;
    if (k < 0) {
        if (!a->in[input].warned)
            fprintf(a->err, "aclsub decode: %s: records of pid %" PRIu32 " before any stream start with a realtime "
                            "anchor: their times stay on the device clock\n",
                    a->ins[input].label, v->pid);
        a->in[input].warned = 1;
        return;
    }
    v->start = map_time(&a->clock[k], v->start);
    v->end = map_time(&a->clock[k], v->end);
}

/* The stream starts among the first `window` records of a regular file. */
static void prescan(dec_align *a, const dec_input *in, uint32_t input, size_t window)
{
    struct stat st;
    if (!in->path || strcmp(in->path, "-") == 0 || stat(in->path, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    int fd = open(in->path, O_RDONLY | O_CLOEXEC);
    rec_reader *r = fd >= 0 ? rec_reader_from_fd(fd, 64u << 10) : NULL;
    const unsigned char *rec;
    aclsub_rec_view v;
    for (size_t n = 0; r && n < window && rec_reader_next(r, &rec) == 1; n++)
        if (rec[ACLSUB_OFF_KIND] == ACLSUB_KIND_STREAM_START &&
            aclsub_rec_get(rec, ACLSUB_REC_SIZE, 0, &v) == ACL_SUCCESS)
            note_start(a, &v, input);
    rec_reader_free(r);
    if (fd >= 0)
        close(fd);
}

dec_align *dec_align_new(dec_align_mode mode, dec_input *ins, size_t nin, size_t window, FILE *err)
{
    if (mode == DEC_ALIGN_NONE)
        return NULL;
    dec_align *a = calloc(1, sizeof *a);
    if (a) {
        a->slots = calloc(2 * ALIGN_MAX_PIDS, sizeof *a->slots);
        a->in = calloc(nin ? nin : 1, sizeof *a->in);
    }
    if (!a || !a->slots || !a->in) {
        dec_align_free(a);
        fprintf(err, "aclsub decode: out of memory: the streams are not aligned\n");
        return NULL;
    }
    a->mode = mode;
    a->ins = ins;
    a->nin = nin;
    a->err = err;
    for (size_t i = 0; i < nin; i++) {
        a->in[i] = (align_input){-1, -1, 0};
        prescan(a, &ins[i], (uint32_t)i, window);
        a->in[i].last = a->in[i].first; /* decoding starts again at the beginning */
    }
    a->active = mode == DEC_ALIGN_REALTIME || a->nclocks > 1;
    a->decided = 1;
    if (a->active && a->nclocks == 0)
        fprintf(err, "aclsub decode: --align=realtime: no stream start with a realtime anchor at the start of the "
                     "inputs yet\n");
    else if (a->active)
        fprintf(err, "aclsub decode: %zu clock(s) (hosts, or a host across a reboot): times are on one timeline, "
                     "the realtime clock in ns since 1970 (--align=none keeps each device clock)\n",
                a->nclocks);
    for (size_t k = 0; a->active && k < a->nclocks; k++)
        say_clock(a, k);
    for (size_t i = 0; i < nin; i++)
        ins[i].align = a;
    return a;
}

int dec_align_active(const dec_align *a)
{
    return a && a->active;
}

void dec_align_free(dec_align *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->nin; i++)
        a->ins[i].align = NULL;
    free(a->slots);
    free(a->in);
    free(a);
}
