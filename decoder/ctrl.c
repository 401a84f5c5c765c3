/*
 * ctrl.c - bookkeeping of the control records of interposed streams:
 * records-lost notices are summed, and each writing process's stream start
 * and stream end are remembered so that a stream which started and never
 * ended (its writer was killed, or the input was cut) can be reported.
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

static dec_pid_state *pid_state(dec_ctrl *c, uint32_t pid)
{
    for (size_t i = c->npids; i-- > 0;)
        if (c->pids[i].pid == pid)
            return &c->pids[i];
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
    *s = (dec_pid_state){.pid = pid};
    return s;
}

void dec_ctrl_note(dec_ctrl *c, const aclsub_rec_view *v)
{
    dec_pid_state *s;
    switch (v->kind) {
    case ACLSUB_KIND_LOST:
        c->lost = c->lost > UINT64_MAX - v->arg[0] ? UINT64_MAX : c->lost + v->arg[0]; /* saturates */
        c->notices++;
        break;
    case ACLSUB_KIND_STREAM_START:
        if ((s = pid_state(c, v->pid)) != NULL)
            s->started = 1;
        break;
    case ACLSUB_KIND_STREAM_END:
        if ((s = pid_state(c, v->pid)) != NULL) {
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
            fprintf(err, "aclsub decode: pid %" PRIu32 ": stream incomplete (a stream start and no stream end)\n",
                    s->pid);
            n++;
        }
    }
    return n;
}

void dec_ctrl_free(dec_ctrl *c)
{
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
    if (len)
        snprintf(buf, len, "%.*s", (int)n, h ? h + 5 : "");
}
