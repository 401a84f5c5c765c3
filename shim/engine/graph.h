/*
 * graph.h - the in-memory model graph of the emulated device.
 *
 * A model is a list of tensors and a list of nodes in execution order.
 * The .om loader (om.c) builds it from an untrusted file and checks every
 * reference; the graph compilers (tools/compile/) build it from text or ONNX
 * and hand it to the .om writer (tools/compile/om_write.c); an execute
 * (shim/model.c) runs the nodes one by one through op_run (ops.h).
 *
 * Tensors live in one of three places: the weight region (initialisers),
 * the work region (intermediate activations, laid out by graph_plan_memory)
 * or the caller's dataset buffers (graph inputs and outputs).
 */
#ifndef ACLSUB_SHIM_GRAPH_H_
#define ACLSUB_SHIM_GRAPH_H_

#include <stddef.h>
#include <stdint.h>

#define GRAPH_MAX_RANK 8
#define GRAPH_NO_TENSOR UINT32_MAX /* an absent optional input */

/* Element types: the values of aclDataType. */
enum {
    DT_FLOAT = 0,
    DT_INT32 = 3,
    DT_INT64 = 9,
};

typedef enum {
    TENSOR_ACTIVATION = 0, /* produced by a node, lives in the work region */
    TENSOR_WEIGHT = 1,     /* constant, lives in the weight region */
    TENSOR_INPUT = 2,      /* graph input, bound to an input dataset buffer */
} tensor_kind;

typedef struct graph_tensor {
    char *name;
    uint32_t kind;  /* tensor_kind */
    int32_t dtype;  /* DT_* */
    uint32_t rank;
    int64_t dims[GRAPH_MAX_RANK];
    uint64_t bytes;  /* element count * element size */
    uint64_t offset; /* weights: in the weight region; activations: in the work region */
} graph_tensor;

typedef enum {
    ATTR_INT = 1,
    ATTR_FLOAT = 2,
    ATTR_INTS = 3,
    ATTR_FLOATS = 4,
    ATTR_STRING = 5,
} attr_type;

typedef struct graph_attr {
    char *name;
    uint32_t type;  /* attr_type */
    uint32_t count; /* elements for INTS/FLOATS, bytes for STRING, 1 otherwise */
    union {
        int64_t i;
        float f;
        int64_t *ints;
        float *floats;
        char *s; /* NUL-terminated, count bytes before the NUL */
    } v;
} graph_attr;

typedef struct graph_node {
    char *name;      /* ONNX node name; the record's operator name */
    char *op_type;   /* ONNX op type; the record's operator type */
    uint32_t op;     /* op_code from ops.h, resolved from op_type */
    uint32_t n_inputs;
    uint32_t n_outputs;
    uint32_t n_attrs;
    uint32_t *inputs;  /* tensor indices, GRAPH_NO_TENSOR for an absent optional input */
    uint32_t *outputs; /* tensor indices */
    graph_attr *attrs;
} graph_node;

typedef struct graph {
    uint32_t n_tensors;
    uint32_t n_nodes;
    uint32_t n_inputs;
    uint32_t n_outputs;
    graph_tensor *tensors;
    graph_node *nodes;   /* in execution order */
    uint32_t *inputs;    /* tensor indices of the graph inputs, in order */
    uint32_t *outputs;   /* tensor indices of the graph outputs, in order */
    unsigned char *weights; /* weight region, 64-byte aligned */
    int weights_owned;      /* 1: graph_free frees `weights`; 0: caller's memory */
    uint64_t weight_size;
    uint64_t work_size;  /* set by graph_plan_memory */
} graph;

/* Attribute lookup: the value, or `dflt` when the node has no such attribute. */
const graph_attr *graph_attr_find(const graph_node *n, const char *name);
int64_t graph_attr_int(const graph_node *n, const char *name, int64_t dflt);
float graph_attr_float(const graph_node *n, const char *name, float dflt);

/* Element count of a tensor (product of dims; 1 for rank 0). */
uint64_t graph_tensor_numel(const graph_tensor *t);
size_t graph_dtype_size(int32_t dtype);

/* Frees what an attribute owns (its name, and its list or string). */
void graph_attr_free(graph_attr *a);
/* Frees what a node owns (names, tensor lists, attributes) and leaves it all zero. */
void graph_node_free(graph_node *n);
/* Frees the graph and all it owns; the weights only when weights_owned. */
void graph_free(graph *g);

#endif /* ACLSUB_SHIM_GRAPH_H_ */
