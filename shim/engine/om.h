/*
 * om.h - the .om offline-model container of the emulated device: the reader
 * (the writer is tools/compile/om_write.h).
 *
 * An .om file is an ELF file (written and read with libelf) whose sections
 * hold the graph, the tensors, the attributes, a string table and the
 * 64-byte-aligned weights; docs/MODEL.md describes it.  Every file is
 * untrusted: om_load checks each count, offset, size, shape, dtype and
 * reference, re-runs op_infer on every node and rejects cycles and dangling
 * tensors, and reports the first problem as an AscendCL error code plus one
 * line of text.
 */
#ifndef ACLSUB_SHIM_OM_H_
#define ACLSUB_SHIM_OM_H_

#include <stddef.h>
#include <stdint.h>

#include "shim/engine/graph.h"

/*
 * Parses and checks an .om image.  On success returns ACL_SUCCESS and a new
 * graph in *out whose memory is planned (work_size set) and whose weights
 * are copied into a region it owns, or into weight_mem when weight_mem is not
 * NULL (then weight_mem_size must be at least the model's weight size).
 * Otherwise returns an ACL_ERROR_* code (DESERIALIZE_MODEL, PARSE_MODEL,
 * MODEL_SIZE_INVALID, INVALID_PARAM, BAD_ALLOC, ...) and one line in err,
 * e.g. "section .aclsub.nodes: node 7 input 2 references tensor 40 of 31".
 * A model with gears is checked whole and gear 0's graph is returned.
 */
int om_load(const void *image, size_t size, void *weight_mem, size_t weight_mem_size, graph **out, char *err,
            size_t errlen);

/*
 * A model as loaded: one graph, or one graph per gear for a model compiled
 * with gears (atc --dynamic_batch_size / --dynamic_image_size).  Every
 * graph of a model with gears has the same inputs, the last one the
 * shape-data input "ascend_mbatch_shape_data", and the same outputs (names, dtypes
 * and ranks); input dims differ only where dyn_masks says.
 */
typedef struct om_model {
    uint32_t gear_kind;   /* 0: no gears; OM_GEAR_BATCH (1) or OM_GEAR_IMAGE_SIZE (2), om_format.h */
    uint32_t n_graphs;    /* 1 without gears, else the number of gears */
    graph **graphs;       /* graphs[k]: gear k's graph */
    uint64_t (*gears)[2]; /* gears[k]: {N, 0} or {H, W}; NULL without gears */
    uint64_t *dyn_masks;  /* per graph input: bit d set when dim d is dynamic; NULL without gears */
    uint64_t work_size;   /* the largest of the graphs' (they run one at a time) */
    uint64_t weight_size; /* the graphs' weights one after the other, each 64-byte aligned */
} om_model;

/*
 * om_load for a model that may carry gears: on success a new model in *out
 * (free it with om_model_free).  Caller weight memory (weight_mem) must hold
 * the model's weight_size bytes; gear k's weights start at the first 64-byte
 * boundary after gear k-1's.
 */
int om_load_model(const void *image, size_t size, void *weight_mem, size_t weight_mem_size, om_model **out,
                  char *err, size_t errlen);
void om_model_free(om_model *m);

/* Work and weight sizes an image needs (it is fully checked first). */
int om_query_size(const void *image, size_t size, size_t *work_size, size_t *weight_size, char *err,
                  size_t errlen);

/*
 * Lays out activation tensors in the work region (offsets 64-byte aligned,
 * memory reused once a tensor's last reader has run) and sets g->work_size.
 */
int graph_plan_memory(graph *g);

#endif /* ACLSUB_SHIM_OM_H_ */
