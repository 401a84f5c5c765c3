/*
 * cmds.h - the subcommands behind the one `aclsub` program.  Each takes the
 * arguments after its name (argv[0] is the subcommand) and returns the exit
 * status: 0 success, 1 usage or operational error, 2 damaged input.
 */
#ifndef ACLSUB_TOOLS_CMDS_H_
#define ACLSUB_TOOLS_CMDS_H_

int cmd_decode(int argc, char **argv);
int cmd_mkom(int argc, char **argv);
int cmd_atc(int argc, char **argv);

#endif /* ACLSUB_TOOLS_CMDS_H_ */
