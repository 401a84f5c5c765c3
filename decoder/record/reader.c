/*
 * reader.c - the stream reader of reader.h.
 *
 * The reader keeps a window [pos, end) of unread bytes in one buffer.  A
 * valid record at pos is handed out in place.  Anything else starts a
 * damaged span, which ends at the next offset holding a valid record (found
 * by searching for the magic, then checking the signature) or at the end of
 * the input; the span is then counted as exactly one kind of damage, so
 * that the counts add up: a bad signature (the span starts with the magic;
 * bytes past its first record are garbage), garbage, or a truncated tail.
 *
 * A regular file is read in chunks that a second thread and the reader
 * share (the read-ahead, below), so that copying out of the page cache
 * and checking the records go on in both at once; the caller works in the
 * chunk itself.
 * Pipes and FIFOs are read directly, so that a live reader sees records as
 * soon as they arrive.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aclsub/record.h"
#include "decoder/record/reader.h"

/*
 * The read-ahead of a regular file.  The file is cut into chunks of `size`
 * bytes from the offset the descriptor had; chunk k lives in slot
 * k % AHEAD_SLOTS.  Chunks are claimed in order, by the helper thread (at
 * most AHEAD_SLOTS - 1 ahead of the reader) or by the reader itself when
 * the chunk it needs next is not claimed yet, and each is filled with
 * pread().  Whoever reads a chunk also checks (aclsub_rec_check) every
 * record at a multiple of ACLSUB_REC_SIZE from its start, a piece at a
 * time while the piece is still in the cache, and keeps the verdicts with
 * the chunk; the reader takes a record at such an offset on its verdict and
 * checks any other (a record carried over from the chunk before, or one
 * found by resynchronising) itself.  On two free cores the copying and the
 * checking are then shared between the two threads; on a busy machine the
 * reader does not wait for a helper that is not running.  A chunk that
 * comes back short is the end of the file: the chunks after it are not
 * used.
 */
#define AHEAD_SLOTS 8
#define AHEAD_PIECE (256u << 10) /* bytes read, then checked, at a time: still in the cache */

enum { SLOT_FREE, SLOT_BUSY, SLOT_FULL };

typedef struct ahead_slot {
    unsigned char *mem; /* REC bytes of headroom (for a carried partial record), then data */
    unsigned char *verdict; /* aclsub_rec_status of the record at data offset i * REC, for those within len */
    size_t len;
    int err;            /* errno of a failed read; len 0 and err 0 is the end of the file */
    int state;
} ahead_slot;

typedef struct prefetch {
    pthread_t thread;
    pthread_mutex_t lock; /* protects every field but the slots' mem contents */
    pthread_cond_t cond;
    ahead_slot slot[AHEAD_SLOTS];
    size_t size;          /* data bytes per chunk */
    off_t base;           /* the file offset of chunk 0 */
    uint64_t claim;       /* the next chunk to claim */
    uint64_t take;        /* the chunk the reader takes next */
    uint64_t last;        /* the first chunk that came back short (the last one used), or UINT64_MAX */
    int helper_waits, reader_waits; /* who sleeps on cond */
    int stop;
} prefetch;

struct rec_reader {
    int fd;             /* -1: memory input */
    int eof;
    unsigned char *buf; /* owned unless memory input or read ahead */
    size_t cap;
    size_t pos, end;    /* unread window inside buf */
    prefetch *ahead;    /* regular files only */
    const unsigned char *verdict; /* read ahead: the verdicts of the chunk in buf */
    rec_reader_stats stats;
};

#define REC ACLSUB_REC_SIZE

/* Fills chunk k into its slot (claimed by the caller, lock not held). */
static void read_chunk(rec_reader *r, uint64_t k)
{
    prefetch *a = r->ahead;
    ahead_slot *s = &a->slot[k % AHEAD_SLOTS];
    off_t off = a->base + (off_t)(k * a->size);
    size_t got = 0, checked = 0;
    int err = 0;
    while (got < a->size) {
        size_t want = a->size - got < AHEAD_PIECE ? a->size - got : AHEAD_PIECE;
        ssize_t n = pread(r->fd, s->mem + REC + got, want, off + (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            err = errno;
        if (n <= 0)
            break;
        got += (size_t)n;
        for (; checked + REC <= got; checked += REC)
            s->verdict[checked / REC] = (unsigned char)aclsub_rec_check(s->mem + REC + checked);
    }
    pthread_mutex_lock(&a->lock);
    s->len = got;
    s->err = err;
    s->state = SLOT_FULL;
    if (got < a->size && k < a->last)
        a->last = k;
    if (a->reader_waits)
        pthread_cond_broadcast(&a->cond);
    pthread_mutex_unlock(&a->lock);
}

/* The helper: claims the next chunk whenever its slot is free, until the end of the file. */
static void *prefetch_main(void *arg)
{
    rec_reader *r = arg;
    prefetch *a = r->ahead;
    pthread_mutex_lock(&a->lock);
    for (;;) {
        while (!a->stop && a->claim <= a->last && a->slot[a->claim % AHEAD_SLOTS].state != SLOT_FREE) {
            a->helper_waits = 1;
            pthread_cond_wait(&a->cond, &a->lock);
            a->helper_waits = 0;
        }
        if (a->stop || a->claim > a->last)
            break;
        uint64_t k = a->claim++;
        a->slot[k % AHEAD_SLOTS].state = SLOT_BUSY;
        pthread_mutex_unlock(&a->lock);
        read_chunk(r, k);
        pthread_mutex_lock(&a->lock);
    }
    pthread_mutex_unlock(&a->lock);
    return NULL;
}

static void prefetch_release(prefetch *a)
{
    for (int i = 0; i < AHEAD_SLOTS; i++) {
        free(a->slot[i].mem);
        free(a->slot[i].verdict);
    }
    free(a);
}

static void prefetch_free(rec_reader *r)
{
    prefetch *a = r->ahead;
    pthread_mutex_lock(&a->lock);
    a->stop = 1;
    pthread_cond_broadcast(&a->cond);
    pthread_mutex_unlock(&a->lock);
    pthread_join(a->thread, NULL);
    pthread_mutex_destroy(&a->lock);
    pthread_cond_destroy(&a->cond);
    prefetch_release(a);
    r->ahead = NULL;
}

/* Starts the read-ahead of a regular file of more than two chunks; 0 when it runs, -1 to read directly. */
static int prefetch_start(rec_reader *r, size_t size)
{
    struct stat st;
    if (fstat(r->fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size <= 2 * (uint64_t)size)
        return -1;
    off_t base = lseek(r->fd, 0, SEEK_CUR);
    if (base < 0)
        return -1;
    prefetch *a = calloc(1, sizeof *a);
    if (!a)
        return -1;
    a->size = size - size % REC; /* every chunk starts at a multiple of REC from the first */
    a->base = base;
    a->last = UINT64_MAX;
    for (int i = 0; i < AHEAD_SLOTS; i++)
        if (!(a->slot[i].mem = malloc(REC + a->size)) || !(a->slot[i].verdict = malloc(a->size / REC))) {
            prefetch_release(a);
            return -1;
        }
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->cond, NULL);
    r->ahead = a;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&a->thread, NULL, prefetch_main, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_mutex_destroy(&a->lock);
        pthread_cond_destroy(&a->cond);
        prefetch_release(a);
        r->ahead = NULL;
        return -1;
    }
    return 0;
}

rec_reader *rec_reader_from_fd(int fd, size_t chunk)
{
    rec_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->cap = chunk < 4 * REC ? 4 * REC : chunk;
    r->fd = fd;
    if (prefetch_start(r, r->cap) == 0)
        return r;
    r->buf = malloc(r->cap);
    if (!r->buf) {
        free(r);
        return NULL;
    }
    return r;
}

rec_reader *rec_reader_from_mem(const void *data, size_t len)
{
    rec_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->fd = -1;
    r->eof = 1;
    r->buf = (unsigned char *)data;
    r->cap = r->end = len;
    return r;
}

void rec_reader_free(rec_reader *r)
{
    if (!r)
        return;
    if (r->ahead)
        prefetch_free(r);
    else if (r->fd >= 0)
        free(r->buf);
    free(r);
}

const rec_reader_stats *rec_reader_get_stats(const rec_reader *r)
{
    return &r->stats;
}

int rec_reader_damaged(const rec_reader *r)
{
    const rec_reader_stats *s = &r->stats;
    return s->bad_signature || s->bad_version || s->garbage_bytes || s->truncated_bytes;
}

/*
 * Moves to the next chunk: reads it here if nobody claimed it yet, else
 * waits until it is full.  The unread tail of the current chunk (less than
 * a record) moves into the new chunk's headroom, and the current chunk's
 * slot is freed for the helper.  -1 on a read error (errno).
 */
static int take_chunk(rec_reader *r)
{
    prefetch *a = r->ahead;
    pthread_mutex_lock(&a->lock);
    uint64_t k = a->take;
    ahead_slot *s = &a->slot[k % AHEAD_SLOTS];
    if (k > a->last) { /* the chunk before was the end of the file */
        pthread_mutex_unlock(&a->lock);
        r->eof = 1;
        return 0;
    }
    /* Until chunk k is full: read the next unclaimed chunk (k, or one after
       it that has a free slot) here rather than wait for the helper. */
    while (s->state != SLOT_FULL) {
        uint64_t j = a->claim;
        if (j <= a->last && j < k + AHEAD_SLOTS - 1 && a->slot[j % AHEAD_SLOTS].state == SLOT_FREE) {
            a->claim++;
            a->slot[j % AHEAD_SLOTS].state = SLOT_BUSY;
            pthread_mutex_unlock(&a->lock);
            read_chunk(r, j);
            pthread_mutex_lock(&a->lock);
            continue;
        }
        a->reader_waits = 1;
        pthread_cond_wait(&a->cond, &a->lock);
        a->reader_waits = 0;
    }
    pthread_mutex_unlock(&a->lock);
    size_t left = r->end - r->pos;
    if (left)
        memcpy(s->mem + REC - left, r->buf + r->pos, left);
    pthread_mutex_lock(&a->lock);
    if (r->buf) {
        a->slot[(k - 1) % AHEAD_SLOTS].state = SLOT_FREE;
        /* a sleeping helper is woken when half the ring is free, not for every chunk */
        if (a->helper_waits && a->claim <= k + AHEAD_SLOTS / 2)
            pthread_cond_broadcast(&a->cond);
    }
    a->take = k + 1;
    pthread_mutex_unlock(&a->lock);
    r->buf = s->mem;
    r->verdict = s->verdict;
    r->pos = REC - left;
    r->end = REC + s->len;
    if (s->err) {
        errno = s->err;
        return -1;
    }
    if (s->len == 0)
        r->eof = 1;
    return 0;
}

/*
 * Makes at least `want` bytes available from pos, reading as needed; moves
 * the window to the buffer's start first.  Returns the bytes available
 * (less than want only at the end of the input), or -1 on a read error.
 */
static ssize_t fill(rec_reader *r, size_t want)
{
    while (r->ahead && r->end - r->pos < want && !r->eof)
        if (take_chunk(r) != 0)
            return -1;
    while (r->end - r->pos < want && !r->eof) {
        if (r->pos > 0) {
            memmove(r->buf, r->buf + r->pos, r->end - r->pos);
            r->end -= r->pos;
            r->pos = 0;
        }
        ssize_t n = read(r->fd, r->buf + r->end, r->cap - r->end);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            r->eof = 1;
        r->end += (size_t)n;
    }
    return (ssize_t)(r->end - r->pos);
}

/* Counts a damaged span of `len` bytes that started with the magic or not. */
static void count_span(rec_reader *r, uint64_t len, int had_magic, int at_eof)
{
    if (had_magic && len >= REC) {
        r->stats.bad_signature++;
        len -= REC;
        if (len) {
            r->stats.garbage_runs++;
            r->stats.garbage_bytes += len;
        }
    } else if (at_eof && had_magic) {
        r->stats.truncated_bytes += len;
    } else if (len) {
        r->stats.garbage_runs++;
        r->stats.garbage_bytes += len;
    }
}

/*
 * Skips from pos to the next valid record, or to the end of the input.
 * Returns 1 if a valid record now starts at pos, 0 at the end, -1 on error.
 */
static int resync(rec_reader *r, int had_magic)
{
    static const unsigned char magic[4] = {'A', 'C', 'L', 'S'};
    uint64_t skipped = 1;
    r->pos++;
    for (;;) {
        ssize_t avail = fill(r, REC);
        if (avail < 0)
            return -1;
        if ((size_t)avail < REC) {
            if (had_magic && skipped < REC && (size_t)avail > 0) {
                /* The damaged record itself runs into the end of the input. */
                skipped += (uint64_t)avail;
                count_span(r, skipped, 1, 1);
            } else {
                count_span(r, skipped, had_magic, 1);
                if (avail > 0)
                    r->stats.truncated_bytes += (uint64_t)avail;
            }
            r->pos = r->end;
            return 0;
        }
        /* Look for the magic of a record starting in [pos, end - REC]. */
        const unsigned char *from = r->buf + r->pos + ACLSUB_OFF_MAGIC;
        size_t span = (r->end - REC) - r->pos + sizeof magic;
        const unsigned char *m = memmem(from, span, magic, sizeof magic);
        if (!m) {
            size_t step = (r->end - REC) - r->pos + 1;
            skipped += step;
            r->pos += step;
            continue;
        }
        size_t q = (size_t)(m - r->buf) - ACLSUB_OFF_MAGIC;
        skipped += q - r->pos;
        r->pos = q;
        aclsub_rec_status st = aclsub_rec_check(r->buf + q);
        if (st == ACLSUB_REC_OK || st == ACLSUB_REC_BAD_VERSION) {
            count_span(r, skipped, had_magic, 0);
            return 1;
        }
        skipped++;
        r->pos++;
    }
}

/* 1 if the record at pos (whole within the window) is valid: on its verdict when it has one. */
static int valid_at(const rec_reader *r)
{
    if (r->verdict && r->pos >= REC && (r->pos - REC) % REC == 0)
        return r->verdict[(r->pos - REC) / REC] == ACLSUB_REC_OK;
    return aclsub_rec_check(r->buf + r->pos) == ACLSUB_REC_OK;
}

int rec_reader_next_run(rec_reader *r, const unsigned char **first, size_t *n, size_t max)
{
    int rc = rec_reader_next(r, first);
    if (rc != 1)
        return rc;
    size_t k = 1;
    while (k < max && r->end - r->pos >= REC && valid_at(r)) {
        r->pos += REC;
        k++;
    }
    r->stats.records += k - 1;
    *n = k;
    return 1;
}

int rec_reader_next(rec_reader *r, const unsigned char **rec)
{
    for (;;) {
        ssize_t avail = fill(r, REC);
        if (avail < 0)
            return -1;
        if ((size_t)avail < REC) {
            r->stats.truncated_bytes += (uint64_t)avail;
            r->pos = r->end;
            return 0;
        }
        const unsigned char *p = r->buf + r->pos;
        aclsub_rec_status st;
        if (r->verdict && r->pos >= REC && (r->pos - REC) % REC == 0)
            st = (aclsub_rec_status)r->verdict[(r->pos - REC) / REC]; /* checked when it was read */
        else
            st = aclsub_rec_check(p);
        if (st == ACLSUB_REC_OK) {
            r->pos += REC;
            r->stats.records++;
            *rec = p;
            return 1;
        }
        if (st == ACLSUB_REC_BAD_VERSION) {
            r->stats.bad_version++;
            r->pos += REC;
            continue;
        }
        int rc = resync(r, st == ACLSUB_REC_BAD_SIGNATURE);
        if (rc <= 0)
            return rc;
    }
}
