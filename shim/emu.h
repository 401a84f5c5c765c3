/*
 * emu.h - internals shared by the emulated AscendCL runtime's files:
 * runtime.c (init, devices, contexts, streams and their device workers,
 * memory), model.c (descriptions, datasets, loading, execution) and sub.c
 * (subscriptions and the writer threads that feed subscribers' pipes) and
 * callback.c (host callbacks and the threads that process their reports).
 *
 * Threads: application threads submit tasks to streams; each stream has one
 * device worker thread that runs its tasks in order (kernels run there and
 * are timed there); each subscribed fd has one writer thread.
 */
#ifndef ACLSUB_SHIM_EMU_H_
#define ACLSUB_SHIM_EMU_H_

#include <pthread.h>
#include <stdint.h>

#include "acl/acl.h"
#include "acl/acl_prof.h"
#include "decoder/record/encode.h"
#include "shim/engine/graph.h"

/* --- runtime.c ------------------------------------------------------------ */

typedef struct emu_task emu_task;
typedef void (*emu_task_fn)(emu_task *t);

/* A unit of work for a stream's worker.  The submitter allocates it. */
struct emu_task {
    emu_task_fn run;
    emu_task *next;
    aclError result;
    int done;      /* set by the worker under the stream lock when `wait` */
    int wait;      /* 1: the submitter waits for it and frees it; 0: the worker frees it */
    void *payload; /* task-specific */
    /*
     * Optional: run instead of `run` when the stream is being destroyed by
     * aclrtDestroyStreamForce, to drop the task (release what it holds and
     * set result).  Tasks without it still run.
     */
    emu_task_fn cancel;
};

typedef struct emu_stream {
    uint32_t id;
    uint32_t worker_tid; /* kernel tid of the worker, for records */
    pthread_t worker;
    pthread_mutex_t lock; /* protects everything below */
    pthread_cond_t cond;
    emu_task *head, *tail;
    uint64_t submitted, completed;
    aclError first_error; /* of an async task since the last synchronize */
    int stop;
    int discard;         /* aclrtDestroyStreamForce: queued tasks are cancelled, not run */
    unsigned generation; /* the process generation that created it (runtime.c, fork) */
} emu_stream;

typedef struct emu_context {
    int32_t device;
    emu_stream *default_stream;
} emu_context;

/* ACL_SUCCESS when aclInit has run and aclFinalize has not. */
aclError emu_check_init(void);
/*
 * aclFinalize's two halves in the runtime (the middle, unloading every
 * model, is model.c's): the AscendCL code for finalizing now, then marking
 * the runtime finalized.
 */
aclError emu_finalize_begin(void);
void emu_finalize_end(void);
/* The calling thread's current context, NULL if none. */
emu_context *emu_current_context(void);
/* The stream a call names: NULL is the current context's default stream (NULL if none). */
emu_stream *emu_resolve_stream(aclrtStream stream);
/* 1 if s was created in this process (not inherited from the parent of a fork). */
int emu_stream_alive(const emu_stream *s);
/* Queues t on s; the worker runs it. */
void emu_stream_submit(emu_stream *s, emu_task *t);
/* Queues t on s and waits until it ran; returns t->result. */
aclError emu_stream_run_sync(emu_stream *s, emu_task *t);
uint64_t emu_now_ns(void);

/* --- callback.c ------------------------------------------------------------ */

/*
 * Forgets a stream that is being destroyed: its report subscription, and
 * the reports of its callbacks not yet processed (a blocking callback's
 * task is released and the callback never runs).
 */
void emu_callbacks_forget_stream(emu_stream *s);

/* --- model.c -------------------------------------------------------------- */

/* Unloads every model (aclFinalize). */
void emu_models_unload_all(void);

/* --- vendor_fmt.c --------------------------------------------------------- */

struct aclsub_rec;
/* 1 when ACLSUB_EMU_RECORDS=vendor selected the vendor's 80-byte records. */
int emu_vendor_records(void);
/* Bytes per record in the selected format. */
size_t emu_record_size(void);
/* Encodes a vendor record; its strings go to the one-shot name table. */
void emu_vendor_encode(void *dst, const struct aclsub_rec *r);

/* --- sub.c --------------------------------------------------------------- */

typedef struct emu_sub emu_sub;

/*
 * What a record says about one operator of a loaded graph and does not
 * measure: computed once at load (model.c) so that an execute only reads
 * the clock.  Entry n_nodes is the whole-run record.  The strings live in
 * the table, which is reference-counted: queued executes keep it after the
 * model is unloaded.
 */
typedef struct emu_opinfo {
    const char *type, *name;
    size_t type_len, name_len;
    uint64_t name_hash; /* aclsub_name_hash of name */
    rec_tmpl tmpl;      /* what its aclsub records have in common (strings, hash, their CRC share) */
} emu_opinfo;
typedef struct emu_optable {
    int refs; /* atomic */
    uint32_t n; /* entries: operators + 1 */
    emu_opinfo op[];
} emu_optable;
/* A table for graph g, one reference held; NULL without memory. */
emu_optable *emu_optable_new(const graph *g);
void emu_optable_ref(emu_optable *t);
void emu_optable_put(emu_optable *t);

/*
 * What one execute measured, all a device worker stores: the writer builds
 * the records from it (ops->n records, the last the whole run), numbered
 * from seq.  t holds start and end per operator.
 */
typedef struct emu_times {
    emu_optable *ops; /* one reference */
    uint32_t model_id, stream_id, thread_id, pid;
    uint64_t iteration, seq;
    uint64_t t[]; /* 2 * (ops->n - 1) */
} emu_times;
/* Room for an execute of table ops (a reference taken), or NULL. */
emu_times *emu_times_new(emu_optable *ops);
void emu_times_free(emu_times *x);

/*
 * Hands one execute's measurements (ownership passes) to the
 * subscription's writer, which encodes its records.  Blocks while the
 * writer's queue is full (back-pressure), unless the reader is gone.
 */
void emu_sub_deliver(emu_sub *s, emu_times *x);
/* Next sequence number block of n records for the subscription. */
uint64_t emu_sub_take_seq(emu_sub *s, uint64_t n);
/* Ends a subscription: flushes it and closes the fd if it was the last user. */
void emu_sub_end(emu_sub *s);

/*
 * A new subscription from a subscribe config (sub.c): ACL_SUCCESS and *out,
 * or the AscendCL error for a config that cannot subscribe.  With join 0
 * it takes no part in the device's subscribe settings (the interposer's).
 */
aclError emu_sub_open(const aclprofSubscribeConfig *c, int join, emu_sub **out);
/* Ends a subscription that never started: the caller's fd stays open. */
void emu_sub_discard(emu_sub *s);

#endif /* ACLSUB_SHIM_EMU_H_ */
