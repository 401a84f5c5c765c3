/*
 * decode.c - `aclsub decode`: parses the command line (decoder/decode_opts.c),
 * opens the inputs and hands them to the decoder's pipeline (dec_run in
 * decoder/decode.c), whose status it returns: 1 for usage and I/O errors,
 * else 2 when any input was damaged, else 0.
 *
 * Every input that is not a FIFO or standard input is opened before any
 * output, so a missing file gives its one error line and status 1, nothing
 * else.  With -o FILE the output goes to a temporary file (mode 0600) in
 * FILE's directory, which becomes FILE when the pipeline ends with status 0
 * or 2: by link(2), which never replaces an existing FILE, or with --force
 * by rename(2), which replaces it atomically.  On status 1, or a signal
 * (SIGINT, SIGTERM, SIGHUP), the temporary file is removed: FILE is never
 * half-written, and a decode that fails leaves no file.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decoder/decode.h"
#include "tools/cmds.h"

/* The temporary file of -o while it exists ("" otherwise), for the signal handler. */
static char dc_tmp[4096];
static const int dc_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void dc_on_signal(int sig)
{
    if (dc_tmp[0])
        unlink(dc_tmp);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void dc_signals_set(void (*handler)(int))
{
    for (size_t i = 0; i < sizeof dc_signals / sizeof dc_signals[0]; i++)
        signal(dc_signals[i], handler);
}

/* Opens every input that can be opened without waiting (not a FIFO, not stdin); -1 after the first failure. */
static int dc_open_files(dec_input *ins, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (strcmp(ins[i].path, "-") == 0 || (stat(ins[i].path, &st) == 0 && S_ISFIFO(st.st_mode)))
            continue;
        if (dec_input_open(&ins[i], stderr) < 0)
            return -1;
    }
    return 0;
}

/* -o: refuses an existing FILE (unless --force) and opens the temporary file; NULL after a message. */
static FILE *dc_out_open(const dec_opts *o)
{
    struct stat st;
    if (!o->force && lstat(o->output, &st) == 0) {
        fprintf(stderr, "aclsub decode: %s exists: left as it is (--force replaces it)\n", o->output);
        return NULL;
    }
    if (snprintf(dc_tmp, sizeof dc_tmp, "%s.tmp-XXXXXX", o->output) >= (int)sizeof dc_tmp) {
        dc_tmp[0] = '\0';
        fprintf(stderr, "aclsub decode: %s: the path is too long\n", o->output);
        return NULL;
    }
    dc_signals_set(dc_on_signal);
    int fd = mkostemp(dc_tmp, O_CLOEXEC); /* mode 0600 */
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "aclsub decode: %s: cannot create a file beside it: %s\n", o->output, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(dc_tmp);
        }
        dc_tmp[0] = '\0';
    }
    return f;
}

/* Ends -o: the temporary file becomes FILE (status 0 or 2) or goes; the status, 1 if FILE could not be made. */
static int dc_out_close(const dec_opts *o, FILE *f, int status)
{
    int err = fclose(f) != 0 ? errno : 0;
    if (err)
        fprintf(stderr, "aclsub decode: %s: %s\n", o->output, strerror(err));
    if (!err && status != 1) {
        int rc = o->force ? rename(dc_tmp, o->output) : link(dc_tmp, o->output);
        if (rc != 0)
            fprintf(stderr, "aclsub decode: %s: %s%s\n", o->output,
                    errno == EEXIST ? "appeared while decoding: left as it is" : strerror(errno),
                    errno == EEXIST ? " (--force replaces it)" : "");
        err = rc != 0;
    }
    if (err || status == 1 || !o->force)
        unlink(dc_tmp); /* after link, the temporary name; else the unfinished file */
    dc_tmp[0] = '\0';
    dc_signals_set(SIG_DFL);
    return err ? 1 : status;
}

static int dc_decode(dec_opts *o, dec_input *ins)
{
    if (dc_open_files(ins, o->ninputs) < 0)
        return 1;
    /* Traces and databases write their files themselves (gzip, splits, SQLite): -o is theirs then. */
    int own = o->output && o->format != DEC_FMT_CHROME && o->format != DEC_FMT_PERFETTO &&
              o->format != DEC_FMT_SQLITE;
    FILE *out = stdout;
    if (own && !(out = dc_out_open(o)))
        return 1;
    /* the output's buffer: static because stdout outlives this function (exit flushes it). */
    static char outbuf[1 << 20];
    setvbuf(out, outbuf, _IOFBF, sizeof outbuf);
    int status = dec_run(o, ins, o->ninputs, out, stderr);
    return own ? dc_out_close(o, out, status) : status;
}

int cmd_decode(int argc, char **argv)
{
    dec_opts o;
    int rc = dec_opts_parse(&o, argc, argv, stdout, stderr);
    if (rc != 0) {
        dec_opts_free(&o);
        return rc == 3 ? cmd_version() : rc == 2 ? 0 : 1;
    }
    dec_input *ins = calloc(o.ninputs, sizeof *ins);
    if (!ins) {
        dec_opts_free(&o);
        return 1;
    }
    for (size_t i = 0; i < o.ninputs; i++)
        dec_input_init_path(&ins[i], o.inputs[i]);
    int status = dc_decode(&o, ins);
    for (size_t i = 0; i < o.ninputs; i++)
        dec_input_close(&ins[i]);
    free(ins);
    dec_opts_free(&o);
    return status;
}
