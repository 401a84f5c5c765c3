/*
 * fuzz_om.c - libFuzzer target for the .om loader: every input is handed
 * to om_load_model as a model image (with or without gears).  The loader
 * must answer with a model or an error code; any crash, leak or sanitizer
 * report is a bug.  Accepted models are loaded a second time into
 * caller-provided weight memory of the model's weight size, and memory one
 * byte smaller must be refused; om_load must agree on the first graph.
 */
#include <stdint.h>
#include <stdlib.h>

#include "acl/acl_base.h"
#include "shim/engine/om.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    om_model *m = NULL;
    if (om_load_model(data, size, NULL, 0, &m, err, sizeof err) != ACL_SUCCESS) {
        if (m)
            abort(); /* a failed load must not hand out a model */
        return 0;
    }
    size_t wsize = (size_t)m->weight_size;
    om_model_free(m);

    void *mem = malloc(wsize ? wsize : 1);
    if (!mem)
        return 0;
    m = NULL;
    if (om_load_model(data, size, mem, wsize, &m, err, sizeof err) != ACL_SUCCESS)
        abort(); /* the same image must load again */
    om_model_free(m);
    if (wsize && om_load_model(data, size, mem, wsize - 1, &m, err, sizeof err) != ACL_ERROR_INVALID_PARAM)
        abort();
    graph *g = NULL;
    if (om_load(data, size, NULL, 0, &g, err, sizeof err) != ACL_SUCCESS)
        abort();
    graph_free(g);
    free(mem);
    return 0;
}
