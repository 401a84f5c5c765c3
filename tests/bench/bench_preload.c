/*
 * bench_preload.c - the program under measurement of the interposer
 * benchmark (tests/bench/run.sh).  A plain AscendCL inference program: it
 * includes only <acl/acl.h>, links only against libascendcl.so and never
 * calls aclprof*, so whatever profiling happens comes from an
 * LD_PRELOAD=libaclsub.so around it.  run.sh runs it alternately with and
 * without the preload and compares the numbers it prints.
 *
 *   bench_preload MODEL.om EXECUTES [WARMUP]
 *
 * Loads the model, allocates and fills its inputs (deterministic values)
 * and outputs, executes it WARMUP times untimed (default: EXECUTES / 10,
 * from 3 to 50), then EXECUTES times with the wall time of every
 * synchronous aclmdlExecute taken on CLOCK_MONOTONIC.  After the loop it
 * reads the outputs back, then unloads the model and finalizes AscendCL
 * (timed too: under the preload that is where the records still in flight
 * are flushed to the sink).
 *
 * Printed: the per-execute wall time (median, mean, min, p10, p90), the
 * loop's wall time, the CPU time the whole process used during the loop
 * (every thread: the device worker's, and the relay's when preloaded) and
 * its context switches, the time of unload + finalize, and a checksum of
 * the outputs.  The last line, starting with "RESULT", holds the numbers as
 * key=value pairs for scripts; times are in ns.
 *
 * Exit status 0; 1 with a line on stderr when an AscendCL call fails; 2 on
 * bad arguments.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <acl/acl.h>

#define MAX_IO 16

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bench_preload: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    fflush(NULL);
    _exit(1);
}

#define CHECK_ACL(call)                                                                                                \
    do {                                                                                                               \
        aclError e_ = (call);                                                                                          \
        if (e_ != ACL_SUCCESS)                                                                                         \
            die("%s:%d: %s failed with %d", __FILE__, __LINE__, #call, (int)e_);                                       \
    } while (0)

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time of every thread of the process so far, ns, and its context switches. */
static void process_usage(uint64_t *cpu_ns, uint64_t *vol_cs, uint64_t *invol_cs)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        die("getrusage: %s", strerror(errno));
    *cpu_ns = ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000u +
              ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000u;
    *vol_cs = (uint64_t)ru.ru_nvcsw;
    *invol_cs = (uint64_t)ru.ru_nivcsw;
}

static void *alloc_zero(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        die("out of memory (%zu x %zu bytes)", n, size);
    return p;
}

static size_t parse_count(const char *s, const char *what, size_t lo)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (s[0] == '-' || errno || end == s || *end || v < lo || v > 10000000ULL)
        die("%s must be an integer from %zu to 10000000, not '%s'", what, lo, s);
    return (size_t)v;
}

/* --- the model ------------------------------------------------------------------------- */

typedef struct {
    uint32_t id;
    aclmdlDesc *desc;
    size_t n_in, n_out;
    void *in[MAX_IO], *out[MAX_IO];
    size_t in_bytes[MAX_IO], out_bytes[MAX_IO];
    aclmdlDataset *in_set, *out_set;
} loaded_model;

static aclmdlDataset *make_dataset(void *const *bufs, const size_t *bytes, size_t n)
{
    aclmdlDataset *ds = aclmdlCreateDataset();
    if (!ds)
        die("aclmdlCreateDataset failed");
    for (size_t i = 0; i < n; i++) {
        aclDataBuffer *db = aclCreateDataBuffer(bufs[i], bytes[i]);
        if (!db)
            die("aclCreateDataBuffer failed");
        CHECK_ACL(aclmdlAddDatasetBuffer(ds, db));
    }
    return ds;
}

static void destroy_dataset(aclmdlDataset *ds)
{
    for (size_t i = aclmdlGetDatasetNumBuffers(ds); i > 0; i--)
        CHECK_ACL(aclDestroyDataBuffer(aclmdlGetDatasetBuffer(ds, i - 1)));
    CHECK_ACL(aclmdlDestroyDataset(ds));
}

/*
 * Deterministic input values: floats in [-1, 1] from a multiplicative hash
 * of the element index and the input's index; integer inputs (indices,
 * shapes) are 0, valid for every operator.
 */
static void fill_input(void *dev, size_t bytes, aclDataType type, size_t which)
{
    unsigned char *host = alloc_zero(1, bytes);
    if (type == ACL_FLOAT) {
        for (size_t k = 0; k + 4 <= bytes; k += 4) {
            uint32_t h = (uint32_t)(k / 4 + 7 * which + 1) * 0x9E3779B1u;
            h ^= h >> 16;
            float v = (float)(h % 4001u) / 2000.0f - 1.0f;
            memcpy(host + k, &v, sizeof v);
        }
    }
    CHECK_ACL(aclrtMemcpy(dev, bytes, host, bytes, ACL_MEMCPY_HOST_TO_DEVICE));
    free(host);
}

static void load_model(loaded_model *m, const char *path)
{
    memset(m, 0, sizeof *m);
    CHECK_ACL(aclmdlLoadFromFile(path, &m->id));
    m->desc = aclmdlCreateDesc();
    if (!m->desc)
        die("aclmdlCreateDesc failed");
    CHECK_ACL(aclmdlGetDesc(m->desc, m->id));
    m->n_in = aclmdlGetNumInputs(m->desc);
    m->n_out = aclmdlGetNumOutputs(m->desc);
    if (m->n_in > MAX_IO || m->n_out == 0 || m->n_out > MAX_IO)
        die("%s has %zu inputs and %zu outputs; this program handles 0..%d and 1..%d", path, m->n_in, m->n_out,
            MAX_IO, MAX_IO);
    for (size_t i = 0; i < m->n_in; i++) {
        m->in_bytes[i] = aclmdlGetInputSizeByIndex(m->desc, i);
        CHECK_ACL(aclrtMalloc(&m->in[i], m->in_bytes[i] ? m->in_bytes[i] : 64, ACL_MEM_MALLOC_HUGE_FIRST));
        if (m->in_bytes[i])
            fill_input(m->in[i], m->in_bytes[i], aclmdlGetInputDataType(m->desc, i), i);
    }
    for (size_t i = 0; i < m->n_out; i++) {
        m->out_bytes[i] = aclmdlGetOutputSizeByIndex(m->desc, i);
        CHECK_ACL(aclrtMalloc(&m->out[i], m->out_bytes[i] ? m->out_bytes[i] : 64, ACL_MEM_MALLOC_HUGE_FIRST));
    }
    m->in_set = make_dataset(m->in, m->in_bytes, m->n_in);
    m->out_set = make_dataset(m->out, m->out_bytes, m->n_out);
}

/* FNV-1a 64 over every output's bytes, read back from the device. */
static uint64_t output_checksum(const loaded_model *m)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < m->n_out; i++) {
        if (!m->out_bytes[i])
            continue;
        unsigned char *host = alloc_zero(1, m->out_bytes[i]);
        CHECK_ACL(aclrtMemcpy(host, m->out_bytes[i], m->out[i], m->out_bytes[i], ACL_MEMCPY_DEVICE_TO_HOST));
        for (size_t k = 0; k < m->out_bytes[i]; k++) {
            h ^= host[k];
            h *= 0x100000001b3u;
        }
        free(host);
    }
    return h;
}

static void unload_model(loaded_model *m)
{
    destroy_dataset(m->in_set);
    destroy_dataset(m->out_set);
    for (size_t i = 0; i < m->n_in; i++)
        CHECK_ACL(aclrtFree(m->in[i]));
    for (size_t i = 0; i < m->n_out; i++)
        CHECK_ACL(aclrtFree(m->out[i]));
    CHECK_ACL(aclmdlDestroyDesc(m->desc));
    CHECK_ACL(aclmdlUnload(m->id));
}

static uint64_t timed_execute(const loaded_model *m)
{
    uint64_t t0 = mono_ns();
    aclError rc = aclmdlExecute(m->id, m->in_set, m->out_set);
    uint64_t t1 = mono_ns();
    if (rc != ACL_SUCCESS)
        die("aclmdlExecute of model %u failed with %d", m->id, (int)rc);
    return t1 - t0;
}

/* --- statistics ------------------------------------------------------------------------- */

static int by_value(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Linear interpolation between the closest ranks of a sorted array. */
static double rank_value(const uint64_t *sorted, size_t n, double q)
{
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)pos;
    if (lo + 1 >= n)
        return (double)sorted[n - 1];
    double frac = pos - (double)lo;
    return (double)sorted[lo] + frac * ((double)sorted[lo + 1] - (double)sorted[lo]);
}

/* --- main ------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s MODEL.om EXECUTES [WARMUP]\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    size_t n = parse_count(argv[2], "EXECUTES", 1);
    size_t warm = n / 10;
    warm = warm < 3 ? 3 : warm > 50 ? 50 : warm;
    if (argc == 4)
        warm = parse_count(argv[3], "WARMUP", 0);
    setvbuf(stdout, NULL, _IOLBF, 0);

    CHECK_ACL(aclInit(NULL));
    CHECK_ACL(aclrtSetDevice(0));
    aclrtContext ctx = NULL;
    CHECK_ACL(aclrtCreateContext(&ctx, 0));
    loaded_model m;
    load_model(&m, path);

    for (size_t i = 0; i < warm; i++)
        timed_execute(&m);

    uint64_t *t = alloc_zero(n, sizeof *t);
    uint64_t cpu0, vcs0, ics0, cpu1, vcs1, ics1;
    process_usage(&cpu0, &vcs0, &ics0);
    uint64_t loop0 = mono_ns();
    for (size_t i = 0; i < n; i++)
        t[i] = timed_execute(&m);
    uint64_t loop1 = mono_ns();
    process_usage(&cpu1, &vcs1, &ics1);

    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += t[i];
    qsort(t, n, sizeof *t, by_value);
    double median = rank_value(t, n, 0.5), p10 = rank_value(t, n, 0.1), p90 = rank_value(t, n, 0.9);
    double mean = (double)sum / (double)n;

    uint64_t checksum = output_checksum(&m);
    uint64_t fin0 = mono_ns();
    unload_model(&m);
    CHECK_ACL(aclrtDestroyContext(ctx));
    CHECK_ACL(aclrtResetDevice(0));
    CHECK_ACL(aclFinalize());
    uint64_t fin1 = mono_ns();

    double loop_ns = (double)(loop1 - loop0);
    double cpu_per_exec = (double)(cpu1 - cpu0) / (double)n;
    printf("model %s: %zu executes timed after %zu untimed\n", path, n, warm);
    printf("  execute wall time     median %.2f us, mean %.2f us, min %.2f us, p10 %.2f us, p90 %.2f us\n",
           median / 1e3, mean / 1e3, (double)t[0] / 1e3, p10 / 1e3, p90 / 1e3);
    printf("  loop                  %.3f s; process CPU time %.2f us per execute (%.0f %% of one core); "
           "context switches %" PRIu64 " voluntary, %" PRIu64 " involuntary\n",
           loop_ns / 1e9, cpu_per_exec / 1e3, 100.0 * (double)(cpu1 - cpu0) / loop_ns, vcs1 - vcs0, ics1 - ics0);
    printf("  unload + finalize     %.2f ms\n", (double)(fin1 - fin0) / 1e6);
    printf("RESULT executes=%zu warmup=%zu median_ns=%.0f mean_ns=%.0f min_ns=%" PRIu64 " p10_ns=%.0f p90_ns=%.0f "
           "loop_ns=%.0f loop_start_ns=%" PRIu64 " cpu_per_exec_ns=%.0f vcsw=%" PRIu64 " ivcsw=%" PRIu64
           " finish_ns=%" PRIu64 " checksum=%016" PRIx64 "\n",
           n, warm, median, mean, t[0], p10, p90, loop_ns, loop0, cpu_per_exec, vcs1 - vcs0, ics1 - ics0,
           fin1 - fin0, checksum);
    free(t);
    return 0;
}
