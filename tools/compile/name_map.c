/*
 * name_map.c - the name-to-index map of name_map.h, shared by the graph
 * compilers (the text format and the ONNX importer).
 */
#include <stdlib.h>
#include <string.h>

#include "aclsub/record.h"
#include "tools/compile/name_map.h"

static size_t name_slot(const char *key, size_t cap)
{
    return (size_t)aclsub_name_hash(key, strlen(key)) & (cap - 1);
}

int name_map_get(const name_map *m, const char *key, uint32_t *val)
{
    if (!m->cap)
        return 0;
    for (size_t i = name_slot(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i])
            return 0;
        if (strcmp(m->keys[i], key) == 0) {
            *val = m->vals[i];
            return 1;
        }
    }
}

int name_map_put(name_map *m, const char *key, uint32_t val)
{
    if ((m->n + 1) * 2 > m->cap) {
        name_map grown = {.cap = m->cap ? m->cap * 2 : 64};
        grown.keys = calloc(grown.cap, sizeof *grown.keys);
        grown.vals = calloc(grown.cap, sizeof *grown.vals);
        if (!grown.keys || !grown.vals) {
            free(grown.keys);
            free(grown.vals);
            return -1;
        }
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i])
                name_map_put(&grown, m->keys[i], m->vals[i]);
        free(m->keys);
        free(m->vals);
        *m = grown;
    }
    size_t i = name_slot(key, m->cap);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    if (!m->keys[i])
        m->n++;
    m->keys[i] = key;
    m->vals[i] = val;
    return 0;
}

void name_map_free(name_map *m)
{
    free(m->keys);
    free(m->vals);
}
