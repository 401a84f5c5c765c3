/*
 * cmds.h - the subcommands behind the one `aclsub` program.  Each takes the
 * arguments after its name (argv[0] is the subcommand) and returns the exit
 * status: 0 success, 1 usage or operational error, 2 damaged input or a
 * failed check (`aclsub run` passes on the program's own status instead).
 */
#ifndef ACLSUB_TOOLS_CMDS_H_
#define ACLSUB_TOOLS_CMDS_H_

int cmd_decode(int argc, char **argv);
int cmd_mkom(int argc, char **argv);
int cmd_atc(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* version.c: the version (the file VERSION), and its line "aclsub VERSION" on stdout; 0, or 1 if stdout fails. */
extern const char aclsub_version[];
int cmd_version(void);

#endif /* ACLSUB_TOOLS_CMDS_H_ */
