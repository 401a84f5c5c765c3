/*
 * file.h - opening and reading input files (models, ONNX, programs) safely.
 */
#ifndef ACLSUB_SHIM_FILE_H_
#define ACLSUB_SHIM_FILE_H_

#include <stddef.h>
#include <stdint.h>

/*
 * Reads a regular file whole if it is at most `max` bytes.  NULL with *why
 * set to a short reason ("not a regular file", "larger than the size limit",
 * "out of memory", errno's text) otherwise.
 */
unsigned char *file_read_all(const char *path, uint64_t max, size_t *len, const char **why);

/*
 * Opens a regular file for reading without ever blocking in open(): the
 * descriptor (close-on-exec) and its size, or -1 with *why ("not a regular
 * file", errno's text).
 */
int file_open_regular(const char *path, uint64_t *size, const char **why);

#endif /* ACLSUB_SHIM_FILE_H_ */
