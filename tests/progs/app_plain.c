/*
 * app_plain.c - an ordinary AscendCL inference program, the program under
 * test of tests/shell/check_preload.sh.  It knows nothing of aclsub: it uses only
 * the AscendCL headers and never calls aclprof* (unless --self-subscribe
 * asks it to subscribe its own models, as the vendor's sample does).  Run
 * under LD_PRELOAD=libaclsub.so, its standard output, its output file and
 * its exit status must stay exactly what they are without the preload.
 *
 *   app_plain MODELS EXECUTES [options]
 *
 * MODELS is a comma-separated list of .om files.  Each thread (the main
 * thread, or every thread of --threads) loads every model of the list and
 * executes each of them EXECUTES times, round robin, with deterministic
 * inputs that differ per execute and per model.  After each execute it
 * records a line "[PREFIX]tT mM exec E checksum C" (FNV-1a 64 of all the
 * output bytes); the lines are printed when the process ends its work, one
 * thread after another, so the output does not depend on scheduling.
 *
 * Options:
 *   --threads T        T threads, each with its own context and its own
 *                      loaded copies of the models, executing at once
 *   --models LIST      replaces MODELS
 *   --out FILE         writes the raw outputs of every execute to FILE
 *   --fork             forks before aclInit; parent and child both run
 *                      everything; the child prints first and exits 0, the
 *                      parent waits for it
 *   --closeall         after aclInit and the loads, close() every
 *                      descriptor 3..1023 and call closefrom(3), then go on
 *   --abort-after N    after N executes (of all threads) sleep 200 ms and
 *                      abort()
 *   --no-finalize      exit(0) after the executes: no unload, no finalize
 *   --self-subscribe   subscribes each model into a pipe of its own with a
 *                      reader thread (the vendor's sample flow: subscribe,
 *                      execute, unload, unsubscribe, join the reader) and
 *                      prints the number of records its reader received
 *   --print-names MODE with --self-subscribe: the reader also reads every
 *                      record's type and name with the accessors and the
 *                      lines "tT mM names ..." print what each call returned
 *                      (codes, lengths, strings); MODE once: *Len, then
 *                      the string; twice: then each string and its *Len
 *                      again (the second read of a vendor record fails);
 *                      short: first into a buffer one byte too short, then
 *                      into one two bytes too long (the bytes are printed)
 *   --sleep-ms X       sleeps X ms after every execute
 *   --kill-after N SIG after N executes (of all threads) raise signal SIG at
 *                      once (no pause: the interposer may be busy)
 *   --raw-close-range  after aclInit and the loads, closes every descriptor
 *                      from 3 with a raw close_range syscall (no libc
 *                      wrapper an interposer could see), then goes on
 *   --dup2-null        after aclInit and the loads, dup2()s /dev/null over
 *                      every open descriptor from 3, then goes on
 *   --reopen-stderr F  first thing in main, closes fd 2 and opens F
 *                      (created or truncated) in its place, as a daemon
 *                      that keeps its data file on fd 2 does; F then
 *                      gets only the program's own messages
 *   --exit-after N     after N executes (of all threads) prints its lines
 *                      and ends with _exit(0): no atexit handler runs
 *   --exit-call NAME   --exit-after calls NAME: _exit (the default) or _Exit
 *   --exec-after N P   after N executes (of all threads) prints its lines
 *                      and replaces itself by program P (argv: P only);
 *                      if that fails it says so on stderr and goes on
 *   --exec-call NAME   --exec-after calls NAME: execv (the default),
 *                      execve, execvp, execvpe, execl, execlp, execle or
 *                      fexecve
 *
 * Exit status 0; 1 with a line on stderr when an AscendCL call fails.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <acl/acl.h>
#include <acl/acl_prof.h>

#define MAX_IO 8
#define MAX_MODELS 16
#define MAX_THREADS 64

/* --- failing ------------------------------------------------------------------ */

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "app_plain: ");
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

/* --- text and bytes collected per thread ------------------------------------------ */

typedef struct {
    char *p;
    size_t len, cap;
} buf_t;

static void buf_add(buf_t *b, const void *data, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            die("out of memory");
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_printf(buf_t *b, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        die("vsnprintf failed");
    buf_add(b, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* Writes all of a buffer to fd. */
static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            die("write: %s", strerror(errno));
        p += w;
        n -= (size_t)w;
    }
}

/* --- options ---------------------------------------------------------------------- */

static const char *g_models[MAX_MODELS];
static int g_nmodels;
static long g_executes;
static int g_threads; /* 0: the main thread does the work */
static const char *g_out_path;
static const char *g_reopen_stderr;
static int g_fork, g_closeall, g_no_finalize, g_self_subscribe, g_raw_close_range, g_dup2_null;
static const char *g_print_names; /* --print-names MODE, or NULL */
static long g_abort_after = -1;
static long g_sleep_ms;
static long g_kill_after = -1, g_kill_sig;
static long g_exit_after = -1, g_exec_after = -1;
static const char *g_exit_call = "_exit", *g_exec_call = "execv", *g_exec_prog;
static const char *g_prefix = "";

static atomic_long g_done_executes;

/* Takes the model list (malloc'ed); a later list replaces an earlier one. */
static void split_models(char *list)
{
    static char *owned;
    free(owned);
    owned = list;
    g_nmodels = 0;
    for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (g_nmodels == MAX_MODELS)
            die("at most %d models", MAX_MODELS);
        g_models[g_nmodels++] = tok;
    }
    if (g_nmodels == 0)
        die("no model given");
}

static long number(const char *s, const char *what)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0)
        die("%s: not a number: %s", what, s);
    return v;
}

static void usage(void)
{
    fprintf(stderr, "usage: app_plain MODELS EXECUTES [--threads T] [--models LIST] [--out FILE] [--fork]\n"
                    "                 [--closeall] [--abort-after N] [--no-finalize] [--self-subscribe]\n"
                    "                 [--sleep-ms X] [--kill-after N SIG] [--reopen-stderr FILE]\n"
                    "                 [--raw-close-range] [--dup2-null] [--print-names once|twice|short]\n"
                    "                 [--exit-after N] [--exit-call NAME] [--exec-after N PROG] [--exec-call NAME]\n");
    exit(2);
}

static void parse_args(int argc, char **argv)
{
    if (argc < 3)
        usage();
    split_models(strdup(argv[1]));
    g_executes = number(argv[2], "EXECUTES");
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--threads") == 0 && v) {
            g_threads = (int)number(v, a);
            if (g_threads < 1 || g_threads > MAX_THREADS)
                die("--threads: 1..%d", MAX_THREADS);
            i++;
        } else if (strcmp(a, "--models") == 0 && v) {
            split_models(strdup(v));
            i++;
        } else if (strcmp(a, "--out") == 0 && v) {
            g_out_path = v;
            i++;
        } else if (strcmp(a, "--abort-after") == 0 && v) {
            g_abort_after = number(v, a);
            i++;
        } else if (strcmp(a, "--reopen-stderr") == 0 && v) {
            g_reopen_stderr = v;
            i++;
        } else if (strcmp(a, "--sleep-ms") == 0 && v) {
            g_sleep_ms = number(v, a);
            i++;
        } else if (strcmp(a, "--fork") == 0) {
            g_fork = 1;
        } else if (strcmp(a, "--closeall") == 0) {
            g_closeall = 1;
        } else if (strcmp(a, "--no-finalize") == 0) {
            g_no_finalize = 1;
        } else if (strcmp(a, "--kill-after") == 0 && v && i + 2 < argc) {
            g_kill_after = number(v, a);
            g_kill_sig = number(argv[i + 2], a);
            i += 2;
        } else if (strcmp(a, "--exit-after") == 0 && v) {
            g_exit_after = number(v, a);
            i++;
        } else if (strcmp(a, "--exit-call") == 0 && v) {
            g_exit_call = v;
            i++;
        } else if (strcmp(a, "--exec-after") == 0 && v && i + 2 < argc) {
            g_exec_after = number(v, a);
            g_exec_prog = argv[i + 2];
            i += 2;
        } else if (strcmp(a, "--exec-call") == 0 && v) {
            g_exec_call = v;
            i++;
        } else if (strcmp(a, "--raw-close-range") == 0) {
            g_raw_close_range = 1;
        } else if (strcmp(a, "--dup2-null") == 0) {
            g_dup2_null = 1;
        } else if (strcmp(a, "--self-subscribe") == 0) {
            g_self_subscribe = 1;
        } else if (strcmp(a, "--print-names") == 0 && v &&
                   (strcmp(v, "once") == 0 || strcmp(v, "twice") == 0 || strcmp(v, "short") == 0)) {
            g_print_names = v;
            i++;
        } else {
            usage();
        }
    }
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* --- one loaded model and its buffers ------------------------------------------------- */

typedef struct {
    int fd;
    atomic_ulong records;
    atomic_ulong bytes_odd; /* reads that were not whole records */
    pthread_t thread;
    buf_t names; /* --print-names: the reader's lines */
} self_sub;

typedef struct {
    uint32_t id;
    aclmdlDesc *desc;
    size_t nin, nout;
    size_t in_size[MAX_IO], out_size[MAX_IO];
    void *in_dev[MAX_IO], *out_dev[MAX_IO];
    aclmdlDataset *in, *out;
    /* --self-subscribe */
    int wfd;
    aclprofSubscribeConfig *cfg;
    self_sub sub;
} model_t;

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

static void model_load(model_t *m, const char *path)
{
    memset(m, 0, sizeof *m);
    m->wfd = -1;
    ACL_OK(aclmdlLoadFromFile(path, &m->id));
    m->desc = aclmdlCreateDesc();
    if (!m->desc)
        die("aclmdlCreateDesc failed");
    ACL_OK(aclmdlGetDesc(m->desc, m->id));
    m->nin = aclmdlGetNumInputs(m->desc);
    m->nout = aclmdlGetNumOutputs(m->desc);
    if (m->nin < 1 || m->nin > MAX_IO || m->nout < 1 || m->nout > MAX_IO)
        die("%s: %zu inputs, %zu outputs", path, m->nin, m->nout);
    for (size_t i = 0; i < m->nin; i++) {
        m->in_size[i] = aclmdlGetInputSizeByIndex(m->desc, i);
        ACL_OK(aclrtMalloc(&m->in_dev[i], m->in_size[i], ACL_MEM_MALLOC_HUGE_FIRST));
    }
    for (size_t i = 0; i < m->nout; i++) {
        m->out_size[i] = aclmdlGetOutputSizeByIndex(m->desc, i);
        ACL_OK(aclrtMalloc(&m->out_dev[i], m->out_size[i], ACL_MEM_MALLOC_HUGE_FIRST));
    }
    m->in = dataset_of(m->in_dev, m->in_size, m->nin);
    m->out = dataset_of(m->out_dev, m->out_size, m->nout);
}

static void model_free(model_t *m)
{
    dataset_free(m->in);
    dataset_free(m->out);
    for (size_t i = 0; i < m->nin; i++)
        ACL_OK(aclrtFree(m->in_dev[i]));
    for (size_t i = 0; i < m->nout; i++)
        ACL_OK(aclrtFree(m->out_dev[i]));
    ACL_OK(aclmdlDestroyDesc(m->desc));
}

/* Inputs in [-1, 1], a function of (seed, position) only. */
static void fill_input(model_t *m, unsigned seed)
{
    for (size_t i = 0; i < m->nin; i++) {
        size_t n = m->in_size[i] / sizeof(float);
        float *h = malloc(m->in_size[i]);
        if (!h)
            die("out of memory");
        for (size_t k = 0; k < n; k++) {
            uint32_t x = (uint32_t)(k * 2654435761u) ^ (uint32_t)((seed + 1) * 40503u + i * 977u);
            x ^= x >> 15;
            x *= 0x2c1b3c6du;
            x ^= x >> 12;
            h[k] = (float)(x % 2001u) / 1000.0f - 1.0f;
        }
        ACL_OK(aclrtMemcpy(m->in_dev[i], m->in_size[i], h, m->in_size[i], ACL_MEMCPY_HOST_TO_DEVICE));
        free(h);
    }
}

static uint64_t fnv1a(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* --- the program's own subscription (--self-subscribe) -------------------------------- */

/* --- --print-names ---------------------------------------------------------------------- */

typedef aclError (*str_len_fn)(const void *, size_t, uint32_t, size_t *);
typedef aclError (*str_get_fn)(const void *, size_t, uint32_t, char *, size_t);

/* Appends the n bytes of p, printable or \xNN. */
static void add_escaped(buf_t *b, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c > 32 && c < 127 && c != '\\')
            buf_add(b, &c, 1);
        else
            buf_printf(b, "\\x%02x", c);
    }
}

/* One read of a string into a buffer of size bytes prefilled with '#'; prints the code and the bytes. */
static void read_into(buf_t *b, str_get_fn get, const void *info, size_t len, uint32_t i, size_t size, int bytes)
{
    char *dst = malloc(size + 1);
    if (!dst)
        die("out of memory");
    memset(dst, '#', size + 1);
    aclError rc = get(info, len, i, dst, size);
    buf_printf(b, " get(%zu)=%d ", size, (int)rc);
    if (bytes)
        add_escaped(b, dst, size);
    else if (rc == ACL_SUCCESS)
        add_escaped(b, dst, strnlen(dst, size));
    free(dst);
}

/* The calls of --print-names for one string of record i. */
static void read_string(buf_t *b, const char *what, str_len_fn len_fn, str_get_fn get, const void *info, size_t len,
                        uint32_t i)
{
    size_t n = 0;
    aclError rc = len_fn(info, len, i, &n);
    buf_printf(b, " %s len=%d:%zu", what, (int)rc, rc == ACL_SUCCESS ? n : 0);
    size_t want = rc == ACL_SUCCESS ? n : 1;
    if (strcmp(g_print_names, "short") == 0) {
        read_into(b, get, info, len, i, want - 1 ? want - 1 : 1, 1);
        rc = len_fn(info, len, i, &n);
        buf_printf(b, " len=%d", (int)rc);
        read_into(b, get, info, len, i, want + 2, 1);
        return;
    }
    read_into(b, get, info, len, i, want, 0);
    if (strcmp(g_print_names, "twice") == 0) {
        read_into(b, get, info, len, i, 512, 0);
        rc = len_fn(info, len, i, &n);
        buf_printf(b, " len=%d", (int)rc);
    }
}

/* Reads the type and name of every record of a buffer the reader got. */
static void print_names(self_sub *s, const void *info, size_t len, uint32_t nrec)
{
    for (uint32_t i = 0; i < nrec; i++) {
        buf_printf(&s->names, "names model %zu", aclprofGetModelId(info, len, i));
        read_string(&s->names, "type", aclprofGetOpTypeLen, aclprofGetOpType, info, len, i);
        read_string(&s->names, "name", aclprofGetOpNameLen, aclprofGetOpName, info, len, i);
        buf_add(&s->names, "\n", 1);
    }
}

/* Reads (record size x 10) bytes at a time until end of file, as the vendor's sample. */
static void *self_reader(void *arg)
{
    self_sub *s = arg;
    size_t rec_size = 0;
    ACL_OK(aclprofGetOpDescSize(&rec_size));
    unsigned char *buf = malloc(rec_size * 10);
    if (!buf)
        die("out of memory");
    for (;;) {
        ssize_t n = read(s->fd, buf, rec_size * 10);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("read from the subscription pipe: %s", strerror(errno));
        if (n == 0)
            break;
        if ((size_t)n % rec_size)
            atomic_fetch_add(&s->bytes_odd, 1);
        uint32_t nrec = 0;
        if (aclprofGetOpNum(buf, (size_t)n, &nrec) == ACL_SUCCESS) {
            atomic_fetch_add(&s->records, nrec);
            if (g_print_names)
                print_names(s, buf, (size_t)n, nrec);
        }
    }
    free(buf);
    return NULL;
}

static void self_subscribe(model_t *m)
{
    int p[2];
    if (pipe(p) != 0)
        die("pipe: %s", strerror(errno));
    m->sub.fd = p[0];
    m->wfd = p[1];
    m->cfg = aclprofCreateSubscribeConfig(1, ACL_AICORE_NONE, &m->wfd);
    if (!m->cfg)
        die("aclprofCreateSubscribeConfig failed");
    ACL_OK(aclprofModelSubscribe(m->id, m->cfg));
    if (pthread_create(&m->sub.thread, NULL, self_reader, &m->sub) != 0)
        die("pthread_create failed");
}

/* After the unload (which ends the subscription): unsubscribe, join the reader. */
static aclError self_unsubscribe(model_t *m)
{
    aclError rc = aclprofModelUnSubscribe(m->id);
    pthread_join(m->sub.thread, NULL);
    close(m->sub.fd);
    ACL_OK(aclprofDestroySubscribeConfig(m->cfg));
    return rc;
}

/* --- one worker: a context, the models, the executes ------------------------------------ */

typedef struct {
    int index;
    pthread_t thread;
    buf_t text;
    buf_t outputs;
    model_t models[MAX_MODELS];
} worker_t;

static worker_t g_workers[MAX_THREADS];
static pthread_barrier_t g_loaded, g_go;

static void prints_and_exit_on_abort(worker_t *w);
static void prints_and_exit_now(worker_t *w);
static void prints_and_exec(worker_t *w);

static void worker_load(worker_t *w)
{
    for (int k = 0; k < g_nmodels; k++) {
        model_load(&w->models[k], g_models[k]);
        if (g_self_subscribe)
            self_subscribe(&w->models[k]);
    }
}

static void worker_execute(worker_t *w)
{
    for (long e = 0; e < g_executes; e++) {
        for (int k = 0; k < g_nmodels; k++) {
            model_t *m = &w->models[k];
            fill_input(m, (unsigned)(e * 131 + k));
            ACL_OK(aclmdlExecute(m->id, m->in, m->out));
            uint64_t h = 0xcbf29ce484222325ull;
            for (size_t i = 0; i < m->nout; i++) {
                unsigned char *host = malloc(m->out_size[i]);
                if (!host)
                    die("out of memory");
                ACL_OK(aclrtMemcpy(host, m->out_size[i], m->out_dev[i], m->out_size[i],
                                   ACL_MEMCPY_DEVICE_TO_HOST));
                h = fnv1a(h, host, m->out_size[i]);
                if (g_out_path)
                    buf_add(&w->outputs, host, m->out_size[i]);
                free(host);
            }
            buf_printf(&w->text, "%st%d m%d exec %ld checksum %016llx\n", g_prefix, w->index, k, e,
                       (unsigned long long)h);
            long done = atomic_fetch_add(&g_done_executes, 1) + 1;
            if (g_abort_after >= 0 && done == g_abort_after)
                prints_and_exit_on_abort(w);
            if (g_kill_after >= 0 && done == g_kill_after)
                raise((int)g_kill_sig);
            if (g_exit_after >= 0 && done == g_exit_after)
                prints_and_exit_now(w);
            if (g_exec_after >= 0 && done == g_exec_after)
                prints_and_exec(w);
            if (g_sleep_ms)
                sleep_ms(g_sleep_ms);
        }
    }
}

/* Unloads the models (the vendor sample's order: unload, then unsubscribe). */
static void worker_unload(worker_t *w)
{
    for (int k = 0; k < g_nmodels; k++) {
        model_t *m = &w->models[k];
        model_free(m);
        ACL_OK(aclmdlUnload(m->id));
        if (g_self_subscribe) {
            aclError urc = self_unsubscribe(m);
            buf_printf(&w->text, "%st%d m%d self-subscription: %lu records, %lu partial reads, unsubscribe %d\n",
                       g_prefix, w->index, k, (unsigned long)atomic_load(&m->sub.records),
                       (unsigned long)atomic_load(&m->sub.bytes_odd), (int)urc);
            for (const char *l = m->sub.names.p, *e; l && *l; l = e + 1) {
                e = strchr(l, '\n');
                buf_printf(&w->text, "%st%d m%d ", g_prefix, w->index, k);
                buf_add(&w->text, l, (size_t)(e - l + 1));
            }
            free(m->sub.names.p);
            m->sub.names = (buf_t){0};
        }
    }
}

/* A thread of --threads: its own context, its own copies of the models. */
static void *worker_main(void *arg)
{
    worker_t *w = arg;
    aclrtContext ctx = NULL;
    ACL_OK(aclrtCreateContext(&ctx, 0));
    ACL_OK(aclrtSetCurrentContext(ctx));
    worker_load(w);
    pthread_barrier_wait(&g_loaded);
    pthread_barrier_wait(&g_go); /* --closeall happens in between */
    worker_execute(w);
    if (!g_no_finalize) {
        worker_unload(w);
        ACL_OK(aclrtDestroyContext(ctx));
    }
    return NULL;
}

/* --- output ------------------------------------------------------------------------- */

static void print_worker(const worker_t *w)
{
    if (w->text.len)
        write_all(STDOUT_FILENO, w->text.p, w->text.len);
}

static void write_outputs(int nworkers)
{
    if (!g_out_path)
        return;
    FILE *f = fopen(g_out_path, "wb");
    if (!f)
        die("%s: %s", g_out_path, strerror(errno));
    for (int i = 0; i < nworkers; i++)
        if (g_workers[i].outputs.len && fwrite(g_workers[i].outputs.p, 1, g_workers[i].outputs.len, f) !=
                                            g_workers[i].outputs.len)
            die("%s: write failed", g_out_path);
    if (fclose(f) != 0)
        die("%s: %s", g_out_path, strerror(errno));
}

static void prints_and_exit_on_abort(worker_t *w)
{
    print_worker(w);
    char line[128];
    int n = snprintf(line, sizeof line, "%saborting after %ld executes\n", g_prefix, g_abort_after);
    write_all(STDOUT_FILENO, line, (size_t)n);
    sleep_ms(200);
    abort();
}

/* --exit-after: the lines so far, then _exit or _Exit (no atexit handler, no stdio flush). */
static void prints_and_exit_now(worker_t *w)
{
    print_worker(w);
    if (strcmp(g_exit_call, "_Exit") == 0)
        _Exit(0);
    _exit(0);
}

/* --exec-after: the lines so far, then the exec; a failed exec is said and the program goes on. */
static void prints_and_exec(worker_t *w)
{
    print_worker(w);
    w->text.len = 0;
    const char *p = g_exec_prog, *c = g_exec_call;
    char *const argv[] = {(char *)p, NULL};
    extern char **environ;
    if (strcmp(c, "execve") == 0)
        execve(p, argv, environ);
    else if (strcmp(c, "execvp") == 0)
        execvp(p, argv);
    else if (strcmp(c, "execvpe") == 0)
        execvpe(p, argv, environ);
    else if (strcmp(c, "execl") == 0)
        execl(p, p, (char *)NULL);
    else if (strcmp(c, "execlp") == 0)
        execlp(p, p, (char *)NULL);
    else if (strcmp(c, "execle") == 0)
        execle(p, p, (char *)NULL, environ);
    else if (strcmp(c, "fexecve") == 0) {
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
            fexecve(fd, argv, environ);
        int e = errno;
        if (fd >= 0)
            close(fd);
        errno = e;
    } else
        execv(p, argv);
    fprintf(stderr, "app_plain: %s %s: %s; going on\n", c, p, strerror(errno));
}

static void close_everything(void)
{
    if (g_closeall) {
        for (int fd = 3; fd < 1024; fd++)
            close(fd);
        closefrom(3);
    }
    if (g_raw_close_range)
        syscall(SYS_close_range, 3u, ~0u, 0u);
    if (g_dup2_null) {
        int null = open("/dev/null", O_WRONLY);
        struct rlimit rl;
        int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (int)rl.rlim_cur : 65536;
        for (int fd = 3; fd < max; fd++)
            if (fd != null && fcntl(fd, F_GETFD) >= 0)
                dup2(null, fd);
    }
}

/* --- main --------------------------------------------------------------------------- */

/* --reopen-stderr: the file takes fd 2 (the lowest free descriptor once 2 is closed). */
static void reopen_stderr(void)
{
    close(STDERR_FILENO);
    int fd = open(g_reopen_stderr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd != STDERR_FILENO)
        die("--reopen-stderr: %s landed on fd %d, not 2", g_reopen_stderr, fd);
    fcntl(fd, F_SETFD, 0);
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    if (g_reopen_stderr)
        reopen_stderr();
    pid_t child = -1;
    if (g_fork) {
        fflush(NULL);
        child = fork();
        if (child < 0)
            die("fork: %s", strerror(errno));
        g_prefix = child == 0 ? "child " : "parent ";
    }
    ACL_OK(aclInit(NULL));
    ACL_OK(aclrtSetDevice(0));
    aclrtContext ctx = NULL;
    ACL_OK(aclrtCreateContext(&ctx, 0));

    int nworkers = g_threads ? g_threads : 1;
    for (int i = 0; i < nworkers; i++)
        g_workers[i].index = i;
    if (g_threads) {
        pthread_barrier_init(&g_loaded, NULL, (unsigned)g_threads + 1);
        pthread_barrier_init(&g_go, NULL, (unsigned)g_threads + 1);
        for (int i = 0; i < g_threads; i++)
            if (pthread_create(&g_workers[i].thread, NULL, worker_main, &g_workers[i]) != 0)
                die("pthread_create failed");
        pthread_barrier_wait(&g_loaded);
        if (g_closeall || g_raw_close_range || g_dup2_null)
            close_everything();
        pthread_barrier_wait(&g_go);
        for (int i = 0; i < g_threads; i++)
            pthread_join(g_workers[i].thread, NULL);
    } else {
        worker_load(&g_workers[0]);
        if (g_closeall || g_raw_close_range || g_dup2_null)
            close_everything();
        worker_execute(&g_workers[0]);
        if (!g_no_finalize)
            worker_unload(&g_workers[0]);
    }

    if (g_fork && child > 0) {
        /* The child prints first: the parent's lines follow once it has ended. */
        int st = 0;
        while (waitpid(child, &st, 0) < 0 && errno == EINTR)
            ;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            die("the child ended with status 0x%x", st);
    }
    for (int i = 0; i < nworkers; i++)
        print_worker(&g_workers[i]);
    write_outputs(nworkers);
    if (g_no_finalize)
        exit(0);
    ACL_OK(aclrtDestroyContext(ctx));
    ACL_OK(aclrtResetDevice(0));
    ACL_OK(aclFinalize());
    for (int i = 0; i < nworkers; i++) {
        free(g_workers[i].text.p);
        free(g_workers[i].outputs.p);
    }
    return 0;
}
