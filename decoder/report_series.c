/*
 * report_series.c - the two bounded summaries of `aclsub report`: the
 * log-scale duration histogram (4 bins per octave: bin 4(e-1)+m holds the
 * durations whose leading bit is e and next two bits m; 0..3 ns have a bin
 * each), and the series of execute times, downsampled to at most
 * RP_SERIES_MAX buckets that keep count, sum, min and max (when the
 * buckets are full, neighbours merge and each bucket takes twice as many
 * executes), so warm-up and outliers stay visible in a run of any length.
 */
#include "decoder/report.h"

unsigned rp_hbin(uint64_t ns)
{
    if (ns < 4)
        return (unsigned)ns;
    unsigned e = 63u - (unsigned)__builtin_clzll(ns);
    return 4u * (e - 1u) + (unsigned)((ns >> (e - 2u)) & 3u);
}

uint64_t rp_hbin_lo(unsigned bin)
{
    if (bin < 4)
        return bin;
    unsigned e = bin / 4u + 1u, m = bin % 4u;
    return (uint64_t)(4u + m) << (e - 2u);
}

static void merge_pairs(rp_series *s)
{
    size_t out = 0;
    for (size_t i = 0; i < s->nb; i += 2, out++) {
        rp_bucket m = s->b[i];
        if (i + 1 < s->nb) {
            const rp_bucket *x = &s->b[i + 1];
            m.n += x->n;
            m.sum = st_sat_add(m.sum, x->sum);
            m.min = x->min < m.min ? x->min : m.min;
            m.max = x->max > m.max ? x->max : m.max;
        }
        s->b[out] = m;
    }
    s->nb = out;
    s->width *= 2;
}

void rp_series_add(rp_series *s, uint64_t iteration, uint64_t dur)
{
    if (s->width == 0)
        s->width = 1;
    uint64_t idx = s->n / s->width;
    if (idx >= RP_SERIES_MAX) {
        merge_pairs(s);
        idx = s->n / s->width;
    }
    if (idx == s->nb)
        s->b[s->nb++] = (rp_bucket){.first = s->n, .iter = iteration, .min = dur, .max = dur};
    rp_bucket *b = &s->b[idx];
    b->n++;
    b->sum = st_sat_add(b->sum, dur);
    b->min = dur < b->min ? dur : b->min;
    b->max = dur > b->max ? dur : b->max;
    s->n++;
}
