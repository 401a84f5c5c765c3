/*
 * mkom.c - `aclsub mkom`: reads a text graph description (a file or
 * standard input), compiles it with mkom_build (tools/compile/mkom.h) and
 * writes the .om with om_write_file.
 *
 * Only the command lives here: options, reading the file (at most
 * MKOM_MAX_FILE_BYTES), choosing the output name and reporting.  The
 * compiler itself never touches the file system.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/cmds.h"
#include "tools/compile/mkom.h"
#include "tools/compile/om_write.h"

#define MKOM_MAX_FILE_BYTES ((size_t)64 << 20)

static void mkom_usage(FILE *f)
{
    fprintf(f, "usage: aclsub mkom [-o OUT.om] [--seed N] DESC.txt\n"
               "\n"
               "Compiles a text graph description into an .om model (format: docs/MODEL.md).\n"
               "  -o, --output OUT   the model file (default: DESC with .txt replaced by .om)\n"
               "  --seed N           seed of the 'random' and 'uniform' weight fills (default %u)\n"
               "  -h, --help         this text\n"
               "  -V, --version      print the version\n"
               "DESC may be '-' for standard input (then -o is required).\n",
            MKOM_DEFAULT_SEED);
}

/* Reads a whole file (or stdin for "-"), at most MKOM_MAX_FILE_BYTES. */
static char *mkom_read(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            char *b = cap >= MKOM_MAX_FILE_BYTES ? NULL : realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                buf = NULL;
                errno = EFBIG;
                break;
            }
            buf = b;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                free(buf);
                buf = NULL;
                errno = EIO;
            }
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    *len = n;
    return buf;
}

static char *mkom_default_output(const char *desc)
{
    size_t n = strlen(desc);
    if (n > 4 && strcmp(desc + n - 4, ".txt") == 0)
        n -= 4;
    char *out = malloc(n + 4);
    if (out) {
        memcpy(out, desc, n);
        memcpy(out + n, ".om", 4);
    }
    return out;
}

static int mkom_parse_seed(const char *s, uint64_t *seed)
{
    char *end;
    if (!*s || *s == '-')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return -1;
    *seed = v;
    return 0;
}

static const struct option mkom_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"seed", required_argument, NULL, 's'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* 0 with *out, *desc and *seed set; else the exit status (-1 after --help or --version). */
static int mkom_parse(int argc, char **argv, const char **out, const char **desc, uint64_t *seed)
{
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:hV", mkom_opts, NULL)) != -1) {
        if (c == 'h' || c == 'V') {
            if (c == 'h')
                mkom_usage(stdout);
            else
                cmd_version();
            return -1;
        }
        if (c == 'o') {
            *out = optarg;
        } else if (c == 's' && mkom_parse_seed(optarg, seed) == 0) {
            continue;
        } else if (c == 's') {
            fprintf(stderr, "aclsub mkom: bad seed '%s' (try 'aclsub mkom --help')\n", optarg);
            return 1;
        } else {
            fprintf(stderr, "aclsub mkom: unknown option or missing value '%s' (try 'aclsub mkom --help')\n",
                    argv[optind - 1]);
            return 1;
        }
    }
    if (optind < argc - 1) {
        fprintf(stderr, "aclsub mkom: more than one description given\n");
        return 1;
    }
    *desc = optind < argc ? argv[optind] : NULL;
    if (!*desc || (strcmp(*desc, "-") == 0 && !*out)) {
        mkom_usage(stderr);
        return 1;
    }
    return 0;
}

int cmd_mkom(int argc, char **argv)
{
    const char *out = NULL, *desc = NULL;
    uint64_t seed = MKOM_DEFAULT_SEED;
    int rc = mkom_parse(argc, argv, &out, &desc, &seed);
    if (rc)
        return rc < 0 ? 0 : rc;
    size_t len;
    char *text = mkom_read(desc, &len);
    if (!text) {
        fprintf(stderr, "aclsub mkom: %s: %s\n", desc, strerror(errno));
        return 1;
    }
    char err[512];
    graph *g;
    rc = mkom_build(text, len, strcmp(desc, "-") == 0 ? "<stdin>" : desc, seed, &g, err, sizeof err);
    free(text);
    if (rc != 0) {
        fprintf(stderr, "aclsub mkom: %s\n", err);
        return 2;
    }
    char *path = out ? strdup(out) : mkom_default_output(desc);
    if (!path || om_write_file(g, path, err, sizeof err) != 0) {
        fprintf(stderr, "aclsub mkom: %s\n", path ? err : "out of memory");
        free(path);
        graph_free(g);
        return 1;
    }
    printf("%s: %u nodes, %u tensors, %llu weight bytes, %llu work bytes\n", path, g->n_nodes, g->n_tensors,
           (unsigned long long)g->weight_size, (unsigned long long)g->work_size);
    free(path);
    graph_free(g);
    return 0;
}
