/*
 * test_onnx_import.c - the ONNX importer behind `aclsub atc`
 * (tools/compile/onnx_import.h): models are built in memory from protobuf-c
 * structs, packed to bytes and imported.  Covers constant folding (a
 * Shape -> ... -> Reshape chain, an all-constant model), node names and
 * types, made-up names, sorting and cycles, static shapes and
 * --input_shape, the opset rewrites, the error messages, unused weights,
 * the .om round trip and damaged bytes.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl/acl_base.h"
#include "shim/engine/om.h"
#include "gen/onnx.pb-c.h"
#include "tools/compile/fuse.h"
#include "tools/compile/onnx_import.h"
#include "shim/engine/ops.h"
#include "tests/unit/testutil.h"
#include "tools/compile/om_write.h"

/* --- building models --------------------------------------------------------------------- */

/* Everything a test builds is allocated here and freed by mb_free. */
#define MB_MAX 256

typedef struct mb {
    Onnx__ModelProto m;
    Onnx__GraphProto g;
    Onnx__OperatorSetIdProto opset;
    Onnx__OperatorSetIdProto *opsets[1];
    Onnx__NodeProto *nodes[32];
    Onnx__TensorProto *inits[32];
    Onnx__ValueInfoProto *ins[8], *outs[8];
    void *owned[MB_MAX];
    size_t n_owned;
    char err[1024];
    onnx_import_stats st;
    unsigned fusion_off; /* FUSE_NO_* passed to the import */
} mb;

static void *mb_alloc(mb *b, size_t n)
{
    ck_assert_uint_lt(b->n_owned, MB_MAX);
    void *p = calloc(1, n);
    ck_assert_ptr_nonnull(p);
    b->owned[b->n_owned++] = p;
    return p;
}

static mb *mb_new(int64_t opset)
{
    mb *b = calloc(1, sizeof *b);
    ck_assert_ptr_nonnull(b);
    Onnx__ModelProto m = ONNX__MODEL_PROTO__INIT;
    Onnx__GraphProto g = ONNX__GRAPH_PROTO__INIT;
    Onnx__OperatorSetIdProto o = ONNX__OPERATOR_SET_ID_PROTO__INIT;
    b->m = m;
    b->g = g;
    b->opset = o;
    b->opset.domain = "";
    b->opset.has_version = 1;
    b->opset.version = opset;
    b->opsets[0] = &b->opset;
    b->m.has_ir_version = 1;
    b->m.ir_version = 8;
    b->m.n_opset_import = 1;
    b->m.opset_import = b->opsets;
    b->m.graph = &b->g;
    b->g.name = "test";
    b->g.node = b->nodes;
    b->g.initializer = b->inits;
    b->g.input = b->ins;
    b->g.output = b->outs;
    return b;
}

static void mb_free(mb *b)
{
    for (size_t i = 0; i < b->n_owned; i++)
        free(b->owned[i]);
    free(b);
}

/* A tensor value info; dims < 0 are written as the symbolic dim "N". */
static Onnx__ValueInfoProto *mb_vi(mb *b, const char *name, int elem, int rank, const int64_t *dims)
{
    Onnx__ValueInfoProto *vi = mb_alloc(b, sizeof *vi);
    Onnx__ValueInfoProto vi0 = ONNX__VALUE_INFO_PROTO__INIT;
    Onnx__TypeProto *tp = mb_alloc(b, sizeof *tp);
    Onnx__TypeProto tp0 = ONNX__TYPE_PROTO__INIT;
    Onnx__TypeProto__Tensor *tt = mb_alloc(b, sizeof *tt);
    Onnx__TypeProto__Tensor tt0 = ONNX__TYPE_PROTO__TENSOR__INIT;
    Onnx__TensorShapeProto *sp = mb_alloc(b, sizeof *sp);
    Onnx__TensorShapeProto sp0 = ONNX__TENSOR_SHAPE_PROTO__INIT;
    *vi = vi0, *tp = tp0, *tt = tt0, *sp = sp0;
    sp->n_dim = (size_t)rank;
    sp->dim = mb_alloc(b, (size_t)(rank + 1) * sizeof *sp->dim);
    for (int k = 0; k < rank; k++) {
        Onnx__TensorShapeProto__Dimension d0 = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__INIT;
        Onnx__TensorShapeProto__Dimension *d = sp->dim[k] = mb_alloc(b, sizeof *d);
        *d = d0;
        if (dims[k] >= 0) {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            d->dim_value = dims[k];
        } else {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            d->dim_param = "N";
        }
    }
    tt->has_elem_type = 1;
    tt->elem_type = elem;
    tt->shape = sp;
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    vi->name = (char *)name;
    vi->type = tp;
    return vi;
}

static void mb_input(mb *b, const char *name, int rank, const int64_t *dims)
{
    b->ins[b->g.n_input++] = mb_vi(b, name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, rank, dims);
}

static void mb_output(mb *b, const char *name)
{
    b->outs[b->g.n_output++] = mb_vi(b, name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 0, NULL);
}

/* A node; `ins` and `outs` are comma-separated value names ("" elements allowed). */
static Onnx__NodeProto *mb_node(mb *b, const char *name, const char *op, const char *ins, const char *outs)
{
    Onnx__NodeProto n0 = ONNX__NODE_PROTO__INIT;
    Onnx__NodeProto *n = mb_alloc(b, sizeof *n);
    *n = n0;
    n->name = (char *)name;
    n->op_type = (char *)op;
    n->attribute = mb_alloc(b, 8 * sizeof *n->attribute);
    for (int k = 0; k < 2; k++) {
        const char *list = k ? outs : ins;
        char *copy = mb_alloc(b, strlen(list) + 1);
        char **items = mb_alloc(b, 16 * sizeof *items);
        size_t count = 0;
        strcpy(copy, list);
        for (char *at = copy; *list;) {
            char *comma = strchr(at, ',');
            items[count++] = at;
            if (!comma)
                break;
            *comma = '\0';
            at = comma + 1;
        }
        if (k) {
            n->n_output = count;
            n->output = items;
        } else {
            n->n_input = count;
            n->input = items;
        }
    }
    b->nodes[b->g.n_node++] = n;
    return n;
}

static Onnx__AttributeProto *mb_attr(mb *b, Onnx__NodeProto *n, const char *name, int type)
{
    Onnx__AttributeProto a0 = ONNX__ATTRIBUTE_PROTO__INIT;
    Onnx__AttributeProto *a = mb_alloc(b, sizeof *a);
    *a = a0;
    a->name = (char *)name;
    a->has_type = 1;
    a->type = type;
    n->attribute[n->n_attribute++] = a;
    return a;
}

static void mb_attr_int(mb *b, Onnx__NodeProto *n, const char *name, int64_t v)
{
    Onnx__AttributeProto *a = mb_attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    a->has_i = 1;
    a->i = v;
}

static void mb_attr_ints(mb *b, Onnx__NodeProto *n, const char *name, size_t count, const int64_t *v)
{
    Onnx__AttributeProto *a = mb_attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    a->n_ints = count;
    a->ints = (int64_t *)v;
}

/* A TensorProto with raw little-endian data. */
static Onnx__TensorProto *mb_tensor(mb *b, const char *name, int type, int rank, const int64_t *dims,
                                    const void *data, size_t bytes)
{
    Onnx__TensorProto t0 = ONNX__TENSOR_PROTO__INIT;
    Onnx__TensorProto *t = mb_alloc(b, sizeof *t);
    *t = t0;
    t->name = (char *)name;
    t->has_data_type = 1;
    t->data_type = type;
    t->n_dims = (size_t)rank;
    t->dims = (int64_t *)dims;
    t->has_raw_data = 1;
    t->raw_data.len = bytes;
    t->raw_data.data = (uint8_t *)data;
    return t;
}

static void mb_init_i64(mb *b, const char *name, size_t n, const int64_t *v)
{
    int64_t *dims = mb_alloc(b, sizeof *dims);
    dims[0] = (int64_t)n;
    b->inits[b->g.n_initializer++] = mb_tensor(b, name, ONNX__TENSOR_PROTO__DATA_TYPE__INT64, 1, dims, v, n * 8);
}

/* Packs and imports; returns the import result, the graph in *g. */
static int mb_import(mb *b, const char *input_shape, graph **g)
{
    size_t len = onnx__model_proto__get_packed_size(&b->m);
    uint8_t *buf = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(onnx__model_proto__pack(&b->m, buf), len);
    onnx_import_opts opts = {.source = "t.onnx", .input_shape = input_shape, .fusion_off = b->fusion_off};
    int rc = onnx_import(buf, len, &opts, g, &b->st, b->err, sizeof b->err);
    free(buf);
    if (rc != ONNX_IMPORT_OK) {
        ck_assert_ptr_null(*g);
        ck_assert_msg(strncmp(b->err, "t.onnx: ", 8) == 0 && !strchr(b->err, '\n'), "bad message: %s", b->err);
    }
    return rc;
}

static graph *mb_import_ok(mb *b, const char *input_shape)
{
    graph *g = NULL;
    int rc = mb_import(b, input_shape, &g);
    ck_assert_msg(rc == ONNX_IMPORT_OK, "import failed (%d): %s", rc, b->err);
    return g;
}

static void mb_import_fails(mb *b, int want, const char *needle1, const char *needle2)
{
    graph *g = NULL;
    int rc = mb_import(b, NULL, &g);
    ck_assert_msg(rc == want, "import returned %d, want %d (%s)", rc, want, b->err);
    ck_assert_msg(strstr(b->err, needle1), "'%s' not in: %s", needle1, b->err);
    ck_assert_msg(!needle2 || strstr(b->err, needle2), "'%s' not in: %s", needle2, b->err);
}

static const graph_tensor *out_tensor(const graph *g, uint32_t k)
{
    return &g->tensors[g->outputs[k]];
}

static int op_available(const char *op)
{
    return op_lookup(op) != OP_UNKNOWN;
}

static const int64_t x234[] = {2, 3, 4};

/* --- constant folding -------------------------------------------------------------------- */

static void check_reshape_only(mb *b, graph *g)
{
    ck_assert_uint_eq(g->n_nodes, 1);
    ck_assert_str_eq(g->nodes[0].op_type, "Reshape");
    ck_assert_str_eq(g->nodes[0].name, "reshape");
    const graph_tensor *y = out_tensor(g, 0);
    ck_assert_uint_eq(y->rank, 2);
    ck_assert_int_eq(y->dims[0], 2);
    ck_assert_int_eq(y->dims[1], 12);
    const graph_tensor *shape = &g->tensors[g->nodes[0].inputs[1]];
    ck_assert_uint_eq(shape->kind, TENSOR_WEIGHT);
    int64_t v[2];
    memcpy(v, g->weights + shape->offset, sizeof v);
    ck_assert_int_eq(v[0], 2);
    ck_assert_int_eq(v[1], -1);
    /* the graph keeps x, the shape weight and y: folded intermediates are gone */
    ck_assert_uint_eq(g->n_tensors, 3);
    ck_assert_uint_gt(b->st.folded, 0);
}

/* Shape(start=0, end=1) -> Concat with [-1] -> Reshape: only the Reshape is left. */
START_TEST(test_fold_shape_concat_reshape)
{
    static const int64_t minus1[] = {-1};
    mb *b = mb_new(15);
    mb_input(b, "x", 3, x234);
    mb_init_i64(b, "minus1", 1, minus1);
    Onnx__NodeProto *s = mb_node(b, "shape", "Shape", "x", "s");
    mb_attr_int(b, s, "end", 1);
    mb_attr_int(b, mb_node(b, "cat", "Concat", "s,minus1", "target"), "axis", 0);
    mb_node(b, "reshape", "Reshape", "x,target", "y");
    mb_output(b, "y");
    graph *g = mb_import_ok(b, NULL);
    check_reshape_only(b, g);
    ck_assert_uint_eq(b->st.folded, 2);
    graph_free(g);
    mb_free(b);
}
END_TEST

/* The exporters' chain: Shape -> Gather(0) -> Unsqueeze -> Concat -> Reshape. */
START_TEST(test_fold_shape_gather_unsqueeze_chain)
{
    if (!op_available("Gather") || !op_available("Unsqueeze"))
        return; /* the device does not have these operators yet */
    static const int64_t minus1[] = {-1}, zero[] = {0}, axes[] = {0};
    static const int64_t scalar_dims[1];
    mb *b = mb_new(13);
    mb_input(b, "x", 3, x234);
    mb_init_i64(b, "minus1", 1, minus1);
    mb_init_i64(b, "axes", 1, axes);
    b->inits[b->g.n_initializer++] =
        mb_tensor(b, "zero", ONNX__TENSOR_PROTO__DATA_TYPE__INT64, 0, scalar_dims, zero, 8);
    mb_node(b, "shape", "Shape", "x", "s");
    mb_attr_int(b, mb_node(b, "gather", "Gather", "s,zero", "batch"), "axis", 0);
    mb_node(b, "unsq", "Unsqueeze", "batch,axes", "batch1");
    mb_attr_int(b, mb_node(b, "cat", "Concat", "batch1,minus1", "target"), "axis", 0);
    mb_node(b, "reshape", "Reshape", "x,target", "y");
    mb_output(b, "y");
    graph *g = mb_import_ok(b, NULL);
    check_reshape_only(b, g);
    ck_assert_uint_eq(b->st.folded, 4);
    graph_free(g);
    mb_free(b);
}
END_TEST

/* Constant -> Relu: everything folds; the output is copied out by one operator. */
START_TEST(test_fold_all_constant)
{
    static const float vals[] = {-1.0f, 2.0f, -3.0f, 4.0f};
    static const int64_t dims[] = {4};
    mb *b = mb_new(13);
    Onnx__NodeProto *c = mb_node(b, "const", "Constant", "", "c");
    Onnx__AttributeProto *a = mb_attr(b, c, "value", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR);
    a->t = mb_tensor(b, "", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, dims, vals, sizeof vals);
    mb_node(b, "relu", "Relu", "c", "y");
    mb_output(b, "y");
    graph *g = mb_import_ok(b, NULL);
    ck_assert_uint_eq(b->st.folded, 2);
    ck_assert_uint_eq(g->n_nodes, 1);
    ck_assert_str_eq(g->nodes[0].name, "y_identity");
    const graph_tensor *w = &g->tensors[g->nodes[0].inputs[0]];
    ck_assert_uint_eq(w->kind, TENSOR_WEIGHT);
    float got[4];
    memcpy(got, g->weights + w->offset, sizeof got);
    ck_assert(got[0] == 0.0f && got[1] == 2.0f && got[2] == 0.0f && got[3] == 4.0f);
    ck_assert_str_eq(out_tensor(g, 0)->name, "y");
    graph_free(g);
    mb_free(b);
}
END_TEST

/* Constant's value_ints feeds Reshape; an unused initializer is dropped. */
START_TEST(test_constant_value_ints_and_unused_weight)
{
    static const int64_t target[] = {4, 6}, junk[] = {1, 2, 3};
    mb *b = mb_new(13);
    mb_input(b, "x", 3, x234);
    mb_init_i64(b, "junk", 3, junk);
    mb_attr_ints(b, mb_node(b, "c", "Constant", "", "target"), "value_ints", 2, target);
    mb_node(b, "r", "Reshape", "x,target", "y");
    mb_output(b, "y");
    graph *g = mb_import_ok(b, NULL);
    ck_assert_uint_eq(b->st.dropped_weights, 1);
    ck_assert_uint_eq(g->n_tensors, 3);
    ck_assert_int_eq(out_tensor(g, 0)->dims[0], 4);
    ck_assert_int_eq(out_tensor(g, 0)->dims[1], 6);
    graph_free(g);
    mb_free(b);
}
END_TEST

/* --- fusion (tools/compile/fuse.h) ------------------------------------------------------------ */

/* x -> Conv(w) -> BatchNormalization -> Relu -> y, with fusion_off as given. */
static graph *fused_conv_bn_relu(unsigned fusion_off, mb **out)
{
    static const int64_t dims[] = {1, 2, 4, 4}, wd[] = {2, 2, 1, 1}, pd[] = {2};
    static const float w[4] = {1, 2, 3, 4}, scale[2] = {2, 3}, bias[2] = {1, -1}, mean[2] = {0.5f, 1}, var[2] = {1, 4};
    mb *b = mb_new(13);
    mb_input(b, "x", 4, dims);
    b->inits[b->g.n_initializer++] = mb_tensor(b, "w", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, wd, w, sizeof w);
    b->inits[b->g.n_initializer++] = mb_tensor(b, "s", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, pd, scale, 8);
    b->inits[b->g.n_initializer++] = mb_tensor(b, "b", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, pd, bias, 8);
    b->inits[b->g.n_initializer++] = mb_tensor(b, "m", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, pd, mean, 8);
    b->inits[b->g.n_initializer++] = mb_tensor(b, "v", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, pd, var, 8);
    mb_node(b, "conv1", "Conv", "x,w", "c");
    mb_node(b, "bn_conv1", "BatchNormalization", "c,s,b,m,v", "n");
    mb_node(b, "conv1_relu", "Relu", "n", "y");
    mb_output(b, "y");
    b->fusion_off = fusion_off;
    *out = b;
    return mb_import_ok(b, NULL);
}

START_TEST(test_fusion_conv_bn_relu)
{
    mb *b;
    graph *g = fused_conv_bn_relu(0, &b);
    ck_assert_uint_eq(g->n_nodes, 1);
    ck_assert_uint_eq(b->st.fused, 2);
    const graph_node *n = &g->nodes[0];
    /* graph fusion keeps the Conv's name, UB fusion appends the activation's */
    ck_assert_str_eq(n->name, "conv1conv1_relu");
    ck_assert_str_eq(n->op_type, "Conv");
    ck_assert_str_eq(graph_attr_find(n, "_fused_activation")->v.s, "Relu");
    ck_assert_str_eq(graph_attr_find(n, "_datadump_original_op_names")->v.s, "conv1,bn_conv1,conv1_relu");
    /* folded: w' = w * scale / sqrt(var + eps), b' = bias - mean * scale / sqrt(var + eps) */
    const float *w = (const float *)(g->weights + g->tensors[n->inputs[1]].offset);
    const float *bias = (const float *)(g->weights + g->tensors[n->inputs[2]].offset);
    double k0 = 2.0 / sqrt(1.0 + 1e-5), k1 = 3.0 / sqrt(4.0 + 1e-5);
    ck_assert_float_eq_tol(w[0], (float)(1 * k0), 1e-6f);
    ck_assert_float_eq_tol(w[3], (float)(4 * k1), 1e-6f);
    ck_assert_float_eq_tol(bias[0], (float)(1 - 0.5 * k0), 1e-6f);
    ck_assert_float_eq_tol(bias[1], (float)(-1 - 1 * k1), 1e-6f);
    ck_assert_uint_eq(g->n_tensors, 4); /* x, the folded weight and bias, y: nothing left over */
    graph_free(g);
    mb_free(b);
}
END_TEST

START_TEST(test_fusion_switches)
{
    mb *b;
    graph *g = fused_conv_bn_relu(FUSE_NO_UB, &b); /* BatchNormalization folded, Relu kept */
    ck_assert_uint_eq(g->n_nodes, 2);
    ck_assert_str_eq(g->nodes[0].name, "conv1");
    ck_assert_ptr_null(graph_attr_find(&g->nodes[0], "_fused_activation"));
    ck_assert_str_eq(graph_attr_find(&g->nodes[0], "_datadump_original_op_names")->v.s, "conv1,bn_conv1");
    graph_free(g);
    mb_free(b);
    g = fused_conv_bn_relu(FUSE_NO_GRAPH | FUSE_NO_UB, &b);
    ck_assert_uint_eq(g->n_nodes, 3);
    ck_assert_uint_eq(b->st.fused, 0);
    graph_free(g);
    mb_free(b);
    /* the vendor's switch file, both of its forms */
    ck_assert_uint_eq(fuse_switch_parse("{\"Switch\":{\"GraphFusion\":{\"ALL\":\"off\"},\"UBFusion\":{\"ALL\":\"off\"}}}"),
                      FUSE_NO_GRAPH | FUSE_NO_UB);
    ck_assert_uint_eq(fuse_switch_parse("{ \"Switch\": { \"UBFusion\": { \"ALL\" : \"off\" } } }"), FUSE_NO_UB);
    ck_assert_uint_eq(fuse_switch_parse("{\"Switch\":{\"GraphFusion\":{\"ALL\":\"on\"},\"UBFusion\":{\"X\":\"off\"}}}"), 0);
    ck_assert_uint_eq(fuse_switch_parse("ConvBatchnormFusionPass:off\nALL:off\n"), FUSE_NO_GRAPH | FUSE_NO_UB);
    ck_assert_uint_eq(fuse_switch_parse("SoftmaxFusionPass:off\n"), 0);
}
END_TEST

/* --- names, types and order ------------------------------------------------------------------- */

START_TEST(test_names_and_types_preserved)
{
    static const int64_t dims[] = {1, 3, 8, 8}, wd[] = {4, 3, 3, 3};
    static float w[4 * 3 * 3 * 3];
    mb *b = mb_new(13);
    mb_input(b, "x", 4, dims);
    b->inits[b->g.n_initializer++] =
        mb_tensor(b, "w", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, wd, w, sizeof w);
    Onnx__NodeProto *c = mb_node(b, "p2o.Conv.0", "Conv", "x,w", "c");
    static const int64_t k3[] = {3, 3}, p1[] = {1, 1, 1, 1};
    mb_attr_ints(b, c, "kernel_shape", 2, k3);
    mb_attr_ints(b, c, "pads", 4, p1);
    mb_node(b, "p2o.Relu.0", "Relu", "c", "y");
    mb_output(b, "y");
    b->fusion_off = FUSE_NO_GRAPH | FUSE_NO_UB;
    graph *g = mb_import_ok(b, NULL);
    ck_assert_uint_eq(g->n_nodes, 2);
    ck_assert_str_eq(g->nodes[0].name, "p2o.Conv.0");
    ck_assert_str_eq(g->nodes[0].op_type, "Conv");
    ck_assert_uint_eq(g->nodes[0].op, op_lookup("Conv"));
    ck_assert_str_eq(g->nodes[1].name, "p2o.Relu.0");
    ck_assert_str_eq(g->nodes[1].op_type, "Relu");
    ck_assert_int_eq(out_tensor(g, 0)->dims[1], 4);
    ck_assert_int_eq(out_tensor(g, 0)->dims[3], 8);
    ck_assert_uint_eq(g->n_inputs, 1);
    ck_assert_str_eq(g->tensors[g->inputs[0]].name, "x");
    graph_free(g);
    mb_free(b);
}
END_TEST

START_TEST(test_empty_names_made_up)
{
    mb *b = mb_new(13);
    mb_input(b, "x", 3, x234);
    mb_node(b, "", "Relu", "x", "a");
    mb_node(b, NULL, "Sigmoid", "a", "y");
    mb_output(b, "y");
    graph *g = mb_import_ok(b, NULL);
    ck_assert_str_eq(g->nodes[0].name, "Relu_0");
    ck_assert_str_eq(g->nodes[1].name, "Sigmoid_1");
    graph_free(g);
    mb_free(b);
}
END_TEST

/* Nodes listed consumers first come out in dependency order. */
START_TEST(test_unsorted_graph_sorted)
{
    mb *b = mb_new(13);
    mb_input(b, "x", 3, x234);
    mb_node(b, "third", "Tanh", "b", "y");
    mb_node(b, "second", "Sigmoid", "a", "b");
    mb_node(b, "first", "Relu", "x", "a");
    mb_output(b, "y");
    graph *g = mb_import_ok(b, NULL);
    ck_assert_uint_eq(g->n_nodes, 3);
    ck_assert_str_eq(g->nodes[0].name, "first");
    ck_assert_str_eq(g->nodes[1].name, "second");
    ck_assert_str_eq(g->nodes[2].name, "third");
    graph_free(g);
    mb_free(b);
}
END_TEST

START_TEST(test_cycle_rejected)
{
    mb *b = mb_new(13);
    mb_input(b, "x", 3, x234);
    mb_node(b, "n1", "Add", "x,b", "a");
    mb_node(b, "n2", "Relu", "a", "b");
    mb_output(b, "b");
    mb_import_fails(b, ONNX_IMPORT_EINVAL, "cycle", "(Add)");
    mb_free(b);
}
END_TEST

START_TEST(test_output_defined_twice)
{
    mb *b = mb_new(13);
    mb_input(b, "x", 3, x234);
    mb_node(b, "n1", "Relu", "x", "a");
    mb_node(b, "n2", "Relu", "x", "a");
    mb_output(b, "a");
    mb_import_fails(b, ONNX_IMPORT_EINVAL, "node n2 (Relu): output 'a' is defined more than once", NULL);
    mb_free(b);
}
END_TEST

/* --- errors --------------------------------------------------------------------------------------- */

START_TEST(test_unknown_op_named)
{
    mb *b = mb_new(13);
    mb_input(b, "x", 3, x234);
    mb_node(b, "mystery", "FooBar", "x", "y");
    mb_output(b, "y");
    mb_import_fails(b, ONNX_IMPORT_EUNSUPPORTED, "t.onnx: node mystery (FooBar): unsupported operator", NULL);
    mb_free(b);
}
END_TEST

START_TEST(test_unsupported_attribute_named)
{
    mb *b = mb_new(13);
    mb_input(b, "x", 3, x234);
    mb_attr_int(b, mb_node(b, "act", "Relu", "x", "y"), "alpha", 1);
    mb_output(b, "y");
    mb_import_fails(b, ONNX_IMPORT_EUNSUPPORTED, "node act (Relu)", "alpha");
    mb_free(b);
}
END_TEST

START_TEST(test_graph_attribute_rejected)
{
    mb *b = mb_new(13);
    mb_input(b, "x", 3, x234);
    Onnx__NodeProto *n = mb_node(b, "act", "Relu", "x", "y");
    Onnx__AttributeProto *a = mb_attr(b, n, "body", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH);
    Onnx__GraphProto g0 = ONNX__GRAPH_PROTO__INIT;
    a->g = mb_alloc(b, sizeof *a->g);
    *a->g = g0;
    mb_output(b, "y");
    mb_import_fails(b, ONNX_IMPORT_EUNSUPPORTED, "node act (Relu): attribute body has type GRAPH", NULL);
    mb_free(b);
}
END_TEST

START_TEST(test_bad_dtype_initializer)
{
    static const double d[2] = {1, 2};
    static const int64_t dims[] = {2};
    mb *b = mb_new(13);
    mb_input(b, "x", 3, x234);
    b->inits[b->g.n_initializer++] = mb_tensor(b, "w64", ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE, 1, dims, d, sizeof d);
    mb_node(b, "act", "Relu", "x", "y");
    mb_output(b, "y");
    mb_import_fails(b, ONNX_IMPORT_EUNSUPPORTED, "initializer 'w64' has dtype DOUBLE", NULL);
    mb_free(b);
}
END_TEST

START_TEST(test_initializer_size_mismatch)
{
    static const int64_t v[3] = {1, 2, 3}, dims[] = {4};
    mb *b = mb_new(13);
    mb_input(b, "x", 3, x234);
    b->inits[b->g.n_initializer++] = mb_tensor(b, "short", ONNX__TENSOR_PROTO__DATA_TYPE__INT64, 1, dims, v, sizeof v);
    mb_node(b, "act", "Relu", "x", "y");
    mb_output(b, "y");
    mb_import_fails(b, ONNX_IMPORT_EINVAL, "initializer 'short' has 24 bytes of raw_data, its shape needs 32", NULL);
    mb_free(b);
}
END_TEST

START_TEST(test_external_data_rejected)
{
    static const int64_t dims[] = {2};
    mb *b = mb_new(13);
    mb_input(b, "x", 3, x234);
    Onnx__TensorProto *t = mb_tensor(b, "ext", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, dims, NULL, 0);
    t->has_raw_data = 0;
    t->has_data_location = 1;
    t->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    b->inits[b->g.n_initializer++] = t;
    mb_node(b, "act", "Relu", "x", "y");
    mb_output(b, "y");
    mb_import_fails(b, ONNX_IMPORT_EUNSUPPORTED, "'ext'", "external data is unsupported");
    mb_free(b);
}
END_TEST

START_TEST(test_unknown_input_name)
{
    mb *b = mb_new(13);
    mb_input(b, "x", 3, x234);
    mb_node(b, "act", "Relu", "nowhere", "y");
    mb_output(b, "y");
    mb_import_fails(b, ONNX_IMPORT_EINVAL, "node act (Relu): input 'nowhere'", NULL);
    mb_free(b);
}
END_TEST

START_TEST(test_foreign_domain_rejected)
{
    mb *b = mb_new(13);
    mb_input(b, "x", 3, x234);
    mb_node(b, "fused", "Relu", "x", "y")->domain = "com.microsoft";
    mb_output(b, "y");
    mb_import_fails(b, ONNX_IMPORT_EUNSUPPORTED, "node fused (Relu): operator of domain 'com.microsoft'", NULL);
    mb_free(b);
}
END_TEST

/* --- shapes ----------------------------------------------------------------------------------------- */

START_TEST(test_dynamic_dim_needs_input_shape)
{
    static const int64_t dyn[] = {-1, 3, 48, -1};
    mb *b = mb_new(13);
    mb_input(b, "x", 4, dyn);
    mb_node(b, "act", "Relu", "x", "y");
    mb_output(b, "y");
    mb_import_fails(b, ONNX_IMPORT_EINVAL, "input 'x' dim 0 is 'N'", "--input_shape");
    graph *g = mb_import_ok(b, "x:1,3,48,192");
    ck_assert_int_eq(out_tensor(g, 0)->dims[3], 192);
    ck_assert_uint_eq(out_tensor(g, 0)->bytes, 4u * 3 * 48 * 192);
    graph_free(g);
    g = NULL;
    ck_assert_int_ne(mb_import(b, "x:1,4,48,192", &g), ONNX_IMPORT_OK); /* the model fixes dim 1 = 3 */
    ck_assert_ptr_nonnull(strstr(b->err, "dim 1"));
    ck_assert_int_ne(mb_import(b, "y:1,3,48,192", &g), ONNX_IMPORT_OK);
    ck_assert_ptr_nonnull(strstr(b->err, "'y'"));
    ck_assert_int_ne(mb_import(b, "x:1,3,48", &g), ONNX_IMPORT_OK);
    ck_assert_int_ne(mb_import(b, "x:1,3,,192", &g), ONNX_IMPORT_OK);
    ck_assert_int_ne(mb_import(b, "x1,3,48,192", &g), ONNX_IMPORT_OK);
    ck_assert_int_ne(mb_import(b, "x:1,3,48,-1", &g), ONNX_IMPORT_OK);
    mb_free(b);
}
END_TEST

START_TEST(test_input_shape_several_inputs)
{
    static const int64_t dyn[] = {-1, 4};
    mb *b = mb_new(13);
    mb_input(b, "a:0", 2, dyn);
    mb_input(b, "b", 2, dyn);
    mb_node(b, "add", "Add", "a:0,b", "y");
    mb_output(b, "y");
    graph *g = mb_import_ok(b, "a:0:3,4;b:1,4");
    ck_assert_int_eq(out_tensor(g, 0)->dims[0], 3);
    ck_assert_int_eq(out_tensor(g, 0)->dims[1], 4);
    graph_free(g);
    mb_free(b);
}
END_TEST

/* --- opset rewrites ---------------------------------------------------------------------------------- */

/*
 * Softmax before opset 13 with a non-last axis needs the old meaning:
 * _legacy_coerce2d=1.  Until the operator knows the attribute, op_infer
 * refuses it by name, which shows the importer set it all the same.
 */
START_TEST(test_softmax_legacy_coerce2d)
{
    mb *b = mb_new(11);
    mb_input(b, "x", 3, x234);
    mb_node(b, "sm", "Softmax", "x", "y");
    mb_output(b, "y");
    graph *g = NULL;
    int rc = mb_import(b, NULL, &g);
    if (rc == ONNX_IMPORT_OK) {
        ck_assert_int_eq(graph_attr_int(&g->nodes[0], "_legacy_coerce2d", 0), 1);
        ck_assert_int_eq(graph_attr_int(&g->nodes[0], "axis", -1), 1);
        graph_free(g);
    } else {
        ck_assert_msg(strstr(b->err, "_legacy_coerce2d"), "unexpected error: %s", b->err);
    }
    mb_free(b);
}
END_TEST

/* On the last axis both meanings agree: the axis is written out, no rewrite. */
START_TEST(test_softmax_legacy_last_axis)
{
    mb *b = mb_new(11);
    mb_input(b, "x", 3, x234);
    mb_attr_int(b, mb_node(b, "sm", "Softmax", "x", "y"), "axis", 2);
    mb_node(b, "sm2", "Softmax", "y", "z"); /* rank 3, default axis 1: rewritten */
    mb_output(b, "z");
    mb_output(b, "y");
    graph *g = NULL;
    int rc = mb_import(b, NULL, &g);
    if (rc == ONNX_IMPORT_OK) {
        ck_assert_ptr_null(graph_attr_find(&g->nodes[0], "_legacy_coerce2d"));
        ck_assert_int_eq(graph_attr_int(&g->nodes[1], "_legacy_coerce2d", 0), 1);
        graph_free(g);
    } else {
        ck_assert_msg(strstr(b->err, "node sm2 (Softmax)") && strstr(b->err, "_legacy_coerce2d"), "%s", b->err);
    }
    mb_free(b);
    b = mb_new(13); /* opset 13: untouched */
    mb_input(b, "x", 3, x234);
    mb_node(b, "sm", "Softmax", "x", "y");
    mb_output(b, "y");
    g = mb_import_ok(b, NULL);
    ck_assert_uint_eq(g->nodes[0].n_attrs, 0);
    graph_free(g);
    mb_free(b);
}
END_TEST

/* --- the .om round trip and damaged bytes ------------------------------------------------------------ */

START_TEST(test_om_round_trip)
{
    static const int64_t target[] = {6, -1};
    mb *b = mb_new(13);
    mb_input(b, "x", 3, x234);
    mb_init_i64(b, "target", 2, target);
    mb_node(b, "r", "Reshape", "x,target", "r_out");
    mb_node(b, "", "Relu", "r_out", "y");
    mb_output(b, "y");
    graph *g = mb_import_ok(b, NULL);
    char path[] = "/tmp/test_onnx_import_XXXXXX", err[512];
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_msg(om_write_file(g, path, err, sizeof err) == 0, "%s", err);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static unsigned char img[1 << 16];
    size_t n = fread(img, 1, sizeof img, f);
    fclose(f);
    unlink(path);
    graph *back = NULL;
    ck_assert_msg(om_load(img, n, NULL, 0, &back, err, sizeof err) == ACL_SUCCESS, "%s", err);
    ck_assert_uint_eq(back->n_nodes, 2);
    ck_assert_str_eq(back->nodes[1].name, "Relu_1");
    graph_free(back);
    graph_free(g);
    mb_free(b);
}
END_TEST

START_TEST(test_damaged_bytes)
{
    char err[512];
    graph *g = (graph *)1;
    ck_assert_int_eq(onnx_import("not a model\n", 12, NULL, &g, NULL, err, sizeof err), ONNX_IMPORT_EINVAL);
    ck_assert_ptr_null(g);
    ck_assert_ptr_nonnull(strstr(err, "not an ONNX model"));
    ck_assert_int_eq(onnx_import("", 0, NULL, &g, NULL, err, sizeof err), ONNX_IMPORT_EINVAL); /* no graph */
    /* every prefix and many bit flips of a valid model: an answer, never a crash */
    mb *b = mb_new(13);
    mb_input(b, "x", 3, x234);
    mb_attr_int(b, mb_node(b, "sm", "Softmax", "x", "y"), "axis", -1);
    mb_output(b, "y");
    size_t len = onnx__model_proto__get_packed_size(&b->m);
    uint8_t *buf = malloc(len);
    onnx__model_proto__pack(&b->m, buf);
    for (size_t cut = 0; cut <= len; cut++) {
        int rc = onnx_import(buf, cut, NULL, &g, NULL, err, sizeof err);
        ck_assert(rc == ONNX_IMPORT_OK || (g == NULL && err[0]));
        graph_free(g);
    }
    uint64_t seed = 7;
    for (int i = 0; i < 2000; i++) {
        size_t at = (size_t)(tu_rand(&seed) % len);
        uint8_t old = buf[at];
        buf[at] ^= (uint8_t)(1u << (tu_rand(&seed) % 8));
        int rc = onnx_import(buf, len, NULL, &g, NULL, err, sizeof err);
        ck_assert(rc == ONNX_IMPORT_OK || (g == NULL && err[0] && !strchr(err, '\n')));
        graph_free(g);
        buf[at] = old;
    }
    free(buf);
    mb_free(b);
}
END_TEST

static Suite *onnx_suite(void)
{
    Suite *s = suite_create("onnx_import");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_fold_shape_concat_reshape);
    tcase_add_test(tc, test_fold_shape_gather_unsqueeze_chain);
    tcase_add_test(tc, test_fold_all_constant);
    tcase_add_test(tc, test_constant_value_ints_and_unused_weight);
    tcase_add_test(tc, test_names_and_types_preserved);
    tcase_add_test(tc, test_empty_names_made_up);
    tcase_add_test(tc, test_unsorted_graph_sorted);
    tcase_add_test(tc, test_cycle_rejected);
    tcase_add_test(tc, test_output_defined_twice);
    tcase_add_test(tc, test_unknown_op_named);
    tcase_add_test(tc, test_unsupported_attribute_named);
    tcase_add_test(tc, test_graph_attribute_rejected);
    tcase_add_test(tc, test_bad_dtype_initializer);
    tcase_add_test(tc, test_initializer_size_mismatch);
    tcase_add_test(tc, test_external_data_rejected);
    tcase_add_test(tc, test_unknown_input_name);
    tcase_add_test(tc, test_foreign_domain_rejected);
    tcase_add_test(tc, test_dynamic_dim_needs_input_shape);
    tcase_add_test(tc, test_input_shape_several_inputs);
    tcase_add_test(tc, test_softmax_legacy_coerce2d);
    tcase_add_test(tc, test_softmax_legacy_last_axis);
    tcase_add_test(tc, test_om_round_trip);
    tcase_add_test(tc, test_fusion_conv_bn_relu);
    tcase_add_test(tc, test_fusion_switches);
    tcase_add_test(tc, test_damaged_bytes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(onnx_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
