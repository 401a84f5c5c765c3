/*
 * decode.c - `aclsub decode`: prints the records of one or more streams,
 * one line per record, reading each input (file, FIFO or - for stdin) in
 * large chunks through the stream reader and every field through the
 * aclprofGetOp* accessors.  Damage is skipped, counted and reported on
 * stderr; the exit status is 2 when any input was damaged.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "acl/acl_prof.h"
#include "aclsub/record.h"
#include "cmds.h"
#include "reader.h"

#define DECODE_CHUNK (1u << 20)

static const char decode_usage[] =
    "usage: aclsub decode [options] FILE|- [FILE...]\n"
    "\n"
    "Print the operator records of aclsub record streams, one line per record:\n"
    "model id, flag, operator type, operator name, start, end and duration\n"
    "(nanoseconds on the device clock), tab-separated, after a header line.\n"
    "FILE may be a regular file or a FIFO; - reads standard input.\n"
    "\n"
    "options:\n"
    "  -h, --help   show this help\n"
    "\n"
    "exit status: 0 clean input, 1 usage or I/O error, 2 damaged input\n"
    "(bad signatures, garbage, unknown versions, a truncated tail; the valid\n"
    "records are still printed and the damage is counted on stderr).\n";

static const char *flag_text(aclprofSubscribeOpFlag f)
{
    switch (f) {
    case ACL_SUBSCRIBE_OP:
        return "op";
    case ACL_SUBSCRIBE_SUBGRAPH:
        return "subgraph";
    case ACL_SUBSCRIBE_OP_THREAD:
        return "op_thread";
    default:
        return "none";
    }
}

/* Writes s with tab, newline, backslash and control bytes escaped. */
static void put_field(FILE *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\t')
            fputs("\\t", out);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c == '\\')
            fputs("\\\\", out);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
}

static void print_record(FILE *out, const unsigned char *rec)
{
    char type[ACL_PROF_MAX_OP_TYPE_LEN], name[ACLSUB_REC_NAME_CAP + 1];
    size_t len = ACLSUB_REC_SIZE;
    if (aclprofGetOpType(rec, len, 0, type, sizeof type) != ACL_SUCCESS)
        type[0] = '\0';
    if (aclprofGetOpName(rec, len, 0, name, sizeof name) != ACL_SUCCESS)
        name[0] = '\0';
    size_t model = aclprofGetModelId(rec, len, 0);
    fprintf(out, "%zu\t%s\t", model, flag_text(aclprofGetOpFlag(rec, len, 0)));
    put_field(out, type);
    fputc('\t', out);
    put_field(out, name);
    fprintf(out, "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n", aclprofGetOpStart(rec, len, 0),
            aclprofGetOpEnd(rec, len, 0), aclprofGetOpDuration(rec, len, 0));
}

static void report_damage(const char *path, const rec_reader_stats *s)
{
    fprintf(stderr, "aclsub decode: %s: damaged input: %" PRIu64 " bad signature(s), %" PRIu64
                    " unknown version(s), %" PRIu64 " garbage byte(s) in %" PRIu64 " run(s), %" PRIu64
                    " truncated byte(s) at the end; %" PRIu64 " valid record(s)\n",
            path, s->bad_signature, s->bad_version, s->garbage_bytes, s->garbage_runs, s->truncated_bytes,
            s->records);
}

/* Decodes one input; returns 0 clean, 1 error, 2 damaged. */
static int decode_one(const char *path, FILE *out)
{
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "aclsub decode: %s: %s\n", path, strerror(errno));
        return 1;
    }
    rec_reader *r = rec_reader_from_fd(fd, DECODE_CHUNK);
    if (!r) {
        fprintf(stderr, "aclsub decode: %s: out of memory\n", path);
        if (fd != STDIN_FILENO)
            close(fd);
        return 1;
    }
    const unsigned char *rec;
    int rc, status = 0;
    while ((rc = rec_reader_next(r, &rec)) == 1)
        print_record(out, rec);
    if (rc < 0) {
        fprintf(stderr, "aclsub decode: %s: read error: %s\n", path, strerror(errno));
        status = 1;
    }
    if (rec_reader_damaged(r)) {
        report_damage(strcmp(path, "-") == 0 ? "<stdin>" : path, rec_reader_get_stats(r));
        if (status == 0)
            status = 2;
    }
    rec_reader_free(r);
    if (fd != STDIN_FILENO)
        close(fd);
    return status;
}

int cmd_decode(int argc, char **argv)
{
    int first = 1;
    for (; first < argc; first++) {
        const char *a = argv[first];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(decode_usage, stdout);
            return 0;
        }
        if (strcmp(a, "--") == 0) {
            first++;
            break;
        }
        if (a[0] != '-' || strcmp(a, "-") == 0)
            break;
        fprintf(stderr, "aclsub decode: unknown option '%s' (try 'aclsub decode --help')\n", a);
        return 1;
    }
    if (first >= argc) {
        fputs(decode_usage, stderr);
        return 1;
    }
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    printf("model\tflag\ttype\tname\tstart_ns\tend_ns\tduration_ns\n");
    int status = 0;
    for (int i = first; i < argc; i++) {
        int s = decode_one(argv[i], stdout);
        if (s == 1 || (s == 2 && status == 0))
            status = s;
    }
    if (fflush(stdout) != 0 && status == 0)
        status = 1;
    return status;
}
