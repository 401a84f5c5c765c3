/*
 * om_write.h - the .om writer of the compilers (`aclsub mkom`, `aclsub atc`).
 */
#ifndef ACLSUB_TOOLS_COMPILE_OM_WRITE_H_
#define ACLSUB_TOOLS_COMPILE_OM_WRITE_H_

#include <stddef.h>
#include <stdint.h>

#include "shim/engine/graph.h"

/*
 * Writes g (shapes inferred, weights filled) as an .om file.  0 on success,
 * -1 with a line in err.  Whatever it writes, om_load accepts.
 */
int om_write_file(const graph *g, const char *path, char *err, size_t errlen);

/* A model compiled with gears: one graph per gear (docs/MODEL.md, .aclsub.gears). */
typedef struct om_write_gears {
    uint32_t kind;               /* OM_GEAR_BATCH or OM_GEAR_IMAGE_SIZE (om_format.h) */
    uint32_t n_gears;            /* 2 to OM_MAX_GEARS */
    graph *const *graphs;        /* gear k's graph; the last input of each is the shape-data input */
    const uint64_t (*values)[2]; /* gear k: {N, 0} or {H, W} */
    const uint64_t *dyn_masks;   /* per graph input: bit d set when dim d is dynamic */
} om_write_gears;

/* Writes a model with gears as an .om file: 0, or -1 with a line in err. */
int om_write_gears_file(const om_write_gears *gw, const char *path, char *err, size_t errlen);

#endif /* ACLSUB_TOOLS_COMPILE_OM_WRITE_H_ */
