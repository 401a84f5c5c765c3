/*
 * parallel.h - the engine's worker pool: the kernels that are not matrix
 * products split their outer loop (channels, planes, rows) over it.
 *
 * The pool has as many participants as OpenBLAS has threads (its
 * openblas_get_num_threads(), so OPENBLAS_NUM_THREADS=1 keeps a whole
 * execute on the calling thread; the large matrix products are shared over
 * the pool too, par_for_blas): the caller and par_threads() - 1 workers,
 * started on the first call that needs them and kept for the life of the
 * process.  Idle workers sleep on a condition variable; they never spin.
 *
 * A call runs inline, on the caller alone, when the loop is too small to
 * share (fewer than two pieces of `grain` iterations), when the pool has one
 * participant, or when another thread's call has the pool (a second stream
 * executing at the same time, or a call from inside a piece): the result is
 * the same, only the time differs.
 */
#ifndef ACLSUB_SHIM_PARALLEL_H_
#define ACLSUB_SHIM_PARALLEL_H_

#include <stdint.h>

/*
 * One piece of a loop: iterations [lo, hi).  slot is the participant
 * running it, in [0, par_threads()): the caller is 0, and no two pieces
 * run at the same time with the same slot, so a piece may use the slot's
 * share of a scratch buffer.
 */
typedef void (*par_fn)(void *ctx, int64_t lo, int64_t hi, int slot);

/*
 * Runs fn over [0, n) in contiguous pieces of at least `grain` iterations
 * (the last may be shorter), shared among the participants, and returns
 * when every piece is done.  Pieces are handed out in order as participants
 * become free, so a participant slowed by another process does not hold
 * the others back.
 */
void par_for(int64_t n, int64_t grain, par_fn fn, void *ctx);

/*
 * par_for for pieces that call OpenBLAS (a block of a matrix product
 * each): while they run OpenBLAS is set to one thread, so that the pool's
 * participants, not OpenBLAS's threads, share the products (a loop too
 * small to share runs on the caller, OpenBLAS on one thread all the same);
 * with one participant, or while another thread holds the pool, OpenBLAS's
 * thread count is left alone.  Meanwhile another
 * thread of the program calling OpenBLAS gets one thread, and one that
 * sets OpenBLAS's thread count may see it set back when the loop ends.
 */
void par_for_blas(int64_t n, int64_t grain, par_fn fn, void *ctx);

/* The participants a par_for may use (at least 1). */
int par_threads(void);

/*
 * Tests: n > 0 makes par_threads() n (up to PAR_MAX_THREADS) whatever
 * OpenBLAS says; 0 goes back to OpenBLAS's count.  Not for use while a
 * par_for runs.
 */
void par_set_threads(int n);

#define PAR_MAX_THREADS 64

#endif /* ACLSUB_SHIM_PARALLEL_H_ */
