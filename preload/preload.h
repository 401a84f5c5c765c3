/*
 * preload.h - internals of libaclsub.so, the LD_PRELOAD interposer.
 *
 * Everything here runs inside the host program, so it keeps to a few
 * rules: never write to stdout, never let SIGPIPE reach the program, never
 * block the program on a reader that does not read (with `block`, not
 * longer than ACLSUB_STALL_MS), and tell the user once on stderr when it
 * cannot profile.
 *
 * Words: the sink is the user's output, the FIFO, file or fd:N that
 * ACLSUB_OUTPUT names, and nothing else; the descriptors the program
 * passes to its own aclprofModelSubscribe are "the program's subscription
 * fds" (the emulated runtime calls the thread behind each such fd its writer).
 *
 *   config.c  reads and validates the ACLSUB_* environment once, and keeps
 *             the stderr of load time for the library's messages
 *   sink.c    opens the sink (FIFO, file, fd:N) and marks the library's
 *             descriptors so that a program closing everything keeps them
 *   relay.c   the relay thread: runtime records in, filtered records and
 *             control records out to the sink, fan-out to the program's
 *             own subscription fds; and one hop, where the runtime writes
 *             a model's records into a file sink itself and the library
 *             counts them in its write()
 *   names.c   the operator types and names of vendor-format records that
 *             the relay read and the program is owed (read once, as the
 *             runtime's own table would serve them)
 *   describe.c  the description of each model the library subscribes
 *             (its name, file, device, inputs and outputs, and over the
 *             emulated runtime every operator's shapes), queued through
 *             the relay before the model's first record
 *   hooks.c   every interposed symbol: the AscendCL entry points, the
 *             string accessors, the close family, write (the runtime's
 *             one-hop writes), and _exit and the exec family
 *
 * Calls between the files go one way, down the order hooks.c, describe.c,
 * relay.c, names.c, sink.c, config.c (a file may skip a level); nothing calls back up.
 */
#ifndef ACLSUB_PRELOAD_H_
#define ACLSUB_PRELOAD_H_

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "acl/acl.h"
#include "acl/acl_prof.h"

/* --- config.c ---------------------------------------------------------------- */

/* ACLSUB_LOG's levels; 0 is none yet (the configuration is being read). */
enum { LOG_QUIET = 1, LOG_WARN, LOG_INFO, LOG_DEBUG };
/* The sink's kinds: a regular file opened by path, a FIFO (by path or fd:N), any other fd:N. */
enum { SINK_FILE, SINK_FIFO, SINK_FD };

typedef struct pl_config {
    int enabled;          /* 0: run unprofiled (bad setting, setuid, ...) */
    char output[4096];    /* the sink's path, expanded (decoder/record/outname.h); "" for fd:N */
    int output_named;     /* 1 if ACLSUB_OUTPUT named it (not the default name) */
    int sink_fd;          /* N of fd:N, else -1 */
    int on_full_block;    /* 1 block, 0 drop */
    size_t buffer_records;
    int children;
    int log;
    char *models;   /* comma-separated globs, NULL: all */
    char *op_types;
    char *op_names;
} pl_config;

/* Reads the environment once; later calls return the same answer. */
const pl_config *pl_config_get(void);
/* 1 if any glob of the comma-separated list matches s (NULL list: 1). */
int pl_globs_match(const char *globs, const char *s);

/*
 * One line, "aclsub: ...", if the log level allows it, on the stderr the
 * program had when the library loaded (never on a later fd 2).
 */
void pl_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The descriptor pl_log writes to (-1: none), for hooks.c to protect. */
int pl_log_fd(void);
/* The lowest descriptor number the library lifts its own to, above the range programs use. */
int pl_fd_floor(void);

/* --- names.c ------------------------------------------------------------------- */

enum { PL_STR_TYPE = 0, PL_STR_NAME = 1 };

/*
 * The relay read the type and the name of vendor record rec (NULL: that
 * string could not be read) and forwards rec to the program: keep them
 * for the program, to be read once.  Call before the program can see rec.
 */
void pl_names_keep(const unsigned char *rec, const char *type, const char *name);
/* 1 if any string is kept (0: the hooks go straight to the runtime). */
int pl_names_held(void);
/*
 * The program asks for string `which` of rec (a record the runtime
 * accepts).  If it is kept: 1, with the length and its NUL in *len (the
 * string stays), else 0: the runtime answers.
 */
int pl_names_len(const unsigned char *rec, int which, size_t *len);
/*
 * The same for the string itself: if it is kept, 1 and *rc is the
 * runtime's answer, copied as the runtime copies (vendor 1: the vendor's
 * runtime, 0: aclsub's emulated one); a successful copy consumes the
 * string.  0: the runtime answers.
 */
int pl_names_get(const unsigned char *rec, int which, char *dst, size_t dst_len, int vendor, aclError *rc);

/* --- sink.c -------------------------------------------------------------------- */

/* Marks fd as the library's: the program's close() of it is ignored. */
void pl_fd_protect(int fd);
/*
 * The same for a descriptor the runtime holds (a subscription's write end):
 * the runtime itself may close it, the program may not.
 */
void pl_fd_protect_runtime(int fd);
void pl_fd_unprotect(int fd);
int pl_fd_is_protected(int fd);
/* 1 if fd was marked with pl_fd_protect_runtime (and not unprotected since). */
int pl_fd_is_runtime(int fd);
/* Moves fd above the range programs usually use; close-on-exec. Returns the new fd. */
int pl_fd_lift(int fd);
/*
 * close_range(first, last, flags) for the descriptors of the range that
 * are not protected; the protected ones stay open.  0, or -1 if a part
 * failed.
 */
int pl_fd_close_range_unguarded(unsigned int first, unsigned int last, int flags);

/*
 * Opens the sink described by the configuration, sets *kind, and returns
 * its fd, lifted and protected.  The path's last component is not followed
 * if it is a symbolic link, unless ACLSUB_OUTPUT named it and it is the
 * user's own (resolved once, at the first open); what was opened must be
 * a FIFO, a regular file or a character device.  A new file is created
 * exclusively, mode 0600; an existing one is appended to only if it is the
 * user's and writable by nobody else.  A FIFO is opened without blocking:
 * when it has no reader yet, -1 with *pending set (call pl_sink_retry
 * later).  Otherwise -1 means there is no sink; the reason is on stderr.
 */
int pl_sink_open(const pl_config *c, int *kind, int *pending);
/*
 * For a FIFO without a reader: the fd once a reader has appeared, else -1
 * (a drain, the library's own brief reader, does not count).
 * The FIFO is reopened only while its path names the FIFO first opened
 * (device and inode); once it does not, -1 with errno ESTALE for good, and
 * the user was told once.
 */
int pl_sink_retry(const pl_config *c);
/*
 * Empties the FIFO sink (the one first opened) after its reader left;
 * returns the data records it held (a record read in part counts).
 */
uint64_t pl_sink_fifo_drain(void);
/*
 * Odd while a drain holds the FIFO open for reading, and changed by every
 * drain: for a moment the drain is the FIFO's reader, so a look at whether
 * it has one (POLLERR, an open for writing) means nothing unless this
 * number was even and the same before and after the look.
 */
unsigned pl_sink_drain_seq(void);

/* --- describe.c ---------------------------------------------------------------- */
/* A function of the runtime (RTLD_NEXT, or the runtime dlopen'ed locally), or NULL; not cached. */
void *pl_runtime_sym(const char *name);

/*
 * The program loaded model id from path (NULL: from memory): remembered for
 * the model's descriptions until pl_describe_forget.
 */
void pl_describe_note_load(uint32_t id, const char *path);
void pl_describe_forget(uint32_t id);
/*
 * Queues the description of model id (attached with pl_relay_attach, not
 * yet subscribed): one model-description record and its operator
 * descriptions; on one hop (onehop 1) waits until they are in the sink, so
 * that they come before the runtime's first record.  Called with the
 * hooks' in_hook set (the AscendCL calls it makes go straight through).
 */
void pl_describe_model(uint32_t id, int onehop);

/* --- relay.c ------------------------------------------------------------------- */

/*
 * Starts following model `id`: opens the sink and starts the relay thread
 * on first use, and returns the descriptor for the runtime's subscription
 * (lifted and guarded): with `onehop` and when one hop is possible (a
 * regular-file sink without a file-size limit, aclsub records from the
 * runtime, no operator filter), a duplicate of the sink itself, once the
 * stream start is in it; otherwise the write end of a new pipe to the
 * relay.  -1 when profiling cannot work (the reason was printed once).
 */
int pl_relay_attach(uint32_t id, const char *label, int onehop);
/* CLOCK_MONOTONIC in ns: the device clock of the emulated runtime. */
uint64_t pl_now_ns(void);
/* 1 if model id is followed on one hop (the runtime writes into the sink). */
int pl_relay_onehop(uint32_t id);
/* The ids of the models followed on one hop, at most max of them; how many. */
size_t pl_relay_onehop_ids(uint32_t *ids, size_t max);
/*
 * The library's write(): if fd is the sink descriptor of a model on one
 * hop, writes the runtime's records with real_write, counts them (written,
 * or dropped: a failed write, numbers the runtime skipped), sets *ret to
 * len (the runtime's writer never sees a failure, so no record escapes the
 * count) and returns 1.  Records the runtime writes after the stream end
 * are neither written nor counted.  0: not such a descriptor.
 */
int pl_relay_onehop_write(int fd, const void *buf, size_t len, ssize_t (*real_write)(int, const void *, size_t),
                          ssize_t *ret);
/*
 * After an exec that failed: waits until the relay started the new stream
 * (its stream start is in the sink).  The caller then subscribes the
 * one-hop models anew, so that the runtime numbers their records from 0.
 */
void pl_relay_wait_restarted(void);
/* The runtime's subscription could not be made: forget the model. */
void pl_relay_attach_failed(uint32_t id);
/* 1 if the library follows model id (an active pipe). */
int pl_relay_follows(uint32_t id);
/*
 * 1 if model id's pipe was closed behind the library's back (a raw
 * close_range): the caller ends the runtime's subscription, retires the
 * model with pl_relay_wait_done and follows it anew.  Checks that the
 * model's descriptors still name its pipe.
 */
int pl_relay_lost(uint32_t id);
/*
 * Waits until the relay has read the model's pipe to its end of file (its
 * records are then in the program's fd and in the ring, or counted as
 * dropped; a warning after ACLSUB_STALL_MS and 1 s without progress ends
 * the wait), forgets
 * the models whose pipe ended, and closes the program's own subscription
 * fd if `close_app` and no other subscription uses it.  id UINT32_MAX:
 * every model.
 */
void pl_relay_wait_done(uint32_t id, int close_app);
/* Waits until every record read so far is in the sink or counted as dropped. */
void pl_relay_flush(void);
/*
 * Queues n control records made elsewhere (describe.c) behind everything
 * queued so far, waiting (as `block` would) for room in the ring; returns
 * how many were queued.  Control records are never counted as delivered
 * or dropped: those that do not fit are simply missing from the stream.
 */
size_t pl_relay_push_control(const unsigned char *recs, size_t n);

/* The program's own subscription of a followed model (fan-out of its records to fd). */
aclError pl_relay_app_subscribe(uint32_t id, int fd);
/* The program's fd for model id, or -1. */
int pl_relay_app_fd(uint32_t id);

/* Final flush, stream-end record, summary line (at exit). */
void pl_relay_finish(void);
/*
 * After fork() in the child: forget the parent's pipes, thread and buffer;
 * with keep_profiling 0 the child follows nothing.
 */
void pl_relay_after_fork_child(int keep_profiling);
/*
 * From a fatal signal handler: the relay thread makes a last flush (the
 * records of executes that returned, then the stream end) while the
 * handler waits up to 2 s; if it cannot, the handler writes the buffered
 * records no write has claimed, async-signal-safely.  No record twice.
 */
void pl_relay_flush_from_signal(void);
/*
 * A lock the relay thread's last flush needs (relay.lock, names.c's), taken
 * by a thread of the program: SIGPIPE and the fatal signals that come from
 * outside (SIGTERM, SIGINT, SIGQUIT, SIGABRT) are held (blocked) in this
 * thread until pl_unlock_in_program puts *old back, so that the flush
 * handler never waits on a thread for a lock that thread holds.
 */
void pl_lock_in_program(pthread_mutex_t *mu, sigset_t *old);
void pl_unlock_in_program(pthread_mutex_t *mu, const sigset_t *old);
/* 1 when a delivery of sig runs the last-flush handler above (hooks.c installed it; the program kept it). */
int pl_signal_flushes(int sig);
/*
 * Before exec (from any thread, a signal handler too): the relay thread
 * makes the last flush (the records of executes that returned, then the
 * stream end) while the caller waits up to 2 s, and then holds still,
 * reading and writing nothing.  Returns 1 if it was asked to; the caller
 * then calls pl_relay_exec_failed if the exec returns.
 */
int pl_relay_before_exec(void);
/* The exec failed: the relay goes on with a new stream (a stream start, counts and numbers from 0). */
void pl_relay_exec_failed(void);
/* The real runtime's accessors: hooks.c resolves them and hands them over before each attach. */
typedef struct pl_accessors {
    aclError (*desc_size)(size_t *);
    aclError (*type_len)(const void *, size_t, uint32_t, size_t *);
    aclError (*type)(const void *, size_t, uint32_t, char *, size_t);
    aclError (*name_len)(const void *, size_t, uint32_t, size_t *);
    aclError (*name)(const void *, size_t, uint32_t, char *, size_t);
    uint64_t (*start)(const void *, size_t, uint32_t);
    uint64_t (*end)(const void *, size_t, uint32_t);
    uint64_t (*duration)(const void *, size_t, uint32_t);
    size_t (*model_id)(const void *, size_t, uint32_t);
    aclprofSubscribeOpFlag (*flag)(const void *, size_t, uint32_t);
    const char *(*attri)(const void *, size_t, uint32_t, aclprofSubscribeOpAttri);
    /* The emulated runtime's aclsubEmuSubscribeSettings, or NULL: a program's subscription served by the relay leaves. */
    aclError (*settings)(const aclprofSubscribeConfig *);
} pl_accessors;
void pl_relay_set_accessors(const pl_accessors *a);

#endif /* ACLSUB_PRELOAD_H_ */
