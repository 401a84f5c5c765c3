/*
 * c_subscribe.c - a test program of aclsub: an AscendCL C program that
 * subscribes to its own model's operator information in the shape of the
 * vendor's profiling-subscription example (a config on a pipe, a reader
 * thread decoding whole records with the aclprofGetOp* accessors), built
 * only against installed AscendCL headers and runtime.
 *
 *   c_subscribe MODEL.om INPUT.bin EXECUTES
 *
 * INPUT.bin is the model's first input as raw float32.  The model is executed
 * EXECUTES times on it, unsubscribed, the reader joined.  Then, on stdout:
 * one line per record the reader got, in arrival order,
 *     record model=self|ID type=TYPE name=NAME
 * (TYPE or NAME "<error:N>" when the accessor failed with N), the line
 *     result INPUT.bin top=K scores=S0,S1,...
 * for the last execute, and a totals line.  The records are printed after the
 * join, so that the reader never interleaves with the main thread.  Exit
 * status 0 when every runtime call succeeded (an accessor failure is
 * reported, not fatal), 1 otherwise.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl/acl.h"
#include "acl/acl_prof.h"

#define INFO_LOG(fmt, ...) fprintf(stdout, "[INFO]  " fmt "\n", __VA_ARGS__)
#define ERROR_LOG(fmt, ...) fprintf(stderr, "[ERROR] " fmt "\n", __VA_ARGS__)
#define RECORDS_PER_READ 32

/* What the reader thread collects: the printed lines and the counts. */
struct reader {
    int fd;
    aclrtContext ctx;
    uint32_t model_id;
    char **lines;
    size_t n_lines, cap_lines;
    unsigned long records, bad_types, bad_names, bad_times, bad_num;
    int out_of_memory;
};

static void keep_line(struct reader *r, const char *type, const char *name, const char *model)
{
    if (r->n_lines == r->cap_lines) {
        size_t cap = r->cap_lines ? 2 * r->cap_lines : 1024;
        char **lines = realloc(r->lines, cap * sizeof *lines);
        if (!lines) {
            r->out_of_memory = 1;
            return;
        }
        r->lines = lines;
        r->cap_lines = cap;
    }
    size_t len = strlen(type) + strlen(name) + strlen(model) + 32;
    char *line = malloc(len);
    if (!line) {
        r->out_of_memory = 1;
        return;
    }
    snprintf(line, len, "record model=%s type=%s name=%s", model, type, name);
    r->lines[r->n_lines++] = line;
}

/* One string through its length and fetch accessors; on failure "<error N>". */
static char *read_string(aclError (*len_of)(const void *, size_t, uint32_t, size_t *),
                         aclError (*fetch)(const void *, size_t, uint32_t, char *, size_t), const void *data,
                         size_t len, uint32_t i, unsigned long *bad)
{
    size_t n = 0;
    aclError rc = len_of(data, len, i, &n);
    char *s = NULL;
    if (rc == ACL_SUCCESS && n > 0 && (s = malloc(n)) != NULL && (rc = fetch(data, len, i, s, n)) == ACL_SUCCESS)
        return s;
    free(s);
    (*bad)++;
    s = malloc(32);
    if (s)
        snprintf(s, 32, "<error:%d>", rc == ACL_SUCCESS ? -1 : (int)rc);
    return s;
}

/* Decodes one buffer of whole records. */
static void decode_records(struct reader *r, const void *data, size_t len)
{
    uint32_t n = 0;
    if (aclprofGetOpNum(data, len, &n) != ACL_SUCCESS) {
        ERROR_LOG("aclprofGetOpNum rejected a buffer of %zu bytes", len);
        r->bad_num++;
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        char *type = read_string(aclprofGetOpTypeLen, aclprofGetOpType, data, len, i, &r->bad_types);
        char *name = read_string(aclprofGetOpNameLen, aclprofGetOpName, data, len, i, &r->bad_names);
        uint64_t start = aclprofGetOpStart(data, len, i), end = aclprofGetOpEnd(data, len, i);
        uint64_t duration = aclprofGetOpDuration(data, len, i);
        size_t model = aclprofGetModelId(data, len, i);
        if (start == 0 || end < start || duration != end - start)
            r->bad_times++;
        char model_text[32];
        if (model == r->model_id)
            snprintf(model_text, sizeof model_text, "self");
        else
            snprintf(model_text, sizeof model_text, "%zu", model);
        keep_line(r, type ? type : "<no memory>", name ? name : "<no memory>", model_text);
        free(type);
        free(name);
        r->records++;
    }
}

/* The reader thread: the pipe, whole records at a time, until the runtime closes it. */
static void *read_pipe(void *arg)
{
    struct reader *r = arg;
    aclError rc = aclrtSetCurrentContext(r->ctx);
    if (rc != ACL_SUCCESS)
        ERROR_LOG("aclrtSetCurrentContext in the reader failed: %d", (int)rc);
    size_t desc_size = 0;
    rc = aclprofGetOpDescSize(&desc_size);
    if (rc != ACL_SUCCESS || desc_size == 0) {
        ERROR_LOG("aclprofGetOpDescSize failed: %d", (int)rc);
        r->bad_num++;
        return NULL;
    }
    size_t cap = desc_size * RECORDS_PER_READ, have = 0;
    unsigned char *buf = malloc(cap);
    if (!buf) {
        r->out_of_memory = 1;
        return NULL;
    }
    for (;;) {
        ssize_t n = read(r->fd, buf + have, cap - have);
        if (n <= 0)
            break;
        have += (size_t)n;
        size_t whole = have / desc_size * desc_size;
        if (whole) {
            decode_records(r, buf, whole);
            memmove(buf, buf + whole, have - whole);
            have -= whole;
        }
    }
    if (have)
        ERROR_LOG("%zu bytes of a partial record left in the pipe", have);
    free(buf);
    return NULL;
}

#define CHECK(call)                                                                                        \
    do {                                                                                                   \
        aclError rc_ = (call);                                                                             \
        if (rc_ != ACL_SUCCESS) {                                                                          \
            ERROR_LOG("%s failed: %d", #call, (int)rc_);                                                   \
            return 1;                                                                                      \
        }                                                                                                  \
    } while (0)

int main(int argc, char **argv)
{
    if (argc != 4 || atoi(argv[3]) < 1) {
        fprintf(stderr, "usage: %s MODEL.om INPUT.bin EXECUTES\n", argv[0]);
        return 2;
    }
    int executes = atoi(argv[3]);

    /* Runtime resources. */
    aclrtContext ctx;
    aclrtStream stream;
    CHECK(aclInit(NULL));
    CHECK(aclrtSetDevice(0));
    CHECK(aclrtCreateContext(&ctx, 0));
    CHECK(aclrtCreateStream(&stream));

    /* The model, its description, its datasets. */
    uint32_t model_id;
    CHECK(aclmdlLoadFromFile(argv[1], &model_id));
    aclmdlDesc *desc = aclmdlCreateDesc();
    if (!desc) {
        ERROR_LOG("%s", "aclmdlCreateDesc failed");
        return 1;
    }
    CHECK(aclmdlGetDesc(desc, model_id));
    aclmdlDataset *input = aclmdlCreateDataset(), *output = aclmdlCreateDataset();
    if (!input || !output) {
        ERROR_LOG("%s", "aclmdlCreateDataset failed");
        return 1;
    }
    size_t in_size = aclmdlGetInputSizeByIndex(desc, 0);
    void *in_dev, *in_host;
    CHECK(aclrtMalloc(&in_dev, in_size, ACL_MEM_MALLOC_HUGE_FIRST));
    CHECK(aclrtMallocHost(&in_host, in_size));
    FILE *f = fopen(argv[2], "rb");
    if (!f || fread(in_host, 1, in_size, f) != in_size || fgetc(f) != EOF) {
        ERROR_LOG("%s: expected exactly %zu bytes", argv[2], in_size);
        return 1;
    }
    fclose(f);
    CHECK(aclrtMemcpy(in_dev, in_size, in_host, in_size, ACL_MEMCPY_HOST_TO_DEVICE));
    CHECK(aclrtFreeHost(in_host));
    CHECK(aclmdlAddDatasetBuffer(input, aclCreateDataBuffer(in_dev, in_size)));
    for (size_t i = 0; i < aclmdlGetNumOutputs(desc); i++) {
        size_t size = aclmdlGetOutputSizeByIndex(desc, i);
        void *dev;
        CHECK(aclrtMalloc(&dev, size, ACL_MEM_MALLOC_HUGE_FIRST));
        CHECK(aclmdlAddDatasetBuffer(output, aclCreateDataBuffer(dev, size)));
    }

    /* The subscription: a pipe, a config on its write end, the reader on its read end. */
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
    struct reader reader = {.fd = fds[0], .ctx = ctx, .model_id = model_id};
    pthread_t thread;
    if (pthread_create(&thread, NULL, read_pipe, &reader) != 0) {
        ERROR_LOG("%s", "pthread_create failed");
        return 1;
    }

    /* Execute. */
    for (int k = 0; k < executes; k++)
        CHECK(aclmdlExecute(model_id, input, output));

    /* Unsubscribe: every record is in the pipe and the runtime closes its end; join. */
    CHECK(aclprofModelUnSubscribe(model_id));
    pthread_join(thread, NULL);
    close(fds[0]);
    CHECK(aclprofDestroySubscribeConfig(config));

    /* The records, then the last execute's first output. */
    for (size_t i = 0; i < reader.n_lines; i++) {
        puts(reader.lines[i]);
        free(reader.lines[i]);
    }
    free(reader.lines);
    aclDataBuffer *out0 = aclmdlGetDatasetBuffer(output, 0);
    size_t out_size = aclGetDataBufferSizeV2(out0);
    float *scores;
    CHECK(aclrtMallocHost((void **)&scores, out_size));
    CHECK(aclrtMemcpy(scores, out_size, aclGetDataBufferAddr(out0), out_size, ACL_MEMCPY_DEVICE_TO_HOST));
    size_t n_scores = out_size / sizeof(float), top = 0;
    printf("result %s top=", argv[2]);
    for (size_t k = 1; k < n_scores; k++)
        if (scores[k] > scores[top])
            top = k;
    printf("%zu scores=", top);
    for (size_t k = 0; k < n_scores; k++)
        printf("%s%.9g", k ? "," : "", scores[k]);
    printf("\n");
    CHECK(aclrtFreeHost(scores));
    printf("records %lu for %d executes; unreadable: %lu types, %lu names, %lu buffers; inconsistent times %lu\n",
           reader.records, executes, reader.bad_types, reader.bad_names, reader.bad_num, reader.bad_times);

    /* Release everything. */
    for (int io = 0; io < 2; io++) {
        aclmdlDataset *ds = io ? output : input;
        for (size_t i = 0; i < aclmdlGetDatasetNumBuffers(ds); i++) {
            aclDataBuffer *b = aclmdlGetDatasetBuffer(ds, i);
            CHECK(aclrtFree(aclGetDataBufferAddr(b)));
            CHECK(aclDestroyDataBuffer(b));
        }
        CHECK(aclmdlDestroyDataset(ds));
    }
    CHECK(aclmdlDestroyDesc(desc));
    CHECK(aclmdlUnload(model_id));
    CHECK(aclrtDestroyStream(stream));
    CHECK(aclrtDestroyContext(ctx));
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    return reader.out_of_memory ? 1 : 0;
}
