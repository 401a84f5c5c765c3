/*
 * atc.c - `aclsub atc`: compiles an ONNX model into an .om model for the
 * emulated device, with the vendor ATC tool's option spelling:
 *
 *   aclsub atc --model=M.onnx --framework=5 --output=NAME [--input_shape="x:1,3,48,192"]
 *
 * The file is read here (bounded by ONNX_IMPORT_MAX_BYTES); onnx_import
 * (onnx_import.c) does the compiling and om_write_file the writing.  Exit
 * status: 0 success, 1 usage or I/O error, 2 a model aclsub cannot compile.
 */
#include <errno.h>
#include <fcntl.h>
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
#include "tools/compile/om_write.h"

#define ATC_FRAMEWORK_ONNX "5"

typedef struct atc_args {
    const char *model, *framework, *output, *input_shape, *fusion_switch_file;
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
               "  --fusion_switch_file FILE\n"
               "                       the vendor's fusion switch file: \"ALL\": \"off\" under GraphFusion\n"
               "                       and / or UBFusion turns aclsub's fusions off (docs/ATC.md)\n"
               "  --soc_version V, --input_format F\n"
               "                       accepted for compatibility with the vendor tool; ignored\n"
               "  -h, --help           this text\n"
               "Options take their value after '=' or as the next argument.\n");
}

/* "--name=value" or "--name value": 1 with *val set when argv[*i] is option `name`. */
static int atc_opt(int argc, char **argv, int *i, const char *name, const char **val)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    *val = *i + 1 < argc ? argv[++*i] : NULL;
    return 1;
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

/* 0 with *args filled, else the exit status (-1 after --help). */
static int atc_parse(int argc, char **argv, atc_args *args)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL, *ignored;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            atc_usage(stdout);
            return -1;
        }
        const char **slot = atc_opt(argc, argv, &i, "--model", &v)         ? &args->model
                            : atc_opt(argc, argv, &i, "--framework", &v)   ? &args->framework
                            : atc_opt(argc, argv, &i, "--output", &v)      ? &args->output
                            : atc_opt(argc, argv, &i, "--input_shape", &v) ? &args->input_shape
                            : atc_opt(argc, argv, &i, "--fusion_switch_file", &v) ? &args->fusion_switch_file
                            : atc_opt(argc, argv, &i, "--soc_version", &v) ? &ignored
                            : atc_opt(argc, argv, &i, "--input_format", &v) ? &ignored
                                                                            : NULL;
        if (!slot) {
            fprintf(stderr, "aclsub atc: unknown option '%s' (try --help)\n", a);
            return 1;
        }
        if (!v) {
            fprintf(stderr, "aclsub atc: option '%s' needs a value\n", a);
            return 1;
        }
        *slot = v;
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
    return 0;
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
    onnx_import_opts opts = {.source = args.model, .input_shape = args.input_shape};
    if (args.fusion_switch_file && atc_fusion_switch(args.fusion_switch_file, &opts.fusion_off)) {
        free(data);
        return 1;
    }
    onnx_import_stats st;
    graph *g;
    char err[1024];
    rc = onnx_import(data, len, &opts, &g, &st, err, sizeof err);
    free(data);
    if (rc != ONNX_IMPORT_OK) {
        fprintf(stderr, "aclsub atc: %s\n", err);
        return rc == ONNX_IMPORT_ENOMEM ? 1 : 2;
    }
    char *path = atc_output_path(args.output);
    if (!path || om_write_file(g, path, err, sizeof err) != 0) {
        fprintf(stderr, "aclsub atc: %s: %s\n", path ? path : args.output, path ? err : "out of memory");
        free(path);
        graph_free(g);
        return 1;
    }
    printf("%s: %u operators, %llu weight bytes, %llu work bytes (%u ONNX nodes, %u folded, %u fused, %u unused "
           "weights dropped)\n",
           path, g->n_nodes, (unsigned long long)g->weight_size, (unsigned long long)g->work_size, st.onnx_nodes,
           st.folded, st.fused, st.dropped_weights);
    free(path);
    graph_free(g);
    return 0;
}
