/*
 * app_run.c - runs one model on raw float32 files through the vendor's
 * AscendCL API only: the harness for comparing real models against an
 * independent runtime, and for timing them.
 *
 *   app_run MODEL.om INPUT.raw OUTPUT.raw [EXECUTES [WARMUP]]
 *
 * INPUT.raw must hold exactly the first input's bytes; the first output is
 * written to OUTPUT.raw.  Prints the output's dims and, with EXECUTES > 1,
 * the median execute time: "exec_median_us=...".  WARMUP (default 0)
 * executes run first, untimed.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl/acl.h"

static int fail(const char *what, int rc)
{
    fprintf(stderr, "app_run: %s failed (%d)\n", what, rc);
    return 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: app_run MODEL.om INPUT.raw OUTPUT.raw [EXECUTES [WARMUP]]\n");
        return 2;
    }
    int executes = argc > 4 ? atoi(argv[4]) : 1;
    if (executes < 1)
        executes = 1;
    int warmup = argc > 5 ? atoi(argv[5]) : 0;
    int rc;
    uint32_t id;
    if ((rc = aclInit(NULL)) != ACL_SUCCESS)
        return fail("aclInit", rc);
    if ((rc = aclrtSetDevice(0)) != ACL_SUCCESS)
        return fail("aclrtSetDevice", rc);
    if ((rc = aclmdlLoadFromFile(argv[1], &id)) != ACL_SUCCESS)
        return fail("aclmdlLoadFromFile", rc);
    aclmdlDesc *desc = aclmdlCreateDesc();
    if ((rc = aclmdlGetDesc(desc, id)) != ACL_SUCCESS)
        return fail("aclmdlGetDesc", rc);

    aclmdlDataset *in = aclmdlCreateDataset(), *out = aclmdlCreateDataset();
    size_t in_size = aclmdlGetInputSizeByIndex(desc, 0);
    void *in_buf, *out_buf = NULL;
    if ((rc = aclrtMalloc(&in_buf, in_size, ACL_MEM_MALLOC_HUGE_FIRST)) != ACL_SUCCESS)
        return fail("aclrtMalloc", rc);
    FILE *f = fopen(argv[2], "rb");
    if (!f || fread(in_buf, 1, in_size, f) != in_size || fgetc(f) != EOF) {
        fprintf(stderr, "app_run: %s: expected exactly %zu bytes\n", argv[2], in_size);
        return 1;
    }
    fclose(f);
    aclmdlAddDatasetBuffer(in, aclCreateDataBuffer(in_buf, in_size));
    for (size_t i = 0; i < aclmdlGetNumOutputs(desc); i++) {
        size_t size = aclmdlGetOutputSizeByIndex(desc, i);
        void *p;
        if ((rc = aclrtMalloc(&p, size, ACL_MEM_MALLOC_HUGE_FIRST)) != ACL_SUCCESS)
            return fail("aclrtMalloc", rc);
        if (i == 0)
            out_buf = p;
        aclmdlAddDatasetBuffer(out, aclCreateDataBuffer(p, size));
    }

    for (int k = 0; k < warmup; k++)
        if ((rc = aclmdlExecute(id, in, out)) != ACL_SUCCESS)
            return fail("aclmdlExecute", rc);
    double *times = calloc((size_t)executes, sizeof *times);
    for (int k = 0; k < executes; k++) {
        double t0 = now_us();
        if ((rc = aclmdlExecute(id, in, out)) != ACL_SUCCESS)
            return fail("aclmdlExecute", rc);
        times[k] = now_us() - t0;
    }
    aclmdlIODims dims;
    aclmdlGetOutputDims(desc, 0, &dims);
    printf("output_shape=");
    for (size_t d = 0; d < dims.dimCount; d++)
        printf("%s%lld", d ? "," : "", (long long)dims.dims[d]);
    printf("\n");
    if (executes > 1) {
        qsort(times, (size_t)executes, sizeof *times, cmp_double);
        printf("exec_median_us=%.1f\n", times[executes / 2]);
    }
    f = fopen(argv[3], "wb");
    size_t out_size = aclmdlGetOutputSizeByIndex(desc, 0);
    if (!f || fwrite(out_buf, 1, out_size, f) != out_size || fclose(f) != 0) {
        fprintf(stderr, "app_run: cannot write %s\n", argv[3]);
        return 1;
    }
    free(times);
    for (int io = 0; io < 2; io++) {
        aclmdlDataset *ds = io ? out : in;
        for (size_t i = 0; i < aclmdlGetDatasetNumBuffers(ds); i++) {
            aclDataBuffer *b = aclmdlGetDatasetBuffer(ds, i);
            aclrtFree(aclGetDataBufferAddr(b));
            aclDestroyDataBuffer(b);
        }
        aclmdlDestroyDataset(ds);
    }
    aclmdlDestroyDesc(desc);
    aclmdlUnload(id);
    aclrtResetDevice(0);
    aclFinalize();
    return 0;
}
