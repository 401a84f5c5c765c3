/*
 * util.c - the shared pieces of util.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aclsub/record.h"
#include "util.h"

unsigned char *tool_read_file(const char *path, uint64_t max, size_t *len, const char **why)
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

static size_t name_slot(const char *key, size_t cap)
{
    return (size_t)aclsub_name_hash(key, strlen(key)) & (cap - 1);
}

int name_map_get(const name_map *m, const char *key, uint32_t *val)
{
    if (!m->cap)
        return 0;
    for (size_t i = name_slot(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i])
            return 0;
        if (strcmp(m->keys[i], key) == 0) {
            *val = m->vals[i];
            return 1;
        }
    }
}

int name_map_put(name_map *m, const char *key, uint32_t val)
{
    if ((m->n + 1) * 2 > m->cap) {
        name_map grown = {.cap = m->cap ? m->cap * 2 : 64};
        grown.keys = calloc(grown.cap, sizeof *grown.keys);
        grown.vals = calloc(grown.cap, sizeof *grown.vals);
        if (!grown.keys || !grown.vals) {
            free(grown.keys);
            free(grown.vals);
            return -1;
        }
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i])
                name_map_put(&grown, m->keys[i], m->vals[i]);
        free(m->keys);
        free(m->vals);
        *m = grown;
    }
    size_t i = name_slot(key, m->cap);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    if (!m->keys[i])
        m->n++;
    m->keys[i] = key;
    m->vals[i] = val;
    return 0;
}

void name_map_free(name_map *m)
{
    free(m->keys);
    free(m->vals);
}
