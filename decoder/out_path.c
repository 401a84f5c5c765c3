/*
 * out_path.c - the one rule by which aclsub's commands create the files
 * they are told to write (see out_path.h): a new file appears whole or not
 * at all, --force replaces only a regular file or a link, and a FIFO or a
 * device named as the output is written into, never removed.  Messages are
 * one line, "WHO: FILE...", on the stream the caller gives.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decoder/out_path.h"

/* The temporary file while it exists ("" otherwise), for the signal handler. */
static char op_pending[PATH_MAX];
static const int op_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define OP_NSIG (sizeof op_signals / sizeof op_signals[0])
static struct sigaction op_saved[OP_NSIG];

static void op_signals_restore(void)
{
    for (size_t i = 0; i < OP_NSIG; i++)
        sigaction(op_signals[i], &op_saved[i], NULL);
}

/* Removes the temporary file, puts the handlers before back and lets the signal do what it did before. */
static void op_on_signal(int sig)
{
    if (op_pending[0])
        unlink(op_pending);
    op_pending[0] = '\0';
    op_signals_restore();
    raise(sig);
}

static void op_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = op_on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < OP_NSIG; i++)
        sigaction(op_signals[i], &sa, &op_saved[i]);
}

static int is_special(mode_t m)
{
    return S_ISFIFO(m) || S_ISCHR(m);
}

/* Why an existing FILE of mode m is not replaced, NULL when --force may replace it. */
static const char *op_refusal(mode_t m, int force)
{
    if (S_ISDIR(m))
        return ": a directory: left as it is";
    if (!S_ISREG(m) && !S_ISLNK(m))
        return ": not a regular file, FIFO or character device: left as it is";
    return force ? NULL : " exists: left as it is (--force replaces it)";
}

int out_path_open_special(const char *path)
{
    int fd = open(path, O_WRONLY | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !is_special(st.st_mode))) {
        close(fd); /* replaced by something else since it was looked at */
        errno = EEXIST;
        return -1;
    }
    return fd;
}

static FILE *op_open_direct(out_path *op, FILE *err)
{
    op->direct = 1;
    int fd = out_path_open_special(op->path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(err, "%s: %s: %s\n", op->who, op->path, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    return f;
}

static FILE *op_open_tmp(out_path *op, FILE *err)
{
    if (snprintf(op->tmp, sizeof op->tmp, "%s.tmp-XXXXXX", op->path) >= (int)sizeof op->tmp) {
        fprintf(err, "%s: %s: the path is too long\n", op->who, op->path);
        return NULL;
    }
    memcpy(op_pending, op->tmp, sizeof op_pending);
    op_signals_install();
    int fd = mkostemp(op_pending, O_CLOEXEC); /* mode 0600 */
    memcpy(op->tmp, op_pending, sizeof op->tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(err, "%s: %s: cannot create a file beside it: %s\n", op->who, op->path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(op->tmp);
        }
        op_pending[0] = '\0';
        op_signals_restore();
    }
    return f;
}

FILE *out_path_open(out_path *op, const char *path, int force, const char *who, FILE *err)
{
    memset(op, 0, sizeof *op);
    op->path = path;
    op->who = who;
    op->force = force;
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (is_special(st.st_mode))
            return op_open_direct(op, err);
        const char *why = op_refusal(st.st_mode, force);
        if (why) {
            fprintf(err, "%s: %s%s\n", who, path, why);
            return NULL;
        }
    } else if (errno != ENOENT) {
        fprintf(err, "%s: %s: %s\n", who, path, strerror(errno));
        return NULL;
    }
    return op_open_tmp(op, err);
}

/* The temporary file becomes FILE: by link(2), or with --force by rename(2) over a file or link only. */
static int op_publish(const out_path *op, FILE *err)
{
    struct stat st;
    const char *why = NULL;
    if (op->force && lstat(op->path, &st) == 0 && (why = op_refusal(st.st_mode, 1)) != NULL) {
        fprintf(err, "%s: %s%s\n", op->who, op->path, why);
        return -1;
    }
    if ((op->force ? rename(op->tmp, op->path) : link(op->tmp, op->path)) == 0)
        return 0;
    if (errno == EEXIST)
        fprintf(err, "%s: %s appeared meanwhile: left as it is (--force replaces it)\n", op->who, op->path);
    else
        fprintf(err, "%s: %s: %s\n", op->who, op->path, strerror(errno));
    return -1;
}

int out_path_close(out_path *op, FILE *f, int keep, FILE *err)
{
    int bad = fclose(f) != 0;
    if (bad)
        fprintf(err, "%s: %s: %s\n", op->who, op->path, strerror(errno));
    if (op->direct)
        return bad ? -1 : 0;
    int published = !bad && keep && op_publish(op, err) == 0;
    if (!published || !op->force)
        unlink(op->tmp); /* after link, the temporary name; else the unfinished file */
    op_pending[0] = '\0';
    op_signals_restore();
    return bad || (keep && !published) ? -1 : 0;
}

int out_path_make_room(const char *path, int force, const char *who, FILE *err)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return 0; /* not there (or not to be looked at: the exclusive create says why) */
    if (is_special(st.st_mode))
        return 1;
    const char *why = op_refusal(st.st_mode, force);
    if (!why && unlink(path) == 0)
        return 0;
    if (why)
        fprintf(err, "%s: %s%s\n", who, path, why);
    else
        fprintf(err, "%s: %s: cannot replace it: %s\n", who, path, strerror(errno));
    return -1;
}
