/*
 * aclsub.c - the `aclsub` command: dispatches to one subcommand per file
 * (tools/run.c, tools/decode.c, tools/mkom.c, ...), git-style.
 * `aclsub help CMD` is `aclsub CMD --help`; `aclsub --version` prints the
 * version (tools/version.c).
 */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "tools/cmds.h"

struct subcommand {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct subcommand subcommands[] = {
    {"run", cmd_run, "run a program under libaclsub.so and record or summarise its operators"},
    {"decode", cmd_decode, "print the operator records of a stream (file, FIFO or -)"},
    {"report", cmd_report, "write one self-contained HTML page of one or two recordings"},
    {"mkom", cmd_mkom, "compile a text graph description into an .om model"},
    {"atc", cmd_atc, "compile an ONNX model into an .om model (vendor ATC options)"},
    {"inspect", cmd_inspect, "list an .om model's inputs, outputs, memory and operators"},
    {"doctor", cmd_doctor, "tell whether interposition will work on a program (ELF checks)"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: aclsub <command> [options] [args]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        fprintf(out, "  %-8s %s\n", subcommands[i].name, subcommands[i].summary);
    fprintf(out, "\n'aclsub help <command>' (or 'aclsub <command> --help') describes a command's options;\n"
                 "'aclsub --version' prints the version.  See aclsub(1).\n");
}

static const struct subcommand *find(const char *name)
{
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (strcmp(name, subcommands[i].name) == 0)
            return &subcommands[i];
    return NULL;
}

/* `aclsub help [CMD]`: the command list, or CMD's own help. */
static int help(int argc, char **argv)
{
    if (argc < 3) {
        usage(stdout);
        return 0;
    }
    const struct subcommand *sc = find(argv[2]);
    if (!sc) {
        fprintf(stderr, "aclsub: no help for unknown command '%s' (try 'aclsub --help')\n", argv[2]);
        return 1;
    }
    char opt[] = "--help";
    char *args[] = {argv[2], opt, NULL};
    return sc->fn(2, args);
}

/*
 * Table widths come from wcwidth (decoder/textout.c): the user's LC_CTYPE
 * when it is UTF-8, else C.UTF-8, since the names in records are UTF-8
 * whatever the locale.  Only LC_CTYPE: numbers keep the C locale's format.
 */
static void set_ctype(void)
{
    const char *l = setlocale(LC_CTYPE, "");
    if (!l || strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
        setlocale(LC_CTYPE, "C.UTF-8");
}

int main(int argc, char **argv)
{
    set_ctype();
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0)
        return help(argc, argv);
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version();
    const struct subcommand *sc = find(argv[1]);
    if (sc)
        return sc->fn(argc - 1, argv + 1);
    fprintf(stderr, "aclsub: unknown command '%s' (try 'aclsub --help')\n", argv[1]);
    return 1;
}
