/*
 * parallel.c - the engine's worker pool (parallel.h).
 *
 * One pool per process.  A par_for claims it with an atomic flag (a caller
 * that finds it taken runs inline), publishes the job under the mutex,
 * bumps the generation and wakes the workers; then every participant,
 * the caller included, takes the next piece from an atomic counter until
 * none is left.  The caller waits on `done` for the workers it engaged.
 * Workers wait on `wake` between jobs, so an idle pool costs no CPU.
 *
 * par_for_blas sets OpenBLAS to one thread while its pieces run (each
 * piece a block of a matrix product), also when the loop is too small to
 * share and runs on the caller alone, and restores the count after; when
 * the pool is held by another thread (or has one participant) it leaves
 * OpenBLAS as it is.  The products of an execute then
 * never reach OpenBLAS's own threads, which spin for a long while after
 * each product they share (sched_yield in a loop): beside such a spinner a
 * woken pool worker is placed on its caller's CPU and the pool gains
 * nothing.  Left without work, OpenBLAS's threads go to sleep.
 *
 * A child of fork has none of its parent's workers: the child handler
 * forgets them (the child starts its own when it needs them).  At unload
 * the destructor stops and joins the workers, so that none is left running
 * code that is no longer mapped.
 */
#include <cblas.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "shim/engine/parallel.h"

/* The pieces one participant gets, on average, when the loop is large: more balance the load better. */
#define PAR_PIECES_PER_THREAD 16

/*
 * The pool.  mu protects gen, fn, ctx, n, piece, engaged, active, started
 * and quit; next is taken without it (atomic).  claimed says a par_for owns
 * the job fields until its workers are done.
 */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t wake, done;
    unsigned gen;
    par_fn fn;
    void *ctx;
    int64_t n, piece;
    atomic_llong next;
    int engaged; /* workers (slots 1 ..) asked to take part in this job */
    int active;  /* engaged workers not yet finished with it */
    int started; /* workers running: their slots are 1 .. started */
    int quit;
    pthread_t tid[PAR_MAX_THREADS];
    unsigned born[PAR_MAX_THREADS]; /* gen when each worker was started: jobs after it are its to see */
    atomic_int claimed;
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .done = PTHREAD_COND_INITIALIZER};

/* par_set_threads's override (0: none); set by tests only, before any par_for runs. */
static int forced_threads;

/*
 * OpenBLAS's thread count while a par_for_blas has set it to 1 (0 the rest
 * of the time), so that par_threads keeps answering the configured count.
 * Written only by the owner of the pool (claimed).
 */
static atomic_int blas_held;

int par_threads(void)
{
    int held = atomic_load(&blas_held);
    int n = forced_threads ? forced_threads : held ? held : openblas_get_num_threads();
    return n < 1 ? 1 : n > PAR_MAX_THREADS ? PAR_MAX_THREADS : n;
}

void par_set_threads(int n)
{
    forced_threads = n < 0 ? 0 : n;
}

/* Takes pieces of the current job until none is left. */
static void run_pieces(par_fn fn, void *ctx, int64_t n, int64_t piece, int slot)
{
    for (;;) {
        int64_t lo = atomic_fetch_add(&pool.next, piece);
        if (lo >= n)
            return;
        fn(ctx, lo, lo + piece < n ? lo + piece : n, slot);
    }
}

static void *worker(void *arg)
{
    const int slot = (int)(intptr_t)arg;
    pthread_mutex_lock(&pool.mu);
    unsigned seen = pool.born[slot];
    for (;;) {
        while (pool.gen == seen && !pool.quit)
            pthread_cond_wait(&pool.wake, &pool.mu);
        if (pool.gen == seen) /* quit, with no job for this worker left */
            break;
        seen = pool.gen;
        if (slot > pool.engaged)
            continue;
        par_fn fn = pool.fn;
        void *ctx = pool.ctx;
        int64_t n = pool.n, piece = pool.piece;
        pthread_mutex_unlock(&pool.mu);
        run_pieces(fn, ctx, n, piece, slot);
        pthread_mutex_lock(&pool.mu);
        if (--pool.active == 0)
            pthread_cond_signal(&pool.done);
    }
    pthread_mutex_unlock(&pool.mu);
    return NULL;
}

/* Starts workers up to slot want - 1 (with every signal blocked, so none is delivered to them); returns how many run. */
static int start_workers(int want)
{
    while (pool.started < want - 1) {
        sigset_t all, old;
        pool.born[pool.started + 1] = pool.gen;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        int rc = pthread_create(&pool.tid[pool.started + 1], NULL, worker, (void *)(intptr_t)(pool.started + 1));
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (rc != 0)
            break;
        pool.started++;
    }
    return pool.started;
}

static void par_run(int64_t n, int64_t grain, par_fn fn, void *ctx, int blas)
{
    if (n <= 0)
        return;
    if (grain < 1)
        grain = 1;
    const int threads = par_threads();
    int expected = 0;
    /* a product too small to cut still runs with OpenBLAS on one thread, so that its threads stay asleep */
    if (threads < 2 || (n < 2 * grain && !blas) || !atomic_compare_exchange_strong(&pool.claimed, &expected, 1)) {
        fn(ctx, 0, n, 0);
        return;
    }
    if (n < 2 * grain) {
        atomic_store(&blas_held, openblas_get_num_threads());
        openblas_set_num_threads(1);
        fn(ctx, 0, n, 0);
        openblas_set_num_threads(atomic_load(&blas_held));
        atomic_store(&blas_held, 0);
        atomic_store(&pool.claimed, 0);
        return;
    }
    /* pieces: at least grain long, at most PAR_PIECES_PER_THREAD per participant */
    int64_t pieces = n / grain, most = (int64_t)threads * PAR_PIECES_PER_THREAD;
    pieces = pieces > most ? most : pieces;
    const int64_t piece = (n + pieces - 1) / pieces;
    pieces = (n + piece - 1) / piece;

    if (blas) {
        /* the pieces call OpenBLAS: one thread each, the pool being the parallelism */
        atomic_store(&blas_held, openblas_get_num_threads());
        openblas_set_num_threads(1);
    }
    pthread_mutex_lock(&pool.mu);
    int workers = pool.quit ? 0 : start_workers(threads); /* none once the destructor has run */
    workers = workers > threads - 1 ? threads - 1 : workers;
    workers = (int64_t)workers > pieces - 1 ? (int)(pieces - 1) : workers;
    pool.fn = fn;
    pool.ctx = ctx;
    pool.n = n;
    pool.piece = piece;
    atomic_store(&pool.next, 0);
    pool.engaged = workers;
    pool.active = workers;
    if (workers > 0) {
        pool.gen++;
        pthread_cond_broadcast(&pool.wake);
    }
    pthread_mutex_unlock(&pool.mu);

    run_pieces(fn, ctx, n, piece, 0);

    if (workers > 0) {
        pthread_mutex_lock(&pool.mu);
        while (pool.active > 0)
            pthread_cond_wait(&pool.done, &pool.mu);
        pthread_mutex_unlock(&pool.mu);
    }
    if (blas) {
        openblas_set_num_threads(atomic_load(&blas_held));
        atomic_store(&blas_held, 0);
    }
    atomic_store(&pool.claimed, 0);
}

void par_for(int64_t n, int64_t grain, par_fn fn, void *ctx)
{
    par_run(n, grain, fn, ctx, 0);
}

void par_for_blas(int64_t n, int64_t grain, par_fn fn, void *ctx)
{
    par_run(n, grain, fn, ctx, 1);
}

/* The child of fork: the parent's workers do not exist here. */
static void par_fork_child(void)
{
    pthread_mutex_init(&pool.mu, NULL);
    pthread_cond_init(&pool.wake, NULL);
    pthread_cond_init(&pool.done, NULL);
    pool.started = 0;
    pool.active = 0;
    pool.engaged = 0;
    atomic_store(&pool.claimed, 0);
}

__attribute__((constructor)) static void par_register_fork(void)
{
    pthread_atfork(NULL, NULL, par_fork_child);
}

__attribute__((destructor)) static void par_stop(void)
{
    pthread_mutex_lock(&pool.mu);
    int started = pool.started;
    pool.quit = 1;
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.mu);
    for (int i = 1; i <= started; i++)
        pthread_join(pool.tid[i], NULL);
    pool.started = 0;
}
