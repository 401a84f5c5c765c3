/*
 * stats.h - groups of operator durations and their statistics, for the
 * summary and diff views of `aclsub decode`, in memory bounded by the
 * number of groups, not of records.
 *
 * A table maps a key (a string plus a 64-bit number: the operator type, the
 * operator name with its full-name hash, or a model id) to a group, through
 * an open-addressing hash table.
 *
 * A group keeps its first ST_EXACT_MAX durations (4096: 32 KiB) in an
 * array, and while it has no more every statistic is exact: at the end the
 * array is partially ordered by quickselect for the median and the
 * percentiles.  The next duration turns the group into a sketch: a
 * histogram of ST_NBUCKETS log-linear buckets (30 KiB), bucket
 * (s << 6) + (x >> s) for x with s = max(0, floor(log2 x) - 6), i.e. values
 * below 128 (0 included) exactly and 64 buckets per power of two above.
 * The buckets merge by adding their counts.  Median and percentiles then come
 * from the bucket that holds the wanted rank: its midpoint, clamped to
 * [min, max], is within ST_REL_ERR = 1/128 (0.79 %) of the exact value,
 * since a bucket [m << s, (m+1) << s) has m >= 64.  Count, total, min, max
 * and mean stay exact; the standard deviation comes from sums of the
 * durations' differences from a shift (the mean of the kept ones) and of
 * their squares, in long double (as integers while they are small enough
 * for the long double sums to be exact: st_sketch_sum), with no duration
 * kept.
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

/* Durations a group keeps exactly; past them its percentiles come from the sketch. */
#define ST_EXACT_MAX 4096u
#define ST_SUB_BITS 6u /* 64 buckets per power of two */
#define ST_NBUCKETS ((64u - ST_SUB_BITS + 1u) << ST_SUB_BITS)
/* The sketch's bound on |reported - exact| / exact for median and percentiles. */
#define ST_REL_ERR (1.0 / 128.0)

typedef struct st_group {
    char *key;         /* NUL-terminated */
    size_t key_len;
    uint64_t extra;    /* name hash or model id; part of the key */
    uint64_t hash;
    uint64_t count, total, min, max;
    uint64_t *d;       /* the durations, while count <= ST_EXACT_MAX; else NULL */
    size_t cap;
    uint64_t *bucket;  /* the sketch's ST_NBUCKETS counts once count > ST_EXACT_MAX; else NULL */
    uint64_t shift;    /* sketch: the value s1 and s2 are taken from */
    long double s1, s2; /* sketch: sums of (d - shift) and (d - shift)^2, once sums_long (st_sketch_sum) */
    int64_t x1;        /* sketch: the same sums while !sums_long, as integers */
    uint64_t x2;
    int sums_long;
    /* filled by st_finish */
    double mean, median, stddev, ratio;
    uint64_t p90, p95, p99;
} st_group;

/* A remembered short key (st_get_field): its bytes zero-padded to 16, length, extra, group. */
typedef struct st_memo {
    uint64_t w[2];
    uint64_t extra;
    uint32_t len;
    uint32_t group; /* index + 1 into g; 0 empty */
} st_memo;
#define ST_MEMO_SIZE 64u

typedef struct st_table {
    st_group *g;
    size_t n, cap;
    uint32_t *slot; /* index + 1 into g; 0 empty */
    size_t nslot;   /* a power of two */
    uint64_t busy;  /* sum of all durations added */
    st_memo memo[ST_MEMO_SIZE]; /* st_get_field's direct-mapped cache of keys of at most 16 bytes */
} st_table;

void st_init(st_table *t);
void st_free(st_table *t);
/* The group of a key, created when new; NULL when out of memory. */
st_group *st_get(st_table *t, const char *key, size_t len, uint64_t extra);
/* st_get for a key read in place from a fixed-size field: at least 16 bytes
   are readable at key whatever len is.  Keys of at most 16 bytes are found
   through a small cache first, without hashing or comparing the string. */
st_group *st_get_field(st_table *t, const char *key, size_t len, uint64_t extra);
/* The group of a key, or NULL when there is none. */
st_group *st_find(const st_table *t, const char *key, size_t len, uint64_t extra);
/* The sketch bucket of a value. */
static inline unsigned st_bucket_of(uint64_t x)
{
    int e = 63 - __builtin_clzll(x | 1);
    int s = e - (int)ST_SUB_BITS;
    s = s < 0 ? 0 : s;
    return ((unsigned)s << ST_SUB_BITS) + (unsigned)(x >> s);
}
/* The smallest value of a bucket, and the width of its range. */
uint64_t st_bucket_low(unsigned b, uint64_t *width);

/* st_add when the array is full: grows it, or turns the group into a sketch. */
int st_add_slow(st_group *g, uint64_t dur);

/*
 * The sketch's sums of d - shift and its square.  While every difference is
 * below 2^31 and both sums below 2^62 they are kept as integers, in which
 * range the long double sums are exact too, so that the result is the same
 * to the bit; the first difference or sum past that moves them to the long
 * doubles for good (st_sketch_sum_long).
 */
#define ST_SMALL_DIFF (1ULL << 31)
#define ST_SMALL_SUM (1LL << 62)
void st_sketch_sum_long(st_group *g, uint64_t dur);
static inline void st_sketch_sum(st_group *g, uint64_t dur)
{
    uint64_t d = dur >= g->shift ? dur - g->shift : g->shift - dur;
    if (!g->sums_long && d < ST_SMALL_DIFF) {
        g->x1 += dur >= g->shift ? (int64_t)d : -(int64_t)d;
        g->x2 += d * d;
        if (g->x1 <= ST_SMALL_SUM && g->x1 >= -ST_SMALL_SUM && g->x2 <= (uint64_t)ST_SMALL_SUM)
            return;
        dur = g->shift; /* moves the sums, adding 0 */
    }
    st_sketch_sum_long(g, dur);
}

/* Adds one duration: 0, or -1 when out of memory. */
static inline int st_add(st_table *t, st_group *g, uint64_t dur)
{
    int rc = 0;
    if (g->bucket) {
        g->bucket[st_bucket_of(dur)]++;
        st_sketch_sum(g, dur);
    } else if (g->count < g->cap) {
        g->d[g->count] = dur;
    } else if ((rc = st_add_slow(g, dur)) < 0) {
        return rc;
    }
    g->count++;
    g->total = st_sat_add(g->total, dur);
    t->busy = st_sat_add(t->busy, dur);
    g->min = dur < g->min ? dur : g->min;
    g->max = dur > g->max ? dur : g->max;
    return 0;
}
/* Adds every duration of src to dst (the group of the union): 0, or -1 when out of memory. */
int st_merge(st_table *t, st_group *dst, const st_group *src);
/* 1 when the group's median and percentiles come from its sketch (within ST_REL_ERR). */
static inline int st_approx(const st_group *g)
{
    return g->bucket != NULL;
}
/* Groups of t whose percentiles come from the sketch. */
size_t st_approx_groups(const st_table *t);
/* Bytes a group holds beyond its key: the kept durations or the sketch. */
size_t st_group_bytes(const st_group *g);
/* Computes every group's statistics (reorders the duration arrays). */
void st_finish(st_table *t);
void st_finish_group(st_group *g, uint64_t busy);

/* The value of rank k (0-based, ascending) of a[0..n-1]; partially reorders a. */
uint64_t st_select(uint64_t *a, size_t n, size_t k);
/* The nearest-rank percentile's 0-based index for n values. */
size_t st_rank(size_t n, unsigned pct);

#endif /* ACLSUB_DECODER_STATS_H_ */
