/*
 * decode_opts.c - the command line of `aclsub decode`: the view word, the
 * options (getopt_long, so options may follow the inputs) and the help text.
 * With no view word and no --format the historical output is kept: the
 * tab-separated list, inputs one after the other in the order read.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decoder/pipeline.h"

const char dec_usage[] =
    "usage: aclsub decode [list|summary|diff] [options] FILE|- [FILE...]\n"
    "\n"
    "Decode aclsub record streams (regular files, FIFOs, - for standard input).\n"
    "Several inputs are merged on one timeline (by start time); each (process,\n"
    "model, stream) is its own track.  Times are nanoseconds on the device clock.\n"
    "\n"
    "views:\n"
    "  list      one row per record (the default).  Without a view word and\n"
    "            without --format: the historical tab-separated lines (model, flag,\n"
    "            type, name, start, end, duration), inputs in the order read\n"
    "  summary   operator durations grouped by type (or --by name|model): count,\n"
    "            total, mean, median, min, max, stddev, p90, p95, p99, % of busy time;\n"
    "            memory per group bounded: past 4096 operators in a group its\n"
    "            median and pN come from a sketch, within 1/128 (0.79 %)\n"
    "  diff A B  two streams' groups side by side with the ratios B/A\n"
    "\n"
    "options:\n"
    "  -f, --format FMT        tsv, table, csv, jsonl, or for the list view only:\n"
    "                          chrome (Chrome trace JSON), perfetto (Perfetto's\n"
    "                          protobuf trace), sqlite (a database, needs -o);\n"
    "                          default: tsv for a bare list, table otherwise\n"
    "  -b, --by KEY            summary and diff groups: type (default), name, model\n"
    "  -s, --sort COL[:asc|:desc]\n"
    "                          sort summary/diff rows on any column: summary: key,\n"
    "                          count, total (default), mean, median, min, max,\n"
    "                          stddev, p90, p95, p99, ratio; diff: key (default),\n"
    "                          count_a, count_b, count_ratio, mean_a, mean_b,\n"
    "                          mean_ratio, median_a, median_b, median_ratio\n"
    "  -n, --top N             print only the first N rows of a summary or diff\n"
    "      --fields F[,F...]   list and summary: these columns, in this order (a\n"
    "                          field's key or any of its titles, e.g. name,type,\n"
    "                          dur,start or \"Op Name\"); --fields help lists them\n"
    "  -m, --model ID[,ID...]  only these model ids\n"
    "  -t, --type GLOB[,...]   only operator types matching a glob (whole runs: na)\n"
    "  -N, --name GLOB[,...]   only operator names matching a glob\n"
    "      --exclude-type GLOB[,...]\n"
    "                          drop operator types matching a glob\n"
    "      --exclude-name GLOB[,...]\n"
    "                          drop operator names matching a glob\n"
    "      --from T            only records starting at or after T\n"
    "      --to T              only records starting at or before T.  T is a\n"
    "                          number with a unit, ns (the default), us, ms or s\n"
    "                          (100ms, 1.5s), counted from the first record's\n"
    "                          start (reported on stderr); @T or --absolute: on\n"
    "                          the device clock\n"
    "      --absolute          --from and --to are device-clock times\n"
    "  -k, --skip-iterations N drop each model's first N executes (iteration < N)\n"
    "      --align auto|realtime|none\n"
    "                          streams of several hosts on one timeline: each\n"
    "                          host's device clock mapped onto the realtime clock\n"
    "                          (ns since 1970) through its stream starts' anchors\n"
    "                          (reported on stderr); auto (the default) aligns when\n"
    "                          the start of the inputs names more than one host;\n"
    "                          --from/--to and @T are then on that timeline\n"
    "      --order input|time  list order: as read, or merged by start time\n"
    "                          (default: time, except for the bare list)\n"
    "      --window N          records an input may be out of time order (4096)\n"
    "  -F, --follow            live summary refreshed every second on a terminal,\n"
    "                          final summary when the writers close\n"
    "  -o, --output FILE       write the output to FILE, created with mode 0600;\n"
    "                          an existing FILE is left as it is unless --force.\n"
    "                          FILE appears only when the decoding ends (exit 0\n"
    "                          or 2), never half-written\n"
    "      --force             let -o replace an existing FILE (atomically)\n"
    "      --gzip              chrome, perfetto: gzip the trace (also when FILE\n"
    "                          ends in .gz)\n"
    "      --split-size MB     chrome, perfetto: split the trace into FILE-0001.EXT,\n"
    "      --split-time S      FILE-0002.EXT... when a file holds MB megabytes or S\n"
    "                          seconds of trace time (at the next point where it may end)\n"
    "      --control-csv FILE  list --format csv: the whole runs and control records\n"
    "                          (which the operator CSV leaves out) as CSV in FILE\n"
    "      --clock CLOCK       list times on monotonic (the device clock, default)\n"
    "                          or realtime (wall clock, from each stream's start)\n"
    "  -h, --help              show this help\n"
    "  -V, --version           print the version\n"
    "\n"
    "Control records are understood: records-lost notices are summed (summary\n"
    "footer), a process whose stream started and never ended is reported on\n"
    "stderr (not damage).  Damaged input (bad signatures, garbage, unknown\n"
    "versions, a truncated tail) is skipped and counted on stderr.\n"
    "\n"
    "exit status: 0 clean input, 1 usage or I/O error, 2 damaged input.\n"
    "See aclsub-decode(1).\n";

enum {
    OPT_FROM = 256,
    OPT_TO,
    OPT_ORDER,
    OPT_WINDOW,
    OPT_FORCE,
    OPT_XTYPE,
    OPT_XNAME,
    OPT_ABSOLUTE,
    OPT_GZIP,
    OPT_SPLIT_SIZE,
    OPT_SPLIT_TIME,
    OPT_ALIGN,
    OPT_FIELDS,
    OPT_CLOCK,
    OPT_CONTROL_CSV
};

static const struct option long_opts[] = {
    {"format", required_argument, NULL, 'f'},
    {"by", required_argument, NULL, 'b'},
    {"sort", required_argument, NULL, 's'},
    {"top", required_argument, NULL, 'n'},
    {"model", required_argument, NULL, 'm'},
    {"type", required_argument, NULL, 't'},
    {"name", required_argument, NULL, 'N'},
    {"exclude-type", required_argument, NULL, OPT_XTYPE},
    {"exclude-name", required_argument, NULL, OPT_XNAME},
    {"absolute", no_argument, NULL, OPT_ABSOLUTE},
    {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},
    {"skip-iterations", required_argument, NULL, 'k'},
    {"order", required_argument, NULL, OPT_ORDER},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"follow", no_argument, NULL, 'F'},
    {"output", required_argument, NULL, 'o'},
    {"force", no_argument, NULL, OPT_FORCE},
    {"gzip", no_argument, NULL, OPT_GZIP},
    {"split-size", required_argument, NULL, OPT_SPLIT_SIZE},
    {"split-time", required_argument, NULL, OPT_SPLIT_TIME},
    {"align", required_argument, NULL, OPT_ALIGN},
    {"fields", required_argument, NULL, OPT_FIELDS},
    {"clock", required_argument, NULL, OPT_CLOCK},
    {"control-csv", required_argument, NULL, OPT_CONTROL_CSV},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    if (!*s || *s == '-')
        return -1;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

/* Appends the comma-separated items of s to *list. */
static int add_list(char ***list, size_t *n, char *s)
{
    char *save = NULL;
    for (char *item = strtok_r(s, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char **l = realloc(*list, (*n + 1) * sizeof *l);
        if (!l)
            return -1;
        *list = l;
        l[(*n)++] = item;
    }
    return 0;
}

static int add_models(dec_opts *o, char *s)
{
    char *save = NULL;
    for (char *item = strtok_r(s, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        uint64_t v;
        if (parse_u64(item, &v) < 0 || v > UINT32_MAX)
            return -1;
        uint32_t *m = realloc(o->models, (o->nmodels + 1) * sizeof *m);
        if (!m)
            return -1;
        o->models = m;
        m[o->nmodels++] = (uint32_t)v;
    }
    return 0;
}

static int bad(FILE *err, const char *what, const char *arg)
{
    fprintf(err, "aclsub decode: %s '%s' (try 'aclsub decode --help')\n", what, arg);
    return 1;
}

static int set_format(dec_opts *o, const char *s)
{
    static const char *const names[] = {"tsv", "table", "csv", "jsonl", "chrome", "perfetto", "sqlite"};
    for (int i = 0; i < 7; i++)
        if (strcmp(s, names[i]) == 0) {
            o->format = (dec_format)i;
            return 0;
        }
    return -1;
}

static int set_by(dec_opts *o, const char *s)
{
    if (strcmp(s, "type") == 0)
        o->by = DEC_BY_TYPE;
    else if (strcmp(s, "name") == 0)
        o->by = DEC_BY_NAME;
    else if (strcmp(s, "model") == 0)
        o->by = DEC_BY_MODEL;
    else
        return -1;
    return 0;
}

/* --gzip, --split-size MB, --split-time S (the traces that write files themselves). */
static int file_option(dec_opts *o, int c, const char *arg, FILE *err)
{
    uint64_t v;
    if (c == OPT_GZIP) {
        o->gzip = 1;
        return 0;
    }
    if (parse_u64(arg, &v) < 0 || v == 0 || v > (1u << 30))
        return bad(err, c == OPT_SPLIT_SIZE ? "bad --split-size (MB, 1 or more)" : "bad --split-time (s, 1 or more)",
                   arg);
    if (c == OPT_SPLIT_SIZE)
        o->split_bytes = v << 20;
    else
        o->split_ns = v * 1000000000ull;
    return 0;
}

/* What the file outputs need: -o for sqlite and for splits; gzip and splits for traces only. */
static int check_file_options(const dec_opts *o, FILE *err)
{
    int trace = o->format == DEC_FMT_CHROME || o->format == DEC_FMT_PERFETTO;
    const char *why = NULL;
    if (o->format == DEC_FMT_SQLITE && !o->output)
        why = "--format sqlite needs -o FILE";
    else if ((o->gzip || o->split_bytes || o->split_ns) && !trace)
        why = "--gzip, --split-size and --split-time are for --format chrome and perfetto";
    else if ((o->split_bytes || o->split_ns) && !o->output)
        why = "--split-size and --split-time need -o FILE";
    else if (o->control_csv && (o->view != DEC_VIEW_LIST || o->format != DEC_FMT_CSV))
        why = "--control-csv is for the list view's --format csv";
    if (why)
        fprintf(err, "aclsub decode: %s (try 'aclsub decode --help')\n", why);
    return why != NULL;
}

/* The list-valued options, kept raw until every option is read. */
struct raw_lists {
    const char *models[64], *types[64], *names[64], *xtypes[64], *xnames[64];
    int nm, nt, nn, nxt, nxn;
    const char *from, *to; /* --from/--to, parsed once --absolute is known */
    const char *fields;    /* --fields, parsed once the view and format are known */
    int absolute;
};

/* A list option's value, kept raw until every option is read. */
static int add_raw(struct raw_lists *raw, int c, const char *arg, FILE *err)
{
    static const char *const names[] = {"--model", "--type", "--name", "--exclude-type", "--exclude-name"};
    int k = c == 'm' ? 0 : c == 't' ? 1 : c == 'N' ? 2 : c == OPT_XTYPE ? 3 : 4;
    const char **dst[] = {raw->models, raw->types, raw->names, raw->xtypes, raw->xnames};
    int *n[] = {&raw->nm, &raw->nt, &raw->nn, &raw->nxt, &raw->nxn};
    if (*n[k] >= 64)
        return bad(err, "too many uses of option", names[k]);
    dst[k][(*n[k])++] = arg;
    return 0;
}

/*
 * A time of --from/--to: digits, optionally a fraction, then ns (the
 * default), us, ms or s; a leading @ makes it absolute.  0 ok, -1 bad.
 */
static int parse_time(const char *s, uint64_t *ns, int *at)
{
    static const struct { const char *unit; uint64_t mult; } units[] = {
        {"", 1}, {"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000}};
    *at = *s == '@';
    s += *at;
    if (*s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    uint64_t whole = strtoull(s, &end, 10), frac = 0, scale = 1;
    if (errno)
        return -1;
    if (*end == '.')
        for (end++; *end >= '0' && *end <= '9'; end++)
            if (scale < 1000000000) {
                frac = frac * 10 + (uint64_t)(*end - '0');
                scale *= 10;
            }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(end, units[i].unit) == 0) {
            if (whole > UINT64_MAX / units[i].mult)
                return -1;
            *ns = whole * units[i].mult + frac * units[i].mult / scale;
            return 0;
        }
    return -1;
}

/* --from/--to: absolute bounds set, relative ones left to the filter (the first record is their base). */
static int settle_window(dec_opts *o, const struct raw_lists *raw, FILE *err)
{
    const char *val[2] = {raw->from, raw->to};
    uint64_t ns[2] = {0, UINT64_MAX};
    int rel[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        int at;
        if (!val[k])
            continue;
        if (parse_time(val[k], &ns[k], &at) < 0)
            return bad(err, k ? "bad --to (a number with ns, us, ms or s, @ for the device clock)"
                              : "bad --from (a number with ns, us, ms or s, @ for the device clock)", val[k]);
        rel[k] = !at && !raw->absolute;
    }
    o->from = rel[0] ? 0 : ns[0];
    o->to = rel[1] ? UINT64_MAX : ns[1];
    if (!rel[0] && !rel[1])
        return 0;
    o->window_rel = calloc(1, sizeof *o->window_rel);
    if (!o->window_rel)
        return bad(err, "out of memory at", "--from/--to");
    *o->window_rel = (dec_window){.from_rel = rel[0], .to_rel = rel[1], .from_off = ns[0], .to_off = ns[1], .err = err};
    return 0;
}

static int one_option(dec_opts *o, int c, const char *arg, struct raw_lists *raw, int *format_set, int *order,
                      FILE *err)
{
    uint64_t v;
    switch (c) {
    case 'f':
        *format_set = 1;
        return set_format(o, arg) < 0 ? bad(err, "unknown format", arg) : 0;
    case 'b':
        return set_by(o, arg) < 0 ? bad(err, "unknown --by key", arg) : 0;
    case 's':
        o->sort = arg;
        return 0;
    case 'n':
        if (parse_u64(arg, &v) < 0 || v > INT32_MAX)
            return bad(err, "bad --top", arg);
        o->top = (long)v;
        return 0;
    case 'm':
    case 't':
    case 'N':
    case OPT_XTYPE:
    case OPT_XNAME:
        return add_raw(raw, c, arg, err);
    case OPT_FROM:
        raw->from = arg;
        return 0;
    case OPT_TO:
        raw->to = arg;
        return 0;
    case OPT_ABSOLUTE:
        raw->absolute = 1;
        return 0;
    case OPT_FIELDS:
        raw->fields = arg;
        return 0;
    case 'k':
        return parse_u64(arg, &o->skip_iter) < 0 ? bad(err, "bad --skip-iterations", arg) : 0;
    case OPT_ORDER:
        if (strcmp(arg, "input") == 0)
            *order = 0;
        else if (strcmp(arg, "time") == 0)
            *order = 1;
        else
            return bad(err, "unknown --order", arg);
        return 0;
    case OPT_ALIGN:
        if (strcmp(arg, "auto") == 0)
            o->align = DEC_ALIGN_AUTO;
        else if (strcmp(arg, "realtime") == 0)
            o->align = DEC_ALIGN_REALTIME;
        else if (strcmp(arg, "none") == 0)
            o->align = DEC_ALIGN_NONE;
        else
            return bad(err, "unknown --align (auto, realtime or none)", arg);
        return 0;
    case OPT_WINDOW:
        if (parse_u64(arg, &v) < 0 || v == 0 || v > (1u << 24))
            return bad(err, "bad --window (1 to 16777216)", arg);
        o->window = (size_t)v;
        return 0;
    case 'F':
        o->follow = 1;
        return 0;
    case 'o':
        o->output = arg;
        return 0;
    case OPT_CLOCK:
        if (strcmp(arg, "realtime") != 0 && strcmp(arg, "monotonic") != 0)
            return bad(err, "unknown --clock (realtime or monotonic)", arg);
        o->align = arg[0] == 'r' ? DEC_ALIGN_REALTIME : DEC_ALIGN_NONE; /* the same mapping as --align */
        return 0;
    case OPT_CONTROL_CSV:
        o->control_csv = arg;
        return 0;
    case OPT_FORCE:
        o->force = 1;
        return 0;
    case OPT_GZIP:
    case OPT_SPLIT_SIZE:
    case OPT_SPLIT_TIME:
        return file_option(o, c, arg, err);
    default:
        return 1;
    }
}

/* Copies s to p, each comma-separated item of an exclude option prefixed with DEC_EXCLUDE; the end. */
static char *copy_list(char *p, const char *s, int exclude)
{
    if (exclude)
        *p++ = DEC_EXCLUDE;
    for (; *s; s++) {
        *p++ = *s;
        if (*s == ',' && exclude)
            *p++ = DEC_EXCLUDE;
    }
    *p++ = '\0';
    return p;
}

/* Copies the raw list options (storage is stable from here on) and splits them. */
static int split_lists(dec_opts *o, const struct raw_lists *raw, FILE *err)
{
    size_t total = 1;
    const char *const *all[5] = {raw->models, raw->types, raw->names, raw->xtypes, raw->xnames};
    const int counts[5] = {raw->nm, raw->nt, raw->nn, raw->nxt, raw->nxn};
    for (int k = 0; k < 5; k++)
        for (int i = 0; i < counts[k]; i++)
            total += 2 * strlen(all[k][i]) + 2;
    free(o->storage);
    o->storage = malloc(total);
    if (!o->storage)
        return 1;
    char *p = o->storage;
    for (int k = 0; k < 5; k++)
        for (int i = 0; i < counts[k]; i++) {
            char *s = p;
            p = copy_list(p, all[k][i], k >= 3);
            int types = k == 1 || k == 3;
            int rc = k == 0 ? add_models(o, s) : add_list(types ? &o->types : &o->names,
                                                          types ? &o->ntypes : &o->nnames, s);
            if (rc < 0)
                return bad(err, k == 0 ? "bad --model" : "bad list", all[k][i]);
        }
    return 0;
}

/* Defaults that depend on the view and on what was given. */
static int settle(dec_opts *o, int view_given, int format_set, int order, FILE *err)
{
    if (!format_set)
        o->format = view_given || o->follow ? DEC_FMT_TABLE : DEC_FMT_TSV;
    if (o->follow && !view_given)
        o->view = DEC_VIEW_SUMMARY;
    if (o->follow && o->view != DEC_VIEW_SUMMARY)
        return bad(err, "--follow needs the summary view, not", o->view == DEC_VIEW_LIST ? "list" : "diff");
    static const char *const fmt_names[] = {"tsv", "table", "csv", "jsonl", "chrome", "perfetto", "sqlite"};
    if (o->view != DEC_VIEW_LIST && (o->format == DEC_FMT_TSV || o->format >= DEC_FMT_CHROME))
        return bad(err, "format not available for summary and diff:", fmt_names[o->format]);
    if (check_file_options(o, err))
        return 1;
    o->order_time = order >= 0 ? order : o->format != DEC_FMT_TSV;
    if (o->format == DEC_FMT_CHROME || o->format == DEC_FMT_PERFETTO)
        o->order_time = 1;
    if (o->sort && o->view == DEC_VIEW_SUMMARY && !dec_summary_sort_ok(o->sort))
        return bad(err, "unknown sort column", o->sort);
    if (o->sort && o->view == DEC_VIEW_DIFF && !dec_diff_sort_ok(o->sort))
        return bad(err, "unknown diff sort column", o->sort);
    if (o->view == DEC_VIEW_DIFF && o->ninputs != 2) {
        fprintf(err, "aclsub decode: diff needs exactly two inputs, A and B\n");
        return 1;
    }
    if (o->ninputs == 0) {
        fputs(dec_usage, err);
        return 1;
    }
    return 0;
}

int dec_opts_parse(dec_opts *o, int argc, char **argv, FILE *out, FILE *err)
{
    memset(o, 0, sizeof *o);
    o->to = UINT64_MAX;
    o->window = DEC_DEFAULT_WINDOW;
    int view_given = 0, format_set = 0, order = -1, c;
    struct raw_lists raw = {0};
    optind = 0; /* a full reset: the parser may run more than once in a process */
    opterr = 0;
    while ((c = getopt_long(argc, argv, "-f:b:s:n:m:t:N:k:o:FhV", long_opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(dec_usage, out);
            return 2;
        }
        if (c == 'V')
            return 3;
        if (c == '?' || c == ':') {
            const char *a = argv[optind - 1];
            if (optopt && optopt < 256)
                fprintf(err, "aclsub decode: option '-%c' %s (try 'aclsub decode --help')\n", optopt,
                        strchr("fbsnmtNko", optopt) ? "needs a value" : "is unknown");
            else
                fprintf(err, "aclsub decode: unknown option or missing value '%s' (try 'aclsub decode --help')\n", a);
            return 1;
        }
        if (c == 1) { /* a non-option argument, in order */
            const char *a = optarg;
            if (!view_given && o->ninputs == 0 &&
                (strcmp(a, "list") == 0 || strcmp(a, "summary") == 0 || strcmp(a, "diff") == 0)) {
                view_given = 1;
                o->view = a[0] == 'l' ? DEC_VIEW_LIST : a[0] == 's' ? DEC_VIEW_SUMMARY : DEC_VIEW_DIFF;
                continue;
            }
            char **in = realloc(o->inputs, (o->ninputs + 1) * sizeof *in);
            if (!in)
                return 1;
            o->inputs = in;
            in[o->ninputs++] = (char *)a;
            continue;
        }
        if (one_option(o, c, optarg, &raw, &format_set, &order, err))
            return 1;
    }
    for (; optind < argc; optind++) { /* after "--" */
        char **in = realloc(o->inputs, (o->ninputs + 1) * sizeof *in);
        if (!in)
            return 1;
        o->inputs = in;
        in[o->ninputs++] = argv[optind];
    }
    if (raw.fields && strcmp(raw.fields, "help") == 0) {
        dec_fields_help(o->view, out);
        return 2;
    }
    if (split_lists(o, &raw, err) || settle_window(o, &raw, err))
        return 1;
    if (settle(o, view_given, format_set, order, err))
        return 1;
    return raw.fields && dec_fields_parse(o, raw.fields, err) < 0 ? 1 : 0;
}

void dec_opts_free(dec_opts *o)
{
    free(o->models);
    free(o->types);
    free(o->names);
    free(o->inputs);
    free(o->storage);
    free(o->window_rel);
    free(o->fields);
    memset(o, 0, sizeof *o);
}
