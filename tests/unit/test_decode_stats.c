/*
 * test_decode_stats.c - the building blocks of `aclsub decode`'s views:
 * quickselect and the exact statistics against a sort-based reference on
 * random data (many ties included), the sketch of large groups against the
 * same reference (relative error bound on large random and adversarial
 * distributions, merge, bounded memory), the group table, the JSON, CSV and
 * tab escaping of arbitrary bytes, human units, and the whole pipeline on
 * a stream in memory (summary and Chrome trace through open_memstream).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decoder/decode.h"
#include "decoder/stats.h"
#include "tests/unit/testutil.h"
#include "decoder/textout.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

START_TEST(test_group_field_lookup_matches_plain_lookup)
{
    /* st_get_field (keys in place in a fixed-size field, short ones through a cache) finds the
       group st_get finds: keys of every length around 8 and 16, bytes after the key that differ,
       extras that differ, and more keys than the cache has entries. */
    st_table t;
    st_init(&t);
    uint64_t s = 5;
    for (int iter = 0; iter < 20000; iter++) {
        unsigned id = (unsigned)(tu_rand(&s) % 300);
        size_t len = id % 21;
        char field[64];
        for (size_t i = 0; i < sizeof field; i++)
            field[i] = (char)tu_rand(&s); /* whatever follows the key */
        for (size_t i = 0; i < len; i++)
            field[i] = (char)('a' + (id * 7 + i * 3) % 26);
        uint64_t extra = id % 3;
        st_group *g = st_get_field(&t, field, len, extra);
        ck_assert_ptr_nonnull(g);
        ck_assert_ptr_eq(g, st_find(&t, field, len, extra));
        ck_assert_uint_eq(g->key_len, len);
        ck_assert_uint_eq(g->extra, extra);
        ck_assert_int_eq(memcmp(g->key, field, len), 0);
        ck_assert_int_eq(st_add(&t, g, 1), 0);
    }
    ck_assert_uint_le(t.n, 300);
    uint64_t total = 0;
    for (size_t i = 0; i < t.n; i++)
        total += t.g[i].count;
    ck_assert_uint_eq(total, 20000);
    st_free(&t);
}
END_TEST

/* The sketch's standard deviation as the long double sums give it, every term added in order. */
static double sketch_stddev_reference(const uint64_t *d, size_t n)
{
    unsigned __int128 sum = 0;
    for (size_t i = 0; i < ST_EXACT_MAX; i++)
        sum += d[i];
    uint64_t shift = (uint64_t)(sum / ST_EXACT_MAX);
    long double s1 = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        long double x = (long double)d[i] - (long double)shift;
        s1 += x;
        s2 += x * x;
    }
    long double ln = (long double)n, m1 = s1 / ln, var = s2 / ln - m1 * m1;
    return var > 0 ? (double)sqrtl(var) : 0.0;
}

START_TEST(test_sketch_sums_same_as_long_double_sums)
{
    /* Integer sums while small, long doubles past that: the same standard deviation to the bit,
       whether the differences stay small, are large from the start, or grow large half-way, and
       whether the sum of squares passes 2^62 with small differences. */
    enum { N = ST_EXACT_MAX + 3000 };
    static uint64_t d[N];
    uint64_t s = 31;
    for (int kind = 0; kind < 5; kind++) {
        for (size_t i = 0; i < N; i++) {
            uint64_t base = kind == 1 ? (1ULL << 50) : 1000000;
            uint64_t spread = kind == 1 ? (1ULL << 45) : 500000;
            d[i] = base + tu_rand(&s) % spread;
            if (kind == 2 && i == ST_EXACT_MAX + 1500)
                d[i] = 1ULL << 52;                       /* one large difference half-way */
            if (kind == 3 && i > ST_EXACT_MAX + 10)
                d[i] = i % 2 ? 1000000 + (1ULL << 31) - 1 : 1; /* squares near 2^62 */
            if (kind == 4 && i > ST_EXACT_MAX + 10)
                d[i] = UINT64_MAX - tu_rand(&s) % 1000;  /* near the top of the range */
        }
        st_table t;
        st_init(&t);
        st_group *g = st_get(&t, "k", 1, 0);
        for (size_t i = 0; i < N; i++)
            ck_assert_int_eq(st_add(&t, g, d[i]), 0);
        ck_assert(st_approx(g));
        st_finish(&t);
        double want = sketch_stddev_reference(d, N);
        ck_assert_msg(g->stddev == want, "kind %d: %.17g != %.17g", kind, g->stddev, want);
        st_free(&t);
    }
}
END_TEST

START_TEST(test_select_matches_sort)
{
    uint64_t s = 99;
    for (int iter = 0; iter < 300; iter++) {
        size_t n = 1 + tu_rand(&s) % 2000;
        uint64_t mod = iter % 3 == 0 ? 4 : 1000000; /* many ties, or few */
        uint64_t *a = malloc(n * sizeof *a), *ref = malloc(n * sizeof *ref);
        for (size_t i = 0; i < n; i++)
            a[i] = ref[i] = tu_rand(&s) % mod;
        qsort(ref, n, sizeof *ref, cmp_u64);
        size_t k = tu_rand(&s) % n;
        ck_assert_uint_eq(st_select(a, n, k), ref[k]);
        free(a);
        free(ref);
    }
}
END_TEST

START_TEST(test_group_statistics_exact)
{
    uint64_t s = 7;
    for (int iter = 0; iter < 100; iter++) {
        st_table t;
        st_init(&t);
        st_group *g = st_get(&t, "Conv", 4, 0);
        size_t n = 1 + tu_rand(&s) % ST_EXACT_MAX; /* up to the last exact size */
        uint64_t *ref = malloc(n * sizeof *ref), total = 0;
        for (size_t i = 0; i < n; i++) {
            ref[i] = 1 + tu_rand(&s) % (iter % 2 ? 10 : 100000);
            total += ref[i];
            ck_assert_int_eq(st_add(&t, g, ref[i]), 0);
        }
        st_finish(&t);
        qsort(ref, n, sizeof *ref, cmp_u64);
        double median = n % 2 ? (double)ref[n / 2] : ((double)ref[n / 2 - 1] + (double)ref[n / 2]) / 2;
        ck_assert(!st_approx(g));
        ck_assert_uint_eq(g->count, n);
        ck_assert_uint_eq(g->total, total);
        ck_assert_uint_eq(g->min, ref[0]);
        ck_assert_uint_eq(g->max, ref[n - 1]);
        ck_assert(g->median == median);
        ck_assert_uint_eq(g->p90, ref[(n * 90 + 99) / 100 - 1]);
        ck_assert_uint_eq(g->p95, ref[(n * 95 + 99) / 100 - 1]);
        ck_assert_uint_eq(g->p99, ref[(n * 99 + 99) / 100 - 1]);
        double mean = (double)total / (double)n, ss = 0;
        for (size_t i = 0; i < n; i++)
            ss += ((double)ref[i] - mean) * ((double)ref[i] - mean);
        ck_assert(fabs(g->stddev - sqrt(ss / (double)n)) <= 1e-9 * (1 + g->stddev));
        ck_assert(fabs(g->ratio - 100.0) < 1e-9);
        free(ref);
        st_free(&t);
    }
}
END_TEST

/* The distributions the sketch is checked on: kind k of value i (s: the random state). */
static uint64_t sketch_value(int kind, uint64_t *s)
{
    uint64_t r = tu_rand(s);
    switch (kind) {
    case 0: /* uniform over six decades */
        return 1000 + r % 1000000000ull;
    case 1: { /* heavy tail: 1 / u, Pareto-like, up to ~2^52 */
        double u = (double)(r >> 11) / 9007199254740992.0 + 1e-16;
        return (uint64_t)(500.0 / u);
    }
    case 2: /* many equal values: a few durations only */
        return (uint64_t[]){1100, 1100, 1100, 2500, 7}[r % 5];
    case 3: /* zeros among small values */
        return r % 3 == 0 ? 0 : r % 300;
    case 4: /* near 2^64 */
        return UINT64_MAX - r % 1000000;
    case 5: /* every order of magnitude of 64-bit values */
        return r >> (r % 64);
    default: /* bucket edges: powers of two and their neighbours */
        return ((uint64_t)1 << (r % 64)) - (r >> 62) % 2;
    }
}

static int rel_ok(double got, double exact)
{
    return fabs(got - exact) <= exact * ST_REL_ERR + 1e-9 * (exact + 1);
}

/* Median and percentiles of a finished sketch against the sorted values ref[0..n-1]. */
static void check_sketch_ranks(const st_group *g, const uint64_t *ref, size_t n)
{
    double median = n % 2 ? (double)ref[n / 2] : ((double)ref[n / 2 - 1] + (double)ref[n / 2]) / 2;
    ck_assert_msg(rel_ok(g->median, median), "median %.1f, exact %.1f", g->median, median);
    const unsigned pct[3] = {90, 95, 99};
    const uint64_t got[3] = {g->p90, g->p95, g->p99};
    for (int k = 0; k < 3; k++) {
        uint64_t exact = ref[st_rank(n, pct[k])];
        ck_assert_msg(rel_ok((double)got[k], (double)exact), "p%u %llu, exact %llu", pct[k],
                      (unsigned long long)got[k], (unsigned long long)exact);
    }
}

START_TEST(test_sketch_within_bound)
{
    uint64_t s = 12345;
    const size_t n = 300000;
    uint64_t *ref = malloc(n * sizeof *ref);
    for (int kind = 0; kind < 7; kind++) {
        st_table t;
        st_init(&t);
        st_group *g = st_get(&t, "k", 1, 0);
        uint64_t total = 0;
        int failed = 0;
        for (size_t i = 0; i < n; i++) {
            ref[i] = sketch_value(kind, &s);
            total = st_sat_add(total, ref[i]);
            failed |= st_add(&t, g, ref[i]);
        }
        ck_assert_int_eq(failed, 0);
        st_finish(&t);
        ck_assert(st_approx(g));
        qsort(ref, n, sizeof *ref, cmp_u64);
        ck_assert_uint_eq(g->count, n);
        ck_assert_uint_eq(g->total, total);
        ck_assert_uint_eq(g->min, ref[0]);
        ck_assert_uint_eq(g->max, ref[n - 1]);
        unsigned __int128 above = 0; /* exact sums of the differences from the minimum */
        for (size_t i = 0; i < n; i++)
            above += ref[i] - ref[0];
        long double mean_above = (long double)above / n, ss = 0;
        for (size_t i = 0; i < n; i++)
            ss += ((long double)(ref[i] - ref[0]) - mean_above) * ((long double)(ref[i] - ref[0]) - mean_above);
        long double mean = (long double)ref[0] + mean_above;
        ck_assert(fabsl((long double)g->mean - mean) <= 1e-12L * mean);
        ck_assert_msg(fabsl((long double)g->stddev - sqrtl(ss / n)) <= 1e-6L * (1 + sqrtl(ss / n)),
                      "kind %d: stddev %.6f, exact %.6Lf", kind, g->stddev, sqrtl(ss / n));
        check_sketch_ranks(g, ref, n);
        st_free(&t);
    }
    free(ref);
}
END_TEST

START_TEST(test_sketch_exact_up_to_bound)
{
    st_table t;
    st_init(&t);
    st_group *g = st_get(&t, "k", 1, 0);
    for (uint64_t i = 0; i < ST_EXACT_MAX; i++)
        ck_assert_int_eq(st_add(&t, g, 1000 + i * 7), 0);
    ck_assert(!st_approx(g));
    ck_assert_int_eq(st_add(&t, g, 5), 0);
    ck_assert(st_approx(g));
    for (unsigned b = 0; b < ST_NBUCKETS; b++) { /* every bucket holds the values that map to it */
        uint64_t w, lo = st_bucket_low(b, &w);
        ck_assert_uint_eq(st_bucket_of(lo), b);
        ck_assert_uint_eq(st_bucket_of(lo + (w - 1)), b);
        ck_assert(w == 1 || (double)(w / 2) <= ST_REL_ERR * (double)lo);
    }
    ck_assert_uint_eq(st_bucket_of(UINT64_MAX), ST_NBUCKETS - 1);
    st_free(&t);
}
END_TEST

START_TEST(test_sketch_merge_is_union)
{
    uint64_t s = 777;
    const size_t sizes[][2] = {{100, 200}, {3000, 3000}, {100, 50000}, {50000, 100}, {40000, 60000}};
    for (size_t c = 0; c < sizeof sizes / sizeof sizes[0]; c++) {
        st_table t, u;
        st_init(&t);
        st_init(&u);
        st_group *a = st_get(&t, "a", 1, 0), *b = st_get(&t, "b", 1, 0), *all = st_get(&u, "a", 1, 0);
        size_t na = sizes[c][0], nb = sizes[c][1], n = na + nb;
        uint64_t *ref = malloc(n * sizeof *ref);
        int failed = 0;
        for (size_t i = 0; i < n; i++) {
            ref[i] = sketch_value((int)(i % 7), &s);
            failed |= st_add(&t, i < na ? a : b, ref[i]) | st_add(&u, all, ref[i]);
        }
        ck_assert_int_eq(failed, 0);
        ck_assert_int_eq(st_merge(&t, a, b), 0);
        ck_assert_uint_eq(a->count, all->count);
        ck_assert_uint_eq(a->total, all->total);
        ck_assert_uint_eq(a->min, all->min);
        ck_assert_uint_eq(a->max, all->max);
        ck_assert_int_eq(st_approx(a), st_approx(all));
        if (st_approx(a))
            ck_assert_mem_eq(a->bucket, all->bucket, ST_NBUCKETS * sizeof *a->bucket);
        st_finish_group(a, 0);
        st_finish_group(all, 0);
        ck_assert(a->median == all->median && a->p90 == all->p90 && a->p95 == all->p95 && a->p99 == all->p99);
        ck_assert(fabs(a->stddev - all->stddev) <= 1e-9 * (1 + all->stddev));
        qsort(ref, n, sizeof *ref, cmp_u64);
        check_sketch_ranks(a, ref, n);
        free(ref);
        st_free(&t);
        st_free(&u);
    }
}
END_TEST

START_TEST(test_sketch_memory_bounded)
{
    st_table t;
    st_init(&t);
    st_group *g = st_get(&t, "k", 1, 0);
    uint64_t s = 4242;
    size_t at_bound = 0;
    int failed = 0; /* asserted after the loop: an assertion per value would dominate the time */
    for (size_t i = 0; i < 10000000; i++) {
        failed |= st_add(&t, g, 100 + tu_rand(&s) % 100000000);
        if (i == ST_EXACT_MAX)
            at_bound = st_group_bytes(g);
    }
    ck_assert_int_eq(failed, 0);
    ck_assert_uint_eq(st_group_bytes(g), at_bound);
    ck_assert_uint_le(st_group_bytes(g), ST_EXACT_MAX * sizeof(uint64_t));
    st_free(&t);
}
END_TEST

START_TEST(test_group_table_keys)
{
    st_table t;
    st_init(&t);
    char key[16];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(key, sizeof key, "op%d", i % 1000);
        st_group *g = st_get(&t, key, (size_t)n, (uint64_t)(i % 2000 >= 1000)); /* extra is part of the key */
        ck_assert_ptr_nonnull(g);
        ck_assert_int_eq(st_add(&t, g, (uint64_t)i), 0);
    }
    ck_assert_uint_eq(t.n, 2000);
    ck_assert_ptr_nonnull(st_find(&t, "op5", 3, 1));
    ck_assert_ptr_null(st_find(&t, "op5", 3, 2));
    ck_assert_ptr_null(st_find(&t, "op", 2, 0));
    st_free(&t);
}
END_TEST

static void json_of(const char *in, size_t n, char *out)
{
    *tx_put_json(out, in, n) = '\0';
}

START_TEST(test_json_escaping)
{
    char out[256];
    json_of("a\"b\\c\n\t\x01\x7f", 9, out);
    ck_assert_str_eq(out, "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\"");
    json_of("\xe5\x90\x8d", 3, out); /* valid UTF-8 is kept */
    ck_assert_str_eq(out, "\"\xe5\x90\x8d\"");
    json_of("\xff\xe5\x90x\xc0\xaf\xed\xa0\x80", 9, out); /* invalid: each byte as \u00XX */
    ck_assert_str_eq(out, "\"\\u00ff\\u00e5\\u0090x\\u00c0\\u00af\\u00ed\\u00a0\\u0080\"");
    json_of("\xf4\x90\x80\x80", 4, out); /* above U+10FFFF */
    ck_assert_str_eq(out, "\"\\u00f4\\u0090\\u0080\\u0080\"");
}
END_TEST

START_TEST(test_csv_tsv_escaping_and_units)
{
    char out[256];
    *tx_put_csv(out, "plain", 5) = '\0';
    ck_assert_str_eq(out, "plain");
    *tx_put_csv(out, "a,\"b\"", 5) = '\0';
    ck_assert_str_eq(out, "\"a,\"\"b\"\"\"");
    tx_put_tsv(out, "t\tn\n\\\x02");
    ck_assert_str_eq(out, "t\\tn\\n\\\\\\x02");
    *tx_put_us3(out, 12345) = '\0';
    ck_assert_str_eq(out, "12.345");
    *tx_put_us3(out, -5) = '\0';
    ck_assert_str_eq(out, "-0.005");
    static const struct {
        double ns;
        const char *want;
    } units[] = {{0, "0 ns"},          {850, "850 ns"},      {999.4, "999 ns"},  {999.5, "1.00 us"},
                 {12345, "12.3 us"},   {999499, "999 us"},   {999500, "1.00 ms"}, {1200000, "1.20 ms"},
                 {3.456e9, "3.46 s"},  {5e12, "5000 s"}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        tx_human(out, sizeof out, units[i].ns);
        ck_assert_str_eq(out, units[i].want);
    }
}
END_TEST

/* A stream of operator records in memory. */
static unsigned char *make_stream(size_t n, size_t *len)
{
    unsigned char *buf = malloc(n * ACLSUB_REC_SIZE);
    for (size_t i = 0; i < n; i++) {
        const char *type = i % 3 ? "Relu" : "Conv";
        aclsub_rec r = {.kind = ACLSUB_KIND_OP, .model_id = 1, .start = 1000 * i, .end = 1000 * i + 10 + i % 7,
                        .pid = 7, .seq = i, .type = type, .type_len = 4, .name = "n", .name_len = 1};
        r.duration = r.end - r.start;
        aclsub_rec_encode(buf + i * ACLSUB_REC_SIZE, &r);
    }
    *len = n * ACLSUB_REC_SIZE;
    return buf;
}

static char *run_decode(const char *const *args, int argc, const void *data, size_t len, int *status)
{
    char *argv[16];
    for (int i = 0; i < argc; i++)
        argv[i] = (char *)args[i];
    dec_opts o;
    ck_assert_int_eq(dec_opts_parse(&o, argc, argv, stderr, stderr), 0);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    dec_input in;
    dec_input_init_mem(&in, "mem", data, len);
    *status = dec_run(&o, &in, 1, out, stderr);
    dec_input_close(&in);
    dec_opts_free(&o);
    fclose(out);
    return text;
}

START_TEST(test_pipeline_in_memory)
{
    size_t len;
    unsigned char *data = make_stream(300, &len);
    int status;
    static const char *const sum[] = {"decode", "summary", "-f", "csv", "--sort", "key", "IN"};
    char *text = run_decode(sum, 7, data, len, &status);
    ck_assert_int_eq(status, 0);
    ck_assert_ptr_nonnull(strstr(text, "\nConv,100,"));
    ck_assert_ptr_nonnull(strstr(text, "\nRelu,200,"));
    free(text);
    static const char *const chrome[] = {"decode", "list", "-f", "chrome", "IN"};
    text = run_decode(chrome, 5, data, len - 100, &status); /* a truncated tail */
    ck_assert_int_eq(status, 2);
    ck_assert(strncmp(text, "[\n", 2) == 0);
    ck_assert_ptr_null(strstr(text, "\"pid\":0,")); /* no event outside the processes that wrote */
    ck_assert_ptr_nonnull(strstr(text, "\"name\":\"thread_name\""));
    ck_assert(strcmp(text + strlen(text) - 3, "}\n]\n") == 0 || strcmp(text + strlen(text) - 2, "]\n") == 0);
    free(text);
    free(data);
}
END_TEST

START_TEST(test_summary_fast_path_same_as_full_decode)
{
    /* The summary's fast path (records in place) gives what the full decoder gives (forced by a
       name glob every name matches) on a stream of operators, whole runs, control records, a
       record of an unknown kind, damage, a relative window and more than 4096 operators a group. */
    enum { N = 9000 };
    unsigned char *buf = calloc(N + 10, ACLSUB_REC_SIZE);
    size_t len = 0;
    uint64_t s = 17;
    for (size_t i = 0; i < N; i++) {
        aclsub_rec r = {.pid = 7, .seq = i, .start = 1000 * i, .model_id = 1 + (uint32_t)(i % 2)};
        static const char *const types[] = {"Conv", "Relu", "MatMulWithAVeryLongTypeName", "", "Soft\xc3\xa9max"};
        const char *type = types[tu_rand(&s) % 5];
        const char *name = i % 5 ? "layer/conv" : "n";
        r.kind = i % 50 == 0 ? ACLSUB_KIND_RUN : i % 97 == 0 ? ACLSUB_KIND_LOST : i == 500 ? 5 : ACLSUB_KIND_OP;
        r.flag = r.kind == ACLSUB_KIND_OP ? 0 : r.kind == ACLSUB_KIND_RUN ? 1 : 0xFF; /* the vendor's subscribe flags */
        r.end = r.start + 1 + tu_rand(&s) % (i % 3 ? 100 : 100000000);
        r.duration = r.end - r.start;
        r.arg[0] = 1;
        r.iteration = i / 50;
        r.type = type;
        r.type_len = strlen(type);
        r.name = name;
        r.name_len = strlen(name);
        aclsub_rec_encode(buf + len, &r);
        if (i == 3000)
            buf[len + 300] ^= 1; /* a bad signature */
        len += ACLSUB_REC_SIZE;
        if (i == 6000) {
            memset(buf + len, 'x', 77); /* garbage */
            len += 77;
        }
    }
    static const char *const by[] = {"type", "name", "model"};
    for (int b = 0; b < 3; b++) {
        for (int w = 0; w < 2; w++) {
            const char *fast[] = {"decode", "summary", "-f", "csv", "--by", by[b], "--from", w ? "500us" : "0", "IN"};
            const char *slow[] = {"decode", "summary", "-f", "csv", "--by", by[b], "--from", w ? "500us" : "0",
                                  "--name", "*", "IN"};
            int st_fast, st_slow;
            char *a = run_decode(fast, 9, buf, len, &st_fast);
            char *z = run_decode(slow, 11, buf, len, &st_slow);
            ck_assert_int_eq(st_fast, 2);
            ck_assert_int_eq(st_slow, st_fast);
            ck_assert_str_eq(a, z);
            ck_assert_uint_gt(strlen(a), 40);
            free(a);
            free(z);
        }
    }
    free(buf);
}
END_TEST

START_TEST(test_options)
{
    dec_opts o;
    char *bad1[] = {"decode", "summary", "--format", "chrome", "x"};
    ck_assert_int_eq(dec_opts_parse(&o, 5, bad1, stderr, stderr), 1);
    dec_opts_free(&o);
    char *good[] = {"decode", "x", "--model", "1,3", "-t", "C*", "--skip-iterations", "2"};
    ck_assert_int_eq(dec_opts_parse(&o, 8, good, stderr, stderr), 0);
    ck_assert_int_eq(o.view, DEC_VIEW_LIST);
    ck_assert_int_eq(o.format, DEC_FMT_TSV); /* the historical default */
    ck_assert_uint_eq(o.nmodels, 2);
    ck_assert_uint_eq(o.models[1], 3);
    ck_assert_str_eq(o.types[0], "C*");
    ck_assert_uint_eq(o.skip_iter, 2);
    ck_assert_uint_eq(o.ninputs, 1);
    dec_opts_free(&o);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("decode_stats");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_select_matches_sort);
    tcase_add_test(tc, test_group_statistics_exact);
    tcase_add_test(tc, test_sketch_within_bound);
    tcase_add_test(tc, test_sketch_exact_up_to_bound);
    tcase_add_test(tc, test_sketch_merge_is_union);
    tcase_add_test(tc, test_sketch_memory_bounded);
    tcase_add_test(tc, test_group_table_keys);
    tcase_add_test(tc, test_group_field_lookup_matches_plain_lookup);
    tcase_add_test(tc, test_sketch_sums_same_as_long_double_sums);
    tcase_add_test(tc, test_json_escaping);
    tcase_add_test(tc, test_csv_tsv_escaping_and_units);
    tcase_add_test(tc, test_pipeline_in_memory);
    tcase_add_test(tc, test_summary_fast_path_same_as_full_decode);
    tcase_add_test(tc, test_options);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
