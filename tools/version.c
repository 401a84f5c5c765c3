/*
 * version.c - the version `aclsub --version` and every `aclsub CMD
 * --version` print.  The number lives in the file VERSION at the root of
 * the repository; the Makefile passes it here as ACLSUB_VERSION and writes
 * the same number into aclsub.pc and ascendcl-emu.pc.
 */
#include <stdio.h>

#include "tools/cmds.h"

#ifndef ACLSUB_VERSION
#error "ACLSUB_VERSION is set by the Makefile from the file VERSION"
#endif

const char aclsub_version[] = ACLSUB_VERSION;

int cmd_version(void)
{
    printf("aclsub %s\n", aclsub_version);
    return fflush(stdout) == 0 ? 0 : 1;
}
