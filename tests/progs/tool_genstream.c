/*
 * tool_genstream.c - writes a record stream from a text specification, for
 * the decoder's tests and the format documentation, and can damage it in
 * controlled ways.
 *
 *   tool_genstream SPEC OUT [--flip OFFSET] [--cut BYTES]
 *                  [--garbage INDEX:COUNT] [--bad-version INDEX]
 *                  [--repeat N [--period NS]]
 *
 * SPEC has one record per line, fields separated by '|':
 *   model|flag|type|name|start|end[|key=value...]
 * flag is op, subgraph or none; duration is end - start.  Each record gets
 * pid 4242, stream 0, iteration 0, operator index = its record's index, and
 * the next sequence number of its subscription (pid and model: 0, 1, 2, ...
 * for operator and whole-run records; 0 for control records), unless optional key=value fields say otherwise: pid,
 * stream, iter, seq, index, thread, dev, arg0..arg3, and kind (op, run,
 * start, lost, end, model, opdesc: the control kinds get model 0xFFFFFFFF
 * unless model is given as a number).  Without kind, a record is a whole run for flag subgraph, a
 * control record when flag is none and type is one of the aclsub.* control
 * types, and an operator otherwise.
 *
 * --repeat N writes the records N times; repetition r adds r * NS to every
 * start and end (NS defaults to the spec's time span plus 1000), r to the
 * iteration and, unless the spec starts a stream for the record's process
 * (then every repetition is a stream of its own, numbered anew), r * (one
 * past the largest sequence number of the record's subscription in the
 * spec) to the sequence number.  The damage options
 * apply to single copies only (N = 1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl_prof.h"
#include "aclsub/record.h"

#define MAX_RECORDS 4096

static unsigned char recs[MAX_RECORDS][ACLSUB_REC_SIZE];

static uint32_t flag_value(const char *s)
{
    if (strcmp(s, "op") == 0)
        return ACL_SUBSCRIBE_OP;
    if (strcmp(s, "subgraph") == 0)
        return ACL_SUBSCRIBE_SUBGRAPH;
    return ACL_SUBSCRIBE_NONE;
}

static uint8_t kind_value(const char *s)
{
    static const struct {
        const char *name;
        uint8_t kind;
    } kinds[] = {{"op", ACLSUB_KIND_OP},
                 {"run", ACLSUB_KIND_RUN},
                 {"start", ACLSUB_KIND_STREAM_START},
                 {"lost", ACLSUB_KIND_LOST},
                 {"end", ACLSUB_KIND_STREAM_END},
                 {"model", ACLSUB_KIND_MODEL_DESC},
                 {"opdesc", ACLSUB_KIND_OP_DESC}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(s, kinds[i].name) == 0)
            return kinds[i].kind;
    return (uint8_t)strtoul(s, NULL, 0);
}

static uint8_t default_kind(uint32_t flag, const char *type)
{
    if (flag == ACL_SUBSCRIBE_SUBGRAPH)
        return ACLSUB_KIND_RUN;
    if (flag == ACL_SUBSCRIBE_NONE) {
        if (strcmp(type, ACLSUB_TYPE_STREAM_START) == 0)
            return ACLSUB_KIND_STREAM_START;
        if (strcmp(type, ACLSUB_TYPE_LOST) == 0)
            return ACLSUB_KIND_LOST;
        if (strcmp(type, ACLSUB_TYPE_STREAM_END) == 0)
            return ACLSUB_KIND_STREAM_END;
    }
    return ACLSUB_KIND_OP;
}

/* Applies one optional key=value field to r. */
static void apply_field(aclsub_rec *r, const char *field)
{
    const char *eq = strchr(field, '=');
    if (!eq) {
        fprintf(stderr, "tool_genstream: bad field (not key=value): %s\n", field);
        exit(1);
    }
    size_t k = (size_t)(eq - field);
    const char *v = eq + 1;
    unsigned long long n = strtoull(v, NULL, 0);
    if (k == 3 && strncmp(field, "pid", 3) == 0)
        r->pid = (uint32_t)n;
    else if (k == 6 && strncmp(field, "stream", 6) == 0)
        r->stream_id = (uint32_t)n;
    else if (k == 4 && strncmp(field, "iter", 4) == 0)
        r->iteration = n;
    else if (k == 3 && strncmp(field, "seq", 3) == 0)
        r->seq = n;
    else if (k == 5 && strncmp(field, "index", 5) == 0)
        r->op_index = n;
    else if (k == 6 && strncmp(field, "thread", 6) == 0)
        r->thread_id = (uint32_t)n;
    else if (k == 3 && strncmp(field, "dev", 3) == 0)
        r->dev_id = (uint32_t)n;
    else if (k == 4 && strncmp(field, "kind", 4) == 0)
        r->kind = kind_value(v);
    else if (k == 4 && strncmp(field, "arg", 3) == 0 && field[3] >= '0' && field[3] <= '3')
        r->arg[field[3] - '0'] = n;
    else {
        fprintf(stderr, "tool_genstream: unknown field: %s\n", field);
        exit(1);
    }
}

static aclsub_rec specs[MAX_RECORDS];
static char spec_text[MAX_RECORDS][2048];

#define SEQ_UNSET UINT64_MAX

static int is_data(const aclsub_rec *r)
{
    return r->kind == ACLSUB_KIND_OP || r->kind == ACLSUB_KIND_RUN;
}

/* Records of subscription (pid, model) among the first n specs. */
static uint64_t sub_records(uint32_t pid, uint32_t model, int n)
{
    uint64_t k = 0;
    for (int i = 0; i < n; i++)
        if (is_data(&specs[i]) && specs[i].pid == pid && specs[i].model_id == model)
            k++;
    return k;
}

/* One past the largest number of subscription (pid, model) among the first n specs. */
static uint64_t sub_span(uint32_t pid, uint32_t model, int n)
{
    uint64_t span = 0;
    for (int i = 0; i < n; i++)
        if (is_data(&specs[i]) && specs[i].pid == pid && specs[i].model_id == model && specs[i].seq >= span)
            span = specs[i].seq + 1;
    return span;
}

/* 1 if the first n specs start a stream for pid: each repetition is then a new stream, numbered anew. */
static int has_stream_start(uint32_t pid, int n)
{
    for (int i = 0; i < n; i++)
        if (specs[i].kind == ACLSUB_KIND_STREAM_START && specs[i].pid == pid)
            return 1;
    return 0;
}

static int nspecs; /* specs read so far, for default_seq */

/* The next number of r's subscription (operator and whole-run records); 0 for control records. */
static uint64_t default_seq(const aclsub_rec *r)
{
    return is_data(r) ? sub_records(r->pid, r->model_id, nspecs) : 0;
}

static int parse_spec(FILE *in)
{
    char line[2048];
    int n = 0;
    while (fgets(line, sizeof line, in) && n < MAX_RECORDS) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        memcpy(spec_text[n], line, sizeof line);
        char *f[6], *p = spec_text[n];
        int k = 0;
        for (; k < 6; k++) {
            f[k] = strsep(&p, "|");
            if (!f[k])
                break;
        }
        if (k < 6) {
            fprintf(stderr, "tool_genstream: bad spec line: %s\n", line);
            exit(1);
        }
        aclsub_rec r = {0};
        r.model_id = (uint32_t)strtoul(f[0], NULL, 0);
        r.flag = flag_value(f[1]);
        r.kind = default_kind(r.flag, f[2]);
        r.type = f[2];
        r.type_len = strlen(f[2]);
        r.name = f[3];
        r.name_len = strlen(f[3]);
        r.start = strtoull(f[4], NULL, 0);
        r.end = strtoull(f[5], NULL, 0);
        r.duration = r.exec_time = r.end - r.start;
        r.pid = 4242;
        r.seq = SEQ_UNSET;
        r.op_index = (uint64_t)n;
        for (char *extra; (extra = strsep(&p, "|")) != NULL;)
            apply_field(&r, extra);
        if (r.seq == SEQ_UNSET)
            r.seq = default_seq(&r);
        specs[n] = r;
        aclsub_rec_encode(recs[n], &r);
        nspecs = ++n;
    }
    return n;
}

/* Writes the spec's records `repeat` times, shifted by `period` ns each time. */
static int write_repeated(FILE *f, int n, unsigned long repeat, uint64_t period)
{
    static unsigned char buf[MAX_RECORDS][ACLSUB_REC_SIZE];
    for (unsigned long rep = 0; rep < repeat; rep++) {
        for (int i = 0; i < n; i++) {
            aclsub_rec r = specs[i];
            r.start += rep * period;
            r.end += rep * period;
            r.iteration += rep;
            if (is_data(&r) && !has_stream_start(specs[i].pid, n))
                r.seq += rep * sub_span(specs[i].pid, specs[i].model_id, n);
            aclsub_rec_encode(buf[i], &r);
        }
        if (fwrite(buf, ACLSUB_REC_SIZE, (size_t)n, f) != (size_t)n)
            return -1;
    }
    return 0;
}

static uint64_t spec_span(int n)
{
    uint64_t lo = UINT64_MAX, hi = 0;
    for (int i = 0; i < n; i++) {
        if (specs[i].start < lo)
            lo = specs[i].start;
        if (specs[i].end > hi)
            hi = specs[i].end;
    }
    return n && hi > lo ? hi - lo : 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: tool_genstream SPEC OUT [--flip OFFSET] [--cut BYTES] [--garbage I:N] "
                        "[--bad-version I] [--repeat N [--period NS]]\n");
        return 1;
    }
    FILE *in = fopen(argv[1], "r");
    if (!in) {
        perror(argv[1]);
        return 1;
    }
    int n = parse_spec(in);
    fclose(in);
    long flip = -1, cut = 0, garbage_at = -1, garbage_n = 0, bad_version = -1;
    unsigned long repeat = 1;
    uint64_t period = spec_span(n) + 1000;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--repeat") == 0)
            repeat = strtoul(argv[i + 1], NULL, 0);
        else if (strcmp(argv[i], "--period") == 0)
            period = strtoull(argv[i + 1], NULL, 0);
    }
    if (repeat != 1) {
        FILE *f = strcmp(argv[2], "-") == 0 ? stdout : fopen(argv[2], "wb");
        if (!f || write_repeated(f, n, repeat, period) < 0 || fclose(f) != 0) {
            perror(argv[2]);
            return 1;
        }
        return 0;
    }
    for (int i = 3; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--flip") == 0)
            flip = strtol(argv[i + 1], NULL, 0);
        else if (strcmp(argv[i], "--cut") == 0)
            cut = strtol(argv[i + 1], NULL, 0);
        else if (strcmp(argv[i], "--garbage") == 0)
            sscanf(argv[i + 1], "%ld:%ld", &garbage_at, &garbage_n);
        else if (strcmp(argv[i], "--bad-version") == 0)
            bad_version = strtol(argv[i + 1], NULL, 0);
    }
    if (bad_version >= 0 && bad_version < n) {
        unsigned char *p = recs[bad_version];
        p[ACLSUB_OFF_VERSION] = 2;
        uint32_t sig = aclsub_crc32c(p + 4, ACLSUB_REC_SIZE - 4);
        for (int b = 0; b < 4; b++)
            p[b] = (unsigned char)(sig >> (8 * b));
    }
    size_t len = (size_t)n * ACLSUB_REC_SIZE;
    unsigned char *out = malloc(len + (size_t)(garbage_n > 0 ? garbage_n : 0));
    size_t o = 0;
    for (int i = 0; i < n; i++) {
        if (i == garbage_at)
            for (long g = 0; g < garbage_n; g++)
                out[o++] = (unsigned char)(0x5A ^ g);
        memcpy(out + o, recs[i], ACLSUB_REC_SIZE);
        o += ACLSUB_REC_SIZE;
    }
    if (flip >= 0 && (size_t)flip < o)
        out[flip] ^= 0x01;
    if (cut > 0 && (size_t)cut <= o)
        o -= (size_t)cut;
    FILE *f = strcmp(argv[2], "-") == 0 ? stdout : fopen(argv[2], "wb");
    if (!f || fwrite(out, 1, o, f) != o || fclose(f) != 0) {
        perror(argv[2]);
        return 1;
    }
    free(out);
    return 0;
}
