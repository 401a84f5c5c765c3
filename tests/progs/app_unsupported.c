/*
 * app_unsupported.c CASE - a plain AscendCL program (built against include/
 * and the emulated libascendcl.so only) for tests/shell/check_api_surface.sh:
 *
 *   stubs   calls, twice each, functions the emulated device does not
 *           support, one of each return kind, and checks their failure
 *           values; the shell test checks stderr has one line per function
 *   small   the small runtime calls implemented instead of stubbed:
 *           aclrtMallocAlign32/Cached, aclrtMemFlush/Invalidate,
 *           aclrtFreeWithDevSync/FreeHostWithDevSync, aclrtStreamGetId,
 *           aclGetTensorDescDim
 *
 * Prints "ok api: ..." per check on stdout, or FAIL and exits 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <acl/acl.h>
#include <acl/acl_prof.h>

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            printf("FAIL api: %s:%d: %s\n", __FILE__, __LINE__, #cond);                                                \
            exit(1);                                                                                                   \
        }                                                                                                              \
    } while (0)

static void stubs(void)
{
    for (int round = 1; round <= 2; round++) {
        aclrtEvent ev = NULL;
        CHECK(aclrtCreateEvent(&ev) == ACL_ERROR_FEATURE_UNSUPPORTED);
        CHECK(ev == NULL);
        CHECK(aclprofInit("/tmp", 4) == ACL_ERROR_FEATURE_UNSUPPORTED);
        CHECK(aclmdlCreateAIPP(1) == NULL);
        CHECK(aclrtGetTaskIdFromExceptionInfo(NULL) == 0xFFFFFFFFU);
        CHECK(aclprofStr2Id("x") == 0);
        aclprofDestroyStamp(NULL);
        CHECK(aclSetTensorFormat(NULL, ACL_FORMAT_ND) == ACL_ERROR_FEATURE_UNSUPPORTED);
    }
    printf("ok api: 7 unsupported functions called twice answer their failure values\n");
}

static void small(void)
{
    CHECK(aclInit(NULL) == ACL_SUCCESS);
    CHECK(aclrtSetDevice(0) == ACL_SUCCESS);
    void *p = NULL, *q = NULL, *h = NULL;
    CHECK(aclrtMallocCached(&p, 100, ACL_MEM_MALLOC_HUGE_FIRST) == ACL_SUCCESS && p);
    CHECK(aclrtMallocAlign32(&q, 100, ACL_MEM_MALLOC_NORMAL_ONLY) == ACL_SUCCESS && q);
    CHECK(((uintptr_t)q % 32) == 0);
    CHECK(aclrtMallocCached(&p, 0, ACL_MEM_MALLOC_HUGE_FIRST) == ACL_ERROR_INVALID_PARAM);
    CHECK(aclrtMemFlush(p, 100) == ACL_SUCCESS);
    CHECK(aclrtMemInvalidate(p, 100) == ACL_SUCCESS);
    CHECK(aclrtMemFlush(NULL, 100) == ACL_ERROR_INVALID_PARAM);
    CHECK(aclrtMemInvalidate(p, 0) == ACL_ERROR_INVALID_PARAM);
    CHECK(aclrtFreeWithDevSync(p) == ACL_SUCCESS);
    CHECK(aclrtFreeWithDevSync(q) == ACL_SUCCESS);
    CHECK(aclrtFreeWithDevSync(NULL) == ACL_ERROR_INVALID_PARAM);
    CHECK(aclrtMallocHost(&h, 64) == ACL_SUCCESS);
    CHECK(aclrtFreeHostWithDevSync(h) == ACL_SUCCESS);
    printf("ok api: cached and aligned allocations, flush, invalidate, free after a device sync\n");

    aclrtStream s1 = NULL, s2 = NULL;
    int32_t id1 = -1, id2 = -1, id0 = -1;
    CHECK(aclrtCreateStream(&s1) == ACL_SUCCESS);
    CHECK(aclrtCreateStream(&s2) == ACL_SUCCESS);
    CHECK(aclrtStreamGetId(s1, &id1) == ACL_SUCCESS && id1 >= 0);
    CHECK(aclrtStreamGetId(s2, &id2) == ACL_SUCCESS && id2 >= 0 && id2 != id1);
    CHECK(aclrtStreamGetId(NULL, &id0) == ACL_SUCCESS && id0 >= 0 && id0 != id1 && id0 != id2);
    CHECK(aclrtStreamGetId(s1, NULL) == ACL_ERROR_INVALID_PARAM);
    CHECK(aclrtDestroyStream(s1) == ACL_SUCCESS);
    CHECK(aclrtDestroyStream(s2) == ACL_SUCCESS);
    printf("ok api: aclrtStreamGetId: distinct ids for two streams and the default stream\n");

    int64_t dims[3] = {2, -1, 5};
    aclTensorDesc *d = aclCreateTensorDesc(ACL_FLOAT, 3, dims, ACL_FORMAT_ND);
    CHECK(d);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    CHECK(aclGetTensorDescDim(d, 0) == 2 && aclGetTensorDescDim(d, 1) == -1 && aclGetTensorDescDim(d, 2) == 5);
    CHECK(aclGetTensorDescDim(d, 3) == -1 && aclGetTensorDescDim(NULL, 0) == -1);
#pragma GCC diagnostic pop
    aclDestroyTensorDesc(d);
    printf("ok api: aclGetTensorDescDim, and -1 for a bad index or description\n");

    CHECK(aclrtResetDevice(0) == ACL_SUCCESS);
    CHECK(aclFinalize() == ACL_SUCCESS);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: app_unsupported stubs|small\n");
        return 2;
    }
    if (strcmp(argv[1], "stubs") == 0)
        stubs();
    else if (strcmp(argv[1], "small") == 0)
        small();
    else
        return 2;
    return 0;
}
