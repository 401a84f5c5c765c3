/*
 * sink.c - the sink named by ACLSUB_OUTPUT, and the guard over the
 * library's own descriptors.
 *
 * The library's descriptors (the sink, the pipes from the runtime, the
 * relay's wake-up pipe) are lifted above the range programs use, made
 * close-on-exec, and marked in a bitmap; the interposed close(),
 * close_range() and closefrom() (hooks.c) consult the marks and leave
 * marked descriptors open, so a program that closes everything it does
 * not know (daemons do) keeps being profiled.  This file calls only
 * config.c (pl_log) among the library's files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "preload/preload.h"

#define FD_GUARD_MAX 65536

/* One bit per descriptor; atomic so that close() needs no lock. */
static _Atomic uint64_t fd_guard[FD_GUARD_MAX / 64];
/* Of those, the ones the runtime holds and may close itself. */
static _Atomic uint64_t fd_runtime[FD_GUARD_MAX / 64];

void pl_fd_protect(int fd)
{
    if (fd >= 0 && fd < FD_GUARD_MAX)
        atomic_fetch_or(&fd_guard[fd / 64], (uint64_t)1 << (fd % 64));
}

void pl_fd_protect_runtime(int fd)
{
    if (fd >= 0 && fd < FD_GUARD_MAX)
        atomic_fetch_or(&fd_runtime[fd / 64], (uint64_t)1 << (fd % 64));
    pl_fd_protect(fd);
}

void pl_fd_unprotect(int fd)
{
    if (fd >= 0 && fd < FD_GUARD_MAX) {
        atomic_fetch_and(&fd_guard[fd / 64], ~((uint64_t)1 << (fd % 64)));
        atomic_fetch_and(&fd_runtime[fd / 64], ~((uint64_t)1 << (fd % 64)));
    }
}

int pl_fd_is_runtime(int fd)
{
    return fd >= 0 && fd < FD_GUARD_MAX && (atomic_load(&fd_runtime[fd / 64]) >> (fd % 64)) & 1;
}

int pl_fd_is_protected(int fd)
{
    if (fd < 0 || fd >= FD_GUARD_MAX)
        return 0;
    return (atomic_load(&fd_guard[fd / 64]) >> (fd % 64)) & 1;
}

int pl_fd_lift(int fd)
{
    struct rlimit rl;
    long base = 512;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur > 1024)
        base = (long)rl.rlim_cur / 2;
    int hi = fcntl(fd, F_DUPFD_CLOEXEC, (int)base);
    if (hi < 0) {
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        return fd;
    }
    syscall(SYS_close, fd);
    return hi;
}

/* --- closing around the guarded descriptors ---------------------------------------- */

int pl_fd_close_range_unguarded(unsigned int first, unsigned int last, int flags)
{
    /* Close the unprotected stretches only. */
    unsigned int lo = first;
    int rc = 0;
    for (unsigned int fd = first; fd <= last && fd < FD_GUARD_MAX; fd++) {
        if (!pl_fd_is_protected((int)fd))
            continue;
        if (fd > lo && syscall(SYS_close_range, lo, fd - 1, flags) != 0)
            rc = -1;
        lo = fd + 1;
        if (fd == last)
            return rc;
    }
    if (lo <= last && syscall(SYS_close_range, lo, last, flags) != 0)
        rc = -1;
    return rc;
}

/* --- opening the sink ------------------------------------------------------------- */

static int open_fifo(const char *path)
{
    /* O_NONBLOCK: opening a FIFO for writing never waits for a reader. */
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0)
        fcntl(fd, F_SETPIPE_SZ, 1 << 20); /* a larger FIFO: fewer wake-ups; best effort */
    return fd;
}

int pl_sink_open(const pl_config *c, int *kind, int *pending)
{
    *pending = 0;
    if (c->sink_fd >= 0) {
        struct stat st;
        if (fstat(c->sink_fd, &st) != 0) {
            pl_log(LOG_WARN, "aclsub: ACLSUB_OUTPUT=fd:%d: %s; running without profiling", c->sink_fd,
                   strerror(errno));
            return -1;
        }
        *kind = S_ISFIFO(st.st_mode) ? SINK_FIFO : SINK_FD;
        int fd = fcntl(c->sink_fd, F_DUPFD_CLOEXEC, 0);
        if (fd < 0)
            return -1;
        fd = pl_fd_lift(fd);
        pl_fd_protect(fd);
        return fd;
    }
    struct stat st;
    if (stat(c->output, &st) == 0 && S_ISFIFO(st.st_mode)) {
        *kind = SINK_FIFO;
        int fd = open_fifo(c->output);
        if (fd < 0 && errno == ENXIO) {
            *pending = 1; /* no reader yet: records wait in the buffer */
            return -1;
        }
        if (fd < 0) {
            pl_log(LOG_WARN, "aclsub: %s: %s; running without profiling", c->output, strerror(errno));
            return -1;
        }
        fd = pl_fd_lift(fd);
        pl_fd_protect(fd);
        return fd;
    }
    *kind = SINK_FILE;
    int fd = open(c->output, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        pl_log(LOG_WARN, "aclsub: %s: %s; running without profiling", c->output, strerror(errno));
        return -1;
    }
    fd = pl_fd_lift(fd);
    pl_fd_protect(fd);
    return fd;
}

int pl_sink_retry(const pl_config *c)
{
    int fd = open_fifo(c->output);
    if (fd < 0)
        return -1;
    fd = pl_fd_lift(fd);
    pl_fd_protect(fd);
    return fd;
}
