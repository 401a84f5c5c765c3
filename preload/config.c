/*
 * config.c - the ACLSUB_* environment, read once and validated.  A bad
 * value disables profiling with one line on stderr that names the variable
 * and the values it accepts; the program itself runs as if not preloaded.
 * In setuid/setgid programs (AT_SECURE) the environment is not trusted and
 * profiling is off.
 *
 * The library's messages go to the stderr the program had when the library
 * loaded: a duplicate taken at the first read of the configuration (the
 * constructor), kept high and close-on-exec, so that a daemon that closes
 * fd 2 and opens its data file there never gets them in that file.  No
 * stderr at load, or ACLSUB_LOG=quiet: nothing is printed.  pl_fd_floor,
 * the number above which the library keeps its descriptors, lives here
 * for that duplicate, and sink.c uses it too.
 */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decoder/record/outname.h"
#include "preload/preload.h"

#define BUFFER_DEFAULT 4096u
#define BUFFER_MAX (1u << 22) /* records: 2 GiB */

/* Written once under config_once, read-only afterwards. */
static pl_config config;
static pthread_once_t config_once = PTHREAD_ONCE_INIT;

/* The program's stderr at load (-1: none), and what it was, to tell it from a later reuse of its number. */
static int log_fd = -1;
static dev_t log_dev;
static ino_t log_ino;

int pl_fd_floor(void)
{
    struct rlimit rl;
    long base = 512;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur > 1024)
        base = (long)rl.rlim_cur / 2;
    return (int)base;
}

/* Keeps a duplicate of fd 2 above the program's range, close-on-exec; none if fd 2 is closed. */
static void log_capture(void)
{
    struct stat st;
    if (fstat(STDERR_FILENO, &st) != 0)
        return;
    int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, pl_fd_floor());
    if (fd < 0)
        fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (fd < 0)
        return;
    log_dev = st.st_dev;
    log_ino = st.st_ino;
    log_fd = fd;
}

int pl_log_fd(void)
{
    return log_fd;
}

/* 1 if fd is open and names the stderr taken at load. */
static int is_load_stderr(int fd)
{
    struct stat st;
    return fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == log_dev && st.st_ino == log_ino;
}

/*
 * Where a line goes: the kept descriptor while it still names the stderr
 * taken at load; when the program closed it behind the library's back (a
 * raw close_range syscall) or put another file in its place, fd 2 if that
 * still names the same stderr; else nowhere (-1).
 */
static int log_target(void)
{
    if (log_fd < 0)
        return -1;
    if (is_load_stderr(log_fd))
        return log_fd;
    return is_load_stderr(STDERR_FILENO) ? STDERR_FILENO : -1;
}

void pl_log(int level, const char *fmt, ...)
{
    /* Until the configuration is read (config.log 0), warnings are printed. */
    int limit = config.log ? config.log : LOG_WARN;
    int fd = level > limit ? -1 : log_target();
    if (fd < 0)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    /* One write: lines from several threads or processes do not interleave. */
    ssize_t w = write(fd, line, (size_t)n);
    (void)w;
}

int pl_globs_match(const char *globs, const char *s)
{
    if (!globs)
        return 1;
    const char *p = globs;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char pat[512];
        if (len > 0 && len < sizeof pat) {
            memcpy(pat, p, len);
            pat[len] = '\0';
            if (fnmatch(pat, s, 0) == 0)
                return 1;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

static int bad(const char *var, const char *value, const char *accepted)
{
    pl_log(LOG_WARN, "aclsub: %s=%s is not valid (accepted: %s); running without profiling", var, value,
           accepted);
    return -1;
}

/* ACLSUB_OUTPUT=fd:N: the descriptor number. */
static int parse_output_fd(pl_config *c, const char *v)
{
    char *end;
    errno = 0;
    long fd = strtol(v + 3, &end, 10);
    if (errno || end == v + 3 || *end || fd < 0 || fd > INT_MAX)
        return bad("ACLSUB_OUTPUT", v, "a path (with %p, %h), or fd:N with N a descriptor number");
    c->sink_fd = (int)fd;
    c->output[0] = '\0';
    return 0;
}

/* ACLSUB_OUTPUT: fd:N, or a path pattern (decoder/record/outname.h) expanded for this process. */
static int parse_output(pl_config *c)
{
    const char *v = getenv("ACLSUB_OUTPUT");
    if (v && strncmp(v, "fd:", 3) == 0)
        return parse_output_fd(c, v);
    const char *pattern = v && *v ? v : OUTNAME_DEFAULT;
    c->output_named = v && *v;
    outname_vars here;
    outname_vars_here(&here);
    if (outname_expand(pattern, &here, c->output, sizeof c->output) != 0)
        return bad("ACLSUB_OUTPUT", pattern, "a path shorter than 4096 bytes after expansion");
    return 0;
}

static int parse_choice(const char *var, const char *dflt, const char *const *choices, int n, const char *accepted)
{
    const char *v = getenv(var);
    if (!v || !*v)
        v = dflt;
    for (int i = 0; i < n; i++)
        if (strcmp(v, choices[i]) == 0)
            return i;
    return bad(var, v, accepted);
}

static int parse_globs(const char *var, char **out)
{
    const char *v = getenv(var);
    if (!v || !*v)
        return 0;
    if (strlen(v) > 4096)
        return bad(var, "(too long)", "comma-separated globs, at most 4096 bytes");
    *out = strdup(v);
    return *out ? 0 : -1;
}

static void config_read(void)
{
    pl_config *c = &config;
    log_capture();
    c->log = LOG_WARN;
    c->sink_fd = -1;
    if (getauxval(AT_SECURE)) {
        /* setuid/setgid: the environment belongs to someone else. */
        return;
    }
    static const char *const logs[] = {"quiet", "warn", "info", "debug"};
    int log = parse_choice("ACLSUB_LOG", "warn", logs, 4, "quiet, warn, info, debug");
    if (log < 0)
        return;
    c->log = LOG_QUIET + log;
    static const char *const full[] = {"drop", "block"};
    int block = parse_choice("ACLSUB_ON_FULL", "block", full, 2, "block, drop");
    static const char *const yesno[] = {"0", "1"};
    int children = parse_choice("ACLSUB_CHILDREN", "1", yesno, 2, "1, 0");
    if (block < 0 || children < 0)
        return;
    c->on_full_block = block;
    c->children = children;
    c->buffer_records = BUFFER_DEFAULT;
    const char *b = getenv("ACLSUB_BUFFER");
    if (b && *b) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(b, &end, 10);
        if (errno || end == b || *end || n < 16 || n > BUFFER_MAX || b[0] == '-') {
            bad("ACLSUB_BUFFER", b, "a number of records from 16 to 4194304");
            return;
        }
        c->buffer_records = (size_t)n;
    }
    if (parse_output(c) != 0 || parse_globs("ACLSUB_MODELS", &c->models) != 0 ||
        parse_globs("ACLSUB_OP_TYPES", &c->op_types) != 0 || parse_globs("ACLSUB_OP_NAMES", &c->op_names) != 0)
        return;
    c->enabled = 1;
}

const pl_config *pl_config_get(void)
{
    pthread_once(&config_once, config_read);
    return &config;
}
