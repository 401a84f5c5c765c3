/*
 * app_check.h - the checking harness shared by the plain AscendCL test
 * programs (app_seed_flow.c, app_prof_cases.c): CHECK macros that end the
 * process with the file, line and condition, STEP markers naming the
 * runtime call in progress, a watchdog that reports a call that never
 * returns by name instead of as a bare timeout, and a model's device input
 * and output buffers.
 */
#ifndef ACLSUB_TESTS_APP_CHECK_H_
#define ACLSUB_TESTS_APP_CHECK_H_

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <stdlib.h>
#include <string.h>

#include <acl/acl.h>
#include <acl/acl_prof.h>

/* Prints the failure and ends the process at once (from any thread). */
static void fail_at(const char *file, int line, const char *cond, const char *fmt, ...)
{
    printf("FAIL %s:%d: %s\n", file, line, cond);
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        printf("     ");
        vprintf(fmt, ap);
        printf("\n");
        va_end(ap);
    }
    fflush(NULL);
    _exit(1);
}

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            fail_at(__FILE__, __LINE__, #cond, NULL);                                                                  \
    } while (0)
#define CHECKF(cond, ...)                                                                                              \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            fail_at(__FILE__, __LINE__, #cond, __VA_ARGS__);                                                           \
    } while (0)
/*
 * The call the program is in, for the watchdog: a runtime call that never
 * returns is reported by name and line instead of as a bare timeout.
 */
static _Atomic(const char *) g_step = "start";
static atomic_int g_step_line;
static _Thread_local int tl_reader; /* set in pipe readers: their accessor calls are not steps */
#define STEP(what)                                                                                                     \
    do {                                                                                                               \
        if (!tl_reader) {                                                                                              \
            atomic_store(&g_step, (what));                                                                             \
            atomic_store(&g_step_line, __LINE__);                                                                      \
        }                                                                                                              \
    } while (0)

/* An AscendCL call that must return exactly `want`. */
#define CHECK_RC(call, want)                                                                                           \
    do {                                                                                                               \
        STEP(#call);                                                                                                   \
        aclError got_ = (call);                                                                                        \
        if (got_ != (want))                                                                                            \
            fail_at(__FILE__, __LINE__, #call, "returned %d, expected %d", (int)got_, (int)(want));                    \
    } while (0)

/* Ends the process if it is still running `seconds` after the start. */
static void *watchdog_main(void *arg)
{
    int seconds = (int)(intptr_t)arg;
    struct timespec ts = {seconds, 0};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    printf("FAIL watchdog: still running after %d s; the last call started was %s (line %d)\n", seconds,
           atomic_load(&g_step), atomic_load(&g_step_line));
    fflush(NULL);
    _exit(1);
    return NULL;
}

static void watchdog_start(int seconds)
{
    pthread_t t;
    CHECK(pthread_create(&t, NULL, watchdog_main, (void *)(intptr_t)seconds) == 0);
    CHECK(pthread_detach(t) == 0);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}


/* --- a model's device buffers ------------------------------------------------------ */

#define MAX_IO 8

typedef struct {
    uint32_t id;
    aclmdlDesc *desc;
    size_t nin, nout;
    size_t in_size[MAX_IO], out_size[MAX_IO];
    void *in_dev[MAX_IO], *out_dev[MAX_IO];
    aclmdlDataset *in, *out;
} model_io;

/* Joins t, failing with `what` if it does not end within `seconds`. */
static void join_within(pthread_t t, int seconds, const char *what)
{
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += seconds;
    int rc = pthread_timedjoin_np(t, NULL, &dl);
    CHECKF(rc == 0, "%s did not end within %d s (%s)", what, seconds, strerror(rc));
}

static aclmdlDataset *dataset_of(void **bufs, const size_t *sizes, size_t n)
{
    aclmdlDataset *ds = aclmdlCreateDataset();
    CHECK(ds != NULL);
    for (size_t i = 0; i < n; i++) {
        aclDataBuffer *b = aclCreateDataBuffer(bufs[i], sizes[i]);
        CHECK(b != NULL);
        CHECK_RC(aclmdlAddDatasetBuffer(ds, b), ACL_SUCCESS);
    }
    CHECK(aclmdlGetDatasetNumBuffers(ds) == n);
    return ds;
}

static void dataset_free(aclmdlDataset *ds)
{
    size_t n = aclmdlGetDatasetNumBuffers(ds);
    for (size_t i = 0; i < n; i++)
        CHECK_RC(aclDestroyDataBuffer(aclmdlGetDatasetBuffer(ds, i)), ACL_SUCCESS);
    CHECK_RC(aclmdlDestroyDataset(ds), ACL_SUCCESS);
}

static void io_create(model_io *m, uint32_t id)
{
    memset(m, 0, sizeof *m);
    m->id = id;
    m->desc = aclmdlCreateDesc();
    CHECK(m->desc != NULL);
    CHECK_RC(aclmdlGetDesc(m->desc, id), ACL_SUCCESS);
    m->nin = aclmdlGetNumInputs(m->desc);
    m->nout = aclmdlGetNumOutputs(m->desc);
    CHECKF(m->nin >= 1 && m->nin <= MAX_IO && m->nout >= 1 && m->nout <= MAX_IO, "%zu inputs, %zu outputs", m->nin,
           m->nout);
    for (size_t i = 0; i < m->nin; i++) {
        m->in_size[i] = aclmdlGetInputSizeByIndex(m->desc, i);
        CHECK(m->in_size[i] > 0 && m->in_size[i] % sizeof(float) == 0);
        CHECK_RC(aclrtMalloc(&m->in_dev[i], m->in_size[i], ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    }
    for (size_t i = 0; i < m->nout; i++) {
        m->out_size[i] = aclmdlGetOutputSizeByIndex(m->desc, i);
        CHECK(m->out_size[i] > 0 && m->out_size[i] % sizeof(float) == 0);
        CHECK_RC(aclrtMalloc(&m->out_dev[i], m->out_size[i], ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    }
    m->in = dataset_of(m->in_dev, m->in_size, m->nin);
    m->out = dataset_of(m->out_dev, m->out_size, m->nout);
}

static void io_destroy(model_io *m)
{
    dataset_free(m->in);
    dataset_free(m->out);
    for (size_t i = 0; i < m->nin; i++)
        CHECK_RC(aclrtFree(m->in_dev[i]), ACL_SUCCESS);
    for (size_t i = 0; i < m->nout; i++)
        CHECK_RC(aclrtFree(m->out_dev[i]), ACL_SUCCESS);
    CHECK_RC(aclmdlDestroyDesc(m->desc), ACL_SUCCESS);
}

/* Deterministic inputs in [-1, 1], different for each seed. */
static void io_fill_input(model_io *m, unsigned seed)
{
    for (size_t i = 0; i < m->nin; i++) {
        size_t n = m->in_size[i] / sizeof(float);
        float *h = malloc(m->in_size[i]);
        CHECK(h != NULL);
        for (size_t k = 0; k < n; k++) {
            uint32_t x = (uint32_t)(k * 2654435761u) ^ (uint32_t)((seed + 1) * 40503u + i * 977u);
            x ^= x >> 15;
            x *= 0x2c1b3c6du;
            x ^= x >> 12;
            h[k] = (float)(x % 2001u) / 1000.0f - 1.0f;
        }
        CHECK_RC(aclrtMemcpy(m->in_dev[i], m->in_size[i], h, m->in_size[i], ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
        free(h);
    }
}

/* --- one record as the accessors return it ---------------------------------------- */

typedef struct {
    size_t model;
    int flag;
    unsigned long tid;
    uint64_t start, end, dur;
    char type[72];
    char name[296];
} op_rec;

/* Reads record i of buf through every accessor, checking that each one answers. */
static void read_op_rec(const void *buf, size_t len, uint32_t i, op_rec *r)
{
    memset(r, 0, sizeof *r);
    size_t tl = 0, nl = 0;
    CHECK_RC(aclprofGetOpTypeLen(buf, len, i, &tl), ACL_SUCCESS);
    CHECKF(tl >= 1 && tl <= sizeof r->type, "type length %zu", tl);
    CHECK_RC(aclprofGetOpType(buf, len, i, r->type, tl), ACL_SUCCESS);
    CHECKF(strlen(r->type) + 1 == tl, "type '%s' but aclprofGetOpTypeLen gave %zu", r->type, tl);
    CHECK_RC(aclprofGetOpNameLen(buf, len, i, &nl), ACL_SUCCESS);
    CHECKF(nl >= 1 && nl <= sizeof r->name, "name length %zu", nl);
    CHECK_RC(aclprofGetOpName(buf, len, i, r->name, nl), ACL_SUCCESS);
    CHECKF(strlen(r->name) + 1 == nl, "name '%s' but aclprofGetOpNameLen gave %zu", r->name, nl);
    r->model = aclprofGetModelId(buf, len, i);
    CHECKF(r->model != ACL_PROF_INVALID_MODEL_ID, "record %u: aclprofGetModelId failed", i);
    r->flag = (int)aclprofGetOpFlag(buf, len, i);
    r->start = aclprofGetOpStart(buf, len, i);
    r->end = aclprofGetOpEnd(buf, len, i);
    r->dur = aclprofGetOpDuration(buf, len, i);
    const char *tid = aclprofGetOpAttriValue(buf, len, i, ACL_SUBSCRIBE_ATTRI_THREADID);
    CHECKF(tid != NULL, "record %u (%s): no thread id attribute", i, r->name);
    char *endp = NULL;
    errno = 0;
    r->tid = strtoul(tid, &endp, 10);
    CHECKF(tid[0] >= '0' && tid[0] <= '9' && *endp == '\0' && errno == 0,
           "record %u (%s): thread id '%s' is not a decimal number", i, r->name, tid);
}

#endif /* ACLSUB_TESTS_APP_CHECK_H_ */
