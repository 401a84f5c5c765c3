/*
 * decode.c - `aclsub decode`: parses the command line (decoder/decode_opts.c),
 * opens the inputs and hands them to the decoder's pipeline (dec_run in
 * decoder/decode.c), whose status it returns: 1 for usage and I/O errors,
 * else 2 when any input was damaged, else 0.
 */
#include <stdio.h>
#include <stdlib.h>

#include "decoder/decode.h"
#include "tools/cmds.h"

int cmd_decode(int argc, char **argv)
{
    dec_opts o;
    int rc = dec_opts_parse(&o, argc, argv, stdout, stderr);
    if (rc != 0) {
        dec_opts_free(&o);
        return rc == 3 ? cmd_version() : rc == 2 ? 0 : 1;
    }
    /* stdout's buffer: static because stdout outlives this function (exit flushes it). */
    static char outbuf[1 << 20];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    dec_input *ins = calloc(o.ninputs, sizeof *ins);
    if (!ins) {
        dec_opts_free(&o);
        return 1;
    }
    for (size_t i = 0; i < o.ninputs; i++)
        dec_input_init_path(&ins[i], o.inputs[i]);
    int status = dec_run(&o, ins, o.ninputs, stdout, stderr);
    for (size_t i = 0; i < o.ninputs; i++)
        dec_input_close(&ins[i]);
    free(ins);
    dec_opts_free(&o);
    return status;
}
