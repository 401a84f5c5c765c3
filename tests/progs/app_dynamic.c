/*
 * app_dynamic.c - a model compiled with gears (atc --dynamic_batch_size or
 * --dynamic_image_size), driven as the vendor's samples drive one, through
 * the public AscendCL API only:
 *
 *   app_dynamic MODEL.om batch N INPUT.raw OUTPUT.raw
 *   app_dynamic MODEL.om hw H,W INPUT.raw OUTPUT.raw
 *
 * Finds the shape-data input by ACL_DYNAMIC_TENSOR_NAME (it must be the
 * last), prints the gear list ("gears=1,2,4" or "gears=48x192,48x320"),
 * the first input's dims ("input_dims=-1,3,48,192"), the current output
 * dims before any gear is set, then sets the gear, checks that a value that
 * is not a gear is refused by the setter and by an execute
 * (ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID, 145013), executes with INPUT.raw
 * (the gear's first input, which may be smaller than the input buffer) and
 * writes the first output's current elements to OUTPUT.raw.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"

#define CHECKF(cond, ...)                                                                                              \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            printf("FAIL %s:%d: %s\n     ", __FILE__, __LINE__, #cond);                                               \
            printf(__VA_ARGS__);                                                                                       \
            printf("\n");                                                                                              \
            exit(1);                                                                                                   \
        }                                                                                                              \
    } while (0)
#define CHECK(cond) CHECKF(cond, "%s", "")

static void print_dims(const char *what, const aclmdlIODims *d)
{
    printf("%s=", what);
    for (size_t i = 0; i < d->dimCount; i++)
        printf("%s%lld", i ? "," : "", (long long)d->dims[i]);
    printf("\n");
}

static void print_gears(const aclmdlDesc *desc, int hw)
{
    printf("gears=");
    if (hw) {
        aclmdlHW g;
        CHECK(aclmdlGetDynamicHW(desc, (size_t)-1, &g) == ACL_SUCCESS);
        for (size_t k = 0; k < g.hwCount; k++)
            printf("%s%llux%llu", k ? "," : "", (unsigned long long)g.hw[k][0], (unsigned long long)g.hw[k][1]);
    } else {
        aclmdlBatch g;
        CHECK(aclmdlGetDynamicBatch(desc, &g) == ACL_SUCCESS);
        for (size_t k = 0; k < g.batchCount; k++)
            printf("%s%llu", k ? "," : "", (unsigned long long)g.batch[k]);
    }
    printf("\n");
}

/* A dataset of device buffers of the sizes the description gives. */
static aclmdlDataset *make_dataset(aclmdlDesc *desc, int outputs)
{
    aclmdlDataset *ds = aclmdlCreateDataset();
    size_t n = outputs ? aclmdlGetNumOutputs(desc) : aclmdlGetNumInputs(desc);
    for (size_t i = 0; i < n; i++) {
        size_t size = outputs ? aclmdlGetOutputSizeByIndex(desc, i) : aclmdlGetInputSizeByIndex(desc, i);
        void *p;
        CHECK(aclrtMalloc(&p, size, ACL_MEM_MALLOC_HUGE_FIRST) == ACL_SUCCESS);
        memset(p, 0, size);
        CHECK(aclmdlAddDatasetBuffer(ds, aclCreateDataBuffer(p, size)) == ACL_SUCCESS);
    }
    return ds;
}

static void read_input(const char *path, aclDataBuffer *b)
{
    FILE *f = fopen(path, "rb");
    CHECKF(f != NULL, "cannot open %s", path);
    size_t got = fread(aclGetDataBufferAddr(b), 1, aclGetDataBufferSizeV2(b), f);
    CHECKF(got > 0 && fgetc(f) == EOF, "%s: %zu bytes, more than the input's %zu or none", path, got,
           (size_t)aclGetDataBufferSizeV2(b));
    fclose(f);
}

static aclError set_gear(uint32_t id, aclmdlDataset *in, size_t idx, int hw, uint64_t a, uint64_t b)
{
    return hw ? aclmdlSetDynamicHWSize(id, in, idx, a, b) : aclmdlSetDynamicBatchSize(id, in, idx, a);
}

static void write_output(const char *path, aclmdlDesc *desc, aclmdlDataset *out)
{
    aclmdlIODims cur;
    CHECK(aclmdlGetCurOutputDims(desc, 0, &cur) == ACL_SUCCESS);
    print_dims("cur_output_dims", &cur);
    size_t n = 1;
    for (size_t i = 0; i < cur.dimCount; i++)
        n *= (size_t)cur.dims[i];
    CHECK(n * sizeof(float) <= aclmdlGetOutputSizeByIndex(desc, 0));
    FILE *f = fopen(path, "wb");
    CHECKF(f && fwrite(aclGetDataBufferAddr(aclmdlGetDatasetBuffer(out, 0)), sizeof(float), n, f) == n &&
               fclose(f) == 0,
           "cannot write %s", path);
}

int main(int argc, char **argv)
{
    if (argc != 6 || (strcmp(argv[2], "batch") != 0 && strcmp(argv[2], "hw") != 0)) {
        fprintf(stderr, "usage: app_dynamic MODEL.om batch N|hw H,W INPUT.raw OUTPUT.raw\n");
        return 2;
    }
    int hw = strcmp(argv[2], "hw") == 0;
    unsigned long long a = strtoull(argv[3], NULL, 10), b = hw && strchr(argv[3], ',')
                                                                  ? strtoull(strchr(argv[3], ',') + 1, NULL, 10)
                                                                  : 0;
    uint32_t id;
    CHECK(aclInit(NULL) == ACL_SUCCESS);
    CHECK(aclrtSetDevice(0) == ACL_SUCCESS);
    CHECK(aclmdlLoadFromFile(argv[1], &id) == ACL_SUCCESS);
    aclmdlDesc *desc = aclmdlCreateDesc();
    CHECK(aclmdlGetDesc(desc, id) == ACL_SUCCESS);
    size_t idx = 0;
    CHECK(aclmdlGetInputIndexByName(desc, ACL_DYNAMIC_TENSOR_NAME, &idx) == ACL_SUCCESS);
    CHECK(idx == aclmdlGetNumInputs(desc) - 1);
    print_gears(desc, hw);
    aclmdlIODims dims;
    CHECK(aclmdlGetInputDims(desc, 0, &dims) == ACL_SUCCESS);
    print_dims("input_dims", &dims);
    CHECK(aclmdlGetCurOutputDims(desc, 0, &dims) == ACL_SUCCESS);
    print_dims("cur_output_dims_before_set", &dims);

    aclmdlDataset *in = make_dataset(desc, 0), *out = make_dataset(desc, 1);
    read_input(argv[4], aclmdlGetDatasetBuffer(in, 0));
    printf("bad_gear_rc=%d\n", (int)set_gear(id, in, idx, hw, 3, hw ? 3 : 0));
    CHECK(set_gear(id, in, idx, hw, a, b) == ACL_SUCCESS);
    void *shape_data = aclGetDataBufferAddr(aclmdlGetDatasetBuffer(in, idx));
    unsigned char saved[16];
    memcpy(saved, shape_data, hw ? 8 : 4);
    memset(shape_data, 0, hw ? 8 : 4);
    *(uint32_t *)shape_data = 3; /* not a gear of the test models */
    printf("bad_value_execute_rc=%d\n", (int)aclmdlExecute(id, in, out));
    memcpy(shape_data, saved, hw ? 8 : 4);
    CHECK(aclmdlExecute(id, in, out) == ACL_SUCCESS);
    write_output(argv[5], desc, out);

    for (int io = 0; io < 2; io++) {
        aclmdlDataset *ds = io ? out : in;
        for (size_t i = 0; i < aclmdlGetDatasetNumBuffers(ds); i++) {
            aclDataBuffer *buf = aclmdlGetDatasetBuffer(ds, i);
            aclrtFree(aclGetDataBufferAddr(buf));
            aclDestroyDataBuffer(buf);
        }
        aclmdlDestroyDataset(ds);
    }
    aclmdlDestroyDesc(desc);
    CHECK(aclmdlUnload(id) == ACL_SUCCESS);
    aclrtResetDevice(0);
    aclFinalize();
    printf("ok\n");
    return 0;
}
