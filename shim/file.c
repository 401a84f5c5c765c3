/*
 * file.c - reading a whole input file (a model, an ONNX file) with a size
 * limit, for the runtime's loader and the tools alike.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim/file.h"

unsigned char *file_read_all(const char *path, uint64_t max, size_t *len, const char **why)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        *why = strerror(errno);
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    *why = !S_ISREG(st.st_mode)               ? "not a regular file"
           : (uint64_t)st.st_size > max ? "larger than the size limit"
                                              : NULL;
    size_t n = *why ? 0 : (size_t)st.st_size, got = 0;
    unsigned char *buf = *why ? NULL : malloc(n ? n : 1);
    if (!*why && !buf)
        *why = "out of memory";
    while (buf && got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            *why = r < 0 ? strerror(errno) : "the file shrank while being read";
            free(buf);
            buf = NULL;
        } else {
            got += (size_t)r;
        }
    }
    close(fd);
    *len = n;
    return buf;
}
