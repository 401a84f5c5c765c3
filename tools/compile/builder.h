/*
 * builder.h - the graph builder of the compilers: the text compiler
 * (mkom_text.c) and the ONNX importer (onnx_import.c) grow a graph through
 * it one tensor, node, graph input, graph output and weight at a time, and
 * it hands the graph over with its memory planned.
 *
 * Rules:
 *  - The limits are the .om container's (shim/engine/om_format.h):
 *    OM_MAX_COUNT tensors, nodes, graph inputs and graph outputs,
 *    OM_MAX_NAME bytes of a name, OM_MAX_TENSOR_BYTES for one tensor, the
 *    weight region OM_WEIGHT_ALIGN-aligned with every weight at an
 *    OM_WEIGHT_ALIGN boundary; so whatever it builds, om_write_file writes.
 *  - The builder owns the graph and all in it, its weight region included,
 *    until builder_finish hands it over; builder_init is the one place that
 *    sets weights_owned.
 *  - Functions return BUILDER_OK or a negative BUILDER_E* code and write no
 *    message: each compiler words its own errors (a line of text, a node).
 *  - Adding may move g->tensors, g->nodes and g->weights: take pointers into
 *    them only after the last call that adds.
 */
#ifndef ACLSUB_TOOLS_COMPILE_BUILDER_H_
#define ACLSUB_TOOLS_COMPILE_BUILDER_H_

#include <stddef.h>
#include <stdint.h>

#include "shim/engine/graph.h"
#include "shim/engine/om_format.h"

enum {
    BUILDER_OK = 0,
    BUILDER_ENOMEM = -1,
    BUILDER_ELIMIT = -2, /* a count, a tensor's size or the weight total beyond its limit */
};

typedef struct builder {
    graph *g;              /* the graph being built; NULL once handed over */
    uint64_t max_weights;  /* ceiling on g->weight_size */
    size_t cap_tensors, cap_nodes, cap_inputs, cap_outputs; /* elements allocated */
    size_t cap_weights;    /* bytes allocated for g->weights */
} builder;

/* An empty graph that owns its weights; the weights may total max_weights bytes. */
int builder_init(builder *b, uint64_t max_weights);

/* Plans the work memory and hands the graph over in *out (free it with graph_free). */
int builder_finish(builder *b, graph **out);

/* Frees the graph being built (nothing after builder_finish). */
void builder_discard(builder *b);

/* A copy of a name as the .om keeps it: cut to OM_MAX_NAME bytes at a UTF-8 character boundary. */
char *builder_name_dup(const char *s);

/* Sets t->bytes from its dtype and dims; BUILDER_ELIMIT beyond OM_MAX_TENSOR_BYTES or for a negative dim. */
int builder_tensor_bytes(graph_tensor *t);

/* Appends a tensor named `name` (builder_name_dup) of `kind`, all else zero; its index in *index. */
int builder_add_tensor(builder *b, const char *name, uint32_t kind, uint32_t *index);

/* Appends node *n; the graph takes over what it owns and *n is left zeroed. */
int builder_add_node(builder *b, graph_node *n);

/* Appends a tensor index to the graph inputs or outputs. */
int builder_add_input(builder *b, uint32_t tensor);
int builder_add_output(builder *b, uint32_t tensor);

/*
 * Room for `bytes` more weight bytes, zeroed, at the next OM_WEIGHT_ALIGN
 * boundary; its offset in the weight region in *offset.
 */
int builder_weight_room(builder *b, uint64_t bytes, uint64_t *offset);

/*
 * Moves the bytes of the weight tensors with keep[i] set, in tensor order,
 * into a new packed region and updates their offsets; the other weights'
 * bytes are gone (their offsets are stale: drop those tensors).
 */
int builder_pack_weights(builder *b, const unsigned char *keep);

#endif /* ACLSUB_TOOLS_COMPILE_BUILDER_H_ */
