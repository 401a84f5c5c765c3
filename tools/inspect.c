/*
 * inspect.c - `aclsub inspect`: what an .om model holds, without running
 * it.  The file is read whole (bounded) and handed to om_load (shim/engine/om.c),
 * which checks every section exactly as the emulated runtime does, so a
 * file inspect accepts is a file aclmdlLoadFromFile accepts, and a damaged
 * one is reported with the loader's own one-line reason.
 *
 * Printed: the graph inputs and outputs (name, dtype, shape), the weight
 * bytes, the working memory the planner lays out (work_size), and every
 * operator in execution order with the shapes of its inputs and outputs;
 * as aligned text or as one JSON object.  The container has no model-name
 * field (the text description's `model` line is informational and not
 * stored), so the model is named by its file.
 *
 * Exit status: 0 success, 1 usage or I/O error, 2 a file the loader rejects.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acl/acl_base.h"
#include "tools/cmds.h"
#include "shim/engine/om.h"
#include "decoder/textout.h"
#include "shim/file.h"

#define INSPECT_MAX_BYTES ((uint64_t)4 << 30) /* larger than any model aclsub writes */
#define SHAPE_MAX 256                          /* "d1xd2x..." of 8 dims of up to 19 digits */

static const char inspect_usage[] =
    "usage: aclsub inspect [--format text|json] MODEL.om\n"
    "\n"
    "Prints what an .om model holds: its inputs and outputs (name, dtype,\n"
    "shape), the weight bytes, the working memory (work_size) and every\n"
    "operator in execution order with the shapes of its inputs and outputs.\n"
    "The file is checked as the runtime's loader checks it.\n"
    "\n"
    "options:\n"
    "  -f, --format FMT   text (default: aligned tables) or json (one object)\n"
    "  -h, --help         show this help\n"
    "  -V, --version      print the version\n"
    "\n"
    "exit status: 0 success, 1 usage or I/O error, 2 a damaged or invalid model.\n"
    "See aclsub-inspect(1).\n";

static const struct option inspect_opts[] = {
    {"format", required_argument, NULL, 'f'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};


static const char *dtype_name(int32_t dt)
{
    return dt == DT_FLOAT ? "float32" : dt == DT_INT32 ? "int32" : dt == DT_INT64 ? "int64" : "?";
}

/* "1x3x32x32", "scalar" for rank 0. */
static void shape_text(const graph_tensor *t, char *buf, size_t len)
{
    if (t->rank == 0) {
        snprintf(buf, len, "scalar");
        return;
    }
    size_t o = 0;
    for (uint32_t k = 0; k < t->rank && o < len; k++)
        o += (size_t)snprintf(buf + o, len - o, "%s%" PRId64, k ? "x" : "", t->dims[k]);
}

/* Names as printed in the table: control bytes would break the columns. */
static void safe_name(const char *s, char *buf, size_t len)
{
    size_t o = 0;
    for (; *s && o + 1 < len; s++)
        buf[o++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
    buf[o] = '\0';
}

/* The shapes of a node's inputs or outputs, comma-separated ("-" for an absent input). */
static char *shapes_text(const graph *g, const uint32_t *idx, uint32_t n)
{
    size_t cap = (size_t)n * (SHAPE_MAX + 1) + 2;
    char *s = malloc(cap), one[SHAPE_MAX];
    if (!s)
        return NULL;
    size_t o = 0;
    s[0] = '\0';
    for (uint32_t i = 0; i < n; i++) {
        if (idx[i] == GRAPH_NO_TENSOR)
            snprintf(one, sizeof one, "-");
        else
            shape_text(&g->tensors[idx[i]], one, sizeof one);
        o += (size_t)snprintf(s + o, cap - o, "%s%s", i ? "," : "", one);
    }
    return s;
}

/* --- text ------------------------------------------------------------------------ */

static size_t max_sz(size_t a, size_t b)
{
    return a > b ? a : b;
}

static void text_io(const graph *g, const char *title, const uint32_t *idx, uint32_t n)
{
    size_t wname = 4;
    char name[256], shape[SHAPE_MAX];
    for (uint32_t i = 0; i < n; i++) {
        safe_name(g->tensors[idx[i]].name, name, sizeof name);
        wname = max_sz(wname, tx_width(name));
    }
    printf("%s: %" PRIu32 "\n", title, n);
    printf("  %-5s  ", "Index");
    tx_pad(stdout, "Name", wname, 0);
    printf("  %-7s  %s\n", "Dtype", "Shape");
    for (uint32_t i = 0; i < n; i++) {
        const graph_tensor *t = &g->tensors[idx[i]];
        safe_name(t->name, name, sizeof name);
        shape_text(t, shape, sizeof shape);
        printf("  %5" PRIu32 "  ", i);
        tx_pad(stdout, name, wname, 0);
        printf("  %-7s  %s\n", dtype_name(t->dtype), shape);
    }
}

/* The operator table; -1 when out of memory. */
static int text_ops(const graph *g)
{
    size_t wname = 4, wtype = 4, win = 12;
    char **in = calloc(g->n_nodes ? g->n_nodes : 1, sizeof *in);
    if (!in)
        return -1;
    char name[256];
    int rc = 0;
    for (uint32_t i = 0; i < g->n_nodes && rc == 0; i++) {
        const graph_node *n = &g->nodes[i];
        in[i] = shapes_text(g, n->inputs, n->n_inputs);
        if (!in[i])
            rc = -1;
        safe_name(n->name, name, sizeof name);
        wname = max_sz(wname, tx_width(name));
        safe_name(n->op_type, name, sizeof name);
        wtype = max_sz(wtype, tx_width(name));
        win = max_sz(win, in[i] ? strlen(in[i]) : 0);
    }
    if (rc == 0) {
        printf("operators: %" PRIu32 "\n  %-5s  ", g->n_nodes, "Index");
        tx_pad(stdout, "Name", wname, 0);
        printf("  ");
        tx_pad(stdout, "Type", wtype, 0);
        printf("  ");
        tx_pad(stdout, "Input shapes", win, 0);
        printf("  Output shapes\n");
    }
    for (uint32_t i = 0; i < g->n_nodes && rc == 0; i++) {
        const graph_node *n = &g->nodes[i];
        char *out = shapes_text(g, n->outputs, n->n_outputs);
        if (!out) {
            rc = -1;
            break;
        }
        printf("  %5" PRIu32 "  ", i);
        safe_name(n->name, name, sizeof name);
        tx_pad(stdout, name, wname, 0);
        printf("  ");
        safe_name(n->op_type, name, sizeof name);
        tx_pad(stdout, name, wtype, 0);
        printf("  ");
        tx_pad(stdout, in[i], win, 0);
        printf("  %s\n", out);
        free(out);
    }
    for (uint32_t i = 0; i < g->n_nodes; i++)
        free(in[i]);
    free(in);
    return rc;
}

static int print_text(const graph *g, const char *path)
{
    printf("model:          %s\n", path);
    printf("weight bytes:   %" PRIu64 "\n", g->weight_size);
    printf("working memory: %" PRIu64 " bytes\n\n", g->work_size);
    text_io(g, "inputs", g->inputs, g->n_inputs);
    putchar('\n');
    text_io(g, "outputs", g->outputs, g->n_outputs);
    putchar('\n');
    return text_ops(g);
}

/* --- JSON ------------------------------------------------------------------------ */

static void json_shape(const graph_tensor *t)
{
    putchar('[');
    for (uint32_t k = 0; k < t->rank; k++)
        printf("%s%" PRId64, k ? "," : "", t->dims[k]);
    putchar(']');
}

static void json_io(const graph *g, const char *key, const uint32_t *idx, uint32_t n)
{
    printf("\"%s\":[", key);
    for (uint32_t i = 0; i < n; i++) {
        const graph_tensor *t = &g->tensors[idx[i]];
        printf("%s{\"index\":%" PRIu32 ",\"name\":", i ? "," : "", i);
        tx_json(stdout, t->name);
        printf(",\"dtype\":\"%s\",\"shape\":", dtype_name(t->dtype));
        json_shape(t);
        putchar('}');
    }
    putchar(']');
}

static void json_shapes(const graph *g, const uint32_t *idx, uint32_t n)
{
    putchar('[');
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            putchar(',');
        if (idx[i] == GRAPH_NO_TENSOR)
            fputs("null", stdout);
        else
            json_shape(&g->tensors[idx[i]]);
    }
    putchar(']');
}

static int print_json(const graph *g, const char *path)
{
    fputs("{\"model\":", stdout);
    tx_json(stdout, path);
    printf(",\"weight_bytes\":%" PRIu64 ",\"work_bytes\":%" PRIu64 ",", g->weight_size, g->work_size);
    json_io(g, "inputs", g->inputs, g->n_inputs);
    putchar(',');
    json_io(g, "outputs", g->outputs, g->n_outputs);
    fputs(",\"operators\":[", stdout);
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const graph_node *n = &g->nodes[i];
        printf("%s{\"index\":%" PRIu32 ",\"name\":", i ? "," : "", i);
        tx_json(stdout, n->name);
        fputs(",\"type\":", stdout);
        tx_json(stdout, n->op_type);
        fputs(",\"inputs\":", stdout);
        json_shapes(g, n->inputs, n->n_inputs);
        fputs(",\"outputs\":", stdout);
        json_shapes(g, n->outputs, n->n_outputs);
        putchar('}');
    }
    fputs("]}\n", stdout);
    return 0;
}

/* --- the command ----------------------------------------------------------------- */

/* 0 with *model and *json set; else the exit status (-1 after --help). */
static int inspect_parse(int argc, char **argv, const char **model, int *json)
{
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+f:hV", inspect_opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(inspect_usage, stdout);
            return -1;
        }
        if (c == 'V') {
            cmd_version();
            return -1;
        }
        if (c == 'f' && (strcmp(optarg, "text") == 0 || strcmp(optarg, "json") == 0)) {
            *json = optarg[0] == 'j';
            continue;
        }
        if (c == 'f')
            fprintf(stderr, "aclsub inspect: unknown format '%s' (try 'aclsub inspect --help')\n", optarg);
        else
            fprintf(stderr, "aclsub inspect: unknown option or missing value '%s' (try 'aclsub inspect --help')\n",
                    argv[optind - 1]);
        return 1;
    }
    if (optind != argc - 1) {
        fputs(inspect_usage, stderr);
        return 1;
    }
    *model = argv[optind];
    return 0;
}

int cmd_inspect(int argc, char **argv)
{
    const char *path, *why;
    int json = 0, rc = inspect_parse(argc, argv, &path, &json);
    if (rc)
        return rc < 0 ? 0 : rc;
    size_t len;
    unsigned char *image = file_read_all(path, INSPECT_MAX_BYTES, &len, &why);
    if (!image) {
        fprintf(stderr, "aclsub inspect: %s: %s\n", path, why);
        return 1;
    }
    graph *g;
    char err[512];
    rc = om_load(image, len, NULL, 0, &g, err, sizeof err);
    free(image);
    if (rc != ACL_SUCCESS) {
        fprintf(stderr, "aclsub inspect: %s: %s\n", path, err);
        return rc == ACL_ERROR_BAD_ALLOC ? 1 : 2;
    }
    rc = json ? print_json(g, path) : print_text(g, path);
    graph_free(g);
    if (rc < 0)
        fprintf(stderr, "aclsub inspect: out of memory\n");
    if (fflush(stdout) != 0 && rc == 0) {
        fprintf(stderr, "aclsub inspect: writing the output: %s\n", strerror(errno));
        rc = -1;
    }
    return rc < 0 ? 1 : 0;
}
