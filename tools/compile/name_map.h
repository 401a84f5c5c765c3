/*
 * name_map.h - a map from names to indices for the graph compilers (mkom,
 * atc).
 */
#ifndef ACLSUB_TOOLS_COMPILE_NAME_MAP_H_
#define ACLSUB_TOOLS_COMPILE_NAME_MAP_H_

#include <stddef.h>
#include <stdint.h>

/* Open addressing from a name (owned by the caller, kept alive) to an index. */
typedef struct name_map {
    const char **keys;
    uint32_t *vals;
    size_t cap, n;
} name_map;

/* 1 and *val if key is present, else 0. */
int name_map_get(const name_map *m, const char *key, uint32_t *val);
/* Inserts or replaces; -1 when out of memory. */
int name_map_put(name_map *m, const char *key, uint32_t val);
void name_map_free(name_map *m);

#endif /* ACLSUB_TOOLS_COMPILE_NAME_MAP_H_ */
