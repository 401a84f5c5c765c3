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
 */
int om_load(const void *image, size_t size, void *weight_mem, size_t weight_mem_size, graph **out, char *err,
            size_t errlen);

/* Work and weight sizes an image needs (it is fully checked first). */
int om_query_size(const void *image, size_t size, size_t *work_size, size_t *weight_size, char *err,
                  size_t errlen);

/*
 * Lays out activation tensors in the work region (offsets 64-byte aligned,
 * memory reused once a tensor's last reader has run) and sets g->work_size.
 */
int graph_plan_memory(graph *g);

#endif /* ACLSUB_SHIM_OM_H_ */
