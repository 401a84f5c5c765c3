/*
 * stats.c - the group table and the exact statistics of stats.h.
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

int st_add(st_table *t, st_group *g, uint64_t dur)
{
    if (g->count == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 16;
        uint64_t *d = realloc(g->d, cap * sizeof *d);
        if (!d)
            return -1;
        g->d = d;
        g->cap = cap;
    }
    g->d[g->count++] = dur;
    g->total = st_sat_add(g->total, dur);
    t->busy = st_sat_add(t->busy, dur);
    if (dur < g->min)
        g->min = dur;
    if (dur > g->max)
        g->max = dur;
    return 0;
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

void st_finish_group(st_group *g, uint64_t busy)
{
    size_t n = (size_t)g->count;
    if (n == 0)
        return;
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
    g->ratio = busy ? 100.0 * (double)g->total / (double)busy : 0.0;
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

void st_finish(st_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        st_finish_group(&t->g[i], t->busy);
}
