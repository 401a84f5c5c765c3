/*
 * out_path.h - how aclsub's commands create a file they are told to write
 * (-o FILE of `decode` and `report`, `run --report`), by one rule:
 *
 *   - nothing there: the output goes to a temporary file (mode 0600) beside
 *     FILE, which becomes FILE only when the command succeeds, by link(2),
 *     so that FILE is never half-written and never replaces a file that
 *     appeared meanwhile;
 *   - a regular file or a symbolic link: left as it is unless --force, which
 *     replaces it atomically (rename(2): a link itself, never its target);
 *   - a FIFO or a character device (/dev/null, a terminal), also through a
 *     symbolic link of the user's or of root's (/dev/stdout): written into,
 *     never removed or replaced;
 *   - anything else (a directory, a socket, a block device): refused.
 *
 * The temporary file is removed on failure, and on SIGINT, SIGTERM and
 * SIGHUP while it exists where the process had left them their default
 * action (a signal it ignores or handles itself is left to it).
 * One output of this kind at a time per process.
 */
#ifndef ACLSUB_DECODER_OUT_PATH_H
#define ACLSUB_DECODER_OUT_PATH_H

#include <limits.h>
#include <stdio.h>

typedef struct out_path {
    const char *path; /* FILE as given */
    const char *who;  /* the prefix of messages: "aclsub decode" */
    int force;
    int direct;       /* a FIFO or device: written into, nothing to publish */
    char tmp[PATH_MAX];
} out_path;

/* Opens FILE's stream by the rule above; NULL after a one-line message on err. */
FILE *out_path_open(out_path *op, const char *path, int force, const char *who, FILE *err);
/*
 * Closes the stream; when keep and it was written whole, the temporary file
 * becomes FILE, else it goes.  0, or -1 after a message on err.
 */
int out_path_close(out_path *op, FILE *f, int keep, FILE *err);
/*
 * For an output created in place under its own name (split files,
 * databases): 0 when FILE may be created (it is not there, or --force may
 * remove it and did), 1 when it is a FIFO or character device to be written
 * into, -1 after a message on err.
 */
int out_path_make_room(const char *path, int force, const char *who, FILE *err);
/*
 * Opens a FIFO or character device (out_path_make_room said 1) for writing,
 * never as a controlling terminal; -1 with errno, ESTALE when it is no
 * longer one.
 */
int out_path_open_special(const char *path);
/* The message for out_path_open_special's errno. */
const char *out_path_special_error(int e);
/* Why out_path_open would refuse FILE now ("exists: left as it is ..."), or NULL when it would not. */
const char *out_path_refusal(const char *path, int force);

#endif
