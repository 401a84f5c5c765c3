/*
 * sub.c - subscriptions on the emulated device: the subscribe configs
 * (aclprofCreateSubscribeConfig / DestroySubscribeConfig) and the writers
 * behind subscriptions.  Which model a subscription belongs to is model.c's
 * business (aclprofModelSubscribe / UnSubscribe live there); nothing here
 * knows models.
 *
 * A writer is one subscriber fd with one writer thread and a bounded queue
 * of executes' measurements.  Device workers only store what they measured
 * (operator start and end times, emu_times) and queue it (emu_sub_deliver);
 * the writer builds the records (type, name and name hash from the model's
 * operator table, made at load; the CRC) a write's worth at a time and
 * writes whole records: into a pipe or FIFO as much as it has room for, at
 * least PIPE_BUF bytes and at most PIPE_CHUNK per write(), so that a
 * write never waits on a reader that stopped reading and records never
 * tear, and FILE_CHUNK bytes into a regular file, where
 * O_APPEND places each write whole and fewer, larger writes cost less.  A full queue makes the
 * workers wait (a blocking fd loses nothing).  When the reader has closed
 * its end, the write fails with EPIPE; the writer, which blocks every
 * signal, discards the pending SIGPIPE, and from then on records are
 * counted as dropped; one line on stderr reports them when the writer
 * closes.  Several subscriptions may share one writer (one fd); the last one
 * to end flushes the queue and closes the fd.
 *
 * The writer lingers: once woken by a first batch it waits up to
 * WRITER_LINGER_NS for more (workers do not wake it meanwhile) and then
 * writes everything queued, so that a model executing in a loop costs one
 * writer wake-up per few executes instead of one each; a full linger batch,
 * an unsubscribe or an unload ends the wait at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "aclsub/emu_private.h"
#include "aclsub/record.h"
#include "decoder/record/encode.h"
#include "shim/emu.h"

#define WRITER_QUEUE_MAX 32768 /* records waiting per writer: 16 MiB at 512 bytes */
#define WRITER_LINGER_RECORDS 256
#define WRITER_LINGER_NS 2000000
#define FILE_CHUNK (1024 * 1024) /* bytes per write() into a regular file: O_APPEND places each write whole, and
                                    * large writes fill the page cache in large folios (a third of the cost) */
#define WRITER_NICE 10 /* the writer thread's nice value (writer_lower_priority) */
#define PIPE_CHUNK (64 * 1024)  /* bytes per write() into a pipe or FIFO at most, as much as it has room for */

struct aclprofSubscribeConfig {
    int8_t time_info;
    aclprofAicoreMetrics metrics;
    int fd; /* copied: the caller's int may go away */
};

struct batch {
    struct batch *next;
    emu_times *x;
    size_t n; /* records: x->ops->n */
};

typedef struct writer {
    int fd;
    size_t chunk; /* bytes per write() at most: FILE_CHUNK into a regular file, PIPE_CHUNK into a pipe, else PIPE_BUF */
    int pipe;     /* fd is a pipe or FIFO: each write() takes what it has room for (pipe_room) */
    unsigned char *buf; /* chunk bytes: the records being built; the writer thread's */
    int users; /* subscriptions using it; under writers_lock */
    struct writer *next; /* in the writers list; under writers_lock */
    pthread_t thread; /* the writer thread */
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
} writer;

struct emu_sub {
    writer *w; /* shared by the subscriptions of one fd */
    int joined; /* it takes part in the settings (not the interposer's own) */
    uint64_t seq; /* next sequence number; under the model's exec_lock */
};

/* Open writers by fd, under writers_lock. */
static pthread_mutex_t writers_lock = PTHREAD_MUTEX_INITIALIZER;
static writer *writers;

/*
 * The settings every subscription of the device shares, as the vendor's
 * profiler has one configuration per device: the first subscription sets
 * them, the others must match, the last to end clears them.  Under
 * settings_lock.
 */
static pthread_mutex_t settings_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned settings_users;
static int settings_time_info;
static aclprofAicoreMetrics settings_metrics;

/* A child of fork has no writer threads: it forgets the parent's writers (runtime.c, fork). */
static void writers_fork_child(void)
{
    pthread_mutex_init(&writers_lock, NULL);
    writers = NULL;
    pthread_mutex_init(&settings_lock, NULL);
    settings_users = 0;
}

__attribute__((constructor)) static void writers_register_fork(void)
{
    pthread_atfork(NULL, NULL, writers_fork_child);
}

/*
 * How long a writer waits for a subscriber that reads nothing before it
 * gives up and counts the rest as dropped: ACLSUB_STALL_MS (default 5000,
 * 1..3600000), read once.  A reader that makes any progress resets the
 * wait; only a reader that stopped reading altogether loses records, so
 * unload and finalize, which flush, never wait forever.
 */
#define STALL_MS_DEFAULT 5000
static pthread_once_t stall_once = PTHREAD_ONCE_INIT;
static int stall_ms = STALL_MS_DEFAULT; /* written once, under stall_once */

static void stall_read_env(void)
{
    const char *v = getenv("ACLSUB_STALL_MS");
    if (!v)
        return;
    char *end;
    errno = 0;
    long ms = strtol(v, &end, 10);
    if (errno || end == v || *end || ms < 1 || ms > 3600000) {
        fprintf(stderr, "libascendcl: ACLSUB_STALL_MS=%s: not a number of milliseconds in 1..3600000; using %d\n",
                v, STALL_MS_DEFAULT);
        return;
    }
    stall_ms = (int)ms;
}

static int stall_limit_ms(void)
{
    pthread_once(&stall_once, stall_read_env);
    return stall_ms;
}

/*
 * Waits until fd takes a write: 0, or -1 with errno ETIMEDOUT (nothing was
 * read for the stall limit) or EBADF (the descriptor is no longer open).
 */
static int wait_writable(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};
    int rc;
    while ((rc = poll(&pfd, 1, stall_limit_ms())) < 0 && errno == EINTR)
        ;
    if (rc == 0) {
        errno = ETIMEDOUT;
        return -1;
    }
    if (rc > 0 && (pfd.revents & POLLNVAL)) {
        errno = EBADF;
        return -1;
    }
    return 0; /* writable, or an error the write will report (EPIPE on POLLERR) */
}

/*
 * Of len bytes for a pipe or FIFO, what one write() takes without waiting:
 * the free room, in whole records of rec bytes, and at least PIPE_BUF's
 * worth (poll's POLLOUT promises that much).  Larger writes than PIPE_BUF
 * wake the reader less often; Linux splits a pipe write only at page
 * boundaries, so that records of several writers, each writing whole
 * records, never tear.
 */
static size_t pipe_room(int fd, size_t len, size_t rec)
{
    int used = 0, cap = fcntl(fd, F_GETPIPE_SZ);
    size_t room = PIPE_BUF;
    if (cap > 0 && ioctl(fd, FIONREAD, &used) == 0 && used >= 0 && cap - used > PIPE_BUF)
        room = (size_t)(cap - used);
    room = room / rec * rec;
    return len < room ? len : room;
}

/* Writes len bytes (whole records of rec bytes, at most the writer's chunk) or fails with errno. */
static int write_chunk(const writer *k, const unsigned char *p, size_t len, size_t rec)
{
    int fd = k->fd;
    while (len > 0) {
        if (wait_writable(fd) < 0)
            return -1;
        ssize_t n = write(fd, p, k->pipe ? pipe_room(fd, len, rec) : len);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
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

/* --- operator tables and measurements ------------------------------------------- */

void emu_optable_ref(emu_optable *t)
{
    __atomic_fetch_add(&t->refs, 1, __ATOMIC_RELAXED);
}

void emu_optable_put(emu_optable *t)
{
    if (t && __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0)
        free(t);
}

emu_times *emu_times_new(emu_optable *ops)
{
    emu_times *x = malloc(sizeof *x + 2 * (size_t)(ops->n - 1) * sizeof x->t[0]);
    if (!x)
        return NULL;
    emu_optable_ref(ops);
    x->ops = ops;
    return x;
}

void emu_times_free(emu_times *x)
{
    if (!x)
        return;
    emu_optable_put(x->ops);
    free(x);
}

/* Builds records first .. first + n - 1 of execute x into dst, in the selected format. */
static void encode_records(const emu_times *x, size_t first, size_t n, unsigned char *dst, size_t rec_size, int vendor)
{
    uint32_t n_ops = x->ops->n - 1;
    aclsub_rec r = {0};
    r.model_id = x->model_id;
    r.thread_id = x->thread_id;
    r.pid = x->pid;
    r.stream_id = x->stream_id;
    r.iteration = x->iteration;
    for (size_t j = 0; j < n; j++) {
        size_t i = first + j;
        const emu_opinfo *o = &x->ops->op[i];
        if (i < n_ops) {
            r.kind = ACLSUB_KIND_OP;
            r.flag = ACL_SUBSCRIBE_OP;
            r.start = x->t[2 * i];
            r.end = x->t[2 * i + 1];
        } else {
            r.kind = ACLSUB_KIND_RUN;
            r.flag = ACL_SUBSCRIBE_SUBGRAPH;
            r.start = n_ops ? x->t[0] : 0;
            r.end = n_ops ? x->t[2 * (size_t)n_ops - 1] : 0;
        }
        r.op_index = i;
        r.duration = r.exec_time = r.end - r.start;
        r.seq = x->seq + i;
        r.type = o->type;
        r.type_len = o->type_len;
        r.name = o->name;
        r.name_len = o->name_len;
        if (vendor)
            emu_vendor_encode(dst + j * rec_size, &r);
        else
            rec_encode_tmpl(dst + j * rec_size, &r, &o->tmpl);
    }
}

/* Encodes and writes one batch; returns the number of records written before a failure. */
static size_t write_batch(writer *k, const struct batch *b, int *err)
{
    unsigned char *buf = k->buf;
    int vendor = emu_vendor_records();
    size_t rec_size = emu_record_size();
    size_t done = 0, per_write = k->chunk / rec_size;
    while (done < b->n) {
        size_t n = b->n - done;
        if (n > per_write)
            n = per_write;
        encode_records(b->x, done, n, buf, rec_size, vendor);
        if (write_chunk(k, buf, n * rec_size, rec_size) != 0) {
            *err = errno;
            if (errno == EPIPE)
                discard_sigpipe();
            return done;
        }
        done += n;
    }
    return done;
}

/* Waits, under k->lock, until WRITER_LINGER_NS passed, enough records queued, or the writer closes. */
static void writer_linger(writer *k)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += WRITER_LINGER_NS;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    while (!k->closing && !k->dead && k->queued < WRITER_LINGER_RECORDS)
        if (pthread_cond_timedwait(&k->work, &k->lock, &until) == ETIMEDOUT)
            break;
}

/*
 * The writer runs at a lower priority (nice WRITER_NICE) than the device
 * workers and the program: on a machine whose cores the model keeps busy it
 * takes the idle moments, not the execute's time.  It cannot starve: when
 * its queue is full the workers wait for it, and a waiting worker leaves
 * its core to the writer.
 */
static void writer_lower_priority(void)
{
    pid_t tid = (pid_t)syscall(SYS_gettid);
    int now = getpriority(PRIO_PROCESS, (id_t)tid);
    if (now < WRITER_NICE)
        setpriority(PRIO_PROCESS, (id_t)tid, WRITER_NICE); /* best effort */
}

static void *writer_thread(void *arg)
{
    writer *k = arg;
    writer_lower_priority();
    pthread_mutex_lock(&k->lock);
    for (;;) {
        k->idle = 1;
        while (!k->head && !k->closing)
            pthread_cond_wait(&k->work, &k->lock);
        k->idle = 0;
        if (!k->head)
            break;
        writer_linger(k);
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
            emu_times_free(b->x);
            free(b);
        }
        pthread_mutex_lock(&k->lock);
    }
    pthread_mutex_unlock(&k->lock);
    return NULL;
}

static writer *writer_new(int fd)
{
    writer *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->fd = fd;
    struct stat st;
    int got = fstat(fd, &st) == 0;
    k->pipe = got && S_ISFIFO(st.st_mode);
    k->chunk = got && S_ISREG(st.st_mode) ? FILE_CHUNK : k->pipe ? PIPE_CHUNK : PIPE_BUF;
    if (!(k->buf = malloc(k->chunk))) {
        free(k);
        return NULL;
    }
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
    int rc = pthread_create(&k->thread, NULL, writer_thread, k);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_mutex_destroy(&k->lock);
        pthread_cond_destroy(&k->work);
        pthread_cond_destroy(&k->space);
        free(k->buf);
        free(k);
        return NULL;
    }
    return k;
}

/* Flushes the queue, stops the writer, closes the fd (if close_fd) and reports drops. */
static void writer_close(writer *k, int close_fd)
{
    pthread_mutex_lock(&k->lock);
    k->closing = 1;
    pthread_cond_broadcast(&k->work);
    pthread_mutex_unlock(&k->lock);
    pthread_join(k->thread, NULL);
    if (close_fd)
        close(k->fd);
    if (k->dropped)
        fprintf(stderr,
                "libascendcl: subscription fd %d: %" PRIu64 " of %" PRIu64 " records dropped (%s)\n", k->fd,
                k->dropped, k->dropped + k->written,
                k->error == EPIPE       ? "the reader closed the pipe"
                : k->error == ETIMEDOUT ? "the reader read nothing for ACLSUB_STALL_MS"
                                        : strerror(k->error));
    pthread_mutex_destroy(&k->lock);
    pthread_cond_destroy(&k->work);
    pthread_cond_destroy(&k->space);
    free(k->buf);
    free(k);
}

/* The open writer for fd with one more user, created if needed. */
static writer *writer_acquire(int fd)
{
    pthread_mutex_lock(&writers_lock);
    writer *k = writers;
    while (k && k->fd != fd)
        k = k->next;
    if (!k) {
        k = writer_new(fd);
        if (k) {
            k->next = writers;
            writers = k;
        }
    }
    if (k)
        k->users++;
    pthread_mutex_unlock(&writers_lock);
    return k;
}

static void writer_release(writer *k, int close_fd)
{
    pthread_mutex_lock(&writers_lock);
    int last = --k->users == 0;
    if (last) {
        writer **pp = &writers;
        while (*pp != k)
            pp = &(*pp)->next;
        *pp = k->next;
    }
    pthread_mutex_unlock(&writers_lock);
    if (last)
        writer_close(k, close_fd);
}

void emu_sub_deliver(emu_sub *s, emu_times *x)
{
    writer *k = s->w;
    size_t n = x->ops->n;
    struct batch *b = malloc(sizeof *b);
    pthread_mutex_lock(&k->lock);
    while (!k->dead && k->queued > 0 && k->queued + n > WRITER_QUEUE_MAX)
        pthread_cond_wait(&k->space, &k->lock);
    if (k->dead || !b) {
        k->dropped += n;
        pthread_mutex_unlock(&k->lock);
        emu_times_free(x);
        free(b);
        return;
    }
    b->next = NULL;
    b->x = x;
    b->n = n;
    if (k->tail)
        k->tail->next = b;
    else
        k->head = b;
    k->tail = b;
    k->queued += n;
    /* A lingering writer is left alone until its batch is worth writing. */
    if (k->idle || k->queued >= WRITER_LINGER_RECORDS)
        pthread_cond_signal(&k->work);
    pthread_mutex_unlock(&k->lock);
}

uint64_t emu_sub_take_seq(emu_sub *s, uint64_t n)
{
    uint64_t first = s->seq;
    s->seq += n;
    return first;
}

static emu_sub *emu_sub_new(int fd)
{
    emu_sub *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->w = writer_acquire(fd);
    if (!s->w) {
        free(s);
        return NULL;
    }
    return s;
}

static aclError settings_join(const aclprofSubscribeConfig *c)
{
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&settings_lock);
    if (settings_users == 0) {
        settings_time_info = c->time_info != 0;
        settings_metrics = c->metrics;
    } else if (settings_time_info != (c->time_info != 0) || settings_metrics != c->metrics) {
        rc = ACL_ERROR_INVALID_PROFILING_CONFIG;
    }
    if (rc == ACL_SUCCESS)
        settings_users++;
    pthread_mutex_unlock(&settings_lock);
    return rc;
}

static void settings_leave(void)
{
    pthread_mutex_lock(&settings_lock);
    if (settings_users > 0)
        settings_users--;
    pthread_mutex_unlock(&settings_lock);
}

void emu_sub_end(emu_sub *s)
{
    writer_release(s->w, 1);
    if (s->joined)
        settings_leave();
    free(s);
}

/* A subscription that never started: the caller's fd stays open. */
void emu_sub_discard(emu_sub *s)
{
    writer_release(s->w, 0);
    if (s->joined)
        settings_leave();
    free(s);
}

aclError emu_sub_open(const aclprofSubscribeConfig *c, int join, emu_sub **out)
{
    *out = NULL;
    if (!c || c->fd < 0 || (c->time_info == 0 && c->metrics == ACL_AICORE_NONE))
        return ACL_ERROR_INVALID_PARAM;
    aclError rc = join ? settings_join(c) : ACL_SUCCESS;
    if (rc != ACL_SUCCESS)
        return rc;
    if (!(*out = emu_sub_new(c->fd))) {
        if (join)
            settings_leave();
        return ACL_ERROR_BAD_ALLOC;
    }
    (*out)->joined = join;
    return ACL_SUCCESS;
}

aclError aclsubEmuSubscribeSettings(const aclprofSubscribeConfig *profSubscribeConfig)
{
    if (!profSubscribeConfig) {
        settings_leave();
        return ACL_SUCCESS;
    }
    return settings_join(profSubscribeConfig);
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
