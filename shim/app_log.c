/*
 * app_log.c - aclAppLog (the ACL_APP_LOG macro's function): the
 * application's own log lines, on standard error.
 *
 * Rules: standard error only, never standard output; one line per call,
 * written with one write(2) (line breaks inside the message become spaces);
 * the message is cut at 1024 bytes with "...[truncated]" at its end, as
 * the vendor's.  The level filter is the vendor's variable,
 * ASCEND_GLOBAL_LOG_LEVEL: 0 debug, 1 info, 2 warning, 3 error, 4 nothing;
 * unset or not one of these, warnings and errors are written.  A NULL
 * func, file or fmt writes nothing, as with the vendor.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim/emu.h"

#define APP_LOG_MAX 1024 /* the vendor's limit, terminating NUL included */
#define APP_LOG_DEFAULT_LEVEL ACL_WARNING
static const char TRUNCATED[] = "...[truncated]";

/* The lowest level written: ASCEND_GLOBAL_LOG_LEVEL, read at every call. */
static int app_log_threshold(void)
{
    const char *v = getenv("ASCEND_GLOBAL_LOG_LEVEL");
    if (!v || v[0] < '0' || v[0] > '4' || v[1] != '\0')
        return APP_LOG_DEFAULT_LEVEL;
    return v[0] - '0';
}

static const char *level_name(aclLogLevel level)
{
    switch (level) {
    case ACL_DEBUG:
        return "DEBUG";
    case ACL_INFO:
        return "INFO";
    case ACL_WARNING:
        return "WARNING";
    default:
        return "ERROR";
    }
}

/* Formats the message into body (APP_LOG_MAX bytes), marking a cut; -1 for a bad format. */
static int format_body(char *body, const char *fmt, va_list ap)
{
    int n = vsnprintf(body, APP_LOG_MAX, fmt, ap);
    if (n < 0)
        return -1;
    if (n >= APP_LOG_MAX)
        memcpy(body + APP_LOG_MAX - sizeof TRUNCATED, TRUNCATED, sizeof TRUNCATED);
    for (char *p = body; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return 0;
}

static void write_all_stderr(const char *s, size_t len)
{
    while (len > 0) {
        ssize_t w = write(STDERR_FILENO, s, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        s += w;
        len -= (size_t)w;
    }
}

void aclAppLog(aclLogLevel logLevel, const char *func, const char *file, uint32_t line, const char *fmt, ...)
{
    if (!func || !file || !fmt)
        return;
    if ((int)logLevel < ACL_DEBUG || (int)logLevel > ACL_ERROR || (int)logLevel < app_log_threshold())
        return;
    char body[APP_LOG_MAX];
    va_list ap;
    va_start(ap, fmt);
    int bad = format_body(body, fmt, ap);
    va_end(ap);
    if (bad)
        snprintf(body, sizeof body, "aclAppLog format string is invalid");
    char out[APP_LOG_MAX + 640];
    int n = snprintf(out, sizeof out, "[%s] APP(%d): %ld %.256s:%.256s:%u: \"%s\"\n", level_name(logLevel),
                     (int)getpid(), (long)syscall(SYS_gettid), func, file, line, body);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof out ? (size_t)n : sizeof out - 1;
    out[len - 1] = '\n';
    write_all_stderr(out, len);
}
