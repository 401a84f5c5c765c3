/*
 * bench_prof.c - measures what profiling subscription costs per operator on
 * the emulated AscendCL device.  A plain AscendCL program: only <acl/acl.h>
 * and <acl/acl_prof.h>, linked against libascendcl.so.
 *
 *   bench_prof MODEL.om ITERATIONS [BLOCK]
 *
 * The model is loaded, its inputs and outputs are allocated and filled, and
 * it is warmed up with and without a subscription.  Then, in one run,
 * ITERATIONS synchronous aclmdlExecute calls are timed without a
 * subscription and ITERATIONS with one, in alternating blocks of BLOCK
 * executes (default: ITERATIONS / 10, between 1 and 10) in the order
 * off, on, on, off, off, on, ... so that slow drift of the machine (clock
 * frequency, other load) cancels out.  For each subscribed block the model
 * is subscribed to the write end of one pipe (a dup of it, which the
 * runtime closes at unsubscription) and unsubscribed after the block, outside
 * the timed region; a reader thread drains the pipe with large reads and
 * takes each record apart (docs/FORMAT.md).  Before an unsubscribed block
 * starts, the reader has consumed every record, so it never competes with
 * the executes it is not meant to disturb.  The records of a block's last
 * execute drain while it unsubscribes, outside the timed region, and its
 * first execute starts with an empty queue: blocks of 10 keep that edge
 * effect to a few per cent of the steady-state cost (block 1 measures only
 * the encoding on the worker, not the transport).
 *
 * Printed: the operators per execute (counted in the records), median, mean
 * and spread of the execute wall time without and with subscription, their
 * difference per operator and their ratio (also paired: the median over
 * neighbouring off/on blocks of the difference of their medians), and from
 * the records the device time of each subscribed execute: the whole-run
 * record's span against the sum of the operators' durations, the difference
 * being the time the device worker spends between kernels.  The last line, starting with "RESULT",
 * holds the key numbers as key=value pairs for scripts.
 *
 * Every record is checked for its magic, order and sequence number, the
 * first record of every read is also checked through the accessors
 * (signature included), and the record count must match the executes: any
 * failure, like any failing AscendCL call, ends the program with status 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <acl/acl.h>
#include <acl/acl_prof.h>

#define REC 512u                  /* record size; checked against aclprofGetOpDescSize */
#define READ_BYTES (1u << 20)     /* one read() asks for this much */
#define MAX_IO 16                 /* model inputs / outputs handled */
#define QUIESCE_SECONDS 30        /* longest wait for the reader to catch up */

/* Record fields used here: byte offsets from docs/FORMAT.md, little-endian. */
enum {
    OFF_FLAG = 8,
    OFF_OP_INDEX = 16,
    OFF_DURATION = 24,
    OFF_START = 32,
    OFF_END = 40,
    OFF_MAGIC = 80,
    OFF_SEQ = 96,
    OFF_ITERATION = 104,
};
#define REC_MAGIC 0x534C4341u

/* --- failures ------------------------------------------------------------------- */

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bench_prof: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    fflush(NULL);
    _exit(1);
}

#define ACL_OK(call)                                                                                                   \
    do {                                                                                                               \
        aclError rc_ = (call);                                                                                         \
        if (rc_ != ACL_SUCCESS)                                                                                        \
            die("%s:%d: %s returned %d", __FILE__, __LINE__, #call, (int)rc_);                                         \
    } while (0)

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        die("out of memory (%zu x %zu bytes)", n, size);
    return p;
}

/* --- the reader ------------------------------------------------------------------ */

/* What the records say about one execute. */
typedef struct {
    uint64_t ops;       /* operator records since the previous whole-run record */
    uint64_t op_count;  /* the whole-run record's opIndex: the model's operator count */
    uint64_t sum_dur;   /* sum of the operators' durations, ns */
    uint64_t span;      /* whole-run record: end - start, ns */
} exec_rec;

typedef struct {
    int rfd;
    pthread_t th;
    unsigned char *buf; /* READ_BYTES plus room for a partial record */
    size_t have;        /* bytes in buf not yet parsed (less than one record) */

    /* parse state, reader thread only */
    uint64_t cur_ops, cur_sum, cur_iter;
    uint64_t next_seq;
    int in_sub; /* a record of the current subscription was seen */

    pthread_mutex_t lock; /* protects everything below */
    pthread_cond_t cond;
    exec_rec *execs;
    size_t nexec, cap;
    uint64_t records, reads, bytes, checked;
    int eof;
    char error[256]; /* the first inconsistency, if any */
} reader;

static void reader_fail(reader *r, const char *fmt, ...)
{
    pthread_mutex_lock(&r->lock);
    if (!r->error[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->error, sizeof r->error, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&r->lock);
}

/* Checks one record through the accessors: signature, and the fields parsed by offset. */
static void check_with_accessors(reader *r, const unsigned char *p)
{
    uint32_t n = 0;
    aclError rc = aclprofGetOpNum(p, REC, &n);
    if (rc != ACL_SUCCESS || n != 1) {
        reader_fail(r, "aclprofGetOpNum rejected a record (rc %d, n %u): bad signature?", (int)rc, n);
        return;
    }
    uint32_t flag = le32(p + OFF_FLAG);
    if ((uint32_t)aclprofGetOpFlag(p, REC, 0) != flag || aclprofGetOpStart(p, REC, 0) != le64(p + OFF_START) ||
        aclprofGetOpEnd(p, REC, 0) != le64(p + OFF_END) || aclprofGetOpDuration(p, REC, 0) != le64(p + OFF_DURATION))
        reader_fail(r, "the accessors disagree with the record's bytes (docs/FORMAT.md offsets)");
}

static void parse_record(reader *r, const unsigned char *p)
{
    if (le32(p + OFF_MAGIC) != REC_MAGIC) {
        reader_fail(r, "record %" PRIu64 ": bad magic 0x%08x (torn or foreign data)", r->records,
                    le32(p + OFF_MAGIC));
        return;
    }
    uint64_t seq = le64(p + OFF_SEQ);
    /* A new subscription starts again from 0; within one there are no gaps. */
    if (seq != r->next_seq && !(seq == 0 && r->cur_ops == 0)) {
        reader_fail(r, "sequence number %" PRIu64 " where %" PRIu64 " was expected: records lost", seq, r->next_seq);
        return;
    }
    r->next_seq = seq + 1;
    uint32_t flag = le32(p + OFF_FLAG);
    uint64_t iter = le64(p + OFF_ITERATION);
    if (flag == ACL_SUBSCRIBE_OP) {
        if (r->cur_ops == 0)
            r->cur_iter = iter;
        else if (iter != r->cur_iter)
            reader_fail(r, "execute %" PRIu64 " has no whole-run record", r->cur_iter);
        if (le64(p + OFF_OP_INDEX) != r->cur_ops)
            reader_fail(r, "operator index %" PRIu64 " where %" PRIu64 " was expected", le64(p + OFF_OP_INDEX),
                        r->cur_ops);
        r->cur_ops++;
        r->cur_sum += le64(p + OFF_DURATION);
    } else if (flag == ACL_SUBSCRIBE_SUBGRAPH) {
        if (r->cur_ops > 0 && iter != r->cur_iter)
            reader_fail(r, "whole-run record of execute %" PRIu64 " after operators of execute %" PRIu64, iter,
                        r->cur_iter);
        uint64_t start = le64(p + OFF_START), end = le64(p + OFF_END);
        exec_rec e = {r->cur_ops, le64(p + OFF_OP_INDEX), r->cur_sum, end >= start ? end - start : 0};
        pthread_mutex_lock(&r->lock);
        if (r->nexec == r->cap) {
            size_t cap = r->cap ? 2 * r->cap : 256;
            exec_rec *n = realloc(r->execs, cap * sizeof *n);
            if (!n) {
                pthread_mutex_unlock(&r->lock);
                die("out of memory");
            }
            r->execs = n;
            r->cap = cap;
        }
        r->execs[r->nexec++] = e;
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->lock);
        r->cur_ops = 0;
        r->cur_sum = 0;
    } else {
        reader_fail(r, "unexpected record flag %u in a subscription pipe", flag);
    }
}

static void *reader_main(void *arg)
{
    reader *r = arg;
    for (;;) {
        ssize_t n = read(r->rfd, r->buf + r->have, READ_BYTES);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            reader_fail(r, "read from the pipe: %s", strerror(errno));
            break;
        }
        if (n == 0)
            break;
        size_t len = r->have + (size_t)n, off = 0;
        if (len >= REC && r->have == 0)
            check_with_accessors(r, r->buf);
        for (; off + REC <= len; off += REC) {
            parse_record(r, r->buf + off);
            r->records++;
        }
        r->have = len - off;
        if (r->have)
            memmove(r->buf, r->buf + off, r->have);
        pthread_mutex_lock(&r->lock);
        r->reads++;
        r->bytes += (uint64_t)n;
        r->checked += len >= REC;
        pthread_mutex_unlock(&r->lock);
    }
    pthread_mutex_lock(&r->lock);
    if (r->have && !r->error[0])
        snprintf(r->error, sizeof r->error, "%zu bytes of a partial record at the end of the stream", r->have);
    r->eof = 1;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

/* Waits until the reader has seen `n` whole-run records (or failed). */
static void reader_wait(reader *r, size_t n)
{
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += QUIESCE_SECONDS;
    pthread_mutex_lock(&r->lock);
    while (r->nexec < n && !r->error[0] && !r->eof) {
        if (pthread_cond_timedwait(&r->cond, &r->lock, &dl) == ETIMEDOUT) {
            pthread_mutex_unlock(&r->lock);
            die("only %zu of %zu executes' records arrived within %d s of unsubscribing", r->nexec, n,
                QUIESCE_SECONDS);
        }
    }
    int bad = r->error[0] != 0;
    pthread_mutex_unlock(&r->lock);
    if (bad)
        die("records: %s", r->error);
}

/* --- the model and its buffers --------------------------------------------------------- */

typedef struct {
    uint32_t id;
    aclmdlDesc *desc;
    size_t nin, nout;
    void *in_dev[MAX_IO], *out_dev[MAX_IO];
    size_t in_size[MAX_IO], out_size[MAX_IO];
    aclmdlDataset *in, *out;
} model;

static aclmdlDataset *dataset_of(void **bufs, const size_t *sizes, size_t n)
{
    aclmdlDataset *ds = aclmdlCreateDataset();
    if (!ds)
        die("aclmdlCreateDataset failed");
    for (size_t i = 0; i < n; i++) {
        aclDataBuffer *b = aclCreateDataBuffer(bufs[i], sizes[i]);
        if (!b)
            die("aclCreateDataBuffer failed");
        ACL_OK(aclmdlAddDatasetBuffer(ds, b));
    }
    return ds;
}

static void dataset_free(aclmdlDataset *ds)
{
    size_t n = aclmdlGetDatasetNumBuffers(ds);
    for (size_t i = 0; i < n; i++)
        ACL_OK(aclDestroyDataBuffer(aclmdlGetDatasetBuffer(ds, i)));
    ACL_OK(aclmdlDestroyDataset(ds));
}

/* Fills a buffer of the given type with small deterministic values. */
static void fill_input(void *dev, size_t size, aclDataType dt, size_t salt)
{
    unsigned char *h = xcalloc(1, size);
    size_t es = dt == ACL_INT64 ? 8 : 4;
    for (size_t k = 0; k + es <= size; k += es) {
        uint32_t x = (uint32_t)((k / es + 1) * 2654435761u) ^ (uint32_t)(salt * 40503u);
        x ^= x >> 15;
        if (dt == ACL_FLOAT) {
            float v = (float)(x % 2001u) / 1000.0f - 1.0f;
            memcpy(h + k, &v, 4);
        } else if (dt == ACL_INT64) {
            int64_t v = 0; /* integer inputs (indices, shapes) stay at 0: valid for any op */
            memcpy(h + k, &v, 8);
        }
    }
    ACL_OK(aclrtMemcpy(dev, size, h, size, ACL_MEMCPY_HOST_TO_DEVICE));
    free(h);
}

static void model_open(model *m, const char *path)
{
    memset(m, 0, sizeof *m);
    ACL_OK(aclmdlLoadFromFile(path, &m->id));
    m->desc = aclmdlCreateDesc();
    if (!m->desc)
        die("aclmdlCreateDesc failed");
    ACL_OK(aclmdlGetDesc(m->desc, m->id));
    m->nin = aclmdlGetNumInputs(m->desc);
    m->nout = aclmdlGetNumOutputs(m->desc);
    if (m->nin > MAX_IO || m->nout < 1 || m->nout > MAX_IO)
        die("%s: %zu inputs and %zu outputs (at most %d each)", path, m->nin, m->nout, MAX_IO);
    for (size_t i = 0; i < m->nin; i++) {
        m->in_size[i] = aclmdlGetInputSizeByIndex(m->desc, i);
        size_t alloc = m->in_size[i] ? m->in_size[i] : 64;
        ACL_OK(aclrtMalloc(&m->in_dev[i], alloc, ACL_MEM_MALLOC_HUGE_FIRST));
        if (m->in_size[i])
            fill_input(m->in_dev[i], m->in_size[i], aclmdlGetInputDataType(m->desc, i), i);
    }
    for (size_t i = 0; i < m->nout; i++) {
        m->out_size[i] = aclmdlGetOutputSizeByIndex(m->desc, i);
        size_t alloc = m->out_size[i] ? m->out_size[i] : 64;
        ACL_OK(aclrtMalloc(&m->out_dev[i], alloc, ACL_MEM_MALLOC_HUGE_FIRST));
    }
    m->in = dataset_of(m->in_dev, m->in_size, m->nin);
    m->out = dataset_of(m->out_dev, m->out_size, m->nout);
}

static void model_close(model *m)
{
    dataset_free(m->in);
    dataset_free(m->out);
    for (size_t i = 0; i < m->nin; i++)
        ACL_OK(aclrtFree(m->in_dev[i]));
    for (size_t i = 0; i < m->nout; i++)
        ACL_OK(aclrtFree(m->out_dev[i]));
    ACL_OK(aclmdlDestroyDesc(m->desc));
    ACL_OK(aclmdlUnload(m->id));
}

/*
 * BENCH_PAUSE_US: an untimed pause after every execute, so that the writer
 * and the reader have drained the previous execute's records: what remains
 * of the difference is the profiling cost on the device itself.
 */
static long pause_us(void)
{
    static long v = -1;
    if (v < 0) {
        const char *e = getenv("BENCH_PAUSE_US");
        v = e ? strtol(e, NULL, 10) : 0;
        if (v < 0 || v > 1000000)
            v = 0;
    }
    return v;
}

/* Executes once; returns the wall time of aclmdlExecute in ns. */
static uint64_t execute_timed(const model *m)
{
    uint64_t t0 = now_ns();
    aclError rc = aclmdlExecute(m->id, m->in, m->out);
    uint64_t t1 = now_ns();
    if (rc != ACL_SUCCESS)
        die("aclmdlExecute(model %u) returned %d", m->id, (int)rc);
    if (pause_us()) {
        struct timespec ts = {pause_us() / 1000000, (pause_us() % 1000000) * 1000};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    return t1 - t0;
}

/* Subscribes the model to a fresh dup of wfd (the runtime closes it at unsubscription). */
static void subscribe(const model *m, int wfd)
{
    int fd = dup(wfd);
    if (fd < 0)
        die("dup: %s", strerror(errno));
    aclprofSubscribeConfig *cfg = aclprofCreateSubscribeConfig(1, ACL_AICORE_NONE, &fd);
    if (!cfg)
        die("aclprofCreateSubscribeConfig failed");
    ACL_OK(aclprofModelSubscribe(m->id, cfg));
    ACL_OK(aclprofDestroySubscribeConfig(cfg));
}

/* --- statistics ------------------------------------------------------------------------- */

typedef struct {
    double median, mean, min, p10, p90;
} summary;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile(const double *sorted, size_t n, double q)
{
    if (n == 1)
        return sorted[0];
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    if (i + 1 >= n)
        return sorted[n - 1];
    double f = pos - (double)i;
    return sorted[i] * (1.0 - f) + sorted[i + 1] * f;
}

static summary summarize(const double *v, size_t n)
{
    double *s = xcalloc(n, sizeof *s);
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    summary r = {0};
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += s[i];
    r.mean = sum / (double)n;
    r.min = s[0];
    r.median = quantile(s, n, 0.5);
    r.p10 = quantile(s, n, 0.1);
    r.p90 = quantile(s, n, 0.9);
    free(s);
    return r;
}

/* One table row: values in ns printed in the unit given (scale: ns per unit). */
static void row(const char *label, summary s, double scale, const char *unit)
{
    printf("  %-34s %11.2f %11.2f %11.2f %11.2f %11.2f  %s\n", label, s.median / scale, s.mean / scale,
           s.min / scale, s.p10 / scale, s.p90 / scale, unit);
}

static size_t parse_count(const char *s, const char *what)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || !end || *end || end == s || v < 1 || v > 10000000ULL || s[0] == '-')
        die("%s must be an integer from 1 to 10000000, not '%s'", what, s);
    return (size_t)v;
}

/* --- main ---------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s MODEL.om ITERATIONS [BLOCK]\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    size_t iters = parse_count(argv[2], "ITERATIONS");
    size_t block = iters / 10;
    if (block > 10)
        block = 10;
    if (block < 1)
        block = 1;
    if (argc == 4)
        block = parse_count(argv[3], "BLOCK");
    setvbuf(stdout, NULL, _IOLBF, 0);

    ACL_OK(aclInit(NULL));
    ACL_OK(aclrtSetDevice(0));
    aclrtContext ctx = NULL;
    ACL_OK(aclrtCreateContext(&ctx, 0));
    size_t rec_size = 0;
    ACL_OK(aclprofGetOpDescSize(&rec_size));
    if (rec_size != REC)
        die("aclprofGetOpDescSize says %zu bytes, this program reads %u-byte records", rec_size, REC);

    model m;
    model_open(&m, path);

    int p[2];
    if (pipe(p) != 0)
        die("pipe: %s", strerror(errno));
    reader rd;
    memset(&rd, 0, sizeof rd);
    rd.rfd = p[0];
    rd.buf = xcalloc(1, READ_BYTES + REC);
    pthread_mutex_init(&rd.lock, NULL);
    pthread_cond_init(&rd.cond, NULL);
    int prc = pthread_create(&rd.th, NULL, reader_main, &rd);
    if (prc != 0)
        die("pthread_create: %s", strerror(prc));

    /* Warm-up: caches, page faults, the writer thread's first start. */
    size_t warm_off = block < 3 ? 3 : block, warm_on = block;
    for (size_t i = 0; i < warm_off; i++)
        execute_timed(&m);
    subscribe(&m, p[1]);
    for (size_t i = 0; i < warm_on; i++)
        execute_timed(&m);
    ACL_OK(aclprofModelUnSubscribe(m.id));
    size_t subscribed = warm_on;
    reader_wait(&rd, subscribed);

    /* Measurement: blocks off, on, on, off, off, on, ... until both have `iters`. */
    double *t_off = xcalloc(iters, sizeof *t_off), *t_on = xcalloc(iters, sizeof *t_on);
    size_t n_off = 0, n_on = 0, blocks = 0;
    size_t max_blocks = 2 * ((iters + block - 1) / block);
    double *block_med = xcalloc(max_blocks, sizeof *block_med); /* per block, in order */
    int *block_on = xcalloc(max_blocks, sizeof *block_on);
    uint64_t unsub_ns = 0, sub_ns = 0;
    uint64_t t_begin = now_ns();
    for (size_t b = 0; n_off < iters || n_on < iters; b++) {
        int on = ((b + 1) / 2) % 2;
        size_t *n = on ? &n_on : &n_off;
        double *t = on ? t_on : t_off;
        if (*n >= iters)
            continue;
        size_t k = iters - *n < block ? iters - *n : block;
        if (on) {
            uint64_t s0 = now_ns();
            subscribe(&m, p[1]);
            sub_ns += now_ns() - s0;
        }
        for (size_t i = 0; i < k; i++)
            t[(*n)++] = (double)execute_timed(&m);
        block_med[blocks] = summarize(t + *n - k, k).median;
        block_on[blocks] = on;
        if (on) {
            uint64_t u0 = now_ns();
            ACL_OK(aclprofModelUnSubscribe(m.id));
            unsub_ns += now_ns() - u0;
            subscribed += k;
            reader_wait(&rd, subscribed);
        }
        blocks++;
    }
    double run_s = (double)(now_ns() - t_begin) / 1e9;

    /* End of the stream: no write end is left open. */
    close(p[1]);
    pthread_join(rd.th, NULL);
    close(p[0]);
    if (rd.error[0])
        die("records: %s", rd.error);
    if (rd.nexec != subscribed)
        die("%zu whole-run records for %zu subscribed executes", rd.nexec, subscribed);
    uint64_t ops = rd.execs[0].ops;
    for (size_t i = 0; i < rd.nexec; i++)
        if (rd.execs[i].ops != ops || rd.execs[i].op_count != ops)
            die("execute %zu: %" PRIu64 " operator records, whole-run record says %" PRIu64 ", first execute had %" PRIu64,
                i, rd.execs[i].ops, rd.execs[i].op_count, ops);
    if (ops == 0)
        die("the model's executes have no operator records");
    if (rd.records != (uint64_t)subscribed * (ops + 1))
        die("%" PRIu64 " records for %zu executes of %" PRIu64 " operators", rd.records, subscribed, ops);

    /* Device time of the measured subscribed executes (the warm-up ones come first). */
    const exec_rec *ex = rd.execs + warm_on;
    double *span = xcalloc(iters, sizeof *span), *sum = xcalloc(iters, sizeof *sum),
           *gap = xcalloc(iters, sizeof *gap), *host = xcalloc(iters, sizeof *host);
    for (size_t i = 0; i < iters; i++) {
        span[i] = (double)ex[i].span;
        sum[i] = (double)ex[i].sum_dur;
        gap[i] = (span[i] - sum[i]) / (double)ops;
        host[i] = t_on[i] - span[i]; /* executes and records are in the same order */
    }
    summary s_off = summarize(t_off, iters), s_on = summarize(t_on, iters);
    summary s_span = summarize(span, iters), s_sum = summarize(sum, iters), s_gap = summarize(gap, iters);
    summary s_host = summarize(host, iters);
    double diff = s_on.median - s_off.median;
    double diff_op = diff / (double)ops, diff_op_mean = (s_on.mean - s_off.mean) / (double)ops;
    double ratio = s_on.median / s_off.median;
    /* Paired: neighbouring blocks (off,on / on,off) differ only in the subscription. */
    size_t npairs = 0;
    double *pair = xcalloc(blocks / 2 + 1, sizeof *pair);
    for (size_t b = 0; b + 1 < blocks; b += 2)
        if (block_on[b] != block_on[b + 1])
            pair[npairs++] = block_on[b] ? block_med[b] - block_med[b + 1] : block_med[b + 1] - block_med[b];
    summary s_pair = npairs ? summarize(pair, npairs) : (summary){0};
    double pct = (ratio - 1.0) * 100.0;

    printf("model                               %s\n", path);
    printf("operators per execute (records)     %" PRIu64 "  (+1 whole-run record)\n", ops);
    printf("executes measured                   %zu without + %zu with subscription, blocks of %zu, "
           "%zu blocks in %.2f s\n",
           iters, iters, block, blocks, run_s);
    printf("records read                        %" PRIu64 " (%.1f MiB in %" PRIu64 " reads, %" PRIu64
           " checked by the accessors)\n",
           rd.records, (double)rd.bytes / 1048576.0, rd.reads, rd.checked);
    printf("subscribe / unsubscribe per block   %.1f us / %.1f us (outside the timed executes)\n",
           (double)sub_ns / 1e3 / (double)((iters + block - 1) / block),
           (double)unsub_ns / 1e3 / (double)((iters + block - 1) / block));
    printf("\n  %-34s %11s %11s %11s %11s %11s\n", "wall time of aclmdlExecute", "median", "mean", "min", "p10",
           "p90");
    row("without subscription", s_off, 1e3, "us");
    row("with subscription", s_on, 1e3, "us");
    printf("  %-34s %11.2f %11.2f %11s %11s %11s  us\n", "difference", diff / 1e3, (s_on.mean - s_off.mean) / 1e3,
           "", "", "");
    printf("  %-34s %11.1f %11.1f %11s %11s %11s  ns\n", "difference per operator", diff_op, diff_op_mean, "", "",
           "");
    printf("  %-34s %11.4f %11.4f %11s %11s %11s\n", "ratio with / without", ratio, s_on.mean / s_off.mean, "", "",
           "");
    printf("  %-34s %11.1f %11.1f %11s %11.1f %11.1f  ns  (%zu pairs of neighbouring blocks)\n",
           "paired difference per operator", s_pair.median / (double)ops, s_pair.mean / (double)ops, "",
           s_pair.p10 / (double)ops, s_pair.p90 / (double)ops, npairs);
    printf("\n  %-34s %11s %11s %11s %11s %11s\n", "device time, with subscription", "median", "mean", "min", "p10",
           "p90");
    row("whole-run span", s_span, 1e3, "us");
    row("sum of operator durations", s_sum, 1e3, "us");
    row("between kernels, per operator", s_gap, 1.0, "ns");
    row("execute wall time - span", s_host, 1e3, "us");
    printf("\n");
    printf("profiling cost per operator         %.1f ns (median; mean %.1f ns)\n", diff_op, diff_op_mean);
    printf("execute overhead with subscription  %+.2f %% (median; mean %+.2f %%)\n", pct,
           (s_on.mean / s_off.mean - 1.0) * 100.0);
    printf("device-time overhead per operator   %.1f ns (span - sum of durations, / operators)\n", s_gap.median);
    printf("RESULT ops=%" PRIu64 " iterations=%zu without_ns=%.0f with_ns=%.0f diff_per_op_ns=%.1f "
           "overhead_pct=%.3f paired_per_op_ns=%.1f gap_per_op_ns=%.1f\n",
           ops, iters, s_off.median, s_on.median, diff_op, pct, s_pair.median / (double)ops, s_gap.median);

    free(pair);
    free(block_med);
    free(block_on);
    free(span);
    free(sum);
    free(gap);
    free(host);
    free(t_off);
    free(t_on);
    free(rd.execs);
    free(rd.buf);
    model_close(&m);
    ACL_OK(aclrtDestroyContext(ctx));
    ACL_OK(aclrtResetDevice(0));
    ACL_OK(aclFinalize());
    return 0;
}
