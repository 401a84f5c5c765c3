/*
 * fuse.h - the operator fusion pass of `aclsub atc`, run on the imported
 * graph after constant folding (docs/ATC.md, "Fusion").
 *
 * Into each Conv whose weight is a constant it folds, in order:
 *  - a BatchNormalization (inference form, constant parameters), and
 *    Mul / Add by constants that broadcast per output channel (one value,
 *    or one per channel on axis 1), into the weight and bias;
 *  - then at most one activation, which the Conv applies in its epilogue:
 *    Relu, Clip (constant bounds), HardSigmoid, or a HardSwish sequence
 *    y = t * (Clip(t + a, lo, hi) / d) or (t * Clip(t + a, lo, hi)) / d
 *    with constant a, lo, hi, d; with it a Mul and / or an Add by
 *    one-value constants that follow the activation.
 * Only tensors read by nothing else (and not graph outputs) are fused away.
 *
 * Naming, as the vendor's ATC does: folding BatchNormalization, Mul or Add
 * (graph fusion) keeps the Conv's name; fusing an activation (UB fusion)
 * names the operator by the names of the fused nodes concatenated, first
 * the Conv's.  Every fused Conv lists its original nodes, comma-separated,
 * in the string attribute _datadump_original_op_names.
 */
#ifndef ACLSUB_TOOLS_COMPILE_FUSE_H_
#define ACLSUB_TOOLS_COMPILE_FUSE_H_

#include <stdint.h>

#include "tools/compile/builder.h"

typedef struct fuse_stats {
    uint32_t folded_nodes; /* BatchNormalization, Mul and Add folded into Conv weights */
    uint32_t act_nodes;    /* activation nodes fused into Conv epilogues (4 per HardSwish, +2 for a Mul and an Add after) */
} fuse_stats;

/*
 * Which fusions to leave out, as the vendor's fusion switch file names them:
 * "GraphFusion" covers folding into the weights, "UBFusion" the fused
 * activations.
 */
enum {
    FUSE_NO_GRAPH = 1, /* no BatchNormalization, Mul or Add folded */
    FUSE_NO_UB = 2,    /* no activation fused */
};

/*
 * The FUSE_NO_* flags a fusion switch file (`aclsub atc
 * --fusion_switch_file`) sets.  The vendor's file is JSON,
 *   {"Switch": {"GraphFusion": {"ALL": "off"}, "UBFusion": {"ALL": "off"}}}
 * or lines "NAME:off"; aclsub honours "ALL" of each section ("ALL:off" in
 * the line form turns both off) and, as the vendor does for the passes it
 * cannot turn off, ignores the names of individual passes.
 */
unsigned fuse_switch_parse(const char *text);

/*
 * Runs the pass on the graph being built in b, without the fusions `off`
 * (FUSE_NO_*) names.  Returns BUILDER_OK or a
 * BUILDER_E* code (the graph is then unusable: discard it).  Unused weights
 * are left for the caller to drop (builder_pack_weights).
 */
int fuse_graph(builder *b, unsigned off, fuse_stats *st);

#endif /* ACLSUB_TOOLS_COMPILE_FUSE_H_ */
