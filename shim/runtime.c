/*
 * runtime.c - the emulated AscendCL runtime: aclInit (aclFinalize, which
 * unloads models, is model.c's, over emu_finalize_begin/end here), the one
 * emulated device, contexts (a current context per thread), streams with
 * their device worker threads (aclrtDestroyStreamForce drops what is queued),
 * device and host memory, memcpy, and data
 * buffers.  Device memory is host memory here; a "device" operation is one
 * that runs on a stream's worker thread.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "shim/emu.h"

#define EMU_DEVICES 1

/*
 * Process-wide runtime state, protected by rt_lock: whether aclInit ran,
 * and each device's default context (created by aclrtSetDevice).
 */
static pthread_mutex_t rt_lock = PTHREAD_MUTEX_INITIALIZER;
/* 0 never initialised, 1 initialised, 2 finalised, 3 forked while initialised */
static int rt_state;
/*
 * Bumped in a child after fork: streams of another generation were created
 * in the parent, their workers do not exist here, so using them is refused
 * (waiting for them would wait forever).  Written only by the child handler,
 * when the child has one thread.
 */
static unsigned rt_generation;
static emu_context *rt_default_ctx[EMU_DEVICES];
static uint32_t rt_next_stream_id; /* atomic: stream ids, 0 first */

/* The calling thread's current context (AscendCL contexts are per thread). */
static __thread emu_context *tls_ctx;

uint64_t emu_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* --- fork ------------------------------------------------------------------------------ */

/* One line, once per process, the first time a child forked after aclInit uses the device. */
static void report_forked(void)
{
    static atomic_flag said = ATOMIC_FLAG_INIT;
    if (!atomic_flag_test_and_set(&said))
        fprintf(stderr, "libascendcl: this process was forked after aclInit; the device, its streams and "
                        "models stay with the parent: call aclFinalize and aclInit here to use the device\n");
}

/*
 * In the child of a fork only the forking thread exists: no stream worker,
 * no writer.  The child forgets the parent's device state (contexts,
 * streams; model.c and sub.c forget models and writers) instead of waiting
 * on threads that are not there, and reports ACL_ERROR_UNINITIALIZE until
 * it calls aclFinalize and aclInit itself.  Locks another thread held at
 * the fork are made new.
 */
static void rt_fork_child(void)
{
    pthread_mutex_init(&rt_lock, NULL);
    if (rt_state == 1)
        rt_state = 3;
    rt_generation++;
    memset(rt_default_ctx, 0, sizeof rt_default_ctx);
    tls_ctx = NULL;
}

__attribute__((constructor)) static void rt_register_fork(void)
{
    pthread_atfork(NULL, NULL, rt_fork_child);
}

int emu_stream_alive(const emu_stream *s)
{
    return s && s->generation == rt_generation;
}

aclError emu_check_init(void)
{
    pthread_mutex_lock(&rt_lock);
    int s = rt_state;
    pthread_mutex_unlock(&rt_lock);
    if (s == 3)
        report_forked();
    return s == 1 ? ACL_SUCCESS : ACL_ERROR_UNINITIALIZE;
}

emu_context *emu_current_context(void)
{
    return tls_ctx;
}

aclError aclInit(const char *configPath)
{
    (void)configPath; /* the emulated device has nothing to configure */
    pthread_mutex_lock(&rt_lock);
    aclError rc = ACL_SUCCESS;
    if (rt_state == 1)
        rc = ACL_ERROR_REPEAT_INITIALIZE;
    else
        rt_state = 1;
    pthread_mutex_unlock(&rt_lock);
    return rc;
}

aclError emu_finalize_begin(void)
{
    pthread_mutex_lock(&rt_lock);
    int s = rt_state;
    pthread_mutex_unlock(&rt_lock);
    if (s == 0)
        return ACL_ERROR_UNINITIALIZE;
    if (s == 2)
        return ACL_ERROR_REPEAT_FINALIZE;
    return ACL_SUCCESS; /* 1, or 3: a forked child finalizes what it has, nothing */
}

void emu_finalize_end(void)
{
    pthread_mutex_lock(&rt_lock);
    rt_state = 2;
    pthread_mutex_unlock(&rt_lock);
}

aclError aclrtGetVersion(int32_t *majorVersion, int32_t *minorVersion, int32_t *patchVersion)
{
    if (!majorVersion || !minorVersion || !patchVersion)
        return ACL_ERROR_INVALID_PARAM;
    *majorVersion = ACL_MAJOR_VERSION;
    *minorVersion = ACL_MINOR_VERSION;
    *patchVersion = ACL_PATCH_VERSION;
    return ACL_SUCCESS;
}

const char *aclGetRecentErrMsg(void)
{
    return NULL;
}

/* --- streams and their workers --------------------------------------------- */

static void *stream_worker(void *arg)
{
    emu_stream *s = arg;
    pthread_mutex_lock(&s->lock);
    s->worker_tid = (uint32_t)syscall(SYS_gettid);
    pthread_cond_broadcast(&s->cond);
    for (;;) {
        while (!s->head && !s->stop)
            pthread_cond_wait(&s->cond, &s->lock);
        if (!s->head)
            break;
        emu_task *t = s->head;
        s->head = t->next;
        if (!s->head)
            s->tail = NULL;
        emu_task_fn fn = s->discard && t->cancel ? t->cancel : t->run;
        pthread_mutex_unlock(&s->lock);
        fn(t);
        pthread_mutex_lock(&s->lock);
        s->completed++;
        if (t->result != ACL_SUCCESS && s->first_error == ACL_SUCCESS && !t->wait)
            s->first_error = t->result;
        if (t->wait)
            t->done = 1;
        else
            free(t);
        pthread_cond_broadcast(&s->cond);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static emu_stream *stream_new(void)
{
    emu_stream *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    s->id = __atomic_fetch_add(&rt_next_stream_id, 1, __ATOMIC_RELAXED);
    s->generation = rt_generation;
    /* The worker blocks every signal: they belong to the application's threads. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&s->worker, NULL, stream_worker, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&s->cond);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    pthread_mutex_lock(&s->lock);
    while (s->worker_tid == 0)
        pthread_cond_wait(&s->cond, &s->lock);
    pthread_mutex_unlock(&s->lock);
    return s;
}

/* Waits for every queued task, then returns the first async error (and clears it). */
static aclError stream_sync(emu_stream *s)
{
    if (!emu_stream_alive(s))
        return ACL_ERROR_RT_PARAM_INVALID;
    pthread_mutex_lock(&s->lock);
    while (s->completed != s->submitted)
        pthread_cond_wait(&s->cond, &s->lock);
    aclError rc = s->first_error;
    s->first_error = ACL_SUCCESS;
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static void stream_free(emu_stream *s)
{
    stream_sync(s);
    emu_callbacks_forget_stream(s);
    pthread_mutex_lock(&s->lock);
    s->stop = 1;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->worker, NULL);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void emu_stream_submit(emu_stream *s, emu_task *t)
{
    t->next = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->tail)
        s->tail->next = t;
    else
        s->head = t;
    s->tail = t;
    s->submitted++;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

aclError emu_stream_run_sync(emu_stream *s, emu_task *t)
{
    t->wait = 1;
    t->done = 0;
    emu_stream_submit(s, t);
    pthread_mutex_lock(&s->lock);
    while (!t->done)
        pthread_cond_wait(&s->cond, &s->lock);
    pthread_mutex_unlock(&s->lock);
    return t->result;
}

/* --- devices and contexts ----------------------------------------------------- */

static emu_context *context_new(int32_t device)
{
    emu_context *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->device = device;
    c->default_stream = stream_new();
    if (!c->default_stream) {
        free(c);
        return NULL;
    }
    return c;
}

aclError aclrtSetDevice(int32_t deviceId)
{
    aclError rc = emu_check_init();
    if (rc != ACL_SUCCESS)
        return rc;
    if (deviceId < 0 || deviceId >= EMU_DEVICES)
        return ACL_ERROR_RT_PARAM_INVALID;
    pthread_mutex_lock(&rt_lock);
    if (!rt_default_ctx[deviceId])
        rt_default_ctx[deviceId] = context_new(deviceId);
    emu_context *c = rt_default_ctx[deviceId];
    pthread_mutex_unlock(&rt_lock);
    if (!c)
        return ACL_ERROR_BAD_ALLOC;
    tls_ctx = c;
    return ACL_SUCCESS;
}

aclError aclrtResetDevice(int32_t deviceId)
{
    if (deviceId < 0 || deviceId >= EMU_DEVICES)
        return ACL_ERROR_RT_PARAM_INVALID;
    /* The default context stays for other threads; only drain its stream. */
    pthread_mutex_lock(&rt_lock);
    emu_context *c = rt_default_ctx[deviceId];
    pthread_mutex_unlock(&rt_lock);
    if (c)
        stream_sync(c->default_stream);
    if (tls_ctx == c)
        tls_ctx = NULL;
    return ACL_SUCCESS;
}

/*
 * The vendor's releases the device however many times it was set; the
 * emulated device's default context stays for other threads in any case,
 * so this is aclrtResetDevice: drain the default stream, leave the context.
 */
aclError aclrtResetDeviceForce(int32_t deviceId)
{
    return aclrtResetDevice(deviceId);
}

aclError aclrtGetDevice(int32_t *deviceId)
{
    if (!deviceId)
        return ACL_ERROR_INVALID_PARAM;
    if (!tls_ctx)
        return ACL_ERROR_RT_PARAM_INVALID;
    *deviceId = tls_ctx->device;
    return ACL_SUCCESS;
}

aclError aclrtGetDeviceCount(uint32_t *count)
{
    if (!count)
        return ACL_ERROR_INVALID_PARAM;
    *count = EMU_DEVICES;
    return ACL_SUCCESS;
}

aclError aclrtGetRunMode(aclrtRunMode *runMode)
{
    if (!runMode)
        return ACL_ERROR_INVALID_PARAM;
    *runMode = ACL_HOST;
    return ACL_SUCCESS;
}

aclError aclrtCreateContext(aclrtContext *context, int32_t deviceId)
{
    aclError rc = emu_check_init();
    if (rc != ACL_SUCCESS)
        return rc;
    if (!context)
        return ACL_ERROR_INVALID_PARAM;
    if (deviceId < 0 || deviceId >= EMU_DEVICES)
        return ACL_ERROR_RT_PARAM_INVALID;
    emu_context *c = context_new(deviceId);
    if (!c)
        return ACL_ERROR_BAD_ALLOC;
    tls_ctx = c;
    *context = c;
    return ACL_SUCCESS;
}

aclError aclrtDestroyContext(aclrtContext context)
{
    emu_context *c = context;
    if (!c)
        return ACL_ERROR_INVALID_PARAM;
    pthread_mutex_lock(&rt_lock);
    int is_default = 0;
    for (int i = 0; i < EMU_DEVICES; i++)
        is_default |= rt_default_ctx[i] == c;
    pthread_mutex_unlock(&rt_lock);
    if (is_default)
        return ACL_ERROR_INVALID_PARAM;
    if (tls_ctx == c)
        tls_ctx = NULL;
    stream_free(c->default_stream);
    free(c);
    return ACL_SUCCESS;
}

aclError aclrtSetCurrentContext(aclrtContext context)
{
    if (!context)
        return ACL_ERROR_INVALID_PARAM;
    tls_ctx = context;
    return ACL_SUCCESS;
}

aclError aclrtGetCurrentContext(aclrtContext *context)
{
    if (!context)
        return ACL_ERROR_INVALID_PARAM;
    if (!tls_ctx)
        return ACL_ERROR_RT_PARAM_INVALID;
    *context = tls_ctx;
    return ACL_SUCCESS;
}

aclError aclrtCreateStream(aclrtStream *stream)
{
    aclError rc = emu_check_init();
    if (rc != ACL_SUCCESS)
        return rc;
    if (!stream)
        return ACL_ERROR_INVALID_PARAM;
    if (!tls_ctx)
        return ACL_ERROR_RT_PARAM_INVALID;
    emu_stream *s = stream_new();
    if (!s)
        return ACL_ERROR_BAD_ALLOC;
    *stream = s;
    return ACL_SUCCESS;
}

aclError aclrtDestroyStream(aclrtStream stream)
{
    if (!stream)
        return ACL_ERROR_INVALID_PARAM;
    if (!emu_stream_alive(stream))
        return ACL_ERROR_RT_PARAM_INVALID; /* the parent's: no worker to stop here */
    stream_free(stream);
    return ACL_SUCCESS;
}

/*
 * As aclrtDestroyStream without waiting for the queued work: the task
 * running finishes, queued executes are dropped, a callback waiting for
 * its report is released and never runs.
 */
aclError aclrtDestroyStreamForce(aclrtStream stream)
{
    emu_stream *s = stream;
    if (!s)
        return ACL_ERROR_INVALID_PARAM;
    if (!emu_stream_alive(s))
        return ACL_ERROR_RT_PARAM_INVALID;
    pthread_mutex_lock(&s->lock);
    s->discard = 1;
    pthread_mutex_unlock(&s->lock);
    emu_callbacks_forget_stream(s);
    stream_free(s);
    return ACL_SUCCESS;
}

/* NULL means the current context's default stream, as in AscendCL. */
emu_stream *emu_resolve_stream(aclrtStream stream)
{
    if (stream)
        return stream;
    return tls_ctx ? tls_ctx->default_stream : NULL;
}

aclError aclrtSynchronizeStream(aclrtStream stream)
{
    emu_stream *s = emu_resolve_stream(stream);
    if (!s)
        return ACL_ERROR_INVALID_PARAM;
    return stream_sync(s);
}

aclError aclrtSynchronizeDevice(void)
{
    if (!tls_ctx)
        return ACL_ERROR_RT_PARAM_INVALID;
    return stream_sync(tls_ctx->default_stream);
}

/* --- memory ---------------------------------------------------------------------- */

static aclError alloc_aligned(void **p, size_t size)
{
    if (!p || size == 0)
        return ACL_ERROR_INVALID_PARAM;
    void *m = NULL;
    if (posix_memalign(&m, 64, size) != 0)
        return ACL_ERROR_BAD_ALLOC;
    *p = m;
    return ACL_SUCCESS;
}

aclError aclrtMalloc(void **devPtr, size_t size, aclrtMemMallocPolicy policy)
{
    if ((unsigned)policy > ACL_MEM_MALLOC_NORMAL_ONLY_P2P)
        return ACL_ERROR_INVALID_PARAM;
    return alloc_aligned(devPtr, size);
}

aclError aclrtFree(void *devPtr)
{
    if (!devPtr)
        return ACL_ERROR_INVALID_PARAM;
    free(devPtr);
    return ACL_SUCCESS;
}

aclError aclrtMallocHost(void **hostPtr, size_t size)
{
    return alloc_aligned(hostPtr, size);
}

aclError aclrtFreeHost(void *hostPtr)
{
    return aclrtFree(hostPtr);
}

aclError aclrtMemset(void *devPtr, size_t maxCount, int32_t value, size_t count)
{
    if (!devPtr || count > maxCount)
        return ACL_ERROR_INVALID_PARAM;
    memset(devPtr, value, count);
    return ACL_SUCCESS;
}

static aclError memcpy_check(void *dst, size_t destMax, const void *src, size_t count, aclrtMemcpyKind kind)
{
    if (!dst || !src || count > destMax || (unsigned)kind > ACL_MEMCPY_DEFAULT)
        return ACL_ERROR_INVALID_PARAM;
    return ACL_SUCCESS;
}

aclError aclrtMemcpy(void *dst, size_t destMax, const void *src, size_t count, aclrtMemcpyKind kind)
{
    aclError rc = memcpy_check(dst, destMax, src, count, kind);
    if (rc == ACL_SUCCESS && count)
        memmove(dst, src, count);
    return rc;
}

struct memcpy_task {
    emu_task task;
    void *dst;
    const void *src;
    size_t count;
};

static void run_memcpy(emu_task *t)
{
    struct memcpy_task *m = (struct memcpy_task *)t;
    if (m->count)
        memmove(m->dst, m->src, m->count);
    t->result = ACL_SUCCESS;
}

aclError aclrtMemcpyAsync(void *dst, size_t destMax, const void *src, size_t count, aclrtMemcpyKind kind,
                          aclrtStream stream)
{
    aclError rc = memcpy_check(dst, destMax, src, count, kind);
    if (rc != ACL_SUCCESS)
        return rc;
    emu_stream *s = emu_resolve_stream(stream);
    if (!s)
        return ACL_ERROR_INVALID_PARAM;
    if (!emu_stream_alive(s))
        return ACL_ERROR_RT_PARAM_INVALID;
    struct memcpy_task *m = calloc(1, sizeof *m);
    if (!m)
        return ACL_ERROR_BAD_ALLOC;
    m->task.run = run_memcpy;
    m->dst = dst;
    m->src = src;
    m->count = count;
    emu_stream_submit(s, &m->task);
    return ACL_SUCCESS;
}

/* --- data buffers ------------------------------------------------------------------ */

struct aclDataBuffer {
    void *data;
    size_t size;
};

aclDataBuffer *aclCreateDataBuffer(void *data, size_t size)
{
    aclDataBuffer *b = calloc(1, sizeof *b);
    if (b) {
        b->data = data;
        b->size = size;
    }
    return b;
}

aclError aclDestroyDataBuffer(const aclDataBuffer *dataBuffer)
{
    if (!dataBuffer)
        return ACL_ERROR_INVALID_PARAM;
    free((void *)dataBuffer);
    return ACL_SUCCESS;
}

aclError aclUpdateDataBuffer(aclDataBuffer *dataBuffer, void *data, size_t size)
{
    if (!dataBuffer)
        return ACL_ERROR_INVALID_PARAM;
    dataBuffer->data = data;
    dataBuffer->size = size;
    return ACL_SUCCESS;
}

void *aclGetDataBufferAddr(const aclDataBuffer *dataBuffer)
{
    return dataBuffer ? dataBuffer->data : NULL;
}

uint32_t aclGetDataBufferSize(const aclDataBuffer *dataBuffer)
{
    return dataBuffer ? (uint32_t)dataBuffer->size : 0;
}

size_t aclGetDataBufferSizeV2(const aclDataBuffer *dataBuffer)
{
    return dataBuffer ? dataBuffer->size : 0;
}

/* Bytes per element, the vendor's table: unknown types count as 8 bytes. */
size_t aclDataTypeSize(aclDataType dataType)
{
    switch (dataType) {
    case ACL_STRING:
    case ACL_DT_UNDEFINED:
        return 0;
    case ACL_INT4:
    case ACL_UINT1:
    case ACL_INT8:
    case ACL_UINT8:
    case ACL_BOOL:
    case ACL_HIFLOAT8:
    case ACL_HIFLOAT4:
    case ACL_FLOAT8_E5M2:
    case ACL_FLOAT8_E4M3FN:
    case ACL_FLOAT8_E8M0:
        return 1;
    case ACL_FLOAT16:
    case ACL_BF16:
    case ACL_INT16:
    case ACL_UINT16:
        return 2;
    case ACL_FLOAT:
    case ACL_INT32:
    case ACL_UINT32:
    case ACL_COMPLEX32:
        return 4;
    case ACL_COMPLEX128:
        return 16;
    default:
        return 8;
    }
}
