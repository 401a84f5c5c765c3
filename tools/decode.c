/*
 * decode.c - `aclsub decode`: parses the command line (decoder/decode_opts.c),
 * opens the inputs and hands them to the decoder's pipeline (dec_run in
 * decoder/decode.c), whose status it returns: 1 for usage and I/O errors,
 * else 2 when any input was damaged, else 0.
 *
 * Every input that is not a FIFO or standard input is opened before any
 * output, so a missing file gives its one error line and status 1, nothing
 * else.  -o FILE is created by the rule of decoder/out_path.h: a temporary
 * file beside FILE becomes FILE when the pipeline ends with status 0 or 2
 * (never over an existing file unless --force, never over anything but a
 * file or a link), a FIFO or device is written into, and a decode that
 * fails, or a signal, leaves no file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decoder/decode.h"
#include "decoder/out_path.h"
#include "tools/cmds.h"

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

static int dc_decode(dec_opts *o, dec_input *ins)
{
    if (dc_open_files(ins, o->ninputs) < 0)
        return 1;
    /* Traces and databases write their files themselves (gzip, splits, SQLite): -o is theirs then. */
    int own = o->output && o->format != DEC_FMT_CHROME && o->format != DEC_FMT_PERFETTO &&
              o->format != DEC_FMT_SQLITE;
    FILE *out = stdout;
    out_path op;
    if (own && !(out = out_path_open(&op, o->output, o->force, "aclsub decode", stderr)))
        return 1;
    /* the output's buffer: static because stdout outlives this function (exit flushes it). */
    static char outbuf[1 << 20];
    setvbuf(out, outbuf, _IOFBF, sizeof outbuf);
    int status = dec_run(o, ins, o->ninputs, out, stderr);
    if (own && out_path_close(&op, out, status != 1, stderr) != 0)
        return 1;
    return status;
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
