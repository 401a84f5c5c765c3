/*
 * run.c - `aclsub run`: runs a program under the interposer, the way a
 * profiler launcher does.
 *
 *   aclsub run [-o FILE] [--force] [--live] [--summary] [--report[=PAGE]] [--env K=V ...] -- PROGRAM ARGS...
 *
 * It finds libaclsub.so next to its own executable (BUILD/bin/aclsub ->
 * BUILD/lib/libaclsub.so; after `make install`, PREFIX/lib or
 * PREFIX/lib/aclsub), prepends it to LD_PRELOAD, names the sink in
 * ACLSUB_OUTPUT and starts the program with fork and execvp.
 *
 *   file mode (default)  the sink is a file, created here exclusively, mode
 *                        0600 (%p is aclsub run's pid, so every process of the
 *                        run writes to the one file); its path is printed at
 *                        the end and --summary prints `aclsub decode summary
 *                        FILE` too.  The user's own previous FILE is kept as
 *                        FILE.old; another user's file or link is left alone
 *                        unless --force (which removes it, never writes into
 *                        it); the user's own symbolic link is resolved once.
 *                        When the program never starts, the file is removed
 *                        and FILE.old put back.  --report writes the HTML
 *                        page of `aclsub report` beside it once the program
 *                        has ended (FILE.rec -> FILE.html), created by
 *                        decoder/out_path.h's rule: whole or not at all,
 *                        over an existing page only with --force (refused
 *                        before the program starts), into a FIFO or device
 *                        as it is.
 *   --live               the sink is a FIFO in a private mkdtemp directory,
 *                        read by a child `aclsub decode summary --follow FIFO`
 *                        (this same executable).  aclsub holds a write end of
 *                        the FIFO while the program runs, so the reader sees
 *                        end of file only when the program and everything it
 *                        started have closed theirs, whatever the order in
 *                        which they open it.
 *
 * SIGINT, SIGTERM and SIGHUP sent to aclsub are passed on to the program
 * (a terminal's signals, which reach the whole process group anyway, are
 * not sent twice), then to the reader once the program is gone; the FIFO
 * and its directory are removed on every path that returns.  The exit
 * status is the program's, 128+N when a signal N killed it, 127 when it
 * cannot be found, 126 when it cannot be executed, 1 when aclsub itself
 * fails before the program starts.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <getopt.h>
#include <libelf.h>
#include <limits.h>
#include <link.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "decoder/out_path.h"
#include "decoder/record/outname.h"
#include "tools/cmds.h"
#include "shim/file.h"

#define RUN_FIFO_NAME "records.fifo"
#define RUN_READER_WAIT_MS 10000 /* for the live reader to open the FIFO */

extern char **environ;

static const char run_usage[] =
    "usage: aclsub run [options] [--] PROGRAM [ARGS...]\n"
    "\n"
    "Runs PROGRAM with libaclsub.so preloaded: every operator of every model it\n"
    "executes is recorded (a file, by default) or summarised live.  PROGRAM is\n"
    "looked up in PATH as a shell does; `aclsub run -- python3 infer.py` works.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE   record into FILE, created anew with mode 0600 (%p: the\n"
    "                      pid of aclsub run, %h: the host name); default\n"
    "                      aclsub-%p.rec in the working directory.  Every process\n"
    "                      of the run writes to this one file.  A previous FILE\n"
    "                      of yours is kept as FILE.old; another user's is left\n"
    "                      alone\n"
    "  -f, --force         replace FILE even when it (or the link it is) belongs\n"
    "                      to another user: it is removed, never written into;\n"
    "                      let --report replace an existing PAGE\n"
    "  -l, --live          summarise while the program runs: records go through a\n"
    "                      private FIFO to `aclsub decode summary --follow`\n"
    "                      (redrawn every second on a terminal, the final summary\n"
    "                      when the program ends); nothing is kept\n"
    "  -s, --summary       after the program ends, print `aclsub decode summary`\n"
    "                      of the recorded file\n"
    "      --report[=PAGE] after the program ends, write the HTML page of\n"
    "                      `aclsub report` of the recorded file to PAGE (%p, %h\n"
    "                      as in -o), by default beside it (FILE.rec -> FILE.html);\n"
    "                      an existing PAGE is refused before the program starts\n"
    "                      unless --force\n"
    "  -e, --env K=V       set K to V in the program's environment (repeatable),\n"
    "                      e.g. --env ACLSUB_OP_TYPES=Conv --env ACLSUB_LOG=info\n"
    "  -v, --verbose       print the library, the sink and the reader on stderr\n"
    "  -h, --help          show this help\n"
    "  -V, --version       print the version\n"
    "\n"
    "SIGINT, SIGTERM and SIGHUP are passed on to the program.  The recorded\n"
    "file's path is printed on stderr at the end.\n"
    "\n"
    "exit status: the program's; 128+N when signal N killed it; 127 PROGRAM not\n"
    "found; 126 PROGRAM not executable; 1 usage error or a failure before the\n"
    "program starts (e.g. libaclsub.so not found).\n"
    "See aclsub-run(1) and aclsub-env(7).\n";

static const struct option run_long_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"force", no_argument, NULL, 'f'},
    {"live", no_argument, NULL, 'l'},
    {"summary", no_argument, NULL, 's'},
    {"report", optional_argument, NULL, 'R'},
    {"env", required_argument, NULL, 'e'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

typedef struct run_opts {
    const char *output; /* -o pattern, NULL: the default */
    int force, live, summary, verbose;
    int report;         /* --report */
    const char *report_path; /* --report=PAGE pattern, NULL: beside the record file */
    char **env; /* K=V settings, pointing into argv */
    size_t nenv;
    char **prog; /* the program's argv, NULL-terminated (argv's tail) */
} run_opts;

typedef struct run_sink {
    char path[PATH_MAX];  /* absolute: what ACLSUB_OUTPUT names (escaped, as a pattern) */
    char shown[PATH_MAX]; /* as printed: the expanded -o pattern */
    char dir[PATH_MAX - 64]; /* live: the private directory, "" otherwise */
    int wfd;              /* live: aclsub's write end, -1 otherwise */
    pid_t reader;         /* live: the decode child, 0 otherwise */
    int created;          /* file mode: the file was created here (dev, ino) */
    dev_t dev;
    ino_t ino;
    int kept_old;         /* file mode: the previous file was renamed to `old` */
    char old[PATH_MAX + 8];
    char report[PATH_MAX]; /* --report: the page, as printed; "" otherwise */
} run_sink;

/*
 * Where the forwarded signals go: the program while it runs, then the live
 * reader, 0 when nobody.  Written with the forwarded signals blocked, read
 * by the handler; `run_pending` keeps a signal that arrived while nobody
 * was there.
 */
static volatile sig_atomic_t run_target;
static volatile sig_atomic_t run_pending;
static const int run_signals[] = {SIGINT, SIGTERM, SIGHUP};

/* --- options ------------------------------------------------------------------------ */

static int run_bad(const char *what, const char *arg)
{
    fprintf(stderr, "aclsub run: %s%s%s (try 'aclsub run --help')\n", what, arg ? " " : "", arg ? arg : "");
    return 1;
}

static int run_add_env(run_opts *o, char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv)
        return run_bad("--env needs K=V, not", kv);
    if (strncmp(kv, "ACLSUB_OUTPUT=", 14) == 0)
        return run_bad("the sink is chosen with -o or --live, not with --env", "ACLSUB_OUTPUT");
    char **e = realloc(o->env, (o->nenv + 1) * sizeof *e);
    if (!e)
        return run_bad("out of memory", NULL);
    o->env = e;
    e[o->nenv++] = kv;
    return 0;
}

/* 0 with *o filled; else the exit status (-1 after --help). */
static int run_parse(int argc, char **argv, run_opts *o)
{
    int c;
    optind = 0;
    opterr = 0;
    /* '+': options end at the program's name, so its own options stay its own. */
    while ((c = getopt_long(argc, argv, "+o:flse:vhV", run_long_opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(run_usage, stdout);
            return -1;
        case 'V':
            cmd_version();
            return -1;
        case 'o':
            o->output = optarg;
            break;
        case 'f':
            o->force = 1;
            break;
        case 'l':
            o->live = 1;
            break;
        case 's':
            o->summary = 1;
            break;
        case 'R':
            if (optarg && !*optarg)
                return run_bad("--report= needs a PAGE, or no '='", NULL);
            o->report = 1;
            o->report_path = optarg;
            break;
        case 'v':
            o->verbose = 1;
            break;
        case 'e':
            if (run_add_env(o, optarg))
                return 1;
            break;
        default:
            return run_bad("unknown option or missing value", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return run_bad("no program to run", NULL);
    if (o->live && o->output)
        return run_bad("-o and --live exclude each other: --live keeps no file", NULL);
    if (o->live && o->report)
        return run_bad("--report and --live exclude each other: --live keeps no file", NULL);
    o->prog = argv + optind;
    return 0;
}

/* --- finding libaclsub.so ------------------------------------------------------------ */

static int run_self_exe(char *buf, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    if (n <= 0 || (size_t)n >= len - 1)
        return -1;
    buf[n] = '\0';
    return 0;
}

/* BIN/../lib/libaclsub.so, then BIN/../lib/aclsub/libaclsub.so; -1 with the paths tried. */
static int run_find_preload(const char *exe, char *out, char *tried, size_t tried_len)
{
    static const char *const rel[] = {"../lib/libaclsub.so", "../lib/aclsub/libaclsub.so"};
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", exe);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    size_t o = 0;
    tried[0] = '\0';
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        char cand[PATH_MAX * 2];
        snprintf(cand, sizeof cand, "%s/%s", dir, rel[i]);
        if (realpath(cand, out) && access(out, R_OK) == 0)
            return 0;
        o += (size_t)snprintf(tried + o, o < tried_len ? tried_len - o : 0, "%s%s", i ? ", " : "", cand);
    }
    return -1;
}

/* 1 when the ELF file at path has a DT_NEEDED entry containing `what`. */
static int run_elf_needs(const char *path, const char *what)
{
    const char *why;
    int fd = file_open_regular(path, NULL, &why), found = 0;
    if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    for (Elf_Scn *s = NULL; e && !found && (s = elf_nextscn(e, s));) {
        GElf_Shdr sh;
        Elf_Data *d = gelf_getshdr(s, &sh) && sh.sh_type == SHT_DYNAMIC ? elf_getdata(s, NULL) : NULL;
        GElf_Dyn dyn;
        for (int i = 0; d && sh.sh_entsize && (size_t)i < sh.sh_size / sh.sh_entsize && gelf_getdyn(d, i, &dyn); i++) {
            const char *n = dyn.d_tag == DT_NEEDED ? elf_strptr(e, sh.sh_link, dyn.d_un.d_val) : NULL;
            if (n && strstr(n, what))
                found = 1;
        }
    }
    elf_end(e);
    close(fd);
    return found;
}

static int run_find_asan_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    if (info->dlpi_name && strstr(info->dlpi_name, "/libasan.so")) {
        snprintf(data, PATH_MAX, "%s", info->dlpi_name);
        return 1;
    }
    return 0;
}

/*
 * A sanitizer build's libaclsub.so needs the ASan runtime, which must come
 * first in LD_PRELOAD for programs that are not ASan-built themselves
 * (python3, ...).  aclsub is built alongside it, so its own copy is found
 * among the objects loaded here.  "" when not needed; -1 when needed and
 * not found.
 */
static int run_asan_runtime(const char *lib, char *out)
{
    out[0] = '\0';
    if (!run_elf_needs(lib, "libasan.so"))
        return 0;
    return dl_iterate_phdr(run_find_asan_cb, out) ? 0 : -1;
}

/* --- the sink ------------------------------------------------------------------------- */

/* The path the program sees: absolute, so that a program that changes directory still finds it. */
static int run_absolute(const char *path, char *out, size_t cap)
{
    char cwd[PATH_MAX];
    if (path[0] == '/')
        return snprintf(out, cap, "%s", path) < (int)cap ? 0 : -1;
    if (!getcwd(cwd, sizeof cwd))
        return -1;
    return snprintf(out, cap, "%s/%s", cwd, path) < (int)cap ? 0 : -1;
}

/* One line about the record file; -1. */
static int run_sink_err(const run_sink *s, const char *why)
{
    fprintf(stderr, "aclsub run: %s: %s\n", s->shown, why);
    return -1;
}

/* Creates the record file exclusively (never through a link), mode 0600. */
static int run_sink_create(run_sink *s)
{
    int fd = open(s->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    struct stat st;
    if (fd < 0)
        return run_sink_err(s, errno == EEXIST ? "appeared while aclsub run prepared it; left as it is"
                                               : strerror(errno));
    if (fstat(fd, &st) == 0) {
        s->created = 1;
        s->dev = st.st_dev;
        s->ino = st.st_ino;
    }
    close(fd);
    return 0;
}

/* What another user has at FILE (a file, a link): refused, or with --force removed, never written into. */
static int run_sink_foreign(const run_opts *o, run_sink *s, const char *what, const struct stat *st)
{
    char why[256];
    if (!o->force) {
        snprintf(why, sizeof why, "%s of uid %u, not yours: left as it is (--force replaces it)", what,
                 (unsigned)st->st_uid);
        return run_sink_err(s, why);
    }
    if (unlink(s->path) != 0) {
        snprintf(why, sizeof why, "cannot replace it: %s", strerror(errno));
        return run_sink_err(s, why);
    }
    snprintf(why, sizeof why, "%s of uid %u removed (--force)", what, (unsigned)st->st_uid);
    run_sink_err(s, why);
    return 0;
}

/* The user's own previous FILE: kept as FILE.old (a FILE.old of another user is not replaced). */
static int run_sink_keep_old(const run_opts *o, run_sink *s)
{
    struct stat st;
    char why[PATH_MAX + 64];
    if (snprintf(s->old, sizeof s->old, "%s.old", s->path) >= (int)sizeof s->old)
        return run_sink_err(s, "the path is too long");
    if (lstat(s->old, &st) == 0 && st.st_uid != geteuid() && !o->force) {
        snprintf(why, sizeof why, "%s.old is of uid %u, not yours: not replaced (--force replaces it)", s->shown,
                 (unsigned)st.st_uid);
        return run_sink_err(s, why);
    }
    if (rename(s->path, s->old) != 0) {
        snprintf(why, sizeof why, "cannot keep it as %s.old: %s", s->shown, strerror(errno));
        return run_sink_err(s, why);
    }
    s->kept_old = 1;
    snprintf(why, sizeof why, "existed: kept as %s.old", s->shown);
    run_sink_err(s, why);
    return 0;
}

/* -o names a symbolic link: the user's own is resolved once (1: look again at the target). */
static int run_sink_link(const run_opts *o, run_sink *s, const struct stat *st)
{
    char real[PATH_MAX], why[300];
    if (st->st_uid != geteuid())
        return run_sink_foreign(o, s, "a symbolic link", st) == 0 ? 0 : -1;
    if (!realpath(s->path, real)) {
        snprintf(why, sizeof why, "a symbolic link to nothing usable (%s)", strerror(errno));
        return run_sink_err(s, why);
    }
    snprintf(s->path, sizeof s->path, "%s", real);
    return 1;
}

/* What FILE is now decides: a FIFO or device stays; a regular file is kept as .old or refused; then created. */
static int run_sink_prepare(const run_opts *o, run_sink *s)
{
    for (int tries = 0; tries < 8; tries++) {
        struct stat st;
        if (lstat(s->path, &st) != 0)
            return errno == ENOENT ? run_sink_create(s) : run_sink_err(s, strerror(errno));
        if (S_ISLNK(st.st_mode)) {
            int rc = run_sink_link(o, s, &st);
            if (rc == 1)
                continue;
            return rc < 0 ? -1 : run_sink_create(s);
        }
        if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))
            return o->summary  ? run_sink_err(s, "not a regular file: --summary needs one")
                   : o->report ? run_sink_err(s, "not a regular file: --report needs one")
                               : 0;
        if (!S_ISREG(st.st_mode))
            return run_sink_err(s, S_ISDIR(st.st_mode) ? "a directory" : "not a regular file, FIFO or device");
        if (st.st_uid != geteuid() ? run_sink_foreign(o, s, "a file", &st) != 0 : run_sink_keep_old(o, s) != 0)
            return -1;
        return run_sink_create(s);
    }
    return run_sink_err(s, "too many symbolic links");
}

/*
 * --report: the page's name (PAGE expanded, or the record file's with .rec
 * replaced by .html), refused when it exists unless --force; 0 or -1 after a
 * message.  Decided before the program starts, so that nothing runs for a
 * page that could not be written.
 */
static int run_report_path(const run_opts *o, run_sink *s)
{
    if (!o->report)
        return 0;
    size_t n = strlen(s->shown);
    int rec = n > 4 && strcmp(s->shown + n - 4, ".rec") == 0;
    outname_vars here;
    outname_vars_here(&here);
    int too_long = o->report_path
                       ? outname_expand(o->report_path, &here, s->report, sizeof s->report) < 0
                       : snprintf(s->report, sizeof s->report, "%.*s.html", (int)(rec ? n - 4 : n), s->shown) >=
                             (int)sizeof s->report - 16; /* room for the temporary suffix */
    struct stat st, rs;
    char abs[PATH_MAX];
    const char *why = NULL;
    if (too_long || run_absolute(s->report, abs, sizeof abs) < 0)
        why = "the path is too long";
    else if (strcmp(abs, s->path) == 0 || (stat(s->report, &st) == 0 && stat(s->path, &rs) == 0 &&
                                          st.st_dev == rs.st_dev && st.st_ino == rs.st_ino))
        why = "is the record file itself";
    else
        why = out_path_refusal(s->report, o->force); /* as `aclsub report -o` will see it */
    if (why)
        fprintf(stderr, "aclsub run: --report %s: %s\n", too_long && o->report_path ? o->report_path : s->report,
                why);
    if (why)
        s->report[0] = '\0';
    return why ? -1 : 0;
}

/* The record file of file mode (a FIFO or device named by -o is left as it is). */
static int run_sink_file(const run_opts *o, run_sink *s)
{
    const char *pattern = o->output ? o->output : OUTNAME_DEFAULT;
    outname_vars here; /* %p: aclsub run's own pid, shared by every process of the run */
    outname_vars_here(&here);
    if (outname_expand(pattern, &here, s->shown, sizeof s->shown) < 0 ||
        run_absolute(s->shown, s->path, sizeof s->path) < 0) {
        fprintf(stderr, "aclsub run: %s: the path is too long\n", pattern);
        return -1;
    }
    if (run_report_path(o, s) < 0)
        return -1;
    return run_sink_prepare(o, s);
}

/* The program never started: the file made for it goes, the previous one comes back. */
static void run_sink_undo(run_sink *s)
{
    struct stat st;
    if (s->created && lstat(s->path, &st) == 0 && S_ISREG(st.st_mode) && st.st_dev == s->dev &&
        st.st_ino == s->ino && st.st_size == 0)
        unlink(s->path);
    s->created = 0;
    if (s->kept_old && rename(s->old, s->path) == 0)
        fprintf(stderr, "aclsub run: %s.old put back as %s\n", s->shown, s->shown);
    s->kept_old = 0;
}

static void run_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Starts `aclsub decode summary --follow FIFO`; terminal interrupts are left to the program. */
static pid_t run_start_reader(const char *exe, const char *fifo, const sigset_t *mask)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    sigprocmask(SIG_SETMASK, mask, NULL);
    char *args[] = {"aclsub", "decode", "summary", "--follow", (char *)fifo, NULL};
    execv(exe, args);
    fprintf(stderr, "aclsub run: %s: %s\n", exe, strerror(errno));
    _exit(127);
}

/* Opens aclsub's write end once the reader has the FIFO open; -1 if it never does. */
static int run_open_write_end(run_sink *s, const char *fifo)
{
    for (long waited = 0; waited < RUN_READER_WAIT_MS && !run_pending; waited += 5) {
        int fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0)
            return fd;
        if (errno != ENXIO)
            break;
        if (waitpid(s->reader, NULL, WNOHANG) != 0) {
            s->reader = 0; /* gone (and reaped): it said why */
            return -1;
        }
        run_sleep_ms(5);
    }
    if (!run_pending)
        fprintf(stderr, "aclsub run: the live reader did not open %s\n", fifo);
    return -1;
}

/* The private directory, its FIFO and the reader. */
static int run_sink_live(run_sink *s, const char *exe, const sigset_t *mask, int verbose)
{
    const char *tmp = getenv("TMPDIR");
    int n = snprintf(s->dir, sizeof s->dir, "%s/aclsub-run.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (n < 0 || (size_t)n >= sizeof s->dir || !mkdtemp(s->dir)) {
        fprintf(stderr, "aclsub run: cannot create a directory like %s: %s\n", s->dir, strerror(errno));
        s->dir[0] = '\0';
        return -1;
    }
    snprintf(s->path, sizeof s->path, "%s/%s", s->dir, RUN_FIFO_NAME);
    snprintf(s->shown, sizeof s->shown, "%s", s->path);
    if (mkfifo(s->path, 0600) != 0) {
        fprintf(stderr, "aclsub run: %s: %s\n", s->path, strerror(errno));
        return -1;
    }
    if (verbose)
        fprintf(stderr, "aclsub run: live FIFO %s\n", s->path);
    s->reader = run_start_reader(exe, s->path, mask);
    if (s->reader < 0) {
        fprintf(stderr, "aclsub run: fork: %s\n", strerror(errno));
        s->reader = 0;
        return -1;
    }
    s->wfd = run_open_write_end(s, s->path);
    return s->wfd < 0 ? -1 : 0;
}

/* Waits for the reader (after the last writer is gone) and removes the FIFO and its directory. */
static void run_sink_close(run_sink *s, int kill_reader)
{
    if (s->reader > 0 && kill_reader)
        kill(s->reader, SIGKILL); /* before it can see end of file and print an empty summary */
    if (s->wfd >= 0)
        close(s->wfd);
    s->wfd = -1;
    if (s->reader > 0) {
        run_target = s->reader; /* a further signal ends the reader: cleanup goes on */
        while (waitpid(s->reader, NULL, 0) < 0 && errno == EINTR)
            ;
        run_target = 0;
        s->reader = 0;
    }
    if (s->dir[0]) {
        unlink(s->path);
        if (rmdir(s->dir) != 0)
            fprintf(stderr, "aclsub run: cannot remove %s: %s\n", s->dir, strerror(errno));
        s->dir[0] = '\0';
    }
}

/* --- the program's environment ----------------------------------------------------------- */

static int run_env_put(char ***env, size_t *n, const char *kv)
{
    size_t klen = (size_t)(strchr(kv, '=') - kv) + 1;
    for (size_t i = 0; i < *n; i++)
        if (strncmp((*env)[i], kv, klen) == 0) {
            (*env)[i] = (char *)kv;
            return 0;
        }
    char **e = realloc(*env, (*n + 2) * sizeof *e);
    if (!e)
        return -1;
    e[(*n)++] = (char *)kv;
    e[*n] = NULL;
    *env = e;
    return 0;
}

static const char *run_env_get(char **env, size_t n, const char *key)
{
    size_t klen = strlen(key);
    for (size_t i = 0; i < n; i++)
        if (strncmp(env[i], key, klen) == 0 && env[i][klen] == '=')
            return env[i] + klen + 1;
    return NULL;
}

/*
 * ACLSUB_OUTPUT=PATH, the path escaped: the interposer expands the setting
 * again, and must arrive at the file created here (a % that -o's %% gave,
 * or one in the working directory's name, stays a %).  NULL if out of memory.
 */
static char *run_output_setting(const char *path)
{
    static const char key[] = "ACLSUB_OUTPUT=";
    size_t klen = sizeof key - 1, cap = klen + 2 * strlen(path) + 1;
    char *kv = malloc(cap);
    if (!kv)
        return NULL;
    memcpy(kv, key, klen);
    if (outname_escape(path, kv + klen, cap - klen) != 0) {
        free(kv);
        return NULL;
    }
    return kv;
}

/*
 * This environment, then the --env settings, then LD_PRELOAD with the ASan
 * runtime (sanitizer builds) and libaclsub.so in front of what it held, and
 * ACLSUB_OUTPUT.  The strings it adds are kept in *owned.
 */
static char **run_build_env(const run_opts *o, const char *lib, const char *asan, const run_sink *s,
                            char **owned)
{
    size_t n = 0;
    char **env = calloc(1, sizeof *env);
    for (char **e = environ; env && *e; e++)
        if (strchr(*e, '=') && run_env_put(&env, &n, *e) != 0)
            goto fail;
    for (size_t i = 0; env && i < o->nenv; i++)
        if (run_env_put(&env, &n, o->env[i]) != 0)
            goto fail;
    if (!env)
        return NULL;
    const char *old = run_env_get(env, n, "LD_PRELOAD");
    size_t len = strlen(lib) + strlen(asan) + (old ? strlen(old) : 0) + 32;
    owned[0] = malloc(len);
    owned[1] = run_output_setting(s->path);
    if (!owned[0] || !owned[1])
        goto fail;
    snprintf(owned[0], len, "LD_PRELOAD=%s%s%s%s%s", asan, *asan ? ":" : "", lib, old && *old ? ":" : "",
             old ? old : "");
    if (run_env_put(&env, &n, owned[0]) != 0 || run_env_put(&env, &n, owned[1]) != 0)
        goto fail;
    return env;
fail:
    free(env);
    return NULL;
}

/* --- the program ------------------------------------------------------------------------- */

static void run_forward(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    pid_t to = (pid_t)run_target;
    /* From the terminal (SI_KERNEL), the program in our process group has it already. */
    if (to > 0 && !(si && si->si_code == SI_KERNEL))
        kill(to, sig);
    else if (to <= 0)
        run_pending = sig;
}

static void run_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = run_forward;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof run_signals / sizeof run_signals[0]; i++)
        sigaction(run_signals[i], &sa, NULL);
}

static void run_signals_restore(void)
{
    for (size_t i = 0; i < sizeof run_signals / sizeof run_signals[0]; i++)
        signal(run_signals[i], SIG_DFL);
}

/*
 * Forks and execs the program; its exec error (errno) comes back through a
 * close-on-exec pipe.  The pid, or -1 with *exec_err set (0: fork failed).
 */
static pid_t run_spawn(char **prog, char **env, const sigset_t *mask, int *exec_err)
{
    int p[2];
    *exec_err = 0;
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        run_signals_restore();
        sigprocmask(SIG_SETMASK, mask, NULL);
        environ = env; /* so that execvp searches the program's PATH */
        execvp(prog[0], prog);
        int e = errno;
        ssize_t w = write(p[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        return -1;
    }
    run_target = pid;
    ssize_t r;
    while ((r = read(p[0], exec_err, sizeof *exec_err)) < 0 && errno == EINTR)
        ;
    close(p[0]);
    if (r == (ssize_t)sizeof *exec_err) {
        run_target = 0;
        waitpid(pid, NULL, 0);
        return -1;
    }
    *exec_err = 0;
    return pid;
}

/* The program's status as a shell reports it. */
static int run_wait(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return 1;
    run_target = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
}

static int run_exec_status(const char *prog, int err)
{
    fprintf(stderr, "aclsub run: %s: %s\n", prog, err == ENOENT ? "command not found" : strerror(err));
    return err == ENOENT ? 127 : 126;
}

/* The program's PATH: --env's, else this one's, else execvp's default. */
static const char *run_program_path(const run_opts *o)
{
    const char *path = getenv("PATH");
    for (size_t i = 0; i < o->nenv; i++)
        if (strncmp(o->env[i], "PATH=", 5) == 0)
            path = o->env[i] + 5;
    return path ? path : "/bin:/usr/bin";
}

/*
 * Whether execvp will find the program, looked up before any file is
 * touched so that a launch that cannot work changes nothing: 0, or the
 * errno execvp would fail with (ENOENT, EACCES).
 */
static int run_find_program(const run_opts *o)
{
    const char *prog = o->prog[0];
    if (strchr(prog, '/'))
        return access(prog, X_OK) == 0 ? 0 : errno;
    int err = ENOENT;
    for (const char *p = run_program_path(o);; p++) {
        size_t n = strcspn(p, ":");
        char cand[PATH_MAX];
        struct stat st;
        int len = snprintf(cand, sizeof cand, "%.*s%s%s", (int)n, p, n ? "/" : "", prog);
        if (len > 0 && (size_t)len < sizeof cand && stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
            if (access(cand, X_OK) == 0)
                return 0;
            err = EACCES;
        }
        p += n;
        if (!*p)
            return err;
    }
}

/*
 * Runs the program with the sink ready: its status, with *started set; or,
 * when it never ran, 127/126 (exec failed), 128+N (a signal came first) or
 * 1 (anything else), with *started 0.
 */
static int run_program(const run_opts *o, run_sink *s, const char *lib, const char *asan, const sigset_t *old,
                       const sigset_t *fwd, int *started)
{
    char *owned[2] = {NULL, NULL};
    char **env = run_build_env(o, lib, asan, s, owned);
    int err = 0, status = 1;
    pid_t pid = -1;
    *started = 0;
    if (!env) {
        fprintf(stderr, "aclsub run: out of memory\n");
    } else {
        if (o->verbose)
            fprintf(stderr, "aclsub run: %s %s\n", owned[0], owned[1]);
        sigprocmask(SIG_BLOCK, fwd, NULL);
        if (!run_pending)
            pid = run_spawn(o->prog, env, old, &err);
        sigprocmask(SIG_SETMASK, old, NULL);
    }
    if (pid > 0) {
        *started = 1;
        status = run_wait(pid);
    } else if (run_pending) {
        status = 128 + run_pending;
    } else if (err) {
        status = run_exec_status(o->prog[0], err);
    } else if (env) {
        fprintf(stderr, "aclsub run: fork: %s\n", strerror(errno));
    }
    free(env);
    free(owned[0]);
    free(owned[1]);
    return status;
}

/* A setting as the program saw it: the last --env K=V, else this environment's; NULL when unset. */
static const char *run_setting(const run_opts *o, const char *key)
{
    const char *v = getenv(key);
    size_t klen = strlen(key);
    for (size_t i = 0; i < o->nenv; i++)
        if (strncmp(o->env[i], key, klen) == 0 && o->env[i][klen] == '=')
            v = o->env[i] + klen + 1;
    return v;
}

/*
 * Why the record file stayed empty, in `why`: an ACLSUB_* value that
 * libaclsub.so refuses (it then records nothing; the same choices as
 * preload/config.c), filters that may have passed nothing, or no model executed.
 */
static void run_empty_reason(const run_opts *o, char *why, size_t len)
{
    static const char *const choice[][2] = {
        {"ACLSUB_LOG", ",quiet,warn,info,debug,"}, {"ACLSUB_ON_FULL", ",block,drop,"}, {"ACLSUB_CHILDREN", ",1,0,"}};
    for (size_t i = 0; i < sizeof choice / sizeof choice[0]; i++) {
        const char *v = run_setting(o, choice[i][0]);
        char item[64];
        snprintf(item, sizeof item, ",%s,", v ? v : "");
        if (v && *v && (strchr(v, ',') || !strstr(choice[i][1], item))) {
            snprintf(why, len, "%s=%s is not valid, so libaclsub.so recorded nothing", choice[i][0], v);
            return;
        }
    }
    const char *b = run_setting(o, "ACLSUB_BUFFER");
    char *end;
    unsigned long long n = b && *b ? strtoull(b, &end, 10) : 4096;
    if (b && *b && (*end || b[0] == '-' || n < 16 || n > (1u << 22))) {
        snprintf(why, len, "ACLSUB_BUFFER=%s is not valid, so libaclsub.so recorded nothing", b);
        return;
    }
    int filtered = run_setting(o, "ACLSUB_MODELS") || run_setting(o, "ACLSUB_OP_TYPES") ||
                   run_setting(o, "ACLSUB_OP_NAMES");
    snprintf(why, len, "%s", filtered ? "no model was executed, or ACLSUB_MODELS/ACLSUB_OP_* passed none"
                                      : "no model was executed");
}

/*
 * Writes the page: `aclsub report` of the record file, in this process,
 * which creates the page by decoder/out_path.h's rule (whole or not at
 * all; over an existing page only with --force).  Failures are reported;
 * the status stays the program's.
 */
static void run_write_report(const run_opts *o, const run_sink *s)
{
    char name[] = "report", opt[] = "-o", force[] = "--force";
    char *args[6] = {name, opt, (char *)s->report};
    int n = 3;
    if (o->force)
        args[n++] = force;
    args[n++] = (char *)s->shown;
    if (cmd_report(n, args) != 1)
        fprintf(stderr, "aclsub run: report in %s\n", s->report);
}

/*
 * After the program: the live reader's end, or the file's path and, with
 * --summary, `aclsub decode summary FILE` in this process (the decoder
 * reports any damage itself; the status stays the program's).
 */
static void run_finish(const run_opts *o, run_sink *s, int started)
{
    if (o->live) {
        run_sink_close(s, !started);
        return;
    }
    if (!started) {
        run_sink_undo(s);
        return;
    }
    struct stat st;
    char why[PATH_MAX + 80] = "";
    if (stat(s->path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
        run_empty_reason(o, why, sizeof why);
    fflush(stdout);
    fprintf(stderr, "aclsub run: records in %s%s%s%s\n", s->shown, *why ? " (none: " : "", why, *why ? ")" : "");
    if (o->summary) {
        char name[] = "decode", view[] = "summary";
        char *args[] = {name, view, s->path, NULL};
        cmd_decode(3, args);
    }
    if (s->report[0])
        run_write_report(o, s);
}

int cmd_run(int argc, char **argv)
{
    run_opts o = {0};
    int rc = run_parse(argc, argv, &o);
    if (rc) {
        free(o.env);
        return rc < 0 ? 0 : rc;
    }
    char exe[PATH_MAX], lib[PATH_MAX], asan[PATH_MAX], tried[3 * PATH_MAX] = "/proc/self/exe";
    if (run_self_exe(exe, sizeof exe) < 0 || run_find_preload(exe, lib, tried, sizeof tried) < 0) {
        fprintf(stderr, "aclsub run: libaclsub.so not found (tried: %s)\n", tried);
        free(o.env);
        return 1;
    }
    if (run_asan_runtime(lib, asan) < 0) {
        fprintf(stderr, "aclsub run: %s needs the ASan runtime, which aclsub cannot locate\n", lib);
        free(o.env);
        return 1;
    }
    if (o.verbose)
        fprintf(stderr, "aclsub run: preloading %s%s%s\n", asan, *asan ? " " : "", lib);
    sigset_t old, fwd;
    sigemptyset(&fwd);
    for (size_t i = 0; i < sizeof run_signals / sizeof run_signals[0]; i++)
        sigaddset(&fwd, run_signals[i]);
    sigprocmask(SIG_SETMASK, NULL, &old);
    run_pending = 0;
    run_target = 0;
    run_signals_install();
    run_sink s = {.wfd = -1};
    int started = 0, status = 1, missing = run_find_program(&o);
    if (missing)
        status = run_exec_status(o.prog[0], missing);
    else if ((o.live ? run_sink_live(&s, exe, &old, o.verbose) : run_sink_file(&o, &s)) == 0)
        status = run_program(&o, &s, lib, asan, &old, &fwd, &started);
    else if (run_pending)
        status = 128 + run_pending;
    run_finish(&o, &s, started);
    run_signals_restore();
    sigprocmask(SIG_SETMASK, &old, NULL);
    free(o.env);
    return status;
}
