/*
 * sink.c - the sink named by ACLSUB_OUTPUT, and the guard over the
 * library's own descriptors.
 *
 * The library's descriptors (the sink, the pipes from the runtime, the
 * relay's wake-up pipe) are lifted above the range programs use, made
 * close-on-exec, and marked in a bitmap; the interposed close(),
 * close_range() and closefrom() (hooks.c) consult the marks and leave
 * marked descriptors open, so a program that closes everything it does
 * not know (daemons do) keeps being profiled.
 *
 * The sink is opened where the user pointed and nowhere else: the last
 * component is never followed as a symbolic link (but for the user's own
 * link that ACLSUB_OUTPUT names, resolved once), what was opened must be
 * what lstat saw and a FIFO, a regular file or a character device, a new
 * file is created exclusively (0600), an existing one is appended to only
 * if it is the user's and writable by nobody else, and a FIFO is reopened
 * for a later reader only while its path names the same FIFO.  Each
 * refusal is one line on stderr.  This file calls only config.c (pl_log,
 * pl_fd_floor) among the library's files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "aclsub/record.h"
#include "decoder/record/le.h"
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
    int hi = fcntl(fd, F_DUPFD_CLOEXEC, pl_fd_floor());
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

/*
 * What the first open decided, inherited by forked children: the path
 * opened (ACLSUB_OUTPUT's, or the user's own symbolic link resolved once),
 * and for a FIFO its identity, so that it is reopened only while the path
 * still names it.  An O_PATH descriptor (no reader, no writer) pins the
 * FIFO's inode, so that its number cannot be reused by a FIFO made after
 * it was removed.  Written by the first open (under the relay's lock) and
 * by the relay thread's retries, never concurrently.
 */
static struct {
    char path[4096];
    int fifo_known;   /* dev and ino are the FIFO's, held by an O_PATH descriptor */
    dev_t dev;
    ino_t ino;
    int fifo_gone;    /* the path named something else once: never reopened */
} first;

/* One line naming the path and the cause; -1. */
static int refuse(const char *path, const char *why)
{
    pl_log(LOG_WARN, "aclsub: %s: %s; running without profiling", path, why);
    return -1;
}

static const char *kind_name(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISSOCK(m) ? "a socket" : S_ISBLK(m) ? "a block device" : "not a file";
}

/* The library keeps fd: lifted and protected. */
static int keep(int fd)
{
    fd = pl_fd_lift(fd);
    pl_fd_protect(fd);
    return fd;
}

/* 1 if the descriptor is what lstat saw (the path did not change in between) and of type `type`. */
static int still(int fd, const struct stat *seen, mode_t type)
{
    struct stat st;
    return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == type && st.st_dev == seen->st_dev &&
           st.st_ino == seen->st_ino;
}

static int open_fifo(const char *path)
{
    /* O_NONBLOCK: opening a FIFO for writing never waits for a reader. */
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
    if (fd >= 0)
        fcntl(fd, F_SETPIPE_SZ, 1 << 20); /* a larger FIFO: fewer wake-ups; best effort */
    return fd;
}

/* A FIFO lstat found at path; a known FIFO (a forked child's) must be the same one. */
static int sink_fifo(const char *path, const struct stat *st, int *pending)
{
    if (first.fifo_known && (st->st_dev != first.dev || st->st_ino != first.ino))
        return refuse(path, "no longer the FIFO first opened");
    if (!first.fifo_known) {
        int pin = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (pin < 0)
            return refuse(path, strerror(errno));
        if (!still(pin, st, S_IFIFO)) {
            syscall(SYS_close, pin);
            return refuse(path, "replaced while it was opened");
        }
        keep(pin);
        first.fifo_known = 1;
        first.dev = st->st_dev;
        first.ino = st->st_ino;
    }
    int fd = open_fifo(path);
    if (fd < 0 && errno == ENXIO) {
        *pending = 1; /* no reader yet: records wait in the buffer */
        return -1;
    }
    if (fd < 0)
        return refuse(path, strerror(errno));
    if (!still(fd, st, S_IFIFO)) {
        syscall(SYS_close, fd);
        return refuse(path, "replaced while it was opened");
    }
    return keep(fd);
}

/* An existing regular file: only the user's own, writable by nobody else, is appended to. */
static int sink_existing_file(const char *path, const struct stat *st)
{
    char why[128];
    if (st->st_uid != geteuid()) {
        snprintf(why, sizeof why, "belongs to uid %u, not to uid %u; not appended to", (unsigned)st->st_uid,
                 (unsigned)geteuid());
        return refuse(path, why);
    }
    if (st->st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(why, sizeof why, "writable by group or others (mode %04o); not appended to",
                 (unsigned)(st->st_mode & 07777));
        return refuse(path, why);
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return refuse(path, strerror(errno));
    if (!still(fd, st, S_IFREG)) {
        syscall(SYS_close, fd);
        return refuse(path, "replaced while it was opened");
    }
    return keep(fd);
}

/* A character device (/dev/null, a terminal): written like a pipe, never made the controlling terminal. */
static int sink_chardev(const char *path, const struct stat *st)
{
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return refuse(path, strerror(errno));
    if (!still(fd, st, S_IFCHR)) {
        syscall(SYS_close, fd);
        return refuse(path, "replaced while it was opened");
    }
    return keep(fd);
}

/* Opens path by what it is; creates a new file exclusively.  The last component is never followed. */
static int sink_open_path(const char *path, int *kind, int *pending)
{
    for (int tries = 0; tries < 3; tries++) {
        struct stat st;
        if (lstat(path, &st) != 0) {
            if (errno != ENOENT)
                return refuse(path, strerror(errno));
            *kind = SINK_FILE;
            int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
            if (fd >= 0)
                return keep(fd);
            if (errno == EEXIST)
                continue; /* another process of the run created it first: look again */
            return refuse(path, strerror(errno));
        }
        if (S_ISFIFO(st.st_mode)) {
            *kind = SINK_FIFO;
            return sink_fifo(path, &st, pending);
        }
        if (S_ISREG(st.st_mode)) {
            *kind = SINK_FILE;
            return sink_existing_file(path, &st);
        }
        if (S_ISCHR(st.st_mode)) {
            *kind = SINK_FD;
            return sink_chardev(path, &st);
        }
        if (S_ISLNK(st.st_mode))
            return refuse(path, "a symbolic link, not followed");
        char why[96];
        snprintf(why, sizeof why, "%s, not a FIFO, regular file or character device", kind_name(st.st_mode));
        return refuse(path, why);
    }
    return refuse(path, "keeps changing while it is opened");
}

/*
 * The path to open, decided once: ACLSUB_OUTPUT's expansion, or, when that
 * is a symbolic link, its target, provided ACLSUB_OUTPUT named it and the
 * link is the user's own (a link planted by someone else is not followed).
 */
static int sink_choose_path(const pl_config *c)
{
    struct stat st;
    if (lstat(c->output, &st) != 0 || !S_ISLNK(st.st_mode)) {
        snprintf(first.path, sizeof first.path, "%s", c->output);
        return 0;
    }
    char why[128];
    if (!c->output_named)
        return refuse(c->output, "a symbolic link, not followed");
    if (st.st_uid != geteuid()) {
        snprintf(why, sizeof why, "a symbolic link of uid %u, not followed", (unsigned)st.st_uid);
        return refuse(c->output, why);
    }
    if (!realpath(c->output, first.path)) {
        first.path[0] = '\0';
        snprintf(why, sizeof why, "a symbolic link to nothing usable (%s)", strerror(errno));
        return refuse(c->output, why);
    }
    return 0;
}

/* ACLSUB_OUTPUT=fd:N: a duplicate of the inherited descriptor (a directory refused). */
static int sink_open_fd(const pl_config *c, int *kind)
{
    struct stat st;
    const char *why = NULL;
    if (fstat(c->sink_fd, &st) != 0)
        why = strerror(errno);
    else if (S_ISDIR(st.st_mode))
        why = "a directory";
    int fd = why ? -1 : fcntl(c->sink_fd, F_DUPFD_CLOEXEC, 0);
    if (!why && fd < 0)
        why = strerror(errno);
    if (why) {
        pl_log(LOG_WARN, "aclsub: ACLSUB_OUTPUT=fd:%d cannot be used: %s; running without profiling", c->sink_fd,
               why);
        return -1;
    }
    *kind = S_ISFIFO(st.st_mode) ? SINK_FIFO : SINK_FD;
    return keep(fd);
}

int pl_sink_open(const pl_config *c, int *kind, int *pending)
{
    *pending = 0;
    if (c->sink_fd >= 0)
        return sink_open_fd(c, kind);
    if (!first.path[0] && sink_choose_path(c) != 0)
        return -1;
    return sink_open_path(first.path, kind, pending);
}

/* The FIFO's path names something else: told once, never reopened. */
static int fifo_gone(const char *why)
{
    if (!first.fifo_gone)
        pl_log(LOG_WARN, "aclsub: %s: %s; not reopened, records are dropped from now on", first.path, why);
    first.fifo_gone = 1;
    errno = ESTALE;
    return -1;
}

/* Odd while pl_sink_fifo_drain holds the FIFO open for reading; goes up by two per drain. */
static _Atomic unsigned drain_seq;

/* The records held in the FIFO open for reading at fd, taken out; see pl_sink_fifo_drain. */
static uint64_t drain_records(int fd)
{
    /* Writes are whole records: counted from the end, the first (bytes % REC) bytes end a record begun. */
    int held = 0;
    ioctl(fd, FIONREAD, &held);
    size_t skip = held > 0 ? (size_t)held % ACLSUB_REC_SIZE : 0;
    uint64_t data = skip > 0;
    unsigned char buf[8 * ACLSUB_REC_SIZE];
    size_t have = 0; /* bytes in buf, the start of a record at buf */
    for (;;) {
        ssize_t n = read(fd, buf + have, sizeof buf - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += (size_t)n;
        size_t cut = skip < have ? skip : have;
        memmove(buf, buf + cut, have - cut);
        have -= cut;
        skip -= cut;
        size_t whole = have / ACLSUB_REC_SIZE * ACLSUB_REC_SIZE;
        for (size_t off = 0; off < whole; off += ACLSUB_REC_SIZE)
            data += buf[off + ACLSUB_OFF_KIND] < ACLSUB_KIND_STREAM_START ||
                    le32_get(buf + off + ACLSUB_OFF_MAGIC) != ACLSUB_REC_MAGIC;
        memmove(buf, buf + whole, have - whole);
        have -= whole;
    }
    if (have)
        data++; /* a record cut short: the runtime's, never whole */
    return data;
}

/*
 * Empties the FIFO sink after its reader left, so that records counted as
 * dropped do not wait in it for the next reader (the runtime's one-hop
 * descriptors keep the FIFO's buffer alive).  Only the FIFO first opened
 * (device and inode), opened without blocking; never waits.  Returns the
 * records it took out that were not control records; a record the reader
 * had read in part counts as one.
 */
uint64_t pl_sink_fifo_drain(void)
{
    if (first.fifo_gone || !first.fifo_known)
        return 0;
    atomic_fetch_add(&drain_seq, 1);
    int fd = open(first.path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
    struct stat seen = {.st_dev = first.dev, .st_ino = first.ino};
    uint64_t data = fd >= 0 && still(fd, &seen, S_IFIFO) ? drain_records(fd) : 0;
    if (fd >= 0)
        syscall(SYS_close, fd);
    atomic_fetch_add(&drain_seq, 1);
    return data;
}

unsigned pl_sink_drain_seq(void)
{
    return atomic_load(&drain_seq);
}

int pl_sink_retry(const pl_config *c)
{
    (void)c;
    if (first.fifo_gone || !first.fifo_known) {
        errno = ESTALE;
        return -1;
    }
    struct stat st;
    if (lstat(first.path, &st) != 0 || !S_ISFIFO(st.st_mode) || st.st_dev != first.dev || st.st_ino != first.ino)
        return fifo_gone("no longer the FIFO first opened");
    unsigned seq = pl_sink_drain_seq();
    int fd = open_fifo(first.path);
    if (fd < 0)
        return errno == ENXIO || errno == EINTR ? -1 : fifo_gone(strerror(errno));
    if (!still(fd, &st, S_IFIFO)) {
        syscall(SYS_close, fd);
        return fifo_gone("replaced while it was reopened");
    }
    if ((seq & 1) || pl_sink_drain_seq() != seq) { /* the reader it found may be a drain: ask again later */
        syscall(SYS_close, fd);
        errno = EAGAIN;
        return -1;
    }
    return keep(fd);
}
