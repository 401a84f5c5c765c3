/*
 * subscribe.c - an AscendCL inference program that subscribes to its own
 * model's operator information, following the documented subscription
 * flow step by step, and prints every operator record as it arrives.
 * It uses the vendor's AscendCL API only, so it builds unchanged against
 * the vendor's headers and runtime.
 *
 *   subscribe MODEL.om [EXECUTES]
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl/acl.h"
#include "acl/acl_prof.h"

#define INFO_LOG(fmt, ...) fprintf(stdout, "[INFO]  " fmt "\n", __VA_ARGS__)
#define ERROR_LOG(fmt, ...) fprintf(stderr, "[ERROR] " fmt "\n", __VA_ARGS__)
#define RECORDS_PER_READ 10

struct reader_args {
    int fd;
    aclrtContext ctx;
    unsigned long records;
};

/* Step 6.1: decode one buffer of records with the accessors. */
static void print_model_info(const void *data, size_t len, unsigned long *count)
{
    uint32_t n = 0;
    if (aclprofGetOpNum(data, len, &n) != ACL_SUCCESS) {
        ERROR_LOG("aclprofGetOpNum rejected a buffer of %zu bytes", len);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        size_t type_len = 0, name_len = 0;
        if (aclprofGetOpTypeLen(data, len, i, &type_len) != ACL_SUCCESS ||
            aclprofGetOpNameLen(data, len, i, &name_len) != ACL_SUCCESS)
            continue;
        char *type = malloc(type_len), *name = malloc(name_len);
        if (type && name && aclprofGetOpType(data, len, i, type, type_len) == ACL_SUCCESS &&
            aclprofGetOpName(data, len, i, name, name_len) == ACL_SUCCESS)
            INFO_LOG("model_id=%zu op_type=%s op_name=%s op_start=%llu op_end=%llu op_duration=%llu ns",
                     aclprofGetModelId(data, len, i), type, name,
                     (unsigned long long)aclprofGetOpStart(data, len, i),
                     (unsigned long long)aclprofGetOpEnd(data, len, i),
                     (unsigned long long)aclprofGetOpDuration(data, len, i));
        free(type);
        free(name);
        (*count)++;
    }
}

/* Step 6.2: read the pipe until the runtime closes it. */
static void *prof_data_read(void *arg)
{
    struct reader_args *a = arg;
    aclrtSetCurrentContext(a->ctx);
    size_t desc_size = 0;
    aclprofGetOpDescSize(&desc_size);
    size_t cap = desc_size * RECORDS_PER_READ, have = 0;
    unsigned char *buf = malloc(cap);
    if (!buf)
        return NULL;
    for (;;) {
        ssize_t n = read(a->fd, buf + have, cap - have);
        if (n <= 0)
            break;
        have += (size_t)n;
        size_t whole = have / desc_size * desc_size;
        if (whole) {
            print_model_info(buf, whole, &a->records);
            memmove(buf, buf + whole, have - whole);
            have -= whole;
        }
    }
    free(buf);
    return NULL;
}

#define CHECK(call)                                                                                        \
    do {                                                                                                   \
        aclError rc_ = (call);                                                                             \
        if (rc_ != ACL_SUCCESS) {                                                                          \
            ERROR_LOG("%s failed: %d", #call, rc_);                                                        \
            return 1;                                                                                      \
        }                                                                                                  \
    } while (0)

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s MODEL.om [EXECUTES]\n", argv[0]);
        return 1;
    }
    int executes = argc > 2 ? atoi(argv[2]) : 1;

    /* 1. Runtime resources. */
    aclrtContext ctx;
    aclrtStream stream;
    CHECK(aclInit(NULL));
    CHECK(aclrtSetDevice(0));
    CHECK(aclrtCreateContext(&ctx, 0));
    CHECK(aclrtCreateStream(&stream));

    /* 2. The model. */
    uint32_t model_id;
    CHECK(aclmdlLoadFromFile(argv[1], &model_id));

    /* 3. Input and output datasets in device memory. */
    aclmdlDesc *desc = aclmdlCreateDesc();
    CHECK(aclmdlGetDesc(desc, model_id));
    aclmdlDataset *input = aclmdlCreateDataset(), *output = aclmdlCreateDataset();
    for (size_t i = 0; i < aclmdlGetNumInputs(desc); i++) {
        size_t size = aclmdlGetInputSizeByIndex(desc, i);
        void *dev;
        CHECK(aclrtMalloc(&dev, size, ACL_MEM_MALLOC_HUGE_FIRST));
        float *host = malloc(size);
        for (size_t k = 0; k < size / sizeof(float); k++)
            host[k] = (float)(k % 255) / 255.0f;
        CHECK(aclrtMemcpy(dev, size, host, size, ACL_MEMCPY_HOST_TO_DEVICE));
        free(host);
        CHECK(aclmdlAddDatasetBuffer(input, aclCreateDataBuffer(dev, size)));
    }
    for (size_t i = 0; i < aclmdlGetNumOutputs(desc); i++) {
        size_t size = aclmdlGetOutputSizeByIndex(desc, i);
        void *dev;
        CHECK(aclrtMalloc(&dev, size, ACL_MEM_MALLOC_HUGE_FIRST));
        CHECK(aclmdlAddDatasetBuffer(output, aclCreateDataBuffer(dev, size)));
    }

    /* 4. The pipe. 5. The subscription. */
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        return 1;
    }
    aclprofSubscribeConfig *config = aclprofCreateSubscribeConfig(1, ACL_AICORE_NONE, &fds[1]);
    if (!config) {
        ERROR_LOG("%s", "aclprofCreateSubscribeConfig failed");
        return 1;
    }
    CHECK(aclprofModelSubscribe(model_id, config));

    /* 6, 7. The reader thread. */
    struct reader_args args = {fds[0], ctx, 0};
    pthread_t reader;
    pthread_create(&reader, NULL, prof_data_read, &args);

    /* 8. Execute. */
    for (int k = 0; k < executes; k++)
        CHECK(aclmdlExecute(model_id, input, output));

    /* 9. The result: the first output's first values. */
    float first[4] = {0};
    size_t out0 = aclmdlGetOutputSizeByIndex(desc, 0);
    CHECK(aclrtMemcpy(first, sizeof first, aclGetDataBufferAddr(aclmdlGetDatasetBuffer(output, 0)),
                      out0 < sizeof first ? out0 : sizeof first, ACL_MEMCPY_DEVICE_TO_HOST));
    printf("output[0][0..3] = %g %g %g %g\n", first[0], first[1], first[2], first[3]);

    /* 10. Free the datasets and unload the model (this ends its subscription). */
    for (int io = 0; io < 2; io++) {
        aclmdlDataset *ds = io ? output : input;
        for (size_t i = 0; i < aclmdlGetDatasetNumBuffers(ds); i++) {
            aclDataBuffer *b = aclmdlGetDatasetBuffer(ds, i);
            aclrtFree(aclGetDataBufferAddr(b));
            aclDestroyDataBuffer(b);
        }
        aclmdlDestroyDataset(ds);
    }
    aclmdlDestroyDesc(desc);
    CHECK(aclmdlUnload(model_id));

    /* 11. Unsubscribe (already ended by the unload), join the reader. */
    aclprofModelUnSubscribe(model_id);
    pthread_join(reader, NULL);
    close(fds[0]);
    aclprofDestroySubscribeConfig(config);
    printf("%lu operator records received for %d execute(s)\n", args.records, executes);

    /* 12. Runtime resources. */
    CHECK(aclrtDestroyStream(stream));
    CHECK(aclrtDestroyContext(ctx));
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    return 0;
}
