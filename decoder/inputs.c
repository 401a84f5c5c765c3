/*
 * inputs.c - the inputs of `aclsub decode`: a file, a FIFO or standard
 * input opened lazily (a FIFO's open waits for its writer), or a buffer in
 * memory; each read through the one stream reader (reader.h) in large
 * chunks, each record checked once (by the reader) and noted in read
 * order by the input's loss proof (proof.c), and the damage and any loss
 * nothing counted reported per input.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "decoder/pipeline.h"

void dec_input_init_path(dec_input *in, const char *path)
{
    memset(in, 0, sizeof *in);
    in->path = path;
    in->label = strcmp(path, "-") == 0 ? "<stdin>" : path;
    in->fd = -1;
    in->proof = dec_proof_new();
}

void dec_input_init_mem(dec_input *in, const char *label, const void *data, size_t len)
{
    memset(in, 0, sizeof *in);
    in->label = label;
    in->fd = -1;
    in->proof = dec_proof_new();
    in->r = rec_reader_from_mem(data, len);
    in->failed = in->r == NULL;
}

int dec_input_open(dec_input *in, FILE *err)
{
    if (in->r || in->failed || in->done)
        return in->r ? 0 : -1;
    if (!in->path) {
        in->failed = 1;
        return -1;
    }
    int fd = strcmp(in->path, "-") == 0 ? STDIN_FILENO : open(in->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(err, "aclsub decode: %s: %s\n", in->path, strerror(errno));
        in->failed = 1;
        return -1;
    }
    in->fd = fd;
    in->r = rec_reader_from_fd(fd, DEC_CHUNK);
    if (!in->r) {
        fprintf(err, "aclsub decode: %s: out of memory\n", in->label);
        in->failed = 1;
        return -1;
    }
    return 0;
}

int dec_input_next_raw(dec_input *in, const unsigned char **rec, FILE *err)
{
    if (!in->r && dec_input_open(in, err) < 0)
        return 0;
    int rc = rec_reader_next(in->r, rec);
    if (rc == 1)
        dec_proof_note(in->proof, *rec);
    if (rc < 0) {
        fprintf(err, "aclsub decode: %s: read error: %s\n", in->label, strerror(errno));
        in->failed = 1;
    }
    return rc;
}

#define DEC_PREFETCH 8u

int dec_input_next_run(dec_input *in, const unsigned char **first, size_t *n, FILE *err)
{
    if (!in->r && dec_input_open(in, err) < 0)
        return 0;
    int rc = rec_reader_next_run(in->r, first, n, DEC_RUN_MAX);
    if (rc == 1) {
        /* The lines the proof and the views read (the header, the type and the name's start) of each
           record are fetched a few records ahead: the record may have been read by the other thread. */
        for (size_t i = 0; i < *n && i < DEC_PREFETCH; i++)
            for (unsigned l = 0; l < 4; l++)
                __builtin_prefetch(*first + i * ACLSUB_REC_SIZE + 64 * l);
        for (size_t i = 0; i < *n; i++) {
            const unsigned char *rec = *first + i * ACLSUB_REC_SIZE;
            if (i + DEC_PREFETCH < *n)
                for (unsigned l = 0; l < 4; l++)
                    __builtin_prefetch(rec + DEC_PREFETCH * ACLSUB_REC_SIZE + 64 * l);
            dec_proof_note(in->proof, rec);
        }
    }
    if (rc < 0) {
        fprintf(err, "aclsub decode: %s: read error: %s\n", in->label, strerror(errno));
        in->failed = 1;
    }
    return rc;
}

int dec_input_next(dec_input *in, uint32_t index, dec_event *ev, FILE *err)
{
    const unsigned char *rec;
    int rc = dec_input_next_raw(in, &rec, err);
    if (rc != 1)
        return rc;
    rec_view_of(rec, &ev->v); /* the reader returns valid records only: no second check */
    ev->input = index;
    if (in->align)
        dec_align_event(in->align, &ev->v, index);
    return 1;
}

int dec_input_report(const dec_input *in, FILE *err)
{
    dec_proof_result pr;
    dec_proof_finish(in->proof, &pr);
    int lost = dec_proof_report(&pr, in->label, err);
    if (!in->r || !rec_reader_damaged(in->r))
        return lost;
    const rec_reader_stats *s = rec_reader_get_stats(in->r);
    fprintf(err, "aclsub decode: %s: damaged input: %" PRIu64 " bad signature(s), %" PRIu64
                 " unknown version(s), %" PRIu64 " garbage byte(s) in %" PRIu64 " run(s), %" PRIu64
                 " truncated byte(s) at the end; %" PRIu64 " valid record(s)\n",
            in->label, s->bad_signature, s->bad_version, s->garbage_bytes, s->garbage_runs, s->truncated_bytes,
            s->records);
    return 1;
}

void dec_input_close(dec_input *in)
{
    dec_proof_free(in->proof);
    in->proof = NULL;
    rec_reader_free(in->r);
    in->r = NULL;
    in->done = 1;
    if (in->fd >= 0 && in->fd != STDIN_FILENO)
        close(in->fd);
    in->fd = -1;
}
