/*
 * builder.c - the graph builder of the compilers (builder.h): growing
 * arrays, tensors, nodes, graph inputs and outputs, the aligned weight
 * region, and the hand-over with planned memory.
 *
 * Arrays grow by doubling from 16 elements, the weight region by doubling
 * from 4096 bytes with aligned_alloc; every count and size is checked
 * against the .om limits before anything is allocated from it.  Nothing
 * here formats an error: the callers do.
 */
#include <stdlib.h>
#include <string.h>

#include "shim/engine/om.h"
#include "tools/compile/builder.h"

/* --- growing -------------------------------------------------------------------------- */

/* Grows *arr (elements of `size` bytes) to hold at least `need`. */
static int builder_reserve(void **arr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return BUILDER_OK;
    size_t n = *cap ? *cap * 2 : 16;
    while (n < need)
        n *= 2;
    void *q = realloc(*arr, n * size);
    if (!q)
        return BUILDER_ENOMEM;
    *arr = q;
    *cap = n;
    return BUILDER_OK;
}

/* Appends v to a list of tensor indices (graph inputs or outputs). */
static int builder_append_index(uint32_t **arr, uint32_t *n, size_t *cap, uint32_t v)
{
    if (*n >= OM_MAX_COUNT)
        return BUILDER_ELIMIT;
    if (builder_reserve((void **)arr, cap, (size_t)*n + 1, sizeof **arr))
        return BUILDER_ENOMEM;
    (*arr)[(*n)++] = v;
    return BUILDER_OK;
}

static uint64_t builder_weight_align(uint64_t at)
{
    return (at + OM_WEIGHT_ALIGN - 1) / OM_WEIGHT_ALIGN * OM_WEIGHT_ALIGN;
}

/* --- the graph ------------------------------------------------------------------------ */

int builder_init(builder *b, uint64_t max_weights)
{
    memset(b, 0, sizeof *b);
    b->max_weights = max_weights;
    if (!(b->g = calloc(1, sizeof *b->g)))
        return BUILDER_ENOMEM;
    b->g->weights_owned = 1; /* builder_weight_room and builder_pack_weights allocate it */
    return BUILDER_OK;
}

int builder_finish(builder *b, graph **out)
{
    if (graph_plan_memory(b->g) != 0)
        return BUILDER_ENOMEM;
    *out = b->g;
    b->g = NULL;
    return BUILDER_OK;
}

void builder_discard(builder *b)
{
    graph_free(b->g);
    b->g = NULL;
}

/* --- tensors and nodes ------------------------------------------------------------------ */

char *builder_name_dup(const char *s)
{
    size_t n = strlen(s);
    if (n > OM_MAX_NAME) {
        n = OM_MAX_NAME;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

int builder_tensor_bytes(graph_tensor *t)
{
    uint64_t n = graph_dtype_size(t->dtype);
    for (uint32_t k = 0; k < t->rank; k++)
        if (t->dims[k] < 0 || __builtin_mul_overflow(n, (uint64_t)t->dims[k], &n) || n > OM_MAX_TENSOR_BYTES)
            return BUILDER_ELIMIT;
    t->bytes = n;
    return BUILDER_OK;
}

int builder_add_tensor(builder *b, const char *name, uint32_t kind, uint32_t *index)
{
    graph *g = b->g;
    if (g->n_tensors >= OM_MAX_COUNT)
        return BUILDER_ELIMIT;
    if (builder_reserve((void **)&g->tensors, &b->cap_tensors, (size_t)g->n_tensors + 1, sizeof *g->tensors))
        return BUILDER_ENOMEM;
    graph_tensor *t = &g->tensors[g->n_tensors];
    memset(t, 0, sizeof *t);
    if (!(t->name = builder_name_dup(name)))
        return BUILDER_ENOMEM;
    t->kind = kind;
    *index = g->n_tensors++;
    return BUILDER_OK;
}

int builder_add_node(builder *b, graph_node *n)
{
    graph *g = b->g;
    if (g->n_nodes >= OM_MAX_COUNT)
        return BUILDER_ELIMIT;
    if (builder_reserve((void **)&g->nodes, &b->cap_nodes, (size_t)g->n_nodes + 1, sizeof *g->nodes))
        return BUILDER_ENOMEM;
    g->nodes[g->n_nodes++] = *n;
    memset(n, 0, sizeof *n);
    return BUILDER_OK;
}

int builder_add_input(builder *b, uint32_t tensor)
{
    return builder_append_index(&b->g->inputs, &b->g->n_inputs, &b->cap_inputs, tensor);
}

int builder_add_output(builder *b, uint32_t tensor)
{
    return builder_append_index(&b->g->outputs, &b->g->n_outputs, &b->cap_outputs, tensor);
}

/* --- weights ---------------------------------------------------------------------------- */

/* Moves the weight region into a new allocation of at least `need` bytes. */
static int builder_grow_weights(builder *b, size_t need)
{
    graph *g = b->g;
    size_t cap = b->cap_weights ? b->cap_weights : 4096;
    while (cap < need)
        cap *= 2;
    unsigned char *w = aligned_alloc(OM_WEIGHT_ALIGN, cap);
    if (!w)
        return BUILDER_ENOMEM;
    if (g->weight_size)
        memcpy(w, g->weights, (size_t)g->weight_size);
    free(g->weights);
    g->weights = w;
    b->cap_weights = cap;
    return BUILDER_OK;
}

int builder_weight_room(builder *b, uint64_t bytes, uint64_t *offset)
{
    graph *g = b->g;
    uint64_t off = builder_weight_align(g->weight_size);
    if (bytes > b->max_weights || off > b->max_weights - bytes)
        return BUILDER_ELIMIT;
    size_t need = (size_t)(off + bytes);
    if ((need > b->cap_weights || !g->weights) && builder_grow_weights(b, need))
        return BUILDER_ENOMEM;
    memset(g->weights + g->weight_size, 0, need - (size_t)g->weight_size);
    g->weight_size = need;
    *offset = off;
    return BUILDER_OK;
}

/* The size of the packed region: the kept weights, each at an aligned offset. */
static uint64_t builder_packed_size(const graph *g, const unsigned char *keep)
{
    uint64_t size = 0;
    for (uint32_t i = 0; i < g->n_tensors; i++)
        if (keep[i] && g->tensors[i].kind == TENSOR_WEIGHT)
            size = builder_weight_align(size) + g->tensors[i].bytes;
    return size;
}

int builder_pack_weights(builder *b, const unsigned char *keep)
{
    graph *g = b->g;
    uint64_t size = builder_packed_size(g, keep);
    size_t cap = (size_t)((size + OM_WEIGHT_ALIGN) / OM_WEIGHT_ALIGN * OM_WEIGHT_ALIGN);
    unsigned char *w = aligned_alloc(OM_WEIGHT_ALIGN, cap);
    if (!w)
        return BUILDER_ENOMEM;
    memset(w, 0, (size_t)size);
    uint64_t at = 0;
    for (uint32_t i = 0; i < g->n_tensors; i++) {
        graph_tensor *t = &g->tensors[i];
        if (!keep[i] || t->kind != TENSOR_WEIGHT)
            continue;
        at = builder_weight_align(at);
        if (t->bytes)
            memcpy(w + at, g->weights + t->offset, (size_t)t->bytes);
        t->offset = at;
        at += t->bytes;
    }
    free(g->weights);
    g->weights = w;
    g->weight_size = size;
    b->cap_weights = cap;
    return BUILDER_OK;
}
