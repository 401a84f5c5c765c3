/*
 * bench_pipe.c - the record reader and the pipe-ceiling measurement of the
 * interposer benchmark (tests/bench/run.sh).  Plain POSIX; it knows the
 * record layout of docs/FORMAT.md by offset and links no aclsub code.
 *
 *   bench_pipe read FIFO
 *       Opens FIFO for reading, prints "reading FIFO" (the FIFO now has a
 *       reader), waits up to 20 s for a writer, drains the FIFO with large
 *       read() calls until end of file and takes every 512-byte record
 *       apart: its magic must be right (a torn or misaligned record fails
 *       the run), operator and whole-execute records are counted as data,
 *       control records (stream start, records lost, stream end) by kind,
 *       and the stream-end record's counts (records delivered, dropped,
 *       models) are reported, with the reader's own CPU time and context
 *       switches.  Each read() is timestamped: the delivery
 *       rate is the data records that arrived after the first read holding
 *       data, divided by the time from that read to the last read holding
 *       data.
 *
 *   bench_pipe ceiling RECORDS HOPS [WRITE_BYTES]
 *       The raw pipe ceiling of this machine, for calibration.  HOPS 1: a
 *       writer process writes RECORDS 512-byte records into a pipe,
 *       WRITE_BYTES (default 4096, PIPE_BUF: 8 records) per write(), and
 *       this process reads them as `read` does.  HOPS 2: the same with a
 *       copier process in between that reads the first pipe in reads of up
 *       to 64 KiB and writes the second in writes of WRITE_BYTES: with the
 *       default, the shape of the path through libaclsub.so (runtime
 *       writer -> pipe -> relay -> FIFO -> reader) with no work done on the
 *       records.  WRITE_BYTES is a multiple of 512 up to 65536.
 *
 * Both modes end with a line starting with "RESULT" holding key=value
 * pairs for scripts.  Exit status 0; 1 when something fails (a system
 * call, a bad record, a partial record at the end); 2 on bad arguments.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REC 512u
#define READ_BYTES (1u << 20) /* one read() asks for this much */
#define WRITE_BYTES 4096u     /* PIPE_BUF: what the relay writes at most; the default */
#define COPY_BYTES (64u * 1024u)
#define WRITER_WAIT_S 20 /* read: longest wait for a writer to open the FIFO */

/* Record fields used here (docs/FORMAT.md), little-endian. */
#define OFF_MAGIC 80
#define OFF_KIND 85
#define OFF_ARG0 128
#define REC_MAGIC 0x534C4341u
enum { KIND_OP = 0, KIND_RUN = 1, KIND_START = 16, KIND_LOST = 17, KIND_END = 18 };

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bench_pipe: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    fflush(NULL);
    _exit(1);
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* --- draining a stream ------------------------------------------------------------- */

typedef struct {
    uint64_t bytes, reads, records, data, ops, runs, control, lost_notices;
    uint64_t first_data_ns, last_data_ns, data_after_first; /* data records after the first read holding data */
    int end_seen;
    uint64_t end_records, end_dropped, end_models;
} stream_stats;

/* Takes whole records apart; returns the number of data records among them. */
static uint64_t take(stream_stats *s, const unsigned char *p, size_t len)
{
    uint64_t data = 0;
    for (size_t off = 0; off < len; off += REC) {
        const unsigned char *r = p + off;
        if (get_le(r + OFF_MAGIC, 4) != REC_MAGIC)
            die("record %" PRIu64 " (byte %" PRIu64 "): bad magic: torn or misaligned records", s->records,
                s->bytes - len + off);
        s->records++;
        switch (r[OFF_KIND]) {
        case KIND_OP:
            s->ops++;
            data++;
            break;
        case KIND_RUN:
            s->runs++;
            data++;
            break;
        case KIND_LOST:
            s->lost_notices++;
            s->control++;
            break;
        case KIND_END:
            s->end_seen = 1;
            s->end_records = get_le(r + OFF_ARG0, 8);
            s->end_dropped = get_le(r + OFF_ARG0 + 8, 8);
            s->end_models = get_le(r + OFF_ARG0 + 16, 8);
            s->control++;
            break;
        default:
            s->control++;
            break;
        }
    }
    s->data += data;
    return data;
}

/*
 * Reads fd to end of file with large reads.  A FIFO opened with O_NONBLOCK
 * (`waiting`) reads 0 until a writer has opened it: that is polled for, up
 * to WRITER_WAIT_S seconds; once a writer is there the reads block.
 */
static void drain(int fd, stream_stats *s, int waiting)
{
    unsigned char *buf = malloc(READ_BYTES + REC);
    if (!buf)
        die("out of memory");
    size_t carry = 0;
    memset(s, 0, sizeof *s);
    uint64_t give_up = mono_ns() + WRITER_WAIT_S * 1000000000ull;
    for (;;) {
        ssize_t n = read(fd, buf + carry, READ_BYTES);
        if (n < 0 && errno == EINTR)
            continue;
        if (waiting && (n > 0 || (n < 0 && errno == EAGAIN))) {
            /* A writer has the FIFO open: from now on read() blocks, and 0 is end of file. */
            waiting = 0;
            int fl = fcntl(fd, F_GETFL);
            if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0)
                die("fcntl: %s", strerror(errno));
            if (n < 0)
                continue;
        }
        if (n == 0 && waiting) {
            if (mono_ns() > give_up)
                die("no writer opened the FIFO within %d s", WRITER_WAIT_S);
            struct timespec ms = {0, 1000000};
            nanosleep(&ms, NULL);
            continue;
        }
        if (n < 0)
            die("read: %s", strerror(errno));
        if (n == 0)
            break;
        uint64_t now = mono_ns();
        s->reads++;
        s->bytes += (uint64_t)n;
        size_t have = carry + (size_t)n, whole = have / REC * REC;
        uint64_t data = take(s, buf, whole);
        if (data) {
            if (!s->first_data_ns)
                s->first_data_ns = now;
            else
                s->data_after_first += data;
            s->last_data_ns = now;
        }
        carry = have - whole;
        memmove(buf, buf + whole, carry);
    }
    free(buf);
    if (carry)
        die("the stream ends inside a record (%zu bytes left over)", carry);
}

static double rate_of(const stream_stats *s)
{
    if (s->last_data_ns <= s->first_data_ns)
        return 0.0;
    return (double)s->data_after_first * 1e9 / (double)(s->last_data_ns - s->first_data_ns);
}

static int mode_read(const char *path)
{
    /* Opened without waiting for a writer, so that the caller can tell when the reader is in place. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        die("%s: %s", path, strerror(errno));
    printf("reading %s\n", path);
    stream_stats s;
    drain(fd, &s, 1);
    close(fd);
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        die("getrusage: %s", strerror(errno));
    double cpu_ns = ((double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec) * 1e9 +
                    ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) * 1e3;
    double span = s.last_data_ns > s.first_data_ns ? (double)(s.last_data_ns - s.first_data_ns) : 0.0;
    printf("%s: %" PRIu64 " records (%" PRIu64 " operator, %" PRIu64 " whole-execute, %" PRIu64
           " control), %.1f MiB in %" PRIu64 " reads\n",
           path, s.records, s.ops, s.runs, s.control, (double)s.bytes / 1048576.0, s.reads);
    if (s.end_seen)
        printf("  stream end: %" PRIu64 " records delivered, %" PRIu64 " dropped, %" PRIu64 " model(s); "
               "%" PRIu64 " records-lost notices\n",
               s.end_records, s.end_dropped, s.end_models, s.lost_notices);
    else
        printf("  no stream-end record\n");
    printf("  data records arrived over %.3f s: %.0f records/s\n", span / 1e9, rate_of(&s));
    printf("  reader: CPU time %.1f ms (%.0f ns per record), context switches %ld voluntary, %ld involuntary\n",
           cpu_ns / 1e6, s.records ? cpu_ns / (double)s.records : 0.0, ru.ru_nvcsw, ru.ru_nivcsw);
    printf("RESULT records=%" PRIu64 " data=%" PRIu64 " ops=%" PRIu64 " runs=%" PRIu64 " control=%" PRIu64
           " lost_notices=%" PRIu64 " bytes=%" PRIu64 " reads=%" PRIu64 " end_seen=%d end_records=%" PRIu64
           " end_dropped=%" PRIu64 " end_models=%" PRIu64 " first_data_ns=%" PRIu64 " last_data_ns=%" PRIu64
           " span_ns=%.0f rate_rps=%.0f cpu_ns=%.0f vcsw=%ld ivcsw=%ld\n",
           s.records, s.data, s.ops, s.runs, s.control, s.lost_notices, s.bytes, s.reads, s.end_seen,
           s.end_records, s.end_dropped, s.end_models, s.first_data_ns, s.last_data_ns, span, rate_of(&s), cpu_ns,
           ru.ru_nvcsw, ru.ru_nivcsw);
    return 0;
}

/* --- the ceiling ------------------------------------------------------------------------ */

static void write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            die("write: %s", w < 0 ? strerror(errno) : "wrote nothing");
        p += w;
        len -= (size_t)w;
    }
}

static size_t write_bytes = WRITE_BYTES; /* ceiling: bytes per write() */

/* Writer process: `records` operator records, write_bytes per write(). */
static void run_writer(int fd, uint64_t records)
{
    unsigned char *chunk = calloc(1, write_bytes);
    if (!chunk)
        die("out of memory");
    for (size_t off = 0; off < write_bytes; off += REC) {
        chunk[off + OFF_MAGIC] = 0x41;
        chunk[off + OFF_MAGIC + 1] = 0x43;
        chunk[off + OFF_MAGIC + 2] = 0x4C;
        chunk[off + OFF_MAGIC + 3] = 0x53;
        chunk[off + OFF_KIND] = KIND_OP;
    }
    uint64_t per = write_bytes / REC;
    for (uint64_t done = 0; done < records;) {
        uint64_t n = records - done < per ? records - done : per;
        write_all(fd, chunk, (size_t)(n * REC));
        done += n;
    }
    free(chunk);
}

/* Copier process: large reads from in, writes of at most write_bytes (whole records) to out. */
static void run_copier(int in, int out)
{
    unsigned char *buf = malloc(COPY_BYTES + REC);
    if (!buf)
        die("out of memory");
    size_t carry = 0;
    for (;;) {
        ssize_t n = read(in, buf + carry, COPY_BYTES);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("copier read: %s", strerror(errno));
        if (n == 0)
            break;
        size_t have = carry + (size_t)n, whole = have / REC * REC;
        for (size_t off = 0; off < whole; off += write_bytes)
            write_all(out, buf + off, whole - off < write_bytes ? whole - off : write_bytes);
        carry = have - whole;
        memmove(buf, buf + whole, carry);
    }
    free(buf);
}

static pid_t spawn(void (*body)(int, int, uint64_t), int a, int b, uint64_t n, const int *close_fds, int nclose)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        for (int i = 0; i < nclose; i++)
            close(close_fds[i]);
        body(a, b, n);
        close(a);
        close(b);
        _exit(0);
    }
    return pid;
}

static void body_writer(int fd, int unused, uint64_t n)
{
    (void)unused;
    run_writer(fd, n);
}

static void body_copier(int in, int out, uint64_t n)
{
    (void)n;
    run_copier(in, out);
}

static void reap(pid_t pid, const char *what)
{
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            die("waitpid: %s", strerror(errno));
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        die("the %s process failed (status 0x%x)", what, st);
}

static int mode_ceiling(uint64_t records, int hops)
{
    signal(SIGPIPE, SIG_DFL);
    int a[2], b[2] = {-1, -1};
    if (pipe(a) != 0 || (hops == 2 && pipe(b) != 0))
        die("pipe: %s", strerror(errno));
    pid_t writer, copier = -1;
    int rfd;
    if (hops == 1) {
        int others[] = {a[0]};
        writer = spawn(body_writer, a[1], -1, records, others, 1);
        close(a[1]);
        rfd = a[0];
    } else {
        int w_others[] = {a[0], b[0], b[1]};
        writer = spawn(body_writer, a[1], -1, records, w_others, 3);
        int c_others[] = {a[1], b[0]};
        copier = spawn(body_copier, a[0], b[1], 0, c_others, 2);
        close(a[0]);
        close(a[1]);
        close(b[1]);
        rfd = b[0];
    }
    stream_stats s;
    drain(rfd, &s, 0);
    close(rfd);
    reap(writer, "writer");
    if (copier > 0)
        reap(copier, "copier");
    if (s.data != records)
        die("%" PRIu64 " records arrived, %" PRIu64 " were written", s.data, records);
    double span = (double)(s.last_data_ns - s.first_data_ns);
    printf("%d hop(s): %" PRIu64 " records of 512 bytes, %zu-byte writes, reads of up to %u KiB: %" PRIu64
           " reads in %.3f s, %.0f records/s (%.0f MiB/s)\n",
           hops, records, write_bytes, READ_BYTES / 1024, s.reads, span / 1e9, rate_of(&s),
           rate_of(&s) * REC / 1048576.0);
    printf("RESULT hops=%d records=%" PRIu64 " write_bytes=%zu reads=%" PRIu64 " span_ns=%.0f rate_rps=%.0f\n", hops,
           records, write_bytes, s.reads, span, rate_of(&s));
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 3 && strcmp(argv[1], "read") == 0)
        return mode_read(argv[2]);
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "ceiling") == 0) {
        char *end = NULL;
        errno = 0;
        unsigned long long n = strtoull(argv[2], &end, 10);
        int hops = atoi(argv[3]);
        long wb = argc == 5 ? atol(argv[4]) : (long)WRITE_BYTES;
        if (argv[2][0] == '-' || errno || end == argv[2] || *end || n < 1 || n > (1ULL << 40) ||
            (hops != 1 && hops != 2) || wb < (long)REC || wb > 65536 || wb % REC) {
            fprintf(stderr, "bench_pipe: ceiling RECORDS HOPS [WRITE_BYTES]: RECORDS >= 1, HOPS 1 or 2, "
                            "WRITE_BYTES a multiple of 512 up to 65536\n");
            return 2;
        }
        write_bytes = (size_t)wb;
        return mode_ceiling(n, hops);
    }
    fprintf(stderr, "usage: %s read FIFO\n       %s ceiling RECORDS HOPS [WRITE_BYTES]\n", argv[0], argv[0]);
    return 2;
}
