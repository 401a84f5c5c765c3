/*
 * model.c - models on the emulated device: loading .om files (om.c),
 * subscribing them, model descriptions, datasets, and execution.
 *
 * An execute is a task on a stream: the stream's worker binds the caller's
 * input and output buffers to the graph, runs the nodes in order through
 * op_run, and reads CLOCK_MONOTONIC around each kernel.  When the model is
 * subscribed, the worker stores the times straight into an emu_times of
 * the execute and hands it to the subscription's writer (sub.c), which
 * builds one record per operator and one whole-run record from it and from
 * the graph's operator table (types, names and name hashes, made at load).
 * aclprofModelSubscribe / UnSubscribe attach and detach a model's
 * subscription here.  The description getters include the dynamic-gear
 * calls.  A model compiled with gears holds one graph per gear (om.h,
 * om_model); an execute runs the graph of the gear whose value it finds in
 * the shape-data input (the last), as aclmdlSetDynamicBatchSize /
 * SetDynamicHWSize wrote it there, and answers with the vendor's code when
 * that value is not a gear.  A model without gears answers "no gears".
 *
 * Lifetime: the registry holds one reference to each loaded model, every
 * execute in flight holds another; unloading waits for the executes in
 * flight, ends the subscription, and drops the registry's reference.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aclsub/emu_private.h"
#include "aclsub/record.h"
#include "decoder/record/desc.h"
#include "shim/emu.h"
#include "shim/file.h"
#include "shim/engine/om.h"
#include "shim/engine/om_format.h"
#include "shim/engine/ops.h"

#define MODEL_FILE_MAX ((size_t)4 << 30) /* larger files are refused before reading */

typedef struct emu_model emu_model;
struct emu_model {
    uint32_t id;
    om_model *om;   /* its graphs: one, or one per gear */
    const graph *g; /* om->graphs[0]: inputs and outputs as every gear has them */
    unsigned char *work;
    int work_owned;
    int refs;      /* under models_lock */
    int unloading; /* under models_lock */

    pthread_mutex_t lock; /* protects inflight, sub and cur_gear */
    pthread_cond_t idle;
    int inflight;
    emu_sub *sub;
    int cur_gear; /* the gear last set or executed; -1 before any */

    /* Executes of one model run one at a time: they share the work region. */
    pthread_mutex_t exec_lock;
    uint64_t iteration;   /* under exec_lock */
    void ***addrs;        /* per gear: tensor addresses, under exec_lock */
    const void **node_in; /* scratch for op_run, under exec_lock */
    void **node_out;
    uint64_t *times;      /* start/end per node when not subscribed, under exec_lock */
    emu_optable **optab;  /* per gear: the records' operator table */
};

/* The registry: models by id (id = index + 1), under models_lock. */
static pthread_mutex_t models_lock = PTHREAD_MUTEX_INITIALIZER;
static emu_model **models;
static uint32_t models_cap;

/*
 * A child of fork forgets the parent's models (their memory is the
 * parent's business; freeing it could wait on locks no thread will
 * release): see runtime.c, fork.
 */
static void models_fork_child(void)
{
    pthread_mutex_init(&models_lock, NULL);
    models = NULL;
    models_cap = 0;
}

__attribute__((constructor)) static void models_register_fork(void)
{
    pthread_atfork(NULL, NULL, models_fork_child);
}

static void model_free(emu_model *m)
{
    if (m->work_owned)
        free(m->work);
    for (uint32_t k = 0; m->addrs && k < m->om->n_graphs; k++)
        free(m->addrs[k]);
    free(m->addrs);
    for (uint32_t k = 0; m->optab && k < m->om->n_graphs; k++)
        emu_optable_put(m->optab[k]);
    free(m->optab);
    om_model_free(m->om);
    free(m->node_in);
    free(m->node_out);
    free(m->times);
    pthread_mutex_destroy(&m->lock);
    pthread_cond_destroy(&m->idle);
    pthread_mutex_destroy(&m->exec_lock);
    free(m);
}

static emu_model *emu_model_get(uint32_t id)
{
    emu_model *m = NULL;
    pthread_mutex_lock(&models_lock);
    if (id >= 1 && id <= models_cap && models[id - 1] && !models[id - 1]->unloading) {
        m = models[id - 1];
        m->refs++;
    }
    pthread_mutex_unlock(&models_lock);
    return m;
}

static void emu_model_put(emu_model *m)
{
    pthread_mutex_lock(&models_lock);
    int last = --m->refs == 0;
    pthread_mutex_unlock(&models_lock);
    if (last)
        model_free(m);
}

static int emu_model_subscribed(emu_model *m)
{
    pthread_mutex_lock(&m->lock);
    int rc = m->sub != NULL;
    pthread_mutex_unlock(&m->lock);
    return rc;
}

static int emu_model_attach_sub(emu_model *m, emu_sub *s)
{
    pthread_mutex_lock(&m->lock);
    int rc = m->sub ? -1 : 0;
    if (!m->sub)
        m->sub = s;
    pthread_mutex_unlock(&m->lock);
    return rc;
}

static emu_sub *emu_model_detach_sub(emu_model *m)
{
    pthread_mutex_lock(&m->lock);
    while (m->inflight > 0)
        pthread_cond_wait(&m->idle, &m->lock);
    emu_sub *s = m->sub;
    m->sub = NULL;
    pthread_mutex_unlock(&m->lock);
    return s;
}

/* --- loading ---------------------------------------------------------------------- */

/* Gear k's tensor address table: weights and activations are fixed. */
static void **model_bind_graph(const emu_model *m, const graph *g)
{
    void **addr = calloc(g->n_tensors ? g->n_tensors : 1, sizeof *addr);
    for (uint32_t i = 0; addr && i < g->n_tensors; i++) {
        const graph_tensor *t = &g->tensors[i];
        if (t->kind == TENSOR_WEIGHT)
            addr[i] = g->weights + t->offset;
        else if (t->kind == TENSOR_ACTIVATION)
            addr[i] = m->work + t->offset;
    }
    return addr;
}

emu_optable *emu_optable_new(const graph *g)
{
    size_t n = (size_t)g->n_nodes + 1, bytes = sizeof(emu_optable) + n * sizeof(emu_opinfo);
    for (uint32_t i = 0; i < g->n_nodes; i++)
        bytes += strlen(g->nodes[i].op_type) + strlen(g->nodes[i].name) + 2;
    emu_optable *t = malloc(bytes);
    if (!t)
        return NULL;
    t->refs = 1;
    t->n = (uint32_t)n;
    char *str = (char *)&t->op[n];
    for (size_t i = 0; i < n; i++) {
        const char *type = i < g->n_nodes ? g->nodes[i].op_type : ACLSUB_RUN_TYPE;
        const char *name = i < g->n_nodes ? g->nodes[i].name : ACLSUB_RUN_NAME;
        emu_opinfo *o = &t->op[i];
        o->type_len = strlen(type);
        o->name_len = strlen(name);
        if (i < g->n_nodes) {
            memcpy(str, type, o->type_len + 1);
            type = str;
            str += o->type_len + 1;
            memcpy(str, name, o->name_len + 1);
            name = str;
            str += o->name_len + 1;
        }
        o->type = type;
        o->name = name;
        o->name_hash = aclsub_name_hash(name, o->name_len);
        rec_tmpl_init(&o->tmpl, type, o->type_len, name, o->name_len, o->name_hash);
    }
    return t;
}

/* The address tables, and scratch sized for the largest node and graph of any gear. */
static int model_bind(emu_model *m)
{
    uint32_t max_in = 1, max_out = 1, max_nodes = 1;
    for (uint32_t k = 0; k < m->om->n_graphs; k++) {
        const graph *g = m->om->graphs[k];
        for (uint32_t i = 0; i < g->n_nodes; i++) {
            if (g->nodes[i].n_inputs > max_in)
                max_in = g->nodes[i].n_inputs;
            if (g->nodes[i].n_outputs > max_out)
                max_out = g->nodes[i].n_outputs;
        }
        if (g->n_nodes > max_nodes)
            max_nodes = g->n_nodes;
    }
    m->addrs = calloc(m->om->n_graphs, sizeof *m->addrs);
    m->node_in = calloc(max_in, sizeof *m->node_in);
    m->node_out = calloc(max_out, sizeof *m->node_out);
    m->times = calloc(2 * (size_t)max_nodes, sizeof *m->times);
    m->optab = calloc(m->om->n_graphs, sizeof *m->optab);
    if (!m->addrs || !m->node_in || !m->node_out || !m->times || !m->optab)
        return -1;
    for (uint32_t k = 0; k < m->om->n_graphs; k++)
        if (!(m->optab[k] = emu_optable_new(m->om->graphs[k])))
            return -1;
    for (uint32_t k = 0; k < m->om->n_graphs; k++)
        if (!(m->addrs[k] = model_bind_graph(m, m->om->graphs[k])))
            return -1;
    return 0;
}

static aclError model_register(om_model *om, void *work, size_t work_size, uint32_t *modelId)
{
    emu_model *m = calloc(1, sizeof *m);
    if (!m) {
        om_model_free(om);
        return ACL_ERROR_BAD_ALLOC;
    }
    pthread_mutex_init(&m->lock, NULL);
    pthread_cond_init(&m->idle, NULL);
    pthread_mutex_init(&m->exec_lock, NULL);
    m->om = om;
    m->g = om->graphs[0];
    m->cur_gear = -1;
    m->refs = 1;
    if (work) {
        if (work_size < om->work_size) {
            model_free(m);
            return ACL_ERROR_INVALID_PARAM;
        }
        m->work = work;
    } else if (om->work_size) {
        if (posix_memalign((void **)&m->work, 64, om->work_size) != 0) {
            m->work = NULL;
            model_free(m);
            return ACL_ERROR_BAD_ALLOC;
        }
        m->work_owned = 1;
    }
    if (model_bind(m) != 0) {
        model_free(m);
        return ACL_ERROR_BAD_ALLOC;
    }
    pthread_mutex_lock(&models_lock);
    uint32_t slot = 0;
    while (slot < models_cap && models[slot])
        slot++;
    if (slot == models_cap) {
        uint32_t cap = models_cap ? 2 * models_cap : 16;
        emu_model **grown = realloc(models, cap * sizeof *models);
        if (!grown) {
            pthread_mutex_unlock(&models_lock);
            model_free(m);
            return ACL_ERROR_BAD_ALLOC;
        }
        memset(grown + models_cap, 0, (cap - models_cap) * sizeof *models);
        models = grown;
        models_cap = cap;
    }
    m->id = slot + 1;
    models[slot] = m;
    pthread_mutex_unlock(&models_lock);
    *modelId = m->id;
    return ACL_SUCCESS;
}

static aclError load_image(const char *what, const void *image, size_t size, uint32_t *modelId, void *work,
                           size_t work_size, void *weights, size_t weight_size)
{
    char err[256];
    om_model *om = NULL;
    int rc = om_load_model(image, size, weights, weights ? weight_size : 0, &om, err, sizeof err);
    if (rc != ACL_SUCCESS) {
        fprintf(stderr, "libascendcl: %s: %s\n", what, err);
        return rc;
    }
    unsigned long long need = (unsigned long long)om->work_size;
    rc = model_register(om, work, work_size, modelId);
    if (rc == ACL_ERROR_INVALID_PARAM)
        fprintf(stderr, "libascendcl: %s: work memory of %zu bytes is smaller than the %llu the model needs\n",
                what, work_size, need);
    return rc;
}

/* Reads a whole model file; READ_MODEL_FAILURE with a line on stderr on failure. */
static aclError read_model_file(const char *path, unsigned char **data, size_t *size)
{
    const char *why;
    *data = file_read_all(path, MODEL_FILE_MAX, size, &why);
    if (*data)
        return ACL_SUCCESS;
    fprintf(stderr, "libascendcl: %s: %s\n", path, why);
    return strcmp(why, "out of memory") == 0 ? ACL_ERROR_BAD_ALLOC : ACL_ERROR_READ_MODEL_FAILURE;
}

aclError aclmdlLoadFromFileWithMem(const char *modelPath, uint32_t *modelId, void *workPtr, size_t workSize,
                                   void *weightPtr, size_t weightSize)
{
    aclError rc = emu_check_init();
    if (rc != ACL_SUCCESS)
        return rc;
    if (!modelPath || !modelId)
        return ACL_ERROR_INVALID_PARAM;
    unsigned char *image;
    size_t size;
    rc = read_model_file(modelPath, &image, &size);
    if (rc != ACL_SUCCESS)
        return rc;
    rc = load_image(modelPath, image, size, modelId, workPtr, workSize, weightPtr, weightSize);
    free(image);
    return rc;
}

aclError aclmdlLoadFromFile(const char *modelPath, uint32_t *modelId)
{
    return aclmdlLoadFromFileWithMem(modelPath, modelId, NULL, 0, NULL, 0);
}

aclError aclmdlLoadFromMemWithMem(const void *model, size_t modelSize, uint32_t *modelId, void *workPtr,
                                  size_t workSize, void *weightPtr, size_t weightSize)
{
    aclError rc = emu_check_init();
    if (rc != ACL_SUCCESS)
        return rc;
    if (!model || modelSize == 0 || !modelId)
        return ACL_ERROR_INVALID_PARAM;
    return load_image("model in memory", model, modelSize, modelId, workPtr, workSize, weightPtr, weightSize);
}

aclError aclmdlLoadFromMem(const void *model, size_t modelSize, uint32_t *modelId)
{
    return aclmdlLoadFromMemWithMem(model, modelSize, modelId, NULL, 0, NULL, 0);
}

aclError aclmdlQuerySizeFromMem(const void *model, size_t modelSize, size_t *workSize, size_t *weightSize)
{
    if (!model || modelSize == 0 || !workSize || !weightSize)
        return ACL_ERROR_INVALID_PARAM;
    char err[256];
    int rc = om_query_size(model, modelSize, workSize, weightSize, err, sizeof err);
    if (rc != ACL_SUCCESS)
        fprintf(stderr, "libascendcl: model in memory: %s\n", err);
    return rc;
}

aclError aclmdlQuerySize(const char *fileName, size_t *workSize, size_t *weightSize)
{
    if (!fileName || !workSize || !weightSize)
        return ACL_ERROR_INVALID_PARAM;
    unsigned char *image;
    size_t size;
    aclError rc = read_model_file(fileName, &image, &size);
    if (rc != ACL_SUCCESS)
        return rc;
    char err[256];
    rc = om_query_size(image, size, workSize, weightSize, err, sizeof err);
    if (rc != ACL_SUCCESS)
        fprintf(stderr, "libascendcl: %s: %s\n", fileName, err);
    free(image);
    return rc;
}

/* Removes the model from the registry, ends its subscription, drops the registry's reference. */
static void model_unload(emu_model *m)
{
    emu_sub *s = emu_model_detach_sub(m);
    if (s)
        emu_sub_end(s);
    pthread_mutex_lock(&models_lock);
    models[m->id - 1] = NULL;
    pthread_mutex_unlock(&models_lock);
    emu_model_put(m);
}

aclError aclmdlUnload(uint32_t modelId)
{
    pthread_mutex_lock(&models_lock);
    emu_model *m = NULL;
    if (modelId >= 1 && modelId <= models_cap && models[modelId - 1] && !models[modelId - 1]->unloading) {
        m = models[modelId - 1];
        m->unloading = 1;
    }
    pthread_mutex_unlock(&models_lock);
    if (!m)
        return ACL_ERROR_INVALID_MODEL_ID;
    model_unload(m);
    return ACL_SUCCESS;
}

void emu_models_unload_all(void)
{
    for (;;) {
        emu_model *m = NULL;
        pthread_mutex_lock(&models_lock);
        for (uint32_t i = 0; i < models_cap && !m; i++)
            if (models[i] && !models[i]->unloading) {
                m = models[i];
                m->unloading = 1;
            }
        pthread_mutex_unlock(&models_lock);
        if (!m)
            return;
        model_unload(m);
    }
}

/* --- execution -------------------------------------------------------------------- */

struct exec_task {
    emu_task task;
    emu_model *m;
    emu_stream *stream;
    uint32_t gear; /* the graph that runs: om->graphs[gear] */
    void **in;  /* n_inputs addresses, captured at submission */
    void **out; /* n_outputs addresses */
};

static void run_execute(emu_task *t)
{
    struct exec_task *x = (struct exec_task *)t;
    emu_model *m = x->m;
    const graph *g = m->om->graphs[x->gear];
    void **addr = m->addrs[x->gear];

    pthread_mutex_lock(&m->lock);
    emu_sub *sub = m->sub; /* stays attached while this execute is in flight */
    pthread_mutex_unlock(&m->lock);

    pthread_mutex_lock(&m->exec_lock);
    /* Subscribed: the times go straight where the writer will read them. */
    emu_times *rec = sub ? emu_times_new(m->optab[x->gear]) : NULL;
    uint64_t *times = rec ? rec->t : m->times;
    for (uint32_t k = 0; k < g->n_inputs; k++)
        addr[g->inputs[k]] = x->in[k];
    for (uint32_t k = 0; k < g->n_outputs; k++)
        addr[g->outputs[k]] = x->out[k];
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const graph_node *n = &g->nodes[i];
        for (uint32_t k = 0; k < n->n_inputs; k++)
            m->node_in[k] = n->inputs[k] == GRAPH_NO_TENSOR ? NULL : addr[n->inputs[k]];
        for (uint32_t k = 0; k < n->n_outputs; k++)
            m->node_out[k] = addr[n->outputs[k]];
        uint64_t start = emu_now_ns();
        op_run(g, n, m->node_in, m->node_out);
        uint64_t end = emu_now_ns();
        times[2 * i] = start;
        times[2 * i + 1] = end;
    }
    uint64_t iteration = m->iteration++;
    if (sub) {
        /* Without memory for the times the numbers are still taken: the gap shows. */
        uint64_t seq = emu_sub_take_seq(sub, (uint64_t)g->n_nodes + 1);
        if (rec) {
            rec->model_id = m->id;
            rec->stream_id = x->stream->id;
            rec->thread_id = x->stream->worker_tid;
            rec->pid = (uint32_t)getpid();
            rec->iteration = iteration;
            rec->seq = seq;
            emu_sub_deliver(sub, rec);
        }
    }
    /* Unbind the caller's buffers: they may be freed once the execute returns. */
    for (uint32_t k = 0; k < g->n_inputs; k++)
        addr[g->inputs[k]] = NULL;
    pthread_mutex_unlock(&m->exec_lock);

    t->result = ACL_SUCCESS;
    pthread_mutex_lock(&m->lock);
    if (--m->inflight == 0)
        pthread_cond_broadcast(&m->idle);
    pthread_mutex_unlock(&m->lock);
    free(x->in);
    emu_model_put(m);
}

/* An execute dropped from a stream aclrtDestroyStreamForce destroys: it never ran. */
static void cancel_execute(emu_task *t)
{
    struct exec_task *x = (struct exec_task *)t;
    emu_model *m = x->m;
    t->result = ACL_ERROR_RT_FAILURE;
    pthread_mutex_lock(&m->lock);
    if (--m->inflight == 0)
        pthread_cond_broadcast(&m->idle);
    pthread_mutex_unlock(&m->lock);
    free(x->in);
    emu_model_put(m);
}

struct aclmdlDataset {
    size_t n, cap;
    aclDataBuffer **bufs;
};

/* Checks a dataset against the graph's tensors and captures its addresses. */
static aclError capture_buffers(const graph *g, const aclmdlDataset *ds, const uint32_t *tensors, uint32_t count,
                                void **addrs)
{
    if (!ds || ds->n != count)
        return ACL_ERROR_INVALID_PARAM;
    for (uint32_t k = 0; k < count; k++) {
        void *p = aclGetDataBufferAddr(ds->bufs[k]);
        if (!p || aclGetDataBufferSizeV2(ds->bufs[k]) < g->tensors[tensors[k]].bytes)
            return ACL_ERROR_INVALID_PARAM;
        addrs[k] = p;
    }
    return ACL_SUCCESS;
}

/* The values of a gear in a buffer of len bytes: u64 each when it holds them all, else u32 (the vendor's rule). */
static void gear_read(const unsigned char *p, size_t len, uint32_t n, uint64_t v[2])
{
    int wide = len >= 8 * (size_t)n;
    for (uint32_t i = 0; i < n; i++) {
        if (wide) {
            memcpy(&v[i], p + 8 * i, 8);
        } else {
            uint32_t u;
            memcpy(&u, p + 4 * i, 4);
            v[i] = u;
        }
    }
}

static void gear_write(unsigned char *p, size_t len, uint32_t n, const uint64_t v[2])
{
    int wide = len >= 8 * (size_t)n;
    for (uint32_t i = 0; i < n; i++) {
        if (wide) {
            memcpy(p + 8 * i, &v[i], 8);
        } else {
            uint32_t u = (uint32_t)v[i];
            memcpy(p + 4 * i, &u, 4);
        }
    }
}

/* The index of gear {a, b} of the model (b is 0 for a batch size), or -1. */
static int gear_find(const om_model *om, uint64_t a, uint64_t b)
{
    for (uint32_t k = 0; om->gear_kind && k < om->n_graphs; k++)
        if (om->gears[k][0] == a && om->gears[k][1] == b)
            return (int)k;
    return -1;
}

/* The gear whose value the shape-data input (the last) holds; 0 without gears, -1 when it holds no gear. */
static int gear_of_input(const om_model *om, const aclmdlDataset *ds)
{
    if (!om->gear_kind)
        return 0;
    uint32_t n = om->gear_kind == OM_GEAR_BATCH ? 1 : 2;
    const unsigned char *p = aclGetDataBufferAddr(ds->bufs[ds->n - 1]);
    size_t len = aclGetDataBufferSizeV2(ds->bufs[ds->n - 1]);
    uint64_t v[2] = {0, 0};
    if (!p || len < 4 * (size_t)n)
        return -1;
    gear_read(p, len, n, v);
    return gear_find(om, v[0], v[1]);
}

static aclError execute_on(uint32_t modelId, const aclmdlDataset *input, aclmdlDataset *output, emu_stream *s,
                           int wait)
{
    aclError rc = emu_check_init();
    if (rc != ACL_SUCCESS)
        return rc;
    emu_model *m = emu_model_get(modelId);
    if (!m)
        return ACL_ERROR_INVALID_MODEL_ID;
    const graph *g = m->g;
    struct exec_task *x = calloc(1, sizeof *x);
    void **addrs = calloc((size_t)g->n_inputs + g->n_outputs + 1, sizeof *addrs);
    if (!x || !addrs) {
        free(x);
        free(addrs);
        emu_model_put(m);
        return ACL_ERROR_BAD_ALLOC;
    }
    x->in = addrs;
    x->out = addrs + g->n_inputs;
    int gear = input && input->n == g->n_inputs ? gear_of_input(m->om, input) : 0;
    if (gear < 0)
        rc = ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID; /* the shape-data input names no gear of the model */
    else
        g = m->om->graphs[gear];
    if (rc == ACL_SUCCESS)
        rc = capture_buffers(g, input, g->inputs, g->n_inputs, x->in);
    if (rc == ACL_SUCCESS)
        rc = capture_buffers(g, output, g->outputs, g->n_outputs, x->out);
    if (rc == ACL_SUCCESS && !emu_stream_alive(s))
        rc = ACL_ERROR_RT_PARAM_INVALID; /* no current context, or a stream of the parent of a fork */
    if (rc != ACL_SUCCESS) {
        free(addrs);
        free(x);
        emu_model_put(m);
        return rc;
    }
    x->task.run = run_execute;
    x->task.cancel = cancel_execute;
    x->m = m;
    x->stream = s;
    x->gear = (uint32_t)gear;
    pthread_mutex_lock(&m->lock);
    m->inflight++;
    m->cur_gear = gear;
    pthread_mutex_unlock(&m->lock);
    if (!wait) {
        emu_stream_submit(s, &x->task);
        return ACL_SUCCESS;
    }
    rc = emu_stream_run_sync(s, &x->task);
    free(x);
    return rc;
}

aclError aclmdlExecute(uint32_t modelId, const aclmdlDataset *input, aclmdlDataset *output)
{
    emu_context *c = emu_current_context();
    return execute_on(modelId, input, output, c ? c->default_stream : NULL, 1);
}

aclError aclmdlExecuteAsync(uint32_t modelId, const aclmdlDataset *input, aclmdlDataset *output,
                            aclrtStream stream)
{
    emu_context *c = emu_current_context();
    emu_stream *s = stream ? (emu_stream *)stream : c ? c->default_stream : NULL;
    return execute_on(modelId, input, output, s, 0);
}

/* --- finalize ------------------------------------------------------------------------ */

aclError aclFinalize(void)
{
    aclError rc = emu_finalize_begin();
    if (rc != ACL_SUCCESS)
        return rc;
    /* Every record of every execute that returned reaches its subscriber. */
    emu_models_unload_all();
    emu_finalize_end();
    return ACL_SUCCESS;
}

/* --- subscription ------------------------------------------------------------------ */

static aclError model_subscribe(uint32_t modelId, const aclprofSubscribeConfig *profSubscribeConfig, int join)
{
    /* As the vendor: the model id is checked before the config. */
    emu_model *m = emu_model_get(modelId);
    if (!m)
        return ACL_ERROR_INVALID_MODEL_ID;
    emu_sub *s;
    aclError rc = emu_sub_open(profSubscribeConfig, join, &s);
    if (rc == ACL_ERROR_INVALID_PROFILING_CONFIG && emu_model_subscribed(m))
        rc = ACL_ERROR_PROF_REPEAT_SUBSCRIBE; /* as the vendor: a repeat is reported first */
    if (rc == ACL_SUCCESS && emu_model_attach_sub(m, s) != 0) {
        emu_sub_discard(s);
        rc = ACL_ERROR_PROF_REPEAT_SUBSCRIBE;
    }
    emu_model_put(m);
    return rc;
}

aclError aclprofModelSubscribe(uint32_t modelId, const aclprofSubscribeConfig *profSubscribeConfig)
{
    return model_subscribe(modelId, profSubscribeConfig, 1);
}

aclError aclsubEmuModelSubscribeAside(uint32_t modelId, const aclprofSubscribeConfig *profSubscribeConfig)
{
    return model_subscribe(modelId, profSubscribeConfig, 0);
}

aclError aclprofModelUnSubscribe(uint32_t modelId)
{
    emu_model *m = emu_model_get(modelId);
    if (!m)
        return ACL_ERROR_INVALID_MODEL_ID;
    emu_sub *s = emu_model_detach_sub(m);
    emu_model_put(m);
    if (!s)
        return ACL_ERROR_INVALID_MODEL_ID;
    emu_sub_end(s);
    return ACL_SUCCESS;
}

/* --- datasets ------------------------------------------------------------------------ */

aclmdlDataset *aclmdlCreateDataset(void)
{
    return calloc(1, sizeof(aclmdlDataset));
}

aclError aclmdlDestroyDataset(const aclmdlDataset *dataset)
{
    if (!dataset)
        return ACL_ERROR_INVALID_PARAM;
    free(((aclmdlDataset *)dataset)->bufs);
    free((void *)dataset);
    return ACL_SUCCESS;
}

aclError aclmdlAddDatasetBuffer(aclmdlDataset *dataset, aclDataBuffer *dataBuffer)
{
    if (!dataset || !dataBuffer)
        return ACL_ERROR_INVALID_PARAM;
    if (dataset->n == dataset->cap) {
        size_t cap = dataset->cap ? 2 * dataset->cap : 4;
        aclDataBuffer **grown = realloc(dataset->bufs, cap * sizeof *grown);
        if (!grown)
            return ACL_ERROR_BAD_ALLOC;
        dataset->bufs = grown;
        dataset->cap = cap;
    }
    dataset->bufs[dataset->n++] = dataBuffer;
    return ACL_SUCCESS;
}

size_t aclmdlGetDatasetNumBuffers(const aclmdlDataset *dataset)
{
    return dataset ? dataset->n : 0;
}

aclDataBuffer *aclmdlGetDatasetBuffer(const aclmdlDataset *dataset, size_t index)
{
    return dataset && index < dataset->n ? dataset->bufs[index] : NULL;
}

/* --- model descriptions ----------------------------------------------------------------- */

struct desc_io {
    char name[ACL_MAX_TENSOR_NAME_LEN];
    size_t dim_count;
    int64_t dims[GRAPH_MAX_RANK];
    size_t bytes;
    int32_t dtype;
};

struct aclmdlDesc {
    size_t n_in, n_out;
    struct desc_io *in, *out;
    uint32_t model_id;    /* aclmdlGetCurOutputDims asks the model for its current gear */
    uint32_t gear_kind;   /* 0, OM_GEAR_BATCH or OM_GEAR_IMAGE_SIZE */
    uint32_t n_gears;
    uint64_t (*gears)[2]; /* n_gears values, as compiled */
};

aclmdlDesc *aclmdlCreateDesc(void)
{
    return calloc(1, sizeof(aclmdlDesc));
}

aclError aclmdlDestroyDesc(aclmdlDesc *modelDesc)
{
    if (!modelDesc)
        return ACL_ERROR_INVALID_PARAM;
    free(modelDesc->in);
    free(modelDesc->out);
    free(modelDesc->gears);
    free(modelDesc);
    return ACL_SUCCESS;
}

static void desc_fill(struct desc_io *io, const graph_tensor *t)
{
    snprintf(io->name, sizeof io->name, "%s", t->name ? t->name : "");
    io->dim_count = t->rank;
    memcpy(io->dims, t->dims, sizeof io->dims);
    io->bytes = t->bytes;
    io->dtype = t->dtype;
}

/* The gear with the largest inputs (batch N or H * W; the first of equals): the one descriptions show. */
static uint32_t largest_gear(const om_model *om)
{
    uint32_t best = 0;
    for (uint32_t k = 1; om->gear_kind && k < om->n_graphs; k++) {
        uint64_t a = om->gears[k][0] * (om->gears[k][1] ? om->gears[k][1] : 1);
        uint64_t b = om->gears[best][0] * (om->gears[best][1] ? om->gears[best][1] : 1);
        if (a > b)
            best = k;
    }
    return best;
}

/* The inputs and outputs of the largest gear; -1 at an input's dynamic dims, as the vendor reports them. */
static void desc_fill_io(struct desc_io *in, struct desc_io *out, const om_model *om)
{
    const graph *g = om->graphs[largest_gear(om)];
    for (uint32_t k = 0; k < g->n_inputs; k++) {
        desc_fill(&in[k], &g->tensors[g->inputs[k]]);
        for (uint32_t d = 0; om->dyn_masks && d < in[k].dim_count; d++)
            if ((om->dyn_masks[k] >> d) & 1)
                in[k].dims[d] = -1;
    }
    for (uint32_t k = 0; k < g->n_outputs; k++)
        desc_fill(&out[k], &g->tensors[g->outputs[k]]);
}

/* The gear list of the model, copied into the description. */
static aclError desc_fill_gears(aclmdlDesc *d, const om_model *om)
{
    free(d->gears);
    d->gears = NULL;
    d->gear_kind = om->gear_kind;
    d->n_gears = om->gear_kind ? om->n_graphs : 0;
    if (!d->n_gears)
        return ACL_SUCCESS;
    if (!(d->gears = malloc(d->n_gears * sizeof *d->gears))) {
        d->gear_kind = d->n_gears = 0;
        return ACL_ERROR_BAD_ALLOC;
    }
    memcpy(d->gears, om->gears, d->n_gears * sizeof *d->gears);
    return ACL_SUCCESS;
}

aclError aclmdlGetDesc(aclmdlDesc *modelDesc, uint32_t modelId)
{
    if (!modelDesc)
        return ACL_ERROR_INVALID_PARAM;
    emu_model *m = emu_model_get(modelId);
    if (!m)
        return ACL_ERROR_INVALID_MODEL_ID;
    const graph *g = m->g;
    struct desc_io *in = calloc(g->n_inputs + 1, sizeof *in), *out = calloc(g->n_outputs + 1, sizeof *out);
    if (!in || !out || desc_fill_gears(modelDesc, m->om) != ACL_SUCCESS) {
        free(in);
        free(out);
        emu_model_put(m);
        return ACL_ERROR_BAD_ALLOC;
    }
    desc_fill_io(in, out, m->om);
    free(modelDesc->in);
    free(modelDesc->out);
    modelDesc->in = in;
    modelDesc->out = out;
    modelDesc->n_in = g->n_inputs;
    modelDesc->n_out = g->n_outputs;
    modelDesc->model_id = modelId;
    emu_model_put(m);
    return ACL_SUCCESS;
}

/*
 * The interposer's description of an operator (decoder/record/desc.h): the
 * tensors of the node as the graph that descriptions show (the largest
 * gear's) has them; the format is NCHW for rank 4 and ND otherwise, as
 * aclmdlGetInputFormat answers.  Absent optional inputs are left out.
 */
static void desc_tensors(aclsub_desc_buf *b, const graph *g, const uint32_t *ids, uint32_t n)
{
    for (int field = 0; field < 3; field++) {
        if (field)
            aclsub_desc_put(b, "|");
        int first = 1;
        for (uint32_t i = 0; i < n; i++) {
            if (ids[i] == GRAPH_NO_TENSOR || ids[i] >= g->n_tensors)
                continue;
            const graph_tensor *t = &g->tensors[ids[i]];
            if (field == 0) {
                aclsub_desc_put_shape(b, first, t->dims, t->rank < GRAPH_MAX_RANK ? t->rank : GRAPH_MAX_RANK);
            } else {
                if (!first)
                    aclsub_desc_put(b, ";");
                aclsub_desc_put(b, field == 1 ? aclsub_dtype_text(t->dtype) : t->rank == 4 ? "NCHW" : "ND");
            }
            first = 0;
        }
    }
}

ACL_FUNC_VISIBILITY int aclsubEmuOpDesc(uint32_t modelId, uint32_t index, char *type, size_t typeCap, char *text,
                                        size_t textCap, uint32_t *opCount)
{
    emu_model *m = emu_model_get(modelId);
    if (!m)
        return -1;
    const graph *g = m->om->graphs[largest_gear(m->om)];
    if (opCount)
        *opCount = g->n_nodes;
    if (index >= g->n_nodes) {
        emu_model_put(m);
        return -1;
    }
    const graph_node *node = &g->nodes[index];
    if (type && typeCap)
        snprintf(type, typeCap, "%s", node->op_type);
    aclsub_desc_buf b = {text, text ? textCap : 0, 0};
    desc_tensors(&b, g, node->inputs, node->n_inputs);
    aclsub_desc_put(&b, "|");
    desc_tensors(&b, g, node->outputs, node->n_outputs);
    emu_model_put(m);
    return b.len > INT32_MAX ? INT32_MAX : (int)b.len;
}

size_t aclmdlGetNumInputs(aclmdlDesc *modelDesc)
{
    return modelDesc ? modelDesc->n_in : 0;
}

size_t aclmdlGetNumOutputs(aclmdlDesc *modelDesc)
{
    return modelDesc ? modelDesc->n_out : 0;
}

static const struct desc_io *desc_io_at(const aclmdlDesc *d, size_t index, int output)
{
    if (!d)
        return NULL;
    if (output)
        return index < d->n_out ? &d->out[index] : NULL;
    return index < d->n_in ? &d->in[index] : NULL;
}

size_t aclmdlGetInputSizeByIndex(aclmdlDesc *modelDesc, size_t index)
{
    const struct desc_io *io = desc_io_at(modelDesc, index, 0);
    return io ? io->bytes : 0;
}

size_t aclmdlGetOutputSizeByIndex(aclmdlDesc *modelDesc, size_t index)
{
    const struct desc_io *io = desc_io_at(modelDesc, index, 1);
    return io ? io->bytes : 0;
}

static aclError get_dims(const struct desc_io *io, aclmdlIODims *dims)
{
    if (!io || !dims)
        return ACL_ERROR_INVALID_PARAM;
    memset(dims, 0, sizeof *dims);
    snprintf(dims->name, sizeof dims->name, "%s", io->name);
    dims->dimCount = io->dim_count;
    for (size_t i = 0; i < io->dim_count; i++)
        dims->dims[i] = io->dims[i];
    return ACL_SUCCESS;
}

aclError aclmdlGetInputDims(const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims)
{
    return get_dims(desc_io_at(modelDesc, index, 0), dims);
}

aclError aclmdlGetOutputDims(const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims)
{
    return get_dims(desc_io_at(modelDesc, index, 1), dims);
}

const char *aclmdlGetInputNameByIndex(const aclmdlDesc *modelDesc, size_t index)
{
    const struct desc_io *io = desc_io_at(modelDesc, index, 0);
    return io ? io->name : "";
}

const char *aclmdlGetOutputNameByIndex(const aclmdlDesc *modelDesc, size_t index)
{
    const struct desc_io *io = desc_io_at(modelDesc, index, 1);
    return io ? io->name : "";
}

aclDataType aclmdlGetInputDataType(const aclmdlDesc *modelDesc, size_t index)
{
    const struct desc_io *io = desc_io_at(modelDesc, index, 0);
    return io ? (aclDataType)io->dtype : ACL_DT_UNDEFINED;
}

aclDataType aclmdlGetOutputDataType(const aclmdlDesc *modelDesc, size_t index)
{
    const struct desc_io *io = desc_io_at(modelDesc, index, 1);
    return io ? (aclDataType)io->dtype : ACL_DT_UNDEFINED;
}

aclFormat aclmdlGetInputFormat(const aclmdlDesc *modelDesc, size_t index)
{
    const struct desc_io *io = desc_io_at(modelDesc, index, 0);
    return !io ? ACL_FORMAT_UNDEFINED : io->dim_count == 4 ? ACL_FORMAT_NCHW : ACL_FORMAT_ND;
}

aclFormat aclmdlGetOutputFormat(const aclmdlDesc *modelDesc, size_t index)
{
    const struct desc_io *io = desc_io_at(modelDesc, index, 1);
    return !io ? ACL_FORMAT_UNDEFINED : io->dim_count == 4 ? ACL_FORMAT_NCHW : ACL_FORMAT_ND;
}

/*
 * Without gears, or before any gear is set or executed, the description's
 * output dims (the largest gear's); afterwards those of the model's current
 * gear, the one last set with aclmdlSetDynamicBatchSize / SetDynamicHWSize
 * or last executed.
 */
aclError aclmdlGetCurOutputDims(const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims)
{
    const struct desc_io *io = desc_io_at(modelDesc, index, 1);
    if (!io || !dims || !modelDesc->gear_kind)
        return get_dims(io, dims);
    emu_model *m = emu_model_get(modelDesc->model_id);
    if (!m)
        return get_dims(io, dims);
    pthread_mutex_lock(&m->lock);
    int cur = m->cur_gear;
    pthread_mutex_unlock(&m->lock);
    struct desc_io now = *io;
    if (cur >= 0 && index < m->g->n_outputs) {
        const graph *g = m->om->graphs[cur];
        desc_fill(&now, &g->tensors[g->outputs[index]]);
    }
    emu_model_put(m);
    return get_dims(&now, dims);
}

static aclError index_by_name(const struct desc_io *io, size_t n, const char *name, size_t *index)
{
    if (!io || !name || !index)
        return ACL_ERROR_INVALID_PARAM;
    for (size_t i = 0; i < n; i++)
        if (strcmp(io[i].name, name) == 0) {
            *index = i;
            return ACL_SUCCESS;
        }
    return ACL_ERROR_INVALID_PARAM; /* as the vendor: a static model has no ACL_DYNAMIC_TENSOR_NAME */
}

aclError aclmdlGetInputIndexByName(const aclmdlDesc *modelDesc, const char *name, size_t *index)
{
    return modelDesc ? index_by_name(modelDesc->in, modelDesc->n_in, name, index) : ACL_ERROR_INVALID_PARAM;
}

aclError aclmdlGetOutputIndexByName(const aclmdlDesc *modelDesc, const char *name, size_t *index)
{
    return modelDesc ? index_by_name(modelDesc->out, modelDesc->n_out, name, index) : ACL_ERROR_INVALID_PARAM;
}

/* --- dynamic gears ---------------------------------------------------------------------- */

aclError aclmdlGetDynamicBatch(const aclmdlDesc *modelDesc, aclmdlBatch *batch)
{
    if (!modelDesc || !batch)
        return ACL_ERROR_INVALID_PARAM;
    if (modelDesc->gear_kind != OM_GEAR_BATCH) {
        batch->batchCount = 0; /* as the vendor: the gear array is left alone */
        return ACL_SUCCESS;
    }
    batch->batchCount = modelDesc->n_gears; /* at most OM_MAX_GEARS = ACL_MAX_BATCH_NUM */
    for (uint32_t k = 0; k < modelDesc->n_gears; k++)
        batch->batch[k] = modelDesc->gears[k][0];
    return ACL_SUCCESS;
}

aclError aclmdlGetDynamicHW(const aclmdlDesc *modelDesc, size_t index, aclmdlHW *hw)
{
    (void)index; /* ignored by the vendor too (its documentation says to pass -1) */
    if (!modelDesc || !hw)
        return ACL_ERROR_INVALID_PARAM;
    if (modelDesc->gear_kind != OM_GEAR_IMAGE_SIZE) {
        hw->hwCount = 0;
        return ACL_SUCCESS;
    }
    hw->hwCount = modelDesc->n_gears; /* at most OM_MAX_GEARS = ACL_MAX_HW_NUM */
    for (uint32_t k = 0; k < modelDesc->n_gears; k++) {
        hw->hw[k][0] = modelDesc->gears[k][0];
        hw->hw[k][1] = modelDesc->gears[k][1];
    }
    return ACL_SUCCESS;
}

/*
 * A dynamic-gear setter, with the vendor's checks in its order: the dataset
 * and its buffer at index, then the buffer's length (4 bytes per value),
 * then the model id, then the gear: a model without gears of this kind, or
 * a value that is not one of them, gives ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID.
 * The gear goes into the buffer as u64 values when it holds them, else u32,
 * and becomes the model's current gear.
 */
static aclError set_gear(uint32_t modelId, const aclmdlDataset *dataset, size_t index, uint32_t kind,
                         const uint64_t v[2])
{
    uint32_t n = kind == OM_GEAR_BATCH ? 1 : 2;
    if (!dataset || index >= dataset->n || !aclGetDataBufferAddr(dataset->bufs[index]))
        return ACL_ERROR_INVALID_PARAM;
    size_t len = aclGetDataBufferSizeV2(dataset->bufs[index]);
    if (len < 4 * (size_t)n)
        return ACL_ERROR_GE_DYNAMIC_INPUT_LENGTH_INVALID;
    emu_model *m = emu_model_get(modelId);
    if (!m)
        return ACL_ERROR_GE_EXEC_MODEL_ID_INVALID;
    int gear = m->om->gear_kind == kind ? gear_find(m->om, v[0], v[1]) : -1;
    if (gear >= 0) {
        gear_write(aclGetDataBufferAddr(dataset->bufs[index]), len, n, v);
        pthread_mutex_lock(&m->lock);
        m->cur_gear = gear;
        pthread_mutex_unlock(&m->lock);
    }
    emu_model_put(m);
    return gear >= 0 ? ACL_SUCCESS : ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID;
}

aclError aclmdlSetDynamicBatchSize(uint32_t modelId, aclmdlDataset *dataset, size_t index, uint64_t batchSize)
{
    if (!dataset || batchSize == 0)
        return ACL_ERROR_INVALID_PARAM;
    const uint64_t v[2] = {batchSize, 0};
    return set_gear(modelId, dataset, index, OM_GEAR_BATCH, v);
}

aclError aclmdlSetDynamicHWSize(uint32_t modelId, aclmdlDataset *dataset, size_t index, uint64_t height,
                                uint64_t width)
{
    if (!dataset || height == 0 || width == 0)
        return ACL_ERROR_INVALID_PARAM;
    const uint64_t v[2] = {height, width};
    return set_gear(modelId, dataset, index, OM_GEAR_IMAGE_SIZE, v);
}
