/*
 * fuzz_onnx.c - libFuzzer target for the ONNX importer behind `aclsub atc`:
 * every input is imported with onnx_import (nothing is written to disk).
 * It must give a graph or a one-line "fuzz: cause" error with no graph;
 * any crash, leak, hang or sanitizer report is a bug.  Folded constants are
 * capped at 4 MiB so that a small input can ask neither for gigabytes nor
 * for minutes of compile-time arithmetic.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tools/compile/onnx_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024];
    graph *g = NULL;
    onnx_import_opts opts = {.source = "fuzz", .max_weight_bytes = (uint64_t)4 << 20};
    /* inputs starting with '#' carry an --input_shape spec up to the first newline */
    const uint8_t *nl = size && data[0] == '#' ? memchr(data, '\n', size) : NULL;
    char spec[256];
    if (nl && (size_t)(nl - data) < sizeof spec) {
        memcpy(spec, data + 1, (size_t)(nl - data) - 1);
        spec[nl - data - 1] = '\0';
        opts.input_shape = spec;
        size -= (size_t)(nl - data) + 1;
        data = nl + 1;
    }
    int rc = onnx_import(data, size, &opts, &g, NULL, err, sizeof err);
    if (rc != ONNX_IMPORT_OK) {
        if (g || strncmp(err, "fuzz: ", 6) != 0 || strchr(err, '\n'))
            abort();
        return 0;
    }
    if (!g || g->n_nodes == 0 || g->n_outputs == 0)
        abort();
    graph_free(g);
    return 0;
}
