/*
 * stats.c - the group table of stats.h, its statistics (exact from the
 * kept durations, or from the sketch past ST_EXACT_MAX of them), and the
 * merge of two groups.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decoder/stats.h"

void st_init(st_table *t)
{
    memset(t, 0, sizeof *t);
}

void st_free(st_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->g[i].key);
        free(t->g[i].d);
        free(t->g[i].bucket);
    }
    free(t->g);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

static uint64_t key_hash(const char *key, size_t len, uint64_t extra)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ (extra * 0x9E3779B97F4A7C15ULL);
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 0x100000001b3ULL;
    }
    return h ^ (h >> 29);
}

static int grow_slots(st_table *t)
{
    size_t n = t->nslot ? t->nslot * 2 : 64;
    uint32_t *s = calloc(n, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        size_t j = (size_t)t->g[i].hash & (n - 1);
        while (s[j])
            j = (j + 1) & (n - 1);
        s[j] = (uint32_t)(i + 1);
    }
    free(t->slot);
    t->slot = s;
    t->nslot = n;
    return 0;
}

static st_group *new_group(st_table *t, const char *key, size_t len, uint64_t extra, uint64_t h)
{
    if (t->n >= UINT32_MAX - 1)
        return NULL;
    if ((t->n + 1) * 2 > t->nslot && grow_slots(t) < 0)
        return NULL;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        st_group *g = realloc(t->g, cap * sizeof *g);
        if (!g)
            return NULL;
        t->g = g;
        t->cap = cap;
    }
    char *k = malloc(len + 1);
    if (!k)
        return NULL;
    memcpy(k, key, len);
    k[len] = '\0';
    st_group *g = &t->g[t->n];
    memset(g, 0, sizeof *g);
    g->key = k;
    g->key_len = len;
    g->extra = extra;
    g->hash = h;
    g->min = UINT64_MAX;
    size_t j = (size_t)h & (t->nslot - 1);
    while (t->slot[j])
        j = (j + 1) & (t->nslot - 1);
    t->slot[j] = (uint32_t)(++t->n);
    return g;
}

static st_group *find(const st_table *t, const char *key, size_t len, uint64_t extra, uint64_t h)
{
    if (!t->nslot)
        return NULL;
    size_t mask = t->nslot - 1;
    for (size_t j = (size_t)h & mask; t->slot[j]; j = (j + 1) & mask) {
        st_group *g = &t->g[t->slot[j] - 1];
        if (g->hash == h && g->extra == extra && g->key_len == len && memcmp(g->key, key, len) == 0)
            return g;
    }
    return NULL;
}

st_group *st_find(const st_table *t, const char *key, size_t len, uint64_t extra)
{
    return find(t, key, len, extra, key_hash(key, len, extra));
}

st_group *st_get(st_table *t, const char *key, size_t len, uint64_t extra)
{
    uint64_t h = key_hash(key, len, extra);
    st_group *g = find(t, key, len, extra, h);
    return g ? g : new_group(t, key, len, extra, h);
}

st_group *st_get_field(st_table *t, const char *key, size_t len, uint64_t extra)
{
    if (len > 16)
        return st_get(t, key, len, extra);
    /* the bytes past the key (the field's padding, or anything in a hostile record) do not count */
    static const unsigned char ones_then_zeros[32] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                                      0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    uint64_t w[2], mask[2];
    memcpy(w, key, 16);
    memcpy(mask, ones_then_zeros + 16 - len, 16);
    w[0] &= mask[0];
    w[1] &= mask[1];
    uint64_t h = (w[0] ^ (w[1] * 0x9E3779B97F4A7C15ULL) ^ (extra * 0xC2B2AE3D27D4EB4FULL) ^ len) *
                 0x9E3779B97F4A7C15ULL;
    st_memo *m = &t->memo[h >> 58];
    if (m->group && m->len == len && m->w[0] == w[0] && m->w[1] == w[1] && m->extra == extra)
        return &t->g[m->group - 1];
    st_group *g = st_get(t, key, len, extra);
    if (g)
        *m = (st_memo){{w[0], w[1]}, extra, (uint32_t)len, (uint32_t)(g - t->g) + 1};
    return g;
}

uint64_t st_bucket_low(unsigned b, uint64_t *width)
{
    unsigned s = b >> ST_SUB_BITS;
    s = s ? s - 1 : 0;
    *width = (uint64_t)1 << s;
    return (uint64_t)(b - (s << ST_SUB_BITS)) << s;
}

/* Turns an exact group into a sketch: its kept durations go into the buckets and the sums. */
static int to_sketch(st_group *g)
{
    g->bucket = calloc(ST_NBUCKETS, sizeof *g->bucket);
    if (!g->bucket)
        return -1;
    size_t n = (size_t)g->count;
    unsigned __int128 sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += g->d[i];
    g->shift = n ? (uint64_t)(sum / n) : 0;
    g->s1 = g->s2 = 0;
    g->x1 = 0;
    g->x2 = 0;
    g->sums_long = 0;
    for (size_t i = 0; i < n; i++) {
        g->bucket[st_bucket_of(g->d[i])]++;
        st_sketch_sum(g, g->d[i]);
    }
    free(g->d);
    g->d = NULL;
    g->cap = 0;
    return 0;
}

int st_add_slow(st_group *g, uint64_t dur)
{
    if (g->count < ST_EXACT_MAX) {
        size_t cap = g->cap ? g->cap * 2 : 16;
        cap = cap > ST_EXACT_MAX ? ST_EXACT_MAX : cap;
        uint64_t *d = realloc(g->d, cap * sizeof *d);
        if (!d)
            return -1;
        g->d = d;
        g->cap = cap;
        g->d[g->count] = dur;
        return 0;
    }
    if (to_sketch(g) < 0)
        return -1;
    g->bucket[st_bucket_of(dur)]++;
    st_sketch_sum(g, dur);
    return 0;
}

/* The sums as long doubles (exact while they were integers). */
static long double sum1(const st_group *g)
{
    return g->sums_long ? g->s1 : (long double)g->x1;
}

static long double sum2(const st_group *g)
{
    return g->sums_long ? g->s2 : (long double)g->x2;
}

void st_sketch_sum_long(st_group *g, uint64_t dur)
{
    if (!g->sums_long) {
        g->s1 = sum1(g);
        g->s2 = sum2(g);
        g->sums_long = 1;
    }
    long double x = (long double)dur - (long double)g->shift;
    g->s1 += x;
    g->s2 += x * x;
}

/* Adds the sketch of src to the sketch of dst: bucket counts, and the sums moved to dst's shift. */
static void add_sketch(st_table *t, st_group *dst, const st_group *src)
{
    for (unsigned b = 0; b < ST_NBUCKETS; b++)
        dst->bucket[b] += src->bucket[b];
    long double n = (long double)src->count;
    long double delta = (long double)src->shift - (long double)dst->shift;
    st_sketch_sum_long(dst, dst->shift); /* the sums as long doubles from here on */
    long double s1 = sum1(src), s2 = sum2(src);
    dst->s1 += s1 + n * delta;
    dst->s2 += s2 + 2 * delta * s1 + n * delta * delta;
    dst->count += src->count;
    dst->total = st_sat_add(dst->total, src->total);
    t->busy = st_sat_add(t->busy, src->total);
    dst->min = src->min < dst->min ? src->min : dst->min;
    dst->max = src->max > dst->max ? src->max : dst->max;
}

int st_merge(st_table *t, st_group *dst, const st_group *src)
{
    if (!src->bucket) {
        for (size_t i = 0; i < (size_t)src->count; i++)
            if (st_add(t, dst, src->d[i]) < 0)
                return -1;
        return 0;
    }
    if (!dst->bucket && to_sketch(dst) < 0)
        return -1;
    add_sketch(t, dst, src);
    return 0;
}

size_t st_approx_groups(const st_table *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        n += st_approx(&t->g[i]);
    return n;
}

size_t st_group_bytes(const st_group *g)
{
    return g->bucket ? ST_NBUCKETS * sizeof *g->bucket : g->cap * sizeof *g->d;
}

static void swap64(uint64_t *a, uint64_t *b)
{
    uint64_t t = *a;
    *a = *b;
    *b = t;
}

static uint64_t median3(uint64_t a, uint64_t b, uint64_t c)
{
    if (a > b) {
        uint64_t t = a;
        a = b;
        b = t;
    }
    return c < a ? a : c > b ? b : c;
}

/*
 * Quickselect with three-way partitioning (many durations are equal) and
 * a median-of-three pivot; insertion sort for short ranges.
 */
uint64_t st_select(uint64_t *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n; /* the answer is in [lo, hi) */
    while (hi - lo > 16) {
        uint64_t pivot = median3(a[lo], a[lo + (hi - lo) / 2], a[hi - 1]);
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            if (a[i] < pivot)
                swap64(&a[lt++], &a[i++]);
            else if (a[i] > pivot)
                swap64(&a[i], &a[--gt]);
            else
                i++;
        }
        if (k < lt)
            hi = lt;
        else if (k >= gt)
            lo = gt;
        else
            return pivot;
    }
    for (size_t i = lo + 1; i < hi; i++) {
        uint64_t v = a[i];
        size_t j = i;
        for (; j > lo && a[j - 1] > v; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
    return a[k];
}

size_t st_rank(size_t n, unsigned pct)
{
    size_t r = (size_t)(((unsigned __int128)n * pct + 99) / 100);
    return r ? r - 1 : 0;
}

/* Mean and standard deviation from the kept durations, two passes. */
static void exact_moments(st_group *g)
{
    size_t n = (size_t)g->count;
    if (g->total < UINT64_MAX) {
        g->mean = (double)g->total / (double)n;
    } else { /* the total saturated: the mean from the durations themselves */
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += (double)g->d[i];
        g->mean = sum / (double)n;
    }
    double ss = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)g->d[i] - g->mean;
        ss += d * d;
    }
    g->stddev = sqrt(ss / (double)n);
}

/* Median and percentiles from the kept durations, by quickselect. */
static void exact_ranks(st_group *g)
{
    size_t n = (size_t)g->count;
    /* Ranks in ascending order, each selected in what lies right of the previous one. */
    size_t base = 0;
    uint64_t hi_mid = 0, lo_mid = 0;
    if (n % 2 == 0) {
        lo_mid = st_select(g->d, n, n / 2 - 1);
        base = n / 2 - 1;
    }
    hi_mid = st_select(g->d + base, n - base, n / 2 - base);
    base = n / 2;
    g->median = n % 2 ? (double)hi_mid : ((double)lo_mid + (double)hi_mid) / 2.0;
    static const unsigned pcts[3] = {90, 95, 99};
    uint64_t *out[3] = {&g->p90, &g->p95, &g->p99};
    for (int i = 0; i < 3; i++) {
        size_t r = st_rank(n, pcts[i]);
        if (r < base)
            r = base; /* cannot happen for n >= 1, kept for safety */
        *out[i] = st_select(g->d + base, n - base, r - base);
        base = r;
    }
}

/* Mean and standard deviation of a sketch: the total when it did not saturate, else the sums. */
static void sketch_moments(st_group *g)
{
    long double n = (long double)g->count, m1 = sum1(g) / n;
    g->mean = g->total < UINT64_MAX ? (double)g->total / (double)g->count : (double)((long double)g->shift + m1);
    long double var = sum2(g) / n - m1 * m1;
    g->stddev = var > 0 ? (double)sqrtl(var) : 0.0;
}

/* The value a sketch reports for the bucket holding a rank: its midpoint within [min, max]. */
static uint64_t bucket_value(const st_group *g, unsigned b)
{
    uint64_t width, low = st_bucket_low(b, &width);
    uint64_t v = low + width / 2;
    return v < g->min ? g->min : v > g->max ? g->max : v;
}

/* Median and percentiles of a sketch: one pass over the buckets, ranks in ascending order. */
static void sketch_ranks(st_group *g)
{
    uint64_t n = g->count;
    uint64_t rank[5] = {(n - 1) / 2, n / 2, st_rank((size_t)n, 90), st_rank((size_t)n, 95), st_rank((size_t)n, 99)};
    uint64_t val[5] = {0};
    uint64_t below = 0; /* values in the buckets before b */
    int k = 0;
    for (unsigned b = 0; b < ST_NBUCKETS && k < 5; b++) {
        below += g->bucket[b];
        while (k < 5 && rank[k] < below)
            val[k++] = bucket_value(g, b);
    }
    g->median = ((double)val[0] + (double)val[1]) / 2.0;
    g->p90 = val[2];
    g->p95 = val[3];
    g->p99 = val[4];
}

void st_finish_group(st_group *g, uint64_t busy)
{
    if (g->count == 0)
        return;
    g->ratio = busy ? 100.0 * (double)g->total / (double)busy : 0.0;
    if (g->bucket) {
        sketch_moments(g);
        sketch_ranks(g);
    } else {
        exact_moments(g);
        exact_ranks(g);
    }
}

void st_finish(st_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        st_finish_group(&t->g[i], t->busy);
}
