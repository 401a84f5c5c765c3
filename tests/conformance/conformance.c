/*
 * conformance.c - runs ONNX's own backend node tests through `aclsub atc`'s
 * importer and the emulated device.
 *
 *   conformance [--data DIR] [--skip FILE] [--only GLOB] [-v]
 *
 * DIR (default /usr/share/libonnx-testdata/data/node) holds test_* folders,
 * each with model.onnx and test_data_set_0/{input,output}_N.pb (TensorProto
 * files).  For each test:
 *   - a model using an op type aclsub does not know at all is "unsupported";
 *   - a test matching a pattern of the skip file (fnmatch globs, one
 *     "PATTERN: reason" per line, '#' comments) is "skipped";
 *   - otherwise the model is imported (input shapes taken from the input
 *     TensorProtos when the graph's own are not static), written as an .om,
 *     loaded with aclmdlLoadFromMem, executed once through the public
 *     AscendCL API, and each output compared with the expected one (same
 *     shape; floats within rtol 1e-3 + atol 1e-5, integers exactly).
 * One line per op type (pass/fail/skip/unsupported), then a total line.
 * Exit status 0 when no test failed, 1 otherwise, 2 on a usage error.
 */
#include <ctype.h>
#include <dirent.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "acl/acl.h"
#include "shim/engine/om.h"
#include "gen/onnx.pb-c.h"
#include "tools/compile/onnx_import.h"
#include "tools/compile/om_write.h"

#define CF_RTOL 1e-3
#define CF_ATOL 1e-5
#define CF_MAX_IO 16
#define CF_MAX_FILE ((size_t)256 << 20)

/* --- small helpers ---------------------------------------------------------------------- */

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = NULL;
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (n >= 0 && (size_t)n <= CF_MAX_FILE && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
        fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n > 0 ? (size_t)n : 0;
    return buf;
}

/* A failure's reason, formatted into the caller's buffer; returns -1. */
__attribute__((format(printf, 3, 4))) static int why(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    return -1;
}

/* --- per op type counts --------------------------------------------------------------------- */

enum { R_PASS, R_FAIL, R_SKIP, R_UNSUPPORTED, R_COUNT_ };

typedef struct tally {
    char name[64];
    unsigned n[R_COUNT_];
} tally;

/* The run's table, filled by the one thread that runs the tests. */
static tally *g_tallies;
static size_t g_ntallies;

static void count(const char *op, int result)
{
    for (size_t i = 0; i < g_ntallies; i++)
        if (strcmp(g_tallies[i].name, op) == 0) {
            g_tallies[i].n[result]++;
            return;
        }
    tally *t = realloc(g_tallies, (g_ntallies + 1) * sizeof *t);
    if (!t) {
        fprintf(stderr, "conformance: out of memory\n");
        exit(2);
    }
    g_tallies = t;
    memset(&t[g_ntallies], 0, sizeof *t);
    snprintf(t[g_ntallies].name, sizeof t[g_ntallies].name, "%s", op);
    t[g_ntallies++].n[result]++;
}

static int tally_cmp(const void *a, const void *b)
{
    return strcmp(((const tally *)a)->name, ((const tally *)b)->name);
}

static int print_tallies(unsigned total_tests)
{
    unsigned sum[R_COUNT_] = {0};
    qsort(g_tallies, g_ntallies, sizeof *g_tallies, tally_cmp);
    printf("%-28s %5s %5s %5s %11s\n", "op type", "pass", "fail", "skip", "unsupported");
    for (size_t i = 0; i < g_ntallies; i++) {
        const tally *t = &g_tallies[i];
        for (int r = 0; r < R_COUNT_; r++)
            sum[r] += t->n[r];
        if (t->n[R_PASS] + t->n[R_FAIL] + t->n[R_SKIP]) /* op types aclsub runs */
            printf("%-28s %5u %5u %5u %11u\n", t->name, t->n[R_PASS], t->n[R_FAIL], t->n[R_SKIP],
                   t->n[R_UNSUPPORTED]);
    }
    printf("conformance: %u tests: %u passed, %u failed, %u skipped, %u unsupported\n", total_tests, sum[R_PASS],
           sum[R_FAIL], sum[R_SKIP], sum[R_UNSUPPORTED]);
    return sum[R_FAIL] ? 1 : 0;
}

/* --- the skip list --------------------------------------------------------------------------- */

typedef struct skip_rule {
    char *pattern;
    char *reason;
} skip_rule;

/* Loaded once at start, read-only afterwards. */
static skip_rule *g_skips;
static size_t g_nskips;

static int load_skips(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "conformance: %s: cannot open the skip list\n", path);
        return -1;
    }
    char line[1024];
    unsigned lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char *s = line + strspn(line, " \t");
        if (!*s || *s == '#')
            continue;
        char *colon = strchr(s, ':');
        char *reason = colon ? colon + 1 + strspn(colon + 1, " \t") : NULL;
        if (!colon || !*reason) {
            fprintf(stderr, "conformance: %s:%u: want 'PATTERN: reason'\n", path, lineno);
            fclose(f);
            return -1;
        }
        *colon = '\0';
        skip_rule *r = realloc(g_skips, (g_nskips + 1) * sizeof *r);
        if (!r || !(r[g_nskips].pattern = strdup(s)) || !(r[g_nskips].reason = strdup(reason))) {
            fclose(f);
            return -1;
        }
        g_skips = r;
        g_nskips++;
    }
    fclose(f);
    return 0;
}

static const char *skip_reason(const char *test)
{
    for (size_t i = 0; i < g_nskips; i++)
        if (fnmatch(g_skips[i].pattern, test, 0) == 0)
            return g_skips[i].reason;
    return NULL;
}

/* --- classifying a test ------------------------------------------------------------------------ */

/* Lower-case op type without underscores compared with the test name's start ("batchnorm..."). */
static size_t op_prefix_len(const char *op, const char *test)
{
    size_t n = 0;
    for (; op[n]; n++)
        if (!test[n] || tolower((unsigned char)op[n]) != test[n])
            return 0;
    return test[n] == '\0' || test[n] == '_' ? n : 0;
}

/*
 * The op type a test is about: among its nodes' op types, the longest that
 * spells the start of the test name; else its first node that is not a
 * Constant.
 */
static const char *test_op_type(const Onnx__GraphProto *g, const char *test)
{
    const char *best = NULL;
    size_t best_len = 0;
    const char *name = strncmp(test, "test_", 5) == 0 ? test + 5 : test;
    for (size_t i = 0; i < g->n_node; i++) {
        const char *op = g->node[i]->op_type ? g->node[i]->op_type : "";
        size_t n = op_prefix_len(op, name);
        if (n > best_len) {
            best = op;
            best_len = n;
        }
    }
    for (size_t i = 0; !best && i < g->n_node; i++)
        if (g->node[i]->op_type && strcmp(g->node[i]->op_type, "Constant") != 0)
            best = g->node[i]->op_type;
    return best ? best : "(none)";
}

/* 1 when every node is of the default domain and of an op type aclsub knows. */
static int all_ops_known(const Onnx__GraphProto *g)
{
    for (size_t i = 0; i < g->n_node; i++) {
        const Onnx__NodeProto *n = g->node[i];
        if ((n->domain && *n->domain && strcmp(n->domain, "ai.onnx") != 0) || !onnx_import_op_known(n->op_type))
            return 0;
    }
    return 1;
}

/* --- test data ----------------------------------------------------------------------------------- */

typedef struct tensor_data {
    Onnx__TensorProto *tp;
    aclDataType dtype;
    size_t bytes;
    const void *data;
} tensor_data;

/* The bytes of a TensorProto of FLOAT, INT32 or INT64 elements. */
static int tensor_bytes(Onnx__TensorProto *tp, tensor_data *t, char *err, size_t errlen)
{
    size_t numel = 1, count, esize;
    const void *typed;
    for (size_t k = 0; k < tp->n_dims; k++)
        numel *= (size_t)tp->dims[k];
    switch (tp->data_type) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
        t->dtype = ACL_FLOAT, esize = 4, count = tp->n_float_data, typed = tp->float_data;
        break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
        t->dtype = ACL_INT32, esize = 4, count = tp->n_int32_data, typed = tp->int32_data;
        break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
        t->dtype = ACL_INT64, esize = 8, count = tp->n_int64_data, typed = tp->int64_data;
        break;
    default:
        return why(err, errlen, "test data of ONNX dtype %d", tp->data_type);
    }
    t->tp = tp;
    t->bytes = numel * esize;
    t->data = tp->has_raw_data ? (const void *)tp->raw_data.data : typed;
    if ((tp->has_raw_data ? tp->raw_data.len : count * esize) != t->bytes)
        return why(err, errlen, "test data size does not match its shape");
    return 0;
}

/* Reads test_data_set_0/PREFIX_N.pb for N = 0, 1, ... */
static int load_set(const char *dir, const char *prefix, tensor_data *t, size_t *n, char *err, size_t errlen)
{
    for (*n = 0; *n < CF_MAX_IO; (*n)++) {
        char path[4096];
        size_t len;
        snprintf(path, sizeof path, "%s/test_data_set_0/%s_%zu.pb", dir, prefix, *n);
        unsigned char *buf = read_file(path, &len);
        if (!buf)
            return 0;
        Onnx__TensorProto *tp = onnx__tensor_proto__unpack(NULL, len, buf);
        free(buf);
        if (!tp)
            return why(err, errlen, "%s does not parse", path);
        if (tensor_bytes(tp, &t[*n], err, errlen)) {
            onnx__tensor_proto__free_unpacked(tp, NULL);
            return -1;
        }
    }
    return 0;
}

static void free_set(tensor_data *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        onnx__tensor_proto__free_unpacked(t[i].tp, NULL);
}

/* --- importing ------------------------------------------------------------------------------------- */

static int is_initializer(const Onnx__GraphProto *g, const char *name)
{
    for (size_t i = 0; i < g->n_initializer; i++)
        if (g->initializer[i]->name && strcmp(g->initializer[i]->name, name) == 0)
            return 1;
    return 0;
}

/*
 * The runtime inputs of the graph (inputs that are not initializers), in
 * order: test data file input_K.pb belongs to the K-th of them.
 */
static size_t runtime_inputs(const Onnx__GraphProto *g, const Onnx__ValueInfoProto **vi, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < g->n_input && n < max; i++)
        if (g->input[i]->name && !is_initializer(g, g->input[i]->name))
            vi[n++] = g->input[i];
    return n;
}

/* 1 when some runtime input of the graph lacks a static shape. */
static int needs_shapes(const Onnx__ValueInfoProto **vi, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const Onnx__TypeProto *tp = vi[i]->type;
        if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type->shape)
            return 1;
        const Onnx__TensorShapeProto *sp = tp->tensor_type->shape;
        for (size_t k = 0; k < sp->n_dim; k++)
            if (sp->dim[k]->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
                return 1;
    }
    return 0;
}

/* "name:d,d;name:d" for the runtime inputs that are not frozen, from their test data. */
static int shapes_from_data(const Onnx__ValueInfoProto **vi, const tensor_data *in, const int *frozen, size_t n,
                            char *spec, size_t len)
{
    size_t used = 0;
    spec[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        if (frozen[k])
            continue;
        used += (size_t)snprintf(spec + used, used < len ? len - used : 0, "%s%s:", used ? ";" : "", vi[k]->name);
        for (size_t d = 0; d < in[k].tp->n_dims; d++)
            used += (size_t)snprintf(spec + used, used < len ? len - used : 0, "%s%lld", d ? "," : "",
                                     (long long)in[k].tp->dims[d]);
    }
    return used < len ? 0 : -1;
}

/*
 * The model packed again with the frozen inputs' test data added as
 * initializers (an input that is also an initializer is a weight).  The
 * unpacked model is restored before returning.
 */
static uint8_t *pack_frozen(Onnx__ModelProto *m, const Onnx__ValueInfoProto **vi, const tensor_data *in,
                            const int *frozen, size_t n, size_t *len)
{
    Onnx__GraphProto *g = m->graph;
    size_t n_init = g->n_initializer;
    Onnx__TensorProto **saved = g->initializer, **all = malloc((n_init + n + 1) * sizeof *all);
    char *names[CF_MAX_IO];
    if (!all)
        return NULL;
    if (n_init)
        memcpy(all, saved, n_init * sizeof *all);
    for (size_t k = 0; k < n; k++)
        if (frozen[k]) {
            names[k] = in[k].tp->name;
            in[k].tp->name = vi[k]->name;
            all[g->n_initializer++] = in[k].tp;
        }
    g->initializer = all;
    *len = onnx__model_proto__get_packed_size(m);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (buf)
        onnx__model_proto__pack(m, buf);
    g->initializer = saved;
    g->n_initializer = n_init;
    for (size_t k = 0; k < n; k++)
        if (frozen[k])
            in[k].tp->name = names[k];
    free(all);
    return buf;
}

/*
 * The runtime input an import error says must be constant ("... input 'NAME'
 * is not a constant weight"), or -1.
 */
static int input_to_freeze(const char *ierr, const Onnx__ValueInfoProto **vi, const int *frozen, size_t n)
{
    const char *end = strstr(ierr, "' is not a constant weight");
    const char *start = end;
    while (start && start > ierr && start[-1] != '\'')
        start--;
    if (!end || start == ierr)
        return -1;
    for (size_t k = 0; k < n; k++)
        if (!frozen[k] && strlen(vi[k]->name) == (size_t)(end - start) &&
            strncmp(vi[k]->name, start, (size_t)(end - start)) == 0)
            return (int)k;
    return -1;
}

/*
 * Imports the model; runtime inputs an operator needs as constants (Slice's
 * starts, Resize's scales, ...: the backend tests feed them as inputs,
 * exporters write them as initializers) are frozen to their test data and
 * the import tried again.
 */
static graph *import_model(Onnx__ModelProto *m, const Onnx__ValueInfoProto **vi, const tensor_data *in, int *frozen,
                           size_t n, char *err, size_t errlen)
{
    char spec[4096], ierr[1024];
    int shapes = needs_shapes(vi, n);
    for (size_t attempt = 0; attempt <= n; attempt++) {
        onnx_import_opts opts = {.source = "model.onnx"};
        if (shapes) {
            if (shapes_from_data(vi, in, frozen, n, spec, sizeof spec)) {
                why(err, errlen, "cannot derive input shapes from the test data");
                return NULL;
            }
            opts.input_shape = spec;
        }
        size_t len;
        uint8_t *bytes = pack_frozen(m, vi, in, frozen, n, &len);
        graph *g = NULL;
        int rc = bytes ? onnx_import(bytes, len, &opts, &g, NULL, ierr, sizeof ierr) : ONNX_IMPORT_ENOMEM;
        free(bytes);
        if (rc == ONNX_IMPORT_OK)
            return g;
        int k = input_to_freeze(ierr, vi, frozen, n);
        if (k < 0)
            break;
        frozen[k] = 1;
    }
    why(err, errlen, "import: %s", ierr);
    return NULL;
}

/* Imports the model and writes its .om image into memory. */
static int compile(Onnx__ModelProto *m, const Onnx__ValueInfoProto **vi, const tensor_data *in, int *frozen,
                   size_t n, unsigned char **image, size_t *image_len, char *err, size_t errlen)
{
    char ierr[1024];
    graph *g = import_model(m, vi, in, frozen, n, err, errlen);
    if (!g)
        return -1;
    char path[] = "/tmp/aclsub-conformance-XXXXXX";
    int fd = mkstemp(path);
    int rc = fd < 0 ? why(err, errlen, "mkstemp failed") : 0;
    if (fd >= 0)
        close(fd);
    if (rc == 0 && om_write_file(g, path, ierr, sizeof ierr) != 0)
        rc = why(err, errlen, "om_write_file: %s", ierr);
    if (rc == 0 && !(*image = read_file(path, image_len)))
        rc = why(err, errlen, "cannot read back the .om");
    if (fd >= 0)
        unlink(path);
    graph_free(g);
    return rc;
}

/* --- running on the device --------------------------------------------------------------------------- */

typedef struct run_io {
    aclmdlDataset *in, *out;
    void *dev[2 * CF_MAX_IO];
    size_t n_dev;
} run_io;

static int add_buffer(run_io *io, aclmdlDataset *ds, size_t size, const void *host, char *err, size_t errlen)
{
    void *p = NULL;
    if (aclrtMalloc(&p, size ? size : 1, ACL_MEM_MALLOC_HUGE_FIRST) != ACL_SUCCESS)
        return why(err, errlen, "aclrtMalloc(%zu) failed", size);
    io->dev[io->n_dev++] = p;
    if (host && size && aclrtMemcpy(p, size, host, size, ACL_MEMCPY_HOST_TO_DEVICE) != ACL_SUCCESS)
        return why(err, errlen, "aclrtMemcpy to the device failed");
    aclDataBuffer *b = aclCreateDataBuffer(p, size);
    if (!b || aclmdlAddDatasetBuffer(ds, b) != ACL_SUCCESS)
        return why(err, errlen, "cannot add a dataset buffer");
    return 0;
}

static void free_io(run_io *io)
{
    for (int k = 0; k < 2; k++) {
        aclmdlDataset *ds = k ? io->out : io->in;
        if (!ds)
            continue;
        for (size_t i = 0; i < aclmdlGetDatasetNumBuffers(ds); i++)
            aclDestroyDataBuffer(aclmdlGetDatasetBuffer(ds, i));
        aclmdlDestroyDataset(ds);
    }
    for (size_t i = 0; i < io->n_dev; i++)
        aclrtFree(io->dev[i]);
}

static int bind_io(aclmdlDesc *desc, run_io *io, const tensor_data *in, size_t n_in, size_t n_out, char *err,
                   size_t errlen)
{
    if (aclmdlGetNumInputs(desc) != n_in || aclmdlGetNumOutputs(desc) != n_out)
        return why(err, errlen, "model has %zu inputs and %zu outputs, the test data %zu and %zu",
                   aclmdlGetNumInputs(desc), aclmdlGetNumOutputs(desc), n_in, n_out);
    if (!(io->in = aclmdlCreateDataset()) || !(io->out = aclmdlCreateDataset()))
        return why(err, errlen, "aclmdlCreateDataset failed");
    for (size_t i = 0; i < n_in; i++) {
        if (aclmdlGetInputDataType(desc, i) != in[i].dtype || aclmdlGetInputSizeByIndex(desc, i) != in[i].bytes)
            return why(err, errlen, "input %zu: the model wants %zu bytes of type %d, the test data has %zu of %d", i,
                       aclmdlGetInputSizeByIndex(desc, i), (int)aclmdlGetInputDataType(desc, i), in[i].bytes,
                       (int)in[i].dtype);
        if (add_buffer(io, io->in, in[i].bytes, in[i].data, err, errlen))
            return -1;
    }
    for (size_t i = 0; i < n_out; i++)
        if (add_buffer(io, io->out, aclmdlGetOutputSizeByIndex(desc, i), NULL, err, errlen))
            return -1;
    return 0;
}

static int close_enough(aclDataType dt, const void *got, const void *want, size_t i)
{
    if (dt == ACL_FLOAT) {
        float a = ((const float *)got)[i], b = ((const float *)want)[i];
        if (isnan(a) || isnan(b))
            return isnan(a) && isnan(b);
        if (isinf(a) || isinf(b))
            return a == b;
        return fabs((double)a - (double)b) <= CF_ATOL + CF_RTOL * fabs((double)b);
    }
    if (dt == ACL_INT32)
        return ((const int32_t *)got)[i] == ((const int32_t *)want)[i];
    return ((const int64_t *)got)[i] == ((const int64_t *)want)[i];
}

/* Output k: type, shape and values against the expected tensor. */
static int check_output(aclmdlDesc *desc, run_io *io, size_t k, const tensor_data *want, char *err, size_t errlen)
{
    aclmdlIODims dims;
    if (aclmdlGetOutputDims(desc, k, &dims) != ACL_SUCCESS)
        return why(err, errlen, "aclmdlGetOutputDims failed");
    int same = dims.dimCount == want->tp->n_dims && aclmdlGetOutputDataType(desc, k) == want->dtype;
    for (size_t d = 0; same && d < dims.dimCount; d++)
        same = dims.dims[d] == want->tp->dims[d];
    if (!same)
        return why(err, errlen, "output %zu has the wrong type or shape (rank %zu, expected rank %zu)", k,
                   dims.dimCount, want->tp->n_dims);
    void *host = malloc(want->bytes ? want->bytes : 1);
    aclDataBuffer *b = aclmdlGetDatasetBuffer(io->out, k);
    if (!host || (want->bytes && aclrtMemcpy(host, want->bytes, aclGetDataBufferAddr(b), want->bytes,
                                             ACL_MEMCPY_DEVICE_TO_HOST) != ACL_SUCCESS)) {
        free(host);
        return why(err, errlen, "cannot copy output %zu back", k);
    }
    size_t esize = want->dtype == ACL_INT64 ? 8 : 4, bad = 0, first = 0;
    for (size_t i = 0; i < want->bytes / esize; i++)
        if (!close_enough(want->dtype, host, want->data, i) && bad++ == 0)
            first = i;
    double g0 = 0, w0 = 0;
    if (bad && want->dtype == ACL_FLOAT) {
        g0 = ((const float *)host)[first];
        w0 = ((const float *)want->data)[first];
    }
    free(host);
    if (bad)
        return why(err, errlen, "output %zu: %zu of %zu values differ (first at %zu: %g, expected %g)", k, bad,
                   want->bytes / esize, first, g0, w0);
    return 0;
}

static int run_model(const unsigned char *image, size_t len, const tensor_data *in, size_t n_in,
                     const tensor_data *out, size_t n_out, char *err, size_t errlen)
{
    uint32_t id;
    aclError e = aclmdlLoadFromMem(image, len, &id);
    if (e != ACL_SUCCESS)
        return why(err, errlen, "aclmdlLoadFromMem returned %d", (int)e);
    aclmdlDesc *desc = aclmdlCreateDesc();
    run_io io = {0};
    int rc = !desc || aclmdlGetDesc(desc, id) != ACL_SUCCESS ? why(err, errlen, "aclmdlGetDesc failed") : 0;
    if (rc == 0)
        rc = bind_io(desc, &io, in, n_in, n_out, err, errlen);
    if (rc == 0 && (e = aclmdlExecute(id, io.in, io.out)) != ACL_SUCCESS)
        rc = why(err, errlen, "aclmdlExecute returned %d", (int)e);
    for (size_t k = 0; rc == 0 && k < n_out; k++)
        rc = check_output(desc, &io, k, &out[k], err, errlen);
    free_io(&io);
    if (desc)
        aclmdlDestroyDesc(desc);
    aclmdlUnload(id);
    return rc;
}

/* --- one test ------------------------------------------------------------------------------------------ */

static int run_test(const char *dir, Onnx__ModelProto *m, int *n_frozen, char *err, size_t errlen)
{
    tensor_data in[CF_MAX_IO], out[CF_MAX_IO], fed[CF_MAX_IO];
    const Onnx__ValueInfoProto *vi[CF_MAX_IO];
    int frozen[CF_MAX_IO] = {0};
    size_t n_in = 0, n_out = 0, n_fed = 0, image_len = 0;
    unsigned char *image = NULL;
    size_t n_vi = runtime_inputs(m->graph, vi, CF_MAX_IO);
    int rc = load_set(dir, "input", in, &n_in, err, errlen);
    if (rc == 0)
        rc = load_set(dir, "output", out, &n_out, err, errlen);
    if (rc == 0 && n_in != n_vi)
        rc = why(err, errlen, "%zu input files for %zu runtime inputs", n_in, n_vi);
    if (rc == 0)
        rc = compile(m, vi, in, frozen, n_in, &image, &image_len, err, errlen);
    for (size_t k = 0; k < n_in; k++)
        if (!frozen[k])
            fed[n_fed++] = in[k];
    *n_frozen = (int)(n_in - n_fed);
    if (rc == 0)
        rc = run_model(image, image_len, fed, n_fed, out, n_out, err, errlen);
    free(image);
    free_set(in, n_in);
    free_set(out, n_out);
    return rc;
}

typedef struct cf_opts {
    const char *data, *skip, *only;
    int verbose;
} cf_opts;

/* Classifies and runs the test in folder `name`; returns its R_* result. */
static int do_test(const cf_opts *o, const char *name, char *op, size_t oplen)
{
    char dir[4096], path[4200], err[1024];
    size_t len;
    snprintf(dir, sizeof dir, "%s/%s", o->data, name);
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    snprintf(op, oplen, "(unreadable)");
    unsigned char *model = read_file(path, &len);
    Onnx__ModelProto *m = model ? onnx__model_proto__unpack(NULL, len, model) : NULL;
    if (!m || !m->graph) {
        printf("FAIL %s: %s does not parse\n", name, path);
        free(model);
        if (m)
            onnx__model_proto__free_unpacked(m, NULL);
        return R_FAIL;
    }
    snprintf(op, oplen, "%s", test_op_type(m->graph, name));
    const char *skip = skip_reason(name);
    int result = !all_ops_known(m->graph) ? R_UNSUPPORTED : skip ? R_SKIP : R_PASS, n_frozen = 0;
    if (result == R_PASS && run_test(dir, m, &n_frozen, err, sizeof err) != 0) {
        result = R_FAIL;
        printf("FAIL %s (%s): %s\n", name, op, err);
    } else if (o->verbose && result != R_UNSUPPORTED) {
        printf("%s %s (%s)%s%s%s\n", result == R_PASS ? "ok  " : "skip", name, op, skip ? ": " : "",
               skip ? skip : "", n_frozen ? " [constant inputs frozen]" : "");
    }
    onnx__model_proto__free_unpacked(m, NULL);
    free(model);
    return result;
}

static int test_filter(const struct dirent *d)
{
    return strncmp(d->d_name, "test_", 5) == 0;
}

static int parse_args(int argc, char **argv, cf_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-v") == 0) {
            o->verbose = 1;
            continue;
        }
        if (!v || (strcmp(a, "--data") && strcmp(a, "--skip") && strcmp(a, "--only"))) {
            fprintf(stderr, "usage: conformance [--data DIR] [--skip FILE] [--only GLOB] [-v]\n");
            return -1;
        }
        *(a[2] == 'd' ? &o->data : a[2] == 's' ? &o->skip : &o->only) = v;
        i++;
    }
    return 0;
}

int main(int argc, char **argv)
{
    cf_opts o = {.data = "/usr/share/libonnx-testdata/data/node", .skip = "tests/conformance/skip.txt"};
    if (parse_args(argc, argv, &o) || load_skips(o.skip))
        return 2;
    struct dirent **list;
    int n = scandir(o.data, &list, test_filter, alphasort);
    if (n < 0) {
        fprintf(stderr, "conformance: %s: cannot list the tests\n", o.data);
        return 2;
    }
    aclrtContext ctx;
    if (aclInit(NULL) != ACL_SUCCESS || aclrtSetDevice(0) != ACL_SUCCESS ||
        aclrtCreateContext(&ctx, 0) != ACL_SUCCESS) {
        fprintf(stderr, "conformance: cannot set up the emulated device\n");
        return 2;
    }
    unsigned total = 0;
    for (int i = 0; i < n; i++) {
        if (!o.only || fnmatch(o.only, list[i]->d_name, 0) == 0) {
            char op[64];
            int r = do_test(&o, list[i]->d_name, op, sizeof op);
            count(op, r);
            total++;
        }
        free(list[i]);
    }
    free(list);
    aclrtDestroyContext(ctx);
    aclrtResetDevice(0);
    aclFinalize();
    int rc = print_tallies(total);
    for (size_t i = 0; i < g_nskips; i++) {
        free(g_skips[i].pattern);
        free(g_skips[i].reason);
    }
    free(g_skips);
    free(g_tallies);
    return rc;
}
