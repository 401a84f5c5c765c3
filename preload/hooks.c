/*
 * hooks.c - every symbol libaclsub.so interposes: the AscendCL entry points,
 * the operator-string accessors, the close family, write, and _exit and
 * the exec family; libaclsub.map exports exactly these.
 *
 * Model loads subscribe the model through the public AscendCL API into a
 * pipe the relay reads, or on one hop into the file sink itself (relay.c);
 * unload, unsubscribe and finalize end those subscriptions so that every
 * record reaches the sink first.  The program's own subscriptions of a
 * followed model are served by the relay, which copies the model's records
 * unchanged into the program's fd (a model on one hop moves to the relay
 * first).  write() passes everything through, except the runtime's writes
 * into the sink on one hop, which relay.c counts.  Over
 * the vendor's records, whose type and name the runtime gives out once,
 * the relay has read them already: aclprofGetOpType, aclprofGetOpName and
 * their *Len calls answer the program from what the relay kept for it
 * (names.c), as the runtime would have, and go to the runtime otherwise.
 *
 * Real symbols are resolved once, eagerly, with dlsym(RTLD_NEXT); when
 * libascendcl.so is dlopen'ed later (Python extension modules), the first
 * call resolves them then, also through the library's own handle.  Every
 * wrapper works before the constructor ran, from many threads, and
 * re-entrantly (a thread-local guard passes nested calls straight through).
 *
 * close(), close_range() and closefrom() leave the library's descriptors
 * open (sink.c marks them); only the runtime itself may close a
 * subscription's write end.
 *
 * _exit(), _Exit() and every public exec function end the stream first, as
 * a fatal signal does: the relay's last flush (bounded) delivers the
 * records of the executes that returned and writes the stream end.  libc
 * calls its own exec and _exit internally without passing through these,
 * so each public name is interposed; they share one flush before exec,
 * and an exec that fails lets the relay go on with a new stream.
 *
 * Calls between the library's files go one way: hooks.c calls describe.c,
 * relay.c, sink.c and config.c; none of them calls back into hooks.c.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "preload/preload.h"

#define EXPORT __attribute__((visibility("default")))

enum {
    R_LOAD_FILE,
    R_LOAD_MEM,
    R_LOAD_FILE_MEM,
    R_LOAD_MEM_MEM,
    R_UNLOAD,
    R_EXECUTE,
    R_EXECUTE_ASYNC,
    R_FINALIZE,
    R_CFG_CREATE,
    R_CFG_DESTROY,
    R_SUBSCRIBE,
    R_UNSUBSCRIBE,
    R_DESC_SIZE,
    R_TYPE_LEN,
    R_GET_TYPE,
    R_NAME_LEN,
    R_GET_NAME,
    R_START,
    R_END,
    R_DURATION,
    R_MODEL_ID,
    R_FLAG,
    R_ATTRI,
    R_OP_NUM,
    R_SUBSCRIBE_ASIDE, /* the emulated runtime's only (aclsub/emu_private.h) */
    R_SETTINGS,
    R_COUNT
};

static const char *const real_names[R_COUNT] = {
    "aclmdlLoadFromFile",   "aclmdlLoadFromMem",        "aclmdlLoadFromFileWithMem",
    "aclmdlLoadFromMemWithMem", "aclmdlUnload",          "aclmdlExecute",
    "aclmdlExecuteAsync",   "aclFinalize",              "aclprofCreateSubscribeConfig",
    "aclprofDestroySubscribeConfig", "aclprofModelSubscribe", "aclprofModelUnSubscribe",
    "aclprofGetOpDescSize", "aclprofGetOpTypeLen",      "aclprofGetOpType",
    "aclprofGetOpNameLen",  "aclprofGetOpName",         "aclprofGetOpStart",
    "aclprofGetOpEnd",      "aclprofGetOpDuration",     "aclprofGetModelId",
    "aclprofGetOpFlag",     "aclprofGetOpAttriValue",   "aclprofGetOpNum",
    "aclsubEmuModelSubscribeAside", "aclsubEmuSubscribeSettings",
};

/* Resolved addresses; each written once (same value by any racer), read atomically. */
static _Atomic(void *) real_fn[R_COUNT];

static __thread int in_hook; /* nested AscendCL calls from inside a wrapper go straight through */

static void *resolve(int i)
{
    void *f = atomic_load(&real_fn[i]);
    if (f)
        return f;
    f = pl_runtime_sym(real_names[i]);
    if (f)
        atomic_store(&real_fn[i], f);
    return f;
}

#define REAL(idx, type) ((type)resolve(idx))

/* 1 if code at this address belongs to the AscendCL runtime library. */
static int addr_in_runtime(const void *addr)
{
    void *exec = resolve(R_EXECUTE);
    Dl_info a, b;
    if (!exec || !dladdr(addr, &a) || !dladdr(exec, &b))
        return 0;
    return a.dli_fbase == b.dli_fbase;
}

static void resolve_accessors(void)
{
    pl_accessors a;
    a.settings = (aclError(*)(const aclprofSubscribeConfig *))resolve(R_SETTINGS);
    a.desc_size = (aclError(*)(size_t *))resolve(R_DESC_SIZE);
    a.type_len = (aclError(*)(const void *, size_t, uint32_t, size_t *))resolve(R_TYPE_LEN);
    a.type = (aclError(*)(const void *, size_t, uint32_t, char *, size_t))resolve(R_GET_TYPE);
    a.name_len = (aclError(*)(const void *, size_t, uint32_t, size_t *))resolve(R_NAME_LEN);
    a.name = (aclError(*)(const void *, size_t, uint32_t, char *, size_t))resolve(R_GET_NAME);
    a.start = (uint64_t(*)(const void *, size_t, uint32_t))resolve(R_START);
    a.end = (uint64_t(*)(const void *, size_t, uint32_t))resolve(R_END);
    a.duration = (uint64_t(*)(const void *, size_t, uint32_t))resolve(R_DURATION);
    a.model_id = (size_t(*)(const void *, size_t, uint32_t))resolve(R_MODEL_ID);
    a.flag = (aclprofSubscribeOpFlag(*)(const void *, size_t, uint32_t))resolve(R_FLAG);
    a.attri = (const char *(*)(const void *, size_t, uint32_t, aclprofSubscribeOpAttri))resolve(R_ATTRI);
    pl_relay_set_accessors(&a);
}

/* --- which models are followed -------------------------------------------------------- */

/*
 * Executes hold exec_gate shared; re-subscribing a model after the
 * program's own unsubscribe holds it exclusive, so no execute falls into
 * the moment between the two subscriptions.
 */
static pthread_rwlock_t exec_gate = PTHREAD_RWLOCK_INITIALIZER;

/* Model ids the library has decided about (followed or not), for the execute path. */
#define SEEN_MAX 65536
static _Atomic uint64_t seen[SEEN_MAX / 64];

static int seen_test_set(uint32_t id)
{
    if (id >= SEEN_MAX)
        return 1;
    uint64_t bit = (uint64_t)1 << (id % 64);
    return (atomic_fetch_or(&seen[id / 64], bit) & bit) != 0;
}

static void seen_clear(uint32_t id)
{
    if (id < SEEN_MAX)
        atomic_fetch_and(&seen[id / 64], ~((uint64_t)1 << (id % 64)));
}

static int model_selected(const pl_config *c, uint32_t id, const char *path)
{
    if (!c->models)
        return 1;
    char num[16];
    snprintf(num, sizeof num, "%u", id);
    const char *base = path ? strrchr(path, '/') : NULL;
    return pl_globs_match(c->models, num) || (path && pl_globs_match(c->models, path)) ||
           (base && pl_globs_match(c->models, base + 1));
}

/*
 * Subscribes model id: on one hop into the sink when it can (onehop 1 and
 * pl_relay_attach agrees), else into a relay pipe.  Called with in_hook set.
 */
static void follow_mode(uint32_t id, const char *path, int onehop, int selected)
{
    const pl_config *c = pl_config_get();
    seen_test_set(id);
    if (!c->enabled || (!selected && !model_selected(c, id, path)))
        return;
    resolve_accessors();
    int wfd = pl_relay_attach(id, path ? path : "(in memory)", onehop);
    if (wfd < 0)
        return;
    pl_describe_model(id, pl_relay_onehop(id)); /* before the subscription: ahead of the model's records */
    aclprofSubscribeConfig *cfg =
        REAL(R_CFG_CREATE, aclprofSubscribeConfig * (*)(int8_t, aclprofAicoreMetrics, void *))(
            1, ACL_AICORE_NONE, &wfd);
    /* Over the emulated runtime the library's subscription stays out of the program's settings. */
    aclError (*sub)(uint32_t, const aclprofSubscribeConfig *) =
        REAL(R_SUBSCRIBE_ASIDE, aclError(*)(uint32_t, const aclprofSubscribeConfig *));
    if (!sub)
        sub = REAL(R_SUBSCRIBE, aclError(*)(uint32_t, const aclprofSubscribeConfig *));
    aclError rc = cfg ? sub(id, cfg) : ACL_ERROR_PROFILING_FAILURE;
    if (cfg)
        REAL(R_CFG_DESTROY, aclError(*)(const aclprofSubscribeConfig *))(cfg);
    if (rc != ACL_SUCCESS) {
        pl_relay_attach_failed(id);
        pl_log(LOG_WARN, "aclsub: cannot subscribe model %u (error %d); it runs unprofiled", id, rc);
    }
}

static void follow(uint32_t id, const char *path)
{
    follow_mode(id, path, 1, 0);
}

/* Follows anew a model the library followed until now (ACLSUB_MODELS chose it then, by its path). */
static void refollow(uint32_t id, int onehop)
{
    follow_mode(id, NULL, onehop, 1);
}

/* Ends the library's subscription of a followed model and waits for its records. */
static void unfollow(uint32_t id, int close_app)
{
    REAL(R_UNSUBSCRIBE, aclError(*)(uint32_t))(id);
    pl_relay_wait_done(id, close_app);
}

/* --- the program's own subscription configs ---------------------------------------------- */

/* Config handle -> fd and switches, as the runtime would keep them; under cfg_lock. */
struct cfg_entry {
    const void *cfg;
    int fd;
    int8_t time_info;
    int metrics;
    struct cfg_entry *next;
};
static pthread_mutex_t cfg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cfg_entry *cfgs;

static int cfg_lookup(const void *cfg, struct cfg_entry *out)
{
    pthread_mutex_lock(&cfg_lock);
    struct cfg_entry *e = cfgs;
    while (e && e->cfg != cfg)
        e = e->next;
    if (e)
        *out = *e;
    pthread_mutex_unlock(&cfg_lock);
    return e != NULL;
}

/* --- the wrappers -------------------------------------------------------------------------- */

#define ENTER()                                                                                         \
    int nested_ = in_hook;                                                                             \
    in_hook = 1
#define LEAVE() in_hook = nested_

EXPORT aclError aclmdlLoadFromFile(const char *modelPath, uint32_t *modelId)
{
    aclError (*f)(const char *, uint32_t *) = REAL(R_LOAD_FILE, aclError(*)(const char *, uint32_t *));
    if (!f)
        return ACL_ERROR_UNINITIALIZE;
    ENTER();
    aclError rc = f(modelPath, modelId);
    if (rc == ACL_SUCCESS && !nested_ && modelId) {
        pl_describe_note_load(*modelId, modelPath);
        follow(*modelId, modelPath);
    }
    LEAVE();
    return rc;
}

EXPORT aclError aclmdlLoadFromMem(const void *model, size_t modelSize, uint32_t *modelId)
{
    aclError (*f)(const void *, size_t, uint32_t *) =
        REAL(R_LOAD_MEM, aclError(*)(const void *, size_t, uint32_t *));
    if (!f)
        return ACL_ERROR_UNINITIALIZE;
    ENTER();
    aclError rc = f(model, modelSize, modelId);
    if (rc == ACL_SUCCESS && !nested_ && modelId) {
        pl_describe_note_load(*modelId, NULL);
        follow(*modelId, NULL);
    }
    LEAVE();
    return rc;
}

EXPORT aclError aclmdlLoadFromFileWithMem(const char *modelPath, uint32_t *modelId, void *workPtr,
                                          size_t workSize, void *weightPtr, size_t weightSize)
{
    typedef aclError (*fn)(const char *, uint32_t *, void *, size_t, void *, size_t);
    fn f = REAL(R_LOAD_FILE_MEM, fn);
    if (!f)
        return ACL_ERROR_UNINITIALIZE;
    ENTER();
    aclError rc = f(modelPath, modelId, workPtr, workSize, weightPtr, weightSize);
    if (rc == ACL_SUCCESS && !nested_ && modelId) {
        pl_describe_note_load(*modelId, modelPath);
        follow(*modelId, modelPath);
    }
    LEAVE();
    return rc;
}

EXPORT aclError aclmdlLoadFromMemWithMem(const void *model, size_t modelSize, uint32_t *modelId, void *workPtr,
                                         size_t workSize, void *weightPtr, size_t weightSize)
{
    typedef aclError (*fn)(const void *, size_t, uint32_t *, void *, size_t, void *, size_t);
    fn f = REAL(R_LOAD_MEM_MEM, fn);
    if (!f)
        return ACL_ERROR_UNINITIALIZE;
    ENTER();
    aclError rc = f(model, modelSize, modelId, workPtr, workSize, weightPtr, weightSize);
    if (rc == ACL_SUCCESS && !nested_ && modelId) {
        pl_describe_note_load(*modelId, NULL);
        follow(*modelId, NULL);
    }
    LEAVE();
    return rc;
}

EXPORT aclError aclmdlUnload(uint32_t modelId)
{
    aclError (*f)(uint32_t) = REAL(R_UNLOAD, aclError(*)(uint32_t));
    if (!f)
        return ACL_ERROR_UNINITIALIZE;
    ENTER();
    int followed = !nested_ && pl_relay_follows(modelId);
    aclError rc = f(modelId);
    if (followed) {
        if (rc != ACL_SUCCESS)
            REAL(R_UNSUBSCRIBE, aclError(*)(uint32_t))(modelId);
        pl_relay_wait_done(modelId, 1);
    }
    if (rc == ACL_SUCCESS) {
        seen_clear(modelId);
        if (!nested_)
            pl_describe_forget(modelId);
    }
    LEAVE();
    return rc;
}

/*
 * A model loaded where the load hooks could not see it is followed at its
 * first execute; a model whose pipe the program closed behind the
 * library's back (a raw close_range syscall) is followed anew, so that the
 * records of this execute on are delivered.  Called with in_hook set.
 */
static void follow_late(uint32_t id)
{
    if (!seen_test_set(id) && pl_config_get()->enabled) {
        follow(id, NULL);
        return;
    }
    if (!pl_relay_lost(id))
        return;
    pthread_rwlock_wrlock(&exec_gate);
    if (pl_relay_lost(id)) {
        unfollow(id, 0);
        refollow(id, 1);
    }
    pthread_rwlock_unlock(&exec_gate);
}

EXPORT aclError aclmdlExecute(uint32_t modelId, const aclmdlDataset *input, aclmdlDataset *output)
{
    aclError (*f)(uint32_t, const aclmdlDataset *, aclmdlDataset *) =
        REAL(R_EXECUTE, aclError(*)(uint32_t, const aclmdlDataset *, aclmdlDataset *));
    if (!f)
        return ACL_ERROR_UNINITIALIZE;
    if (in_hook)
        return f(modelId, input, output);
    in_hook = 1;
    follow_late(modelId);
    in_hook = 0;
    pthread_rwlock_rdlock(&exec_gate);
    aclError rc = f(modelId, input, output);
    pthread_rwlock_unlock(&exec_gate);
    return rc;
}

EXPORT aclError aclmdlExecuteAsync(uint32_t modelId, const aclmdlDataset *input, aclmdlDataset *output,
                                   aclrtStream stream)
{
    typedef aclError (*fn)(uint32_t, const aclmdlDataset *, aclmdlDataset *, aclrtStream);
    fn f = REAL(R_EXECUTE_ASYNC, fn);
    if (!f)
        return ACL_ERROR_UNINITIALIZE;
    if (in_hook)
        return f(modelId, input, output, stream);
    in_hook = 1;
    follow_late(modelId);
    in_hook = 0;
    pthread_rwlock_rdlock(&exec_gate);
    aclError rc = f(modelId, input, output, stream);
    pthread_rwlock_unlock(&exec_gate);
    return rc;
}

EXPORT aclError aclFinalize(void)
{
    aclError (*f)(void) = REAL(R_FINALIZE, aclError(*)(void));
    if (!f)
        return ACL_ERROR_UNINITIALIZE;
    ENTER();
    if (!nested_) {
        /* Every record of every execute that returned reaches the sink now. */
        for (uint32_t id = 1; id < SEEN_MAX; id++)
            if ((atomic_load(&seen[id / 64]) >> (id % 64)) & 1 && pl_relay_follows(id))
                REAL(R_UNSUBSCRIBE, aclError(*)(uint32_t))(id);
        pl_relay_wait_done(UINT32_MAX, 1);
        pl_relay_flush();
        memset(seen, 0, sizeof seen);
    }
    aclError rc = f();
    LEAVE();
    return rc;
}

EXPORT aclprofSubscribeConfig *aclprofCreateSubscribeConfig(int8_t timeInfoSwitch, aclprofAicoreMetrics aicoreMetrics,
                                                            void *fd)
{
    typedef aclprofSubscribeConfig *(*fn)(int8_t, aclprofAicoreMetrics, void *);
    fn f = REAL(R_CFG_CREATE, fn);
    if (!f)
        return NULL;
    aclprofSubscribeConfig *cfg = f(timeInfoSwitch, aicoreMetrics, fd);
    if (cfg && !in_hook && fd) {
        struct cfg_entry *e = malloc(sizeof *e);
        if (e) {
            e->cfg = cfg;
            e->fd = *(const int *)fd;
            e->time_info = timeInfoSwitch;
            e->metrics = aicoreMetrics;
            pthread_mutex_lock(&cfg_lock);
            e->next = cfgs;
            cfgs = e;
            pthread_mutex_unlock(&cfg_lock);
        }
    }
    return cfg;
}

EXPORT aclError aclprofDestroySubscribeConfig(const aclprofSubscribeConfig *profSubscribeConfig)
{
    aclError (*f)(const aclprofSubscribeConfig *) =
        REAL(R_CFG_DESTROY, aclError(*)(const aclprofSubscribeConfig *));
    if (!f)
        return ACL_ERROR_UNINITIALIZE;
    if (!in_hook) {
        pthread_mutex_lock(&cfg_lock);
        for (struct cfg_entry **pp = &cfgs; *pp; pp = &(*pp)->next)
            if ((*pp)->cfg == profSubscribeConfig) {
                struct cfg_entry *e = *pp;
                *pp = e->next;
                free(e);
                break;
            }
        pthread_mutex_unlock(&cfg_lock);
    }
    return f(profSubscribeConfig);
}

EXPORT aclError aclprofModelSubscribe(uint32_t modelId, const aclprofSubscribeConfig *profSubscribeConfig)
{
    aclError (*f)(uint32_t, const aclprofSubscribeConfig *) =
        REAL(R_SUBSCRIBE, aclError(*)(uint32_t, const aclprofSubscribeConfig *));
    if (!f)
        return ACL_ERROR_UNINITIALIZE;
    struct cfg_entry e;
    if (in_hook || !pl_relay_follows(modelId) || !profSubscribeConfig || !cfg_lookup(profSubscribeConfig, &e))
        return f(modelId, profSubscribeConfig);
    /* The library already subscribed this model: serve the program's subscription from the relay. */
    if (e.fd < 0 || (e.time_info == 0 && e.metrics == ACL_AICORE_NONE))
        return ACL_ERROR_INVALID_PARAM;
    if (pl_relay_onehop(modelId)) {
        /* On one hop no relay sees the records: move the model to the relay first. */
        in_hook = 1;
        pthread_rwlock_wrlock(&exec_gate);
        if (pl_relay_onehop(modelId)) {
            unfollow(modelId, 0);
            refollow(modelId, 0);
            pl_log(LOG_DEBUG, "aclsub: model %u: the program subscribes it too; its records go through the relay",
                   modelId);
        }
        pthread_rwlock_unlock(&exec_gate);
        in_hook = 0;
    }
    if (pl_relay_app_fd(modelId) >= 0)
        return ACL_ERROR_PROF_REPEAT_SUBSCRIBE;
    /* The program's subscriptions share one set of settings, as they would without the library. */
    aclError (*settings)(const aclprofSubscribeConfig *) =
        REAL(R_SETTINGS, aclError(*)(const aclprofSubscribeConfig *));
    aclError rc = settings ? settings(profSubscribeConfig) : ACL_SUCCESS;
    if (rc != ACL_SUCCESS)
        return rc;
    rc = pl_relay_app_subscribe(modelId, e.fd);
    if (rc != ACL_SUCCESS && settings)
        settings(NULL);
    return rc;
}

EXPORT aclError aclprofModelUnSubscribe(uint32_t modelId)
{
    aclError (*f)(uint32_t) = REAL(R_UNSUBSCRIBE, aclError(*)(uint32_t));
    if (!f)
        return ACL_ERROR_UNINITIALIZE;
    if (in_hook || !pl_relay_follows(modelId))
        return f(modelId);
    if (pl_relay_app_fd(modelId) < 0)
        return ACL_ERROR_INVALID_MODEL_ID; /* the program never subscribed it */
    /* Flush the model's records into the program's fd and close it, then follow the model anew. */
    in_hook = 1;
    pthread_rwlock_wrlock(&exec_gate);
    unfollow(modelId, 1);
    refollow(modelId, 1);
    pthread_rwlock_unlock(&exec_gate);
    in_hook = 0;
    return ACL_SUCCESS;
}

/* --- the string accessors: the program reads what it would read without the library ------ */

/* Record `index` of a buffer the runtime itself accepts (its own checks), or NULL. */
static const unsigned char *accepted_record(const void *info, size_t len, uint32_t index)
{
    aclError (*num)(const void *, size_t, uint32_t *) = REAL(R_OP_NUM, aclError(*)(const void *, size_t, uint32_t *));
    aclError (*desc)(size_t *) = REAL(R_DESC_SIZE, aclError(*)(size_t *));
    uint32_t n = 0;
    size_t size = 0;
    if (!info || !num || !desc || desc(&size) != ACL_SUCCESS || num(info, len, &n) != ACL_SUCCESS || index >= n)
        return NULL;
    return (const unsigned char *)info + (size_t)index * size;
}

/*
 * 1 if the runtime copies strings as the vendor's does (memcpy_s of strlen
 * bytes, NUL at the buffer's end), 0 if it is aclsub's emulated runtime
 * (which exports the record library's aclsub_rec_check).  Decided once.
 */
static int runtime_copies_as_vendor(void)
{
    static _Atomic int answer; /* 0 not yet, 1 vendor, 2 aclsub */
    int a = atomic_load(&answer);
    if (a)
        return a == 1;
    void *mark = dlsym(RTLD_NEXT, "aclsub_rec_check");
    if (!mark) {
        void *h = dlopen("libascendcl.so", RTLD_LAZY | RTLD_NOLOAD);
        if (h) {
            mark = dlsym(h, "aclsub_rec_check");
            dlclose(h);
        }
    }
    a = mark && addr_in_runtime(mark) ? 2 : 1;
    atomic_store(&answer, a);
    return a == 1;
}

typedef aclError (*len_fn)(const void *, size_t, uint32_t, size_t *);
typedef aclError (*get_fn)(const void *, size_t, uint32_t, char *, size_t);

/* A *Len accessor: from what the relay kept for the program, else from the runtime. */
static aclError string_len(int which, const void *info, size_t len, uint32_t index, size_t *out)
{
    len_fn f = REAL(which == PL_STR_TYPE ? R_TYPE_LEN : R_NAME_LEN, len_fn);
    if (!f)
        return ACL_ERROR_UNINITIALIZE;
    if (in_hook || !out || !pl_names_held())
        return f(info, len, index, out);
    ENTER();
    const unsigned char *rec = accepted_record(info, len, index);
    int kept = rec && pl_names_len(rec, which, out);
    LEAVE();
    return kept ? ACL_SUCCESS : f(info, len, index, out);
}

/* aclprofGetOpType / aclprofGetOpName: the same, consuming the string as the runtime would. */
static aclError string_get(int which, const void *info, size_t len, uint32_t index, char *dst, size_t dst_len)
{
    get_fn f = REAL(which == PL_STR_TYPE ? R_GET_TYPE : R_GET_NAME, get_fn);
    if (!f)
        return ACL_ERROR_UNINITIALIZE;
    if (in_hook || !dst || !pl_names_held())
        return f(info, len, index, dst, dst_len);
    ENTER();
    aclError rc = ACL_ERROR_INVALID_PARAM;
    const unsigned char *rec = accepted_record(info, len, index);
    int kept = rec && pl_names_get(rec, which, dst, dst_len, runtime_copies_as_vendor(), &rc);
    LEAVE();
    return kept ? rc : f(info, len, index, dst, dst_len);
}

EXPORT aclError aclprofGetOpTypeLen(const void *opInfo, size_t opInfoLen, uint32_t index, size_t *opTypeLen)
{
    return string_len(PL_STR_TYPE, opInfo, opInfoLen, index, opTypeLen);
}

EXPORT aclError aclprofGetOpType(const void *opInfo, size_t opInfoLen, uint32_t index, char *opType,
                                 size_t opTypeLen)
{
    return string_get(PL_STR_TYPE, opInfo, opInfoLen, index, opType, opTypeLen);
}

EXPORT aclError aclprofGetOpNameLen(const void *opInfo, size_t opInfoLen, uint32_t index, size_t *opNameLen)
{
    return string_len(PL_STR_NAME, opInfo, opInfoLen, index, opNameLen);
}

EXPORT aclError aclprofGetOpName(const void *opInfo, size_t opInfoLen, uint32_t index, char *opName,
                                 size_t opNameLen)
{
    return string_get(PL_STR_NAME, opInfo, opInfoLen, index, opName, opNameLen);
}

/* --- the close family: the library's descriptors stay open ------------------------------- */

EXPORT int close(int fd)
{
    if (pl_fd_is_protected(fd)) {
        /* The runtime ending a subscription closes its write end: let that through. */
        if (!pl_fd_is_runtime(fd) || !addr_in_runtime(__builtin_return_address(0)))
            return 0;
        pl_fd_unprotect(fd);
    }
    return (int)syscall(SYS_close, fd);
}

EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
    return pl_fd_close_range_unguarded(first, last, flags);
}

EXPORT void closefrom(int lowfd)
{
    pl_fd_close_range_unguarded(lowfd < 0 ? 0 : (unsigned int)lowfd, ~0u, 0);
}

/* --- process events ------------------------------------------------------------------------ */

static const int fatal_signals[] = {SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTERM, SIGINT, SIGQUIT};
#define N_FATAL (int)(sizeof fatal_signals / sizeof fatal_signals[0])
static struct sigaction saved_action[N_FATAL];

static void on_fatal_signal(int sig)
{
    pl_relay_flush_from_signal();
    for (int i = 0; i < N_FATAL; i++)
        if (fatal_signals[i] == sig)
            sigaction(sig, &saved_action[i], NULL);
    raise(sig); /* not blocked (SA_NODEFER): delivered at once, with the default action restored */
}

int pl_signal_flushes(int sig)
{
    struct sigaction cur;
    return sigaction(sig, NULL, &cur) == 0 && !(cur.sa_flags & SA_SIGINFO) && cur.sa_handler == on_fatal_signal;
}

static void install_signal_flush(void)
{
    for (int i = 0; i < N_FATAL; i++) {
        struct sigaction cur;
        if (sigaction(fatal_signals[i], NULL, &cur) != 0 || cur.sa_handler != SIG_DFL ||
            (cur.sa_flags & SA_SIGINFO))
            continue;
        saved_action[i] = cur;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND | SA_NODEFER;
        sigaction(fatal_signals[i], &sa, NULL);
    }
}

/* --- _exit and exec: the stream end before the process image goes ---------------------------- */

/*
 * The next definitions (libc's), resolved in the constructor so that a
 * call from a signal handler only loads a pointer.
 */
static _Atomic(void *) next_exit, next_Exit, next_execve, next_execv, next_execvp, next_execvpe, next_fexecve,
    next_execveat;

static void *next_fn(_Atomic(void *) *slot, const char *name)
{
    void *f = atomic_load(slot);
    if (!f && (f = dlsym(RTLD_NEXT, name)) != NULL)
        atomic_store(slot, f);
    return f;
}

static void resolve_process_fns(void)
{
    next_fn(&next_exit, "_exit");
    next_fn(&next_Exit, "_Exit");
    next_fn(&next_execve, "execve");
    next_fn(&next_execv, "execv");
    next_fn(&next_execvp, "execvp");
    next_fn(&next_execvpe, "execvpe");
    next_fn(&next_fexecve, "fexecve");
    next_fn(&next_execveat, "execveat");
}

typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*execv_fn)(const char *, char *const[]);

/*
 * The exec failed (it returned): profiling goes on in a new stream, errno
 * as the exec left it.  The models on one hop are subscribed anew once the
 * new stream started, so that the runtime numbers their records from 0 as
 * the relay does its own.
 */
static int exec_returned(int held)
{
    int e = errno;
    if (held) {
        pl_relay_exec_failed();
        uint32_t ids[64];
        size_t n = pl_relay_onehop_ids(ids, 64);
        if (n) {
            int nested = in_hook;
            in_hook = 1;
            pl_relay_wait_restarted();
            pthread_rwlock_wrlock(&exec_gate);
            for (size_t i = 0; i < n; i++)
                if (pl_relay_onehop(ids[i])) {
                    unfollow(ids[i], 0);
                    refollow(ids[i], 1);
                }
            pthread_rwlock_unlock(&exec_gate);
            in_hook = nested;
        }
    }
    errno = e;
    return -1;
}

/* --- write: the runtime's writes into the sink on one hop, counted ------------------------- */

static _Atomic(void *) next_write;

EXPORT ssize_t write(int fd, const void *buf, size_t count)
{
    ssize_t (*f)(int, const void *, size_t) = (ssize_t(*)(int, const void *, size_t))atomic_load(&next_write);
    if (!f) {
        f = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
        if (!f)
            return (ssize_t)syscall(SYS_write, fd, buf, count);
        atomic_store(&next_write, (void *)f);
    }
    ssize_t ret;
    if (pl_relay_onehop_write(fd, buf, count, f, &ret))
        return ret;
    return f(fd, buf, count);
}

EXPORT void _exit(int status)
{
    pl_relay_flush_from_signal();
    void (*f)(int) = (void (*)(int))next_fn(&next_exit, "_exit");
    if (f)
        f(status);
    for (;;)
        syscall(SYS_exit_group, status);
}

EXPORT void _Exit(int status)
{
    pl_relay_flush_from_signal();
    void (*f)(int) = (void (*)(int))next_fn(&next_Exit, "_Exit");
    if (f)
        f(status);
    for (;;)
        syscall(SYS_exit_group, status);
}

/* execve with the flush before it; execl and execle come here too. */
static int flushed_execve(const char *path, char *const argv[], char *const envp[])
{
    execve_fn f = (execve_fn)next_fn(&next_execve, "execve");
    int held = pl_relay_before_exec();
    if (f)
        f(path, argv, envp);
    else
        errno = ENOSYS;
    return exec_returned(held);
}

EXPORT int execv(const char *path, char *const argv[])
{
    execv_fn f = (execv_fn)next_fn(&next_execv, "execv");
    int held = pl_relay_before_exec();
    if (f)
        f(path, argv);
    else
        errno = ENOSYS;
    return exec_returned(held);
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    return flushed_execve(path, argv, envp);
}

/* execvp with the flush before it; execlp comes here too. */
static int flushed_execvp(const char *file, char *const argv[])
{
    execv_fn f = (execv_fn)next_fn(&next_execvp, "execvp");
    int held = pl_relay_before_exec();
    if (f)
        f(file, argv);
    else
        errno = ENOSYS;
    return exec_returned(held);
}

EXPORT int execvp(const char *file, char *const argv[])
{
    return flushed_execvp(file, argv);
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    execve_fn f = (execve_fn)next_fn(&next_execvpe, "execvpe");
    int held = pl_relay_before_exec();
    if (f)
        f(file, argv, envp);
    else
        errno = ENOSYS;
    return exec_returned(held);
}

EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
    int (*f)(int, char *const[], char *const[]) =
        (int (*)(int, char *const[], char *const[]))next_fn(&next_fexecve, "fexecve");
    int held = pl_relay_before_exec();
    if (f)
        f(fd, argv, envp);
    else
        errno = ENOSYS;
    return exec_returned(held);
}

EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags)
{
    int (*f)(int, const char *, char *const[], char *const[], int) =
        (int (*)(int, const char *, char *const[], char *const[], int))next_fn(&next_execveat, "execveat");
    int held = pl_relay_before_exec();
    if (f)
        f(dirfd, path, argv, envp, flags);
    else
        errno = ENOSYS;
    return exec_returned(held);
}

/*
 * The execl family builds the argument vector on the stack, as libc does,
 * and goes through the vector forms above (one flush).  Returns the count
 * of arguments after arg0 up to the NULL, for the VLA.
 */
static size_t count_args(va_list ap)
{
    size_t n = 0;
    while (va_arg(ap, const char *) != NULL)
        n++;
    return n;
}

/*
 * The execl family's arguments as an argv: declares va_list AP (left open
 * after the terminating NULL, for execle's envp) and the array ARGV on the
 * caller's stack.
 */
#define EXECL_ARGV(first, ap, argv)                                                                           \
    va_list ap, ap##_count;                                                                                    \
    va_start(ap, first);                                                                                       \
    va_copy(ap##_count, ap);                                                                                   \
    size_t argv##_n = count_args(ap##_count);                                                                  \
    va_end(ap##_count);                                                                                        \
    char *argv[argv##_n + 2];                                                                                  \
    argv[0] = (char *)(first);                                                                                 \
    for (size_t argv##_i = 1; argv##_i <= argv##_n + 1; argv##_i++)                                            \
    argv[argv##_i] = va_arg(ap, char *)

EXPORT int execl(const char *path, const char *arg, ...)
{
    EXECL_ARGV(arg, ap, argv);
    va_end(ap);
    return flushed_execve(path, argv, environ);
}

EXPORT int execle(const char *path, const char *arg, ...)
{
    EXECL_ARGV(arg, ap, argv);
    char *const *envp = va_arg(ap, char *const *);
    va_end(ap);
    return flushed_execve(path, argv, envp);
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
    EXECL_ARGV(arg, ap, argv);
    va_end(ap);
    return flushed_execvp(file, argv);
}

static void at_exit_flush(void)
{
    in_hook = 1;
    for (uint32_t id = 1; id < SEEN_MAX; id++)
        if ((atomic_load(&seen[id / 64]) >> (id % 64)) & 1 && pl_relay_follows(id)) {
            if (resolve(R_UNSUBSCRIBE))
                REAL(R_UNSUBSCRIBE, aclError(*)(uint32_t))(id);
        }
    pl_relay_wait_done(UINT32_MAX, 1);
    pl_relay_finish();
}

static void after_fork_child(void)
{
    const pl_config *c = pl_config_get();
    memset(seen, 0, sizeof seen);
    /* Made anew: another thread of the parent may have held them at the fork. */
    pthread_rwlock_init(&exec_gate, NULL);
    pthread_mutex_init(&cfg_lock, NULL);
    pl_relay_after_fork_child(c->enabled && c->children);
}

/*
 * ACLSUB_CHILDREN=0: programs this one executes run unprofiled.  Only this
 * library leaves LD_PRELOAD; other preloaded libraries stay.
 */
static void drop_self_from_preload(void)
{
    const char *v = getenv("LD_PRELOAD");
    if (!v)
        return;
    char *out = malloc(strlen(v) + 1);
    if (!out)
        return;
    size_t o = 0;
    for (const char *p = v; *p;) {
        size_t n = strcspn(p, ": ");
        const char *base = p + n;
        while (base > p && base[-1] != '/')
            base--;
        static const char me[] = "libaclsub.so";
        int self = (size_t)(p + n - base) == sizeof me - 1 && memcmp(base, me, sizeof me - 1) == 0;
        if (!self && n) {
            if (o)
                out[o++] = ':';
            memcpy(out + o, p, n);
            o += n;
        }
        p += n;
        while (*p == ':' || *p == ' ')
            p++;
    }
    out[o] = '\0';
    if (o)
        setenv("LD_PRELOAD", out, 1);
    else
        unsetenv("LD_PRELOAD");
    free(out);
}

__attribute__((constructor)) static void preload_init(void)
{
    const pl_config *c = pl_config_get();
    pl_fd_protect(pl_log_fd()); /* the program's stderr at load: its close() of it is ignored */
    for (int i = 0; i < R_COUNT; i++)
        resolve(i);
    resolve_process_fns();
    atomic_store(&next_write, dlsym(RTLD_NEXT, "write"));
    if (!c->enabled)
        return;
    if (!c->children)
        drop_self_from_preload();
    pthread_atfork(NULL, NULL, after_fork_child);
    atexit(at_exit_flush);
    install_signal_flush();
}
