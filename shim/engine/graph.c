/*
 * graph.c - small helpers over the in-memory model graph (graph.h):
 * attribute lookup, element counts and freeing.
 */
#include <stdlib.h>
#include <string.h>

#include "shim/engine/graph.h"

const graph_attr *graph_attr_find(const graph_node *n, const char *name)
{
    for (uint32_t i = 0; i < n->n_attrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0)
            return &n->attrs[i];
    return NULL;
}

int64_t graph_attr_int(const graph_node *n, const char *name, int64_t dflt)
{
    const graph_attr *a = graph_attr_find(n, name);
    return a && a->type == ATTR_INT ? a->v.i : dflt;
}

float graph_attr_float(const graph_node *n, const char *name, float dflt)
{
    const graph_attr *a = graph_attr_find(n, name);
    return a && a->type == ATTR_FLOAT ? a->v.f : dflt;
}

uint64_t graph_tensor_numel(const graph_tensor *t)
{
    uint64_t n = 1;
    for (uint32_t i = 0; i < t->rank; i++)
        n *= (uint64_t)t->dims[i];
    return n;
}

size_t graph_dtype_size(int32_t dtype)
{
    switch (dtype) {
    case DT_FLOAT:
    case DT_INT32:
        return 4;
    case DT_INT64:
        return 8;
    default:
        return 0;
    }
}

void graph_attr_free(graph_attr *a)
{
    free(a->name);
    if (a->type == ATTR_INTS)
        free(a->v.ints);
    else if (a->type == ATTR_FLOATS)
        free(a->v.floats);
    else if (a->type == ATTR_STRING)
        free(a->v.s);
}

void graph_node_free(graph_node *n)
{
    free(n->name);
    free(n->op_type);
    free(n->inputs);
    free(n->outputs);
    for (uint32_t k = 0; k < n->n_attrs; k++)
        graph_attr_free(&n->attrs[k]);
    free(n->attrs);
    memset(n, 0, sizeof *n);
}

void graph_free(graph *g)
{
    if (!g)
        return;
    for (uint32_t i = 0; i < g->n_tensors; i++)
        free(g->tensors[i].name);
    for (uint32_t i = 0; i < g->n_nodes; i++)
        graph_node_free(&g->nodes[i]);
    free(g->tensors);
    free(g->nodes);
    free(g->inputs);
    free(g->outputs);
    if (g->weights_owned)
        free(g->weights);
    free(g);
}
