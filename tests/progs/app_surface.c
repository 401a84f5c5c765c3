/*
 * app_surface.c - the runtime surface beyond subscription, as a plain
 * AscendCL program (include/ and libascendcl.so only): fp16 conversions,
 * tensor descriptions, the device queries, aclAppLog, the model calls by
 * name and for dynamic gears, forced resets and destruction, and host
 * callbacks with their threading.
 *
 *   app_surface CASE [MODEL]      CASE: fp16 tensor device model callback force log
 *
 * Every expectation comes from the vendor's headers, documentation and
 * sources (docs/API.md), never from running aclsub: the fp16 tables are
 * worked out by hand from the bit layouts.  Each case prints "ok surface:
 * ..." lines and exits 0, or prints FAIL FILE:LINE and exits 1.  The `log`
 * case writes its log lines and nothing else: tests/shell/check_surface.sh
 * checks them under each ASCEND_GLOBAL_LOG_LEVEL.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <acl/acl.h>

#include "app_check.h" /* beside it: built as a vendor program, include/ only */

#define WATCHDOG_SECONDS 50

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static float f_of_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static uint32_t bits_of_f(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static void setup(void)
{
    watchdog_start(WATCHDOG_SECONDS);
    CHECK_RC(aclInit(NULL), ACL_SUCCESS);
    CHECK_RC(aclrtSetDevice(0), ACL_SUCCESS);
}

static void teardown(void)
{
    CHECK_RC(aclrtResetDevice(0), ACL_SUCCESS);
    CHECK_RC(aclFinalize(), ACL_SUCCESS);
}

/* --- fp16 ---------------------------------------------------------------------------- */

/* fp16 bits -> float bits, worked out from the layouts (1:5:10 and 1:8:23, biases 15 and 127). */
static const struct {
    uint16_t h;
    uint32_t f;
} H2F[] = {
    {0x0000, 0x00000000}, /* +0 */
    {0x8000, 0x80000000}, /* -0 keeps its sign */
    {0x3C00, 0x3F800000}, /* 1 */
    {0xC000, 0xC0000000}, /* -2 */
    {0x3555, 0x3EAAA000}, /* 0.333251953125 */
    {0x7BFF, 0x477FE000}, /* 65504 */
    {0x0400, 0x38800000}, /* 2^-14, smallest normal */
    {0x0001, 0x33800000}, /* 2^-24, smallest denormal */
    {0x03FF, 0x387FC000}, /* 1023 * 2^-24 */
    {0x8200, 0xB8000000}, /* -2^-15 */
    {0x7C00, 0x47800000}, /* "+Inf" is 65536.0: exponent 31 is an ordinary one */
    {0xFC00, 0xC7800000}, /* "-Inf" is -65536.0 */
    {0x7E00, 0x47C00000}, /* a "NaN" is 98304.0 */
    {0x7FFF, 0x47FFE000}, /* 131008.0 */
};

/* float bits -> fp16 bits: round to nearest even, saturation at +-65504, no Inf/NaN. */
static const struct {
    uint32_t f;
    uint16_t h;
} F2H[] = {
    {0x3F800000, 0x3C00}, /* 1 */
    {0xC0000000, 0xC000}, /* -2 */
    {0x80000000, 0x8000}, /* -0 */
    {0x3DCCCCCD, 0x2E66}, /* 0.1f: 1.6 * 2^-4, fraction 0x266.66 rounds down */
    {0x3F801000, 0x3C00}, /* 1 + 2^-11: a tie, to the even 0x3C00 */
    {0x3F803000, 0x3C02}, /* 1 + 3 * 2^-11: a tie, to the even 0x3C02 */
    {0x3F801001, 0x3C01}, /* just above the tie: up */
    {0x477FE000, 0x7BFF}, /* 65504 */
    {0x477FEFFF, 0x7BFF}, /* just under 65520: down to 65504 */
    {0x477FF000, 0x7BFF}, /* 65520, a tie rounding up past the range: saturates */
    {0x47800000, 0x7BFF}, /* 65536 */
    {0x47C35000, 0x7BFF}, /* 100000 */
    {0xC7C35000, 0xFBFF}, /* -100000 */
    {0x7F800000, 0x7BFF}, /* +Inf saturates */
    {0xFF800000, 0xFBFF}, /* -Inf saturates */
    {0x7FC00000, 0x7BFF}, /* NaN saturates */
    {0xFFC00000, 0xFBFF}, /* a NaN with the sign bit */
    {0x38800000, 0x0400}, /* 2^-14 */
    {0x387FF000, 0x0400}, /* 2^-14 - 2^-25: a tie between 0x03FF and 0x0400, to the even one */
    {0x33800000, 0x0001}, /* 2^-24 */
    {0x33000000, 0x0000}, /* 2^-25: a tie between 0 and 2^-24, to the even 0 */
    {0x33400000, 0x0001}, /* 1.5 * 2^-25: above half, up */
    {0x33C00000, 0x0002}, /* 3 * 2^-25: a tie between 1 and 2 units, to the even 2 */
    {0x32800000, 0x0000}, /* 2^-26: zero */
    {0xB3400000, 0x8001}, /* -1.5 * 2^-25 */
    {0x00000001, 0x0000}, /* a float denormal */
};

static void case_fp16(void)
{
    for (size_t i = 0; i < sizeof H2F / sizeof H2F[0]; i++) {
        uint32_t got = bits_of_f(aclFloat16ToFloat(H2F[i].h));
        CHECKF(got == H2F[i].f, "aclFloat16ToFloat(0x%04X) = 0x%08X, expected 0x%08X", H2F[i].h, got, H2F[i].f);
    }
    CHECK(aclFloat16ToFloat(0x7C00) == 65536.0f);
    for (size_t i = 0; i < sizeof F2H / sizeof F2H[0]; i++) {
        aclFloat16 got = aclFloatToFloat16(f_of_bits(F2H[i].f));
        CHECKF(got == F2H[i].h, "aclFloatToFloat16(0x%08X) = 0x%04X, expected 0x%04X", F2H[i].f, got, F2H[i].h);
    }
    CHECK(aclFloatToFloat16(INFINITY) == 0x7BFF && aclFloatToFloat16(-INFINITY) == 0xFBFF);
    /* Every finite fp16 but the all-ones exponent comes back unchanged through float. */
    for (uint32_t h = 0; h < 0x10000; h++) {
        if ((h & 0x7C00) == 0x7C00)
            continue;
        aclFloat16 back = aclFloatToFloat16(aclFloat16ToFloat((aclFloat16)h));
        CHECKF(back == h, "0x%04X -> float -> 0x%04X", h, back);
    }
    printf("ok surface: fp16: %zu + %zu hand-worked bit patterns, every finite half round-trips\n",
           sizeof H2F / sizeof H2F[0], sizeof F2H / sizeof F2H[0]);
}

/* --- tensor descriptions ------------------------------------------------------------------- */

static void check_tensor_nchw(void)
{
    const int64_t dims[] = {1, 3, 224, 224};
    aclTensorDesc *d = aclCreateTensorDesc(ACL_FLOAT16, 4, dims, ACL_FORMAT_NCHW);
    CHECK(d != NULL);
    CHECK(aclGetTensorDescType(d) == ACL_FLOAT16);
    CHECK(aclGetTensorDescFormat(d) == ACL_FORMAT_NCHW);
    CHECK(aclGetTensorDescNumDims(d) == 4);
    CHECK(aclGetTensorDescElementCount(d) == 150528);
    CHECK(aclGetTensorDescSize(d) == 301056);
    int64_t v = 0;
    CHECK_RC(aclGetTensorDescDimV2(d, 2, &v), ACL_SUCCESS);
    CHECK(v == 224);
    CHECK_RC(aclGetTensorDescDimV2(d, 4, &v), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclGetTensorDescDimV2(d, 0, NULL), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclGetTensorDescDimV2(NULL, 0, &v), ACL_ERROR_INVALID_PARAM);
    aclDestroyTensorDesc(d);
}

static void check_tensor_edges(void)
{
    aclTensorDesc *scalar = aclCreateTensorDesc(ACL_FLOAT, 0, NULL, ACL_FORMAT_ND);
    CHECK(scalar != NULL);
    CHECK(aclGetTensorDescNumDims(scalar) == 0 && aclGetTensorDescElementCount(scalar) == 1);
    CHECK(aclGetTensorDescSize(scalar) == 4);
    aclDestroyTensorDesc(scalar);

    const int64_t unknown_dim[] = {-1, 3};
    aclTensorDesc *d = aclCreateTensorDesc(ACL_INT64, 2, unknown_dim, ACL_FORMAT_ND);
    CHECK(d != NULL && aclGetTensorDescNumDims(d) == 2 && aclGetTensorDescElementCount(d) == 0);
    CHECK(aclGetTensorDescSize(d) == 0);
    aclDestroyTensorDesc(d);

    const int64_t unknown_rank[] = {-2};
    d = aclCreateTensorDesc(ACL_FLOAT, 1, unknown_rank, ACL_FORMAT_ND);
    CHECK(d != NULL && aclGetTensorDescNumDims(d) == (size_t)ACL_UNKNOWN_RANK);
    aclDestroyTensorDesc(d);

    const int64_t two[] = {2, 5};
    d = aclCreateTensorDesc(ACL_COMPLEX128, 2, two, (aclFormat)29);
    CHECK(d != NULL && aclGetTensorDescSize(d) == 160 && aclGetTensorDescFormat(d) == ACL_FORMAT_FRACTAL_NZ);
    aclDestroyTensorDesc(d);
    d = aclCreateTensorDesc(ACL_STRING, 2, two, ACL_FORMAT_ND);
    CHECK(d != NULL && aclGetTensorDescSize(d) == 0 && aclGetTensorDescElementCount(d) == 10);
    aclDestroyTensorDesc(d);
    d = aclCreateTensorDesc((aclDataType)5, 2, two, ACL_FORMAT_ND); /* not a type: 8 bytes, as the vendor's default */
    CHECK(d != NULL && aclGetTensorDescSize(d) == 80 && aclGetTensorDescType(d) == (aclDataType)5);
    aclDestroyTensorDesc(d);

    CHECK(aclCreateTensorDesc(ACL_FLOAT, -1, two, ACL_FORMAT_ND) == NULL);
    CHECK(aclCreateTensorDesc(ACL_FLOAT, 2, NULL, ACL_FORMAT_ND) == NULL);
    CHECK(aclGetTensorDescType(NULL) == ACL_DT_UNDEFINED && aclGetTensorDescFormat(NULL) == ACL_FORMAT_UNDEFINED);
    CHECK(aclGetTensorDescSize(NULL) == 0 && aclGetTensorDescElementCount(NULL) == 0);
    CHECK(aclGetTensorDescNumDims(NULL) == 0);
    aclDestroyTensorDesc(NULL);
}

static void case_tensor(void)
{
    check_tensor_nchw();
    check_tensor_edges();
    CHECK(aclDataTypeSize(ACL_INT4) == 1 && aclDataTypeSize(ACL_COMPLEX32) == 4 && aclDataTypeSize(ACL_BF16) == 2);
    printf("ok surface: tensor descriptions: sizes, counts, unknown dims and rank, NULL answers\n");
}

/* --- device queries ---------------------------------------------------------------------- */

/* MemTotal of /proc/meminfo in bytes, read here independently of the runtime. */
static unsigned long long proc_mem_total(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    CHECK(f != NULL);
    char line[256];
    unsigned long long kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
            break;
    fclose(f);
    CHECK(kb > 0);
    return kb * 1024;
}

static void case_device(void)
{
    const char *soc = aclrtGetSocName();
    CHECKF(soc != NULL && strcmp(soc, "Ascend310P3") == 0, "aclrtGetSocName: %s", soc ? soc : "NULL");
    CHECK(aclrtGetSocName() == soc);
    setup();
    size_t fr = 0, total = 0;
    CHECK_RC(aclrtGetMemInfo(ACL_DDR_MEM, NULL, &total), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclrtGetMemInfo(ACL_DDR_MEM, &fr, NULL), ACL_ERROR_INVALID_PARAM);
    const aclrtMemAttr attrs[] = {ACL_DDR_MEM, ACL_HBM_MEM, ACL_HBM_MEM_HUGE, ACL_MEM_NORMAL, ACL_MEM_P2P_HUGE1G};
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
        CHECK_RC(aclrtGetMemInfo(attrs[i], &fr, &total), ACL_SUCCESS);
        CHECKF(total == proc_mem_total() && fr > 0 && fr <= total, "attr %d: free %zu total %zu", (int)attrs[i], fr,
               total);
    }
    /* aclrtResetDeviceForce waits for the default stream's tasks and releases the device in one call. */
    static char src[1 << 20], dst[1 << 20];
    memset(src, 0x5A, sizeof src);
    CHECK_RC(aclrtMemcpyAsync(dst, sizeof dst, src, sizeof src, ACL_MEMCPY_HOST_TO_HOST, NULL), ACL_SUCCESS);
    CHECK_RC(aclrtSetDevice(0), ACL_SUCCESS);
    CHECK_RC(aclrtResetDeviceForce(0), ACL_SUCCESS);
    CHECK(memcmp(src, dst, sizeof dst) == 0);
    CHECK_RC(aclrtSetDevice(0), ACL_SUCCESS);
    teardown();
    printf("ok surface: device: SoC name, memory of every kind = this machine's, forced reset\n");
}

/* --- models ----------------------------------------------------------------------------------- */

static uint32_t load(const char *path, model_io *m)
{
    uint32_t id = 0;
    CHECK_RC(aclmdlLoadFromFile(path, &id), ACL_SUCCESS);
    io_create(m, id);
    return id;
}

static void check_index_by_name(const model_io *m)
{
    size_t idx = 99;
    const char *in0 = aclmdlGetInputNameByIndex(m->desc, 0), *out0 = aclmdlGetOutputNameByIndex(m->desc, 0);
    CHECK_RC(aclmdlGetInputIndexByName(m->desc, in0, &idx), ACL_SUCCESS);
    CHECK(idx == 0);
    idx = 99;
    CHECK_RC(aclmdlGetOutputIndexByName(m->desc, out0, &idx), ACL_SUCCESS);
    CHECK(idx == 0);
    /* A static model has no dynamic-gear input: what vendor samples test to mean "static". */
    CHECK_RC(aclmdlGetInputIndexByName(m->desc, ACL_DYNAMIC_TENSOR_NAME, &idx), ACL_ERROR_INVALID_PARAM);
    CHECK(strcmp(ACL_DYNAMIC_TENSOR_NAME, "ascend_mbatch_shape_data") == 0);
    CHECK_RC(aclmdlGetInputIndexByName(m->desc, NULL, &idx), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclmdlGetInputIndexByName(m->desc, in0, NULL), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclmdlGetInputIndexByName(NULL, in0, &idx), ACL_ERROR_INVALID_PARAM);
}

static void check_dynamic_getters(const model_io *m)
{
    static aclmdlBatch batch;
    static aclmdlHW hw;
    batch.batchCount = 77;
    hw.hwCount = 77;
    CHECK_RC(aclmdlGetDynamicBatch(m->desc, &batch), ACL_SUCCESS);
    CHECK(batch.batchCount == 0);
    CHECK_RC(aclmdlGetDynamicHW(m->desc, (size_t)-1, &hw), ACL_SUCCESS);
    CHECK(hw.hwCount == 0);
    CHECK_RC(aclmdlGetDynamicBatch(NULL, &batch), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclmdlGetDynamicBatch(m->desc, NULL), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclmdlGetDynamicHW(m->desc, 0, NULL), ACL_ERROR_INVALID_PARAM);
    CHECK(sizeof(aclmdlBatch) == 1032 && sizeof(aclmdlHW) == 2056);
}

/* A dataset of one buffer of `size` bytes at p. */
static aclmdlDataset *one_buffer(void *p, size_t size)
{
    aclmdlDataset *ds = aclmdlCreateDataset();
    CHECK(ds != NULL);
    CHECK_RC(aclmdlAddDatasetBuffer(ds, aclCreateDataBuffer(p, size)), ACL_SUCCESS);
    return ds;
}

static void check_dynamic_setters(const model_io *m)
{
    static uint64_t gear[4];
    aclmdlDataset *ok = one_buffer(gear, sizeof gear), *short4 = one_buffer(gear, 4), *short2 = one_buffer(gear, 2);
    aclmdlDataset *null_addr = one_buffer(NULL, 16);
    CHECK_RC(aclmdlSetDynamicBatchSize(m->id, ok, 0, 8), ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID);
    CHECK(ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID == 145013);
    CHECK_RC(aclmdlSetDynamicBatchSize(m->id, ok, 0, 0), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclmdlSetDynamicBatchSize(m->id, NULL, 0, 8), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclmdlSetDynamicBatchSize(m->id, ok, 1, 8), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclmdlSetDynamicBatchSize(m->id, null_addr, 0, 8), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclmdlSetDynamicBatchSize(m->id, short2, 0, 8), 145012);
    CHECK_RC(aclmdlSetDynamicBatchSize(m->id, short4, 0, 8), 145013);
    CHECK_RC(aclmdlSetDynamicBatchSize(777777u, ok, 0, 8), 145003);
    CHECK_RC(aclmdlSetDynamicHWSize(m->id, ok, 0, 224, 224), 145013);
    CHECK_RC(aclmdlSetDynamicHWSize(m->id, ok, 0, 0, 224), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclmdlSetDynamicHWSize(m->id, ok, 0, 224, 0), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclmdlSetDynamicHWSize(m->id, short4, 0, 224, 224), 145012);
    CHECK_RC(aclmdlSetDynamicHWSize(777777u, ok, 0, 224, 224), 145003);
    CHECK(gear[0] == 0 && gear[1] == 0); /* nothing was written */
    dataset_free(ok);
    dataset_free(short4);
    dataset_free(short2);
    dataset_free(null_addr);
}

static void check_cur_output_dims(const model_io *m)
{
    static aclmdlIODims cur, out;
    for (size_t i = 0; i < m->nout; i++) {
        memset(&cur, 0xEE, sizeof cur);
        CHECK_RC(aclmdlGetCurOutputDims(m->desc, i, &cur), ACL_SUCCESS);
        CHECK_RC(aclmdlGetOutputDims(m->desc, i, &out), ACL_SUCCESS);
        CHECK(strcmp(cur.name, out.name) == 0 && cur.dimCount == out.dimCount && cur.dimCount > 0);
        CHECK(memcmp(cur.dims, out.dims, cur.dimCount * sizeof cur.dims[0]) == 0);
    }
    CHECK_RC(aclmdlGetCurOutputDims(m->desc, m->nout, &cur), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclmdlGetCurOutputDims(m->desc, 0, NULL), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclmdlGetCurOutputDims(NULL, 0, &cur), ACL_ERROR_INVALID_PARAM);
}

static void case_model(const char *path)
{
    setup();
    model_io m;
    load(path, &m);
    check_index_by_name(&m);
    check_dynamic_getters(&m);
    check_dynamic_setters(&m);
    check_cur_output_dims(&m);
    io_destroy(&m);
    CHECK_RC(aclmdlUnload(m.id), ACL_SUCCESS);
    teardown();
    printf("ok surface: model: index by name, static-model answers of the dynamic-gear calls, current output dims\n");
}

/* --- callbacks ----------------------------------------------------------------------------- */

/*
 * The thread that processes reports: aclrtProcessReport(50) in a loop until
 * told to stop (107012, serving no stream, only while it is not subscribed).
 */
typedef struct {
    pthread_t thread;
    atomic_long tid;     /* its kernel tid, once running */
    atomic_int paused;   /* 1: does not call aclrtProcessReport */
    atomic_int stop;
    atomic_int unexpected; /* a return other than success or the timeout */
} processor;

static void *processor_main(void *arg)
{
    processor *p = arg;
    atomic_store(&p->tid, (long)syscall(SYS_gettid));
    while (!atomic_load(&p->stop)) {
        if (atomic_load(&p->paused)) {
            sleep_ms(5);
            continue;
        }
        aclError rc = aclrtProcessReport(50);
        if (rc == ACL_ERROR_RT_THREAD_SUBSCRIBE) /* serving no stream yet, or any more */
            sleep_ms(1);
        else if (rc != ACL_SUCCESS && rc != ACL_ERROR_RT_REPORT_TIMEOUT)
            atomic_store(&p->unexpected, rc);
    }
    return NULL;
}

static void processor_start(processor *p)
{
    memset(p, 0, sizeof *p);
    CHECK(pthread_create(&p->thread, NULL, processor_main, p) == 0);
    while (atomic_load(&p->tid) == 0)
        sleep_ms(1);
}

static void processor_stop(processor *p)
{
    atomic_store(&p->stop, 1);
    join_within(p->thread, 5, "the report processor");
    CHECKF(atomic_load(&p->unexpected) == 0, "aclrtProcessReport returned %d", atomic_load(&p->unexpected));
}

/* What a callback saw. */
typedef struct {
    atomic_int ran;
    atomic_long tid;
    pthread_t thread;
    const unsigned char *watch; /* a byte the callback looks at after `delay_ms` */
    unsigned delay_ms;
    atomic_int watch_value;
    const void *a, *b; /* compared by the callback: equal when the earlier tasks were done */
    size_t len;
    atomic_int equal;
} cb_seen;

static void cb_record(void *user)
{
    cb_seen *s = user;
    atomic_store(&s->tid, (long)syscall(SYS_gettid));
    s->thread = pthread_self();
    if (s->delay_ms)
        sleep_ms(s->delay_ms);
    if (s->watch)
        atomic_store(&s->watch_value, *(volatile const unsigned char *)s->watch);
    if (s->a)
        atomic_store(&s->equal, memcmp(s->a, s->b, s->len) == 0);
    atomic_store(&s->ran, 1);
}

static void wait_ran(cb_seen *s, const char *what)
{
    for (int i = 0; i < 5000 && !atomic_load(&s->ran); i++)
        sleep_ms(1);
    CHECKF(atomic_load(&s->ran), "%s: the callback did not run within 5 s", what);
}

static void check_callback_errors(aclrtStream s, processor *p)
{
    static cb_seen seen;
    CHECK_RC(aclrtLaunchCallback(cb_record, &seen, ACL_CALLBACK_NO_BLOCK, s), ACL_ERROR_RT_STREAM_NO_CB_REG);
    CHECK(ACL_ERROR_RT_STREAM_NO_CB_REG == 107015);
    CHECK_RC(aclrtProcessReport(100), ACL_ERROR_RT_THREAD_SUBSCRIBE); /* this thread serves no stream */
    CHECK(ACL_ERROR_RT_THREAD_SUBSCRIBE == 107012);
    CHECK_RC(aclrtProcessReport(0), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclrtProcessReport(-2), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclrtUnSubscribeReport((uint64_t)p->thread, s), ACL_ERROR_RT_STREAM_SUBSCRIBE);
    CHECK_RC(aclrtSubscribeReport((uint64_t)p->thread, s), ACL_SUCCESS);
    CHECK_RC(aclrtSubscribeReport((uint64_t)p->thread, s), ACL_ERROR_RT_STREAM_SUBSCRIBE);
    CHECK_RC(aclrtSubscribeReport((uint64_t)pthread_self(), s), ACL_ERROR_RT_STREAM_SUBSCRIBE);
    CHECK(ACL_ERROR_RT_STREAM_SUBSCRIBE == 107011);
    CHECK_RC(aclrtLaunchCallback(cb_record, &seen, (aclrtCallbackBlockType)2, s), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclrtLaunchCallback(NULL, &seen, ACL_CALLBACK_NO_BLOCK, s), ACL_ERROR_RT_PARAM_INVALID);
    CHECK_RC(aclrtUnSubscribeReport((uint64_t)pthread_self(), s), ACL_ERROR_RT_THREAD_SUBSCRIBE);
    CHECK(!atomic_load(&seen.ran));
}

/* The callback runs on the subscribed thread, after the executes and the copy queued before it. */
static void check_callback_thread_and_order(aclrtStream s, processor *p, model_io *m)
{
    size_t n = m->out_size[0];
    unsigned char *ref = malloc(n), *got = calloc(1, n);
    CHECK(ref && got);
    io_fill_input(m, 3);
    CHECK_RC(aclmdlExecute(m->id, m->in, m->out), ACL_SUCCESS);
    CHECK_RC(aclrtMemcpy(ref, n, m->out_dev[0], n, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    CHECK_RC(aclrtMemset(m->out_dev[0], n, 0, n), ACL_SUCCESS);
    static cb_seen seen;
    seen.a = got;
    seen.b = ref;
    seen.len = n;
    for (int i = 0; i < 3; i++)
        CHECK_RC(aclmdlExecuteAsync(m->id, m->in, m->out, s), ACL_SUCCESS);
    CHECK_RC(aclrtMemcpyAsync(got, n, m->out_dev[0], n, ACL_MEMCPY_DEVICE_TO_HOST, s), ACL_SUCCESS);
    CHECK_RC(aclrtLaunchCallback(cb_record, &seen, ACL_CALLBACK_NO_BLOCK, s), ACL_SUCCESS);
    wait_ran(&seen, "after three executes");
    CHECK_RC(aclrtSynchronizeStream(s), ACL_SUCCESS);
    CHECKF(atomic_load(&seen.tid) == atomic_load(&p->tid), "the callback ran on tid %ld, the subscribed thread is %ld",
           atomic_load(&seen.tid), atomic_load(&p->tid));
    CHECK(pthread_equal(seen.thread, p->thread));
    CHECKF(atomic_load(&seen.equal), "the callback saw the output before the executes queued ahead of it were done");
    free(ref);
    free(got);
    printf("ok surface: callback: runs on the subscribed thread, after the executes and copy queued before it\n");
}

/*
 * block: the copy queued after the callback has not happened while the
 * callback runs (the stream waits); no block: it has.
 */
static void check_block(aclrtStream s, aclrtCallbackBlockType type)
{
    static unsigned char src = 0xAB, flag;
    static cb_seen seen;
    memset(&seen, 0, sizeof seen);
    flag = 0;
    seen.watch = &flag;
    seen.delay_ms = 300;
    CHECK_RC(aclrtLaunchCallback(cb_record, &seen, type, s), ACL_SUCCESS);
    CHECK_RC(aclrtMemcpyAsync(&flag, 1, &src, 1, ACL_MEMCPY_HOST_TO_HOST, s), ACL_SUCCESS);
    CHECK_RC(aclrtSynchronizeStream(s), ACL_SUCCESS);
    CHECK(flag == 0xAB);
    if (type == ACL_CALLBACK_BLOCK) {
        CHECK(atomic_load(&seen.ran)); /* the synchronize waited for it */
        CHECKF(atomic_load(&seen.watch_value) == 0, "a task queued after a blocking callback ran before it returned");
    } else {
        wait_ran(&seen, "no block");
        CHECKF(atomic_load(&seen.watch_value) == 0xAB, "a task queued after a non-blocking callback waited for it");
    }
}

/* A non-blocking callback does not hold aclrtSynchronizeStream; it runs when its thread processes reports. */
static void check_sync_without_processing(aclrtStream s, processor *p)
{
    static cb_seen seen;
    memset(&seen, 0, sizeof seen);
    atomic_store(&p->paused, 1);
    sleep_ms(100); /* a ProcessReport in progress ends within its 50 ms */
    CHECK_RC(aclrtLaunchCallback(cb_record, &seen, ACL_CALLBACK_NO_BLOCK, s), ACL_SUCCESS);
    CHECK_RC(aclrtSynchronizeStream(s), ACL_SUCCESS);
    sleep_ms(100);
    CHECK(!atomic_load(&seen.ran));
    atomic_store(&p->paused, 0);
    wait_ran(&seen, "after processing resumed");
}

/* aclrtProcessReport(timeout) with nothing to do: ACL_ERROR_RT_REPORT_TIMEOUT after about timeout ms. */
static void check_timeout(void)
{
    aclrtStream s2;
    CHECK_RC(aclrtCreateStream(&s2), ACL_SUCCESS);
    CHECK_RC(aclrtSubscribeReport((uint64_t)pthread_self(), s2), ACL_SUCCESS);
    uint64_t t0 = now_ns();
    CHECK_RC(aclrtProcessReport(200), ACL_ERROR_RT_REPORT_TIMEOUT);
    uint64_t ms = (now_ns() - t0) / 1000000;
    CHECKF(ms >= 190 && ms < 3000, "aclrtProcessReport(200) returned after %llu ms", (unsigned long long)ms);
    CHECK(ACL_ERROR_RT_REPORT_TIMEOUT == 507012);
    /* The subscribing thread can process its own stream's callbacks. */
    static cb_seen seen;
    CHECK_RC(aclrtLaunchCallback(cb_record, &seen, ACL_CALLBACK_NO_BLOCK, s2), ACL_SUCCESS);
    CHECK_RC(aclrtSynchronizeStream(s2), ACL_SUCCESS);
    CHECK_RC(aclrtProcessReport(2000), ACL_SUCCESS);
    CHECK(atomic_load(&seen.ran) && pthread_equal(seen.thread, pthread_self()));
    CHECK_RC(aclrtUnSubscribeReport((uint64_t)pthread_self(), s2), ACL_SUCCESS);
    CHECK_RC(aclrtProcessReport(100), ACL_ERROR_RT_THREAD_SUBSCRIBE);
    CHECK_RC(aclrtDestroyStream(s2), ACL_SUCCESS);
}

static void case_callback(const char *path)
{
    setup();
    model_io m;
    load(path, &m);
    aclrtStream s;
    CHECK_RC(aclrtCreateStream(&s), ACL_SUCCESS);
    processor p;
    processor_start(&p);
    check_callback_errors(s, &p);
    check_callback_thread_and_order(s, &p, &m);
    check_block(s, ACL_CALLBACK_BLOCK);
    check_block(s, ACL_CALLBACK_NO_BLOCK);
    printf("ok surface: callback: ACL_CALLBACK_BLOCK holds the stream until it returned, NO_BLOCK does not\n");
    check_sync_without_processing(s, &p);
    printf("ok surface: callback: a non-blocking callback waits for its thread, not the stream for it\n");
    check_timeout();
    printf("ok surface: callback: aclrtProcessReport timeout 507012, not subscribed 107012, bad timeout 100000\n");
    CHECK_RC(aclrtUnSubscribeReport((uint64_t)p.thread, s), ACL_SUCCESS);
    processor_stop(&p);
    CHECK_RC(aclrtDestroyStream(s), ACL_SUCCESS);
    io_destroy(&m);
    CHECK_RC(aclmdlUnload(m.id), ACL_SUCCESS);
    teardown();
}

/* --- forced destruction ------------------------------------------------------------------------ */

static atomic_int g_go;

static void *process_forever(void *arg)
{
    atomic_int *rc = arg;
    while (!atomic_load(&g_go))
        sleep_ms(1);
    atomic_store(rc, aclrtProcessReport(-1));
    return NULL;
}

/* aclrtProcessReport(-1) ends when its thread loses its last stream. */
static void check_unsubscribe_wakes(void)
{
    aclrtStream s;
    CHECK_RC(aclrtCreateStream(&s), ACL_SUCCESS);
    static atomic_int rc = -1;
    pthread_t t;
    CHECK(pthread_create(&t, NULL, process_forever, &rc) == 0);
    CHECK_RC(aclrtSubscribeReport((uint64_t)t, s), ACL_SUCCESS);
    atomic_store(&g_go, 1);
    sleep_ms(200);
    CHECK(atomic_load(&rc) == -1); /* still waiting */
    CHECK_RC(aclrtUnSubscribeReport((uint64_t)t, s), ACL_SUCCESS);
    join_within(t, 5, "aclrtProcessReport(-1) after its stream was unsubscribed");
    CHECK(atomic_load(&rc) == ACL_ERROR_RT_THREAD_SUBSCRIBE);
    CHECK_RC(aclrtDestroyStream(s), ACL_SUCCESS);
}

/* A stream held by a blocking callback nobody processes: aclrtDestroyStreamForce does not wait for it. */
static void case_force(const char *path)
{
    setup();
    model_io m;
    load(path, &m);
    CHECK_RC(aclrtDestroyStreamForce(NULL), ACL_ERROR_INVALID_PARAM);
    aclrtStream s;
    CHECK_RC(aclrtCreateStream(&s), ACL_SUCCESS);
    processor p;
    processor_start(&p);
    atomic_store(&p.paused, 1);
    CHECK_RC(aclrtSubscribeReport((uint64_t)p.thread, s), ACL_SUCCESS);
    static cb_seen seen;
    CHECK_RC(aclrtLaunchCallback(cb_record, &seen, ACL_CALLBACK_BLOCK, s), ACL_SUCCESS);
    for (int i = 0; i < 20; i++)
        CHECK_RC(aclmdlExecuteAsync(m.id, m.in, m.out, s), ACL_SUCCESS);
    sleep_ms(50);
    uint64_t t0 = now_ns();
    CHECK_RC(aclrtDestroyStreamForce(s), ACL_SUCCESS);
    uint64_t ms = (now_ns() - t0) / 1000000;
    CHECKF(ms < 2000, "aclrtDestroyStreamForce took %llu ms", (unsigned long long)ms);
    atomic_store(&p.paused, 0);
    sleep_ms(200);
    CHECK(!atomic_load(&seen.ran));
    processor_stop(&p);
    check_unsubscribe_wakes();
    io_destroy(&m);
    CHECK_RC(aclmdlUnload(m.id), ACL_SUCCESS); /* the dropped executes released the model */
    teardown();
    printf("ok surface: force: aclrtDestroyStreamForce does not wait for a held stream; "
           "unsubscribing ends aclrtProcessReport(-1)\n");
}

/* --- aclAppLog ---------------------------------------------------------------------------------- */

static void log_case(void)
{
    ACL_APP_LOG(ACL_DEBUG, "debug-msg %d", 1);
    ACL_APP_LOG(ACL_INFO, "info-msg %s", "two");
    ACL_APP_LOG(ACL_WARNING, "warn-msg %d", 7);
    ACL_APP_LOG(ACL_ERROR, "error-msg");
    ACL_APP_LOG(ACL_ERROR, "two\nlines");
    static char longmsg[3001];
    memset(longmsg, 'x', 3000);
    ACL_APP_LOG(ACL_ERROR, "%s", longmsg);
    aclAppLog(ACL_ERROR, NULL, "f.c", 1, "no function");
    aclAppLog(ACL_ERROR, "f", "f.c", 1, NULL);
}

int main(int argc, char **argv)
{
    const char *c = argc > 1 ? argv[1] : "";
    const char *model = argc > 2 ? argv[2] : "build/models/cnn.om";
    (void)read_op_rec; /* app_check.h's record reader: no records here */
    if (strcmp(c, "fp16") == 0)
        case_fp16();
    else if (strcmp(c, "tensor") == 0)
        case_tensor();
    else if (strcmp(c, "device") == 0)
        case_device();
    else if (strcmp(c, "model") == 0)
        case_model(model);
    else if (strcmp(c, "callback") == 0)
        case_callback(model);
    else if (strcmp(c, "force") == 0)
        case_force(model);
    else if (strcmp(c, "log") == 0)
        log_case();
    else {
        fprintf(stderr, "usage: app_surface fp16|tensor|device|model|callback|force|log [MODEL]\n");
        return 2;
    }
    return 0;
}
