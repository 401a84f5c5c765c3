/*
 * plan.c - lays out the activation tensors of a graph in the work region.
 *
 * Each activation is live from the node that produces it up to and
 * including the last node that reads it; graph outputs stay live to the
 * end.  Nodes are visited in execution order: the outputs of a node are
 * placed first (so they never share memory with that node's inputs), then
 * every tensor whose last reader was this node gives its block back.
 * Placement is best-fit over a free list kept sorted by offset, with
 * neighbouring free blocks merged, and the region grows at the top when no
 * free block is large enough.  Offsets and block sizes are multiples of 64
 * bytes so that every tensor starts on a cache line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shim/engine/om.h"

#define PLAN_ALIGN 64u
#define PLAN_NONE UINT32_MAX

typedef struct plan_block {
    uint64_t off, size;
} plan_block;

typedef struct plan_state {
    plan_block *free; /* sorted by offset, never adjacent (merged) */
    size_t n_free;
    uint64_t top; /* end of the region used so far */
} plan_state;

/* Block size of a tensor: its bytes rounded up to the alignment, at least one line. */
static int plan_block_size(uint64_t bytes, uint64_t *size)
{
    if (bytes > UINT64_MAX - PLAN_ALIGN)
        return -1;
    *size = bytes == 0 ? PLAN_ALIGN : (bytes + PLAN_ALIGN - 1) / PLAN_ALIGN * PLAN_ALIGN;
    return 0;
}

static void plan_remove_free(plan_state *s, size_t k)
{
    memmove(&s->free[k], &s->free[k + 1], (s->n_free - k - 1) * sizeof *s->free);
    s->n_free--;
}

/* Takes `size` bytes: the smallest free block that fits, else the top of the region. */
static int plan_take(plan_state *s, uint64_t size, uint64_t *off)
{
    size_t best = SIZE_MAX;
    for (size_t k = 0; k < s->n_free; k++)
        if (s->free[k].size >= size && (best == SIZE_MAX || s->free[k].size < s->free[best].size))
            best = k;
    if (best != SIZE_MAX) {
        *off = s->free[best].off;
        s->free[best].off += size;
        s->free[best].size -= size;
        if (s->free[best].size == 0)
            plan_remove_free(s, best);
        return 0;
    }
    /* a free block touching the top is extended rather than left stranded */
    uint64_t start = s->top;
    if (s->n_free && s->free[s->n_free - 1].off + s->free[s->n_free - 1].size == s->top) {
        start = s->free[s->n_free - 1].off;
        plan_remove_free(s, s->n_free - 1);
    }
    if (size > UINT64_MAX - start)
        return -1;
    *off = start;
    s->top = start + size;
    return 0;
}

/* Gives a block back, merging it with free neighbours. */
static void plan_give(plan_state *s, uint64_t off, uint64_t size)
{
    size_t lo = 0, hi = s->n_free;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->free[mid].off < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    int with_prev = lo > 0 && s->free[lo - 1].off + s->free[lo - 1].size == off;
    int with_next = lo < s->n_free && off + size == s->free[lo].off;
    if (with_prev && with_next) {
        s->free[lo - 1].size += size + s->free[lo].size;
        plan_remove_free(s, lo);
    } else if (with_prev) {
        s->free[lo - 1].size += size;
    } else if (with_next) {
        s->free[lo].off = off;
        s->free[lo].size += size;
    } else {
        memmove(&s->free[lo + 1], &s->free[lo], (s->n_free - lo) * sizeof *s->free);
        s->free[lo] = (plan_block){off, size};
        s->n_free++;
    }
}

static int plan_is_activation(const graph *g, uint32_t t)
{
    return t < g->n_tensors && g->tensors[t].kind == TENSOR_ACTIVATION;
}

/*
 * For each activation: the node producing it (def) and the last node it must
 * survive (last; n_nodes for graph outputs).  PLAN_NONE marks "no producer".
 */
static void plan_lifetimes(const graph *g, uint32_t *def, uint32_t *last)
{
    for (uint32_t t = 0; t < g->n_tensors; t++)
        def[t] = last[t] = PLAN_NONE;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const graph_node *n = &g->nodes[i];
        for (uint32_t k = 0; k < n->n_inputs; k++) {
            uint32_t t = n->inputs[k];
            if (plan_is_activation(g, t) && (last[t] == PLAN_NONE || last[t] < i))
                last[t] = i;
        }
        for (uint32_t k = 0; k < n->n_outputs; k++) {
            uint32_t t = n->outputs[k];
            if (plan_is_activation(g, t) && def[t] == PLAN_NONE)
                def[t] = i;
        }
    }
    for (uint32_t k = 0; k < g->n_outputs; k++)
        if (plan_is_activation(g, g->outputs[k]))
            last[g->outputs[k]] = g->n_nodes;
    for (uint32_t t = 0; t < g->n_tensors; t++)
        if (def[t] != PLAN_NONE && (last[t] == PLAN_NONE || last[t] < def[t]))
            last[t] = def[t]; /* never read: free right after its producer */
}

int graph_plan_memory(graph *g)
{
    if (!g)
        return -1;
    size_t nt = g->n_tensors ? g->n_tensors : 1;
    uint32_t *def = malloc(nt * sizeof *def), *last = malloc(nt * sizeof *last);
    uint32_t *next = malloc(nt * sizeof *next);  /* release lists, one per node */
    uint32_t *head = malloc(((size_t)g->n_nodes + 1) * sizeof *head);
    plan_state s = {.free = malloc((nt + 1) * sizeof *s.free)};
    int rc = -1;
    if (!def || !last || !next || !head || !s.free)
        goto out;
    plan_lifetimes(g, def, last);
    for (uint32_t i = 0; i <= g->n_nodes; i++)
        head[i] = PLAN_NONE;
    for (uint32_t t = 0; t < g->n_tensors; t++) {
        if (plan_is_activation(g, t))
            g->tensors[t].offset = 0;
        if (def[t] != PLAN_NONE && last[t] < g->n_nodes) {
            next[t] = head[last[t]];
            head[last[t]] = t;
        }
    }
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const graph_node *n = &g->nodes[i];
        for (uint32_t k = 0; k < n->n_outputs; k++) {
            uint32_t t = n->outputs[k];
            uint64_t size;
            if (!plan_is_activation(g, t) || def[t] != i)
                continue;
            def[t] = PLAN_NONE - 1; /* placed: a repeated output is not placed twice */
            if (plan_block_size(g->tensors[t].bytes, &size) != 0 || plan_take(&s, size, &g->tensors[t].offset) != 0)
                goto out;
        }
        for (uint32_t t = head[i]; t != PLAN_NONE; t = next[t]) {
            uint64_t size = 0;
            plan_block_size(g->tensors[t].bytes, &size);
            plan_give(&s, g->tensors[t].offset, size);
        }
    }
    g->work_size = s.top;
    rc = 0;
out:
    free(def);
    free(last);
    free(next);
    free(head);
    free(s.free);
    return rc;
}
