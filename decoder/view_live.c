/*
 * view_live.c - the live display of `aclsub decode --follow` on a terminal
 * (and so of `aclsub run --live`): a thread redraws, about once a second,
 * the record rate, the lost and damaged counts and the top operator groups
 * by total time.
 *
 * The display keeps a region of its own at the bottom of the terminal: it
 * sets the terminal's scrolling region to the lines above it, so that a
 * program writing to the same terminal scrolls there and never over the
 * display, and it draws each frame in one write that saves the cursor,
 * rewrites its lines and puts the cursor back.  A resized terminal gets its
 * region set again; at the end the scrolling region is reset and the
 * region cleared for the final summary.  The pipeline holds the display's
 * lock while it changes the group table or the counters, so the two never
 * race.  Only used when the output is a terminal; elsewhere --follow prints
 * the final summary only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decoder/pipeline.h"
#include "decoder/textout.h"

struct dec_live {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t th;
    int stop;
    const dec_opts *o;
    st_table *t;
    FILE *out;
    uint64_t records, lost, damaged, shown_records;
    struct timespec shown_at;
    int rows, cols, height; /* the terminal, and the display's region at its bottom (0: not set) */
};

#define LIVE_HEADER_LINES 3 /* the counts, a blank line, the column titles */

/* The terminal's size; 24 x 80 when it cannot be had. */
static void term_size(FILE *out, int *rows, int *cols)
{
    struct winsize ws;
    *rows = 24;
    *cols = 80;
    if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_row >= 4 && ws.ws_col >= 20) {
        *rows = ws.ws_row;
        *cols = ws.ws_col;
    }
}

/*
 * Reserves the bottom lines for the display: scrolls what is on the
 * terminal up to make room, confines scrolling to the lines above, and
 * leaves the cursor at the last of those.
 */
static void region_set(dec_live *l)
{
    term_size(l->out, &l->rows, &l->cols);
    size_t top = l->o->top > 0 ? (size_t)l->o->top : 20;
    int want = LIVE_HEADER_LINES + (int)(top < 100 ? top : 100);
    l->height = want < l->rows / 2 ? want : l->rows / 2;
    for (int i = 0; i < l->height; i++)
        fputc('\n', l->out);
    fprintf(l->out, "\033[1;%dr\033[%d;1H", l->rows - l->height, l->rows - l->height);
    fflush(l->out);
}

/* Gives the terminal its whole screen back and clears the region for what follows. */
static void region_reset(dec_live *l)
{
    if (!l->height)
        return;
    fprintf(l->out, "\033[r\033[%d;1H\033[J", l->rows - l->height + 1);
    fflush(l->out);
    l->height = 0;
}

/* Writes the frame's text (lines separated by '\n') into the region, in one write. */
static void region_draw(dec_live *l, const char *text, size_t len)
{
    int rows, cols;
    term_size(l->out, &rows, &cols);
    if (rows != l->rows || cols != l->cols) {
        region_reset(l);
        region_set(l);
    }
    char *frame;
    size_t flen;
    FILE *f = open_memstream(&frame, &flen);
    if (!f)
        return;
    fputs("\0337", f);
    const char *p = text, *end = text + len;
    for (int i = 0; i < l->height; i++) {
        const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
        size_t n = p < end ? (nl ? (size_t)(nl - p) : (size_t)(end - p)) : 0;
        fprintf(f, "\033[%d;1H\033[2K", l->rows - l->height + 1 + i);
        fwrite(p, 1, n < (size_t)l->cols ? n : (size_t)l->cols, f);
        p = nl ? nl + 1 : end;
    }
    fputs("\0338", f);
    fclose(f);
    fwrite(frame, 1, flen, l->out);
    fflush(l->out);
    free(frame);
}

static double seconds_since(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static int by_total(const void *pa, const void *pb)
{
    const st_group *a = *(st_group *const *)pa, *b = *(st_group *const *)pb;
    return a->total > b->total ? -1 : a->total < b->total ? 1 : strcmp(a->key, b->key);
}

/* One frame; called with the lock held. */
static void draw(dec_live *l)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double dt = seconds_since(&l->shown_at, &now);
    double rate = dt > 0 ? (double)(l->records - l->shown_records) / dt : 0;
    l->shown_records = l->records;
    l->shown_at = now;
    char *text;
    size_t len;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return;
    fprintf(out, "aclsub decode --follow   records: %" PRIu64 "   %.0f records/s   lost: %" PRIu64
                 "   damaged: %" PRIu64 "\n\n",
            l->records, rate, l->lost, l->damaged);
    st_table *t = l->t;
    size_t n = t->n, top = l->o->top > 0 ? (size_t)l->o->top : 20;
    st_group **v = malloc((n ? n : 1) * sizeof *v);
    if (!v) {
        fclose(out);
        free(text);
        return;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = &t->g[i];
    qsort(v, n, sizeof *v, by_total);
    fprintf(out, "%-32s  %10s  %10s  %10s  %10s  %6s\n", dec_key_title(l->o->by, 0), "Count", "Total", "Mean",
            "Max", "Busy%");
    char key[4 * ACLSUB_REC_NAME_CAP + 1], tot[32], mean[32], max[32];
    for (size_t i = 0; i < n && i < top; i++) {
        const st_group *g = v[i];
        tx_put_tsv(key, g->key);
        tx_human(tot, sizeof tot, (double)g->total);
        tx_human(mean, sizeof mean, (double)g->total / (double)g->count);
        tx_human(max, sizeof max, (double)g->max);
        tx_pad(out, key, 32, 0);
        fprintf(out, "  %10" PRIu64 "  %10s  %10s  %10s  %6.2f\n", g->count, tot, mean, max,
                t->busy ? 100.0 * (double)g->total / (double)t->busy : 0.0);
    }
    fclose(out);
    free(v);
    region_draw(l, text, len);
    free(text);
}

static void *run(void *arg)
{
    dec_live *l = arg;
    pthread_mutex_lock(&l->mu);
    draw(l); /* at once: the region is never left blank for a second */
    while (!l->stop) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += 1;
        while (!l->stop && pthread_cond_timedwait(&l->cv, &l->mu, &until) == 0)
            ;
        if (!l->stop)
            draw(l);
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

dec_live *dec_live_start(const dec_opts *o, st_table *t, FILE *out)
{
    dec_live *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->o = o;
    l->t = t;
    l->out = out;
    clock_gettime(CLOCK_MONOTONIC, &l->shown_at);
    region_set(l);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&l->th, NULL, run, l) != 0) {
        pthread_cond_destroy(&l->cv);
        pthread_mutex_destroy(&l->mu);
        region_reset(l);
        free(l);
        return NULL;
    }
    return l;
}

pthread_mutex_t *dec_live_lock(dec_live *l)
{
    return &l->mu;
}

void dec_live_counts(dec_live *l, uint64_t records, uint64_t lost, uint64_t damaged)
{
    l->records = records;
    l->lost = lost;
    l->damaged = damaged;
}

void dec_live_stop(dec_live *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->mu);
    l->stop = 1;
    pthread_cond_signal(&l->cv);
    pthread_mutex_unlock(&l->mu);
    pthread_join(l->th, NULL);
    region_reset(l);
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
    free(l);
}
