/*
 * fuzz_mkom.c - libFuzzer target for the text graph description compiler:
 * every input is compiled with mkom_build.  It must produce a graph or a
 * one-line "SOURCE:LINE: cause" error; any crash, leak or sanitizer report
 * is a bug.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The compiler is tools/compile/mkom_text.c, built into the target with the other tool sources. */
#include "tools/compile/mkom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    graph *g = NULL;
    if (mkom_build((const char *)data, size, "fuzz", 1, &g, err, sizeof err) != 0) {
        if (g || strncmp(err, "fuzz:", 5) != 0 || strchr(err, '\n'))
            abort();
        return 0;
    }
    graph_free(g);
    return 0;
}
