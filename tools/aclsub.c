/*
 * aclsub.c - the `aclsub` command: dispatches to one subcommand per file
 * (tools/run.c, decoder/decode.c, tools/mkom.c, ...), git-style.
 */
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
    fprintf(out, "\n'aclsub <command> --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (strcmp(argv[1], subcommands[i].name) == 0)
            return subcommands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "aclsub: unknown command '%s' (try 'aclsub --help')\n", argv[1]);
    return 1;
}
