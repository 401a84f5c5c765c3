/*
 * app_check.h - the checking harness shared by the plain AscendCL test
 * programs (app_seed_flow.c, app_prof_cases.c): CHECK macros that end the
 * process with the file, line and condition, STEP markers naming the
 * runtime call in progress, and a watchdog that reports a call that never
 * returns by name instead of as a bare timeout.
 */
#ifndef ACLSUB_TESTS_APP_CHECK_H_
#define ACLSUB_TESTS_APP_CHECK_H_

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <acl/acl.h>

/* Prints the failure and ends the process at once (from any thread). */
static void fail_at(const char *file, int line, const char *cond, const char *fmt, ...)
{
    printf("FAIL %s:%d: %s\n", file, line, cond);
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        printf("     ");
        vprintf(fmt, ap);
        printf("\n");
        va_end(ap);
    }
    fflush(NULL);
    _exit(1);
}

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            fail_at(__FILE__, __LINE__, #cond, NULL);                                                                  \
    } while (0)
#define CHECKF(cond, ...)                                                                                              \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            fail_at(__FILE__, __LINE__, #cond, __VA_ARGS__);                                                           \
    } while (0)
/*
 * The call the program is in, for the watchdog: a runtime call that never
 * returns is reported by name and line instead of as a bare timeout.
 */
static _Atomic(const char *) g_step = "start";
static atomic_int g_step_line;
static _Thread_local int tl_reader; /* set in pipe readers: their accessor calls are not steps */
#define STEP(what)                                                                                                     \
    do {                                                                                                               \
        if (!tl_reader) {                                                                                              \
            atomic_store(&g_step, (what));                                                                             \
            atomic_store(&g_step_line, __LINE__);                                                                      \
        }                                                                                                              \
    } while (0)

/* An AscendCL call that must return exactly `want`. */
#define CHECK_RC(call, want)                                                                                           \
    do {                                                                                                               \
        STEP(#call);                                                                                                   \
        aclError got_ = (call);                                                                                        \
        if (got_ != (want))                                                                                            \
            fail_at(__FILE__, __LINE__, #call, "returned %d, expected %d", (int)got_, (int)(want));                    \
    } while (0)

/* Ends the process if it is still running `seconds` after the start. */
static void *watchdog_main(void *arg)
{
    int seconds = (int)(intptr_t)arg;
    struct timespec ts = {seconds, 0};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    printf("FAIL watchdog: still running after %d s; the last call started was %s (line %d)\n", seconds,
           atomic_load(&g_step), atomic_load(&g_step_line));
    fflush(NULL);
    _exit(1);
    return NULL;
}

static void watchdog_start(int seconds)
{
    pthread_t t;
    CHECK(pthread_create(&t, NULL, watchdog_main, (void *)(intptr_t)seconds) == 0);
    CHECK(pthread_detach(t) == 0);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif /* ACLSUB_TESTS_APP_CHECK_H_ */
