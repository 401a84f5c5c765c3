/*
 * stats.h - groups of operator durations and their exact statistics, for
 * the summary and diff views of `aclsub decode`.
 *
 * A table maps a key (a string plus a 64-bit number: the operator type, the
 * operator name with its full-name hash, or a model id) to a group, through
 * an open-addressing hash table; no allocation happens per record except
 * when a group's duration array doubles.  Every duration is kept (8 bytes a
 * record: 80 MB for 10 million), so the statistics are exact: at the end
 * each group's array is partially ordered by quickselect for the median and
 * the percentiles.
 *
 * Definitions: mean = total / count; median = the middle value, or the mean
 * of the two middle values for an even count; pN = the nearest-rank
 * percentile, the value at rank ceil(N/100 * count) (1-based) in ascending
 * order; stddev = the population standard deviation (divided by count);
 * ratio = 100 * total / the table's busy time (the sum of all groups' totals).
 */
#ifndef ACLSUB_DECODER_STATS_H_
#define ACLSUB_DECODER_STATS_H_

#include <stddef.h>
#include <stdint.h>

/* a + b, or UINT64_MAX when that does not fit: totals saturate rather than wrap. */
static inline uint64_t st_sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

typedef struct st_group {
    char *key;         /* NUL-terminated */
    size_t key_len;
    uint64_t extra;    /* name hash or model id; part of the key */
    uint64_t hash;
    uint64_t count, total, min, max;
    uint64_t *d;       /* every duration */
    size_t cap;
    /* filled by st_finish */
    double mean, median, stddev, ratio;
    uint64_t p90, p95, p99;
} st_group;

typedef struct st_table {
    st_group *g;
    size_t n, cap;
    uint32_t *slot; /* index + 1 into g; 0 empty */
    size_t nslot;   /* a power of two */
    uint64_t busy;  /* sum of all durations added */
} st_table;

void st_init(st_table *t);
void st_free(st_table *t);
/* The group of a key, created when new; NULL when out of memory. */
st_group *st_get(st_table *t, const char *key, size_t len, uint64_t extra);
/* The group of a key, or NULL when there is none. */
st_group *st_find(const st_table *t, const char *key, size_t len, uint64_t extra);
/* Adds one duration: 0, or -1 when out of memory. */
int st_add(st_table *t, st_group *g, uint64_t dur);
/* Computes every group's statistics (reorders the duration arrays). */
void st_finish(st_table *t);
void st_finish_group(st_group *g, uint64_t busy);

/* The value of rank k (0-based, ascending) of a[0..n-1]; partially reorders a. */
uint64_t st_select(uint64_t *a, size_t n, size_t k);
/* The nearest-rank percentile's 0-based index for n values. */
size_t st_rank(size_t n, unsigned pct);

#endif /* ACLSUB_DECODER_STATS_H_ */
