/*
 * sub.c - the subscription API of the emulated device:
 * aclprofCreateSubscribeConfig / DestroySubscribeConfig,
 * aclprofModelSubscribe / UnSubscribe, and the feeds behind them.
 *
 * A feed is one subscriber fd with one writer thread and a bounded queue
 * of encoded record batches.  Device workers encode records and queue
 * them (emu_sub_deliver); the writer writes whole records, at most
 * PIPE_BUF bytes per write(), so they never tear.  A full queue makes the
 * workers wait (a blocking fd loses nothing).  When the reader has closed
 * its end, the write fails with EPIPE; the writer, which blocks every
 * signal, discards the pending SIGPIPE, and from then on records are
 * counted as dropped; one line on stderr reports them when the feed
 * closes.  Several subscriptions may share one feed (one fd); the last one
 * to end flushes the queue and closes the fd.
 *
 * The writer lingers: once woken by a first batch it waits up to
 * FEED_LINGER_NS for more (workers do not wake it meanwhile) and then
 * writes everything queued, so that a model executing in a loop costs one
 * writer wake-up per few executes instead of one each; a full linger batch,
 * an unsubscribe or an unload ends the wait at once.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aclsub/record.h"
#include "shim/emu.h"

#define FEED_QUEUE_MAX 32768 /* records waiting per feed: 16 MiB at 512 bytes */
#define FEED_LINGER_RECORDS 256
#define FEED_LINGER_NS 2000000

struct aclprofSubscribeConfig {
    int8_t time_info;
    aclprofAicoreMetrics metrics;
    int fd; /* copied: the caller's int may go away */
};

struct batch {
    struct batch *next;
    unsigned char *records;
    size_t n;
    size_t rec_size;
};

typedef struct feed {
    int fd;
    int users; /* subscriptions using it; under feeds_lock */
    struct feed *next; /* in the feeds list; under feeds_lock */
    pthread_t writer;
    pthread_mutex_t lock; /* protects everything below */
    pthread_cond_t work;  /* the writer waits for batches */
    pthread_cond_t space; /* workers wait for room in the queue */
    int idle;             /* the writer waits for a first batch: wake it */
    struct batch *head, *tail;
    size_t queued; /* records in the queue and in the writer's hands */
    int closing;
    int dead; /* the reader is gone or the fd failed: drop from now on */
    int error; /* errno of the failure */
    uint64_t written, dropped;
} feed;

struct emu_sub {
    feed *feed;
    uint64_t seq; /* next sequence number; under the model's exec_lock */
};

/* Open feeds by fd, under feeds_lock. */
static pthread_mutex_t feeds_lock = PTHREAD_MUTEX_INITIALIZER;
static feed *feeds;

/* Writes len bytes (whole records, at most PIPE_BUF) or fails with errno. */
static int write_chunk(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            poll(&pfd, 1, 100);
            continue;
        }
        if (n == 0)
            errno = EIO;
        return -1;
    }
    return 0;
}

/* Discards a SIGPIPE raised for this thread by a write to a closed pipe. */
static void discard_sigpipe(void)
{
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
        ;
}

/* Writes one batch; returns the number of records written before a failure. */
static size_t write_batch(feed *k, const struct batch *b, int *err)
{
    size_t done = 0, per_write = PIPE_BUF / b->rec_size;
    while (done < b->n) {
        size_t n = b->n - done;
        if (n > per_write)
            n = per_write;
        if (write_chunk(k->fd, b->records + done * b->rec_size, n * b->rec_size) != 0) {
            *err = errno;
            if (errno == EPIPE)
                discard_sigpipe();
            return done;
        }
        done += n;
    }
    return done;
}

/* Waits, under k->lock, until FEED_LINGER_NS passed, enough records queued, or the feed closes. */
static void feed_linger(feed *k)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += FEED_LINGER_NS;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    while (!k->closing && !k->dead && k->queued < FEED_LINGER_RECORDS)
        if (pthread_cond_timedwait(&k->work, &k->lock, &until) == ETIMEDOUT)
            break;
}

static void *feed_writer(void *arg)
{
    feed *k = arg;
    pthread_mutex_lock(&k->lock);
    for (;;) {
        k->idle = 1;
        while (!k->head && !k->closing)
            pthread_cond_wait(&k->work, &k->lock);
        k->idle = 0;
        if (!k->head)
            break;
        feed_linger(k);
        /* Take everything queued. */
        struct batch *list = k->head;
        k->head = k->tail = NULL;
        int dead = k->dead;
        pthread_mutex_unlock(&k->lock);

        while (list) {
            struct batch *b = list;
            list = b->next;
            size_t done = 0;
            int err = 0;
            if (!dead)
                done = write_batch(k, b, &err);
            pthread_mutex_lock(&k->lock);
            k->written += done;
            k->dropped += b->n - done;
            k->queued -= b->n;
            if (done < b->n && !k->dead) {
                k->dead = 1;
                k->error = err;
            }
            dead = k->dead;
            pthread_cond_broadcast(&k->space);
            pthread_mutex_unlock(&k->lock);
            free(b->records);
            free(b);
        }
        pthread_mutex_lock(&k->lock);
    }
    pthread_mutex_unlock(&k->lock);
    return NULL;
}

static feed *feed_new(int fd)
{
    feed *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->fd = fd;
    pthread_mutex_init(&k->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&k->work, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&k->space, NULL);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&k->writer, NULL, feed_writer, k);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_mutex_destroy(&k->lock);
        pthread_cond_destroy(&k->work);
        pthread_cond_destroy(&k->space);
        free(k);
        return NULL;
    }
    return k;
}

/* Flushes the queue, stops the writer, closes the fd (if close_fd) and reports drops. */
static void feed_close(feed *k, int close_fd)
{
    pthread_mutex_lock(&k->lock);
    k->closing = 1;
    pthread_cond_broadcast(&k->work);
    pthread_mutex_unlock(&k->lock);
    pthread_join(k->writer, NULL);
    if (close_fd)
        close(k->fd);
    if (k->dropped)
        fprintf(stderr,
                "libascendcl: subscription fd %d: %" PRIu64 " of %" PRIu64 " records dropped (%s)\n", k->fd,
                k->dropped, k->dropped + k->written,
                k->error == EPIPE ? "the reader closed the pipe" : strerror(k->error));
    pthread_mutex_destroy(&k->lock);
    pthread_cond_destroy(&k->work);
    pthread_cond_destroy(&k->space);
    free(k);
}

/* The open feed for fd with one more user, created if needed. */
static feed *feed_acquire(int fd)
{
    pthread_mutex_lock(&feeds_lock);
    feed *k = feeds;
    while (k && k->fd != fd)
        k = k->next;
    if (!k) {
        k = feed_new(fd);
        if (k) {
            k->next = feeds;
            feeds = k;
        }
    }
    if (k)
        k->users++;
    pthread_mutex_unlock(&feeds_lock);
    return k;
}

static void feed_release(feed *k, int close_fd)
{
    pthread_mutex_lock(&feeds_lock);
    int last = --k->users == 0;
    if (last) {
        feed **pp = &feeds;
        while (*pp != k)
            pp = &(*pp)->next;
        *pp = k->next;
    }
    pthread_mutex_unlock(&feeds_lock);
    if (last)
        feed_close(k, close_fd);
}

void emu_sub_deliver(emu_sub *s, unsigned char *records, size_t n, size_t rec_size)
{
    feed *k = s->feed;
    struct batch *b = malloc(sizeof *b);
    pthread_mutex_lock(&k->lock);
    while (!k->dead && k->queued > 0 && k->queued + n > FEED_QUEUE_MAX)
        pthread_cond_wait(&k->space, &k->lock);
    if (k->dead || !b) {
        k->dropped += n;
        pthread_mutex_unlock(&k->lock);
        free(records);
        free(b);
        return;
    }
    b->next = NULL;
    b->records = records;
    b->n = n;
    b->rec_size = rec_size;
    if (k->tail)
        k->tail->next = b;
    else
        k->head = b;
    k->tail = b;
    k->queued += n;
    /* A lingering writer is left alone until its batch is worth writing. */
    if (k->idle || k->queued >= FEED_LINGER_RECORDS)
        pthread_cond_signal(&k->work);
    pthread_mutex_unlock(&k->lock);
}

uint64_t emu_sub_take_seq(emu_sub *s, uint64_t n)
{
    uint64_t first = s->seq;
    s->seq += n;
    return first;
}

emu_sub *emu_sub_new(int fd)
{
    emu_sub *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->feed = feed_acquire(fd);
    if (!s->feed) {
        free(s);
        return NULL;
    }
    return s;
}

void emu_sub_end(emu_sub *s)
{
    feed_release(s->feed, 1);
    free(s);
}

/* A subscription that never started: the caller's fd stays open. */
static void sub_discard(emu_sub *s)
{
    feed_release(s->feed, 0);
    free(s);
}

/* --- the AscendCL surface ------------------------------------------------------ */

aclprofSubscribeConfig *aclprofCreateSubscribeConfig(int8_t timeInfoSwitch, aclprofAicoreMetrics aicoreMetrics,
                                                     void *fd)
{
    if (!fd || (timeInfoSwitch != 0 && timeInfoSwitch != 1))
        return NULL;
    aclprofSubscribeConfig *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->time_info = timeInfoSwitch;
    c->metrics = aicoreMetrics;
    c->fd = *(const int *)fd;
    return c;
}

aclError aclprofDestroySubscribeConfig(const aclprofSubscribeConfig *profSubscribeConfig)
{
    if (!profSubscribeConfig)
        return ACL_ERROR_INVALID_PARAM;
    free((void *)profSubscribeConfig);
    return ACL_SUCCESS;
}

aclError aclprofModelSubscribe(uint32_t modelId, const aclprofSubscribeConfig *profSubscribeConfig)
{
    /* As the vendor: the model id is checked before the config. */
    emu_model *m = emu_model_get(modelId);
    if (!m)
        return ACL_ERROR_INVALID_MODEL_ID;
    aclError rc = ACL_SUCCESS;
    const aclprofSubscribeConfig *c = profSubscribeConfig;
    if (!c || c->fd < 0 || (c->time_info == 0 && c->metrics == ACL_AICORE_NONE)) {
        rc = ACL_ERROR_INVALID_PARAM;
    } else {
        emu_sub *s = emu_sub_new(c->fd);
        if (!s)
            rc = ACL_ERROR_BAD_ALLOC;
        else if (emu_model_attach_sub(m, s) != 0) {
            sub_discard(s);
            rc = ACL_ERROR_PROF_REPEAT_SUBSCRIBE;
        }
    }
    emu_model_put(m);
    return rc;
}

aclError aclprofModelUnSubscribe(uint32_t modelId)
{
    emu_model *m = emu_model_get(modelId);
    if (!m)
        return ACL_ERROR_INVALID_MODEL_ID;
    emu_sub *s = emu_model_detach_sub(m);
    emu_model_put(m);
    if (!s)
        return ACL_ERROR_INVALID_MODEL_ID;
    emu_sub_end(s);
    return ACL_SUCCESS;
}
