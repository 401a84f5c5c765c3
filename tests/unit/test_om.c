/*
 * test_om.c - the .om container, memory planning and the text compiler:
 * round trips of the demo models, the loader's answer to truncated,
 * bit-flipped and hand-damaged images, the planner's no-overlap guarantee,
 * and mkom's error messages.
 *
 * Runs from the repository root (it reads models/cnn.txt and models/mlp.txt).
 */
#include <check.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl/acl_base.h"
#include "tools/compile/mkom.h"
#include "shim/engine/om.h"
#include "shim/engine/ops.h"
#include "tests/unit/testutil.h"
#include "tools/compile/om_write.h"

/* --- helpers ------------------------------------------------------------------------ */

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s (run from the repository root)", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    ck_assert_int_ge(n, 0);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static graph *build_text(const char *text, uint64_t seed)
{
    char err[512];
    graph *g = NULL;
    int rc = mkom_build(text, strlen(text), "test", seed, &g, err, sizeof err);
    ck_assert_msg(rc == 0, "mkom_build: %s", err);
    return g;
}

static graph *build_model(const char *path)
{
    size_t len;
    char *text = read_all(path, &len);
    char err[512];
    graph *g = NULL;
    int rc = mkom_build(text, len, path, MKOM_DEFAULT_SEED, &g, err, sizeof err);
    free(text);
    ck_assert_msg(rc == 0, "mkom_build %s: %s", path, err);
    return g;
}

/* Writes g to a temporary .om file and returns the file's bytes. */
static unsigned char *write_image(const graph *g, size_t *len)
{
    char path[] = "/tmp/test_om_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char err[512];
    ck_assert_msg(om_write_file(g, path, err, sizeof err) == 0, "om_write_file: %s", err);
    unsigned char *img = (unsigned char *)read_all(path, len);
    unlink(path);
    return img;
}

static unsigned char *model_image(const char *path, size_t *len)
{
    graph *g = build_model(path);
    unsigned char *img = write_image(g, len);
    graph_free(g);
    return img;
}

/* Offset and size of a named section, found with libelf. */
static void find_section(const unsigned char *img, size_t len, const char *name, size_t *off, size_t *size)
{
    char *copy = malloc(len);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, img, len);
    ck_assert_int_ne(elf_version(EV_CURRENT), EV_NONE);
    Elf *e = elf_memory(copy, len);
    ck_assert_ptr_nonnull(e);
    size_t shstrndx;
    ck_assert_int_eq(elf_getshdrstrndx(e, &shstrndx), 0);
    int found = 0;
    for (Elf_Scn *s = elf_nextscn(e, NULL); s; s = elf_nextscn(e, s)) {
        GElf_Shdr sh;
        ck_assert_ptr_nonnull(gelf_getshdr(s, &sh));
        if (strcmp(elf_strptr(e, shstrndx, sh.sh_name), name) == 0) {
            *off = sh.sh_offset;
            *size = sh.sh_size;
            found = 1;
        }
    }
    elf_end(e);
    free(copy);
    ck_assert_msg(found, "no section %s", name);
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Loads an image that must be rejected with `want`; the message must not be empty. */
static void expect_load_error(const void *img, size_t len, int want)
{
    char err[512] = "";
    graph *g = (graph *)1;
    int rc = om_load(img, len, NULL, 0, &g, err, sizeof err);
    ck_assert_msg(rc == want, "om_load gave %d (want %d): %s", rc, want, err);
    ck_assert_ptr_null(g);
    ck_assert_msg(err[0] != '\0', "no error message");
    ck_assert_ptr_null(strchr(err, '\n'));
}

static int is_acl_error(int rc)
{
    return rc >= 100000 && rc <= 600000;
}

/* --- graph comparison and plan checks ------------------------------------------------- */

static void compare_attrs(const graph_attr *a, const graph_attr *b)
{
    ck_assert_str_eq(a->name, b->name);
    ck_assert_uint_eq(a->type, b->type);
    ck_assert_uint_eq(a->count, b->count);
    switch (a->type) {
    case ATTR_INT:
        ck_assert_int_eq(a->v.i, b->v.i);
        break;
    case ATTR_FLOAT:
        ck_assert(memcmp(&a->v.f, &b->v.f, sizeof(float)) == 0);
        break;
    case ATTR_INTS:
        ck_assert(a->count == 0 || memcmp(a->v.ints, b->v.ints, a->count * sizeof(int64_t)) == 0);
        break;
    case ATTR_FLOATS:
        ck_assert(a->count == 0 || memcmp(a->v.floats, b->v.floats, a->count * sizeof(float)) == 0);
        break;
    case ATTR_STRING:
        ck_assert_str_eq(a->v.s, b->v.s);
        break;
    default:
        ck_abort_msg("bad attribute type %u", a->type);
    }
}

static void compare_graphs(const graph *a, const graph *b)
{
    ck_assert_uint_eq(a->n_tensors, b->n_tensors);
    ck_assert_uint_eq(a->n_nodes, b->n_nodes);
    ck_assert_uint_eq(a->n_inputs, b->n_inputs);
    ck_assert_uint_eq(a->n_outputs, b->n_outputs);
    ck_assert_uint_eq(a->weight_size, b->weight_size);
    ck_assert_uint_eq(a->work_size, b->work_size);
    ck_assert(memcmp(a->weights, b->weights, a->weight_size) == 0);
    for (uint32_t i = 0; i < a->n_tensors; i++) {
        const graph_tensor *x = &a->tensors[i], *y = &b->tensors[i];
        ck_assert_str_eq(x->name, y->name);
        ck_assert_uint_eq(x->kind, y->kind);
        ck_assert_int_eq(x->dtype, y->dtype);
        ck_assert_uint_eq(x->rank, y->rank);
        for (uint32_t k = 0; k < GRAPH_MAX_RANK; k++)
            ck_assert_int_eq(x->dims[k], y->dims[k]);
        ck_assert_uint_eq(x->bytes, y->bytes);
        if (x->kind != TENSOR_INPUT)
            ck_assert_uint_eq(x->offset, y->offset);
    }
    for (uint32_t i = 0; i < a->n_nodes; i++) {
        const graph_node *x = &a->nodes[i], *y = &b->nodes[i];
        ck_assert_str_eq(x->name, y->name);
        ck_assert_str_eq(x->op_type, y->op_type);
        ck_assert_uint_eq(x->op, y->op);
        ck_assert_uint_eq(x->n_inputs, y->n_inputs);
        ck_assert_uint_eq(x->n_outputs, y->n_outputs);
        ck_assert_uint_eq(x->n_attrs, y->n_attrs);
        for (uint32_t k = 0; k < x->n_inputs; k++)
            ck_assert_uint_eq(x->inputs[k], y->inputs[k]);
        for (uint32_t k = 0; k < x->n_outputs; k++)
            ck_assert_uint_eq(x->outputs[k], y->outputs[k]);
        for (uint32_t k = 0; k < x->n_attrs; k++)
            compare_attrs(&x->attrs[k], &y->attrs[k]);
    }
    for (uint32_t k = 0; k < a->n_inputs; k++)
        ck_assert_uint_eq(a->inputs[k], b->inputs[k]);
    for (uint32_t k = 0; k < a->n_outputs; k++)
        ck_assert_uint_eq(a->outputs[k], b->outputs[k]);
}

/*
 * Brute force: every activation is 64-byte aligned and inside the work
 * region, and two activations whose lifetimes [producer, last reader]
 * (graph outputs: to the end) intersect never share a byte.
 */
static void check_plan(const graph *g)
{
    uint32_t n = g->n_tensors;
    int64_t *def = malloc((n + 1) * sizeof *def), *last = malloc((n + 1) * sizeof *last);
    ck_assert(def && last);
    for (uint32_t t = 0; t < n; t++)
        def[t] = last[t] = -1;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const graph_node *nd = &g->nodes[i];
        for (uint32_t k = 0; k < nd->n_inputs; k++)
            if (nd->inputs[k] < n)
                last[nd->inputs[k]] = i;
        for (uint32_t k = 0; k < nd->n_outputs; k++)
            if (def[nd->outputs[k]] < 0)
                def[nd->outputs[k]] = i;
    }
    for (uint32_t k = 0; k < g->n_outputs; k++)
        last[g->outputs[k]] = g->n_nodes;
    for (uint32_t t = 0; t < n; t++)
        if (last[t] < def[t])
            last[t] = def[t];
    for (uint32_t a = 0; a < n; a++) {
        const graph_tensor *x = &g->tensors[a];
        if (x->kind != TENSOR_ACTIVATION || def[a] < 0)
            continue;
        ck_assert_uint_eq(x->offset % 64, 0);
        ck_assert_uint_le(x->offset + x->bytes, g->work_size);
        for (uint32_t b = a + 1; b < n; b++) {
            const graph_tensor *y = &g->tensors[b];
            if (y->kind != TENSOR_ACTIVATION || def[b] < 0)
                continue;
            if (def[a] > last[b] || def[b] > last[a])
                continue; /* never live together */
            int disjoint = x->offset + x->bytes <= y->offset || y->offset + y->bytes <= x->offset;
            ck_assert_msg(disjoint, "tensors %s [%llu,+%llu) and %s [%llu,+%llu) overlap while both live", x->name,
                          (unsigned long long)x->offset, (unsigned long long)x->bytes, y->name,
                          (unsigned long long)y->offset, (unsigned long long)y->bytes);
        }
    }
    free(def);
    free(last);
}

/* Re-runs op_infer on every node of a loaded graph. */
static void check_infer(graph *g)
{
    char err[256];
    for (uint32_t i = 0; i < g->n_nodes; i++)
        ck_assert_msg(op_infer(g, &g->nodes[i], err, sizeof err) == 0, "node %u: %s", i, err);
}

/* A chain of n Relu ops on a [1, width] float tensor. */
static char *chain_text(unsigned n, unsigned width)
{
    size_t cap = 128 + (size_t)n * 64;
    char *t = malloc(cap);
    ck_assert_ptr_nonnull(t);
    size_t at = (size_t)snprintf(t, cap, "input a0 float 1,%u\n", width);
    for (unsigned i = 0; i < n; i++)
        at += (size_t)snprintf(t + at, cap - at, "node n%u %s a%u -> a%u\n", i, i % 2 ? "Relu" : "Sigmoid", i,
                               i + 1);
    snprintf(t + at, cap - at, "output a%u\n", n);
    return t;
}

/* --- round trips ------------------------------------------------------------------------- */

static void roundtrip(const char *path)
{
    graph *g = build_model(path);
    size_t len;
    unsigned char *img = write_image(g, &len);
    graph *h = NULL;
    char err[512];
    int rc = om_load(img, len, NULL, 0, &h, err, sizeof err);
    ck_assert_msg(rc == ACL_SUCCESS, "om_load %s: %s", path, err);
    ck_assert_int_eq(h->weights_owned, 1);
    ck_assert_uint_eq((uintptr_t)h->weights % 64, 0);
    compare_graphs(g, h);
    check_plan(h);
    check_infer(h);
    graph_free(h);
    graph_free(g);
    free(img);
}

START_TEST(test_roundtrip_cnn)
{
    roundtrip("models/cnn.txt");
}
END_TEST

START_TEST(test_roundtrip_mlp)
{
    roundtrip("models/mlp.txt");
}
END_TEST

START_TEST(test_cnn_size_and_ops)
{
    graph *g = build_model("models/cnn.txt");
    ck_assert_uint_ge(g->n_nodes, 20);
    /* The demo CNN exercises every operator of the first kernel set. */
    static const char *const want[] = {"Conv", "MatMul", "Gemm", "Add", "Sub", "Mul", "Div",
                                       "Relu", "Sigmoid", "Tanh", "HardSigmoid", "Clip", "Softmax",
                                       "MaxPool", "AveragePool", "GlobalAveragePool",
                                       "BatchNormalization", "Reshape", "Flatten", "Transpose", "Concat"};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        int found = 0;
        for (uint32_t i = 0; i < g->n_nodes && !found; i++)
            found = strcmp(g->nodes[i].op_type, want[k]) == 0;
        ck_assert_msg(found, "models/cnn.txt has no %s node", want[k]);
    }
    graph_free(g);
}
END_TEST

START_TEST(test_query_size)
{
    graph *g = build_model("models/cnn.txt");
    size_t len, work = 0, weight = 0;
    unsigned char *img = write_image(g, &len);
    char err[512];
    ck_assert_int_eq(om_query_size(img, len, &work, &weight, err, sizeof err), ACL_SUCCESS);
    ck_assert_uint_eq(work, g->work_size);
    ck_assert_uint_eq(weight, g->weight_size);
    ck_assert_uint_gt(work, 0);
    ck_assert_int_eq(om_query_size(img, 100, &work, &weight, err, sizeof err), ACL_ERROR_DESERIALIZE_MODEL);
    graph_free(g);
    free(img);
}
END_TEST

START_TEST(test_caller_weight_memory)
{
    graph *g = build_model("models/cnn.txt");
    size_t len;
    unsigned char *img = write_image(g, &len);
    size_t wsize = (size_t)g->weight_size;
    unsigned char *mem = aligned_alloc(64, (wsize + 63) / 64 * 64);
    ck_assert_ptr_nonnull(mem);
    graph *h = NULL;
    char err[512];
    ck_assert_int_eq(om_load(img, len, mem, wsize, &h, err, sizeof err), ACL_SUCCESS);
    ck_assert_ptr_eq(h->weights, mem);
    ck_assert_int_eq(h->weights_owned, 0);
    ck_assert(memcmp(mem, g->weights, wsize) == 0);
    graph_free(h); /* must not free mem */
    mem[0] ^= 1;
    free(mem);
    graph_free(g);
    free(img);
}
END_TEST

START_TEST(test_weight_memory_too_small)
{
    size_t len;
    unsigned char *img = model_image("models/mlp.txt", &len);
    size_t work, wsize;
    char err[512];
    ck_assert_int_eq(om_query_size(img, len, &work, &wsize, err, sizeof err), ACL_SUCCESS);
    unsigned char *mem = malloc(wsize);
    graph *h = (graph *)1;
    ck_assert_int_eq(om_load(img, len, mem, wsize - 1, &h, err, sizeof err), ACL_ERROR_INVALID_PARAM);
    ck_assert_ptr_null(h);
    ck_assert_ptr_nonnull(strstr(err, "weight"));
    free(mem);
    free(img);
}
END_TEST

START_TEST(test_loaded_graph_is_checked_again_by_a_second_load)
{
    /* a loaded graph written again gives the same bytes: the writer and reader agree */
    size_t len, len2;
    unsigned char *img = model_image("models/cnn.txt", &len);
    graph *h = NULL;
    char err[512];
    ck_assert_int_eq(om_load(img, len, NULL, 0, &h, err, sizeof err), ACL_SUCCESS);
    unsigned char *img2 = write_image(h, &len2);
    ck_assert_uint_eq(len, len2);
    ck_assert(memcmp(img, img2, len) == 0);
    graph_free(h);
    free(img);
    free(img2);
}
END_TEST

/* --- damaged images ----------------------------------------------------------------------- */

START_TEST(test_truncated_at_every_length)
{
    size_t len;
    unsigned char *img = model_image("models/cnn.txt", &len);
    for (size_t n = 0; n < len; n++) {
        /* a private copy of exactly n bytes lets ASan see any read past the end */
        unsigned char *cut = malloc(n ? n : 1);
        memcpy(cut, img, n);
        graph *h = (graph *)1;
        int rc = om_load(cut, n, NULL, 0, &h, NULL, 0);
        ck_assert_msg(rc != ACL_SUCCESS && is_acl_error(rc), "length %zu: rc %d", n, rc);
        ck_assert_ptr_null(h);
        free(cut);
    }
    free(img);
}
END_TEST

/*
 * Truncation cuts the section table first, so it is also applied to the
 * metadata sections themselves: each table section's size is cut down by
 * one entry at a time through its header.
 */
START_TEST(test_shrunk_sections)
{
    static const char *names[] = {".aclsub.meta",  ".aclsub.tensors", ".aclsub.nodes",  ".aclsub.edges",
                                  ".aclsub.attrs", ".aclsub.attrdata", ".aclsub.strtab", ".aclsub.weights"};
    size_t len;
    unsigned char *img = model_image("models/mlp.txt", &len);
    uint64_t shoff;
    memcpy(&shoff, img + 0x28, 8);
    for (size_t s = 0; s < sizeof names / sizeof names[0]; s++) {
        size_t off, size;
        find_section(img, len, names[s], &off, &size);
        /* the header of section s+1 (0 is the null section) holds sh_size at +32 */
        unsigned char *sh_size = img + shoff + 64 * (s + 1) + 32;
        for (uint64_t cut = 1; cut <= size && cut <= 200; cut++) {
            put_u64(sh_size, size - cut);
            graph *h = (graph *)1;
            int rc = om_load(img, len, NULL, 0, &h, NULL, 0);
            ck_assert_msg(rc != ACL_SUCCESS && is_acl_error(rc), "%s cut by %llu: rc %d", names[s],
                          (unsigned long long)cut, rc);
        }
        put_u64(sh_size, size);
    }
    graph *h = NULL;
    ck_assert_int_eq(om_load(img, len, NULL, 0, &h, NULL, 0), ACL_SUCCESS);
    graph_free(h);
    free(img);
}
END_TEST

/* Bit flips: each mutant loads into a consistent graph or fails with an ACL error. */
static void mutate_and_load(const unsigned char *img, size_t len, size_t meta_end, unsigned count, uint64_t seed,
                            unsigned *accepted)
{
    unsigned char *m = malloc(len);
    ck_assert_ptr_nonnull(m);
    uint64_t rng = seed;
    for (unsigned i = 0; i < count; i++) {
        memcpy(m, img, len);
        unsigned flips = 1 + (unsigned)(tu_rand(&rng) % 8);
        /* half of the mutants hit only the metadata, where the checks are */
        size_t span = (i % 2) ? meta_end : len;
        for (unsigned f = 0; f < flips; f++) {
            size_t at = (size_t)(tu_rand(&rng) % span);
            m[at] ^= (unsigned char)(1u << (tu_rand(&rng) % 8));
        }
        graph *h = NULL;
        char err[512];
        int rc = om_load(m, len, NULL, 0, &h, err, sizeof err);
        if (rc == ACL_SUCCESS) {
            check_infer(h);
            check_plan(h);
            graph_free(h);
            (*accepted)++;
        } else {
            ck_assert_msg(is_acl_error(rc), "mutant %u: rc %d", i, rc);
            ck_assert_ptr_null(h);
        }
    }
    free(m);
}

START_TEST(test_bit_flip_mutants)
{
    size_t len, woff, wsize;
    unsigned char *img = model_image("models/cnn.txt", &len);
    find_section(img, len, ".aclsub.weights", &woff, &wsize);
    unsigned accepted = 0;
    mutate_and_load(img, len, woff, 10000, 0x5eed0001u, &accepted);
    free(img);
    img = model_image("models/mlp.txt", &len);
    find_section(img, len, ".aclsub.weights", &woff, &wsize);
    mutate_and_load(img, len, woff, 2000, 0x5eed0002u, &accepted);
    free(img);
    /* flips inside the weights are harmless, so some mutants must load */
    ck_assert_uint_gt(accepted, 0);
}
END_TEST

START_TEST(test_not_elf_and_empty)
{
    static const char text[] = "this is not an ELF file, just text that is long enough to be a header..";
    expect_load_error(text, sizeof text, ACL_ERROR_DESERIALIZE_MODEL);
    expect_load_error(text, 0, ACL_ERROR_DESERIALIZE_MODEL);
    expect_load_error(NULL, 0, ACL_ERROR_DESERIALIZE_MODEL);
    expect_load_error("\x7f" "ELF", 4, ACL_ERROR_DESERIALIZE_MODEL);
}
END_TEST

START_TEST(test_wrong_class_machine_type)
{
    size_t len;
    unsigned char *img = model_image("models/mlp.txt", &len);
    img[4] = 1; /* ELFCLASS32 */
    expect_load_error(img, len, ACL_ERROR_DESERIALIZE_MODEL);
    img[4] = 2;
    img[5] = 2; /* big-endian */
    expect_load_error(img, len, ACL_ERROR_DESERIALIZE_MODEL);
    img[5] = 1;
    img[0x12] = 62; /* EM_X86_64 */
    expect_load_error(img, len, ACL_ERROR_DESERIALIZE_MODEL);
    img[0x12] = 0;
    img[0x10] = 2; /* ET_EXEC */
    expect_load_error(img, len, ACL_ERROR_DESERIALIZE_MODEL);
    img[0x10] = 1;
    graph *h = NULL;
    ck_assert_int_eq(om_load(img, len, NULL, 0, &h, NULL, 0), ACL_SUCCESS);
    graph_free(h);
    free(img);
}
END_TEST

START_TEST(test_missing_section)
{
    size_t len, off, size;
    unsigned char *img = model_image("models/mlp.txt", &len);
    find_section(img, len, ".shstrtab", &off, &size);
    unsigned char *name = memmem(img + off, size, ".aclsub.attrs", sizeof ".aclsub.attrs");
    ck_assert_ptr_nonnull(name);
    name[12] = 'z';
    expect_load_error(img, len, ACL_ERROR_MODEL_MISSING_ATTR);
    free(img);
}
END_TEST

START_TEST(test_oversize_tensor_count)
{
    size_t len, off, size;
    unsigned char *img = model_image("models/mlp.txt", &len);
    find_section(img, len, ".aclsub.meta", &off, &size);
    put_u32(img + off + 16, 0x7fffffffu); /* meta.n_tensors */
    expect_load_error(img, len, ACL_ERROR_MODEL_SIZE_INVALID);
    put_u32(img + off + 16, 1000000u); /* within the limit, but not what the section holds */
    expect_load_error(img, len, ACL_ERROR_MODEL_SIZE_INVALID);
    free(img);
}
END_TEST

START_TEST(test_dims_product_overflow)
{
    size_t len, off, size;
    unsigned char *img = model_image("models/mlp.txt", &len);
    find_section(img, len, ".aclsub.tensors", &off, &size);
    /* tensor 0 is the input x [1,1,8,8]: make its dims multiply past 2^64 */
    put_u64(img + off + 16 + 8 * 1, 1ull << 40);
    put_u64(img + off + 16 + 8 * 2, 1ull << 40);
    expect_load_error(img, len, ACL_ERROR_MODEL_SIZE_INVALID);
    put_u64(img + off + 16 + 8 * 1, (uint64_t)-5); /* negative dim */
    expect_load_error(img, len, ACL_ERROR_PARSE_MODEL);
    free(img);
}
END_TEST

START_TEST(test_string_offset_out_of_range)
{
    size_t len, off, size, soff, ssize;
    unsigned char *img = model_image("models/mlp.txt", &len);
    find_section(img, len, ".aclsub.tensors", &off, &size);
    find_section(img, len, ".aclsub.strtab", &soff, &ssize);
    put_u32(img + off, (uint32_t)ssize); /* tensor 0 name: one past the table */
    expect_load_error(img, len, ACL_ERROR_PARSE_MODEL);
    put_u32(img + off, 0xffffffffu);
    expect_load_error(img, len, ACL_ERROR_PARSE_MODEL);
    free(img);
    /* a string that runs to the end of the table without a NUL */
    img = model_image("models/mlp.txt", &len);
    find_section(img, len, ".aclsub.strtab", &soff, &ssize);
    img[soff + ssize - 1] = 'x';
    expect_load_error(img, len, ACL_ERROR_PARSE_MODEL);
    free(img);
}
END_TEST

START_TEST(test_weight_range_outside_section)
{
    size_t len, off, size;
    graph *g = build_model("models/mlp.txt");
    uint32_t w = 1; /* tensor 1 is w1 */
    ck_assert_uint_eq(g->tensors[w].kind, TENSOR_WEIGHT);
    unsigned char *img = write_image(g, &len);
    find_section(img, len, ".aclsub.tensors", &off, &size);
    put_u64(img + off + 96 * w + 88, g->weight_size); /* weight_offset */
    expect_load_error(img, len, ACL_ERROR_MODEL_SIZE_INVALID);
    put_u64(img + off + 96 * w + 88, 8); /* unaligned */
    expect_load_error(img, len, ACL_ERROR_MODEL_SIZE_INVALID);
    free(img);
    graph_free(g);
}
END_TEST

START_TEST(test_stored_shape_disagrees_with_inference)
{
    size_t len, off, size;
    graph *g = build_model("models/mlp.txt");
    uint32_t flat = g->nodes[0].outputs[0]; /* Flatten output [1,64] */
    unsigned char *img = write_image(g, &len);
    find_section(img, len, ".aclsub.tensors", &off, &size);
    unsigned char *e = img + off + 96 * flat;
    put_u64(e + 16 + 8, 32);     /* dims[1] = 32 */
    put_u64(e + 80, 32 * 4);     /* bytes, consistent with the new shape */
    char err[512];
    graph *h = NULL;
    ck_assert_int_eq(om_load(img, len, NULL, 0, &h, err, sizeof err), ACL_ERROR_PARSE_MODEL);
    ck_assert_ptr_nonnull(strstr(err, "flatten"));
    free(img);
    graph_free(g);
}
END_TEST

/* Hand-made graphs written through om_write_file, which does not check references. */
static graph *small_graph(void)
{
    return build_text("input x float 1,4\n"
                      "weight w float 1,4 ones\n"
                      "node a Add x,w -> y\n"
                      "node r Relu y -> z\n"
                      "node s Sigmoid z -> q\n"
                      "output q\n",
                      1);
}

static void expect_graph_rejected(const graph *g, int want, const char *needle)
{
    size_t len;
    unsigned char *img = write_image(g, &len);
    char err[512] = "";
    graph *h = (graph *)1;
    int rc = om_load(img, len, NULL, 0, &h, err, sizeof err);
    ck_assert_msg(rc == want, "rc %d want %d: %s", rc, want, err);
    ck_assert_ptr_null(h);
    ck_assert_msg(strstr(err, needle) != NULL, "'%s' not in '%s'", needle, err);
    free(img);
}

START_TEST(test_cycle_rejected)
{
    graph *g = small_graph();
    /* r reads q, which only the later node s produces */
    uint32_t q = g->nodes[2].outputs[0];
    g->nodes[1].inputs[0] = q;
    expect_graph_rejected(g, ACL_ERROR_PARSE_MODEL, "node 1 (r) input 0");
    /* a node reading its own output */
    graph_free(g);
    g = small_graph();
    g->nodes[1].inputs[0] = g->nodes[1].outputs[0];
    expect_graph_rejected(g, ACL_ERROR_PARSE_MODEL, "node 1 (r)");
    graph_free(g);
}
END_TEST

START_TEST(test_dangling_tensor_rejected)
{
    graph *g = small_graph();
    /* an input index past the tensor table */
    g->nodes[1].inputs[0] = g->n_tensors + 5;
    expect_graph_rejected(g, ACL_ERROR_PARSE_MODEL, "references tensor");
    graph_free(g);
    /* an activation nobody produces: s now writes a fresh tensor and q dangles */
    g = small_graph();
    graph_tensor *t = realloc(g->tensors, (g->n_tensors + 1) * sizeof *t);
    ck_assert_ptr_nonnull(t);
    g->tensors = t;
    t[g->n_tensors] = t[g->nodes[2].outputs[0]];
    t[g->n_tensors].name = strdup("orphan");
    g->outputs[0] = g->n_tensors; /* keep the graph output produced */
    g->nodes[2].outputs[0] = g->n_tensors;
    g->n_tensors++;
    expect_graph_rejected(g, ACL_ERROR_PARSE_MODEL, "no producer");
    graph_free(g);
    /* an activation produced twice */
    g = small_graph();
    g->nodes[2].outputs[0] = g->nodes[1].outputs[0];
    expect_graph_rejected(g, ACL_ERROR_PARSE_MODEL, "produced twice");
    graph_free(g);
}
END_TEST

START_TEST(test_unknown_op_type_rejected)
{
    graph *g = small_graph();
    free(g->nodes[1].op_type);
    g->nodes[1].op_type = strdup("Frobnicate");
    expect_graph_rejected(g, ACL_ERROR_PARSE_MODEL, "Frobnicate");
    graph_free(g);
}
END_TEST

START_TEST(test_output_not_produced_rejected)
{
    graph *g = small_graph();
    g->outputs[0] = 0; /* the graph input x */
    expect_graph_rejected(g, ACL_ERROR_PARSE_MODEL, "graph output 0");
    graph_free(g);
}
END_TEST

/* --- planning ------------------------------------------------------------------------------ */

START_TEST(test_plan_no_overlap_models)
{
    graph *g = build_model("models/cnn.txt");
    check_plan(g);
    graph_free(g);
    g = build_model("models/mlp.txt");
    check_plan(g);
    graph_free(g);
}
END_TEST

START_TEST(test_plan_chain_reuses_memory)
{
    char *text = chain_text(200, 256);
    graph *g = build_text(text, 1);
    free(text);
    uint64_t sum = 0;
    for (uint32_t t = 0; t < g->n_tensors; t++)
        if (g->tensors[t].kind == TENSOR_ACTIVATION)
            sum += g->tensors[t].bytes;
    check_plan(g);
    ck_assert_uint_lt(g->work_size, sum);
    ck_assert_uint_le(g->work_size, 2 * 1024); /* two 1 KiB slots alternate */
    graph_free(g);
}
END_TEST

START_TEST(test_plan_outputs_kept)
{
    /* y is a graph output produced first; nothing later may take its memory */
    graph *g = build_text("input x float 1,64\n"
                          "node a Relu x -> y\n"
                          "node b Sigmoid y -> p\n"
                          "node c Tanh p -> q\n"
                          "node d Relu q -> r\n"
                          "node e Tanh r -> s\n"
                          "output y,s\n",
                          1);
    check_plan(g);
    uint32_t y = g->outputs[0];
    for (uint32_t t = 0; t < g->n_tensors; t++)
        if (t != y && g->tensors[t].kind == TENSOR_ACTIVATION)
            ck_assert(g->tensors[t].offset + g->tensors[t].bytes <= g->tensors[y].offset ||
                      g->tensors[y].offset + g->tensors[y].bytes <= g->tensors[t].offset);
    graph_free(g);
}
END_TEST

START_TEST(test_plan_random_dags)
{
    /* random DAGs of Add/Relu over [1,k] tensors of different widths */
    uint64_t rng = 42;
    for (int round = 0; round < 40; round++) {
        char *text = malloc(64 * 1024);
        size_t at = (size_t)sprintf(text, "input t0 float 1,16\n");
        unsigned n = 5 + (unsigned)(tu_rand(&rng) % 60);
        for (unsigned i = 1; i <= n; i++) {
            unsigned a = (unsigned)(tu_rand(&rng) % i), b = (unsigned)(tu_rand(&rng) % i);
            if (tu_rand(&rng) % 3)
                at += (size_t)sprintf(text + at, "node n%u Add t%u,t%u -> t%u\n", i, a, b, i);
            else
                at += (size_t)sprintf(text + at, "node n%u Relu t%u -> t%u\n", i, a, i);
        }
        sprintf(text + at, "output t%u,t%u\n", n, 1 + (unsigned)(tu_rand(&rng) % (n - 1)));
        char err[256];
        graph *g = NULL;
        ck_assert_msg(mkom_build(text, strlen(text), "dag", 1, &g, err, sizeof err) == 0, "%s", err);
        check_plan(g);
        graph_free(g);
        free(text);
    }
}
END_TEST

START_TEST(test_many_ops_model)
{
    /* 10,000 tiny operators: compile, write, load, plan */
    char *text = chain_text(10000, 16);
    graph *g = build_text(text, 1);
    free(text);
    ck_assert_uint_eq(g->n_nodes, 10000);
    ck_assert_uint_le(g->work_size, 2 * 64);
    size_t len;
    unsigned char *img = write_image(g, &len);
    graph *h = NULL;
    char err[512];
    ck_assert_int_eq(om_load(img, len, NULL, 0, &h, err, sizeof err), ACL_SUCCESS);
    ck_assert_uint_eq(h->n_nodes, 10000);
    ck_assert_uint_eq(h->work_size, g->work_size);
    graph_free(h);
    graph_free(g);
    free(img);
}
END_TEST

/* --- mkom: the text format ------------------------------------------------------------------- */

static void expect_mkom_error(const char *text, const char *line_tag, const char *needle)
{
    char err[512] = "";
    graph *g = (graph *)1;
    int rc = mkom_build(text, strlen(text), "desc.txt", 1, &g, err, sizeof err);
    ck_assert_msg(rc == -1, "accepted: %s", text);
    ck_assert_ptr_null(g);
    ck_assert_msg(strncmp(err, line_tag, strlen(line_tag)) == 0, "'%s' does not start with '%s'", err, line_tag);
    ck_assert_msg(strstr(err, needle) != NULL, "'%s' not in '%s'", needle, err);
    ck_assert_ptr_null(strchr(err, '\n'));
}

START_TEST(test_mkom_errors)
{
    expect_mkom_error("input x float 1,4\nnode r Relu c9 -> y\noutput y\n", "desc.txt:2:", "unknown tensor 'c9'");
    expect_mkom_error("input x float 1,4\n\n# comment\nnode s Softmax x -> y axis=\noutput y\n", "desc.txt:4:",
                      "no value");
    expect_mkom_error("input x float 1,4\nnode s Softmax x -> y axis=[1\noutput y\n", "desc.txt:2:", "']'");
    expect_mkom_error("input x float 1,4\nnode s Softmax x -> y axis\noutput y\n", "desc.txt:2:", "key=value");
    expect_mkom_error("input x float 1,4\nnode s Softmax x -> y axis=1,,2\noutput y\n", "desc.txt:2:",
                      "bad list element");
    expect_mkom_error("input x float 1,4\nnode s Softmax x -> y axis=@\noutput y\n", "desc.txt:2:", "bad value");
    expect_mkom_error("input x float 1,4\nweight x float 4 zeros\n", "desc.txt:2:", "duplicate tensor name 'x'");
    expect_mkom_error("input x float 1,4\nnode r Relu x -> x\n", "desc.txt:2:", "duplicate tensor name 'x'");
    expect_mkom_error("input x float 1,4\nnode r Relu x -> y\nnode r Relu y -> z\n", "desc.txt:3:",
                      "duplicate node name 'r'");
    expect_mkom_error("input x float 1,4\nnode r Relu x -> y\n", "desc.txt:2:", "no output");
    expect_mkom_error("input x float 1,4\nnode r Relu x -> y\noutput nope\n", "desc.txt:3:", "unknown tensor 'nope'");
    expect_mkom_error("input x float 1,4\nnode r Relu x -> y\noutput x\n", "desc.txt:3:", "not produced");
    expect_mkom_error("input x float 1,4\nnode r Frob x -> y\noutput y\n", "desc.txt:2:", "unknown op type 'Frob'");
    expect_mkom_error("input x float 1,0\n", "desc.txt:1:", "bad dimension");
    expect_mkom_error("input x float 1,2,3,4,5,6,7,8,9\n", "desc.txt:1:", "more than 8 dims");
    expect_mkom_error("input x double 1\n", "desc.txt:1:", "unknown dtype");
    expect_mkom_error("weight w float 2 = 1\n", "desc.txt:1:", "has 1 values");
    expect_mkom_error("weight w float 2 = 1,2,3\n", "desc.txt:1:", "more than 2 values");
    expect_mkom_error("weight w int32 2 = 1,4000000000\n", "desc.txt:1:", "bad int32 value");
    expect_mkom_error("weight w int64 2 random\n", "desc.txt:1:", "float weights only");
    expect_mkom_error("weight w float 100000,100000 zeros\n", "desc.txt:1:", "weights exceed");
    expect_mkom_error("weight w float 2 uniform 1 0\n", "desc.txt:1:", "LOW <= HIGH");
    expect_mkom_error("frobnicate\n", "desc.txt:1:", "unknown statement");
    expect_mkom_error("input x float 1,4\nnode r Relu x -> 'y\n", "desc.txt:2:", "unterminated quote");
    expect_mkom_error("model a\nmodel b\n", "desc.txt:2:", "twice");
    expect_mkom_error("input x float 1,4\nweight w float 5,3 random\nnode g Gemm x,w -> y\noutput y\n",
                      "desc.txt:3:", "node g (Gemm)");
    expect_mkom_error("input x float 1,4\nnode r Relu x -> y alpha=1.0\noutput y\n", "desc.txt:2:", "alpha");
    expect_mkom_error("input x float 1,4\nnode r Relu x -> y a=1 a=2\noutput y\n", "desc.txt:2:", "twice");
    expect_mkom_error("input x float 1,4\x01\n", "desc.txt:1:", "control character");
    /* a NUL byte inside the text */
    char err[256];
    graph *g = NULL;
    ck_assert_int_eq(mkom_build("input x\0 float 1\n", 17, "desc.txt", 1, &g, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "desc.txt:1:"));
}
END_TEST

START_TEST(test_mkom_values_and_attrs)
{
    graph *g = build_text("model demo   # trailing comment\n"
                          "input x float 1,2,4,4\n"
                          "weight w float 2,2,1,1 = 1, 2 3,4\n"
                          "weight sh int64 2 =1,-1\n"
                          "weight lo float scalar fill -0.5\n"
                          "node c Conv x,w,_ -> y kernel_shape=[1,1] pads=0,0,0,0 auto_pad='NOTSET'\n"
                          "node m MaxPool y -> p kernel_shape=2,2 strides=[2,2] auto_pad=\"VALID\"\n"
                          "node k Clip p,lo -> q\n"
                          "node h HardSigmoid q -> hs alpha=2e-1 beta=0.5\n"
                          "node r Reshape hs,sh -> z\r\n"
                          "output z\n",
                          7);
    ck_assert_uint_eq(g->n_nodes, 5);
    const graph_node *c = &g->nodes[0];
    ck_assert_uint_eq(c->n_inputs, 3);
    ck_assert_uint_eq(c->inputs[2], GRAPH_NO_TENSOR);
    const graph_attr *a = graph_attr_find(c, "kernel_shape");
    ck_assert_uint_eq(a->type, ATTR_INTS);
    ck_assert_uint_eq(a->count, 2);
    a = graph_attr_find(c, "auto_pad");
    ck_assert_uint_eq(a->type, ATTR_STRING);
    ck_assert_str_eq(a->v.s, "NOTSET");
    ck_assert_uint_eq(a->count, 6);
    ck_assert_float_eq(graph_attr_float(&g->nodes[3], "alpha", 0), 0.2f);
    const float *w = (const float *)(g->weights + g->tensors[1].offset);
    ck_assert(w[0] == 1 && w[1] == 2 && w[2] == 3 && w[3] == 4);
    const int64_t *sh = (const int64_t *)(g->weights + g->tensors[2].offset);
    ck_assert(sh[0] == 1 && sh[1] == -1);
    ck_assert_uint_eq(g->tensors[3].rank, 0);
    ck_assert_float_eq(*(const float *)(g->weights + g->tensors[3].offset), -0.5f);
    const graph_tensor *z = &g->tensors[g->outputs[0]];
    ck_assert_uint_eq(z->rank, 2);
    ck_assert_int_eq(z->dims[0], 1);
    ck_assert_int_eq(z->dims[1], 8);
    for (uint32_t t = 0; t < g->n_tensors; t++)
        if (g->tensors[t].kind == TENSOR_WEIGHT)
            ck_assert_uint_eq(g->tensors[t].offset % 64, 0);
    graph_free(g);
}
END_TEST

START_TEST(test_mkom_float_list_attr)
{
    graph *g = build_text("input x float 1,4\nnode r Relu x -> y\noutput y\n", 1);
    graph_free(g);
    /* a float list is FLOATS; op_infer refuses it for Relu, naming the attribute */
    expect_mkom_error("input x float 1,4\nnode r Relu x -> y scales=1.0,2.5\noutput y\n", "desc.txt:2:", "scales");
}
END_TEST

START_TEST(test_mkom_seeded_weights)
{
    const char *text = "input x float 1,8\nweight w float 4,8 random\nweight u float 100 uniform 2 3\n"
                       "node g Gemm x,w -> y transB=1\noutput y\n";
    graph *a = build_text(text, 11), *b = build_text(text, 11), *c = build_text(text, 12);
    ck_assert_uint_eq(a->weight_size, b->weight_size);
    ck_assert(memcmp(a->weights, b->weights, a->weight_size) == 0);
    ck_assert(memcmp(a->weights, c->weights, a->weight_size) != 0);
    const float *w = (const float *)(a->weights + a->tensors[1].offset);
    float bound = sqrtf(6.0f / 8.0f);
    for (int i = 0; i < 32; i++)
        ck_assert(w[i] >= -bound && w[i] <= bound);
    const float *u = (const float *)(a->weights + a->tensors[2].offset);
    for (int i = 0; i < 100; i++)
        ck_assert(u[i] >= 2.0f && u[i] <= 3.0f);
    graph_free(a);
    graph_free(b);
    graph_free(c);
}
END_TEST

START_TEST(test_mkom_mutated_text)
{
    /* byte-level damage to a real description: an error line or a valid graph, never a crash */
    size_t len;
    char *text = read_all("models/cnn.txt", &len);
    char *m = malloc(len);
    uint64_t rng = 99;
    static const char junk[] = ",=->_#'\"[] \n0123456789.eE-xzAdd";
    unsigned ok = 0;
    for (int i = 0; i < 1500; i++) {
        memcpy(m, text, len);
        int edits = 1 + (int)(tu_rand(&rng) % 4);
        for (int e = 0; e < edits; e++)
            m[tu_rand(&rng) % len] = junk[tu_rand(&rng) % (sizeof junk - 1)];
        char err[512] = "";
        graph *g = NULL;
        if (mkom_build(m, len, "cnn.txt", 1, &g, err, sizeof err) == 0) {
            check_plan(g);
            graph_free(g);
            ok++;
        } else {
            ck_assert_msg(strncmp(err, "cnn.txt:", 8) == 0, "message '%s'", err);
        }
    }
    ck_assert_uint_gt(ok, 0);
    free(m);
    free(text);
}
END_TEST

/* --- suite ------------------------------------------------------------------------------------ */

static Suite *om_suite(void)
{
    Suite *s = suite_create("om");
    TCase *tc = tcase_create("container");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_roundtrip_cnn);
    tcase_add_test(tc, test_roundtrip_mlp);
    tcase_add_test(tc, test_cnn_size_and_ops);
    tcase_add_test(tc, test_query_size);
    tcase_add_test(tc, test_caller_weight_memory);
    tcase_add_test(tc, test_weight_memory_too_small);
    tcase_add_test(tc, test_loaded_graph_is_checked_again_by_a_second_load);
    suite_add_tcase(s, tc);

    tc = tcase_create("damage");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_truncated_at_every_length);
    tcase_add_test(tc, test_shrunk_sections);
    tcase_add_test(tc, test_bit_flip_mutants);
    tcase_add_test(tc, test_not_elf_and_empty);
    tcase_add_test(tc, test_wrong_class_machine_type);
    tcase_add_test(tc, test_missing_section);
    tcase_add_test(tc, test_oversize_tensor_count);
    tcase_add_test(tc, test_dims_product_overflow);
    tcase_add_test(tc, test_string_offset_out_of_range);
    tcase_add_test(tc, test_weight_range_outside_section);
    tcase_add_test(tc, test_stored_shape_disagrees_with_inference);
    tcase_add_test(tc, test_cycle_rejected);
    tcase_add_test(tc, test_dangling_tensor_rejected);
    tcase_add_test(tc, test_unknown_op_type_rejected);
    tcase_add_test(tc, test_output_not_produced_rejected);
    suite_add_tcase(s, tc);

    tc = tcase_create("plan");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_plan_no_overlap_models);
    tcase_add_test(tc, test_plan_chain_reuses_memory);
    tcase_add_test(tc, test_plan_outputs_kept);
    tcase_add_test(tc, test_plan_random_dags);
    tcase_add_test(tc, test_many_ops_model);
    suite_add_tcase(s, tc);

    tc = tcase_create("mkom");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_mkom_errors);
    tcase_add_test(tc, test_mkom_values_and_attrs);
    tcase_add_test(tc, test_mkom_float_list_attr);
    tcase_add_test(tc, test_mkom_seeded_weights);
    tcase_add_test(tc, test_mkom_mutated_text);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(om_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
