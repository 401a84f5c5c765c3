/*
 * describe.c - the description of each model the library subscribes,
 * written into the stream once per subscription, before the model's first
 * record (docs/FORMAT.md, "Model descriptions"): one model-description
 * record (name, file, device, operator count) and operator-description
 * records, each text split over as many records as it needs.
 *
 * The file is the path the program passed to aclmdlLoadFromFile* (the load
 * hooks remember it here), "(memory)" for a model loaded from memory, and
 * empty for a model first seen at its execute; the name is the file's base
 * name without its extension (the runtime names no model), "(memory)" or
 * "model N" otherwise.  The device is the calling thread's
 * (aclrtGetDevice).  The model's own inputs and outputs come from the
 * public description calls (aclmdlGetDesc, aclmdlGetInputDims, ...), so
 * they are there over the vendor's runtime too; every operator's shapes,
 * data types and formats only over the emulated runtime, which exports a
 * private function for it (decoder/record/desc.h), found with dlsym.
 *
 * The records are control records: queued through the relay
 * (pl_relay_push_control) behind the stream start, and, on one hop, in the
 * sink before this returns, i.e. before the subscription that lets the
 * runtime write exists.  The program's own subscription never sees them.
 *
 * Memory: the remembered paths are kept in a small table under desc_lock.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "acl/acl.h"
#include "aclsub/record.h"
#include "decoder/record/desc.h"
#include "preload/preload.h"

#define REC ACLSUB_REC_SIZE

/* --- what the load hooks saw ------------------------------------------------------------ */

typedef struct loaded {
    uint32_t id;
    char *path; /* NULL: loaded from memory */
    struct loaded *next;
} loaded;

static pthread_mutex_t desc_lock = PTHREAD_MUTEX_INITIALIZER;
static loaded *loads; /* under desc_lock */

void pl_describe_forget(uint32_t id)
{
    pthread_mutex_lock(&desc_lock);
    for (loaded **pp = &loads; *pp;) {
        loaded *l = *pp;
        if (l->id == id) {
            *pp = l->next;
            free(l->path);
            free(l);
            continue;
        }
        pp = &l->next;
    }
    pthread_mutex_unlock(&desc_lock);
}

void pl_describe_note_load(uint32_t id, const char *path)
{
    pl_describe_forget(id);
    loaded *l = calloc(1, sizeof *l);
    if (!l)
        return;
    l->id = id;
    if (path && !(l->path = strdup(path))) {
        free(l);
        return;
    }
    pthread_mutex_lock(&desc_lock);
    l->next = loads;
    loads = l;
    pthread_mutex_unlock(&desc_lock);
}

/* The file of model id into buf: its path, "(memory)", or "" when the load was not seen; 1 if seen. */
static int loaded_file(uint32_t id, char **out)
{
    int seen = 0;
    *out = NULL;
    pthread_mutex_lock(&desc_lock);
    for (loaded *l = loads; l; l = l->next)
        if (l->id == id) {
            seen = 1;
            *out = strdup(l->path ? l->path : ACLSUB_MODEL_FILE_MEM);
            break;
        }
    pthread_mutex_unlock(&desc_lock);
    return seen && *out;
}

/* The model's name from its file: the base name without its last extension. */
static void name_of(const char *file, int seen, uint32_t id, char *name, size_t cap)
{
    if (!seen) {
        snprintf(name, cap, "model %u", id);
        return;
    }
    if (strcmp(file, ACLSUB_MODEL_FILE_MEM) == 0) {
        snprintf(name, cap, "%s", ACLSUB_MODEL_FILE_MEM);
        return;
    }
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    if (n == 0) {
        snprintf(name, cap, "model %u", id);
        return;
    }
    snprintf(name, cap, "%.*s", (int)(n < cap ? n : cap - 1), base);
}

/* --- the runtime's calls ------------------------------------------------------------------ */

void *pl_runtime_sym(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (!f) {
        void *h = dlopen("libascendcl.so", RTLD_LAZY | RTLD_NOLOAD);
        if (h) {
            f = dlsym(h, name);
            dlclose(h);
        }
    }
    return f;
}

/* The model's own inputs and outputs through the public description calls, into b; 0 if unavailable. */
static int describe_io(uint32_t id, aclsub_desc_buf *b, uint64_t *n_in, uint64_t *n_out)
{
    aclmdlDesc *(*create)(void) = (aclmdlDesc * (*)(void)) pl_runtime_sym("aclmdlCreateDesc");
    aclError (*destroy)(aclmdlDesc *) = (aclError(*)(aclmdlDesc *))pl_runtime_sym("aclmdlDestroyDesc");
    aclError (*get)(aclmdlDesc *, uint32_t) = (aclError(*)(aclmdlDesc *, uint32_t))pl_runtime_sym("aclmdlGetDesc");
    size_t (*num[2])(aclmdlDesc *) = {(size_t(*)(aclmdlDesc *))pl_runtime_sym("aclmdlGetNumInputs"),
                                      (size_t(*)(aclmdlDesc *))pl_runtime_sym("aclmdlGetNumOutputs")};
    typedef aclError (*dims_fn)(const aclmdlDesc *, size_t, aclmdlIODims *);
    typedef aclDataType (*dt_fn)(const aclmdlDesc *, size_t);
    typedef aclFormat (*fmt_fn)(const aclmdlDesc *, size_t);
    dims_fn dims[2] = {(dims_fn)pl_runtime_sym("aclmdlGetInputDims"), (dims_fn)pl_runtime_sym("aclmdlGetOutputDims")};
    dt_fn dt[2] = {(dt_fn)pl_runtime_sym("aclmdlGetInputDataType"), (dt_fn)pl_runtime_sym("aclmdlGetOutputDataType")};
    fmt_fn fmt[2] = {(fmt_fn)pl_runtime_sym("aclmdlGetInputFormat"), (fmt_fn)pl_runtime_sym("aclmdlGetOutputFormat")};
    if (!create || !destroy || !get || !num[0] || !num[1] || !dims[0] || !dims[1] || !dt[0] || !dt[1] || !fmt[0] ||
        !fmt[1])
        return 0;
    aclmdlDesc *d = create();
    if (!d)
        return 0;
    aclmdlIODims *io = malloc(sizeof *io);
    int ok = io && get(d, id) == ACL_SUCCESS;
    for (int side = 0; ok && side < 2; side++) {
        size_t n = num[side](d);
        *(side ? n_out : n_in) = n;
        if (side)
            aclsub_desc_put(b, "|");
        for (int field = 0; field < 3; field++) {
            if (field)
                aclsub_desc_put(b, "|");
            for (size_t i = 0; i < n; i++) {
                if (field == 0) {
                    if (dims[side](d, i, io) != ACL_SUCCESS)
                        io->dimCount = 0;
                    size_t rank = io->dimCount < ACL_MAX_DIM_CNT ? io->dimCount : ACL_MAX_DIM_CNT;
                    aclsub_desc_put_shape(b, i == 0, io->dims, rank);
                } else {
                    if (i)
                        aclsub_desc_put(b, ";");
                    aclsub_desc_put(b, field == 1 ? aclsub_dtype_text(dt[side](d, i))
                                                  : aclsub_format_text(fmt[side](d, i)));
                }
            }
        }
    }
    free(io);
    destroy(d);
    return ok;
}

/* --- the records ---------------------------------------------------------------------------- */

typedef struct rec_list {
    unsigned char *p;
    size_t n, cap;
} rec_list;

static unsigned char *rec_slot(rec_list *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        unsigned char *p = realloc(l->p, cap * REC);
        if (!p)
            return NULL;
        l->p = p;
        l->cap = cap;
    }
    return l->p + REC * l->n++;
}

/*
 * The fields every description record shares.  All records of one
 * description carry the same time, which tells a reader they belong
 * together (in time order they may come in any order among themselves).
 */
static void desc_base(aclsub_rec *r, uint8_t kind, uint32_t id, uint32_t dev, uint64_t t)
{
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->model_id = id;
    r->flag = ACL_SUBSCRIBE_NONE;
    r->dev_id = dev;
    r->pid = (uint32_t)getpid();
    r->thread_id = (uint32_t)syscall(SYS_gettid);
    r->start = r->end = t;
}

/* One description text as operator-description records of op_index (at most ACLSUB_DESC_MAX_PARTS). */
static int add_text(rec_list *l, uint32_t id, uint32_t dev, uint64_t t, uint64_t op_index, const char *type,
                    const char *text, size_t len)
{
    size_t parts = len ? (len + ACLSUB_REC_NAME_CAP - 1) / ACLSUB_REC_NAME_CAP : 1;
    if (parts > ACLSUB_DESC_MAX_PARTS)
        parts = ACLSUB_DESC_MAX_PARTS; /* the text is cut; arg2 still says its full length */
    for (size_t k = 0; k < parts; k++) {
        unsigned char *slot = rec_slot(l);
        if (!slot)
            return -1;
        aclsub_rec r;
        desc_base(&r, ACLSUB_KIND_OP_DESC, id, dev, t);
        r.op_index = op_index;
        r.type = type;
        r.type_len = strlen(type);
        size_t off = k * ACLSUB_REC_NAME_CAP; /* < len, or 0 for an empty text */
        size_t n = len - off < ACLSUB_REC_NAME_CAP ? len - off : ACLSUB_REC_NAME_CAP;
        r.name = text + off;
        r.name_len = n;
        r.arg[0] = k;
        r.arg[1] = parts;
        r.arg[2] = len;
        r.arg[3] = off;
        aclsub_rec_encode(slot, &r);
    }
    return 0;
}

void pl_describe_model(uint32_t id, int onehop)
{
    char *file = NULL;
    int seen = loaded_file(id, &file);
    char name[ACLSUB_REC_TYPE_CAP * 2];
    name_of(file ? file : "", seen, id, name, sizeof name);
    int32_t dev = 0;
    aclError (*get_dev)(int32_t *) = (aclError(*)(int32_t *))pl_runtime_sym("aclrtGetDevice");
    if (!get_dev || get_dev(&dev) != ACL_SUCCESS)
        dev = 0;
    uint64_t t = pl_now_ns();
    rec_list l = {0};
    unsigned char *model_slot = rec_slot(&l);
    char *text = malloc(ACLSUB_DESC_TEXT_MAX + 1), type[ACLSUB_REC_TYPE_CAP * 2];
    uint64_t n_in = 0, n_out = 0, flags = 0;
    uint32_t ops = 0;
    if (!model_slot || !text)
        goto out;
    aclsub_desc_buf b = {text, ACLSUB_DESC_TEXT_MAX + 1, 0};
    if (describe_io(id, &b, &n_in, &n_out) &&
        add_text(&l, id, (uint32_t)dev, t, ACLSUB_DESC_MODEL_IO, ACLSUB_TYPE_MODEL_IO, text,
                 b.len < ACLSUB_DESC_TEXT_MAX ? b.len : ACLSUB_DESC_TEXT_MAX) < 0)
        goto out;
    aclsub_emu_op_desc_fn op_desc = (aclsub_emu_op_desc_fn)pl_runtime_sym(ACLSUB_EMU_OP_DESC_SYMBOL);
    if (op_desc && op_desc(id, 0, type, sizeof type, text, ACLSUB_DESC_TEXT_MAX + 1, &ops) >= 0) {
        flags |= ACLSUB_DESC_OPS;
        uint32_t n = ops;
        if (n > ACLSUB_DESC_MAX_OPS) {
            n = ACLSUB_DESC_MAX_OPS;
            flags |= ACLSUB_DESC_OPS_CUT;
        }
        for (uint32_t i = 0; i < n; i++) {
            uint32_t count = 0;
            int len = op_desc(id, i, type, sizeof type, text, ACLSUB_DESC_TEXT_MAX + 1, &count);
            if (len < 0)
                break;
            size_t tl = (size_t)len < ACLSUB_DESC_TEXT_MAX ? (size_t)len : ACLSUB_DESC_TEXT_MAX;
            if (add_text(&l, id, (uint32_t)dev, t, i, type, text, tl) < 0)
                goto out;
        }
    }
    model_slot = l.p; /* the list may have moved */
    aclsub_rec r;
    desc_base(&r, ACLSUB_KIND_MODEL_DESC, id, (uint32_t)dev, t);
    r.op_index = ops;
    r.type = name;
    r.type_len = strlen(name);
    r.name = seen ? file : "";
    r.name_len = strlen(r.name);
    r.arg[0] = l.n - 1;
    r.arg[1] = n_in;
    r.arg[2] = n_out;
    r.arg[3] = flags;
    aclsub_rec_encode(model_slot, &r);
    size_t queued = pl_relay_push_control(l.p, l.n);
    if (queued < l.n)
        pl_log(LOG_DEBUG, "aclsub: model %u: %zu of %zu description records queued (no room)", id, queued, l.n);
    if (onehop)
        pl_relay_flush(); /* in the sink before the runtime may write */
out:
    free(text);
    free(file);
    free(l.p);
}
