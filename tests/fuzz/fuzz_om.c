/*
 * fuzz_om.c - libFuzzer target for the .om loader: every input is handed
 * to om_load as a model image.  The loader must answer with a graph or an
 * error code; any crash, leak or sanitizer report is a bug.  Accepted
 * graphs are loaded a second time into caller-provided weight memory, and
 * too-small memory must be refused.
 */
#include <stdint.h>
#include <stdlib.h>

#include "acl/acl_base.h"
#include "shim/engine/om.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    graph *g = NULL;
    if (om_load(data, size, NULL, 0, &g, err, sizeof err) != ACL_SUCCESS) {
        if (g)
            abort(); /* a failed load must not hand out a graph */
        return 0;
    }
    size_t wsize = (size_t)g->weight_size;
    graph_free(g);

    void *mem = malloc(wsize ? wsize : 1);
    if (!mem)
        return 0;
    g = NULL;
    if (om_load(data, size, mem, wsize, &g, err, sizeof err) != ACL_SUCCESS)
        abort(); /* the same image must load again */
    graph_free(g);
    if (wsize && om_load(data, size, mem, wsize - 1, &g, err, sizeof err) != ACL_ERROR_INVALID_PARAM)
        abort();
    free(mem);
    return 0;
}
