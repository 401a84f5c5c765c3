/*
 * app_fork.c - fork after aclInit, with a model loaded, subscribed and
 * executed, on the emulated runtime: the child must never hang.
 *
 *   app_fork MODEL
 *
 * The parent initialises, loads MODEL, subscribes it into a pipe (a reader
 * thread counts the records), executes it once, and forks.  In the child
 * (under a watchdog of 20 s, so a hang is reported by the call it is in):
 * the parent's model, stream and device answer at once (executing:
 * ACL_ERROR_UNINITIALIZE; the parent's stream: ACL_ERROR_RT_PARAM_INVALID;
 * unloading the parent's model: ACL_ERROR_INVALID_MODEL_ID); aclFinalize succeeds; aclInit and
 * aclrtSetDevice succeed again; the model loads again, executes with the
 * same input to the same output bytes as in the parent, and a subscription
 * of its own delivers every record; the parent's stream is still refused.
 * The parent then executes once more, its subscription receives every
 * record of both its executes, and it prints "ok fork: ..." lines.
 * Exit status 0 when everything held; 1 with a FAIL line otherwise.
 */
#define _GNU_SOURCE
#include <sys/wait.h>

#include "app_check.h" /* beside it: built as a vendor program, include/ only */

typedef struct {
    int fd;
    uint64_t records;
} reader_arg;

/* Counts whole records until end of file. */
static void *reader_main(void *p)
{
    reader_arg *a = p;
    tl_reader = 1;
    static __thread unsigned char buf[1 << 16];
    size_t have = 0;
    for (;;) {
        ssize_t n = read(a->fd, buf + have, sizeof buf - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += (size_t)n;
        size_t used = have / 512 * 512; /* aclsub's records: 512 bytes */
        uint32_t num = 0;
        if (used && aclprofGetOpNum(buf, used, &num) == ACL_SUCCESS) {
            for (uint32_t i = 0; i < num; i++) {
                op_rec r;
                read_op_rec(buf, used, i, &r); /* every accessor answers for every record */
            }
            a->records += num;
            memmove(buf, buf + used, have - used);
            have -= used;
        }
    }
    return NULL;
}

typedef struct {
    int fds[2];
    reader_arg arg;
    pthread_t reader;
    aclprofSubscribeConfig *cfg;
} subscription;

static void subscribe(subscription *s, uint32_t model)
{
    CHECK(pipe(s->fds) == 0);
    s->arg = (reader_arg){.fd = s->fds[0]};
    CHECK(pthread_create(&s->reader, NULL, reader_main, &s->arg) == 0);
    s->cfg = aclprofCreateSubscribeConfig(1, ACL_AICORE_NONE, &s->fds[1]);
    CHECK(s->cfg != NULL);
    CHECK_RC(aclprofModelSubscribe(model, s->cfg), ACL_SUCCESS);
}

/* Unsubscribes (the runtime closes the write end) and returns what the reader counted. */
static uint64_t unsubscribe(subscription *s, uint32_t model)
{
    CHECK_RC(aclprofModelUnSubscribe(model), ACL_SUCCESS);
    join_within(s->reader, 10, "the subscription reader");
    CHECK_RC(aclprofDestroySubscribeConfig(s->cfg), ACL_SUCCESS);
    close(s->fds[0]);
    return s->arg.records;
}

static uint64_t output_hash(const model_io *m)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < m->nout; i++) {
        unsigned char *host = malloc(m->out_size[i]);
        CHECK(host != NULL);
        CHECK_RC(aclrtMemcpy(host, m->out_size[i], m->out_dev[i], m->out_size[i], ACL_MEMCPY_DEVICE_TO_HOST),
                 ACL_SUCCESS);
        for (size_t k = 0; k < m->out_size[i]; k++)
            h = (h ^ host[k]) * 0x100000001b3ull;
        free(host);
    }
    return h;
}

static size_t node_count(uint32_t model)
{
    /* One record per operator and one whole-run record per execute: count them from one execute. */
    subscription s;
    model_io io;
    io_create(&io, model);
    io_fill_input(&io, 1);
    subscribe(&s, model);
    CHECK_RC(aclmdlExecute(model, io.in, io.out), ACL_SUCCESS);
    uint64_t n = unsubscribe(&s, model);
    io_destroy(&io);
    return (size_t)n;
}

static void child(const char *path, uint32_t parent_model, aclrtStream parent_stream, uint64_t parent_hash,
                  size_t per_execute)
{
    watchdog_start(20);
    CHECK_RC(aclmdlExecute(parent_model, NULL, NULL), ACL_ERROR_UNINITIALIZE);
    CHECK_RC(aclrtSynchronizeStream(parent_stream), ACL_ERROR_RT_PARAM_INVALID);
    CHECK_RC(aclrtSynchronizeDevice(), ACL_ERROR_RT_PARAM_INVALID);
    CHECK_RC(aclmdlUnload(parent_model), ACL_ERROR_INVALID_MODEL_ID); /* not this process's */
    CHECK_RC(aclFinalize(), ACL_SUCCESS);
    CHECK_RC(aclInit(NULL), ACL_SUCCESS);
    CHECK_RC(aclrtSetDevice(0), ACL_SUCCESS);
    uint32_t id;
    CHECK_RC(aclmdlLoadFromFile(path, &id), ACL_SUCCESS);
    model_io io;
    io_create(&io, id);
    io_fill_input(&io, 7);
    subscription s;
    subscribe(&s, id);
    CHECK_RC(aclmdlExecute(id, io.in, io.out), ACL_SUCCESS);
    uint64_t got = unsubscribe(&s, id);
    CHECKF(got == per_execute, "the child's subscription received %llu records, expected %zu",
           (unsigned long long)got, per_execute);
    CHECKF(output_hash(&io) == parent_hash, "the child's output differs from the parent's");
    CHECK_RC(aclrtSynchronizeStream(parent_stream), ACL_ERROR_RT_PARAM_INVALID);
    io_destroy(&io);
    CHECK_RC(aclmdlUnload(id), ACL_SUCCESS);
    CHECK_RC(aclrtResetDevice(0), ACL_SUCCESS);
    CHECK_RC(aclFinalize(), ACL_SUCCESS);
    fflush(NULL);
    _exit(0);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: app_fork MODEL\n");
        return 2;
    }
    watchdog_start(60);
    CHECK_RC(aclInit(NULL), ACL_SUCCESS);
    CHECK_RC(aclrtSetDevice(0), ACL_SUCCESS);
    aclrtStream stream;
    CHECK_RC(aclrtCreateStream(&stream), ACL_SUCCESS);
    uint32_t id;
    CHECK_RC(aclmdlLoadFromFile(argv[1], &id), ACL_SUCCESS);
    size_t per_execute = node_count(id);
    CHECK(per_execute >= 2);

    model_io io;
    io_create(&io, id);
    io_fill_input(&io, 7);
    subscription s;
    subscribe(&s, id);
    CHECK_RC(aclmdlExecute(id, io.in, io.out), ACL_SUCCESS);
    uint64_t hash = output_hash(&io);
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0)
        child(argv[1], id, stream, hash, per_execute);
    uint64_t t0 = now_ns();
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child ended with status %d", status);
    printf("ok fork: the child got clear errors for the parent's model and stream, re-initialised, and its "
           "own subscribed execute gave the parent's output and %zu records (child done in %.1f ms)\n",
           per_execute, (double)(now_ns() - t0) / 1e6);

    CHECK_RC(aclmdlExecute(id, io.in, io.out), ACL_SUCCESS);
    uint64_t got = unsubscribe(&s, id);
    CHECKF(got == 2 * per_execute, "the parent's subscription received %llu records, expected %zu",
           (unsigned long long)got, 2 * per_execute);
    printf("ok fork: the parent's subscription received every record of its 2 executes (%llu)\n",
           (unsigned long long)got);
    io_destroy(&io);
    CHECK_RC(aclmdlUnload(id), ACL_SUCCESS);
    CHECK_RC(aclrtDestroyStream(stream), ACL_SUCCESS);
    CHECK_RC(aclrtResetDevice(0), ACL_SUCCESS);
    CHECK_RC(aclFinalize(), ACL_SUCCESS);
    return 0;
}
