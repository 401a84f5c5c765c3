/*
 * onnx_import.c - the ONNX importer (onnx_import.h): ModelProto bytes in,
 * a graph with static shapes, folded constants and planned memory out.
 *
 * The model is untrusted.  protobuf-c unpacks it; from there every string
 * may be NULL, every count is bounded before anything is allocated from it,
 * every tensor's data is checked against its shape, and every node goes
 * through op_infer as soon as its inputs have shapes, so an error names the
 * node that caused it.  The passes:
 *
 *   1. opset of the default domain, --input_shape overrides;
 *   2. initializers -> weights; graph inputs -> input tensors (static shapes);
 *   3. the nodes in dependency order (a stable depth-first sort, which keeps
 *      an already sorted graph as it is and rejects cycles);
 *   4. per node: Constant and Shape become weights directly; any other node
 *      is checked by op_infer and, when all its inputs are weights, run at
 *      compile time with op_run into a new weight (constant folding);
 *      otherwise it becomes a device operator;
 *   5. graph outputs; convolutions fused with what follows them (fuse.h,
 *      unless opts->fusion_off); unused weights dropped; memory planned.
 *
 * The graph grows through the builder (builder.h), which also holds the .om
 * limits; messages are worded here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/onnx.pb-c.h"
#include "shim/engine/ops.h"
#include "tools/compile/builder.h"
#include "tools/compile/fuse.h"
#include "tools/compile/name_map.h"
#include "tools/compile/onnx_import.h"

/* Counts, names and sizes are bounded by the .om limits (builder.h); these are the importer's own. */
#define IM_MAX_VALUES (1u << 20) /* elements of one list attribute */
#define IM_DEFAULT_OPSET 21 /* a model without an opset for the default domain */

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ONNX raw_data is little-endian, as is the .om");

/* --- importer state and errors -------------------------------------------------------- */

typedef struct im_shape {
    char *name;
    uint32_t rank;
    int64_t dims[GRAPH_MAX_RANK];
} im_shape;

typedef struct imp {
    const char *src;
    char *err;
    size_t errlen;
    const Onnx__GraphProto *og;
    int64_t opset;
    builder b;         /* the graph being built */
    name_map values;   /* ONNX value name -> tensor index */
    name_map inits;    /* initializer name -> initializer index */
    im_shape *shapes; /* --input_shape */
    size_t n_shapes;
    onnx_import_stats st;
} imp;

__attribute__((format(printf, 3, 4))) static int im_fail(imp *p, int code, const char *fmt, ...)
{
    if (p->err && p->errlen && !p->err[0]) {
        int n = snprintf(p->err, p->errlen, "%s: ", p->src);
        if (n >= 0 && (size_t)n < p->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
        for (char *c = p->err; *c; c++) /* one line, whatever the names hold */
            if (*c == '\n' || *c == '\r')
                *c = ' ';
    }
    return code;
}

static int im_oom(imp *p)
{
    return im_fail(p, ONNX_IMPORT_ENOMEM, "out of memory");
}

/* A name for messages: never NULL, at most 64 bytes shown by the callers' %.64s. */
static const char *im_str(const char *s)
{
    return s ? s : "";
}

/* A builder failure adding one of `what`: beyond the .om's count, or out of memory. */
static int im_builder_fail(imp *p, int rc, const char *what)
{
    if (rc == BUILDER_ELIMIT)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "more than %u %s", OM_MAX_COUNT, what);
    return im_oom(p);
}

/* --- dtypes ------------------------------------------------------------------------------ */

static const char *im_onnx_dtype_name(int32_t t)
{
    static const char *const names[] = {"UNDEFINED", "FLOAT",  "UINT8",  "INT8",      "UINT16",     "INT16",
                                        "INT32",     "INT64",  "STRING", "BOOL",      "FLOAT16",    "DOUBLE",
                                        "UINT32",    "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};
    return t >= 0 && (size_t)t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}

/* The graph dtype of an ONNX element type, -1 when aclsub has none. */
static int32_t im_dtype(int32_t onnx_type)
{
    switch (onnx_type) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
        return DT_FLOAT;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
        return DT_INT32;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
        return DT_INT64;
    default:
        return -1;
    }
}

/* --- tensors and weights ------------------------------------------------------------------ */

/* A new tensor named `name`, registered as the ONNX value `key` unless key is NULL. */
static int im_new_tensor_as(imp *p, const char *name, const char *key, uint32_t kind, uint32_t *index)
{
    int rc = builder_add_tensor(&p->b, name, kind, index);
    if (rc)
        return im_builder_fail(p, rc, "tensors");
    if (key && name_map_put(&p->values, key, *index))
        return im_oom(p);
    return 0;
}

/* A new tensor for the ONNX value `name`. */
static int im_new_tensor(imp *p, const char *name, uint32_t kind, uint32_t *index)
{
    return im_new_tensor_as(p, name, name, kind, index);
}

/* Room for `bytes` more weight bytes (builder_weight_room) under the ceiling of onnx_import_opts. */
static int im_weight_room(imp *p, uint64_t bytes, uint64_t *offset)
{
    int rc = builder_weight_room(&p->b, bytes, offset);
    if (rc == BUILDER_ELIMIT)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "weights (folded constants included) exceed %llu bytes",
                       (unsigned long long)p->b.max_weights);
    return rc ? im_oom(p) : 0;
}

/* A new weight tensor with a shape; its bytes are zero until the caller fills them. */
static int im_new_weight(imp *p, const char *name, int32_t dtype, uint32_t rank, const int64_t *dims,
                         uint32_t *index)
{
    graph_tensor tmp = {.dtype = dtype, .rank = rank};
    memcpy(tmp.dims, dims, rank * sizeof dims[0]);
    if (builder_tensor_bytes(&tmp))
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "tensor '%.64s' is larger than 2^40 bytes", name);
    uint64_t off;
    int rc = im_weight_room(p, tmp.bytes, &off);
    if (rc || (rc = im_new_tensor(p, name, TENSOR_WEIGHT, index)))
        return rc;
    graph_tensor *t = &p->b.g->tensors[*index];
    t->dtype = dtype;
    t->rank = rank;
    memcpy(t->dims, tmp.dims, sizeof t->dims);
    t->bytes = tmp.bytes;
    t->offset = off;
    return 0;
}

/* The typed data field of a TensorProto for dtype dt: its element count and address. */
static const void *im_typed_data(const Onnx__TensorProto *tp, int32_t dt, size_t *count)
{
    if (dt == DT_FLOAT) {
        *count = tp->n_float_data;
        return tp->float_data;
    }
    if (dt == DT_INT64) {
        *count = tp->n_int64_data;
        return tp->int64_data;
    }
    *count = tp->n_int32_data;
    return tp->int32_data;
}

/* Checks a TensorProto's dtype and shape into *t (no data yet). */
static int im_tensor_header(imp *p, const char *what, const char *name, const Onnx__TensorProto *tp,
                            graph_tensor *t)
{
    if (tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL || tp->n_external_data)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED,
                       "%s '%.64s' keeps its data in an external file (external data is unsupported)", what, name);
    if (tp->segment)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "%s '%.64s' is a segment (unsupported)", what, name);
    t->dtype = im_dtype(tp->data_type);
    if (t->dtype < 0)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "%s '%.64s' has dtype %s (aclsub supports FLOAT, INT32, INT64)",
                       what, name, im_onnx_dtype_name(tp->data_type));
    if (tp->n_dims > GRAPH_MAX_RANK)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "%s '%.64s' has rank %zu, above %d", what, name, tp->n_dims,
                       GRAPH_MAX_RANK);
    t->rank = (uint32_t)tp->n_dims;
    for (uint32_t k = 0; k < t->rank; k++) {
        if (tp->dims[k] < 0)
            return im_fail(p, ONNX_IMPORT_EINVAL, "%s '%.64s' has dim %u = %lld", what, name, k,
                           (long long)tp->dims[k]);
        t->dims[k] = tp->dims[k];
    }
    if (builder_tensor_bytes(t))
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "%s '%.64s' is larger than 2^40 bytes", what, name);
    return 0;
}

/* A TensorProto (initializer or Constant value) as a new weight registered under `name`. */
static int im_tensor_weight(imp *p, const char *what, const char *name, const Onnx__TensorProto *tp)
{
    graph_tensor h = {0};
    int rc = im_tensor_header(p, what, name, tp, &h);
    if (rc)
        return rc;
    size_t esize = graph_dtype_size(h.dtype), count;
    const void *typed = im_typed_data(tp, h.dtype, &count);
    uint64_t numel = h.bytes / esize;
    if (tp->has_raw_data && tp->raw_data.len != h.bytes)
        return im_fail(p, ONNX_IMPORT_EINVAL, "%s '%.64s' has %zu bytes of raw_data, its shape needs %llu", what, name,
                       tp->raw_data.len, (unsigned long long)h.bytes);
    if (!tp->has_raw_data && count != numel)
        return im_fail(p, ONNX_IMPORT_EINVAL, "%s '%.64s' has %zu %s values, its shape needs %llu", what, name, count,
                       im_onnx_dtype_name(tp->data_type), (unsigned long long)numel);
    uint32_t idx;
    if ((rc = im_new_weight(p, name, h.dtype, h.rank, h.dims, &idx)))
        return rc;
    unsigned char *dst = p->b.g->weights + p->b.g->tensors[idx].offset;
    if (h.bytes)
        memcpy(dst, tp->has_raw_data ? (const void *)tp->raw_data.data : typed, (size_t)h.bytes);
    return 0;
}

static int im_initializers(imp *p)
{
    const Onnx__GraphProto *og = p->og;
    if (og->n_sparse_initializer)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "sparse initializers are unsupported");
    if (og->n_initializer > OM_MAX_COUNT)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "more than %u initializers", OM_MAX_COUNT);
    for (size_t i = 0; i < og->n_initializer; i++) {
        const Onnx__TensorProto *tp = og->initializer[i];
        uint32_t old;
        if (!tp->name || !*tp->name)
            return im_fail(p, ONNX_IMPORT_EINVAL, "initializer %zu has no name", i);
        if (name_map_get(&p->inits, tp->name, &old))
            return im_fail(p, ONNX_IMPORT_EINVAL, "initializer '%.64s' is defined twice", tp->name);
        if (name_map_put(&p->inits, tp->name, (uint32_t)i))
            return im_oom(p);
        int rc = im_tensor_weight(p, "initializer", tp->name, tp);
        if (rc)
            return rc;
    }
    return 0;
}

/* --- --input_shape --------------------------------------------------------------------------- */

/* "1,3,48,192" (or "" for a scalar) into s; each dim 1..2^31-1. */
static int im_parse_dims(imp *p, const char *name, const char *text, size_t len, im_shape *s)
{
    s->rank = 0;
    for (size_t at = 0; at < len;) {
        char buf[24];
        const char *comma = memchr(text + at, ',', len - at);
        size_t n = comma ? (size_t)(comma - (text + at)) : len - at;
        if (n == 0 || n >= sizeof buf)
            return im_fail(p, ONNX_IMPORT_EINVAL, "--input_shape: bad dims for '%.64s'", name);
        memcpy(buf, text + at, n);
        buf[n] = '\0';
        char *end;
        long long d = strtoll(buf, &end, 10);
        if (*end || d == 0 || d < -1 || d > INT32_MAX)
            return im_fail(p, ONNX_IMPORT_EINVAL, "--input_shape: bad dim '%s' for '%.64s' (want 1 to %d)", buf, name,
                           INT32_MAX);
        if (d == -1)
            return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "--input_shape: '%.64s' has a dynamic dim (-1); give every dim",
                           name);
        if (s->rank == GRAPH_MAX_RANK)
            return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "--input_shape: '%.64s' has more than %d dims", name,
                           GRAPH_MAX_RANK);
        s->dims[s->rank++] = d;
        at += n + 1;
        if (comma && at == len)
            return im_fail(p, ONNX_IMPORT_EINVAL, "--input_shape: bad dims for '%.64s'", name);
    }
    return 0;
}

/* One "name:dims" item; the name ends at the last ':' (names like "x:0" occur). */
static int im_parse_shape_item(imp *p, const char *item, size_t len)
{
    const char *colon = NULL;
    for (size_t i = 0; i < len; i++)
        if (item[i] == ':')
            colon = item + i;
    if (!colon || colon == item)
        return im_fail(p, ONNX_IMPORT_EINVAL, "--input_shape: want NAME:D1,D2,... separated by ';', got '%.*s'",
                       (int)(len > 64 ? 64 : len), item);
    im_shape *s = &p->shapes[p->n_shapes];
    memset(s, 0, sizeof *s);
    if (!(s->name = strndup(item, (size_t)(colon - item))))
        return im_oom(p);
    p->n_shapes++;
    for (size_t k = 0; k + 1 < p->n_shapes; k++)
        if (strcmp(p->shapes[k].name, s->name) == 0)
            return im_fail(p, ONNX_IMPORT_EINVAL, "--input_shape: '%.64s' given twice", s->name);
    return im_parse_dims(p, s->name, colon + 1, len - (size_t)(colon + 1 - item), s);
}

static int im_parse_shapes(imp *p, const char *spec)
{
    if (!spec || !*spec)
        return 0;
    size_t items = 1;
    for (const char *c = spec; *c; c++)
        items += *c == ';';
    if (!(p->shapes = calloc(items, sizeof *p->shapes)))
        return im_oom(p);
    for (const char *at = spec;;) {
        const char *semi = strchr(at, ';');
        size_t n = semi ? (size_t)(semi - at) : strlen(at);
        int rc = n ? im_parse_shape_item(p, at, n) : 0; /* an empty item ("x:1;") is ignored */
        if (rc)
            return rc;
        if (!semi)
            return 0;
        at = semi + 1;
    }
}

/* --- graph inputs ------------------------------------------------------------------------------ */

static const im_shape *im_find_shape(const imp *p, const char *name)
{
    for (size_t k = 0; k < p->n_shapes; k++)
        if (strcmp(p->shapes[k].name, name) == 0)
            return &p->shapes[k];
    return NULL;
}

/* The shape given with --input_shape, checked against what the model fixes. */
static int im_input_override(imp *p, const char *name, const Onnx__TensorShapeProto *sp, const im_shape *s,
                             graph_tensor *t)
{
    if (sp && sp->n_dim != s->rank)
        return im_fail(p, ONNX_IMPORT_EINVAL, "--input_shape gives input '%.64s' %u dims, the model has %zu", name,
                       s->rank, sp->n_dim);
    for (uint32_t k = 0; sp && k < s->rank; k++) {
        const Onnx__TensorShapeProto__Dimension *d = sp->dim[k];
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE && d->dim_value > 0 &&
            d->dim_value != s->dims[k])
            return im_fail(p, ONNX_IMPORT_EINVAL,
                           "--input_shape gives input '%.64s' dim %u = %lld, the model fixes %lld", name, k,
                           (long long)s->dims[k], (long long)d->dim_value);
    }
    t->rank = s->rank;
    memcpy(t->dims, s->dims, sizeof t->dims);
    return 0;
}

/* The model's own static shape of an input. */
static int im_input_shape(imp *p, const char *name, const Onnx__TensorShapeProto *sp, graph_tensor *t)
{
    if (!sp)
        return im_fail(p, ONNX_IMPORT_EINVAL, "input '%.64s' has no shape; give one with --input_shape=\"%.64s:...\"",
                       name, name);
    if (sp->n_dim > GRAPH_MAX_RANK)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "input '%.64s' has rank %zu, above %d", name, sp->n_dim,
                       GRAPH_MAX_RANK);
    t->rank = (uint32_t)sp->n_dim;
    for (uint32_t k = 0; k < t->rank; k++) {
        const Onnx__TensorShapeProto__Dimension *d = sp->dim[k];
        if (d->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE || d->dim_value < 0) {
            const char *param = d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM && d->dim_param
                                    ? d->dim_param
                                    : "?";
            return im_fail(p, ONNX_IMPORT_EINVAL,
                           "input '%.64s' dim %u is '%.32s' (not static); "
                           "give the shape with --input_shape=\"%.64s:...\"",
                           name, k, param, name);
        }
        t->dims[k] = d->dim_value;
    }
    return 0;
}

static int im_input(imp *p, size_t i, const Onnx__ValueInfoProto *vi)
{
    const char *name = vi->name;
    uint32_t old, idx;
    if (!name || !*name)
        return im_fail(p, ONNX_IMPORT_EINVAL, "graph input %zu has no name", i);
    const im_shape *s = im_find_shape(p, name);
    if (name_map_get(&p->inits, name, &old)) { /* an input with a default value: a weight */
        if (s)
            return im_fail(p, ONNX_IMPORT_EINVAL, "--input_shape names '%.64s', which is an initializer", name);
        return 0;
    }
    if (name_map_get(&p->values, name, &old))
        return im_fail(p, ONNX_IMPORT_EINVAL, "graph input '%.64s' is listed twice", name);
    const Onnx__TypeProto *tp = vi->type;
    if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "input '%.64s' is not a tensor", name);
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    graph_tensor t = {.dtype = im_dtype(tt->elem_type)};
    if (t.dtype < 0)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "input '%.64s' has dtype %s (aclsub supports FLOAT, INT32, INT64)",
                       name, im_onnx_dtype_name(tt->elem_type));
    int rc = s ? im_input_override(p, name, tt->shape, s, &t) : im_input_shape(p, name, tt->shape, &t);
    if (rc)
        return rc;
    if (builder_tensor_bytes(&t))
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "input '%.64s' is larger than 2^40 bytes", name);
    if ((rc = im_new_tensor(p, name, TENSOR_INPUT, &idx)))
        return rc;
    graph_tensor *gt = &p->b.g->tensors[idx];
    gt->dtype = t.dtype;
    gt->rank = t.rank;
    memcpy(gt->dims, t.dims, sizeof gt->dims);
    gt->bytes = t.bytes;
    rc = builder_add_input(&p->b, idx);
    return rc ? im_builder_fail(p, rc, "inputs") : 0;
}

/* Every --input_shape name must be a graph input. */
static int im_check_shape_names(imp *p)
{
    const Onnx__GraphProto *og = p->og;
    for (size_t k = 0; k < p->n_shapes; k++) {
        size_t i = 0;
        while (i < og->n_input && strcmp(im_str(og->input[i]->name), p->shapes[k].name) != 0)
            i++;
        if (i == og->n_input)
            return im_fail(p, ONNX_IMPORT_EINVAL, "--input_shape names '%.64s', which is not an input of the model",
                           p->shapes[k].name);
    }
    return 0;
}

static int im_inputs(imp *p)
{
    const Onnx__GraphProto *og = p->og;
    if (og->n_input > OM_MAX_COUNT)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "more than %u graph inputs", OM_MAX_COUNT);
    int rc = im_check_shape_names(p);
    for (size_t i = 0; rc == 0 && i < og->n_input; i++)
        rc = im_input(p, i, og->input[i]);
    return rc;
}

/* --- dependency order ------------------------------------------------------------------------------ */

static const char *im_node_label(const Onnx__NodeProto *on)
{
    return on->name && *on->name ? on->name : "(unnamed)";
}

/* Value name -> index of the node producing it; a value produced twice is an error. */
static int im_producers(imp *p, name_map *prod)
{
    const Onnx__GraphProto *og = p->og;
    for (size_t i = 0; i < og->n_node; i++) {
        const Onnx__NodeProto *on = og->node[i];
        for (size_t k = 0; k < on->n_output; k++) {
            const char *o = on->output[k];
            uint32_t old;
            if (!*o)
                continue;
            if (name_map_get(prod, o, &old) || name_map_get(&p->inits, o, &old) || name_map_get(&p->values, o, &old))
                return im_fail(p, ONNX_IMPORT_EINVAL, "node %.64s (%.64s): output '%.64s' is defined more than once",
                               im_node_label(on), im_str(on->op_type), o);
            if (name_map_put(prod, o, (uint32_t)i))
                return im_oom(p);
        }
    }
    return 0;
}

/*
 * Depth-first from each node in file order, visiting the producers of its
 * inputs first: a sorted graph keeps its order.  A producer met while still
 * on the stack closes a cycle.
 */
static int im_sort_dfs(imp *p, const name_map *prod, uint32_t root, unsigned char *state, uint32_t *stack,
                       size_t *pos, uint32_t *order, size_t *n_order)
{
    const Onnx__GraphProto *og = p->og;
    size_t depth = 0;
    stack[depth] = root;
    pos[depth++] = 0;
    state[root] = 1;
    while (depth) {
        uint32_t i = stack[depth - 1];
        const Onnx__NodeProto *on = og->node[i];
        if (pos[depth - 1] == on->n_input) {
            state[i] = 2;
            order[(*n_order)++] = i;
            depth--;
            continue;
        }
        const char *in = on->input[pos[depth - 1]++];
        uint32_t j;
        if (!*in || !name_map_get(prod, in, &j) || state[j] == 2)
            continue;
        if (state[j] == 1)
            return im_fail(p, ONNX_IMPORT_EINVAL, "the graph has a cycle through node %.64s (%.64s)",
                           im_node_label(og->node[j]), im_str(og->node[j]->op_type));
        state[j] = 1;
        stack[depth] = j;
        pos[depth++] = 0;
    }
    return 0;
}

static int im_sort(imp *p, uint32_t **order_out)
{
    size_t n = p->og->n_node;
    name_map prod = {0};
    unsigned char *state = calloc(n ? n : 1, 1);
    uint32_t *stack = malloc((n ? n : 1) * sizeof *stack), *order = malloc((n ? n : 1) * sizeof *order);
    size_t *pos = malloc((n ? n : 1) * sizeof *pos), n_order = 0;
    int rc = state && stack && order && pos ? im_producers(p, &prod) : im_oom(p);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (!state[i])
            rc = im_sort_dfs(p, &prod, (uint32_t)i, state, stack, pos, order, &n_order);
    name_map_free(&prod);
    free(state);
    free(stack);
    free(pos);
    if (rc) {
        free(order);
        return rc;
    }
    *order_out = order;
    return 0;
}

/* --- attributes ------------------------------------------------------------------------------------- */

static const char *im_attr_type_name(int t)
{
    switch (t) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR:
        return "TENSOR";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH:
        return "GRAPH";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS:
        return "STRINGS";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSORS:
        return "TENSORS";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS:
        return "GRAPHS";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSOR:
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSORS:
        return "SPARSE_TENSOR";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TYPE_PROTO:
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TYPE_PROTOS:
        return "TYPE_PROTO";
    default:
        return "UNDEFINED";
    }
}

/* The attribute's type; models from before the `type` field say it by the field they set. */
static int im_attr_kind(const Onnx__AttributeProto *a)
{
    if (a->has_type && a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED)
        return a->type;
    if (a->has_f)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
    if (a->has_i)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    if (a->has_s)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
    if (a->t)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR;
    if (a->g)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH;
    if (a->n_floats)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
    if (a->n_ints)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    if (a->n_strings)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS;
    return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED;
}

/* Fills *out's value from a; the name is already set. */
static int im_attr_value(imp *p, const graph_node *n, const Onnx__AttributeProto *a, int kind, graph_attr *out)
{
    size_t count = kind == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS ? a->n_ints : a->n_floats;
    switch (kind) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
        out->type = ATTR_INT;
        out->count = 1;
        out->v.i = a->i;
        return 0;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT:
        out->type = ATTR_FLOAT;
        out->count = 1;
        out->v.f = a->f;
        return 0;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING:
        if (a->s.len && (memchr(a->s.data, '\0', a->s.len) || a->s.len > UINT32_MAX))
            return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "node %s (%s): attribute %.64s holds a NUL byte", n->name,
                           n->op_type, out->name);
        out->type = ATTR_STRING;
        out->count = (uint32_t)a->s.len;
        if (!(out->v.s = strndup(a->s.len ? (const char *)a->s.data : "", a->s.len)))
            return im_oom(p);
        return 0;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
        if (count > IM_MAX_VALUES)
            return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "node %s (%s): attribute %.64s has more than %u values",
                           n->name, n->op_type, out->name, IM_MAX_VALUES);
        out->type = kind == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS ? ATTR_INTS : ATTR_FLOATS;
        out->count = (uint32_t)count;
        size_t bytes = count * (out->type == ATTR_INTS ? sizeof(int64_t) : sizeof(float));
        void *v = malloc(bytes ? bytes : 1);
        if (!v)
            return im_oom(p);
        if (bytes)
            memcpy(v, out->type == ATTR_INTS ? (const void *)a->ints : (const void *)a->floats, bytes);
        if (out->type == ATTR_INTS)
            out->v.ints = v;
        else
            out->v.floats = v;
        return 0;
    default:
        out->type = 0; /* nothing to free */
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "node %s (%s): attribute %.64s has type %s (unsupported)",
                       n->name, n->op_type, out->name, im_attr_type_name(kind));
    }
}

/*
 * Attributes of older opsets that carry no meaning for aclsub's kernels:
 * consumed_inputs (opset < 6), BatchNormalization's is_test and spatial=1,
 * and the broadcast flag of opset < 7 (numpy broadcasting when no axis is
 * given).
 */
static int im_attr_dropped(const Onnx__NodeProto *on, const Onnx__AttributeProto *a)
{
    const char *op = on->op_type, *name = a->name;
    if (strcmp(name, "consumed_inputs") == 0)
        return 1;
    if (strcmp(op, "BatchNormalization") == 0 || strcmp(op, "Dropout") == 0)
        return strcmp(name, "is_test") == 0 || (strcmp(name, "spatial") == 0 && a->i == 1);
    int binary = strcmp(op, "Add") == 0 || strcmp(op, "Sub") == 0 || strcmp(op, "Mul") == 0 || strcmp(op, "Div") == 0;
    if (strcmp(name, "broadcast") == 0 && (binary || strcmp(op, "Gemm") == 0)) {
        for (size_t k = 0; k < on->n_attribute; k++)
            if (on->attribute[k]->name && strcmp(on->attribute[k]->name, "axis") == 0)
                return 0;
        return 1;
    }
    return 0;
}

static int im_attrs(imp *p, const Onnx__NodeProto *on, graph_node *n)
{
    if (on->n_attribute > OM_MAX_NODE_ATTRS)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "node %s (%s): more than %u attributes", n->name, n->op_type,
                       OM_MAX_NODE_ATTRS);
    if (!(n->attrs = calloc(on->n_attribute + 2, sizeof *n->attrs))) /* +2: room for opset rewrites */
        return im_oom(p);
    for (size_t k = 0; k < on->n_attribute; k++) {
        const Onnx__AttributeProto *a = on->attribute[k];
        if (!a->name || !*a->name)
            return im_fail(p, ONNX_IMPORT_EINVAL, "node %s (%s): attribute %zu has no name", n->name, n->op_type, k);
        if (a->ref_attr_name && *a->ref_attr_name)
            return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "node %s (%s): attribute %.64s refers to a function attribute",
                           n->name, n->op_type, a->name);
        if (strlen(a->name) > OM_MAX_NAME)
            return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "node %s (%s): attribute name longer than %u bytes", n->name,
                           n->op_type, OM_MAX_NAME);
        if (im_attr_dropped(on, a))
            continue;
        if (graph_attr_find(n, a->name))
            return im_fail(p, ONNX_IMPORT_EINVAL, "node %s (%s): attribute %.64s given twice", n->name, n->op_type,
                           a->name);
        graph_attr *ga = &n->attrs[n->n_attrs];
        if (!(ga->name = strdup(a->name)))
            return im_oom(p);
        n->n_attrs++;
        int rc = im_attr_value(p, n, a, im_attr_kind(a), ga);
        if (rc)
            return rc;
    }
    return 0;
}

/* Appends an INT attribute (room for it was reserved by im_attrs). */
static int im_add_int_attr(imp *p, graph_node *n, const char *name, int64_t v)
{
    graph_attr *a = &n->attrs[n->n_attrs];
    if (!(a->name = strdup(name)))
        return im_oom(p);
    a->type = ATTR_INT;
    a->count = 1;
    a->v.i = v;
    n->n_attrs++;
    return 0;
}

/*
 * Softmax before opset 13 flattened the input to 2-D at `axis` (default 1).
 * The axis is written out (opset 13's default is -1), and when it is not
 * the last axis, where the two meanings differ, _legacy_coerce2d=1 asks the
 * operator for the old one.
 */
static int im_softmax_legacy(imp *p, graph_node *n)
{
    if (p->opset >= 13 || strcmp(n->op_type, "Softmax") != 0 || n->n_inputs < 1 ||
        n->inputs[0] == GRAPH_NO_TENSOR)
        return 0;
    int64_t rank = p->b.g->tensors[n->inputs[0]].rank;
    graph_attr *a = (graph_attr *)graph_attr_find(n, "axis");
    if (a && a->type != ATTR_INT)
        return 0; /* op_infer names the bad type */
    int64_t axis = a ? a->v.i : 1;
    int rc = a ? 0 : im_add_int_attr(p, n, "axis", axis);
    if (rc || (axis < 0 ? axis + rank : axis) == rank - 1)
        return rc;
    return im_add_int_attr(p, n, "_legacy_coerce2d", 1);
}

/* --- nodes --------------------------------------------------------------------------------------- */

/* The tensor behind an input name; "" is an absent optional input. */
static int im_resolve_input(imp *p, const graph_node *n, const char *name, uint32_t *idx)
{
    if (!*name) {
        *idx = GRAPH_NO_TENSOR;
        return 0;
    }
    if (!name_map_get(&p->values, name, idx))
        return im_fail(p, ONNX_IMPORT_EINVAL,
                       "node %s (%s): input '%.64s' is not a graph input, an initializer or a node's output", n->name,
                       n->op_type, name);
    /* Exporters pass an empty constant for an optional input they leave out (Resize's roi, scales). */
    const graph_tensor *t = &p->b.g->tensors[*idx];
    if (t->kind == TENSOR_WEIGHT && t->bytes == 0)
        *idx = GRAPH_NO_TENSOR;
    return 0;
}

static int im_node_inputs(imp *p, const Onnx__NodeProto *on, graph_node *n)
{
    size_t count = on->n_input;
    while (count && !*on->input[count - 1]) /* trailing absent inputs */
        count--;
    if (count > OM_MAX_NODE_IO)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "node %s (%s): more than %u inputs", n->name, n->op_type,
                       OM_MAX_NODE_IO);
    if (!(n->inputs = malloc((count ? count : 1) * sizeof *n->inputs)))
        return im_oom(p);
    n->n_inputs = (uint32_t)count;
    for (size_t k = 0; k < count; k++) {
        int rc = im_resolve_input(p, n, on->input[k], &n->inputs[k]);
        if (rc)
            return rc;
    }
    while (n->n_inputs && n->inputs[n->n_inputs - 1] == GRAPH_NO_TENSOR)
        n->n_inputs--;
    return 0;
}

/* Declares the node's outputs as new activations; an absent one in the middle gets a made-up name. */
static int im_node_outputs(imp *p, const Onnx__NodeProto *on, graph_node *n)
{
    size_t count = on->n_output;
    while (count && !*on->output[count - 1])
        count--;
    if (count == 0)
        return im_fail(p, ONNX_IMPORT_EINVAL, "node %s (%s): no outputs", n->name, n->op_type);
    if (count > OM_MAX_NODE_IO)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "node %s (%s): more than %u outputs", n->name, n->op_type,
                       OM_MAX_NODE_IO);
    if (!(n->outputs = malloc(count * sizeof *n->outputs)))
        return im_oom(p);
    for (size_t k = 0; k < count; k++) {
        const char *o = on->output[k];
        int rc;
        if (!*o) {
            char tmp[OM_MAX_NAME + 16];
            snprintf(tmp, sizeof tmp, "%.200s:unused%zu", n->name, k);
            rc = im_new_tensor_as(p, tmp, NULL, TENSOR_ACTIVATION, &n->outputs[k]);
        } else {
            rc = im_new_tensor(p, o, TENSOR_ACTIVATION, &n->outputs[k]);
        }
        if (rc)
            return rc;
        n->n_outputs = (uint32_t)k + 1;
    }
    return 0;
}

/* The node's name, or "<op_type>_<index>" for an unnamed node. */
static int im_node_names(imp *p, const Onnx__NodeProto *on, uint32_t index, graph_node *n)
{
    char made[96];
    const char *name = on->name;
    if (!name || !*name) {
        snprintf(made, sizeof made, "%.64s_%u", on->op_type, index);
        name = made;
    }
    if (!(n->name = builder_name_dup(name)) || !(n->op_type = builder_name_dup(on->op_type)))
        return im_oom(p);
    return 0;
}

/* Runs a node whose inputs are all weights; its outputs become weights. */
static int im_fold(imp *p, graph_node *n)
{
    graph *g = p->b.g;
    uint64_t off[OM_MAX_NODE_IO];
    const void *in[OM_MAX_NODE_IO];
    void *out[OM_MAX_NODE_IO];
    for (uint32_t k = 0; k < n->n_outputs; k++) {
        int rc = im_weight_room(p, g->tensors[n->outputs[k]].bytes, &off[k]);
        if (rc)
            return rc;
    }
    /* pointers only now: the weight region may have moved */
    for (uint32_t k = 0; k < n->n_inputs; k++)
        in[k] = n->inputs[k] == GRAPH_NO_TENSOR ? NULL : g->weights + g->tensors[n->inputs[k]].offset;
    for (uint32_t k = 0; k < n->n_outputs; k++) {
        graph_tensor *t = &g->tensors[n->outputs[k]];
        t->kind = TENSOR_WEIGHT;
        t->offset = off[k];
        out[k] = g->weights + off[k];
    }
    op_run(g, n, in, out);
    p->st.folded++;
    return 0;
}

static int im_all_constant(const graph *g, const graph_node *n)
{
    uint32_t present = 0;
    for (uint32_t k = 0; k < n->n_inputs; k++) {
        if (n->inputs[k] == GRAPH_NO_TENSOR)
            continue;
        if (g->tensors[n->inputs[k]].kind != TENSOR_WEIGHT)
            return 0;
        present++;
    }
    return present > 0;
}

/* Keeps node n as a device operator (the graph takes it over). */
static int im_append_node(imp *p, graph_node *n)
{
    int rc = builder_add_node(&p->b, n);
    return rc ? im_builder_fail(p, rc, "operators") : 0;
}

/* Shape: the input's static shape (dims start..end, opset 15) as an int64 weight. */
static int im_shape_node(imp *p, const Onnx__NodeProto *on, graph_node *n)
{
    uint32_t x;
    int rc;
    if (on->n_input < 1 || on->n_output < 1 || !*on->output[0] || on->n_output > 1 || on->n_input > 1)
        return im_fail(p, ONNX_IMPORT_EINVAL, "node %s (%s): want 1 input and 1 output", n->name, n->op_type);
    if ((rc = im_resolve_input(p, n, on->input[0], &x)))
        return rc;
    if (x == GRAPH_NO_TENSOR)
        return im_fail(p, ONNX_IMPORT_EINVAL, "node %s (%s): input 0 is missing", n->name, n->op_type);
    graph_tensor src = p->b.g->tensors[x];
    int64_t r = src.rank, lo = 0, hi = r;
    for (size_t k = 0; k < on->n_attribute; k++) {
        const Onnx__AttributeProto *a = on->attribute[k];
        const char *an = im_str(a->name);
        if ((strcmp(an, "start") != 0 && strcmp(an, "end") != 0) ||
            im_attr_kind(a) != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT)
            return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "node %s (%s): unsupported attribute %.64s", n->name,
                           n->op_type, an);
        int64_t v = a->i < -r ? -r : a->i > r ? r : a->i;
        v = v < 0 ? v + r : v;
        if (an[0] == 's')
            lo = v;
        else
            hi = v;
    }
    int64_t len = hi > lo ? hi - lo : 0;
    uint32_t idx;
    if ((rc = im_new_weight(p, on->output[0], DT_INT64, 1, &len, &idx)))
        return rc;
    if (len)
        memcpy(p->b.g->weights + p->b.g->tensors[idx].offset, src.dims + lo, (size_t)len * sizeof(int64_t));
    p->st.folded++;
    return 0;
}

/* Constant's value_float / value_int / value_floats / value_ints as a weight. */
static int im_constant_scalar(imp *p, const char *name, const Onnx__AttributeProto *a, int kind)
{
    int is_float = kind == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT ||
                   kind == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
    int is_list = kind == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS ||
                  kind == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    int64_t len = is_list ? (int64_t)(is_float ? a->n_floats : a->n_ints) : 1;
    const void *src = is_list ? (is_float ? (const void *)a->floats : (const void *)a->ints)
                              : (is_float ? (const void *)&a->f : (const void *)&a->i);
    uint32_t idx;
    int rc = im_new_weight(p, name, is_float ? DT_FLOAT : DT_INT64, is_list ? 1 : 0, &len, &idx);
    if (rc)
        return rc;
    graph_tensor *t = &p->b.g->tensors[idx];
    if (t->bytes)
        memcpy(p->b.g->weights + t->offset, src, (size_t)t->bytes);
    return 0;
}

static int im_constant_node(imp *p, const Onnx__NodeProto *on, const graph_node *n)
{
    if (on->n_output != 1 || !*on->output[0])
        return im_fail(p, ONNX_IMPORT_EINVAL, "node %s (%s): want 1 output", n->name, n->op_type);
    if (on->n_attribute != 1)
        return im_fail(p, ONNX_IMPORT_EINVAL, "node %s (%s): want exactly one value attribute, got %zu", n->name,
                       n->op_type, on->n_attribute);
    const Onnx__AttributeProto *a = on->attribute[0];
    const char *an = im_str(a->name);
    int kind = im_attr_kind(a);
    p->st.folded++;
    if (strcmp(an, "value") == 0 && kind == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR && a->t)
        return im_tensor_weight(p, "constant", on->output[0], a->t);
    if ((strcmp(an, "value_float") == 0 && kind == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT) ||
        (strcmp(an, "value_floats") == 0 && kind == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS) ||
        (strcmp(an, "value_int") == 0 && kind == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT) ||
        (strcmp(an, "value_ints") == 0 && kind == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS))
        return im_constant_scalar(p, on->output[0], a, kind);
    return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "node %s (%s): unsupported attribute %.64s of type %s", n->name,
                   n->op_type, an, im_attr_type_name(kind));
}

/* A device operator: inputs, attributes, outputs, op_infer, then folded or kept. */
static int im_op_node(imp *p, const Onnx__NodeProto *on, graph_node *n)
{
    int rc;
    n->op = op_lookup(on->op_type);
    if (n->op == OP_UNKNOWN)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "node %s (%s): unsupported operator", n->name, n->op_type);
    if ((rc = im_node_inputs(p, on, n)) || (rc = im_attrs(p, on, n)) || (rc = im_softmax_legacy(p, n)) ||
        (rc = im_node_outputs(p, on, n)))
        return rc;
    char why[512];
    if (op_infer(p->b.g, n, why, sizeof why))
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "%s", why);
    return im_all_constant(p->b.g, n) ? im_fold(p, n) : im_append_node(p, n);
}

static int im_node(imp *p, uint32_t index)
{
    const Onnx__NodeProto *on = p->og->node[index];
    graph_node n = {0};
    if (!on->op_type || !*on->op_type)
        return im_fail(p, ONNX_IMPORT_EINVAL, "node %u (%.64s) has no op type", index, im_node_label(on));
    int rc = im_node_names(p, on, index, &n);
    if (rc == 0 && on->domain && *on->domain && strcmp(on->domain, "ai.onnx") != 0)
        rc = im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "node %s (%s): operator of domain '%.64s' is unsupported", n.name,
                     n.op_type, on->domain);
    else if (rc == 0 && strcmp(on->op_type, "Constant") == 0)
        rc = im_constant_node(p, on, &n);
    else if (rc == 0 && strcmp(on->op_type, "Shape") == 0)
        rc = im_shape_node(p, on, &n);
    else if (rc == 0)
        rc = im_op_node(p, on, &n);
    graph_node_free(&n); /* a no-op when the graph took it over */
    return rc;
}

static int im_nodes(imp *p)
{
    const Onnx__GraphProto *og = p->og;
    uint32_t *order;
    if (og->n_node > OM_MAX_COUNT)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "more than %u nodes", OM_MAX_COUNT);
    p->st.onnx_nodes = (uint32_t)og->n_node;
    int rc = im_sort(p, &order);
    if (rc)
        return rc;
    for (size_t i = 0; rc == 0 && i < og->n_node; i++)
        rc = im_node(p, order[i]);
    free(order);
    return rc;
}

/* --- graph outputs ------------------------------------------------------------------------------ */

/*
 * A weight or graph input named as a graph output is copied out by an
 * operator: Identity when the device has it, else a one-input Concat (a
 * plain copy of any dtype, rank >= 1).
 */
static int im_output_copy_op(imp *p, const char *name, const graph_tensor *t, graph_node *n)
{
    const char *op = op_lookup("Identity") != OP_UNKNOWN ? "Identity" : t->rank ? "Concat" : NULL;
    if (!op)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED,
                       "graph output '%.64s' is a %s scalar; an .om needs every output produced by an operator", name,
                       t->kind == TENSOR_INPUT ? "graph input" : "constant");
    char made[OM_MAX_NAME + 16];
    snprintf(made, sizeof made, "%.200s_identity", name);
    n->op = op_lookup(op);
    if (!(n->name = builder_name_dup(made)) || !(n->op_type = strdup(op)) || !(n->inputs = malloc(sizeof(uint32_t))) ||
        !(n->outputs = malloc(sizeof(uint32_t))) || !(n->attrs = calloc(1, sizeof *n->attrs)))
        return im_oom(p);
    return n->op == op_lookup("Concat") ? im_add_int_attr(p, n, "axis", 0) : 0;
}

static int im_output_identity(imp *p, const char *name, uint32_t *idx)
{
    graph_node n = {0};
    int rc = im_output_copy_op(p, name, &p->b.g->tensors[*idx], &n);
    if (rc == 0) {
        n.n_inputs = n.n_outputs = 1;
        n.inputs[0] = *idx;
        rc = im_new_tensor(p, name, TENSOR_ACTIVATION, &n.outputs[0]);
    }
    char why[512];
    if (rc == 0 && op_infer(p->b.g, &n, why, sizeof why))
        rc = im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "%s", why);
    if (rc == 0) {
        *idx = n.outputs[0];
        rc = im_append_node(p, &n);
    }
    graph_node_free(&n);
    return rc;
}

static int im_outputs(imp *p)
{
    const Onnx__GraphProto *og = p->og;
    graph *g = p->b.g;
    if (og->n_output == 0)
        return im_fail(p, ONNX_IMPORT_EINVAL, "the graph has no outputs");
    if (og->n_output > OM_MAX_COUNT)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "more than %u graph outputs", OM_MAX_COUNT);
    for (size_t i = 0; i < og->n_output; i++) {
        const char *name = og->output[i]->name;
        uint32_t idx;
        if (!name || !name_map_get(&p->values, name, &idx))
            return im_fail(p, ONNX_IMPORT_EINVAL, "graph output '%.64s' is not produced by any node", im_str(name));
        int rc = g->tensors[idx].kind == TENSOR_ACTIVATION ? 0 : im_output_identity(p, name, &idx);
        if (rc)
            return rc;
        for (uint32_t k = 0; k < g->n_outputs; k++)
            if (g->outputs[k] == idx)
                return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "graph output '%.64s' is listed twice", name);
        if ((rc = builder_add_output(&p->b, idx)))
            return im_builder_fail(p, rc, "graph outputs");
    }
    return 0;
}

/* --- dropping unused weights ------------------------------------------------------------------------ */

static void im_remap(uint32_t *v, uint32_t n, const uint32_t *map)
{
    for (uint32_t k = 0; k < n; k++)
        if (v[k] != GRAPH_NO_TENSOR)
            v[k] = map[v[k]];
}

static int im_drop_unused(imp *p)
{
    graph *g = p->b.g;
    unsigned char *used = calloc(g->n_tensors ? g->n_tensors : 1, 1);
    uint32_t *map = malloc((g->n_tensors ? g->n_tensors : 1) * sizeof *map);
    if (!used || !map) {
        free(used);
        free(map);
        return im_oom(p);
    }
    for (uint32_t i = 0; i < g->n_tensors; i++)
        used[i] = g->tensors[i].kind != TENSOR_WEIGHT;
    for (uint32_t i = 0; i < g->n_nodes; i++)
        for (uint32_t k = 0; k < g->nodes[i].n_inputs; k++)
            if (g->nodes[i].inputs[k] != GRAPH_NO_TENSOR)
                used[g->nodes[i].inputs[k]] = 1;
    int rc = builder_pack_weights(&p->b, used) ? im_oom(p) : 0;
    uint32_t kept = 0;
    for (uint32_t i = 0; rc == 0 && i < g->n_tensors; i++) {
        if (!used[i]) {
            free(g->tensors[i].name);
            p->st.dropped_weights++;
            continue;
        }
        map[i] = kept;
        g->tensors[kept++] = g->tensors[i];
    }
    if (rc == 0) {
        g->n_tensors = kept;
        for (uint32_t i = 0; i < g->n_nodes; i++) {
            im_remap(g->nodes[i].inputs, g->nodes[i].n_inputs, map);
            im_remap(g->nodes[i].outputs, g->nodes[i].n_outputs, map);
        }
        im_remap(g->inputs, g->n_inputs, map);
        im_remap(g->outputs, g->n_outputs, map);
    }
    free(used);
    free(map);
    return rc;
}

/* --- fusion (fuse.h) ------------------------------------------------------------------------------ */

static int im_fuse(imp *p, const onnx_import_opts *opts)
{
    fuse_stats fs;
    int rc = fuse_graph(&p->b, opts ? opts->fusion_off : 0, &fs);
    if (rc)
        return rc == BUILDER_ELIMIT ? im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "fused weights exceed the .om limits")
                                    : im_oom(p);
    p->st.fused = fs.folded_nodes + fs.act_nodes;
    return 0;
}

/* --- entry points --------------------------------------------------------------------------------- */

static int64_t im_opset(const Onnx__ModelProto *m)
{
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *o = m->opset_import[i];
        if ((!o->domain || !*o->domain || strcmp(o->domain, "ai.onnx") == 0) && o->has_version)
            return o->version;
    }
    return IM_DEFAULT_OPSET;
}

/* The passes, into p->b; the caller finishes or discards the graph. */
static int im_run(imp *p, const Onnx__ModelProto *m, const onnx_import_opts *opts)
{
    if (!m->graph)
        return im_fail(p, ONNX_IMPORT_EINVAL, "the model has no graph");
    p->og = m->graph;
    p->opset = im_opset(m);
    if (builder_init(&p->b, opts && opts->max_weight_bytes ? opts->max_weight_bytes : ONNX_IMPORT_MAX_WEIGHTS))
        return im_oom(p);
    int rc = im_parse_shapes(p, opts ? opts->input_shape : NULL);
    if (rc || (rc = im_initializers(p)) || (rc = im_inputs(p)) || (rc = im_nodes(p)) || (rc = im_outputs(p)) ||
        (rc = im_fuse(p, opts)) || (rc = im_drop_unused(p)))
        return rc;
    if (p->b.g->n_nodes == 0)
        return im_fail(p, ONNX_IMPORT_EUNSUPPORTED, "no operator is left after constant folding");
    return 0;
}

int onnx_import(const void *data, size_t len, const onnx_import_opts *opts, graph **out,
                onnx_import_stats *stats, char *err, size_t errlen)
{
    imp p = {.src = opts && opts->source ? opts->source : "<onnx>", .err = err, .errlen = errlen};
    if (err && errlen)
        err[0] = '\0';
    *out = NULL;
    if (!data && len)
        return im_fail(&p, ONNX_IMPORT_EINVAL, "no data");
    if (len > ONNX_IMPORT_MAX_BYTES)
        return im_fail(&p, ONNX_IMPORT_EUNSUPPORTED, "larger than %zu bytes", ONNX_IMPORT_MAX_BYTES);
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, data);
    if (!m)
        return im_fail(&p, ONNX_IMPORT_EINVAL, "not an ONNX model (the protobuf does not parse as a ModelProto)");
    int rc = im_run(&p, m, opts);
    onnx__model_proto__free_unpacked(m, NULL);
    name_map_free(&p.values);
    name_map_free(&p.inits);
    for (size_t k = 0; k < p.n_shapes; k++)
        free(p.shapes[k].name);
    free(p.shapes);
    if (rc == 0 && builder_finish(&p.b, out))
        rc = im_oom(&p);
    if (rc) {
        builder_discard(&p.b);
        return rc;
    }
    if (stats)
        *stats = p.st;
    return ONNX_IMPORT_OK;
}

int onnx_import_op_known(const char *op_type)
{
    return op_type && (strcmp(op_type, "Constant") == 0 || strcmp(op_type, "Shape") == 0 ||
                       op_lookup(op_type) != OP_UNKNOWN);
}
