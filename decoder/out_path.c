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
static int op_installed[OP_NSIG]; /* the handler is ours for op_signals[i] (it was the default before) */

static void op_signals_mask(sigset_t *s)
{
    sigemptyset(s);
    for (size_t i = 0; i < OP_NSIG; i++)
        sigaddset(s, op_signals[i]);
}

static void op_signals_restore(void)
{
    for (size_t i = 0; i < OP_NSIG; i++)
        if (op_installed[i])
            sigaction(op_signals[i], &op_saved[i], NULL);
    memset(op_installed, 0, sizeof op_installed);
}

/* Removes the temporary file, puts the default action back and lets the signal take it. */
static void op_on_signal(int sig)
{
    int e = errno;
    if (op_pending[0])
        unlink(op_pending);
    op_pending[0] = '\0';
    op_signals_restore();
    raise(sig);
    errno = e;
}

/*
 * Our handler only where the default action (the end of the process) would
 * leave the temporary file behind: a signal the process ignores, or handles
 * itself (aclsub run forwards them to its program), is left to it.
 */
static void op_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = op_on_signal;
    op_signals_mask(&sa.sa_mask);
    for (size_t i = 0; i < OP_NSIG; i++) {
        struct sigaction cur;
        op_installed[i] = sigaction(op_signals[i], NULL, &cur) == 0 && cur.sa_handler == SIG_DFL &&
                          !(cur.sa_flags & SA_SIGINFO) && sigaction(op_signals[i], &sa, &op_saved[i]) == 0;
    }
}

static int is_special(mode_t m)
{
    return S_ISFIFO(m) || S_ISCHR(m);
}

/* What FILE names now, and so what is done with it. */
enum { OP_NONE, OP_REPLACE, OP_SPECIAL, OP_REFUSED };

/*
 * Looks at FILE: nothing (OP_NONE); a regular file or a link that --force may
 * replace (OP_REPLACE); a FIFO or character device to write into, also through
 * a symbolic link of the user's or of root's, such as /dev/stdout
 * (OP_SPECIAL); else OP_REFUSED with *why, the rest of the message after FILE.
 */
static int op_look(const char *path, int force, const char **why)
{
    struct stat st, target;
    if (lstat(path, &st) != 0) {
        int e = errno;
        *why = e == ENOENT ? NULL : strerror(e);
        return e == ENOENT ? OP_NONE : OP_REFUSED;
    }
    int link = S_ISLNK(st.st_mode);
    if (link && stat(path, &target) == 0 && is_special(target.st_mode)) {
        if (st.st_uid == geteuid() || st.st_uid == 0)
            return OP_SPECIAL;
        *why = ": a symbolic link of another user to a FIFO or device: left as it is";
        return OP_REFUSED;
    }
    if (is_special(st.st_mode))
        return OP_SPECIAL;
    if (S_ISDIR(st.st_mode))
        *why = ": a directory: left as it is";
    else if (!S_ISREG(st.st_mode) && !link)
        *why = ": not a regular file, FIFO or character device: left as it is";
    else
        *why = force ? NULL : " exists: left as it is (--force replaces it)";
    return *why ? OP_REFUSED : OP_REPLACE;
}

int out_path_open_special(const char *path)
{
    int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !is_special(st.st_mode))) {
        close(fd); /* replaced by something else since it was looked at */
        errno = ESTALE;
        return -1;
    }
    return fd;
}

/* The message for a failed out_path_open_special. */
static const char *op_special_error(int e)
{
    return e == ESTALE ? "changed while it was opened: left as it is" : strerror(e);
}

static FILE *op_open_direct(out_path *op, FILE *err)
{
    op->direct = 1;
    int fd = out_path_open_special(op->path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(err, "%s: %s: %s\n", op->who, op->path, op_special_error(errno));
        if (fd >= 0)
            close(fd);
    }
    return f;
}

/* The temporary file, made with the signals held so that it is never left behind by one. */
static FILE *op_open_tmp(out_path *op, FILE *err)
{
    if (snprintf(op->tmp, sizeof op->tmp, "%s.tmp-XXXXXX", op->path) >= (int)sizeof op->tmp) {
        fprintf(err, "%s: %s: the path is too long\n", op->who, op->path);
        return NULL;
    }
    sigset_t hold, old;
    op_signals_mask(&hold);
    sigprocmask(SIG_BLOCK, &hold, &old);
    int fd = mkostemp(op->tmp, O_CLOEXEC); /* mode 0600 */
    int e = errno;
    if (fd >= 0) {
        memcpy(op_pending, op->tmp, sizeof op_pending);
        op_signals_install();
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(err, "%s: %s: cannot create a file beside it: %s\n", op->who, op->path, strerror(fd < 0 ? e : errno));
        if (fd >= 0) {
            close(fd);
            unlink(op->tmp);
            op_pending[0] = '\0';
            op_signals_restore();
        }
    }
    return f;
}

FILE *out_path_open(out_path *op, const char *path, int force, const char *who, FILE *err)
{
    memset(op, 0, sizeof *op);
    op->path = path;
    op->who = who;
    op->force = force;
    const char *why = NULL;
    switch (op_look(path, force, &why)) {
    case OP_SPECIAL:
        return op_open_direct(op, err);
    case OP_REFUSED:
        fprintf(err, "%s: %s%s%s\n", who, path, why[0] == ':' || why[0] == ' ' ? "" : ": ", why);
        return NULL;
    default:
        return op_open_tmp(op, err);
    }
}

/* The temporary file becomes FILE: by link(2), or with --force by rename(2) over a file or link only. */
static int op_publish(const out_path *op, FILE *err)
{
    const char *why = NULL;
    int kind = op->force ? op_look(op->path, 1, &why) : OP_NONE;
    if (kind == OP_SPECIAL || kind == OP_REFUSED) {
        fprintf(err, "%s: %s%s\n", op->who, op->path,
                kind == OP_SPECIAL ? ": became a FIFO or device meanwhile: left as it is" : why);
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
    const char *why = NULL;
    switch (op_look(path, force, &why)) {
    case OP_NONE:
        return 0;
    case OP_SPECIAL:
        return 1;
    case OP_REPLACE:
        if (unlink(path) == 0 || errno == ENOENT)
            return 0;
        fprintf(err, "%s: %s: cannot replace it: %s\n", who, path, strerror(errno));
        return -1;
    default:
        fprintf(err, "%s: %s%s%s\n", who, path, why[0] == ':' || why[0] == ' ' ? "" : ": ", why);
        return -1;
    }
}

const char *out_path_special_error(int e)
{
    return op_special_error(e);
}

const char *out_path_refusal(const char *path, int force)
{
    const char *why = NULL;
    if (op_look(path, force, &why) != OP_REFUSED)
        return NULL;
    while (*why == ':' || *why == ' ')
        why++;
    return why;
}
