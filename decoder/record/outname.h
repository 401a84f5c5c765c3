/*
 * outname.h - output names: the pattern language of ACLSUB_OUTPUT and of
 * `aclsub run -o`, the contract between the two.
 *
 *   %p  the process id (the interposer's host process; for `aclsub run`,
 *       its own, so that every process of a run shares one file)
 *   %h  the host name, "localhost" when it cannot be had; a '/', a
 *       control character or a leading '.' in it becomes '_', so that
 *       neither %h nor %p can add a directory or a ".." to the name
 *   %q{VAR}  the value of the environment variable VAR (letters, digits
 *       and '_'; at most OUTNAME_VAR_MAX bytes), made a plain name part as
 *       %h is; "" when VAR is unset: one file per rank of an MPI-style job
 *       with ACLSUB_OUTPUT=ops-%q{OMPI_COMM_WORLD_RANK}.rec
 *   %%  a percent sign
 *
 * Any other character stands for itself, a % before anything else (or at
 * the end) included.  Results go into the caller's buffer; nothing here
 * allocates, and a result that does not fit is an error, never a cut name.
 */
#ifndef ACLSUB_DECODER_OUTNAME_H_
#define ACLSUB_DECODER_OUTNAME_H_

#include <stddef.h>

/* The name both sides use when none is given. */
#define OUTNAME_DEFAULT "aclsub-%p.rec"

/* Bytes of the host name (and of a %q{VAR} value) kept (without the NUL). */
#define OUTNAME_HOST_MAX 256
/* Bytes of a %q{VAR} variable name. */
#define OUTNAME_VAR_MAX 255

/* What the escapes stand for. */
typedef struct outname_vars {
    long pid;                        /* %p */
    char host[OUTNAME_HOST_MAX + 1]; /* %h, NUL-terminated */
} outname_vars;

/* This process's values: getpid(), and gethostname() or "localhost". */
void outname_vars_here(outname_vars *v);

/*
 * Expands pattern into out (cap bytes, the NUL included).  0, or -1 when
 * the result does not fit (out is then "" if cap > 0).
 */
int outname_expand(const char *pattern, const outname_vars *v, char *out, size_t cap);

/*
 * Writes name with every % doubled, so that outname_expand gives name
 * back: how a name already expanded is passed on as a pattern.  0, or -1
 * when it does not fit (out is then "" if cap > 0).
 */
int outname_escape(const char *name, char *out, size_t cap);

#endif /* ACLSUB_DECODER_OUTNAME_H_ */
