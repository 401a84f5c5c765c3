/*
 * app_seed_flow.c - the vendor's documented model-subscription sample, step
 * for step, as a plain AscendCL program (only <acl/acl.h> and
 * <acl/acl_prof.h>), run against the emulated libascendcl.so.
 *
 *   app_seed_flow MODEL.om MODEL.txt
 *
 * Flow: aclInit, set device, create context and stream, load the model,
 * build device input/output datasets, pipe(), create a subscription config
 * on the pipe's write end, subscribe, start a reader thread that reads
 * (record size x 10) bytes per read() until end-of-file and parses every
 * chunk with the aclprofGetOp* accessors, execute 10 times, unload the
 * model BEFORE unsubscribing (as the sample does), unsubscribe, join the
 * reader, close the read end, destroy everything, aclFinalize.
 *
 * MODEL.txt is the model's text description; its `node NAME OPTYPE ...`
 * lines give the operators in execution order.  What is pinned: exactly
 * (operators + 1) x 10 records; per execute the operators' names and types
 * in graph order followed by one whole-run record ("keypoint_op", "na",
 * ACL_SUBSCRIBE_SUBGRAPH) spanning exactly first start .. last end; every
 * duration positive and equal to end - start; operators of one execute do
 * not overlap; their times lie inside the app's CLOCK_MONOTONIC window
 * around aclmdlExecute and their durations sum to no more than it; every
 * read() returns whole records; unloading a subscribed model ends its
 * subscription (the reader sees end-of-file).
 *
 * Exit status 0 on success; 1 at the first failed check, which is printed
 * as FILE:LINE with the condition and the values involved.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <acl/acl.h>
#include <acl/acl_prof.h>

#define RUNS 10
#define READ_RECORDS 10 /* records per read(), as in the sample */
#define EOF_WAIT_SECONDS 20
#define WATCHDOG_SECONDS 50 /* under check_runtime.sh's `timeout 60` */

/* --- checks ------------------------------------------------------------------ */

#include "app_check.h" /* beside it: built as a vendor program, include/ only */

/* --- the model's operators, from its text description --------------------------- */

typedef struct {
    char name[256];
    char type[64];
} op_desc;

typedef struct {
    op_desc *ops;
    size_t n;
} op_list;

/* Reads the `node NAME OPTYPE ...` lines of a model description, in order. */
static void ops_load(const char *path, op_list *l)
{
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

/* --- records as the accessors return them ---------------------------------------- */


/* Records parsed by the reader; only the reader touches them until it is joined. */
static op_rec *g_recs;
static size_t g_nrecs, g_cap;
static size_t g_chunks;
static size_t g_desc_size;

static void rec_push(const op_rec *r)
{
    if (g_nrecs == g_cap) {
        g_cap = g_cap ? 2 * g_cap : 256;
        g_recs = realloc(g_recs, g_cap * sizeof *g_recs);
        CHECK(g_recs != NULL);
    }
    g_recs[g_nrecs++] = *r;
}

/* Parses one buffer of whole records with the accessors, as the sample's get_model_info does. */
static void parse_chunk(const void *buf, size_t len)
{
    uint32_t n = 0;
    CHECK_RC(aclprofGetOpNum(buf, len, &n), ACL_SUCCESS);
    CHECKF(n == len / g_desc_size, "aclprofGetOpNum gave %u for %zu bytes", n, len);
    for (uint32_t i = 0; i < n; i++) {
        op_rec r;
        read_op_rec(buf, len, i, &r);
        rec_push(&r);
    }
}

/* The sample's prof_data_read: read (size x 10) bytes at a time until end-of-file. */
static void *reader_main(void *arg)
{
    int fd = *(int *)arg;
    tl_reader = 1;
    size_t cap = g_desc_size * READ_RECORDS;
    unsigned char *buf = malloc(cap);
    CHECK(buf != NULL);
    for (;;) {
        ssize_t n = read(fd, buf, cap);
        if (n < 0 && errno == EINTR)
            continue;
        CHECKF(n >= 0, "read from the subscription pipe: %s", strerror(errno));
        if (n == 0)
            break;
        CHECKF((size_t)n % g_desc_size == 0, "read() returned %zd bytes: not whole %zu-byte records", n,
               g_desc_size);
        g_chunks++;
        parse_chunk(buf, (size_t)n);
    }
    free(buf);
    return NULL;
}


/* All outputs, concatenated, copied to the host (malloc'ed; *len gets the byte count). */
static unsigned char *io_read_outputs(const model_io *m, size_t *len)
{
    size_t total = 0;
    for (size_t i = 0; i < m->nout; i++)
        total += m->out_size[i];
    unsigned char *h = malloc(total);
    CHECK(h != NULL);
    size_t off = 0;
    for (size_t i = 0; i < m->nout; i++) {
        CHECK_RC(aclrtMemcpy(h + off, total - off, m->out_dev[i], m->out_size[i], ACL_MEMCPY_DEVICE_TO_HOST),
                 ACL_SUCCESS);
        off += m->out_size[i];
    }
    *len = total;
    return h;
}


/* --- the checks on the records of `runs` executes of one model ----------------------- */

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
            CHECKF(x->flag == ACL_SUBSCRIBE_OP, "execute %zu record %zu (%s): flag %d, expected ACL_SUBSCRIBE_OP", r,
                   k, x->name, x->flag);
            CHECKF(strcmp(x->name, ops->ops[k].name) == 0, "execute %zu operator %zu: name '%s', expected '%s'", r, k,
                   x->name, ops->ops[k].name);
            CHECKF(strcmp(x->type, ops->ops[k].type) == 0, "execute %zu operator %zu (%s): type '%s', expected '%s'",
                   r, k, x->name, x->type, ops->ops[k].type);
            CHECKF(x->start < x->end && x->dur > 0 && x->dur == x->end - x->start,
                   "execute %zu operator %s: start %llu end %llu duration %llu", r, x->name,
                   (unsigned long long)x->start, (unsigned long long)x->end, (unsigned long long)x->dur);
            if (k > 0)
                CHECKF(x->start >= run[k - 1].end, "execute %zu: %s starts at %llu before %s ends at %llu", r,
                       x->name, (unsigned long long)x->start, run[k - 1].name, (unsigned long long)run[k - 1].end);
            CHECKF(x->tid == run[0].tid && x->tid != 0, "execute %zu: operator %s on thread %lu, %s on thread %lu", r,
                   x->name, x->tid, run[0].name, run[0].tid);
            sum += x->dur;
        }
        const op_rec *w = &run[ops->n];
        CHECKF(w->model == model && w->flag == ACL_SUBSCRIBE_SUBGRAPH && strcmp(w->name, "keypoint_op") == 0 &&
                   strcmp(w->type, "na") == 0,
               "execute %zu: record %zu is model %zu flag %d name '%s' type '%s', expected the whole-run record "
               "(model %zu, ACL_SUBSCRIBE_SUBGRAPH, keypoint_op, na)",
               r, ops->n, w->model, w->flag, w->name, w->type, model);
        CHECKF(w->start == run[0].start && w->end == run[ops->n - 1].end,
               "execute %zu: whole-run record spans %llu..%llu, operators %llu..%llu", r, (unsigned long long)w->start,
               (unsigned long long)w->end, (unsigned long long)run[0].start,
               (unsigned long long)run[ops->n - 1].end);
        CHECKF(w->dur == w->end - w->start && w->dur > 0, "execute %zu: whole-run duration %llu, end - start %llu", r,
               (unsigned long long)w->dur, (unsigned long long)(w->end - w->start));
        CHECKF(w->start >= prev_end, "execute %zu starts at %llu before execute %zu ended at %llu", r,
               (unsigned long long)w->start, r - 1, (unsigned long long)prev_end);
        prev_end = w->end;
        CHECKF(sum <= t1[r] - t0[r], "execute %zu: operator durations sum to %llu ns, more than the %llu ns wall time", r,
               (unsigned long long)sum, (unsigned long long)(t1[r] - t0[r]));
        CHECKF(w->start >= t0[r] && w->end <= t1[r],
               "execute %zu: operators ran %llu..%llu (CLOCK_MONOTONIC ns), outside the call's window %llu..%llu", r,
               (unsigned long long)w->start, (unsigned long long)w->end, (unsigned long long)t0[r],
               (unsigned long long)t1[r]);
    }
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 3) {
        fprintf(stderr, "usage: app_seed_flow MODEL.om MODEL.txt\n");
        return 2;
    }
    watchdog_start(WATCHDOG_SECONDS);
    op_list ops;
    ops_load(argv[2], &ops);

    /* 1. Runtime resources: device, context, stream. */
    aclrtContext ctx = NULL;
    aclrtStream stream = NULL;
    CHECK_RC(aclInit(NULL), ACL_SUCCESS);
    CHECK_RC(aclrtSetDevice(0), ACL_SUCCESS);
    CHECK_RC(aclrtCreateContext(&ctx, 0), ACL_SUCCESS);
    CHECK(ctx != NULL);
    CHECK_RC(aclrtCreateStream(&stream), ACL_SUCCESS);
    CHECK(stream != NULL);

    /* 2. Load the model.  3. Its input and output datasets. */
    uint32_t id = 0;
    CHECK_RC(aclmdlLoadFromFile(argv[1], &id), ACL_SUCCESS);
    model_io io;
    io_create(&io, id);
    io_fill_input(&io, 0);

    /* 4. The pipe.  5. Subscription config and subscribe. */
    int fds[2];
    CHECKF(pipe(fds) == 0, "pipe: %s", strerror(errno));
    int r = fds[0], w = fds[1];
    CHECK_RC(aclprofGetOpDescSize(&g_desc_size), ACL_SUCCESS);
    CHECKF(g_desc_size == 512, "aclprofGetOpDescSize gave %zu, expected 512", g_desc_size);
    aclprofSubscribeConfig *cfg = aclprofCreateSubscribeConfig(1, ACL_AICORE_NONE, &w);
    CHECK(cfg != NULL);
    CHECK_RC(aclprofModelSubscribe(id, cfg), ACL_SUCCESS);

    /* 6.-7. The reader thread. */
    pthread_t reader;
    CHECK(pthread_create(&reader, NULL, reader_main, &r) == 0);

    /* 8. Execute, timing each call; 9. the outputs are identical every time. */
    uint64_t t0[RUNS], t1[RUNS];
    unsigned char *first = NULL;
    size_t first_len = 0;
    for (int i = 0; i < RUNS; i++) {
        STEP("aclmdlExecute");
        t0[i] = now_ns();
        aclError rc = aclmdlExecute(id, io.in, io.out);
        t1[i] = now_ns();
        CHECKF(rc == ACL_SUCCESS, "execute %d returned %d", i, rc);
        size_t len = 0;
        unsigned char *out = io_read_outputs(&io, &len);
        if (!first) {
            first = out;
            first_len = len;
            continue;
        }
        CHECKF(len == first_len && memcmp(out, first, len) == 0, "execute %d: outputs differ from execute 0", i);
        free(out);
    }
    const float *prob = (const float *)first;
    size_t nprob = first_len / sizeof(float);
    float sum = 0;
    for (size_t i = 0; i < nprob; i++) {
        CHECKF(prob[i] >= 0.0f && prob[i] <= 1.0f, "output[%zu] = %g is not a probability", i, prob[i]);
        sum += prob[i];
    }
    CHECKF(sum > 0.999f && sum < 1.001f, "softmax outputs sum to %g", sum);
    free(first);

    /* 10. Unload the model first, as the sample does; 11. then unsubscribe. */
    CHECK_RC(aclmdlUnload(id), ACL_SUCCESS);
    STEP("aclprofModelUnSubscribe after aclmdlUnload");
    aclError urc = aclprofModelUnSubscribe(id);
    CHECKF(urc == ACL_SUCCESS || urc == ACL_ERROR_INVALID_MODEL_ID,
           "aclprofModelUnSubscribe after unload returned %d, expected %d or 0", urc, ACL_ERROR_INVALID_MODEL_ID);
    printf("aclprofModelUnSubscribe after aclmdlUnload: %s (%d)\n",
           urc == ACL_SUCCESS ? "ACL_SUCCESS" : "ACL_ERROR_INVALID_MODEL_ID", urc);
    join_within(reader, EOF_WAIT_SECONDS, "the reader thread (end-of-file on the pipe)");
    CHECK(close(r) == 0);
    CHECK_RC(aclprofDestroySubscribeConfig(cfg), ACL_SUCCESS);

    check_runs(g_recs, g_nrecs, id, &ops, RUNS, t0, t1);
    uint64_t op_ns = 0, wall_ns = 0;
    for (int i = 0; i < RUNS; i++)
        wall_ns += t1[i] - t0[i];
    for (size_t i = 0; i < g_nrecs; i++)
        if (g_recs[i].flag == ACL_SUBSCRIBE_OP)
            op_ns += g_recs[i].dur;

    /* 12. Destroy runtime resources. */
    io_destroy(&io);
    CHECK_RC(aclrtDestroyStream(stream), ACL_SUCCESS);
    CHECK_RC(aclrtDestroyContext(ctx), ACL_SUCCESS);
    CHECK_RC(aclrtResetDevice(0), ACL_SUCCESS);
    CHECK_RC(aclFinalize(), ACL_SUCCESS);

    printf("%s: %d executes, %zu operators each: %zu records in %zu reads, all checks passed\n", argv[1], RUNS, ops.n,
           g_nrecs, g_chunks);
    printf("operator time %.3f ms of %.3f ms wall time in aclmdlExecute\n", op_ns / 1e6, wall_ns / 1e6);
    free(g_recs);
    free(ops.ops);
    return 0;
}
