/*
 * callback.c - host callbacks on streams: aclrtSubscribeReport,
 * aclrtUnSubscribeReport, aclrtLaunchCallback and aclrtProcessReport, with
 * the vendor's threading.
 *
 * A thread subscribes a stream (threadId is its pthread_t, as the vendor
 * compares it with pthread_self()); one thread may serve several streams,
 * a stream has at most one thread.  aclrtLaunchCallback queues a task on
 * the stream; when the stream's worker reaches it (every earlier task is
 * done) it posts a report for the subscribed thread, and that thread runs
 * fn(userData) inside its aclrtProcessReport.  For ACL_CALLBACK_BLOCK the
 * worker waits until the callback has returned, so the stream's later
 * tasks wait too; for ACL_CALLBACK_NO_BLOCK it goes on at once.
 *
 * Rules: one lock (cb_lock) and one condition (cb_cond, on the monotonic
 * clock) guard the subscriptions and the reports.  No callback runs while
 * cb_lock is held.  Every wait ends: aclrtProcessReport at its timeout
 * (-1 is the caller's choice of none) or when its thread loses its last
 * subscription; a blocked worker when its report has been processed or
 * dropped (unsubscribe, stream destruction).  Reports not yet processed
 * when their stream is unsubscribed or destroyed are dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "shim/emu.h"

enum { REPORT_PENDING, REPORT_DONE, REPORT_DROPPED };

typedef struct cb_sub {
    emu_stream *stream;
    uint64_t thread;
    struct cb_sub *next;
} cb_sub;

typedef struct cb_report {
    uint64_t thread;
    emu_stream *stream;
    aclrtCallback fn;
    void *user;
    int block; /* the worker waits for it and frees it; otherwise whoever takes it off the queue frees it */
    int state;
    struct cb_report *next;
} cb_report;

struct cb_task {
    emu_task task;
    emu_stream *stream;
    aclrtCallback fn;
    void *user;
    int block;
};

static pthread_mutex_t cb_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cb_cond;
static cb_sub *subs;                      /* under cb_lock */
static cb_report *reports, *reports_tail; /* pending, oldest first, under cb_lock */

static void cb_init_cond(void)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&cb_cond, &a);
    pthread_condattr_destroy(&a);
}

/* A child of fork has no stream workers: it forgets the parent's subscriptions and reports. */
static void cb_fork_child(void)
{
    pthread_mutex_init(&cb_lock, NULL);
    cb_init_cond();
    subs = NULL;
    reports = reports_tail = NULL;
}

__attribute__((constructor)) static void cb_setup(void)
{
    cb_init_cond();
    pthread_atfork(NULL, NULL, cb_fork_child);
}

static uint64_t self_id(void)
{
    return (uint64_t)pthread_self();
}

/* --- subscriptions (under cb_lock) ----------------------------------------------------- */

static cb_sub **sub_of_stream(emu_stream *s)
{
    cb_sub **pp = &subs;
    while (*pp && (*pp)->stream != s)
        pp = &(*pp)->next;
    return pp;
}

static int thread_subscribed(uint64_t thread)
{
    for (cb_sub *p = subs; p; p = p->next)
        if (p->thread == thread)
            return 1;
    return 0;
}

/*
 * Takes the stream's pending reports off the queue: a blocking one is
 * marked dropped (its worker frees it), the others are freed.
 */
static void drop_reports_of(emu_stream *s)
{
    cb_report **pp = &reports;
    reports_tail = NULL;
    while (*pp) {
        cb_report *r = *pp;
        if (r->stream != s) {
            reports_tail = r;
            pp = &r->next;
            continue;
        }
        *pp = r->next;
        if (r->block)
            r->state = REPORT_DROPPED;
        else
            free(r);
    }
    pthread_cond_broadcast(&cb_cond);
}

/* A stream argument: ACL_SUCCESS and *out, or the code for no context / a stream of a fork's parent. */
static aclError stream_arg(aclrtStream stream, emu_stream **out)
{
    emu_stream *s = emu_resolve_stream(stream);
    if (!s)
        return ACL_ERROR_RT_CONTEXT_NULL;
    if (!emu_stream_alive(s))
        return ACL_ERROR_RT_PARAM_INVALID;
    *out = s;
    return ACL_SUCCESS;
}

aclError aclrtSubscribeReport(uint64_t threadId, aclrtStream stream)
{
    emu_stream *s;
    aclError rc = stream_arg(stream, &s);
    if (rc != ACL_SUCCESS)
        return rc;
    cb_sub *n = calloc(1, sizeof *n);
    if (!n)
        return ACL_ERROR_BAD_ALLOC;
    n->stream = s;
    n->thread = threadId;
    pthread_mutex_lock(&cb_lock);
    if (*sub_of_stream(s)) {
        pthread_mutex_unlock(&cb_lock);
        free(n);
        return ACL_ERROR_RT_STREAM_SUBSCRIBE;
    }
    n->next = subs;
    subs = n;
    pthread_mutex_unlock(&cb_lock);
    return ACL_SUCCESS;
}

aclError aclrtUnSubscribeReport(uint64_t threadId, aclrtStream stream)
{
    emu_stream *s;
    aclError rc = stream_arg(stream, &s);
    if (rc != ACL_SUCCESS)
        return rc;
    pthread_mutex_lock(&cb_lock);
    cb_sub **pp = sub_of_stream(s);
    cb_sub *found = *pp;
    if (!found)
        rc = ACL_ERROR_RT_STREAM_SUBSCRIBE;
    else if (found->thread != threadId)
        rc = ACL_ERROR_RT_THREAD_SUBSCRIBE;
    else {
        *pp = found->next;
        drop_reports_of(s); /* also wakes a ProcessReport that has nothing left to wait for */
    }
    pthread_mutex_unlock(&cb_lock);
    if (rc == ACL_SUCCESS)
        free(found);
    return rc;
}

void emu_callbacks_forget_stream(emu_stream *s)
{
    pthread_mutex_lock(&cb_lock);
    cb_sub **pp = sub_of_stream(s);
    cb_sub *found = *pp;
    if (found)
        *pp = found->next;
    drop_reports_of(s);
    pthread_mutex_unlock(&cb_lock);
    free(found);
}

/* --- the callback task, on the stream's worker --------------------------------------- */

/* Queues a report for the stream's thread; NULL (nothing queued) when the stream lost its subscription. */
static cb_report *post_report(struct cb_task *x)
{
    cb_sub *sub = *sub_of_stream(x->stream);
    if (!sub)
        return NULL;
    cb_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->thread = sub->thread;
    r->stream = x->stream;
    r->fn = x->fn;
    r->user = x->user;
    r->block = x->block;
    if (reports_tail)
        reports_tail->next = r;
    else
        reports = r;
    reports_tail = r;
    pthread_cond_broadcast(&cb_cond);
    return r;
}

static void run_callback(emu_task *t)
{
    struct cb_task *x = (struct cb_task *)t;
    t->result = ACL_SUCCESS;
    pthread_mutex_lock(&cb_lock);
    cb_report *r = post_report(x);
    if (r && x->block) {
        while (r->state == REPORT_PENDING)
            pthread_cond_wait(&cb_cond, &cb_lock);
        free(r);
    }
    pthread_mutex_unlock(&cb_lock);
}

static void cancel_callback(emu_task *t)
{
    t->result = ACL_SUCCESS; /* dropped with its stream: never reported */
}

aclError aclrtLaunchCallback(aclrtCallback fn, void *userData, aclrtCallbackBlockType blockType, aclrtStream stream)
{
    if (blockType != ACL_CALLBACK_NO_BLOCK && blockType != ACL_CALLBACK_BLOCK)
        return ACL_ERROR_INVALID_PARAM;
    if (!fn)
        return ACL_ERROR_RT_PARAM_INVALID;
    emu_stream *s;
    aclError rc = stream_arg(stream, &s);
    if (rc != ACL_SUCCESS)
        return rc;
    struct cb_task *x = calloc(1, sizeof *x);
    if (!x)
        return ACL_ERROR_BAD_ALLOC;
    x->task.run = run_callback;
    x->task.cancel = cancel_callback;
    x->stream = s;
    x->fn = fn;
    x->user = userData;
    x->block = blockType == ACL_CALLBACK_BLOCK;
    pthread_mutex_lock(&cb_lock);
    int subscribed = *sub_of_stream(s) != NULL;
    pthread_mutex_unlock(&cb_lock);
    if (!subscribed) {
        free(x);
        return ACL_ERROR_RT_STREAM_NO_CB_REG;
    }
    emu_stream_submit(s, &x->task);
    return ACL_SUCCESS;
}

/* --- processing reports, on the subscribed thread ------------------------------------- */

/* The oldest pending report for thread, taken off the queue; NULL if none. */
static cb_report *take_report(uint64_t thread)
{
    cb_report *prev = NULL;
    for (cb_report *r = reports; r; prev = r, r = r->next) {
        if (r->thread != thread)
            continue;
        if (prev)
            prev->next = r->next;
        else
            reports = r->next;
        if (reports_tail == r)
            reports_tail = prev;
        r->next = NULL;
        return r;
    }
    return NULL;
}

static int has_report(uint64_t thread)
{
    for (cb_report *r = reports; r; r = r->next)
        if (r->thread == thread)
            return 1;
    return 0;
}

/*
 * Waits (under cb_lock) until a report for thread is pending: ACL_SUCCESS,
 * ACL_ERROR_RT_REPORT_TIMEOUT at the deadline (timeout_ms > 0), or
 * ACL_ERROR_RT_THREAD_SUBSCRIBE once the thread serves no stream.
 */
static aclError wait_for_report(uint64_t thread, int32_t timeout_ms)
{
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    if (timeout_ms > 0) {
        dl.tv_sec += timeout_ms / 1000;
        dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
    }
    while (!has_report(thread)) {
        if (!thread_subscribed(thread))
            return ACL_ERROR_RT_THREAD_SUBSCRIBE;
        if (timeout_ms < 0)
            pthread_cond_wait(&cb_cond, &cb_lock);
        else if (pthread_cond_timedwait(&cb_cond, &cb_lock, &dl) == ETIMEDOUT && !has_report(thread))
            return ACL_ERROR_RT_REPORT_TIMEOUT;
    }
    return ACL_SUCCESS;
}

/* Runs one report's callback (cb_lock released around it), then releases its worker or frees it. */
static void run_report(cb_report *r)
{
    pthread_mutex_unlock(&cb_lock);
    r->fn(r->user);
    pthread_mutex_lock(&cb_lock);
    if (r->block) {
        r->state = REPORT_DONE;
        pthread_cond_broadcast(&cb_cond);
    } else {
        free(r);
    }
}

aclError aclrtProcessReport(int32_t timeout)
{
    if (timeout == 0 || timeout < -1)
        return ACL_ERROR_INVALID_PARAM;
    uint64_t me = self_id();
    pthread_mutex_lock(&cb_lock);
    aclError rc = thread_subscribed(me) ? wait_for_report(me, timeout) : ACL_ERROR_RT_THREAD_SUBSCRIBE;
    if (rc == ACL_SUCCESS) {
        cb_report *r;
        while ((r = take_report(me)) != NULL)
            run_report(r);
    }
    pthread_mutex_unlock(&cb_lock);
    return rc;
}
