/*
 * names.c - the operator types and names the program is owed, over a
 * runtime whose records are the vendor's.
 *
 * The vendor's runtime keeps each record's type and name outside the
 * record, in an in-process table keyed by the record's opIndex, and a
 * successful aclprofGetOpType / aclprofGetOpName erases its string: each
 * can be read once.  The relay has to read them to re-emit the record with
 * its names, which would leave nothing for the program when it subscribed
 * the same model itself.  So for every record the relay also forwards to
 * the program's own fd, it keeps here what it read (before the record's
 * bytes reach the program), and the accessor hooks answer the program from
 * here exactly as the runtime's table would have: the *Len calls do not
 * consume, a successful read consumes that string, a read that fails keeps
 * it, and a second read fails with ACL_ERROR_INVALID_PARAM.  Records the
 * relay did not keep (aclsub's own format, models the program did not
 * subscribe, strings the relay could not read) are the runtime's to answer.
 *
 * How a successful read copies depends on the runtime (pl_names_get): the
 * vendor's copies strlen bytes with memcpy_s and then writes a NUL at the
 * buffer's last byte (a buffer of exactly strlen bytes loses the last
 * character; memcpy_s zeroes a buffer that is too small); aclsub's emulated
 * runtime wants strlen + 1 bytes and copies the NUL (acl/acl_prof.h).
 *
 * The table is direct-mapped on opIndex (a process-global sequence number
 * in the vendor's runtime) with NAMES_CAP slots, so it holds what the
 * runtime's own table would hold, up to that bound: when a record whose
 * strings the program has not read loses its slot to a record NAMES_CAP
 * later, its strings are freed and counted (one line on stderr at the
 * first, the total at exit); the program's read of them then goes to the
 * runtime, which fails as for a string already read.
 *
 * One mutex guards the table: the relay thread adds, the program's reader
 * threads read and consume.  A fork child keeps the table (the runtime's
 * own table is copied too) with the mutex released.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "preload/preload.h"
#include "decoder/record/le.h"

#define NAMES_CAP (1u << 20)
#define OFF_SIGNATURE 0
#define OFF_OP_INDEX 16
#define VENDOR_MAX_COPY 0x7fffffffu /* memcpy_s refuses a larger destination (SECUREC_MEM_MAX_LEN) */

typedef struct name_entry {
    uint64_t key;    /* the record's opIndex */
    uint32_t sig;    /* and its signature: the same record, not one of another format */
    char *str[2];    /* PL_STR_TYPE, PL_STR_NAME; NULL once read (or never kept) */
} name_entry;

static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;
static name_entry *table;          /* [names_lock] NAMES_CAP slots, made at the first keep */
static _Atomic size_t held;        /* strings in the table: 0 lets the hooks skip the lock */
static uint64_t evicted;           /* [names_lock] records whose unread strings were freed */
static int alloc_failed;           /* [names_lock] the table could not be made: told once */

static void lock_before_fork(void)
{
    pthread_mutex_lock(&names_lock);
}

static void unlock_after_fork(void)
{
    pthread_mutex_unlock(&names_lock);
}

static void report_evicted(void)
{
    sigset_t sigs;
    pl_lock_in_program(&names_lock, &sigs);
    uint64_t n = evicted;
    pl_unlock_in_program(&names_lock, &sigs);
    if (n)
        pl_log(LOG_INFO,
               "aclsub: the program did not read the operator names of %llu records before %u later ones; "
               "they were forgotten",
               (unsigned long long)n, NAMES_CAP);
}

/* Frees the strings of slot e. Under names_lock. */
static void entry_clear(name_entry *e)
{
    for (int i = 0; i < 2; i++)
        if (e->str[i]) {
            free(e->str[i]);
            e->str[i] = NULL;
            atomic_fetch_sub(&held, 1);
        }
}

/* The table, made on first use; NULL if there is no memory for it. Under names_lock. */
static name_entry *table_get(void)
{
    if (table || alloc_failed)
        return table;
    table = calloc(NAMES_CAP, sizeof *table);
    if (!table) {
        alloc_failed = 1;
        pl_log(LOG_WARN, "aclsub: no memory to keep operator names for the program: it may find them read");
        return NULL;
    }
    pthread_atfork(lock_before_fork, unlock_after_fork, unlock_after_fork);
    atexit(report_evicted);
    return table;
}

/* Takes slot e for the record (key, sig), evicting unread strings of another record. Under names_lock. */
static void entry_take(name_entry *e, uint64_t key, uint32_t sig)
{
    if (e->key != key || e->sig != sig) {
        if (e->str[PL_STR_TYPE] || e->str[PL_STR_NAME]) {
            if (evicted++ == 0)
                pl_log(LOG_INFO, "aclsub: the program has not read the operator names of a record %u records "
                                 "old; such names are forgotten (counted at exit)",
                       NAMES_CAP);
        }
        entry_clear(e);
    }
    e->key = key;
    e->sig = sig;
}

void pl_names_keep(const unsigned char *rec, const char *type, const char *name)
{
    const char *in[2] = {type, name};
    char *copy[2] = {type ? strdup(type) : NULL, name ? strdup(name) : NULL};
    uint64_t key = le64_get(rec + OFF_OP_INDEX);
    pthread_mutex_lock(&names_lock);
    name_entry *t = table_get();
    if (t) {
        name_entry *e = &t[key % NAMES_CAP];
        entry_take(e, key, le32_get(rec + OFF_SIGNATURE));
        for (int i = 0; i < 2; i++) {
            if (!in[i] || !copy[i])
                continue; /* not read (the program's read goes to the runtime), or no memory */
            if (e->str[i])
                free(e->str[i]);
            else
                atomic_fetch_add(&held, 1);
            e->str[i] = copy[i];
            copy[i] = NULL;
        }
    }
    pthread_mutex_unlock(&names_lock);
    free(copy[0]);
    free(copy[1]);
}

int pl_names_held(void)
{
    return atomic_load(&held) != 0;
}

/* The kept string `which` of rec, or NULL. Under names_lock. */
static char **kept(const unsigned char *rec, int which)
{
    uint64_t key = le64_get(rec + OFF_OP_INDEX);
    if (!table)
        return NULL;
    name_entry *e = &table[key % NAMES_CAP];
    if (e->key != key || e->sig != le32_get(rec + OFF_SIGNATURE) || !e->str[which])
        return NULL;
    return &e->str[which];
}

int pl_names_len(const unsigned char *rec, int which, size_t *len)
{
    sigset_t sigs;
    pl_lock_in_program(&names_lock, &sigs);
    char **s = kept(rec, which);
    if (s)
        *len = strlen(*s) + 1;
    pl_unlock_in_program(&names_lock, &sigs);
    return s != NULL;
}

/*
 * The runtime's copy of s into dst: 1 done (the string is consumed), 0
 * refused (it is kept).  vendor: memcpy_s(dst, dst_len, s, strlen) then
 * dst[dst_len - 1] = '\0', with the length as the vendor's uint32_t;
 * else aclsub's emulated runtime: strlen + 1 bytes or nothing.
 */
static int copy_as_runtime(const char *s, char *dst, size_t dst_len, int vendor)
{
    size_t n = strlen(s);
    if (!vendor) {
        if (dst_len < n + 1)
            return 0;
        memcpy(dst, s, n + 1);
        return 1;
    }
    uint32_t cap = (uint32_t)dst_len;
    if (cap == 0 || cap > VENDOR_MAX_COPY)
        return 0;
    if (n > cap) {
        memset(dst, 0, cap);
        return 0;
    }
    memcpy(dst, s, n);
    dst[cap - 1] = '\0';
    return 1;
}

int pl_names_get(const unsigned char *rec, int which, char *dst, size_t dst_len, int vendor, aclError *rc)
{
    sigset_t sigs;
    pl_lock_in_program(&names_lock, &sigs);
    char **s = kept(rec, which);
    if (s) {
        *rc = ACL_ERROR_INVALID_PARAM;
        if (copy_as_runtime(*s, dst, dst_len, vendor)) {
            free(*s);
            *s = NULL;
            atomic_fetch_sub(&held, 1);
            *rc = ACL_SUCCESS;
        }
    }
    pl_unlock_in_program(&names_lock, &sigs);
    return s != NULL;
}
