/*
 * ops_impl.h - inside the operator layer: what the operator families
 * (ops_*.c) share.  Code outside shim/engine/ops*.c uses ops.h instead.
 *
 * Every operator is a pair of functions, listed in the operator table
 * (ops_table.h), which this header declares:
 *  - int infer_X(const infer_ctx *c) checks node c->n of graph c->g and
 *    writes its output's shape with set_output.  Models are untrusted, so
 *    before any output shape is written every input reference, dtype, rank,
 *    dim and attribute is checked, every product of dims is bounded by
 *    OPS_MAX_NUMEL and every attribute the kernels do not implement is
 *    refused (check_attr_names).  Each failure returns -1 through fail(),
 *    which writes the one-line "node NAME (OPTYPE): cause".
 *  - void run_X(g, n, in, out) recovers the geometry from the checked
 *    tensor shapes and attributes and calls the plain kernels of kernels.h.
 *    It is only called on nodes infer_X accepted and has no way to fail.
 * A family file keeps each infer_X next to its run_X, so that what the
 * checker accepts and what the runner relies on can be read together.
 *
 * The helpers below are implemented in ops_common.c.
 */
#ifndef ACLSUB_SHIM_OPS_IMPL_H_
#define ACLSUB_SHIM_OPS_IMPL_H_

#include <stddef.h>
#include <stdint.h>

#include "shim/engine/graph.h"
#include "shim/engine/kernels.h"
#include "shim/engine/ops.h"
#include "shim/engine/ops_table.h"

/*
 * Element-count ceiling for every tensor.  INT32_MAX keeps each dim and each
 * matrix size within the int parameters of cblas and keeps byte counts far
 * from overflowing 64 bits.
 */
#define OPS_MAX_NUMEL ((int64_t)INT32_MAX)
/* Ceiling for kernel sizes, strides, pads and dilations. */
#define OPS_MAX_PARAM ((int64_t)INT32_MAX)

/* The runners hand graph shapes straight to the n-dimensional kernels. */
_Static_assert(GRAPH_MAX_RANK <= K_MAX_RANK, "kernels must take every graph rank");

/* The node being checked, and where its error goes (err may be NULL). */
typedef struct infer_ctx {
    graph *g;
    const graph_node *n;
    char *err;
    size_t errlen;
} infer_ctx;

/* --- the operators ----------------------------------------------------------------------- */

typedef int op_infer_fn(const infer_ctx *c);
typedef void op_run_fn(const graph *g, const graph_node *n, const void *const *in, void *const *out);

#define OPS_DECLARE(name, infer, run) \
    op_infer_fn infer;                \
    op_run_fn run;
OPS_TABLE(OPS_DECLARE)
#undef OPS_DECLARE

/* --- errors ------------------------------------------------------------------------------ */

/*
 * Writes "node NAME (OPTYPE): " and the message into c->err, as one line
 * (a newline taken from the file becomes a space); returns -1.
 */
int fail(const infer_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

const char *dtype_name(int32_t dt);

/* --- attributes -------------------------------------------------------------------------- */

typedef struct attr_spec {
    const char *name;
    uint32_t type; /* attr_type */
} attr_spec;

/*
 * Every attribute of the node must be one the op implements, with the
 * expected type, and appear once: an attribute silently ignored would give
 * wrong results without a word.
 */
int check_attr_names(const infer_ctx *c, const attr_spec *spec, size_t n_spec);

#define CHECK_ATTRS(c, spec) check_attr_names((c), (spec), sizeof(spec) / sizeof((spec)[0]))

/* An INT attribute, dflt when absent; it must lie in [lo, hi]. */
int attr_int(const infer_ctx *c, const char *name, int64_t dflt, int64_t lo, int64_t hi, int64_t *out);
/* A FLOAT attribute, dflt when absent; it must not be NaN. */
int attr_float(const infer_ctx *c, const char *name, float dflt, float *out);

/*
 * An INTS attribute of exactly `count` values, each within [lo, hi]; absent
 * means every value is dflt.  Returns 1 when present, 0 when absent.
 */
int attr_ints(const infer_ctx *c, const char *name, uint32_t count, int64_t dflt, int64_t lo, int64_t hi,
              int64_t *out);

/* A STRING attribute's value, or dflt when absent. */
const char *attr_str(const graph_node *n, const char *name, const char *dflt);

/* --- inputs and the output --------------------------------------------------------------- */

/*
 * Input k of the node, checked: present (unless optional), a valid tensor
 * index, a known dtype (`dtype` if >= 0), rank within [min_rank, max_rank],
 * positive dims, at most OPS_MAX_NUMEL elements and a byte count matching
 * the shape.  *out is NULL for an absent optional input.
 */
int get_input(const infer_ctx *c, uint32_t k, int optional, int32_t dtype, uint32_t min_rank, uint32_t max_rank,
              const graph_tensor **out);

/* The node has lo to hi inputs. */
int check_input_count(const infer_ctx *c, uint32_t lo, uint32_t hi);

/* Whether input k is given (present and not GRAPH_NO_TENSOR). */
int has_input(const graph_node *n, uint32_t k);

/*
 * Writes the single output's shape.  The output must be an activation
 * distinct from the node's inputs, and its size within OPS_MAX_NUMEL.
 */
int set_output(const infer_ctx *c, int32_t dtype, uint32_t rank, const int64_t *dims);

/*
 * An axis attribute's value made non-negative: axis must lie in
 * [-rank, rank_for_range), rank_for_range being rank, or rank + 1 where the
 * axis may name the end (Flatten).
 */
int normalize_axis(const infer_ctx *c, int64_t axis, int64_t rank_for_range, uint32_t rank, int64_t *out);

/*
 * run_X recomputes a node's geometry with the same functions infer_X used,
 * through a context without an error buffer.  They only read the graph, so
 * the const is cast away safely; and they cannot fail there, since infer_X
 * accepted the same node.
 */
infer_ctx run_ctx(const graph *g, const graph_node *n);

/* --- constant inputs --------------------------------------------------------------------- */

/*
 * The bytes of a constant input: it must be a TENSOR_WEIGHT lying inside
 * the weight region, since its values fix shapes or bounds at compile time.
 */
const unsigned char *weight_bytes(const infer_ctx *c, const graph_tensor *t, const char *what);

/* Element i of an int64 or int32 array. */
int64_t load_index(const unsigned char *p, int32_t dtype, uint64_t i);

/*
 * Input k as constant integers: an int64 or int32 weight of rank 0 or 1
 * with at most max_count values, copied into vals.
 */
int const_ints(const infer_ctx *c, uint32_t k, const char *what, uint32_t max_count, int64_t *vals,
               uint32_t *count);

/* Input k as constant floats: a float32 weight of rank 0 or 1 with at most max_count values. */
int const_floats(const infer_ctx *c, uint32_t k, const char *what, uint32_t max_count, float *vals,
                 uint32_t *count);

/* --- axes -------------------------------------------------------------------------------- */

/*
 * A list of axes from the INTS attribute `name` (older opsets) or from
 * constant input k (newer ones), never both.  *present is 0 when neither
 * is given.
 */
int get_axes_list(const infer_ctx *c, uint32_t k, const char *name, uint32_t max_count, int64_t *axes,
                  uint32_t *count, int *present);

/* Normalises axes against `rank` into the bit mask *mask; each must be in [-rank, rank) and appear once. */
int axes_mask(const infer_ctx *c, const char *name, const int64_t *axes, uint32_t count, uint32_t rank,
              unsigned *mask);

int64_t clamp64(int64_t v, int64_t lo, int64_t hi);

/* --- the window of Conv and the pools ---------------------------------------------------- */

/* The resolved 2-D window of a Conv or pool node, per spatial axis (0 = H, 1 = W). */
typedef struct window2d {
    int64_t k[2], stride[2], dil[2], pad_b[2], pad_e[2], out[2];
} window2d;

typedef enum { PAD_NOTSET, PAD_SAME_UPPER, PAD_SAME_LOWER, PAD_VALID } pad_mode;

/* The auto_pad attribute (NOTSET when absent). */
int get_auto_pad(const infer_ctx *c, pad_mode *mode);

/*
 * Reads strides, dilations, pads and auto_pad and computes the output size
 * of each spatial axis of in[2] with kernel w->k.  Pools (is_pool) also
 * honour ceil_mode and need each pad smaller than the window, as
 * onnxruntime does, so that every window touches the input.
 */
int resolve_window(const infer_ctx *c, const int64_t *in, int is_pool, int ceil_mode, window2d *w);

/* Reads the window back in run_X; the attributes were validated by infer_X. */
void window_from_node(const graph_node *n, const int64_t *in, const int64_t *out, int64_t kh, int64_t kw,
                      window2d *w);

#endif /* ACLSUB_SHIM_OPS_IMPL_H_ */
