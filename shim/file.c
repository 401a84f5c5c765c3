/*
 * file.c - reading a whole input file (a model, an ONNX file) with a size
 * limit, for the runtime's loader and the tools alike.  Only regular files
 * are opened: the path is opened without blocking (a FIFO's open would wait
 * for a writer forever) and anything else is refused by name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim/file.h"

int file_open_regular(const char *path, uint64_t *size, const char **why)
{
    struct stat st;
    /* Non-blocking: a FIFO or a device named as a file must not block open(); it is refused below. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0 || fstat(fd, &st) != 0) {
        *why = strerror(errno);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        *why = "not a regular file";
        close(fd);
        return -1;
    }
    if (size)
        *size = (uint64_t)st.st_size;
    return fd;
}

unsigned char *file_read_all(const char *path, uint64_t max, size_t *len, const char **why)
{
    uint64_t size = 0;
    *len = 0;
    int fd = file_open_regular(path, &size, why);
    if (fd < 0)
        return NULL;
    *why = size > max ? "larger than the size limit" : NULL;
    size_t n = *why ? 0 : (size_t)size, got = 0;
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
