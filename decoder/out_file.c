/*
 * out_file.c - where the trace outputs of `aclsub decode` (view_chrome.c,
 * view_perfetto.c) write: standard output or -o FILE, optionally
 * gzip-compressed (--gzip, or a FILE ending in ".gz"; zlib's deflate with
 * the gzip wrapper), optionally split into numbered files
 * (--split-size MB, --split-time S; FILE.json becomes FILE-0001.json,
 * FILE-0002.json, ..., the number before the first dot of the file's
 * name).  A split happens only where the view says it may (dec_out_cut,
 * between events), so each file stands alone: the view closes the file
 * it ends and opens the next through its edge callback (for the first
 * file the view writes its head itself, once dec_out_new has returned).  Each name is
 * created by out_path.h's rule, in place: with O_EXCL, mode 0600, an existing file or
 * link removed first only with --force, a FIFO or device written into.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "decoder/out_path.h"
#include "decoder/pipeline.h"

struct dec_out {
    const dec_opts *o;
    FILE *given, *f;      /* the caller's stream; the current file (given or opened here) */
    FILE *err;
    int gzip, failed;
    z_stream z;
    unsigned char zbuf[64 << 10];
    uint64_t bytes;       /* written to the current file */
    uint64_t first_ns;    /* the first cut point's time in the current file */
    int have_first;
    unsigned number;      /* of the current split file, from 1 */
    dec_out_edge edge;
    void *ctx;
};

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && strcmp(s + n - k, tail) == 0;
}

static void fail(dec_out *d, const char *what)
{
    if (!d->failed)
        fprintf(d->err, "aclsub decode: %s: %s\n", what, strerror(errno));
    d->failed = 1;
}

/* The name of split file number n: the number goes before the first dot of the last path element. */
static char *split_name(const char *path, unsigned n)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strchr(base + (*base == '.'), '.');
    size_t head = dot ? (size_t)(dot - path) : strlen(path);
    size_t len = strlen(path) + 16;
    char *s = malloc(len);
    if (s)
        snprintf(s, len, "%.*s-%04u%s", (int)head, path, n, dot ? dot : "");
    return s;
}

FILE *dec_create_new(const dec_opts *o, const char *name, FILE *err)
{
    int room = out_path_make_room(name, o->force, "aclsub decode", err);
    if (room < 0)
        return NULL;
    int fd = room == 1 ? out_path_open_special(name) : open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        if (room == 1)
            fprintf(err, "aclsub decode: %s: %s\n", name, out_path_special_error(errno));
        else if (errno == EEXIST)
            fprintf(err, "aclsub decode: %s exists: left as it is (--force replaces it)\n", name);
        else
            fprintf(err, "aclsub decode: %s: %s\n", name, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    return f;
}

static FILE *create(dec_out *d, const char *name)
{
    FILE *f = dec_create_new(d->o, name, d->err);
    if (!f)
        d->failed = 1;
    return f;
}

static int start_file(dec_out *d)
{
    d->bytes = 0;
    d->have_first = 0;
    if (d->o->split_bytes || d->o->split_ns) {
        char *name = split_name(d->o->output, ++d->number);
        d->f = name ? create(d, name) : NULL;
        free(name);
    } else if (d->o->output) {
        d->f = create(d, d->o->output);
    } else {
        d->f = d->given;
    }
    if (!d->f)
        return -1;
    memset(&d->z, 0, sizeof d->z);
    if (d->gzip && deflateInit2(&d->z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        fprintf(d->err, "aclsub decode: cannot start gzip compression\n");
        d->failed = 1;
        if (d->f != d->given)
            fclose(d->f);
        d->f = NULL;
        return -1;
    }
    return 0;
}

static void put_raw(dec_out *d, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, d->f) != n)
        fail(d, d->o->output ? d->o->output : "standard output");
    d->bytes += n;
}

static void deflate_some(dec_out *d, const void *p, size_t n, int flush)
{
    d->z.next_in = (unsigned char *)(uintptr_t)p;
    d->z.avail_in = (uInt)n;
    do {
        d->z.next_out = d->zbuf;
        d->z.avail_out = sizeof d->zbuf;
        int rc = deflate(&d->z, flush);
        if (rc == Z_STREAM_ERROR) {
            d->failed = 1;
            return;
        }
        put_raw(d, d->zbuf, sizeof d->zbuf - d->z.avail_out);
    } while (d->z.avail_out == 0 || (flush == Z_FINISH && d->z.avail_in));
}

void dec_out_write(dec_out *d, const void *p, size_t n)
{
    if (!d->f)
        return;
    if (d->gzip)
        deflate_some(d, p, n, Z_NO_FLUSH);
    else
        put_raw(d, p, n);
}

static int end_file(dec_out *d)
{
    if (!d->f)
        return -1;
    if (d->edge)
        d->edge(d->ctx, 0);
    if (d->gzip) {
        deflate_some(d, "", 0, Z_FINISH);
        deflateEnd(&d->z);
    }
    int rc = 0;
    if (d->f != d->given)
        rc = fclose(d->f);
    else
        rc = fflush(d->f);
    if (rc != 0)
        fail(d, d->o->output ? d->o->output : "standard output");
    d->f = NULL;
    return d->failed ? -1 : 0;
}

dec_out *dec_out_new(const dec_opts *o, FILE *out, FILE *err, dec_out_edge edge, void *ctx)
{
    dec_out *d = calloc(1, sizeof *d);
    if (!d) {
        fprintf(err, "aclsub decode: out of memory\n");
        return NULL;
    }
    *d = (dec_out){.o = o, .given = out, .err = err, .edge = edge, .ctx = ctx};
    d->gzip = o->gzip || (o->output && ends_with(o->output, ".gz"));
    if (start_file(d) < 0) {
        free(d);
        return NULL;
    }
    return d;
}

int dec_out_cut(dec_out *d, uint64_t t_ns)
{
    if (!d->f || !(d->o->split_bytes || d->o->split_ns))
        return 0;
    if (!d->have_first) {
        d->first_ns = t_ns;
        d->have_first = 1;
    }
    uint64_t bytes = d->gzip ? d->z.total_out : d->bytes;
    int by_size = d->o->split_bytes && bytes >= d->o->split_bytes;
    int by_time = d->o->split_ns && t_ns - d->first_ns >= d->o->split_ns;
    if (!by_size && !by_time)
        return 0;
    if (end_file(d) < 0 || start_file(d) < 0)
        return -1;
    d->first_ns = t_ns;
    d->have_first = 1;
    if (d->edge)
        d->edge(d->ctx, 1);
    return 1;
}

int dec_out_close(dec_out *d)
{
    if (!d)
        return 0;
    int rc = end_file(d);
    free(d);
    return rc;
}
