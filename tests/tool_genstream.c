/*
 * tool_genstream.c - writes a record stream from a text specification, for
 * the decoder's tests and the format documentation, and can damage it in
 * controlled ways.
 *
 *   tool_genstream SPEC OUT [--flip OFFSET] [--cut BYTES]
 *                  [--garbage INDEX:COUNT] [--bad-version INDEX]
 *
 * SPEC has one record per line, fields separated by '|':
 *   model|flag|type|name|start|end
 * flag is op, subgraph or none; duration is end - start.  Each record gets
 * pid 4242, stream 0, sequence number = its line's index.
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

static int parse_spec(FILE *in)
{
    char line[2048];
    int n = 0;
    while (fgets(line, sizeof line, in) && n < MAX_RECORDS) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        char *f[6], *save = NULL, *p = line;
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
        (void)save;
        aclsub_rec r = {0};
        r.model_id = (uint32_t)strtoul(f[0], NULL, 0);
        r.flag = flag_value(f[1]);
        r.kind = r.flag == ACL_SUBSCRIBE_SUBGRAPH ? ACLSUB_KIND_RUN : ACLSUB_KIND_OP;
        r.type = f[2];
        r.type_len = strlen(f[2]);
        r.name = f[3];
        r.name_len = strlen(f[3]);
        r.start = strtoull(f[4], NULL, 0);
        r.end = strtoull(f[5], NULL, 0);
        r.duration = r.exec_time = r.end - r.start;
        r.pid = 4242;
        r.seq = (uint64_t)n;
        r.op_index = (uint64_t)n;
        aclsub_rec_encode(recs[n], &r);
        n++;
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: tool_genstream SPEC OUT [--flip OFFSET] [--cut BYTES] [--garbage I:N] "
                        "[--bad-version I]\n");
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
