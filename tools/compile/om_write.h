/*
 * om_write.h - the .om writer of the compilers (`aclsub mkom`, `aclsub atc`).
 */
#ifndef ACLSUB_TOOLS_COMPILE_OM_WRITE_H_
#define ACLSUB_TOOLS_COMPILE_OM_WRITE_H_

#include <stddef.h>

#include "shim/engine/graph.h"

/*
 * Writes g (shapes inferred, weights filled) as an .om file.  0 on success,
 * -1 with a line in err.  Whatever it writes, om_load accepts.
 */
int om_write_file(const graph *g, const char *path, char *err, size_t errlen);

#endif /* ACLSUB_TOOLS_COMPILE_OM_WRITE_H_ */
