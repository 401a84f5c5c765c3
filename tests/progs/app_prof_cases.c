/*
 * app_prof_cases.c - integration cases for the emulated AscendCL runtime's
 * subscription API and its inference surface, as a plain AscendCL program
 * (only <acl/acl.h> and <acl/acl_prof.h>) linked against libascendcl.so.
 *
 *   app_prof_cases CASE [MODELDIR [TXTDIR]]
 *
 * MODELDIR holds cnn.om and mlp.om (default build/models), TXTDIR their
 * text descriptions cnn.txt and mlp.txt (default models), whose `node`
 * lines give each model's operators in execution order.  Each case runs in
 * its own process (the runtime is initialised once per process), so that
 * tests/shell/check_runtime.sh reports each as its own test; `app_prof_cases list`
 * prints the cases.  Exit status 0 when the case passes, 1 at the first
 * failed check, printed as FILE:LINE with the condition and the values.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <acl/acl.h>
#include <acl/acl_prof.h>

#define REC 512u            /* aclprofGetOpDescSize, checked in every case that reads records */
#define WAIT_SECONDS 20     /* for end-of-file and for records to arrive */
#define UNKNOWN_ID 777777u  /* a model id no case loads */
#define WATCHDOG_SECONDS 50 /* under check_runtime.sh's `timeout 60` */

/* --- checks ------------------------------------------------------------------ */

#include "app_check.h" /* beside it: built as a vendor program, include/ only */

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}


static int fd_is_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1;
}

/* --- models: paths and operator lists ---------------------------------------------- */

static const char *g_modeldir = "build/models";
static const char *g_txtdir = "models";

typedef struct {
    char name[256];
    char type[64];
} op_desc;

typedef struct {
    op_desc *ops;
    size_t n;
} op_list;

typedef enum { CNN = 0, MLP = 1 } model_kind;
static const char *const kind_name[] = {"cnn", "mlp"};

static const char *om_path(model_kind k)
{
    static char path[2][4096];
    snprintf(path[k], sizeof path[k], "%s/%s.om", g_modeldir, kind_name[k]);
    return path[k];
}

/* Reads the `node NAME OPTYPE ...` lines of a model description, in order. */
static void ops_load(model_kind k, op_list *l)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.txt", g_txtdir, kind_name[k]);
    FILE *f = fopen(path, "r");
    CHECKF(f != NULL, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 0;
    char line[8192];
    l->ops = NULL;
    l->n = 0;
    while (fgets(line, sizeof line, f)) {
        char *p = line + strspn(line, " \t");
        if (strncmp(p, "node", 4) != 0 || (p[4] != ' ' && p[4] != '\t'))
            continue;
        if (l->n == cap) {
            cap = cap ? 2 * cap : 64;
            l->ops = realloc(l->ops, cap * sizeof *l->ops);
            CHECK(l->ops != NULL);
        }
        op_desc *d = &l->ops[l->n];
        CHECKF(sscanf(p + 4, "%255s %63s", d->name, d->type) == 2, "%s: cannot parse node line: %s", path, p);
        l->n++;
    }
    fclose(f);
    CHECKF(l->n > 0, "%s: no `node` lines", path);
}

static uint32_t load(model_kind k)
{
    uint32_t id = UNKNOWN_ID;
    CHECK_RC(aclmdlLoadFromFile(om_path(k), &id), ACL_SUCCESS);
    CHECKF(id != UNKNOWN_ID, "model id %u", id);
    return id;
}

/* --- runtime setup ---------------------------------------------------------------- */

static aclrtContext rt_up(void)
{
    aclrtContext ctx = NULL;
    CHECK_RC(aclInit(NULL), ACL_SUCCESS);
    CHECK_RC(aclrtSetDevice(0), ACL_SUCCESS);
    CHECK_RC(aclrtCreateContext(&ctx, 0), ACL_SUCCESS);
    CHECK(ctx != NULL);
    size_t size = 0;
    CHECK_RC(aclprofGetOpDescSize(&size), ACL_SUCCESS);
    CHECKF(size == REC, "aclprofGetOpDescSize gave %zu, expected %u", size, REC);
    return ctx;
}

static void rt_down(aclrtContext ctx)
{
    CHECK_RC(aclrtDestroyContext(ctx), ACL_SUCCESS);
    CHECK_RC(aclrtResetDevice(0), ACL_SUCCESS);
    CHECK_RC(aclFinalize(), ACL_SUCCESS);
}

static size_t io_out_bytes(const model_io *m)
{
    size_t total = 0;
    for (size_t i = 0; i < m->nout; i++)
        total += m->out_size[i];
    return total;
}

/* All outputs, concatenated, copied to the host (malloc'ed, io_out_bytes long). */
static unsigned char *io_read_outputs(const model_io *m)
{
    size_t total = io_out_bytes(m);
    unsigned char *h = malloc(total);
    CHECK(h != NULL);
    size_t off = 0;
    for (size_t i = 0; i < m->nout; i++) {
        CHECK_RC(aclrtMemcpy(h + off, total - off, m->out_dev[i], m->out_size[i], ACL_MEMCPY_DEVICE_TO_HOST),
                 ACL_SUCCESS);
        off += m->out_size[i];
    }
    return h;
}

/* Both demo models end in a softmax: the outputs are probabilities summing to 1. */
static void check_probabilities(const unsigned char *out, size_t len, const char *what)
{
    const float *p = (const float *)out;
    size_t n = len / sizeof(float);
    float sum = 0;
    for (size_t i = 0; i < n; i++) {
        CHECKF(p[i] >= 0.0f && p[i] <= 1.0f, "%s: output[%zu] = %g is not a probability", what, i, p[i]);
        sum += p[i];
    }
    CHECKF(sum > 0.999f && sum < 1.001f, "%s: softmax outputs sum to %g", what, sum);
}

/* The outputs are bit-for-bit the reference's. */
static void check_outputs(const model_io *m, const unsigned char *ref, const char *what, size_t run)
{
    size_t len = io_out_bytes(m);
    unsigned char *out = io_read_outputs(m);
    if (memcmp(out, ref, len) != 0) {
        const float *a = (const float *)out, *b = (const float *)ref;
        size_t i = 0;
        while (i + 1 < len / sizeof(float) && a[i] == b[i])
            i++;
        CHECKF(0, "%s, execute %zu: outputs differ from the reference run; first at float %zu: %.9g vs %.9g", what,
               run, i, a[i], b[i]);
    }
    free(out);
}

/* Reference outputs of model k for inputs 0..n-1 (outside any subscription). */
static unsigned char **reference_outputs(model_kind k, size_t n, size_t *len)
{
    uint32_t id = load(k);
    model_io io;
    io_create(&io, id);
    unsigned char **ref = calloc(n, sizeof *ref);
    CHECK(ref != NULL);
    for (size_t s = 0; s < n; s++) {
        io_fill_input(&io, (unsigned)s);
        CHECK_RC(aclmdlExecute(id, io.in, io.out), ACL_SUCCESS);
        ref[s] = io_read_outputs(&io);
        check_probabilities(ref[s], io_out_bytes(&io), kind_name[k]);
    }
    *len = io_out_bytes(&io);
    io_destroy(&io);
    CHECK_RC(aclmdlUnload(id), ACL_SUCCESS);
    return ref;
}

static void free_refs(unsigned char **ref, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ref[i]);
    free(ref);
}

/* Executes synchronously, recording the call's CLOCK_MONOTONIC window. */
static void execute_timed(const model_io *m, uint64_t *t0, uint64_t *t1)
{
    STEP("aclmdlExecute");
    *t0 = now_ns();
    aclError rc = aclmdlExecute(m->id, m->in, m->out);
    *t1 = now_ns();
    CHECKF(rc == ACL_SUCCESS, "aclmdlExecute(model %u) returned %d", m->id, rc);
}


/* --- subscription pipes and their readers ------------------------------------------ */


/*
 * One pipe, its subscription config (on the write end) and a reader thread
 * that accumulates bytes and parses whole records with the accessors.  A
 * non-zero close_after makes the reader read exactly that many records and
 * then close its end.
 */
typedef struct {
    int rfd, wfd;
    aclprofSubscribeConfig *cfg;
    size_t close_after;
    pthread_t th;
    pthread_mutex_t lock; /* protects recs, nrec, cap, done */
    op_rec *recs;
    size_t nrec, cap;
    int done; /* end-of-file seen, or the read end closed early */
} sub_pipe;

static void parse_chunk(sub_pipe *s, const unsigned char *buf, size_t len)
{
    uint32_t n = 0;
    aclError rc = aclprofGetOpNum(buf, len, &n);
    CHECKF(rc == ACL_SUCCESS && n == len / REC,
           "aclprofGetOpNum on %zu bytes of whole records returned %d, %u records (a torn or invalid record)", len, rc,
           n);
    for (uint32_t i = 0; i < n; i++) {
        op_rec r;
        read_op_rec(buf, len, i, &r);
        pthread_mutex_lock(&s->lock);
        if (s->nrec == s->cap) {
            s->cap = s->cap ? 2 * s->cap : 256;
            s->recs = realloc(s->recs, s->cap * sizeof *s->recs);
            CHECK(s->recs != NULL);
        }
        s->recs[s->nrec++] = r;
        pthread_mutex_unlock(&s->lock);
    }
}

static void *sub_reader(void *arg)
{
    sub_pipe *s = arg;
    tl_reader = 1;
    unsigned char buf[16 * REC];
    size_t have = 0, taken = 0;
    for (;;) {
        size_t want = sizeof buf - have;
        if (s->close_after) {
            size_t left = s->close_after * REC - taken * REC - have;
            if (want > left)
                want = left;
        }
        ssize_t n = read(s->rfd, buf + have, want);
        if (n < 0 && errno == EINTR)
            continue;
        CHECKF(n >= 0, "read from the subscription pipe: %s", strerror(errno));
        if (n == 0) {
            CHECKF(have == 0, "end-of-file after %zu bytes of a partial record", have);
            break;
        }
        have += (size_t)n;
        size_t whole = have - have % REC;
        if (whole) {
            parse_chunk(s, buf, whole);
            taken += whole / REC;
            memmove(buf, buf + whole, have - whole);
            have -= whole;
        }
        if (s->close_after && taken >= s->close_after) {
            CHECK(close(s->rfd) == 0);
            s->rfd = -1;
            break;
        }
    }
    pthread_mutex_lock(&s->lock);
    s->done = 1;
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void sub_open(sub_pipe *s, size_t close_after)
{
    memset(s, 0, sizeof *s);
    int fds[2];
    CHECKF(pipe(fds) == 0, "pipe: %s", strerror(errno));
    s->rfd = fds[0];
    s->wfd = fds[1];
    s->close_after = close_after;
    s->cfg = aclprofCreateSubscribeConfig(1, ACL_AICORE_NONE, &s->wfd);
    CHECK(s->cfg != NULL);
    CHECK(pthread_mutex_init(&s->lock, NULL) == 0);
    CHECK(pthread_create(&s->th, NULL, sub_reader, s) == 0);
}

static int sub_done(sub_pipe *s)
{
    pthread_mutex_lock(&s->lock);
    int d = s->done;
    pthread_mutex_unlock(&s->lock);
    return d;
}

static size_t sub_count(sub_pipe *s, size_t model)
{
    size_t n = 0;
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->nrec; i++)
        n += s->recs[i].model == model;
    pthread_mutex_unlock(&s->lock);
    return n;
}

/* Waits until the reader has ended (end-of-file); 0 if it has not within `seconds`. */
static int sub_wait_done(sub_pipe *s, int seconds)
{
    uint64_t until = now_ns() + (uint64_t)seconds * 1000000000u;
    while (!sub_done(s)) {
        if (now_ns() > until)
            return 0;
        sleep_ms(2);
    }
    return 1;
}

/* Waits until `want` records of `model` have arrived; the count reached. */
static size_t sub_wait_count(sub_pipe *s, size_t model, size_t want, int seconds)
{
    uint64_t until = now_ns() + (uint64_t)seconds * 1000000000u;
    size_t n;
    while ((n = sub_count(s, model)) < want && now_ns() <= until)
        sleep_ms(2);
    return n;
}

/* After end-of-file: the reader is joined. */
static void sub_join(sub_pipe *s)
{
    join_within(s->th, WAIT_SECONDS, "the pipe's reader thread");
}

/* The records of one model, in arrival order (malloc'ed copy). */
static op_rec *sub_model_recs(sub_pipe *s, size_t model, size_t *n)
{
    pthread_mutex_lock(&s->lock);
    op_rec *out = malloc((s->nrec + 1) * sizeof *out);
    CHECK(out != NULL);
    size_t k = 0;
    for (size_t i = 0; i < s->nrec; i++)
        if (s->recs[i].model == model)
            out[k++] = s->recs[i];
    pthread_mutex_unlock(&s->lock);
    *n = k;
    return out;
}

/* Releases what is left: the read end (if still open), the config. */
static void sub_close(sub_pipe *s)
{
    if (s->rfd >= 0)
        CHECK(close(s->rfd) == 0);
    CHECK_RC(aclprofDestroySubscribeConfig(s->cfg), ACL_SUCCESS);
    pthread_mutex_destroy(&s->lock);
    free(s->recs);
}

/* --- the checks on the records of `runs` executes of one model -------------------- */

/*
 * recs are one model's records in arrival order; execute r ran inside the
 * CLOCK_MONOTONIC window t0[r]..t1[r].
 */
static void check_runs(const op_rec *recs, size_t nrec, size_t model, const op_list *ops, size_t runs,
                       const uint64_t *t0, const uint64_t *t1)
{
    size_t per = ops->n + 1;
    CHECKF(nrec == per * runs, "model %zu: %zu records, expected %zu = (%zu operators + 1 whole-run) x %zu executes",
           model, nrec, per * runs, ops->n, runs);
    uint64_t prev_end = 0;
    for (size_t r = 0; r < runs; r++) {
        const op_rec *run = recs + r * per;
        uint64_t sum = 0;
        for (size_t k = 0; k < ops->n; k++) {
            const op_rec *x = &run[k];
            CHECKF(x->model == model, "execute %zu record %zu: model id %zu, expected %zu", r, k, x->model, model);
            CHECKF(x->flag == ACL_SUBSCRIBE_OP, "model %zu execute %zu record %zu (%s): flag %d, expected "
                   "ACL_SUBSCRIBE_OP", model, r, k, x->name, x->flag);
            CHECKF(strcmp(x->name, ops->ops[k].name) == 0, "model %zu execute %zu operator %zu: name '%s', expected "
                   "'%s'", model, r, k, x->name, ops->ops[k].name);
            CHECKF(strcmp(x->type, ops->ops[k].type) == 0, "model %zu execute %zu operator %zu (%s): type '%s', "
                   "expected '%s'", model, r, k, x->name, x->type, ops->ops[k].type);
            CHECKF(x->start < x->end && x->dur > 0 && x->dur == x->end - x->start,
                   "model %zu execute %zu operator %s: start %llu end %llu duration %llu", model, r, x->name,
                   (unsigned long long)x->start, (unsigned long long)x->end, (unsigned long long)x->dur);
            if (k > 0)
                CHECKF(x->start >= run[k - 1].end, "model %zu execute %zu: %s starts at %llu before %s ends at %llu",
                       model, r, x->name, (unsigned long long)x->start, run[k - 1].name,
                       (unsigned long long)run[k - 1].end);
            CHECKF(x->tid == run[0].tid && x->tid != 0, "model %zu execute %zu: operator %s on thread %lu, %s on "
                   "thread %lu", model, r, x->name, x->tid, run[0].name, run[0].tid);
            sum += x->dur;
        }
        const op_rec *w = &run[ops->n];
        CHECKF(w->model == model && w->flag == ACL_SUBSCRIBE_SUBGRAPH && strcmp(w->name, "keypoint_op") == 0 &&
                   strcmp(w->type, "na") == 0,
               "model %zu execute %zu: record %zu is flag %d name '%s' type '%s', expected the whole-run record "
               "(ACL_SUBSCRIBE_SUBGRAPH, keypoint_op, na)",
               model, r, ops->n, w->flag, w->name, w->type);
        CHECKF(w->start == run[0].start && w->end == run[ops->n - 1].end,
               "model %zu execute %zu: whole-run record spans %llu..%llu, operators %llu..%llu", model, r,
               (unsigned long long)w->start, (unsigned long long)w->end, (unsigned long long)run[0].start,
               (unsigned long long)run[ops->n - 1].end);
        CHECKF(w->dur == w->end - w->start && w->dur > 0, "model %zu execute %zu: whole-run duration %llu, end - "
               "start %llu", model, r, (unsigned long long)w->dur, (unsigned long long)(w->end - w->start));
        CHECKF(w->start >= prev_end, "model %zu: execute %zu starts at %llu before execute %zu ended at %llu", model,
               r, (unsigned long long)w->start, r - 1, (unsigned long long)prev_end);
        prev_end = w->end;
        CHECKF(sum <= t1[r] - t0[r], "model %zu execute %zu: operator durations sum to %llu ns, more than the %llu "
               "ns wall time", model, r, (unsigned long long)sum, (unsigned long long)(t1[r] - t0[r]));
        CHECKF(w->start >= t0[r] && w->end <= t1[r], "model %zu execute %zu: operators ran %llu..%llu "
               "(CLOCK_MONOTONIC ns), outside the call's window %llu..%llu", model, r,
               (unsigned long long)w->start, (unsigned long long)w->end, (unsigned long long)t0[r],
               (unsigned long long)t1[r]);
    }
}

/* check_runs on the records of `model` that arrived on s. */
static void check_model_runs(sub_pipe *s, size_t model, const op_list *ops, size_t runs, const uint64_t *t0,
                             const uint64_t *t1)
{
    size_t n = 0;
    op_rec *recs = sub_model_recs(s, model, &n);
    check_runs(recs, n, model, ops, runs, t0, t1);
    free(recs);
}

/* The one thread id all operator records of `model` on s carry. */
static unsigned long model_tid(sub_pipe *s, size_t model)
{
    size_t n = 0;
    op_rec *recs = sub_model_recs(s, model, &n);
    CHECK(n > 0);
    unsigned long tid = recs[0].tid;
    for (size_t i = 0; i < n; i++)
        if (recs[i].flag == ACL_SUBSCRIBE_OP)
            CHECKF(recs[i].tid == tid, "model %zu: operator %s on thread %lu, earlier ones on %lu", model,
                   recs[i].name, recs[i].tid, tid);
    free(recs);
    return tid;
}

/* --- the cases ---------------------------------------------------------------------- */

/*
 * Two models (cnn, mlp) subscribed on one fd: unsubscribing the first
 * flushes its records but leaves the fd open for the second, which keeps
 * delivering; the reader sees end-of-file only after the second unsubscribe.
 */
static void case_shared_fd(void)
{
    aclrtContext ctx = rt_up();
    op_list cnn, mlp;
    ops_load(CNN, &cnn);
    ops_load(MLP, &mlp);
    uint32_t a = load(CNN), b = load(MLP);
    CHECKF(a != b, "two loaded models share model id %u", a);
    model_io ia, ib;
    io_create(&ia, a);
    io_create(&ib, b);
    io_fill_input(&ia, 1);
    io_fill_input(&ib, 2);

    sub_pipe s;
    sub_open(&s, 0);
    CHECK_RC(aclprofModelSubscribe(a, s.cfg), ACL_SUCCESS);
    CHECK_RC(aclprofModelSubscribe(b, s.cfg), ACL_SUCCESS);
    uint64_t ta0[3], ta1[3], tb0[4], tb1[4];
    for (int i = 0; i < 3; i++) {
        execute_timed(&ia, &ta0[i], &ta1[i]);
        execute_timed(&ib, &tb0[i], &tb1[i]);
    }

    CHECK_RC(aclprofModelUnSubscribe(a), ACL_SUCCESS);
    size_t want_a = 3 * (cnn.n + 1);
    size_t got_a = sub_wait_count(&s, a, want_a, WAIT_SECONDS);
    CHECKF(got_a == want_a, "after unsubscribing model %u: %zu of its %zu records arrived", a, got_a, want_a);
    CHECKF(fd_is_open(s.wfd), "unsubscribing model %u closed the fd model %u still uses", a, b);
    sleep_ms(200);
    CHECKF(!sub_done(&s), "the reader saw end-of-file after unsubscribing only one of two models sharing the fd");

    /* a no longer delivers; b still does. */
    uint64_t t0, t1;
    execute_timed(&ia, &t0, &t1);
    execute_timed(&ib, &tb0[3], &tb1[3]);
    CHECK_RC(aclprofModelUnSubscribe(b), ACL_SUCCESS);
    CHECKF(sub_wait_done(&s, WAIT_SECONDS), "no end-of-file within %d s after the last subscription on the fd ended",
           WAIT_SECONDS);
    sub_join(&s);

    check_model_runs(&s, a, &cnn, 3, ta0, ta1);
    check_model_runs(&s, b, &mlp, 4, tb0, tb1);
    CHECKF(s.nrec == 3 * (cnn.n + 1) + 4 * (mlp.n + 1), "%zu records on the pipe, expected only models %u and %u's",
           s.nrec, a, b);
    CHECK_RC(aclprofModelUnSubscribe(a), ACL_ERROR_INVALID_MODEL_ID);

    sub_close(&s);
    io_destroy(&ia);
    io_destroy(&ib);
    CHECK_RC(aclmdlUnload(a), ACL_SUCCESS);
    CHECK_RC(aclmdlUnload(b), ACL_SUCCESS);
    rt_down(ctx);
    free(cnn.ops);
    free(mlp.ops);
    printf("model %u: 3 executes, model %u: 4 executes, one fd; end-of-file after the second unsubscribe\n", a, b);
}

/*
 * Subscribing a subscribed model again fails with
 * ACL_ERROR_PROF_REPEAT_SUBSCRIBE, on the same or another fd, and changes
 * nothing: records arrive once, on the first fd only, and the second fd is
 * left to its owner.
 */
static void case_double_subscribe(void)
{
    aclrtContext ctx = rt_up();
    op_list mlp;
    ops_load(MLP, &mlp);
    uint32_t id = load(MLP);
    model_io io;
    io_create(&io, id);
    io_fill_input(&io, 0);

    sub_pipe s, s2;
    sub_open(&s, 0);
    sub_open(&s2, 0);
    CHECK_RC(aclprofModelSubscribe(id, s.cfg), ACL_SUCCESS);
    CHECK_RC(aclprofModelSubscribe(id, s.cfg), ACL_ERROR_PROF_REPEAT_SUBSCRIBE);
    CHECK_RC(aclprofModelSubscribe(id, s2.cfg), ACL_ERROR_PROF_REPEAT_SUBSCRIBE);

    uint64_t t0, t1;
    execute_timed(&io, &t0, &t1);
    CHECK_RC(aclprofModelUnSubscribe(id), ACL_SUCCESS);
    CHECKF(sub_wait_done(&s, WAIT_SECONDS), "no end-of-file within %d s after aclprofModelUnSubscribe", WAIT_SECONDS);
    sub_join(&s);
    check_model_runs(&s, id, &mlp, 1, &t0, &t1);
    CHECK_RC(aclprofModelUnSubscribe(id), ACL_ERROR_INVALID_MODEL_ID);

    /* The refused subscription never owned the second fd. */
    CHECKF(fd_is_open(s2.wfd), "the fd of the refused second subscription was closed by the runtime");
    CHECK(close(s2.wfd) == 0);
    CHECKF(sub_wait_done(&s2, WAIT_SECONDS), "second pipe: no end-of-file after closing its write end");
    sub_join(&s2);
    CHECKF(s2.nrec == 0, "%zu records arrived on the fd of the refused subscription", s2.nrec);

    sub_close(&s);
    sub_close(&s2);
    io_destroy(&io);
    CHECK_RC(aclmdlUnload(id), ACL_SUCCESS);
    rt_down(ctx);
    free(mlp.ops);
    printf("second subscribe refused with %d on either fd; one execute's records arrived once\n",
           ACL_ERROR_PROF_REPEAT_SUBSCRIBE);
}

/*
 * As the vendor's own test (TestUnmatchedDataConfig): while one model of
 * the device is subscribed, another model's subscription must use the same
 * time switch and AI Core metrics (ACL_ERROR_INVALID_PROFILING_CONFIG
 * otherwise) but may use another fd; a repeat is still reported as one;
 * once every subscription ended, any settings are taken again.
 */
static void case_unmatched_config(void)
{
    aclrtContext ctx = rt_up();
    uint32_t a = load(CNN), b = load(MLP);
    sub_pipe s, t;
    sub_open(&s, 0); /* time switch 1, ACL_AICORE_NONE */
    sub_open(&t, 0);
    CHECK_RC(aclprofModelSubscribe(a, s.cfg), ACL_SUCCESS);
    aclprofSubscribeConfig *pipe_util = aclprofCreateSubscribeConfig(1, ACL_AICORE_PIPE_UTILIZATION, &t.wfd);
    aclprofSubscribeConfig *no_time = aclprofCreateSubscribeConfig(0, ACL_AICORE_PIPE_UTILIZATION, &t.wfd);
    CHECK(pipe_util != NULL && no_time != NULL);
    CHECK_RC(aclprofModelSubscribe(b, pipe_util), ACL_ERROR_INVALID_PROFILING_CONFIG);
    CHECK_RC(aclprofModelSubscribe(b, no_time), ACL_ERROR_INVALID_PROFILING_CONFIG);
    CHECK_RC(aclprofModelSubscribe(a, pipe_util), ACL_ERROR_PROF_REPEAT_SUBSCRIBE);
    CHECKF(fd_is_open(t.wfd), "a refused subscription closed the caller's fd");
    CHECK_RC(aclprofModelSubscribe(b, t.cfg), ACL_SUCCESS); /* same settings, another fd */
    CHECK_RC(aclprofModelUnSubscribe(a), ACL_SUCCESS);
    CHECK_RC(aclprofModelSubscribe(a, pipe_util), ACL_ERROR_INVALID_PROFILING_CONFIG); /* b still has NONE */
    CHECK_RC(aclprofModelUnSubscribe(b), ACL_SUCCESS);
    CHECKF(sub_wait_done(&s, WAIT_SECONDS) && sub_wait_done(&t, WAIT_SECONDS), "no end-of-file after unsubscribing");
    sub_join(&s);
    sub_join(&t);

    sub_pipe u;
    sub_open(&u, 0);
    aclprofSubscribeConfig *again = aclprofCreateSubscribeConfig(1, ACL_AICORE_PIPE_UTILIZATION, &u.wfd);
    CHECK(again != NULL);
    CHECK_RC(aclprofModelSubscribe(a, again), ACL_SUCCESS); /* nothing subscribed: any settings */
    CHECK_RC(aclprofDestroySubscribeConfig(again), ACL_SUCCESS); /* the vendor's test frees it at once too */
    CHECK_RC(aclprofModelUnSubscribe(a), ACL_SUCCESS);
    CHECKF(sub_wait_done(&u, WAIT_SECONDS), "no end-of-file after unsubscribing");
    sub_join(&u);
    CHECK_RC(aclprofDestroySubscribeConfig(pipe_util), ACL_SUCCESS);
    CHECK_RC(aclprofDestroySubscribeConfig(no_time), ACL_SUCCESS);
    sub_close(&s);
    sub_close(&t);
    sub_close(&u);
    CHECK_RC(aclmdlUnload(a), ACL_SUCCESS);
    CHECK_RC(aclmdlUnload(b), ACL_SUCCESS);
    rt_down(ctx);
    printf("a second model's differing time switch or metrics refused with %d, a repeat with %d, another fd "
           "accepted; settings free again once nothing is subscribed\n",
           ACL_ERROR_INVALID_PROFILING_CONFIG, ACL_ERROR_PROF_REPEAT_SUBSCRIBE);
}

/*
 * Unsubscribing an unknown or never-subscribed model, and subscribing an
 * unknown one (with or without a config), fail with
 * ACL_ERROR_INVALID_MODEL_ID; the model id is checked before the config.
 */
static void case_unsubscribe_unknown(void)
{
    aclrtContext ctx = rt_up();
    op_list mlp;
    ops_load(MLP, &mlp);
    CHECK_RC(aclprofModelUnSubscribe(UNKNOWN_ID), ACL_ERROR_INVALID_MODEL_ID);
    uint32_t id = load(MLP);
    CHECK_RC(aclprofModelUnSubscribe(id), ACL_ERROR_INVALID_MODEL_ID);
    CHECK_RC(aclprofModelSubscribe(UNKNOWN_ID, NULL), ACL_ERROR_INVALID_MODEL_ID);

    sub_pipe s;
    sub_open(&s, 0);
    CHECK_RC(aclprofModelSubscribe(UNKNOWN_ID, s.cfg), ACL_ERROR_INVALID_MODEL_ID);
    CHECKF(fd_is_open(s.wfd), "a refused subscription closed the config's fd");

    /* The config still serves a real subscription. */
    model_io io;
    io_create(&io, id);
    io_fill_input(&io, 0);
    CHECK_RC(aclprofModelSubscribe(id, s.cfg), ACL_SUCCESS);
    uint64_t t0, t1;
    execute_timed(&io, &t0, &t1);
    CHECK_RC(aclprofModelUnSubscribe(id), ACL_SUCCESS);
    CHECKF(sub_wait_done(&s, WAIT_SECONDS), "no end-of-file within %d s after aclprofModelUnSubscribe", WAIT_SECONDS);
    sub_join(&s);
    check_model_runs(&s, id, &mlp, 1, &t0, &t1);
    CHECKF(s.nrec == mlp.n + 1, "%zu records on the pipe, expected %zu", s.nrec, mlp.n + 1);

    sub_close(&s);
    io_destroy(&io);
    CHECK_RC(aclmdlUnload(id), ACL_SUCCESS);
    rt_down(ctx);
    free(mlp.ops);
    printf("unknown and never-subscribed ids refused with %d\n", ACL_ERROR_INVALID_MODEL_ID);
}

/*
 * A NULL config for a known model is ACL_ERROR_INVALID_PARAM;
 * aclprofCreateSubscribeConfig refuses a NULL fd and a timeInfoSwitch other
 * than 0 or 1; aclprofDestroySubscribeConfig(NULL) is INVALID_PARAM.  The
 * refusals leave the model subscribable.
 */
static void case_null_config(void)
{
    aclrtContext ctx = rt_up();
    op_list mlp;
    ops_load(MLP, &mlp);
    uint32_t id = load(MLP);
    CHECK_RC(aclprofModelSubscribe(id, NULL), ACL_ERROR_INVALID_PARAM);

    sub_pipe s;
    sub_open(&s, 0);
    CHECK(aclprofCreateSubscribeConfig(1, ACL_AICORE_NONE, NULL) == NULL);
    CHECK(aclprofCreateSubscribeConfig(2, ACL_AICORE_NONE, &s.wfd) == NULL);
    CHECK(aclprofCreateSubscribeConfig(-1, ACL_AICORE_NONE, &s.wfd) == NULL);
    aclprofSubscribeConfig *c0 = aclprofCreateSubscribeConfig(0, ACL_AICORE_NONE, &s.wfd);
    CHECKF(c0 != NULL, "aclprofCreateSubscribeConfig(0, ACL_AICORE_NONE, fd) returned NULL; only a NULL fd or a "
           "switch other than 0/1 should");
    CHECK_RC(aclprofDestroySubscribeConfig(c0), ACL_SUCCESS);
    CHECK_RC(aclprofDestroySubscribeConfig(NULL), ACL_ERROR_INVALID_PARAM);

    model_io io;
    io_create(&io, id);
    io_fill_input(&io, 0);
    CHECK_RC(aclprofModelSubscribe(id, s.cfg), ACL_SUCCESS);
    uint64_t t0, t1;
    execute_timed(&io, &t0, &t1);
    CHECK_RC(aclprofModelUnSubscribe(id), ACL_SUCCESS);
    CHECKF(sub_wait_done(&s, WAIT_SECONDS), "no end-of-file within %d s after aclprofModelUnSubscribe", WAIT_SECONDS);
    sub_join(&s);
    check_model_runs(&s, id, &mlp, 1, &t0, &t1);

    sub_close(&s);
    io_destroy(&io);
    CHECK_RC(aclmdlUnload(id), ACL_SUCCESS);
    rt_down(ctx);
    free(mlp.ops);
    printf("NULL config refused with %d; bad configs not created\n", ACL_ERROR_INVALID_PARAM);
}

/*
 * aclprofCreateSubscribeConfig reads the fd's int at once and keeps no
 * pointer to it: changing (or freeing) the caller's int afterwards does not
 * redirect the records.
 */
static void case_config_copies_fd(void)
{
    aclrtContext ctx = rt_up();
    op_list mlp;
    ops_load(MLP, &mlp);
    uint32_t id = load(MLP);
    model_io io;
    io_create(&io, id);
    io_fill_input(&io, 0);

    sub_pipe s;
    sub_open(&s, 0);
    int *fdp = malloc(sizeof *fdp);
    CHECK(fdp != NULL);
    *fdp = s.wfd;
    aclprofSubscribeConfig *cfg = aclprofCreateSubscribeConfig(1, ACL_AICORE_NONE, fdp);
    CHECK(cfg != NULL);
    *fdp = -1;
    free(fdp);
    CHECK_RC(aclprofModelSubscribe(id, cfg), ACL_SUCCESS);
    uint64_t t0[2], t1[2];
    execute_timed(&io, &t0[0], &t1[0]);
    execute_timed(&io, &t0[1], &t1[1]);
    CHECK_RC(aclprofModelUnSubscribe(id), ACL_SUCCESS);
    CHECKF(sub_wait_done(&s, WAIT_SECONDS), "no end-of-file within %d s after aclprofModelUnSubscribe", WAIT_SECONDS);
    sub_join(&s);
    check_model_runs(&s, id, &mlp, 2, t0, t1);

    CHECK_RC(aclprofDestroySubscribeConfig(cfg), ACL_SUCCESS);
    sub_close(&s);
    io_destroy(&io);
    CHECK_RC(aclmdlUnload(id), ACL_SUCCESS);
    rt_down(ctx);
    free(mlp.ops);
    printf("records reached the fd the config was created with\n");
}

/*
 * aclmdlUnload of a subscribed model ends its subscription as
 * aclprofModelUnSubscribe would: its records are flushed, and the fd is
 * closed once no other subscription uses it.  A later unsubscribe or
 * subscribe of the unloaded id is ACL_ERROR_INVALID_MODEL_ID.
 */
static void case_unload_ends_subscription(void)
{
    aclrtContext ctx = rt_up();
    op_list cnn, mlp;
    ops_load(CNN, &cnn);
    ops_load(MLP, &mlp);
    uint32_t a = load(MLP), b = load(CNN);
    model_io ia, ib;
    io_create(&ia, a);
    io_create(&ib, b);
    io_fill_input(&ia, 4);
    io_fill_input(&ib, 5);

    sub_pipe s;
    sub_open(&s, 0);
    CHECK_RC(aclprofModelSubscribe(a, s.cfg), ACL_SUCCESS);
    CHECK_RC(aclprofModelSubscribe(b, s.cfg), ACL_SUCCESS);
    uint64_t ta0[2], ta1[2], tb0[3], tb1[3];
    for (int i = 0; i < 2; i++) {
        execute_timed(&ia, &ta0[i], &ta1[i]);
        execute_timed(&ib, &tb0[i], &tb1[i]);
    }
    io_destroy(&ia);
    CHECK_RC(aclmdlUnload(a), ACL_SUCCESS);
    size_t want_a = 2 * (mlp.n + 1);
    size_t got_a = sub_wait_count(&s, a, want_a, WAIT_SECONDS);
    CHECKF(got_a == want_a, "after unloading model %u: %zu of its %zu records arrived", a, got_a, want_a);
    CHECKF(fd_is_open(s.wfd), "unloading model %u closed the fd model %u still uses", a, b);
    sleep_ms(200);
    CHECKF(!sub_done(&s), "end-of-file after unloading one of two models sharing the fd");
    CHECK_RC(aclprofModelUnSubscribe(a), ACL_ERROR_INVALID_MODEL_ID);

    execute_timed(&ib, &tb0[2], &tb1[2]);
    io_destroy(&ib);
    CHECK_RC(aclmdlUnload(b), ACL_SUCCESS);
    CHECKF(sub_wait_done(&s, WAIT_SECONDS),
           "no end-of-file within %d s after unloading the last subscribed model (no aclprofModelUnSubscribe)",
           WAIT_SECONDS);
    sub_join(&s);
    check_model_runs(&s, a, &mlp, 2, ta0, ta1);
    check_model_runs(&s, b, &cnn, 3, tb0, tb1);
    CHECK_RC(aclprofModelUnSubscribe(b), ACL_ERROR_INVALID_MODEL_ID);
    CHECK_RC(aclprofModelSubscribe(b, s.cfg), ACL_ERROR_INVALID_MODEL_ID);

    sub_close(&s);
    rt_down(ctx);
    free(cnn.ops);
    free(mlp.ops);
    printf("unloading ended both subscriptions; end-of-file after the second\n");
}

/*
 * One model loaded twice (two ids), executed asynchronously on two
 * streams, alternately, 5 times each, then both streams synchronised:
 * every output equals a synchronous execute of the same input, each id's
 * records are complete and in order, and each stream's operators run on
 * that stream's own worker thread.
 */
#define ASYNC_RUNS 5
static void case_async_two_streams(void)
{
    aclrtContext ctx = rt_up();
    op_list cnn;
    ops_load(CNN, &cnn);
    size_t ref_len = 0;
    unsigned char **ref = reference_outputs(CNN, ASYNC_RUNS, &ref_len);

    aclrtStream s1 = NULL, s2 = NULL;
    CHECK_RC(aclrtCreateStream(&s1), ACL_SUCCESS);
    CHECK_RC(aclrtCreateStream(&s2), ACL_SUCCESS);
    CHECK(s1 != NULL && s2 != NULL && s1 != s2);
    uint32_t a = load(CNN), b = load(CNN);
    CHECKF(a != b, "the model loaded twice got one id %u", a);
    model_io ia[ASYNC_RUNS], ib[ASYNC_RUNS];
    for (unsigned r = 0; r < ASYNC_RUNS; r++) {
        io_create(&ia[r], a);
        io_create(&ib[r], b);
        io_fill_input(&ia[r], r);
        io_fill_input(&ib[r], r);
        CHECK(io_out_bytes(&ia[r]) == ref_len);
    }

    sub_pipe s;
    sub_open(&s, 0);
    CHECK_RC(aclprofModelSubscribe(a, s.cfg), ACL_SUCCESS);
    CHECK_RC(aclprofModelSubscribe(b, s.cfg), ACL_SUCCESS);
    uint64_t t_start = now_ns();
    for (unsigned r = 0; r < ASYNC_RUNS; r++) {
        CHECK_RC(aclmdlExecuteAsync(a, ia[r].in, ia[r].out, s1), ACL_SUCCESS);
        CHECK_RC(aclmdlExecuteAsync(b, ib[r].in, ib[r].out, s2), ACL_SUCCESS);
    }
    CHECK_RC(aclrtSynchronizeStream(s1), ACL_SUCCESS);
    CHECK_RC(aclrtSynchronizeStream(s2), ACL_SUCCESS);
    uint64_t t_end = now_ns();
    for (unsigned r = 0; r < ASYNC_RUNS; r++) {
        check_outputs(&ia[r], ref[r], "stream 1", r);
        check_outputs(&ib[r], ref[r], "stream 2", r);
    }

    CHECK_RC(aclprofModelUnSubscribe(a), ACL_SUCCESS);
    CHECK_RC(aclprofModelUnSubscribe(b), ACL_SUCCESS);
    CHECKF(sub_wait_done(&s, WAIT_SECONDS), "no end-of-file within %d s after both unsubscribes", WAIT_SECONDS);
    sub_join(&s);
    uint64_t w0[ASYNC_RUNS], w1[ASYNC_RUNS];
    for (int r = 0; r < ASYNC_RUNS; r++) {
        w0[r] = t_start;
        w1[r] = t_end;
    }
    check_model_runs(&s, a, &cnn, ASYNC_RUNS, w0, w1);
    check_model_runs(&s, b, &cnn, ASYNC_RUNS, w0, w1);
    unsigned long tid_a = model_tid(&s, a), tid_b = model_tid(&s, b), self = (unsigned long)gettid();
    CHECKF(tid_a != tid_b, "both streams' operators ran on thread %lu; each stream has its own worker", tid_a);
    CHECKF(tid_a != self && tid_b != self, "operators ran on the application's thread %lu", self);

    sub_close(&s);
    for (int r = 0; r < ASYNC_RUNS; r++) {
        io_destroy(&ia[r]);
        io_destroy(&ib[r]);
    }
    CHECK_RC(aclmdlUnload(a), ACL_SUCCESS);
    CHECK_RC(aclmdlUnload(b), ACL_SUCCESS);
    CHECK_RC(aclrtDestroyStream(s1), ACL_SUCCESS);
    CHECK_RC(aclrtDestroyStream(s2), ACL_SUCCESS);
    free_refs(ref, ASYNC_RUNS);
    rt_down(ctx);
    free(cnn.ops);
    printf("%d async executes on each of two streams (worker threads %lu, %lu): outputs and records right\n",
           ASYNC_RUNS, tid_a, tid_b);
}

/*
 * Four application threads, each with its own context and its own model
 * (cnn, mlp, cnn, mlp), each subscribed on its own pipe drained by its own
 * reader, execute 20 times at once: every pipe carries exactly its model's
 * records, whole, and every output equals the reference run's.
 */
#define T4_THREADS 4
#define T4_RUNS 20

typedef struct {
    int index;
    aclrtContext ctx;
    model_kind kind;
    const op_list *ops;
    unsigned char **ref;
    pthread_barrier_t *start;
    uint32_t id;
    size_t records;
} t4_arg;

static void *t4_main(void *p)
{
    t4_arg *t = p;
    aclrtContext cur = NULL;
    CHECK_RC(aclrtSetCurrentContext(t->ctx), ACL_SUCCESS);
    CHECK_RC(aclrtGetCurrentContext(&cur), ACL_SUCCESS);
    CHECKF(cur == t->ctx, "thread %d: current context %p, set %p", t->index, cur, t->ctx);
    t->id = load(t->kind);
    model_io io;
    io_create(&io, t->id);
    sub_pipe s;
    sub_open(&s, 0);
    CHECK_RC(aclprofModelSubscribe(t->id, s.cfg), ACL_SUCCESS);

    int rc = pthread_barrier_wait(t->start);
    CHECK(rc == 0 || rc == PTHREAD_BARRIER_SERIAL_THREAD);
    uint64_t t0[T4_RUNS], t1[T4_RUNS];
    char what[64];
    snprintf(what, sizeof what, "thread %d (%s, model %u)", t->index, kind_name[t->kind], t->id);
    for (unsigned r = 0; r < T4_RUNS; r++) {
        io_fill_input(&io, r);
        execute_timed(&io, &t0[r], &t1[r]);
        check_outputs(&io, t->ref[r], what, r);
    }

    CHECK_RC(aclprofModelUnSubscribe(t->id), ACL_SUCCESS);
    CHECKF(sub_wait_done(&s, WAIT_SECONDS), "%s: no end-of-file within %d s after aclprofModelUnSubscribe", what,
           WAIT_SECONDS);
    sub_join(&s);
    check_model_runs(&s, t->id, t->ops, T4_RUNS, t0, t1);
    CHECKF(s.nrec == T4_RUNS * (t->ops->n + 1), "%s: %zu records on its pipe, expected only its own %zu", what,
           s.nrec, (size_t)T4_RUNS * (t->ops->n + 1));
    t->records = s.nrec;
    sub_close(&s);
    io_destroy(&io);
    CHECK_RC(aclmdlUnload(t->id), ACL_SUCCESS);
    return NULL;
}

static void case_threads4(void)
{
    aclrtContext ctx0 = rt_up();
    op_list ops[2];
    ops_load(CNN, &ops[CNN]);
    ops_load(MLP, &ops[MLP]);
    size_t len[2];
    unsigned char **ref[2];
    ref[CNN] = reference_outputs(CNN, T4_RUNS, &len[CNN]);
    ref[MLP] = reference_outputs(MLP, T4_RUNS, &len[MLP]);

    pthread_barrier_t start;
    CHECK(pthread_barrier_init(&start, NULL, T4_THREADS) == 0);
    t4_arg args[T4_THREADS];
    pthread_t th[T4_THREADS];
    for (int i = 0; i < T4_THREADS; i++) {
        memset(&args[i], 0, sizeof args[i]);
        args[i].index = i;
        args[i].kind = (model_kind)(i % 2);
        args[i].ops = &ops[i % 2];
        args[i].ref = ref[i % 2];
        args[i].start = &start;
        CHECK_RC(aclrtCreateContext(&args[i].ctx, 0), ACL_SUCCESS);
        CHECK(args[i].ctx != NULL);
    }
    for (int i = 0; i < T4_THREADS; i++)
        CHECK(pthread_create(&th[i], NULL, t4_main, &args[i]) == 0);
    for (int i = 0; i < T4_THREADS; i++)
        join_within(th[i], 40, "an executing thread");
    for (int i = 0; i < T4_THREADS; i++)
        for (int j = 0; j < i; j++)
            CHECKF(args[i].id != args[j].id, "threads %d and %d got the same model id %u", j, i, args[i].id);
    for (int i = 0; i < T4_THREADS; i++)
        CHECK_RC(aclrtDestroyContext(args[i].ctx), ACL_SUCCESS);
    CHECK(pthread_barrier_destroy(&start) == 0);
    CHECK_RC(aclrtSetCurrentContext(ctx0), ACL_SUCCESS);
    free_refs(ref[CNN], T4_RUNS);
    free_refs(ref[MLP], T4_RUNS);
    rt_down(ctx0);
    printf("4 threads x %d executes, 4 pipes: %zu, %zu, %zu, %zu records, outputs identical to the reference\n",
           T4_RUNS, args[0].records, args[1].records, args[2].records, args[3].records);
    free(ops[CNN].ops);
    free(ops[MLP].ops);
}

/*
 * The reader takes 3 records and closes its end of the pipe.  The program
 * is not killed by SIGPIPE: 50 executes all succeed with correct outputs,
 * unsubscribing works, and the runtime reports the dropped records on
 * stderr (tests/shell/check_runtime.sh checks that line).
 */
#define EARLY_RUNS 50
static void case_reader_closes_early(void)
{
    /* The default disposition, so that an unhandled SIGPIPE would kill us. */
    CHECK(signal(SIGPIPE, SIG_DFL) != SIG_ERR);
    aclrtContext ctx = rt_up();
    op_list cnn;
    ops_load(CNN, &cnn);
    size_t ref_len = 0;
    unsigned char **ref = reference_outputs(CNN, 4, &ref_len);
    uint32_t id = load(CNN);
    model_io io;
    io_create(&io, id);

    sub_pipe s;
    sub_open(&s, 3);
    CHECK_RC(aclprofModelSubscribe(id, s.cfg), ACL_SUCCESS);
    io_fill_input(&io, 0);
    uint64_t t0, t1;
    execute_timed(&io, &t0, &t1);
    check_outputs(&io, ref[0], "execute before the reader closed", 0);
    CHECKF(sub_wait_done(&s, WAIT_SECONDS), "the reader did not get 3 records within %d s", WAIT_SECONDS);
    sub_join(&s);
    CHECKF(s.nrec == 3, "the reader parsed %zu records", s.nrec);
    for (size_t k = 0; k < 3; k++)
        CHECKF(strcmp(s.recs[k].name, cnn.ops[k].name) == 0 && s.recs[k].model == id,
               "record %zu: model %zu '%s', expected model %u '%s'", k, s.recs[k].model, s.recs[k].name, id,
               cnn.ops[k].name);

    /* The read end is closed: every record from now on hits EPIPE. */
    for (size_t r = 1; r < EARLY_RUNS; r++) {
        io_fill_input(&io, (unsigned)(r % 4));
        execute_timed(&io, &t0, &t1);
        check_outputs(&io, ref[r % 4], "execute after the reader closed", r);
    }
    CHECK_RC(aclprofModelUnSubscribe(id), ACL_SUCCESS);
    struct sigaction sa;
    CHECK(sigaction(SIGPIPE, NULL, &sa) == 0);
    printf("SIGPIPE disposition after the run: %s\n",
           sa.sa_handler == SIG_DFL ? "default" : sa.sa_handler == SIG_IGN ? "ignored" : "a handler");

    sub_close(&s);
    io_destroy(&io);
    CHECK_RC(aclmdlUnload(id), ACL_SUCCESS);
    free_refs(ref, 4);
    rt_down(ctx);
    free(cnn.ops);
    printf("%d executes completed with correct outputs after the reader closed its end\n", EARLY_RUNS);
}

/*
 * A subscriber that keeps its read end open and never reads: the pipe fills,
 * the executes go on (the writer's queue takes them), and unsubscribing,
 * which flushes, returns once the writer has waited ACLSUB_STALL_MS (300
 * here) without progress, counting the rest as dropped instead of waiting
 * forever.  What the pipe holds is whole, valid records.
 */
#define STALL_RUNS 20
static void case_stalled_reader(void)
{
    CHECK(setenv("ACLSUB_STALL_MS", "300", 1) == 0);
    aclrtContext ctx = rt_up();
    uint32_t id = load(CNN);
    model_io io;
    io_create(&io, id);
    int fds[2];
    CHECK(pipe(fds) == 0);
    aclprofSubscribeConfig *cfg = aclprofCreateSubscribeConfig(1, ACL_AICORE_NONE, &fds[1]);
    CHECK(cfg != NULL);
    CHECK_RC(aclprofModelSubscribe(id, cfg), ACL_SUCCESS);
    uint64_t t0, t1;
    for (size_t r = 0; r < STALL_RUNS; r++) {
        io_fill_input(&io, (unsigned)(r % 4));
        execute_timed(&io, &t0, &t1);
    }
    uint64_t u0 = now_ns();
    CHECK_RC(aclprofModelUnSubscribe(id), ACL_SUCCESS);
    double secs = (double)(now_ns() - u0) / 1e9;
    CHECKF(secs < 5.0, "unsubscribe took %.2f s; the stall limit is 0.3 s", secs);
    /* The write end is closed now: read what the pipe holds to its end. */
    CHECK(fcntl(fds[0], F_SETFL, O_NONBLOCK) == 0);
    static unsigned char buf[1 << 20];
    size_t have = 0;
    ssize_t n;
    while (have < sizeof buf && (n = read(fds[0], buf + have, sizeof buf - have)) > 0)
        have += (size_t)n;
    uint32_t num = 0;
    CHECKF(have > 0 && have % REC == 0, "the pipe holds %zu bytes", have);
    CHECK_RC(aclprofGetOpNum(buf, have, &num), ACL_SUCCESS);
    CHECKF(num > 0 && num < STALL_RUNS * 40, "the pipe holds %u records of %d", num, STALL_RUNS * 40);
    close(fds[0]);
    CHECK_RC(aclprofDestroySubscribeConfig(cfg), ACL_SUCCESS);
    io_destroy(&io);
    CHECK_RC(aclmdlUnload(id), ACL_SUCCESS);
    rt_down(ctx);
    printf("unsubscribe returned after %.2f s with a reader that never read; the pipe held %u whole records\n",
           secs, num);
}

/*
 * Error codes and the inference surface: calls before aclInit, repeated
 * init/finalize, one device, memcpy's parameter checks, a bad model path,
 * the three ways to load, the model description, and executes with the
 * wrong number of buffers or too-small buffers.
 */
static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    CHECKF(f != NULL, "cannot open %s: %s", path, strerror(errno));
    CHECK(fseek(f, 0, SEEK_END) == 0);
    long n = ftell(f);
    CHECK(n > 0);
    rewind(f);
    unsigned char *p = malloc((size_t)n);
    CHECK(p != NULL);
    CHECK(fread(p, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* Executes model `id` with io's input and compares the output to ref. */
static void execute_into(uint32_t id, const model_io *io, const unsigned char *ref, const char *what)
{
    CHECK_RC(aclmdlExecute(id, io->in, io->out), ACL_SUCCESS);
    check_outputs(io, ref, what, 0);
}

static void case_errors(void)
{
    const char *cnn = om_path(CNN);
    uint32_t id = UNKNOWN_ID;

    /* Before aclInit. */
    CHECK_RC(aclrtSetDevice(0), ACL_ERROR_UNINITIALIZE);
    CHECK_RC(aclmdlLoadFromFile(cnn, &id), ACL_ERROR_UNINITIALIZE);

    CHECK_RC(aclInit(NULL), ACL_SUCCESS);
    CHECK_RC(aclInit(NULL), ACL_ERROR_REPEAT_INITIALIZE);
    uint32_t count = 0;
    CHECK_RC(aclrtGetDeviceCount(&count), ACL_SUCCESS);
    CHECKF(count == 1, "aclrtGetDeviceCount gave %u, expected 1", count);
    CHECKF(aclrtSetDevice(1) != ACL_SUCCESS, "aclrtSetDevice(1) succeeded on a one-device runtime");
    CHECK_RC(aclrtSetDevice(0), ACL_SUCCESS);
    int32_t dev = -1;
    CHECK_RC(aclrtGetDevice(&dev), ACL_SUCCESS);
    CHECK(dev == 0);
    aclrtContext ctx = NULL;
    CHECK_RC(aclrtCreateContext(&ctx, 0), ACL_SUCCESS);
    aclrtStream stream = NULL;
    CHECK_RC(aclrtCreateStream(&stream), ACL_SUCCESS);

    /* Memory and memcpy. */
    void *dptr = NULL, *hptr = NULL, *dptr2 = NULL;
    CHECK_RC(aclrtMalloc(&dptr, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    CHECK_RC(aclrtMalloc(&dptr2, 64, ACL_MEM_MALLOC_NORMAL_ONLY), ACL_SUCCESS);
    CHECK_RC(aclrtMallocHost(&hptr, 64), ACL_SUCCESS);
    CHECK(dptr != NULL && dptr2 != NULL && hptr != NULL);
    unsigned char pattern[64], back[64];
    for (int i = 0; i < 64; i++)
        pattern[i] = (unsigned char)(i * 7 + 3);
    memcpy(hptr, pattern, 64);
    CHECK_RC(aclrtMemcpy(dptr, 32, hptr, 64, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclrtMemcpy(dptr, 64, hptr, 64, (aclrtMemcpyKind)99), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclrtMemcpy(NULL, 64, hptr, 64, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclrtMemcpy(dptr, 64, NULL, 64, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclrtMemcpy(dptr, 64, hptr, 64, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    CHECK_RC(aclrtMemcpy(dptr2, 64, dptr, 64, ACL_MEMCPY_DEVICE_TO_DEVICE), ACL_SUCCESS);
    memset(back, 0, sizeof back);
    CHECK_RC(aclrtMemcpy(back, sizeof back, dptr2, 64, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    CHECKF(memcmp(back, pattern, 64) == 0, "host -> device -> device -> host round trip changed the bytes");
    memset(back, 0, sizeof back);
    CHECK_RC(aclrtMemcpy(back, sizeof back, hptr, 64, ACL_MEMCPY_DEFAULT), ACL_SUCCESS);
    CHECK(memcmp(back, pattern, 64) == 0);
    CHECK_RC(aclrtFree(dptr), ACL_SUCCESS);
    CHECK_RC(aclrtFree(dptr2), ACL_SUCCESS);
    CHECK_RC(aclrtFreeHost(hptr), ACL_SUCCESS);

    /* Loading. */
    CHECK_RC(aclmdlLoadFromFile("/nonexistent/aclsub/model.om", &id), ACL_ERROR_READ_MODEL_FAILURE);
    id = load(CNN);
    model_io io;
    io_create(&io, id);

    /* The description: cnn takes one float 1x3x32x32 image and gives 10 probabilities. */
    CHECK(io.nin == 1 && io.nout == 1);
    aclmdlIODims dims;
    memset(&dims, 0, sizeof dims);
    CHECK_RC(aclmdlGetInputDims(io.desc, 0, &dims), ACL_SUCCESS);
    CHECKF(dims.dimCount == 4 && dims.dims[0] == 1 && dims.dims[1] == 3 && dims.dims[2] == 32 && dims.dims[3] == 32,
           "input dims: %zu dims, %lld x %lld x %lld x %lld", dims.dimCount, (long long)dims.dims[0],
           (long long)dims.dims[1], (long long)dims.dims[2], (long long)dims.dims[3]);
    CHECKF(io.in_size[0] == 1 * 3 * 32 * 32 * sizeof(float), "input size %zu", io.in_size[0]);
    memset(&dims, 0, sizeof dims);
    CHECK_RC(aclmdlGetOutputDims(io.desc, 0, &dims), ACL_SUCCESS);
    int64_t elems = 1;
    for (size_t i = 0; i < dims.dimCount && i < ACL_MAX_DIM_CNT; i++)
        elems *= dims.dims[i];
    CHECKF(dims.dimCount >= 1 && elems == 10, "output has %zu dims, %lld elements; expected 10 classes",
           dims.dimCount, (long long)elems);
    CHECKF(io.out_size[0] == (size_t)elems * sizeof(float), "output size %zu for %lld float elements",
           io.out_size[0], (long long)elems);
    CHECK_RC(aclmdlGetInputDims(io.desc, 1, &dims), ACL_ERROR_INVALID_PARAM);
    CHECK(aclmdlGetInputSizeByIndex(io.desc, 1) == 0);
    aclmdlDesc *bad = aclmdlCreateDesc();
    CHECK(bad != NULL);
    CHECKF(aclmdlGetDesc(bad, UNKNOWN_ID) != ACL_SUCCESS, "aclmdlGetDesc of an unknown model id succeeded");
    CHECK_RC(aclmdlDestroyDesc(bad), ACL_SUCCESS);

    /* A reference execute. */
    io_fill_input(&io, 7);
    CHECK_RC(aclmdlExecute(id, io.in, io.out), ACL_SUCCESS);
    unsigned char *ref = io_read_outputs(&io);
    check_probabilities(ref, io_out_bytes(&io), "cnn");

    /* Wrong buffer counts, too-small buffers, unknown ids. */
    void *extra = NULL, *small = NULL;
    CHECK_RC(aclrtMalloc(&extra, io.in_size[0], ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    CHECK_RC(aclrtMalloc(&small, io.in_size[0], ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    void *two[2] = {io.in_dev[0], extra};
    size_t two_sizes[2] = {io.in_size[0], io.in_size[0]};
    aclmdlDataset *in2 = dataset_of(two, two_sizes, 2);
    CHECK_RC(aclmdlExecute(id, in2, io.out), ACL_ERROR_INVALID_PARAM);
    aclmdlDataset *empty = aclmdlCreateDataset();
    CHECK(empty != NULL);
    CHECK_RC(aclmdlExecute(id, io.in, empty), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclmdlExecute(id, empty, io.out), ACL_ERROR_INVALID_PARAM);
    size_t small_in = io.in_size[0] - sizeof(float), small_out = io.out_size[0] - sizeof(float);
    aclmdlDataset *in_small = dataset_of(&small, &small_in, 1);
    CHECK_RC(aclmdlExecute(id, in_small, io.out), ACL_ERROR_INVALID_PARAM);
    aclmdlDataset *out_small = dataset_of(&small, &small_out, 1);
    CHECK_RC(aclmdlExecute(id, io.in, out_small), ACL_ERROR_INVALID_PARAM);
    CHECK_RC(aclmdlExecuteAsync(id, in_small, io.out, stream), ACL_ERROR_INVALID_PARAM);
    STEP("aclmdlExecute(UNKNOWN_ID, ...)");
    CHECKF(aclmdlExecute(UNKNOWN_ID, io.in, io.out) != ACL_SUCCESS, "aclmdlExecute of an unknown model id succeeded");
    dataset_free(in2);
    CHECK_RC(aclmdlDestroyDataset(empty), ACL_SUCCESS);
    dataset_free(in_small);
    dataset_free(out_small);
    CHECK_RC(aclrtFree(extra), ACL_SUCCESS);
    CHECK_RC(aclrtFree(small), ACL_SUCCESS);
    /* The refused executes left the outputs alone, and a good execute still works. */
    check_outputs(&io, ref, "after the refused executes", 0);
    execute_into(id, &io, ref, "aclmdlLoadFromFile model, again");
    CHECK_RC(aclmdlExecuteAsync(id, io.in, io.out, stream), ACL_SUCCESS);
    CHECK_RC(aclrtSynchronizeStream(stream), ACL_SUCCESS);
    check_outputs(&io, ref, "aclmdlExecuteAsync", 0);

    /* aclmdlQuerySize + aclmdlLoadFromFileWithMem, and aclmdlLoadFromMem: same outputs. */
    size_t work = 0, weight = 0;
    CHECK_RC(aclmdlQuerySize(cnn, &work, &weight), ACL_SUCCESS);
    CHECKF(work > 0 && weight > 0, "aclmdlQuerySize: work %zu, weight %zu", work, weight);
    CHECK_RC(aclmdlQuerySize("/nonexistent/aclsub/model.om", &work, &weight), ACL_ERROR_READ_MODEL_FAILURE);
    CHECK_RC(aclmdlQuerySize(cnn, &work, &weight), ACL_SUCCESS);
    void *work_mem = NULL, *weight_mem = NULL;
    CHECK_RC(aclrtMalloc(&work_mem, work, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    CHECK_RC(aclrtMalloc(&weight_mem, weight, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    uint32_t id_mem = UNKNOWN_ID, id_buf = UNKNOWN_ID;
    CHECK_RC(aclmdlLoadFromFileWithMem(cnn, &id_mem, work_mem, work, weight_mem, weight), ACL_SUCCESS);
    size_t image_len = 0;
    unsigned char *image = read_file(cnn, &image_len);
    CHECK_RC(aclmdlLoadFromMem(image, image_len, &id_buf), ACL_SUCCESS);
    free(image);
    CHECKF(id_mem != id && id_buf != id && id_mem != id_buf, "model ids %u, %u, %u not distinct", id, id_mem, id_buf);
    execute_into(id_mem, &io, ref, "aclmdlLoadFromFileWithMem model");
    execute_into(id_buf, &io, ref, "aclmdlLoadFromMem model");
    CHECK_RC(aclmdlUnload(id_mem), ACL_SUCCESS);
    CHECK_RC(aclmdlUnload(id_buf), ACL_SUCCESS);
    CHECK_RC(aclrtFree(work_mem), ACL_SUCCESS);
    CHECK_RC(aclrtFree(weight_mem), ACL_SUCCESS);

    free(ref);
    io_destroy(&io);
    CHECK_RC(aclmdlUnload(id), ACL_SUCCESS);
    CHECKF(aclmdlUnload(id) != ACL_SUCCESS, "unloading model %u twice succeeded", id);
    CHECK_RC(aclrtDestroyStream(stream), ACL_SUCCESS);
    CHECK_RC(aclrtDestroyContext(ctx), ACL_SUCCESS);
    CHECK_RC(aclrtResetDevice(0), ACL_SUCCESS);
    CHECK_RC(aclFinalize(), ACL_SUCCESS);
    CHECK_RC(aclFinalize(), ACL_ERROR_REPEAT_FINALIZE);
    printf("error codes and the inference surface as documented\n");
}

/*
 * Contexts are per thread: a new thread has no current context and cannot
 * create a stream until it sets one; aclrtSetDevice(0) makes the device's
 * default context current; creating a context in one thread leaves the
 * other threads' current context alone.
 */
static aclrtContext g_ctx;

static void *ctx_thread_main(void *arg)
{
    (void)arg;
    aclrtContext cur = NULL;
    aclrtStream st = NULL;
    aclError rc = aclrtGetCurrentContext(&cur);
    CHECKF(rc != ACL_SUCCESS || cur == NULL, "a new thread has current context %p", cur);
    CHECKF(aclrtCreateStream(&st) != ACL_SUCCESS, "aclrtCreateStream succeeded without a current context");
    CHECK_RC(aclrtSetCurrentContext(g_ctx), ACL_SUCCESS);
    CHECK_RC(aclrtGetCurrentContext(&cur), ACL_SUCCESS);
    CHECKF(cur == g_ctx, "current context %p after setting %p", cur, g_ctx);
    CHECK_RC(aclrtCreateStream(&st), ACL_SUCCESS);
    CHECK_RC(aclrtDestroyStream(st), ACL_SUCCESS);
    aclrtContext mine = NULL;
    CHECK_RC(aclrtCreateContext(&mine, 0), ACL_SUCCESS);
    CHECK_RC(aclrtGetCurrentContext(&cur), ACL_SUCCESS);
    CHECKF(cur == mine && mine != g_ctx, "aclrtCreateContext did not make the new context %p current (%p)", mine,
           cur);
    CHECK_RC(aclrtDestroyContext(mine), ACL_SUCCESS);
    return NULL;
}

static void *device_thread_main(void *arg)
{
    (void)arg;
    aclrtContext cur = NULL;
    aclrtStream st = NULL;
    CHECK_RC(aclrtSetDevice(0), ACL_SUCCESS);
    CHECK_RC(aclrtGetCurrentContext(&cur), ACL_SUCCESS);
    CHECKF(cur != NULL && cur != g_ctx, "after aclrtSetDevice(0) the current context is %p (created one: %p)", cur,
           g_ctx);
    CHECK_RC(aclrtCreateStream(&st), ACL_SUCCESS);
    CHECK_RC(aclrtDestroyStream(st), ACL_SUCCESS);
    return NULL;
}

static void case_context_per_thread(void)
{
    g_ctx = rt_up();
    pthread_t t;
    CHECK(pthread_create(&t, NULL, ctx_thread_main, NULL) == 0);
    join_within(t, WAIT_SECONDS, "the context thread");
    aclrtContext cur = NULL;
    CHECK_RC(aclrtGetCurrentContext(&cur), ACL_SUCCESS);
    CHECKF(cur == g_ctx, "another thread's aclrtCreateContext changed this thread's context to %p", cur);
    CHECK(pthread_create(&t, NULL, device_thread_main, NULL) == 0);
    join_within(t, WAIT_SECONDS, "the device thread");
    rt_down(g_ctx);
    printf("current contexts are per thread\n");
}

/* --- dispatch ---------------------------------------------------------------------- */

static const struct {
    const char *name;
    void (*run)(void);
} cases[] = {
    {"shared_fd", case_shared_fd},
    {"double_subscribe", case_double_subscribe},
    {"unmatched_config", case_unmatched_config},
    {"unsubscribe_unknown", case_unsubscribe_unknown},
    {"null_config", case_null_config},
    {"config_copies_fd", case_config_copies_fd},
    {"unload_ends_subscription", case_unload_ends_subscription},
    {"async_two_streams", case_async_two_streams},
    {"threads4", case_threads4},
    {"reader_closes_early", case_reader_closes_early},
    {"stalled_reader", case_stalled_reader},
    {"errors", case_errors},
    {"context_per_thread", case_context_per_thread},
};

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    size_t ncases = sizeof cases / sizeof cases[0];
    if (argc >= 2 && strcmp(argv[1], "list") == 0) {
        for (size_t i = 0; i < ncases; i++)
            printf("%s\n", cases[i].name);
        return 0;
    }
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: app_prof_cases CASE [MODELDIR [TXTDIR]]   (app_prof_cases list: the cases)\n");
        return 2;
    }
    if (argc >= 3)
        g_modeldir = argv[2];
    if (argc >= 4)
        g_txtdir = argv[3];
    for (size_t i = 0; i < ncases; i++)
        if (strcmp(argv[1], cases[i].name) == 0) {
            watchdog_start(WATCHDOG_SECONDS);
            cases[i].run();
            printf("pass %s\n", cases[i].name);
            return 0;
        }
    fprintf(stderr, "app_prof_cases: unknown case '%s'\n", argv[1]);
    return 2;
}
