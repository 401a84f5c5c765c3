/*
 * gears.h - the vendor ATC's dynamic-gear options for `aclsub atc`:
 * --dynamic_batch_size="1,2,4" and --dynamic_image_size="224,224;448,448",
 * checked as the vendor checks them, and what compiling one graph per gear
 * needs: --input_shape with each gear's values in place of its -1 dims, the
 * dynamic-dim masks, and the shape-data input every gear's graph ends with.
 *
 * Every function writes at most one line into err and returns 0 or -1.
 */
#ifndef ACLSUB_TOOLS_COMPILE_GEARS_H_
#define ACLSUB_TOOLS_COMPILE_GEARS_H_

#include <stddef.h>
#include <stdint.h>

#include "shim/engine/graph.h"
#include "shim/engine/om_format.h"

typedef struct gear_list {
    uint32_t kind; /* OM_GEAR_BATCH or OM_GEAR_IMAGE_SIZE */
    uint32_t n;    /* 2 to OM_MAX_GEARS, in the order given */
    uint64_t values[OM_MAX_GEARS][2]; /* batch: {N, 0}; image size: {H, W} */
} gear_list;

/* "1,2,4": digits and ',' only (one trailing ',' dropped), 2 to 128 gears, no duplicates. */
int gears_parse_batch(const char *text, gear_list *gl, char *err, size_t errlen);

/* "224,224;448,448": H,W groups split by ';' (spaces ignored, one trailing ';' dropped), as above. */
int gears_parse_image_size(const char *text, gear_list *gl, char *err, size_t errlen);

/*
 * --input_shape must put -1 at the batch dim (dim 0) of at least one input
 * and nowhere else (batch), or at both H and W (dims 2 and 3) of 4-D inputs
 * and nowhere else (image size).
 */
int gears_check_input_shape(const char *spec, uint32_t kind, char *err, size_t errlen);

/* The bits of the -1 dims of input `name` in spec (0 when not named). */
uint64_t gears_input_mask(const char *spec, const char *name);

/* A new copy of spec with gear k's values in place of the -1 dims; NULL when out of memory. */
char *gears_shape_for(const char *spec, const gear_list *gl, uint32_t k);

/* Appends the shape-data input (int32 [1] for batch, [2] for H, W) as the graph's last input. */
int gears_add_shape_input(graph *g, uint32_t kind, char *err, size_t errlen);

#endif /* ACLSUB_TOOLS_COMPILE_GEARS_H_ */
