/*
 * fuse.c - the operator fusion pass of `aclsub atc` (fuse.h, docs/ATC.md).
 *
 * Walks the nodes in execution order; for each Conv it repeatedly looks at
 * the one node that reads the Conv's output and, while that node can be
 * folded (BatchNormalization, Mul or Add by per-channel constants) or fused
 * (an activation), takes it over: the Conv gets new weight and bias
 * tensors or the activation attributes, and writes the fused node's output
 * itself.  Fused nodes are marked dead and removed at the end, together with
 * the intermediate activations nothing references any more.  Folding works
 * in double and rounds once per weight.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim/engine/kernels.h"
#include "tools/compile/fuse.h"

#define FZ_NONE UINT32_MAX
#define FZ_ACT_MAX 6 /* nodes one fused activation replaces: HardSwish and a Mul and an Add after it */

typedef struct fz {
    builder *b;
    unsigned off; /* FUSE_NO_* */
    unsigned char *dead; /* per node: fused into a Conv */
    fuse_stats *st;
} fz;

static graph *fz_g(const fz *z)
{
    return z->b->g;
}

static int fz_is_output(const graph *g, uint32_t t)
{
    for (uint32_t i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == t)
            return 1;
    return 0;
}

/* The live nodes reading tensor t, up to `max` of them in r; their count (each reading counted). */
static uint32_t fz_readers(const fz *z, uint32_t t, uint32_t *r, uint32_t max)
{
    const graph *g = fz_g(z);
    uint32_t n = 0;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        if (z->dead[i])
            continue;
        for (uint32_t k = 0; k < g->nodes[i].n_inputs; k++) {
            if (g->nodes[i].inputs[k] != t)
                continue;
            if (n < max)
                r[n] = i;
            n++;
        }
    }
    return n;
}

/* The one node reading t (FZ_NONE when t has other readers or is a graph output). */
static uint32_t fz_only_reader(const fz *z, uint32_t t)
{
    uint32_t r;
    if (fz_is_output(fz_g(z), t) || fz_readers(z, t, &r, 1) != 1)
        return FZ_NONE;
    return r;
}

static int fz_is_op(const graph_node *n, const char *type, uint32_t n_in)
{
    return strcmp(n->op_type, type) == 0 && n->n_inputs == n_in && n->n_outputs == 1;
}

/* The data of a float weight tensor (NULL if t is absent, computed or not float). */
static const float *fz_const(const graph *g, uint32_t t)
{
    if (t == GRAPH_NO_TENSOR || t >= g->n_tensors)
        return NULL;
    const graph_tensor *w = &g->tensors[t];
    if (w->kind != TENSOR_WEIGHT || w->dtype != DT_FLOAT)
        return NULL;
    return (const float *)(g->weights + w->offset);
}

/* A one-element float constant in *v. */
static int fz_scalar(const graph *g, uint32_t t, float *v)
{
    const float *p = fz_const(g, t);
    if (!p || graph_tensor_numel(&g->tensors[t]) != 1)
        return 0;
    *v = p[0];
    return 1;
}

/*
 * A constant that broadcasts against the Conv output [n, m, h, w] per
 * channel without growing it: one value, or m values on axis 1.
 */
static const float *fz_per_channel(const graph *g, uint32_t t, int64_t m, int *one)
{
    const float *p = fz_const(g, t);
    if (!p)
        return NULL;
    const graph_tensor *c = &g->tensors[t];
    uint64_t numel = graph_tensor_numel(c);
    if (c->rank > 4)
        return NULL;
    if (numel == 1) {
        *one = 1;
        return p;
    }
    if (c->rank < 3 || (int64_t)numel != m || c->dims[c->rank - 3] != m)
        return NULL;
    *one = 0;
    return p;
}

/* Appends ",name" (or "name" first) to the growing list *s. */
static int fz_append(char **s, const char *sep, const char *name)
{
    size_t a = *s ? strlen(*s) : 0, b = strlen(name), c = *s ? strlen(sep) : 0;
    char *n = realloc(*s, a + c + b + 1);
    if (!n)
        return BUILDER_ENOMEM;
    memcpy(n + a, sep, c);
    memcpy(n + a + c, name, b + 1);
    *s = n;
    return BUILDER_OK;
}

static int fz_add_attr(graph_node *n, graph_attr *a)
{
    graph_attr *v = realloc(n->attrs, (n->n_attrs + 1) * sizeof(*v));
    if (!v) {
        graph_attr_free(a);
        return BUILDER_ENOMEM;
    }
    n->attrs = v;
    v[n->n_attrs++] = *a;
    return BUILDER_OK;
}

static int fz_add_string_attr(graph_node *n, const char *name, const char *value)
{
    graph_attr a = {.name = strdup(name), .type = ATTR_STRING, .count = (uint32_t)strlen(value),
                    .v.s = strdup(value)};
    if (!a.name || !a.v.s) {
        graph_attr_free(&a);
        return BUILDER_ENOMEM;
    }
    return fz_add_attr(n, &a);
}

static int fz_add_floats_attr(graph_node *n, const char *name, const float *v, uint32_t count)
{
    graph_attr a = {.name = strdup(name), .type = ATTR_FLOATS, .count = count,
                    .v.floats = malloc(count * sizeof(float))};
    if (!a.name || !a.v.floats) {
        graph_attr_free(&a);
        return BUILDER_ENOMEM;
    }
    memcpy(a.v.floats, v, count * sizeof(float));
    return fz_add_attr(n, &a);
}

/* A new float weight tensor named after `base` and `tag`, shaped like tensor `like` or as [m]. */
static int fz_new_weight(fz *z, const char *base, const char *tag, const graph_tensor *like, int64_t m,
                         uint32_t *index)
{
    graph_tensor tmp = {.dtype = DT_FLOAT, .rank = 1, .dims = {m}};
    if (like) {
        tmp.rank = like->rank;
        memcpy(tmp.dims, like->dims, sizeof tmp.dims);
    }
    uint64_t off;
    char name[OM_MAX_NAME + 1];
    snprintf(name, sizeof name, "%s/%s", base, tag);
    int rc = builder_tensor_bytes(&tmp);
    if (rc || (rc = builder_weight_room(z->b, tmp.bytes, &off)) ||
        (rc = builder_add_tensor(z->b, name, TENSOR_WEIGHT, index)))
        return rc;
    graph_tensor *t = &fz_g(z)->tensors[*index];
    t->dtype = DT_FLOAT;
    t->rank = tmp.rank;
    memcpy(t->dims, tmp.dims, sizeof t->dims);
    t->bytes = tmp.bytes;
    t->offset = off;
    return BUILDER_OK;
}

/* Gives the Conv node a third input slot when it has none. */
static int fz_bias_slot(graph_node *n)
{
    if (n->n_inputs > 2)
        return BUILDER_OK;
    uint32_t *v = realloc(n->inputs, 3 * sizeof(*v));
    if (!v)
        return BUILDER_ENOMEM;
    v[2] = GRAPH_NO_TENSOR;
    n->inputs = v;
    n->n_inputs = 3;
    return BUILDER_OK;
}

/*
 * Conv ci's output becomes scale[o] * conv + shift[o] per output channel o:
 * a new weight (unless every scale is 1) and a new bias, named after the
 * folded node `by`.
 */
static int fz_fold_affine(fz *z, uint32_t ci, const double *scale, const double *shift, const char *by)
{
    graph *g = fz_g(z);
    uint32_t wi = g->nodes[ci].inputs[1], w2 = wi, b2;
    int64_t m = g->tensors[wi].dims[0];
    int ones = 1;
    for (int64_t o = 0; o < m; o++)
        ones &= scale[o] == 1.0;
    graph_tensor like = g->tensors[wi];
    int rc;
    if ((!ones && (rc = fz_new_weight(z, by, "folded_weight", &like, m, &w2))) ||
        (rc = fz_new_weight(z, by, "folded_bias", NULL, m, &b2)) || (rc = fz_bias_slot(&fz_g(z)->nodes[ci])))
        return rc;
    g = fz_g(z); /* the builder may have moved everything */
    graph_node *n = &g->nodes[ci];
    const float *w = fz_const(g, wi), *b = fz_const(g, n->inputs[2]);
    float *nw = (float *)(g->weights + g->tensors[w2].offset), *nb = (float *)(g->weights + g->tensors[b2].offset);
    uint64_t per = graph_tensor_numel(&like) / (uint64_t)m;
    for (int64_t o = 0; o < m; o++) {
        if (!ones)
            for (uint64_t k = 0; k < per; k++)
                nw[o * per + k] = (float)((double)w[o * per + k] * scale[o]);
        nb[o] = (float)((b ? (double)b[o] : 0.0) * scale[o] + shift[o]);
    }
    n->inputs[1] = w2;
    n->inputs[2] = b2;
    return BUILDER_OK;
}

/* Whether node xi can fold into Conv ci as BatchNormalization, Mul or Add; fills scale and shift. */
static int fz_affine_of(const fz *z, uint32_t ci, uint32_t xi, double *scale, double *shift)
{
    const graph *g = fz_g(z);
    const graph_node *c = &g->nodes[ci], *x = &g->nodes[xi];
    int64_t m = g->tensors[c->inputs[1]].dims[0];
    uint32_t t = c->outputs[0];
    if (fz_is_op(x, "BatchNormalization", 5) && x->inputs[0] == t) {
        const float *p[4];
        for (int k = 0; k < 4; k++)
            if (!(p[k] = fz_const(g, x->inputs[k + 1])) || graph_tensor_numel(&g->tensors[x->inputs[k + 1]]) != (uint64_t)m)
                return 0;
        double eps = graph_attr_float(x, "epsilon", 1e-5f);
        for (int64_t o = 0; o < m; o++) {
            scale[o] = (double)p[0][o] / sqrt((double)p[3][o] + eps);
            shift[o] = (double)p[1][o] - (double)p[2][o] * scale[o];
        }
        return 1;
    }
    int mul = fz_is_op(x, "Mul", 2), add = fz_is_op(x, "Add", 2);
    if (!mul && !add)
        return 0;
    uint32_t other = x->inputs[0] == t ? x->inputs[1] : x->inputs[0];
    if (other == t || (x->inputs[0] != t && x->inputs[1] != t))
        return 0;
    int one;
    const float *v = fz_per_channel(g, other, m, &one);
    if (!v)
        return 0;
    for (int64_t o = 0; o < m; o++) {
        double k = v[one ? 0 : o];
        scale[o] = mul ? k : 1.0;
        shift[o] = mul ? 0.0 : k;
    }
    return 1;
}

/* An activation fused into a Conv: its kernel form and the nodes it replaces, last one's output the result. */
typedef struct fz_act {
    k_act act;
    uint32_t n_params;
    uint32_t nodes[FZ_ACT_MAX];
    uint32_t n_nodes;
} fz_act;

/* Relu, Clip or HardSigmoid as node xi reading t. */
static int fz_unary_act(const graph *g, uint32_t xi, uint32_t t, fz_act *a)
{
    const graph_node *x = &g->nodes[xi];
    if (x->n_inputs < 1 || x->inputs[0] != t || x->n_outputs != 1)
        return 0;
    memset(a, 0, sizeof(*a));
    a->nodes[0] = xi;
    a->n_nodes = 1;
    if (fz_is_op(x, "Relu", 1)) {
        a->act.kind = K_ACT_RELU;
        a->n_params = 0;
        return 1;
    }
    if (fz_is_op(x, "HardSigmoid", 1)) {
        a->act = (k_act){K_ACT_HARDSIGMOID, {graph_attr_float(x, "alpha", 0.2f), graph_attr_float(x, "beta", 0.5f)}};
        a->n_params = 2;
        return 1;
    }
    if (strcmp(x->op_type, "Clip") == 0 && x->n_inputs <= 3) {
        float lo = graph_attr_float(x, "min", -INFINITY), hi = graph_attr_float(x, "max", INFINITY);
        if ((x->n_inputs > 1 && x->inputs[1] != GRAPH_NO_TENSOR && !fz_scalar(g, x->inputs[1], &lo)) ||
            (x->n_inputs > 2 && x->inputs[2] != GRAPH_NO_TENSOR && !fz_scalar(g, x->inputs[2], &hi)))
            return 0;
        a->act = (k_act){K_ACT_CLIP, {lo, hi}};
        a->n_params = 2;
        return 1;
    }
    return 0;
}

static int fz_same_shape(const graph *g, uint32_t a, uint32_t b)
{
    const graph_tensor *x = &g->tensors[a], *y = &g->tensors[b];
    return x->rank == y->rank && memcmp(x->dims, y->dims, x->rank * sizeof(x->dims[0])) == 0;
}

/* Whether node i is a binary `type` of t and something: the other input in *other. */
static int fz_binary_of(const graph *g, uint32_t i, const char *type, uint32_t t, uint32_t *other)
{
    const graph_node *n = &g->nodes[i];
    if (!fz_is_op(n, type, 2) || (n->inputs[0] != t && n->inputs[1] != t))
        return 0;
    *other = n->inputs[0] == t ? n->inputs[1] : n->inputs[0];
    return 1;
}

/* Div(u, constant d) as node i: d in *d. */
static int fz_div_by(const graph *g, uint32_t i, uint32_t u, float *d)
{
    const graph_node *n = &g->nodes[i];
    return fz_is_op(n, "Div", 2) && n->inputs[0] == u && fz_scalar(g, n->inputs[1], d);
}

/*
 * The HardSwish sequences on t, read by nothing else: Add(t, a) -> Clip(lo,
 * hi) -> Div(d) -> Mul(t, that), or Add -> Clip -> Mul(t, that) -> Div(d).
 */
static int fz_hardswish(const fz *z, uint32_t t, fz_act *a)
{
    const graph *g = fz_g(z);
    uint32_t r[2], ai, oi, ci, xi, di, other;
    float k, d;
    fz_act clip;
    if (fz_is_output(g, t) || fz_readers(z, t, r, 2) != 2 || r[0] == r[1])
        return 0;
    ai = fz_is_op(&g->nodes[r[0]], "Add", 2) ? r[0] : r[1];
    oi = ai == r[0] ? r[1] : r[0];
    if (!fz_binary_of(g, ai, "Add", t, &other) || !fz_scalar(g, other, &k) || !fz_binary_of(g, oi, "Mul", t, &other))
        return 0;
    uint32_t sum = g->nodes[ai].outputs[0];
    if ((ci = fz_only_reader(z, sum)) == FZ_NONE || !fz_unary_act(g, ci, sum, &clip) || clip.act.kind != K_ACT_CLIP)
        return 0;
    uint32_t clipped = g->nodes[ci].outputs[0], last;
    k_act_kind kind;
    if ((xi = fz_only_reader(z, clipped)) == FZ_NONE)
        return 0;
    if (xi != oi && fz_div_by(g, xi, clipped, &d) && fz_only_reader(z, g->nodes[xi].outputs[0]) == oi &&
        other == g->nodes[xi].outputs[0]) {
        kind = K_ACT_HARDSWISH;
        di = xi;
        last = oi;
    } else if (xi == oi && other == clipped && (di = fz_only_reader(z, g->nodes[oi].outputs[0])) != FZ_NONE &&
               fz_div_by(g, di, g->nodes[oi].outputs[0], &d)) {
        kind = K_ACT_HARDSWISH_MD;
        last = di;
    } else {
        return 0;
    }
    /* the constants must not broadcast the result to a higher rank */
    if (!fz_same_shape(g, t, g->nodes[last].outputs[0]))
        return 0;
    *a = (fz_act){.act = {kind, {k, clip.act.p[0], clip.act.p[1], d}}, .n_params = 4, .n_nodes = 4};
    uint32_t order_b[4] = {ai, ci, di, oi}, order_a[4] = {ai, ci, oi, di};
    memcpy(a->nodes, kind == K_ACT_HARDSWISH ? order_b : order_a, sizeof(order_a));
    return 1;
}

/*
 * A Mul and / or an Add by one-value constants after the activation (in that
 * order), taken into a's post step.
 */
static void fz_post_affine(const fz *z, fz_act *a)
{
    const graph *g = fz_g(z);
    const char *types[2] = {"Mul", "Add"};
    a->act.post_scale = 1.0f;
    a->act.post_shift = 0.0f;
    for (int step = 0; step < 2 && a->n_nodes < FZ_ACT_MAX; step++) {
        uint32_t t = g->nodes[a->nodes[a->n_nodes - 1]].outputs[0], xi = fz_only_reader(z, t), other;
        float v;
        if (xi == FZ_NONE || !fz_binary_of(g, xi, types[step], t, &other) || !fz_scalar(g, other, &v) ||
            !fz_same_shape(g, t, g->nodes[xi].outputs[0]))
            continue;
        *(step == 0 ? &a->act.post_scale : &a->act.post_shift) = v;
        a->act.post = 1;
        a->nodes[a->n_nodes++] = xi;
    }
}

/* Fuses activation a into Conv ci: attributes, the name, the output. */
static int fz_fuse_act(fz *z, uint32_t ci, const fz_act *a, char **orig)
{
    static const char *const kind_names[] = {"", "Relu", "Clip", "HardSigmoid", "HardSwish", "HardSwishMulDiv"};
    graph *g = fz_g(z);
    graph_node *c = &g->nodes[ci];
    char *name = NULL;
    int rc = fz_append(&name, "", c->name);
    for (uint32_t k = 0; rc == BUILDER_OK && k < a->n_nodes; k++) {
        const char *nn = g->nodes[a->nodes[k]].name;
        if ((rc = fz_append(&name, "", nn)) == BUILDER_OK)
            rc = fz_append(orig, ",", nn);
        z->dead[a->nodes[k]] = 1;
    }
    if (rc == BUILDER_OK)
        rc = fz_add_string_attr(c, "_fused_activation", kind_names[a->act.kind]);
    if (rc == BUILDER_OK && a->n_params)
        rc = fz_add_floats_attr(c, "_fused_params", a->act.p, a->n_params);
    float post[2] = {a->act.post_scale, a->act.post_shift};
    if (rc == BUILDER_OK && a->act.post)
        rc = fz_add_floats_attr(c, "_fused_post", post, 2);
    if (rc == BUILDER_OK) {
        char *cut = builder_name_dup(name);
        if (!cut)
            rc = BUILDER_ENOMEM;
        else {
            free(c->name);
            c->name = cut;
        }
        c->outputs[0] = g->nodes[a->nodes[a->n_nodes - 1]].outputs[0];
        z->st->act_nodes += a->n_nodes;
    }
    free(name);
    return rc;
}

/* Folds what follows Conv ci into it, then fuses an activation; lists the fused names in *orig. */
static int fz_conv(fz *z, uint32_t ci, char **orig)
{
    int64_t m = fz_g(z)->tensors[fz_g(z)->nodes[ci].inputs[1]].dims[0];
    double *scale = malloc((size_t)m * sizeof(double)), *shift = malloc((size_t)m * sizeof(double));
    int rc = scale && shift ? BUILDER_OK : BUILDER_ENOMEM;
    for (;;) {
        uint32_t t = fz_g(z)->nodes[ci].outputs[0], xi = fz_only_reader(z, t);
        if (rc || (z->off & FUSE_NO_GRAPH) || xi == FZ_NONE || !fz_affine_of(z, ci, xi, scale, shift))
            break;
        char *by = strdup(fz_g(z)->nodes[xi].name);
        if (!by || (rc = fz_fold_affine(z, ci, scale, shift, by)) || (rc = fz_append(orig, ",", by))) {
            free(by);
            rc = rc ? rc : BUILDER_ENOMEM;
            break;
        }
        free(by);
        graph *g = fz_g(z);
        g->nodes[ci].outputs[0] = g->nodes[xi].outputs[0];
        z->dead[xi] = 1;
        z->st->folded_nodes++;
    }
    free(scale);
    free(shift);
    if (rc || (z->off & FUSE_NO_UB))
        return rc;
    const graph *g = fz_g(z);
    uint32_t t = g->nodes[ci].outputs[0], xi = fz_only_reader(z, t);
    fz_act a;
    if ((xi != FZ_NONE && fz_unary_act(g, xi, t, &a)) || fz_hardswish(z, t, &a)) {
        fz_post_affine(z, &a);
        return fz_fuse_act(z, ci, &a, orig);
    }
    return BUILDER_OK;
}

/* Whether node i is a Conv the pass may rewrite: constant float weight, one output. */
static int fz_is_foldable_conv(const graph *g, uint32_t i)
{
    const graph_node *n = &g->nodes[i];
    return strcmp(n->op_type, "Conv") == 0 && n->n_inputs >= 2 && n->n_outputs == 1 && fz_const(g, n->inputs[1]) &&
           g->tensors[n->inputs[1]].rank == 4 && !graph_attr_find(n, "_fused_activation") &&
           (n->n_inputs < 3 || n->inputs[2] == GRAPH_NO_TENSOR || fz_const(g, n->inputs[2]));
}

static void fz_remap(uint32_t *v, uint32_t n, const uint32_t *map)
{
    for (uint32_t k = 0; k < n; k++)
        if (v[k] != GRAPH_NO_TENSOR)
            v[k] = map[v[k]];
}

/* Removes the dead nodes, then the activations no node or graph output references. */
static int fz_sweep(fz *z)
{
    graph *g = fz_g(z);
    uint32_t kept = 0;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        if (z->dead[i])
            graph_node_free(&g->nodes[i]);
        else
            g->nodes[kept++] = g->nodes[i];
    }
    g->n_nodes = kept;
    unsigned char *used = calloc(g->n_tensors ? g->n_tensors : 1, 1);
    uint32_t *map = malloc((g->n_tensors ? g->n_tensors : 1) * sizeof *map);
    if (!used || !map) {
        free(used);
        free(map);
        return BUILDER_ENOMEM;
    }
    for (uint32_t i = 0; i < g->n_tensors; i++)
        used[i] = g->tensors[i].kind != TENSOR_ACTIVATION || fz_is_output(g, i);
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        for (uint32_t k = 0; k < g->nodes[i].n_inputs; k++)
            if (g->nodes[i].inputs[k] != GRAPH_NO_TENSOR)
                used[g->nodes[i].inputs[k]] = 1;
        for (uint32_t k = 0; k < g->nodes[i].n_outputs; k++)
            used[g->nodes[i].outputs[k]] = 1;
    }
    kept = 0;
    for (uint32_t i = 0; i < g->n_tensors; i++) {
        if (!used[i]) {
            free(g->tensors[i].name);
            continue;
        }
        map[i] = kept;
        g->tensors[kept++] = g->tensors[i];
    }
    g->n_tensors = kept;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        fz_remap(g->nodes[i].inputs, g->nodes[i].n_inputs, map);
        fz_remap(g->nodes[i].outputs, g->nodes[i].n_outputs, map);
    }
    fz_remap(g->inputs, g->n_inputs, map);
    fz_remap(g->outputs, g->n_outputs, map);
    free(used);
    free(map);
    return BUILDER_OK;
}

int fuse_graph(builder *b, unsigned off, fuse_stats *st)
{
    fuse_stats local = {0};
    fz z = {.b = b, .off = off, .st = st ? st : &local};
    *z.st = (fuse_stats){0};
    z.dead = calloc(b->g->n_nodes ? b->g->n_nodes : 1, 1);
    if (!z.dead)
        return BUILDER_ENOMEM;
    int rc = BUILDER_OK;
    for (uint32_t i = 0; rc == BUILDER_OK && i < b->g->n_nodes; i++) {
        if (z.dead[i] || !fz_is_foldable_conv(b->g, i))
            continue;
        char *orig = NULL;
        rc = fz_append(&orig, ",", b->g->nodes[i].name);
        if (rc == BUILDER_OK && (rc = fz_conv(&z, i, &orig)) == BUILDER_OK && strchr(orig, ','))
            rc = fz_add_string_attr(&b->g->nodes[i], "_datadump_original_op_names", orig);
        free(orig);
    }
    if (rc == BUILDER_OK)
        rc = fz_sweep(&z);
    free(z.dead);
    return rc;
}

/* --- the fusion switch file ----------------------------------------------------------------- */

/* p past spaces, then past `c` if it is there: NULL when it is not. */
static const char *fz_expect(const char *p, char c)
{
    while (*p && isspace((unsigned char)*p))
        p++;
    return *p == c ? p + 1 : NULL;
}

/* Whether the JSON object after "section" holds "ALL": "off". */
static int fz_section_all_off(const char *text, const char *section)
{
    char key[32];
    snprintf(key, sizeof key, "\"%s\"", section);
    const char *p = strstr(text, key);
    if (!p || !(p = fz_expect(p + strlen(key), ':')) || !(p = fz_expect(p, '{')))
        return 0;
    const char *end = strchr(p, '}');
    for (const char *q = strstr(p, "\"ALL\""); q && (!end || q < end); q = strstr(q + 1, "\"ALL\"")) {
        const char *v = fz_expect(q + 5, ':');
        if (v && (v = fz_expect(v, '"')) && strncmp(v, "off\"", 4) == 0)
            return 1;
    }
    return 0;
}

/* Whether a line of the line form reads "ALL:off" (spaces allowed around the words). */
static int fz_line_all_off(const char *text)
{
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        const char *q = p;
        while (*q == ' ' || *q == '\t')
            q++;
        if (strncmp(q, "ALL", 3) != 0 || !(q = fz_expect(q + 3, ':')))
            continue;
        while (*q == ' ' || *q == '\t')
            q++;
        if (strncmp(q, "off", 3) == 0 && (q[3] == '\0' || isspace((unsigned char)q[3])))
            return 1;
    }
    return 0;
}

unsigned fuse_switch_parse(const char *text)
{
    unsigned off = 0;
    if (!text)
        return 0;
    if (fz_section_all_off(text, "GraphFusion"))
        off |= FUSE_NO_GRAPH;
    if (fz_section_all_off(text, "UBFusion"))
        off |= FUSE_NO_UB;
    if (fz_line_all_off(text))
        off |= FUSE_NO_GRAPH | FUSE_NO_UB;
    return off;
}
