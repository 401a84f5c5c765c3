/*
 * mkom_text.c - the text graph description compiler (mkom.h): a
 * line-oriented description (docs/MODEL.md, "The text description") in, a
 * graph with shapes, filled weights and planned memory out.  The `aclsub
 * mkom` command around it is tools/mkom.c.
 *
 * The text is untrusted: every line is tokenised on a private copy, every
 * number is range-checked, names are looked up in hash tables, sizes are
 * bounded, and each node goes through op_infer as soon as it is read, so an
 * error names the line that caused it.  Weights are filled from a seeded
 * xorshift64* generator, so the same text and seed give the same bytes on
 * every machine.  The graph grows through the builder (builder.h), which
 * also holds the .om limits; messages are worded here.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aclsub/record.h"
#include "shim/engine/ops.h"
#include "tools/compile/builder.h"
#include "tools/compile/mkom.h"
#include "tools/compile/name_map.h"

/* Counts, names and sizes are bounded by the .om limits (builder.h); these are the text format's own. */
#define MK_MAX_VALUES 4096u   /* elements of one list attribute */
#define MK_MAX_TOKENS 256u    /* fields on one line */
#define MK_MAX_DIM 2147483647 /* one dimension */
#define MK_MAX_WEIGHT_BYTES ((uint64_t)256 << 20)

/* --- parser state and errors --------------------------------------------------------- */

typedef struct mk_parser {
    const char *source;
    unsigned line;
    char *err;
    size_t errlen;
    uint64_t seed;
    builder b; /* the graph being built */
    name_map tensors, nodes;
    int model_seen;
} mk_parser;

__attribute__((format(printf, 2, 3))) static int mk_fail(mk_parser *p, const char *fmt, ...)
{
    if (p->err && p->errlen) {
        int n = snprintf(p->err, p->errlen, "%s:%u: ", p->source, p->line);
        if (n >= 0 && (size_t)n < p->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

static int mk_oom(mk_parser *p)
{
    return mk_fail(p, "out of memory");
}

/* A builder failure adding one of `what`: beyond the .om's count, or out of memory. */
static int mk_builder_fail(mk_parser *p, int rc, const char *what)
{
    if (rc == BUILDER_ELIMIT)
        return mk_fail(p, "more than %u %s", OM_MAX_COUNT, what);
    return mk_oom(p);
}

/* --- lexical helpers ----------------------------------------------------------------- */

static int mk_is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int mk_is_name_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == ':' || c == '/' || c == '-';
}

/* Names: 1..255 of [A-Za-z0-9_.:/-], not "_" (the absent input) and not "->". */
static int mk_check_name(mk_parser *p, const char *what, const char *s)
{
    size_t n = strlen(s);
    if (n == 0)
        return mk_fail(p, "missing %s name", what);
    if (n > OM_MAX_NAME)
        return mk_fail(p, "%s name longer than %u bytes", what, OM_MAX_NAME);
    for (size_t i = 0; i < n; i++)
        if (!mk_is_name_char((unsigned char)s[i]))
            return mk_fail(p, "%s name '%.64s' has a character outside [A-Za-z0-9_.:/-]", what, s);
    if (strcmp(s, "_") == 0 || strcmp(s, "->") == 0)
        return mk_fail(p, "'%s' cannot be a %s name", s, what);
    return 0;
}

/*
 * Splits a line into whitespace-separated fields in place.  A '#' outside
 * quotes starts a comment; quotes keep spaces inside an attribute value.
 */
static int mk_tokenize(mk_parser *p, char *s, char **tok, size_t *ntok)
{
    *ntok = 0;
    for (;;) {
        while (mk_is_space((unsigned char)*s))
            s++;
        if (!*s || *s == '#')
            return 0;
        if (*ntok == MK_MAX_TOKENS)
            return mk_fail(p, "more than %u fields on one line", MK_MAX_TOKENS);
        tok[(*ntok)++] = s;
        while (*s && !mk_is_space((unsigned char)*s) && *s != '#') {
            if ((unsigned char)*s < 0x20 || *s == 0x7f)
                return mk_fail(p, "control character 0x%02x", (unsigned char)*s);
            if (*s == '\'' || *s == '"') {
                char *close = strchr(s + 1, *s);
                if (!close)
                    return mk_fail(p, "unterminated quote");
                s = close;
            }
            s++;
        }
        if (!*s)
            return 0;
        if (*s == '#') {
            *s = '\0';
            return 0;
        }
        *s++ = '\0';
    }
}

/* An identifier: [A-Za-z_][A-Za-z0-9_]* */
static int mk_is_word(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* A token made only of digits, signs, '.', 'e' and 'E', with at least one digit. */
static int mk_is_numeric(const char *s)
{
    int digit = 0;
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digit = 1;
        else if (!strchr("+-.eE", *s))
            return 0;
    }
    return digit;
}

static int mk_is_float_text(const char *s)
{
    return strpbrk(s, ".eE") != NULL;
}

static int mk_parse_int(const char *s, int64_t *v)
{
    if (!mk_is_numeric(s) || mk_is_float_text(s))
        return -1;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

static int mk_parse_float(const char *s, float *v)
{
    if (!mk_is_numeric(s))
        return -1;
    char *end;
    double d = strtod(s, &end);
    if (*end || !isfinite(d) || fabs(d) > 3.4028234663852886e38)
        return -1;
    *v = (float)d;
    return 0;
}

static const char *mk_dtype_name(int32_t dt)
{
    return dt == DT_FLOAT ? "float" : dt == DT_INT32 ? "int32" : "int64";
}

static int mk_parse_dtype(mk_parser *p, const char *s, int32_t *dt)
{
    if (strcmp(s, "float") == 0 || strcmp(s, "float32") == 0)
        *dt = DT_FLOAT;
    else if (strcmp(s, "int32") == 0)
        *dt = DT_INT32;
    else if (strcmp(s, "int64") == 0)
        *dt = DT_INT64;
    else
        return mk_fail(p, "unknown dtype '%.32s' (float, int32 or int64)", s);
    return 0;
}

/* "1,3,32,32" or "scalar"; each dim 1..2^31-1, at most 8 of them. */
static int mk_parse_dims(mk_parser *p, const char *s, graph_tensor *t)
{
    t->rank = 0;
    memset(t->dims, 0, sizeof t->dims);
    if (strcmp(s, "scalar") == 0)
        return 0;
    const char *at = s;
    for (;;) {
        const char *comma = strchr(at, ',');
        size_t n = comma ? (size_t)(comma - at) : strlen(at);
        char buf[32];
        int64_t d;
        if (n == 0 || n >= sizeof buf)
            return mk_fail(p, "bad shape '%.64s' (want e.g. 1,3,32,32 or scalar)", s);
        memcpy(buf, at, n);
        buf[n] = '\0';
        if (mk_parse_int(buf, &d) != 0 || d < 1 || d > MK_MAX_DIM)
            return mk_fail(p, "bad dimension '%s' in shape '%.64s' (want 1 to %d)", buf, s, MK_MAX_DIM);
        if (t->rank == GRAPH_MAX_RANK)
            return mk_fail(p, "shape '%.64s' has more than %d dims", s, GRAPH_MAX_RANK);
        t->dims[t->rank++] = d;
        if (!comma)
            return 0;
        at = comma + 1;
    }
}

/* Byte size of a declared tensor, bounded. */
static int mk_tensor_bytes(mk_parser *p, graph_tensor *t)
{
    if (builder_tensor_bytes(t) != 0)
        return mk_fail(p, "tensor '%s' is larger than 2^40 bytes", t->name);
    return 0;
}

/* --- tensors ------------------------------------------------------------------------- */

static graph_tensor *mk_new_tensor(mk_parser *p, const char *name, uint32_t kind, uint32_t *index)
{
    uint32_t old;
    if (mk_check_name(p, "tensor", name) != 0)
        return NULL;
    if (name_map_get(&p->tensors, name, &old)) {
        mk_fail(p, "duplicate tensor name '%s'", name);
        return NULL;
    }
    int rc = builder_add_tensor(&p->b, name, kind, index);
    if (rc != 0) {
        mk_builder_fail(p, rc, "tensors");
        return NULL;
    }
    graph_tensor *t = &p->b.g->tensors[*index];
    if (name_map_put(&p->tensors, t->name, *index) != 0) { /* keyed by the graph's copy of the name */
        mk_oom(p);
        return NULL;
    }
    return t;
}

static int mk_stmt_input(mk_parser *p, char **tok, size_t n)
{
    uint32_t idx;
    int32_t dt;
    graph_tensor tmp;
    if (n != 4)
        return mk_fail(p, "want: input NAME DTYPE SHAPE");
    if (mk_parse_dtype(p, tok[2], &dt) != 0 || mk_parse_dims(p, tok[3], &tmp) != 0)
        return -1;
    graph_tensor *t = mk_new_tensor(p, tok[1], TENSOR_INPUT, &idx);
    if (!t)
        return -1;
    t->dtype = dt;
    t->rank = tmp.rank;
    memcpy(t->dims, tmp.dims, sizeof t->dims);
    int rc = builder_add_input(&p->b, idx);
    if (rc != 0)
        return mk_builder_fail(p, rc, "inputs");
    return mk_tensor_bytes(p, t);
}

/* --- weights ------------------------------------------------------------------------- */

/* Per-weight generator state: the seed mixed with the weight's name. */
static uint64_t mk_rng_init(uint64_t seed, const char *name)
{
    uint64_t s = seed ^ aclsub_name_hash(name, strlen(name));
    return s ? s : 0x9e3779b97f4a7c15ull;
}

/* xorshift64*, then the top 24 bits as a uniform value in [0, 1). */
static double mk_rng_unit(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return (double)((x * 0x2545f4914f6cdd1dull) >> 40) / 16777216.0;
}

static void mk_store(unsigned char *dst, int32_t dt, uint64_t i, double v)
{
    if (dt == DT_FLOAT) {
        float f = (float)v;
        memcpy(dst + 4 * i, &f, 4);
    } else if (dt == DT_INT32) {
        int32_t x = (int32_t)v;
        memcpy(dst + 4 * i, &x, 4);
    } else {
        int64_t x = (int64_t)v;
        memcpy(dst + 8 * i, &x, 8);
    }
}

/* One value of dtype dt written as text; ints are range-checked. */
static int mk_parse_value(mk_parser *p, const char *s, int32_t dt, double *v)
{
    if (dt == DT_FLOAT) {
        float f;
        if (mk_parse_float(s, &f) != 0)
            return mk_fail(p, "bad float value '%.32s'", s);
        *v = f;
        return 0;
    }
    int64_t x;
    if (mk_parse_int(s, &x) != 0 || (dt == DT_INT32 && (x < INT32_MIN || x > INT32_MAX)))
        return mk_fail(p, "bad %s value '%.32s'", mk_dtype_name(dt), s);
    *v = (double)x; /* exact: int32 range only, int64 values never go through a double */
    return 0;
}

/* Explicit values "= a,b c,d": commas and/or spaces separate them. */
static int mk_fill_values(mk_parser *p, graph_tensor *t, unsigned char *dst, char **tok, size_t n)
{
    uint64_t numel = graph_tensor_numel(t), i = 0;
    for (size_t k = 0; k < n; k++) {
        for (char *at = tok[k]; *at;) {
            char *comma = strchr(at, ',');
            if (comma)
                *comma = '\0';
            if (*at) {
                if (i == numel)
                    return mk_fail(p, "weight '%s' has more than %llu values", t->name, (unsigned long long)numel);
                if (t->dtype == DT_INT64) {
                    int64_t x;
                    if (mk_parse_int(at, &x) != 0)
                        return mk_fail(p, "bad int64 value '%.32s'", at);
                    memcpy(dst + 8 * i, &x, 8);
                } else {
                    double v;
                    if (mk_parse_value(p, at, t->dtype, &v) != 0)
                        return -1;
                    mk_store(dst, t->dtype, i, v);
                }
                i++;
            }
            if (!comma)
                break;
            at = comma + 1;
        }
    }
    if (i != numel)
        return mk_fail(p, "weight '%s' has %llu values, its shape needs %llu", t->name, (unsigned long long)i,
                       (unsigned long long)numel);
    return 0;
}

static void mk_fill_uniform(graph_tensor *t, unsigned char *dst, uint64_t seed, double lo, double hi)
{
    uint64_t s = mk_rng_init(seed, t->name), numel = graph_tensor_numel(t);
    for (uint64_t i = 0; i < numel; i++)
        mk_store(dst, DT_FLOAT, i, lo + (hi - lo) * mk_rng_unit(&s));
}

/* The bound of `random`: sqrt(6 / fan_in), fan_in = elements per leading index. */
static double mk_random_bound(const graph_tensor *t)
{
    uint64_t numel = graph_tensor_numel(t);
    uint64_t fan_in = t->rank >= 2 ? numel / (uint64_t)t->dims[0] : numel;
    return sqrt(6.0 / (double)(fan_in ? fan_in : 1));
}

static int mk_fill_weight(mk_parser *p, graph_tensor *t, unsigned char *dst, char **tok, size_t n)
{
    const char *how = tok[0];
    uint64_t numel = graph_tensor_numel(t);
    if (how[0] == '=') {
        if (how[1]) { /* "=1,2": the first values are glued to the '=' */
            tok[0]++;
            return mk_fill_values(p, t, dst, tok, n);
        }
        return mk_fill_values(p, t, dst, tok + 1, n - 1);
    }
    if (strcmp(how, "zeros") == 0 || strcmp(how, "ones") == 0 || strcmp(how, "fill") == 0) {
        double v = how[0] == 'o' ? 1.0 : 0.0;
        if ((how[0] == 'f') != (n == 2))
            return mk_fail(p, "want: %s%s", how, how[0] == 'f' ? " VALUE" : "");
        if (how[0] == 'f' && t->dtype == DT_INT64) {
            int64_t x;
            if (mk_parse_int(tok[1], &x) != 0)
                return mk_fail(p, "bad int64 value '%.32s'", tok[1]);
            for (uint64_t i = 0; i < numel; i++)
                memcpy(dst + 8 * i, &x, 8);
            return 0;
        }
        if (how[0] == 'f' && mk_parse_value(p, tok[1], t->dtype, &v) != 0)
            return -1;
        for (uint64_t i = 0; i < numel; i++)
            mk_store(dst, t->dtype, i, v);
        return 0;
    }
    if (strcmp(how, "random") == 0 || strcmp(how, "uniform") == 0) {
        float lo, hi;
        if (t->dtype != DT_FLOAT)
            return mk_fail(p, "'%s' fills float weights only", how);
        if (how[0] == 'r') {
            if (n != 1)
                return mk_fail(p, "want: random");
            hi = (float)mk_random_bound(t);
            lo = -hi;
        } else if (n != 3 || mk_parse_float(tok[1], &lo) != 0 || mk_parse_float(tok[2], &hi) != 0 || lo > hi) {
            return mk_fail(p, "want: uniform LOW HIGH with LOW <= HIGH");
        }
        mk_fill_uniform(t, dst, p->seed, lo, hi);
        return 0;
    }
    return mk_fail(p, "unknown initialiser '%.32s' (random, uniform, zeros, ones, fill or =)", how);
}

/* Room for `bytes` more weight bytes (builder_weight_room), at most MK_MAX_WEIGHT_BYTES in all. */
static int mk_weight_room(mk_parser *p, uint64_t bytes, uint64_t *offset)
{
    int rc = builder_weight_room(&p->b, bytes, offset);
    if (rc == BUILDER_ELIMIT)
        return mk_fail(p, "weights exceed %llu bytes in total", (unsigned long long)MK_MAX_WEIGHT_BYTES);
    return rc != 0 ? mk_oom(p) : 0;
}

static int mk_stmt_weight(mk_parser *p, char **tok, size_t n)
{
    uint32_t idx;
    int32_t dt;
    graph_tensor tmp;
    if (n < 5)
        return mk_fail(p, "want: weight NAME DTYPE SHAPE INIT");
    if (mk_parse_dtype(p, tok[2], &dt) != 0 || mk_parse_dims(p, tok[3], &tmp) != 0)
        return -1;
    graph_tensor *t = mk_new_tensor(p, tok[1], TENSOR_WEIGHT, &idx);
    if (!t)
        return -1;
    t->dtype = dt;
    t->rank = tmp.rank;
    memcpy(t->dims, tmp.dims, sizeof t->dims);
    uint64_t off = 0;
    if (mk_tensor_bytes(p, t) != 0 || mk_weight_room(p, t->bytes, &off) != 0)
        return -1;
    t = &p->b.g->tensors[idx];
    t->offset = off;
    return mk_fill_weight(p, t, p->b.g->weights + off, tok + 4, n - 4);
}

/* --- attributes ---------------------------------------------------------------------- */

/* A list "1,2,3" (brackets already stripped): INTS, or FLOATS if any element looks like a float. */
static int mk_attr_list(mk_parser *p, const char *key, char *s, graph_attr *a)
{
    size_t count = 0;
    int floats = 0;
    if (*s) {
        count = 1;
        for (char *c = s; *c; c++)
            count += *c == ',';
    }
    if (count > MK_MAX_VALUES)
        return mk_fail(p, "attribute %s has more than %u values", key, MK_MAX_VALUES);
    for (char *c = s; *c; c++)
        floats |= *c == '.' || *c == 'e' || *c == 'E';
    a->type = floats ? ATTR_FLOATS : ATTR_INTS;
    a->count = (uint32_t)count;
    if (floats)
        a->v.floats = malloc(count ? count * sizeof(float) : 1);
    else
        a->v.ints = malloc(count ? count * sizeof(int64_t) : 1);
    if (floats ? !a->v.floats : !a->v.ints)
        return mk_oom(p);
    char *at = s;
    for (size_t i = 0; i < count; i++) {
        char *comma = strchr(at, ',');
        if (comma)
            *comma = '\0';
        if (floats ? mk_parse_float(at, &a->v.floats[i]) != 0 : mk_parse_int(at, &a->v.ints[i]) != 0)
            return mk_fail(p, "attribute %s: bad list element '%.32s'", key, at);
        at = comma ? comma + 1 : at;
    }
    return 0;
}

/*
 * key=VALUE.  VALUE is a quoted string ('x' or "x"), a bracketed list
 * ([1,2], [] or [0.5]), a comma list (1,2), an integer (3), a float (1.0,
 * 1e-5: it has '.', 'e' or 'E') or a bare word (NOTSET), which is a string.
 */
static int mk_parse_attr(mk_parser *p, char *tok, graph_attr *a)
{
    char *eq = strchr(tok, '=');
    if (!eq)
        return mk_fail(p, "bad attribute '%.64s' (want key=value)", tok);
    *eq = '\0';
    char *key = tok, *val = eq + 1;
    size_t klen = strlen(key), vlen = strlen(val);
    if (klen > OM_MAX_NAME || !mk_is_word(key))
        return mk_fail(p, "bad attribute name '%.64s'", key);
    if (!(a->name = strdup(key)))
        return mk_oom(p);
    if (vlen == 0)
        return mk_fail(p, "attribute %s has no value", key);
    if (val[0] == '\'' || val[0] == '"') {
        if (vlen < 2 || val[vlen - 1] != val[0] || strchr(val + 1, val[0]) != val + vlen - 1)
            return mk_fail(p, "attribute %s: bad quoted string", key);
        val[vlen - 1] = '\0';
        a->count = (uint32_t)(vlen - 2);
        if (!(a->v.s = strdup(val + 1)))
            return mk_oom(p);
        a->type = ATTR_STRING;
        return 0;
    }
    if (val[0] == '[') {
        if (val[vlen - 1] != ']')
            return mk_fail(p, "attribute %s: list without closing ']'", key);
        val[vlen - 1] = '\0';
        return mk_attr_list(p, key, val + 1, a);
    }
    if (strchr(val, ','))
        return mk_attr_list(p, key, val, a);
    if (mk_is_numeric(val)) {
        if (mk_is_float_text(val) ? mk_parse_float(val, &a->v.f) != 0 : mk_parse_int(val, &a->v.i) != 0)
            return mk_fail(p, "attribute %s: bad number '%.32s'", key, val);
        a->type = mk_is_float_text(val) ? ATTR_FLOAT : ATTR_INT;
        a->count = 1;
        return 0;
    }
    if (!mk_is_word(val))
        return mk_fail(p, "attribute %s: bad value '%.32s' (quote strings that are not plain words)", key, val);
    if (!(a->v.s = strdup(val)))
        return mk_oom(p);
    a->type = ATTR_STRING;
    a->count = (uint32_t)vlen;
    return 0;
}

/* --- nodes --------------------------------------------------------------------------- */

/* Splits a comma list into at most OM_MAX_NODE_IO names (in place). */
static int mk_split_list(mk_parser *p, const char *what, char *s, char **item, uint32_t *n)
{
    *n = 0;
    for (char *at = s;;) {
        if (*n == OM_MAX_NODE_IO)
            return mk_fail(p, "more than %u %s", OM_MAX_NODE_IO, what);
        char *comma = strchr(at, ',');
        if (comma)
            *comma = '\0';
        item[(*n)++] = at;
        if (!comma)
            return 0;
        at = comma + 1;
    }
}

static int mk_node_inputs(mk_parser *p, char *list, graph_node *n)
{
    char *item[OM_MAX_NODE_IO];
    if (mk_split_list(p, "inputs", list, item, &n->n_inputs) != 0)
        return -1;
    if (!(n->inputs = malloc(n->n_inputs * sizeof *n->inputs)))
        return mk_oom(p);
    for (uint32_t k = 0; k < n->n_inputs; k++) {
        if (!*item[k] || strcmp(item[k], "_") == 0) {
            n->inputs[k] = GRAPH_NO_TENSOR;
            continue;
        }
        if (!name_map_get(&p->tensors, item[k], &n->inputs[k]))
            return mk_fail(p, "unknown tensor '%.64s'", item[k]);
    }
    return 0;
}

static int mk_node_attrs(mk_parser *p, char **tok, size_t count, graph_node *n)
{
    if (count > OM_MAX_NODE_ATTRS)
        return mk_fail(p, "more than %u attributes", OM_MAX_NODE_ATTRS);
    if (count == 0)
        return 0;
    if (!(n->attrs = calloc(count, sizeof *n->attrs)))
        return mk_oom(p);
    for (size_t k = 0; k < count; k++) {
        n->n_attrs = (uint32_t)k + 1;
        if (mk_parse_attr(p, tok[k], &n->attrs[k]) != 0)
            return -1;
        for (size_t j = 0; j < k; j++)
            if (strcmp(n->attrs[j].name, n->attrs[k].name) == 0)
                return mk_fail(p, "attribute %s given twice", n->attrs[k].name);
    }
    return 0;
}

/* Declares the node's outputs as new activations; op_infer gives them shapes. */
static int mk_node_outputs(mk_parser *p, char *list, graph_node *n)
{
    char *item[OM_MAX_NODE_IO];
    uint32_t count;
    if (mk_split_list(p, "outputs", list, item, &count) != 0)
        return -1;
    if (!(n->outputs = malloc(count * sizeof *n->outputs)))
        return mk_oom(p);
    for (uint32_t k = 0; k < count; k++) {
        graph_tensor *t = mk_new_tensor(p, item[k], TENSOR_ACTIVATION, &n->outputs[k]);
        if (!t)
            return -1;
        n->n_outputs = k + 1;
    }
    return 0;
}

static int mk_stmt_node(mk_parser *p, char **tok, size_t ntok)
{
    graph *g = p->b.g;
    graph_node n = {0};
    uint32_t old;
    if (ntok < 6 || strcmp(tok[4], "->") != 0)
        return mk_fail(p, "want: node NAME OPTYPE IN1,IN2,... -> OUT [key=value ...]");
    if (mk_check_name(p, "node", tok[1]) != 0)
        return -1;
    if (name_map_get(&p->nodes, tok[1], &old))
        return mk_fail(p, "duplicate node name '%s'", tok[1]);
    if (g->n_nodes >= OM_MAX_COUNT)
        return mk_fail(p, "more than %u nodes", OM_MAX_COUNT);
    n.op = op_lookup(tok[2]);
    if (n.op == OP_UNKNOWN)
        return mk_fail(p, "unknown op type '%.64s'", tok[2]);
    if (!(n.name = strdup(tok[1])) || !(n.op_type = strdup(tok[2]))) {
        mk_oom(p);
        goto fail;
    }
    /* inputs are resolved before the outputs are declared, so a node cannot read itself */
    if (mk_node_inputs(p, tok[3], &n) != 0 || mk_node_attrs(p, tok + 6, ntok - 6, &n) != 0 ||
        mk_node_outputs(p, tok[5], &n) != 0)
        goto fail;
    int rc = builder_add_node(&p->b, &n); /* once added, the graph owns it (n is zeroed) */
    if (rc != 0) {
        mk_builder_fail(p, rc, "nodes");
        goto fail;
    }
    graph_node *gn = &g->nodes[g->n_nodes - 1];
    if (name_map_put(&p->nodes, gn->name, g->n_nodes - 1) != 0)
        return mk_oom(p);
    char why[256];
    if (op_infer(g, gn, why, sizeof why) != 0)
        return mk_fail(p, "%s", why);
    return 0;
fail:
    graph_node_free(&n);
    return -1;
}

static int mk_stmt_output(mk_parser *p, char **tok, size_t n)
{
    graph *g = p->b.g;
    if (n < 2)
        return mk_fail(p, "want: output NAME[,NAME...]");
    for (size_t k = 1; k < n; k++) {
        char *item[OM_MAX_NODE_IO];
        uint32_t count;
        if (mk_split_list(p, "outputs on one line", tok[k], item, &count) != 0)
            return -1;
        for (uint32_t i = 0; i < count; i++) {
            uint32_t t;
            if (!name_map_get(&p->tensors, item[i], &t))
                return mk_fail(p, "unknown tensor '%.64s'", item[i]);
            if (g->tensors[t].kind != TENSOR_ACTIVATION)
                return mk_fail(p, "output '%s' is not produced by a node", item[i]);
            for (uint32_t j = 0; j < g->n_outputs; j++)
                if (g->outputs[j] == t)
                    return mk_fail(p, "output '%s' listed twice", item[i]);
            int rc = builder_add_output(&p->b, t);
            if (rc != 0)
                return mk_builder_fail(p, rc, "outputs");
        }
    }
    return 0;
}

static int mk_stmt_model(mk_parser *p, char **tok, size_t n)
{
    if (n != 2)
        return mk_fail(p, "want: model NAME");
    if (p->model_seen)
        return mk_fail(p, "model named twice");
    p->model_seen = 1;
    return mk_check_name(p, "model", tok[1]);
}

static int mk_line(mk_parser *p, char *line)
{
    char *tok[MK_MAX_TOKENS];
    size_t n;
    if (mk_tokenize(p, line, tok, &n) != 0)
        return -1;
    if (n == 0)
        return 0;
    if (strcmp(tok[0], "model") == 0)
        return mk_stmt_model(p, tok, n);
    if (strcmp(tok[0], "input") == 0)
        return mk_stmt_input(p, tok, n);
    if (strcmp(tok[0], "weight") == 0)
        return mk_stmt_weight(p, tok, n);
    if (strcmp(tok[0], "node") == 0)
        return mk_stmt_node(p, tok, n);
    if (strcmp(tok[0], "output") == 0)
        return mk_stmt_output(p, tok, n);
    return mk_fail(p, "unknown statement '%.32s' (model, input, weight, node or output)", tok[0]);
}

static int mk_parse_text(mk_parser *p, const char *text, size_t len)
{
    char *buf = NULL;
    size_t cap = 0;
    size_t at = 0;
    int rc = 0;
    while (rc == 0 && at < len) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
        p->line++;
        if (memchr(text + at, '\0', n)) {
            rc = mk_fail(p, "NUL byte in the text");
            break;
        }
        if (n + 1 > cap) {
            free(buf);
            cap = n + 1;
            if (!(buf = malloc(cap))) {
                rc = mk_oom(p);
                break;
            }
        }
        memcpy(buf, text + at, n);
        buf[n] = '\0';
        rc = mk_line(p, buf);
        at += n + 1;
    }
    free(buf);
    if (rc == 0 && p->b.g->n_outputs == 0)
        rc = mk_fail(p, "no output declared (add a line 'output NAME')");
    return rc;
}

int mkom_build(const char *text, size_t len, const char *source, uint64_t seed, graph **out, char *err,
               size_t errlen)
{
    mk_parser p = {.source = source ? source : "<text>", .err = err, .errlen = errlen, .seed = seed};
    if (err && errlen)
        err[0] = '\0';
    *out = NULL;
    if (builder_init(&p.b, MK_MAX_WEIGHT_BYTES) != 0)
        return mk_oom(&p);
    int rc = text || !len ? mk_parse_text(&p, text ? text : "", len) : mk_fail(&p, "no text");
    if (rc == 0 && builder_finish(&p.b, out) != 0)
        rc = mk_oom(&p);
    name_map_free(&p.tensors);
    name_map_free(&p.nodes);
    if (rc != 0) {
        builder_discard(&p.b);
        return -1;
    }
    return 0;
}
