/*
 * atc.c - `aclsub atc`: compiles an ONNX model into an .om model for the
 * emulated device, with the vendor ATC tool's option spelling:
 *
 *   aclsub atc --model=M.onnx --framework=5 --output=NAME [--input_shape="x:1,3,48,192"]
 *              [--dynamic_batch_size="1,2,4" | --dynamic_image_size="224,224;448,448"]
 *
 * The file is read here (bounded by ONNX_IMPORT_MAX_BYTES); onnx_import
 * (onnx_import.c) does the compiling and om_write_file the writing.  With a
 * dynamic-gear option (checked in compile/gears.c) the model is compiled
 * once per gear, with the gear's values in place of the -1 dims of
 * --input_shape, each graph gets the shape-data input, and
 * om_write_gears_file stores them all.  Exit status: 0 success, 1 usage or
 * I/O error, 2 a model aclsub cannot compile.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/cmds.h"
#include "shim/engine/om.h"
#include "tools/compile/fuse.h"
#include "tools/compile/onnx_import.h"
#include "shim/file.h"
#include "tools/compile/gears.h"
#include "tools/compile/om_write.h"

#define ATC_FRAMEWORK_ONNX "5"

typedef struct atc_args {
    const char *model, *framework, *output, *input_shape, *fusion_switch_file;
    const char *dynamic_batch_size, *dynamic_image_size;
    gear_list gears;     /* kind 0: no gears */
    unsigned fusion_off; /* FUSE_NO_* from --fusion_switch_file */
} atc_args;

static void atc_usage(FILE *f)
{
    fprintf(f, "usage: aclsub atc --model=M.onnx --framework=5 --output=NAME [--input_shape=\"x:1,3,48,192\"]\n"
               "\n"
               "Compiles an ONNX model into NAME.om for the emulated device (docs/ATC.md).\n"
               "  --model FILE         the ONNX model\n"
               "  --framework 5        the model's framework: 5 is ONNX, the only one supported\n"
               "  --output NAME        writes NAME.om (NAME may already end in .om)\n"
               "  --input_shape SPEC   static input shapes, NAME:D1,D2,... separated by ';'\n"
               "                       (needed when an input has symbolic or unknown dims)\n"
               "  --dynamic_batch_size N1,N2,...\n"
               "                       one graph per batch size (2 to 128 gears); --input_shape\n"
               "                       puts -1 at the batch dim, e.g. \"x:-1,3,48,192\"\n"
               "  --dynamic_image_size H1,W1;H2,W2;...\n"
               "                       one graph per image size; --input_shape puts -1 at H and W\n"
               "                       of 4-D NCHW inputs, e.g. \"x:1,3,-1,-1\"\n"
               "  --fusion_switch_file FILE\n"
               "                       the vendor's fusion switch file: \"ALL\": \"off\" under GraphFusion\n"
               "                       and / or UBFusion turns aclsub's fusions off (docs/ATC.md)\n"
               "  --soc_version V, --input_format F\n"
               "                       accepted for compatibility with the vendor tool; ignored\n"
               "  -h, --help           this text\n"
               "  -V, --version        print the version\n"
               "Options take their value after '=' or as the next argument.\n");
}

enum {
    ATC_MODEL = 256,
    ATC_FRAMEWORK,
    ATC_OUTPUT,
    ATC_INPUT_SHAPE,
    ATC_DYNAMIC_BATCH,
    ATC_DYNAMIC_IMAGE,
    ATC_FUSION_SWITCH,
    ATC_IGNORED
};

/* The dynamic-gear options, checked as the vendor's ATC checks them: 0, or 1 after a line on stderr. */
static int atc_parse_gears(atc_args *args)
{
    char err[256];
    const char *batch = args->dynamic_batch_size, *hw = args->dynamic_image_size;
    if (!batch && !hw)
        return 0;
    if (batch && hw) {
        fprintf(stderr, "aclsub atc: --dynamic_batch_size and --dynamic_image_size cannot be used together\n");
        return 1;
    }
    int rc = batch ? gears_parse_batch(batch, &args->gears, err, sizeof err)
                   : gears_parse_image_size(hw, &args->gears, err, sizeof err);
    if (rc == 0)
        rc = gears_check_input_shape(args->input_shape, args->gears.kind, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "aclsub atc: %s\n", err);
        return 1;
    }
    return 0;
}

/* The FUSE_NO_* flags of a fusion switch file; -1 (after a message) when it cannot be read. */
static int atc_fusion_switch(const char *path, unsigned *off)
{
    size_t len;
    const char *why;
    char *text = (char *)file_read_all(path, (size_t)1 << 20, &len, &why);
    if (!text) {
        fprintf(stderr, "aclsub atc: --fusion_switch_file %s: %s\n", path, why);
        return -1;
    }
    char *z = realloc(text, len + 1);
    if (!z) {
        free(text);
        fprintf(stderr, "aclsub atc: out of memory\n");
        return -1;
    }
    z[len] = '\0';
    *off = fuse_switch_parse(z);
    free(z);
    return 0;
}

/* The vendor tool's long options: "--name=value" or "--name value". */
static const struct option atc_opts[] = {
    {"model", required_argument, NULL, ATC_MODEL},
    {"framework", required_argument, NULL, ATC_FRAMEWORK},
    {"output", required_argument, NULL, ATC_OUTPUT},
    {"input_shape", required_argument, NULL, ATC_INPUT_SHAPE},
    {"dynamic_batch_size", required_argument, NULL, ATC_DYNAMIC_BATCH},
    {"dynamic_image_size", required_argument, NULL, ATC_DYNAMIC_IMAGE},
    {"fusion_switch_file", required_argument, NULL, ATC_FUSION_SWITCH},
    {"soc_version", required_argument, NULL, ATC_IGNORED},
    {"input_format", required_argument, NULL, ATC_IGNORED},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* 0 with *args filled, else the exit status (-1 after --help or --version). */
static int atc_parse(int argc, char **argv, atc_args *args)
{
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+hV", atc_opts, NULL)) != -1) {
        if (c == 'h' || c == 'V') {
            if (c == 'h')
                atc_usage(stdout);
            else
                cmd_version();
            return -1;
        }
        const char **slot = c == ATC_MODEL             ? &args->model
                            : c == ATC_FRAMEWORK       ? &args->framework
                            : c == ATC_OUTPUT          ? &args->output
                            : c == ATC_INPUT_SHAPE     ? &args->input_shape
                            : c == ATC_DYNAMIC_BATCH   ? &args->dynamic_batch_size
                            : c == ATC_DYNAMIC_IMAGE   ? &args->dynamic_image_size
                            : c == ATC_FUSION_SWITCH   ? &args->fusion_switch_file
                                                       : NULL;
        if (slot)
            *slot = optarg;
        else if (c != ATC_IGNORED) {
            fprintf(stderr, "aclsub atc: unknown option or missing value '%s' (try 'aclsub atc --help')\n",
                    argv[optind - 1]);
            return 1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "aclsub atc: unexpected argument '%s': every input is an option (try 'aclsub atc --help')\n",
                argv[optind]);
        return 1;
    }
    if (!args->model || !args->output || !*args->model || !*args->output) {
        fprintf(stderr, "aclsub atc: --model and --output are required (try --help)\n");
        return 1;
    }
    if (!args->framework) {
        fprintf(stderr, "aclsub atc: --framework is required (5 = ONNX, the only framework supported)\n");
        return 1;
    }
    if (strcmp(args->framework, ATC_FRAMEWORK_ONNX) != 0) {
        fprintf(stderr, "aclsub atc: --framework=%s is not supported: only 5 (ONNX) is\n", args->framework);
        return 1;
    }
    return atc_parse_gears(args);
}


/* NAME.om, or NAME when it already ends in .om. */
static char *atc_output_path(const char *name)
{
    size_t n = strlen(name);
    int has = n > 3 && strcmp(name + n - 3, ".om") == 0;
    char *path = malloc(n + 4);
    if (path)
        snprintf(path, n + 4, "%s%s", name, has ? "" : ".om");
    return path;
}

/* Compiles the model with one --input_shape: ONNX_IMPORT_OK, or the importer's code after a line on stderr. */
static int atc_import(const unsigned char *data, size_t len, const atc_args *args, const char *input_shape,
                      graph **g, onnx_import_stats *st)
{
    onnx_import_opts opts = {.source = args->model, .input_shape = input_shape, .fusion_off = args->fusion_off};
    char err[1024];
    int rc = onnx_import(data, len, &opts, g, st, err, sizeof err);
    if (rc != ONNX_IMPORT_OK)
        fprintf(stderr, "aclsub atc: %s\n", err);
    return rc;
}

static int atc_exit_status(int import_rc)
{
    return import_rc == ONNX_IMPORT_ENOMEM ? 1 : 2;
}

/* Writes the one graph of a model without gears. */
static int atc_write_static(const atc_args *args, const char *path, const unsigned char *data, size_t len)
{
    onnx_import_stats st;
    graph *g;
    char err[1024];
    int rc = atc_import(data, len, args, args->input_shape, &g, &st);
    if (rc != ONNX_IMPORT_OK)
        return atc_exit_status(rc);
    if (om_write_file(g, path, err, sizeof err) != 0) {
        fprintf(stderr, "aclsub atc: %s: %s\n", path, err);
        graph_free(g);
        return 1;
    }
    printf("%s: %u operators, %llu weight bytes, %llu work bytes (%u ONNX nodes, %u folded, %u fused, %u unused "
           "weights dropped)\n",
           path, g->n_nodes, (unsigned long long)g->weight_size, (unsigned long long)g->work_size, st.onnx_nodes,
           st.folded, st.fused, st.dropped_weights);
    graph_free(g);
    return 0;
}

/* Gear k's graph: the model compiled with the gear's values, then the shape-data input. */
static int atc_compile_gear(const atc_args *args, uint32_t k, const unsigned char *data, size_t len, graph **g)
{
    const gear_list *gl = &args->gears;
    char *spec = gears_shape_for(args->input_shape, gl, k), err[256];
    if (!spec) {
        fprintf(stderr, "aclsub atc: out of memory\n");
        return 1;
    }
    onnx_import_stats st;
    int rc = atc_import(data, len, args, spec, g, &st);
    if (rc != ONNX_IMPORT_OK) {
        fprintf(stderr, "aclsub atc: (compiling gear %u with --input_shape=\"%.200s\")\n", k, spec);
        free(spec);
        return atc_exit_status(rc);
    }
    free(spec);
    if (gears_add_shape_input(*g, gl->kind, err, sizeof err) != 0) {
        fprintf(stderr, "aclsub atc: %s\n", err);
        return 2;
    }
    return 0;
}

/* "1,2,4" or "48,192;48,320" into buf, for the summary line. */
static void atc_format_gears(const gear_list *gl, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (uint32_t k = 0; k < gl->n && o < len; k++) {
        int n = gl->kind == OM_GEAR_BATCH
                    ? snprintf(buf + o, len - o, "%s%llu", k ? "," : "", (unsigned long long)gl->values[k][0])
                    : snprintf(buf + o, len - o, "%s%llu,%llu", k ? ";" : "", (unsigned long long)gl->values[k][0],
                               (unsigned long long)gl->values[k][1]);
        if (n < 0)
            return;
        o += (size_t)n;
    }
}

static int atc_write_gears(const atc_args *args, graph **graphs, const char *path)
{
    const gear_list *gl = &args->gears;
    uint64_t *masks = calloc(graphs[0]->n_inputs, sizeof *masks);
    char err[1024], list[1024];
    if (!masks) {
        fprintf(stderr, "aclsub atc: out of memory\n");
        return 1;
    }
    for (uint32_t i = 0; i + 1 < graphs[0]->n_inputs; i++)
        masks[i] = gears_input_mask(args->input_shape, graphs[0]->tensors[graphs[0]->inputs[i]].name);
    om_write_gears gw = {.kind = gl->kind, .n_gears = gl->n, .graphs = graphs, .values = gl->values,
                         .dyn_masks = masks};
    int rc = om_write_gears_file(&gw, path, err, sizeof err);
    free(masks);
    if (rc != 0) {
        fprintf(stderr, "aclsub atc: %s: %s\n", path, err);
        return 1;
    }
    atc_format_gears(gl, list, sizeof list);
    printf("%s: %u gears of %s (%s), %u operators in gear 0, input %u is %s\n", path, gl->n,
           gl->kind == OM_GEAR_BATCH ? "batch size" : "image size", list, graphs[0]->n_nodes,
           graphs[0]->n_inputs - 1, OM_SHAPE_DATA_NAME);
    return 0;
}

/* Compiles one graph per gear and writes them as one model. */
static int atc_write_with_gears(const atc_args *args, const char *path, const unsigned char *data, size_t len)
{
    graph *graphs[OM_MAX_GEARS] = {0};
    int rc = 0;
    for (uint32_t k = 0; k < args->gears.n && rc == 0; k++)
        rc = atc_compile_gear(args, k, data, len, &graphs[k]);
    if (rc == 0)
        rc = atc_write_gears(args, graphs, path);
    for (uint32_t k = 0; k < args->gears.n; k++)
        graph_free(graphs[k]);
    return rc;
}

int cmd_atc(int argc, char **argv)
{
    atc_args args = {0};
    int rc = atc_parse(argc, argv, &args);
    if (rc)
        return rc < 0 ? 0 : rc;
    size_t len;
    const char *why;
    unsigned char *data = file_read_all(args.model, ONNX_IMPORT_MAX_BYTES, &len, &why);
    if (!data) {
        fprintf(stderr, "aclsub atc: %s: %s\n", args.model, why);
        return 1;
    }
    if (args.fusion_switch_file && atc_fusion_switch(args.fusion_switch_file, &args.fusion_off)) {
        free(data);
        return 1;
    }
    char *path = atc_output_path(args.output);
    if (!path) {
        fprintf(stderr, "aclsub atc: out of memory\n");
        free(data);
        return 1;
    }
    rc = args.gears.kind ? atc_write_with_gears(&args, path, data, len) : atc_write_static(&args, path, data, len);
    free(path);
    free(data);
    return rc;
}
