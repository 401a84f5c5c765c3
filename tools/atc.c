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
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/cmds.h"
#include "shim/engine/om.h"
#include "tools/compile/onnx_import.h"
#include "shim/file.h"
#include "tools/compile/om_write.h"

#define ATC_FRAMEWORK_ONNX "5"

typedef struct atc_args {
    const char *model, *framework, *output, *input_shape;
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
               "  --soc_version V, --input_format F\n"
               "                       accepted for compatibility with the vendor tool; ignored\n"
               "  -h, --help           this text\n"
               "  -V, --version        print the version\n"
               "Options take their value after '=' or as the next argument.\n");
}

enum { ATC_MODEL = 256, ATC_FRAMEWORK, ATC_OUTPUT, ATC_INPUT_SHAPE, ATC_IGNORED };

/* The vendor tool's long options: "--name=value" or "--name value". */
static const struct option atc_opts[] = {
    {"model", required_argument, NULL, ATC_MODEL},
    {"framework", required_argument, NULL, ATC_FRAMEWORK},
    {"output", required_argument, NULL, ATC_OUTPUT},
    {"input_shape", required_argument, NULL, ATC_INPUT_SHAPE},
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
        const char **slot = c == ATC_MODEL ? &args->model : c == ATC_FRAMEWORK ? &args->framework
                            : c == ATC_OUTPUT ? &args->output : c == ATC_INPUT_SHAPE ? &args->input_shape : NULL;
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
    printf("%s: %u operators, %llu weight bytes, %llu work bytes (%u ONNX nodes, %u folded, %u unused weights "
           "dropped)\n",
           path, g->n_nodes, (unsigned long long)g->weight_size, (unsigned long long)g->work_size, st.onnx_nodes,
           st.folded, st.dropped_weights);
    free(path);
    graph_free(g);
    return 0;
}
