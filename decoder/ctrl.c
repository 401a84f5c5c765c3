/*
 * ctrl.c - bookkeeping of the control records of interposed streams:
 * records-lost notices are summed, and each stream's stream start and
 * stream end are remembered so that a stream which started and never
 * ended (its writer was killed, or the input was cut) can be reported.
 * A stream is a process in one input (the same pid in two recordings, on
 * two hosts say, is two streams); a stream end in an input that has no
 * stream start of its pid ends that pid's stream of another input (a
 * recording cut in two).  A stream is reported by its pid, and by its host
 * too when another host's stream has the same pid.
 * An incomplete stream is reported on stderr but is not damage: the records
 * that did arrive are intact, so it does not change the exit status.
 * It also reads the stream start's fields (host, command line) for the
 * outputs that name processes.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decoder/pipeline.h"

#define DEC_MAX_PIDS 65536

/* The stream of (input, pid), made when new; with other_input, the pid's latest stream of another input
   when this input has none.  NULL past the bound or out of memory. */
static dec_pid_state *pid_state(dec_ctrl *c, uint32_t input, uint32_t pid, int other_input)
{
    dec_pid_state *other = NULL;
    for (size_t i = c->npids; i-- > 0;) {
        if (c->pids[i].pid != pid)
            continue;
        if (c->pids[i].input == input)
            return &c->pids[i];
        if (!other)
            other = &c->pids[i];
    }
    if (other && other_input)
        return other;
    if (c->npids >= DEC_MAX_PIDS)
        return NULL; /* bounds the search on hostile input; such streams go unreported */
    if (c->npids == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        dec_pid_state *p = realloc(c->pids, cap * sizeof *p);
        if (!p)
            return NULL;
        c->pids = p;
        c->cap = cap;
    }
    dec_pid_state *s = &c->pids[c->npids++];
    *s = (dec_pid_state){.input = input, .pid = pid};
    return s;
}

/* Takes the host of stream s's start; s and other hosts' streams of its pid then share it. */
static void note_host(dec_ctrl *c, dec_pid_state *s, const aclsub_rec_view *v)
{
    if (!dec_start_host_take(v, &s->host))
        return;
    for (size_t i = 0; i < c->npids; i++) {
        dec_pid_state *o = &c->pids[i];
        if (o->pid == s->pid && o->host && strcmp(o->host, s->host) != 0)
            o->shared = s->shared = 1;
    }
}

void dec_ctrl_note(dec_ctrl *c, const aclsub_rec_view *v, uint32_t input)
{
    dec_pid_state *s;
    switch (v->kind) {
    case ACLSUB_KIND_LOST:
        c->lost = c->lost > UINT64_MAX - v->arg[0] ? UINT64_MAX : c->lost + v->arg[0]; /* saturates */
        c->notices++;
        break;
    case ACLSUB_KIND_STREAM_START:
        if ((s = pid_state(c, input, v->pid, 0)) != NULL) {
            s->started = 1;
            note_host(c, s, v);
        }
        break;
    case ACLSUB_KIND_STREAM_END:
        if ((s = pid_state(c, input, v->pid, 1)) != NULL) {
            s->ended = 1;
            s->dropped = s->dropped > UINT64_MAX - v->arg[1] ? UINT64_MAX : s->dropped + v->arg[1];
        }
        break;
    default:
        break;
    }
}

size_t dec_ctrl_report(const dec_ctrl *c, FILE *err)
{
    size_t n = 0;
    for (size_t i = 0; i < c->npids; i++) {
        const dec_pid_state *s = &c->pids[i];
        if (s->started && !s->ended) {
            fprintf(err, "aclsub decode: pid %" PRIu32 "%s%s: stream incomplete (a stream start and no stream end)\n",
                    s->pid, s->shared ? " on " : "", s->shared ? s->host : "");
            n++;
        }
    }
    return n;
}

void dec_ctrl_free(dec_ctrl *c)
{
    for (size_t i = 0; i < c->npids; i++)
        free(c->pids[i].host);
    free(c->pids);
    c->pids = NULL;
    c->npids = c->cap = 0;
}

const char *dec_start_cmd(const aclsub_rec_view *v)
{
    if (v->kind != ACLSUB_KIND_STREAM_START)
        return NULL;
    const char *cmd = strstr(v->name, "cmd=");
    return cmd ? cmd + 4 : NULL;
}

void dec_start_host(const aclsub_rec_view *v, char *buf, size_t len)
{
    const char *h = v->kind == ACLSUB_KIND_STREAM_START ? strstr(v->name, "host=") : NULL;
    size_t n = h ? strcspn(h + 5, " ") : 0;
    if (!len)
        return;
    if (n >= len)
        n = len - 1;
    if (n)
        memcpy(buf, h + 5, n); /* not snprintf: this runs for every stream start, and views.spec has many */
    buf[n] = '\0';
}

int dec_start_host_take(const aclsub_rec_view *v, char **host)
{
    char h[ACLSUB_REC_NAME_CAP + 1];
    dec_start_host(v, h, sizeof h);
    if (!h[0] || (*host && strcmp(*host, h) == 0))
        return 0;
    free(*host);
    *host = strdup(h);
    return *host != NULL;
}
