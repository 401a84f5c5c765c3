/*
 * relay.c - the relay thread of libaclsub.so.
 *
 * Each model the library subscribes writes into its own pipe (the runtime's
 * writer thread writes whole records).  The relay thread polls those pipes,
 * copies every record unchanged to the program's own subscription fd when
 * the program subscribed the model too, applies the operator filters, and
 * queues what passes in a ring of ACLSUB_BUFFER records, from which it
 * writes to the sink in writes of at most PIPE_BUF bytes, never splitting a
 * record.  Control records (stream start, records lost, stream end) are
 * queued alongside.
 *
 * When the ring is full: with `block` the relay stops reading the pipes, so
 * the runtime, and with it the program, waits; with `drop` it keeps reading
 * and counts what it discards, then queues a records-lost record.  Every
 * record is either delivered or counted: delivered + dropped = produced.
 *
 * Over a runtime whose records are the vendor's (80 bytes, names readable
 * once, in this process only), the relay reads each record's fields and
 * names through the runtime's accessors and re-emits it as a
 * self-describing aclsub record; the program's own fd still gets the
 * runtime's bytes unchanged.
 *
 * A model's pipe reaching end of file means the runtime ended its
 * subscription (unsubscribe, unload, finalize) and flushed everything; that
 * is the moment the library's waiters are released.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "aclsub/record.h"
#include "preload/preload.h"
#include "decoder/record/reader.h"

#define REC ACLSUB_REC_SIZE
#define READ_CHUNK (256 * 1024)
#define WRITE_MAX (PIPE_BUF / REC)        /* records per write() to a FIFO or pipe sink */
#define FILE_WRITE_MAX 128                /* records per write() to a regular file */
#define PIPE_SIZE (1 << 20)               /* bytes the model pipes and a FIFO sink hold */
#define WAIT_STALL_NS (5ull * 1000000000) /* give up waiting after this long without progress */

typedef struct pl_model {
    uint32_t id;
    int rfd;  /* read end; -1 once at end of file */
    int wfd;  /* write end, held by the runtime */
    int app_fd; /* the program's own subscription fd, or -1 */
    int app_dead;
    uint64_t app_dropped, app_written;
    unsigned char carry[REC];
    size_t carry_len;
    uint64_t seq, iteration, op_index; /* for records re-encoded from vendor records */
    struct pl_model *next;
} pl_model;

/*
 * Relay state.  rl_lock protects the model list, the flags and the
 * counters; the ring's contents and the sink fd belong to the relay
 * thread; head and tail are atomic so that a signal handler can read them.
 */
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rl_cond = PTHREAD_COND_INITIALIZER;
static int rl_started, rl_failed, rl_stop, rl_thread_live;
static pthread_t rl_thread;
static int rl_wake[2] = {-1, -1};
static pl_model *rl_models;
static unsigned char *ring;
static size_t ring_cap;
static _Atomic size_t ring_head, ring_tail; /* records ever queued / ever written */
static _Atomic int sink_fd = -1;
static int sink_kind, sink_pending, sink_dead;
static int reader_left;  /* a FIFO reader came and went: drop until the next one */
static int rl_abandon;   /* at exit: stop even though pipes or the ring are not drained */
static uint64_t produced, dropped, lost_unreported, models_followed;
static uint64_t progress; /* bumps whenever the relay moves data */
static pl_accessors acc;  /* set before the relay starts */
static size_t in_size = REC; /* bytes per runtime record, from the runtime */

void pl_relay_set_accessors(const pl_accessors *a)
{
    acc = *a;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void wake_relay(void)
{
    if (rl_wake[1] >= 0) {
        ssize_t w = write(rl_wake[1], "x", 1);
        (void)w;
    }
}

static size_t ring_used(void)
{
    return atomic_load(&ring_head) - atomic_load(&ring_tail);
}

/* Queues one record (the caller checked there is room). */
static void ring_push(const unsigned char *rec)
{
    size_t h = atomic_load(&ring_head);
    memcpy(ring + (h % ring_cap) * REC, rec, REC);
    atomic_store(&ring_head, h + 1);
}

/* Operator and whole-run records among the queued ones (control records are not counted as dropped). */
static uint64_t ring_data_records(void)
{
    uint64_t n = 0;
    for (size_t t = atomic_load(&ring_tail), h = atomic_load(&ring_head); t < h; t++) {
        rec_brief b;
        rec_peek(ring + (t % ring_cap) * REC, &b);
        n += b.kind < ACLSUB_KIND_STREAM_START;
    }
    return n;
}

/* --- control records ------------------------------------------------------------- */

static void control_record(unsigned char *out, uint8_t kind, const char *type, const char *text,
                           const uint64_t arg[4])
{
    aclsub_rec r = {0};
    r.kind = kind;
    r.model_id = ACLSUB_CONTROL_MODEL_ID;
    r.flag = ACL_SUBSCRIBE_NONE;
    r.pid = (uint32_t)getpid();
    r.thread_id = (uint32_t)syscall(SYS_gettid);
    r.start = r.end = now_ns();
    for (int i = 0; i < 4; i++)
        r.arg[i] = arg[i];
    r.type = type;
    r.type_len = strlen(type);
    r.name = text;
    r.name_len = strlen(text);
    aclsub_rec_encode(out, &r);
}

static void read_cmdline(char *out, size_t cap)
{
    out[0] = '\0';
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, out, cap - 1);
    syscall(SYS_close, fd);
    if (n <= 0)
        return;
    for (ssize_t i = 0; i < n; i++)
        if (out[i] == '\0')
            out[i] = ' ';
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

static void push_stream_start(void)
{
    char host[256] = "localhost", cmd[512], text[1024];
    gethostname(host, sizeof host - 1);
    read_cmdline(cmd, sizeof cmd);
    snprintf(text, sizeof text, "host=%s clock=monotonic cmd=%s", host, cmd);
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    uint64_t arg[4] = {(uint64_t)getppid(), CLOCK_MONOTONIC,
                       (uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec, 0};
    unsigned char rec[REC];
    control_record(rec, ACLSUB_KIND_STREAM_START, ACLSUB_TYPE_STREAM_START, text, arg);
    ring_push(rec);
}

/* Under rl_lock, with room for one record. */
static void push_lost_notice(void)
{
    char text[96];
    snprintf(text, sizeof text, "lost=%" PRIu64 " total=%" PRIu64, lost_unreported, dropped);
    uint64_t arg[4] = {lost_unreported, dropped, 0, 0};
    unsigned char rec[REC];
    control_record(rec, ACLSUB_KIND_LOST, ACLSUB_TYPE_LOST, text, arg);
    ring_push(rec);
    lost_unreported = 0;
}

/* --- records from the runtime ------------------------------------------------------- */

static int passes_filters(const pl_config *c, const unsigned char *rec)
{
    if (!c->op_types && !c->op_names)
        return 1;
    /* rec is an aclsub record here (translated if need be): read it with our own reader. */
    aclsub_rec_view *v = malloc(sizeof *v);
    int pass = 1;
    if (v && aclsub_rec_get(rec, REC, 0, v) == ACL_SUCCESS && v->kind == ACLSUB_KIND_OP)
        pass = pl_globs_match(c->op_types, v->type) && pl_globs_match(c->op_names, v->name);
    free(v);
    return pass;
}

/* Blocking write of whole records to the program's fd; SIGPIPE is blocked in this thread. */
static void write_app(pl_model *m, const unsigned char *p, size_t len)
{
    if (m->app_fd < 0)
        return;
    if (m->app_dead) {
        m->app_dropped += len / in_size;
        return;
    }
    size_t off = 0, per_write = PIPE_BUF / in_size * in_size;
    while (off < len) {
        size_t n = len - off > per_write ? per_write : len - off;
        ssize_t w = write(m->app_fd, p + off, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN) {
            struct pollfd pfd = {.fd = m->app_fd, .events = POLLOUT};
            poll(&pfd, 1, 100);
            continue;
        }
        if (w <= 0) {
            m->app_dead = 1;
            m->app_dropped += (len - off) / in_size;
            sigset_t ps;
            sigemptyset(&ps);
            sigaddset(&ps, SIGPIPE);
            struct timespec zero = {0, 0};
            while (sigtimedwait(&ps, NULL, &zero) == SIGPIPE)
                ;
            return;
        }
        off += (size_t)w;
        m->app_written += (size_t)w / in_size;
    }
}

/* One of the runtime's accessors' strings, into buf (cap bytes); "" if it cannot be had. */
static const char *vendor_string(aclError (*len_fn)(const void *, size_t, uint32_t, size_t *),
                                 aclError (*get)(const void *, size_t, uint32_t, char *, size_t),
                                 const unsigned char *rec, char *buf, size_t cap, char **heap)
{
    size_t n = 0;
    if (!len_fn || !get || len_fn(rec, in_size, 0, &n) != ACL_SUCCESS || n == 0)
        return "";
    char *dst = buf;
    if (n > cap) {
        dst = *heap = malloc(n);
        if (!dst)
            return "";
    }
    return get(rec, in_size, 0, dst, n) == ACL_SUCCESS ? dst : "";
}

/* Re-emits a vendor record as an aclsub record, reading it through the runtime's accessors. */
static void translate(pl_model *m, const unsigned char *in, unsigned char *out)
{
    char type_buf[128], name_buf[512], *type_heap = NULL, *name_heap = NULL;
    aclsub_rec r = {0};
    r.type = vendor_string(acc.type_len, acc.type, in, type_buf, sizeof type_buf, &type_heap);
    r.name = vendor_string(acc.name_len, acc.name, in, name_buf, sizeof name_buf, &name_heap);
    r.type_len = strlen(r.type);
    r.name_len = strlen(r.name);
    r.flag = acc.flag ? (uint32_t)acc.flag(in, in_size, 0) : ACL_SUBSCRIBE_OP;
    r.kind = r.flag == ACL_SUBSCRIBE_SUBGRAPH ? ACLSUB_KIND_RUN : ACLSUB_KIND_OP;
    r.model_id = acc.model_id ? (uint32_t)acc.model_id(in, in_size, 0) : m->id;
    r.start = acc.start ? acc.start(in, in_size, 0) : 0;
    r.end = acc.end ? acc.end(in, in_size, 0) : 0;
    r.duration = r.exec_time = acc.duration ? acc.duration(in, in_size, 0) : 0;
    const char *tid = acc.attri ? acc.attri(in, in_size, 0, ACL_SUBSCRIBE_ATTRI_THREADID) : NULL;
    r.thread_id = tid ? (uint32_t)strtoul(tid, NULL, 10) : 0;
    r.pid = (uint32_t)getpid();
    r.seq = m->seq++;
    r.iteration = m->iteration;
    r.op_index = r.kind == ACLSUB_KIND_RUN ? m->op_index : m->op_index++;
    if (r.kind == ACLSUB_KIND_RUN) {
        m->iteration++;
        m->op_index = 0;
    }
    aclsub_rec_encode(out, &r);
    free(type_heap);
    free(name_heap);
}

/* Takes whole records from a model's pipe: program fan-out, filters, ring. Under rl_lock. */
static void take_records(const pl_config *c, pl_model *m, const unsigned char *p, size_t len)
{
    unsigned char translated[REC];
    write_app(m, p, len);
    for (size_t off = 0; off + in_size <= len; off += in_size) {
        const unsigned char *rec = p + off;
        if (in_size != REC) {
            translate(m, rec, translated);
            rec = translated;
        }
        if (!passes_filters(c, rec))
            continue;
        produced++;
        size_t need = lost_unreported ? 2 : 1;
        if (sink_dead || ring_cap - ring_used() < need) {
            dropped++;
            lost_unreported++;
            continue;
        }
        if (lost_unreported)
            push_lost_notice();
        ring_push(rec);
    }
}

/* Reads what a model's pipe has: 2 read some, 1 nothing there now, 0 end of file. Under rl_lock. */
static int read_model(const pl_config *c, pl_model *m, unsigned char *buf, size_t max)
{
    memcpy(buf, m->carry, m->carry_len);
    ssize_t n = read(m->rfd, buf + m->carry_len, max - m->carry_len);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK ? 1 : 0;
    if (n == 0)
        return 0;
    size_t have = m->carry_len + (size_t)n, whole = have / in_size * in_size;
    take_records(c, m, buf, whole);
    m->carry_len = have - whole;
    memcpy(m->carry, buf + whole, m->carry_len);
    progress++;
    return 2;
}

/* --- the sink ------------------------------------------------------------------------ */

static void sink_close_fd(void)
{
    int fd = atomic_exchange(&sink_fd, -1);
    if (fd >= 0) {
        pl_fd_unprotect(fd);
        syscall(SYS_close, fd);
    }
}

/*
 * Writes queued records: at most PIPE_BUF bytes per write() to a FIFO or
 * pipe, so that records from several writers never interleave; larger
 * writes to a regular file (O_APPEND places each write whole).  Returns 1
 * if it wrote something.  Under rl_lock.
 */
static int write_sink(void)
{
    int fd = atomic_load(&sink_fd);
    size_t t = atomic_load(&ring_tail), h = atomic_load(&ring_head);
    if (fd < 0 || t == h)
        return 0;
    size_t n = h - t, slot = t % ring_cap, max = sink_kind == SINK_FILE ? FILE_WRITE_MAX : WRITE_MAX;
    if (n > max)
        n = max;
    if (n > ring_cap - slot)
        n = ring_cap - slot; /* no wrap inside one write */
    ssize_t w = write(fd, ring + slot * REC, n * REC);
    if (w > 0) {
        /* Pipes take all or nothing below PIPE_BUF; files may take less. */
        size_t done = (size_t)w / REC;
        if ((size_t)w % REC) {
            /* Finish the record we started so that no record is split. */
            size_t rest = REC - (size_t)w % REC;
            const unsigned char *p = ring + slot * REC + (size_t)w;
            while (rest > 0) {
                ssize_t x = write(fd, p, rest);
                if (x < 0 && errno == EINTR)
                    continue;
                if (x <= 0)
                    break;
                p += x;
                rest -= (size_t)x;
            }
            done++;
        }
        atomic_store(&ring_tail, t + done);
        progress++;
        return 1;
    }
    if (w < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (w < 0 && errno == EPIPE && sink_kind == SINK_FIFO) {
        /* The reader went away: wait for the next one. */
        sigset_t ps;
        sigemptyset(&ps);
        sigaddset(&ps, SIGPIPE);
        struct timespec zero = {0, 0};
        while (sigtimedwait(&ps, NULL, &zero) == SIGPIPE)
            ;
        sink_close_fd();
        sink_pending = 1;
        reader_left = 1;
        pl_log(LOG_INFO, "aclsub: the FIFO's reader left; records are dropped until a new reader opens it");
        return 0;
    }
    pl_log(LOG_WARN, "aclsub: writing to the sink failed: %s; records from now on are dropped",
           strerror(errno));
    sink_close_fd();
    sink_dead = 1;
    dropped += ring_data_records();
    atomic_store(&ring_tail, h);
    return 0;
}

/* --- the thread ------------------------------------------------------------------------- */

/*
 * Whether a full ring holds back the runtime.  `block` holds while a reader
 * is attached, or before the first one came; once a FIFO's reader has left,
 * waiting could hang the program for good, so records are dropped (and
 * counted) until a new reader opens the FIFO.
 */
static int blocking(const pl_config *c)
{
    return c->on_full_block && !sink_dead && !reader_left;
}

static void *relay_main(void *arg)
{
    (void)arg;
    const pl_config *c = pl_config_get();
    unsigned char *buf = malloc(READ_CHUNK);
    struct pollfd *pfd = NULL;
    size_t pfd_cap = 0;
    pthread_mutex_lock(&rl_lock);
    for (;;) {
        if (sink_pending) {
            int fd = pl_sink_retry(c);
            if (fd >= 0) {
                atomic_store(&sink_fd, fd);
                sink_pending = 0;
                reader_left = 0;
            }
        }
        size_t nm = 0;
        for (pl_model *m = rl_models; m; m = m->next)
            nm++;
        if (nm + 2 > pfd_cap) {
            pfd_cap = (nm + 2) * 2;
            pfd = realloc(pfd, pfd_cap * sizeof *pfd);
        }
        int room = !blocking(c) || ring_cap - ring_used() >= 3;
        size_t k = 0;
        pfd[k++] = (struct pollfd){.fd = rl_wake[0], .events = POLLIN};
        int sfd = atomic_load(&sink_fd);
        pfd[k++] = (struct pollfd){.fd = ring_used() && sfd >= 0 ? sfd : -1, .events = POLLOUT};
        int all_done = 1;
        for (pl_model *m = rl_models; m; m = m->next) {
            all_done &= m->rfd < 0;
            if (m->rfd >= 0 && room)
                pfd[k++] = (struct pollfd){.fd = m->rfd, .events = POLLIN};
        }
        if (rl_stop && ((all_done && (!ring_used() || sink_dead)) || rl_abandon))
            break;
        pthread_mutex_unlock(&rl_lock);
        int rc = poll(pfd, k, sink_pending ? 50 : 1000);
        pthread_mutex_lock(&rl_lock);
        if (rc < 0)
            continue;
        if (pfd[0].revents & POLLIN) {
            char drain[64];
            while (read(rl_wake[0], drain, sizeof drain) > 0)
                ;
        }
        /*
         * The model list may have changed while this thread polled without
         * the lock: match the ready descriptors to models by fd (a model's
         * read end is closed only by this thread, so its number is stable).
         */
        for (pl_model *m = rl_models; m; m = m->next) {
            short ev = 0;
            for (size_t i = 2; i < k && m->rfd >= 0; i++)
                if (pfd[i].fd == m->rfd)
                    ev = pfd[i].revents;
            if (m->rfd < 0 || !(ev & (POLLIN | POLLHUP | POLLERR)))
                continue;
            size_t max = READ_CHUNK;
            if (blocking(c)) {
                size_t free_recs = ring_cap - ring_used();
                free_recs = free_recs > 2 ? free_recs - 2 : 0;
                if (free_recs * REC < max)
                    max = free_recs * REC;
                if (max < REC)
                    continue;
            }
            /* Drain the pipe while the ring has room, passing records on as they come. */
            int rc;
            while ((rc = read_model(c, m, buf, max)) == 2) {
                while (write_sink())
                    ;
                if (blocking(c)) {
                    size_t free_recs = ring_cap - ring_used();
                    free_recs = free_recs > 2 ? free_recs - 2 : 0;
                    max = free_recs * REC < READ_CHUNK ? free_recs * REC : READ_CHUNK;
                    if (max < REC)
                        break;
                }
            }
            if (rc == 0) {
                pl_fd_unprotect(m->rfd);
                syscall(SYS_close, m->rfd);
                m->rfd = -1;
                progress++;
            }
        }
        /* Write until the sink would block or the ring is empty. */
        while (write_sink())
            ;
        pthread_cond_broadcast(&rl_cond);
    }
    rl_thread_live = 0;
    pthread_cond_broadcast(&rl_cond);
    pthread_mutex_unlock(&rl_lock);
    free(pfd);
    free(buf);
    return NULL;
}

/* Under rl_lock: opens the sink and starts the thread on first use. */
static int relay_start_locked(void)
{
    if (rl_started)
        return rl_failed ? -1 : 0;
    rl_started = 1;
    rl_failed = 1;
    const pl_config *c = pl_config_get();
    size_t desc = 0;
    if (!acc.desc_size || acc.desc_size(&desc) != ACL_SUCCESS || desc == 0 || desc > REC) {
        pl_log(LOG_WARN, "aclsub: the runtime's record size (%zu) is not usable; running without profiling",
               desc);
        return -1;
    }
    in_size = desc;
    int pending = 0, kind = SINK_FILE;
    int fd = pl_sink_open(c, &kind, &pending);
    if (fd < 0 && !pending)
        return -1;
    ring_cap = c->buffer_records;
    ring = malloc(ring_cap * REC);
    if (!ring || pipe2(rl_wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        pl_log(LOG_WARN, "aclsub: out of memory for a %zu-record buffer; running without profiling", ring_cap);
        if (fd >= 0) {
            pl_fd_unprotect(fd);
            syscall(SYS_close, fd);
        }
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        rl_wake[i] = pl_fd_lift(rl_wake[i]);
        pl_fd_protect(rl_wake[i]);
    }
    atomic_store(&sink_fd, fd);
    sink_kind = kind;
    sink_pending = pending;
    push_stream_start();
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&rl_thread, NULL, relay_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return -1;
    rl_thread_live = 1;
    rl_failed = 0;
    return 0;
}

int pl_relay_attach(uint32_t id, const char *label)
{
    int p[2];
    pthread_mutex_lock(&rl_lock);
    if (relay_start_locked() != 0 || pipe2(p, O_CLOEXEC) != 0) {
        pthread_mutex_unlock(&rl_lock);
        return -1;
    }
    pl_model *m = calloc(1, sizeof *m);
    if (!m) {
        syscall(SYS_close, p[0]);
        syscall(SYS_close, p[1]);
        pthread_mutex_unlock(&rl_lock);
        return -1;
    }
    m->id = id;
    m->rfd = pl_fd_lift(p[0]);
    m->wfd = pl_fd_lift(p[1]);
    /* Only the read end: the runtime's writes stay blocking (back-pressure). */
    fcntl(m->rfd, F_SETFL, fcntl(m->rfd, F_GETFL) | O_NONBLOCK);
    fcntl(m->rfd, F_SETPIPE_SZ, PIPE_SIZE); /* fewer wake-ups; best effort */
    m->app_fd = -1;
    pl_fd_protect(m->rfd);
    pl_fd_protect_runtime(m->wfd);
    m->next = rl_models;
    rl_models = m;
    models_followed++;
    pthread_mutex_unlock(&rl_lock);
    wake_relay();
    pl_log(LOG_DEBUG, "aclsub: following model %u (%s)", id, label);
    return m->wfd;
}

static pl_model *active_model(uint32_t id)
{
    for (pl_model *m = rl_models; m; m = m->next)
        if (m->id == id && m->rfd >= 0)
            return m;
    return NULL;
}

void pl_relay_attach_failed(uint32_t id)
{
    pthread_mutex_lock(&rl_lock);
    for (pl_model **pp = &rl_models; *pp; pp = &(*pp)->next) {
        pl_model *m = *pp;
        if (m->id == id && m->rfd >= 0) {
            /* The runtime never took the write end: close both here. */
            pl_fd_unprotect(m->rfd);
            pl_fd_unprotect(m->wfd);
            syscall(SYS_close, m->wfd);
            syscall(SYS_close, m->rfd);
            *pp = m->next;
            free(m);
            models_followed--;
            break;
        }
    }
    pthread_mutex_unlock(&rl_lock);
    wake_relay();
}

int pl_relay_follows(uint32_t id)
{
    pthread_mutex_lock(&rl_lock);
    int r = active_model(id) != NULL;
    pthread_mutex_unlock(&rl_lock);
    return r;
}

/* Under rl_lock: waits for a condition with a stall timeout; returns 0 if it gave up. */
static int wait_progress(int (*done)(uint32_t), uint32_t id)
{
    uint64_t last = progress, since = now_ns();
    while (!done(id)) {
        if (!rl_thread_live)
            return 0;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&rl_cond, &rl_lock, &ts);
        if (progress != last) {
            last = progress;
            since = now_ns();
        } else if (now_ns() - since > WAIT_STALL_NS) {
            return 0;
        }
    }
    return 1;
}

static int model_done(uint32_t id)
{
    for (pl_model *m = rl_models; m; m = m->next)
        if ((id == UINT32_MAX || m->id == id) && m->rfd >= 0)
            return 0;
    return 1;
}

static int thread_gone(uint32_t unused)
{
    (void)unused;
    return !rl_thread_live;
}

static int ring_empty(uint32_t unused)
{
    (void)unused;
    return ring_used() == 0 || sink_dead;
}

/* Under rl_lock: is fd still used by another active program subscription? */
static int app_fd_shared(const pl_model *self, int fd)
{
    for (pl_model *m = rl_models; m; m = m->next)
        if (m != self && m->app_fd == fd && m->rfd >= 0)
            return 1;
    return 0;
}

void pl_relay_wait_done(uint32_t id, int close_app)
{
    pthread_mutex_lock(&rl_lock);
    if (!rl_started || rl_failed) {
        pthread_mutex_unlock(&rl_lock);
        return;
    }
    wake_relay();
    if (!wait_progress(model_done, id))
        pl_log(LOG_WARN, "aclsub: the runtime did not end the subscription of model %u in time", id);
    /* Retire the finished models; close the program's fds they held. */
    for (pl_model **pp = &rl_models; *pp;) {
        pl_model *m = *pp;
        if ((id == UINT32_MAX || m->id == id) && m->rfd < 0) {
            if (m->app_fd >= 0 && close_app && !app_fd_shared(m, m->app_fd)) {
                syscall(SYS_close, m->app_fd);
                if (m->app_dropped)
                    pl_log(LOG_WARN, "aclsub: subscription fd %d: %" PRIu64 " of %" PRIu64
                                     " records dropped (the reader closed the pipe)",
                           m->app_fd, m->app_dropped, m->app_dropped + m->app_written);
            }
            *pp = m->next;
            free(m);
            continue;
        }
        pp = &m->next;
    }
    pthread_mutex_unlock(&rl_lock);
}

void pl_relay_flush(void)
{
    pthread_mutex_lock(&rl_lock);
    if (rl_started && !rl_failed) {
        wake_relay();
        if (!wait_progress(ring_empty, 0)) {
            uint64_t left = ring_data_records();
            dropped += left;
            atomic_store(&ring_tail, atomic_load(&ring_head));
            pl_log(LOG_WARN, "aclsub: the sink took nothing for %llu s; %" PRIu64 " buffered records dropped",
                   WAIT_STALL_NS / 1000000000ull, left);
        }
    }
    pthread_mutex_unlock(&rl_lock);
}

aclError pl_relay_app_subscribe(uint32_t id, int fd)
{
    pthread_mutex_lock(&rl_lock);
    pl_model *m = active_model(id);
    aclError rc = ACL_SUCCESS;
    if (!m)
        rc = ACL_ERROR_INVALID_MODEL_ID;
    else if (m->app_fd >= 0)
        rc = ACL_ERROR_PROF_REPEAT_SUBSCRIBE;
    else
        m->app_fd = fd;
    pthread_mutex_unlock(&rl_lock);
    return rc;
}

int pl_relay_app_fd(uint32_t id)
{
    pthread_mutex_lock(&rl_lock);
    pl_model *m = active_model(id);
    int fd = m ? m->app_fd : -1;
    pthread_mutex_unlock(&rl_lock);
    return fd;
}

void pl_relay_finish(void)
{
    pthread_mutex_lock(&rl_lock);
    if (!rl_started || rl_failed) {
        pthread_mutex_unlock(&rl_lock);
        return;
    }
    /* Room for the end record: wait for the sink if the ring is full. */
    if (ring_cap - ring_used() < 1 + (lost_unreported ? 1 : 0)) {
        pthread_mutex_unlock(&rl_lock);
        pl_relay_flush();
        pthread_mutex_lock(&rl_lock);
    }
    if (lost_unreported && ring_cap - ring_used() >= 2)
        push_lost_notice();
    char text[128];
    snprintf(text, sizeof text, "records=%" PRIu64 " dropped=%" PRIu64 " models=%" PRIu64, produced - dropped,
             dropped, models_followed);
    uint64_t arg[4] = {produced - dropped, dropped, models_followed, 0};
    unsigned char rec[REC];
    control_record(rec, ACLSUB_KIND_STREAM_END, ACLSUB_TYPE_STREAM_END, text, arg);
    if (ring_cap - ring_used() >= 1)
        ring_push(rec);
    pthread_mutex_unlock(&rl_lock);
    pl_relay_flush();
    pthread_mutex_lock(&rl_lock);
    rl_stop = 1;
    wake_relay();
    /* Never wait for good at exit: a runtime that keeps a pipe open is given up on. */
    if (!wait_progress(thread_gone, 0)) {
        rl_abandon = 1;
        wake_relay();
    }
    pthread_mutex_unlock(&rl_lock);
    pthread_join(rl_thread, NULL);
    pthread_mutex_lock(&rl_lock);
    uint64_t p = produced, d = dropped, models = models_followed;
    pthread_mutex_unlock(&rl_lock);
    const pl_config *c = pl_config_get();
    pl_log(LOG_INFO, "aclsub: %" PRIu64 " records, %" PRIu64 " dropped, %" PRIu64 " model(s) -> %s", p, d, models,
           c->output[0] ? c->output : "fd");
    if (d && c->log == LOG_WARN)
        pl_log(LOG_WARN, "aclsub: %" PRIu64 " records, %" PRIu64 " dropped, %" PRIu64 " model(s) -> %s", p, d,
               models, c->output[0] ? c->output : "fd");
    sink_close_fd();
}

void pl_relay_after_fork_child(int keep_profiling)
{
    /* Only this thread exists now; the parent's relay, pipes and buffer are the parent's. */
    pthread_mutex_init(&rl_lock, NULL);
    pthread_cond_init(&rl_cond, NULL);
    for (pl_model *m = rl_models, *next; m; m = next) {
        next = m->next;
        if (m->rfd >= 0) {
            pl_fd_unprotect(m->rfd);
            syscall(SYS_close, m->rfd);
        }
        free(m);
    }
    rl_models = NULL;
    for (int i = 0; i < 2; i++)
        if (rl_wake[i] >= 0) {
            pl_fd_unprotect(rl_wake[i]);
            syscall(SYS_close, rl_wake[i]);
            rl_wake[i] = -1;
        }
    /* The child opens the sink itself when it follows a model of its own. */
    int fd = atomic_exchange(&sink_fd, -1);
    if (fd >= 0) {
        pl_fd_unprotect(fd);
        syscall(SYS_close, fd);
    }
    free(ring);
    ring = NULL;
    atomic_store(&ring_head, 0);
    atomic_store(&ring_tail, 0);
    produced = dropped = lost_unreported = models_followed = 0;
    rl_thread_live = 0;
    rl_stop = 0;
    sink_pending = sink_dead = reader_left = rl_abandon = 0;
    rl_started = 0;
    rl_failed = 0;
    if (!keep_profiling) {
        rl_started = 1;
        rl_failed = 1;
    }
}

void pl_relay_flush_from_signal(void)
{
    /* write() only: async-signal-safe.  Records are whole in [tail, head). */
    int fd = atomic_load(&sink_fd);
    if (fd < 0 || !ring)
        return;
    size_t t = atomic_load(&ring_tail), h = atomic_load(&ring_head);
    while (t < h) {
        size_t slot = t % ring_cap, n = h - t;
        if (n > WRITE_MAX)
            n = WRITE_MAX;
        if (n > ring_cap - slot)
            n = ring_cap - slot;
        ssize_t w = write(fd, ring + slot * REC, n * REC);
        if (w <= 0)
            break;
        t += (size_t)w / REC;
    }
}
