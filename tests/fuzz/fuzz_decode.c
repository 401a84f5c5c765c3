/*
 * fuzz_decode.c - libFuzzer target for the whole `aclsub decode` pipeline:
 * the first byte chooses one of a set of command lines (every view, every
 * format, the database in memory; filters, sorting, grouping, a tiny merge
 * window, gzip); the second chooses how the rest becomes a record stream: as raw bytes (damage,
 * resynchronisation), or as 40-byte descriptions each encoded into a valid,
 * signed record with arbitrary kinds (model and operator descriptions
 * among them, some with consistent part numbers), ids, times and string
 * bytes (so that
 * the views see many records, which random bytes with a CRC never give),
 * followed by the leftover bytes raw.  The stream is decoded from memory
 * (split in two for the diff view) with the output going to /dev/null.
 * Any crash, leak or sanitizer report is a bug; so is a status other than
 * 0 (clean) or 2 (damaged).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aclsub/record.h"
#include "decoder/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXARGS 12

static const char *const configs[][MAXARGS] = {
    {"decode", "IN"},
    {"decode", "list", "-f", "table", "IN"},
    {"decode", "list", "-f", "csv", "--window", "2", "IN"},
    {"decode", "list", "-f", "jsonl", "--model", "1,2", "IN"},
    {"decode", "list", "-f", "chrome", "IN"},
    {"decode", "list", "-f", "chrome", "--window", "1", "--type", "*o*", "IN"},
    {"decode", "summary", "IN"},
    {"decode", "summary", "-f", "csv", "--by", "name", "--sort", "p99", "IN"},
    {"decode", "summary", "-f", "jsonl", "--by", "model", "--top", "2", "IN"},
    {"decode", "summary", "--name", "[a-m]*", "--skip-iterations", "1", "--sort", "key:desc", "IN"},
    {"decode", "summary", "--from", "1000", "--to", "100000", "-f", "csv", "IN"},
    {"decode", "diff", "IN", "IN"},
    {"decode", "diff", "-f", "csv", "--by", "name", "--sort", "mean_ratio", "IN", "IN"},
    {"decode", "diff", "-f", "jsonl", "--by", "model", "IN", "IN"},
    {"decode", "list", "-f", "perfetto", "IN"},
    {"decode", "list", "-f", "perfetto", "--gzip", "--window", "1", "--name", "*a*", "IN"},
    {"decode", "list", "-f", "chrome", "--gzip", "IN"},
    {"decode", "list", "-f", "sqlite", "-o", ":memory:", "IN"},
    {"decode", "list", "-f", "sqlite", "-o", ":memory:", "--order", "input", "--model", "1", "IN"},
    {"decode", "list", "-f", "jsonl", "--align", "realtime", "--from", "1us", "IN", "IN"},
    {"decode", "summary", "--align", "realtime", "--to", "@1700000000000000000", "IN", "IN"},
    {"decode", "list", "-f", "csv", "--fields", "name,type,dur_us,kind,flag,start,seq", "IN"},
    {"decode", "summary", "--by", "model", "-f", "jsonl", "--fields", "key,p99,mean_us,ratio", "IN"},
    {"decode", "summary", "--fields", "name,count,total,stddev", "IN"},
    {"decode", "list", "-f", "csv", "--clock", "realtime", "--control-csv", "/dev/null", "--force", "IN"},
    {"decode", "summary", "-f", "csv", "--by", "model", "IN"},
    {"decode", "summary", "--by", "model", "--order", "input", "IN"},
};

#define DESC 40

static uint64_t bytes_u64(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Encodes one record from a DESC-byte description. */
static void encode_desc(unsigned char *dst, const uint8_t *d)
{
    static const uint8_t kinds[16] = {0, 0, 0, 0, 1, 1, 16, 17, 18, 19, 19, 20, 20, 20, 0, 1};
    static const char *const types[4] = {"Conv", "Relu", "MatMul", "na"};
    aclsub_rec r = {0};
    r.kind = kinds[d[0] & 15];
    r.flag = r.kind == 0 ? 0 : r.kind == 1 ? 1 : 0xFF;
    r.model_id = d[1] & 0x80 ? ACLSUB_CONTROL_MODEL_ID : d[1] & 3;
    r.pid = 100 + (d[2] & 3);
    r.stream_id = d[3] & 1;
    r.iteration = d[4] & 3;
    r.seq = d[5];
    r.start = bytes_u64(d + 6, 4);
    r.duration = bytes_u64(d + 10, 3);
    if (d[13] & 1)
        r.start = UINT64_MAX - r.start; /* times near the top of the range */
    r.end = r.start + r.duration;
    r.exec_time = r.duration;
    for (int i = 0; i < ACLSUB_REC_NARGS; i++)
        r.arg[i] = bytes_u64(d + 14 + i, 2);
    if (d[18] & 0x80) {
        r.type = (const char *)d + 19;
        r.type_len = 6;
    } else {
        r.type = types[d[18] & 3];
        r.type_len = strlen(r.type);
    }
    r.name = (const char *)d + 25;
    r.name_len = (d[24] % 16);
    if (r.kind == ACLSUB_KIND_OP_DESC) {
        r.op_index = d[13] & 4 ? ACLSUB_DESC_MODEL_IO : d[5] & 7;
        if (d[13] & 2) { /* a description whose numbers agree: one part */
            r.arg[0] = r.arg[3] = 0;
            r.arg[1] = 1;
            r.arg[2] = r.name_len;
        }
    } else if (r.kind == ACLSUB_KIND_MODEL_DESC) {
        r.op_index = d[5] & 7;
    }
    aclsub_rec_encode(dst, &r);
}

/* Builds a stream of valid records from descriptions, then the leftover bytes. */
static unsigned char *structured(const uint8_t *data, size_t size, size_t *len)
{
    size_t n = size / DESC, rest = size % DESC;
    unsigned char *buf = malloc(n * ACLSUB_REC_SIZE + rest + 1);
    if (!buf)
        return NULL;
    for (size_t i = 0; i < n; i++)
        encode_desc(buf + i * ACLSUB_REC_SIZE, data + i * DESC);
    memcpy(buf + n * ACLSUB_REC_SIZE, data + n * DESC, rest);
    *len = n * ACLSUB_REC_SIZE + rest;
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull; /* /dev/null, opened once for the process */
    if (!devnull && !(devnull = fopen("/dev/null", "w")))
        return 0;
    if (size < 2)
        return 0;
    size_t ncfg = sizeof configs / sizeof configs[0];
    const char *const *cfg = configs[data[0] % ncfg];
    unsigned char *built = NULL;
    if (data[1] & 1) {
        built = structured(data + 2, size - 2, &size);
        if (!built)
            return 0;
        data = built;
    } else {
        data += 2;
        size -= 2;
    }

    char *argv[MAXARGS + 1] = {0};
    int argc = 0;
    while (argc < MAXARGS && cfg[argc]) {
        argv[argc] = (char *)cfg[argc];
        argc++;
    }
    dec_opts o;
    if (dec_opts_parse(&o, argc, argv, devnull, devnull) != 0)
        abort(); /* every configuration is valid */
    dec_input ins[2];
    if (o.ninputs == 2) {
        dec_input_init_mem(&ins[0], "A", data, size / 2);
        dec_input_init_mem(&ins[1], "B", data + size / 2, size - size / 2);
    } else {
        dec_input_init_mem(&ins[0], "fuzz", data, size);
    }
    int status = dec_run(&o, ins, o.ninputs, devnull, devnull);
    for (size_t i = 0; i < o.ninputs; i++)
        dec_input_close(&ins[i]);
    dec_opts_free(&o);
    free(built);
    if (status != 0 && status != 2)
        abort();
    return 0;
}
