/*
 * om_format.h - the on-disk layout of the .om container (docs/MODEL.md),
 * shared by its reader (shim/engine/om.c, inside the emulated runtime) and
 * its writer (tools/compile/om_write.c, in the compilers only).
 *
 * Every table entry is little-endian and fixed-size; the structs below are
 * the entries exactly as stored (checked by the static assertions), always
 * copied in and out with memcpy, never cast onto the image.
 */
#ifndef ACLSUB_SHIM_ENGINE_OM_FORMAT_H_
#define ACLSUB_SHIM_ENGINE_OM_FORMAT_H_

#include <stddef.h>
#include <stdint.h>

#define OM_MAGIC "ACLSUBOM"
#define OM_VERSION 1u
#define OM_MAX_COUNT 1000000u  /* tensors, nodes, graph inputs/outputs */
#define OM_MAX_NODE_IO 64u     /* inputs or outputs of one node */
#define OM_MAX_NODE_ATTRS 64u  /* attributes of one node */
#define OM_MAX_NAME 255u       /* bytes in a name, without the NUL */
#define OM_MAX_TENSOR_BYTES (1ull << 40)
#define OM_WEIGHT_ALIGN 64u
#define OM_MAX_SECTIONS 64u
#define OM_MAX_GEARS 128u      /* gears of a dynamic model (ACL_MAX_BATCH_NUM, ACL_MAX_HW_NUM) */
#define OM_SHAPE_DATA_NAME "ascend_mbatch_shape_data" /* ACL_DYNAMIC_TENSOR_NAME */

/* .aclsub.meta: exactly one of these. */
struct om_meta {
    char magic[8];        /* "ACLSUBOM", no NUL */
    uint32_t version;     /* OM_VERSION */
    uint32_t flags;       /* 0 */
    uint32_t n_tensors;   /* entries in .aclsub.tensors */
    uint32_t n_nodes;     /* entries in .aclsub.nodes */
    uint32_t n_inputs;    /* graph inputs: the first n_inputs edges */
    uint32_t n_outputs;   /* graph outputs: the next n_outputs edges */
    uint32_t n_edges;     /* u32 entries in .aclsub.edges */
    uint32_t n_attrs;     /* entries in .aclsub.attrs */
    uint64_t weight_size; /* bytes in .aclsub.weights */
    uint64_t work_size;   /* the writer's plan; informational, the loader re-plans */
    uint64_t reserved;    /* 0 */
};

/* .aclsub.tensors: n_tensors of these. */
struct om_tensor {
    uint32_t name;  /* .aclsub.strtab offset */
    uint32_t kind;  /* tensor_kind */
    int32_t dtype;  /* DT_* */
    uint32_t rank;  /* <= GRAPH_MAX_RANK */
    int64_t dims[GRAPH_MAX_RANK]; /* dims[rank..] are 0 */
    uint64_t bytes;         /* element count * element size */
    uint64_t weight_offset; /* weights: offset in .aclsub.weights; others 0 */
};

/* .aclsub.nodes: n_nodes of these, in execution order. */
struct om_node {
    uint32_t name;         /* .aclsub.strtab offset */
    uint32_t op_type;      /* .aclsub.strtab offset */
    uint32_t input_first;  /* index into .aclsub.edges */
    uint32_t n_inputs;
    uint32_t output_first; /* index into .aclsub.edges */
    uint32_t n_outputs;
    uint32_t attr_first;   /* index into .aclsub.attrs */
    uint32_t n_attrs;
};

/* .aclsub.attrs: n_attrs of these. */
struct om_attr {
    uint32_t name;     /* .aclsub.strtab offset */
    uint32_t type;     /* attr_type */
    uint32_t count;    /* 1 for INT/FLOAT, elements for INTS/FLOATS, bytes for STRING */
    uint32_t reserved; /* 0 */
    uint64_t value;    /* INT: the value; FLOAT: IEEE bits in the low half; else .aclsub.attrdata offset */
};

/*
 * .aclsub.gears (only in a model compiled with gears): one header, then
 * n_inputs u64 dynamic-dim masks (bit k set: dim k of that graph input is
 * -1 to the user), then n_gears entries.  The graph of the other sections is
 * gear 0's; gear k >= 1 is a whole .om image without gears inside
 * .aclsub.gearimages.
 */
enum { OM_GEAR_BATCH = 1, OM_GEAR_IMAGE_SIZE = 2 };

struct om_gears_head {
    uint32_t kind;     /* OM_GEAR_BATCH or OM_GEAR_IMAGE_SIZE */
    uint32_t n_gears;  /* 2 to OM_MAX_GEARS */
    uint32_t n_inputs; /* the graph inputs, the shape-data input (last) included */
    uint32_t reserved; /* 0 */
};

struct om_gear {
    uint64_t value[2];     /* batch: {N, 0}; image size: {H, W} */
    uint64_t image_offset; /* gear 0: 0; others: offset in .aclsub.gearimages */
    uint64_t image_size;   /* gear 0: 0; others: bytes of the gear's .om image */
};

_Static_assert(sizeof(struct om_meta) == 64, "om_meta is 64 bytes on disk");
_Static_assert(sizeof(struct om_tensor) == 96, "om_tensor is 96 bytes on disk");
_Static_assert(offsetof(struct om_tensor, dims) == 16, "om_tensor dims at 16");
_Static_assert(sizeof(struct om_node) == 32, "om_node is 32 bytes on disk");
_Static_assert(sizeof(struct om_attr) == 24, "om_attr is 24 bytes on disk");
_Static_assert(offsetof(struct om_attr, value) == 16, "om_attr value at 16");
_Static_assert(sizeof(struct om_gears_head) == 16, "om_gears_head is 16 bytes on disk");
_Static_assert(sizeof(struct om_gear) == 32, "om_gear is 32 bytes on disk");

enum {
    SEC_META,
    SEC_TENSORS,
    SEC_NODES,
    SEC_EDGES,
    SEC_ATTRS,
    SEC_ATTRDATA,
    SEC_STRTAB,
    SEC_WEIGHTS,
    SEC_GEARS,       /* optional: only models with gears, with SEC_GEARIMAGES */
    SEC_GEARIMAGES,
    SEC_COUNT_
};
#define SEC_REQUIRED_ SEC_GEARS /* sections [0, SEC_REQUIRED_) are in every .om */

static const struct {
    const char *name;
    size_t entsize; /* 0: a byte blob */
    size_t align;
} om_sections[SEC_COUNT_] = {
    [SEC_META] = {".aclsub.meta", sizeof(struct om_meta), 8},
    [SEC_TENSORS] = {".aclsub.tensors", sizeof(struct om_tensor), 8},
    [SEC_NODES] = {".aclsub.nodes", sizeof(struct om_node), 4},
    [SEC_EDGES] = {".aclsub.edges", sizeof(uint32_t), 4},
    [SEC_ATTRS] = {".aclsub.attrs", sizeof(struct om_attr), 8},
    [SEC_ATTRDATA] = {".aclsub.attrdata", 0, 8},
    [SEC_STRTAB] = {".aclsub.strtab", 0, 1},
    [SEC_WEIGHTS] = {".aclsub.weights", 0, OM_WEIGHT_ALIGN},
    [SEC_GEARS] = {".aclsub.gears", 0, 8},
    [SEC_GEARIMAGES] = {".aclsub.gearimages", 0, 8},
};

static inline uint64_t om_align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) / a * a;
}

/* 1 once libelf has been told its version (once per process, thread-safe), else 0. */
int om_elf_ready(void);

#endif /* ACLSUB_SHIM_ENGINE_OM_FORMAT_H_ */
