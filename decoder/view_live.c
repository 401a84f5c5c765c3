/*
 * follow.c - the live display of `aclsub decode --follow` on a terminal:
 * a thread redraws, about once a second, the record rate, the lost and
 * damaged counts and the top operator groups by total time, clearing the
 * screen with ANSI escapes.  The pipeline holds the display's lock while it
 * changes the group table or the counters, so the two never race.  Only
 * used when the output is a terminal; elsewhere --follow prints the final
 * summary only.
 */
#include <inttypes.h>
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
};

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
    FILE *out = l->out;
    fputs("\033[H\033[2J", out);
    fprintf(out, "aclsub decode --follow   records: %" PRIu64 "   %.0f records/s   lost: %" PRIu64
                 "   damaged: %" PRIu64 "\n\n",
            l->records, rate, l->lost, l->damaged);
    st_table *t = l->t;
    size_t n = t->n, top = l->o->top > 0 ? (size_t)l->o->top : 20;
    st_group **v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return;
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
    fflush(out);
    free(v);
}

static void *run(void *arg)
{
    dec_live *l = arg;
    pthread_mutex_lock(&l->mu);
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
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&l->th, NULL, run, l) != 0) {
        pthread_cond_destroy(&l->cv);
        pthread_mutex_destroy(&l->mu);
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
    fputs("\033[H\033[2J", l->out);
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
    free(l);
}
