/*
 * merge.c - several inputs merged on one timeline.
 *
 * The rule: each input is read ahead into a min-heap of at most `window`
 * records ordered by dec_event_cmp; the merge hands out the smallest head
 * among the inputs, then reads one more record from that input.  A record
 * therefore comes out in time order whenever it arrived fewer than `window`
 * records after the records it should precede in its own input (a whole-run
 * record, written after its operators, precedes them by as many records as
 * the execute has operators).  Records later than that come out late, in
 * arrival order; nothing is lost.  Memory: window + 1 decoded records per
 * input (about 0.5 KB each).  Live inputs: an input is only waited for
 * while its window is not full.
 */
#include <stdlib.h>

#include "decoder/pipeline.h"

/* A heap entry: the event's sort key inline (no pointer chasing) and its slot. */
typedef struct heap_item {
    uint64_t start, not_end, seq;
    uint32_t rank, slot;
} heap_item;

typedef struct merge_queue {
    dec_event *slot;  /* window + 1 slots */
    heap_item *heap;  /* min-heap by dec_event_cmp's order (one input: no input term) */
    uint32_t *free;   /* free slot indices */
    size_t n, nfree;
    int eof;
} merge_queue;

struct dec_merge {
    dec_input *ins;
    size_t nin, window;
    merge_queue *q;
    size_t last_q;   /* the queue whose slot was handed out last */
    uint32_t last_slot;
    int have_last;
};

static int kind_rank(const aclsub_rec_view *v)
{
    if (dec_is_control(v))
        return 0;
    return v->kind == ACLSUB_KIND_RUN ? 1 : 2;
}

int dec_event_cmp(const dec_event *a, const dec_event *b)
{
    if (a->v.start != b->v.start)
        return a->v.start < b->v.start ? -1 : 1;
    int ka = kind_rank(&a->v), kb = kind_rank(&b->v);
    if (ka != kb)
        return ka < kb ? -1 : 1;
    if (a->v.end != b->v.end)
        return a->v.end > b->v.end ? -1 : 1;
    if (a->input != b->input)
        return a->input < b->input ? -1 : 1;
    if (a->v.seq != b->v.seq)
        return a->v.seq < b->v.seq ? -1 : 1;
    return 0;
}

static int less(const merge_queue *q, size_t i, size_t j)
{
    const heap_item *a = &q->heap[i], *b = &q->heap[j];
    if (a->start != b->start)
        return a->start < b->start;
    if (a->rank != b->rank)
        return a->rank < b->rank;
    if (a->not_end != b->not_end)
        return a->not_end < b->not_end;
    return a->seq < b->seq;
}

static void swap_at(merge_queue *q, size_t i, size_t j)
{
    heap_item t = q->heap[i];
    q->heap[i] = q->heap[j];
    q->heap[j] = t;
}

static void sift_up(merge_queue *q, size_t i)
{
    while (i > 0 && less(q, i, (i - 1) / 2)) {
        swap_at(q, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void sift_down(merge_queue *q, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < q->n && less(q, l, m))
            m = l;
        if (l + 1 < q->n && less(q, l + 1, m))
            m = l + 1;
        if (m == i)
            return;
        swap_at(q, i, m);
        i = m;
    }
}

dec_merge *dec_merge_new(dec_input *ins, size_t nin, size_t window)
{
    dec_merge *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->ins = ins;
    m->nin = nin;
    m->window = window ? window : 1;
    m->q = calloc(nin ? nin : 1, sizeof *m->q);
    if (!m->q) {
        free(m);
        return NULL;
    }
    for (size_t i = 0; i < nin; i++) {
        merge_queue *q = &m->q[i];
        q->slot = malloc((m->window + 1) * sizeof *q->slot);
        q->heap = malloc((m->window + 1) * sizeof *q->heap);
        q->free = malloc((m->window + 1) * sizeof *q->free);
        if (!q->slot || !q->heap || !q->free) {
            dec_merge_free(m);
            return NULL;
        }
        for (size_t s = 0; s <= m->window; s++)
            q->free[q->nfree++] = (uint32_t)(m->window - s);
    }
    return m;
}

void dec_merge_free(dec_merge *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nin; i++) {
        free(m->q[i].slot);
        free(m->q[i].heap);
        free(m->q[i].free);
    }
    free(m->q);
    free(m);
}

/* Reads input i until its window is full or it ends. */
static void top_up(dec_merge *m, size_t i, FILE *err)
{
    merge_queue *q = &m->q[i];
    while (!q->eof && q->n < m->window && q->nfree > 0) {
        uint32_t s = q->free[q->nfree - 1];
        if (dec_input_next(&m->ins[i], (uint32_t)i, &q->slot[s], err) != 1) {
            q->eof = 1;
            break;
        }
        q->nfree--;
        const aclsub_rec_view *v = &q->slot[s].v;
        q->heap[q->n++] = (heap_item){v->start, ~v->end, v->seq, (uint32_t)kind_rank(v), s};
        sift_up(q, q->n - 1);
    }
}

int dec_merge_next(dec_merge *m, const dec_event **ev, FILE *err)
{
    if (m->have_last) {
        merge_queue *q = &m->q[m->last_q];
        q->free[q->nfree++] = m->last_slot;
        m->have_last = 0;
    }
    size_t best = m->nin;
    for (size_t i = 0; i < m->nin; i++) {
        top_up(m, i, err);
        merge_queue *q = &m->q[i];
        if (q->n == 0)
            continue;
        if (best == m->nin ||
            dec_event_cmp(&q->slot[q->heap[0].slot], &m->q[best].slot[m->q[best].heap[0].slot]) < 0)
            best = i;
    }
    if (best == m->nin)
        return 0;
    merge_queue *q = &m->q[best];
    uint32_t s = q->heap[0].slot;
    q->heap[0] = q->heap[--q->n];
    sift_down(q, 0);
    m->last_q = best;
    m->last_slot = s;
    m->have_last = 1;
    *ev = &q->slot[s];
    return 1;
}

int dec_merge_failed(const dec_merge *m)
{
    for (size_t i = 0; i < m->nin; i++)
        if (m->ins[i].failed)
            return 1;
    return 0;
}
