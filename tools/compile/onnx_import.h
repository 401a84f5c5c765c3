/*
 * onnx_import.h - the ONNX importer behind `aclsub atc`.
 *
 * onnx_import turns the bytes of an ONNX ModelProto into a graph the .om
 * writer takes: static shapes on every tensor, initializers and Constant
 * nodes as weights, every node whose inputs are all constant executed at
 * compile time (constant folding), the remaining nodes as device operators
 * named and typed after the ONNX nodes, BatchNormalization and activations
 * fused into convolutions (fuse.h; unless fusion_off), unused weights
 * dropped and the work memory planned.  It never touches the file system, so tests and fuzzers
 * run it on bytes in memory.  docs/ATC.md describes what it accepts.
 */
#ifndef ACLSUB_TOOLS_ONNX_IMPORT_H_
#define ACLSUB_TOOLS_ONNX_IMPORT_H_

#include <stddef.h>
#include <stdint.h>

#include "shim/engine/graph.h"

/* The largest model the importer reads (protobuf's own limit). */
#define ONNX_IMPORT_MAX_BYTES ((size_t)2 << 30)

/* The default ceiling on the weights of one model, folded results included. */
#define ONNX_IMPORT_MAX_WEIGHTS ((uint64_t)4 << 30)

/* Results of onnx_import. */
enum {
    ONNX_IMPORT_OK = 0,
    ONNX_IMPORT_EINVAL = -1,      /* malformed or inconsistent model, bad --input_shape */
    ONNX_IMPORT_EUNSUPPORTED = -2, /* a valid model using something aclsub does not implement */
    ONNX_IMPORT_ENOMEM = -3,
};

typedef struct onnx_import_opts {
    /* Names the model in messages ("<onnx>" when NULL). */
    const char *source;
    /*
     * Static input shapes, the vendor's --input_shape spelling:
     * "x:1,3,48,192;y:1,10" (NULL or "" when the model's own shapes are used).
     */
    const char *input_shape;
    /* Ceiling on the weight bytes, folded results included (0: ONNX_IMPORT_MAX_WEIGHTS). */
    uint64_t max_weight_bytes;
    /* Fusions left out: FUSE_NO_* of tools/compile/fuse.h (0: all on; see fuse_switch_parse). */
    unsigned fusion_off;
} onnx_import_opts;

typedef struct onnx_import_stats {
    uint32_t onnx_nodes; /* nodes in the ONNX graph */
    uint32_t folded;     /* nodes computed at compile time (Constant, Shape and all-constant nodes) */
    uint32_t dropped_weights; /* constant tensors no operator reads */
    uint32_t fused;           /* nodes fused into convolutions (tools/compile/fuse.h) */
} onnx_import_stats;

/*
 * Imports `len` bytes of an ONNX model.  On success returns ONNX_IMPORT_OK
 * and a new graph in *out (memory planned; free it with graph_free), and
 * fills *stats when stats is not NULL.  Otherwise returns one of the
 * negative ONNX_IMPORT_* codes and writes one line into err, prefixed with
 * the source name, e.g.
 *   "cls.onnx: node p2o.Foo.0 (Foo): unsupported operator".
 */
int onnx_import(const void *data, size_t len, const onnx_import_opts *opts, graph **out,
                onnx_import_stats *stats, char *err, size_t errlen);

/*
 * 1 when op type `op_type` of the default ONNX domain can appear in a model
 * aclsub imports: an operator of the device (op_lookup) or one the importer
 * itself turns into weights (Constant, Shape).
 */
int onnx_import_op_known(const char *op_type);

#endif /* ACLSUB_TOOLS_ONNX_IMPORT_H_ */
