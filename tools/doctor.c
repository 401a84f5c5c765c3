/*
 * doctor.c - `aclsub doctor`: reads a program's ELF file (libelf) and the
 * libraries the dynamic loader would load for it, and says whether
 * LD_PRELOAD=libaclsub.so can interpose its AscendCL model entry points.
 *
 * The libraries are found as ld.so finds them: DT_NEEDED names, searched
 * in DT_RPATH (of the object and its loaders, when the object has no
 * DT_RUNPATH), LD_LIBRARY_PATH, DT_RUNPATH, the ld.so cache (`ldconfig -p`)
 * and the default directories, with $ORIGIN, $LIB and $PLATFORM expanded,
 * breadth first (the order of the global lookup scope), bounded in depth
 * and count.  A script is judged by its interpreter (`#!/usr/bin/env X`
 * finds X on PATH); for Python the interpreter is asked where the `acl`
 * extension module is and whether `import acl` succeeds (run with this
 * environment, bounded by DR_CAPTURE_MS), and that module's libraries are
 * read too.
 *
 * What decides the verdict:
 *   will not work  set-user/group-ID (the loader's secure mode drops the
 *                  preload, libaclsub.so ignores its environment); a Python
 *                  program that imports acl when `import acl` fails; a static
 *                  program (no loader runs); the entry points defined in the
 *                  program itself (libascendcl linked statically: calls are
 *                  direct); no sign of AscendCL at all
 *   caution        AscendCL reachable only through dlopen (an RTLD_DEEPBIND
 *                  dlopen would bypass interposition); a library defining the
 *                  entry points with symbolic binding; a library not found; a
 *                  script that is not Python
 *   works          otherwise
 * Exit status: 0 works or caution, 2 will not work, 1 usage error or a file
 * that is neither ELF nor a script.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <getopt.h>
#include <libelf.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tools/cmds.h"
#include "decoder/textout.h"
#include "shim/file.h"

#define DR_MAX_OBJECTS 256
#define DR_MAX_DEPTH 16
#define DR_MAX_NOTES 16
#define DR_CAPTURE_MAX (1u << 20)
#define DR_CAPTURE_MS 10000
#define DR_SCRIPT_SCAN (1u << 20)

static const char dr_usage[] =
    "usage: aclsub doctor [--format text|json] PROGRAM [ARGS...]\n"
    "\n"
    "Tells whether `aclsub run` (LD_PRELOAD=libaclsub.so) can profile PROGRAM:\n"
    "reads its ELF file and the libraries the dynamic loader would load for it\n"
    "(RPATH/RUNPATH with $ORIGIN, LD_LIBRARY_PATH, the ld.so cache, the default\n"
    "directories), and reports whether it is dynamic, set-user/group-ID, which\n"
    "objects import or define the AscendCL model entry points (aclmdlExecute,\n"
    "aclmdlLoadFromFile, ...), who needs libascendcl.so, who imports dlopen, and\n"
    "symbolic binding.  A script is judged by its interpreter; for Python\n"
    "(`python3 script.py` or a #! script) the acl extension module is located.\n"
    "The last line is the verdict: works, works with caution, will not work.\n"
    "\n"
    "options:\n"
    "  -f, --format FMT   text (default) or json (one object)\n"
    "  -h, --help         show this help\n"
    "  -V, --version      print the version\n"
    "\n"
    "exit status: 0 works (or works with caution), 2 will not work, 1 usage\n"
    "error, PROGRAM not found, or not an ELF file or script.\n"
    "See aclsub-doctor(1).\n";

static const struct option dr_long_opts[] = {
    {"format", required_argument, NULL, 'f'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* The entry points libaclsub.so interposes; the first six make a model run. */
static const char *const dr_entries[] = {
    "aclmdlExecute",          "aclmdlExecuteAsync",       "aclmdlLoadFromFile", "aclmdlLoadFromMem",
    "aclmdlLoadFromFileWithMem", "aclmdlLoadFromMemWithMem", "aclmdlUnload",       "aclFinalize",
};
#define DR_NENTRIES (sizeof dr_entries / sizeof dr_entries[0])
#define DR_MODEL_MASK 0x3fu

typedef struct dr_obj {
    char *name;       /* the DT_NEEDED name, or the path of a root */
    char *path;       /* where it was found; NULL: not found */
    const char *how;  /* how it was found: "RUNPATH", "ld.so cache", ... */
    int parent;       /* the object that needs it, -1 for a root */
    int depth;
    int elfclass, machine, etype;
    int has_interp, has_dynamic, symbolic, nodeflib, imports_dlopen;
    char interp[256];
    char *soname, *rpath, *runpath;
    char **needed;
    size_t nneeded;
    unsigned imports, defines, sym_defines, static_defines; /* bit i: dr_entries[i] */
} dr_obj;

typedef struct dr_report {
    const char *program; /* as given */
    char file[PATH_MAX]; /* the program's file */
    char script_line[256];
    char interp[PATH_MAX]; /* the ELF analysed for a script (the end of its #! chain) */
    char first_interp[PATH_MAX]; /* the script's own #! interpreter (may be a wrapper script) */
    char python_script[PATH_MAX];
    char acl_module[PATH_MAX];
    char acl_import_error[512]; /* what `import acl` raised; "" when it worked or was not tried */
    int is_script, is_python, script_uses_acl /* DR_NAMES_LIB | DR_IMPORTS_ACL */, setuid, setgid, truncated;
    int acl_root; /* index of the acl module's object, -1 */
    dr_obj obj[DR_MAX_OBJECTS];
    int nobj;
    char *notes[DR_MAX_NOTES]; /* cautions, in order found */
    int nnotes;
    char python_line[PATH_MAX + 160];
    int verdict; /* 0 works, 1 caution, 2 will not work */
    char reason[PATH_MAX + 256];
} dr_report;

/* ld.so's cache as `ldconfig -p` prints it: "name\0path\0" pairs. */
typedef struct dr_cache {
    char *text;
    size_t len;
    int loaded;
} dr_cache;

static void dr_note(dr_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void dr_note(dr_report *r, const char *fmt, ...)
{
    if (r->nnotes >= DR_MAX_NOTES)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&r->notes[r->nnotes], fmt, ap) >= 0)
        r->nnotes++;
    va_end(ap);
}

static const char *dr_base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* --- running a helper (ldconfig -p, the Python interpreter) --------------------------- */

static int dr_wait_ms(struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
    return ms >= DR_CAPTURE_MS ? 0 : (int)(DR_CAPTURE_MS - ms);
}

/* Runs argv (no shell) and returns its standard output, NUL-terminated; NULL on failure. */
static char *dr_capture(char *const argv[], size_t *len)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(p[1], 1);
        dup2(null, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    close(p[1]);
    char *buf = pid > 0 ? malloc(DR_CAPTURE_MAX + 1) : NULL;
    size_t n = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct pollfd pfd = {p[0], POLLIN, 0};
    while (buf && n < DR_CAPTURE_MAX && poll(&pfd, 1, dr_wait_ms(&t0)) > 0) {
        ssize_t r = read(p[0], buf + n, DR_CAPTURE_MAX - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(p[0]);
    int st = 0;
    if (pid > 0) {
        kill(pid, SIGKILL); /* a no-op when it has finished; a hung helper ends here */
        waitpid(pid, &st, 0);
    }
    if (buf && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

/* --- one ELF file ---------------------------------------------------------------------- */

static int dr_entry_index(const char *name)
{
    for (size_t i = 0; i < DR_NENTRIES; i++)
        if (strcmp(name, dr_entries[i]) == 0)
            return (int)i;
    return -1;
}

static char *dr_strdup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void dr_read_dynamic(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, dr_obj *o)
{
    Elf_Data *d = elf_getdata(scn, NULL);
    size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
    for (size_t i = 0; d && i < n; i++) {
        GElf_Dyn dyn;
        if (!gelf_getdyn(d, (int)i, &dyn) || dyn.d_tag == DT_NULL)
            break;
        const char *s = elf_strptr(e, sh->sh_link, dyn.d_un.d_val);
        if (dyn.d_tag == DT_NEEDED && s && o->nneeded < 1024) {
            char **nn = realloc(o->needed, (o->nneeded + 1) * sizeof *nn);
            if (nn && (nn[o->nneeded] = strdup(s)))
                o->nneeded++;
            if (nn)
                o->needed = nn;
        } else if (dyn.d_tag == DT_SONAME && s && !o->soname) {
            o->soname = strdup(s);
        } else if (dyn.d_tag == DT_RPATH && s && !o->rpath) {
            o->rpath = strdup(s);
        } else if (dyn.d_tag == DT_RUNPATH && s && !o->runpath) {
            o->runpath = strdup(s);
        } else if (dyn.d_tag == DT_SYMBOLIC || (dyn.d_tag == DT_FLAGS && (dyn.d_un.d_val & DF_SYMBOLIC))) {
            o->symbolic = 1;
        } else if (dyn.d_tag == DT_FLAGS_1 && (dyn.d_un.d_val & DF_1_NODEFLIB)) {
            o->nodeflib = 1;
        }
    }
}

/* Entry points and dlopen in a symbol table: imported (undefined) or defined and visible. */
static void dr_read_symbols(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, dr_obj *o)
{
    Elf_Data *d = elf_getdata(scn, NULL);
    size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
    for (size_t i = 1; d && i < n; i++) {
        GElf_Sym sym;
        if (!gelf_getsym(d, (int)i, &sym))
            break;
        const char *name = elf_strptr(e, sh->sh_link, sym.st_name);
        if (!name || (name[0] != 'a' && name[0] != 'd'))
            continue;
        int k = dr_entry_index(name), undef = sym.st_shndx == SHN_UNDEF;
        int bind = GELF_ST_BIND(sym.st_info), vis = GELF_ST_VISIBILITY(sym.st_other);
        if (sh->sh_type == SHT_DYNSYM && undef && (strcmp(name, "dlopen") == 0 || strcmp(name, "dlmopen") == 0))
            o->imports_dlopen = 1;
        if (k < 0)
            continue;
        if (sh->sh_type == SHT_SYMTAB) {
            if (!undef)
                o->static_defines |= 1u << k;
        } else if (undef) {
            o->imports |= 1u << k;
        } else if ((bind == STB_GLOBAL || bind == STB_WEAK) && (vis == STV_DEFAULT || vis == STV_PROTECTED)) {
            o->defines |= 1u << k;
            if (vis == STV_PROTECTED)
                o->sym_defines |= 1u << k;
        }
    }
}

static void dr_read_phdrs(Elf *e, dr_obj *o)
{
    size_t n = 0, size = 0;
    const char *raw = elf_rawfile(e, &size);
    if (elf_getphdrnum(e, &n) != 0)
        return;
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(e, (int)i, &ph))
            continue;
        if (ph.p_type == PT_DYNAMIC)
            o->has_dynamic = 1;
        if (ph.p_type != PT_INTERP)
            continue;
        o->has_interp = 1;
        if (raw && ph.p_offset < size && ph.p_filesz <= size - ph.p_offset) {
            size_t len = ph.p_filesz < sizeof o->interp ? (size_t)ph.p_filesz : sizeof o->interp - 1;
            memcpy(o->interp, raw + ph.p_offset, len);
            o->interp[len] = '\0';
        }
    }
}

/* Reads path into o: 0, or -1 when it is not an ELF file, -2 when it cannot be read. */
static int dr_elf_read(const char *path, dr_obj *o)
{
    const char *why;
    int fd = file_open_regular(path, NULL, &why);
    if (fd < 0)
        return -2;
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    GElf_Ehdr eh;
    if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
        elf_end(e);
        close(fd);
        return -1;
    }
    o->elfclass = gelf_getclass(e);
    o->machine = eh.e_machine;
    o->etype = eh.e_type;
    dr_read_phdrs(e, o);
    for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn));) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh))
            continue;
        if (sh.sh_type == SHT_DYNAMIC)
            dr_read_dynamic(e, scn, &sh, o);
        else if (sh.sh_type == SHT_DYNSYM || (sh.sh_type == SHT_SYMTAB && o->parent < 0))
            dr_read_symbols(e, scn, &sh, o);
    }
    elf_end(e);
    close(fd);
    return 0;
}

static void dr_obj_free(dr_obj *o)
{
    free(o->name);
    free(o->path);
    free(o->soname);
    free(o->rpath);
    free(o->runpath);
    for (size_t i = 0; i < o->nneeded; i++)
        free(o->needed[i]);
    free(o->needed);
}

/* --- finding a library as ld.so does --------------------------------------------------- */

static const char *dr_multiarch(int machine)
{
    return machine == EM_X86_64 ? "x86_64-linux-gnu" : machine == EM_AARCH64 ? "aarch64-linux-gnu"
           : machine == EM_386  ? "i386-linux-gnu"
                                : "";
}

static const char *dr_platform(int machine)
{
    return machine == EM_X86_64 ? "x86_64" : machine == EM_AARCH64 ? "aarch64" : machine == EM_386 ? "i686" : "";
}

/* A candidate the loader would take: an ELF object of the program's class and machine. */
static int dr_candidate_ok(const char *path, const dr_obj *root)
{
    dr_obj probe = {.parent = 0};
    int ok = access(path, R_OK) == 0 && dr_elf_read(path, &probe) == 0 && probe.elfclass == root->elfclass &&
             probe.machine == root->machine;
    dr_obj_free(&probe);
    return ok;
}

/* Expands $ORIGIN, $LIB, $PLATFORM (also in braces) in one search directory. */
static void dr_expand_dir(const char *dir, size_t len, const char *origin, int machine, char *out, size_t cap)
{
    static const char *const vars[] = {"ORIGIN", "LIB", "PLATFORM"};
    char lib[64];
    snprintf(lib, sizeof lib, "lib/%s", dr_multiarch(machine));
    const char *vals[] = {origin, *dr_multiarch(machine) ? lib : "lib", dr_platform(machine)};
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < cap;) {
        int hit = -1;
        size_t skip = 0;
        for (int v = 0; dir[i] == '$' && v < 3 && hit < 0; v++) {
            size_t vl = strlen(vars[v]);
            if (i + 1 + vl <= len && strncmp(dir + i + 1, vars[v], vl) == 0)
                hit = v, skip = 1 + vl;
            else if (i + 3 + vl <= len && dir[i + 1] == '{' && strncmp(dir + i + 2, vars[v], vl) == 0 &&
                     dir[i + 2 + vl] == '}')
                hit = v, skip = 3 + vl;
        }
        if (hit < 0) {
            out[o++] = dir[i++];
            continue;
        }
        o += (size_t)snprintf(out + o, cap - o, "%s", vals[hit]);
        if (o >= cap)
            o = cap - 1;
        i += skip;
    }
    out[o] = '\0';
}

/* Looks for name in a ':'-separated list of directories; the path in out. */
static int dr_search_list(const char *list, const char *name, const char *origin, const dr_obj *root, char *out)
{
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char dir[PATH_MAX];
        dr_expand_dir(p, len, origin, root->machine, dir, sizeof dir);
        if (snprintf(out, PATH_MAX, "%s/%s", *dir ? dir : ".", name) < PATH_MAX && dr_candidate_ok(out, root))
            return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

static void dr_cache_load(dr_cache *c)
{
    static const char *const tools[] = {"/sbin/ldconfig", "/usr/sbin/ldconfig"};
    c->loaded = 1;
    for (size_t i = 0; i < 2 && !c->text; i++) {
        char *argv[] = {(char *)tools[i], "-p", NULL};
        if (access(tools[i], X_OK) == 0)
            c->text = dr_capture(argv, &c->len);
    }
}

/* "\tlibfoo.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libfoo.so.1" lines; the first that fits. */
static int dr_search_cache(dr_cache *c, const char *name, const dr_obj *root, char *out)
{
    if (!c->loaded)
        dr_cache_load(c);
    size_t nl = strlen(name);
    for (char *line = c->text; line && *line;) {
        char *eol = strchr(line, '\n');
        while (*line == ' ' || *line == '\t')
            line++;
        char *arrow = strstr(line, " => ");
        if (arrow && (!eol || arrow < eol) && strncmp(line, name, nl) == 0 && line[nl] == ' ') {
            size_t pl = (size_t)((eol ? eol : arrow + strlen(arrow)) - (arrow + 4));
            if (pl < PATH_MAX) {
                memcpy(out, arrow + 4, pl);
                out[pl] = '\0';
                if (dr_candidate_ok(out, root))
                    return 1;
            }
        }
        line = eol ? eol + 1 : NULL;
    }
    return 0;
}

static int dr_search_default(const char *name, const dr_obj *root, char *out)
{
    char dirs[512];
    const char *ma = dr_multiarch(root->machine);
    snprintf(dirs, sizeof dirs, "%s%s%s%s%s%s/lib:/usr/lib", *ma ? "/lib/" : "", ma, *ma ? ":" : "",
             *ma ? "/usr/lib/" : "", ma, *ma ? ":" : "");
    if (root->elfclass == ELFCLASS64)
        strcat(dirs, ":/lib64:/usr/lib64");
    return dr_search_list(dirs, name, "", root, out);
}

static void dr_origin(const dr_obj *o, char *out)
{
    char real[PATH_MAX];
    const char *p = o->parent < 0 && realpath(o->path, real) ? real : o->path;
    snprintf(out, PATH_MAX, "%s", p);
    char *slash = strrchr(out, '/');
    if (slash)
        *(slash == out ? slash + 1 : slash) = '\0';
    else
        snprintf(out, PATH_MAX, ".");
}

/* Resolves `name` needed by object `who`: the path, and how it was found; NULL when not found. */
static const char *dr_resolve(dr_report *r, dr_cache *c, int who, const char *name, char *out)
{
    const dr_obj *o = &r->obj[who], *root = &r->obj[0];
    char origin[PATH_MAX];
    if (strchr(name, '/'))
        return snprintf(out, PATH_MAX, "%s", name) < PATH_MAX && dr_candidate_ok(out, root) ? "path" : NULL;
    if (root->has_interp && strcmp(dr_base(root->interp), name) == 0)
        return snprintf(out, PATH_MAX, "%s", root->interp) < PATH_MAX ? "the program interpreter" : NULL;
    if (!o->runpath)
        for (int k = who; k >= 0; k = r->obj[k].parent) {
            dr_origin(&r->obj[k], origin);
            if (r->obj[k].rpath && dr_search_list(r->obj[k].rpath, name, origin, root, out))
                return "RPATH";
        }
    const char *llp = r->setuid || r->setgid ? NULL : getenv("LD_LIBRARY_PATH");
    if (llp && dr_search_list(llp, name, "", root, out))
        return "LD_LIBRARY_PATH";
    dr_origin(o, origin);
    if (o->runpath && dr_search_list(o->runpath, name, origin, root, out))
        return "RUNPATH";
    if (o->nodeflib)
        return NULL;
    if (dr_search_cache(c, name, root, out))
        return "ld.so cache";
    return dr_search_default(name, root, out) ? "default directories" : NULL;
}

/* --- the closure ---------------------------------------------------------------------- */

/* 1 when an object of that name is in the list already (the loader loads a name once). */
static int dr_loaded(const dr_report *r, const char *name, const char *path)
{
    char a[PATH_MAX], b[PATH_MAX];
    for (int i = 0; i < r->nobj; i++) {
        const dr_obj *o = &r->obj[i];
        if (strcmp(o->name, name) == 0 || (o->soname && strcmp(o->soname, name) == 0))
            return 1;
        if (path && o->path && realpath(path, a) && realpath(o->path, b) && strcmp(a, b) == 0)
            return 1;
    }
    return 0;
}

static int dr_add(dr_report *r, const char *name, const char *path, const char *how, int parent)
{
    if (r->nobj >= DR_MAX_OBJECTS) {
        r->truncated = 1;
        return -1;
    }
    dr_obj *o = &r->obj[r->nobj];
    memset(o, 0, sizeof *o);
    o->name = strdup(name);
    o->path = dr_strdup_or_null(path);
    o->how = how;
    o->parent = parent;
    o->depth = parent < 0 ? 0 : r->obj[parent].depth + 1;
    if (!o->name || (path && !o->path)) {
        dr_obj_free(o);
        return -1;
    }
    if (path)
        dr_elf_read(path, o);
    return r->nobj++;
}

/* Breadth first from the roots already in the list. */
static void dr_closure(dr_report *r, dr_cache *c, int from)
{
    for (int i = from; i < r->nobj; i++) {
        dr_obj *o = &r->obj[i];
        if (o->depth >= DR_MAX_DEPTH) {
            if (o->nneeded)
                r->truncated = 1;
            continue;
        }
        for (size_t k = 0; k < o->nneeded; k++) {
            char path[PATH_MAX];
            const char *name = r->obj[i].needed[k];
            if (dr_loaded(r, name, NULL))
                continue;
            const char *how = dr_resolve(r, c, i, name, path);
            if (how && dr_loaded(r, name, path))
                continue;
            if (dr_add(r, name, how ? path : NULL, how ? how : "not found", i) < 0)
                return;
            o = &r->obj[i];
        }
    }
}

/* --- the program: ELF, script, Python --------------------------------------------------- */

/* PROGRAM as execvp would find it. */
static int dr_find_program(const char *prog, char *out)
{
    if (strchr(prog, '/'))
        return snprintf(out, PATH_MAX, "%s", prog) < PATH_MAX && access(out, F_OK) == 0 ? 0 : -1;
    const char *path = getenv("PATH");
    for (const char *p = path ? path : "/usr/local/bin:/usr/bin:/bin"; p && *p;) {
        const char *end = strchr(p, ':');
        int len = end ? (int)(end - p) : (int)strlen(p);
        struct stat st;
        if (snprintf(out, PATH_MAX, "%.*s/%s", len, len ? p : ".", prog) < PATH_MAX && stat(out, &st) == 0 &&
            S_ISREG(st.st_mode) && access(out, X_OK) == 0)
            return 0;
        p = end ? end + 1 : NULL;
    }
    /* Not a command on PATH: a file of that name here (a script or program being examined). */
    return snprintf(out, PATH_MAX, "%s", prog) < PATH_MAX && access(out, F_OK) == 0 ? 0 : -1;
}

static int dr_is_python(const char *path)
{
    return strncmp(dr_base(path), "python", 6) == 0;
}

/* The script of `python [options] SCRIPT ...`, or NULL (-c, -m, stdin). */
static const char *dr_python_script(char **args, int n)
{
    for (int i = 0; i < n; i++) {
        const char *a = args[i];
        if (strcmp(a, "-c") == 0 || strcmp(a, "-m") == 0 || strcmp(a, "-") == 0)
            return NULL;
        if (strcmp(a, "-W") == 0 || strcmp(a, "-X") == 0) {
            i++;
            continue;
        }
        if (a[0] != '-')
            return a;
    }
    return NULL;
}

/*
 * The interpreter named by a "#!INTERP [ARG]" line (`env [-S] [K=V] X` finds X
 * on PATH) into out; -1 with a reason printed when it cannot be found.
 */
static int dr_shebang(const char *who, const char *head, char *out)
{
    char line[256], *save = NULL;
    size_t len = strcspn(head + 2, "\n");
    snprintf(line, sizeof line, "%.*s", (int)len, head + 2);
    char *interp = strtok_r(line, " \t", &save), *word = interp;
    if (interp && strcmp(dr_base(interp), "env") == 0)
        while ((word = strtok_r(NULL, " \t", &save)) && (word[0] == '-' || strchr(word, '=')))
            ;
    if (!word || (word == interp ? snprintf(out, PATH_MAX, "%s", word) >= PATH_MAX
                                 : dr_find_program(word, out) != 0)) {
        fprintf(stderr, "aclsub doctor: %s: interpreter '%s' not found\n", who, word ? word : "");
        return -1;
    }
    return 0;
}

/* The first bytes of a file, NUL-terminated; -1 when it cannot be read. */
static int dr_head(const char *path, char *head, size_t cap)
{
    const char *why;
    int fd = file_open_regular(path, NULL, &why);
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!f) {
        fprintf(stderr, "aclsub doctor: %s: %s\n", path, fd >= 0 ? strerror(errno) : why);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    size_t n = fread(head, 1, cap - 1, f);
    fclose(f);
    head[n] = '\0';
    return 0;
}

/*
 * Follows #! lines from the program (Linux allows 4 levels): r->interp is
 * the ELF file at the end, r->first_interp the script's own interpreter
 * (which names the language even when it is a wrapper script, as pyenv's
 * are).  0, or 1 after a message.
 */
static int dr_follow_scripts(dr_report *r)
{
    char path[PATH_MAX], head[258];
    snprintf(path, sizeof path, "%s", r->file);
    for (int level = 0;; level++) {
        if (dr_head(path, head, sizeof head) != 0)
            return 1;
        if (head[0] != '#' || head[1] != '!')
            break;
        if (level == 4) {
            fprintf(stderr, "aclsub doctor: %s: more than 4 levels of #! interpreters\n", r->file);
            return 1;
        }
        if (level == 0)
            snprintf(r->script_line, sizeof r->script_line, "%.*s", (int)strcspn(head, "\n"), head);
        if (dr_shebang(path, head, r->interp) != 0)
            return 1;
        if (level == 0)
            snprintf(r->first_interp, sizeof r->first_interp, "%s", r->interp);
        r->is_script = 1;
        snprintf(path, sizeof path, "%s", r->interp);
    }
    return 0;
}

enum { DR_NAMES_LIB = 1, DR_IMPORTS_ACL = 2 };

/* How a Python script loads AscendCL: DR_IMPORTS_ACL (`import acl`, `from acl`), DR_NAMES_LIB (libascendcl named). */
static int dr_script_uses_acl(const char *path)
{
    const char *why;
    int fd = file_open_regular(path, NULL, &why);
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!f && fd >= 0)
        close(fd);
    char *buf = f ? malloc(DR_SCRIPT_SCAN + 1) : NULL;
    size_t n = buf ? fread(buf, 1, DR_SCRIPT_SCAN, f) : 0;
    if (f)
        fclose(f);
    if (!buf)
        return 0;
    buf[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (!buf[i])
            buf[i] = ' ';
    int uses = strstr(buf, "libascendcl") ? DR_NAMES_LIB : 0;
    for (const char *p = buf; !(uses & DR_IMPORTS_ACL) && (p = strstr(p, "acl")); p += 3) {
        int word_end = !(p[3] == '_' || (p[3] >= 'a' && p[3] <= 'z') || (p[3] >= '0' && p[3] <= '9'));
        if (word_end && ((p - buf >= 7 && strncmp(p - 7, "import ", 7) == 0) ||
                         (p - buf >= 5 && strncmp(p - 5, "from ", 5) == 0)))
            uses |= DR_IMPORTS_ACL;
    }
    free(buf);
    return uses;
}

/* Runs the interpreter on prog; its first line of output in out ("" when none); -1 if it failed or crashed. */
static int dr_python_line(const dr_report *r, char *prog, char *out, size_t len)
{
    char c[] = "-c";
    char *argv[] = {(char *)(r->first_interp[0] ? r->first_interp : r->file), c, prog, NULL};
    size_t n;
    char *text = dr_capture(argv, &n);
    out[0] = '\0';
    if (!text)
        return -1;
    text[strcspn(text, "\n")] = '\0';
    snprintf(out, len, "%s", text);
    free(text);
    return 0;
}

/*
 * Asks the interpreter where `acl` is (r->acl_module, "" when none), then,
 * in a second run, to import it: what the import raised, or that the
 * interpreter died importing it, in r->acl_import_error ("" when it worked
 * or the interpreter did not answer the first question).
 */
static void dr_find_acl_module(dr_report *r)
{
    char where[] = "import importlib.util as u\n"
                   "try:\n"
                   "    s = u.find_spec('acl')\n"
                   "except BaseException:\n"
                   "    s = None\n"
                   "print(s.origin if s and s.origin else '')\n";
    char import[] = "try:\n"
                    "    import acl\n"
                    "    print('')\n"
                    "except BaseException as e:\n"
                    "    print((type(e).__name__ + ': ' + str(e)).replace('\\n', ' ') or 'failed')\n";
    r->acl_import_error[0] = '\0';
    if (dr_python_line(r, where, r->acl_module, sizeof r->acl_module) != 0)
        return;
    if (dr_python_line(r, import, r->acl_import_error, sizeof r->acl_import_error) != 0)
        snprintf(r->acl_import_error, sizeof r->acl_import_error,
                 "the interpreter failed or was killed while importing acl");
}

/* The Python part: the acl module (as a second root of the closure) and the script. */
static void dr_python(dr_report *r, dr_cache *c, const char *script)
{
    r->is_python = 1;
    if (script) {
        snprintf(r->python_script, sizeof r->python_script, "%s", script);
        r->script_uses_acl = dr_script_uses_acl(script);
    }
    dr_find_acl_module(r);
    if (!r->acl_module[0] || !dr_candidate_ok(r->acl_module, &r->obj[0]))
        return;
    int from = r->nobj;
    r->acl_root = dr_add(r, r->acl_module, r->acl_module, "Python's sys.path", -1);
    if (r->acl_root >= 0)
        dr_closure(r, c, from);
}

/* --- the verdict ------------------------------------------------------------------------ */

static unsigned dr_all(const dr_report *r, int what)
{
    unsigned m = 0;
    for (int i = 0; i < r->nobj; i++)
        m |= what == 0 ? r->obj[i].imports : what == 1 ? r->obj[i].defines : (unsigned)r->obj[i].imports_dlopen;
    return m;
}

static int dr_needs_ascendcl(const dr_obj *o)
{
    for (size_t k = 0; k < o->nneeded; k++)
        if (strncmp(dr_base(o->needed[k]), "libascendcl.so", 14) == 0)
            return 1;
    return 0;
}

static int dr_any_needs_ascendcl(const dr_report *r)
{
    for (int i = 0; i < r->nobj; i++)
        if (dr_needs_ascendcl(&r->obj[i]))
            return 1;
    return 0;
}

static const char *dr_first_entry(unsigned mask)
{
    for (size_t i = 0; i < DR_NENTRIES; i++)
        if (mask & (1u << i))
            return dr_entries[i];
    return "";
}

/* Cautions that do not stop interposition: symbolic binding, libraries not found, truncation. */
static void dr_cautions(dr_report *r)
{
    for (int i = 0; i < r->nobj; i++) {
        const dr_obj *o = &r->obj[i];
        if (o->defines && (o->symbolic || o->sym_defines))
            dr_note(r, "%s defines %s with symbolic binding (%s): its own calls to it bypass interposition",
                    dr_base(o->name), dr_first_entry(o->defines), o->symbolic ? "-Bsymbolic" : "protected visibility");
        if (!o->path)
            dr_note(r, "%s (needed by %s) is not found here: the program may not start", o->name,
                    dr_base(r->obj[o->parent].name));
    }
    if ((dr_all(r, 0) & DR_MODEL_MASK) && !(dr_all(r, 1) & DR_MODEL_MASK))
        dr_note(r, "%s is imported but no library found here defines it", dr_first_entry(dr_all(r, 0)));
    if (r->truncated)
        dr_note(r, "more than %d libraries or %d levels: the list is incomplete", DR_MAX_OBJECTS, DR_MAX_DEPTH);
}

static int dr_set(dr_report *r, int verdict, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int dr_set(dr_report *r, int verdict, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
    r->verdict = verdict;
    return verdict;
}

/* The reasons interposition cannot work at all; 2 when one applies. */
static int dr_blockers(dr_report *r)
{
    const dr_obj *p = &r->obj[0];
    const char *who = r->is_script ? r->interp : r->file;
    if (r->setuid || r->setgid)
        return dr_set(r, 2, "%s is set-%s-ID: the loader runs it in secure mode and drops LD_PRELOAD of "
                            "libaclsub.so, which also ignores the ACLSUB_* environment there", who,
                      r->setuid ? "user" : "group");
    if (!p->has_interp && p->static_defines)
        return dr_set(r, 2, "statically linked with libascendcl (%s is defined inside %s): no dynamic loader "
                            "runs, LD_PRELOAD is never read", dr_first_entry(p->static_defines), dr_base(who));
    if (!p->has_interp)
        return dr_set(r, 2, "statically linked (no program interpreter): no dynamic loader runs, so LD_PRELOAD is "
                            "never read");
    unsigned own = (p->defines | p->static_defines) & DR_MODEL_MASK;
    if (own)
        return dr_set(r, 2, "%s defines %s itself (libascendcl linked statically): its calls are direct and "
                            "never reach a preloaded library", dr_base(who), dr_first_entry(own));
    return 0;
}

static void dr_python_verdict(dr_report *r)
{
    int wants = (r->script_uses_acl & DR_IMPORTS_ACL) || (!r->python_script[0] && r->acl_module[0]);
    if (wants && r->acl_import_error[0]) {
        snprintf(r->python_line, sizeof r->python_line, "Python: import acl fails: %s", r->acl_import_error);
        dr_set(r, 2, "%s cannot import the acl module (%s): the program stops before any model runs",
               dr_base(r->first_interp[0] ? r->first_interp : r->file), r->acl_import_error);
        return;
    }
    int module = r->acl_root >= 0 && (dr_any_needs_ascendcl(r) || (dr_all(r, 0) & DR_MODEL_MASK));
    if (module)
        snprintf(r->python_line, sizeof r->python_line, "Python: libascendcl.so is dlopen'ed at run time by the "
                 "acl extension module (%s); interposition works (dynamic symbol lookup)", r->acl_module);
    else
        snprintf(r->python_line, sizeof r->python_line, "Python: libascendcl.so is dlopen'ed at run time (by "
                 "ctypes or an extension module; no acl module with libascendcl found); interposition works "
                 "(dynamic symbol lookup)");
    if (r->python_script[0] && !r->script_uses_acl && !module)
        dr_note(r, "%s neither imports acl nor names libascendcl: it may not use AscendCL", r->python_script);
    else if (!r->python_script[0] && !module)
        dr_note(r, "no script and no acl extension module found: AscendCL use cannot be seen");
    if (r->nnotes)
        dr_set(r, 1, "%s", r->notes[0]);
    else
        dr_set(r, 0, "Python dlopen's libascendcl.so without RTLD_DEEPBIND; libaclsub.so, first in the global "
                     "scope, interposes its entry points");
}

static void dr_verdict(dr_report *r)
{
    if (dr_blockers(r))
        return;
    dr_cautions(r);
    if (r->is_python) {
        dr_python_verdict(r);
        return;
    }
    unsigned imported = dr_all(r, 0) & DR_MODEL_MASK;
    /* The program's own dlopen: system libraries that import it (libselinux, ...) say nothing. */
    int needed = dr_any_needs_ascendcl(r), dl = r->obj[0].imports_dlopen;
    if (r->is_script)
        dr_note(r, "a script run by %s: LD_PRELOAD passes to the programs it starts; run aclsub doctor on them",
                r->interp);
    else if (!imported && !needed && !dl)
        return (void)dr_set(r, 2, "the program does not use AscendCL: no model entry point imported, "
                                  "libascendcl.so not needed, no dlopen");
    else if (!imported && !needed)
        dr_note(r, "uses dlopen (libascendcl.so is not linked); if it passes RTLD_DEEPBIND, interposition is "
                   "bypassed");
    if (r->nnotes)
        dr_set(r, 1, "%s", r->notes[0]);
    else
        dr_set(r, 0, "%s is imported through the dynamic linker%s: LD_PRELOAD=libaclsub.so interposes it",
               dr_first_entry(imported), needed ? " from libascendcl.so" : "");
}

/* --- output ------------------------------------------------------------------------------ */

static const char *const dr_verdicts[] = {"works", "works with caution", "will not work"};

static void dr_entry_list(FILE *f, unsigned mask)
{
    int first = 1;
    for (size_t i = 0; i < DR_NENTRIES; i++)
        if (mask & (1u << i)) {
            fprintf(f, "%s%s", first ? "" : ", ", dr_entries[i]);
            first = 0;
        }
}

static const char *dr_linking(const dr_obj *p)
{
    return p->has_interp ? "dynamic" : p->has_dynamic ? "static-pie" : "static";
}

static void dr_text_objects(const dr_report *r)
{
    printf("libraries:   %d (breadth first, the loader's lookup order)\n", r->nobj - 1 - (r->acl_root >= 0));
    for (int i = 1; i < r->nobj; i++) {
        const dr_obj *o = &r->obj[i];
        if (i == r->acl_root)
            continue;
        printf("  %s => %s (%s", o->name, o->path ? o->path : "not found", o->how);
        if (o->parent >= 0)
            printf(", needed by %s", dr_base(r->obj[o->parent].name));
        printf(")\n");
    }
}

/* One line of the AscendCL part, the first under its heading. */
static void dr_text_line(int *lines, const char *who, const char *what, unsigned mask)
{
    printf("%s%s %s", (*lines)++ ? "             " : "AscendCL:    ", who, what);
    dr_entry_list(stdout, mask);
    putchar('\n');
}

static void dr_text_usage(const dr_report *r)
{
    int lines = 0;
    for (int i = 0; i < r->nobj; i++) {
        const dr_obj *o = &r->obj[i];
        const char *who = dr_base(o->name);
        if (dr_needs_ascendcl(o))
            dr_text_line(&lines, who, "needs libascendcl.so", 0);
        if (o->imports)
            dr_text_line(&lines, who, "imports ", o->imports);
        if (o->defines | o->static_defines)
            dr_text_line(&lines, who, "defines ", o->defines | o->static_defines);
    }
    if (!lines)
        printf("AscendCL:    no object imports or defines a model entry point or needs libascendcl.so\n");
    int dl = 0;
    for (int i = 0; i < r->nobj; i++)
        if (r->obj[i].imports_dlopen)
            printf("%s%s", dl++ ? ", " : "dlopen:      imported by ", dr_base(r->obj[i].name));
    if (dl)
        putchar('\n');
}

static void dr_print_text(const dr_report *r)
{
    const dr_obj *p = &r->obj[0];
    printf("program:     %s\n", r->file);
    if (r->is_script)
        printf("script:      %s\ninterpreter: %s%s%s\n", r->script_line, r->first_interp,
               strcmp(r->first_interp, r->interp) ? " -> " : "", strcmp(r->first_interp, r->interp) ? r->interp : "");
    if (r->is_python)
        printf("python:      script %s; acl module %s%s%s\n", r->python_script[0] ? r->python_script : "(none)",
               r->acl_module[0] ? r->acl_module : "not found", r->acl_import_error[0] ? "; import acl: " : "",
               r->acl_import_error);
    printf("ELF:         %d-bit %s, %s", p->elfclass == ELFCLASS64 ? 64 : 32,
           p->etype == ET_DYN ? "position-independent" : "executable", dr_linking(p));
    printf(p->has_interp ? " (interpreter %s)\n" : "\n", p->interp);
    printf("set-id:      %s\n", r->setuid && r->setgid ? "setuid, setgid" : r->setuid ? "setuid"
                                 : r->setgid              ? "setgid"
                                                          : "no");
    dr_text_objects(r);
    dr_text_usage(r);
    if (r->is_python && r->python_line[0])
        printf("%s\n", r->python_line);
    for (int i = 0; i < r->nnotes; i++)
        printf("caution:     %s\n", r->notes[i]);
    printf("verdict: %s (%s)\n", dr_verdicts[r->verdict], r->reason);
}

static void dr_json_entries(const char *key, unsigned mask)
{
    printf(",\"%s\":[", key);
    int first = 1;
    for (size_t i = 0; i < DR_NENTRIES; i++)
        if (mask & (1u << i))
            printf("%s\"%s\"", first ? "" : ",", dr_entries[i]), first = 0;
    putchar(']');
}

static void dr_json_str(const char *key, const char *v)
{
    printf(",\"%s\":", key);
    if (v)
        tx_json(stdout, v);
    else
        fputs("null", stdout);
}

static void dr_json_object(const dr_report *r, int i)
{
    const dr_obj *o = &r->obj[i];
    fputs("{\"name\":", stdout);
    tx_json(stdout, o->name);
    dr_json_str("path", o->path);
    dr_json_str("found_by", o->how);
    dr_json_str("needed_by", o->parent >= 0 ? r->obj[o->parent].name : NULL);
    printf(",\"needs_libascendcl\":%s,\"imports_dlopen\":%s,\"symbolic\":%s", dr_needs_ascendcl(o) ? "true" : "false",
           o->imports_dlopen ? "true" : "false", o->symbolic ? "true" : "false");
    dr_json_entries("imports", o->imports);
    dr_json_entries("defines", o->defines | o->static_defines);
    putchar('}');
}

static void dr_print_json(const dr_report *r)
{
    const dr_obj *p = &r->obj[0];
    fputs("{\"program\":", stdout);
    tx_json(stdout, r->file);
    dr_json_str("script", r->is_script ? r->script_line : NULL);
    dr_json_str("script_interpreter", r->is_script ? r->first_interp : NULL);
    dr_json_str("interpreter", r->is_script ? r->interp : NULL);
    printf(",\"elf_class\":%d,\"linking\":\"%s\"", p->elfclass == ELFCLASS64 ? 64 : 32, dr_linking(p));
    dr_json_str("program_interpreter", p->has_interp ? p->interp : NULL);
    printf(",\"setuid\":%s,\"setgid\":%s", r->setuid ? "true" : "false", r->setgid ? "true" : "false");
    printf(",\"libascendcl_needed\":%s", dr_any_needs_ascendcl(r) ? "true" : "false");
    fputs(",\"python\":", stdout);
    if (r->is_python) {
        fputs("{\"script\":", stdout);
        if (r->python_script[0])
            tx_json(stdout, r->python_script);
        else
            fputs("null", stdout);
        dr_json_str("acl_module", r->acl_module[0] ? r->acl_module : NULL);
        dr_json_str("acl_import_error", r->acl_import_error[0] ? r->acl_import_error : NULL);
        dr_json_str("note", r->python_line);
        putchar('}');
    } else {
        fputs("null", stdout);
    }
    fputs(",\"objects\":[", stdout);
    for (int i = 0; i < r->nobj; i++) {
        if (i)
            putchar(',');
        dr_json_object(r, i);
    }
    fputs("],\"cautions\":[", stdout);
    for (int i = 0; i < r->nnotes; i++) {
        if (i)
            putchar(',');
        tx_json(stdout, r->notes[i]);
    }
    printf("],\"verdict\":\"%s\"", dr_verdicts[r->verdict]);
    dr_json_str("reason", r->reason);
    fputs("}\n", stdout);
}

/* --- the command ------------------------------------------------------------------------ */

/* 0 with *json and *first (index of PROGRAM) set; else the exit status (-1 after --help). */
static int dr_parse(int argc, char **argv, int *json, int *first)
{
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+f:hV", dr_long_opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(dr_usage, stdout);
            return -1;
        }
        if (c == 'V') {
            cmd_version();
            return -1;
        }
        if (c == 'f' && (strcmp(optarg, "text") == 0 || strcmp(optarg, "json") == 0)) {
            *json = optarg[0] == 'j';
            continue;
        }
        if (c == 'f')
            fprintf(stderr, "aclsub doctor: unknown format '%s' (try 'aclsub doctor --help')\n", optarg);
        else
            fprintf(stderr, "aclsub doctor: unknown option or missing value '%s' (try 'aclsub doctor --help')\n",
                    argv[optind - 1]);
        return 1;
    }
    if (optind >= argc) {
        fputs(dr_usage, stderr);
        return 1;
    }
    *first = optind;
    return 0;
}

/* The program's file, set-ID bits, and the ELF to analyse (itself or its interpreter); 0 or 1. */
static int dr_open_program(dr_report *r)
{
    struct stat st;
    if (dr_find_program(r->program, r->file) != 0) {
        fprintf(stderr, "aclsub doctor: %s: not found\n", r->program);
        return 1;
    }
    if (dr_follow_scripts(r) != 0)
        return 1;
    const char *elf = r->is_script ? r->interp : r->file;
    if (stat(elf, &st) != 0) {
        fprintf(stderr, "aclsub doctor: %s: %s\n", elf, strerror(errno));
        return 1;
    }
    r->setuid = (st.st_mode & S_ISUID) != 0;
    r->setgid = (st.st_mode & S_ISGID) && (st.st_mode & S_IXGRP);
    if (dr_add(r, elf, elf, "program", -1) < 0 || r->obj[0].elfclass == 0) {
        fprintf(stderr, "aclsub doctor: %s: not an ELF file or script\n", elf);
        return 1;
    }
    return 0;
}

static void dr_report_free(dr_report *r)
{
    for (int i = 0; i < r->nobj; i++)
        dr_obj_free(&r->obj[i]);
    for (int i = 0; i < r->nnotes; i++)
        free(r->notes[i]);
}

int cmd_doctor(int argc, char **argv)
{
    int json = 0, first = 0, rc = dr_parse(argc, argv, &json, &first);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (elf_version(EV_CURRENT) == EV_NONE) {
        fprintf(stderr, "aclsub doctor: libelf: %s\n", elf_errmsg(-1));
        return 1;
    }
    dr_report *r = calloc(1, sizeof *r);
    dr_cache cache = {0};
    if (!r) {
        fprintf(stderr, "aclsub doctor: out of memory\n");
        return 1;
    }
    r->program = argv[first];
    r->acl_root = -1;
    rc = dr_open_program(r);
    if (rc == 0) {
        dr_closure(r, &cache, 0);
        if (dr_is_python(r->is_script ? r->first_interp : r->file))
            dr_python(r, &cache, r->is_script ? r->file : dr_python_script(argv + first + 1, argc - first - 1));
        dr_verdict(r);
        if (json)
            dr_print_json(r);
        else
            dr_print_text(r);
        rc = r->verdict == 2 ? 2 : 0;
    }
    dr_report_free(r);
    free(r);
    free(cache.text);
    return rc;
}
