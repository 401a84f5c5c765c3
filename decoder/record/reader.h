/*
 * reader.h - the one stream reader: pulls aclsub records out of a byte
 * stream (file, FIFO, pipe, memory) in large chunks, skipping and counting
 * damage and resynchronising on the next valid record.
 */
#ifndef ACLSUB_DECODER_READER_H_
#define ACLSUB_DECODER_READER_H_

#include <stddef.h>
#include <stdint.h>

typedef struct rec_reader_stats {
    uint64_t records;         /* valid records returned */
    uint64_t bad_signature;   /* record-shaped blocks (magic present) whose signature is wrong */
    uint64_t bad_version;     /* correctly signed records of a version this reader does not know */
    uint64_t garbage_runs;    /* runs of bytes that belong to no record */
    uint64_t garbage_bytes;   /* their total length */
    uint64_t truncated_bytes; /* an incomplete record at the end of the input */
} rec_reader_stats;

typedef struct rec_reader rec_reader;

/* chunk: bytes per read() (rounded up to at least two records). NULL on allocation failure. */
rec_reader *rec_reader_from_fd(int fd, size_t chunk);
/* Reads from memory (the caller keeps it alive); for tests and fuzzing. */
rec_reader *rec_reader_from_mem(const void *data, size_t len);
void rec_reader_free(rec_reader *r);

/*
 * The next valid record: 1 and *rec pointing at ACLSUB_REC_SIZE bytes valid
 * until the next call; 0 at the end of the input; -1 on a read error (errno).
 */
int rec_reader_next(rec_reader *r, const unsigned char **rec);

/*
 * The same for a run of valid records back to back: 1 and *first pointing
 * at *n (1 to max) records of ACLSUB_REC_SIZE bytes, valid until the next
 * call; 0 at the end; -1 on a read error.  What is damaged is skipped and
 * counted exactly as by rec_reader_next.
 */
int rec_reader_next_run(rec_reader *r, const unsigned char **first, size_t *n, size_t max);

const rec_reader_stats *rec_reader_get_stats(const rec_reader *r);

/*
 * The few fields a statistics view needs, read in place from a record the
 * reader has already validated (no second signature check, no copies):
 * strings point into the record and are not NUL-terminated.  Only for
 * records rec_reader_next returned; everything else goes through the
 * checking accessors.
 */
typedef struct rec_brief {
    uint8_t kind;
    uint32_t model_id;
    uint64_t start;
    uint64_t duration;
    uint64_t iteration;
    uint64_t name_hash;
    const char *type;
    size_t type_len;
    const char *name;
    size_t name_len;
} rec_brief;
void rec_peek(const unsigned char *rec, rec_brief *out);
/* Every field of a record rec_reader_next returned, as aclsub_rec_get gives them, without checking it again. */
struct aclsub_rec_view;
void rec_view_of(const unsigned char *rec, struct aclsub_rec_view *out);
/* 1 if anything was damaged so far. */
int rec_reader_damaged(const rec_reader *r);

#endif /* ACLSUB_DECODER_READER_H_ */
