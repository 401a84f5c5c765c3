/*
 * outname.c - expands output-name patterns (%p, %h, %q{VAR}, %%; outname.h) for
 * the interposer and `aclsub run`, and escapes names to pass them on as
 * patterns.  No allocation: every result is written into the caller's
 * buffer, whole or not at all.  An expansion adds no directory: %p is
 * digits, and %h and %q{VAR} are made plain name parts ('/', control
 * characters and leading dots become '_'), so that they can form neither a
 * '/' nor a "..".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decoder/record/outname.h"

void outname_vars_here(outname_vars *v)
{
    v->pid = (long)getpid();
    if (gethostname(v->host, OUTNAME_HOST_MAX) != 0)
        snprintf(v->host, sizeof v->host, "localhost");
    v->host[OUTNAME_HOST_MAX] = '\0';
}

/*
 * The host name as a plain part of a name, into out (OUTNAME_HOST_MAX + 1
 * bytes): '/', control characters and leading dots become '_' (a name made
 * of dots could be "." or ".." with the pattern's own dots around it); ""
 * becomes "localhost".
 */
static const char *safe_host(const char *host, char *out)
{
    size_t n = 0;
    int leading = 1;
    for (; host[n] && n < OUTNAME_HOST_MAX; n++) {
        unsigned char ch = (unsigned char)host[n];
        leading &= ch == '.';
        out[n] = ch == '/' || ch < 0x20 || ch == 0x7f || leading ? '_' : (char)ch;
    }
    out[n] = '\0';
    return n ? out : "localhost";
}

/* What "%c" stands for, or NULL when it is no escape; %p's digits or %h's name are written into buf. */
static const char *escape_value(char c, const outname_vars *v, char *buf, size_t buf_cap)
{
    switch (c) {
    case 'p':
        snprintf(buf, buf_cap, "%ld", v->pid);
        return buf;
    case 'h':
        return safe_host(v->host, buf);
    case '%':
        return "%";
    default:
        return NULL;
    }
}

/* Appends len bytes at out + *used, keeping room for the NUL; -1 when they do not fit. */
static int append(char *out, size_t cap, size_t *used, const char *s, size_t len)
{
    if (len >= cap - *used)
        return -1;
    memcpy(out + *used, s, len);
    *used += len;
    return 0;
}

/* Ends the result: NUL-terminated on success, "" on failure. */
static int finish(char *out, size_t used, int rc)
{
    out[rc == 0 ? used : 0] = '\0';
    return rc;
}

/*
 * "%q{VAR}" at p: the length of the escape (0 when p holds none: no '{',
 * no '}', or a name that is empty, too long or not [A-Za-z0-9_]), and the
 * variable's value made a plain name part into buf ("" when unset).
 */
static size_t env_escape(const char *p, char *buf)
{
    if (p[0] != '%' || p[1] != 'q' || p[2] != '{')
        return 0;
    char name[OUTNAME_VAR_MAX + 1];
    size_t n = 0;
    for (const char *q = p + 3; *q != '}'; q++, n++) {
        unsigned char ch = (unsigned char)*q;
        if (!ch || n == OUTNAME_VAR_MAX || !(ch == '_' || (ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z')))
            return 0;
        name[n] = (char)ch;
    }
    if (n == 0)
        return 0;
    name[n] = '\0';
    const char *value = getenv(name);
    buf[0] = '\0';
    if (value && *value)
        safe_host(value, buf); /* the same rule as %h: no '/', no control character, no leading dot */
    return n + 4;
}

int outname_expand(const char *pattern, const outname_vars *v, char *out, size_t cap)
{
    if (cap == 0)
        return -1;
    size_t used = 0;
    for (const char *p = pattern; *p; p++) {
        char buf[OUTNAME_HOST_MAX + 1];
        size_t env_len = env_escape(p, buf);
        const char *value = env_len ? buf : *p == '%' ? escape_value(p[1], v, buf, sizeof buf) : NULL;
        if (!value) {
            if (append(out, cap, &used, p, 1) != 0)
                return finish(out, used, -1);
            continue;
        }
        if (append(out, cap, &used, value, strlen(value)) != 0)
            return finish(out, used, -1);
        p += env_len ? env_len - 1 : 1; /* the rest of the escape */
    }
    return finish(out, used, 0);
}

int outname_escape(const char *name, char *out, size_t cap)
{
    if (cap == 0)
        return -1;
    size_t used = 0;
    for (const char *p = name; *p; p++)
        if (append(out, cap, &used, *p == '%' ? "%%" : p, *p == '%' ? 2 : 1) != 0)
            return finish(out, used, -1);
    return finish(out, used, 0);
}
