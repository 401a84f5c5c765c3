/*
 * report.c - `aclsub report [-o FILE] [--force] [--execute N] [--top N] RECORDING [RECORDING]`:
 * one self-contained HTML page (no network: style, script and data
 * inline) of one recording, or of two and what changed between them.
 * Each recording is read once by the decoder's reader (decoder/report_agg.c)
 * and, for the timeline, once more up to the chosen execute
 * (decoder/report_pick.c); the page is written by decoder/report_html.c.
 * The page is created by decoder/out_path.h's rule (whole or not at all,
 * an existing one replaced only with --force).  The exit status: 1 for
 * usage and I/O errors, else 2 when an input was damaged (the page is
 * written all the same), else 0.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decoder/out_path.h"
#include "decoder/report.h"
#include "tools/cmds.h"

static const char usage[] =
    "usage: aclsub report [-o FILE] [--force] [--execute N] [--top N] RECORDING [RECORDING]\n"
    "\n"
    "Writes one HTML page (report.html) that opens from disk in any browser without\n"
    "network: where the time went per model, the distribution of each operator\n"
    "type's durations, execute time over iterations, one execute as a timeline\n"
    "(the median execute of the model with the most execute time), and with two\n"
    "recordings (A, then B) what got slower or faster.  RECORDING is a stream\n"
    "file ('-' for stdin: no timeline then).\n"
    "\n"
    "  -o, --output FILE  the page (default report.html; '-' for stdout); an existing\n"
    "                     FILE is left as it is unless --force\n"
    "  -f, --force        let -o replace an existing FILE (atomically)\n"
    "  --execute N        the timeline shows iteration N instead of the median execute\n"
    "  --top N            rows of the per-model tables (default 30; 0: all)\n"
    "  -h, --help         this text\n";

typedef struct opts {
    const char *out;
    int force;
    long long execute;
    rp_page_opts page;
} opts;

/* 0 ok, 1 usage error (reported), 2 help shown; optind is left at the first input. */
static int parse(opts *o, int argc, char **argv)
{
    static const struct option longs[] = {{"output", required_argument, NULL, 'o'},
                                          {"execute", required_argument, NULL, 'e'},
                                          {"top", required_argument, NULL, 't'},
                                          {"force", no_argument, NULL, 'f'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    *o = (opts){.out = "report.html", .execute = -1, .page = {.top = 30}};
    int c;
    char *end;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+o:fh", longs, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->out = optarg;
            break;
        case 'f':
            o->force = 1;
            break;
        case 'e':
            o->execute = strtoll(optarg, &end, 10);
            if (*optarg == '\0' || *end || o->execute < 0)
                goto bad;
            break;
        case 't':
            o->page.top = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end || o->page.top < 0)
                goto bad;
            break;
        case 'h':
            fputs(usage, stdout);
            return 2;
        default:
            fputs(usage, stderr);
            return 1;
        }
    }
    if (argc - optind < 1 || argc - optind > 2) {
        fprintf(stderr, "aclsub report: one or two recordings, please\n%s", usage);
        return 1;
    }
    return 0;
bad:
    fprintf(stderr, "aclsub report: bad number '%s' for --%s\n", optarg, c == 'e' ? "execute" : "top");
    return 1;
}

static int worse(int a, int b)
{
    return a == 1 || b == 1 ? 1 : a > b ? a : b;
}

/* Reads one recording into r; its status. */
static int read_one(rp_report *r, const char *path, long long execute)
{
    dec_input in;
    dec_input_init_path(&in, path);
    int st = rp_read(r, &in, stderr);
    dec_input_close(&in);
    rp_finish(r);
    if (st != 1)
        rp_pick(r, path, execute, stderr);
    if (r->oom) {
        fprintf(stderr, "aclsub report: %s: out of memory; the page is incomplete\n", path);
        st = 1;
    }
    return st;
}

/* The page's rp_write_page into f (opened before the recordings are read); 1 when it failed (reported). */
static int write_page(const opts *o, FILE *f, rp_report *const *recs, size_t n)
{
    int bad = rp_write_page(f, recs, n, &o->page) < 0;
    if (f == stdout && fflush(f) != 0)
        bad = 1;
    if (bad)
        fprintf(stderr, "aclsub report: cannot write %s\n", o->out);
    return bad;
}

int cmd_report(int argc, char **argv)
{
    opts o;
    int rc = parse(&o, argc, argv);
    if (rc)
        return rc == 2 ? 0 : 1;
    size_t n = (size_t)(argc - optind);
    /* The page is opened first: a page that cannot be written costs no reading. */
    out_path op;
    int to_stdout = strcmp(o.out, "-") == 0;
    FILE *f = to_stdout ? stdout : out_path_open(&op, o.out, o.force, "aclsub report", stderr);
    if (!f)
        return 1;
    rp_report r[2];
    rp_report *recs[2] = {&r[0], &r[1]};
    int status = 0;
    for (size_t i = 0; i < n; i++) {
        rp_init(&r[i], argv[optind + (int)i]);
        status = worse(status, read_one(&r[i], argv[optind + (int)i], o.execute));
    }
    if (status != 1 && write_page(&o, f, recs, n))
        status = 1;
    if (!to_stdout && out_path_close(&op, f, status != 1, stderr) != 0)
        status = 1;
    for (size_t i = 0; i < n; i++)
        rp_free(&r[i]);
    return status;
}
