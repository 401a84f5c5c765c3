/*
 * gears.c - the dynamic-gear options of `aclsub atc` (gears.h): parsing
 * and checking --dynamic_batch_size / --dynamic_image_size with the rules
 * of the vendor's ATC (digits and separators only, at least 2 gears, at
 * most 128, no duplicates, -1 in --input_shape exactly at the dynamic dims),
 * and the text and graph edits that compile one graph per gear.
 *
 * --input_shape is walked as text, item by item (';'), the name ending at
 * the item's last ':' as in the importer, dims split by ','; only tokens
 * that are exactly "-1" are looked at or replaced, so every other mistake
 * is left to the importer's own messages.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/compile/gears.h"

#define GEAR_MAX_VALUE 2147483647ull /* the largest dim --input_shape accepts */

__attribute__((format(printf, 3, 4))) static int gears_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* --- the gear lists ------------------------------------------------------------------- */

/* One decimal number of `len` digits, 1 to GEAR_MAX_VALUE. */
static int gears_number(const char *opt, const char *p, size_t len, uint64_t *v, char *err, size_t errlen)
{
    if (len == 0)
        return gears_fail(err, errlen, "%s: an empty gear (want numbers separated by ',')", opt);
    uint64_t n = 0;
    for (size_t i = 0; i < len; i++) {
        n = n * 10 + (uint64_t)(p[i] - '0');
        if (n > GEAR_MAX_VALUE)
            return gears_fail(err, errlen, "%s: gear '%.*s' is larger than %llu", opt, (int)len, p,
                              GEAR_MAX_VALUE);
    }
    if (n == 0)
        return gears_fail(err, errlen, "%s: gear '%.*s' is not a size (want 1 or more)", opt, (int)len, p);
    *v = n;
    return 0;
}

/* Count, order and duplicates, once the list is read. */
static int gears_check_list(const char *opt, const gear_list *gl, char *err, size_t errlen)
{
    if (gl->n < 2)
        return gears_fail(err, errlen, "%s: at least 2 gears are needed, got %u", opt, gl->n);
    for (uint32_t k = 0; k < gl->n; k++)
        for (uint32_t j = 0; j < k; j++)
            if (gl->values[j][0] == gl->values[k][0] && gl->values[j][1] == gl->values[k][1])
                return gl->kind == OM_GEAR_BATCH
                           ? gears_fail(err, errlen, "%s: gear %llu appears twice", opt,
                                        (unsigned long long)gl->values[k][0])
                           : gears_fail(err, errlen, "%s: gear %llu,%llu appears twice", opt,
                                        (unsigned long long)gl->values[k][0], (unsigned long long)gl->values[k][1]);
    return 0;
}

/* Appends one gear; more than OM_MAX_GEARS is refused. */
static int gears_add(const char *opt, gear_list *gl, uint64_t a, uint64_t b, char *err, size_t errlen)
{
    if (gl->n == OM_MAX_GEARS)
        return gears_fail(err, errlen, "%s: more than %u gears (ACL_MAX_BATCH_NUM / ACL_MAX_HW_NUM)", opt,
                          OM_MAX_GEARS);
    gl->values[gl->n][0] = a;
    gl->values[gl->n][1] = b;
    gl->n++;
    return 0;
}

int gears_parse_batch(const char *text, gear_list *gl, char *err, size_t errlen)
{
    static const char opt[] = "--dynamic_batch_size";
    memset(gl, 0, sizeof *gl);
    gl->kind = OM_GEAR_BATCH;
    size_t len = strlen(text);
    if (strspn(text, "0123456789,") != len)
        return gears_fail(err, errlen, "%s='%.64s': only digits and ',' are allowed", opt, text);
    if (len && text[len - 1] == ',')
        len--; /* one trailing ',' is dropped, as the vendor does */
    if (len == 0)
        return gears_fail(err, errlen, "%s: no gears given", opt);
    for (size_t at = 0; at <= len;) {
        const char *comma = memchr(text + at, ',', len - at);
        size_t n = comma ? (size_t)(comma - (text + at)) : len - at;
        uint64_t v;
        if (gears_number(opt, text + at, n, &v, err, errlen) != 0 || gears_add(opt, gl, v, 0, err, errlen) != 0)
            return -1;
        at += n + 1;
    }
    return gears_check_list(opt, gl, err, errlen);
}

/* One "H,W" group of --dynamic_image_size. */
static int gears_hw_group(const char *opt, const char *p, size_t len, gear_list *gl, char *err, size_t errlen)
{
    const char *comma = memchr(p, ',', len);
    if (!comma || memchr(comma + 1, ',', len - (size_t)(comma + 1 - p)))
        return gears_fail(err, errlen, "%s: group '%.*s' is not H,W", opt, (int)len, p);
    uint64_t h, w;
    size_t hl = (size_t)(comma - p);
    if (gears_number(opt, p, hl, &h, err, errlen) != 0 ||
        gears_number(opt, comma + 1, len - hl - 1, &w, err, errlen) != 0)
        return -1;
    return gears_add(opt, gl, h, w, err, errlen);
}

int gears_parse_image_size(const char *text, gear_list *gl, char *err, size_t errlen)
{
    static const char opt[] = "--dynamic_image_size";
    memset(gl, 0, sizeof *gl);
    gl->kind = OM_GEAR_IMAGE_SIZE;
    if (strspn(text, "0123456789, ;") != strlen(text))
        return gears_fail(err, errlen, "%s='%.64s': only digits, ',', ';' and spaces are allowed", opt, text);
    char buf[4096];
    size_t len = 0;
    for (const char *c = text; *c; c++)
        if (*c != ' ' && len < sizeof buf - 1)
            buf[len++] = *c;
    if (len == sizeof buf - 1)
        return gears_fail(err, errlen, "%s: the value is too long", opt);
    if (len && buf[len - 1] == ';')
        len--; /* one trailing ';' is dropped, as the vendor does */
    if (len == 0)
        return gears_fail(err, errlen, "%s: no gears given", opt);
    for (size_t at = 0; at <= len;) {
        const char *semi = memchr(buf + at, ';', len - at);
        size_t n = semi ? (size_t)(semi - (buf + at)) : len - at;
        if (gears_hw_group(opt, buf + at, n, gl, err, errlen) != 0)
            return -1;
        at += n + 1;
    }
    return gears_check_list(opt, gl, err, errlen);
}

/* --- --input_shape -------------------------------------------------------------------- */

/* Calls fn on each "NAME:DIMS" item of spec, with the -1 dims as bits; stops at the first non-zero return. */
typedef int (*gears_item_fn)(void *ctx, const char *name, size_t name_len, uint64_t mask, uint32_t rank);

static uint64_t gears_item_mask(const char *dims, size_t len, uint32_t *rank)
{
    uint64_t mask = 0;
    uint32_t d = 0;
    for (size_t at = 0; at <= len; d++) {
        const char *comma = memchr(dims + at, ',', len - at);
        size_t n = comma ? (size_t)(comma - (dims + at)) : len - at;
        if (n == 2 && memcmp(dims + at, "-1", 2) == 0 && d < 64)
            mask |= 1ull << d;
        at += n + 1;
    }
    *rank = d;
    return mask;
}

static int gears_each_item(const char *spec, gears_item_fn fn, void *ctx)
{
    for (const char *at = spec ? spec : ""; *at;) {
        const char *semi = strchr(at, ';');
        size_t n = semi ? (size_t)(semi - at) : strlen(at);
        const char *colon = NULL;
        for (size_t i = 0; i < n; i++)
            if (at[i] == ':')
                colon = at + i;
        if (colon) {
            uint32_t rank;
            uint64_t mask = gears_item_mask(colon + 1, n - (size_t)(colon + 1 - at), &rank);
            int rc = fn(ctx, at, (size_t)(colon - at), mask, rank);
            if (rc)
                return rc;
        }
        if (!semi)
            break;
        at = semi + 1;
    }
    return 0;
}

struct gears_check_ctx {
    uint32_t kind;
    int any;
    char *err;
    size_t errlen;
};

static int gears_check_item(void *p, const char *name, size_t name_len, uint64_t mask, uint32_t rank)
{
    struct gears_check_ctx *c = p;
    int batch = c->kind == OM_GEAR_BATCH;
    if (mask == 0)
        return 0;
    if (batch && mask != 1)
        return gears_fail(c->err, c->errlen,
                          "--input_shape: '%.*s' has -1 beyond the batch dim; with --dynamic_batch_size only dim 0 "
                          "may be -1",
                          (int)(name_len > 64 ? 64 : name_len), name);
    if (!batch && (rank != 4 || mask != 0xc))
        return gears_fail(c->err, c->errlen,
                          "--input_shape: '%.*s': with --dynamic_image_size only a 4-D input may have -1, at both H "
                          "and W (dims 2 and 3)",
                          (int)(name_len > 64 ? 64 : name_len), name);
    c->any = 1;
    return 0;
}

int gears_check_input_shape(const char *spec, uint32_t kind, char *err, size_t errlen)
{
    struct gears_check_ctx c = {.kind = kind, .err = err, .errlen = errlen};
    const char *opt = kind == OM_GEAR_BATCH ? "--dynamic_batch_size" : "--dynamic_image_size";
    if (!spec || !*spec)
        return gears_fail(err, errlen, "%s needs --input_shape with -1 at the %s", opt,
                          kind == OM_GEAR_BATCH ? "batch dim (e.g. \"x:-1,3,224,224\")"
                                                : "H and W dims (e.g. \"x:1,3,-1,-1\")");
    if (gears_each_item(spec, gears_check_item, &c) != 0)
        return -1;
    if (!c.any)
        return gears_fail(err, errlen, "%s: no input in --input_shape has -1 at the %s", opt,
                          kind == OM_GEAR_BATCH ? "batch dim (dim 0)" : "H and W dims (dims 2 and 3)");
    return 0;
}

struct gears_mask_ctx {
    const char *name;
    uint64_t mask;
};

static int gears_mask_item(void *p, const char *name, size_t name_len, uint64_t mask, uint32_t rank)
{
    struct gears_mask_ctx *c = p;
    (void)rank;
    if (strlen(c->name) != name_len || memcmp(c->name, name, name_len) != 0)
        return 0;
    c->mask = mask;
    return 1;
}

uint64_t gears_input_mask(const char *spec, const char *name)
{
    struct gears_mask_ctx c = {.name = name};
    gears_each_item(spec, gears_mask_item, &c);
    return c.mask;
}

/* --- one graph per gear ----------------------------------------------------------------- */

/* Gear k's value for dim d of a dynamic input. */
static uint64_t gears_value(const gear_list *gl, uint32_t k, uint32_t d)
{
    return gl->kind == OM_GEAR_BATCH ? gl->values[k][0] : gl->values[k][d == 3 ? 1 : 0];
}

/* Appends one item's dims (`len` bytes at dims) to out, each "-1" replaced by gear k's value. */
static size_t gears_put_dims(char *out, size_t o, size_t cap, const char *dims, size_t len, const gear_list *gl,
                             uint32_t k)
{
    uint32_t d = 0;
    for (size_t at = 0; at <= len; d++) {
        const char *comma = memchr(dims + at, ',', len - at);
        size_t n = comma ? (size_t)(comma - (dims + at)) : len - at;
        if (n == 2 && memcmp(dims + at, "-1", 2) == 0)
            o += (size_t)snprintf(out + o, cap - o, "%llu", (unsigned long long)gears_value(gl, k, d));
        else
            o += (size_t)snprintf(out + o, cap - o, "%.*s", (int)n, dims + at);
        if (comma)
            out[o++] = ',';
        at += n + 1;
    }
    return o;
}

char *gears_shape_for(const char *spec, const gear_list *gl, uint32_t k)
{
    size_t len = strlen(spec), cap = len + 1;
    for (const char *c = spec; *c; c++)
        cap += *c == ',' || *c == ':' ? 12 : 0; /* a value has at most 10 digits, "-1" had 2 */
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t o = 0;
    for (const char *at = spec;;) {
        const char *semi = strchr(at, ';');
        size_t n = semi ? (size_t)(semi - at) : strlen(at);
        const char *colon = NULL;
        for (size_t i = 0; i < n; i++)
            if (at[i] == ':')
                colon = at + i;
        size_t head = colon ? (size_t)(colon + 1 - at) : n; /* an item without ':' is copied for the importer */
        memcpy(out + o, at, head);
        o += head;
        if (colon)
            o = gears_put_dims(out, o, cap, colon + 1, n - head, gl, k);
        if (!semi)
            break;
        out[o++] = ';';
        at = semi + 1;
    }
    out[o] = '\0';
    return out;
}

int gears_add_shape_input(graph *g, uint32_t kind, char *err, size_t errlen)
{
    for (uint32_t i = 0; i < g->n_tensors; i++)
        if (g->tensors[i].name && strcmp(g->tensors[i].name, OM_SHAPE_DATA_NAME) == 0)
            return gears_fail(err, errlen, "the model already has a tensor named %s", OM_SHAPE_DATA_NAME);
    graph_tensor *tensors = realloc(g->tensors, ((size_t)g->n_tensors + 1) * sizeof *tensors);
    if (tensors)
        g->tensors = tensors;
    uint32_t *inputs = realloc(g->inputs, ((size_t)g->n_inputs + 1) * sizeof *inputs);
    if (inputs)
        g->inputs = inputs;
    char *name = strdup(OM_SHAPE_DATA_NAME);
    if (!tensors || !inputs || !name) {
        free(name);
        return gears_fail(err, errlen, "out of memory");
    }
    graph_tensor *t = &g->tensors[g->n_tensors];
    memset(t, 0, sizeof *t);
    t->name = name;
    t->kind = TENSOR_INPUT;
    t->dtype = DT_INT32;
    t->rank = 1;
    t->dims[0] = kind == OM_GEAR_BATCH ? 1 : 2;
    t->bytes = (uint64_t)t->dims[0] * 4;
    g->inputs[g->n_inputs++] = g->n_tensors++;
    return 0;
}
