/*
 * mkom.h - the text graph description compiler behind `aclsub mkom`
 * (mkom_text.c).
 *
 * The description format is documented in docs/MODEL.md.  mkom_build is the
 * whole compiler minus the file handling, so tests and fuzzers can turn text
 * into a graph without touching the file system.
 */
#ifndef ACLSUB_TOOLS_MKOM_H_
#define ACLSUB_TOOLS_MKOM_H_

#include <stddef.h>
#include <stdint.h>

#include "shim/engine/graph.h"

/*
 * Parses `len` bytes of description text (not necessarily NUL-terminated),
 * runs op_infer on every node, fills the weights deterministically from
 * `seed` and plans the work memory.  On success returns 0 and a new graph in
 * *out (free it with graph_free).  On failure returns -1 and one line in err
 * of the form "SOURCE:LINE: cause", e.g. "cnn.txt:12: unknown tensor 'c9'";
 * `source` names the text in messages (NULL gives "<text>").
 */
int mkom_build(const char *text, size_t len, const char *source, uint64_t seed, graph **out, char *err,
               size_t errlen);

/* The default weight seed of `aclsub mkom` when --seed is not given. */
#define MKOM_DEFAULT_SEED 1u

#endif /* ACLSUB_TOOLS_MKOM_H_ */
