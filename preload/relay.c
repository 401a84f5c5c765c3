/*
 * relay.c - the relay thread of libaclsub.so, and one hop.
 *
 * Each model the library follows through the relay writes into its own
 * pipe (the runtime's writer thread writes whole records).  The relay
 * thread polls those pipes,
 * copies every record unchanged to the program's own subscription fd when
 * the program subscribed the model too, applies the operator filters, and
 * queues what passes in a ring of ACLSUB_BUFFER records, from which it
 * writes whole records to the sink: at most PIPE_BUF bytes per write() to
 * a FIFO or an fd:N sink, so that the records of several processes never
 * interleave, larger writes to a file it opened itself (O_APPEND places
 * each write whole); never past a file-size limit, and never a torn
 * record (fsize_room, cut_torn_record).  Control records (stream start, records lost) are
 * queued alongside; the stream end is made last (end_stream), once every
 * other record was written or counted as dropped, and written directly.
 *
 * When the ring is full: with `block` the relay stops reading the pipes, so
 * the runtime, and with it the program, waits, but only while the sink
 * takes records: after ACLSUB_STALL_MS without progress it reads on as with
 * `drop`, which keeps reading and counts what it discards, then queues a
 * records-lost record.  Every record is either delivered or counted:
 * delivered + dropped = produced.  What passes the filters is numbered
 * anew per model, so the sink's sequence numbers have gaps only where
 * records were dropped (and counted).
 *
 * Over a runtime whose records are the vendor's (80 bytes, names readable
 * once, in this process only), the relay reads each record's fields and
 * names through the runtime's accessors and re-emits it as a
 * self-describing aclsub record; the program's own fd still gets the
 * runtime's bytes unchanged, and the names the relay read from records
 * the program gets are kept for the program's own reads (names.c) before
 * the bytes reach it.
 *
 * A model's pipe reaching end of file means the runtime ended its
 * subscription (unsubscribe, unload, finalize) and flushed everything; that
 * is the moment the library's waiters are released.
 *
 * One hop: when nothing needs the relay (a regular-file sink opened by
 * path, no file-size limit, aclsub records from the runtime, no operator
 * filter, the program has not subscribed the model), pl_relay_attach gives
 * the runtime a duplicate of the sink instead of a pipe, and the runtime's
 * writer thread writes the records into the file itself.  Its write()s come
 * through the library's (hooks.c, pl_relay_onehop_write), which counts the
 * records written, those of failed writes and the numbers the runtime
 * skipped, and always tells the runtime the write succeeded, so that every
 * record it makes passes the count; the stream end adds these counts to the
 * relay's.  The relay thread still writes the control records (the stream
 * start before the runtime's first record, the stream end after the last
 * flush, which also waits for the one-hop writes to stay quiet); with only
 * one-hop models it reads no pipe and is idle.
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
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "aclsub/record.h"
#include "preload/preload.h"
#include "decoder/record/le.h"
#include "decoder/record/reader.h"

#define REC ACLSUB_REC_SIZE
#define READ_CHUNK (256 * 1024)
#define WRITE_MAX (PIPE_BUF / REC)        /* records per write() to a FIFO or fd:N sink, and from a signal */
#define FILE_WRITE_MAX 2048               /* records per write() to a file sink opened by path (1 MiB: large folios) */
#define PIPE_SIZE (1 << 20)               /* bytes each model's pipe holds (sink.c sizes a FIFO sink alike) */
#define STALL_MS_DEFAULT 5000             /* ACLSUB_STALL_MS: how long a sink may take nothing */
#define END_RESERVE 2                     /* records of room a size-limited file keeps for the stream's end */
#define ONEHOP_MAX 64                     /* models followed on one hop at a time */
#define ONEHOP_FIFO_WRITE_MAX 128         /* records per write() into a FIFO on one hop (see onehop_fifo_write) */

typedef struct pl_model {
    uint32_t id;
    int rfd;  /* read end; -1 once at end of file */
    int wfd;  /* write end, held by the runtime */
    int app_fd; /* the program's own subscription fd, or -1 */
    int app_dead; /* writing to app_fd failed: its records are counted, no longer written */
    dev_t app_dev; /* what app_fd named when the program subscribed: never written once it names another */
    ino_t app_ino;
    uint64_t app_dropped, app_written;
    ino_t ino;    /* the pipe's inode: whether rfd and wfd still name it */
    int lost;     /* its descriptors were closed behind the library's back: rfd forgotten, wfd guarded */
    unsigned char carry[REC];
    size_t carry_len;
    uint64_t in_next;  /* the runtime's sequence number expected next (aclsub records only) */
    uint64_t out_seq;  /* the number the next record passing the filters gets in the sink */
    uint64_t iteration, op_index; /* for records re-encoded from vendor records */
    struct pl_model *next;
} pl_model;

/*
 * A model followed on one hop: the runtime's writer writes its records
 * straight into `fd`, a duplicate of the file sink, through the library's
 * write() (pl_relay_onehop_write), which counts them.  Everything but fd1
 * is under relay.onehop_lock.
 */
typedef struct onehop_slot {
    _Atomic int fd1;   /* the runtime's descriptor + 1; 0: a free slot */
    uint32_t id;
    dev_t dev;         /* what fd names: the sink */
    ino_t ino;
    uint64_t next_seq; /* the runtime's sequence number expected next */
    uint64_t written, dropped; /* since the stream start (moved to the totals at the stream end) */
    int closed;        /* the stream end counted it: later records are the runtime's, not this stream's */
    int lost;          /* fd was closed behind the library's back: nothing is written into it */
    int fifo;          /* the sink is a FIFO: `block`/`drop`, a reader that may leave (onehop_fifo_write) */
    int out;           /* FIFO: the library's duplicate of the sink the records go into; else fd itself */
    dev_t out_dev;     /* what out names */
    ino_t out_ino;
} onehop_slot;

/*
 * The relay's state, one object.  What guards each field:
 *   [lock]   read and written under relay.lock;
 *   [start]  written under the lock when the relay starts (or in the
 *            forked child before any other thread exists), then only read:
 *            every reader has taken the lock since, or is the relay thread
 *            the start created, or is the fatal-signal handler;
 *   [atomic] read anywhere, the fatal-signal handler included.
 * RELAY_STATE_INIT is the state of a process that has not started the
 * relay; after fork() the child returns to it in one assignment.
 */
struct relay_state {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* broadcast whenever the relay moved data, and when the thread ends */
    int started;         /* [lock] the relay was started, successfully or not */
    int failed;          /* [lock] it could not start (or profiling is off): nothing is followed */
    int stop;            /* [lock] the thread ends once every pipe is at end of file and the ring empty */
    int abandon;         /* [lock] at exit: the thread ends even though pipes or the ring are not drained */
    int thread_live;     /* [lock] the relay thread runs */
    pthread_t thread;    /* [start] joined at exit */
    int wake[2];         /* [start] the thread's wake-up pipe: read end, write end; -1 before */
    ino_t wake_ino;      /* [start] its inode: whether wake[1] still names it */
    _Atomic int thread_up;   /* [atomic] the relay thread runs (thread_live, for the signal handler) */
    _Atomic int final;       /* [atomic] FINAL_*: a last flush asked of the thread (fatal signal, _exit, exec) */
    pid_t pid;               /* [start] the process that started the relay (not a vfork child sharing it) */
    _Atomic int wake_lost; /* [atomic] the program closed it behind the library's back: never written again */
    int fds_lost_told;   /* [lock] the warning about closed descriptors was printed */
    pl_model *models;    /* [lock] the followed models, including those whose pipe is at end of file */
    struct {
        unsigned char *slots;        /* [start] cap records; their contents [lock] (and read by the signal handler) */
        size_t cap;                  /* [start] ACLSUB_BUFFER */
        _Atomic size_t head, tail;   /* [atomic] records ever queued / ever written; whole records in [tail, head) */
        _Atomic size_t claimed;      /* [atomic] records [tail, claimed) are being written; only the claimer writes them */
    } ring;
    struct {
        _Atomic int fd;  /* [atomic] the sink, -1 while there is none (not open yet, reader left, failed) */
        int kind;        /* [lock] SINK_FILE, SINK_FIFO or SINK_FD */
        int pending;     /* [lock] a FIFO without a reader: the thread retries opening it */
        int dead;        /* [lock] writing failed: records are dropped from now on */
        int reader_left; /* [lock] a FIFO's reader came and went: drop until the next one */
        int stalled;     /* [lock] took nothing for stall_ns with records waiting: drop until it takes some */
        uint64_t taken_ns; /* [lock] when the sink last took records or had none waiting */
        dev_t dev;       /* [lock] what the sink descriptor named when it was opened */
        ino_t ino;
    } sink;
    uint64_t stall_ns;        /* [start] ACLSUB_STALL_MS: no wait in the host lasts longer without progress */
    uint64_t produced;        /* [lock] records that passed the filters */
    _Atomic uint64_t dropped; /* [lock] of those, the ones that never reached the sink; read anywhere */
    uint64_t lost_unreported; /* [lock] dropped since the last records-lost record */
    uint64_t models_followed; /* [lock] models subscribed, for the stream-end record */
    uint64_t progress;        /* [lock] bumps whenever the relay moves data; waiters watch it */
    pl_accessors acc;         /* [lock] the runtime's accessors; kept across fork() */
    size_t in_size;           /* [start] bytes per runtime record, from the runtime */
    /*
     * One hop (pl_relay_attach): slots of the models whose records the
     * runtime writes into the file sink itself, and the counts of retired
     * ones.  [onehop] under onehop_lock, which may be taken under lock (never
     * the other way round); the runtime's writer threads take it in write().
     */
    pthread_mutex_t onehop_lock;
    onehop_slot onehop[ONEHOP_MAX];
    _Atomic int onehop_n;          /* [atomic] slots in use: write() looks no further while 0 */
    _Atomic uint64_t onehop_moves; /* [atomic] bumps at every one-hop write: the last flush waits for quiet */
    uint64_t onehop_written, onehop_dropped; /* [onehop] of retired and stream-ended slots, this stream */
    int onehop_failed_told;        /* [onehop] a failed write into the sink was reported */
    /*
     * One hop into a FIFO: the runtime's writer threads apply `block` and
     * `drop` themselves (onehop_fifo_write), without relay.lock.
     */
    _Atomic uint64_t onehop_taken_ns;   /* [atomic] when a one-hop FIFO write last succeeded (0: none yet) */
    _Atomic int onehop_stalled;         /* [atomic] the FIFO took nothing for stall_ns: drop until it takes some */
    _Atomic int onehop_reader_left;     /* [atomic] its reader left: drop until a new one reads */
    _Atomic int onehop_nowait;          /* [atomic] a last flush runs: never wait for the FIFO (2: and it dropped) */
    _Atomic int onehop_reader_gone;     /* [atomic] a one-hop write found no reader: the relay thread looks */
    _Atomic uint64_t onehop_unnoticed;  /* [atomic] dropped on one hop since the last records-lost notice */
    _Atomic uint64_t onehop_lost_total; /* [atomic] dropped on one hop in this stream, for the notices */
};

#define RELAY_STATE_INIT                                                                                  \
    {                                                                                                     \
        .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER, .wake = {-1, -1},            \
        .sink = {.fd = -1}, .in_size = REC, .onehop_lock = PTHREAD_MUTEX_INITIALIZER                       \
    }

static struct relay_state relay = RELAY_STATE_INIT;

/* Closes one of the library's descriptors (the interposed close() would refuse). */
static void close_own_fd(int fd)
{
    pl_fd_unprotect(fd);
    syscall(SYS_close, fd);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t pl_now_ns(void)
{
    return now_ns();
}

/* The inode fd names, or 0 if it is not open. */
static ino_t fd_ino(int fd)
{
    struct stat st;
    return fd >= 0 && fstat(fd, &st) == 0 ? st.st_ino : 0;
}

/*
 * The signals a thread of the program holds while it holds relay.lock,
 * onehop_lock or names.c's lock: SIGPIPE (a FIFO whose reader left) and the
 * fatal signals that come from outside.  Their handler (hooks.c) waits for
 * the relay thread's last flush, which takes those locks: run on a thread
 * that holds one, it would wait for a flush that cannot finish, and the
 * stream would end without its stream end.  Held, they go to another thread
 * of the process or wait until the lock is let go; a wait for the relay
 * thread (wait_progress) ends early when one is pending that will run the
 * flush.
 */
static const int outside_signals[] = {SIGPIPE, SIGTERM, SIGINT, SIGQUIT, SIGABRT};
#define N_OUTSIDE (sizeof outside_signals / sizeof outside_signals[0])

static void outside_signals_hold(sigset_t *old)
{
    sigset_t s;
    sigemptyset(&s);
    for (size_t i = 0; i < N_OUTSIDE; i++)
        sigaddset(&s, outside_signals[i]);
    pthread_sigmask(SIG_BLOCK, &s, old);
}

/* The mask this thread of the program had before pl_lock_in_program held the outside signals. */
static __thread sigset_t mask_before_lock;

/*
 * 1 when a fatal signal from outside waits for this thread (or the
 * process), and taking it will run the last flush: this thread had it
 * unblocked before the lock, and the handler is still hooks.c's (not a
 * signal the program blocks for sigwait, nor one it handles itself).
 */
static int outside_signal_pending(void)
{
    sigset_t p;
    if (sigpending(&p) != 0)
        return 0;
    for (size_t i = 1; i < N_OUTSIDE; i++) /* not SIGPIPE */
        if (sigismember(&p, outside_signals[i]) == 1 && sigismember(&mask_before_lock, outside_signals[i]) == 0 &&
            pl_signal_flushes(outside_signals[i]))
            return 1;
    return 0;
}

void pl_lock_in_program(pthread_mutex_t *mu, sigset_t *old)
{
    outside_signals_hold(old);
    mask_before_lock = *old;
    pthread_mutex_lock(mu);
}

void pl_unlock_in_program(pthread_mutex_t *mu, const sigset_t *old)
{
    pthread_mutex_unlock(mu);
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* relay.lock, taken by a thread of the program. */
static void lock_in_program(sigset_t *old)
{
    pl_lock_in_program(&relay.lock, old);
}

static void unlock_in_program(const sigset_t *old)
{
    pl_unlock_in_program(&relay.lock, old);
}

void pl_relay_set_accessors(const pl_accessors *a)
{
    sigset_t sigs;
    lock_in_program(&sigs);
    relay.acc = *a;
    unlock_in_program(&sigs);
}

/* Takes a pending signal sig of this thread (where it is blocked), so that it is never delivered. */
static void signal_discard(int sig)
{
    sigset_t ps;
    sigemptyset(&ps);
    sigaddset(&ps, sig);
    struct timespec zero = {0, 0};
    while (sigtimedwait(&ps, NULL, &zero) == sig)
        ;
}

/* Discards the SIGPIPE a write to a FIFO without a reader raised for this thread. */
static void sigpipe_discard(void)
{
    signal_discard(SIGPIPE);
}

/* Writes into the wake-up pipe only while its number still names it. */
static void wake_relay(void)
{
    if (relay.wake[1] < 0 || atomic_load(&relay.wake_lost))
        return;
    if (fd_ino(relay.wake[1]) != relay.wake_ino) {
        atomic_store(&relay.wake_lost, 1);
        return;
    }
    ssize_t w = write(relay.wake[1], "x", 1);
    (void)w;
}

/*
 * A descriptor of the library was closed behind its back (a raw
 * close_range or close syscall): said once; the caller stops using the
 * number, which may name the program's file by now.  Under relay.lock.
 */
static void fds_lost(const char *what)
{
    if (relay.fds_lost_told++)
        return;
    pl_log(LOG_WARN, "aclsub: the program closed the library's %s behind its back; what it held is lost and "
                     "counted where it can be", what);
}

/*
 * Model m's pipe is no longer the library's: its read end is forgotten
 * (not closed: the number is not ours), its write end stays guarded so that
 * the runtime's close() of it cannot close the program's file; it is
 * released when the model is retired.  Under relay.lock.
 */
static void model_lost(pl_model *m)
{
    fds_lost("pipe from the runtime");
    pl_fd_unprotect(m->rfd);
    pl_fd_unprotect(m->wfd);
    pl_fd_protect(m->wfd);
    m->rfd = -1;
    m->lost = 1;
    relay.progress++;
}

static size_t ring_used(void)
{
    return atomic_load(&relay.ring.head) - atomic_load(&relay.ring.tail);
}

/* Queues one record (the caller checked there is room). */
static void ring_push(const unsigned char *rec)
{
    size_t h = atomic_load(&relay.ring.head);
    memcpy(relay.ring.slots + (h % relay.ring.cap) * REC, rec, REC);
    atomic_store(&relay.ring.head, h + 1);
}

/*
 * Queues one record of model m under the model's next sink sequence number;
 * the number is written and the record signed anew when the runtime's
 * number differs (filters or runtime gaps).  The caller checked for room.
 */
static void ring_push_numbered(pl_model *m, const unsigned char *rec)
{
    size_t h = atomic_load(&relay.ring.head);
    unsigned char *slot = relay.ring.slots + (h % relay.ring.cap) * REC;
    memcpy(slot, rec, REC);
    uint64_t seq = m->out_seq++;
    if (le64_get(slot + ACLSUB_OFF_SEQ) != seq) {
        le64_put(slot + ACLSUB_OFF_SEQ, seq);
        le32_put(slot + ACLSUB_OFF_SIGNATURE, aclsub_crc32c(slot + 4, REC - 4));
    }
    atomic_store(&relay.ring.head, h + 1);
}

/* Forgets the queued records (the caller counted them). */
static void ring_discard(void)
{
    size_t h = atomic_load(&relay.ring.head);
    atomic_store(&relay.ring.claimed, h);
    atomic_store(&relay.ring.tail, h);
}

/* Operator and whole-run records among the queued ones (control records are not counted as dropped). */
static uint64_t ring_data_records(void)
{
    uint64_t n = 0;
    for (size_t t = atomic_load(&relay.ring.tail), h = atomic_load(&relay.ring.head); t < h; t++) {
        rec_brief b;
        rec_peek(relay.ring.slots + (t % relay.ring.cap) * REC, &b);
        n += b.kind < ACLSUB_KIND_STREAM_START;
    }
    return n;
}

/* ACLSUB_STALL_MS (1..3600000, default 5000), read as the runtime reads it, in ns. */
static uint64_t read_stall_ns(void)
{
    const char *v = getenv("ACLSUB_STALL_MS");
    long ms = STALL_MS_DEFAULT;
    if (v && *v) {
        char *end;
        errno = 0;
        ms = strtol(v, &end, 10);
        if (errno || end == v || *end || ms < 1 || ms > 3600000) {
            pl_log(LOG_WARN, "aclsub: ACLSUB_STALL_MS=%s: not a number of milliseconds in 1..3600000; using %d", v,
                   STALL_MS_DEFAULT);
            ms = STALL_MS_DEFAULT;
        }
    }
    return (uint64_t)ms * 1000000u;
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

/* A records-lost notice into out: `lost` since the previous notice, `total` in all. */
static void lost_notice(unsigned char *out, uint64_t lost, uint64_t total)
{
    char text[96];
    snprintf(text, sizeof text, "lost=%" PRIu64 " total=%" PRIu64, lost, total);
    uint64_t arg[4] = {lost, total, 0, 0};
    control_record(out, ACLSUB_KIND_LOST, ACLSUB_TYPE_LOST, text, arg);
}

/* Under relay.lock, with room for one record. */
static void push_lost_notice(void)
{
    unsigned char rec[REC];
    lost_notice(rec, relay.lost_unreported, relay.dropped);
    ring_push(rec);
    relay.lost_unreported = 0;
}

/*
 * Under relay.lock: the records that end the stream, into out (room for
 * two): the records-lost notice due, then the stream end with the counts
 * as they stand.  Returns how many records it encoded.  Called only once
 * nothing more will be written or dropped before them (end_stream).
 */
static size_t encode_stream_end(unsigned char *out)
{
    size_t n = 0;
    uint64_t delivered = relay.produced - relay.dropped + relay.onehop_written;
    uint64_t dropped = relay.dropped + relay.onehop_dropped;
    uint64_t lost = relay.lost_unreported + atomic_exchange(&relay.onehop_unnoticed, 0);
    if (lost) {
        lost_notice(out, lost, dropped);
        relay.lost_unreported = 0;
        n++;
    }
    char text[128];
    snprintf(text, sizeof text, "records=%" PRIu64 " dropped=%" PRIu64 " models=%" PRIu64, delivered, dropped,
             relay.models_followed);
    uint64_t arg[4] = {delivered, dropped, relay.models_followed, 0};
    control_record(out + n * REC, ACLSUB_KIND_STREAM_END, ACLSUB_TYPE_STREAM_END, text, arg);
    return n + 1;
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
    struct stat st;
    if (!m->app_dead && (fstat(m->app_fd, &st) != 0 || st.st_dev != m->app_dev || st.st_ino != m->app_ino)) {
        /* Closed (the runtime ended another subscription on it) and perhaps reused: not the program's pipe. */
        m->app_dead = 1;
        pl_log(LOG_WARN, "aclsub: subscription fd %d of model %u was closed; its records are dropped", m->app_fd,
               m->id);
    }
    if (m->app_dead) {
        m->app_dropped += len / relay.in_size;
        return;
    }
    size_t off = 0, per_write = PIPE_BUF / relay.in_size * relay.in_size;
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
            m->app_dropped += (len - off) / relay.in_size;
            sigpipe_discard();
            return;
        }
        off += (size_t)w;
        m->app_written += (size_t)w / relay.in_size;
    }
}

/* One of the runtime's accessors' strings, into buf (cap bytes); NULL if it cannot be had. */
static const char *vendor_string(aclError (*len_fn)(const void *, size_t, uint32_t, size_t *),
                                 aclError (*get)(const void *, size_t, uint32_t, char *, size_t),
                                 const unsigned char *rec, char *buf, size_t cap, char **heap)
{
    size_t n = 0;
    if (!len_fn || !get || len_fn(rec, relay.in_size, 0, &n) != ACL_SUCCESS || n == 0)
        return NULL;
    char *dst = buf;
    if (n > cap) {
        dst = *heap = malloc(n);
        if (!dst)
            return NULL;
    }
    return get(rec, relay.in_size, 0, dst, n) == ACL_SUCCESS ? dst : NULL;
}

/*
 * Re-emits a vendor record as an aclsub record, reading it through the
 * runtime's accessors.  Reading its names consumes them in the runtime, so
 * when the record also goes to the program's own fd, names.c keeps them
 * for the program (call this before write_app hands the record over).
 */
static void translate(pl_model *m, const unsigned char *in, unsigned char *out)
{
    char type_buf[128], name_buf[512], *type_heap = NULL, *name_heap = NULL;
    aclsub_rec r = {0};
    const char *type = vendor_string(relay.acc.type_len, relay.acc.type, in, type_buf, sizeof type_buf, &type_heap);
    const char *name = vendor_string(relay.acc.name_len, relay.acc.name, in, name_buf, sizeof name_buf, &name_heap);
    if (m->app_fd >= 0 && !m->app_dead)
        pl_names_keep(in, type, name);
    r.type = type ? type : "";
    r.name = name ? name : "";
    r.type_len = strlen(r.type);
    r.name_len = strlen(r.name);
    r.flag = relay.acc.flag ? (uint32_t)relay.acc.flag(in, relay.in_size, 0) : ACL_SUBSCRIBE_OP;
    /* The vendor's whole-run record is flagged ACL_SUBSCRIBE_OP and told by its name and type. */
    if (r.flag == ACL_SUBSCRIBE_SUBGRAPH || (strcmp(r.name, ACLSUB_RUN_NAME) == 0 && strcmp(r.type, ACLSUB_RUN_TYPE) == 0)) {
        r.kind = ACLSUB_KIND_RUN;
        r.flag = ACL_SUBSCRIBE_SUBGRAPH; /* aclsub's records mark it (docs/FORMAT.md) */
    } else {
        r.kind = ACLSUB_KIND_OP;
    }
    r.model_id = relay.acc.model_id ? (uint32_t)relay.acc.model_id(in, relay.in_size, 0) : m->id;
    r.start = relay.acc.start ? relay.acc.start(in, relay.in_size, 0) : 0;
    r.end = relay.acc.end ? relay.acc.end(in, relay.in_size, 0) : 0;
    r.duration = r.exec_time = relay.acc.duration ? relay.acc.duration(in, relay.in_size, 0) : 0;
    const char *tid =
        relay.acc.attri ? relay.acc.attri(in, relay.in_size, 0, ACL_SUBSCRIBE_ATTRI_THREADID) : NULL;
    r.thread_id = tid ? (uint32_t)strtoul(tid, NULL, 10) : 0;
    r.pid = (uint32_t)getpid();
    r.seq = m->out_seq; /* the number it keeps if it passes the filters */
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

/* n records produced and dropped (they take sequence numbers; a records-lost record follows). Under relay.lock. */
static void count_dropped(uint64_t n)
{
    relay.produced += n;
    relay.dropped += n;
    relay.lost_unreported += n;
}

/*
 * Records the runtime numbered but never wrote into the pipe (it gave up on
 * a stalled pipe): produced and dropped, so their numbers stay a counted
 * gap in the sink.  Under relay.lock.
 */
static void note_runtime_gap(pl_model *m, const unsigned char *rec)
{
    uint64_t seq = le64_get(rec + ACLSUB_OFF_SEQ);
    if (seq > m->in_next) {
        count_dropped(seq - m->in_next);
        m->out_seq += seq - m->in_next;
    }
    m->in_next = seq + 1;
}

/* One aclsub record of model m through the filters into the ring (or counted as dropped). Under relay.lock. */
static void queue_record(const pl_config *c, pl_model *m, const unsigned char *rec)
{
    if (!passes_filters(c, rec))
        return;
    size_t need = relay.lost_unreported ? 2 : 1;
    if (relay.sink.dead || relay.ring.cap - ring_used() < need) {
        count_dropped(1);
        m->out_seq++;
        return;
    }
    relay.produced++;
    if (relay.lost_unreported)
        push_lost_notice();
    ring_push_numbered(m, rec);
}

#define VENDOR_BATCH 16 /* vendor records translated before their bytes go to the program */

/*
 * Takes whole records from a model's pipe: program fan-out, filters, ring.
 * Vendor records are translated (their names read) before the program's fd
 * gets their bytes, a batch at a time, so that the program never asks for
 * a name the relay has not kept for it yet.  What passes the filters is
 * numbered anew per model from 0 without gaps, except for records dropped
 * here, which keep their numbers as the gap the stream end counts.  Under
 * relay.lock.
 */
static void take_records(const pl_config *c, pl_model *m, const unsigned char *p, size_t len)
{
    if (relay.in_size == REC) {
        write_app(m, p, len);
        for (size_t off = 0; off + REC <= len; off += REC) {
            if (p[off + ACLSUB_OFF_KIND] < ACLSUB_KIND_STREAM_START)
                note_runtime_gap(m, p + off);
            queue_record(c, m, p + off);
        }
        return;
    }
    unsigned char translated[VENDOR_BATCH][REC];
    for (size_t off = 0; off + relay.in_size <= len;) {
        size_t n = 0;
        for (; n < VENDOR_BATCH && off + (n + 1) * relay.in_size <= len; n++)
            translate(m, p + off + n * relay.in_size, translated[n]);
        write_app(m, p + off, n * relay.in_size);
        for (size_t i = 0; i < n; i++)
            queue_record(c, m, translated[i]);
        off += n * relay.in_size;
    }
}

/* Reads what a model's pipe has: 2 read some, 1 nothing there now, 0 end of file. Under relay.lock. */
static int read_model(const pl_config *c, pl_model *m, unsigned char *buf, size_t max)
{
    memcpy(buf, m->carry, m->carry_len);
    ssize_t n = read(m->rfd, buf + m->carry_len, max - m->carry_len);
    if (n < 0 && errno == EBADF) {
        model_lost(m);
        return 1;
    }
    if (n < 0)
        return errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK ? 1 : 0;
    if (n == 0 && fd_ino(m->rfd) != m->ino) {
        model_lost(m); /* another file in its place (dup2): not our end of file, not ours to close */
        return 1;
    }
    if (n == 0)
        return 0;
    size_t have = m->carry_len + (size_t)n, whole = have / relay.in_size * relay.in_size;
    take_records(c, m, buf, whole);
    m->carry_len = have - whole;
    memcpy(m->carry, buf + whole, m->carry_len);
    relay.progress++;
    return 2;
}

/* --- the sink ------------------------------------------------------------------------ */

/* Takes fd as the sink and notes what it names. Under relay.lock. */
static void sink_set(int fd)
{
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0) {
        relay.sink.dev = st.st_dev;
        relay.sink.ino = st.st_ino;
    }
    atomic_store(&relay.sink.fd, fd);
}

/* Nothing reaches the sink from now on: what is queued and what comes is dropped (and counted). */
static void sink_dead(void)
{
    relay.sink.dead = 1;
    uint64_t left = ring_data_records();
    relay.dropped += left;
    relay.lost_unreported += left;
    ring_discard();
}

/*
 * The sink's descriptor no longer names what was opened (the program
 * closed it with a raw syscall, or put another file in its place): the
 * number is forgotten, not closed; a FIFO named by path waits for its next
 * reader, a file named by path is opened again, an fd:N sink is dead.
 * Under relay.lock.
 */
static void sink_lost(void)
{
    int fd = atomic_exchange(&relay.sink.fd, -1);
    if (fd < 0)
        return;
    fds_lost("sink");
    pl_fd_unprotect(fd);
    const pl_config *c = pl_config_get();
    if (relay.sink.kind == SINK_FIFO && c->output[0]) {
        relay.sink.pending = 1;
        return;
    }
    int kind = relay.sink.kind, pending = 0;
    int nfd = kind == SINK_FILE ? pl_sink_open(c, &kind, &pending) : -1;
    if (nfd >= 0)
        sink_set(nfd);
    else
        sink_dead();
}

/* 1 if the sink's descriptor still names what was opened; else handles the loss. Under relay.lock. */
static int sink_still_ours(int fd)
{
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_dev == relay.sink.dev && st.st_ino == relay.sink.ino)
        return 1;
    sink_lost();
    return 0;
}

/*
 * A FIFO's reader is gone: the records still in the FIFO's buffer (the
 * write end tells how many bytes) were never read, so they are dropped,
 * not delivered; a record read in part counts as unread.  They are the
 * last ones written, before the ring's tail; a slot the ring has reused
 * since is counted as a data record.  Under relay.lock.
 */
static void count_unread(int fd)
{
    int bytes = 0;
    if (relay.sink.kind != SINK_FIFO || ioctl(fd, FIONREAD, &bytes) != 0 || bytes <= 0)
        return;
    size_t n = ((size_t)bytes + REC - 1) / REC, t = atomic_load(&relay.ring.tail);
    size_t h = atomic_load(&relay.ring.head);
    uint64_t data = 0;
    for (size_t i = 1; i <= n && i <= t; i++) {
        rec_brief b = {.kind = ACLSUB_KIND_OP};
        if (h - (t - i) <= relay.ring.cap)
            rec_peek(relay.ring.slots + ((t - i) % relay.ring.cap) * REC, &b);
        data += b.kind < ACLSUB_KIND_STREAM_START;
    }
    relay.dropped += data;
    relay.lost_unreported += data;
    pl_log(LOG_INFO, "aclsub: %" PRIu64 " records the FIFO's reader never read are counted as dropped", data);
}

/*
 * Whether the FIFO at fd lost its reader (POLLERR on the write end): 1
 * none, 0 one reads, -1 not known: a one-hop writer's drain, a reader for
 * a moment, overlapped the look (pl_sink_drain_seq).
 */
static int fifo_reader_gone(int fd)
{
    unsigned seq = pl_sink_drain_seq();
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    if (poll(&p, 1, 0) == 1 && (p.revents & POLLERR))
        return 1;
    return (seq & 1) || pl_sink_drain_seq() != seq ? -1 : 0;
}

/* At the end: a FIFO whose reader is gone holds records nobody reads. */
static void count_unread_at_end(int fd)
{
    if (fd >= 0 && fifo_reader_gone(fd) == 1)
        count_unread(fd);
}

/* No sink from now on (the fatal-signal handler sees -1 before the descriptor closes). */
static void sink_close_fd(void)
{
    int fd = atomic_exchange(&relay.sink.fd, -1);
    if (fd >= 0)
        close_own_fd(fd);
}

/* The sink took records: `block` holds again. Under relay.lock. */
static void sink_took(void)
{
    relay.sink.taken_ns = now_ns();
    if (relay.sink.stalled)
        pl_log(LOG_INFO, "aclsub: the sink takes records again");
    relay.sink.stalled = 0;
    relay.progress++;
}

/*
 * Whole records a regular-file sink can still take under the file-size
 * limit (RLIMIT_FSIZE), less `reserve`; SIZE_MAX without a limit or for
 * anything but a regular file.  The library never writes past the limit,
 * so no write of its own raises SIGXFSZ or leaves a torn record, and the
 * program's handling of SIGXFSZ is never touched.  Async-signal-safe
 * system calls only.
 */
static size_t fsize_room(int fd, size_t reserve)
{
    struct rlimit rl;
    struct stat st;
    if (getrlimit(RLIMIT_FSIZE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || fstat(fd, &st) != 0 ||
        !S_ISREG(st.st_mode))
        return SIZE_MAX;
    int fl = fcntl(fd, F_GETFL);
    off_t pos = fl >= 0 && (fl & O_APPEND) ? st.st_size : lseek(fd, 0, SEEK_CUR);
    if (pos < 0)
        return SIZE_MAX;
    if ((uint64_t)pos >= (uint64_t)rl.rlim_cur)
        return 0;
    uint64_t whole = ((uint64_t)rl.rlim_cur - (uint64_t)pos) / REC;
    return whole > reserve ? (size_t)(whole - reserve) : 0;
}

/*
 * A write to the sink ended inside a record (`part` bytes of it written):
 * a file the library opened by path is cut back to the record boundary,
 * when nothing was written after it.  The record is not delivered either
 * way.  Under relay.lock.
 */
static void cut_torn_record(int fd, size_t part)
{
    struct stat st;
    off_t end = lseek(fd, 0, SEEK_CUR);
    if (relay.sink.kind == SINK_FILE && end >= (off_t)part && fstat(fd, &st) == 0 && st.st_size == end &&
        ftruncate(fd, end - (off_t)part) != 0)
        pl_log(LOG_WARN, "aclsub: cannot cut a torn record from the sink: %s", strerror(errno));
}

/* A pending SIGXFSZ of the relay thread (where every signal is blocked) is taken, never delivered. */
static void take_sigxfsz(void)
{
    signal_discard(SIGXFSZ);
}

/*
 * The sink reached the file-size limit: data records are dropped (and
 * counted) from now on; the descriptor stays open for the stream end, for
 * which END_RESERVE records of room were kept.  Under relay.lock.
 */
static void sink_full(void)
{
    take_sigxfsz();
    if (!relay.sink.dead)
        pl_log(LOG_WARN, "aclsub: the sink reached its file-size limit (RLIMIT_FSIZE); records from now on are "
                         "dropped (and counted)");
    sink_dead();
}

/*
 * Forgets the queued records no write has claimed and counts the data
 * records among them as dropped (a records-lost notice among them passes
 * its count on to the next); records a write (or the fatal-signal
 * handler) has claimed are left to it.  Under relay.lock.
 */
static void ring_drop_unclaimed(void)
{
    size_t t = atomic_load(&relay.ring.tail), h = atomic_load(&relay.ring.head);
    if (t == h || !atomic_compare_exchange_strong(&relay.ring.claimed, &t, h))
        return;
    uint64_t data = 0;
    for (size_t i = t; i < h; i++) {
        const unsigned char *rec = relay.ring.slots + (i % relay.ring.cap) * REC;
        if (rec[ACLSUB_OFF_KIND] < ACLSUB_KIND_STREAM_START)
            data++;
        else if (rec[ACLSUB_OFF_KIND] == ACLSUB_KIND_LOST) /* its count goes into the next notice */
            relay.lost_unreported += le64_get(rec + ACLSUB_OFF_ARG);
    }
    relay.dropped += data;
    relay.lost_unreported += data;
    atomic_store(&relay.ring.tail, h);
}

/*
 * Writes the n records that end the stream (n * 512 <= PIPE_BUF: one
 * write, whole on a pipe), waiting for a full sink until `deadline`.
 * Returns 1 if they were written.  On the relay thread, where every
 * signal is blocked; under relay.lock.
 */
static int write_end_records(int fd, const unsigned char *p, size_t n, uint64_t deadline)
{
    size_t room = fsize_room(fd, 0);
    if (room == 0)
        return 0; /* a file at its size limit: the stream end is left out, never torn */
    if (room < n) {
        p += (n - room) * REC; /* the stream end before the notice */
        n = room;
    }
    for (;;) {
        ssize_t w = write(fd, p, n * REC);
        if (w == (ssize_t)(n * REC))
            return 1;
        if (w > 0 && (size_t)w % REC) {
            cut_torn_record(fd, (size_t)w % REC);
            take_sigxfsz();
            return 0;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN && now_ns() < deadline) {
            struct pollfd pf = {.fd = fd, .events = POLLOUT};
            poll(&pf, 1, 10);
            continue;
        }
        if (w < 0 && errno == EPIPE) {
            sigpipe_discard();
        }
        return 0;
    }
}

/*
 * The end of the stream, once nothing more will be read from the models'
 * pipes (exit, a fatal signal's last flush, exec): the records a FIFO's
 * departed reader never read and what the ring still holds are counted as
 * dropped first, and only then are the counts taken, so that the stream
 * end says exactly what a reader could read.  The records-lost notice due
 * and the stream end go out in one write, waiting for a full sink until
 * `deadline`; they are control records, never counted as data.  On the
 * relay thread, under relay.lock.
 */
/*
 * Under relay.lock, before the stream end is encoded: the one-hop models'
 * counts join the totals, and what the runtime writes into them from now
 * on belongs to no stream (it is neither written nor counted).
 */
static void onehop_close_stream(void)
{
    pthread_mutex_lock(&relay.onehop_lock);
    for (int i = 0; i < ONEHOP_MAX; i++) {
        onehop_slot *h = &relay.onehop[i];
        if (!atomic_load(&h->fd1) || h->closed)
            continue;
        relay.onehop_written += h->written;
        relay.onehop_dropped += h->dropped;
        h->written = h->dropped = 0;
        h->closed = 1;
    }
    pthread_mutex_unlock(&relay.onehop_lock);
}

static void end_stream(uint64_t deadline)
{
    int fd = atomic_load(&relay.sink.fd);
    onehop_close_stream();
    count_unread_at_end(fd); /* before the drop: it looks at the slots written last */
    ring_drop_unclaimed();
    unsigned char recs[2 * REC];
    size_t n = encode_stream_end(recs);
    if (fd >= 0 && sink_still_ours(fd))
        write_end_records(fd, recs, n, deadline);
}

/* Writing failed for good (errno e): records from now on are dropped (and counted).  Under relay.lock. */
static void sink_write_failed(int e)
{
    if (e == EFBIG) {
        sink_full(); /* another writer, or a lower limit, took the room: the stream end may still fit */
        return;
    }
    pl_log(LOG_WARN, "aclsub: writing to the sink failed: %s; records from now on are dropped", strerror(e));
    sink_close_fd();
    sink_dead();
}

/* The FIFO's reader went away: wait for the next one.  Under relay.lock. */
static void sink_reader_left(int fd)
{
    count_unread(fd);
    sink_close_fd();
    relay.sink.pending = 1;
    relay.sink.reader_left = 1;
    pl_log(LOG_INFO, "aclsub: the FIFO's reader left; records are dropped until a new reader opens it");
}

/*
 * A one-hop write found the FIFO without a reader: the relay's sink
 * follows.  Asked again on the next round while a drain blurs the answer.
 * Under relay.lock.
 */
static void sink_probe_reader(void)
{
    int fd = atomic_load(&relay.sink.fd);
    if (relay.sink.kind != SINK_FIFO || fd < 0 || relay.sink.pending)
        return;
    int gone = fifo_reader_gone(fd);
    if (gone > 0)
        sink_reader_left(fd);
    else if (gone < 0)
        atomic_store(&relay.onehop_reader_gone, 1);
}

/*
 * Writes queued records: at most PIPE_BUF bytes per write() to a FIFO or
 * pipe, so that records from several writers never interleave; larger
 * writes to a regular file (O_APPEND places each write whole).  Returns 1
 * if it wrote something.  Under relay.lock.
 */
static int write_sink(void)
{
    int fd = atomic_load(&relay.sink.fd);
    size_t t = atomic_load(&relay.ring.tail), h = atomic_load(&relay.ring.head);
    if (fd < 0 || t == h || !sink_still_ours(fd))
        return 0;
    size_t n = h - t, slot = t % relay.ring.cap, max = relay.sink.kind == SINK_FILE ? FILE_WRITE_MAX : WRITE_MAX;
    if (n > max)
        n = max;
    size_t room = fsize_room(fd, END_RESERVE);
    if (room == 0) {
        sink_full();
        return 0;
    }
    if (n > room)
        n = room;
    if (n > relay.ring.cap - slot)
        n = relay.ring.cap - slot; /* no wrap inside one write */
    size_t expect = t;
    if (!atomic_compare_exchange_strong(&relay.ring.claimed, &expect, t + n))
        return 0; /* the fatal-signal handler writes them */
    ssize_t w = write(fd, relay.ring.slots + slot * REC, n * REC);
    size_t claim = t + n;
    atomic_compare_exchange_strong(&relay.ring.claimed, &claim, t + (w > 0 ? ((size_t)w + REC - 1) / REC : 0));
    if (w > 0) {
        /* Pipes take all or nothing below PIPE_BUF; files may take less. */
        size_t done = (size_t)w / REC;
        if ((size_t)w % REC) {
            /* Finish the record we started so that no record is split. */
            size_t rest = REC - (size_t)w % REC;
            const unsigned char *p = relay.ring.slots + slot * REC + (size_t)w;
            errno = 0;
            while (rest > 0) {
                ssize_t x = write(fd, p, rest);
                if (x < 0 && errno == EINTR)
                    continue;
                if (x <= 0)
                    break;
                p += x;
                rest -= (size_t)x;
            }
            if (rest) {
                /* It could not be finished (a full disk, a limit): cut back, counted as dropped. */
                int e = errno ? errno : EIO;
                cut_torn_record(fd, REC - rest);
                atomic_store(&relay.ring.claimed, t + done);
                atomic_store(&relay.ring.tail, t + done);
                if (done)
                    sink_took();
                sink_write_failed(e);
                return done > 0;
            }
            done++;
        }
        atomic_store(&relay.ring.tail, t + done);
        sink_took();
        return 1;
    }
    if (w < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (w < 0 && errno == EPIPE && relay.sink.kind == SINK_FIFO) {
        sigpipe_discard();
        sink_reader_left(fd);
        return 0;
    }
    if (w < 0 && errno == EBADF) {
        sink_lost();
        return 0;
    }
    sink_write_failed(w < 0 ? errno : EIO);
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
    return c->on_full_block && !relay.sink.dead && !relay.sink.reader_left && !relay.sink.stalled;
}

/*
 * `block` waits for a sink that takes records, never for one that takes
 * nothing (no reader yet, a reader that stopped reading): after stall_ns
 * without taking a record the relay drops (and counts) what does not fit,
 * and keeps reading the models' pipes, so that the runtime, and with it
 * the program's unload and finalize, never waits on the relay.  Returns
 * the ms until the stall would be declared (for poll), or 1000.  Under
 * relay.lock.
 */
static int check_stall(void)
{
    uint64_t now = now_ns();
    if (!ring_used() || relay.sink.taken_ns == 0)
        relay.sink.taken_ns = now;
    if (relay.sink.stalled || now - relay.sink.taken_ns < relay.stall_ns) {
        uint64_t left = relay.sink.stalled ? 1000000000u : relay.stall_ns - (now - relay.sink.taken_ns);
        return left >= 1000000000u ? 1000 : (int)(left / 1000000u) + 1;
    }
    relay.sink.stalled = 1;
    pl_log(LOG_WARN, "aclsub: the sink took nothing for %" PRIu64 " ms; records that do not fit are dropped "
                     "(and counted) until it takes some",
           relay.stall_ns / 1000000u);
    pthread_cond_broadcast(&relay.cond);
    return 1000;
}

/* relay.final: what a last flush is at. */
enum {
    FINAL_NONE,      /* none asked for */
    FINAL_ASKED,     /* a fatal signal or _exit asks for one; the thread ends after it */
    FINAL_DONE,      /* done (or the thread is gone) */
    FINAL_EXEC,      /* exec asks for one; the thread then holds still */
    FINAL_HELD,      /* done; the thread holds still until exec fails */
    FINAL_RESUME     /* exec failed: a new stream starts, the thread goes on */
};

#define FINAL_QUIET_MS 20     /* a last flush reads the pipes until they stay empty this long */
#define FINAL_WAIT_NS 2000000000ull /* the fatal-signal handler waits this long for the last flush */

/* Writes the ring out for a last flush, waiting for a slow sink until deadline. */
static void final_write(uint64_t deadline)
{
    while (ring_used() && atomic_load(&relay.sink.fd) >= 0 && now_ns() < deadline) {
        if (write_sink())
            continue;
        struct pollfd p = {.fd = atomic_load(&relay.sink.fd), .events = POLLOUT};
        poll(&p, 1, 10);
    }
}

/*
 * A last flush, on the relay thread: every record the runtime has written
 * or writes until the pipes stay quiet (those of executes that returned)
 * reaches the sink, within FINAL_WAIT_NS less a margin; what does not is
 * counted as dropped, then the stream end is written (end_stream).  Under
 * relay.lock.
 */
static void last_flush(const pl_config *c, unsigned char *buf)
{
    uint64_t start = now_ns(), write_by = start + FINAL_WAIT_NS * 3 / 4, end_by = start + FINAL_WAIT_NS * 9 / 10;
    relay.sink.stalled = 1; /* never hold the runtime back now: drop what does not fit */
    atomic_store(&relay.onehop_nowait, 1); /* nor on one hop into a FIFO */
    for (int quiet = 0; !quiet && now_ns() < write_by;) {
        quiet = 1;
        for (pl_model *m = relay.models; m; m = m->next)
            while (m->rfd >= 0 && read_model(c, m, buf, READ_CHUNK) == 2) {
                quiet = 0;
                final_write(write_by);
            }
        if (quiet) {
            uint64_t moves = atomic_load(&relay.onehop_moves);
            pthread_mutex_unlock(&relay.lock);
            struct timespec ts = {0, FINAL_QUIET_MS * 1000000L};
            nanosleep(&ts, NULL);
            pthread_mutex_lock(&relay.lock);
            quiet = atomic_load(&relay.onehop_moves) == moves; /* the runtime still writes on one hop */
            for (pl_model *m = relay.models; m && quiet; m = m->next) {
                int n = 0;
                quiet = m->rfd < 0 || ioctl(m->rfd, FIONREAD, &n) != 0 || n == 0;
            }
        }
    }
    final_write(write_by);
    end_stream(end_by);
}

/* A fatal signal's (or _exit's) last flush; the handler waits for FINAL_DONE.  Under relay.lock. */
static void final_flush(const pl_config *c, unsigned char *buf)
{
    last_flush(c, buf);
    atomic_store(&relay.final, FINAL_DONE);
}

/*
 * After an exec that failed: the stream goes on as a new one, as a new
 * image of the process would start it (FORMAT.md): a stream start, counts
 * from 0, each model's records numbered from 0 again.  Under relay.lock.
 */
static void restart_stream(void)
{
    relay.produced = relay.dropped = relay.lost_unreported = 0;
    relay.models_followed = 0;
    pthread_mutex_lock(&relay.onehop_lock);
    relay.onehop_written = relay.onehop_dropped = 0; /* the models on one hop are subscribed anew (hooks.c) */
    atomic_store(&relay.onehop_unnoticed, 0);
    atomic_store(&relay.onehop_lost_total, 0);
    atomic_store(&relay.onehop_stalled, 0);
    atomic_store(&relay.onehop_taken_ns, 0);
    atomic_store(&relay.onehop_nowait, 0);
    pthread_mutex_unlock(&relay.onehop_lock);
    for (pl_model *m = relay.models; m; m = m->next)
        if (m->rfd >= 0) {
            m->out_seq = 0;
            relay.models_followed++;
        }
    relay.sink.stalled = 0;
    relay.sink.taken_ns = 0;
    if (relay.ring.cap - ring_used() >= 1)
        push_stream_start();
    relay.progress++;
}

/*
 * Before exec, on the relay thread: the last flush and the stream end,
 * then nothing is read or written until the exec has failed (the caller
 * says so with FINAL_RESUME) or the process image is gone; then a new
 * stream.  Under relay.lock (released while holding still).
 */
static void exec_flush(const pl_config *c, unsigned char *buf)
{
    last_flush(c, buf);
    int want = FINAL_EXEC;
    if (atomic_compare_exchange_strong(&relay.final, &want, FINAL_HELD)) {
        pthread_mutex_unlock(&relay.lock);
        struct timespec ts = {0, 2000000L};
        while (atomic_load(&relay.final) == FINAL_HELD)
            nanosleep(&ts, NULL);
        pthread_mutex_lock(&relay.lock);
    }
    restart_stream();
    atomic_store(&relay.final, FINAL_NONE);
}

static void *relay_main(void *arg)
{
    (void)arg;
    const pl_config *c = pl_config_get();
    unsigned char *buf = malloc(READ_CHUNK);
    struct pollfd *pfd = NULL;
    size_t pfd_cap = 0;
    pthread_mutex_lock(&relay.lock);
    for (;;) {
        if (atomic_load(&relay.final) == FINAL_ASKED) {
            final_flush(c, buf);
            break;
        }
        if (atomic_load(&relay.final) == FINAL_EXEC) {
            exec_flush(c, buf);
            continue;
        }
        int resume = FINAL_RESUME; /* an exec that failed before this thread came to flush */
        atomic_compare_exchange_strong(&relay.final, &resume, FINAL_NONE);
        if (relay.sink.pending) {
            int fd = pl_sink_retry(c);
            if (fd >= 0) {
                sink_set(fd);
                relay.sink.pending = 0;
                relay.sink.reader_left = 0;
            } else if (errno == ESTALE) { /* the path no longer names our FIFO: for good */
                relay.sink.pending = 0;
                sink_dead();
            }
        }
        if (atomic_exchange(&relay.onehop_reader_gone, 0))
            sink_probe_reader();
        size_t nm = 0;
        for (pl_model *m = relay.models; m; m = m->next)
            nm++;
        if (nm + 2 > pfd_cap) {
            pfd_cap = (nm + 2) * 2;
            pfd = realloc(pfd, pfd_cap * sizeof *pfd);
        }
        int wait_ms = check_stall();
        int room = !blocking(c) || relay.ring.cap - ring_used() >= 3;
        size_t k = 0;
        int woken = !atomic_load(&relay.wake_lost);
        pfd[k++] = (struct pollfd){.fd = woken ? relay.wake[0] : -1, .events = POLLIN};
        int sfd = atomic_load(&relay.sink.fd);
        pfd[k++] = (struct pollfd){.fd = ring_used() && sfd >= 0 ? sfd : -1, .events = POLLOUT};
        int all_done = 1;
        for (pl_model *m = relay.models; m; m = m->next) {
            all_done &= m->rfd < 0;
            if (m->rfd >= 0 && room)
                pfd[k++] = (struct pollfd){.fd = m->rfd, .events = POLLIN};
        }
        if (relay.stop && ((all_done && (!ring_used() || relay.sink.dead)) || relay.abandon)) {
            /* A sink that took nothing for stall_ns, or a finish that gave up, is not waited for again. */
            end_stream(now_ns() + (relay.sink.stalled || relay.abandon ? 0 : relay.stall_ns));
            break;
        }
        pthread_mutex_unlock(&relay.lock);
        int again = relay.sink.pending || !woken || atomic_load(&relay.onehop_reader_gone);
        int rc = poll(pfd, k, again && wait_ms > 50 ? 50 : wait_ms);
        pthread_mutex_lock(&relay.lock);
        if (rc < 0)
            continue;
        if (pfd[0].revents & POLLNVAL) {
            fds_lost("wake-up pipe");
            atomic_store(&relay.wake_lost, 1);
        } else if (pfd[0].revents & POLLIN) {
            char drain[64];
            while (read(relay.wake[0], drain, sizeof drain) > 0)
                ;
        }
        if (pfd[1].revents & POLLNVAL)
            sink_lost();
        /*
         * The model list may have changed while this thread polled without
         * the lock: match the ready descriptors to models by fd.  A read end
         * is closed by this thread, or by pl_relay_attach_failed before the
         * runtime ever wrote to it; if a new model's pipe took that number
         * meanwhile, the read is non-blocking and finds nothing, or that
         * model's records.
         */
        for (pl_model *m = relay.models; m; m = m->next) {
            short ev = 0;
            for (size_t i = 2; i < k && m->rfd >= 0; i++)
                if (pfd[i].fd == m->rfd)
                    ev = pfd[i].revents;
            if (m->rfd >= 0 && (ev & POLLNVAL))
                model_lost(m);
            if (m->rfd < 0 || !(ev & (POLLIN | POLLHUP | POLLERR)))
                continue;
            size_t max = READ_CHUNK;
            if (blocking(c)) {
                size_t free_recs = relay.ring.cap - ring_used();
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
                    size_t free_recs = relay.ring.cap - ring_used();
                    free_recs = free_recs > 2 ? free_recs - 2 : 0;
                    max = free_recs * REC < READ_CHUNK ? free_recs * REC : READ_CHUNK;
                    if (max < REC)
                        break;
                }
            }
            if (rc == 0) {
                close_own_fd(m->rfd);
                m->rfd = -1;
                relay.progress++;
            }
        }
        /* Write until the sink would block or the ring is empty. */
        while (write_sink())
            ;
        pthread_cond_broadcast(&relay.cond);
    }
    relay.thread_live = 0;
    atomic_store(&relay.thread_up, 0);
    pthread_cond_broadcast(&relay.cond);
    pthread_mutex_unlock(&relay.lock);
    free(pfd);
    free(buf);
    return NULL;
}

/* Under relay.lock: opens the sink and starts the thread on first use. */
static int relay_start_locked(void)
{
    if (relay.started)
        return relay.failed ? -1 : 0;
    relay.started = 1;
    relay.failed = 1;
    const pl_config *c = pl_config_get();
    size_t desc = 0;
    if (!relay.acc.desc_size || relay.acc.desc_size(&desc) != ACL_SUCCESS || desc == 0 || desc > REC) {
        pl_log(LOG_WARN, "aclsub: the runtime's record size (%zu) is not usable; running without profiling",
               desc);
        return -1;
    }
    relay.in_size = desc;
    relay.stall_ns = read_stall_ns();
    int pending = 0, kind = SINK_FILE;
    int fd = pl_sink_open(c, &kind, &pending);
    if (fd < 0 && !pending)
        return -1;
    relay.ring.cap = c->buffer_records;
    relay.ring.slots = malloc(relay.ring.cap * REC);
    if (!relay.ring.slots || pipe2(relay.wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        pl_log(LOG_WARN, "aclsub: out of memory for a %zu-record buffer; running without profiling", relay.ring.cap);
        if (fd >= 0)
            close_own_fd(fd);
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        relay.wake[i] = pl_fd_lift(relay.wake[i]);
        pl_fd_protect(relay.wake[i]);
    }
    relay.wake_ino = fd_ino(relay.wake[1]);
    sink_set(fd);
    relay.sink.kind = kind;
    relay.sink.pending = pending;
    relay.pid = getpid();
    push_stream_start();
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&relay.thread, NULL, relay_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return -1;
    relay.thread_live = 1;
    atomic_store(&relay.thread_up, 1);
    relay.failed = 0;
    return 0;
}

/*
 * Under relay.lock, the relay started: 1 if a model may go on one hop.
 * Only into a regular file the library opened by path (it never blocks
 * and never loses its reader, so the runtime's writer needs neither
 * `block` nor `drop`), without a file-size limit (the runtime's writes
 * could tear a record at it), over a runtime that writes aclsub records,
 * with no operator filter.
 */
static int onehop_possible(const pl_config *c)
{
    struct rlimit rl;
    int file = relay.sink.kind == SINK_FILE && getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur == RLIM_INFINITY;
    int fifo = relay.sink.kind == SINK_FIFO && !relay.sink.reader_left && !relay.sink.stalled;
    return (file || fifo) && !relay.sink.pending && !relay.sink.dead && atomic_load(&relay.sink.fd) >= 0 &&
           relay.in_size == REC && !c->op_types && !c->op_names;
}

/* Under relay.lock: the one-hop slot of model id in use, or NULL. */
static onehop_slot *onehop_find(uint32_t id)
{
    for (int i = 0; i < ONEHOP_MAX; i++)
        if (atomic_load(&relay.onehop[i].fd1) && relay.onehop[i].id == id)
            return &relay.onehop[i];
    return NULL;
}

/*
 * The descriptor the runtime writes into for a FIFO sink: a memory file
 * (always writable, a regular file to the runtime's writer, so that it
 * writes large chunks and never polls the FIFO itself) whose writes the
 * library's write() takes and puts into the FIFO; nothing is ever written
 * into it.  -1 if none can be made.
 */
static int onehop_token(void)
{
    int t = memfd_create("aclsub-onehop", MFD_CLOEXEC);
    if (t < 0)
        return -1;
    int fd = fcntl(t, F_DUPFD_CLOEXEC, pl_fd_floor());
    syscall(SYS_close, t);
    return fd;
}

/* Under relay.lock: follows model id on one hop; the runtime's descriptor, or -1 (then a pipe). */
static int onehop_attach(uint32_t id)
{
    onehop_slot *h = NULL;
    for (int i = 0; i < ONEHOP_MAX && !h; i++)
        if (!atomic_load(&relay.onehop[i].fd1))
            h = &relay.onehop[i];
    int sink = atomic_load(&relay.sink.fd);
    struct stat st, tst;
    if (h && sink >= 0 && !sink_still_ours(sink)) /* closed behind the library's back: a file sink is opened again */
        sink = atomic_load(&relay.sink.fd);
    if (!h || sink < 0 || fstat(sink, &st) != 0)
        return -1;
    int out = fcntl(sink, F_DUPFD_CLOEXEC, pl_fd_floor());
    if (out < 0)
        return -1;
    int fd = out;
    if (S_ISFIFO(st.st_mode)) {
        fd = onehop_token();
        if (fd < 0 || fstat(fd, &tst) != 0) {
            if (fd >= 0)
                syscall(SYS_close, fd);
            syscall(SYS_close, out);
            return -1;
        }
        pl_fd_protect(out);
    } else {
        tst = st;
    }
    pl_fd_protect_runtime(fd);
    pthread_mutex_lock(&relay.onehop_lock);
    h->id = id;
    h->dev = tst.st_dev;
    h->ino = tst.st_ino;
    h->out = out;
    h->out_dev = st.st_dev;
    h->out_ino = st.st_ino;
    h->next_seq = h->written = h->dropped = 0;
    h->closed = h->lost = 0;
    h->fifo = S_ISFIFO(st.st_mode);
    atomic_store(&h->fd1, fd + 1);
    atomic_fetch_add(&relay.onehop_n, 1);
    pthread_mutex_unlock(&relay.onehop_lock);
    relay.models_followed++;
    return fd;
}

/* Under relay.lock: forgets a one-hop slot; its counts join the stream's. */
static void onehop_retire(onehop_slot *h)
{
    int fd = atomic_load(&h->fd1) - 1;
    pthread_mutex_lock(&relay.onehop_lock);
    if (!h->closed) {
        relay.onehop_written += h->written;
        relay.onehop_dropped += h->dropped;
    }
    atomic_store(&h->fd1, 0);
    atomic_fetch_sub(&relay.onehop_n, 1);
    int out = h->out;
    h->out = -1;
    pthread_mutex_unlock(&relay.onehop_lock);
    /* The runtime closed it when the subscription ended (a lost number is not ours to close). */
    pl_fd_unprotect(fd);
    if (out != fd && out >= 0)
        close_own_fd(out);
}

/* Under onehop_lock: n records of slot h did not reach the sink. */
static void onehop_drop(onehop_slot *h, uint64_t n)
{
    h->dropped += n;
    atomic_fetch_add(&relay.onehop_unnoticed, n);
    atomic_fetch_add(&relay.onehop_lost_total, n);
}

/*
 * Under onehop_lock: the FIFO's reader left.  What it had not read was
 * counted as written: it is taken out of the FIFO and counted as dropped
 * (from this slot's written records first, then from the other slots').
 */
static void onehop_reader_gone(onehop_slot *h)
{
    sigpipe_discard();
    if (atomic_exchange(&relay.onehop_reader_left, 1) == 0) {
        atomic_store(&relay.onehop_reader_gone, 1); /* the relay thread tells the user and waits for a new reader */
        wake_relay();
    }
    uint64_t unread = pl_sink_fifo_drain();
    for (int i = -1; i < ONEHOP_MAX && unread; i++) {
        onehop_slot *s = i < 0 ? h : &relay.onehop[i];
        if (i >= 0 && (s == h || !atomic_load(&s->fd1) || s->closed))
            continue;
        uint64_t take = unread < s->written ? unread : s->written;
        s->written -= take;
        onehop_drop(s, take);
        unread -= take;
    }
}

/*
 * Under onehop_lock: a records-lost notice for the drops since the last
 * one, written ahead of the records that follow them, in a write of its
 * own.  Left for later when the FIFO has no room for it.
 */
static void onehop_notice(int fd, ssize_t (*real_write)(int, const void *, size_t))
{
    uint64_t lost = atomic_load(&relay.onehop_unnoticed);
    if (!lost)
        return;
    unsigned char rec[REC];
    lost_notice(rec, lost, relay.dropped + atomic_load(&relay.onehop_lost_total));
    if (real_write(fd, rec, REC) == (ssize_t)REC)
        atomic_fetch_sub(&relay.onehop_unnoticed, lost);
}

/* Whether a full FIFO holds the runtime back (`block`, a reader reading, no last flush). */
static int onehop_fifo_blocks(void)
{
    return pl_config_get()->on_full_block && !atomic_load(&relay.onehop_stalled) &&
           !atomic_load(&relay.onehop_reader_left) && !atomic_load(&relay.onehop_nowait);
}

/* The FIFO took records: `block` holds again. */
static void onehop_took(void)
{
    atomic_store(&relay.onehop_taken_ns, now_ns());
    if (atomic_exchange(&relay.onehop_stalled, 0))
        pl_log(LOG_INFO, "aclsub: the sink takes records again");
    if (atomic_exchange(&relay.onehop_reader_left, 0))
        pl_log(LOG_INFO, "aclsub: a new reader opened the FIFO; records are delivered again");
}

#define ONEHOP_WAIT_MS 10 /* a waiting writer looks at the stream's state this often */

/*
 * Under onehop_lock, released while waiting: `block` on a full FIFO.
 * Returns 1 to write again, 0 to drop: the FIFO took nothing for stall_ns
 * (from then on records that do not fit are dropped until it takes some,
 * as the relay does), or a last flush began.
 */
static int onehop_fifo_wait(int fd)
{
    uint64_t now = now_ns(), taken = atomic_load(&relay.onehop_taken_ns);
    if (taken == 0 || now < taken) {
        atomic_store(&relay.onehop_taken_ns, now);
        taken = now;
    }
    if (now - taken >= relay.stall_ns) {
        if (!atomic_exchange(&relay.onehop_stalled, 1))
            pl_log(LOG_WARN, "aclsub: the sink took nothing for %" PRIu64 " ms; records that do not fit are dropped "
                             "(and counted) until it takes some",
                   relay.stall_ns / 1000000u);
        return 0;
    }
    pthread_mutex_unlock(&relay.onehop_lock);
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    poll(&p, 1, ONEHOP_WAIT_MS);
    pthread_mutex_lock(&relay.onehop_lock);
    return 1;
}

/*
 * Under onehop_lock, released on return: the runtime's n records at p into
 * the FIFO (SIGPIPE held: pl_outside_signals_hold), up to ONEHOP_FIFO_WRITE_MAX records per
 * write(): fewer, larger writes wake the reader less often, and Linux
 * splits a pipe write only at page boundaries (a write it cannot finish
 * at once stops at one, O_NONBLOCK), so that the records of several
 * writers, each writing whole records, never tear.  A full FIFO is waited for
 * with `block` and dropped from with `drop`; a reader that left drops
 * what comes until a new one reads.  Records the stream end already
 * counted (a last flush while waiting) are neither written nor counted.
 */
static void onehop_fifo_write(onehop_slot *h, const unsigned char *p, size_t n,
                              ssize_t (*real_write)(int, const void *, size_t))
{
    int fd = h->out;
    size_t done = 0;
    while (done < n && !h->closed) {
        size_t k = n - done < ONEHOP_FIFO_WRITE_MAX ? n - done : ONEHOP_FIFO_WRITE_MAX;
        if (h->lost || atomic_load(&relay.onehop_nowait) == 2) {
            onehop_drop(h, n - done); /* as the relay's last flush: what did not fit, and all after it */
            break;
        }
        onehop_notice(fd, real_write);
        ssize_t w = real_write(fd, p + done * REC, k * REC);
        int e = errno;
        if (w > 0) { /* the FIFO took what it had room for: whole records */
            h->written += (size_t)w / REC;
            done += (size_t)w / REC;
            onehop_took();
            continue;
        }
        if (w < 0 && e == EINTR)
            continue;
        if (w < 0 && e == EAGAIN) {
            if (onehop_fifo_blocks() && onehop_fifo_wait(fd))
                continue;
        } else if (w < 0 && e == EPIPE) {
            onehop_reader_gone(h);
        } else if (!relay.onehop_failed_told++) {
            pl_log(LOG_WARN, "aclsub: writing to the sink failed: %s; records that do not fit are dropped (counted)",
                   w < 0 ? strerror(e) : "short write");
        }
        onehop_drop(h, k);
        done += k;
        if (atomic_load(&relay.onehop_nowait))
            atomic_store(&relay.onehop_nowait, 2); /* the last flush dropped: so is all that follows */
    }
    pthread_mutex_unlock(&relay.onehop_lock);
}

/* Under onehop_lock, released on return: the runtime's n records at p into the regular-file sink. */
static void onehop_file_write(onehop_slot *h, int fd, const unsigned char *p, size_t n,
                              ssize_t (*real_write)(int, const void *, size_t))
{
    ssize_t w = h->lost ? -1 : real_write(fd, p, n * REC);
    int e = errno;
    size_t done = w > 0 ? (size_t)w / REC : 0;
    h->written += done;
    h->dropped += n - done;
    int tell = done < n && !h->lost && !relay.onehop_failed_told++;
    pthread_mutex_unlock(&relay.onehop_lock);
    if (tell)
        pl_log(LOG_WARN, "aclsub: writing to the sink failed: %s; records that do not fit are dropped (counted)",
               w < 0 ? strerror(e) : "short write");
}

/* pl_relay_onehop_write's work, with the outside signals held (pl_outside_signals_hold). */
static int onehop_write(onehop_slot *h, int fd, const void *buf, size_t len,
                        ssize_t (*real_write)(int, const void *, size_t), ssize_t *ret)
{
    const unsigned char *p = buf;
    size_t n = len / REC;
    pthread_mutex_lock(&relay.onehop_lock);
    if (atomic_load(&h->fd1) != fd + 1) { /* retired meanwhile: the runtime's own write */
        pthread_mutex_unlock(&relay.onehop_lock);
        return 0;
    }
    *ret = (ssize_t)len; /* the runtime's writer never fails: every record it makes comes here and is counted */
    atomic_fetch_add(&relay.onehop_moves, 1);
    if (h->closed) {
        pthread_mutex_unlock(&relay.onehop_lock);
        return 1;
    }
    /* Numbers the runtime skipped (it could not keep the records) are dropped records. */
    for (size_t i = 0; i < n; i++) {
        uint64_t seq = le64_get(p + i * REC + ACLSUB_OFF_SEQ);
        if (seq > h->next_seq)
            onehop_drop(h, seq - h->next_seq);
        h->next_seq = seq + 1;
    }
    struct stat st;
    if (!h->lost && (fstat(fd, &st) != 0 || st.st_dev != h->dev || st.st_ino != h->ino))
        h->lost = 1; /* the number names something else by now: never write into it */
    if (!h->lost && h->out != fd && (fstat(h->out, &st) != 0 || st.st_dev != h->out_dev || st.st_ino != h->out_ino))
        h->lost = 1;
    if (len % REC) { /* not the runtime's records: dropped, never written */
        onehop_drop(h, n);
        pthread_mutex_unlock(&relay.onehop_lock);
    } else if (h->fifo) {
        onehop_fifo_write(h, p, n, real_write);
    } else {
        onehop_file_write(h, fd, p, n, real_write);
    }
    return 1;
}

int pl_relay_onehop_write(int fd, const void *buf, size_t len, ssize_t (*real_write)(int, const void *, size_t),
                          ssize_t *ret)
{
    if (fd < 0 || atomic_load(&relay.onehop_n) == 0)
        return 0;
    onehop_slot *h = NULL;
    for (int i = 0; i < ONEHOP_MAX && !h; i++)
        if (atomic_load(&relay.onehop[i].fd1) == fd + 1)
            h = &relay.onehop[i];
    if (!h)
        return 0;
    sigset_t old;
    outside_signals_hold(&old); /* onehop_lock is taken */
    int mine = onehop_write(h, fd, buf, len, real_write, ret);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return mine;
}

int pl_relay_attach(uint32_t id, const char *label, int onehop)
{
    sigset_t sigs;
    int p[2];
    lock_in_program(&sigs);
    if (relay_start_locked() != 0) {
        unlock_in_program(&sigs);
        return -1;
    }
    if (onehop && onehop_possible(pl_config_get())) {
        int fd = onehop_attach(id);
        unlock_in_program(&sigs);
        if (fd >= 0) {
            pl_relay_flush(); /* the stream start is in the sink before the runtime's first record */
            pl_log(LOG_DEBUG, "aclsub: following model %u (%s) on one hop: the runtime writes into the file sink",
                   id, label);
            return fd;
        }
        lock_in_program(&sigs);
    }
    if (pipe2(p, O_CLOEXEC) != 0) {
        unlock_in_program(&sigs);
        return -1;
    }
    pl_model *m = calloc(1, sizeof *m);
    if (!m) {
        syscall(SYS_close, p[0]);
        syscall(SYS_close, p[1]);
        unlock_in_program(&sigs);
        return -1;
    }
    m->id = id;
    m->rfd = pl_fd_lift(p[0]);
    m->wfd = pl_fd_lift(p[1]);
    /* Only the read end: the runtime's writes stay blocking (back-pressure). */
    fcntl(m->rfd, F_SETFL, fcntl(m->rfd, F_GETFL) | O_NONBLOCK);
    fcntl(m->rfd, F_SETPIPE_SZ, PIPE_SIZE); /* fewer wake-ups; best effort */
    m->app_fd = -1;
    m->ino = fd_ino(m->rfd);
    pl_fd_protect(m->rfd);
    pl_fd_protect_runtime(m->wfd);
    m->next = relay.models;
    relay.models = m;
    relay.models_followed++;
    unlock_in_program(&sigs);
    wake_relay();
    pl_log(LOG_DEBUG, "aclsub: following model %u (%s) through the relay", id, label);
    return m->wfd;
}

static pl_model *active_model(uint32_t id)
{
    for (pl_model *m = relay.models; m; m = m->next)
        if (m->id == id && m->rfd >= 0)
            return m;
    return NULL;
}

void pl_relay_attach_failed(uint32_t id)
{
    sigset_t sigs;
    lock_in_program(&sigs);
    onehop_slot *h = onehop_find(id);
    if (h) {
        int fd = atomic_load(&h->fd1) - 1;
        onehop_retire(h);
        syscall(SYS_close, fd); /* the runtime never took it */
        relay.models_followed--;
    }
    for (pl_model **pp = &relay.models; *pp; pp = &(*pp)->next) {
        pl_model *m = *pp;
        if (m->id == id && m->rfd >= 0) {
            /* The runtime never took the write end: close both here. */
            close_own_fd(m->wfd);
            close_own_fd(m->rfd);
            *pp = m->next;
            free(m);
            relay.models_followed--;
            break;
        }
    }
    unlock_in_program(&sigs);
    wake_relay();
}

int pl_relay_lost(uint32_t id)
{
    sigset_t sigs;
    lock_in_program(&sigs);
    onehop_slot *h = onehop_find(id);
    if (h) {
        int fd = atomic_load(&h->fd1) - 1;
        struct stat st;
        pthread_mutex_lock(&relay.onehop_lock);
        if (!h->lost && (fstat(fd, &st) != 0 || st.st_dev != h->dev || st.st_ino != h->ino))
            h->lost = 1;
        int lost = h->lost;
        pthread_mutex_unlock(&relay.onehop_lock);
        if (lost && pl_fd_is_runtime(fd)) {
            /* Guarded in full: the runtime's close() of the number must not close the program's file. */
            fds_lost("duplicate of the sink given to the runtime");
            pl_fd_unprotect(fd);
            pl_fd_protect(fd);
        }
        unlock_in_program(&sigs);
        return lost;
    }
    pl_model *m = active_model(id);
    if (m && (fd_ino(m->rfd) != m->ino || fd_ino(m->wfd) != m->ino))
        model_lost(m);
    int lost = 0;
    for (m = relay.models; m; m = m->next)
        lost |= m->id == id && m->lost;
    unlock_in_program(&sigs);
    return lost;
}

int pl_relay_follows(uint32_t id)
{
    sigset_t sigs;
    lock_in_program(&sigs);
    int r = active_model(id) != NULL || onehop_find(id) != NULL;
    unlock_in_program(&sigs);
    return r;
}

int pl_relay_onehop(uint32_t id)
{
    sigset_t sigs;
    lock_in_program(&sigs);
    int r = onehop_find(id) != NULL;
    unlock_in_program(&sigs);
    return r;
}

size_t pl_relay_onehop_ids(uint32_t *ids, size_t max)
{
    sigset_t sigs;
    size_t n = 0;
    lock_in_program(&sigs);
    for (int i = 0; i < ONEHOP_MAX && n < max; i++)
        if (atomic_load(&relay.onehop[i].fd1))
            ids[n++] = relay.onehop[i].id;
    unlock_in_program(&sigs);
    return n;
}

/*
 * Under relay.lock: waits for a condition with a stall timeout; 1 when it
 * holds, 0 if the wait gave up, -1 when a fatal signal from outside is
 * pending (the caller lets the lock go without counting anything lost).
 */
static int wait_progress(int (*done)(uint32_t), uint32_t id)
{
    uint64_t last = relay.progress, since = now_ns();
    while (!done(id)) {
        if (!relay.thread_live)
            return 0;
        if (outside_signal_pending())
            return -1; /* its handler's last flush takes over once the lock is let go */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&relay.cond, &relay.lock, &ts);
        if (relay.progress != last) {
            last = relay.progress;
            since = now_ns();
        } else if (now_ns() - since > relay.stall_ns + 1000000000u) {
            return 0;
        }
    }
    return 1;
}

static int model_done(uint32_t id)
{
    for (pl_model *m = relay.models; m; m = m->next)
        if ((id == UINT32_MAX || m->id == id) && m->rfd >= 0)
            return 0;
    return 1;
}

static int thread_gone(uint32_t unused)
{
    (void)unused;
    return !relay.thread_live;
}

static int ring_empty(uint32_t unused)
{
    (void)unused;
    return ring_used() == 0 || relay.sink.dead || relay.sink.stalled;
}

/* Under relay.lock: is fd still used by another active program subscription? */
static int app_fd_shared(const pl_model *self, int fd)
{
    for (pl_model *m = relay.models; m; m = m->next)
        if (m != self && m->app_fd == fd && m->rfd >= 0)
            return 1;
    return 0;
}

void pl_relay_wait_done(uint32_t id, int close_app)
{
    sigset_t sigs;
    lock_in_program(&sigs);
    if (!relay.started || relay.failed) {
        unlock_in_program(&sigs);
        return;
    }
    /* One hop: the caller ended the subscription; the runtime wrote and closed before it returned. */
    for (int i = 0; i < ONEHOP_MAX; i++) {
        onehop_slot *h = &relay.onehop[i];
        if (atomic_load(&h->fd1) && (id == UINT32_MAX || h->id == id))
            onehop_retire(h);
    }
    wake_relay();
    if (wait_progress(model_done, id) == 0)
        pl_log(LOG_WARN, "aclsub: the runtime did not end the subscription of model %u in time", id);
    /* Retire the finished models; close the program's fds they held. */
    for (pl_model **pp = &relay.models; *pp;) {
        pl_model *m = *pp;
        if ((id == UINT32_MAX || m->id == id) && m->rfd < 0) {
            if (m->app_fd >= 0 && relay.acc.settings)
                relay.acc.settings(NULL); /* the program's subscription of it ends: its settings go */
            if (m->app_fd >= 0 && close_app && !app_fd_shared(m, m->app_fd)) {
                syscall(SYS_close, m->app_fd);
                if (m->app_dropped)
                    pl_log(LOG_WARN, "aclsub: subscription fd %d: %" PRIu64 " of %" PRIu64
                                     " records dropped (the reader closed the pipe)",
                           m->app_fd, m->app_dropped, m->app_dropped + m->app_written);
            }
            if (m->lost)
                pl_fd_unprotect(m->wfd); /* the runtime has ended its subscription */
            *pp = m->next;
            free(m);
            continue;
        }
        pp = &m->next;
    }
    unlock_in_program(&sigs);
}

void pl_relay_flush(void)
{
    sigset_t sigs;
    lock_in_program(&sigs);
    if (relay.started && !relay.failed) {
        wake_relay();
        int waited = wait_progress(ring_empty, 0);
        if (waited >= 0 && (waited == 0 || ring_used())) {
            uint64_t left = ring_data_records();
            relay.dropped += left;
            relay.lost_unreported += left;
            ring_discard();
            if (left)
                pl_log(LOG_WARN, "aclsub: the sink took nothing for %" PRIu64 " ms; %" PRIu64
                                 " buffered records dropped",
                       relay.stall_ns / 1000000u, left);
        }
    }
    unlock_in_program(&sigs);
}

static int ring_has_room(uint32_t need)
{
    return relay.ring.cap - ring_used() >= need || relay.sink.dead || relay.sink.stalled;
}

size_t pl_relay_push_control(const unsigned char *recs, size_t n)
{
    sigset_t sigs;
    size_t done = 0;
    lock_in_program(&sigs);
    /* END_RESERVE slots stay free for the records the relay itself must be able to queue. */
    while (relay.started && !relay.failed && done < n && !relay.sink.dead && !relay.sink.stalled) {
        if (relay.ring.cap - ring_used() < 1 + END_RESERVE) {
            wake_relay();
            if (wait_progress(ring_has_room, 1 + END_RESERVE) <= 0 || relay.ring.cap - ring_used() < 1 + END_RESERVE)
                break;
            continue;
        }
        ring_push(recs + done * REC);
        done++;
    }
    unlock_in_program(&sigs);
    wake_relay();
    return done;
}

aclError pl_relay_app_subscribe(uint32_t id, int fd)
{
    sigset_t sigs;
    lock_in_program(&sigs);
    pl_model *m = active_model(id);
    aclError rc = ACL_SUCCESS;
    if (!m)
        rc = ACL_ERROR_INVALID_MODEL_ID;
    else if (m->app_fd >= 0)
        rc = ACL_ERROR_PROF_REPEAT_SUBSCRIBE;
    struct stat st;
    if (rc == ACL_SUCCESS) {
        /* A number that names nothing is never written: whatever it names later is not the program's pipe. */
        int open = fstat(fd, &st) == 0;
        m->app_fd = fd;
        m->app_dead = !open;
        m->app_dev = open ? st.st_dev : 0;
        m->app_ino = open ? st.st_ino : 0;
    }
    unlock_in_program(&sigs);
    return rc;
}

int pl_relay_app_fd(uint32_t id)
{
    sigset_t sigs;
    lock_in_program(&sigs);
    pl_model *m = active_model(id);
    int fd = m ? m->app_fd : -1;
    unlock_in_program(&sigs);
    return fd;
}

void pl_relay_finish(void)
{
    sigset_t sigs;
    lock_in_program(&sigs);
    if (!relay.started || relay.failed) {
        unlock_in_program(&sigs);
        return;
    }
    unlock_in_program(&sigs);
    pl_relay_flush(); /* the stream end follows, with these counts, when the thread ends (end_stream) */
    lock_in_program(&sigs);
    relay.stop = 1;
    wake_relay();
    /* Never wait for good at exit: a runtime that keeps a pipe open is given up on. */
    int waited = wait_progress(thread_gone, 0);
    for (int i = 0; waited < 0 && i < 3; i++) { /* a fatal signal's last flush takes over: let it in */
        unlock_in_program(&sigs);
        lock_in_program(&sigs);
        waited = wait_progress(thread_gone, 0);
    }
    if (waited <= 0) {
        relay.abandon = 1;
        wake_relay();
    }
    unlock_in_program(&sigs);
    pthread_join(relay.thread, NULL);
    lock_in_program(&sigs);
    pthread_mutex_lock(&relay.onehop_lock);
    uint64_t p = relay.produced + relay.onehop_written + relay.onehop_dropped,
             d = relay.dropped + relay.onehop_dropped, models = relay.models_followed;
    pthread_mutex_unlock(&relay.onehop_lock);
    unlock_in_program(&sigs);
    const pl_config *c = pl_config_get();
    pl_log(LOG_INFO, "aclsub: %" PRIu64 " records, %" PRIu64 " dropped, %" PRIu64 " model(s) -> %s", p, d, models,
           c->output[0] ? c->output : "fd");
    if (d && c->log == LOG_WARN)
        pl_log(LOG_WARN, "aclsub: %" PRIu64 " records, %" PRIu64 " dropped, %" PRIu64 " model(s) -> %s", p, d,
               models, c->output[0] ? c->output : "fd");
    sink_close_fd();
}

/* In the forked child: closes the parent's read ends, wake-up pipe and sink; frees its models and ring. */
static void release_parent_relay(void)
{
    for (pl_model *m = relay.models, *next; m; m = next) {
        next = m->next;
        if (m->rfd >= 0)
            close_own_fd(m->rfd);
        free(m);
    }
    for (int i = 0; i < ONEHOP_MAX; i++)
        if (atomic_load(&relay.onehop[i].fd1)) {
            int fd = atomic_load(&relay.onehop[i].fd1) - 1, out = relay.onehop[i].out;
            close_own_fd(fd);
            if (out != fd && out >= 0)
                close_own_fd(out);
        }
    for (int i = 0; i < 2; i++)
        if (relay.wake[i] >= 0)
            close_own_fd(relay.wake[i]);
    /* The child opens the sink itself when it follows a model of its own. */
    sink_close_fd();
    free(relay.ring.slots);
}

void pl_relay_after_fork_child(int keep_profiling)
{
    /* Only this thread exists now; the parent's relay, pipes and buffer are the parent's. */
    static const struct relay_state initial = RELAY_STATE_INIT;
    release_parent_relay();
    pl_accessors acc = relay.acc;
    relay = initial;
    /* Made anew: another thread of the parent may have held them at the fork. */
    pthread_mutex_init(&relay.lock, NULL);
    pthread_cond_init(&relay.cond, NULL);
    pthread_mutex_init(&relay.onehop_lock, NULL);
    relay.acc = acc;
    if (!keep_profiling) {
        relay.started = 1;
        relay.failed = 1;
    }
}

/* From a signal handler: sleeps ms (nanosleep is async-signal-safe). */
static void signal_sleep_ms(long ms)
{
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* 1 if this process runs the relay thread (not a vfork child that shares its memory). */
static int relay_is_ours(void)
{
    return atomic_load(&relay.thread_up) && relay.pid == getpid() && !pthread_equal(pthread_self(), relay.thread);
}

/* From a signal handler: asks the relay thread for its last flush; 1 if it was done in time. */
static int final_flush_by_thread(void)
{
    int idle = FINAL_NONE;
    if (!relay_is_ours())
        return 0;
    if (!atomic_compare_exchange_strong(&relay.final, &idle, FINAL_ASKED))
        return atomic_load(&relay.final) == FINAL_DONE;
    wake_relay();
    for (uint64_t waited = 0; waited < FINAL_WAIT_NS; waited += 2000000u) {
        if (atomic_load(&relay.final) == FINAL_DONE)
            return 1;
        signal_sleep_ms(2);
    }
    return 0;
}

int pl_relay_before_exec(void)
{
    int idle = FINAL_NONE;
    if (!relay.ring.slots || !relay_is_ours() || !atomic_compare_exchange_strong(&relay.final, &idle, FINAL_EXEC))
        return 0;
    wake_relay();
    for (uint64_t waited = 0; waited < FINAL_WAIT_NS && atomic_load(&relay.final) == FINAL_EXEC;
         waited += 2000000u)
        signal_sleep_ms(2);
    return 1;
}

void pl_relay_exec_failed(void)
{
    atomic_store(&relay.final, FINAL_RESUME);
    wake_relay();
}

void pl_relay_flush_from_signal(void)
{
    /*
     * The relay thread flushes (pipes, ring, stream end) unless it cannot
     * (it waits for a lock the interrupted thread holds): then write() only,
     * async-signal-safe, the records in the ring no write has claimed, so
     * that none is written twice.
     */
    if (!relay.ring.slots || final_flush_by_thread() || (relay.pid && relay.pid != getpid()))
        return;
    int fd = atomic_load(&relay.sink.fd);
    for (int i = 0; i < 50 && atomic_load(&relay.ring.claimed) != atomic_load(&relay.ring.tail); i++)
        signal_sleep_ms(2); /* a write in flight ends first */
    size_t t = atomic_load(&relay.ring.tail), h = atomic_load(&relay.ring.head);
    if (fd < 0 || !atomic_compare_exchange_strong(&relay.ring.claimed, &t, h))
        return;
    size_t room = fsize_room(fd, 0); /* never past a file-size limit: no SIGXFSZ in the program's thread */
    if (h - t > room)
        h = t + room;
    while (t < h) {
        size_t slot = t % relay.ring.cap, n = h - t;
        if (n > WRITE_MAX)
            n = WRITE_MAX;
        if (n > relay.ring.cap - slot)
            n = relay.ring.cap - slot;
        ssize_t w = write(fd, relay.ring.slots + slot * REC, n * REC);
        if (w <= 0)
            break;
        t += (size_t)w / REC;
    }
}

void pl_relay_wait_restarted(void)
{
    for (int i = 0; i < 1000 && atomic_load(&relay.final) != FINAL_NONE; i++)
        signal_sleep_ms(2);
    pl_relay_flush();
}
